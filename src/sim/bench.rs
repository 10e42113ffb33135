//! The benchmark world, built in Rust (no TOML): eight mail programs, one relay, three MX domains.
//!
//! Shared by `benches/sim.rs` (10,000 messages, simulation throughput) and the visualizer's
//! `?debug=bench10k` page (≈ 10,000 trace events, rendering speed; see `player::BENCH_ID`), so
//! the two cannot drift apart. It is built as structs rather than parsed from a scenario file
//! because 10,000 messages exceed the 1 MiB limit of a file, and so that the browser needs no
//! TOML parser for it.
//!
//! The world: eight mail programs submit (port 587, STARTTLS, AUTH PLAIN) to the relay of
//! example.com, which queues and relays to three MX domains; example.net greylists every new
//! (client, sender, recipient) triple for 2 minutes (so the first message of each triple is
//! retried 5 minutes later), and about 4% of the recipients do not exist (550 5.1.1, a DSN back
//! to the sender's mailbox on the relay). Messages have one to three recipients, a few hundred
//! octets to a few kilobytes, some with lines that start with a dot (dot-stuffing). Everything
//! comes from a fixed-seed generator, so the scenario is the same on every run.

use super::clock::Span;
use super::dns::{AddressRecord, MxRecord, Zone};
use super::scenario::{ClockSettings, Login, MessageSpec, NodeKind, NodeSpec, Scenario};

/// The id of the generated scenario.
pub const ID: &str = "bench-10k";

/// Messages that give a trace of at least 10,000 events (checked by a test).
pub const MESSAGES_10K: usize = 116;

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
    "the", "meeting", "minutes", "are", "attached", "please", "review", "budget", "before", "Friday", "thanks", "regards", "schedule",
    "project", "update", "and",
];

/// A node with the defaults a scenario file gives to omitted fields.
fn node(id: String, kind: NodeKind, host: String, address: String) -> NodeSpec {
    NodeSpec {
        id,
        kind,
        name: String::new(),
        host,
        address,
        server: None,
        port: None,
        login: None,
        blocked_ports: Vec::new(),
        ports: Vec::new(),
        domains: Vec::new(),
        mailboxes: Vec::new(),
        accounts: Vec::new(),
        relay_from: Vec::new(),
        relay_authenticated: true,
        relay_domains: Vec::new(),
        open_relay: false,
        submission_requires_auth: true,
        starttls: true,
        require_tls: false,
        size_limit: 10 * 1024 * 1024,
        pipelining: true,
        enhanced_status_codes: true,
        smtputf8: false,
        dsn: false,
        spf: false,
        dkim: None,
        dmarc: false,
        forward: Vec::new(),
        lists: Vec::new(),
        greylist: None,
        routes: Vec::new(),
        down: false,
        down_until: None,
        unreachable: false,
        shutting_down: false,
        full: Vec::new(),
        replies: Default::default(),
        extensions: None,
        received: None,
        full_names: Vec::new(),
    }
}

fn login(c: usize) -> Login {
    Login { user: format!("user{c}"), password: format!("pw{c}") }
}

/// The nodes and DNS of the world, without messages.
pub fn topology() -> Scenario {
    let mut nodes = Vec::new();
    for c in 0..CLIENTS {
        let mut n = node(format!("c{c}"), NodeKind::Client, format!("pc{c}.example.com"), format!("192.0.2.{}", 10 + c));
        n.server = Some("smtp.example.com".into());
        n.port = Some(587);
        n.login = Some(login(c));
        nodes.push(n);
    }
    let mut relay = node("relay".into(), NodeKind::Server, "smtp.example.com".into(), "192.0.2.25".into());
    relay.ports = vec![25, 587];
    relay.domains = vec!["example.com".into()];
    relay.mailboxes = (0..CLIENTS).map(|c| format!("user{c}@example.com")).collect();
    relay.accounts = (0..CLIENTS).map(login).collect();
    nodes.push(relay);
    for (d, dom) in DOMAINS.iter().enumerate() {
        let mut mx = node(format!("mx{d}"), NodeKind::Server, format!("mx.{dom}"), format!("198.51.100.{}", 10 + d));
        mx.ports = vec![25];
        mx.domains = vec![dom.to_string()];
        mx.mailboxes = (0..USERS).map(|u| format!("u{u}@{dom}")).collect();
        if d == 1 {
            mx.greylist = Some(Span::mins(2));
        }
        nodes.push(mx);
    }
    let mut dns = Zone::default();
    for (domain, host) in std::iter::once(("example.com".to_string(), "smtp.example.com".to_string()))
        .chain(DOMAINS.iter().map(|d| (d.to_string(), format!("mx.{d}"))))
    {
        dns.mx.push(MxRecord { domain, preference: 10, host });
    }
    dns.a.push(AddressRecord { name: "smtp.example.com".into(), address: "192.0.2.25".into() });
    for (d, dom) in DOMAINS.iter().enumerate() {
        dns.a.push(AddressRecord { name: format!("mx.{dom}"), address: format!("198.51.100.{}", 10 + d) });
    }
    Scenario {
        id: ID.into(),
        title: "Benchmark: a busy relay".into(),
        goal: "A generated scenario for measuring speed: eight mail programs send through one relay to three domains.".into(),
        seed: 7,
        clock: ClockSettings { retry: vec![Span::mins(5), Span::mins(15)], expire_after: Span(24 * 3_600_000), ..ClockSettings::default() },
        nodes,
        dns,
        messages: Vec::new(),
        narration: Vec::new(),
        pulls: Vec::new(),
    }
}

/// `n` generated messages, one every 150 ms of virtual time (so connections overlap).
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
                at: Span(i as u64 * 150),
                from: format!("User {c} <user{c}@example.com>"),
                envelope_from: None,
                to,
                cc: Vec::new(),
                subject: format!("Report {i}"),
                body,
                attachments: Vec::new(),
                pad_to: None,
                data: None,
                vrfy: Vec::new(),
                abort_if_refused: false,
                dsn: None,
            }
        })
        .collect()
}

/// The whole benchmark scenario with `n` messages.
pub fn scenario(n: usize) -> Scenario {
    Scenario { messages: messages(n), ..topology() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_generated_scenario_is_valid_and_gives_10k_events() {
        let s = scenario(MESSAGES_10K);
        assert_eq!(s.validate(), Ok(()));
        let t = super::super::world::run(&s);
        assert!(t.events.len() >= 10_000, "{} events", t.events.len());
        assert!(t.events.len() < 11_000, "{} events", t.events.len());
        assert!(t.summary.bounced > 0, "some recipients are unknown, so there are bounces");
        // Deterministic: the same scenario, the same trace.
        assert_eq!(scenario(3), scenario(3));
    }
}
