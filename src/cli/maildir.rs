//! Maildir delivery for `smtp-sim serve`: one directory per mailbox with `tmp/`, `new/` and
//! `cur/`; a message is written completely under `tmp/`, flushed to disk, then renamed into
//! `new/` — the rename is atomic, so a mail reader never sees half a message. File names are
//! unique: `<seconds>.<pid>_<counter>.<host>` (the classic Maildir recipe).
//!
//! Before storing, the server adds the trace fields of final delivery: `Return-Path:` with the
//! envelope sender and its own `Received:` line (RFC 5321 §4.4).

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::sim::mime;

/// A Maildir root holding one Maildir per mailbox.
#[derive(Debug)]
pub struct Maildirs {
    root: PathBuf,
    host: String,
}

/// One counter for the whole process, so that every `Maildirs` (SMTP delivery's and the
/// store's) hands out different names within the same second.
static COUNTER: AtomicU64 = AtomicU64::new(0);

/// Seconds since the Unix epoch from the real clock (the CLI may read it; the core may not).
pub fn now_seconds() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
}

impl Maildirs {
    /// `host` names this machine in file names (`/` and `:` are escaped as Maildir asks).
    pub fn new(root: impl Into<PathBuf>, host: &str) -> Self {
        let host = host.replace('/', "\\057").replace(':', "\\072");
        Maildirs { root: root.into(), host }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Create `root/<mailbox>/{tmp,new,cur}`.
    pub fn create(&self, mailbox: &str) -> std::io::Result<PathBuf> {
        let dir = self.root.join(mailbox);
        for sub in ["tmp", "new", "cur"] {
            fs::create_dir_all(dir.join(sub))?;
        }
        Ok(dir)
    }

    /// A fresh unique file name.
    pub fn unique_name(&self) -> String {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        format!("{}.{}_{}.{}", now_seconds(), std::process::id(), n, self.host)
    }

    /// Write `message` into `tmp/` of each mailbox, then move every copy into `new/`.
    /// Returns the final paths. If writing any copy fails, the staged copies are removed and
    /// nothing reaches `new/`.
    pub fn deliver(&self, copies: &[(String, Vec<u8>)]) -> std::io::Result<Vec<PathBuf>> {
        let mut staged: Vec<(PathBuf, PathBuf)> = Vec::new();
        for (mailbox, bytes) in copies {
            let dir = self.create(mailbox)?;
            let name = self.unique_name();
            let tmp = dir.join("tmp").join(&name);
            let result = (|| {
                let mut f = fs::OpenOptions::new().write(true).create_new(true).open(&tmp)?;
                f.write_all(bytes)?;
                f.sync_all()
            })();
            if let Err(e) = result {
                let _ = fs::remove_file(&tmp);
                for (t, _) in &staged {
                    let _ = fs::remove_file(t);
                }
                return Err(e);
            }
            staged.push((tmp, dir.join("new").join(&name)));
        }
        let mut done = Vec::new();
        for (tmp, new) in staged {
            fs::rename(&tmp, &new)?;
            // The rename is a change to the directory: flush it too, so the message is on disk
            // before the 250 that takes responsibility for it (RFC 5321 §6.1).
            if let Some(dir) = new.parent() {
                fs::File::open(dir)?.sync_all()?;
            }
            done.push(new);
        }
        Ok(done)
    }

    /// Removes what a crash left in the mailboxes' `tmp/`: files not touched for 36 hours, the
    /// Maildir convention's limit (a delivery in progress is never that old). Returns how many.
    /// Called once when the server starts.
    pub fn sweep_tmp(&self) -> usize {
        const STALE: std::time::Duration = std::time::Duration::from_secs(36 * 3600);
        let Ok(mailboxes) = fs::read_dir(&self.root) else { return 0 };
        let mut removed = 0;
        for mailbox in mailboxes.flatten() {
            let Ok(files) = fs::read_dir(mailbox.path().join("tmp")) else { continue };
            for f in files.flatten() {
                let old = f.metadata().and_then(|m| m.modified()).ok().and_then(|t| t.elapsed().ok()).is_some_and(|age| age >= STALE);
                if old && f.file_type().is_ok_and(|t| t.is_file()) && fs::remove_file(f.path()).is_ok() {
                    removed += 1;
                }
            }
        }
        removed
    }
}

/// The message as stored for one recipient: `Return-Path:` first, then our `Received:`, then
/// the message as received (RFC 5321 §4.4: prepend, never change what is there).
pub fn with_trace(message: &[u8], return_path: &str, received: &str) -> Vec<u8> {
    let with_received = mime::prepend_header(message, "Received", received);
    mime::prepend_header(&with_received, "Return-Path", &format!("<{return_path}>"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delivers_through_tmp_into_new() {
        let root = std::env::temp_dir().join(format!("smtp-sim-maildir-test-{}", std::process::id()));
        let _ = fs::remove_dir_all(&root);
        let m = Maildirs::new(&root, "host:1/x");
        let paths = m.deliver(&[("alice".into(), b"Subject: hi\r\n\r\nbody\r\n".to_vec()), ("bob".into(), b"x".to_vec())]).unwrap();
        assert_eq!(paths.len(), 2);
        assert!(paths[0].starts_with(root.join("alice/new")));
        assert!(paths[0].file_name().unwrap().to_str().unwrap().ends_with("host\\0721\\057x"));
        assert_eq!(fs::read(&paths[0]).unwrap(), b"Subject: hi\r\n\r\nbody\r\n");
        assert!(root.join("bob/cur").is_dir());
        assert_eq!(fs::read_dir(root.join("alice/tmp")).unwrap().count(), 0);

        // A crash's leftover in tmp/: removed once 36 hours old, a fresh one is kept.
        let stale = root.join("alice/tmp/stale");
        let fresh = root.join("alice/tmp/fresh");
        fs::write(&stale, b"half a mess").unwrap();
        fs::write(&fresh, b"being written").unwrap();
        let past = SystemTime::now() - std::time::Duration::from_secs(37 * 3600);
        fs::File::options().write(true).open(&stale).unwrap().set_modified(past).unwrap();
        assert_eq!(m.sweep_tmp(), 1);
        assert!(!stale.exists() && fresh.exists());
        assert_ne!(paths[0].file_name(), paths[1].file_name());
        fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn trace_fields_come_first() {
        let out = with_trace(
            b"Subject: x\r\n\r\nbody",
            "a@b.example",
            "from c ([127.0.0.1]) by d with ESMTP id 1; Mon, 1 Jan 2024 00:00:00 +0000",
        );
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with("Return-Path: <a@b.example>\r\nReceived: from c"), "{text}");
        assert!(text.ends_with("Subject: x\r\n\r\nbody"));
    }
}
