//! The generated 10,000-event benchmark trace (`?debug=bench10k`) and the player's [`Timeline`]:
//! the saved states must give exactly what folding from the start gives, at every kind of step
//! (on a saved state, just before and after one, random ones, the last), so stepping back stays
//! exact on long traces too.

use smtp_sim::player::view::{Timeline, View};
use smtp_sim::player::{catalog, Intent, Player, BENCH_FLAG};
use smtp_sim::sim::{bench, scenario};

fn bench_player() -> Player {
    Player::from_query(&format!("?debug={BENCH_FLAG}"))
}

#[test]
fn the_debug_flag_opens_the_generated_10k_trace_and_the_url_keeps_it() {
    let p = bench_player();
    assert_eq!(p.scenario_id, bench::ID);
    assert!(p.len() >= 10_000, "{} steps", p.len());
    assert_eq!(p.notice, None);
    assert_eq!(p.step, 0);
    assert_eq!(p.query(), "?debug=bench10k&step=1");
    // The URL the page writes while stepping reopens the same step of the same trace.
    let p = Player::from_query("?debug=bench10k&step=5000");
    assert_eq!(p.step, 4999);
    let again = Player::from_query(&p.query());
    assert_eq!((again.scenario_id.as_str(), again.step), (bench::ID, 4999));
    // Another debug value is not the benchmark.
    assert_eq!(Player::from_query("?debug=bench10").scenario_id, "happy-path");
    // It is not offered in the scenario picker.
    assert!(catalog().iter().all(|s| s.id != bench::ID));
}

#[test]
fn the_timeline_gives_exactly_the_full_fold_on_the_10k_trace() {
    let p = bench_player();
    let t = &p.trace;
    let timeline = Timeline::new(t);
    let last = p.last();
    let mut steps: Vec<usize> = vec![0, 1, 2, last - 1, last, last + 5];
    for k in [1, 2, 3, 17, 38] {
        steps.extend([k * 256 - 2, k * 256 - 1, k * 256, k * 256 + 1]);
    }
    let mut x: u64 = 11;
    for _ in 0..60 {
        x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        steps.push((x >> 33) as usize % p.len());
    }
    for &n in &steps {
        let want = View::at(t, n);
        assert_eq!(timeline.at(t, n), want, "step {n}");
        assert_eq!(p.view_at(n), want, "player at step {n}");
    }
    // The last step shows the bounces and deliveries of the whole run.
    let end = timeline.at(t, last);
    let stored: usize = end.nodes.iter().map(|n| n.stored).sum();
    assert_eq!(stored, t.mailboxes.len());
}

#[test]
fn stepping_back_on_the_10k_trace_is_exact() {
    let mut p = bench_player();
    p.apply(Intent::Goto(7000));
    let there = p.view();
    for _ in 0..300 {
        p.apply(Intent::Step(1));
    }
    p.apply(Intent::Last);
    p.apply(Intent::First);
    p.apply(Intent::Goto(7001));
    p.apply(Intent::Step(-1));
    assert_eq!(p.view(), there);
    assert_eq!(p.view(), View::at(&p.trace, 7000));
}

#[test]
fn the_timeline_matches_the_fold_at_every_step_of_every_builtin() {
    for (id, _) in scenario::BUILTIN {
        let p = Player::builtin(id);
        let timeline = Timeline::new(&p.trace);
        for n in 0..p.len().max(1) {
            assert_eq!(timeline.at(&p.trace, n), View::at(&p.trace, n), "{id}: step {n}");
        }
    }
}

#[test]
fn the_bench_trace_is_named_in_the_address_not_carried_in_it() {
    // Generated, so the query reproduces it: the address must not carry ~40 KB of scenario.
    let mut p = Player::from_query("?debug=bench10k");
    assert!(!p.is_edited());
    p.apply(Intent::Goto(7776));
    let loc = p.location(p.is_edited());
    assert!(!loc.contains('#') && loc.contains("debug=bench10k") && loc.contains("step=7777"), "{loc}");
}
