//! What FETCH returns about one message (RFC 9051 §6.4.5, §7.5.2), computed from the stored
//! bytes with the project's own MIME reader ([`crate::sim::mime`]): ENVELOPE, BODYSTRUCTURE,
//! the section texts `BODY[...]` (HEADER, HEADER.FIELDS, TEXT, MIME, part numbers) and the
//! partial `<origin.count>` cut; also INTERNALDATE as a `date-time`.
//!
//! Sections are the bytes *as stored* (still base64 or quoted-printable): IMAP hands out
//! parts, decoding is the client's job, and sizes in BODYSTRUCTURE count the encoded octets.

use crate::sim::date;
use crate::sim::mime::{self, Part};

use super::command::{Date, DateTime, Section, SectionText};
use super::response::{Address, BodyStructure, Disposition, Envelope, Extension, SinglePart};

/// Seconds since the epoch as a `date-time` in UTC.
pub fn date_time(unix: i64) -> DateTime {
    let days = unix.div_euclid(86_400);
    let secs = unix.rem_euclid(86_400);
    let (y, m, d) = date::civil_from_days(days);
    DateTime {
        date: Date { year: y.clamp(0, 9999) as u16, month: m as u8, day: d as u8 },
        hour: (secs / 3600) as u8,
        minute: (secs / 60 % 60) as u8,
        second: (secs % 60) as u8,
        zone_minutes: 0,
    }
}

/// The UTC day of a time, for SEARCH SINCE/BEFORE/ON (RFC 9051 §6.4.4: "disregarding time and timezone").
pub fn day_of(unix: i64) -> Date {
    date_time(unix).date
}

/// Seconds since the epoch of a `date-time`.
pub fn unix_of(d: &DateTime) -> i64 {
    let days = date::days_from_civil(i64::from(d.date.year), u32::from(d.date.month), u32::from(d.date.day));
    days * 86_400 + i64::from(d.hour) * 3600 + i64::from(d.minute) * 60 + i64::from(d.second) - i64::from(d.zone_minutes) * 60
}

/// The message parsed once, for every item of one FETCH.
pub struct Parsed<'a> {
    pub raw: &'a [u8],
    pub message: mime::Message,
}

impl<'a> Parsed<'a> {
    pub fn new(raw: &'a [u8]) -> Self {
        Parsed { raw, message: mime::parse(raw) }
    }

    pub fn envelope(&self) -> Envelope {
        envelope_of(&self.message.root)
    }

    /// BODYSTRUCTURE (`extended`) or BODY.
    pub fn structure(&self, extended: bool) -> BodyStructure {
        structure_of(&self.message.root, self.raw, extended)
    }

    /// The bytes of a section, or `None` when the part does not exist (the response is then
    /// an empty string, as servers commonly answer).
    pub fn section(&self, s: &Section) -> Option<Vec<u8>> {
        let (part, raw) = locate(&self.message.root, self.raw, &s.part)?;
        let header = raw.get(..part.header_len.min(raw.len())).unwrap_or_default();
        let body = raw.get(part.header_len.min(raw.len())..).unwrap_or_default();
        // The header and text of an encapsulated message (RFC 9051 §6.4.5: "n.HEADER" of a
        // MESSAGE/RFC822 part is the inner message's header).
        let inner = || -> Option<(&Part, &[u8])> {
            if s.part.is_empty() {
                Some((part, raw))
            } else if is_message(part) {
                part.children.first().map(|c| (c, body))
            } else {
                None
            }
        };
        Some(match &s.text {
            None if s.part.is_empty() => raw.to_vec(),
            None => body.to_vec(),
            Some(SectionText::Mime) => header.to_vec(),
            Some(SectionText::Header) => {
                let (p, r) = inner()?;
                r.get(..p.header_len.min(r.len()))?.to_vec()
            }
            Some(SectionText::Text) => {
                let (p, r) = inner()?;
                r.get(p.header_len.min(r.len())..)?.to_vec()
            }
            Some(SectionText::HeaderFields(names)) | Some(SectionText::HeaderFieldsNot(names)) => {
                let keep = matches!(s.text, Some(SectionText::HeaderFields(_)));
                let (p, r) = inner()?;
                header_fields(r.get(..p.header_len.min(r.len()))?, names, keep)
            }
        })
    }
}

fn is_message(p: &Part) -> bool {
    matches!(p.content_type.as_str(), "message/rfc822" | "message/global")
}

/// The part with IMAP part number `path` and its raw bytes (headers and body as stored).
/// RFC 9051 §6.4.5: the parts of a multipart are numbered from 1; a non-multipart message
/// has just part 1 (its body); the parts of a MESSAGE/RFC822 part are those of the message
/// it carries.
pub fn locate<'p, 'r>(root: &'p Part, raw: &'r [u8], path: &[u32]) -> Option<(&'p Part, &'r [u8])> {
    let mut part = root;
    let mut raw = raw;
    for &n in path {
        // Step into an encapsulated message first: its parts are numbered as its own.
        if is_message(part) && !std::ptr::eq(part, root) {
            let inner = part.children.first()?;
            raw = raw.get(part.header_len.min(raw.len())..)?;
            part = inner;
        }
        if part.content_type.starts_with("multipart/") && !part.children.is_empty() {
            let child = part.children.get(usize::try_from(n).ok()?.checked_sub(1)?)?;
            let body = raw.get(part.header_len.min(raw.len())..)?;
            raw = body.get(child.offset..child.offset.checked_add(child.raw_len)?)?;
            part = child;
        } else if n != 1 {
            return None;
        }
    }
    Some((part, raw))
}

/// The header fields of `header` named (or, with `keep == false`, not named) in `names`, and
/// the empty line that ends a header (RFC 9051 §6.4.5 HEADER.FIELDS).
fn header_fields(header: &[u8], names: &[String], keep: bool) -> Vec<u8> {
    let mut out = Vec::new();
    let mut take = false;
    let mut at = 0;
    while at < header.len() {
        let end = header[at..].iter().position(|&b| b == b'\n').map_or(header.len(), |p| at + p + 1);
        let line = &header[at..end];
        if line == b"\r\n" || line == b"\n" {
            break;
        }
        if !matches!(line.first(), Some(b' ' | b'\t')) {
            let name = line.iter().position(|&b| b == b':').map(|c| &line[..c]).unwrap_or(b"");
            let named = names.iter().any(|n| n.as_bytes().eq_ignore_ascii_case(name.trim_ascii()));
            take = named == keep;
        }
        if take {
            out.extend_from_slice(line);
        }
        at = end;
    }
    out.extend_from_slice(b"\r\n");
    out
}

/// `Name <local@host>, other@host` → addresses (RFC 5322 §3.4, groups flattened).
pub fn addresses(value: &str) -> Vec<Address> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let (mut quote, mut angle) = (false, false);
    let mut items = Vec::new();
    for c in value.chars() {
        match c {
            '"' => quote = !quote,
            '<' if !quote => angle = true,
            '>' if !quote => angle = false,
            ',' | ';' if !quote && !angle => {
                items.push(std::mem::take(&mut cur));
                continue;
            }
            _ => {}
        }
        cur.push(c);
    }
    items.push(cur);
    for item in items {
        // A group "Friends: a@x, b@y;" — drop the display name before the colon.
        let item = match item.split_once(':') {
            Some((g, rest)) if !g.contains('<') && !g.contains('"') && !g.contains('@') => rest.to_string(),
            _ => item,
        };
        let item = item.trim();
        if item.is_empty() {
            continue;
        }
        let (name, addr) = match (item.find('<'), item.rfind('>')) {
            (Some(a), Some(b)) if a < b => {
                let n = item[..a].trim().trim_matches('"').trim();
                (if n.is_empty() { None } else { Some(n.to_string()) }, item[a + 1..b].trim())
            }
            _ => (None, item),
        };
        let (mailbox, host) = match addr.rsplit_once('@') {
            Some((m, h)) => (Some(m.to_string()), Some(h.to_string())),
            None => (Some(addr.to_string()), None),
        };
        out.push(Address { name, adl: None, mailbox, host });
    }
    out
}

fn envelope_of(p: &Part) -> Envelope {
    let h = |n: &str| p.header(n).map(str::to_string);
    let list = |n: &str| p.header(n).map(addresses).unwrap_or_default();
    let from = list("From");
    // RFC 9051 §7.5.2: "sender" and "reply-to" default to "from" when absent.
    let sender = if p.header("Sender").is_some() { list("Sender") } else { from.clone() };
    let reply_to = if p.header("Reply-To").is_some() { list("Reply-To") } else { from.clone() };
    Envelope {
        date: h("Date"),
        subject: h("Subject"),
        from,
        sender,
        reply_to,
        to: list("To"),
        cc: list("Cc"),
        bcc: list("Bcc"),
        in_reply_to: h("In-Reply-To"),
        message_id: h("Message-ID"),
    }
}

fn disposition_of(p: &Part) -> Option<Disposition> {
    let v = p.header("Content-Disposition")?;
    let (kind, params) = mime::parse_params(v);
    Some(Disposition { kind: kind.to_ascii_lowercase(), params })
}

fn lines_of(body: &[u8]) -> u32 {
    let n = body.iter().filter(|&&b| b == b'\n').count();
    (n + usize::from(!body.is_empty() && body.last() != Some(&b'\n'))) as u32
}

fn structure_of(p: &Part, raw: &[u8], extended: bool) -> BodyStructure {
    let body = raw.get(p.header_len.min(raw.len())..).unwrap_or_default();
    let (media, sub) = p.content_type.split_once('/').unwrap_or(("text", "plain"));
    if media == "multipart" && !p.children.is_empty() {
        let parts = p
            .children
            .iter()
            .map(|c| structure_of(c, body.get(c.offset..c.offset.saturating_add(c.raw_len)).unwrap_or_default(), extended))
            .collect();
        let ext = extended
            .then(|| (p.params.clone(), Extension { md5: None, disposition: disposition_of(p), language: Vec::new(), location: None }));
        return BodyStructure::Multi { parts, subtype: sub.to_ascii_uppercase(), ext };
    }
    let message = if is_message(p) {
        p.children.first().map(|inner| Box::new((envelope_of(inner), structure_of(inner, body, extended))))
    } else {
        None
    };
    let lines = (media == "text" || message.is_some()).then(|| lines_of(body));
    BodyStructure::Single(SinglePart {
        media_type: media.to_ascii_uppercase(),
        subtype: sub.to_ascii_uppercase(),
        params: p.params.clone(),
        id: p.header("Content-ID").map(str::to_string),
        description: p.header("Content-Description").map(str::to_string),
        encoding: p.transfer_encoding.to_ascii_uppercase(),
        size: body.len() as u32,
        message,
        lines,
        ext: extended.then(|| Extension {
            md5: p.header("Content-MD5").map(str::to_string),
            disposition: disposition_of(p),
            language: Vec::new(),
            location: None,
        }),
    })
}

/// Cut `<origin.count>` out of section data (RFC 9051 §6.4.5: past the end gives empty).
pub fn partial(data: &[u8], origin: u32, count: u32) -> Vec<u8> {
    let start = (origin as usize).min(data.len());
    let end = start.saturating_add(count as usize).min(data.len());
    data[start..end].to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    const MSG: &[u8] = b"From: Alice <alice@example.com>\r\nTo: bob@example.org\r\nSubject: Hi\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHello Bob\r\n--b\r\nContent-Type: application/pdf; name=\"r.pdf\"\r\nContent-Disposition: attachment; filename=\"r.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0=\r\n--b--\r\n";

    #[test]
    fn sections_and_structure() {
        let p = Parsed::new(MSG);
        let s = |part: Vec<u32>, text| p.section(&Section { part, text }).map(|v| String::from_utf8(v).unwrap());
        assert_eq!(s(vec![1], None).as_deref(), Some("Hello Bob"));
        assert_eq!(s(vec![2], None).as_deref(), Some("JVBERi0="));
        assert!(s(vec![2], Some(SectionText::Mime)).unwrap().starts_with("Content-Type: application/pdf"));
        assert_eq!(s(vec![3], None), None);
        assert_eq!(s(vec![], Some(SectionText::HeaderFields(vec!["subject".into()]))).as_deref(), Some("Subject: Hi\r\n\r\n"));
        assert!(s(vec![], Some(SectionText::Text)).unwrap().starts_with("--b\r\n"));
        let BodyStructure::Multi { parts, subtype, .. } = p.structure(true) else { panic!() };
        assert_eq!(subtype, "MIXED");
        let BodyStructure::Single(pdf) = &parts[1] else { panic!() };
        assert_eq!((pdf.size, pdf.encoding.as_str()), (8, "BASE64"));
        assert_eq!(pdf.ext.as_ref().unwrap().disposition.as_ref().unwrap().params, vec![("filename".to_string(), "r.pdf".to_string())]);
        let e = p.envelope();
        assert_eq!(e.from[0].name.as_deref(), Some("Alice"));
        assert_eq!(e.to[0].host.as_deref(), Some("example.org"));
    }

    #[test]
    fn dates() {
        let d = date_time(1_764_811_800);
        assert_eq!(unix_of(&d), 1_764_811_800);
        assert_eq!(super::super::encode::date_time(&d), "\"04-Dec-2025 01:30:00 +0000\"");
    }
}
