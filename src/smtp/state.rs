//! The server session's states and its transition table, as plain data.
//!
//! [`TRANSITIONS`] is the one table the server session obeys — `server.rs` asks
//! [`next_state`] after every reply — and the one the UI draws as a state diagram, so picture
//! and behaviour cannot drift apart (the idea of h11's `_state.py`). [`SEQUENCE_RULES`] lists
//! the commands that are out of sequence in a state and the reply they get (RFC 5321 §4.1.4,
//! §4.3.2).
//!
//! Anything that has no row leaves the state unchanged: NOOP, VRFY, HELP, and every refused
//! command that is not listed.

use serde::{Deserialize, Serialize};

use super::catalogue::{self, ReplySpec};
use super::command::Verb;
use super::reply::ReplyClass;

/// Where a server session is. Written (by `Display` and in the trace's JSON) by its name:
/// `Connected`, `Rcpt`, ….
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum State {
    /// The 220 greeting was sent; waiting for EHLO/HELO (again, after STARTTLS).
    Connected,
    /// The connection opened with 554: only QUIT is accepted (RFC 5321 §3.1).
    NoService,
    /// Greeted (EHLO/HELO accepted), no transaction open.
    Ready,
    /// MAIL accepted: a transaction with a reverse-path, no recipient yet.
    Mail,
    /// At least one RCPT accepted.
    Rcpt,
    /// 354 sent: the message text is being received.
    Data,
    /// A BDAT chunk of known size is being received (RFC 3030).
    Bdat,
    /// Between BDAT chunks: the transaction goes on with BDAT until LAST (RFC 3030).
    Chunking,
    /// A 334 challenge was sent: the next line is an AUTH response (RFC 4954).
    Auth,
    /// 220 to STARTTLS was sent: the (simulated) TLS handshake happens now (RFC 3207).
    TlsHandshake,
    /// The connection is closed.
    Closed,
}

impl State {
    pub const ALL: [State; 11] = [
        State::Connected,
        State::NoService,
        State::Ready,
        State::Mail,
        State::Rcpt,
        State::Data,
        State::Bdat,
        State::Chunking,
        State::Auth,
        State::TlsHandshake,
        State::Closed,
    ];

    /// A mail transaction is open (RFC 5321 §3.3).
    pub fn in_transaction(self) -> bool {
        matches!(self, State::Mail | State::Rcpt | State::Data | State::Bdat | State::Chunking)
    }
}

impl std::fmt::Display for State {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self, f)
    }
}

/// What happened to make the session move.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Trigger {
    /// A command line with this verb was answered.
    Command(Verb),
    /// `CRLF.CRLF` ended the message and was answered.
    EndOfData,
    /// A BDAT chunk (not LAST) was read and answered.
    Chunk,
    /// The BDAT LAST chunk was read and answered.
    LastChunk,
    /// A line of the AUTH exchange was answered.
    AuthResponse,
    /// The (simulated) TLS handshake completed.
    TlsEstablished,
    /// The server sent 421 and closes (shutdown, too many errors).
    Shutdown,
}

/// Which replies a row applies to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum When {
    /// Any reply (or none, for triggers that have no reply of their own).
    Always,
    /// A reply of this class.
    Class(ReplyClass),
    /// Any 4yz or 5yz reply.
    Refused,
    /// No reply yet: the command is accepted silently (BDAT's chunk follows; AUTH's initial
    /// response is answered as a response).
    NoReply,
}

impl When {
    fn matches(self, class: Option<ReplyClass>) -> bool {
        match self {
            When::Always => true,
            When::Class(c) => class == Some(c),
            When::Refused => matches!(class, Some(ReplyClass::Transient | ReplyClass::Permanent)),
            When::NoReply => class.is_none(),
        }
    }
}

/// One edge of the state diagram: from any of `from`, on `on`, when the reply is `when`, go to
/// `to`.
#[derive(Debug, PartialEq, Eq, Serialize)]
pub struct Transition {
    pub from: &'static [State],
    pub on: Trigger,
    pub when: When,
    pub to: State,
    /// A short label for the diagram.
    pub label: &'static str,
    pub rfc: &'static str,
}

impl Transition {
    /// This row's position in [`TRANSITIONS`] (`None` for a row that is not in the table).
    pub fn index(&'static self) -> Option<usize> {
        TRANSITIONS.iter().position(|t| std::ptr::eq(t, self))
    }

    /// The row whose `label` is `label` (labels are unique; the trace writes a row by its label).
    pub fn by_label(label: &str) -> Option<&'static Transition> {
        TRANSITIONS.iter().find(|t| t.label == label)
    }
}

use ReplyClass::{Completed as Ok2, Intermediate as Go3};
use State::*;

const OPEN: &[State] = &[Connected, Ready, Mail, Rcpt, Chunking];
const ANY_LIVE: &[State] = &[Connected, NoService, Ready, Mail, Rcpt, Data, Bdat, Chunking, Auth, TlsHandshake];

/// The transition table (first matching row wins). A `static`, so a `&'static Transition` the
/// server took points into it (see [`Transition::index`]).
pub static TRANSITIONS: &[Transition] = &[
    Transition {
        from: OPEN,
        on: Trigger::Command(Verb::Ehlo),
        when: When::Class(Ok2),
        to: Ready,
        label: "EHLO → 250 (extensions; resets transaction)",
        rfc: "RFC 5321 §4.1.1.1, §4.1.4",
    },
    Transition {
        from: OPEN,
        on: Trigger::Command(Verb::Helo),
        when: When::Class(Ok2),
        to: Ready,
        label: "HELO → 250 (resets transaction)",
        rfc: "RFC 5321 §4.1.1.1, §4.1.4",
    },
    Transition {
        from: &[Ready],
        on: Trigger::Command(Verb::Mail),
        when: When::Class(Ok2),
        to: Mail,
        label: "MAIL FROM → 250",
        rfc: "RFC 5321 §4.1.1.2",
    },
    Transition {
        from: &[Mail],
        on: Trigger::Command(Verb::Rcpt),
        when: When::Class(Ok2),
        to: Rcpt,
        label: "first RCPT TO → 250",
        rfc: "RFC 5321 §4.1.1.3",
    },
    Transition {
        from: &[Rcpt],
        on: Trigger::Command(Verb::Rcpt),
        when: When::Class(Ok2),
        to: Rcpt,
        label: "another RCPT TO → 250",
        rfc: "RFC 5321 §4.1.1.3",
    },
    Transition {
        from: &[Rcpt],
        on: Trigger::Command(Verb::Data),
        when: When::Class(Go3),
        to: Data,
        label: "DATA → 354",
        rfc: "RFC 5321 §4.1.1.4",
    },
    Transition {
        from: &[Data],
        on: Trigger::EndOfData,
        when: When::Always,
        to: Ready,
        label: "CRLF.CRLF → 250 / 5yz (transaction ends)",
        rfc: "RFC 5321 §4.1.1.4",
    },
    Transition {
        from: &[Rcpt, Chunking],
        on: Trigger::Command(Verb::Bdat),
        when: When::NoReply,
        to: Bdat,
        label: "BDAT n → read n octets",
        rfc: "RFC 3030 §2",
    },
    Transition { from: &[Bdat], on: Trigger::Chunk, when: When::Class(Ok2), to: Chunking, label: "chunk → 250", rfc: "RFC 3030 §2" },
    Transition {
        from: &[Bdat],
        on: Trigger::Chunk,
        when: When::Refused,
        to: Ready,
        label: "chunk → 4yz/5yz (transaction failed)",
        rfc: "RFC 3030 §2",
    },
    Transition {
        from: &[Bdat],
        on: Trigger::LastChunk,
        when: When::Always,
        to: Ready,
        label: "BDAT LAST chunk → 250 / 5yz (transaction ends)",
        rfc: "RFC 3030 §2",
    },
    Transition {
        from: &[Mail, Rcpt, Chunking],
        on: Trigger::Command(Verb::Rset),
        when: When::Class(Ok2),
        to: Ready,
        label: "RSET → 250 (transaction aborted)",
        rfc: "RFC 5321 §4.1.1.5",
    },
    Transition {
        from: &[Ready],
        on: Trigger::Command(Verb::StartTls),
        when: When::Class(Ok2),
        to: TlsHandshake,
        label: "STARTTLS → 220",
        rfc: "RFC 3207 §4",
    },
    Transition {
        from: &[TlsHandshake],
        on: Trigger::TlsEstablished,
        when: When::Always,
        to: Connected,
        label: "TLS up: all state forgotten, EHLO again",
        rfc: "RFC 3207 §4.2",
    },
    Transition {
        from: &[Ready],
        on: Trigger::Command(Verb::Auth),
        when: When::Class(Go3),
        to: Auth,
        label: "AUTH → 334 challenge",
        rfc: "RFC 4954 §4",
    },
    Transition {
        from: &[Ready],
        on: Trigger::Command(Verb::Auth),
        when: When::NoReply,
        to: Auth,
        label: "AUTH with initial response",
        rfc: "RFC 4954 §4",
    },
    Transition {
        from: &[Auth],
        on: Trigger::AuthResponse,
        when: When::Class(Go3),
        to: Auth,
        label: "response → 334 next challenge",
        rfc: "RFC 4954 §4",
    },
    Transition {
        from: &[Auth],
        on: Trigger::AuthResponse,
        when: When::Always,
        to: Ready,
        label: "response → 235 / 535 / 501",
        rfc: "RFC 4954 §4, §6",
    },
    Transition {
        from: &[Connected, NoService, Ready, Mail, Rcpt, Chunking],
        on: Trigger::Command(Verb::Quit),
        when: When::Class(Ok2),
        to: Closed,
        label: "QUIT → 221",
        rfc: "RFC 5321 §4.1.1.10",
    },
    Transition { from: ANY_LIVE, on: Trigger::Shutdown, when: When::Always, to: Closed, label: "421 → closed", rfc: "RFC 5321 §3.8" },
];

/// The state after `trigger` was answered with a reply of `class` (`None`: no reply), or
/// `None` when no row matches (the state stays).
pub fn next_state(from: State, trigger: Trigger, class: Option<ReplyClass>) -> Option<&'static Transition> {
    TRANSITIONS.iter().find(|t| t.on == trigger && t.from.contains(&from) && t.when.matches(class))
}

/// A command that is out of sequence in some states, and the reply it gets there.
#[derive(Debug, PartialEq, Eq)]
pub struct SequenceRule {
    pub verb: Verb,
    pub states: &'static [State],
    pub reply: &'static ReplySpec,
}

/// Out-of-sequence commands (RFC 5321 §4.1.4, §4.3.2; RFC 4954 §4; RFC 3030 §2). The server
/// refuses these before any policy is asked; the first matching rule wins. Note that
/// DATA/BDAT in `Mail` become 554 "no valid recipients" when RCPTs were sent but all refused
/// (§3.3) — the server decides that from the transaction, not the state.
pub static SEQUENCE_RULES: &[SequenceRule] = &[
    SequenceRule { verb: Verb::Mail, states: &[Connected], reply: &catalogue::NEED_EHLO },
    SequenceRule { verb: Verb::Mail, states: &[Mail, Rcpt], reply: &catalogue::NESTED_MAIL },
    SequenceRule { verb: Verb::Mail, states: &[Chunking], reply: &catalogue::BDAT_IN_PROGRESS },
    SequenceRule { verb: Verb::Rcpt, states: &[Connected, Ready], reply: &catalogue::NEED_MAIL },
    SequenceRule { verb: Verb::Rcpt, states: &[Chunking], reply: &catalogue::BDAT_IN_PROGRESS },
    SequenceRule { verb: Verb::Data, states: &[Connected, Ready], reply: &catalogue::NEED_MAIL },
    SequenceRule { verb: Verb::Data, states: &[Mail], reply: &catalogue::NEED_RCPT },
    SequenceRule { verb: Verb::Data, states: &[Chunking], reply: &catalogue::BDAT_IN_PROGRESS },
    SequenceRule { verb: Verb::Bdat, states: &[Connected, Ready], reply: &catalogue::NEED_MAIL },
    SequenceRule { verb: Verb::Bdat, states: &[Mail], reply: &catalogue::NEED_RCPT },
    SequenceRule { verb: Verb::Auth, states: &[Connected], reply: &catalogue::NEED_EHLO },
    SequenceRule { verb: Verb::Auth, states: &[Mail, Rcpt, Chunking], reply: &catalogue::AUTH_IN_TRANSACTION },
    SequenceRule { verb: Verb::StartTls, states: &[Connected], reply: &catalogue::NEED_EHLO },
    SequenceRule { verb: Verb::StartTls, states: &[Mail, Rcpt, Chunking], reply: &catalogue::TLS_IN_TRANSACTION },
];

/// A precondition a server's configuration can put on a session: until it holds, every command
/// but `allowed` gets `reply`, whatever the state (the server checks gates before
/// [`SEQUENCE_RULES`]). A refused command leaves the state unchanged (no row in
/// [`TRANSITIONS`]), so the gate adds no state; `allowed` always holds QUIT and the command that
/// lifts the gate, so a gated session is never a dead end (tested below).
#[derive(Debug, PartialEq, Eq)]
pub struct Gate {
    /// The commands answered as usual while the gate is closed.
    pub allowed: &'static [Verb],
    /// The command whose success opens the gate.
    pub opened_by: Verb,
    pub reply: &'static ReplySpec,
    /// States where the gate does not apply (the usual sequence replies are more useful there).
    pub except_in: &'static [State],
    pub rfc: &'static str,
}

impl Gate {
    /// Does the closed gate refuse `verb` in `state`?
    pub fn refuses(&self, state: State, verb: Verb) -> bool {
        !self.allowed.contains(&verb) && !self.except_in.contains(&state)
    }
}

/// TLS required (RFC 3207 §4): "the server SHOULD reply to every command other than NOOP, EHLO,
/// STARTTLS, or QUIT with the 530 reply code" (RSET and HELO answered too: they carry no mail).
pub static TLS_GATE: Gate = Gate {
    allowed: &[Verb::Ehlo, Verb::Helo, Verb::StartTls, Verb::Noop, Verb::Rset, Verb::Quit],
    opened_by: Verb::StartTls,
    reply: &catalogue::TLS_REQUIRED,
    except_in: &[NoService],
    rfc: "RFC 3207 §4",
};

/// Authentication required (RFC 4954 §6): 530 5.7.0 "SHOULD be returned by any command other
/// than AUTH, EHLO, HELO, NOOP, RSET, or QUIT". STARTTLS is answered as well (RFC 3207 §4 and
/// RFC 4954 §4 expect TLS before a password is sent), and before EHLO the 503 "send EHLO first"
/// stays: AUTH itself needs EHLO, so 530 there would send the client the wrong way.
pub static AUTH_GATE: Gate = Gate {
    allowed: &[Verb::Auth, Verb::Ehlo, Verb::Helo, Verb::Noop, Verb::Rset, Verb::Quit, Verb::StartTls],
    opened_by: Verb::Auth,
    reply: &catalogue::AUTH_REQUIRED,
    except_in: &[Connected, NoService],
    rfc: "RFC 4954 §6; RFC 6409 §4.3",
};

/// The refusal for `verb` in `state`, if it is out of sequence there.
pub fn sequence_error(state: State, verb: Verb) -> Option<&'static ReplySpec> {
    if state == NoService && verb != Verb::Quit {
        return Some(&catalogue::NO_SERVICE); // RFC 5321 §3.1: only QUIT after a 554 greeting.
    }
    SEQUENCE_RULES.iter().find(|r| r.verb == verb && r.states.contains(&state)).map(|r| r.reply)
}

/// Where a client session (`smtp::client`) is: what the next reply answers. Here, beside the
/// server's [`State`], so that `event.rs` and `client.rs` both depend on this module and not on
/// each other.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum ClientState {
    /// Waiting for the 220 greeting.
    Greeting,
    /// EHLO or HELO sent.
    Hello,
    /// STARTTLS sent, waiting for 220.
    StartTls,
    /// In the AUTH exchange.
    Auth,
    /// A mail transaction is under way (MAIL/RCPT/DATA/BDAT replies pending).
    Transaction,
    /// RSET sent after an unfinished transaction.
    Reset,
    /// QUIT sent.
    Quitting,
    /// The connection is over.
    Closed,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_state_but_closed_can_be_left() {
        for s in State::ALL {
            if s == Closed {
                continue;
            }
            assert!(TRANSITIONS.iter().any(|t| t.from.contains(&s) && t.to != s), "{s:?} is a dead end");
        }
    }

    #[test]
    fn every_state_is_reachable() {
        for s in State::ALL {
            if matches!(s, Connected | NoService) {
                continue; // initial states, chosen by the greeting
            }
            assert!(TRANSITIONS.iter().any(|t| t.to == s), "{s:?} unreachable");
        }
    }

    #[test]
    fn labels_name_rows() {
        for (i, t) in TRANSITIONS.iter().enumerate() {
            assert_eq!(Transition::by_label(t.label).and_then(Transition::index), Some(i), "{} is not unique", t.label);
        }
    }

    #[test]
    fn lookup_examples() {
        let n = |s, t, c| next_state(s, t, c).map(|t| t.to);
        assert_eq!(n(Connected, Trigger::Command(Verb::Ehlo), Some(Ok2)), Some(Ready));
        assert_eq!(n(Rcpt, Trigger::Command(Verb::Ehlo), Some(Ok2)), Some(Ready));
        assert_eq!(n(Rcpt, Trigger::Command(Verb::Data), Some(Go3)), Some(Data));
        assert_eq!(n(Rcpt, Trigger::Command(Verb::Data), Some(ReplyClass::Permanent)), None);
        assert_eq!(n(Auth, Trigger::AuthResponse, Some(ReplyClass::Permanent)), Some(Ready));
        assert_eq!(n(Bdat, Trigger::Chunk, Some(ReplyClass::Transient)), Some(Ready));
        assert_eq!(sequence_error(Ready, Verb::Rcpt).map(|s| s.key), Some("seq.need_mail"));
        assert_eq!(sequence_error(NoService, Verb::Noop).map(|s| s.key), Some("no_service"));
        assert_eq!(sequence_error(NoService, Verb::Quit), None);
        assert_eq!(sequence_error(Rcpt, Verb::Data), None);
    }

    #[test]
    fn a_closed_gate_is_never_a_dead_end() {
        for gate in [&TLS_GATE, &AUTH_GATE] {
            for s in State::ALL {
                if s == Closed {
                    continue;
                }
                // QUIT still leaves every state QUIT can leave, and the command that opens the
                // gate is answered where the table lets it move.
                assert!(!gate.refuses(s, Verb::Quit), "{s:?}");
                assert!(!gate.refuses(s, gate.opened_by), "{s:?}");
            }
            assert!(
                TRANSITIONS.iter().any(|t| t.on == Trigger::Command(gate.opened_by) && t.from.contains(&Ready)),
                "{:?} opens from Ready",
                gate.opened_by
            );
            assert!(gate.reply.code == 530, "{}", gate.rfc);
        }
        assert!(AUTH_GATE.refuses(Ready, Verb::Mail) && AUTH_GATE.refuses(Mail, Verb::Rcpt) && AUTH_GATE.refuses(Ready, Verb::Data));
        assert!(!AUTH_GATE.refuses(Connected, Verb::Mail), "before EHLO the sequence reply (503) stays");
    }

    #[test]
    fn sequence_replies_are_503_or_554() {
        for r in SEQUENCE_RULES {
            assert!(r.reply.code == 503, "{:?}", r.verb);
        }
    }
}
