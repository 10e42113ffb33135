//! The syntax tree of IMAP server responses (RFC 9051 §7): status responses (tagged or
//! untagged), server data, and the `+` continuation request. Plain data; [`super::encode`]
//! writes it and [`super::parse::response`] reads it back (the scripted client uses that).

use serde::Serialize;

use super::command::{DateTime, Flag, Section, StatusItem};

/// The condition of a status response (RFC 9051 §7.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Status {
    Ok,
    No,
    Bad,
    PreAuth,
    Bye,
}

impl Status {
    pub fn name(self) -> &'static str {
        match self {
            Status::Ok => "OK",
            Status::No => "NO",
            Status::Bad => "BAD",
            Status::PreAuth => "PREAUTH",
            Status::Bye => "BYE",
        }
    }
}

/// A response code in brackets (RFC 9051 §7.1, RFC 5530, RFC 4315).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum Code {
    Alert,
    Capability(Vec<String>),
    Parse,
    PermanentFlags(Vec<Flag>),
    ReadOnly,
    ReadWrite,
    TryCreate,
    UidNext(u32),
    UidValidity(u32),
    Unseen(u32),
    /// RFC 4315 UIDPLUS: `APPENDUID uidvalidity uid`.
    AppendUid(u32, u32),
    /// RFC 4315 UIDPLUS: `COPYUID uidvalidity source-uids dest-uids` (as uid-sets).
    CopyUid(u32, String, String),
    /// RFC 5530 codes.
    AuthenticationFailed,
    AlreadyExists,
    Nonexistent,
    Cannot,
    ClientBug,
    PrivacyRequired,
    Closed,
    /// Any other `[ATOM text]`, kept as written.
    Other(String, Option<String>),
}

/// An address in an envelope (RFC 9051 §7.5.2): `(name adl mailbox host)`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Address {
    pub name: Option<String>,
    pub adl: Option<String>,
    pub mailbox: Option<String>,
    pub host: Option<String>,
}

/// The ENVELOPE of a message (RFC 9051 §7.5.2); `None` is NIL.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Envelope {
    pub date: Option<String>,
    pub subject: Option<String>,
    pub from: Vec<Address>,
    pub sender: Vec<Address>,
    pub reply_to: Vec<Address>,
    pub to: Vec<Address>,
    pub cc: Vec<Address>,
    pub bcc: Vec<Address>,
    pub in_reply_to: Option<String>,
    pub message_id: Option<String>,
}

/// `body-fld-dsp`: `("attachment" ("filename" "x.pdf"))`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Disposition {
    pub kind: String,
    pub params: Vec<(String, String)>,
}

/// The extension data BODYSTRUCTURE adds to BODY (RFC 9051 §7.5.2 `body-ext-1part`,
/// `body-ext-mpart`): MD5 (single parts only), disposition, language, location.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Extension {
    pub md5: Option<String>,
    pub disposition: Option<Disposition>,
    pub language: Vec<String>,
    pub location: Option<String>,
}

/// A non-multipart body (RFC 9051 §7.5.2 `body-type-1part`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SinglePart {
    /// Upper-case as servers send it: `TEXT`, `APPLICATION`, ...
    pub media_type: String,
    pub subtype: String,
    pub params: Vec<(String, String)>,
    pub id: Option<String>,
    pub description: Option<String>,
    pub encoding: String,
    /// Octets of the body as transferred (still encoded).
    pub size: u32,
    /// For `message/rfc822`: the inner message's envelope and structure.
    pub message: Option<Box<(Envelope, BodyStructure)>>,
    /// Lines of the encoded body: for `text/*` and `message/rfc822`.
    pub lines: Option<u32>,
    pub ext: Option<Extension>,
}

/// A body structure (RFC 9051 §7.5.2 `body`): one part, or a multipart of parts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum BodyStructure {
    Single(SinglePart),
    Multi {
        parts: Vec<BodyStructure>,
        subtype: String,
        /// `body-ext-mpart`: the Content-Type parameters first, then the common extension.
        ext: Option<(Vec<(String, String)>, Extension)>,
    },
}

impl BodyStructure {
    /// Depth-first walk with IMAP part numbers (RFC 9051 §6.4.5: `1`, `2.1`, ...). A message's
    /// top-level single part is part `1`; the parts of a multipart are numbered from 1.
    pub fn parts(&self) -> Vec<(Vec<u32>, &SinglePart)> {
        fn walk<'a>(b: &'a BodyStructure, at: Vec<u32>, out: &mut Vec<(Vec<u32>, &'a SinglePart)>) {
            match b {
                BodyStructure::Single(s) => out.push((if at.is_empty() { vec![1] } else { at }, s)),
                BodyStructure::Multi { parts, .. } => {
                    for (i, p) in parts.iter().enumerate() {
                        let mut n = at.clone();
                        n.push(i as u32 + 1);
                        walk(p, n, out);
                    }
                }
            }
        }
        let mut out = Vec::new();
        walk(self, Vec::new(), &mut out);
        out
    }
}

/// One FETCH response item (RFC 9051 §7.5.2 `msg-att`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum FetchValue {
    Flags(Vec<Flag>),
    Uid(u32),
    Rfc822Size(u64),
    InternalDate(DateTime),
    Envelope(Box<Envelope>),
    BodyStructure(Box<BodyStructure>),
    /// `BODY` without a section: the structure without extension data.
    Body(Box<BodyStructure>),
    /// `BODY[section]<origin> nstring`.
    Section {
        section: Section,
        origin: Option<u32>,
        data: Option<Vec<u8>>,
    },
    /// `RFC822`, `RFC822.HEADER`, `RFC822.TEXT` (IMAP4rev1).
    Rfc822(Option<Vec<u8>>),
    Rfc822Header(Option<Vec<u8>>),
    Rfc822Text(Option<Vec<u8>>),
}

/// Server data: untagged responses that carry facts (RFC 9051 §7.2–§7.5).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum Data {
    Capability(Vec<String>),
    Enabled(Vec<String>),
    /// `LIST` (or `LSUB` with `lsub`): attributes, hierarchy delimiter, name.
    List {
        lsub: bool,
        attributes: Vec<String>,
        delimiter: Option<char>,
        name: String,
    },
    Status {
        mailbox: String,
        items: Vec<(StatusItem, u64)>,
    },
    Search(Vec<u32>),
    Flags(Vec<Flag>),
    Exists(u32),
    Recent(u32),
    Expunge(u32),
    Fetch {
        seq: u32,
        items: Vec<FetchValue>,
    },
}

/// One response line (with any literals it carries).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum Response {
    /// `tag OK/NO/BAD [code] text`, or untagged (`tag: None`) `* OK/NO/BAD/PREAUTH/BYE ...`.
    Status {
        tag: Option<String>,
        status: Status,
        code: Option<Code>,
        text: String,
    },
    Data(Data),
    /// `+ text`: go on (send the literal, the SASL response, or `DONE` to end IDLE).
    Continue(String),
}
