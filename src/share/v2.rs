//! The layout of `Scenario` that share links of version 2 carry (postcard has no field names:
//! a field's position is its name), frozen here so v2 links keep opening after `sim/spec.rs`
//! gained fields. Only the structs whose fields changed are copied; the others are shared.
//! [`migrate`] fills the fields added since with their defaults.
//!
//! v3 added to a node `enhanced_status_codes` (RFC 2034), `smtputf8` (RFC 6531) and `dsn`
//! (RFC 3461), and to a message `dsn` (its DSN request); v4's fields are listed in `v3.rs`.

use serde::Deserialize;

use crate::sim::clock::Span;
use crate::sim::dns::Zone;
use crate::sim::scenario::{self as cur, AttachmentSpec, ClockSettings, FullMailbox, Login, Narration, NodeKind, StaticRoute};

#[derive(Deserialize)]
pub struct Scenario {
    pub id: String,
    pub title: String,
    pub goal: String,
    pub seed: u64,
    pub clock: ClockSettings,
    pub nodes: Vec<NodeSpec>,
    pub dns: Zone,
    pub messages: Vec<MessageSpec>,
    pub narration: Vec<Narration>,
}

#[derive(Deserialize)]
pub struct NodeSpec {
    pub id: String,
    pub kind: NodeKind,
    pub name: String,
    pub host: String,
    pub address: String,
    pub server: Option<String>,
    pub port: Option<u16>,
    pub login: Option<Login>,
    pub blocked_ports: Vec<u16>,
    pub ports: Vec<u16>,
    pub domains: Vec<String>,
    pub mailboxes: Vec<String>,
    pub accounts: Vec<Login>,
    pub relay_from: Vec<String>,
    pub relay_authenticated: bool,
    pub relay_domains: Vec<String>,
    pub open_relay: bool,
    pub submission_requires_auth: bool,
    pub starttls: bool,
    pub require_tls: bool,
    pub size_limit: u64,
    pub pipelining: bool,
    pub spf: bool,
    pub greylist: Option<Span>,
    pub routes: Vec<StaticRoute>,
    pub down: bool,
    pub down_until: Option<Span>,
    pub unreachable: bool,
    pub shutting_down: bool,
    pub full: Vec<FullMailbox>,
}

#[derive(Deserialize)]
pub struct MessageSpec {
    pub client: String,
    pub at: Span,
    pub from: String,
    pub envelope_from: Option<String>,
    pub to: Vec<String>,
    pub cc: Vec<String>,
    pub subject: String,
    pub body: String,
    pub attachments: Vec<AttachmentSpec>,
    pub pad_to: Option<u64>,
}

/// A v2 scenario in the current layout: the fields added since get their defaults.
pub fn migrate(s: Scenario) -> cur::Scenario {
    cur::Scenario {
        id: s.id,
        title: s.title,
        goal: s.goal,
        seed: s.seed,
        clock: s.clock,
        nodes: s.nodes.into_iter().map(node).collect(),
        dns: s.dns,
        messages: s.messages.into_iter().map(message).collect(),
        narration: s.narration,
        pulls: Vec::new(),
    }
}

fn node(s: NodeSpec) -> cur::NodeSpec {
    cur::NodeSpec {
        id: s.id,
        kind: s.kind,
        name: s.name,
        host: s.host,
        address: s.address,
        server: s.server,
        port: s.port,
        login: s.login,
        blocked_ports: s.blocked_ports,
        ports: s.ports,
        domains: s.domains,
        mailboxes: s.mailboxes,
        accounts: s.accounts,
        relay_from: s.relay_from,
        relay_authenticated: s.relay_authenticated,
        relay_domains: s.relay_domains,
        open_relay: s.open_relay,
        submission_requires_auth: s.submission_requires_auth,
        starttls: s.starttls,
        require_tls: s.require_tls,
        size_limit: s.size_limit,
        pipelining: s.pipelining,
        spf: s.spf,
        greylist: s.greylist,
        routes: s.routes,
        down: s.down,
        down_until: s.down_until,
        unreachable: s.unreachable,
        shutting_down: s.shutting_down,
        full: s.full,
        enhanced_status_codes: true,
        smtputf8: false,
        dsn: false,
        dkim: None,
        dmarc: false,
        forward: Vec::new(),
        lists: Vec::new(),
        replies: Default::default(),
        extensions: None,
        received: None,
        full_names: Vec::new(),
    }
}

fn message(s: MessageSpec) -> cur::MessageSpec {
    cur::MessageSpec {
        client: s.client,
        at: s.at,
        from: s.from,
        envelope_from: s.envelope_from,
        to: s.to,
        cc: s.cc,
        subject: s.subject,
        body: s.body,
        attachments: s.attachments,
        pad_to: s.pad_to,
        dsn: None,
        data: None,
        vrfy: Vec::new(),
        abort_if_refused: false,
    }
}
