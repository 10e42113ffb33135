//! Scenario files: the human-writable description of a small mail world (topology, DNS,
//! policies, faults, messages, clock), in TOML, and the built-in library.
//!
//! A scenario is checked in two passes: serde reads the file (unknown fields and bad values
//! are refused by the deserializer), then [`Scenario::validate`] checks what serde cannot
//! (dangling node references, duplicate ids, addresses). Every error carries the file's line
//! and column and the field's path, e.g. `line 14, column 8: node[1].kind: unknown variant …`.
//! The format is documented in `docs/scenario-format.md`.

use serde::{Deserialize, Serialize};

use super::clock::Span;
use super::dns::Zone;

/// A whole scenario file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Short id, `[a-z0-9-]+`, used in URLs and on the command line.
    pub id: String,
    pub title: String,
    /// What the student should learn, one or two sentences.
    pub goal: String,
    /// Seeds every random choice (MX ties); the same seed gives the same trace.
    #[serde(default = "default_seed")]
    pub seed: u64,
    #[serde(default)]
    pub clock: ClockSettings,
    #[serde(rename = "node")]
    pub nodes: Vec<NodeSpec>,
    #[serde(default)]
    pub dns: Zone,
    #[serde(default, rename = "message")]
    pub messages: Vec<MessageSpec>,
    /// Short story lines attached to the first trace event with a matching key.
    #[serde(default, rename = "narration")]
    pub narration: Vec<Narration>,
}

fn default_seed() -> u64 {
    1
}

/// How virtual time behaves.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ClockSettings {
    /// Wall-clock date of virtual time zero, for Date:, Received: and DSN dates.
    pub start: String,
    /// One-way latency of every link.
    pub latency: Span,
    /// Delays between delivery attempts after a temporary failure (RFC 5321 §4.5.4.1 asks
    /// for at least 30 minutes; a demo compresses time). The last delay repeats.
    pub retry: Vec<Span>,
    /// Give up and bounce after the message has been queued this long (§4.5.4.1: 4–5 days).
    pub expire_after: Span,
    /// Send a "delayed" DSN once, when a message has waited this long (RFC 3464 Action: delayed).
    pub delay_warning_after: Option<Span>,
    /// How long a client waits for a connection or a reply before giving up (§4.5.3.2).
    pub timeout: Span,
    /// Loop detection threshold: reject a message with this many `Received:` lines
    /// (RFC 5321 §6.3 suggests at least 100; the demo default is lower and says so).
    pub max_received: usize,
}

impl Default for ClockSettings {
    fn default() -> Self {
        ClockSettings {
            start: "2026-11-28T09:00:00Z".into(),
            latency: Span(20),
            retry: vec![Span::mins(5), Span::mins(15), Span::mins(30)],
            expire_after: Span(4 * 3_600_000),
            delay_warning_after: None,
            timeout: Span::secs(30),
            max_received: 20,
        }
    }
}

/// What a node is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NodeKind {
    /// A mail program (MUA): composes messages and submits them to its configured server.
    Client,
    /// A mail server (MTA): submission server, relay, destination MX, or several of these.
    Server,
}

/// A login, for a client's credentials or a server's accounts (RFC 4954).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Login {
    pub user: String,
    pub password: String,
}

/// A static route that overrides MX lookup: "mail for `domain` goes to `via`".
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StaticRoute {
    pub domain: String,
    pub via: String,
}

/// Mailbox-full behaviour (RFC 3463 X.2.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Fullness {
    /// 452 4.2.2: over quota for now, the sender's server retries.
    Temporary,
    /// 552 5.2.2: over quota, give up.
    Permanent,
}

/// A mailbox that is full.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FullMailbox {
    pub mailbox: String,
    pub kind: Fullness,
}

/// One node of the world. Client-only and server-only fields are checked by `validate`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NodeSpec {
    /// Short id, `[a-z0-9-]+`, unique in the scenario.
    pub id: String,
    pub kind: NodeKind,
    /// Display name ("Alice's laptop", "Relay of example.com").
    #[serde(default)]
    pub name: String,
    /// The node's host name.
    pub host: String,
    /// The node's IP address.
    pub address: String,

    // ---- client (mail program) ----
    /// The host name of the server the mail program submits to.
    #[serde(default)]
    pub server: Option<String>,
    /// The port it connects to: 587 (submission, RFC 6409) or 25.
    #[serde(default)]
    pub port: Option<u16>,
    /// Credentials the mail program uses with AUTH (RFC 4954).
    #[serde(default)]
    pub login: Option<Login>,
    /// The client's network blocks outgoing connections to these ports (ISPs often block 25).
    #[serde(default)]
    pub blocked_ports: Vec<u16>,

    // ---- server (MTA) ----
    /// Ports the server listens on. 25: relay/MX; 587: submission with AUTH.
    #[serde(default)]
    pub ports: Vec<u16>,
    /// Domains this server is the final destination for.
    #[serde(default)]
    pub domains: Vec<String>,
    /// Mailboxes it delivers to (full addresses in `domains`). Postmaster always exists.
    #[serde(default)]
    pub mailboxes: Vec<String>,
    /// Accounts accepted by AUTH PLAIN / LOGIN.
    #[serde(default)]
    pub accounts: Vec<Login>,
    /// Client networks allowed to relay (CIDR, e.g. "192.0.2.0/24").
    #[serde(default)]
    pub relay_from: Vec<String>,
    /// Clients that authenticated may relay (the usual submission rule).
    #[serde(default = "yes")]
    pub relay_authenticated: bool,
    /// Domains this server accepts from anyone and passes on (a backup MX, RFC 5321 §5.1).
    #[serde(default)]
    pub relay_domains: Vec<String>,
    /// Relays for anyone: the misconfiguration spammers look for (RFC 5321 §7.1).
    #[serde(default)]
    pub open_relay: bool,
    /// On port 587, AUTH is required before MAIL (RFC 6409 §4.3).
    #[serde(default = "yes")]
    pub submission_requires_auth: bool,
    /// Server: offers STARTTLS (RFC 3207), simulated. Client: uses it when offered.
    #[serde(default = "yes")]
    pub starttls: bool,
    /// Requires STARTTLS before MAIL (530 5.7.0); fine for submission, wrong for a public MX.
    #[serde(default)]
    pub require_tls: bool,
    /// Advertised SIZE limit in octets (RFC 1870).
    #[serde(default = "default_size_limit")]
    pub size_limit: u64,
    #[serde(default = "yes")]
    pub pipelining: bool,
    /// Checks the sender domain's SPF record (RFC 7208) at MAIL FROM.
    #[serde(default)]
    pub spf: bool,
    /// Greylisting (RFC 6647): refuse the first attempt of each (client, sender, recipient)
    /// with 451 4.7.1 and accept a retry after this long.
    #[serde(default)]
    pub greylist: Option<Span>,
    /// Static routes (tried before MX lookup).
    #[serde(default)]
    pub routes: Vec<StaticRoute>,

    // ---- faults ----
    /// The host is down: connections are refused.
    #[serde(default)]
    pub down: bool,
    /// The host is down until this virtual time, then comes back.
    #[serde(default)]
    pub down_until: Option<Span>,
    /// The host does not answer: connections time out.
    #[serde(default)]
    pub unreachable: bool,
    /// The server greets with 421 and closes (shutting down, §3.8).
    #[serde(default)]
    pub shutting_down: bool,
    /// Mailboxes that are over quota.
    #[serde(default)]
    pub full: Vec<FullMailbox>,
}

fn yes() -> bool {
    true
}

fn default_size_limit() -> u64 {
    10 * 1024 * 1024
}

/// An attachment of a message: text or base64 content.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttachmentSpec {
    pub filename: String,
    #[serde(default = "default_attachment_type")]
    pub content_type: String,
    #[serde(default)]
    pub text: Option<String>,
    #[serde(default)]
    pub base64: Option<String>,
}

fn default_attachment_type() -> String {
    "application/octet-stream".into()
}

/// A message a client sends.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MessageSpec {
    /// The id of the client node that submits it.
    pub client: String,
    /// When the user presses "Send".
    #[serde(default)]
    pub at: Span,
    /// The `From:` header, e.g. `"Alice <alice@example.com>"`.
    pub from: String,
    /// The envelope sender (MAIL FROM); by default the address in `from`. Bounces go here.
    #[serde(default)]
    pub envelope_from: Option<String>,
    pub to: Vec<String>,
    #[serde(default)]
    pub cc: Vec<String>,
    pub subject: String,
    #[serde(default)]
    pub body: String,
    #[serde(default, rename = "attachment")]
    pub attachments: Vec<AttachmentSpec>,
    /// Adds filler lines to the body until the message has about this many octets (to show SIZE).
    #[serde(default)]
    pub pad_to: Option<u64>,
}

/// A line of story told at the first event whose key matches `on`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Narration {
    pub on: String,
    pub text: String,
    /// Only events sent or received by this node (its id) match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node: Option<String>,
}

/// A problem in a scenario file, located.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScenarioError {
    /// 1-based line and column in the file (0 when the problem has no place, e.g. an empty file).
    pub line: usize,
    pub column: usize,
    /// The field's path, e.g. `node[1].kind` (empty for the whole file).
    pub path: String,
    pub message: String,
}

impl std::fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.line > 0 {
            write!(f, "line {}, column {}: ", self.line, self.column)?;
        }
        if !self.path.is_empty() {
            write!(f, "{}: ", self.path)?;
        }
        f.write_str(&self.message)
    }
}

/// A step of a field path.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Seg {
    Key(String),
    Index(usize),
}

fn path_string(path: &[Seg]) -> String {
    let mut s = String::new();
    for seg in path {
        match seg {
            Seg::Key(k) => {
                if !s.is_empty() {
                    s.push('.');
                }
                s.push_str(k);
            }
            Seg::Index(i) => s.push_str(&format!("[{i}]")),
        }
    }
    s
}

/// 1-based line and column of a byte offset (columns count characters).
fn line_col(source: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(source.len());
    let mut at = offset;
    while !source.is_char_boundary(at) {
        at -= 1;
    }
    let before = &source[..at];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// Finds the span of the value at `path` in a TOML document (for errors found after parsing).
fn locate(source: &str, path: &[Seg]) -> Option<std::ops::Range<usize>> {
    use toml::de::{DeTable, DeValue};
    let doc = DeTable::parse(source).ok()?;
    let mut span = doc.span();
    let mut table: Option<&DeTable> = Some(doc.get_ref());
    let mut array: Option<&[toml::Spanned<DeValue>]> = None;
    for seg in path {
        let value = match seg {
            Seg::Key(k) => table?.iter().find(|(key, _)| key.get_ref().as_ref() == k.as_str()).map(|(_, v)| v)?,
            Seg::Index(i) => array?.get(*i)?,
        };
        span = value.span();
        table = None;
        array = None;
        match value.get_ref() {
            DeValue::Table(t) => table = Some(t),
            DeValue::Array(a) => array = Some(a),
            _ => {}
        }
    }
    Some(span)
}

const MAX_SOURCE: usize = 1 << 20;

impl Scenario {
    /// Reads and validates a scenario file. Errors are located (line, column, field path).
    pub fn from_toml(source: &str) -> Result<Scenario, Vec<ScenarioError>> {
        if source.len() > MAX_SOURCE {
            return Err(vec![ScenarioError {
                line: 0,
                column: 0,
                path: String::new(),
                message: format!("the file is {} bytes; scenario files are limited to {MAX_SOURCE} bytes", source.len()),
            }]);
        }
        let de = toml::de::Deserializer::parse(source).map_err(|e| vec![toml_error(source, &e, String::new())])?;
        let scenario: Scenario = serde_path_to_error::deserialize(de).map_err(|e| {
            let path = e.path().to_string();
            let path = if path == "." { String::new() } else { path };
            vec![toml_error(source, e.inner(), path)]
        })?;
        let problems = scenario.problems();
        if problems.is_empty() {
            Ok(scenario)
        } else {
            Err(problems
                .into_iter()
                .map(|(path, message)| {
                    let (line, column) = locate(source, &path).map_or((0, 0), |span| line_col(source, span.start));
                    ScenarioError { line, column, path: path_string(&path), message }
                })
                .collect())
        }
    }

    /// Checks what serde cannot: references, uniqueness, syntax of addresses, limits.
    /// Returns every problem found (not just the first).
    pub fn validate(&self) -> Result<(), Vec<ScenarioError>> {
        let problems = self.problems();
        if problems.is_empty() {
            return Ok(());
        }
        Err(problems
            .into_iter()
            .map(|(path, message)| ScenarioError { line: 0, column: 0, path: path_string(&path), message })
            .collect())
    }

    fn problems(&self) -> Vec<(Vec<Seg>, String)> {
        let mut out: Vec<(Vec<Seg>, String)> = Vec::new();
        let key = |k: &str| Seg::Key(k.to_string());
        let node_path = |i: usize, field: &str| vec![Seg::Key("node".into()), Seg::Index(i), Seg::Key(field.into())];
        if !valid_id(&self.id) {
            out.push((vec![key("id")], format!("{:?} is not a valid id: use lower-case letters, digits and '-'", self.id)));
        }
        if self.nodes.is_empty() {
            out.push((vec![], "a scenario needs at least one [[node]]".into()));
        }
        if self.nodes.len() > 64 {
            out.push((vec![key("node")], format!("{} nodes; at most 64 are supported", self.nodes.len())));
        }
        if self.messages.len() > 100_000 {
            out.push((vec![key("message")], format!("{} messages; at most 100000 are supported", self.messages.len())));
        }
        if let Err(e) = super::date::parse_iso8601_utc(&self.clock.start).ok_or(()) {
            let () = e;
            out.push((vec![key("clock"), key("start")], format!("{:?} is not a date like \"2026-11-28T09:00:00Z\"", self.clock.start)));
        }
        if self.clock.retry.is_empty() {
            out.push((vec![key("clock"), key("retry")], "give at least one retry delay, e.g. [\"5m\"]".into()));
        }
        if self.clock.retry.iter().any(|s| s.0 == 0) {
            out.push((vec![key("clock"), key("retry")], "retry delays must be longer than 0s".into()));
        }
        if self.clock.max_received == 0 {
            out.push((vec![key("clock"), key("max_received")], "must be at least 1".into()));
        }
        for (i, n) in self.nodes.iter().enumerate() {
            if !valid_id(&n.id) {
                out.push((node_path(i, "id"), format!("{:?} is not a valid id: use lower-case letters, digits and '-'", n.id)));
            }
            if let Some(j) = self.nodes[..i].iter().position(|m| m.id == n.id) {
                out.push((node_path(i, "id"), format!("id {:?} is already used by node[{j}]", n.id)));
            }
            if !valid_hostname(&n.host) {
                out.push((node_path(i, "host"), format!("{:?} is not a host name like \"mx.example.org\"", n.host)));
            }
            if parse_ip(&n.address).is_none() {
                out.push((node_path(i, "address"), format!("{:?} is not an IP address like \"192.0.2.25\"", n.address)));
            }
            match n.kind {
                NodeKind::Client => {
                    if n.server.is_none() {
                        out.push((node_path(i, "server"), "a client needs `server`: the host name of the server it submits mail to".into()));
                    }
                    for (field, set) in [
                        ("ports", !n.ports.is_empty()),
                        ("domains", !n.domains.is_empty()),
                        ("mailboxes", !n.mailboxes.is_empty()),
                        ("accounts", !n.accounts.is_empty()),
                        ("relay_from", !n.relay_from.is_empty()),
                        ("routes", !n.routes.is_empty()),
                        ("full", !n.full.is_empty()),
                    ] {
                        if set {
                            out.push((node_path(i, field), format!("`{field}` belongs to servers; node {:?} is a client", n.id)));
                        }
                    }
                }
                NodeKind::Server => {
                    for (field, set) in [("server", n.server.is_some()), ("port", n.port.is_some()), ("login", n.login.is_some())] {
                        if set {
                            out.push((node_path(i, field), format!("`{field}` belongs to clients; node {:?} is a server", n.id)));
                        }
                    }
                    if n.ports.is_empty() {
                        out.push((node_path(i, "ports"), "a server needs at least one port, e.g. [25] or [25, 587]".into()));
                    }
                    for (j, m) in n.mailboxes.iter().enumerate() {
                        let mut p = node_path(i, "mailboxes");
                        p.push(Seg::Index(j));
                        match m.rsplit_once('@') {
                            Some((local, dom)) if !local.is_empty() && n.domains.iter().any(|d| d.eq_ignore_ascii_case(dom)) => {}
                            Some(_) => out.push((p, format!("mailbox {m:?} is not in this server's domains {:?}", n.domains))),
                            None => out.push((p, format!("{m:?} is not an address like \"bob@example.org\""))),
                        }
                    }
                    for (j, net) in n.relay_from.iter().enumerate() {
                        if parse_cidr(net).is_none() {
                            let mut p = node_path(i, "relay_from");
                            p.push(Seg::Index(j));
                            out.push((p, format!("{net:?} is not a network like \"192.0.2.0/24\"")));
                        }
                    }
                    for (j, f) in n.full.iter().enumerate() {
                        if !n.mailboxes.iter().any(|m| m.eq_ignore_ascii_case(&f.mailbox)) {
                            let p = vec![Seg::Key("node".into()), Seg::Index(i), key("full"), Seg::Index(j), key("mailbox")];
                            out.push((p, format!("{:?} is not one of this server's mailboxes", f.mailbox)));
                        }
                    }
                }
            }
        }
        for (i, m) in self.messages.iter().enumerate() {
            let mp = |field: &str| vec![Seg::Key("message".into()), Seg::Index(i), Seg::Key(field.into())];
            match self.nodes.iter().find(|n| n.id == m.client) {
                None => out.push((mp("client"), format!("no node has id {:?} (known: {})", m.client, self.nodes.iter().map(|n| n.id.as_str()).collect::<Vec<_>>().join(", ")))),
                Some(n) if n.kind != NodeKind::Client => out.push((mp("client"), format!("node {:?} is a server; messages are sent by client nodes", m.client))),
                Some(_) => {}
            }
            if m.to.is_empty() && m.cc.is_empty() {
                out.push((mp("to"), "a message needs at least one recipient".into()));
            }
            if m.to.len() + m.cc.len() > 1000 {
                out.push((mp("to"), "at most 1000 recipients per message".into()));
            }
            for (j, a) in m.attachments.iter().enumerate() {
                let ap = vec![Seg::Key("message".into()), Seg::Index(i), key("attachment"), Seg::Index(j)];
                match (&a.text, &a.base64) {
                    (Some(_), Some(_)) => out.push((ap, "give either `text` or `base64`, not both".into())),
                    (None, None) => out.push((ap, "an attachment needs `text` or `base64` content".into())),
                    (None, Some(b)) if super::mime::base64_decode(b).is_err() => {
                        let mut p = ap;
                        p.push(key("base64"));
                        out.push((p, "not valid base64".into()));
                    }
                    _ => {}
                }
            }
            if m.pad_to.is_some_and(|p| p > 64 * 1024 * 1024) {
                out.push((mp("pad_to"), "at most 64 MiB".into()));
            }
        }
        for (i, n) in self.narration.iter().enumerate() {
            if let Some(id) = &n.node {
                if !self.nodes.iter().any(|x| &x.id == id) {
                    out.push((vec![Seg::Key("narration".into()), Seg::Index(i), key("node")], format!("no node has id {id:?}")));
                }
            }
        }
        out
    }

    /// The node with this id.
    pub fn node(&self, id: &str) -> Option<&NodeSpec> {
        self.nodes.iter().find(|n| n.id == id)
    }
}

fn toml_error(source: &str, e: &toml::de::Error, path: String) -> ScenarioError {
    let (line, column) = e.span().map_or((0, 0), |s| line_col(source, s.start));
    ScenarioError { line, column, path, message: e.message().trim().to_string() }
}

fn valid_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 64 && id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

fn valid_hostname(h: &str) -> bool {
    !h.is_empty()
        && h.len() <= 253
        && h.split('.').all(|l| !l.is_empty() && l.len() <= 63 && !l.starts_with('-') && !l.ends_with('-') && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
}

/// Parses an IPv4 or IPv6 address as written (`"192.0.2.1"`, `"2001:db8::1"`).
pub fn parse_ip(s: &str) -> Option<core::net::IpAddr> {
    s.parse().ok()
}

/// Parses `"192.0.2.0/24"` (or a bare address, as /32 or /128).
pub fn parse_cidr(s: &str) -> Option<(core::net::IpAddr, u8)> {
    let (addr, bits) = match s.split_once('/') {
        Some((a, b)) => (a, b.parse::<u8>().ok()?),
        None => (s, if s.contains(':') { 128 } else { 32 }),
    };
    let ip: core::net::IpAddr = addr.parse().ok()?;
    let max = if ip.is_ipv4() { 32 } else { 128 };
    (bits <= max).then_some((ip, bits))
}

/// Is `ip` inside `net`?
pub fn in_network(ip: core::net::IpAddr, net: (core::net::IpAddr, u8)) -> bool {
    use core::net::IpAddr;
    match (ip, net.0) {
        (IpAddr::V4(a), IpAddr::V4(b)) => {
            let mask = if net.1 == 0 { 0 } else { u32::MAX << (32 - net.1 as u32) };
            u32::from(a) & mask == u32::from(b) & mask
        }
        (IpAddr::V6(a), IpAddr::V6(b)) => {
            let mask = if net.1 == 0 { 0 } else { u128::MAX << (128 - net.1 as u32) };
            u128::from(a) & mask == u128::from(b) & mask
        }
        _ => false,
    }
}

/// The built-in scenarios, compiled into the binary: `(id, TOML source)`.
pub const BUILTIN: &[(&str, &str)] = &[
    ("happy-path", include_str!("scenarios/happy-path.toml")),
    ("rfc5321-d1", include_str!("scenarios/rfc5321-d1.toml")),
    ("rfc5321-d3", include_str!("scenarios/rfc5321-d3.toml")),
    ("unknown-user-bounce", include_str!("scenarios/unknown-user-bounce.toml")),
    ("relay-denied", include_str!("scenarios/relay-denied.toml")),
    ("open-relay-spam", include_str!("scenarios/open-relay-spam.toml")),
    ("greylisting-retry", include_str!("scenarios/greylisting-retry.toml")),
    ("destination-down-expiry", include_str!("scenarios/destination-down-expiry.toml")),
    ("mx-fallback", include_str!("scenarios/mx-fallback.toml")),
    ("no-mx-implicit", include_str!("scenarios/no-mx-implicit.toml")),
    ("null-mx", include_str!("scenarios/null-mx.toml")),
    ("nxdomain", include_str!("scenarios/nxdomain.toml")),
    ("message-too-large", include_str!("scenarios/message-too-large.toml")),
    ("mailbox-full", include_str!("scenarios/mailbox-full.toml")),
    ("auth-submission", include_str!("scenarios/auth-submission.toml")),
    ("starttls-required", include_str!("scenarios/starttls-required.toml")),
    ("pipelining", include_str!("scenarios/pipelining.toml")),
    ("spf-spoof", include_str!("scenarios/spf-spoof.toml")),
    ("mail-loop", include_str!("scenarios/mail-loop.toml")),
    ("client-cannot-connect", include_str!("scenarios/client-cannot-connect.toml")),
    ("mime-attachment", include_str!("scenarios/mime-attachment.toml")),
];

/// Loads a built-in scenario by id.
pub fn builtin(id: &str) -> Option<Scenario> {
    BUILTIN.iter().find(|(i, _)| *i == id).and_then(|(_, src)| Scenario::from_toml(src).ok())
}
