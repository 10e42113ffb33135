//! The Queue tool: what waits in each server's queue at the current step — message, recipient,
//! attempts, the last error, the next retry on the virtual clock, and whether it is delayed or
//! expired. Drawn from `player::nodes::queues`; an empty queue says so in words.

use yew::prelude::*;

use super::model::use_player;
use super::panel::Panel;
use crate::player::nodes;
use crate::sim::clock::format_time;

#[component]
pub fn Queue() -> Html {
    let player = use_player();
    let p = &player.0;
    let view = p.view();
    let queues = nodes::queues(&p.trace, &view);
    html! {
        <Panel id="queue" title="Queue">
            <div class="node-panel queue">
                <p class="teach">{ "A server keeps a message in its queue until the next server takes responsibility for it (a 2xx reply after the data) or it gives up. A 4xx reply means \u{201c}try later\u{201d}: the message waits and is retried on a schedule (RFC 5321 §4.5.4.1); a 5xx, or the end of the queue lifetime, returns it to the sender as a bounce." }</p>
                <p class="queue-now">{ format!("Now: {} on the virtual clock (step {} of {}).", format_time(view.time), view.step + 1, view.len) }</p>
                if queues.is_empty() {
                    <p class="placeholder">{ "This scenario has no mail servers, so there is no queue." }</p>
                }
                { for queues.iter().map(|q| html! {
                    <section class="node-queue" data-node={q.node.clone()} aria-label={format!("Queue of {}", q.node_name)}>
                        <h3>{ format!("Queue of {}", q.node_name) }</h3>
                        if q.rows.is_empty() {
                            <p class="queue-empty">{ "Empty: nothing waits in this queue at this step." }</p>
                        } else {
                            <ul class="queue-entries">
                                { for q.rows.iter().map(|r| html! {
                                    <li class={classes!("queue-entry", r.is_bounce.then_some("is-bounce"))}>
                                        <p class="qe-title">
                                            if r.is_bounce { <span class="tag-bounce">{ "↩ Bounce" }</span>{ " " } }
                                            { format!("Message #{} to ", r.message) }<span class="mono">{ r.recipient.clone() }</span>
                                        </p>
                                        <dl class="fields">
                                            <div><dt>{ "Attempts failed" }</dt><dd class="qe-attempts">{ r.attempts.to_string() }</dd></div>
                                            <div><dt>{ "Next attempt" }</dt><dd class="qe-next mono">{ r.next_retry.clone().unwrap_or_else(|| "none scheduled".to_string()) }</dd></div>
                                            <div class="wide"><dt>{ "Last error" }</dt><dd class="qe-error">
                                                { match (&r.error_code, &r.last_error) {
                                                    (Some(code), Some(e)) => html! { <><strong class="mono">{ code.clone() }</strong>{ format!(" — {}", e.trim_start_matches(code.as_str()).trim()) }</> },
                                                    (None, Some(e)) => html! { { e.clone() } },
                                                    _ => html! { "none yet" },
                                                } }
                                            </dd></div>
                                            <div class="wide"><dt>{ "State" }</dt><dd class="qe-state">{ r.state.clone() }</dd></div>
                                        </dl>
                                    </li>
                                }) }
                            </ul>
                        }
                    </section>
                }) }
            </div>
        </Panel>
    }
}
