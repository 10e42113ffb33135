//! Scenario loading: every built-in loads; hostile or broken files give located errors,
//! never a panic.

use smtp_sim::sim::scenario::{Scenario, BUILTIN};

const MINIMAL: &str = r#"
id = "t"
title = "T"
goal = "G"

[[node]]
id = "c"
kind = "client"
host = "c.example"
address = "192.0.2.1"
server = "s.example"

[[node]]
id = "s"
kind = "server"
host = "s.example"
address = "192.0.2.2"
ports = [25]
domains = ["example.org"]
mailboxes = ["bob@example.org"]

[[message]]
client = "c"
from = "a@example.com"
to = ["bob@example.org"]
subject = "s"
"#;

fn errors(src: &str) -> Vec<String> {
    Scenario::from_toml(src).expect_err("should be refused").iter().map(|e| e.to_string()).collect()
}

#[test]
fn every_builtin_loads_and_has_a_story() {
    for (id, src) in BUILTIN {
        let s =
            Scenario::from_toml(src).unwrap_or_else(|e| panic!("{id}: {}", e.iter().map(|x| x.to_string()).collect::<Vec<_>>().join("\n")));
        assert_eq!(&s.id, id);
        assert!(!s.title.is_empty() && !s.goal.is_empty(), "{id}");
        assert!(!s.narration.is_empty(), "{id} has no narration");
    }
    assert!(BUILTIN.len() >= 23);
}

#[test]
fn minimal_scenario_loads() {
    let s = Scenario::from_toml(MINIMAL).unwrap();
    assert_eq!(s.nodes.len(), 2);
}

#[test]
fn unknown_field_is_located_with_its_path() {
    let src = MINIMAL.replace("ports = [25]", "ports = [25]\nportz = [26]");
    let e = errors(&src);
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(e[0].starts_with("line 19, column 1: node[1].portz"), "{}", e[0]);
    assert!(e[0].contains("portz"), "{}", e[0]);
}

#[test]
fn bad_value_names_the_field() {
    let src = MINIMAL.replace("kind = \"server\"", "kind = \"serve\"");
    let e = errors(&src);
    assert!(e[0].contains("node[1].kind"), "{}", e[0]);
    assert!(e[0].starts_with("line 15, column 8"), "{}", e[0]);
}

#[test]
fn dangling_reference_is_located() {
    let src = MINIMAL.replace("client = \"c\"", "client = \"nobody\"");
    let e = errors(&src);
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(e[0].contains("message[0].client"), "{}", e[0]);
    assert!(e[0].contains("no node has id \"nobody\""), "{}", e[0]);
    assert!(e[0].starts_with("line 23, column 10"), "{}", e[0]);
}

#[test]
fn every_problem_is_reported_not_just_the_first() {
    let src =
        MINIMAL.replace("address = \"192.0.2.2\"", "address = \"999.1.1.1\"").replace("bob@example.org\"]\n\n", "bob@example.net\"]\n\n");
    let e = errors(&src);
    assert!(e.len() >= 2, "{e:?}");
    assert!(e.iter().any(|x| x.contains("node[1].address")));
    assert!(e.iter().any(|x| x.contains("node[1].mailboxes[0]")));
}

#[test]
fn duplicate_ids_and_bad_durations() {
    let src = MINIMAL.replace("id = \"s\"", "id = \"c\"");
    assert!(errors(&src).iter().any(|e| e.contains("already used by node[0]")));
    let src = MINIMAL.replace("goal = \"G\"", "goal = \"G\"\n[clock]\nlatency = \"5 parsecs\"");
    let e = errors(&src);
    assert!(e[0].contains("clock.latency") && e[0].contains("unit"), "{}", e[0]);
}

#[test]
fn syntax_errors_are_located() {
    let e = errors("id = \"x\"\ntitle = \n");
    assert!(e[0].starts_with("line 2"), "{}", e[0]);
    let e = errors("");
    assert!(e[0].contains("missing field"), "{}", e[0]);
}

#[test]
fn hostile_inputs_never_panic() {
    let nasty = [
        "\u{0}\u{1}\u{2}".to_string(),
        "[[node]]\n".repeat(1000),
        format!("id = \"{}\"", "a".repeat(100_000)),
        "a = [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[".into(),
        "id = 1\ntitle = []\ngoal = {}".into(),
        MINIMAL.replace("192.0.2.1", "<img src=x onerror=alert(1)>"),
        "\u{feff}id = \"x\"".into(),
        "é = \"ü\"\n[[node]]\nid=\"ü\"".into(),
    ];
    for src in nasty {
        let _ = Scenario::from_toml(&src);
    }
    // Every prefix of a valid file is either fine or a located error.
    for cut in (0..MINIMAL.len()).step_by(7) {
        if let Err(errs) = Scenario::from_toml(&MINIMAL[..cut]) {
            assert!(!errs.is_empty());
        }
    }
}

#[test]
fn kind_names_match_the_json_form() {
    use smtp_sim::sim::trace::Kind;
    for k in
        [Kind::DnsQuery, Kind::ConnectFailed, Kind::TlsHandshake, Kind::RetryScheduled, Kind::BounceCreated, Kind::Send, Kind::UserNotice]
    {
        assert_eq!(serde_json::to_string(&k).unwrap(), format!("\"{}\"", k.as_str()));
    }
}

#[test]
fn spf_result_travels_with_the_message_above_the_receivers_received_line() {
    // RFC 7208 §9.1: the receiver that checked SPF records the result in Received-SPF:, prepended
    // above its own Received: field; a server that does not check adds none.
    let t = smtp_sim::sim::world::run(&smtp_sim::sim::scenario::builtin("spf-spoof").unwrap());
    let m = t.mailboxes.iter().find(|m| !m.is_bounce).expect("the real message is delivered");
    let lines: Vec<&str> = m.raw.lines().collect();
    let spf = lines.iter().position(|l| l.starts_with("Received-SPF: pass (mx.example.org:")).expect("a Received-SPF: pass field");
    let received = lines.iter().position(|l| l.starts_with("Received:")).unwrap();
    assert!(spf < received, "Received-SPF comes above the checking server's Received:\n{}", m.raw);
    assert!(m.raw.contains("client-ip=192.0.2.25;") && m.raw.contains("envelope-from=\"alice@example.com\";"), "{}", m.raw);
    assert!(m.raw.is_ascii(), "header comments stay ASCII");

    let plain = smtp_sim::sim::world::run(&smtp_sim::sim::scenario::builtin("happy-path").unwrap());
    assert!(plain.mailboxes.iter().all(|m| !m.raw.contains("Received-SPF")), "no SPF check, no field");
}

#[test]
fn every_builtin_precompiled_by_build_rs_equals_its_toml_file() {
    use smtp_sim::sim::scenario::{builtin, BUILTIN_IDS, BUILTIN_PACKED};
    let ids: Vec<&str> = BUILTIN.iter().map(|(id, _)| *id).collect();
    assert_eq!(ids, BUILTIN_IDS);
    assert_eq!(BUILTIN_PACKED.iter().map(|(id, _)| *id).collect::<Vec<_>>(), ids);
    for (id, src) in BUILTIN {
        let from_toml = Scenario::from_toml(src).unwrap_or_else(|e| panic!("{id}: {e:?}"));
        assert_eq!(builtin(id).as_ref(), Some(&from_toml), "{id}: the precompiled form differs from the TOML file");
    }
    assert_eq!(builtin("no-such-scenario"), None);
}

#[test]
fn a_client_without_server_is_a_sending_host_for_one_domain_on_port_25() {
    // RFC 5321 §5.1 / Appendix D: without `server` the client looks up the MX records itself.
    let src = MINIMAL.replace("server = \"s.example\"\n", "");
    assert!(Scenario::from_toml(&src).is_ok());
    let e = errors(&src.replace("[[node]]\nid = \"s\"", "port = 587\n\n[[node]]\nid = \"s\""));
    assert!(e.iter().any(|m| m.contains("node[0].port") && m.contains("port 25")), "{e:?}");
    let e = errors(&src.replace("to = [\"bob@example.org\"]", "to = [\"bob@example.org\", \"carol@example.net\"]"));
    assert!(e.iter().any(|m| m.contains("message[0].to") && m.contains("example.net")), "{e:?}");
}

#[test]
fn every_builtin_that_compresses_time_says_so_and_rfc_defaults_say_nothing() {
    use smtp_sim::sim::scenario::ClockSettings;
    use smtp_sim::sim::trace::{Kind, Shortcut};
    // New scenarios get RFC 5321's values (§4.5.4.1 retries ≥ 30 min, give-up ≥ 4–5 days;
    // §6.3 ≥ 100 Received: lines): nothing to confess.
    assert_eq!(Shortcut::of(&ClockSettings::default()), []);
    let mut seen = [false; 3];
    for (id, _) in BUILTIN {
        let sc = smtp_sim::sim::scenario::builtin(id).unwrap();
        let t = smtp_sim::sim::world::run(&sc);
        assert_eq!(t.shortcuts, Shortcut::of(&sc.clock), "{id}: derived from the scenario's values");
        let says = |f: fn(&Shortcut) -> bool| t.shortcuts.iter().any(f);
        if t.events.iter().any(|e| e.kind == Kind::RetryScheduled) && sc.clock.retry.iter().any(|r| r.0 < 30 * 60_000) {
            assert!(says(|s| matches!(s, Shortcut::RetryInterval { .. })), "{id} retries minutes apart without saying so");
            seen[0] = true;
        }
        if t.events.iter().any(|e| e.kind == Kind::Expired) {
            assert!(says(|s| matches!(s, Shortcut::GiveUp { .. })), "{id} gives up within hours without saying so");
            seen[1] = true;
        }
        if t.events.iter().any(|e| e.key() == Some("data.mail_loop")) {
            assert!(says(|s| matches!(s, Shortcut::LoopThreshold { max_received: 8 })), "{id} detects a loop early without saying so");
            seen[2] = true;
        }
        let transcript = t.transcript();
        for s in &t.shortcuts {
            assert!(
                transcript.lines().take(2 + t.shortcuts.len()).any(|l| l.ends_with(&s.sentence())),
                "{id}: header says {:?}",
                s.sentence()
            );
        }
    }
    assert_eq!(seen, [true; 3], "the built-ins retry, expire and detect a loop");
}

#[test]
fn a_relay_that_is_the_best_mx_left_returns_the_message_as_undeliverable() {
    // RFC 5321 §5.1: after discarding itself and every worse MX, "If there are no records left
    // at that point, it is an error condition, and the message MUST be returned as
    // undeliverable."
    let src = r#"
id = "t"
title = "T"
goal = "G"

[[node]]
id = "c"
kind = "client"
host = "c.example.com"
address = "192.0.2.1"
server = "relay.example.com"
port = 25

[[node]]
id = "relay"
kind = "server"
host = "relay.example.com"
address = "192.0.2.2"
ports = [25]
domains = ["example.com"]
mailboxes = ["alice@example.com"]
relay_from = ["192.0.2.0/24"]

[dns]
mx = [
  { domain = "example.org", preference = 10, host = "relay.example.com" },
  { domain = "example.org", preference = 20, host = "backup.example.org" },
]
a = [
  { name = "relay.example.com", address = "192.0.2.2" },
  { name = "backup.example.org", address = "198.51.100.9" },
]

[[message]]
client = "c"
from = "alice@example.com"
to = ["bob@example.org"]
subject = "s"
"#;
    let t = smtp_sim::sim::world::run(&Scenario::from_toml(src).unwrap());
    assert_eq!((t.summary.bounced, t.summary.queued, t.summary.bounces_delivered), (1, 0, 1), "{}", t.transcript());
    assert!(!t.events.iter().any(|e| e.from == "relay" && e.label.contains("198.51.100.9")), "the worse MX is never tried");
    let dsn = &t.mailboxes.iter().find(|m| m.is_bounce).unwrap().raw;
    assert!(dsn.contains("Status: 5.4.4"), "{dsn}");
}
