//! Narration of a real SMTP exchange, shared by `smtp-sim serve` and `smtp-sim send`: every
//! command and reply as it travelled (CR and LF made visible), followed by an indented
//! explanation from the catalogue (meaning, why, RFC section) and the state change.
//!
//! Everything here returns lines of text; the caller prints them in one go, so that the
//! narration of concurrent connections does not interleave inside one step.

use crate::smtp::catalogue::{self, ReplySpec};
use crate::smtp::client::ClientState;
use crate::smtp::command::Command;
use crate::smtp::event::{ClientEvent, Outcome, ServerEvent};
use crate::smtp::reply::{Reply, ReplyClass};

/// Which way bytes travelled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dir {
    /// Client to server.
    Up,
    /// Server to client.
    Down,
}

impl Dir {
    fn arrow(self) -> &'static str {
        match self {
            Dir::Up => "C → S",
            Dir::Down => "S → C",
        }
    }
}

/// Indentation of explanation lines, under the raw text.
pub const INDENT: &str = "            ";

/// A byte string with line ends and control characters made visible: `␍` for CR, `␊` for LF
/// (symbols, so they cannot be confused with reply text such as `<CR><LF>.<CR><LF>`), `<TAB>`,
/// `<0x1B>`; valid UTF-8 is kept, invalid bytes are shown as `<0xFF>`.
pub fn visible(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() + 8);
    for chunk in bytes.utf8_chunks() {
        for ch in chunk.valid().chars() {
            match ch {
                '\r' => out.push('␍'),
                '\n' => out.push('␊'),
                '\t' => out.push_str("<TAB>"),
                c if (c as u32) < 0x20 || c == '\u{7f}' => out.push_str(&format!("<0x{:02X}>", c as u32)),
                c => out.push(c),
            }
        }
        for b in chunk.invalid() {
            out.push_str(&format!("<0x{b:02X}>"));
        }
    }
    out
}

/// Bytes as they travelled, one narration line per wire line (split after each LF).
pub fn wire(conn: &str, dir: Dir, bytes: &[u8]) -> Vec<String> {
    bytes.split_inclusive(|&b| b == b'\n').map(|line| format!("[{conn}] {}  {}", dir.arrow(), visible(line))).collect()
}

/// A narration line that is not wire text (connection opened, message stored, ...).
pub fn note(conn: &str, text: &str) -> String {
    format!("[{conn}] {text}")
}

/// An indented explanation line.
pub fn explain(text: &str) -> String {
    format!("{INDENT}{text}")
}

/// The teaching text of a catalogue reply: meaning, then why with the RFC section.
pub fn reply_explanation(spec: &ReplySpec) -> Vec<String> {
    vec![explain(&format!("= {}", spec.meaning)), explain(&format!("  Why: {} ({})", spec.why, spec.rfc))]
}

fn state_change(before: String, after: String) -> String {
    if before == after {
        explain(&format!("  State: {before} (unchanged)"))
    } else {
        explain(&format!("  State: {before} → {after}"))
    }
}

/// What a command is for, from the catalogue.
fn command_explanation(command: &Command) -> String {
    let spec = catalogue::command_spec(command.verb());
    explain(&format!("= {} ({})", spec.purpose, spec.rfc))
}

/// Find the catalogue entry a reply most likely comes from, by code, enhanced code and text
/// (for replies from servers we did not write, `None` when nothing matches closely).
pub fn identify(reply: &Reply) -> Option<&'static ReplySpec> {
    let text = reply.lines.first().map(String::as_str).unwrap_or("");
    let candidates: Vec<&'static ReplySpec> = catalogue::REPLIES
        .iter()
        .copied()
        .filter(|s| s.code == reply.code.0 && (reply.enhanced.is_none() || s.enhanced == reply.enhanced))
        .collect();
    // A bare "OK" says nothing about which step it answers; only distinctive texts identify.
    candidates.iter().copied().find(|s| s.text.replace("{}", "").len() >= 6 && template_matches(s.text, text))
}

/// Does `text` fit `template`, where each `{}` stands for any run of characters?
fn template_matches(template: &str, text: &str) -> bool {
    let pieces: Vec<&str> = template.split("{}").collect();
    if pieces.len() == 1 {
        return template == text;
    }
    let (first, last) = (pieces[0], pieces[pieces.len() - 1]);
    if !text.starts_with(first) || !text.ends_with(last) || text.len() < first.len() + last.len() {
        return false;
    }
    let mut rest = &text[first.len()..text.len() - last.len()];
    for piece in &pieces[1..pieces.len() - 1] {
        match rest.find(piece) {
            Some(i) => rest = &rest[i + piece.len()..],
            None => return false,
        }
    }
    true
}

/// The general meaning of a reply code (RFC 5321 §4.2.2, §4.2.3; RFC 4954 §6 for AUTH), for
/// replies the catalogue does not know.
pub fn generic_meaning(code: u16) -> String {
    let specific = match code {
        211 => "System status, or system help reply",
        214 => "Help message, for a human user",
        220 => "Service ready",
        221 => "Service closing transmission channel",
        235 => "Authentication succeeded",
        250 => "Requested mail action okay, completed",
        251 => "User not local; will forward",
        252 => "Cannot verify the user, but will accept the message and attempt delivery",
        334 => "Continue the authentication exchange (a base64 challenge)",
        354 => "Start mail input; end with <CRLF>.<CRLF>",
        421 => "Service not available, closing transmission channel",
        432 => "A password transition is needed",
        450 => "Mailbox unavailable (busy or temporarily blocked); try again later",
        451 => "Local error in processing; try again later",
        452 => "Insufficient system storage (or too many recipients); try again later",
        454 => "Temporary authentication failure",
        455 => "Server unable to accommodate parameters now",
        500 => "Syntax error, command unrecognized",
        501 => "Syntax error in parameters or arguments",
        502 => "Command not implemented",
        503 => "Bad sequence of commands",
        504 => "Command parameter not implemented",
        530 => "Authentication required",
        534 => "Authentication mechanism is too weak",
        535 => "Authentication credentials invalid",
        538 => "Encryption required for the requested authentication mechanism",
        550 => "Mailbox unavailable (not found, no access, or refused by policy)",
        551 => "User not local",
        552 => "Exceeded storage allocation (message too big or mailbox full)",
        553 => "Mailbox name not allowed",
        554 => "Transaction failed (or no SMTP service here)",
        555 => "MAIL FROM/RCPT TO parameters not recognized or not implemented",
        _ => "",
    };
    let class = match Reply::new(code, None, "").class() {
        ReplyClass::Completed => "2yz, positive completion: done",
        ReplyClass::Intermediate => "3yz, positive intermediate: go on",
        ReplyClass::Transient => "4yz, transient failure: try again later",
        ReplyClass::Permanent => "5yz, permanent failure: do not repeat as is",
    };
    if specific.is_empty() {
        format!("{code}: {class} (RFC 5321 §4.2.1)")
    } else {
        format!("{code}: {specific} — {class} (RFC 5321 §4.2.2, §4.2.3)")
    }
}

/// Explanation lines for a reply received from any server.
pub fn explain_reply(reply: &Reply) -> Vec<String> {
    match identify(reply) {
        Some(spec) => reply_explanation(spec),
        None => vec![explain(&format!("= {}", generic_meaning(reply.code.0)))],
    }
}

/// Narrates the events of one server session.
#[derive(Debug)]
pub struct ServerNarrator {
    conn: String,
    /// `AUTH mech initial-response` was just received: the core reports the initial response
    /// again as an AUTH line, but it travelled only once.
    initial_response: bool,
}

impl ServerNarrator {
    pub fn new(conn: &str) -> Self {
        ServerNarrator { conn: conn.to_string(), initial_response: false }
    }

    /// The narration of one server event.
    pub fn event(&mut self, event: &ServerEvent) -> Vec<String> {
        let initial = std::mem::replace(&mut self.initial_response, false);
        match event {
            ServerEvent::CommandReceived { command: Command::Auth { initial: Some(_), .. }, .. } => {
                self.initial_response = true;
                let mut out = server_event(&self.conn, event);
                out.push(explain("  (the initial response stands for the first AUTH line, RFC 4954 §4)"));
                out
            }
            ServerEvent::AuthLineReceived { .. } if initial => Vec::new(),
            _ => server_event(&self.conn, event),
        }
    }
}

/// The narration of one server event on its own (see [`ServerNarrator`] for a whole session).
pub fn server_event(conn: &str, event: &ServerEvent) -> Vec<String> {
    let mut out = Vec::new();
    match event {
        ServerEvent::CommandReceived { raw, command, .. } => {
            out.extend(wire(conn, Dir::Up, &with_crlf(raw)));
            out.push(command_explanation(command));
        }
        ServerEvent::SyntaxErrorReceived { raw, error } => {
            out.extend(wire(conn, Dir::Up, &with_crlf(raw)));
            out.push(explain(&format!("! not understood: {error}")));
        }
        ServerEvent::AuthLineReceived { raw } => {
            out.extend(wire(conn, Dir::Up, &with_crlf(raw)));
            out.push(explain("= An AUTH response line: base64 is an encoding, not encryption (RFC 4954 §4)"));
        }
        ServerEvent::ReplySent { bytes, spec, state_before, state_after, .. } => {
            out.extend(wire(conn, Dir::Down, bytes));
            out.extend(reply_explanation(spec));
            out.push(state_change(state_before.to_string(), state_after.to_string()));
        }
        ServerEvent::DataStarted => out.push(explain("(the message text follows, up to a line holding a single dot)")),
        ServerEvent::DataEnded { summary } => {
            let mut flags = Vec::new();
            if summary.bare_lf {
                flags.push("bare LF seen");
            }
            if summary.bare_cr {
                flags.push("bare CR seen");
            }
            if summary.long_lines > 0 {
                flags.push("lines over 1000 octets");
            }
            if summary.eight_bit {
                flags.push("8-bit octets");
            }
            if summary.truncated {
                flags.push("truncated at the storage cap");
            }
            let flags = if flags.is_empty() { String::new() } else { format!(" [{}]", flags.join(", ")) };
            out.push(note(
                conn,
                &format!(
                    "C → S  (message text: {} octets, longest line {} octets, ended by <CR><LF>.<CR><LF>){flags}",
                    summary.octets, summary.longest_line
                ),
            ));
        }
        ServerEvent::ChunkReceived { octets, last } => {
            out.push(note(conn, &format!("C → S  (BDAT chunk of {octets} octets{})", if *last { ", the last" } else { "" })));
        }
        ServerEvent::MessageAccepted { .. } => {}
        ServerEvent::TlsStarted => out.push(explain("(simulated TLS handshake)")),
        ServerEvent::AuthSucceeded { mechanism, user } => out.push(explain(&format!("* authenticated as {user:?} with {mechanism}"))),
        ServerEvent::AuthFailed { mechanism, user } => match user {
            Some(u) => out.push(explain(&format!("* authentication as {u:?} with {mechanism} failed"))),
            None => out.push(explain(&format!("* the {mechanism} exchange failed"))),
        },
        ServerEvent::ProtocolViolated { what } => out.push(explain(&format!("! {what}"))),
        ServerEvent::Closed => out.push(note(conn, "session closed")),
    }
    out
}

fn with_crlf(raw: &[u8]) -> Vec<u8> {
    let mut v = raw.to_vec();
    v.extend_from_slice(b"\r\n");
    v
}

fn client_state(s: ClientState) -> String {
    format!("{s:?}")
}

/// A recipient, or the mailbox of a path, as text.
pub fn outcome_word(o: &Outcome) -> String {
    match o {
        Outcome::Delivered => "accepted".into(),
        Outcome::TempFailed(r) => format!("temporary failure: {}", reply_text(r)),
        Outcome::PermFailed(r) => format!("refused: {}", reply_text(r)),
        Outcome::Abandoned => "accepted, then abandoned with RSET (not sent)".into(),
    }
}

/// A reply on one line, as it was sent (first line only for multi-line replies).
pub fn reply_text(r: &Reply) -> String {
    let mut s = r.code.0.to_string();
    if let Some(e) = r.enhanced {
        s.push_str(&format!(" {e}"));
    }
    if let Some(t) = r.lines.first().filter(|t| !t.is_empty()) {
        s.push(' ');
        s.push_str(t);
    }
    s
}

/// The narration of one client event.
pub fn client_event(conn: &str, event: &ClientEvent) -> Vec<String> {
    let mut out = Vec::new();
    match event {
        ClientEvent::ReplyReceived { reply, raw, state_before, state_after, .. } => {
            out.extend(wire(conn, Dir::Down, raw));
            out.extend(explain_reply(reply));
            out.push(state_change(client_state(*state_before), client_state(*state_after)));
        }
        ClientEvent::BadReply { raw, error } => {
            out.extend(wire(conn, Dir::Down, raw));
            out.push(explain(&format!("! not a valid reply: {error}")));
        }
        ClientEvent::CommandSent { command, bytes } => {
            out.extend(wire(conn, Dir::Up, bytes));
            out.push(command_explanation(command));
            if matches!(command, Command::Auth { initial: Some(_), .. }) {
                out.push(explain("  (the credentials ride in base64: an encoding, not encryption — real servers demand TLS first)"));
            }
        }
        ClientEvent::AuthLineSent { bytes } => {
            out.extend(wire(conn, Dir::Up, bytes));
            out.push(explain("= An AUTH response line (base64) (RFC 4954 §4)"));
        }
        ClientEvent::DataSent { bytes } => {
            let lines = bytes.split_inclusive(|&b| b == b'\n').count();
            let head: Vec<String> = bytes.split_inclusive(|&b| b == b'\n').take(3).map(visible).collect();
            out.push(note(
                conn,
                &format!("C → S  (message text: {} octets in {lines} lines, dot-stuffed, ending <CR><LF>.<CR><LF>)", bytes.len()),
            ));
            for h in head {
                out.push(explain(&format!("| {h}")));
            }
            if lines > 3 {
                out.push(explain("| ..."));
            }
        }
        ClientEvent::TlsStarted => out.push(explain("(simulated TLS handshake)")),
        ClientEvent::ServerRefused { reply } => out.push(note(conn, &format!("the server refused service: {}", reply_text(reply)))),
        ClientEvent::RecipientAccepted { rcpt, .. } => out.push(explain(&format!("✓ recipient {rcpt} accepted"))),
        ClientEvent::RecipientFailed { rcpt, reply, permanent, .. } => {
            let how = if *permanent { "refused" } else { "temporarily refused" };
            out.push(explain(&format!("✗ recipient {rcpt} {how}: {}", reply_text(reply))));
        }
        ClientEvent::MessageAccepted { .. } => out.push(explain("✓ the server took responsibility for the message (RFC 5321 §6.1)")),
        ClientEvent::MessageFailed { reply, .. } => out.push(explain(&format!("✗ the message was refused: {}", reply_text(reply)))),
        ClientEvent::ConnectionFailed { what } => out.push(note(conn, &format!("connection failed: {what}"))),
        ClientEvent::Finished { .. } => out.push(note(conn, "session finished")),
    }
    out
}

/// Print narration lines in one go (a failed stdout is not worth dying for).
pub fn say(lines: &[String]) {
    use std::io::Write;
    if lines.is_empty() {
        return;
    }
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for l in lines {
        let _ = writeln!(out, "{l}");
    }
    let _ = out.flush();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::smtp::reply::EnhancedCode;

    #[test]
    fn visible_shows_line_ends_and_controls() {
        assert_eq!(visible(b"EHLO a\r\n"), "EHLO a␍␊");
        assert_eq!(visible(b"x\n"), "x␊");
        assert_eq!(visible(b"\x1b\t\xff\xc3\xa9"), "<0x1B><TAB><0xFF>é");
    }

    #[test]
    fn wire_splits_multi_line_replies() {
        let lines = wire("#1", Dir::Down, b"250-a\r\n250 b\r\n");
        assert_eq!(lines, vec!["[#1] S → C  250-a␍␊", "[#1] S → C  250 b␍␊"]);
    }

    #[test]
    fn identify_finds_catalogue_replies() {
        let r = Reply::new(550, Some(EnhancedCode::new(5, 1, 1)), "<x@example.org>: Recipient address rejected: user unknown");
        assert_eq!(identify(&r).map(|s| s.key), Some("rcpt.unknown_user"));
        let r = Reply::new(550, Some(EnhancedCode::new(5, 7, 1)), "<x@other.example>: Relay access denied");
        assert_eq!(identify(&r).map(|s| s.key), Some("rcpt.relay_denied"));
        let r = Reply::new(250, None, "Reset OK");
        assert_eq!(identify(&r).map(|s| s.key), Some("rset"));
        let r = Reply::new(250, None, "OK");
        assert_eq!(identify(&r), None);
        let r = Reply::new(250, None, "Ok, whatever");
        assert_eq!(identify(&r), None);
        assert!(generic_meaning(250).contains("completed"));
        assert!(generic_meaning(299).contains("2yz"));
    }

    #[test]
    fn template_matching() {
        assert!(template_matches("{} Hello {}", "mx Hello there"));
        assert!(!template_matches("{} Hello {}", "mx Howdy"));
        assert!(template_matches("Sender {} OK", "Sender <a@b> OK"));
        assert!(!template_matches("Sender {} OK", "Sender OK"));
    }
}
