//! Precompiles the built-in scenarios: reads `src/sim/scenarios/<id>.toml` natively (a bad file
//! fails the build with toml's located error: file, line, column), writes each as postcard to
//! `OUT_DIR`, and generates the tables `src/sim/scenario.rs` includes. The page then loads a
//! built-in with a few hundred bytes of postcard code instead of a TOML parser.
//!
//! The scenario types are the crate's own (`src/sim/spec.rs` and what it uses), compiled into this
//! script too, so the build and the page cannot disagree on the binary layout.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

#[allow(dead_code)]
#[path = "src/sim/clock.rs"]
mod clock;
#[allow(dead_code)]
#[path = "src/sim/dns.rs"]
mod dns;
#[allow(dead_code)]
#[path = "src/lesson/spec.rs"]
mod lesson_spec;
#[allow(dead_code)]
#[path = "src/sim/rng.rs"]
mod rng;
#[allow(dead_code)]
#[path = "src/sim/spec.rs"]
mod spec;

/// The built-in library in the order the picker and `smtp-sim scenarios` list it. Each id is a
/// file `src/sim/scenarios/<id>.toml` whose `id` is the same; a file not listed here fails the
/// build (so a new scenario cannot be forgotten).
const BUILTIN: &[&str] = &[
    "happy-path",
    "rfc5321-d1",
    "rfc5321-d2",
    "rfc5321-d3",
    "rfc5321-d4",
    "unknown-user-bounce",
    "relay-denied",
    "open-relay-spam",
    "greylisting-retry",
    "destination-down-expiry",
    "mx-fallback",
    "no-mx-implicit",
    "null-mx",
    "nxdomain",
    "message-too-large",
    "mailbox-full",
    "auth-submission",
    "starttls-required",
    "pipelining",
    "spf-spoof",
    "mail-loop",
    "client-cannot-connect",
    "mime-attachment",
    "dkim-signed",
    "dkim-forwarding",
    "mailing-list-dkim",
    "dmarc-spoof",
    "lookalike-domain",
    "pop3-download-delete",
    "pop3-leave-on-server",
    "laptop-pop3-phone-imap",
    "imap-two-devices",
    "pop3-wrong-password",
    "imap-idle",
    "imap-logindisabled-starttls",
    "whole-journey-imap-attachment",
];

/// The built-in lessons in the course's order, each a file `src/lesson/lessons/<id>.toml` (a
/// file not listed fails the build, as for scenarios).
const LESSONS: &[&str] = &[
    "basic-transaction",
    "ehlo-extensions",
    "envelope-headers",
    "dns-mx",
    "relaying",
    "bounces",
    "retries-queue",
    "relay-control",
    "submission-auth-tls",
    "spoofing-spf",
    "mime-attachments",
    "push-pull",
    "troubleshooting",
];

fn main() {
    let root = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let dir = root.join("src/sim/scenarios");
    for watched in [
        "build.rs",
        "src/sim/spec.rs",
        "src/sim/clock.rs",
        "src/sim/dns.rs",
        "src/sim/rng.rs",
        "src/sim/scenarios",
        "src/lesson/spec.rs",
        "src/lesson/lessons",
    ] {
        println!("cargo:rerun-if-changed={watched}");
    }
    if let Err(message) = generate(&dir, &out).and_then(|()| generate_lessons(&root.join("src/lesson/lessons"), &out)) {
        eprintln!("error: {message}");
        std::process::exit(1);
    }
}

fn generate(dir: &Path, out: &Path) -> Result<(), String> {
    let mut on_disk: Vec<String> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.strip_suffix(".toml").map(str::to_string))
        .collect();
    on_disk.sort();
    if let Some(missing) = on_disk.iter().find(|id| !BUILTIN.contains(&id.as_str())) {
        return Err(format!(
            "src/sim/scenarios/{missing}.toml is not in the BUILTIN list of build.rs: add its id where the picker should show it"
        ));
    }
    let (mut ids, mut packed, mut sources) = (String::new(), String::new(), String::new());
    for id in BUILTIN {
        let path = dir.join(format!("{id}.toml"));
        let source = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let scenario: spec::Scenario = toml::from_str(&source).map_err(|e| format!("{}: {e}", path.display()))?;
        if scenario.id != *id {
            return Err(format!("{}: its id is {:?}; a built-in's id must be its file name", path.display(), scenario.id));
        }
        let bytes = postcard::to_allocvec(&scenario).map_err(|e| format!("{}: cannot be written as postcard: {e}", path.display()))?;
        let bin = out.join(format!("{id}.postcard"));
        std::fs::write(&bin, bytes).map_err(|e| format!("{}: {e}", bin.display()))?;
        let _ = writeln!(ids, "    {id:?},");
        let _ = writeln!(packed, "    ({id:?}, include_bytes!({:?})),", bin.display().to_string());
        let _ = writeln!(sources, "    ({id:?}, include_str!({:?})),", path.display().to_string());
    }
    let code = format!(
        "/// The built-in scenarios' ids, in the library's order.\n\
         pub const BUILTIN_IDS: &[&str] = &[\n{ids}];\n\n\
         /// Each built-in as postcard, converted from its TOML file by build.rs.\n\
         pub const BUILTIN_PACKED: &[(&str, &[u8])] = &[\n{packed}];\n\n\
         /// The built-in scenarios, `(id, TOML source)`, in the library's order (native only).\n\
         #[cfg(not(target_arch = \"wasm32\"))]\n\
         pub const BUILTIN: &[(&str, &str)] = &[\n{sources}];\n"
    );
    let file = out.join("builtin.rs");
    std::fs::write(&file, code).map_err(|e| format!("{}: {e}", file.display()))
}

/// Like [`generate`] for the lessons: checks each file's syntax and id (the questions are checked
/// against their scenarios' traces by `tests/lesson.rs`), writes it as postcard and generates
/// `lessons.rs` for `src/lesson/mod.rs`.
fn generate_lessons(dir: &Path, out: &Path) -> Result<(), String> {
    let mut on_disk: Vec<String> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.strip_suffix(".toml").map(str::to_string))
        .collect();
    on_disk.sort();
    if let Some(missing) = on_disk.iter().find(|id| !LESSONS.contains(&id.as_str())) {
        return Err(format!(
            "src/lesson/lessons/{missing}.toml is not in the LESSONS list of build.rs: add its id where the course should show it"
        ));
    }
    let (mut ids, mut packed, mut sources) = (String::new(), String::new(), String::new());
    for id in LESSONS {
        let path = dir.join(format!("{id}.toml"));
        let source = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let lesson: lesson_spec::LessonSpec = toml::from_str(&source).map_err(|e| format!("{}: {e}", path.display()))?;
        if lesson.id != *id {
            return Err(format!("{}: its id is {:?}; a built-in lesson's id must be its file name", path.display(), lesson.id));
        }
        let bytes = postcard::to_allocvec(&lesson).map_err(|e| format!("{}: cannot be written as postcard: {e}", path.display()))?;
        let bin = out.join(format!("lesson-{id}.postcard"));
        std::fs::write(&bin, bytes).map_err(|e| format!("{}: {e}", bin.display()))?;
        let _ = writeln!(ids, "    {id:?},");
        let _ = writeln!(packed, "    ({id:?}, include_bytes!({:?})),", bin.display().to_string());
        let _ = writeln!(sources, "    ({id:?}, include_str!({:?})),", path.display().to_string());
    }
    let code = format!(
        "/// The built-in lessons' ids, in the course's order.\n\
         pub const LESSON_IDS: &[&str] = &[\n{ids}];\n\n\
         /// Each built-in lesson as postcard, converted from its TOML file by build.rs.\n\
         pub const LESSON_PACKED: &[(&str, &[u8])] = &[\n{packed}];\n\n\
         /// The built-in lessons, `(id, TOML source)`, in the course's order (native only).\n\
         #[cfg(not(target_arch = \"wasm32\"))]\n\
         pub const LESSON_SOURCES: &[(&str, &str)] = &[\n{sources}];\n"
    );
    let file = out.join("lessons.rs");
    std::fs::write(&file, code).map_err(|e| format!("{}: {e}", file.display()))
}
