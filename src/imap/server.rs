//! The server side of an IMAP session, sans-IO: bytes in ([`ServerSession::receive`]), bytes
//! out ([`ServerSession::poll_output`]) and past-tense events ([`ServerSession::poll_event`]).
//!
//! - The mailboxes are the caller's [`Store`], lent for each call (`&mut Store`): the session
//!   owns no mail and no socket. Passwords are checked by the caller's [`Accounts`]. Time
//!   (APPEND's internal date) is an argument.
//! - Every state change is looked up in [`state::TRANSITIONS`]; a command given in a state
//!   where [`state::VALID_IN`] does not list it gets `BAD` — the diagram is the behaviour.
//! - Every response is built from a [`catalogue`] spec; its `ResponseSent` event carries the key.
//! - The selected mailbox is the session's *view*: sequence number → UID. When the store
//!   changed under it (SMTP delivered, another session expunged), the view catches up with
//!   `* n EXISTS` at any command and with `* n EXPUNGE` only where RFC 9051 §7.5.1 allows it
//!   (not during FETCH, STORE or SEARCH, whose sequence numbers must stay put). During IDLE the
//!   caller calls [`ServerSession::poll_store`] and the updates are pushed.
//! - STARTTLS is simulated as in `smtp/`: after `OK Begin TLS` the handshake is taken as done,
//!   and anything the client pipelined after STARTTLS is dropped (RFC 9051 §6.2.1).

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

use crate::smtp::base64;
use crate::store::{self, FlagOp, Flags, Store, StoreError, Uid};

use super::catalogue::{self as cat, ResponseSpec};
use super::command::{Command, CommandBody, Date, FetchItem, Flag, SearchKey, Section, SectionText, SeqSet, StatusItem, StoreMode, Verb};
use super::encode;
use super::event::ServerEvent;
use super::fetch::{self, Parsed};
use super::framing::{Frame, Framer};
use super::parse;
use super::response::{Code, Data, FetchValue, Response, Status};
use super::state::{self, State, Trigger};

/// What makes one IMAP server different from another.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerConfig {
    pub hostname: String,
    /// Offer STARTTLS (simulated; a real socket cannot pretend, so `smtp-sim serve` turns it off).
    pub starttls: bool,
    /// Advertise LOGINDISABLED and refuse LOGIN / AUTHENTICATE PLAIN until STARTTLS
    /// (RFC 9051 §6.2.3). Needs `starttls`.
    pub login_disabled_without_tls: bool,
    /// Longest line outside literals, in octets.
    pub max_line: usize,
    /// Largest literal (and so APPEND), in octets.
    pub max_literal: u64,
    /// After this many BAD responses the server says BYE (0 = never).
    pub max_errors: u32,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            hostname: "imap.example".into(),
            starttls: false,
            login_disabled_without_tls: false,
            max_line: 64 * 1024,
            max_literal: 32 * 1024 * 1024,
            max_errors: 30,
        }
    }
}

/// The caller's answer to "is this the password of this user?".
pub trait Accounts {
    fn check_password(&self, user: &str, password: &str) -> bool;
    /// The store account a logged-in `user` reads (RFC 9051 §6.2.3 leaves the mapping to the
    /// site); by default the user name itself.
    fn mailbox(&self, user: &str) -> String {
        user.to_string()
    }
}

/// Accounts as `(user, password)` pairs.
impl Accounts for Vec<(String, String)> {
    fn check_password(&self, user: &str, password: &str) -> bool {
        self.iter().any(|(u, p)| u == user && p == password)
    }
}

#[derive(Clone, Debug)]
enum Mode {
    Commands,
    /// An empty `+` was sent for AUTHENTICATE PLAIN; the next line is the SASL response.
    Auth {
        tag: String,
    },
    /// `+ idling` was sent; waiting for `DONE`.
    Idle {
        tag: String,
    },
}

/// The selected mailbox as this session sees it.
#[derive(Clone, Debug)]
struct View {
    name: String,
    read_only: bool,
    /// Sequence number − 1 → UID.
    uids: Vec<Uid>,
    /// UIDs that are \Recent in this session (RFC 3501 §2.3.2).
    recent: Vec<Uid>,
}

/// One server side of one IMAP connection.
#[derive(Debug)]
pub struct ServerSession {
    config: ServerConfig,
    state: State,
    framer: Framer,
    mode: Mode,
    out: VecDeque<Vec<u8>>,
    batch: Vec<u8>,
    events: VecDeque<ServerEvent>,
    user: Option<String>,
    tls: bool,
    /// `ENABLE IMAP4rev2` was given: no RECENT, rev2 behaviour (RFC 9051 §6.3.1).
    rev2: bool,
    view: Option<View>,
    errors: u32,
}

fn store_flag(f: &Flag) -> Option<store::Flag> {
    Some(match f {
        Flag::Seen => store::Flag::Seen,
        Flag::Answered => store::Flag::Answered,
        Flag::Flagged => store::Flag::Flagged,
        Flag::Deleted => store::Flag::Deleted,
        Flag::Draft => store::Flag::Draft,
        _ => return None,
    })
}

fn imap_flag(f: store::Flag) -> Flag {
    match f {
        store::Flag::Seen => Flag::Seen,
        store::Flag::Answered => Flag::Answered,
        store::Flag::Flagged => Flag::Flagged,
        store::Flag::Deleted => Flag::Deleted,
        store::Flag::Draft => Flag::Draft,
    }
}

const SYSTEM_FLAGS: [Flag; 5] = [Flag::Answered, Flag::Flagged, Flag::Deleted, Flag::Seen, Flag::Draft];

/// Case-insensitive ASCII substring search (RFC 9051 §6.4.4: "case-insensitive substring").
fn contains_ci(hay: &[u8], needle: &str) -> bool {
    let n = needle.as_bytes();
    n.is_empty() || hay.windows(n.len()).any(|w| w.eq_ignore_ascii_case(n))
}

/// The day of an RFC 5322 `Date:` value (`Fri, 4 Dec 2026 01:30:00 +0000`), for SENTSINCE etc.
fn header_day(v: &str) -> Option<Date> {
    let t: Vec<&str> = v.split([' ', ',']).filter(|s| !s.is_empty()).collect();
    let m = t.iter().position(|w| parse::date(format!("1-{w}-2000").as_bytes()).is_ok())?;
    let text = format!("{}-{}-{}", t.get(m.checked_sub(1)?)?, t[m], t.get(m + 1)?);
    parse::date(text.as_bytes()).ok().map(|(_, d)| d)
}

/// LIST pattern match: `*` matches anything, `%` anything but the delimiter `/` (RFC 9051 §6.3.9).
fn wildcard(pattern: &[u8], name: &[u8]) -> bool {
    match pattern.split_first() {
        None => name.is_empty(),
        Some((b'*', rest)) => (0..=name.len()).any(|i| wildcard(rest, &name[i..])),
        Some((b'%', rest)) => (0..=name.len()).take_while(|&i| i == 0 || name[i - 1] != b'/').any(|i| wildcard(rest, &name[i..])),
        Some((&c, rest)) => name.first() == Some(&c) && wildcard(rest, &name[1..]),
    }
}

impl ServerSession {
    /// A session that greets with `* OK [CAPABILITY ...]` (RFC 9051 §7.1.1).
    pub fn new(config: ServerConfig) -> Self {
        let framer = Framer::new(config.max_line, config.max_literal);
        let mut s = ServerSession {
            config,
            state: State::NotAuthenticated,
            framer,
            mode: Mode::Commands,
            out: VecDeque::new(),
            batch: Vec::new(),
            events: VecDeque::new(),
            user: None,
            tls: false,
            rev2: false,
            view: None,
            errors: 0,
        };
        let host = s.config.hostname.clone();
        let caps = s.capabilities(State::NotAuthenticated);
        s.untagged(&cat::GREETING, Some(Code::Capability(caps)), &[&host]);
        s.flush();
        s
    }

    pub fn state(&self) -> State {
        self.state
    }
    pub fn is_closed(&self) -> bool {
        self.state == State::Logout
    }
    /// The store account of the authenticated user (`Accounts::mailbox`).
    pub fn user(&self) -> Option<&str> {
        self.user.as_deref()
    }
    /// The selected mailbox's name.
    pub fn selected(&self) -> Option<&str> {
        self.view.as_ref().map(|v| v.name.as_str())
    }
    /// Waiting in IDLE: the caller should call [`Self::poll_store`] now and then.
    pub fn is_idling(&self) -> bool {
        matches!(self.mode, Mode::Idle { .. })
    }
    pub fn poll_output(&mut self) -> Option<Vec<u8>> {
        self.out.pop_front()
    }
    pub fn poll_event(&mut self) -> Option<ServerEvent> {
        self.events.pop_front()
    }

    /// The server closes: `* BYE` (shutdown).
    pub fn shutdown(&mut self) {
        self.bye(&cat::BYE_SHUTDOWN);
    }

    /// The client was silent too long: `* BYE` (RFC 9051 §5.4).
    pub fn idle_timeout(&mut self) {
        self.bye(&cat::BYE_IDLE);
    }

    /// The client closed the connection.
    pub fn connection_closed(&mut self) {
        if self.state != State::Logout {
            self.events.push_back(ServerEvent::ProtocolViolated {
                what: format!("the client closed the connection without LOGOUT (in the {} state); nothing is lost, IMAP keeps every change as it is made", self.state.name()),
            });
            self.state = State::Logout;
            self.events.push_back(ServerEvent::Closed);
        }
    }

    /// Push updates of the selected mailbox (new mail, expunges by others): for IDLE, or after
    /// the caller changed the store.
    pub fn poll_store(&mut self, store: &mut Store) {
        if self.state != State::Logout && self.is_idling() {
            self.sync(store, true);
            self.flush();
        }
    }

    /// The capabilities in `state` (RFC 9051 §7.2.2: they may differ before and after login).
    fn capabilities(&self, state: State) -> Vec<String> {
        let mut c = vec!["IMAP4rev1".to_string(), "IMAP4rev2".into()];
        if state == State::NotAuthenticated {
            if self.config.starttls && !self.tls {
                c.push("STARTTLS".into());
            }
            if self.login_disabled() {
                c.push("LOGINDISABLED".into());
            } else {
                c.push("AUTH=PLAIN".into());
            }
        }
        c.extend(["SASL-IR", "ENABLE", "IDLE", "LITERAL-", "UIDPLUS", "MOVE", "UNSELECT", "SPECIAL-USE"].map(String::from));
        c
    }

    fn login_disabled(&self) -> bool {
        self.config.starttls && self.config.login_disabled_without_tls && !self.tls
    }

    // ── Output ────────────────────────────────────────────────────────────────────────────

    fn flush(&mut self) {
        if !self.batch.is_empty() {
            self.out.push_back(std::mem::take(&mut self.batch));
        }
    }

    fn emit(&mut self, response: Response, spec: &'static ResponseSpec, before: State, after: State) {
        let bytes = encode::response(&response);
        self.batch.extend_from_slice(&bytes);
        self.events.push_back(ServerEvent::ResponseSent { response, bytes, key: spec.key, state_before: before, state_after: after });
    }

    fn untagged(&mut self, spec: &'static ResponseSpec, code: Option<Code>, args: &[&str]) {
        let status = spec.status.unwrap_or(Status::Ok);
        let s = self.state;
        self.emit(Response::Status { tag: None, status, code, text: spec.render(args) }, spec, s, s);
    }

    fn data(&mut self, spec: &'static ResponseSpec, d: Data) {
        let s = self.state;
        self.emit(Response::Data(d), spec, s, s);
    }

    fn cont(&mut self, spec: &'static ResponseSpec) {
        let s = self.state;
        self.emit(Response::Continue(spec.text.to_string()), spec, s, s);
        self.flush();
    }

    /// The tagged response that ends a command; the state moves as the table says.
    fn done(&mut self, tag: &str, verb: Verb, spec: &'static ResponseSpec, code: Option<Code>, args: &[&str]) {
        let status = spec.status.unwrap_or(Status::Ok);
        let before = self.state;
        let after = state::next_state(before, Trigger::Command(verb), status).map_or(before, |t| t.to);
        if status == Status::Bad {
            self.errors += 1;
        }
        self.emit(Response::Status { tag: Some(tag.to_string()), status, code, text: spec.render(args) }, spec, before, after);
        self.state = after;
        if after != State::Selected {
            self.view = None;
        }
        if after == State::Logout {
            self.events.push_back(ServerEvent::Closed);
        } else if self.config.max_errors > 0 && self.errors >= self.config.max_errors {
            self.bye(&cat::BYE_ERRORS);
        }
    }

    fn ok(&mut self, tag: &str, verb: Verb, code: Option<Code>) {
        self.done(tag, verb, &cat::OK_DONE, code, &[verb.name()]);
    }

    fn bye(&mut self, spec: &'static ResponseSpec) {
        if self.state == State::Logout {
            return;
        }
        let before = self.state;
        let after = state::next_state(before, Trigger::Bye, Status::Bye).map_or(State::Logout, |t| t.to);
        self.emit(Response::Status { tag: None, status: Status::Bye, code: None, text: spec.text.to_string() }, spec, before, after);
        self.state = after;
        self.view = None;
        self.events.push_back(ServerEvent::Closed);
        self.flush();
    }

    /// A BAD for a unit that could not be used, tagged when a tag could be read.
    fn bad(&mut self, tag: Option<&str>, spec: &'static ResponseSpec, args: &[&str]) {
        match tag {
            Some(t) => {
                let s = self.state;
                self.errors += 1;
                self.emit(
                    Response::Status { tag: Some(t.to_string()), status: Status::Bad, code: None, text: spec.render(args) },
                    spec,
                    s,
                    s,
                );
                if self.config.max_errors > 0 && self.errors >= self.config.max_errors {
                    self.bye(&cat::BYE_ERRORS);
                }
            }
            None => {
                self.errors += 1;
                let text = spec.render(args);
                let s = self.state;
                self.emit(Response::Status { tag: None, status: Status::Bad, code: None, text }, spec, s, s);
                if self.config.max_errors > 0 && self.errors >= self.config.max_errors {
                    self.bye(&cat::BYE_ERRORS);
                }
            }
        }
    }

    // ── Input ─────────────────────────────────────────────────────────────────────────────

    /// Feed bytes from the client; `now` (seconds since the epoch) dates APPENDed messages.
    pub fn receive(&mut self, bytes: &[u8], store: &mut Store, accounts: &dyn Accounts, now: i64) {
        if self.state == State::Logout {
            if !bytes.is_empty() {
                self.events
                    .push_back(ServerEvent::ProtocolViolated { what: format!("{} octets arrived after LOGOUT; ignored", bytes.len()) });
            }
            return;
        }
        self.framer.push(bytes);
        while self.state != State::Logout {
            match self.mode.clone() {
                Mode::Commands => match self.framer.next_frame() {
                    None => break,
                    Some(Frame::Unit(u)) => self.on_unit(u, store, accounts, now),
                    Some(Frame::LiteralWanted { .. }) => self.cont(&cat::CONT_LITERAL),
                    Some(Frame::LiteralTooLarge { head, octets, .. }) => {
                        let tag = parse::tag(&head).ok().map(|(_, t)| t.to_string());
                        let limit = self.config.max_literal.to_string();
                        self.bad(tag.as_deref(), &cat::BAD_LITERAL, &[&octets.to_string(), &limit]);
                    }
                    Some(Frame::LineTooLong { .. }) => self.bad(None, &cat::BAD_TOO_LONG, &[]),
                },
                Mode::Auth { tag } => {
                    let Some(line) = self.framer.next_line() else { break };
                    self.events.push_back(ServerEvent::LineReceived { raw: line.clone() });
                    self.mode = Mode::Commands;
                    if line == b"*" {
                        self.done(&tag, Verb::Authenticate, &cat::BAD_AUTH_CANCELLED, None, &[]);
                    } else {
                        self.sasl_plain(&tag, &line, store, accounts);
                    }
                }
                Mode::Idle { tag } => {
                    let Some(line) = self.framer.next_line() else { break };
                    self.events.push_back(ServerEvent::LineReceived { raw: line.clone() });
                    self.mode = Mode::Commands;
                    if line.eq_ignore_ascii_case(b"DONE") {
                        self.sync(store, true);
                        self.done(&tag, Verb::Idle, &cat::OK_IDLE, None, &[]);
                    } else {
                        // RFC 2177 §3: only DONE ends IDLE; the command fails.
                        self.done(&tag, Verb::Idle, &cat::BAD_IDLE_DONE, None, &[]);
                    }
                }
            }
        }
        self.flush();
    }

    fn on_unit(&mut self, unit: Vec<u8>, store: &mut Store, accounts: &dyn Accounts, now: i64) {
        match parse::command(&unit) {
            Ok(cmd) => {
                self.events.push_back(ServerEvent::CommandReceived { raw: unit, command: cmd.clone(), state: self.state });
                self.exec(cmd, store, accounts, now);
            }
            Err(e) => {
                let why = e.to_string();
                let tag = e.tag.clone();
                self.events.push_back(ServerEvent::SyntaxErrorReceived { raw: unit, error: e });
                match tag {
                    Some(t) => self.bad(Some(&t), &cat::BAD_SYNTAX, &[&why]),
                    None => self.bad(None, &cat::BAD_UNTAGGED, &[&why]),
                }
            }
        }
    }

    fn exec(&mut self, cmd: Command, store: &mut Store, accounts: &dyn Accounts, now: i64) {
        let verb = cmd.body.verb();
        let tag = cmd.tag;
        let valid = state::valid_in(verb);
        if !valid.contains(&self.state) {
            // RFC 9051 §6: each command belongs to states; elsewhere it is a client error.
            let list: Vec<&str> = state::commands_in(self.state).iter().map(|v| v.name()).collect();
            let here = self.state.name();
            return self.bad(Some(&tag), &cat::BAD_STATE, &[verb.name(), here, &list.join(" ")]);
        }
        let user = self.user.clone().unwrap_or_default();
        use CommandBody as C;
        match cmd.body {
            C::Capability => {
                let caps = self.capabilities(self.state);
                self.data(&cat::DATA_CAPABILITY, Data::Capability(caps));
                self.ok(&tag, verb, None);
            }
            C::Noop | C::Check => {
                self.sync(store, true); // RFC 9051 §6.1.2: NOOP is how a client polls.
                self.ok(&tag, verb, None);
            }
            C::Logout => {
                self.untagged(&cat::BYE_LOGOUT, None, &[]);
                self.ok(&tag, verb, None);
            }
            C::StartTls => {
                if !self.config.starttls {
                    return self.bad(Some(&tag), &cat::BAD_NO_STARTTLS, &[]);
                }
                if self.tls {
                    return self.bad(Some(&tag), &cat::BAD_TLS_ACTIVE, &[]);
                }
                self.done(&tag, verb, &cat::OK_STARTTLS, None, &[]);
                self.flush();
                let dropped = self.framer.take_rest();
                if !dropped.is_empty() {
                    // RFC 9051 §6.2.1: data after STARTTLS before the handshake is an injection.
                    self.events.push_back(ServerEvent::ProtocolViolated {
                        what: format!(
                            "{} octets were sent after STARTTLS before the TLS handshake; dropped (they could be injected plaintext)",
                            dropped.len()
                        ),
                    });
                }
                self.tls = true;
                self.events.push_back(ServerEvent::TlsStarted);
            }
            C::Login { user, password } => {
                if self.login_disabled() {
                    return self.done(&tag, verb, &cat::NO_LOGIN_DISABLED, Some(Code::PrivacyRequired), &[]);
                }
                self.authenticate(&tag, verb, "LOGIN", &user, &password, store, accounts);
            }
            C::Authenticate { mechanism, initial } => {
                if mechanism != "PLAIN" {
                    return self.done(&tag, verb, &cat::NO_MECHANISM, None, &[]);
                }
                if self.login_disabled() {
                    return self.done(&tag, verb, &cat::NO_LOGIN_DISABLED, Some(Code::PrivacyRequired), &[]);
                }
                match initial {
                    // RFC 4959 §3: "=" is an empty initial response.
                    Some(i) => self.sasl_plain(&tag, if i == "=" { b"" } else { i.as_bytes() }, store, accounts),
                    None => {
                        self.cont(&cat::CONT_AUTH);
                        self.mode = Mode::Auth { tag };
                    }
                }
            }
            C::Enable(caps) => {
                let mut on = Vec::new();
                for c in caps {
                    if c.eq_ignore_ascii_case("IMAP4rev2") {
                        self.rev2 = true; // RFC 9051 §6.3.1
                        on.push("IMAP4rev2".to_string());
                    }
                }
                self.data(&cat::DATA_ENABLED, Data::Enabled(on));
                self.ok(&tag, verb, None);
            }
            C::Select(name) | C::Examine(name) => self.select(&tag, verb, &name, verb == Verb::Examine, store),
            C::Create(name) => match store.create_folder(&user, &name) {
                Ok(()) => self.ok(&tag, verb, None),
                Err(e) => self.store_error(&tag, verb, e),
            },
            C::Delete(name) => match store.delete_folder(&user, &name) {
                Ok(()) => self.ok(&tag, verb, None),
                Err(e) => self.store_error(&tag, verb, e),
            },
            C::Rename { from, to } => match store.rename_folder(&user, &from, &to) {
                Ok(()) => self.ok(&tag, verb, None),
                Err(e) => self.store_error(&tag, verb, e),
            },
            C::Subscribe(name) | C::Unsubscribe(name) => match store.subscribe(&user, &name, verb == Verb::Subscribe) {
                Ok(()) => self.ok(&tag, verb, None),
                Err(e) => self.store_error(&tag, verb, e),
            },
            C::List { reference, pattern } | C::Lsub { reference, pattern } => {
                let lsub = verb == Verb::Lsub;
                if pattern.is_empty() {
                    // RFC 9051 §6.3.9: an empty pattern asks for the hierarchy delimiter.
                    self.data(
                        &cat::DATA_LIST,
                        Data::List { lsub, attributes: vec!["\\Noselect".into()], delimiter: Some('/'), name: String::new() },
                    );
                } else {
                    let full = format!("{reference}{pattern}");
                    let lines: Vec<Data> = store
                        .account(&user)
                        .map(|a| a.folders())
                        .unwrap_or_default()
                        .iter()
                        .filter(|f| !lsub || f.subscribed)
                        .filter(|f| {
                            wildcard(full.as_bytes(), f.name.as_bytes())
                                || (f.name == store::INBOX && wildcard(full.to_ascii_uppercase().as_bytes(), b"INBOX"))
                        })
                        .map(|f| {
                            let mut attributes = vec!["\\HasNoChildren".to_string()];
                            // RFC 6154 §2: special-use attributes in LIST (not in LSUB).
                            if let (Some(u), false) = (f.special_use, lsub) {
                                attributes.push(u.attribute().to_string());
                            }
                            Data::List { lsub, attributes, delimiter: Some('/'), name: f.name.clone() }
                        })
                        .collect();
                    for d in lines {
                        self.data(if lsub { &cat::DATA_LSUB } else { &cat::DATA_LIST }, d);
                    }
                }
                self.ok(&tag, verb, None);
            }
            C::Status { mailbox, items } => match store.folder(&user, &mailbox) {
                Ok(f) => {
                    let vals = items
                        .iter()
                        .map(|&i| {
                            let n = match i {
                                StatusItem::Messages => f.messages.len() as u64,
                                StatusItem::UidNext => u64::from(f.uid_next),
                                StatusItem::UidValidity => u64::from(f.uid_validity),
                                StatusItem::Unseen => f.unseen() as u64,
                                StatusItem::Recent => f.recent() as u64,
                                StatusItem::Size => f.messages.iter().map(|m| m.size()).sum(),
                                StatusItem::Deleted => f.messages.iter().filter(|m| m.flags.contains(store::Flag::Deleted)).count() as u64,
                            };
                            (i, n)
                        })
                        .collect();
                    let name = f.name.clone();
                    self.data(&cat::DATA_STATUS, Data::Status { mailbox: name, items: vals });
                    self.ok(&tag, verb, None);
                }
                Err(e) => self.store_error(&tag, verb, e),
            },
            C::Append { mailbox, flags, date, message } => {
                let fl = Flags::of(&flags.iter().filter_map(store_flag).collect::<Vec<_>>());
                let when = date.as_ref().map_or(now, fetch::unix_of);
                match store.append(&user, &mailbox, &message, fl, when) {
                    Ok(uid) => {
                        let v = store.folder(&user, &mailbox).map(|f| f.uid_validity).unwrap_or(0);
                        self.sync(store, true);
                        self.ok(&tag, verb, Some(Code::AppendUid(v, uid))); // RFC 4315 §3
                    }
                    Err(StoreError::NoSuchFolder(_)) => self.done(&tag, verb, &cat::NO_TRYCREATE, Some(Code::TryCreate), &[]),
                    Err(e) => self.store_error(&tag, verb, e),
                }
            }
            C::Idle => {
                self.cont(&cat::CONT_IDLE);
                self.mode = Mode::Idle { tag };
                self.sync(store, true);
            }
            C::Close => {
                if let Some(v) = self.view.clone().filter(|v| !v.read_only) {
                    // RFC 9051 §6.4.1: CLOSE expunges \Deleted messages without EXPUNGE responses.
                    if let Ok(gone) = store.expunge(&user, &v.name, None) {
                        self.events.push_back(ServerEvent::MessagesExpunged {
                            mailbox: v.name,
                            uids: gone.iter().map(|e| e.uid).collect(),
                            announced: false,
                        });
                    }
                }
                self.ok(&tag, verb, None);
            }
            C::Unselect => self.ok(&tag, verb, None),
            C::Expunge => self.expunge(&tag, verb, None, store),
            C::UidExpunge(set) => {
                let uids = self.resolve(&set, true).into_iter().map(|t| t.1).collect();
                self.expunge(&tag, verb, Some(uids), store);
            }
            C::Search { uid, charset, criteria } => {
                if let Some(cs) = &charset {
                    if !cs.eq_ignore_ascii_case("UTF-8") && !cs.eq_ignore_ascii_case("US-ASCII") {
                        return self.done(
                            &tag,
                            verb,
                            &cat::NO_BADCHARSET,
                            Some(Code::Other("BADCHARSET".into(), Some("(UTF-8 US-ASCII)".into()))),
                            &[],
                        );
                    }
                }
                self.sync(store, uid);
                let hits = self.search(store, &criteria, uid);
                self.data(&cat::DATA_SEARCH, Data::Search(hits));
                self.ok(&tag, verb, None);
            }
            C::Fetch { uid, set, items } => {
                self.sync(store, uid);
                self.fetch(store, uid, &set, &items.expand());
                self.ok(&tag, verb, None);
            }
            C::Store { uid, set, mode, silent, flags } => {
                if self.read_only() {
                    return self.done(&tag, verb, &cat::NO_READ_ONLY, Some(Code::ReadOnly), &[]);
                }
                self.sync(store, uid);
                let targets = self.resolve(&set, uid);
                let op = match mode {
                    StoreMode::Replace => FlagOp::Replace,
                    StoreMode::Add => FlagOp::Add,
                    StoreMode::Remove => FlagOp::Remove,
                };
                let fl = Flags::of(&flags.iter().filter_map(store_flag).collect::<Vec<_>>());
                let name = self.view.as_ref().map(|v| v.name.clone()).unwrap_or_default();
                let uids: Vec<Uid> = targets.iter().map(|t| t.1).collect();
                let changed = store.set_flags(&user, &name, &uids, op, fl).unwrap_or_default();
                if !silent {
                    // RFC 9051 §6.4.6: without .SILENT the new flags come back as FETCH.
                    for (seq, u) in targets {
                        if let Some((_, f)) = changed.iter().find(|(x, _)| *x == u) {
                            let mut items = vec![FetchValue::Flags(self.flags_of(u, *f))];
                            if uid {
                                items.push(FetchValue::Uid(u));
                            }
                            self.data(&cat::DATA_FETCH, Data::Fetch { seq, items });
                        }
                    }
                }
                self.ok(&tag, verb, None);
            }
            C::Copy { uid, set, mailbox } | C::Move { uid, set, mailbox } => {
                let moving = verb == Verb::Move;
                if moving && self.read_only() {
                    return self.done(&tag, verb, &cat::NO_READ_ONLY, Some(Code::ReadOnly), &[]);
                }
                self.sync(store, true);
                let uids: Vec<Uid> = self.resolve(&set, uid).into_iter().map(|t| t.1).collect();
                let from = self.view.as_ref().map(|v| v.name.clone()).unwrap_or_default();
                let result = if moving {
                    store.move_messages(&user, &from, &uids, &mailbox).map(|m| m.copied)
                } else {
                    store.copy(&user, &from, &uids, &mailbox)
                };
                match result {
                    Ok(c) => {
                        let code = (!c.pairs.is_empty()).then(|| {
                            let a: Vec<String> = c.pairs.iter().map(|p| p.0.to_string()).collect();
                            let b: Vec<String> = c.pairs.iter().map(|p| p.1.to_string()).collect();
                            Code::CopyUid(c.uid_validity, a.join(","), b.join(","))
                        });
                        self.sync(store, true); // MOVE: the `* n EXPUNGE`s (RFC 6851 §3.3)
                        self.ok(&tag, verb, code);
                    }
                    Err(StoreError::NoSuchFolder(n)) if n.eq_ignore_ascii_case(&mailbox) || n == mailbox => {
                        self.done(&tag, verb, &cat::NO_TRYCREATE, Some(Code::TryCreate), &[])
                    }
                    Err(e) => self.store_error(&tag, verb, e),
                }
            }
        }
    }
}

impl ServerSession {
    #[allow(clippy::too_many_arguments)]
    fn authenticate(
        &mut self,
        tag: &str,
        verb: Verb,
        mechanism: &'static str,
        user: &str,
        password: &str,
        store: &mut Store,
        accounts: &dyn Accounts,
    ) {
        if accounts.check_password(user, password) {
            let account = accounts.mailbox(user);
            if store.account(&account).is_none() {
                // A known user without mail yet gets INBOX, Sent and Trash.
                if let Err(e) = store.create_account(&account) {
                    self.events.push_back(ServerEvent::ProtocolViolated { what: format!("could not create the account: {e}") });
                }
            }
            self.user = Some(account);
            self.events.push_back(ServerEvent::AuthSucceeded { mechanism, user: user.to_string() });
            let caps = self.capabilities(State::Authenticated);
            self.done(tag, verb, &cat::OK_LOGIN, Some(Code::Capability(caps)), &[user]);
        } else {
            self.events.push_back(ServerEvent::AuthFailed { mechanism, user: Some(user.to_string()) });
            // RFC 5530 §3: AUTHENTICATIONFAILED says "wrong credentials", without saying which.
            self.done(tag, verb, &cat::NO_AUTH_FAILED, Some(Code::AuthenticationFailed), &[]);
        }
    }

    /// RFC 4616 §2: `message = [authzid] UTF8NUL authcid UTF8NUL passwd`, in base64.
    fn sasl_plain(&mut self, tag: &str, line: &[u8], store: &mut Store, accounts: &dyn Accounts) {
        let verb = Verb::Authenticate;
        let Some(raw) = base64::decode(line) else {
            self.events.push_back(ServerEvent::AuthFailed { mechanism: "PLAIN", user: None });
            return self.done(tag, verb, &cat::BAD_AUTH_LINE, None, &["not base64 (RFC 4648)"]);
        };
        let parts: Vec<&[u8]> = raw.split(|&b| b == 0).collect();
        let (authzid, user, pass) = match parts.as_slice() {
            [z, u, p] => (*z, *u, *p),
            _ => {
                self.events.push_back(ServerEvent::AuthFailed { mechanism: "PLAIN", user: None });
                return self.done(tag, verb, &cat::BAD_AUTH_LINE, None, &["expected authzid NUL user NUL password"]);
            }
        };
        let (Ok(user), Ok(pass), Ok(authzid)) = (std::str::from_utf8(user), std::str::from_utf8(pass), std::str::from_utf8(authzid)) else {
            return self.done(tag, verb, &cat::BAD_AUTH_LINE, None, &["not UTF-8"]);
        };
        if !authzid.is_empty() && authzid != user {
            // RFC 4616 §2: acting as another user needs an authorization this server never grants.
            self.events.push_back(ServerEvent::AuthFailed { mechanism: "PLAIN", user: Some(user.to_string()) });
            return self.done(tag, verb, &cat::NO_AUTH_FAILED, Some(Code::AuthenticationFailed), &[]);
        }
        self.authenticate(tag, verb, "PLAIN", user, pass, store, accounts);
    }

    fn select(&mut self, tag: &str, verb: Verb, name: &str, read_only: bool, store: &mut Store) {
        // RFC 9051 §6.3.2: a SELECT first closes the current mailbox, without expunging.
        self.view = None;
        let user = self.user.clone().unwrap_or_default();
        let Ok(folder) = store.folder(&user, name) else {
            return self.done(tag, verb, &cat::NO_NONEXISTENT, Some(Code::Nonexistent), &[]);
        };
        let real = folder.name.clone();
        let uids: Vec<Uid> = folder.messages.iter().map(|m| m.uid).collect();
        let (validity, next) = (folder.uid_validity, folder.uid_next);
        // RFC 3501 §2.3.2: the first session to see new messages gets them as \Recent.
        let recent = if read_only { Vec::new() } else { store.claim_recent(&user, &real).unwrap_or_default() };
        let exists = uids.len() as u32;
        self.data(&cat::DATA_FLAGS, Data::Flags(SYSTEM_FLAGS.to_vec()));
        self.data(&cat::DATA_EXISTS, Data::Exists(exists));
        if !self.rev2 {
            self.data(&cat::DATA_RECENT, Data::Recent(recent.len() as u32)); // RFC 3501 §6.3.1 (gone in rev2)
        }
        self.untagged(&cat::OK_UIDVALIDITY, Some(Code::UidValidity(validity)), &[]);
        self.untagged(&cat::OK_UIDNEXT, Some(Code::UidNext(next)), &[]);
        let perm = if read_only { Vec::new() } else { SYSTEM_FLAGS.to_vec() };
        self.untagged(&cat::OK_PERMANENTFLAGS, Some(Code::PermanentFlags(perm)), &[]);
        self.events.push_back(ServerEvent::MailboxSelected {
            mailbox: real.clone(),
            read_only,
            exists,
            uid_validity: validity,
            uid_next: next,
        });
        let (spec, code) = if read_only { (&cat::OK_EXAMINE, Code::ReadOnly) } else { (&cat::OK_SELECT, Code::ReadWrite) };
        self.done(tag, verb, spec, Some(code), &[]);
        self.view = Some(View { name: real, read_only, uids, recent });
    }

    fn store_error(&mut self, tag: &str, verb: Verb, e: StoreError) {
        match e {
            StoreError::NoSuchFolder(_) => self.done(tag, verb, &cat::NO_NONEXISTENT, Some(Code::Nonexistent), &[]),
            StoreError::FolderExists(_) => self.done(tag, verb, &cat::NO_EXISTS, Some(Code::AlreadyExists), &[]),
            other => {
                let why = other.to_string();
                self.done(tag, verb, &cat::NO_CANNOT, Some(Code::Cannot), &[&why]);
            }
        }
    }

    fn read_only(&self) -> bool {
        self.view.as_ref().is_some_and(|v| v.read_only)
    }

    fn expunge(&mut self, tag: &str, verb: Verb, only: Option<Vec<Uid>>, store: &mut Store) {
        if self.read_only() {
            return self.done(tag, verb, &cat::NO_READ_ONLY, Some(Code::ReadOnly), &[]);
        }
        let user = self.user.clone().unwrap_or_default();
        let name = self.view.as_ref().map(|v| v.name.clone()).unwrap_or_default();
        if let Ok(gone) = store.expunge(&user, &name, only.as_deref()) {
            self.events.push_back(ServerEvent::MessagesExpunged {
                mailbox: name,
                uids: gone.iter().map(|e| e.uid).collect(),
                announced: true,
            });
        }
        self.sync(store, true); // the `* n EXPUNGE` lines, from this session's view
        self.ok(tag, verb, None);
    }

    /// Bring the view up to date with the store: `* n EXPUNGE` for messages gone (only when
    /// `expunge_ok`, RFC 9051 §7.5.1), `* n EXISTS` (and rev1 `* n RECENT`) for new ones.
    fn sync(&mut self, store: &mut Store, expunge_ok: bool) {
        let user = self.user.clone().unwrap_or_default();
        let Some(view) = self.view.as_mut() else { return };
        let present: Vec<Uid> = match store.folder(&user, &view.name) {
            Ok(f) => f.messages.iter().map(|m| m.uid).collect(),
            Err(_) => Vec::new(), // deleted by another session: everything is gone
        };
        let mut gone = Vec::new();
        if expunge_ok {
            let mut i = 0;
            while i < view.uids.len() {
                if present.binary_search(&view.uids[i]).is_err() {
                    gone.push(i as u32 + 1); // sequence numbers shift after each (RFC 9051 §7.5.1)
                    view.uids.remove(i);
                } else {
                    i += 1;
                }
            }
        }
        let max = view.uids.last().copied().unwrap_or(0);
        let new: Vec<Uid> = present.iter().copied().filter(|&u| u > max).collect();
        view.uids.extend(&new);
        let (name, read_only, exists) = (view.name.clone(), view.read_only, view.uids.len() as u32);
        for n in gone {
            self.data(&cat::DATA_EXPUNGE, Data::Expunge(n));
        }
        if !new.is_empty() {
            self.data(&cat::DATA_EXISTS, Data::Exists(exists));
            if !self.rev2 {
                let claimed = if read_only { Vec::new() } else { store.claim_recent(&user, &name).unwrap_or_default() };
                if let Some(v) = self.view.as_mut() {
                    v.recent.extend(claimed);
                    let n = v.recent.len() as u32;
                    self.data(&cat::DATA_RECENT, Data::Recent(n));
                }
            }
        }
    }

    /// The (sequence number, UID) pairs a set names in the view (`*` is the last message, or
    /// the largest UID).
    fn resolve(&self, set: &SeqSet, uid: bool) -> Vec<(u32, Uid)> {
        let Some(v) = &self.view else { return Vec::new() };
        let largest = if uid { v.uids.last().copied().unwrap_or(0) } else { v.uids.len() as u32 };
        v.uids
            .iter()
            .enumerate()
            .map(|(i, &u)| (i as u32 + 1, u))
            .filter(|&(s, u)| set.contains(if uid { u } else { s }, largest))
            .collect()
    }

    fn flags_of(&self, uid: Uid, f: Flags) -> Vec<Flag> {
        let mut v: Vec<Flag> = f.iter().map(imap_flag).collect();
        if !self.rev2 && self.view.as_ref().is_some_and(|w| w.recent.contains(&uid)) {
            v.push(Flag::Recent);
        }
        v
    }

    fn search(&self, store: &Store, keys: &[SearchKey], uid: bool) -> Vec<u32> {
        let user = self.user.clone().unwrap_or_default();
        let Some(v) = &self.view else { return Vec::new() };
        let Ok(folder) = store.folder(&user, &v.name) else { return Vec::new() };
        let largest_uid = v.uids.last().copied().unwrap_or(0);
        let count = v.uids.len() as u32;
        let mut hits = Vec::new();
        for (i, &u) in v.uids.iter().enumerate() {
            let Some(m) = folder.get(u) else { continue };
            let seq = i as u32 + 1;
            let ctx = Hit { seq, uid: u, m, recent: v.recent.contains(&u), count, largest_uid, parsed: std::cell::OnceCell::new() };
            if keys.iter().all(|k| ctx.matches(k)) {
                hits.push(if uid { u } else { seq });
            }
        }
        hits
    }

    fn fetch(&mut self, store: &mut Store, uid: bool, set: &SeqSet, items: &[FetchItem]) {
        let user = self.user.clone().unwrap_or_default();
        let Some(name) = self.view.as_ref().map(|v| v.name.clone()) else { return };
        let read_only = self.read_only();
        let mut items = items.to_vec();
        // RFC 9051 §6.4.9: UID FETCH always returns the UID.
        if uid && !items.contains(&FetchItem::Uid) {
            items.insert(0, FetchItem::Uid);
        }
        // RFC 9051 §6.4.5: BODY[...] (not PEEK) and RFC822 / RFC822.TEXT set \Seen.
        let sets_seen = !read_only
            && items.iter().any(|i| matches!(i, FetchItem::Section { peek: false, .. } | FetchItem::Rfc822 | FetchItem::Rfc822Text));
        for (seq, u) in self.resolve(set, uid) {
            let Ok(folder) = store.folder(&user, &name) else { return };
            let Some(m) = folder.get(u).cloned() else { continue };
            let mut flags = m.flags;
            if sets_seen && !flags.contains(store::Flag::Seen) {
                flags = store
                    .set_flags(&user, &name, &[u], FlagOp::Add, Flags::of(&[store::Flag::Seen]))
                    .ok()
                    .and_then(|v| v.first().map(|x| x.1))
                    .unwrap_or(flags);
            }
            let parsed = Parsed::new(&m.bytes);
            let mut out = Vec::new();
            for it in &items {
                out.push(match it {
                    FetchItem::Flags => FetchValue::Flags(self.flags_of(u, flags)),
                    FetchItem::Uid => FetchValue::Uid(u),
                    FetchItem::Rfc822Size => FetchValue::Rfc822Size(m.size()),
                    FetchItem::InternalDate => FetchValue::InternalDate(fetch::date_time(m.internal_date)),
                    FetchItem::Envelope => FetchValue::Envelope(Box::new(parsed.envelope())),
                    FetchItem::BodyStructure => FetchValue::BodyStructure(Box::new(parsed.structure(true))),
                    FetchItem::Body => FetchValue::Body(Box::new(parsed.structure(false))),
                    FetchItem::Rfc822 => FetchValue::Rfc822(Some(m.bytes.to_vec())),
                    FetchItem::Rfc822Header => {
                        FetchValue::Rfc822Header(parsed.section(&Section { part: Vec::new(), text: Some(SectionText::Header) }))
                    }
                    FetchItem::Rfc822Text => {
                        FetchValue::Rfc822Text(parsed.section(&Section { part: Vec::new(), text: Some(SectionText::Text) }))
                    }
                    FetchItem::Section { section, partial, .. } => {
                        let data = parsed.section(section).unwrap_or_default();
                        match partial {
                            Some((o, n)) => FetchValue::Section {
                                section: section.clone(),
                                origin: Some(*o),
                                data: Some(fetch::partial(&data, *o, *n)),
                            },
                            None => FetchValue::Section { section: section.clone(), origin: None, data: Some(data) },
                        }
                    }
                });
            }
            if flags != m.flags && !items.contains(&FetchItem::Flags) {
                out.push(FetchValue::Flags(self.flags_of(u, flags))); // the implicit \Seen is reported
            }
            self.data(&cat::DATA_FETCH, Data::Fetch { seq, items: out });
        }
    }
}

/// One message being tested against search keys.
struct Hit<'a> {
    seq: u32,
    uid: Uid,
    m: &'a store::Message,
    recent: bool,
    count: u32,
    largest_uid: Uid,
    parsed: std::cell::OnceCell<crate::sim::mime::Message>,
}

impl Hit<'_> {
    fn header(&self, name: &str) -> String {
        let p = self.parsed.get_or_init(|| crate::sim::mime::parse(crate::sim::mime::header_block(&self.m.bytes)));
        p.headers_named(name).map(|h| h.value.as_str()).collect::<Vec<_>>().join(", ")
    }

    fn matches(&self, k: &SearchKey) -> bool {
        use store::Flag as F;
        use SearchKey as K;
        let f = |x| self.m.flags.contains(x);
        let day = fetch::day_of(self.m.internal_date);
        let sent = || header_day(&self.header("Date"));
        match k {
            K::All => true,
            K::Answered => f(F::Answered),
            K::Deleted => f(F::Deleted),
            K::Draft => f(F::Draft),
            K::Flagged => f(F::Flagged),
            K::Seen => f(F::Seen),
            K::Unanswered => !f(F::Answered),
            K::Undeleted => !f(F::Deleted),
            K::Undraft => !f(F::Draft),
            K::Unflagged => !f(F::Flagged),
            K::Unseen => !f(F::Seen),
            K::Recent => self.recent,
            K::New => self.recent && !f(F::Seen),
            K::Old => !self.recent,
            K::Keyword(_) => false, // keywords are not kept (PERMANENTFLAGS has no \*)
            K::Unkeyword(_) => true,
            K::From(s) => contains_ci(self.header("From").as_bytes(), s),
            K::To(s) => contains_ci(self.header("To").as_bytes(), s),
            K::Cc(s) => contains_ci(self.header("Cc").as_bytes(), s),
            K::Bcc(s) => contains_ci(self.header("Bcc").as_bytes(), s),
            K::Subject(s) => contains_ci(self.header("Subject").as_bytes(), s),
            K::Header(n, s) => {
                let v = self.header(n);
                if s.is_empty() {
                    !v.is_empty() || crate::sim::mime::count_headers(&self.m.bytes, n) > 0
                } else {
                    contains_ci(v.as_bytes(), s)
                }
            }
            K::Body(s) => contains_ci(&self.m.bytes[crate::sim::mime::header_block(&self.m.bytes).len()..], s),
            K::Text(s) => contains_ci(&self.m.bytes, s),
            K::Since(d) => day >= *d,
            K::Before(d) => day < *d,
            K::On(d) => day == *d,
            K::SentSince(d) => sent().is_some_and(|x| x >= *d),
            K::SentBefore(d) => sent().is_some_and(|x| x < *d),
            K::SentOn(d) => sent().is_some_and(|x| x == *d),
            K::Larger(n) => self.m.size() > u64::from(*n),
            K::Smaller(n) => self.m.size() < u64::from(*n),
            K::Uid(s) => s.contains(self.uid, self.largest_uid),
            K::Seq(s) => s.contains(self.seq, self.count),
            K::Not(k) => !self.matches(k),
            K::Or(a, b) => self.matches(a) || self.matches(b),
            K::And(v) => v.iter().all(|k| self.matches(k)),
        }
    }
}
