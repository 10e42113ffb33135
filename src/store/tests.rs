//! Unit and property tests of the mailbox store.

use super::*;
use proptest::prelude::*;

fn store_with(user: &str) -> Store {
    let mut s = Store::new(100);
    s.create_account(user).unwrap();
    s
}

fn uids(s: &Store, folder: &str) -> Vec<Uid> {
    s.folder("bob", folder).unwrap().messages.iter().map(|m| m.uid).collect()
}

#[test]
fn a_new_account_has_inbox_sent_and_trash_with_distinct_uidvalidity() {
    let s = store_with("bob");
    let a = s.account("bob").unwrap();
    let names: Vec<&str> = a.folders().iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["INBOX", "Sent", "Trash"]);
    assert_eq!(a.folder("Sent").unwrap().special_use, Some(SpecialUse::Sent));
    assert_eq!(a.folder("Trash").unwrap().special_use.map(SpecialUse::attribute), Some("\\Trash"));
    let mut v: Vec<u32> = a.folders().iter().map(|f| f.uid_validity).collect();
    v.dedup();
    assert_eq!(v, [100, 101, 102]);
    assert!(a.folder("inbox").is_some(), "INBOX is case-insensitive");
    assert!(a.folder("sent").is_none(), "other names are not");
}

#[test]
fn deliver_counts_octets_with_crlf_and_is_recent_and_unseen() {
    let mut s = store_with("bob");
    let uid = s.deliver("bob", b"Subject: hi\n\nbody\n", 1_700_000_000).unwrap();
    assert_eq!(uid, 1);
    let f = s.folder("bob", "inbox").unwrap();
    let m = f.get(1).unwrap();
    assert_eq!(&*m.bytes, b"Subject: hi\r\n\r\nbody\r\n");
    assert_eq!(m.size(), 21);
    assert!(m.recent && m.flags.is_empty());
    assert_eq!((f.unseen(), f.recent(), f.uid_next), (1, 1, 2));
    assert_eq!(s.deliver("nobody", b"x", 0), Err(StoreError::NoSuchAccount("nobody".into())));
}

#[test]
fn crlf_keeps_crlf_and_fixes_bare_cr_and_lf() {
    assert_eq!(crlf(b"a\r\nb\nc\rd"), b"a\r\nb\r\nc\r\nd");
    assert_eq!(crlf(b"\r"), b"\r\n");
    assert_eq!(crlf(b""), b"");
}

#[test]
fn flags_change_and_are_reported() {
    let mut s = store_with("bob");
    s.deliver("bob", b"a", 0).unwrap();
    s.deliver("bob", b"b", 0).unwrap();
    s.take_changes();
    let out = s.set_flags("bob", INBOX, &[1, 2, 9], FlagOp::Add, Flags::of(&[Flag::Seen, Flag::Flagged])).unwrap();
    assert_eq!(out.len(), 2, "UID 9 does not exist and is skipped");
    let out = s.set_flags("bob", INBOX, &[1], FlagOp::Remove, Flags::of(&[Flag::Flagged])).unwrap();
    assert_eq!(out, [(1, Flags::of(&[Flag::Seen]))]);
    let out = s.set_flags("bob", INBOX, &[2], FlagOp::Replace, Flags::of(&[Flag::Draft])).unwrap();
    assert_eq!(out, [(2, Flags::of(&[Flag::Draft]))]);
    // Setting flags a message already has is no change.
    s.set_flags("bob", INBOX, &[2], FlagOp::Add, Flags::of(&[Flag::Draft])).unwrap();
    assert_eq!(s.take_changes().len(), 4);
}

#[test]
fn maildir_letters_are_in_ascii_order() {
    let all = Flags::of(&Flag::ALL);
    assert_eq!(all.maildir_letters(), "DFRST");
    assert_eq!(Flags::of(&[Flag::Seen, Flag::Flagged]).maildir_letters(), "FS");
    for f in Flag::ALL {
        assert_eq!(Flag::from_maildir_letter(f.maildir_letter()), Some(f));
        assert_eq!(Flag::from_imap_name(&f.imap_name().to_ascii_uppercase()), Some(f));
    }
    assert_eq!(Flag::from_maildir_letter('P'), None);
}

#[test]
fn expunge_removes_only_deleted_and_reports_imap_sequence_numbers() {
    let mut s = store_with("bob");
    for b in [b"1", b"2", b"3", b"4"] {
        s.deliver("bob", b, 0).unwrap();
    }
    s.set_flags("bob", INBOX, &[2, 3], FlagOp::Add, Flags::of(&[Flag::Deleted])).unwrap();
    let gone = s.expunge("bob", INBOX, None).unwrap();
    // Message 2 goes first (seq 2); then the old message 3 has become seq 2.
    assert_eq!(gone, [Expunged { uid: 2, seq: 2 }, Expunged { uid: 3, seq: 2 }]);
    assert_eq!(uids(&s, INBOX), [1, 4]);
    assert_eq!(s.expunge("bob", INBOX, None).unwrap(), []);
}

#[test]
fn expunge_of_given_uids_leaves_other_deleted_messages() {
    let mut s = store_with("bob");
    for b in [b"1", b"2", b"3"] {
        s.deliver("bob", b, 0).unwrap();
    }
    s.set_flags("bob", INBOX, &[1, 3], FlagOp::Add, Flags::of(&[Flag::Deleted])).unwrap();
    let gone = s.expunge("bob", INBOX, Some(&[3, 2])).unwrap();
    assert_eq!(gone, [Expunged { uid: 3, seq: 3 }], "2 is not \\Deleted, 1 was not asked for");
    assert_eq!(uids(&s, INBOX), [1, 2]);
}

#[test]
fn copy_shares_bytes_and_gives_new_uids_move_removes_from_source() {
    let mut s = store_with("bob");
    s.deliver("bob", b"one", 0).unwrap();
    s.deliver("bob", b"two", 0).unwrap();
    s.set_flags("bob", INBOX, &[2], FlagOp::Add, Flags::of(&[Flag::Seen])).unwrap();
    let c = s.copy("bob", INBOX, &[2, 77], "Trash").unwrap();
    assert_eq!(c.pairs, [(2, 1)]);
    assert_eq!(c.uid_validity, s.folder("bob", "Trash").unwrap().uid_validity);
    let a = s.folder("bob", INBOX).unwrap().get(2).unwrap();
    let b = s.folder("bob", "Trash").unwrap().get(1).unwrap();
    assert!(Arc::ptr_eq(&a.bytes, &b.bytes), "a copy shares the bytes");
    assert_eq!(b.flags, Flags::of(&[Flag::Seen]));
    let m = s.move_messages("bob", INBOX, &[1], "Trash").unwrap();
    assert_eq!(m.copied.pairs, [(1, 2)]);
    assert_eq!(m.expunged, [Expunged { uid: 1, seq: 1 }]);
    assert_eq!(uids(&s, INBOX), [2]);
    assert_eq!(uids(&s, "Trash"), [1, 2]);
    assert_eq!(s.move_messages("bob", "Trash", &[1], "Trash"), Err(StoreError::SameFolder("Trash".into())));
    assert_eq!(s.copy("bob", INBOX, &[2], "Nope"), Err(StoreError::NoSuchFolder("Nope".into())));
}

#[test]
fn folders_are_created_deleted_renamed_and_subscribed() {
    let mut s = store_with("bob");
    s.create_folder("bob", "Work").unwrap();
    assert_eq!(s.create_folder("bob", "Work"), Err(StoreError::FolderExists("Work".into())));
    assert_eq!(s.create_folder("bob", "inbox"), Err(StoreError::FolderExists("inbox".into())));
    for bad in ["", ".hidden", "a/b", "a..b", "tab\there"] {
        assert_eq!(s.create_folder("bob", bad), Err(StoreError::BadFolderName(bad.into())), "{bad:?}");
    }
    let v = s.folder("bob", "Work").unwrap().uid_validity;
    s.append("bob", "Work", b"x", Flags::of(&[Flag::Seen]), 5).unwrap();
    s.rename_folder("bob", "Work", "Job").unwrap();
    let job = s.folder("bob", "Job").unwrap();
    assert_eq!((job.uid_validity, job.messages.len()), (v, 1), "a rename keeps UIDVALIDITY and messages");
    s.subscribe("bob", "Job", false).unwrap();
    assert!(!s.folder("bob", "Job").unwrap().subscribed);
    s.delete_folder("bob", "Job").unwrap();
    s.create_folder("bob", "Job").unwrap();
    assert_ne!(s.folder("bob", "Job").unwrap().uid_validity, v, "a recreated folder gets a new UIDVALIDITY");
    assert_eq!(s.delete_folder("bob", "INBOX"), Err(StoreError::CannotDeleteInbox));
    assert_eq!(s.delete_folder("bob", "Nope"), Err(StoreError::NoSuchFolder("Nope".into())));
    assert_eq!(s.rename_folder("bob", "Job", "Sent"), Err(StoreError::FolderExists("Sent".into())));
}

#[test]
fn renaming_inbox_moves_its_messages_and_leaves_a_fresh_inbox() {
    let mut s = store_with("bob");
    s.deliver("bob", b"x", 0).unwrap();
    let old = s.folder("bob", INBOX).unwrap().uid_validity;
    s.rename_folder("bob", "INBOX", "Old").unwrap();
    assert_eq!(uids(&s, "Old"), [1]);
    let inbox = s.folder("bob", INBOX).unwrap();
    assert!(inbox.messages.is_empty());
    assert_ne!(inbox.uid_validity, old);
    assert_eq!(s.account("bob").unwrap().folders()[0].name, INBOX, "INBOX stays first");
}

#[test]
fn recent_belongs_to_the_first_session_that_claims_it() {
    let mut s = store_with("bob");
    s.deliver("bob", b"x", 0).unwrap();
    s.take_changes();
    assert_eq!(s.claim_recent("bob", INBOX).unwrap(), [1]);
    assert_eq!(s.claim_recent("bob", INBOX).unwrap(), [] as [Uid; 0]);
    assert_eq!(s.take_changes(), [Change::RecentClaimed { user: "bob".into(), folder: INBOX.into(), uid: 1 }]);
}

#[test]
fn restored_folders_are_not_changes_and_their_uidvalidity_is_not_reused() {
    let mut s = Store::new(1);
    s.restore_account(
        "bob",
        vec![Folder { name: INBOX.into(), special_use: None, subscribed: true, uid_validity: 500, uid_next: 8, messages: Vec::new() }],
    );
    assert!(s.take_changes().is_empty());
    assert_eq!(s.deliver("bob", b"x", 0), Ok(8));
    s.create_folder("bob", "New").unwrap();
    assert_eq!(s.folder("bob", "New").unwrap().uid_validity, 501);
}

/// A random operation on bob's mailbox.
#[derive(Clone, Debug)]
enum Op {
    Deliver(Vec<u8>),
    Flag(usize, bool),
    Expunge,
    ExpungeOne(usize),
    Copy(usize),
    Move(usize),
    Create(u8),
    Delete(u8),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..40).prop_map(Op::Deliver),
        (0usize..20, any::<bool>()).prop_map(|(i, d)| Op::Flag(i, d)),
        Just(Op::Expunge),
        (0usize..20).prop_map(Op::ExpungeOne),
        (0usize..20).prop_map(Op::Copy),
        (0usize..20).prop_map(Op::Move),
        (0u8..3).prop_map(Op::Create),
        (0u8..3).prop_map(Op::Delete),
    ]
}

proptest! {
    /// Whatever happens: UIDs stay strictly ascending, a UID is never handed out twice in a
    /// folder, UIDNEXT only grows, UIDVALIDITY of a folder never changes while it lives and
    /// differs between folders, and expunge removes exactly the \Deleted messages.
    #[test]
    fn uid_invariants_hold(ops in proptest::collection::vec(op(), 0..60)) {
        let mut s = store_with("bob");
        let mut seen: BTreeMap<(u32, Uid), ()> = BTreeMap::new(); // (uidvalidity, uid) handed out
        let mut validity: BTreeMap<String, u32> = BTreeMap::new();
        let mut next: BTreeMap<String, Uid> = BTreeMap::new();
        for op in ops {
            let inbox: Vec<Uid> = uids(&s, INBOX);
            let pick = |i: usize| inbox.get(i % inbox.len().max(1)).copied();
            match op {
                Op::Deliver(b) => { s.deliver("bob", &b, 0).unwrap(); }
                Op::Flag(i, d) => if let Some(u) = pick(i) {
                    s.set_flags("bob", INBOX, &[u], if d { FlagOp::Add } else { FlagOp::Remove }, Flags::of(&[Flag::Deleted])).unwrap();
                },
                Op::Expunge => {
                    let deleted: Vec<Uid> = s.folder("bob", INBOX).unwrap().messages.iter().filter(|m| m.flags.contains(Flag::Deleted)).map(|m| m.uid).collect();
                    let gone: Vec<Uid> = s.expunge("bob", INBOX, None).unwrap().iter().map(|e| e.uid).collect();
                    prop_assert_eq!(gone, deleted);
                    prop_assert!(s.folder("bob", INBOX).unwrap().messages.iter().all(|m| !m.flags.contains(Flag::Deleted)));
                }
                Op::ExpungeOne(i) => if let Some(u) = pick(i) {
                    let was = s.folder("bob", INBOX).unwrap().get(u).unwrap().flags.contains(Flag::Deleted);
                    let gone = s.expunge("bob", INBOX, Some(&[u])).unwrap();
                    prop_assert_eq!(gone.len(), usize::from(was));
                },
                Op::Copy(i) => if let Some(u) = pick(i) { s.copy("bob", INBOX, &[u], "Trash").unwrap(); },
                Op::Move(i) => if let Some(u) = pick(i) { s.move_messages("bob", INBOX, &[u], "Sent").unwrap(); },
                Op::Create(n) => if let Err(e) = s.create_folder("bob", &format!("F{n}")) {
                    prop_assert_eq!(e, StoreError::FolderExists(format!("F{n}")));
                },
                Op::Delete(n) => {
                    if s.delete_folder("bob", &format!("F{n}")).is_ok() {
                        validity.remove(&format!("F{n}"));
                        next.remove(&format!("F{n}"));
                    }
                }
            }
            let mut validities = Vec::new();
            for f in s.account("bob").unwrap().folders() {
                prop_assert!(f.messages.windows(2).all(|w| w[0].uid < w[1].uid), "ascending in {}", f.name);
                prop_assert!(f.messages.iter().all(|m| m.uid >= 1 && m.uid < f.uid_next));
                prop_assert_eq!(*validity.entry(f.name.clone()).or_insert(f.uid_validity), f.uid_validity);
                let n = next.entry(f.name.clone()).or_insert(f.uid_next);
                prop_assert!(f.uid_next >= *n, "UIDNEXT went down in {}", f.name);
                *n = f.uid_next;
                for m in &f.messages {
                    seen.insert((f.uid_validity, m.uid), ());
                }
                validities.push(f.uid_validity);
            }
            let count = validities.len();
            validities.sort_unstable();
            validities.dedup();
            prop_assert_eq!(validities.len(), count, "two folders share a UIDVALIDITY");
            // A UID handed out before is never given to a later message: every live UID below
            // UIDNEXT, and UIDNEXT never went down (checked above).
            prop_assert!(seen.keys().all(|(v, u)| s.account("bob").unwrap().folders().iter().find(|f| f.uid_validity == *v).is_none_or(|f| *u < f.uid_next)));
        }
    }
}
