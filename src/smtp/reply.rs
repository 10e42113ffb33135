//! SMTP replies as data: the three-digit reply codes of RFC 5321 §4.2 and the enhanced mail
//! system status codes of RFC 3463 carried in reply text per RFC 2034.

use serde::{Deserialize, Serialize};

/// A reply code, `Reply-code = %x32-35 %x30-35 %x30-39` (RFC 5321 §4.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Code(pub u16);

/// What the first digit of a reply code tells the client (RFC 5321 §4.2.1). The UI shows these
/// words, never colour alone.
///
/// It is the one reply-class vocabulary of the project: the trace, the page, the SVG export and
/// the CLI all take the words, the glyph and the CSS class name from the methods below. Other
/// protocols map their statuses onto it (POP3 `+OK` is `Completed`, `-ERR` is `Permanent`; an
/// IMAP `+` continuation is `Intermediate`), so views need no per-protocol spelling.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ReplyClass {
    /// 2yz: positive completion — done.
    Completed,
    /// 3yz: positive intermediate — go on (send the data / the next AUTH line).
    Intermediate,
    /// 4yz: transient negative — try again later.
    Transient,
    /// 5yz: permanent negative — failed, do not repeat as is.
    Permanent,
}

impl ReplyClass {
    pub const ALL: [ReplyClass; 4] = [ReplyClass::Completed, ReplyClass::Intermediate, ReplyClass::Transient, ReplyClass::Permanent];

    /// The word shown next to a reply: "done", "go on", "try later", "failed".
    pub fn words(self) -> &'static str {
        match self {
            ReplyClass::Completed => "done",
            ReplyClass::Intermediate => "go on",
            ReplyClass::Transient => "try later",
            ReplyClass::Permanent => "failed",
        }
    }

    /// A glyph for the class, shown beside the word: ✓ → ↻ ✗.
    pub fn icon(self) -> &'static str {
        match self {
            ReplyClass::Completed => "✓",
            ReplyClass::Intermediate => "→",
            ReplyClass::Transient => "↻",
            ReplyClass::Permanent => "✗",
        }
    }

    /// The CSS class of the page and of the exported SVG: `outcome-done`, `outcome-go-on`, ….
    pub fn css_class(self) -> &'static str {
        match self {
            ReplyClass::Completed => "outcome-done",
            ReplyClass::Intermediate => "outcome-go-on",
            ReplyClass::Transient => "outcome-try-later",
            ReplyClass::Permanent => "outcome-failed",
        }
    }
}

impl Code {
    pub fn class(self) -> ReplyClass {
        match self.0 / 100 {
            2 => ReplyClass::Completed,
            3 => ReplyClass::Intermediate,
            4 => ReplyClass::Transient,
            _ => ReplyClass::Permanent,
        }
    }
}

/// An enhanced status code `class.subject.detail` (RFC 3463 §2), e.g. `5.1.1`.
/// The class equals the first digit of the reply code (RFC 3463 §2, RFC 2034 §4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct EnhancedCode {
    pub class: u8,
    pub subject: u16,
    pub detail: u16,
}

impl EnhancedCode {
    pub const fn new(class: u8, subject: u16, detail: u16) -> Self {
        EnhancedCode { class, subject, detail }
    }
}

impl std::fmt::Display for EnhancedCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}.{}", self.class, self.subject, self.detail)
    }
}

/// A complete reply: one or more lines with the same code (RFC 5321 §4.2.1). When `enhanced`
/// is set, it is written after the code on every line (RFC 2034 §4).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reply {
    pub code: Code,
    pub enhanced: Option<EnhancedCode>,
    /// The text of each line, without code, separator, enhanced code or CRLF. At least one
    /// (possibly empty) line.
    pub lines: Vec<String>,
}

impl Reply {
    pub fn new(code: u16, enhanced: Option<EnhancedCode>, text: impl Into<String>) -> Self {
        Reply { code: Code(code), enhanced, lines: vec![text.into()] }
    }

    pub fn class(&self) -> ReplyClass {
        self.code.class()
    }
}

/// One line of a reply as it arrives, before the lines are assembled into a [`Reply`]
/// (RFC 5321 §4.2): `Reply-code "-" [ textstring ]` (`last == false`) or
/// `Reply-code [ SP textstring ]` (`last == true`). `text` is everything after the separator,
/// enhanced status code included.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplyLine {
    pub code: Code,
    pub last: bool,
    pub text: String,
}
