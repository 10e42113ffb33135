//! The scenario editor's model (`smtp_sim::player::{edit, saved}` and the `Edit`,
//! `ResetToBuiltin`, `RestoreSaved` intents): edits change the trace, errors are plain and
//! located, autosave decisions, and random edits never panic nor break the simulation.

use proptest::prelude::*;
use smtp_sim::player::edit::{self, Draft, FileInput, RecordInput, RecordRef, RecordType, Setting};
use smtp_sim::player::saved::{self, Found, Write};
use smtp_sim::player::{Intent, Player};
use smtp_sim::sim::clock::Span;
use smtp_sim::sim::scenario::{self, Fullness, Scenario};
use smtp_sim::sim::trace::Kind;
use smtp_sim::sim::world;
use smtp_sim::smtp::base64;

fn happy() -> Scenario {
    scenario::builtin("happy-path").unwrap()
}

fn kinds(p: &Player) -> Vec<Kind> {
    p.trace.events.iter().map(|e| e.kind).collect()
}

fn delivered_to(p: &Player, who: &str) -> bool {
    p.trace.events.iter().any(|e| e.kind == Kind::Delivered && e.label.contains(who))
}

fn draft(to: &str) -> Draft {
    Draft {
        client: "alice".into(),
        from: "Alice <alice@example.com>".into(),
        to: to.into(),
        subject: "Hi".into(),
        body: "Hello\n".into(),
        attachments: Vec::new(),
    }
}

#[test]
fn a_full_mailbox_changes_the_trace_and_reset_restores_it() {
    let mut p = Player::builtin("happy-path");
    assert!(!p.is_edited());
    let original = p.len();
    assert!(kinds(&p).contains(&Kind::Delivered));
    p.apply(Intent::Goto(10));
    p.apply(Intent::Select(Some(3)));
    let edited =
        edit::set(&p.scenario, "mx", Setting::Full { mailbox: "bob@example.org".into(), kind: Some(Fullness::Permanent) }).unwrap();
    p.apply(Intent::Edit(Box::new(edited)));
    assert!(p.is_edited());
    assert_eq!(p.step, 10, "the step is kept");
    assert_eq!(p.selected, None, "the selection is cleared");
    assert!(delivered_to(&Player::builtin("happy-path"), "bob@example.org"));
    assert!(!delivered_to(&p, "bob@example.org"), "nothing is delivered to a full mailbox");
    assert!(kinds(&p).contains(&Kind::BounceCreated), "the relay bounces the 552");
    assert!(p.trace.events.iter().any(|e| e.label.starts_with("552")), "the MX refuses with 552");

    p.apply(Intent::ResetToBuiltin);
    assert!(!p.is_edited());
    assert_eq!(p.len(), original);
    assert_eq!(*p.scenario, happy());
}

#[test]
fn edit_clamps_the_step_to_a_shorter_trace() {
    let mut p = Player::builtin("happy-path");
    p.apply(Intent::Last);
    let long = p.len();
    let down = edit::set(&p.scenario, "relay", Setting::Down(true)).unwrap();
    p.apply(Intent::Edit(Box::new(down)));
    assert!(p.len() < long, "{} < {long}", p.len());
    assert_eq!(p.step, p.last());
    assert!(p.trace.events.iter().any(|e| e.kind == Kind::ConnectFailed));
}

#[test]
fn an_invalid_scenario_is_refused_with_a_notice() {
    let mut p = Player::builtin("happy-path");
    let before = p.clone();
    let mut bad = happy();
    bad.nodes[1].mailboxes.push("nobody@elsewhere.test".into());
    p.apply(Intent::Edit(Box::new(bad)));
    assert_eq!(p.scenario, before.scenario);
    let notice = p.notice.clone().unwrap();
    assert!(notice.contains("not applied") && notice.contains("elsewhere.test"), "{notice}");
}

#[test]
fn a_scenario_without_a_builtin_counts_as_edited() {
    let mut s = happy();
    s.id = "my-own".into();
    let mut p = Player::from_scenario(s);
    assert!(p.is_edited());
    p.apply(Intent::ResetToBuiltin);
    assert!(p.notice.unwrap().contains("no built-in"));
    assert!(!Player::from_scenario(happy()).is_edited());
}

#[test]
fn editing_back_to_the_original_is_not_edited() {
    let mut p = Player::builtin("happy-path");
    let s = edit::set(&p.scenario, "mx", Setting::Spf(true)).unwrap();
    p.apply(Intent::Edit(Box::new(s)));
    assert!(p.is_edited());
    let s = edit::set(&p.scenario, "mx", Setting::Spf(false)).unwrap();
    p.apply(Intent::Edit(Box::new(s)));
    assert!(!p.is_edited());
}

#[test]
fn settings_only_apply_where_they_make_sense() {
    let s = happy();
    let e = edit::set(&s, "alice", Setting::Greylist(Some(Span::mins(5)))).unwrap_err();
    assert_eq!(e.field, "node-alice-greylist");
    assert!(e.message.contains("does not apply to a mail program"), "{}", e.message);
    let e = edit::set(&s, "mx", Setting::SubmitPort(25)).unwrap_err();
    assert!(e.message.contains("does not apply to a mail server"), "{}", e.message);
    let e = edit::set(&s, "nobody", Setting::Down(true)).unwrap_err();
    assert_eq!(e.message, "There is no node “nobody” in this scenario.");
    let e = edit::set(&s, "mx", Setting::SizeLimit(5)).unwrap_err();
    assert!(e.message.starts_with("Size limit: give a number of octets from 1000"), "{}", e.message);
    let e = edit::set(&s, "alice", Setting::SubmitPort(2525)).unwrap_err();
    assert!(e.message.contains("587"), "{}", e.message);
    let e = edit::set(&s, "mx", Setting::Full { mailbox: "carol@example.org".into(), kind: Some(Fullness::Temporary) }).unwrap_err();
    assert!(e.message.contains("not one of this server's mailboxes"));
    assert!(edit::set(&s, "mx", Setting::Greylist(Some(Span(0)))).is_err());
    assert!(edit::set(&s, "mx", Setting::DownUntil(Some(Span(8 * 86_400_000)))).is_err());
    assert_eq!(edit::parse_minutes("f", "Greylisting", " 15 ").unwrap(), Some(Span::mins(15)));
    assert_eq!(edit::parse_minutes("f", "Greylisting", "").unwrap(), None);
    assert!(edit::parse_minutes("f", "Greylisting", "5m").unwrap_err().message.contains("“5m” is not a whole number of minutes"));
    assert_eq!(edit::parse_size("f", "10 000").unwrap(), 10_000);
}

#[test]
fn greylisting_and_the_client_port_show_in_the_trace() {
    let mut p = Player::builtin("happy-path");
    let s = edit::set(&p.scenario, "mx", Setting::Greylist(Some(Span::mins(1)))).unwrap();
    p.apply(Intent::Edit(Box::new(s)));
    assert!(p.trace.events.iter().any(|e| e.label.starts_with("451")), "greylisted first");
    assert!(kinds(&p).contains(&Kind::RetryScheduled));
    assert!(kinds(&p).contains(&Kind::Delivered), "then delivered on retry");

    let s = edit::set(&happy(), "alice", Setting::BlockedPort { port: 587, blocked: true }).unwrap();
    assert_eq!(s.nodes[0].blocked_ports, vec![587]);
    p.apply(Intent::Edit(Box::new(s)));
    assert!(!kinds(&p).contains(&Kind::Delivered));
}

#[test]
fn mailboxes_are_added_and_removed_with_plain_errors() {
    let s = happy();
    let s2 = edit::add_mailbox(&s, "mx", " carol@example.org ").unwrap();
    assert!(s2.nodes[2].mailboxes.contains(&"carol@example.org".to_string()));
    let e = edit::add_mailbox(&s2, "mx", "carol@example.org").unwrap_err();
    assert_eq!(e.message, "New mailbox: “carol@example.org” already exists.");
    assert_eq!(e.field, "node-mx-mailbox-new");
    let e = edit::add_mailbox(&s, "mx", "dave@example.net").unwrap_err();
    assert_eq!(e.message, "New mailbox: “dave@example.net” is not in this server's domains (example.org).");
    assert_eq!(edit::add_mailbox(&s, "mx", "bob@").unwrap_err().message, "New mailbox: “bob@” has no domain.");
    assert!(edit::add_mailbox(&s, "alice", "x@example.com").unwrap_err().message.contains("only servers have mailboxes"));
    let full = edit::set(&s2, "mx", Setting::Full { mailbox: "carol@example.org".into(), kind: Some(Fullness::Temporary) }).unwrap();
    let removed = edit::remove_mailbox(&full, "mx", "carol@example.org").unwrap();
    assert!(removed.nodes[2].full.is_empty(), "its fault goes with it");
    assert!(removed.validate().is_ok());
    assert!(edit::remove_mailbox(&removed, "mx", "carol@example.org").is_err());

    // Removing Bob's mailbox turns the happy path into an unknown-user bounce.
    let mut p = Player::builtin("happy-path");
    p.apply(Intent::Edit(Box::new(edit::remove_mailbox(&s, "mx", "bob@example.org").unwrap())));
    assert!(p.trace.events.iter().any(|e| e.label.starts_with("550")));
}

#[test]
fn hostile_mailbox_text_is_refused_not_injected() {
    let s = happy();
    for bad in ["<img src=x onerror=alert(1)>@example.org", "a b@example.org", "bob@example.org\r\nRCPT TO:<x@y>", "bob", "@example.org"] {
        let e = edit::add_mailbox(&s, "mx", bad).unwrap_err();
        assert!(e.message.starts_with("New mailbox: "), "{bad:?}: {}", e.message);
        assert!(!e.message.contains('\r') && !e.message.contains('\n'), "{:?}", e.message);
    }
}

#[test]
fn dns_records_are_added_edited_and_removed() {
    let s = happy();
    let rec = |t: &str, n: &str, v: &str, p: &str| RecordInput { rtype: t.into(), name: n.into(), value: v.into(), preference: p.into() };
    let s2 = edit::add_record(&s, &rec("MX", "example.org", "mx2.example.org", "20")).unwrap();
    assert_eq!(s2.dns.mx.len(), 3);
    assert_eq!(
        edit::add_record(&s2, &rec("mx", "Example.org", "MX2.example.org", "20")).unwrap_err().message,
        "The zone already has this MX record."
    );
    assert_eq!(
        edit::add_record(&s, &rec("A", "x.example.org", "300.1.1.1", "")).unwrap_err().message,
        "Address: “300.1.1.1” is not an IPv4 address like 192.0.2.25."
    );
    assert_eq!(edit::add_record(&s, &rec("A", "x.example.org", "300.1.1.1", "")).unwrap_err().field, "dns-new-value");
    assert_eq!(edit::add_record(&s, &rec("MX", "example.org", ".", "10")).unwrap_err().field, "dns-new-preference");
    assert!(edit::add_record(&s, &rec("MX", "example.org", ".", "0")).is_ok(), "null MX");
    assert!(edit::add_record(&s, &rec("MX", "example.org", "mx.example.org", "99999")).unwrap_err().message.starts_with("Preference:"));
    assert!(edit::add_record(&s, &rec("CNAME", "a", "b", "")).unwrap_err().message.starts_with("Type:"));
    assert!(edit::add_record(&s, &rec("TXT", "bad name!", "v=spf1 -all", "")).unwrap_err().message.starts_with("Name:"));
    assert!(edit::add_record(&s, &rec("AAAA", "mx.example.org", "2001:db8::25", "")).is_ok());

    // Pointing example.org's only MX at a host with no address: the relay cannot deliver.
    let at = RecordRef { rtype: RecordType::Mx, index: 1 };
    let s3 = edit::update_record(&s, at, &rec("MX", "example.org", "nowhere.example.org", "10")).unwrap();
    assert_eq!(s3.dns.mx[1].host, "nowhere.example.org", "kept in place");
    let mut p = Player::builtin("happy-path");
    p.apply(Intent::Edit(Box::new(s3)));
    assert!(!delivered_to(&p, "bob@example.org"));

    let s4 = edit::remove_record(&s, RecordRef { rtype: RecordType::A, index: 1 }).unwrap();
    assert_eq!(s4.dns.a.len(), 1);
    assert!(edit::remove_record(&s4, RecordRef { rtype: RecordType::A, index: 1 }).is_err());
    assert_eq!(edit::records(&s.dns).len(), 4);
    // Changing the type moves it to its new list.
    let s5 = edit::update_record(&s, RecordRef { rtype: RecordType::A, index: 0 }, &rec("TXT", "example.com", "v=spf1 -all", "")).unwrap();
    assert_eq!((s5.dns.a.len(), s5.dns.txt.len()), (1, 1));
}

#[test]
fn compose_reports_every_problem_located() {
    let s = happy();
    let errors = edit::compose(&s, &draft("bob@example.org, bob@, carol"), Span(0)).unwrap_err();
    let texts: Vec<&str> = errors.iter().map(|e| e.message.as_str()).collect();
    assert_eq!(texts, ["Recipient 2: “bob@” has no domain.", "Recipient 3: “carol” has no @: write it like bob@example.org."]);
    assert!(errors.iter().all(|e| e.field == "compose-to"));

    let mut d = draft("");
    d.from = "Alice <alice@example.com".into();
    d.subject = "two\r\nBcc: everyone@example.org".into();
    d.client = "mx".into();
    let errors = edit::compose(&s, &d, Span(0)).unwrap_err();
    let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["compose-client", "compose-from", "compose-to", "compose-subject"]);
    assert!(errors[1].message.contains("unbalanced angle brackets"));
    assert_eq!(errors[2].message, "To: give at least one recipient, like bob@example.org.");

    let mut d = draft("Bob <bob@example.org>");
    d.attachments = vec![FileInput { name: "big.bin".into(), content_type: "".into(), bytes: vec![0; edit::MAX_ATTACHMENT_BYTES + 1] }];
    let e = edit::compose(&s, &d, Span(0)).unwrap_err();
    assert_eq!(e[0].field, "compose-attachments");
    assert!(e[0].message.contains("“big.bin” is 256.0 KB") && e[0].message.contains("at most 256 KB"), "{}", e[0].message);

    let mut d = draft("Bob, the builder <bob@example.org>");
    d.subject = String::new();
    assert!(edit::compose(&s, &d, Span(0)).is_err(), "a comma splits recipients, so the name is not an address");
}

#[test]
fn a_composed_message_with_an_attachment_is_delivered() {
    let mut p = Player::builtin("happy-path");
    let before = p.len();
    let mut d = edit::draft_for(&p.scenario);
    assert_eq!(d.client, "alice");
    assert_eq!(d.from, "Alice <alice@example.com>");
    assert_eq!(d.to, "Bob <bob@example.org>");
    d.subject = "<img src=x onerror=alert(1)> notes".into();
    d.body = "Here are the notes.\n.\nA line with a dot.\n".into();
    let bytes: Vec<u8> = (0u8..=255).collect();
    d.attachments =
        vec![FileInput { name: "C:\\temp\\notes\u{7}.bin".into(), content_type: "application/x-thing".into(), bytes: bytes.clone() }];
    let at = edit::send_time(&p.trace);
    assert!(at.0 > p.trace.events.last().unwrap().time);
    let s = edit::compose(&p.scenario, &d, at).unwrap();
    let m = s.messages.last().unwrap();
    assert_eq!(m.attachments[0].filename, "notes_.bin");
    assert_eq!(m.attachments[0].base64.as_deref(), Some(base64::encode(&bytes).as_str()));
    p.apply(Intent::Edit(Box::new(s)));
    assert!(p.len() > before);
    let delivered = p.trace.events.iter().filter(|e| e.kind == Kind::Delivered).count();
    assert_eq!(delivered, 2, "both messages arrive");
    let data: Vec<&str> = p.trace.events.iter().filter(|e| e.kind == Kind::Data).filter_map(|e| e.raw.as_deref()).collect();
    let last = data.last().unwrap();
    assert!(last.contains("notes_.bin") && last.contains(&base64::encode(&bytes[..48])), "the attachment travels as base64 MIME");
    assert!(last.contains("<img src=x onerror=alert(1)> notes"), "the subject is carried as text");
    assert!(last.contains("\r\n..\r\n"), "a lone dot line is dot-stuffed");
}

#[test]
fn compose_needs_a_mail_program() {
    let s = scenario::builtin("happy-path").unwrap();
    let mut no_client = s.clone();
    no_client.nodes.remove(0);
    no_client.messages.clear();
    no_client.narration.clear();
    let d = edit::draft_for(&no_client);
    assert_eq!(d, Draft::default());
    let e = edit::compose(&no_client, &draft("bob@example.org"), Span(0)).unwrap_err();
    assert!(e[0].message.contains("there is no node “alice”"), "{}", e[0].message);
}

#[test]
fn autosave_decisions() {
    let id = "happy-path";
    assert_eq!(saved::key(id), "smtp-sim.edit.happy-path");
    assert_eq!(saved::on_open(id, None), Found::Nothing);
    let edited = edit::set(&happy(), "mx", Setting::Down(true)).unwrap();
    let text = saved::encode(&edited);
    assert_eq!(saved::on_open(id, Some(&text)), Found::Restore(Box::new(edited.clone())));
    // The same as the built-in: nothing to restore, the key goes.
    assert_eq!(saved::on_open(id, Some(&saved::encode(&happy()))), Found::Discard(None));
    // Another scenario's edits, damaged text, a newer version, garbage: a notice, never a panic.
    let other = saved::encode(&scenario::builtin("null-mx").unwrap());
    for bad in [other.as_str(), &text[..text.len() / 2], "v9.AAAA", "not a link", "", "v1.", "v1.!!!!"] {
        match saved::on_open(id, Some(bad)) {
            Found::Discard(Some(n)) => assert!(n.starts_with("Saved edits to this scenario could not be read"), "{bad:?}: {n}"),
            other => panic!("{bad:?} gave {other:?}"),
        }
    }

    let mut p = Player::builtin(id);
    assert_eq!(saved::after_change(&p), Write::Remove { key: saved::key(id) });
    p.apply(Intent::RestoreSaved(Box::new(edited.clone())));
    assert!(p.is_edited());
    assert_eq!(p.notice.as_deref(), Some(saved::RESTORED));
    assert_eq!(saved::after_change(&p), Write::Store { key: saved::key(id), value: text });
    let opened = p.opened;
    p.apply(Intent::Load("null-mx".into()));
    assert_eq!(p.opened, opened + 1, "opening a scenario is counted");
    assert!(!p.is_edited());
    p.apply(Intent::Notify("x".into()));
    assert_eq!(p.notice.as_deref(), Some("x"));
}

/// One random edit, built from arbitrary text and numbers.
#[derive(Clone, Debug)]
enum Op {
    Set(usize, u8, bool, u64, String),
    AddMailbox(usize, String),
    RemoveMailbox(usize, usize),
    AddRecord(u8, String, String, String),
    UpdateRecord(usize, u8, String, String, String),
    RemoveRecord(usize),
    Compose(String, String, String, Vec<u8>, String),
    RemoveMessage(usize),
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        ".{0,30}",
        "[a-z]{1,6}@example\\.(org|com)",
        "[a-z]{1,8}(\\.[a-z]{1,8}){0,2}",
        "[0-9]{1,3}(\\.[0-9]{1,3}){3}",
        Just(".".to_string()),
        Just("<img src=x onerror=alert(1)>".to_string()),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0..8usize, 0..16u8, any::<bool>(), any::<u64>(), text()).prop_map(|(n, k, b, v, t)| Op::Set(n, k, b, v, t)),
        (0..8usize, text()).prop_map(|(n, t)| Op::AddMailbox(n, t)),
        (0..8usize, 0..4usize).prop_map(|(n, i)| Op::RemoveMailbox(n, i)),
        (0..6u8, text(), text(), "[0-9]{0,6}|.{0,3}").prop_map(|(k, a, b, c)| Op::AddRecord(k, a, b, c)),
        (0..10usize, 0..6u8, text(), text(), "[0-9]{0,6}").prop_map(|(i, k, a, b, c)| Op::UpdateRecord(i, k, a, b, c)),
        (0..10usize).prop_map(Op::RemoveRecord),
        (text(), text(), ".{0,20}", proptest::collection::vec(any::<u8>(), 0..64), ".{0,12}")
            .prop_map(|(f, t, s, b, n)| Op::Compose(f, t, s, b, n)),
        (0..4usize).prop_map(Op::RemoveMessage),
    ]
}

fn setting(kind: u8, flag: bool, n: u64, t: &str, s: &Scenario, node: usize) -> Setting {
    let mailbox = s.nodes.get(node).and_then(|n| n.mailboxes.first().cloned()).unwrap_or_else(|| t.to_string());
    match kind {
        0 => Setting::Down(flag),
        1 => Setting::DownUntil(flag.then_some(Span(n % (9 * 86_400_000)))),
        2 => Setting::Unreachable(flag),
        3 => Setting::ShuttingDown(flag),
        4 => Setting::Full { mailbox, kind: [None, Some(Fullness::Temporary), Some(Fullness::Permanent)][(n % 3) as usize] },
        5 => Setting::Greylist(flag.then_some(Span(n % (9 * 86_400_000)))),
        6 => Setting::SizeLimit(n % 2_000_000_000),
        7 => Setting::Starttls(flag),
        8 => Setting::RequireTls(flag),
        9 => Setting::SubmissionRequiresAuth(flag),
        10 => Setting::OpenRelay(flag),
        11 => Setting::Spf(flag),
        12 => Setting::Pipelining(flag),
        13 => Setting::SubmitPort((n % 3000) as u16),
        _ => Setting::BlockedPort { port: [0, 25, 587, 465][(n % 4) as usize], blocked: flag },
    }
}

fn apply(s: &Scenario, op: &Op, at: Span) -> Option<Scenario> {
    let node = |i: usize| s.nodes.get(i % s.nodes.len().max(1)).map(|n| n.id.clone()).unwrap_or_default();
    let rtype = |k: u8| ["MX", "A", "AAAA", "TXT", "mx", "SRV"][(k % 6) as usize].to_string();
    match op {
        Op::Set(n, k, b, v, t) => edit::set(s, &node(*n), setting(*k, *b, *v, t, s, *n % s.nodes.len().max(1))).ok(),
        Op::AddMailbox(n, t) => edit::add_mailbox(s, &node(*n), t).ok(),
        Op::RemoveMailbox(n, i) => {
            let id = node(*n);
            let m = s.node(&id).and_then(|x| x.mailboxes.get(*i).cloned()).unwrap_or_default();
            edit::remove_mailbox(s, &id, &m).ok()
        }
        Op::AddRecord(k, a, b, c) => {
            edit::add_record(s, &RecordInput { rtype: rtype(*k), name: a.clone(), value: b.clone(), preference: c.clone() }).ok()
        }
        Op::UpdateRecord(i, k, a, b, c) => {
            let all = edit::records(&s.dns);
            let at = all.get(*i % all.len().max(1))?.0;
            edit::update_record(s, at, &RecordInput { rtype: rtype(*k), name: a.clone(), value: b.clone(), preference: c.clone() }).ok()
        }
        Op::RemoveRecord(i) => {
            let all = edit::records(&s.dns);
            edit::remove_record(s, all.get(*i % all.len().max(1))?.0).ok()
        }
        Op::Compose(f, t, subj, bytes, name) => {
            let mut d = edit::draft_for(s);
            if !f.is_empty() {
                d.from = f.clone();
            }
            d.to = format!("{}, {t}", d.to);
            d.subject = subj.clone();
            d.attachments = vec![FileInput { name: name.clone(), content_type: t.clone(), bytes: bytes.clone() }];
            edit::compose(s, &d, at).ok()
        }
        Op::RemoveMessage(i) => edit::remove_message(s, *i).ok(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Random edits on random built-ins never panic, every accepted edit validates, and the
    /// world still runs on it, through the player as the page does.
    #[test]
    fn random_edits_never_panic_and_the_world_runs(which in 0..scenario::BUILTIN.len(), ops in proptest::collection::vec(op(), 1..6)) {
        let id = scenario::BUILTIN[which].0;
        let mut p = Player::builtin(id);
        for op in &ops {
            if let Some(next) = apply(&p.scenario, op, edit::send_time(&p.trace)) {
                prop_assert!(next.validate().is_ok(), "{op:?} produced {:?}", next.validate());
                p.apply(Intent::Edit(Box::new(next.clone())));
                prop_assert_eq!(&*p.scenario, &next);
                prop_assert!(p.step <= p.last());
                prop_assert_eq!(world::run(&next).events.len(), p.len());
                // What is saved is restored exactly.
                prop_assert_eq!(saved::on_open(id, Some(&saved::encode(&next))), if p.is_edited() { Found::Restore(Box::new(next)) } else { Found::Discard(None) });
            }
        }
    }

    /// Whatever storage holds, opening a scenario decides without panicking.
    #[test]
    fn any_stored_text_is_handled(text in ".{0,200}", prefix in prop_oneof![Just(""), Just("v1."), Just("v1.AQ")]) {
        let stored = format!("{prefix}{text}");
        let _ = saved::on_open("happy-path", Some(&stored));
    }
}

/// Removing a mailbox takes what names it along (`full`, `full_names`), so the edited scenario
/// still validates (found by `random_edits_never_panic_and_the_world_runs` on rfc5321-d4, whose
/// VRFY answers name Fred's mailbox).
#[test]
fn removing_a_mailbox_takes_its_full_name_along() {
    let s = scenario::builtin("rfc5321-d4").unwrap();
    let (node, mailbox) = s
        .nodes
        .iter()
        .find_map(|n| n.full_names.first().map(|f| (n.id.clone(), f.mailbox.clone())))
        .expect("rfc5321-d4 names a mailbox's owner");
    let out = edit::remove_mailbox(&s, &node, &mailbox).unwrap();
    assert!(out.node(&node).unwrap().full_names.iter().all(|f| f.mailbox != mailbox));
    assert_eq!(out.validate(), Ok(()));
}
