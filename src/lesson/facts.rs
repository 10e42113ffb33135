//! The facts lessons read from a trace, in one place: which event an anchor names, the reply
//! code and class of a reply, which reply answers a command, the next command on a connection,
//! who created a bounce, the header lines of a delivered message and who added them.
//!
//! Questions derive their expected answers only through these functions, which read the trace's
//! typed facts (`sim::trace::Facts`: the reply code, the verb, the state change), never labels.

use std::collections::{HashMap, VecDeque};

use super::spec::Anchor;
use crate::sim::trace::{Event, Kind, NodeInfo, StoredMessage, Trace};
use crate::smtp::state::State;

/// The index of the event `anchor` names: the `nth` (from 1) event matching `on`, counting only
/// events sent or received by `node` when given. Matching is the scenario narration's
/// (`sim::world::event_matches`), so lesson and scenario files name events alike.
pub fn find(trace: &Trace, anchor: &Anchor) -> Option<usize> {
    let at_node = |e: &Event| anchor.node.as_ref().is_none_or(|id| e.from == *id || e.to.as_ref() == Some(id));
    let nth = usize::try_from(anchor.nth.max(1)).ok()?;
    trace.events.iter().filter(|e| at_node(e) && crate::sim::world::event_matches(e, &anchor.on)).nth(nth - 1).map(|e| e.seq)
}

/// The reply code of a reply event.
pub fn reply_code(e: &Event) -> Option<u16> {
    e.facts.as_ref()?.code()
}

/// Which reply answers which event, per connection: commands and message data wait in order
/// (pipelining keeps the order, RFC 2920 §3) and each reply takes the oldest; a connection's
/// first reply with nothing waiting is its greeting. Returns `reply seq → asked seq` (the
/// greeting maps to itself).
fn answered(trace: &Trace) -> HashMap<usize, usize> {
    let mut waiting: HashMap<u32, VecDeque<usize>> = HashMap::new();
    let mut out = HashMap::new();
    for e in &trace.events {
        let Some(c) = e.conn else { continue };
        match e.kind {
            Kind::Command | Kind::Data => waiting.entry(c).or_default().push_back(e.seq),
            Kind::Reply => {
                let asked = waiting.get_mut(&c).and_then(VecDeque::pop_front).unwrap_or(e.seq);
                out.insert(e.seq, asked);
            }
            _ => {}
        }
    }
    out
}

/// The reply that answers event `n` (a command or the message data); `n` itself when it is a
/// reply.
pub fn reply_to(trace: &Trace, n: usize) -> Option<usize> {
    let e = trace.events.get(n)?;
    if e.kind == Kind::Reply {
        return Some(n);
    }
    let map = answered(trace);
    trace.events[n + 1..].iter().find(|r| r.kind == Kind::Reply && map.get(&r.seq) == Some(&n)).map(|r| r.seq)
}

/// The command (verb, e.g. `RCPT`) or `DATA`-content a reply answers, in words for questions.
pub fn asked_by(trace: &Trace, reply: usize) -> Option<&Event> {
    let asked = *answered(trace).get(&reply)?;
    (asked != reply).then(|| &trace.events[asked])
}

/// The verb of a command event (`RCPT`).
pub fn verb(e: &Event) -> Option<&'static str> {
    e.facts.as_ref()?.verb()
}

/// The first command after event `n` on the same connection.
pub fn next_command(trace: &Trace, n: usize) -> Option<usize> {
    let conn = trace.events.get(n)?.conn?;
    trace.events[n + 1..].iter().find(|e| e.conn == Some(conn) && e.kind == Kind::Command).map(|e| e.seq)
}

/// The server's protocol state on `n`'s connection just before event `n` (after the last reply
/// that changed it).
pub fn state_before(trace: &Trace, n: usize) -> Option<State> {
    let conn = trace.events.get(n)?.conn?;
    trace.events[..n]
        .iter()
        .rev()
        .filter(|e| e.conn == Some(conn) && e.kind == Kind::Reply)
        .find_map(|e| e.facts.as_ref()?.state_change().map(|c| c.after))
}

/// The first event of `kind` at or after `n`.
pub fn first_of(trace: &Trace, n: usize, kind: Kind) -> Option<usize> {
    trace.events.get(n..)?.iter().find(|e| e.kind == kind).map(|e| e.seq)
}

/// The node that created the bounce of event `n` (a `bounce-created` event).
pub fn bounce_creator(trace: &Trace, n: usize) -> Option<&str> {
    let e = trace.events.get(n)?;
    (e.kind == Kind::BounceCreated).then_some(e.from.as_str())
}

/// The last refusal (4xx or 5xx reply) before event `n`, and who sent it.
pub fn last_refusal_before(trace: &Trace, n: usize) -> Option<&Event> {
    trace.events[..n.min(trace.events.len())].iter().rev().find(|e| reply_code(e).is_some_and(|c| c >= 400))
}

/// The message stored by the `delivered` event `n`.
pub fn stored_by(trace: &Trace, n: usize) -> Option<&StoredMessage> {
    trace.mailboxes.iter().find(|m| m.seq == n)
}

/// The header lines of a stored message, each unfolded onto one line (RFC 5322 §2.2.3).
pub fn header_lines(raw: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for line in raw.split("\r\n").flat_map(|l| l.split('\n')) {
        if line.is_empty() {
            break;
        }
        match out.last_mut() {
            Some(last) if line.starts_with([' ', '\t']) => {
                last.push(' ');
                last.push_str(line.trim());
            }
            _ => out.push(line.to_string()),
        }
    }
    out
}

/// The field name of a header line (`Received`).
pub fn field_name(line: &str) -> &str {
    line.split_once(':').map_or(line, |(name, _)| name.trim())
}

/// The host after `by` in a `Received:` line (RFC 5321 §4.4: the host that added it).
pub fn received_by(line: &str) -> Option<&str> {
    if !field_name(line).eq_ignore_ascii_case("Received") {
        return None;
    }
    let mut words = line.split_whitespace();
    words.find(|w| w.eq_ignore_ascii_case("by"))?;
    words.next().map(|h| h.trim_end_matches([';', ',']))
}

/// The node with this id.
pub fn node<'t>(trace: &'t Trace, id: &str) -> Option<&'t NodeInfo> {
    trace.nodes.iter().find(|n| n.id == id)
}

/// Is this node a mail program (a client), rather than a server?
pub fn is_mail_program(n: &NodeInfo) -> bool {
    n.role.is_mail_program()
}

/// The nodes that take part in mail (every node but the DNS resolver), in the trace's order.
pub fn mail_nodes(trace: &Trace) -> impl Iterator<Item = &NodeInfo> {
    trace.nodes.iter().filter(|n| n.id != "dns")
}
