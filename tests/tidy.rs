//! Tidy: architecture invariants checked on the source text (see ARCHITECTURE.md).
//!
//! - every `.rs` file under `src/` starts with a `//!` doc comment saying what it is for;
//! - nothing under `src/smtp/`, `src/pop3/`, `src/imap/`, `src/store/` or `src/sim/` mentions the UI (`yew`, `web_sys`, `gloo`), a real
//!   clock (`std::time`, `Instant`, `SystemTime`), real sockets (`std::net`, `TcpStream`) or an
//!   unseeded random source (`rand::thread_rng`). Line comments are stripped first, so prose may
//!   name them;
//! - ARCHITECTURE.md's code map names every module file in its folder's paragraph (`mod.rs` and
//!   unit-test files aside), and says no sentence twice (merges have left repeated and
//!   contradicting paragraphs before).

use std::path::{Path, PathBuf};

/// Words that must not appear in the code of the sans-IO core and the deterministic simulation.
const FORBIDDEN_IN_CORE: &[&str] =
    &["yew", "web_sys", "gloo", "std::time", "Instant", "SystemTime", "std::net", "TcpStream", "rand::thread_rng"];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn all_source_files() -> Vec<PathBuf> {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    files.sort();
    assert!(!files.is_empty(), "no .rs files under {}", src().display());
    files
}

/// The code of a line without its `//` comment (a `//` inside a string literal also cuts the
/// line; that can only hide a word, never invent one).
fn code_of(line: &str) -> &str {
    line.find("//").map_or(line, |i| &line[..i])
}

/// True if `word` occurs in `code` not as part of a longer identifier.
fn mentions(code: &str, word: &str) -> bool {
    let is_ident = |c: char| c.is_alphanumeric() || c == '_';
    code.match_indices(word).any(|(i, _)| {
        let before = code[..i].chars().next_back();
        let after = code[i + word.len()..].chars().next();
        !before.is_some_and(is_ident) && !after.is_some_and(is_ident)
    })
}

#[test]
fn every_module_starts_with_a_doc_comment() {
    let offenders: Vec<String> = all_source_files()
        .into_iter()
        .filter(|path| {
            let text = std::fs::read_to_string(path).unwrap_or_default();
            let first = text.lines().map(str::trim).find(|l| !l.is_empty());
            !first.is_some_and(|l| l.starts_with("//!"))
        })
        .map(|p| p.strip_prefix(src()).unwrap_or(&p).display().to_string())
        .collect();
    assert!(
        offenders.is_empty(),
        "these files under src/ do not start with a `//!` doc comment saying what they are for:\n  {}",
        offenders.join("\n  ")
    );
}

#[test]
fn protocol_core_and_simulation_stay_pure() {
    let mut offenders = Vec::new();
    for path in all_source_files() {
        let relative = path.strip_prefix(src()).unwrap_or(&path).to_path_buf();
        if !["smtp", "sim", "pop3", "imap", "store"].iter().any(|d| relative.starts_with(d)) {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        for (number, line) in text.lines().enumerate() {
            let code = code_of(line);
            for word in FORBIDDEN_IN_CORE.iter().filter(|w| mentions(code, w)) {
                offenders.push(format!("src/{}:{}: `{word}`: {}", relative.display(), number + 1, line.trim()));
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "src/smtp/, src/pop3/, src/imap/, src/store/ and src/sim/ must not use the UI, a real clock, sockets or unseeded randomness \
         (time is an argument; see ARCHITECTURE.md):\n  {}",
        offenders.join("\n  ")
    );
}

#[test]
fn the_checks_themselves() {
    assert_eq!(code_of("let x = 1; // uses Instant"), "let x = 1; ");
    assert!(mentions("use std::time::Duration;", "std::time"));
    assert!(mentions("let t = Instant::now();", "Instant"));
    assert!(!mentions("let t = SimInstant::ZERO;", "Instant"));
    assert!(!mentions("let yewish = 1;", "yew"));
    assert!(mentions("use yew::prelude::*;", "yew"));
}

/// The code map's sections: `(heading, text)` for each `### `folder/`` heading.
fn code_map() -> Vec<(String, String)> {
    let doc = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("ARCHITECTURE.md")).expect("ARCHITECTURE.md");
    let mut sections: Vec<(String, String)> = Vec::new();
    for line in doc.lines() {
        if let Some(rest) = line.strip_prefix("### `") {
            let name = rest.split('`').next().unwrap_or_default().to_string();
            sections.push((name, String::new()));
        } else if line.starts_with("## ") {
            sections.push((String::new(), String::new()));
        } else if let Some((_, text)) = sections.last_mut() {
            text.push_str(line);
            text.push('\n');
        }
    }
    sections
}

#[test]
fn the_code_map_names_every_module_file_in_its_folder() {
    let map = code_map();
    let mut missing = Vec::new();
    for file in all_source_files() {
        let rel = file.strip_prefix(src()).unwrap();
        let mut parts = rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned());
        let Some(folder) = parts.next() else { continue };
        let rest: Vec<String> = parts.collect();
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        if rest.is_empty() || name == "mod.rs" || name == "tests.rs" {
            continue; // lib.rs, main.rs; a folder's root; unit tests of a folder
        }
        let heading = format!("src/{folder}/");
        let text = map.iter().find(|(h, _)| *h == heading).map(|(_, t)| t.as_str());
        match text {
            None => missing.push(format!("{heading} has no section (### `{heading}`)")),
            Some(t) if !t.contains(&name) && !t.contains(&rest.join("/")) => {
                missing.push(format!("{} is not named in the {heading} section", rel.display()))
            }
            Some(_) => {}
        }
    }
    assert!(missing.is_empty(), "ARCHITECTURE.md's code map is behind the code:\n  {}", missing.join("\n  "));
}

#[test]
fn architecture_md_says_no_sentence_twice() {
    let doc = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("ARCHITECTURE.md")).expect("ARCHITECTURE.md");
    let text = doc.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut seen = std::collections::HashSet::new();
    let mut twice = Vec::new();
    for sentence in text.split(". ").map(str::trim).filter(|s| s.len() > 40) {
        if !seen.insert(sentence) {
            twice.push(sentence.to_string());
        }
    }
    assert!(twice.is_empty(), "ARCHITECTURE.md repeats itself:\n  {}", twice.join("\n  "));
}
