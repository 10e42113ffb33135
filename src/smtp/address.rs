//! Mailboxes, domains and paths: the address syntax of RFC 5321 §4.1.2 and §4.1.3,
//! extended for internationalized addresses by RFC 6531 (SMTPUTF8).
//!
//! These are plain data. Parsing lives in `parse`, the exact inverse in `encode`.

use serde::{Deserialize, Serialize};

/// A host name, stored as written (labels joined by dots, no trailing dot).
///
/// RFC 5321 §4.1.2: `Domain = sub-domain *("." sub-domain)`. With SMTPUTF8 (RFC 6531 §3.3) a
/// sub-domain may also be a U-label (UTF-8).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Domain(pub String);

/// An address literal, RFC 5321 §4.1.3: `"[" ( IPv4-address-literal / IPv6-address-literal /
/// General-address-literal ) "]"`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum AddressLiteral {
    /// `[192.0.2.1]`
    V4([u8; 4]),
    /// `[IPv6:2001:db8::1]` — the eight 16-bit groups.
    V6([u16; 8]),
    /// `[tag:content]` — `Standardized-tag ":" 1*dcontent`.
    General { tag: String, content: String },
}

/// What may follow the `@` of a mailbox, or the argument of EHLO:
/// `( Domain / address-literal )` (RFC 5321 §4.1.2).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Host {
    Domain(Domain),
    Literal(AddressLiteral),
}

/// The part of a mailbox before the `@`, RFC 5321 §4.1.2:
/// `Local-part = Dot-string / Quoted-string`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum LocalPart {
    /// `Dot-string = Atom *("."  Atom)`, stored as written.
    Dot(String),
    /// `Quoted-string = DQUOTE *QcontentSMTP DQUOTE`, stored *unquoted* (escapes removed).
    /// The encoder re-quotes it; a quoted string that is a valid dot-string is still kept as
    /// `Quoted` so that parse∘encode is the identity.
    Quoted(String),
}

/// `Mailbox = Local-part "@" ( Domain / address-literal )` (RFC 5321 §4.1.2).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Mailbox {
    pub local: LocalPart,
    pub host: Host,
}

/// `Path = "<" [ A-d-l ":" ] Mailbox ">"` (RFC 5321 §4.1.2). The source route (`A-d-l`) is
/// obsolete: servers MUST accept it and SHOULD ignore it (§4.1.2, Appendix C); we keep it so
/// that a student can see what was sent.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Path {
    pub source_route: Vec<Domain>,
    pub mailbox: Mailbox,
}

/// `Reverse-path = Path / "<>"` (RFC 5321 §4.1.2). The null path is used by bounces (§6.1).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ReversePath {
    Null,
    Path(Path),
}

/// `Forward-path = Path`, plus the special `<Postmaster>` (no domain) that every server must
/// accept (RFC 5321 §4.1.1.3, §4.5.1). The case of "Postmaster" is kept as written.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ForwardPath {
    Postmaster(String),
    Path(Path),
}
