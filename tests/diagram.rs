//! The sequence-diagram layout and its SVG writer, on every built-in scenario and on hostile
//! and very large traces: one row per event, rows going down, arrows on their lanes, time
//! gaps where retries wait, every reply in the SVG, a well-formed SVG whose
//! structure is checked as a parsed document (`tests/common/svg.rs`: lanes, rows, texts), inert
//! hostile text, and `visible_rows` agreeing with a linear scan.

mod common;

use common::svg::check_svg;
use smtp_sim::diagram::{layout, to_svg, visible_gaps, visible_rows, Diagram, Item, LaneRole, LayoutOptions, SvgOptions, Theme};
use smtp_sim::sim::scenario::{builtin, Scenario, BUILTIN};
use smtp_sim::sim::trace::{Event, Kind, Layer, Trace};
use smtp_sim::sim::world;

fn run(id: &str) -> Trace {
    world::run(&builtin(id).unwrap_or_else(|| panic!("built-in {id} loads")))
}

/// XML escaping as the SVG writer must do it (for looking text up in the output).
fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&apos;")
}

/// The structural promises of a layout, for any trace.
fn check_layout(name: &str, t: &Trace, d: &Diagram) {
    assert_eq!(d.rows.len(), t.events.len(), "{name}: one row per event");
    for (r, e) in d.rows.iter().zip(&t.events) {
        assert_eq!(r.seq, e.seq, "{name}: rows in trace order");
        assert!(r.height > 0.0 && r.line_y > r.y && r.line_y < r.y + r.height, "{name}: row {} geometry", r.seq);
        assert!(r.y + r.height <= d.height, "{name}: row {} inside the picture", r.seq);
        let lane_x = |id: &str| d.lanes.iter().find(|l| l.node_id == id).map(|l| l.x);
        match &r.item {
            Item::Arrow(a) => {
                let to = e.to.as_deref().expect("arrows only for events with a receiver");
                assert_eq!(Some(a.from_x), lane_x(&e.from), "{name}: row {} starts on its sender's lane", r.seq);
                assert_eq!(Some(a.to_x), lane_x(to), "{name}: row {} ends on its receiver's lane", r.seq);
                assert_eq!(a.from_x, d.lanes[a.from_lane].x);
                assert_eq!(a.to_x, d.lanes[a.to_lane].x);
                assert_eq!(a.class, e.class(), "{name}: reply class");
                assert_eq!(a.class_tag().is_some(), e.class().is_some(), "{name}: reply class as a glyph and a word");
                assert!(a.title.contains(e.label.trim()) || e.label.chars().any(char::is_control), "{name}: full label kept");
            }
            Item::Note(n) => {
                assert!(e.to.is_none() || e.to.as_deref() == Some(e.from.as_str()), "{name}: notes only for one-lane events");
                assert_eq!(Some(n.x), lane_x(&e.from), "{name}: note {} on its lane", r.seq);
            }
        }
        assert_eq!(r.item.bounce(), e.bounce, "{name}: bounce flag kept");
        assert_eq!(r.item.kind(), e.kind);
    }
    for w in d.rows.windows(2) {
        assert!(w[1].y > w[0].y, "{name}: y strictly increasing ({} then {})", w[0].y, w[1].y);
        assert!(w[1].y >= w[0].y + w[0].height, "{name}: rows do not overlap");
    }
    for l in &d.lanes {
        assert!(l.x > d.lanes_left && l.x < d.width, "{name}: lane {} inside the picture", l.node_id);
    }
    for g in &d.gaps {
        let next = &d.rows[g.before_row];
        assert!(g.y + g.height <= next.y, "{name}: gap before its row");
        if g.before_row > 0 {
            let prev = &d.rows[g.before_row - 1];
            assert!(prev.y + prev.height <= g.y, "{name}: gap after the previous row");
        }
    }
}

#[test]
fn every_builtin_scenario_lays_out() {
    for (id, _) in BUILTIN {
        let t = run(id);
        let d = layout(&t, &LayoutOptions::default());
        check_layout(id, &t, &d);
        assert_eq!(d.lanes.len(), t.nodes.len(), "{id}: one lane per node");
        assert_eq!(d.lanes.last().map(|l| l.node_id.as_str()), Some("dns"), "{id}: dns last");
        assert_eq!(d.lanes.last().map(|l| l.role), Some(LaneRole::Dns));
        let roles: Vec<LaneRole> = d.lanes.iter().map(|l| l.role).collect();
        let first_server = roles.iter().position(|r| *r != LaneRole::Client).unwrap_or(roles.len());
        assert!(roles[first_server..].iter().all(|r| *r != LaneRole::Client), "{id}: clients first: {roles:?}");
        assert!(d.lanes.windows(2).all(|w| w[0].x < w[1].x), "{id}: lanes left to right");
    }
}

#[test]
fn servers_are_ordered_by_first_appearance() {
    let t = run("unknown-user-bounce");
    let d = layout(&t, &LayoutOptions::default());
    let ids: Vec<&str> = d.lanes.iter().map(|l| l.node_id.as_str()).collect();
    assert_eq!(ids, ["alice", "relay", "mx", "dns"]);
    assert!(d.lanes[0].subtitle.contains("mail program"), "{}", d.lanes[0].subtitle);
    assert!(d.lanes[1].subtitle.contains("smtp.example.com") || d.lanes[1].tooltip.contains("smtp.example.com"));
}

#[test]
fn retries_and_waits_show_as_gaps() {
    let t = run("greylisting-retry");
    let d = layout(&t, &LayoutOptions::default());
    assert!(d.gaps.iter().any(|g| g.text == "⋯ 5m later ⋯"), "greylisting gaps: {:?}", d.gaps.iter().map(|g| &g.text).collect::<Vec<_>>());
    let t = run("destination-down-expiry");
    let d = layout(&t, &LayoutOptions::default());
    assert!(d.gaps.len() >= 2, "destination-down-expiry retries: {:?}", d.gaps.iter().map(|g| &g.text).collect::<Vec<_>>());
    for g in &d.gaps {
        assert!(g.to - g.from > d.options.gap_threshold);
        assert!(g.text.starts_with("⋯ ") && g.text.ends_with(" later ⋯"));
    }
    let t = run("happy-path");
    assert!(layout(&t, &LayoutOptions::default()).gaps.is_empty(), "no gaps when time flows evenly");
}

#[test]
fn replies_are_dashed_dns_dotted_and_bounces_flagged() {
    use smtp_sim::diagram::Stroke;
    let t = run("unknown-user-bounce");
    let d = layout(&t, &LayoutOptions::default());
    for (r, e) in d.rows.iter().zip(&t.events) {
        if let Item::Arrow(a) = &r.item {
            let expected = if e.layer == Layer::Dns {
                Stroke::Dotted
            } else if e.kind == Kind::Reply {
                Stroke::Dashed
            } else {
                Stroke::Solid
            };
            assert_eq!(a.stroke, expected, "row {}", r.seq);
        }
    }
    assert!(d.rows.iter().any(|r| r.item.bounce()), "the bounce rows are flagged");
    let svg = to_svg(&t, &d, &SvgOptions::default());
    assert!(svg.contains("class=\"btag\"> ↩ bounce</tspan>"), "bounce tag written");
    assert!(svg.contains("bounce-band"), "bounce rows set apart");
    let failed = svg.find("550 5.1.1").expect("the 550 is drawn");
    assert!(svg[failed..].contains("✗ failed"), "class word and glyph next to the label");
}

#[test]
fn every_reply_appears_in_the_svg_and_the_svg_is_valid_xml() {
    for (i, (id, _)) in BUILTIN.iter().enumerate() {
        let t = run(id);
        let d = layout(&t, &LayoutOptions::default());
        let theme = [Theme::Auto, Theme::Light, Theme::Dark][i % 3];
        let svg = to_svg(&t, &d, &SvgOptions { theme, ..SvgOptions::default() });
        for (e, r) in t.events.iter().zip(&d.rows) {
            if e.kind != Kind::Reply {
                continue;
            }
            assert!(svg.contains(&esc(&e.label)), "{id}: reply {:?} is not in the SVG", e.label);
            if let Item::Arrow(a) = &r.item {
                // A reply with a class has its class word next to it; IMAP's untagged data has
                // none (RFC 9051 §7: data, not a status), and a pull arrow says "⤓ pull".
                let next = if a.class.is_some() { "<tspan class=\"cls" } else { "<tspan class=\"ptag" };
                assert!(svg.contains(&format!(">{}{next}", esc(&a.label))), "{id}: visible label {:?} not drawn", a.label);
            }
        }
        assert!(svg.starts_with("<?xml"), "{id}");
        assert!(svg.contains("role=\"img\"") && svg.contains("aria-labelledby="), "{id}: accessible name");
        assert!(svg.contains(&format!("<title id=\"sd-title\">{}</title>", esc(&t.title))), "{id}: title");
        assert!(svg.contains(&esc(&t.goal)), "{id}: goal in desc");
        assert_eq!(svg.contains("prefers-color-scheme: dark"), theme == Theme::Auto, "{id}: theme {theme:?}");
        check_svg(id, &svg, &d, &t.title);
    }
}

const HOSTILE: &str = "<img src=x onerror=alert(1)>";

#[test]
fn hostile_scenario_text_comes_out_escaped() {
    let (_, source) = BUILTIN.iter().find(|(id, _)| *id == "happy-path").expect("happy-path");
    let source = source
        .replace("name = \"Alice's laptop\"", &format!("name = '{HOSTILE}'"))
        .replace("subject = \"Lunch on Friday?\"", &format!("subject = '{HOSTILE} ]]> &amp;'"));
    let scenario = Scenario::from_toml(&source).unwrap_or_else(|e| panic!("hostile scenario loads: {e:?}"));
    let t = world::run(&scenario);
    assert!(t.nodes.iter().any(|n| n.name == HOSTILE), "the hostile name reached the trace");
    assert!(t.events.iter().any(|e| e.label.contains(HOSTILE)), "the hostile subject reached a label");
    let d = layout(&t, &LayoutOptions::default());
    let svg = to_svg(&t, &d, &SvgOptions::default());
    assert!(!svg.contains("<img"), "markup from the scenario must not survive");
    assert!(svg.contains(&esc(HOSTILE)), "the hostile text is shown as text");
    assert!(!svg.contains("]]>"), "]]> is escaped");
    assert!(svg.contains("&amp;amp;"), "& is escaped");
    check_svg("hostile scenario", &svg, &d, &t.title);
}

#[test]
fn hostile_trace_text_and_control_characters_are_inert() {
    let mut t = run("unknown-user-bounce");
    t.title = format!("{HOSTILE}]]>");
    t.goal = "<script>alert(1)</script>\u{0}\u{b}".into();
    t.nodes[0].name = "</text><script>x</script>".into();
    for (i, e) in t.events.iter_mut().enumerate() {
        match i % 4 {
            0 => e.label = format!("{HOSTILE} ]]> \u{0}\u{1b}[31m\u{7f}\u{85}\u{fffe}\u{ffff} <![CDATA[x]]>"),
            1 => e.meaning = "a\r\nb\u{1}c & <b>".into(),
            2 => e.narration = Some("\u{0}<svg onload=alert(1)>".into()),
            _ => e.to = e.to.as_ref().map(|_| "ghost<node>".into()),
        }
    }
    let d = layout(&t, &LayoutOptions::default());
    check_layout("hostile trace", &t, &d);
    assert!(d.lanes.iter().any(|l| l.node_id == "ghost<node>"), "unknown receivers get a lane");
    let svg = to_svg(&t, &d, &SvgOptions { theme: Theme::Dark, title: None, id_prefix: "x\"><script>".into() });
    for bad in ["<img", "<script", "<svg onload", "<![CDATA", "<b>", "\u{0}", "\u{1b}", "\u{1}", "\u{b}", "\u{fffe}", "\u{ffff}", "]]>"] {
        assert!(!svg.contains(bad), "{bad:?} must not appear in the SVG");
    }
    assert!(svg.contains("␛[31m"), "escape characters are shown as control pictures");
    check_svg("hostile trace", &svg, &d, &t.title);
}

#[test]
fn long_labels_are_cut_with_the_full_text_kept() {
    let mut t = run("happy-path");
    let long = "250-".to_string() + &"VERYLONGEXTENSION ".repeat(20);
    let i = t.events.iter().position(|e| e.kind == Kind::Reply).expect("a reply");
    t.events[i].label = long.clone();
    let d = layout(&t, &LayoutOptions::default());
    let Item::Arrow(a) = &d.rows[i].item else { panic!("a reply is an arrow") };
    assert!(a.label.ends_with('…') && a.label.chars().count() < long.chars().count(), "{}", a.label);
    assert_eq!(a.title, long);
    assert!(d.rows[i].tooltip.contains(&long));
}

/// A trace of `n` events: happy-path repeated, each copy 10 minutes after the previous one.
fn synthetic(n: usize) -> Trace {
    let base = run("happy-path");
    let mut t = base.clone();
    t.events.clear();
    let mut copy = 0u64;
    while t.events.len() < n {
        for e in &base.events {
            if t.events.len() == n {
                break;
            }
            let mut e: Event = e.clone();
            e.seq = t.events.len();
            e.time += copy * 600_000;
            e.conn = e.conn.map(|c| c + copy as u32 * 1000);
            t.events.push(e);
        }
        copy += 1;
    }
    t.end = t.events.last().map_or(0, |e| e.time);
    t
}

#[test]
fn visible_rows_matches_a_linear_scan_on_10000_events() {
    let t = synthetic(10_000);
    let d = layout(&t, &LayoutOptions::default());
    check_layout("synthetic", &t, &d);
    assert!(d.gaps.len() > 100, "a gap between copies");
    let linear = |y0: f32, y1: f32| {
        let idx: Vec<usize> = (0..d.rows.len()).filter(|&i| d.rows[i].y + d.rows[i].height > y0 && d.rows[i].y < y1).collect();
        match (idx.first(), idx.last()) {
            (Some(&a), Some(&b)) => a..b + 1,
            _ => 0..0,
        }
    };
    let mut windows =
        vec![(-100.0, 0.0), (0.0, 800.0), (d.height - 500.0, d.height + 100.0), (d.height + 10.0, d.height + 900.0), (1e9, 2e9)];
    for k in 0..200 {
        let y0 = d.height * k as f32 / 200.0 - 37.0;
        windows.push((y0, y0 + 700.0));
    }
    let g = &d.gaps[7];
    windows.push((g.y + 1.0, g.y + g.height - 1.0));
    for (y0, y1) in windows {
        let got = visible_rows(&d, y0, y1);
        let want = linear(y0, y1);
        if want.is_empty() {
            assert!(got.is_empty(), "window {y0}..{y1}: got {got:?}, expected none");
        } else {
            assert_eq!(got, want, "window {y0}..{y1}");
        }
    }
    let r = visible_rows(&d, 0.0, 800.0);
    assert!(r.start == 0 && r.end > 10 && r.end < 60, "first screen: {r:?}");
    let inside_gap = visible_rows(&d, g.y + 1.0, g.y + g.height - 1.0);
    assert!(inside_gap.is_empty(), "a window inside a gap shows no row: {inside_gap:?}");
    assert_eq!(visible_gaps(&d, g.y + 1.0, g.y + 2.0), 7..8);
}

#[test]
fn layout_of_10000_events_stays_linear_in_size() {
    let t = synthetic(10_000);
    let d = layout(&t, &LayoutOptions::default());
    let svg = to_svg(&t, &d, &SvgOptions::default());
    assert!(svg.len() < 10_000 * 1_500, "SVG size per row stays bounded: {} bytes", svg.len());
}

#[test]
fn the_diagram_module_stays_pure() {
    // The same rule tests/tidy.rs applies to src/smtp and src/sim: the layout is compiled for
    // the browser and reused by exports, so no UI crate, real clock or I/O.
    const FORBIDDEN: &[&str] =
        &["yew", "web_sys", "gloo", "std::time", "Instant", "SystemTime", "std::net", "std::fs", "std::io", "println", "TcpStream"];
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/diagram");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).expect("src/diagram exists").flatten() {
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        seen += 1;
        let text = std::fs::read_to_string(&path).expect("readable");
        assert!(text.trim_start().starts_with("//!"), "{} must start with a //! doc", path.display());
        for (n, line) in text.lines().enumerate() {
            let code = line.find("//").map_or(line, |i| &line[..i]);
            for w in FORBIDDEN {
                let hit = code.match_indices(w).any(|(i, _)| {
                    let ident = |c: char| c.is_alphanumeric() || c == '_';
                    !code[..i].chars().next_back().is_some_and(ident) && !code[i + w.len()..].chars().next().is_some_and(ident)
                });
                assert!(!hit, "{}:{}: `{w}` is not allowed in src/diagram: {}", path.display(), n + 1, line.trim());
            }
        }
    }
    assert!(seen >= 3, "src/diagram has its files");
}
