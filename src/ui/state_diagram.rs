//! The server session's state diagram, drawn from `smtp::state::TRANSITIONS` — the same table
//! the server session obeys — with the state before and after a reply marked (dashed "before",
//! thick "now") and the transition taken drawn bold with its label and RFC section below.

use yew::prelude::*;

use crate::sim::trace::StateChange;
use crate::smtp::state::{State, Trigger, TRANSITIONS};

const BW: f32 = 92.0;
const BH: f32 = 30.0;

/// Where each state sits (column, row) on a 4×3 grid: the transaction runs along the top row.
fn cell(s: State) -> (f32, f32) {
    match s {
        State::Connected => (0.0, 0.0),
        State::Ready => (1.0, 0.0),
        State::Mail => (2.0, 0.0),
        State::Rcpt => (3.0, 0.0),
        State::TlsHandshake => (0.0, 1.0),
        State::Auth => (1.0, 1.0),
        State::Chunking => (2.0, 1.0),
        State::Data => (3.0, 1.0),
        State::NoService => (0.0, 2.0),
        State::Closed => (1.0, 2.0),
        State::Bdat => (3.0, 2.0),
    }
}

fn pos(s: State) -> (f32, f32) {
    let (c, r) = cell(s);
    (8.0 + c * 112.0, 8.0 + r * 64.0)
}

fn centre(s: State) -> (f32, f32) {
    let (x, y) = pos(s);
    (x + BW / 2.0, y + BH / 2.0)
}

/// The point where the segment from the centre of `s` towards `to` leaves the box of `s`.
fn edge(s: State, to: (f32, f32)) -> (f32, f32) {
    let (cx, cy) = centre(s);
    let (dx, dy) = (to.0 - cx, to.1 - cy);
    let t = f32::min(
        if dx != 0.0 { (BW / 2.0 + 2.0) / dx.abs() } else { f32::MAX },
        if dy != 0.0 { (BH / 2.0 + 2.0) / dy.abs() } else { f32::MAX },
    );
    (cx + dx * t, cy + dy * t)
}

/// A short name for a box.
pub fn state_name(s: State) -> &'static str {
    match s {
        State::Connected => "Connected",
        State::NoService => "No service",
        State::Ready => "Ready",
        State::Mail => "Mail",
        State::Rcpt => "Rcpt",
        State::Data => "Data",
        State::Bdat => "Bdat",
        State::Chunking => "Chunking",
        State::Auth => "Auth",
        State::TlsHandshake => "TLS",
        State::Closed => "Closed",
    }
}

#[derive(Properties, PartialEq)]
pub struct StateDiagramProps {
    pub change: StateChange,
}

#[component]
pub fn StateDiagram(props: &StateDiagramProps) -> Html {
    let ch = &props.change;
    let taken = ch.transition.map(|i| &TRANSITIONS[i]);
    // One line per (from, to) pair of the table; shutdown (421 from anywhere) is left out of the
    // picture to keep it readable, and self-loops are drawn only when taken.
    let mut edges: Vec<(State, State)> = Vec::new();
    for t in TRANSITIONS.iter().filter(|t| t.on != Trigger::Shutdown) {
        for &f in t.from {
            if f != t.to && !edges.contains(&(f, t.to)) {
                edges.push((f, t.to));
            }
        }
    }
    let is_taken = |f: State, to: State| taken.is_some_and(|t| t.from.contains(&f) && t.to == to) && f == ch.before;
    let lines = edges.iter().map(|&(f, to)| {
        let (a, b) = (edge(f, centre(to)), edge(to, centre(f)));
        let on = is_taken(f, to);
        html! { <line class={classes!("sd-edge", on.then_some("taken"))} x1={a.0.to_string()} y1={a.1.to_string()} x2={b.0.to_string()} y2={b.1.to_string()}
            marker-end={if on { "url(#sd-arrow-on)" } else { "url(#sd-arrow)" }} /> }
    });
    let self_loop = (taken.is_some() && ch.before == ch.after).then(|| {
        let (x, y) = pos(ch.before);
        let d = format!("M{} {} C{} {} {} {} {} {}", x + BW - 20.0, y, x + BW - 10.0, y - 26.0, x + BW + 24.0, y - 6.0, x + BW, y + 10.0);
        html! { <path class="sd-edge taken" d={d} fill="none" marker-end="url(#sd-arrow-on)" /> }
    });
    let boxes = State::ALL.iter().map(|&s| {
        let (x, y) = pos(s);
        let now = s == ch.after;
        let before = s == ch.before && !now;
        html! {
            <g class={classes!("sd-state", now.then_some("now"), before.then_some("before"))}>
                <rect x={x.to_string()} y={y.to_string()} width={BW.to_string()} height={BH.to_string()} rx="6" />
                <text x={(x + BW / 2.0).to_string()} y={(y + 19.5).to_string()} text-anchor="middle">{ state_name(s) }</text>
            </g>
        }
    });
    let words = match taken {
        Some(t) => format!("{} → {}: {} ({})", state_name(ch.before), state_name(ch.after), t.label, t.rfc),
        None if ch.before == ch.after => format!("{}: the state does not change.", state_name(ch.before)),
        None => format!("{} → {}", state_name(ch.before), state_name(ch.after)),
    };
    html! {
        <figure class="state-diagram">
            <svg viewBox="0 -30 456 206" role="img" aria-label={format!("Server session state diagram. {words}")}>
                <defs>
                    <marker id="sd-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse">
                        <path d="M0 0 L10 5 L0 10 z" class="sd-head" />
                    </marker>
                    <marker id="sd-arrow-on" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="5" markerHeight="5" orient="auto-start-reverse">
                        <path d="M0 0 L10 5 L0 10 z" class="sd-head-on" />
                    </marker>
                </defs>
                { for lines }
                { for self_loop }
                { for boxes }
            </svg>
            <figcaption class="state-words">{ words }</figcaption>
        </figure>
    }
}
