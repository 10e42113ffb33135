//! The layout of `Scenario` that share links of version 5 carry, frozen like `v4.rs`: today's
//! nodes, messages and narration, without the `[[pull]]` mail programs that v6 added at the
//! end (POP3/IMAP retrieval). [`migrate`] gives a v5 scenario no pull clients.

use serde::Deserialize;

use crate::sim::dns::Zone;
use crate::sim::scenario::{self as cur, ClockSettings, MessageSpec, Narration, NodeSpec};

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

/// A v5 scenario in the current layout.
pub fn migrate(s: Scenario) -> cur::Scenario {
    cur::Scenario {
        id: s.id,
        title: s.title,
        goal: s.goal,
        seed: s.seed,
        clock: s.clock,
        nodes: s.nodes,
        dns: s.dns,
        messages: s.messages,
        narration: s.narration,
        pulls: Vec::new(),
    }
}
