//! Scenario edits for the editor tool: pure functions that take a scenario and one change and
//! return a new scenario, or a plain, located error for the page to show next to the field
//! ("Recipient 2: “bob@” has no domain"). Yew-free and native-tested (`tests/editor.rs`).
//!
//! Every function checks what `Scenario::validate` and the simulation would refuse (addresses
//! the SMTP client cannot put in `MAIL`/`RCPT`, header-breaking text, host names, IP
//! addresses, limits) *before* it builds the new scenario, so an edit never produces a broken
//! scenario; and none of them panics, whatever the input. The result is then handed to the
//! player as `Intent::Edit`, which re-runs the simulation.
//!
//! An [`EditError`] names its field with a stable key (`compose-to`, `node-mx-size_limit`,
//! `dns-new-value`, …); the editor uses it as the input's id so the message sits next to it.

use std::net::{Ipv4Addr, Ipv6Addr};

use crate::sim::clock::Span;
use crate::sim::dns::{AddressRecord, MxRecord, TxtRecord, Zone};
use crate::sim::scenario::DkimSigning;
use crate::sim::scenario::{AttachmentSpec, FullMailbox, Fullness, MessageSpec, NodeKind, NodeSpec, Scenario};
use crate::sim::trace::Trace;
use crate::smtp::{base64, parse};

/// Cap on the attachments of one composed message, together (said in the editor).
pub const MAX_ATTACHMENT_BYTES: usize = 256 * 1024;
/// Cap on the number of attachments of one composed message.
pub const MAX_ATTACHMENTS: usize = 10;
/// Cap on the messages an edited scenario holds (each one is simulated on every edit).
pub const MAX_MESSAGES: usize = 50;
/// Cap on recipients of one composed message.
pub const MAX_RECIPIENTS: usize = 20;
/// Cap on a composed body, in bytes.
pub const MAX_BODY: usize = 64 * 1024;
/// Cap on a subject, in characters (RFC 5322 §2.1.1 line limit, before folding).
pub const MAX_SUBJECT: usize = 200;
/// Cap on the mailboxes of one server.
pub const MAX_MAILBOXES: usize = 100;
/// Cap on the records of the zone.
pub const MAX_RECORDS: usize = 200;
/// Longest delay the editor accepts for "down until" and greylisting.
pub const MAX_DELAY: Span = Span(7 * 86_400_000);
/// Smallest and largest SIZE limit the editor accepts, in octets.
pub const SIZE_LIMIT_RANGE: (u64, u64) = (1_000, 1_000_000_000);

/// Why an edit was refused, and where: `field` is the key of the input it is about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EditError {
    pub field: String,
    pub message: String,
}

impl EditError {
    fn new(field: impl Into<String>, message: impl Into<String>) -> EditError {
        EditError { field: field.into(), message: message.into() }
    }
}

impl std::fmt::Display for EditError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// Text shown to people: at most 60 characters of what they typed, control characters made
/// visible, so an error message stays one readable line.
pub fn shown(text: &str) -> String {
    let mut out: String = text.chars().take(60).map(|c| if c.is_control() { '\u{fffd}' } else { c }).collect();
    if text.chars().count() > 60 {
        out.push('…');
    }
    out
}

// ---------------------------------------------------------------- node settings

/// One fault or policy of a node, with its new value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Setting {
    /// The host is down: connections are refused.
    Down(bool),
    /// Down until this virtual time, then back (`None`: not scheduled).
    DownUntil(Option<Span>),
    /// The host does not answer: connections time out.
    Unreachable(bool),
    /// The server greets with 421 and closes (RFC 5321 §3.8).
    ShuttingDown(bool),
    /// A mailbox is full, for now (452 4.2.2) or for good (552 5.2.2); `None`: not full.
    Full { mailbox: String, kind: Option<Fullness> },
    /// Greylisting (RFC 6647): refuse first attempts, accept a retry after this long.
    Greylist(Option<Span>),
    /// The SIZE limit in octets (RFC 1870).
    SizeLimit(u64),
    /// Offers STARTTLS (server) or uses it when offered (client) (RFC 3207).
    Starttls(bool),
    /// Requires STARTTLS before MAIL (530 5.7.0).
    RequireTls(bool),
    /// On port 587, AUTH is required before MAIL (RFC 6409 §4.3).
    SubmissionRequiresAuth(bool),
    /// Relays for anyone (RFC 5321 §7.1).
    OpenRelay(bool),
    /// Checks the sender domain's SPF record at MAIL FROM (RFC 7208).
    Spf(bool),
    /// Advertises PIPELINING (RFC 2920).
    Pipelining(bool),
    /// The port a mail program submits to (587 or 25).
    SubmitPort(u16),
    /// The mail program's network blocks outgoing connections to this port.
    BlockedPort { port: u16, blocked: bool },
    /// Signs outgoing mail with DKIM (RFC 6376 §5); `None`: does not sign.
    Dkim(Option<DkimSigning>),
    /// Checks DKIM and the From: domain's DMARC policy, adds Authentication-Results (RFC 7489).
    Dmarc(bool),
}

impl Setting {
    /// The field name (as in the scenario format) this setting changes.
    pub fn field(&self) -> &'static str {
        match self {
            Setting::Down(_) => "down",
            Setting::DownUntil(_) => "down_until",
            Setting::Unreachable(_) => "unreachable",
            Setting::ShuttingDown(_) => "shutting_down",
            Setting::Full { .. } => "full",
            Setting::Greylist(_) => "greylist",
            Setting::SizeLimit(_) => "size_limit",
            Setting::Starttls(_) => "starttls",
            Setting::RequireTls(_) => "require_tls",
            Setting::SubmissionRequiresAuth(_) => "submission_requires_auth",
            Setting::OpenRelay(_) => "open_relay",
            Setting::Spf(_) => "spf",
            Setting::Pipelining(_) => "pipelining",
            Setting::SubmitPort(_) => "port",
            Setting::BlockedPort { .. } => "blocked_ports",
            Setting::Dkim(_) => "dkim",
            Setting::Dmarc(_) => "dmarc",
        }
    }

    /// Does this setting mean something for a node of this kind?
    pub fn applies_to(&self, kind: NodeKind) -> bool {
        match self {
            Setting::Starttls(_) => true,
            Setting::SubmitPort(_) | Setting::BlockedPort { .. } => kind == NodeKind::Client,
            _ => kind == NodeKind::Server,
        }
    }
}

/// The key of a node's field, for [`EditError::field`] and the editor's element ids.
pub fn node_field(node: &str, field: &str) -> String {
    format!("node-{node}-{field}")
}

fn find_node<'a>(s: &'a mut Scenario, node: &str, field: &str) -> Result<&'a mut NodeSpec, EditError> {
    s.nodes
        .iter_mut()
        .find(|n| n.id == node)
        .ok_or_else(|| EditError::new(node_field(node, field), format!("There is no node “{}” in this scenario.", shown(node))))
}

fn kind_word(kind: NodeKind) -> &'static str {
    match kind {
        NodeKind::Client => "a mail program",
        NodeKind::Server => "a mail server",
    }
}

/// Sets one fault or policy of node `node`.
pub fn set(s: &Scenario, node: &str, setting: Setting) -> Result<Scenario, EditError> {
    let mut out = s.clone();
    let field = node_field(node, setting.field());
    let n = find_node(&mut out, node, setting.field())?;
    if !setting.applies_to(n.kind) {
        return Err(EditError::new(field, format!("“{}” does not apply to {} ({}).", setting.field(), kind_word(n.kind), shown(&n.name))));
    }
    let delay = |span: Option<Span>, what: &str| -> Result<Option<Span>, EditError> {
        match span {
            Some(Span(0)) => Err(EditError::new(field.clone(), format!("{what}: give a time longer than 0 minutes."))),
            Some(d) if d > MAX_DELAY => Err(EditError::new(field.clone(), format!("{what}: at most {MAX_DELAY} ({d} was given)."))),
            other => Ok(other),
        }
    };
    match setting {
        Setting::Down(v) => n.down = v,
        Setting::DownUntil(v) => n.down_until = delay(v, "Down until")?,
        Setting::Unreachable(v) => n.unreachable = v,
        Setting::ShuttingDown(v) => n.shutting_down = v,
        Setting::Full { mailbox, kind } => {
            let Some(found) = n.mailboxes.iter().find(|m| m.eq_ignore_ascii_case(mailbox.trim())).cloned() else {
                return Err(EditError::new(field, format!("“{}” is not one of this server's mailboxes.", shown(&mailbox))));
            };
            n.full.retain(|f| !f.mailbox.eq_ignore_ascii_case(&found));
            if let Some(kind) = kind {
                n.full.push(FullMailbox { mailbox: found, kind });
            }
        }
        Setting::Greylist(v) => n.greylist = delay(v, "Greylisting")?,
        Setting::SizeLimit(v) => {
            let (lo, hi) = SIZE_LIMIT_RANGE;
            if !(lo..=hi).contains(&v) {
                return Err(EditError::new(field, format!("Size limit: give a number of octets from {lo} to {hi} ({v} was given).")));
            }
            n.size_limit = v;
        }
        Setting::Starttls(v) => n.starttls = v,
        Setting::RequireTls(v) => n.require_tls = v,
        Setting::SubmissionRequiresAuth(v) => n.submission_requires_auth = v,
        Setting::OpenRelay(v) => n.open_relay = v,
        Setting::Spf(v) => n.spf = v,
        Setting::Pipelining(v) => n.pipelining = v,
        Setting::SubmitPort(p) => {
            if p != 25 && p != 587 {
                return Err(EditError::new(field, format!("Port: a mail program submits on 587 (submission) or 25 ({p} was given).")));
            }
            if n.server.is_none() && p != 25 {
                return Err(EditError::new(field, "Port: this sending host has no server to submit to; it delivers to the recipients' MX hosts on port 25 (RFC 5321 §5.1)."));
            }
            n.port = Some(p);
        }
        Setting::Dkim(d) => {
            if let Some(d) = &d {
                check_selector(&field, &d.selector)?;
                if n.domains.is_empty() {
                    return Err(EditError::new(field, "DKIM: this server has no domain to sign for (d= is its first domain)."));
                }
            }
            n.dkim = d.map(|d| DkimSigning { selector: d.selector.trim().to_ascii_lowercase(), ..d });
        }
        Setting::Dmarc(v) => n.dmarc = v,
        Setting::BlockedPort { port, blocked } => {
            if port == 0 {
                return Err(EditError::new(field, "Port 0 is not a port."));
            }
            n.blocked_ports.retain(|&p| p != port);
            if blocked {
                n.blocked_ports.push(port);
                n.blocked_ports.sort_unstable();
            }
        }
    }
    Ok(out)
}

/// Checks a DKIM selector as typed (RFC 6376 §3.1: `sub-domain *( "." sub-domain )`).
pub fn check_selector(field: &str, text: &str) -> Result<(), EditError> {
    let t = text.trim();
    if t.is_empty() {
        return Err(EditError::new(
            field,
            "Selector: give a name such as “s2026”; the key is published at <selector>._domainkey.<domain>.",
        ));
    }
    if !crate::sim::dkim::valid_selector(t) {
        return Err(EditError::new(
            field,
            format!("Selector: “{}” is not a DNS name: letters, digits and '-', parts joined by dots (RFC 6376 §3.1).", shown(t)),
        ));
    }
    Ok(())
}

/// Parses a delay typed in whole minutes ("" or "0": none), for "down until" and greylisting.
pub fn parse_minutes(field: &str, what: &str, text: &str) -> Result<Option<Span>, EditError> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    match t.parse::<u64>() {
        Ok(0) => Ok(None),
        Ok(m) if m <= MAX_DELAY.0 / 60_000 => Ok(Some(Span::mins(m))),
        Ok(_) => Err(EditError::new(field, format!("{what}: at most {} minutes.", MAX_DELAY.0 / 60_000))),
        Err(_) => Err(EditError::new(field, format!("{what}: “{}” is not a whole number of minutes.", shown(t)))),
    }
}

/// Parses a SIZE limit typed in octets.
pub fn parse_size(field: &str, text: &str) -> Result<u64, EditError> {
    let t: String = text.trim().chars().filter(|c| *c != '_' && *c != ',' && *c != ' ').collect();
    t.parse::<u64>().map_err(|_| EditError::new(field, format!("Size limit: “{}” is not a whole number of octets.", shown(text.trim()))))
}

// ---------------------------------------------------------------- addresses

/// Checks a bare mailbox (`bob@example.org`) as the SMTP client will put it in `RCPT TO:<…>`
/// (RFC 5321 §4.1.2 `Mailbox`); returns it trimmed, or why it is not one.
pub fn check_mailbox(text: &str) -> Result<String, String> {
    let a = text.trim();
    if a.is_empty() {
        return Err("is empty".into());
    }
    if a.chars().any(char::is_control) {
        return Err(format!("“{}” contains a control character (a line break or tab)", shown(a)));
    }
    if a.len() > 254 {
        return Err(format!("“{}” is longer than 254 characters (RFC 5321 §4.5.3.1)", shown(a)));
    }
    let Some((local, domain)) = a.rsplit_once('@') else {
        return Err(format!("“{}” has no @: write it like bob@example.org", shown(a)));
    };
    if local.is_empty() {
        return Err(format!("“{}” has nothing before the @", shown(a)));
    }
    if domain.is_empty() {
        return Err(format!("“{}” has no domain", shown(a)));
    }
    if !valid_hostname(domain) {
        return Err(format!("“{}”: “{}” is not a domain like example.org", shown(a), shown(domain)));
    }
    if a.contains(['<', '>', ' ']) {
        return Err(format!("“{}” contains a space or an angle bracket", shown(a)));
    }
    match parse::command(format!("RCPT TO:<{a}>").as_bytes()) {
        Ok(_) => Ok(a.to_string()),
        Err(_) => Err(format!("“{}” is not an address SMTP accepts (RFC 5321 §4.1.2: local-part@domain)", shown(a))),
    }
}

/// Checks a header address, bare (`bob@example.org`) or with a display name
/// (`Bob <bob@example.org>`); returns it tidied, or why it cannot be used.
pub fn check_header_address(text: &str) -> Result<String, String> {
    let t = text.trim();
    if t.is_empty() {
        return Err("is empty".into());
    }
    if t.chars().any(char::is_control) {
        return Err(format!("“{}” contains a control character (a line break or tab)", shown(t)));
    }
    match (t.find('<'), t.rfind('>')) {
        (Some(a), Some(b)) if a < b && b == t.len() - 1 => {
            let name = t[..a].trim();
            let addr = check_mailbox(&t[a + 1..b])?;
            // RFC 5322 §3.2.3: specials in a display name would need quoting; keep names plain.
            if let Some(c) = name.chars().find(|c| "\"(),:;<>@[\\]".contains(*c)) {
                return Err(format!("the name in “{}” contains “{c}”: write the name without ( ) , : ; < > @ [ ] \\ or quotes", shown(t)));
            }
            Ok(if name.is_empty() { addr } else { format!("{name} <{addr}>") })
        }
        (None, None) => check_mailbox(t),
        _ => Err(format!("“{}” has unbalanced angle brackets: write Bob <bob@example.org> or just bob@example.org", shown(t))),
    }
}

fn valid_hostname(h: &str) -> bool {
    let h = h.strip_suffix('.').unwrap_or(h);
    !h.is_empty()
        && h.len() <= 253
        && h.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

// ---------------------------------------------------------------- mailboxes

/// Adds a mailbox to server `node`; it must be in one of the server's domains.
pub fn add_mailbox(s: &Scenario, node: &str, address: &str) -> Result<Scenario, EditError> {
    let mut out = s.clone();
    let field = node_field(node, "mailbox-new");
    let n = find_node(&mut out, node, "mailbox-new")?;
    if n.kind != NodeKind::Server {
        return Err(EditError::new(field, format!("{} is a mail program; only servers have mailboxes.", shown(&n.name))));
    }
    let addr = check_mailbox(address).map_err(|why| EditError::new(&field, format!("New mailbox: {why}.")))?;
    let domain = addr.rsplit_once('@').map_or("", |(_, d)| d);
    if !n.domains.iter().any(|d| d.eq_ignore_ascii_case(domain)) {
        let list = if n.domains.is_empty() { "none".to_string() } else { n.domains.join(", ") };
        return Err(EditError::new(field, format!("New mailbox: “{}” is not in this server's domains ({list}).", shown(&addr))));
    }
    if n.mailboxes.iter().any(|m| m.eq_ignore_ascii_case(&addr)) {
        return Err(EditError::new(field, format!("New mailbox: “{}” already exists.", shown(&addr))));
    }
    if n.mailboxes.len() >= MAX_MAILBOXES {
        return Err(EditError::new(field, format!("New mailbox: a server holds at most {MAX_MAILBOXES} mailboxes here.")));
    }
    n.mailboxes.push(addr);
    Ok(out)
}

/// Removes a mailbox (and its "full" fault) from server `node`.
pub fn remove_mailbox(s: &Scenario, node: &str, address: &str) -> Result<Scenario, EditError> {
    let mut out = s.clone();
    let field = node_field(node, "mailboxes");
    // A mail program that reads this mailbox with POP3 or IMAP would be left without it
    // (`policy::account_mailbox`): refuse, and say which one.
    if let Some(server) = s.node(node) {
        if let Some(p) = s.pulls.iter().find(|p| {
            p.server == node && crate::sim::policy::account_mailbox(server, &p.user).is_some_and(|m| m.eq_ignore_ascii_case(address))
        }) {
            let who = s.node(&p.client).map_or(p.client.as_str(), |c| if c.name.is_empty() { c.host.as_str() } else { c.name.as_str() });
            return Err(EditError::new(
                field,
                format!("{who} reads “{}” as “{}”: this mailbox stays while a mail program reads it.", shown(address), shown(&p.user)),
            ));
        }
    }
    let n = find_node(&mut out, node, "mailboxes")?;
    let before = n.mailboxes.len();
    n.mailboxes.retain(|m| !m.eq_ignore_ascii_case(address));
    if n.mailboxes.len() == before {
        return Err(EditError::new(field, format!("“{}” is not one of this server's mailboxes.", shown(address))));
    }
    // What named the mailbox goes with it (`Scenario::validate` refuses a dangling name).
    n.full.retain(|f| !f.mailbox.eq_ignore_ascii_case(address));
    n.full_names.retain(|f| !f.mailbox.eq_ignore_ascii_case(address));
    Ok(out)
}

// ---------------------------------------------------------------- DNS

/// A record type the zone holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RecordType {
    Mx,
    A,
    Aaaa,
    Txt,
}

impl RecordType {
    pub const ALL: [RecordType; 4] = [RecordType::Mx, RecordType::A, RecordType::Aaaa, RecordType::Txt];

    pub fn name(self) -> &'static str {
        match self {
            RecordType::Mx => "MX",
            RecordType::A => "A",
            RecordType::Aaaa => "AAAA",
            RecordType::Txt => "TXT",
        }
    }

    /// The type called `name` (`MX`, `a`, …).
    pub fn from_name(name: &str) -> Option<RecordType> {
        RecordType::ALL.into_iter().find(|t| t.name().eq_ignore_ascii_case(name.trim()))
    }

    /// What the value of this type is, for the value field's hint.
    pub fn value_hint(self) -> &'static str {
        match self {
            RecordType::Mx => "mail server host name (“.” for a null MX)",
            RecordType::A => "IPv4 address, e.g. 192.0.2.25",
            RecordType::Aaaa => "IPv6 address, e.g. 2001:db8::25",
            RecordType::Txt => "text, e.g. v=spf1 ip4:192.0.2.0/24 -all",
        }
    }
}

/// Where a record sits in the zone: its type and its index among records of that type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct RecordRef {
    pub rtype: RecordType,
    pub index: usize,
}

/// One record as the editor shows it. `preference` is only meaningful for MX.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    pub rtype: RecordType,
    pub name: String,
    pub value: String,
    pub preference: u16,
}

/// Every record of the zone, MX first, then A, AAAA, TXT, in file order.
pub fn records(zone: &Zone) -> Vec<(RecordRef, Record)> {
    let mut out = Vec::new();
    for (i, r) in zone.mx.iter().enumerate() {
        out.push((
            RecordRef { rtype: RecordType::Mx, index: i },
            Record { rtype: RecordType::Mx, name: r.domain.clone(), value: r.host.clone(), preference: r.preference },
        ));
    }
    for (i, r) in zone.a.iter().enumerate() {
        out.push((
            RecordRef { rtype: RecordType::A, index: i },
            Record { rtype: RecordType::A, name: r.name.clone(), value: r.address.clone(), preference: 0 },
        ));
    }
    for (i, r) in zone.aaaa.iter().enumerate() {
        out.push((
            RecordRef { rtype: RecordType::Aaaa, index: i },
            Record { rtype: RecordType::Aaaa, name: r.name.clone(), value: r.address.clone(), preference: 0 },
        ));
    }
    for (i, r) in zone.txt.iter().enumerate() {
        out.push((
            RecordRef { rtype: RecordType::Txt, index: i },
            Record { rtype: RecordType::Txt, name: r.name.clone(), value: r.text.clone(), preference: 0 },
        ));
    }
    out
}

/// The key prefix of a record row's fields (`dns-new` for the add form, `dns-mx-0`, …).
pub fn record_field(at: Option<RecordRef>) -> String {
    match at {
        None => "dns-new".into(),
        Some(r) => format!("dns-{}-{}", r.rtype.name().to_ascii_lowercase(), r.index),
    }
}

/// A record as typed in the editor's fields (the preference still text).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RecordInput {
    pub rtype: String,
    pub name: String,
    pub value: String,
    pub preference: String,
}

/// Checks a typed record: the name a host name, the value right for its type.
pub fn check_record(input: &RecordInput, at: Option<RecordRef>) -> Result<Record, EditError> {
    let key = record_field(at);
    let Some(rtype) = RecordType::from_name(&input.rtype) else {
        return Err(EditError::new(format!("{key}-type"), format!("Type: “{}” is not one of MX, A, AAAA, TXT.", shown(&input.rtype))));
    };
    let name = input.name.trim().to_ascii_lowercase();
    if !valid_hostname(&name) {
        let why = if name.is_empty() {
            "give a domain name like example.org".to_string()
        } else {
            format!("“{}” is not a domain name like example.org", shown(&name))
        };
        return Err(EditError::new(format!("{key}-name"), format!("Name: {why}.")));
    }
    let value = input.value.trim();
    let vfield = format!("{key}-value");
    let mut preference = 0;
    let value = match rtype {
        RecordType::Mx => {
            let p = input.preference.trim();
            preference = p.parse::<u16>().map_err(|_| {
                EditError::new(format!("{key}-preference"), format!("Preference: “{}” is not a number from 0 to 65535.", shown(p)))
            })?;
            if value == "." {
                // RFC 7505 §3: a null MX has preference 0 and the exchange ".".
                if preference != 0 {
                    return Err(EditError::new(format!("{key}-preference"), "Preference: a null MX (“.”) has preference 0 (RFC 7505 §3)."));
                }
                ".".to_string()
            } else if valid_hostname(value) {
                value.to_ascii_lowercase()
            } else {
                return Err(EditError::new(
                    vfield,
                    format!("Mail server: “{}” is not a host name like mx.example.org (or “.” for a null MX).", shown(value)),
                ));
            }
        }
        RecordType::A => value
            .parse::<Ipv4Addr>()
            .map(|a| a.to_string())
            .map_err(|_| EditError::new(vfield, format!("Address: “{}” is not an IPv4 address like 192.0.2.25.", shown(value))))?,
        RecordType::Aaaa => value
            .parse::<Ipv6Addr>()
            .map(|a| a.to_string())
            .map_err(|_| EditError::new(vfield, format!("Address: “{}” is not an IPv6 address like 2001:db8::25.", shown(value))))?,
        RecordType::Txt => {
            if value.chars().any(char::is_control) {
                return Err(EditError::new(vfield, "Text: a TXT record is one line, without control characters."));
            }
            if value.len() > 1000 {
                return Err(EditError::new(vfield, "Text: at most 1000 characters here."));
            }
            value.to_string()
        }
    };
    Ok(Record { rtype, name, value, preference })
}

fn zone_len(z: &Zone) -> usize {
    z.mx.len() + z.a.len() + z.aaaa.len() + z.txt.len()
}

fn contains(z: &Zone, r: &Record) -> bool {
    records(z).iter().any(|(_, x)| {
        x.rtype == r.rtype && x.name.eq_ignore_ascii_case(&r.name) && x.value.eq_ignore_ascii_case(&r.value) && x.preference == r.preference
    })
}

fn push(z: &mut Zone, r: Record) {
    match r.rtype {
        RecordType::Mx => z.mx.push(MxRecord { domain: r.name, preference: r.preference, host: r.value }),
        RecordType::A => z.a.push(AddressRecord { name: r.name, address: r.value }),
        RecordType::Aaaa => z.aaaa.push(AddressRecord { name: r.name, address: r.value }),
        RecordType::Txt => z.txt.push(TxtRecord { name: r.name, text: r.value }),
    }
}

/// Adds a record to the zone.
pub fn add_record(s: &Scenario, input: &RecordInput) -> Result<Scenario, EditError> {
    let r = check_record(input, None)?;
    if contains(&s.dns, &r) {
        return Err(EditError::new("dns-new-value", format!("The zone already has this {} record.", r.rtype.name())));
    }
    if zone_len(&s.dns) >= MAX_RECORDS {
        return Err(EditError::new("dns-new-name", format!("The zone holds at most {MAX_RECORDS} records here.")));
    }
    let mut out = s.clone();
    push(&mut out.dns, r);
    Ok(out)
}

fn take(z: &mut Zone, at: RecordRef) -> bool {
    fn rm<T>(v: &mut Vec<T>, i: usize) -> bool {
        if i < v.len() {
            v.remove(i);
            true
        } else {
            false
        }
    }
    match at.rtype {
        RecordType::Mx => rm(&mut z.mx, at.index),
        RecordType::A => rm(&mut z.a, at.index),
        RecordType::Aaaa => rm(&mut z.aaaa, at.index),
        RecordType::Txt => rm(&mut z.txt, at.index),
    }
}

/// Removes the record at `at`.
pub fn remove_record(s: &Scenario, at: RecordRef) -> Result<Scenario, EditError> {
    let mut out = s.clone();
    if !take(&mut out.dns, at) {
        return Err(EditError::new(record_field(Some(at)), "This record is no longer in the zone."));
    }
    Ok(out)
}

/// Replaces the record at `at` (its type may change: it then moves to the end of its new type).
pub fn update_record(s: &Scenario, at: RecordRef, input: &RecordInput) -> Result<Scenario, EditError> {
    let r = check_record(input, Some(at))?;
    let mut out = s.clone();
    if !take(&mut out.dns, at) {
        return Err(EditError::new(record_field(Some(at)), "This record is no longer in the zone."));
    }
    if contains(&out.dns, &r) {
        return Err(EditError::new(
            format!("{}-value", record_field(Some(at))),
            format!("The zone already has this {} record.", r.rtype.name()),
        ));
    }
    if r.rtype == at.rtype {
        // Keep its place, so the list does not jump under the user.
        let v = r.clone();
        match at.rtype {
            RecordType::Mx => out.dns.mx.insert(at.index, MxRecord { domain: v.name, preference: v.preference, host: v.value }),
            RecordType::A => out.dns.a.insert(at.index, AddressRecord { name: v.name, address: v.value }),
            RecordType::Aaaa => out.dns.aaaa.insert(at.index, AddressRecord { name: v.name, address: v.value }),
            RecordType::Txt => out.dns.txt.insert(at.index, TxtRecord { name: v.name, text: v.value }),
        }
    } else {
        push(&mut out.dns, r);
    }
    Ok(out)
}

// ---------------------------------------------------------------- compose

/// A file picked for a composed message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileInput {
    pub name: String,
    /// As the browser reports it (may be empty).
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// The compose form as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Draft {
    /// The id of the client node that sends it.
    pub client: String,
    pub from: String,
    /// Recipients separated by commas (or semicolons, or line breaks).
    pub to: String,
    pub subject: String,
    pub body: String,
    pub attachments: Vec<FileInput>,
}

/// A first draft for `s`: its first mail program, with the From and To of its first message.
pub fn draft_for(s: &Scenario) -> Draft {
    let client = s.nodes.iter().find(|n| n.kind == NodeKind::Client);
    let Some(client) = client else { return Draft::default() };
    let first = s.messages.iter().find(|m| m.client == client.id);
    let from = first
        .map(|m| m.from.clone())
        .unwrap_or_else(|| client.login.as_ref().map(|l| format!("{}@{}", l.user, client.host)).unwrap_or_default());
    let to = first.map(|m| m.to.join(", ")).unwrap_or_default();
    Draft { client: client.id.clone(), from, to, subject: String::new(), body: String::new(), attachments: Vec::new() }
}

/// The mail programs a message can be sent from: `(id, name)`.
pub fn clients(s: &Scenario) -> Vec<(String, String)> {
    s.nodes
        .iter()
        .filter(|n| n.kind == NodeKind::Client)
        .map(|n| (n.id.clone(), if n.name.is_empty() { n.id.clone() } else { n.name.clone() }))
        .collect()
}

/// When a composed message is sent: a minute after the last thing in `trace` happened, so its
/// story follows the scenario's instead of mixing with it.
pub fn send_time(trace: &Trace) -> Span {
    let last = trace.events.last().map_or(0, |e| e.time);
    // Round up to a whole minute, so the time reads simply ("+01:05:00").
    Span((last / 60_000 + 1).saturating_mul(60_000))
}

/// The recipients typed in `to`, split on commas, semicolons and line breaks.
pub fn split_recipients(to: &str) -> Vec<&str> {
    to.split([',', ';', '\n']).map(str::trim).filter(|t| !t.is_empty()).collect()
}

/// A MIME type as browsers report it, if it is a plain `type/subtype` (else the default).
fn clean_content_type(t: &str) -> String {
    let t = t.trim().to_ascii_lowercase();
    let token = |s: &str| !s.is_empty() && s.len() <= 64 && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$&-^_.+".contains(&b));
    match t.split_once('/') {
        Some((a, b)) if token(a) && token(b) => t,
        _ => "application/octet-stream".into(),
    }
}

/// A file name made safe for a header: control characters and path separators become `_`.
pub fn clean_filename(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = base.trim().chars().take(100).map(|c| if c.is_control() { '_' } else { c }).collect();
    if cleaned.is_empty() {
        "attachment".into()
    } else {
        cleaned
    }
}

/// Adds the composed message to the scenario, sent at `at`. Every problem is reported, each
/// with its field, in form order.
pub fn compose(s: &Scenario, draft: &Draft, at: Span) -> Result<Scenario, Vec<EditError>> {
    let mut errors = Vec::new();
    match s.nodes.iter().find(|n| n.id == draft.client) {
        Some(n) if n.kind == NodeKind::Client => {}
        Some(n) => errors.push(EditError::new(
            "compose-client",
            format!("From program: {} is a server; messages are sent by mail programs.", shown(&n.name)),
        )),
        None if draft.client.is_empty() => {
            errors.push(EditError::new("compose-client", "From program: this scenario has no mail program to send from."))
        }
        None => errors.push(EditError::new("compose-client", format!("From program: there is no node “{}”.", shown(&draft.client)))),
    }
    let from = match check_header_address(&draft.from) {
        Ok(f) => Some(f),
        Err(why) => {
            errors.push(EditError::new("compose-from", format!("From: {why}.")));
            None
        }
    };
    let mut to = Vec::new();
    let typed = split_recipients(&draft.to);
    if typed.is_empty() {
        errors.push(EditError::new("compose-to", "To: give at least one recipient, like bob@example.org."));
    } else if typed.len() > MAX_RECIPIENTS {
        errors.push(EditError::new("compose-to", format!("To: at most {MAX_RECIPIENTS} recipients ({} were given).", typed.len())));
    } else {
        for (i, t) in typed.iter().enumerate() {
            match check_header_address(t) {
                Ok(a) => to.push(a),
                Err(why) => {
                    let who = if typed.len() == 1 { "To".to_string() } else { format!("Recipient {}", i + 1) };
                    errors.push(EditError::new("compose-to", format!("{who}: {why}.")));
                }
            }
        }
    }
    let subject = draft.subject.trim();
    if subject.chars().any(char::is_control) {
        errors.push(EditError::new("compose-subject", "Subject: one line only, without control characters."));
    } else if subject.chars().count() > MAX_SUBJECT {
        errors.push(EditError::new("compose-subject", format!("Subject: at most {MAX_SUBJECT} characters.")));
    }
    if draft.body.len() > MAX_BODY {
        errors.push(EditError::new("compose-body", format!("Message: at most {} KB of text.", MAX_BODY / 1024)));
    } else if draft.body.chars().any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t') {
        errors.push(EditError::new("compose-body", "Message: contains control characters that mail cannot carry as text."));
    }
    let total: usize = draft.attachments.iter().map(|a| a.bytes.len()).sum();
    if draft.attachments.len() > MAX_ATTACHMENTS {
        errors.push(EditError::new(
            "compose-attachments",
            format!("Attachments: at most {MAX_ATTACHMENTS} files ({} were picked).", draft.attachments.len()),
        ));
    } else if total > MAX_ATTACHMENT_BYTES {
        let biggest = draft
            .attachments
            .iter()
            .max_by_key(|a| a.bytes.len())
            .map(|a| format!(" (“{}” is {})", shown(&clean_filename(&a.name)), kb(a.bytes.len())))
            .unwrap_or_default();
        errors.push(EditError::new(
            "compose-attachments",
            format!("Attachments: {} together{biggest}; at most {} per message.", kb(total), kb(MAX_ATTACHMENT_BYTES)),
        ));
    }
    if s.messages.len() >= MAX_MESSAGES {
        errors.push(EditError::new(
            "compose-send",
            format!(
                "This scenario already has {} messages; the editor adds at most {MAX_MESSAGES}. Reset to built-in to start again.",
                s.messages.len()
            ),
        ));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let attachments = draft
        .attachments
        .iter()
        .map(|a| AttachmentSpec {
            filename: clean_filename(&a.name),
            content_type: clean_content_type(&a.content_type),
            text: None,
            base64: Some(base64::encode(&a.bytes)),
        })
        .collect();
    let mut out = s.clone();
    out.messages.push(MessageSpec {
        client: draft.client.clone(),
        at,
        from: from.unwrap_or_default(),
        envelope_from: None,
        to,
        cc: Vec::new(),
        subject: subject.to_string(),
        body: draft.body.replace("\r\n", "\n"),
        attachments,
        pad_to: None,
        data: None,
        vrfy: Vec::new(),
        abort_if_refused: false,
        dsn: None,
    });
    Ok(out)
}

/// Removes message `index` (a composed one, or one of the scenario's own).
pub fn remove_message(s: &Scenario, index: usize) -> Result<Scenario, EditError> {
    if index >= s.messages.len() {
        return Err(EditError::new("messages", "This message is no longer in the scenario."));
    }
    let mut out = s.clone();
    out.messages.remove(index);
    Ok(out)
}

/// A byte count for people: "812 bytes", "12.5 KB" (1 KB = 1024 bytes).
pub fn kb(n: usize) -> String {
    if n < 1024 {
        format!("{n} bytes")
    } else if n.is_multiple_of(1024) {
        format!("{} KB", n / 1024)
    } else {
        format!("{:.1} KB", n as f64 / 1024.0)
    }
}
