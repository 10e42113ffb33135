//! The only bridge between the views and the model: a Yew reducer around [`Player`], shared
//! through a context.
//!
//! Components read the player with `use_context::<PlayerHandle>()` and change it only by
//! dispatching an [`Intent`]; nothing here knows about timers, the URL or the DOM (those stay in
//! `app.rs`), and nothing in `player/` knows about Yew.

use std::rc::Rc;

use yew::prelude::*;

use crate::player::{Intent, Player};

/// The reducer state: the player itself.
#[derive(Clone, Debug, PartialEq)]
pub struct Model(pub Player);

impl Reducible for Model {
    type Action = Intent;

    fn reduce(self: Rc<Self>, intent: Intent) -> Rc<Self> {
        // Cheap: the scenario and trace inside the player are shared (`Rc`).
        let mut player = self.0.clone();
        player.apply(intent);
        Rc::new(Model(player))
    }
}

/// What components get from the context.
pub type PlayerHandle = UseReducerHandle<Model>;

/// The player handle from the context (panics if used outside `App`, a programming error).
#[hook]
pub fn use_player() -> PlayerHandle {
    use_context::<PlayerHandle>().expect("components are rendered inside App's PlayerHandle context")
}
