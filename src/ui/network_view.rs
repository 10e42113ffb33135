//! The network view: every host of the scenario as a labelled box (name, role, host, domains),
//! the links that carry traffic in this run, the hop of the current step highlighted (thick
//! outline and a "sending"/"receiving" tag, not colour alone) with a small envelope travelling
//! along it, and queue/mailbox/bounce counts as badges with words.
//!
//! Drawn twice from the same data: a row for wide screens and a column for phones (CSS shows
//! one), so the text stays readable at both sizes. The envelope's trip is a CSS animation
//! restarted by giving it a new key per step; `prefers-reduced-motion` makes it land at once.

use std::collections::BTreeSet;

use yew::prelude::*;

use super::model::use_player;
use super::panel::Panel;
use crate::player::view::{who, View};
use crate::sim::trace::{Kind, NodeInfo, Trace};

const W: f32 = 196.0;
const H: f32 = 146.0;
const DNS_W: f32 = 120.0;
const DNS_H: f32 = 52.0;

#[derive(Clone, Copy, PartialEq)]
enum Orientation {
    Row,
    Column,
}

#[derive(Clone, Copy)]
struct BoxAt {
    x: f32,
    y: f32,
    w: f32,
    h: f32,
    /// Position in the row/column (DNS: none).
    slot: Option<usize>,
}

impl BoxAt {
    fn centre(&self) -> (f32, f32) {
        (self.x + self.w / 2.0, self.y + self.h / 2.0)
    }
}

struct Geometry {
    boxes: Vec<BoxAt>,
    width: f32,
    height: f32,
    o: Orientation,
}

/// Mail programs first, then servers, in the trace's order; DNS last.
fn order(trace: &Trace) -> Vec<&NodeInfo> {
    let mut v: Vec<&NodeInfo> = trace.nodes.iter().filter(|n| n.id != "dns" && n.role.is_mail_program()).collect();
    v.extend(trace.nodes.iter().filter(|n| n.id != "dns" && !n.role.is_mail_program()));
    v.extend(trace.nodes.iter().filter(|n| n.id == "dns"));
    v
}

fn geometry(nodes: &[&NodeInfo], o: Orientation) -> Geometry {
    let hosts = nodes.iter().filter(|n| n.id != "dns").count().max(1);
    let mut boxes = Vec::with_capacity(nodes.len());
    let mut slot = 0;
    let (width, height);
    match o {
        Orientation::Row => {
            let gap = 64.0;
            let top = 64.0;
            width = 16.0 * 2.0 + hosts as f32 * W + (hosts as f32 - 1.0) * gap;
            for n in nodes {
                if n.id == "dns" {
                    boxes.push(BoxAt { x: width / 2.0 - DNS_W / 2.0, y: top + H + 72.0, w: DNS_W, h: DNS_H, slot: None });
                } else {
                    boxes.push(BoxAt { x: 16.0 + slot as f32 * (W + gap), y: top, w: W, h: H, slot: Some(slot) });
                    slot += 1;
                }
            }
            height = top + H + 72.0 + DNS_H + 16.0;
        }
        Orientation::Column => {
            let gap = 56.0;
            let left = 150.0;
            let bw = 220.0;
            let col_h = hosts as f32 * H + (hosts as f32 - 1.0) * gap;
            width = left + bw + 40.0 + 96.0 + 8.0;
            for n in nodes {
                if n.id == "dns" {
                    boxes.push(BoxAt { x: left + bw + 40.0, y: 24.0 + col_h / 2.0 - DNS_H / 2.0, w: 96.0, h: DNS_H, slot: None });
                } else {
                    boxes.push(BoxAt { x: left, y: 24.0 + slot as f32 * (H + gap), w: bw, h: H, slot: Some(slot) });
                    slot += 1;
                }
            }
            height = 24.0 + col_h + 24.0;
        }
    }
    Geometry { boxes, width, height, o }
}

/// The path of a link: start, control point, end (a straight link has its control point in the
/// middle; a link that would cross another box arches around it).
fn link(g: &Geometry, a: usize, b: usize) -> ((f32, f32), (f32, f32), (f32, f32)) {
    let (p0, p2) = (g.boxes[a].centre(), g.boxes[b].centre());
    let mid = ((p0.0 + p2.0) / 2.0, (p0.1 + p2.1) / 2.0);
    let skip = match (g.boxes[a].slot, g.boxes[b].slot) {
        (Some(i), Some(j)) => i.abs_diff(j) > 1,
        _ => false,
    };
    let c = if skip {
        match g.o {
            Orientation::Row => (mid.0, mid.1 - (H + 80.0)),
            Orientation::Column => (mid.0 - 2.0 * 134.0, mid.1),
        }
    } else {
        mid
    };
    (p0, c, p2)
}

fn bezier(p: ((f32, f32), (f32, f32), (f32, f32)), t: f32) -> (f32, f32) {
    let (a, c, b) = p;
    let u = 1.0 - t;
    (u * u * a.0 + 2.0 * u * t * c.0 + t * t * b.0, u * u * a.1 + 2.0 * u * t * c.1 + t * t * b.1)
}

fn cut(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

/// Words of `s` in at most `lines` lines of `n` characters; the last line is cut with "…" when
/// the text does not fit (the box's `<title>` has it all).
fn wrap(s: &str, n: usize, lines: usize) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut words = s.split_whitespace().peekable();
    while let Some(w) = words.next() {
        let len = cur.chars().count();
        if len > 0 && len + 1 + w.chars().count() > n {
            if out.len() + 1 == lines {
                let rest: Vec<&str> = std::iter::once(w).chain(words).collect();
                cur = cut(&format!("{cur} {}", rest.join(" ")), n);
                break;
            }
            out.push(std::mem::take(&mut cur));
        }
        if !cur.is_empty() {
            cur.push(' ');
        }
        cur.push_str(w);
    }
    if !cur.is_empty() {
        out.push(cut(&cur, n));
    }
    out
}

/// The curve parameter where the path leaves box `a` (searching from the start) or, with
/// `from_end`, enters box `b`, so the envelope travels between the boxes, never over their text.
fn edge_t(p: ((f32, f32), (f32, f32), (f32, f32)), b: &BoxAt, from_end: bool) -> f32 {
    // Half the envelope's size as a margin, so it clears the outline — and above the box, the
    // "sending"/"receiving" tag too (24 units high).
    let inside = |(x, y): (f32, f32)| x > b.x - 18.0 && x < b.x + b.w + 18.0 && y > b.y - 34.0 && y < b.y + b.h + 12.0;
    let steps = 100;
    for i in 0..=steps {
        let t = if from_end { 1.0 - i as f32 / steps as f32 } else { i as f32 / steps as f32 };
        if !inside(bezier(p, t)) {
            return t;
        }
    }
    if from_end { 0.78 } else { 0.22 }
}

fn draw(view: &View, nodes: &[&NodeInfo], pairs: &BTreeSet<(usize, usize)>, o: Orientation, step: usize) -> Html {
    let g = geometry(nodes, o);
    let idx = |id: &str| nodes.iter().position(|n| n.id == id);
    let hop = view.hop.as_ref().and_then(|h| Some((idx(&h.from)?, idx(&h.to)?, h)));
    let active_pair = hop.map(|(a, b, _)| (a.min(b), a.max(b)));
    let links = pairs.iter().map(|&(a, b)| {
        let p = link(&g, a, b);
        let d = format!("M{} {} Q{} {} {} {}", p.0 .0, p.0 .1, p.1 .0, p.1 .1, p.2 .0, p.2 .1);
        let active = active_pair == Some((a, b));
        let dns = nodes[a].id == "dns" || nodes[b].id == "dns";
        html! { <path class={classes!("net-link", dns.then_some("dns"), active.then_some("active"))} d={d} /> }
    });
    let boxes = nodes.iter().enumerate().map(|(i, n)| {
        let b = g.boxes[i];
        let counts = view.node(&n.id).cloned().unwrap_or_default();
        let role = match hop {
            Some((a, _, _)) if a == i => Some("sending"),
            Some((_, z, _)) if z == i => Some("receiving"),
            _ => None,
        };
        let is_dns = n.id == "dns";
        let chars = ((b.w - 20.0) / 7.6) as usize;
        // The name may take two lines (bold is wider); the other lines follow it.
        let name_lines = wrap(&n.name, chars.saturating_sub(2), 2);
        let y0 = b.y + 22.0 + 18.0 * (name_lines.len().max(1) - 1) as f32;
        let mut badges: Vec<(String, &'static str)> = Vec::new();
        if counts.queued > 0 {
            badges.push((format!("queue {}", counts.queued), "queue"));
        }
        let plain = counts.stored - counts.bounces_stored;
        if plain > 0 {
            badges.push((format!("✉ stored {plain}"), "stored"));
        }
        if counts.bounces_stored > 0 {
            badges.push((format!("↩ bounce {}", counts.bounces_stored), "bounce"));
        }
        let mut bx = b.x + 10.0;
        let badge_row = badges.into_iter().map(|(text, class)| {
            let w = text.chars().count() as f32 * 7.0 + 14.0;
            let x = bx;
            bx += w + 6.0;
            html! {
                <g class={classes!("badge", class)}>
                    <rect x={x.to_string()} y={(b.y + b.h - 30.0).to_string()} width={w.to_string()} height="22" rx="11" />
                    <text x={(x + 7.0).to_string()} y={(b.y + b.h - 14.5).to_string()}>{ text }</text>
                </g>
            }
        });
        let domains = if n.domains.is_empty() { String::new() } else { format!("mail for {}", n.domains.join(", ")) };
        let title = format!("{} — {}{}{}", n.name, n.role, if n.host.is_empty() { String::new() } else { format!(", {} ({})", n.host, n.address) }, if domains.is_empty() { String::new() } else { format!(", {domains}") });
        html! {
            <g class={classes!("net-node", is_dns.then_some("dns"), role.map(|r| format!("is-{r}")))} data-node={n.id.clone()}>
                <title>{ title }</title>
                <rect class="net-box" x={b.x.to_string()} y={b.y.to_string()} width={b.w.to_string()} height={b.h.to_string()} rx="10" />
                if is_dns {
                    <text class="net-name" x={(b.x + b.w / 2.0).to_string()} y={(b.y + 22.0).to_string()} text-anchor="middle">{ "DNS" }</text>
                    <text class="net-sub" x={(b.x + b.w / 2.0).to_string()} y={(b.y + 40.0).to_string()} text-anchor="middle">{ "name servers" }</text>
                } else {
                    { for name_lines.iter().enumerate().map(|(k, line)| html! {
                        <text class="net-name" x={(b.x + 10.0).to_string()} y={(b.y + 22.0 + 18.0 * k as f32).to_string()}>{ line.clone() }</text>
                    }) }
                    <text class="net-sub" x={(b.x + 10.0).to_string()} y={(y0 + 19.0).to_string()}>{ cut(&n.role.words(), chars) }</text>
                    <text class="net-host" x={(b.x + 10.0).to_string()} y={(y0 + 37.0).to_string()}>{ cut(&n.host, chars) }</text>
                    <text class="net-sub" x={(b.x + 10.0).to_string()} y={(y0 + 55.0).to_string()}>{ cut(&domains, chars) }</text>
                    { for badge_row }
                }
                if let Some(r) = role {
                    <g class="net-tag">
                        <rect x={(b.x + b.w / 2.0 - 40.0).to_string()} y={(b.y - 24.0).to_string()} width="80" height="20" rx="4" />
                        <text x={(b.x + b.w / 2.0).to_string()} y={(b.y - 9.5).to_string()} text-anchor="middle">{ r }</text>
                    </g>
                }
            </g>
        }
    });
    let envelope = hop.map(|(a, b, h)| {
        let (lo, hi) = (a.min(b), a.max(b));
        let mut p = link(&g, lo, hi);
        if a != lo {
            p = (p.2, p.1, p.0);
        }
        let (from, to) = if a == lo { (&g.boxes[lo], &g.boxes[hi]) } else { (&g.boxes[hi], &g.boxes[lo]) };
        let (t0, t1) = (edge_t(p, from, false), edge_t(p, to, true));
        let (t0, t1) = if t0 < t1 { (t0, t1) } else { (0.22, 0.78) };
        let (x0, y0) = bezier(p, t0);
        let (xm, ym) = bezier(p, (t0 + t1) / 2.0);
        let (x1, y1) = bezier(p, t1);
        let style = format!("--x0:{x0:.1}px;--y0:{y0:.1}px;--xm:{xm:.1}px;--ym:{ym:.1}px;--x1:{x1:.1}px;--y1:{y1:.1}px;transform:translate({x1:.1}px,{y1:.1}px)");
        let dns = matches!(h.kind, Kind::DnsQuery | Kind::DnsAnswer);
        html! {
            <g key={format!("env-{step}")} class={classes!("envelope", h.bounce.then_some("bounce"), dns.then_some("dns"))} style={style}>
                <rect x="-15" y="-10" width="30" height="20" rx="3" />
                <path d="M-14 -9 L0 2 L14 -9" />
                if h.bounce { <text class="env-tag" x="0" y="-15" text-anchor="middle">{ "↩ bounce" }</text> }
            </g>
        }
    });
    let cls = match o {
        Orientation::Row => "net-svg net-row",
        Orientation::Column => "net-svg net-column",
    };
    let caption_id = "net-caption";
    html! {
        <svg class={cls} viewBox={format!("0 0 {} {}", g.width, g.height)} role="img" aria-labelledby={caption_id} data-hop={hop.map(|(a, b, _)| format!("{}>{}", nodes[a].id, nodes[b].id))}>
            <g class="net-links">{ for links }</g>
            { for boxes }
            { for envelope }
        </svg>
    }
}

#[component]
pub fn NetworkView() -> Html {
    let player = use_player();
    let p = &player.0;
    let trace = &p.trace;
    let view = p.view();
    let nodes = order(trace);
    // Every pair of nodes that exchanges something in this run: the topology stays put while
    // stepping. A pass over the whole trace, so once per trace, not per step.
    let pairs = use_memo(trace.clone(), |trace| {
        let nodes = order(trace);
        let idx = |id: &str| nodes.iter().position(|n| n.id == id);
        trace
            .events
            .iter()
            .filter_map(|e| {
                let (a, b) = (idx(&e.from)?, idx(e.to.as_deref()?)?);
                (a != b).then_some((a.min(b), a.max(b)))
            })
            .collect::<BTreeSet<(usize, usize)>>()
    });
    let caption = match &view.hop {
        Some(h) => format!(
            "Now: {} → {}{}.",
            who(trace, &h.from),
            who(trace, &h.to),
            if h.bounce { " (part of a bounce)" } else { "" }
        ),
        None => match trace.events.get(p.step) {
            Some(e) => format!("Now: inside {}.", who(trace, &e.from)),
            None => String::new(),
        },
    };
    html! {
        <Panel id="network" title="Network">
            <p id="net-caption" class="net-caption">{ caption }</p>
            <div class="net-figure">
                { draw(&view, &nodes, &pairs, Orientation::Row, p.step) }
                { draw(&view, &nodes, &pairs, Orientation::Column, p.step) }
            </div>
            if !view.mailboxes.is_empty() {
                <ul class="mailboxes" aria-label="Mailboxes">
                    { for view.mailboxes.iter().map(|m| html! {
                        <li class={classes!("mailbox", (m.bounces > 0).then_some("has-bounce"))} data-mailbox={m.mailbox.clone()}>
                            <span class="mailbox-icon" aria-hidden="true">{ if m.bounces > 0 { "↩" } else { "✉" } }</span>
                            <span class="mailbox-name">{ m.mailbox.clone() }</span>
                            { format!(" on {}: {} message{}", who(trace, &m.node), m.messages, if m.messages == 1 { "" } else { "s" }) }
                            if m.bounces > 0 {
                                <strong class="bounce-word">{ format!(" ({} bounce{})", m.bounces, if m.bounces == 1 { "" } else { "s" }) }</strong>
                            }
                        </li>
                    }) }
                </ul>
            }
        </Panel>
    }
}
