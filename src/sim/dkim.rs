//! DKIM (RFC 6376) over the simulated DNS: a server of a scenario signs the mail it sends, a
//! receiving server verifies the signatures it finds, and every step can be shown — the tags of
//! the `DKIM-Signature:` field, the canonicalized header fields and body that were hashed, and
//! why a signature fails.
//!
//! Algorithms: `rsa-sha256` (RFC 6376 §3.3.1) and `ed25519-sha256` (RFC 8463). The cryptography
//! is RustCrypto's (`sha2`, `ed25519-dalek`, `rsa`); nothing here is home-made crypto. Keys are
//! derived from the scenario seed so a trace stays byte-exact. The public-key half is in
//! [`crypto`], which the viewer build leaves out ([`needs_crypto`]).
//!
//! What a result says follows RFC 8601 §2.7.1 (`pass`, `fail`, `neutral`, `policy`, `temperror`,
//! `permerror`); the reason is a sentence for a student, with the RFC section.

use core::fmt;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::smtp::base64;

use super::dns::{Answer, Lookup, QType, Zone};

// ---------------------------------------------------------------------------------------------
// Tag lists (RFC 6376 §3.2)

/// One `tag=value` of a tag list, with where its value sits in the text (byte offsets), so a
/// verifier can blank the `b=` value exactly (§3.7) and an error can point at the tag.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tag<'a> {
    pub name: &'a str,
    /// The value with leading and trailing folding white space removed.
    pub value: &'a str,
    /// Offset of the tag name in the tag list.
    pub at: usize,
    /// The raw value span (after `=`, up to the `;` or the end), white space included.
    pub span: (usize, usize),
}

/// A tag list that cannot be read, with the byte offset of the problem.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TagError {
    pub at: usize,
    pub reason: &'static str,
}

impl fmt::Display for TagError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "at character {}: {}", self.at + 1, self.reason)
    }
}

fn is_fws(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\r' | b'\n')
}

/// Parses `tag-list = tag-spec *( ";" tag-spec ) [ ";" ]` (RFC 6376 §3.2). Tag names are
/// `ALPHA *ALNUMPUNC` and case-sensitive; a name that occurs twice makes the whole list invalid
/// (§3.2: "the entire tag-list is invalid").
pub fn parse_tag_list(text: &str) -> Result<Vec<Tag<'_>>, TagError> {
    let bytes = text.as_bytes();
    let mut tags: Vec<Tag<'_>> = Vec::new();
    let mut i = 0;
    loop {
        while i < bytes.len() && is_fws(bytes[i]) {
            i += 1;
        }
        if i == bytes.len() {
            // An empty list, or a trailing ";" (allowed by the grammar).
            return Ok(tags);
        }
        let at = i;
        if !bytes[i].is_ascii_alphabetic() {
            return Err(TagError { at, reason: "a tag name must start with a letter (RFC 6376 §3.2)" });
        }
        while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
            i += 1;
        }
        let name = &text[at..i];
        while i < bytes.len() && is_fws(bytes[i]) {
            i += 1;
        }
        if i == bytes.len() || bytes[i] != b'=' {
            return Err(TagError { at: i.min(bytes.len()), reason: "expected \"=\" after the tag name (RFC 6376 §3.2)" });
        }
        i += 1;
        let start = i;
        while i < bytes.len() && bytes[i] != b';' {
            // tval = 1*VALCHAR; VALCHAR = %x21-3A / %x3C-7E, with FWS between.
            if !(is_fws(bytes[i]) || (0x21..=0x7e).contains(&bytes[i])) {
                return Err(TagError { at: i, reason: "a tag value may hold only printable ASCII and white space (RFC 6376 §3.2)" });
            }
            i += 1;
        }
        let end = i;
        if tags.iter().any(|t| t.name == name) {
            return Err(TagError { at, reason: "a tag occurs twice, which makes the whole tag list invalid (RFC 6376 §3.2)" });
        }
        let value = text[start..end].trim_matches(|c: char| c.is_ascii() && is_fws(c as u8));
        tags.push(Tag { name, value, at, span: (start, end) });
        if i < bytes.len() {
            i += 1; // the ";"
        }
    }
}

fn tag<'a>(tags: &'a [Tag<'a>], name: &str) -> Option<&'a Tag<'a>> {
    tags.iter().find(|t| t.name == name)
}

/// Removes every FWS character from a value (base64 values may be folded, §3.5).
fn strip_fws(value: &str) -> String {
    value.chars().filter(|c| !(c.is_ascii() && is_fws(*c as u8))).collect()
}

// ---------------------------------------------------------------------------------------------
// Algorithms, canonicalization (RFC 6376 §3.3, §3.4)

/// A signing algorithm (`a=`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Algorithm {
    /// RSASSA-PKCS1-v1_5 with SHA-256 (RFC 6376 §3.3.1).
    RsaSha256,
    /// PureEdDSA Ed25519 over the SHA-256 hash (RFC 8463 §3).
    Ed25519Sha256,
}

impl Algorithm {
    pub fn as_str(self) -> &'static str {
        match self {
            Algorithm::RsaSha256 => "rsa-sha256",
            Algorithm::Ed25519Sha256 => "ed25519-sha256",
        }
    }

    /// The key type (`k=`) of the key record this algorithm needs.
    pub fn key_type(self) -> &'static str {
        match self {
            Algorithm::RsaSha256 => "rsa",
            Algorithm::Ed25519Sha256 => "ed25519",
        }
    }
}

/// A canonicalization algorithm (`c=`, RFC 6376 §3.4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Canon {
    /// Nothing may change (§3.4.1, §3.4.3).
    Simple,
    /// White space and header-name case may change (§3.4.2, §3.4.4).
    Relaxed,
}

impl Canon {
    pub fn as_str(self) -> &'static str {
        match self {
            Canon::Simple => "simple",
            Canon::Relaxed => "relaxed",
        }
    }

    fn parse(s: &str) -> Option<Canon> {
        match s {
            "simple" => Some(Canon::Simple),
            "relaxed" => Some(Canon::Relaxed),
            _ => None,
        }
    }
}

/// One header field of a message, as it was written (name, colon, value with its folding and
/// the final CRLF).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Field<'a> {
    pub name: &'a str,
    pub raw: &'a [u8],
}

/// A message split into its header fields and its body (RFC 5322 §2.1). The body starts after
/// the first empty line; a message without one is all header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message<'a> {
    pub fields: Vec<Field<'a>>,
    pub body: &'a [u8],
}

impl<'a> Message<'a> {
    pub fn parse(message: &'a [u8]) -> Message<'a> {
        let mut fields = Vec::new();
        let mut i = 0;
        while i < message.len() {
            if message[i..].starts_with(b"\r\n") {
                return Message { fields, body: &message[i + 2..] };
            }
            let start = i;
            // A field runs to a CRLF not followed by WSP (§2.2.3 folding).
            loop {
                match memchr::memchr(b'\n', &message[i..]) {
                    Some(n) => {
                        i += n + 1;
                        if i < message.len() && matches!(message[i], b' ' | b'\t') {
                            continue;
                        }
                    }
                    None => i = message.len(),
                }
                break;
            }
            let raw = &message[start..i];
            let colon = memchr::memchr(b':', raw).unwrap_or(raw.len());
            let name = core::str::from_utf8(&raw[..colon]).unwrap_or("").trim_end_matches([' ', '\t']);
            fields.push(Field { name, raw });
        }
        Message { fields, body: &[] }
    }
}

/// A header field canonicalized (RFC 6376 §3.4.1 simple: unchanged; §3.4.2 relaxed: name in
/// lower case, unfolded, runs of WSP as one SP, no WSP at the end of the value or around the
/// colon), ending in CRLF.
pub fn canon_header(raw: &[u8], canon: Canon) -> Vec<u8> {
    match canon {
        Canon::Simple => raw.to_vec(),
        Canon::Relaxed => {
            let colon = memchr::memchr(b':', raw).unwrap_or(raw.len());
            let mut out: Vec<u8> = raw[..colon].iter().filter(|c| !matches!(c, b' ' | b'\t')).map(u8::to_ascii_lowercase).collect();
            out.push(b':');
            let mut value = Vec::with_capacity(raw.len() - colon);
            let mut space = false;
            for &c in raw.get(colon + 1..).unwrap_or(&[]) {
                match c {
                    b'\r' | b'\n' => {}
                    b' ' | b'\t' => space = true,
                    c => {
                        if space && !value.is_empty() {
                            value.push(b' ');
                        }
                        space = false;
                        value.push(c);
                    }
                }
            }
            out.extend_from_slice(&value);
            out.extend_from_slice(b"\r\n");
            out
        }
    }
}

/// The body canonicalized (RFC 6376 §3.4.3 simple: empty lines at the end removed, an empty
/// body is one CRLF; §3.4.4 relaxed: also WSP at line ends removed and runs of WSP as one SP,
/// and an empty body stays empty).
pub fn canon_body(body: &[u8], canon: Canon) -> Vec<u8> {
    let mut lines: Vec<Vec<u8>> = Vec::new();
    let mut rest = body;
    while !rest.is_empty() {
        let (line, next) = match memchr::memmem::find(rest, b"\r\n") {
            Some(n) => (&rest[..n], &rest[n + 2..]),
            None => (rest, &rest[rest.len()..]),
        };
        lines.push(match canon {
            Canon::Simple => line.to_vec(),
            Canon::Relaxed => {
                let mut out = Vec::with_capacity(line.len());
                let mut space = false;
                for &c in line {
                    if matches!(c, b' ' | b'\t') {
                        space = true;
                    } else {
                        if space {
                            out.push(b' ');
                        }
                        space = false;
                        out.push(c);
                    }
                }
                out
            }
        });
        rest = next;
    }
    while lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    if lines.is_empty() {
        return match canon {
            Canon::Simple => b"\r\n".to_vec(),
            Canon::Relaxed => Vec::new(),
        };
    }
    let mut out = Vec::with_capacity(body.len() + 2);
    for line in lines {
        out.extend_from_slice(&line);
        out.extend_from_slice(b"\r\n");
    }
    out
}

// ---------------------------------------------------------------------------------------------
// The DKIM-Signature field (RFC 6376 §3.5)

/// A parsed `DKIM-Signature:` value. Only what verification and the inspector need is kept;
/// unknown tags are ignored (§3.2: "Unrecognized tags MUST be ignored").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signature {
    pub algorithm: Algorithm,
    pub header_canon: Canon,
    pub body_canon: Canon,
    /// `d=`, the signing domain (SDID).
    pub domain: String,
    /// `s=`, the selector: the key is at `s._domainkey.d` (§3.6.2.1).
    pub selector: String,
    /// `h=`, the signed header fields, in order.
    pub headers: Vec<String>,
    /// `i=`, the agent or user identifier (AUID); defaults to `@d`.
    pub identity: String,
    /// `l=`, how many octets of the canonicalized body were signed (none: all of it).
    pub length: Option<u64>,
    /// `t=` and `x=`, seconds since 1970 (§3.5).
    pub timestamp: Option<u64>,
    pub expires: Option<u64>,
    pub body_hash: Vec<u8>,
    pub signature: Vec<u8>,
}

/// Why a `DKIM-Signature:` field cannot be used: always a `permerror` (RFC 6376 §6.1.1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignatureError(pub String);

fn perm(reason: impl Into<String>) -> SignatureError {
    SignatureError(reason.into())
}

impl Signature {
    /// Reads a `DKIM-Signature:` value (the text after the colon).
    pub fn parse(value: &str) -> Result<Signature, SignatureError> {
        let tags = parse_tag_list(value).map_err(|e| perm(format!("the tag list cannot be read {e}")))?;
        let need = |name: &str| {
            tag(&tags, name).map(|t| t.value).ok_or_else(|| perm(format!("the required tag {name}= is missing (RFC 6376 §3.5)")))
        };
        // §6.1.1: v=, a=, b=, bh=, d=, h= and s= are required.
        if need("v")? != "1" {
            return Err(perm("v= must be 1 (RFC 6376 §3.5); this signature is of a version the verifier does not know"));
        }
        let algorithm = match need("a")? {
            "rsa-sha256" => Algorithm::RsaSha256,
            "ed25519-sha256" => Algorithm::Ed25519Sha256,
            "rsa-sha1" => return Err(perm("a=rsa-sha1 is no longer allowed: RFC 8301 §3.1 says verifiers MUST NOT consider it valid")),
            other => return Err(perm(format!("a={other} is not a signing algorithm this verifier knows (RFC 6376 §3.3, RFC 8463)"))),
        };
        let (header_canon, body_canon) = match tag(&tags, "c").map(|t| t.value) {
            None => (Canon::Simple, Canon::Simple),
            Some(c) => {
                let (h, b) = c.split_once('/').unwrap_or((c, "simple"));
                match (Canon::parse(h), Canon::parse(b)) {
                    (Some(h), Some(b)) => (h, b),
                    _ => return Err(perm(format!("c={c} is not simple or relaxed (RFC 6376 §3.4)"))),
                }
            }
        };
        let domain = need("d")?.to_ascii_lowercase();
        let selector = need("s")?.to_string();
        let headers: Vec<String> = strip_fws(need("h")?).split(':').filter(|h| !h.is_empty()).map(str::to_ascii_lowercase).collect();
        if !headers.iter().any(|h| h == "from") {
            return Err(perm("h= does not include From:, which RFC 6376 §5.4 says MUST be signed"));
        }
        let identity = match tag(&tags, "i") {
            Some(i) => {
                let d = i.value.rsplit_once('@').map(|(_, d)| d.to_ascii_lowercase()).unwrap_or_default();
                if d != domain && !d.ends_with(&format!(".{domain}")) {
                    return Err(perm(format!("the domain of i={} is not d={domain} or a subdomain of it (RFC 6376 §3.5)", i.value)));
                }
                i.value.to_string()
            }
            None => format!("@{domain}"),
        };
        let number = |name: &str| -> Result<Option<u64>, SignatureError> {
            match tag(&tags, name) {
                None => Ok(None),
                Some(t) if !t.value.is_empty() && t.value.len() <= 12 && t.value.bytes().all(|c| c.is_ascii_digit()) => {
                    Ok(t.value.parse().ok())
                }
                Some(t) => Err(perm(format!("{name}={} is not a number of at most 12 digits (RFC 6376 §3.5)", t.value))),
            }
        };
        let (length, timestamp, expires) = (number("l")?, number("t")?, number("x")?);
        if let (Some(t), Some(x)) = (timestamp, expires) {
            if x < t {
                return Err(perm("x= is before t=: the signature expires before it was made (RFC 6376 §3.5)"));
            }
        }
        if let Some(q) = tag(&tags, "q") {
            if !q.value.split(':').any(|m| m.trim() == "dns/txt") {
                return Err(perm(format!("q={} names no query method this verifier knows; only dns/txt exists (RFC 6376 §3.5)", q.value)));
            }
        }
        let b64 = |name: &str| -> Result<Vec<u8>, SignatureError> {
            base64::decode_with(need(name)?.as_bytes(), base64::STANDARD, true)
                .map_err(|e| perm(format!("{name}= is not base64: {} (RFC 6376 §3.5)", e.reason())))
        };
        Ok(Signature {
            algorithm,
            header_canon,
            body_canon,
            domain,
            selector,
            headers,
            identity,
            length,
            timestamp,
            expires,
            body_hash: b64("bh")?,
            signature: b64("b")?,
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Key records (RFC 6376 §3.6.1)

/// A public key record from `selector._domainkey.domain` TXT.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyRecord {
    pub key_type: String,
    /// `p=` decoded; empty means the key was revoked (§3.6.1).
    pub public_key: Vec<u8>,
    /// `h=`, the hash algorithms allowed (none: all).
    pub hashes: Option<Vec<String>>,
    /// `t=y`: the domain is testing DKIM (§3.6.1).
    pub testing: bool,
    /// `t=s`: `i=` must be exactly `d=`, no subdomain.
    pub strict_identity: bool,
}

impl KeyRecord {
    pub fn parse(text: &str) -> Result<KeyRecord, String> {
        let tags = parse_tag_list(text).map_err(|e| format!("the key record cannot be read {e}"))?;
        if let Some(v) = tag(&tags, "v") {
            // §3.6.1: if present, v= MUST be first and MUST be DKIM1.
            if v.value != "DKIM1" || tags[0].name != "v" {
                return Err("v= must be DKIM1 and come first (RFC 6376 §3.6.1)".into());
            }
        }
        let p = tag(&tags, "p").ok_or("the record has no p= (RFC 6376 §3.6.1 requires it)")?;
        let public_key = base64::decode_with(p.value.as_bytes(), base64::STANDARD, true)
            .map_err(|e| format!("p= is not base64: {} (RFC 6376 §3.6.1)", e.reason()))?;
        if let Some(s) = tag(&tags, "s") {
            if !s.value.split(':').any(|x| matches!(x.trim(), "*" | "email")) {
                return Err(format!("s={} does not include email: the key is not for mail (RFC 6376 §3.6.1)", s.value));
            }
        }
        let flags: Vec<&str> = tag(&tags, "t").map(|t| t.value.split(':').map(str::trim).collect()).unwrap_or_default();
        Ok(KeyRecord {
            key_type: tag(&tags, "k").map_or("rsa", |k| k.value).to_string(),
            public_key,
            hashes: tag(&tags, "h").map(|h| h.value.split(':').map(|x| x.trim().to_string()).collect()),
            testing: flags.contains(&"y"),
            strict_identity: flags.contains(&"s"),
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Keys

mod crypto;
pub use crypto::Key;

impl Key {
    /// The TXT record that publishes the public half (RFC 6376 §3.6.1).
    pub fn public_record(&self) -> String {
        format!("v=DKIM1; k={}; p={}", self.algorithm().key_type(), self.public_key())
    }
}

/// Whether running `sc` takes public-key cryptography: a node signs (`dkim`) or verifies
/// (`dmarc = true`). The viewer build has none and hands such a scenario to the studio.
pub fn needs_crypto(sc: &crate::sim::spec::Scenario) -> bool {
    sc.nodes.iter().any(|n| n.dkim.is_some() || n.dmarc)
}

/// Whether `s` can be a selector (RFC 6376 §3.1: `selector = sub-domain *( "." sub-domain )`):
/// DNS labels of letters, digits and inner hyphens, joined by dots — nothing that could leave the
/// `s=` tag or the key's DNS name.
pub fn valid_selector(s: &str) -> bool {
    let label = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    s.len() <= 200 && s.split('.').all(label)
}

/// True when this build signs and verifies (see [`crypto`]).
pub const CRYPTO: bool = crypto::AVAILABLE;

// ---------------------------------------------------------------------------------------------
// Signing (RFC 6376 §5)

/// What a signer signs.
#[derive(Clone, Debug)]
pub struct SignRequest<'a> {
    pub domain: &'a str,
    pub selector: &'a str,
    /// Header field names to sign, in order (From: first is customary; §5.4.1 lists what
    /// SHOULD be signed).
    pub headers: &'a [&'a str],
    pub header_canon: Canon,
    pub body_canon: Canon,
    pub timestamp: Option<u64>,
    pub expires: Option<u64>,
    /// Sign only this many octets of the canonicalized body (`l=`, §3.5 — a danger: anyone can
    /// append text after them, §8.2).
    pub length: Option<u64>,
}

/// The header fields that RFC 6376 §5.4.1 says SHOULD be signed, in the order smtp-sim signs
/// them.
pub const RECOMMENDED_HEADERS: &[&str] =
    &["from", "to", "cc", "subject", "date", "message-id", "reply-to", "mime-version", "content-type", "content-transfer-encoding"];

/// The data hashed for the header part of a signature (§3.7): the selected header fields,
/// canonicalized, then the DKIM-Signature field itself with an empty `b=` and no final CRLF.
/// `fields_for(h=)` picks instances from the bottom up (§5.4.2); a name with no instance left
/// adds nothing (the "null string").
fn header_hash_input(message: &Message<'_>, names: &[String], canon: Canon, sig_field: &[u8]) -> Vec<u8> {
    let mut used = vec![false; message.fields.len()];
    let mut out = Vec::new();
    for name in names {
        if let Some(i) = (0..message.fields.len()).rev().find(|&i| !used[i] && message.fields[i].name.eq_ignore_ascii_case(name)) {
            used[i] = true;
            out.extend_from_slice(&canon_header(message.fields[i].raw, canon));
        }
    }
    let mut sig = canon_header(sig_field, canon);
    if sig.ends_with(b"\r\n") {
        sig.truncate(sig.len() - 2);
    }
    out.extend_from_slice(&sig);
    out
}

fn body_hash_input(body: &[u8], canon: Canon, length: Option<u64>) -> Vec<u8> {
    let mut c = canon_body(body, canon);
    if let Some(l) = length {
        c.truncate(usize::try_from(l).unwrap_or(usize::MAX).min(c.len()));
    }
    c
}

/// Signs `message` and returns the `DKIM-Signature:` header field (folded, ending in CRLF) to
/// put in front of it.
pub fn sign(message: &[u8], key: &Key, req: &SignRequest<'_>) -> String {
    sign_explained(message, key, req).field
}

/// A signature made, with the canonicalized data that was hashed (for the inspector).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signed {
    pub field: String,
    pub hashed_headers: Vec<u8>,
    pub hashed_body: Vec<u8>,
}

/// [`sign`], keeping what was hashed.
pub fn sign_explained(message: &[u8], key: &Key, req: &SignRequest<'_>) -> Signed {
    let parsed = Message::parse(message);
    let hashed_body = body_hash_input(parsed.body, req.body_canon, req.length);
    let body_hash = base64::encode(&Sha256::digest(&hashed_body));
    let mut value = format!(
        " v=1; a={}; c={}/{}; d={}; s={};\r\n\t",
        key.algorithm().as_str(),
        req.header_canon.as_str(),
        req.body_canon.as_str(),
        req.domain,
        req.selector
    );
    if let Some(t) = req.timestamp {
        value.push_str(&format!("t={t}; "));
    }
    if let Some(x) = req.expires {
        value.push_str(&format!("x={x}; "));
    }
    if let Some(l) = req.length {
        value.push_str(&format!("l={l}; "));
    }
    // Sign only names the message has (a signer MAY also sign absent ones to forbid adding
    // them, §5.4; smtp-sim keeps the list readable).
    let names: Vec<String> = req
        .headers
        .iter()
        .filter(|h| parsed.fields.iter().any(|f| f.name.eq_ignore_ascii_case(h)))
        .map(|h| h.to_ascii_lowercase())
        .collect();
    value.push_str(&format!("h={};\r\n\tbh={body_hash};\r\n\tb=", names.join(":")));
    let unsigned = format!("DKIM-Signature:{value}\r\n");
    let hashed_headers = header_hash_input(&parsed, &names, req.header_canon, unsigned.as_bytes());
    let b = base64::encode(&key.sign(&hashed_headers));
    Signed { field: format!("DKIM-Signature:{value}{b}\r\n"), hashed_headers, hashed_body }
}

/// The tags of a `DKIM-Signature:` value, each with what it means (RFC 6376 §3.5), in the
/// order written. Unreadable text gives no tags (the verification says why).
pub fn explain_tags(value: &str) -> Vec<crate::sim::trace::TagNote> {
    let Ok(tags) = parse_tag_list(value) else { return Vec::new() };
    tags.iter()
        .map(|t| {
            let meaning: &'static str = match t.name {
                "v" => "version of the DKIM specification (always 1)",
                "a" => "signing algorithm: the key type and the hash",
                "c" => {
                    "canonicalization of the header/body: simple allows no change at all, relaxed forgives white space and header-name case"
                }
                "d" => "signing domain (SDID): who takes responsibility for the message",
                "s" => "selector: the public key is at selector._domainkey.domain TXT",
                "h" => "the header fields that were signed, in order; changing any of them breaks the signature",
                "i" => "the agent or user the domain signs for (AUID)",
                "l" => "only this many octets of the body were signed: text appended after them is not covered (a danger, RFC 6376 §8.2)",
                "q" => "how to fetch the key (dns/txt)",
                "t" => "when it was signed (seconds since 1970)",
                "x" => "when the signature expires (seconds since 1970); after that a verifier treats it as invalid",
                "bh" => "hash of the canonicalized body (base64)",
                "b" => "the signature itself over the signed header fields and this field with b= empty (base64)",
                "z" => "copies of the original header fields, for diagnosis only",
                _ => "a tag this verifier does not know: ignored (RFC 6376 §3.2)",
            };
            crate::sim::trace::TagNote { tag: t.name.to_string(), value: strip_fws(t.value), meaning: meaning.into() }
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Verifying (RFC 6376 §6)

/// A verification result (RFC 8601 §2.7.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DkimResult {
    Pass,
    Fail,
    Neutral,
    Policy,
    TempError,
    PermError,
}

impl DkimResult {
    pub fn as_str(self) -> &'static str {
        match self {
            DkimResult::Pass => "pass",
            DkimResult::Fail => "fail",
            DkimResult::Neutral => "neutral",
            DkimResult::Policy => "policy",
            DkimResult::TempError => "temperror",
            DkimResult::PermError => "permerror",
        }
    }
}

/// What verifying one signature found, with everything the inspector shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verification {
    pub result: DkimResult,
    /// `d=` and `s=` (empty when the field could not be read).
    pub domain: String,
    pub selector: String,
    /// The first 8 characters of `b=` (RFC 6008 `header.b`), to tell signatures apart.
    pub b_prefix: String,
    /// A sentence for a student: why this result, with the RFC section.
    pub reason: String,
    /// A warning that does not change the result (`l=` leaves text unsigned, §8.2; `t=y`).
    pub warnings: Vec<String>,
    /// The canonicalized header data and body that were hashed (for the inspector).
    pub hashed_headers: Vec<u8>,
    pub hashed_body: Vec<u8>,
}

impl Verification {
    fn error(result: DkimResult, reason: impl Into<String>) -> Verification {
        Verification {
            result,
            domain: String::new(),
            selector: String::new(),
            b_prefix: String::new(),
            reason: reason.into(),
            warnings: Vec::new(),
            hashed_headers: Vec::new(),
            hashed_body: Vec::new(),
        }
    }
}

/// Verifies every `DKIM-Signature:` of `message`, top to bottom, against the simulated DNS.
/// `now` is the virtual clock in seconds since 1970 (for `x=`). DNS queries are appended to
/// `lookups` for the trace.
pub fn verify(message: &[u8], zone: &Zone, now: u64, lookups: &mut Vec<Lookup>) -> Vec<Verification> {
    let parsed = Message::parse(message);
    parsed
        .fields
        .iter()
        .filter(|f| f.name.eq_ignore_ascii_case("DKIM-Signature"))
        .map(|f| verify_one(&parsed, f.raw, zone, now, lookups))
        .collect()
}

fn verify_one(message: &Message<'_>, field: &[u8], zone: &Zone, now: u64, lookups: &mut Vec<Lookup>) -> Verification {
    let colon = memchr::memchr(b':', field).unwrap_or(field.len());
    let Ok(value) = core::str::from_utf8(&field[(colon + 1).min(field.len())..]) else {
        return Verification::error(DkimResult::PermError, "the DKIM-Signature field is not ASCII text (RFC 6376 §3.5)");
    };
    let sig = match Signature::parse(value) {
        Ok(s) => s,
        Err(SignatureError(reason)) => return Verification::error(DkimResult::PermError, reason),
    };
    let mut v = Verification::error(DkimResult::PermError, String::new());
    v.domain.clone_from(&sig.domain);
    v.selector.clone_from(&sig.selector);
    v.b_prefix = base64::encode(&sig.signature).chars().take(8).collect();
    if let Some(x) = sig.expires {
        if now > x {
            v.reason = format!("the signature expired: x={x} is before the receiver's clock ({now}) (RFC 6376 §3.5, §6.1.1)");
            return v;
        }
    }
    if sig.length.is_some() {
        v.warnings.push(
            "l= signs only the first part of the body: anyone can append text after it and the signature still passes (RFC 6376 §8.2)"
                .into(),
        );
    }

    // §6.1.2: the key, from selector._domainkey.domain.
    let name = format!("{}._domainkey.{}", sig.selector, sig.domain);
    let lookup = zone.query(&name, QType::Txt);
    let answer = lookup.answer.clone();
    lookups.push(lookup);
    let records = match answer {
        Answer::Records(r) => r,
        Answer::ServFail => {
            v.result = DkimResult::TempError;
            v.reason = format!("the DNS server for {name} failed (SERVFAIL): try again later (RFC 6376 §6.1.2)");
            return v;
        }
        Answer::NxDomain | Answer::NoData => {
            v.reason = format!("there is no key at {name} TXT: the signer's key is missing or the selector is wrong (RFC 6376 §6.1.2)");
            return v;
        }
    };
    let Some(record) = records.iter().find_map(|r| KeyRecord::parse(r).ok()) else {
        v.reason = format!("the TXT record at {name} is not a usable DKIM key record (RFC 6376 §3.6.1)");
        return v;
    };
    if record.public_key.is_empty() {
        v.reason = format!("the key at {name} has an empty p=: the signer revoked it (RFC 6376 §3.6.1)");
        return v;
    }
    if record.key_type != sig.algorithm.key_type() {
        v.reason =
            format!("the key at {name} is k={} but the signature is a={} (RFC 6376 §6.1.2)", record.key_type, sig.algorithm.as_str());
        return v;
    }
    if record.hashes.as_ref().is_some_and(|h| !h.iter().any(|x| x == "sha256")) {
        v.reason = format!("the key at {name} does not allow sha256 (its h= tag) (RFC 6376 §3.6.1)");
        return v;
    }
    if record.strict_identity && !sig.identity.to_ascii_lowercase().ends_with(&format!("@{}", sig.domain)) {
        v.reason = format!("the key at {name} has t=s, so i= must be in exactly d={} (RFC 6376 §3.6.1)", sig.domain);
        return v;
    }
    if record.testing {
        v.warnings.push(format!("{} is testing DKIM (t=y): a receiver treats its mail like unsigned mail (RFC 6376 §3.6.1)", sig.domain));
    }

    // §6.1.3: body hash, then the header hash and the signature.
    v.hashed_body = body_hash_input(message.body, sig.body_canon, sig.length);
    if sig.length.is_some_and(|l| l > canon_body(message.body, sig.body_canon).len() as u64) {
        v.reason = "l= is longer than the body: the body was shortened after signing (RFC 6376 §6.1.3)".into();
        return v;
    }
    if Sha256::digest(&v.hashed_body).as_slice() != sig.body_hash.as_slice() {
        v.result = DkimResult::Fail;
        v.reason = format!(
            "body hash did not verify: the body (canonicalized {}) is not the one {} signed — a line was changed, added or removed on the way (RFC 6376 §6.1.3)",
            sig.body_canon.as_str(),
            sig.domain
        );
        return v;
    }
    let blanked = blank_b(field);
    v.hashed_headers = header_hash_input(message, &sig.headers, sig.header_canon, &blanked);
    let ok = crypto::verify(sig.algorithm, &record.public_key, &v.hashed_headers, &sig.signature);
    match ok {
        None if !CRYPTO => {
            v.reason =
                "this build of smtp-sim has no public-key cryptography (the page's viewer); the full build checks the signature".into()
        }
        None => v.reason = format!("the key at {name} cannot be read as a {} public key (RFC 6376 §3.6.1)", record.key_type),
        Some(false) => {
            v.result = DkimResult::Fail;
            v.reason = format!(
                "signature did not verify: one of the signed header fields ({}) was changed after {} signed it, for example a rewritten Subject: (RFC 6376 §6.1.3)",
                sig.headers.join(", "),
                sig.domain
            );
        }
        Some(true) => {
            v.result = DkimResult::Pass;
            v.reason = format!(
                "the body hash and the signature verify with the key at {name}: {} vouches for this message (RFC 6376 §6.1.3)",
                sig.domain
            );
        }
    }
    v
}

/// The field with the value of its `b=` tag deleted (RFC 6376 §3.7: "the value of the b= tag
/// (including all surrounding whitespace) deleted").
fn blank_b(field: &[u8]) -> Vec<u8> {
    let colon = memchr::memchr(b':', field).unwrap_or(field.len());
    let value_start = (colon + 1).min(field.len());
    let Ok(value) = core::str::from_utf8(&field[value_start..]) else { return field.to_vec() };
    let Ok(tags) = parse_tag_list(value) else { return field.to_vec() };
    let Some(b) = tag(&tags, "b") else { return field.to_vec() };
    let mut out = field[..value_start + b.span.0].to_vec();
    out.extend_from_slice(&field[value_start + b.span.1..]);
    // The field's own final CRLF belongs to the field, not to the value.
    if field.ends_with(b"\r\n") && !out.ends_with(b"\r\n") {
        out.extend_from_slice(b"\r\n");
    }
    out
}

// ---------------------------------------------------------------------------------------------
// The simulated world's signers

/// The signing key of a scenario's node: derived from the scenario seed and the node's id (FNV-1a),
/// so two signers of one scenario never share a key and every run makes the same one.
/// `None` in a build without [`crypto`].
pub fn node_key(seed: u64, node_id: &str, algorithm: crate::sim::spec::DkimAlgorithm) -> Option<Key> {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in node_id.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
    }
    let algorithm = match algorithm {
        crate::sim::spec::DkimAlgorithm::Ed25519Sha256 => Algorithm::Ed25519Sha256,
        crate::sim::spec::DkimAlgorithm::RsaSha256 => Algorithm::RsaSha256,
    };
    crypto::make(algorithm, seed ^ h)
}

/// The signing keys of a scenario's nodes (`None` for nodes that do not sign).
pub fn scenario_keys(sc: &crate::sim::spec::Scenario) -> Vec<Option<Key>> {
    sc.nodes.iter().map(|n| n.dkim.as_ref().and_then(|d| node_key(sc.seed, &n.id, d.algorithm))).collect()
}

/// The name a signer's key is published at: `selector._domainkey.<first domain>` (§3.6.2.1).
pub fn key_name(node: &crate::sim::spec::NodeSpec) -> Option<String> {
    Some(format!("{}._domainkey.{}", node.dkim.as_ref()?.selector, node.domains.first()?))
}

/// The scenario's DNS with each signer's public key published, unless the signer says
/// `publish = false` or the scenario already has its own TXT record at that name (a wrong or
/// revoked key an author put there on purpose).
pub fn zone_with_keys(sc: &crate::sim::spec::Scenario, keys: &[Option<Key>]) -> Zone {
    let mut zone = sc.dns.clone();
    for (node, key) in sc.nodes.iter().zip(keys) {
        let (Some(key), Some(name), Some(d)) = (key, key_name(node), node.dkim.as_ref()) else { continue };
        if d.publish && !zone.txt.iter().any(|t| t.name.eq_ignore_ascii_case(&name)) {
            zone.txt.push(super::dns::TxtRecord { name, text: key.public_record() });
        }
    }
    zone
}

#[cfg(test)]
mod tests;
