//! The exact inverse of `parse`: commands, replies, paths and mailboxes back to wire text.
//!
//! For every valid syntax tree `t`, `parse(encode(t)) == t` (checked by property tests and the
//! fuzz targets). The text is canonical: upper-case verbs and keywords, `MAIL FROM:<…>` with no
//! space, single spaces, IPv6 literals in RFC 5952 form, quoted local parts re-quoted with only
//! `"` and `\` escaped, xtext with only what must be escaped.
//!
//! Choices:
//! - An empty last reply line is written as the bare code (`250`), as RFC 5321 §4.2's
//!   `Reply-code [ SP textstring ]` allows; an empty continuation line as `250-`.
//! - CR and LF inside free text (VRFY/EXPN/HELP/NOOP arguments, reply text) are written as
//!   spaces, so no syntax tree can make the encoder emit an extra line (no CRLF injection).
//!   Other invalid trees (a domain with a space, `Notify::On` with nothing set, …) are written
//!   as they are; the parser would refuse the result.

use std::fmt::{self, Display, Formatter, Write as _};

use super::address::{AddressLiteral, Domain, ForwardPath, Host, LocalPart, Mailbox, Path, ReversePath};
use super::command::{Body, Command, MailParams, Notify, RcptParams, Ret};
use super::reply::{Reply, ReplyLine};
use super::xtext;

/// One command line without CRLF, e.g. `MAIL FROM:<a@b.example> SIZE=1000`.
pub fn command(cmd: &Command) -> String {
    cmd.to_string()
}

/// One command line with its CRLF, ready for the wire.
pub fn command_line(cmd: &Command) -> Vec<u8> {
    let mut s = cmd.to_string();
    s.push_str("\r\n");
    s.into_bytes()
}

/// A whole reply, every line ending in CRLF: `code-` on all lines but the last, `code SP` on
/// the last, the enhanced status code after the separator on every line (RFC 5321 §4.2.1,
/// RFC 2034 §4).
pub fn reply(r: &Reply) -> String {
    r.to_string()
}

/// One reply line without CRLF.
pub fn reply_line(l: &ReplyLine) -> String {
    l.to_string()
}

/// A local part as written in a mailbox: a dot-string as is, a quoted string re-quoted.
pub fn local_part(l: &LocalPart) -> String {
    l.to_string()
}

/// A path with its angle brackets (and source route, if any).
pub fn path(p: &Path) -> String {
    p.to_string()
}

/// Writes `s` with CR and LF replaced by spaces.
fn write_text(f: &mut Formatter<'_>, s: &str) -> fmt::Result {
    if s.contains(['\r', '\n']) {
        f.write_str(&s.replace(['\r', '\n'], " "))
    } else {
        f.write_str(s)
    }
}

impl Display for Domain {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Display for AddressLiteral {
    /// `[192.0.2.1]`, `[IPv6:2001:db8::1]` (RFC 5952 text), `[tag:content]`.
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            AddressLiteral::V4([a, b, c, d]) => write!(f, "[{a}.{b}.{c}.{d}]"),
            AddressLiteral::V6(groups) => {
                f.write_str("[IPv6:")?;
                write_ipv6(f, groups)?;
                f.write_char(']')
            }
            AddressLiteral::General { tag, content } => write!(f, "[{tag}:{content}]"),
        }
    }
}

/// RFC 5952 §4: lower-case hex, no leading zeros, the longest run (first on a tie) of two
/// or more zero groups as `::`; IPv4-mapped addresses as `::ffff:a.b.c.d` (§5).
fn write_ipv6(f: &mut Formatter<'_>, g: &[u16; 8]) -> fmt::Result {
    if let [0, 0, 0, 0, 0, 0xffff, hi, lo] = *g {
        let [a, b] = hi.to_be_bytes();
        let [c, d] = lo.to_be_bytes();
        return write!(f, "::ffff:{a}.{b}.{c}.{d}");
    }
    let (mut best, mut best_len, mut run, mut run_len) = (0, 0, 0, 0);
    for (i, &x) in g.iter().enumerate() {
        if x == 0 {
            if run_len == 0 {
                run = i;
            }
            run_len += 1;
            if run_len > best_len {
                best = run;
                best_len = run_len;
            }
        } else {
            run_len = 0;
        }
    }
    let join = |f: &mut Formatter<'_>, part: &[u16]| -> fmt::Result {
        for (n, x) in part.iter().enumerate() {
            if n > 0 {
                f.write_char(':')?;
            }
            write!(f, "{x:x}")?;
        }
        Ok(())
    };
    if best_len >= 2 {
        join(f, g.get(..best).unwrap_or(&[]))?;
        f.write_str("::")?;
        join(f, g.get(best + best_len..).unwrap_or(&[]))
    } else {
        join(f, g)
    }
}

impl Display for Host {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Host::Domain(d) => d.fmt(f),
            Host::Literal(l) => l.fmt(f),
        }
    }
}

impl Display for LocalPart {
    /// A quoted local part is re-quoted escaping only `"` and `\` (RFC 5321 §4.1.2
    /// quoted-pairSMTP; everything else printable is qtextSMTP).
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            LocalPart::Dot(s) => f.write_str(s),
            LocalPart::Quoted(s) => {
                f.write_char('"')?;
                for c in s.chars() {
                    if c == '"' || c == '\\' {
                        f.write_char('\\')?;
                    }
                    f.write_char(c)?;
                }
                f.write_char('"')
            }
        }
    }
}

impl Display for Mailbox {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{}@{}", self.local, self.host)
    }
}

impl Display for Path {
    /// `<@hop1,@hop2:local@host>`
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_char('<')?;
        for (n, hop) in self.source_route.iter().enumerate() {
            f.write_str(if n == 0 { "@" } else { ",@" })?;
            hop.fmt(f)?;
        }
        if !self.source_route.is_empty() {
            f.write_char(':')?;
        }
        write!(f, "{}>", self.mailbox)
    }
}

impl Display for ReversePath {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            ReversePath::Null => f.write_str("<>"),
            ReversePath::Path(p) => p.fmt(f),
        }
    }
}

impl Display for ForwardPath {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            ForwardPath::Postmaster(name) => write!(f, "<{name}>"),
            ForwardPath::Path(p) => p.fmt(f),
        }
    }
}

fn write_param(f: &mut Formatter<'_>, keyword: &str, value: Option<&str>) -> fmt::Result {
    write!(f, " {keyword}")?;
    match value {
        Some(v) => write!(f, "={v}"),
        None => Ok(()),
    }
}

/// Known parameters in field order, then the unknown ones as given.
fn write_mail_params(f: &mut Formatter<'_>, p: &MailParams) -> fmt::Result {
    if let Some(size) = p.size {
        write!(f, " SIZE={size}")?;
    }
    if let Some(body) = p.body {
        f.write_str(match body {
            Body::SevenBit => " BODY=7BIT",
            Body::EightBitMime => " BODY=8BITMIME",
            Body::BinaryMime => " BODY=BINARYMIME",
        })?;
    }
    if p.smtputf8 {
        f.write_str(" SMTPUTF8")?;
    }
    if let Some(ret) = p.ret {
        f.write_str(match ret {
            Ret::Full => " RET=FULL",
            Ret::Hdrs => " RET=HDRS",
        })?;
    }
    if let Some(envid) = &p.envid {
        write!(f, " ENVID={}", xtext::encode(envid))?;
    }
    if let Some(auth) = &p.auth {
        write!(f, " AUTH={}", xtext::encode(auth))?;
    }
    for o in &p.other {
        write_param(f, &o.keyword, o.value.as_deref())?;
    }
    Ok(())
}

fn write_rcpt_params(f: &mut Formatter<'_>, p: &RcptParams) -> fmt::Result {
    match p.notify {
        None => {}
        Some(Notify::Never) => f.write_str(" NOTIFY=NEVER")?,
        Some(Notify::On { success, failure, delay }) => {
            f.write_str(" NOTIFY=")?;
            let items = [(success, "SUCCESS"), (failure, "FAILURE"), (delay, "DELAY")];
            for (n, (_, name)) in items.iter().filter(|(on, _)| *on).enumerate() {
                if n > 0 {
                    f.write_char(',')?;
                }
                f.write_str(name)?;
            }
        }
    }
    if let Some((addr_type, addr)) = &p.orcpt {
        write!(f, " ORCPT={addr_type};{}", xtext::encode(addr))?;
    }
    for o in &p.other {
        write_param(f, &o.keyword, o.value.as_deref())?;
    }
    Ok(())
}

impl Display for Command {
    /// The command line without CRLF, canonical form.
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let verb = self.verb().as_str();
        match self {
            Command::Ehlo(h) => write!(f, "{verb} {h}"),
            Command::Helo(d) => write!(f, "{verb} {d}"),
            Command::Mail { from, params } => {
                write!(f, "MAIL FROM:{from}")?;
                write_mail_params(f, params)
            }
            Command::Rcpt { to, params } => {
                write!(f, "RCPT TO:{to}")?;
                write_rcpt_params(f, params)
            }
            Command::Bdat { size, last } => {
                write!(f, "{verb} {size}{}", if *last { " LAST" } else { "" })
            }
            Command::Vrfy(s) | Command::Expn(s) | Command::Help(Some(s)) | Command::Noop(Some(s)) => {
                write!(f, "{verb} ")?;
                write_text(f, s)
            }
            Command::Data | Command::Rset | Command::Quit | Command::StartTls | Command::Help(None) | Command::Noop(None) => {
                f.write_str(verb)
            }
            Command::Auth { mechanism, initial } => {
                write!(f, "{verb} {mechanism}")?;
                match initial {
                    Some(i) => write!(f, " {i}"),
                    None => Ok(()),
                }
            }
        }
    }
}

impl Display for ReplyLine {
    /// One reply line without CRLF: `250-text`, `250 text`, or a bare `250`.
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.code.0)?;
        match (self.last, self.text.is_empty()) {
            (true, true) => Ok(()),
            (last, _) => {
                f.write_char(if last { ' ' } else { '-' })?;
                write_text(f, &self.text)
            }
        }
    }
}

impl Display for Reply {
    /// The whole reply, CRLF after every line.
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let n = self.lines.len().max(1);
        let empty = String::new();
        for i in 0..n {
            let text = self.lines.get(i).unwrap_or(&empty);
            let last = i + 1 == n;
            write!(f, "{}", self.code.0)?;
            match (self.enhanced, last, text.is_empty()) {
                (None, true, true) => {}
                (None, _, _) => {
                    f.write_char(if last { ' ' } else { '-' })?;
                    write_text(f, text)?;
                }
                (Some(e), _, empty_text) => {
                    write!(f, "{}{e}", if last { ' ' } else { '-' })?;
                    if !empty_text {
                        f.write_char(' ')?;
                        write_text(f, text)?;
                    }
                }
            }
            f.write_str("\r\n")?;
        }
        Ok(())
    }
}
