//! The lesson model: every built-in lesson loads and every question of it is answerable from its
//! scenario's trace (the expected answer checked against the trace independently), wrong answers
//! say why, scoring and progress restore, the URL parameters, the troubleshooting cards, and
//! hostile lesson files (located errors, never a panic).

use proptest::prelude::*;
use smtp_sim::lesson::cards::{self, CARDS};
use smtp_sim::lesson::progress::Progress;
use smtp_sim::lesson::question::Question;
use smtp_sim::lesson::{self, facts, url, Ask, Lesson, LESSON_IDS, LESSON_SOURCES};
use smtp_sim::sim::scenario;
use smtp_sim::sim::trace::{Kind, Trace};
use smtp_sim::sim::world;

fn trace_of(id: &str) -> Trace {
    world::run(&scenario::builtin(id).expect("built-in scenario"))
}

/// The expected answer of `q`, checked against the trace by a route independent of the
/// question code: the target event's own fields.
fn assert_answer_fits_trace(lesson: &str, q: &Question, trace: &Trace) {
    let e = &trace.events[q.target];
    let ctx = format!("{lesson}: {:?} at step {}", q.ask, q.target + 1);
    match q.ask {
        Ask::ReplyCode => {
            assert_eq!(e.kind, Kind::Reply, "{ctx}");
            assert!(e.label.starts_with(q.expected()), "{ctx}: {} vs {}", e.label, q.expected());
        }
        Ask::TemporaryOrPermanent => {
            assert_eq!(e.kind, Kind::Reply, "{ctx}");
            let want = if e.label.starts_with('4') { "temporary" } else { "permanent" };
            assert!(e.label.starts_with('4') || e.label.starts_with('5'), "{ctx}");
            assert_eq!(q.expected(), want, "{ctx}");
        }
        Ask::NextCommand => {
            assert_eq!(e.kind, Kind::Command, "{ctx}");
            assert!(e.label.to_ascii_uppercase().starts_with(q.expected()), "{ctx}: {}", e.label);
        }
        Ask::BounceSender => {
            assert_eq!(e.kind, Kind::BounceCreated, "{ctx}");
            assert_eq!(e.from, q.expected(), "{ctx}");
        }
        Ask::AddedHeader => {
            assert_eq!(e.kind, Kind::Delivered, "{ctx}");
            let line = &q.choices.iter().find(|c| c.value == q.expected()).expect("the answer is offered").label;
            assert!(line.starts_with("Received:"), "{ctx}: {line}");
            let stored = trace.mailboxes.iter().find(|m| m.seq == q.target).expect("stored message");
            // Unfolded (RFC 5322 §2.2.3), with the folding white space shown as one space.
            let mut unfolded = String::new();
            for l in stored.raw.split("\r\n") {
                if l.starts_with([' ', '\t']) {
                    unfolded.push(' ');
                    unfolded.push_str(l.trim_start());
                } else {
                    unfolded.push('\n');
                    unfolded.push_str(l);
                }
            }
            assert!(unfolded.contains(line.as_str()), "{ctx}: the line is in the stored message");
        }
    }
}

#[test]
fn every_builtin_lesson_loads_and_every_question_is_answerable_from_its_trace() {
    assert!(LESSON_IDS.len() >= 12, "at least 12 lessons");
    for (id, source) in LESSON_SOURCES {
        let from_file = Lesson::from_toml(source).unwrap_or_else(|e| panic!("{id}: {e:?}"));
        let built = lesson::builtin(id).expect("precompiled");
        assert_eq!(*built, from_file, "{id}: build.rs's postcard equals the TOML file");
        assert!((2..=4).contains(&built.question_count()), "{id}: 2–4 questions, has {}", built.question_count());
        for (i, part) in built.parts.iter().enumerate() {
            let trace = trace_of(&part.scenario);
            let plan = built.plan(i, &trace).expect("resolves");
            for q in &plan.questions {
                assert_eq!(q.gate + 1, q.target, "{id}: the player stops right before the event");
                assert!(!q.prompt.is_empty() && !q.reveal.explanation.is_empty(), "{id}: prompt and reveal");
                assert!(q.reveal.rfc.is_some(), "{id}: the reveal names its RFC section");
                assert_answer_fits_trace(id, q, &trace);
                let right = q.check(q.expected()).expect("the expected answer is an answer");
                assert!(right.correct && right.why_wrong.is_none(), "{id}");
                if q.typed {
                    assert!(q.choices.is_empty());
                } else {
                    assert!(q.choices.len() >= 2, "{id}: something to choose from");
                    assert_eq!(q.choices.iter().filter(|c| c.value == q.expected()).count(), 1, "{id}: the answer is offered once");
                }
                for c in q.choices.iter().filter(|c| c.value != q.expected()) {
                    let wrong = q.check(&c.value).expect("a choice is an answer");
                    assert!(!wrong.correct, "{id}");
                    let why = wrong.why_wrong.expect("a wrong answer says why");
                    assert!(why.len() > 20, "{id}: {why}");
                }
            }
        }
    }
}

#[test]
fn a_typed_code_is_checked_and_nonsense_is_asked_again() {
    let l = lesson::builtin("relay-control").unwrap();
    let plan = l.plan(0, &trace_of("relay-denied")).unwrap();
    let q = &plan.questions[0];
    assert!(q.typed);
    assert!(q.check(" 550 ").unwrap().correct);
    let wrong = q.check("250").unwrap();
    assert!(!wrong.correct);
    assert!(wrong.why_wrong.unwrap().contains("2yz"), "a 250 is explained as a 2yz reply");
    for bad in ["", "abc", "55", "5500", "999", "<b>550</b>"] {
        let e = q.check(bad).expect_err(bad);
        assert!(e.contains("not a reply code"), "{e}");
    }
    let long = "9".repeat(5000);
    assert!(q.check(&long).unwrap_err().len() < 120, "what is echoed back is cut short");
}

#[test]
fn the_bounce_question_explains_each_wrong_node() {
    let l = lesson::builtin("bounces").unwrap();
    let plan = l.plan(0, &trace_of("unknown-user-bounce")).unwrap();
    let q = plan.questions.iter().find(|q| q.ask == Ask::BounceSender).unwrap();
    assert_eq!(q.expected(), "relay");
    assert!(q.check("mx").unwrap().why_wrong.unwrap().contains("refused during the SMTP session"));
    assert!(q.check("alice").unwrap().why_wrong.unwrap().contains("mail program"));
    assert!(q.check("dns").is_err(), "not offered, not an answer");
}

#[test]
fn scoring_counts_the_first_answer_and_the_summary_says_it() {
    let l = lesson::builtin("bounces").unwrap();
    let plan = l.plan(0, &trace_of("unknown-user-bounce")).unwrap();
    let mut p = Progress::new(&l);
    assert_eq!(p.status(), "Not started");
    assert_eq!(p.stop_at(&l, &plan), Some(plan.questions[0].gate));
    assert!(p.asking(&l, &plan, plan.questions[0].gate - 1).is_none(), "not asked before its step");
    let (qi, q) = p.asking(&l, &plan, plan.questions[0].gate).expect("asked at its gate");
    assert_eq!(qi, 0);
    let wrong = q.check(&q.choices.iter().find(|c| c.value != q.expected()).unwrap().value).unwrap();
    p.record(&l, 0, &wrong);
    let right = q.check(q.expected()).unwrap();
    p.record(&l, 0, &right); // a second try does not change the score
    assert_eq!(p.score().right, 0);
    assert_eq!(p.score().answered, 1);
    let q1 = &plan.questions[1];
    p.record(&l, 1, &q1.check(q1.expected()).unwrap());
    assert_eq!((p.score().right, p.score().answered, p.score().total), (1, 2, 4));
    assert_eq!(p.stop_at(&l, &plan), None, "part 1 has no open question left");
    assert!(p.status().starts_with("In progress: 2 of 4"));
    p.go_to_part(&l, 1);
    let plan2 = l.plan(1, &trace_of("mailbox-full")).unwrap();
    assert_eq!(p.open_question(&l, &plan2), Some(0));
    let summary = p.summary(&l, "2026-12-04");
    assert!(
        summary.contains("Bounces") && summary.contains("Score: 1 of 4 right (2 answered)") && summary.contains("Date: 2026-12-04"),
        "{summary}"
    );
    assert!(summary.contains("1. wrong") && summary.contains("2. right") && summary.contains("3. not answered"), "{summary}");
}

#[test]
fn progress_is_restored_and_a_bad_stored_value_is_refused() {
    let l = lesson::builtin("bounces").unwrap();
    let mut p = Progress::new(&l);
    p.go_to_part(&l, 1);
    p.step = 12;
    let stored = p.to_stored();
    assert_eq!(Progress::restore(&l, &stored).unwrap(), p);
    let other = lesson::builtin("dns-mx").unwrap();
    assert!(Progress::restore(&other, &stored).is_err(), "another lesson's progress");
    let mut far = p.clone();
    far.part = 99;
    let mut more = p.clone();
    more.answers.push(None);
    let bad = [
        String::new(),
        "null".into(),
        "p1.".into(),
        "p1.!!!".into(),
        stored.replacen("p1.", "p2.", 1),
        stored[..stored.len() - 3].to_string(),
        far.to_stored(),
        more.to_stored(),
    ];
    for bad in &bad {
        let e = Progress::restore(&l, bad).expect_err(bad);
        assert!(e.contains("starts from the beginning"), "{e}");
    }
}

#[test]
fn url_parameters_become_lessons_or_sentences() {
    let t = url::parse("?lesson=bounces&present=1");
    assert_eq!((t.lesson.as_deref(), t.present, t.problems.len()), (Some("bounces"), true, 0));
    let t = url::parse("?lesson=%3Cscript%3E&present=maybe&card=nope");
    assert_eq!(t.lesson, None);
    assert!(!t.present);
    assert_eq!(t.problems.len(), 3, "{:?}", t.problems);
    assert!(t.problems[0].contains("no lesson called “<script>”"), "shown as text; the page renders it as text");
    assert_eq!(url::parse("?card=mailbox-full").card.as_deref(), Some("mailbox-full"));
    assert_eq!(
        url::carry("?scenario=a&lesson=bounces&present=1", "?scenario=x&step=2#v2.abc"),
        "?scenario=x&step=2&lesson=bounces&present=1#v2.abc"
    );
    assert_eq!(url::carry("?scenario=a", "?scenario=x&step=2"), "?scenario=x&step=2");
    assert_eq!(url::set("?scenario=x&step=2&card=mailbox-full", Some("dns-mx"), false), "?scenario=x&step=2&lesson=dns-mx");
    assert_eq!(url::set("?lesson=dns-mx&present=1", None, false), "");
}

#[test]
fn every_card_opens_a_step_that_shows_its_problem() {
    assert!(CARDS.len() >= 8);
    for c in CARDS {
        let trace = trace_of(c.scenario);
        let wire = cards::wire(c, &trace).unwrap_or_else(|| panic!("{}: anchor {:?} not in {}", c.id, c.on, c.scenario));
        let e = &trace.events[wire.step];
        if let Some(code) = facts::reply_code(e) {
            assert!(c.says.iter().any(|s| s.contains(&code.to_string())), "{}: the card quotes the reply {code} the scenario sends", c.id);
        }
        // A POP3 or IMAP response has no code: the card quotes its line as the scenario sends it.
        if matches!(e.layer, smtp_sim::sim::trace::Layer::Pop3 | smtp_sim::sim::trace::Layer::Imap) {
            assert!(c.says.iter().any(|s| s.contains(wire.label.as_str())), "{}: the card quotes {:?}", c.id, wire.label);
        }
        assert!(cards::card(c.id).is_some());
    }
}

fn problems(src: &str) -> Vec<String> {
    Lesson::from_toml(src).expect_err("should be refused").iter().map(|e| e.to_string()).collect()
}

const GOOD: &str = r#"id = "t"
title = "T"
goal = "G"
minutes = 5
summary = ["s"]

[[part]]
scenario = "unknown-user-bounce"
intro = "i"

[[part.question]]
at = { on = "cmd:RCPT", node = "mx" }
ask = "reply-code"
"#;

#[test]
fn hostile_lesson_files_get_located_errors() {
    assert!(Lesson::from_toml(GOOD).is_ok());
    let cases: &[(&str, &str)] = &[
        (&GOOD.replace("ask = \"reply-code\"", "ask = \"guess\""), "line 13, column 7: part[0].question[0].ask: unknown variant `guess`"),
        (&GOOD.replace("intro = \"i\"", "intro = \"i\"\ncolour = 1"), "line 10, column 1: part[0].colour: unknown field `colour`"),
        (&GOOD.replace("unknown-user-bounce", "no-such"), "line 8, column 12: part[0].scenario: no built-in scenario \"no-such\""),
        (&GOOD.replace("cmd:RCPT", "cmd:VRFY"), "line 11, column 1: part[0].question[0]: no event number 1 matches \"cmd:VRFY\""),
        (
            &GOOD.replace("node = \"mx\"", "node = \"nope\""),
            "part[0].question[0].at.node: scenario \"unknown-user-bounce\" has no node \"nope\"",
        ),
        (
            &GOOD
                .replace("ask = \"reply-code\"", "ask = \"temporary-or-permanent\"\nnth = 1")
                .replace("node = \"mx\" }", "node = \"mx\", nth = 1 }"),
            "unknown field `nth`",
        ),
        (&GOOD.replace("ask = \"reply-code\"", "ask = \"next-command\"\ntyped = true"), "`typed` is only for reply-code questions"),
        (&GOOD.replace("minutes = 5", "minutes = 0"), "line 4, column 11: minutes: 0 minutes"),
        (&GOOD.replace("id = \"t\"", "id = \"Bad Id\""), "line 1, column 6: id: \"Bad Id\" is not a valid id"),
        (
            &GOOD
                .replace("cmd:RCPT\", node = \"mx\" }", "greeting\", nth = 1 }")
                .replace("ask = \"reply-code\"", "ask = \"temporary-or-permanent\""),
            "neither a temporary nor a permanent failure",
        ),
        (
            &GOOD.replace("ask = \"reply-code\"", "ask = \"added-header\"\nabout = \"relay\"").replace("cmd:RCPT", "greeting"),
            "has 0 Received: lines added by smtp.example.com; a question needs exactly one",
        ),
        ("id = ", "line 1, column 6"),
        ("", "missing field `id`"),
    ];
    for (src, want) in cases {
        let got = problems(src);
        assert!(got.iter().any(|g| g.contains(want)), "want {want:?}, got {got:?}");
    }
    let too_big = format!("{GOOD}\n# {}", "x".repeat(300 * 1024));
    assert!(problems(&too_big)[0].contains("limited to"));
}

#[test]
fn two_questions_out_of_order_are_refused() {
    let src = format!("{GOOD}\n[[part.question]]\nat = {{ on = \"greeting\" }}\nask = \"reply-code\"\n");
    let got = problems(&src);
    assert!(got.iter().any(|g| g.contains("part[0].question[1]") && g.contains("in the order they come")), "{got:?}");
}

#[test]
fn the_cli_checks_lesson_files_with_located_errors() {
    let dir = std::env::temp_dir().join(format!("smtp-sim-lesson-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let good = dir.join("good.toml");
    std::fs::write(&good, GOOD).unwrap();
    let bad = dir.join("bad.toml");
    std::fs::write(&bad, GOOD.replace("cmd:RCPT", "cmd:VRFY")).unwrap();
    let ok = std::process::Command::new(env!("CARGO_BIN_EXE_smtp-sim")).arg("check").arg(&good).output().unwrap();
    assert!(ok.status.success());
    assert!(String::from_utf8_lossy(&ok.stdout).contains("ok — lesson \"t\", 1 parts, 1 questions"));
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_smtp-sim")).arg("check").arg(&bad).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("line 11, column 1: part[0].question[0]: no event number 1 matches \"cmd:VRFY\""), "{err}");
    let key = std::process::Command::new(env!("CARGO_BIN_EXE_smtp-sim")).args(["lessons", "bounces", "--answers"]).output().unwrap();
    let key = String::from_utf8_lossy(&key.stdout);
    assert!(key.contains("answer: 550 5.1.1") && key.contains("answer: example.com submission & relay"), "{key}");
    std::fs::remove_dir_all(&dir).unwrap();
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]
    /// Any text, and any lesson with one byte changed, gives a result or located errors: never a panic.
    #[test]
    fn any_lesson_text_is_refused_or_read_without_panic(s in "\\PC{0,200}", at in 0usize..400, b in any::<u8>()) {
        let _ = Lesson::from_toml(&s);
        let mut bytes = GOOD.as_bytes().to_vec();
        let i = at % bytes.len();
        bytes[i] = b;
        if let Ok(text) = String::from_utf8(bytes) {
            if let Err(errors) = Lesson::from_toml(&text) {
                prop_assert!(!errors.is_empty());
            }
        }
    }
}

#[test]
fn a_question_holds_the_player_before_its_event() {
    use smtp_sim::player::{Intent, Player, STOPPED};
    let l = lesson::builtin("bounces").unwrap();
    let mut p = Player::builtin("unknown-user-bounce");
    let plan = l.plan(0, &p.trace).unwrap();
    let progress = Progress::new(&l);
    let gate = progress.stop_at(&l, &plan).unwrap();
    p.apply(Intent::StopAt(Some(gate)));
    for intent in [Intent::Last, Intent::Goto(gate + 5), Intent::Step(100)] {
        p.apply(intent);
        assert_eq!(p.step, gate, "stepping stops at the question");
    }
    assert_eq!(p.notice.as_deref(), Some(STOPPED), "and says why");
    p.apply(Intent::TogglePlay);
    assert!(!p.playing, "playing does not run past it either");
    p.apply(Intent::Step(-3));
    assert_eq!(p.step, gate - 3, "going back is free");
    p.apply(Intent::TogglePlay);
    for _ in 0..10 {
        p.apply(Intent::Tick);
    }
    assert_eq!((p.step, p.playing), (gate, false), "play stops at the question");
    p.apply(Intent::StopAt(None));
    p.apply(Intent::Step(1));
    assert_eq!(p.step, gate + 1, "answered: the event happens");
}

#[test]
fn a_session_opens_answers_moves_on_and_restores() {
    use smtp_sim::lesson::session::{Action, Teaching};
    let l = lesson::builtin("bounces").unwrap();
    let plan = l.plan(0, &trace_of("unknown-user-bounce")).unwrap();
    let mut t = Teaching::default();
    t.apply(Action::Open(l.clone(), Some("garbage".into())));
    let s = t.session.as_ref().unwrap();
    assert!(s.notice.as_deref().unwrap().contains("starts from the beginning"));
    let q = &plan.questions[0];
    t.apply(Action::Answer { q: 0, checked: q.check(q.expected()).unwrap(), target: q.target });
    assert!(t.session.as_ref().unwrap().last.is_some(), "the reveal shows");
    t.apply(Action::Seen(q.target));
    assert!(t.session.as_ref().unwrap().last.is_some(), "still on the event");
    t.apply(Action::Seen(q.target + 1));
    assert!(t.session.as_ref().unwrap().last.is_none(), "gone once past it");
    t.apply(Action::NextPart);
    let stored = t.session.as_ref().unwrap().progress.to_stored();
    t.apply(Action::NextPart);
    assert!(t.session.as_ref().unwrap().progress.finished, "after the last part: finished");
    let mut again = Teaching::default();
    again.apply(Action::Open(l.clone(), Some(stored)));
    let p = &again.session.as_ref().unwrap().progress;
    assert_eq!((p.part, p.score().right, p.finished), (1, 1, false), "resumed where it was");
    again.apply(Action::Restart);
    assert_eq!(again.session.as_ref().unwrap().progress, Progress::new(&l));
    again.apply(Action::Close);
    assert!(again.session.is_none());
}
