//! The "be the client" console against built-in scenarios: a full session typed line by line,
//! sequence errors with their explanations, policy refusals from the node's real spec, AUTH,
//! dot-stuffing, hints that follow the state (and agree with the server), errors naming what
//! exists, and hostile input that never panics.

use proptest::prelude::*;
use smtp_sim::sim::console::{Console, ConsoleEntry, Destination};
use smtp_sim::sim::scenario::{builtin, Scenario};
use smtp_sim::smtp::base64;
use smtp_sim::smtp::reply::ReplyClass;
use smtp_sim::smtp::state::State;

fn happy() -> Scenario {
    builtin("happy-path").expect("happy-path is built in")
}

fn mx() -> Console {
    Console::new(&happy(), "mx", 25).expect("mx listens on 25")
}

/// Send one line; it must produce exactly one entry with a reply; return it.
fn one(c: &mut Console, line: &str) -> ConsoleEntry {
    let entries = c.send_line(line);
    assert_eq!(entries.len(), 1, "{line:?} gave {entries:#?}");
    entries.into_iter().next().unwrap()
}

fn code(c: &mut Console, line: &str) -> u16 {
    one(c, line).code.unwrap_or_else(|| panic!("{line:?}: no reply"))
}

#[test]
fn a_full_happy_session_typed_line_by_line() {
    let mut c = mx();
    let g = c.greeting();
    assert_eq!(g.len(), 1);
    assert_eq!(g[0].code, Some(220));
    assert_eq!(g[0].class.map(ReplyClass::words), Some("done"));
    assert_eq!(g[0].reply.as_deref(), Some("220 mx.example.org ESMTP smtp-sim␍␊"));
    let note = g[0].note.as_deref().unwrap();
    assert!(note.contains("192.0.2.10"), "the transcript names the address the server sees: {note}");
    assert!(note.contains("alice"), "{note}");

    let e = one(&mut c, "EHLO laptop.example.com");
    assert_eq!(e.sent.as_deref(), Some("EHLO laptop.example.com␍␊"));
    assert_eq!((e.code, e.state_before, e.state_after), (Some(250), State::Connected, State::Ready));
    assert!(e.reply.as_deref().unwrap().contains("250-PIPELINING␍␊\n"), "{:?}", e.reply);
    assert!(e.explanation.contains("extensions"));
    assert!(e.rfc.contains("RFC 5321 §4.1.1.1"));

    let e = one(&mut c, "MAIL FROM:<alice@example.com>");
    assert_eq!(e.reply.as_deref(), Some("250 2.1.0 Sender <alice@example.com> OK␍␊"));
    assert_eq!(e.state_after, State::Mail);
    let e = one(&mut c, "RCPT TO:<bob@example.org>");
    assert_eq!((e.code, e.state_after), (Some(250), State::Rcpt));
    let e = one(&mut c, "DATA");
    assert_eq!((e.code, e.class.map(ReplyClass::words), e.state_after), (Some(354), Some("go on"), State::Data));
    assert!(e.note.as_deref().unwrap().contains("end with a line containing only ."), "{:?}", e.note);

    for line in ["From: Alice <alice@example.com>", "To: Bob <bob@example.org>", "Subject: Lunch", "", "Friday?"] {
        let e = one(&mut c, line);
        assert_eq!((e.reply.as_ref(), e.state_after), (None, State::Data), "{line:?}");
    }
    let e = one(&mut c, ".");
    assert_eq!(e.code, Some(250));
    assert_eq!(e.state_after, State::Ready);
    let note = e.note.as_deref().unwrap();
    assert!(note.contains("mailbox of bob@example.org"), "{note}");
    assert!(note.contains("RFC 5321 §6.1"), "{note}");
    assert_eq!(c.accepted().len(), 1);
    assert_eq!(c.accepted()[0].destinations, vec![Destination::Mailbox("bob@example.org".into())]);
    assert!(c.accepted()[0].data.ends_with("\r\nFriday?\r\n"));

    let e = one(&mut c, "QUIT");
    assert_eq!((e.code, e.state_after), (Some(221), State::Closed));
    assert!(c.is_closed());
    assert!(e.note.as_deref().unwrap().contains("closed"));
    assert_eq!(c.history().len(), 11);
    assert_eq!(c.history()[0], "EHLO laptop.example.com");

    // Typing after the close sends nothing; reset opens a new connection.
    let e = one(&mut c, "NOOP");
    assert_eq!(e.code, None);
    assert!(e.note.as_deref().unwrap().contains("Reset"));
    c.reset();
    assert!(!c.is_closed());
    assert_eq!(c.transcript().len(), 1);
    assert_eq!(c.history().len(), 12, "history survives a reset");
}

#[test]
fn rcpt_before_mail_is_503_and_says_why() {
    let mut c = mx();
    one(&mut c, "EHLO me.example");
    let e = one(&mut c, "RCPT TO:<bob@example.org>");
    assert_eq!(e.code, Some(503));
    assert!(e.reply.as_deref().unwrap().starts_with("503 5.5.1 "), "{:?}", e.reply);
    assert!(e.explanation.contains("reverse-path"), "{}", e.explanation);
    assert!(e.rfc.contains("§4.1.4"));
    assert_eq!(e.class.map(ReplyClass::words), Some("failed"));
    assert_eq!(e.key, Some("seq.need_mail"));
}

#[test]
fn unknown_user_is_550_5_1_1() {
    let mut c = mx();
    one(&mut c, "EHLO me.example");
    one(&mut c, "MAIL FROM:<alice@example.com>");
    let e = one(&mut c, "RCPT TO:<nobody@example.org>");
    assert!(e.reply.as_deref().unwrap().starts_with("550 5.1.1 "), "{:?}", e.reply);
    assert!(e.explanation.contains("No such mailbox"));
    assert_eq!(e.state_after, State::Mail);
}

#[test]
fn relaying_is_refused_on_the_mx_and_allowed_on_the_relay_after_auth() {
    let mut c = mx();
    one(&mut c, "EHLO laptop.example.com");
    one(&mut c, "MAIL FROM:<alice@example.com>");
    let e = one(&mut c, "RCPT TO:<carol@example.net>");
    assert!(e.reply.as_deref().unwrap().starts_with("550 5.7.1 "), "{:?}", e.reply);
    let note = e.note.as_deref().unwrap();
    assert!(note.contains("192.0.2.10"), "the refusal names the address the server sees: {note}");

    let mut r = Console::new(&happy(), "relay", 587).unwrap();
    one(&mut r, "EHLO laptop.example.com");
    assert_eq!(code(&mut r, "MAIL FROM:<alice@example.com>"), 530, "submission wants AUTH first");
    let hints: Vec<_> = r.hints().iter().map(|h| h.command).collect();
    assert!(hints.iter().any(|h| h.starts_with("AUTH")), "{hints:?}");
    assert!(!hints.iter().any(|h| h.starts_with("MAIL")), "MAIL is not hinted before AUTH: {hints:?}");
    let plain = base64::encode(b"\0alice\0wonderland");
    assert_eq!(plain, "AGFsaWNlAHdvbmRlcmxhbmQ=");
    let e = one(&mut r, &format!("AUTH PLAIN {plain}"));
    assert_eq!(e.reply.as_deref(), Some("235 2.7.0 Authentication successful␍␊"));
    assert!(e.note.as_deref().unwrap().contains("logged in as \"alice\""));
    assert_eq!(code(&mut r, "MAIL FROM:<alice@example.com>"), 250);
    assert_eq!(code(&mut r, "RCPT TO:<carol@example.net>"), 250);
    assert_eq!(code(&mut r, "DATA"), 354);
    let entries = r.send_line("Subject: hi\r\n\r\nhello\r\n.\r\n");
    assert_eq!(entries.len(), 4, "a pasted block is sent line by line: {entries:#?}");
    let last = entries.last().unwrap();
    assert_eq!(last.code, Some(250));
    assert!(last.note.as_deref().unwrap().contains("queued on relay for relaying to the mail server of example.net"), "{:?}", last.note);
    assert_eq!(
        r.accepted()[0].destinations,
        vec![Destination::Relay { domain: "example.net".into(), rcpts: vec!["carol@example.net".into()] }]
    );
}

#[test]
fn auth_step_by_step_with_a_challenge_and_a_wrong_password() {
    let mut r = Console::new(&happy(), "relay", 587).unwrap();
    one(&mut r, "EHLO x.example");
    let e = one(&mut r, "AUTH LOGIN");
    assert_eq!((e.code, e.state_after), (Some(334), State::Auth));
    assert!(e.note.as_deref().unwrap().contains("\"Username:\""), "{:?}", e.note);
    assert_eq!(r.hints().iter().map(|h| h.command).collect::<Vec<_>>(), ["<base64 answer>", "*"]);
    assert_eq!(code(&mut r, &base64::encode(b"alice")), 334);
    let e = one(&mut r, &base64::encode(b"wrong"));
    assert_eq!(e.code, Some(535));
    assert!(e.note.as_deref().unwrap().contains("do not match"));
}

#[test]
fn a_different_address_changes_relay_permission() {
    let sc = builtin("relay-denied").unwrap();
    // The first client is the stranger outside 192.0.2.0/24: refused.
    let mut c = Console::new(&sc, "relay", 25).unwrap();
    assert!(c.greeting()[0].note.as_deref().unwrap().contains("203.0.113.77"));
    one(&mut c, "EHLO stranger.example");
    one(&mut c, "MAIL FROM:<x@example.com>");
    let e = one(&mut c, "RCPT TO:<bob@example.org>");
    assert_eq!(e.code, Some(550));
    assert!(e.note.as_deref().unwrap().contains("192.0.2.0/24"), "{:?}", e.note);
    // From inside the trusted network: accepted.
    let mut c = Console::new(&sc, "relay", 25).unwrap().with_address("192.0.2.50").unwrap();
    assert!(c.greeting()[0].note.as_deref().unwrap().contains("192.0.2.50"));
    one(&mut c, "EHLO inside.example");
    one(&mut c, "MAIL FROM:<x@example.com>");
    assert_eq!(code(&mut c, "RCPT TO:<bob@example.org>"), 250);
    assert!(Console::new(&sc, "relay", 25).unwrap().with_address("not an address").is_err());
}

#[test]
fn data_with_dot_stuffing() {
    let mut c = mx();
    for l in ["EHLO me.example", "MAIL FROM:<alice@example.com>", "RCPT TO:<bob@example.org>", "DATA"] {
        c.send_line(l);
    }
    let e = one(&mut c, "..leading dot");
    assert_eq!(e.reply, None);
    assert!(e.note.as_deref().unwrap().contains("dot-stuffing"), "{:?}", e.note);
    assert!(e.note.as_deref().unwrap().contains("\".leading dot\""), "{:?}", e.note);
    one(&mut c, ".. ");
    one(&mut c, "...");
    assert_eq!(code(&mut c, "."), 250);
    assert_eq!(c.accepted()[0].data, ".leading dot\r\n. \r\n..\r\n");
}

#[test]
fn hints_change_with_the_state() {
    let mut c = mx();
    let cmds = |c: &Console| c.hints().iter().map(|h| h.command.split([' ', ':']).next().unwrap().to_string()).collect::<Vec<_>>();
    let start = cmds(&c);
    assert!(start.contains(&"EHLO".into()) && start.contains(&"HELO".into()) && start.contains(&"QUIT".into()), "{start:?}");
    assert!(!start.contains(&"MAIL".into()) && !start.contains(&"RCPT".into()), "{start:?}");
    c.send_line("EHLO me.example");
    let ready = cmds(&c);
    for v in ["MAIL", "RSET", "NOOP", "QUIT", "STARTTLS"] {
        assert!(ready.contains(&v.to_string()), "{v} after EHLO: {ready:?}");
    }
    assert_eq!(ready[0], "MAIL", "the command that moves on comes first: {ready:?}");
    assert!(!ready.contains(&"AUTH".into()), "the MX offers no AUTH: {ready:?}");
    assert!(!ready.contains(&"RCPT".into()) && !ready.contains(&"DATA".into()), "{ready:?}");
    c.send_line("MAIL FROM:<alice@example.com>");
    let mail = cmds(&c);
    assert_eq!(mail[0], "RCPT");
    assert!(!mail.contains(&"DATA".into()) && !mail.contains(&"MAIL".into()) && !mail.contains(&"STARTTLS".into()), "{mail:?}");
    c.send_line("RCPT TO:<bob@example.org>");
    assert!(cmds(&c).contains(&"DATA".into()));
    c.send_line("DATA");
    assert_eq!(c.hints()[0].command, ".");
    let mx_hint = c.hints();
    assert!(mx_hint.iter().all(|h| h.rfc.starts_with("RFC ")));

    // On the submission port the relay offers AUTH, with the node's account as example.
    let r = {
        let mut r = Console::new(&happy(), "relay", 587).unwrap();
        r.send_line("EHLO me.example");
        r
    };
    let auth = r.hints().into_iter().find(|h| h.command.starts_with("AUTH")).expect("AUTH offered on 587");
    assert_eq!(auth.example, "AUTH PLAIN AGFsaWNlAHdvbmRlcmxhbmQ=");
    assert_eq!(auth.leads_to, Some(State::Auth));
    assert!(auth.syntax.starts_with("AUTH SP sasl-mech"));
}

/// Hints and behaviour cannot drift: along a session, every hinted example gets a positive
/// reply (or none, for message text), and every verb that is not hinted is refused.
#[test]
fn every_hint_is_accepted_and_every_other_command_refused() {
    let cases: &[(&str, &str, u16, &[&str])] = &[
        ("happy-path", "mx", 25, &["EHLO me.example", "MAIL FROM:<alice@example.com>", "RCPT TO:<bob@example.org>"]),
        (
            "happy-path",
            "relay",
            587,
            &["EHLO me.example", "AUTH PLAIN AGFsaWNlAHdvbmRlcmxhbmQ=", "MAIL FROM:<alice@example.com>", "RCPT TO:<carol@example.net>"],
        ),
        ("happy-path", "relay", 587, &["HELO me.example"]),
        ("starttls-required", "relay", 587, &["EHLO me.example", "STARTTLS", "EHLO me.example"]),
    ];
    let all = [
        "EHLO a.example",
        "HELO a.example",
        "MAIL FROM:<alice@example.com>",
        "RCPT TO:<bob@example.org>",
        "DATA",
        "BDAT 1 LAST",
        "RSET",
        "VRFY bob",
        "EXPN staff",
        "HELP",
        "NOOP",
        "QUIT",
        "STARTTLS",
        "AUTH PLAIN AGFsaWNlAHdvbmRlcmxhbmQ=",
    ];
    for (sc, node, port, lines) in cases {
        let sc = builtin(sc).unwrap();
        if sc.node(node).is_none_or(|n| !n.ports.contains(port)) {
            continue;
        }
        for k in 0..=lines.len() {
            let fresh = || {
                let mut c = Console::new(&sc, node, *port).unwrap();
                for l in &lines[..k] {
                    c.send_line(l);
                }
                c
            };
            let c = fresh();
            let hints = c.hints();
            for h in &hints {
                let mut c = fresh();
                let e = c.send_line(&h.example);
                let code = e.first().and_then(|e| e.code);
                assert!(code.is_none_or(|c| c < 400), "{} after {:?}: hinted {:?} but got {e:#?}", sc.id, &lines[..k], h.example);
            }
            let hinted: Vec<&str> = hints.iter().map(|h| h.command.split([' ', ':']).next().unwrap()).collect();
            for cmd in all {
                let verb = cmd.split([' ', ':']).next().unwrap();
                if hinted.contains(&verb) || c.state() == State::Data || c.state() == State::Auth {
                    continue;
                }
                let mut c = fresh();
                // A refused BDAT still swallows its chunk before answering (RFC 3030 §2).
                let e = if verb == "BDAT" { c.send_raw(b"BDAT 1 LAST\r\nx") } else { c.send_line(cmd) };
                let code = e.first().and_then(|e| e.code);
                assert!(code.is_some_and(|c| c >= 500), "{} after {:?}: {cmd:?} not hinted but got {e:#?}", sc.id, &lines[..k]);
            }
        }
    }
}

#[test]
fn unknown_node_or_port_says_what_exists() {
    let sc = happy();
    let e = Console::new(&sc, "nope", 25).unwrap_err();
    assert!(e.contains("no node \"nope\"") && e.contains("mx (ports 25)") && e.contains("relay (ports 25, 587)"), "{e}");
    let e = Console::new(&sc, "alice", 25).unwrap_err();
    assert!(e.contains("client") && e.contains("mx"), "{e}");
    let e = Console::new(&sc, "mx", 587).unwrap_err();
    assert!(e.contains("does not listen on port 587") && e.contains("listens on 25"), "{e}");
}

#[test]
fn a_node_that_is_down_or_shutting_down() {
    let mut sc = happy();
    sc.nodes[2].down = true;
    let mut c = Console::new(&sc, "mx", 25).unwrap();
    assert!(c.is_closed());
    assert!(c.greeting()[0].note.as_deref().unwrap().contains("down"));
    assert_eq!(one(&mut c, "EHLO x.example").code, None);
    sc.nodes[2].down = false;
    sc.nodes[2].shutting_down = true;
    let c = Console::new(&sc, "mx", 25).unwrap();
    assert_eq!(c.greeting()[0].code, Some(421));
    assert!(c.is_closed());
}

#[test]
fn greylisting_passes_after_waiting_and_reconnecting() {
    let sc = builtin("greylisting-retry").unwrap();
    let node = sc.nodes.iter().find(|n| n.greylist.is_some()).unwrap().clone();
    let mut c = Console::new(&sc, &node.id, node.ports[0]).unwrap();
    let rcpt = format!("RCPT TO:<{}>", node.mailboxes[0]);
    let go = |c: &mut Console| {
        c.send_line("EHLO me.example");
        c.send_line("MAIL FROM:<alice@example.com>");
        c.send_line(&rcpt).remove(0)
    };
    let e = go(&mut c);
    assert_eq!(e.code, Some(451));
    assert!(e.note.as_deref().unwrap().contains("wait"));
    c.reset();
    assert_eq!(go(&mut c).code, Some(451), "too soon");
    c.wait(node.greylist.unwrap().0);
    c.reset();
    assert_eq!(go(&mut c).code, Some(250));
}

#[test]
fn hostile_input_gets_proper_replies() {
    let mut c = mx();
    let e = one(&mut c, &"A".repeat(5000));
    assert_eq!(e.code, Some(500));
    assert!(e.note.as_deref().unwrap().contains("512"), "{:?}", e.note);
    let e = one(&mut c, "EHLO <img src=x onerror=alert(1)>");
    assert_eq!(e.code, Some(501));
    assert!(e.sent.as_deref().unwrap().contains("<img src=x onerror=alert(1)>"), "text stays text");
    let e = one(&mut c, "NOOP \u{0}\u{7}\u{1b}[31m");
    assert_eq!(e.sent.as_deref(), Some("NOOP ␀␇␛[31m␍␊"));
    assert!(e.code.is_some_and(|c| c >= 500));
    let e = c.send_bytes(b"EHLO \xff\xfe\x80");
    assert_eq!(e.len(), 1);
    assert!(e[0].code.is_some_and(|c| c >= 500));
    assert!(e[0].sent.as_deref().unwrap().contains('\u{FFFD}'));
    // A bare LF through the raw channel.
    let e = c.send_raw(b"NOOP\n");
    assert_eq!(e[0].code, Some(500));
    assert_eq!(e[0].key, Some("syntax.bare_lf"));
    // A line cut in two: no reply until the end arrives.
    assert_eq!(c.send_raw(b"NO")[0].code, None);
    assert_eq!(c.send_raw(b"OP\r\n")[0].code, Some(250));
}

#[test]
fn too_many_errors_close_with_421() {
    let mut c = mx();
    let mut last = Vec::new();
    for _ in 0..30 {
        last = c.send_line("BOGUS");
        if c.is_closed() {
            break;
        }
    }
    assert!(c.is_closed());
    assert_eq!(last.len(), 2, "{last:#?}");
    assert_eq!(last[1].code, Some(421));
    assert_eq!(last[1].sent, None);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_lines_never_panic(lines in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..600), 0..12), text in "\\PC{0,80}") {
        let mut c = mx();
        c.send_line("EHLO me.example");
        c.send_line(&text);
        for l in &lines {
            for e in c.send_bytes(l) {
                prop_assert!(e.reply.is_some() || e.code.is_none());
                prop_assert!(e.sent.as_deref().is_none_or(|s| !s.contains('\r') && !s.contains('\0')));
            }
            let _ = c.hints();
        }
        c.send_raw(&lines.concat());
        c.reset();
        prop_assert!(!c.is_closed());
    }
}

/// A `dmarc = true` server typed at by hand (dmarc-spoof's MX): at the end of the data the console
/// says what it checked, and a forged From: of a `p=reject` domain gets 550 5.7.26.
#[test]
fn a_dmarc_checking_server_says_what_it_checked_at_the_end_of_the_data() {
    let sc = builtin("dmarc-spoof").expect("built in");
    let mut c = Console::new(&sc, "mx", 25).expect("mx listens on 25");
    c.greeting();
    for line in ["EHLO kit.phish.example", "MAIL FROM:<bounce@phish.example>", "RCPT TO:<bob@example.org>", "DATA"] {
        c.send_line(line);
    }
    for line in ["From: Bank <security@bank.example>", "To: <bob@example.org>", "Subject: Verify your account", "", "Click here."] {
        c.send_line(line);
    }
    let entries = c.send_line(".");
    let last = entries.last().expect("a reply to the end of data");
    assert_eq!(last.code, Some(550), "{last:#?}");
    assert!(last.reply.as_deref().unwrap_or_default().contains("5.7.26"), "{:?}", last.reply);
    let note = entries.iter().filter_map(|e| e.note.as_deref()).collect::<Vec<_>>().join("\n");
    assert!(note.contains("DKIM check (RFC 6376 §6): none"), "{note}");
    assert!(note.contains("DMARC check (RFC 7489 §6.6): fail for From: bank.example"), "{note}");
    assert!(note.contains("Authentication-Results: mx.example.org"), "{note}");

    // The console's clock is on the scenario's calendar: a signature whose x= lies in 1970 has
    // expired (RFC 6376 §3.5), which a clock at 0 would never say.
    for line in ["MAIL FROM:<bounce@phish.example>", "RCPT TO:<bob@example.org>", "DATA"] {
        c.send_line(line);
    }
    let signed = "DKIM-Signature: v=1; a=ed25519-sha256; d=bank.example; s=s1; h=from; bh=AAAA; b=AAAA; x=1";
    for line in [signed, "From: Bank <security@bank.example>", "Subject: Again", "", "Click."] {
        c.send_line(line);
    }
    let entries = c.send_line(".");
    let note = entries.iter().filter_map(|e| e.note.as_deref()).collect::<Vec<_>>().join("\n");
    assert!(note.contains("the signature expired: x=1"), "{note}");
}
