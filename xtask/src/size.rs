//! `cargo xtask size`: raw and gzip -9 bytes of everything the page loads, split into the first
//! view (what the page loads before the first rendered scenario) and what it loads on first use
//! of a tool; fails when the first view is over [`FIRST_VIEW_BUDGET`].
//!
//! The first view is index.html, the local files it references with `href="…"`/`src="…"`, and
//! the viewer build in dist/ (`viewer.js`, `viewer_bg.wasm`, and any file of it wasm-bindgen
//! emitted); every other file in dist/ (the full app) is loaded on first use.

use crate::{bail, build, root, Result};
use flate2::{write::GzEncoder, Compression};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The size budget of the first view, in bytes after `gzip -9`: the one place it lives.
/// `cargo xtask size` (and so `cargo xtask test`) fails above it. Set to what the build reaches,
/// rounded up by at most 2%, so it can only ratchet down: lower it when the page shrinks, and
/// never raise it without a line in docs/perf.md saying what the bytes buy.
pub const FIRST_VIEW_BUDGET: usize = 315_000;

/// The goal of issue 12 for the first view (gzip -9 bytes), beside the budget it should reach.
pub const FIRST_VIEW_GOAL: usize = 200_000;

pub fn size() -> Result {
    let root = root();
    let dist = build::dist();
    for name in [build::VIEWER_NAME, build::OUT_NAME] {
        if !dist.join(format!("{name}_bg.wasm")).is_file() {
            bail!("dist/ is not built yet: run `cargo xtask build` first");
        }
    }
    let index = std::fs::read_to_string(root.join("index.html"))?;
    let mut first = vec![PathBuf::from("index.html")];
    for reference in local_references(&index) {
        if !first.contains(&reference) && root.join(&reference).is_file() {
            first.push(reference);
        }
    }
    let mut in_dist = Vec::new();
    collect(&dist, &mut in_dist);
    in_dist.sort();
    let mut later = Vec::new();
    let mut traces = Vec::new();
    for file in in_dist {
        let relative = file.strip_prefix(&root).unwrap_or(&file).to_path_buf();
        let name = relative.strip_prefix("dist").unwrap_or(&relative).to_string_lossy().into_owned();
        let list = match trace_of(&name) {
            // The default scenario's trace is fetched before the first render; the others when
            // their scenario is opened.
            Some(id) if id == DEFAULT_SCENARIO => &mut first,
            Some(_) => &mut traces,
            None if is_viewer_file(&name) => &mut first,
            None => &mut later,
        };
        if !list.contains(&relative) {
            list.push(relative);
        }
    }
    println!("{:<32} {:>10} {:>12}", "file", "raw B", "gzip -9 B");
    let (first_raw, first_gz) = table(&root, &first)?;
    println!("{:<32} {:>10} {:>12}", "first view", first_raw, first_gz);
    println!("on first use of a tool:");
    let (later_raw, later_gz) = table(&root, &later)?;
    println!("{:<32} {:>10} {:>12}", "first use", later_raw, later_gz);
    let (traces_raw, traces_gz, largest) = summary(&root, &traces)?;
    println!(
        "{:<32} {:>10} {:>12}   ({} more traces, one per scenario opened; largest {largest} B gzip)",
        "dist/traces/*.json",
        traces_raw,
        traces_gz,
        traces.len()
    );
    println!("{:<32} {:>10} {:>12}", "total", first_raw + later_raw + traces_raw, first_gz + later_gz + traces_gz);
    println!("first view: {first_gz} B gzip -9; budget {FIRST_VIEW_BUDGET} B (xtask/src/size.rs); goal {FIRST_VIEW_GOAL} B");
    check(first_gz)
}

/// Fails when the first view is over the budget.
fn check(first_gz: usize) -> Result {
    if first_gz > FIRST_VIEW_BUDGET {
        bail!(
            "the first view is {first_gz} B gzip -9, {} B over its budget of {FIRST_VIEW_BUDGET} B \
             (FIRST_VIEW_BUDGET in xtask/src/size.rs; the table above lists the files)",
            first_gz - FIRST_VIEW_BUDGET
        );
    }
    Ok(())
}

/// The scenario the page opens when the address names none (`DEFAULT_SCENARIO` in
/// src/player/mod.rs; a test below checks they agree).
const DEFAULT_SCENARIO: &str = "happy-path";

/// The scenario id of a precomputed trace (relative to dist/: `traces/<id>.json`).
fn trace_of(name: &str) -> Option<&str> {
    let name = name.trim_start_matches(['/', '\\']);
    name.strip_prefix(build::TRACES)?.strip_prefix(['/', '\\'])?.strip_suffix(".json")
}

/// Raw and gzip totals of `files`, and the largest gzip size.
fn summary(root: &Path, files: &[PathBuf]) -> Result<(usize, usize, usize)> {
    let (mut raw, mut gz, mut largest) = (0, 0, 0);
    for file in files {
        let bytes = std::fs::read(root.join(file))?;
        let g = gzip9(&bytes)?;
        raw += bytes.len();
        gz += g;
        largest = largest.max(g);
    }
    Ok((raw, gz, largest))
}

/// True for a file of the viewer build (relative to dist/): `viewer.js`, `viewer_bg.wasm`, …
fn is_viewer_file(name: &str) -> bool {
    let name = name.trim_start_matches(['/', '\\']);
    name.strip_prefix(build::VIEWER_NAME).is_some_and(|rest| rest.starts_with(['.', '_']))
}

/// Prints one line per file; returns the raw and gzip totals.
fn table(root: &Path, files: &[PathBuf]) -> Result<(usize, usize)> {
    let (mut raw_total, mut gz_total) = (0, 0);
    for file in files {
        let bytes = std::fs::read(root.join(file))?;
        let gz = gzip9(&bytes)?;
        raw_total += bytes.len();
        gz_total += gz;
        println!("{:<32} {:>10} {:>12}", file.display(), bytes.len(), gz);
    }
    Ok((raw_total, gz_total))
}

fn gzip9(bytes: &[u8]) -> Result<usize> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::new(9));
    encoder.write_all(bytes)?;
    Ok(encoder.finish()?.len())
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, out);
        } else {
            out.push(path);
        }
    }
}

/// Relative paths in `href="…"` and `src="…"` attributes and `import … from "./…"` lines.
fn local_references(html: &str) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for marker in ["href=\"", "src=\"", "from \"", "from '"] {
        let quote = marker.chars().last().unwrap_or('"');
        for piece in html.split(marker).skip(1) {
            let Some(value) = piece.split(quote).next() else { continue };
            let value = value.split(['?', '#']).next().unwrap_or("");
            let external = value.is_empty() || value.contains(':') || value.starts_with("//");
            if !external {
                found.push(PathBuf::from(value.trim_start_matches("./").trim_start_matches('/')));
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_local_references_only() {
        let html = r##"<link href="www/style.css"><a href="#main"><link href="https://x/y.css">
            <script type="module">import init from "./dist/smtp-sim.js";</script>"##;
        assert_eq!(local_references(html), [PathBuf::from("www/style.css"), PathBuf::from("dist/smtp-sim.js")]);
    }

    #[test]
    fn tells_the_viewer_build_from_the_full_app() {
        assert!(is_viewer_file("viewer.js") && is_viewer_file("viewer_bg.wasm") && is_viewer_file("/viewer_bg.wasm"));
        assert!(!is_viewer_file("smtp-sim_bg.wasm") && !is_viewer_file("viewers.js"));
    }

    #[test]
    fn tells_the_traces_and_knows_the_default_scenario() {
        assert_eq!(trace_of("/traces/happy-path.json"), Some("happy-path"));
        assert_eq!(trace_of("viewer.js"), None);
        let player = std::fs::read_to_string(root().join("src/player/mod.rs")).unwrap();
        assert!(player.contains(&format!("pub const DEFAULT_SCENARIO: &str = \"{DEFAULT_SCENARIO}\";")), "DEFAULT_SCENARIO differs");
    }

    #[test]
    fn fails_only_over_the_budget() {
        assert!(check(FIRST_VIEW_BUDGET).is_ok());
        assert!(check(FIRST_VIEW_BUDGET + 1).is_err());
    }
}
