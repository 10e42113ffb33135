//! Autosaved edits: what the page keeps in the browser's storage for an edited scenario, and
//! what to do with what it finds there. Yew-free: the browser side (`ui/autosave.rs`) only
//! reads, writes and removes the one key; every decision is made here and tested natively.
//!
//! One key per scenario id ([`key`]); the value is a share link
//! (`share::encode` of `ScenarioRef::Custom`), so stored edits use the same versioned,
//! checked format as links, and old or damaged values are reported with its plain errors.

use crate::share::{self, ScenarioRef, ShareState};
use crate::sim::scenario::{self, Scenario};

use super::Player;

/// The prefix of every key this page writes to `localStorage`.
pub const KEY_PREFIX: &str = "smtp-sim.edit.";

/// The notice shown when edits were restored.
pub const RESTORED: &str = "Your edits to this scenario were restored — Reset to built-in to discard them.";

/// The storage key for the edits of scenario `id`.
pub fn key(id: &str) -> String {
    format!("{KEY_PREFIX}{id}")
}

/// The stored text for an edited scenario.
pub fn encode(s: &Scenario) -> String {
    share::encode(&ShareState {
        version: share::VERSION,
        scenario: ScenarioRef::Custom(s.clone()),
        step: 0,
        panels: Vec::new(),
        selected: None,
    })
}

/// What to do with what storage holds for a scenario being opened.
#[derive(Clone, Debug, PartialEq)]
pub enum Found {
    /// Nothing stored: show the built-in.
    Nothing,
    /// Restore these edits.
    Restore(Box<Scenario>),
    /// The stored value is of no use: remove the key. With a notice when the user should know
    /// (damaged or unreadable edits), without one when it merely repeats the built-in.
    Discard(Option<String>),
}

/// Decides what to do with `stored`, the value under [`key`]`(id)` (if any) when scenario `id`
/// is opened. Never panics, whatever the stored text.
pub fn on_open(id: &str, stored: Option<&str>) -> Found {
    let Some(text) = stored else { return Found::Nothing };
    let unreadable = |why: String| {
        Found::Discard(Some(format!(
            "Saved edits to this scenario could not be read, so the built-in is shown and they were discarded: {why}."
        )))
    };
    match share::decode(text) {
        Err(e) => unreadable(e.to_string().trim_end_matches('.').to_string()),
        Ok(ShareState { scenario: ScenarioRef::Builtin(_), .. }) => Found::Discard(None),
        Ok(ShareState { scenario: ScenarioRef::Custom(s), .. }) => {
            if s.id != id {
                unreadable(format!("they belong to the scenario “{}”", super::edit::shown(&s.id)))
            } else if scenario::builtin(id).as_ref() == Some(&s) {
                Found::Discard(None)
            } else {
                Found::Restore(Box::new(s))
            }
        }
    }
}

/// What to write to storage after the player changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Write {
    /// Store this value under [`key`]`(id)`.
    Store { key: String, value: String },
    /// Remove [`key`]`(id)` (the scenario is the built-in again).
    Remove { key: String },
}

/// The storage write that keeps the player's edits (or their absence) saved.
pub fn after_change(p: &Player) -> Write {
    let key = key(&p.scenario_id);
    if p.is_edited() {
        Write::Store { key, value: encode(&p.scenario) }
    } else {
        Write::Remove { key }
    }
}
