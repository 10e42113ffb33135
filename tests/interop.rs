//! Interoperability with mail software nobody here wrote:
//!
//! - Python's standard `smtplib` and `email` packages send through `smtp-sim serve`; the stored
//!   Maildir files are then read back with Python's `mailbox` and `email` packages.
//! - `smtp-sim send` delivers to `aiosmtpd` (from PyPI, installed into a venv under
//!   `target/interop-venv`); the received bytes are parsed with Python's `email` package.
//!
//! Needs `python3` (with the `venv` module) and, once, PyPI for `aiosmtpd`. When they are
//! missing the tests FAIL and name the command to run; they never pass silently. Every child
//! process is killed when its test ends, every wait is bounded, and every output is read while
//! the child runs (the fixtures of `tests/common/`).

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;
use std::time::Duration;

use common::{command, python, run, run_within, script, temp_dir, Listening};
use serde_json::Value;

const AIOSMTPD: &str = "aiosmtpd==1.4.6";

/// Run one of our Python scripts and parse the JSON it prints.
fn py_json(py: &Path, args: &[&str]) -> Value {
    let out = run(command(py).args(args));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{args:?} failed: {stderr}\n{stdout}");
    serde_json::from_str(stdout.trim()).unwrap_or_else(|e| panic!("{args:?} printed no JSON ({e}): {stdout}\n{stderr}"))
}

/// The Maildir of `mailbox` of a `smtp-sim serve` as Python's `mailbox.Maildir` and `email`
/// read it.
fn maildir(srv: &Listening, mailbox: &str) -> Vec<Value> {
    let dir = srv.maildir().join(mailbox);
    let v = py_json(python(), &[script("mailcheck.py").to_str().unwrap(), "maildir", dir.to_str().unwrap()]);
    v.as_array().unwrap().clone()
}

fn smtplib(mode: &str, port: u16) -> Value {
    py_json(python(), &[script("smtplib_client.py").to_str().unwrap(), mode, &port.to_string()])
}

fn crlf_to_lf(s: &str) -> String {
    s.replace("\r\n", "\n")
}

/// Checks shared by every message stored by `smtp-sim serve`.
fn assert_trace(m: &Value, with: &str, rcpt: &str) {
    assert_eq!(m["return_path"], "<carol@example.com>", "{m:#}");
    let received = m["received"].as_array().unwrap();
    assert_eq!(received.len(), 1, "{m:#}");
    let r = received[0].as_str().unwrap();
    assert!(r.starts_with(&format!("from client.test ([127.0.0.1]) by mail.example.org with {with} id ")), "{r}");
    assert!(r.contains(&format!("for <{rcpt}>;")) && r.ends_with("+0000"), "{r}");
    let names: Vec<&str> = m["headers"].as_array().unwrap().iter().map(|h| h[0].as_str().unwrap()).collect();
    assert_eq!(&names[..2], ["Return-Path", "Received"], "trace fields first: {names:?}");
    assert_eq!(m["defects"], serde_json::json!([]), "{m:#}");
    assert_eq!(m["crlf_only"], true, "{m:#}");
    assert_eq!(m["subdir"], "new", "{m:#}");
}

// ── Python smtplib → smtp-sim serve ───────────────────────────────────────────────────────

#[test]
fn smtplib_plain_message_lands_in_maildir() {
    let srv = Listening::serve(&[]);
    let r = smtplib("plain", srv.port);
    assert_eq!(r["ehlo_code"], 250);
    assert!(!r["features"].as_array().unwrap().iter().any(|f| f == "starttls"), "{r}");
    assert_eq!(r["refused"], serde_json::json!({}));
    let msgs = maildir(&srv, "alice");
    assert_eq!(msgs.len(), 1);
    let m = &msgs[0];
    assert_trace(m, "ESMTP", "alice@example.org");
    assert_eq!(m["subject"], "Plain hello");
    // smtplib dot-stuffed the line; the server removed the dot again.
    assert_eq!(crlf_to_lf(m["body"].as_str().unwrap()), "Hello Alice,\n.a line starting with a dot\nBye\n");
}

#[test]
fn smtplib_sendmail_reports_the_refused_recipients() {
    let srv = Listening::serve(&[]);
    let r = smtplib("multi", srv.port);
    let refused = r["refused"].as_object().unwrap();
    assert_eq!(refused.len(), 2, "{r}");
    assert_eq!(refused["nobody@example.org"][0], 550);
    assert!(
        refused["nobody@example.org"][1].as_str().unwrap().starts_with("5.1.1 <nobody@example.org>: Recipient address rejected"),
        "{r}"
    );
    assert_eq!(refused["someone@elsewhere.example"][0], 550);
    assert!(refused["someone@elsewhere.example"][1].as_str().unwrap().starts_with("5.7.1 "), "{r}");
    for who in ["alice", "bob"] {
        let msgs = maildir(&srv, who);
        assert_eq!(msgs.len(), 1, "{who}");
        assert_trace(&msgs[0], "ESMTP", &format!("{who}@example.org"));
        assert_eq!(crlf_to_lf(msgs[0]["body"].as_str().unwrap()), "One message, four recipients, two refused.\n");
    }
}

#[test]
fn smtplib_several_messages_on_one_connection() {
    let srv = Listening::serve(&[]);
    assert_eq!(smtplib("several", srv.port)["sent"], 3);
    let msgs = maildir(&srv, "bob");
    let subjects: Vec<&str> = msgs.iter().map(|m| m["subject"].as_str().unwrap()).collect();
    assert_eq!(subjects, ["Message 0", "Message 1", "Message 2"]);
    let out = srv.output();
    assert!(out.contains("[#1] connection from") && !out.contains("[#2]"), "one connection:\n{out}");
    // smtplib writes its verbs in lower case ("mail FROM:"); SMTP verbs are case-insensitive.
    assert_eq!(out.matches("C → S  mail FROM:<carol@example.com>").count(), 3, "{out}");
}

#[test]
fn smtplib_login_with_plain_and_login() {
    let srv = Listening::serve(&["--auth", "alice:s3cret", "--require-auth"]);
    for mode in ["auth_plain", "auth_login", "auth_login_initial"] {
        let r = smtplib(mode, srv.port);
        assert_eq!(r["auth"], serde_json::json!([235, "2.7.0 Authentication successful"]), "{mode}: {r}");
        assert_eq!(r["refused"], serde_json::json!({}), "{mode}");
    }
    let bad = smtplib("bad_auth", srv.port);
    assert_eq!(bad["error"], serde_json::json!([535, "5.7.8 Authentication credentials invalid"]));
    let unauth = smtplib("require_auth", srv.port);
    assert_eq!(unauth["error"], serde_json::json!([530, "5.7.0 Authentication required"]));
    let msgs = maildir(&srv, "alice");
    assert_eq!(msgs.len(), 3);
    for m in &msgs {
        assert_trace(m, "ESMTPA", "alice@example.org");
    }
    let out = srv.output();
    for needle in ["C → S  AUTH PLAIN ", "C → S  AUTH LOGIN␍␊", "S → C  334 VXNlcm5hbWU6␍␊", "authenticated as \"alice\" with LOGIN"]
    {
        assert!(out.contains(needle), "missing {needle:?}:\n{out}");
    }
}

#[test]
fn smtplib_attachment_built_by_the_email_package_arrives_intact() {
    let srv = Listening::serve(&[]);
    let r = smtplib("attachment", srv.port);
    assert_eq!(r["refused"], serde_json::json!({}));
    let msgs = maildir(&srv, "alice");
    assert_eq!(msgs.len(), 1);
    let m = &msgs[0];
    assert_trace(m, "ESMTP", "alice@example.org");
    assert_eq!(m["subject"], "Attachment: données ✓");
    assert_eq!(crlf_to_lf(m["body"].as_str().unwrap()), "Bonjour Alice,\n.dotted line\nsee the attachments — merci.\n");
    let atts = m["attachments"].as_array().unwrap();
    assert_eq!(atts.len(), 2, "{m:#}");
    assert_eq!(atts[0]["filename"], "data.bin");
    assert_eq!(atts[0]["content_type"], "application/octet-stream");
    let mut binary: Vec<u8> = (0..=255u8).collect::<Vec<_>>().repeat(12);
    binary.extend_from_slice(b"\r\n.\r\n");
    binary.extend((0..=255u8).rev());
    assert_eq!(r["binary_len"], binary.len());
    assert_eq!(atts[0]["data_b64"].as_str().unwrap(), smtp_sim::sim::mime::base64_encode(&binary), "attachment bytes changed");
    assert_eq!(atts[1]["filename"], "table.csv");
    let csv = smtp_sim::sim::mime::base64_decode(atts[1]["data_b64"].as_str().unwrap()).unwrap();
    assert_eq!(crlf_to_lf(&String::from_utf8(csv).unwrap()), "a,b\n1,2\n");
}

#[test]
fn smtplib_sendmail_with_bare_lf_bytes_is_refused() {
    // A real-world trap: smtplib's sendmail() sends a bytes message unchanged, and
    // EmailMessage.as_bytes() ends lines with a bare LF. This server refuses bare LF in data
    // (RFC 5321 §2.3.8; the SMTP smuggling defence), as Postfix does since 2024.
    let srv = Listening::serve(&[]);
    let r = smtplib("bare_lf", srv.port);
    assert_eq!(r["error"][0], 550, "{r}");
    assert!(r["error"][1].as_str().unwrap().starts_with("5.6.0 Message contains a bare CR or LF"), "{r}");
    assert!(maildir(&srv, "alice").is_empty());
}

// ── smtp-sim send → aiosmtpd ──────────────────────────────────────────────────────────────

/// The venv with aiosmtpd, created (or reused) once per test run.
fn venv_python() -> &'static Path {
    static VENV: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    let r = VENV.get_or_init(|| {
        let venv = Path::new(env!("CARGO_TARGET_TMPDIR")).parent().unwrap().join("interop-venv");
        let py = venv.join("bin/python");
        let check = format!("import aiosmtpd, sys; sys.exit(aiosmtpd.__version__ != {:?})", AIOSMTPD.split("==").nth(1).unwrap());
        let ready = |py: &Path| py.exists() && run_within(command(py).args(["-c", &check]), common::TIMEOUT).status.success();
        if ready(&py) {
            return Ok(py);
        }
        let how = format!("{} -m venv {v} && {v}/bin/python -m pip install {AIOSMTPD}", python().display(), v = venv.display());
        let out = run_within(command(python()).args(["-m", "venv", "--clear"]).arg(&venv), Duration::from_secs(120));
        if !out.status.success() {
            return Err(format!(
                "cannot create the venv ({}); on Debian install python3-venv, then run: {how}",
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
        let out = run_within(
            command(&py).args(["-m", "pip", "install", "--disable-pip-version-check", "-q", AIOSMTPD]),
            Duration::from_secs(240),
        );
        if !out.status.success() || !ready(&py) {
            return Err(format!("cannot install {AIOSMTPD} from PyPI ({}); run: {how}", String::from_utf8_lossy(&out.stderr).trim()));
        }
        Ok(py)
    });
    match r {
        Ok(p) => p,
        Err(e) => panic!("{e}"),
    }
}

/// An aiosmtpd server storing what it receives in its directory.
fn sink(extra: &[&str]) -> Listening {
    let py = venv_python();
    let dir = temp_dir("sink");
    let mut cmd = Command::new(py);
    cmd.arg(script("aiosmtpd_sink.py")).arg(dir.path()).args(extra).args(["--lifetime", "60"]);
    Listening::start(cmd, dir)
}

fn send(args: &[&str]) -> Output {
    run(common::smtp_sim(&["send"]).args(args))
}

#[test]
fn send_delivers_attachments_to_aiosmtpd_intact() {
    let sink = sink(&[]);
    let files = temp_dir("attach");
    let files = files.path();
    let png: Vec<u8> = (0..3000u32).map(|i| (i * 7 % 256) as u8).collect();
    let png_path = files.join("picture.png");
    std::fs::write(&png_path, &png).unwrap();
    let txt_path = files.join("notes.txt");
    std::fs::write(&txt_path, "first line\n.second line starts with a dot\n").unwrap();
    let server = format!("127.0.0.1:{}", sink.port);
    let out = send(&[
        "--server",
        &server,
        "--from",
        "carol@example.com",
        "--to",
        "alice@sink.test",
        "--to",
        "bob@sink.test",
        "--subject",
        "Photos from the trip",
        "--body",
        "Hi both,\nhere they are.\n.\nA lone dot above.",
        "--attach",
        png_path.to_str().unwrap(),
        "--attach",
        txt_path.to_str().unwrap(),
        "--helo",
        "laptop.test",
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("2 of 2 recipient(s) accepted"), "{stdout}");
    assert!(stdout.contains("S → C  250 2.0.0 OK stored as msg-1␍␊"), "{stdout}");
    // aiosmtpd's texts are not in our catalogue: the generic meaning of the code is shown.
    assert!(stdout.contains("= 250: Requested mail action okay, completed"), "{stdout}");

    let envelope: Value = serde_json::from_str(&std::fs::read_to_string(sink.dir().join("msg-1.json")).unwrap()).unwrap();
    assert_eq!(envelope["mail_from"], "carol@example.com");
    assert_eq!(envelope["rcpt_tos"], serde_json::json!(["alice@sink.test", "bob@sink.test"]));
    assert_eq!(envelope["helo"], "laptop.test");
    assert!(envelope["mail_options"].as_array().unwrap().iter().any(|o| o.as_str().unwrap().starts_with("SIZE=")), "{envelope}");

    let eml = sink.dir().join("msg-1.eml");
    let parsed = py_json(python(), &[script("mailcheck.py").to_str().unwrap(), "eml", eml.to_str().unwrap()]);
    let m = &parsed[0];
    assert_eq!(m["defects"], serde_json::json!([]), "{m:#}");
    assert_eq!(m["subject"], "Photos from the trip");
    assert_eq!(m["from"], "carol@example.com");
    assert!(m["message_id"].as_str().unwrap().ends_with("@laptop.test>"), "{m:#}");
    assert!(m["date"].as_str().unwrap().ends_with("+0000"), "{m:#}");
    assert_eq!(crlf_to_lf(m["body"].as_str().unwrap()), "Hi both,\nhere they are.\n.\nA lone dot above.");
    let atts = m["attachments"].as_array().unwrap();
    assert_eq!(atts.len(), 2, "{m:#}");
    assert_eq!(atts[0]["filename"], "picture.png");
    assert_eq!(atts[0]["content_type"], "image/png");
    assert_eq!(smtp_sim::sim::mime::base64_decode(atts[0]["data_b64"].as_str().unwrap()).unwrap(), png, "PNG bytes changed");
    assert_eq!(atts[1]["filename"], "notes.txt");
    assert_eq!(atts[1]["content_type"], "text/plain");
    let txt = smtp_sim::sim::mime::base64_decode(atts[1]["data_b64"].as_str().unwrap()).unwrap();
    assert_eq!(txt, b"first line\n.second line starts with a dot\n", "text attachment bytes changed");
}

#[test]
fn send_reports_a_recipient_aiosmtpd_refused() {
    let sink = sink(&[]);
    let server = format!("127.0.0.1:{}", sink.port);
    let out = send(&[
        "--server",
        &server,
        "--from",
        "carol@example.com",
        "--to",
        "alice@sink.test",
        "--to",
        "refuse-me@sink.test",
        "--subject",
        "s",
        "--body",
        "b",
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("refused: <refuse-me@sink.test> — 550 5.1.1 <refuse-me@sink.test>: no such user here"), "{stdout}");
    assert!(stdout.contains("= 550: Mailbox unavailable"), "{stdout}");
    assert!(stdout.contains("1 of 2 recipient(s) accepted"), "{stdout}");
    let envelope: Value = serde_json::from_str(&std::fs::read_to_string(sink.dir().join("msg-1.json")).unwrap()).unwrap();
    assert_eq!(envelope["rcpt_tos"], serde_json::json!(["alice@sink.test"]));
}

#[test]
fn send_authenticates_to_aiosmtpd() {
    let sink = sink(&["--auth", "carol:pw"]);
    let server = format!("127.0.0.1:{}", sink.port);
    for (n, mech) in [(1, "plain"), (2, "login")] {
        let out = send(&[
            "--server",
            &server,
            "--from",
            "carol@example.com",
            "--to",
            "alice@sink.test",
            "--subject",
            mech,
            "--body",
            "b",
            "--auth",
            "carol:pw",
            "--auth-mechanism",
            mech,
        ]);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(0), "{mech}: {stdout}");
        assert!(stdout.contains("S → C  235 2.7.0 Authentication successful␍␊"), "{stdout}");
        let envelope: Value = serde_json::from_str(&std::fs::read_to_string(sink.dir().join(format!("msg-{n}.json"))).unwrap()).unwrap();
        assert_eq!(envelope["login"], "carol", "{mech}");
    }
    // A wrong password: 535, and the client stops there (RFC 4954 §6: it does not try to send
    // unauthenticated); the recipient is reported refused with the 535, and no MAIL is sent.
    let out = send(&[
        "--server",
        &server,
        "--from",
        "carol@example.com",
        "--to",
        "alice@sink.test",
        "--subject",
        "s",
        "--body",
        "b",
        "--auth",
        "carol:nope",
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("S → C  535 5.7.8"), "{stdout}");
    assert!(stdout.contains("refused: <alice@sink.test> — 535"), "{stdout}");
    assert!(!stdout.contains("MAIL FROM"), "{stdout}");
}
