//! A transcript snapshot per built-in scenario, kept with `insta`: a change in behaviour shows
//! up as a full diff against `tests/snapshots/<id>.snap` (insta's format: a short header, then
//! the transcript exactly as `smtp-sim run` prints it). Every scenario is compared before the
//! test fails, so one run shows every diff.
//!
//! After an intended change, write the new snapshots and review them before committing:
//!
//! ```text
//! INSTA_UPDATE=always cargo test --test sim_snapshots   # rewrite the .snap files, then `git diff`
//! cargo insta review                                    # or review each change (cargo install cargo-insta)
//! ```
//!
//! A plain failing run (outside CI) leaves a `<id>.snap.new` beside each changed snapshot,
//! which `cargo insta review` (or `cargo insta accept`) picks up.

use std::panic::{catch_unwind, AssertUnwindSafe};

use smtp_sim::sim::scenario::{builtin, BUILTIN};
use smtp_sim::sim::world;

#[test]
fn builtin_transcripts_match_their_snapshots() {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    let mut failed = Vec::new();
    for (id, _) in BUILTIN {
        let scenario = builtin(id).expect("built-ins load");
        let transcript = world::run(&scenario).transcript();
        settings.set_description(format!("smtp-sim run {id}"));
        // insta prints the diff and panics on a mismatch; go on so every diff is shown.
        let checked = catch_unwind(AssertUnwindSafe(|| settings.bind(|| insta::assert_snapshot!(*id, transcript))));
        if checked.is_err() {
            failed.push(*id);
        }
    }
    assert!(failed.is_empty(), "transcripts differ from their snapshots (diffs above): {failed:?}\nreview with `cargo insta review`, or rewrite with INSTA_UPDATE=always cargo test --test sim_snapshots");
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
