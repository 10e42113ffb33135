//! The DNS zone in the editor: every record as a small form (type, name, value, MX
//! preference) with Save and Remove, and a form to add one. The fields are plain inputs read on
//! submit; `player::edit` checks the record (host names, IPv4/IPv6 addresses, null MX) and
//! the rows are rebuilt from the zone after every change.

use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use super::editor_ctx::{EditReport, EditorCtx};
use super::model::use_player;
use crate::player::edit::{self, Record, RecordInput, RecordRef, RecordType};

#[derive(Properties, PartialEq)]
pub struct DnsEditorProps {
    pub ctx: EditorCtx,
}

#[component]
pub fn DnsEditor(props: &DnsEditorProps) -> Html {
    let player = use_player();
    let rows = edit::records(&player.0.scenario.dns);
    html! {
        <div class="editor-dns">
            <p class="editor-hint-line">{ "MX says which server receives a domain's mail (lowest preference first); A and AAAA give a host's address; TXT holds SPF policies. Change a row and press Save (or Enter)." }</p>
            if rows.is_empty() {
                <p class="editor-hint-line">{ "The zone is empty: every lookup answers NXDOMAIN." }</p>
            }
            <ul class="editor-records">
                { for rows.into_iter().map(|(at, r)| {
                    let key = format!("{}|{}|{}|{}|{}", edit::record_field(Some(at)), r.name, r.value, r.preference, r.rtype.name());
                    html! { <li key={key}><RecordRow at={Some(at)} record={Some(r)} ctx={props.ctx.clone()} /></li> }
                }) }
            </ul>
            <h4 class="editor-h4">{ "Add a record" }</h4>
            <RecordRow at={None} record={None} ctx={props.ctx.clone()} />
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct RecordRowProps {
    /// `None`: the "add a record" form.
    at: Option<RecordRef>,
    record: Option<Record>,
    ctx: EditorCtx,
}

#[component]
fn RecordRow(props: &RecordRowProps) -> Html {
    let player = use_player();
    let initial = props.record.as_ref().map_or(RecordType::Mx, |r| r.rtype);
    let rtype = use_state(|| initial);
    let (type_ref, name_ref, value_ref, pref_ref) = (use_node_ref(), use_node_ref(), use_node_ref(), use_node_ref());
    let key = edit::record_field(props.at);
    let ctx = &props.ctx;
    let (ft, fname, fvalue, fpref) = (
        ctx.field(&format!("{key}-type")),
        ctx.field(&format!("{key}-name")),
        ctx.field(&format!("{key}-value")),
        ctx.field(&format!("{key}-preference")),
    );
    let row_error = ctx.field(&key);

    let read = {
        let (type_ref, name_ref, value_ref, pref_ref) = (type_ref.clone(), name_ref.clone(), value_ref.clone(), pref_ref.clone());
        move || RecordInput {
            rtype: type_ref.cast::<HtmlSelectElement>().map(|s| s.value()).unwrap_or_default(),
            name: name_ref.cast::<HtmlInputElement>().map(|i| i.value()).unwrap_or_default(),
            value: value_ref.cast::<HtmlInputElement>().map(|i| i.value()).unwrap_or_default(),
            preference: pref_ref.cast::<HtmlInputElement>().map(|i| i.value()).unwrap_or_else(|| "0".into()),
        }
    };
    let describe = |i: &RecordInput| {
        let pref =
            if RecordType::from_name(&i.rtype) == Some(RecordType::Mx) { format!(" {}", i.preference.trim()) } else { String::new() };
        format!("{} IN {}{pref} {}", i.name.trim(), i.rtype.trim().to_ascii_uppercase(), i.value.trim())
    };
    let onsubmit = {
        let player = player.clone();
        let report = ctx.report.clone();
        let at = props.at;
        let key = key.clone();
        let (name_ref, value_ref, pref_ref) = (name_ref.clone(), value_ref.clone(), pref_ref.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let input = read();
            let result = match at {
                None => edit::add_record(&player.0.scenario, &input).map(|s| (Some(s), format!("DNS record added: {}.", describe(&input)))),
                Some(at) => edit::update_record(&player.0.scenario, at, &input)
                    .map(|s| (Some(s), format!("DNS record changed to {}.", describe(&input)))),
            };
            let added = at.is_none() && result.is_ok();
            report.emit(EditReport { scope: key.clone(), result: result.map_err(|e| vec![e]), show_end: false });
            if added {
                for r in [&name_ref, &value_ref] {
                    if let Some(i) = r.cast::<HtmlInputElement>() {
                        i.set_value("");
                    }
                }
                if let Some(i) = pref_ref.cast::<HtmlInputElement>() {
                    i.set_value("10");
                }
            }
        })
    };
    let remove = props.at.map(|at| {
        let player = player.clone();
        let report = ctx.report.clone();
        let key = key.clone();
        let text = props
            .record
            .as_ref()
            .map(|r| {
                describe(&RecordInput {
                    rtype: r.rtype.name().into(),
                    name: r.name.clone(),
                    value: r.value.clone(),
                    preference: r.preference.to_string(),
                })
            })
            .unwrap_or_default();
        Callback::from(move |_: MouseEvent| {
            let result =
                edit::remove_record(&player.0.scenario, at).map(|s| (Some(s), format!("DNS record removed: {text}."))).map_err(|e| vec![e]);
            report.emit(EditReport { scope: key.clone(), result, show_end: false });
        })
    });
    let onchange_type = {
        let rtype = rtype.clone();
        let type_ref = type_ref.clone();
        Callback::from(move |_: Event| {
            if let Some(t) = type_ref.cast::<HtmlSelectElement>().and_then(|s| RecordType::from_name(&s.value())) {
                rtype.set(t);
            }
        })
    };
    let r = props.record.clone();
    let (name, value, pref) = r
        .as_ref()
        .map_or((String::new(), String::new(), "10".to_string()), |r| (r.name.clone(), r.value.clone(), r.preference.to_string()));
    let what = match &r {
        Some(r) => format!("{} record {}", r.rtype.name(), r.name),
        None => "new record".to_string(),
    };
    html! {
        <form class="editor-record" {onsubmit}>
            <div class="editor-record-fields">
                <div class="editor-field rec-type">
                    <label for={ft.id.clone()}>{ "Type" }</label>
                    <select id={ft.id} ref={type_ref} onchange={onchange_type} aria-invalid={ft.invalid} aria-describedby={ft.describedby}>
                        { for RecordType::ALL.iter().map(|t| html! { <option value={t.name()} selected={*t == initial}>{ t.name() }</option> }) }
                    </select>
                </div>
                <div class="editor-field rec-name">
                    <label for={fname.id.clone()}>{ "Name" }</label>
                    <input type="text" id={fname.id} ref={name_ref} value={name} autocomplete="off" spellcheck="false" placeholder="example.org" aria-invalid={fname.invalid} aria-describedby={fname.describedby} />
                </div>
                if *rtype == RecordType::Mx {
                    <div class="editor-field rec-pref">
                        <label for={fpref.id.clone()}>{ "Preference" }</label>
                        <input type="text" inputmode="numeric" id={fpref.id} ref={pref_ref} value={pref} aria-invalid={fpref.invalid} aria-describedby={fpref.describedby} />
                    </div>
                }
                <div class="editor-field rec-value">
                    <label for={fvalue.id.clone()}>{ match *rtype { RecordType::Mx => "Mail server", RecordType::Txt => "Text", _ => "Address" } }<span class="editor-hint">{ rtype.value_hint() }</span></label>
                    <input type="text" id={fvalue.id} ref={value_ref} value={value} autocomplete="off" spellcheck="false" aria-invalid={fvalue.invalid} aria-describedby={fvalue.describedby} />
                </div>
            </div>
            { ft.message }{ fname.message }{ fpref.message }{ fvalue.message }{ row_error.message }
            <div class="editor-record-actions">
                if let Some(remove) = remove {
                    <button type="submit" class="btn btn-small" aria-label={format!("Save {what}")}>{ "Save" }</button>
                    <button type="button" class="btn btn-small" onclick={remove} aria-label={format!("Remove {what}")}>{ "Remove" }</button>
                } else {
                    <button type="submit" class="btn btn-small">{ "Add record" }</button>
                }
            </div>
        </form>
    }
}
