//! Fixtures shared by every test that runs a program: the `smtp-sim` binary (`smtp-sim serve`,
//! `send`, `export`), Python and aiosmtpd. Nothing here can hang a test:
//!
//! - [`run`] runs a command to completion through `assert_cmd`, which reads stdout and stderr on
//!   threads while it waits (a chatty child cannot fill a pipe and block), and kills the child
//!   when its time limit passes; the test then fails with the command in the message.
//! - [`Listening`] starts a server that prints `listening on 127.0.0.1:PORT` (port 0 picks a
//!   free one), reads both of its output streams on threads as they come, waits for the port
//!   with a deadline, and kills the child in `Drop`, so a failing test (a panic) still stops it.
//!   Its working directory is a [`tempfile::TempDir`] under the test target's tmp dir, removed in
//!   `Drop` as well.
//! - [`Raw`] is a telnet-like connection whose every read has a timeout.
//! - [`svg::check_svg`] checks an exported SVG as a parsed document.
//!
//! Every test binary uses only some of these helpers, so unused ones are not warnings here.
#![allow(dead_code)]

pub mod svg;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ExitStatus, Output, Stdio};
use std::sync::{mpsc, Arc, Condvar, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use tempfile::TempDir;
use wait_timeout::ChildExt;

/// The longest a test waits for one thing (a reply, a line of output, a port, an exit).
pub const TIMEOUT: Duration = Duration::from_secs(10);
/// The longest a short-lived command (`smtp-sim send`, a Python script) may run.
pub const RUN_LIMIT: Duration = Duration::from_secs(30);

/// The `smtp-sim` binary cargo built for these tests.
pub fn bin() -> &'static Path {
    assert_cmd::cargo::cargo_bin!("smtp-sim")
}

/// `program` as an `assert_cmd` command with an empty stdin (closed at once, so a child that
/// reads it sees the end instead of waiting).
pub fn command(program: impl AsRef<std::ffi::OsStr>) -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::new(program);
    cmd.write_stdin("");
    cmd
}

/// `smtp-sim ARGS…` as an `assert_cmd` command (stdin empty).
pub fn smtp_sim(args: &[&str]) -> assert_cmd::Command {
    let mut cmd = command(bin());
    cmd.args(args);
    cmd
}

/// A fresh directory for one test, removed when the returned guard drops.
pub fn temp_dir(tag: &str) -> TempDir {
    tempfile::Builder::new().prefix(&format!("{tag}-")).tempdir_in(env!("CARGO_TARGET_TMPDIR")).expect("create a temporary directory")
}

/// Run `cmd` to completion within `limit`; output is read while it runs. Panics, naming the
/// command, when the limit passes (the child is killed first).
pub fn run_within(cmd: &mut assert_cmd::Command, limit: Duration) -> Output {
    let what = format!("{:?} {:?}", cmd.get_program(), cmd.get_args().collect::<Vec<_>>());
    let started = Instant::now();
    let out = cmd.timeout(limit).output().unwrap_or_else(|e| panic!("cannot run {what}: {e}"));
    // assert_cmd kills the child with SIGKILL when the limit passes.
    if out.status.signal() == Some(9) && started.elapsed() >= limit {
        panic!(
            "{what} did not finish within {limit:?}; stdout so far:\n{}\nstderr:\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    out
}

/// [`run_within`] with [`RUN_LIMIT`].
pub fn run(cmd: &mut assert_cmd::Command) -> Output {
    run_within(cmd, RUN_LIMIT)
}

/// `smtp-sim ARGS…` run to completion within [`RUN_LIMIT`].
pub fn run_smtp_sim(args: &[&str]) -> Output {
    run(&mut smtp_sim(args))
}

/// A script of `tests/python/`.
pub fn script(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python").join(name)
}

/// The real interpreter behind `python3` (skipping pyenv's shell shim on every call), or the
/// one named by `SMTP_SIM_PYTHON`. Panics with the install command when there is none.
pub fn python() -> &'static Path {
    static PY: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    PY.get_or_init(|| {
        let name = std::env::var("SMTP_SIM_PYTHON").unwrap_or_else(|_| "python3".into());
        let out = command(&name).args(["-c", "import sys; print(sys.executable)"]).timeout(TIMEOUT).output();
        match out {
            Ok(o) if o.status.success() => PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()),
            _ => panic!("these tests need {name}: install it (Debian: `apt-get install python3 python3-venv`) or point SMTP_SIM_PYTHON at a Python 3 interpreter"),
        }
    })
}

/// What a server printed so far, and whether its stdout has ended.
#[derive(Default)]
struct Printed {
    lines: Vec<String>,
    stderr: String,
    ended: bool,
}

/// A child process that prints `listening on 127.0.0.1:PORT`; killed (and its directory
/// removed) on drop.
pub struct Listening {
    child: Child,
    pub port: u16,
    printed: Arc<(Mutex<Printed>, Condvar)>,
    dir: TempDir,
}

impl Listening {
    /// Start `cmd` (its stdin empty, both outputs read on threads) and wait up to [`TIMEOUT`]
    /// for the port it listens on. `dir` lives as long as the server.
    pub fn start(mut cmd: std::process::Command, dir: TempDir) -> Listening {
        let what = format!("{cmd:?}");
        let mut child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {what}: {e}"));
        let printed = Arc::new((Mutex::new(Printed::default()), Condvar::new()));
        let (port_tx, port_rx) = mpsc::channel();
        let stdout = child.stdout.take().expect("stdout is piped");
        let stderr = child.stderr.take().expect("stderr is piped");
        {
            let printed = Arc::clone(&printed);
            thread::spawn(move || {
                for line in BufReader::new(stdout).lines() {
                    let Ok(line) = line else { break };
                    if let Some(rest) = line.split("listening on 127.0.0.1:").nth(1) {
                        // The receiver is gone once the port was read: nothing more to tell.
                        port_tx.send(rest.trim().parse::<u16>().unwrap_or(0)).ok();
                    }
                    let (lock, changed) = &*printed;
                    lock.lock().unwrap().lines.push(line);
                    changed.notify_all();
                }
                let (lock, changed) = &*printed;
                lock.lock().unwrap().ended = true;
                changed.notify_all();
            });
        }
        {
            let printed = Arc::clone(&printed);
            thread::spawn(move || {
                let mut stderr = stderr;
                let mut chunk = [0u8; 4096];
                while let Ok(n @ 1..) = stderr.read(&mut chunk) {
                    printed.0.lock().unwrap().stderr.push_str(&String::from_utf8_lossy(&chunk[..n]));
                }
            });
        }
        let mut server = Listening { child, port: 0, printed, dir };
        match port_rx.recv_timeout(TIMEOUT) {
            Ok(port) if port != 0 => server.port = port,
            // Killed and reaped by Drop; stderr is whatever arrived by now.
            _ => panic!("{what} did not print `listening on 127.0.0.1:PORT` within {TIMEOUT:?}; stderr: {}", server.stderr()),
        }
        server
    }

    /// `smtp-sim serve` for example.org with the mailboxes alice and bob, on a free port.
    pub fn serve(extra: &[&str]) -> Listening {
        let dir = temp_dir("serve");
        let mut cmd = std::process::Command::new(bin());
        cmd.args(["serve", "--listen", "127.0.0.1:0", "--domain", "example.org", "--mailbox", "alice", "--mailbox", "bob", "--maildir"])
            .arg(dir.path().join("mail"))
            .args(extra);
        Listening::start(cmd, dir)
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// The Maildir root of `smtp-sim serve` (DIR/mail).
    pub fn maildir(&self) -> PathBuf {
        self.dir.path().join("mail")
    }

    /// `127.0.0.1:PORT`.
    pub fn addr(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    pub fn connect(&self) -> Raw {
        Raw::connect(self.port)
    }

    /// Everything the server printed on stdout so far.
    pub fn output(&self) -> String {
        self.printed.0.lock().unwrap().lines.join("\n")
    }

    /// Everything the server printed on stderr so far.
    pub fn stderr(&self) -> String {
        self.printed.0.lock().unwrap().stderr.clone()
    }

    /// Wait up to [`TIMEOUT`] until stdout has a line containing `needle` (narration is printed
    /// after the bytes are written, so a client can be a moment ahead); returns all of stdout.
    /// Panics when the line does not come.
    pub fn wait_output(&self, needle: &str) -> String {
        let (lock, changed) = &*self.printed;
        let guard = lock.lock().unwrap();
        let (guard, timeout) =
            changed.wait_timeout_while(guard, TIMEOUT, |p| !p.ended && !p.lines.iter().any(|l| l.contains(needle))).unwrap();
        let out = guard.lines.join("\n");
        assert!(
            guard.lines.iter().any(|l| l.contains(needle)),
            "no line with {needle:?} within {TIMEOUT:?} (timed out: {}, output ended: {}):\n{out}",
            timeout.timed_out(),
            guard.ended
        );
        out
    }

    /// The port a line of the server's stdout gives after `marker` (e.g. `"POP3 listening on
    /// 127.0.0.1:"`), waiting for that line up to [`TIMEOUT`].
    pub fn port_after(&self, marker: &str) -> u16 {
        let out = self.wait_output(marker);
        let line = out.lines().find(|l| l.contains(marker)).unwrap_or_default();
        let rest = line.split(marker).nth(1).unwrap_or_default();
        rest.split(|c: char| !c.is_ascii_digit())
            .next()
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("no port after {marker:?} in {line:?}"))
    }

    /// Send `signal` (such as "INT" or "KILL") to the server.
    pub fn signal(&self, signal: &str) {
        let out = run_within(command("kill").args(["-s", signal, &self.pid().to_string()]), TIMEOUT);
        assert!(out.status.success(), "kill -s {signal}: {}", String::from_utf8_lossy(&out.stderr));
    }

    /// Wait up to `limit` for the server to exit, then for the end of its stdout; returns its
    /// exit status. Panics when it is still running.
    pub fn wait_exit(&mut self, limit: Duration) -> ExitStatus {
        let status = self
            .child
            .wait_timeout(limit)
            .expect("wait for the server")
            .unwrap_or_else(|| panic!("the server did not exit within {limit:?}"));
        let (lock, changed) = &*self.printed;
        let guard = lock.lock().unwrap();
        let (guard, _) = changed.wait_timeout_while(guard, TIMEOUT, |p| !p.ended).unwrap();
        assert!(guard.ended, "the server exited but its stdout stayed open for {TIMEOUT:?}");
        status
    }

    /// The files in `new/` of a mailbox of `smtp-sim serve`, sorted by name.
    pub fn messages(&self, mailbox: &str) -> Vec<String> {
        let mut files: Vec<PathBuf> =
            std::fs::read_dir(self.maildir().join(mailbox).join("new")).unwrap().map(|e| e.unwrap().path()).collect();
        files.sort();
        files.iter().map(|p| String::from_utf8(std::fs::read(p).unwrap()).unwrap()).collect()
    }
}

impl Drop for Listening {
    fn drop(&mut self) {
        // The child may have exited already (wait_exit, or a crash): nothing to kill then.
        if self.child.try_wait().ok().flatten().is_none() {
            self.child.kill().ok();
            self.child.wait().ok();
        }
    }
}

/// A telnet-like raw connection; every read waits at most [`TIMEOUT`].
pub struct Raw {
    pub s: TcpStream,
    buf: Vec<u8>,
    pub greeting: String,
}

impl Raw {
    pub fn connect(port: u16) -> Raw {
        Raw::try_connect(port).unwrap_or_else(|e| panic!("{e}"))
    }

    /// Connect and read the greeting; an error instead of a panic (for clients that expect
    /// the server to go away).
    pub fn try_connect(port: u16) -> std::io::Result<Raw> {
        let s = TcpStream::connect(("127.0.0.1", port))?;
        s.set_read_timeout(Some(TIMEOUT))?;
        let mut r = Raw { s, buf: Vec::new(), greeting: String::new() };
        r.greeting = r.try_reply()?;
        Ok(r)
    }

    pub fn write(&mut self, bytes: &[u8]) {
        self.s.write_all(bytes).unwrap();
    }

    /// One complete reply (all its lines), without the final CRLF.
    pub fn reply(&mut self) -> String {
        self.try_reply().unwrap_or_else(|e| panic!("{e}"))
    }

    /// One complete reply, or why there is none: the connection closed or failed, or nothing
    /// came within [`TIMEOUT`].
    pub fn try_reply(&mut self) -> std::io::Result<String> {
        loop {
            if let Some(reply) = self.take_reply() {
                return Ok(reply);
            }
            let mut chunk = [0u8; 4096];
            let got = |buf: &[u8]| String::from_utf8_lossy(buf).into_owned();
            match self.s.read(&mut chunk) {
                Ok(0) => {
                    return Err(std::io::Error::new(
                        std::io::ErrorKind::UnexpectedEof,
                        format!("connection closed while waiting for a reply; got {:?}", got(&self.buf)),
                    ))
                }
                Ok(n) => self.buf.extend_from_slice(&chunk[..n]),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(std::io::Error::new(e.kind(), format!("no reply within {TIMEOUT:?}: {e}; got {:?}", got(&self.buf)))),
            }
        }
    }

    /// A complete reply already in the buffer, if there is one.
    fn take_reply(&mut self) -> Option<String> {
        // A reply ends with a line `ddd SP ...` or `ddd` (RFC 5321 §4.2.1).
        let mut start = 0;
        while let Some(i) = self.buf[start..].windows(2).position(|w| w == b"\r\n") {
            let line = &self.buf[start..start + i];
            if line.len() < 4 || line[3] == b' ' {
                let reply: Vec<u8> = self.buf.drain(..start + i + 2).collect();
                return Some(String::from_utf8_lossy(&reply[..reply.len() - 2]).into_owned());
            }
            start += i + 2;
        }
        None
    }

    /// Send a command line (CRLF added) and read its reply.
    pub fn cmd(&mut self, line: &str) -> String {
        self.write(format!("{line}\r\n").as_bytes());
        self.reply()
    }

    /// [`Raw::cmd`] with errors instead of panics.
    pub fn try_cmd(&mut self, line: &str) -> std::io::Result<String> {
        self.s.write_all(format!("{line}\r\n").as_bytes())?;
        self.try_reply()
    }

    /// The server closed the connection (read returns 0 within the timeout).
    pub fn closed(&mut self) -> bool {
        let mut b = [0u8; 64];
        loop {
            match self.s.read(&mut b) {
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                r => return matches!(r, Ok(0)),
            }
        }
    }
}

/// The reply code with its enhanced code, such as `550 5.1.1`.
pub fn code(reply: &str) -> &str {
    &reply[..reply.len().min(9)]
}

/// A venv under `target/NAME` with `packages` (pinned `name==version`) from PyPI, created once
/// and reused while `probe` (Python code) exits 0 in it. Panics with the command to run by hand
/// when it cannot be made: a missing tool fails the test, it never passes silently.
pub fn venv(name: &str, packages: &[&str], probe: &str) -> PathBuf {
    let venv = Path::new(env!("CARGO_TARGET_TMPDIR")).parent().expect("target dir").join(name);
    let py = venv.join("bin/python");
    let ready = |py: &Path| py.exists() && run_within(command(py).args(["-c", probe]), TIMEOUT).status.success();
    if ready(&py) {
        return py;
    }
    let how = format!("{} -m venv {v} && {v}/bin/python -m pip install {}", python().display(), packages.join(" "), v = venv.display());
    let out = run_within(command(python()).args(["-m", "venv", "--clear"]).arg(&venv), Duration::from_secs(120));
    assert!(
        out.status.success(),
        "cannot create the venv ({}); on Debian install python3-venv, then run: {how}",
        String::from_utf8_lossy(&out.stderr).trim()
    );
    let out = run_within(
        command(&py).args(["-m", "pip", "install", "--disable-pip-version-check", "-q"]).args(packages),
        Duration::from_secs(240),
    );
    assert!(
        out.status.success() && ready(&py),
        "cannot install {packages:?} from PyPI ({}); run: {how}",
        String::from_utf8_lossy(&out.stderr).trim()
    );
    py
}
