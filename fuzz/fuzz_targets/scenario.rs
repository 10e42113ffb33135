//! Fuzz target: arbitrary UTF-8 through `Scenario::from_toml`; errors must be located when the
//! input has a place to point at, and a valid scenario small enough to run quickly is run
//! through `world::run`, whose trace must be consistent (sequence numbers, summary counts)
//! and serialise to JSON.
#![no_main]

use libfuzzer_sys::fuzz_target;
use smtp_sim::sim::scenario::Scenario;
use smtp_sim::sim::world;

/// Keeps one run short: few messages and recipients, small padding, a retry schedule that
/// cannot produce more than a few thousand attempts before the queue lifetime ends.
fn small_enough(sc: &Scenario) -> bool {
    let rcpts: usize = sc.messages.iter().map(|m| m.to.len() + m.cc.len()).sum();
    let min_retry = sc.clock.retry.iter().map(|s| s.0).min().unwrap_or(1).max(1);
    let attempts = sc.clock.expire_after.0 / min_retry;
    sc.messages.len() <= 20
        && rcpts <= 60
        && sc.nodes.len() <= 16
        && attempts <= 10_000
        && sc.messages.iter().all(|m| m.pad_to.unwrap_or(0) <= 256 * 1024 && m.body.len() <= 64 * 1024)
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    match Scenario::from_toml(text) {
        Err(errors) => {
            assert!(!errors.is_empty(), "an Err carries at least one error");
            // A file that is not even TOML always has a place to point at.
            if toml::from_str::<toml::Table>(text).is_err() {
                assert!(errors[0].line > 0, "syntax error without a line: {}", errors[0]);
            }
            for e in &errors {
                assert!(!e.message.is_empty());
                let _ = e.to_string();
                assert!(e.line <= text.lines().count() + 1, "{e} is past the end of the file");
            }
        }
        Ok(sc) => {
            if !small_enough(&sc) {
                return;
            }
            let trace = world::run(&sc);
            for (i, e) in trace.events.iter().enumerate() {
                assert_eq!(e.seq, i);
            }
            assert!(trace.events.windows(2).all(|w| w[0].time <= w[1].time), "time never goes back");
            let json = serde_json::to_string(&trace).expect("a trace serialises");
            assert!(!json.is_empty());
            let _ = trace.transcript();
        }
    }
});
