//! `cargo xtask test` (everything, in order, stopping at the first failure) and `cargo xtask e2e`
//! (only the wasm build and the browser tests).
//!
//! Installs what it can: the wasm32 rustup target, the clippy component, the npm packages of
//! `tests/e2e/` (`npm ci` from the committed package-lock.json), and, as root, Debian's `nodejs`,
//! `npm` and `chromium` with apt-get. Otherwise it stops and names the exact install command.

use crate::{bail, build, cargo, have, is_root, root, run, serve, Failure, Result};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

/// Where the browser tests look for Chromium unless `SMTP_SIM_CHROMIUM` names another binary.
const DEFAULT_CHROMIUM: &str = "/usr/bin/chromium";

pub fn test_all() -> Result {
    let mut timer = Timer::default();
    let result = (|| {
        build::check_wasm_bindgen_pin()?;
        build::ensure_wasm_target()?;
        ensure_clippy()?;
        ensure_rustfmt()?;
        // One layout for every file (rustfmt.toml): a reformatting never hides in a merge.
        timer.step("cargo fmt --check", || run("cargo fmt --all --check", cargo().args(["fmt", "--all", "--check"])))?;
        // The native tests talk to real Python mail software (tests/interop.rs: python3 with
        // venv + pip); exported SVG is checked in Rust (roxmltree), with no system tool.
        timer.step("native test tools", ensure_native_test_tools)?;
        timer.step("cargo test --workspace", || run("cargo test --workspace", cargo().args(["test", "--workspace"])))?;
        timer.step("clippy (host)", || {
            run(
                "cargo clippy --workspace --all-targets -- -D warnings",
                cargo().args(["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"]),
            )
        })?;
        timer.step("clippy (wasm32)", || {
            run(
                "cargo clippy --target wasm32-unknown-unknown --lib --bins -p smtp-sim -- -D warnings",
                cargo().args(["clippy", "--target", "wasm32-unknown-unknown", "--lib", "--bins", "-p", "smtp-sim", "--", "-D", "warnings"]),
            )
        })?;
        timer.step("clippy (wasm32 viewer)", || {
            run(
                "cargo clippy --target wasm32-unknown-unknown --lib --bins -p smtp-sim --no-default-features -- -D warnings",
                cargo().args([
                    "clippy",
                    "--target",
                    "wasm32-unknown-unknown",
                    "--lib",
                    "--bins",
                    "-p",
                    "smtp-sim",
                    "--no-default-features",
                    "--",
                    "-D",
                    "warnings",
                ]),
            )
        })?;
        timer.step("wasm build", build::build)?;
        // The first view's size budget (xtask/src/size.rs): size is deterministic, so it is a test.
        timer.step("size budget", crate::size::size)?;
        browser_tests(&mut timer)
    })();
    finish(result, &timer)
}

pub fn test_browser_only() -> Result {
    let mut timer = Timer::default();
    let result = (|| {
        timer.step("wasm build", build::build)?;
        browser_tests(&mut timer)
    })();
    finish(result, &timer)
}

fn finish(result: Result<(usize, usize)>, timer: &Timer) -> Result {
    eprintln!("\n{}", timer.summary());
    match result {
        Ok((passed, failed)) => {
            // The plain closing line CI reads: "browser: N passed, N failed".
            println!("browser: {passed} passed, {failed} failed");
            if failed > 0 {
                bail!("cargo xtask test stopped: {failed} browser test(s) failed");
            }
            Ok(())
        }
        Err(Failure(message)) => Err(Failure(format!("cargo xtask test stopped: {message}"))),
    }
}

#[derive(Default)]
struct Timer {
    steps: Vec<(&'static str, f64)>,
}

impl Timer {
    fn step<T>(&mut self, name: &'static str, f: impl FnOnce() -> Result<T>) -> Result<T> {
        let started = Instant::now();
        let result = f();
        self.steps.push((name, started.elapsed().as_secs_f64()));
        result
    }

    fn summary(&self) -> String {
        let parts: Vec<String> = self.steps.iter().map(|(n, s)| format!("{n} {s:.1} s")).collect();
        format!("time per step: {}", parts.join(", "))
    }
}

fn ensure_rustfmt() -> Result {
    let ok = cargo().args(["fmt", "--version"]).output().is_ok_and(|o| o.status.success());
    if ok {
        return Ok(());
    }
    if have("rustup") {
        return run("rustup component add rustfmt", Command::new("rustup").args(["component", "add", "rustfmt"]));
    }
    bail!("rustfmt is missing and rustup is not available: install rustup (https://rustup.rs), then run `rustup component add rustfmt`")
}

fn ensure_clippy() -> Result {
    let ok = cargo().args(["clippy", "--version"]).output().is_ok_and(|o| o.status.success());
    if ok {
        return Ok(());
    }
    if have("rustup") {
        return run("rustup component add clippy", Command::new("rustup").args(["component", "add", "clippy"]));
    }
    bail!("clippy is missing and rustup is not available: install rustup (https://rustup.rs), then run `rustup component add clippy`")
}

/// Runs the browser tests against a server on a free loopback port; returns (passed, failed).
///
/// `npx playwright test` runs the `*.spec.mjs` files (@playwright/test); its JSON report,
/// target/e2e-report.json, gives the counts. A `*.test.mjs` file (the old `node --test` runner,
/// gone since every file was converted) is refused rather than silently skipped.
fn browser_tests(timer: &mut Timer) -> Result<(usize, usize)> {
    let e2e = root().join("tests/e2e");
    timer.step("browser tools", || {
        ensure_node()?;
        ensure_npm_packages(&e2e)?;
        ensure_chromium()
    })?;
    let chromium = chromium_path();
    timer.step("browser tests", || {
        let mut files: Vec<PathBuf> = std::fs::read_dir(&e2e)?.flatten().map(|e| e.path()).collect();
        files.sort();
        let named = |suffix: &str| files.iter().filter(|p| p.to_string_lossy().ends_with(suffix)).cloned().collect::<Vec<_>>();
        let old = named(".test.mjs");
        if let Some(file) = old.first() {
            bail!(
                "{} is written for the old node --test runner, which no longer runs: convert it to a *.spec.mjs file (tests/e2e/README.md)",
                file.display()
            );
        }
        if named(".spec.mjs").is_empty() {
            bail!("no browser tests (*.spec.mjs) in tests/e2e");
        }
        let addr = serve::start_background()?;
        let url = format!("http://{addr}/");
        let screens = root().join("target/e2e-screens");
        std::fs::create_dir_all(&screens)?;
        eprintln!("\n==> npx playwright test (server {url}, traces of failures in target/e2e-results/)");
        let report = root().join("target/e2e-report.json");
        // A stale report must not be read as this run's.
        std::fs::remove_file(&report).ok();
        let status = Command::new("node")
            .args(["node_modules/@playwright/test/cli.js", "test"])
            .current_dir(&e2e)
            .env("SMTP_SIM_URL", &url)
            .env("SMTP_SIM_CHROMIUM", &chromium)
            .env("SMTP_SIM_SCREENS", &screens)
            .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
            .status()
            .map_err(|e| Failure(format!("could not start node: {e}")))?;
        let (passed, failed) = playwright_counts(&report).map_err(|e| Failure(format!("npx playwright test exited with {status}: {e}")))?;
        if failed == 0 && !status.success() {
            bail!("npx playwright test exited with {status}");
        }
        if passed + failed == 0 {
            bail!("the browser tests ran no test");
        }
        Ok((passed, failed))
    })
}

/// (passed, failed) from a Playwright JSON report: `stats.expected` passed; `unexpected` and
/// `flaky` (passed only on a retry) failed.
fn playwright_counts(report: &Path) -> std::result::Result<(usize, usize), String> {
    let text = std::fs::read_to_string(report).map_err(|e| format!("no JSON report at {} ({e})", report.display()))?;
    let json: serde_json::Value = serde_json::from_str(&text).map_err(|e| format!("{} is not JSON: {e}", report.display()))?;
    let stat =
        |name: &str| json["stats"][name].as_u64().map(|n| n as usize).ok_or_else(|| format!("{} has no stats.{name}", report.display()));
    Ok((stat("expected")?, stat("unexpected")? + stat("flaky")?))
}

fn node_major() -> Option<u32> {
    let out = Command::new("node").arg("--version").output().ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    text.trim().trim_start_matches('v').split('.').next()?.parse().ok()
}

pub(crate) fn ensure_node() -> Result {
    if node_major().is_some_and(|v| v >= 20) && have("npm") {
        return Ok(());
    }
    apt_install(&["nodejs", "npm"], "Node.js 20 or newer with npm (for the browser tests)", "")?;
    match node_major() {
        Some(v) if v >= 20 && have("npm") => Ok(()),
        found => bail!("the browser tests need Node.js 20 or newer with npm; found {found:?}"),
    }
}

/// `npm ci` unless node_modules already matches package-lock.json.
pub(crate) fn ensure_npm_packages(e2e: &Path) -> Result {
    let lock = e2e.join("package-lock.json");
    let installed = e2e.join("node_modules/.package-lock.json");
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    let fresh = matches!((modified(&lock), modified(&installed)), (Some(l), Some(i)) if i >= l);
    if fresh && e2e.join("node_modules/@playwright/test").is_dir() && e2e.join("node_modules/playwright-core").is_dir() {
        return Ok(());
    }
    run(
        "npm ci (tests/e2e: @playwright/test, no browser download)",
        Command::new("npm").args(["ci", "--no-audit", "--no-fund"]).env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1").current_dir(e2e),
    )
}

fn ensure_native_test_tools() -> Result {
    let venv_ok = Command::new("python3")
        .args(["-c", "import venv, ensurepip"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !venv_ok {
        apt_install(&["python3", "python3-venv"], "Python 3 with venv (for the interoperability tests)", "")?;
    }
    Ok(())
}

pub(crate) fn chromium_path() -> PathBuf {
    std::env::var_os("SMTP_SIM_CHROMIUM").map(PathBuf::from).unwrap_or_else(|| PathBuf::from(DEFAULT_CHROMIUM))
}

pub(crate) fn ensure_chromium() -> Result {
    let path = chromium_path();
    if path.is_file() {
        return Ok(());
    }
    if std::env::var_os("SMTP_SIM_CHROMIUM").is_some() {
        bail!("SMTP_SIM_CHROMIUM names {}, which does not exist", path.display());
    }
    apt_install(&["chromium"], "Chromium (for the browser tests)", "\n(or set SMTP_SIM_CHROMIUM to a Chromium or Chrome binary)")?;
    if !path.is_file() {
        bail!("apt-get installed chromium but {} is still missing", path.display());
    }
    Ok(())
}

/// As root with apt-get: `apt-get update` then `apt-get install -y <packages>`. Otherwise fails
/// with the exact command to run.
fn apt_install(packages: &[&str], what: &str, alternative: &str) -> Result {
    let command = format!("apt-get update && apt-get install -y {}", packages.join(" "));
    if !is_root() || !have("apt-get") {
        bail!(
            "{what} is missing. Install it with:\n    sudo sh -c '{command}'{alternative}\n\
             then run `cargo xtask test` again."
        );
    }
    eprintln!("\n{what} is missing; installing it as root: {command}");
    let noninteractive = |cmd: &mut Command| {
        cmd.env("DEBIAN_FRONTEND", "noninteractive").stdin(Stdio::null());
    };
    let mut update = Command::new("apt-get");
    update.arg("update");
    noninteractive(&mut update);
    run("apt-get update", &mut update)?;
    let mut install = Command::new("apt-get");
    install.args(["install", "-y"]).args(packages);
    noninteractive(&mut install);
    run(&format!("apt-get install -y {}", packages.join(" ")), &mut install)
}
