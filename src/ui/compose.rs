//! Compose a message in the editor: which mail program sends it, From, To (several), Subject,
//! the text, and attachments picked with `<input type="file" multiple>`, read in the browser
//! with gloo's file API (nothing is uploaded) and encoded as base64 MIME parts by the
//! simulation (`smtp::base64`, the project's one codec). "Send" adds the message through
//! `player::edit::compose`, which checks every field; the trace is recomputed and the page
//! goes to its last step, the new message's journey. Also lists the scenario's messages, each
//! with Remove.

use std::cell::RefCell;
use std::rc::Rc;

use gloo::file::callbacks::FileReader;
use gloo::file::File;
use wasm_bindgen::JsCast;
use web_sys::{HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};
use yew::prelude::*;

use super::editor_ctx::{EditReport, EditorCtx};
use super::model::use_player;
use crate::player::edit::{self, Draft, EditError, FileInput, MAX_ATTACHMENT_BYTES};
use crate::sim::clock::format_time;

#[derive(Properties, PartialEq)]
pub struct ComposeProps {
    pub ctx: EditorCtx,
}

const SCOPE: &str = "compose-";

fn value_of(e: &InputEvent) -> Option<String> {
    let t = e.target()?;
    if let Some(i) = t.dyn_ref::<HtmlInputElement>() {
        return Some(i.value());
    }
    t.dyn_ref::<HtmlTextAreaElement>().map(HtmlTextAreaElement::value)
}

#[component]
pub fn Compose(props: &ComposeProps) -> Html {
    let player = use_player();
    let ctx = &props.ctx;
    let draft = {
        let scenario = player.0.scenario.clone();
        use_state(move || edit::draft_for(&scenario))
    };
    let files = use_state(Vec::<FileInput>::new);
    let reading = use_state(|| 0usize);
    let readers: Rc<RefCell<Vec<FileReader>>> = use_mut_ref(Vec::new);
    let file_ref = use_node_ref();
    let clients = edit::clients(&player.0.scenario);

    let set = |apply: fn(&mut Draft, String)| {
        let draft = draft.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(v) = value_of(&e) {
                let mut d = (*draft).clone();
                apply(&mut d, v);
                draft.set(d);
            }
        })
    };
    let on_client = {
        let draft = draft.clone();
        Callback::from(move |e: Event| {
            if let Some(s) = e.target().and_then(|t| t.dyn_into::<HtmlSelectElement>().ok()) {
                let mut d = (*draft).clone();
                d.client = s.value();
                draft.set(d);
            }
        })
    };

    let on_files = {
        let files = files.clone();
        let reading = reading.clone();
        let readers = readers.clone();
        let report = ctx.report.clone();
        Callback::from(move |e: Event| {
            let Some(input) = e.target().and_then(|t| t.dyn_into::<HtmlInputElement>().ok()) else { return };
            let Some(list) = input.files() else { return };
            let picked: Vec<File> = (0..list.length()).filter_map(|i| list.get(i)).map(File::from).collect();
            if picked.is_empty() {
                return;
            }
            // Check the sizes before reading anything: a large file is refused, not loaded.
            let total: u64 = picked.iter().map(|f| f.size()).sum::<u64>() + files.iter().map(|f| f.bytes.len() as u64).sum::<u64>();
            if total > MAX_ATTACHMENT_BYTES as u64 || picked.len() + files.len() > edit::MAX_ATTACHMENTS {
                let why = if total > MAX_ATTACHMENT_BYTES as u64 {
                    format!(
                        "Attachments: {} together; at most {} per message. Pick smaller files.",
                        edit::kb(total as usize),
                        edit::kb(MAX_ATTACHMENT_BYTES)
                    )
                } else {
                    format!("Attachments: at most {} files per message.", edit::MAX_ATTACHMENTS)
                };
                input.set_value("");
                report.emit(EditReport {
                    scope: "compose-attachments".into(),
                    result: Err(vec![EditError { field: "compose-attachments".into(), message: why }]),
                    show_end: false,
                });
                return;
            }
            reading.set(*reading + picked.len());
            // Each read finishes on its own; the shared list is updated through a cell so two
            // reads that finish in the same tick both land.
            let acc: Rc<RefCell<Vec<FileInput>>> = Rc::new(RefCell::new((*files).clone()));
            let pending = Rc::new(RefCell::new(picked.len()));
            let mut new_readers = Vec::new();
            for f in picked {
                let (name, content_type) = (f.name(), f.raw_mime_type());
                let (files, reading, acc, pending, report) = (files.clone(), reading.clone(), acc.clone(), pending.clone(), report.clone());
                new_readers.push(gloo::file::callbacks::read_as_bytes(&f, move |result| {
                    match result {
                        Ok(bytes) => acc.borrow_mut().push(FileInput { name: name.clone(), content_type, bytes }),
                        Err(e) => report.emit(EditReport {
                            scope: "compose-attachments".into(),
                            result: Err(vec![EditError {
                                field: "compose-attachments".into(),
                                message: format!("Attachments: “{}” could not be read ({e}).", edit::shown(&name)),
                            }]),
                            show_end: false,
                        }),
                    }
                    let left = {
                        let mut p = pending.borrow_mut();
                        *p -= 1;
                        *p
                    };
                    if left == 0 {
                        let list = acc.borrow().clone();
                        let said = format!(
                            "{} attached ({} in all).",
                            list.iter().map(|f| edit::clean_filename(&f.name)).collect::<Vec<_>>().join(", "),
                            edit::kb(list.iter().map(|f| f.bytes.len()).sum())
                        );
                        files.set(list);
                        reading.set(0);
                        report.emit(EditReport { scope: "compose-attachments".into(), result: Ok((None, said)), show_end: false });
                    }
                }));
            }
            readers.borrow_mut().extend(new_readers);
            input.set_value("");
        })
    };

    let onsubmit = {
        let player = player.clone();
        let draft = draft.clone();
        let files = files.clone();
        let report = ctx.report.clone();
        let readers = readers.clone();
        let file_ref = file_ref.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let mut d = (*draft).clone();
            d.attachments = (*files).clone();
            let at = edit::send_time(&player.0.trace);
            let result = edit::compose(&player.0.scenario, &d, at);
            let ok = result.is_ok();
            let subject =
                if d.subject.trim().is_empty() { "(no subject)".to_string() } else { format!("“{}”", edit::shown(d.subject.trim())) };
            let said = format!("Message {subject} added: it is sent at {} and the page shows the end of its journey.", format_time(at.0));
            report.emit(EditReport { scope: SCOPE.into(), result: result.map(|s| (Some(s), said)), show_end: true });
            if ok {
                let mut next = (*draft).clone();
                next.subject.clear();
                next.body.clear();
                draft.set(next);
                files.set(Vec::new());
                readers.borrow_mut().clear();
                if let Some(i) = file_ref.cast::<HtmlInputElement>() {
                    i.set_value("");
                }
            }
        })
    };

    let d = &*draft;
    let (f_client, f_from, f_to, f_subject, f_body, f_att, f_send) = (
        ctx.field("compose-client"),
        ctx.field("compose-from"),
        ctx.field("compose-to"),
        ctx.field("compose-subject"),
        ctx.field("compose-body"),
        ctx.field("compose-attachments"),
        ctx.field("compose-send"),
    );
    let total: usize = files.iter().map(|f| f.bytes.len()).sum();
    let messages = &player.0.scenario.messages;
    html! {
        <div class="editor-compose">
            if clients.is_empty() {
                <p class="editor-hint-line">{ "This scenario has no mail program, so there is nobody to send from." }</p>
            } else {
                <form class="compose-form" {onsubmit} aria-labelledby="compose-title">
                    <div class="editor-field">
                        <label for={f_client.id.clone()}>{ "Send from" }</label>
                        <select id={f_client.id} onchange={on_client} aria-invalid={f_client.invalid} aria-describedby={f_client.describedby}>
                            { for clients.iter().map(|(id, name)| html! { <option value={id.clone()} selected={*id == d.client}>{ name.clone() }</option> }) }
                        </select>
                        { f_client.message }
                    </div>
                    <div class="editor-field">
                        <label for={f_from.id.clone()}>{ "From" }</label>
                        <input type="text" id={f_from.id} value={d.from.clone()} oninput={set(|d, v| d.from = v)} autocomplete="off" spellcheck="false" aria-invalid={f_from.invalid} aria-describedby={f_from.describedby} />
                        { f_from.message }
                    </div>
                    <div class="editor-field">
                        <label for={f_to.id.clone()}>{ "To" }<span class="editor-hint">{ "several: separate with commas" }</span></label>
                        <input type="text" id={f_to.id} value={d.to.clone()} oninput={set(|d, v| d.to = v)} autocomplete="off" spellcheck="false" placeholder="Bob <bob@example.org>, carol@example.org" aria-invalid={f_to.invalid} aria-describedby={f_to.describedby} />
                        { f_to.message }
                    </div>
                    <div class="editor-field">
                        <label for={f_subject.id.clone()}>{ "Subject" }</label>
                        <input type="text" id={f_subject.id} value={d.subject.clone()} oninput={set(|d, v| d.subject = v)} autocomplete="off" aria-invalid={f_subject.invalid} aria-describedby={f_subject.describedby} />
                        { f_subject.message }
                    </div>
                    <div class="editor-field">
                        <label for={f_body.id.clone()}>{ "Message" }</label>
                        <textarea id={f_body.id} rows="4" value={d.body.clone()} oninput={set(|d, v| d.body = v)} aria-invalid={f_body.invalid} aria-describedby={f_body.describedby} />
                        { f_body.message }
                    </div>
                    <div class="editor-field">
                        <label for={f_att.id.clone()}>{ "Attachments" }<span class="editor-hint" id="compose-att-hint">{ format!("up to {} in all; read in this browser, sent as base64 MIME parts", edit::kb(MAX_ATTACHMENT_BYTES)) }</span></label>
                        <input type="file" multiple=true id={f_att.id} ref={file_ref} onchange={on_files} aria-invalid={f_att.invalid}
                            aria-describedby={f_att.describedby.map_or(AttrValue::from("compose-att-hint"), |d| AttrValue::from(format!("compose-att-hint {d}")))} />
                        { f_att.message }
                        if *reading > 0 {
                            <p class="editor-hint-line">{ format!("Reading {} file(s)…", *reading) }</p>
                        }
                        if !files.is_empty() {
                            <ul class="compose-files">
                                { for files.iter().enumerate().map(|(i, f)| {
                                    let remove = {
                                        let files = files.clone();
                                        Callback::from(move |_: MouseEvent| {
                                            let mut v = (*files).clone();
                                            if i < v.len() {
                                                v.remove(i);
                                            }
                                            files.set(v);
                                        })
                                    };
                                    let name = edit::clean_filename(&f.name);
                                    html! {
                                        <li>
                                            <span class="compose-file-name">{ name.clone() }</span>{ format!(" — {}", edit::kb(f.bytes.len())) }
                                            <button type="button" class="btn btn-small" onclick={remove} aria-label={format!("Remove attachment {name}")}>{ "Remove" }</button>
                                        </li>
                                    }
                                }) }
                            </ul>
                            <p class="editor-hint-line">{ format!("{} of {} used.", edit::kb(total), edit::kb(MAX_ATTACHMENT_BYTES)) }</p>
                        }
                    </div>
                    <div class="editor-field">
                        <button type="submit" id={f_send.id} class="btn btn-primary compose-send" disabled={*reading > 0} aria-describedby={f_send.describedby}>{ "Send" }</button>
                        { f_send.message }
                    </div>
                </form>
            }
            <h4 class="editor-h4">{ format!("Messages in this scenario ({})", messages.len()) }</h4>
            <ol class="compose-messages">
                { for messages.iter().enumerate().map(|(i, m)| {
                    let remove = {
                        let player = player.clone();
                        let report = ctx.report.clone();
                        let subject = m.subject.clone();
                        Callback::from(move |_: MouseEvent| {
                            let result = edit::remove_message(&player.0.scenario, i).map(|s| (Some(s), format!("Message “{}” removed.", edit::shown(&subject)))).map_err(|e| vec![e]);
                            report.emit(EditReport { scope: SCOPE.into(), result, show_end: false });
                        })
                    };
                    let att = if m.attachments.is_empty() { String::new() } else { format!(", {} attachment(s)", m.attachments.len()) };
                    html! {
                        <li key={format!("{i}-{}", m.subject)}>
                            <span class="compose-msg">{ format!("{} → {}: ", m.from, m.to.join(", ")) }<q>{ m.subject.clone() }</q>{ format!(" at {}{att}", format_time(m.at.0)) }</span>
                            <button type="button" class="btn btn-small" onclick={remove} aria-label={format!("Remove message {}", m.subject)}>{ "Remove" }</button>
                        </li>
                    }
                }) }
            </ol>
        </div>
    }
}
