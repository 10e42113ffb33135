//! The POP3 teaching catalogue: every command the core understands and every response the
//! server session can emit, each with its meaning, why a server sends it, and the RFC section.
//!
//! The server builds responses *only* from these specs, so every status line on the wire has an
//! entry here, and each `ResponseSent` event carries its `key`. Specs marked `policy: true` are
//! chosen by the caller's [`Maildrop`](super::server::Maildrop) (maildrop locked, disk trouble)
//! rather than by the protocol.

use super::command::Verb;
use super::response::{RespCode, Status, StatusLine};

/// One response the server can send, with its teaching text.
#[derive(Debug, PartialEq, Eq)]
pub struct ResponseSpec {
    /// Stable identifier, e.g. `"retr.ok"`; carried in events and traces.
    pub key: &'static str,
    pub status: Status,
    /// The RFC 2449 §8 / RFC 3206 response code, if any.
    pub code: Option<RespCode>,
    /// Text; each `{}` is filled, in order, by the emitter.
    pub text: &'static str,
    /// A multi-line response: a body and the terminating `.` follow (RFC 1939 §3).
    pub multi: bool,
    pub meaning: &'static str,
    pub why: &'static str,
    pub rfc: &'static str,
    /// Chosen by the caller's policy; need not be reachable in protocol tests.
    pub policy: bool,
}

impl ResponseSpec {
    /// The text with each `{}` replaced by the next argument.
    pub fn render(&self, args: &[&str]) -> String {
        let mut out = String::with_capacity(self.text.len() + 16);
        let mut args = args.iter();
        let mut rest = self.text;
        while let Some(i) = rest.find("{}") {
            out.push_str(&rest[..i]);
            out.push_str(args.next().copied().unwrap_or(""));
            rest = &rest[i + 2..];
        }
        out.push_str(rest);
        out
    }

    /// The status line of this response.
    pub fn status_line(&self, args: &[&str]) -> StatusLine {
        if self.key == CONTINUE.key {
            return StatusLine::Continue(self.render(args));
        }
        StatusLine::Status { status: self.status, code: self.code.clone(), text: self.render(args) }
    }
}

/// One command, for the command reference and the explanations.
#[derive(Debug, PartialEq, Eq)]
pub struct CommandSpec {
    pub verb: Verb,
    pub syntax: &'static str,
    pub purpose: &'static str,
    /// The RFC 1939 state(s) it is valid in.
    pub valid_in: &'static str,
    pub rfc: &'static str,
}

macro_rules! response {
    ($name:ident, $key:literal, $status:ident, $code:expr, $text:literal, multi: $multi:literal, $meaning:literal, $why:literal, $rfc:literal $(, policy: $policy:literal)?) => {
        pub static $name: ResponseSpec = ResponseSpec {
            key: $key,
            status: Status::$status,
            code: $code,
            text: $text,
            multi: $multi,
            meaning: $meaning,
            why: $why,
            rfc: $rfc,
            policy: false $(|| $policy)?,
        };
    };
}

response!(GREETING, "greeting", Ok, None, "{} POP3 server ready {}", multi: false,
    "The server is ready; the part in angle brackets is a timestamp for APOP.",
    "Every POP3 session opens with +OK; a server that supports APOP puts a unique timestamp in angle brackets in the greeting, which the client hashes with its secret",
    "RFC 1939 §4, §7");
response!(CAPA, "capa", Ok, None, "Capability list follows", multi: true,
    "The list of extensions this server supports, one per line.",
    "CAPA may be sent in any state; the list can change after login or after STLS",
    "RFC 2449 §5");
response!(USER_OK, "user.ok", Ok, None, "send PASS for {}", multi: false,
    "The name is noted; the password must come next.",
    "The server says +OK whether or not the user exists, so that a stranger cannot find out which names are valid",
    "RFC 1939 §7, §13");
response!(USER_DISABLED, "user.disabled", Err, None, "USER/PASS is not offered here; use {}", multi: false,
    "This server does not accept the plain USER/PASS login.",
    "A server may refuse cleartext passwords and offer only APOP or SASL (CAPA lists what it offers)",
    "RFC 2449 §6.2");
response!(LOGGED_IN, "login.ok", Ok, None, "{} has {} messages ({} octets)", multi: false,
    "Logged in: the maildrop is now locked for this session, and its messages are numbered from 1.",
    "After a successful login the server locks the maildrop and takes a snapshot; the count and size here are what STAT will say",
    "RFC 1939 §4, §7");
response!(AUTH_FAILED, "login.failed", Err, Some(RespCode::Auth), "invalid user name or password", multi: false,
    "The name or the password (or APOP digest) was wrong.",
    "[AUTH] tells the client that trying again with the same credentials will not help; ask the user for the password (the server does not say which part was wrong)",
    "RFC 3206 §5, RFC 1939 §7");
response!(IN_USE, "login.in_use", Err, Some(RespCode::InUse), "the maildrop of {} is already open in another session", multi: false,
    "Someone (perhaps another device of the same user) is logged in to this maildrop right now.",
    "The server locks the maildrop during a session so that two sessions cannot delete each other's messages; [IN-USE] says to try again when the other session has ended",
    "RFC 2449 §8.1.1, RFC 1939 §8", policy: true);
response!(SYS_TEMP, "sys.temp", Err, Some(RespCode::SysTemp), "{}", multi: false,
    "A temporary problem on the server; try again later.",
    "[SYS/TEMP] says the failure is not the client's fault and will likely go away",
    "RFC 3206 §4", policy: true);
response!(NEED_USER, "seq.need_user", Err, None, "send USER first, then PASS", multi: false,
    "PASS came without a USER before it.",
    "PASS completes the USER/PASS login: it is only valid right after a USER that got +OK",
    "RFC 1939 §7");
response!(NEED_LOGIN, "seq.need_login", Err, None, "{} needs a login first (USER/PASS, APOP or AUTH)", multi: false,
    "This command only works once logged in.",
    "In the AUTHORIZATION state the server knows no maildrop yet, so there is nothing to list, read or delete",
    "RFC 1939 §4");
response!(ALREADY_LOGGED_IN, "seq.logged_in", Err, None, "already logged in; {} is only for the AUTHORIZATION state", multi: false,
    "The session is logged in already.",
    "Login commands are valid only in the AUTHORIZATION state; to change users, QUIT and connect again",
    "RFC 1939 §5");
response!(STLS_NOT_NOW, "stls.not_now", Err, None, "STLS is only allowed before logging in", multi: false,
    "TLS must be started before the login, not after.",
    "STLS is valid only in the AUTHORIZATION state: the password must not have travelled in clear already",
    "RFC 2595 §4");
response!(STLS_OK, "stls.ok", Ok, None, "Begin TLS negotiation", multi: false,
    "The server is ready to start TLS; the handshake follows (simulated here).",
    "After +OK the client starts the TLS handshake at once; afterwards it should send CAPA again, because the capabilities may change",
    "RFC 2595 §4");
response!(STLS_ALREADY, "stls.already", Err, None, "TLS is already active", multi: false,
    "This connection is already encrypted.",
    "STLS may be used only once per connection",
    "RFC 2595 §4");
response!(NOT_OFFERED, "not_offered", Err, None, "{} is not offered by this server", multi: false,
    "A POP3 command this server does not support (CAPA lists what it supports).",
    "STLS, APOP and AUTH are optional; a server that does not offer one answers -ERR",
    "RFC 2449 §5, RFC 1939 §7");
response!(AUTH_MECHANISM, "auth.mechanism", Err, None, "unsupported SASL mechanism {}", multi: false,
    "The server does not know this SASL mechanism.",
    "The SASL line of CAPA lists the mechanisms the server offers",
    "RFC 5034 §4");
response!(CONTINUE, "auth.continue", Ok, None, "{}", multi: false,
    "Go on: send the SASL response (for PLAIN: base64 of authzid NUL user NUL password).",
    "AUTH without an initial response gets an empty challenge, '+ ', and the client answers on the next line",
    "RFC 5034 §4, RFC 4616 §2");
response!(AUTH_CANCELLED, "auth.cancelled", Err, None, "authentication cancelled", multi: false,
    "The client gave up the SASL exchange with '*'.",
    "A '*' line cancels the exchange; the server answers -ERR and waits for another login",
    "RFC 5034 §4");
response!(AUTH_BAD_BASE64, "auth.bad_base64", Err, None, "the SASL response is not valid base64: {}", multi: false,
    "The line after '+ ' could not be decoded.",
    "A SASL response must be base64 (RFC 4648) with nothing around it",
    "RFC 5034 §4");
response!(AUTH_BAD_PLAIN, "auth.bad_plain", Err, None, "a PLAIN response is authzid NUL user NUL password", multi: false,
    "The decoded PLAIN response does not have its three parts.",
    "PLAIN carries three fields separated by NUL octets; the user and the password must not be empty",
    "RFC 4616 §2");
response!(STAT, "stat", Ok, None, "{} {}", multi: false,
    "The number of messages and their total size in octets (DELE'd ones not counted).",
    "STAT's answer is machine-readable: +OK, the count, a space, the octets",
    "RFC 1939 §5");
response!(LIST_ALL, "list.all", Ok, None, "{} messages ({} octets)", multi: true,
    "One line per message: its number and its exact size in octets.",
    "Messages marked with DELE are not listed; the sizes count CRLF line ends as two octets",
    "RFC 1939 §5");
response!(LIST_ONE, "list.one", Ok, None, "{} {}", multi: false,
    "The number and the exact size of one message.",
    "A 'scan listing': message number, space, size in octets",
    "RFC 1939 §5");
response!(NO_SUCH_MESSAGE, "msg.no_such", Err, None, "no such message, only {} messages in maildrop", multi: false,
    "There is no message with that number.",
    "Messages are numbered from 1 to the count STAT gives, fixed for the whole session",
    "RFC 1939 §5");
response!(MESSAGE_DELETED, "msg.deleted", Err, None, "message {} already deleted", multi: false,
    "That message has been marked with DELE in this session.",
    "A message marked as deleted may not be referred to again (RSET unmarks it)",
    "RFC 1939 §5");
response!(RETR, "retr.ok", Ok, None, "{} octets", multi: true,
    "The whole message follows, byte-stuffed, ending with a line with a single dot.",
    "Lines that start with '.' get one more '.', so that '.' alone can end the response; the octet count is the size before stuffing",
    "RFC 1939 §5");
response!(TOP, "top.ok", Ok, None, "top of message follows", multi: true,
    "The header, the empty line and the first n lines of the body follow.",
    "TOP lets a client look at a message (e.g. its Subject) without downloading all of it",
    "RFC 1939 §7");
response!(DELE, "dele.ok", Ok, None, "message {} deleted", multi: false,
    "The message is marked for deletion; it is removed only when the session ends with QUIT.",
    "Deletion happens in the UPDATE state; until then STAT and LIST no longer count it and RSET can take it back",
    "RFC 1939 §5, §6");
response!(NOOP, "noop", Ok, None, "", multi: false,
    "Nothing happened; the server is still there.",
    "NOOP keeps a connection alive or checks that the server answers",
    "RFC 1939 §5");
response!(RSET, "rset", Ok, None, "maildrop has {} messages ({} octets)", multi: false,
    "Every DELE of this session is undone.",
    "RSET unmarks all messages marked as deleted",
    "RFC 1939 §5");
response!(UIDL_ALL, "uidl.all", Ok, None, "unique-id listing follows", multi: true,
    "One line per message: its number and its unique id, which stays the same across sessions.",
    "A client that leaves mail on the server remembers the unique ids it has downloaded, because message numbers change between sessions",
    "RFC 1939 §7");
response!(UIDL_ONE, "uidl.one", Ok, None, "{} {}", multi: false,
    "The number and unique id of one message.",
    "Unique ids are 1 to 70 printable characters, fixed for a message as long as it is in the maildrop",
    "RFC 1939 §7");
response!(QUIT_AUTH, "quit.auth", Ok, None, "{} POP3 server signing off", multi: false,
    "Goodbye; no login, so nothing changed.",
    "QUIT in the AUTHORIZATION state closes the connection without entering UPDATE",
    "RFC 1939 §4");
response!(QUIT_UPDATE, "quit.update", Ok, None, "{} POP3 server signing off ({} messages left)", multi: false,
    "The messages marked with DELE are now removed, the maildrop is unlocked, and the connection closes.",
    "Only QUIT from TRANSACTION enters UPDATE, where the deletions happen; a dropped connection deletes nothing",
    "RFC 1939 §6");
response!(UPDATE_FAILED, "quit.update_failed", Err, Some(RespCode::SysTemp), "some deleted messages not removed: {}", multi: false,
    "The server could not remove every marked message.",
    "If UPDATE fails the server says so with -ERR; the client must not assume the messages are gone",
    "RFC 1939 §6, RFC 3206 §4", policy: true);
response!(UNKNOWN, "syntax.unknown", Err, None, "{}", multi: false,
    "The server did not recognise the command.",
    "POP3 keywords are three or four letters, case-insensitive; CAPA lists the optional ones",
    "RFC 1939 §3");
response!(BAD_ARGUMENTS, "syntax.arguments", Err, None, "{}", multi: false,
    "A known command with wrong arguments.",
    "Each argument is separated by one space; message numbers are decimal numbers from 1",
    "RFC 1939 §3, RFC 2449 §3");
response!(LINE_TOO_LONG, "syntax.too_long", Err, None, "line too long ({} octets; at most {})", multi: false,
    "The command line is longer than POP3 allows.",
    "Command lines may be at most 255 octets including CRLF; the line was ignored",
    "RFC 2449 §4");
response!(TOO_MANY_ERRORS, "too_many_errors", Err, None, "too many errors, closing the connection", multi: false,
    "The server gives up on a client that keeps sending what it cannot use.",
    "A server may close a connection that only produces errors; nothing is deleted (no UPDATE)",
    "RFC 1939 §3, §6");

/// Every response spec.
pub static RESPONSES: &[&ResponseSpec] = &[
    &GREETING,
    &CAPA,
    &USER_OK,
    &USER_DISABLED,
    &LOGGED_IN,
    &AUTH_FAILED,
    &IN_USE,
    &SYS_TEMP,
    &NEED_USER,
    &NEED_LOGIN,
    &ALREADY_LOGGED_IN,
    &STLS_NOT_NOW,
    &STLS_OK,
    &STLS_ALREADY,
    &NOT_OFFERED,
    &AUTH_MECHANISM,
    &CONTINUE,
    &AUTH_CANCELLED,
    &AUTH_BAD_BASE64,
    &AUTH_BAD_PLAIN,
    &STAT,
    &LIST_ALL,
    &LIST_ONE,
    &NO_SUCH_MESSAGE,
    &MESSAGE_DELETED,
    &RETR,
    &TOP,
    &DELE,
    &NOOP,
    &RSET,
    &UIDL_ALL,
    &UIDL_ONE,
    &QUIT_AUTH,
    &QUIT_UPDATE,
    &UPDATE_FAILED,
    &UNKNOWN,
    &BAD_ARGUMENTS,
    &LINE_TOO_LONG,
    &TOO_MANY_ERRORS,
];

/// The spec with this key.
pub fn response_spec(key: &str) -> Option<&'static ResponseSpec> {
    RESPONSES.iter().copied().find(|s| s.key == key)
}

/// Every command.
pub static COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        verb: Verb::User,
        syntax: "USER name",
        purpose: "Name the maildrop to log in to (PASS follows)",
        valid_in: "AUTHORIZATION",
        rfc: "RFC 1939 §7",
    },
    CommandSpec {
        verb: Verb::Pass,
        syntax: "PASS string",
        purpose: "The password for the name given with USER",
        valid_in: "AUTHORIZATION, right after USER",
        rfc: "RFC 1939 §7",
    },
    CommandSpec {
        verb: Verb::Apop,
        syntax: "APOP name digest",
        purpose: "Log in without sending the password: digest = MD5(greeting timestamp + secret) in hex",
        valid_in: "AUTHORIZATION",
        rfc: "RFC 1939 §7",
    },
    CommandSpec {
        verb: Verb::Auth,
        syntax: "AUTH mechanism [initial-response]",
        purpose: "Log in with a SASL mechanism (here PLAIN)",
        valid_in: "AUTHORIZATION",
        rfc: "RFC 5034 §4",
    },
    CommandSpec {
        verb: Verb::Stat,
        syntax: "STAT",
        purpose: "How many messages, how many octets",
        valid_in: "TRANSACTION",
        rfc: "RFC 1939 §5",
    },
    CommandSpec {
        verb: Verb::List,
        syntax: "LIST [msg]",
        purpose: "The size of every message (or of one)",
        valid_in: "TRANSACTION",
        rfc: "RFC 1939 §5",
    },
    CommandSpec { verb: Verb::Retr, syntax: "RETR msg", purpose: "Download a whole message", valid_in: "TRANSACTION", rfc: "RFC 1939 §5" },
    CommandSpec {
        verb: Verb::Dele,
        syntax: "DELE msg",
        purpose: "Mark a message for deletion at QUIT",
        valid_in: "TRANSACTION",
        rfc: "RFC 1939 §5",
    },
    CommandSpec { verb: Verb::Noop, syntax: "NOOP", purpose: "Do nothing, answer +OK", valid_in: "TRANSACTION", rfc: "RFC 1939 §5" },
    CommandSpec {
        verb: Verb::Rset,
        syntax: "RSET",
        purpose: "Undo every DELE of this session",
        valid_in: "TRANSACTION",
        rfc: "RFC 1939 §5",
    },
    CommandSpec {
        verb: Verb::Top,
        syntax: "TOP msg n",
        purpose: "The header and the first n body lines of a message",
        valid_in: "TRANSACTION",
        rfc: "RFC 1939 §7",
    },
    CommandSpec {
        verb: Verb::Uidl,
        syntax: "UIDL [msg]",
        purpose: "The unique id of every message (or of one), stable across sessions",
        valid_in: "TRANSACTION",
        rfc: "RFC 1939 §7",
    },
    CommandSpec {
        verb: Verb::Quit,
        syntax: "QUIT",
        purpose: "End the session; from TRANSACTION, remove the DELE'd messages first (UPDATE)",
        valid_in: "AUTHORIZATION, TRANSACTION",
        rfc: "RFC 1939 §4, §6",
    },
    CommandSpec {
        verb: Verb::Capa,
        syntax: "CAPA",
        purpose: "List the server's extensions",
        valid_in: "AUTHORIZATION, TRANSACTION",
        rfc: "RFC 2449 §5",
    },
    CommandSpec {
        verb: Verb::Stls, syntax: "STLS", purpose: "Start TLS before logging in", valid_in: "AUTHORIZATION", rfc: "RFC 2595 §4"
    },
];

/// The spec of a verb.
pub fn command_spec(verb: Verb) -> &'static CommandSpec {
    COMMANDS.iter().find(|c| c.verb == verb).unwrap_or(&COMMANDS[0])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pop3::command::syntax;

    #[test]
    fn keys_are_unique_and_every_verb_has_a_spec_with_its_syntax() {
        let mut keys: Vec<&str> = RESPONSES.iter().map(|s| s.key).collect();
        keys.sort_unstable();
        let n = keys.len();
        keys.dedup();
        assert_eq!(keys.len(), n);
        for v in Verb::ALL {
            let c = command_spec(v);
            assert_eq!((c.verb, c.syntax), (v, syntax(v)));
        }
        assert_eq!(COMMANDS.len(), Verb::ALL.len());
    }
}
