//! The "be the client" console: the student types SMTP lines to one server node of the current
//! scenario, as with telnet, and sees each reply with its explanation and the session state.
//!
//! The server is the real [`ServerSession`] with the node's real configuration and decisions
//! ([`policy::server_config`] and [`policy::NodePolicy`], exactly what the world uses), so what
//! the console shows and what the simulation does cannot disagree. The console does not run the
//! rest of the network: when the server accepts a message it only says where the message would
//! go (a mailbox on this node, or the queue for relaying).
//!
//! Everything here is text. Hostile input (long lines, control characters, markup, invalid
//! UTF-8) gets the server's proper reply; the console never builds HTML — the UI shows text as
//! text. [`Console::hints`] is derived from [`state::TRANSITIONS`], [`state::SEQUENCE_RULES`]
//! and the catalogue's command syntax, so the hints and the behaviour cannot drift apart.

use std::collections::BTreeMap;

use core::net::IpAddr;
use serde::Serialize;

use crate::smtp::address::{ForwardPath, ReversePath};
use crate::smtp::base64;
use crate::smtp::catalogue;
use crate::smtp::command::Verb;
use crate::smtp::event::ServerEvent;
use crate::smtp::reply::ReplyClass;
use crate::smtp::server::{ServerSession, VrfyMode};
use crate::smtp::state::{self, State, Trigger};

use super::clock::{format_time, Millis};
use super::dns::Zone;
use super::policy::{self, domain_of, NodePolicy};
use super::scenario::{parse_ip, NodeKind, NodeSpec, Scenario};

/// The address the student connects from when the scenario has no client node.
pub const DEFAULT_ADDRESS: &str = "192.0.2.99";
/// The host name the student's machine has when it is not the scenario's first client.
const DEFAULT_HOST: &str = "console.example";
/// Commands that ask for more (`BDAT` octets, message lines) are bounded anyway by the session;
/// this only caps what one pasted block may contain, so a huge paste stays responsive.
const MAX_LINES_PER_PASTE: usize = 10_000;

/// One step of the conversation: what the student sent (if anything) and the server's reply
/// (if any), with its teaching text. A line that gets no reply (a message line after 354) is an
/// entry with `reply: None`; a line that gets two replies (a refusal, then 421 for too many
/// errors) gives two entries, the second with `sent: None`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ConsoleEntry {
    /// What the student typed, with CR LF made visible as `␍␊` and other control characters as
    /// their Unicode control pictures (`␀`, `␉`, …).
    pub sent: Option<String>,
    /// The raw reply lines, each ending in a visible `␍␊`, joined by `\n`.
    pub reply: Option<String>,
    pub code: Option<u16>,
    /// The catalogue key of the reply (e.g. `"seq.need_mail"`).
    pub key: Option<&'static str>,
    /// The reply's class; the views show its words ("done", "go on", …), never colour alone.
    pub class: Option<ReplyClass>,
    /// The catalogue's meaning and why of the reply (empty without a reply).
    pub explanation: String,
    /// Where the rule lives, e.g. `"RFC 5321 §4.1.4, §3.3"` (empty without a reply).
    pub rfc: String,
    pub state_before: State,
    pub state_after: State,
    /// What to do next or what just happened beyond the reply itself.
    pub note: Option<String>,
}

impl ConsoleEntry {
    /// An entry without a reply: what was sent (if anything), the state change, and a note.
    fn without_reply(sent: Option<String>, state_before: State, state_after: State, note: Option<String>) -> ConsoleEntry {
        ConsoleEntry {
            sent,
            reply: None,
            code: None,
            key: None,
            class: None,
            explanation: String::new(),
            rfc: String::new(),
            state_before,
            state_after,
            note,
        }
    }
}

/// What a `dmarc = true` server checked at the end of the data the student typed, one note per
/// verdict with its reason (the same facts the world's trace carries).
fn auth_notes(a: &crate::sim::trace::AuthChecks) -> Vec<String> {
    let mut out = Vec::new();
    if a.dkim.is_empty() {
        out.push("DKIM check (RFC 6376 §6): none — the message carries no DKIM-Signature: field.".to_string());
    }
    for d in &a.dkim {
        out.push(format!("DKIM check (RFC 6376 §6): {} for d={} s={}: {}", d.result.as_str(), d.domain, d.selector, d.reason));
    }
    match &a.dmarc {
        Some(d) => out.push(format!("DMARC check (RFC 7489 §6.6): {} for From: {}: {}", d.result.as_str(), d.from_domain, d.reason)),
        None if !a.note.is_empty() => out.push(format!("DMARC not checked: {}", a.note)),
        None => {}
    }
    out.push(format!("The server adds {} (RFC 8601).", a.header.trim_end()));
    out
}

/// A command that is valid now, for the hint list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Hint {
    /// A template, e.g. `"MAIL FROM:<you@example.com>"`.
    pub command: &'static str,
    /// The same command filled in for this scenario (a real mailbox, the node's account, …).
    pub example: String,
    /// The grammar from the catalogue, e.g. `"MAIL FROM:<reverse-path> [SP Mail-parameters] CRLF"`.
    pub syntax: &'static str,
    /// What it does here, and where it leads (from the transition table).
    pub why: String,
    pub rfc: &'static str,
    /// The state a positive reply leads to, from [`state::TRANSITIONS`] (`None`: the state stays).
    pub leads_to: Option<State>,
}

/// Where an accepted message would go (the console does not run the rest of the world).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum Destination {
    /// Stored in a mailbox on this node.
    Mailbox(String),
    /// Queued on this node for relaying to the mail server of `domain`.
    Relay { domain: String, rcpts: Vec<String> },
}

/// A message the server accepted during this console's connections.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Accepted {
    /// The envelope sender (`""` for the null reverse-path `<>`).
    pub from: String,
    pub rcpts: Vec<String>,
    /// The message as the server stored it (dot-unstuffed), lossily decoded for display.
    pub data: String,
    pub destinations: Vec<Destination>,
}

/// A telnet-like session with one server node.
#[derive(Debug)]
pub struct Console {
    node: NodeSpec,
    port: u16,
    zone: Zone,
    max_received: usize,
    /// The student's address and host name, as the server sees them.
    address: String,
    host: String,
    /// Whose address it is, for the transcript (e.g. "alice, the scenario's first client").
    address_origin: String,
    example_from: String,
    session: ServerSession,
    /// Virtual time: one round trip per line; advanced by [`Console::wait`].
    now: Millis,
    /// The scenario's `clock.start` in seconds since 1970: the calendar of DKIM `x=` (RFC 6376
    /// §3.5) for a DMARC-checking server, as in the world.
    epoch: i64,
    latency: Millis,
    /// Greylisting memory of the node; survives [`Console::reset`] so that a retry can pass.
    greylist: BTreeMap<(String, String, String), Millis>,
    transcript: Vec<ConsoleEntry>,
    greeting_len: usize,
    history: Vec<String>,
    accepted: Vec<Accepted>,
    refused_connection: bool,
}

impl Console {
    /// Connect to server node `node_id` of `scenario` on `port`, from the scenario's first
    /// client's address (else [`DEFAULT_ADDRESS`]).
    pub fn new(scenario: &Scenario, node_id: &str, port: u16) -> Result<Console, String> {
        let servers: Vec<&NodeSpec> = scenario.nodes.iter().filter(|n| n.kind == NodeKind::Server).collect();
        let list = || servers.iter().map(|n| format!("{} (ports {})", n.id, ports(&n.ports))).collect::<Vec<_>>().join(", ");
        let node = match scenario.node(node_id) {
            None => return Err(format!("scenario {:?} has no node {node_id:?}; its server nodes are: {}", scenario.id, list())),
            Some(n) if n.kind != NodeKind::Server => {
                return Err(format!("node {node_id:?} is a client (a mail program), not a server; the server nodes are: {}", list()));
            }
            Some(n) => n,
        };
        if !node.ports.contains(&port) {
            return Err(format!("node {node_id:?} ({}) does not listen on port {port}; it listens on {}", node.host, ports(&node.ports)));
        }
        if !super::policy::smtp_ports(node).contains(&port) {
            // RFC 1939 §3: POP3 on 110; RFC 9051 §2.1: IMAP on 143.
            let what = if port == 110 { "POP3" } else { "IMAP" };
            return Err(format!(
                "port {port} of node {node_id:?} speaks {what}, not SMTP; this console speaks SMTP on {}",
                ports(&super::policy::smtp_ports(node))
            ));
        }
        let first_client = scenario.nodes.iter().find(|n| n.kind == NodeKind::Client);
        let (address, host, origin) = match first_client {
            Some(c) => (c.address.clone(), c.host.clone(), format!("the address of {}, the scenario's first client", c.id)),
            None => (
                DEFAULT_ADDRESS.to_string(),
                DEFAULT_HOST.to_string(),
                "the console's default address (the scenario has no client)".to_string(),
            ),
        };
        let example_from = first_client
            .and_then(|c| scenario.messages.iter().find(|m| m.client == c.id))
            .map(|m| m.envelope_from.clone().unwrap_or_else(|| addr_of(&m.from)))
            .unwrap_or_else(|| "you@example.com".to_string());
        let config = policy::server_config(node, port);
        let mut console = Console {
            node: node.clone(),
            port,
            zone: scenario.dns.clone(),
            max_received: scenario.clock.max_received,
            address,
            host,
            address_origin: origin,
            example_from,
            session: ServerSession::new(config),
            now: 0,
            epoch: super::date::parse_iso8601_utc(&scenario.clock.start).unwrap_or(0),
            latency: scenario.clock.latency.0,
            greylist: BTreeMap::new(),
            transcript: Vec::new(),
            greeting_len: 0,
            history: Vec::new(),
            accepted: Vec::new(),
            refused_connection: false,
        };
        console.connect();
        Ok(console)
    }

    /// Connect from another address instead (a new connection). Relay permission depends on it.
    pub fn with_address(mut self, address: &str) -> Result<Console, String> {
        let address = address.trim();
        if parse_ip(address).is_none() {
            return Err(format!("{address:?} is not an IP address like \"192.0.2.10\" or \"2001:db8::1\""));
        }
        self.address = address.to_string();
        self.host = DEFAULT_HOST.to_string();
        self.address_origin = "the address you chose".to_string();
        self.connect();
        Ok(self)
    }

    /// A new connection: a fresh session with the same node (history, the node's greylisting
    /// memory, accepted messages and virtual time are kept).
    pub fn reset(&mut self) {
        self.connect();
    }

    /// Let virtual time pass (e.g. to retry after greylisting).
    pub fn wait(&mut self, millis: Millis) {
        self.now = self.now.saturating_add(millis);
    }

    /// The virtual time of the console, in ms since the scenario's start.
    pub fn now(&self) -> Millis {
        self.now
    }

    /// The entries shown when the connection opened (the server speaks first).
    pub fn greeting(&self) -> &[ConsoleEntry] {
        &self.transcript[..self.greeting_len]
    }

    /// Every entry of the current connection, greeting included.
    pub fn transcript(&self) -> &[ConsoleEntry] {
        &self.transcript
    }

    /// The lines typed so far (all connections), oldest first, for ↑/↓ recall.
    pub fn history(&self) -> &[String] {
        &self.history
    }

    /// Messages the server accepted (all connections), oldest first.
    pub fn accepted(&self) -> &[Accepted] {
        &self.accepted
    }

    pub fn is_closed(&self) -> bool {
        self.session.is_closed()
    }

    pub fn state(&self) -> State {
        self.session.state()
    }

    /// The address the server sees the student connect from.
    pub fn address(&self) -> &str {
        &self.address
    }

    pub fn node_id(&self) -> &str {
        &self.node.id
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Send what the student typed. CR LF is appended to each line; a pasted block is split on
    /// line ends and sent line by line (a final line end adds no empty line).
    pub fn send_line(&mut self, line: &str) -> Vec<ConsoleEntry> {
        self.send_bytes(line.as_bytes())
    }

    /// Like [`Console::send_line`] for bytes that need not be UTF-8.
    pub fn send_bytes(&mut self, bytes: &[u8]) -> Vec<ConsoleEntry> {
        let mut pieces: Vec<&[u8]> = bytes.split(|&b| b == b'\n').collect();
        if pieces.len() > 1 && pieces.last().is_some_and(|p| p.is_empty()) {
            pieces.pop();
        }
        let mut out = Vec::new();
        for piece in pieces.into_iter().take(MAX_LINES_PER_PASTE) {
            let line = piece.strip_suffix(b"\r").unwrap_or(piece);
            let mut wire = line.to_vec();
            wire.extend_from_slice(b"\r\n");
            out.extend(self.exchange(line, &wire));
        }
        out
    }

    /// Send bytes exactly as given, without adding CR LF (to show bare LF, a line cut in two,
    /// or "SMTP smuggling"). Replies come only for complete lines.
    pub fn send_raw(&mut self, bytes: &[u8]) -> Vec<ConsoleEntry> {
        self.exchange(bytes.strip_suffix(b"\r\n").unwrap_or(bytes), bytes)
    }

    /// The commands valid in the current state, most useful first. Derived from the transition
    /// table, the sequence rules and what this session offers (a command of an extension that
    /// was not offered is refused with 502, so it is not hinted).
    pub fn hints(&self) -> Vec<Hint> {
        let st = self.session.state();
        match st {
            State::Data => return data_hints(),
            State::Auth => return auth_hints(),
            State::Bdat => {
                return vec![Hint {
                    command: "<the chunk's octets>",
                    example: "Subject: hi".into(),
                    syntax: "chunk-size octets, exactly (RFC 3030 §2)",
                    why: "BDAT announced a chunk of a fixed size: the next octets are message text, counted, not read as commands (each line you type counts its CR LF).".into(),
                    rfc: "RFC 3030 §2",
                    leads_to: Some(State::Chunking),
                }]
            }
            State::Closed | State::TlsHandshake => return Vec::new(),
            _ => {}
        }
        let mut hints: Vec<Hint> = Verb::ALL.iter().filter(|&&v| self.accepts(v)).map(|&v| self.hint(v, st)).collect();
        // Commands that move the session forward first; then the ones that keep the state.
        // Commands that move the session forward first, then the other ones that lead somewhere
        // (AUTH, STARTTLS, EHLO again), then those that keep or go back (RSET, NOOP, HELP),
        // then QUIT. The sort is stable: catalogue order within a group.
        hints.sort_by_key(|h| match h.leads_to {
            Some(State::Closed) => 3,
            Some(to) if progress(to) > progress(st) => 0,
            Some(to) if (progress(to) == progress(st) && to != st) || to == State::Auth => 1,
            _ => 2,
        });
        hints
    }

    // ── internals ────────────────────────────────────────────────────────────────────────

    /// Would the server take `verb` now (not refuse it for sequence, extension or policy of
    /// the configuration)? Mirrors the checks of `ServerSession::on_command` that do not depend
    /// on the arguments.
    fn accepts(&self, verb: Verb) -> bool {
        let st = self.session.state();
        let cfg = self.session.config();
        let info = self.session.info();
        // RFC 3207 §4 / RFC 4954 §6: 530 5.7.0 before STARTTLS / AUTH (the gates of `state.rs`).
        if (cfg.require_tls && !info.tls && state::TLS_GATE.refuses(st, verb))
            || (cfg.require_auth && info.auth_user.is_none() && state::AUTH_GATE.refuses(st, verb))
        {
            return false;
        }
        if state::sequence_error(st, verb).is_some() {
            return false;
        }
        match verb {
            // Commands with an EHLO keyword: implemented (the server's one map,
            // `ServerSession::implements`) and negotiated through EHLO; STARTTLS and AUTH once.
            // EXPN is never implemented: always 502, list membership is private (RFC 5321 §7.3).
            Verb::Bdat | Verb::StartTls | Verb::Auth | Verb::Expn => {
                info.esmtp
                    && self.session.implements(verb)
                    && !(verb == Verb::StartTls && info.tls)
                    && !(verb == Verb::Auth && info.auth_user.is_some())
            }
            Verb::Vrfy => cfg.vrfy != VrfyMode::Disabled,
            _ => true,
        }
    }

    fn hint(&self, verb: Verb, st: State) -> Hint {
        let spec = catalogue::command_spec(verb);
        let row = state::TRANSITIONS
            .iter()
            .find(|t| t.on == Trigger::Command(verb) && t.from.contains(&st) && !matches!(t.when, state::When::Refused));
        let mut why = spec.purpose.to_string();
        if let Some(t) = row {
            why.push_str(&format!(" Here: {} → state {:?}.", t.label, t.to));
        }
        let cfg = self.session.config();
        if verb == Verb::Auth && cfg.require_auth {
            why.push_str(" This server (submission, port 587) wants AUTH before MAIL FROM (RFC 6409 §4.3).");
        }
        if verb == Verb::StartTls && cfg.require_tls {
            why.push_str(" This server wants STARTTLS before anything else.");
        }
        let (command, example) = match verb {
            Verb::Ehlo => ("EHLO your.host.name", format!("EHLO {}", self.host)),
            Verb::Helo => ("HELO your.host.name", format!("HELO {}", self.host)),
            Verb::Mail => ("MAIL FROM:<you@example.com>", format!("MAIL FROM:<{}>", self.example_from)),
            Verb::Rcpt => ("RCPT TO:<someone@example.org>", format!("RCPT TO:<{}>", self.example_rcpt())),
            Verb::Data => ("DATA", "DATA".into()),
            Verb::Bdat => ("BDAT <size> LAST", "BDAT 13 LAST".into()),
            Verb::Rset => ("RSET", "RSET".into()),
            Verb::Vrfy => ("VRFY <user>", format!("VRFY {}", self.example_rcpt().split('@').next().unwrap_or("postmaster"))),
            Verb::Expn => ("EXPN <list>", "EXPN staff".into()),
            Verb::Help => ("HELP", "HELP".into()),
            Verb::Noop => ("NOOP", "NOOP".into()),
            Verb::Quit => ("QUIT", "QUIT".into()),
            Verb::StartTls => ("STARTTLS", "STARTTLS".into()),
            Verb::Auth => {
                let example = match self.node.accounts.first() {
                    Some(a) => format!("AUTH PLAIN {}", base64::encode(format!("\0{}\0{}", a.user, a.password).as_bytes())),
                    None => "AUTH PLAIN AHVzZXIAcGFzc3dvcmQ=".into(),
                };
                ("AUTH PLAIN <base64 of NUL user NUL password>", example)
            }
        };
        Hint { command, example, syntax: spec.syntax, why, rfc: spec.rfc, leads_to: row.map(|t| t.to) }
    }

    fn example_rcpt(&self) -> String {
        self.node.mailboxes.first().cloned().unwrap_or_else(|| format!("postmaster@{}", self.node.host))
    }

    fn client_ip(&self) -> Option<IpAddr> {
        parse_ip(&self.address)
    }

    fn is_down(&self) -> bool {
        self.node.down || self.node.unreachable || self.node.down_until.is_some_and(|t| self.now < t.0)
    }

    /// Open a new connection: a fresh session, the greeting as the first entries.
    fn connect(&mut self) {
        self.transcript.clear();
        let config = policy::server_config(&self.node, self.port);
        let peer = format!("{} [{}]", self.host, self.address);
        let where_ = format!("{} [{}] port {} (node {})", self.node.host, self.node.address, self.port, self.node.id);
        let sees = format!(
            "The server sees you as {peer} — {}. Whether it relays mail for you depends on that address or on AUTH.",
            self.address_origin
        );
        if self.is_down() {
            // The world refuses or times out connections to a node that is down (same rule here).
            let mut s = ServerSession::new(config).with_peer(peer);
            s.connection_closed();
            while s.poll_event().is_some() {}
            self.session = s;
            self.refused_connection = true;
            let why = if self.node.unreachable {
                "it does not answer (the scenario marks it unreachable): the connection would time out".to_string()
            } else if let Some(t) = self.node.down_until.filter(|t| self.now < t.0) {
                format!("it is down until {} in this scenario: the connection is refused (wait and reset to try again)", format_time(t.0))
            } else {
                "it is down in this scenario: the connection is refused".to_string()
            };
            self.transcript.push(ConsoleEntry::without_reply(
                None,
                State::Closed,
                State::Closed,
                Some(format!("Could not connect to {where_}: {why}.")),
            ));
            self.greeting_len = self.transcript.len();
            return;
        }
        self.refused_connection = false;
        self.session = if self.node.shutting_down { ServerSession::busy(config) } else { ServerSession::new(config) }.with_peer(peer);
        let mut entries = self.drain(None, State::Connected, Vec::new());
        if let Some(first) = entries.first_mut() {
            let hello = if first.code == Some(220) { format!(" Type EHLO {} to begin.", self.host) } else { String::new() };
            let note = format!("Connected to {where_}. {sees}{hello}");
            first.note = Some(match first.note.take() {
                Some(n) => format!("{note} {n}"),
                None => note,
            });
        }
        self.transcript.extend(entries);
        self.greeting_len = self.transcript.len();
    }

    /// Feed one line (or raw bytes) and turn what happened into entries.
    fn exchange(&mut self, shown: &[u8], wire: &[u8]) -> Vec<ConsoleEntry> {
        let text = String::from_utf8_lossy(shown).into_owned();
        self.history.push(text);
        let sent = visible(wire);
        let before = self.session.state();
        let mut notes = Vec::new();
        if self.session.is_closed() {
            let entry = ConsoleEntry::without_reply(
                Some(sent),
                before,
                before,
                Some("The connection is closed: nothing was sent. Reset the console for a new connection.".into()),
            );
            self.transcript.push(entry.clone());
            return vec![entry];
        }
        if before == State::Data && shown.first() == Some(&b'.') && shown.len() > 1 {
            let rest = String::from_utf8_lossy(&shown[1..]).into_owned();
            notes.push(format!(
                "This line starts with a dot, so the server removes that dot (dot-stuffing, RFC 5321 §4.5.2): the message will contain {rest:?}. A client doubles a leading dot; only a line holding a single . ends the message."
            ));
        }
        self.now += 2 * self.latency;
        let client_ip = self.client_ip();
        let mut policy = NodePolicy {
            spec: &self.node,
            zone: &self.zone,
            client_ip,
            now: self.now,
            greylist: &mut self.greylist,
            max_received: self.max_received,
            lookups: Vec::new(),
            spf_notes: Vec::new(),
            spf_header: None,
            mail_from: String::new(),
            // The virtual clock on the scenario's calendar, as in the world (DKIM x=, RFC 6376
            // §3.5); DMARC pct= always selects the message here (no random sample).
            unix_now: u64::try_from(self.epoch + (self.now / 1000) as i64).unwrap_or(0),
            dmarc_sample: 0,
            spf_result: None,
            auth: None,
        };
        self.session.receive(wire, &mut policy);
        let spf = std::mem::take(&mut policy.spf_notes);
        for s in spf {
            notes.push(format!("SPF check (RFC 7208): {s}"));
        }
        if let Some(checks) = policy.auth.take() {
            notes.extend(auth_notes(&checks));
        }
        let entries = self.drain(Some(sent), before, notes);
        self.transcript.extend(entries.iter().cloned());
        entries
    }

    /// Turn the session's pending events into entries; `sent` goes on the first one.
    fn drain(&mut self, sent: Option<String>, before: State, mut pending: Vec<String>) -> Vec<ConsoleEntry> {
        while self.session.poll_output().is_some() {} // the bytes are in the ReplySent events
        let mut entries: Vec<ConsoleEntry> = Vec::new();
        let mut sent = sent;
        let mut after_notes: Vec<String> = Vec::new();
        while let Some(event) = self.session.poll_event() {
            match event {
                ServerEvent::ReplySent { reply, bytes, spec, state_before, state_after, .. } => {
                    let mut notes = std::mem::take(&mut pending);
                    if let Some(n) = self.reply_note(spec.key, &reply.lines, state_after) {
                        notes.push(n);
                    }
                    entries.push(ConsoleEntry {
                        sent: sent.take(),
                        reply: Some(visible_reply(&bytes)),
                        code: Some(reply.code.0),
                        key: Some(spec.key),
                        class: Some(reply.class()),
                        explanation: format!("{} {}", spec.meaning, spec.why),
                        rfc: spec.rfc.to_string(),
                        state_before,
                        state_after,
                        note: join(notes),
                    });
                }
                ServerEvent::SyntaxErrorReceived { error, .. } => pending.push(format!("What the server could not parse: {error}.")),
                ServerEvent::ProtocolViolated { what } => pending.push(capitalise(&what) + "."),
                ServerEvent::MessageAccepted { envelope, data } => {
                    let from = match &envelope.from {
                        ReversePath::Null => String::new(),
                        ReversePath::Path(p) => p.mailbox.to_string(),
                    };
                    let rcpts: Vec<String> = envelope
                        .rcpts
                        .iter()
                        .map(|(r, _)| match r {
                            ForwardPath::Postmaster(_) => "postmaster".to_string(),
                            ForwardPath::Path(p) => p.mailbox.to_string(),
                        })
                        .collect();
                    let destinations = self.destinations(&rcpts);
                    let note = self.delivery_note(&destinations);
                    attach(&mut entries, &mut after_notes, note);
                    self.accepted.push(Accepted { from, rcpts, data: String::from_utf8_lossy(&data).into_owned(), destinations });
                }
                ServerEvent::TlsStarted => attach(
                    &mut entries,
                    &mut after_notes,
                    "The (simulated) TLS handshake is done: the connection is now encrypted and both sides have forgotten the SMTP state, so send EHLO again (RFC 3207 §4.2).".into(),
                ),
                ServerEvent::AuthSucceeded { user, .. } => attach(
                    &mut entries,
                    &mut after_notes,
                    format!("You are logged in as {user:?}: this server relays for authenticated users{}.", if self.node.relay_authenticated { "" } else { " — except this one, which does not (relay_authenticated = false)" }),
                ),
                ServerEvent::AuthFailed { user: Some(u), .. } => attach(&mut entries, &mut after_notes, format!("The user {u:?} and this password do not match an account of this node.")),
                ServerEvent::DataEnded { summary } => {
                    let mut s = format!("The end of data arrived: the message has {} octets", summary.octets);
                    if summary.bare_lf || summary.bare_cr {
                        s.push_str(", with a bare CR or LF (RFC 5321 §2.3.8)");
                    }
                    if summary.long_lines > 0 {
                        s.push_str(&format!(", {} line(s) over 1000 octets", summary.long_lines));
                    }
                    pending.push(s + ".");
                }
                ServerEvent::Closed => attach(&mut entries, &mut after_notes, "The server closed the connection. Reset the console to connect again.".into()),
                ServerEvent::CommandReceived { .. }
                | ServerEvent::AuthFailed { user: None, .. }
                | ServerEvent::AuthLineReceived { .. }
                | ServerEvent::DataStarted
                | ServerEvent::ChunkReceived { .. } => {}
            }
        }
        let after = self.session.state();
        if entries.is_empty() && (sent.is_some() || !pending.is_empty() || !after_notes.is_empty()) {
            let mut notes = pending;
            notes.append(&mut after_notes);
            if after == State::Bdat {
                notes.push("Part of the BDAT chunk: no reply until all its octets have arrived.".into());
            } else if after != State::Data && notes.is_empty() {
                notes.push(
                    "No reply yet: the server is still reading (the octets of a BDAT chunk, or the rest of a line without CR LF).".into(),
                );
            }
            entries.push(ConsoleEntry::without_reply(sent.take(), before, after, join(notes)));
        } else if let Some(last) = entries.last_mut() {
            pending.append(&mut after_notes);
            if !pending.is_empty() {
                let mut notes: Vec<String> = last.note.take().into_iter().collect();
                notes.append(&mut pending);
                last.note = join(notes);
            }
        }
        entries
    }

    /// What to say beyond the catalogue for a reply.
    fn reply_note(&self, key: &str, lines: &[String], after: State) -> Option<String> {
        Some(match key {
            "data.go" => "354: now type the message: header lines (From:, To:, Subject:), an empty line, then the body; end with a line containing only .".into(),
            "auth.challenge" => {
                let decoded = lines.first().and_then(|l| base64::decode(l.as_bytes())).map(|b| String::from_utf8_lossy(&b).into_owned()).unwrap_or_default();
                if decoded.is_empty() {
                    "334: type the base64 of NUL user NUL password (AUTH PLAIN, RFC 4616), or * to cancel.".into()
                } else {
                    format!("334: the challenge is base64 for {decoded:?}; type the answer in base64, or * to cancel.")
                }
            }
            "rcpt.relay_denied" => format!(
                "The server sees you as {} and is not final for that domain. It relays only for {}.",
                self.address,
                self.relay_rule()
            ),
            "greylisted" => "Greylisting: a real MTA retries later. Let virtual time pass (wait), reset the console and send the same MAIL/RCPT again.".into(),
            "ehlo" if after == State::Ready => "The lines after the first are the extensions this server offers in this session.".into(),
            _ => return None,
        })
    }

    fn relay_rule(&self) -> String {
        let n = &self.node;
        if n.open_relay {
            return "everyone (an open relay)".into();
        }
        let mut who = Vec::new();
        if !n.relay_from.is_empty() {
            who.push(format!("clients in {}", n.relay_from.join(", ")));
        }
        if n.relay_authenticated && !n.accounts.is_empty() {
            who.push(if self.port == 587 {
                "users who logged in with AUTH".to_string()
            } else {
                "users who logged in with AUTH (offered on port 587)".to_string()
            });
        }
        if !n.relay_domains.is_empty() {
            who.push(format!("anyone, to {}", n.relay_domains.join(", ")));
        }
        if who.is_empty() {
            "nobody: it only accepts mail for its own domains".into()
        } else {
            who.join(", or ")
        }
    }

    fn destinations(&self, rcpts: &[String]) -> Vec<Destination> {
        let mut remote: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut out = Vec::new();
        for r in rcpts {
            if policy::is_local(&self.node, r) {
                out.push(Destination::Mailbox(r.to_ascii_lowercase()));
            } else {
                remote.entry(domain_of(r).to_ascii_lowercase()).or_default().push(r.clone());
            }
        }
        out.extend(remote.into_iter().map(|(domain, rcpts)| Destination::Relay { domain, rcpts }));
        out
    }

    fn delivery_note(&self, destinations: &[Destination]) -> String {
        let parts: Vec<String> = destinations
            .iter()
            .map(|d| match d {
                Destination::Mailbox(m) => format!("stored in the mailbox of {m}"),
                Destination::Relay { domain, rcpts } => {
                    format!("queued on {} for relaying to the mail server of {domain} ({})", self.node.id, rcpts.join(", "))
                }
            })
            .collect();
        format!(
            "The server now takes responsibility for the message (RFC 5321 §6.1): it would be {}. (The console does not run the rest of the network.)",
            parts.join("; and ")
        )
    }
}

/// How far along a mail transaction a state is, for ordering hints.
fn progress(s: State) -> u8 {
    match s {
        State::Connected | State::NoService | State::TlsHandshake => 0,
        State::Ready | State::Auth => 1,
        State::Mail => 2,
        State::Rcpt => 3,
        State::Data | State::Bdat | State::Chunking => 4,
        State::Closed => 5,
    }
}

fn data_hints() -> Vec<Hint> {
    let h = |command: &'static str, example: &str, why: &str, leads_to| Hint {
        command,
        example: example.into(),
        syntax: "text line CRLF … CRLF . CRLF (RFC 5321 §4.1.1.4)",
        why: why.into(),
        rfc: "RFC 5321 §4.1.1.4, §4.5.2",
        leads_to,
    };
    vec![
        h(
            ".",
            ".",
            "A line holding only a dot ends the message (CRLF.CRLF); the server then answers 250 or refuses it.",
            Some(State::Ready),
        ),
        h(
            "Subject: <text>",
            "Subject: Hello from the console",
            "Header lines first (From:, To:, Subject:), then an empty line, then the body.",
            None,
        ),
        h(
            "<body line>",
            "Hi Bob, this is a test.",
            "Body lines are stored as typed; a line starting with a dot must be doubled (..) by the client.",
            None,
        ),
    ]
}

fn auth_hints() -> Vec<Hint> {
    let h = |command: &'static str, example: &str, why: &str, leads_to| Hint {
        command,
        example: example.into(),
        syntax: "base64 CRLF / \"*\" CRLF (RFC 4954 §4)",
        why: why.into(),
        rfc: "RFC 4954 §4",
        leads_to,
    };
    vec![
        h(
            "<base64 answer>",
            "AGFsaWNlAHdvbmRlcmxhbmQ=",
            "The answer to the 334 challenge, in base64 (PLAIN: NUL user NUL password).",
            Some(State::Ready),
        ),
        h("*", "*", "Cancel the authentication; the server answers 501.", Some(State::Ready)),
    ]
}

fn attach(entries: &mut [ConsoleEntry], later: &mut Vec<String>, note: String) {
    match entries.last_mut() {
        Some(last) => {
            let mut notes: Vec<String> = last.note.take().into_iter().collect();
            notes.push(note);
            last.note = join(notes);
        }
        None => later.push(note),
    }
}

fn join(notes: Vec<String>) -> Option<String> {
    (!notes.is_empty()).then(|| notes.join(" "))
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

fn ports(p: &[u16]) -> String {
    p.iter().map(u16::to_string).collect::<Vec<_>>().join(", ")
}

fn addr_of(header: &str) -> String {
    match (header.rfind('<'), header.rfind('>')) {
        (Some(a), Some(b)) if a < b => header[a + 1..b].trim().to_string(),
        _ => header.trim().to_string(),
    }
}

/// Bytes as visible text: CR LF as `␍␊`, other C0 controls and DEL as their control pictures,
/// invalid UTF-8 as U+FFFD.
pub fn visible(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\u{0}'..='\u{1f}' => out.push(char::from_u32(0x2400 + c as u32).unwrap_or('?')),
            '\u{7f}' => out.push('\u{2421}'),
            _ => out.push(c),
        }
    }
    out
}

/// Reply bytes as visible lines: each line ends in `␍␊`; lines are joined by `\n`.
fn visible_reply(bytes: &[u8]) -> String {
    let mut lines: Vec<String> = Vec::new();
    for line in bytes.split_inclusive(|&b| b == b'\n') {
        lines.push(visible(line));
    }
    lines.join("\n")
}
