//! The viewer's built-in traces (viewer build only, see `ui/mod.rs`): the first view runs no
//! simulation. `cargo xtask build` writes each built-in's JSON trace (docs/trace-format.md) to
//! `dist/traces/<id>.json`; while the player awaits one (`Player::awaiting`), this fetches it
//! (same origin: the page's `connect-src 'self'`), reads it and hands it to the player
//! (`Intent::TraceLoaded`). A trace that cannot be had — offline, a 404, an older format after
//! an update — becomes `Intent::TraceUnavailable`, and the studio, which simulates, takes over.

use std::rc::Rc;

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use yew::prelude::*;

use super::model::use_player;
use crate::player::Intent;
use crate::sim::trace::{Trace, TRACE_VERSION};

/// Where a built-in's trace is, relative to the page (beside `dist/viewer.js`).
fn trace_url(id: &str) -> String {
    format!("dist/traces/{id}.json")
}

/// Fetches and reads the trace of built-in `id`; the error says why, for the notice.
async fn fetch_trace(id: &str) -> Result<Trace, String> {
    let window = gloo::utils::window();
    let response = JsFuture::from(window.fetch_with_str(&trace_url(id))).await.map_err(|_| "the network request failed".to_string())?;
    let response: web_sys::Response = response.dyn_into().map_err(|_| "not an HTTP response".to_string())?;
    if !response.ok() {
        return Err(format!("HTTP {} for {}", response.status(), trace_url(id)));
    }
    let text = response.text().map_err(|_| "the response has no text".to_string())?;
    let text = JsFuture::from(text).await.ok().and_then(|t| t.as_string()).ok_or_else(|| "the response has no text".to_string())?;
    let trace: Trace = serde_json::from_str(&text).map_err(|e| format!("{}: {e}", trace_url(id)))?;
    if trace.version != TRACE_VERSION || trace.scenario != id {
        return Err(format!(
            "{} is trace version {} of {:?}, not version {TRACE_VERSION} of {id:?}",
            trace_url(id),
            trace.version,
            trace.scenario
        ));
    }
    Ok(trace)
}

/// Loads the awaited trace (nothing when none is awaited), and says so while it comes.
#[component]
pub fn TraceLoader() -> Html {
    let player = use_player();
    let awaiting = player.0.awaiting.is_some();
    let id = player.0.scenario_id.clone();
    let opened = player.0.opened;
    {
        let player = player.clone();
        use_effect_with((awaiting, id, opened), move |(awaiting, id, _)| {
            if *awaiting {
                let id = id.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    // A late answer for a scenario no longer open is ignored by the player. One
                    // retry: a request lost on a busy machine must not cost the student the fast
                    // page (the studio would take over, with the address as it is).
                    let fetched = match fetch_trace(&id).await {
                        Ok(trace) => Ok(trace),
                        Err(_) => fetch_trace(&id).await,
                    };
                    match fetched {
                        Ok(trace) => player.dispatch(Intent::TraceLoaded(Rc::new(trace))),
                        Err(reason) => player.dispatch(Intent::TraceUnavailable(reason)),
                    }
                });
            }
        });
    }
    if !awaiting {
        return Html::default();
    }
    html! { <p class="studio-loading studio-loading-scenario" role="status">{ "Loading the scenario's trace…" }</p> }
}
