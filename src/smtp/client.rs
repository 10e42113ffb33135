//! The client side of an SMTP session, sans-IO: it drives one or more mail transactions over
//! one connection. Bytes in ([`ClientSession::receive`]), bytes out
//! ([`ClientSession::poll_output`]), past-tense events ([`ClientSession::poll_event`]).
//!
//! The plan, step by step: wait for the greeting (a 554/421 greeting → QUIT and report),
//! EHLO (falling back to HELO on 500/502, RFC 5321 §3.2, §4.1.1.1), STARTTLS when offered and
//! wanted (then EHLO again, RFC 3207 §4.2), AUTH PLAIN/LOGIN when credentials are given
//! (RFC 4954), then per transaction MAIL (with SIZE=, BODY=8BITMIME, SMTPUTF8 as advertised and
//! needed), RCPT per recipient, DATA with the dot-stuffed message (or BDAT when CHUNKING is
//! offered and preferred), and finally QUIT.
//!
//! With PIPELINING (RFC 2920 §3.1) MAIL, every RCPT and DATA (or the BDAT chunks) go out in
//! one write; otherwise each command waits for its reply. Replies are matched to commands by
//! order (a queue of what each reply answers), so multi-line replies and any chunking work.
//! After a transaction that the server left open (MAIL accepted, no message) the client sends
//! RSET before the next MAIL (RFC 5321 §4.1.1.5).

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

use super::address::{ForwardPath, ReversePath};
use super::base64;
use super::command::{Body, Command, MailParams, RcptParams, Ret};
use super::data::{self, Frame, LineFramer};
use super::encode;
use super::event::{Answers, ClientEvent, Outcome};
use super::parse;
use super::reply::{Reply, ReplyClass, ReplyLine};

pub use super::state::ClientState;

/// Credentials for AUTH (RFC 4954).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Credentials {
    pub user: String,
    pub password: String,
    /// `PLAIN` (RFC 4616) or `LOGIN`.
    pub mechanism: String,
}

/// How the client behaves.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientConfig {
    /// The name sent in EHLO/HELO.
    pub hostname: String,
    /// Use STARTTLS when the server offers it.
    pub starttls: bool,
    /// Authenticate with these credentials when the server offers the mechanism.
    pub credentials: Option<Credentials>,
    /// Send with BDAT when the server offers CHUNKING (RFC 3030).
    pub prefer_chunking: bool,
    /// BDAT chunk size in octets.
    pub chunk_size: usize,
    /// Pipeline commands when the server offers PIPELINING (RFC 2920).
    pub pipelining: bool,
}

impl Default for ClientConfig {
    fn default() -> Self {
        ClientConfig {
            hostname: "client.example".into(),
            starttls: false,
            credentials: None,
            prefer_chunking: false,
            chunk_size: 64 * 1024,
            pipelining: true,
        }
    }
}

/// One message to send: the envelope and the message text (line ends are normalised to CRLF
/// on the way out, RFC 5321 §2.3.8).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transaction {
    pub from: ReversePath,
    pub rcpts: Vec<ForwardPath>,
    pub message: Vec<u8>,
    /// DSN requests (RFC 3461): `ret` and `envid` go on MAIL, `notify`/`orcpt` of the same
    /// index on each RCPT — only when the server advertised DSN (§4: a client MUST NOT send
    /// them otherwise). Empty/absent: nothing requested. See [`Transaction::with_dsn`].
    #[serde(default)]
    pub dsn: DsnParams,
    /// Strings to check with VRFY before MAIL, each waiting for its reply (RFC 5321 §3.5.1;
    /// RFC 2920 §3.1: VRFY ends a pipelined group).
    #[serde(default)]
    pub vrfy: Vec<String>,
    /// If a recipient is refused, abandon the transaction with RSET instead of sending the
    /// message (RFC 5321 §4.1.1.5, Appendix D.2). Sent in lockstep, so the choice can be made.
    #[serde(default)]
    pub abort_if_refused: bool,
}

/// The DSN parameters of one transaction (RFC 3461 §4.1–§4.4).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DsnParams {
    pub ret: Option<Ret>,
    pub envid: Option<String>,
    /// One per recipient (missing ones: none).
    pub rcpts: Vec<RcptParams>,
}

impl Transaction {
    /// Build from address text (`""` for the null reverse-path). `None` if an address does not
    /// parse.
    pub fn new(from: &str, to: &[&str], message: Vec<u8>) -> Option<Self> {
        let from = match parse::command(format!("MAIL FROM:<{from}>").as_bytes()).ok()? {
            Command::Mail { from, .. } => from,
            _ => return None,
        };
        let mut rcpts = Vec::new();
        for t in to {
            match parse::command(format!("RCPT TO:<{t}>").as_bytes()).ok()? {
                Command::Rcpt { to, .. } => rcpts.push(to),
                _ => return None,
            }
        }
        Some(Transaction { from, rcpts, message, dsn: DsnParams::default(), vrfy: Vec::new(), abort_if_refused: false })
    }

    /// The same transaction with DSN requests (sent only where the server offers DSN).
    pub fn with_dsn(mut self, dsn: DsnParams) -> Self {
        self.dsn = dsn;
        self
    }

    /// The RCPT parameters of recipient `i` for a server that does or does not offer DSN.
    fn rcpt_params(&self, i: usize, dsn: bool) -> RcptParams {
        match self.dsn.rcpts.get(i) {
            Some(p) if dsn => p.clone(),
            _ => RcptParams::default(),
        }
    }
}

/// What a reply answers.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Expect {
    Greeting,
    Ehlo,
    Helo,
    StartTls,
    /// `n`: replies received so far in the AUTH exchange.
    Auth(u8),
    Mail,
    Rcpt(usize),
    Data,
    DataEnd,
    Bdat {
        last: bool,
    },
    Rset,
    /// The reply to VRFY number `n` of the current transaction.
    Vrfy(usize),
    Quit,
}

impl Expect {
    fn answers(&self) -> Answers {
        use super::command::Verb;
        match *self {
            Expect::Greeting => Answers::Greeting,
            Expect::Ehlo => Answers::Command(Verb::Ehlo),
            Expect::Helo => Answers::Command(Verb::Helo),
            Expect::StartTls => Answers::Command(Verb::StartTls),
            Expect::Auth(0) => Answers::Command(Verb::Auth),
            Expect::Auth(_) => Answers::AuthLine,
            Expect::Mail => Answers::Command(Verb::Mail),
            Expect::Rcpt(_) => Answers::Command(Verb::Rcpt),
            Expect::Data => Answers::Command(Verb::Data),
            Expect::DataEnd => Answers::EndOfData,
            Expect::Bdat { last } => Answers::Chunk { last },
            Expect::Rset => Answers::Command(Verb::Rset),
            Expect::Vrfy(_) => Answers::Command(Verb::Vrfy),
            Expect::Quit => Answers::Command(Verb::Quit),
        }
    }
}

/// One client side of one SMTP connection.
#[derive(Debug)]
pub struct ClientSession {
    config: ClientConfig,
    txs: Vec<Transaction>,
    /// The transaction being sent.
    current: usize,
    outcomes: Vec<Vec<(ForwardPath, Option<Outcome>)>>,
    /// Per current transaction: recipients accepted (indexes), MAIL accepted, message done.
    accepted: Vec<usize>,
    mail_ok: bool,
    tx_done: bool,
    /// BDAT chunks still to send in lockstep mode.
    chunks: VecDeque<(Vec<u8>, bool)>,
    expect: VecDeque<Expect>,
    framer: LineFramer,
    lines: Vec<ReplyLine>,
    raw: Vec<u8>,
    state: ClientState,
    extensions: Vec<(String, Vec<String>)>,
    esmtp: bool,
    tls: bool,
    authed: bool,
    batch: Vec<u8>,
    out: VecDeque<Vec<u8>>,
    events: VecDeque<ClientEvent>,
    finished: bool,
}

impl ClientSession {
    pub fn new(config: ClientConfig, txs: Vec<Transaction>) -> Self {
        let outcomes = txs.iter().map(|t| t.rcpts.iter().map(|r| (r.clone(), None)).collect()).collect();
        ClientSession {
            config,
            txs,
            current: 0,
            outcomes,
            accepted: Vec::new(),
            mail_ok: false,
            tx_done: false,
            chunks: VecDeque::new(),
            expect: VecDeque::from([Expect::Greeting]),
            framer: LineFramer::new(),
            lines: Vec::new(),
            raw: Vec::new(),
            state: ClientState::Greeting,
            extensions: Vec::new(),
            esmtp: false,
            tls: false,
            authed: false,
            batch: Vec::new(),
            out: VecDeque::new(),
            events: VecDeque::new(),
            finished: false,
        }
    }

    pub fn state(&self) -> ClientState {
        self.state
    }

    /// All transactions are resolved and the `Finished` event was emitted.
    pub fn is_finished(&self) -> bool {
        self.finished
    }

    /// The server's EHLO keywords (upper case) and parameters.
    pub fn extensions(&self) -> &[(String, Vec<String>)] {
        &self.extensions
    }

    pub fn poll_output(&mut self) -> Option<Vec<u8>> {
        self.out.pop_front()
    }

    pub fn poll_event(&mut self) -> Option<ClientEvent> {
        self.events.pop_front()
    }

    /// Feed bytes received from the server.
    pub fn receive(&mut self, bytes: &[u8]) {
        if self.state == ClientState::Closed {
            return;
        }
        self.framer.push(bytes);
        while self.state != ClientState::Closed {
            let Some(frame) = self.framer.next_line() else { break };
            let line = match frame {
                // Be liberal in what we accept from a server: a bare LF still ends a reply line.
                Frame::Line(l) | Frame::BareLf(l) => l,
                Frame::TooLong { octets, .. } => {
                    // RFC 5321 §4.5.3.1.5: reply lines are at most 512 octets.
                    self.fail_connection(format!("a reply line of {octets} octets exceeds 512 (RFC 5321 §4.5.3.1.5)"));
                    break;
                }
            };
            self.raw.extend_from_slice(&line);
            self.raw.extend_from_slice(b"\r\n");
            match parse::reply_line(&line) {
                Ok(l) => {
                    let last = l.last;
                    self.lines.push(l);
                    if self.lines.len() > 1000 {
                        self.fail_connection("a reply of more than 1000 lines".into());
                        break;
                    }
                    if last {
                        let lines = std::mem::take(&mut self.lines);
                        let raw = std::mem::take(&mut self.raw);
                        match parse::reply(&lines) {
                            Ok(reply) => self.on_reply(reply, raw),
                            Err(error) => {
                                self.events.push_back(ClientEvent::BadReply { raw, error });
                                self.fail_connection("the server sent a malformed reply".into());
                            }
                        }
                    }
                }
                Err(error) => {
                    let raw = std::mem::take(&mut self.raw);
                    self.events.push_back(ClientEvent::BadReply { raw, error });
                    self.fail_connection("the server sent a malformed reply line".into());
                }
            }
        }
        self.flush();
    }

    /// The connection broke (or the server closed it). Everything unresolved becomes a
    /// temporary failure: the message stays with the client (RFC 5321 §6.1, §4.5.4.1).
    pub fn connection_closed(&mut self) {
        if self.state == ClientState::Closed {
            return;
        }
        let quitting = self.state == ClientState::Quitting;
        self.state = ClientState::Closed;
        if !quitting {
            self.events.push_back(ClientEvent::ConnectionFailed { what: "the connection closed before the session finished".into() });
        }
        self.finish();
    }

    // ── Sending ──────────────────────────────────────────────────────────────────────────

    fn send(&mut self, command: Command, expect: Expect) {
        let bytes = encode::command_line(&command);
        self.batch.extend_from_slice(&bytes);
        self.events.push_back(ClientEvent::CommandSent { command, bytes });
        self.expect.push_back(expect);
    }

    fn send_data(&mut self, bytes: Vec<u8>) {
        self.batch.extend_from_slice(&bytes);
        self.events.push_back(ClientEvent::DataSent { bytes });
    }

    fn flush(&mut self) {
        if !self.batch.is_empty() {
            self.out.push_back(std::mem::take(&mut self.batch));
        }
    }

    fn has(&self, keyword: &str) -> bool {
        self.esmtp && self.extensions.iter().any(|(k, _)| k == keyword)
    }

    fn ehlo(&mut self) {
        let host = parse_host(&self.config.hostname);
        self.state = ClientState::Hello;
        self.send(Command::Ehlo(host), Expect::Ehlo);
    }

    /// After the greeting exchange: STARTTLS, AUTH, or the first transaction.
    fn proceed(&mut self) {
        if self.config.starttls && !self.tls && self.has("STARTTLS") {
            self.state = ClientState::StartTls;
            return self.send(Command::StartTls, Expect::StartTls);
        }
        if let Some(c) = self.config.credentials.clone() {
            let offered = self.extensions.iter().any(|(k, v)| k == "AUTH" && v.iter().any(|m| m.eq_ignore_ascii_case(&c.mechanism)));
            if !self.authed && self.esmtp && offered {
                self.state = ClientState::Auth;
                let mechanism = c.mechanism.to_ascii_uppercase();
                let initial = if mechanism == "PLAIN" {
                    // RFC 4616 §2: authzid NUL authcid NUL passwd, sent as the initial response.
                    Some(base64::encode(format!("\0{}\0{}", c.user, c.password).as_bytes()))
                } else {
                    None
                };
                return self.send(Command::Auth { mechanism, initial }, Expect::Auth(0));
            }
        }
        self.next_transaction();
    }

    fn next_transaction(&mut self) {
        if self.current >= self.txs.len() {
            self.state = ClientState::Quitting;
            return self.send(Command::Quit, Expect::Quit);
        }
        self.state = ClientState::Transaction;
        if let Some(string) = self.txs[self.current].vrfy.first().cloned() {
            return self.send(Command::Vrfy(string), Expect::Vrfy(0));
        }
        self.start_mail();
    }

    /// MAIL (and, pipelined, the RCPTs and DATA) of the current transaction.
    fn start_mail(&mut self) {
        self.accepted.clear();
        self.mail_ok = false;
        self.tx_done = false;
        self.chunks.clear();
        let tx = &self.txs[self.current];
        let wire = data::normalize_line_ends(&tx.message);
        let mut params = MailParams::default();
        // RFC 1870 §3, §6: the size goes to a server that announced a limit; a bare SIZE
        // (§4: no fixed limit) leaves the optional parameter with nothing to check against.
        if self.has_with_value("SIZE") {
            params.size = Some(wire.len() as u64);
        }
        if wire.iter().any(|&b| b >= 0x80) && self.has("8BITMIME") {
            params.body = Some(Body::EightBitMime); // RFC 6152 §3
        }
        let utf8 = !tx.from.to_string().is_ascii() || tx.rcpts.iter().any(|r| !r.to_string().is_ascii());
        if utf8 && self.has("SMTPUTF8") {
            params.smtputf8 = true; // RFC 6531 §3.4
        }
        let dsn = self.has("DSN");
        if dsn {
            // RFC 3461 §4.3, §4.4: RET and ENVID only to a server that offers DSN.
            params.ret = tx.dsn.ret;
            params.envid = tx.dsn.envid.clone();
        }
        let from = tx.from.clone();
        let rcpts = tx.rcpts.clone();
        let chunking = self.config.prefer_chunking && self.has("CHUNKING");
        if chunking {
            let size = self.config.chunk_size.max(1);
            let n = wire.len().div_ceil(size).max(1);
            for i in 0..n {
                let part = wire[(i * size).min(wire.len())..((i + 1) * size).min(wire.len())].to_vec();
                self.chunks.push_back((part, i + 1 == n));
            }
        }
        self.send(Command::Mail { from, params }, Expect::Mail);
        if self.pipelining() {
            // RFC 2920 §3.1: MAIL, RCPTs and DATA in one group; DATA ends the group.
            let params: Vec<RcptParams> = (0..rcpts.len()).map(|i| self.txs[self.current].rcpt_params(i, dsn)).collect();
            for (i, (to, params)) in rcpts.into_iter().zip(params).enumerate() {
                self.send(Command::Rcpt { to, params }, Expect::Rcpt(i));
            }
            if chunking {
                while let Some((part, last)) = self.chunks.pop_front() {
                    self.send_chunk(part, last);
                }
            } else {
                self.send(Command::Data, Expect::Data);
            }
        }
    }

    fn pipelining(&self) -> bool {
        let abort = self.txs.get(self.current).is_some_and(|t| t.abort_if_refused);
        self.config.pipelining && self.has("PIPELINING") && !abort
    }

    fn has_with_value(&self, keyword: &str) -> bool {
        self.esmtp && self.extensions.iter().any(|(k, v)| k == keyword && !v.is_empty())
    }

    fn send_chunk(&mut self, part: Vec<u8>, last: bool) {
        self.send(Command::Bdat { size: part.len() as u64, last }, Expect::Bdat { last });
        self.send_data(part);
    }

    /// Lockstep: what follows the reply to MAIL or to RCPT number `i`.
    fn lockstep_after(&mut self, i: Option<usize>) {
        let next = i.map_or(0, |i| i + 1);
        let tx = &self.txs[self.current];
        if let Some(to) = tx.rcpts.get(next).cloned() {
            // RFC 3461 §4.1, §4.2: NOTIFY and ORCPT only to a server that offers DSN.
            let params = tx.rcpt_params(next, self.has("DSN"));
            return self.send(Command::Rcpt { to, params }, Expect::Rcpt(next));
        }
        if self.accepted.is_empty() {
            // Nobody to deliver to: do not send DATA (RFC 5321 §3.3); close the transaction.
            return self.end_transaction();
        }
        if tx.abort_if_refused && self.accepted.len() < tx.rcpts.len() {
            // RFC 5321 §4.1.1.5 (Appendix D.2): the sender abandons the whole transaction.
            let t = self.current;
            for &i in &self.accepted {
                self.outcomes[t][i].1 = Some(Outcome::Abandoned);
            }
            self.accepted.clear();
            return self.end_transaction();
        }
        if let Some((part, last)) = self.chunks.pop_front() {
            self.send_chunk(part, last);
        } else {
            self.send(Command::Data, Expect::Data);
        }
    }

    /// The current transaction is resolved: RSET if the server still holds it open, then the
    /// next one.
    fn end_transaction(&mut self) {
        if self.tx_done {
            return;
        }
        self.tx_done = true;
        let open = self.mail_ok;
        self.current += 1;
        if open {
            self.state = ClientState::Reset;
            self.send(Command::Rset, Expect::Rset);
        } else {
            self.next_transaction();
        }
    }

    /// Mark every unresolved recipient of the current transaction.
    fn resolve_rest(&mut self, reply: &Reply, only_accepted: bool) {
        let t = self.current;
        let Some(list) = self.outcomes.get_mut(t) else { return };
        for (i, (_, o)) in list.iter_mut().enumerate() {
            if o.is_none() && (!only_accepted || self.accepted.contains(&i)) {
                *o = Some(outcome_of(reply));
            }
        }
    }

    fn fail_connection(&mut self, what: String) {
        self.events.push_back(ClientEvent::ConnectionFailed { what });
        self.state = ClientState::Closed;
        self.finish();
    }

    fn finish(&mut self) {
        if self.finished {
            return;
        }
        self.finished = true;
        self.state = ClientState::Closed;
        let lost = Reply::new(421, None, "connection closed before the server answered (client-side note)");
        let outcomes = self
            .outcomes
            .iter()
            .map(|t| t.iter().map(|(r, o)| (r.clone(), o.clone().unwrap_or_else(|| Outcome::TempFailed(lost.clone())))).collect())
            .collect();
        self.events.push_back(ClientEvent::Finished { outcomes });
    }

    // ── Receiving ────────────────────────────────────────────────────────────────────────

    fn on_reply(&mut self, reply: Reply, raw: Vec<u8>) {
        let before = self.state;
        let Some(expect) = self.expect.pop_front() else {
            self.events.push_back(ClientEvent::ReplyReceived { reply, raw, answers: None, state_before: before, state_after: before });
            return self.fail_connection("a reply arrived that answers no command (RFC 5321 §4.2)".into());
        };
        let ok = reply.class() == ReplyClass::Completed;
        let idx = self.events.len();
        self.events.push_back(ClientEvent::ReplyReceived {
            reply: reply.clone(),
            raw,
            answers: Some(expect.answers()),
            state_before: before,
            state_after: before,
        });
        match expect {
            Expect::Greeting => {
                if reply.code.0 == 220 {
                    self.ehlo();
                } else {
                    // RFC 5321 §3.1: 554 greeting → QUIT (421: the server closes anyway).
                    self.events.push_back(ClientEvent::ServerRefused { reply: reply.clone() });
                    for t in 0..self.txs.len() {
                        self.current = t;
                        self.resolve_rest(&reply, false);
                    }
                    self.current = self.txs.len();
                    self.state = ClientState::Quitting;
                    self.send(Command::Quit, Expect::Quit);
                }
            }
            Expect::Ehlo => {
                if ok {
                    self.esmtp = true;
                    self.extensions = parse::ehlo_keywords(&reply);
                    self.proceed();
                } else if matches!(reply.code.0, 500 | 502) {
                    // RFC 5321 §3.2, §4.1.1.1: an old server; fall back to HELO.
                    let host = super::address::Domain(self.config.hostname.clone());
                    self.send(Command::Helo(host), Expect::Helo);
                } else {
                    self.give_up(&reply);
                }
            }
            Expect::Helo => {
                if ok {
                    self.esmtp = false;
                    self.extensions.clear();
                    self.proceed();
                } else {
                    self.give_up(&reply);
                }
            }
            Expect::StartTls => {
                if reply.code.0 == 220 {
                    // RFC 3207 §4.2: after the handshake everything is forgotten; EHLO again.
                    self.tls = true;
                    self.esmtp = false;
                    self.extensions.clear();
                    self.events.push_back(ClientEvent::TlsStarted);
                    self.ehlo();
                } else {
                    self.tls_refused();
                }
            }
            Expect::Auth(n) => self.on_auth_reply(&reply, n),
            Expect::Mail => {
                if ok {
                    self.mail_ok = true;
                    if !self.pipelining() {
                        self.lockstep_after(None);
                    }
                } else {
                    // The whole transaction fails with this reply (later pipelined replies are
                    // consumed below and change nothing).
                    let t = self.current;
                    self.resolve_rest(&reply, false);
                    for (rcpt, _) in self.outcomes[t].clone() {
                        self.events.push_back(ClientEvent::RecipientFailed {
                            transaction: t,
                            rcpt,
                            reply: reply.clone(),
                            permanent: reply.class() == ReplyClass::Permanent,
                        });
                    }
                    if !self.pipelining() {
                        self.end_transaction();
                    }
                }
            }
            Expect::Rcpt(i) => {
                let t = self.current;
                if self.mail_ok {
                    let rcpt = self.outcomes[t][i].0.clone();
                    if ok {
                        self.accepted.push(i);
                        self.events.push_back(ClientEvent::RecipientAccepted { transaction: t, rcpt, reply: reply.clone() });
                    } else {
                        self.outcomes[t][i].1 = Some(outcome_of(&reply));
                        self.events.push_back(ClientEvent::RecipientFailed {
                            transaction: t,
                            rcpt,
                            reply: reply.clone(),
                            permanent: reply.class() == ReplyClass::Permanent,
                        });
                    }
                }
                if !self.pipelining() {
                    self.lockstep_after(Some(i));
                }
            }
            Expect::Data => {
                if reply.code.0 == 354 {
                    self.flush(); // the message goes out in its own write
                    let stuffed = if self.accepted.is_empty() {
                        // A server that says 354 with no valid recipient (RFC 2920 §3.1): end
                        // the data at once so the session stays in step.
                        b".\r\n".to_vec()
                    } else {
                        data::dot_stuff(&self.txs[self.current].message)
                    };
                    self.send_data(stuffed);
                    self.expect.push_front(Expect::DataEnd);
                } else {
                    if !self.accepted.is_empty() {
                        self.message_failed(&reply);
                    }
                    self.end_transaction();
                }
            }
            Expect::DataEnd | Expect::Bdat { last: true } => {
                if self.tx_done {
                    // Replies to pipelined commands of an already failed transaction.
                } else if self.accepted.is_empty() {
                    if expect == Expect::DataEnd {
                        self.mail_ok = false; // the end of data closed the transaction
                    }
                    self.end_transaction();
                } else if ok {
                    let t = self.current;
                    for &i in &self.accepted {
                        self.outcomes[t][i].1 = Some(Outcome::Delivered);
                    }
                    self.events.push_back(ClientEvent::MessageAccepted { transaction: t, reply: reply.clone() });
                    self.mail_ok = false; // the server closed the transaction (RFC 5321 §4.1.1.4)
                    self.end_transaction();
                } else {
                    self.message_failed(&reply);
                    self.mail_ok = false;
                    self.end_transaction();
                }
            }
            Expect::Bdat { last: false } => {
                if self.tx_done {
                    // A reply to a pipelined chunk of an already resolved transaction.
                } else if !ok {
                    let had_rcpts = !self.accepted.is_empty();
                    if had_rcpts {
                        self.message_failed(&reply);
                    }
                    // RFC 3030 §2: a failed chunk ends the transaction; send no more chunks.
                    // (With no valid recipient the server refused BDAT and still holds MAIL.)
                    self.mail_ok = !had_rcpts && self.mail_ok;
                    self.chunks.clear();
                    if !self.pipelining() {
                        self.end_transaction();
                    } else {
                        self.tx_done_after_pending();
                    }
                } else if let Some((part, last)) = self.chunks.pop_front() {
                    self.send_chunk(part, last);
                }
            }
            Expect::Rset => self.next_transaction(),
            // Whatever VRFY answers (250, 252, 550, …), the client goes on: it only asked.
            Expect::Vrfy(n) => match self.txs[self.current].vrfy.get(n + 1).cloned() {
                Some(string) => self.send(Command::Vrfy(string), Expect::Vrfy(n + 1)),
                None => self.start_mail(),
            },
            Expect::Quit => {
                self.state = ClientState::Closed;
                self.finish();
            }
        }
        let after = self.state;
        if let Some(ClientEvent::ReplyReceived { state_after, .. }) = self.events.get_mut(idx) {
            *state_after = after;
        }
    }

    /// Pipelined chunks already sent after a failed one: their replies will be 503s; the
    /// transaction ends once the last pending reply of it has arrived.
    fn tx_done_after_pending(&mut self) {
        if !self.expect.iter().any(|e| matches!(e, Expect::Bdat { .. })) {
            self.end_transaction();
        } else {
            // Outcomes are set; mark accepted as consumed so later replies change nothing.
            self.accepted.clear();
        }
    }

    fn message_failed(&mut self, reply: &Reply) {
        let t = self.current;
        self.resolve_rest(reply, true);
        self.accepted.clear();
        self.events.push_back(ClientEvent::MessageFailed {
            transaction: t,
            reply: reply.clone(),
            permanent: reply.class() == ReplyClass::Permanent,
        });
    }

    fn on_auth_reply(&mut self, reply: &Reply, n: u8) {
        let Some(c) = self.config.credentials.clone() else { return self.next_transaction() };
        if reply.code.0 == 334 && n < 2 {
            // LOGIN: first "Username:", then "Password:" (base64 challenges).
            let text = if n == 0 { c.user } else { c.password };
            let line = if c.mechanism.eq_ignore_ascii_case("PLAIN") { "*".to_string() } else { base64::encode(text.as_bytes()) };
            let mut bytes = line.into_bytes();
            bytes.extend_from_slice(b"\r\n");
            self.batch.extend_from_slice(&bytes);
            self.events.push_back(ClientEvent::AuthLineSent { bytes });
            self.expect.push_front(Expect::Auth(n + 1));
            return;
        }
        // 235: authenticated. A refusal (535 bad credentials, 454 temporary failure, …): a mail
        // program stops and tells its user instead of sending unauthenticated (RFC 4954 §6);
        // every recipient fails with that reply and the client QUITs.
        self.authed = reply.code.0 == 235;
        if self.authed {
            self.next_transaction();
        } else {
            self.give_up(reply);
        }
    }

    fn tls_refused(&mut self) {
        self.tls = false;
        self.config.starttls = false;
        self.proceed();
    }

    /// The greeting exchange failed: every recipient fails with this reply; QUIT.
    fn give_up(&mut self, reply: &Reply) {
        for t in 0..self.txs.len() {
            self.current = t;
            self.resolve_rest(reply, false);
        }
        self.current = self.txs.len();
        self.state = ClientState::Quitting;
        self.send(Command::Quit, Expect::Quit);
    }
}

fn outcome_of(reply: &Reply) -> Outcome {
    match reply.class() {
        ReplyClass::Permanent => Outcome::PermFailed(reply.clone()),
        _ => Outcome::TempFailed(reply.clone()),
    }
}

fn parse_host(name: &str) -> super::address::Host {
    match parse::command(format!("EHLO {name}").as_bytes()) {
        Ok(Command::Ehlo(h)) => h,
        _ => super::address::Host::Domain(super::address::Domain(name.to_string())),
    }
}
