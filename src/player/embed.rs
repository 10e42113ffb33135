//! The compact player for iframes: its URL parameters, its starting state, and the snippet a
//! page author pastes (documented in `docs/embed.md`).
//!
//! `index.html?embed=1&scenario=ID&step=N&autoplay=1&speed=2&theme=dark&controls=0&readonly=1&panels=inspector,dns`
//! and, for an exact state (an edited scenario too), a share link as the fragment (`#v2.…`) or
//! as `state=v2.…`. Every value is checked; a value that cannot be used is skipped and reported
//! in a plain sentence (shown as the embed's notice), never guessed, never a panic.

use super::url;
use super::{Intent, Player, Tool, MAX_SPEED, MIN_SPEED};
use crate::diagram::svg::esc;

/// The embed's colours: the viewer's preference, or forced by the host page.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Theme {
    #[default]
    Auto,
    Light,
    Dark,
}

impl Theme {
    /// `auto`, `light` or `dark`, as written in the URL (and in the page's `data-theme`).
    pub fn name(self) -> &'static str {
        match self {
            Theme::Auto => "auto",
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }
}

/// Tools that change things (the scenario, or a live session): hidden by `readonly=1`.
pub const EDITING_TOOLS: [Tool; 2] = [Tool::Editor, Tool::Console];

/// What the embed parameters ask for.
#[derive(Clone, Debug, PartialEq)]
pub struct EmbedOptions {
    pub theme: Theme,
    /// Show the playback bar (`controls=0` hides it; the keyboard still works).
    pub controls: bool,
    /// Start playing on load (`autoplay=1`).
    pub autoplay: bool,
    /// Steps per second (`speed=`), within [`MIN_SPEED`]..=[`MAX_SPEED`].
    pub speed: Option<f32>,
    /// Hide the tools that edit (`readonly=1`, see [`EDITING_TOOLS`]).
    pub readonly: bool,
    /// The tools shown beside the diagram (`panels=inspector,dns`), in order; none by default.
    pub panels: Vec<Tool>,
    /// A share link given as `state=v2.…` instead of the fragment.
    pub state: Option<String>,
    /// Sentences about parameters that could not be used.
    pub problems: Vec<String>,
}

impl Default for EmbedOptions {
    fn default() -> Self {
        EmbedOptions {
            theme: Theme::Auto,
            controls: true,
            autoplay: false,
            speed: None,
            readonly: false,
            panels: Vec::new(),
            state: None,
            problems: Vec::new(),
        }
    }
}

/// Up to `n` characters of a hostile value, controls dropped, for a message.
fn shown(value: &str, n: usize) -> String {
    value.chars().filter(|c| !c.is_control()).take(n).collect()
}

fn pairs(query: &str) -> impl Iterator<Item = (&str, String)> {
    query.trim_start_matches('?').split('&').filter(|p| !p.is_empty()).map(|pair| {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        (k, url::decode(v))
    })
}

/// `1`/`true`/`yes`/`on` or `0`/`false`/`no`/`off` (an empty value means yes).
fn flag(key: &str, value: &str, problems: &mut Vec<String>) -> Option<bool> {
    match value.trim().to_ascii_lowercase().as_str() {
        "" | "1" | "true" | "yes" | "on" => Some(true),
        "0" | "false" | "no" | "off" => Some(false),
        _ => {
            problems.push(format!("“{key}={}” is not understood: use {key}=1 or {key}=0.", shown(value, 20)));
            None
        }
    }
}

/// True when the query asks for the embed player (`embed=1`).
pub fn is_embed(query: &str) -> bool {
    pairs(query).any(|(k, v)| k == "embed" && flag(k, &v, &mut Vec::new()) == Some(true))
}

/// Reads the embed parameters of a query string (with or without `?`). `scenario` and `step`
/// are read by [`url::parse`], as on the full page.
pub fn parse(query: &str) -> EmbedOptions {
    let mut o = EmbedOptions::default();
    let mut problems = Vec::new();
    for (key, value) in pairs(query) {
        match key {
            "theme" => match value.trim().to_ascii_lowercase().as_str() {
                "auto" | "" => o.theme = Theme::Auto,
                "light" => o.theme = Theme::Light,
                "dark" => o.theme = Theme::Dark,
                _ => problems.push(format!("There is no theme “{}”: use light, dark or auto.", shown(&value, 20))),
            },
            "controls" => o.controls = flag(key, &value, &mut problems).unwrap_or(o.controls),
            "autoplay" => o.autoplay = flag(key, &value, &mut problems).unwrap_or(o.autoplay),
            "readonly" => o.readonly = flag(key, &value, &mut problems).unwrap_or(o.readonly),
            "speed" => match value.trim().trim_end_matches(['x', '×']).parse::<f32>() {
                Ok(s) if s.is_finite() && (MIN_SPEED..=MAX_SPEED).contains(&s) => o.speed = Some(s),
                _ => {
                    problems.push(format!("“speed={}” is not a speed from {MIN_SPEED} to {MAX_SPEED} steps per second.", shown(&value, 20)))
                }
            },
            "panels" => {
                o.panels.clear();
                for name in value.split(',').map(str::trim).filter(|n| !n.is_empty() && !n.eq_ignore_ascii_case("none")) {
                    match Tool::from_name(name) {
                        Some(t) if !o.panels.contains(&t) => o.panels.push(t),
                        Some(_) => {}
                        None => {
                            let names: Vec<&str> = Tool::ALL.iter().map(|t| t.name()).collect();
                            problems.push(format!("There is no panel “{}”: the panels are {}.", shown(name, 30), names.join(", ")));
                        }
                    }
                }
            }
            "state" if !value.trim().is_empty() => o.state = Some(value.trim().to_string()),
            _ => {}
        }
    }
    if o.readonly {
        o.panels.retain(|t| !EDITING_TOOLS.contains(t));
    }
    o.problems = problems;
    o
}

/// The player an embed starts with: the share link (fragment, else `state=`) or the query's
/// scenario; `step=` overrides the link's step; then speed, the first panel, and autoplay.
pub fn start(query: &str, fragment: &str, o: &EmbedOptions) -> Player {
    let link = if super::link::is_link_fragment(fragment) { Some(fragment) } else { o.state.as_deref() };
    let mut p = match link {
        Some(l) => {
            let mut p = Player::from_link(l);
            let start = url::parse(query);
            if let Some(n) = start.step {
                let mut notes: Vec<String> = p.notice.take().into_iter().collect();
                notes.extend(start.problems);
                notes.extend(p.goto_person(n));
                p.selected = None;
                p.notice = (!notes.is_empty()).then(|| notes.join(" "));
            }
            p
        }
        None => Player::from_query(query),
    };
    if !o.problems.is_empty() {
        let mut notes: Vec<String> = p.notice.take().into_iter().collect();
        notes.extend(o.problems.iter().cloned());
        p.notice = Some(notes.join(" "));
    }
    if let Some(s) = o.speed {
        p.apply(Intent::SetSpeed(s));
    }
    if !o.panels.contains(&p.tool) {
        if let Some(&first) = o.panels.first() {
            p.tool = first;
        }
    }
    if o.autoplay && !p.playing {
        let notice = p.notice.take();
        p.apply(Intent::TogglePlay);
        p.notice = notice;
    }
    p
}

/// The directory of the app's address (`https://x/sim/index.html` → `https://x/sim/`).
fn app_dir(app_url: &str) -> &str {
    match app_url.rfind('/') {
        Some(i) => &app_url[..=i],
        None => app_url,
    }
}

/// The full app's address for this state ("Open in smtp-sim"): `app_url#v2.…`.
pub fn open_in_app(app_url: &str, p: &Player, edited: bool) -> String {
    format!("{app_url}#{}", crate::share::encode(&p.share_state(edited)))
}

/// The embed's address for this state (`app_url?embed=1#v2.…`).
pub fn embed_url(app_url: &str, p: &Player, edited: bool) -> String {
    format!("{app_url}?embed=1#{}", crate::share::encode(&p.share_state(edited)))
}

/// The HTML a page author pastes: the iframe (with a title, lazy loading, the exact state)
/// and the host script that sizes it to its content. `app_url` is the app's address without
/// query or fragment (e.g. `https://example.org/smtp-sim/` or `…/index.html`).
pub fn snippet(app_url: &str, p: &Player, edited: bool) -> String {
    let src = embed_url(app_url, p, edited);
    let title = format!("smtp-sim: {}", p.trace.title);
    format!(
        "<iframe src=\"{}\" title=\"{}\" loading=\"lazy\" width=\"100%\" height=\"520\" style=\"border:0;width:100%\"></iframe>\n<script src=\"{}www/embed.js\" async></script>",
        esc(&src),
        esc(&title),
        esc(app_dir(app_url))
    )
}
