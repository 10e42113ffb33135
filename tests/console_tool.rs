//! The Console tool's model (`player::console`): the servers and ports offered, the addresses
//! worth connecting from, connect / new connection / disconnect, the input mode, shell-like
//! history, the transcript cap, and the helpers the view draws with.

use std::rc::Rc;

use smtp_sim::player::console::{
    example_inside, from_addresses, hint_label, targets, wire_lines, ConsoleTool, History, InputMode, Item, MAX_KEPT, MAX_LINE_CHARS,
};
use smtp_sim::sim::console::ConsoleEntry;
use smtp_sim::sim::scenario::{builtin, Scenario};
use smtp_sim::smtp::reply::ReplyClass;
use smtp_sim::smtp::state::State;

fn scenario(id: &str) -> Rc<Scenario> {
    Rc::new(builtin(id).unwrap_or_else(|| panic!("{id} is built in")))
}

fn entries(t: &ConsoleTool) -> Vec<&ConsoleEntry> {
    t.log()
        .iter()
        .filter_map(|(_, i)| match i {
            Item::Entry(e) => Some(e),
            Item::Note(_) => None,
        })
        .collect()
}

fn notes(t: &ConsoleTool) -> Vec<&str> {
    t.log()
        .iter()
        .filter_map(|(_, i)| match i {
            Item::Note(n) => Some(n.as_str()),
            Item::Entry(_) => None,
        })
        .collect()
}

fn last(t: &ConsoleTool) -> &ConsoleEntry {
    entries(t).last().expect("an entry")
}

#[test]
fn the_servers_of_the_scenario_with_their_ports() {
    let t = targets(&builtin("happy-path").unwrap());
    let ids: Vec<(&str, &[u16])> = t.iter().map(|t| (t.node.as_str(), t.ports.as_slice())).collect();
    assert_eq!(ids, [("relay", &[25, 587][..]), ("mx", &[25][..])]);
    assert_eq!(t[1].label(), "mx — example.org MX (mx.example.org)");
    // Every built-in has at least one server to talk to, and clients are never offered.
    for (id, _) in smtp_sim::sim::scenario::BUILTIN {
        let s = builtin(id).unwrap();
        let t = targets(&s);
        assert!(!t.is_empty(), "{id}");
        for target in &t {
            assert!(s.node(&target.node).is_some_and(|n| n.kind == smtp_sim::sim::scenario::NodeKind::Server), "{id}: {target:?}");
        }
    }
}

#[test]
fn addresses_to_connect_from_only_where_they_matter() {
    let happy = from_addresses(&builtin("happy-path").unwrap());
    assert_eq!(happy.len(), 1, "no relay network, no SPF: only the default: {happy:?}");
    assert_eq!(happy[0].address, "192.0.2.10");
    assert!(happy[0].why.contains("alice"));

    let relay = from_addresses(&builtin("relay-denied").unwrap());
    assert_eq!(relay[0].address, "203.0.113.77", "the stranger is the default: {relay:?}");
    let inside = relay.iter().find(|a| a.address == "192.0.2.50").expect("an address inside the trusted network");
    assert!(inside.why.contains("192.0.2.0/24") && inside.why.contains("relay"), "{inside:?}");

    let spf = from_addresses(&builtin("spf-spoof").unwrap());
    assert!(spf.len() > 1, "SPF looks at the client's address: {spf:?}");
    assert!(spf.iter().any(|a| a.address == "192.0.2.25"), "the address the SPF record allows: {spf:?}");
    let mut seen = std::collections::BTreeSet::new();
    assert!(spf.iter().all(|a| seen.insert(a.address.clone())), "no duplicates: {spf:?}");
}

#[test]
fn example_addresses_inside_networks() {
    assert_eq!(example_inside("192.0.2.0/24").as_deref(), Some("192.0.2.50"));
    assert_eq!(example_inside("10.1.2.3/8").as_deref(), Some("10.0.0.50"));
    assert_eq!(example_inside("192.0.2.8/30").as_deref(), Some("192.0.2.9"));
    assert_eq!(example_inside("192.0.2.7").as_deref(), Some("192.0.2.7"));
    assert_eq!(example_inside("2001:db8::/32").as_deref(), Some("2001:db8::32"));
    assert_eq!(example_inside("0.0.0.0/0").as_deref(), Some("0.0.0.50"));
    assert_eq!(example_inside("not a network"), None);
    assert_eq!(example_inside("192.0.2.0/33"), None);
}

#[test]
fn a_session_with_an_out_of_order_command_then_a_whole_message() {
    let mut t = ConsoleTool::new(scenario("happy-path"));
    assert_eq!(t.mode(), InputMode::Disconnected);
    assert!(t.hints().is_empty());
    // Sending before connecting says so and sends nothing.
    t.send("EHLO me.example");
    assert!(notes(&t)[0].contains("Not connected"), "{:?}", notes(&t));
    assert!(!t.is_connected());

    t.choose_node("mx");
    assert_eq!((t.node(), t.port()), ("mx", 25));
    t.connect();
    assert_eq!(t.mode(), InputMode::Command);
    assert_eq!(last(&t).code, Some(220));
    assert_eq!(t.connected_to(), Some(("mx", 25, "192.0.2.10")));

    t.send("MAIL FROM:<a@b.example>");
    let e = last(&t);
    assert_eq!(
        (e.code, e.class.map(ReplyClass::words), e.state_before, e.state_after),
        (Some(503), Some("failed"), State::Connected, State::Connected)
    );
    assert!(e.explanation.contains("EHLO") || e.explanation.contains("HELO"), "{}", e.explanation);

    for line in ["EHLO me.example", "MAIL FROM:<a@b.example>", "RCPT TO:<bob@example.org>", "DATA"] {
        t.send(line);
        assert!(last(&t).code.is_some_and(|c| c < 400), "{line}: {:?}", last(&t));
    }
    assert_eq!(t.mode(), InputMode::Message);
    assert!(t.mode().help().contains("only ."));
    assert_eq!(t.hints()[0].command, ".");
    t.send("Subject: hi");
    t.send("");
    t.send("Hello.");
    assert_eq!(t.mode(), InputMode::Message);
    t.send(".");
    let e = last(&t);
    assert_eq!((e.code, e.state_after), (Some(250), State::Ready));
    assert!(e.note.as_deref().unwrap().contains("mailbox of bob@example.org"));
    assert_eq!(t.mode(), InputMode::Command);
    // The history has the lines typed (not the empty one), newest last.
    assert_eq!(t.history().lines().last().map(String::as_str), Some("."));
    assert!(!t.history().lines().iter().any(String::is_empty));

    t.send("QUIT");
    assert_eq!(t.mode(), InputMode::Closed);
    assert!(t.hints().is_empty());
    t.new_connection();
    assert_eq!(t.mode(), InputMode::Command);
    assert_eq!(last(&t).code, Some(220));
    t.disconnect();
    assert_eq!(t.mode(), InputMode::Disconnected);
    assert!(notes(&t).last().unwrap().contains("without QUIT"));
    assert_eq!(t.state(), None);
}

#[test]
fn ports_and_addresses_are_chosen_among_what_exists() {
    let mut t = ConsoleTool::new(scenario("happy-path"));
    assert_eq!((t.node(), t.port()), ("relay", 25), "the first server, its first port");
    t.choose_port(587);
    assert_eq!(t.port(), 587);
    t.choose_port(2525);
    assert_eq!(t.port(), 587, "a port the node does not listen on is ignored");
    t.choose_node("mx");
    assert_eq!(t.port(), 25, "mx listens on 25 only");
    t.choose_node("alice");
    assert_eq!(t.node(), "mx", "a client is not a server");
    t.choose_node("<img src=x>");
    assert_eq!(t.node(), "mx");
    t.choose_address("6.6.6.6");
    assert_eq!(t.address(), "192.0.2.10", "only offered addresses");

    // On relay-denied, connecting from inside the trusted network changes the answer.
    let mut t = ConsoleTool::new(scenario("relay-denied"));
    let rcpt = |t: &mut ConsoleTool| {
        t.connect();
        for l in ["EHLO me.example", "MAIL FROM:<x@example.com>", "RCPT TO:<bob@example.org>"] {
            t.send(l);
        }
        last(t).code
    };
    assert_eq!(t.node(), "relay");
    assert_eq!(rcpt(&mut t), Some(550));
    t.choose_address("192.0.2.50");
    assert_eq!(rcpt(&mut t), Some(250));
    assert_eq!(t.connected_to().map(|c| c.2), Some("192.0.2.50"));
    assert!(notes(&t).iter().any(|n| n.contains("previous connection")), "connecting again closes the open one");
}

#[test]
fn a_scenario_change_is_a_new_console() {
    let s = scenario("happy-path");
    let t = ConsoleTool::new(s.clone());
    assert!(t.is_for(&s));
    assert!(!t.is_for(&scenario("happy-path")), "a reloaded (or edited) scenario is another value");
}

#[test]
fn greylisting_needs_time_and_a_new_connection() {
    let s = scenario("greylisting-retry");
    let mut t = ConsoleTool::new(s.clone());
    let node = s.nodes.iter().find(|n| n.greylist.is_some()).unwrap();
    t.choose_node(&node.id);
    assert_eq!(t.greylist_delay(), node.greylist);
    let try_once = |t: &mut ConsoleTool| {
        for l in ["EHLO me.example", "MAIL FROM:<alice@example.com>"] {
            t.send(l);
        }
        t.send(&format!("RCPT TO:<{}>", node.mailboxes[0]));
        last(t).code
    };
    t.connect();
    assert_eq!(try_once(&mut t), Some(451));
    t.wait(node.greylist.unwrap().0);
    assert!(notes(&t).last().unwrap().contains("new connection"));
    t.new_connection();
    assert_eq!(try_once(&mut t), Some(250), "the greylist remembers the first try across connections");
    assert_eq!(ConsoleTool::new(scenario("happy-path")).greylist_delay(), None);
}

#[test]
fn history_walks_like_a_shell() {
    let mut h = History::default();
    assert_eq!(h.up("typed"), None, "nothing to recall");
    assert_eq!(h.down(), None);
    for l in ["EHLO a", "MAIL FROM:<a@b>", "MAIL FROM:<a@b>", "", "RCPT TO:<c@d>"] {
        h.push(l);
    }
    assert_eq!(h.lines(), ["EHLO a", "MAIL FROM:<a@b>", "RCPT TO:<c@d>"], "no empty line, no repeat in a row");
    assert_eq!(h.up("half typ").as_deref(), Some("RCPT TO:<c@d>"));
    assert_eq!(h.up("ignored").as_deref(), Some("MAIL FROM:<a@b>"));
    assert_eq!(h.up("").as_deref(), Some("EHLO a"));
    assert_eq!(h.up("").as_deref(), None, "the oldest line stays");
    assert_eq!(h.cursor(), Some(0));
    assert_eq!(h.down().as_deref(), Some("MAIL FROM:<a@b>"));
    assert_eq!(h.down().as_deref(), Some("RCPT TO:<c@d>"));
    assert_eq!(h.down().as_deref(), Some("half typ"), "past the newest: the draft comes back");
    assert_eq!(h.down(), None);
    h.up("x");
    h.stop();
    assert_eq!(h.cursor(), None);
    assert_eq!(h.up("y").as_deref(), Some("RCPT TO:<c@d>"), "Escape restarts from the newest");
    h.push("QUIT");
    assert_eq!(h.cursor(), None, "sending stops the walk");
    for i in 0..History::MAX + 10 {
        h.push(&format!("NOOP {i}"));
    }
    assert_eq!(h.lines().len(), History::MAX);
    assert_eq!(h.lines().last().unwrap(), &format!("NOOP {}", History::MAX + 9));
}

#[test]
fn hostile_lines_stay_text_and_get_the_real_answer() {
    let mut t = ConsoleTool::new(scenario("happy-path"));
    t.choose_node("mx");
    t.connect();
    t.send(&"x".repeat(10 * 1024));
    let e = last(&t).clone();
    assert_eq!(e.code, Some(500));
    let lines = wire_lines(e.sent.as_deref().unwrap());
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0].text.chars().count(), MAX_LINE_CHARS, "a long line is cut for drawing");
    assert_eq!(lines[0].cut, 10 * 1024 - MAX_LINE_CHARS, "and says how much was cut");
    assert!(lines[0].crlf);
    t.send("EHLO <img src=x onerror=alert(1)>");
    assert_eq!(wire_lines(last(&t).sent.as_deref().unwrap())[0].text, "EHLO <img src=x onerror=alert(1)>");
    t.send("NOOP \u{1b}[31m\u{7}");
    assert_eq!(wire_lines(last(&t).sent.as_deref().unwrap())[0].text, "NOOP ␛[31m␇");
    t.send("NOOP 😀 é");
    assert!(last(&t).code.is_some());
}

#[test]
fn the_transcript_is_capped() {
    let mut t = ConsoleTool::new(scenario("happy-path"));
    t.choose_node("mx");
    t.connect();
    t.send("EHLO me.example");
    for _ in 0..MAX_KEPT {
        t.send("NOOP");
    }
    assert_eq!(t.log().len(), MAX_KEPT);
    let (shown, hidden) = t.recent(100);
    assert_eq!(shown.len(), 100);
    assert_eq!(hidden, (MAX_KEPT + 2 - 100) as u64, "every item ever logged before the shown ones is counted");
    assert_eq!(shown.last().map(|(k, _)| *k), Some((MAX_KEPT + 1) as u64));
    t.clear();
    assert_eq!(t.recent(100).0.len(), 0);
    assert_eq!(t.mode(), InputMode::Command, "clearing the transcript keeps the connection");
}

#[test]
fn reply_lines_hint_labels_and_icons() {
    let lines = wire_lines("250-mx.example.org␍␊\n250 PIPELINING␍␊");
    assert_eq!(
        lines.iter().map(|l| (l.text.as_str(), l.crlf)).collect::<Vec<_>>(),
        [("250-mx.example.org", true), ("250 PIPELINING", true)]
    );
    assert!(!wire_lines("NO")[0].crlf);
    assert_eq!(hint_label("MAIL FROM:<you@example.com>"), "MAIL FROM:");
    assert_eq!(hint_label("RCPT TO:<someone@example.org>"), "RCPT TO:");
    assert_eq!(hint_label("EHLO your.host.name"), "EHLO");
    assert_eq!(hint_label("AUTH PLAIN <base64 of NUL user NUL password>"), "AUTH PLAIN");
    assert_eq!(hint_label("BDAT <size> LAST"), "BDAT");
    assert_eq!(hint_label("<body line>"), "<body line>");
    assert_eq!(hint_label("."), ".");
    assert_eq!(hint_label("Subject: <text>"), "Subject:");
    assert_eq!(ReplyClass::ALL.map(|c| (c.icon(), c.words())), [("✓", "done"), ("→", "go on"), ("↻", "try later"), ("✗", "failed")]);
    for m in [InputMode::Disconnected, InputMode::Closed, InputMode::Command, InputMode::Message, InputMode::AuthAnswer, InputMode::Chunk] {
        assert!(!m.label().is_empty() && m.help().ends_with('.'), "{m:?}");
    }
}
