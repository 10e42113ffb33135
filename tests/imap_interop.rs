//! IMAP interoperability with software nobody here wrote: Python's standard `imaplib` (and
//! `smtplib` to send the mail first) and Debian's `curl` with `imap://` URLs, against
//! `smtp-sim serve --imap`. Needs `python3` and `curl`; when they are missing the tests FAIL
//! and say what to install. Children are killed when a test ends, every wait is bounded.

mod common;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use common::{python, run_within, script, temp_dir, Listening};
use serde_json::Value;

/// `smtp-sim serve --imap` for alice and bob; killed on drop (`common::Listening`, which also
/// removes its directory).
struct Server {
    server: Listening,
    smtp: u16,
    imap: u16,
}

impl Server {
    fn start() -> Server {
        let dir = temp_dir("imap-interop");
        let mut cmd = Command::new(common::bin());
        cmd.args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--imap",
            "127.0.0.1:0",
            "--mailbox",
            "alice",
            "--mailbox",
            "bob",
            "--auth",
            "alice:s3cret",
            "--maildir",
        ])
        .arg(dir.path().join("mail"));
        let server = Listening::start(cmd, dir);
        let imap = server.port_after("IMAP on 127.0.0.1:");
        Server { smtp: server.port, imap, server }
    }

    fn dir(&self) -> &Path {
        self.server.dir()
    }

    fn python(&self, mode: &str) -> Value {
        let out = run_within(
            common::command(python()).arg(script("imaplib_client.py")).args([mode, &self.smtp.to_string(), &self.imap.to_string()]),
            Duration::from_secs(60),
        );
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "imaplib_client.py {mode} failed: {}\n{stdout}\n--- server ---\n{}",
            String::from_utf8_lossy(&out.stderr),
            self.output()
        );
        serde_json::from_str(stdout.trim()).unwrap_or_else(|e| panic!("no JSON ({e}): {stdout}"))
    }

    fn output(&self) -> String {
        self.server.output()
    }
}

fn b64(s: &str) -> Vec<u8> {
    smtp_sim::smtp::base64::decode(s.as_bytes()).expect("base64")
}

#[test]
fn imaplib_reads_what_smtplib_sent() {
    let srv = Server::start();
    let r = srv.python("journey");
    let caps: Vec<&str> = r["capabilities"].as_array().unwrap().iter().map(|c| c.as_str().unwrap()).collect();
    assert!(caps.contains(&"IMAP4REV1") && caps.contains(&"IMAP4REV2"), "{caps:?}");
    assert_eq!(r["exists"], 1);
    assert_eq!(r["uids"], serde_json::json!([1]));
    assert_eq!(r["search_subject_unseen"], serde_json::json!([1]));
    // BODY[] is the stored file, byte for byte: the sent message after the trace fields.
    let body = b64(r["body_b64"].as_str().unwrap());
    assert_eq!(r["size"].as_u64().unwrap() as usize, body.len());
    let sent = b64(r["sent_b64"].as_str().unwrap());
    assert!(body.ends_with(&sent), "BODY[]:\n{}\nsent:\n{}", String::from_utf8_lossy(&body), String::from_utf8_lossy(&sent));
    assert_eq!(r["ends_with_sent"], true);
    let home = srv.dir().join("mail/alice");
    let files: Vec<_> = ["new", "cur"].iter().flat_map(|d| std::fs::read_dir(home.join(d)).unwrap()).map(|e| e.unwrap().path()).collect();
    assert!(files.is_empty(), "the message moved to Archive, then was expunged: {files:?}");
    assert!(
        body.starts_with(b"Return-Path: <carol@example.com>\r\nReceived: from client.test"),
        "{}",
        String::from_utf8_lossy(&body[..80])
    );
    assert_eq!(r["seen_after_peek"], false);
    let bs = r["bodystructure"].as_str().unwrap();
    assert!(bs.contains("\"APPLICATION\" \"PDF\"") && bs.contains("(\"attachment\" (\"filename\" \"report.pdf\"))"), "{bs}");
    assert_eq!(r["part2_is_attachment"], true);
    assert_eq!(r["seen_after_body"], true, "BODY[] sets \\Seen");
    assert_eq!(r["subject_header"], "Subject: Quarterly report\r\n\r\n");
    assert!(r["flags"].as_str().unwrap().contains("\\Flagged"), "{r}");
    assert_eq!(r["flagged_search"], serde_json::json!([1]));
    let list = r["list"].to_string();
    assert!(list.contains("\\\\Sent") && list.contains("\\\\Trash"), "{list}");
    assert_eq!(r["inbox_after_move"][2], 0, "moved out of INBOX");
    assert_eq!(r["archive_uids"], serde_json::json!([1]));
    assert_eq!(r["archive_after_reconnect"], r["archive_before"], "UIDVALIDITY/UIDNEXT stable across reconnects");
    assert_eq!(r["archive_uids_again"], serde_json::json!([1]));
    assert_eq!(r["expunged"], serde_json::json!([1]));
    assert_eq!(r["archive_after_expunge"][2], 0);
    let out = srv.output();
    for needle in [
        "[imap#1] C → S",
        "S → C  * OK [CAPABILITY IMAP4rev1 IMAP4rev2",
        "Why: ",
        "State: Not Authenticated → Authenticated",
        "UID MOVE 1 Archive",
    ] {
        assert!(out.contains(needle), "narration lacks {needle:?}:\n{out}");
    }
}

#[test]
fn wrong_password_and_hostile_lines() {
    let srv = Server::start();
    let r = srv.python("wrong_password");
    assert!(r["error"].as_str().unwrap().contains("[AUTHENTICATIONFAILED] Authentication failed"), "{r}");
    let h = srv.python("hostile");
    let lines: Vec<&str> = h["lines"].as_array().unwrap().iter().map(|l| l.as_str().unwrap()).collect();
    assert!(lines[0].starts_with("* OK [CAPABILITY"), "{lines:?}");
    assert!(lines[1].starts_with("* BAD"), "{lines:?}");
    for (i, tag) in ["a1", "a2", "a3", "a4"].iter().enumerate() {
        assert!(lines[i + 2].starts_with(&format!("{tag} BAD")), "{lines:?}");
    }
    assert!(lines[6].starts_with("* BAD") || lines[6].contains(" BAD "), "{lines:?}");
    assert!(lines[7].starts_with("a5 BAD"), "{lines:?}");
    assert!(lines[8].starts_with("a6 BAD Literal of 99999999999 octets"), "{lines:?}");
    assert_eq!(lines[9], "* BYE Logging out\r\n");
    assert_eq!(lines[10], "a7 OK LOGOUT completed\r\n");
}

#[test]
fn curl_imap_urls() {
    let srv = Server::start();
    // Deliver one message with curl's smtp:// too, then read it with imap://.
    let dir = temp_dir("imap-curl");
    let mail = dir.path().join("m.eml");
    std::fs::write(&mail, "From: carol@example.com\r\nTo: alice@example.org\r\nSubject: via curl\r\n\r\nHello from curl.\r\n").unwrap();
    let smtp = format!("smtp://127.0.0.1:{}", srv.smtp);
    let out = run_within(
        common::command("curl")
            .args(["-sS", "--max-time", "10", &smtp, "--mail-from", "carol@example.com", "--mail-rcpt", "alice@example.org", "-T"])
            .arg(&mail),
        Duration::from_secs(20),
    );
    assert!(out.status.success(), "curl smtp: {}", String::from_utf8_lossy(&out.stderr));
    let imap = |path: &str| {
        let url = format!("imap://127.0.0.1:{}/{path}", srv.imap);
        let out =
            run_within(common::command("curl").args(["-sS", "--max-time", "10", "-u", "alice:s3cret", &url]), Duration::from_secs(20));
        assert!(out.status.success(), "curl {url}: {}\n{}", String::from_utf8_lossy(&out.stderr), srv.output());
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let listing = imap("");
    assert!(listing.contains("INBOX") && listing.contains("Sent") && listing.contains("Trash"), "{listing}");
    let msg = imap("INBOX;UID=1");
    assert!(msg.contains("Subject: via curl") && msg.ends_with("Hello from curl.\r\n"), "{msg:?}");
    let section = imap("INBOX;UID=1;SECTION=HEADER.FIELDS%20(SUBJECT)");
    assert_eq!(section, "Subject: via curl\r\n\r\n");
}
