//! Past-tense facts the IMAP sessions report: what was received, what was sent (with the
//! catalogue key and the states before and after), and what changed. The CLI narrates them;
//! the simulation will turn them into trace entries.

use serde::Serialize;

use super::command::Command;
use super::parse::SyntaxError;
use super::response::Response;
use super::state::State;

/// What the server session did, in order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum ServerEvent {
    /// A complete command (literals included) was received and parsed.
    CommandReceived {
        raw: Vec<u8>,
        command: Command,
        state: State,
    },
    /// A unit could not be parsed (a BAD follows).
    SyntaxErrorReceived {
        raw: Vec<u8>,
        error: SyntaxError,
    },
    /// A line that is not a command: an AUTHENTICATE response or IDLE's `DONE`.
    LineReceived {
        raw: Vec<u8>,
    },
    /// A response was written. `key` names its [`super::catalogue::ResponseSpec`].
    ResponseSent {
        response: Response,
        bytes: Vec<u8>,
        key: &'static str,
        state_before: State,
        state_after: State,
    },
    /// The (simulated) TLS handshake completed after STARTTLS.
    TlsStarted,
    AuthSucceeded {
        mechanism: &'static str,
        user: String,
    },
    AuthFailed {
        mechanism: &'static str,
        user: Option<String>,
    },
    /// A mailbox was opened.
    MailboxSelected {
        mailbox: String,
        read_only: bool,
        exists: u32,
        uid_validity: u32,
        uid_next: u32,
    },
    /// Messages flagged \\Deleted were removed for good; `announced`: with `* n EXPUNGE`
    /// (EXPUNGE, MOVE) or silently (CLOSE).
    MessagesExpunged {
        mailbox: String,
        uids: Vec<u32>,
        announced: bool,
    },
    /// The peer broke the protocol; the session coped (explained in `what`).
    ProtocolViolated {
        what: String,
    },
    /// The session is over; no more output will come.
    Closed,
}

/// What the scripted client session did, in order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum ClientEvent {
    /// A command (or its next part after a `+`, or IDLE's `DONE`: `tag: None`) was written;
    /// `verb` is the command's.
    CommandSent { bytes: Vec<u8>, tag: Option<String>, verb: super::command::Verb },
    /// A response arrived and was parsed.
    ResponseReceived { raw: Vec<u8>, response: Response },
    /// A response could not be parsed; the client gives up.
    BadResponse { raw: Vec<u8>, error: SyntaxError },
    /// A step of the plan failed (NO/BAD); the client logs out.
    StepFailed { step: String, response: Response },
    /// New mail was announced (EXISTS grew), e.g. during IDLE.
    NewMail { exists: u32 },
    /// A message part the plan asked for arrived.
    /// `part`: the section's part number (RFC 9051 §6.4.5), empty for the whole message.
    Fetched { uid: u32, section: String, part: Vec<u32>, octets: usize },
    /// The plan is done (or abandoned) and the client logged out.
    Finished,
}
