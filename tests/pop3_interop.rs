//! `smtp-sim serve --pop3` against POP3 clients nobody here wrote: Python's standard `poplib`
//! (mail sent with `smtplib` first, with an attachment) and, when Debian's curl is installed,
//! curl's `pop3://` URLs. Needs `python3`; when it is missing the tests FAIL and say so, they
//! never pass silently. Each server is killed when its test ends (`Drop`), every wait is bounded.

mod common;

use std::io::Read;
use std::path::Path;
use std::process::Command;

use common::{python, run_within, script, temp_dir, Listening};
use serde_json::Value;

fn py_json(args: &[&str]) -> Value {
    let out = run_within(common::command(python()).arg(script("poplib_client.py")).args(args), std::time::Duration::from_secs(30));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "poplib_client.py {args:?} failed (needs python3: apt-get install python3): {stderr}\n{stdout}");
    serde_json::from_str(stdout.trim()).unwrap_or_else(|e| panic!("{args:?} printed no JSON ({e}): {stdout}\n{stderr}"))
}

/// `smtp-sim serve` for example.org with mailbox bob, account bob:pw, SMTP and POP3 on free
/// ports; killed on drop (`common::Listening`).
struct Server {
    server: Listening,
    smtp: u16,
    pop3: u16,
}

impl Server {
    fn start(maildir: &Path) -> Server {
        let mut cmd = Command::new(common::bin());
        cmd.args(["serve", "--listen", "127.0.0.1:0", "--pop3", "127.0.0.1:0", "--mailbox", "bob", "--auth", "bob:pw", "--maildir"])
            .arg(maildir);
        let server = Listening::start(cmd, temp_dir("pop3-serve"));
        let pop3 = server.port_after("POP3 listening on 127.0.0.1:");
        Server { smtp: server.port, pop3, server }
    }

    fn pop(&self, password: &str, steps: &[&str]) -> Value {
        let port = self.pop3.to_string();
        let mut args = vec!["pop", &port, "bob", password];
        args.extend_from_slice(steps);
        py_json(&args)
    }

    fn output(&self) -> String {
        self.server.output()
    }
}

fn step<'a>(v: &'a Value, name: &str) -> &'a Value {
    v["steps"].as_array().unwrap().iter().find(|s| s[0] == name).map(|s| &s[1]).unwrap_or_else(|| panic!("no step {name} in {v}"))
}

fn b64(v: &Value) -> Vec<u8> {
    // Decoding with the project's own codec keeps the test free of extra dependencies.
    smtp_sim::smtp::base64::decode(v.as_str().unwrap().as_bytes()).expect("base64")
}

/// The message files of bob's INBOX (new/ and cur/), as (sub-directory/name, bytes).
fn files(maildir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut v = Vec::new();
    for sub in ["new", "cur"] {
        for e in std::fs::read_dir(maildir.join("bob").join(sub)).unwrap() {
            let e = e.unwrap();
            v.push((format!("{sub}/{}", e.file_name().to_string_lossy()), std::fs::read(e.path()).unwrap()));
        }
    }
    v
}

#[test]
fn poplib_reads_what_smtplib_sent_byte_exact_and_deletes_only_at_quit() {
    let tmp = temp_dir("pop3-interop");
    let maildir = tmp.path().join("mail");
    let server = Server::start(&maildir);
    let sent = py_json(&["send", &server.smtp.to_string(), "bob@example.org"]);
    assert_eq!(sent["refused"], serde_json::json!([]));
    let stored = files(&maildir);
    assert_eq!(stored.len(), 1);
    assert!(stored[0].0.starts_with("new/"), "delivered to new/: {stored:?}");
    let file = stored[0].1.clone();

    let first = server.pop("pw", &["capa", "user", "stat", "list", "uidl", "retr:1", "top:1:0", "quit"]);
    assert!(first["welcome"].as_str().unwrap().contains('<'), "APOP timestamp: {}", first["welcome"]);
    let capa = step(&first, "capa");
    for c in ["TOP", "UIDL", "USER", "RESP-CODES", "SASL"] {
        assert!(capa.get(c).is_some(), "{c} in {capa}");
    }
    assert_eq!(step(&first, "stat"), &serde_json::json!([1, file.len()]));
    assert_eq!(step(&first, "list"), &serde_json::json!([format!("1 {}", file.len())]), "exact octets");
    let uidl = step(&first, "uidl")[0].as_str().unwrap().to_string();
    let retr = step(&first, "retr:1");
    assert_eq!(b64(&retr["b64"]), file, "RETR gives the stored bytes exactly");
    assert_eq!(retr["attachment_intact"], true);
    assert_eq!(retr["resp"], format!("+OK {} octets", file.len()));
    let top = b64(&step(&first, "top:1:0")["b64"]);
    let head_end = file.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
    assert_eq!(top, &file[..head_end]);
    // First read: new/ → cur/; RETR flagged it \Seen (S).
    let stored = files(&maildir);
    assert!(stored[0].0.starts_with("cur/") && stored[0].0.ends_with(":2,S"), "{stored:?}");

    let out = server.output();
    assert!(out.contains("[pop3 #1] C → S  RETR 1␍␊") && out.contains("(message text: "), "narration: {out}");
    // A reconnect and a restart keep the UIDL; DELE then a dropped connection removes nothing.
    drop(server);
    let server = Server::start(&maildir);
    let second = server.pop("pw", &["apop", "uidl", "dele:1", "stat", "drop"]);
    assert!(step(&second, "apop").as_str().unwrap().starts_with("+OK bob has 1 messages"));
    assert_eq!(step(&second, "uidl")[0].as_str().unwrap(), uidl, "UIDL stable across a restart");
    assert_eq!(step(&second, "stat"), &serde_json::json!([0, 0]), "a DELE'd message vanishes from STAT at once");
    server.server.wait_output("no UPDATE: 1 marked");
    assert_eq!(files(&maildir).len(), 1, "a dropped connection deletes nothing");

    // Wrong password: -ERR [AUTH]. Then DELE + QUIT removes the file.
    let wrong = server.pop("nope", &["user"]);
    assert_eq!(step(&wrong, "user")["error"], "-ERR [AUTH] invalid user name or password");
    let third = server.pop("pw", &["user", "uidl", "dele:1", "quit"]);
    assert_eq!(step(&third, "uidl")[0].as_str().unwrap(), uidl);
    assert!(step(&third, "quit").as_str().unwrap().contains("0 messages left"));
    assert!(files(&maildir).is_empty(), "DELE + QUIT removed the message");
    let out = server.output();
    assert!(out.contains("Why: Only QUIT from TRANSACTION enters UPDATE") && out.contains("State: Update → Closed"), "narration: {out}");
}

#[test]
fn a_second_session_gets_in_use_while_the_first_holds_the_maildrop() {
    let tmp = temp_dir("pop3-interop");
    let server = Server::start(&tmp.path().join("mail"));
    let mut first = std::net::TcpStream::connect(("127.0.0.1", server.pop3)).unwrap();
    first.set_read_timeout(Some(common::TIMEOUT)).unwrap();
    std::io::Write::write_all(&mut first, b"USER bob\r\nPASS pw\r\n").unwrap();
    let mut got = Vec::new();
    let mut buf = [0u8; 512];
    while !String::from_utf8_lossy(&got).contains("bob has") {
        let n = first.read(&mut buf).unwrap();
        assert!(n > 0, "server closed: {}", String::from_utf8_lossy(&got));
        got.extend_from_slice(&buf[..n]);
    }
    let second = server.pop("pw", &["user"]);
    assert_eq!(step(&second, "user")["error"], "-ERR [IN-USE] the maildrop of bob is already open in another session");
}

#[test]
fn curl_lists_and_retrieves_over_pop3_urls() {
    if std::process::Command::new("curl").arg("--version").output().is_err() {
        panic!("this test needs Debian's curl (apt-get install curl)");
    }
    let tmp = temp_dir("pop3-interop");
    let maildir = tmp.path().join("mail");
    let server = Server::start(&maildir);
    py_json(&["send", &server.smtp.to_string(), "bob@example.org"]);
    let file = files(&maildir).remove(0).1;
    let url = format!("pop3://127.0.0.1:{}/", server.pop3);
    let list =
        run_within(common::command("curl").args(["-s", "--max-time", "10", "-u", "bob:pw", &url]), std::time::Duration::from_secs(20));
    assert!(list.status.success(), "{}", String::from_utf8_lossy(&list.stderr));
    assert_eq!(String::from_utf8_lossy(&list.stdout), format!("1 {}\r\n", file.len()));
    let retr = run_within(
        common::command("curl").args(["-s", "--max-time", "10", "-u", "bob:pw", &format!("{url}1")]),
        std::time::Duration::from_secs(20),
    );
    assert_eq!(retr.stdout, file, "curl's RETR is byte-exact");
    let wrong =
        run_within(common::command("curl").args(["-s", "--max-time", "10", "-u", "bob:nope", &url]), std::time::Duration::from_secs(20));
    assert_eq!(wrong.status.code(), Some(67), "curl exit 67: login denied");
}

#[test]
fn pop3_flags_are_checked_before_anything_listens() {
    let tmp = temp_dir("pop3-interop");
    let dir = tmp.path().join("mail");
    let run = |extra: &[&str]| {
        let out = run_within(
            common::smtp_sim(&["serve", "--listen", "127.0.0.1:0", "--mailbox", "bob", "--maildir"]).arg(&dir).args(extra),
            std::time::Duration::from_secs(20),
        );
        (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
    };
    let (code, err) = run(&["--pop3", "127.0.0.1:0"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("--pop3 needs at least one --auth USER:PASS"), "{err}");
    let (code, err) = run(&["--pop3", "192.0.2.1:110", "--auth", "bob:pw"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("not a loopback address"), "{err}");
    let (code, err) = run(&["--pop3", "127.0.0.1:0", "--auth", "../etc:pw"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("must be a mailbox name"), "{err}");
}
