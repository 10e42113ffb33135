//! A transcript snapshot per built-in scenario: a change in behaviour shows up as a diff of
//! `tests/snapshots/<id>.txt`. After an intended change, regenerate with
//! `SNAPSHOT_UPDATE=1 cargo test --test sim_snapshots` and review the diff before committing.

use std::path::PathBuf;

use smtp_sim::sim::scenario::{builtin, BUILTIN};
use smtp_sim::sim::world;

#[test]
fn builtin_transcripts_match_their_snapshots() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots");
    let update = std::env::var_os("SNAPSHOT_UPDATE").is_some();
    let mut failures = Vec::new();
    for (id, _) in BUILTIN {
        let scenario = builtin(id).expect("built-ins load");
        let transcript = world::run(&scenario).transcript();
        let path = dir.join(format!("{id}.txt"));
        if update {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, &transcript).unwrap();
            continue;
        }
        match std::fs::read_to_string(&path) {
            Ok(expected) if expected == transcript => {}
            Ok(expected) => {
                let first = expected.lines().zip(transcript.lines()).position(|(a, b)| a != b).unwrap_or(expected.lines().count().min(transcript.lines().count()));
                failures.push(format!(
                    "{id}: transcript differs from {} at line {}:\n  expected: {}\n  actual:   {}",
                    path.display(),
                    first + 1,
                    expected.lines().nth(first).unwrap_or("<end>"),
                    transcript.lines().nth(first).unwrap_or("<end>")
                ));
            }
            Err(_) => failures.push(format!("{id}: no snapshot at {}; run SNAPSHOT_UPDATE=1 cargo test --test sim_snapshots", path.display())),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn the_same_scenario_gives_the_same_trace_byte_for_byte() {
    for (id, _) in BUILTIN {
        let s = builtin(id).unwrap();
        let a = serde_json::to_string(&world::run(&s)).unwrap();
        let b = serde_json::to_string(&world::run(&s)).unwrap();
        assert_eq!(a, b, "{id} is not deterministic");
    }
}
