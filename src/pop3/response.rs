//! POP3 responses: the status line (`+OK`, `-ERR`, the SASL continuation `+ `), its parser and
//! encoder (exact inverses), response codes, and the multi-line body: dot-stuffing on the
//! server side and an incremental reader for the client.
//!
//! ```text
//! single-line = status [SP [resp-code SP] text] CRLF   ; RFC 2449 §3, §8
//! status      = "+OK" / "-ERR"
//! resp-code   = "[" resp-level *("/" resp-level) "]"
//! continue    = "+" SP [base64] CRLF                   ; RFC 5034 §4
//! multi-line  = single-line *dot-stuffed-line "." CRLF ; RFC 1939 §3
//! ```

use std::fmt;

use serde::Serialize;

use super::command::{SyntaxError, SyntaxErrorKind};

/// A response code in brackets after the status (RFC 2449 §8, RFC 3206).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum RespCode {
    /// `[IN-USE]`: the maildrop is locked by another session (RFC 2449 §8.1.1).
    InUse,
    /// `[LOGIN-DELAY]`: logged in too soon after the last time (RFC 2449 §8.1.2).
    LoginDelay,
    /// `[SYS/TEMP]`: a temporary system problem; try again later (RFC 3206 §4).
    SysTemp,
    /// `[SYS/PERM]`: a permanent system problem; tell a human (RFC 3206 §4).
    SysPerm,
    /// `[AUTH]`: the credentials were wrong, so retrying the same ones will not help (RFC 3206 §5).
    Auth,
    /// Any other code, as sent (without brackets).
    Other(String),
}

impl RespCode {
    pub fn as_str(&self) -> &str {
        match self {
            RespCode::InUse => "IN-USE",
            RespCode::LoginDelay => "LOGIN-DELAY",
            RespCode::SysTemp => "SYS/TEMP",
            RespCode::SysPerm => "SYS/PERM",
            RespCode::Auth => "AUTH",
            RespCode::Other(s) => s,
        }
    }

    pub fn from_text(s: &str) -> RespCode {
        match s.to_ascii_uppercase().as_str() {
            "IN-USE" => RespCode::InUse,
            "LOGIN-DELAY" => RespCode::LoginDelay,
            "SYS/TEMP" => RespCode::SysTemp,
            "SYS/PERM" => RespCode::SysPerm,
            "AUTH" => RespCode::Auth,
            _ => RespCode::Other(s.to_string()),
        }
    }
}

/// `+OK` or `-ERR`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Status {
    Ok,
    Err,
}

/// One status line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum StatusLine {
    /// `+OK` / `-ERR`, an optional response code, and text (possibly empty).
    Status { status: Status, code: Option<RespCode>, text: String },
    /// `+ ` and a base64 challenge (possibly empty) during AUTH (RFC 5034 §4).
    Continue(String),
}

impl StatusLine {
    pub fn ok(text: impl Into<String>) -> StatusLine {
        StatusLine::Status { status: Status::Ok, code: None, text: text.into() }
    }
    pub fn is_ok(&self) -> bool {
        matches!(self, StatusLine::Status { status: Status::Ok, .. })
    }
    pub fn code(&self) -> Option<&RespCode> {
        match self {
            StatusLine::Status { code, .. } => code.as_ref(),
            StatusLine::Continue(_) => None,
        }
    }
    pub fn text(&self) -> &str {
        match self {
            StatusLine::Status { text, .. } => text,
            StatusLine::Continue(t) => t,
        }
    }
}

impl fmt::Display for StatusLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let bytes = encode_status(self);
        f.write_str(String::from_utf8_lossy(&bytes[..bytes.len() - 2]).as_ref())
    }
}

/// A response line that is not POP3.
pub fn bad_response(column: usize, problem: impl Into<String>) -> SyntaxError {
    SyntaxError {
        kind: SyntaxErrorKind::BadResponse,
        column,
        expected: "+OK [text], -ERR [text] or + [base64]",
        problem: problem.into(),
        rfc: "RFC 1939 §3, RFC 2449 §3",
    }
}

/// Parse a status line (without its CRLF). A `[CODE]` right after the status is a response
/// code (RFC 2449 §8).
pub fn parse_status(line: &[u8]) -> Result<StatusLine, SyntaxError> {
    if let Some(i) = line.iter().position(|&b| b == b'\r' || b == b'\n' || b == 0) {
        return Err(bad_response(i + 1, "a control character inside the status line"));
    }
    let text = String::from_utf8_lossy(line);
    if text == "+" {
        return Ok(StatusLine::Continue(String::new()));
    }
    if let Some(rest) = text.strip_prefix("+ ") {
        return Ok(StatusLine::Continue(rest.to_string()));
    }
    let (status, rest) = if let Some(r) = text.strip_prefix("+OK") {
        (Status::Ok, r)
    } else if let Some(r) = text.strip_prefix("-ERR") {
        (Status::Err, r)
    } else {
        return Err(bad_response(1, "a POP3 response starts with +OK or -ERR (in capitals)"));
    };
    let rest = match rest.strip_prefix(' ') {
        Some(r) => r,
        None if rest.is_empty() => "",
        // The column in the text: `rest` is a suffix of it (of the line only when the line is
        // UTF-8; the lossy text is longer when it is not, so the line's length cannot be used).
        None => return Err(bad_response(text.len() - rest.len() + 1, "a space must follow +OK or -ERR")),
    };
    if let Some(inner) = rest.strip_prefix('[') {
        if let Some(end) = inner.find(']') {
            let code = &inner[..end];
            let valid =
                !code.is_empty() && code.split('/').all(|l| !l.is_empty() && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'));
            if valid {
                let after = &inner[end + 1..];
                let text = after.strip_prefix(' ').unwrap_or(after);
                return Ok(StatusLine::Status { status, code: Some(RespCode::from_text(code)), text: text.to_string() });
            }
        }
    }
    Ok(StatusLine::Status { status, code: None, text: rest.to_string() })
}

/// The status line, CRLF included: the exact inverse of [`parse_status`] (for texts that do
/// not themselves start with `[`, which would read as a response code).
pub fn encode_status(s: &StatusLine) -> Vec<u8> {
    let mut out = String::new();
    match s {
        StatusLine::Continue(t) => {
            out.push_str("+ ");
            out.push_str(t);
        }
        StatusLine::Status { status, code, text } => {
            out.push_str(if *status == Status::Ok { "+OK" } else { "-ERR" });
            if let Some(c) = code {
                out.push_str(" [");
                out.push_str(c.as_str());
                out.push(']');
            }
            if !text.is_empty() {
                out.push(' ');
                out.push_str(text);
            }
        }
    }
    let mut bytes = out.into_bytes();
    bytes.extend_from_slice(b"\r\n");
    bytes
}

/// The body of a multi-line response as sent: every line that starts with `.` gets one more
/// (RFC 1939 §3 "byte-stuffed"), line ends become CRLF, a last CRLF is added when missing,
/// then the terminating `.` CRLF.
pub fn stuff_body(body: &[u8]) -> Vec<u8> {
    crate::smtp::data::dot_stuff(body)
}

/// Reads a multi-line body from the server, incrementally: unstuffs and stops at `.` CRLF.
#[derive(Clone, Debug, Default)]
pub struct BodyReader {
    line: Vec<u8>,
    body: Vec<u8>,
    done: bool,
    /// Octets read, the stuffing and the terminator included.
    pub wire_octets: usize,
}

/// Largest body the client keeps (hostile servers must not exhaust memory): 64 MiB.
pub const MAX_BODY: usize = 64 * 1024 * 1024;

impl BodyReader {
    pub fn new() -> BodyReader {
        BodyReader::default()
    }

    /// Feed bytes; returns how many were used (the rest belongs to the next response).
    pub fn feed(&mut self, bytes: &[u8]) -> usize {
        let mut used = 0;
        for &b in bytes {
            if self.done {
                break;
            }
            used += 1;
            self.wire_octets += 1;
            self.line.push(b);
            if b == b'\n' {
                let line = std::mem::take(&mut self.line);
                let content = line.strip_suffix(b"\r\n").or_else(|| line.strip_suffix(b"\n")).unwrap_or(&line);
                if content == b"." {
                    self.done = true; // RFC 1939 §3: "." CRLF alone ends the response
                } else if self.body.len() < MAX_BODY {
                    // RFC 1939 §3: a leading "." was added by the server; take it off.
                    let content = content.strip_prefix(b".").unwrap_or(content);
                    self.body.extend_from_slice(content);
                    self.body.extend_from_slice(b"\r\n");
                }
            }
        }
        used
    }

    pub fn is_done(&self) -> bool {
        self.done
    }

    /// The unstuffed body (CRLF line ends).
    pub fn into_body(self) -> Vec<u8> {
        self.body
    }
}
