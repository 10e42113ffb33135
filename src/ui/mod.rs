//! The Yew front end (wasm32 only). Thin: it draws the model and sends intents to it.
//!
//! One component per file. [`start`] installs the panic hook (see [`fatal`]) and mounts [`App`]
//! into `<div id="app">` of index.html.
//!
//! Two builds of the same components: with the `studio` feature (the default) the whole app;
//! without it the *viewer*, the first view of the page, in which the tools (the components below
//! marked `studio`) are left out and [`studio`] hands the page to the full build on first use.
//!
//! Debug hook: `?debug=panic` in the page URL makes the app panic on purpose right after its first
//! render, so the browser tests can prove that a Rust panic shows a visible error message.
//! `?debug=bench10k` opens a generated trace of about 10,000 steps (read by the player, see
//! `player::BENCH_FLAG`), which `cargo xtask bench browser` times; it is not in the picker.

mod app;
#[cfg(feature = "studio")]
mod autosave;
#[cfg(feature = "studio")]
mod cards;
#[cfg(feature = "studio")]
mod compose;
#[cfg(feature = "studio")]
mod console;
mod controls;
#[cfg(feature = "studio")]
mod course;
#[cfg(feature = "studio")]
mod dns_zone;
#[cfg(feature = "studio")]
mod editor;
#[cfg(feature = "studio")]
mod editor_ctx;
#[cfg(feature = "studio")]
mod editor_dns;
#[cfg(feature = "studio")]
mod editor_node;
mod embed;
mod fatal;
mod header;
mod help_dialog;
mod inspector;
#[cfg(feature = "studio")]
mod lesson;
mod live_region;
#[cfg(feature = "studio")]
mod mailboxes;
mod model;
mod network_view;
mod notice;
mod panel;
#[cfg(feature = "studio")]
mod queue;
mod scenario_picker;
mod sequence_diagram;
#[cfg(feature = "studio")]
mod share_panel;
mod state_diagram;
#[cfg(not(feature = "studio"))]
mod studio;
#[cfg(feature = "studio")]
mod teach;
mod tools;
#[cfg(not(feature = "studio"))]
mod traces;

pub use app::App;

thread_local! {
    /// The running app, kept so the viewer can take itself down before the studio starts.
    static RUNNING: std::cell::RefCell<Option<yew::AppHandle<App>>> = const { std::cell::RefCell::new(None) };
}

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
    let app = yew::Renderer::<App>::with_root(root).render();
    RUNNING.with(|r| *r.borrow_mut() = Some(app));
}

/// Unmounts the app: its effects' clean-ups remove every listener and timer it installed on the
/// window and document, so the next app mounted on the same root is alone.
#[cfg(not(feature = "studio"))]
pub(crate) fn stop() {
    if let Some(app) = RUNNING.with(|r| r.borrow_mut().take()) {
        app.destroy();
    }
}

/// The app's address without query or fragment (`https://host/path/` or `…/index.html`).
pub fn app_url() -> String {
    let l = gloo::utils::window().location();
    format!("{}{}", l.origin().unwrap_or_default(), l.pathname().unwrap_or_default())
}

/// The value of the `debug` query parameter of the page URL (`?debug=panic`), if any.
pub(crate) fn debug_flag() -> Option<String> {
    let search = gloo::utils::window().location().search().ok()?;
    search.trim_start_matches('?').split('&').find_map(|pair| pair.strip_prefix("debug=")).map(str::to_owned)
}
