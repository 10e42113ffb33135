//! The compact player for iframes (`?embed=1`, parameters in `player::embed`, protocol in
//! `docs/embed.md`): the playback bar (unless `controls=0`), the network, the sequence diagram,
//! the tools named by `panels=`, and an "Open in smtp-sim" link that carries the exact state.
//!
//! It tells the host page its height on every size change (a `ResizeObserver` on its root) with
//! `window.parent.postMessage({type: "smtp-sim:resize", height}, "*")`. The `"*"` target is safe
//! because the message holds only a number of pixels — no state, nothing from the scenario — and
//! the embed never acts on messages it receives; the host script (`www/embed.js`) accepts it only
//! from an iframe of its own page whose origin matches the iframe's `src`.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use super::app_url;
use super::controls::Controls;
use super::live_region::LiveRegion;
use super::model::use_player;
use super::network_view::NetworkView;
use super::notice::Notice;
use super::sequence_diagram::SequenceDiagram;
use super::tools::Tools;
use crate::player::embed::{self, EmbedOptions, Theme};
use crate::player::Intent;

/// The message type the host script listens for.
pub const RESIZE_MESSAGE: &str = "smtp-sim:resize";

#[derive(Properties, PartialEq)]
pub struct EmbedProps {
    pub options: EmbedOptions,
    /// The scenario differs from its built-in (the "Open in smtp-sim" link carries it in full).
    pub edited: bool,
    pub on_help: Callback<()>,
}

/// Posts the height to the parent window (nothing when the page is not framed).
fn post_height(height: f64) {
    let w = gloo::utils::window();
    let Ok(Some(parent)) = w.parent() else { return };
    let own: &JsValue = w.as_ref();
    let theirs: &JsValue = parent.as_ref();
    if theirs == own {
        return;
    }
    let msg = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&msg, &JsValue::from_str("type"), &JsValue::from_str(RESIZE_MESSAGE));
    let _ = js_sys::Reflect::set(&msg, &JsValue::from_str("height"), &JsValue::from_f64(height.ceil()));
    let _ = parent.post_message(&msg, "*");
}

#[component]
pub fn Embed(props: &EmbedProps) -> Html {
    let player = use_player();
    let root = use_node_ref();
    let o = &props.options;

    // The theme and the embed's page styles are set on <html>, where the colour variables live.
    {
        let theme = o.theme;
        use_effect_with(theme, |theme| {
            if let Some(html) = gloo::utils::document().document_element() {
                let _ = html.set_attribute("data-embed", "");
                match theme {
                    Theme::Auto => {
                        let _ = html.remove_attribute("data-theme");
                    }
                    t => {
                        let _ = html.set_attribute("data-theme", t.name());
                    }
                }
            }
        });
    }

    // Tell the host page our height whenever it changes.
    {
        let root = root.clone();
        use_effect_with((), move |_| {
            let observer = root.cast::<web_sys::Element>().and_then(|el| {
                let measured = el.clone();
                let callback = Closure::<dyn FnMut()>::new(move || post_height(measured.get_bounding_client_rect().height()));
                let observer = web_sys::ResizeObserver::new(callback.as_ref().unchecked_ref()).ok()?;
                observer.observe(&el);
                Some((observer, callback))
            });
            move || {
                if let Some((observer, _callback)) = observer {
                    observer.disconnect();
                }
            }
        });
    }

    let toggle = {
        let player = player.clone();
        Callback::from(move |_: MouseEvent| player.dispatch(Intent::TogglePlay))
    };
    let p = &player.0;
    let open_href = embed::open_in_app(&app_url(), p, props.edited);
    let title = p.trace.title.clone();
    html! {
        <div class="embed" ref={root}>
            <main id="main" class={classes!("embed-main", (!o.panels.is_empty()).then_some("with-tools"))} aria-label={format!("smtp-sim: {title}")}>
                <h1 class="sr-only">{ format!("smtp-sim: {title}") }</h1>
                if o.controls {
                    <Controls on_help={props.on_help.clone()} />
                } else {
                    <div class="embed-caption">
                        // Without the bar, something that plays by itself still needs a pause
                        // button (WCAG 2.2.2), besides the Space key.
                        if o.autoplay {
                            <button type="button" class="btn btn-small embed-play" onclick={toggle}>
                                { if p.playing { "Pause" } else { "Play" } }
                            </button>
                        }
                        <LiveRegion />
                        <Notice />
                    </div>
                }
                <NetworkView />
                <SequenceDiagram />
                if !o.panels.is_empty() {
                    <Tools tools={o.panels.clone()} />
                }
            </main>
            <footer class="embed-foot">
                <a href={open_href} target="_blank" rel="noopener">{ "Open in smtp-sim" }<span class="sr-only">{ " (opens in a new tab)" }</span></a>
                <span class="embed-note">{ "Simulated: nothing is sent over the internet." }</span>
            </footer>
        </div>
    }
}
