//! What is true at one step of a trace, derived from the events up to that step only.
//!
//! [`View::at`] folds `trace.events[..=step]` from the start, so the result depends on the step
//! alone: stepping back and forward again gives an identical `View` (a test checks every step of
//! every built-in). The fold is O(step); [`Timeline`] saves its state every 256 events so the
//! player resumes from the nearest one (the same fold, so the same `View`), which keeps a step of
//! a 10,000-event trace within a frame in the browser (docs/perf.md).
//!
//! Queues: every event that changes a queue job carries the job as it is afterwards (a
//! [`JobNote`]: on `queued`, `retry-scheduled`, `delivery-failed`, `expired`, `bounce-created`,
//! and on the 2xx reply to the end of the data, when the next server took responsibility, RFC 5321
//! §6.1), so the queue at a step is the latest note of each job whose recipients still wait.
//! Mailboxes: each stored message names the `seq` of its `delivered` event, and of the `removed`
//! event that took it out again (POP3's UPDATE), if one did. Tests check that at
//! the last step both equal what the simulation reports at the end, for every built-in scenario.

use std::collections::{BTreeMap, HashMap};

use crate::sim::clock::Millis;
use crate::sim::trace::{Event, Facts, JobNote, Kind, Trace};
pub use crate::smtp::event::Answers;

/// The message of the current step, travelling between two nodes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hop {
    pub from: String,
    pub to: String,
    pub bounce: bool,
    pub kind: Kind,
    /// A POP3/IMAP exchange: the mail program pulls from its server (SMTP pushes).
    pub pull: bool,
}

/// Counts shown as badges on one node.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NodeCounts {
    pub id: String,
    /// Messages waiting in this node's queue.
    pub queued: usize,
    /// Messages stored in mailboxes on this node (bounces included).
    pub stored: usize,
    /// Of those, bounces (delivery status notifications).
    pub bounces_stored: usize,
    /// Bounces this node wrote (it gave up on a message and reported it).
    pub bounces_sent: usize,
}

/// One mailbox that holds at least one message at this step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MailboxCount {
    pub node: String,
    pub mailbox: String,
    pub messages: usize,
    pub bounces: usize,
    /// The stored messages, as indices into `trace.mailboxes`, in order of delivery.
    pub stored: Vec<usize>,
}

/// One queue job that still waits at this step: its latest note and the event that wrote it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueuedJob {
    pub note: JobNote,
    /// The kind of the event that last changed the job (`expired`, `delivery-failed`: it is about
    /// to be returned to the sender).
    pub changed_by: Kind,
    /// The step (event `seq`) that last changed it.
    pub since: usize,
}

/// Everything the views need about one step.
#[derive(Clone, Debug, PartialEq)]
pub struct View {
    /// 0-based current step.
    pub step: usize,
    /// Number of steps.
    pub len: usize,
    /// Virtual time of the current step.
    pub time: Millis,
    /// The hop of the current step, when its event travels between two nodes.
    pub hop: Option<Hop>,
    /// One entry per node of the trace, in the trace's order.
    pub nodes: Vec<NodeCounts>,
    /// Non-empty mailboxes, in order of first delivery.
    pub mailboxes: Vec<MailboxCount>,
    /// Queue jobs with recipients still waiting, in the order the jobs were created.
    pub queue: Vec<QueuedJob>,
    /// What the current event answers, when it is a reply.
    pub answers: Option<Answers>,
    /// The sentence the live region reads: "Step 12 of 54: …".
    pub announcement: String,
}

impl View {
    /// The state of `trace` once `events[..=step]` have happened (`step` is clamped).
    pub fn at(trace: &Trace, step: usize) -> View {
        let mut fold = Fold::new(trace);
        fold.run(trace, folded(trace, step));
        fold.view(trace, step)
    }

    /// The counts of node `id`.
    pub fn node(&self, id: &str) -> Option<&NodeCounts> {
        self.nodes.iter().find(|n| n.id == id)
    }
}

/// How many events `View` folds for `step`: everything up to and including it.
fn folded(trace: &Trace, step: usize) -> usize {
    let len = trace.events.len();
    if len == 0 {
        0
    } else {
        step.min(len - 1) + 1
    }
}

/// The running state of the fold over the events: [`View::at`] runs it from the start,
/// [`Timeline`] resumes a saved copy. Both go through [`Fold::push`], so they cannot disagree.
#[derive(Clone, Debug)]
struct Fold {
    /// Events folded so far.
    done: usize,
    nodes: Vec<NodeCounts>,
    index: HashMap<String, usize>,
    mailboxes: Vec<MailboxCount>,
    /// Queue jobs by id: the latest note of each (see the module doc).
    jobs: BTreeMap<u32, QueuedJob>,
}

impl Fold {
    fn new(trace: &Trace) -> Fold {
        Fold {
            done: 0,
            nodes: trace.nodes.iter().map(|n| NodeCounts { id: n.id.clone(), ..NodeCounts::default() }).collect(),
            index: trace.nodes.iter().enumerate().map(|(i, n)| (n.id.clone(), i)).collect(),
            mailboxes: Vec::new(),
            jobs: BTreeMap::new(),
        }
    }

    /// Folds events up to (not including) `trace.events[until]`.
    fn run(&mut self, trace: &Trace, until: usize) {
        while self.done < until {
            self.push(trace, &trace.events[self.done]);
            self.done += 1;
        }
    }

    fn push(&mut self, trace: &Trace, e: &Event) {
        let at = match self.index.get(&e.from) {
            Some(&at) => at,
            None => {
                self.nodes.push(NodeCounts { id: e.from.clone(), ..NodeCounts::default() });
                self.index.insert(e.from.clone(), self.nodes.len() - 1);
                self.nodes.len() - 1
            }
        };
        let nodes = &mut self.nodes;
        if let Some(note) = &e.job {
            self.jobs.insert(note.id, QueuedJob { note: note.clone(), changed_by: e.kind, since: e.seq });
        }
        match e.kind {
            Kind::BounceCreated if matches!(e.key.as_deref(), Some("bounce-created" | "double-bounce")) => {
                nodes[at].bounces_sent += 1;
            }
            Kind::Delivered => {
                // Stored messages are in the order of their delivery events and name them.
                let found = trace.mailboxes.binary_search_by_key(&e.seq, |m| m.seq).ok();
                let stored = found.map(|i| &trace.mailboxes[i]);
                let bounce = stored.map_or(e.bounce, |m| m.is_bounce);
                nodes[at].stored += 1;
                if bounce {
                    nodes[at].bounces_stored += 1;
                }
                let mailbox = stored.map_or_else(|| e.label.trim_start_matches("delivered to ").to_string(), |m| m.mailbox.clone());
                let m = match self.mailboxes.iter_mut().position(|m| m.node == e.from && m.mailbox == mailbox) {
                    Some(i) => &mut self.mailboxes[i],
                    None => {
                        self.mailboxes.push(MailboxCount { node: e.from.clone(), mailbox, messages: 0, bounces: 0, stored: Vec::new() });
                        self.mailboxes.last_mut().expect("just pushed")
                    }
                };
                m.messages += 1;
                m.bounces += usize::from(bounce);
                m.stored.extend(found);
            }
            Kind::Removed => {
                // POP3's UPDATE (RFC 1939 §6): the stored messages it removed name this event.
                for (i, s) in trace.mailboxes.iter().enumerate().filter(|(_, s)| s.removed == Some(e.seq)) {
                    let Some(b) = self.mailboxes.iter().position(|m| m.node == s.node && m.mailbox == s.mailbox) else { continue };
                    let m = &mut self.mailboxes[b];
                    let Some(k) = m.stored.iter().position(|&x| x == i) else { continue };
                    m.stored.remove(k);
                    m.messages -= 1;
                    m.bounces -= usize::from(s.is_bounce);
                    if m.messages == 0 {
                        self.mailboxes.remove(b);
                    }
                    nodes[at].stored = nodes[at].stored.saturating_sub(1);
                    if s.is_bounce {
                        nodes[at].bounces_stored = nodes[at].bounces_stored.saturating_sub(1);
                    }
                }
            }
            _ => {}
        }
    }

    /// The view at `step`, once the events up to it are folded.
    fn view(&self, trace: &Trace, step: usize) -> View {
        let len = trace.events.len();
        let step = step.min(len.saturating_sub(1));
        debug_assert_eq!(self.done, folded(trace, step));
        let event = trace.events.get(step);
        let hop = event.and_then(|e| match &e.to {
            Some(to) if *to != e.from => {
                Some(Hop { from: e.from.clone(), to: to.clone(), bounce: e.bounce, kind: e.kind, pull: e.layer.pulls() })
            }
            _ => None,
        });
        let queue: Vec<QueuedJob> = self.jobs.values().filter(|j| !j.note.waiting.is_empty()).cloned().collect();
        let mut nodes = self.nodes.clone();
        for j in &queue {
            match nodes.iter_mut().find(|n| n.id == j.note.node) {
                Some(n) => n.queued += 1,
                None => nodes.push(NodeCounts { id: j.note.node.clone(), queued: 1, ..NodeCounts::default() }),
            }
        }
        let answers = event.and_then(|e| e.facts.as_ref()).and_then(Facts::answers);
        let announcement = match event {
            Some(e) => format!("Step {} of {len}: {}", step + 1, describe(trace, e)),
            None => "This scenario has no steps.".to_string(),
        };
        View { step, len, time: event.map_or(0, |e| e.time), hop, nodes, mailboxes: self.mailboxes.clone(), queue, answers, announcement }
    }
}

/// Events between two saved states of a [`Timeline`].
const EVERY: usize = 256;

/// [`View::at`] in O(256) instead of O(step): the fold's state saved every 256 events (one pass
/// over the trace, when a trace is opened), resumed from the nearest saved state at or before the
/// step. The same fold, so the same `View` (a test compares both at every step of every
/// built-in); it keeps stepping smooth at step 10,000 of a long trace.
#[derive(Clone, Debug)]
pub struct Timeline {
    saved: Vec<Fold>,
}

impl Timeline {
    /// One pass over `trace`, saving the state every 256 events.
    pub fn new(trace: &Trace) -> Timeline {
        let mut fold = Fold::new(trace);
        let mut saved = vec![fold.clone()];
        while fold.done + EVERY <= trace.events.len() {
            fold.run(trace, fold.done + EVERY);
            saved.push(fold.clone());
        }
        Timeline { saved }
    }

    /// The same as `View::at(trace, step)`, for the `trace` this timeline was made from.
    pub fn at(&self, trace: &Trace, step: usize) -> View {
        let until = folded(trace, step);
        let mut fold = match self.saved.get(until / EVERY) {
            Some(f) if f.done <= until => f.clone(),
            // Not made from this trace: fold from the start rather than show something wrong.
            _ => Fold::new(trace),
        };
        fold.run(trace, until);
        fold.view(trace, step)
    }
}

/// Saved states are derived from the trace, which the player compares on its own.
impl PartialEq for Timeline {
    fn eq(&self, _: &Timeline) -> bool {
        true
    }
}

/// What the node `id` is called in sentences: a mail program by its name, a server by its host.
pub fn who(trace: &Trace, id: &str) -> String {
    match trace.nodes.iter().find(|n| n.id == id) {
        Some(n) if n.id == "dns" => "DNS".to_string(),
        Some(n) if n.role.is_mail_program() || n.host.is_empty() => n.name.clone(),
        Some(n) => n.host.clone(),
        None => id.to_string(),
    }
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match (c.next(), c.clone().next()) {
        (Some(f), Some(n)) if f.is_uppercase() && !n.is_uppercase() => f.to_lowercase().chain(c).collect(),
        _ => s.to_string(),
    }
}

/// One event in words, for the live region and the step caption.
pub fn describe(trace: &Trace, e: &Event) -> String {
    let from = who(trace, &e.from);
    let to = e.to.as_deref().map(|t| who(trace, t)).unwrap_or_default();
    let mut s = match e.kind {
        Kind::Command => format!("{from} sends {} to {to}.", e.label),
        Kind::Data => format!("{from} sends the message itself to {to}: {}.", e.label),
        Kind::Reply => {
            let facts = e.facts.as_ref();
            let title = facts.map(|f| lower_first(f.entry().title)).unwrap_or_default();
            // IMAP's untagged data has no class: its line is the news ("* 1 EXISTS").
            let (status, said) = match (facts.and_then(Facts::status), e.class()) {
                (Some(status), Some(c)) => (status, format!("{}: {title}", c.words())),
                (_, None) => (e.label.clone(), title),
                (None, Some(c)) => (String::new(), format!("{}: {title}", c.words())),
            };
            let pull_greeting = facts.is_some_and(|f| f.protocol().is_some_and(|p| p.pulls()) && f.key() == Some("greeting"));
            let answers = facts
                .and_then(Facts::answers)
                .map(|a| format!(" {a}"))
                .or_else(|| facts.and_then(Facts::pull_answers).map(|v| format!(" to {v}")))
                .or_else(|| pull_greeting.then(|| " as its greeting".to_string()))
                .unwrap_or_default();
            format!("{from} replies {status}{answers} — {said}")
        }
        Kind::DnsQuery => format!("{from} asks DNS: {}", e.label),
        Kind::DnsAnswer => format!("DNS answers {to}: {}", e.label),
        Kind::Connect => format!("{from} connects to {to} ({}).", e.label.trim_start_matches("connect ")),
        Kind::Connected => format!("{from} accepts the connection from {to}."),
        Kind::Close => format!("{from} closes the connection to {to}."),
        Kind::TlsHandshake => format!("{from} and {to} switch to TLS (simulated)."),
        _ => format!("{from}: {}", e.label),
    };
    // A sentence ends once: "asks DNS: example.org MX?" keeps its question mark.
    if !s.ends_with(['.', '?', '!']) {
        s.push('.');
    }
    if e.bounce {
        s.push_str(" (This belongs to a bounce.)");
    }
    if let Some(n) = &e.narration {
        s.push(' ');
        s.push_str(n);
    }
    s
}
