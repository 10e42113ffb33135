//! The POP3 server session, sans-IO: bytes from the client go in with [`ServerSession::receive`],
//! bytes to send come out of [`ServerSession::poll_output`], past-tense facts out of
//! [`ServerSession::poll_event`].
//!
//! The session never owns a mailbox. What only the node can decide is asked of a [`Maildrop`]:
//! is this password right (or what is the APOP secret), the maildrop snapshot at login (which
//! also locks it, RFC 1939 §8), and removing the DELE'd messages in the UPDATE state. Every
//! response comes from a catalogue entry, and every state change from `state::TRANSITIONS`.

use std::collections::VecDeque;
use std::sync::Arc;

use md5::{Digest, Md5};

use super::catalogue::{self as cat, ResponseSpec};
use super::command::{parse_command, Command, SyntaxErrorKind, Verb};
use super::event::{Mechanism, ServerEvent};
use super::frame::{Frame, Framer, MAX_COMMAND_LINE, MAX_SASL_LINE};
use super::response::{encode_status, stuff_body, Status};
use super::state::{self, Sent, State, Trigger};
use crate::smtp::base64;

/// One message of the maildrop as the session sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DropMessage {
    /// The caller's own id for the message (the store's UID), given back at UPDATE.
    pub uid: u32,
    /// What UIDL says: 1 to 70 printable characters, stable across sessions (RFC 1939 §7).
    pub unique_id: String,
    /// The message with CRLF line ends; its length is the size STAT and LIST report.
    pub bytes: Arc<[u8]>,
}

impl DropMessage {
    pub fn size(&self) -> u64 {
        self.bytes.len() as u64
    }
}

/// What the node decides for the session.
pub trait Maildrop {
    /// USER/PASS and AUTH PLAIN: is this the password of `user`? Defaults to no.
    fn check_password(&mut self, _user: &str, _password: &str) -> bool {
        false
    }
    /// APOP: the shared secret of `user` (RFC 1939 §7), if APOP is allowed for them.
    fn apop_secret(&mut self, _user: &str) -> Option<String> {
        None
    }
    /// After a successful login: lock the maildrop and give its messages, in order (they are
    /// numbered from 1). Refuse with a catalogue entry (`IN_USE`, `SYS_TEMP`); `{}` in its
    /// text is filled with the user name.
    fn open(&mut self, user: &str) -> Result<Vec<DropMessage>, &'static ResponseSpec>;
    /// RETR sent this message whole (a node may flag it \Seen, as Dovecot does). TOP does not
    /// count: it only peeks.
    fn retrieved(&mut self, _user: &str, _message: &DropMessage) {}
    /// UPDATE (RFC 1939 §6): remove these messages. A refusal (`UPDATE_FAILED`) is sent as is.
    fn update(&mut self, user: &str, deleted: &[DropMessage]) -> Result<(), &'static ResponseSpec>;
    /// The session is over, with or without UPDATE: unlock the maildrop.
    fn close(&mut self, _user: &str) {}
}

/// How the server is set up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerConfig {
    pub hostname: String,
    /// The APOP timestamp for the greeting, `<pid.clock@host>` (RFC 1939 §7), chosen by the
    /// caller so that the core needs no clock; `None`: no APOP.
    pub apop_timestamp: Option<String>,
    /// USER/PASS is offered (RFC 2449 §6.2 `USER`).
    pub user_pass: bool,
    /// AUTH PLAIN is offered (RFC 5034, CAPA `SASL PLAIN`).
    pub sasl_plain: bool,
    /// STLS is offered (simulated TLS, RFC 2595).
    pub stls: bool,
    /// Errors after which the server hangs up.
    pub max_errors: u32,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            hostname: "pop.example.org".into(),
            apop_timestamp: None,
            user_pass: true,
            sasl_plain: true,
            stls: false,
            max_errors: 10,
        }
    }
}

/// One server side of one POP3 connection.
#[derive(Debug)]
pub struct ServerSession {
    config: ServerConfig,
    state: State,
    framer: Framer,
    out: VecDeque<Vec<u8>>,
    events: VecDeque<ServerEvent>,
    /// The name from USER, waiting for PASS.
    pending_user: Option<String>,
    /// The logged-in user and the maildrop snapshot, with the DELE marks.
    user: Option<String>,
    messages: Vec<DropMessage>,
    deleted: Vec<bool>,
    tls: bool,
    errors: u32,
}

/// The MD5 digest APOP expects, as 32 lower-case hex digits (RFC 1939 §7).
pub fn apop_digest(timestamp: &str, secret: &str) -> String {
    let d = Md5::digest(format!("{timestamp}{secret}").as_bytes());
    d.iter().map(|b| format!("{b:02x}")).collect()
}

impl ServerSession {
    /// A session that has sent its greeting (RFC 1939 §4).
    pub fn new(config: ServerConfig) -> ServerSession {
        let mut s = ServerSession {
            config,
            state: State::Authorization,
            framer: Framer::new(),
            out: VecDeque::new(),
            events: VecDeque::new(),
            pending_user: None,
            user: None,
            messages: Vec::new(),
            deleted: Vec::new(),
            tls: false,
            errors: 0,
        };
        let host = s.config.hostname.clone();
        let ts = s.config.apop_timestamp.clone().unwrap_or_default();
        s.answer(None, &cat::GREETING, &[&host, &ts], None, None);
        s
    }

    pub fn state(&self) -> State {
        self.state
    }
    pub fn is_closed(&self) -> bool {
        self.state == State::Closed
    }
    pub fn config(&self) -> &ServerConfig {
        &self.config
    }
    /// The logged-in user, once in TRANSACTION.
    pub fn user(&self) -> Option<&str> {
        self.user.as_deref()
    }

    pub fn poll_output(&mut self) -> Option<Vec<u8>> {
        self.out.pop_front()
    }
    pub fn poll_event(&mut self) -> Option<ServerEvent> {
        self.events.pop_front()
    }

    /// The client went away (or the server hangs up): no UPDATE, nothing is removed
    /// (RFC 1939 §6), the maildrop is unlocked.
    pub fn connection_closed(&mut self, drop: &mut dyn Maildrop) {
        if self.state == State::Closed {
            return;
        }
        self.events.push_back(ServerEvent::ProtocolViolated {
            what: format!(
                "the connection ended without QUIT in the {} state; no UPDATE, so no message is removed (RFC 1939 §6)",
                self.state.rfc_name()
            ),
        });
        self.lose_connection(drop);
    }

    fn lose_connection(&mut self, drop: &mut dyn Maildrop) {
        if let Some(user) = self.user.take() {
            let marked = self.deleted.iter().filter(|d| **d).count();
            self.events.push_back(ServerEvent::NothingRemoved { marked });
            drop.close(&user);
        }
        self.state = state::next_state(self.state, Trigger::ConnectionLost, None).map_or(State::Closed, |t| t.to);
        self.events.push_back(ServerEvent::Closed);
    }

    /// Feed bytes received from the client.
    pub fn receive(&mut self, bytes: &[u8], drop: &mut dyn Maildrop) {
        if self.state == State::Closed {
            if !bytes.is_empty() {
                self.events.push_back(ServerEvent::ProtocolViolated {
                    what: format!("{} octets arrived after the session was closed; ignored", bytes.len()),
                });
            }
            return;
        }
        self.framer.push(bytes);
        while self.state != State::Closed {
            let limit = if self.state == State::Sasl { MAX_SASL_LINE } else { MAX_COMMAND_LINE };
            let Some(frame) = self.framer.next_line(limit) else { break };
            self.on_frame(frame, drop);
            if self.errors >= self.config.max_errors && self.state != State::Closed {
                self.answer(None, &cat::TOO_MANY_ERRORS, &[], None, None);
                self.lose_connection(drop);
            }
        }
    }

    fn on_frame(&mut self, frame: Frame, drop: &mut dyn Maildrop) {
        let (text, bare_lf) = match frame {
            Frame::TooLong { octets, limit } => {
                self.errors += 1;
                self.events.push_back(ServerEvent::LineTooLong { octets, limit });
                // RFC 2449 §4: the line is not executed. In a SASL exchange it ends the exchange.
                let trigger = (self.state == State::Sasl).then_some(Trigger::SaslResponse);
                return self.answer(None, &cat::LINE_TOO_LONG, &[&octets.to_string(), &limit.to_string()], None, trigger);
            }
            Frame::Line { text, bare_lf } => (text, bare_lf),
        };
        if bare_lf {
            self.events.push_back(ServerEvent::ProtocolViolated {
                what: "the line ended with a bare LF; POP3 lines end with CR LF (RFC 1939 §3). Accepted anyway.".into(),
            });
        }
        let mut raw = text.clone();
        raw.extend_from_slice(if bare_lf { b"\n" } else { b"\r\n" });
        if self.state == State::Sasl {
            return self.sasl_response(raw, &text, drop);
        }
        let command = match parse_command(&text) {
            Ok(c) => c,
            Err(error) => {
                self.errors += 1;
                let spec = if error.kind == SyntaxErrorKind::UnknownCommand { &cat::UNKNOWN } else { &cat::BAD_ARGUMENTS };
                let message = error.to_string();
                self.events.push_back(ServerEvent::SyntaxErrorReceived { raw, error });
                return self.answer(None, spec, &[&message], None, None);
            }
        };
        let verb = command.verb();
        if let Some(spec) = state::sequence_error(self.state, verb) {
            self.errors += 1;
            return self.answer(Some((raw, command)), spec, &[verb.keyword()], None, Some(Trigger::Command(verb)));
        }
        let cmd = Some((raw, command.clone()));
        let t = Some(Trigger::Command(verb));
        match command {
            Command::User(name) => {
                if !self.config.user_pass {
                    return self.answer(cmd, &cat::USER_DISABLED, &[self.other_logins()], None, t);
                }
                self.answer(cmd, &cat::USER_OK, &[&name], None, t);
                self.pending_user = Some(name);
            }
            Command::Pass(password) => {
                let user = self.pending_user.take().unwrap_or_default();
                let ok = drop.check_password(&user, &password);
                self.login_or_fail(cmd, user, ok, Mechanism::UserPass, t, drop);
            }
            Command::Apop { user, digest } => {
                let Some(ts) = self.config.apop_timestamp.clone() else {
                    return self.answer(cmd, &cat::NOT_OFFERED, &["APOP"], None, t);
                };
                // RFC 1939 §7: digest = MD5(timestamp, including the angle brackets, + secret).
                let ok = drop.apop_secret(&user).is_some_and(|secret| apop_digest(&ts, &secret) == digest.to_ascii_lowercase());
                self.login_or_fail(cmd, user, ok, Mechanism::Apop, t, drop);
            }
            Command::Auth { mechanism, initial } => {
                if !self.config.sasl_plain {
                    return self.answer(cmd, &cat::NOT_OFFERED, &["AUTH"], None, t);
                }
                if !mechanism.eq_ignore_ascii_case("PLAIN") {
                    return self.answer(cmd, &cat::AUTH_MECHANISM, &[&mechanism], None, t);
                }
                match initial {
                    // RFC 5034 §4: without an initial response the server sends an empty challenge.
                    None => self.answer(cmd, &cat::CONTINUE, &[""], None, t),
                    // RFC 5034 §4: "=" is an initial response of zero length.
                    Some(r) => self.plain(cmd, if r == "=" { "" } else { &r }, t, drop),
                }
            }
            Command::Stls => {
                if self.tls {
                    return self.answer(cmd, &cat::STLS_ALREADY, &[], None, t);
                }
                if !self.config.stls {
                    return self.answer(cmd, &cat::NOT_OFFERED, &["STLS"], None, t);
                }
                self.answer(cmd, &cat::STLS_OK, &[], None, t);
                let injected = self.framer.clear();
                if injected > 0 {
                    self.events.push_back(ServerEvent::ProtocolViolated {
                        what: format!("{injected} octets were pipelined after STLS; they were discarded, not executed (RFC 2595 §4: the client waits for the handshake)"),
                    });
                }
                self.tls = true;
                self.pending_user = None;
                self.state = state::next_state(self.state, Trigger::TlsEstablished, None).map_or(State::Authorization, |r| r.to);
                self.events.push_back(ServerEvent::TlsStarted);
            }
            Command::Capa => {
                let lines = self.capabilities();
                self.answer(cmd, &cat::CAPA, &[], Some(lines.join("\r\n").into_bytes()), t);
            }
            Command::Quit if self.state == State::Transaction => self.update(cmd, drop),
            Command::Quit => {
                let host = self.config.hostname.clone();
                self.answer(cmd, &cat::QUIT_AUTH, &[&host], None, t);
                self.events.push_back(ServerEvent::Closed);
            }
            Command::Stat => {
                let (n, octets) = self.totals();
                self.answer(cmd, &cat::STAT, &[&n.to_string(), &octets.to_string()], None, t);
            }
            Command::List(None) => {
                let (n, octets) = self.totals();
                let body = self.live().map(|(i, m)| format!("{i} {}", m.size())).collect::<Vec<_>>().join("\r\n");
                self.answer(cmd, &cat::LIST_ALL, &[&n.to_string(), &octets.to_string()], Some(body.into_bytes()), t);
            }
            Command::Uidl(None) => {
                let body = self.live().map(|(i, m)| format!("{i} {}", m.unique_id)).collect::<Vec<_>>().join("\r\n");
                self.answer(cmd, &cat::UIDL_ALL, &[], Some(body.into_bytes()), t);
            }
            Command::List(Some(i)) | Command::Uidl(Some(i)) | Command::Retr(i) | Command::Dele(i) | Command::Top { msg: i, .. } => {
                let m = match self.message(i) {
                    Ok(m) => m.clone(),
                    Err((spec, arg)) => return self.answer(cmd, spec, &[&arg], None, t),
                };
                let n = i.to_string();
                match command {
                    Command::List(_) => self.answer(cmd, &cat::LIST_ONE, &[&n, &m.size().to_string()], None, t),
                    Command::Uidl(_) => self.answer(cmd, &cat::UIDL_ONE, &[&n, &m.unique_id], None, t),
                    // RFC 1939 §5: the octet count is the message's size (before byte-stuffing).
                    Command::Retr(_) => {
                        self.answer(cmd, &cat::RETR, &[&m.size().to_string()], Some(m.bytes.to_vec()), t);
                        drop.retrieved(self.user.as_deref().unwrap_or_default(), &m);
                    }
                    Command::Top { lines, .. } => self.answer(cmd, &cat::TOP, &[], Some(top(&m.bytes, lines)), t),
                    _ => {
                        // DELE: marked now, removed at UPDATE (RFC 1939 §5, §6).
                        self.deleted[i as usize - 1] = true;
                        self.answer(cmd, &cat::DELE, &[&n], None, t);
                        self.events.push_back(ServerEvent::MessageMarked { msg: i, unique_id: m.unique_id });
                    }
                }
            }
            Command::Noop => self.answer(cmd, &cat::NOOP, &[], None, t),
            Command::Rset => {
                let count = self.deleted.iter().filter(|d| **d).count();
                self.deleted.iter_mut().for_each(|d| *d = false);
                let (n, octets) = self.totals();
                self.answer(cmd, &cat::RSET, &[&n.to_string(), &octets.to_string()], None, t);
                self.events.push_back(ServerEvent::MarksCleared { count });
            }
        }
    }

    /// The logins offered besides USER/PASS, for the USER refusal.
    fn other_logins(&self) -> &'static str {
        match (self.config.apop_timestamp.is_some(), self.config.sasl_plain) {
            (true, true) => "APOP or AUTH PLAIN",
            (true, false) => "APOP",
            (false, true) => "AUTH PLAIN",
            (false, false) => "another server",
        }
    }

    /// CAPA's list (RFC 2449 §6). Login capabilities only before login.
    fn capabilities(&self) -> Vec<String> {
        let mut lines = vec!["TOP".to_string(), "UIDL".into(), "RESP-CODES".into(), "AUTH-RESP-CODE".into(), "PIPELINING".into()];
        if self.state != State::Transaction {
            if self.config.user_pass {
                lines.push("USER".into());
            }
            if self.config.sasl_plain {
                lines.push("SASL PLAIN".into());
            }
            if self.config.stls && !self.tls {
                lines.push("STLS".into());
            }
        }
        lines.push("IMPLEMENTATION smtp-sim".into());
        lines
    }

    /// Not-deleted messages with their numbers.
    fn live(&self) -> impl Iterator<Item = (usize, &DropMessage)> {
        self.messages.iter().enumerate().filter(|(i, _)| !self.deleted[*i]).map(|(i, m)| (i + 1, m))
    }

    /// Count and octets of the messages not marked as deleted (RFC 1939 §5 STAT).
    fn totals(&self) -> (usize, u64) {
        self.live().fold((0, 0), |(n, o), (_, m)| (n + 1, o + m.size()))
    }

    fn message(&self, i: u32) -> Result<&DropMessage, (&'static ResponseSpec, String)> {
        let n = self.messages.len();
        if i == 0 || i as usize > n {
            return Err((&cat::NO_SUCH_MESSAGE, n.to_string()));
        }
        if self.deleted[i as usize - 1] {
            return Err((&cat::MESSAGE_DELETED, i.to_string())); // RFC 1939 §5: may not be referred to
        }
        Ok(&self.messages[i as usize - 1])
    }

    fn sasl_response(&mut self, raw: Vec<u8>, text: &[u8], drop: &mut dyn Maildrop) {
        self.events.push_back(ServerEvent::SaslLineReceived { raw });
        let t = Some(Trigger::SaslResponse);
        if text == b"*" {
            return self.answer(None, &cat::AUTH_CANCELLED, &[], None, t); // RFC 5034 §4
        }
        let text = String::from_utf8_lossy(text).into_owned();
        self.plain(None, &text, t, drop);
    }

    /// Check an AUTH PLAIN response (RFC 4616 §2: authzid NUL authcid NUL passwd, in base64).
    fn plain(&mut self, cmd: Option<(Vec<u8>, Command)>, b64: &str, t: Option<Trigger>, drop: &mut dyn Maildrop) {
        let decoded = match base64::decode_with(b64.as_bytes(), base64::STANDARD, false) {
            Ok(d) => d,
            Err(e) => {
                self.errors += 1;
                return self.answer(cmd, &cat::AUTH_BAD_BASE64, &[e.reason()], None, t);
            }
        };
        let parts: Vec<&[u8]> = decoded.split(|&b| b == 0).collect();
        let [authzid, user, password] = parts[..] else {
            self.errors += 1;
            return self.answer(cmd, &cat::AUTH_BAD_PLAIN, &[], None, t);
        };
        let (authzid, user, password) =
            (String::from_utf8_lossy(authzid), String::from_utf8_lossy(user).into_owned(), String::from_utf8_lossy(password));
        if user.is_empty() || password.is_empty() {
            self.errors += 1;
            return self.answer(cmd, &cat::AUTH_BAD_PLAIN, &[], None, t);
        }
        // RFC 4616 §2: acting for another identity (authzid) is not granted here.
        let ok = (authzid.is_empty() || authzid == user) && drop.check_password(&user, &password);
        self.login_or_fail(cmd, user, ok, Mechanism::SaslPlain, t, drop);
    }

    fn login_or_fail(
        &mut self,
        cmd: Option<(Vec<u8>, Command)>,
        user: String,
        ok: bool,
        mechanism: Mechanism,
        t: Option<Trigger>,
        drop: &mut dyn Maildrop,
    ) {
        if !ok {
            self.errors += 1;
            self.events.push_back(ServerEvent::LoginFailed { user: (!user.is_empty()).then(|| user.clone()), mechanism });
            return self.answer(cmd, &cat::AUTH_FAILED, &[], None, t);
        }
        match drop.open(&user) {
            Ok(messages) => {
                let octets: u64 = messages.iter().map(DropMessage::size).sum();
                let n = messages.len();
                self.deleted = vec![false; n];
                self.messages = messages;
                self.user = Some(user.clone());
                self.answer(cmd, &cat::LOGGED_IN, &[&user, &n.to_string(), &octets.to_string()], None, t);
                self.events.push_back(ServerEvent::LoggedIn { user, mechanism, messages: n, octets });
            }
            Err(spec) => self.answer(cmd, spec, &[&user], None, t),
        }
    }

    /// QUIT in TRANSACTION: enter UPDATE, remove the marked messages, answer, close (RFC 1939 §6).
    fn update(&mut self, cmd: Option<(Vec<u8>, Command)>, drop: &mut dyn Maildrop) {
        let before = self.state;
        let after = state::next_state(before, Trigger::Command(Verb::Quit), None).map_or(State::Update, |r| r.to);
        if let Some((raw, command)) = cmd {
            self.events.push_back(ServerEvent::CommandReceived { raw, command, state_before: before, state_after: after });
        }
        self.state = after;
        let user = self.user.take().unwrap_or_default();
        let doomed: Vec<DropMessage> = self.messages.iter().zip(&self.deleted).filter(|(_, d)| **d).map(|(m, _)| m.clone()).collect();
        let host = self.config.hostname.clone();
        match drop.update(&user, &doomed) {
            Ok(()) => {
                self.events.push_back(ServerEvent::MessagesRemoved { unique_ids: doomed.iter().map(|m| m.unique_id.clone()).collect() });
                let left = self.messages.len() - doomed.len();
                self.answer(None, &cat::QUIT_UPDATE, &[&host, &left.to_string()], None, Some(Trigger::UpdateDone));
            }
            Err(spec) => self.answer(None, spec, &[&user], None, Some(Trigger::UpdateDone)),
        }
        drop.close(&user);
        self.events.push_back(ServerEvent::Closed);
    }

    /// Send one response from the catalogue; the state moves as `TRANSITIONS` says for
    /// `trigger` and the kind of response. `cmd`: the command it answers, reported first.
    fn answer(
        &mut self,
        cmd: Option<(Vec<u8>, Command)>,
        spec: &'static ResponseSpec,
        args: &[&str],
        body: Option<Vec<u8>>,
        trigger: Option<Trigger>,
    ) {
        let status = spec.status_line(args);
        let status = match status {
            // A text that ends up empty (NOOP, the greeting without APOP) is not padded.
            super::response::StatusLine::Status { status, code, text } => {
                super::response::StatusLine::Status { status, code, text: text.trim_end().to_string() }
            }
            c => c,
        };
        let sent = match &status {
            super::response::StatusLine::Continue(_) => Sent::Continue,
            super::response::StatusLine::Status { status: Status::Ok, .. } => Sent::Ok,
            super::response::StatusLine::Status { status: Status::Err, .. } => Sent::Err,
        };
        let before = self.state;
        let after = trigger.and_then(|t| state::next_state(before, t, Some(sent))).map_or(before, |r| r.to);
        if let Some((raw, command)) = cmd {
            self.events.push_back(ServerEvent::CommandReceived { raw, command, state_before: before, state_after: after });
        }
        let mut bytes = encode_status(&status);
        let mut body_lines = 0;
        if spec.multi {
            let body = body.unwrap_or_default();
            let stuffed = stuff_body(&body);
            body_lines = stuffed.iter().filter(|&&b| b == b'\n').count() - 1;
            bytes.extend_from_slice(&stuffed);
        }
        self.state = after;
        self.out.push_back(bytes.clone());
        self.events.push_back(ServerEvent::ResponseSent {
            status,
            bytes,
            body_lines,
            key: spec.key,
            state_before: before,
            state_after: after,
        });
    }
}

/// TOP's answer: the header, the empty line, and the first `lines` lines of the body
/// (RFC 1939 §7). A message without an empty line is all header.
pub fn top(message: &[u8], lines: u32) -> Vec<u8> {
    let split = message.windows(4).position(|w| w == b"\r\n\r\n").map(|i| i + 4);
    let Some(body_start) = split else { return message.to_vec() };
    let mut end = body_start;
    let mut taken = 0;
    while taken < lines && end < message.len() {
        end = message[end..].iter().position(|&b| b == b'\n').map_or(message.len(), |i| end + i + 1);
        taken += 1;
    }
    message[..end].to_vec()
}
