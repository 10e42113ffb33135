//! Past-tense facts the sessions report: what was received, what was sent, and why the state
//! changed. The simulator turns these into its `Trace`; the UI and the transcript exporter
//! read them. Every event carries what a teacher needs: the raw bytes, the parsed meaning, the
//! states before and after, and (for replies) the catalogue entry, the transition row taken and
//! what the reply answers.

use serde::{Deserialize, Serialize};

use super::address::{ForwardPath, ReversePath};
use super::catalogue::ReplySpec;
use super::command::{Command, MailParams, RcptParams, Verb};
use super::data::DataSummary;
use super::error::SyntaxError;
use super::reply::Reply;
use super::state::{State, Transition};

/// The envelope of an accepted message (RFC 5321 §2.3.1) plus what the session knew.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Envelope {
    pub from: ReversePath,
    pub mail_params: MailParams,
    pub rcpts: Vec<(ForwardPath, RcptParams)>,
    /// The name the client gave in EHLO/HELO.
    pub helo: String,
    /// The session was opened with EHLO (ESMTP) rather than HELO.
    pub esmtp: bool,
    /// The authenticated user, if AUTH succeeded (RFC 4954).
    pub auth_user: Option<String>,
    /// The (simulated) channel was encrypted with STARTTLS (RFC 3207).
    pub tls: bool,
    /// The label of the client's address, as the caller gave it.
    pub peer: String,
}

/// What the server session did, in order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum ServerEvent {
    /// A command line was received and understood (the reply follows in `ReplySent`).
    CommandReceived {
        raw: Vec<u8>,
        command: Command,
        state_before: State,
        state_after: State,
    },
    /// A command line could not be parsed (the reply follows).
    SyntaxErrorReceived {
        raw: Vec<u8>,
        error: SyntaxError,
    },
    /// A line of the AUTH exchange (base64 text, RFC 4954 §4) was received.
    AuthLineReceived {
        raw: Vec<u8>,
    },
    /// A reply was written, from the catalogue entry `spec`. `transition` is the row of
    /// [`super::state::TRANSITIONS`] the session took (`None`: no row matched, the state stays).
    ReplySent {
        reply: Reply,
        bytes: Vec<u8>,
        spec: &'static ReplySpec,
        transition: Option<&'static Transition>,
        state_before: State,
        state_after: State,
    },
    /// The message text starts now (after 354).
    DataStarted,
    /// `CRLF.CRLF` ended the message text; what the reader noticed.
    DataEnded {
        summary: DataSummary,
    },
    /// A BDAT chunk was read completely (RFC 3030).
    ChunkReceived {
        octets: u64,
        last: bool,
    },
    /// The server took responsibility for a message (RFC 5321 §6.1). `data` is dot-unstuffed.
    MessageAccepted {
        envelope: Envelope,
        data: Vec<u8>,
    },
    /// The (simulated) TLS handshake completed; all earlier state is forgotten (RFC 3207 §4.2).
    TlsStarted,
    AuthSucceeded {
        mechanism: String,
        user: String,
    },
    AuthFailed {
        mechanism: String,
        user: Option<String>,
    },
    /// The peer did something the protocol forbids; the session coped (explained in `what`).
    ProtocolViolated {
        what: String,
    },
    /// The session is over; no more output will come.
    Closed,
}

/// What a reply answers, as the client session knows it: replies come in the order of what the
/// client sent, pipelined or not (RFC 5321 §4.2, RFC 2920 §3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Answers {
    /// The greeting that opens a connection (RFC 5321 §3.1).
    Greeting,
    /// A command with this verb.
    Command(Verb),
    /// The message data, ended by `<CRLF>.<CRLF>` (RFC 5321 §4.1.1.4).
    EndOfData,
    /// A BDAT chunk (RFC 3030 §2); `last`: the chunk of `BDAT n LAST`.
    Chunk { last: bool },
    /// A line of the AUTH exchange (RFC 4954 §4).
    AuthLine,
}

impl Answers {
    /// What is answered, as a noun: "the greeting", "RCPT", "the end of the message data".
    pub fn what(self) -> &'static str {
        match self {
            Answers::Greeting => "the greeting",
            Answers::Command(v) => v.as_str(),
            Answers::EndOfData => "the end of the message data",
            Answers::Chunk { last: false } => "a BDAT chunk",
            Answers::Chunk { last: true } => "the last BDAT chunk",
            Answers::AuthLine => "an AUTH line",
        }
    }
}

/// In sentences: "as its greeting", "to RCPT", "to the end of the message data".
impl std::fmt::Display for Answers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Answers::Greeting => f.write_str("as its greeting"),
            other => write!(f, "to {}", other.what()),
        }
    }
}

/// The fate of one recipient, from the client's point of view.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum Outcome {
    /// The server accepted the message for this recipient (250 after the data).
    Delivered,
    /// A 4yz (or a broken connection): the message stays queued, retry later (RFC 5321 §4.5.4.1).
    TempFailed(Reply),
    /// A 5yz: give up on this recipient; a relay would bounce (RFC 3464).
    PermFailed(Reply),
    /// Accepted by the server, but the client abandoned the transaction with RSET because
    /// another recipient was refused (RFC 5321 §4.1.1.5, Appendix D.2): not sent.
    Abandoned,
}

/// What the client session did, in order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum ClientEvent {
    /// A complete reply arrived; `answers` is what the client was waiting for (`None`: a reply
    /// that answers nothing the client sent).
    ReplyReceived {
        reply: Reply,
        raw: Vec<u8>,
        answers: Option<Answers>,
        state_before: super::state::ClientState,
        state_after: super::state::ClientState,
    },
    /// A reply line could not be parsed; the client gives up on the connection.
    BadReply {
        raw: Vec<u8>,
        error: SyntaxError,
    },
    CommandSent {
        command: Command,
        bytes: Vec<u8>,
    },
    /// An AUTH exchange line (base64) was sent.
    AuthLineSent {
        bytes: Vec<u8>,
    },
    /// Message text was sent (dot-stuffed for DATA, a chunk for BDAT).
    DataSent {
        bytes: Vec<u8>,
    },
    /// The simulated TLS handshake completed after 220 to STARTTLS.
    TlsStarted,
    /// The greeting was a refusal (554) or a 421: no mail on this connection.
    ServerRefused {
        reply: Reply,
    },
    RecipientAccepted {
        transaction: usize,
        rcpt: ForwardPath,
        reply: Reply,
    },
    RecipientFailed {
        transaction: usize,
        rcpt: ForwardPath,
        reply: Reply,
        permanent: bool,
    },
    MessageAccepted {
        transaction: usize,
        reply: Reply,
    },
    MessageFailed {
        transaction: usize,
        reply: Reply,
        permanent: bool,
    },
    /// The connection ended before the session finished.
    ConnectionFailed {
        what: String,
    },
    /// All transactions are done (or abandoned): one outcome per recipient per transaction.
    Finished {
        outcomes: Vec<Vec<(ForwardPath, Outcome)>>,
    },
}
