//! Simulation benchmark: `sim::world::run` on a generated 10,000-message scenario.
//!
//! Native:  `cargo bench --bench sim`
//! wasm:    `cargo xtask bench wasm` (builds this bench for wasm32-wasip1 and runs it under
//!          Node's WASI; by hand: `cargo bench --bench sim --target wasm32-wasip1 --no-run`,
//!          then `node benches/wasi-run.mjs target/wasm32-wasip1/release/deps/sim-*.wasm`).
//! Options: `SIM_MESSAGES=n` (default 10000), `SIM_ROUNDS=n` (default 5; best round is kept).
//!
//! The world: eight mail programs submit (port 587, STARTTLS, AUTH PLAIN) to the relay of
//! example.com, which queues and relays to three MX domains; example.net greylists every new
//! (client, sender, recipient) triple for 2 minutes (so the first message of each triple is
//! retried 5 minutes later), and about 4% of the recipients do not exist (550 5.1.1, a DSN
//! back to the sender's mailbox on the relay). Messages are one to three recipients, a few
//! hundred octets to a few kilobytes, some with lines that start with a dot (dot-stuffing).
//! The nodes and DNS are TOML read through `Scenario::from_toml`; the messages are built as
//! structs (10,000 of them exceed the 1 MiB limit of a scenario file) and `validate`d.
//!
//! Printed: deliveries per wall second (`summary.delivered`, bounces included, best round),
//! trace events per message, and trace JSON bytes per message (`serde_json::to_vec` length /
//! messages).

use std::fmt::Write as _;
use std::hint::black_box;
use std::time::Instant;

use smtp_sim::sim::clock::Span;
use smtp_sim::sim::scenario::{MessageSpec, Scenario};
use smtp_sim::sim::world;

/// A tiny deterministic generator (64-bit LCG), so the scenario is the same on every run.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

const DOMAINS: [&str; 3] = ["example.org", "example.net", "example.edu"];
const USERS: usize = 40;
const CLIENTS: usize = 8;
const WORDS: [&str; 16] = [
    "the", "meeting", "minutes", "are", "attached", "please", "review", "budget", "before", "Friday", "thanks",
    "regards", "schedule", "project", "update", "and",
];

/// The nodes and DNS of the world, as TOML text (read through `Scenario::from_toml`).
pub fn topology_toml() -> String {
    let mut t = String::new();
    t.push_str("id = \"bench-10k\"\ntitle = \"Benchmark\"\ngoal = \"Throughput\"\nseed = 7\n");
    t.push_str("[clock]\nretry = [\"5m\", \"15m\"]\nexpire_after = \"1d\"\n\n");
    let accounts: Vec<String> =
        (0..CLIENTS).map(|c| format!("{{ user = \"user{c}\", password = \"pw{c}\" }}")).collect();
    let senders: Vec<String> = (0..CLIENTS).map(|c| format!("\"user{c}@example.com\"")).collect();
    for (c, account) in accounts.iter().enumerate() {
        writeln!(
            t,
            "[[node]]\nid = \"c{c}\"\nkind = \"client\"\nhost = \"pc{c}.example.com\"\naddress = \"192.0.2.{}\"\n\
             server = \"smtp.example.com\"\nport = 587\nlogin = {}\n",
            10 + c,
            account
        )
        .unwrap();
    }
    writeln!(
        t,
        "[[node]]\nid = \"relay\"\nkind = \"server\"\nhost = \"smtp.example.com\"\naddress = \"192.0.2.25\"\n\
         ports = [25, 587]\ndomains = [\"example.com\"]\nmailboxes = [{}]\naccounts = [{}]\n",
        senders.join(", "),
        accounts.join(", ")
    )
    .unwrap();
    for (d, dom) in DOMAINS.iter().enumerate() {
        let boxes: Vec<String> = (0..USERS).map(|u| format!("\"u{u}@{dom}\"")).collect();
        let grey = if d == 1 { "greylist = \"2m\"\n" } else { "" };
        writeln!(
            t,
            "[[node]]\nid = \"mx{d}\"\nkind = \"server\"\nhost = \"mx.{dom}\"\naddress = \"198.51.100.{}\"\n\
             ports = [25]\ndomains = [\"{dom}\"]\nmailboxes = [{}]\n{grey}",
            10 + d,
            boxes.join(", ")
        )
        .unwrap();
    }
    t.push_str("[dns]\nmx = [\n  { domain = \"example.com\", preference = 10, host = \"smtp.example.com\" },\n");
    for dom in DOMAINS {
        writeln!(t, "  {{ domain = \"{dom}\", preference = 10, host = \"mx.{dom}\" }},").unwrap();
    }
    t.push_str("]\na = [\n  { name = \"smtp.example.com\", address = \"192.0.2.25\" },\n");
    for (d, dom) in DOMAINS.iter().enumerate() {
        writeln!(t, "  {{ name = \"mx.{dom}\", address = \"198.51.100.{}\" }},", 10 + d).unwrap();
    }
    t.push_str("]\n\n");

    t
}

/// The messages, built as structs: 10,000 of them would exceed the 1 MiB limit of a file.
pub fn messages(n: usize) -> Vec<MessageSpec> {
    let mut rng = Lcg(2026);
    (0..n)
        .map(|i| {
            let c = rng.next(CLIENTS as u64) as usize;
            let k = 1 + rng.next(3) as usize;
            let to: Vec<String> = (0..k)
                .map(|_| {
                    let dom = DOMAINS[rng.next(3) as usize];
                    // About 4% of recipients are unknown: a 550 5.1.1 and a bounce.
                    if rng.next(25) == 0 {
                        format!("nobody{}@{dom}", rng.next(100))
                    } else {
                        format!("u{}@{dom}", rng.next(USERS as u64))
                    }
                })
                .collect();
            let mut body = String::new();
            for _ in 0..(3 + rng.next(40)) {
                if rng.next(12) == 0 {
                    body.push('.');
                }
                for w in 0..(4 + rng.next(10)) {
                    if w > 0 {
                        body.push(' ');
                    }
                    body.push_str(WORDS[rng.next(WORDS.len() as u64) as usize]);
                }
                body.push('\n');
            }
            MessageSpec {
                client: format!("c{c}"),
                // One message every 150 ms of virtual time, so connections overlap.
                at: Span(i as u64 * 150),
                from: format!("User {c} <user{c}@example.com>"),
                envelope_from: None,
                to,
                cc: Vec::new(),
                subject: format!("Report {i}"),
                body,
                attachments: Vec::new(),
                pad_to: None,
            }
        })
        .collect()
}

fn main() {
    let count: usize = std::env::var("SIM_MESSAGES").ok().and_then(|v| v.parse().ok()).unwrap_or(10_000);
    let rounds: usize = std::env::var("SIM_ROUNDS").ok().and_then(|v| v.parse().ok()).unwrap_or(5);
    let toml = topology_toml();
    let mut sc = Scenario::from_toml(&toml).unwrap_or_else(|e| panic!("generated topology is invalid: {e:?}"));
    sc.messages = messages(count);
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
    println!(
        "summary: {}, virtual end {} ms",
        s.sentence(),
        trace.end
    );
    println!("best of {rounds}: {:.1} ms per run", best * 1e3);
    println!("deliveries/s:        {:>12.0}", deliveries as f64 / best);
    println!("messages/s:          {:>12.0}", count as f64 / best);
    println!("events/message:      {:>12.1}", trace.events.len() as f64 / count as f64);
    println!("trace bytes/message: {:>12.0}  ({} MB of JSON)", json.len() as f64 / count as f64, json.len() / 1_000_000);
}
