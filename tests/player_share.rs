//! The page's share links, embed parameters and downloads, yew-free (`player::link`,
//! `player::embed`, `player::export`): a link restores exactly the state it was made from, a bad
//! link opens the default scenario with a plain reason (and, arriving later, keeps the page),
//! hostile embed parameters become sentences, and the downloads are the CLI's files.

use proptest::prelude::*;
use smtp_sim::cli::export::ExportFormat;
use smtp_sim::player::embed::{self, Theme};
use smtp_sim::player::export;
use smtp_sim::player::link::is_link_fragment;
use smtp_sim::player::{Intent, Player, Tool, DEFAULT_SCENARIO};
use smtp_sim::share::{self, ScenarioRef, ShareState};
use smtp_sim::sim::scenario;

/// happy-path with a different fault: Bob's mailbox is gone (so the relay bounces), a new title.
fn edited_happy_path() -> scenario::Scenario {
    let mut s = scenario::builtin("happy-path").unwrap();
    s.title = "Edited: Bob has left <example.org> & \"friends\"".into();
    let mx = s.nodes.iter_mut().find(|n| n.id == "mx").unwrap();
    mx.mailboxes = vec!["carol@example.org".into()];
    s
}

fn assert_same_state(a: &Player, b: &Player) {
    assert_eq!(a.scenario_id, b.scenario_id);
    assert_eq!(*a.scenario, *b.scenario);
    assert_eq!(*a.trace, *b.trace);
    assert_eq!(a.step, b.step);
    assert_eq!(a.tool, b.tool);
    assert_eq!(a.selected, b.selected);
}

#[test]
fn a_link_restores_every_step_of_several_builtins() {
    for id in ["happy-path", "greylisting-retry", "unknown-user-bounce", "mx-fallback"] {
        let mut p = Player::builtin(id);
        assert!(!p.is_edited(), "{id}");
        for step in 0..p.len() {
            p.apply(Intent::Goto(step));
            p.tool = Tool::ALL[step % Tool::ALL.len()];
            if step % 3 == 0 && step > 0 {
                p.apply(Intent::Select(Some(step - 1)));
            }
            let link = p.share_link();
            assert!(link.starts_with(&format!("v{}.", smtp_sim::share::VERSION)), "{link}");
            assert!(matches!(share::decode(&link).unwrap().scenario, ScenarioRef::Builtin(_)), "a built-in travels by id");
            let q = Player::from_link(&link);
            assert_eq!(q.notice, None, "{id} step {step}");
            assert_same_state(&p, &q);
            assert_eq!(share::decode(&link).unwrap().panels, vec![p.tool.name().to_string()]);
        }
    }
}

#[test]
fn an_edited_scenario_travels_in_full_and_runs_the_same() {
    let s = edited_happy_path();
    let mut p = Player::from_scenario(s);
    assert!(p.is_edited());
    let builtin_len = Player::builtin("happy-path").len();
    assert_ne!(p.len(), builtin_len, "the edit changes the run");
    p.apply(Intent::Last);
    let link = p.share_link();
    assert!(matches!(share::decode(&link).unwrap().scenario, ScenarioRef::Custom(_)));
    let q = Player::from_link(&link);
    assert_eq!(q.notice, None);
    assert_same_state(&p, &q);
    assert!(q.trace.title.starts_with("Edited:"));
    // The address the page keeps in the bar carries the edit too.
    let loc = p.location(true);
    let (query, fragment) = loc.split_once('#').expect("an edited state needs the fragment");
    assert_same_state(&p, &Player::from_location(query, &format!("#{fragment}")));
}

#[test]
fn the_fragment_wins_over_the_query_and_other_fragments_are_anchors() {
    let mut p = Player::builtin("mx-fallback");
    p.apply(Intent::Goto(5));
    let link = p.share_link();
    let q = Player::from_location("?scenario=happy-path&step=3", &format!("#{link}"));
    assert_same_state(&p, &q);
    // The skip link's #main is not a share link.
    assert!(!is_link_fragment("#main"));
    assert!(!is_link_fragment(""));
    assert!(is_link_fragment("#v1.AAAA"));
    assert!(is_link_fragment("v2"));
    let q = Player::from_location("?scenario=happy-path&step=3", "#main");
    assert_eq!((q.scenario_id.as_str(), q.step, q.notice.clone()), ("happy-path", 2, None));
}

#[test]
fn the_address_is_the_plain_query_unless_something_needs_the_link() {
    let mut p = Player::builtin("happy-path");
    p.apply(Intent::Goto(4));
    assert_eq!(p.location(false), "?scenario=happy-path&step=5");
    p.apply(Intent::ShowTool(Tool::Dns));
    let loc = p.location(false);
    assert!(loc.starts_with(&format!("?scenario=happy-path&step=5#v{}.", smtp_sim::share::VERSION)), "{loc}");
    let (q, f) = loc.split_once('#').unwrap();
    assert_same_state(&p, &Player::from_location(q, f));
}

#[test]
fn a_bad_link_opens_the_default_scenario_and_says_why() {
    let mut p = Player::builtin("unknown-user-bounce");
    p.apply(Intent::Goto(10));
    let link = p.share_link();
    // Cut anywhere after the version: never a panic, always the default scenario with a reason.
    for cut in 3..link.len() {
        let q = Player::from_link(&link[..cut]);
        assert_eq!(q.scenario_id, DEFAULT_SCENARIO, "cut at {cut}");
        let notice = q.notice.clone().expect("a reason");
        assert!(notice.starts_with("This shared link could not be opened: "), "{notice}");
        assert!(notice.contains("default scenario"), "{notice}");
    }
    let newer = Player::from_link("v9.AAAA");
    assert!(newer.notice.unwrap().contains("newer smtp-sim (v9)"));
    let q = Player::from_location("", "#v1");
    assert_eq!(q.scenario_id, DEFAULT_SCENARIO);
    assert!(q.notice.unwrap().contains("\".\" after the version is missing"));
}

#[test]
fn a_bad_link_arriving_later_keeps_the_page_and_a_good_one_replaces_it() {
    let mut p = Player::from_scenario(edited_happy_path());
    p.apply(Intent::Goto(7));
    p.apply(Intent::SetSpeed(4.0));
    let before = p.clone();
    p.apply(Intent::OpenLink("v1.AAAR".into()));
    assert_same_state(&before, &p);
    let notice = p.notice.clone().unwrap();
    assert!(notice.contains("could not be opened") && notice.contains("What was on the page is kept."), "{notice}");
    let mut other = Player::builtin("greylisting-retry");
    other.apply(Intent::Goto(45));
    p.apply(Intent::OpenLink(other.share_link()));
    assert_same_state(&other, &p);
    assert_eq!(p.speed, 4.0, "the speed is the reader's, not the link's");
}

#[test]
fn from_share_clamps_and_reports_what_does_not_fit() {
    let state = ShareState {
        version: 1,
        scenario: ScenarioRef::Builtin("happy-path".into()),
        step: 100_000,
        panels: vec!["telescope".into(), "dns".into(), "queue".into()],
        selected: Some(99_999),
    };
    let p = Player::from_share(state);
    assert_eq!(p.step, p.last());
    assert_eq!(p.tool, Tool::Dns, "the first known panel");
    assert_eq!(p.selected, Some(99_999).filter(|&s| s <= p.step), "a selection past the step is dropped");
    let notice = p.notice.unwrap();
    assert!(notice.contains("past the end") && notice.contains("“telescope”"), "{notice}");
}

#[test]
fn embed_parameters_are_read_and_hostile_ones_reported() {
    assert!(embed::is_embed("?embed=1&scenario=x"));
    assert!(embed::is_embed("embed"));
    assert!(!embed::is_embed("?embed=0"));
    assert!(!embed::is_embed("?scenario=happy-path"));
    let o = embed::parse("?embed=1&theme=dark&controls=0&autoplay=1&speed=2&readonly=1&panels=inspector,editor,DNS,console");
    assert_eq!(o.theme, Theme::Dark);
    assert!(!o.controls && o.autoplay && o.readonly);
    assert_eq!(o.speed, Some(2.0));
    assert_eq!(o.panels, vec![Tool::Inspector, Tool::Dns], "readonly drops the editing tools");
    assert!(o.problems.is_empty(), "{:?}", o.problems);
    let d = embed::parse("?embed=1");
    assert_eq!((d.theme, d.controls, d.autoplay, d.readonly, d.speed, d.panels.is_empty()), (Theme::Auto, true, false, false, None, true));

    let o = embed::parse("?embed=1&theme=%3Cscript%3E&speed=NaN&speed=1e9&controls=maybe&panels=inspector,%3Cb%3Ex");
    assert_eq!(o.theme, Theme::Auto);
    assert_eq!(o.speed, None);
    assert!(o.controls);
    assert_eq!(o.panels, vec![Tool::Inspector]);
    let text = o.problems.join(" ");
    assert_eq!(o.problems.len(), 5, "{text}");
    assert!(text.contains("no theme “<script>”") && text.contains("“controls=maybe”") && text.contains("no panel “<b>x”"), "{text}");
}

#[test]
fn an_embed_starts_where_its_parameters_say() {
    let o = embed::parse("?embed=1&scenario=greylisting-retry&step=46&autoplay=1&speed=4&panels=dns,inspector&theme=nope");
    let p = embed::start("?embed=1&scenario=greylisting-retry&step=46&autoplay=1&speed=4&panels=dns,inspector&theme=nope", "", &o);
    assert_eq!((p.scenario_id.as_str(), p.step, p.playing, p.speed), ("greylisting-retry", 45, true, 4.0));
    assert_eq!(p.tool, Tool::Inspector, "the link's tool is kept when it is shown");
    assert!(p.notice.unwrap().contains("no theme “nope”"));

    // A share link in the fragment (or state=) wins over scenario=; step= still moves it.
    let mut src = Player::from_scenario(edited_happy_path());
    src.apply(Intent::Goto(20));
    let link = src.share_link();
    let o = embed::parse("?embed=1&scenario=mx-fallback");
    let p = embed::start("?embed=1&scenario=mx-fallback", &format!("#{link}"), &o);
    assert_same_state(&src, &p);
    let q = format!("?embed=1&state={link}&step=3");
    let p = embed::start(&q, "", &embed::parse(&q));
    assert_eq!((p.step, p.trace.title.starts_with("Edited:")), (2, true));
    let p = embed::start("?embed=1", "#v1.AAA", &embed::parse("?embed=1"));
    assert_eq!(p.scenario_id, DEFAULT_SCENARIO);
    assert!(p.notice.unwrap().contains("could not be opened"));
}

#[test]
fn the_snippet_and_the_open_link_carry_the_exact_state() {
    let mut p = Player::from_scenario(edited_happy_path());
    p.apply(Intent::Goto(12));
    let snippet = embed::snippet("https://example.org/sim/index.html", &p, true);
    assert!(
        snippet.starts_with(&format!("<iframe src=\"https://example.org/sim/index.html?embed=1#v{}.", smtp_sim::share::VERSION)),
        "{snippet}"
    );
    assert!(snippet.contains(" loading=\"lazy\""));
    assert!(snippet.contains("title=\"smtp-sim: Edited: Bob has left &lt;example.org&gt; &amp; &quot;friends&quot;\""), "{snippet}");
    assert!(snippet.contains("<script src=\"https://example.org/sim/www/embed.js\" async></script>"));
    let src = snippet.split('"').nth(1).unwrap();
    let (_, fragment) = src.split_once('#').unwrap();
    assert_same_state(&p, &Player::from_link(fragment));

    let open = embed::open_in_app("https://example.org/sim/", &p, true);
    let (base, fragment) = open.split_once('#').unwrap();
    assert_eq!(base, "https://example.org/sim/");
    assert_same_state(&p, &Player::from_link(fragment));
}

#[test]
fn downloads_are_the_cli_exports() {
    let p = Player::builtin("unknown-user-bounce");
    let stem = export::stem(&p.scenario_id, false);
    assert_eq!(stem, "unknown-user-bounce");
    assert_eq!(export::stem("../Évil id<>", true), "vil-id-edited");
    assert_eq!(export::stem("///", false), "scenario");

    let svg = export::svg(&p.trace, &stem);
    assert_eq!((svg.filename.as_str(), svg.mime), ("unknown-user-bounce.svg", "image/svg+xml"));
    assert!(svg.body.contains("<svg") && svg.body.contains("<title>"));
    let cli = |format| smtp_sim::cli::export::render(&p.trace, format, None, smtp_sim::diagram::Theme::Auto).unwrap();
    assert_eq!(svg.body.as_bytes(), cli(ExportFormat::Svg), "the CLI's SVG");
    let text = export::transcript(&p.trace, &stem);
    assert_eq!(text.body, p.trace.transcript());
    assert_eq!(text.body.as_bytes(), cli(ExportFormat::Text));
    let json = export::json(&p.trace, &stem);
    assert_eq!((json.filename.as_str(), json.mime), ("unknown-user-bounce-trace.json", "application/json"));
    assert_eq!(json.body.as_bytes(), cli(ExportFormat::Json), "the CLI's JSON");
    let back: smtp_sim::sim::trace::Trace = serde_json::from_str(&json.body).unwrap();
    assert_eq!(back, *p.trace);
    assert!(text.body.contains("550 5.1.1"));

    let list = export::messages(&p.trace, 0);
    assert_eq!(list.len(), p.trace.mailboxes.len());
    let bounce = list.iter().find(|m| m.is_bounce).expect("the run stores a bounce");
    assert!(!bounce.delivered_by_now, "not yet at step 1");
    assert!(export::messages(&p.trace, p.last()).iter().all(|m| m.delivered_by_now));
    let eml = export::eml(&p.trace, &stem, bounce.number).unwrap();
    assert_eq!(eml.filename, format!("unknown-user-bounce-bounce-{}.eml", bounce.number));
    assert!(eml.body.contains("multipart/report"));
    assert_eq!(eml.body, p.trace.mailboxes[bounce.number - 1].raw);
    assert_eq!(export::eml(&p.trace, &stem, 0), None);
    assert_eq!(export::eml(&p.trace, &stem, list.len() + 1), None);
}

proptest! {
    #[test]
    fn hostile_addresses_never_panic(query in ".{0,200}", fragment in "#?v?[0-9]?\\.?[A-Za-z0-9_%-]{0,80}") {
        let o = embed::parse(&query);
        let p = embed::start(&query, &fragment, &o);
        prop_assert!(p.step < p.len().max(1));
        let q = Player::from_location(&query, &fragment);
        prop_assert!(q.step < q.len().max(1));
    }
}
