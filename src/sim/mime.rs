//! MIME messages: building them for the simulated mail client, parsing them for the mailbox viewer.
//!
//! - [`build`] turns a [`Compose`] form into RFC 5322 bytes: folded headers, RFC 2047
//!   encoded-words for non-ASCII text, a `text/plain` body in 7bit or quoted-printable, and
//!   `multipart/mixed` with base64 attachments.
//! - [`parse`] is total: any bytes give a best-effort tree of [`Part`]s plus a list of located
//!   problems ("line 12: …"), so the viewer can show students what is wrong with a damaged message.
//! - [`prepend_header`], [`count_headers`] and [`header_block`] are the small byte-level tools MTAs
//!   need for trace headers, loop detection and DSNs that return headers only.
//! - [`base64_encode`], [`base64_decode`], [`qp_encode`], [`qp_decode`] and
//!   [`decode_encoded_words`] are the RFC 2045 / RFC 2047 codecs underneath.
//!
//! Why hand-written rather than a crate (measured 2026-12-04 on a throw-away wasm32 cdylib,
//! release profile as the page's, `gzip -9`): `mail-parser` 0.11 (1.0 needs rustc 1.98; this
//! project has 1.95) adds 52.4 KB gzip for parsing alone — more than the whole node-panel
//! feature cost the page, this reader and the DSN reader included (≈ 37 KB, docs/perf.md) — and `mail-builder` 0.4 does not build for
//! `wasm32-unknown-unknown` at all (its `gethostname`/`errno` dependency). A builder crate also
//! draws multipart boundaries and dates from the system clock and thread-local entropy, where
//! the simulator's traces must be byte-for-byte deterministic, and it cannot write the
//! deliberately broken messages (bare LF, missing boundary, bad encoded-word) that lessons and
//! the mailbox viewer show students. Here a boundary is a hash of the content it separates,
//! dates come from the caller's virtual clock, and the codecs are a few dozen lines each.
//!
//! Sans-IO and deterministic: no clock, no randomness, no IO. Nothing here panics on any input:
//! untrusted bytes are read with `get`, and nesting is bounded by [`MAX_DEPTH`] and [`MAX_PARTS`].

use serde::{Deserialize, Serialize};

/// Deepest multipart / message/rfc822 nesting the parser descends into; deeper parts stay leaves.
pub const MAX_DEPTH: usize = 16;
/// Most body parts the parser creates for one message; the rest stays unparsed (with a problem).
pub const MAX_PARTS: usize = 10_000;
/// Header lines are folded at this width when whitespace allows: RFC 5322 §2.1.1 says SHOULD be
/// at most 78; 76 also keeps lines holding encoded-words within RFC 2047 §2's 76.
const FOLD_WIDTH: usize = 76;
/// RFC 5322 §2.1.1: a line MUST NOT be longer than 998 octets, excluding the CRLF.
const MAX_LINE: usize = 998;
/// Text whose lines are all at most this long may travel as 7bit (RFC 5322 §2.1.1 SHOULD limit).
const TEXT_7BIT_MAX: usize = 78;

// ---------------------------------------------------------------------------------------------
// Compose and build
// ---------------------------------------------------------------------------------------------

/// A file attached to a composed message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    pub filename: String,
    /// `type/subtype`, optionally with parameters (`text/csv; charset=utf-8`).
    pub content_type: String,
    pub data: Vec<u8>,
}

/// What the student typed into the mail client's compose form.
///
/// Header values are written as given (after removing CR/LF, which would inject header lines);
/// empty `from`, `subject`, `date` and `message_id` are omitted so a lesson can show a message
/// missing them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Compose {
    /// Header value, e.g. `Alice <alice@example.com>`.
    pub from: String,
    pub to: Vec<String>,
    pub cc: Vec<String>,
    pub subject: String,
    /// Already formatted, e.g. by [`crate::sim::date::rfc5322_date`].
    pub date: String,
    /// With or without the angle brackets; they are added when missing (RFC 5322 §3.6.4).
    pub message_id: String,
    pub body: String,
    pub attachments: Vec<Attachment>,
    /// Written after Message-ID. Names must be printable ASCII without `:` (RFC 5322 §2.2);
    /// invalid ones, and `MIME-Version` / `Content-*` (which [`build`] owns), are skipped.
    pub extra_headers: Vec<(String, String)>,
}

/// Build the RFC 5322 message for a compose form. Deterministic: the same form gives the same
/// bytes. Every line ends in CRLF and none is longer than 998 octets (RFC 5322 §2.1.1). A
/// single-part message ends exactly where the body ends (add nothing, lose nothing); a multipart
/// one ends with the close delimiter and CRLF.
pub fn build(c: &Compose) -> Vec<u8> {
    let mut out = Vec::new();
    if !c.from.is_empty() {
        put_header(&mut out, "From", &mailbox_value(&c.from));
    }
    for (name, list) in [("To", &c.to), ("Cc", &c.cc)] {
        if !list.is_empty() {
            let value: Vec<String> = list.iter().map(|m| mailbox_value(m)).collect();
            put_header(&mut out, name, &value.join(", ")); // RFC 5322 §3.4 address-list
        }
    }
    if !c.subject.is_empty() {
        put_unstructured(&mut out, "Subject", &c.subject);
    }
    if !c.date.is_empty() {
        put_header(&mut out, "Date", &one_line(&c.date));
    }
    if !c.message_id.is_empty() {
        let id = one_line(&c.message_id);
        let id = id.trim();
        if id.starts_with('<') && id.ends_with('>') {
            put_header(&mut out, "Message-ID", id);
        } else {
            put_header(&mut out, "Message-ID", &format!("<{id}>")); // RFC 5322 §3.6.4 msg-id
        }
    }
    for (name, value) in &c.extra_headers {
        // RFC 5322 §2.2: a field name is printable US-ASCII except ":".
        let name: String = name.chars().filter(|&ch| matches!(ch, '!'..='9' | ';'..='~')).collect();
        let lower = name.to_ascii_lowercase();
        if name.is_empty() || lower == "mime-version" || lower.starts_with("content-") {
            continue;
        }
        put_unstructured(&mut out, &name, value);
    }
    put_header(&mut out, "MIME-Version", "1.0"); // RFC 2045 §4
    let text = text_part(&c.body);
    if c.attachments.is_empty() {
        out.extend_from_slice(&text);
        return out;
    }
    let mut parts = vec![text];
    parts.extend(c.attachments.iter().map(attachment_part));
    let boundary = choose_boundary(&parts);
    put_header(
        &mut out,
        "Content-Type",
        &format!("multipart/mixed; boundary=\"{boundary}\""), // RFC 2046 §5.1.1, quoted: "=" is a tspecial
    );
    out.extend_from_slice(b"\r\n");
    write_multipart_body(&mut out, &boundary, &parts);
    out
}

/// Body of a multipart entity: preamble, each part after a dash-boundary line, close delimiter.
pub(crate) fn write_multipart_body(out: &mut Vec<u8>, boundary: &str, parts: &[Vec<u8>]) {
    // RFC 2046 §5.1.1: the preamble is ignored by MIME readers; older readers show it.
    out.extend_from_slice(b"This is a multi-part message in MIME format.");
    for part in parts {
        // RFC 2046 §5.1.1: the CRLF before "--boundary" belongs to the delimiter, not the part.
        out.extend_from_slice(format!("\r\n--{boundary}\r\n").as_bytes());
        out.extend_from_slice(part);
    }
    out.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
}

/// A `text/plain; charset=utf-8` entity (headers, blank line, body) for `body`: 7bit when the
/// text is short-lined printable ASCII, quoted-printable otherwise. Line breaks become CRLF.
pub(crate) fn text_part(body: &str) -> Vec<u8> {
    let canonical = to_crlf(body);
    let mut out = Vec::new();
    put_header(&mut out, "Content-Type", "text/plain; charset=utf-8");
    if is_7bit_text(&canonical) {
        put_header(&mut out, "Content-Transfer-Encoding", "7bit");
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(canonical.as_bytes());
    } else {
        put_header(&mut out, "Content-Transfer-Encoding", "quoted-printable");
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(qp_encode(canonical.as_bytes()).as_bytes());
    }
    out
}

/// Text with every bare LF turned into CRLF: the canonical form of text (RFC 2046 §4.1.1).
/// This is the form [`parse`] gives back for a body that [`build`] wrote.
pub fn to_crlf(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 32);
    let mut prev = '\0';
    for ch in text.chars() {
        if ch == '\n' && prev != '\r' {
            out.push('\r');
        }
        out.push(ch);
        prev = ch;
    }
    out
}

/// RFC 2045 §2.7: 7bit data is short lines of US-ASCII, no NUL, CR and LF only as CRLF. We also
/// keep other control characters (except TAB) out, and lines within the 78 of RFC 5322 §2.1.1.
fn is_7bit_text(canonical: &str) -> bool {
    canonical.split("\r\n").all(|line| line.len() <= TEXT_7BIT_MAX && line.bytes().all(|b| b == b'\t' || (b' '..=b'~').contains(&b)))
}

fn attachment_part(a: &Attachment) -> Vec<u8> {
    let (mut ctype, extra) = match a.content_type.split_once(';') {
        Some((t, rest)) => (t.trim().to_ascii_lowercase(), one_line(rest)),
        None => (a.content_type.trim().to_ascii_lowercase(), String::new()),
    };
    if !is_type_subtype(&ctype) {
        ctype = "application/octet-stream".into(); // RFC 2046 §4.5.1: arbitrary binary data
    }
    let mut cte = "base64";
    if ctype == "message/rfc822" {
        if let Some(identity) = identity_encoding(&a.data) {
            cte = identity; // RFC 2046 §5.2.1: message/rfc822 may only be 7bit, 8bit or binary
        } else {
            ctype = "application/octet-stream".into();
        }
    } else if ctype.starts_with("multipart/") || ctype.starts_with("message/") {
        // RFC 2045 §6.4: composite types may not be base64-encoded; ship the bytes opaquely.
        ctype = "application/octet-stream".into();
    }
    let mut ct_value = ctype;
    let extra = extra.trim().trim_end_matches(';');
    if !extra.is_empty() {
        ct_value.push_str("; ");
        ct_value.push_str(extra.trim_start_matches(';').trim());
    }
    let mut out = Vec::new();
    put_header(&mut out, "Content-Type", &format!("{ct_value}{}", param("name", &a.filename)));
    put_header(
        &mut out,
        "Content-Disposition",
        &format!("attachment{}", param("filename", &a.filename)), // RFC 2183 §2.3
    );
    put_header(&mut out, "Content-Transfer-Encoding", cte);
    out.extend_from_slice(b"\r\n");
    if cte == "base64" {
        out.extend_from_slice(base64_lines(&a.data).as_bytes());
    } else {
        out.extend_from_slice(&a.data);
    }
    out
}

/// `Some("7bit" | "8bit")` when bytes can travel unencoded (RFC 2045 §2.7, §2.8): no NUL, CR and
/// LF only as CRLF, lines of at most 998 octets.
pub(crate) fn identity_encoding(data: &[u8]) -> Option<&'static str> {
    let mut prev = 0u8;
    let mut line = 0usize;
    for (i, &b) in data.iter().enumerate() {
        match b {
            0 => return None,
            b'\n' if prev != b'\r' => return None,
            b'\r' if data.get(i + 1) != Some(&b'\n') => return None,
            b'\n' => line = 0,
            b'\r' => {}
            _ => {
                line += 1;
                if line > MAX_LINE {
                    return None;
                }
            }
        }
        prev = b;
    }
    Some(if data.is_ascii() { "7bit" } else { "8bit" })
}

fn is_type_subtype(t: &str) -> bool {
    // RFC 2045 §5.1: type "/" subtype, both tokens.
    let token = |s: &str| !s.is_empty() && s.bytes().all(is_token_char);
    t.split_once('/').is_some_and(|(a, b)| token(a) && token(b))
}

/// RFC 2045 §5.1 token characters: printable ASCII except SPACE and tspecials.
fn is_token_char(b: u8) -> bool {
    (b'!'..=b'~').contains(&b) && !b"()<>@,;:\\\"/[]?=".contains(&b)
}

/// `; name="value"`, or RFC 2231 §3/§4 `; name*0*=utf-8''…` sections when the value is not
/// short printable ASCII (non-ASCII, control characters, or too long for one line).
fn param(name: &str, value: &str) -> String {
    if value.len() <= 60 && value.bytes().all(|b| (b' '..=b'~').contains(&b)) {
        // RFC 2045 §5.1 quoted-string; RFC 5322 §3.2.4 quoted-pair for \ and ".
        let escaped = value.replace('\\', "\\\\").replace('"', "\\\"");
        return format!("; {name}=\"{escaped}\"");
    }
    // RFC 2231 §7 attribute-char: token characters except "*", "'" and "%".
    let mut encoded = Vec::new();
    for b in value.bytes() {
        if is_token_char(b) && !b"*'%".contains(&b) {
            encoded.push(char::from(b).to_string());
        } else {
            encoded.push(format!("%{b:02X}"));
        }
    }
    let mut sections: Vec<String> = vec![String::new()];
    for piece in encoded {
        let full = sections.last().is_some_and(|s| s.len() + piece.len() > 48);
        if full {
            sections.push(String::new());
        }
        if let Some(s) = sections.last_mut() {
            s.push_str(&piece);
        }
    }
    if sections.len() == 1 {
        let only = sections.concat();
        return format!("; {name}*=utf-8''{only}"); // RFC 2231 §4
    }
    let mut out = String::new();
    for (i, s) in sections.iter().enumerate() {
        let charset = if i == 0 { "utf-8''" } else { "" };
        out.push_str(&format!("; {name}*{i}*={charset}{s}")); // RFC 2231 §3 continuations
    }
    out
}

/// A header value with CR and LF replaced by spaces, so a value cannot inject header lines.
pub(crate) fn one_line(s: &str) -> String {
    s.replace(['\r', '\n'], " ")
}

/// One mailbox of From/To/Cc: a non-ASCII display name becomes RFC 2047 encoded-words (§5 (3),
/// "phrase"); a non-ASCII address is left as UTF-8 (RFC 6532).
fn mailbox_value(item: &str) -> String {
    let item = one_line(item);
    let Some(lt) = item.rfind('<') else {
        return item;
    };
    let (name, rest) = item.split_at(lt);
    let mut name = name.trim();
    if name.len() >= 2 && name.starts_with('"') && name.ends_with('"') {
        name = name.get(1..name.len() - 1).unwrap_or(name);
    }
    if name.is_empty() || (name.is_ascii() && !name.contains("=?")) {
        return item;
    }
    // RFC 2047 §5 (3): an encoded-word may replace a word of a phrase, never inside quotes.
    format!("{} {rest}", encode_words(name, 75).join(" "))
}

/// Write an unstructured field (Subject, extension fields): plain and folded when it can be, as
/// RFC 2047 encoded-words when it is not ASCII or would not survive folding and unfolding intact.
fn put_unstructured(out: &mut Vec<u8>, name: &str, text: &str) {
    let needs_words = !text.is_ascii()
        || text.bytes().any(|b| b.is_ascii_control()) // CR/LF/TAB would be lost or inject lines
        || text.contains("=?") // RFC 2047 §6.1: would be taken for an encoded-word
        || text.starts_with(' ')
        || text.ends_with(' ') // leading/trailing white space does not survive a header line
        || text.split(' ').any(|w| w.len() > 900); // no place to fold within 998 (RFC 5322 §2.1.1)
    if !needs_words {
        put_header(out, name, text);
        return;
    }
    // RFC 2047 §2: a line holding encoded-words is at most 76 characters.
    let first = FOLD_WIDTH.saturating_sub(name.len() + 2);
    let first = if first < 24 { 75 } else { first };
    put_header(out, name, &encode_words(text, first).join(" "));
}

/// Write `Name: value` CRLF, folded at white space to [`FOLD_WIDTH`] (RFC 5322 §2.2.3: folding
/// inserts CRLF before existing WSP). A run without white space longer than 998 octets is split
/// with an added CRLF SP, the one case where folding changes the value (RFC 5322 §2.1.1 MUST).
pub(crate) fn put_header(out: &mut Vec<u8>, name: &str, value: &str) {
    let line = if value.is_empty() { format!("{name}:") } else { format!("{name}: {value}") };
    let mut pieces: Vec<&str> = Vec::new();
    let mut start = 0;
    let mut prev_ws = false;
    for (i, ch) in line.char_indices() {
        let ws = ch == ' ' || ch == '\t';
        if ws && !prev_ws && i > name.len() {
            pieces.push(line.get(start..i).unwrap_or(""));
            start = i;
        }
        prev_ws = ws;
    }
    pieces.push(line.get(start..).unwrap_or(""));
    let mut col = 0;
    for piece in pieces {
        if col > 0 && col + piece.len() > FOLD_WIDTH {
            out.extend_from_slice(b"\r\n");
            col = 0;
        }
        let mut rest = piece;
        while col + rest.len() > MAX_LINE {
            let mut cut = MAX_LINE - col;
            while !rest.is_char_boundary(cut) {
                cut -= 1;
            }
            let (head, tail) = rest.split_at(cut);
            out.extend_from_slice(head.as_bytes());
            out.extend_from_slice(b"\r\n ");
            col = 1;
            rest = tail;
        }
        out.extend_from_slice(rest.as_bytes());
        col += rest.len();
    }
    out.extend_from_slice(b"\r\n");
}

/// RFC 2047 §5 (3): characters a Q-encoded word in a phrase may carry literally.
fn q_literal(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!*+-/".contains(&b)
}

fn q_len(s: &str) -> usize {
    s.bytes().map(|b| if q_literal(b) || b == b' ' { 1 } else { 3 }).sum()
}

/// Split `text` into UTF-8 encoded-words of at most 75 characters (RFC 2047 §2), the first at
/// most `first_max`, never splitting a character (§5). Q when shorter than B, else B (§4).
fn encode_words(text: &str, first_max: usize) -> Vec<String> {
    const OVERHEAD: usize = "=?UTF-8?Q??=".len();
    let use_q = q_len(text) <= text.len().div_ceil(3) * 4;
    let enc_len = |s: &str| {
        if use_q {
            q_len(s)
        } else {
            s.len().div_ceil(3) * 4
        }
    };
    let mut words = Vec::new();
    let mut start = 0;
    for (i, ch) in text.char_indices() {
        let max = if words.is_empty() { first_max } else { 75 }.saturating_sub(OVERHEAD);
        let chunk = text.get(start..i + ch.len_utf8()).unwrap_or("");
        if i > start && enc_len(chunk) > max {
            words.push(encoded_word(text.get(start..i).unwrap_or(""), use_q));
            start = i;
        }
    }
    words.push(encoded_word(text.get(start..).unwrap_or(""), use_q));
    words
}

fn encoded_word(chunk: &str, use_q: bool) -> String {
    if !use_q {
        return format!("=?UTF-8?B?{}?=", base64_encode(chunk.as_bytes())); // RFC 2047 §4.1
    }
    let mut out = String::from("=?UTF-8?Q?");
    for b in chunk.bytes() {
        if b == b' ' {
            out.push('_'); // RFC 2047 §4.2 (2)
        } else if q_literal(b) {
            out.push(char::from(b));
        } else {
            push_hex(&mut out, b); // RFC 2047 §4.2 (1)
        }
    }
    out.push_str("?=");
    out
}

/// A multipart boundary derived from the parts it separates (FNV-1a, 64 bit): deterministic, and
/// re-derived until no part contains it (RFC 2046 §5.1.1: it must not appear inside a part). The
/// `=_` prefix cannot occur in base64 or quoted-printable output; at most 70 characters (§5.1.1).
pub(crate) fn choose_boundary(parts: &[Vec<u8>]) -> String {
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for &b in part {
            h = (h ^ u64::from(b)).wrapping_mul(PRIME);
        }
        h = (h ^ 0xff).wrapping_mul(PRIME); // part separator, so ["ab"] and ["a","b"] differ
    }
    loop {
        let boundary = format!("=_smtp-sim_{h:016x}");
        let needle = format!("--{boundary}");
        if !parts.iter().any(|p| contains(p, needle.as_bytes())) {
            return boundary;
        }
        h = (h ^ 0x5a).wrapping_mul(PRIME); // each part can rule out only finitely many candidates
    }
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && hay.windows(needle.len()).any(|w| w == needle)
}

// ---------------------------------------------------------------------------------------------
// Codecs: base64, quoted-printable, encoded-words
// ---------------------------------------------------------------------------------------------

/// Base64 (RFC 2045 §6.8 / RFC 4648 §4) on one line, with `=` padding: the shared codec.
pub fn base64_encode(data: &[u8]) -> String {
    crate::smtp::base64::encode(data)
}

/// Base64 as a MIME body: lines of at most 76 characters joined by CRLF (RFC 2045 §6.8).
pub fn base64_lines(data: &[u8]) -> String {
    let one = base64_encode(data);
    let mut out = String::with_capacity(one.len() + one.len() / 38);
    for (i, chunk) in one.as_bytes().chunks(76).enumerate() {
        if i > 0 {
            out.push_str("\r\n");
        }
        out.push_str(std::str::from_utf8(chunk).unwrap_or(""));
    }
    out
}

/// Why [`base64_decode`] refused its input, located by byte offset.
pub use crate::smtp::base64::Base64Error;

/// Decode base64, ignoring white space and line breaks (RFC 2045 §6.8) but strict otherwise:
/// characters outside the alphabet, misplaced padding, a truncated final quantum and non-zero
/// pad bits are errors (RFC 4648 §3.3, §3.5).
pub fn base64_decode(s: &str) -> Result<Vec<u8>, Base64Error> {
    base64_decode_bytes(s.as_bytes())
}

fn base64_decode_bytes(s: &[u8]) -> Result<Vec<u8>, Base64Error> {
    crate::smtp::base64::decode_with(s, crate::smtp::base64::STANDARD, true)
}

fn push_hex(out: &mut String, b: u8) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF"; // RFC 2045 §6.7 (1): upper-case hex digits
    out.push('=');
    out.push(char::from(HEX[usize::from(b >> 4)]));
    out.push(char::from(HEX[usize::from(b & 15)]));
}

/// Quoted-printable (RFC 2045 §6.7) for text: LF or CRLF in the input are hard line breaks and
/// come out as CRLF; a lone CR is encoded (`=0D`).
pub fn qp_encode(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len() + data.len() / 8);
    for (i, line) in data.split(|&b| b == b'\n').enumerate() {
        if i > 0 {
            out.push_str("\r\n"); // rule 4: a line break is represented by CRLF
        }
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let mut col = 0;
        for (j, &b) in line.iter().enumerate() {
            let last = j + 1 == line.len();
            // rule 2: "!" through "~" except "=" are literal; rule 3: SP and HT are literal
            // except at the end of a line, where transports may strip them.
            let literal = matches!(b, 33..=60 | 62..=126) || (matches!(b, b' ' | b'\t') && !last);
            let width = if literal { 1 } else { 3 };
            // rule 5: lines of at most 76 characters, counting the "=" of a soft line break.
            if col + width > if last { 76 } else { 75 } {
                out.push_str("=\r\n");
                col = 0;
            }
            if literal {
                out.push(char::from(b));
            } else {
                push_hex(&mut out, b); // rule 1
            }
            col += width;
        }
    }
    out
}

fn hex_value(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'A'..=b'F' => Some(c - b'A' + 10),
        b'a'..=b'f' => Some(c - b'a' + 10), // robustness: lower case is not canonical, but seen
        _ => None,
    }
}

/// Decode quoted-printable, robustly (RFC 2045 §6.7 notes): hard line breaks become CRLF,
/// trailing white space is dropped (rule 3), a malformed `=` is kept literally.
pub fn qp_decode(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len());
    let mut lines = data.split(|&b| b == b'\n').peekable();
    while let Some(line) = lines.next() {
        let has_break = lines.peek().is_some();
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        // rule 3: white space at the end of an encoded line was added in transport: delete it.
        let end = line.iter().rposition(|&b| b != b' ' && b != b'\t').map_or(0, |p| p + 1);
        let line = line.get(..end).unwrap_or(line);
        // rule 5: "=" at the end of a line is a soft line break.
        let (line, soft) = match line.strip_suffix(b"=") {
            Some(l) => (l, true),
            None => (line, false),
        };
        let mut i = 0;
        while let Some(&b) = line.get(i) {
            let escaped = (b == b'=').then(|| Some(hex_value(*line.get(i + 1)?)? << 4 | hex_value(*line.get(i + 2)?)?)).flatten();
            match escaped {
                Some(v) => {
                    out.push(v);
                    i += 3;
                }
                None => {
                    out.push(b);
                    i += 1;
                }
            }
        }
        if has_break && !soft {
            out.extend_from_slice(b"\r\n");
        }
    }
    out
}

/// Bytes in a named charset to text; `None` for charsets this viewer does not know.
fn decode_charset(charset: &str, bytes: &[u8]) -> Option<String> {
    match charset.trim().to_ascii_lowercase().as_str() {
        "utf-8" | "utf8" | "us-ascii" | "ascii" => Some(String::from_utf8_lossy(bytes).into_owned()),
        "iso-8859-1" | "iso8859-1" | "iso_8859-1" | "latin1" | "latin-1" | "l1" => Some(bytes.iter().map(|&b| char::from(b)).collect()),
        _ => None,
    }
}

/// One `=?charset?encoding?text?=` at the start of `s` (RFC 2047 §2): (charset, bytes, length).
/// The "Q" encoding of RFC 2047 §4.2: `_` is a space, `=XX` a hex octet, anything else itself.
/// (Not the body's quoted-printable decoder: that one drops trailing white space, §6.7 rule 3,
/// which would eat a word that ends in `_`.)
fn q_decode(text: &str) -> Vec<u8> {
    let b = text.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'_' => out.push(b' '),
            b'=' if i + 2 < b.len() => {
                let hex = |c: u8| (c as char).to_digit(16);
                match (hex(b[i + 1]), hex(b[i + 2])) {
                    (Some(h), Some(l)) => {
                        out.push((h * 16 + l) as u8);
                        i += 3;
                        continue;
                    }
                    _ => out.push(b'='),
                }
            }
            c => out.push(c),
        }
        i += 1;
    }
    out
}

fn parse_encoded_word(s: &str) -> Option<(String, Vec<u8>, usize)> {
    let inner = s.strip_prefix("=?")?;
    let (charset, rest) = inner.split_once('?')?;
    let (enc, rest) = rest.split_once('?')?;
    let end = rest.find("?=")?;
    let text = rest.get(..end)?;
    if charset.is_empty() || text.contains([' ', '\t']) || charset.contains([' ', '\t']) {
        return None; // §2: an encoded-word contains no white space
    }
    let bytes = match enc {
        "B" | "b" => base64_decode(text).ok()?, // §4.1
        "Q" | "q" => q_decode(text),
        _ => return None,
    };
    // RFC 2231 §5: charset may carry a language, "charset*lang".
    let charset = charset.split('*').next().unwrap_or(charset).to_ascii_lowercase();
    decode_charset(&charset, &[])?;
    let len = 2 + inner.len() - rest.len() + end + 2;
    Some((charset, bytes, len))
}

/// Decode RFC 2047 encoded-words in a header value (UTF-8, US-ASCII and ISO-8859-1; words in
/// other charsets are left as they are). White space between two adjacent encoded-words is
/// dropped (§6.2); adjacent words in one charset are joined before decoding, so a character split
/// across words (a common sender bug) still comes out whole.
pub fn decode_encoded_words(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending: Option<(String, Vec<u8>)> = None;
    let flush = |out: &mut String, pending: &mut Option<(String, Vec<u8>)>| {
        if let Some((cs, bytes)) = pending.take() {
            out.push_str(&decode_charset(&cs, &bytes).unwrap_or_default());
        }
    };
    let mut rest = s;
    while let Some(at) = rest.find("=?") {
        let (before, from) = rest.split_at(at);
        match parse_encoded_word(from) {
            Some((cs, bytes, len)) => {
                let joins = pending.is_some() && before.chars().all(|c| c == ' ' || c == '\t');
                if joins {
                    match pending.as_mut() {
                        Some((pcs, pbytes)) if *pcs == cs => pbytes.extend_from_slice(&bytes),
                        _ => {
                            flush(&mut out, &mut pending);
                            pending = Some((cs, bytes));
                        }
                    }
                } else {
                    flush(&mut out, &mut pending);
                    out.push_str(before);
                    pending = Some((cs, bytes));
                }
                rest = from.get(len..).unwrap_or("");
            }
            None => {
                flush(&mut out, &mut pending);
                out.push_str(before);
                out.push_str("=?");
                rest = from.get(2..).unwrap_or("");
            }
        }
    }
    flush(&mut out, &mut pending);
    out.push_str(rest);
    out
}

// ---------------------------------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------------------------------

/// One header field as it appeared: name as written, value unfolded (RFC 5322 §2.2.3: CRLF
/// removed, white space kept) and trimmed but not decoded, and its 1-based line number.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    pub name: String,
    pub value: String,
    pub line: usize,
}

/// A parsed message: its header fields in order (duplicates kept: the Received: chain matters),
/// the body tree, and what was wrong with it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    pub headers: Vec<Header>,
    /// The whole message as an entity; its `headers` are the message's headers.
    pub root: Part,
    /// Located, human-readable problems, e.g. `line 12: multipart boundary "x" never closed`.
    pub problems: Vec<String>,
}

/// One MIME entity.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Part {
    pub headers: Vec<Header>,
    /// Lower-case `type/subtype`; `text/plain` when missing or invalid (RFC 2045 §5.2).
    pub content_type: String,
    /// Parameters with lower-case names, unquoted, RFC 2231 sections joined and decoded.
    pub params: Vec<(String, String)>,
    /// From Content-Disposition `filename` (RFC 2183 §2.3), else Content-Type `name`.
    pub filename: Option<String>,
    /// Lower-case Content-Transfer-Encoding; `7bit` when missing (RFC 2045 §6.1).
    pub transfer_encoding: String,
    /// The decoded body; empty for a multipart whose children were parsed.
    pub body: Vec<u8>,
    /// Length of the entity as it appeared (headers and encoded body).
    pub raw_len: usize,
    /// Where the entity starts in its parent's body as it appeared (0 for the message itself
    /// and for the message inside a `message/rfc822` part), so a reader can cut out a part's
    /// raw bytes (IMAP `BODY[1.2]`, RFC 9051 §6.4.5).
    #[serde(default)]
    pub offset: usize,
    /// Octets of the header section, the empty line that ends it included: the body starts here.
    #[serde(default)]
    pub header_len: usize,
    /// Multipart children, or the one encapsulated message of a `message/rfc822` part.
    pub children: Vec<Part>,
}

impl Message {
    /// The first header field named `name` (case-insensitive, RFC 5322 §1.2.2), its raw value.
    pub fn header(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }

    /// Every header field named `name`, in order (e.g. the `Received:` chain, newest first).
    pub fn headers_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Header> + 'a {
        self.headers.iter().filter(move |h| h.name.eq_ignore_ascii_case(name))
    }
}

impl Part {
    /// The first header field of this part named `name`, case-insensitive.
    pub fn header(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }

    /// A Content-Type parameter by (case-insensitive) name.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// The body as text in the part's charset (UTF-8 when unknown or missing; lossy).
    pub fn text(&self) -> String {
        self.param("charset")
            .and_then(|cs| decode_charset(cs, &self.body))
            .unwrap_or_else(|| String::from_utf8_lossy(&self.body).into_owned())
    }

    /// Depth-first, pre-order walk of this part and its descendants with their depth (0 here),
    /// for drawing the tree.
    pub fn walk(&self) -> impl Iterator<Item = (usize, &Part)> {
        let mut stack = vec![(0usize, self)];
        std::iter::from_fn(move || {
            let (depth, part) = stack.pop()?;
            stack.extend(part.children.iter().rev().map(|c| (depth + 1, c)));
            Some((depth, part))
        })
    }

    /// The first part (depth-first, this one included) with the given content type.
    pub fn find(&self, content_type: &str) -> Option<&Part> {
        self.walk().map(|(_, p)| p).find(|p| p.content_type.eq_ignore_ascii_case(content_type))
    }
}

fn find_header<'a>(headers: &'a [Header], name: &str) -> Option<&'a str> {
    headers.iter().find(|h| h.name.eq_ignore_ascii_case(name)).map(|h| h.value.as_str())
}

/// `&b[start..end]`, or empty when the range is not inside `b`.
fn sub(b: &[u8], start: usize, end: usize) -> &[u8] {
    b.get(start..end).unwrap_or(&[])
}

/// Lines of `b` as (start, end of content, start of next line). LF ends a line and a CR just
/// before it is not content; a lone CR is content. The last line may lack a line break.
fn lines(b: &[u8]) -> impl Iterator<Item = (usize, usize, usize)> + '_ {
    let mut pos = 0;
    std::iter::from_fn(move || {
        if pos >= b.len() {
            return None;
        }
        let start = pos;
        let (end, next) = match b.get(start..).unwrap_or(&[]).iter().position(|&c| c == b'\n') {
            Some(i) => {
                let lf = start + i;
                let cr = lf > start && b.get(lf - 1) == Some(&b'\r');
                (if cr { lf - 1 } else { lf }, lf + 1)
            }
            None => (b.len(), b.len()),
        };
        pos = next;
        Some((start, end, next))
    })
}

/// The end of a field name (the colon) when `line` starts a header field: RFC 5322 §2.2 ftext
/// name, then ":" (white space before the colon is obsolete syntax, §4.5, and accepted).
fn field_colon(line: &[u8]) -> Option<usize> {
    let colon = line.iter().position(|&b| b == b':')?;
    let name = sub(line, 0, colon);
    let name_end = name.iter().rposition(|&b| b != b' ' && b != b'\t')? + 1;
    sub(name, 0, name_end).iter().all(|&b| (b'!'..=b'~').contains(&b)).then_some(colon)
}

pub(crate) struct HeaderScan {
    pub(crate) headers: Vec<Header>,
    /// Offset where the body starts (after the blank line, or at a line that was not a header).
    pub(crate) body_start: usize,
    /// 1-based line number of the body's first line.
    pub(crate) body_line: usize,
}

/// Read a header section (RFC 5322 §2.2) starting at 1-based line `first_line`.
pub(crate) fn scan_headers(raw: &[u8], first_line: usize, problems: &mut Vec<String>) -> HeaderScan {
    let mut headers = Vec::new();
    let mut current: Option<(String, Vec<u8>, usize)> = None;
    let finish = |current: &mut Option<(String, Vec<u8>, usize)>, headers: &mut Vec<Header>, problems: &mut Vec<String>| {
        if let Some((name, value, line)) = current.take() {
            let text = match String::from_utf8(value) {
                Ok(s) => s,
                Err(e) => {
                    problems.push(format!("line {line}: {name}: is not valid UTF-8 (RFC 6532); shown with replacement characters"));
                    String::from_utf8_lossy(e.as_bytes()).into_owned()
                }
            };
            let value = text.trim_matches([' ', '\t']).to_string();
            headers.push(Header { name, value, line });
        }
    };
    let mut line_no = first_line;
    let mut body_start = raw.len();
    let mut body_line = first_line;
    let mut ended = false;
    for (start, end, next) in lines(raw) {
        let content = sub(raw, start, end);
        if content.is_empty() {
            body_start = next; // RFC 5322 §2.1: an empty line separates header section and body
            body_line = line_no + 1;
            ended = true;
            break;
        }
        if content.first().is_some_and(|&b| b == b' ' || b == b'\t') {
            match current.as_mut() {
                // RFC 5322 §2.2.3: unfolding removes the CRLF and keeps the white space.
                Some((_, value, _)) => value.extend_from_slice(content),
                None => problems.push(format!("line {line_no}: continuation line with no header field before it; ignored")),
            }
        } else if let Some(colon) = field_colon(content) {
            finish(&mut current, &mut headers, problems);
            let name = String::from_utf8_lossy(sub(content, 0, colon)).trim_end().to_string();
            current = Some((name, sub(content, colon + 1, content.len()).to_vec(), line_no));
        } else {
            finish(&mut current, &mut headers, problems);
            let shown: String = String::from_utf8_lossy(sub(content, 0, 40.min(content.len()))).into_owned();
            problems.push(if headers.is_empty() && line_no == first_line {
                format!("line {line_no}: no header fields (\"{shown}\" has no colon); everything is read as body")
            } else {
                format!("line {line_no}: \"{shown}\" is not a header field (no colon) and no blank line came before it; the body starts here (RFC 5322 §2.1)")
            });
            body_start = start;
            body_line = line_no;
            ended = true;
            break;
        }
        line_no += 1;
    }
    finish(&mut current, &mut headers, problems);
    if !ended {
        body_line = line_no;
    }
    HeaderScan { headers, body_start, body_line }
}

/// Split a parameter list (RFC 2045 §5.1): the value before the first `;`, then `name=value`
/// pairs with lower-case names and unquoted values, RFC 2231 sections joined and decoded.
pub(crate) fn parse_params(value: &str) -> (String, Vec<(String, String)>) {
    let (main, mut rest) = value.split_once(';').unwrap_or((value, ""));
    let mut raw: Vec<(String, String)> = Vec::new();
    loop {
        rest = rest.trim_start_matches([' ', '\t', ';']);
        if rest.is_empty() {
            break;
        }
        let stop = rest.find(['=', ';']).unwrap_or(rest.len());
        if !rest.get(stop..).unwrap_or("").starts_with('=') {
            rest = rest.get(stop..).unwrap_or(""); // a parameter without "=": skip it
            continue;
        }
        let name = rest.get(..stop).unwrap_or("").trim().to_ascii_lowercase();
        rest = rest.get(stop + 1..).unwrap_or("").trim_start();
        let mut val = String::new();
        if let Some(q) = rest.strip_prefix('"') {
            // RFC 5322 §3.2.4 quoted-string with quoted-pairs.
            let mut chars = q.char_indices();
            let mut end = q.len();
            while let Some((i, ch)) = chars.next() {
                match ch {
                    '\\' => {
                        if let Some((_, esc)) = chars.next() {
                            val.push(esc);
                        }
                    }
                    '"' => {
                        end = i + 1;
                        break;
                    }
                    _ => val.push(ch),
                }
            }
            rest = q.get(end..).unwrap_or("");
        } else {
            let end = rest.find(';').unwrap_or(rest.len());
            val = rest.get(..end).unwrap_or("").trim().to_string();
            rest = rest.get(end..).unwrap_or("");
        }
        if !name.is_empty() {
            raw.push((name, val));
        }
    }
    (main.trim().to_string(), merge_rfc2231(raw))
}

/// RFC 2231 §3 (continuations `name*0`, `name*1*`) and §4 (`name*=charset'lang'%XX`).
fn merge_rfc2231(raw: Vec<(String, String)>) -> Vec<(String, String)> {
    let mut plain: Vec<(String, String)> = Vec::new();
    type Sections = Vec<(u32, bool, String)>; // (section number, extended?, value)
    let mut groups: Vec<(String, Sections)> = Vec::new();
    for (name, value) in raw {
        let Some((base, tail)) = name.split_once('*') else {
            plain.push((name, value));
            continue;
        };
        let (section, extended) = if tail.is_empty() {
            (0, true)
        } else {
            let (num, ext) = tail.strip_suffix('*').map_or((tail, false), |n| (n, true));
            match num.parse::<u32>() {
                Ok(n) => (n, ext),
                Err(_) => {
                    plain.push((name, value));
                    continue;
                }
            }
        };
        match groups.iter_mut().find(|(b, _)| b == base) {
            Some((_, sections)) => sections.push((section, extended, value)),
            None => groups.push((base.to_string(), vec![(section, extended, value)])),
        }
    }
    for (base, mut sections) in groups {
        sections.sort_by_key(|(n, _, _)| *n);
        let mut charset = String::from("us-ascii");
        let mut bytes = Vec::new();
        for (i, (_, extended, value)) in sections.iter().enumerate() {
            let mut v = value.as_str();
            if i == 0 && *extended {
                // §4: charset'language'encoded-text in the first section only.
                let mut it = v.splitn(3, '\'');
                if let (Some(cs), Some(_lang), Some(text)) = (it.next(), it.next(), it.next()) {
                    charset = cs.to_string();
                    v = text;
                }
            }
            if *extended {
                bytes.extend(percent_decode(v));
            } else {
                bytes.extend_from_slice(v.as_bytes());
            }
        }
        let text = decode_charset(&charset, &bytes).unwrap_or_else(|| String::from_utf8_lossy(&bytes).into_owned());
        plain.retain(|(n, _)| *n != base); // the RFC 2231 form wins over a plain fallback
        plain.push((base, text));
    }
    plain
}

fn percent_decode(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        let hex = (c == b'%').then(|| Some(hex_value(*b.get(i + 1)?)? << 4 | hex_value(*b.get(i + 2)?)?)).flatten();
        match hex {
            Some(v) => {
                out.push(v);
                i += 3;
            }
            None => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

struct Ctx {
    problems: Vec<String>,
    parts: usize,
}

/// Parse a message. Total: never fails and never panics; damaged input gives a best-effort tree
/// and located entries in [`Message::problems`].
pub fn parse(raw: &[u8]) -> Message {
    let mut ctx = Ctx { problems: Vec::new(), parts: 0 };
    let root = parse_part(raw, 0, 1, 0, "text/plain", &mut ctx);
    if root.headers.is_empty() && !raw.is_empty() {
        ctx.problems.push("line 1: the message has no header fields; RFC 5322 §3.6 requires Date: and From:".into());
    }
    Message { headers: root.headers.clone(), root, problems: ctx.problems }
}

fn parse_part(raw: &[u8], offset: usize, first_line: usize, depth: usize, default_type: &str, ctx: &mut Ctx) -> Part {
    ctx.parts += 1;
    let scan = scan_headers(raw, first_line, &mut ctx.problems);
    let body = sub(raw, scan.body_start, raw.len());
    let ct_header = scan.headers.iter().find(|h| h.name.eq_ignore_ascii_case("Content-Type"));
    let (mut content_type, mut params) = match ct_header {
        Some(h) => {
            let (main, params) = parse_params(&h.value);
            (main.to_ascii_lowercase(), params)
        }
        None => (default_type.to_string(), Vec::new()),
    };
    if !is_type_subtype(&content_type) {
        if let Some(h) = ct_header {
            ctx.problems
                .push(format!("line {}: Content-Type \"{}\" is not type/subtype; read as text/plain (RFC 2045 §5.2)", h.line, h.value));
        }
        content_type = "text/plain".into();
        params = vec![("charset".into(), "us-ascii".into())];
    }
    let transfer_encoding =
        find_header(&scan.headers, "Content-Transfer-Encoding").map(|v| v.trim().to_ascii_lowercase()).unwrap_or_else(|| "7bit".into()); // RFC 2045 §6.1 default
    let disposition = find_header(&scan.headers, "Content-Disposition").map(parse_params);
    let filename = disposition.and_then(|(_, p)| p.into_iter().find(|(n, _)| n == "filename").map(|(_, v)| v)).or_else(|| {
        params.iter().find(|(n, _)| n == "name").map(|(_, v)| decode_encoded_words(v))
        // common practice, not RFC 2231
    });
    let mut part = Part {
        headers: scan.headers,
        content_type,
        params,
        filename,
        transfer_encoding,
        body: Vec::new(),
        raw_len: raw.len(),
        offset,
        header_len: scan.body_start,
        children: Vec::new(),
    };
    if part.content_type.starts_with("multipart/") {
        parse_multipart(&mut part, body, scan.body_line, depth, ctx);
    } else {
        part.body = decode_body(body, &part.transfer_encoding, scan.body_line, ctx);
        // RFC 2046 §5.2.1: message/rfc822 encapsulates a whole message; show it as a child.
        if matches!(part.content_type.as_str(), "message/rfc822" | "message/global") {
            if depth + 1 >= MAX_DEPTH || ctx.parts >= MAX_PARTS {
                ctx.problems.push(format!("line {}: message nested deeper than {MAX_DEPTH} levels; kept as a leaf", scan.body_line));
            } else {
                let inner = parse_part(&part.body, 0, scan.body_line, depth + 1, "text/plain", ctx);
                part.children.push(inner);
            }
        }
    }
    part
}

fn parse_multipart(part: &mut Part, body: &[u8], body_line: usize, depth: usize, ctx: &mut Ctx) {
    let Some(boundary) = part.param("boundary").map(str::to_string) else {
        ctx.problems
            .push(format!("line {body_line}: {} without a boundary parameter (RFC 2046 §5.1.1); body kept as is", part.content_type));
        part.body = body.to_vec();
        return;
    };
    if depth + 1 >= MAX_DEPTH {
        ctx.problems.push(format!("line {body_line}: multipart nested deeper than {MAX_DEPTH} levels; kept as a leaf"));
        part.body = body.to_vec();
        return;
    }
    if !matches!(part.transfer_encoding.as_str(), "7bit" | "8bit" | "binary") {
        ctx.problems.push(format!(
            "line {body_line}: a multipart may not use Content-Transfer-Encoding {} (RFC 2045 §6.4)",
            part.transfer_encoding
        ));
    }
    // RFC 2046 §5.1.5: in a multipart/digest the default part type is message/rfc822.
    let child_default = if part.content_type == "multipart/digest" { "message/rfc822" } else { "text/plain" };
    let delimiter = format!("--{boundary}");
    let mut open: Option<(usize, usize)> = None; // (start offset, 1-based line) of the current part
    let mut spans: Vec<(usize, usize, usize)> = Vec::new();
    let mut closed = false;
    let mut seen = false;
    let mut last_open_line = body_line;
    for (idx, (start, end, next)) in lines(body).enumerate() {
        let Some(rest) = sub(body, start, end).strip_prefix(delimiter.as_bytes()) else {
            continue;
        };
        let (is_close, tail) = match rest.strip_prefix(b"--") {
            Some(t) => (true, t),
            None => (false, rest),
        };
        // RFC 2046 §5.1.1: only linear white space (transport padding) may follow a delimiter.
        if !tail.iter().all(|&b| b == b' ' || b == b'\t') {
            continue;
        }
        let line_no = body_line + idx;
        seen = true;
        if let Some((s, l)) = open.take() {
            // RFC 2046 §5.1.1: the CRLF preceding the delimiter line belongs to the delimiter.
            let mut e = start.max(s);
            if e > s && body.get(e - 1) == Some(&b'\n') {
                e -= 1;
                if e > s && body.get(e - 1) == Some(&b'\r') {
                    e -= 1;
                }
            }
            spans.push((s, e, l));
        }
        if is_close {
            closed = true;
            break;
        }
        open = Some((next, line_no + 1));
        last_open_line = line_no;
    }
    if let Some((s, l)) = open {
        spans.push((s, body.len(), l));
    }
    if !seen {
        ctx.problems.push(format!("line {body_line}: multipart boundary \"{boundary}\" never appears; body kept as is"));
        part.body = body.to_vec();
        return;
    }
    if !closed {
        ctx.problems.push(format!(
            "line {last_open_line}: multipart boundary \"{boundary}\" never closed (no \"--{boundary}--\", RFC 2046 §5.1.1)"
        ));
    }
    for (s, e, l) in spans {
        if ctx.parts >= MAX_PARTS {
            ctx.problems.push(format!("line {l}: more than {MAX_PARTS} parts; the rest is not parsed"));
            break;
        }
        let child = parse_part(sub(body, s, e), s, l, depth + 1, child_default, ctx);
        part.children.push(child);
    }
}

fn decode_body(raw: &[u8], encoding: &str, line: usize, ctx: &mut Ctx) -> Vec<u8> {
    match encoding {
        "base64" => base64_decode_bytes(raw).unwrap_or_else(|e| {
            ctx.problems.push(format!("line {line}: base64 body: {e}; shown undecoded (RFC 2045 §6.8)"));
            raw.to_vec()
        }),
        "quoted-printable" => qp_decode(raw),
        "7bit" | "8bit" | "binary" => {
            if encoding == "7bit" && !raw.is_ascii() {
                ctx.problems.push(format!("line {line}: body declared 7bit contains 8-bit bytes (RFC 2045 §2.7)"));
            }
            raw.to_vec()
        }
        other => {
            ctx.problems.push(format!("line {line}: unknown Content-Transfer-Encoding \"{other}\" (RFC 2045 §6); shown undecoded"));
            raw.to_vec()
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Byte-level tools for MTAs
// ---------------------------------------------------------------------------------------------

/// The message with `Name: value` (folded, CRLF-terminated) put before its first line: a trace
/// field (Received:, Return-Path:) goes at the TOP and the others are left alone (RFC 5321 §4.4).
pub fn prepend_header(raw: &[u8], name: &str, value: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len() + name.len() + value.len() + 8);
    put_header(&mut out, name, &one_line(value));
    out.extend_from_slice(raw);
    out
}

/// The message with `prefix` and a space put in front of its Subject: value, as a mailing list
/// tags its posts (`[club] Lunch`); a message without a Subject: gets one. Nothing else moves.
pub fn prefix_subject(raw: &[u8], prefix: &str) -> Vec<u8> {
    let end = header_block(raw).len();
    let mut at = 0;
    while at < end {
        let line_end = memchr::memchr(b'\n', &raw[at..end]).map_or(end, |n| at + n + 1);
        let line = &raw[at..line_end];
        if line.len() > 8 && line[..8].eq_ignore_ascii_case(b"subject:") {
            let mut value = at + 8;
            while value < line_end && matches!(raw[value], b' ' | b'\t') {
                value += 1;
            }
            return [&raw[..value], prefix.as_bytes(), b" ", &raw[value..]].concat();
        }
        at = line_end;
    }
    prepend_header(raw, "Subject", prefix)
}

/// Like [`prepend_header`], but folded where `value` has a line break (each continuation line
/// keeps its leading white space, RFC 5322 §2.2.3) instead of at the usual width. A line
/// without leading white space would start a new field, so it gets one space.
pub fn prepend_folded(raw: &[u8], name: &str, value: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len() + name.len() + value.len() + 8);
    for (i, line) in value.lines().enumerate() {
        if i == 0 {
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(b": ");
        } else if !line.starts_with([' ', '\t']) {
            out.push(b' ');
        }
        out.extend_from_slice(line.replace('\r', "").as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(raw);
    out
}

/// How many header fields of the message are named `name` (case-insensitive). Counting
/// `Received:` fields is how an MTA detects a mail loop (RFC 5321 §6.3).
pub fn count_headers(raw: &[u8], name: &str) -> usize {
    let end = header_block(raw).len();
    lines(sub(raw, 0, end))
        .filter(|&(s, e, _)| {
            let line = sub(raw, s, e);
            field_colon(line).is_some_and(|c| String::from_utf8_lossy(sub(line, 0, c)).trim_end().eq_ignore_ascii_case(name))
        })
        .count()
}

/// The header section of a message, up to and including the blank line that ends it (for DSNs
/// that return headers only, RFC 3461 §4.3 RET=HDRS). Without a blank line: up to the first line
/// that is not a header field, or the whole input.
pub fn header_block(raw: &[u8]) -> &[u8] {
    let scan = scan_headers(raw, 1, &mut Vec::new());
    sub(raw, 0, scan.body_start)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_rfc4648_vectors() {
        let cases: [(&[u8], &str); 7] = [
            (b"", ""),
            (b"f", "Zg=="),
            (b"fo", "Zm8="),
            (b"foo", "Zm9v"),
            (b"foob", "Zm9vYg=="),
            (b"fooba", "Zm9vYmE="),
            (b"foobar", "Zm9vYmFy"),
        ];
        for (plain, enc) in cases {
            assert_eq!(base64_encode(plain), enc);
            assert_eq!(base64_decode(enc).unwrap(), plain);
        }
        assert_eq!(base64_decode("Zm9v\r\n YmFy\t").unwrap(), b"foobar");
    }

    #[test]
    fn base64_strict_errors() {
        for bad in ["Zg=", "Zg", "Z===", "Zm9v!", "Zg==Zg==", "Zh==", "Zm9=", "=Zm9"] {
            assert!(base64_decode(bad).is_err(), "{bad}");
        }
        assert_eq!(base64_decode("Zm9v!").unwrap_err().offset, 4);
    }

    #[test]
    fn base64_lines_are_76() {
        let data: Vec<u8> = (0..=255u8).cycle().take(1000).collect();
        let text = base64_lines(&data);
        assert!(text.split("\r\n").all(|l| l.len() <= 76));
        assert_eq!(text.split("\r\n").next().unwrap().len(), 76);
        assert_eq!(base64_decode(&text).unwrap(), data);
    }

    #[test]
    fn qp_known_answers() {
        // RFC 2045 §6.7 rules: "=" escaped, 8-bit escaped in upper-case hex, trailing space encoded.
        assert_eq!(qp_encode(b"a=b"), "a=3Db");
        assert_eq!(qp_encode("caf\u{e9}".as_bytes()), "caf=C3=A9");
        assert_eq!(qp_encode(b"end \nnext\t"), "end=20\r\nnext=09");
        assert_eq!(qp_encode(b"mid space"), "mid space");
        assert_eq!(qp_decode(b"a=3Db=\r\nc  \r\nd=c3=a9"), "a=bc\r\nd\u{e9}".as_bytes());
        assert_eq!(qp_decode(b"bad=ZZ="), b"bad=ZZ");
        let long = "x".repeat(200);
        let enc = qp_encode(long.as_bytes());
        assert!(enc.split("\r\n").all(|l| l.len() <= 76), "{enc}");
        assert_eq!(qp_decode(enc.as_bytes()), long.as_bytes());
    }

    #[test]
    fn qp_soft_breaks_never_split_escapes() {
        let text = "\u{e9}".repeat(100);
        let enc = qp_encode(text.as_bytes());
        for line in enc.split("\r\n") {
            assert!(line.len() <= 76);
            let body = line.strip_suffix('=').unwrap_or(line);
            assert_eq!(body.len() % 3, 0, "{line}");
        }
        assert_eq!(qp_decode(enc.as_bytes()), text.as_bytes());
    }

    #[test]
    fn encoded_words() {
        assert_eq!(decode_encoded_words("=?ISO-8859-1?Q?Andr=E9?= Pirard"), "André Pirard");
        assert_eq!(decode_encoded_words("=?UTF-8?B?w6k=?= =?UTF-8?Q?t=C3=A9?="), "été");
        assert_eq!(decode_encoded_words("(=?ISO-8859-1?Q?a?= b)"), "(a b)");
        assert_eq!(decode_encoded_words("=?ISO-8859-1?Q?a?=  \t =?ISO-8859-1?Q?b?="), "ab");
        assert_eq!(decode_encoded_words("=?KOI8-R?Q?x?= y"), "=?KOI8-R?Q?x?= y");
        assert_eq!(decode_encoded_words("=?utf-8*en?q?a_b?="), "a b");
        assert_eq!(decode_encoded_words("a =?broken"), "a =?broken");
        // a character split across two words still decodes whole
        assert_eq!(decode_encoded_words("=?UTF-8?Q?=C3?= =?UTF-8?Q?=A9?="), "é");
    }

    #[test]
    fn subject_encoding_round_trips_and_fits() {
        let subject = "Réunion: ordre du jour — ".repeat(6);
        let mut out = Vec::new();
        put_unstructured(&mut out, "Subject", &subject);
        let text = String::from_utf8(out).unwrap();
        for line in text.trim_end().split("\r\n") {
            assert!(line.len() <= 76, "{line}");
        }
        let msg = parse(text.as_bytes());
        assert_eq!(decode_encoded_words(msg.header("subject").unwrap()), subject);
    }

    #[test]
    fn params_and_rfc2231() {
        let (main, p) = parse_params("Attachment; filename*0*=utf-8''r%C3%A9sum; filename*1*=%C3%A9.pdf; size=10; x=\"a\\\"b;c\"");
        assert_eq!(main, "Attachment");
        assert!(p.contains(&("filename".into(), "résumé.pdf".into())));
        assert!(p.contains(&("x".into(), "a\"b;c".into())));
        assert!(p.contains(&("size".into(), "10".into())));
        let (_, p) = parse_params(&format!("attachment{}", param("filename", &"long name ".repeat(20))));
        assert_eq!(p, vec![("filename".to_string(), "long name ".repeat(20))]);
    }

    #[test]
    fn header_section_edge_cases() {
        let raw = b" orphan\r\nA: 1\r\n  more\r\nnot a header\r\nbody";
        let m = parse(raw);
        assert_eq!(m.header("a"), Some("1  more"));
        assert_eq!(m.root.body, b"not a header\r\nbody");
        assert_eq!(m.problems.len(), 2, "{:?}", m.problems);
        assert!(m.problems[0].starts_with("line 1:"));
        assert!(m.problems[1].starts_with("line 4:"));
    }

    #[test]
    fn trace_tools() {
        let raw = b"Received: a\r\nreceived: b\r\n  (folded)\r\nSubject: x\r\n\r\nReceived: not a header\r\n";
        assert_eq!(count_headers(raw, "Received"), 2);
        assert_eq!(header_block(raw), &raw[..raw.len() - 24]);
        let with = prepend_header(raw, "Received", "from c\r\nInjected: yes");
        assert!(with.starts_with(b"Received: from c  Injected: yes\r\nReceived: a"));
        assert_eq!(count_headers(&with, "received"), 3);
        assert_eq!(count_headers(&with, "Injected"), 0);
        assert_eq!(header_block(b"A: 1\nB: 2"), b"A: 1\nB: 2");
    }

    #[test]
    fn folding_keeps_lines_short_and_values_intact() {
        let value = (0..40).map(|i| format!("word{i}")).collect::<Vec<_>>().join("  ");
        let mut out = Vec::new();
        put_header(&mut out, "X-Long", &value);
        let text = String::from_utf8(out.clone()).unwrap();
        assert!(text.trim_end().split("\r\n").all(|l| l.len() <= 76));
        assert_eq!(parse(&out).header("x-long"), Some(value.as_str()));
        let mut out = Vec::new();
        put_header(&mut out, "X-Huge", &"y".repeat(3000));
        assert!(String::from_utf8(out).unwrap().split("\r\n").all(|l| l.len() <= 998));
    }
}
