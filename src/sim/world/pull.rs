//! The pull half of the world: the scenario's `[[pull]]` mail programs read a server node's
//! mailbox with POP3 (RFC 1939) or IMAP (RFC 9051), at the virtual times they are given.
//!
//! A pull connection is a TCP connection like SMTP's (connect, accept, close, the link
//! latency each way), carrying bytes between the scripted clients (`pop3::client`,
//! `imap::client`) and the server sessions (`pop3::server`, `imap::server`). The server node's
//! mail lives in one [`Store`] per node, filled by SMTP delivery (`World::store`): POP3's UPDATE
//! removes messages from it for every later session and from the Mailboxes view; IMAP sets
//! \Seen in it, which every other device then sees. Every command and response becomes a trace
//! event with typed [`Facts`] (`Pop3Command`, `Pop3Reply`, `ImapCommand`, `ImapResponse`).
//!
//! The viewer build has no `pull` feature: [`PULL`] is then `false`, the world never schedules a
//! pull and the optimiser drops this module with both protocol cores (`world::needs_studio`
//! hands such scenarios to the studio).

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

use crate::imap;
use crate::imap::command::Verb as ImapVerb;
use crate::pop3;
use crate::pop3::command::Verb as Pop3Verb;
use crate::sim::policy::account_mailbox;
use crate::sim::scenario::{NodeSpec, PullLogin, PullPart, PullProtocol};
use crate::sim::trace::{Event, Facts, ImapResponse, Kind, Layer, Pop3Reply};
use crate::store::{Change, Flag, FlagOp, Flags, Store, INBOX};

use super::{Action, ConnFailure, World};

/// Whether this build runs pull clients (the `pull` cargo feature, part of `studio`).
pub const PULL: bool = cfg!(feature = "pull");

/// Trace connection ids of pull connections during the run sit above every SMTP connection's;
/// [`number_connections`] renumbers all of them in the order they open.
const PULL_CONN_BASE: u32 = 1 << 30;

/// The two sides of one pull connection.
enum Session {
    Pop3 {
        cs: Box<pop3::client::ClientSession>,
        ss: Option<Box<pop3::server::ServerSession>>,
        /// The command the server is answering (for `Pop3Reply::answers`).
        last: Option<Pop3Verb>,
    },
    Imap {
        cs: Box<imap::client::ClientSession>,
        ss: Option<Box<imap::server::ServerSession>>,
        /// Each tag the client sent and its command (for `ImapResponse::answers`).
        tags: BTreeMap<String, ImapVerb>,
        idle_timer: bool,
    },
}

struct PullConn {
    /// Index into `scenario.pulls`.
    pull: usize,
    client: usize,
    server: usize,
    failure: Option<ConnFailure>,
    session: Session,
    /// The server end has closed.
    server_closed: bool,
    /// The client end has closed.
    client_closed: bool,
}

/// What the world keeps for its mail programs that pull.
#[derive(Default)]
pub(super) struct Pulls {
    conns: Vec<PullConn>,
    /// The mail store of each server node a mail program reads from, by node index.
    stores: BTreeMap<usize, Store>,
    /// Maildrops open in a POP3 session, (node, mailbox): one session at a time (RFC 1939 §8).
    locked: BTreeSet<(usize, String)>,
    /// The UIDL ids each "leave on server" POP3 program has downloaded, by pull index.
    known: BTreeMap<usize, Vec<String>>,
    /// (node, mailbox, UID) → index into the trace's stored messages.
    stored: BTreeMap<(usize, String, u32), usize>,
}

/// The mailbox a login reads on `spec` (lower case, as the world stores mail), if any.
fn mailbox_of(spec: &NodeSpec, user: &str) -> Option<String> {
    account_mailbox(spec, user).map(|m| m.to_ascii_lowercase())
}

/// The node's answer to a login: one of its `accounts`, reading one of its mailboxes.
fn password_ok(spec: &NodeSpec, user: &str, password: &str) -> bool {
    spec.accounts.iter().any(|a| a.user == user && a.password == password) && mailbox_of(spec, user).is_some()
}

/// A server node's maildrop for one POP3 session, over the node's store.
struct Maildrop<'a> {
    spec: &'a NodeSpec,
    node: usize,
    store: &'a mut Store,
    locked: &'a mut BTreeSet<(usize, String)>,
}

impl pop3::server::Maildrop for Maildrop<'_> {
    fn check_password(&mut self, user: &str, password: &str) -> bool {
        password_ok(self.spec, user, password)
    }

    fn apop_secret(&mut self, user: &str) -> Option<String> {
        // RFC 1939 §7: the server and the client share the secret; here, the password.
        mailbox_of(self.spec, user)?;
        self.spec.accounts.iter().find(|a| a.user == user).map(|a| a.password.clone())
    }

    fn open(&mut self, user: &str) -> Result<Vec<pop3::server::DropMessage>, &'static pop3::catalogue::ResponseSpec> {
        let mailbox = mailbox_of(self.spec, user).ok_or(&pop3::catalogue::SYS_TEMP)?;
        // RFC 1939 §8: the maildrop is locked for one session at a time.
        if !self.locked.insert((self.node, mailbox.clone())) {
            return Err(&pop3::catalogue::IN_USE);
        }
        if self.store.account(&mailbox).is_none() && self.store.create_account(&mailbox).is_err() {
            return Err(&pop3::catalogue::SYS_TEMP);
        }
        // The first session to open the maildrop takes \Recent (RFC 3501 §2.3.2).
        let _recent = self.store.claim_recent(&mailbox, INBOX);
        let Ok(f) = self.store.folder(&mailbox, INBOX) else { return Err(&pop3::catalogue::SYS_TEMP) };
        Ok(f.messages
            .iter()
            // RFC 1939 §7 UIDL: unique and stable ids; UIDVALIDITY.UID never repeats.
            .map(|m| pop3::server::DropMessage { uid: m.uid, unique_id: format!("{}.{}", f.uid_validity, m.uid), bytes: m.bytes.clone() })
            .collect())
    }

    fn retrieved(&mut self, user: &str, message: &pop3::server::DropMessage) {
        if let Some(mailbox) = mailbox_of(self.spec, user) {
            // Like Dovecot: a message downloaded whole is \Seen for IMAP too.
            let _flags = self.store.set_flags(&mailbox, INBOX, &[message.uid], FlagOp::Add, Flags::of(&[Flag::Seen]));
        }
    }

    fn update(&mut self, user: &str, deleted: &[pop3::server::DropMessage]) -> Result<(), &'static pop3::catalogue::ResponseSpec> {
        let mailbox = mailbox_of(self.spec, user).ok_or(&pop3::catalogue::UPDATE_FAILED)?;
        let uids: Vec<u32> = deleted.iter().map(|m| m.uid).collect();
        // RFC 1939 §6: remove exactly the messages marked with DELE.
        self.store
            .set_flags(&mailbox, INBOX, &uids, FlagOp::Add, Flags::of(&[Flag::Deleted]))
            .and_then(|_| self.store.expunge(&mailbox, INBOX, Some(&uids)))
            .map(|_| ())
            .map_err(|_| &pop3::catalogue::UPDATE_FAILED)
    }

    fn close(&mut self, user: &str) {
        if let Some(mailbox) = mailbox_of(self.spec, user) {
            self.locked.remove(&(self.node, mailbox));
        }
    }
}

/// A server node's accounts for its IMAP sessions.
struct Accounts<'a>(&'a NodeSpec);

impl imap::server::Accounts for Accounts<'_> {
    fn check_password(&self, user: &str, password: &str) -> bool {
        password_ok(self.0, user, password)
    }
    fn mailbox(&self, user: &str) -> String {
        mailbox_of(self.0, user).unwrap_or_else(|| user.to_string())
    }
}

/// Renumbers the trace's connections in the order they open (SMTP's keep their numbers when a
/// scenario has no pull clients), so pull connections get ids like any other.
pub(super) fn number_connections(events: &mut [Event]) {
    let mut ids: BTreeMap<u32, u32> = BTreeMap::new();
    for e in events.iter_mut() {
        if let Some(c) = e.conn {
            let next = ids.len() as u32;
            e.conn = Some(*ids.entry(c).or_insert(next));
        }
    }
}

/// The first line of `bytes`, for a label.
fn first_line(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    text.split(['\r', '\n']).next().unwrap_or("").to_string()
}

/// A response's label: its first line, and how many lines follow it (a POP3 body without its
/// final dot, an IMAP literal).
fn response_label(bytes: &[u8], more: usize) -> String {
    match more {
        0 => first_line(bytes),
        1 => format!("{} [+ 1 line]", first_line(bytes)),
        n => format!("{} [+ {n} lines]", first_line(bytes)),
    }
}

impl World<'_> {
    /// Creates the stores of the servers that mail programs read and schedules every check.
    pub(super) fn schedule_pulls(&mut self) {
        let first_uid_validity = u32::try_from(self.epoch.max(1)).unwrap_or(1);
        let sc = self.sc;
        for (i, p) in sc.pulls.iter().enumerate() {
            let Some(server) = sc.nodes.iter().position(|n| n.id == p.server) else { continue };
            self.pulls.stores.entry(server).or_insert_with(|| {
                // UIDVALIDITY from the clock, as servers often do (RFC 9051 §2.3.1.1).
                let mut s = Store::new(first_uid_validity);
                for m in &sc.nodes[server].mailboxes {
                    let _created = s.create_account(&m.to_ascii_lowercase());
                }
                s.take_changes();
                s
            });
            for t in &p.at {
                self.schedule(t.0, Action::Pull(i));
            }
        }
    }

    /// SMTP delivered a message into `mailbox` on `node`: into the node's store, announced to
    /// the IMAP sessions that IDLE there (RFC 2177).
    pub(super) fn pull_delivered(&mut self, node: usize, mailbox: &str, raw: &[u8]) {
        let date = self.epoch + (self.now / 1000) as i64;
        let Some(store) = self.pulls.stores.get_mut(&node) else { return };
        if store.account(mailbox).is_none() && store.create_account(mailbox).is_err() {
            return;
        }
        let Ok(uid) = store.deliver(mailbox, raw, date) else { return };
        store.take_changes();
        let at = self.stored.len() - 1;
        self.stored[at].uid = Some(uid);
        self.pulls.stored.insert((node, mailbox.to_string(), uid), at);
        for k in 0..self.pulls.conns.len() {
            let conn = &mut self.pulls.conns[k];
            if conn.server != node {
                continue;
            }
            let Session::Imap { ss: Some(ss), .. } = &mut conn.session else { continue };
            if !ss.is_idling() {
                continue;
            }
            if let Some(store) = self.pulls.stores.get_mut(&node) {
                ss.poll_store(store);
            }
            self.pull_pump_server(k as u32);
        }
    }

    /// Pull client `p` checks for mail: it opens a connection to its server.
    pub(super) fn pull(&mut self, p: usize) {
        let sc = self.sc;
        let spec = &sc.pulls[p];
        let (Some(client), Some(server)) =
            (sc.nodes.iter().position(|n| n.id == spec.client), sc.nodes.iter().position(|n| n.id == spec.server))
        else {
            return;
        };
        let session = match spec.protocol {
            PullProtocol::Pop3 => {
                let fetch = if spec.leave_on_server {
                    pop3::client::Fetch::LeaveOnServer { known: self.pulls.known.get(&p).cloned().unwrap_or_default() }
                } else {
                    pop3::client::Fetch::DownloadAndDelete
                };
                let mechanism = match spec.login {
                    PullLogin::User => pop3::event::Mechanism::UserPass,
                    PullLogin::Apop => pop3::event::Mechanism::Apop,
                    PullLogin::Plain => pop3::event::Mechanism::SaslPlain,
                };
                let plan =
                    pop3::client::Plan { user: spec.user.clone(), password: spec.password.clone(), mechanism, stls: spec.tls, fetch };
                Session::Pop3 { cs: Box::new(pop3::client::ClientSession::new(plan)), ss: None, last: None }
            }
            PullProtocol::Imap => {
                let want = match spec.fetch {
                    PullPart::Whole => imap::client::Want::Whole,
                    PullPart::Text => imap::client::Want::Text,
                    PullPart::Attachment => imap::client::Want::Attachment,
                };
                let plan = imap::client::Plan {
                    user: spec.user.clone(),
                    password: spec.password.clone(),
                    mailbox: INBOX.into(),
                    want,
                    mark_seen: spec.mark_seen,
                    idle_rounds: u32::from(spec.idle.is_some()),
                };
                Session::Imap { cs: Box::new(imap::client::ClientSession::new(plan)), ss: None, tags: BTreeMap::new(), idle_timer: false }
            }
        };
        let (port, name) = match spec.protocol {
            PullProtocol::Pop3 => (110, "POP3"),
            PullProtocol::Imap => (143, "IMAP"),
        };
        let k = self.pulls.conns.len() as u32;
        let (delay, failure) = self.reach(client, Some(server), port);
        self.pulls.conns.push(PullConn { pull: p, client, server, failure, session, server_closed: false, client_closed: false });
        let address = self.nodes[server].spec.address.clone();
        let (who, to) = (self.id(client), self.id(server));
        let ev = self.push(
            who,
            Some(to),
            Layer::Tcp,
            Kind::Connect,
            format!("connect {address}:{port}"),
            format!("the mail program checks for new mail: it opens a TCP connection to {address} port {port} ({name})").into(),
        );
        ev.conn = Some(PULL_CONN_BASE + k);
        self.schedule(self.now + delay, Action::PullConnect(k));
    }

    fn pull_name(&self, k: u32) -> (&'static str, u16) {
        match self.pulls.conns[k as usize].session {
            Session::Pop3 { .. } => ("POP3", 110),
            Session::Imap { .. } => ("IMAP", 143),
        }
    }

    /// The simulated TLS handshake after POP3's STLS or IMAP's STARTTLS; `meaning` says what it
    /// changes in that protocol.
    fn pull_tls(&mut self, k: u32, client: usize, server: usize, meaning: &'static str) {
        let ev =
            self.pull_event(k, client, Some(server), Layer::Tcp, Kind::TlsHandshake, "TLS handshake (simulated)".into(), meaning.into());
        ev.key = Some("tls-handshake".into());
    }

    /// The server ends a POP3 or IMAP connection.
    fn pull_closed(&mut self, k: u32, server: usize, client: usize) {
        self.pull_event(
            k,
            server,
            Some(client),
            Layer::Tcp,
            Kind::Close,
            "connection closed".into(),
            "the server closes the TCP connection".into(),
        );
    }

    #[allow(clippy::too_many_arguments)]
    fn pull_event(
        &mut self,
        k: u32,
        from: usize,
        to: Option<usize>,
        layer: Layer,
        kind: Kind,
        label: String,
        meaning: Cow<'static, str>,
    ) -> &mut Event {
        let (from, to) = (self.id(from), to.map(|t| self.id(t)));
        let ev = self.push(from, to, layer, kind, label, meaning);
        ev.conn = Some(PULL_CONN_BASE + k);
        ev
    }

    pub(super) fn pull_connect_arrives(&mut self, k: u32) {
        let conn = &self.pulls.conns[k as usize];
        let (client, server) = (conn.client, conn.server);
        let (name, port) = self.pull_name(k);
        let sc = self.sc;
        let spec = &sc.nodes[server];
        if let Some(f) = conn.failure {
            let (label, why, key) = match f {
                ConnFailure::Refused => {
                    ("connection refused", "nothing accepts connections there (the host or its mail service is down)", "connect-refused")
                }
                ConnFailure::TimedOut => ("connection timed out", "no answer came", "connect-timeout"),
                ConnFailure::Blocked => {
                    ("connection timed out (port blocked)", "the mail program's own network blocks that port", "connect-blocked")
                }
            };
            let meaning = format!("{}:{port}: {why}", spec.address);
            let ev = self.pull_event(k, client, None, Layer::Tcp, Kind::ConnectFailed, label.into(), meaning.into());
            ev.key = Some(key.into());
            let text = format!("Cannot connect to the {name} server {} (port {port}): {why}. No new mail was fetched.", spec.host);
            let ev = self.pull_event(
                k,
                client,
                None,
                Layer::User,
                Kind::UserNotice,
                text,
                "the mail program shows this error to its user; the mail stays on the server until the next check".into(),
            );
            ev.key = Some("user-notice".into());
            self.pulls.conns[k as usize].client_closed = true;
            self.pulls.conns[k as usize].server_closed = true;
            return;
        }
        let host = spec.host.clone();
        self.pull_event(
            k,
            server,
            Some(client),
            Layer::Tcp,
            Kind::Connected,
            "connection accepted".into(),
            format!("{host} accepts the connection on port {port} ({name})").into(),
        );
        let unix = self.epoch + (self.now / 1000) as i64;
        match &mut self.pulls.conns[k as usize].session {
            Session::Pop3 { ss, .. } => {
                let config = pop3::server::ServerConfig {
                    hostname: host.clone(),
                    // RFC 1939 §7: the timestamp must differ per greeting; process id and clock.
                    apop_timestamp: Some(format!("<{}.{unix}@{host}>", 1000 + k)),
                    user_pass: true,
                    sasl_plain: true,
                    stls: spec.starttls,
                    max_errors: 10,
                };
                *ss = Some(Box::new(pop3::server::ServerSession::new(config)));
            }
            Session::Imap { ss, .. } => {
                let config = imap::server::ServerConfig {
                    hostname: host,
                    starttls: spec.starttls,
                    // RFC 9051 §6.2.3: LOGINDISABLED until STARTTLS, where the node requires TLS.
                    login_disabled_without_tls: spec.starttls && spec.require_tls,
                    ..imap::server::ServerConfig::default()
                };
                *ss = Some(Box::new(imap::server::ServerSession::new(config)));
            }
        }
        self.pull_pump_server(k);
    }

    pub(super) fn pull_to_server(&mut self, k: u32, bytes: &[u8]) {
        let now = self.epoch + (self.now / 1000) as i64;
        let sc = self.sc;
        let conn = &mut self.pulls.conns[k as usize];
        let server = conn.server;
        let spec = &sc.nodes[server];
        let Some(store) = self.pulls.stores.get_mut(&server) else { return };
        match &mut conn.session {
            Session::Pop3 { ss: Some(ss), .. } => {
                let mut drop = Maildrop { spec, node: server, store, locked: &mut self.pulls.locked };
                ss.receive(bytes, &mut drop);
            }
            Session::Imap { ss: Some(ss), .. } => ss.receive(bytes, store, &Accounts(spec), now),
            _ => return,
        }
        self.pull_pump_server(k);
    }

    /// Moves the server end's events into the trace and its bytes onto the link.
    fn pull_pump_server(&mut self, k: u32) {
        let lat = self.latency();
        let (client, server) = (self.pulls.conns[k as usize].client, self.pulls.conns[k as usize].server);
        let mut closed = false;
        loop {
            let conn = &mut self.pulls.conns[k as usize];
            match &mut conn.session {
                Session::Pop3 { ss: Some(ss), last, .. } => {
                    let Some(event) = ss.poll_event() else { break };
                    use pop3::event::ServerEvent as E;
                    match event {
                        E::CommandReceived { command, .. } => *last = Some(command.verb()),
                        E::SaslLineReceived { .. } => *last = Some(Pop3Verb::Auth),
                        E::SyntaxErrorReceived { .. } | E::LineTooLong { .. } => *last = None,
                        E::ResponseSent { bytes, key, state_before, state_after, body_lines, .. } => {
                            let answers = *last;
                            let facts = pop3::catalogue::response_spec(key)
                                .map(|key| Facts::Pop3Reply(Pop3Reply { key, answers, before: state_before, after: state_after }));
                            let label = response_label(&bytes, body_lines);
                            let ev = self.pull_event(k, server, Some(client), Layer::Pop3, Kind::Reply, label, Cow::Borrowed(""));
                            ev.raw = Some(String::from_utf8_lossy(&bytes).into_owned());
                            ev.facts = facts;
                        }
                        E::MessagesRemoved { unique_ids } if !unique_ids.is_empty() => {
                            let n = unique_ids.len();
                            let label = format!("{n} message{} removed from the maildrop", if n == 1 { "" } else { "s" });
                            let ev = self.pull_event(k, server, None, Layer::Mailbox, Kind::Removed, label, "the UPDATE state: only now, after QUIT, does the server remove the messages marked with DELE; had the connection dropped, nothing would have been removed (RFC 1939 §6)".into());
                            ev.key = Some("pop3-update".into());
                            self.pull_changes(server);
                        }
                        E::TlsStarted => self.pull_tls(
                            k,
                            client,
                            server,
                            "client and server negotiate TLS after STLS; the password that follows is encrypted, and the client asks for the capabilities again (RFC 2595 §4)",
                        ),
                        E::Closed => {
                            closed = true;
                            self.pull_closed(k, server, client);
                        }
                        _ => {}
                    }
                }
                Session::Imap { ss: Some(ss), tags, .. } => {
                    let Some(event) = ss.poll_event() else { break };
                    use imap::event::ServerEvent as E;
                    match event {
                        E::ResponseSent { response, bytes, key, state_before, state_after } => {
                            let tag = match &response {
                                imap::response::Response::Status { tag: Some(t), .. } => Some(t.clone()),
                                _ => None,
                            };
                            let answers = tag.as_ref().and_then(|t| tags.get(t).copied());
                            let facts = imap::catalogue::response(key).map(|key| {
                                Facts::ImapResponse(ImapResponse { key, tag, answers, before: state_before, after: state_after })
                            });
                            let more = bytes.iter().filter(|&&b| b == b'\n').count().saturating_sub(1);
                            let ev = self.pull_event(
                                k,
                                server,
                                Some(client),
                                Layer::Imap,
                                Kind::Reply,
                                response_label(&bytes, more),
                                Cow::Borrowed(""),
                            );
                            ev.raw = Some(String::from_utf8_lossy(&bytes).into_owned());
                            ev.facts = facts;
                            self.pull_changes(server);
                        }
                        E::MessagesExpunged { uids, .. } if !uids.is_empty() => {
                            let n = uids.len();
                            let label = format!("{n} message{} expunged", if n == 1 { "" } else { "s" });
                            let ev = self.pull_event(
                                k,
                                server,
                                None,
                                Layer::Mailbox,
                                Kind::Removed,
                                label,
                                "messages flagged \\Deleted are removed for good (RFC 9051 §6.4.3)".into(),
                            );
                            ev.key = Some("imap-expunge".into());
                            self.pull_changes(server);
                        }
                        E::TlsStarted => self.pull_tls(
                            k,
                            client,
                            server,
                            "client and server negotiate TLS after STARTTLS; now the password may be sent, and the capabilities change (RFC 9051 §6.2.1)",
                        ),
                        E::Closed => {
                            closed = true;
                            self.pull_closed(k, server, client);
                        }
                        _ => {}
                    }
                }
                _ => return,
            }
        }
        self.pull_changes(server);
        let mut out = Vec::new();
        match &mut self.pulls.conns[k as usize].session {
            Session::Pop3 { ss: Some(ss), .. } => {
                while let Some(b) = ss.poll_output() {
                    out.extend_from_slice(&b);
                }
            }
            Session::Imap { ss: Some(ss), .. } => {
                while let Some(b) = ss.poll_output() {
                    out.extend_from_slice(&b);
                }
            }
            _ => {}
        }
        if !out.is_empty() {
            self.schedule(self.now + lat, Action::PullToClient(k, out));
        }
        if closed && !self.pulls.conns[k as usize].server_closed {
            self.pulls.conns[k as usize].server_closed = true;
            // After the bytes in flight: the client reads the last response first.
            self.schedule(self.now + lat, Action::PullClosedToClient(k));
        }
    }

    /// What the sessions changed in the node's store, onto the stored messages: \Seen from
    /// the last event on, removal from the last event on.
    fn pull_changes(&mut self, node: usize) {
        let Some(store) = self.pulls.stores.get_mut(&node) else { return };
        let changes = store.take_changes();
        let Some(seq) = self.events.len().checked_sub(1) else { return };
        for c in changes {
            match c {
                Change::FlagsChanged { user, uid, flags, .. } => {
                    if let Some(&i) = self.pulls.stored.get(&(node, user, uid)) {
                        let m = &mut self.stored[i];
                        if flags.contains(Flag::Seen) {
                            m.seen.get_or_insert(seq);
                        }
                    }
                }
                Change::Expunged { user, uid, .. } => {
                    if let Some(&i) = self.pulls.stored.get(&(node, user, uid)) {
                        self.stored[i].removed.get_or_insert(seq);
                    }
                }
                _ => {}
            }
        }
    }

    pub(super) fn pull_to_client(&mut self, k: u32, bytes: &[u8]) {
        match &mut self.pulls.conns[k as usize].session {
            Session::Pop3 { cs, .. } => cs.receive(bytes),
            Session::Imap { cs, .. } => cs.receive(bytes),
        }
        self.pull_pump_client(k);
    }

    pub(super) fn pull_closed_to_client(&mut self, k: u32) {
        match &mut self.pulls.conns[k as usize].session {
            Session::Pop3 { cs, .. } => cs.connection_closed(),
            Session::Imap { cs, .. } => cs.connection_closed(),
        }
        self.pulls.conns[k as usize].client_closed = true;
        self.pull_pump_client(k);
    }

    pub(super) fn pull_closed_to_server(&mut self, k: u32) {
        let sc = self.sc;
        let conn = &mut self.pulls.conns[k as usize];
        let server = conn.server;
        let spec = &sc.nodes[server];
        match &mut conn.session {
            Session::Pop3 { ss: Some(ss), .. } => {
                let Some(store) = self.pulls.stores.get_mut(&server) else { return };
                let mut drop = Maildrop { spec, node: server, store, locked: &mut self.pulls.locked };
                ss.connection_closed(&mut drop);
            }
            Session::Imap { ss: Some(ss), .. } => ss.connection_closed(),
            _ => return,
        }
        self.pull_pump_server(k);
    }

    pub(super) fn pull_idle_end(&mut self, k: u32) {
        if let Session::Imap { cs, idle_timer, .. } = &mut self.pulls.conns[k as usize].session {
            *idle_timer = false;
            if cs.is_idling() {
                cs.stop_idle();
            }
        }
        self.pull_pump_client(k);
    }

    /// Moves the mail program's events into the trace and its bytes onto the link.
    fn pull_pump_client(&mut self, k: u32) {
        let lat = self.latency();
        let conn = &self.pulls.conns[k as usize];
        let (client, server, pull) = (conn.client, conn.server, conn.pull);
        let host = self.sc.nodes[server].host.clone();
        loop {
            let conn = &mut self.pulls.conns[k as usize];
            match &mut conn.session {
                Session::Pop3 { cs, .. } => {
                    let Some(event) = cs.poll_event() else { break };
                    use pop3::event::ClientEvent as E;
                    match event {
                        E::CommandSent { command, bytes } => {
                            let verb = command.verb();
                            let ev =
                                self.pull_event(k, client, Some(server), Layer::Pop3, Kind::Command, first_line(&bytes), Cow::Borrowed(""));
                            ev.raw = Some(String::from_utf8_lossy(&bytes).into_owned());
                            ev.facts = Some(Facts::Pop3Command { verb });
                        }
                        E::SaslLineSent { bytes } => {
                            let ev =
                                self.pull_event(k, client, Some(server), Layer::Pop3, Kind::Command, first_line(&bytes), Cow::Borrowed(""));
                            ev.raw = Some(String::from_utf8_lossy(&bytes).into_owned());
                            ev.facts = Some(Facts::Pop3Command { verb: Pop3Verb::Auth });
                        }
                        E::LoginFailed { status } => {
                            let line = String::from_utf8_lossy(&pop3::response::encode_status(&status)).trim_end().to_string();
                            let text = format!("The POP3 server {host} refused the login: {line}. Check the user name and password in the account settings.");
                            let ev = self.pull_event(k, client, None, Layer::User, Kind::UserNotice, text, "the mail program shows this error to its user; [AUTH] says the credentials were wrong, so trying again with the same ones will not help (RFC 3206 §5)".into());
                            ev.key = Some("user-notice".into());
                        }
                        E::MessageRetrieved { msg, unique_id, message } => {
                            if let Some(u) = &unique_id {
                                self.pulls.known.entry(pull).or_default().push(u.clone());
                            }
                            let id = unique_id.map(|u| format!(", UIDL {u}")).unwrap_or_default();
                            let label = format!("downloaded message {msg} ({} octets{id})", message.len());
                            let ev = self.pull_event(k, client, None, Layer::User, Kind::Retrieved, label, "the mail program now has its own copy of the message; with POP3 it lives on this device from now on (RFC 1939 §1)".into());
                            ev.key = Some("pop3-retrieved".into());
                        }
                        E::BadResponse { raw, .. } => {
                            let text = format!("The POP3 server {host} sent something that is no POP3 response: {}", first_line(&raw));
                            let ev = self.pull_event(
                                k,
                                client,
                                None,
                                Layer::User,
                                Kind::UserNotice,
                                text,
                                "the mail program gives up on this connection (RFC 1939 §3: responses start with +OK or -ERR)".into(),
                            );
                            ev.key = Some("user-notice".into());
                        }
                        _ => {}
                    }
                }
                Session::Imap { cs, tags, .. } => {
                    let Some(event) = cs.poll_event() else { break };
                    use imap::event::ClientEvent as E;
                    match event {
                        E::CommandSent { bytes, tag, verb } => {
                            if let Some(t) = &tag {
                                tags.insert(t.clone(), verb);
                            }
                            let ev =
                                self.pull_event(k, client, Some(server), Layer::Imap, Kind::Command, first_line(&bytes), Cow::Borrowed(""));
                            ev.raw = Some(String::from_utf8_lossy(&bytes).into_owned());
                            ev.facts = Some(Facts::ImapCommand { tag, verb });
                        }
                        E::Fetched { uid, section, part, octets } => {
                            let what = if part.is_empty() { "the whole message".to_string() } else { format!("only {section}") };
                            let label = format!("downloaded {what} of UID {uid} ({octets} octets)");
                            let ev = self.pull_event(k, client, None, Layer::User, Kind::Retrieved, label, "the mail program shows the message; with IMAP the message itself stays on the server, and every device sees the same mailbox (RFC 9051 §1)".into());
                            ev.key = Some("imap-fetched".into());
                        }
                        E::StepFailed { step, response } => {
                            let line = String::from_utf8_lossy(&imap::encode::response(&response)).trim_end().to_string();
                            let (text, meaning) = if step == "Login" {
                                (format!("The IMAP server {host} refused the login ({line}). Check the user name and password in the account settings."), "the mail program shows this error to its user; NO [AUTHENTICATIONFAILED] says the credentials were wrong (RFC 9051 §6.2.3, RFC 5530 §3)")
                            } else {
                                (
                                    format!("The IMAP server {host} refused a command ({line}); the mail program logs out."),
                                    "a NO or BAD ends the mail program's plan (RFC 9051 §7.1)",
                                )
                            };
                            let ev = self.pull_event(k, client, None, Layer::User, Kind::UserNotice, text, meaning.into());
                            ev.key = Some("user-notice".into());
                        }
                        E::BadResponse { raw, .. } => {
                            let text = format!("The IMAP server {host} sent something that is no IMAP response: {}", first_line(&raw));
                            let ev = self.pull_event(
                                k,
                                client,
                                None,
                                Layer::User,
                                Kind::UserNotice,
                                text,
                                "the mail program gives up on this connection (RFC 9051 §7)".into(),
                            );
                            ev.key = Some("user-notice".into());
                        }
                        _ => {}
                    }
                }
            }
        }
        let mut out = Vec::new();
        let (finished, idling) = match &mut self.pulls.conns[k as usize].session {
            Session::Pop3 { cs, .. } => {
                while let Some(b) = cs.poll_output() {
                    out.extend_from_slice(&b);
                }
                (cs.is_done(), false)
            }
            Session::Imap { cs, idle_timer, .. } => {
                while let Some(b) = cs.poll_output() {
                    out.extend_from_slice(&b);
                }
                let start = cs.is_idling() && !*idle_timer;
                if start {
                    *idle_timer = true;
                }
                (cs.is_finished(), start)
            }
        };
        if !out.is_empty() {
            self.schedule(self.now + lat, Action::PullToServer(k, out));
        }
        if idling {
            let wait = self.sc.pulls[pull].idle.map_or(0, |s| s.0);
            self.schedule(self.now + wait, Action::PullIdleEnd(k));
        }
        let conn = &mut self.pulls.conns[k as usize];
        if finished && !conn.client_closed {
            conn.client_closed = true;
            if !conn.server_closed {
                // The mail program hangs up (it gave up): the server learns it after the latency.
                self.schedule(self.now + lat, Action::PullClosedToServer(k));
            }
        }
    }
}
