//! The app shell: header, playback bar, the four regions, footer, the help dialog — and the
//! browser side of the player: the reducer context, the play timer, the page-wide keyboard
//! shortcuts and the URL kept in step (`history.replaceState`, so the address can be copied).
//!
//! The start state comes from the address (`Player::from_location`: a `#v2.…` share link wins
//! over `?scenario=…&step=…`); a share link pasted while the page is open arrives through
//! `hashchange`. With `?embed=1` the same shell renders the compact [`Embed`] player instead
//! (`player::embed`), and leaves the host's URL alone.

use std::rc::Rc;

use gloo::events::{EventListener, EventListenerOptions};
use gloo::timers::callback::{Interval, Timeout};
use wasm_bindgen::JsCast;
use web_sys::{HtmlElement, KeyboardEvent};
use yew::prelude::*;

#[cfg(feature = "studio")]
use super::autosave::Autosave;
use super::controls::Controls;
use super::embed::Embed;
use super::header::Header;
use super::help_dialog::HelpDialog;
use super::model::{Model, PlayerHandle};
use super::network_view::NetworkView;
use super::scenario_picker::ScenarioPicker;
use super::sequence_diagram::SequenceDiagram;
#[cfg(feature = "studio")]
use super::share_panel::SharePanel;
#[cfg(not(feature = "studio"))]
use super::studio::TeachPlaceholder as Teach;
#[cfg(not(feature = "studio"))]
use super::studio::{SavedEditsProbe as Autosave, SharePlaceholder as SharePanel};
#[cfg(feature = "studio")]
use super::teach::Teach;
use super::tools::Tools;
use crate::player::embed::{self, EmbedOptions};
use crate::player::link::is_link_fragment;
use crate::player::{Intent, Player};

/// The page's query string (`?scenario=…&step=…`) and fragment (`#v2.…`).
fn location() -> (String, String) {
    let l = gloo::utils::window().location();
    (l.search().unwrap_or_default(), l.hash().unwrap_or_default())
}

/// True when the key press belongs to the focused element (typing in a field, Space on a button,
/// arrows on the slider or a select), so the page shortcut must not run.
fn owned_by_target(e: &KeyboardEvent) -> bool {
    let Some(el) = e.target().and_then(|t| t.dyn_into::<HtmlElement>().ok()) else { return false };
    let tag = el.tag_name().to_ascii_lowercase();
    let key = e.key();
    match tag.as_str() {
        "input" | "select" | "textarea" => true,
        "button" | "a" | "summary" => key == " " || key == "Enter",
        _ => el.is_content_editable() || (key == "Enter" && el.get_attribute("role").is_some()),
    }
}

/// The viewer's loader of precomputed traces and its notice while it hands a scenario it cannot
/// show to the studio (nothing in the studio, which simulates every scenario).
fn needs_studio() -> Html {
    #[cfg(not(feature = "studio"))]
    return html! { <><super::traces::TraceLoader /><super::studio::NeedsStudio /></> };
    #[cfg(feature = "studio")]
    Html::default()
}

#[component]
pub fn App() -> Html {
    use_effect_with((), |_| {
        // Documented debug hook (see ui/mod.rs): proves in the browser tests that a panic is
        // shown on the page instead of leaving it silently dead.
        if super::debug_flag().as_deref() == Some("panic") {
            panic!("deliberate panic requested with ?debug=panic");
        }
    });
    // Read once: is this the embed player, and with which options?
    let embed_options: Rc<Option<EmbedOptions>> = use_memo((), |_| {
        let (query, _) = location();
        embed::is_embed(&query).then(|| embed::parse(&query))
    });
    let player: PlayerHandle = {
        let embed_options = embed_options.clone();
        use_reducer(move || {
            let (query, fragment) = location();
            Model(match &*embed_options {
                Some(o) => embed::start(&query, &fragment, o),
                None => Player::from_location(&query, &fragment),
            })
        })
    };
    let help_open = use_state(|| false);
    // Whether the scenario differs from its built-in (then links carry it in full): computed
    // once per scenario, not on every step.
    let edited = player.0.is_edited();

    // The URL follows the state, so it can be copied at any moment: the query, plus the share
    // link as fragment when the query alone would lose something (see `Player::location`).
    // Not in an embed: its address belongs to the host page's snippet. Written a quarter second
    // after the last change: Chrome re-fetches the favicon on every `replaceState` and throttles
    // bursts of them, which cost a frame per step while a key is held (docs/perf.md).
    {
        // Nor while the viewer hands a scenario it cannot run to the studio (`NeedsStudio`): the
        // address it was opened with is what the studio reads.
        // Nor while a precomputed trace is on its way: the step asked for is not applied yet.
        let target = if embed_options.is_some() || player.0.needs_studio || player.0.awaiting.is_some() {
            None
        } else {
            Some(player.0.location(edited))
        };
        use_effect_with(target, |target| {
            let target = target.clone();
            let timer = Timeout::new(250, move || {
                let w = gloo::utils::window();
                if let Some(target) = target {
                    let (q, f) = location();
                    // An open lesson and presenter mode stay in the address (`lesson::url`).
                    let target = crate::lesson::url::carry(&q, &target);
                    if format!("{q}{f}") != target {
                        if let Ok(h) = w.history() {
                            let _ = h.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&target));
                        }
                    }
                }
            });
            move || drop(timer)
        });
    }

    // A share link pasted into the address bar of the open page (only the fragment changes, so
    // the page does not reload). Other fragments (`#main` of the skip link) are anchors.
    {
        let handle = player.clone();
        use_effect_with((), move |_| {
            let listener = EventListener::new(&gloo::utils::window(), "hashchange", move |_| {
                let (_, fragment) = location();
                if is_link_fragment(&fragment) {
                    handle.dispatch(Intent::OpenLink(fragment));
                }
            });
            move || drop(listener)
        });
    }

    // The play timer: one tick per step at the chosen speed; dropped when paused.
    {
        let playing = player.0.playing;
        let speed = player.0.speed;
        let handle = player.clone();
        use_effect_with((playing, (speed * 1000.0) as u32), move |&(playing, _)| {
            let timer = playing.then(|| {
                let ms = (1000.0 / speed.max(0.1)) as u32;
                Interval::new(ms, move || handle.dispatch(Intent::Tick))
            });
            move || drop(timer)
        });
    }

    // Page-wide shortcuts (listed in help_dialog.rs).
    {
        let handle = player.clone();
        let help_open = help_open.clone();
        use_effect_with((), move |_| {
            let listener = EventListener::new_with_options(
                &gloo::utils::document(),
                "keydown",
                EventListenerOptions::enable_prevent_default(),
                move |e| {
                    let Some(e) = e.dyn_ref::<KeyboardEvent>() else { return };
                    if e.ctrl_key() || e.meta_key() || e.alt_key() || e.default_prevented() {
                        return;
                    }
                    // While the modal help is open, it owns the keyboard (Esc closes it natively).
                    let dialog_open = gloo::utils::document().query_selector("dialog[open]").ok().flatten().is_some();
                    if dialog_open || owned_by_target(e) {
                        return;
                    }
                    let intent = match e.key().as_str() {
                        " " | "k" | "K" => Some(Intent::TogglePlay),
                        "ArrowRight" | "l" | "L" => Some(Intent::Step(1)),
                        "ArrowLeft" | "j" | "J" => Some(Intent::Step(-1)),
                        "Home" => Some(Intent::First),
                        "End" => Some(Intent::Last),
                        "?" => {
                            help_open.set(true);
                            e.prevent_default();
                            None
                        }
                        _ => None,
                    };
                    if let Some(intent) = intent {
                        e.prevent_default();
                        handle.dispatch(intent);
                    }
                },
            );
            move || drop(listener)
        });
    }

    let open_help = {
        let help_open = help_open.clone();
        Callback::from(move |_| help_open.set(true))
    };
    let close_help = {
        let help_open = help_open.clone();
        Callback::from(move |_| help_open.set(false))
    };
    if let Some(options) = &*embed_options {
        return html! {
            <ContextProvider<PlayerHandle> context={player}>
                { needs_studio() }
                <Embed options={options.clone()} {edited} on_help={open_help} />
                // Mounted only while open: Chrome logs an error for the dialog's `autofocus`
                // button in a cross-origin frame even while the dialog is closed.
                if *help_open {
                    <HelpDialog open=true on_close={close_help} />
                }
            </ContextProvider<PlayerHandle>>
        };
    }
    html! {
        <ContextProvider<PlayerHandle> context={player}>
            <a class="skip-link" href="#main">{ "Skip to the simulator" }</a>
            <Header />
            <Teach />
            <main id="main" class="workspace" tabindex="-1">
                { needs_studio() }
                <Controls on_help={open_help} />
                <NetworkView />
                <SequenceDiagram />
                <Tools />
                <SharePanel {edited} />
                <ScenarioPicker />
            </main>
            <Autosave />
            <footer class="site-footer">
                <p>{ "A teaching simulator: every host, message and reply here is simulated. Nothing is sent over the internet. Press ? for keyboard shortcuts." }</p>
            </footer>
            <HelpDialog open={*help_open} on_close={close_help} />
        </ContextProvider<PlayerHandle>>
    }
}
