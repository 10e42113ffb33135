//! The sequence diagram: the `diagram::layout` of the trace (shared with the SVG export, so
//! screen and export cannot drift apart) drawn with Yew as SVG — one lane per node, one row per
//! event up to the current step, arrows labelled with the command or reply, reply classes as
//! words and glyphs, time gaps with the virtual time between them, bounce rows tinted, dashed
//! and tagged "↩ bounce".
//!
//! Only what is visible is rendered: the rows inside the scroll window (found with
//! `visible_rows`, a binary search) plus a margin, so a 10,000-event trace scrolls smoothly. The
//! lane headers stay put (sticky) while the rows scroll under them; the current row is kept in
//! view; click or Enter on a row shows it in the inspector.

use std::rc::Rc;

use gloo::events::EventListener;
use web_sys::{Element, KeyboardEvent};
use yew::prelude::*;

use super::model::use_player;
use super::panel::Panel;
use crate::diagram::layout::{num, BOUNCE_TAG, DOT_RADIUS, LABEL_DY, NOTE_TEXT_DX, PULL_TAG, TEXT_DY};
use crate::diagram::{layout, visible_gaps, visible_rows, Diagram, Item, LaneRole, LayoutOptions, Row};
use crate::player::Intent;
use crate::smtp::reply::ReplyClass;

/// Rows drawn above and below the visible window, in pixels, so fast scrolling shows no holes.
const OVERSCAN: f32 = 400.0;

fn options(avail: f32, lanes: usize) -> LayoutOptions {
    let base = LayoutOptions { time_column: 104.0, margin: 12.0, ..LayoutOptions::default() };
    let room = avail - base.time_column - 2.0 * base.margin;
    LayoutOptions { lane_spacing: (room / lanes.max(1) as f32).clamp(190.0, 420.0), ..base }
}

fn lanes_of(trace: &crate::sim::trace::Trace) -> usize {
    // The layout adds lanes for ids missing from `nodes`; the estimate only picks a spacing.
    trace.nodes.len().max(2)
}

fn row_view(d: &Diagram, r: &Row, current: bool, selected: bool, on_pick: &Callback<usize>) -> Html {
    let o = &d.options;
    let bounce = r.item.bounce();
    let kind = format!("kind-{:?}", r.item.kind()).to_ascii_lowercase();
    let seq = r.seq;
    let onclick = {
        let cb = on_pick.clone();
        Callback::from(move |_: MouseEvent| cb.emit(seq))
    };
    let onkeydown = {
        let cb = on_pick.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Enter" {
                e.prevent_default();
                cb.emit(seq);
            }
        })
    };
    let time = r.new_time.then(|| {
        html! {
            <text class="sd-time" x={num(o.margin)} y={num(r.line_y + TEXT_DY)}>{ r.time_label.clone() }</text>
        }
    });
    let body = match &r.item {
        Item::Arrow(a) => {
            let (x1, x2) = a.line_x();
            let y = num(r.line_y);
            html! {
                <>
                    <line class={classes!("sd-arrow", a.stroke.name(), a.pulls().then_some("pull"))} x1={num(x1)} y1={y.clone()} x2={num(x2)} y2={y} />
                    <path class="sd-head" d={a.head_path(r.line_y)} />
                    <text class="sd-label" x={num(a.mid_x())} y={num(r.line_y - LABEL_DY)} text-anchor="middle">
                        <tspan>{ a.label.clone() }</tspan>
                        if let (Some(c), Some(tag)) = (a.class, a.class_tag()) {
                            <tspan class={classes!("sd-class", c.css_class())}>{ tag }</tspan>
                        }
                        if bounce { <tspan class="sd-bounce-tag">{ format!(" {BOUNCE_TAG}") }</tspan> }
                        if a.pulls() { <tspan class="sd-pull-tag">{ format!(" {PULL_TAG}") }</tspan> }
                    </text>
                </>
            }
        }
        Item::Note(n) => html! {
            <>
                <circle class="sd-dot" cx={num(n.x)} cy={num(r.line_y)} r={num(DOT_RADIUS)} />
                <text class="sd-note" x={num(n.x + NOTE_TEXT_DX)} y={num(r.line_y + TEXT_DY)}>
                    if let Some(icon) = n.icon { <tspan>{ format!("{icon} ") }</tspan> }
                    <tspan>{ n.text.clone() }</tspan>
                    if bounce { <tspan class="sd-bounce-tag">{ format!(" {BOUNCE_TAG}") }</tspan> }
                </text>
            </>
        },
    };
    let narration = r.narration.iter().enumerate().map(|(k, line)| {
        let (x, y) = r.narration_at(d, k);
        html! { <text class="sd-narration" x={num(x)} y={num(y)}>{ format!("» {line}") }</text> }
    });
    html! {
        <g class={classes!("sd-row", kind, bounce.then_some("bounce"), current.then_some("current"), selected.then_some("selected"))}
            data-seq={seq.to_string()} tabindex="0" role="button" aria-current={current.then_some("step")}
            {onclick} {onkeydown}>
            <title>{ r.tooltip.clone() }</title>
            <rect class="sd-band" x="0" y={r.y.to_string()} width={d.width.to_string()} height={r.height.to_string()} />
            { for time }
            { body }
            { for narration }
        </g>
    }
}

/// The diagram, compared by pointer: `Diagram` holds `f32`s, so it is not `Eq` and `Rc`'s own
/// `==` would compare all 10,000 rows for every drawn row on every render.
#[derive(Clone)]
struct SameDiagram(Rc<Diagram>);

impl PartialEq for SameDiagram {
    fn eq(&self, other: &SameDiagram) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

#[derive(Properties, PartialEq)]
struct RowProps {
    diagram: SameDiagram,
    index: usize,
    current: bool,
    selected: bool,
    on_pick: Callback<usize>,
}

/// One row as its own component: a step changes the props of two rows at most (the old and the
/// new current one), so Yew skips the others instead of rebuilding and diffing every visible row.
#[component]
fn DiagramRow(props: &RowProps) -> Html {
    let d = &*props.diagram.0;
    row_view(d, &d.rows[props.index], props.current, props.selected, &props.on_pick)
}

#[component]
pub fn SequenceDiagram() -> Html {
    let player = use_player();
    let p = &player.0;
    let scroller = use_node_ref();
    // The scroll window, measured from the scroller: (scrollTop, clientHeight, clientWidth).
    let window = use_state(|| (0.0f32, 600.0f32, 900.0f32));
    let measure = {
        let scroller = scroller.clone();
        let window = window.clone();
        Callback::from(move |_: ()| {
            if let Some(el) = scroller.cast::<Element>() {
                let w = (el.scroll_top() as f32, el.client_height() as f32, el.client_width() as f32);
                if *window != w {
                    window.set(w);
                }
            }
        })
    };
    // Measure on mount and whenever the window is resized.
    {
        let measure = measure.clone();
        use_effect_with((), move |_| {
            measure.emit(());
            let listener = EventListener::new(&gloo::utils::window(), "resize", move |_| measure.emit(()));
            move || drop(listener)
        });
    }
    let (scroll_top, view_h, avail_w) = *window;
    let opts = options(avail_w, lanes_of(&p.trace));
    let spacing_key = opts.lane_spacing.round() as i32;
    // Laid out once per trace and lane spacing, not per step (the trace is compared by pointer
    // first: `Trace` is `Eq`, so `Rc`'s `==` is `ptr_eq` before anything else).
    let diagram: Rc<Diagram> = use_memo((p.trace.clone(), spacing_key), move |(trace, _)| layout(trace, &opts));
    let d = &*diagram;
    let step = p.step.min(d.rows.len().saturating_sub(1));
    let top = d.lifeline_top;
    let head_h = d.lifeline_top - d.lanes_top;
    // Everything up to the current row (the diagram grows as the story goes on).
    let content_bottom = d.rows.get(step).map_or(top + 40.0, |r| r.y + r.height) + d.options.margin;
    let content_h = (content_bottom - top).max(view_h - head_h).max(40.0);

    // Keep the current row in view. When the step (or the diagram) changed and its row is out
    // of the window, the scroll position it needs is worked out here, from the model, so this
    // render already draws the rows there (a jump to the end draws one set of rows, not two);
    // the effect after the render moves the scroller and reads back where it landed. The target
    // waits in `pending` until an effect has applied it, even if another render comes first.
    let followed = use_mut_ref(|| (usize::MAX, 0usize));
    let pending = use_mut_ref(|| None::<f32>);
    let key = (step, Rc::as_ptr(&diagram) as usize);
    if *followed.borrow() != key {
        *followed.borrow_mut() = key;
        if let Some(r) = d.rows.get(step) {
            let (y, h, ch) = (r.y - top, r.height, view_h - head_h);
            if y < scroll_top || y + h > scroll_top + ch {
                *pending.borrow_mut() = Some((y + h - ch * 0.7).max(0.0).round());
            }
        }
    }
    let scroll_top = pending.borrow().unwrap_or(scroll_top);
    {
        let scroller = scroller.clone();
        let pending = pending.clone();
        let measure = measure.clone();
        use_effect(move || {
            let target = pending.borrow_mut().take();
            if let (Some(y), Some(el)) = (target, scroller.cast::<Element>()) {
                el.set_scroll_top(y as i32);
                measure.emit(());
            }
        });
    }

    let y0 = top + scroll_top - OVERSCAN;
    let y1 = top + scroll_top + view_h + OVERSCAN;
    let rows = visible_rows(d, y0, y1);
    let rows = rows.start.min(step + 1)..rows.end.min(step + 1);
    let gaps = visible_gaps(d, y0, y1.min(content_bottom));
    let selected = p.selected;
    // The same callback on every render (the dispatcher is stable), so unchanged rows keep
    // equal props.
    let on_pick = use_callback(player.dispatcher(), |seq: usize, dispatcher| dispatcher.dispatch(Intent::Select(Some(seq))));
    let onscroll = {
        let measure = measure.clone();
        Callback::from(move |_: Event| measure.emit(()))
    };
    let w = d.width;
    let lanes_head = d.lanes.iter().map(|l| {
        let x = l.x - d.lane_box_width / 2.0;
        let role = match l.role {
            LaneRole::Client => "client",
            LaneRole::Server => "server",
            LaneRole::Dns => "dns",
        };
        html! {
            <g class={classes!("sd-lane", role)}>
                <title>{ l.tooltip.clone() }</title>
                <rect x={x.to_string()} y="2" width={d.lane_box_width.to_string()} height={(head_h - 6.0).to_string()} rx="6" />
                <text class="sd-lane-title" x={l.x.to_string()} y="20" text-anchor="middle">{ l.title.clone() }</text>
                <text class="sd-lane-sub" x={l.x.to_string()} y="35" text-anchor="middle">{ l.subtitle.clone() }</text>
            </g>
        }
    });
    let lifelines = d.lanes.iter().map(|l| {
        html! {
            <line class="sd-lifeline" x1={l.x.to_string()} y1={top.to_string()} x2={l.x.to_string()} y2={(top + content_h).to_string()} />
        }
    });
    let gap_bands = d.gaps[gaps].iter().filter(|g| g.before_row <= step).map(|g| {
        html! {
            <g class="sd-gap">
                <rect x="0" y={g.y.to_string()} width={w.to_string()} height={g.height.to_string()} />
                <text x={(w / 2.0).to_string()} y={(g.y + g.height / 2.0 + 5.0).to_string()} text-anchor="middle">{ g.text.clone() }</text>
            </g>
        }
    });
    let row_views = rows.map(|i| {
        let seq = d.rows[i].seq;
        html! {
            <DiagramRow key={seq} diagram={SameDiagram(diagram.clone())} index={i} current={seq == step} selected={selected == Some(seq)} on_pick={on_pick.clone()} />
        }
    });
    html! {
        <Panel id="diagram" title="Sequence diagram">
            <p class="sd-legend">
                <span>{ "→ solid: command" }</span>
                <span>{ "⇢ dashed: reply" }</span>
                <span>{ "⋯ dotted: DNS" }</span>
                { for ReplyClass::ALL.map(|c| html! { <span class={c.css_class()}>{ format!("{} {}", c.icon(), c.words()) }</span> }) }
                <span class="sd-bounce-tag">{ BOUNCE_TAG }</span>
                <span class="sd-pull-tag">{ format!("{PULL_TAG}: POP3/IMAP, the mail program fetches from its server (thick line); SMTP pushes towards it") }</span>
            </p>
            <div class="sd-scroll" ref={scroller} {onscroll} tabindex="0" role="group" aria-label="Rows of the diagram (scrollable)">
                <svg class="sd-header" width={w.to_string()} height={head_h.to_string()} viewBox={format!("0 0 {w} {head_h}")} aria-hidden="true">
                    { for lanes_head }
                </svg>
                <svg class="sd-body" width={w.to_string()} height={content_h.to_string()} viewBox={format!("0 {top} {w} {content_h}")}
                    data-rows={d.rows.len().to_string()}>
                    { for lifelines }
                    { for gap_bands }
                    { for row_views }
                </svg>
            </div>
        </Panel>
    }
}
