//! The IMAP server's states (RFC 9051 §3) and **one transition table** ([`TRANSITIONS`])
//! that the session obeys — `server.rs` asks [`next_state`] after every tagged response —
//! and the UI draws. [`VALID_IN`] says in which states each command may be given (RFC 9051
//! §6.1–§6.4); anything else gets `BAD` before the command is looked at further.
//!
//! ```text
//!  greeting OK ──► Not Authenticated ──LOGIN/AUTHENTICATE OK──► Authenticated ◄──CLOSE/UNSELECT OK──┐
//!                                                                     │                            │
//!                                                       SELECT/EXAMINE OK ──────────────────► Selected
//!  any state ──LOGOUT──► Logout                                   (SELECT NO in Selected → Authenticated)
//! ```

use serde::Serialize;

use super::command::Verb;
use super::response::Status;

/// Where a server session is (RFC 9051 §3.1–§3.4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, serde::Deserialize)]
pub enum State {
    /// §3.1: the client must authenticate before most commands.
    NotAuthenticated,
    /// §3.2: logged in; a mailbox must be selected before message commands.
    Authenticated,
    /// §3.3: a mailbox is selected.
    Selected,
    /// §3.4: the connection is ending (BYE sent).
    Logout,
}

impl State {
    pub const ALL: [State; 4] = [State::NotAuthenticated, State::Authenticated, State::Selected, State::Logout];

    /// The state's name as RFC 9051 §3 writes it.
    pub fn name(self) -> &'static str {
        match self {
            State::NotAuthenticated => "Not Authenticated",
            State::Authenticated => "Authenticated",
            State::Selected => "Selected",
            State::Logout => "Logout",
        }
    }
}

/// Which tagged responses a row applies to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum When {
    Ok,
    /// NO or BAD.
    Refused,
    Always,
}

/// What moved the session.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Trigger {
    /// The tagged response to a command.
    Command(Verb),
    /// The server ends the session (`* BYE`: shutdown, idle timeout, too many errors).
    Bye,
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

const LIVE: &[State] = &[NotAuthenticated, Authenticated, Selected];
const IN: &[State] = &[Authenticated, Selected];

/// The transition table (first matching row wins; no row: the state stays).
pub const TRANSITIONS: &[Transition] = &[
    Transition {
        from: &[NotAuthenticated],
        on: Trigger::Command(Verb::Login),
        when: When::Ok,
        to: Authenticated,
        label: "LOGIN → OK",
        rfc: "RFC 9051 §6.2.3",
    },
    Transition {
        from: &[NotAuthenticated],
        on: Trigger::Command(Verb::Authenticate),
        when: When::Ok,
        to: Authenticated,
        label: "AUTHENTICATE → OK",
        rfc: "RFC 9051 §6.2.2",
    },
    Transition {
        from: IN,
        on: Trigger::Command(Verb::Select),
        when: When::Ok,
        to: Selected,
        label: "SELECT → OK [READ-WRITE]",
        rfc: "RFC 9051 §6.3.2",
    },
    Transition {
        from: IN,
        on: Trigger::Command(Verb::Examine),
        when: When::Ok,
        to: Selected,
        label: "EXAMINE → OK [READ-ONLY]",
        rfc: "RFC 9051 §6.3.3",
    },
    Transition {
        from: &[Selected],
        on: Trigger::Command(Verb::Select),
        when: When::Refused,
        to: Authenticated,
        label: "SELECT → NO (the old mailbox is closed anyway)",
        rfc: "RFC 9051 §6.3.2",
    },
    Transition {
        from: &[Selected],
        on: Trigger::Command(Verb::Examine),
        when: When::Refused,
        to: Authenticated,
        label: "EXAMINE → NO (the old mailbox is closed anyway)",
        rfc: "RFC 9051 §6.3.3",
    },
    Transition {
        from: &[Selected],
        on: Trigger::Command(Verb::Close),
        when: When::Ok,
        to: Authenticated,
        label: "CLOSE → OK (\\Deleted expunged silently)",
        rfc: "RFC 9051 §6.4.1",
    },
    Transition {
        from: &[Selected],
        on: Trigger::Command(Verb::Unselect),
        when: When::Ok,
        to: Authenticated,
        label: "UNSELECT → OK (nothing expunged)",
        rfc: "RFC 9051 §6.4.2",
    },
    Transition {
        from: LIVE,
        on: Trigger::Command(Verb::Logout),
        when: When::Always,
        to: Logout,
        label: "LOGOUT → BYE, OK",
        rfc: "RFC 9051 §6.1.3",
    },
    Transition { from: LIVE, on: Trigger::Bye, when: When::Always, to: Logout, label: "* BYE (server closes)", rfc: "RFC 9051 §7.1.5" },
];

/// The row taken from `from` on `trigger` answered with `status`, if any.
pub fn next_state(from: State, trigger: Trigger, status: Status) -> Option<&'static Transition> {
    let ok = status == Status::Ok;
    TRANSITIONS.iter().find(|t| {
        t.on == trigger
            && t.from.contains(&from)
            && match t.when {
                When::Ok => ok,
                When::Refused => !ok,
                When::Always => true,
            }
    })
}

/// In which states each command is valid (RFC 9051 §6.1 any state, §6.2 not authenticated,
/// §6.3 authenticated or selected, §6.4 selected).
pub const VALID_IN: &[(Verb, &[State])] = &[
    (Verb::Capability, LIVE),
    (Verb::Noop, LIVE),
    (Verb::Logout, LIVE),
    (Verb::StartTls, &[NotAuthenticated]),
    (Verb::Login, &[NotAuthenticated]),
    (Verb::Authenticate, &[NotAuthenticated]),
    (Verb::Enable, IN),
    (Verb::Select, IN),
    (Verb::Examine, IN),
    (Verb::Create, IN),
    (Verb::Delete, IN),
    (Verb::Rename, IN),
    (Verb::Subscribe, IN),
    (Verb::Unsubscribe, IN),
    (Verb::List, IN),
    (Verb::Lsub, IN),
    (Verb::Status, IN),
    (Verb::Append, IN),
    (Verb::Idle, IN),
    (Verb::Check, &[Selected]),
    (Verb::Close, &[Selected]),
    (Verb::Unselect, &[Selected]),
    (Verb::Expunge, &[Selected]),
    (Verb::Search, &[Selected]),
    (Verb::Fetch, &[Selected]),
    (Verb::Store, &[Selected]),
    (Verb::Copy, &[Selected]),
    (Verb::Move, &[Selected]),
];

/// The states `verb` is valid in.
pub fn valid_in(verb: Verb) -> &'static [State] {
    VALID_IN.iter().find(|(v, _)| *v == verb).map_or(&[], |(_, s)| s)
}

/// The commands valid in `state`, for hints.
pub fn commands_in(state: State) -> Vec<Verb> {
    VALID_IN.iter().filter(|(_, s)| s.contains(&state)).map(|(v, _)| *v).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_verb_has_a_row_and_every_state_is_reachable_and_leavable() {
        for v in Verb::ALL {
            assert!(!valid_in(v).is_empty(), "{v:?}");
        }
        for s in State::ALL {
            assert!(s == NotAuthenticated || TRANSITIONS.iter().any(|t| t.to == s), "{s:?} unreachable");
            assert!(s == Logout || TRANSITIONS.iter().any(|t| t.from.contains(&s) && t.to != s), "{s:?} dead end");
        }
    }

    #[test]
    fn lookups() {
        let n = |s, v, st| next_state(s, Trigger::Command(v), st).map(|t| t.to);
        assert_eq!(n(NotAuthenticated, Verb::Login, Status::Ok), Some(Authenticated));
        assert_eq!(n(NotAuthenticated, Verb::Login, Status::No), None);
        assert_eq!(n(Selected, Verb::Select, Status::No), Some(Authenticated));
        assert_eq!(n(Authenticated, Verb::Select, Status::No), None);
        assert_eq!(
            commands_in(NotAuthenticated),
            vec![Verb::Capability, Verb::Noop, Verb::Logout, Verb::StartTls, Verb::Login, Verb::Authenticate]
        );
    }
}
