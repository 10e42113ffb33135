//! Syntax errors that teach: what was expected, where, and why, with the RFC rule to read.
//!
//! A [`SyntaxError`] is produced by `parse` for a command line or a reply line. Its
//! [`SyntaxErrorKind`] lets the server pick the reply (see [`SyntaxErrorKind::suggested_reply`]);
//! its `Display` is written for a student looking at the line they typed.
//!
//! Reply-code policy (RFC 5321 §4.2.2, RFC 3463 §3.6 and §3.2):
//!
//! | kind                                    | reply        | why |
//! |-----------------------------------------|--------------|-----|
//! | `UnknownCommand`                        | `500 5.5.1`  | not a command we know (X.5.1 "invalid command") |
//! | `BadArguments(verb)`                    | `501 5.5.2`  | a known command whose arguments do not match its ABNF (X.5.2 "syntax error") |
//! | `BadAddress(Mail)` / `BadAddress(Rcpt)` | `501 5.1.7` / `501 5.1.3` | the path is malformed (X.1.7 "bad sender's mailbox address syntax", X.1.3 "bad destination mailbox address syntax") |
//! | `BadParameter` / `DuplicateParameter`   | `501 5.5.4`  | well-formed `KEY=value` with a value out of range or repeated (X.5.4 "invalid command arguments") |
//! | `NotUtf8` / `BadCharacter`              | `500 5.5.2` without a verb, `501 5.5.2` with one | the line cannot be interpreted at all |
//! | `BadReply`                              | —            | a reply line from a server (the client side reports it, it never answers it) |
//!
//! Unknown ESMTP parameters are *not* syntax errors: they parse into `other` and the server
//! answers `555 5.5.4` (RFC 5321 §4.1.1.11).

use std::borrow::Cow;
use std::fmt;

use serde::{Deserialize, Serialize};

use super::command::Verb;
use super::reply::EnhancedCode;

/// Why a line was refused, precise enough for the server to choose its reply.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SyntaxErrorKind {
    /// The first word is not a command we know (RFC 5321 §4.2.4: 500).
    UnknownCommand,
    /// A known command whose arguments do not match its grammar (501).
    BadArguments(Verb),
    /// The reverse-path (MAIL) or forward-path (RCPT) is malformed (501 5.1.7 / 5.1.3).
    BadAddress(Verb),
    /// A known ESMTP parameter with a value it cannot take, e.g. `SIZE=big`, `BODY=9BIT`
    /// (501 5.5.4). `keyword` is upper case.
    BadParameter { verb: Verb, keyword: String },
    /// A known ESMTP parameter given twice (501 5.5.4). `keyword` is upper case.
    DuplicateParameter { verb: Verb, keyword: String },
    /// The bytes are not UTF-8 (RFC 6531 §3.3 allows UTF-8, nothing else, beyond ASCII).
    NotUtf8 { verb: Option<Verb> },
    /// A control character (NUL, CR, LF, TAB, DEL, …) inside a command or reply line.
    BadCharacter { verb: Option<Verb> },
    /// A reply line that is not `Reply-code [SP text]` / `Reply-code "-" [text]`, or a
    /// multi-line reply whose lines disagree (RFC 5321 §4.2, §4.2.1).
    BadReply,
}

impl SyntaxErrorKind {
    /// The reply a server should send for this error: code and enhanced status code
    /// (table in the module docs). `BadReply` never reaches a server; it maps to 500 5.5.2.
    pub fn suggested_reply(&self) -> (u16, EnhancedCode) {
        match self {
            SyntaxErrorKind::UnknownCommand => (500, EnhancedCode::new(5, 5, 1)),
            SyntaxErrorKind::BadArguments(_) => (501, EnhancedCode::new(5, 5, 2)),
            SyntaxErrorKind::BadAddress(Verb::Mail) => (501, EnhancedCode::new(5, 1, 7)),
            SyntaxErrorKind::BadAddress(_) => (501, EnhancedCode::new(5, 1, 3)),
            SyntaxErrorKind::BadParameter { .. } | SyntaxErrorKind::DuplicateParameter { .. } => (501, EnhancedCode::new(5, 5, 4)),
            SyntaxErrorKind::NotUtf8 { verb: Some(_) } | SyntaxErrorKind::BadCharacter { verb: Some(_) } => {
                (501, EnhancedCode::new(5, 5, 2))
            }
            SyntaxErrorKind::NotUtf8 { verb: None } | SyntaxErrorKind::BadCharacter { verb: None } | SyntaxErrorKind::BadReply => {
                (500, EnhancedCode::new(5, 5, 2))
            }
        }
    }

    /// The verb the error belongs to, when the line got that far.
    pub fn verb(&self) -> Option<Verb> {
        match self {
            SyntaxErrorKind::BadArguments(v) | SyntaxErrorKind::BadAddress(v) => Some(*v),
            SyntaxErrorKind::BadParameter { verb, .. } | SyntaxErrorKind::DuplicateParameter { verb, .. } => Some(*verb),
            SyntaxErrorKind::NotUtf8 { verb } | SyntaxErrorKind::BadCharacter { verb } => *verb,
            SyntaxErrorKind::UnknownCommand | SyntaxErrorKind::BadReply => None,
        }
    }
}

/// A line that does not parse, explained.
///
/// `Display` reads like: `syntax error at column 11 (Path): the angle brackets are required
/// (RFC 5321 §4.1.2 Path) — expected: MAIL FROM:<reverse-path> [SP mail-parameters]`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyntaxError {
    pub kind: SyntaxErrorKind,
    /// The syntax of the whole line as a student should write it, e.g.
    /// `"MAIL FROM:<reverse-path> [SP mail-parameters]"`.
    pub expected: Cow<'static, str>,
    /// The ABNF rule that failed, e.g. `"Path"`, `"sub-domain"`, `"esmtp-value"`.
    pub rule: Cow<'static, str>,
    /// Byte offset into the line (0-based) where the problem was found. The column shown to a
    /// person is `offset + 1`.
    pub offset: usize,
    /// Why, in plain words, naming the RFC section.
    pub message: String,
}

impl SyntaxError {
    pub(crate) fn new(
        kind: SyntaxErrorKind,
        expected: &'static str,
        rule: &'static str,
        offset: usize,
        message: impl Into<String>,
    ) -> Self {
        SyntaxError { kind, expected: Cow::Borrowed(expected), rule: Cow::Borrowed(rule), offset, message: message.into() }
    }

    /// The 1-based column a person counts in the line.
    pub fn column(&self) -> usize {
        self.offset + 1
    }
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match &self.kind {
            SyntaxErrorKind::UnknownCommand => "unknown command",
            SyntaxErrorKind::BadParameter { .. } => "bad parameter value",
            SyntaxErrorKind::DuplicateParameter { .. } => "parameter given twice",
            SyntaxErrorKind::NotUtf8 { .. } => "invalid UTF-8",
            SyntaxErrorKind::BadCharacter { .. } => "forbidden character",
            SyntaxErrorKind::BadAddress(_) => "malformed address",
            SyntaxErrorKind::BadArguments(_) | SyntaxErrorKind::BadReply => "syntax error",
        };
        write!(f, "{what} at column {}", self.column())?;
        if !self.rule.is_empty() {
            write!(f, " ({})", self.rule)?;
        }
        write!(f, ": {} — expected: {}", self.message, self.expected)
    }
}

impl std::error::Error for SyntaxError {}
