//! The scenario picker: choose what happens (a plain delivery, a relay, a bounce…).
//!
//! A placeholder for now: it says what will appear here.

use super::panel::Panel;
use yew::prelude::*;

#[component]
pub fn ScenarioPicker() -> Html {
    html! {
        <Panel id="scenarios" title="Scenario picker">
            <p class="placeholder">
                { "Choose a scenario — a plain delivery, a relay through a smarthost, a greylisting server, a bounced message — then step through it one event at a time." }
            </p>
        </Panel>
    }
}
