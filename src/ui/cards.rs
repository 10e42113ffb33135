//! The troubleshooting cards: symptom, what mail programs say, what happens on the wire (read
//! from the scenario's trace at the card's step, `lesson::cards::wire`), cause and fix, and a
//! button that opens the scenario at that step.

use std::rc::Rc;

use yew::prelude::*;

use crate::lesson::cards::{self, Wire, CARDS};
use crate::sim::{scenario, world};

#[derive(Properties, PartialEq)]
pub struct CardsProps {
    /// Opens `(scenario, step)` in the player.
    pub on_open: Callback<(String, usize)>,
}

#[component]
pub fn Cards(props: &CardsProps) -> Html {
    // Each card's scenario run once while the list is open (a few small worlds).
    let wires: Rc<Vec<Option<Wire>>> =
        use_memo((), |_| CARDS.iter().map(|c| scenario::builtin(c.scenario).and_then(|s| cards::wire(c, &world::run(&s)))).collect());
    html! {
        <section id="cards" class="panel cards" aria-labelledby="cards-title">
            <h2 class="panel-title" id="cards-title" tabindex="-1">{ "Troubleshooting: what the user sees, and why" }</h2>
            <div class="panel-body">
                <ul class="card-list">
                    { for CARDS.iter().zip(wires.iter()).map(|(c, wire)| {
                        let onclick = wire.as_ref().map(|w| {
                            let cb = props.on_open.clone();
                            let target = (c.scenario.to_string(), w.step);
                            Callback::from(move |_: MouseEvent| cb.emit(target.clone()))
                        });
                        let heading = format!("card-{}", c.id);
                        html! {
                            <li key={c.id}>
                                <article class="card" aria-labelledby={heading.clone()} data-card={c.id}>
                                    <h3 id={heading}>{ c.symptom }</h3>
                                    <dl>
                                        <dt>{ "What mail programs say" }</dt>
                                        { for c.says.iter().map(|s| html! { <dd class="card-says">{ *s }</dd> }) }
                                        if let Some(w) = wire {
                                            <dt>{ "On the wire" }</dt>
                                            <dd><code>{ w.label.clone() }</code>{ format!(" — step {}: {}", w.step + 1, w.meaning) }</dd>
                                        }
                                        <dt>{ "Cause" }</dt><dd>{ c.cause }</dd>
                                        <dt>{ "Fix" }</dt><dd>{ c.fix }</dd>
                                    </dl>
                                    if let Some(onclick) = onclick {
                                        <button type="button" class="btn" {onclick}>{ format!("Open the scenario at step {}", wire.as_ref().map_or(0, |w| w.step + 1)) }</button>
                                    }
                                </article>
                            </li>
                        }
                    }) }
                </ul>
                <p class="course-missing">{ "“My second device gets no mail” (POP3 deleted it on the first) comes with the POP3 and IMAP scenarios." }</p>
            </div>
        </section>
    }
}
