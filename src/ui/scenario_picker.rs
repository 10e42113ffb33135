//! The scenario picker: every built-in scenario as a button with its title and learning goal.
//! The chosen one is marked `aria-current`; choosing another opens it at its first step.

use std::rc::Rc;

use yew::prelude::*;

use super::model::use_player;
use super::panel::Panel;
use crate::player::{catalog, Intent};

/// Scrolls to the picker and focuses the open scenario's button (the "Scenarios" button of the
/// teaching bar, in the full build and the viewer alike).
pub fn focus_picker() {
    use wasm_bindgen::JsCast;
    let doc = gloo::utils::document();
    if let Some(list) = doc.get_element_by_id("scenarios-title") {
        list.scroll_into_view();
    }
    if let Some(current) =
        doc.query_selector(".scenario-list button[aria-current]").ok().flatten().and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = current.focus();
    }
}

#[component]
pub fn ScenarioPicker() -> Html {
    let player = use_player();
    // Parsed once per page: titles and goals of the built-ins.
    let list = use_memo((), |_| Rc::new(catalog()));
    let current = player.0.scenario_id.clone();
    html! {
        <Panel id="scenarios" title="Scenarios">
            <ul class="scenario-list">
                { for list.iter().map(|s| {
                    let chosen = s.id == current;
                    let onclick = {
                        let player = player.clone();
                        let id = s.id;
                        Callback::from(move |_: MouseEvent| player.dispatch(Intent::Load(id.to_string())))
                    };
                    html! {
                        <li key={s.id}>
                            <button type="button" class={classes!("scenario", chosen.then_some("chosen"))}
                                aria-current={chosen.then_some("true")} {onclick} data-scenario={s.id}>
                                <span class="scenario-title">{ s.title.clone() }</span>
                                <span class="scenario-goal">{ s.goal.clone() }</span>
                            </button>
                        </li>
                    }
                }) }
            </ul>
        </Panel>
    }
}
