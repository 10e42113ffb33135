//! The trace: the single record of what happened in a run, read by the page, the CLI and
//! every export. Each event says when (virtual time), who talked to whom, on which layer,
//! the raw bytes, what they mean, the protocol state before and after, and the catalogue key
//! that explains it.
//!
//! The JSON form is versioned ([`TRACE_VERSION`]) and documented in `docs/trace-format.md`.

use serde::{Deserialize, Serialize};

use super::clock::{format_time, Millis};

/// Bumped whenever the JSON form changes incompatibly.
pub const TRACE_VERSION: u32 = 2;

/// Which layer of the mail system an event belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Layer {
    /// A DNS query and its answer.
    Dns,
    /// Connections opened, refused, timed out, closed; the simulated TLS handshake.
    Tcp,
    /// SMTP commands, replies and message data.
    Smtp,
    /// Queue decisions of an MTA: queued, retry scheduled, expired, bounce created.
    Queue,
    /// Final delivery into a mailbox.
    Mailbox,
    /// What a mail program shows its user (errors such as "cannot connect").
    User,
}

/// What kind of event this is (the UI picks icons and arrow styles from it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    DnsQuery,
    DnsAnswer,
    Connect,
    Connected,
    ConnectFailed,
    Close,
    TlsHandshake,
    Command,
    Reply,
    Data,
    Queued,
    RetryScheduled,
    DeliveryFailed,
    Expired,
    BounceCreated,
    Delivered,
    /// The user of a mail program presses Send.
    Send,
    UserNotice,
}

impl Kind {
    /// The kind as written in the JSON trace (kebab-case), used for CSS classes and narration.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::DnsQuery => "dns-query",
            Kind::DnsAnswer => "dns-answer",
            Kind::Connect => "connect",
            Kind::Connected => "connected",
            Kind::ConnectFailed => "connect-failed",
            Kind::Close => "close",
            Kind::TlsHandshake => "tls-handshake",
            Kind::Command => "command",
            Kind::Reply => "reply",
            Kind::Data => "data",
            Kind::Queued => "queued",
            Kind::RetryScheduled => "retry-scheduled",
            Kind::DeliveryFailed => "delivery-failed",
            Kind::Expired => "expired",
            Kind::BounceCreated => "bounce-created",
            Kind::Delivered => "delivered",
            Kind::Send => "send",
            Kind::UserNotice => "user-notice",
        }
    }
}

/// Who sent the reply, for reply-class display: 2xx done, 3xx go on, 4xx try later, 5xx failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Done,
    GoOn,
    TryLater,
    Failed,
}

impl Outcome {
    pub fn from_code(code: u16) -> Outcome {
        match code / 100 {
            2 => Outcome::Done,
            3 => Outcome::GoOn,
            4 => Outcome::TryLater,
            _ => Outcome::Failed,
        }
    }
    /// The word shown next to a reply (never colour alone).
    pub fn word(self) -> &'static str {
        match self {
            Outcome::Done => "done",
            Outcome::GoOn => "go on",
            Outcome::TryLater => "try later",
            Outcome::Failed => "failed",
        }
    }
}

/// One thing that happened.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// Position in the trace, from 0.
    pub seq: usize,
    /// Virtual time in milliseconds since the start.
    pub time: Millis,
    /// The node that acted or sent.
    pub from: String,
    /// The node that receives, for messages between nodes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    pub layer: Layer,
    pub kind: Kind,
    /// The connection this belongs to, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conn: Option<u32>,
    /// A one-line label, e.g. `RCPT TO:<bob@example.org>` or `550 5.1.1 …`.
    pub label: String,
    /// The exact bytes on the wire, when any (lossless for UTF-8; other bytes as U+FFFD).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raw: Option<String>,
    /// What it means, in plain words.
    pub meaning: String,
    /// Protocol state of the acting side before and after, when it changed or matters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<(String, String)>,
    /// Key into the teaching catalogue (a reply key such as `rcpt-unknown-user`, or a command
    /// verb such as `cmd-rcpt`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// Reply class, for replies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<Outcome>,
    /// True for everything that carries or belongs to a bounce (DSN), so views can set it apart.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub bounce: bool,
    /// The scenario's story line for this step, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub narration: Option<String>,
    /// The queue job this event changed, as it is after the event (see [`JobNote`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job: Option<JobNote>,
}

/// A queue job as it is right after an event changed it. A job is one message held by one node
/// for one destination domain (the recipients of another domain are another job). The note is set
/// on `queued`, `retry-scheduled`, `delivery-failed`, `expired` and `bounce-created` events, and on
/// the 2xx reply to the end of the data of a delivery attempt (the next server took responsibility
/// for the recipients it accepted, RFC 5321 §6.1). So the latest note of each job up to a step is
/// that job's state at the step, and the jobs whose `waiting` is not empty are the queue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobNote {
    /// The job's number, from 0 in the order jobs were created in the run.
    pub id: u32,
    /// The node whose queue holds it.
    pub node: String,
    /// The message number, as in [`QueueEntry::message`].
    pub message: u32,
    /// Recipients still waiting for delivery, in the job's order.
    pub waiting: Vec<String>,
    /// Delivery attempts that failed temporarily so far.
    pub attempts: u32,
    /// When the next attempt is due, if one is scheduled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_attempt: Option<Millis>,
    /// The last temporary error, in words (with the reply when a server answered).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
    /// The waiting message is a bounce (null reverse-path).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub is_bounce: bool,
    /// A delay warning (a DSN with Action: delayed, RFC 3464 §2.3.3) went to the sender.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub warned: bool,
}

/// A node as the views show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeInfo {
    pub id: String,
    pub name: String,
    /// "mail program", "relay", "MX", …
    pub role: String,
    pub host: String,
    pub address: String,
    pub domains: Vec<String>,
}

/// A message stored in a mailbox at the end of the run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredMessage {
    /// The `seq` of the `delivered` event that stored it (so a view knows from which step on the
    /// mailbox holds it).
    #[serde(default)]
    pub seq: usize,
    pub node: String,
    pub mailbox: String,
    /// Envelope sender (`""` for the null reverse-path of a bounce).
    pub mail_from: String,
    pub rcpt_to: String,
    pub time: Millis,
    pub is_bounce: bool,
    /// The full message as stored (with Return-Path and Received lines).
    pub raw: String,
}

/// A queue entry still waiting at the end of the run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueEntry {
    pub node: String,
    pub message: u32,
    pub recipient: String,
    pub attempts: u32,
    pub next_attempt: Option<Millis>,
    pub last_error: Option<String>,
    /// The waiting message is a bounce (null reverse-path).
    pub is_bounce: bool,
}

/// Counts over the whole run. Every message recipient ends in exactly one of delivered /
/// bounced / queued / refused in session / not sent, and every bounce in one of delivered /
/// bounced (double bounce) / queued (the no-loss property tests check this).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// Recipients whose message was delivered into a mailbox (bounces not counted here).
    pub delivered: usize,
    /// Bounces (DSNs) delivered into the envelope sender's mailbox (or postmaster's).
    pub bounces_delivered: usize,
    /// Recipient failures reported with a DSN.
    pub bounced: usize,
    /// Recipients (and bounces) still queued when the run ended.
    pub queued: usize,
    /// Recipients a server refused during the mail program's own session (greeting, AUTH, MAIL,
    /// RCPT or DATA): the user sees the error at once, so there is no bounce (RFC 5321 §3.6.3, §6.1).
    pub refused_in_session: usize,
    /// Recipients the mail program never sent: it could not connect, or an address was not valid.
    pub not_sent: usize,
    /// Failures that could not be reported (a bounce of a bounce: RFC 5321 §6.1), sent to postmaster
    /// or dropped.
    pub double_bounces: usize,
    /// Recipient failures not reported because the sender's NOTIFY did not ask (NOTIFY=NEVER,
    /// or a list without FAILURE: RFC 3461 §4.1).
    #[serde(default)]
    pub unnotified: usize,
}

impl Summary {
    /// The counts in words, as the transcript and the exported SVG end.
    pub fn sentence(&self) -> String {
        let dsn = |n: usize, what: &str| format!("{n} {what}{}", if n == 1 { "" } else { "s" });
        format!(
            "{} delivered, {} bounced, {} still queued, {} refused in session, {} not sent; {} delivered, {}",
            self.delivered,
            self.bounced,
            self.queued,
            self.refused_in_session,
            self.not_sent,
            dsn(self.bounces_delivered, "bounce"),
            dsn(self.double_bounces, "double bounce")
        ) + &if self.unnotified > 0 { format!("; {} failed without a report (NOTIFY)", self.unnotified) } else { String::new() }
    }
}

/// A complete run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trace {
    pub version: u32,
    pub scenario: String,
    pub title: String,
    pub goal: String,
    pub nodes: Vec<NodeInfo>,
    pub events: Vec<Event>,
    pub mailboxes: Vec<StoredMessage>,
    pub queue: Vec<QueueEntry>,
    pub summary: Summary,
    /// Virtual time of the last event.
    pub end: Millis,
}

impl Trace {
    /// The narrated transcript, one line per event (what `smtp-sim run` prints).
    pub fn transcript(&self) -> String {
        let mut out = String::new();
        out.push_str(&format!("# {} — {}\n# {}\n", self.scenario, self.title, self.goal));
        for e in &self.events {
            let arrow = match &e.to {
                Some(to) => format!("{} → {}", e.from, to),
                None => e.from.clone(),
            };
            let tag = match e.outcome {
                Some(o) => format!(" [{}]", o.word()),
                None => String::new(),
            };
            let bounce = if e.bounce { " (bounce)" } else { "" };
            out.push_str(&format!("{} {:<5} {}: {}{}{}\n", format_time(e.time), layer_name(e.layer), arrow, e.label, tag, bounce));
            if let Some(n) = &e.narration {
                out.push_str(&format!("{:14}» {}\n", "", n));
            }
        }
        out.push_str(&format!("# end {}: {}\n", format_time(self.end), self.summary.sentence()));
        out
    }
}

pub fn layer_name(l: Layer) -> &'static str {
    match l {
        Layer::Dns => "DNS",
        Layer::Tcp => "TCP",
        Layer::Smtp => "SMTP",
        Layer::Queue => "QUEUE",
        Layer::Mailbox => "MBOX",
        Layer::User => "USER",
    }
}
