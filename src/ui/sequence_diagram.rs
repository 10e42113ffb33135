//! The sequence diagram: every command and reply in order, on the virtual clock.
//!
//! A placeholder for now: it says what will appear here.

use super::panel::Panel;
use yew::prelude::*;

#[component]
pub fn SequenceDiagram() -> Html {
    html! {
        <Panel id="diagram" title="Sequence diagram">
            <p class="placeholder">
                { "Every command and reply between client and server will be drawn here in order, as arrows on a timeline of the virtual clock." }
            </p>
        </Panel>
    }
}
