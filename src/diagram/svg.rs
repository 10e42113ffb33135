//! A standalone SVG of a laid-out sequence diagram, readable without JavaScript.
//!
//! The document carries `role="img"` with a `<title>` (the scenario title) and a `<desc>` (its
//! goal and a summary in words); an embedded `<style>` holds a light and a dark palette
//! ([`Theme::Auto`] follows `prefers-color-scheme`). Every row is a `<g>` whose `<title>` child
//! holds the full label and its meaning, so tooltips and screen readers get the whole text even
//! where the visible label is cut. Reply classes are written as a word and a glyph
//! ("✓ done", "✗ failed"), never as colour alone, and bounce rows carry a "↩ bounce" tag.
//!
//! All text from the trace is XML-escaped, and characters XML 1.0 forbids are dropped, so a
//! hostile label (`<img src=x onerror=alert(1)>`, `]]>`, control characters) comes out as
//! inert text. Nothing from the trace is ever written into an attribute except as escaped text.

use core::fmt::Write;

use crate::sim::clock::format_time;
use crate::sim::trace::{Kind, Trace};
use crate::smtp::reply::ReplyClass;

use super::layout::{num, Diagram, Item, Row, Stroke, BOUNCE_TAG, DOT_RADIUS, LABEL_DY, NOTE_TEXT_DX, PULL_TAG, TEXT_DY};

/// Which palette the SVG uses.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Theme {
    Light,
    Dark,
    /// Light, or dark when the viewer prefers a dark colour scheme.
    #[default]
    Auto,
}

/// How to write the SVG.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SvgOptions {
    pub theme: Theme,
    /// The document title; the scenario title when `None`.
    pub title: Option<String>,
    /// Prefix of every `id` in the document, so several diagrams can share one HTML page
    /// (letters, digits, `-` and `_` are kept; `sd-` when empty).
    pub id_prefix: String,
}

struct Palette {
    bg: &'static str,
    fg: &'static str,
    muted: &'static str,
    lane: &'static str,
    head: &'static str,
    done: &'static str,
    goon: &'static str,
    later: &'static str,
    failed: &'static str,
    bounce: &'static str,
    bounce_bg: &'static str,
    dns: &'static str,
    gap: &'static str,
}

const LIGHT: Palette = Palette {
    bg: "#ffffff",
    fg: "#1f2328",
    muted: "#59636e",
    lane: "#8c959f",
    head: "#f6f8fa",
    done: "#1a7f37",
    goon: "#0969da",
    later: "#9a6700",
    failed: "#cf222e",
    bounce: "#8250df",
    bounce_bg: "#f5eeff",
    dns: "#6e7781",
    gap: "#eaeef2",
};

const DARK: Palette = Palette {
    bg: "#0d1117",
    fg: "#e6edf3",
    muted: "#9198a1",
    lane: "#6e7681",
    head: "#161b22",
    done: "#3fb950",
    goon: "#4493f8",
    later: "#d29922",
    failed: "#f85149",
    bounce: "#bc8cff",
    bounce_bg: "#271a3d",
    dns: "#9198a1",
    gap: "#21262d",
};

/// Writes the diagram `d` (laid out from `trace`) as a standalone SVG document.
pub fn to_svg(trace: &Trace, d: &Diagram, opts: &SvgOptions) -> String {
    let p = id_prefix(&opts.id_prefix);
    let o = &d.options;
    let mut out = String::with_capacity(4096 + d.rows.len() * 700);
    let title = match &opts.title {
        Some(t) => t.clone(),
        None if !trace.title.is_empty() => trace.title.clone(),
        None => trace.scenario.clone(),
    };
    let summary = summary_line(trace);

    let _ = write!(
        out,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"{p}root\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" role=\"img\" aria-labelledby=\"{p}title {p}desc\">\n",
        w = num(d.width),
        h = num(d.height)
    );
    let _ = writeln!(out, "<title id=\"{p}title\">{}</title>", esc(&title));
    let _ = writeln!(
        out,
        "<desc id=\"{p}desc\">{} {} How to read it: one row per event, time on the left; commands are solid arrows, replies dashed arrows with their class as a word and glyph ({}), DNS dotted; bounce rows are tagged “{}”; “⋯ later ⋯” bands mark jumps of time.</desc>",
        esc(&trace.goal),
        esc(&summary),
        ReplyClass::ALL.map(|c| format!("{} {}", c.icon(), c.words())).join(", "),
        BOUNCE_TAG
    );
    out.push_str("<style>\n");
    match opts.theme {
        Theme::Light => css(&mut out, &p, &LIGHT),
        Theme::Dark => css(&mut out, &p, &DARK),
        Theme::Auto => {
            css(&mut out, &p, &LIGHT);
            out.push_str("@media (prefers-color-scheme: dark) {\n");
            css(&mut out, &p, &DARK);
            out.push_str("}\n");
        }
    }
    out.push_str("</style>\n");
    let _ = writeln!(out, "<rect class=\"bg\" x=\"0\" y=\"0\" width=\"{}\" height=\"{}\"/>", num(d.width), num(d.height));

    // Heading: title, summary, legend.
    let chars = ((d.width - 2.0 * o.margin) / o.char_width).max(10.0) as usize;
    let _ = writeln!(
        out,
        "<text class=\"heading\" x=\"{}\" y=\"22\">{}</text>",
        num(o.margin),
        esc(&super::layout::fit(&title, chars * 3 / 4))
    );
    let _ = writeln!(out, "<text class=\"sub\" x=\"{}\" y=\"40\">{}</text>", num(o.margin), esc(&super::layout::fit(&summary, chars)));
    let _ = write!(out, "<text class=\"sub\" x=\"{}\" y=\"56\">Replies: ", num(o.margin));
    for (i, c) in ReplyClass::ALL.into_iter().enumerate() {
        let _ = write!(
            out,
            "{}<tspan class=\"cls {}\">{} {} ({}xx)</tspan>",
            if i == 0 { "" } else { " · " },
            c.css_class(),
            c.icon(),
            c.words(),
            i + 2
        );
    }
    let _ = writeln!(
        out,
        " · <tspan class=\"btag\">{BOUNCE_TAG}</tspan> · <tspan class=\"ptag\">{PULL_TAG}</tspan> (POP3/IMAP, thick) · commands solid, replies dashed, DNS dotted</text>"
    );

    // Lanes: header box and lifeline.
    out.push_str("<g class=\"lanes\">\n");
    let bottom = d.height - o.margin;
    for lane in &d.lanes {
        let bx = lane.x - d.lane_box_width / 2.0;
        let _ = writeln!(
            out,
            "<g class=\"lane\"><title>{}</title><line class=\"lifeline\" x1=\"{x}\" y1=\"{}\" x2=\"{x}\" y2=\"{}\"/><rect class=\"lanehead\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"4\"/><text class=\"lanetitle\" x=\"{x}\" y=\"{}\" text-anchor=\"middle\">{}</text><text class=\"lanesub\" x=\"{x}\" y=\"{}\" text-anchor=\"middle\">{}</text></g>",
            esc(&lane.tooltip),
            num(d.lifeline_top),
            num(bottom),
            num(bx),
            num(d.lanes_top),
            num(d.lane_box_width),
            num(d.lifeline_top - d.lanes_top - 6.0),
            num(d.lanes_top + 17.0),
            esc(&lane.title),
            num(d.lanes_top + 33.0),
            esc(&lane.subtitle),
            x = num(lane.x),
        );
    }
    out.push_str("</g>\n");

    // Connection spans behind the rows.
    out.push_str("<g class=\"spans\">\n");
    for s in &d.spans {
        for lane in [s.client_lane, s.server_lane] {
            if let Some(l) = d.lanes.get(lane) {
                let _ = writeln!(
                    out,
                    "<rect class=\"span\" x=\"{}\" y=\"{}\" width=\"8\" height=\"{}\"/>",
                    num(l.x - 4.0),
                    num(s.y0 - 6.0),
                    num(s.y1 - s.y0 + 12.0)
                );
            }
        }
    }
    out.push_str("</g>\n");

    // Gaps of virtual time.
    for g in &d.gaps {
        let _ = writeln!(
            out,
            "<g class=\"gap\"><title>{} … {}: {}</title><rect x=\"0\" y=\"{}\" width=\"{}\" height=\"{}\"/><text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text></g>",
            format_time(g.from),
            format_time(g.to),
            esc(&g.text),
            num(g.y + 3.0),
            num(d.width),
            num(g.height - 6.0),
            num(d.width / 2.0),
            num(g.y + g.height / 2.0 + 4.0),
            esc(&g.text)
        );
    }

    for r in &d.rows {
        row(&mut out, d, r);
    }
    out.push_str("</svg>\n");
    out
}

fn row(out: &mut String, d: &Diagram, r: &Row) {
    let o = &d.options;
    let bounce = r.item.bounce();
    let mut class = String::from("row");
    match &r.item {
        Item::Arrow(a) => {
            class.push_str(" arrow ");
            class.push_str(a.stroke.name());
            if let Some(c) = a.class {
                class.push(' ');
                class.push_str(c.css_class());
            } else if a.stroke == Stroke::Dotted {
                class.push_str(" dns");
            }
            if a.pulls() {
                class.push_str(" pull");
            }
        }
        Item::Note(_) => class.push_str(" note"),
    }
    class.push(' ');
    class.push_str(kind_class(r.item.kind()));
    if bounce {
        class.push_str(" bounce");
    }
    let _ = write!(out, "<g class=\"{class}\" data-seq=\"{}\"><title>{}</title>", r.seq, esc(&r.tooltip));
    if bounce {
        let _ = write!(
            out,
            "<rect class=\"bounce-band\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"3\"/>",
            num(o.margin / 2.0),
            num(r.y + 1.0),
            num(d.width - o.margin),
            num(r.height - 2.0)
        );
    }
    if r.new_time {
        let _ = write!(out, "<text class=\"time\" x=\"{}\" y=\"{}\">{}</text>", num(o.margin), num(r.line_y + TEXT_DY), esc(&r.time_label));
    }
    match &r.item {
        Item::Arrow(a) => {
            let (x1, x2) = a.line_x();
            let _ = write!(
                out,
                "<line x1=\"{}\" y1=\"{y}\" x2=\"{}\" y2=\"{y}\"/><path class=\"head\" d=\"{}\"/>",
                num(x1),
                num(x2),
                a.head_path(r.line_y),
                y = num(r.line_y)
            );
            let _ = write!(
                out,
                "<text class=\"label halo\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}",
                num(a.mid_x()),
                num(r.line_y - LABEL_DY),
                esc(&a.label)
            );
            if let (Some(c), Some(tag)) = (a.class, a.class_tag()) {
                let _ = write!(out, "<tspan class=\"cls {}\">{tag}</tspan>", c.css_class());
            }
            if a.bounce {
                let _ = write!(out, "<tspan class=\"btag\"> {BOUNCE_TAG}</tspan>");
            }
            if a.pulls() {
                let _ = write!(out, "<tspan class=\"ptag\"> {PULL_TAG}</tspan>");
            }
            out.push_str("</text>");
        }
        Item::Note(n) => {
            let _ = write!(out, "<circle cx=\"{}\" cy=\"{}\" r=\"{}\"/>", num(n.x), num(r.line_y), num(DOT_RADIUS));
            let _ = write!(out, "<text class=\"label halo\" x=\"{}\" y=\"{}\">", num(n.x + NOTE_TEXT_DX), num(r.line_y + TEXT_DY));
            if let Some(icon) = n.icon {
                let _ = write!(out, "<tspan class=\"icon\">{icon} </tspan>");
            }
            out.push_str(&esc(&n.text));
            if n.bounce {
                let _ = write!(out, "<tspan class=\"btag\"> {BOUNCE_TAG}</tspan>");
            }
            out.push_str("</text>");
        }
    }
    for (i, line) in r.narration.iter().enumerate() {
        let (x, y) = r.narration_at(d, i);
        let _ = write!(
            out,
            "<text class=\"narr halo\" x=\"{}\" y=\"{}\">{}{}</text>",
            num(x),
            num(y),
            if i == 0 { "» " } else { "  " },
            esc(line)
        );
    }
    out.push_str("</g>\n");
}

fn kind_class(k: Kind) -> &'static str {
    k.as_str()
}

fn summary_line(trace: &Trace) -> String {
    format!("{} events, {} nodes, ends at {}: {}.", trace.events.len(), trace.nodes.len(), format_time(trace.end), trace.summary.sentence())
}

fn css(out: &mut String, p: &str, c: &Palette) {
    let s = format!("#{p}root");
    let _ = write!(
        out,
        "{s} .bg{{fill:{bg}}}\n\
         {s} text{{fill:{fg};font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,\"DejaVu Sans Mono\",monospace;font-size:12px}}\n\
         {s} .heading{{font-size:16px;font-weight:bold;font-family:system-ui,sans-serif}}\n\
         {s} .sub{{fill:{muted};font-size:11px}}\n\
         {s} .halo{{paint-order:stroke;stroke:{bg};stroke-width:4px;stroke-linejoin:round}}\n\
         {s} .lifeline{{stroke:{lane};stroke-width:1.5}}\n\
         {s} .lanehead{{fill:{head};stroke:{lane}}}\n\
         {s} .lanetitle{{font-weight:bold;font-family:system-ui,sans-serif;font-size:13px}}\n\
         {s} .lanesub{{fill:{muted};font-size:10px}}\n\
         {s} .span{{fill:{lane};opacity:0.35}}\n\
         {s} .gap rect{{fill:{gap}}}\n\
         {s} .gap text{{fill:{muted};font-style:italic;font-weight:bold}}\n\
         {s} .time{{fill:{muted};font-size:11px}}\n\
         {s} .row line{{stroke:{fg};stroke-width:1.5}}\n\
         {s} .row.dashed line{{stroke-dasharray:6 4}}\n\
         {s} .row.dotted line{{stroke-dasharray:2 3;stroke:{dns}}}\n\
         {s} .row .head{{fill:{fg}}}\n\
         {s} .row.dotted .head{{fill:{dns}}}\n\
         {s} .row.outcome-done line{{stroke:{done}}}\n\
         {s} .row.outcome-go-on line{{stroke:{goon}}}\n\
         {s} .row.outcome-try-later line{{stroke:{later}}}\n\
         {s} .row.outcome-failed line{{stroke:{failed}}}\n\
         {s} .row.outcome-done .head{{fill:{done}}}\n\
         {s} .row.outcome-go-on .head{{fill:{goon}}}\n\
         {s} .row.outcome-try-later .head{{fill:{later}}}\n\
         {s} .row.outcome-failed .head{{fill:{failed}}}\n\
         {s} .row.pull line{{stroke-width:3.5}}\n\
         {s} .ptag{{font-weight:bold}}\n\
         {s} .row.bounce line{{stroke:{bounce};stroke-width:2.5}}\n\
         {s} .row.bounce .head{{fill:{bounce}}}\n\
         {s} .note circle{{fill:{fg}}}\n\
         {s} .note.bounce circle{{fill:{bounce}}}\n\
         {s} .bounce-band{{fill:{bounce_bg};stroke:{bounce};stroke-width:1}}\n\
         {s} .bounce .halo{{stroke:{bounce_bg}}}\n\
         {s} .cls{{font-weight:bold}}\n\
         {s} .cls.outcome-done{{fill:{done}}}\n\
         {s} .cls.outcome-go-on{{fill:{goon}}}\n\
         {s} .cls.outcome-try-later{{fill:{later}}}\n\
         {s} .cls.outcome-failed{{fill:{failed}}}\n\
         {s} .btag{{fill:{bounce};font-weight:bold}}\n\
         {s} .narr{{fill:{muted};font-style:italic;font-family:system-ui,sans-serif}}\n",
        bg = c.bg,
        fg = c.fg,
        muted = c.muted,
        lane = c.lane,
        head = c.head,
        done = c.done,
        goon = c.goon,
        later = c.later,
        failed = c.failed,
        bounce = c.bounce,
        bounce_bg = c.bounce_bg,
        dns = c.dns,
        gap = c.gap,
    );
}

/// The id prefix reduced to characters safe in an XML name and a CSS selector.
fn id_prefix(p: &str) -> String {
    let kept: String = p.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect();
    match kept.chars().next() {
        None => "sd-".into(),
        Some(c) if c.is_ascii_alphabetic() => kept,
        Some(_) => format!("sd-{kept}"),
    }
}

/// Text as XML character data: markup characters escaped, characters XML 1.0 forbids
/// (controls other than tab/LF/CR, U+FFFE, U+FFFF) dropped.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            '\u{0}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}' => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_makes_markup_inert() {
        assert_eq!(esc("<img src=x onerror=alert(1)>"), "&lt;img src=x onerror=alert(1)&gt;");
        assert_eq!(esc("]]>&\"'"), "]]&gt;&amp;&quot;&apos;");
        assert_eq!(esc("a\u{0}b\u{1b}c\u{ffff}d\te"), "abcd\te");
    }

    #[test]
    fn numbers_and_prefixes() {
        assert_eq!(num(12.0), "12");
        assert_eq!(num(12.34), "12.3");
        assert_eq!(num(f32::NAN), "0");
        assert_eq!(id_prefix(""), "sd-");
        assert_eq!(id_prefix("a\"b<c"), "abc");
        assert_eq!(id_prefix("9x"), "sd-9x");
    }
}
