//! `cargo xtask bench [wasm|browser]`: the benchmarks, natively, in wasm and in the browser.
//!
//! - `cargo xtask bench` runs `cargo bench` for `syntax`, `data` and `sim`, then the `sim`
//!   benchmark built for `wasm32-wasip1` under Node's WASI.
//! - `cargo xtask bench wasm` runs only the wasm part.
//! - `cargo xtask bench browser` measures the page in headless Chromium (see [`browser`]): start-up
//!   against a hello-world Yew page, and the time per step on a 10,000-event trace.
//!
//! The wasm part adds the `wasm32-wasip1` rustup target if it is missing (idempotent), builds
//! with `cargo bench --bench sim --target wasm32-wasip1 --no-run`, and runs the module with
//! `node benches/wasi-run.mjs` (Node 20+). The numbers are comparable with the native run: the
//! same code, the same bench profile, the same scenario.

use std::process::Command;

use crate::{bail, build, cargo, have, root, run, serve, test, Failure, Result};

const WASI: &str = "wasm32-wasip1";

pub fn bench(wasm_only: bool) -> Result {
    if !wasm_only {
        for b in ["syntax", "data", "sim"] {
            run(&format!("cargo bench --bench {b}"), cargo().args(["bench", "--bench", b]))?;
        }
    }
    bench_wasm()
}

fn bench_wasm() -> Result {
    if !have("node") {
        bail!("Node.js 20+ is needed to run the wasm benchmark (Debian: `apt-get install nodejs`)");
    }
    if have("rustup") {
        run(&format!("rustup target add {WASI}"), Command::new("rustup").args(["target", "add", WASI]))?;
    }
    eprintln!("\n==> cargo bench --bench sim --target {WASI} --no-run");
    let out = cargo()
        .args(["bench", "--bench", "sim", "--target", WASI, "--no-run", "--message-format=json-render-diagnostics"])
        .stderr(std::process::Stdio::inherit())
        .output()
        .map_err(|e| Failure(format!("could not start cargo: {e}")))?;
    if !out.status.success() {
        bail!("building the sim benchmark for {WASI} failed ({})", out.status);
    }
    // The artifact line of the bench names its executable: `"executable":"/…/sim-<hash>.wasm"`.
    let stdout = String::from_utf8_lossy(&out.stdout);
    let wasm = stdout
        .lines()
        .filter(|l| l.contains("\"reason\":\"compiler-artifact\"") && l.contains("\"name\":\"sim\""))
        .find_map(|l| {
            let rest = &l[l.find("\"executable\":\"")? + 14..];
            Some(rest[..rest.find('"')?].to_string())
        })
        .ok_or_else(|| Failure("cargo did not report the wasm file of the sim benchmark".into()))?;
    let runner = root().join("benches/wasi-run.mjs");
    run("node benches/wasi-run.mjs (sim benchmark in wasm, Node WASI)", Command::new("node").arg("--no-warnings").arg(runner).arg(&wasm))
}

/// `cargo xtask bench browser`: builds dist/ and the hello-world baseline page
/// (`bench/hello`, same release profile and wasm-bindgen options, into `target/bench-hello/`),
/// serves both on a free loopback port and runs `tests/e2e/bench-browser.mjs` (playwright-core on
/// Debian's Chromium), which prints the table. `BENCH_RUNS` (default 10) page loads per page and
/// `BENCH_STEPS` (default 300) key presses are passed through.
pub fn browser() -> Result {
    build::build()?;
    run(
        "cargo build --release --target wasm32-unknown-unknown -p bench-hello",
        cargo().args(["build", "--release", "--target", "wasm32-unknown-unknown", "-p", "bench-hello"]),
    )?;
    let out = root().join("target/bench-hello");
    build::bindgen_into(&root().join("target/wasm32-unknown-unknown/release/bench-hello.wasm"), &out, "hello")?;
    std::fs::copy(root().join("bench/hello/index.html"), out.join("index.html"))?;
    let e2e = root().join("tests/e2e");
    test::ensure_node()?;
    test::ensure_npm_packages(&e2e)?;
    test::ensure_chromium()?;
    let addr = serve::start_background()?;
    run(
        "node tests/e2e/bench-browser.mjs (headless Chromium)",
        Command::new("node")
            .arg("bench-browser.mjs")
            .current_dir(&e2e)
            .env("SMTP_SIM_URL", format!("http://{addr}/"))
            .env("SMTP_SIM_CHROMIUM", test::chromium_path()),
    )
}
