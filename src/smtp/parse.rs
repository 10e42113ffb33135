//! Parsers for SMTP command and reply lines: one nom function per ABNF rule of RFC 5321
//! §4.1.2/§4.1.3 (extended by RFC 6531 §3.3 for UTF-8), with the rule quoted above it.
//!
//! The entry points take one line *without* its CRLF (line framing belongs to the session):
//! [`command`], [`reply_line`], [`reply`], [`ehlo_keywords`]. Every failure is a
//! [`SyntaxError`] saying what was expected, at which column, and why.
//!
//! # What is relaxed, what is tightened (and why)
//!
//! Liberal, because widespread clients do it and nothing is lost:
//! - Verbs, `FROM:`/`TO:`, parameter keywords, `LAST`, `<Postmaster>` and the enumerated
//!   parameter values are case-insensitive (RFC 5321 §2.4; ABNF strings are case-insensitive,
//!   RFC 5234 §2.3).
//! - Spaces after `MAIL FROM:` / `RCPT TO:` (`MAIL FROM: <a@b.example>`): Outlook and many
//!   scripts send it; Postfix, Exim and Stalwart accept it.
//! - Runs of SP where the grammar has one SP, and trailing SP/HTAB at the end of the line
//!   (ignored). The AST is the same either way; the encoder writes single spaces.
//! - VRFY, EXPN, HELP and NOOP take the rest of the line as text (printable, UTF-8), not only
//!   RFC 5321's `String = Atom / Quoted-string`: `VRFY <user@host>` and `VRFY John Smith`
//!   are common, and the server treats the text as a search key.
//! - `AUTH plain` is accepted and stored upper case (SASL names are upper case, RFC 4422 §3.1).
//! - Reply lines with no text (`250`, `250 `, `250-`) are accepted (RFC 5321 §4.2 allows
//!   the code alone on the last line; the others are harmless).
//! - Snum with leading zeros (`[010.0.0.1]`) as the ABNF allows; it is read as decimal.
//! - UTF-8 is accepted in addresses and parameter values on every line: the parser has no
//!   session state, so *whether* the SMTPUTF8 extension is in force (RFC 6531 §3.4, else
//!   553 5.6.7) is the session's decision.
//!
//! Strict, because it matters:
//! - The angle brackets of a path are required (§4.1.2 `Path`); bare `MAIL FROM:a@b` is
//!   refused, as RFC 5321 demands and Postfix's `strict_rfc821_envelopes` enforces.
//! - Only SP separates; TAB, NUL, bare CR/LF and other controls anywhere are refused
//!   (they are what smuggling and injection attacks are made of).
//! - Domain labels: letters, digits, hyphen (or UTF-8 for U-labels), no leading/trailing
//!   hyphen, no empty label, no trailing dot; an ASCII label over 63 octets and a domain over
//!   255 octets are syntax errors — such a name cannot exist in the DNS (RFC 1035 §2.3.4,
//!   RFC 5321 §4.5.3.1.2). U-labels are not checked against IDNA2008 and their 63-octet limit
//!   (which applies to the A-label) is not computed.
//! - IPv6 literals follow RFC 5321 §4.1.3 exactly: `::` stands for *at least two* zero
//!   groups (so `1:2:3:4:5:6::7` is refused), at most one `::`, 1–4 hex digits per group.
//! - A known parameter given twice, or with a value it cannot take, is refused (501); unknown
//!   parameters go to `other` (the server answers 555, §4.1.1.11).
//!
//! Left to the server (not syntax errors): a local part over 64 octets and a path over 256
//! octets (§4.5.3.1.1, §4.5.3.1.3 — limits a server must *at least* accept; "implementation
//! techniques that impose no limits … should be used"). [`path_limits`] reports them, so the
//! server can answer `501 5.1.3 Path too long` (§4.5.3.1.10) if it wants to.

use nom::error::{ErrorKind, ParseError};
use nom::IResult;

use super::address::{AddressLiteral, Domain, ForwardPath, Host, LocalPart, Mailbox, Path, ReversePath};
use super::command::{Body, Command, MailParams, Notify, OtherParam, RcptParams, Ret, Verb};
use super::error::{SyntaxError, SyntaxErrorKind};
pub use super::reply::ReplyLine;
use super::reply::{Code, EnhancedCode, Reply};
use super::xtext;

/// Where a rule failed: the rest of the input at that point, the rule, and the reason.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleError<'a> {
    pub at: &'a str,
    pub rule: &'static str,
    pub why: &'static str,
}

impl<'a> ParseError<&'a str> for RuleError<'a> {
    fn from_error_kind(at: &'a str, _kind: ErrorKind) -> Self {
        RuleError { at, rule: "", why: "" }
    }
    fn append(_: &'a str, _: ErrorKind, other: Self) -> Self {
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

/// The result of a rule parser: the rest of the input and the value.
pub type Res<'a, T> = IResult<&'a str, T, RuleError<'a>>;

fn fail<'a, T>(at: &'a str, rule: &'static str, why: &'static str) -> Res<'a, T> {
    Err(nom::Err::Error(RuleError { at, rule, why }))
}

/// Splits `i` after the longest prefix of bytes satisfying `ok`: `(matched, rest)`.
/// Every predicate used here answers alike for all bytes ≥ 0x80, so the split falls on a
/// character boundary; should it not, nothing is matched.
fn span(i: &str, ok: impl Fn(u8) -> bool) -> (&str, &str) {
    let n = i.bytes().position(|b| !ok(b)).unwrap_or(i.len());
    i.split_at_checked(n).unwrap_or(("", i))
}

/// Character classes of the grammar, one bit each, looked up per byte in [`CLASS`].
/// Each class answers alike for all bytes ≥ 0x80 (see [`span`]).
mod class {
    /// `Let-dig = ALPHA / DIGIT`
    pub const LET_DIG: u8 = 1;
    /// `ALPHA / DIGIT / "-"` (Ldh-str, esmtp-keyword)
    pub const LDH: u8 = 1 << 1;
    /// Ldh plus UTF-8 (a sub-domain or U-label, RFC 6531 §3.3)
    pub const LABEL: u8 = 1 << 2;
    /// `atext`, RFC 6531 §3.3 included
    pub const ATEXT: u8 = 1 << 3;
    /// `qtextSMTP`, RFC 6531 §3.3 included
    pub const QTEXT: u8 = 1 << 4;
    /// `dcontent = %d33-90 / %d94-126`
    pub const DCONTENT: u8 = 1 << 5;
    /// `esmtp-value` characters, RFC 6531 §3.3 included
    pub const VALUE: u8 = 1 << 6;
    /// What may not appear in a command line: C0 controls and DEL.
    pub const CONTROL: u8 = 1 << 7;
}

/// The class bits of every byte value.
static CLASS: [u8; 256] = {
    use class::*;
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        let mut c = 0;
        if b.is_ascii_alphanumeric() {
            c |= LET_DIG | LDH | LABEL | ATEXT;
        }
        if b == b'-' {
            c |= LDH | LABEL;
        }
        if b >= 0x80 {
            c |= LABEL | ATEXT | QTEXT | VALUE;
        }
        if matches!(
            b,
            b'!' | b'#'
                | b'$'
                | b'%'
                | b'&'
                | b'\''
                | b'*'
                | b'+'
                | b'-'
                | b'/'
                | b'='
                | b'?'
                | b'^'
                | b'_'
                | b'`'
                | b'{'
                | b'|'
                | b'}'
                | b'~'
        ) {
            c |= ATEXT;
        }
        if matches!(b, 32..=33 | 35..=91 | 93..=126) {
            c |= QTEXT;
        }
        if matches!(b, 33..=90 | 94..=126) {
            c |= DCONTENT;
        }
        if matches!(b, 33..=60 | 62..=126) {
            c |= VALUE;
        }
        if b < 0x20 || b == 0x7f {
            c |= CONTROL;
        }
        t[i] = c;
        i += 1;
    }
    t
};

/// Whether byte `b` is in the class(es) `mask`. (A `u8` index into 256 entries cannot fail.)
#[inline]
fn is(b: u8, mask: u8) -> bool {
    CLASS[usize::from(b)] & mask != 0
}

/// The part of `start` consumed when `rest` is left (`rest` is a suffix of `start`).
fn consumed<'a>(start: &'a str, rest: &str) -> &'a str {
    start.get(..start.len().saturating_sub(rest.len())).unwrap_or("")
}

// ---------------------------------------------------------------------------------------
// Domains (RFC 5321 §4.1.2, RFC 6531 §3.3)
// ---------------------------------------------------------------------------------------

/// `Let-dig = ALPHA / DIGIT` (RFC 5321 §4.1.2)
pub fn let_dig(i: &str) -> Res<'_, u8> {
    match i.as_bytes().first() {
        Some(&b) if b.is_ascii_alphanumeric() => Ok((i.get(1..).unwrap_or(""), b)),
        _ => fail(i, "Let-dig", "expected a letter or a digit (RFC 5321 §4.1.2 Let-dig)"),
    }
}

/// `Ldh-str = *( ALPHA / DIGIT / "-" ) Let-dig` (RFC 5321 §4.1.2)
///
/// Returns the longest such string; a run ending in `-` is refused with a pointed message.
pub fn ldh_str(i: &str) -> Res<'_, &str> {
    let (run, rest) = span(i, |b| is(b, class::LDH));
    match run.as_bytes().last() {
        Some(b) if b.is_ascii_alphanumeric() => Ok((rest, run)),
        Some(_) => fail(rest, "Ldh-str", "a name cannot end with a hyphen (RFC 5321 §4.1.2 Ldh-str ends in Let-dig)"),
        None => fail(i, "Ldh-str", "expected letters, digits or hyphens (RFC 5321 §4.1.2)"),
    }
}

/// `sub-domain = Let-dig [Ldh-str]` (RFC 5321 §4.1.2), `sub-domain =/ U-label`
/// (RFC 6531 §3.3). An ASCII label is at most 63 octets (RFC 1035 §2.3.4).
pub fn sub_domain(i: &str) -> Res<'_, &str> {
    let (label, rest) = span(i, |b| is(b, class::LABEL));
    match label.as_bytes() {
        [] => fail(i, "sub-domain", "a domain label starts with a letter or a digit (RFC 5321 §4.1.2 sub-domain = Let-dig [Ldh-str])"),
        [b'-', ..] => fail(i, "sub-domain", "a domain label cannot start with a hyphen (RFC 5321 §4.1.2 Let-dig)"),
        [.., b'-'] => fail(
            rest_at(i, label.len() - 1),
            "sub-domain",
            "a domain label cannot end with a hyphen (RFC 5321 §4.1.2 Ldh-str ends in Let-dig)",
        ),
        // An A-label/LDH label is at most 63 octets (RFC 1035 §2.3.4); for a U-label the
        // limit applies to its A-label form, which we do not compute.
        b if b.len() > 63 && label.is_ascii() => {
            fail(i, "sub-domain", "a domain label is at most 63 octets (RFC 1035 §2.3.4, RFC 5321 §4.5.3.1.2)")
        }
        _ => Ok((rest, label)),
    }
}

/// The suffix of `i` starting at byte `n` (or the empty tail if `n` is not a boundary).
fn rest_at(i: &str, n: usize) -> &str {
    i.get(n..).unwrap_or("")
}

/// `Domain = sub-domain *("." sub-domain)` (RFC 5321 §4.1.2); at most 255 octets
/// (§4.5.3.1.2).
pub fn domain(i: &str) -> Res<'_, Domain> {
    let (mut rest, _) = sub_domain(i)?;
    while let Some(after_dot) = rest.strip_prefix('.') {
        let starts_label = after_dot.bytes().next().is_some_and(|b| is(b, class::LABEL));
        if !starts_label {
            return fail(
                after_dot,
                "Domain",
                "a dot must be followed by another label: no empty label, no trailing dot \
                 (RFC 5321 §4.1.2 Domain = sub-domain *(\".\" sub-domain))",
            );
        }
        rest = sub_domain(after_dot)?.0;
    }
    let text = consumed(i, rest);
    if text.len() > 255 {
        return fail(i, "Domain", "a domain name is at most 255 octets (RFC 5321 §4.5.3.1.2)");
    }
    Ok((rest, Domain(text.to_owned())))
}

// ---------------------------------------------------------------------------------------
// Address literals (RFC 5321 §4.1.3)
// ---------------------------------------------------------------------------------------

/// `address-literal = "[" ( IPv4-address-literal / IPv6-address-literal /
/// General-address-literal ) "]"` (RFC 5321 §4.1.2, §4.1.3)
pub fn address_literal(i: &str) -> Res<'_, AddressLiteral> {
    let Some(inner) = i.strip_prefix('[') else {
        return fail(i, "address-literal", "an address literal is written in square brackets, e.g. [192.0.2.1] (RFC 5321 §4.1.3)");
    };
    let (rest, lit) = if inner.get(..5).is_some_and(|t| t.eq_ignore_ascii_case("IPv6:")) {
        let (rest, groups) = ipv6_address_literal(inner)?;
        (rest, AddressLiteral::V6(groups))
    } else if looks_like_ipv4(inner) {
        let (rest, octets) = ipv4_address_literal(inner)?;
        (rest, AddressLiteral::V4(octets))
    } else {
        general_address_literal(inner)?
    };
    match rest.strip_prefix(']') {
        Some(rest) => Ok((rest, lit)),
        None => fail(rest, "address-literal", "the address literal must end with \"]\" here (RFC 5321 §4.1.3)"),
    }
}

/// A digit run followed by `.`: the start of a dotted quad.
fn looks_like_ipv4(i: &str) -> bool {
    let (digits, rest) = span(i, |b| b.is_ascii_digit());
    !digits.is_empty() && rest.starts_with('.')
}

/// `IPv4-address-literal = Snum 3("."  Snum)` (RFC 5321 §4.1.3)
pub fn ipv4_address_literal(i: &str) -> Res<'_, [u8; 4]> {
    let mut octets = [0u8; 4];
    let mut rest = i;
    for (n, slot) in octets.iter_mut().enumerate() {
        if n > 0 {
            rest = match rest.strip_prefix('.') {
                Some(r) => r,
                None => return fail(rest, "IPv4-address-literal", "an IPv4 address has four numbers separated by dots (RFC 5321 §4.1.3)"),
            };
        }
        let (r, v) = snum(rest)?;
        *slot = v;
        rest = r;
    }
    Ok((rest, octets))
}

/// `Snum = 1*3DIGIT` ; representing a decimal integer value in the range 0 through 255
/// (RFC 5321 §4.1.3)
pub fn snum(i: &str) -> Res<'_, u8> {
    let (digits, rest) = span(i, |b| b.is_ascii_digit());
    if digits.is_empty() || digits.len() > 3 {
        return fail(i, "Snum", "each part of an IPv4 address is 1 to 3 digits (RFC 5321 §4.1.3 Snum)");
    }
    match digits.parse::<u8>() {
        Ok(v) => Ok((rest, v)),
        Err(_) => fail(i, "Snum", "each part of an IPv4 address is 0 to 255 (RFC 5321 §4.1.3 Snum)"),
    }
}

/// `IPv6-address-literal = "IPv6:" IPv6-addr` (RFC 5321 §4.1.3)
pub fn ipv6_address_literal(i: &str) -> Res<'_, [u16; 8]> {
    match i.get(..5) {
        Some(t) if t.eq_ignore_ascii_case("IPv6:") => ipv6_addr(i.get(5..).unwrap_or("")),
        _ => fail(i, "IPv6-address-literal", "an IPv6 literal starts with \"IPv6:\" (RFC 5321 §4.1.3)"),
    }
}

/// ```text
/// IPv6-addr      = IPv6-full / IPv6-comp / IPv6v4-full / IPv6v4-comp
/// IPv6-hex       = 1*4HEXDIG
/// IPv6-full      = IPv6-hex 7(":" IPv6-hex)
/// IPv6-comp      = [IPv6-hex *5(":" IPv6-hex)] "::" [IPv6-hex *5(":" IPv6-hex)]
///                  ; The "::" represents at least 2 16-bit groups of zeros.
///                  ; No more than 6 groups in addition to the "::" may be present.
/// IPv6v4-full    = IPv6-hex 5(":" IPv6-hex) ":" IPv4-address-literal
/// IPv6v4-comp    = [IPv6-hex *3(":" IPv6-hex)] "::"
///                  [IPv6-hex *3(":" IPv6-hex) ":"] IPv4-address-literal
///                  ; No more than 4 groups in addition to the "::" and
///                  ; IPv4-address-literal may be present.
/// ```
/// (RFC 5321 §4.1.3). All four forms come down to: at most one `::`; without it exactly 8
/// groups, with it at most 6 (an embedded IPv4 address counts as 2, and comes last).
pub fn ipv6_addr(i: &str) -> Res<'_, [u16; 8]> {
    let mut head = [0u16; 8];
    let mut tail = [0u16; 8];
    let (mut nh, mut nt) = (0usize, 0usize);
    let mut compressed = false;
    let mut rest = i;
    if let Some(r) = rest.strip_prefix("::") {
        compressed = true;
        rest = r;
    }
    let mut need_group = !compressed;
    loop {
        if compressed && !need_group && rest.starts_with(':') {
            return fail(rest, "IPv6-comp", "\"::\" is two colons, never three (RFC 5321 §4.1.3)");
        }
        const TOO_MANY: &str = "an IPv6 address has at most 8 groups (RFC 5321 §4.1.3)";
        let (arr, n) = if compressed { (&mut tail, &mut nt) } else { (&mut head, &mut nh) };
        if looks_like_ipv4(rest) {
            let (r, [a, b, c, d]) = ipv4_address_literal(rest)?;
            if !push_group(arr, n, u16::from_be_bytes([a, b])) || !push_group(arr, n, u16::from_be_bytes([c, d])) {
                return fail(rest, "IPv6-addr", TOO_MANY);
            }
            rest = r;
            break;
        }
        let (hex, r) = span(rest, |b| b.is_ascii_hexdigit());
        if hex.is_empty() {
            if need_group {
                return fail(rest, "IPv6-hex", "expected a group of 1 to 4 hex digits (RFC 5321 §4.1.3 IPv6-hex)");
            }
            break;
        }
        if hex.len() > 4 {
            return fail(rest, "IPv6-hex", "an IPv6 group has at most 4 hex digits (RFC 5321 §4.1.3 IPv6-hex)");
        }
        let g = u16::from_str_radix(hex, 16).unwrap_or(0);
        if !push_group(arr, n, g) {
            return fail(rest, "IPv6-addr", TOO_MANY);
        }
        rest = r;
        if let Some(r) = rest.strip_prefix("::") {
            if compressed {
                return fail(rest, "IPv6-comp", "\"::\" may appear only once in an IPv6 address (RFC 5321 §4.1.3)");
            }
            compressed = true;
            need_group = false;
            rest = r;
        } else if let Some(r) = rest.strip_prefix(':') {
            need_group = true;
            rest = r;
        } else {
            break;
        }
    }
    let total = nh + nt;
    if compressed && total > 6 {
        return fail(
            i,
            "IPv6-comp",
            "\"::\" stands for at least two zero groups, so at most 6 others may be written (RFC 5321 §4.1.3 IPv6-comp)",
        );
    }
    if !compressed && total != 8 {
        return fail(
            i,
            "IPv6-full",
            "without \"::\" an IPv6 address has exactly 8 groups (or 6 and an IPv4 address) (RFC 5321 §4.1.3 IPv6-full)",
        );
    }
    let mut groups = [0u16; 8];
    for (slot, g) in groups.iter_mut().zip(head.iter().take(nh)) {
        *slot = *g;
    }
    for (slot, g) in groups.iter_mut().skip(8 - nt).zip(tail.iter().take(nt)) {
        *slot = *g;
    }
    Ok((rest, groups))
}

fn push_group(arr: &mut [u16; 8], n: &mut usize, g: u16) -> bool {
    match arr.get_mut(*n) {
        Some(slot) => {
            *slot = g;
            *n += 1;
            true
        }
        None => false,
    }
}

/// `General-address-literal = Standardized-tag ":" 1*dcontent`,
/// `Standardized-tag = Ldh-str`, `dcontent = %d33-90 / %d94-126` (RFC 5321 §4.1.3)
pub fn general_address_literal(i: &str) -> Res<'_, AddressLiteral> {
    let (rest, tag) = ldh_str(i).map_err(|_| {
        nom::Err::Error(RuleError {
            at: i,
            rule: "address-literal",
            why: "expected an IPv4 address, \"IPv6:\" and an IPv6 address, or tag:content \
                  (RFC 5321 §4.1.3)",
        })
    })?;
    let Some(after) = rest.strip_prefix(':') else {
        return fail(
            rest,
            "General-address-literal",
            "expected \":\" after the tag (RFC 5321 §4.1.3 General-address-literal = Standardized-tag \":\" 1*dcontent)",
        );
    };
    let (content, rest) = span(after, |b| is(b, class::DCONTENT));
    if content.is_empty() {
        return fail(after, "dcontent", "expected printable ASCII other than [ \\ ] (RFC 5321 §4.1.3 dcontent)");
    }
    Ok((rest, AddressLiteral::General { tag: tag.to_owned(), content: content.to_owned() }))
}

/// `( Domain / address-literal )`: the host of a Mailbox and the argument of EHLO
/// (RFC 5321 §4.1.1.1, §4.1.2)
pub fn host(i: &str) -> Res<'_, Host> {
    if i.starts_with('[') {
        let (rest, lit) = address_literal(i)?;
        Ok((rest, Host::Literal(lit)))
    } else {
        let (rest, d) = domain(i)?;
        Ok((rest, Host::Domain(d)))
    }
}

// ---------------------------------------------------------------------------------------
// Local parts, mailboxes and paths (RFC 5321 §4.1.2)
// ---------------------------------------------------------------------------------------

/// `atext` (RFC 5322 §3.2.3, used by RFC 5321 §4.1.2), `atext =/ UTF8-non-ascii`
/// (RFC 6531 §3.3):
/// `ALPHA / DIGIT / "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "/" / "=" / "?" /
/// "^" / "_" / "`" / "{" / "|" / "}" / "~"`
pub fn is_atext(b: u8) -> bool {
    is(b, class::ATEXT)
}

/// `Atom = 1*atext` (RFC 5321 §4.1.2)
pub fn atom(i: &str) -> Res<'_, &str> {
    let (a, rest) = span(i, is_atext);
    if a.is_empty() {
        return fail(i, "Atom", "expected letters, digits or one of !#$%&'*+-/=?^_`{|}~ (RFC 5321 §4.1.2 Atom)");
    }
    Ok((rest, a))
}

/// `Dot-string = Atom *("."  Atom)` (RFC 5321 §4.1.2)
pub fn dot_string(i: &str) -> Res<'_, &str> {
    let (mut rest, _) = atom(i)?;
    while let Some(after_dot) = rest.strip_prefix('.') {
        rest = atom(after_dot)
            .map_err(|_| {
                nom::Err::Error(RuleError {
                    at: after_dot,
                    rule: "Dot-string",
                    why: "a dot must sit between two atoms: no leading, trailing or double dots \
                          unless the local part is quoted (RFC 5321 §4.1.2 Dot-string)",
                })
            })?
            .0;
    }
    Ok((rest, consumed(i, rest)))
}

/// `qtextSMTP = %d32-33 / %d35-91 / %d93-126` (RFC 5321 §4.1.2), `=/ UTF8-non-ascii`
/// (RFC 6531 §3.3): any ASCII graphic or space except `"` and `\`.
pub fn is_qtext_smtp(b: u8) -> bool {
    is(b, class::QTEXT)
}

/// ```text
/// Quoted-string   = DQUOTE *QcontentSMTP DQUOTE
/// QcontentSMTP    = qtextSMTP / quoted-pairSMTP
/// quoted-pairSMTP = %d92 %d32-126
/// ```
/// (RFC 5321 §4.1.2). Returns the content with the quoting removed.
pub fn quoted_string(i: &str) -> Res<'_, String> {
    let Some(mut rest) = i.strip_prefix('"') else {
        return fail(i, "Quoted-string", "expected a double quote (RFC 5321 §4.1.2 Quoted-string)");
    };
    let mut out = String::new();
    loop {
        let (text, r) = span(rest, is_qtext_smtp);
        out.push_str(text);
        rest = r;
        match rest.as_bytes() {
            [b'"', ..] => return Ok((rest.get(1..).unwrap_or(""), out)),
            [b'\\', c @ 32..=126, ..] => {
                out.push(char::from(*c));
                rest = rest.get(2..).unwrap_or("");
            }
            [b'\\', ..] => {
                return fail(
                    rest,
                    "quoted-pairSMTP",
                    "a backslash quotes one printable ASCII character or a space (RFC 5321 §4.1.2 quoted-pairSMTP)",
                )
            }
            _ => return fail(rest, "Quoted-string", "the quoted string is not closed with a double quote (RFC 5321 §4.1.2 Quoted-string)"),
        }
    }
}

/// `Local-part = Dot-string / Quoted-string` (RFC 5321 §4.1.2)
pub fn local_part(i: &str) -> Res<'_, LocalPart> {
    if i.starts_with('"') {
        let (rest, q) = quoted_string(i)?;
        Ok((rest, LocalPart::Quoted(q)))
    } else {
        let (rest, d) = dot_string(i)?;
        Ok((rest, LocalPart::Dot(d.to_owned())))
    }
}

/// `Mailbox = Local-part "@" ( Domain / address-literal )` (RFC 5321 §4.1.2)
pub fn mailbox(i: &str) -> Res<'_, Mailbox> {
    let (rest, local) = local_part(i)?;
    let Some(rest) = rest.strip_prefix('@') else {
        return fail(rest, "Mailbox", "a mailbox is local-part@domain; expected \"@\" here (RFC 5321 §4.1.2 Mailbox)");
    };
    let (rest, host) = host(rest)?;
    Ok((rest, Mailbox { local, host }))
}

/// `At-domain = "@" Domain` (RFC 5321 §4.1.2)
pub fn at_domain(i: &str) -> Res<'_, Domain> {
    match i.strip_prefix('@') {
        Some(r) => domain(r),
        None => fail(i, "At-domain", "each hop of a source route is @domain (RFC 5321 §4.1.2 At-domain)"),
    }
}

/// `A-d-l = At-domain *( "," At-domain )` (RFC 5321 §4.1.2). Obsolete source route: accepted
/// and kept, to be ignored by the server (§4.1.2, Appendix C).
pub fn a_d_l(i: &str) -> Res<'_, Vec<Domain>> {
    let (mut rest, first) = at_domain(i)?;
    let mut hops = vec![first];
    while let Some(r) = rest.strip_prefix(',') {
        let (r, d) = at_domain(r)?;
        hops.push(d);
        rest = r;
    }
    Ok((rest, hops))
}

/// `Path = "<" [ A-d-l ":" ] Mailbox ">"` (RFC 5321 §4.1.2)
pub fn path(i: &str) -> Res<'_, Path> {
    let Some(mut rest) = i.strip_prefix('<') else {
        return fail(
            i,
            "Path",
            "the angle brackets are required: <local-part@domain> (RFC 5321 §4.1.2 Path = \"<\" [ A-d-l \":\" ] Mailbox \">\")",
        );
    };
    let mut source_route = Vec::new();
    if rest.starts_with('@') {
        let (r, hops) = a_d_l(rest)?;
        rest = match r.strip_prefix(':') {
            Some(r) => r,
            None => return fail(r, "Path", "a source route ends with \":\" before the mailbox (RFC 5321 §4.1.2 Path)"),
        };
        source_route = hops;
    }
    let (rest, mailbox) = mailbox(rest)?;
    match rest.strip_prefix('>') {
        Some(rest) => Ok((rest, Path { source_route, mailbox })),
        None => fail(rest, "Path", "expected \">\" to close the path (RFC 5321 §4.1.2 Path)"),
    }
}

/// `Reverse-path = Path / "<>"` (RFC 5321 §4.1.2)
pub fn reverse_path(i: &str) -> Res<'_, ReversePath> {
    if let Some(rest) = i.strip_prefix("<>") {
        return Ok((rest, ReversePath::Null));
    }
    let (rest, p) = path(i)?;
    Ok((rest, ReversePath::Path(p)))
}

/// `Forward-path = Path` (RFC 5321 §4.1.2), and from the `rcpt` rule of §4.1.1.3 the special
/// `"<Postmaster>"` (case-insensitive; `"<Postmaster@" Domain ">"` is an ordinary Path).
pub fn forward_path(i: &str) -> Res<'_, ForwardPath> {
    if let (Some(name), Some(rest)) = (i.get(1..11), i.get(11..)) {
        if i.starts_with('<') && name.eq_ignore_ascii_case("Postmaster") {
            if let Some(rest) = rest.strip_prefix('>') {
                return Ok((rest, ForwardPath::Postmaster(name.to_owned())));
            }
        }
    }
    let (rest, p) = path(i)?;
    Ok((rest, ForwardPath::Path(p)))
}

/// The size limits of RFC 5321 §4.5.3.1.1 (local part ≤ 64 octets) and §4.5.3.1.3 (path ≤
/// 256 octets including the punctuation), which the parser deliberately does not enforce.
/// `Err` names the limit exceeded, for a server that wants to answer `501 Path too long`.
pub fn path_limits(path: &Path) -> Result<(), &'static str> {
    let local_len = match &path.mailbox.local {
        LocalPart::Dot(s) => s.len(),
        LocalPart::Quoted(_) => super::encode::local_part(&path.mailbox.local).len(),
    };
    if local_len > 64 {
        return Err("the local part is longer than 64 octets (RFC 5321 §4.5.3.1.1)");
    }
    if super::encode::path(path).len() > 256 {
        return Err("the path is longer than 256 octets (RFC 5321 §4.5.3.1.3)");
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// ESMTP parameters (RFC 5321 §4.1.2)
// ---------------------------------------------------------------------------------------

/// `esmtp-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-")` (RFC 5321 §4.1.2)
pub fn esmtp_keyword(i: &str) -> Res<'_, &str> {
    let (_, _) = let_dig(i)
        .or_else(|_| fail(i, "esmtp-keyword", "a parameter name starts with a letter or a digit (RFC 5321 §4.1.2 esmtp-keyword)"))?;
    let (kw, rest) = span(i, |b| is(b, class::LDH));
    Ok((rest, kw))
}

/// `esmtp-value = 1*(%d33-60 / %d62-126)` (RFC 5321 §4.1.2), `=/ UTF8-non-ascii`
/// (RFC 6531 §3.3): any printable character except `=` and SP.
pub fn esmtp_value(i: &str) -> Res<'_, &str> {
    let (v, rest) = span(i, |b| is(b, class::VALUE));
    if v.is_empty() {
        return fail(
            i,
            "esmtp-value",
            "expected a value after \"=\": printable characters, no spaces, no \"=\" (RFC 5321 §4.1.2 esmtp-value)",
        );
    }
    Ok((rest, v))
}

/// `esmtp-param = esmtp-keyword ["=" esmtp-value]` (RFC 5321 §4.1.2)
pub fn esmtp_param(i: &str) -> Res<'_, (&str, Option<&str>)> {
    let (rest, kw) = esmtp_keyword(i)?;
    match rest.strip_prefix('=') {
        Some(r) => {
            let (rest, v) = esmtp_value(r)?;
            Ok((rest, (kw, Some(v))))
        }
        None => Ok((rest, (kw, None))),
    }
}

/// One or more SP (the grammar says one; see the module docs).
fn sp(i: &str) -> Res<'_, ()> {
    let (spaces, rest) = span(i, |b| b == b' ');
    if spaces.is_empty() {
        return fail(i, "SP", "expected a space here");
    }
    Ok((rest, ()))
}

// ---------------------------------------------------------------------------------------
// Commands (RFC 5321 §4.1.1)
// ---------------------------------------------------------------------------------------

const EXPECT_UNKNOWN: &str = "a command: EHLO, HELO, MAIL, RCPT, DATA, BDAT, RSET, VRFY, EXPN, HELP, NOOP, QUIT, STARTTLS or AUTH";

/// The syntax of each command as a student should write it.
pub fn expected_syntax(verb: Verb) -> &'static str {
    match verb {
        Verb::Ehlo => "EHLO SP ( Domain / address-literal )",
        Verb::Helo => "HELO SP Domain",
        Verb::Mail => "MAIL FROM:<reverse-path> [SP mail-parameters]",
        Verb::Rcpt => "RCPT TO:<forward-path> [SP rcpt-parameters]",
        Verb::Data => "DATA",
        Verb::Bdat => "BDAT SP chunk-size [SP LAST]",
        Verb::Rset => "RSET",
        Verb::Vrfy => "VRFY SP String",
        Verb::Expn => "EXPN SP String",
        Verb::Help => "HELP [SP String]",
        Verb::Noop => "NOOP [SP String]",
        Verb::Quit => "QUIT",
        Verb::StartTls => "STARTTLS",
        Verb::Auth => "AUTH SP mechanism [SP initial-response]",
    }
}

/// The verb of the first word, case-insensitively (RFC 5321 §2.4).
fn verb_from_word(word: &[u8]) -> Option<Verb> {
    let mut upper = [0u8; 8];
    let slot = upper.get_mut(..word.len())?;
    for (u, w) in slot.iter_mut().zip(word) {
        *u = w.to_ascii_uppercase();
    }
    Some(match &*slot {
        b"EHLO" => Verb::Ehlo,
        b"HELO" => Verb::Helo,
        b"MAIL" => Verb::Mail,
        b"RCPT" => Verb::Rcpt,
        b"DATA" => Verb::Data,
        b"BDAT" => Verb::Bdat,
        b"RSET" => Verb::Rset,
        b"VRFY" => Verb::Vrfy,
        b"EXPN" => Verb::Expn,
        b"HELP" => Verb::Help,
        b"NOOP" => Verb::Noop,
        b"QUIT" => Verb::Quit,
        b"STARTTLS" => Verb::StartTls,
        b"AUTH" => Verb::Auth,
        _ => return None,
    })
}

/// Builds [`SyntaxError`]s for one command line.
struct Ctx<'a> {
    line: &'a str,
    verb: Verb,
}

impl Ctx<'_> {
    fn offset(&self, at: &str) -> usize {
        self.line.len().saturating_sub(at.len())
    }

    fn err(&self, kind: SyntaxErrorKind, at: &str, rule: &'static str, why: impl Into<String>) -> SyntaxError {
        SyntaxError::new(kind, expected_syntax(self.verb), rule, self.offset(at), why)
    }

    fn rule_err(&self, kind: SyntaxErrorKind, e: nom::Err<RuleError<'_>>) -> SyntaxError {
        match e {
            nom::Err::Error(e) | nom::Err::Failure(e) => {
                let why = if e.why.is_empty() { "unexpected character" } else { e.why };
                self.err(kind, e.at, e.rule, why)
            }
            nom::Err::Incomplete(_) => self.err(kind, "", "", "the line ended too early"),
        }
    }

    fn args(&self) -> SyntaxErrorKind {
        SyntaxErrorKind::BadArguments(self.verb)
    }

    fn bad_param(&self, keyword: &str, at: &str, why: impl Into<String>) -> SyntaxError {
        let kind = SyntaxErrorKind::BadParameter { verb: self.verb, keyword: keyword.to_ascii_uppercase() };
        self.err(kind, at, "esmtp-value", why)
    }

    fn duplicate(&self, keyword: &str, at: &str) -> SyntaxError {
        let kind = SyntaxErrorKind::DuplicateParameter { verb: self.verb, keyword: keyword.to_ascii_uppercase() };
        let why = format!("{} may be given only once", keyword.to_ascii_uppercase());
        self.err(kind, at, "esmtp-param", why)
    }

    /// The line must end here.
    fn end(&self, rest: &str) -> Result<(), SyntaxError> {
        if rest.is_empty() {
            Ok(())
        } else {
            Err(self.err(self.args(), rest, "CRLF", "unexpected text; the command should end here"))
        }
    }
}

/// Parses one command line, without its CRLF (RFC 5321 §4.1.1, §2.4: verbs and
/// `FROM:`/`TO:` are case-insensitive). See the module docs for what is relaxed.
pub fn command(line: &[u8]) -> Result<Command, SyntaxError> {
    let trimmed = trim_end(line);
    let word_end = trimmed.iter().position(|&b| b == b' ').unwrap_or(trimmed.len());
    let verb = trimmed.get(..word_end).and_then(verb_from_word);
    let expected = verb.map_or(EXPECT_UNKNOWN, expected_syntax);
    let s = match std::str::from_utf8(trimmed) {
        Ok(s) => s,
        Err(e) => {
            return Err(SyntaxError::new(
                SyntaxErrorKind::NotUtf8 { verb },
                expected,
                "",
                e.valid_up_to(),
                "these bytes are not UTF-8; beyond ASCII, SMTP carries only UTF-8 (RFC 6531 §3.3)",
            ))
        }
    };
    // A branch-free OR over the line first (it vectorizes); the position only on a hit.
    let any_control = s.bytes().fold(false, |acc, b| acc | (b < 0x20) | (b == 0x7f));
    if let Some(p) = any_control.then(|| s.bytes().position(|b| is(b, class::CONTROL))).flatten() {
        return Err(SyntaxError::new(
            SyntaxErrorKind::BadCharacter { verb },
            expected,
            "",
            p,
            "control characters (TAB, NUL, a bare CR or LF, …) are not allowed in a command; \
             fields are separated by a single space (RFC 5321 §4.1.1, §2.3.8)",
        ));
    }
    let Some(verb) = verb else {
        return Err(SyntaxError::new(
            SyntaxErrorKind::UnknownCommand,
            EXPECT_UNKNOWN,
            "",
            0,
            "this is not an SMTP command this server knows (RFC 5321 §4.1.1, §4.2.4)",
        ));
    };
    let cx = Ctx { line: s, verb };
    let args = s.get(word_end..).unwrap_or("");
    match verb {
        Verb::Data => cx.end(args).map(|()| Command::Data),
        Verb::Rset => cx.end(args).map(|()| Command::Rset),
        Verb::Quit => cx.end(args).map(|()| Command::Quit),
        Verb::StartTls => cx.end(args).map(|()| Command::StartTls),
        Verb::Ehlo => ehlo(&cx, args),
        Verb::Helo => helo(&cx, args),
        Verb::Mail => mail(&cx, args),
        Verb::Rcpt => rcpt(&cx, args),
        Verb::Bdat => bdat(&cx, args),
        Verb::Vrfy => text_arg(&cx, args).map(Command::Vrfy),
        Verb::Expn => text_arg(&cx, args).map(Command::Expn),
        Verb::Help => opt_text_arg(&cx, args).map(Command::Help),
        Verb::Noop => opt_text_arg(&cx, args).map(Command::Noop),
        Verb::Auth => auth(&cx, args),
    }
}

fn trim_end(line: &[u8]) -> &[u8] {
    let n = line.iter().rposition(|&b| b != b' ' && b != b'\t').map_or(0, |p| p + 1);
    line.get(..n).unwrap_or(line)
}

/// `ehlo = "EHLO" SP ( Domain / address-literal ) CRLF` (RFC 5321 §4.1.1.1)
fn ehlo<'a>(cx: &Ctx<'a>, args: &'a str) -> Result<Command, SyntaxError> {
    let (rest, ()) = sp(args).map_err(|_| {
        cx.err(cx.args(), args, "ehlo", "EHLO needs your host name: a domain or an address literal such as [192.0.2.1] (RFC 5321 §4.1.1.1)")
    })?;
    let (rest, h) = host(rest).map_err(|e| cx.rule_err(cx.args(), e))?;
    cx.end(rest)?;
    Ok(Command::Ehlo(h))
}

/// `helo = "HELO" SP Domain CRLF` (RFC 5321 §4.1.1.1)
fn helo<'a>(cx: &Ctx<'a>, args: &'a str) -> Result<Command, SyntaxError> {
    let (rest, ()) = sp(args).map_err(|_| cx.err(cx.args(), args, "helo", "HELO needs your domain name (RFC 5321 §4.1.1.1)"))?;
    let (rest, d) = domain(rest).map_err(|e| cx.rule_err(cx.args(), e))?;
    cx.end(rest)?;
    Ok(Command::Helo(d))
}

/// `SP <keyword>` then optional spaces: `"MAIL FROM:"` / `"RCPT TO:"` (case-insensitive).
fn keyword_colon<'a>(cx: &Ctx<'a>, args: &'a str, kw: &'static str) -> Result<&'a str, SyntaxError> {
    let bad = |at: &str| {
        let (rule, section) = if kw == "FROM:" { ("mail", 2) } else { ("rcpt", 3) };
        let why = format!("expected \"{kw}\" after {} and a space (RFC 5321 §4.1.1.{section})", cx.verb.as_str());
        cx.err(cx.args(), at, rule, why)
    };
    let (after_sp, ()) = sp(args).map_err(|_| bad(args))?;
    match after_sp.get(..kw.len()) {
        // Liberal: `MAIL FROM: <…>` (see the module docs).
        Some(t) if t.eq_ignore_ascii_case(kw) => Ok(span(after_sp.get(kw.len()..).unwrap_or(""), |b| b == b' ').1),
        _ => Err(bad(after_sp)),
    }
}

/// `mail = "MAIL FROM:" Reverse-path [SP Mail-parameters] CRLF` (RFC 5321 §4.1.1.2)
fn mail<'a>(cx: &Ctx<'a>, args: &'a str) -> Result<Command, SyntaxError> {
    let rest = keyword_colon(cx, args, "FROM:")?;
    let (rest, from) = reverse_path(rest).map_err(|e| cx.rule_err(SyntaxErrorKind::BadAddress(Verb::Mail), e))?;
    let params = mail_parameters(cx, rest)?;
    Ok(Command::Mail { from, params })
}

/// `rcpt = "RCPT TO:" ( "<Postmaster@" Domain ">" / "<Postmaster>" / Forward-path )
/// [SP Rcpt-parameters] CRLF` (RFC 5321 §4.1.1.3)
fn rcpt<'a>(cx: &Ctx<'a>, args: &'a str) -> Result<Command, SyntaxError> {
    let rest = keyword_colon(cx, args, "TO:")?;
    let (rest, to) = forward_path(rest).map_err(|e| cx.rule_err(SyntaxErrorKind::BadAddress(Verb::Rcpt), e))?;
    let params = rcpt_parameters(cx, rest)?;
    Ok(Command::Rcpt { to, params })
}

/// Iterates `[SP esmtp-param *(SP esmtp-param)]` to the end of the line, calling `each` with
/// the keyword, the value and the position of the parameter.
fn for_each_param<'a>(
    cx: &Ctx<'a>,
    mut rest: &'a str,
    mut each: impl FnMut(&'a str, Option<&'a str>, &'a str) -> Result<(), SyntaxError>,
) -> Result<(), SyntaxError> {
    while !rest.is_empty() {
        let (r, ()) = sp(rest).map_err(|_| {
            cx.err(
                cx.args(),
                rest,
                "esmtp-param",
                "parameters follow the path, each after a space, as KEYWORD or KEYWORD=value (RFC 5321 §4.1.2 esmtp-param)",
            )
        })?;
        let (after, (kw, value)) = esmtp_param(r).map_err(|e| cx.rule_err(cx.args(), e))?;
        each(kw, value, r)?;
        let r = after;
        rest = r;
    }
    Ok(())
}

/// `Mail-parameters = esmtp-param *(SP esmtp-param)` (RFC 5321 §4.1.2) with the known
/// keywords SIZE (RFC 1870), BODY (RFC 6152, RFC 3030), SMTPUTF8 (RFC 6531), RET and ENVID
/// (RFC 3461), and `auth-param = "AUTH=" xtext` (RFC 4954 §5), whose decoded form is an
/// addr-spec or `<>`.
fn mail_parameters<'a>(cx: &Ctx<'a>, rest: &'a str) -> Result<MailParams, SyntaxError> {
    let mut p = MailParams::default();
    let mut seen_utf8 = false;
    for_each_param(cx, rest, |kw, value, at| {
        let value_at = at.get(kw.len() + 1..).unwrap_or("");
        if kw.eq_ignore_ascii_case("SIZE") {
            if p.size.is_some() {
                return Err(cx.duplicate(kw, at));
            }
            p.size = Some(size_value(cx, kw, value, value_at)?);
        } else if kw.eq_ignore_ascii_case("BODY") {
            if p.body.is_some() {
                return Err(cx.duplicate(kw, at));
            }
            p.body = Some(match value {
                Some(v) if v.eq_ignore_ascii_case("7BIT") => Body::SevenBit,
                Some(v) if v.eq_ignore_ascii_case("8BITMIME") => Body::EightBitMime,
                Some(v) if v.eq_ignore_ascii_case("BINARYMIME") => Body::BinaryMime,
                _ => return Err(cx.bad_param(kw, value_at, "BODY is 7BIT or 8BITMIME (RFC 6152 §2), or BINARYMIME (RFC 3030 §3)")),
            });
        } else if kw.eq_ignore_ascii_case("SMTPUTF8") {
            if seen_utf8 {
                return Err(cx.duplicate(kw, at));
            }
            if value.is_some() {
                return Err(cx.bad_param(kw, value_at, "SMTPUTF8 takes no value (RFC 6531 §3.4)"));
            }
            seen_utf8 = true;
            p.smtputf8 = true;
        } else if kw.eq_ignore_ascii_case("RET") {
            if p.ret.is_some() {
                return Err(cx.duplicate(kw, at));
            }
            p.ret = Some(match value {
                Some(v) if v.eq_ignore_ascii_case("FULL") => Ret::Full,
                Some(v) if v.eq_ignore_ascii_case("HDRS") => Ret::Hdrs,
                _ => return Err(cx.bad_param(kw, value_at, "RET is FULL or HDRS (RFC 3461 §4.3)")),
            });
        } else if kw.eq_ignore_ascii_case("ENVID") {
            if p.envid.is_some() {
                return Err(cx.duplicate(kw, at));
            }
            let Some(v) = value else {
                return Err(cx.bad_param(kw, value_at, "ENVID needs a value: the envelope identifier as xtext (RFC 3461 §4.4)"));
            };
            let decoded = decode_xtext(v).map_err(|e| cx.bad_param(kw, rest_at(value_at, e.offset), e.why))?;
            p.envid = Some(decoded);
        } else if kw.eq_ignore_ascii_case("AUTH") {
            if p.auth.is_some() {
                return Err(cx.duplicate(kw, at));
            }
            let why = "AUTH= is the submitting mailbox or <>, as xtext (RFC 4954 §5)";
            let Some(v) = value else {
                return Err(cx.bad_param(kw, value_at, why));
            };
            let decoded = decode_xtext(v).map_err(|e| cx.bad_param(kw, rest_at(value_at, e.offset), e.why))?;
            // RFC 4954 §5: "the decoded form of the xtext MUST be either an addr-spec or the
            // two characters '<>'".
            if decoded != "<>" && !matches!(mailbox(&decoded), Ok(("", _))) {
                return Err(cx.bad_param(kw, value_at, why));
            }
            p.auth = Some(decoded);
        } else {
            p.other.push(OtherParam { keyword: kw.to_owned(), value: value.map(str::to_owned) });
        }
        Ok(())
    })?;
    Ok(p)
}

/// [`xtext::decode`], with a shortcut for the common case of an xtext without escapes: when
/// every octet is an `xchar` other than `+` (RFC 3461 §4) the decoded text is the text itself.
fn decode_xtext(x: &str) -> Result<String, xtext::XtextError> {
    if x.bytes().all(|b| matches!(b, b'!'..=b'~') && b != b'+' && b != b'=') {
        return Ok(x.to_owned());
    }
    xtext::decode(x)
}

/// `size-value ::= 1*20DIGIT` (RFC 1870 §3), within `u64`.
fn size_value(cx: &Ctx<'_>, kw: &str, value: Option<&str>, at: &str) -> Result<u64, SyntaxError> {
    let why = "SIZE is the message size in octets: 1 to 20 digits (RFC 1870 §3)";
    match value {
        Some(v) if !v.is_empty() && v.len() <= 20 && v.bytes().all(|b| b.is_ascii_digit()) => {
            v.parse::<u64>().map_err(|_| cx.bad_param(kw, at, "SIZE is too large to be a message size (RFC 1870 §3)"))
        }
        _ => Err(cx.bad_param(kw, at, why)),
    }
}

/// `Rcpt-parameters = esmtp-param *(SP esmtp-param)` (RFC 5321 §4.1.2) with the known keywords
/// NOTIFY and ORCPT (RFC 3461 §4.1, §4.2).
fn rcpt_parameters<'a>(cx: &Ctx<'a>, rest: &'a str) -> Result<RcptParams, SyntaxError> {
    let mut p = RcptParams::default();
    for_each_param(cx, rest, |kw, value, at| {
        let value_at = at.get(kw.len() + 1..).unwrap_or("");
        if kw.eq_ignore_ascii_case("NOTIFY") {
            if p.notify.is_some() {
                return Err(cx.duplicate(kw, at));
            }
            p.notify = Some(notify_value(cx, kw, value, value_at)?);
        } else if kw.eq_ignore_ascii_case("ORCPT") {
            if p.orcpt.is_some() {
                return Err(cx.duplicate(kw, at));
            }
            p.orcpt = Some(orcpt_value(cx, kw, value, value_at)?);
        } else {
            p.other.push(OtherParam { keyword: kw.to_owned(), value: value.map(str::to_owned) });
        }
        Ok(())
    })?;
    Ok(p)
}

/// `notify-esmtp-value = "NEVER" / 1#notify-list-element`,
/// `notify-list-element = "SUCCESS" / "FAILURE" / "DELAY"` (RFC 3461 §4.1). A repeated
/// element is accepted (it changes nothing).
fn notify_value(cx: &Ctx<'_>, kw: &str, value: Option<&str>, at: &str) -> Result<Notify, SyntaxError> {
    let why = "NOTIFY is NEVER, or a comma-separated list of SUCCESS, FAILURE, DELAY (RFC 3461 §4.1)";
    let Some(v) = value else {
        return Err(cx.bad_param(kw, at, why));
    };
    if v.eq_ignore_ascii_case("NEVER") {
        return Ok(Notify::Never);
    }
    let (mut success, mut failure, mut delay) = (false, false, false);
    let mut item_at = at;
    for item in v.split(',') {
        if item.eq_ignore_ascii_case("SUCCESS") {
            success = true;
        } else if item.eq_ignore_ascii_case("FAILURE") {
            failure = true;
        } else if item.eq_ignore_ascii_case("DELAY") {
            delay = true;
        } else if item.eq_ignore_ascii_case("NEVER") {
            return Err(cx.bad_param(kw, item_at, "NEVER cannot be combined with other values (RFC 3461 §4.1)"));
        } else {
            return Err(cx.bad_param(kw, item_at, why));
        }
        item_at = rest_at(item_at, item.len() + 1);
    }
    Ok(Notify::On { success, failure, delay })
}

/// `orcpt-parameter = "ORCPT=" original-recipient-address`,
/// `original-recipient-address = addr-type ";" xtext`, `addr-type = atom` (RFC 3461 §4.2).
fn orcpt_value(cx: &Ctx<'_>, kw: &str, value: Option<&str>, at: &str) -> Result<(String, String), SyntaxError> {
    let why = "ORCPT is addr-type;xtext, e.g. rfc822;bob+40example.com (RFC 3461 §4.2)";
    let Some((addr_type, x)) = value.and_then(|v| v.split_once(';')) else {
        return Err(cx.bad_param(kw, at, why));
    };
    if addr_type.is_empty() || !addr_type.bytes().all(|b| b.is_ascii() && is_atext(b)) {
        return Err(cx.bad_param(kw, at, why));
    }
    let x_at = rest_at(at, addr_type.len() + 1);
    let addr = decode_xtext(x).map_err(|e| cx.bad_param(kw, rest_at(x_at, e.offset), e.why))?;
    Ok((addr_type.to_owned(), addr))
}

/// `bdat-cmd = "BDAT" SP chunk-size [ SP end-marker ] CRLF`, `chunk-size = 1*DIGIT`,
/// `end-marker = "LAST"` (RFC 3030 §2)
fn bdat<'a>(cx: &Ctx<'a>, args: &'a str) -> Result<Command, SyntaxError> {
    let why = "BDAT needs the chunk size in octets (RFC 3030 §2 chunk-size = 1*DIGIT)";
    let (rest, ()) = sp(args).map_err(|_| cx.err(cx.args(), args, "chunk-size", why))?;
    let (digits, after) = span(rest, |b| b.is_ascii_digit());
    if digits.is_empty() {
        return Err(cx.err(cx.args(), rest, "chunk-size", why));
    }
    let size = digits.parse::<u64>().map_err(|_| cx.err(cx.args(), rest, "chunk-size", "the chunk size is too large"))?;
    if after.is_empty() {
        return Ok(Command::Bdat { size, last: false });
    }
    let (marker, ()) = sp(after).map_err(|_| cx.err(cx.args(), after, "chunk-size", why))?;
    if marker.eq_ignore_ascii_case("LAST") {
        Ok(Command::Bdat { size, last: true })
    } else {
        Err(cx.err(cx.args(), marker, "end-marker", "after the size only LAST may follow (RFC 3030 §2 end-marker)"))
    }
}

/// `SP String` relaxed to `SP text` (see the module docs): VRFY and EXPN (RFC 5321 §4.1.1.6,
/// §4.1.1.7).
fn text_arg<'a>(cx: &Ctx<'a>, args: &'a str) -> Result<String, SyntaxError> {
    match opt_text_arg(cx, args)? {
        Some(t) => Ok(t),
        None => Err(cx.err(
            cx.args(),
            args,
            "String",
            format!("{} needs an argument: a user name or mailbox (RFC 5321 §3.5)", cx.verb.as_str()),
        )),
    }
}

/// `[ SP String ]` relaxed to `[ SP text ]`: HELP and NOOP (RFC 5321 §4.1.1.8, §4.1.1.9).
fn opt_text_arg<'a>(cx: &Ctx<'a>, args: &'a str) -> Result<Option<String>, SyntaxError> {
    if args.is_empty() {
        return Ok(None);
    }
    let (rest, ()) = sp(args).map_err(|e| cx.rule_err(cx.args(), e))?;
    Ok(Some(rest.to_owned()))
}

/// `auth-command = "AUTH" SP sasl-mech [SP initial-response] CRLF`,
/// `initial-response = base64 / "="` (RFC 4954 §4);
/// `sasl-mech = 1*20mech-char`, `mech-char = UPPER-ALPHA / DIGIT / HYPHEN / UNDERSCORE`
/// (RFC 4422 §3.1; lower case accepted and upper-cased).
fn auth<'a>(cx: &Ctx<'a>, args: &'a str) -> Result<Command, SyntaxError> {
    let why = "AUTH needs a SASL mechanism name such as PLAIN or LOGIN (RFC 4954 §4)";
    let (rest, ()) = sp(args).map_err(|_| cx.err(cx.args(), args, "sasl-mech", why))?;
    let (mech, after) = span(rest, |b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if mech.is_empty() || mech.len() > 20 {
        let why = if mech.is_empty() { why } else { "a SASL mechanism name is at most 20 characters (RFC 4422 §3.1)" };
        return Err(cx.err(cx.args(), rest, "sasl-mech", why));
    }
    let mechanism = mech.to_ascii_uppercase();
    if after.is_empty() {
        return Ok(Command::Auth { mechanism, initial: None });
    }
    let (resp, ()) = sp(after).map_err(|e| cx.rule_err(cx.args(), e))?;
    if resp == "=" || is_base64(resp) {
        Ok(Command::Auth { mechanism, initial: Some(resp.to_owned()) })
    } else {
        Err(cx.err(cx.args(), resp, "initial-response", "the initial response is base64, or \"=\" for an empty one (RFC 4954 §4)"))
    }
}

/// `base64 = base64-terminal / ( 1*(4base64-char) [base64-terminal] )` (RFC 4954 §8):
/// groups of four, `=` padding only at the end.
fn is_base64(s: &str) -> bool {
    let b = s.as_bytes();
    if b.is_empty() || !b.len().is_multiple_of(4) {
        return false;
    }
    let pad = b.iter().rev().take_while(|&&c| c == b'=').count();
    let body = b.get(..b.len() - pad).unwrap_or(b);
    pad <= 2 && body.iter().all(|&c| c.is_ascii_alphanumeric() || c == b'+' || c == b'/')
}

// ---------------------------------------------------------------------------------------
// Replies (RFC 5321 §4.2, RFC 2034, RFC 3463)
// ---------------------------------------------------------------------------------------

const EXPECT_REPLY: &str = "Reply-code [ SP textstring ] on the last line, Reply-code \"-\" [ textstring ] before it (RFC 5321 §4.2)";

/// ```text
/// Reply-line = *( Reply-code "-" [ textstring ] CRLF )
///              Reply-code [ SP textstring ] CRLF
/// Reply-code = %x32-35 %x30-35 %x30-39
/// textstring = 1*(%d09 / %d32-126) ; HT, SP, Printable US-ASCII
/// ```
/// (RFC 5321 §4.2). One line without its CRLF. UTF-8 text is accepted (RFC 6531 §3.7.4.2).
pub fn reply_line(line: &[u8]) -> Result<ReplyLine, SyntaxError> {
    let err =
        |offset: usize, rule: &'static str, why: &'static str| SyntaxError::new(SyntaxErrorKind::BadReply, EXPECT_REPLY, rule, offset, why);
    let s = std::str::from_utf8(line).map_err(|e| {
        SyntaxError::new(
            SyntaxErrorKind::NotUtf8 { verb: None },
            EXPECT_REPLY,
            "textstring",
            e.valid_up_to(),
            "reply text must be UTF-8 (RFC 6531 §3.7.4.2)",
        )
    })?;
    if let Some(p) = s.bytes().position(|b| (b < 0x20 && b != b'\t') || b == 0x7f) {
        return Err(SyntaxError::new(
            SyntaxErrorKind::BadCharacter { verb: None },
            EXPECT_REPLY,
            "textstring",
            p,
            "reply text is printable characters, spaces and tabs only (RFC 5321 §4.2 textstring)",
        ));
    }
    let code = match s.as_bytes() {
        [a @ b'2'..=b'5', b @ b'0'..=b'5', c @ b'0'..=b'9', ..] => {
            Code(u16::from(a - b'0') * 100 + u16::from(b - b'0') * 10 + u16::from(c - b'0'))
        }
        _ => return Err(err(0, "Reply-code", "a reply starts with a three-digit code: 2-5, then 0-5, then 0-9 (RFC 5321 §4.2)")),
    };
    let (last, text) = match s.as_bytes().get(3) {
        None => (true, ""),
        Some(b' ') => (true, s.get(4..).unwrap_or("")),
        Some(b'-') => (false, s.get(4..).unwrap_or("")),
        Some(_) => {
            return Err(err(3, "Reply-line", "after the code comes a space (last line) or \"-\" (more lines follow) (RFC 5321 §4.2)"))
        }
    };
    Ok(ReplyLine { code, last, text: text.to_owned() })
}

/// Assembles the lines of one reply (RFC 5321 §4.2.1: the same code on every line, `-` on all
/// but the last) and extracts the enhanced status code when every line carries the same one,
/// with a class equal to the reply's first digit (RFC 2034 §4, RFC 3463 §2). Otherwise
/// `enhanced` is `None` and the text is kept as it came.
pub fn reply(lines: &[ReplyLine]) -> Result<Reply, SyntaxError> {
    let err = |why: String| SyntaxError::new(SyntaxErrorKind::BadReply, EXPECT_REPLY, "Reply-line", 0, why);
    let Some((last, init)) = lines.split_last() else {
        return Err(err("a reply has at least one line (RFC 5321 §4.2)".into()));
    };
    for (n, l) in lines.iter().enumerate() {
        if l.code != last.code {
            return Err(err(format!(
                "line {} has code {} but the reply's last line has {}: all lines of a reply carry the same code (RFC 5321 §4.2.1)",
                n + 1,
                l.code.0,
                last.code.0
            )));
        }
    }
    if let Some(n) = init.iter().position(|l| l.last) {
        return Err(err(format!("line {} ends the reply (code and space) but more lines follow; only the last line has a space after the code (RFC 5321 §4.2.1)", n + 1)));
    }
    if !last.last {
        return Err(err("the last line must have a space (or nothing) after the code, not \"-\" (RFC 5321 §4.2.1)".into()));
    }
    let class = (last.code.0 / 100) as u8;
    let first = enhanced_status_code(&last.text).filter(|(e, _)| e.class == class);
    if let Some((enhanced, _)) = first {
        let stripped: Option<Vec<String>> = lines
            .iter()
            .map(|l| match enhanced_status_code(&l.text) {
                Some((e, rest)) if e == enhanced => Some(rest.to_owned()),
                _ => None,
            })
            .collect();
        if let Some(lines) = stripped {
            return Ok(Reply { code: last.code, enhanced: Some(enhanced), lines });
        }
    }
    Ok(Reply { code: last.code, enhanced: None, lines: lines.iter().map(|l| l.text.clone()).collect() })
}

/// ```text
/// status-code = class "." subject "." detail
/// class       = "2" / "4" / "5"
/// subject     = 1*3digit
/// detail      = 1*3digit
/// ```
/// (RFC 3463 §2, RFC 2034 §4) at the start of a reply text, followed by SP or the end of the
/// line; numbers without leading zeros. Returns the code and the text after it.
pub fn enhanced_status_code(text: &str) -> Option<(EnhancedCode, &str)> {
    fn number(i: &str) -> Option<(u16, &str)> {
        let (d, rest) = span(i, |b| b.is_ascii_digit());
        if d.is_empty() || d.len() > 3 || (d.len() > 1 && d.starts_with('0')) {
            return None;
        }
        Some((d.parse().ok()?, rest))
    }
    let class = match text.as_bytes().first()? {
        b'2' => 2,
        b'4' => 4,
        b'5' => 5,
        _ => return None,
    };
    let rest = text.get(1..)?.strip_prefix('.')?;
    let (subject, rest) = number(rest)?;
    let (detail, rest) = number(rest.strip_prefix('.')?)?;
    let rest = if rest.is_empty() { rest } else { rest.strip_prefix(' ')? };
    Some((EnhancedCode::new(class, subject, detail), rest))
}

/// The service extensions of an EHLO reply: every line after the first,
/// `ehlo-line = ehlo-keyword *( SP ehlo-param )`,
/// `ehlo-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-")`,
/// `ehlo-param = 1*(%d33-126)` (RFC 5321 §4.1.1.1). Keywords are upper-cased (they are
/// case-insensitive); lines that are not ehlo-lines (e.g. the pre-standard `AUTH=LOGIN`)
/// are skipped.
pub fn ehlo_keywords(reply: &Reply) -> Vec<(String, Vec<String>)> {
    reply
        .lines
        .iter()
        .skip(1)
        .filter_map(|line| {
            let mut words = line.split(' ').filter(|w| !w.is_empty());
            let kw = words.next()?;
            let ok = esmtp_keyword(kw).is_ok_and(|(rest, _)| rest.is_empty());
            let params: Vec<String> = words.map(str::to_owned).collect();
            let params_ok = params.iter().all(|p| p.bytes().all(|b| (33..=126).contains(&b)));
            (ok && params_ok).then(|| (kw.to_ascii_uppercase(), params))
        })
        .collect()
}

/// Whether a command carries non-ASCII text in an address or parameter — which RFC 6531 §3.4
/// allows only in a transaction started with `MAIL FROM:<…> SMTPUTF8` (else 553 5.6.7,
/// §3.7.4.1). The parser accepts UTF-8 everywhere; the session applies this rule.
pub fn needs_smtputf8(cmd: &Command) -> bool {
    fn path_ascii(p: &Path) -> bool {
        let local = match &p.mailbox.local {
            LocalPart::Dot(s) | LocalPart::Quoted(s) => s.is_ascii(),
        };
        let host = match &p.mailbox.host {
            Host::Domain(d) => d.0.is_ascii(),
            Host::Literal(_) => true,
        };
        local && host && p.source_route.iter().all(|d| d.0.is_ascii())
    }
    fn others_ascii(o: &[OtherParam]) -> bool {
        o.iter().all(|p| p.value.as_deref().is_none_or(str::is_ascii))
    }
    match cmd {
        Command::Mail { from, params } => {
            let from_ascii = match from {
                ReversePath::Null => true,
                ReversePath::Path(p) => path_ascii(p),
            };
            !(from_ascii && others_ascii(&params.other))
        }
        Command::Rcpt { to, params } => {
            let to_ascii = match to {
                ForwardPath::Postmaster(_) => true,
                ForwardPath::Path(p) => path_ascii(p),
            };
            let orcpt_ascii = params.orcpt.as_ref().is_none_or(|(_, a)| a.is_ascii());
            !(to_ascii && orcpt_ascii && others_ascii(&params.other))
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    //! Rule-level known answers: one `check` per rule, input → (value, rest) or error column.

    use super::*;

    #[track_caller]
    fn check<'a, T: PartialEq + std::fmt::Debug>(rule: impl Fn(&'a str) -> Res<'a, T>, input: &'a str, expected: T, rest: &str) {
        match rule(input) {
            Ok((r, v)) => {
                assert_eq!(v, expected, "{input:?}");
                assert_eq!(r, rest, "rest of {input:?}");
            }
            Err(e) => panic!("{input:?}: {e:?}"),
        }
    }

    /// The rule fails, `at` bytes into the input.
    #[track_caller]
    fn refuse<'a, T: std::fmt::Debug>(rule: impl Fn(&'a str) -> Res<'a, T>, input: &'a str, at: usize) {
        match rule(input) {
            Ok(v) => panic!("{input:?} should fail, got {v:?}"),
            Err(nom::Err::Error(e) | nom::Err::Failure(e)) => {
                assert_eq!(input.len() - e.at.len(), at, "{input:?}: {e:?}");
                assert!(!e.why.is_empty(), "{input:?}: a reason is given");
            }
            Err(e) => panic!("{e:?}"),
        }
    }

    #[test]
    fn domains() {
        check(domain, "example.com>", Domain("example.com".into()), ">");
        check(domain, "a", Domain("a".into()), "");
        check(domain, "1-2-3.x9 rest", Domain("1-2-3.x9".into()), " rest");
        check(domain, "例子.广告", Domain("例子.广告".into()), "");
        check(sub_domain, "a-b,", "a-b", ",");
        check(ldh_str, "a-b-c:", "a-b-c", ":");
        check(let_dig, "9x", b'9', "x");
        refuse(domain, "-a.com", 0);
        refuse(domain, "a-.com", 1);
        refuse(domain, "a..com", 2);
        refuse(domain, "a.com.", 6);
        refuse(domain, ".a", 0);
        refuse(domain, "", 0);
        refuse(ldh_str, "ab-", 3);
    }

    #[test]
    fn literals() {
        check(address_literal, "[1.2.3.4]>", AddressLiteral::V4([1, 2, 3, 4]), ">");
        check(ipv6_addr, "::", [0; 8], "");
        check(ipv6_addr, "::1", [0, 0, 0, 0, 0, 0, 0, 1], "");
        check(ipv6_addr, "1::", [1, 0, 0, 0, 0, 0, 0, 0], "");
        check(ipv6_addr, "a:B:c:D:e:F:0:ffff", [10, 11, 12, 13, 14, 15, 0, 0xffff], "");
        check(ipv6_addr, "1:2:3:4:5:6:1.2.3.4", [1, 2, 3, 4, 5, 6, 0x0102, 0x0304], "");
        check(ipv6_addr, "1:2:3:4::1.2.3.4", [1, 2, 3, 4, 0, 0, 0x0102, 0x0304], "");
        check(ipv6_addr, "::1:2:3:4:1.2.3.4", [0, 0, 1, 2, 3, 4, 0x0102, 0x0304], "");
        check(ipv6_addr, "1:2:3::4:5:6", [1, 2, 3, 0, 0, 4, 5, 6], "");
        refuse(ipv6_addr, "1:2:3:4:5:6:7", 0);
        refuse(ipv6_addr, "1::2:3:4:5:6:7", 0); // "::" for a single group
        refuse(ipv6_addr, "1:2:3:4:5::1.2.3.4", 0);
        refuse(ipv6_addr, ":1::", 0);
        refuse(ipv6_addr, "1:::2", 3);
        refuse(ipv4_address_literal, "1.2.3", 5);
        refuse(ipv4_address_literal, "256.1.1.1", 0);
        refuse(ipv4_address_literal, "1.2.3.0004", 6);
        check(general_address_literal, "x-y:a=b]", AddressLiteral::General { tag: "x-y".into(), content: "a=b".into() }, "]");
        refuse(address_literal, "[x-y:a\\b]", 6);
        refuse(address_literal, "1.2.3.4", 0);
    }

    #[test]
    fn local_parts_and_paths() {
        check(local_part, "a.b@x", LocalPart::Dot("a.b".into()), "@x");
        check(local_part, "\"a b\\\"c\"@x", LocalPart::Quoted("a b\"c".into()), "@x");
        check(local_part, "\"\\ \"@x", LocalPart::Quoted(" ".into()), "@x");
        refuse(local_part, "a..b@x", 2);
        refuse(local_part, "\"a\\\u{7f}\"", 2);
        check(reverse_path, "<> x", ReversePath::Null, " x");
        check(
            path,
            "<@a,@b:c@d>",
            Path { source_route: vec![Domain("a".into()), Domain("b".into())], mailbox: mailbox("c@d").unwrap().1 },
            "",
        );
        check(forward_path, "<postMaster>", ForwardPath::Postmaster("postMaster".into()), "");
        refuse(path, "<@a:>", 4);
        refuse(path, "<@a c@d>", 3);
        refuse(path, "<a@b", 4);
    }

    #[test]
    fn params() {
        check(esmtp_param, "SIZE=10 X", ("SIZE", Some("10")), " X");
        check(esmtp_param, "8BITMIME", ("8BITMIME", None), "");
        check(esmtp_param, "X-Y=ü", ("X-Y", Some("ü")), "");
        refuse(esmtp_param, "=1", 0);
        refuse(esmtp_param, "A=", 2);
    }

    #[test]
    fn enhanced_codes() {
        assert_eq!(enhanced_status_code("5.1.1 x"), Some((EnhancedCode::new(5, 1, 1), "x")));
        assert_eq!(enhanced_status_code("2.0.0"), Some((EnhancedCode::new(2, 0, 0), "")));
        assert_eq!(enhanced_status_code("4.999.999 y"), Some((EnhancedCode::new(4, 999, 999), "y")));
        for no in ["3.0.0 x", "5.01.1 x", "5.1.01 x", "5.1 x", "5.1.1x", "5..1 x", "5.1.1000 x", "x"] {
            assert_eq!(enhanced_status_code(no), None, "{no:?}");
        }
    }

    #[test]
    fn smtputf8_needed() {
        let yes = |l: &str| assert!(needs_smtputf8(&command(l.as_bytes()).unwrap()), "{l}");
        let no = |l: &str| assert!(!needs_smtputf8(&command(l.as_bytes()).unwrap()), "{l}");
        yes("MAIL FROM:<用户@example.com> SMTPUTF8");
        yes("RCPT TO:<a@例子.广告>");
        yes("RCPT TO:<a@b.example> ORCPT=rfc822;+C3+A9");
        no("MAIL FROM:<a@b.example> SMTPUTF8");
        no("RCPT TO:<Postmaster>");
        no("EHLO example.com");
    }
}
