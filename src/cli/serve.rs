//! `smtp-sim serve`: the simulator's server session on a real TCP socket (loopback only), so
//! telnet, swaks or Python's smtplib can talk to it. Each connection gets a thread that feeds
//! the bytes it reads into [`ServerSession::receive`], writes what
//! [`ServerSession::poll_output`] gives back, and narrates every event on stdout.
//!
//! The node's decisions are a [`Policy`]: `<mailbox>@<domain>` and postmaster are local, other
//! local parts of the domain are unknown users (550 5.1.1), other domains are relaying, which
//! nobody may do here (550 5.7.1). Accepted messages go to Maildirs with `Return-Path:` and a
//! `Received:` line (RFC 5321 §4.4), written *before* the 250 is sent: the 250 after the data
//! hands over responsibility (§6.1), so the message must already be safe on disk.
//!
//! STARTTLS is not offered: the core only simulates TLS, and a real socket cannot pretend.

use std::io::{ErrorKind, Read, Write};
use std::net::{IpAddr, Ipv4Addr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use clap::Args;

use super::imap_serve::{self, ImapService};
use super::maildir::{self, Maildirs};
use super::mailstore::MailStore;
use super::narrate::{self, say, Dir};
use super::pop3_serve;
use crate::imap::server::ServerConfig as ImapConfig;
use crate::sim::date;
use crate::smtp::address::{ForwardPath, Host, LocalPart, Path, ReversePath};
use crate::smtp::catalogue as cat;
use crate::smtp::command::RcptParams;
use crate::smtp::event::{Envelope, ServerEvent};
use crate::smtp::server::{Extensions, Policy, ServerConfig, ServerSession, SessionInfo, Verdict};

/// How often a connection thread wakes up to check for Ctrl-C and the idle timeout.
const POLL: Duration = Duration::from_millis(250);
/// A client that does not read its replies for this long is dropped.
const WRITE_TIMEOUT: Duration = Duration::from_secs(30);

/// Run the SMTP server session on a real loopback socket, narrating every command and reply.
///
/// STARTTLS is NOT offered: TLS is only simulated (in the browser and in `smtp-sim run`), and
/// a real socket cannot fake it. Everything, AUTH passwords included, travels in clear text —
/// which is why this server listens on loopback addresses only.
#[derive(Args, Debug)]
pub struct ServeArgs {
    /// Loopback address and port to listen on (127.0.0.1:PORT, [::1]:PORT, localhost:PORT or
    /// just PORT); port 0 picks a free port, printed at start.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:2525", value_parser = parse_listen)]
    pub listen: SocketAddr,
    /// The mail domain this server is the final destination for.
    #[arg(long, value_name = "DOMAIN", default_value = "example.org", value_parser = parse_domain)]
    pub domain: String,
    /// A local mailbox (the part before @), repeatable: --mailbox alice --mailbox bob.
    /// postmaster always exists (RFC 5321 §4.5.1).
    #[arg(long = "mailbox", value_name = "NAME", required = true, value_parser = parse_mailbox)]
    pub mailboxes: Vec<String>,
    /// Directory holding one Maildir per mailbox (DIR/alice/{tmp,new,cur}); created if missing.
    #[arg(long, value_name = "DIR")]
    pub maildir: PathBuf,
    /// A user who may authenticate (AUTH PLAIN and LOGIN are advertised only when given);
    /// repeatable.
    #[arg(long = "auth", value_name = "USER:PASS", value_parser = parse_credential)]
    pub auth: Vec<Credential>,
    /// Largest message accepted, in octets (advertised with SIZE, RFC 1870).
    #[arg(long, value_name = "BYTES", default_value = "10485760", value_parser = parse_size, allow_negative_numbers = true)]
    pub size_limit: u64,
    /// The server's own name, in the greeting and in Received: lines [default: mail.DOMAIN].
    #[arg(long, value_name = "NAME", value_parser = parse_domain)]
    pub hostname: Option<String>,
    /// Submission-style behaviour (RFC 6409): MAIL is refused with 530 5.7.0 until AUTH
    /// succeeded. Needs --auth.
    #[arg(long)]
    pub require_auth: bool,
    /// Print one summary line per stored message instead of narrating every command and reply.
    #[arg(long)]
    pub quiet: bool,
    /// Close a connection that stays silent this long, with 421 4.4.2 (RFC 5321 §4.5.3.2 asks
    /// servers to wait at least 5 minutes).
    #[arg(long, value_name = "SECONDS", default_value = "300", value_parser = parse_positive, allow_negative_numbers = true)]
    pub idle_timeout: u64,
    /// Also serve IMAP (RFC 9051, IMAP4rev1 and IMAP4rev2) on this loopback address (same forms
    /// as --listen), reading the same Maildirs; the --auth users log in. Needs --auth.
    #[arg(long, value_name = "ADDR", value_parser = parse_listen)]
    pub imap: Option<SocketAddr>,
    /// Simultaneous connections; one more is greeted with 421 and closed (RFC 5321 §3.1).
    #[arg(long, value_name = "N", default_value = "20", value_parser = parse_positive, allow_negative_numbers = true)]
    pub max_connections: u64,
    /// Also serve the same Maildirs over POP3 on this loopback address (same forms as --listen;
    /// port 0 picks a free port, printed at start). The --auth accounts log in (USER/PASS, APOP,
    /// AUTH PLAIN); needs at least one. No STLS: TLS is only simulated. Idle POP3 sessions are
    /// closed after --idle-timeout without deleting anything (RFC 1939 §3 asks for at least 600).
    #[arg(long, value_name = "ADDR", value_parser = parse_listen)]
    pub pop3: Option<SocketAddr>,
}

/// A `USER:PASS` pair from the command line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Credential {
    pub user: String,
    pub password: String,
}

/// `USER:PASS`, split at the first colon; both parts non-empty.
pub fn parse_credential(s: &str) -> Result<Credential, String> {
    match s.split_once(':') {
        Some((u, p)) if !u.is_empty() && !p.is_empty() => Ok(Credential { user: u.to_string(), password: p.to_string() }),
        Some(_) => Err("both the user and the password must be non-empty, as in alice:secret".into()),
        None => Err("expected USER:PASS with a colon between them, as in alice:secret".into()),
    }
}

fn parse_size(s: &str) -> Result<u64, String> {
    match s.trim().parse::<u64>() {
        Ok(0) => Err("the size limit must be at least 1 octet".into()),
        Ok(n) => Ok(n),
        Err(_) => Err("expected a whole number of octets (bytes), such as 10485760 for 10 MiB".into()),
    }
}

fn parse_positive(s: &str) -> Result<u64, String> {
    match s.trim().parse::<u64>() {
        Ok(0) => Err("must be at least 1".into()),
        Ok(n) => Ok(n),
        Err(_) => Err("expected a whole number, at least 1".into()),
    }
}

/// A host or domain name: letters, digits, hyphens and dots, no empty label.
fn parse_domain(s: &str) -> Result<String, String> {
    let ok = !s.is_empty()
        && s.len() <= 253
        && s.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !l.starts_with('-')
                && !l.ends_with('-')
        });
    if ok {
        Ok(s.to_ascii_lowercase())
    } else {
        Err("expected a domain name such as example.org (letters, digits, hyphens, dots)".into())
    }
}

/// A mailbox name: a dot-atom local part that is also a safe directory name. UTF-8 is allowed
/// (RFC 6531 §3.3: `atext =/ UTF8-non-ascii`); such a mailbox receives mail only in SMTPUTF8
/// transactions.
fn parse_mailbox(s: &str) -> Result<String, String> {
    const SPECIAL: &[u8] = b"!#$%&'*+-=?^_`{|}~";
    let ok = !s.is_empty()
        && s.len() <= 64
        && s.split('.').all(|a| !a.is_empty() && a.bytes().all(|b| b.is_ascii_alphanumeric() || SPECIAL.contains(&b) || b >= 0x80));
    if ok {
        Ok(s.to_ascii_lowercase())
    } else {
        Err("expected the part of an address before the @, such as alice or jöran (letters, digits, . - _ and the like; at most 64 octets)"
            .into())
    }
}

/// `127.0.0.1:2525`, `[::1]:2525`, `localhost:2525` or `2525`; loopback only.
pub fn parse_listen(s: &str) -> Result<SocketAddr, String> {
    let s = s.trim();
    let addr = if let Ok(port) = s.parse::<u16>() {
        SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port)
    } else if let Some(port) = s.strip_prefix("localhost:") {
        let port = port.parse::<u16>().map_err(|_| format!("{port:?} is not a port number (0-65535)"))?;
        SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port)
    } else {
        s.parse::<SocketAddr>()
            .map_err(|_| "expected IP:PORT such as 127.0.0.1:2525 (or [::1]:2525, localhost:2525, or a port alone)".to_string())?
    };
    if !addr.ip().is_loopback() {
        return Err(format!(
            "{} is not a loopback address: smtp-sim serve listens only on 127.0.0.1 or ::1 (no TLS, and it stores whatever it is sent)",
            addr.ip()
        ));
    }
    Ok(addr)
}

/// What every connection thread shares.
struct Shared {
    config: ServerConfig,
    domain: String,
    mailboxes: Vec<String>,
    auth: Vec<Credential>,
    maildirs: Maildirs,
    quiet: bool,
    idle: Duration,
    stop: AtomicBool,
    active: AtomicUsize,
    messages: AtomicU64,
}

impl Shared {
    /// The mailbox a forward-path is delivered to, if it is local.
    fn local_mailbox(&self, to: &ForwardPath) -> Result<String, &'static cat::ReplySpec> {
        let p: &Path = match to {
            ForwardPath::Postmaster(_) => return Ok("postmaster".into()),
            ForwardPath::Path(p) => p,
        };
        let local = match &p.mailbox.local {
            LocalPart::Dot(s) | LocalPart::Quoted(s) => s.to_ascii_lowercase(),
        };
        let ours = match &p.mailbox.host {
            Host::Domain(d) => d.0.eq_ignore_ascii_case(&self.domain) || d.0.eq_ignore_ascii_case(&self.config.hostname),
            Host::Literal(_) => false,
        };
        if !ours {
            return Err(&cat::RELAY_DENIED); // RFC 5321 §3.6.2, §7.9: no relaying for anyone here
        }
        if local == "postmaster" {
            return Ok(local); // RFC 5321 §4.5.1
        }
        if self.mailboxes.contains(&local) {
            Ok(local)
        } else {
            Err(&cat::UNKNOWN_USER)
        }
    }
}

/// The node's decisions for one connection; remembers where the last message was stored.
struct LocalPolicy<'a> {
    shared: &'a Shared,
    conn: String,
    stored: Vec<PathBuf>,
}

impl Policy for LocalPolicy<'_> {
    fn rcpt_to(&mut self, to: &ForwardPath, _params: &RcptParams, _ctx: &SessionInfo) -> Verdict {
        match self.shared.local_mailbox(to) {
            Ok(_) => Verdict::Accept,
            Err(spec) => Verdict::Reject(spec),
        }
    }

    fn authenticate(&mut self, _mechanism: &str, authzid: &str, user: &str, password: &str) -> bool {
        // RFC 4616 §2: an authorization identity other than the user is not granted here.
        (authzid.is_empty() || authzid == user) && self.shared.auth.iter().any(|c| c.user == user && c.password == password)
    }

    fn data(&mut self, envelope: &Envelope, message: &[u8], _ctx: &SessionInfo) -> Verdict {
        let s = self.shared;
        let now = maildir::now_seconds();
        let n = s.messages.fetch_add(1, Ordering::Relaxed);
        let id = format!("{now:X}{n:04X}");
        // RFC 3848: ESMTP, plus A when the client authenticated; RFC 6531 §4.3: UTF8SMTP for
        // a transaction with the SMTPUTF8 parameter.
        let mut with = String::from(if envelope.mail_params.smtputf8 {
            "UTF8SMTP"
        } else if envelope.esmtp {
            "ESMTP"
        } else {
            "SMTP"
        });
        if envelope.auth_user.is_some() {
            with.push('A');
        }
        let peer = match envelope.peer.parse::<IpAddr>() {
            Ok(IpAddr::V6(a)) => format!("[IPv6:{a}]"),
            _ => format!("[{}]", envelope.peer),
        };
        let return_path = match &envelope.from {
            ReversePath::Null => String::new(),
            ReversePath::Path(p) => p.mailbox.to_string(),
        };
        let mut copies: Vec<(String, Vec<u8>)> = Vec::new();
        for (rcpt, _) in &envelope.rcpts {
            let Ok(mailbox) = s.local_mailbox(rcpt) else { continue };
            if copies.iter().any(|(m, _)| *m == mailbox) {
                continue; // alice and ALICE are one mailbox: one copy
            }
            // RFC 5321 §4.4: `for` names this copy's recipient only (no Bcc leak).
            let received = format!(
                "from {} ({peer}) by {} with {with} id {id} for {rcpt}; {}",
                envelope.helo,
                s.config.hostname,
                date::rfc5322_date(now)
            );
            copies.push((mailbox, maildir::with_trace(message, &return_path, &received)));
        }
        match s.maildirs.deliver(&copies) {
            Ok(paths) => {
                self.stored = paths;
                Verdict::Accept
            }
            Err(e) => {
                say(&[narrate::note(&self.conn, &format!("! cannot store the message in {}: {e}", s.maildirs.root().display()))]);
                Verdict::Reject(&cat::LOCAL_ERROR) // 451: the client keeps the message and retries
            }
        }
    }
}

fn usage_error(msg: &str) -> ExitCode {
    eprintln!("smtp-sim serve: {msg}");
    ExitCode::from(2)
}

/// `smtp-sim serve`.
pub fn run(args: ServeArgs) -> ExitCode {
    if args.require_auth && args.auth.is_empty() {
        return usage_error("--require-auth needs at least one --auth USER:PASS, or nobody could send mail");
    }
    if args.pop3.is_some() {
        if args.auth.is_empty() {
            return usage_error("--pop3 needs at least one --auth USER:PASS: those are the accounts that log in to read their mailbox");
        }
        if let Some(c) = args.auth.iter().find(|c| parse_mailbox(&c.user).is_err()) {
            return usage_error(&format!(
                "--auth {}: with --pop3 the user name is also the mailbox's directory, so it must be a mailbox name such as alice",
                c.user
            ));
        }
    }
    let hostname = args.hostname.clone().unwrap_or_else(|| format!("mail.{}", args.domain));
    let mut mailboxes = args.mailboxes.clone();
    mailboxes.dedup();
    let maildirs = Maildirs::new(&args.maildir, &hostname);
    for m in mailboxes.iter().map(String::as_str).chain(["postmaster"]) {
        if let Err(e) = maildirs.create(m) {
            return usage_error(&format!("cannot create the Maildir {}: {e}", args.maildir.join(m).display()));
        }
    }
    let swept = maildirs.sweep_tmp();
    if swept > 0 && !args.quiet {
        say(&[format!("removed {swept} file(s) older than 36 hours from tmp/ (left by an interrupted delivery)")]);
    }
    let extensions = Extensions {
        chunking: true,
        smtputf8: true, // RFC 6531: UTF-8 mailboxes, with the SMTPUTF8 parameter only
        auth_plain: !args.auth.is_empty(),
        auth_login: !args.auth.is_empty(),
        starttls: false, // no real TLS on a real socket
        ..Extensions::default()
    };
    let config = ServerConfig {
        hostname: hostname.clone(),
        greeting: "smtp-sim".into(),
        extensions,
        require_auth: args.require_auth,
        max_message_size: args.size_limit,
        ..ServerConfig::default()
    };
    let listener = match TcpListener::bind(args.listen) {
        Ok(l) => l,
        Err(e) if e.kind() == ErrorKind::AddrInUse => {
            return usage_error(&format!(
                "cannot listen on {}: the address is in use — is another server running there? try another --listen port",
                args.listen
            ))
        }
        Err(e) => return usage_error(&format!("cannot listen on {}: {e}", args.listen)),
    };
    let local = match listener.local_addr() {
        Ok(a) => a,
        Err(e) => return usage_error(&format!("cannot read the listening address: {e}")),
    };
    let shared = Arc::new(Shared {
        config,
        domain: args.domain.clone(),
        mailboxes: mailboxes.clone(),
        auth: args.auth.clone(),
        maildirs,
        quiet: args.quiet,
        idle: Duration::from_secs(args.idle_timeout),
        stop: AtomicBool::new(false),
        active: AtomicUsize::new(0),
        messages: AtomicU64::new(0),
    });
    let auth = if args.auth.is_empty() {
        "no AUTH".to_string()
    } else {
        format!(
            "AUTH PLAIN LOGIN for {}{}",
            args.auth.iter().map(|c| c.user.as_str()).collect::<Vec<_>>().join(", "),
            if args.require_auth { " (required)" } else { "" }
        )
    };
    say(&[
        format!("smtp-sim serve: listening on {local}"),
        format!(
            "  {hostname}, final destination for @{}: {} and postmaster; Maildir {}; {auth}; SIZE {}; no STARTTLS (TLS is only simulated)",
            args.domain,
            mailboxes.join(", "),
            args.maildir.display(),
            args.size_limit
        ),
        format!("  try: telnet {} {}   (Ctrl-C stops the server)", local.ip(), local.port()),
    ]);

    // The one mailbox store POP3 and IMAP share, on the same Maildirs SMTP delivers to: one per
    // process, because it hands out the UIDs (two would number the same folder twice).
    let store = if args.pop3.is_some() || args.imap.is_some() {
        let mut users: Vec<String> = mailboxes.clone();
        users.extend(args.auth.iter().map(|c| c.user.clone()));
        users.extend(args.auth.iter().map(|c| pop3_serve::mailbox_of(&c.user)));
        users.sort();
        users.dedup();
        match MailStore::open(Maildirs::new(&args.maildir, &hostname), &users) {
            Ok(s) => Some(Arc::new(s)),
            Err(e) => return usage_error(&format!("cannot open the Maildirs in {}: {e}", args.maildir.display())),
        }
    } else {
        None
    };
    let mut pop3 = None;
    if let (Some(listen), Some(store)) = (args.pop3, &store) {
        let users: Vec<String> = args.auth.iter().map(|c| pop3_serve::mailbox_of(&c.user)).collect();
        let store = Arc::clone(store);
        let opts = pop3_serve::Pop3Options {
            listen,
            hostname: hostname.clone(),
            accounts: args.auth.clone(),
            store,
            quiet: args.quiet,
            idle: Duration::from_secs(args.idle_timeout),
            max_connections: args.max_connections,
        };
        let sh = Arc::clone(&shared);
        match pop3_serve::start(opts, Arc::new(move || sh.stop.load(Ordering::SeqCst))) {
            Ok(p) => {
                say(&[
                    format!("smtp-sim serve: POP3 listening on {}", p.addr),
                    format!(
                        "  POP3 for {}: USER/PASS, APOP, AUTH PLAIN; no STLS; try: curl -u {} pop3://{}/",
                        users.join(", "),
                        args.auth[0].user,
                        p.addr
                    ),
                ]);
                pop3 = Some(p);
            }
            Err(e) => return usage_error(&e),
        }
    }

    {
        let shared = Arc::clone(&shared);
        let installed = ctrlc::set_handler(move || {
            if shared.stop.swap(true, Ordering::SeqCst) {
                std::process::exit(130); // a second Ctrl-C: stop at once
            }
            // Wake the accept loop with a connection of our own.
            let _ = TcpStream::connect_timeout(&local, Duration::from_secs(1));
        });
        if let Err(e) = installed {
            eprintln!("smtp-sim serve: Ctrl-C will stop the server abruptly: {e}");
        }
    }

    let imap = match (args.imap, &store) {
        (Some(addr), Some(store)) => match start_imap(&args, addr, &hostname, Arc::clone(store), &shared) {
            Ok(t) => Some(t),
            Err(msg) => return usage_error(&msg),
        },
        _ => None,
    };

    let mut next_id: u64 = 1;
    let mut threads: Vec<thread::JoinHandle<()>> = Vec::new();
    for incoming in listener.incoming() {
        if shared.stop.load(Ordering::SeqCst) {
            break;
        }
        threads.retain(|t| !t.is_finished());
        let stream = match incoming {
            Ok(s) => s,
            Err(e) => {
                say(&[format!("smtp-sim serve: accept failed: {e}")]);
                thread::sleep(Duration::from_millis(100));
                continue;
            }
        };
        let id = next_id;
        next_id += 1;
        let conn = format!("#{id}");
        let peer = stream.peer_addr().unwrap_or(local);
        if shared.active.load(Ordering::SeqCst) as u64 >= args.max_connections {
            refuse_busy(&shared, stream, peer, &conn);
            continue;
        }
        shared.active.fetch_add(1, Ordering::SeqCst);
        let sh = Arc::clone(&shared);
        let spawned = thread::Builder::new().name(format!("smtp-{id}")).spawn(move || {
            connection(&sh, stream, peer, &conn);
            sh.active.fetch_sub(1, Ordering::SeqCst);
        });
        match spawned {
            Ok(t) => threads.push(t),
            Err(e) => {
                shared.active.fetch_sub(1, Ordering::SeqCst);
                say(&[format!("smtp-sim serve: cannot start a thread for connection #{id}: {e}")]);
            }
        }
    }
    say(&["smtp-sim serve: stopping; open connections get 421 4.3.2".to_string()]);
    for t in threads {
        let _ = t.join();
    }
    if let Some(p) = pop3 {
        say(&[format!("smtp-sim serve: POP3 stopped after {} connection(s)", p.join())]);
    }
    if let Some(t) = imap {
        if t.join().is_err() {
            say(&["smtp-sim serve: the IMAP listener panicked".to_string()]);
        }
    }
    say(&[format!(
        "smtp-sim serve: stopped after {} connection(s), {} message(s) stored",
        next_id - 1,
        shared.messages.load(Ordering::SeqCst)
    )]);
    ExitCode::SUCCESS
}

/// `--imap ADDR`: the IMAP listener on the same Maildirs, for the --auth users.
fn start_imap(
    args: &ServeArgs,
    addr: SocketAddr,
    hostname: &str,
    store: Arc<MailStore>,
    shared: &Arc<Shared>,
) -> Result<thread::JoinHandle<()>, String> {
    if args.auth.is_empty() {
        return Err("--imap needs at least one --auth USER:PASS: IMAP users log in before they read mail".into());
    }
    let listener = match TcpListener::bind(addr) {
        Ok(l) => l,
        Err(e) if e.kind() == ErrorKind::AddrInUse => {
            return Err(format!("cannot listen for IMAP on {addr}: the address is in use — try another --imap port"))
        }
        Err(e) => return Err(format!("cannot listen for IMAP on {addr}: {e}")),
    };
    let local = listener.local_addr().map_err(|e| format!("cannot read the IMAP address: {e}"))?;
    let stopper = Arc::clone(shared);
    let service = Arc::new(ImapService {
        config: ImapConfig { hostname: hostname.to_string(), ..ImapConfig::default() },
        store,
        accounts: args.auth.iter().map(|c| (c.user.clone(), c.password.clone())).collect(),
        quiet: args.quiet,
        idle: Duration::from_secs(args.idle_timeout),
        max_connections: usize::try_from(args.max_connections).unwrap_or(usize::MAX),
        stop: Box::new(move || stopper.stop.load(Ordering::SeqCst)),
        active: AtomicUsize::new(0),
    });
    let t = imap_serve::spawn(listener, service).map_err(|e| format!("cannot start the IMAP listener: {e}"))?;
    say(&[format!(
        "smtp-sim serve: IMAP on {local} for {} (LOGIN, AUTHENTICATE PLAIN; no STARTTLS)",
        args.auth.iter().map(|c| c.user.as_str()).collect::<Vec<_>>().join(", ")
    )]);
    Ok(t)
}

/// Over the connection cap: greet with 421 and close (RFC 5321 §3.1).
fn refuse_busy(shared: &Shared, mut stream: TcpStream, peer: SocketAddr, conn: &str) {
    let mut session = ServerSession::busy(shared.config.clone()).with_peer(peer.ip().to_string());
    let _ = stream.set_write_timeout(Some(Duration::from_secs(1)));
    let mut lines = vec![narrate::note(conn, &format!("connection from {peer}: over the limit of simultaneous connections"))];
    while let Some(bytes) = session.poll_output() {
        let _ = stream.write_all(&bytes);
    }
    while let Some(ev) = session.poll_event() {
        lines.extend(narrate::server_event(conn, &ev));
    }
    if !shared.quiet {
        say(&lines);
    }
    let _ = stream.shutdown(Shutdown::Both);
}

/// One connection, start to end.
fn connection(shared: &Shared, mut stream: TcpStream, peer: SocketAddr, conn: &str) {
    if !shared.quiet {
        say(&[narrate::note(conn, &format!("connection from {peer}"))]);
    }
    let _ = stream.set_nodelay(true);
    let _ = stream.set_read_timeout(Some(POLL));
    let _ = stream.set_write_timeout(Some(WRITE_TIMEOUT));
    let mut session = ServerSession::new(shared.config.clone()).with_peer(peer.ip().to_string());
    let mut policy = LocalPolicy { shared, conn: conn.to_string(), stored: Vec::new() };
    let mut narrator = narrate::ServerNarrator::new(conn);
    let mut buf = vec![0u8; 16 * 1024];
    let mut last_input = Instant::now();
    loop {
        if !pump(shared, &mut session, &mut stream, &mut policy, &mut narrator, conn) || session.is_closed() {
            break;
        }
        match stream.read(&mut buf) {
            Ok(0) => session.connection_closed(),
            Ok(n) => {
                last_input = Instant::now();
                session.receive(&buf[..n], &mut policy);
            }
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut | ErrorKind::Interrupted) => {
                if shared.stop.load(Ordering::SeqCst) {
                    session.shutdown(); // RFC 5321 §3.8: 421 4.3.2, then close
                } else if last_input.elapsed() >= shared.idle {
                    idle_timeout(shared, &session, &mut stream, conn);
                    break;
                }
            }
            Err(e) => {
                if !shared.quiet {
                    say(&[narrate::note(conn, &format!("! read error: {e}"))]);
                }
                session.connection_closed();
            }
        }
    }
    let _ = stream.shutdown(Shutdown::Both);
    if !shared.quiet {
        say(&[narrate::note(conn, "connection closed")]);
    }
}

/// Write what the session has to say and narrate its events. `false` when the socket broke.
fn pump(
    shared: &Shared,
    session: &mut ServerSession,
    stream: &mut TcpStream,
    policy: &mut LocalPolicy,
    narrator: &mut narrate::ServerNarrator,
    conn: &str,
) -> bool {
    let mut lines = Vec::new();
    while let Some(ev) = session.poll_event() {
        if let ServerEvent::MessageAccepted { envelope, data } = &ev {
            let paths: Vec<String> = std::mem::take(&mut policy.stored).iter().map(|p| p.display().to_string()).collect();
            let rcpts: Vec<String> = envelope.rcpts.iter().map(|(r, _)| r.to_string()).collect();
            let line = narrate::note(
                conn,
                &format!("stored a message from {} for {} ({} octets): {}", envelope.from, rcpts.join(", "), data.len(), paths.join(", ")),
            );
            if shared.quiet {
                say(&[line]);
            } else {
                lines.push(line);
            }
            continue;
        }
        if !shared.quiet {
            lines.extend(narrator.event(&ev));
        }
    }
    // Narrate first, then write: once the client has the reply, its narration is on stdout.
    if !shared.quiet {
        say(&lines);
    }
    let mut ok = true;
    while let Some(bytes) = session.poll_output() {
        if let Err(e) = stream.write_all(&bytes) {
            if !shared.quiet {
                say(&[narrate::note(conn, &format!("! write error: {e}"))]);
            }
            ok = false;
            break;
        }
    }
    if !ok {
        session.connection_closed();
        while session.poll_event().is_some() {}
    }
    ok
}

/// The client stayed silent too long: 421 4.4.2 and close (RFC 5321 §4.5.3.2; RFC 3463 X.4.2).
fn idle_timeout(shared: &Shared, session: &ServerSession, stream: &mut TcpStream, conn: &str) {
    // RFC 2034 §3: a server with ENHANCEDSTATUSCODES sends the code in EHLO and HELO sessions.
    let enhanced = if shared.config.extensions.enhanced_status_codes { "4.4.2 " } else { "" };
    let text = format!("421 {enhanced}{} Idle timeout ({} s), closing connection\r\n", shared.config.hostname, shared.idle.as_secs());
    let _ = stream.write_all(text.as_bytes());
    if !shared.quiet {
        let mut lines = narrate::wire(conn, Dir::Down, text.as_bytes());
        lines.push(narrate::explain("= The client said nothing for too long; the server hangs up (a 421 may answer anything)."));
        lines.push(narrate::explain(
            "  Why: servers wait at least 5 minutes for a command, then may close (RFC 5321 §4.5.3.2, §3.8; RFC 3463 X.4.2)",
        ));
        lines.push(narrate::explain(&format!("  State: {} → Closed", session.state())));
        say(&lines);
    }
}
