//! Autosave, the browser side: keeps the edits of the open scenario in `localStorage` and
//! restores them when the scenario is opened again (on page load, or from the picker). It
//! renders nothing. Thin: every decision (the key, what to store, what a stored value means,
//! the notices) is made by the yew-free `player::saved`; this file only reads, writes and
//! removes one key, and says nothing when storage is unavailable (the editor says that).

use std::cell::Cell;
use std::rc::Rc;

use yew::prelude::*;

use super::model::use_player;
use crate::player::saved::{self, Found, Write};
use crate::player::Intent;

/// The page's `localStorage`, if the browser lets this page use it (private modes and disabled
/// storage give `None`, or throw on use).
pub fn storage() -> Option<web_sys::Storage> {
    gloo::utils::window().local_storage().ok().flatten()
}

/// Whether edits can be kept: storage exists and accepts a write.
pub fn available() -> bool {
    let Some(s) = storage() else { return false };
    let probe = format!("{}probe", saved::KEY_PREFIX);
    let ok = s.set_item(&probe, "1").is_ok();
    let _ = s.remove_item(&probe);
    ok
}

#[component]
pub fn Autosave() -> Html {
    let player = use_player();
    // The `opened` count already handled, so a change of scenario in place (an edit) is told
    // apart from a scenario being opened.
    let seen: Rc<Cell<Option<u64>>> = use_memo((), |_| Cell::new(None));
    let opened = player.0.opened;
    let scenario = player.0.scenario.clone();
    let id = player.0.scenario_id.clone();
    {
        let player = player.clone();
        use_effect_with((opened, id, scenario), move |(opened, id, _)| {
            let store = storage();
            if seen.get() != Some(*opened) {
                seen.set(Some(*opened));
                if player.0.is_edited() {
                    return; // opened with edits already (a link): nothing to restore over them
                }
                let stored = store.as_ref().and_then(|s| s.get_item(&saved::key(id)).ok().flatten());
                match saved::on_open(id, stored.as_deref()) {
                    Found::Nothing => {}
                    Found::Restore(s) => player.dispatch(Intent::RestoreSaved(s)),
                    Found::Discard(notice) => {
                        if let Some(s) = &store {
                            let _ = s.remove_item(&saved::key(id));
                        }
                        if let Some(n) = notice {
                            player.dispatch(Intent::Notify(n));
                        }
                    }
                }
                return;
            }
            let Some(store) = store else { return };
            match saved::after_change(&player.0) {
                Write::Store { key, value } => {
                    if store.set_item(&key, &value).is_err() {
                        player.dispatch(Intent::Notify("Your edits could not be saved in this browser (its storage is full or disabled); they are kept until you leave the page.".into()));
                    }
                }
                Write::Remove { key } => {
                    let _ = store.remove_item(&key);
                }
            }
        });
    }
    Html::default()
}
