//! The scenario editor tool: the "Edited" badge, Reset to built-in (with undo), whether edits
//! are kept in this browser, one live status line, and the three parts — per-node faults and
//! policies (`editor_node.rs`), the DNS zone (`editor_dns.rs`) and a message to compose
//! (`compose.rs`).
//!
//! Thin: every change is made by a pure function of `player::edit`, which checks it and
//! returns a new scenario or located errors; this file shows the errors next to their fields
//! (`aria-invalid`, `aria-describedby`), says what happened in a `role="status"` line, and
//! dispatches `Intent::Edit` — the player re-runs the simulation at once. Autosave happens in
//! `autosave.rs`.

use std::collections::BTreeMap;
use std::rc::Rc;

use yew::prelude::*;

use super::compose::Compose;
use super::editor_ctx::{EditReport, EditorCtx};
use super::editor_dns::DnsEditor;
use super::editor_node::NodeEditor;
use super::model::use_player;
use super::panel::Panel;
use crate::player::Intent;
use crate::sim::scenario::Scenario;

#[component]
pub fn Editor() -> Html {
    let player = use_player();
    let errors = use_state(|| Rc::new(BTreeMap::<String, String>::new()));
    let said = use_state(String::new);
    let undo = use_state(|| None::<Rc<Scenario>>);
    let keeps = use_memo((), |_| super::autosave::available());

    let report = {
        let player = player.clone();
        let errors = errors.clone();
        let said = said.clone();
        let undo = undo.clone();
        Callback::from(move |o: EditReport| {
            let mut map: BTreeMap<String, String> = (**errors).clone();
            map.retain(|k, _| !k.starts_with(&o.scope));
            match o.result {
                Ok((scenario, text)) => {
                    if let Some(scenario) = scenario {
                        player.dispatch(Intent::Edit(Box::new(scenario)));
                        if o.show_end {
                            player.dispatch(Intent::Last);
                        }
                        undo.set(None);
                    }
                    said.set(text);
                }
                Err(list) => {
                    let first: Vec<String> = list.iter().map(|e| e.message.clone()).collect();
                    said.set(format!("Not changed. {}", first.join(" ")));
                    for e in list {
                        map.entry(e.field).or_insert(e.message);
                    }
                }
            }
            errors.set(Rc::new(map));
        })
    };
    let ctx = EditorCtx { errors: (*errors).clone(), report };

    let p = &player.0;
    let edited = p.is_edited();
    let has_builtin = crate::sim::scenario::BUILTIN.iter().any(|(id, _)| *id == p.scenario_id);
    let reset = {
        let player = player.clone();
        let undo = undo.clone();
        let said = said.clone();
        let errors = errors.clone();
        let current = p.scenario.clone();
        Callback::from(move |_: MouseEvent| {
            undo.set(Some(current.clone()));
            player.dispatch(Intent::ResetToBuiltin);
            errors.set(Rc::new(BTreeMap::new()));
            said.set("Reset to the built-in scenario; your edits were discarded. Undo brings them back.".into());
        })
    };
    let undo_reset = {
        let player = player.clone();
        let undo = undo.clone();
        let said = said.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(s) = (*undo).clone() {
                player.dispatch(Intent::Edit(Box::new((*s).clone())));
                said.set("Your edits are back.".into());
            }
            undo.set(None);
        })
    };
    let status = if said.is_empty() { String::new() } else { format!("{} The trace has {} steps.", *said, p.len()) };

    html! {
        <Panel id="editor" title="Scenario editor">
            <div class="editor">
                <div class="editor-head">
                    if edited {
                        <p class="editor-badge edited" data-edited="true"><strong>{ "Edited" }</strong>{ " — differs from the built-in" }</p>
                    } else {
                        <p class="editor-badge" data-edited="false">{ "Built-in, unchanged" }</p>
                    }
                    <div class="editor-actions">
                        if edited && has_builtin {
                            <button type="button" class="btn editor-reset" onclick={reset}>{ "Reset to built-in" }</button>
                        }
                        if undo.is_some() && !edited {
                            <button type="button" class="btn editor-undo" onclick={undo_reset}>{ "Undo reset" }</button>
                        }
                    </div>
                </div>
                <p class="editor-keep">
                    if *keeps {
                        { "Changes apply at once and are saved in this browser, per scenario." }
                    } else {
                        { "Changes apply at once, but this browser does not let the page store data (private mode or storage disabled): edits will not be kept when you leave or reload." }
                    }
                </p>
                <p class="editor-status" role="status" aria-live="polite">{ status }</p>

                <h3 class="editor-h">{ "Hosts: faults and policies" }</h3>
                { for p.scenario.nodes.iter().map(|n| html! {
                    <NodeEditor key={n.id.clone()} node={n.clone()} ctx={ctx.clone()} />
                }) }

                <h3 class="editor-h">{ "DNS zone" }</h3>
                <DnsEditor ctx={ctx.clone()} />

                <h3 class="editor-h" id="compose-title">{ "Compose a message" }</h3>
                <Compose key={p.scenario_id.clone()} ctx={ctx} />
            </div>
        </Panel>
    }
}
