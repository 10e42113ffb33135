//! The IMAP teaching catalogue: every command the server understands ([`COMMANDS`]) and every
//! response it can emit ([`RESPONSES`]), each with its meaning, why it happens, and the RFC
//! section. The server writes responses *only* through these specs (`server.rs`), and every
//! `ResponseSent` event carries the spec's key, so an unexplained response cannot exist; a test
//! drives every spec through a session.

use super::command::Verb;
use super::response::Status;

/// One response the server can send.
#[derive(Debug, PartialEq, Eq)]
pub struct ResponseSpec {
    /// Stable identifier, e.g. `"no.auth_failed"`; carried in events.
    pub key: &'static str,
    /// The condition of a status response; `None` for server data and `+` continuations.
    pub status: Option<Status>,
    /// Default text; each `{}` is filled, in order, by the emitter.
    pub text: &'static str,
    pub meaning: &'static str,
    pub why: &'static str,
    pub rfc: &'static str,
}

impl ResponseSpec {
    /// The text with each `{}` replaced by the next argument.
    pub fn render(&self, args: &[&str]) -> String {
        let mut out = String::new();
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
}

/// One command, for the reference panel and hints.
#[derive(Debug, PartialEq, Eq)]
pub struct CommandSpec {
    pub verb: Verb,
    pub syntax: &'static str,
    pub purpose: &'static str,
    pub rfc: &'static str,
}

macro_rules! responses {
    ($( $name:ident = $key:literal, $status:expr, $text:literal,
        meaning: $meaning:literal, why: $why:literal, rfc: $rfc:literal; )*) => {
        $(
            #[doc = concat!("`", $text, "` — ", $meaning)]
            pub static $name: ResponseSpec = ResponseSpec { key: $key, status: $status, text: $text, meaning: $meaning, why: $why, rfc: $rfc };
        )*
        /// Every response the server session can emit.
        pub static RESPONSES: &[&ResponseSpec] = &[$(&$name),*];
    };
}

const OK: Option<Status> = Some(Status::Ok);
const NO: Option<Status> = Some(Status::No);
const BAD: Option<Status> = Some(Status::Bad);
const BYE: Option<Status> = Some(Status::Bye);
const DATA: Option<Status> = None;

responses! {
    // ── Greeting and goodbye ──────────────────────────────────────────────────────────────────
    GREETING = "greeting", OK, "{} IMAP4rev2 server ready",
        meaning: "The server is ready; the CAPABILITY code lists what it can do, so the client need not ask.",
        why: "An IMAP server speaks first with an untagged OK (or PREAUTH, or BYE); the session starts in Not Authenticated.",
        rfc: "RFC 9051 §7.1.1, §3";
    BYE_LOGOUT = "bye.logout", BYE, "Logging out",
        meaning: "The server is about to close the connection, as the client asked.",
        why: "LOGOUT is answered with an untagged BYE first, then the tagged OK.",
        rfc: "RFC 9051 §6.1.3, §7.1.5";
    BYE_SHUTDOWN = "bye.shutdown", BYE, "Server shutting down",
        meaning: "The server closes the connection on its own; the client should reconnect later.",
        why: "A server may send BYE at any time when it must close (shutdown, idle timeout, too many errors).",
        rfc: "RFC 9051 §7.1.5";
    BYE_IDLE = "bye.idle_timeout", BYE, "Autologout; idle for too long",
        meaning: "The client said nothing for too long, so the server closes.",
        why: "RFC 9051 §5.4: an inactivity timer of at least 30 minutes (a client in IDLE should re-issue it every 29 minutes).",
        rfc: "RFC 9051 §5.4, §7.1.5";
    BYE_ERRORS = "bye.too_many_errors", BYE, "Too many errors, closing connection",
        meaning: "The client sent many commands that could not be used; the server gives up.",
        why: "A server defends itself against clients that are broken or hostile.",
        rfc: "RFC 9051 §7.1.5";

    // ── Tagged OKs ────────────────────────────────────────────────────────────────────────────
    OK_DONE = "ok.completed", OK, "{} completed",
        meaning: "The command finished successfully.",
        why: "Every command ends with a tagged response carrying its tag; OK means it worked.",
        rfc: "RFC 9051 §7.1.1, §2.2.2";
    OK_LOGIN = "ok.login", OK, "{} Logged in",
        meaning: "The user name and password were right: the session is now Authenticated.",
        why: "LOGIN (or AUTHENTICATE) succeeded; the CAPABILITY code tells the client what it may do now.",
        rfc: "RFC 9051 §6.2.3, §6.2.2";
    OK_STARTTLS = "ok.starttls", OK, "Begin TLS negotiation now",
        meaning: "The client may start the TLS handshake; afterwards it must ask CAPABILITY again.",
        why: "STARTTLS was accepted in Not Authenticated; LOGINDISABLED goes away after TLS (simulated here).",
        rfc: "RFC 9051 §6.2.1";
    OK_SELECT = "ok.select", OK, "SELECT completed",
        meaning: "The mailbox is open for reading and writing: the session is now Selected.",
        why: "SELECT succeeded; the untagged responses before it told the size, UIDVALIDITY, UIDNEXT and flags.",
        rfc: "RFC 9051 §6.3.2";
    OK_EXAMINE = "ok.examine", OK, "EXAMINE completed",
        meaning: "The mailbox is open read-only: nothing will change, not even \\Seen.",
        why: "EXAMINE is SELECT without write access.",
        rfc: "RFC 9051 §6.3.3";
    OK_IDLE = "ok.idle", OK, "IDLE terminated",
        meaning: "The client sent DONE: the idle wait is over and commands may follow again.",
        why: "IDLE lasts until the client's DONE line; the tagged OK then ends the command.",
        rfc: "RFC 9051 §6.3.13, RFC 2177";
    OK_UIDVALIDITY = "untagged.uidvalidity", OK, "UIDs valid",
        meaning: "UIDVALIDITY: as long as this number stays the same, every UID the client remembers is still right.",
        why: "SELECT must report it; a changed UIDVALIDITY makes a client forget its cache and download again.",
        rfc: "RFC 9051 §6.3.2, §2.3.1.1";
    OK_UIDNEXT = "untagged.uidnext", OK, "Predicted next UID",
        meaning: "UIDNEXT: the UID the next message in this mailbox will get; anything below it the client may already know.",
        why: "SELECT must report it; a client compares it with the last one to see whether new mail came.",
        rfc: "RFC 9051 §6.3.2, §2.3.1.1";
    OK_PERMANENTFLAGS = "untagged.permanentflags", OK, "Flags permitted",
        meaning: "PERMANENTFLAGS: the flags the client can set and that are kept across sessions.",
        why: "SELECT must report it. Keywords are not kept by this server (no \\*).",
        rfc: "RFC 9051 §6.3.2";

    // ── Continuations ─────────────────────────────────────────────────────────────────────────
    CONT_LITERAL = "cont.literal", DATA, "Ready for literal data",
        meaning: "Go on: send the announced octets.",
        why: "A synchronizing literal {n} makes the client wait for this before it sends the n octets.",
        rfc: "RFC 9051 §4.3, §7.5";
    CONT_AUTH = "cont.auth", DATA, "",
        meaning: "An empty SASL challenge: send the credentials in base64.",
        why: "AUTHENTICATE PLAIN without an initial response: the server asks for it with an empty +.",
        rfc: "RFC 9051 §6.2.2, RFC 4616";
    CONT_IDLE = "cont.idle", DATA, "idling",
        meaning: "The server will now push EXISTS/EXPUNGE as mail comes and goes, until the client sends DONE.",
        why: "IDLE was accepted: push notification inside a pull protocol.",
        rfc: "RFC 9051 §6.3.13, RFC 2177";

    // ── Server data ───────────────────────────────────────────────────────────────────────────
    DATA_CAPABILITY = "data.capability", DATA, "",
        meaning: "What this server can do: IMAP4rev1 and IMAP4rev2, the authentication mechanisms and extensions.",
        why: "The answer to CAPABILITY. Both revisions are listed: Python's imaplib refuses a server without IMAP4rev1.",
        rfc: "RFC 9051 §6.1.1, §7.2.2";
    DATA_ENABLED = "data.enabled", DATA, "",
        meaning: "The extensions that are now switched on for this session.",
        why: "ENABLE lists only what it actually enabled (here: IMAP4rev2, UTF8=ACCEPT).",
        rfc: "RFC 9051 §6.3.1, §7.2.1";
    DATA_LIST = "data.list", DATA, "",
        meaning: "One mailbox: its attributes (\\Sent, \\Trash from SPECIAL-USE, \\HasNoChildren), the hierarchy delimiter and its name.",
        why: "LIST returns one line per mailbox matching the pattern (* matches everything, % one level).",
        rfc: "RFC 9051 §6.3.9, §7.3.1, RFC 6154";
    DATA_LSUB = "data.lsub", DATA, "",
        meaning: "One subscribed mailbox.",
        why: "LSUB (IMAP4rev1) lists the subscribed mailboxes; IMAP4rev2 uses LIST (SUBSCRIBED).",
        rfc: "RFC 3501 §6.3.9, §7.2.3";
    DATA_STATUS = "data.status", DATA, "",
        meaning: "Counts of a mailbox without selecting it.",
        why: "STATUS answers the asked items: MESSAGES, UIDNEXT, UIDVALIDITY, UNSEEN, ...",
        rfc: "RFC 9051 §6.3.11, §7.3.2";
    DATA_SEARCH = "data.search", DATA, "",
        meaning: "The numbers of the messages that match (UIDs for UID SEARCH).",
        why: "The answer to SEARCH; empty when nothing matches.",
        rfc: "RFC 9051 §6.4.4, §7.3.4 (RFC 3501 §7.2.5)";
    DATA_FLAGS = "data.flags", DATA, "",
        meaning: "The flags that exist in this mailbox.",
        why: "SELECT and EXAMINE must send FLAGS.",
        rfc: "RFC 9051 §7.3.5";
    DATA_EXISTS = "data.exists", DATA, "",
        meaning: "How many messages the mailbox now holds.",
        why: "Sent by SELECT, and whenever new mail arrived (also during IDLE): the client then fetches the new ones.",
        rfc: "RFC 9051 §7.4.1";
    DATA_RECENT = "data.recent", DATA, "",
        meaning: "How many messages arrived since the last session looked (\\Recent).",
        why: "IMAP4rev1 servers send RECENT with EXISTS; IMAP4rev2 dropped it (sent only until ENABLE IMAP4rev2).",
        rfc: "RFC 3501 §7.3.2";
    DATA_EXPUNGE = "data.expunge", DATA, "",
        meaning: "The message with this sequence number is gone; the numbers of all later messages drop by one.",
        why: "After EXPUNGE, MOVE or CLOSE (silent), or when another session removed mail — never during FETCH, STORE or SEARCH.",
        rfc: "RFC 9051 §7.5.1";
    DATA_FETCH = "data.fetch", DATA, "",
        meaning: "Data about one message: flags, UID, size, envelope, structure or the asked body section.",
        why: "The answer to FETCH; also sent after STORE (unless .SILENT) and when reading BODY[] set \\Seen.",
        rfc: "RFC 9051 §6.4.5, §7.5.2";

    // ── NO: the command was understood but cannot be done ─────────────────────────────────────
    NO_AUTH_FAILED = "no.auth_failed", NO, "Authentication failed",
        meaning: "Wrong user name or password. The session stays Not Authenticated; the client may try again.",
        why: "The credentials did not match an account (the server does not say which part was wrong).",
        rfc: "RFC 9051 §6.2.3, RFC 5530 §3 AUTHENTICATIONFAILED";
    NO_LOGIN_DISABLED = "no.login_disabled", NO, "LOGIN is disabled until STARTTLS",
        meaning: "This server will not take a password in clear text: use STARTTLS first.",
        why: "The server announced LOGINDISABLED; a password must not cross the network unencrypted.",
        rfc: "RFC 9051 §6.2.3, RFC 5530 §3 PRIVACYREQUIRED";
    NO_MECHANISM = "no.mechanism", NO, "Unsupported authentication mechanism",
        meaning: "The server does not offer this SASL mechanism; CAPABILITY lists AUTH=PLAIN.",
        why: "AUTHENTICATE named a mechanism the server does not implement.",
        rfc: "RFC 9051 §6.2.2";
    NO_NONEXISTENT = "no.nonexistent", NO, "No such mailbox",
        meaning: "There is no mailbox with that name (LIST shows the ones there are).",
        why: "SELECT, EXAMINE, STATUS, DELETE or RENAME named a mailbox that does not exist.",
        rfc: "RFC 9051 §6.3.2, RFC 5530 §3 NONEXISTENT";
    NO_TRYCREATE = "no.trycreate", NO, "Mailbox does not exist",
        meaning: "The target mailbox does not exist; create it first (TRYCREATE), then try again.",
        why: "APPEND, COPY or MOVE into a mailbox that is not there.",
        rfc: "RFC 9051 §6.3.12, §6.4.7";
    NO_EXISTS = "no.exists", NO, "Mailbox already exists",
        meaning: "A mailbox of that name is already there.",
        why: "CREATE or RENAME to a name in use.",
        rfc: "RFC 9051 §6.3.4, RFC 5530 §3 ALREADYEXISTS";
    NO_CANNOT = "no.cannot", NO, "{}",
        meaning: "The server cannot do this with that name (INBOX cannot be deleted; the name is not usable).",
        why: "The store refused the operation; the text says why.",
        rfc: "RFC 9051 §6.3.5, RFC 5530 §3 CANNOT";
    NO_READ_ONLY = "no.read_only", NO, "Mailbox is read-only (EXAMINE)",
        meaning: "The mailbox was opened with EXAMINE, so flags cannot change and nothing can be expunged.",
        why: "STORE, EXPUNGE and MOVE need a mailbox opened with SELECT.",
        rfc: "RFC 9051 §6.3.3";
    NO_BADCHARSET = "no.badcharset", NO, "Only UTF-8 and US-ASCII searches are supported",
        meaning: "The search charset is not supported.",
        why: "SEARCH CHARSET named a charset other than UTF-8 or US-ASCII.",
        rfc: "RFC 9051 §6.4.4";

    // ── BAD: the command was not understood or not allowed now ────────────────────────────────
    BAD_SYNTAX = "bad.syntax", BAD, "{}",
        meaning: "The command could not be parsed; the text names the rule and the column.",
        why: "The line does not follow the IMAP grammar.",
        rfc: "RFC 9051 §7.1.3, §9";
    BAD_STATE = "bad.state", BAD, "{} is not valid in the {} state; valid there: {}",
        meaning: "This command is not allowed in the current state (e.g. FETCH before SELECT, LOGIN twice).",
        why: "Each IMAP command belongs to states: any, Not Authenticated, Authenticated, Selected.",
        rfc: "RFC 9051 §3, §6";
    BAD_UNTAGGED = "bad.untagged", BAD, "{}",
        meaning: "A line so broken that no tag could be found; the answer is untagged.",
        why: "Without a tag the server cannot say which command failed.",
        rfc: "RFC 9051 §7.1.3";
    BAD_TOO_LONG = "bad.too_long", BAD, "Line too long, ignored",
        meaning: "The line was longer than the server accepts outside literals.",
        why: "Long data belongs in a literal {n}; the server keeps its memory bounded.",
        rfc: "RFC 9051 §4.3, RFC 7162 §4";
    BAD_LITERAL = "bad.literal_too_large", BAD, "Literal of {} octets is too large (limit {})",
        meaning: "The announced literal is bigger than this server accepts; the command is dropped.",
        why: "A server may refuse a synchronizing literal before the client sends it.",
        rfc: "RFC 9051 §4.3, §7.5";
    BAD_AUTH_CANCELLED = "bad.auth_cancelled", BAD, "AUTHENTICATE cancelled",
        meaning: "The client sent * to stop the SASL exchange.",
        why: "RFC 9051 §6.2.2: a line of just * cancels AUTHENTICATE with BAD.",
        rfc: "RFC 9051 §6.2.2";
    BAD_AUTH_LINE = "bad.auth_line", BAD, "Invalid SASL response: {}",
        meaning: "The AUTHENTICATE response was not base64 of authzid NUL user NUL password.",
        why: "AUTH PLAIN's message is base64 (RFC 4648) of three NUL-separated parts (RFC 4616 §2).",
        rfc: "RFC 9051 §6.2.2, RFC 4616 §2";
    BAD_TLS_ACTIVE = "bad.tls_active", BAD, "TLS is already active",
        meaning: "STARTTLS may be used only once.",
        why: "The channel is already (simulated) TLS.",
        rfc: "RFC 9051 §6.2.1";
    BAD_NO_STARTTLS = "bad.no_starttls", BAD, "STARTTLS is not offered here",
        meaning: "This server does not offer STARTTLS (a real socket cannot pretend to encrypt).",
        why: "STARTTLS is not in CAPABILITY.",
        rfc: "RFC 9051 §6.2.1";
    BAD_IDLE_DONE = "bad.idle_done", BAD, "Expected DONE to end IDLE",
        meaning: "During IDLE the only thing the client may send is DONE.",
        why: "RFC 2177 §3: IDLE is ended by the line DONE; anything else is a protocol error.",
        rfc: "RFC 9051 §6.3.13, RFC 2177 §3";
}

/// Every command with its syntax and purpose.
pub static COMMANDS: &[CommandSpec] = &[
    CommandSpec { verb: Verb::Capability, syntax: "tag CAPABILITY", purpose: "Ask what the server can do.", rfc: "RFC 9051 §6.1.1" },
    CommandSpec {
        verb: Verb::Noop,
        syntax: "tag NOOP",
        purpose: "Do nothing, but get any pending updates (new mail: EXISTS).",
        rfc: "RFC 9051 §6.1.2",
    },
    CommandSpec { verb: Verb::Logout, syntax: "tag LOGOUT", purpose: "End the session.", rfc: "RFC 9051 §6.1.3" },
    CommandSpec {
        verb: Verb::StartTls,
        syntax: "tag STARTTLS",
        purpose: "Switch the connection to TLS before logging in.",
        rfc: "RFC 9051 §6.2.1",
    },
    CommandSpec {
        verb: Verb::Authenticate,
        syntax: "tag AUTHENTICATE PLAIN [initial-response]",
        purpose: "Log in with a SASL mechanism (PLAIN: base64 of authzid NUL user NUL password).",
        rfc: "RFC 9051 §6.2.2, RFC 4616",
    },
    CommandSpec {
        verb: Verb::Login,
        syntax: "tag LOGIN user password",
        purpose: "Log in with a user name and password in clear text.",
        rfc: "RFC 9051 §6.2.3",
    },
    CommandSpec {
        verb: Verb::Enable,
        syntax: "tag ENABLE capability...",
        purpose: "Switch on an extension for this session (IMAP4rev2).",
        rfc: "RFC 9051 §6.3.1, RFC 5161",
    },
    CommandSpec {
        verb: Verb::Select,
        syntax: "tag SELECT mailbox",
        purpose: "Open a mailbox to read and change its messages.",
        rfc: "RFC 9051 §6.3.2",
    },
    CommandSpec { verb: Verb::Examine, syntax: "tag EXAMINE mailbox", purpose: "Open a mailbox read-only.", rfc: "RFC 9051 §6.3.3" },
    CommandSpec { verb: Verb::Create, syntax: "tag CREATE mailbox", purpose: "Make a new mailbox (folder).", rfc: "RFC 9051 §6.3.4" },
    CommandSpec {
        verb: Verb::Delete, syntax: "tag DELETE mailbox", purpose: "Remove a mailbox and its messages.", rfc: "RFC 9051 §6.3.5"
    },
    CommandSpec { verb: Verb::Rename, syntax: "tag RENAME old new", purpose: "Rename a mailbox.", rfc: "RFC 9051 §6.3.6" },
    CommandSpec {
        verb: Verb::Subscribe,
        syntax: "tag SUBSCRIBE mailbox",
        purpose: "Add a mailbox to the subscribed list.",
        rfc: "RFC 9051 §6.3.7",
    },
    CommandSpec {
        verb: Verb::Unsubscribe,
        syntax: "tag UNSUBSCRIBE mailbox",
        purpose: "Remove a mailbox from the subscribed list.",
        rfc: "RFC 9051 §6.3.8",
    },
    CommandSpec {
        verb: Verb::List,
        syntax: "tag LIST reference pattern",
        purpose: "List mailboxes (* all, % one level), with SPECIAL-USE attributes.",
        rfc: "RFC 9051 §6.3.9, RFC 6154",
    },
    CommandSpec {
        verb: Verb::Lsub,
        syntax: "tag LSUB reference pattern",
        purpose: "List subscribed mailboxes (IMAP4rev1).",
        rfc: "RFC 3501 §6.3.9",
    },
    CommandSpec {
        verb: Verb::Status,
        syntax: "tag STATUS mailbox (MESSAGES UIDNEXT UIDVALIDITY UNSEEN ...)",
        purpose: "Counts of a mailbox without opening it.",
        rfc: "RFC 9051 §6.3.11",
    },
    CommandSpec {
        verb: Verb::Append,
        syntax: "tag APPEND mailbox [(flags)] [\"date-time\"] {octets}",
        purpose: "Store a message in a mailbox (a mail program saving to Sent).",
        rfc: "RFC 9051 §6.3.12",
    },
    CommandSpec {
        verb: Verb::Idle,
        syntax: "tag IDLE … DONE",
        purpose: "Wait for the server to announce new mail.",
        rfc: "RFC 9051 §6.3.13, RFC 2177",
    },
    CommandSpec {
        verb: Verb::Check,
        syntax: "tag CHECK",
        purpose: "A checkpoint (IMAP4rev1; the same as NOOP here).",
        rfc: "RFC 3501 §6.4.1",
    },
    CommandSpec {
        verb: Verb::Close,
        syntax: "tag CLOSE",
        purpose: "Close the mailbox, silently expunging messages marked \\Deleted.",
        rfc: "RFC 9051 §6.4.1",
    },
    CommandSpec { verb: Verb::Unselect, syntax: "tag UNSELECT", purpose: "Close the mailbox without expunging.", rfc: "RFC 9051 §6.4.2" },
    CommandSpec {
        verb: Verb::Expunge,
        syntax: "tag EXPUNGE | tag UID EXPUNGE uid-set",
        purpose: "Remove the messages marked \\Deleted for good.",
        rfc: "RFC 9051 §6.4.3, §6.4.9",
    },
    CommandSpec {
        verb: Verb::Search,
        syntax: "tag [UID] SEARCH key...",
        purpose: "Find messages: ALL, UNSEEN, FROM x, SINCE date, NOT, OR ...",
        rfc: "RFC 9051 §6.4.4",
    },
    CommandSpec {
        verb: Verb::Fetch,
        syntax: "tag [UID] FETCH set (FLAGS UID RFC822.SIZE ENVELOPE BODYSTRUCTURE BODY[...])",
        purpose: "Read messages, or just parts of them.",
        rfc: "RFC 9051 §6.4.5",
    },
    CommandSpec {
        verb: Verb::Store,
        syntax: "tag [UID] STORE set [+|-]FLAGS[.SILENT] (flags)",
        purpose: "Change flags: \\Seen, \\Flagged, \\Deleted, ...",
        rfc: "RFC 9051 §6.4.6",
    },
    CommandSpec {
        verb: Verb::Copy,
        syntax: "tag [UID] COPY set mailbox",
        purpose: "Copy messages to another mailbox.",
        rfc: "RFC 9051 §6.4.7",
    },
    CommandSpec {
        verb: Verb::Move,
        syntax: "tag [UID] MOVE set mailbox",
        purpose: "Move messages to another mailbox.",
        rfc: "RFC 9051 §6.4.8, RFC 6851",
    },
];

/// The reference entry of a command.
pub fn command(verb: Verb) -> &'static CommandSpec {
    COMMANDS.iter().find(|c| c.verb == verb).unwrap_or(&COMMANDS[0])
}

/// The spec with this key.
pub fn response(key: &str) -> Option<&'static ResponseSpec> {
    RESPONSES.iter().copied().find(|r| r.key == key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_verb_has_a_command_entry_and_keys_are_unique() {
        for v in Verb::ALL {
            assert!(COMMANDS.iter().any(|c| c.verb == v), "{v:?}");
        }
        let mut keys: Vec<_> = RESPONSES.iter().map(|r| r.key).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), RESPONSES.len());
    }
}
