//! A hello-world Yew page: the start-up baseline of `cargo xtask bench browser`.
//!
//! Built by the xtask exactly like smtp-sim (the workspace's release profile, wasm32, the
//! wasm-bindgen library with the same options) into `target/bench-hello/`, never into `dist/`.
//! It renders one heading; the benchmark times navigation → that heading, against navigation →
//! the first rendered scenario of smtp-sim.

#[cfg(target_arch = "wasm32")]
mod page {
    use yew::prelude::*;

    #[component]
    pub fn App() -> Html {
        html! { <h1 id="hello">{ "Hello, world" }</h1> }
    }
}

#[cfg(target_arch = "wasm32")]
fn main() {
    yew::Renderer::<page::App>::new().render();
}

/// Natively there is nothing to show: this page exists only for the browser benchmark.
#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("bench-hello is a wasm32 page; build it with `cargo xtask bench browser`.");
}
