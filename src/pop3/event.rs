//! Past-tense facts the POP3 sessions report, with what a teacher needs: the raw bytes, the
//! parsed meaning, the states before and after, and (for responses) the catalogue key.

use serde::Serialize;

use super::client::ClientState;
use super::command::{Command, SyntaxError};
use super::response::StatusLine;
use super::state::State;

/// How a client logged in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Mechanism {
    /// USER and PASS: the password in clear (RFC 1939 §7).
    UserPass,
    /// APOP: an MD5 digest of the greeting's timestamp and the secret (RFC 1939 §7).
    Apop,
    /// AUTH PLAIN (RFC 5034, RFC 4616).
    SaslPlain,
}

/// What the server session did, in order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum ServerEvent {
    /// A command line was received and understood (its response follows).
    CommandReceived {
        raw: Vec<u8>,
        command: Command,
        state_before: State,
        state_after: State,
    },
    /// A command line could not be parsed (the `-ERR` follows).
    SyntaxErrorReceived {
        raw: Vec<u8>,
        error: SyntaxError,
    },
    /// A line longer than allowed was discarded (the `-ERR` follows).
    LineTooLong {
        octets: usize,
        limit: usize,
    },
    /// The SASL response line after `+ ` (base64; RFC 5034 §4).
    SaslLineReceived {
        raw: Vec<u8>,
    },
    /// A response was written: its status line, all its bytes (body and final `.` included for a
    /// multi-line response), and the catalogue key.
    ResponseSent {
        status: StatusLine,
        bytes: Vec<u8>,
        body_lines: usize,
        key: &'static str,
        state_before: State,
        state_after: State,
    },
    /// A login succeeded; the maildrop is locked and numbered (RFC 1939 §4).
    LoggedIn {
        user: String,
        mechanism: Mechanism,
        messages: usize,
        octets: u64,
    },
    LoginFailed {
        user: Option<String>,
        mechanism: Mechanism,
    },
    /// DELE marked a message (RFC 1939 §5).
    MessageMarked {
        msg: u32,
        unique_id: String,
    },
    /// RSET unmarked this many messages.
    MarksCleared {
        count: usize,
    },
    /// UPDATE removed these messages (RFC 1939 §6).
    MessagesRemoved {
        unique_ids: Vec<String>,
    },
    /// The session ended without UPDATE: `marked` messages stay in the maildrop (RFC 1939 §6).
    NothingRemoved {
        marked: usize,
    },
    /// The (simulated) TLS handshake completed (RFC 2595 §4).
    TlsStarted,
    /// The peer did something the protocol forbids; the session coped (explained in `what`).
    ProtocolViolated {
        what: String,
    },
    Closed,
}

/// What the scripted client session did, in order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum ClientEvent {
    CommandSent {
        command: Command,
        bytes: Vec<u8>,
    },
    /// A SASL response line was sent (RFC 5034 §4).
    SaslLineSent {
        bytes: Vec<u8>,
    },
    /// A complete response arrived; `body` for a multi-line one (unstuffed).
    ResponseReceived {
        status: StatusLine,
        raw: Vec<u8>,
        body: Option<Vec<u8>>,
        state_before: ClientState,
        state_after: ClientState,
    },
    /// A line from the server that is no POP3 response; the client gives up.
    BadResponse {
        raw: Vec<u8>,
        error: SyntaxError,
    },
    /// The (simulated) TLS handshake after STLS completed.
    TlsStarted,
    LoggedIn {
        messages: usize,
        octets: u64,
    },
    LoginFailed {
        status: StatusLine,
    },
    /// A message was downloaded in full with RETR.
    MessageRetrieved {
        msg: u32,
        unique_id: Option<String>,
        message: Vec<u8>,
    },
    /// TOP gave the head of a message.
    HeadRetrieved {
        msg: u32,
        head: Vec<u8>,
    },
    /// A message was skipped because its unique id was downloaded before ("leave on server").
    AlreadySeen {
        msg: u32,
        unique_id: String,
    },
    MessageDeleted {
        msg: u32,
    },
    /// QUIT was answered: the server's UPDATE finished (`ok`) or failed.
    Finished {
        ok: bool,
        retrieved: usize,
        deleted: usize,
    },
    /// The connection ended before the plan was done.
    ConnectionFailed {
        what: String,
    },
}
