//! Session-level tests of the sans-IO SMTP core: RFC 5321 Appendix D replayed against the
//! server, out-of-sequence commands, limits, smuggling, AUTH, STARTTLS, pipelining, and the
//! client and server talking over an in-memory link split at random points.

use std::collections::BTreeSet;
use std::sync::Mutex;

use smtp_sim::smtp::address::{ForwardPath, LocalPart};
use smtp_sim::smtp::catalogue::{self as cat, REPLIES};
use smtp_sim::smtp::client::{ClientConfig, ClientSession, Credentials, Transaction};
use smtp_sim::smtp::command::RcptParams;
use smtp_sim::smtp::event::{ClientEvent, Outcome, ServerEvent};
use smtp_sim::smtp::server::{Extensions, Policy, ServerConfig, ServerSession, SessionInfo, Verdict};
use smtp_sim::smtp::state::State;

/// Every reply key any test in this file made the server emit (for the coverage test).
static EMITTED: Mutex<BTreeSet<&'static str>> = Mutex::new(BTreeSet::new());

/// A node policy for tests: users that exist, one password, relay refused for other domains.
#[derive(Default)]
struct TestPolicy {
    greylist: bool,
}

impl Policy for TestPolicy {
    fn rcpt_to(&mut self, to: &ForwardPath, _: &RcptParams, _: &SessionInfo) -> Verdict {
        let ForwardPath::Path(p) = to else { return Verdict::Accept };
        let local = match &p.mailbox.local {
            LocalPart::Dot(s) | LocalPart::Quoted(s) => s.to_ascii_lowercase(),
        };
        let host = p.mailbox.host.to_string().to_ascii_lowercase();
        if self.greylist {
            return Verdict::Reject(&cat::GREYLISTED);
        }
        if host != "foo.com" && host != "xyz.com" && host != "mx.example" {
            return Verdict::Reject(&cat::RELAY_DENIED);
        }
        if local == "green" || local.starts_with("nobody") {
            return Verdict::Reject(&cat::UNKNOWN_USER);
        }
        Verdict::Accept
    }
    fn authenticate(&mut self, _m: &str, _z: &str, user: &str, password: &str) -> bool {
        user == "alice" && password == "secret"
    }
}

fn config() -> ServerConfig {
    ServerConfig { hostname: "foo.com".into(), ..ServerConfig::default() }
}

fn full_config() -> ServerConfig {
    ServerConfig {
        extensions: Extensions {
            smtputf8: true,
            dsn: true,
            chunking: true,
            auth_plain: true,
            auth_login: true,
            starttls: true,
            ..Extensions::default()
        },
        ..config()
    }
}

/// Drain events, recording emitted keys.
fn events(s: &mut ServerSession) -> Vec<ServerEvent> {
    let mut v = Vec::new();
    while let Some(e) = s.poll_event() {
        if let ServerEvent::ReplySent { spec, .. } = &e {
            EMITTED.lock().unwrap().insert(spec.key);
        }
        v.push(e);
    }
    v
}

fn output(s: &mut ServerSession) -> String {
    let mut out = Vec::new();
    while let Some(o) = s.poll_output() {
        out.extend(o);
    }
    String::from_utf8(out).unwrap()
}

/// A server conversation: feed `input`, return everything written (greeting included on the
/// first call) and the reply keys in order.
struct Harness {
    s: ServerSession,
    p: TestPolicy,
    keys: Vec<&'static str>,
}

impl Harness {
    fn new(config: ServerConfig) -> Self {
        let mut h = Harness { s: ServerSession::new(config), p: TestPolicy::default(), keys: Vec::new() };
        h.collect();
        h
    }
    fn collect(&mut self) -> String {
        for e in events(&mut self.s) {
            if let ServerEvent::ReplySent { spec, .. } = e {
                self.keys.push(spec.key);
            }
        }
        output(&mut self.s)
    }
    fn send(&mut self, input: &str) -> String {
        self.s.receive(input.as_bytes(), &mut self.p);
        self.collect()
    }
    /// The reply codes (with enhanced code when present) of the last `send`, one per reply.
    fn codes(&mut self, input: &str) -> Vec<String> {
        let out = self.send(input);
        out.split("\r\n")
            .filter(|l| l.len() == 3 || (l.len() >= 4 && l.as_bytes()[3] == b' '))
            .map(|l| {
                let mut w = l.split(' ');
                let code = w.next().unwrap_or("");
                match w.next() {
                    Some(e) if e.len() >= 5 && e.as_bytes()[1] == b'.' && e.as_bytes()[0] == code.as_bytes()[0] => format!("{code} {e}"),
                    _ => code.to_string(),
                }
            })
            .collect()
    }
}

fn ehlo(config: ServerConfig) -> Harness {
    let mut h = Harness::new(config);
    h.send("EHLO bar.com\r\n");
    h
}

#[test]
fn rfc5321_d1_typical_transaction() {
    let mut h = Harness::new(config());
    let transcript = [
        (
            "EHLO bar.com\r\n",
            "250-foo.com Hello bar.com\r\n250-PIPELINING\r\n250-SIZE 10485760\r\n250-8BITMIME\r\n250-ENHANCEDSTATUSCODES\r\n250 HELP\r\n",
        ),
        ("MAIL FROM:<Smith@bar.com>\r\n", "250 2.1.0 Sender <Smith@bar.com> OK\r\n"),
        ("RCPT TO:<Jones@foo.com>\r\n", "250 2.1.5 Recipient <Jones@foo.com> OK\r\n"),
        ("RCPT TO:<Green@foo.com>\r\n", "550 5.1.1 <Green@foo.com>: Recipient address rejected: user unknown\r\n"),
        ("RCPT TO:<Brown@foo.com>\r\n", "250 2.1.5 Recipient <Brown@foo.com> OK\r\n"),
        ("DATA\r\n", "354 End data with <CR><LF>.<CR><LF>\r\n"),
        ("Blah blah blah...\r\n...etc. etc. etc.\r\n.\r\n", "250 2.0.0 Message accepted for delivery (37 octets)\r\n"),
        ("QUIT\r\n", "221 2.0.0 foo.com Service closing transmission channel\r\n"),
    ];
    for (c, s) in transcript {
        assert_eq!(h.send(c), s, "after {c:?}");
    }
    assert!(h.s.is_closed());
}

#[test]
fn rfc5321_d1_message_is_unstuffed_and_enveloped() {
    let mut s = ServerSession::new(config());
    let mut p = TestPolicy::default();
    s.receive(b"EHLO bar.com\r\nMAIL FROM:<Smith@bar.com>\r\nRCPT TO:<Jones@foo.com>\r\nRCPT TO:<Green@foo.com>\r\nRCPT TO:<Brown@foo.com>\r\nDATA\r\n", &mut p);
    s.receive(b"Blah blah blah...\r\n...etc. etc. etc.\r\n.\r\nQUIT\r\n", &mut p);
    let msg = events(&mut s).into_iter().find_map(|e| match e {
        ServerEvent::MessageAccepted { envelope, data } => Some((envelope, data)),
        _ => None,
    });
    let (env, data) = msg.expect("accepted");
    assert_eq!(data, b"Blah blah blah...\r\n..etc. etc. etc.\r\n");
    assert_eq!(env.rcpts.len(), 2);
    assert_eq!(env.from.to_string(), "<Smith@bar.com>");
    assert_eq!(env.helo, "bar.com");
}

#[test]
fn rfc5321_d3_relayed_mail_both_hops() {
    // Step 1: bar.com → foo.com; step 2: foo.com → xyz.com (with the Received: line added).
    let body1 = "Date: Thu, 21 May 1998 05:33:29 -0700\r\nFrom: John Q. Public <JQP@bar.com>\r\nSubject: The Next Meeting of the Board\r\nTo: Jones@xyz.com\r\n\r\nBill:\r\nThe next meeting of the board of directors will be\r\non Tuesday.\r\nJohn.\r\n";
    let body2 = format!("Received: from bar.com by foo.com ; Thu, 21 May 1998 05:33:29 -0700\r\n{body1}");
    for (helo, body) in [("bar.com", body1.to_string()), ("foo.com", body2)] {
        let mut h = Harness::new(ServerConfig { hostname: "xyz.com".into(), ..config() });
        let codes: Vec<Vec<String>> = [
            format!("EHLO {helo}\r\n"),
            "MAIL FROM:<JQP@bar.com>\r\n".into(),
            "RCPT TO:<Jones@XYZ.COM>\r\n".into(),
            "DATA\r\n".into(),
            format!("{body}.\r\n"),
            "QUIT\r\n".into(),
        ]
        .iter()
        .map(|c| h.codes(c))
        .collect();
        assert_eq!(codes, [vec!["250"], vec!["250 2.1.0"], vec!["250 2.1.5"], vec!["354"], vec!["250 2.0.0"], vec!["221 2.0.0"]]);
    }
}

/// (setup commands, command, expected code + enhanced code)
fn check_sequence(config: ServerConfig, setup: &str, command: &str, expected: &str) {
    let mut h = Harness::new(config);
    if !setup.is_empty() {
        h.send(setup);
    }
    let got = h.codes(command);
    assert_eq!(got, vec![expected.to_string()], "setup {setup:?}, command {command:?}");
}

#[test]
fn out_of_sequence_commands() {
    let e = "EHLO bar.com\r\n";
    let m = "EHLO bar.com\r\nMAIL FROM:<a@bar.com>\r\n";
    let r = "EHLO bar.com\r\nMAIL FROM:<a@bar.com>\r\nRCPT TO:<b@foo.com>\r\n";
    let table: &[(&str, &str, &str)] = &[
        // Enhanced codes even before EHLO: the server supports them (RFC 2034 §3).
        ("", "MAIL FROM:<a@bar.com>\r\n", "503 5.5.1"),
        ("", "RCPT TO:<b@foo.com>\r\n", "503 5.5.1"),
        ("", "DATA\r\n", "503 5.5.1"),
        ("", "AUTH PLAIN\r\n", "503 5.5.1"),
        ("", "STARTTLS\r\n", "503 5.5.1"),
        (e, "RCPT TO:<b@foo.com>\r\n", "503 5.5.1"),
        (e, "DATA\r\n", "503 5.5.1"),
        (m, "DATA\r\n", "503 5.5.1"),
        (m, "MAIL FROM:<a@bar.com>\r\n", "503 5.5.1"),
        (r, "MAIL FROM:<a@bar.com>\r\n", "503 5.5.1"),
        ("EHLO bar.com\r\nMAIL FROM:<a@bar.com>\r\nRCPT TO:<green@foo.com>\r\n", "DATA\r\n", "554 5.5.1"),
        // After HELO: no extensions, but enhanced codes all the same (RFC 2034 §3).
        ("HELO bar.com\r\n", "STARTTLS\r\n", "502 5.5.1"),
        ("HELO bar.com\r\n", "AUTH PLAIN\r\n", "502 5.5.1"),
        ("HELO bar.com\r\n", "MAIL FROM:<a@bar.com> SIZE=10\r\n", "555 5.5.4"),
        // EHLO and RSET reset the transaction (RFC 5321 §4.1.4).
        ("EHLO bar.com\r\nMAIL FROM:<a@bar.com>\r\nEHLO bar.com\r\n", "RCPT TO:<b@foo.com>\r\n", "503 5.5.1"),
        ("EHLO bar.com\r\nMAIL FROM:<a@bar.com>\r\nRSET\r\n", "RCPT TO:<b@foo.com>\r\n", "503 5.5.1"),
        (e, "FOO\r\n", "500 5.5.1"),
        (e, "MAIL FROM:a@bar.com\r\n", "501 5.1.7"),
        (e, "MAIL FROM:<a@bar.com> FOO=1\r\n", "555 5.5.4"),
        (e, "MAIL FROM:<a@bar.com> SIZE=99999999999\r\n", "552 5.3.4"),
        (e, "VRFY alice\r\n", "252 2.1.5"),
        (e, "EXPN staff\r\n", "502 5.5.1"),
        (e, "NOOP\r\n", "250 2.0.0"),
        (e, "HELP\r\n", "214 2.0.0"),
        (e, "BDAT 10\r\n0123456789", "502 5.5.1"),
        (e, "STARTTLS\r\n", "502 5.5.1"),
    ];
    for (setup, cmd, expected) in table {
        check_sequence(config(), setup, cmd, expected);
    }
    let full: &[(&str, &str, &str)] = &[
        ("EHLO bar.com\r\nAUTH PLAIN AGFsaWNlAHNlY3JldA==\r\n", "AUTH PLAIN AGFsaWNlAHNlY3JldA==\r\n", "503 5.5.1"),
        (e, "AUTH CRAM-MD5\r\n", "504 5.5.4"),
        (r, "AUTH PLAIN\r\n", "503 5.5.1"),
        (r, "STARTTLS\r\n", "503 5.5.1"),
        (e, "BDAT 3\r\nabc", "503 5.5.1"),
        (m, "BDAT 3 LAST\r\nabc", "503 5.5.1"),
        (e, "MAIL FROM:<δοκιμή@bar.com>\r\n", "553 5.6.7"),
        (e, "MAIL FROM:<δοκιμή@bar.com> SMTPUTF8\r\n", "250 2.1.0"),
        ("EHLO bar.com\r\nBDAT 3\r\nabc", "NOOP\r\n", "250 2.0.0"),
        ("EHLO bar.com\r\nMAIL FROM:<a@bar.com>\r\nRCPT TO:<b@foo.com>\r\nBDAT 2\r\nab", "DATA\r\n", "503 5.5.1"),
        ("EHLO bar.com\r\nMAIL FROM:<a@bar.com>\r\nRCPT TO:<b@foo.com>\r\nBDAT 2\r\nab", "MAIL FROM:<a@bar.com>\r\n", "503 5.5.1"),
        ("EHLO bar.com\r\nMAIL FROM:<a@bar.com>\r\nRCPT TO:<b@foo.com>\r\nBDAT 2\r\nab", "BDAT 1 LAST\r\nc", "250 2.0.0"),
    ];
    for (setup, cmd, expected) in full {
        check_sequence(full_config(), setup, cmd, expected);
    }
    let submission = ServerConfig { require_auth: true, ..full_config() };
    check_sequence(submission.clone(), e, "MAIL FROM:<a@bar.com>\r\n", "530 5.7.0");
    let tls = ServerConfig { require_tls: true, ..full_config() };
    check_sequence(tls, e, "MAIL FROM:<a@bar.com>\r\n", "530 5.7.0");
}

#[test]
fn refused_greeting_accepts_only_quit() {
    let mut s = ServerSession::refusing(config());
    let mut p = TestPolicy::default();
    assert_eq!(output(&mut s), "554 foo.com No SMTP service here\r\n");
    s.receive(b"EHLO bar.com\r\nMAIL FROM:<a@b.c>\r\nQUIT\r\n", &mut p);
    assert_eq!(output(&mut s), "503 Bad sequence of commands: this server refused service, send QUIT\r\n503 Bad sequence of commands: this server refused service, send QUIT\r\n221 2.0.0 foo.com Service closing transmission channel\r\n");
    events(&mut s);
    let mut b = ServerSession::busy(config());
    assert!(output(&mut b).starts_with("421 "));
    assert!(b.is_closed());
    events(&mut b);
    let mut h = ehlo(config());
    h.s.shutdown();
    assert!(h.collect().starts_with("421 4.3.2 "));
    assert!(h.s.is_closed());
}

#[test]
fn smuggling_sequences_never_end_data() {
    for smuggle in ["\n.\n", "\r.\r", "\r\n.\n", "\n.\r\n"] {
        let mut h = ehlo(ServerConfig { bare_line_ends: smtp_sim::smtp::server::Strictness::Accept, ..config() });
        h.send("MAIL FROM:<a@bar.com>\r\nRCPT TO:<b@foo.com>\r\nDATA\r\n");
        let out = h.send(&format!("Hello{smuggle}MAIL FROM:<evil@bar.com>\r\n"));
        assert_eq!(out, "", "{smuggle:?} ended the data");
        assert_eq!(h.s.state(), State::Data);
        assert_eq!(h.codes(".\r\n"), ["250 2.0.0"]);
        // The default configuration refuses bare line ends (550 5.6.0).
        let mut h = ehlo(config());
        h.send("MAIL FROM:<a@bar.com>\r\nRCPT TO:<b@foo.com>\r\nDATA\r\n");
        h.send(&format!("Hello{smuggle}MAIL FROM:<evil@bar.com>\r\n"));
        assert_eq!(h.codes(".\r\n"), ["550 5.6.0"]);
    }
}

#[test]
fn line_limits() {
    let mut h = ehlo(config());
    let long = format!("NOOP {}\r\n", "x".repeat(505)); // 512 octets: fine
    assert_eq!(h.codes(&long), ["250 2.0.0"]);
    let long = format!("NOOP {}\r\nNOOP\r\n", "x".repeat(506)); // 513 octets
    assert_eq!(h.codes(&long), ["500 5.5.2", "250 2.0.0"]);
    assert_eq!(h.codes("NOOP\n"), ["500 5.5.2"]);
    // Text lines over 1000 octets: accepted by default, refused when configured.
    for (strict, code) in
        [(smtp_sim::smtp::server::Strictness::Accept, "250 2.0.0"), (smtp_sim::smtp::server::Strictness::Reject, "550 5.6.0")]
    {
        let mut h = ehlo(ServerConfig { long_lines: strict, ..config() });
        h.send("MAIL FROM:<a@bar.com>\r\nRCPT TO:<b@foo.com>\r\nDATA\r\n");
        assert_eq!(h.codes(&format!("{}\r\n.\r\n", "y".repeat(1200))), [code]);
    }
    // Actual size over the limit → 552 5.3.4 at the end of data.
    let mut h = ehlo(ServerConfig { max_message_size: 100, ..config() });
    h.send("MAIL FROM:<a@bar.com>\r\nRCPT TO:<b@foo.com>\r\nDATA\r\n");
    assert_eq!(h.codes(&format!("{}\r\n.\r\n", "z".repeat(200))), ["552 5.3.4"]);
}

#[test]
fn pipelined_batch_answered_in_order_in_one_write() {
    let mut s = ServerSession::new(config());
    let mut p = TestPolicy::default();
    output(&mut s);
    s.receive(b"EHLO bar.com\r\n", &mut p);
    output(&mut s);
    s.receive(b"MAIL FROM:<a@bar.com>\r\nRCPT TO:<b@foo.com>\r\nRCPT TO:<green@foo.com>\r\nRCPT TO:<c@other.org>\r\nDATA\r\n", &mut p);
    let first = s.poll_output().unwrap();
    assert_eq!(String::from_utf8(first).unwrap(), "250 2.1.0 Sender <a@bar.com> OK\r\n250 2.1.5 Recipient <b@foo.com> OK\r\n550 5.1.1 <green@foo.com>: Recipient address rejected: user unknown\r\n550 5.7.1 <c@other.org>: Relay access denied\r\n354 End data with <CR><LF>.<CR><LF>\r\n");
    events(&mut s);
}

#[test]
fn recipient_limit_and_postmaster() {
    let mut h = ehlo(ServerConfig { max_recipients: 100, ..config() });
    h.send("MAIL FROM:<a@bar.com>\r\n");
    let mut batch = String::new();
    for i in 0..101 {
        batch.push_str(&format!("RCPT TO:<u{i}@foo.com>\r\n"));
    }
    let codes = h.codes(&batch);
    assert_eq!(codes.iter().filter(|c| *c == "250 2.1.5").count(), 100);
    assert_eq!(codes[100], "452 4.5.3");
    // Postmaster is accepted whatever the policy says (RFC 5321 §4.5.1).
    let mut h = ehlo(config());
    h.p.greylist = true;
    h.send("MAIL FROM:<a@bar.com>\r\n");
    assert_eq!(
        h.codes("RCPT TO:<x@foo.com>\r\nRCPT TO:<Postmaster>\r\nRCPT TO:<postmaster@foo.com>\r\n"),
        ["451 4.7.1", "250 2.1.5", "250 2.1.5"]
    );
}

#[test]
fn auth_plain_and_login() {
    let table: &[(&str, &[&str])] = &[
        ("AUTH PLAIN AGFsaWNlAHNlY3JldA==\r\n", &["235 2.7.0"]),
        ("AUTH PLAIN\r\nAGFsaWNlAHNlY3JldA==\r\n", &["334", "235 2.7.0"]),
        ("AUTH PLAIN AGFsaWNlAHdyb25n\r\n", &["535 5.7.8"]),
        ("AUTH PLAIN\r\n*\r\n", &["334", "501 5.7.0"]),
        ("AUTH PLAIN\r\n!!!\r\n", &["334", "501 5.5.2"]),
        ("AUTH LOGIN\r\nYWxpY2U=\r\nc2VjcmV0\r\n", &["334", "334", "235 2.7.0"]),
        ("AUTH LOGIN YWxpY2U=\r\nc2VjcmV0\r\n", &["334", "235 2.7.0"]),
        ("AUTH LOGIN\r\nYWxpY2U=\r\nd3Jvbmc=\r\n", &["334", "334", "535 5.7.8"]),
        ("AUTH LOGIN\r\nYWxpY2U=\r\n*\r\n", &["334", "334", "501 5.7.0"]),
    ];
    for (input, expected) in table {
        let mut h = ehlo(full_config());
        assert_eq!(h.codes(input), *expected, "{input:?}");
        assert_eq!(h.s.state(), State::Ready);
    }
    let mut h = ehlo(ServerConfig { require_auth: true, ..full_config() });
    h.send("AUTH PLAIN AGFsaWNlAHNlY3JldA==\r\n");
    assert_eq!(h.codes("MAIL FROM:<alice@bar.com>\r\n"), ["250 2.1.0"]);
    let auth = events(&mut h.s);
    assert!(auth.is_empty()); // already collected
}

#[test]
fn starttls_forgets_state_and_drops_injected_commands() {
    let mut h = ehlo(ServerConfig { require_tls: true, ..full_config() });
    assert_eq!(h.codes("MAIL FROM:<a@bar.com>\r\n"), ["530 5.7.0"]);
    let out = h.send("STARTTLS\r\nMAIL FROM:<evil@bar.com>\r\n");
    assert_eq!(out, "220 2.0.0 Ready to start TLS\r\n");
    assert_eq!(h.s.state(), State::Connected);
    assert!(h.s.info().tls && h.s.info().helo.is_none());
    // MAIL needs EHLO again (the enhanced code stays: RFC 2034 §3).
    assert_eq!(h.codes("MAIL FROM:<a@bar.com>\r\n"), ["503 5.5.1"]);
    let ehlo = h.send("EHLO bar.com\r\n");
    assert!(!ehlo.contains("STARTTLS"), "STARTTLS is not offered twice: {ehlo}");
    assert_eq!(h.codes("STARTTLS\r\n"), ["503 5.5.1"]);
    assert_eq!(h.codes("MAIL FROM:<a@bar.com>\r\n"), ["250 2.1.0"]);
}

#[test]
fn bdat_chunks_deliver_exact_octets() {
    let mut s = ServerSession::new(full_config());
    let mut p = TestPolicy::default();
    s.receive(b"EHLO bar.com\r\nMAIL FROM:<a@bar.com>\r\nRCPT TO:<b@foo.com>\r\nBDAT 5\r\nab\r\n.BDAT 3 LAST\r\n\r\n.", &mut p);
    let ev = events(&mut s);
    let data = ev.iter().find_map(|e| match e {
        ServerEvent::MessageAccepted { data, .. } => Some(data.clone()),
        _ => None,
    });
    assert_eq!(data.as_deref(), Some(&b"ab\r\n.\r\n."[..]));
    assert_eq!(s.state(), State::Ready);
}

#[test]
fn too_many_errors_closes() {
    let mut h = ehlo(ServerConfig { max_errors: 3, ..config() });
    let codes = h.codes("FOO\r\nBAR\r\nBAZ\r\nNOOP\r\n");
    assert_eq!(codes, ["500 5.5.1", "500 5.5.1", "500 5.5.1", "421 4.7.0"]);
    assert!(h.s.is_closed());
}

// ── Client ↔ server ───────────────────────────────────────────────────────────────────────

/// A tiny deterministic PRNG (xorshift64*) for chunking.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Run a client against a server; bytes cross the link in random pieces (seed 0: whole).
fn run(config: ServerConfig, client: ClientConfig, txs: Vec<Transaction>, seed: u64) -> (Vec<ClientEvent>, Vec<ServerEvent>) {
    let mut rng = Rng(seed | 1);
    let mut server = ServerSession::new(config);
    let mut client = ClientSession::new(client, txs);
    let mut policy = TestPolicy::default();
    let (mut cev, mut sev) = (Vec::new(), Vec::new());
    let split = |rng: &mut Rng, bytes: Vec<u8>| -> Vec<Vec<u8>> {
        if seed == 0 || bytes.is_empty() {
            return vec![bytes];
        }
        let mut parts = Vec::new();
        let mut rest = &bytes[..];
        while !rest.is_empty() {
            let n = 1 + rng.below(rest.len().min(40));
            parts.push(rest[..n].to_vec());
            rest = &rest[n..];
        }
        parts
    };
    for _ in 0..10_000 {
        let mut moved = false;
        while let Some(out) = server.poll_output() {
            moved = true;
            for part in split(&mut rng, out) {
                client.receive(&part);
            }
        }
        while let Some(out) = client.poll_output() {
            moved = true;
            for part in split(&mut rng, out) {
                server.receive(&part, &mut policy);
            }
        }
        sev.extend(events(&mut server));
        while let Some(e) = client.poll_event() {
            cev.push(e);
        }
        if server.is_closed() && !client.is_finished() {
            client.connection_closed();
            while let Some(e) = client.poll_event() {
                cev.push(e);
            }
        }
        if !moved {
            break;
        }
    }
    (cev, sev)
}

fn tx(from: &str, to: &[&str], message: &str) -> Transaction {
    Transaction::new(from, to, message.as_bytes().to_vec()).expect("valid addresses")
}

fn outcomes(ev: &[ClientEvent]) -> Vec<Vec<(String, Outcome)>> {
    ev.iter()
        .find_map(|e| match e {
            ClientEvent::Finished { outcomes } => {
                Some(outcomes.iter().map(|t| t.iter().map(|(r, o)| (r.to_string(), o.clone())).collect()).collect())
            }
            _ => None,
        })
        .expect("finished")
}

fn delivered(sev: &[ServerEvent]) -> Vec<Vec<u8>> {
    sev.iter()
        .filter_map(|e| match e {
            ServerEvent::MessageAccepted { data, .. } => Some(data.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn client_server_pipelined_session() {
    let message = "Subject: hi\r\n\r\n.leading dot\r\nbare\nlf\r\n";
    let (cev, sev) = run(config(), ClientConfig::default(), vec![tx("a@bar.com", &["b@foo.com", "green@foo.com"], message)], 0);
    let o = outcomes(&cev);
    assert_eq!(o[0][0], ("<b@foo.com>".into(), Outcome::Delivered));
    assert!(matches!(&o[0][1].1, Outcome::PermFailed(r) if r.code.0 == 550));
    assert_eq!(delivered(&sev), vec![b"Subject: hi\r\n\r\n.leading dot\r\nbare\r\nlf\r\n".to_vec()]);
    // Pipelining: MAIL, both RCPTs and DATA went out in one write.
    let sent: Vec<_> = cev.iter().filter(|e| matches!(e, ClientEvent::CommandSent { .. })).collect();
    assert!(sent.len() >= 6);
}

#[test]
fn client_falls_back_to_helo() {
    struct NoEhlo;
    impl Policy for NoEhlo {}
    // A server answering 500 to EHLO: simulate with a hand-written exchange.
    let mut c = ClientSession::new(ClientConfig::default(), vec![tx("a@bar.com", &["b@foo.com"], "hi\r\n")]);
    c.receive(b"220 old.example ready\r\n");
    assert_eq!(c.poll_output().unwrap(), b"EHLO client.example\r\n");
    c.receive(b"500 what?\r\n");
    assert_eq!(c.poll_output().unwrap(), b"HELO client.example\r\n");
    c.receive(b"250 old.example\r\n");
    assert_eq!(c.poll_output().unwrap(), b"MAIL FROM:<a@bar.com>\r\n");
    let _ = NoEhlo;
}

#[test]
fn client_handles_refused_greeting_and_broken_connection() {
    let (cev, _) = run(config(), ClientConfig::default(), vec![tx("a@bar.com", &["b@foo.com"], "x")], 0);
    assert!(matches!(outcomes(&cev)[0][0].1, Outcome::Delivered));
    let mut c = ClientSession::new(ClientConfig::default(), vec![tx("a@bar.com", &["b@foo.com"], "x")]);
    c.receive(b"554 go away\r\n");
    assert_eq!(c.poll_output().unwrap(), b"QUIT\r\n");
    let mut c = ClientSession::new(ClientConfig::default(), vec![tx("a@bar.com", &["b@foo.com"], "x")]);
    c.receive(b"220 hi\r\n");
    c.connection_closed();
    let mut ev = Vec::new();
    while let Some(e) = c.poll_event() {
        ev.push(e);
    }
    assert!(matches!(outcomes(&ev)[0][0].1, Outcome::TempFailed(_)));
}

#[test]
fn client_starttls_auth_bdat() {
    let client = ClientConfig {
        starttls: true,
        credentials: Some(Credentials { user: "alice".into(), password: "secret".into(), mechanism: "LOGIN".into() }),
        prefer_chunking: true,
        ..ClientConfig::default()
    };
    let server = ServerConfig { require_auth: true, require_tls: true, ..full_config() };
    let message = "Subject: chunks\r\n\r\n.dot\r\n";
    let (cev, sev) =
        run(server, client, vec![tx("alice@bar.com", &["b@foo.com"], message), tx("alice@bar.com", &["c@foo.com"], "second\r\n")], 0);
    let o = outcomes(&cev);
    assert_eq!(o.len(), 2);
    assert!(o.iter().all(|t| t.iter().all(|(_, x)| *x == Outcome::Delivered)), "{o:?}");
    assert_eq!(delivered(&sev), vec![message.as_bytes().to_vec(), b"second\r\n".to_vec()]);
    assert!(sev.iter().any(|e| matches!(e, ServerEvent::TlsStarted)));
    assert!(sev.iter().any(|e| matches!(e, ServerEvent::AuthSucceeded { .. })));
    assert!(sev.iter().any(|e| matches!(e, ServerEvent::ChunkReceived { .. })));
}

#[test]
fn chunking_does_not_change_events() {
    let message = "From: x\r\n\r\n.\r\n..\r\nline\r\n";
    let cfgs = [(config(), ClientConfig::default()), (full_config(), ClientConfig { prefer_chunking: true, ..ClientConfig::default() })];
    for (server, client) in cfgs {
        let txs = || vec![tx("a@bar.com", &["b@foo.com", "nobody@foo.com", "c@else.org"], message)];
        let (c0, s0) = run(server.clone(), client.clone(), txs(), 0);
        for seed in 1..40 {
            let (c, s) = run(server.clone(), client.clone(), txs(), seed);
            assert_eq!(normalize_c(&c), normalize_c(&c0), "client events, seed {seed}");
            assert_eq!(normalize_s(&s), normalize_s(&s0), "server events, seed {seed}");
        }
    }
}

/// Events minus the raw write boundaries (which legitimately follow the chunking).
fn normalize_c(ev: &[ClientEvent]) -> Vec<String> {
    ev.iter().map(|e| format!("{e:?}")).collect()
}
fn normalize_s(ev: &[ServerEvent]) -> Vec<String> {
    ev.iter().map(|e| format!("{e:?}")).collect()
}

mod prop {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]
        #[test]
        fn any_message_any_chunking(body in proptest::collection::vec(any::<u8>(), 0..400), seed in 1u64..u64::MAX) {
            let (c0, s0) = run(config(), ClientConfig::default(), vec![tx("a@bar.com", &["b@foo.com"], "")], 0);
            let _ = (c0, s0);
            let t = Transaction::new("a@bar.com", &["b@foo.com"], body.clone()).unwrap();
            let (c1, s1) = run(config(), ClientConfig::default(), vec![t.clone()], 0);
            let (c2, s2) = run(config(), ClientConfig::default(), vec![t], seed);
            prop_assert_eq!(normalize_c(&c1), normalize_c(&c2));
            prop_assert_eq!(normalize_s(&s1), normalize_s(&s2));
            let d = delivered(&s2);
            prop_assert_eq!(d, vec![smtp_sim::smtp::data::normalize_line_ends(&body)]);
        }

        #[test]
        fn server_never_panics_on_garbage(input in proptest::collection::vec(any::<u8>(), 0..600), cut in 0usize..600) {
            let mut s = ServerSession::new(full_config());
            let mut p = TestPolicy::default();
            let cut = cut.min(input.len());
            s.receive(b"EHLO x.org\r\n", &mut p);
            s.receive(&input[..cut], &mut p);
            s.receive(&input[cut..], &mut p);
            while s.poll_output().is_some() {}
            while s.poll_event().is_some() {}
        }
    }
}

/// Every non-policy reply in the catalogue is emitted by some test in this file. Runs after the
/// others by re-running the whole scripted suite first.
#[test]
fn every_session_reply_is_reachable() {
    rfc5321_d1_typical_transaction();
    out_of_sequence_commands();
    refused_greeting_accepts_only_quit();
    smuggling_sequences_never_end_data();
    line_limits();
    recipient_limit_and_postmaster();
    auth_plain_and_login();
    starttls_forgets_state_and_drops_injected_commands();
    bdat_chunks_deliver_exact_octets();
    too_many_errors_closes();
    extra_replies();
    let emitted = EMITTED.lock().unwrap().clone();
    let missing: Vec<&str> = REPLIES.iter().filter(|s| !s.policy && !emitted.contains(s.key)).map(|s| s.key).collect();
    assert!(missing.is_empty(), "catalogue replies never emitted by a scripted session: {missing:?}");
    for k in &emitted {
        assert!(cat::reply_spec(k).is_some(), "{k} emitted but not in the catalogue");
    }
}

/// Replies the other tests do not happen to produce.
fn extra_replies() {
    let mut h = ehlo(ServerConfig { vrfy: smtp_sim::smtp::server::VrfyMode::Disabled, ..full_config() });
    h.codes("VRFY x\r\n");
    h.codes("MAIL FROM:<a@bar.com> BODY=9BIT\r\n");
    h.codes("MAIL\r\n");
    h.codes("\u{1}\r\n");
    h.codes("MAIL FROM:<a@bar.com>\r\n");
    h.codes("RCPT TO:b@foo.com\r\n");
    h.codes("RCPT TO:<b@foo.com>\r\n");
    h.codes("RSET\r\n");
    h.codes(&format!("AUTH PLAIN\r\n{}\r\n", "A".repeat(13000)));
    h.codes("AUTH PLAIN\r\nAGFsaWNl\r\n");
    h.codes("MAIL FROM:<a@bar.com> SIZE=10\r\nRCPT TO:<b@foo.com>\r\nBDAT 3 LAST\r\nabc");
    let mut h = ehlo(ServerConfig { max_message_size: 4, ..full_config() });
    h.codes("MAIL FROM:<a@bar.com>\r\nRCPT TO:<b@foo.com>\r\nBDAT 6\r\nabcdef");
    let mut h = ehlo(config());
    h.codes("HELO bar.com\r\n");
}

#[test]
fn syntax_error_replies_follow_the_parser_table() {
    use smtp_sim::smtp::parse;
    use smtp_sim::smtp::server::syntax_error_spec;
    for line in ["FOO", "MAIL", "MAIL FROM:a@b", "RCPT TO:x", "MAIL FROM:<a@b.c> SIZE=x", "\u{1}", "NOOP \u{1}"] {
        let err = parse::command(line.as_bytes()).expect_err(line);
        let (code, enhanced) = err.kind.suggested_reply();
        let spec = syntax_error_spec(&err.kind);
        assert_eq!((spec.code, spec.enhanced), (code, Some(enhanced)), "{line:?}");
    }
}

#[test]
fn auth_required_answers_530_to_every_gated_command_of_a_pipelined_group() {
    // RFC 4954 §6: 530 5.7.0 "SHOULD be returned by any command other than AUTH, EHLO, HELO,
    // NOOP, RSET, or QUIT" while authentication is required and not in force.
    let mut h = ehlo(ServerConfig { require_auth: true, ..full_config() });
    let group = "MAIL FROM:<alice@bar.com>\r\nRCPT TO:<bob@foo.com>\r\nDATA\r\n";
    assert_eq!(h.codes(&format!("{group}VRFY bob\r\n")), ["530 5.7.0", "530 5.7.0", "530 5.7.0", "530 5.7.0"]);
    assert_eq!(h.s.state(), State::Ready, "a refused command changes no state");
    assert_eq!(h.codes("NOOP\r\nRSET\r\n"), ["250 2.0.0", "250 2.0.0"]);
    assert_eq!(h.codes("AUTH PLAIN AGFsaWNlAHNlY3JldA==\r\n"), ["235 2.7.0"]);
    assert_eq!(h.codes(group), ["250 2.1.0", "250 2.1.5", "354"]);
    // Before EHLO the client is told to greet first (503), not to authenticate: AUTH needs EHLO.
    let mut h = Harness::new(ServerConfig { require_auth: true, ..full_config() });
    assert_eq!(h.codes("MAIL FROM:<alice@bar.com>\r\n"), ["503 5.5.1"], "RFC 2034 §3: enhanced codes even before EHLO");
}

#[test]
fn greylisted_only_recipient_then_pipelined_data_gets_554_and_the_transaction_can_be_reset() {
    // RFC 5321 §3.3: "If there was no MAIL, or no RCPT, command, or all such commands were
    // rejected, the server MAY return a 'command out of sequence' (503) or 'no valid
    // recipients' (554) reply in response to the DATA command" — and §4.3.2 lists only 503 and
    // 554 for DATA itself. The recipient's fate is its own 451 (RFC 2920 §3: the client checks
    // every reply of the group), so 554 refuses this DATA, not the message.
    let mut h = ehlo(config());
    h.p.greylist = true;
    assert_eq!(h.codes("MAIL FROM:<a@bar.com>\r\nRCPT TO:<b@foo.com>\r\nDATA\r\n"), ["250 2.1.0", "451 4.7.1", "554 5.5.1"]);
    assert_eq!(h.keys[h.keys.len() - 1], "seq.no_valid_rcpt");
    assert_eq!(h.s.state(), State::Mail, "the transaction is still open: RSET or another RCPT may follow");
    assert_eq!(h.codes("RSET\r\n"), ["250 2.0.0"]);
    assert_eq!(cat::NO_VALID_RCPT.code, 554);
    assert!(cat::NO_VALID_RCPT.rfc.contains("§3.3") && cat::NO_VALID_RCPT.rfc.contains("RFC 2920 §3"));
    assert!(cat::GREYLISTED.why.contains("450") && cat::GREYLISTED.rfc.contains("RFC 6647"));
}
