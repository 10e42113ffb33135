//! Playback: the scenario's title and goal, play/pause, step back/forward, first/last, speed, a
//! scrubber over the whole trace, the step counter, the help button, and the step caption (the
//! live region). Every control is a native element, so it works with the keyboard as it is; the
//! page-wide shortcuts live in `app.rs` and are listed by the help dialog.

use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use super::live_region::LiveRegion;
use super::model::use_player;
use super::notice::Notice;
use crate::player::{Intent, SPEEDS};
use crate::sim::clock::format_time;

#[derive(Properties, PartialEq)]
pub struct ControlsProps {
    /// Opens the keyboard help dialog.
    pub on_help: Callback<()>,
}

// Button icons as SVG paths (a 16×16 box), so they look the same whatever fonts are installed.
const ICON_FIRST: &str = "M3 2h2v12H3zM14 2v12L6 8z";
const ICON_BACK: &str = "M12 2v12L4 8z";
const ICON_PLAY: &str = "M4 2v12l10-6z";
const ICON_PAUSE: &str = "M3 2h4v12H3zM9 2h4v12H9z";
const ICON_NEXT: &str = "M4 2v12l8-6z";
const ICON_LAST: &str = "M11 2h2v12h-2zM2 2v12l8-6z";

fn icon(path: &'static str) -> Html {
    html! {
        <svg class="icon" viewBox="0 0 16 16" width="16" height="16" aria-hidden="true" focusable="false"><path d={path} /></svg>
    }
}

fn speed_label(s: f32) -> String {
    if s < 1.0 {
        format!("{s}× (slow)")
    } else {
        format!("{s}×")
    }
}

#[component]
pub fn Controls(props: &ControlsProps) -> Html {
    let player = use_player();
    let p = &player.0;
    let len = p.len();
    let at_start = p.step == 0;
    let at_end = p.step >= p.limit();
    let send = |intent: Intent| {
        let player = player.clone();
        Callback::from(move |_: MouseEvent| player.dispatch(intent.clone()))
    };
    let on_scrub = {
        let player = player.clone();
        Callback::from(move |e: InputEvent| {
            let input: HtmlInputElement = e.target_unchecked_into();
            if let Ok(n) = input.value().parse::<usize>() {
                player.dispatch(Intent::Pause);
                player.dispatch(Intent::Goto(n.saturating_sub(1)));
            }
        })
    };
    let on_speed = {
        let player = player.clone();
        Callback::from(move |e: Event| {
            let select: HtmlSelectElement = e.target_unchecked_into();
            if let Ok(s) = select.value().parse::<f32>() {
                player.dispatch(Intent::SetSpeed(s));
            }
        })
    };
    let on_help = {
        let cb = props.on_help.clone();
        Callback::from(move |_: MouseEvent| cb.emit(()))
    };
    let time = p.trace.events.get(p.step).map(|e| format_time(e.time)).unwrap_or_default();
    let (play_icon, play_text) = if p.playing { (ICON_PAUSE, "Pause") } else { (ICON_PLAY, "Play") };
    html! {
        <section class="panel panel-controls" aria-labelledby="story-title">
            <div class="story">
                <h2 id="story-title" class="story-title">{ p.trace.title.clone() }</h2>
                <p class="story-goal">{ p.trace.goal.clone() }</p>
                if !p.trace.shortcuts.is_empty() {
                    <div class="story-shortcuts">
                        <p class="story-shortcuts-title">{ "Compressed for the demo:" }</p>
                        <ul>
                            { for p.trace.shortcuts.iter().map(|s| html! { <li>{ s.sentence() }</li> }) }
                        </ul>
                    </div>
                }
            </div>
            <div class="transport" role="group" aria-label="Playback">
                <div class="buttons">
                    <button type="button" class="btn" onclick={send(Intent::First)} disabled={at_start} aria-label="First step" title="First step (Home)">
                        { icon(ICON_FIRST) }
                    </button>
                    <button type="button" class="btn" onclick={send(Intent::Step(-1))} disabled={at_start} aria-label="Step back" title="Step back (←)">
                        { icon(ICON_BACK) }<span class="btn-text">{ "Back" }</span>
                    </button>
                    <button type="button" class="btn btn-primary" onclick={send(Intent::TogglePlay)} disabled={len < 2} aria-label={play_text} title={format!("{play_text} (Space)")}>
                        { icon(play_icon) }<span class="btn-text">{ play_text }</span>
                    </button>
                    <button type="button" class="btn" onclick={send(Intent::Step(1))} disabled={at_end} aria-label="Next step" title="Next step (→)">
                        <span class="btn-text">{ "Next" }</span>{ icon(ICON_NEXT) }
                    </button>
                    <button type="button" class="btn" onclick={send(Intent::Last)} disabled={at_end} aria-label="Last step" title="Last step (End)">
                        { icon(ICON_LAST) }
                    </button>
                </div>
                <label class="scrub">
                    <span class="sr-only">{ "Step" }</span>
                    <input type="range" min="1" max={len.max(1).to_string()} step="1" value={(p.step + 1).to_string()}
                        oninput={on_scrub} aria-valuetext={format!("Step {} of {len}", p.step + 1)} disabled={len < 2} />
                </label>
                <p class="counter"><span class="counter-step">{ format!("Step {} / {len}", (p.step + 1).min(len)) }</span>
                    <span class="counter-time" title="virtual time since the start">{ time }</span></p>
                <label class="speed">
                    <span>{ "Speed" }</span>
                    <select onchange={on_speed}>
                        { for SPEEDS.iter().map(|&s| html! {
                            <option value={s.to_string()} selected={(s - p.speed).abs() < 1e-3}>{ speed_label(s) }</option>
                        }) }
                    </select>
                </label>
                <button type="button" class="btn btn-help" onclick={on_help} aria-label="Keyboard shortcuts" title="Keyboard shortcuts (?)" aria-haspopup="dialog">
                    <span aria-hidden="true">{ "?" }</span>
                </button>
            </div>
            <LiveRegion />
            <Notice />
        </section>
    }
}
