//! Session-level tests of the sans-IO IMAP server: every command in its state and out of it
//! (BAD/NO with the RFC's wording), literals and continuations, SELECT's untagged responses,
//! FETCH of sections and structure, STORE/SEARCH/COPY/MOVE/EXPUNGE, IDLE updates, and a
//! transcript that drives every catalogue response.

use std::collections::BTreeSet;

use smtp_sim::imap::catalogue::RESPONSES;
use smtp_sim::imap::event::ServerEvent;
use smtp_sim::imap::server::{ServerConfig, ServerSession};
use smtp_sim::imap::state::State;
use smtp_sim::store::{Store, INBOX};

const MSG: &str = "From: Alice <alice@example.com>\r\nTo: bob@example.org\r\nSubject: Report\r\nDate: Fri, 4 Dec 2026 01:30:00 +0000\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHello Bob\r\n--b\r\nContent-Type: application/pdf; name=\"r.pdf\"\r\nContent-Disposition: attachment; filename=\"r.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0=\r\n--b--\r\n";

struct Pair {
    server: ServerSession,
    store: Store,
    accounts: Vec<(String, String)>,
    keys: BTreeSet<&'static str>,
    now: i64,
}

impl Pair {
    fn with(config: ServerConfig) -> Pair {
        let mut store = Store::new(1000);
        store.create_account("bob").unwrap();
        store.deliver("bob", MSG.as_bytes(), 1_796_347_800).unwrap();
        store.deliver("bob", b"From: carol@example.net\r\nSubject: Lunch?\r\n\r\nAt noon.\r\n", 1_796_351_400).unwrap();
        let mut p = Pair {
            server: ServerSession::new(config),
            store,
            accounts: vec![("bob".into(), "pw".into())],
            keys: BTreeSet::new(),
            now: 1_796_400_000,
        };
        p.drain();
        p
    }

    fn new() -> Pair {
        Pair::with(ServerConfig::default())
    }

    fn drain(&mut self) -> String {
        let mut out = Vec::new();
        while let Some(b) = self.server.poll_output() {
            out.extend(b);
        }
        while let Some(e) = self.server.poll_event() {
            if let ServerEvent::ResponseSent { key, .. } = e {
                self.keys.insert(key);
            }
        }
        String::from_utf8_lossy(&out).into_owned()
    }

    /// Send bytes, return everything the server wrote.
    fn send(&mut self, s: &str) -> String {
        self.send_bytes(s.as_bytes())
    }

    fn send_bytes(&mut self, b: &[u8]) -> String {
        self.server.receive(b, &mut self.store, &self.accounts, self.now);
        self.drain()
    }

    fn login(&mut self) {
        assert!(self.send("a LOGIN bob pw\r\n").contains("a OK [CAPABILITY"));
    }

    fn select(&mut self) -> String {
        self.login();
        self.send("s SELECT INBOX\r\n")
    }
}

#[test]
fn greeting_advertises_both_revisions() {
    let mut p = Pair::new();
    let r = p.send("c1 CAPABILITY\r\n");
    assert!(r.starts_with("* CAPABILITY IMAP4rev1 IMAP4rev2 AUTH=PLAIN"), "{r}");
    assert!(r.ends_with("c1 OK CAPABILITY completed\r\n"));
}

#[test]
fn tags_are_echoed_exactly() {
    let mut p = Pair::new();
    assert!(p.send("A.b-9~x NOOP\r\n").starts_with("A.b-9~x OK"));
}

#[test]
fn wrong_state_is_bad_with_the_states_named() {
    let mut p = Pair::new();
    let r = p.send("f FETCH 1 FLAGS\r\n");
    assert_eq!(
        r,
        "f BAD FETCH is not valid in the Not Authenticated state; valid there: CAPABILITY NOOP LOGOUT STARTTLS LOGIN AUTHENTICATE\r\n"
    );
    p.login();
    assert!(p.send("f FETCH 1 FLAGS\r\n").starts_with("f BAD FETCH is not valid in the Authenticated state"));
    assert!(p.send("l LOGIN bob pw\r\n").starts_with("l BAD LOGIN is not valid in the Authenticated state"));
}

#[test]
fn wrong_password_is_authenticationfailed() {
    let mut p = Pair::new();
    assert_eq!(p.send("a LOGIN bob nope\r\n"), "a NO [AUTHENTICATIONFAILED] Authentication failed\r\n");
    assert_eq!(p.server.state(), State::NotAuthenticated);
    // AUTHENTICATE PLAIN with the continuation, then with SASL-IR.
    assert_eq!(p.send("b AUTHENTICATE PLAIN\r\n"), "+ \r\n");
    assert!(p.send("AGJvYgBwdw==\r\n").starts_with("b OK [CAPABILITY"));
    let mut q = Pair::new();
    assert!(q.send("c AUTHENTICATE PLAIN AGJvYgB4\r\n").starts_with("c NO [AUTHENTICATIONFAILED]"));
    assert_eq!(q.send("d AUTHENTICATE PLAIN\r\n*\r\n"), "+ \r\nd BAD AUTHENTICATE cancelled\r\n");
}

#[test]
fn login_with_literals_waits_for_continuations() {
    let mut p = Pair::new();
    assert_eq!(p.send("a LOGIN {3}\r\n"), "+ Ready for literal data\r\n");
    assert_eq!(p.send("bob {2}\r\n"), "+ Ready for literal data\r\n");
    assert!(p.send("pw\r\n").starts_with("a OK [CAPABILITY"));
}

#[test]
fn logindisabled_until_starttls() {
    let mut p = Pair::with(ServerConfig { starttls: true, login_disabled_without_tls: true, ..ServerConfig::default() });
    let caps = p.send("c CAPABILITY\r\n");
    assert!(caps.contains("STARTTLS LOGINDISABLED") && !caps.contains("AUTH=PLAIN"), "{caps}");
    assert_eq!(p.send("a LOGIN bob pw\r\n"), "a NO [PRIVACYREQUIRED] LOGIN is disabled until STARTTLS\r\n");
    assert_eq!(p.send("t STARTTLS\r\nx NOOP\r\n"), "t OK Begin TLS negotiation now\r\n");
    let caps = p.send("c CAPABILITY\r\n");
    assert!(!caps.contains("LOGINDISABLED") && caps.contains("AUTH=PLAIN"), "{caps}");
    p.login();
}

#[test]
fn select_reports_everything_a_client_needs() {
    let mut p = Pair::new();
    let r = p.select();
    for want in [
        "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n",
        "* 2 EXISTS\r\n",
        "* 2 RECENT\r\n",
        "* OK [UIDVALIDITY 1000] UIDs valid\r\n",
        "* OK [UIDNEXT 3] Predicted next UID\r\n",
        "* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)]",
        "s OK [READ-WRITE] SELECT completed\r\n",
    ] {
        assert!(r.contains(want), "{want:?} missing in {r}");
    }
    assert_eq!(p.server.state(), State::Selected);
    assert!(p.send("n SELECT Nowhere\r\n").starts_with("n NO [NONEXISTENT]"));
    assert_eq!(p.server.state(), State::Authenticated, "a failed SELECT closes the mailbox (RFC 9051 §6.3.2)");
    let r = p.send("e EXAMINE INBOX\r\n");
    assert!(r.contains("* 0 RECENT") && r.contains("[PERMANENTFLAGS ()]") && r.ends_with("e OK [READ-ONLY] EXAMINE completed\r\n"), "{r}");
    assert!(p.send("x STORE 1 +FLAGS (\\Seen)\r\n").starts_with("x NO [READ-ONLY]"));
    // rev2: no RECENT after ENABLE IMAP4rev2.
    assert_eq!(p.send("v ENABLE IMAP4rev2\r\n"), "* ENABLED IMAP4rev2\r\nv OK ENABLE completed\r\n");
    assert!(!p.send("s SELECT INBOX\r\n").contains("RECENT"));
}

#[test]
fn fetch_sections_structure_and_seen() {
    let mut p = Pair::new();
    p.select();
    let r = p.send("f FETCH 1 (UID RFC822.SIZE FLAGS)\r\n");
    assert_eq!(r, format!("* 1 FETCH (UID 1 RFC822.SIZE {} FLAGS (\\Recent))\r\nf OK FETCH completed\r\n", MSG.len()));
    let r = p.send("g FETCH 1 BODYSTRUCTURE\r\n");
    assert!(
        r.contains(
            "(\"APPLICATION\" \"PDF\" (\"name\" \"r.pdf\") NIL NIL \"BASE64\" 8 NIL (\"attachment\" (\"filename\" \"r.pdf\")) NIL NIL)"
        ),
        "{r}"
    );
    let r = p.send("h FETCH 1 BODY.PEEK[2]\r\n");
    assert_eq!(r, "* 1 FETCH (BODY[2] \"JVBERi0=\")\r\nh OK FETCH completed\r\n");
    let r = p.send("i FETCH 1 (BODY.PEEK[HEADER.FIELDS (Subject)] BODY.PEEK[1]<0.5>)\r\n");
    assert!(r.contains("BODY[HEADER.FIELDS (Subject)] {19}\r\nSubject: Report\r\n\r\n BODY[1]<0> \"Hello\""), "{r}");
    assert!(!p.send("j FETCH 1 FLAGS\r\n").contains("\\Seen"), "PEEK must not set \\Seen");
    let r = p.send("k FETCH 1 BODY[]\r\n");
    assert!(r.starts_with(&format!("* 1 FETCH (BODY[] {{{}}}\r\n{MSG} FLAGS (\\Seen \\Recent))", MSG.len())), "{r}");
    let r = p.send("l UID FETCH 2 ENVELOPE\r\n");
    assert!(r.starts_with("* 2 FETCH (UID 2 ENVELOPE (NIL \"Lunch?\" ((NIL NIL \"carol\" \"example.net\"))"), "{r}");
}

#[test]
fn store_search_copy_move_expunge() {
    let mut p = Pair::new();
    p.select();
    assert_eq!(p.send("a STORE 1 +FLAGS (\\Flagged)\r\n"), "* 1 FETCH (FLAGS (\\Flagged \\Recent))\r\na OK STORE completed\r\n");
    assert_eq!(p.send("b UID STORE 2 +FLAGS.SILENT (\\Seen)\r\n"), "b OK STORE completed\r\n");
    assert_eq!(p.send("c SEARCH FLAGGED\r\n"), "* SEARCH 1\r\nc OK SEARCH completed\r\n");
    assert_eq!(p.send("d SEARCH UNSEEN\r\n"), "* SEARCH 1\r\nd OK SEARCH completed\r\n");
    assert_eq!(p.send("e UID SEARCH OR FROM carol SUBJECT report\r\n"), "* SEARCH 1 2\r\ne OK SEARCH completed\r\n");
    assert_eq!(p.send("f SEARCH NOT FROM alice SINCE 1-Dec-2026\r\n"), "* SEARCH 2\r\nf OK SEARCH completed\r\n");
    assert_eq!(p.send("g SEARCH BEFORE 1-Jan-2000\r\n"), "* SEARCH\r\ng OK SEARCH completed\r\n");
    assert_eq!(p.send("h COPY 2 Trash\r\n"), "h OK [COPYUID 1002 2 1] COPY completed\r\n");
    assert_eq!(p.send("i COPY 2 Nowhere\r\n"), "i NO [TRYCREATE] Mailbox does not exist\r\n");
    assert_eq!(p.send("j CREATE Archive\r\n"), "j OK CREATE completed\r\n");
    assert!(p.send("j CREATE Archive\r\n").starts_with("j NO [ALREADYEXISTS]"));
    assert_eq!(p.send("k UID MOVE 1 Archive\r\n"), "* 1 EXPUNGE\r\nk OK [COPYUID 1003 1 1] MOVE completed\r\n");
    assert_eq!(
        p.send("l STORE 1 +FLAGS.SILENT (\\Deleted)\r\nm EXPUNGE\r\n"),
        "l OK STORE completed\r\n* 1 EXPUNGE\r\nm OK EXPUNGE completed\r\n"
    );
    let r = p.send("n STATUS Archive (MESSAGES UIDNEXT UIDVALIDITY UNSEEN)\r\n");
    assert_eq!(r, "* STATUS Archive (MESSAGES 1 UIDNEXT 2 UIDVALIDITY 1003 UNSEEN 1)\r\nn OK STATUS completed\r\n");
    let r = p.send("o LIST \"\" *\r\n");
    assert!(
        r.contains("* LIST (\\HasNoChildren \\Trash) \"/\" Trash\r\n") && r.contains("* LIST (\\HasNoChildren \\Sent) \"/\" Sent\r\n"),
        "{r}"
    );
    assert!(p.send("p DELETE INBOX\r\n").starts_with("p NO [CANNOT] INBOX cannot be deleted"));
    assert_eq!(p.send("q CLOSE\r\n"), "q OK CLOSE completed\r\n");
    assert_eq!(p.server.state(), State::Authenticated);
}

#[test]
fn append_with_literal_then_new_mail_is_announced() {
    let mut p = Pair::new();
    p.select();
    let msg = "Subject: draft\r\n\r\nü\r\n"; // ü is 2 octets: the literal counts octets
    assert_eq!(msg.len(), 22);
    assert_eq!(p.send("a APPEND INBOX (\\Draft) {22}\r\n"), "+ Ready for literal data\r\n");
    assert_eq!(p.send(&format!("{msg}\r\n")), "* 3 EXISTS\r\n* 3 RECENT\r\na OK [APPENDUID 1000 3] APPEND completed\r\n");
    // Mail delivered by SMTP while the client idles: pushed as EXISTS.
    assert_eq!(p.send("i IDLE\r\n"), "+ idling\r\n");
    p.store.deliver("bob", b"Subject: new\r\n\r\nx\r\n", 0).unwrap();
    p.server.poll_store(&mut p.store);
    assert_eq!(p.drain(), "* 4 EXISTS\r\n* 4 RECENT\r\n");
    assert_eq!(p.send("DONE\r\n"), "i OK IDLE terminated\r\n");
    // Another session expunged: EXPUNGE is held back during FETCH, sent at NOOP.
    p.store
        .set_flags("bob", INBOX, &[1], smtp_sim::store::FlagOp::Add, smtp_sim::store::Flags::of(&[smtp_sim::store::Flag::Deleted]))
        .unwrap();
    p.store.expunge("bob", INBOX, None).unwrap();
    assert!(!p.send("f FETCH 1:* UID\r\n").contains("EXPUNGE"));
    assert_eq!(p.send("n NOOP\r\n"), "* 1 EXPUNGE\r\nn OK NOOP completed\r\n");
}

#[test]
fn hostile_input_is_bad_never_a_panic() {
    let mut p = Pair::new();
    assert!(p.send("\r\n").starts_with("* BAD"));
    assert!(p.send("a FROB\r\n").starts_with("a BAD column 3: unknown command"));
    assert!(p.send("a LOGIN \"x\u{0}\" y\r\n").starts_with("a BAD"));
    assert!(p.send(&format!("a APPEND INBOX {{{}}}\r\n", u64::MAX / 4)).starts_with("a BAD Literal of"));
    let long = "x".repeat(70_000);
    assert!(p.send(&long).starts_with("* BAD Line too long"));
    assert!(p.send("\r\nb NOOP\r\n").ends_with("b OK NOOP completed\r\n"));
    let mut q = Pair::new();
    for _ in 0..40 {
        q.send("x BAD-COMMAND\r\n");
    }
    assert!(q.server.is_closed(), "too many errors end with BYE");
}

#[test]
fn logout() {
    let mut p = Pair::new();
    assert_eq!(p.send("z LOGOUT\r\n"), "* BYE Logging out\r\nz OK LOGOUT completed\r\n");
    assert!(p.server.is_closed());
}

/// Every response spec of the catalogue is emitted by some session.
#[test]
fn every_catalogue_response_is_reachable() {
    let mut all = BTreeSet::new();
    let scripts: &[(&[&str], bool)] = &[
        (
            &[
                "a LOGIN bob nope\r\n",
                "a LOGIN bob pw\r\n",
                "s SELECT INBOX\r\n",
                "e EXAMINE INBOX\r\n",
                "x STORE 1 FLAGS (\\Seen)\r\n",
                "u UNSELECT\r\n",
                "l LIST \"\" *\r\n",
                "l LSUB \"\" *\r\n",
                "v ENABLE IMAP4rev2\r\n",
                "t STATUS INBOX (MESSAGES)\r\n",
                "c CAPABILITY\r\n",
                "n SELECT nope\r\n",
                "c CREATE Sent\r\n",
                "d DELETE INBOX\r\n",
                "a APPEND nope {1}\r\n",
                "x\r\n",
                "s SELECT INBOX\r\n",
                "f FETCH 1 FLAGS\r\n",
                "r SEARCH CHARSET KOI8-R ALL\r\n",
                "s SEARCH ALL\r\n",
                "i IDLE\r\n",
                "DONE\r\n",
                "i IDLE\r\n",
                "nope\r\n",
                "t STARTTLS\r\n",
                "q LOGOUT\r\n",
            ],
            false,
        ),
        (
            &[
                "a AUTHENTICATE X\r\n",
                "a AUTHENTICATE PLAIN\r\n",
                "*\r\n",
                "b AUTHENTICATE PLAIN AAAA\r\n",
                "t STARTTLS\r\n",
                "c FETCH 1 ALL\r\n",
                "\r\n",
                "d FROB\r\n",
            ],
            false,
        ),
        (&["t STARTTLS\r\n", "t STARTTLS\r\n", "a LOGIN bob pw\r\n"], true),
    ];
    for (script, tls) in scripts {
        let mut p = Pair::with(ServerConfig {
            starttls: *tls,
            login_disabled_without_tls: *tls,
            max_line: 100,
            max_literal: 10,
            ..ServerConfig::default()
        });
        if *tls {
            p.send("a LOGIN bob pw\r\n");
        }
        for line in *script {
            p.send(line);
        }
        p.send(&"y".repeat(200));
        p.send("\r\nb APPEND INBOX {99}\r\n");
        all.extend(p.keys.iter().copied());
    }
    let mut p = Pair::new();
    p.select();
    p.send("i IDLE\r\n");
    p.store.deliver("bob", b"x\r\n", 0).unwrap();
    p.server.poll_store(&mut p.store);
    p.send("DONE\r\n");
    p.send("s STORE 1 +FLAGS.SILENT (\\Deleted)\r\nx EXPUNGE\r\n");
    p.server.idle_timeout();
    p.drain();
    all.extend(p.keys.iter().copied());
    let mut q = Pair::new();
    q.server.shutdown();
    q.drain();
    all.extend(q.keys.iter().copied());
    let mut r = Pair::new();
    for _ in 0..40 {
        r.send("x FROB\r\n");
    }
    all.extend(r.keys.iter().copied());
    let missing: Vec<_> = RESPONSES.iter().map(|s| s.key).filter(|k| !all.contains(k)).collect();
    assert!(missing.is_empty(), "never emitted: {missing:?}");
}

/// The scripted client against the server over an in-memory link: both sides' bytes are
/// carried until neither has anything to say.
fn converse(client: &mut smtp_sim::imap::client::ClientSession, p: &mut Pair) -> Vec<smtp_sim::imap::event::ClientEvent> {
    let mut events = Vec::new();
    for _ in 0..200 {
        let mut moved = false;
        while let Some(b) = p.server.poll_output() {
            client.receive(&b);
            moved = true;
        }
        while let Some(e) = p.server.poll_event() {
            if let ServerEvent::ResponseSent { key, .. } = e {
                p.keys.insert(key);
            }
        }
        while let Some(b) = client.poll_output() {
            p.server.receive(&b, &mut p.store, &p.accounts, p.now);
            moved = true;
        }
        while let Some(e) = client.poll_event() {
            events.push(e);
        }
        if !moved {
            break;
        }
    }
    events
}

#[test]
fn scripted_phone_fetches_structure_then_the_attachment_then_idles() {
    use smtp_sim::imap::client::{ClientSession, Plan, Want};
    use smtp_sim::imap::event::ClientEvent;
    let mut p = Pair {
        server: ServerSession::new(ServerConfig { starttls: true, login_disabled_without_tls: true, ..ServerConfig::default() }),
        ..Pair::new()
    };
    let mut phone = ClientSession::new(Plan {
        user: "bob".into(),
        password: "pw".into(),
        mailbox: "INBOX".into(),
        want: Want::Attachment,
        mark_seen: true,
        idle_rounds: 1,
    });
    let events = converse(&mut phone, &mut p);
    assert!(phone.tls(), "LOGINDISABLED: the phone used STARTTLS before LOGIN");
    let fetched: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            ClientEvent::Fetched { uid, section, octets, .. } => Some((*uid, section.clone(), *octets)),
            _ => None,
        })
        .collect();
    assert_eq!(fetched, vec![(1, "part 2".to_string(), 8)], "only the attachment of message 1; message 2 has none");
    assert!(phone.is_idling());
    assert!(p.store.folder("bob", "INBOX").unwrap().messages[0].flags.contains(smtp_sim::store::Flag::Seen));
    // New mail while the phone idles: it is announced, fetched, and the phone logs out.
    p.store.deliver("bob", MSG.as_bytes(), 0).unwrap();
    p.server.poll_store(&mut p.store);
    let events = converse(&mut phone, &mut p);
    assert!(events.iter().any(|e| matches!(e, ClientEvent::NewMail { exists: 3 })), "{events:?}");
    assert!(events.iter().any(|e| matches!(e, ClientEvent::Fetched { uid: 3, .. })));
    assert!(phone.is_finished() && p.server.is_closed());
}
