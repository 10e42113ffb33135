//! The DNS zone tool: the scenario's records (MX, A, AAAA, TXT/SPF, null MX, broken names) as
//! tables with a teaching line per record type, and the records the current step's DNS question
//! asked about marked in words. Drawn from `player::nodes::zone`.

use yew::prelude::*;

use super::model::use_player;
use super::panel::Panel;
use crate::player::nodes;

#[component]
pub fn DnsZone() -> Html {
    let player = use_player();
    let p = &player.0;
    let z = nodes::zone(&p.scenario.dns, &p.trace, p.step);
    let question = match &z.question {
        Some(q) => {
            let answer = q
                .answer
                .as_ref()
                .map(|a| format!(" The answer: {a}."))
                .unwrap_or_else(|| " The answer comes in the next step.".to_string());
            let marked = match q.matched {
                0 => " No record in the zone matches it.".to_string(),
                1 => " The record it asks about is marked \u{201c}asked now\u{201d} below.".to_string(),
                n => format!(" The {n} records it asks about are marked \u{201c}asked now\u{201d} below."),
            };
            html! { <p class="dns-question" role="status"><strong>{ "This step asks DNS: " }</strong><span class="mono">{ format!("{} {}?", q.name, q.qtype) }</span>{ format!("{answer}{marked}") }</p> }
        }
        None => {
            html! { <p class="dns-question">{ "This step asks DNS nothing. At a DNS step, the records it asks about are marked \u{201c}asked now\u{201d}." }</p> }
        }
    };
    html! {
        <Panel id="dns" title="DNS zone">
            <div class="node-panel dns-zone">
                { question }
                if z.groups.is_empty() {
                    <p class="placeholder">{ "This scenario's zone has no records." }</p>
                }
                { for z.groups.iter().map(|g| {
                    let mx = g.rtype == "MX";
                    html! {
                        <section class="dns-group" data-rtype={g.rtype}>
                            <table class="nodes-table dns-table">
                                <caption>{ format!("{} records", g.rtype) }</caption>
                                <thead><tr>
                                    <th scope="col">{ "Name" }</th>
                                    if mx { <th scope="col"><abbr title="preference: lower is tried first">{ "Pref." }</abbr></th> }
                                    <th scope="col">{ match g.rtype { "MX" => "Exchange", "A" | "AAAA" => "Address", "TXT" => "Text", _ => "Answer" } }</th>
                                </tr></thead>
                                <tbody>
                                    { for g.rows.iter().map(|r| html! {
                                        <tr class={classes!(r.asked.then_some("asked"))}>
                                            <th scope="row" class="mono">
                                                if r.asked { <strong class="asked-tag">{ "asked now" }</strong>{ " " } }
                                                { r.name.clone() }
                                            </th>
                                            if mx { <td>{ r.preference.map(|p| p.to_string()).unwrap_or_default() }</td> }
                                            <td><span class="mono">{ r.data.clone() }</span>
                                                if let Some(n) = r.note { <span class="field-meaning">{ n }</span> }
                                            </td>
                                        </tr>
                                    }) }
                                </tbody>
                            </table>
                            <p class="teach">{ g.teaching }</p>
                        </section>
                    }
                }) }
            </div>
        </Panel>
    }
}
