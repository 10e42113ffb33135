//! `cargo xtask serve | test | build | size`: the project's build, serve and test automation.
//!
//! Everything a fresh machine needs to build and test smtp-sim lives here, so the README can
//! promise two commands. The xtask installs what it can (the wasm32 rustup target, clippy, the
//! npm packages of `tests/e2e/`, Debian's `chromium` when running as root) and otherwise stops
//! with a message naming the missing piece and the exact command that installs it.

mod bench;
mod build;
mod serve;
mod size;
mod test;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  serve [ADDR]             build the web app into dist/ and serve it (default 127.0.0.1:8080);
                           rebuilds when a file under src/ changes
  build                    build the web app into dist/ (wasm32 release + JS bindings)
  serve-dist [--port N]    serve index.html, www/ and dist/ without building (N=0: a free port;
                           prints `listening on http://127.0.0.1:PORT/`)
  size                     gzip -9 sizes of the first view and the rest (run `build` first); fails
                           over the first view's budget (FIRST_VIEW_BUDGET, xtask/src/size.rs)
  test                     native tests, clippy (host and wasm32), the wasm build, browser tests
  e2e                      only the wasm build and the browser tests
  bench [wasm]             benchmarks: syntax, data and sim natively, then sim in wasm (Node WASI)
  bench browser            the page in headless Chromium: start-up vs a hello-world Yew page, and
                           time per step on a 10,000-event trace (?debug=bench10k)
";

/// A failure the user can act on: printed as `error: <message>` and exit code 1.
pub struct Failure(pub String);

pub type Result<T = ()> = std::result::Result<T, Failure>;

impl<E: std::fmt::Display> From<E> for Failure {
    fn from(e: E) -> Self {
        Failure(e.to_string())
    }
}

/// Returns early with a [`Failure`] built from a format string.
#[macro_export]
macro_rules! bail {
    ($($arg:tt)*) => { return Err($crate::Failure(format!($($arg)*))) };
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let result = match args.as_slice() {
        ["serve"] => serve::serve_and_watch("127.0.0.1:8080"),
        ["serve", addr] => serve::serve_and_watch(addr),
        ["serve-dist"] => serve::serve_dist(0),
        ["serve-dist", "--port", port] => match port.parse() {
            Ok(port) => serve::serve_dist(port),
            Err(_) => Err(Failure(format!("not a port number: {port}"))),
        },
        ["build"] => build::build(),
        ["size"] => size::size(),
        ["test"] => test::test_all(),
        ["e2e"] => test::test_browser_only(),
        ["bench"] => bench::bench(false),
        ["bench", "wasm"] => bench::bench(true),
        ["bench", "browser"] => bench::browser(),
        [] | ["help"] | ["--help"] | ["-h"] => {
            print!("{USAGE}");
            Ok(())
        }
        _ => Err(Failure(format!("unknown command: {}\n\n{USAGE}", args.join(" ")))),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure(message)) => {
            eprintln!("\nerror: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The repository root (the parent of `xtask/`).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask lives in a subfolder of the repository").to_path_buf()
}

/// The `cargo` that started us (so `cargo +toolchain xtask` keeps its toolchain).
pub fn cargo() -> Command {
    let mut cmd = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cmd.current_dir(root());
    cmd
}

/// Runs `cmd` with inherited output; a non-zero exit becomes a [`Failure`] naming the step.
pub fn run(step: &str, cmd: &mut Command) -> Result {
    eprintln!("\n==> {step}");
    let status = cmd.status().map_err(|e| Failure(format!("{step}: could not start {:?}: {e}", cmd.get_program())))?;
    if !status.success() {
        bail!("{step} failed ({status})");
    }
    Ok(())
}

/// True when `program --version` runs.
pub fn have(program: &str) -> bool {
    Command::new(program).arg("--version").output().is_ok_and(|o| o.status.success())
}

/// True when we run as root (so `apt-get install` may be used).
pub fn is_root() -> bool {
    Command::new("id").arg("-u").output().is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}
