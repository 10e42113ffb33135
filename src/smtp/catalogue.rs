//! The teaching catalogue: every command the core understands and every reply the server
//! session can emit, each with plain-language meaning, why it happens, and the RFC section.
//!
//! The server session builds replies *only* through these specs (see `server.rs`), so every
//! reply on the wire has an entry here by construction, and every `ReplySent` event carries the
//! spec's `key`. Replies marked `policy: true` are chosen by a node's [`Policy`] (unknown user,
//! relay denied, greylisting, ...) rather than by the protocol itself.
//!
//! Enhanced status codes (RFC 3463) are attached by every server that supports
//! ENHANCEDSTATUSCODES, "regardless of whether or not EHLO is employed" (RFC 2034 §3), except on
//! the greeting and the EHLO/HELO replies (their entries carry no code); never to 3yz replies
//! (RFC 2034 §4: 2yz, 4yz, 5yz).
//!
//! [`Policy`]: super::server::Policy

use super::command::Verb;
use super::reply::{EnhancedCode, Reply};

/// One reply the server can send, with its teaching text.
#[derive(Debug, PartialEq, Eq)]
pub struct ReplySpec {
    /// Stable identifier, e.g. `"rcpt.unknown_user"`; carried in events and traces.
    pub key: &'static str,
    pub code: u16,
    /// The RFC 3463 enhanced status code, sent by a server that supports ENHANCEDSTATUSCODES.
    pub enhanced: Option<EnhancedCode>,
    /// Default reply text; each `{}` is filled, in order, by the emitter.
    pub text: &'static str,
    /// What the reply means, in plain language.
    pub meaning: &'static str,
    /// Why a server sends it in this situation.
    pub why: &'static str,
    /// Where the rule lives, e.g. `"RFC 5321 §4.1.4"`.
    pub rfc: &'static str,
    /// Chosen by a node's policy, not by the protocol; need not be reachable in protocol tests.
    pub policy: bool,
}

impl ReplySpec {
    /// The text with each `{}` replaced by the next argument (missing ones become empty).
    pub fn render(&self, args: &[&str]) -> String {
        render(self.text, args)
    }

    /// Build the reply with `text` (a server's own wording of this entry, `{}` filled the same
    /// way) in place of the default text, or the default when `None`.
    pub fn reply_text(&self, text: Option<&str>, args: &[&str], more: Vec<String>, enhanced_on: bool) -> Reply {
        let mut reply = self.reply_lines(args, more, enhanced_on);
        if let Some(text) = text {
            reply.lines[0] = render(text, args);
        }
        reply
    }

    /// Build the reply. `enhanced_on`: the server supports ENHANCEDSTATUSCODES (RFC 2034 §3).
    pub fn reply(&self, args: &[&str], enhanced_on: bool) -> Reply {
        self.reply_lines(args, Vec::new(), enhanced_on)
    }

    /// A multi-line reply: the rendered text first, then `more` lines (RFC 5321 §4.2.1).
    pub fn reply_lines(&self, args: &[&str], more: Vec<String>, enhanced_on: bool) -> Reply {
        // RFC 2034 §4: enhanced codes go on 2yz, 4yz and 5yz replies.
        let enhanced = if enhanced_on && self.code / 100 != 3 { self.enhanced } else { None };
        let mut lines = vec![self.render(args)];
        lines.extend(more);
        Reply { code: super::reply::Code(self.code), enhanced, lines }
    }
}

/// `template` with each `{}` replaced by the next argument (missing ones become empty).
pub fn render(template: &str, args: &[&str]) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut args = args.iter();
    let mut rest = template;
    while let Some(i) = rest.find("{}") {
        out.push_str(&rest[..i]);
        out.push_str(args.next().copied().unwrap_or(""));
        rest = &rest[i + 2..];
    }
    out.push_str(rest);
    out
}

/// A spec is written by its key (in events and the trace's JSON) and read back by it.
impl serde::Serialize for ReplySpec {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.key)
    }
}

impl<'de> serde::Deserialize<'de> for &'static ReplySpec {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let key = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        reply_spec(&key).ok_or_else(|| serde::de::Error::custom(format!("no catalogue entry has the key {key:?}")))
    }
}

/// One command, for the command reference panel.
#[derive(Debug, PartialEq, Eq)]
pub struct CommandSpec {
    pub verb: Verb,
    /// ABNF-like syntax as the RFC writes it.
    pub syntax: &'static str,
    pub purpose: &'static str,
    pub rfc: &'static str,
}

const fn e(class: u8, subject: u16, detail: u16) -> Option<EnhancedCode> {
    Some(EnhancedCode::new(class, subject, detail))
}

macro_rules! replies {
    ($( $name:ident = $key:literal, $code:literal, $enh:expr, $text:literal,
        meaning: $meaning:literal, why: $why:literal, rfc: $rfc:literal, policy: $policy:literal; )*) => {
        $(
            #[doc = concat!("`", stringify!($code), " ", $text, "` — ", $meaning)]
            pub static $name: ReplySpec = ReplySpec {
                key: $key, code: $code, enhanced: $enh, text: $text,
                meaning: $meaning, why: $why, rfc: $rfc, policy: $policy,
            };
        )*
        /// Every reply the server session or a node policy can emit.
        pub static REPLIES: &[&ReplySpec] = &[$(&$name),*];
    };
}

replies! {
    // ── Connection opening and closing ──────────────────────────────────────────────────────
    GREETING = "greeting", 220, None, "{} ESMTP {}",
        meaning: "Service ready: the server greets the client and waits for EHLO or HELO.",
        why: "Every session starts with the server speaking first.",
        rfc: "RFC 5321 §3.1, §4.2", policy: false;
    GREETING_REFUSED = "greeting.refused", 554, None, "{} No SMTP service here",
        meaning: "The server will not talk to this client; only QUIT is accepted.",
        why: "The server decided at connection time not to accept mail from this client (e.g. a blocklisted address).",
        rfc: "RFC 5321 §3.1", policy: true;
    GREETING_BUSY = "greeting.busy", 421, None, "{} Service not available, closing transmission channel",
        meaning: "The server is unavailable right now and closes the connection; try again later.",
        why: "The server is overloaded or shutting down, so it refuses the connection with a temporary error.",
        rfc: "RFC 5321 §3.1, §3.8", policy: true;
    NO_SERVICE = "no_service", 503, None, "Bad sequence of commands: this server refused service, send QUIT",
        meaning: "After a 554 greeting the server accepts nothing but QUIT.",
        why: "The connection opened with 554; the server must wait for QUIT and answer 503 to anything else.",
        rfc: "RFC 5321 §3.1", policy: false;
    QUIT_OK = "quit", 221, e(2, 0, 0), "{} Service closing transmission channel",
        meaning: "Goodbye: the server closes the connection after this reply.",
        why: "The client sent QUIT; the session ends cleanly.",
        rfc: "RFC 5321 §4.1.1.10", policy: false;
    SHUTDOWN = "shutdown", 421, e(4, 3, 2), "{} Service shutting down, closing transmission channel",
        meaning: "The server is going away; whatever was not finished must be retried later.",
        why: "The node is shutting down; a server may send 421 in answer to any command when it must close.",
        rfc: "RFC 5321 §3.8, §4.2.3; RFC 3463 §3.4 (X.3.2)", policy: false;
    TOO_MANY_ERRORS = "too_many_errors", 421, e(4, 7, 0), "{} Too many errors, closing connection",
        meaning: "The client made too many mistakes; the server hangs up.",
        why: "Servers limit bad commands per session to stop abuse; 421 closes the channel.",
        rfc: "RFC 5321 §4.2.3, §7.8", policy: false;

    // ── Greeting commands ──────────────────────────────────────────────────────────────────
    EHLO_OK = "ehlo", 250, None, "{} Hello {}",
        meaning: "Hello accepted; the following lines list the ESMTP extensions this server offers.",
        why: "EHLO opens (or restarts) the session and asks for the extension list; it also clears any transaction.",
        rfc: "RFC 5321 §4.1.1.1, §4.1.4", policy: false;
    HELO_OK = "helo", 250, None, "{} Hello {}",
        meaning: "Hello accepted, plain SMTP: no extensions are available in this session.",
        why: "HELO is the old greeting of RFC 821; it clears any transaction but offers no extensions.",
        rfc: "RFC 5321 §4.1.1.1", policy: false;

    // ── Mail transaction ────────────────────────────────────────────────────────────────────
    MAIL_OK = "mail", 250, e(2, 1, 0), "Sender {} OK",
        meaning: "The reverse-path is accepted; a mail transaction has begun.",
        why: "MAIL FROM starts a transaction and names where bounces go.",
        rfc: "RFC 5321 §4.1.1.2; RFC 3463 §3.2 (X.1.0)", policy: false;
    RCPT_OK = "rcpt", 250, e(2, 1, 5), "Recipient {} OK",
        meaning: "This recipient is accepted for the transaction.",
        why: "RCPT TO adds one forward-path; the server is willing to deliver or relay to it.",
        rfc: "RFC 5321 §4.1.1.3; RFC 3463 §3.2 (X.1.5)", policy: false;
    DATA_GO = "data.go", 354, None, "End data with <CR><LF>.<CR><LF>",
        meaning: "Go ahead: send the message, then a line with a single dot.",
        why: "At least one recipient was accepted, so the server is ready for the message text.",
        rfc: "RFC 5321 §4.1.1.4, §3.3", policy: false;
    DATA_OK = "data.ok", 250, e(2, 0, 0), "Message accepted for delivery ({} octets)",
        meaning: "The server has taken responsibility for delivering the message.",
        why: "The end of data (CRLF.CRLF) arrived and the message passed every check.",
        rfc: "RFC 5321 §4.1.1.4, §6.1", policy: false;
    BDAT_CHUNK_OK = "bdat.chunk", 250, e(2, 0, 0), "{} octets received",
        meaning: "This chunk arrived; send the next one, ending with BDAT ... LAST.",
        why: "With CHUNKING each BDAT chunk is acknowledged; the message is complete only after LAST.",
        rfc: "RFC 3030 §2", policy: false;
    BDAT_OK = "bdat.ok", 250, e(2, 0, 0), "Message accepted for delivery ({} octets)",
        meaning: "The last chunk arrived; the server has taken responsibility for the message.",
        why: "BDAT ... LAST ends the message, which passed every check.",
        rfc: "RFC 3030 §2; RFC 5321 §6.1", policy: false;
    RSET_OK = "rset", 250, e(2, 0, 0), "Reset OK",
        meaning: "The current transaction (sender, recipients, data) is thrown away.",
        why: "RSET aborts the transaction; the session itself goes on.",
        rfc: "RFC 5321 §4.1.1.5", policy: false;
    NOOP_OK = "noop", 250, e(2, 0, 0), "OK",
        meaning: "Nothing happened, and that is fine.",
        why: "NOOP only asks the server to answer; it changes no state.",
        rfc: "RFC 5321 §4.1.1.9", policy: false;
    VRFY_CANNOT = "vrfy.cannot", 252, e(2, 1, 5), "Cannot VRFY user, but will accept message and attempt delivery",
        meaning: "The server will not say whether the mailbox exists, but will take mail for it.",
        why: "Revealing valid addresses helps spammers, so servers answer VRFY with 252.",
        rfc: "RFC 5321 §3.5.3, §7.3", policy: false;
    VRFY_OK = "vrfy.ok", 250, e(2, 1, 5), "{}",
        meaning: "The server knows this user: here is the full name and the mailbox.",
        why: "The string names exactly one user of this server, and the server chose to say so (many do not, to keep addresses from spammers).",
        rfc: "RFC 5321 §3.5.1, §3.5.3", policy: true;
    VRFY_AMBIGUOUS = "vrfy.ambiguous", 553, e(5, 1, 4), "User ambiguous",
        meaning: "Several users match this string; the server will not guess which one.",
        why: "VRFY found more than one user for the string, and §3.5.1 answers that with 553.",
        rfc: "RFC 5321 §3.5.1; RFC 3463 §3.2 (X.1.4)", policy: true;
    VRFY_UNKNOWN = "vrfy.unknown", 550, e(5, 1, 1), "String does not match anything",
        meaning: "No user of this server matches the string.",
        why: "VRFY looked the string up among its users and found none.",
        rfc: "RFC 5321 §3.5.3; RFC 3463 §3.2 (X.1.1)", policy: true;
    VRFY_DISABLED = "vrfy.disabled", 502, e(5, 5, 1), "VRFY command is disabled",
        meaning: "This server does not offer VRFY at all.",
        why: "The server is configured to refuse address verification.",
        rfc: "RFC 5321 §3.5.3, §7.3", policy: false;
    EXPN_DISABLED = "expn.disabled", 502, e(5, 5, 1), "EXPN command is disabled",
        meaning: "This server does not expand mailing lists.",
        why: "List membership is private; EXPN is commonly disabled. A server that does not implement EXPN does not list it in its EHLO reply.",
        rfc: "RFC 5321 §3.5.2, §7.3", policy: false;
    HELP_OK = "help", 214, e(2, 0, 0), "Commands supported:",
        meaning: "Help text for humans; the lines list the commands this server implements.",
        why: "The client asked for HELP. HELP is optional in RFC 5321, so a server that answers it lists HELP in its EHLO reply, as it lists every command beyond the basic set.",
        rfc: "RFC 5321 §4.1.1.8, §4.1.1.1", policy: false;

    // ── Sequence errors (RFC 5321 §4.1.4, §4.3.2) ───────────────────────────────────────────
    NEED_EHLO = "seq.need_ehlo", 503, e(5, 5, 1), "Bad sequence of commands: send EHLO or HELO first",
        meaning: "This command needs a greeting first.",
        why: "No EHLO/HELO yet (or it was forgotten by STARTTLS): the session has not been opened.",
        rfc: "RFC 5321 §4.1.4", policy: false;
    NESTED_MAIL = "seq.nested_mail", 503, e(5, 5, 1), "Bad sequence of commands: nested MAIL command",
        meaning: "A transaction is already open; finish it or send RSET first.",
        why: "MAIL may not be sent while a transaction is in progress.",
        rfc: "RFC 5321 §4.1.4, §3.3", policy: false;
    NEED_MAIL = "seq.need_mail", 503, e(5, 5, 1), "Bad sequence of commands: need MAIL before {}",
        meaning: "There is no transaction yet: MAIL FROM must come first.",
        why: "The transaction has no reverse-path yet.",
        rfc: "RFC 5321 §4.1.4, §3.3", policy: false;
    NEED_RCPT = "seq.need_rcpt", 503, e(5, 5, 1), "Bad sequence of commands: need RCPT before {}",
        meaning: "No recipient was given, so there is nobody to deliver to.",
        why: "The message may only follow at least one RCPT TO.",
        rfc: "RFC 5321 §4.1.4, §3.3", policy: false;
    NO_VALID_RCPT = "seq.no_valid_rcpt", 554, e(5, 5, 1), "No valid recipients",
        meaning: "Every RCPT TO of this transaction was refused, so DATA has nobody to send the message to: this refuses the DATA command, not the recipients.",
        why: "RFC 5321 §3.3 gives exactly two answers to DATA when all RCPTs were rejected, 503 or 554 \"no valid recipients\", and §4.3.2 lists only those for DATA; a temporary code is not one of them. With PIPELINING the client sent DATA before it saw the RCPT replies, so it must read every reply of the group (RFC 2920 §3): each recipient's own reply decides — a 4xx (greylisting, RFC 6647) means queue and retry later, a 5xx means give up. The client sends RSET or QUIT, not the message.",
        rfc: "RFC 5321 §3.3, §4.3.2; RFC 2920 §3", policy: false;
    BDAT_IN_PROGRESS = "seq.bdat_in_progress", 503, e(5, 5, 1), "Bad sequence of commands: BDAT transfer in progress",
        meaning: "A chunked message is being sent; only BDAT, RSET, NOOP and QUIT fit now.",
        why: "After a BDAT chunk the transaction continues with BDAT until LAST; DATA or MAIL/RCPT cannot be mixed in.",
        rfc: "RFC 3030 §2, §4", policy: false;
    TLS_IN_TRANSACTION = "seq.tls_in_transaction", 503, e(5, 5, 1), "Bad sequence of commands: mail transaction in progress",
        meaning: "Finish or RSET the transaction before starting TLS.",
        why: "STARTTLS forgets all state; this server refuses it while a transaction is open rather than silently drop it.",
        rfc: "RFC 3207 §4.2", policy: false;
    AUTH_IN_TRANSACTION = "auth.in_transaction", 503, e(5, 5, 1), "Bad sequence of commands: AUTH not permitted during a mail transaction",
        meaning: "Authenticate before MAIL FROM, not in the middle of a transaction.",
        why: "AUTH is not permitted during a mail transaction.",
        rfc: "RFC 4954 §4", policy: false;
    AUTH_ALREADY = "auth.already", 503, e(5, 5, 1), "Bad sequence of commands: already authenticated",
        meaning: "This session is already authenticated; AUTH cannot be repeated.",
        why: "After a successful AUTH the server must reject further AUTH commands with 503.",
        rfc: "RFC 4954 §4", policy: false;
    TLS_ALREADY = "starttls.already", 503, e(5, 5, 1), "Bad sequence of commands: TLS already active",
        meaning: "The channel is already encrypted.",
        why: "A client must not start TLS twice on one connection.",
        rfc: "RFC 3207 §4.2", policy: false;

    // ── Syntax and limits ───────────────────────────────────────────────────────────────────
    UNKNOWN_COMMAND = "syntax.unknown_command", 500, e(5, 5, 1), "Syntax error, command unrecognized",
        meaning: "The server does not know this command.",
        why: "The verb is not an SMTP command this server implements (or the line is garbled).",
        rfc: "RFC 5321 §4.2.2, §4.2.4; RFC 3463 §3.6 (X.5.1)", policy: false;
    BAD_ARGUMENTS = "syntax.bad_arguments", 501, e(5, 5, 2), "Syntax error in parameters or arguments, expected: {}",
        meaning: "The command is known but its arguments do not follow the grammar.",
        why: "The argument did not match the ABNF of the command (the text says what was expected).",
        rfc: "RFC 5321 §4.1.2, §4.2.2; RFC 3463 §3.6 (X.5.2)", policy: false;
    BAD_SENDER_SYNTAX = "syntax.bad_sender", 501, e(5, 1, 7), "Bad sender address syntax, expected: {}",
        meaning: "The reverse-path in MAIL FROM is malformed.",
        why: "The address did not match `Reverse-path = Path / \"<>\"`; angle brackets are required.",
        rfc: "RFC 5321 §4.1.2; RFC 3463 §3.2 (X.1.7)", policy: false;
    BAD_RCPT_SYNTAX = "syntax.bad_recipient", 501, e(5, 1, 3), "Bad recipient address syntax, expected: {}",
        meaning: "The forward-path in RCPT TO is malformed.",
        why: "The address did not match `Forward-path = Path`; angle brackets are required.",
        rfc: "RFC 5321 §4.1.2; RFC 3463 §3.2 (X.1.3)", policy: false;
    BAD_PARAM_VALUE = "syntax.bad_parameter", 501, e(5, 5, 4), "Invalid parameter value, expected: {}",
        meaning: "A known MAIL/RCPT parameter has a value it cannot take, or was given twice.",
        why: "E.g. SIZE=big or BODY=9BIT: the keyword is known but the value breaks its grammar.",
        rfc: "RFC 5321 §4.1.2; RFC 1870 §3; RFC 6152 §2; RFC 3463 §3.6 (X.5.4)", policy: false;
    BAD_LINE = "syntax.bad_line", 500, e(5, 5, 2), "Syntax error, line cannot be interpreted",
        meaning: "The line contains bytes that are not allowed (invalid UTF-8 or control characters).",
        why: "Command lines are printable text; this one could not even be split into a command.",
        rfc: "RFC 5321 §4.1.1, §2.3.8; RFC 6531 §3.3", policy: false;
    NOT_IMPLEMENTED = "syntax.not_offered", 502, e(5, 5, 1), "Command not implemented: {} was not offered",
        meaning: "This server knows the command but does not offer it in this session.",
        why: "The command belongs to an extension the server did not advertise in its EHLO reply.",
        rfc: "RFC 5321 §4.2.4, §2.2.2", policy: false;
    PARAM_UNKNOWN = "syntax.param_unknown", 555, e(5, 5, 4), "MAIL FROM/RCPT TO parameter not recognized or not implemented: {}",
        meaning: "A MAIL or RCPT parameter is unknown, or belongs to an extension that was not offered.",
        why: "A server must refuse parameters it did not advertise with 555: SIZE, BODY, SMTPUTF8, RET/ENVID/NOTIFY/ORCPT (DSN) and AUTH= each belong to their extension.",
        rfc: "RFC 5321 §4.1.1.11, §4.2.4; RFC 4954 §5; RFC 3461 §4", policy: false;
    LINE_TOO_LONG = "syntax.line_too_long", 500, e(5, 5, 2), "Line too long (the limit is 512 octets including CRLF)",
        meaning: "The command line is longer than SMTP allows; it was discarded.",
        why: "Command lines are limited to 512 octets including CRLF; the server discarded up to the line end.",
        rfc: "RFC 5321 §4.5.3.1.4, §4.5.3.1.10", policy: false;
    BARE_LF_COMMAND = "syntax.bare_lf", 500, e(5, 5, 2), "Syntax error: bare LF, command lines end with CRLF",
        meaning: "The line ended with LF alone; SMTP lines end with CR LF (try `nc -C` or telnet).",
        why: "A bare LF is not a line ending in SMTP; the server did not execute the line.",
        rfc: "RFC 5321 §2.3.8, §4.1.1", policy: false;
    AUTH_LINE_TOO_LONG = "auth.line_too_long", 500, e(5, 5, 6), "Authentication exchange line is too long",
        meaning: "An AUTH response line was longer than 12288 octets; authentication is cancelled.",
        why: "SASL response lines are limited to 12288 octets.",
        rfc: "RFC 4954 §4, §6", policy: false;
    SIZE_DECLARED_TOO_BIG = "size.declared", 552, e(5, 3, 4), "Message size exceeds fixed maximum message size ({} octets)",
        meaning: "The SIZE declared in MAIL FROM is over this server's limit; do not send the message.",
        why: "With SIZE the client announces the size up front, so the server can refuse before any data travels.",
        rfc: "RFC 1870 §6; RFC 3463 §3.4 (X.3.4)", policy: false;
    SIZE_EXCEEDED = "size.exceeded", 552, e(5, 3, 4), "Message size exceeds fixed maximum message size ({} octets)",
        meaning: "The message turned out bigger than this server accepts; it was discarded.",
        why: "The data received was over the size limit (whatever SIZE= said).",
        rfc: "RFC 1870 §6; RFC 5321 §4.5.3.1.10", policy: false;
    TOO_MANY_RCPTS = "rcpt.too_many", 452, e(4, 5, 3), "Too many recipients",
        meaning: "This recipient was not accepted now; send it in another transaction.",
        why: "The server's per-transaction recipient limit was reached; the client must retry the rest later.",
        rfc: "RFC 5321 §4.5.3.1.8, §4.5.3.1.10; RFC 3463 §3.6 (X.5.3)", policy: false;
    SMTPUTF8_REQUIRED = "smtputf8.required", 553, e(5, 6, 7), "Non-ASCII address needs the SMTPUTF8 parameter: {}",
        meaning: "The address contains UTF-8, but MAIL FROM did not declare SMTPUTF8.",
        why: "Internationalized addresses (UTF-8 in the local part or U-labels in the domain, RFC 6531 §3.3) are allowed only in a transaction whose MAIL FROM carries the SMTPUTF8 parameter.",
        rfc: "RFC 6531 §3.4, §3.7.4.2; RFC 6533 (X.6.7)", policy: false;
    AUTH_REQUIRED = "auth.required", 530, e(5, 7, 0), "Authentication required",
        meaning: "This server (a submission server) accepts mail only from authenticated users.",
        why: "Submission requires AUTH before MAIL FROM, so until AUTH succeeds this reply answers every command but AUTH, EHLO, HELO, NOOP, RSET and QUIT (and STARTTLS, to protect the password) — also the RCPT and DATA a pipelining client sent after its MAIL.",
        rfc: "RFC 4954 §6; RFC 6409 §4.3", policy: false;
    TLS_REQUIRED = "starttls.required", 530, e(5, 7, 0), "Must issue a STARTTLS command first",
        meaning: "This server talks only over an encrypted channel.",
        why: "The server is configured to require TLS before anything but EHLO, STARTTLS, NOOP, RSET and QUIT.",
        rfc: "RFC 3207 §4", policy: false;
    DATA_BARE_LF = "data.bare_line_end", 550, e(5, 6, 0), "Message contains a bare CR or LF; lines must end with CRLF",
        meaning: "The message was refused because some line did not end with CR LF.",
        why: "Bare CR/LF are forbidden in SMTP and are how \"SMTP smuggling\" hides a second message; this server refuses them.",
        rfc: "RFC 5321 §2.3.8, §4.1.1.4; RFC 3463 §3.7 (X.6.0)", policy: false;
    DATA_LONG_LINE = "data.line_too_long", 550, e(5, 6, 0), "Message contains a line longer than 1000 octets",
        meaning: "The message was refused because a text line is over 1000 octets.",
        why: "Text lines are limited to 1000 octets including CRLF; this server is configured to enforce it.",
        rfc: "RFC 5321 §4.5.3.1.6, §4.5.3.1.10", policy: false;

    // ── STARTTLS and AUTH ───────────────────────────────────────────────────────────────────
    STARTTLS_GO = "starttls.go", 220, e(2, 0, 0), "Ready to start TLS",
        meaning: "Go ahead with the TLS handshake; afterwards all earlier state is forgotten.",
        why: "The client asked for STARTTLS, which the server offered.",
        rfc: "RFC 3207 §4, §4.2", policy: false;
    AUTH_CHALLENGE = "auth.challenge", 334, None, "{}",
        meaning: "Send the next part of the authentication exchange (base64).",
        why: "The SASL mechanism needs (more) data from the client: PLAIN an empty challenge, LOGIN 'Username:' then 'Password:'.",
        rfc: "RFC 4954 §4", policy: false;
    AUTH_OK = "auth.ok", 235, e(2, 7, 0), "Authentication successful",
        meaning: "The client is now authenticated.",
        why: "The credentials were accepted.",
        rfc: "RFC 4954 §6", policy: false;
    AUTH_FAILED = "auth.failed", 535, e(5, 7, 8), "Authentication credentials invalid",
        meaning: "Wrong user name or password.",
        why: "The credentials did not check out.",
        rfc: "RFC 4954 §6", policy: false;
    AUTH_CANCELLED = "auth.cancelled", 501, e(5, 7, 0), "Authentication cancelled",
        meaning: "The client gave up the authentication exchange by sending `*`.",
        why: "A `*` response cancels AUTH; the server must answer 501.",
        rfc: "RFC 4954 §4", policy: false;
    AUTH_BAD_BASE64 = "auth.bad_base64", 501, e(5, 5, 2), "Cannot Base64-decode client response",
        meaning: "The AUTH data was not valid base64 (or not what the mechanism expects).",
        why: "Every AUTH response is base64 text; this one could not be decoded.",
        rfc: "RFC 4954 §4, §6", policy: false;
    AUTH_MECHANISM = "auth.mechanism", 504, e(5, 5, 4), "Unrecognized authentication type: {}",
        meaning: "The server does not offer this SASL mechanism.",
        why: "Only the mechanisms listed in the EHLO AUTH line can be used.",
        rfc: "RFC 4954 §4, §6", policy: false;

    // ── Policy decisions (the node chooses these; the protocol only carries them) ──────────
    UNKNOWN_USER = "rcpt.unknown_user", 550, e(5, 1, 1), "{}: Recipient address rejected: user unknown",
        meaning: "No such mailbox at this domain.",
        why: "The server is final for this domain and the local part does not exist.",
        rfc: "RFC 5321 §4.2.2 (550); RFC 3463 §3.2 (X.1.1)", policy: true;
    RELAY_DENIED = "rcpt.relay_denied", 550, e(5, 7, 1), "{}: Relay access denied",
        meaning: "This server is not responsible for that domain and will not forward mail for you.",
        why: "Relaying is only done for authenticated or trusted clients, or to domains the server is final for.",
        rfc: "RFC 5321 §3.6.2, §7.9; RFC 3463 §3.8 (X.7.1)", policy: true;
    MAILBOX_FULL_TEMP = "rcpt.mailbox_full_temp", 452, e(4, 2, 2), "{}: Mailbox full, try again later",
        meaning: "The mailbox is over its quota for now; the message may fit later.",
        why: "The recipient's storage is full; a temporary error lets the sender retry.",
        rfc: "RFC 5321 §4.2.2 (452); RFC 3463 §3.3 (X.2.2)", policy: true;
    MAILBOX_FULL = "mailbox_full", 552, e(5, 2, 2), "{}: Mailbox full",
        meaning: "The mailbox is over its quota; the message is refused.",
        why: "The recipient's storage is full and the server treats it as permanent. Common practice; RFC 3463 intends X.2.2 as a persistent transient condition (452 4.2.2 is its intended use).",
        rfc: "RFC 5321 §4.2.2 (552); RFC 3463 §3.3 (X.2.2)", policy: true;
    GREYLISTED = "greylisted", 451, e(4, 7, 1), "Greylisted, please try again later",
        meaning: "A first attempt from an unknown sender is delayed on purpose; a real MTA retries.",
        why: "Greylisting refuses unknown (client, sender, recipient) triples once with a temporary reply; spam software rarely retries. The RFCs' code for this is 450 (RFC 5321 §4.2.2: mailbox \"temporarily blocked for policy reasons\"; RFC 6647 greylisters answer 450, or 421 when they close); 451 (\"local error in processing\") with 4.7.1 is the common practice shown here. Any 4yz means the same to the client: keep the message, retry later.",
        rfc: "RFC 6647 §2.4, §5; RFC 5321 §4.2.2, §4.5.4.1", policy: true;
    MESSAGE_TOO_BIG = "policy.too_big", 552, e(5, 3, 4), "Message too big for this recipient",
        meaning: "The message is larger than the recipient's system accepts.",
        why: "A policy limit (not the advertised SIZE) was exceeded.",
        rfc: "RFC 5321 §4.5.3.1.10; RFC 3463 §3.4 (X.3.4)", policy: true;
    SPF_FAIL = "mail.spf_fail", 550, e(5, 7, 23), "SPF validation failed for {}",
        meaning: "The sending host is not allowed to send mail for this sender domain.",
        why: "The sender domain's SPF record does not list the client's address.",
        rfc: "RFC 7208 §8.4; RFC 7372 §3.2 (X.7.23)", policy: true;
    MAIL_LOOP = "data.mail_loop", 554, e(5, 4, 6), "Too many Received headers: mail forwarding loop",
        meaning: "The message has passed too many servers; it is going round in circles.",
        why: "Counting Received: headers detects loops; RFC 5321 suggests a threshold of at least 100.",
        rfc: "RFC 5321 §6.3; RFC 3463 §3.5 (X.4.6)", policy: true;
    DMARC_REJECTED = "data.dmarc_reject", 550, e(5, 7, 26), "Unauthenticated mail: the From: domain's DMARC policy is reject",
        meaning: "The receiver refuses the message because the domain in From: asks it to reject mail that fails DMARC.",
        why: "Neither SPF nor DKIM verified a domain that aligns with the From: domain, and that domain publishes p=reject; refusing during the session (not bouncing later) leaves the sender's server to report it.",
        rfc: "RFC 7489 §6.6.4, §10.3; RFC 7372 §3.4 (X.7.26)", policy: true;
    NULL_MX = "rcpt.null_mx", 556, e(5, 1, 10), "{}: Recipient domain does not accept mail (null MX)",
        meaning: "The recipient's domain publishes a null MX: it never receives mail.",
        why: "An MX record of '.' says the domain accepts no mail at all.",
        rfc: "RFC 7505 §3, §4.2", policy: true;
    POLICY_REJECTED = "policy.rejected", 554, e(5, 7, 1), "Message rejected for policy reasons",
        meaning: "The server refuses the message because of its local rules.",
        why: "A content or sender policy of this node said no.",
        rfc: "RFC 5321 §4.2.2 (554), §7.9; RFC 3463 §3.8 (X.7.1)", policy: true;
    SENDER_REJECTED = "mail.sender_rejected", 550, e(5, 7, 1), "{}: Sender address rejected",
        meaning: "The server does not accept mail from this sender.",
        why: "A sender policy of this node said no.",
        rfc: "RFC 5321 §4.2.2 (550); RFC 3463 §3.8 (X.7.1)", policy: true;
    LOCAL_ERROR = "local_error", 451, e(4, 3, 0), "Requested action aborted: local error in processing",
        meaning: "Something went wrong on the server; try again later.",
        why: "A temporary problem on the server side (queue, disk, lookup).",
        rfc: "RFC 5321 §4.2.2 (451), §4.2.3; RFC 3463 §3.4 (X.3.0)", policy: true;
}

/// Every command, with syntax, purpose and RFC section.
pub static COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        verb: Verb::Ehlo,
        syntax: "EHLO SP ( Domain / address-literal ) CRLF",
        purpose: "Open the session, name the client, and ask for the server's extensions.",
        rfc: "RFC 5321 §4.1.1.1",
    },
    CommandSpec {
        verb: Verb::Helo,
        syntax: "HELO SP Domain CRLF",
        purpose: "Open a plain (no extensions) session and name the client.",
        rfc: "RFC 5321 §4.1.1.1",
    },
    CommandSpec {
        verb: Verb::Mail,
        syntax: "MAIL FROM:<reverse-path> [SP Mail-parameters] CRLF",
        purpose: "Start a transaction; name the address that receives bounces.",
        rfc: "RFC 5321 §4.1.1.2",
    },
    CommandSpec {
        verb: Verb::Rcpt,
        syntax: "RCPT TO:<forward-path> [SP Rcpt-parameters] CRLF",
        purpose: "Add one recipient to the transaction.",
        rfc: "RFC 5321 §4.1.1.3",
    },
    CommandSpec {
        verb: Verb::Data,
        syntax: "DATA CRLF",
        purpose: "Ask to send the message; after 354, the text ends with CRLF.CRLF.",
        rfc: "RFC 5321 §4.1.1.4",
    },
    CommandSpec {
        verb: Verb::Bdat,
        syntax: "BDAT SP chunk-size [SP LAST] CRLF",
        purpose: "Send the next chunk of exactly chunk-size octets of the message (CHUNKING).",
        rfc: "RFC 3030 §2",
    },
    CommandSpec { verb: Verb::Rset, syntax: "RSET CRLF", purpose: "Abort the current transaction.", rfc: "RFC 5321 §4.1.1.5" },
    CommandSpec {
        verb: Verb::Vrfy,
        syntax: "VRFY SP String CRLF",
        purpose: "Ask whether an address is a valid mailbox (usually answered 252).",
        rfc: "RFC 5321 §4.1.1.6, §3.5",
    },
    CommandSpec {
        verb: Verb::Expn,
        syntax: "EXPN SP String CRLF",
        purpose: "Ask for the members of a mailing list (usually disabled).",
        rfc: "RFC 5321 §4.1.1.7, §3.5",
    },
    CommandSpec { verb: Verb::Help, syntax: "HELP [SP String] CRLF", purpose: "Ask for help text for humans.", rfc: "RFC 5321 §4.1.1.8" },
    CommandSpec {
        verb: Verb::Noop,
        syntax: "NOOP [SP String] CRLF",
        purpose: "Do nothing; the server just answers 250.",
        rfc: "RFC 5321 §4.1.1.9",
    },
    CommandSpec {
        verb: Verb::Quit,
        syntax: "QUIT CRLF",
        purpose: "End the session; the server answers 221 and closes.",
        rfc: "RFC 5321 §4.1.1.10",
    },
    CommandSpec {
        verb: Verb::StartTls,
        syntax: "STARTTLS CRLF",
        purpose: "Switch the connection to TLS; everything before is forgotten, EHLO again.",
        rfc: "RFC 3207 §4",
    },
    CommandSpec {
        verb: Verb::Auth,
        syntax: "AUTH SP sasl-mech [SP initial-response] CRLF",
        purpose: "Authenticate with a SASL mechanism (PLAIN, LOGIN).",
        rfc: "RFC 4954 §4",
    },
];

/// Look a reply spec up by key.
pub fn reply_spec(key: &str) -> Option<&'static ReplySpec> {
    REPLIES.iter().copied().find(|s| s.key == key)
}

/// Look a command spec up by verb.
pub fn command_spec(verb: Verb) -> &'static CommandSpec {
    COMMANDS.iter().find(|c| c.verb == verb).unwrap_or(&COMMANDS[0])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reply_spec_is_well_formed() {
        let mut keys = std::collections::HashSet::new();
        for s in REPLIES {
            assert!(keys.insert(s.key), "duplicate key {}", s.key);
            assert!((200..=599).contains(&s.code), "{}: code {}", s.key, s.code);
            // RFC 5321 §4.2: second digit 0-5.
            assert!((s.code / 10) % 10 <= 5, "{}: second digit", s.key);
            if let Some(e) = s.enhanced {
                // RFC 3463 §2 / RFC 2034 §4: class digit equals the reply's first digit.
                assert_eq!(u16::from(e.class), s.code / 100, "{}: class mismatch", s.key);
                assert!(matches!(e.class, 2 | 4 | 5), "{}: class", s.key);
            }
            if s.code / 100 == 3 {
                assert!(s.enhanced.is_none(), "{}: 3yz replies carry no enhanced code", s.key);
            }
            for (what, t) in [("text", s.text), ("meaning", s.meaning), ("why", s.why), ("rfc", s.rfc)] {
                assert!(!t.trim().is_empty() || (what == "text" && s.key == "auth.challenge"), "{}: empty {what}", s.key);
            }
            assert!(s.rfc.starts_with("RFC "), "{}: rfc", s.key);
            assert!(!s.text.contains('\r') && !s.text.contains('\n'), "{}: text has line end", s.key);
        }
    }

    #[test]
    fn every_verb_has_a_command_spec() {
        for v in Verb::ALL {
            assert_eq!(command_spec(v).verb, v);
        }
    }

    #[test]
    fn render_fills_placeholders() {
        assert_eq!(GREETING.render(&["mx.example", "smtp-sim"]), "mx.example ESMTP smtp-sim");
        assert_eq!(NEED_MAIL.render(&[]), "Bad sequence of commands: need MAIL before ");
        let r = RCPT_OK.reply(&["a@b"], true);
        assert_eq!(r.enhanced, Some(EnhancedCode::new(2, 1, 5)));
        assert_eq!(RCPT_OK.reply(&["a@b"], false).enhanced, None);
        assert_eq!(DATA_GO.reply(&[], true).enhanced, None);
    }
}
