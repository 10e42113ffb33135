//! The player's whole state as a share link, and back (`docs/share-links.md`).
//!
//! [`Player::to_share`] captures what a link restores — the scenario (a built-in by id, or an
//! edited one in full), the current step, the open tool (`panels` = [`Tool::name`]) and the
//! selected event — and [`Player::from_share`] rebuilds a player from it, clamping what no longer
//! fits and saying so in `notice`. [`Player::from_location`] is what the page does on load: a
//! `#v2.…` fragment wins over `?scenario=…&step=…`. A bad link never panics and never leaves the
//! page blank: it opens the default scenario with the reason as the notice; a bad link arriving
//! while the page is open ([`Intent::OpenLink`]) keeps what is on the page.
//!
//! Only the public `share::encode`/`share::decode` API is used, so the link's payload format can
//! change underneath.

use super::{url, Intent, Player, Tool, DEFAULT_SCENARIO};
use crate::share::{self, ScenarioRef, ShareError, ShareState};

/// True when a URL fragment (with or without `#`) is meant as a share link: `v` and a digit.
/// Any other fragment (`#main` from the skip link, say) is an ordinary anchor and is left alone.
pub fn is_link_fragment(fragment: &str) -> bool {
    let f = fragment.trim_start_matches('#').as_bytes();
    f.first() == Some(&b'v') && f.get(1).is_some_and(u8::is_ascii_digit)
}

/// The sentence the page shows for a link that cannot be opened.
pub fn bad_link_notice(e: &ShareError) -> String {
    format!("This shared link could not be opened: {e}.")
}

impl Player {
    /// The state a share link restores. `edited` says whether the scenario must travel in full
    /// (see [`Player::is_edited`]).
    pub fn share_state(&self, edited: bool) -> ShareState {
        ShareState {
            version: share::VERSION,
            scenario: if edited { ScenarioRef::Custom((*self.scenario).clone()) } else { ScenarioRef::Builtin(self.scenario_id.clone()) },
            step: self.step,
            panels: vec![self.tool.name().to_string()],
            selected: self.selected,
        }
    }

    /// The state a share link restores.
    pub fn to_share(&self) -> ShareState {
        self.share_state(self.is_edited())
    }

    /// The link text (`v2.…`, no `#`) for this state.
    pub fn share_link(&self) -> String {
        share::encode(&self.to_share())
    }

    /// The player a decoded link describes. A step past the end is clamped, and an unknown panel
    /// is skipped, each with a sentence in `notice`.
    pub fn from_share(state: ShareState) -> Player {
        let mut p = match state.scenario {
            ScenarioRef::Builtin(id) => Player::builtin(&id),
            ScenarioRef::Custom(s) => Player::from_scenario(s),
        };
        let mut notes: Vec<String> = p.notice.take().into_iter().collect();
        if let Some(note) = p.goto_person(state.step.saturating_add(1)) {
            notes.push(note);
        }
        let mut tool = None;
        for name in &state.panels {
            match Tool::from_name(name) {
                Some(t) if tool.is_none() => tool = Some(t),
                Some(_) => {}
                None => {
                    let shown: String = name.chars().filter(|c| !c.is_control()).take(30).collect();
                    notes.push(format!("The link asks for a panel called “{shown}”, which this page does not have."));
                }
            }
        }
        p.tool = tool.unwrap_or_default();
        p.apply(Intent::Select(state.selected));
        p.notice = if notes.is_empty() { None } else { Some(notes.join(" ")) };
        p
    }

    /// The player a link opens; for a link that cannot be read, the default scenario with the
    /// reason as the notice.
    pub fn from_link(link: &str) -> Player {
        match share::decode(link) {
            Ok(state) => Player::from_share(state),
            Err(ShareError::NeedsStudio) => Player::for_studio(),
            Err(e) => {
                let mut p = Player::builtin(DEFAULT_SCENARIO);
                p.notice = Some(bad_link_notice(&e));
                p
            }
        }
    }

    /// The player for a page address: a share-link fragment (`#v2.…`) wins over the query
    /// (`?scenario=…&step=…`); any other fragment is ignored.
    pub fn from_location(query: &str, fragment: &str) -> Player {
        if is_link_fragment(fragment) {
            Player::from_link(fragment)
        } else {
            Player::from_query(query)
        }
    }

    /// The address (query, and fragment when needed) that reopens this state: the plain
    /// `?scenario=…&step=…` for a built-in shown with the inspector; with `#<share link>` added
    /// when the scenario is edited or another tool is open, so that a reload loses nothing.
    pub fn location(&self, edited: bool) -> String {
        let query = url::query(&self.scenario_id, self.step);
        if edited || self.tool != Tool::default() {
            format!("{query}#{}", share::encode(&self.share_state(edited)))
        } else {
            query
        }
    }

    /// Opens a link that arrived while the page is open (`hashchange`). A bad link changes
    /// nothing but the notice, so nothing on the page is lost; the speed is kept.
    pub(super) fn open_link(&mut self, link: &str) {
        match share::decode(link) {
            Ok(state) => {
                let speed = self.speed;
                *self = Player::from_share(state);
                self.speed = speed;
            }
            Err(ShareError::NeedsStudio) => *self = Player::for_studio(),
            Err(e) => {
                self.playing = false;
                self.notice = Some(format!("{} What was on the page is kept.", bad_link_notice(&e)));
            }
        }
    }
}
