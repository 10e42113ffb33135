//! The server side of an SMTP session, sans-IO: bytes in ([`ServerSession::receive`]), bytes
//! out ([`ServerSession::poll_output`]) and past-tense events ([`ServerSession::poll_event`]).
//!
//! - Every state change is looked up in [`state::TRANSITIONS`]; out-of-sequence commands are
//!   refused from [`state::SEQUENCE_RULES`] — the state diagram the UI draws is the behaviour.
//! - Every reply is built from a [`catalogue`] spec; its `ReplySent` event carries the spec and
//!   the transition row the session took.
//! - Decisions that belong to the node (who may relay, which users exist, greylisting, ...)
//!   are asked of the caller through [`Policy`].
//! - Pipelining (RFC 2920): every complete command in the input is answered in order; with
//!   PIPELINING negotiated the replies of one `receive` call leave as one write. 354, 334 and
//!   the 220 to STARTTLS end a group and are flushed on their own.
//! - STARTTLS is simulated: after `220 Ready to start TLS` the handshake is taken as done, the
//!   session forgets everything (RFC 3207 §4.2), and any bytes the client pipelined after
//!   STARTTLS are discarded (they would be plaintext injected into the TLS session).

use std::collections::{BTreeMap, VecDeque};

use serde::{Deserialize, Serialize};

use super::address::{ForwardPath, Host, LocalPart, Path, ReversePath};
use super::base64;
use super::catalogue::{self as cat, ReplySpec};
use super::command::{Body, Command, MailParams, RcptParams, Verb};
use super::data::{BdatReader, DataReader, Frame, LineFramer};
use super::encode;
use super::error::{SyntaxError, SyntaxErrorKind};
use super::event::{Envelope, ServerEvent};
use super::parse;
use super::reply::Reply;
use super::state::{self, State, Transition, Trigger};

/// Which service extensions the server advertises in its EHLO reply.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Extensions {
    /// `SIZE <max_message_size>` (RFC 1870).
    pub size: bool,
    /// `PIPELINING` (RFC 2920).
    pub pipelining: bool,
    /// `8BITMIME` (RFC 6152).
    pub eight_bit_mime: bool,
    /// `ENHANCEDSTATUSCODES` (RFC 2034).
    pub enhanced_status_codes: bool,
    /// `SMTPUTF8` (RFC 6531).
    pub smtputf8: bool,
    /// `DSN` (RFC 3461).
    pub dsn: bool,
    /// `CHUNKING` (RFC 3030).
    pub chunking: bool,
    /// `AUTH PLAIN` (RFC 4954, RFC 4616).
    pub auth_plain: bool,
    /// `AUTH LOGIN` (the widespread non-standard mechanism).
    pub auth_login: bool,
    /// `STARTTLS` (RFC 3207), simulated.
    pub starttls: bool,
}

impl Default for Extensions {
    fn default() -> Self {
        Extensions {
            size: true,
            pipelining: true,
            eight_bit_mime: true,
            enhanced_status_codes: true,
            smtputf8: false,
            dsn: false,
            chunking: false,
            auth_plain: false,
            auth_login: false,
            starttls: false,
        }
    }
}

/// What VRFY answers (RFC 5321 §3.5.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum VrfyMode {
    /// `252 Cannot VRFY user, but will accept message` (the common, privacy-keeping answer).
    CannotVerify,
    /// `502 VRFY command is disabled`.
    Disabled,
}

/// What to do with a message that contains a bare CR or LF, or over-long lines, at end of data.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Strictness {
    /// Refuse the message (550 5.6.0) after the end of data.
    Reject,
    /// Keep the message as received (the event still reports what was seen).
    Accept,
}

/// Everything that makes one server different from another.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerConfig {
    /// The name the server uses in its greeting and EHLO reply.
    pub hostname: String,
    /// Text after `ESMTP` in the 220 greeting.
    pub greeting: String,
    pub extensions: Extensions,
    /// Submission (RFC 6409 §4.3): MAIL is refused with 530 5.7.0 until AUTH succeeded.
    pub require_auth: bool,
    /// Every command but EHLO/HELO/STARTTLS/NOOP/RSET/QUIT is refused with 530 5.7.0 until
    /// STARTTLS (RFC 3207 §4). Not for a public MX on port 25.
    pub require_tls: bool,
    /// Recipients per transaction; further RCPTs get 452 4.5.3. RFC 5321 §4.5.3.1.8: at least 100.
    pub max_recipients: usize,
    /// Largest accepted message in octets (advertised with SIZE); also caps memory.
    pub max_message_size: u64,
    pub vrfy: VrfyMode,
    /// Bare CR/LF in DATA (RFC 5321 §2.3.8). Default: reject, like Postfix's
    /// `smtpd_forbid_bare_newline` since the 2023 smuggling reports.
    pub bare_line_ends: Strictness,
    /// Text lines over 1000 octets (RFC 5321 §4.5.3.1.6). Default: accept (§4.5.3.1 asks for
    /// implementations without limits where possible); the event still reports them.
    pub long_lines: Strictness,
    /// After this many refused commands the server answers 421 and closes (0 = never).
    pub max_errors: u32,
    /// The free text of replies by catalogue key, in place of the catalogue's default text
    /// (`{}` filled the same way); the code and the enhanced code stay the catalogue's.
    pub texts: BTreeMap<String, String>,
    /// The EHLO keyword lines exactly and in this order, in place of the derived list
    /// (RFC 5321 §4.1.1.1). `AUTH` gets its mechanisms; STARTTLS and AUTH still disappear
    /// when RFC 3207 §4.2 / RFC 4954 §4 say so. The `extensions` flags must agree.
    pub ehlo_keywords: Option<Vec<String>>,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            hostname: "mx.example".into(),
            greeting: "smtp-sim".into(),
            extensions: Extensions::default(),
            require_auth: false,
            require_tls: false,
            max_recipients: 100,
            max_message_size: 10 * 1024 * 1024,
            vrfy: VrfyMode::CannotVerify,
            bare_line_ends: Strictness::Reject,
            long_lines: Strictness::Accept,
            max_errors: 20,
            texts: BTreeMap::new(),
            ehlo_keywords: None,
        }
    }
}

/// What the session knows about its peer, for [`Policy`] decisions.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct SessionInfo {
    /// The channel is (simulated) TLS.
    pub tls: bool,
    /// The user that authenticated, if any.
    pub auth_user: Option<String>,
    /// The EHLO/HELO name, if greeted.
    pub helo: Option<String>,
    /// Greeted with EHLO (ESMTP).
    pub esmtp: bool,
    /// The client's address label.
    pub peer: String,
}

/// What the node knows about a VRFY string (RFC 5321 §3.5.1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VrfyAnswer {
    /// The node keeps no directory: answer by [`VrfyMode`].
    NotChecked,
    /// Exactly one user: `Full Name <mailbox>`.
    Found(String),
    /// Several users match (§3.5.1: 553).
    Ambiguous,
    /// Nobody matches (§3.5.3: 550).
    Unknown,
}

/// A node's decision on one step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    Accept,
    /// Refuse with this catalogue reply; `{}` in its text is filled with the address concerned.
    Reject(&'static ReplySpec),
}

/// The node's decisions. Every method defaults to accepting, except [`Policy::authenticate`],
/// which defaults to refusing (a server that accepts any password teaches the wrong thing).
pub trait Policy {
    fn helo(&mut self, _name: &Host, _ctx: &SessionInfo) -> Verdict {
        Verdict::Accept
    }
    fn mail_from(&mut self, _from: &ReversePath, _params: &MailParams, _ctx: &SessionInfo) -> Verdict {
        Verdict::Accept
    }
    fn rcpt_to(&mut self, _to: &ForwardPath, _params: &RcptParams, _ctx: &SessionInfo) -> Verdict {
        Verdict::Accept
    }
    fn authenticate(&mut self, _mechanism: &str, _authzid: &str, _user: &str, _password: &str) -> bool {
        false
    }
    fn data(&mut self, _envelope: &Envelope, _message: &[u8], _ctx: &SessionInfo) -> Verdict {
        Verdict::Accept
    }
    fn vrfy(&mut self, _string: &str) -> VrfyAnswer {
        VrfyAnswer::NotChecked
    }
}

/// A policy that accepts everything (and refuses every AUTH).
#[derive(Clone, Copy, Debug, Default)]
pub struct AcceptAll;
impl Policy for AcceptAll {}

/// Memory cap for a message whatever the configured limit (hostile input must stay bounded).
const STORE_CAP: u64 = 64 * 1024 * 1024;

#[derive(Clone, Debug)]
struct Transaction {
    from: ReversePath,
    params: MailParams,
    rcpts: Vec<(ForwardPath, RcptParams)>,
    /// RCPTs refused so far: DATA then gets 554 "no valid recipients" (RFC 5321 §3.3).
    refused: usize,
    data: Vec<u8>,
    /// Octets received through BDAT, counted past the storage cap.
    bdat_octets: u64,
}

#[derive(Clone, Debug)]
enum AuthStep {
    Plain,
    LoginUser,
    LoginPassword { user: String },
}

/// A refused BDAT waiting for its chunk to be swallowed: the line, the command, the reply, its argument.
type Refusal = (Vec<u8>, Command, &'static ReplySpec, String);

#[derive(Clone, Debug)]
enum Mode {
    Commands,
    Data(DataReader),
    /// A BDAT chunk; `refusal`: the reply to send once the chunk has been swallowed.
    Bdat {
        reader: BdatReader,
        last: bool,
        size: u64,
        refusal: Option<Box<Refusal>>,
    },
}

/// One server side of one SMTP connection.
#[derive(Debug)]
pub struct ServerSession {
    config: ServerConfig,
    state: State,
    framer: LineFramer,
    mode: Mode,
    out: VecDeque<Vec<u8>>,
    batch: Vec<u8>,
    events: VecDeque<ServerEvent>,
    info: SessionInfo,
    tx: Option<Transaction>,
    auth: Option<(String, AuthStep)>,
    errors: u32,
}

impl ServerSession {
    /// A session that greets with `220` (RFC 5321 §3.1).
    pub fn new(config: ServerConfig) -> Self {
        Self::with_greeting(config, &cat::GREETING)
    }

    /// A session that opens with `554 No SMTP service here` and then accepts only QUIT (§3.1).
    pub fn refusing(config: ServerConfig) -> Self {
        Self::with_greeting(config, &cat::GREETING_REFUSED)
    }

    /// A session that opens with `421` and closes at once (§3.1, §3.8).
    pub fn busy(config: ServerConfig) -> Self {
        Self::with_greeting(config, &cat::GREETING_BUSY)
    }

    fn with_greeting(config: ServerConfig, spec: &'static ReplySpec) -> Self {
        let mut s = ServerSession {
            state: State::Connected,
            framer: LineFramer::new(),
            mode: Mode::Commands,
            out: VecDeque::new(),
            batch: Vec::new(),
            events: VecDeque::new(),
            info: SessionInfo::default(),
            tx: None,
            auth: None,
            errors: 0,
            config,
        };
        let host = s.config.hostname.clone();
        let greeting = s.config.greeting.clone();
        let reply = spec.reply_text(s.config.texts.get(spec.key).map(String::as_str), &[&host, &greeting], Vec::new(), false);
        // RFC 5321 §3.1: 554 opens a session that only takes QUIT; a 421 greeting closes at once,
        // as any 421 does (the table's shutdown row).
        let transition = if spec.code == 421 { state::next_state(State::Connected, Trigger::Shutdown, Some(reply.class())) } else { None };
        let after = match spec.code {
            554 => State::NoService,
            _ => transition.map_or(State::Connected, |t| t.to),
        };
        s.write_reply(reply, spec, transition, State::Connected, after);
        s.state = after;
        if after == State::Closed {
            s.events.push_back(ServerEvent::Closed);
        }
        s.flush();
        s
    }

    /// Name the client's address (shown to policies and in the envelope).
    pub fn with_peer(mut self, peer: impl Into<String>) -> Self {
        self.info.peer = peer.into();
        self
    }

    pub fn state(&self) -> State {
        self.state
    }

    pub fn is_closed(&self) -> bool {
        self.state == State::Closed
    }

    pub fn info(&self) -> &SessionInfo {
        &self.info
    }

    pub fn config(&self) -> &ServerConfig {
        &self.config
    }

    /// Bytes to send to the client, one write at a time.
    pub fn poll_output(&mut self) -> Option<Vec<u8>> {
        self.out.pop_front()
    }

    /// The next event, oldest first.
    pub fn poll_event(&mut self) -> Option<ServerEvent> {
        self.events.pop_front()
    }

    /// The node shuts down: answer 421 4.3.2 and close (RFC 5321 §3.8).
    pub fn shutdown(&mut self) {
        if self.state != State::Closed {
            let host = self.config.hostname.clone();
            self.respond(Trigger::Shutdown, &cat::SHUTDOWN, &[&host], Vec::new());
            self.flush();
        }
    }

    /// The client closed the connection.
    pub fn connection_closed(&mut self) {
        if self.state != State::Closed {
            if self.state != State::Connected || self.tx.is_some() {
                self.events.push_back(ServerEvent::ProtocolViolated {
                    what: format!(
                        "the client closed the connection without QUIT (in state {:?}); any open transaction is dropped (RFC 5321 §3.8)",
                        self.state
                    ),
                });
            }
            self.state = State::Closed;
            self.tx = None;
            self.events.push_back(ServerEvent::Closed);
        }
    }

    /// Feed bytes received from the client.
    pub fn receive(&mut self, bytes: &[u8], policy: &mut dyn Policy) {
        if self.state == State::Closed {
            if !bytes.is_empty() {
                self.events.push_back(ServerEvent::ProtocolViolated {
                    what: format!("{} octets arrived after the session was closed; ignored", bytes.len()),
                });
            }
            return;
        }
        let mut owned: Option<Vec<u8>> = None;
        let mut pos = 0;
        while self.state != State::Closed {
            let input: &[u8] = match &owned {
                Some(v) => &v[pos..],
                None => &bytes[pos..],
            };
            match &mut self.mode {
                Mode::Commands => {
                    self.framer.push(input);
                    let mut switched = false;
                    while self.state != State::Closed && matches!(self.mode, Mode::Commands) {
                        self.framer.expect_auth_response(self.state == State::Auth);
                        let Some(frame) = self.framer.next_line() else { break };
                        self.on_frame(frame, policy);
                        if !matches!(self.mode, Mode::Commands) {
                            switched = true;
                        }
                    }
                    if !switched || self.state == State::Closed {
                        break;
                    }
                    owned = Some(self.framer.take_rest());
                    pos = 0;
                }
                Mode::Data(reader) => {
                    if input.is_empty() {
                        break;
                    }
                    let tx = self.tx.get_or_insert_with(empty_tx);
                    let fed = reader.feed(input, &mut tx.data);
                    pos += fed.consumed;
                    if !fed.done {
                        break;
                    }
                    self.end_of_data(policy);
                }
                Mode::Bdat { reader, .. } => {
                    if !reader.is_done() {
                        if input.is_empty() {
                            break;
                        }
                        let tx = self.tx.get_or_insert_with(empty_tx);
                        let room = (self.config.max_message_size.min(STORE_CAP) + 1).saturating_sub(tx.data.len() as u64) as usize;
                        let before = reader.remaining();
                        pos += reader.feed(input, &mut tx.data, room);
                        tx.bdat_octets += before - reader.remaining();
                    }
                    if reader.is_done() {
                        self.end_of_chunk(policy);
                    }
                }
            }
        }
        self.flush();
    }

    // ── Output ───────────────────────────────────────────────────────────────────────────

    fn enhanced_on(&self) -> bool {
        // RFC 2034 §3: a server that supports ENHANCEDSTATUSCODES prefixes its replies with
        // enhanced codes "regardless of whether or not EHLO is employed" (a HELO session gets
        // them too); the greeting and the EHLO/HELO replies carry none (their catalogue entries
        // have no code). A server without the extension sends bare codes.
        self.config.extensions.enhanced_status_codes
    }

    fn pipelining(&self) -> bool {
        self.info.esmtp && self.config.extensions.pipelining
    }

    fn write_reply(
        &mut self,
        reply: Reply,
        spec: &'static ReplySpec,
        transition: Option<&'static Transition>,
        before: State,
        after: State,
    ) {
        let bytes = encode::reply(&reply).into_bytes();
        self.batch.extend_from_slice(&bytes);
        if !self.pipelining() {
            self.flush();
        }
        self.events.push_back(ServerEvent::ReplySent { reply, bytes, spec, transition, state_before: before, state_after: after });
    }

    fn flush(&mut self) {
        if !self.batch.is_empty() {
            self.out.push_back(std::mem::take(&mut self.batch));
        }
    }

    /// Answer with `spec`; the next state comes from the transition table.
    fn respond(&mut self, trigger: Trigger, spec: &'static ReplySpec, args: &[&str], more: Vec<String>) {
        self.respond_to(None, trigger, spec, args, more);
    }

    fn respond_to(
        &mut self,
        command: Option<(Vec<u8>, Command)>,
        trigger: Trigger,
        spec: &'static ReplySpec,
        args: &[&str],
        more: Vec<String>,
    ) {
        let text = self.config.texts.get(spec.key).map(String::as_str);
        let reply = spec.reply_text(text, args, more, self.enhanced_on());
        let before = self.state;
        let transition = state::next_state(before, trigger, Some(reply.class()));
        let after = transition.map_or(before, |t| t.to);
        if let Some((raw, command)) = command {
            self.events.push_back(ServerEvent::CommandReceived { raw, command, state_before: before, state_after: after });
        }
        if reply.code.0 >= 400 {
            self.errors += 1;
        }
        self.write_reply(reply, spec, transition, before, after);
        self.enter(after);
        if after == State::Closed {
            self.flush();
            self.events.push_back(ServerEvent::Closed);
        } else if self.config.max_errors > 0 && self.errors >= self.config.max_errors && spec.code / 100 == 5 && !spec.policy {
            // RFC 5321 §4.2.3 / §7.8: a server may close after too many errors.
            let host = self.config.hostname.clone();
            self.respond(Trigger::Shutdown, &cat::TOO_MANY_ERRORS, &[&host], Vec::new());
        }
    }

    /// Move to `next`; leaving a transaction state drops the transaction (RFC 5321 §4.1.1.5).
    fn enter(&mut self, next: State) {
        self.state = next;
        if !next.in_transaction() {
            self.tx = None;
        }
        if next != State::Auth {
            self.auth = None;
        }
    }

    // ── Input ────────────────────────────────────────────────────────────────────────────

    fn on_frame(&mut self, frame: Frame, policy: &mut dyn Policy) {
        match frame {
            Frame::TooLong { octets, head } => {
                self.events.push_back(ServerEvent::ProtocolViolated {
                    what: format!(
                        "a line of {octets} octets starting {:?} was discarded: the limit is 512 including CRLF (RFC 5321 §4.5.3.1.4)",
                        String::from_utf8_lossy(&head)
                    ),
                });
                if self.state == State::Auth {
                    self.respond(Trigger::AuthResponse, &cat::AUTH_LINE_TOO_LONG, &[], Vec::new());
                } else {
                    self.respond(Trigger::Command(Verb::Noop), &cat::LINE_TOO_LONG, &[], Vec::new());
                }
            }
            Frame::BareLf(raw) => {
                self.events.push_back(ServerEvent::ProtocolViolated {
                    what: format!(
                        "the line {:?} ended with a bare LF, not CRLF (RFC 5321 §2.3.8); it was not executed",
                        String::from_utf8_lossy(&raw)
                    ),
                });
                let trigger = if self.state == State::Auth { Trigger::AuthResponse } else { Trigger::Command(Verb::Noop) };
                self.respond(trigger, &cat::BARE_LF_COMMAND, &[], Vec::new());
            }
            Frame::Line(raw) => {
                if self.state == State::Auth {
                    self.auth_line(raw, policy);
                    return;
                }
                match parse::command(&raw) {
                    Ok(command) => self.on_command(raw, command, policy),
                    Err(error) => self.on_syntax_error(raw, error),
                }
            }
        }
    }

    fn on_syntax_error(&mut self, raw: Vec<u8>, error: SyntaxError) {
        let spec: &'static ReplySpec = if self.state == State::NoService {
            &cat::NO_SERVICE // RFC 5321 §3.1
        } else {
            syntax_error_spec(&error.kind)
        };
        let expected = error.expected.to_string();
        self.events.push_back(ServerEvent::SyntaxErrorReceived { raw, error });
        self.respond(Trigger::Command(Verb::Noop), spec, &[&expected], Vec::new());
    }

    /// Answers `command` with `spec` and nothing else: no state but the table's changes (a 250 to
    /// RSET or NOOP as much as a refusal; was called `refuse`, which said the opposite of half its uses).
    fn answer_only(&mut self, raw: Vec<u8>, command: Command, spec: &'static ReplySpec, arg: &str) {
        let verb = command.verb();
        self.respond_to(Some((raw, command)), Trigger::Command(verb), spec, &[arg], Vec::new());
    }

    fn on_command(&mut self, raw: Vec<u8>, command: Command, policy: &mut dyn Policy) {
        let verb = command.verb();
        // RFC 3207 §4 / RFC 4954 §6: a required STARTTLS or AUTH gates every other command
        // (the gates and their allowed commands live in `state.rs`).
        for (gate, closed) in [
            (&state::TLS_GATE, self.config.require_tls && !self.info.tls),
            (&state::AUTH_GATE, self.config.require_auth && self.info.auth_user.is_none()),
        ] {
            if closed && gate.refuses(self.state, verb) {
                return self.refuse_or_swallow(raw, command, gate.reply, "");
            }
        }
        // RFC 5321 §4.2.4: once greeted, an extension command that was not offered is 502
        // whatever the state.
        let offered = self.implements(verb) || verb == Verb::Expn;
        let needs_ehlo = matches!(verb, Verb::Bdat | Verb::StartTls | Verb::Auth);
        if !(offered && (self.info.esmtp || !needs_ehlo)) && !matches!(self.state, State::Connected | State::NoService) {
            return self.refuse_or_swallow(raw, command, &cat::NOT_IMPLEMENTED, verb.as_str());
        }
        if let Some(mut spec) = state::sequence_error(self.state, verb) {
            // RFC 5321 §3.3: RCPTs were given but all refused → 554 "no valid recipients".
            if matches!(verb, Verb::Data | Verb::Bdat) && self.tx.as_ref().is_some_and(|t| t.refused > 0) {
                spec = &cat::NO_VALID_RCPT;
            }
            let arg = verb.as_str();
            return self.refuse_or_swallow(raw, command, spec, arg);
        }
        match command {
            Command::Ehlo(host) => self.ehlo(raw, Command::Ehlo(host.clone()), host, true, policy),
            Command::Helo(domain) => {
                let host = Host::Domain(domain.clone());
                self.ehlo(raw, Command::Helo(domain), host, false, policy)
            }
            Command::Mail { .. } => self.mail(raw, command, policy),
            Command::Rcpt { .. } => self.rcpt(raw, command, policy),
            Command::Data => self.data(raw, command),
            Command::Bdat { size, last } => self.bdat(raw, command, size, last),
            Command::Rset => self.answer_only(raw, command, &cat::RSET_OK, ""),
            Command::Noop(_) => self.answer_only(raw, command, &cat::NOOP_OK, ""),
            Command::Vrfy(ref string) => {
                let answer = match self.config.vrfy {
                    VrfyMode::Disabled => VrfyAnswer::NotChecked,
                    VrfyMode::CannotVerify => policy.vrfy(string),
                };
                let (spec, arg) = match (self.config.vrfy, answer) {
                    (VrfyMode::Disabled, _) => (&cat::VRFY_DISABLED, String::new()),
                    (_, VrfyAnswer::NotChecked) => (&cat::VRFY_CANNOT, String::new()), // RFC 5321 §3.5.3
                    // RFC 5321 §3.5.1: 250 only for a mailbox actually verified, with it.
                    (_, VrfyAnswer::Found(user)) => (&cat::VRFY_OK, user),
                    (_, VrfyAnswer::Ambiguous) => (&cat::VRFY_AMBIGUOUS, String::new()),
                    (_, VrfyAnswer::Unknown) => (&cat::VRFY_UNKNOWN, String::new()),
                };
                self.answer_only(raw, command, spec, &arg)
            }
            Command::Expn(_) => self.answer_only(raw, command, &cat::EXPN_DISABLED, ""),
            Command::Help(_) => {
                let list: Vec<&str> = Verb::ALL.iter().filter(|v| self.implements(**v)).map(|v| v.as_str()).collect();
                let more = vec![list.join(" ")];
                self.respond_to(Some((raw, command)), Trigger::Command(Verb::Help), &cat::HELP_OK, &[], more);
            }
            Command::Quit => {
                let host = self.config.hostname.clone();
                self.answer_only(raw, command, &cat::QUIT_OK, &host)
            }
            Command::StartTls => self.starttls(raw, command),
            Command::Auth { ref mechanism, ref initial } => {
                let (m, i) = (mechanism.clone(), initial.clone());
                self.auth_command(raw, command, m, i, policy)
            }
        }
    }

    /// Refuse a command; a refused BDAT still has its chunk to swallow (RFC 3030 §2).
    fn refuse_or_swallow(&mut self, raw: Vec<u8>, command: Command, spec: &'static ReplySpec, arg: &str) {
        if let Command::Bdat { size, last } = command {
            self.mode =
                Mode::Bdat { reader: BdatReader::new(size), last, size, refusal: Some(Box::new((raw, command, spec, arg.to_string()))) };
        } else {
            self.answer_only(raw, command, spec, arg);
        }
    }

    fn ehlo(&mut self, raw: Vec<u8>, command: Command, host: Host, esmtp: bool, policy: &mut dyn Policy) {
        if let Verdict::Reject(spec) = policy.helo(&host, &self.info) {
            let name = host.to_string();
            return self.answer_only(raw, command, spec, &name);
        }
        // RFC 5321 §4.1.4: EHLO/HELO reset the transaction (done by the table: → Ready).
        self.info.helo = Some(host.to_string());
        self.info.esmtp = esmtp;
        let more = if esmtp { self.ehlo_lines() } else { Vec::new() };
        let spec = if esmtp { &cat::EHLO_OK } else { &cat::HELO_OK };
        let me = self.config.hostname.clone();
        let them = host.to_string();
        let verb = command.verb();
        self.respond_to(Some((raw, command)), Trigger::Command(verb), spec, &[&me, &them], more);
    }

    /// The ehlo-lines after the greeting line (RFC 5321 §4.1.1.1: one per extension). The
    /// extensions that add a command come from [`ehlo_keyword`] and [`ServerSession::implements`],
    /// so every implemented command that is not a base command is advertised.
    fn ehlo_lines(&self) -> Vec<String> {
        if let Some(keywords) = &self.config.ehlo_keywords {
            return keywords.iter().filter_map(|k| self.shown_keyword(k)).collect();
        }
        let x = &self.config.extensions;
        let mut more = Vec::new();
        // Extensions that add parameters or change replies, not commands.
        let flags = [
            (x.pipelining, "PIPELINING".to_string()),
            (x.size, format!("SIZE {}", self.config.max_message_size)),
            (x.eight_bit_mime, "8BITMIME".into()),
            (x.enhanced_status_codes, "ENHANCEDSTATUSCODES".into()),
            (x.smtputf8, "SMTPUTF8".into()),
            (x.dsn, "DSN".into()),
        ];
        more.extend(flags.into_iter().filter(|(on, _)| *on).map(|(_, line)| line));
        // The commands with a keyword, in the order they are listed (the conformance test
        // checks every verb of `Verb::ALL` against this reply).
        for verb in [Verb::Bdat, Verb::Auth, Verb::StartTls, Verb::Expn, Verb::Help] {
            let Some(keyword) = ehlo_keyword(verb) else { continue };
            if !self.implements(verb) {
                continue;
            }
            match verb {
                Verb::Auth => {
                    // A server that requires TLS does not offer passwords in clear text before
                    // it (RFC 4954 §4, RFC 4616 §6; Postfix's smtpd_tls_auth_only); AUTH is not
                    // offered again after a success (RFC 4954 §4: a second AUTH is 503).
                    let auth_hidden = self.config.require_tls && !self.info.tls;
                    if self.info.auth_user.is_none() && !auth_hidden {
                        more.push(format!("{keyword} {}", self.mechanisms().join(" ")));
                    }
                }
                // RFC 3207 §4.2: not offered again once TLS is up.
                Verb::StartTls if self.info.tls => {}
                _ => more.push(keyword.to_string()),
            }
        }
        more
    }

    /// One keyword line of a configured list, as it is shown in this session (or hidden).
    fn shown_keyword(&self, line: &str) -> Option<String> {
        match line {
            // RFC 4954 §4 / RFC 3207 §4.2 / RFC 4616 §6: as in the derived list below.
            "AUTH" if self.info.auth_user.is_some() || (self.config.require_tls && !self.info.tls) => None,
            "AUTH" => Some(format!("AUTH {}", self.mechanisms().join(" "))),
            "STARTTLS" if self.info.tls => None,
            _ => Some(line.to_string()),
        }
    }

    /// Does this server (by its configuration) implement `verb`? A command it does not
    /// implement is answered 502 (RFC 5321 §4.2.4).
    pub fn implements(&self, verb: Verb) -> bool {
        let x = &self.config.extensions;
        match verb {
            Verb::Bdat => x.chunking,
            Verb::StartTls => x.starttls || self.info.tls,
            Verb::Auth => !self.mechanisms().is_empty(),
            // EXPN is always answered 502 "disabled" here: not implemented, so not advertised.
            Verb::Expn => false,
            _ => true,
        }
    }

    fn mechanisms(&self) -> Vec<&'static str> {
        let mut m = Vec::new();
        if self.config.extensions.auth_plain {
            m.push("PLAIN");
        }
        if self.config.extensions.auth_login {
            m.push("LOGIN");
        }
        m
    }

    fn mail(&mut self, raw: Vec<u8>, command: Command, policy: &mut dyn Policy) {
        let Command::Mail { from, params } = &command else { return };
        let x = &self.config.extensions;
        // RFC 5321 §4.1.1.11: parameters of extensions not offered → 555.
        let esmtp = self.info.esmtp;
        let unknown = if params.size.is_some() && !(esmtp && x.size) {
            Some("SIZE".to_string())
        } else if params.body.is_some() && !(esmtp && x.eight_bit_mime) || params.body == Some(Body::BinaryMime) {
            Some("BODY".into())
        } else if params.smtputf8 && !(esmtp && x.smtputf8) {
            Some("SMTPUTF8".into())
        } else if params.ret.is_some() && !(esmtp && x.dsn) {
            Some("RET".into())
        } else if params.envid.is_some() && !(esmtp && x.dsn) {
            Some("ENVID".into())
        } else if params.auth.is_some() && !(esmtp && self.implements(Verb::Auth)) {
            // RFC 4954 §5: AUTH= belongs to the AUTH extension; accepted (whatever the
            // client's own authentication) wherever AUTH is offered, else unknown.
            Some("AUTH".into())
        } else {
            params.other.first().map(|o| o.keyword.clone())
        };
        if let Some(k) = unknown {
            return self.answer_only(raw, command, &cat::PARAM_UNKNOWN, &k);
        }
        let max = self.config.max_message_size;
        if params.size.is_some_and(|s| s > max) {
            // RFC 1870 §6: refuse a declared size over the limit before any data.
            return self.answer_only(raw, command, &cat::SIZE_DECLARED_TOO_BIG, &max.to_string());
        }
        if let ReversePath::Path(p) = from {
            if !path_is_ascii(p) && !params.smtputf8 {
                let a = from.to_string();
                return self.answer_only(raw, command, &cat::SMTPUTF8_REQUIRED, &a);
                // RFC 6531 §3.4
            }
        }
        if let Verdict::Reject(spec) = policy.mail_from(from, params, &self.info) {
            let a = from.to_string();
            return self.answer_only(raw, command, spec, &a);
        }
        self.tx = Some(Transaction {
            from: from.clone(),
            params: params.clone(),
            rcpts: Vec::new(),
            refused: 0,
            data: Vec::new(),
            bdat_octets: 0,
        });
        let a = from.to_string();
        self.answer_only(raw, command, &cat::MAIL_OK, &a);
    }

    fn rcpt(&mut self, raw: Vec<u8>, command: Command, policy: &mut dyn Policy) {
        let Command::Rcpt { to, params } = &command else { return };
        let a = to.to_string();
        let Some(tx) = self.tx.as_mut() else {
            return self.answer_only(raw, command, &cat::NEED_MAIL, "RCPT");
        };
        let dsn = self.info.esmtp && self.config.extensions.dsn;
        let unknown = if (params.notify.is_some() || params.orcpt.is_some()) && !dsn {
            Some(if params.notify.is_some() { "NOTIFY" } else { "ORCPT" }.to_string())
        } else {
            params.other.first().map(|o| o.keyword.clone())
        };
        if let Some(k) = unknown {
            tx.refused += 1;
            return self.answer_only(raw, command, &cat::PARAM_UNKNOWN, &k); // RFC 5321 §4.1.1.11
        }
        if let ForwardPath::Path(p) = to {
            if !path_is_ascii(p) && !tx.params.smtputf8 {
                tx.refused += 1;
                return self.answer_only(raw, command, &cat::SMTPUTF8_REQUIRED, &a);
                // RFC 6531 §3.4
            }
        }
        if tx.rcpts.len() >= self.config.max_recipients.max(1) {
            tx.refused += 1;
            return self.answer_only(raw, command, &cat::TOO_MANY_RCPTS, ""); // RFC 5321 §4.5.3.1.10
        }
        // RFC 5321 §4.5.1: <Postmaster> (and postmaster at this host) must always be accepted.
        let postmaster = match to {
            ForwardPath::Postmaster(_) => true,
            ForwardPath::Path(p) => is_postmaster_here(p, &self.config.hostname),
        };
        if !postmaster {
            if let Verdict::Reject(spec) = policy.rcpt_to(to, params, &self.info) {
                if let Some(tx) = self.tx.as_mut() {
                    tx.refused += 1;
                }
                return self.answer_only(raw, command, spec, &a);
            }
        }
        if let Some(tx) = self.tx.as_mut() {
            tx.rcpts.push((to.clone(), params.clone()));
        }
        self.answer_only(raw, command, &cat::RCPT_OK, &a);
    }

    fn data(&mut self, raw: Vec<u8>, command: Command) {
        self.respond_to(Some((raw, command)), Trigger::Command(Verb::Data), &cat::DATA_GO, &[], Vec::new());
        // RFC 2920 §3.1: DATA ends a pipelined group; the 354 goes out on its own.
        self.flush();
        let cap = self.config.max_message_size.min(STORE_CAP) as usize + 1;
        self.mode = Mode::Data(DataReader::new(cap));
        self.events.push_back(ServerEvent::DataStarted);
    }

    fn end_of_data(&mut self, policy: &mut dyn Policy) {
        let Mode::Data(reader) = std::mem::replace(&mut self.mode, Mode::Commands) else { return };
        let summary = reader.summary().clone();
        self.events.push_back(ServerEvent::DataEnded { summary: summary.clone() });
        let max = self.config.max_message_size;
        let (spec, arg): (&'static ReplySpec, String) = if summary.octets > max {
            (&cat::SIZE_EXCEEDED, max.to_string()) // RFC 1870 §6
        } else if (summary.bare_lf || summary.bare_cr) && self.config.bare_line_ends == Strictness::Reject {
            (&cat::DATA_BARE_LF, String::new()) // RFC 5321 §2.3.8
        } else if summary.long_lines > 0 && self.config.long_lines == Strictness::Reject {
            (&cat::DATA_LONG_LINE, String::new()) // RFC 5321 §4.5.3.1.6
        } else {
            self.final_check(policy, summary.octets)
        };
        self.finish_message(Trigger::EndOfData, spec, &arg);
    }

    /// Ask the policy about the complete message; returns the reply to send.
    fn final_check(&mut self, policy: &mut dyn Policy, octets: u64) -> (&'static ReplySpec, String) {
        let Some(tx) = self.tx.as_ref() else { return (&cat::LOCAL_ERROR, String::new()) };
        let env = self.envelope(tx);
        match policy.data(&env, &tx.data, &self.info) {
            Verdict::Accept => (&cat::DATA_OK, octets.to_string()),
            Verdict::Reject(spec) => (spec, tx.rcpts.first().map(|r| r.0.to_string()).unwrap_or_default()),
        }
    }

    fn finish_message(&mut self, trigger: Trigger, spec: &'static ReplySpec, arg: &str) {
        let accepted = std::ptr::eq(spec, &cat::DATA_OK) || std::ptr::eq(spec, &cat::BDAT_OK);
        let delivered = if accepted { self.tx.take() } else { None };
        if let Some(tx) = &delivered {
            // Keep the transaction alive for the reply (the table then clears it).
            self.tx = Some(tx.clone());
        }
        self.respond(trigger, spec, &[arg], Vec::new());
        if let Some(tx) = delivered {
            let envelope = self.envelope(&tx);
            self.events.push_back(ServerEvent::MessageAccepted { envelope, data: tx.data });
        }
    }

    fn envelope(&self, tx: &Transaction) -> Envelope {
        Envelope {
            from: tx.from.clone(),
            mail_params: tx.params.clone(),
            rcpts: tx.rcpts.clone(),
            helo: self.info.helo.clone().unwrap_or_default(),
            esmtp: self.info.esmtp,
            auth_user: self.info.auth_user.clone(),
            tls: self.info.tls,
            peer: self.info.peer.clone(),
        }
    }

    fn bdat(&mut self, raw: Vec<u8>, command: Command, size: u64, last: bool) {
        if !(self.info.esmtp && self.config.extensions.chunking) {
            return self.refuse_or_swallow(raw, command, &cat::NOT_IMPLEMENTED, "BDAT");
        }
        let before = self.state;
        let after = state::next_state(before, Trigger::Command(Verb::Bdat), None).map_or(before, |t| t.to);
        self.events.push_back(ServerEvent::CommandReceived { raw, command, state_before: before, state_after: after });
        self.enter(after);
        self.mode = Mode::Bdat { reader: BdatReader::new(size), last, size, refusal: None };
    }

    fn end_of_chunk(&mut self, policy: &mut dyn Policy) {
        let Mode::Bdat { last, size, refusal, .. } = std::mem::replace(&mut self.mode, Mode::Commands) else { return };
        if let Some(refusal) = refusal {
            let (raw, command, spec, arg) = *refusal;
            // RFC 3030 §2: the chunk of a refused BDAT is read and discarded, then answered.
            return self.answer_only(raw, command, spec, &arg);
        }
        self.events.push_back(ServerEvent::ChunkReceived { octets: size, last });
        let max = self.config.max_message_size;
        let total = self.tx.as_ref().map_or(0, |t| t.bdat_octets);
        let trigger = if last { Trigger::LastChunk } else { Trigger::Chunk };
        if total > max {
            return self.respond(trigger, &cat::SIZE_EXCEEDED, &[&max.to_string()], Vec::new());
            // RFC 1870 §6
        }
        if !last {
            return self.respond(trigger, &cat::BDAT_CHUNK_OK, &[&size.to_string()], Vec::new());
        }
        let (spec, arg) = match self.final_check(policy, total) {
            (s, a) if std::ptr::eq(s, &cat::DATA_OK) => (&cat::BDAT_OK, a),
            other => other,
        };
        self.finish_message(trigger, spec, &arg);
    }

    fn starttls(&mut self, raw: Vec<u8>, command: Command) {
        if self.info.tls {
            return self.answer_only(raw, command, &cat::TLS_ALREADY, ""); // RFC 3207 §4.2
        }
        if !(self.info.esmtp && self.config.extensions.starttls) {
            return self.answer_only(raw, command, &cat::NOT_IMPLEMENTED, "STARTTLS");
        }
        self.answer_only(raw, command, &cat::STARTTLS_GO, "");
        self.flush();
        let injected = self.framer.take_rest();
        if !injected.is_empty() {
            self.events.push_back(ServerEvent::ProtocolViolated {
                what: format!(
                    "{} octets were pipelined after STARTTLS; they were discarded, not executed (RFC 3207 §4.2, command injection)",
                    injected.len()
                ),
            });
        }
        // The simulated handshake; RFC 3207 §4.2: forget everything learned before.
        let next = state::next_state(self.state, Trigger::TlsEstablished, None).map_or(State::Connected, |t| t.to);
        self.enter(next);
        self.info = SessionInfo { tls: true, peer: std::mem::take(&mut self.info.peer), ..SessionInfo::default() };
        self.events.push_back(ServerEvent::TlsStarted);
    }

    fn auth_command(&mut self, raw: Vec<u8>, command: Command, mechanism: String, initial: Option<String>, policy: &mut dyn Policy) {
        if self.info.auth_user.is_some() {
            return self.answer_only(raw, command, &cat::AUTH_ALREADY, ""); // RFC 4954 §4
        }
        let mechs = self.mechanisms();
        if !self.info.esmtp || mechs.is_empty() {
            return self.answer_only(raw, command, &cat::NOT_IMPLEMENTED, "AUTH");
        }
        let upper = mechanism.to_ascii_uppercase();
        if !mechs.contains(&upper.as_str()) {
            return self.answer_only(raw, command, &cat::AUTH_MECHANISM, &mechanism);
            // RFC 4954 §6
        }
        let upper_is_plain = upper == "PLAIN";
        let step = if upper_is_plain { AuthStep::Plain } else { AuthStep::LoginUser };
        self.auth = Some((upper, step));
        match initial {
            // RFC 4954 §4: the initial response stands for the first response line.
            Some(resp) => {
                // Enter Auth without a reply, then answer the initial response as a response.
                let before = self.state;
                let after = state::next_state(before, Trigger::Command(Verb::Auth), None).map_or(before, |t| t.to);
                self.events.push_back(ServerEvent::CommandReceived { raw, command, state_before: before, state_after: after });
                let auth = self.auth.take();
                self.enter(after);
                self.auth = auth;
                self.auth_line(resp.into_bytes(), policy);
            }
            None => {
                // PLAIN: an empty challenge; LOGIN: base64 "Username:".
                let challenge = if upper_is_plain { "" } else { "VXNlcm5hbWU6" };
                self.respond_to(Some((raw, command)), Trigger::Command(Verb::Auth), &cat::AUTH_CHALLENGE, &[challenge], Vec::new());
                self.flush();
            }
        }
    }

    fn auth_line(&mut self, raw: Vec<u8>, policy: &mut dyn Policy) {
        self.events.push_back(ServerEvent::AuthLineReceived { raw: raw.clone() });
        let Some((mechanism, step)) = self.auth.take() else {
            return self.respond(Trigger::AuthResponse, &cat::LOCAL_ERROR, &[], Vec::new());
        };
        if raw == b"*" {
            // RFC 4954 §4: the client cancels; the server must answer 501.
            self.events.push_back(ServerEvent::AuthFailed { mechanism, user: None });
            return self.respond(Trigger::AuthResponse, &cat::AUTH_CANCELLED, &[], Vec::new());
        }
        let decoded = if raw == b"=" { Some(Vec::new()) } else { base64::decode(&raw) };
        let Some(decoded) = decoded else {
            self.events.push_back(ServerEvent::AuthFailed { mechanism, user: None });
            return self.respond(Trigger::AuthResponse, &cat::AUTH_BAD_BASE64, &[], Vec::new());
            // RFC 4954 §6
        };
        let text = String::from_utf8_lossy(&decoded).into_owned();
        match step {
            AuthStep::Plain => {
                // RFC 4616 §2: message = [authzid] NUL authcid NUL passwd
                let parts: Vec<&str> = text.split('\0').collect();
                if parts.len() != 3 || parts[1].is_empty() {
                    self.events.push_back(ServerEvent::AuthFailed { mechanism, user: None });
                    return self.respond(Trigger::AuthResponse, &cat::AUTH_BAD_BASE64, &[], Vec::new());
                }
                let ok = policy.authenticate(&mechanism, parts[0], parts[1], parts[2]);
                self.auth_result(mechanism, parts[1].to_string(), ok);
            }
            AuthStep::LoginUser => {
                self.auth = Some((mechanism, AuthStep::LoginPassword { user: text }));
                self.respond(Trigger::AuthResponse, &cat::AUTH_CHALLENGE, &["UGFzc3dvcmQ6"], Vec::new());
                self.flush();
            }
            AuthStep::LoginPassword { user } => {
                let ok = policy.authenticate(&mechanism, "", &user, &text);
                self.auth_result(mechanism, user, ok);
            }
        }
    }

    fn auth_result(&mut self, mechanism: String, user: String, ok: bool) {
        if ok {
            self.info.auth_user = Some(user.clone());
            self.respond(Trigger::AuthResponse, &cat::AUTH_OK, &[], Vec::new());
            self.events.push_back(ServerEvent::AuthSucceeded { mechanism, user });
        } else {
            self.respond(Trigger::AuthResponse, &cat::AUTH_FAILED, &[], Vec::new());
            self.events.push_back(ServerEvent::AuthFailed { mechanism, user: Some(user) });
        }
    }
}

/// The EHLO keyword that tells a client this server implements `verb` (RFC 5321 §4.1.1.1,
/// §2.2.2), or `None` for the commands every server has: the minimum implementation of RFC 5321
/// §4.5.1 (EHLO, HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT, VRFY). HELP and EXPN are optional
/// commands of RFC 5321 (§4.1.1.7, §4.1.1.8; §3.5.2) and are listed when implemented.
/// The one place that maps commands to keywords: EHLO, the 502 check and the tests use it.
pub fn ehlo_keyword(verb: Verb) -> Option<&'static str> {
    match verb {
        Verb::Ehlo | Verb::Helo | Verb::Mail | Verb::Rcpt | Verb::Data | Verb::Rset | Verb::Noop | Verb::Quit | Verb::Vrfy => None,
        Verb::Expn => Some("EXPN"),
        Verb::Help => Some("HELP"),
        Verb::Bdat => Some("CHUNKING"),     // RFC 3030 §2
        Verb::StartTls => Some("STARTTLS"), // RFC 3207 §4
        Verb::Auth => Some("AUTH"),         // RFC 4954 §3
    }
}

fn empty_tx() -> Transaction {
    Transaction { from: ReversePath::Null, params: MailParams::default(), rcpts: Vec::new(), refused: 0, data: Vec::new(), bdat_octets: 0 }
}

/// The reply for a line that did not parse (the table in `error.rs`).
pub fn syntax_error_spec(kind: &SyntaxErrorKind) -> &'static ReplySpec {
    match kind {
        SyntaxErrorKind::UnknownCommand => &cat::UNKNOWN_COMMAND,
        SyntaxErrorKind::BadArguments(_) => &cat::BAD_ARGUMENTS,
        SyntaxErrorKind::BadAddress(Verb::Mail) => &cat::BAD_SENDER_SYNTAX,
        SyntaxErrorKind::BadAddress(_) => &cat::BAD_RCPT_SYNTAX,
        SyntaxErrorKind::BadParameter { .. } | SyntaxErrorKind::DuplicateParameter { .. } => &cat::BAD_PARAM_VALUE,
        SyntaxErrorKind::NotUtf8 { verb: Some(_) } | SyntaxErrorKind::BadCharacter { verb: Some(_) } => &cat::BAD_ARGUMENTS,
        SyntaxErrorKind::NotUtf8 { verb: None } | SyntaxErrorKind::BadCharacter { verb: None } | SyntaxErrorKind::BadReply => {
            &cat::BAD_LINE
        }
    }
}

fn path_is_ascii(p: &Path) -> bool {
    p.to_string().is_ascii()
}

fn is_postmaster_here(p: &Path, hostname: &str) -> bool {
    let local = match &p.mailbox.local {
        LocalPart::Dot(s) | LocalPart::Quoted(s) => s,
    };
    local.eq_ignore_ascii_case("postmaster") && matches!(&p.mailbox.host, Host::Domain(d) if d.0.eq_ignore_ascii_case(hostname))
}
