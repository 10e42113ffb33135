//! The layout of `Scenario` that share links of version 4 carry, frozen like `v3.rs`: a v3 node
//! with `dkim`, `dmarc`, `forward` and `lists` (sender authentication, RFC 6376/7489) between
//! `spf` and `greylist`, and v3's messages. [`migrate`] fills the fields v5 added (the wording of
//! RFC 5321 Appendix D's servers; a message's `data`, `vrfy`, `abort_if_refused`) with defaults.

use serde::Deserialize;

use super::v3;

use crate::sim::dns::Zone;
use crate::sim::scenario::{self as cur, ClockSettings, DkimSigning, Forward, MailingList, Narration};

#[derive(Deserialize)]
pub struct Scenario {
    pub id: String,
    pub title: String,
    pub goal: String,
    pub seed: u64,
    pub clock: ClockSettings,
    pub nodes: Vec<NodeSpec>,
    pub dns: Zone,
    pub messages: Vec<v3::MessageSpec>,
    pub narration: Vec<Narration>,
}

/// A v4 node: v3's fields with the four of sender authentication after `spf`.
#[derive(Deserialize)]
pub struct NodeSpec {
    pub head: v3::Head,
    pub dkim: Option<DkimSigning>,
    pub dmarc: bool,
    pub forward: Vec<Forward>,
    pub lists: Vec<MailingList>,
    pub tail: v3::Tail,
}

/// A v4 scenario in the current layout.
pub fn migrate(s: Scenario) -> cur::Scenario {
    cur::Scenario {
        id: s.id,
        title: s.title,
        goal: s.goal,
        seed: s.seed,
        clock: s.clock,
        nodes: s.nodes.into_iter().map(node).collect(),
        dns: s.dns,
        messages: s.messages.into_iter().map(v3::message).collect(),
        narration: s.narration,
        pulls: Vec::new(),
    }
}

fn node(s: NodeSpec) -> cur::NodeSpec {
    cur::NodeSpec { dkim: s.dkim, dmarc: s.dmarc, forward: s.forward, lists: s.lists, ..v3::build_node(s.head, s.tail) }
}
