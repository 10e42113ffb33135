//! The Yew front end (wasm32 only). Thin: it draws the model and sends intents to it.

use yew::prelude::*;

#[component]
fn App() -> Html {
    html! { <main><h1>{ "smtp-sim" }</h1></main> }
}

/// Entry point called by `main` on wasm32.
pub fn start() {
    yew::Renderer::<App>::new().render();
}
