//! The layout of `Scenario` that share links of version 3 carry (postcard has no field names:
//! a field's position is its name), frozen here so v3 links keep opening after `sim/spec.rs`
//! gained fields. Only the structs whose fields changed are copied; the others are shared.
//! [`migrate`] fills the fields added since with their defaults.
//!
//! v4 inserted `dkim`, `dmarc`, `forward` and `lists` (sender authentication, RFC 6376/7489)
//! into a node after `spf`: a node is therefore kept as its [`Head`] and [`Tail`], which postcard
//! writes back to back exactly as one struct, so `v4.rs` reuses them around its four fields.
//! v5 added to a node `replies`, `extensions`, `received` and `full_names` (the wording of
//! RFC 5321 Appendix D's servers), and to a message `data`, `vrfy` and `abort_if_refused`.

use serde::Deserialize;

use crate::sim::clock::Span;
use crate::sim::dns::Zone;
use crate::sim::scenario::{self as cur, AttachmentSpec, ClockSettings, DsnRequest, FullMailbox, Login, Narration, NodeKind, StaticRoute};

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

/// A v3 node: its fields up to `spf`, then the rest.
#[derive(Deserialize)]
pub struct NodeSpec {
    pub head: Head,
    pub tail: Tail,
}

/// A node's fields from `id` to `spf`, in order.
#[derive(Deserialize)]
pub struct Head {
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
    pub enhanced_status_codes: bool,
    pub smtputf8: bool,
    pub dsn: bool,
    pub spf: bool,
}

/// A node's fields from `greylist` to `full`, in order.
#[derive(Deserialize)]
pub struct Tail {
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
    pub dsn: Option<DsnRequest>,
}

/// A v3 scenario in the current layout: the fields added since get their defaults.
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
    build_node(s.head, s.tail)
}

/// A node from its v3 parts, every field added since at its default.
pub fn build_node(s: Head, t: Tail) -> cur::NodeSpec {
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
        greylist: t.greylist,
        routes: t.routes,
        down: t.down,
        down_until: t.down_until,
        unreachable: t.unreachable,
        shutting_down: t.shutting_down,
        full: t.full,
        enhanced_status_codes: s.enhanced_status_codes,
        smtputf8: s.smtputf8,
        dsn: s.dsn,
        replies: Default::default(),
        extensions: None,
        received: None,
        full_names: Vec::new(),
        dkim: None,
        dmarc: false,
        forward: Vec::new(),
        lists: Vec::new(),
    }
}

pub fn message(s: MessageSpec) -> cur::MessageSpec {
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
        dsn: s.dsn,
        data: None,
        vrfy: Vec::new(),
        abort_if_refused: false,
    }
}
