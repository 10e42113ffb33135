//! Simulation benchmark: `sim::world::run` on a generated 10,000-message scenario.
//!
//! Native:  `cargo bench --bench sim`
//! wasm:    `cargo xtask bench wasm` (builds this bench for wasm32-wasip1 and runs it under
//!          Node's WASI; by hand: `cargo bench --bench sim --target wasm32-wasip1 --no-run`,
//!          then `node benches/wasi-run.mjs target/wasm32-wasip1/release/deps/sim-*.wasm`).
//! Options: `SIM_MESSAGES=n` (default 10000), `SIM_ROUNDS=n` (default 5; best round is kept).
//!
//! The world is `smtp_sim::sim::bench` (shared with the page's `?debug=bench10k`): eight mail
//! programs submit (port 587, STARTTLS, AUTH PLAIN) to the relay of example.com, which relays to
//! three MX domains, one greylisting, ~4% unknown recipients. It is built as structs (10,000
//! messages exceed the 1 MiB limit of a scenario file) and `validate`d.
//!
//! Printed: deliveries per wall second (`summary.delivered`, bounces included, best round),
//! trace events per message, and trace JSON bytes per message (`serde_json::to_vec` length /
//! messages).

use std::hint::black_box;
use std::time::Instant;

use smtp_sim::sim::bench;
use smtp_sim::sim::world;

fn main() {
    let count: usize = std::env::var("SIM_MESSAGES").ok().and_then(|v| v.parse().ok()).unwrap_or(10_000);
    let rounds: usize = std::env::var("SIM_ROUNDS").ok().and_then(|v| v.parse().ok()).unwrap_or(5);
    let sc = bench::scenario(count);
    sc.validate().unwrap_or_else(|e| panic!("generated scenario is invalid: {e:?}"));

    let mut best = f64::INFINITY;
    let mut trace = None;
    for _ in 0..rounds {
        let start = Instant::now();
        let t = black_box(world::run(black_box(&sc)));
        best = best.min(start.elapsed().as_secs_f64());
        trace = Some(t);
    }
    let trace = trace.expect("at least one round");
    let s = &trace.summary;
    let json = serde_json::to_vec(&trace).expect("a trace serialises");
    let delivered_events = trace.events.iter().filter(|e| e.kind == smtp_sim::sim::trace::Kind::Delivered).count();
    // Deliveries into a mailbox, bounces included (as measured since the first session).
    let deliveries = s.delivered + s.bounces_delivered;
    assert_eq!(delivered_events, deliveries);

    println!("target: {}", std::env::consts::ARCH);
    println!("scenario: {count} messages, {} nodes", sc.nodes.len());
    println!("summary: {}, virtual end {} ms", s.sentence(), trace.end);
    println!("best of {rounds}: {:.1} ms per run", best * 1e3);
    println!("deliveries/s:        {:>12.0}", deliveries as f64 / best);
    println!("messages/s:          {:>12.0}", count as f64 / best);
    println!("events/message:      {:>12.1}", trace.events.len() as f64 / count as f64);
    println!("trace bytes/message: {:>12.0}  ({} MB of JSON)", json.len() as f64 / count as f64, json.len() / 1_000_000);
}
