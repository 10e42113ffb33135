//! The inspector's material for one event, as plain data.
//!
//! - [`raw_lines`] splits the bytes on the wire into lines of [`Seg`]ments so that CR and LF,
//!   control characters, the dot a client adds before a line that starts with `.` (dot-stuffing,
//!   RFC 5321 §4.5.2) and the final `.` that ends the data can each be drawn visibly.
//! - [`explanation`] gathers the teaching text: the catalogue entry of a command or reply (a
//!   reply's meaning, why, RFC section; a command's syntax and purpose), or the event's own
//!   meaning when it has no entry — each said once.
//! - The state change of a reply (and the row of `smtp::state::TRANSITIONS` it took, which the
//!   state diagram highlights) is in the trace itself: [`crate::sim::trace::Facts::state_change`].

use std::borrow::Cow;

use crate::sim::trace::Event;

/// A piece of a raw line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Seg {
    Text(String),
    /// `\r`
    Cr,
    /// `\n`
    Lf,
    /// A control character other than CR and LF (shown by its code).
    Ctrl(u32),
    /// The extra `.` a client puts before a data line that starts with `.` (§4.5.2).
    StuffedDot,
    /// The lone `.` that ends the message data (`<CRLF>.<CRLF>`).
    EndDot,
}

/// The raw bytes as lines of segments, at most `max_lines` lines; the second value is the number
/// of lines left out.
pub fn raw_lines(raw: &str, is_data: bool, max_lines: usize) -> (Vec<Vec<Seg>>, usize) {
    let mut lines: Vec<Vec<Seg>> = Vec::new();
    let total = raw.split_inclusive('\n').count();
    for line in raw.split_inclusive('\n').take(max_lines) {
        let mut segs = Vec::new();
        let mut body = line;
        let ending_len = if body.ends_with("\r\n") {
            2
        } else if body.ends_with('\n') {
            1
        } else {
            0
        };
        let content = &body[..body.len() - ending_len];
        if is_data && content == "." {
            segs.push(Seg::EndDot);
            body = &body[1..];
        } else if is_data && content.starts_with("..") {
            segs.push(Seg::StuffedDot);
            body = &body[1..];
        }
        let mut text = String::new();
        for ch in body.chars() {
            let seg = match ch {
                '\r' => Seg::Cr,
                '\n' => Seg::Lf,
                c if c.is_control() => Seg::Ctrl(c as u32),
                c => {
                    text.push(c);
                    continue;
                }
            };
            if !text.is_empty() {
                segs.push(Seg::Text(std::mem::take(&mut text)));
            }
            segs.push(seg);
        }
        if !text.is_empty() {
            segs.push(Seg::Text(text));
        }
        lines.push(segs);
    }
    (lines, total.saturating_sub(max_lines))
}

/// Teaching text about one event.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Explanation {
    /// What the event means, when no catalogue entry says it (queue decisions, DNS, …).
    pub meaning: Cow<'static, str>,
    /// A catalogue heading: the command's syntax, or the reply's meaning.
    pub title: Option<&'static str>,
    /// More from the catalogue: a command's purpose, a reply's "why".
    pub detail: Option<&'static str>,
    /// The RFC section(s) behind it.
    pub rfc: Option<&'static str>,
}

/// What the inspector says of a POP3 or IMAP line beside its catalogue entry, from its typed
/// facts: the protocol and that it pulls, the command a response answers, the server's states.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PullFacts {
    /// "POP3 — pull: the mail program fetches mail from its server".
    pub protocol: String,
    pub answers: Option<&'static str>,
    /// "AUTHORIZATION → TRANSACTION", or "TRANSACTION (unchanged)".
    pub states: Option<String>,
}

/// The [`PullFacts`] of a POP3 or IMAP event; `None` for every other event.
pub fn pull_facts(e: &Event) -> Option<PullFacts> {
    let f = e.facts.as_ref()?;
    let p = f.protocol().filter(|p| p.pulls())?;
    Some(PullFacts {
        protocol: format!("{} — pull: the mail program fetches mail from its server (SMTP pushes it there)", p.name()),
        answers: f.pull_answers(),
        states: f.pull_states().map(|(b, a)| if b == a { format!("{b} (unchanged)") } else { format!("{b} → {a}") }),
    })
}

/// The explanation of `e`: its catalogue entry when it has one, else its own meaning.
pub fn explanation(e: &Event) -> Explanation {
    match e.entry() {
        Some(x) => Explanation { meaning: Cow::Borrowed(""), title: Some(x.title), detail: Some(x.detail), rfc: Some(x.rfc) },
        None => Explanation { meaning: e.meaning.clone(), ..Explanation::default() },
    }
}
