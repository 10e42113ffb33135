//! Scenario files: the human-writable description of a small mail world (topology, DNS,
//! policies, faults, messages, clock), in TOML, and the built-in library. The data types are in
//! `spec.rs` (re-exported here).
//!
//! The built-ins are checked and converted to postcard by `build.rs` at build time, so the page
//! (wasm) loads them without a TOML parser; the TOML reader [`Scenario::from_toml`] is native only
//! (the CLI's `run FILE` and `check FILE`, the tests).
//!
//! A scenario is checked in two passes: serde reads the file (unknown fields and bad values
//! are refused by the deserializer), then [`Scenario::validate`] checks what serde cannot
//! (dangling node references, duplicate ids, addresses). Every error carries the file's line
//! and column and the field's path, e.g. `line 14, column 8: node[1].kind: unknown variant …`.
//! The format is documented in `docs/scenario-format.md`.

use serde::{Deserialize, Serialize};

pub use super::spec::*;

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

/// A step of a field path (shared with lesson files, `lesson::mod`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Seg {
    Key(String),
    Index(usize),
}

pub(crate) fn path_string(path: &[Seg]) -> String {
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

#[cfg(not(target_arch = "wasm32"))]
/// 1-based line and column of a byte offset (columns count characters).
pub(crate) fn line_col(source: &str, offset: usize) -> (usize, usize) {
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

#[cfg(not(target_arch = "wasm32"))]
/// Finds the span of the value at `path` in a TOML document (for errors found after parsing).
pub(crate) fn locate(source: &str, path: &[Seg]) -> Option<std::ops::Range<usize>> {
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

#[cfg(not(target_arch = "wasm32"))]
const MAX_SOURCE: usize = 1 << 20;

impl Scenario {
    /// Reads and validates a scenario file. Errors are located (line, column, field path).
    /// Native only: the page gets its built-ins precompiled (see [`builtin`]) and carries edited
    /// scenarios in share links as postcard, so the wasm build has no TOML parser.
    #[cfg(not(target_arch = "wasm32"))]
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
        Err(problems.into_iter().map(|(path, message)| ScenarioError { line: 0, column: 0, path: path_string(&path), message }).collect())
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
                    // Without `server` the client is a sending host that delivers by MX itself
                    // (RFC 5321 §5.1, as in Appendix D): port 25, one destination domain.
                    if n.server.is_none() && n.port.is_some_and(|p| p != 25) {
                        out.push((
                            node_path(i, "port"),
                            "a client without `server` sends to the recipients' MX hosts, on port 25; give `server` to submit elsewhere"
                                .into(),
                        ));
                    }
                    for (field, set) in [
                        ("ports", !n.ports.is_empty()),
                        ("domains", !n.domains.is_empty()),
                        ("mailboxes", !n.mailboxes.is_empty()),
                        ("accounts", !n.accounts.is_empty()),
                        ("relay_from", !n.relay_from.is_empty()),
                        ("routes", !n.routes.is_empty()),
                        ("full", !n.full.is_empty()),
                        ("replies", !n.replies.is_empty()),
                        ("extensions", n.extensions.is_some()),
                        ("received", n.received.is_some()),
                        ("full_names", !n.full_names.is_empty()),
                        ("dkim", n.dkim.is_some()),
                        ("dmarc", n.dmarc),
                        ("forward", !n.forward.is_empty()),
                        ("lists", !n.lists.is_empty()),
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
                    wording_problems(i, n, &mut out);
                    authentication_problems(i, n, &mut out);
                }
            }
        }
        for (i, m) in self.messages.iter().enumerate() {
            let mp = |field: &str| vec![Seg::Key("message".into()), Seg::Index(i), Seg::Key(field.into())];
            match self.nodes.iter().find(|n| n.id == m.client) {
                None => out.push((
                    mp("client"),
                    format!(
                        "no node has id {:?} (known: {})",
                        m.client,
                        self.nodes.iter().map(|n| n.id.as_str()).collect::<Vec<_>>().join(", ")
                    ),
                )),
                Some(n) if n.kind != NodeKind::Client => {
                    out.push((mp("client"), format!("node {:?} is a server; messages are sent by client nodes", m.client)))
                }
                Some(_) => {}
            }
            if m.to.is_empty() && m.cc.is_empty() {
                out.push((mp("to"), "a message needs at least one recipient".into()));
            }
            if let Some(n) = self.nodes.iter().find(|n| n.id == m.client && n.kind == NodeKind::Client && n.server.is_none()) {
                let domain = |a: &String| super::policy::domain_of(&super::world::addr_of(a)).to_ascii_lowercase();
                let mut domains: Vec<String> = m.to.iter().chain(m.cc.iter()).map(domain).collect();
                domains.sort();
                domains.dedup();
                if domains.len() > 1 {
                    out.push((
                        mp("to"),
                        format!(
                            "{:?} has no `server`, so it delivers to one domain's MX hosts itself; these recipients are in {}",
                            n.id,
                            domains.join(", ")
                        ),
                    ));
                }
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
            if let Some(data) = &m.data {
                for (field, set) in [
                    ("subject", !m.subject.is_empty()),
                    ("body", !m.body.is_empty()),
                    ("attachment", !m.attachments.is_empty()),
                    ("pad_to", m.pad_to.is_some()),
                ] {
                    if set {
                        out.push((mp(field), "`data` is the whole message; leave this out (write it in `data`)".into()));
                    }
                }
                if data.trim().is_empty() || data.len() > 64 * 1024 * 1024 {
                    out.push((mp("data"), "give the message text, at most 64 MiB".into()));
                }
            }
            for (j, v) in m.vrfy.iter().enumerate() {
                // RFC 5321 §4.1.1.6: VRFY SP String CRLF.
                if v.trim().is_empty() || v.len() > 256 || v.chars().any(char::is_control) {
                    let mut p = mp("vrfy");
                    p.push(Seg::Index(j));
                    out.push((p, "a user name or address on one line, 1 to 256 characters".into()));
                }
            }
            if m.pad_to.is_some_and(|p| p > 64 * 1024 * 1024) {
                out.push((mp("pad_to"), "at most 64 MiB".into()));
            }
            if let Some(d) = &m.dsn {
                let mut p = mp("dsn");
                p.push(key("notify"));
                // RFC 3461 §4.1: "NEVER" / 1#( "SUCCESS" / "FAILURE" / "DELAY" ).
                if d.notify.contains(&DsnNotify::Never) && d.notify.len() > 1 {
                    out.push((p.clone(), "\"never\" must stand alone (RFC 3461 §4.1)".into()));
                }
                if (1..d.notify.len()).any(|k| d.notify[..k].contains(&d.notify[k])) {
                    out.push((p, "each value may appear once (RFC 3461 §4.1)".into()));
                }
                // RFC 3461 §4.4: ENVID is at most 100 characters of printable ASCII.
                if d.envid.as_ref().is_some_and(|e| e.is_empty() || e.len() > 100 || !e.bytes().all(|b| (0x20..0x7f).contains(&b))) {
                    let mut p = mp("dsn");
                    p.push(key("envid"));
                    out.push((p, "1 to 100 printable ASCII characters (RFC 3461 §4.4)".into()));
                }
            }
        }
        self.pull_problems(&mut out);
        for (i, n) in self.narration.iter().enumerate() {
            if let Some(id) = &n.node {
                if !self.nodes.iter().any(|x| &x.id == id) {
                    out.push((vec![Seg::Key("narration".into()), Seg::Index(i), key("node")], format!("no node has id {id:?}")));
                }
            }
        }
        out
    }

    /// Problems of the `[[pull]]` mail programs: a client node reads from a server node that
    /// offers the protocol (`policy::serves_pop3`/`serves_imap`), as an account that
    /// `policy::account_mailbox` maps to one of its mailboxes, at times inside the run.
    fn pull_problems(&self, out: &mut Vec<(Vec<Seg>, String)>) {
        if self.pulls.len() > 64 {
            out.push((vec![Seg::Key("pull".into())], format!("{} pull clients; at most 64 are supported", self.pulls.len())));
        }
        let known = || self.nodes.iter().map(|n| n.id.as_str()).collect::<Vec<_>>().join(", ");
        for (i, p) in self.pulls.iter().enumerate() {
            let pp = |field: &str| vec![Seg::Key("pull".into()), Seg::Index(i), Seg::Key(field.into())];
            match self.node(&p.client) {
                None => out.push((pp("client"), format!("no node has id {:?} (known: {})", p.client, known()))),
                Some(n) if n.kind != NodeKind::Client => {
                    out.push((pp("client"), format!("node {:?} is a server; mail is read by client nodes (mail programs)", p.client)))
                }
                Some(_) => {}
            }
            let (port, name) = match p.protocol {
                PullProtocol::Pop3 => (110, "POP3"),
                PullProtocol::Imap => (143, "IMAP"),
            };
            match self.node(&p.server) {
                None => out.push((pp("server"), format!("no node has id {:?} (known: {})", p.server, known()))),
                Some(n) if n.kind != NodeKind::Server => {
                    out.push((pp("server"), format!("node {:?} is a client; mail is read from a server node", p.server)))
                }
                Some(n) => {
                    let serves = match p.protocol {
                        PullProtocol::Pop3 => super::policy::serves_pop3(n),
                        PullProtocol::Imap => super::policy::serves_imap(n),
                    };
                    if !serves {
                        out.push((
                            pp("protocol"),
                            format!("node {:?} does not serve {name}: add {port} to its `ports` (RFC 1939 §3 / RFC 9051 §2.1)", p.server),
                        ));
                    }
                    if super::policy::account_mailbox(n, &p.user).is_none() {
                        out.push((
                            pp("user"),
                            format!(
                                "{:?} names no mailbox of node {:?} (a user is an address in its `mailboxes`, or a name at its first domain; mailboxes: {})",
                                p.user,
                                p.server,
                                n.mailboxes.join(", ")
                            ),
                        ));
                    }
                }
            }
            // What goes on the wire must be one line of printable text (no command injection).
            for (field, v) in [("user", &p.user), ("password", &p.password)] {
                if v.is_empty() || v.len() > 128 || v.chars().any(|c| c.is_control() || c == ' ') {
                    out.push((pp(field), "1 to 128 characters on one line, without spaces".into()));
                }
            }
            if p.at.is_empty() {
                out.push((pp("at"), "give at least one time to check for mail, e.g. [\"2m\"]".into()));
            }
            if p.at.len() > 100 {
                out.push((pp("at"), format!("{} times; at most 100 are supported", p.at.len())));
            }
            if let Some(k) = p.at.iter().position(|t| t.0 > MAX_PULL_TIME.0) {
                let mut path = pp("at");
                path.push(Seg::Index(k));
                out.push((path, format!("{} is after the end of every run ({MAX_PULL_TIME})", p.at[k])));
            }
            if p.protocol == PullProtocol::Imap {
                for (field, set) in [("leave_on_server", p.leave_on_server), ("login", p.login != PullLogin::User)] {
                    if set {
                        out.push((pp(field), format!("`{field}` is for POP3; IMAP leaves mail on the server and logs in with LOGIN")));
                    }
                }
            } else {
                for (field, set) in [("fetch", p.fetch != PullPart::Whole), ("idle", p.idle.is_some())] {
                    if set {
                        out.push((pp(field), format!("`{field}` is for IMAP; POP3 always downloads whole messages")));
                    }
                }
            }
            if let Some(idle) = p.idle {
                if idle.0 == 0 || idle.0 > 86_400_000 {
                    out.push((pp("idle"), "from 1s to 1d (RFC 2177 §3: clients re-issue IDLE at least every 29 minutes)".into()));
                }
            }
        }
    }

    /// The node with this id.
    pub fn node(&self, id: &str) -> Option<&NodeSpec> {
        self.nodes.iter().find(|n| n.id == id)
    }
}

/// The latest time a pull client may check for mail: the world stops at 60 days (`world.rs`).
pub const MAX_PULL_TIME: super::clock::Span = super::clock::Span(59 * 86_400_000);

/// The EHLO keywords a server node can list in `extensions` (what its session implements).
pub const EXTENSION_KEYWORDS: &[&str] =
    &["PIPELINING", "SIZE", "8BITMIME", "ENHANCEDSTATUSCODES", "SMTPUTF8", "DSN", "STARTTLS", "AUTH", "VRFY", "HELP"];

/// Problems of a server node's `dkim`, `forward` and `lists`: what would end up in a header
/// field or an envelope must be a selector, an address, one line.
fn authentication_problems(i: usize, n: &NodeSpec, out: &mut Vec<(Vec<Seg>, String)>) {
    let key = |k: &str| Seg::Key(k.to_string());
    let path = |parts: &[Seg]| {
        let mut p = vec![Seg::Key("node".into()), Seg::Index(i)];
        p.extend_from_slice(parts);
        p
    };
    let address = |a: &str| {
        matches!(a.rsplit_once('@'), Some((l, d)) if !l.is_empty() && valid_hostname(d))
            && !a.contains(|c: char| c.is_whitespace() || c.is_control() || c == '<' || c == '>')
    };
    if let Some(d) = &n.dkim {
        if !super::dkim::valid_selector(&d.selector) {
            out.push((
                path(&[key("dkim"), key("selector")]),
                format!(
                    "{:?} is not a selector like \"s2026\": DNS labels of letters, digits and '-', joined by dots (RFC 6376 §3.1)",
                    d.selector
                ),
            ));
        }
        if n.domains.is_empty() {
            out.push((path(&[key("dkim")]), "a signer signs for its first domain (d=): give the server `domains`".into()));
        }
    }
    let ours = |a: &str| matches!(a.rsplit_once('@'), Some((l, d)) if !l.is_empty() && n.domains.iter().any(|x| x.eq_ignore_ascii_case(d)));
    for (j, f) in n.forward.iter().enumerate() {
        if !ours(&f.from) {
            out.push((
                path(&[key("forward"), Seg::Index(j), key("from")]),
                format!("{:?} is not an address in this server's domains {:?}", f.from, n.domains),
            ));
        }
        if !address(&f.to) {
            out.push((path(&[key("forward"), Seg::Index(j), key("to")]), format!("{:?} is not an address like \"bob@example.org\"", f.to)));
        }
    }
    for (j, l) in n.lists.iter().enumerate() {
        if !ours(&l.address) {
            out.push((
                path(&[key("lists"), Seg::Index(j), key("address")]),
                format!("{:?} is not an address in this server's domains {:?}", l.address, n.domains),
            ));
        }
        if l.members.is_empty() || l.members.len() > 100 {
            out.push((path(&[key("lists"), Seg::Index(j), key("members")]), "give 1 to 100 member addresses".into()));
        }
        for (k, m) in l.members.iter().enumerate() {
            if !address(m) {
                out.push((
                    path(&[key("lists"), Seg::Index(j), key("members"), Seg::Index(k)]),
                    format!("{m:?} is not an address like \"bob@example.org\""),
                ));
            }
        }
        if l.subject_prefix.chars().any(char::is_control) || l.subject_prefix.len() > 100 {
            out.push((
                path(&[key("lists"), Seg::Index(j), key("subject_prefix")]),
                "one line of text, at most 100 characters (it goes into the Subject: field)".into(),
            ));
        }
        if l.footer.chars().any(|c| c.is_control() && c != '\n') || l.footer.len() > 2000 {
            out.push((
                path(&[key("lists"), Seg::Index(j), key("footer")]),
                "text lines without control characters, at most 2000 characters".into(),
            ));
        }
    }
}

/// Problems of a server node's `replies`, `extensions`, `received` and `full_names`.
fn wording_problems(i: usize, n: &NodeSpec, out: &mut Vec<(Vec<Seg>, String)>) {
    let key = |k: &str| Seg::Key(k.to_string());
    let at = |field: &str, k: Seg| vec![Seg::Key("node".into()), Seg::Index(i), key(field), k];
    for (k, text) in &n.replies {
        let Some(spec) = crate::smtp::catalogue::reply_spec(k) else {
            out.push((
                at("replies", Seg::Key(k.clone())),
                format!("{k:?} is not a catalogue key (`smtp-sim explain` lists them, e.g. \"mail\", \"rcpt.unknown_user\")"),
            ));
            continue;
        };
        let holes = |t: &str| t.matches("{}").count();
        if holes(text) > holes(spec.text) {
            out.push((
                at("replies", Seg::Key(k.clone())),
                format!("{} `{{}}` here, but the server fills only {} for this reply ({:?})", holes(text), holes(spec.text), spec.text),
            ));
        }
        if text.chars().any(char::is_control) || text.len() > 200 {
            out.push((at("replies", Seg::Key(k.clone())), "one line of text, at most 200 characters".into()));
        }
    }
    if let Some(list) = &n.extensions {
        for (j, line) in list.iter().enumerate() {
            let keyword = line.split(' ').next().unwrap_or("");
            let size_ok = match line.strip_prefix("SIZE ") {
                Some(limit) => limit.parse::<u64>().ok() == Some(n.size_limit),
                None => true,
            };
            if !EXTENSION_KEYWORDS.contains(&keyword) || (keyword != "SIZE" && line != keyword) {
                out.push((at("extensions", Seg::Index(j)), format!("{line:?} is not one of {}", EXTENSION_KEYWORDS.join(", "))));
            } else if !size_ok {
                out.push((
                    at("extensions", Seg::Index(j)),
                    format!("write \"SIZE\" (no fixed limit, RFC 1870 §4) or \"SIZE {}\" (the node's size_limit)", n.size_limit),
                ));
            } else if list[..j].iter().any(|l| l.split(' ').next() == Some(keyword)) {
                out.push((at("extensions", Seg::Index(j)), format!("{keyword} is listed twice")));
            }
        }
    }
    if let Some(t) = &n.received {
        let mut rest = t.replace("{helo}", "").replace("{client_host}", "").replace("{client_address}", "").replace("{host}", "");
        rest = rest.replace("{with}", "").replace("{id}", "").replace("{date}", "").replace("{date_day}", "").replace("{date_time}", "");
        let p = vec![Seg::Key("node".into()), Seg::Index(i), key("received")];
        if t.trim().is_empty() || t.starts_with([' ', '\t']) || t.len() > 900 {
            out.push((p, "a Received: value such as \"from {helo} by {host} ; {date}\"".into()));
        } else if rest.contains(['{', '}']) {
            out.push((p, "unknown placeholder: use {helo}, {client_host}, {client_address}, {host}, {with}, {id}, {date} (or {date_day} and {date_time})".into()));
        } else if t.chars().any(|c| c.is_control() && c != '\n') || t.lines().any(|l| l.trim().is_empty()) {
            out.push((p, "no control characters and no empty lines (an empty line would end the header)".into()));
        }
    }
    for (j, f) in n.full_names.iter().enumerate() {
        if !n.mailboxes.iter().any(|m| m.eq_ignore_ascii_case(&f.mailbox)) {
            let p = vec![Seg::Key("node".into()), Seg::Index(i), key("full_names"), Seg::Index(j), key("mailbox")];
            out.push((p, format!("{:?} is not one of this server's mailboxes", f.mailbox)));
        }
        if f.name.trim().is_empty() || f.name.chars().any(|c| c.is_control() || c == '<' || c == '>') {
            let p = vec![Seg::Key("node".into()), Seg::Index(i), key("full_names"), Seg::Index(j), key("name")];
            out.push((p, "a name on one line, without < or >".into()));
        }
    }
}

#[cfg(not(target_arch = "wasm32"))]
pub(crate) fn toml_error(source: &str, e: &toml::de::Error, path: String) -> ScenarioError {
    let (line, column) = e.span().map_or((0, 0), |s| line_col(source, s.start));
    ScenarioError { line, column, path, message: e.message().trim().to_string() }
}

pub(crate) fn valid_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 64 && id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

fn valid_hostname(h: &str) -> bool {
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

// Generated by build.rs from src/sim/scenarios/*.toml (the list and its order are in build.rs):
// `BUILTIN_IDS`, `BUILTIN_PACKED` (each built-in as postcard, checked and converted at build
// time) and, natively, `BUILTIN` as `(id, TOML source)`.
include!(concat!(env!("OUT_DIR"), "/builtin.rs"));

/// The built-in scenarios in the library's order, `(id, postcard form)`. Natively `BUILTIN` is
/// `(id, TOML source)` instead, for the tools and tests that read the files; code that runs on
/// both targets uses only the id (`for (id, _) in BUILTIN`).
#[cfg(target_arch = "wasm32")]
pub const BUILTIN: &[(&str, &[u8])] = BUILTIN_PACKED;

/// Loads a built-in scenario by id, from the form build.rs precompiled (no TOML parsing at run
/// time; `tests/sim_scenario.rs` checks that each one equals its TOML file read by `from_toml`).
pub fn builtin(id: &str) -> Option<Scenario> {
    BUILTIN_PACKED.iter().find(|(i, _)| *i == id).and_then(|(_, packed)| postcard::from_bytes(packed).ok())
}
