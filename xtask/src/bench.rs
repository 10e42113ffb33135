//! `cargo xtask bench [wasm]`: the benchmarks, natively and (for the simulation) in wasm.
//!
//! - `cargo xtask bench` runs `cargo bench` for `syntax`, `data` and `sim`, then the `sim`
//!   benchmark built for `wasm32-wasip1` under Node's WASI.
//! - `cargo xtask bench wasm` runs only the wasm part.
//!
//! The wasm part adds the `wasm32-wasip1` rustup target if it is missing (idempotent), builds
//! with `cargo bench --bench sim --target wasm32-wasip1 --no-run`, and runs the module with
//! `node benches/wasi-run.mjs` (Node 20+). The numbers are comparable with the native run: the
//! same code, the same bench profile, the same scenario.

use std::process::Command;

use crate::{bail, cargo, have, root, run, Failure, Result};

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
    run(
        "node benches/wasi-run.mjs (sim benchmark in wasm, Node WASI)",
        Command::new("node").arg("--no-warnings").arg(runner).arg(&wasm),
    )
}
