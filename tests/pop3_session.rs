//! The POP3 core end to end in memory: every command in every state it is valid or refused in,
//! the UPDATE rules (deletions only at QUIT from TRANSACTION, never on a drop), exact octet
//! counts and byte-stuffing, hostile input, the scripted client against the server, and
//! property tests (parse∘encode identity; the events do not depend on how the stream is cut).

use std::sync::Arc;

use proptest::prelude::*;
use smtp_sim::pop3::catalogue as cat;
use smtp_sim::pop3::client::{ClientSession, Fetch, Plan};
use smtp_sim::pop3::command::{encode_command, parse_command, Command, SyntaxErrorKind, Verb};
use smtp_sim::pop3::event::{ClientEvent, Mechanism, ServerEvent};
use smtp_sim::pop3::response::{encode_status, parse_status, RespCode, Status, StatusLine};
use smtp_sim::pop3::server::{apop_digest, DropMessage, Maildrop, ServerConfig, ServerSession};
use smtp_sim::pop3::state::State;
use smtp_sim::pop3::state::{valid_commands, SEQUENCE_RULES};
use smtp_sim::store::{Flag, FlagOp, Flags, Store, INBOX};

/// A maildrop on the project's store: bob/secret, one lock.
struct Drop {
    store: Store,
    locked: bool,
    opened: usize,
    closed: usize,
}

impl Drop {
    fn with(messages: &[&[u8]]) -> Drop {
        let mut store = Store::new(7);
        store.create_account("bob").unwrap();
        for m in messages {
            store.deliver("bob", m, 0).unwrap();
        }
        Drop { store, locked: false, opened: 0, closed: 0 }
    }
    fn uids(&self) -> Vec<u32> {
        self.store.folder("bob", INBOX).unwrap().messages.iter().map(|m| m.uid).collect()
    }
}

impl Maildrop for Drop {
    fn check_password(&mut self, user: &str, password: &str) -> bool {
        user == "bob" && password == "secret"
    }
    fn apop_secret(&mut self, user: &str) -> Option<String> {
        (user == "bob").then(|| "secret".into())
    }
    fn open(&mut self, _user: &str) -> Result<Vec<DropMessage>, &'static cat::ResponseSpec> {
        if self.locked {
            return Err(&cat::IN_USE);
        }
        self.locked = true;
        self.opened += 1;
        let f = self.store.folder("bob", INBOX).unwrap();
        Ok(f.messages
            .iter()
            .map(|m| DropMessage { uid: m.uid, unique_id: format!("{}.{}", f.uid_validity, m.uid), bytes: Arc::clone(&m.bytes) })
            .collect())
    }
    fn update(&mut self, user: &str, deleted: &[DropMessage]) -> Result<(), &'static cat::ResponseSpec> {
        let uids: Vec<u32> = deleted.iter().map(|m| m.uid).collect();
        self.store.set_flags(user, INBOX, &uids, FlagOp::Add, Flags::of(&[Flag::Deleted])).unwrap();
        self.store.expunge(user, INBOX, Some(&uids)).unwrap();
        Ok(())
    }
    fn close(&mut self, _user: &str) {
        self.locked = false;
        self.closed += 1;
    }
}

const M1: &[u8] = b"Subject: one\r\n\r\nhello\r\n";
const M2: &[u8] = b"Subject: two\r\n\r\n.dot line\r\nline 2\r\nline 3\r\n";

fn config() -> ServerConfig {
    ServerConfig {
        hostname: "pop.example.org".into(),
        apop_timestamp: Some("<1.2@pop.example.org>".into()),
        stls: true,
        ..ServerConfig::default()
    }
}

/// A session, greeted, with its output and events drained.
struct T {
    s: ServerSession,
    d: Drop,
    events: Vec<ServerEvent>,
}

impl T {
    fn new(messages: &[&[u8]]) -> T {
        let mut t = T { s: ServerSession::new(config()), d: Drop::with(messages), events: Vec::new() };
        t.take();
        t
    }
    fn take(&mut self) -> Vec<u8> {
        let mut out = Vec::new();
        while let Some(b) = self.s.poll_output() {
            out.extend(b);
        }
        while let Some(e) = self.s.poll_event() {
            self.events.push(e);
        }
        out
    }
    /// Send one line, get the response text.
    fn say(&mut self, line: &str) -> String {
        self.s.receive(format!("{line}\r\n").as_bytes(), &mut self.d);
        String::from_utf8(self.take()).unwrap()
    }
    fn login(&mut self) {
        self.say("USER bob");
        assert!(self.say("PASS secret").starts_with("+OK"));
        assert_eq!(self.s.state(), State::Transaction);
    }
    fn keys(&self) -> Vec<&'static str> {
        self.events.iter().filter_map(|e| if let ServerEvent::ResponseSent { key, .. } = e { Some(*key) } else { None }).collect()
    }
}

#[test]
fn greeting_has_the_apop_timestamp_and_capa_lists_the_extensions() {
    let mut s = ServerSession::new(config());
    assert_eq!(s.poll_output().unwrap(), b"+OK pop.example.org POP3 server ready <1.2@pop.example.org>\r\n");
    let mut t = T::new(&[]);
    let capa = t.say("CAPA");
    assert_eq!(capa, "+OK Capability list follows\r\nTOP\r\nUIDL\r\nRESP-CODES\r\nAUTH-RESP-CODE\r\nPIPELINING\r\nUSER\r\nSASL PLAIN\r\nSTLS\r\nIMPLEMENTATION smtp-sim\r\n.\r\n");
    t.login();
    assert!(!t.say("CAPA").contains("USER"), "login capabilities only before login");
}

#[test]
fn user_pass_login_stat_list_retr_with_exact_octets_and_dot_stuffing() {
    let mut t = T::new(&[M1, M2]);
    assert_eq!(t.say("user bob"), "+OK send PASS for bob\r\n", "keywords are case-insensitive");
    assert_eq!(t.s.state(), State::UserGiven);
    assert_eq!(t.say("PASS secret"), format!("+OK bob has 2 messages ({} octets)\r\n", M1.len() + M2.len()));
    assert_eq!(t.say("STAT"), format!("+OK 2 {}\r\n", M1.len() + M2.len()));
    assert_eq!(t.say("LIST"), format!("+OK 2 messages ({} octets)\r\n1 {}\r\n2 {}\r\n.\r\n", M1.len() + M2.len(), M1.len(), M2.len()));
    assert_eq!(t.say("LIST 2"), format!("+OK 2 {}\r\n", M2.len()));
    assert_eq!(t.say("RETR 2"), format!("+OK {} octets\r\nSubject: two\r\n\r\n..dot line\r\nline 2\r\nline 3\r\n.\r\n", M2.len()));
    assert_eq!(t.say("TOP 2 1"), "+OK top of message follows\r\nSubject: two\r\n\r\n..dot line\r\n.\r\n");
    assert_eq!(t.say("TOP 1 0"), "+OK top of message follows\r\nSubject: one\r\n\r\n.\r\n");
    assert_eq!(t.say("UIDL"), "+OK unique-id listing follows\r\n1 7.1\r\n2 7.2\r\n.\r\n");
    assert_eq!(t.say("UIDL 1"), "+OK 1 7.1\r\n");
    assert_eq!(t.say("NOOP"), "+OK\r\n");
    assert_eq!(t.say("RETR 3"), "-ERR no such message, only 2 messages in maildrop\r\n");
    assert_eq!(t.say("RETR 0"), "-ERR no such message, only 2 messages in maildrop\r\n");
}

#[test]
fn dele_hides_at_once_rset_undoes_and_only_quit_removes() {
    let mut t = T::new(&[M1, M2]);
    t.login();
    assert_eq!(t.say("DELE 1"), "+OK message 1 deleted\r\n");
    assert_eq!(t.say("STAT"), format!("+OK 1 {}\r\n", M2.len()), "a DELE'd message is not counted");
    assert!(t.say("LIST").contains(&format!("\r\n2 {}\r\n.\r\n", M2.len())));
    assert_eq!(t.say("RETR 1"), "-ERR message 1 already deleted\r\n");
    assert_eq!(t.say("DELE 1"), "-ERR message 1 already deleted\r\n");
    assert_eq!(t.say("RSET"), format!("+OK maildrop has 2 messages ({} octets)\r\n", M1.len() + M2.len()));
    assert_eq!(t.say("DELE 2"), "+OK message 2 deleted\r\n");
    assert_eq!(t.d.uids(), [1, 2], "nothing removed before QUIT");
    assert_eq!(t.say("QUIT"), "+OK pop.example.org POP3 server signing off (1 messages left)\r\n");
    assert_eq!(t.d.uids(), [1]);
    assert!(t.s.is_closed());
    assert_eq!((t.d.opened, t.d.closed), (1, 1));
    let quit = t.events.iter().find_map(|e| match e {
        ServerEvent::CommandReceived { command: Command::Quit, state_before, state_after, .. } => Some((*state_before, *state_after)),
        _ => None,
    });
    assert_eq!(quit, Some((State::Transaction, State::Update)));
    assert!(t.events.contains(&ServerEvent::MessagesRemoved { unique_ids: vec!["7.2".into()] }));
}

#[test]
fn a_dropped_connection_deletes_nothing_and_unlocks() {
    let mut t = T::new(&[M1]);
    t.login();
    t.say("DELE 1");
    t.s.connection_closed(&mut t.d);
    t.take();
    assert_eq!(t.d.uids(), [1]);
    assert!(!t.d.locked);
    assert!(t.events.contains(&ServerEvent::NothingRemoved { marked: 1 }));
    assert!(t.s.is_closed());
}

#[test]
fn wrong_password_gets_auth_code_and_a_second_session_in_use() {
    let mut t = T::new(&[M1]);
    t.say("USER bob");
    assert_eq!(t.say("PASS wrong"), "-ERR [AUTH] invalid user name or password\r\n");
    assert_eq!(t.s.state(), State::Authorization);
    t.say("USER nobody");
    assert_eq!(t.say("PASS secret"), "-ERR [AUTH] invalid user name or password\r\n", "no hint which part was wrong");
    t.login();
    // A second session for the same maildrop while the first holds the lock.
    let mut s2 = ServerSession::new(config());
    s2.receive(b"USER bob\r\nPASS secret\r\n", &mut t.d);
    let mut out = Vec::new();
    while let Some(b) = s2.poll_output() {
        out.extend(b);
    }
    assert!(String::from_utf8(out).unwrap().ends_with("-ERR [IN-USE] the maildrop of bob is already open in another session\r\n"));
    assert_eq!(s2.state(), State::Authorization);
}

#[test]
fn apop_and_auth_plain_log_in() {
    let mut t = T::new(&[M1]);
    let digest = apop_digest("<1.2@pop.example.org>", "secret");
    assert_eq!(digest.len(), 32);
    assert!(t.say(&format!("APOP bob {digest}")).starts_with("+OK bob has 1 messages"));
    let mut t = T::new(&[M1]);
    assert!(t.say(&format!("APOP bob {}", "0".repeat(32))).starts_with("-ERR [AUTH]"));
    // RFC 1939 §7's own example: MD5("<1896.697170952@dbc.mtview.ca.us>tanstaaf").
    assert_eq!(apop_digest("<1896.697170952@dbc.mtview.ca.us>", "tanstaaf"), "c4c9334bac560ecc979e58001b3e22fb");
    let mut t = T::new(&[M1]);
    assert_eq!(t.say("AUTH PLAIN"), "+ \r\n");
    assert_eq!(t.s.state(), State::Sasl);
    assert!(t.say("AGJvYgBzZWNyZXQ=").starts_with("+OK bob has 1"));
    let mut t = T::new(&[M1]);
    assert!(t.say("AUTH PLAIN AGJvYgBzZWNyZXQ=").starts_with("+OK"), "initial response");
    let mut t = T::new(&[M1]);
    t.say("AUTH PLAIN");
    assert_eq!(t.say("*"), "-ERR authentication cancelled\r\n");
    assert_eq!(t.s.state(), State::Authorization);
    assert!(t.say("AUTH PLAIN !!!").starts_with("-ERR the SASL response is not valid base64"));
    assert_eq!(t.say("AUTH CRAM-MD5"), "-ERR unsupported SASL mechanism CRAM-MD5\r\n");
    assert!(t.say("AUTH PLAIN AGJvYgBub3Bl").starts_with("-ERR [AUTH]"));
    assert!(t.say("AUTH PLAIN Ym9i").starts_with("-ERR a PLAIN response is"), "no NULs");
}

#[test]
fn stls_is_simulated_once_and_only_before_login() {
    let mut t = T::new(&[]);
    assert_eq!(t.say("STLS"), "+OK Begin TLS negotiation\r\n");
    assert!(t.events.contains(&ServerEvent::TlsStarted));
    assert_eq!(t.s.state(), State::Authorization);
    assert!(!t.say("CAPA").contains("STLS"));
    assert_eq!(t.say("STLS"), "-ERR TLS is already active\r\n");
    t.login();
    assert_eq!(t.say("STLS"), "-ERR STLS is only allowed before logging in\r\n");
    // Bytes pipelined behind STLS are not executed (command injection).
    let mut t = T::new(&[]);
    t.s.receive(b"STLS\r\nUSER bob\r\n", &mut t.d);
    assert_eq!(String::from_utf8(t.take()).unwrap(), "+OK Begin TLS negotiation\r\n");
    assert!(t.events.iter().any(|e| matches!(e, ServerEvent::ProtocolViolated { what } if what.contains("pipelined after STLS"))));
    let mut off = ServerSession::new(ServerConfig::default());
    off.poll_output();
    let mut d = Drop::with(&[]);
    off.receive(b"STLS\r\nAPOP bob 00000000000000000000000000000000\r\n", &mut d);
    let out: Vec<u8> = std::iter::from_fn(|| off.poll_output()).flatten().collect();
    assert_eq!(out, b"-ERR STLS is not offered by this server\r\n-ERR APOP is not offered by this server\r\n");
}

#[test]
fn every_command_in_the_wrong_state_gets_the_sequence_error() {
    for rule in SEQUENCE_RULES {
        for &state in rule.states {
            for &verb in rule.verbs {
                let mut t = T::new(&[M1]);
                match state {
                    State::Transaction => t.login(),
                    State::UserGiven => {
                        t.say("USER bob");
                    }
                    _ => {}
                }
                assert_eq!(t.s.state(), state);
                let line = match verb {
                    Verb::Retr | Verb::Dele | Verb::List | Verb::Uidl => format!("{verb} 1"),
                    Verb::Top => "TOP 1 1".into(),
                    Verb::User | Verb::Pass => format!("{verb} bob"),
                    Verb::Apop => format!("APOP bob {}", "0".repeat(32)),
                    Verb::Auth => "AUTH PLAIN".into(),
                    _ => verb.to_string(),
                };
                let answer = t.say(&line);
                let expected = encode_status(&rule.response.status_line(&[verb.keyword()]));
                assert_eq!(answer.as_bytes(), &expected[..], "{line} in {state:?}");
                assert_eq!(t.s.state(), state, "{line} in {state:?} must not move the session");
            }
        }
    }
    assert_eq!(valid_commands(State::UserGiven).len(), 7);
}

#[test]
fn quit_before_login_changes_nothing() {
    let mut t = T::new(&[M1]);
    assert_eq!(t.say("QUIT"), "+OK pop.example.org POP3 server signing off\r\n");
    assert!(t.s.is_closed());
    assert_eq!(t.d.opened, 0);
}

#[test]
fn hostile_input_gets_teaching_errors_never_a_panic() {
    let mut t = T::new(&[M1]);
    assert!(t.say("HELO x").starts_with("-ERR \"HELO\" is not a POP3 command at column 1"));
    t.login();
    let r = t.say("RETR one");
    assert!(r.starts_with("-ERR \"one\" is not a number at column 6; expected RETR msg (RFC 1939 §5)"), "{r}");
    assert!(t.say("RETR 99999999999").contains("too large"));
    assert!(t.say("LIST  1").contains("two spaces"));
    assert!(t.say("TOP 1").contains("TOP takes 2 arguments, found 1"));
    assert!(t.say("STAT\0").contains("NUL"));
    assert!(t.say(&"A".repeat(300)).starts_with("-ERR line too long (302 octets; at most 255)"));
    assert!(t.say("NOOP").starts_with("+OK"), "the session goes on");
    assert!(t.keys().contains(&"syntax.too_long"));
    // Too many errors: the server hangs up, and nothing is deleted.
    t.say("DELE 1");
    for _ in 0..10 {
        t.s.receive(b"XXXX\r\n", &mut t.d);
    }
    let out = String::from_utf8(t.take()).unwrap();
    assert!(out.ends_with("-ERR too many errors, closing the connection\r\n"), "{out}");
    assert!(t.s.is_closed());
    assert_eq!(t.d.uids(), [1]);
    assert!(!t.d.locked);
}

#[test]
fn every_non_policy_response_is_reachable() {
    // Drive one session through everything and collect the keys it sent.
    let mut keys: Vec<&str> = Vec::new();
    let digest = apop_digest("<1.2@pop.example.org>", "secret");
    let scripts: Vec<Vec<String>> = vec![
        [
            "CAPA",
            "STLS",
            "STLS",
            "PASS x",
            "STAT",
            "USER bob",
            "PASS no",
            "AUTH PLAIN",
            "*",
            "AUTH X",
            "AUTH PLAIN",
            "%%%",
            "AUTH PLAIN Ym9i",
            "QUIT",
        ]
        .map(String::from)
        .to_vec(),
        vec![
            format!("APOP bob {digest}"),
            "USER bob".into(),
            "STLS".into(),
            "STAT".into(),
            "LIST".into(),
            "LIST 1".into(),
            "RETR 1".into(),
            "TOP 1 0".into(),
            "UIDL".into(),
            "UIDL 1".into(),
            "DELE 1".into(),
            "DELE 1".into(),
            "RETR 5".into(),
            "NOOP".into(),
            "RSET".into(),
            "FOO".into(),
            "RETR x".into(),
            "A".repeat(300),
            "QUIT".into(),
        ],
    ];
    for script in scripts {
        let mut t = T::new(&[M1]);
        for line in script {
            t.say(&line);
        }
        keys.extend(t.keys());
    }
    let mut off =
        T { s: ServerSession::new(ServerConfig { user_pass: false, ..ServerConfig::default() }), d: Drop::with(&[]), events: Vec::new() };
    off.say("USER bob");
    off.say("STLS");
    for _ in 0..10 {
        off.say("X");
    }
    keys.extend(off.keys());
    for spec in cat::RESPONSES.iter().filter(|s| !s.policy) {
        assert!(keys.contains(&spec.key), "{} is never sent", spec.key);
    }
}

fn run_client(plan: Plan, d: &mut Drop) -> Vec<ClientEvent> {
    let mut server = ServerSession::new(config());
    let mut client = ClientSession::new(plan);
    let mut events = Vec::new();
    for _ in 0..1000 {
        let mut moved = false;
        while let Some(b) = server.poll_output() {
            client.receive(&b);
            moved = true;
        }
        while let Some(b) = client.poll_output() {
            server.receive(&b, d);
            moved = true;
        }
        events.extend(std::iter::from_fn(|| client.poll_event()));
        while server.poll_event().is_some() {}
        if client.is_done() || !moved {
            break;
        }
    }
    events
}

fn plan(mechanism: Mechanism, fetch: Fetch) -> Plan {
    Plan { user: "bob".into(), password: "secret".into(), mechanism, stls: true, fetch }
}

#[test]
fn the_scripted_client_downloads_and_deletes() {
    let mut d = Drop::with(&[M1, M2]);
    let events = run_client(plan(Mechanism::UserPass, Fetch::DownloadAndDelete), &mut d);
    let got: Vec<Vec<u8>> = events
        .iter()
        .filter_map(|e| if let ClientEvent::MessageRetrieved { message, .. } = e { Some(message.clone()) } else { None })
        .collect();
    assert_eq!(got, [M1.to_vec(), M2.to_vec()], "byte-exact after unstuffing");
    assert!(events.contains(&ClientEvent::TlsStarted));
    assert_eq!(events.last(), Some(&ClientEvent::Finished { ok: true, retrieved: 2, deleted: 2 }));
    assert!(d.uids().is_empty());
}

#[test]
fn the_scripted_client_leaves_mail_on_the_server_with_uidl() {
    let mut d = Drop::with(&[M1, M2]);
    let events = run_client(plan(Mechanism::Apop, Fetch::LeaveOnServer { known: vec!["7.1".into()] }), &mut d);
    assert!(events.contains(&ClientEvent::AlreadySeen { msg: 1, unique_id: "7.1".into() }));
    assert!(events.contains(&ClientEvent::MessageRetrieved { msg: 2, unique_id: Some("7.2".into()), message: M2.to_vec() }));
    assert_eq!(events.last(), Some(&ClientEvent::Finished { ok: true, retrieved: 1, deleted: 0 }));
    assert_eq!(d.uids(), [1, 2]);
    let events = run_client(plan(Mechanism::SaslPlain, Fetch::Headers { lines: 0 }), &mut d);
    assert!(events.contains(&ClientEvent::HeadRetrieved { msg: 1, head: b"Subject: one\r\n\r\n".to_vec() }));
}

#[test]
fn the_scripted_client_reports_a_wrong_password() {
    let mut d = Drop::with(&[M1]);
    let mut p = plan(Mechanism::UserPass, Fetch::DownloadAndDelete);
    p.password = "nope".into();
    let events = run_client(p, &mut d);
    assert!(events.iter().any(|e| matches!(e, ClientEvent::LoginFailed { status } if status.code() == Some(&RespCode::Auth))));
    assert_eq!(events.last(), Some(&ClientEvent::Finished { ok: false, retrieved: 0, deleted: 0 }));
}

fn arg() -> impl Strategy<Value = String> {
    "[!-~]{1,40}"
}

fn command() -> impl Strategy<Value = Command> {
    prop_oneof![
        arg().prop_map(Command::User),
        "[ -~]{0,60}[!-~]".prop_map(Command::Pass),
        (arg(), "[0-9a-f]{32}").prop_map(|(user, digest)| Command::Apop { user, digest }),
        (arg(), proptest::option::of(arg())).prop_map(|(mechanism, initial)| Command::Auth { mechanism, initial }),
        Just(Command::Stat),
        proptest::option::of(any::<u32>()).prop_map(Command::List),
        any::<u32>().prop_map(Command::Retr),
        any::<u32>().prop_map(Command::Dele),
        Just(Command::Noop),
        Just(Command::Rset),
        (any::<u32>(), any::<u32>()).prop_map(|(msg, lines)| Command::Top { msg, lines }),
        proptest::option::of(any::<u32>()).prop_map(Command::Uidl),
        Just(Command::Quit),
        Just(Command::Capa),
        Just(Command::Stls),
    ]
}

fn status_line() -> impl Strategy<Value = StatusLine> {
    let code = proptest::option::of(prop_oneof![
        Just(RespCode::InUse),
        Just(RespCode::LoginDelay),
        Just(RespCode::SysTemp),
        Just(RespCode::SysPerm),
        Just(RespCode::Auth),
        "[A-Z]{1,8}(/[A-Z0-9-]{1,8})?"
            .prop_filter("not a known code", |s| matches!(RespCode::from_text(s), RespCode::Other(_)))
            .prop_map(RespCode::Other),
    ]);
    prop_oneof![
        (prop_oneof![Just(Status::Ok), Just(Status::Err)], code, "([!-Z\\\\-~][ -~]{0,50})?")
            .prop_map(|(status, code, text)| StatusLine::Status { status, code, text }),
        "[A-Za-z0-9+/=]{0,40}".prop_map(StatusLine::Continue),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 500, ..ProptestConfig::default() })]

    #[test]
    fn command_parse_encode_is_identity(c in command()) {
        let bytes = encode_command(&c);
        let parsed = parse_command(&bytes[..bytes.len() - 2]);
        prop_assert_eq!(parsed.as_ref(), Ok(&c));
        prop_assert_eq!(encode_command(&parsed.unwrap()), bytes);
    }

    #[test]
    fn status_parse_encode_is_identity(s in status_line()) {
        let bytes = encode_status(&s);
        prop_assert_eq!(parse_status(&bytes[..bytes.len() - 2]), Ok(s));
    }

    #[test]
    fn parsing_any_line_never_panics(line in proptest::collection::vec(any::<u8>(), 0..300)) {
        if let Err(e) = parse_command(&line) {
            prop_assert!(e.column >= 1);
            prop_assert!(e.kind != SyntaxErrorKind::BadResponse);
        }
        // What a client reads from any line, it reads again the same from its encoding.
        if let Ok(status) = parse_status(&line) {
            let bytes = encode_status(&status);
            prop_assert_eq!(parse_status(&bytes[..bytes.len() - 2]), Ok(status));
        }
    }

    /// A status prefix followed by any bytes (the fuzzer found that invalid UTF-8 after `+OK`
    /// made the error column underflow): an answer or a located error, never a panic.
    #[test]
    fn a_status_followed_by_any_bytes_never_panics(prefix in prop_oneof![Just(&b"+OK"[..]), Just(&b"-ERR"[..])], tail in proptest::collection::vec(any::<u8>(), 0..40)) {
        let line = [prefix, &tail[..]].concat();
        if let Err(e) = parse_status(&line) {
            prop_assert!(e.column >= 1);
        }
    }

    /// However the client's bytes are cut, the server says and does the same.
    #[test]
    fn chunking_does_not_change_the_events(cuts in proptest::collection::vec(0usize..200, 0..12)) {
        let script = b"CAPA\r\nUSER bob\r\nPASS secret\r\nSTAT\r\nLIST\r\nRETR 2\r\nTOP 2 1\r\nDELE 1\r\nUIDL\r\nBAD\r\nQUIT\r\n";
        let run = |chunks: Vec<&[u8]>| {
            let mut d = Drop::with(&[M1, M2]);
            let mut s = ServerSession::new(config());
            for c in chunks {
                s.receive(c, &mut d);
            }
            let out: Vec<u8> = std::iter::from_fn(|| s.poll_output()).flatten().collect();
            let events: Vec<ServerEvent> = std::iter::from_fn(|| s.poll_event()).collect();
            (out, events, d.uids())
        };
        let whole = run(vec![&script[..]]);
        let mut points: Vec<usize> = cuts.into_iter().map(|c| c % script.len()).collect();
        points.sort_unstable();
        points.dedup();
        let mut chunks = Vec::new();
        let mut last = 0;
        for p in points {
            chunks.push(&script[last..p]);
            last = p;
        }
        chunks.push(&script[last..]);
        prop_assert_eq!(run(chunks), whole);
    }
}

/// The fuzzer's case (fuzz/artifacts/pop3_syntax): `+OK`, a valid UTF-8 character, then two bytes
/// that are not UTF-8 — the lossy text is longer than the line.
#[test]
fn a_status_with_invalid_utf8_after_the_status_is_a_located_error() {
    let e = parse_status(b"+OK\xe0\xa4\xbe\x9b\x9a").unwrap_err();
    assert_eq!((e.column, e.problem.as_str()), (4, "a space must follow +OK or -ERR"));
}
