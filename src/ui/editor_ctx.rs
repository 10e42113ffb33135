//! What the parts of the scenario editor share (`editor.rs` and its parts `editor_node.rs`,
//! `editor_dns.rs`, `compose.rs`): the report a part sends after trying a change, and the errors
//! by field with the attributes an input needs to show its own. Its own module so that the editor
//! and its parts import it, not each other.

use std::collections::BTreeMap;
use std::rc::Rc;

use yew::prelude::*;

use crate::player::edit::EditError;
use crate::sim::scenario::Scenario;

/// What a part of the editor reports after trying a change.
pub struct EditReport {
    /// Errors whose field starts with this are cleared first (the part's fields).
    pub scope: String,
    /// The new scenario (`None`: no change to the scenario, e.g. files picked) and a sentence
    /// saying what happened; or why nothing changed.
    pub result: Result<(Option<Scenario>, String), Vec<EditError>>,
    /// Go to the last step afterwards (a composed message: show its delivery).
    pub show_end: bool,
}

/// What the parts of the editor share: the errors by field, and where to report outcomes.
#[derive(Clone, PartialEq)]
pub struct EditorCtx {
    pub errors: Rc<BTreeMap<String, String>>,
    pub report: Callback<EditReport>,
}

impl EditorCtx {
    /// The attributes and message for the input with key `key`: its id, `aria-invalid`,
    /// `aria-describedby`, and the error paragraph to put after it.
    pub fn field(&self, key: &str) -> Field {
        let error = self.errors.get(key).cloned();
        let error_id = format!("editor-{key}-error");
        Field {
            id: AttrValue::from(format!("editor-{key}")),
            invalid: error.as_ref().map(|_| AttrValue::from("true")),
            describedby: error.as_ref().map(|_| AttrValue::from(error_id.clone())),
            message: match error {
                Some(text) => html! { <p class="field-error" id={error_id}><span aria-hidden="true">{ "⚠ " }</span>{ text }</p> },
                None => Html::default(),
            },
        }
    }
}

/// See [`EditorCtx::field`].
pub struct Field {
    pub id: AttrValue,
    pub invalid: Option<AttrValue>,
    pub describedby: Option<AttrValue>,
    pub message: Html,
}
