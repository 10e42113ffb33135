//! `smtp-sim serve --pop3 ADDR`: the POP3 server session on a real loopback socket, serving the
//! same Maildirs that SMTP delivery fills, so Python's poplib, curl's `pop3://` URLs or a mail
//! program can read what smtplib sent. One thread per connection, like the SMTP side; every
//! command and response is narrated with the catalogue's meaning, why and RFC section.
//!
//! The node's decisions are a [`Maildrop`] over the shared [`MailStore`]: the `--auth` accounts
//! (the same as SMTP AUTH's) log in with USER/PASS, APOP (the password is the shared secret) or
//! AUTH PLAIN; a login locks the maildrop for the session (a second one gets `-ERR [IN-USE]`,
//! RFC 2449 §8.1.1), takes its \Recent messages (Maildir: `new/` → `cur/`), and numbers the
//! INBOX. RETR sets \Seen (so an IMAP client sees the message as read, as Dovecot does). QUIT
//! from TRANSACTION flags the DELE'd messages \Deleted and expunges exactly those; a dropped
//! connection removes nothing (RFC 1939 §6). UIDL is `<UIDVALIDITY>.<UID>`, stable across
//! reconnects and restarts because the store persists both.
//!
//! STLS is not offered: TLS is only simulated, and a real socket cannot fake it.

use std::collections::HashSet;
use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

use super::maildir;
use super::mailstore::MailStore;
use super::narrate::{self, say, Dir};
use super::serve::Credential;
use crate::pop3::catalogue::{self as cat, ResponseSpec};
use crate::pop3::event::ServerEvent;
use crate::pop3::server::{DropMessage, Maildrop, ServerConfig, ServerSession};
use crate::store::{Flag, FlagOp, Flags, INBOX};

/// How often a connection thread or the accept loop wakes to check for Ctrl-C and idleness.
const POLL: Duration = Duration::from_millis(250);
const WRITE_TIMEOUT: Duration = Duration::from_secs(30);

/// What `serve` hands to the POP3 side.
pub struct Pop3Options {
    pub listen: SocketAddr,
    pub hostname: String,
    pub accounts: Vec<Credential>,
    pub store: Arc<MailStore>,
    pub quiet: bool,
    /// RFC 1939 §3: the autologout timer; an idle session is closed without UPDATE.
    pub idle: Duration,
    pub max_connections: u64,
}

struct Shared {
    opts: Pop3Options,
    /// Maildrops with a session in TRANSACTION (RFC 1939 §8: exclusive access).
    locked: Mutex<HashSet<String>>,
    active: AtomicUsize,
    connections: AtomicUsize,
}

/// The running POP3 listener.
pub struct Pop3Server {
    pub addr: SocketAddr,
    handle: thread::JoinHandle<usize>,
}

impl Pop3Server {
    /// Wait until the listener has stopped (after `stop` said so); the number of connections.
    pub fn join(self) -> usize {
        self.handle.join().unwrap_or(0)
    }
}

/// The directory (mailbox) name of an account: its user name in lower case.
pub fn mailbox_of(user: &str) -> String {
    user.to_ascii_lowercase()
}

/// Polled to learn that the server is stopping (Ctrl-C).
pub type Stop = Arc<dyn Fn() -> bool + Send + Sync>;

/// Bind and start accepting in a thread; `stop` is polled to end the loop (Ctrl-C).
pub fn start(opts: Pop3Options, stop: Stop) -> Result<Pop3Server, String> {
    let listener = TcpListener::bind(opts.listen).map_err(|e| match e.kind() {
        ErrorKind::AddrInUse => format!("cannot listen for POP3 on {}: the address is in use — try another --pop3 port", opts.listen),
        _ => format!("cannot listen for POP3 on {}: {e}", opts.listen),
    })?;
    let addr = listener.local_addr().map_err(|e| format!("cannot read the POP3 address: {e}"))?;
    listener.set_nonblocking(true).map_err(|e| format!("cannot set up the POP3 listener: {e}"))?;
    let shared =
        Arc::new(Shared { opts, locked: Mutex::new(HashSet::new()), active: AtomicUsize::new(0), connections: AtomicUsize::new(0) });
    let handle = thread::Builder::new()
        .name("pop3-accept".into())
        .spawn(move || accept_loop(&shared, &listener, &stop))
        .map_err(|e| format!("cannot start the POP3 thread: {e}"))?;
    Ok(Pop3Server { addr, handle })
}

fn accept_loop(shared: &Arc<Shared>, listener: &TcpListener, stop: &Stop) -> usize {
    let mut threads: Vec<thread::JoinHandle<()>> = Vec::new();
    while !stop() {
        threads.retain(|t| !t.is_finished());
        let (stream, peer) = match listener.accept() {
            Ok(s) => s,
            Err(e) if e.kind() == ErrorKind::WouldBlock => {
                thread::sleep(POLL / 5);
                continue;
            }
            Err(e) => {
                say(&[format!("smtp-sim serve: POP3 accept failed: {e}")]);
                thread::sleep(POLL);
                continue;
            }
        };
        let id = shared.connections.fetch_add(1, Ordering::SeqCst) + 1;
        let conn = format!("pop3 #{id}");
        if let Err(e) = stream.set_nonblocking(false) {
            say(&[narrate::note(&conn, &format!("! cannot use the connection: {e}"))]);
            continue;
        }
        if shared.active.load(Ordering::SeqCst) as u64 >= shared.opts.max_connections {
            refuse_busy(shared, stream, &conn);
            continue;
        }
        shared.active.fetch_add(1, Ordering::SeqCst);
        let sh = Arc::clone(shared);
        let stop = Arc::clone(stop);
        let spawned = thread::Builder::new().name(format!("pop3-{id}")).spawn(move || {
            connection(&sh, stream, peer, &conn, id, &stop);
            sh.active.fetch_sub(1, Ordering::SeqCst);
        });
        match spawned {
            Ok(t) => threads.push(t),
            Err(e) => {
                shared.active.fetch_sub(1, Ordering::SeqCst);
                say(&[format!("smtp-sim serve: cannot start a thread for POP3 connection #{id}: {e}")]);
            }
        }
    }
    for t in threads {
        if t.join().is_err() {
            say(&["smtp-sim serve: a POP3 connection thread panicked".to_string()]);
        }
    }
    shared.connections.load(Ordering::SeqCst)
}

/// Over the connection cap: `-ERR [SYS/TEMP]` instead of a greeting, and close.
fn refuse_busy(shared: &Shared, mut stream: TcpStream, conn: &str) {
    let line = encode_busy();
    let ok = stream.set_write_timeout(Some(Duration::from_secs(1))).and_then(|()| stream.write_all(&line));
    if !shared.opts.quiet {
        let mut lines = narrate::wire(conn, Dir::Down, &line);
        lines.push(narrate::explain(&format!("= {} ({})", cat::SYS_TEMP.meaning, cat::SYS_TEMP.rfc)));
        lines.push(narrate::explain(&format!("  Why: over the limit of {} simultaneous POP3 connections", shared.opts.max_connections)));
        if let Err(e) = ok {
            lines.push(narrate::note(conn, &format!("! write error: {e}")));
        }
        say(&lines);
    }
    // Closing a socket we are done with; a failure leaves nothing to do.
    stream.shutdown(Shutdown::Both).ok();
}

fn encode_busy() -> Vec<u8> {
    crate::pop3::response::encode_status(&cat::SYS_TEMP.status_line(&["too many connections, try again later"]))
}

/// The node's answers for one connection.
struct Node<'a> {
    shared: &'a Shared,
    conn: &'a str,
    /// Problems to narrate (store errors), taken by the connection loop.
    notes: Vec<String>,
}

impl Node<'_> {
    fn account(&self, user: &str) -> Option<&Credential> {
        self.shared.opts.accounts.iter().find(|c| c.user == user)
    }
    fn store_error(&mut self, what: &str, e: &std::io::Error) {
        self.notes.push(narrate::note(self.conn, &format!("! cannot {what} in {}: {e}", self.shared.opts.store.root().display())));
    }
}

impl Maildrop for Node<'_> {
    fn check_password(&mut self, user: &str, password: &str) -> bool {
        self.account(user).is_some_and(|c| c.password == password)
    }

    fn apop_secret(&mut self, user: &str) -> Option<String> {
        self.account(user).map(|c| c.password.clone())
    }

    fn open(&mut self, user: &str) -> Result<Vec<DropMessage>, &'static ResponseSpec> {
        let mailbox = mailbox_of(user);
        {
            let mut locked = self.shared.locked.lock().unwrap_or_else(PoisonError::into_inner);
            // RFC 1939 §8: one session at a time per maildrop.
            if !locked.insert(mailbox.clone()) {
                return Err(&cat::IN_USE);
            }
        }
        let snapshot = self.shared.opts.store.with(&mailbox, |s| {
            // The first session to open INBOX takes \Recent (Maildir: new/ → cur/).
            s.claim_recent(&mailbox, INBOX)?;
            let f = s.folder(&mailbox, INBOX)?;
            Ok::<_, crate::store::StoreError>(
                f.messages
                    .iter()
                    .map(|m| DropMessage { uid: m.uid, unique_id: format!("{}.{}", f.uid_validity, m.uid), bytes: Arc::clone(&m.bytes) })
                    .collect::<Vec<_>>(),
            )
        });
        match snapshot {
            Ok(Ok(messages)) => Ok(messages),
            Ok(Err(e)) => {
                self.notes.push(narrate::note(self.conn, &format!("! {e}")));
                self.close(user);
                Err(&cat::SYS_TEMP)
            }
            Err(e) => {
                self.store_error("read the maildrop", &e);
                self.close(user);
                Err(&cat::SYS_TEMP)
            }
        }
    }

    fn retrieved(&mut self, user: &str, message: &DropMessage) {
        let mailbox = mailbox_of(user);
        let seen = self
            .shared
            .opts
            .store
            .with(&mailbox, |s| s.set_flags(&mailbox, INBOX, &[message.uid], FlagOp::Add, Flags::of(&[Flag::Seen])).map(|_| ()));
        if let Err(e) = seen {
            self.store_error("mark the message as seen", &e);
        }
    }

    fn update(&mut self, user: &str, deleted: &[DropMessage]) -> Result<(), &'static ResponseSpec> {
        let mailbox = mailbox_of(user);
        let uids: Vec<u32> = deleted.iter().map(|m| m.uid).collect();
        let done = self.shared.opts.store.with(&mailbox, |s| {
            // RFC 1939 §6: remove exactly the DELE'd messages — flag them, expunge those UIDs.
            s.set_flags(&mailbox, INBOX, &uids, FlagOp::Add, Flags::of(&[Flag::Deleted]))?;
            s.expunge(&mailbox, INBOX, Some(&uids))
        });
        match done {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(e)) => {
                self.notes.push(narrate::note(self.conn, &format!("! {e}")));
                Err(&cat::UPDATE_FAILED)
            }
            Err(e) => {
                self.store_error("remove the deleted messages", &e);
                Err(&cat::UPDATE_FAILED)
            }
        }
    }

    fn close(&mut self, user: &str) {
        self.shared.locked.lock().unwrap_or_else(PoisonError::into_inner).remove(&mailbox_of(user));
    }
}

/// One connection, start to end.
fn connection(shared: &Shared, mut stream: TcpStream, peer: SocketAddr, conn: &str, id: usize, stop: &Stop) {
    let quiet = shared.opts.quiet;
    if !quiet {
        say(&[narrate::note(conn, &format!("POP3 connection from {peer}"))]);
    }
    let setup = stream
        .set_nodelay(true)
        .and_then(|()| stream.set_read_timeout(Some(POLL)))
        .and_then(|()| stream.set_write_timeout(Some(WRITE_TIMEOUT)));
    if let Err(e) = setup {
        say(&[narrate::note(conn, &format!("! cannot set up the connection: {e}"))]);
        return;
    }
    // RFC 1939 §7: the timestamp must be unique per greeting: process, connection, clock.
    let timestamp = format!("<{}.{id}.{}@{}>", std::process::id(), maildir::now_seconds(), shared.opts.hostname);
    let config = ServerConfig {
        hostname: shared.opts.hostname.clone(),
        apop_timestamp: Some(timestamp),
        user_pass: true,
        sasl_plain: true,
        stls: false,
        max_errors: 10,
    };
    let mut session = ServerSession::new(config);
    let mut node = Node { shared, conn, notes: Vec::new() };
    let mut buf = vec![0u8; 16 * 1024];
    let mut last_input = Instant::now();
    loop {
        if !pump(&mut session, &mut stream, &mut node) || session.is_closed() {
            break;
        }
        match stream.read(&mut buf) {
            Ok(0) => session.connection_closed(&mut node),
            Ok(n) => {
                last_input = Instant::now();
                session.receive(&buf[..n], &mut node);
            }
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut | ErrorKind::Interrupted) => {
                if stop() {
                    if !quiet {
                        say(&[narrate::note(conn, "the server is stopping: closing without UPDATE, nothing is removed (RFC 1939 §6)")]);
                    }
                    session.connection_closed(&mut node);
                } else if last_input.elapsed() >= shared.opts.idle {
                    if !quiet {
                        say(&[narrate::note(
                            conn,
                            &format!("idle for {} s: the autologout timer closes the connection without UPDATE, nothing is removed (RFC 1939 §3, §6)", shared.opts.idle.as_secs()),
                        )]);
                    }
                    session.connection_closed(&mut node);
                }
            }
            Err(e) => {
                if !quiet {
                    say(&[narrate::note(conn, &format!("! read error: {e}"))]);
                }
                session.connection_closed(&mut node);
            }
        }
    }
    // The session is over; a failed shutdown of a socket we are done with changes nothing.
    stream.shutdown(Shutdown::Both).ok();
    if !quiet {
        say(&[narrate::note(conn, "connection closed")]);
    }
}

/// Narrate what the session did, then write what it said. `false` when the socket broke.
fn pump(session: &mut ServerSession, stream: &mut TcpStream, node: &mut Node) -> bool {
    let quiet = node.shared.opts.quiet;
    let mut lines = std::mem::take(&mut node.notes);
    while let Some(ev) = session.poll_event() {
        match &ev {
            ServerEvent::LoggedIn { user, messages, octets, .. } if quiet => {
                lines.push(narrate::note(node.conn, &format!("{user} logged in: {messages} messages ({octets} octets)")))
            }
            ServerEvent::MessagesRemoved { unique_ids } if quiet => {
                lines.push(narrate::note(node.conn, &format!("removed {} message(s) at QUIT", unique_ids.len())))
            }
            _ if quiet => {}
            _ => lines.extend(event_lines(node.conn, &ev)),
        }
    }
    say(&lines);
    while let Some(bytes) = session.poll_output() {
        if let Err(e) = stream.write_all(&bytes) {
            if !quiet {
                say(&[narrate::note(node.conn, &format!("! write error: {e}"))]);
            }
            session.connection_closed(node);
            while session.poll_event().is_some() {}
            return false;
        }
    }
    true
}

/// The narration of one POP3 server event.
pub fn event_lines(conn: &str, event: &ServerEvent) -> Vec<String> {
    let mut out = Vec::new();
    match event {
        ServerEvent::CommandReceived { raw, command, .. } => {
            out.extend(narrate::wire(conn, Dir::Up, raw));
            let spec = cat::command_spec(command.verb());
            out.push(narrate::explain(&format!("= {} ({})", spec.purpose, spec.rfc)));
            if matches!(command, crate::pop3::command::Command::Pass(_)) {
                out.push(narrate::explain("  (the password travels in clear: POP3 without TLS hides nothing, RFC 1939 §13)"));
            }
        }
        ServerEvent::SyntaxErrorReceived { raw, error } => {
            out.extend(narrate::wire(conn, Dir::Up, raw));
            out.push(narrate::explain(&format!("! not understood: {error}")));
        }
        ServerEvent::LineTooLong { octets, limit } => {
            out.push(narrate::note(conn, &format!("C → S  (a line of {octets} octets, over the limit of {limit}; discarded)")))
        }
        ServerEvent::SaslLineReceived { raw } => {
            out.extend(narrate::wire(conn, Dir::Up, raw));
            out.push(narrate::explain("= The SASL response: base64 is an encoding, not encryption (RFC 5034 §4)"));
        }
        ServerEvent::ResponseSent { bytes, body_lines, key, state_before, state_after, .. } => {
            let summarise = matches!(*key, "retr.ok" | "top.ok");
            if summarise {
                let first = bytes.iter().position(|&b| b == b'\n').map_or(bytes.len(), |i| i + 1);
                out.extend(narrate::wire(conn, Dir::Down, &bytes[..first]));
                out.push(narrate::note(
                    conn,
                    &format!(
                        "S → C  (message text: {body_lines} lines, {} octets on the wire with byte-stuffing, ended by <CR><LF>.<CR><LF>)",
                        bytes.len() - first
                    ),
                ));
            } else {
                out.extend(narrate::wire(conn, Dir::Down, bytes));
            }
            if let Some(spec) = cat::response_spec(key) {
                out.push(narrate::explain(&format!("= {}", spec.meaning)));
                out.push(narrate::explain(&format!("  Why: {} ({})", spec.why, spec.rfc)));
            }
            let (b, a) = (format!("{state_before:?}"), format!("{state_after:?}"));
            out.push(narrate::explain(&if b == a { format!("  State: {b} (unchanged)") } else { format!("  State: {b} → {a}") }));
        }
        ServerEvent::LoggedIn { user, mechanism, messages, octets } => out.push(narrate::explain(&format!(
            "* {user} logged in with {mechanism:?}: {messages} messages, {octets} octets; maildrop locked"
        ))),
        ServerEvent::LoginFailed { user, mechanism } => out.push(narrate::explain(&format!(
            "* login with {mechanism:?} failed{}",
            user.as_ref().map(|u| format!(" for {u:?}")).unwrap_or_default()
        ))),
        ServerEvent::MessageMarked { msg, unique_id } => {
            out.push(narrate::explain(&format!("* message {msg} ({unique_id}) marked; removed only at QUIT")))
        }
        ServerEvent::MarksCleared { count } => out.push(narrate::explain(&format!("* {count} deletion mark(s) undone"))),
        ServerEvent::MessagesRemoved { unique_ids } => out.push(narrate::explain(&format!(
            "* UPDATE removed {} message(s){}",
            unique_ids.len(),
            if unique_ids.is_empty() { String::new() } else { format!(": {}", unique_ids.join(", ")) }
        ))),
        ServerEvent::NothingRemoved { marked } => {
            out.push(narrate::explain(&format!("* no UPDATE: {marked} marked message(s) stay in the maildrop (RFC 1939 §6)")))
        }
        ServerEvent::TlsStarted => out.push(narrate::explain("(simulated TLS handshake)")),
        ServerEvent::ProtocolViolated { what } => out.push(narrate::explain(&format!("! {what}"))),
        ServerEvent::Closed => out.push(narrate::note(conn, "session closed")),
    }
    out
}
