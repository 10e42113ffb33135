//! `cargo xtask build`: the wasm32 release builds of the `smtp-sim` binary and their JS bindings
//! in `dist/`: the viewer (`--no-default-features`, the first view: `dist/viewer*`) and the full
//! app (default features, loaded on first use of a tool: `dist/smtp-sim*`), and the traces of
//! the built-in scenarios (`dist/traces/<id>.json`, written by the native `smtp-sim export`), which
//! the viewer reads instead of running the simulation. See docs/perf.md.

use crate::{bail, cargo, root, run, Result};
use std::path::PathBuf;
use std::time::Instant;

/// The wasm-bindgen version this xtask's `wasm-bindgen-cli-support` is pinned to (xtask/Cargo.toml).
/// Must equal the `wasm-bindgen` version in Cargo.lock; [`check_wasm_bindgen_pin`] enforces it.
pub const WASM_BINDGEN_PIN: &str = "0.2.130";

/// The stem of the full app's files: `dist/smtp-sim.js` and `dist/smtp-sim_bg.wasm`.
pub const OUT_NAME: &str = "smtp-sim";

/// The stem of the viewer's files (the first view): `dist/viewer.js` and `dist/viewer_bg.wasm`.
pub const VIEWER_NAME: &str = "viewer";

/// Where the built-ins' traces go (`dist/traces/<id>.json`); the viewer fetches
/// `dist/traces/<id>.json` (`ui/traces.rs`).
pub const TRACES: &str = "traces";

pub fn dist() -> PathBuf {
    root().join("dist")
}

/// Builds `dist/`: ensures the wasm32 target, builds the binary in release twice (viewer, full
/// app), runs wasm-bindgen on each.
pub fn build() -> Result {
    check_wasm_bindgen_pin()?;
    ensure_wasm_target()?;
    let started = Instant::now();
    let wasm = root().join("target/wasm32-unknown-unknown/release/smtp-sim.wasm");
    // Both builds write the same file in target/, so each is bound right after it is built.
    for (features, out_name) in [(&["--no-default-features"][..], VIEWER_NAME), (&[][..], OUT_NAME)] {
        let mut command = cargo();
        command.args(["build", "--release", "--target", "wasm32-unknown-unknown", "--package", "smtp-sim", "--bin", "smtp-sim"]);
        command.args(features);
        run(&format!("cargo build --release --target wasm32-unknown-unknown --bin smtp-sim {}", features.join(" ")), &mut command)?;
        bindgen_into(&wasm, &dist(), out_name)?;
    }
    write_traces()?;
    eprintln!("built dist/ in {:.1} s", started.elapsed().as_secs_f64());
    Ok(())
}

/// `dist/traces/<id>.json` for every built-in scenario: the JSON trace (docs/trace-format.md) of
/// the native build, which the wasm builds make byte for byte the same (the simulation is
/// deterministic; tests/trace_facts.rs checks that the JSON reads back as the same trace). The
/// native binary is run (not linked into xtask), so an edited scenario or simulation is picked up
/// by `cargo xtask serve`'s rebuilds.
fn write_traces() -> Result {
    let mut command = cargo();
    command.args(["build", "--package", "smtp-sim", "--bin", "smtp-sim"]);
    run("cargo build --bin smtp-sim (native, for the built-ins' traces)", &mut command)?;
    let bin = root().join("target/debug/smtp-sim");
    let listed = std::process::Command::new(&bin).arg("scenarios").output()?;
    if !listed.status.success() {
        bail!("smtp-sim scenarios failed: {}", String::from_utf8_lossy(&listed.stderr));
    }
    let ids: Vec<String> =
        String::from_utf8_lossy(&listed.stdout).lines().filter_map(|l| l.split_whitespace().next()).map(str::to_string).collect();
    let out = dist().join(TRACES);
    // Traces of scenarios that no longer exist must not linger.
    let _ = std::fs::remove_dir_all(&out);
    std::fs::create_dir_all(&out)?;
    for id in &ids {
        let file = out.join(format!("{id}.json"));
        let status = std::process::Command::new(&bin).args(["export", id, "--format", "json", "-o"]).arg(&file).status()?;
        if !status.success() {
            bail!("smtp-sim export {id} --format json failed ({status})");
        }
    }
    eprintln!("wrote {} traces into dist/{TRACES}/", ids.len());
    Ok(())
}

/// Runs the wasm-bindgen library on `input` with the page's options, writing `<out_name>.js` and
/// `<out_name>_bg.wasm` into `out` (also used for the benchmark's hello-world page).
pub fn bindgen_into(input: &std::path::Path, out: &std::path::Path, out_name: &str) -> Result {
    std::fs::create_dir_all(out)?;
    let mut bindgen = wasm_bindgen_cli_support::Bindgen::new();
    bindgen
        .input_path(input)
        .out_name(out_name)
        .web(true)
        .map_err(|e| crate::Failure(format!("wasm-bindgen: {e:#}")))?
        // The library's default differs from the CLI's: without this `init()` has no default URL.
        .omit_default_module_path(false)
        .typescript(false)
        .debug(false)
        .keep_debug(false)
        // SMTP_SIM_KEEP_NAMES=1 keeps the function names, for a readable browser profile
        // (docs/perf.md); the page ships without them (a third smaller after gzip).
        .remove_name_section(std::env::var_os("SMTP_SIM_KEEP_NAMES").is_none())
        .remove_producers_section(true);
    bindgen.generate(out).map_err(|e| crate::Failure(format!("wasm-bindgen on {}: {e:#}", input.display())))?;
    Ok(())
}

/// `rustup target add` is idempotent and fast when the target is already there.
pub fn ensure_wasm_target() -> Result {
    let installed = std::process::Command::new("rustup").args(["target", "list", "--installed"]).output();
    match installed {
        Ok(o) if String::from_utf8_lossy(&o.stdout).lines().any(|l| l.trim() == "wasm32-unknown-unknown") => Ok(()),
        Ok(_) => run(
            "rustup target add wasm32-unknown-unknown",
            std::process::Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]),
        ),
        Err(_) => {
            // No rustup: the toolchain may still have the target (e.g. a distro Rust).
            let sysroot = std::process::Command::new("rustc").args(["--print", "sysroot"]).output()?;
            let sysroot = String::from_utf8_lossy(&sysroot.stdout).trim().to_string();
            if PathBuf::from(sysroot).join("lib/rustlib/wasm32-unknown-unknown").is_dir() {
                Ok(())
            } else {
                bail!(
                    "the wasm32-unknown-unknown Rust target is missing and rustup is not available.\n\
                     Install rustup (https://rustup.rs) and run: rustup target add wasm32-unknown-unknown"
                )
            }
        }
    }
}

/// Fails with a clear message when Cargo.lock's wasm-bindgen differs from [`WASM_BINDGEN_PIN`].
pub fn check_wasm_bindgen_pin() -> Result {
    let lock = std::fs::read_to_string(root().join("Cargo.lock")).map_err(|e| crate::Failure(format!("reading Cargo.lock: {e}")))?;
    for package in ["wasm-bindgen", "wasm-bindgen-cli-support"] {
        let versions = locked_versions(&lock, package);
        if versions.iter().any(|v| v != WASM_BINDGEN_PIN) || versions.is_empty() {
            bail!(
                "Cargo.lock has {package} {} but the xtask is pinned to wasm-bindgen {WASM_BINDGEN_PIN}.\n\
                 The JS glue generator and the wasm-bindgen runtime must be the same version.\n\
                 Bump every pin together: `wasm-bindgen = \"=X\"` in Cargo.toml, \
                 `wasm-bindgen-cli-support = \"=X\"` in xtask/Cargo.toml and WASM_BINDGEN_PIN in \
                 xtask/src/build.rs, then run `cargo update -p wasm-bindgen`.",
                if versions.is_empty() { "no entry".to_string() } else { versions.join(", ") }
            );
        }
    }
    Ok(())
}

/// Every `version` Cargo.lock records for the package called `name`.
fn locked_versions(lock: &str, name: &str) -> Vec<String> {
    let wanted = format!("name = \"{name}\"");
    let mut lines = lock.lines();
    let mut versions = Vec::new();
    while let Some(line) = lines.next() {
        if line.trim() == wanted {
            if let Some(v) = lines.next().and_then(|l| l.trim().strip_prefix("version = ")) {
                versions.push(v.trim_matches('"').to_string());
            }
        }
    }
    versions
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_locked_versions() {
        let lock = "[[package]]\nname = \"wasm-bindgen\"\nversion = \"0.2.130\"\n\n\
                    [[package]]\nname = \"wasm-bindgen-macro\"\nversion = \"0.2.130\"\n";
        assert_eq!(locked_versions(lock, "wasm-bindgen"), ["0.2.130"]);
        assert!(locked_versions(lock, "yew").is_empty());
    }

    #[test]
    fn this_repository_matches_the_pin() {
        assert!(check_wasm_bindgen_pin().is_ok());
    }
}
