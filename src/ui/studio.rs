//! The viewer's door to the studio (viewer build only, see `ui/mod.rs`): the first view of the
//! page leaves the tools out, and the first use of one hands the page to the full build.
//!
//! The hand-off: the exact state (scenario or edits, step, selection, open tool) is written into
//! the address as a share link (`player::handoff`), and index.html's loader
//! (`window.smtpSimStudio(focus, press, stop)`) downloads the full build, calls `stop` (this app
//! unmounts, which removes its listeners and timers) and starts the full build on the same root;
//! it reads the address like any page load and so opens the same state. [`Focus`] says what gets
//! the focus once the full build has drawn it (the tab that was asked for), and whether it is
//! pressed (a button of "Share & export" clicked in the viewer is clicked again in the full
//! build, within the click's user activation, so copying to the clipboard still works).

use std::cell::Cell;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use super::model::{use_player, PlayerHandle};
use crate::player::saved;
use crate::player::{handoff, Intent, Tool};

/// The loader index.html defines on `window`.
const LOADER: &str = "smtpSimStudio";

thread_local! {
    /// Set once the hand-off has started: a second request (another tab clicked while the full
    /// build downloads) changes nothing.
    static STARTED: Cell<bool> = const { Cell::new(false) };
}

/// What gets the focus in the full build: the first element matching `selector` (whose text is
/// `press`, when given), clicked when `press` is given.
struct Focus<'a> {
    selector: &'a str,
    press: Option<&'a str>,
}

/// Hands the page to the full build. `edited`: whether the scenario must travel in full
/// (`Player::is_edited`).
fn hand_off(player: &PlayerHandle, edited: bool, focus: Focus) {
    let location = gloo::utils::window().location();
    let target = handoff::address(
        &location.pathname().unwrap_or_default(),
        &location.search().unwrap_or_default(),
        &crate::share::encode(&player.0.share_state(edited)),
    );
    start(player, &target, focus);
}

/// Writes `target` as the page's address and starts the full build on it.
fn start(player: &PlayerHandle, target: &str, focus: Focus) {
    if STARTED.with(|s| s.replace(true)) {
        return;
    }
    let window = gloo::utils::window();
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(target));
    }
    let loader = js_sys::Reflect::get(&window, &JsValue::from_str(LOADER)).ok().and_then(|f| f.dyn_into::<js_sys::Function>().ok());
    let started = loader.is_some_and(|load| {
        let stop = Closure::once_into_js(super::stop);
        let press = focus.press.map_or(JsValue::NULL, JsValue::from_str);
        load.call3(&JsValue::NULL, &JsValue::from_str(focus.selector), &press, &stop).is_ok()
    });
    if !started {
        STARTED.with(|s| s.set(false));
        player.dispatch(Intent::Notify(
            "The tools could not be loaded on this page (its loader is missing); reload the page to try again.".into(),
        ));
    }
}

#[derive(Properties, PartialEq)]
pub struct StudioLoaderProps {
    pub tool: Tool,
}

/// In place of a tool of the full build: says it is loading, and starts the hand-off.
#[component]
pub fn StudioLoader(props: &StudioLoaderProps) -> Html {
    let player = use_player();
    let tool = props.tool;
    use_effect_with(tool, move |&tool| {
        let selector = format!("#tool-tab-{}", tool.name());
        hand_off(&player, player.0.is_edited(), Focus { selector: &selector, press: None });
    });
    html! {
        <p class="studio-loading" role="status">{ format!("Loading the {}…", tool.label()) }</p>
    }
}

#[derive(Properties, PartialEq)]
pub struct SharePlaceholderProps {
    /// Whether the scenario differs from its built-in (then the link carries it in full).
    pub edited: bool,
}

/// The buttons of "Share & export", as the full build labels them (`ui/share_panel.rs`).
const SHARE_BUTTONS: [(&str, &str); 2] =
    [("Share", "Copy link|Copy embed code"), ("Download", "Diagram (.svg)|Transcript (.txt)|Trace (.json)")];

/// In place of "Share & export": the same heading and buttons; pressing one loads the full build
/// and presses the same button there. The list of stored messages opens there too.
#[component]
pub fn SharePlaceholder(props: &SharePlaceholderProps) -> Html {
    let player = use_player();
    let edited = props.edited;
    let press = |label: &'static str| {
        let player = player.clone();
        Callback::from(move |_: MouseEvent| hand_off(&player, edited, Focus { selector: ".panel-share button", press: Some(label) }))
    };
    let on_list = {
        let player = player.clone();
        Callback::from(move |e: MouseEvent| {
            e.prevent_default();
            hand_off(&player, edited, Focus { selector: ".share-messages summary", press: Some("") });
        })
    };
    let stored = player.0.trace.mailboxes.len();
    html! {
        <section class="panel panel-share" aria-labelledby="share-title">
            <h2 id="share-title" class="panel-title">{ "Share & export" }</h2>
            <div class="panel-body share-body">
                { for SHARE_BUTTONS.iter().map(|&(group, labels)| html! {
                    <div class="share-row" role="group" aria-label={group}>
                        { for labels.split('|').map(|label| html! {
                            <button type="button" class="btn btn-small" onclick={press(label)}>{ label }</button>
                        }) }
                    </div>
                }) }
                if stored == 0 {
                    <p class="share-none">{ "No message reaches a mailbox in this run, so there is no .eml to download." }</p>
                } else {
                    <details class="share-messages">
                        <summary onclick={on_list}>{ format!("Stored messages as .eml ({stored})") }</summary>
                    </details>
                }
            </div>
        </section>
    }
}

/// In place of the autosave: when a scenario is opened for which this browser keeps edits, the
/// full build is loaded (its autosave restores them; only it can run an edited scenario).
#[component]
pub fn SavedEditsProbe() -> Html {
    let player = use_player();
    let opened = player.0.opened;
    let id = player.0.scenario_id.clone();
    use_effect_with((opened, id), move |(_, id)| {
        let storage = gloo::utils::window().local_storage().ok().flatten();
        let kept = storage.and_then(|s| s.get_item(&saved::key(id)).ok().flatten()).is_some();
        if kept && !player.0.is_edited() {
            hand_off(&player, false, Focus { selector: "#main", press: None });
        }
    });
    Html::default()
}

/// Shown while the viewer hands over a scenario it cannot run (`Player::needs_studio`: DKIM
/// signing or checking, whose cryptography only the full build has). Opened from the page's
/// address, the address is kept as it is, so the full build reads the same step, selection and
/// tool from it; opened later (the picker, a pasted link), the state travels as a share link.
#[component]
pub fn NeedsStudio() -> Html {
    let player = use_player();
    let needs = player.0.needs_studio;
    let pulls = !player.0.scenario.pulls.is_empty();
    let opened = player.0.opened;
    let id = player.0.scenario_id.clone();
    use_effect_with((needs, opened, id), move |&(needs, opened, _)| {
        if !needs {
            return;
        }
        let focus = Focus { selector: "#main", press: None };
        if opened == 0 {
            let l = gloo::utils::window().location();
            let here = format!("{}{}{}", l.pathname().unwrap_or_default(), l.search().unwrap_or_default(), l.hash().unwrap_or_default());
            start(&player, &here, focus);
        } else {
            hand_off(&player, player.0.is_edited(), focus);
        }
    });
    if !needs {
        return Html::default();
    }
    // Say what is loading: the mail programs that pull (POP3/IMAP), or DKIM's cryptography.
    let text = if !pulls {
        "Loading the DKIM and DMARC checks: this scenario signs or verifies mail, and its cryptography is part of the full simulator…"
    } else {
        "Loading POP3 and IMAP: in this scenario mail programs pull the mail from their server, and retrieval is part of the full simulator…"
    };
    html! {
        <p class="studio-loading studio-loading-scenario" role="status">{ text }</p>
    }
}

/// The teaching bar's buttons, as the full build labels them (`ui/teach.rs`), that open a part
/// of the teaching layer (lessons, cards and presenter mode are in the full build).
const TEACH_BUTTONS: [&str; 2] = ["Course", "Troubleshooting"];

/// The address parameters that open the teaching layer at once (`?lesson=`, `?card=`,
/// `?present=`, read by `ui/teach.rs`).
const TEACH_PARAMS: [&str; 3] = ["lesson", "card", "present"];

/// In place of the teaching bar: the same buttons; Course, Troubleshooting and Presenter mode
/// load the full build and press the same button there, Scenarios moves to the picker here. An
/// address that names a lesson, a card or presenter mode hands the page over at once.
#[component]
pub fn TeachPlaceholder() -> Html {
    let player = use_player();
    // Read once: the address names a lesson, a card or presenter mode — and so what gets the
    // focus in the full build: the lesson's or the cards' heading (so the page scrolls to what was
    // asked for, not past it to the player), the player in presenter mode.
    let target = *use_memo((), |_| {
        let search = gloo::utils::window().location().search().unwrap_or_default();
        let named = |p: &str| search.trim_start_matches('?').split('&').any(|pair| pair.split('=').next() == Some(p));
        TEACH_PARAMS.iter().zip(["#lesson-title", "#cards-title", "#main"]).find(|(p, _)| named(p)).map(|(_, t)| t)
    });
    let named = target.is_some();
    {
        let player = player.clone();
        use_effect_with((), move |_| {
            if let Some(selector) = target {
                hand_off(&player, player.0.is_edited(), Focus { selector, press: None });
            }
        });
    }
    let press = |label: &'static str| {
        let player = player.clone();
        Callback::from(move |_: MouseEvent| {
            hand_off(&player, player.0.is_edited(), Focus { selector: ".teach-bar button", press: Some(label) })
        })
    };
    let to_picker = Callback::from(|_: MouseEvent| super::scenario_picker::focus_picker());
    html! {
        <div class="teach">
            if named {
                <p class="studio-loading" role="status">{ "Loading the lessons…" }</p>
            }
            <nav class="teach-bar" aria-label="Lessons and tools">
                { for TEACH_BUTTONS.iter().map(|&label| html! {
                    <button type="button" class="btn" aria-expanded="false" onclick={press(label)}>{ label }</button>
                }) }
                <button type="button" class="btn" onclick={to_picker}>{ "Scenarios" }</button>
                <button type="button" class="btn" aria-pressed="false" onclick={press("Presenter mode")}>{ "Presenter mode" }</button>
            </nav>
        </div>
    }
}
