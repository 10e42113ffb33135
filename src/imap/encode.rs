//! The exact inverse of [`super::parse`]: commands and responses to bytes. For every value `x`
//! the parser accepts what this writes and gives `x` back (a property test checks it).
//!
//! Strings are written in the simplest form that carries them (RFC 9051 §4.3): an atom where
//! the grammar allows one and the text is all `ASTRING-CHAR`s, else a quoted string when it is
//! printable (UTF-8 included, RFC 9051 §9 `QUOTED-CHAR`), else a literal `{n}` CRLF and `n`
//! octets — the count is octets, not characters.

use super::command::{
    Command, CommandBody, Date, DateTime, FetchItem, FetchItems, Flag, SearchKey, Section, SectionText, SeqNum, SeqSet, StatusItem,
    StoreMode,
};
use super::response::{Address, BodyStructure, Code, Data, Disposition, Envelope, Extension, FetchValue, Response};

fn is_astring_char(b: u8) -> bool {
    b > 0x20 && b < 0x7f && !matches!(b, b'(' | b')' | b'{' | b'%' | b'*' | b'"' | b'\\')
}

/// `quoted` or `literal`, whichever can carry `s`.
pub fn string(out: &mut Vec<u8>, s: &[u8]) {
    if s.iter().all(|&b| b >= 0x20 && b != 0x7f) && std::str::from_utf8(s).is_ok() {
        out.push(b'"');
        for &b in s {
            if b == b'"' || b == b'\\' {
                out.push(b'\\');
            }
            out.push(b);
        }
        out.push(b'"');
    } else {
        out.extend_from_slice(format!("{{{}}}\r\n", s.len()).as_bytes());
        out.extend_from_slice(s);
    }
}

/// `astring`: an atom when possible (not empty, only ASTRING-CHARs).
pub fn astring(out: &mut Vec<u8>, s: &str) {
    if !s.is_empty() && s.bytes().all(is_astring_char) {
        out.extend_from_slice(s.as_bytes());
    } else {
        string(out, s.as_bytes());
    }
}

/// `list-mailbox`: list-chars (wildcards included) or a string.
fn list_mailbox(out: &mut Vec<u8>, s: &str) {
    if !s.is_empty() && s.bytes().all(|b| is_astring_char(b) || b == b'%' || b == b'*') {
        out.extend_from_slice(s.as_bytes());
    } else {
        string(out, s.as_bytes());
    }
}

/// `nstring`: NIL or a string (never an atom: `NIL` would read as nil).
pub fn nstring(out: &mut Vec<u8>, s: Option<&[u8]>) {
    match s {
        None => out.extend_from_slice(b"NIL"),
        Some(s) => string(out, s),
    }
}

fn ntext(out: &mut Vec<u8>, s: &Option<String>) {
    nstring(out, s.as_deref().map(str::as_bytes));
}

fn push(out: &mut Vec<u8>, s: &str) {
    out.extend_from_slice(s.as_bytes());
}

fn list<T>(out: &mut Vec<u8>, items: &[T], mut f: impl FnMut(&mut Vec<u8>, &T)) {
    out.push(b'(');
    for (n, x) in items.iter().enumerate() {
        if n > 0 {
            out.push(b' ');
        }
        f(out, x);
    }
    out.push(b')');
}

fn sp_list<T>(out: &mut Vec<u8>, items: &[T], mut f: impl FnMut(&mut Vec<u8>, &T)) {
    for (n, x) in items.iter().enumerate() {
        if n > 0 {
            out.push(b' ');
        }
        f(out, x);
    }
}

pub fn flag_name(f: &Flag) -> String {
    match f {
        Flag::Seen => "\\Seen".into(),
        Flag::Answered => "\\Answered".into(),
        Flag::Flagged => "\\Flagged".into(),
        Flag::Deleted => "\\Deleted".into(),
        Flag::Draft => "\\Draft".into(),
        Flag::Recent => "\\Recent".into(),
        Flag::Wildcard => "\\*".into(),
        Flag::Extension(s) => format!("\\{s}"),
        Flag::Keyword(s) => s.clone(),
    }
}

fn flags(out: &mut Vec<u8>, f: &[Flag]) {
    list(out, f, |o, f| push(o, &flag_name(f)));
}

pub fn seq_set(out: &mut Vec<u8>, s: &SeqSet) {
    let n = |o: &mut Vec<u8>, x: SeqNum| match x {
        SeqNum::Num(n) => push(o, &n.to_string()),
        SeqNum::Largest => o.push(b'*'),
    };
    for (i, r) in s.0.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        n(out, r.start);
        if let Some(e) = r.end {
            out.push(b':');
            n(out, e);
        }
    }
}

const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

fn month(m: u8) -> &'static str {
    MONTHS.get(usize::from(m.saturating_sub(1))).copied().unwrap_or("Jan")
}

/// `date-text`: `4-Dec-2026`.
pub fn date(d: &Date) -> String {
    format!("{}-{}-{:04}", d.day, month(d.month), d.year)
}

/// `date-time`: `"04-Dec-2026 01:30:00 +0000"`.
pub fn date_time(d: &DateTime) -> String {
    let z = d.zone_minutes;
    let sign = if z < 0 { '-' } else { '+' };
    let z = z.unsigned_abs();
    format!(
        "\"{:02}-{}-{:04} {:02}:{:02}:{:02} {sign}{:02}{:02}\"",
        d.date.day,
        month(d.date.month),
        d.date.year,
        d.hour,
        d.minute,
        d.second,
        z / 60,
        z % 60
    )
}

pub fn status_item(s: StatusItem) -> &'static str {
    match s {
        StatusItem::Messages => "MESSAGES",
        StatusItem::UidNext => "UIDNEXT",
        StatusItem::UidValidity => "UIDVALIDITY",
        StatusItem::Unseen => "UNSEEN",
        StatusItem::Recent => "RECENT",
        StatusItem::Size => "SIZE",
        StatusItem::Deleted => "DELETED",
    }
}

/// `section` with its brackets.
pub fn section(out: &mut Vec<u8>, s: &Section) {
    out.push(b'[');
    let part: Vec<String> = s.part.iter().map(u32::to_string).collect();
    push(out, &part.join("."));
    if let Some(t) = &s.text {
        if !s.part.is_empty() {
            out.push(b'.');
        }
        match t {
            SectionText::Header => push(out, "HEADER"),
            SectionText::Text => push(out, "TEXT"),
            SectionText::Mime => push(out, "MIME"),
            SectionText::HeaderFields(v) | SectionText::HeaderFieldsNot(v) => {
                push(out, if matches!(t, SectionText::HeaderFields(_)) { "HEADER.FIELDS " } else { "HEADER.FIELDS.NOT " });
                list(out, v, |o, h| astring(o, h));
            }
        }
    }
    out.push(b']');
}

fn fetch_item(out: &mut Vec<u8>, f: &FetchItem) {
    match f {
        FetchItem::Flags => push(out, "FLAGS"),
        FetchItem::Uid => push(out, "UID"),
        FetchItem::Rfc822Size => push(out, "RFC822.SIZE"),
        FetchItem::InternalDate => push(out, "INTERNALDATE"),
        FetchItem::Envelope => push(out, "ENVELOPE"),
        FetchItem::BodyStructure => push(out, "BODYSTRUCTURE"),
        FetchItem::Body => push(out, "BODY"),
        FetchItem::Rfc822 => push(out, "RFC822"),
        FetchItem::Rfc822Header => push(out, "RFC822.HEADER"),
        FetchItem::Rfc822Text => push(out, "RFC822.TEXT"),
        FetchItem::Section { peek, section: s, partial } => {
            push(out, if *peek { "BODY.PEEK" } else { "BODY" });
            section(out, s);
            if let Some((o, n)) = partial {
                push(out, &format!("<{o}.{n}>"));
            }
        }
    }
}

fn search_key(out: &mut Vec<u8>, k: &SearchKey) {
    use SearchKey as K;
    let word = |out: &mut Vec<u8>, w: &str, s: &str| {
        push(out, w);
        out.push(b' ');
        astring(out, s);
    };
    let on = |out: &mut Vec<u8>, w: &str, d: &Date| push(out, &format!("{w} {}", date(d)));
    match k {
        K::All => push(out, "ALL"),
        K::Answered => push(out, "ANSWERED"),
        K::Deleted => push(out, "DELETED"),
        K::Draft => push(out, "DRAFT"),
        K::Flagged => push(out, "FLAGGED"),
        K::Seen => push(out, "SEEN"),
        K::Unanswered => push(out, "UNANSWERED"),
        K::Undeleted => push(out, "UNDELETED"),
        K::Undraft => push(out, "UNDRAFT"),
        K::Unflagged => push(out, "UNFLAGGED"),
        K::Unseen => push(out, "UNSEEN"),
        K::Recent => push(out, "RECENT"),
        K::New => push(out, "NEW"),
        K::Old => push(out, "OLD"),
        K::Keyword(s) => push(out, &format!("KEYWORD {s}")),
        K::Unkeyword(s) => push(out, &format!("UNKEYWORD {s}")),
        K::From(s) => word(out, "FROM", s),
        K::To(s) => word(out, "TO", s),
        K::Cc(s) => word(out, "CC", s),
        K::Bcc(s) => word(out, "BCC", s),
        K::Subject(s) => word(out, "SUBJECT", s),
        K::Body(s) => word(out, "BODY", s),
        K::Text(s) => word(out, "TEXT", s),
        K::Header(n, v) => {
            word(out, "HEADER", n);
            out.push(b' ');
            astring(out, v);
        }
        K::Since(d) => on(out, "SINCE", d),
        K::Before(d) => on(out, "BEFORE", d),
        K::On(d) => on(out, "ON", d),
        K::SentSince(d) => on(out, "SENTSINCE", d),
        K::SentBefore(d) => on(out, "SENTBEFORE", d),
        K::SentOn(d) => on(out, "SENTON", d),
        K::Larger(n) => push(out, &format!("LARGER {n}")),
        K::Smaller(n) => push(out, &format!("SMALLER {n}")),
        K::Uid(s) => {
            push(out, "UID ");
            seq_set(out, s);
        }
        K::Seq(s) => seq_set(out, s),
        K::Not(k) => {
            push(out, "NOT ");
            search_key(out, k);
        }
        K::Or(a, b) => {
            push(out, "OR ");
            search_key(out, a);
            out.push(b' ');
            search_key(out, b);
        }
        K::And(v) => list(out, v, search_key),
    }
}

/// A command, with its CRLF. Literals are synchronizing (`{n}`): a client must wait for `+`
/// after each — [`command_parts`] cuts the bytes there.
pub fn command(c: &Command) -> Vec<u8> {
    command_parts(c).concat()
}

/// The command's bytes cut after each literal's `{n}` CRLF: send the first part, then each
/// next one only after the server's `+` continuation (RFC 9051 §4.3, §7.5).
pub fn command_parts(c: &Command) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    push(&mut out, &c.tag);
    out.push(b' ');
    body(&mut out, &c.body);
    out.extend_from_slice(b"\r\n");
    split_at_literals(out)
}

/// Cut a unit after each `{n}\r\n` that starts a literal (found by walking the syntax: quoted
/// strings cannot contain `{`-CRLF, and literal contents are skipped by their count).
fn split_at_literals(bytes: Vec<u8>) -> Vec<Vec<u8>> {
    let mut parts = Vec::new();
    let mut start = 0;
    let mut i = 0;
    let mut in_quote = false;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => in_quote = !in_quote,
            b'\\' if in_quote => i += 1,
            b'{' if !in_quote => {
                let close = bytes[i..].iter().position(|&b| b == b'}').map(|p| i + p);
                if let Some(c) = close {
                    let n: Option<usize> = std::str::from_utf8(&bytes[i + 1..c]).ok().and_then(|s| s.parse().ok());
                    if let (Some(n), true) = (n, bytes[c + 1..].starts_with(b"\r\n")) {
                        let data = c + 3;
                        parts.push(bytes[start..data].to_vec());
                        start = data;
                        i = data + n;
                        continue;
                    }
                }
            }
            _ => {}
        }
        i += 1;
    }
    parts.push(bytes[start..].to_vec());
    parts
}

fn body(out: &mut Vec<u8>, b: &CommandBody) {
    use CommandBody as C;
    let uid = |out: &mut Vec<u8>, u: bool| {
        if u {
            push(out, "UID ");
        }
    };
    match b {
        C::Capability => push(out, "CAPABILITY"),
        C::Noop => push(out, "NOOP"),
        C::Logout => push(out, "LOGOUT"),
        C::StartTls => push(out, "STARTTLS"),
        C::Idle => push(out, "IDLE"),
        C::Check => push(out, "CHECK"),
        C::Close => push(out, "CLOSE"),
        C::Unselect => push(out, "UNSELECT"),
        C::Expunge => push(out, "EXPUNGE"),
        C::UidExpunge(s) => {
            push(out, "UID EXPUNGE ");
            seq_set(out, s);
        }
        C::Login { user, password } => {
            push(out, "LOGIN ");
            astring(out, user);
            out.push(b' ');
            astring(out, password);
        }
        C::Authenticate { mechanism, initial } => {
            push(out, "AUTHENTICATE ");
            push(out, mechanism);
            if let Some(i) = initial {
                out.push(b' ');
                push(out, i);
            }
        }
        C::Enable(caps) => {
            push(out, "ENABLE ");
            sp_list(out, caps, |o, c| push(o, c));
        }
        C::Select(m) | C::Examine(m) | C::Create(m) | C::Delete(m) | C::Subscribe(m) | C::Unsubscribe(m) => {
            push(out, b.verb().name());
            out.push(b' ');
            astring(out, m);
        }
        C::Rename { from, to } => {
            push(out, "RENAME ");
            astring(out, from);
            out.push(b' ');
            astring(out, to);
        }
        C::List { reference, pattern } | C::Lsub { reference, pattern } => {
            push(out, b.verb().name());
            out.push(b' ');
            astring(out, reference);
            out.push(b' ');
            list_mailbox(out, pattern);
        }
        C::Status { mailbox, items } => {
            push(out, "STATUS ");
            astring(out, mailbox);
            out.push(b' ');
            list(out, items, |o, i| push(o, status_item(*i)));
        }
        C::Append { mailbox, flags: f, date, message } => {
            push(out, "APPEND ");
            astring(out, mailbox);
            if !f.is_empty() {
                out.push(b' ');
                flags(out, f);
            }
            if let Some(d) = date {
                out.push(b' ');
                push(out, &date_time(d));
            }
            push(out, &format!(" {{{}}}\r\n", message.len()));
            out.extend_from_slice(message);
        }
        C::Search { uid: u, charset, criteria } => {
            uid(out, *u);
            push(out, "SEARCH ");
            if let Some(cs) = charset {
                push(out, "CHARSET ");
                astring(out, cs);
                out.push(b' ');
            }
            sp_list(out, criteria, search_key);
        }
        C::Fetch { uid: u, set, items } => {
            uid(out, *u);
            push(out, "FETCH ");
            seq_set(out, set);
            out.push(b' ');
            match items {
                FetchItems::All => push(out, "ALL"),
                FetchItems::Fast => push(out, "FAST"),
                FetchItems::Full => push(out, "FULL"),
                FetchItems::List(v) if v.len() == 1 => fetch_item(out, &v[0]),
                FetchItems::List(v) => list(out, v, fetch_item),
            }
        }
        C::Store { uid: u, set, mode, silent, flags: f } => {
            uid(out, *u);
            push(out, "STORE ");
            seq_set(out, set);
            push(
                out,
                match mode {
                    StoreMode::Replace => " FLAGS",
                    StoreMode::Add => " +FLAGS",
                    StoreMode::Remove => " -FLAGS",
                },
            );
            if *silent {
                push(out, ".SILENT");
            }
            out.push(b' ');
            flags(out, f);
        }
        C::Copy { uid: u, set, mailbox } | C::Move { uid: u, set, mailbox } => {
            uid(out, *u);
            push(out, b.verb().name());
            out.push(b' ');
            seq_set(out, set);
            out.push(b' ');
            astring(out, mailbox);
        }
    }
}

// ── Responses ────────────────────────────────────────────────────────────────────────────────

/// A response with its CRLF.
pub fn response(r: &Response) -> Vec<u8> {
    let mut out = Vec::new();
    match r {
        Response::Continue(t) => {
            push(&mut out, "+ ");
            push(&mut out, t);
        }
        Response::Status { tag, status, code: c, text } => {
            match tag {
                Some(t) => push(&mut out, t),
                None => out.push(b'*'),
            }
            out.push(b' ');
            push(&mut out, status.name());
            out.push(b' ');
            if let Some(c) = c {
                out.push(b'[');
                code(&mut out, c);
                out.extend_from_slice(b"] ");
            }
            push(&mut out, text);
        }
        Response::Data(d) => {
            push(&mut out, "* ");
            data(&mut out, d);
        }
    }
    out.extend_from_slice(b"\r\n");
    out
}

fn code(out: &mut Vec<u8>, c: &Code) {
    let s = match c {
        Code::Alert => "ALERT",
        Code::Parse => "PARSE",
        Code::ReadOnly => "READ-ONLY",
        Code::ReadWrite => "READ-WRITE",
        Code::TryCreate => "TRYCREATE",
        Code::AuthenticationFailed => "AUTHENTICATIONFAILED",
        Code::AlreadyExists => "ALREADYEXISTS",
        Code::Nonexistent => "NONEXISTENT",
        Code::Cannot => "CANNOT",
        Code::ClientBug => "CLIENTBUG",
        Code::PrivacyRequired => "PRIVACYREQUIRED",
        Code::Closed => "CLOSED",
        Code::UidNext(n) => return push(out, &format!("UIDNEXT {n}")),
        Code::UidValidity(n) => return push(out, &format!("UIDVALIDITY {n}")),
        Code::Unseen(n) => return push(out, &format!("UNSEEN {n}")),
        Code::AppendUid(v, u) => return push(out, &format!("APPENDUID {v} {u}")),
        Code::CopyUid(v, a, b) => return push(out, &format!("COPYUID {v} {a} {b}")),
        Code::Capability(caps) => {
            push(out, "CAPABILITY ");
            return sp_list(out, caps, |o, c| push(o, c));
        }
        Code::PermanentFlags(f) => {
            push(out, "PERMANENTFLAGS ");
            return flags(out, f);
        }
        Code::Other(name, text) => {
            push(out, name);
            if let Some(t) = text {
                out.push(b' ');
                push(out, t);
            }
            return;
        }
    };
    push(out, s);
}

fn data(out: &mut Vec<u8>, d: &Data) {
    match d {
        Data::Capability(caps) | Data::Enabled(caps) => {
            push(out, if matches!(d, Data::Capability(_)) { "CAPABILITY" } else { "ENABLED" });
            for c in caps {
                out.push(b' ');
                push(out, c);
            }
        }
        Data::List { lsub, attributes, delimiter, name } => {
            push(out, if *lsub { "LSUB " } else { "LIST " });
            list(out, attributes, |o, a| push(o, a));
            out.push(b' ');
            match delimiter {
                Some(c) => {
                    let mut b = [0u8; 4];
                    string(out, c.encode_utf8(&mut b).as_bytes());
                }
                None => push(out, "NIL"),
            }
            out.push(b' ');
            astring(out, name);
        }
        Data::Status { mailbox, items } => {
            push(out, "STATUS ");
            astring(out, mailbox);
            out.push(b' ');
            list(out, items, |o, (i, n)| push(o, &format!("{} {n}", status_item(*i))));
        }
        Data::Search(v) => {
            push(out, "SEARCH");
            for n in v {
                push(out, &format!(" {n}"));
            }
        }
        Data::Flags(f) => {
            push(out, "FLAGS ");
            flags(out, f);
        }
        Data::Exists(n) => push(out, &format!("{n} EXISTS")),
        Data::Recent(n) => push(out, &format!("{n} RECENT")),
        Data::Expunge(n) => push(out, &format!("{n} EXPUNGE")),
        Data::Fetch { seq, items } => {
            push(out, &format!("{seq} FETCH "));
            list(out, items, fetch_value);
        }
    }
}

fn fetch_value(out: &mut Vec<u8>, v: &FetchValue) {
    match v {
        FetchValue::Flags(f) => {
            push(out, "FLAGS ");
            flags(out, f);
        }
        FetchValue::Uid(n) => push(out, &format!("UID {n}")),
        FetchValue::Rfc822Size(n) => push(out, &format!("RFC822.SIZE {n}")),
        FetchValue::InternalDate(d) => push(out, &format!("INTERNALDATE {}", date_time(d))),
        FetchValue::Envelope(e) => {
            push(out, "ENVELOPE ");
            envelope(out, e);
        }
        FetchValue::BodyStructure(b) => {
            push(out, "BODYSTRUCTURE ");
            body_structure(out, b);
        }
        FetchValue::Body(b) => {
            push(out, "BODY ");
            body_structure(out, b);
        }
        FetchValue::Section { section: s, origin, data } => {
            push(out, "BODY");
            section(out, s);
            if let Some(o) = origin {
                push(out, &format!("<{o}>"));
            }
            out.push(b' ');
            nstring(out, data.as_deref());
        }
        FetchValue::Rfc822(d) | FetchValue::Rfc822Header(d) | FetchValue::Rfc822Text(d) => {
            push(
                out,
                match v {
                    FetchValue::Rfc822(_) => "RFC822 ",
                    FetchValue::Rfc822Header(_) => "RFC822.HEADER ",
                    _ => "RFC822.TEXT ",
                },
            );
            nstring(out, d.as_deref());
        }
    }
}

pub fn envelope(out: &mut Vec<u8>, e: &Envelope) {
    out.push(b'(');
    ntext(out, &e.date);
    out.push(b' ');
    ntext(out, &e.subject);
    for l in [&e.from, &e.sender, &e.reply_to, &e.to, &e.cc, &e.bcc] {
        out.push(b' ');
        addresses(out, l);
    }
    out.push(b' ');
    ntext(out, &e.in_reply_to);
    out.push(b' ');
    ntext(out, &e.message_id);
    out.push(b')');
}

fn addresses(out: &mut Vec<u8>, l: &[Address]) {
    if l.is_empty() {
        return push(out, "NIL");
    }
    out.push(b'(');
    for a in l {
        out.push(b'(');
        ntext(out, &a.name);
        out.push(b' ');
        ntext(out, &a.adl);
        out.push(b' ');
        ntext(out, &a.mailbox);
        out.push(b' ');
        ntext(out, &a.host);
        out.push(b')');
    }
    out.push(b')');
}

fn params(out: &mut Vec<u8>, p: &[(String, String)]) {
    if p.is_empty() {
        return push(out, "NIL");
    }
    list(out, p, |o, (k, v)| {
        string(o, k.as_bytes());
        o.push(b' ');
        string(o, v.as_bytes());
    });
}

fn disposition(out: &mut Vec<u8>, d: &Option<Disposition>) {
    match d {
        None => push(out, "NIL"),
        Some(d) => {
            out.push(b'(');
            string(out, d.kind.as_bytes());
            out.push(b' ');
            params(out, &d.params);
            out.push(b')');
        }
    }
}

fn ext_tail(out: &mut Vec<u8>, e: &Extension) {
    out.push(b' ');
    disposition(out, &e.disposition);
    out.push(b' ');
    match e.language.as_slice() {
        [] => push(out, "NIL"),
        [one] => string(out, one.as_bytes()),
        more => list(out, more, |o, l| string(o, l.as_bytes())),
    }
    out.push(b' ');
    ntext(out, &e.location);
}

/// `body`: BODYSTRUCTURE when the parts carry `ext`, BODY when not.
pub fn body_structure(out: &mut Vec<u8>, b: &BodyStructure) {
    out.push(b'(');
    match b {
        BodyStructure::Multi { parts, subtype, ext } => {
            for p in parts {
                body_structure(out, p);
            }
            out.push(b' ');
            string(out, subtype.as_bytes());
            if let Some((p, e)) = ext {
                out.push(b' ');
                params(out, p);
                ext_tail(out, e);
            }
        }
        BodyStructure::Single(s) => {
            string(out, s.media_type.as_bytes());
            out.push(b' ');
            string(out, s.subtype.as_bytes());
            out.push(b' ');
            params(out, &s.params);
            out.push(b' ');
            ntext(out, &s.id);
            out.push(b' ');
            ntext(out, &s.description);
            out.push(b' ');
            string(out, s.encoding.as_bytes());
            push(out, &format!(" {}", s.size));
            if let Some(m) = &s.message {
                out.push(b' ');
                envelope(out, &m.0);
                out.push(b' ');
                body_structure(out, &m.1);
            }
            if let Some(l) = s.lines {
                push(out, &format!(" {l}"));
            }
            if let Some(e) = &s.ext {
                out.push(b' ');
                ntext(out, &e.md5);
                ext_tail(out, e);
            }
        }
    }
    out.push(b')');
}
