//! The node panels' material (`smtp_sim::player::nodes`): mailboxes and queues at every step of
//! every built-in agree with the run's end, stepping back is exact, a message appears only after
//! its delivery event, a bounce opens as an RFC 3464 report, and the DNS zone marks the records
//! the current question asked about.

use smtp_sim::player::nodes::{self, is_delivered, open_message, question_at, queues, received_hop};
use smtp_sim::player::view::View;
use smtp_sim::player::{Intent, Player};
use smtp_sim::sim::scenario;
use smtp_sim::sim::trace::{Kind, Trace};

/// The queue at a step as (node, message, recipient, attempts, next attempt, last error, bounce).
type Entry = (String, u32, String, u32, Option<u64>, Option<String>, bool);

fn queue_at(trace: &Trace, step: usize) -> Vec<Entry> {
    let v = View::at(trace, step);
    v.queue
        .iter()
        .flat_map(|j| {
            let n = &j.note;
            n.waiting
                .iter()
                .map(move |r| (n.node.clone(), n.message, r.clone(), n.attempts, n.next_attempt, n.last_error.clone(), n.is_bounce))
        })
        .collect()
}

#[test]
fn at_the_last_step_queues_and_mailboxes_equal_the_end_of_the_run() {
    for (id, _) in scenario::BUILTIN {
        let p = Player::builtin(id);
        let t = &p.trace;
        let last = p.last();
        let want: Vec<Entry> = t
            .queue
            .iter()
            .map(|q| (q.node.clone(), q.message, q.recipient.clone(), q.attempts, q.next_attempt, q.last_error.clone(), q.is_bounce))
            .collect();
        assert_eq!(queue_at(t, last), want, "{id}: queue at the end");
        let v = View::at(t, last);
        let mut shown: Vec<usize> = nodes::mailboxes(t, &v).iter().flat_map(|m| m.messages.iter().map(|r| r.index)).collect();
        shown.sort();
        let kept: Vec<usize> = (0..t.mailboxes.len()).filter(|&i| t.mailboxes[i].removed.is_none()).collect();
        assert_eq!(shown, kept, "{id}: every stored message not removed by POP3, once");
        for m in nodes::mailboxes(t, &v) {
            for r in &m.messages {
                let s = &t.mailboxes[r.index];
                assert_eq!((s.node.as_str(), s.mailbox.as_str(), s.is_bounce), (m.node.as_str(), m.mailbox.as_str(), r.is_bounce), "{id}");
            }
        }
        // Every server node has a queue row group; the rows are the queue.
        let rows: usize = queues(t, &v).iter().map(|q| q.rows.len()).sum();
        assert_eq!(rows, t.queue.len(), "{id}");
    }
}

#[test]
fn a_message_shows_exactly_from_its_delivered_event_on() {
    for (id, _) in scenario::BUILTIN {
        let p = Player::builtin(id);
        let t = &p.trace;
        for (i, m) in t.mailboxes.iter().enumerate() {
            let e = &t.events[m.seq];
            assert_eq!((e.kind, e.from.as_str()), (Kind::Delivered, m.node.as_str()), "{id}: message {i} names its delivery event");
            if m.seq > 0 {
                assert!(!is_delivered(&View::at(t, m.seq - 1), i), "{id}: message {i} shown before it was delivered");
            }
            assert!(is_delivered(&View::at(t, m.seq), i), "{id}: message {i} missing at its delivery");
            if let Some(r) = m.removed {
                // POP3's UPDATE (RFC 1939 §6): gone from the step of its `removed` event on.
                assert_eq!(t.events[r].kind, Kind::Removed, "{id}: message {i} names its removal event");
                assert!(is_delivered(&View::at(t, r - 1), i), "{id}: message {i} gone before its removal");
                assert!(!is_delivered(&View::at(t, r), i), "{id}: message {i} still shown after its removal");
            }
        }
    }
}

#[test]
fn stepping_back_gives_the_same_panels() {
    for id in ["greylisting-retry", "unknown-user-bounce", "destination-down-expiry", "mx-fallback"] {
        let mut p = Player::builtin(id);
        let sc = p.scenario.clone();
        let mut forward = Vec::new();
        for _ in 0..p.len() {
            let v = p.view();
            forward.push((nodes::mailboxes(&p.trace, &v), queues(&p.trace, &v), nodes::zone(&sc.dns, &p.trace, p.step)));
            p.apply(Intent::Step(1));
        }
        for i in (0..p.len()).rev() {
            p.apply(Intent::Goto(i));
            let v = p.view();
            assert_eq!(
                (nodes::mailboxes(&p.trace, &v), queues(&p.trace, &v), nodes::zone(&sc.dns, &p.trace, p.step)),
                forward[i],
                "{id}: step {i}"
            );
        }
    }
}

#[test]
fn greylisting_queue_waits_with_an_attempt_and_a_retry_time_then_empties() {
    let p = Player::builtin("greylisting-retry");
    let t = &p.trace;
    let retry = t.events.iter().position(|e| e.kind == Kind::RetryScheduled).expect("a retry");
    let v = View::at(t, retry);
    let relay: Vec<_> = queues(t, &v).into_iter().filter(|q| !q.rows.is_empty()).collect();
    assert_eq!(relay.len(), 1);
    let row = &relay[0].rows[0];
    assert_eq!(row.recipient, "bob@example.org");
    assert_eq!(row.attempts, 1);
    assert_eq!(row.error_code.as_deref(), Some("451 4.7.1"));
    assert_eq!(row.next_retry.as_deref(), Some("+00:05:00.540"));
    assert!(row.state.contains("retry"), "{}", row.state);
    // Before the message was queued, and at the end, every queue is empty.
    let queued = t.events.iter().position(|e| e.kind == Kind::Queued).unwrap();
    assert!(queues(t, &View::at(t, queued - 1)).iter().all(|q| q.rows.is_empty()));
    assert_eq!(queues(t, &View::at(t, queued)).iter().map(|q| q.rows.len()).sum::<usize>(), 1);
    assert!(queues(t, &View::at(t, p.last())).iter().all(|q| q.rows.is_empty()));
    // It leaves the queue at the 2xx to the end of the data, when the MX took responsibility.
    let handover = t.events.iter().rposition(|e| e.kind == Kind::Reply && e.job.is_some()).unwrap();
    assert!(t.events[handover].label.starts_with("250"));
    assert_eq!(View::at(t, handover - 1).queue.len(), 1);
    assert!(View::at(t, handover).queue.is_empty());
}

#[test]
fn the_bounce_reaches_alice_and_opens_as_a_delivery_report() {
    let p = Player::builtin("unknown-user-bounce");
    let t = &p.trace;
    let i = t.mailboxes.iter().position(|m| m.is_bounce).expect("a bounce is stored");
    let m = &t.mailboxes[i];
    assert_eq!(m.mailbox, "alice@example.com");
    assert!(nodes::mailboxes(t, &View::at(t, m.seq - 1)).iter().all(|b| b.mailbox != "alice@example.com"));
    let boxes = nodes::mailboxes(t, &View::at(t, p.last()));
    let alice = boxes.iter().find(|b| b.mailbox == "alice@example.com").unwrap();
    assert!(alice.messages[0].is_bounce);
    assert!(alice.messages[0].from.contains("MAILER-DAEMON"), "{}", alice.messages[0].from);

    let o = open_message(t, i).unwrap();
    assert_eq!(o.mail_from, "<>");
    assert_eq!(o.rcpt_to, "<alice@example.com>");
    assert!(o.differences.iter().any(|d| d.contains("null reverse-path")));
    assert!(o.headers.iter().any(|(n, v)| n == "Return-Path" && v == "<>"));
    assert_eq!(o.parts[0].content_type, "multipart/report");
    let types: Vec<&str> = o.parts.iter().map(|p| p.content_type.as_str()).collect();
    assert!(types.contains(&"message/delivery-status") && types.contains(&"text/plain"), "{types:?}");
    let r = o.report.as_ref().expect("a report");
    assert!(r.problem.is_none(), "{:?}", r.problem);
    assert!(!r.human.is_empty());
    let f = |name: &str| r.recipients[0].iter().find(|f| f.name.eq_ignore_ascii_case(name)).map(|f| f.value.clone()).unwrap_or_default();
    assert_eq!(f("Status"), "5.1.1");
    assert!(f("Diagnostic-Code").contains("550"), "{}", f("Diagnostic-Code"));
    assert!(f("Final-Recipient").contains("nobody@example.org"));
    assert!(r.recipients[0].iter().find(|f| f.name == "Status").unwrap().meaning.as_deref().unwrap().contains("permanent"));
    assert!(r.returned_headers.iter().any(|h| h.name.eq_ignore_ascii_case("Subject") && h.value == "Quarterly report"));
    // The relay wrote the bounce and stored it in Alice's mailbox itself: it never travelled.
    assert!(o.received.is_empty(), "{:?}", o.received);
    assert!(o.raw.len() > 10 && o.octets == m.raw.len());
}

#[test]
fn the_received_chain_is_read_top_first() {
    let p = Player::builtin("happy-path");
    let t = &p.trace;
    let i = t.mailboxes.iter().position(|m| !m.is_bounce).unwrap();
    let o = open_message(t, i).unwrap();
    assert!(o.received.len() >= 2, "{:?}", o.received);
    // The top field was added by the server that stored the message.
    let host = t.nodes.iter().find(|n| n.id == t.mailboxes[i].node).unwrap().host.clone();
    assert_eq!(o.received[0].by, host);
    assert!(o.received[0].explanation.starts_with(&format!("{host} received the message from")));
    assert!(o.received.last().unwrap().explanation.contains("logged in"), "{:?}", o.received.last());
    assert!(o.differences.is_empty(), "{:?}", o.differences);
}

#[test]
fn report_text_is_reflowed_but_keeps_paragraphs_and_quotes() {
    let text = "This is the mail system.\r\n\r\nI'm sorry to have to tell you that your message\r\ncould not be delivered.\r\n  The server said:\r\n    550 5.1.1 no\r\n\r\n\r\nBye.\r\n";
    assert_eq!(
        nodes::reflow(text),
        "This is the mail system.\n\nI'm sorry to have to tell you that your message could not be delivered.\n  The server said:\n    550 5.1.1 no\n\nBye."
    );
}

#[test]
fn received_fields_that_do_not_parse_still_give_words() {
    let h = received_hop(3, "garbage <script>alert(1)</script> ((( ;");
    assert_eq!(h.position, 3);
    assert!(h.by.is_empty());
    assert!(h.explanation.contains("cannot read"));
    assert_eq!(h.raw, "garbage <script>alert(1)</script> ((( ;");
    let h = received_hop(1, "from a (b [1.2.3.4]) by c with SMTP id 1; Mon, 1 Jan 2024");
    assert_eq!((h.from.as_str(), h.by.as_str(), h.with.as_str(), h.id.as_str()), ("a (b [1.2.3.4])", "c", "SMTP", "1"));
    assert!(h.explanation.contains("HELO"));
}

#[test]
fn the_zone_marks_what_the_current_question_asked() {
    let p = Player::builtin("unknown-user-bounce");
    let t = &p.trace;
    let q = t.events.iter().position(|e| e.kind == Kind::DnsQuery && e.label == "example.org MX?").unwrap();
    for step in [q, q + 1] {
        let z = nodes::zone(&p.scenario.dns, t, step);
        let question = z.question.as_ref().expect("a question");
        assert_eq!((question.name.as_str(), question.qtype.as_str()), ("example.org", "MX"));
        assert_eq!(question.answer.is_some(), step == q + 1);
        let mx = z.groups.iter().find(|g| g.rtype == "MX").unwrap();
        let asked: Vec<&str> = mx.rows.iter().filter(|r| r.asked).map(|r| r.data.as_str()).collect();
        assert_eq!(asked, ["mx.example.org"]);
        assert_eq!(question.matched, 1);
        assert!(z.groups.iter().filter(|g| g.rtype != "MX").all(|g| g.rows.iter().all(|r| !r.asked)));
    }
    assert_eq!(question_at(t, 0), None, "the first step asks nothing");
    assert!(nodes::zone(&p.scenario.dns, t, 0).groups.iter().all(|g| g.rows.iter().all(|r| !r.asked)));
    // A null MX is named as such.
    let n = Player::builtin("null-mx");
    let z = nodes::zone(&n.scenario.dns, &n.trace, 0);
    assert!(z.groups.iter().flat_map(|g| &g.rows).any(|r| r.note.is_some_and(|x| x.contains("RFC 7505"))));
    let spf = Player::builtin("spf-spoof");
    let z = nodes::zone(&spf.scenario.dns, &spf.trace, 0);
    assert!(z.groups.iter().any(|g| g.rtype == "TXT" && g.rows.iter().any(|r| r.note == Some("SPF policy (RFC 7208)"))));
}

#[test]
fn hostile_text_in_a_message_stays_text() {
    let mut sc = scenario::builtin("happy-path").unwrap();
    sc.messages[0].subject = "<img src=x onerror=alert(1)> =?utf-8?q?caf=C3=A9?=".into();
    let t = smtp_sim::sim::world::run(&sc);
    let v = View::at(&t, t.events.len() - 1);
    let boxes = nodes::mailboxes(&t, &v);
    let row = &boxes[0].messages[0];
    assert!(row.subject.contains("<img src=x onerror=alert(1)>"), "{}", row.subject);
    let o = open_message(&t, row.index).unwrap();
    assert!(o.headers.iter().any(|(n, v)| n == "Subject" && v.contains("<img src=x")));
    assert!(open_message(&t, 10_000).is_none());
}
