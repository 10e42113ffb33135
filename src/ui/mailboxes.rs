//! The Mailboxes tool: every mailbox with the messages delivered so far (at the current step),
//! and one message opened for reading — envelope beside headers, the `Received:` chain, the MIME
//! part tree, a bounce's delivery report and the raw source. All the reading is done by
//! `player::nodes`; this file only draws it. Which message is open is this view's own state.

use std::rc::Rc;

use yew::prelude::*;

use super::model::use_player;
use super::panel::Panel;
use super::share_panel::save;
use crate::player::explain::Seg;
use crate::player::export;
use crate::player::nodes::{self, Opened, ReportField};

/// Moves the keyboard focus to the element with this id, if it exists.
fn focus(id: &str) {
    use wasm_bindgen::JsCast;
    if let Some(el) = gloo::utils::document().get_element_by_id(id) {
        if let Ok(el) = el.dyn_into::<web_sys::HtmlElement>() {
            let _ = el.focus();
        }
    }
}

fn open_id(index: usize) -> String {
    format!("open-message-{index}")
}

#[component]
pub fn Mailboxes() -> Html {
    let player = use_player();
    let p = &player.0;
    let view = p.view();
    // The open message of *this* trace: loading another scenario (or an edited one) closes it.
    let open = use_state(|| None::<(Rc<crate::sim::trace::Trace>, usize)>);
    let crlf = use_state(|| false);
    // What the last "Download .eml" did, for the status line beside the button.
    let saved = use_state(String::new);
    // The message last opened, so that "Back" can return the focus to its button.
    let last = use_mut_ref(|| None::<usize>);
    let wanted = (*open).as_ref().filter(|(t, _)| Rc::ptr_eq(t, &p.trace)).map(|&(_, i)| i);
    let shown = wanted.filter(|&i| nodes::is_delivered(&view, i));

    {
        let last = last.clone();
        use_effect_with(shown, move |shown| match shown {
            Some(_) => focus("message-heading"),
            None => {
                if let Some(i) = last.borrow_mut().take() {
                    focus(&open_id(i));
                }
            }
        });
    }

    let body = match shown.and_then(|i| nodes::open_message(&p.trace, i)) {
        Some(m) => {
            let back = {
                let open = open.clone();
                let last = last.clone();
                let i = m.index;
                Callback::from(move |_: MouseEvent| {
                    *last.borrow_mut() = Some(i);
                    open.set(None);
                })
            };
            let toggle = {
                let crlf = crlf.clone();
                Callback::from(move |_: Event| crlf.set(!*crlf))
            };
            let download = {
                let trace = p.trace.clone();
                let stem = export::stem(&p.scenario_id, p.is_edited());
                let i = m.index;
                let status = saved.clone();
                Callback::from(move |_: MouseEvent| {
                    if let Some(d) = export::eml(&trace, &stem, i + 1) {
                        status.set(match save(&d) {
                            Ok(()) => format!("Downloading {}.", d.filename),
                            Err(_) => format!("The browser refused to download {}.", d.filename),
                        });
                    }
                })
            };
            message_view(&m, back, *crlf, toggle, download, (*saved).clone())
        }
        None => {
            let boxes = nodes::mailboxes(&p.trace, &view);
            let stale = wanted.is_some() && shown.is_none();
            html! {
                <>
                    if stale {
                        <p class="note">{ "The message you had open has not been delivered yet at this step." }</p>
                    }
                    if boxes.is_empty() {
                        <p class="placeholder">{ "No mailbox holds a message yet at this step. Step forward: a message appears here once a server has delivered it into a mailbox." }</p>
                    }
                    { for boxes.iter().map(|b| html! {
                        <table class="nodes-table mailbox-table" data-mailbox={b.mailbox.clone()}>
                            <caption>
                                <span class="mbx-name">{ b.mailbox.clone() }</span>
                                { format!(" on {} — {} message{}", b.node_name, b.messages.len(), if b.messages.len() == 1 { "" } else { "s" }) }
                            </caption>
                            <thead><tr><th scope="col">{ "Stored at" }</th><th scope="col">{ "From and subject" }</th><th scope="col"><span class="sr-only">{ "Open" }</span></th></tr></thead>
                            <tbody>
                                { for b.messages.iter().map(|m| {
                                    let onclick = {
                                        let open = open.clone();
                                        let i = m.index;
                                        let trace = p.trace.clone();
                                        Callback::from(move |_: MouseEvent| open.set(Some((trace.clone(), i))))
                                    };
                                    html! {
                                        <tr class={classes!(m.is_bounce.then_some("is-bounce"))}>
                                            <td class="mono">{ m.time.clone() }</td>
                                            <td>
                                                <span class="msg-from">{ m.from.clone() }</span>
                                                <span class="msg-subject">
                                                    if m.is_bounce { <span class="tag-bounce">{ "↩ Bounce" }</span>{ " " } }
                                                    { m.subject.clone() }
                                                </span>
                                                if let Some(f) = m.flags() { <span class="msg-flags">{ f }</span> }
                                            </td>
                                            <td><button type="button" class="btn btn-small" id={open_id(m.index)} {onclick}
                                                aria-label={format!("Open “{}”{}", m.subject, if m.is_bounce { " (bounce)" } else { "" })}>{ "Open" }</button></td>
                                        </tr>
                                    }
                                }) }
                            </tbody>
                        </table>
                    }) }
                </>
            }
        }
    };
    html! {
        <Panel id="mailboxes" title="Mailboxes">
            <div class="node-panel mailboxes">{ body }</div>
        </Panel>
    }
}

fn fields_table(caption: &str, fields: &[ReportField]) -> Html {
    html! {
        <table class="nodes-table report-table">
            <caption>{ caption.to_string() }</caption>
            <thead><tr><th scope="col">{ "Field" }</th><th scope="col">{ "Value and meaning" }</th></tr></thead>
            <tbody>
                { for fields.iter().map(|f| html! {
                    <tr data-field={f.name.clone()}>
                        <th scope="row">{ f.name.clone() }</th>
                        <td><span class="mono">{ f.value.clone() }</span>
                            if let Some(m) = &f.meaning { <span class="field-meaning">{ m.clone() }</span> }
                        </td>
                    </tr>
                }) }
            </tbody>
        </table>
    }
}

fn message_view(
    m: &Opened,
    back: Callback<MouseEvent>,
    crlf: bool,
    toggle: Callback<Event>,
    download: Callback<MouseEvent>,
    status: String,
) -> Html {
    let subject = m
        .headers
        .iter()
        .find(|(n, _)| n == "Subject")
        .map(|(_, v)| v.clone())
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| "(no subject)".to_string());
    let hops = m.received.len();
    html! {
        <article class="message" aria-labelledby="message-heading">
            <div class="msg-actions">
                <button type="button" class="btn btn-small msg-back" onclick={back}>{ "← Back to the mailboxes" }</button>
                <button type="button" class="btn btn-small" onclick={download}>{ "Download .eml" }</button>
                <span class="msg-status" role="status">{ status }</span>
            </div>
            <h3 id="message-heading" class="msg-heading" tabindex="-1">
                if m.is_bounce { <span class="tag-bounce">{ "↩ Bounce" }</span>{ " " } }
                { subject }
            </h3>
            <p class="msg-meta">{ format!("In the mailbox {} on {}, stored at {} on the virtual clock; {} octets.", m.mailbox, m.node_name, m.time, m.octets) }</p>

            <div class="env-head">
                <section class="env" aria-labelledby="env-title">
                    <h4 id="env-title">{ "Envelope — what the server saw" }</h4>
                    <dl class="kv">
                        <div><dt>{ "MAIL FROM" }</dt><dd class="mono">{ m.mail_from.clone() }</dd></div>
                        <div><dt>{ "RCPT TO" }</dt><dd class="mono">{ m.rcpt_to.clone() }</dd></div>
                    </dl>
                </section>
                <section class="head" aria-labelledby="head-title">
                    <h4 id="head-title">{ "Headers — what the reader sees" }</h4>
                    <dl class="kv">
                        { for m.headers.iter().map(|(n, v)| html! { <div><dt>{ n.clone() }</dt><dd>{ v.clone() }</dd></div> }) }
                    </dl>
                </section>
            </div>
            <p class="teach">{ nodes::ENVELOPE_VS_HEADERS }</p>
            if !m.differences.is_empty() {
                <ul class="differences">{ for m.differences.iter().map(|d| html! { <li>{ d.clone() }</li> }) }</ul>
            }

            <h4>{ "Received: chain — top is the last hop" }</h4>
            if m.received.is_empty() {
                <p>{ format!("No Received: fields: this message was written on {} and stored there, so it never crossed the network. Each server that relays a message adds one at the top (RFC 5321 §4.4).", m.node_name) }</p>
            } else {
                <p class="teach">{ "Every server that takes the message adds one Received: field at the top (RFC 5321 §4.4), so read from the bottom up to follow its path." }</p>
                <ol class="received">
                    { for m.received.iter().map(|h| html! {
                        <li>
                            <strong>{ format!("Hop {}", hops + 1 - h.position) }
                                { if h.position == 1 { " (last hop)" } else if h.position == hops { " (first hop)" } else { "" } }</strong>
                            { format!(": {}", h.explanation) }
                            if !h.date.is_empty() { <span class="hop-date">{ format!(" At {}.", h.date) }</span> }
                            <code class="hop-raw">{ format!("Received: {}", h.raw) }</code>
                        </li>
                    }) }
                </ol>
            }

            <table class="nodes-table parts-table">
                <caption>{ "MIME part tree" }</caption>
                <thead><tr><th scope="col">{ "Part: type, file name, what it is for, size" }</th></tr></thead>
                <tbody>
                    { for m.parts.iter().map(|p| html! {
                        <tr data-type={p.content_type.clone()}>
                            <td style={format!("padding-left: {}rem", 0.5 + p.depth as f32)}>
                                if p.depth > 0 { <span aria-hidden="true">{ "└ " }</span> }
                                <span class="mono">{ p.content_type.clone() }</span>
                                if let Some(f) = &p.filename { { " — file " }<span class="mono">{ f.clone() }</span> }
                                <span class="field-meaning">{ format!("{}; {}; {} octets{}", p.role, if p.depth == 0 { "the message itself".to_string() } else { format!("level {}", p.depth) }, p.size,
                                    if p.decoded > 0 && p.transfer_encoding != "7bit" && p.transfer_encoding != "8bit" { format!(", {} decoded from {}", p.decoded, p.transfer_encoding) } else { String::new() }) }</span>
                            </td>
                        </tr>
                    }) }
                </tbody>
            </table>

            if let Some(r) = &m.report {
                <section class="report" aria-labelledby="report-title">
                    <h4 id="report-title">{ "Delivery report (RFC 3464)" }</h4>
                    <p class="teach">{ "A bounce is a multipart/report: a text for people, a message/delivery-status part for programs, and the returned message or its headers." }</p>
                    if !r.human.is_empty() {
                        <h5>{ "For people" }</h5>
                        <blockquote class="human">{ r.human.trim().to_string() }</blockquote>
                    }
                    if let Some(problem) = &r.problem { <p class="note">{ format!("The machine-readable part could not be read: {problem}") }</p> }
                    if !r.per_message.is_empty() { { fields_table("About the message", &r.per_message) } }
                    { for r.recipients.iter().enumerate().map(|(i, f)| fields_table(&format!("About recipient {}", i + 1), f)) }
                    if !r.returned_headers.is_empty() {
                        <details class="returned">
                            <summary>{ format!("Headers of the returned message ({})", r.returned_headers.len()) }</summary>
                            <dl class="kv">
                                { for r.returned_headers.iter().map(|h| html! { <div><dt>{ h.name.clone() }</dt><dd>{ h.value.clone() }</dd></div> }) }
                            </dl>
                        </details>
                    }
                </section>
            }

            if !m.problems.is_empty() {
                <h4>{ "Problems found in this message" }</h4>
                <ul>{ for m.problems.iter().map(|p| html! { <li>{ p.clone() }</li> }) }</ul>
            }

            <h4>{ "Source" }</h4>
            <label class="crlf-toggle"><input type="checkbox" checked={crlf} onchange={toggle} />{ " Show the CR LF at each line end" }</label>
            <pre class="raw msg-source" tabindex="0" aria-label="Message source, as stored"><code>
                { for m.raw.iter().map(|line| html! {
                    <span class="raw-line">{ for line.iter().map(|seg| match seg {
                        Seg::Text(t) => html! { { t.clone() } },
                        Seg::Cr if crlf => html! { <span class="ctl" title="CR: carriage return, byte 13">{ "CR" }</span> },
                        Seg::Lf if crlf => html! { <span class="ctl" title="LF: line feed, byte 10">{ "LF" }</span> },
                        Seg::Cr | Seg::Lf => Html::default(),
                        Seg::Ctrl(c) => html! { <span class="ctl" title={format!("control character {c}")}>{ format!("\\x{c:02x}") }</span> },
                        Seg::StuffedDot | Seg::EndDot => html! { "." },
                    }) }</span>
                }) }
                if m.raw_more > 0 { <span class="raw-more">{ format!("… {} more lines not shown", m.raw_more) }</span> }
            </code></pre>
        </article>
    }
}
