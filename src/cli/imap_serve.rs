//! `smtp-sim serve --imap ADDR`: the IMAP server session on a real loopback socket, reading
//! the same Maildirs that SMTP delivers into, through the shared [`MailStore`] — so Python's
//! imaplib, curl's `imap://` or Thunderbird can read what smtplib sent. A thread accepts
//! connections and one thread serves each; every line is narrated like the SMTP side
//! (raw bytes with CR/LF visible, the catalogue's meaning, why and RFC section, state changes).
//!
//! The store is lent to the session for each chunk of input (`MailStore::with` reads the
//! user's folders from disk, runs the session, writes the changes back), so mail that SMTP
//! delivered meanwhile shows up as `* n EXISTS`. Until the client has logged in, input is fed
//! one line at a time: the line that logs in decides whose Maildir the rest is read against.
//! While the client IDLEs, the store is polled every [`POLL`].
//!
//! STARTTLS is not offered (TLS is only simulated), so LOGINDISABLED is not either: on a
//! loopback socket a clear-text LOGIN is acceptable, and the browser simulation shows the
//! secure behaviour.

use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use super::maildir;
use super::mailstore::MailStore;
use super::narrate::{self, explain, say, Dir};
use crate::imap::catalogue;
use crate::imap::event::ServerEvent;
use crate::imap::server::{ServerConfig, ServerSession};

/// How often a connection wakes to check for Ctrl-C, the idle timeout and (in IDLE) new mail.
pub const POLL: Duration = Duration::from_millis(250);
const WRITE_TIMEOUT: Duration = Duration::from_secs(30);
/// Wire lines narrated per unit; a FETCH of a whole message is cut after these.
const MAX_NARRATED_LINES: usize = 12;

/// What the IMAP listener and its connections share.
pub struct ImapService {
    pub config: ServerConfig,
    pub store: Arc<MailStore>,
    /// `--auth USER:PASS`, shared with SMTP AUTH (and POP3).
    pub accounts: Vec<(String, String)>,
    pub quiet: bool,
    /// `--idle-timeout`: RFC 9051 §5.4 asks for at least 30 minutes; the CLI default is 5.
    pub idle: Duration,
    pub max_connections: usize,
    /// The server is stopping (Ctrl-C).
    pub stop: Box<dyn Fn() -> bool + Send + Sync>,
    pub active: AtomicUsize,
}

/// Accept IMAP connections on `listener` until `service.stop()`; returns when all are done.
pub fn spawn(listener: TcpListener, service: Arc<ImapService>) -> std::io::Result<thread::JoinHandle<()>> {
    listener.set_nonblocking(true)?;
    thread::Builder::new().name("imap-accept".into()).spawn(move || {
        let mut threads: Vec<thread::JoinHandle<()>> = Vec::new();
        let mut next_id: u64 = 1;
        while !(service.stop)() {
            threads.retain(|t| !t.is_finished());
            match listener.accept() {
                Ok((stream, peer)) => {
                    let conn = format!("imap#{next_id}");
                    next_id += 1;
                    if service.active.load(Ordering::SeqCst) >= service.max_connections {
                        refuse_busy(&service, stream, &conn);
                        continue;
                    }
                    service.active.fetch_add(1, Ordering::SeqCst);
                    let sv = Arc::clone(&service);
                    match thread::Builder::new().name(conn.clone()).spawn(move || {
                        connection(&sv, stream, peer, &conn);
                        sv.active.fetch_sub(1, Ordering::SeqCst);
                    }) {
                        Ok(t) => threads.push(t),
                        Err(e) => {
                            service.active.fetch_sub(1, Ordering::SeqCst);
                            say(&[format!("smtp-sim serve: cannot start an IMAP connection thread: {e}")]);
                        }
                    }
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock => thread::sleep(POLL),
                Err(e) => {
                    say(&[format!("smtp-sim serve: IMAP accept failed: {e}")]);
                    thread::sleep(POLL);
                }
            }
        }
        for t in threads {
            if t.join().is_err() {
                say(&["smtp-sim serve: an IMAP connection thread panicked".to_string()]);
            }
        }
    })
}

/// Over the connection cap: `* BYE` and close (RFC 9051 §7.1.5).
fn refuse_busy(service: &ImapService, mut stream: TcpStream, conn: &str) {
    let mut session = ServerSession::new(service.config.clone());
    session.shutdown();
    let lines = flush(service, &mut session, &mut stream, conn);
    if !service.quiet {
        say(&lines);
    }
    let _ = stream.shutdown(Shutdown::Both);
}

fn connection(service: &ImapService, mut stream: TcpStream, peer: SocketAddr, conn: &str) {
    if !service.quiet {
        say(&[narrate::note(conn, &format!("IMAP connection from {peer}"))]);
    }
    // Accepted sockets may inherit non-blocking mode from the listener on some systems.
    let configured = stream
        .set_nonblocking(false)
        .and_then(|()| stream.set_read_timeout(Some(POLL)))
        .and_then(|()| stream.set_write_timeout(Some(WRITE_TIMEOUT)));
    if let Err(e) = configured {
        say(&[narrate::note(conn, &format!("! cannot set up the socket: {e}"))]);
        return;
    }
    let _ = stream.set_nodelay(true);
    let mut session = ServerSession::new(service.config.clone());
    let mut buf = vec![0u8; 16 * 1024];
    let mut last_input = Instant::now();
    loop {
        let lines = flush(service, &mut session, &mut stream, conn);
        if !service.quiet && !lines.is_empty() {
            say(&lines);
        }
        if session.is_closed() {
            break;
        }
        match stream.read(&mut buf) {
            Ok(0) => session.connection_closed(),
            Ok(n) => {
                last_input = Instant::now();
                feed(service, &mut session, &buf[..n], conn);
            }
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut | ErrorKind::Interrupted) => {
                if (service.stop)() {
                    session.shutdown();
                } else if last_input.elapsed() >= service.idle {
                    session.idle_timeout();
                } else if session.is_idling() {
                    if let Some(user) = session.user().map(str::to_string) {
                        if let Err(e) = service.store.with(&user, |store| session.poll_store(store)) {
                            say(&[narrate::note(conn, &format!("! cannot read the Maildirs: {e}"))]);
                        }
                    }
                }
            }
            Err(e) => {
                if !service.quiet {
                    say(&[narrate::note(conn, &format!("! read error: {e}"))]);
                }
                session.connection_closed();
            }
        }
    }
    let _ = stream.shutdown(Shutdown::Both);
    if !service.quiet {
        say(&[narrate::note(conn, "IMAP connection closed")]);
    }
}

/// Give the session its input with the store of the user it is (or is becoming).
fn feed(service: &ImapService, session: &mut ServerSession, mut bytes: &[u8], conn: &str) {
    while !bytes.is_empty() && !session.is_closed() {
        let (chunk, rest) = match session.user() {
            Some(_) => (bytes, &[][..]),
            None => bytes.split_at(bytes.iter().position(|&b| b == b'\n').map_or(bytes.len(), |i| i + 1)),
        };
        // Before login the session does not touch mail; any account's view serves.
        let user = session.user().map(str::to_string).or_else(|| service.accounts.first().map(|a| a.0.clone())).unwrap_or_default();
        let now = maildir::now_seconds();
        if let Err(e) = service.store.with(&user, |store| session.receive(chunk, store, &service.accounts, now)) {
            say(&[narrate::note(conn, &format!("! cannot read or write the Maildirs: {e}"))]);
            session.shutdown();
        }
        bytes = rest;
    }
}

/// Write what the session has to say; the narration lines of its events.
fn flush(service: &ImapService, session: &mut ServerSession, stream: &mut TcpStream, conn: &str) -> Vec<String> {
    let mut lines = Vec::new();
    while let Some(ev) = session.poll_event() {
        if !service.quiet {
            lines.extend(narrate_event(conn, &ev));
        }
    }
    while let Some(bytes) = session.poll_output() {
        if let Err(e) = stream.write_all(&bytes) {
            lines.push(narrate::note(conn, &format!("! write error: {e}")));
            session.connection_closed();
            break;
        }
    }
    lines
}

/// Wire lines of one unit, at most [`MAX_NARRATED_LINES`] (a fetched message can be long).
fn wire(conn: &str, dir: Dir, bytes: &[u8]) -> Vec<String> {
    let mut lines = narrate::wire(conn, dir, bytes);
    if lines.len() > MAX_NARRATED_LINES {
        let more = lines.len() - MAX_NARRATED_LINES;
        lines.truncate(MAX_NARRATED_LINES);
        lines.push(explain(&format!("… {more} more line(s), {} octets in all", bytes.len())));
    }
    lines
}

/// The narration of one IMAP server event.
pub fn narrate_event(conn: &str, ev: &ServerEvent) -> Vec<String> {
    match ev {
        ServerEvent::CommandReceived { raw, command, .. } => {
            let mut raw = raw.clone();
            raw.extend_from_slice(b"\r\n");
            let mut l = wire(conn, Dir::Up, &raw);
            let spec = catalogue::command(command.body.verb());
            l.push(explain(&format!("= {} ({})", spec.purpose, spec.rfc)));
            l
        }
        ServerEvent::LineReceived { raw } => {
            let mut raw = raw.clone();
            raw.extend_from_slice(b"\r\n");
            wire(conn, Dir::Up, &raw)
        }
        ServerEvent::SyntaxErrorReceived { raw, error } => {
            let mut raw = raw.clone();
            raw.extend_from_slice(b"\r\n");
            let mut l = wire(conn, Dir::Up, &raw);
            l.push(explain(&format!("! not IMAP: {error}")));
            l
        }
        ServerEvent::ResponseSent { bytes, key, state_before, state_after, .. } => {
            let mut l = wire(conn, Dir::Down, bytes);
            if let Some(spec) = catalogue::response(key) {
                l.push(explain(&format!("= {}", spec.meaning)));
                l.push(explain(&format!("  Why: {} ({})", spec.why, spec.rfc)));
            }
            if state_before != state_after {
                l.push(explain(&format!("  State: {} → {}", state_before.name(), state_after.name())));
            }
            l
        }
        ServerEvent::TlsStarted => vec![narrate::note(conn, "(simulated) TLS handshake done")],
        ServerEvent::AuthSucceeded { mechanism, user } => vec![narrate::note(conn, &format!("{user} logged in ({mechanism})"))],
        ServerEvent::AuthFailed { mechanism, user } => {
            vec![narrate::note(conn, &format!("login failed ({mechanism}) for {}", user.as_deref().unwrap_or("?")))]
        }
        ServerEvent::MailboxSelected { mailbox, read_only, exists, uid_validity, uid_next } => {
            vec![narrate::note(
                conn,
                &format!(
                    "{mailbox} opened {}: {exists} message(s), UIDVALIDITY {uid_validity}, UIDNEXT {uid_next}",
                    if *read_only { "read-only" } else { "read-write" }
                ),
            )]
        }
        ServerEvent::MessagesExpunged { mailbox, uids, .. } if !uids.is_empty() => {
            vec![narrate::note(conn, &format!("{} message(s) removed from {mailbox} (UIDs {:?})", uids.len(), uids))]
        }
        ServerEvent::MessagesExpunged { .. } => Vec::new(),
        ServerEvent::ProtocolViolated { what } => vec![narrate::note(conn, &format!("! {what}"))],
        ServerEvent::Closed => Vec::new(),
    }
}
