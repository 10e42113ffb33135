//! A visible note about the last load: an unknown scenario in the URL, a step out of range.

use yew::prelude::*;

use super::model::use_player;

#[component]
pub fn Notice() -> Html {
    let player = use_player();
    match &player.0.notice {
        Some(text) => html! {
            <p class="notice" role="status"><span class="notice-icon" aria-hidden="true">{ "i" }</span>{ " " }{ text.clone() }</p>
        },
        None => html! {},
    }
}
