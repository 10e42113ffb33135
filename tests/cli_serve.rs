//! `smtp-sim serve` and `smtp-sim send` on real loopback sockets, driven like a student at a
//! telnet prompt: raw bytes over a `TcpStream`, replies read back and checked. Every test
//! starts its own server on `127.0.0.1:0` through `tests/common/` (`Listening::serve`), which
//! reads its output on threads and kills it when the test ends, even on failure. Every read
//! and every wait has a deadline.

mod common;

use std::net::TcpListener;
use std::time::{Duration, Instant};

use common::{code, run_smtp_sim as run, temp_dir, Listening as Server, TIMEOUT};

// ── Error paths, telnet style ─────────────────────────────────────────────────────────────

#[test]
fn greeting_and_ehlo_advertise_no_starttls() {
    let srv = Server::serve(&[]);
    let mut c = srv.connect();
    assert!(c.greeting.starts_with("220 mail.example.org ESMTP"), "{}", c.greeting);
    let ehlo = c.cmd("EHLO client.test");
    assert!(ehlo.starts_with("250-mail.example.org Hello client.test"), "{ehlo}");
    for ext in ["PIPELINING", "SIZE 10485760", "8BITMIME", "ENHANCEDSTATUSCODES"] {
        assert!(ehlo.contains(ext), "{ext} missing: {ehlo}");
    }
    assert!(!ehlo.contains("STARTTLS"), "a real socket must not offer STARTTLS: {ehlo}");
    assert!(!ehlo.contains("AUTH"), "AUTH only with --auth: {ehlo}");
    assert_eq!(code(&c.cmd("STARTTLS")), "502 5.5.1");
    assert_eq!(code(&c.cmd("AUTH PLAIN")), "502 5.5.1");
}

#[test]
fn rcpt_before_mail_is_503() {
    let srv = Server::serve(&[]);
    let mut c = srv.connect();
    c.cmd("EHLO client.test");
    let r = c.cmd("RCPT TO:<alice@example.org>");
    assert_eq!(code(&r), "503 5.5.1", "{r}");
    assert!(r.contains("need MAIL"), "{r}");
    assert_eq!(code(&c.cmd("DATA")), "503 5.5.1");
}

#[test]
fn unknown_command_is_500() {
    let srv = Server::serve(&[]);
    let mut c = srv.connect();
    c.cmd("EHLO client.test");
    assert_eq!(code(&c.cmd("FOO bar")), "500 5.5.1");
    // Before EHLO too: the server supports ENHANCEDSTATUSCODES, so every reply carries the
    // enhanced code "regardless of whether or not EHLO is employed" (RFC 2034 §3).
    let mut d = srv.connect();
    assert_eq!(d.cmd("XYZZY"), "500 5.5.1 Syntax error, command unrecognized");
}

#[test]
fn relaying_to_another_domain_is_refused() {
    let srv = Server::serve(&[]);
    let mut c = srv.connect();
    c.cmd("EHLO client.test");
    assert_eq!(code(&c.cmd("MAIL FROM:<carol@example.com>")), "250 2.1.0");
    let r = c.cmd("RCPT TO:<someone@elsewhere.example>");
    assert!(r.starts_with("550 5.7.1 <someone@elsewhere.example>: Relay access denied"), "{r}");
    assert_eq!(code(&c.cmd("RCPT TO:<bob@[127.0.0.1]>")), "550 5.7.1");
}

#[test]
fn unknown_user_is_550_and_local_parts_ignore_case() {
    let srv = Server::serve(&[]);
    let mut c = srv.connect();
    c.cmd("EHLO client.test");
    c.cmd("MAIL FROM:<carol@example.com>");
    let r = c.cmd("RCPT TO:<nobody@example.org>");
    assert!(r.starts_with("550 5.1.1 <nobody@example.org>: Recipient address rejected: user unknown"), "{r}");
    assert_eq!(code(&c.cmd("RCPT TO:<ALICE@Example.ORG>")), "250 2.1.5");
    assert_eq!(code(&c.cmd("RCPT TO:<postmaster@example.org>")), "250 2.1.5");
    assert_eq!(code(&c.cmd("RCPT TO:<Postmaster>")), "250 2.1.5");
}

#[test]
fn oversized_messages_are_refused_with_552() {
    let srv = Server::serve(&["--size-limit", "1000"]);
    let mut c = srv.connect();
    let ehlo = c.cmd("EHLO client.test");
    assert!(ehlo.contains("SIZE 1000"), "{ehlo}");
    let r = c.cmd("MAIL FROM:<carol@example.com> SIZE=5000");
    assert_eq!(code(&r), "552 5.3.4", "{r}");
    // Without SIZE= the limit is checked at the end of the data.
    assert_eq!(code(&c.cmd("MAIL FROM:<carol@example.com>")), "250 2.1.0");
    assert_eq!(code(&c.cmd("RCPT TO:<alice@example.org>")), "250 2.1.5");
    assert!(c.cmd("DATA").starts_with("354"));
    let big = format!("Subject: big\r\n\r\n{}.\r\n", format!("{}\r\n", "x".repeat(70)).repeat(20));
    c.write(big.as_bytes());
    assert_eq!(code(&c.reply()), "552 5.3.4");
    assert!(srv.messages("alice").is_empty());
}

#[test]
fn bare_lf_is_refused_in_commands_and_data() {
    let srv = Server::serve(&[]);
    let mut c = srv.connect();
    c.cmd("EHLO client.test");
    c.write(b"NOOP\n");
    let r = c.reply();
    assert_eq!(code(&r), "500 5.5.2", "{r}");
    assert!(r.contains("bare LF"), "{r}");
    c.cmd("MAIL FROM:<carol@example.com>");
    c.cmd("RCPT TO:<alice@example.org>");
    assert!(c.cmd("DATA").starts_with("354"));
    c.write(b"Subject: smuggle\r\n\r\nline one\nline two\r\n.\r\n");
    assert_eq!(code(&c.reply()), "550 5.6.0");
    assert!(srv.messages("alice").is_empty());
}

#[test]
fn a_command_line_over_512_octets_is_refused() {
    let srv = Server::serve(&[]);
    let mut c = srv.connect();
    c.cmd("EHLO client.test");
    let r = c.cmd(&format!("NOOP {}", "A".repeat(600)));
    assert_eq!(code(&r), "500 5.5.2", "{r}");
    assert!(r.contains("Line too long"), "{r}");
    // The session goes on.
    assert_eq!(code(&c.cmd("NOOP")), "250 2.0.0");
}

#[test]
fn a_pipelined_batch_in_one_write_is_answered_in_order() {
    let srv = Server::serve(&[]);
    let mut c = srv.connect();
    assert!(c.cmd("EHLO client.test").contains("PIPELINING"));
    c.write(b"MAIL FROM:<carol@example.com>\r\nRCPT TO:<alice@example.org>\r\nRCPT TO:<nobody@example.org>\r\nRCPT TO:<bob@example.org>\r\nDATA\r\n");
    let replies: Vec<String> = (0..5).map(|_| c.reply()).collect();
    let codes: Vec<&str> = replies.iter().map(|r| &r[..3]).collect();
    assert_eq!(codes, ["250", "250", "550", "250", "354"], "{replies:#?}");
    c.write(b"Subject: pipelined\r\n\r\n..leading dot\r\nend\r\n.\r\n");
    assert_eq!(code(&c.reply()), "250 2.0.0");
    let alice = srv.messages("alice");
    assert_eq!(alice.len(), 1);
    assert!(alice[0].ends_with("Subject: pipelined\r\n\r\n.leading dot\r\nend\r\n"), "dot-unstuffed body: {}", alice[0]);
    assert_eq!(srv.messages("bob").len(), 1);
}

#[test]
fn quit_gets_221_and_the_server_closes() {
    let srv = Server::serve(&[]);
    let mut c = srv.connect();
    c.cmd("EHLO client.test");
    let r = c.cmd("QUIT");
    assert!(r.starts_with("221 2.0.0 mail.example.org"), "{r}");
    assert!(c.closed(), "the server must close after 221");
}

#[test]
fn a_delivered_message_has_return_path_and_received() {
    let srv = Server::serve(&["--hostname", "mx.test"]);
    let mut c = srv.connect();
    c.cmd("HELO client.test");
    c.cmd("MAIL FROM:<carol@example.com>");
    c.cmd("RCPT TO:<alice@example.org>");
    c.cmd("RCPT TO:<Alice@example.org>");
    assert!(c.cmd("DATA").starts_with("354"));
    let r = c.cmd("Subject: hello\r\n\r\nHi Alice\r\n.");
    assert!(r.starts_with("250 2.0.0 Message accepted"), "{r}"); // a HELO session: RFC 2034 §3
    let msgs = srv.messages("alice");
    assert_eq!(msgs.len(), 1, "one copy per mailbox, however the address was spelled");
    let m = &msgs[0].replace("\r\n ", " "); // unfold (RFC 5322 §2.2.3)
    assert!(m.starts_with("Return-Path: <carol@example.com>\r\nReceived: from client.test ([127.0.0.1]) by mx.test with SMTP id "), "{m}");
    assert!(m.contains("for <alice@example.org>;"), "{m}");
    assert!(m.ends_with("\r\nSubject: hello\r\n\r\nHi Alice\r\n"), "{m}");
    // Maildir layout: tmp/ is empty again, cur/ exists, the name is time.pid_counter.host.
    let md = srv.maildir().join("alice");
    assert_eq!(std::fs::read_dir(md.join("tmp")).unwrap().count(), 0);
    assert!(md.join("cur").is_dir());
    let name = std::fs::read_dir(md.join("new")).unwrap().next().unwrap().unwrap().file_name().into_string().unwrap();
    let parts: Vec<&str> = name.splitn(3, '.').collect();
    assert!(parts[0].parse::<u64>().is_ok() && parts[1].contains('_') && parts[2] == "mx.test", "{name}");
}

#[test]
fn the_exchange_is_narrated_with_explanations_and_states() {
    let srv = Server::serve(&[]);
    let mut c = srv.connect();
    c.cmd("EHLO client.test");
    c.cmd("MAIL FROM:<carol@example.com>");
    c.cmd("RCPT TO:<nobody@example.org>");
    c.cmd("QUIT");
    let out = srv.wait_output("connection closed");
    for needle in [
        "[#1] connection from 127.0.0.1:",
        "[#1] S → C  220 mail.example.org ESMTP smtp-sim␍␊",
        "[#1] C → S  EHLO client.test␍␊",
        "[#1] C → S  MAIL FROM:<carol@example.com>␍␊",
        "State: Ready → Mail",
        "= No such mailbox at this domain.",
        "Why: The server is final for this domain",
        "RFC 3463 §3.2 (X.1.1)",
        "State: Mail (unchanged)",
        "[#1] connection closed",
    ] {
        assert!(out.contains(needle), "missing {needle:?} in:\n{out}");
    }
}

#[test]
fn quiet_prints_one_line_per_message() {
    let mut srv = Server::serve(&["--quiet"]);
    let mut c = srv.connect();
    c.cmd("EHLO client.test");
    for _ in 0..2 {
        c.cmd("MAIL FROM:<carol@example.com>");
        c.cmd("RCPT TO:<bob@example.org>");
        c.cmd("DATA");
        c.cmd("Subject: q\r\n\r\nx\r\n.");
    }
    c.cmd("QUIT");
    srv.wait_output("_1.mail.example.org");
    // Stop the server and read its whole output: nothing more can come after the exit.
    srv.signal("INT");
    assert!(srv.wait_exit(TIMEOUT).success());
    let out = srv.output();
    let body: Vec<&str> = out.lines().skip(3).filter(|l| l.starts_with("[#")).collect();
    assert_eq!(body.len(), 2, "{out}");
    assert!(body.iter().all(|l| l.starts_with("[#1] stored a message from <carol@example.com> for <bob@example.org>")), "{out}");
}

#[test]
fn auth_is_checked_and_can_be_required() {
    let srv = Server::serve(&["--auth", "alice:s3cret", "--require-auth"]);
    let mut c = srv.connect();
    let ehlo = c.cmd("EHLO client.test");
    assert!(ehlo.contains("AUTH PLAIN LOGIN"), "{ehlo}");
    assert_eq!(code(&c.cmd("MAIL FROM:<alice@example.org>")), "530 5.7.0");
    // "\0alice\0wrong" and "\0alice\0s3cret" in base64 (RFC 4616).
    assert_eq!(code(&c.cmd("AUTH PLAIN AGFsaWNlAHdyb25n")), "535 5.7.8");
    assert_eq!(code(&c.cmd("AUTH PLAIN AGFsaWNlAHMzY3JldA==")), "235 2.7.0");
    assert_eq!(code(&c.cmd("MAIL FROM:<alice@example.org>")), "250 2.1.0");
    // LOGIN, step by step, on a second connection.
    let mut d = srv.connect();
    d.cmd("EHLO client.test");
    assert_eq!(d.cmd("AUTH LOGIN"), "334 VXNlcm5hbWU6");
    assert_eq!(d.cmd("YWxpY2U="), "334 UGFzc3dvcmQ6");
    assert_eq!(code(&d.cmd("czNjcmV0")), "235 2.7.0");
}

#[test]
fn an_idle_client_gets_421_4_4_2() {
    let srv = Server::serve(&["--idle-timeout", "1"]);
    let mut c = srv.connect();
    c.cmd("EHLO client.test");
    let start = Instant::now();
    let r = c.reply();
    assert!(r.starts_with("421 4.4.2 mail.example.org Idle timeout"), "{r}");
    assert!(start.elapsed() < Duration::from_secs(5));
    assert!(c.closed());
}

#[test]
fn connections_over_the_cap_get_421() {
    let srv = Server::serve(&["--max-connections", "1"]);
    let _first = srv.connect();
    let mut second = srv.connect();
    assert!(second.greeting.starts_with("421 mail.example.org Service not available"), "{}", second.greeting);
    assert!(second.closed());
}

#[test]
fn interrupt_closes_open_sessions_with_421_and_exits_cleanly() {
    let mut srv = Server::serve(&[]);
    let mut c = srv.connect();
    c.cmd("EHLO client.test");
    srv.signal("INT");
    let r = c.reply();
    assert!(r.starts_with("421 4.3.2 mail.example.org Service shutting down"), "{r}");
    let exit = srv.wait_exit(TIMEOUT);
    assert!(exit.success(), "{exit:?}");
    assert!(srv.output().contains("stopped after 1 connection(s), 0 message(s) stored"), "{}", srv.output());
}

// ── Flags ─────────────────────────────────────────────────────────────────────────────────

#[test]
fn bad_flag_values_are_located_plain_errors_with_exit_2() {
    let dir = temp_dir("flags");
    let md = dir.path().join("m");
    let md = md.to_str().unwrap();
    let cases: &[(&[&str], &str)] = &[
        (&["serve", "--mailbox", "a", "--maildir", md, "--listen", "nonsense"], "invalid value 'nonsense' for '--listen <ADDR>'"),
        (&["serve", "--mailbox", "a", "--maildir", md, "--listen", "0.0.0.0:2525"], "not a loopback address"),
        (&["serve", "--mailbox", "a", "--maildir", md, "--auth", "nocolon"], "invalid value 'nocolon' for '--auth <USER:PASS>'"),
        (&["serve", "--mailbox", "a", "--maildir", md, "--size-limit", "-1"], "invalid value '-1' for '--size-limit <BYTES>'"),
        (&["serve", "--mailbox", "../etc", "--maildir", md], "invalid value '../etc' for '--mailbox <NAME>'"),
        (&["serve", "--mailbox", "a", "--maildir", md, "--require-auth"], "--require-auth needs at least one --auth"),
        (&["serve", "--maildir", md], "--mailbox <NAME>"),
        (
            &["send", "--server", "127.0.0.1:25", "--from", "not an address", "--to", "a@b.example"],
            "--from \"not an address\" is not a mailbox address",
        ),
        (
            &["send", "--server", "127.0.0.1:25", "--from", "a@b.example", "--to", "<x@y.example>"],
            "--to \"<x@y.example>\" is not a mailbox address",
        ),
        (&["send", "--server", "192.0.2.1:25", "--from", "a@b.example", "--to", "c@d.example"], "not a loopback address"),
        (&["send", "--server", "127.0.0.1", "--from", "a@b.example", "--to", "c@d.example"], "needs a port"),
        (
            &["send", "--server", "127.0.0.1:25", "--from", "a@b.example", "--to", "c@d.example", "--attach", "/nonexistent/file.txt"],
            "cannot read the attachment /nonexistent/file.txt",
        ),
        (
            &["send", "--server", "127.0.0.1:25", "--from", "a@b.example", "--to", "c@d.example", "--auth", "x"],
            "invalid value 'x' for '--auth <USER:PASS>'",
        ),
    ];
    for (args, needle) in cases {
        let out = run(args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(needle), "{args:?}: expected {needle:?} in {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
}

// ── smtp-sim send against smtp-sim serve ──────────────────────────────────────────────────

#[test]
fn send_delivers_and_exits_0() {
    let srv = Server::serve(&["--auth", "carol:pw"]);
    let dir = temp_dir("send");
    let att = dir.path().join("notes.csv");
    std::fs::write(&att, "a,b\r\n1,2\r\n").unwrap();
    let server = format!("127.0.0.1:{}", srv.port);
    let out = run(&[
        "send",
        "--server",
        &server,
        "--from",
        "carol@example.com",
        "--to",
        "alice@example.org",
        "--to",
        "bob@example.org",
        "--subject",
        "Minutes",
        "--body",
        "Hello both,\n.see attached\n",
        "--attach",
        att.to_str().unwrap(),
        "--auth",
        "carol:pw",
        "--helo",
        "laptop.test",
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    for needle in [
        "C → S  EHLO laptop.test␍␊",
        "C → S  AUTH PLAIN",
        "S → C  235 2.7.0",
        "State: Auth → Transaction",
        "delivered: <alice@example.org>",
        "2 of 2 recipient(s) accepted",
    ] {
        assert!(stdout.contains(needle), "missing {needle:?} in:\n{stdout}");
    }
    assert!(!stdout.contains("C → S  STARTTLS"), "{stdout}");
    for who in ["alice", "bob"] {
        let m = srv.messages(who);
        assert_eq!(m.len(), 1, "{who}");
        assert!(m[0].contains("with ESMTPA id"), "{}", m[0]);
        assert!(m[0].contains("Subject: Minutes\r\n") && m[0].contains("Message-ID: <") && m[0].contains("Date: "), "{}", m[0]);
        assert!(m[0].contains("Content-Type: text/csv; charset=utf-8; name=\"notes.csv\""), "{}", m[0]);
        assert!(m[0].contains("\r\n.see attached\r\n"), "dot-unstuffed: {}", m[0]);
    }
}

#[test]
fn send_exits_1_and_explains_refused_recipients() {
    let srv = Server::serve(&[]);
    let server = format!("127.0.0.1:{}", srv.port);
    let out = run(&[
        "send",
        "--server",
        &server,
        "--from",
        "carol@example.com",
        "--to",
        "alice@example.org",
        "--to",
        "zed@example.org",
        "--to",
        "x@elsewhere.example",
        "--subject",
        "s",
        "--body",
        "b",
        "--quiet",
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("refused: <zed@example.org> — 550 5.1.1"), "{stdout}");
    assert!(stdout.contains("= No such mailbox at this domain."), "{stdout}");
    assert!(stdout.contains("refused: <x@elsewhere.example> — 550 5.7.1"), "{stdout}");
    assert!(stdout.contains("1 of 3 recipient(s) accepted"), "{stdout}");
    assert!(!stdout.contains("C → S"), "--quiet: {stdout}");
    assert_eq!(srv.messages("alice").len(), 1);
}

#[test]
fn send_to_a_busy_server_exits_1_with_a_temporary_failure() {
    let srv = Server::serve(&["--max-connections", "1"]);
    let _hold = srv.connect();
    let server = format!("127.0.0.1:{}", srv.port);
    let out =
        run(&["send", "--server", &server, "--from", "carol@example.com", "--to", "alice@example.org", "--subject", "s", "--body", "b"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("S → C  421 mail.example.org Service not available"), "{stdout}");
    assert!(stdout.contains("not delivered (temporary, try later): <alice@example.org> — 421"), "{stdout}");
}

#[test]
fn send_to_a_closed_port_exits_2_with_a_hint() {
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port(); // now free
    let server = format!("127.0.0.1:{port}");
    let out = run(&["send", "--server", &server, "--from", "a@b.example", "--to", "c@d.example"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains(&format!(
            "cannot connect to the SMTP server {server}: connection refused — is the server running? is the port right?"
        )),
        "{err}"
    );
}

#[test]
fn smtputf8_mailboxes_are_accepted_with_the_parameter_and_stored_as_utf8() {
    // RFC 6531: serve offers SMTPUTF8; a UTF-8 mailbox needs the MAIL parameter (§3.4), else
    // 553 5.6.7 (§3.7.4.1); stored in UTF-8 with "with UTF8SMTP" in Received: (§4.3).
    let srv = Server::serve(&["--mailbox", "jöran"]);
    let mut c = srv.connect();
    let ehlo = c.cmd("EHLO client.test");
    assert!(ehlo.contains("250-SMTPUTF8"), "{ehlo}");
    assert_eq!(code(&c.cmd("MAIL FROM:<grüße@example.com>")), "553 5.6.7");
    assert_eq!(code(&c.cmd("MAIL FROM:<carol@example.com>")), "250 2.1.0");
    assert_eq!(code(&c.cmd("RCPT TO:<jöran@example.org>")), "553 5.6.7");
    c.cmd("RSET");
    assert_eq!(code(&c.cmd("MAIL FROM:<grüße@example.com> SMTPUTF8")), "250 2.1.0");
    assert_eq!(code(&c.cmd("RCPT TO:<jöran@example.org>")), "250 2.1.5");
    assert!(c.cmd("DATA").starts_with("354"));
    let r = c.cmd("From: grüße@example.com\r\nSubject: hej\r\n\r\nHej Jöran\r\n.");
    assert!(r.starts_with("250 2.0.0"), "{r}");
    let msgs = srv.messages("jöran");
    assert_eq!(msgs.len(), 1);
    let m = msgs[0].replace("\r\n ", " ");
    assert!(m.starts_with("Return-Path: <grüße@example.com>\r\n"), "{m}");
    assert!(m.contains(" with UTF8SMTP id ") && m.contains("for <jöran@example.org>;"), "{m}");
    assert!(m.ends_with("Hej Jöran\r\n"), "{m}");
    let out = srv.wait_output("RCPT TO:<jöran@example.org>");
    assert!(out.contains("MAIL FROM:<grüße@example.com> SMTPUTF8␍␊"), "the narration shows the UTF-8 as UTF-8:\n{out}");
}
