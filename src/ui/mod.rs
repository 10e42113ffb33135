//! The Yew front end (wasm32 only). Thin: it draws the model and sends intents to it.
//!
//! One component per file. [`start`] installs the panic hook (see [`fatal`]) and mounts [`App`]
//! into `<div id="app">` of index.html.
//!
//! Debug hook: `?debug=panic` in the page URL makes the app panic on purpose right after its first
//! render, so the browser tests can prove that a Rust panic shows a visible error message.
//! `?debug=bench10k` opens a generated trace of about 10,000 steps (read by the player, see
//! `player::BENCH_FLAG`), which `cargo xtask bench browser` times; it is not in the picker.

mod app;
mod autosave;
mod cards;
mod compose;
mod console;
mod controls;
mod course;
mod dns_zone;
mod editor;
mod editor_ctx;
mod editor_dns;
mod editor_node;
mod embed;
mod fatal;
mod header;
mod help_dialog;
mod inspector;
mod lesson;
mod live_region;
mod mailboxes;
mod model;
mod network_view;
mod notice;
mod panel;
mod queue;
mod scenario_picker;
mod sequence_diagram;
mod share_panel;
mod state_diagram;
mod teach;
mod tools;

pub use app::App;

/// Entry point called by `main` on wasm32.
pub fn start() {
    fatal::install_panic_hook();
    let document = gloo::utils::document();
    let root: web_sys::Element = match document.get_element_by_id("app") {
        Some(root) => root,
        None => gloo::utils::body().into(),
    };
    // Drop the static "Starting smtp-sim…" placeholder of index.html.
    root.set_text_content(None);
    yew::Renderer::<App>::with_root(root).render();
}

/// The value of the `debug` query parameter of the page URL (`?debug=panic`), if any.
pub(crate) fn debug_flag() -> Option<String> {
    let search = gloo::utils::window().location().search().ok()?;
    search
        .trim_start_matches('?')
        .split('&')
        .find_map(|pair| pair.strip_prefix("debug="))
        .map(str::to_owned)
}
