//! `smtp-sim send`: the simulator's client session on a real TCP socket. Builds the message
//! with [`mime::build`] (Date from the real clock, a fresh Message-ID, attachments), then
//! drives [`ClientSession`] over a [`TcpStream`] to a loopback server, narrating the exchange.
//!
//! Exit status: 0 when every recipient was accepted, 1 when some were refused (each is named
//! with the server's reply and what it means), 2 for usage and connection errors.
//! STARTTLS is never used: TLS is only simulated in the core, and a real socket cannot fake it.

use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream, ToSocketAddrs};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use clap::{Args, ValueEnum};

use super::narrate::{self, say};
use super::serve::{parse_credential, Credential};
use crate::sim::{date, mime};
use crate::smtp::client::{ClientConfig, ClientSession, Credentials, Transaction};
use crate::smtp::event::{ClientEvent, Outcome};

const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);
/// RFC 5321 §4.5.3.2: a client waits minutes for a reply (5 for the greeting, 10 after the dot).
const READ_TIMEOUT: Duration = Duration::from_secs(300);

/// Send one message to an SMTP server on a loopback address, narrating every command and reply.
///
/// STARTTLS is never used (TLS is only simulated, in the browser and in `smtp-sim run`), so
/// an --auth password travels in clear text: use it only with test servers on this machine.
#[derive(Args, Debug)]
pub struct SendArgs {
    /// The server, HOST:PORT (loopback only: 127.0.0.1:2525, [::1]:2525, localhost:2525).
    #[arg(long, value_name = "HOST:PORT")]
    pub server: String,
    /// The sender: envelope MAIL FROM and the From: header.
    #[arg(long, value_name = "ADDRESS")]
    pub from: String,
    /// A recipient (envelope RCPT TO and the To: header); repeatable.
    #[arg(long = "to", value_name = "ADDRESS", required = true)]
    pub to: Vec<String>,
    /// The Subject: header.
    #[arg(long, value_name = "TEXT", default_value = "")]
    pub subject: String,
    /// The body text (line breaks become CRLF).
    #[arg(long, value_name = "TEXT", default_value = "")]
    pub body: String,
    /// Attach a file (content type from its extension); repeatable.
    #[arg(long = "attach", value_name = "FILE")]
    pub attach: Vec<PathBuf>,
    /// Authenticate (RFC 4954) when the server offers the mechanism.
    #[arg(long, value_name = "USER:PASS", value_parser = parse_credential)]
    pub auth: Option<Credential>,
    /// The SASL mechanism used with --auth.
    #[arg(long, value_enum, default_value_t = Mechanism::Plain)]
    pub auth_mechanism: Mechanism,
    /// The name this client gives in EHLO.
    #[arg(long, value_name = "NAME", default_value = "localhost")]
    pub helo: String,
    /// Print only the outcome per recipient, not the exchange.
    #[arg(long)]
    pub quiet: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Mechanism {
    Plain,
    Login,
}

/// The content type of an attachment, from its file name's extension.
pub fn content_type_for(name: &str) -> &'static str {
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    match ext.as_str() {
        "txt" => "text/plain; charset=utf-8",
        "html" | "htm" => "text/html; charset=utf-8",
        "pdf" => "application/pdf",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "csv" => "text/csv; charset=utf-8",
        "json" => "application/json",
        "zip" => "application/zip",
        _ => "application/octet-stream",
    }
}

fn fail(msg: &str) -> ExitCode {
    eprintln!("smtp-sim send: {msg}");
    ExitCode::from(2)
}

/// `smtp-sim send`.
pub fn run(args: SendArgs) -> ExitCode {
    // Check every address on its own so the error names the bad one.
    if args.from.is_empty() || Transaction::new(&args.from, &[], Vec::new()).is_none() {
        return fail(&format!("--from {:?} is not a mailbox address such as alice@example.com (no angle brackets)", args.from));
    }
    for t in &args.to {
        if t.is_empty() || Transaction::new("", &[t.as_str()], Vec::new()).is_none() {
            return fail(&format!("--to {t:?} is not a mailbox address such as bob@example.org (no angle brackets)"));
        }
    }
    if !args.helo.split('.').all(|l| !l.is_empty() && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')) {
        return fail(&format!("--helo {:?} is not a host name such as client.example", args.helo));
    }
    let mut attachments = Vec::new();
    for path in &args.attach {
        let data = match std::fs::read(path) {
            Ok(d) => d,
            Err(e) => return fail(&format!("cannot read the attachment {}: {e}", path.display())),
        };
        let filename = path.file_name().map_or_else(|| "attachment".to_string(), |n| n.to_string_lossy().into_owned());
        let content_type = content_type_for(&filename).to_string();
        attachments.push(mime::Attachment { filename, content_type, data });
    }
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
    let compose = mime::Compose {
        from: args.from.clone(),
        to: args.to.clone(),
        cc: Vec::new(),
        subject: args.subject.clone(),
        date: date::rfc5322_date(now.as_secs() as i64),
        // RFC 5322 §3.6.4: unique; time, sub-second time and process id make it so here.
        message_id: format!("{}.{:06}.{}@{}", now.as_secs(), now.subsec_micros(), std::process::id(), args.helo),
        body: args.body.clone(),
        attachments,
        extra_headers: Vec::new(),
    };
    let message = mime::build(&compose);
    let to: Vec<&str> = args.to.iter().map(String::as_str).collect();
    let Some(tx) = Transaction::new(&args.from, &to, message) else {
        return fail("the addresses do not parse");
    };

    let addrs = match resolve(&args.server) {
        Ok(a) => a,
        Err(e) => return fail(&e),
    };
    let mut stream = match connect(&args.server, &addrs) {
        Ok(s) => s,
        Err(e) => return fail(&e),
    };
    let peer = stream.peer_addr().map_or_else(|_| args.server.clone(), |a| a.to_string());
    let conn = peer.clone();
    if !args.quiet {
        say(&[narrate::note(&conn, &format!("connected to {peer} (no TLS: STARTTLS is never used on a real socket)"))]);
    }
    let _ = stream.set_read_timeout(Some(READ_TIMEOUT));
    let _ = stream.set_write_timeout(Some(READ_TIMEOUT));
    let _ = stream.set_nodelay(true);

    let config = ClientConfig {
        hostname: args.helo.clone(),
        starttls: false,
        credentials: args.auth.as_ref().map(|c| Credentials {
            user: c.user.clone(),
            password: c.password.clone(),
            mechanism: match args.auth_mechanism {
                Mechanism::Plain => "PLAIN".into(),
                Mechanism::Login => "LOGIN".into(),
            },
        }),
        ..ClientConfig::default()
    };
    let mut session = ClientSession::new(config, vec![tx]);
    let mut outcomes = None;
    let mut auth_offered = None;
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let mut lines = Vec::new();
        while let Some(ev) = session.poll_event() {
            if !args.quiet {
                lines.extend(narrate::client_event(&conn, &ev));
            }
            if let ClientEvent::Finished { outcomes: o } = ev {
                outcomes = Some(o);
            }
        }
        say(&lines);
        if auth_offered.is_none() && !session.extensions().is_empty() {
            auth_offered = Some(session.extensions().iter().any(|(k, _)| k == "AUTH"));
        }
        while let Some(bytes) = session.poll_output() {
            if let Err(e) = stream.write_all(&bytes) {
                say(&[narrate::note(&conn, &format!("! write error: {e}"))]);
                session.connection_closed();
            }
        }
        if session.is_finished() && outcomes.is_some() {
            break;
        }
        match stream.read(&mut buf) {
            Ok(0) => session.connection_closed(),
            Ok(n) => session.receive(&buf[..n]),
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                say(&[narrate::note(&conn, &format!("! no reply within {} s; giving up (RFC 5321 §4.5.3.2)", READ_TIMEOUT.as_secs()))]);
                session.connection_closed();
            }
            Err(e) => {
                say(&[narrate::note(&conn, &format!("! read error: {e}"))]);
                session.connection_closed();
            }
        }
    }
    let _ = stream.shutdown(Shutdown::Both);

    if args.auth.is_some() && auth_offered == Some(false) {
        eprintln!("smtp-sim send: note: the server did not offer AUTH, so --auth was not used");
    }
    report(&outcomes.unwrap_or_default())
}

/// One line per recipient; the exit code.
fn report(outcomes: &[Vec<(crate::smtp::address::ForwardPath, Outcome)>]) -> ExitCode {
    let mut lines = Vec::new();
    let mut refused = 0;
    let mut total = 0;
    for (rcpt, outcome) in outcomes.iter().flatten() {
        total += 1;
        match outcome {
            Outcome::Delivered => lines.push(format!("delivered: {rcpt}")),
            Outcome::Abandoned => {
                refused += 1;
                lines.push(format!("not sent: {rcpt} — the transaction was abandoned with RSET"));
            }
            Outcome::TempFailed(r) | Outcome::PermFailed(r) => {
                refused += 1;
                let kind = if matches!(outcome, Outcome::TempFailed(_)) { "not delivered (temporary, try later)" } else { "refused" };
                lines.push(format!("{kind}: {rcpt} — {}", narrate::reply_text(r)));
                lines.extend(narrate::explain_reply(r));
            }
        }
    }
    lines.push(format!("{} of {total} recipient(s) accepted", total - refused));
    say(&lines);
    if refused == 0 && total > 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// The loopback addresses of `server`.
fn resolve(server: &str) -> Result<Vec<SocketAddr>, String> {
    let addrs: Vec<SocketAddr> = match server.to_socket_addrs() {
        Ok(a) => a.collect(),
        Err(_) if !server.contains(':') => {
            return Err(format!("--server {server:?} needs a port, as in 127.0.0.1:2525"));
        }
        Err(e) => return Err(format!("cannot resolve the SMTP server {server}: {e}")),
    };
    let loopback: Vec<SocketAddr> = addrs.iter().copied().filter(|a| a.ip().is_loopback()).collect();
    if loopback.is_empty() {
        return Err(format!(
            "{server} is not a loopback address: smtp-sim send talks only to servers on this machine (127.0.0.1, ::1), since it has no real TLS"
        ));
    }
    Ok(loopback)
}

fn connect(server: &str, addrs: &[SocketAddr]) -> Result<TcpStream, String> {
    let mut last = String::new();
    for a in addrs {
        match TcpStream::connect_timeout(a, CONNECT_TIMEOUT) {
            Ok(s) => return Ok(s),
            Err(e) => {
                last = match e.kind() {
                    ErrorKind::ConnectionRefused => "connection refused — is the server running? is the port right?".to_string(),
                    ErrorKind::TimedOut | ErrorKind::WouldBlock => format!("no answer within {} s", CONNECT_TIMEOUT.as_secs()),
                    _ => e.to_string(),
                }
            }
        }
    }
    Err(format!("cannot connect to the SMTP server {server}: {last}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_types_by_extension() {
        assert_eq!(content_type_for("a.PDF"), "application/pdf");
        assert_eq!(content_type_for("photo.jpeg"), "image/jpeg");
        assert_eq!(content_type_for("data.csv"), "text/csv; charset=utf-8");
        assert_eq!(content_type_for("noext"), "application/octet-stream");
        assert_eq!(content_type_for("x.tar.gz"), "application/octet-stream");
    }

    #[test]
    fn only_loopback_servers() {
        assert!(resolve("127.0.0.1:2525").is_ok());
        assert!(resolve("192.0.2.1:25").unwrap_err().contains("not a loopback"));
        assert!(resolve("127.0.0.1").unwrap_err().contains("needs a port"));
    }
}
