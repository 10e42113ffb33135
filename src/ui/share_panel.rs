//! "Share & export": Copy link (the whole state as `#v2.…`), Copy embed code (an iframe snippet
//! plus the host script), and downloads — the SVG diagram, the transcript, the JSON trace and
//! every stored message as `.eml`. What goes in a link, a snippet or a file is decided in yew-free code
//! (`player::link`, `player::embed`, `player::export`); here are only the browser parts: the
//! Clipboard API (probed, because insecure origins lack it, with a select-able field as the
//! fallback), Blob downloads, and the status sentence in a live region.

use std::cell::Cell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::app_url;
use super::model::use_player;
use crate::player::embed;
use crate::player::export::{self, Download};

/// Writes `text` to the clipboard; `done(true)` once it is there, `done(false)` if the browser
/// has no Clipboard API here (an `http:` page on another host) or refused.
pub(super) fn copy_to_clipboard(text: &str, done: impl FnOnce(bool) + 'static) {
    let done = Rc::new(Cell::new(Some(done)));
    let finish = {
        let done = done.clone();
        move |ok: bool| {
            if let Some(d) = done.take() {
                d(ok)
            }
        }
    };
    let get = |o: &JsValue, k: &str| js_sys::Reflect::get(o, &JsValue::from_str(k)).ok().filter(|v| !v.is_undefined() && !v.is_null());
    let window: JsValue = gloo::utils::window().into();
    let clipboard = get(&window, "navigator").and_then(|n| get(&n, "clipboard"));
    let started = clipboard.as_ref().and_then(|c| {
        let write: js_sys::Function = get(c, "writeText")?.dyn_into().ok()?;
        let promise = write.call1(c, &JsValue::from_str(text)).ok()?;
        let then: js_sys::Function = get(&promise, "then")?.dyn_into().ok()?;
        let ok = {
            let finish = finish.clone();
            Closure::once_into_js(move |_: JsValue| finish(true))
        };
        let failed = {
            let finish = finish.clone();
            Closure::once_into_js(move |_: JsValue| finish(false))
        };
        then.call2(&promise, &ok, &failed).ok()
    });
    if started.is_none() {
        finish(false);
    }
}

/// Hands a file to the user: a Blob, an object URL, a click on an `<a download>` (nothing is
/// fetched). Also used by the opened message in the Mailboxes tool.
pub fn save(d: &Download) -> Result<(), JsValue> {
    let parts = js_sys::Array::of1(&JsValue::from_str(&d.body));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(d.mime);
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)?;
    let a: web_sys::HtmlAnchorElement = gloo::utils::document().create_element("a")?.dyn_into()?;
    a.set_href(&url);
    a.set_download(&d.filename);
    a.set_hidden(true);
    gloo::utils::body().append_child(&a)?;
    a.click();
    a.remove();
    // Revoke later: some browsers read the URL after the click handler returns.
    gloo::timers::callback::Timeout::new(10_000, move || {
        let _ = web_sys::Url::revoke_object_url(&url);
    })
    .forget();
    Ok(())
}

#[derive(Properties, PartialEq)]
pub struct SharePanelProps {
    /// The scenario differs from its built-in, so links carry it in full.
    pub edited: bool,
}

/// What the "copy" field shows: a label and the text.
#[derive(Clone, PartialEq)]
struct Copied {
    label: &'static str,
    text: String,
}

#[component]
pub fn SharePanel(props: &SharePanelProps) -> Html {
    let player = use_player();
    let status = use_state(String::new);
    let copied = use_state(|| None::<Copied>);
    let list_open = use_state(|| false);
    // Bumped when the clipboard failed: the field is selected once it is rendered.
    let select_field = use_state(|| 0u32);
    let edited = props.edited;
    use_effect_with(*select_field, |&n| {
        if n > 0 {
            if let Some(input) =
                gloo::utils::document().get_element_by_id("share-copy-text").and_then(|e| e.dyn_into::<HtmlInputElement>().ok())
            {
                let _ = input.focus();
                input.select();
            }
        }
    });

    let copy = |label: &'static str, what: &'static str, make: fn(&crate::player::Player, bool) -> String| {
        let player = player.clone();
        let status = status.clone();
        let copied = copied.clone();
        let select_field = select_field.clone();
        Callback::from(move |_: MouseEvent| {
            let text = make(&player.0, edited);
            copied.set(Some(Copied { label, text: text.clone() }));
            let status = status.clone();
            let select_field = select_field.clone();
            copy_to_clipboard(&text, move |ok| {
                if ok {
                    status.set(format!("{what} copied to the clipboard."));
                } else {
                    status.set(format!("This browser did not let the page copy: the {} is selected in the field below; press Ctrl+C (⌘C on a Mac) to copy it.", what.to_lowercase()));
                    select_field.set(*select_field + 1);
                }
            });
        })
    };
    let on_copy_link = copy("Link", "Link", |p, edited| format!("{}#{}", app_url(), crate::share::encode(&p.share_state(edited))));
    let on_copy_embed = copy("Embed code", "Embed code", |p, edited| embed::snippet(&app_url(), p, edited));

    let p = &player.0;
    let stem = export::stem(&p.scenario_id, edited);
    // Built on click, not on every step: the SVG and transcript cover the whole run.
    let on_svg = {
        let player = player.clone();
        let stem = stem.clone();
        let status = status.clone();
        Callback::from(move |e: MouseEvent| download_now(export::svg(&player.0.trace, &stem), &status, e))
    };
    let on_text = {
        let player = player.clone();
        let stem = stem.clone();
        let status = status.clone();
        Callback::from(move |e: MouseEvent| download_now(export::transcript(&player.0.trace, &stem), &status, e))
    };
    let on_json = {
        let player = player.clone();
        let stem = stem.clone();
        let status = status.clone();
        Callback::from(move |e: MouseEvent| download_now(export::json(&player.0.trace, &stem), &status, e))
    };
    // The list is built only while it is open: it parses every stored message, which on a long
    // run is far more than a step's budget (docs/perf.md).
    let stored = p.trace.mailboxes.len();
    let messages = if *list_open { export::messages(&p.trace, p.step) } else { Vec::new() };
    let on_toggle = {
        let list_open = list_open.clone();
        Callback::from(move |e: Event| {
            let d: web_sys::HtmlDetailsElement = e.target_unchecked_into();
            list_open.set(d.open());
        })
    };

    html! {
        <section class="panel panel-share" aria-labelledby="share-title">
            <h2 id="share-title" class="panel-title">{ "Share & export" }</h2>
            <div class="panel-body share-body">
                <div class="share-row" role="group" aria-label="Share">
                    <button type="button" class="btn btn-small" onclick={on_copy_link}>{ "Copy link" }</button>
                    <button type="button" class="btn btn-small" onclick={on_copy_embed}>{ "Copy embed code" }</button>
                </div>
                if let Some(c) = &*copied {
                    <label class="share-copy">
                        <span>{ c.label }</span>
                        <input id="share-copy-text" type="text" readonly=true value={c.text.clone()}
                            onfocus={Callback::from(|e: FocusEvent| { let i: HtmlInputElement = e.target_unchecked_into(); i.select(); })} />
                    </label>
                }
                <p class="share-status" role="status" aria-live="polite">{ (*status).clone() }</p>
                <div class="share-row" role="group" aria-label="Download">
                    <button type="button" class="btn btn-small" onclick={on_svg}>{ "Diagram (.svg)" }</button>
                    <button type="button" class="btn btn-small" onclick={on_text}>{ "Transcript (.txt)" }</button>
                    <button type="button" class="btn btn-small" onclick={on_json}>{ "Trace (.json)" }</button>
                </div>
                if stored == 0 {
                    <p class="share-none">{ "No message reaches a mailbox in this run, so there is no .eml to download." }</p>
                } else {
                    <details class="share-messages" open={*list_open} ontoggle={on_toggle}>
                        <summary>{ format!("Stored messages as .eml ({stored})") }</summary>
                        <ul>
                            { for messages.iter().map(|m| {
                                let what = if m.is_bounce { "Bounce" } else { "Message" };
                                let label = format!("{what} {} to {} ({})", m.number, m.mailbox, m.node);
                                // The file is made on click (it copies the whole message).
                                let onclick = {
                                    let player = player.clone();
                                    let stem = stem.clone();
                                    let status = status.clone();
                                    let number = m.number;
                                    Callback::from(move |e: MouseEvent| {
                                        if let Some(d) = export::eml(&player.0.trace, &stem, number) {
                                            download_now(d, &status, e);
                                        }
                                    })
                                };
                                html! {
                                    <li>
                                        <button type="button" class="btn btn-small" {onclick}
                                            aria-label={format!("Download {label} as .eml")}>{ ".eml" }</button>
                                        <span class="share-msg">
                                            <span>{ label }</span>
                                            <span class="share-subject">{ m.subject.clone() }</span>
                                            if !m.delivered_by_now {
                                                <span class="share-later">{ "delivered later in the run" }</span>
                                            }
                                        </span>
                                    </li>
                                }
                            }) }
                        </ul>
                    </details>
                }
            </div>
        </section>
    }
}

fn download_now(d: Download, status: &UseStateHandle<String>, _: MouseEvent) {
    match save(&d) {
        Ok(()) => status.set(format!("Downloading {}.", d.filename)),
        Err(_) => status.set(format!("The browser refused to download {}.", d.filename)),
    }
}
