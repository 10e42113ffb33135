//! The step-by-step player (`smtp_sim::player`): intents, exact stepping back, derived counts,
//! the URL, the inspector's material, and hostile text staying text.

use smtp_sim::player::explain::{self, Seg};
use smtp_sim::player::view::{Answers, View};
use smtp_sim::player::{catalog, url, Intent, Player, Tool, DEFAULT_SCENARIO};
use smtp_sim::sim::scenario::{self, Scenario};
use smtp_sim::sim::trace::{Facts, Kind};
use smtp_sim::smtp::command::Verb;
use smtp_sim::smtp::state::{State, TRANSITIONS};

fn at_end(id: &str) -> Player {
    let mut p = Player::builtin(id);
    p.apply(Intent::Last);
    p
}

#[test]
fn catalog_lists_every_builtin_with_title_and_goal() {
    let c = catalog();
    assert_eq!(c.len(), scenario::BUILTIN.len());
    for s in &c {
        assert!(!s.title.is_empty() && !s.goal.is_empty(), "{}", s.id);
    }
}

#[test]
fn stepping_is_clamped_and_play_stops_at_the_end() {
    let mut p = Player::builtin("happy-path");
    assert_eq!(p.step, 0);
    p.apply(Intent::Step(-1));
    assert_eq!(p.step, 0);
    p.apply(Intent::Step(1));
    assert_eq!(p.step, 1);
    p.apply(Intent::Goto(100_000));
    assert_eq!(p.step, p.len() - 1);
    p.apply(Intent::Step(5));
    assert_eq!(p.step, p.len() - 1);
    p.apply(Intent::First);
    assert_eq!(p.step, 0);
    p.apply(Intent::TogglePlay);
    assert!(p.playing);
    for _ in 0..p.len() + 3 {
        p.apply(Intent::Tick);
    }
    assert_eq!(p.step, p.len() - 1);
    assert!(!p.playing, "playing stops at the last step");
    // Play at the end starts again from the beginning.
    p.apply(Intent::TogglePlay);
    assert!(p.playing);
    assert_eq!(p.step, 0);
    p.apply(Intent::Step(1));
    assert!(!p.playing, "stepping by hand pauses");
    p.apply(Intent::Tick);
    assert_eq!(p.step, 1, "a tick while paused does nothing");
}

#[test]
fn speed_is_clamped_and_survives_a_load() {
    let mut p = Player::builtin("happy-path");
    p.apply(Intent::SetSpeed(4.0));
    assert_eq!(p.speed, 4.0);
    p.apply(Intent::SetSpeed(1000.0));
    assert_eq!(p.speed, smtp_sim::player::MAX_SPEED);
    p.apply(Intent::SetSpeed(f32::NAN));
    assert_eq!(p.speed, smtp_sim::player::MAX_SPEED);
    p.apply(Intent::Load("greylisting-retry".into()));
    assert_eq!(p.scenario_id, "greylisting-retry");
    assert_eq!(p.speed, smtp_sim::player::MAX_SPEED);
    assert_eq!(p.step, 0);
}

#[test]
fn select_only_reaches_steps_that_happened_and_stepping_clears_it() {
    let mut p = Player::builtin("happy-path");
    p.apply(Intent::Goto(10));
    p.apply(Intent::Select(Some(3)));
    assert_eq!(p.inspected(), 3);
    p.apply(Intent::Select(Some(11)));
    assert_eq!(p.selected, None, "the future cannot be selected");
    p.apply(Intent::Select(Some(4)));
    p.apply(Intent::Step(1));
    assert_eq!(p.selected, None);
    assert_eq!(p.inspected(), 11);
}

#[test]
fn stepping_back_then_forward_gives_the_identical_view_for_every_builtin() {
    for (id, _) in scenario::BUILTIN {
        let mut p = Player::builtin(id);
        let mut forward = Vec::new();
        for _ in 0..p.len() {
            forward.push(p.view());
            p.apply(Intent::Step(1));
        }
        for i in (0..p.len()).rev() {
            p.apply(Intent::Goto(i));
            assert_eq!(p.view(), forward[i], "{id}: step {i} differs when reached backwards");
        }
        // And a random walk lands on the same views too.
        let mut x: u64 = 7;
        for _ in 0..50 {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let by = (x >> 33) as i64 % 7 - 3;
            p.apply(Intent::Step(by));
            assert_eq!(p.view(), forward[p.step], "{id}: random walk at {}", p.step);
        }
    }
}

#[test]
fn counts_at_the_last_step_match_the_end_of_the_run() {
    for (id, _) in scenario::BUILTIN {
        let p = at_end(id);
        let v = p.view();
        let t = &p.trace;
        for n in &t.nodes {
            // Messages a POP3 session removed (RFC 1939 §6) are no longer stored at the end.
            let stored = t.mailboxes.iter().filter(|m| m.node == n.id && m.removed.is_none()).count();
            let bounces = t.mailboxes.iter().filter(|m| m.node == n.id && m.is_bounce && m.removed.is_none()).count();
            let mut jobs: Vec<(u32, String, bool)> = t
                .queue
                .iter()
                .filter(|q| q.node == n.id)
                .map(|q| (q.message, q.recipient.rsplit('@').next().unwrap_or("").to_ascii_lowercase(), q.is_bounce))
                .collect();
            jobs.sort();
            jobs.dedup();
            let c = v.node(&n.id).expect("every node has counts");
            assert_eq!(c.stored, stored, "{id}: messages stored at {}", n.id);
            assert_eq!(c.bounces_stored, bounces, "{id}: bounces stored at {}", n.id);
            assert_eq!(c.queued, jobs.len(), "{id}: messages queued at {}", n.id);
        }
        let total: usize = v.mailboxes.iter().map(|m| m.messages).sum();
        assert_eq!(total, t.mailboxes.iter().filter(|m| m.removed.is_none()).count(), "{id}");
    }
}

#[test]
fn unknown_user_bounce_story() {
    let mut p = Player::builtin("unknown-user-bounce");
    // The 550 to RCPT, announced in words.
    let i550 = p.trace.events.iter().position(|e| e.label.starts_with("550")).expect("a 550");
    p.apply(Intent::Goto(i550));
    let v = p.view();
    assert_eq!(v.answers, Some(Answers::Command(Verb::Rcpt)));
    assert!(
        v.announcement.starts_with(&format!(
            "Step {} of {}: mx.example.org replies 550 5.1.1 to RCPT — failed: no such mailbox",
            i550 + 1,
            p.len()
        )),
        "{}",
        v.announcement
    );
    let hop = v.hop.expect("a reply travels");
    assert_eq!((hop.from.as_str(), hop.to.as_str()), ("mx", "relay"));
    // Before the end, the relay still holds the message; at the end, the bounce is in Alice's
    // mailbox on the relay.
    let queued = p.trace.events.iter().position(|e| e.kind == Kind::Queued).unwrap();
    p.apply(Intent::Goto(queued));
    assert_eq!(p.view().node("relay").unwrap().queued, 1);
    assert_eq!(p.view().node("relay").unwrap().bounces_stored, 0);
    p.apply(Intent::Last);
    let v = p.view();
    let relay = v.node("relay").unwrap();
    assert_eq!((relay.queued, relay.stored, relay.bounces_stored, relay.bounces_sent), (0, 1, 1, 1));
    assert_eq!(v.mailboxes.len(), 1);
    assert_eq!(v.mailboxes[0].mailbox, "alice@example.com");
    assert_eq!(v.mailboxes[0].bounces, 1);
    assert!(v.announcement.contains("(This belongs to a bounce.)"), "{}", v.announcement);
}

#[test]
fn replies_answer_their_commands_even_when_pipelined() {
    let p = Player::builtin("unknown-user-bounce");
    let t = &p.trace;
    let mut seen = Vec::new();
    for i in 0..t.events.len() {
        let e = &t.events[i];
        if e.kind == Kind::Reply && e.from == "relay" {
            seen.push((e.label.split(' ').next().unwrap().to_string(), View::at(t, i).answers));
        }
    }
    let words: Vec<String> = seen.iter().map(|(c, a)| format!("{c} {}", a.map(|a| a.to_string()).unwrap_or_default())).collect();
    assert_eq!(
        words,
        [
            "220 as its greeting",
            "250 to EHLO",
            "220 to STARTTLS",
            "250 to EHLO",
            "235 to AUTH",
            "250 to MAIL",
            "250 to RCPT",
            "354 to DATA",
            "250 to the end of the message data",
            "221 to QUIT"
        ]
    );
}

#[test]
fn the_url_opens_a_scenario_at_a_step_counted_from_one() {
    let p = Player::from_query("?scenario=unknown-user-bounce&step=12");
    assert_eq!(p.scenario_id, "unknown-user-bounce");
    assert_eq!(p.step, 11);
    assert_eq!(p.notice, None);
    assert_eq!(p.query(), "?scenario=unknown-user-bounce&step=12");
    assert_eq!(Player::from_query(&p.query()).step, 11);

    let p = Player::from_query("scenario=unknown-user-bounce&step=9999");
    assert_eq!(p.step, p.len() - 1);
    let note = p.notice.clone().unwrap();
    assert!(note.contains("Step 9999 is past the end") && note.contains(&format!("showing step {}", p.len())), "{note}");

    let p = Player::from_query("?scenario=nope%3Cb%3E&step=3");
    assert_eq!(p.scenario_id, DEFAULT_SCENARIO);
    assert_eq!(p.step, 2);
    assert!(p.notice.as_deref().unwrap().contains("no built-in scenario called “nope<b>”"));

    let p = Player::from_query("?step=abc&debug=panic");
    assert_eq!((p.scenario_id.as_str(), p.step), (DEFAULT_SCENARIO, 0));
    assert!(p.notice.as_deref().unwrap().contains("“abc” is not a step number"));

    let p = Player::from_query("?step=0");
    assert_eq!(p.step, 0);
    assert!(p.notice.is_some());
    assert_eq!(Player::from_query("").notice, None);

    assert_eq!(url::parse("a=b&scenario=x+y%2").scenario.as_deref(), Some("x y%2"));
}

#[test]
fn load_at_clamps_like_the_url() {
    let mut p = Player::builtin("happy-path");
    p.apply(Intent::LoadAt("unknown-user-bounce".into(), 5));
    assert_eq!((p.scenario_id.as_str(), p.step), ("unknown-user-bounce", 5));
    p.apply(Intent::LoadAt("happy-path".into(), 100_000));
    assert_eq!(p.step, p.len() - 1);
    assert!(p.notice.is_some());
    p.apply(Intent::Step(-1));
    assert!(p.notice.is_none(), "a notice is about the last load only");
}

#[test]
fn raw_bytes_show_crlf_and_dot_stuffing() {
    let (lines, more) = explain::raw_lines("Subject: x\r\n\r\n..leading dot\r\n.\r\n", true, 100);
    assert_eq!(more, 0);
    assert_eq!(lines[0], vec![Seg::Text("Subject: x".into()), Seg::Cr, Seg::Lf]);
    assert_eq!(lines[1], vec![Seg::Cr, Seg::Lf]);
    assert_eq!(lines[2], vec![Seg::StuffedDot, Seg::Text(".leading dot".into()), Seg::Cr, Seg::Lf]);
    assert_eq!(lines[3], vec![Seg::EndDot, Seg::Cr, Seg::Lf]);
    // Not data: dots are just text; control characters are made visible.
    let (lines, _) = explain::raw_lines("..\u{7}x\r\n", false, 100);
    assert_eq!(lines[0], vec![Seg::Text("..".into()), Seg::Ctrl(7), Seg::Text("x".into()), Seg::Cr, Seg::Lf]);
    let (lines, more) = explain::raw_lines("a\nb\nc\n", false, 2);
    assert_eq!((lines.len(), more), (2, 1));
}

#[test]
fn replies_name_their_catalogue_entry_and_state_transition() {
    let p = Player::builtin("unknown-user-bounce");
    let t = &p.trace;
    let label = |i: usize| TRANSITIONS[i].label;
    let change = |pred: &dyn Fn(&smtp_sim::sim::trace::Event) -> bool| {
        let i = t.events.iter().position(pred).unwrap();
        t.events[i].facts.as_ref().and_then(Facts::state_change).unwrap()
    };
    let rcpt_ok = change(&|e| e.label.starts_with("250 2.1.5"));
    assert_eq!((rcpt_ok.before, rcpt_ok.after), (State::Mail, State::Rcpt));
    assert_eq!(label(rcpt_ok.transition.unwrap()), "first RCPT TO → 250");
    let data = change(&|e| e.label.starts_with("354"));
    assert_eq!(label(data.transition.unwrap()), "DATA → 354");
    let end = change(&|e| e.label.starts_with("250 2.0.0 Message accepted"));
    assert_eq!(label(end.transition.unwrap()), "CRLF.CRLF → 250 / 5yz (transaction ends)");
    let refused = change(&|e| e.label.starts_with("550"));
    assert_eq!((refused.before, refused.after, refused.transition), (State::Mail, State::Mail, None));
    let quit = change(&|e| e.label.starts_with("221"));
    assert_eq!(label(quit.transition.unwrap()), "QUIT → 221");

    let e550 = t.events.iter().find(|e| e.label.starts_with("550")).unwrap();
    let x = explain::explanation(e550);
    assert_eq!(x.title, Some("No such mailbox at this domain."));
    assert!(x.rfc.unwrap().contains("RFC 5321 §4.2.2"));
    let rcpt = t.events.iter().find(|e| e.label.starts_with("RCPT")).unwrap();
    let x = explain::explanation(rcpt);
    assert!(x.title.unwrap().starts_with("RCPT TO:"));
    assert!(x.rfc.unwrap().contains("4.1.1.3"));
}

#[test]
fn hostile_text_stays_text_in_the_model() {
    let src = scenario::BUILTIN.iter().find(|(id, _)| *id == "happy-path").unwrap().1;
    let src = src
        .replacen("title = \"", "title = \"<img src=x onerror=alert(1)> ", 1)
        .replace("subject = \"Lunch on Friday?\"", "subject = \"<img src=x onerror=alert(2)>\"");
    let s = Scenario::from_toml(&src).expect("still a valid scenario");
    let mut p = Player::from_scenario(s);
    assert!(p.trace.title.starts_with("<img src=x onerror=alert(1)>"));
    p.apply(Intent::Last);
    let all: String = (0..p.len()).map(|i| View::at(&p.trace, i).announcement).collect();
    assert!(all.contains("<img src=x onerror=alert(2)>"), "the subject is carried verbatim, for the view to show as text");
}

#[test]
fn the_side_tool_survives_a_load_and_names_round_trip() {
    let mut p = Player::builtin("happy-path");
    assert_eq!(p.tool, Tool::Inspector);
    p.apply(Intent::ShowTool(Tool::Dns));
    p.apply(Intent::Load("unknown-user-bounce".into()));
    assert_eq!(p.tool, Tool::Dns, "changing scenario keeps the tool the user is looking at");
    for t in Tool::ALL {
        assert_eq!(Tool::from_name(t.name()), Some(t));
        assert_eq!(Tool::from_name(&t.name().to_uppercase()), Some(t));
    }
    assert_eq!(Tool::from_name("<img src=x>"), None);
    assert_eq!(Tool::from_name(""), None);
}

#[test]
fn live_region_sentences_end_once() {
    // "asks DNS: example.org MX?" is a question: no full stop after its question mark.
    for (id, _) in scenario::BUILTIN.iter() {
        let p = Player::builtin(id);
        for step in 0..p.len() {
            let a = View::at(&p.trace, step).announcement;
            assert!(!a.contains("?.") && !a.contains(".."), "{id} step {}: {a}", step + 1);
        }
    }
}

/// The viewer's precomputed traces (`Player::awaiting`, `Intent::TraceLoaded`): what the address
/// asked for while the trace was on its way — step, selection, play — is applied when it
/// arrives, as if the trace had been there; a late trace of another scenario is ignored; a
/// missing one hands the page to the studio. The player reached the same state as a player that
/// simulated.
#[test]
fn an_awaited_trace_applies_the_start_the_address_asked_for() {
    use smtp_sim::player::Awaiting;
    use std::rc::Rc;
    let sc = scenario::builtin("greylisting-retry").unwrap();
    let trace = Rc::new(smtp_sim::sim::world::run(&sc));
    let asked = Awaiting { step: Some(7), selected: Some(5), play: true };
    let mut p = Player::awaiting_trace(sc.clone(), asked);
    assert!(p.is_empty(), "no events until the trace arrives");
    // Stepping, selecting and playing while it is on its way change what is kept, not the page.
    p.apply(Intent::Select(Some(4)));
    p.apply(Intent::TogglePlay);
    p.apply(Intent::TogglePlay);
    assert_eq!(p.awaiting, Some(Awaiting { step: Some(7), selected: Some(4), play: true }));
    let other = Rc::new(smtp_sim::sim::world::run(&scenario::builtin("happy-path").unwrap()));
    p.apply(Intent::TraceLoaded(other));
    assert!(p.awaiting.is_some() && p.is_empty(), "another scenario's trace is ignored");
    p.apply(Intent::TraceLoaded(trace.clone()));
    // Playing clears a selection, as it does when the trace was there from the start.
    assert_eq!((p.awaiting, p.step, p.selected, p.playing), (None, 7, None, true));
    assert_eq!(p.len(), trace.events.len());
    assert_eq!(p.view(), Player::builtin("greylisting-retry").view_at(7), "the same view as a player that simulated");
    let mut p = Player::awaiting_trace(sc.clone(), Awaiting { step: Some(7), selected: Some(5), play: false });
    p.apply(Intent::TraceLoaded(trace.clone()));
    assert_eq!((p.step, p.selected, p.playing), (7, Some(5), false));

    // A step past the end is clamped with the same note a simulated trace gives.
    let mut p = Player::awaiting_trace(sc.clone(), Awaiting { step: Some(100_000), ..Awaiting::default() });
    p.apply(Intent::TraceLoaded(trace.clone()));
    assert_eq!(p.step, trace.events.len() - 1);
    assert!(p.notice.as_deref().unwrap_or_default().contains("past the end"), "{:?}", p.notice);

    // No trace to be had: the studio takes over, which simulates.
    let mut p = Player::awaiting_trace(sc, Awaiting::default());
    p.apply(Intent::TraceUnavailable("HTTP 404".into()));
    assert!(p.needs_studio && p.awaiting.is_none());
    assert!(p.notice.as_deref().unwrap_or_default().contains("HTTP 404"));
}
