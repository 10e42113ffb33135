//! The syntax tree of IMAP commands (RFC 9051 §6, RFC 3501 §6): plain data, no wire details.
//!
//! Strings hold their *content* only: whether the client wrote an atom, a quoted string or a
//! literal is a matter of encoding, and [`super::encode`] picks the simplest form that can carry
//! the content, so that `parse(encode(c)) == c` for every command.

use serde::Serialize;

/// A message's number: its position in the mailbox (sequence number) or its UID.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum SeqNum {
    Num(u32),
    /// `*`: the largest number in use (RFC 9051 §9 `seq-number`).
    Largest,
}

/// One element of a sequence set: `n` or `n:m` (either order means the same range).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct SeqRange {
    pub start: SeqNum,
    pub end: Option<SeqNum>,
}

/// `sequence-set` (RFC 9051 §9): `1,3:5,7:*`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SeqSet(pub Vec<SeqRange>);

impl SeqSet {
    /// Whether `n` is in the set, `*` standing for `largest` (RFC 9051 §9: `n:m` and `m:n`
    /// are the same range; `*` in an empty mailbox stands for nothing).
    pub fn contains(&self, n: u32, largest: u32) -> bool {
        let v = |s: SeqNum| match s {
            SeqNum::Num(x) => Some(x),
            SeqNum::Largest => (largest > 0).then_some(largest),
        };
        self.0.iter().any(|r| match (v(r.start), r.end.map(v)) {
            (Some(a), None) => a == n,
            (Some(a), Some(Some(b))) => a.min(b) <= n && n <= a.max(b),
            _ => false,
        })
    }
}

/// A message flag (RFC 9051 §2.3.2): a system flag, `\*` (in PERMANENTFLAGS) or a keyword.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Flag {
    Seen,
    Answered,
    Flagged,
    Deleted,
    Draft,
    /// `\Recent` (IMAP4rev1 only, RFC 3501 §2.3.2): set by the server, never by STORE.
    Recent,
    /// `\*`: clients may create keywords (PERMANENTFLAGS only).
    Wildcard,
    /// Another `\Name` flag (a flag extension).
    Extension(String),
    /// A keyword: an atom without a backslash.
    Keyword(String),
}

/// A date without time (`date` in SEARCH, RFC 9051 §9): `4-Dec-2026`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Date {
    pub year: u16,
    /// 1–12.
    pub month: u8,
    /// 1–31.
    pub day: u8,
}

/// `date-time` (APPEND, INTERNALDATE): `"04-Dec-2026 01:30:00 +0000"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct DateTime {
    pub date: Date,
    pub hour: u8,
    pub minute: u8,
    pub second: u8,
    /// Offset from UTC in minutes (`+0130` is 90).
    pub zone_minutes: i16,
}

/// What the STATUS command asks for (RFC 9051 §6.3.11).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum StatusItem {
    Messages,
    UidNext,
    UidValidity,
    Unseen,
    Recent,
    Size,
    Deleted,
}

/// The text part of a section specifier (RFC 9051 §6.4.5 `section-msgtext`, `section-text`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum SectionText {
    Header,
    HeaderFields(Vec<String>),
    HeaderFieldsNot(Vec<String>),
    Text,
    /// `MIME`: the MIME header of a numbered part (only after a part number).
    Mime,
}

/// `section`: `BODY[1.2.HEADER]` is `part = [1, 2]`, `text = Some(Header)`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Section {
    pub part: Vec<u32>,
    pub text: Option<SectionText>,
}

/// One FETCH data item (RFC 9051 §6.4.5).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum FetchItem {
    Flags,
    Uid,
    Rfc822Size,
    InternalDate,
    Envelope,
    BodyStructure,
    /// `BODY` alone: the non-extensible body structure.
    Body,
    /// `RFC822` (= `BODY[]`), `RFC822.HEADER` (= `BODY.PEEK[HEADER]`), `RFC822.TEXT` (= `BODY[TEXT]`), IMAP4rev1.
    Rfc822,
    Rfc822Header,
    Rfc822Text,
    /// `BODY[section]<origin.count>` or `BODY.PEEK[...]` (which does not set \Seen).
    Section {
        peek: bool,
        section: Section,
        partial: Option<(u32, u32)>,
    },
}

/// The FETCH macros (RFC 9051 §6.4.5) or a list of items.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum FetchItems {
    /// `ALL` = FLAGS INTERNALDATE RFC822.SIZE ENVELOPE.
    All,
    /// `FAST` = FLAGS INTERNALDATE RFC822.SIZE.
    Fast,
    /// `FULL` = FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODY.
    Full,
    List(Vec<FetchItem>),
}

impl FetchItems {
    /// The items the macro stands for.
    pub fn expand(&self) -> Vec<FetchItem> {
        use FetchItem::*;
        match self {
            FetchItems::All => vec![Flags, InternalDate, Rfc822Size, Envelope],
            FetchItems::Fast => vec![Flags, InternalDate, Rfc822Size],
            FetchItems::Full => vec![Flags, InternalDate, Rfc822Size, Envelope, Body],
            FetchItems::List(v) => v.clone(),
        }
    }
}

/// How STORE changes flags (RFC 9051 §6.4.6).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum StoreMode {
    /// `FLAGS`
    Replace,
    /// `+FLAGS`
    Add,
    /// `-FLAGS`
    Remove,
}

/// One search key (RFC 9051 §6.4.4).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum SearchKey {
    All,
    Answered,
    Deleted,
    Draft,
    Flagged,
    Seen,
    Unanswered,
    Undeleted,
    Undraft,
    Unflagged,
    Unseen,
    /// IMAP4rev1 (RFC 3501 §6.4.4): RECENT, NEW = RECENT UNSEEN, OLD = NOT RECENT.
    Recent,
    New,
    Old,
    Keyword(String),
    Unkeyword(String),
    From(String),
    To(String),
    Cc(String),
    Bcc(String),
    Subject(String),
    Body(String),
    Text(String),
    Header(String, String),
    Since(Date),
    Before(Date),
    On(Date),
    SentSince(Date),
    SentBefore(Date),
    SentOn(Date),
    Larger(u32),
    Smaller(u32),
    Uid(SeqSet),
    Seq(SeqSet),
    Not(Box<SearchKey>),
    Or(Box<SearchKey>, Box<SearchKey>),
    /// A parenthesized list: all must match.
    And(Vec<SearchKey>),
}

/// What a command asks; the verb and its arguments.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum CommandBody {
    Capability,
    Noop,
    Logout,
    StartTls,
    Login {
        user: String,
        password: String,
    },
    /// `AUTHENTICATE mech [initial-response]` (RFC 9051 §6.2.2, SASL-IR RFC 4959).
    Authenticate {
        mechanism: String,
        initial: Option<String>,
    },
    Enable(Vec<String>),
    Select(String),
    Examine(String),
    Create(String),
    Delete(String),
    Rename {
        from: String,
        to: String,
    },
    Subscribe(String),
    Unsubscribe(String),
    List {
        reference: String,
        pattern: String,
    },
    Lsub {
        reference: String,
        pattern: String,
    },
    Status {
        mailbox: String,
        items: Vec<StatusItem>,
    },
    Append {
        mailbox: String,
        flags: Vec<Flag>,
        date: Option<DateTime>,
        message: Vec<u8>,
    },
    Idle,
    Check,
    Close,
    Unselect,
    Expunge,
    /// `UID EXPUNGE set` (RFC 4315 §2.1, RFC 9051 §6.4.9).
    UidExpunge(SeqSet),
    Search {
        uid: bool,
        charset: Option<String>,
        criteria: Vec<SearchKey>,
    },
    Fetch {
        uid: bool,
        set: SeqSet,
        items: FetchItems,
    },
    Store {
        uid: bool,
        set: SeqSet,
        mode: StoreMode,
        silent: bool,
        flags: Vec<Flag>,
    },
    Copy {
        uid: bool,
        set: SeqSet,
        mailbox: String,
    },
    Move {
        uid: bool,
        set: SeqSet,
        mailbox: String,
    },
}

/// One tagged command.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Command {
    pub tag: String,
    pub body: CommandBody,
}

/// The command names, for the catalogue, the state table and hints.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, serde::Deserialize)]
pub enum Verb {
    Capability,
    Noop,
    Logout,
    StartTls,
    Login,
    Authenticate,
    Enable,
    Select,
    Examine,
    Create,
    Delete,
    Rename,
    Subscribe,
    Unsubscribe,
    List,
    Lsub,
    Status,
    Append,
    Idle,
    Check,
    Close,
    Unselect,
    Expunge,
    Search,
    Fetch,
    Store,
    Copy,
    Move,
}

impl Verb {
    pub const ALL: [Verb; 28] = [
        Verb::Capability,
        Verb::Noop,
        Verb::Logout,
        Verb::StartTls,
        Verb::Login,
        Verb::Authenticate,
        Verb::Enable,
        Verb::Select,
        Verb::Examine,
        Verb::Create,
        Verb::Delete,
        Verb::Rename,
        Verb::Subscribe,
        Verb::Unsubscribe,
        Verb::List,
        Verb::Lsub,
        Verb::Status,
        Verb::Append,
        Verb::Idle,
        Verb::Check,
        Verb::Close,
        Verb::Unselect,
        Verb::Expunge,
        Verb::Search,
        Verb::Fetch,
        Verb::Store,
        Verb::Copy,
        Verb::Move,
    ];

    /// The command name as written on the wire (upper case).
    pub fn name(self) -> &'static str {
        match self {
            Verb::Capability => "CAPABILITY",
            Verb::Noop => "NOOP",
            Verb::Logout => "LOGOUT",
            Verb::StartTls => "STARTTLS",
            Verb::Login => "LOGIN",
            Verb::Authenticate => "AUTHENTICATE",
            Verb::Enable => "ENABLE",
            Verb::Select => "SELECT",
            Verb::Examine => "EXAMINE",
            Verb::Create => "CREATE",
            Verb::Delete => "DELETE",
            Verb::Rename => "RENAME",
            Verb::Subscribe => "SUBSCRIBE",
            Verb::Unsubscribe => "UNSUBSCRIBE",
            Verb::List => "LIST",
            Verb::Lsub => "LSUB",
            Verb::Status => "STATUS",
            Verb::Append => "APPEND",
            Verb::Idle => "IDLE",
            Verb::Check => "CHECK",
            Verb::Close => "CLOSE",
            Verb::Unselect => "UNSELECT",
            Verb::Expunge => "EXPUNGE",
            Verb::Search => "SEARCH",
            Verb::Fetch => "FETCH",
            Verb::Store => "STORE",
            Verb::Copy => "COPY",
            Verb::Move => "MOVE",
        }
    }

    /// The verb of a command name (case-insensitive, RFC 9051 §4.1... "case-insensitive").
    pub fn from_name(s: &str) -> Option<Verb> {
        Verb::ALL.into_iter().find(|v| v.name().eq_ignore_ascii_case(s))
    }
}

impl CommandBody {
    pub fn verb(&self) -> Verb {
        match self {
            CommandBody::Capability => Verb::Capability,
            CommandBody::Noop => Verb::Noop,
            CommandBody::Logout => Verb::Logout,
            CommandBody::StartTls => Verb::StartTls,
            CommandBody::Login { .. } => Verb::Login,
            CommandBody::Authenticate { .. } => Verb::Authenticate,
            CommandBody::Enable(_) => Verb::Enable,
            CommandBody::Select(_) => Verb::Select,
            CommandBody::Examine(_) => Verb::Examine,
            CommandBody::Create(_) => Verb::Create,
            CommandBody::Delete(_) => Verb::Delete,
            CommandBody::Rename { .. } => Verb::Rename,
            CommandBody::Subscribe(_) => Verb::Subscribe,
            CommandBody::Unsubscribe(_) => Verb::Unsubscribe,
            CommandBody::List { .. } => Verb::List,
            CommandBody::Lsub { .. } => Verb::Lsub,
            CommandBody::Status { .. } => Verb::Status,
            CommandBody::Append { .. } => Verb::Append,
            CommandBody::Idle => Verb::Idle,
            CommandBody::Check => Verb::Check,
            CommandBody::Close => Verb::Close,
            CommandBody::Unselect => Verb::Unselect,
            CommandBody::Expunge | CommandBody::UidExpunge(_) => Verb::Expunge,
            CommandBody::Search { .. } => Verb::Search,
            CommandBody::Fetch { .. } => Verb::Fetch,
            CommandBody::Store { .. } => Verb::Store,
            CommandBody::Copy { .. } => Verb::Copy,
            CommandBody::Move { .. } => Verb::Move,
        }
    }
}
