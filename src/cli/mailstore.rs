//! The mailbox store on disk for `smtp-sim serve`: the [`Store`] kept in step with the Maildirs
//! that SMTP delivery writes (`maildir.rs`), so SMTP, POP3 and IMAP see the same mail, and so
//! does any other Maildir program.
//!
//! Layout (Maildir++, as Dovecot and Courier use it): a user's INBOX is `DIR/<user>/{tmp,new,cur}`,
//! another folder `F` is `DIR/<user>/.F/{tmp,new,cur}`; `DIR/<user>/subscriptions` lists the
//! subscribed folders, one per line. A message in `new/` has not been seen by any session yet
//! (IMAP \Recent); the first session that opens its folder moves it to `cur/` and gives it the
//! info suffix `:2,` + flag letters in ASCII order: D(raft) F(lagged) P(assed) R(eplied = IMAP
//! \Answered) S(een) T(rashed = IMAP \Deleted until expunge removes the file). Letters the store
//! does not know (P) are kept.
//!
//! UIDs and UIDVALIDITY are persisted per folder in `smtp-sim-uidlist` (the idea of Dovecot's
//! `dovecot-uidlist`, simpler): a first line `smtp-sim-uidlist 1 V<uidvalidity> N<uidnext>`, then
//! one line `<uid> <base name>` per message, where the base name is the file name without its
//! `:2,` info (it does not change when flags do). A file found without a line gets the next
//! UID (in order of modification time, then name); a line whose file is gone is dropped. A folder
//! found without the file gets a UIDVALIDITY no folder had, from the clock at start (as Dovecot
//! does), so a deleted and recreated folder cannot be mistaken for the old one.
//!
//! Concurrency: one mutex. Every [`MailStore::with`] locks, reads the user's folders from disk
//! (message bytes are read once and cached by base name), runs the operation on the [`Store`],
//! and writes the store's [`Change`]s back (new files through `tmp/`, flag changes as renames,
//! expunges as deletions) before unlocking. SMTP delivery does not take the lock: it only ever
//! adds complete files to `new/` by an atomic rename, which the next read picks up. One
//! `smtp-sim serve` per Maildir directory: two processes would each hand out UIDs.

use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, UNIX_EPOCH};

use super::maildir::{self, Maildirs};
use crate::store::{self, Change, Flag, Flags, Folder, Message, SpecialUse, Store, Uid, INBOX};

/// The name of the per-folder UID file.
pub const UIDLIST: &str = "smtp-sim-uidlist";
const UIDLIST_HEADER: &str = "smtp-sim-uidlist 1";

/// The Maildirs as one shared [`Store`].
pub struct MailStore {
    maildirs: Maildirs,
    inner: Mutex<Inner>,
}

struct Inner {
    store: Store,
    /// Message bytes by base name, so a file is read once.
    cache: HashMap<String, (Arc<[u8]>, i64)>,
    /// Where each message of each folder lives: (user, folder) → UID → file.
    files: HashMap<(String, String), DiskFolder>,
}

/// One folder as found on disk.
#[derive(Clone, Debug, Default)]
struct DiskFolder {
    uid_validity: u32,
    uid_next: Uid,
    entries: BTreeMap<Uid, Entry>,
}

#[derive(Clone, Debug)]
struct Entry {
    /// The file name without its `:2,` info; stays the same when the flags change.
    base: String,
    /// The file name as it is now, under `new/` or `cur/`.
    name: String,
    in_new: bool,
    /// Info letters the store has no flag for (such as P), kept as they were.
    other_letters: String,
}

impl MailStore {
    /// Open the Maildirs under `maildirs` for these users, creating INBOX, Sent and Trash where
    /// missing.
    pub fn open(maildirs: Maildirs, users: &[String]) -> io::Result<MailStore> {
        let store = Store::new(u32::try_from(maildir::now_seconds()).unwrap_or(1));
        let ms = MailStore { maildirs, inner: Mutex::new(Inner { store, cache: HashMap::new(), files: HashMap::new() }) };
        for user in users {
            for f in [INBOX, SpecialUse::Sent.default_name(), SpecialUse::Trash.default_name()] {
                let dir = ms.folder_dir(user, f);
                for sub in ["tmp", "new", "cur"] {
                    fs::create_dir_all(dir.join(sub))?;
                }
            }
            ms.with(user, |_| ())?;
        }
        Ok(ms)
    }

    /// The Maildir root.
    pub fn root(&self) -> &Path {
        self.maildirs.root()
    }

    /// The directory of a folder: `DIR/<user>` for INBOX, `DIR/<user>/.<name>` otherwise.
    pub fn folder_dir(&self, user: &str, folder: &str) -> PathBuf {
        let home = self.root().join(user);
        if folder.eq_ignore_ascii_case(INBOX) {
            home
        } else {
            home.join(format!(".{folder}"))
        }
    }

    /// Run `op` on the user's mail as it is on disk now, then write what it changed. The lock is
    /// held throughout, so concurrent POP3 and IMAP sessions see each other's changes whole.
    pub fn with<R>(&self, user: &str, op: impl FnOnce(&mut Store) -> R) -> io::Result<R> {
        let mut guard = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        let inner = &mut *guard;
        self.load(inner, user)?;
        let result = op(&mut inner.store);
        let changes = inner.store.take_changes();
        self.save(inner, user, &changes)?;
        Ok(result)
    }

    /// Read the user's folders from disk into the store.
    fn load(&self, inner: &mut Inner, user: &str) -> io::Result<()> {
        let home = self.root().join(user);
        fs::create_dir_all(&home)?;
        let mut names = vec![INBOX.to_string()];
        for entry in fs::read_dir(&home)? {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if let Some(folder) = name.strip_prefix('.') {
                if store::valid_folder_name(folder) && entry.path().join("cur").is_dir() {
                    names.push(folder.to_string());
                }
            }
        }
        let subscriptions = read_subscriptions(&home);
        let mut folders = Vec::new();
        inner.files.retain(|(u, _), _| u != user);
        for name in names {
            let dir = self.folder_dir(user, &name);
            let disk = scan_folder(&dir, &mut inner.store)?;
            let mut messages = Vec::new();
            for (&uid, e) in &disk.entries {
                let path = entry_path(&dir, e);
                let (bytes, date) = match inner.cache.get(&e.base) {
                    Some(hit) => hit.clone(),
                    None => {
                        let raw = fs::read(&path)?;
                        let date = fs::metadata(&path)?.modified()?.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64);
                        let hit: (Arc<[u8]>, i64) = (store::crlf(&raw).into(), date);
                        inner.cache.insert(e.base.clone(), hit.clone());
                        hit
                    }
                };
                let flags = info_flags(&path);
                messages.push(Message { uid, flags, recent: e.in_new, internal_date: date, bytes });
            }
            let special_use = [SpecialUse::Sent, SpecialUse::Trash].into_iter().find(|s| s.default_name() == name);
            let subscribed = subscriptions.as_ref().is_none_or(|s| s.iter().any(|n| n == &name));
            folders.push(Folder {
                name: name.clone(),
                special_use,
                subscribed,
                uid_validity: disk.uid_validity,
                uid_next: disk.uid_next,
                messages,
            });
            inner.files.insert((user.to_string(), name), disk);
        }
        inner.store.restore_account(user, folders);
        inner.store.take_changes();
        Ok(())
    }

    /// Make the disk say what the store says, after `changes`.
    fn save(&self, inner: &mut Inner, user: &str, changes: &[Change]) -> io::Result<()> {
        if changes.is_empty() {
            return Ok(());
        }
        let home = self.root().join(user);
        for change in changes {
            match change {
                Change::FolderRenamed { from, to, .. } if !from.eq_ignore_ascii_case(INBOX) => {
                    fs::rename(self.folder_dir(user, from), self.folder_dir(user, to))?;
                    if let Some(d) = inner.files.remove(&(user.to_string(), from.clone())) {
                        inner.files.insert((user.to_string(), to.clone()), d);
                    }
                }
                Change::FolderRenamed { to, .. } => {
                    // Renaming INBOX: its files move into the new folder, INBOX starts over.
                    let (src, dst) = (self.folder_dir(user, INBOX), self.folder_dir(user, to));
                    for sub in ["tmp", "new", "cur"] {
                        fs::create_dir_all(dst.join(sub))?;
                    }
                    let old = inner.files.remove(&(user.to_string(), INBOX.to_string())).unwrap_or_default();
                    for e in old.entries.values() {
                        fs::rename(entry_path(&src, e), entry_path(&dst, e))?;
                    }
                    inner.files.insert((user.to_string(), to.clone()), old);
                }
                _ => {}
            }
        }
        let Some(account) = inner.store.account(user) else {
            return Ok(());
        };
        let mut live = Vec::new();
        for folder in account.folders() {
            let dir = self.folder_dir(user, &folder.name);
            for sub in ["tmp", "new", "cur"] {
                fs::create_dir_all(dir.join(sub))?;
            }
            let disk = inner.files.entry((user.to_string(), folder.name.clone())).or_default();
            let mut entries = BTreeMap::new();
            for m in &folder.messages {
                let in_new = m.recent && m.flags.is_empty();
                let entry = match disk.entries.remove(&m.uid) {
                    Some(e) => {
                        let name = file_name(&e.base, in_new, &e.other_letters, m.flags);
                        let moved = Entry { name, in_new, ..e.clone() };
                        if moved.name != e.name || moved.in_new != e.in_new {
                            // Maildir: flags live in the file name, so a flag change is a rename.
                            fs::rename(entry_path(&dir, &e), entry_path(&dir, &moved))?;
                        }
                        moved
                    }
                    None => {
                        let base = self.maildirs.unique_name();
                        let name = file_name(&base, in_new, "", m.flags);
                        let e = Entry { base, name, in_new, other_letters: String::new() };
                        let tmp = dir.join("tmp").join(&e.base);
                        let mut f = fs::OpenOptions::new().write(true).create_new(true).open(&tmp)?;
                        f.write_all(&m.bytes)?;
                        // The internal date is the file's modification time (as in Dovecot).
                        f.set_modified(UNIX_EPOCH + Duration::from_secs(u64::try_from(m.internal_date).unwrap_or(0)))?;
                        f.sync_all()?;
                        fs::rename(&tmp, entry_path(&dir, &e))?;
                        inner.cache.insert(e.base.clone(), (Arc::clone(&m.bytes), m.internal_date));
                        e
                    }
                };
                entries.insert(m.uid, entry);
            }
            // What is left on disk was expunged (or moved away): remove the files.
            for e in disk.entries.values() {
                remove_if_there(&entry_path(&dir, e))?;
                inner.cache.remove(&e.base);
            }
            *disk = DiskFolder { uid_validity: folder.uid_validity, uid_next: folder.uid_next, entries };
            write_uidlist(&dir, disk)?;
            live.push(folder.name.clone());
        }
        // Folders that are no longer in the store were deleted.
        let gone: Vec<String> = inner.files.keys().filter(|(u, f)| u == user && !live.contains(f)).map(|(_, f)| f.clone()).collect();
        for f in gone {
            inner.files.remove(&(user.to_string(), f.clone()));
            if !f.eq_ignore_ascii_case(INBOX) {
                match fs::remove_dir_all(self.folder_dir(user, &f)) {
                    Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
                    _ => {}
                }
            }
        }
        let subscribed: Vec<&str> = account.folders().iter().filter(|f| f.subscribed).map(|f| f.name.as_str()).collect();
        write_atomically(&home.join("subscriptions"), subscribed.iter().map(|n| format!("{n}\n")).collect::<String>().as_bytes())
    }
}

/// The file of an entry as it is on disk now.
fn entry_path(dir: &Path, e: &Entry) -> PathBuf {
    dir.join(if e.in_new { "new" } else { "cur" }).join(&e.name)
}

/// The file name an entry should have in `new/` or `cur/` with these flags: in `new/` the bare
/// base name, in `cur/` the base with `:2,` and the letters in ASCII order.
fn file_name(base: &str, in_new: bool, other_letters: &str, flags: Flags) -> String {
    if in_new {
        return base.to_string();
    }
    let mut letters: Vec<char> = flags.maildir_letters().chars().chain(other_letters.chars()).collect();
    letters.sort_unstable();
    letters.dedup();
    format!("{base}:2,{}", letters.into_iter().collect::<String>())
}

/// `base:2,FS` → (`base`, `FS`); a name without info → (name, "").
fn split_name(name: &str) -> (&str, &str) {
    match name.split_once(':') {
        Some((base, info)) => (base, info.strip_prefix("2,").unwrap_or("")),
        None => (name, ""),
    }
}

/// The store flags of a file, from its info letters.
fn info_flags(path: &Path) -> Flags {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    Flags::of(&split_name(&name).1.chars().filter_map(Flag::from_maildir_letter).collect::<Vec<_>>())
}

/// Read one folder's files and UID list; new files get UIDs, vanished ones lose theirs.
fn scan_folder(dir: &Path, store: &mut Store) -> io::Result<DiskFolder> {
    let mut found: Vec<(Duration, Entry)> = Vec::new(); // modification time, file
    for (sub, in_new) in [("new", true), ("cur", false)] {
        let rd = match fs::read_dir(dir.join(sub)) {
            Ok(rd) => rd,
            Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
            Err(e) => return Err(e),
        };
        for d in rd {
            let d = d?;
            let name = d.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') || !d.file_type()?.is_file() {
                continue;
            }
            let (base, info) = split_name(&name);
            let other: String = info.chars().filter(|c| c.is_ascii_uppercase() && Flag::from_maildir_letter(*c).is_none()).collect();
            let mtime = d.metadata()?.modified()?.duration_since(UNIX_EPOCH).unwrap_or_default();
            found.push((mtime, Entry { base: base.to_string(), name: name.clone(), in_new, other_letters: other }));
        }
    }
    let (mut disk, listed) = read_uidlist(dir)
        .unwrap_or_else(|| (DiskFolder { uid_validity: store.new_uid_validity(), uid_next: 1, entries: BTreeMap::new() }, Vec::new()));
    let mut changed = listed.is_empty() && !dir.join(UIDLIST).exists();
    let by_base: HashMap<&str, Uid> = listed.iter().map(|(u, b)| (b.as_str(), *u)).collect();
    found.sort_by(|a, b| (a.0, &a.1.base).cmp(&(b.0, &b.1.base)));
    for (_, entry) in found {
        let uid = match by_base.get(entry.base.as_str()) {
            Some(&u) => u,
            None => {
                // A file nobody numbered yet (just delivered): the next UID (RFC 9051 §2.3.1.1).
                let u = disk.uid_next;
                disk.uid_next = u.saturating_add(1);
                changed = true;
                u
            }
        };
        disk.entries.insert(uid, entry);
    }
    changed |= disk.entries.len() != listed.len();
    if changed {
        write_uidlist(dir, &disk)?;
    }
    Ok(disk)
}

/// The UID list, if there is a readable one: the folder's numbers and the listed (uid, base).
fn read_uidlist(dir: &Path) -> Option<(DiskFolder, Vec<(Uid, String)>)> {
    let text = fs::read_to_string(dir.join(UIDLIST)).ok()?;
    let mut lines = text.lines();
    let head = lines.next()?.strip_prefix(UIDLIST_HEADER)?;
    let mut words = head.split_whitespace();
    let uid_validity: u32 = words.next()?.strip_prefix('V')?.parse().ok()?;
    let uid_next: Uid = words.next()?.strip_prefix('N')?.parse().ok()?;
    let mut listed = Vec::new();
    for line in lines {
        let (uid, base) = line.split_once(' ')?;
        listed.push((uid.parse().ok()?, base.to_string()));
    }
    Some((DiskFolder { uid_validity, uid_next, entries: BTreeMap::new() }, listed))
}

fn write_uidlist(dir: &Path, disk: &DiskFolder) -> io::Result<()> {
    let mut text = format!("{UIDLIST_HEADER} V{} N{}\n", disk.uid_validity, disk.uid_next);
    for (uid, e) in &disk.entries {
        text.push_str(&format!("{uid} {}\n", e.base));
    }
    write_atomically(&dir.join(UIDLIST), text.as_bytes())
}

/// The subscribed folder names, or `None` when there is no subscriptions file (all subscribed).
fn read_subscriptions(home: &Path) -> Option<Vec<String>> {
    let text = fs::read_to_string(home.join("subscriptions")).ok()?;
    Some(text.lines().map(str::to_string).filter(|l| !l.is_empty()).collect())
}

/// Write through a temporary file and a rename, so a reader never sees half a file.
fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let tmp = path.with_extension("tmp");
    fs::write(&tmp, bytes)?;
    fs::rename(&tmp, path)
}

fn remove_if_there(path: &Path) -> io::Result<()> {
    match fs::remove_file(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::FlagOp;

    fn names(dir: &Path, sub: &str) -> Vec<String> {
        let mut v: Vec<String> =
            fs::read_dir(dir.join(sub)).unwrap().map(|d| d.unwrap().file_name().to_string_lossy().into_owned()).collect();
        v.sort();
        v
    }

    fn open(root: &Path) -> MailStore {
        MailStore::open(Maildirs::new(root, "test.host"), &["bob".to_string()]).unwrap()
    }

    #[test]
    fn smtp_delivery_pop3_and_imap_changes_land_in_the_maildir_and_survive_a_restart() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        let ms = open(root);
        let inbox = root.join("bob");
        assert!(inbox.join(".Sent/cur").is_dir() && inbox.join(".Trash/new").is_dir());
        // SMTP delivery writes files without the store; the next operation sees them, in order.
        let smtp = Maildirs::new(root, "test.host");
        smtp.deliver(&[("bob".into(), b"Subject: one\n\nx\n".to_vec())]).unwrap();
        smtp.deliver(&[("bob".into(), b"Subject: two\r\n\r\ny\r\n".to_vec())]).unwrap();
        let (validity, uids, size) = ms
            .with("bob", |s| {
                let f = s.folder("bob", INBOX).unwrap();
                (f.uid_validity, f.messages.iter().map(|m| m.uid).collect::<Vec<_>>(), f.messages[0].size())
            })
            .unwrap();
        assert_eq!(uids, [1, 2]);
        assert_eq!(size, 19, "bare LF counted as CRLF");
        assert_eq!(names(&inbox, "new").len(), 2);
        // The first session to open INBOX takes \Recent: new/ → cur/ with an empty info.
        ms.with("bob", |s| s.claim_recent("bob", INBOX).unwrap()).unwrap();
        assert!(names(&inbox, "new").is_empty());
        assert!(names(&inbox, "cur").iter().all(|n| n.ends_with(":2,")), "{:?}", names(&inbox, "cur"));
        ms.with("bob", |s| s.set_flags("bob", INBOX, &[1], FlagOp::Add, Flags::of(&[Flag::Seen, Flag::Flagged, Flag::Deleted])).unwrap())
            .unwrap();
        let cur = names(&inbox, "cur");
        assert!(cur.iter().any(|n| n.ends_with(":2,FST")), "{cur:?}");
        // Another program adds a letter we do not know (P = passed): it is kept.
        let one = cur.iter().find(|n| n.ends_with(":2,")).unwrap();
        fs::rename(inbox.join("cur").join(one), inbox.join("cur").join(format!("{}P", one))).unwrap();
        ms.with("bob", |s| s.set_flags("bob", INBOX, &[2], FlagOp::Add, Flags::of(&[Flag::Answered])).unwrap()).unwrap();
        assert!(names(&inbox, "cur").iter().any(|n| n.ends_with(":2,PR")), "{:?}", names(&inbox, "cur"));
        // Expunge removes the file of the \Deleted message only.
        let gone = ms.with("bob", |s| s.expunge("bob", INBOX, None).unwrap()).unwrap();
        assert_eq!(gone.len(), 1);
        assert_eq!(names(&inbox, "cur").len(), 1);
        // Copy into Trash writes a new file there, with a new UID.
        ms.with("bob", |s| s.copy("bob", INBOX, &[2], "Trash").unwrap()).unwrap();
        drop(ms);
        // A restart: same UIDVALIDITY, same UIDs, UIDNEXT kept (UID 1 is not given again).
        let ms = open(root);
        smtp.deliver(&[("bob".into(), b"three".to_vec())]).unwrap();
        let (v2, uids, trash) = ms
            .with("bob", |s| {
                let f = s.folder("bob", INBOX).unwrap();
                (
                    f.uid_validity,
                    f.messages.iter().map(|m| (m.uid, m.flags)).collect::<Vec<_>>(),
                    s.folder("bob", "Trash").unwrap().messages.len(),
                )
            })
            .unwrap();
        assert_eq!(v2, validity);
        assert_eq!(uids, [(2, Flags::of(&[Flag::Answered])), (3, Flags::EMPTY)]);
        assert_eq!(trash, 1);
        let uidlist = fs::read_to_string(inbox.join(UIDLIST)).unwrap();
        assert!(uidlist.starts_with(&format!("smtp-sim-uidlist 1 V{validity} N4\n2 ")), "{uidlist}");
    }

    #[test]
    fn folders_are_directories_and_subscriptions_a_file() {
        let tmp = tempfile::tempdir().unwrap();
        let ms = open(tmp.path());
        let home = tmp.path().join("bob");
        ms.with("bob", |s| {
            s.create_folder("bob", "Work").unwrap();
            s.append("bob", "Work", b"hello", Flags::of(&[Flag::Seen]), 1_000_000_000).unwrap();
        })
        .unwrap();
        let work = names(&home.join(".Work"), "cur");
        assert!(work.len() == 1 && work[0].ends_with(":2,S"), "{work:?}");
        let date = ms.with("bob", |s| s.folder("bob", "Work").unwrap().messages[0].internal_date).unwrap();
        assert_eq!(date, 1_000_000_000);
        ms.with("bob", |s| s.rename_folder("bob", "Work", "Job").unwrap()).unwrap();
        assert!(!home.join(".Work").exists() && home.join(".Job/cur").is_dir());
        ms.with("bob", |s| s.subscribe("bob", "Job", false).unwrap()).unwrap();
        assert_eq!(fs::read_to_string(home.join("subscriptions")).unwrap(), "INBOX\nSent\nTrash\n");
        let v = ms.with("bob", |s| s.folder("bob", "Job").unwrap().uid_validity).unwrap();
        ms.with("bob", |s| s.delete_folder("bob", "Job").unwrap()).unwrap();
        assert!(!home.join(".Job").exists());
        let v2 = ms
            .with("bob", |s| {
                s.create_folder("bob", "Job").unwrap();
                s.folder("bob", "Job").unwrap().uid_validity
            })
            .unwrap();
        assert_ne!(v, v2, "a recreated folder has a new UIDVALIDITY");
        let subscribed = ms.with("bob", |s| s.folder("bob", "Job").unwrap().subscribed).unwrap();
        assert!(subscribed);
    }

    #[test]
    fn renaming_inbox_moves_the_files() {
        let tmp = tempfile::tempdir().unwrap();
        let ms = open(tmp.path());
        Maildirs::new(tmp.path(), "h").deliver(&[("bob".into(), b"x".to_vec())]).unwrap();
        ms.with("bob", |s| s.rename_folder("bob", INBOX, "Old").unwrap()).unwrap();
        let home = tmp.path().join("bob");
        assert_eq!(names(&home.join(".Old"), "new").len(), 1);
        assert!(names(&home, "new").is_empty());
        let (old, inbox) =
            ms.with("bob", |s| (s.folder("bob", "Old").unwrap().messages.len(), s.folder("bob", INBOX).unwrap().messages.len())).unwrap();
        assert_eq!((old, inbox), (1, 0));
    }
}
