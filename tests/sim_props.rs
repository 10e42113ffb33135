//! Properties of the simulation over random valid scenarios: every run terminates, is
//! deterministic, loses no message, and never bounces a bounce.

use proptest::prelude::*;
use smtp_sim::sim::clock::Span;
use smtp_sim::sim::dns::{AddressRecord, MxRecord, Zone};
use smtp_sim::sim::scenario::{
    ClockSettings, DsnNotify, DsnRequest, DsnRet, FullMailbox, Fullness, Login, MessageSpec, NodeKind, NodeSpec, Scenario,
};
use smtp_sim::sim::trace::{Kind, Trace};
use smtp_sim::sim::world;

fn server(i: usize) -> NodeSpec {
    NodeSpec {
        id: format!("s{i}"),
        kind: NodeKind::Server,
        name: String::new(),
        host: format!("mx.d{i}.example"),
        address: format!("198.51.100.{}", 10 + i),
        server: None,
        port: None,
        login: None,
        blocked_ports: vec![],
        ports: vec![25, 587],
        domains: vec![format!("d{i}.example")],
        mailboxes: vec![format!("u0@d{i}.example"), format!("u1@d{i}.example")],
        accounts: vec![Login { user: "u".into(), password: "p".into() }],
        relay_from: vec![],
        relay_authenticated: true,
        relay_domains: vec![],
        open_relay: false,
        submission_requires_auth: true,
        starttls: true,
        require_tls: false,
        size_limit: 10_000_000,
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
        routes: vec![],
        down: false,
        down_until: None,
        unreachable: false,
        shutting_down: false,
        full: vec![],
        replies: Default::default(),
        extensions: None,
        received: None,
        full_names: Vec::new(),
    }
}

/// A message: sending server index, (domain, user) recipients, null sender?
type MessageKnob = (usize, Vec<(usize, usize)>, bool);

#[derive(Debug, Clone)]
struct Knobs {
    servers: usize,
    faults: Vec<u8>,
    pipelining: Vec<bool>,
    mx_missing: Vec<bool>,
    messages: Vec<MessageKnob>,
    seed: u64,
}

fn knobs() -> impl Strategy<Value = Knobs> {
    (1usize..=4)
        .prop_flat_map(|n| {
            (
                Just(n),
                prop::collection::vec(0u8..8, n),
                prop::collection::vec(any::<bool>(), n),
                prop::collection::vec(prop::bool::weighted(0.15), n),
                prop::collection::vec((0..n, prop::collection::vec((0..n + 1, 0usize..3), 1..4), prop::bool::weighted(0.2)), 1..4),
                any::<u64>(),
            )
        })
        .prop_map(|(servers, faults, pipelining, mx_missing, messages, seed)| Knobs {
            servers,
            faults,
            pipelining,
            mx_missing,
            messages,
            seed,
        })
}

fn build(k: &Knobs) -> Scenario {
    let mut nodes: Vec<NodeSpec> = (0..k.servers).map(server).collect();
    let mut zone = Zone::default();
    for (i, n) in nodes.iter_mut().enumerate() {
        n.pipelining = k.pipelining[i];
        // Some servers offer DSN (RFC 3461), chosen by the seed's bits.
        n.dsn = (k.seed >> i) & 1 == 1;
        match k.faults[i] {
            1 => n.down = true,
            2 => n.greylist = Some(Span::mins(1)),
            3 => n.full = vec![FullMailbox { mailbox: n.mailboxes[0].clone(), kind: Fullness::Temporary }],
            4 => n.full = vec![FullMailbox { mailbox: n.mailboxes[1].clone(), kind: Fullness::Permanent }],
            5 => n.down_until = Some(Span::mins(7)),
            6 => n.size_limit = 100,
            _ => {}
        }
        if !k.mx_missing[i] {
            zone.mx.push(MxRecord { domain: n.domains[0].clone(), preference: 10, host: n.host.clone() });
        }
        zone.a.push(AddressRecord { name: n.host.clone(), address: n.address.clone() });
    }
    let mut messages = Vec::new();
    for (m, (sender, rcpts, null_sender)) in k.messages.iter().enumerate() {
        let cid = format!("c{m}");
        let mut c = server(0);
        c.id = cid.clone();
        c.kind = NodeKind::Client;
        c.host = format!("pc{m}.example");
        c.address = format!("192.0.2.{}", 10 + m);
        c.ports = vec![];
        c.domains = vec![];
        c.mailboxes = vec![];
        c.accounts = vec![];
        c.server = Some(nodes[*sender].host.clone());
        c.port = Some(587);
        c.login = Some(Login { user: "u".into(), password: "p".into() });
        let mut to: Vec<String> = rcpts
            .iter()
            .map(|(d, u)| if *d == k.servers { format!("x{u}@nowhere.example") } else { format!("u{u}@d{d}.example") })
            .collect();
        to.sort();
        to.dedup();
        messages.push(MessageSpec {
            client: cid,
            at: Span::secs(m as u64),
            from: format!("u0@d{sender}.example"),
            envelope_from: if *null_sender { Some(String::new()) } else { None },
            to,
            cc: vec![],
            subject: format!("m{m}"),
            body: "hello\n.dot line\n".into(),
            attachments: vec![],
            pad_to: None,
            data: None,
            vrfy: Vec::new(),
            abort_if_refused: false,
            // Every NOTIFY shape, RET and ENVID, also chosen by the seed's bits.
            dsn: match (k.seed >> (8 + 3 * m)) % 5 {
                0 => None,
                1 => Some(DsnRequest { notify: vec![DsnNotify::Never], ..DsnRequest::default() }),
                2 => Some(DsnRequest {
                    notify: vec![DsnNotify::Success, DsnNotify::Failure],
                    ret: Some(DsnRet::Hdrs),
                    envid: Some(format!("m{m}")),
                    orcpt: true,
                }),
                3 => Some(DsnRequest { notify: vec![DsnNotify::Delay], ..DsnRequest::default() }),
                _ => Some(DsnRequest { notify: vec![DsnNotify::Success], ..DsnRequest::default() }),
            },
        });
        nodes.push(c);
    }
    Scenario {
        id: "prop".into(),
        title: "prop".into(),
        goal: "prop".into(),
        seed: k.seed,
        clock: ClockSettings {
            retry: vec![Span::mins(5)],
            expire_after: Span::mins(30),
            delay_warning_after: Some(Span::mins(10)),
            ..ClockSettings::default()
        },
        nodes,
        dns: zone,
        messages,
        narration: vec![],
        pulls: vec![],
    }
}

fn check_conservation(s: &Scenario, t: &Trace) {
    // Units of "one message for one recipient": the scenario's, plus one per DSN created, plus
    // one per postmaster copy of a double bounce. Each ends exactly once: refused in session, not
    // sent, stored in a mailbox, reported in a bounce, still queued, or a double bounce.
    let sent: usize = s.messages.iter().map(|m| m.to.len()).sum();
    let count = |key: &str| t.events.iter().filter(|e| e.key.as_deref() == Some(key)).count();
    let units_in =
        sent + count("bounce-created") + count("delay-warning") + count("dsn-delivered") + count("dsn-relayed") + count("double-bounce");
    let s_ = &t.summary;
    let units_out =
        s_.refused_in_session + s_.not_sent + t.mailboxes.len() + s_.bounced + t.queue.len() + s_.double_bounces + s_.unnotified;
    assert_eq!(units_in, units_out, "a message was lost or duplicated: {s_:?}\n{}", t.transcript());
    assert_eq!(t.mailboxes.len(), s_.delivered + s_.bounces_delivered);
    assert_eq!(t.mailboxes.iter().filter(|m| m.is_bounce).count(), s_.bounces_delivered, "bounces are counted apart from delivered mail");
    assert_eq!(t.queue.len(), s_.queued);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn random_worlds_terminate_conserve_and_never_bounce_bounces(k in knobs()) {
        let s = build(&k);
        if let Err(e) = s.validate() {
            panic!("generator made an invalid scenario: {e:?}");
        }
        let t = world::run(&s);
        // Terminates on its own, not by the safety cap.
        prop_assert!(!t.events.iter().any(|e| e.label.starts_with("simulation stopped")), "hit the safety cap");
        // Deterministic.
        prop_assert_eq!(&t, &world::run(&s));
        check_conservation(&s, &t);
        // Never a bounce of a bounce: every DSN is addressed to a real envelope sender.
        for e in t.events.iter().filter(|e| e.kind == Kind::BounceCreated && e.key.as_deref() != Some("double-bounce")) {
            prop_assert!(!e.label.ends_with("→ <>"), "a bounce was sent to <>: {}", e.label);
        }
        for m in t.mailboxes.iter().filter(|m| m.is_bounce) {
            prop_assert_eq!(&m.mail_from, "", "a bounce must travel with MAIL FROM:<>");
        }
    }
}
