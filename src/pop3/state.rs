//! The POP3 server session's states and its transition table, as plain data.
//!
//! RFC 1939 §3 names three states — AUTHORIZATION, TRANSACTION, UPDATE. We draw two more
//! steps inside AUTHORIZATION that a student sees on the wire (USER accepted, waiting for PASS;
//! a SASL exchange under way) and the simulated TLS handshake after STLS. [`TRANSITIONS`] is
//! the one table the server obeys — `server.rs` asks [`next_state`] after every response — and
//! the one the UI can draw. [`SEQUENCE_RULES`] says which commands are refused in which state
//! and with which response, before anything else is looked at.

use serde::Serialize;

use super::catalogue::{self as cat, ResponseSpec};
use super::command::Verb;

/// Where a POP3 server session is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, serde::Deserialize)]
pub enum State {
    /// Greeted; the client must identify itself (RFC 1939 §4).
    Authorization,
    /// USER was accepted; PASS must follow (RFC 1939 §7).
    UserGiven,
    /// `+ ` was sent after AUTH: the next line is the client's SASL response (RFC 5034 §4).
    Sasl,
    /// `+OK` to STLS was sent: the (simulated) TLS handshake happens now (RFC 2595 §4).
    TlsHandshake,
    /// Logged in, the maildrop is locked (RFC 1939 §5).
    Transaction,
    /// QUIT from TRANSACTION: the messages marked with DELE are removed now (RFC 1939 §6).
    Update,
    Closed,
}

impl State {
    pub const ALL: [State; 7] =
        [State::Authorization, State::UserGiven, State::Sasl, State::TlsHandshake, State::Transaction, State::Update, State::Closed];

    /// The RFC 1939 state this is part of, as the RFC spells it.
    pub fn rfc_name(self) -> &'static str {
        match self {
            State::Authorization | State::UserGiven | State::Sasl | State::TlsHandshake => "AUTHORIZATION",
            State::Transaction => "TRANSACTION",
            State::Update => "UPDATE",
            State::Closed => "closed",
        }
    }
}

/// What made the session move.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Trigger {
    /// A command with this verb was answered (or, for QUIT in TRANSACTION, received).
    Command(Verb),
    /// The line after `+ ` in an AUTH exchange was answered.
    SaslResponse,
    /// The (simulated) TLS handshake completed.
    TlsEstablished,
    /// The UPDATE state finished removing messages and answered QUIT.
    UpdateDone,
    /// The connection ended without QUIT (or the server shut down).
    ConnectionLost,
}

/// Which responses a row applies to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum When {
    Ok,
    Err,
    /// A `+ ` continuation (AUTH without an initial response).
    Continue,
    /// Before any response: the command itself moves the session (QUIT into UPDATE).
    NoResponse,
    Always,
}

/// The kind of response that was sent, for matching rows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Sent {
    Ok,
    Err,
    Continue,
}

impl When {
    fn matches(self, sent: Option<Sent>) -> bool {
        match self {
            When::Ok => sent == Some(Sent::Ok),
            When::Err => sent == Some(Sent::Err),
            When::Continue => sent == Some(Sent::Continue),
            When::NoResponse => sent.is_none(),
            When::Always => true,
        }
    }
}

/// One edge of the state diagram.
#[derive(Debug, PartialEq, Eq, Serialize)]
pub struct Transition {
    pub from: &'static [State],
    pub on: Trigger,
    pub when: When,
    pub to: State,
    pub label: &'static str,
    pub rfc: &'static str,
}

use State::*;

const AUTH_STATES: &[State] = &[Authorization, UserGiven];
const LIVE: &[State] = &[Authorization, UserGiven, Sasl, TlsHandshake, Transaction, Update];

/// The transition table (first matching row wins). Anything without a row keeps the state.
pub const TRANSITIONS: &[Transition] = &[
    Transition {
        from: AUTH_STATES,
        on: Trigger::Command(Verb::User),
        when: When::Ok,
        to: UserGiven,
        label: "USER → +OK (now PASS)",
        rfc: "RFC 1939 §7",
    },
    Transition {
        from: &[UserGiven],
        on: Trigger::Command(Verb::Pass),
        when: When::Ok,
        to: Transaction,
        label: "PASS → +OK (maildrop locked)",
        rfc: "RFC 1939 §7",
    },
    Transition {
        from: &[UserGiven],
        on: Trigger::Command(Verb::Pass),
        when: When::Err,
        to: Authorization,
        label: "PASS → -ERR (start again)",
        rfc: "RFC 1939 §7",
    },
    Transition {
        from: AUTH_STATES,
        on: Trigger::Command(Verb::Apop),
        when: When::Ok,
        to: Transaction,
        label: "APOP → +OK (maildrop locked)",
        rfc: "RFC 1939 §7",
    },
    Transition {
        from: AUTH_STATES,
        on: Trigger::Command(Verb::Apop),
        when: When::Err,
        to: Authorization,
        label: "APOP → -ERR",
        rfc: "RFC 1939 §7",
    },
    Transition {
        from: AUTH_STATES,
        on: Trigger::Command(Verb::Auth),
        when: When::Continue,
        to: Sasl,
        label: "AUTH → + (send the response)",
        rfc: "RFC 5034 §4",
    },
    Transition {
        from: AUTH_STATES,
        on: Trigger::Command(Verb::Auth),
        when: When::Ok,
        to: Transaction,
        label: "AUTH with initial response → +OK",
        rfc: "RFC 5034 §4",
    },
    Transition {
        from: AUTH_STATES,
        on: Trigger::Command(Verb::Auth),
        when: When::Err,
        to: Authorization,
        label: "AUTH → -ERR",
        rfc: "RFC 5034 §4",
    },
    Transition {
        from: &[Sasl],
        on: Trigger::SaslResponse,
        when: When::Ok,
        to: Transaction,
        label: "SASL response → +OK (maildrop locked)",
        rfc: "RFC 5034 §4",
    },
    Transition {
        from: &[Sasl],
        on: Trigger::SaslResponse,
        when: When::Err,
        to: Authorization,
        label: "SASL response → -ERR [AUTH] / cancelled",
        rfc: "RFC 5034 §4, §6",
    },
    Transition {
        from: AUTH_STATES,
        on: Trigger::Command(Verb::Stls),
        when: When::Ok,
        to: TlsHandshake,
        label: "STLS → +OK",
        rfc: "RFC 2595 §4",
    },
    Transition {
        from: &[TlsHandshake],
        on: Trigger::TlsEstablished,
        when: When::Always,
        to: Authorization,
        label: "TLS up: log in again",
        rfc: "RFC 2595 §4",
    },
    Transition {
        from: AUTH_STATES,
        on: Trigger::Command(Verb::Quit),
        when: When::Ok,
        to: Closed,
        label: "QUIT → +OK (nothing changed)",
        rfc: "RFC 1939 §4",
    },
    Transition {
        from: &[Transaction],
        on: Trigger::Command(Verb::Quit),
        when: When::NoResponse,
        to: Update,
        label: "QUIT → UPDATE: remove the DELE'd messages",
        rfc: "RFC 1939 §6",
    },
    Transition {
        from: &[Update],
        on: Trigger::UpdateDone,
        when: When::Always,
        to: Closed,
        label: "UPDATE done → +OK / -ERR, close",
        rfc: "RFC 1939 §6",
    },
    Transition {
        from: LIVE,
        on: Trigger::ConnectionLost,
        when: When::Always,
        to: Closed,
        label: "connection lost: no UPDATE, nothing removed",
        rfc: "RFC 1939 §6",
    },
];

/// The row that applies after `trigger` was answered with `sent` (`None`: not answered yet).
pub fn next_state(from: State, trigger: Trigger, sent: Option<Sent>) -> Option<&'static Transition> {
    TRANSITIONS.iter().find(|t| t.on == trigger && t.from.contains(&from) && t.when.matches(sent))
}

/// Commands refused in some states, and the response they get there.
#[derive(Debug, PartialEq, Eq)]
pub struct SequenceRule {
    pub verbs: &'static [Verb],
    pub states: &'static [State],
    pub response: &'static ResponseSpec,
}

/// RFC 1939 §4–§5: in AUTHORIZATION only the login commands, CAPA (RFC 2449 §5), STLS
/// (RFC 2595 §4) and QUIT; in TRANSACTION no login commands. PASS needs a USER first.
pub static SEQUENCE_RULES: &[SequenceRule] = &[
    SequenceRule { verbs: &[Verb::Pass], states: &[Authorization], response: &cat::NEED_USER },
    SequenceRule {
        verbs: &[Verb::Stat, Verb::List, Verb::Retr, Verb::Dele, Verb::Noop, Verb::Rset, Verb::Top, Verb::Uidl],
        states: AUTH_STATES,
        response: &cat::NEED_LOGIN,
    },
    SequenceRule { verbs: &[Verb::User, Verb::Pass, Verb::Apop, Verb::Auth], states: &[Transaction], response: &cat::ALREADY_LOGGED_IN },
    SequenceRule { verbs: &[Verb::Stls], states: &[Transaction], response: &cat::STLS_NOT_NOW },
];

/// The refusal for `verb` in `state`, if it is out of sequence there.
pub fn sequence_error(state: State, verb: Verb) -> Option<&'static ResponseSpec> {
    SEQUENCE_RULES.iter().find(|r| r.verbs.contains(&verb) && r.states.contains(&state)).map(|r| r.response)
}

/// The commands a client may send in `state` (for hints): those no rule refuses there.
pub fn valid_commands(state: State) -> Vec<Verb> {
    match state {
        Authorization | UserGiven | Transaction => Verb::ALL.into_iter().filter(|v| sequence_error(state, *v).is_none()).collect(),
        Sasl | TlsHandshake | Update | Closed => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_state_but_closed_can_be_left_and_every_state_reached() {
        for s in State::ALL {
            if s != Closed {
                assert!(TRANSITIONS.iter().any(|t| t.from.contains(&s) && t.to != s), "{s:?} is a dead end");
            }
            if s != Authorization {
                assert!(TRANSITIONS.iter().any(|t| t.to == s), "{s:?} is unreachable");
            }
        }
    }

    #[test]
    fn lookup_examples() {
        let n = |s, t, w| next_state(s, t, w).map(|t| t.to);
        assert_eq!(n(Authorization, Trigger::Command(Verb::User), Some(Sent::Ok)), Some(UserGiven));
        assert_eq!(n(UserGiven, Trigger::Command(Verb::Pass), Some(Sent::Err)), Some(Authorization));
        assert_eq!(n(Transaction, Trigger::Command(Verb::Quit), None), Some(Update));
        assert_eq!(n(Transaction, Trigger::Command(Verb::Dele), Some(Sent::Ok)), None);
        assert_eq!(n(Transaction, Trigger::ConnectionLost, None), Some(Closed));
        assert_eq!(sequence_error(Authorization, Verb::Retr).map(|r| r.key), Some("seq.need_login"));
        assert_eq!(sequence_error(Authorization, Verb::Pass).map(|r| r.key), Some("seq.need_user"));
        assert_eq!(sequence_error(UserGiven, Verb::Pass), None);
        assert_eq!(sequence_error(Transaction, Verb::User).map(|r| r.key), Some("seq.logged_in"));
        assert_eq!(valid_commands(Authorization), [Verb::User, Verb::Apop, Verb::Auth, Verb::Quit, Verb::Capa, Verb::Stls]);
        assert!(valid_commands(Transaction).contains(&Verb::Retr) && !valid_commands(Transaction).contains(&Verb::Apop));
    }
}
