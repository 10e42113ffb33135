//! `cargo xtask size`: raw and gzip -9 bytes of everything the page loads.
//!
//! "Everything" is index.html, the local files it references with `href="…"`/`src="…"` and every
//! file in dist/ (the JS glue, the wasm and any JS snippets wasm-bindgen emitted).

use crate::{bail, build, root, Result};
use flate2::{write::GzEncoder, Compression};
use std::io::Write;
use std::path::{Path, PathBuf};

pub fn size() -> Result {
    let root = root();
    let dist = build::dist();
    if !dist.join(format!("{}_bg.wasm", build::OUT_NAME)).is_file() {
        bail!("dist/ is not built yet: run `cargo xtask build` first");
    }
    let index = std::fs::read_to_string(root.join("index.html"))?;
    let mut files = vec![PathBuf::from("index.html")];
    for reference in local_references(&index) {
        if !files.contains(&reference) && root.join(&reference).is_file() {
            files.push(reference);
        }
    }
    let mut in_dist = Vec::new();
    collect(&dist, &mut in_dist);
    in_dist.sort();
    for file in in_dist {
        let relative = file.strip_prefix(&root).unwrap_or(&file).to_path_buf();
        if !files.contains(&relative) {
            files.push(relative);
        }
    }
    println!("{:<32} {:>10} {:>12}", "file", "raw B", "gzip -9 B");
    let (mut raw_total, mut gz_total) = (0, 0);
    for file in &files {
        let bytes = std::fs::read(root.join(file))?;
        let gz = gzip9(&bytes)?;
        raw_total += bytes.len();
        gz_total += gz;
        println!("{:<32} {:>10} {:>12}", file.display(), bytes.len(), gz);
    }
    println!("{:<32} {:>10} {:>12}", "total", raw_total, gz_total);
    Ok(())
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
        assert_eq!(
            local_references(html),
            [PathBuf::from("www/style.css"), PathBuf::from("dist/smtp-sim.js")]
        );
    }
}
