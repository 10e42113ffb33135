//! The one mailbox store that SMTP delivery, POP3 and IMAP share: accounts → folders →
//! messages, with the bookkeeping IMAP needs (UID, UIDVALIDITY, UIDNEXT, flags, \Recent) and
//! the counts POP3 needs (sizes in octets with CRLF line ends).
//!
//! Sans-IO and deterministic: no clock (an internal date is an argument, seconds since the Unix
//! epoch), no files. Every change is also recorded as a typed [`Change`] that the caller drains
//! with [`Store::take_changes`] — `smtp-sim serve` applies them to Maildirs
//! (`cli/mailstore.rs`), the simulation can show them. Message bytes are `Arc<[u8]>`, so a
//! snapshot, a COPY or a RETR shares them instead of copying, also across threads.
//!
//! Rules kept here, so every protocol gets them the same way:
//! - UIDs in a folder are strictly ascending in arrival order and never reused; UIDNEXT only
//!   grows (RFC 9051 §2.3.1.1).
//! - UIDVALIDITY differs between folders and stays the same for the life of a folder; a folder
//!   deleted and created again under the same name gets a new one (RFC 9051 §2.3.1.1).
//! - Expunge removes only messages flagged \Deleted (RFC 9051 §6.4.3), and reports each with the
//!   sequence number it had at that moment, in the order an IMAP server sends `* n EXPUNGE`
//!   (RFC 9051 §7.5.1). POP3's UPDATE state (RFC 1939 §6) flags its DELE'd messages \Deleted
//!   and expunges exactly those UIDs.
//! - \Recent is a session notion (RFC 3501 §2.3.2): a message is recent until the first session
//!   opens its folder and [`Store::claim_recent`]s it.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

/// A message's unique identifier within one folder (RFC 9051 §2.3.1.1): never 0.
pub type Uid = u32;

/// One IMAP system flag that the store keeps per message (RFC 9051 §2.3.2). \Recent is not one
/// of them: it belongs to a session, see [`Store::claim_recent`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Flag {
    Seen,
    Answered,
    Flagged,
    Deleted,
    Draft,
}

impl Flag {
    pub const ALL: [Flag; 5] = [Flag::Seen, Flag::Answered, Flag::Flagged, Flag::Deleted, Flag::Draft];

    fn bit(self) -> u8 {
        match self {
            Flag::Seen => 1,
            Flag::Answered => 2,
            Flag::Flagged => 4,
            Flag::Deleted => 8,
            Flag::Draft => 16,
        }
    }

    /// The IMAP spelling, `\Seen` etc.
    pub fn imap_name(self) -> &'static str {
        match self {
            Flag::Seen => "\\Seen",
            Flag::Answered => "\\Answered",
            Flag::Flagged => "\\Flagged",
            Flag::Deleted => "\\Deleted",
            Flag::Draft => "\\Draft",
        }
    }

    /// The IMAP spelling back, case-insensitive (RFC 9051 §9: flag names are atoms, compared
    /// without regard to case).
    pub fn from_imap_name(name: &str) -> Option<Flag> {
        Flag::ALL.into_iter().find(|f| f.imap_name().eq_ignore_ascii_case(name))
    }

    /// The Maildir info letter (<https://cr.yp.to/proto/maildir.html>): D(raft), F(lagged),
    /// R(eplied), S(een), T(rashed). IMAP \Deleted is T until the file is expunged.
    pub fn maildir_letter(self) -> char {
        match self {
            Flag::Draft => 'D',
            Flag::Flagged => 'F',
            Flag::Answered => 'R',
            Flag::Seen => 'S',
            Flag::Deleted => 'T',
        }
    }

    pub fn from_maildir_letter(c: char) -> Option<Flag> {
        Flag::ALL.into_iter().find(|f| f.maildir_letter() == c)
    }
}

/// A set of [`Flag`]s.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Flags(u8);

impl Flags {
    pub const EMPTY: Flags = Flags(0);

    pub fn of(flags: &[Flag]) -> Flags {
        flags.iter().fold(Flags::EMPTY, |acc, f| acc.with(*f))
    }
    pub fn contains(self, f: Flag) -> bool {
        self.0 & f.bit() != 0
    }
    pub fn with(self, f: Flag) -> Flags {
        Flags(self.0 | f.bit())
    }
    pub fn without(self, f: Flag) -> Flags {
        Flags(self.0 & !f.bit())
    }
    pub fn union(self, o: Flags) -> Flags {
        Flags(self.0 | o.0)
    }
    pub fn minus(self, o: Flags) -> Flags {
        Flags(self.0 & !o.0)
    }
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
    /// The flags in the order of [`Flag::ALL`].
    pub fn iter(self) -> impl Iterator<Item = Flag> {
        Flag::ALL.into_iter().filter(move |f| self.contains(*f))
    }

    /// The Maildir info letters in ASCII order, as the convention requires (`"FS"`, not `"SF"`).
    pub fn maildir_letters(self) -> String {
        let mut letters: Vec<char> = self.iter().map(Flag::maildir_letter).collect();
        letters.sort_unstable();
        letters.into_iter().collect()
    }
}

/// How [`Store::set_flags`] changes the flags (IMAP STORE `FLAGS`, `+FLAGS`, `-FLAGS`,
/// RFC 9051 §6.4.6).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FlagOp {
    Replace,
    Add,
    Remove,
}

/// The special use of a folder (RFC 6154), announced in IMAP LIST.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SpecialUse {
    Sent,
    Trash,
}

impl SpecialUse {
    /// The LIST attribute, `\Sent` or `\Trash` (RFC 6154 §2).
    pub fn attribute(self) -> &'static str {
        match self {
            SpecialUse::Sent => "\\Sent",
            SpecialUse::Trash => "\\Trash",
        }
    }
    /// The folder name a new account gets for it.
    pub fn default_name(self) -> &'static str {
        match self {
            SpecialUse::Sent => "Sent",
            SpecialUse::Trash => "Trash",
        }
    }
}

/// One stored message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    pub uid: Uid,
    pub flags: Flags,
    /// Not yet seen by any session that opened the folder (IMAP \Recent, Maildir `new/`).
    pub recent: bool,
    /// When the message arrived, in seconds since the Unix epoch (IMAP INTERNALDATE).
    pub internal_date: i64,
    /// The message with CRLF line ends; its length is the size POP3 and IMAP report.
    pub bytes: Arc<[u8]>,
}

impl Message {
    /// The size in octets, CRLF line ends counted as two (RFC 1939 §5 LIST, RFC 9051 RFC822.SIZE).
    pub fn size(&self) -> u64 {
        self.bytes.len() as u64
    }
}

/// One folder (IMAP mailbox).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Folder {
    pub name: String,
    pub special_use: Option<SpecialUse>,
    pub subscribed: bool,
    pub uid_validity: u32,
    pub uid_next: Uid,
    /// In ascending UID order; the index + 1 is the sequence number.
    pub messages: Vec<Message>,
}

impl Folder {
    /// The position of a UID, if the message is there.
    pub fn index_of(&self, uid: Uid) -> Option<usize> {
        self.messages.binary_search_by_key(&uid, |m| m.uid).ok()
    }
    pub fn get(&self, uid: Uid) -> Option<&Message> {
        self.index_of(uid).map(|i| &self.messages[i])
    }
    /// Messages without \Seen.
    pub fn unseen(&self) -> usize {
        self.messages.iter().filter(|m| !m.flags.contains(Flag::Seen)).count()
    }
    pub fn recent(&self) -> usize {
        self.messages.iter().filter(|m| m.recent).count()
    }
}

/// One account: its folders, INBOX first, the others by name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Account {
    pub user: String,
    folders: Vec<Folder>,
}

impl Account {
    pub fn folders(&self) -> &[Folder] {
        &self.folders
    }
    /// A folder by name; `INBOX` in any case is the inbox (RFC 9051 §5.1).
    pub fn folder(&self, name: &str) -> Option<&Folder> {
        self.folders.iter().find(|f| same_folder(&f.name, name))
    }
    fn folder_mut(&mut self, name: &str) -> Option<&mut Folder> {
        self.folders.iter_mut().find(|f| same_folder(&f.name, name))
    }
}

/// The inbox's name; the only case-insensitive folder name (RFC 9051 §5.1).
pub const INBOX: &str = "INBOX";

fn same_folder(a: &str, b: &str) -> bool {
    if a.eq_ignore_ascii_case(INBOX) {
        b.eq_ignore_ascii_case(INBOX)
    } else {
        a == b
    }
}

/// A message that left a folder through expunge.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Expunged {
    pub uid: Uid,
    /// Its sequence number at the moment it was removed (after the removals before it), which
    /// is what `* n EXPUNGE` says (RFC 9051 §7.5.1).
    pub seq: u32,
}

/// One change to the store, in the order it happened. Drained by the caller with
/// [`Store::take_changes`]; `smtp-sim serve` writes each to the Maildirs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    AccountCreated {
        user: String,
    },
    FolderCreated {
        user: String,
        folder: String,
    },
    FolderDeleted {
        user: String,
        folder: String,
    },
    FolderRenamed {
        user: String,
        from: String,
        to: String,
    },
    Subscribed {
        user: String,
        folder: String,
        subscribed: bool,
    },
    MessageAdded {
        user: String,
        folder: String,
        uid: Uid,
    },
    FlagsChanged {
        user: String,
        folder: String,
        uid: Uid,
        flags: Flags,
    },
    /// The first session opened the folder: the message is no longer recent (Maildir: `new/` →
    /// `cur/`).
    RecentClaimed {
        user: String,
        folder: String,
        uid: Uid,
    },
    Expunged {
        user: String,
        folder: String,
        uid: Uid,
    },
}

/// Why an operation was refused; each says what to do instead.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StoreError {
    NoSuchAccount(String),
    AccountExists(String),
    NoSuchFolder(String),
    FolderExists(String),
    /// INBOX cannot be deleted (RFC 9051 §6.3.5).
    CannotDeleteInbox,
    /// A folder name that is empty, too long, or has control characters or a path step.
    BadFolderName(String),
    /// The same folder as source and destination of a MOVE.
    SameFolder(String),
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreError::NoSuchAccount(u) => write!(f, "there is no account {u:?}"),
            StoreError::AccountExists(u) => write!(f, "the account {u:?} exists already"),
            StoreError::NoSuchFolder(n) => write!(f, "there is no folder {n:?} (LIST shows the folders there are)"),
            StoreError::FolderExists(n) => write!(f, "a folder {n:?} exists already"),
            StoreError::CannotDeleteInbox => write!(f, "INBOX cannot be deleted (RFC 9051 §6.3.5); delete its messages instead"),
            StoreError::BadFolderName(n) => {
                write!(f, "{n:?} is not a usable folder name: use 1 to 200 printable characters, no leading dot, no \"..\" and no slash")
            }
            StoreError::SameFolder(n) => write!(f, "cannot move messages from {n:?} to itself"),
        }
    }
}

impl std::error::Error for StoreError {}

/// Result of [`Store::copy`]: the source UIDs and the UIDs of their copies (RFC 4315 COPYUID).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Copied {
    pub uid_validity: u32,
    pub pairs: Vec<(Uid, Uid)>,
}

/// Result of [`Store::move_messages`]: the copies and what left the source folder.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Moved {
    pub copied: Copied,
    pub expunged: Vec<Expunged>,
}

/// The store: accounts by user name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Store {
    accounts: BTreeMap<String, Account>,
    /// The UIDVALIDITY the next new folder gets; only grows, so no two folders share one.
    next_uid_validity: u32,
    changes: Vec<Change>,
}

impl Default for Store {
    fn default() -> Self {
        Store::new(1)
    }
}

/// Turn bare LF (and bare CR) into CRLF, so that sizes are counted the way POP3 and IMAP send
/// the message (RFC 1939 §3, RFC 9051 §2.3.4: CRLF line ends).
pub fn crlf(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() + bytes.len() / 32);
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\r' if bytes.get(i + 1) == Some(&b'\n') => {
                out.extend_from_slice(b"\r\n");
                i += 2;
                continue;
            }
            b'\r' | b'\n' => out.extend_from_slice(b"\r\n"),
            b => out.push(b),
        }
        i += 1;
    }
    out
}

/// Is `name` a folder name the store accepts? (Printable, at most 200 characters, no `/`, no
/// leading `.`, no `..`: names end up as directory names in `smtp-sim serve`.)
pub fn valid_folder_name(name: &str) -> bool {
    !name.is_empty()
        && name.chars().count() <= 200
        && !name.starts_with('.')
        && !name.contains("..")
        && !name.contains('/')
        && !name.chars().any(|c| c.is_control())
}

impl Store {
    /// An empty store; the first folder created gets UIDVALIDITY `first_uid_validity` (at least 1),
    /// the next one more. `smtp-sim serve` starts from the clock, as Dovecot does, so that a
    /// folder recreated after a restart cannot get an old value.
    pub fn new(first_uid_validity: u32) -> Store {
        Store { accounts: BTreeMap::new(), next_uid_validity: first_uid_validity.max(1), changes: Vec::new() }
    }

    /// The changes since the last call, oldest first.
    pub fn take_changes(&mut self) -> Vec<Change> {
        std::mem::take(&mut self.changes)
    }

    pub fn account(&self, user: &str) -> Option<&Account> {
        self.accounts.get(user)
    }
    pub fn users(&self) -> impl Iterator<Item = &str> {
        self.accounts.keys().map(String::as_str)
    }
    pub fn folder(&self, user: &str, folder: &str) -> Result<&Folder, StoreError> {
        let account = self.accounts.get(user).ok_or_else(|| StoreError::NoSuchAccount(user.into()))?;
        account.folder(folder).ok_or_else(|| StoreError::NoSuchFolder(folder.into()))
    }
    fn folder_mut(&mut self, user: &str, folder: &str) -> Result<&mut Folder, StoreError> {
        let account = self.accounts.get_mut(user).ok_or_else(|| StoreError::NoSuchAccount(user.into()))?;
        account.folder_mut(folder).ok_or_else(|| StoreError::NoSuchFolder(folder.into()))
    }

    fn fresh_uid_validity(&mut self) -> u32 {
        let v = self.next_uid_validity;
        self.next_uid_validity = v.checked_add(1).unwrap_or(1);
        v
    }

    /// A new account with INBOX, Sent (\Sent) and Trash (\Trash), all subscribed.
    pub fn create_account(&mut self, user: &str) -> Result<(), StoreError> {
        if self.accounts.contains_key(user) {
            return Err(StoreError::AccountExists(user.into()));
        }
        self.accounts.insert(user.to_string(), Account { user: user.to_string(), folders: Vec::new() });
        self.changes.push(Change::AccountCreated { user: user.into() });
        self.create_folder(user, INBOX)?;
        for use_ in [SpecialUse::Sent, SpecialUse::Trash] {
            self.create_folder(user, use_.default_name())?;
            self.folder_mut(user, use_.default_name())?.special_use = Some(use_);
        }
        Ok(())
    }

    /// An account restored as it was, replacing what the store had for it (used by
    /// `smtp-sim serve` to load the Maildirs before every operation): no changes are recorded.
    /// UIDVALIDITY values seen here are not handed out again.
    pub fn restore_account(&mut self, user: &str, mut folders: Vec<Folder>) {
        for f in &folders {
            self.next_uid_validity = self.next_uid_validity.max(f.uid_validity.saturating_add(1));
        }
        sort_folders(&mut folders);
        self.accounts.insert(user.to_string(), Account { user: user.to_string(), folders });
    }

    /// A UIDVALIDITY no folder of this store had, for a folder found without one (a Maildir
    /// made by another program).
    pub fn new_uid_validity(&mut self) -> u32 {
        self.fresh_uid_validity()
    }

    /// A new empty folder (IMAP CREATE, RFC 9051 §6.3.4), subscribed.
    pub fn create_folder(&mut self, user: &str, name: &str) -> Result<(), StoreError> {
        if !valid_folder_name(name) {
            return Err(StoreError::BadFolderName(name.into()));
        }
        let validity = self.fresh_uid_validity();
        let account = self.accounts.get_mut(user).ok_or_else(|| StoreError::NoSuchAccount(user.into()))?;
        if account.folder(name).is_some() {
            return Err(StoreError::FolderExists(name.into()));
        }
        let name = if name.eq_ignore_ascii_case(INBOX) { INBOX.to_string() } else { name.to_string() };
        account.folders.push(Folder {
            name: name.clone(),
            special_use: None,
            subscribed: true,
            uid_validity: validity,
            uid_next: 1,
            messages: Vec::new(),
        });
        sort_folders(&mut account.folders);
        self.changes.push(Change::FolderCreated { user: user.into(), folder: name });
        Ok(())
    }

    /// Remove a folder and its messages (IMAP DELETE, RFC 9051 §6.3.5). INBOX stays.
    pub fn delete_folder(&mut self, user: &str, name: &str) -> Result<(), StoreError> {
        if name.eq_ignore_ascii_case(INBOX) {
            return Err(StoreError::CannotDeleteInbox);
        }
        let account = self.accounts.get_mut(user).ok_or_else(|| StoreError::NoSuchAccount(user.into()))?;
        let before = account.folders.len();
        account.folders.retain(|f| f.name != name);
        if account.folders.len() == before {
            return Err(StoreError::NoSuchFolder(name.into()));
        }
        self.changes.push(Change::FolderDeleted { user: user.into(), folder: name.into() });
        Ok(())
    }

    /// Rename a folder (IMAP RENAME, RFC 9051 §6.3.6): it keeps its UIDVALIDITY and messages.
    /// Renaming INBOX moves its messages into a new folder and leaves INBOX empty, with a new
    /// UIDVALIDITY (its UIDs restart).
    pub fn rename_folder(&mut self, user: &str, from: &str, to: &str) -> Result<(), StoreError> {
        if !valid_folder_name(to) || to.eq_ignore_ascii_case(INBOX) {
            return Err(StoreError::BadFolderName(to.into()));
        }
        let fresh = self.fresh_uid_validity();
        let account = self.accounts.get_mut(user).ok_or_else(|| StoreError::NoSuchAccount(user.into()))?;
        if account.folder(to).is_some() {
            return Err(StoreError::FolderExists(to.into()));
        }
        let Some(folder) = account.folder_mut(from) else {
            return Err(StoreError::NoSuchFolder(from.into()));
        };
        if folder.name == INBOX {
            // RFC 9051 §6.3.6: renaming INBOX moves all its messages to the new name; INBOX stays, empty.
            let mut moved = folder.clone();
            moved.name = to.to_string();
            moved.special_use = None;
            *folder =
                Folder { name: INBOX.into(), special_use: None, subscribed: true, uid_validity: fresh, uid_next: 1, messages: Vec::new() };
            account.folders.push(moved);
        } else {
            folder.name = to.to_string();
        }
        sort_folders(&mut account.folders);
        self.changes.push(Change::FolderRenamed { user: user.into(), from: from.into(), to: to.into() });
        Ok(())
    }

    /// IMAP SUBSCRIBE / UNSUBSCRIBE (RFC 9051 §6.3.7, §6.3.8).
    pub fn subscribe(&mut self, user: &str, name: &str, subscribed: bool) -> Result<(), StoreError> {
        let folder = self.folder_mut(user, name)?;
        folder.subscribed = subscribed;
        let folder = folder.name.clone();
        self.changes.push(Change::Subscribed { user: user.into(), folder, subscribed });
        Ok(())
    }

    /// SMTP final delivery: the message goes into INBOX, recent and unseen. Returns its UID.
    pub fn deliver(&mut self, user: &str, bytes: &[u8], internal_date: i64) -> Result<Uid, StoreError> {
        self.add(user, INBOX, crlf(bytes).into(), Flags::EMPTY, internal_date, true)
    }

    /// IMAP APPEND (RFC 9051 §6.3.12): a message with the given flags. Returns its UID.
    pub fn append(&mut self, user: &str, folder: &str, bytes: &[u8], flags: Flags, internal_date: i64) -> Result<Uid, StoreError> {
        self.add(user, folder, crlf(bytes).into(), flags, internal_date, true)
    }

    fn add(
        &mut self,
        user: &str,
        folder: &str,
        bytes: Arc<[u8]>,
        flags: Flags,
        internal_date: i64,
        recent: bool,
    ) -> Result<Uid, StoreError> {
        let f = self.folder_mut(user, folder)?;
        let uid = f.uid_next;
        // RFC 9051 §2.3.1.1: UIDs ascend strictly and are never reused.
        f.uid_next = uid.saturating_add(1);
        f.messages.push(Message { uid, flags, recent, internal_date, bytes });
        let folder = f.name.clone();
        self.changes.push(Change::MessageAdded { user: user.into(), folder, uid });
        Ok(uid)
    }

    /// Change the flags of the messages with these UIDs (IMAP STORE, RFC 9051 §6.4.6; POP3
    /// DELE at UPDATE sets \Deleted). UIDs that are not there are skipped (RFC 9051 §6.4.9: a
    /// UID range may name messages that no longer exist). Returns each message's new flags.
    pub fn set_flags(&mut self, user: &str, folder: &str, uids: &[Uid], op: FlagOp, flags: Flags) -> Result<Vec<(Uid, Flags)>, StoreError> {
        let f = self.folder_mut(user, folder)?;
        let name = f.name.clone();
        let mut out = Vec::new();
        let mut changes = Vec::new();
        for &uid in uids {
            let Some(i) = f.index_of(uid) else { continue };
            let m = &mut f.messages[i];
            let new = match op {
                FlagOp::Replace => flags,
                FlagOp::Add => m.flags.union(flags),
                FlagOp::Remove => m.flags.minus(flags),
            };
            if new != m.flags {
                m.flags = new;
                changes.push(Change::FlagsChanged { user: user.into(), folder: name.clone(), uid, flags: new });
            }
            out.push((uid, new));
        }
        self.changes.extend(changes);
        Ok(out)
    }

    /// The first session to open a folder takes its recent messages: they are \Recent in that
    /// session and no other (RFC 3501 §2.3.2). Returns their UIDs.
    pub fn claim_recent(&mut self, user: &str, folder: &str) -> Result<Vec<Uid>, StoreError> {
        let f = self.folder_mut(user, folder)?;
        let name = f.name.clone();
        let mut uids = Vec::new();
        for m in f.messages.iter_mut().filter(|m| m.recent) {
            m.recent = false;
            uids.push(m.uid);
        }
        self.changes.extend(uids.iter().map(|&uid| Change::RecentClaimed { user: user.into(), folder: name.clone(), uid }));
        Ok(uids)
    }

    /// Copy messages into another folder (IMAP COPY, RFC 9051 §6.4.7): same bytes (shared),
    /// flags and internal date, new UIDs there; the copies are recent in the destination.
    pub fn copy(&mut self, user: &str, from: &str, uids: &[Uid], to: &str) -> Result<Copied, StoreError> {
        let src = self.folder(user, from)?;
        let picked: Vec<Message> = uids.iter().filter_map(|&u| src.get(u).cloned()).collect();
        let uid_validity = self.folder(user, to)?.uid_validity;
        let mut pairs = Vec::new();
        for m in picked {
            let new = self.add(user, to, Arc::clone(&m.bytes), m.flags, m.internal_date, true)?;
            pairs.push((m.uid, new));
        }
        Ok(Copied { uid_validity, pairs })
    }

    /// Move messages (IMAP MOVE, RFC 9051 §6.4.8): copy, then remove from the source exactly these
    /// messages, whatever their flags.
    pub fn move_messages(&mut self, user: &str, from: &str, uids: &[Uid], to: &str) -> Result<Moved, StoreError> {
        if same_folder(&self.folder(user, from)?.name, &self.folder(user, to)?.name) {
            return Err(StoreError::SameFolder(from.into()));
        }
        let copied = self.copy(user, from, uids, to)?;
        let moved: Vec<Uid> = copied.pairs.iter().map(|(old, _)| *old).collect();
        let expunged = self.remove(user, from, |m| moved.binary_search(&m.uid).is_ok())?;
        Ok(Moved { copied, expunged })
    }

    /// Remove the messages flagged \Deleted (IMAP EXPUNGE and CLOSE, RFC 9051 §6.4.3), or with
    /// `only`, just those of the given UIDs that are flagged \Deleted (UID EXPUNGE, RFC 9051
    /// §6.4.9; POP3 UPDATE, RFC 1939 §6). Returns what was removed, in `* n EXPUNGE` order.
    pub fn expunge(&mut self, user: &str, folder: &str, only: Option<&[Uid]>) -> Result<Vec<Expunged>, StoreError> {
        let mut only: Option<Vec<Uid>> = only.map(<[Uid]>::to_vec);
        if let Some(o) = only.as_mut() {
            o.sort_unstable();
        }
        self.remove(user, folder, |m| m.flags.contains(Flag::Deleted) && only.as_ref().is_none_or(|o| o.binary_search(&m.uid).is_ok()))
    }

    fn remove(&mut self, user: &str, folder: &str, mut doomed: impl FnMut(&Message) -> bool) -> Result<Vec<Expunged>, StoreError> {
        let f = self.folder_mut(user, folder)?;
        let name = f.name.clone();
        let mut out = Vec::new();
        let mut kept = Vec::with_capacity(f.messages.len());
        for m in f.messages.drain(..) {
            if doomed(&m) {
                // Sequence numbers shift down after each removal: the kept ones so far + 1.
                out.push(Expunged { uid: m.uid, seq: kept.len() as u32 + 1 });
            } else {
                kept.push(m);
            }
        }
        f.messages = kept;
        self.changes.extend(out.iter().map(|e| Change::Expunged { user: user.into(), folder: name.clone(), uid: e.uid }));
        Ok(out)
    }
}

/// INBOX first, then by name, so LIST answers in a stable order.
fn sort_folders(folders: &mut [Folder]) {
    folders.sort_by(|a, b| (a.name != INBOX, &a.name).cmp(&(b.name != INBOX, &b.name)));
}

#[cfg(test)]
mod tests;
