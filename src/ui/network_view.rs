//! The network view: every host of the scenario as a labelled box (name, role, host, domains),
//! the links that carry traffic in this run, the hop of the current step highlighted (thick
//! outline and a "sending"/"receiving" tag, not colour alone) with a small envelope travelling
//! along it, and queue/mailbox/bounce counts as badges with words.
//!
//! Drawn twice from the layout of `diagram::network` (boxes, fitted text, links, the envelope's
//! trip): a row for wide screens and a column for phones (CSS shows one), so the text stays
//! readable at both sizes. The envelope's trip is a CSS animation
//! restarted by giving it a new key per step; `prefers-reduced-motion` makes it land at once.

use std::collections::BTreeMap;

use yew::prelude::*;

use super::model::use_player;
use super::panel::Panel;
use crate::diagram::layout::PULL_TAG;
use crate::diagram::network::{self, badges, node_text, order, Orientation};
use crate::player::view::{who, View};
use crate::sim::trace::{Kind, NodeInfo};

/// `pairs`: every pair of nodes that exchanges something, and whether a mail program pulls mail
/// over it (POP3/IMAP, drawn as a double line) rather than pushes it.
fn draw(view: &View, nodes: &[&NodeInfo], pairs: &BTreeMap<(usize, usize), bool>, o: Orientation, step: usize) -> Html {
    let g = network::layout(nodes, o);
    let idx = |id: &str| nodes.iter().position(|n| n.id == id);
    let hop = view.hop.as_ref().and_then(|h| Some((idx(&h.from)?, idx(&h.to)?, h)));
    let active_pair = hop.map(|(a, b, _)| (a.min(b), a.max(b)));
    let links = pairs.iter().map(|(&(a, b), &pull)| {
        let active = active_pair == Some((a, b));
        let dns = nodes[a].id == "dns" || nodes[b].id == "dns";
        let class = classes!("net-link", dns.then_some("dns"), active.then_some("active"), pull.then_some("pull"));
        html! { <path {class} d={g.link(a, b).path()} /> }
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
        let text = node_text(n, &b);
        let y0 = b.y + 22.0 + 18.0 * (text.name.len().max(1) - 1) as f32;
        let mut badge_texts: Vec<(String, &'static str)> = Vec::new();
        if counts.queued > 0 {
            badge_texts.push((format!("queue {}", counts.queued), "queue"));
        }
        let plain = counts.stored - counts.bounces_stored;
        if plain > 0 {
            badge_texts.push((format!("✉ stored {plain}"), "stored"));
        }
        if counts.bounces_stored > 0 {
            badge_texts.push((format!("↩ bounce {}", counts.bounces_stored), "bounce"));
        }
        let classes: Vec<&'static str> = badge_texts.iter().map(|(_, c)| *c).collect();
        let placed = badges(&b, badge_texts.into_iter().map(|(t, _)| t).collect());
        let badge_row = placed.into_iter().zip(classes).map(|(badge, class)| {
            html! {
                <g class={classes!("badge", class)}>
                    <rect x={badge.x.to_string()} y={(b.y + b.h - 30.0).to_string()} width={badge.w.to_string()} height="22" rx="11" />
                    <text x={(badge.x + 7.0).to_string()} y={(b.y + b.h - 14.5).to_string()}>{ badge.text }</text>
                </g>
            }
        });
        html! {
            <g class={classes!("net-node", is_dns.then_some("dns"), role.map(|r| format!("is-{r}")))} data-node={n.id.clone()}>
                <title>{ text.title }</title>
                <rect class="net-box" x={b.x.to_string()} y={b.y.to_string()} width={b.w.to_string()} height={b.h.to_string()} rx="10" />
                if is_dns {
                    <text class="net-name" x={(b.x + b.w / 2.0).to_string()} y={(b.y + 22.0).to_string()} text-anchor="middle">{ "DNS" }</text>
                    <text class="net-sub" x={(b.x + b.w / 2.0).to_string()} y={(b.y + 40.0).to_string()} text-anchor="middle">{ n.role.words() }</text>
                } else {
                    { for text.name.iter().enumerate().map(|(k, line)| html! {
                        <text class="net-name" x={(b.x + 10.0).to_string()} y={(b.y + 22.0 + 18.0 * k as f32).to_string()}>{ line.clone() }</text>
                    }) }
                    <text class="net-sub" x={(b.x + 10.0).to_string()} y={(y0 + 19.0).to_string()}>{ text.role }</text>
                    <text class="net-host" x={(b.x + 10.0).to_string()} y={(y0 + 37.0).to_string()}>{ text.host }</text>
                    <text class="net-sub" x={(b.x + 10.0).to_string()} y={(y0 + 55.0).to_string()}>{ text.domains }</text>
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
        let [(x0, y0), (xm, ym), (x1, y1)] = g.trip(a, b);
        let style = format!("--x0:{x0:.1}px;--y0:{y0:.1}px;--xm:{xm:.1}px;--ym:{ym:.1}px;--x1:{x1:.1}px;--y1:{y1:.1}px;transform:translate({x1:.1}px,{y1:.1}px)");
        let dns = matches!(h.kind, Kind::DnsQuery | Kind::DnsAnswer);
        html! {
            <g key={format!("env-{step}")} class={classes!("envelope", h.bounce.then_some("bounce"), dns.then_some("dns"), h.pull.then_some("pull"))} style={style}>
                <rect x="-15" y="-10" width="30" height="20" rx="3" />
                <path d="M-14 -9 L0 2 L14 -9" />
                if h.bounce { <text class="env-tag" x="0" y="-15" text-anchor="middle">{ "↩ bounce" }</text> }
                if h.pull { <text class="env-tag" x="0" y="-15" text-anchor="middle">{ PULL_TAG }</text> }
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
                (a != b).then_some(((a.min(b), a.max(b)), e.layer.pulls()))
            })
            .fold(BTreeMap::new(), |mut pairs: BTreeMap<(usize, usize), bool>, (pair, pull)| {
                *pairs.entry(pair).or_default() |= pull;
                pairs
            })
    });
    let caption = match &view.hop {
        Some(h) => format!(
            "Now: {} → {}{}.",
            who(trace, &h.from),
            who(trace, &h.to),
            if h.bounce {
                " (part of a bounce)"
            } else if h.pull {
                " (pull: the mail program fetches its mail with POP3 or IMAP)"
            } else {
                ""
            }
        ),
        None => match trace.events.get(p.step) {
            Some(e) => format!("Now: inside {}.", who(trace, &e.from)),
            None => String::new(),
        },
    };
    html! {
        <Panel id="network" title="Network">
            <p id="net-caption" class="net-caption">{ caption }</p>
            if pairs.values().any(|&pull| pull) {
                <p class="net-legend">
                    <span class="net-legend-pull">{ format!("{PULL_TAG} (dash-dot line): a mail program fetches its mail from its server with POP3 or IMAP.") }</span>
                    <span>{ " Plain lines carry SMTP, which pushes mail towards the recipient's server." }</span>
                </p>
            }
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
