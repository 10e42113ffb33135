//! The visible error box for fatal errors, and the panic hook that fills it.
//!
//! index.html holds `<div id="fatal" role="alert" hidden>` with `#fatal-message` and
//! `#fatal-hint`; its boot script uses the same box when the wasm cannot load. The first fatal
//! error wins: a panic aborts the wasm (release builds use `panic = "abort"`) and the resulting
//! `RuntimeError: unreachable` must not replace the panic's own, more useful message.
//! Text goes in with `textContent`, never as HTML.

use std::panic::PanicHookInfo;

/// Installs a panic hook that shows the panic message on the page (and in the console).
///
/// Through `yew::set_custom_panic_hook`: a plain `std::panic::set_hook` would be replaced by
/// Yew's console-only default hook when the app is rendered.
pub fn install_panic_hook() {
    yew::set_custom_panic_hook(Box::new(|info: &PanicHookInfo<'_>| {
        let message = panic_message(info);
        show(
            &format!("smtp-sim stopped because of an internal error: {message}"),
            "Reload the page to start again. This is a bug in smtp-sim: please report it together \
             with the message above.",
        );
        gloo::console::error!(format!("smtp-sim panicked: {message}"));
    }));
}

fn panic_message(info: &PanicHookInfo<'_>) -> String {
    let payload = info.payload();
    let text = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(no message)".to_string());
    match info.location() {
        Some(at) => format!("{text} (at {}:{})", at.file(), at.line()),
        None => text,
    }
}

/// Shows `message` and `hint` in the error box unless an earlier error is already shown.
pub fn show(message: &str, hint: &str) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let fatal = match document.get_element_by_id("fatal") {
        Some(fatal) => fatal,
        None => {
            // Mounted in a page without the box (e.g. an embed): make a plain one.
            let Ok(fatal) = document.create_element("div") else { return };
            fatal.set_id("fatal");
            let _ = fatal.set_attribute("role", "alert");
            let _ = fatal.set_attribute("class", "fatal");
            let _ = fatal.set_attribute("hidden", "");
            if let Some(body) = document.body() {
                let _ = body.insert_before(&fatal, body.first_child().as_ref());
            }
            fatal
        }
    };
    if !fatal.has_attribute("hidden") {
        return;
    }
    match (document.get_element_by_id("fatal-message"), document.get_element_by_id("fatal-hint")) {
        (Some(m), Some(h)) => {
            m.set_text_content(Some(message));
            h.set_text_content(Some(hint));
        }
        _ => fatal.set_text_content(Some(&format!("{message} {hint}"))),
    }
    let _ = fatal.remove_attribute("hidden");
}
