//! Parsers for IMAP commands and responses: one nom function per ABNF rule of RFC 9051 §9
//! (IMAP4rev2; the IMAP4rev1 rules of RFC 3501 §9 where rev1 clients still send them), with the
//! rule quoted in its doc comment.
//!
//! The entry points take one complete *unit* — a command or response line with the literals
//! it carries inline, without the final CRLF (the [`super::framing::Framer`] cuts units out of
//! the byte stream and asks for `+` continuations): [`command`], [`response`]. Input is bytes,
//! not text: a literal may carry any octet (RFC 9051 §4.3), and its length counts octets.
//! Every failure is a [`SyntaxError`] saying which rule failed, at which column, and why.
//!
//! Liberal where real clients are: command names, keywords and `INBOX` are case-insensitive
//! (RFC 9051 §2.2.1: "commands are case-insensitive"); UTF-8 in quoted strings (RFC 9051 §9
//! `QUOTED-CHAR` includes `UTF8-2/3/4`). Strict where it matters: one SP between tokens, no
//! controls outside literals, a literal's length exact.

use nom::error::{ErrorKind, ParseError};
use nom::IResult;

use super::command::{
    Command, CommandBody, Date, DateTime, FetchItem, FetchItems, Flag, SearchKey, Section, SectionText, SeqNum, SeqRange, SeqSet,
    StatusItem, StoreMode,
};
use super::response::{Address, BodyStructure, Code, Data, Disposition, Envelope, Extension, FetchValue, Response, SinglePart, Status};

/// Where a rule failed: the rest of the input there, the rule, and the reason.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleError<'a> {
    pub at: &'a [u8],
    pub rule: &'static str,
    pub why: &'static str,
}

impl<'a> ParseError<&'a [u8]> for RuleError<'a> {
    fn from_error_kind(at: &'a [u8], _kind: ErrorKind) -> Self {
        RuleError { at, rule: "", why: "" }
    }
    fn append(_: &'a [u8], _: ErrorKind, other: Self) -> Self {
        other
    }
    /// Of two failed alternatives, report the one that got further.
    fn or(self, other: Self) -> Self {
        if self.at.len() < other.at.len() {
            self
        } else {
            other
        }
    }
}

/// A located, explained syntax error.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct SyntaxError {
    /// 0-based octet offset in the unit.
    pub column: usize,
    /// The ABNF rule that failed (RFC 9051 §9).
    pub rule: &'static str,
    pub why: &'static str,
    /// The tag, if the line started with a usable one: a BAD can then be tagged (RFC 9051 §7.1.3).
    pub tag: Option<String>,
}

impl std::fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "column {}: {} (rule {}, RFC 9051 §9)", self.column + 1, self.why, self.rule)
    }
}

/// The result of a rule parser.
pub type Res<'a, T> = IResult<&'a [u8], T, RuleError<'a>>;

fn fail<'a, T>(at: &'a [u8], rule: &'static str, why: &'static str) -> Res<'a, T> {
    Err(nom::Err::Error(RuleError { at, rule, why }))
}

/// Longest prefix of bytes satisfying `ok`.
fn span(i: &[u8], ok: impl Fn(u8) -> bool) -> (&[u8], &[u8]) {
    let n = i.iter().position(|&b| !ok(b)).unwrap_or(i.len());
    (&i[n..], &i[..n])
}

fn lit<'a>(i: &'a [u8], s: &'static [u8], rule: &'static str, why: &'static str) -> Res<'a, ()> {
    match i.get(..s.len()) {
        Some(p) if p.eq_ignore_ascii_case(s) => Ok((&i[s.len()..], ())),
        _ => fail(i, rule, why),
    }
}

/// `SP = %x20` — exactly one.
fn sp(i: &[u8]) -> Res<'_, ()> {
    lit(i, b" ", "SP", "expected one space here")
}

/// `atom-specials = "(" / ")" / "{" / SP / CTL / list-wildcards / quoted-specials / resp-specials`
fn is_atom_char(b: u8) -> bool {
    b > 0x20 && b < 0x7f && !matches!(b, b'(' | b')' | b'{' | b'%' | b'*' | b'"' | b'\\' | b']')
}

/// `ASTRING-CHAR = ATOM-CHAR / resp-specials`
fn is_astring_char(b: u8) -> bool {
    is_atom_char(b) || b == b']'
}

/// `list-char = ATOM-CHAR / list-wildcards / resp-specials`
fn is_list_char(b: u8) -> bool {
    is_astring_char(b) || b == b'%' || b == b'*'
}

/// `atom = 1*ATOM-CHAR`
pub fn atom(i: &[u8]) -> Res<'_, &str> {
    let (rest, a) = span(i, is_atom_char);
    if a.is_empty() {
        return fail(i, "atom", "expected an atom (letters, digits and most punctuation, no space, no ( ) { % * \" \\ ])");
    }
    Ok((rest, std::str::from_utf8(a).unwrap_or_default()))
}

/// `number = 1*DIGIT` (fits in 32 bits)
pub fn number(i: &[u8]) -> Res<'_, u32> {
    let (rest, d) = span(i, |b| b.is_ascii_digit());
    match std::str::from_utf8(d).ok().and_then(|s| s.parse::<u32>().ok()) {
        Some(n) if !d.is_empty() => Ok((rest, n)),
        _ => fail(i, "number", "expected a number from 0 to 4294967295"),
    }
}

/// `nz-number = digit-nz *DIGIT`
pub fn nz_number(i: &[u8]) -> Res<'_, u32> {
    match number(i) {
        Ok((r, n)) if n > 0 && i[0] != b'0' => Ok((r, n)),
        _ => fail(i, "nz-number", "expected a number greater than zero (no leading zero)"),
    }
}

/// `number64 = 1*DIGIT` (RFC 9051 §9: up to 2^63-1; literal lengths)
pub fn number64(i: &[u8]) -> Res<'_, u64> {
    let (rest, d) = span(i, |b| b.is_ascii_digit());
    match std::str::from_utf8(d).ok().and_then(|s| s.parse::<u64>().ok()) {
        Some(n) if !d.is_empty() && n <= i64::MAX as u64 => Ok((rest, n)),
        _ => fail(i, "number64", "expected a number of octets"),
    }
}

/// `quoted = DQUOTE *QUOTED-CHAR DQUOTE`;
/// `QUOTED-CHAR = <any TEXT-CHAR except quoted-specials> / "\" quoted-specials / UTF8-2 / UTF8-3 / UTF8-4`
pub fn quoted(i: &[u8]) -> Res<'_, Vec<u8>> {
    let Some(mut r) = i.strip_prefix(b"\"") else { return fail(i, "quoted", "expected a quoted string") };
    let mut out = Vec::new();
    loop {
        match r.first() {
            Some(b'"') => return Ok((&r[1..], out)),
            Some(b'\\') => match r.get(1) {
                Some(&c @ (b'"' | b'\\')) => {
                    out.push(c);
                    r = &r[2..];
                }
                _ => return fail(r, "quoted", "a backslash in a quoted string may only escape \" or \\"),
            },
            Some(&c) if c == b'\r' || c == b'\n' || c == 0 => {
                return fail(r, "quoted", "CR, LF and NUL cannot be in a quoted string (use a literal)")
            }
            Some(&c) => {
                out.push(c);
                r = &r[1..];
            }
            None => return fail(r, "quoted", "the quoted string has no closing \""),
        }
    }
}

/// `literal = "{" number64 ["+"] "}" CRLF *CHAR8` — the number is the count of octets.
/// (RFC 7888 LITERAL+ adds the `+`; RFC 9051 §9 `literal8` is `~{...}`, not accepted here.)
pub fn literal(i: &[u8]) -> Res<'_, Vec<u8>> {
    let Some(r) = i.strip_prefix(b"{") else { return fail(i, "literal", "expected a literal {n}") };
    let (r, n) = number64(r)?;
    let r = r.strip_prefix(b"+").unwrap_or(r);
    let Some(r) = r.strip_prefix(b"}\r\n") else { return fail(r, "literal", "a literal's {n} must be followed by CRLF") };
    match usize::try_from(n).ok().filter(|&n| n <= r.len()) {
        Some(n) => Ok((&r[n..], r[..n].to_vec())),
        None => fail(r, "literal", "the literal has fewer octets than its {n} announced"),
    }
}

/// `string = quoted / literal`
pub fn string(i: &[u8]) -> Res<'_, Vec<u8>> {
    match i.first() {
        Some(b'"') => quoted(i),
        Some(b'{') => literal(i),
        _ => fail(i, "string", "expected a quoted string or a literal"),
    }
}

fn utf8<'a>(at: &'a [u8], v: Vec<u8>, rule: &'static str) -> Res<'a, String> {
    match String::from_utf8(v) {
        Ok(s) => Ok((at, s)),
        Err(_) => fail(at, rule, "this text is not valid UTF-8"),
    }
}

/// `astring = 1*ASTRING-CHAR / string`
pub fn astring(i: &[u8]) -> Res<'_, String> {
    let (rest, v) = match i.first() {
        Some(b'"' | b'{') => string(i)?,
        _ => {
            let (rest, a) = span(i, is_astring_char);
            if a.is_empty() {
                return fail(i, "astring", "expected an atom, a quoted string or a literal");
            }
            (rest, a.to_vec())
        }
    };
    utf8(rest, v, "astring").map_err(|_| nom::Err::Error(RuleError { at: i, rule: "astring", why: "this text is not valid UTF-8" }))
}

/// `nil = "NIL"`
fn nil(i: &[u8]) -> Res<'_, ()> {
    match i.get(..3) {
        Some(p) if p.eq_ignore_ascii_case(b"NIL") && !i.get(3).is_some_and(|&b| is_atom_char(b)) => Ok((&i[3..], ())),
        _ => fail(i, "nil", "expected NIL"),
    }
}

/// `nstring = string / nil`
pub fn nstring(i: &[u8]) -> Res<'_, Option<Vec<u8>>> {
    if let Ok((r, ())) = nil(i) {
        return Ok((r, None));
    }
    let (r, s) = string(i).map_err(|_| nom::Err::Error(RuleError { at: i, rule: "nstring", why: "expected a string or NIL" }))?;
    Ok((r, Some(s)))
}

fn nstring_text(i: &[u8]) -> Res<'_, Option<String>> {
    let (r, v) = nstring(i)?;
    Ok((r, v.map(|v| String::from_utf8_lossy(&v).into_owned())))
}

/// `mailbox = "INBOX" / astring` (kept as written; the store treats INBOX case-insensitively)
pub fn mailbox(i: &[u8]) -> Res<'_, String> {
    astring(i)
}

/// `list-mailbox = 1*list-char / string`
pub fn list_mailbox(i: &[u8]) -> Res<'_, String> {
    let (rest, v) = match i.first() {
        Some(b'"' | b'{') => string(i)?,
        _ => {
            let (rest, a) = span(i, is_list_char);
            if a.is_empty() {
                return fail(i, "list-mailbox", "expected a mailbox pattern such as * or INBOX/%");
            }
            (rest, a.to_vec())
        }
    };
    utf8(rest, v, "list-mailbox")
}

/// `tag = 1*<any ASTRING-CHAR except "+">`
pub fn tag(i: &[u8]) -> Res<'_, &str> {
    let (rest, t) = span(i, |b| is_astring_char(b) && b != b'+');
    if t.is_empty() {
        return fail(i, "tag", "every command starts with a tag (such as a1) chosen by the client");
    }
    Ok((rest, std::str::from_utf8(t).unwrap_or_default()))
}

/// `flag = "\Answered" / "\Flagged" / "\Deleted" / "\Seen" / "\Draft" / flag-keyword / flag-extension`;
/// `flag-perm = flag / "\*"`; `flag-fetch = flag / "\Recent"`
pub fn flag(i: &[u8]) -> Res<'_, Flag> {
    if let Some(r) = i.strip_prefix(b"\\") {
        if let Some(r2) = r.strip_prefix(b"*") {
            return Ok((r2, Flag::Wildcard));
        }
        let (rest, name) = atom(r)
            .map_err(|_| nom::Err::Error(RuleError { at: r, rule: "flag-extension", why: "expected a flag name after the backslash" }))?;
        let f = match name.to_ascii_lowercase().as_str() {
            "seen" => Flag::Seen,
            "answered" => Flag::Answered,
            "flagged" => Flag::Flagged,
            "deleted" => Flag::Deleted,
            "draft" => Flag::Draft,
            "recent" => Flag::Recent,
            _ => Flag::Extension(name.to_string()),
        };
        return Ok((rest, f));
    }
    let (rest, k) =
        atom(i).map_err(|_| nom::Err::Error(RuleError { at: i, rule: "flag", why: "expected a flag such as \\Seen or a keyword" }))?;
    Ok((rest, Flag::Keyword(k.to_string())))
}

/// `flag-list = "(" [flag *(SP flag)] ")"`
pub fn flag_list(i: &[u8]) -> Res<'_, Vec<Flag>> {
    paren_list(i, "flag-list", flag)
}

/// `"(" [x *(SP x)] ")"`, the shape of many IMAP lists.
fn paren_list<'a, T>(i: &'a [u8], rule: &'static str, item: impl Fn(&'a [u8]) -> Res<'a, T>) -> Res<'a, Vec<T>> {
    let Some(mut r) = i.strip_prefix(b"(") else { return fail(i, rule, "expected a parenthesized list") };
    let mut out = Vec::new();
    if let Some(r2) = r.strip_prefix(b")") {
        return Ok((r2, out));
    }
    loop {
        let (r2, x) = item(r)?;
        out.push(x);
        match r2.first() {
            Some(b')') => return Ok((&r2[1..], out)),
            Some(b' ') => r = &r2[1..],
            _ => return fail(r2, rule, "expected a space or the closing ) of the list"),
        }
    }
}

/// Space-separated items up to the end of the input or a `)`.
fn sp_items<'a, T>(mut r: &'a [u8], item: impl Fn(&'a [u8]) -> Res<'a, T>) -> Res<'a, Vec<T>> {
    let mut out = Vec::new();
    loop {
        let (r2, x) = item(r)?;
        out.push(x);
        match r2.strip_prefix(b" ") {
            Some(r3) => r = r3,
            None => return Ok((r2, out)),
        }
    }
}

/// `seq-number = nz-number / "*"`
pub fn seq_number(i: &[u8]) -> Res<'_, SeqNum> {
    if let Some(r) = i.strip_prefix(b"*") {
        return Ok((r, SeqNum::Largest));
    }
    let (r, n) = nz_number(i)
        .map_err(|_| nom::Err::Error(RuleError { at: i, rule: "seq-number", why: "expected a message number (1 or more) or *" }))?;
    Ok((r, SeqNum::Num(n)))
}

/// `sequence-set = (seq-number / seq-range) ["," sequence-set]`; `seq-range = seq-number ":" seq-number`
pub fn sequence_set(i: &[u8]) -> Res<'_, SeqSet> {
    let mut out = Vec::new();
    let mut r = i;
    loop {
        let (r2, start) = seq_number(r)?;
        let (r2, end) = match r2.strip_prefix(b":") {
            Some(r3) => {
                let (r4, e) = seq_number(r3)?;
                (r4, Some(e))
            }
            None => (r2, None),
        };
        out.push(SeqRange { start, end });
        match r2.strip_prefix(b",") {
            Some(r3) => r = r3,
            None => return Ok((r2, SeqSet(out))),
        }
    }
}

const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/// `date-month = "Jan" / "Feb" / ... / "Dec"`
fn date_month(i: &[u8]) -> Res<'_, u8> {
    for (n, m) in MONTHS.iter().enumerate() {
        if i.get(..3).is_some_and(|p| p.eq_ignore_ascii_case(m.as_bytes())) {
            return Ok((&i[3..], n as u8 + 1));
        }
    }
    fail(i, "date-month", "expected a month such as Jan, Feb, ... Dec")
}

fn digits<'a>(i: &'a [u8], n: usize, rule: &'static str, why: &'static str) -> Res<'a, u32> {
    match i.get(..n) {
        Some(d) if d.iter().all(u8::is_ascii_digit) => Ok((&i[n..], d.iter().fold(0, |a, &b| a * 10 + u32::from(b - b'0')))),
        _ => fail(i, rule, why),
    }
}

/// `date-text = date-day "-" date-month "-" date-year`; `date-day = 1*2DIGIT`
fn date_text(i: &[u8]) -> Res<'_, Date> {
    let (r, d) = span(i, |b| b.is_ascii_digit());
    let day = match d.len() {
        1 | 2 => d.iter().fold(0u8, |a, &b| a * 10 + (b - b'0')),
        _ => return fail(i, "date-day", "expected a day of the month, 1 to 31"),
    };
    if !(1..=31).contains(&day) {
        return fail(i, "date-day", "expected a day of the month, 1 to 31");
    }
    let (r, ()) = lit(r, b"-", "date-text", "expected - between day and month (4-Dec-2026)")?;
    let (r, month) = date_month(r)?;
    let (r, ()) = lit(r, b"-", "date-text", "expected - between month and year (4-Dec-2026)")?;
    let (r, year) = digits(r, 4, "date-year", "expected a four-digit year")?;
    Ok((r, Date { year: year as u16, month, day }))
}

/// `date = date-text / DQUOTE date-text DQUOTE`
pub fn date(i: &[u8]) -> Res<'_, Date> {
    if let Some(r) = i.strip_prefix(b"\"") {
        let (r, d) = date_text(r)?;
        let (r, ()) = lit(r, b"\"", "date", "expected the closing \" of the date")?;
        return Ok((r, d));
    }
    date_text(i)
}

/// `date-time = DQUOTE date-day-fixed "-" date-month "-" date-year SP time SP zone DQUOTE`;
/// `date-day-fixed = (SP DIGIT) / 2DIGIT`; `time = 2DIGIT ":" 2DIGIT ":" 2DIGIT`;
/// `zone = ("+" / "-") 4DIGIT`
pub fn date_time(i: &[u8]) -> Res<'_, DateTime> {
    const WHY: &str = "expected a date-time such as \"04-Dec-2026 01:30:00 +0000\"";
    let (r, ()) = lit(i, b"\"", "date-time", WHY)?;
    let r = r.strip_prefix(b" ").unwrap_or(r);
    let (r, d) = date_text(r)?;
    let (r, ()) = sp(r)?;
    let (r, h) = digits(r, 2, "time", WHY)?;
    let (r, ()) = lit(r, b":", "time", WHY)?;
    let (r, m) = digits(r, 2, "time", WHY)?;
    let (r, ()) = lit(r, b":", "time", WHY)?;
    let (r, s) = digits(r, 2, "time", WHY)?;
    let (r, ()) = sp(r)?;
    let sign: i16 = match r.first() {
        Some(b'+') => 1,
        Some(b'-') => -1,
        _ => return fail(r, "zone", "expected + or - and four digits, such as +0100"),
    };
    let (r, z) = digits(&r[1..], 4, "zone", "expected + or - and four digits, such as +0100")?;
    let (r, ()) = lit(r, b"\"", "date-time", WHY)?;
    if h > 23 || m > 59 || s > 60 || z % 100 > 59 {
        return fail(i, "date-time", "hour, minute, second or zone out of range");
    }
    let zone_minutes = sign * ((z / 100) * 60 + z % 100) as i16;
    Ok((r, DateTime { date: d, hour: h as u8, minute: m as u8, second: s as u8, zone_minutes }))
}

/// `status-att = "MESSAGES" / "UIDNEXT" / "UIDVALIDITY" / "UNSEEN" / "DELETED" / "SIZE"` (+ rev1 "RECENT")
fn status_att(i: &[u8]) -> Res<'_, StatusItem> {
    let (r, a) = atom(i)?;
    let s = match a.to_ascii_uppercase().as_str() {
        "MESSAGES" => StatusItem::Messages,
        "UIDNEXT" => StatusItem::UidNext,
        "UIDVALIDITY" => StatusItem::UidValidity,
        "UNSEEN" => StatusItem::Unseen,
        "RECENT" => StatusItem::Recent,
        "SIZE" => StatusItem::Size,
        "DELETED" => StatusItem::Deleted,
        _ => return fail(i, "status-att", "expected MESSAGES, UIDNEXT, UIDVALIDITY, UNSEEN, RECENT, SIZE or DELETED"),
    };
    Ok((r, s))
}

/// `header-list = "(" header-fld-name *(SP header-fld-name) ")"`; `header-fld-name = astring`
fn header_list(i: &[u8]) -> Res<'_, Vec<String>> {
    let (r, v) = paren_list(i, "header-list", astring)?;
    if v.is_empty() {
        return fail(i, "header-list", "HEADER.FIELDS needs at least one field name");
    }
    Ok((r, v))
}

/// `section = "[" [section-spec] "]"`; `section-spec = section-msgtext / (section-part ["." section-text])`;
/// `section-msgtext = "HEADER" / "HEADER.FIELDS" [".NOT"] SP header-list / "TEXT"`;
/// `section-part = nz-number *("." nz-number)`; `section-text = section-msgtext / "MIME"`
pub fn section(i: &[u8]) -> Res<'_, Section> {
    let (mut r, ()) = lit(i, b"[", "section", "expected [ to open the section")?;
    let mut part = Vec::new();
    while r.first().is_some_and(u8::is_ascii_digit) {
        let (r2, n) = nz_number(r)?;
        part.push(n);
        r = r2;
        match r.strip_prefix(b".") {
            Some(r2) => r = r2,
            None => break,
        }
    }
    let after_dot = !part.is_empty() && i.len() - r.len() > 1 && i[i.len() - r.len() - 1] == b'.';
    let (r, text) = if r.first() == Some(&b']') {
        if after_dot {
            return fail(r, "section-part", "expected a part number or a section text after the dot");
        }
        (r, None)
    } else {
        let (r2, word) = span(r, |b| b.is_ascii_alphabetic() || b == b'.');
        let t = match word.to_ascii_uppercase().as_slice() {
            b"HEADER" => SectionText::Header,
            b"TEXT" => SectionText::Text,
            b"MIME" if !part.is_empty() => SectionText::Mime,
            b"HEADER.FIELDS" | b"HEADER.FIELDS.NOT" => {
                let not = word.len() > 13;
                let (r3, ()) = sp(r2)?;
                let (r3, list) = header_list(r3)?;
                let t = if not { SectionText::HeaderFieldsNot(list) } else { SectionText::HeaderFields(list) };
                let (r3, ()) = lit(r3, b"]", "section", "expected ] to close the section")?;
                return Ok((r3, Section { part, text: Some(t) }));
            }
            _ => {
                return fail(
                    r,
                    "section-text",
                    "expected HEADER, HEADER.FIELDS (...), HEADER.FIELDS.NOT (...), TEXT, MIME or a part number",
                )
            }
        };
        (r2, Some(t))
    };
    let (r, ()) = lit(r, b"]", "section", "expected ] to close the section")?;
    Ok((r, Section { part, text }))
}

/// `fetch-att = "ENVELOPE" / "FLAGS" / "INTERNALDATE" / "RFC822.SIZE" / "BODY" ["STRUCTURE"] / "UID" /
/// "BODY" section [partial] / "BODY.PEEK" section [partial]` (+ rev1 `"RFC822" [".HEADER" / ".TEXT"]`);
/// `partial = "<" number64 "." nz-number64 ">"`
pub fn fetch_att(i: &[u8]) -> Res<'_, FetchItem> {
    let (r, word) = span(i, |b| b.is_ascii_alphanumeric() || b == b'.');
    let w = word.to_ascii_uppercase();
    let simple = match w.as_slice() {
        b"ENVELOPE" => Some(FetchItem::Envelope),
        b"FLAGS" => Some(FetchItem::Flags),
        b"INTERNALDATE" => Some(FetchItem::InternalDate),
        b"RFC822.SIZE" => Some(FetchItem::Rfc822Size),
        b"BODYSTRUCTURE" => Some(FetchItem::BodyStructure),
        b"UID" => Some(FetchItem::Uid),
        b"RFC822" => Some(FetchItem::Rfc822),
        b"RFC822.HEADER" => Some(FetchItem::Rfc822Header),
        b"RFC822.TEXT" => Some(FetchItem::Rfc822Text),
        b"BODY" if r.first() != Some(&b'[') => Some(FetchItem::Body),
        _ => None,
    };
    if let Some(s) = simple {
        return Ok((r, s));
    }
    let peek = match w.as_slice() {
        b"BODY" => false,
        b"BODY.PEEK" => true,
        _ => {
            return fail(
                i,
                "fetch-att",
                "expected a FETCH item: FLAGS, UID, RFC822.SIZE, INTERNALDATE, ENVELOPE, BODYSTRUCTURE, BODY[...] or BODY.PEEK[...]",
            )
        }
    };
    let (r, section) = section(r)?;
    let (r, partial) = match r.strip_prefix(b"<") {
        Some(r2) => {
            let (r2, o) = number(r2)?;
            let (r2, ()) = lit(r2, b".", "partial", "expected <origin.count>, such as <0.1024>")?;
            let (r2, n) = nz_number(r2)?;
            let (r2, ()) = lit(r2, b">", "partial", "expected > to close <origin.count>")?;
            (r2, Some((o, n)))
        }
        None => (r, None),
    };
    Ok((r, FetchItem::Section { peek, section, partial }))
}

/// `fetch = "FETCH" SP sequence-set SP ("ALL" / "FULL" / "FAST" / fetch-att / "(" fetch-att *(SP fetch-att) ")")`
fn fetch_items(i: &[u8]) -> Res<'_, FetchItems> {
    if i.first() == Some(&b'(') {
        let (r, v) = paren_list(i, "fetch", fetch_att)?;
        return Ok((r, FetchItems::List(v)));
    }
    let (r, word) = span(i, |b| b.is_ascii_alphabetic());
    match word.to_ascii_uppercase().as_slice() {
        b"ALL" if !r.first().is_some_and(|&b| b == b'.' || b == b'[') => Ok((r, FetchItems::All)),
        b"FAST" => Ok((r, FetchItems::Fast)),
        b"FULL" => Ok((r, FetchItems::Full)),
        _ => {
            let (r, a) = fetch_att(i)?;
            Ok((r, FetchItems::List(vec![a])))
        }
    }
}

/// `search-key = "ALL" / "ANSWERED" / "BCC" SP astring / "BEFORE" SP date / ... / "NOT" SP search-key /
/// "OR" SP search-key SP search-key / sequence-set / "(" search-key *(SP search-key) ")"` (RFC 9051 §9)
pub fn search_key(i: &[u8]) -> Res<'_, SearchKey> {
    search_key_depth(i, 0)
}

/// Nesting bound for NOT/OR/parentheses: hostile input must not exhaust the stack.
const MAX_SEARCH_DEPTH: usize = 32;

fn search_key_depth(i: &[u8], depth: usize) -> Res<'_, SearchKey> {
    if depth > MAX_SEARCH_DEPTH {
        return fail(i, "search-key", "search keys nested too deeply (more than 32 levels)");
    }
    if i.first() == Some(&b'(') {
        let (r, v) = paren_list(i, "search-key", |x| search_key_depth(x, depth + 1))?;
        if v.is_empty() {
            return fail(i, "search-key", "an empty () is not a search key");
        }
        return Ok((r, SearchKey::And(v)));
    }
    if i.first().is_some_and(|&b| b.is_ascii_digit() || b == b'*') {
        let (r, s) = sequence_set(i)?;
        return Ok((r, SearchKey::Seq(s)));
    }
    let (r, word) = span(i, |b| b.is_ascii_alphabetic());
    let w = String::from_utf8_lossy(word).to_ascii_uppercase();
    let text = |r, f: fn(String) -> SearchKey| -> Res<'_, SearchKey> {
        let (r, ()) = sp(r)?;
        let (r, s) = astring(r)?;
        Ok((r, f(s)))
    };
    let on_date = |r, f: fn(Date) -> SearchKey| -> Res<'_, SearchKey> {
        let (r, ()) = sp(r)?;
        let (r, d) = date(r)?;
        Ok((r, f(d)))
    };
    let k = match w.as_str() {
        "ALL" => SearchKey::All,
        "ANSWERED" => SearchKey::Answered,
        "DELETED" => SearchKey::Deleted,
        "DRAFT" => SearchKey::Draft,
        "FLAGGED" => SearchKey::Flagged,
        "SEEN" => SearchKey::Seen,
        "UNANSWERED" => SearchKey::Unanswered,
        "UNDELETED" => SearchKey::Undeleted,
        "UNDRAFT" => SearchKey::Undraft,
        "UNFLAGGED" => SearchKey::Unflagged,
        "UNSEEN" => SearchKey::Unseen,
        "RECENT" => SearchKey::Recent,
        "NEW" => SearchKey::New,
        "OLD" => SearchKey::Old,
        "KEYWORD" | "UNKEYWORD" => {
            let (r, ()) = sp(r)?;
            let (r, a) = atom(r)?;
            let a = a.to_string();
            return Ok((r, if w == "KEYWORD" { SearchKey::Keyword(a) } else { SearchKey::Unkeyword(a) }));
        }
        "FROM" => return text(r, SearchKey::From),
        "TO" => return text(r, SearchKey::To),
        "CC" => return text(r, SearchKey::Cc),
        "BCC" => return text(r, SearchKey::Bcc),
        "SUBJECT" => return text(r, SearchKey::Subject),
        "BODY" => return text(r, SearchKey::Body),
        "TEXT" => return text(r, SearchKey::Text),
        "HEADER" => {
            let (r, ()) = sp(r)?;
            let (r, name) = astring(r)?;
            let (r, ()) = sp(r)?;
            let (r, value) = astring(r)?;
            return Ok((r, SearchKey::Header(name, value)));
        }
        "SINCE" => return on_date(r, SearchKey::Since),
        "BEFORE" => return on_date(r, SearchKey::Before),
        "ON" => return on_date(r, SearchKey::On),
        "SENTSINCE" => return on_date(r, SearchKey::SentSince),
        "SENTBEFORE" => return on_date(r, SearchKey::SentBefore),
        "SENTON" => return on_date(r, SearchKey::SentOn),
        "LARGER" | "SMALLER" => {
            let (r, ()) = sp(r)?;
            let (r, n) = number(r)?;
            return Ok((r, if w == "LARGER" { SearchKey::Larger(n) } else { SearchKey::Smaller(n) }));
        }
        "UID" => {
            let (r, ()) = sp(r)?;
            let (r, s) = sequence_set(r)?;
            return Ok((r, SearchKey::Uid(s)));
        }
        "NOT" => {
            let (r, ()) = sp(r)?;
            let (r, k) = search_key_depth(r, depth + 1)?;
            return Ok((r, SearchKey::Not(Box::new(k))));
        }
        "OR" => {
            let (r, ()) = sp(r)?;
            let (r, a) = search_key_depth(r, depth + 1)?;
            let (r, ()) = sp(r)?;
            let (r, b) = search_key_depth(r, depth + 1)?;
            return Ok((r, SearchKey::Or(Box::new(a), Box::new(b))));
        }
        _ => {
            return fail(
                i,
                "search-key",
                "expected a search key such as ALL, UNSEEN, FROM \"alice\", SINCE 1-Dec-2026, NOT ..., OR ... ...",
            )
        }
    };
    Ok((r, k))
}

/// `search = "SEARCH" [search-return-opts] SP search-program`;
/// `search-program = ["CHARSET" SP charset SP] search-key *(SP search-key)`
fn search_program(i: &[u8]) -> Res<'_, (Option<String>, Vec<SearchKey>)> {
    let (r, charset) = match lit(i, b"CHARSET ", "search", "") {
        Ok((r, ())) => {
            let (r, cs) = astring(r)?;
            let (r, ()) = sp(r)?;
            (r, Some(cs))
        }
        Err(_) => (i, None),
    };
    let (r, keys) = sp_items(r, search_key)?;
    Ok((r, (charset, keys)))
}

/// `store-att-flags = (["+" / "-"] "FLAGS" [".SILENT"]) SP (flag-list / (flag *(SP flag)))`
fn store_att_flags(i: &[u8]) -> Res<'_, (StoreMode, bool, Vec<Flag>)> {
    let (r, mode) = match i.first() {
        Some(b'+') => (&i[1..], StoreMode::Add),
        Some(b'-') => (&i[1..], StoreMode::Remove),
        _ => (i, StoreMode::Replace),
    };
    let (r, ()) = lit(r, b"FLAGS", "store-att-flags", "expected FLAGS, +FLAGS or -FLAGS (optionally .SILENT)")?;
    let (r, silent) = match lit(r, b".SILENT", "", "") {
        Ok((r, ())) => (r, true),
        Err(_) => (r, false),
    };
    let (r, ()) = sp(r)?;
    let (r, flags) = if r.first() == Some(&b'(') { flag_list(r)? } else { sp_items(r, flag)? };
    Ok((r, (mode, silent, flags)))
}

fn end(i: &[u8]) -> Res<'_, ()> {
    if i.is_empty() {
        Ok((i, ()))
    } else {
        fail(i, "command", "unexpected text after the end of the command")
    }
}

fn arg<'a, T>(i: &'a [u8], p: impl Fn(&'a [u8]) -> Res<'a, T>) -> Res<'a, T> {
    let (r, ()) = sp(i)?;
    p(r)
}

/// `command = tag SP (command-any / command-auth / command-nonauth / command-select) CRLF`
/// (the CRLF is cut off by the framer). Returns the command or a located [`SyntaxError`].
pub fn command(unit: &[u8]) -> Result<Command, SyntaxError> {
    let tag_of = |unit: &[u8]| -> Option<String> {
        match tag(unit) {
            Ok((r, t)) if r.first() == Some(&b' ') => Some(t.to_string()),
            _ => None,
        }
    };
    command_inner(unit).map(|(_, c)| c).map_err(|e| {
        let e = match e {
            nom::Err::Error(e) | nom::Err::Failure(e) => e,
            nom::Err::Incomplete(_) => RuleError { at: &[], rule: "command", why: "the command is incomplete" },
        };
        SyntaxError { column: unit.len() - e.at.len(), rule: e.rule, why: e.why, tag: tag_of(unit) }
    })
}

fn command_inner(i: &[u8]) -> Res<'_, Command> {
    let (r, t) = tag(i)?;
    let (r, ()) = sp(r)?;
    let (r, name) = span(r, |b| b.is_ascii_alphabetic());
    let name = String::from_utf8_lossy(name).to_ascii_uppercase();
    let (r, body) = command_body(&name, r, i)?;
    let (r, ()) = end(r)?;
    Ok((r, Command { tag: t.to_string(), body }))
}

fn command_body<'a>(name: &str, r: &'a [u8], start: &'a [u8]) -> Res<'a, CommandBody> {
    use CommandBody as C;
    Ok(match name {
        "CAPABILITY" => (r, C::Capability),
        "NOOP" => (r, C::Noop),
        "LOGOUT" => (r, C::Logout),
        "STARTTLS" => (r, C::StartTls),
        "IDLE" => (r, C::Idle),
        "CHECK" => (r, C::Check),
        "CLOSE" => (r, C::Close),
        "UNSELECT" => (r, C::Unselect),
        "EXPUNGE" => (r, C::Expunge),
        // `login = "LOGIN" SP userid SP password`; `userid = astring`; `password = astring`
        "LOGIN" => {
            let (r, user) = arg(r, astring)?;
            let (r, password) = arg(r, astring)?;
            (r, C::Login { user, password })
        }
        // `authenticate = "AUTHENTICATE" SP auth-type [SP initial-resp]`; `initial-resp = (base64 / "=")`
        "AUTHENTICATE" => {
            let (r, mech) = arg(r, atom)?;
            let (r, initial) = match r.strip_prefix(b" ") {
                Some(r2) => {
                    let (r3, s) = span(r2, |b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='));
                    if s.is_empty() {
                        return fail(r2, "initial-resp", "expected base64 or = after the mechanism");
                    }
                    (r3, Some(String::from_utf8_lossy(s).into_owned()))
                }
                None => (r, None),
            };
            (r, C::Authenticate { mechanism: mech.to_ascii_uppercase(), initial })
        }
        // `enable = "ENABLE" 1*(SP capability)`
        "ENABLE" => {
            let (r, caps) = arg(r, |x| sp_items(x, atom))?;
            (r, C::Enable(caps.into_iter().map(str::to_string).collect()))
        }
        "SELECT" => {
            let (r, m) = arg(r, mailbox)?;
            (r, C::Select(m))
        }
        "EXAMINE" => {
            let (r, m) = arg(r, mailbox)?;
            (r, C::Examine(m))
        }
        "CREATE" => {
            let (r, m) = arg(r, mailbox)?;
            (r, C::Create(m))
        }
        "DELETE" => {
            let (r, m) = arg(r, mailbox)?;
            (r, C::Delete(m))
        }
        "SUBSCRIBE" => {
            let (r, m) = arg(r, mailbox)?;
            (r, C::Subscribe(m))
        }
        "UNSUBSCRIBE" => {
            let (r, m) = arg(r, mailbox)?;
            (r, C::Unsubscribe(m))
        }
        // `rename = "RENAME" SP mailbox SP mailbox`
        "RENAME" => {
            let (r, from) = arg(r, mailbox)?;
            let (r, to) = arg(r, mailbox)?;
            (r, C::Rename { from, to })
        }
        // `list = "LIST" SP mailbox SP list-mailbox` (no LIST-EXTENDED selection options)
        "LIST" | "LSUB" => {
            let (r, reference) = arg(r, mailbox)?;
            let (r, pattern) = arg(r, list_mailbox)?;
            (r, if name == "LIST" { C::List { reference, pattern } } else { C::Lsub { reference, pattern } })
        }
        // `status = "STATUS" SP mailbox SP "(" status-att *(SP status-att) ")"`
        "STATUS" => {
            let (r, m) = arg(r, mailbox)?;
            let (r, items) = arg(r, |x| paren_list(x, "status", status_att))?;
            if items.is_empty() {
                return fail(r, "status", "STATUS needs at least one item, such as (MESSAGES UNSEEN)");
            }
            (r, C::Status { mailbox: m, items })
        }
        // `append = "APPEND" SP mailbox [SP flag-list] [SP date-time] SP literal`
        "APPEND" => {
            let (mut r, m) = arg(r, mailbox)?;
            let mut flags = Vec::new();
            if r.starts_with(b" (") {
                let (r2, f) = flag_list(&r[1..])?;
                flags = f;
                r = r2;
            }
            let mut date = None;
            if r.starts_with(b" \"") {
                let (r2, d) = date_time(&r[1..])?;
                date = Some(d);
                r = r2;
            }
            let (r, message) = arg(r, literal)?;
            (r, C::Append { mailbox: m, flags, date, message })
        }
        "SEARCH" => {
            let (r, (charset, criteria)) = arg(r, search_program)?;
            (r, C::Search { uid: false, charset, criteria })
        }
        "FETCH" => {
            let (r, set) = arg(r, sequence_set)?;
            let (r, items) = arg(r, fetch_items)?;
            (r, C::Fetch { uid: false, set, items })
        }
        // `store = "STORE" SP sequence-set SP store-att-flags`
        "STORE" => {
            let (r, set) = arg(r, sequence_set)?;
            let (r, (mode, silent, flags)) = arg(r, store_att_flags)?;
            (r, C::Store { uid: false, set, mode, silent, flags })
        }
        "COPY" | "MOVE" => {
            let (r, set) = arg(r, sequence_set)?;
            let (r, m) = arg(r, mailbox)?;
            (r, if name == "COPY" { C::Copy { uid: false, set, mailbox: m } } else { C::Move { uid: false, set, mailbox: m } })
        }
        // `uid = "UID" SP (copy / move / fetch / search / store / uid-expunge)`
        "UID" => {
            let (r, ()) = sp(r)?;
            let (r2, sub) = span(r, |b| b.is_ascii_alphabetic());
            let sub = String::from_utf8_lossy(sub).to_ascii_uppercase();
            if sub == "EXPUNGE" {
                let (r2, set) = arg(r2, sequence_set)?;
                return Ok((r2, C::UidExpunge(set)));
            }
            if !matches!(sub.as_str(), "COPY" | "MOVE" | "FETCH" | "SEARCH" | "STORE") {
                return fail(r, "uid", "UID must be followed by COPY, MOVE, FETCH, SEARCH, STORE or EXPUNGE");
            }
            let (r2, body) = command_body(&sub, r2, start)?;
            let body = match body {
                C::Search { charset, criteria, .. } => C::Search { uid: true, charset, criteria },
                C::Fetch { set, items, .. } => C::Fetch { uid: true, set, items },
                C::Store { set, mode, silent, flags, .. } => C::Store { uid: true, set, mode, silent, flags },
                C::Copy { set, mailbox, .. } => C::Copy { uid: true, set, mailbox },
                C::Move { set, mailbox, .. } => C::Move { uid: true, set, mailbox },
                other => other,
            };
            (r2, body)
        }
        "" => return fail(r, "command", "expected a command name after the tag"),
        _ => {
            return fail(
                &start[start.len() - r.len() - name.len()..],
                "command",
                "unknown command: see CAPABILITY for what this server offers",
            )
        }
    })
}

// ── Responses ────────────────────────────────────────────────────────────────────────────────

/// `response = *(continue-req / response-data) response-done` — one unit of it: a status
/// response, server data, or a continuation request.
pub fn response(unit: &[u8]) -> Result<Response, SyntaxError> {
    response_inner(unit).and_then(|(r, x)| end(r).map(|_| x)).map_err(|e| {
        let e = match e {
            nom::Err::Error(e) | nom::Err::Failure(e) => e,
            nom::Err::Incomplete(_) => RuleError { at: &[], rule: "response", why: "the response is incomplete" },
        };
        SyntaxError { column: unit.len() - e.at.len(), rule: e.rule, why: e.why, tag: None }
    })
}

/// `text = 1*TEXT-CHAR` (may be empty here: `resp-text = ["[" resp-text-code "]" SP] [text]`)
fn text(i: &[u8]) -> Res<'_, String> {
    if i.iter().any(|&b| b == b'\r' || b == b'\n' || b == 0) {
        return fail(i, "text", "CR, LF or NUL inside response text");
    }
    Ok((&i[i.len()..], String::from_utf8_lossy(i).into_owned()))
}

fn response_inner(i: &[u8]) -> Res<'_, Response> {
    // `continue-req = "+" SP (resp-text / base64) CRLF`
    if let Some(r) = i.strip_prefix(b"+") {
        let r = r.strip_prefix(b" ").unwrap_or(r);
        let (r, t) = text(r)?;
        return Ok((r, Response::Continue(t)));
    }
    if let Some(r) = i.strip_prefix(b"* ") {
        if r.first().is_some_and(u8::is_ascii_digit) {
            return message_data(r);
        }
        let (r2, word) = span(r, |b| b.is_ascii_alphabetic());
        let w = String::from_utf8_lossy(word).to_ascii_uppercase();
        if let Some(status) = status_word(&w) {
            let (r2, (code, t)) = resp_text(r2)?;
            return Ok((r2, Response::Status { tag: None, status, code, text: t }));
        }
        return mailbox_data(&w, r2, r);
    }
    // `response-tagged = tag SP resp-cond-state CRLF`
    let (r, t) = tag(i)?;
    let (r, ()) = sp(r)?;
    let (r, word) = span(r, |b| b.is_ascii_alphabetic());
    let status = match status_word(&String::from_utf8_lossy(word).to_ascii_uppercase()) {
        Some(s @ (Status::Ok | Status::No | Status::Bad)) => s,
        _ => return fail(r, "resp-cond-state", "a tagged response is OK, NO or BAD"),
    };
    let (r, (code, txt)) = resp_text(r)?;
    Ok((r, Response::Status { tag: Some(t.to_string()), status, code, text: txt }))
}

fn status_word(w: &str) -> Option<Status> {
    Some(match w {
        "OK" => Status::Ok,
        "NO" => Status::No,
        "BAD" => Status::Bad,
        "PREAUTH" => Status::PreAuth,
        "BYE" => Status::Bye,
        _ => return None,
    })
}

/// `resp-text = ["[" resp-text-code "]" SP] [text]` (after the SP that follows the condition)
fn resp_text(i: &[u8]) -> Res<'_, (Option<Code>, String)> {
    let r = i.strip_prefix(b" ").unwrap_or(i);
    if let Some(r2) = r.strip_prefix(b"[") {
        let (r2, code) = resp_text_code(r2)?;
        let (r2, ()) = lit(r2, b"]", "resp-text", "expected ] to close the response code")?;
        let r2 = r2.strip_prefix(b" ").unwrap_or(r2);
        let (r2, t) = text(r2)?;
        return Ok((r2, (Some(code), t)));
    }
    let (r, t) = text(r)?;
    Ok((r, (None, t)))
}

/// `resp-text-code = "ALERT" / "BADCHARSET" ... / capability-data / "PARSE" / "PERMANENTFLAGS" SP "(" ... ")" /
/// "READ-ONLY" / "READ-WRITE" / "TRYCREATE" / "UIDNEXT" SP nz-number / "UIDVALIDITY" SP nz-number / ... /
/// atom [SP 1*<any TEXT-CHAR except "]">]`
fn resp_text_code(i: &[u8]) -> Res<'_, Code> {
    let (r, word) = span(i, |b| is_atom_char(b) && b != b']');
    let w = String::from_utf8_lossy(word).to_ascii_uppercase();
    let num = |r| arg(r, nz_number);
    Ok(match w.as_str() {
        "ALERT" => (r, Code::Alert),
        "PARSE" => (r, Code::Parse),
        "READ-ONLY" => (r, Code::ReadOnly),
        "READ-WRITE" => (r, Code::ReadWrite),
        "TRYCREATE" => (r, Code::TryCreate),
        "AUTHENTICATIONFAILED" => (r, Code::AuthenticationFailed),
        "ALREADYEXISTS" => (r, Code::AlreadyExists),
        "NONEXISTENT" => (r, Code::Nonexistent),
        "CANNOT" => (r, Code::Cannot),
        "CLIENTBUG" => (r, Code::ClientBug),
        "PRIVACYREQUIRED" => (r, Code::PrivacyRequired),
        "CLOSED" => (r, Code::Closed),
        "UIDNEXT" => {
            let (r, n) = num(r)?;
            (r, Code::UidNext(n))
        }
        "UIDVALIDITY" => {
            let (r, n) = num(r)?;
            (r, Code::UidValidity(n))
        }
        "UNSEEN" => {
            let (r, n) = num(r)?;
            (r, Code::Unseen(n))
        }
        "APPENDUID" => {
            let (r, v) = num(r)?;
            let (r, u) = num(r)?;
            (r, Code::AppendUid(v, u))
        }
        "COPYUID" => {
            let (r, v) = num(r)?;
            let (r, a) = arg(r, |x| Ok(span(x, |b| b.is_ascii_digit() || b == b':' || b == b',')))?;
            let (r, b) = arg(r, |x| Ok(span(x, |b| b.is_ascii_digit() || b == b':' || b == b',')))?;
            (r, Code::CopyUid(v, String::from_utf8_lossy(a).into_owned(), String::from_utf8_lossy(b).into_owned()))
        }
        "CAPABILITY" => {
            let (r, caps) = arg(r, |x| sp_items(x, |y| Ok(span(y, |b| is_atom_char(b) && b != b']'))))?;
            (r, Code::Capability(caps.into_iter().map(|c| String::from_utf8_lossy(c).into_owned()).collect()))
        }
        "PERMANENTFLAGS" => {
            let (r, f) = arg(r, flag_list)?;
            (r, Code::PermanentFlags(f))
        }
        "" => return fail(i, "resp-text-code", "expected a response code after ["),
        _ => {
            let name = String::from_utf8_lossy(word).into_owned();
            match r.strip_prefix(b" ") {
                Some(r2) => {
                    let (r3, t) = span(r2, |b| b != b']' && b >= 0x20);
                    (r3, Code::Other(name, Some(String::from_utf8_lossy(t).into_owned())))
                }
                None => (r, Code::Other(name, None)),
            }
        }
    })
}

/// `mailbox-data = "FLAGS" SP flag-list / "LIST" SP mailbox-list / "ESEARCH" ... / "STATUS" SP mailbox SP
/// "(" [status-att-list] ")" / number SP "EXISTS" / "LSUB" ... / "SEARCH" *(SP nz-number)`;
/// `capability-data = "CAPABILITY" *(SP capability)`; `enable-data = "ENABLED" *(SP capability)`
fn mailbox_data<'a>(w: &str, r: &'a [u8], at: &'a [u8]) -> Res<'a, Response> {
    let d = match w {
        "CAPABILITY" | "ENABLED" => {
            let (r, caps) = match r.first() {
                Some(b' ') => sp_items(&r[1..], atom)?,
                _ => (r, Vec::new()),
            };
            let caps = caps.into_iter().map(str::to_string).collect();
            return Ok((r, Response::Data(if w == "ENABLED" { Data::Enabled(caps) } else { Data::Capability(caps) })));
        }
        "FLAGS" => {
            let (r, f) = arg(r, flag_list)?;
            return Ok((r, Response::Data(Data::Flags(f))));
        }
        "SEARCH" => {
            let (r, v) = match r.first() {
                Some(b' ') => sp_items(&r[1..], nz_number)?,
                _ => (r, Vec::new()),
            };
            return Ok((r, Response::Data(Data::Search(v))));
        }
        // `mailbox-list = "(" [mbx-list-flags] ")" SP (DQUOTE QUOTED-CHAR DQUOTE / nil) SP mailbox`
        "LIST" | "LSUB" => {
            let (r, attributes) = arg(r, |x| {
                paren_list(x, "mbx-list-flags", |y| {
                    let (y2, a) = match y.strip_prefix(b"\\") {
                        Some(z) => atom(z)?,
                        None => return fail(y, "mbx-list-flags", "a mailbox attribute starts with \\"),
                    };
                    Ok((y2, format!("\\{a}")))
                })
            })?;
            let (r, ()) = sp(r)?;
            let (r, delimiter) = match nil(r) {
                Ok((r, ())) => (r, None),
                Err(_) => {
                    let (r, q) = quoted(r)?;
                    match std::str::from_utf8(&q).ok().and_then(|s| s.chars().next()) {
                        Some(c) if q.len() == c.len_utf8() => (r, Some(c)),
                        _ => return fail(r, "mailbox-list", "the hierarchy delimiter is one character"),
                    }
                }
            };
            let (r, name) = arg(r, mailbox)?;
            Data::List { lsub: w == "LSUB", attributes, delimiter, name }.into_ok(r)
        }
        "STATUS" => {
            let (r, m) = arg(r, mailbox)?;
            let (r, items) = arg(r, |x| paren_list_pairs(x))?;
            Data::Status { mailbox: m, items }.into_ok(r)
        }
        _ => return fail(at, "response-data", "unknown untagged response"),
    };
    d
}

impl Data {
    fn into_ok(self, r: &[u8]) -> Res<'_, Response> {
        Ok((r, Response::Data(self)))
    }
}

/// `status-att-list = status-att-val *(SP status-att-val)`; `status-att-val = "MESSAGES" SP number / ...`
fn paren_list_pairs(i: &[u8]) -> Res<'_, Vec<(StatusItem, u64)>> {
    let Some(mut r) = i.strip_prefix(b"(") else { return fail(i, "status-att-list", "expected (") };
    let mut out = Vec::new();
    if let Some(r2) = r.strip_prefix(b")") {
        return Ok((r2, out));
    }
    loop {
        let (r2, a) = status_att(r)?;
        let (r2, n) = arg(r2, number64)?;
        out.push((a, n));
        match r2.first() {
            Some(b')') => return Ok((&r2[1..], out)),
            Some(b' ') => r = &r2[1..],
            _ => return fail(r2, "status-att-list", "expected a space or )"),
        }
    }
}

/// `message-data = nz-number SP ("EXPUNGE" / ("FETCH" SP msg-att))` and `number SP "EXISTS"`,
/// `number SP "RECENT"` (rev1)
fn message_data(i: &[u8]) -> Res<'_, Response> {
    let (r, n) = number(i)?;
    let (r, ()) = sp(r)?;
    let (r2, word) = span(r, |b| b.is_ascii_alphabetic());
    let d = match word.to_ascii_uppercase().as_slice() {
        b"EXISTS" => Data::Exists(n),
        b"RECENT" => Data::Recent(n),
        b"EXPUNGE" => Data::Expunge(n),
        b"FETCH" => {
            let (r3, items) = arg(r2, msg_att)?;
            return Ok((r3, Response::Data(Data::Fetch { seq: n, items })));
        }
        _ => return fail(r, "message-data", "expected EXISTS, RECENT, EXPUNGE or FETCH after the number"),
    };
    Ok((r2, Response::Data(d)))
}

/// `msg-att = "(" (msg-att-dynamic / msg-att-static) *(SP (msg-att-dynamic / msg-att-static)) ")"`
fn msg_att(i: &[u8]) -> Res<'_, Vec<FetchValue>> {
    paren_list(i, "msg-att", msg_att_item)
}

/// `msg-att-static = "ENVELOPE" SP envelope / "INTERNALDATE" SP date-time / "RFC822.SIZE" SP number64 /
/// "BODY" ["STRUCTURE"] SP body / "BODY" section ["<" number ">"] SP nstring / "UID" SP uniqueid`;
/// `msg-att-dynamic = "FLAGS" SP "(" [flag-fetch *(SP flag-fetch)] ")"`
fn msg_att_item(i: &[u8]) -> Res<'_, FetchValue> {
    let (r, word) = span(i, |b| b.is_ascii_alphanumeric() || b == b'.');
    let w = word.to_ascii_uppercase();
    Ok(match w.as_slice() {
        b"FLAGS" => {
            let (r, f) = arg(r, flag_list)?;
            (r, FetchValue::Flags(f))
        }
        b"UID" => {
            let (r, n) = arg(r, nz_number)?;
            (r, FetchValue::Uid(n))
        }
        b"RFC822.SIZE" => {
            let (r, n) = arg(r, number64)?;
            (r, FetchValue::Rfc822Size(n))
        }
        b"INTERNALDATE" => {
            let (r, d) = arg(r, date_time)?;
            (r, FetchValue::InternalDate(d))
        }
        b"ENVELOPE" => {
            let (r, e) = arg(r, envelope)?;
            (r, FetchValue::Envelope(Box::new(e)))
        }
        b"BODYSTRUCTURE" => {
            let (r, b) = arg(r, |x| body(x, 0))?;
            (r, FetchValue::BodyStructure(Box::new(b)))
        }
        b"BODY" if r.first() == Some(&b' ') => {
            let (r, b) = arg(r, |x| body(x, 0))?;
            (r, FetchValue::Body(Box::new(b)))
        }
        b"BODY" => {
            let (r, s) = section(r)?;
            let (r, origin) = match r.strip_prefix(b"<") {
                Some(r2) => {
                    let (r2, o) = number(r2)?;
                    let (r2, ()) = lit(r2, b">", "msg-att-static", "expected > after the origin")?;
                    (r2, Some(o))
                }
                None => (r, None),
            };
            let (r, data) = arg(r, nstring)?;
            (r, FetchValue::Section { section: s, origin, data })
        }
        b"RFC822" | b"RFC822.HEADER" | b"RFC822.TEXT" => {
            let (r, data) = arg(r, nstring)?;
            (
                r,
                match w.as_slice() {
                    b"RFC822" => FetchValue::Rfc822(data),
                    b"RFC822.HEADER" => FetchValue::Rfc822Header(data),
                    _ => FetchValue::Rfc822Text(data),
                },
            )
        }
        _ => return fail(i, "msg-att", "unknown FETCH response item"),
    })
}

/// `envelope = "(" env-date SP env-subject SP env-from SP env-sender SP env-reply-to SP env-to SP env-cc SP
/// env-bcc SP env-in-reply-to SP env-message-id ")"`
fn envelope(i: &[u8]) -> Res<'_, Envelope> {
    let (r, ()) = lit(i, b"(", "envelope", "expected ( to open the envelope")?;
    let (r, date) = nstring_text(r)?;
    let (r, subject) = arg(r, nstring_text)?;
    let (r, from) = arg(r, address_list)?;
    let (r, sender) = arg(r, address_list)?;
    let (r, reply_to) = arg(r, address_list)?;
    let (r, to) = arg(r, address_list)?;
    let (r, cc) = arg(r, address_list)?;
    let (r, bcc) = arg(r, address_list)?;
    let (r, in_reply_to) = arg(r, nstring_text)?;
    let (r, message_id) = arg(r, nstring_text)?;
    let (r, ()) = lit(r, b")", "envelope", "expected ) to close the envelope")?;
    Ok((r, Envelope { date, subject, from, sender, reply_to, to, cc, bcc, in_reply_to, message_id }))
}

/// `env-from = "(" 1*address ")" / nil` (and the other address lists)
fn address_list(i: &[u8]) -> Res<'_, Vec<Address>> {
    if let Ok((r, ())) = nil(i) {
        return Ok((r, Vec::new()));
    }
    let (mut r, ()) = lit(i, b"(", "env-from", "expected an address list or NIL")?;
    let mut out = Vec::new();
    while r.first() == Some(&b'(') {
        let (r2, a) = address(r)?;
        out.push(a);
        r = r2;
    }
    let (r, ()) = lit(r, b")", "env-from", "expected ) to close the address list")?;
    Ok((r, out))
}

/// `address = "(" addr-name SP addr-adl SP addr-mailbox SP addr-host ")"`
fn address(i: &[u8]) -> Res<'_, Address> {
    let (r, ()) = lit(i, b"(", "address", "expected (")?;
    let (r, name) = nstring_text(r)?;
    let (r, adl) = arg(r, nstring_text)?;
    let (r, mailbox) = arg(r, nstring_text)?;
    let (r, host) = arg(r, nstring_text)?;
    let (r, ()) = lit(r, b")", "address", "expected ) to close the address")?;
    Ok((r, Address { name, adl, mailbox, host }))
}

/// Nesting bound for body structures (a hostile server must not exhaust the client's stack).
const MAX_BODY_DEPTH: usize = 32;

fn string_text(i: &[u8]) -> Res<'_, String> {
    let (r, v) = string(i)?;
    Ok((r, String::from_utf8_lossy(&v).into_owned()))
}

/// `body-fld-param = "(" string SP string *(SP string SP string) ")" / nil`
fn body_fld_param(i: &[u8]) -> Res<'_, Vec<(String, String)>> {
    if let Ok((r, ())) = nil(i) {
        return Ok((r, Vec::new()));
    }
    paren_list(i, "body-fld-param", |x| {
        let (x, k) = string_text(x)?;
        let (x, v) = arg(x, string_text)?;
        Ok((x, (k, v)))
    })
}

/// `body-fld-dsp = "(" string SP body-fld-param ")" / nil`
fn body_fld_dsp(i: &[u8]) -> Res<'_, Option<Disposition>> {
    if let Ok((r, ())) = nil(i) {
        return Ok((r, None));
    }
    let (r, ()) = lit(i, b"(", "body-fld-dsp", "expected a disposition or NIL")?;
    let (r, kind) = string_text(r)?;
    let (r, params) = arg(r, body_fld_param)?;
    let (r, ()) = lit(r, b")", "body-fld-dsp", "expected )")?;
    Ok((r, Some(Disposition { kind, params })))
}

/// `body-fld-lang = nstring / "(" string *(SP string) ")"`
fn body_fld_lang(i: &[u8]) -> Res<'_, Vec<String>> {
    if i.first() == Some(&b'(') {
        return paren_list(i, "body-fld-lang", string_text);
    }
    let (r, s) = nstring_text(i)?;
    Ok((r, s.into_iter().collect()))
}

/// `body-extension = nstring / number / number64 / "(" body-extension *(SP body-extension) ")"` — skipped.
fn body_extension(i: &[u8], depth: usize) -> Res<'_, ()> {
    if depth > MAX_BODY_DEPTH {
        return fail(i, "body-extension", "nested too deeply");
    }
    if i.first() == Some(&b'(') {
        let (r, _) = paren_list(i, "body-extension", |x| body_extension(x, depth + 1))?;
        return Ok((r, ()));
    }
    if i.first().is_some_and(u8::is_ascii_digit) {
        let (r, _) = number64(i)?;
        return Ok((r, ()));
    }
    let (r, _) = nstring(i)?;
    Ok((r, ()))
}

/// The common tail of `body-ext-1part` / `body-ext-mpart`: `[SP body-fld-dsp [SP body-fld-lang
/// [SP body-fld-loc *(SP body-extension)]]]`
fn ext_tail<'a>(mut r: &'a [u8], e: &mut Extension) -> Res<'a, ()> {
    if let Some(r2) = r.strip_prefix(b" ") {
        let (r3, d) = body_fld_dsp(r2)?;
        e.disposition = d;
        r = r3;
        if let Some(r2) = r.strip_prefix(b" ") {
            let (r3, l) = body_fld_lang(r2)?;
            e.language = l;
            r = r3;
            if let Some(r2) = r.strip_prefix(b" ") {
                let (r3, loc) = nstring_text(r2)?;
                e.location = loc;
                r = r3;
                while let Some(r2) = r.strip_prefix(b" ") {
                    let (r3, ()) = body_extension(r2, 0)?;
                    r = r3;
                }
            }
        }
    }
    Ok((r, ()))
}

/// `body = "(" (body-type-1part / body-type-mpart) ")"`
pub fn body(i: &[u8], depth: usize) -> Res<'_, BodyStructure> {
    if depth > MAX_BODY_DEPTH {
        return fail(i, "body", "body structure nested too deeply");
    }
    let (r, ()) = lit(i, b"(", "body", "expected ( to open a body structure")?;
    // `body-type-mpart = 1*body SP media-subtype [SP body-ext-mpart]`
    if r.first() == Some(&b'(') {
        let mut parts = Vec::new();
        let mut r = r;
        while r.first() == Some(&b'(') {
            let (r2, b) = body(r, depth + 1)?;
            parts.push(b);
            r = r2;
        }
        let (r, subtype) = arg(r, string_text)?;
        let (r, ext) = match r.strip_prefix(b" ") {
            Some(r2) => {
                let (r3, params) = body_fld_param(r2)?;
                let mut e = Extension::default();
                let (r3, ()) = ext_tail(r3, &mut e)?;
                (r3, Some((params, e)))
            }
            None => (r, None),
        };
        let (r, ()) = lit(r, b")", "body-type-mpart", "expected ) to close the multipart")?;
        return Ok((r, BodyStructure::Multi { parts, subtype, ext }));
    }
    // `body-type-1part = (body-type-basic / body-type-msg / body-type-text) [SP body-ext-1part]`;
    // `body-fields = body-fld-param SP body-fld-id SP body-fld-desc SP body-fld-enc SP body-fld-octets`
    let (r, media_type) = string_text(r)?;
    let (r, subtype) = arg(r, string_text)?;
    let (r, params) = arg(r, body_fld_param)?;
    let (r, id) = arg(r, nstring_text)?;
    let (r, description) = arg(r, nstring_text)?;
    let (r, encoding) = arg(r, string_text)?;
    let (r, size) = arg(r, number)?;
    let is_msg =
        media_type.eq_ignore_ascii_case("MESSAGE") && (subtype.eq_ignore_ascii_case("RFC822") || subtype.eq_ignore_ascii_case("GLOBAL"));
    let is_text = media_type.eq_ignore_ascii_case("TEXT");
    // `body-type-msg = media-message SP body-fields SP envelope SP body SP body-fld-lines`
    let (r, message) = if is_msg {
        let (r, e) = arg(r, envelope)?;
        let (r, b) = arg(r, |x| body(x, depth + 1))?;
        (r, Some(Box::new((e, b))))
    } else {
        (r, None)
    };
    // `body-type-text = media-text SP body-fields SP body-fld-lines`
    let (r, lines) = if is_msg || is_text {
        let (r, n) = arg(r, number)?;
        (r, Some(n))
    } else {
        (r, None)
    };
    // `body-ext-1part = body-fld-md5 [SP body-fld-dsp [SP body-fld-lang [SP body-fld-loc *(SP body-extension)]]]`
    let (r, ext) = match r.strip_prefix(b" ") {
        Some(r2) => {
            let (r3, md5) = nstring_text(r2)?;
            let mut e = Extension { md5, ..Extension::default() };
            let (r3, ()) = ext_tail(r3, &mut e)?;
            (r3, Some(e))
        }
        None => (r, None),
    };
    let (r, ()) = lit(r, b")", "body-type-1part", "expected ) to close the body part")?;
    Ok((r, BodyStructure::Single(SinglePart { media_type, subtype, params, id, description, encoding, size, message, lines, ext })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_examples() {
        let c = command(b"A142 SELECT INBOX").unwrap();
        assert_eq!(c, Command { tag: "A142".into(), body: CommandBody::Select("INBOX".into()) });
        let c = command(b"a003 fetch 12 (flags body[header.fields (date from)] body.peek[1.2]<0.100>)").unwrap();
        let CommandBody::Fetch { uid: false, items: FetchItems::List(v), .. } = c.body else { panic!() };
        assert_eq!(v.len(), 3);
        assert!(matches!(&v[2], FetchItem::Section { peek: true, section, partial: Some((0, 100)) } if section.part == vec![1, 2]));
        let c = command(b"A003 APPEND saved-messages (\\Seen) {5}\r\nhello").unwrap();
        assert!(matches!(c.body, CommandBody::Append { ref message, .. } if message == b"hello"));
        let c = command(b"A282 SEARCH FLAGGED SINCE 1-Feb-1994 NOT FROM \"Smith\"").unwrap();
        assert!(matches!(c.body, CommandBody::Search { ref criteria, .. } if criteria.len() == 3));
        let c = command(b"a1 UID STORE 2:4 +FLAGS.SILENT (\\Deleted)").unwrap();
        assert!(matches!(c.body, CommandBody::Store { uid: true, mode: StoreMode::Add, silent: true, .. }));
    }

    #[test]
    fn errors_are_located() {
        let e = command(b"a1 FROB x").unwrap_err();
        assert_eq!((e.column, e.rule, e.tag.as_deref()), (3, "command", Some("a1")));
        let e = command(b"a1 LOGIN \"unterminated").unwrap_err();
        assert_eq!(e.rule, "quoted");
        let e = command(b"").unwrap_err();
        assert_eq!((e.rule, e.tag), ("tag", None));
        let e = command(b"a1 APPEND x {10}\r\nshort").unwrap_err();
        assert_eq!(e.rule, "literal");
    }

    #[test]
    fn deep_nesting_is_refused_not_a_stack_overflow() {
        let mut s = b"a SEARCH ".to_vec();
        s.extend(std::iter::repeat_n(b"NOT ".as_slice(), 10_000).flatten());
        s.extend_from_slice(b"ALL");
        assert!(command(&s).is_err());
        let mut r = b"* 1 FETCH (BODYSTRUCTURE ".to_vec();
        r.extend(std::iter::repeat_n(b'(', 10_000));
        assert!(response(&r).is_err());
    }
}
