//! The inspector: the details of the selected command or reply.
//!
//! A placeholder for now: it says what will appear here.

use super::panel::Panel;
use yew::prelude::*;

#[component]
pub fn Inspector() -> Html {
    html! {
        <Panel id="inspector" title="Inspector">
            <p class="placeholder">
                { "Select a command or reply to see its raw bytes, what it means, the RFC section that defines it, and the session state before and after it." }
            </p>
        </Panel>
    }
}
