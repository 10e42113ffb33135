//! The network view: the hosts of a scenario and the links between them.
//!
//! A placeholder for now: it says what will appear here.

use super::panel::Panel;
use yew::prelude::*;

#[component]
pub fn NetworkView() -> Html {
    html! {
        <Panel id="network" title="Network view">
            <p class="placeholder">
                { "The mail client, relays, MX hosts and DNS of the chosen scenario appear here, with each message moving along the links between them." }
            </p>
        </Panel>
    }
}
