//! A scripted POP3 client session, sans-IO: "the laptop pulls mail". Given a [`Plan`] — how to
//! log in, and whether to download and delete or to leave mail on the server and fetch only
//! what UIDL says is new — it sends commands, reads responses, and reports [`ClientEvent`]s.
//!
//! The order is what mail programs do: greeting, CAPA, (STLS,) login, STAT, then UIDL + RETR of
//! the new messages ("leave on server") or LIST + RETR + DELE of all, then QUIT. The client
//! stops at the first `-ERR` it cannot work around, and always ends with QUIT once logged in.

use std::collections::VecDeque;

use serde::Serialize;

use super::command::{encode_command, Command};
use super::event::{ClientEvent, Mechanism};
use super::response::{bad_response, parse_status, BodyReader, Status, StatusLine};
use super::server::apop_digest;
use crate::smtp::base64;

/// What to do with the messages.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum Fetch {
    /// Download every message, then delete it (the classic POP3 way).
    DownloadAndDelete,
    /// "Leave messages on server": download only those whose unique id is not in `known`.
    LeaveOnServer { known: Vec<String> },
    /// Only look: TOP with this many body lines for every message.
    Headers { lines: u32 },
}

/// What the client will do.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Plan {
    pub user: String,
    pub password: String,
    pub mechanism: Mechanism,
    /// Send STLS first if the server offers it (simulated TLS).
    pub stls: bool,
    pub fetch: Fetch,
}

/// Where the client is: which response it waits for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum ClientState {
    Greeting,
    Capa,
    Stls,
    User,
    Pass,
    Apop,
    Auth,
    Stat,
    Uidl,
    List,
    Retr(u32),
    Top(u32),
    Dele(u32),
    Quit,
    Done,
}

impl ClientState {
    /// Does a `+OK` to this command carry a body (RFC 1939 §3)?
    fn multi(self) -> bool {
        matches!(self, ClientState::Capa | ClientState::Uidl | ClientState::List | ClientState::Retr(_) | ClientState::Top(_))
    }
}

/// The scripted client.
#[derive(Debug)]
pub struct ClientSession {
    plan: Plan,
    state: ClientState,
    buf: Vec<u8>,
    /// The status line and raw bytes of a multi-line response being read.
    reading: Option<(StatusLine, Vec<u8>, BodyReader)>,
    out: VecDeque<Vec<u8>>,
    events: VecDeque<ClientEvent>,
    timestamp: Option<String>,
    capabilities: Vec<String>,
    tls: bool,
    /// Messages to fetch: (number, unique id).
    queue: VecDeque<(u32, Option<String>)>,
    to_delete: VecDeque<u32>,
    retrieved: usize,
    deleted: usize,
    logged_in: bool,
}

/// Longest status line the client reads (RFC 2449 §4: 512 octets including CRLF), with room.
const MAX_STATUS_LINE: usize = 4096;

impl ClientSession {
    pub fn new(plan: Plan) -> ClientSession {
        ClientSession {
            plan,
            state: ClientState::Greeting,
            buf: Vec::new(),
            reading: None,
            out: VecDeque::new(),
            events: VecDeque::new(),
            timestamp: None,
            capabilities: Vec::new(),
            tls: false,
            queue: VecDeque::new(),
            to_delete: VecDeque::new(),
            retrieved: 0,
            deleted: 0,
            logged_in: false,
        }
    }

    pub fn state(&self) -> ClientState {
        self.state
    }
    pub fn is_done(&self) -> bool {
        self.state == ClientState::Done
    }
    /// The capabilities from CAPA, one per line as sent.
    pub fn capabilities(&self) -> &[String] {
        &self.capabilities
    }
    pub fn poll_output(&mut self) -> Option<Vec<u8>> {
        self.out.pop_front()
    }
    pub fn poll_event(&mut self) -> Option<ClientEvent> {
        self.events.pop_front()
    }

    /// The connection ended.
    pub fn connection_closed(&mut self) {
        if self.state != ClientState::Done {
            self.events.push_back(ClientEvent::ConnectionFailed {
                what: format!("the server closed the connection while the client waited for the answer to {:?}", self.state),
            });
            self.state = ClientState::Done;
        }
    }

    /// Feed bytes from the server.
    pub fn receive(&mut self, bytes: &[u8]) {
        let mut input = bytes;
        while self.state != ClientState::Done && !input.is_empty() {
            if let Some((_, raw, reader)) = &mut self.reading {
                let used = reader.feed(input);
                raw.extend_from_slice(&input[..used]);
                input = &input[used..];
                if reader.is_done() {
                    if let Some((status, raw, reader)) = self.reading.take() {
                        self.on_response(status, raw, Some(reader.into_body()));
                    }
                }
                continue;
            }
            let lf = input.iter().position(|&b| b == b'\n');
            let take = lf.map_or(input.len(), |i| i + 1);
            self.buf.extend_from_slice(&input[..take]);
            input = &input[take..];
            if lf.is_none() {
                if self.buf.len() > MAX_STATUS_LINE {
                    let raw = std::mem::take(&mut self.buf);
                    let error = bad_response(MAX_STATUS_LINE, format!("a status line of more than {MAX_STATUS_LINE} octets"));
                    self.events.push_back(ClientEvent::BadResponse { raw, error });
                    self.state = ClientState::Done;
                }
                break;
            }
            let raw = std::mem::take(&mut self.buf);
            let line = raw.strip_suffix(b"\r\n").or_else(|| raw.strip_suffix(b"\n")).unwrap_or(&raw);
            match parse_status(line) {
                Err(error) => {
                    self.events.push_back(ClientEvent::BadResponse { raw, error });
                    self.state = ClientState::Done;
                }
                Ok(status) if status.is_ok() && self.state.multi() => self.reading = Some((status, raw, BodyReader::new())),
                Ok(status) => self.on_response(status, raw, None),
            }
        }
    }

    fn send(&mut self, command: Command, next: ClientState) {
        let bytes = encode_command(&command);
        self.out.push_back(bytes.clone());
        self.events.push_back(ClientEvent::CommandSent { command, bytes });
        self.state = next;
    }

    fn on_response(&mut self, status: StatusLine, raw: Vec<u8>, body: Option<Vec<u8>>) {
        let before = self.state;
        let mark = self.events.len();
        // A `+ ` continuation is not a refusal.
        let ok = !matches!(status, StatusLine::Status { status: Status::Err, .. });
        let body_text = body.as_deref().map(|b| String::from_utf8_lossy(b).into_owned()).unwrap_or_default();
        // Decide what comes next (this also sends it), then report the response with the state
        // it led to.
        let mut later: Vec<ClientEvent> = Vec::new();
        match (before, ok) {
            (ClientState::Greeting, true) => {
                // RFC 1939 §7: the APOP timestamp is the <...> in the greeting.
                let t = status.text();
                self.timestamp = t.find('<').and_then(|a| t[a..].find('>').map(|b| t[a..a + b + 1].to_string()));
                self.send(Command::Capa, ClientState::Capa);
            }
            (ClientState::Greeting, false) => self.state = ClientState::Done,
            (ClientState::Capa, _) => {
                self.capabilities = body_text.lines().map(str::to_string).collect();
                if self.plan.stls && !self.tls && self.capabilities.iter().any(|c| c.eq_ignore_ascii_case("STLS")) {
                    self.send(Command::Stls, ClientState::Stls);
                } else {
                    self.login();
                }
            }
            (ClientState::Stls, true) => {
                self.tls = true;
                later.push(ClientEvent::TlsStarted);
                // RFC 2595 §4: capabilities may change after TLS; ask again.
                self.send(Command::Capa, ClientState::Capa);
            }
            (ClientState::Stls, false) => self.login(),
            (ClientState::User, true) => self.send(Command::Pass(self.plan.password.clone()), ClientState::Pass),
            (ClientState::Pass | ClientState::Apop | ClientState::Auth | ClientState::User, false) => {
                later.push(ClientEvent::LoginFailed { status: status.clone() });
                self.send(Command::Quit, ClientState::Quit);
            }
            (ClientState::Auth, true) if matches!(status, StatusLine::Continue(_)) => {
                // Should not happen: PLAIN is sent with an initial response. Answer anyway.
                let line = format!("{}\r\n", self.plain_response());
                self.out.push_back(line.clone().into_bytes());
                later.push(ClientEvent::SaslLineSent { bytes: line.into_bytes() });
            }
            (ClientState::Pass | ClientState::Apop | ClientState::Auth, true) => {
                self.logged_in = true;
                self.send(Command::Stat, ClientState::Stat);
            }
            (ClientState::Stat, true) => {
                let mut words = status.text().split(' ');
                let n: u32 = words.next().and_then(|w| w.parse().ok()).unwrap_or(0);
                let octets: u64 = words.next().and_then(|w| w.parse().ok()).unwrap_or(0);
                later.push(ClientEvent::LoggedIn { messages: n as usize, octets });
                match &self.plan.fetch {
                    Fetch::LeaveOnServer { .. } => self.send(Command::Uidl(None), ClientState::Uidl),
                    Fetch::DownloadAndDelete => self.send(Command::List(None), ClientState::List),
                    Fetch::Headers { .. } => {
                        self.queue = (1..=n).map(|i| (i, None)).collect();
                        self.next_fetch();
                    }
                }
            }
            (ClientState::Uidl, true) => {
                let known = match &self.plan.fetch {
                    Fetch::LeaveOnServer { known } => known.clone(),
                    _ => Vec::new(),
                };
                for line in body_text.lines() {
                    let Some((n, uid)) = line.split_once(' ') else { continue };
                    let Ok(n) = n.parse::<u32>() else { continue };
                    if known.iter().any(|k| k == uid) {
                        later.push(ClientEvent::AlreadySeen { msg: n, unique_id: uid.to_string() });
                    } else {
                        self.queue.push_back((n, Some(uid.to_string())));
                    }
                }
                self.next_fetch();
            }
            (ClientState::List, true) => {
                self.queue = body_text.lines().filter_map(|l| l.split(' ').next()?.parse().ok()).map(|n| (n, None)).collect();
                self.next_fetch();
            }
            (ClientState::Retr(n), true) => {
                let unique_id = self.queue.pop_front().and_then(|(_, u)| u);
                self.retrieved += 1;
                later.push(ClientEvent::MessageRetrieved { msg: n, unique_id, message: body.clone().unwrap_or_default() });
                if self.plan.fetch == Fetch::DownloadAndDelete {
                    self.to_delete.push_back(n);
                }
                self.next_fetch();
            }
            (ClientState::Top(n), true) => {
                self.queue.pop_front();
                later.push(ClientEvent::HeadRetrieved { msg: n, head: body.clone().unwrap_or_default() });
                self.next_fetch();
            }
            (ClientState::Dele(n), true) => {
                self.deleted += 1;
                later.push(ClientEvent::MessageDeleted { msg: n });
                self.next_fetch();
            }
            (ClientState::Retr(_) | ClientState::Top(_) | ClientState::Dele(_), false) => {
                // One message failed (e.g. removed meanwhile): skip it, go on with the rest.
                if matches!(before, ClientState::Retr(_) | ClientState::Top(_)) {
                    self.queue.pop_front();
                }
                self.next_fetch();
            }
            (ClientState::Stat | ClientState::Uidl | ClientState::List, false) => self.send(Command::Quit, ClientState::Quit),
            (ClientState::Quit, ok) => {
                self.state = ClientState::Done;
                later.push(ClientEvent::Finished { ok: ok && self.logged_in, retrieved: self.retrieved, deleted: self.deleted });
            }
            (ClientState::Done, _) => {}
        }
        // The response first, then what it led to (the command sent is already queued).
        let sent: Vec<ClientEvent> = self.events.drain(mark..).collect();
        self.events.push_back(ClientEvent::ResponseReceived { status, raw, body, state_before: before, state_after: self.state });
        self.events.extend(later);
        self.events.extend(sent);
    }

    fn plain_response(&self) -> String {
        // RFC 4616 §2: empty authzid, NUL, user, NUL, password.
        base64::encode(format!("\0{}\0{}", self.plan.user, self.plan.password).as_bytes())
    }

    fn login(&mut self) {
        let p = self.plan.clone();
        match p.mechanism {
            Mechanism::UserPass => self.send(Command::User(p.user), ClientState::User),
            Mechanism::Apop => {
                let digest = apop_digest(self.timestamp.as_deref().unwrap_or(""), &p.password);
                self.send(Command::Apop { user: p.user, digest }, ClientState::Apop);
            }
            Mechanism::SaslPlain => {
                // RFC 5034 §4: the initial response saves a round trip.
                let initial = Some(self.plain_response());
                self.send(Command::Auth { mechanism: "PLAIN".into(), initial }, ClientState::Auth);
            }
        }
    }

    /// The next RETR/TOP, else the next DELE, else QUIT.
    fn next_fetch(&mut self) {
        if let Some(&(n, _)) = self.queue.front() {
            match self.plan.fetch {
                Fetch::Headers { lines } => self.send(Command::Top { msg: n, lines }, ClientState::Top(n)),
                _ => self.send(Command::Retr(n), ClientState::Retr(n)),
            }
        } else if let Some(n) = self.to_delete.pop_front() {
            self.send(Command::Dele(n), ClientState::Dele(n));
        } else {
            self.send(Command::Quit, ClientState::Quit);
        }
    }
}
