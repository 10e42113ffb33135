//! The world: nodes of a scenario exchanging bytes over simulated links on a virtual clock.
//!
//! Every client and server here is the shared SMTP core (`smtp::client`, `smtp::server`);
//! this module only moves bytes between them after the link latency, answers the questions
//! the server session asks its node (is this recipient local? may this client relay?), runs
//! the relay queue with its retry schedule, and writes everything into the [`Trace`].
//!
//! Determinism: the only clock is `now` (advanced to the next scheduled action), the only
//! randomness is the scenario-seeded [`Rng`], and every collection that is iterated is
//! ordered (Vec, BTreeMap). Same scenario, same trace, byte for byte.

use std::collections::BTreeMap;

use core::net::IpAddr;

use crate::smtp::address::{ForwardPath, ReversePath};
use std::borrow::Cow;

use crate::smtp::client::{ClientConfig, ClientSession, Credentials, DsnParams, Transaction};
use crate::smtp::command::{Notify, RcptParams, Ret, Verb};
use crate::smtp::event::{Answers, ClientEvent, Envelope, Outcome as SmtpOutcome, ServerEvent};
use crate::smtp::server::ServerSession;

use super::clock::Millis;
use super::dns::{self, Answer, Lookup, Route};
use super::policy::{domain_of, is_local, server_config, NodePolicy};
use super::rng::Rng;
use super::scenario::{DsnNotify, DsnRet, MessageSpec, NodeKind, NodeSpec, Scenario};
use super::trace::{
    AuthChecks, DkimSigning, Event, Facts, JobNote, Kind, Layer, NodeInfo, NodeRole, QueueEntry, Relay, SmtpReply, SpfCheck, StoredMessage,
    Summary, Trace, TRACE_VERSION,
};
use super::{date, dkim, dmarc, dsn, mime};

mod pull;

pub use pull::PULL;

/// Whether this build cannot run `sc`, so the viewer hands it to the studio
/// (`Player::needs_studio`): it signs or checks DKIM and the build has no public-key crypto
/// (`dkim::needs_crypto`, the `dkim` feature), or it has POP3/IMAP mail programs and the build
/// has no retrieval (`[[pull]]`, the `pull` feature). One rule for every part the viewer drops.
pub fn needs_studio(sc: &Scenario) -> bool {
    (!dkim::CRYPTO && dkim::needs_crypto(sc)) || (!PULL && !sc.pulls.is_empty())
}

/// Runs a scenario to the end and returns its trace.
pub fn run(scenario: &Scenario) -> Trace {
    let mut w = World::new(scenario);
    w.run();
    w.finish()
}

/// The trace of `scenario` before anything happened: its nodes, no events. What the viewer shows
/// while it hands a scenario it cannot run ([`needs_studio`]) to the studio.
pub fn unstarted(scenario: &Scenario) -> Trace {
    Trace {
        version: TRACE_VERSION,
        scenario: scenario.id.clone(),
        title: scenario.title.clone(),
        goal: scenario.goal.clone(),
        nodes: node_infos(scenario),
        events: Vec::new(),
        mailboxes: Vec::new(),
        queue: Vec::new(),
        summary: Summary::default(),
        end: 0,
        shortcuts: super::trace::Shortcut::of(&scenario.clock),
    }
}

/// The trace's list of hosts: the scenario's nodes, then the DNS.
fn node_infos(sc: &Scenario) -> Vec<NodeInfo> {
    let mut nodes: Vec<NodeInfo> = sc
        .nodes
        .iter()
        .map(|n| NodeInfo {
            id: n.id.clone(),
            name: if n.name.is_empty() { n.host.clone() } else { n.name.clone() },
            role: role(n, sc.messages.iter().any(|m| m.client == n.id)),
            host: n.host.clone(),
            address: n.address.clone(),
            domains: n.domains.clone(),
        })
        .collect();
    nodes.push(NodeInfo {
        id: "dns".into(),
        name: "DNS".into(),
        role: NodeRole::NameServers,
        host: String::new(),
        address: String::new(),
        domains: Vec::new(),
    });
    nodes
}

/// Hard limits that guarantee termination whatever the scenario says.
const MAX_ACTIONS: usize = 2_000_000;
const MAX_TIME: Millis = 60 * 86_400_000;

/// Something scheduled to happen at a virtual time.
#[derive(Debug)]
enum Action {
    /// A mail program sends scenario message `n`.
    Submit(usize),
    /// A server tries to deliver queue job `n`.
    Attempt(usize),
    /// A TCP connection attempt reaches its destination (or fails).
    Connect(u32),
    /// Bytes arrive at the server end of a connection.
    ToServer(u32, Vec<u8>),
    /// Bytes arrive at the client end of a connection.
    ToClient(u32, Vec<u8>),
    /// The client end learns that the server closed the connection.
    ClosedToClient(u32),
    /// Pull client `n` (`scenario.pulls[n]`) checks for mail (`pull.rs`).
    Pull(usize),
    /// A pull connection's TCP attempt reaches the server (or fails).
    PullConnect(u32),
    /// Bytes arrive at the server end of pull connection `n`.
    PullToServer(u32, Vec<u8>),
    /// Bytes arrive at the mail program's end of pull connection `n`.
    PullToClient(u32, Vec<u8>),
    /// The mail program learns that the server closed pull connection `n`.
    PullClosedToClient(u32),
    /// The server learns that the mail program closed pull connection `n`.
    PullClosedToServer(u32),
    /// An IMAP mail program's IDLE has lasted as long as it waits (`pull.idle`).
    PullIdleEnd(u32),
}

/// Why a connection exists.
#[derive(Debug, Clone)]
enum Purpose {
    /// A mail program submits scenario message `msg`, trying `hops[hop]` now: its configured
    /// server, or (a sending host without one) the recipients' MX hosts in order (RFC 5321 §5.1).
    Submit { msg: usize, hops: Vec<Hop>, hop: usize },
    /// A server delivers job `job`, trying `hops[hop]` now.
    Relay { job: usize, hops: Vec<Hop>, hop: usize },
}

/// One exchanger to try.
#[derive(Debug, Clone)]
struct Hop {
    host: String,
    address: String,
}

struct Conn {
    client: usize,
    /// The node at the address, when one exists.
    server: Option<usize>,
    address: String,
    port: u16,
    purpose: Purpose,
    cs: ClientSession,
    ss: Option<ServerSession>,
    /// The client has seen the end of the session.
    done: bool,
    /// Outcome per recipient, from the client's `Finished` event.
    outcomes: Vec<(String, SmtpOutcome)>,
    /// Why the connection failed before SMTP, if it did.
    failure: Option<ConnFailure>,
    /// The reply events the server sent that the client has not read yet, in order: the
    /// client's `ReplyReceived` says what each answers (RFC 2920 §3.1).
    unread: std::collections::VecDeque<usize>,
    /// The first refusal not about one recipient or the message (greeting, EHLO, STARTTLS,
    /// AUTH, MAIL): what it answered, its code, the reply on one line.
    session_refusal: Option<(Option<Answers>, u16, String)>,
    /// The `Received-SPF:` value for the transaction in progress (RFC 7208 §9.1), if checked.
    spf: Option<String>,
    /// The typed SPF result of the transaction in progress, for DMARC (RFC 7489 §4.2).
    spf_check: Option<SpfCheck>,
    /// What a `dmarc = true` server checked at the end of the data, until the message is
    /// accepted (its `Authentication-Results:` goes on top, RFC 8601 §5).
    auth: Option<AuthChecks>,
}

#[derive(Debug, Clone, Copy)]
enum ConnFailure {
    Refused,
    TimedOut,
    Blocked,
}

/// A message waiting in a server's queue for one destination domain.
#[derive(Debug, Clone)]
struct Job {
    node: usize,
    /// Message number (for the views).
    msg: u32,
    mail_from: String,
    domain: String,
    rcpts: Vec<JobRcpt>,
    data: Vec<u8>,
    queued_at: Millis,
    attempts: u32,
    next_attempt: Option<Millis>,
    warned: bool,
    is_bounce: bool,
    last_error: Option<String>,
    /// RET and ENVID of the MAIL command (RFC 3461 §4.3, §4.4): carried to the next hop and
    /// into every DSN about this message.
    ret: Option<Ret>,
    envid: Option<String>,
}

#[derive(Debug, Clone)]
struct JobRcpt {
    address: String,
    done: bool,
    /// The last temporary failure.
    last: Option<Failure>,
    /// NOTIFY and ORCPT of this recipient's RCPT (RFC 3461 §4.1, §4.2).
    params: RcptParams,
}

/// Why delivery to one recipient failed, as a DSN reports it (RFC 3464 §2.3).
#[derive(Debug, Clone)]
struct Failure {
    /// Enhanced status code (Status:).
    status: (u8, u16, u16),
    /// The SMTP reply, when a server answered (Diagnostic-Code:).
    diagnostic: Option<String>,
    /// The server that answered (Remote-MTA:), only when one did (§2.3.5).
    remote: Option<String>,
}

/// The DSN parameters a scenario message asks for (RFC 3461 §4), one RCPT entry per recipient.
fn dsn_request(m: &MessageSpec, rcpts: &[String]) -> DsnParams {
    let Some(d) = &m.dsn else { return DsnParams::default() };
    let notify = if d.notify.is_empty() {
        None
    } else if d.notify.contains(&DsnNotify::Never) {
        Some(Notify::Never)
    } else {
        Some(Notify::On {
            success: d.notify.contains(&DsnNotify::Success),
            failure: d.notify.contains(&DsnNotify::Failure),
            delay: d.notify.contains(&DsnNotify::Delay),
        })
    };
    DsnParams {
        ret: d.ret.map(|r| match r {
            DsnRet::Full => Ret::Full,
            DsnRet::Hdrs => Ret::Hdrs,
        }),
        envid: d.envid.clone(),
        // RFC 3461 §4.2: ORCPT=rfc822;<the address as the user wrote it>.
        rcpts: rcpts
            .iter()
            .map(|a| RcptParams { notify, orcpt: d.orcpt.then(|| ("rfc822".to_string(), a.clone())), other: Vec::new() })
            .collect(),
    }
}

/// The message a DSN is about: who sent it, when it arrived, its content and its RET/ENVID.
struct Report {
    node: usize,
    mail_from: String,
    msg: u32,
    queued_at: Millis,
    data: Vec<u8>,
    ret: Option<Ret>,
    envid: Option<String>,
}

/// Does this recipient's NOTIFY ask for a report of this kind (RFC 3461 §4.1)? Without NOTIFY
/// the MTA reports failures and delays (the usual default); with it, exactly what it lists.
fn notify_wants(params: &RcptParams, action: dsn::Action) -> bool {
    match (params.notify, action) {
        (None, dsn::Action::Failed | dsn::Action::Delayed) => true,
        (None, _) | (Some(Notify::Never), _) => false,
        (Some(Notify::On { failure, .. }), dsn::Action::Failed) => failure,
        (Some(Notify::On { delay, .. }), dsn::Action::Delayed) => delay,
        (Some(Notify::On { success, .. }), _) => success,
    }
}

/// One recipient of a DSN, with its ORCPT as `Original-Recipient:` (RFC 3461 §4.2, RFC 3464 §2.3.1).
#[allow(clippy::too_many_arguments)]
fn dsn_recipient(
    address: &str,
    params: &RcptParams,
    action: dsn::Action,
    status: (u8, u16, u16),
    remote: Option<String>,
    diagnostic: Option<String>,
    last: Option<String>,
    retry_until: Option<String>,
) -> dsn::DsnRecipient {
    dsn::DsnRecipient {
        original_recipient: params.orcpt.as_ref().map(|(t, a)| format!("{t};{a}")),
        final_recipient: address.to_string(),
        action,
        status,
        remote_mta: remote,
        diagnostic,
        last_attempt_date: last,
        will_retry_until: retry_until,
    }
}

impl Failure {
    fn new(status: (u8, u16, u16), diagnostic: Option<String>, remote: Option<String>) -> Self {
        Failure { status, diagnostic, remote }
    }
}

struct NodeState {
    spec: NodeSpec,
    ip: Option<IpAddr>,
    /// (client ip, sender, recipient) → first seen, for greylisting.
    greylist: BTreeMap<(String, String, String), Millis>,
    /// Queue ids handed out by this node.
    next_queue_id: u32,
}

struct World<'s> {
    sc: &'s Scenario,
    now: Millis,
    seq: u64,
    agenda: BTreeMap<(Millis, u64), Action>,
    nodes: Vec<NodeState>,
    conns: Vec<Conn>,
    jobs: Vec<Job>,
    rng: Rng,
    events: Vec<Event>,
    stored: Vec<StoredMessage>,
    summary: Summary,
    epoch: i64,
    /// The zone dates are written in: the offset of `clock.start` (seconds east of UTC).
    zone: i64,
    next_msg: u32,
    actions: usize,
    /// The scenario's DNS with the DKIM signers' keys published (`dkim::zone_with_keys`).
    dns: dns::Zone,
    /// Each node's DKIM signing key, if it signs.
    keys: Vec<Option<dkim::Key>>,
    /// The mail programs that read with POP3 or IMAP, their connections and the mail stores
    /// they read (empty without the `pull` feature).
    pulls: pull::Pulls,
}

pub(crate) fn addr_of(header: &str) -> String {
    // "Alice <alice@example.com>" → alice@example.com; a bare address stays as is.
    match (header.rfind('<'), header.rfind('>')) {
        (Some(a), Some(b)) if a < b => header[a + 1..b].trim().to_string(),
        _ => header.trim().to_string(),
    }
}

/// First line of a reply, with the other lines' text summarised (the EHLO keyword list).
fn reply_label(reply: &crate::smtp::reply::Reply) -> String {
    let enhanced = reply.enhanced.map(|e| format!(" {e}")).unwrap_or_default();
    let first = reply.lines.first().map(String::as_str).unwrap_or("");
    let mut label = format!("{}{} {}", reply.code.0, enhanced, first).trim_end().to_string();
    if reply.lines.len() > 1 {
        let rest: Vec<&str> = reply.lines[1..].iter().map(String::as_str).collect();
        label.push_str(&format!(" [+ {}]", rest.join(", ")));
    }
    label
}

fn one_line(reply: &crate::smtp::reply::Reply) -> String {
    crate::smtp::encode::reply(reply).trim_end().replace("\r\n", " ")
}

fn status_of(reply: &crate::smtp::reply::Reply) -> (u8, u16, u16) {
    match reply.enhanced {
        Some(e) => (e.class, e.subject, e.detail),
        // RFC 3463 §3.1/§3.2: without an enhanced code, the class from the reply's first digit.
        None => ((reply.code.0 / 100) as u8, 0, 0),
    }
}

impl<'s> World<'s> {
    fn new(sc: &'s Scenario) -> Self {
        let nodes = sc
            .nodes
            .iter()
            .map(|n| NodeState { spec: n.clone(), ip: n.address.parse().ok(), greylist: BTreeMap::new(), next_queue_id: 1 })
            .collect();
        let keys = dkim::scenario_keys(sc);
        let mut w = World {
            dns: dkim::zone_with_keys(sc, &keys),
            keys,
            sc,
            now: 0,
            seq: 0,
            agenda: BTreeMap::new(),
            nodes,
            conns: Vec::new(),
            jobs: Vec::new(),
            rng: Rng::new(sc.seed),
            events: Vec::new(),
            stored: Vec::new(),
            summary: Summary::default(),
            epoch: date::parse_iso8601_utc(&sc.clock.start).unwrap_or(0),
            zone: date::iso8601_offset(&sc.clock.start),
            next_msg: 1,
            actions: 0,
            pulls: pull::Pulls::default(),
        };
        for (i, m) in sc.messages.iter().enumerate() {
            w.schedule(m.at.0, Action::Submit(i));
        }
        if PULL {
            w.schedule_pulls();
        }
        w
    }

    fn schedule(&mut self, at: Millis, action: Action) {
        self.seq += 1;
        self.agenda.insert((at, self.seq), action);
    }

    fn latency(&self) -> Millis {
        self.sc.clock.latency.0
    }

    fn date(&self, t: Millis) -> String {
        date::rfc5322_date_in(self.epoch + (t / 1000) as i64, self.zone)
    }

    fn id(&self, node: usize) -> String {
        self.nodes[node].spec.id.clone()
    }

    #[allow(clippy::too_many_arguments)]
    fn push(
        &mut self,
        from: String,
        to: Option<String>,
        layer: Layer,
        kind: Kind,
        label: String,
        meaning: Cow<'static, str>,
    ) -> &mut Event {
        let seq = self.events.len();
        self.events.push(Event {
            seq,
            time: self.now,
            from,
            to,
            layer,
            kind,
            conn: None,
            label,
            raw: None,
            meaning,
            key: None,
            facts: None,
            bounce: false,
            narration: None,
            job: None,
        });
        self.events.last_mut().expect("just pushed")
    }

    fn run(&mut self) {
        while let Some(((at, _), action)) = self.agenda.pop_first() {
            self.actions += 1;
            if self.actions > MAX_ACTIONS || at > MAX_TIME {
                let label = "simulation stopped: limit reached".to_string();
                self.push(
                    "dns".into(),
                    None,
                    Layer::Queue,
                    Kind::UserNotice,
                    label,
                    format!(
                        "the run was cut after {} actions / {} of virtual time to guarantee it ends",
                        MAX_ACTIONS,
                        super::clock::Span(MAX_TIME)
                    )
                    .into(),
                );
                break;
            }
            self.now = at;
            match action {
                Action::Submit(i) => self.submit(i),
                Action::Attempt(j) => self.attempt(j),
                Action::Connect(c) => self.connect_arrives(c),
                Action::ToServer(c, bytes) => self.deliver_to_server(c, bytes),
                Action::ToClient(c, bytes) => self.deliver_to_client(c, bytes),
                Action::ClosedToClient(c) => {
                    self.conns[c as usize].cs.connection_closed();
                    self.pump_client(c);
                }
                // `if PULL`: a constant, so the viewer build (no `pull` feature) drops the
                // retrieval cores with these arms; nothing schedules them there anyway.
                Action::Pull(p) if PULL => self.pull(p),
                Action::PullConnect(k) if PULL => self.pull_connect_arrives(k),
                Action::PullToServer(k, bytes) if PULL => self.pull_to_server(k, &bytes),
                Action::PullToClient(k, bytes) if PULL => self.pull_to_client(k, &bytes),
                Action::PullClosedToClient(k) if PULL => self.pull_closed_to_client(k),
                Action::PullClosedToServer(k) if PULL => self.pull_closed_to_server(k),
                Action::PullIdleEnd(k) if PULL => self.pull_idle_end(k),
                Action::Pull(_)
                | Action::PullConnect(_)
                | Action::PullToServer(..)
                | Action::PullToClient(..)
                | Action::PullClosedToClient(_)
                | Action::PullClosedToServer(_)
                | Action::PullIdleEnd(_) => {}
            }
        }
    }

    // ───────────────────────── DNS ─────────────────────────

    fn trace_lookups(&mut self, node: usize, lookups: &[Lookup], bounce: bool) {
        let who = self.id(node);
        for l in lookups {
            let q = format!("{} {}?", l.name, l.qtype.as_str());
            let key = format!("dns-{}", l.qtype.as_str().to_ascii_lowercase());
            let ev = self.push(
                who.clone(),
                Some("dns".into()),
                Layer::Dns,
                Kind::DnsQuery,
                q,
                format!("{} asks DNS for the {} records of {}", who, l.qtype.as_str(), l.name).into(),
            );
            ev.key = Some(key.into());
            ev.bounce = bounce;
            let (label, meaning) = match &l.answer {
                Answer::Records(r) => (r.join(", "), format!("{} {} record(s): {}", r.len(), l.qtype.as_str(), r.join(", "))),
                Answer::NoData => ("no records (NODATA)".to_string(), format!("{} exists but has no {} records", l.name, l.qtype.as_str())),
                Answer::NxDomain => ("NXDOMAIN".to_string(), format!("{} does not exist: a permanent answer", l.name)),
                Answer::ServFail => {
                    ("SERVFAIL".to_string(), format!("the DNS server for {} failed: a temporary answer, try again later", l.name))
                }
            };
            let key = match &l.answer {
                Answer::Records(_) => None,
                Answer::NoData => Some("dns-nodata"),
                Answer::NxDomain => Some("dns-nxdomain"),
                Answer::ServFail => Some("dns-servfail"),
            };
            let ev = self.push("dns".into(), Some(who.clone()), Layer::Dns, Kind::DnsAnswer, label, meaning.into());
            ev.key = key.map(Cow::Borrowed);
            ev.bounce = bounce;
        }
    }

    fn node_at(&self, address: &str) -> Option<usize> {
        let ip: IpAddr = address.parse().ok()?;
        self.nodes.iter().position(|n| n.ip == Some(ip) && n.spec.kind == NodeKind::Server)
    }

    // ───────────────────────── the mail program ─────────────────────────

    fn submit(&mut self, i: usize) {
        let m = &self.sc.messages[i];
        let Some(client) = self.nodes.iter().position(|n| n.spec.id == m.client) else { return };
        // Node i is scenario node i; borrowing from the scenario (not `self`) avoids a clone.
        let sc = self.sc;
        let spec = &sc.nodes[client];
        let port = spec.port.unwrap_or(if spec.server.is_some() { 587 } else { 25 });
        let rcpts: Vec<String> = m.to.iter().chain(m.cc.iter()).map(|a| addr_of(a)).collect();
        let label = match &m.data {
            // A message given as written: its own Subject: line, if it has one.
            Some(data) => match data.lines().take_while(|l| !l.is_empty()).find_map(|l| l.strip_prefix("Subject:")) {
                Some(subject) => format!("send \"{}\" to {}", subject.trim(), rcpts.join(", ")),
                None => format!("send a message to {}", rcpts.join(", ")),
            },
            None => format!("send \"{}\" to {}", m.subject, rcpts.join(", ")),
        };
        let meaning = match &spec.server {
            Some(server_host) if port == 25 => format!(
                "{} sends the message straight to {server_host} on port 25, the port servers use between themselves (not submission)",
                spec.name
            ),
            Some(server_host) => format!(
                "{} presses Send; the mail program will submit the message to {server_host} on port {port} (submission, RFC 6409)",
                spec.name
            ),
            None => format!(
                "{} sends the message itself: it looks up where {} receives mail (MX records, RFC 5321 §5.1) and connects there on port 25",
                spec.name,
                domain_of(&rcpts[0])
            ),
        };
        let ev = self.push(spec.id.clone(), None, Layer::User, Kind::Send, label, meaning.into());
        ev.key = Some("user-send".into());
        let hops = match &spec.server {
            Some(server_host) => {
                let mut lookups = Vec::new();
                let addrs = self.dns.addresses(server_host, &mut lookups);
                self.trace_lookups(client, &lookups, false);
                match addrs {
                    Ok(a) => vec![Hop { host: server_host.clone(), address: a.into_iter().next().unwrap_or_default() }],
                    Err(answer) => {
                        let why = match answer {
                            Answer::NxDomain => format!("the server name {server_host} does not exist (DNS says NXDOMAIN): check the outgoing server in the account settings"),
                            Answer::ServFail => format!("DNS could not be asked about {server_host} right now (SERVFAIL)"),
                            _ => format!("{server_host} has no address record"),
                        };
                        self.user_error(client, &rcpts, format!("Cannot connect to the SMTP server {server_host}: {why}."));
                        return;
                    }
                }
            }
            None => {
                // RFC 5321 §5.1: the lookup first asks for MX records; the exchangers are tried
                // best preference first. (`validate` keeps such a client to one domain.)
                let domain = domain_of(&rcpts[0]).to_string();
                let (route, lookups) = dns::route(&self.dns, &domain, &mut self.rng);
                self.trace_lookups(client, &lookups, false);
                let why = match route {
                    Route::Exchangers(list) => {
                        let hops: Vec<Hop> = list
                            .into_iter()
                            .filter_map(|e| {
                                e.addresses.ok().and_then(|a| a.into_iter().next()).map(|address| Hop { host: e.host, address })
                            })
                            .collect();
                        if !hops.is_empty() {
                            return self.submit_via(i, client, hops, 0);
                        }
                        format!("no mail exchanger of {domain} has an address")
                    }
                    Route::NullMx => format!("{domain} publishes a null MX: it accepts no mail (RFC 7505)"),
                    Route::NoSuchDomain => format!("the domain {domain} does not exist (DNS says NXDOMAIN)"),
                    Route::NoMailHost => format!("{domain} has no MX and no address record"),
                    Route::TempFail => format!("DNS could not be asked about {domain} right now (SERVFAIL)"),
                };
                self.user_error(client, &rcpts, format!("Cannot send to {domain}: {why}."));
                return;
            }
        };
        self.submit_via(i, client, hops, 0);
    }

    /// Opens the mail program's connection to `hops[hop]` for scenario message `i`.
    fn submit_via(&mut self, i: usize, client: usize, hops: Vec<Hop>, hop: usize) {
        let sc = self.sc;
        let m = &sc.messages[i];
        let spec = &sc.nodes[client];
        let port = spec.port.unwrap_or(if spec.server.is_some() { 587 } else { 25 });
        let rcpts: Vec<String> = m.to.iter().chain(m.cc.iter()).map(|a| addr_of(a)).collect();
        let address = hops[hop].address.clone();
        let message = self.compose(i, &spec.host);
        let from = m.envelope_from.clone().unwrap_or_else(|| addr_of(&m.from));
        let cfg = ClientConfig {
            hostname: spec.host.clone(),
            starttls: spec.starttls,
            credentials: spec.login.as_ref().map(|l| Credentials {
                user: l.user.clone(),
                password: l.password.clone(),
                mechanism: "PLAIN".into(),
            }),
            ..ClientConfig::default()
        };
        let to: Vec<&str> = rcpts.iter().map(String::as_str).collect();
        let Some(tx) = Transaction::new(&from, &to, message).map(|t| Transaction {
            vrfy: m.vrfy.clone(),
            abort_if_refused: m.abort_if_refused,
            ..t.with_dsn(dsn_request(m, &rcpts))
        }) else {
            self.user_error(
                client,
                &rcpts,
                format!("The mail program cannot send: an address is not valid ({from} → {}).", rcpts.join(", ")),
            );
            return;
        };
        self.open(client, address, port, Purpose::Submit { msg: i, hops, hop }, ClientSession::new(cfg, vec![tx]));
    }

    fn compose(&mut self, i: usize, client_host: &str) -> Vec<u8> {
        let m = &self.sc.messages[i];
        if let Some(data) = &m.data {
            return mime::to_crlf(data).into_bytes();
        }
        let mut body = m.body.clone();
        if let Some(target) = m.pad_to {
            let line = "This line is filler to make the message larger than the server allows.\n";
            while (body.len() as u64) < target {
                body.push_str(line);
            }
        }
        let attachments = m
            .attachments
            .iter()
            .map(|a| mime::Attachment {
                filename: a.filename.clone(),
                content_type: a.content_type.clone(),
                data: match (&a.text, &a.base64) {
                    // RFC 2046 §4.1.1: text is CRLF-delimited before it is base64-encoded.
                    (Some(t), _) if a.content_type.to_ascii_lowercase().starts_with("text/") => mime::to_crlf(t).into_bytes(),
                    (Some(t), _) => t.clone().into_bytes(),
                    (None, Some(b)) => mime::base64_decode(b).unwrap_or_default(),
                    _ => Vec::new(),
                },
            })
            .collect();
        let compose = mime::Compose {
            from: m.from.clone(),
            to: m.to.clone(),
            cc: m.cc.clone(),
            subject: m.subject.clone(),
            date: self.date(self.now),
            message_id: format!("<{}.{}@{}>", i + 1, self.sc.seed, client_host),
            body,
            attachments,
            extra_headers: Vec::new(),
        };
        mime::build(&compose)
    }

    fn user_error(&mut self, client: usize, rcpts: &[String], text: String) {
        self.summary.not_sent += rcpts.len();
        let who = self.id(client);
        let ev = self.push(
            who,
            None,
            Layer::User,
            Kind::UserNotice,
            text.clone(),
            format!("{text} The message stays in the outbox; no server accepted it, so nobody sends a bounce.").into(),
        );
        ev.key = Some("user-notice".into());
    }

    // ───────────────────────── connections ─────────────────────────

    fn open(&mut self, client: usize, address: String, port: u16, purpose: Purpose, cs: ClientSession) {
        let id = self.conns.len() as u32;
        let server = self.node_at(&address);
        let bounce = self.purpose_is_bounce(&purpose);
        self.conns.push(Conn {
            client,
            server,
            address: address.clone(),
            port,
            purpose,
            cs,
            ss: None,
            done: false,
            outcomes: Vec::new(),
            failure: None,
            unread: std::collections::VecDeque::new(),
            session_refusal: None,
            spf: None,
            spf_check: None,
            auth: None,
        });
        let to = server.map(|s| self.id(s));
        let who = self.id(client);
        let ev = self.push(
            who,
            to,
            Layer::Tcp,
            Kind::Connect,
            format!("connect {address}:{port}"),
            format!("opens a TCP connection to {address} port {port}").into(),
        );
        ev.conn = Some(id);
        ev.bounce = bounce;
        let (delay, failure) = self.reach(client, server, port);
        self.conns[id as usize].failure = failure;
        self.schedule(self.now + delay, Action::Connect(id));
    }

    /// How a TCP connection from `client` to `server` on `port` goes: after how long the
    /// client learns the outcome, and the failure if it fails.
    fn reach(&self, client: usize, server: Option<usize>, port: u16) -> (Millis, Option<ConnFailure>) {
        let spec = &self.nodes[client].spec;
        if spec.blocked_ports.contains(&port) {
            (self.sc.clock.timeout.0, Some(ConnFailure::Blocked))
        } else {
            match server.map(|s| &self.nodes[s].spec) {
                None => (self.sc.clock.timeout.0, Some(ConnFailure::TimedOut)),
                Some(s) if s.unreachable => (self.sc.clock.timeout.0, Some(ConnFailure::TimedOut)),
                Some(s) if s.down || s.down_until.is_some_and(|u| self.now < u.0) || !s.ports.contains(&port) => {
                    (2 * self.latency(), Some(ConnFailure::Refused))
                }
                Some(_) => (self.latency(), None),
            }
        }
    }

    fn purpose_is_bounce(&self, p: &Purpose) -> bool {
        match p {
            Purpose::Relay { job, .. } => self.jobs[*job].is_bounce,
            Purpose::Submit { .. } => false,
        }
    }

    fn connect_arrives(&mut self, c: u32) {
        let conn = &self.conns[c as usize];
        let who = self.id(conn.client);
        let bounce = self.purpose_is_bounce(&conn.purpose);
        if let Some(f) = conn.failure {
            let (label, meaning, key) = match f {
                ConnFailure::Refused => ("connection refused", format!("nothing accepts connections on {}:{} (the host or its mail service is down)", conn.address, conn.port), "connect-refused"),
                ConnFailure::TimedOut => ("connection timed out", format!("no answer from {}:{} within {}", conn.address, conn.port, self.sc.clock.timeout), "connect-timeout"),
                ConnFailure::Blocked => ("connection timed out (port blocked)", format!("the client's own network blocks outgoing connections to port {} (providers do this to stop spam bots); use port 587 with AUTH", conn.port), "connect-blocked"),
            };
            let ev = self.push(who, None, Layer::Tcp, Kind::ConnectFailed, label.into(), meaning.into());
            ev.conn = Some(c);
            ev.key = Some(key.into());
            ev.bounce = bounce;
            self.connection_ended(c);
            return;
        }
        let server = conn.server.expect("a connection without failure has a server");
        let sc = self.sc;
        let spec = &sc.nodes[server];
        let port = conn.port;
        let to = self.id(server);
        let ev = self.push(
            to.clone(),
            Some(who),
            Layer::Tcp,
            Kind::Connected,
            "connection accepted".into(),
            format!("{} accepts the connection on port {port}", spec.host).into(),
        );
        ev.conn = Some(c);
        ev.bounce = bounce;
        let cfg = server_config(spec, port);
        let peer =
            format!("{} [{}]", self.nodes[self.conns[c as usize].client].spec.host, self.nodes[self.conns[c as usize].client].spec.address);
        let ss = if spec.shutting_down { ServerSession::busy(cfg) } else { ServerSession::new(cfg) }.with_peer(peer);
        self.conns[c as usize].ss = Some(ss);
        self.pump_server(c);
    }

    /// Feeds bytes to the server end, then moves its output and events.
    fn deliver_to_server(&mut self, c: u32, bytes: Vec<u8>) {
        let conn = &mut self.conns[c as usize];
        let Some(server) = conn.server else { return };
        let client_ip = self.nodes[conn.client].ip;
        let Some(ss) = conn.ss.as_mut() else { return };
        let NodeState { spec, greylist, .. } = &mut self.nodes[server];
        // Drawn only for servers that apply DMARC, so other scenarios keep their random stream.
        let dmarc_sample = if spec.dmarc { self.rng.below(100) as u8 } else { 0 };
        let mut policy = NodePolicy {
            spec,
            zone: &self.dns,
            client_ip,
            now: self.now,
            greylist,
            max_received: self.sc.clock.max_received,
            lookups: Vec::new(),
            spf_notes: Vec::new(),
            spf_header: None,
            mail_from: String::new(),
            unix_now: u64::try_from(self.epoch + (self.now / 1000) as i64).unwrap_or(0),
            dmarc_sample,
            spf_result: conn.spf_check.take(),
            auth: None,
        };
        ss.receive(&bytes, &mut policy);
        let lookups = std::mem::take(&mut policy.lookups);
        if let Some(h) = policy.spf_header.take() {
            conn.spf = h;
        }
        conn.spf_check = policy.spf_result.take();
        let auth = policy.auth.take();
        if !lookups.is_empty() {
            self.trace_lookups(server, &lookups, false);
        }
        if let Some(checks) = auth {
            self.auth_checked(server, c, &checks);
            self.conns[c as usize].auth = Some(checks);
        }
        self.pump_server(c);
    }

    fn pump_server(&mut self, c: u32) {
        let lat = self.latency();
        let mut closed = false;
        loop {
            let conn = &mut self.conns[c as usize];
            let Some(ss) = conn.ss.as_mut() else { return };
            let Some(event) = ss.poll_event() else { break };
            closed |= event == ServerEvent::Closed;
            self.server_event(c, event);
        }
        let mut out = Vec::new();
        if let Some(ss) = self.conns[c as usize].ss.as_mut() {
            while let Some(bytes) = ss.poll_output() {
                out.extend_from_slice(&bytes);
            }
        }
        if !out.is_empty() {
            self.schedule(self.now + lat, Action::ToClient(c, out));
        }
        if closed {
            // After the bytes in flight (the 221 to QUIT arrives before the close): the client
            // reads every reply the server sent.
            self.schedule(self.now + lat, Action::ClosedToClient(c));
        }
    }

    fn server_event(&mut self, c: u32, event: ServerEvent) {
        let conn = &self.conns[c as usize];
        let server = conn.server.expect("server events come from a connected server");
        let who = self.id(server);
        let peer = self.id(conn.client);
        let bounce = self.purpose_is_bounce(&conn.purpose);
        match event {
            ServerEvent::ReplySent { reply, bytes, spec, transition, state_before, state_after } => {
                let label = reply_label(&reply);
                let seq = self.events.len();
                self.conns[c as usize].unread.push_back(seq);
                let ev = self.push(who, Some(peer), Layer::Smtp, Kind::Reply, label, Cow::Borrowed(""));
                ev.conn = Some(c);
                ev.raw = Some(String::from_utf8_lossy(&bytes).into_owned());
                ev.facts = Some(Facts::SmtpReply(SmtpReply::new(&reply, spec, transition, state_before, state_after)));
                ev.bounce = bounce;
            }
            ServerEvent::TlsStarted => {
                let ev = self.push(peer, Some(who), Layer::Tcp, Kind::TlsHandshake, "TLS handshake (simulated)".into(), "client and server negotiate TLS; from now on the connection is encrypted, and both sides forget the SMTP state: the client must send EHLO again (RFC 3207 §4.2)".into());
                ev.conn = Some(c);
                ev.key = Some("tls-handshake".into());
                ev.bounce = bounce;
            }
            ServerEvent::MessageAccepted { envelope, data } => {
                self.note_handover(c, &envelope);
                self.accept(server, c, envelope, data)
            }
            ServerEvent::Closed => {
                let ev = self.push(
                    who,
                    Some(peer),
                    Layer::Tcp,
                    Kind::Close,
                    "connection closed".into(),
                    "the server closes the TCP connection".into(),
                );
                ev.conn = Some(c);
                ev.bounce = bounce;
            }
            _ => {}
        }
    }

    fn deliver_to_client(&mut self, c: u32, bytes: Vec<u8>) {
        self.conns[c as usize].cs.receive(&bytes);
        self.pump_client(c);
    }

    fn pump_client(&mut self, c: u32) {
        let lat = self.latency();
        while let Some(event) = self.conns[c as usize].cs.poll_event() {
            self.client_event(c, event);
        }
        let mut out = Vec::new();
        while let Some(bytes) = self.conns[c as usize].cs.poll_output() {
            out.extend_from_slice(&bytes);
        }
        if !out.is_empty() {
            self.schedule(self.now + lat, Action::ToServer(c, out));
        }
        let conn = &self.conns[c as usize];
        if conn.cs.is_finished() && !conn.done {
            self.conns[c as usize].done = true;
            self.connection_ended(c);
        }
    }

    fn client_event(&mut self, c: u32, event: ClientEvent) {
        let conn = &self.conns[c as usize];
        let who = self.id(conn.client);
        let peer = conn.server.map(|s| self.id(s));
        let bounce = self.purpose_is_bounce(&conn.purpose);
        match event {
            ClientEvent::CommandSent { command, bytes } => {
                let label = String::from_utf8_lossy(&bytes).trim_end().to_string();
                let ev = self.push(who, peer, Layer::Smtp, Kind::Command, label, Cow::Borrowed(""));
                ev.conn = Some(c);
                ev.raw = Some(String::from_utf8_lossy(&bytes).into_owned());
                ev.facts = Some(Facts::SmtpCommand { verb: command.verb() });
                ev.bounce = bounce;
            }
            ClientEvent::DataSent { bytes } => {
                let lines = bytes.iter().filter(|&&b| b == b'\n').count();
                let ev = self.push(who, peer, Layer::Smtp, Kind::Data, format!("message data ({} octets, {lines} lines, ends with <CRLF>.<CRLF>)", bytes.len()), "the message itself: headers, blank line, body; lines starting with '.' get an extra dot (RFC 5321 §4.5.2), and a line with a single dot ends it".into());
                ev.conn = Some(c);
                ev.raw = Some(String::from_utf8_lossy(&bytes).into_owned());
                ev.key = Some("data".into());
                ev.bounce = bounce;
            }
            ClientEvent::ReplyReceived { reply, answers, .. } => {
                let conn = &mut self.conns[c as usize];
                if let Some(Some(Facts::SmtpReply(r))) = conn.unread.pop_front().map(|i| self.events[i].facts.as_mut()) {
                    r.answers = answers;
                }
                let about_session = !matches!(
                    answers,
                    Some(
                        Answers::Command(Verb::Rcpt | Verb::Data | Verb::Bdat | Verb::Quit | Verb::Rset)
                            | Answers::EndOfData
                            | Answers::Chunk { .. }
                    )
                );
                if reply.code.0 >= 400 && about_session && conn.session_refusal.is_none() {
                    conn.session_refusal = Some((answers, reply.code.0, one_line(&reply)));
                }
            }
            ClientEvent::Finished { outcomes } => {
                self.conns[c as usize].outcomes = outcomes
                    .into_iter()
                    .flatten()
                    .map(|(rcpt, o)| (rcpt.to_string().trim_matches(|ch| ch == '<' || ch == '>').to_string(), o))
                    .collect();
            }
            _ => {}
        }
    }

    /// The client side is over (finished, refused, or never connected): act on the outcome.
    fn connection_ended(&mut self, c: u32) {
        let conn = &self.conns[c as usize];
        let purpose = conn.purpose.clone();
        let failure = conn.failure;
        let summary = conn.outcomes.clone();
        let next_hop_dsn = conn.cs.extensions().iter().any(|(k, _)| k == "DSN");
        match purpose {
            Purpose::Submit { msg, hops, hop } => {
                let m = &self.sc.messages[msg];
                let rcpts: Vec<String> = m.to.iter().chain(m.cc.iter()).map(|a| addr_of(a)).collect();
                let client = self.conns[c as usize].client;
                let server_host = hops[hop].host.clone();
                // RFC 5321 §5.1: a sending host that could not connect tries the next MX.
                if failure.is_some() && hop + 1 < hops.len() {
                    self.submit_via(msg, client, hops, hop + 1);
                    return;
                }
                if failure.is_some() {
                    let port = self.conns[c as usize].port;
                    let why = match failure {
                        Some(ConnFailure::Blocked) => format!("the connection timed out (port {port} may be blocked by your network: providers often block 25 — use port 587 with a login)"),
                        Some(ConnFailure::TimedOut) => "the server did not answer".into(),
                        _ => "the connection was refused".into(),
                    };
                    self.user_error(client, &rcpts, format!("Cannot connect to the SMTP server {server_host} (port {port}): {why}."));
                    return;
                }
                if let Some((answers, code, reply)) = self.conns[c as usize].session_refusal.clone() {
                    let mail = answers == Some(Answers::Command(Verb::Mail));
                    let (what, hint) = match answers {
                        None | Some(Answers::Greeting) => {
                            ("the connection", "the server is not accepting mail right now; the mail program will try again later")
                        }
                        Some(Answers::Command(Verb::Auth) | Answers::AuthLine) => {
                            ("the login (AUTH)", "check the user name and password in the account settings")
                        }
                        Some(Answers::Command(Verb::Mail)) => {
                            ("the sender (MAIL FROM)", "the server does not accept mail from this sender or this connection")
                        }
                        Some(Answers::Command(Verb::StartTls)) => ("STARTTLS", "the connection could not be secured"),
                        Some(_) => ("the session", "see the server's reply"),
                    };
                    let (what, hint) = if code == 530 && mail {
                        (
                            "to take mail before the client logs in or starts TLS",
                            "turn on SMTP authentication (and STARTTLS) in the account settings, as the server's reply says",
                        )
                    } else {
                        (what, hint)
                    };
                    let text = format!("The server {server_host} refused {what}: {reply}. The message was not sent — {hint}.");
                    self.summary.refused_in_session += rcpts.len();
                    let who = self.id(client);
                    let ev = self.push(who, None, Layer::User, Kind::UserNotice, text, "the mail program shows this error to its user; the refusal came inside the SMTP session, so there is no bounce message: the program already knows (RFC 5321 §3.6.3, §6.1)".into());
                    ev.key = Some("user-notice".into());
                    return;
                }
                let mut failed: Vec<String> = Vec::new();
                let mut abandoned: Vec<&str> = Vec::new();
                for r in &rcpts {
                    match summary.iter().find(|(a, _)| a.eq_ignore_ascii_case(r)).map(|(_, o)| o) {
                        Some(SmtpOutcome::Delivered) => {}
                        Some(SmtpOutcome::Abandoned) => abandoned.push(r),
                        Some(SmtpOutcome::TempFailed(reply) | SmtpOutcome::PermFailed(reply)) => {
                            failed.push(format!("{r}: {}", one_line(reply)))
                        }
                        None => failed.push(format!("{r}: not sent")),
                    }
                }
                if !abandoned.is_empty() {
                    // RFC 5321 §4.1.1.5: after RSET the server keeps nothing of the transaction.
                    self.summary.not_sent += abandoned.len();
                    let who = self.id(client);
                    let text = format!(
                        "Not sent to {}: the mail program abandoned the whole message with RSET because another recipient was refused.",
                        abandoned.join(", ")
                    );
                    let ev = self.push(who, None, Layer::User, Kind::UserNotice, text, "the mail program sends to all recipients or to none; the server forgot the accepted ones at RSET (RFC 5321 §4.1.1.5)".into());
                    ev.key = Some("user-notice".into());
                }
                if !failed.is_empty() {
                    self.summary.refused_in_session += failed.len();
                    let who = self.id(client);
                    let text = format!("The server {server_host} refused: {}", failed.join("; "));
                    let ev = self.push(who, None, Layer::User, Kind::UserNotice, text.clone(), "the mail program shows this error to its user; the refusal came inside the SMTP session, so there is no bounce message: the program already knows (RFC 5321 §3.6.3, §6.1)".into());
                    ev.key = Some("user-notice".into());
                }
            }
            Purpose::Relay { job, hops, hop } => self.relay_ended(job, hops, hop, failure, &summary, next_hop_dsn),
        }
    }
}

// ───────────────────────── servers: acceptance, queue, delivery ─────────────────────────

impl World<'_> {
    fn is_local(&self, node: usize, address: &str) -> bool {
        is_local(&self.nodes[node].spec, address)
    }

    /// The server accepted a message (the 250 after the data): it is now responsible for it
    /// (RFC 5321 §4.1.1.4, §6.1). Add one Received: line (§4.4), then deliver locally or queue.
    fn accept(&mut self, node: usize, c: u32, envelope: Envelope, data: Vec<u8>) {
        let qid = self.nodes[node].next_queue_id;
        self.nodes[node].next_queue_id += 1;
        let conn = &self.conns[c as usize];
        let client = &self.nodes[conn.client];
        let spec = &self.nodes[node].spec;
        // RFC 3848 protocol names: ESMTP + S (TLS) + A (authenticated); RFC 6531 §4.3:
        // UTF8SMTP instead of ESMTP when the transaction used SMTPUTF8.
        let mut with = String::from(if envelope.mail_params.smtputf8 {
            "UTF8SMTP"
        } else if envelope.esmtp {
            "ESMTP"
        } else {
            "SMTP"
        });
        if envelope.tls {
            with.push('S');
        }
        if envelope.auth_user.is_some() {
            with.push('A');
        }
        let id = format!("{node:04X}{qid:04X}");
        let date = self.date(self.now);
        let data = match &spec.received {
            // The node's own wording (RFC 5321 Appendix D.3's is `from bar.com by foo.com ;
            // date`); §4.4 asks for FROM and BY and leaves the rest optional.
            Some(template) => {
                let fields = [
                    ("{helo}", envelope.helo.as_str()),
                    ("{client_host}", client.spec.host.as_str()),
                    ("{client_address}", client.spec.address.as_str()),
                    ("{host}", spec.host.as_str()),
                    ("{with}", with.as_str()),
                    ("{id}", id.as_str()),
                    ("{date}", date.as_str()),
                    // The date in two parts (RFC 5322 §3.3 date and time), to fold between them.
                    ("{date_day}", date.rsplitn(3, ' ').nth(2).unwrap_or("")),
                    ("{date_time}", date.split_once(' ').and_then(|(_, rest)| rest.splitn(4, ' ').nth(3)).unwrap_or("")),
                ];
                let value = fields.iter().fold(template.clone(), |v, (name, value)| v.replace(name, value));
                mime::prepend_folded(&data, "Received", &value)
            }
            None => {
                let received = format!(
                    "from {} ({} [{}]) by {} with {} id {id}; {date}",
                    envelope.helo, client.spec.host, client.spec.address, spec.host, with
                );
                mime::prepend_header(&data, "Received", &received)
            }
        };
        // RFC 7208 §9.1: Received-SPF goes above the Received: field of the same receiver.
        let data = match &conn.spf {
            Some(spf) => mime::prepend_header(&data, "Received-SPF", spf),
            None => data,
        };
        // RFC 8601 §5: Authentication-Results goes on top, above this server's trace fields.
        let auth = self.conns[c as usize].auth.take();
        let data = match &auth {
            Some(a) => [a.header.as_bytes(), &data].concat(),
            None => data,
        };
        let from = match &envelope.from {
            ReversePath::Null => String::new(),
            ReversePath::Path(p) => p.mailbox.to_string(),
        };
        let is_bounce = from.is_empty();
        let rcpts: Vec<String> = envelope
            .rcpts
            .iter()
            .map(|(r, _)| match r {
                ForwardPath::Postmaster(_) => "postmaster".to_string(),
                ForwardPath::Path(p) => p.mailbox.to_string(),
            })
            .collect();
        // RFC 3461 §4: a server that offers DSN keeps the parameters it accepted with the message.
        let dsn = DsnParams {
            ret: envelope.mail_params.ret,
            envid: envelope.mail_params.envid.clone(),
            rcpts: envelope.rcpts.iter().map(|(_, p)| p.clone()).collect(),
        };
        // A signer signs what leaves it (mail for its own mailboxes stays unsigned).
        let data = if rcpts.iter().any(|r| !self.is_local(node, r)) { self.sign(node, data, &from, false, Some(c)) } else { data };
        self.take_responsibility(node, &from, &rcpts, &dsn, data, is_bounce, Some(c));
    }

    /// A `dmarc = true` server checked a message at the end of its data (RFC 7489 §6.6): one
    /// event with the typed checks, its meaning the verdicts in words.
    fn auth_checked(&mut self, node: usize, c: u32, checks: &AuthChecks) {
        let who = self.id(node);
        let mut label = Vec::new();
        let mut why = Vec::new();
        if let Some(s) = &checks.spf {
            label.push(format!("spf={}", s.result.as_str()));
        }
        for d in &checks.dkim {
            label.push(format!("dkim={} (d={})", d.result.as_str(), d.domain));
            why.push(format!("DKIM {}: {}.", d.result.as_str(), d.reason));
        }
        if checks.dkim.is_empty() {
            label.push("dkim=none".into());
        }
        match &checks.dmarc {
            Some(d) => {
                label.push(format!("dmarc={}", d.result.as_str()));
                why.push(format!("DMARC {}: {}.", d.result.as_str(), d.reason));
                if d.result == dmarc::DmarcResult::Fail {
                    why.push(match d.disposition {
                        dmarc::Disposition::Reject => format!("{who} refuses the message (550 5.7.26)."),
                        dmarc::Disposition::Quarantine => format!("{who} accepts it but files it as junk (quarantine)."),
                        dmarc::Disposition::None => format!("{who} delivers it anyway: the policy is p=none (monitoring only)."),
                    });
                }
            }
            None => why.push(checks.note.clone()),
        }
        let ev =
            self.push(who, None, Layer::Smtp, Kind::AuthChecked, format!("checks the sender: {}", label.join(", ")), why.join(" ").into());
        ev.key = Some("auth-checked".into());
        ev.conn = Some(c);
        ev.raw = Some(checks.header.clone());
        ev.facts = Some(Facts::Authentication(Box::new(checks.clone())));
    }

    /// A signer (a node with `dkim`) signs mail whose From: or envelope sender is in one of its
    /// domains (RFC 6376 §5: the signer vouches with its own d=, whatever From: says), or —
    /// `always` — any mail it resends in its own name (a mailing list). Nothing else changes the
    /// bytes.
    fn sign(&mut self, node: usize, data: Vec<u8>, envelope_from: &str, always: bool, c: Option<u32>) -> Vec<u8> {
        let spec = &self.nodes[node].spec;
        if !dkim::CRYPTO {
            // The viewer, which has no keys and never runs a signing scenario (see `dkim::crypto`).
            return data;
        }
        let (Some(d), Some(key), Some(domain)) = (spec.dkim.as_ref(), self.keys[node].as_ref(), spec.domains.first()) else { return data };
        let ours = |d: &str| spec.domains.iter().any(|x| x.eq_ignore_ascii_case(d));
        let own = dmarc::from_domain(&data).is_ok_and(|f| ours(&f)) || ours(domain_of(envelope_from));
        if !(own || always) {
            return data;
        }
        let req = dkim::SignRequest {
            domain,
            selector: &d.selector,
            headers: dkim::RECOMMENDED_HEADERS,
            header_canon: dkim::Canon::Relaxed,
            body_canon: dkim::Canon::Relaxed,
            timestamp: u64::try_from(self.epoch + (self.now / 1000) as i64).ok(),
            expires: None,
            length: None,
        };
        let signed = dkim::sign_explained(&data, key, &req);
        let value = signed.field.split_once(':').map_or("", |(_, v)| v);
        let facts = DkimSigning {
            domain: domain.clone(),
            selector: d.selector.clone(),
            algorithm: key.algorithm(),
            field: signed.field.clone(),
            tags: dkim::explain_tags(value),
            hashed_headers: String::from_utf8_lossy(&signed.hashed_headers).into_owned(),
            hashed_body: String::from_utf8_lossy(&signed.hashed_body).into_owned(),
        };
        let (domain, selector, alg) = (facts.domain.clone(), facts.selector.clone(), key.algorithm().as_str());
        let who = self.id(node);
        let ev = self.push(
            who.clone(),
            None,
            Layer::Queue,
            Kind::DkimSigned,
            format!("signs with DKIM: d={domain} s={selector} a={alg}"),
            format!("{who} hashes the body and the header fields it names in h=, signs the hash with the private key of {domain} and adds a DKIM-Signature: field; receivers fetch the public key from {selector}._domainkey.{domain} TXT (RFC 6376 §5)").into(),
        );
        ev.key = Some("dkim-signed".into());
        ev.conn = c;
        ev.raw = Some(signed.field.clone());
        ev.facts = Some(Facts::DkimSigned(Box::new(facts)));
        [signed.field.as_bytes(), &data].concat()
    }

    /// Writes job `j` as it is now onto the last event (see `JobNote`); `handed_over` recipients
    /// count as no longer waiting.
    fn note_job(&mut self, j: usize, handed_over: Option<&[String]>) {
        let job = &self.jobs[j];
        let waiting = job
            .rcpts
            .iter()
            .filter(|r| !r.done && !handed_over.is_some_and(|h| h.iter().any(|a| a.eq_ignore_ascii_case(&r.address))))
            .map(|r| r.address.clone())
            .collect();
        let note = JobNote {
            id: j as u32,
            node: self.nodes[job.node].spec.id.clone(),
            message: job.msg,
            waiting,
            attempts: job.attempts,
            next_attempt: job.next_attempt,
            last_error: job.last_error.clone(),
            is_bounce: job.is_bounce,
            warned: job.warned,
        };
        if let Some(e) = self.events.last_mut() {
            e.job = Some(note);
        }
    }

    /// A server accepted the message of a delivery attempt (the 2xx to the end of the data was
    /// just written): the relay's job no longer waits for the recipients it accepted (§6.1).
    fn note_handover(&mut self, c: u32, envelope: &Envelope) {
        let Purpose::Relay { job, .. } = self.conns[c as usize].purpose else { return };
        let accepted: Vec<String> = envelope
            .rcpts
            .iter()
            .filter_map(|(r, _)| match r {
                ForwardPath::Path(p) => Some(p.mailbox.to_string()),
                ForwardPath::Postmaster(_) => None,
            })
            .collect();
        // The reply is the last event of this connection so far.
        let Some(at) = self.events.iter().rposition(|e| e.conn == Some(c)) else { return };
        if self.events[at].kind != Kind::Reply {
            return;
        }
        let last = self.events.len() - 1;
        if at != last {
            return;
        }
        self.note_job(job, Some(&accepted));
    }

    /// Delivers local recipients and queues the others, grouped by domain.
    /// `dsn` holds the DSN parameters the message arrived with (RFC 3461), one entry per recipient.
    #[allow(clippy::too_many_arguments)]
    fn take_responsibility(
        &mut self,
        node: usize,
        from: &str,
        rcpts: &[String],
        dsn: &DsnParams,
        data: Vec<u8>,
        is_bounce: bool,
        conn: Option<u32>,
    ) {
        let msg = self.next_msg;
        self.next_msg += 1;
        let mut remote: BTreeMap<String, Vec<(String, RcptParams)>> = BTreeMap::new();
        let mut confirm = Vec::new();
        let mut posts = Vec::new();
        for (i, r) in rcpts.iter().enumerate() {
            let params = dsn.rcpts.get(i).cloned().unwrap_or_default();
            let spec = &self.nodes[node].spec;
            if let Some(list) = spec.lists.iter().find(|l| l.address.eq_ignore_ascii_case(r)) {
                posts.push(list.clone());
                continue;
            }
            let forward = spec.forward.iter().find(|f| f.from.eq_ignore_ascii_case(r)).map(|f| f.to.clone());
            if let Some(to) = forward {
                // A forwarding alias: the message goes on unchanged, from the same envelope
                // sender, so the next server sees this server's address sending for the
                // sender's domain — SPF fails there (RFC 7208 §1.1.3; RFC 7489 §10.1).
                let who = self.id(node);
                let ev = self.push(
                    who.clone(),
                    None,
                    Layer::Queue,
                    Kind::Queued,
                    format!("forwards {r} to {to}"),
                    format!("{r} is an alias: {who} sends the message on to {to}, keeping the envelope sender <{from}> and every byte of the message, so a DKIM signature still verifies but the next server's SPF check sees {who}'s address, which {}'s SPF record does not list", if from.is_empty() { "the sender" } else { domain_of(from) }).into(),
                );
                ev.key = Some("forwarded".into());
                remote.entry(domain_of(&to).to_ascii_lowercase()).or_default().push((to, params));
                continue;
            }
            if self.is_local(node, r) {
                self.store(node, r, from, &data, is_bounce);
                // RFC 3461 §4.1, §6.2: NOTIFY=SUCCESS asks the delivering MTA for a
                // "delivered" DSN.
                if matches!(params.notify, Some(Notify::On { success: true, .. })) {
                    confirm.push(dsn_recipient(r, &params, dsn::Action::Delivered, (2, 0, 0), None, None, Some(self.date(self.now)), None));
                }
            } else {
                remote.entry(domain_of(r).to_ascii_lowercase()).or_default().push((r.clone(), params));
            }
        }
        if !confirm.is_empty() && !from.is_empty() {
            let report = Report {
                node,
                mail_from: from.to_string(),
                msg,
                queued_at: self.now,
                data: data.clone(),
                ret: dsn.ret,
                envid: dsn.envid.clone(),
            };
            self.send_dsn(&report, confirm, dsn::Action::Delivered, None);
        }
        for list in posts {
            self.post_to_list(node, &list, &data, conn);
        }
        for (domain, list) in remote {
            let list: Vec<(String, RcptParams)> = list;
            let (list, params): (Vec<String>, Vec<RcptParams>) = list.into_iter().unzip();
            let job = Job {
                node,
                msg,
                mail_from: from.to_string(),
                domain: domain.clone(),
                rcpts: list.iter().zip(params).map(|(a, params)| JobRcpt { address: a.clone(), done: false, last: None, params }).collect(),
                data: data.clone(),
                queued_at: self.now,
                attempts: 0,
                next_attempt: Some(self.now),
                warned: false,
                is_bounce,
                last_error: None,
                ret: dsn.ret,
                envid: dsn.envid.clone(),
            };
            self.jobs.push(job);
            let j = self.jobs.len() - 1;
            let who = self.id(node);
            let ev = self.push(
                who.clone(),
                None,
                Layer::Queue,
                Kind::Queued,
                format!("queued for {domain}: {}", list.join(", ")),
                format!("{who} now holds the message for {} and will deliver it to the mail server of {domain}", list.join(", ")).into(),
            );
            ev.key = Some("queued".into());
            ev.conn = conn;
            ev.bounce = is_bounce;
            self.note_job(j, None);
            self.schedule(self.now, Action::Attempt(j));
        }
    }

    /// A mailing list resends a post to its members: from its own envelope sender (so bounces
    /// come back to the list, RFC 5321 §3.9.2), with `List-Id:` (RFC 2919), the Subject:
    /// prefix and the footer — changes that break the author's DKIM signature — and signed by
    /// the list's own domain when the list server signs.
    fn post_to_list(&mut self, node: usize, list: &crate::sim::spec::MailingList, data: &[u8], conn: Option<u32>) {
        let (local, domain) = list.address.rsplit_once('@').unwrap_or((&list.address, ""));
        let bounces = format!("{local}-bounces@{domain}");
        let mut post = data.to_vec();
        if !list.subject_prefix.is_empty() {
            post = mime::prefix_subject(&post, &list.subject_prefix);
        }
        if !list.footer.is_empty() {
            post.extend_from_slice(b"-- \r\n");
            post.extend_from_slice(list.footer.replace('\n', "\r\n").as_bytes());
            if !post.ends_with(b"\r\n") {
                post.extend_from_slice(b"\r\n");
            }
        }
        let post = mime::prepend_header(&post, "List-Id", &format!("<{local}.{domain}>"));
        let who = self.id(node);
        let changes = [
            (!list.subject_prefix.is_empty()).then(|| format!("puts {} in front of the Subject:", list.subject_prefix)),
            (!list.footer.is_empty()).then(|| "adds a footer to the body".to_string()),
        ];
        let changes: Vec<String> = changes.into_iter().flatten().collect();
        let ev = self.push(
            who.clone(),
            None,
            Layer::Queue,
            Kind::Queued,
            format!("list {} resends to {} members", list.address, list.members.len()),
            format!(
                "{who} runs the list {}: it resends the post to every member from its own envelope sender <{bounces}>{}, so the author's DKIM signature no longer matches and SPF now checks {domain}, not the author's domain",
                list.address,
                if changes.is_empty() { String::new() } else { format!(", and {}", changes.join(" and ")) }
            )
            .into(),
        );
        ev.key = Some("list-resent".into());
        ev.conn = conn;
        let post = self.sign(node, post, &bounces, true, conn);
        let dsn = DsnParams::default();
        self.take_responsibility(node, &bounces, &list.members, &dsn, post, false, conn);
    }

    /// Final delivery into a mailbox: add Return-Path: with the envelope sender (§4.4).
    fn store(&mut self, node: usize, rcpt: &str, from: &str, data: &[u8], is_bounce: bool) {
        let raw = mime::prepend_header(data, "Return-Path", &format!("<{from}>"));
        let who = self.id(node);
        let mailbox = rcpt.to_ascii_lowercase();
        let ev = self.push(
            who.clone(),
            None,
            Layer::Mailbox,
            Kind::Delivered,
            format!("delivered to {mailbox}"),
            format!("{who} stores the message in the mailbox of {mailbox}, adding Return-Path: <{from}> (the envelope sender)").into(),
        );
        ev.key = Some("delivered".into());
        ev.bounce = is_bounce;
        if is_bounce {
            self.summary.bounces_delivered += 1;
        } else {
            self.summary.delivered += 1;
        }
        let seq = self.events.len() - 1;
        self.stored.push(StoredMessage {
            seq,
            node: who,
            mailbox: mailbox.clone(),
            mail_from: from.to_string(),
            rcpt_to: rcpt.to_string(),
            time: self.now,
            is_bounce,
            raw: String::from_utf8_lossy(&raw).into_owned(),
            uid: None,
            seen: None,
            removed: None,
        });
        if PULL {
            self.pull_delivered(node, &mailbox, &raw);
        }
    }

    /// One delivery attempt of a queued job: route, then connect to the first hop.
    fn attempt(&mut self, j: usize) {
        if self.jobs[j].rcpts.iter().all(|r| r.done) {
            return;
        }
        let node = self.jobs[j].node;
        let domain = self.jobs[j].domain.clone();
        let bounce = self.jobs[j].is_bounce;
        self.jobs[j].next_attempt = None;
        let sc = self.sc;
        let spec = &sc.nodes[node];
        let mut lookups = Vec::new();
        let route = if let Some(r) = spec.routes.iter().find(|r| r.domain.eq_ignore_ascii_case(&domain)) {
            let addrs = self.dns.addresses(&r.via, &mut lookups);
            Route::Exchangers(vec![dns::Exchanger { preference: None, host: r.via.clone(), addresses: addrs }])
        } else {
            let (route, l) = dns::route_from(&self.dns, &domain, &mut self.rng, Some(&spec.host));
            lookups = l;
            route
        };
        self.trace_lookups(node, &lookups, bounce);
        match route {
            Route::NullMx => {
                self.fail_all(j, (5, 1, 10), None, None, format!("{domain} publishes a null MX: it accepts no mail (RFC 7505)"))
            }
            Route::NoSuchDomain => self.fail_all(j, (5, 1, 2), None, None, format!("the domain {domain} does not exist (DNS NXDOMAIN)")),
            Route::NoMailHost => {
                self.fail_all(j, (5, 1, 2), None, None, format!("{domain} has no MX and no address record: no host to deliver to"))
            }
            Route::TempFail => {
                self.temp_fail_all(j, (4, 4, 3), None, None, format!("DNS lookup of {domain} failed temporarily (SERVFAIL)"))
            }
            // RFC 5321 §5.1: a relay that discarded itself and every worse MX and has "no
            // records left ... MUST" return the message as undeliverable (X.4.4: unable to route).
            Route::Exchangers(list) if list.is_empty() => self.fail_all(
                j,
                (5, 4, 4),
                None,
                None,
                format!("{} is the best mail exchanger of {domain} left, but does not deliver it itself", spec.host),
            ),
            Route::Exchangers(list) => {
                // RFC 5321 §5.1: if this host is itself an MX of the domain, only MX hosts
                // with a strictly better (lower) preference may be tried.
                let own = list.iter().find(|e| e.host.eq_ignore_ascii_case(&spec.host)).and_then(|e| e.preference);
                let hops: Vec<Hop> = list
                    .into_iter()
                    .filter(|e| !e.host.eq_ignore_ascii_case(&spec.host))
                    .filter(|e| match (own, e.preference) {
                        (Some(mine), Some(p)) => p < mine,
                        _ => true,
                    })
                    .filter_map(|e| e.addresses.ok().and_then(|a| a.into_iter().next()).map(|address| Hop { host: e.host, address }))
                    .collect();
                if hops.is_empty() {
                    self.temp_fail_all(j, (4, 4, 4), None, None, format!("no usable mail exchanger for {domain}"));
                } else {
                    self.start_hop(j, hops, 0);
                }
            }
        }
    }

    fn start_hop(&mut self, j: usize, hops: Vec<Hop>, hop: usize) {
        let job = &self.jobs[j];
        let node = job.node;
        let spec = &self.nodes[node].spec;
        let rcpts: Vec<String> = job.rcpts.iter().filter(|r| !r.done).map(|r| r.address.clone()).collect();
        let cfg = ClientConfig { hostname: spec.host.clone(), starttls: spec.starttls, ..ClientConfig::default() };
        let to: Vec<&str> = rcpts.iter().map(String::as_str).collect();
        // RFC 3461 §5.2.1: a relay passes the DSN parameters on to a next hop that offers DSN.
        let dsn = DsnParams {
            ret: job.ret,
            envid: job.envid.clone(),
            rcpts: job.rcpts.iter().filter(|r| !r.done).map(|r| r.params.clone()).collect(),
        };
        let Some(tx) = Transaction::new(&job.mail_from, &to, job.data.clone()).map(|t| t.with_dsn(dsn)) else {
            self.fail_all(j, (5, 1, 3), None, None, format!("an address of this message is not valid: {}", rcpts.join(", ")));
            return;
        };
        let address = hops[hop].address.clone();
        self.open(node, address, 25, Purpose::Relay { job: j, hops, hop }, ClientSession::new(cfg, vec![tx]));
    }

    fn relay_ended(
        &mut self,
        j: usize,
        hops: Vec<Hop>,
        hop: usize,
        failure: Option<ConnFailure>,
        summary: &[(String, SmtpOutcome)],
        next_hop_dsn: bool,
    ) {
        let remote = hops[hop].host.clone();
        // Nothing was even tried: a refused connection, or a 421/554 greeting (try the next MX).
        let not_connected = failure.is_some()
            || summary.is_empty()
            || summary.iter().all(|(_, o)| matches!(o, SmtpOutcome::TempFailed(r) if r.code.0 == 421));
        if not_connected {
            // Try the next MX (RFC 5321 §5.1); when none is left, this attempt failed temporarily.
            if hop + 1 < hops.len() {
                self.start_hop(j, hops, hop + 1);
            } else {
                let why = match failure {
                    Some(ConnFailure::TimedOut) | Some(ConnFailure::Blocked) => format!("connection to {remote} timed out"),
                    _ => format!("connection to {remote} refused"),
                };
                self.temp_fail_all(j, (4, 4, 1), None, None, why);
            }
            return;
        }
        let mut temp = Vec::new();
        let mut perm = Vec::new();
        let mut relayed = Vec::new();
        for (addr, outcome) in summary {
            let Some(i) = self.jobs[j].rcpts.iter().position(|r| !r.done && r.address.eq_ignore_ascii_case(addr)) else { continue };
            match outcome {
                SmtpOutcome::Delivered => {
                    self.jobs[j].rcpts[i].done = true;
                    // RFC 3461 §5.2.2: handed to a next hop without DSN, the NOTIFY=SUCCESS
                    // request cannot travel on, so this relay reports "relayed" (RFC 3464 §2.3.3).
                    let r = &self.jobs[j].rcpts[i];
                    if !next_hop_dsn && notify_wants(&r.params, dsn::Action::Relayed) {
                        relayed.push(dsn_recipient(
                            &r.address,
                            &r.params,
                            dsn::Action::Relayed,
                            (2, 0, 0),
                            Some(remote.clone()),
                            None,
                            Some(self.date(self.now)),
                            None,
                        ));
                    }
                }
                SmtpOutcome::PermFailed(reply) => perm.push((i, one_line(reply), status_of(reply))),
                SmtpOutcome::TempFailed(reply) => temp.push((i, one_line(reply), status_of(reply))),
                // A relay's own transactions never abandon (`abort_if_refused` is a message
                // option of mail programs); if one did, the message would wait for a retry.
                SmtpOutcome::Abandoned => temp.push((i, "the transaction was abandoned with RSET".into(), (4, 0, 0))),
            }
        }
        if !relayed.is_empty() && !self.jobs[j].mail_from.is_empty() {
            let job = &self.jobs[j];
            let report = Report {
                node: job.node,
                mail_from: job.mail_from.clone(),
                msg: job.msg,
                queued_at: job.queued_at,
                data: job.data.clone(),
                ret: job.ret,
                envid: job.envid.clone(),
            };
            self.send_dsn(&report, relayed, dsn::Action::Relayed, Some(j));
        }
        if !perm.is_empty() {
            let failed: Vec<(usize, Failure)> =
                perm.into_iter().map(|(i, text, st)| (i, Failure::new(st, Some(text), Some(remote.clone())))).collect();
            self.bounce(j, &failed, dsn::Action::Failed, None);
        }
        if !temp.is_empty() {
            for (i, text, st) in &temp {
                self.jobs[j].rcpts[*i].last = Some(Failure::new(*st, Some(text.clone()), Some(remote.clone())));
            }
            let why = temp[0].1.clone();
            self.retry_or_expire(j, why);
        }
    }

    fn fail_all(&mut self, j: usize, status: (u8, u16, u16), diag: Option<String>, remote: Option<String>, why: String) {
        let who = self.id(self.jobs[j].node);
        let bounce = self.jobs[j].is_bounce;
        let ev = self.push(
            who,
            None,
            Layer::Queue,
            Kind::DeliveryFailed,
            format!("cannot deliver: {why}"),
            format!(
                "{why}; this is permanent ({}.{}.{}), so the message is returned at once instead of retried",
                status.0, status.1, status.2
            )
            .into(),
        );
        ev.key = Some("delivery-failed".into());
        ev.bounce = bounce;
        self.note_job(j, None);
        let failed: Vec<_> = (0..self.jobs[j].rcpts.len())
            .filter(|&i| !self.jobs[j].rcpts[i].done)
            .map(|i| (i, Failure::new(status, diag.clone(), remote.clone())))
            .collect();
        self.bounce(j, &failed, dsn::Action::Failed, None);
    }

    fn temp_fail_all(&mut self, j: usize, status: (u8, u16, u16), diag: Option<String>, remote: Option<String>, why: String) {
        for r in self.jobs[j].rcpts.iter_mut().filter(|r| !r.done) {
            r.last = Some(Failure::new(status, diag.clone(), remote.clone()));
        }
        self.retry_or_expire(j, why);
    }

    /// A temporary failure: retry on schedule (RFC 5321 §4.5.4.1), warn once if configured,
    /// give up when the queue lifetime is over.
    fn retry_or_expire(&mut self, j: usize, why: String) {
        self.jobs[j].attempts += 1;
        self.jobs[j].last_error = Some(why.clone());
        let job = &self.jobs[j];
        let who = self.id(job.node);
        let bounce = job.is_bounce;
        let expires = job.queued_at + self.sc.clock.expire_after.0;
        if self.now >= expires {
            let ev = self.push(who, None, Layer::Queue, Kind::Expired, format!("giving up after {} attempts: {why}", job.attempts), format!("the message has been queued for {}, the queue lifetime; the relay stops retrying and returns it (Action: failed, with the last temporary status)", self.sc.clock.expire_after).into());
            ev.key = Some("expired".into());
            ev.bounce = bounce;
            self.note_job(j, None);
            let failed: Vec<_> = (0..self.jobs[j].rcpts.len())
                .filter(|&i| !self.jobs[j].rcpts[i].done)
                .map(|i| (i, self.jobs[j].rcpts[i].last.clone().unwrap_or(Failure::new((4, 4, 7), None, None))))
                .collect();
            self.bounce(j, &failed, dsn::Action::Failed, None);
            return;
        }
        let schedule = &self.sc.clock.retry;
        let delay = schedule[(job.attempts as usize - 1).min(schedule.len() - 1)].0;
        let at = (self.now + delay).min(expires);
        self.jobs[j].next_attempt = Some(at);
        let ev = self.push(
            who,
            None,
            Layer::Queue,
            Kind::RetryScheduled,
            format!("attempt {} failed ({why}); next try at {}", self.jobs[j].attempts, super::clock::format_time(at)),
            format!(
                "a temporary failure: the message stays in the queue and is retried after {} (RFC 5321 §4.5.4.1{})",
                super::clock::Span(at - self.now),
                if at - self.now < 30 * 60_000 { " asks for at least 30 minutes; this scenario compresses time" } else { "" }
            )
            .into(),
        );
        ev.key = Some("retry-scheduled".into());
        ev.bounce = bounce;
        self.note_job(j, None);
        if let Some(warn) = self.sc.clock.delay_warning_after {
            let job = &self.jobs[j];
            if !job.warned && !job.is_bounce && self.now >= job.queued_at + warn.0 {
                self.jobs[j].warned = true;
                let failed: Vec<_> = (0..self.jobs[j].rcpts.len())
                    .filter(|&i| !self.jobs[j].rcpts[i].done)
                    .map(|i| (i, self.jobs[j].rcpts[i].last.clone().unwrap_or(Failure::new((4, 4, 1), None, None))))
                    .collect();
                self.bounce(j, &failed, dsn::Action::Delayed, Some(self.date(expires)));
            }
        }
        self.schedule(at, Action::Attempt(j));
    }

    /// Reports failed (or delayed) recipients of a job to its envelope sender with an RFC 3464
    /// DSN sent from `<>` (RFC 5321 §6.1). A failed bounce is never bounced: it goes to the
    /// local postmaster instead (§6.1, §4.5.4).
    fn bounce(&mut self, j: usize, failed: &[(usize, Failure)], action: dsn::Action, retry_until: Option<String>) {
        if failed.is_empty() {
            return;
        }
        let node = self.jobs[j].node;
        let host = self.nodes[node].spec.host.clone();
        let who = self.id(node);
        let final_ = matches!(action, dsn::Action::Failed);
        if final_ {
            for (i, _) in failed {
                self.jobs[j].rcpts[*i].done = true;
            }
        }
        let job = self.jobs[j].clone();
        // RFC 3461 §4.1: report only what each recipient's NOTIFY asked for.
        let (asked, unasked): (Vec<_>, Vec<_>) = failed.iter().partition(|(i, _)| notify_wants(&job.rcpts[*i].params, action));
        if final_ && !unasked.is_empty() {
            let addrs: Vec<String> = unasked.iter().map(|(i, _)| job.rcpts[*i].address.clone()).collect();
            self.summary.unnotified += addrs.len();
            let ev = self.push(who.clone(), None, Layer::Queue, Kind::BounceCreated, format!("no bounce for {}: NOTIFY did not ask for one", addrs.join(", ")), "the sender asked for no failure report (NOTIFY=NEVER, or a list without FAILURE): the relay drops the message without a DSN (RFC 3461 §4.1)".into());
            ev.key = Some("dsn-not-requested".into());
            ev.bounce = job.is_bounce;
            self.note_job(j, None);
        }
        if asked.is_empty() {
            return;
        }
        let now = self.date(self.now);
        let recipients: Vec<dsn::DsnRecipient> = asked
            .iter()
            .map(|(i, f)| {
                dsn_recipient(
                    &job.rcpts[*i].address,
                    &job.rcpts[*i].params,
                    action,
                    f.status,
                    f.remote.clone(),
                    f.diagnostic.clone(),
                    Some(now.clone()),
                    retry_until.clone(),
                )
            })
            .collect();
        let addrs: Vec<String> = recipients.iter().map(|r| r.final_recipient.clone()).collect();
        if job.mail_from.is_empty() {
            // §6.1: never send a notification about a notification.
            if final_ {
                self.summary.double_bounces += addrs.len();
            }
            let ev = self.push(who.clone(), None, Layer::Queue, Kind::BounceCreated, format!("double bounce for {}: not returned to <>", addrs.join(", ")), "the failed message was itself a bounce (null reverse-path <>), so no new bounce is sent (RFC 5321 §6.1); the local postmaster gets a copy instead".into());
            ev.key = Some("double-bounce".into());
            ev.bounce = true;
            self.note_job(j, None);
            let pm = format!("postmaster@{}", self.nodes[node].spec.domains.first().cloned().unwrap_or(host.clone()));
            let data = job.data.clone();
            self.store(node, &pm, "", &data, true);
            return;
        }
        if final_ {
            self.summary.bounced += addrs.len();
        }
        let report = Report {
            node,
            mail_from: job.mail_from.clone(),
            msg: job.msg,
            queued_at: job.queued_at,
            data: job.data.clone(),
            ret: job.ret,
            envid: job.envid.clone(),
        };
        self.send_dsn(&report, recipients, action, Some(j));
    }

    /// Writes and sends one RFC 3464 report about `r` to its envelope sender, from `<>`
    /// (RFC 5321 §6.1): failed or delayed recipients of a queued job, or — NOTIFY=SUCCESS —
    /// recipients just delivered (RFC 3461 §6.2).
    fn send_dsn(&mut self, r: &Report, recipients: Vec<dsn::DsnRecipient>, action: dsn::Action, job: Option<usize>) {
        let host = self.nodes[r.node].spec.host.clone();
        let who = self.id(r.node);
        let addrs: Vec<String> = recipients.iter().map(|x| x.final_recipient.clone()).collect();
        let report = dsn::Dsn {
            reporting_mta: format!("dns; {host}"),
            received_from_mta: None,
            // RFC 3461 §4.4, RFC 3464 §2.2.1: the ENVID comes back in every DSN.
            original_envelope_id: r.envid.clone(),
            arrival_date: self.date(r.queued_at),
            recipients,
            from: format!("Mail Delivery System <MAILER-DAEMON@{host}>"),
            to: r.mail_from.clone(),
            date: self.date(self.now),
            message_id: match job {
                Some(j) => format!("<dsn.{}.{j}.{}@{host}>", r.msg, self.events.len()),
                None => format!("<dsn.{}.d.{}@{host}>", r.msg, self.events.len()),
            },
            original: r.data.clone(),
            // RFC 3461 §4.3: RET=HDRS returns the header section, RET=FULL the whole message;
            // without RET the choice is the MTA's (here: headers only above 64 KiB).
            ret: match r.ret {
                Some(Ret::Hdrs) => dsn::Return::Headers,
                Some(Ret::Full) => dsn::Return::Full,
                None if r.data.len() > 64 * 1024 => dsn::Return::Headers,
                None => dsn::Return::Full,
            },
        };
        let bytes = dsn::build(&report);
        let what = match action {
            dsn::Action::Failed => "bounce (failed)",
            dsn::Action::Delivered => "success notification (delivered)",
            dsn::Action::Relayed => "relay notification (relayed)",
            _ => "delay warning",
        };
        let ev = self.push(
            who,
            None,
            Layer::Queue,
            Kind::BounceCreated,
            format!("{what} for {} → <{}>", addrs.join(", "), r.mail_from),
            format!("{host} reports to the envelope sender {} with a delivery status notification (RFC 3464), sent from the null reverse-path <> so it cannot bounce back (RFC 5321 §6.1)", r.mail_from).into(),
        );
        ev.key = Some(match action {
            dsn::Action::Failed => "bounce-created".into(),
            dsn::Action::Delivered => "dsn-delivered".into(),
            dsn::Action::Relayed => "dsn-relayed".into(),
            _ => "delay-warning".into(),
        });
        ev.bounce = true;
        if let Some(j) = job {
            self.note_job(j, None);
        }
        let to = r.mail_from.clone();
        self.take_responsibility(r.node, "", &[to], &DsnParams::default(), bytes, true, None);
    }

    fn finish(mut self) -> Trace {
        let mut queue = Vec::new();
        for job in &self.jobs {
            for r in job.rcpts.iter().filter(|r| !r.done) {
                self.summary.queued += 1;
                queue.push(QueueEntry {
                    node: self.nodes[job.node].spec.id.clone(),
                    message: job.msg,
                    recipient: r.address.clone(),
                    attempts: job.attempts,
                    next_attempt: job.next_attempt,
                    last_error: job.last_error.clone(),
                    is_bounce: job.is_bounce,
                });
            }
        }
        if PULL {
            pull::number_connections(&mut self.events);
        }
        narrate(self.sc, &mut self.events);
        let nodes = node_infos(self.sc);
        Trace {
            version: TRACE_VERSION,
            scenario: self.sc.id.clone(),
            title: self.sc.title.clone(),
            goal: self.sc.goal.clone(),
            nodes,
            end: self.events.last().map_or(0, |e| e.time),
            events: self.events,
            mailboxes: self.stored,
            queue,
            summary: self.summary,
            shortcuts: super::trace::Shortcut::of(&self.sc.clock),
        }
    }
}

/// A node's role; `sends`: a mail program with messages to send (one that only reads mail with
/// POP3 or IMAP is no sending host).
fn role(n: &NodeSpec, sends: bool) -> NodeRole {
    match n.kind {
        NodeKind::Client => NodeRole::MailProgram { port25: n.port == Some(25), direct: n.server.is_none() && sends },
        NodeKind::Server => {
            let submission = n.ports.contains(&587);
            let relay = if n.open_relay {
                Relay::Open
            } else if !n.relay_from.is_empty() || submission || !n.relay_domains.is_empty() {
                Relay::Yes
            } else {
                Relay::No
            };
            NodeRole::Server {
                submission,
                relay,
                mx: !n.domains.is_empty(),
                pop3: super::policy::serves_pop3(n),
                imap: super::policy::serves_imap(n),
            }
        }
    }
}

/// Attaches each narration line to the first event it matches, in order.
fn narrate(sc: &Scenario, events: &mut [Event]) {
    for n in &sc.narration {
        let at_node = |e: &Event| n.node.as_ref().is_none_or(|id| e.from == *id || e.to.as_ref() == Some(id));
        if let Some(e) = events.iter_mut().find(|e| e.narration.is_none() && at_node(e) && event_matches(e, &n.on)) {
            e.narration = Some(n.text.clone());
        }
    }
}

/// The names an event answers to in narration: its key, its kind, `reply:CODE`, `cmd:VERB`.
pub fn event_matches(e: &Event, on: &str) -> bool {
    if e.key() == Some(on) || e.kind.as_str() == on {
        return true;
    }
    let facts = e.facts.as_ref();
    if let Some(code) = on.strip_prefix("reply:") {
        return facts.and_then(Facts::code).is_some_and(|c| c.to_string() == code);
    }
    if let Some(verb) = on.strip_prefix("cmd:") {
        return facts.and_then(Facts::verb) == Some(verb);
    }
    false
}
