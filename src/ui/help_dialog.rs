//! The keyboard help: a modal `<dialog>` opened with `?` (or the ? button) and closed with Esc
//! or its Close button. `showModal()` makes the rest of the page inert, so focus stays inside;
//! closing returns focus to where it was.

use wasm_bindgen::JsCast;
use web_sys::{HtmlDialogElement, HtmlElement};
use yew::prelude::*;

/// The shortcuts, as the dialog lists them (the handler is in `app.rs`).
pub const SHORTCUTS: &[(&str, &str)] = &[
    ("Space or K", "play / pause"),
    ("→ or L", "next step"),
    ("← or J", "previous step"),
    ("Home", "first step"),
    ("End", "last step"),
    ("Enter on a diagram row", "inspect that step"),
    ("?", "show this help"),
    ("Esc", "close this help"),
];

#[derive(Properties, PartialEq)]
pub struct HelpDialogProps {
    pub open: bool,
    pub on_close: Callback<()>,
}

#[component]
pub fn HelpDialog(props: &HelpDialogProps) -> Html {
    let dialog = use_node_ref();
    let opener = use_mut_ref(|| None::<HtmlElement>);
    {
        let dialog = dialog.clone();
        let opener = opener.clone();
        use_effect_with(props.open, move |&open| {
            if let Some(d) = dialog.cast::<HtmlDialogElement>() {
                if open && !d.open() {
                    *opener.borrow_mut() = gloo::utils::document().active_element().and_then(|e| e.dyn_into::<HtmlElement>().ok());
                    let _ = d.show_modal();
                } else if !open && d.open() {
                    d.close();
                    if let Some(el) = opener.borrow_mut().take() {
                        let _ = el.focus();
                    }
                }
            }
        });
    }
    // Esc closes the dialog natively; keep our state in step with it.
    let on_close_event = {
        let cb = props.on_close.clone();
        Callback::from(move |_: Event| cb.emit(()))
    };
    let on_close_click = {
        let cb = props.on_close.clone();
        Callback::from(move |_: MouseEvent| cb.emit(()))
    };
    html! {
        <dialog ref={dialog} class="help" aria-labelledby="help-title" onclose={on_close_event}>
            <h2 id="help-title">{ "Keyboard shortcuts" }</h2>
            <dl class="shortcuts">
                { for SHORTCUTS.iter().map(|(k, what)| html! {
                    <div class="shortcut"><dt><kbd>{ *k }</kbd></dt><dd>{ *what }</dd></div>
                }) }
            </dl>
            <p class="help-note">{ "Every button, the step slider and the scenario list also work with Tab, Enter and Space. The URL always points at the step you see: copy it to share it." }</p>
            <button type="button" class="btn btn-primary" onclick={on_close_click} autofocus=true>{ "Close" }</button>
        </dialog>
    }
}
