//! The step caption, which is also the polite live region: each step in words ("Step 12 of 54:
//! mx.example.org replies 550 5.1.1 to RCPT — failed: …"), read aloud by screen readers when it
//! changes and shown on the page so a class can read along.

use yew::prelude::*;

use super::model::use_player;

#[component]
pub fn LiveRegion() -> Html {
    let player = use_player();
    let view = player.0.view();
    html! {
        <p id="live" class="live" aria-live="polite" aria-atomic="true">{ view.announcement }</p>
    }
}
