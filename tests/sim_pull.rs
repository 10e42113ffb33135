//! The pull half of the simulated world (`sim/world/pull.rs`): mail programs that read with POP3
//! (RFC 1939) and IMAP (RFC 9051). What the built-ins show is checked through the trace's typed
//! facts (catalogue keys, the command answered, states), never by parsing labels; `[[pull]]`
//! problems come back located; hostile values never panic.

use smtp_sim::imap::command::Verb as ImapVerb;
use smtp_sim::pop3::command::Verb as Pop3Verb;
use smtp_sim::sim::clock::Span;
use smtp_sim::sim::scenario::{builtin, PullProtocol, PullSpec, Scenario};
use smtp_sim::sim::trace::{Event, Facts, Kind, Layer, Protocol, Trace};
use smtp_sim::sim::world;
use smtp_sim::smtp::reply::ReplyClass;

fn run(id: &str) -> Trace {
    world::run(&builtin(id).unwrap_or_else(|| panic!("{id} is a built-in")))
}

fn key(e: &Event) -> Option<&'static str> {
    e.facts.as_ref().and_then(Facts::key)
}

/// The POP3 responses (catalogue key, the command answered) a node received, in order.
fn pop3_replies<'t>(t: &'t Trace, to: &'t str) -> impl Iterator<Item = (&'static str, Option<Pop3Verb>, &'t Event)> + 't {
    t.events.iter().filter(move |e| e.to.as_deref() == Some(to)).filter_map(|e| match &e.facts {
        Some(Facts::Pop3Reply(r)) => Some((r.key.key, r.answers, e)),
        _ => None,
    })
}

fn pop3_commands<'t>(t: &'t Trace, from: &'t str) -> Vec<(Pop3Verb, &'t Event)> {
    t.events
        .iter()
        .filter(|e| e.from == from)
        .filter_map(|e| match &e.facts {
            Some(Facts::Pop3Command { verb }) => Some((*verb, e)),
            _ => None,
        })
        .collect()
}

fn imap_commands<'t>(t: &'t Trace, from: &'t str) -> Vec<(Option<String>, ImapVerb, &'t Event)> {
    t.events
        .iter()
        .filter(|e| e.from == from)
        .filter_map(|e| match &e.facts {
            Some(Facts::ImapCommand { tag, verb }) => Some((tag.clone(), *verb, e)),
            _ => None,
        })
        .collect()
}

#[test]
fn pop3_dele_removes_only_at_update_and_the_next_session_finds_nothing() {
    let t = run("pop3-download-delete");
    assert_eq!(t.mailboxes.len(), 1);
    let m = &t.mailboxes[0];
    let removed = m.removed.expect("the downloaded message is removed");
    let update = &t.events[removed];
    assert_eq!((update.kind, update.layer, update.from.as_str()), (Kind::Removed, Layer::Mailbox, "mx"));
    // RFC 1939 §6: not at DELE, but after QUIT.
    let cmds = pop3_commands(&t, "laptop");
    let dele = cmds.iter().find(|(v, _)| *v == Pop3Verb::Dele).expect("DELE sent").1.seq;
    let quit = cmds.iter().find(|(v, _)| *v == Pop3Verb::Quit).expect("QUIT sent").1.seq;
    assert!(dele < quit && quit < removed, "DELE {dele}, QUIT {quit}, removal {removed}");
    assert!(m.seen.is_some_and(|s| s < dele), "RETR set \\Seen before DELE");
    // The second check: STAT answers 0 messages.
    let stats: Vec<&Event> =
        pop3_replies(&t, "laptop").filter(|(k, v, _)| *k == "stat" && *v == Some(Pop3Verb::Stat)).map(|x| x.2).collect();
    assert_eq!(stats.len(), 2);
    assert!(stats[1].raw.as_deref().is_some_and(|r| r.starts_with("+OK 0 0\r\n")), "{:?}", stats[1].raw);
    assert!(stats[1].seq > removed);
    // Every POP3 event is on one of the laptop's two connections, with its states.
    let pulls: Vec<&Event> = t.events.iter().filter(|e| e.layer == Layer::Pop3).collect();
    assert!(pulls.iter().all(|e| e.conn.is_some() && e.facts.as_ref().and_then(Facts::protocol) == Some(Protocol::Pop3)));
    let quit_ok = pop3_replies(&t, "laptop").find(|(_, v, _)| *v == Some(Pop3Verb::Quit)).expect("QUIT answered").2;
    // QUIT in TRANSACTION enters UPDATE; the +OK is sent from there (RFC 1939 §6).
    assert_eq!(quit_ok.facts.as_ref().and_then(Facts::pull_states), Some(("UPDATE", "closed")));
}

#[test]
fn connections_are_numbered_in_the_order_they_open() {
    let t = run("pop3-download-delete");
    let opened: Vec<u32> = t.events.iter().filter(|e| e.kind == Kind::Connect).filter_map(|e| e.conn).collect();
    assert_eq!(opened, (0..opened.len() as u32).collect::<Vec<_>>());
    // SMTP-only scenarios keep their numbers (their snapshots did not change).
    let h = run("happy-path");
    let opened: Vec<u32> = h.events.iter().filter(|e| e.kind == Kind::Connect).filter_map(|e| e.conn).collect();
    assert_eq!(opened, vec![0, 1]);
}

#[test]
fn leave_on_server_downloads_each_uidl_id_once_and_deletes_nothing() {
    let t = run("pop3-leave-on-server");
    assert!(t.mailboxes.iter().all(|m| m.removed.is_none()), "nothing is removed");
    let cmds = pop3_commands(&t, "laptop");
    assert!(!cmds.iter().any(|(v, _)| *v == Pop3Verb::Dele));
    let uidl = cmds.iter().filter(|(v, _)| *v == Pop3Verb::Uidl).count();
    assert_eq!(uidl, 2, "UIDL in each session");
    let retr: Vec<&str> = cmds.iter().filter(|(v, _)| *v == Pop3Verb::Retr).map(|(_, e)| e.label.as_str()).collect();
    assert_eq!(retr, ["RETR 1", "RETR 2"], "the second session skips the message it has");
    assert_eq!(t.events.iter().filter(|e| e.kind == Kind::Retrieved).count(), 2);
}

#[test]
fn a_pop3_laptop_empties_the_mailbox_so_the_imap_phone_finds_nothing() {
    let t = run("laptop-pop3-phone-imap");
    let removed = t.mailboxes[0].removed.expect("the laptop's QUIT removed the message");
    let exists: Vec<&Event> = t.events.iter().filter(|e| e.to.as_deref() == Some("phone") && key(e) == Some("data.exists")).collect();
    assert_eq!(exists.len(), 1);
    assert!(exists[0].seq > removed);
    assert_eq!(exists[0].raw.as_deref(), Some("* 0 EXISTS\r\n"));
    assert!(!t.events.iter().any(|e| e.from == "phone" && e.kind == Kind::Retrieved), "the phone fetched nothing");
}

#[test]
fn two_imap_devices_share_the_seen_flag() {
    let t = run("imap-two-devices");
    assert!(t.mailboxes.iter().all(|m| m.removed.is_none()), "IMAP keeps the mail on the server");
    let first = &t.mailboxes[0];
    let seen = first.seen.expect("the phone marked message 1 \\Seen");
    // The \Seen comes with the phone's STORE being answered.
    match &t.events[seen].facts {
        Some(Facts::ImapResponse(r)) => {
            assert_eq!((r.answers, r.key.key, t.events[seen].to.as_deref()), (Some(ImapVerb::Store), "ok.completed", Some("phone")))
        }
        other => panic!("seen at {seen}: {other:?}"),
    }
    // The laptop's search finds only the second message (UID 2).
    let search = t.events.iter().find(|e| e.to.as_deref() == Some("laptop") && key(e) == Some("data.search")).expect("the laptop searched");
    assert_eq!(search.raw.as_deref(), Some("* SEARCH 2\r\n"));
    assert_eq!(t.mailboxes[1].uid, Some(2));
    assert!(t.mailboxes[1].seen.is_some(), "the laptop read message 2");
    let phone: Vec<ImapVerb> = imap_commands(&t, "phone").iter().filter(|(tag, _, _)| tag.is_some()).map(|(_, v, _)| *v).collect();
    assert_eq!(
        phone,
        [ImapVerb::Login, ImapVerb::Select, ImapVerb::Search, ImapVerb::Fetch, ImapVerb::Fetch, ImapVerb::Store, ImapVerb::Logout]
    );
}

#[test]
fn a_wrong_password_gets_err_auth_and_leaves_the_mail_alone() {
    let t = run("pop3-wrong-password");
    let (_, answers, e) = pop3_replies(&t, "laptop").find(|(k, _, _)| *k == "login.failed").expect("PASS refused");
    assert_eq!(answers, Some(Pop3Verb::Pass));
    let f = e.facts.as_ref().unwrap();
    // RFC 3206 §5: [AUTH], permanent for these credentials.
    assert_eq!(f.status().as_deref(), Some("-ERR [AUTH]"));
    assert_eq!(f.class(), Some(ReplyClass::Permanent));
    assert_eq!(f.pull_states(), Some(("AUTHORIZATION", "AUTHORIZATION")));
    let failed_at = e.seq;
    assert!(t.events.iter().any(|n| n.from == "laptop" && n.kind == Kind::UserNotice && n.seq > failed_at), "the user is told");
    let m = &t.mailboxes[0];
    assert_eq!((m.seen, m.removed), (None, None));
    assert!(!pop3_commands(&t, "laptop").iter().any(|(v, _)| matches!(v, Pop3Verb::Retr | Pop3Verb::Dele | Pop3Verb::Stat)));
}

#[test]
fn idle_hears_of_new_mail_at_delivery() {
    let t = run("imap-idle");
    let delivered = t.events.iter().find(|e| e.kind == Kind::Delivered).expect("delivered");
    let idle = imap_commands(&t, "phone").into_iter().find(|(tag, v, _)| tag.is_some() && *v == ImapVerb::Idle).expect("IDLE sent").2.seq;
    assert!(idle < delivered.seq);
    // RFC 2177: the server pushes EXISTS at once, during IDLE.
    let pushed = t.events[delivered.seq..]
        .iter()
        .find(|e| e.to.as_deref() == Some("phone") && key(e) == Some("data.exists"))
        .expect("EXISTS pushed");
    assert_eq!((pushed.time, pushed.raw.as_deref()), (delivered.time, Some("* 1 EXISTS\r\n")));
    let done = imap_commands(&t, "phone").into_iter().find(|(tag, _, _)| tag.is_none()).expect("DONE sent").2;
    assert_eq!(done.raw.as_deref(), Some("DONE\r\n"));
    assert_eq!(done.facts.as_ref().unwrap().entry().rfc, "RFC 2177 §3");
    assert!(done.seq > pushed.seq);
    assert!(t.events.iter().any(|e| e.from == "phone" && e.kind == Kind::Retrieved && e.seq > done.seq));
}

#[test]
fn logindisabled_makes_the_phone_start_tls_before_login() {
    let t = run("imap-logindisabled-starttls");
    let cmds: Vec<ImapVerb> = imap_commands(&t, "phone").iter().map(|(_, v, _)| *v).collect();
    assert_eq!(&cmds[..2], [ImapVerb::StartTls, ImapVerb::Login]);
    let tls = t.events.iter().position(|e| e.kind == Kind::TlsHandshake && e.from == "phone").expect("TLS handshake");
    let login = imap_commands(&t, "phone").into_iter().find(|(_, v, _)| *v == ImapVerb::Login).unwrap().2.seq;
    assert!(tls < login);
}

#[test]
fn the_phone_fetches_the_structure_then_only_the_attachment() {
    let t = run("whole-journey-imap-attachment");
    let fetches: Vec<String> = imap_commands(&t, "phone")
        .iter()
        .filter(|(tag, v, _)| tag.is_some() && *v == ImapVerb::Fetch)
        .map(|(_, _, e)| e.raw.clone().unwrap_or_default())
        .collect();
    assert_eq!(fetches.len(), 2);
    assert!(fetches[0].ends_with("UID FETCH 1 BODYSTRUCTURE\r\n"), "{}", fetches[0]);
    assert!(fetches[1].ends_with("UID FETCH 1 BODY.PEEK[2]\r\n"), "{}", fetches[1]);
    let got = t.events.iter().find(|e| e.kind == Kind::Retrieved).expect("fetched");
    let whole = t.mailboxes[0].raw.len();
    // The part is its base64 text only, much less than the whole message.
    let octets: usize = got.label.rsplit('(').next().and_then(|s| s.split(' ').next()).and_then(|n| n.parse().ok()).unwrap();
    assert!(octets > 0 && octets * 3 < whole, "{octets} of {whole}");
}

#[test]
fn two_pop3_sessions_at_once_find_the_maildrop_locked() {
    let mut sc = builtin("pop3-download-delete").unwrap();
    let mut other = sc.node("laptop").unwrap().clone();
    other.id = "desktop".into();
    other.address = "203.0.113.9".into();
    sc.nodes.push(other);
    let mut p = sc.pulls[0].clone();
    p.client = "desktop".into();
    p.at = vec![Span::mins(2)];
    sc.pulls.push(p);
    sc.validate().expect("valid");
    let t = world::run(&sc);
    // RFC 1939 §8: one session per maildrop; the other gets -ERR [IN-USE].
    let in_use = pop3_replies(&t, "desktop").find(|(k, _, _)| *k == "login.in_use").expect("the second session is refused");
    assert_eq!(in_use.2.facts.as_ref().and_then(Facts::class), Some(ReplyClass::Transient));
    assert_eq!(t.mailboxes[0].removed.map(|r| t.events[r].kind), Some(Kind::Removed));
}

#[test]
fn pull_runs_are_deterministic() {
    for id in ["pop3-download-delete", "imap-two-devices", "imap-idle"] {
        assert_eq!(run(id), run(id), "{id}");
    }
}

#[test]
fn needs_studio_is_false_where_pull_is_built_in() {
    const { assert!(world::PULL, "native builds have the pull feature") };
    assert!(!world::needs_studio(&builtin("imap-two-devices").unwrap()));
}

const BASE: &str = r#"
id = "t"
title = "T"
goal = "G"

[[node]]
id = "mx"
kind = "server"
host = "mx.example.org"
address = "192.0.2.2"
ports = [25, 110]
domains = ["example.org"]
mailboxes = ["bob@example.org"]
accounts = [{ user = "bob", password = "pw" }]

[[node]]
id = "phone"
kind = "client"
host = "phone.example.org"
address = "192.0.2.3"

[[pull]]
client = "phone"
server = "mx"
protocol = "pop3"
user = "bob"
password = "pw"
at = ["1m"]
"#;

fn errors(src: &str) -> Vec<String> {
    Scenario::from_toml(src).expect_err("should be refused").iter().map(|e| e.to_string()).collect()
}

#[test]
fn the_base_pull_scenario_is_valid_and_pulls() {
    let sc = Scenario::from_toml(BASE).expect("valid");
    assert_eq!(sc.pulls[0].protocol, PullProtocol::Pop3);
    let t = world::run(&sc);
    assert!(pop3_replies(&t, "phone").any(|(k, _, _)| k == "quit.update"));
}

#[test]
fn pull_problems_are_located() {
    let cases: &[(&str, &str, &str, &str)] = &[
        ("server = \"mx\"", "server = \"nope\"", "pull[0].server", "no node has id \"nope\""),
        ("protocol = \"pop3\"", "protocol = \"imap\"", "pull[0].protocol", "does not serve IMAP: add 143"),
        ("user = \"bob\"\npassword", "user = \"carol\"\npassword", "pull[0].user", "names no mailbox of node \"mx\""),
        ("client = \"phone\"\nserver", "client = \"mx\"\nserver", "pull[0].client", "is a server"),
        ("at = [\"1m\"]", "at = []", "pull[0].at", "at least one time"),
        ("at = [\"1m\"]", "at = [\"1m\", \"70d\"]", "pull[0].at[1]", "after the end of every run"),
        ("at = [\"1m\"]", "at = [\"1m\"]\nidle = \"5m\"", "pull[0].idle", "is for IMAP"),
        ("password = \"pw\"\nat", "password = \"a b\"\nat", "pull[0].password", "without spaces"),
    ];
    for (from, to, path, words) in cases {
        let src = BASE.replacen(from, to, 1);
        assert_ne!(src, BASE, "{from}");
        let e = errors(&src);
        assert!(e.iter().any(|e| e.contains(path) && e.contains(words) && e.starts_with("line ")), "{to}: {e:?}");
    }
    let e = errors(&BASE.replace("leave_on_server", "x").replace("at = [\"1m\"]", "at = [\"1m\"]\nkeep = true"));
    assert!(e[0].contains("pull[0]") && e[0].contains("keep"), "{e:?}");
}

#[test]
fn hostile_pull_values_never_panic() {
    let sc = Scenario::from_toml(BASE).unwrap();
    let hostile = ["", " ", "\r\nQUIT", "bob\r\nDELE 1", "😀", &"x".repeat(10_000), "bob@", "@example.org", "BOB@EXAMPLE.ORG"];
    for user in hostile {
        for password in hostile {
            let mut s = sc.clone();
            s.pulls[0] = PullSpec { user: user.to_string(), password: password.to_string(), ..s.pulls[0].clone() };
            // The validator refuses what cannot go on the wire; the world copes with the rest.
            let _ = s.validate();
            let t = world::run(&s);
            assert!(!t.events.is_empty());
        }
    }
    let mut s = sc;
    s.pulls[0].at = vec![Span(0), Span(u64::MAX / 2), Span(0)];
    let _ = world::run(&s);
}

#[test]
fn pull_arrows_are_marked_in_the_layout_and_the_svg_in_words() {
    use smtp_sim::diagram::{layout, to_svg, Item, LayoutOptions, SvgOptions, PULL_TAG};
    let t = run("laptop-pop3-phone-imap");
    let d = layout(&t, &LayoutOptions::default());
    let mut pulls = 0;
    for r in &d.rows {
        if let Item::Arrow(a) = &r.item {
            let e = &t.events[r.seq];
            assert_eq!(a.pulls(), matches!(e.layer, Layer::Pop3 | Layer::Imap), "row {}", r.seq);
            pulls += usize::from(a.pulls());
        }
    }
    assert!(pulls > 20, "{pulls} pull arrows");
    let svg = to_svg(&t, &d, &SvgOptions::default());
    assert!(svg.contains(&format!("<tspan class=\"ptag\"> {PULL_TAG}</tspan>")), "each pull arrow says so in words");
    assert!(svg.contains(" pull "), "and carries the class");
    // An SMTP-only scenario has no pull arrow.
    let h = run("happy-path");
    let d = layout(&h, &LayoutOptions::default());
    assert!(d.rows.iter().all(|r| !matches!(&r.item, Item::Arrow(a) if a.pulls())));
}

#[test]
fn the_inspector_says_protocol_answer_and_states_of_a_pull_line() {
    use smtp_sim::player::explain::{explanation, pull_facts};
    let t = run("pop3-wrong-password");
    let e = t.events.iter().find(|e| key(e) == Some("login.failed")).unwrap();
    let p = pull_facts(e).expect("a POP3 line");
    assert!(p.protocol.starts_with("POP3 — pull"), "{}", p.protocol);
    assert_eq!(p.answers, Some("PASS"));
    assert_eq!(p.states.as_deref(), Some("AUTHORIZATION (unchanged)"));
    let x = explanation(e);
    assert_eq!(x.rfc, Some(smtp_sim::pop3::catalogue::response_spec("login.failed").unwrap().rfc));
    let cmd = t.events.iter().find(|e| matches!(e.facts, Some(Facts::Pop3Command { verb: Pop3Verb::Pass }))).unwrap();
    assert_eq!(pull_facts(cmd).map(|p| p.answers), Some(None));
    assert!(explanation(cmd).title.is_some_and(|t| t.starts_with("PASS")));
    let smtp = t.events.iter().find(|e| matches!(e.facts, Some(Facts::SmtpReply(_)))).unwrap();
    assert_eq!(pull_facts(smtp), None);
}

#[test]
fn mailboxes_show_uid_and_seen_at_the_step() {
    use smtp_sim::player::nodes;
    use smtp_sim::player::view::View;
    let t = run("imap-two-devices");
    let seen = t.mailboxes[0].seen.unwrap();
    let before = nodes::mailboxes(&t, &View::at(&t, seen - 1));
    let after = nodes::mailboxes(&t, &View::at(&t, seen));
    assert_eq!(before[0].messages[0].flags().as_deref(), Some("UID 1, unread"));
    assert_eq!(after[0].messages[0].flags().as_deref(), Some("UID 1, \\Seen"));
    // A node nobody reads with POP3 or IMAP has no UIDs to show.
    let h = run("happy-path");
    let v = View::at(&h, h.events.len() - 1);
    assert!(nodes::mailboxes(&h, &v).iter().flat_map(|m| &m.messages).all(|m| m.flags().is_none()));
}

#[test]
fn the_editor_keeps_a_mailbox_that_a_mail_program_reads() {
    use smtp_sim::player::edit;
    let sc = builtin("pop3-download-delete").unwrap();
    let e = edit::remove_mailbox(&sc, "mx", "bob@example.org").expect_err("the laptop reads it");
    assert!(e.message.contains("Bob's laptop (POP3) reads “bob@example.org”"), "{}", e.message);
    assert_eq!(e.field, edit::node_field("mx", "mailboxes"));
    // Without the mail program the mailbox can go.
    let mut free = sc.clone();
    free.pulls.clear();
    let out = edit::remove_mailbox(&free, "mx", "bob@example.org").expect("no one reads it");
    assert!(out.validate().is_ok());
}

mod random_schedules {
    use super::*;
    use proptest::prelude::*;

    /// imap-two-devices with its two mail programs given random protocols, times and options.
    fn scenario(plan: &[(bool, Vec<u64>, bool, Option<u64>)]) -> Scenario {
        let mut sc = builtin("imap-two-devices").unwrap();
        sc.nodes.iter_mut().find(|n| n.id == "mx").unwrap().ports = vec![25, 110, 143];
        for (p, (pop3, at, leave, idle)) in sc.pulls.iter_mut().zip(plan) {
            p.protocol = if *pop3 { PullProtocol::Pop3 } else { PullProtocol::Imap };
            p.at = at.iter().map(|s| Span::secs(*s)).collect();
            p.leave_on_server = *pop3 && *leave;
            p.idle = if *pop3 { None } else { idle.map(Span::secs) };
        }
        sc
    }

    fn plan() -> impl Strategy<Value = (bool, Vec<u64>, bool, Option<u64>)> {
        (any::<bool>(), proptest::collection::vec(0u64..900, 1..4), any::<bool>(), proptest::option::of(1u64..600))
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

        /// Whatever the schedule: valid, deterministic, every removal names its `removed` event
        /// after the delivery and comes from POP3, \Seen never precedes delivery, and
        /// connections are numbered in the order they open.
        #[test]
        fn any_schedule_runs_deterministically_with_consistent_mailboxes(a in plan(), b in plan()) {
            let sc = scenario(&[a, b]);
            prop_assert!(sc.validate().is_ok(), "{:?}", sc.validate());
            let t = world::run(&sc);
            prop_assert_eq!(&t, &world::run(&sc));
            let pop3 = sc.pulls.iter().any(|p| p.protocol == PullProtocol::Pop3 && !p.leave_on_server);
            for m in &t.mailboxes {
                if let Some(r) = m.removed {
                    prop_assert!(pop3, "only a downloading POP3 program removes mail");
                    prop_assert_eq!(t.events[r].kind, Kind::Removed);
                    prop_assert!(r > m.seq);
                }
                if let Some(s) = m.seen {
                    prop_assert!(s > m.seq);
                }
            }
            let opened: Vec<u32> = t.events.iter().filter(|e| e.kind == Kind::Connect).filter_map(|e| e.conn).collect();
            prop_assert_eq!(opened, (0..t.events.iter().filter(|e| e.kind == Kind::Connect).count() as u32).collect::<Vec<_>>());
        }
    }
}

#[test]
fn the_smtp_console_offers_only_smtp_ports() {
    use smtp_sim::player::console::targets;
    use smtp_sim::sim::console::Console;
    let sc = builtin("laptop-pop3-phone-imap").unwrap();
    let mx = targets(&sc).into_iter().find(|t| t.node == "mx").expect("the MX is a target");
    assert_eq!(mx.ports, [25], "110 and 143 are POP3 and IMAP");
    let Err(e) = Console::new(&sc, "mx", 110) else { panic!("port 110 is refused") };
    assert!(e.contains("port 110 of node \"mx\" speaks POP3, not SMTP"), "{e}");
    assert!(Console::new(&sc, "mx", 25).is_ok());
}

#[test]
fn the_live_region_says_what_a_pull_response_answers() {
    use smtp_sim::player::view::View;
    let t = run("imap-idle");
    let said: Vec<String> = (0..t.events.len()).map(|s| View::at(&t, s).announcement).collect();
    assert!(said.iter().any(|a| a.contains("replies * OK as its greeting — done")), "the IMAP greeting");
    assert!(said.iter().any(|a| a.contains("replies * 1 EXISTS — how many messages")), "untagged data said as its line");
    assert!(said.iter().any(|a| a.contains("replies p4 OK to IDLE — done")), "a tagged response names its command");
    let t = run("pop3-download-delete");
    assert!((0..t.events.len()).any(|s| View::at(&t, s).announcement.contains("replies +OK to RETR — done")));
}

#[test]
fn a_server_that_mail_programs_read_says_so_in_its_role() {
    let t = run("laptop-pop3-phone-imap");
    let mx = t.nodes.iter().find(|n| n.id == "mx").unwrap();
    assert_eq!(mx.role.words(), "MX / mailbox server, POP3 and IMAP server");
    let json = serde_json::to_string(&run("happy-path").nodes).unwrap();
    assert!(!json.contains("pop3") && !json.contains("imap"), "SMTP-only roles are written as before: {json}");
}
