//! The trace: the single record of what happened in a run, read by the page, the CLI and
//! every export. Each event says when (virtual time), who talked to whom, on which layer,
//! the raw bytes, what they mean, the protocol state before and after, and the catalogue key
//! that explains it.
//!
//! The JSON form is versioned ([`TRACE_VERSION`]) and documented in `docs/trace-format.md`.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use super::clock::{format_time, Millis, Span};
use super::spec::ClockSettings;
use crate::smtp::catalogue::{self, ReplySpec};
use crate::smtp::command::Verb;
use crate::smtp::event::Answers;
use crate::smtp::reply::{EnhancedCode, Reply, ReplyClass};
use crate::smtp::state::{State, Transition};

/// Bumped whenever the JSON form changes incompatibly.
pub const TRACE_VERSION: u32 = 4;

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
    /// POP3 commands and responses: a mail program pulling mail (RFC 1939).
    Pop3,
    /// IMAP commands and responses: a mail program reading mail on the server (RFC 9051).
    Imap,
    /// Queue decisions of an MTA: queued, retry scheduled, expired, bounce created.
    Queue,
    /// Final delivery into a mailbox.
    Mailbox,
    /// What a mail program shows its user (errors such as "cannot connect").
    User,
}

impl Layer {
    /// Does this layer pull mail (a mail program fetching from its server with POP3 or IMAP),
    /// rather than push it (SMTP, towards the recipient's server)? Views draw the two apart.
    pub fn pulls(self) -> bool {
        matches!(self, Layer::Pop3 | Layer::Imap)
    }
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
    DkimSigned,
    AuthChecked,
    /// A mail program now has a message (or a part of one) it pulled with POP3 or IMAP.
    Retrieved,
    /// Messages left a mailbox for good (POP3's UPDATE state, RFC 1939 §6).
    Removed,
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
            Kind::DkimSigned => "dkim-signed",
            Kind::AuthChecked => "auth-checked",
            Kind::Retrieved => "retrieved",
            Kind::Removed => "removed",
        }
    }
}

/// The typed facts of a protocol exchange: which command was sent, or which reply, with what
/// the protocol core knew when it happened. One variant per protocol and direction, so a
/// retrieval protocol (POP3, IMAP) is a new variant here and new arms in the few methods
/// below; the views only call those methods (class in words and glyph, status, catalogue
/// entry, what a reply answers, state change) and never match on the protocol.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Facts {
    /// An SMTP command line (RFC 5321 §4.1).
    SmtpCommand { verb: Verb },
    /// An SMTP reply (RFC 5321 §4.2) as the server session sent it.
    SmtpReply(SmtpReply),
    /// A server signed a message it sends (RFC 6376 §5).
    DkimSigned(Box<DkimSigning>),
    /// A receiving server checked who sent a message: SPF, DKIM, DMARC (RFC 7208, RFC 6376 §6,
    /// RFC 7489 §6.6) and wrote `Authentication-Results:` (RFC 8601).
    Authentication(Box<AuthChecks>),
    /// A POP3 command line (RFC 1939 §3) as the mail program sent it.
    Pop3Command { verb: crate::pop3::command::Verb },
    /// A POP3 response (RFC 1939 §3) as the server session sent it.
    Pop3Reply(Pop3Reply),
    /// An IMAP command (RFC 9051 §6) as the mail program sent it; `tag: None` is a line that
    /// continues the command (IDLE's `DONE`, RFC 2177 §3).
    ImapCommand {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        tag: Option<String>,
        verb: crate::imap::command::Verb,
    },
    /// An IMAP response (RFC 9051 §7) as the server session sent it.
    ImapResponse(ImapResponse),
}

/// A POP3 response: the server session knew the catalogue entry and its states; the world
/// knew which command it answers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pop3Reply {
    /// The catalogue entry the server built the response from (written as its key).
    #[serde(with = "pop3_key")]
    pub key: &'static crate::pop3::catalogue::ResponseSpec,
    /// The command it answers (`None`: the greeting, or a line that did not parse).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answers: Option<crate::pop3::command::Verb>,
    pub before: crate::pop3::state::State,
    pub after: crate::pop3::state::State,
}

/// An IMAP response: untagged data or status, a `+` continuation, or the tagged status that
/// ends a command.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImapResponse {
    /// The catalogue entry (written as its key).
    #[serde(with = "imap_key")]
    pub key: &'static crate::imap::catalogue::ResponseSpec,
    /// The tag of a tagged response (`None`: `*` or `+`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
    /// The command a tagged response ends.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answers: Option<crate::imap::command::Verb>,
    pub before: crate::imap::state::State,
    pub after: crate::imap::state::State,
}

/// A POP3 catalogue entry in the JSON is its key.
mod pop3_key {
    use serde::{Deserialize, Deserializer, Serializer};

    use crate::pop3::catalogue::{response_spec, ResponseSpec};

    pub fn serialize<S: Serializer>(k: &&'static ResponseSpec, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(k.key)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<&'static ResponseSpec, D::Error> {
        let k = std::borrow::Cow::<'de, str>::deserialize(d)?;
        // The viewer (no `pull` feature) never reads a trace with retrieval: without this
        // constant the catalogue would be linked into it for nothing.
        if !crate::sim::world::PULL {
            return Err(serde::de::Error::custom("POP3 facts are read by the full build"));
        }
        response_spec(&k).ok_or_else(|| serde::de::Error::custom(format!("no POP3 response is catalogued as {k:?}")))
    }
}

/// An IMAP catalogue entry in the JSON is its key.
mod imap_key {
    use serde::{Deserialize, Deserializer, Serializer};

    use crate::imap::catalogue::{response, ResponseSpec};

    pub fn serialize<S: Serializer>(k: &&'static ResponseSpec, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(k.key)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<&'static ResponseSpec, D::Error> {
        let k = std::borrow::Cow::<'de, str>::deserialize(d)?;
        if !crate::sim::world::PULL {
            return Err(serde::de::Error::custom("IMAP facts are read by the full build"));
        }
        response(&k).ok_or_else(|| serde::de::Error::custom(format!("no IMAP response is catalogued as {k:?}")))
    }
}

/// One tag of a `DKIM-Signature:` field with what it means (RFC 6376 §3.5), for the inspector.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TagNote {
    pub tag: String,
    pub value: String,
    pub meaning: Cow<'static, str>,
}

/// What a signer did: the field it added and the canonicalized data it hashed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DkimSigning {
    pub domain: String,
    pub selector: String,
    pub algorithm: crate::sim::dkim::Algorithm,
    /// The `DKIM-Signature:` field as added (folded, with its CRLFs).
    pub field: String,
    pub tags: Vec<TagNote>,
    /// The canonicalized header fields and body that went into the hashes (§3.7).
    pub hashed_headers: String,
    pub hashed_body: String,
}

/// A receiver's checks of one message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthChecks {
    /// SPF for the MAIL FROM domain (`None`: the receiver does not check SPF).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spf: Option<SpfCheck>,
    pub dkim: Vec<DkimCheck>,
    /// DMARC for the From: domain (`None`: no From: domain to check, said in `note`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dmarc: Option<DmarcCheck>,
    /// Why no DMARC check was made, when none was.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
    /// The `Authentication-Results:` field the receiver added (RFC 8601).
    pub header: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpfCheck {
    pub result: crate::sim::spf::SpfResult,
    /// The MAIL FROM domain checked (empty for the null sender).
    pub domain: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DkimCheck {
    pub result: crate::sim::dkim::DkimResult,
    pub domain: String,
    pub selector: String,
    pub reason: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    pub tags: Vec<TagNote>,
    pub hashed_headers: String,
    pub hashed_body: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DmarcCheck {
    pub result: crate::sim::dmarc::DmarcResult,
    pub from_domain: String,
    /// The policy the domain publishes (`None`: no record).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<crate::sim::dmarc::Disposition>,
    /// What the receiver does with the message.
    pub disposition: crate::sim::dmarc::Disposition,
    pub reason: String,
}

/// An SMTP reply: the server session knew the catalogue entry and the row of the transition
/// table it took; the client session knew what the reply answers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SmtpReply {
    pub code: u16,
    /// The RFC 3463 enhanced status code, when the reply carried one (RFC 2034).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enhanced: Option<EnhancedCode>,
    /// The class of the code's first digit (RFC 5321 §4.2.1).
    pub class: ReplyClass,
    /// The catalogue entry the server built the reply from (written as its key).
    pub key: &'static ReplySpec,
    /// What the reply answers, as the client session knew it (`None`: the client never read it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answers: Option<Answers>,
    /// The row of [`TRANSITIONS`](crate::smtp::state::TRANSITIONS) the server session took (written as its label; `None`: no row
    /// matched, the state stays).
    #[serde(default, skip_serializing_if = "Option::is_none", with = "transition_label")]
    pub transition: Option<&'static Transition>,
    /// The server session's state before and after the reply.
    pub before: State,
    pub after: State,
}

impl SmtpReply {
    /// The facts of `reply`, sent from `spec` with the `transition` taken.
    pub fn new(reply: &Reply, spec: &'static ReplySpec, transition: Option<&'static Transition>, before: State, after: State) -> SmtpReply {
        SmtpReply {
            code: reply.code.0,
            enhanced: reply.enhanced,
            class: reply.class(),
            key: spec,
            answers: None,
            transition,
            before,
            after,
        }
    }
}

/// A catalogue entry of any protocol, as the views show it: a heading (a command's syntax, a
/// reply's meaning), more text (a command's purpose, why a server replies so) and the RFC.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Entry {
    pub title: &'static str,
    pub detail: &'static str,
    pub rfc: &'static str,
}

/// A server session's state before and after a reply, and the table row taken.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StateChange {
    pub before: State,
    pub after: State,
    /// The row of [`TRANSITIONS`](crate::smtp::state::TRANSITIONS) taken (an index into it), if one moved the session.
    pub transition: Option<usize>,
}

impl Facts {
    /// The reply's class, for replies.
    pub fn class(&self) -> Option<ReplyClass> {
        match self {
            Facts::SmtpReply(r) => Some(r.class),
            Facts::Pop3Reply(r) => Some(pop3_class(r.key)),
            Facts::ImapResponse(r) => imap_class(r.key),
            _ => None,
        }
    }

    /// A reply's status as it starts the line: `550 5.1.1`, `354`.
    pub fn status(&self) -> Option<String> {
        match self {
            Facts::SmtpReply(r) => Some(match r.enhanced {
                Some(x) => format!("{} {x}", r.code),
                None => r.code.to_string(),
            }),
            Facts::Pop3Reply(r) => {
                use crate::pop3::response::Status;
                let code = r.key.code.as_ref().map(|c| format!(" [{}]", c.as_str())).unwrap_or_default();
                Some(match (r.key.key == crate::pop3::catalogue::CONTINUE.key, r.key.status) {
                    (true, _) => "+".to_string(),
                    (false, Status::Ok) => "+OK".to_string(),
                    (false, Status::Err) => format!("-ERR{code}"),
                })
            }
            Facts::ImapResponse(r) => Some(match (&r.tag, r.key.status) {
                (Some(t), Some(st)) => format!("{t} {}", st.name()),
                (None, Some(st)) => format!("* {}", st.name()),
                (_, None) if r.key.key.starts_with("cont.") => "+".to_string(),
                (_, None) => "*".to_string(),
            }),
            _ => None,
        }
    }

    /// The catalogue entry behind the command or reply.
    pub fn entry(&self) -> Entry {
        match self {
            Facts::SmtpCommand { verb } => {
                let c = catalogue::command_spec(*verb);
                Entry { title: c.syntax, detail: c.purpose, rfc: c.rfc }
            }
            Facts::SmtpReply(r) => Entry { title: r.key.meaning, detail: r.key.why, rfc: r.key.rfc },
            // Without the `pull` feature (the viewer) no trace has these facts; the constant lets
            // the optimiser drop the retrieval catalogues from that build.
            Facts::Pop3Command { .. } | Facts::ImapCommand { .. } if !crate::sim::world::PULL => Entry {
                title: "POP3/IMAP command",
                detail: "A mail program's command to its server; this build explains retrieval in the studio.",
                rfc: "RFC 1939, RFC 9051",
            },
            Facts::Pop3Command { verb } => {
                let c = crate::pop3::catalogue::command_spec(*verb);
                Entry { title: c.syntax, detail: c.purpose, rfc: c.rfc }
            }
            Facts::Pop3Reply(r) => Entry { title: r.key.meaning, detail: r.key.why, rfc: r.key.rfc },
            Facts::ImapCommand { tag: None, verb: crate::imap::command::Verb::Idle } => Entry {
                title: "DONE",
                detail: "Ends IDLE: the client stops waiting for news and may send commands again; the server answers the IDLE command's tag with OK.",
                rfc: "RFC 2177 §3",
            },
            Facts::ImapCommand { tag: None, .. } => Entry {
                title: "literal",
                detail: "The octets of a literal, sent after the server's + invited them (the {n} before it counted them).",
                rfc: "RFC 9051 §4.3",
            },
            Facts::ImapCommand { verb, .. } => {
                let c = crate::imap::catalogue::command(*verb);
                Entry { title: c.syntax, detail: c.purpose, rfc: c.rfc }
            }
            Facts::ImapResponse(r) => Entry { title: r.key.meaning, detail: r.key.why, rfc: r.key.rfc },
            Facts::DkimSigned(_) => Entry {
                title: "DKIM signature added",
                detail: "The sending server hashes the body and the header fields named in h=, signs the hash with its private key and puts the result in a DKIM-Signature: field; anyone can fetch the public key from DNS and check that the signing domain really sent these bytes.",
                rfc: "RFC 6376 §5",
            },
            Facts::Authentication(_) => Entry {
                title: "Who sent this? SPF, DKIM and DMARC",
                detail: "SPF checks the connecting address against the MAIL FROM domain, DKIM checks signatures against keys in DNS, and DMARC asks whether either verified domain aligns with the From: domain the reader sees; the results go into Authentication-Results:.",
                rfc: "RFC 7489 §6.6, RFC 8601",
            },
        }
    }

    /// The catalogue key of a reply (`rcpt.unknown_user`), which narration may name.
    pub fn key(&self) -> Option<&'static str> {
        match self {
            Facts::SmtpReply(r) => Some(r.key.key),
            Facts::Pop3Reply(r) => Some(r.key.key),
            Facts::ImapResponse(r) => Some(r.key.key),
            _ => None,
        }
    }

    /// The command's verb as written on the wire (`RCPT`), which narration names as `cmd:RCPT`.
    pub fn verb(&self) -> Option<&'static str> {
        match self {
            Facts::SmtpCommand { verb } => Some(verb.as_str()),
            Facts::Pop3Command { verb } => Some(verb.keyword()),
            Facts::ImapCommand { tag: Some(_), verb } => Some(verb.name()),
            _ => None,
        }
    }

    /// The reply's code (`550`), which narration names as `reply:550`.
    pub fn code(&self) -> Option<u16> {
        match self {
            Facts::SmtpReply(r) => Some(r.code),
            _ => None,
        }
    }

    /// What a reply answers, for sentences ("to RCPT", "as its greeting") and as a noun.
    pub fn answers(&self) -> Option<Answers> {
        match self {
            Facts::SmtpReply(r) => r.answers,
            _ => None,
        }
    }

    /// Which protocol's exchange this is (`None`: not a command or reply).
    pub fn protocol(&self) -> Option<Protocol> {
        match self {
            Facts::SmtpCommand { .. } | Facts::SmtpReply(_) => Some(Protocol::Smtp),
            Facts::Pop3Command { .. } | Facts::Pop3Reply(_) => Some(Protocol::Pop3),
            Facts::ImapCommand { .. } | Facts::ImapResponse(_) => Some(Protocol::Imap),
            Facts::DkimSigned(_) | Facts::Authentication(_) => None,
        }
    }

    /// The command a POP3 or IMAP response answers, as written on the wire (`RETR`, `FETCH`).
    pub fn pull_answers(&self) -> Option<&'static str> {
        match self {
            Facts::Pop3Reply(r) => r.answers.map(crate::pop3::command::Verb::keyword),
            Facts::ImapResponse(r) => r.answers.map(crate::imap::command::Verb::name),
            _ => None,
        }
    }

    /// A POP3 or IMAP server session's states before and after a response, in the RFC's words
    /// (`AUTHORIZATION` → `TRANSACTION`; `Authenticated` → `Selected`).
    pub fn pull_states(&self) -> Option<(&'static str, &'static str)> {
        match self {
            Facts::Pop3Reply(r) => Some((r.before.rfc_name(), r.after.rfc_name())),
            Facts::ImapResponse(r) => Some((r.before.name(), r.after.name())),
            _ => None,
        }
    }

    /// The SMTP server's state change, for the state diagram drawn from [`TRANSITIONS`](crate::smtp::state::TRANSITIONS).
    pub fn state_change(&self) -> Option<StateChange> {
        match self {
            Facts::SmtpReply(r) => {
                Some(StateChange { before: r.before, after: r.after, transition: r.transition.and_then(Transition::index) })
            }
            _ => None,
        }
    }
}

/// The protocol of a command or reply: SMTP pushes mail towards the recipient's server, POP3
/// and IMAP pull it from there to the recipient's mail program.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Protocol {
    Smtp,
    Pop3,
    Imap,
}

impl Protocol {
    /// Does this protocol pull mail (from the server to the mail program)?
    pub fn pulls(self) -> bool {
        !matches!(self, Protocol::Smtp)
    }
    pub fn name(self) -> &'static str {
        match self {
            Protocol::Smtp => "SMTP",
            Protocol::Pop3 => "POP3",
            Protocol::Imap => "IMAP",
        }
    }
}

/// A POP3 response's class: `+OK` done, `+ ` go on (AUTH), `-ERR` with a temporary response
/// code (RFC 2449 §8.1 `[IN-USE]`, `[LOGIN-DELAY]`, RFC 3206 §4 `[SYS/TEMP]`) try later, any
/// other `-ERR` failed.
fn pop3_class(spec: &crate::pop3::catalogue::ResponseSpec) -> ReplyClass {
    use crate::pop3::response::{RespCode, Status};
    if spec.key == crate::pop3::catalogue::CONTINUE.key {
        return ReplyClass::Intermediate;
    }
    match (spec.status, &spec.code) {
        (Status::Ok, _) => ReplyClass::Completed,
        (Status::Err, Some(RespCode::InUse | RespCode::LoginDelay | RespCode::SysTemp)) => ReplyClass::Transient,
        (Status::Err, _) => ReplyClass::Permanent,
    }
}

/// An IMAP response's class: OK/PREAUTH done, `+` go on, NO/BAD failed (RFC 9051 §7.1); BYE
/// (the server is closing, after LOGOUT too) and untagged data have none.
fn imap_class(spec: &crate::imap::catalogue::ResponseSpec) -> Option<ReplyClass> {
    use crate::imap::response::Status;
    match spec.status {
        Some(Status::Ok | Status::PreAuth) => Some(ReplyClass::Completed),
        Some(Status::No | Status::Bad) => Some(ReplyClass::Permanent),
        Some(Status::Bye) => None,
        None if spec.key.starts_with("cont.") => Some(ReplyClass::Intermediate),
        None => None,
    }
}

/// A transition row in the JSON is its label (labels are unique, a test checks it).
mod transition_label {
    use serde::{Deserialize, Deserializer, Serializer};

    use crate::smtp::state::Transition;

    pub fn serialize<S: Serializer>(t: &Option<&'static Transition>, s: S) -> Result<S::Ok, S::Error> {
        match t {
            Some(t) => s.serialize_some(t.label),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<&'static Transition>, D::Error> {
        match <Option<std::borrow::Cow<'de, str>>>::deserialize(d)? {
            None => Ok(None),
            Some(l) => {
                Transition::by_label(&l).map(Some).ok_or_else(|| serde::de::Error::custom(format!("no transition row is labelled {l:?}")))
            }
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
    /// What it means, in plain words. Empty for commands and replies: their catalogue entry
    /// ([`Event::entry`]) says it, looked up when shown.
    #[serde(default, skip_serializing_if = "str::is_empty")]
    pub meaning: Cow<'static, str>,
    /// Key of an event that is not a command or reply (`bounce-created`, `tls-handshake`, …);
    /// a reply's catalogue key is in its `facts`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<Cow<'static, str>>,
    /// The typed facts of a command or reply.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub facts: Option<Facts>,
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

impl Event {
    /// The reply class, for replies.
    pub fn class(&self) -> Option<ReplyClass> {
        self.facts.as_ref().and_then(Facts::class)
    }

    /// The catalogue key: a reply's entry, or the event's own key.
    pub fn key(&self) -> Option<&str> {
        self.facts.as_ref().and_then(Facts::key).or(self.key.as_deref())
    }

    /// The catalogue entry behind a command or reply.
    pub fn entry(&self) -> Option<Entry> {
        self.facts.as_ref().map(Facts::entry)
    }

    /// What it means in one paragraph: the event's own meaning, or the catalogue's meaning,
    /// why and RFC section of a reply, or a command's purpose and RFC section.
    pub fn meaning(&self) -> Cow<'static, str> {
        match &self.facts {
            Some(f @ (Facts::SmtpReply(_) | Facts::Pop3Reply(_) | Facts::ImapResponse(_))) => {
                let x = f.entry();
                Cow::Owned(format!("{} {} ({})", x.title, x.detail, x.rfc))
            }
            Some(f @ (Facts::SmtpCommand { .. } | Facts::Pop3Command { .. } | Facts::ImapCommand { .. })) => {
                let x = f.entry();
                Cow::Owned(format!("{} ({})", x.detail, x.rfc))
            }
            _ => self.meaning.clone(),
        }
    }
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

/// What a node is, from its spec; [`NodeRole::words`] says it ("mail program (MUA)", "relay
/// (MTA), MX / mailbox server", …).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum NodeRole {
    /// A mail program (MUA); `port25`: it submits on port 25 instead of 587; `direct`: it has
    /// no outgoing server and delivers to the recipient's MX itself (a "sending host", RFC 5321
    /// Appendix D).
    MailProgram { port25: bool, direct: bool },
    /// A mail server: what it does (none of these: a plain "mail server"); `pop3`, `imap`: mail
    /// programs read its mailboxes with POP3 (port 110) or IMAP (port 143).
    Server {
        submission: bool,
        relay: Relay,
        mx: bool,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        pop3: bool,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        imap: bool,
    },
    /// The DNS pseudo-node.
    NameServers,
}

/// Whether a server relays mail for others.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Relay {
    No,
    /// For its own users or networks (an MTA).
    Yes,
    /// For anyone: an open relay.
    Open,
}

impl NodeRole {
    /// A mail program: its lane comes first and sentences call it by its name.
    pub fn is_mail_program(self) -> bool {
        matches!(self, NodeRole::MailProgram { .. })
    }

    /// The role in words, as the node boxes and lane headers show it.
    pub fn words(self) -> Cow<'static, str> {
        match self {
            NodeRole::MailProgram { direct: true, .. } => "mail program (sending host) delivering to the MX itself on port 25".into(),
            NodeRole::MailProgram { port25: true, .. } => "mail program (MUA) sending on port 25".into(),
            NodeRole::MailProgram { port25: false, .. } => "mail program (MUA)".into(),
            NodeRole::NameServers => "name servers".into(),
            NodeRole::Server { submission: false, relay: Relay::No, mx: false, pop3: false, imap: false } => "mail server".into(),
            NodeRole::Server { submission, relay, mx, pop3, imap } => {
                let relay = match relay {
                    Relay::No => None,
                    Relay::Yes => Some("relay (MTA)"),
                    Relay::Open => Some("OPEN relay"),
                };
                // RFC 1939 §3 (POP3 on 110), RFC 9051 §2.1 (IMAP on 143): mail is read out here.
                let reading = match (pop3, imap) {
                    (true, true) => Some("POP3 and IMAP server"),
                    (true, false) => Some("POP3 server"),
                    (false, true) => Some("IMAP server"),
                    (false, false) => None,
                };
                let parts: Vec<&str> = [submission.then_some("submission server"), relay, mx.then_some("MX / mailbox server"), reading]
                    .into_iter()
                    .flatten()
                    .collect();
                parts.join(", ").into()
            }
        }
    }
}

impl std::fmt::Display for NodeRole {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.words())
    }
}

/// A node as the views show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeInfo {
    pub id: String,
    pub name: String,
    pub role: NodeRole,
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
    /// Its UID in the server's mail store, when the node serves POP3 or IMAP to a mail program
    /// of the scenario (RFC 9051 §2.3.1.1; POP3's UIDL id is `UIDVALIDITY.UID`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uid: Option<u32>,
    /// The `seq` of the event after which it is \\Seen (a POP3 RETR or an IMAP STORE).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seen: Option<usize>,
    /// The `seq` of the event that removed it from the mailbox (POP3's UPDATE after DELE).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub removed: Option<usize>,
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
    /// The scenario's clock values that are shorter than the RFCs ask, said on screen and in
    /// the transcript header (see [`Shortcut`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub shortcuts: Vec<Shortcut>,
}

impl Trace {
    /// The narrated transcript, one line per event (what `smtp-sim run` prints).
    pub fn transcript(&self) -> String {
        let mut out = String::new();
        out.push_str(&format!("# {} — {}\n# {}\n", self.scenario, self.title, self.goal));
        for s in &self.shortcuts {
            out.push_str(&format!("# Compressed for the demo: {}\n", s.sentence()));
        }
        for e in &self.events {
            let arrow = match &e.to {
                Some(to) => format!("{} → {}", e.from, to),
                None => e.from.clone(),
            };
            let tag = match e.class() {
                Some(o) => format!(" [{}]", o.words()),
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
        Layer::Pop3 => "POP3",
        Layer::Imap => "IMAP",
        Layer::Queue => "QUEUE",
        Layer::Mailbox => "MBOX",
        Layer::User => "USER",
    }
}

/// A clock value of the scenario that compresses what an RFC asks for, so a demo does not take
/// days (RFC 5321 §4.5.4.1, §6.3). Derived from the scenario's values by [`Shortcut::of`], never
/// written by hand; RFC-true values (the defaults of `ClockSettings`) give none.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum Shortcut {
    /// The shortest delay between delivery attempts is under 30 minutes.
    RetryInterval { shortest: Span },
    /// The queue gives up before 4 days.
    GiveUp { after: Span },
    /// Loop detection refuses a message with fewer than 100 `Received:` lines.
    LoopThreshold { max_received: usize },
}

/// RFC 5321 §4.5.4.1: "the retry interval SHOULD be at least 30 minutes".
pub const RFC_MIN_RETRY: Span = Span::mins(30);
/// RFC 5321 §4.5.4.1: "the give-up time generally needs to be at least 4-5 days".
pub const RFC_MIN_GIVE_UP: Span = Span(4 * 86_400_000);
/// RFC 5321 §6.3: "a large rejection threshold, normally at least 100 Received entries".
pub const RFC_MIN_RECEIVED: usize = 100;

impl Shortcut {
    /// The shortcuts a scenario's clock takes, in a fixed order.
    pub fn of(clock: &ClockSettings) -> Vec<Shortcut> {
        let mut out = Vec::new();
        if let Some(&shortest) = clock.retry.iter().min() {
            if shortest < RFC_MIN_RETRY {
                out.push(Shortcut::RetryInterval { shortest });
            }
        }
        if clock.expire_after < RFC_MIN_GIVE_UP {
            out.push(Shortcut::GiveUp { after: clock.expire_after });
        }
        if clock.max_received < RFC_MIN_RECEIVED {
            out.push(Shortcut::LoopThreshold { max_received: clock.max_received });
        }
        out
    }

    /// One sentence for the screen and the transcript.
    pub fn sentence(&self) -> String {
        match self {
            Shortcut::RetryInterval { shortest } => format!("Retries may come {shortest} after a failure; RFC 5321 §4.5.4.1 says at least 30 minutes."),
            Shortcut::GiveUp { after } => format!("The queue gives up after {after}; RFC 5321 §4.5.4.1 says at least 4–5 days."),
            Shortcut::LoopThreshold { max_received } => format!("Loop detection refuses a message with {max_received} Received: lines; RFC 5321 §6.3 says normally at least {RFC_MIN_RECEIVED}."),
        }
    }
}
