//! The inspector's material for one event, as plain data.
//!
//! - [`raw_lines`] splits the bytes on the wire into lines of [`Seg`]ments so that CR and LF,
//!   control characters, the dot a client adds before a line that starts with `.` (dot-stuffing,
//!   RFC 5321 §4.5.2) and the final `.` that ends the data can each be drawn visibly.
//! - [`explanation`] gathers the teaching text: the event's own meaning, and the catalogue entry
//!   (a reply's meaning, why, RFC section; a command's syntax and purpose).
//! - [`transition`] finds the row of [`TRANSITIONS`] a reply took, so the state diagram (drawn
//!   from the same table the server session obeys) can highlight it.

use crate::sim::trace::{Event, Outcome};
use crate::smtp::catalogue;
use crate::smtp::command::Verb;
use crate::smtp::reply::ReplyClass;
use crate::smtp::state::{State, Trigger, When, TRANSITIONS};

use super::view::Answers;

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
        let ending_len = if body.ends_with("\r\n") { 2 } else if body.ends_with('\n') { 1 } else { 0 };
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
    /// What the event means (from the trace).
    pub meaning: String,
    /// A catalogue heading: the command's syntax, or the reply's meaning.
    pub title: Option<String>,
    /// More from the catalogue: a command's purpose, a reply's "why".
    pub detail: Option<String>,
    /// The RFC section(s) behind it.
    pub rfc: Option<String>,
}

/// The verb named by a command key (`cmd:RCPT`).
pub fn verb_of(key: &str) -> Option<Verb> {
    let name = key.strip_prefix("cmd:")?;
    Verb::ALL.iter().copied().find(|v| v.as_str() == name)
}

/// The explanation of `e`: its meaning, and its catalogue entry when it has one.
pub fn explanation(e: &Event) -> Explanation {
    let mut x = Explanation { meaning: e.meaning.clone(), ..Explanation::default() };
    if let Some(key) = e.key.as_deref() {
        if let Some(v) = verb_of(key) {
            let spec = catalogue::command_spec(v);
            x.title = Some(spec.syntax.to_string());
            x.detail = Some(spec.purpose.to_string());
            x.rfc = Some(spec.rfc.to_string());
        } else if let Some(spec) = catalogue::reply_spec(key) {
            x.title = Some(spec.meaning.to_string());
            x.detail = Some(spec.why.to_string());
            x.rfc = Some(spec.rfc.to_string());
        }
    }
    x
}

/// A server state by the name the trace writes (`"Rcpt"`).
pub fn state_named(name: &str) -> Option<State> {
    State::ALL.iter().copied().find(|s| format!("{s:?}") == name)
}

/// The session state before and after a reply, and the transition taken (an index into
/// [`TRANSITIONS`]), if one moved the session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StateChange {
    pub before: State,
    pub after: State,
    pub transition: Option<usize>,
}

/// The state change of a reply `e` that answers `answers`.
pub fn transition(e: &Event, answers: Option<&Answers>) -> Option<StateChange> {
    let (b, a) = e.state.as_ref()?;
    let (before, after) = (state_named(b)?, state_named(a)?);
    let trigger = match answers {
        Some(Answers::Command(v)) => Verb::ALL.iter().copied().find(|x| x.as_str() == v).map(Trigger::Command),
        Some(Answers::EndOfData) => None, // EndOfData, Chunk or LastChunk: decided by the states
        _ => None,
    };
    let class = e.outcome.map(|o| match o {
        Outcome::Done => ReplyClass::Completed,
        Outcome::GoOn => ReplyClass::Intermediate,
        Outcome::TryLater => ReplyClass::Transient,
        Outcome::Failed => ReplyClass::Permanent,
    });
    let fits = |w: When| match w {
        When::Always => true,
        When::Class(c) => class == Some(c),
        When::Refused => matches!(class, Some(ReplyClass::Transient | ReplyClass::Permanent)),
        When::NoReply => false,
    };
    let candidates = || TRANSITIONS.iter().enumerate().filter(|(_, t)| t.from.contains(&before) && t.to == after && fits(t.when));
    let transition = if e.label.starts_with("421") {
        candidates().find(|(_, t)| t.on == Trigger::Shutdown)
    } else {
        match trigger {
            Some(tr) => candidates().find(|(_, t)| t.on == tr),
            None => candidates().find(|(_, t)| !matches!(t.on, Trigger::Shutdown | Trigger::Command(_))),
        }
    }
    .map(|(i, _)| i);
    Some(StateChange { before, after, transition })
}
