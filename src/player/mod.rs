//! The step-by-step player: the model behind the visualizer, with no view in it.
//!
//! A [`Player`] holds one scenario, its [`Trace`] and a position in it (the current step), and
//! changes only through [`Player::apply`] with an [`Intent`] — the reducer the Yew front end
//! wraps (in the spirit of Yew's `examples/game_of_life/src/conway.rs`: the model imports no
//! Yew; timers, the URL and the DOM stay in `ui/`). Everything the views show is derived from the
//! trace *up to the current step* ([`view::View`]), so stepping back is exact: the same step
//! always gives the same derived state, whatever the path that led there.
//!
//! - [`view`] — what is true at a step: the active hop, queue and mailbox counts per node,
//!   the words the live region announces.
//! - [`explain`] — the inspector's material for one event: raw bytes with CR, LF and
//!   dot-stuffing made visible, the catalogue entry, the state transition taken.
//! - [`nodes`] — the node panels' material at a step: mailboxes and their messages (a stored
//!   message taken apart: envelope beside headers, `Received:` chain, MIME tree, DSN report),
//!   the relay queues, the DNS zone with the current question's records marked.
//! - [`link`] — the whole state as a share link (`#v2.…`) and back.
//! - [`embed`] — the parameters of the compact player for iframes (`?embed=1&…`).
//! - [`export`] — the page's downloads: SVG, transcript, JSON trace, stored messages as `.eml`.
//! - [`console`] — the Console tool's model: server nodes and ports to connect to, addresses to
//!   connect from, the transcript across connections, ↑/↓ history, the input mode.
//! - [`edit`] — the editor's changes to a scenario, as checked pure functions.
//! - [`saved`] — autosaved edits: the storage key, and what to do with what storage holds.
//! - [`url`] — `?scenario=ID&step=N` in and out (and `?debug=bench10k`, [`BENCH_FLAG`]).
//!
//! Steps are 0-based indices into `trace.events` inside the model; people (the page, the URL,
//! the live region) count from 1.

pub mod console;
pub mod edit;
pub mod embed;
pub mod explain;
pub mod export;
pub mod handoff;
pub mod link;
pub mod nodes;
pub mod saved;
pub mod url;
pub mod view;

use std::rc::Rc;

use crate::sim::scenario::{self, Scenario};
use crate::sim::trace::Trace;
use crate::sim::world;

/// The scenario opened when the URL names none (or an unknown one).
pub const DEFAULT_SCENARIO: &str = "happy-path";

/// `?debug=bench10k`: the page opens the generated benchmark world (`sim::bench`, ≈ 10,000
/// events) to measure rendering speed (`cargo xtask bench browser`). Not in the scenario picker.
pub const BENCH_FLAG: &str = "bench10k";

/// The playback speeds offered, in steps per second.
pub const SPEEDS: &[f32] = &[0.5, 1.0, 2.0, 4.0, 8.0];

/// Slowest and fastest accepted speed (steps per second).
pub const MIN_SPEED: f32 = 0.25;
pub const MAX_SPEED: f32 = 16.0;

/// Something the user (or the play timer) asks the player to do.
#[derive(Clone, Debug, PartialEq)]
pub enum Intent {
    /// Open a built-in scenario by id, at its first step.
    Load(String),
    /// Open a built-in scenario at a step (0-based), as a URL does; out of range is clamped.
    LoadAt(String, usize),
    /// Move by this many steps (−1 back, +1 forward); clamped to the trace.
    Step(i64),
    First,
    Last,
    /// Go to step `n` (0-based); clamped.
    Goto(usize),
    TogglePlay,
    /// Stop playing (e.g. the user started to drag the scrubber).
    Pause,
    /// The play timer fired: one step forward; playing stops at the last step.
    Tick,
    /// Steps per second, clamped to [`MIN_SPEED`]..=[`MAX_SPEED`].
    SetSpeed(f32),
    /// Show event `n` in the inspector (`None`: follow the current step). Only steps already
    /// reached can be selected.
    Select(Option<usize>),
    /// Show this tool in the side column.
    ShowTool(Tool),
    /// Open a share link that arrived while the page is open (`hashchange`); a bad one only sets
    /// the notice (see [`link`]).
    OpenLink(String),
    /// Replace the scenario with an edited one (see [`edit`]) and run it again; the step is
    /// kept (clamped to the new trace) and the selection cleared. A scenario that does not
    /// validate is refused with a notice.
    Edit(Box<Scenario>),
    /// Back to the built-in scenario with the same id, keeping the step (clamped).
    ResetToBuiltin,
    /// Edits found in the browser's storage (see [`saved`]): applied as [`Intent::Edit`], with
    /// a notice saying so.
    RestoreSaved(Box<Scenario>),
    /// Show a notice (e.g. saved edits that could not be read).
    Notify(String),
    /// A lesson's question waits at this step (0-based): stepping, playing and the scrubber stop
    /// there until the lesson lifts it (`None`). Going back is always free.
    StopAt(Option<usize>),
    /// The precomputed trace of the awaited built-in arrived (the viewer, `ui/traces.rs`): it
    /// replaces the empty one and the start the address asked for is applied ([`Awaiting`]).
    /// Ignored unless it is the trace of the scenario awaited (a late answer for another one).
    TraceLoaded(Rc<Trace>),
    /// The awaited trace could not be had (network, an old file): the page hands the scenario to
    /// the studio, which runs the simulation itself.
    TraceUnavailable(String),
}

/// Where the address asked a built-in to start, kept while its precomputed trace is on the way
/// (the viewer runs no simulation: `Player::awaiting`) and applied when it arrives.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Awaiting {
    /// The step (0-based) asked for.
    pub step: Option<usize>,
    /// The event selected.
    pub selected: Option<usize>,
    /// Playing was asked for (an embed's `autoplay=1`).
    pub play: bool,
}

/// The tools that share the side column of the page, one shown at a time (a tab list). Their
/// names are what share links and embed parameters use, so they must not change.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Tool {
    /// The selected step, explained.
    #[default]
    Inspector,
    /// The stored messages of every mailbox at this step.
    Mailboxes,
    /// The relays' queues at this step.
    Queue,
    /// The scenario's DNS zone.
    Dns,
    /// "Be the client": type SMTP lines to a server node.
    Console,
    /// Change the scenario and compose messages.
    Editor,
}

impl Tool {
    /// Every tool, in tab order.
    pub const ALL: [Tool; 6] = [Tool::Inspector, Tool::Mailboxes, Tool::Queue, Tool::Dns, Tool::Console, Tool::Editor];

    /// The stable name used in links (`inspector`, `mailboxes`, `queue`, `dns`, `console`, `editor`).
    pub fn name(self) -> &'static str {
        match self {
            Tool::Inspector => "inspector",
            Tool::Mailboxes => "mailboxes",
            Tool::Queue => "queue",
            Tool::Dns => "dns",
            Tool::Console => "console",
            Tool::Editor => "editor",
        }
    }

    /// The tab's label.
    pub fn label(self) -> &'static str {
        match self {
            Tool::Inspector => "Inspector",
            Tool::Mailboxes => "Mailboxes",
            Tool::Queue => "Queue",
            Tool::Dns => "DNS zone",
            Tool::Console => "Console",
            Tool::Editor => "Editor",
        }
    }

    /// The tool called `name` (as [`Tool::name`] writes it; ASCII case ignored).
    pub fn from_name(name: &str) -> Option<Tool> {
        Tool::ALL.into_iter().find(|t| t.name().eq_ignore_ascii_case(name.trim()))
    }
}

/// A built-in scenario as the picker lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScenarioInfo {
    pub id: &'static str,
    pub title: String,
    pub goal: String,
}

/// Every built-in scenario with its title and learning goal, in the library's order.
pub fn catalog() -> Vec<ScenarioInfo> {
    scenario::BUILTIN
        .iter()
        .filter_map(|(id, _)| {
            let s = scenario::builtin(id)?;
            Some(ScenarioInfo { id, title: s.title, goal: s.goal })
        })
        .collect()
}

/// The model of the visualizer.
#[derive(Clone, Debug, PartialEq)]
pub struct Player {
    pub scenario_id: String,
    /// Shared, so that cloning the player (as a reducer does on every intent) is cheap.
    pub scenario: Rc<Scenario>,
    pub trace: Rc<Trace>,
    /// The current step: index of the last event that has happened (0 when the trace is empty).
    pub step: usize,
    pub playing: bool,
    /// Steps per second while playing.
    pub speed: f32,
    /// The event shown in the inspector, if the user picked one; otherwise the current step.
    pub selected: Option<usize>,
    /// A message for the user about the last load (unknown scenario, step out of range).
    pub notice: Option<String>,
    /// The tool shown in the side column.
    pub tool: Tool,
    /// Counts the times a scenario was opened (`Load`, `LoadAt`), so the browser side knows
    /// when to look for saved edits (and when a change is an edit to save).
    pub opened: u64,
    /// The scenario differs from the built-in with its id (see [`Player::is_edited`]).
    edited: bool,
    /// The derived state saved every 256 steps, so [`Player::view`] costs as much at step 10,000
    /// as at step 10 (made from `trace` when it is opened; shared like it).
    pub timeline: Rc<view::Timeline>,
    /// The step a lesson's open question holds the player at (see [`Intent::StopAt`]).
    pub stop_at: Option<usize>,
    /// This build cannot run the scenario (DKIM signing or checking, or POP3/IMAP mail
    /// programs, in the viewer; see `sim::world::needs_studio`): the trace has no events and the
    /// page hands itself to the studio. Always false in the studio and native builds.
    pub needs_studio: bool,
    /// The viewer waits for this built-in's precomputed trace (`Intent::TraceLoaded`): the trace
    /// has the hosts and no events yet, and what the address asked for is kept here. Always
    /// `None` in the studio and native builds, which run the simulation.
    pub awaiting: Option<Awaiting>,
}

impl Player {
    /// A player on `scenario`, at its first step.
    pub fn from_scenario(scenario: Scenario) -> Player {
        let edited = scenario::builtin(&scenario.id).as_ref() != Some(&scenario);
        Player::with(scenario, edited)
    }

    /// The studio and native builds run the simulation.
    #[cfg(feature = "studio")]
    fn with(scenario: Scenario, edited: bool) -> Player {
        let trace = world::run(&scenario);
        Player::with_trace(scenario, edited, trace, false)
    }

    /// The viewer runs no simulation (docs/perf.md): a built-in waits for its precomputed trace
    /// (`dist/traces/<id>.json`, fetched by `ui/traces.rs`); what it has no trace for — an edited
    /// scenario, the generated benchmark, a scenario that signs or checks DKIM or has POP3/IMAP
    /// mail programs (whose code it leaves out, `world::needs_studio`) — opens in the studio
    /// (ui/studio.rs).
    #[cfg(not(feature = "studio"))]
    fn with(scenario: Scenario, edited: bool) -> Player {
        let precomputed = !edited && scenario.id != crate::sim::bench::ID && !world::needs_studio(&scenario);
        let trace = world::unstarted(&scenario);
        let mut p = Player::with_trace(scenario, edited, trace, !precomputed);
        p.awaiting = precomputed.then(Awaiting::default);
        p
    }

    /// A player on built-in `scenario` waiting for its trace with `asked` kept, as the viewer
    /// makes one (public for the tests of [`Intent::TraceLoaded`], which run in builds that
    /// simulate).
    pub fn awaiting_trace(scenario: Scenario, asked: Awaiting) -> Player {
        let trace = world::unstarted(&scenario);
        let mut p = Player::with_trace(scenario, false, trace, false);
        p.awaiting = Some(asked);
        p
    }

    /// What the viewer shows while it hands a link it cannot read (an edited scenario,
    /// `ShareError::NeedsStudio`) to the studio: the default scenario's hosts, no steps.
    pub(crate) fn for_studio() -> Player {
        let scenario = scenario::builtin(DEFAULT_SCENARIO).expect("the default scenario is built in");
        let trace = world::unstarted(&scenario);
        Player::with_trace(scenario, false, trace, true)
    }

    fn with_trace(scenario: Scenario, edited: bool, trace: Trace, needs_studio: bool) -> Player {
        let timeline = Rc::new(view::Timeline::new(&trace));
        Player {
            scenario_id: scenario.id.clone(),
            scenario: Rc::new(scenario),
            trace: Rc::new(trace),
            step: 0,
            playing: false,
            speed: 1.0,
            selected: None,
            notice: None,
            tool: Tool::default(),
            opened: 0,
            edited,
            timeline,
            stop_at: None,
            needs_studio,
            awaiting: None,
        }
    }

    /// A player on the built-in scenario `id`, or on the default one with a notice saying why.
    pub fn builtin(id: &str) -> Player {
        if id == crate::sim::bench::ID {
            // Generated, not stored: the same every time, so a link can name it like a built-in.
            return Player::with(crate::sim::bench::scenario(crate::sim::bench::MESSAGES_10K), false);
        }
        match scenario::builtin(id) {
            Some(s) => Player::with(s, false),
            None => {
                let mut p = Player::with(scenario::builtin(DEFAULT_SCENARIO).expect("the default scenario is built in"), false);
                p.notice = Some(unknown_scenario(id));
                p
            }
        }
    }

    /// The player a page URL asks for (`?scenario=ID&step=N`, see [`url`]), with a notice when
    /// the URL named something that does not exist.
    pub fn from_query(query: &str) -> Player {
        let start = url::parse(query);
        let mut p = if start.bench {
            Player::builtin(crate::sim::bench::ID)
        } else {
            Player::builtin(start.scenario.as_deref().unwrap_or(DEFAULT_SCENARIO))
        };
        let mut notes: Vec<String> = p.notice.take().into_iter().collect();
        notes.extend(start.problems);
        if let Some(n) = start.step {
            if let Some(note) = p.goto_person(n) {
                notes.push(note);
            }
        }
        p.notice = if notes.is_empty() { None } else { Some(notes.join(" ")) };
        p
    }

    /// True when the scenario differs from the built-in with its id; a scenario with no
    /// built-in (from a file or a link) counts as edited.
    pub fn is_edited(&self) -> bool {
        self.edited
    }

    /// Number of steps (events) in the trace.
    pub fn len(&self) -> usize {
        self.trace.events.len()
    }

    pub fn is_empty(&self) -> bool {
        self.trace.events.is_empty()
    }

    /// The last valid step index.
    pub fn last(&self) -> usize {
        self.len().saturating_sub(1)
    }

    /// The furthest step the player may go to now: the last one, or a lesson's stop.
    pub fn limit(&self) -> usize {
        self.stop_at.map_or(self.last(), |s| s.min(self.last()))
    }

    /// The event shown in the inspector: the selected one, else the current step.
    pub fn inspected(&self) -> usize {
        self.selected.unwrap_or(self.step)
    }

    /// What is true at the current step (the same as `View::at(&trace, step)`, faster).
    pub fn view(&self) -> view::View {
        self.view_at(self.step)
    }

    /// What is true at step `n` (0-based, clamped), through the timeline.
    pub fn view_at(&self, n: usize) -> view::View {
        self.timeline.at(&self.trace, n)
    }

    /// The query string (`?scenario=…&step=…`) that reopens exactly this step.
    pub fn query(&self) -> String {
        url::query(&self.scenario_id, self.step)
    }

    /// Goes to a step counted from 1 (as in a URL); returns a note when it had to be clamped.
    fn goto_person(&mut self, n: usize) -> Option<String> {
        if let Some(a) = &mut self.awaiting {
            // Kept, and applied (with its note, if out of range) when the trace arrives.
            a.step = Some(n.saturating_sub(1));
            return None;
        }
        if self.needs_studio {
            // Not run here: the studio opens the same address and goes to the step itself.
            return None;
        }
        let len = self.len();
        if len == 0 {
            return Some(format!("This scenario has no steps, so step {n} cannot be shown."));
        }
        if n == 0 {
            self.step = 0;
            return Some("Steps are counted from 1; showing step 1.".to_string());
        }
        if n > len {
            self.step = len - 1;
            return Some(format!("Step {n} is past the end: this scenario has {len} steps; showing step {len}."));
        }
        self.step = n - 1;
        None
    }

    fn load(&mut self, id: &str) {
        let (speed, tool, opened) = (self.speed, self.tool, self.opened);
        *self = Player::builtin(id);
        self.speed = speed;
        self.tool = tool;
        self.opened = opened.wrapping_add(1);
    }

    /// Runs `scenario` in place of the current one, keeping the step (clamped), the speed, the
    /// tool and the open count; clears the selection. Refuses (with a notice) a scenario that
    /// does not validate, so the trace always comes from a scenario the simulation accepts.
    fn replace(&mut self, scenario: Scenario, edited: Option<bool>) -> bool {
        // `Some(false)`: a built-in, valid by construction (tests/sim_scenario.rs checks each).
        if edited != Some(false) {
            if !cfg!(feature = "studio") {
                // The viewer has no editor and hands saved edits to the studio (ui/studio.rs);
                // leaving edits out keeps the validator out of its build (docs/perf.md).
                self.notice = Some("Edited scenarios open in the full simulator: use a tool to load it.".into());
                return false;
            }
            if let Err(errors) = scenario.validate() {
                let list: Vec<String> = errors.iter().take(3).map(ToString::to_string).collect();
                self.notice = Some(format!("This change was not applied: {}.", list.join("; ")));
                return false;
            }
        }
        let edited = edited.unwrap_or_else(|| scenario::builtin(&scenario.id).as_ref() != Some(&scenario));
        let step = self.step;
        let mut next = Player::with(scenario, edited);
        next.speed = self.speed;
        next.tool = self.tool;
        next.opened = self.opened;
        next.playing = self.playing && next.len() > 1;
        next.step = step.min(next.last());
        *self = next;
        true
    }

    /// The awaited trace arrived: it takes the empty one's place, then the start the address
    /// asked for is applied as it would have been (a step out of range gets its note).
    fn trace_loaded(&mut self, trace: Rc<Trace>) {
        let Some(asked) = self.awaiting else { return };
        if trace.scenario != self.scenario_id {
            return;
        }
        self.timeline = Rc::new(view::Timeline::new(&trace));
        self.trace = trace;
        self.awaiting = None;
        if let Some(step) = asked.step {
            if let Some(note) = self.goto_person(step.saturating_add(1)) {
                self.notice = Some(match self.notice.take() {
                    Some(n) => format!("{n} {note}"),
                    None => note,
                });
            }
        }
        if asked.selected.is_some() {
            self.apply(Intent::Select(asked.selected));
        }
        if asked.play {
            let notice = self.notice.take();
            self.apply(Intent::TogglePlay);
            self.notice = notice;
        }
    }

    /// Applies one intent. Stepping never leaves the trace; every position is reachable.
    pub fn apply(&mut self, intent: Intent) {
        match intent {
            Intent::Load(id) => self.load(&id),
            Intent::LoadAt(id, n) => {
                self.load(&id);
                if let Some(note) = self.goto_person(n.saturating_add(1)) {
                    self.notice = Some(note);
                }
            }
            Intent::Step(by) => {
                let target =
                    if by < 0 { self.step.saturating_sub(by.unsigned_abs() as usize) } else { self.step.saturating_add(by as usize) };
                self.move_to(target);
                self.playing = false;
                if target > self.step && self.stop_at == Some(self.step) {
                    self.notice = Some(STOPPED.into());
                }
            }
            Intent::First => {
                self.move_to(0);
                self.playing = false;
            }
            Intent::Last => {
                self.move_to(self.last());
                self.playing = false;
            }
            Intent::Goto(n) => self.move_to(n),
            Intent::TogglePlay if self.awaiting.is_some() => {
                if let Some(a) = &mut self.awaiting {
                    a.play = !a.play;
                }
            }
            Intent::TogglePlay => {
                if self.playing {
                    self.playing = false;
                } else if self.stop_at.is_some_and(|s| self.step >= s) {
                    self.notice = Some(STOPPED.into());
                } else if self.len() > 1 {
                    if self.step >= self.last() {
                        self.move_to(0); // play again from the start
                    }
                    self.playing = true;
                    self.selected = None;
                }
            }
            Intent::Pause => self.playing = false,
            Intent::Tick => {
                if self.playing {
                    if self.step < self.limit() {
                        self.move_to(self.step + 1);
                    }
                    if self.step >= self.limit() {
                        self.playing = false;
                    }
                }
            }
            Intent::SetSpeed(s) => {
                if s.is_finite() {
                    self.speed = s.clamp(MIN_SPEED, MAX_SPEED);
                }
            }
            Intent::Select(n) if self.awaiting.is_some() => {
                if let Some(a) = &mut self.awaiting {
                    a.selected = n;
                }
            }
            Intent::Select(n) => self.selected = n.filter(|&n| n <= self.step && n < self.len()),
            Intent::TraceLoaded(trace) => self.trace_loaded(trace),
            Intent::TraceUnavailable(reason) => {
                if self.awaiting.take().is_some() {
                    // The studio runs the simulation itself (ui/studio.rs `NeedsStudio`).
                    self.needs_studio = true;
                    self.notice = Some(format!("The precomputed trace could not be read ({reason}); loading the full simulator instead."));
                }
            }
            Intent::ShowTool(t) => self.tool = t,
            Intent::OpenLink(l) => self.open_link(&l),
            Intent::Edit(s) => {
                self.replace(*s, None);
            }
            Intent::ResetToBuiltin => match scenario::builtin(&self.scenario_id) {
                Some(s) => {
                    self.replace(s, Some(false));
                }
                None => self.notice = Some("This scenario has no built-in version to go back to.".into()),
            },
            Intent::RestoreSaved(s) => {
                if self.replace(*s, None) {
                    self.notice = Some(saved::RESTORED.into());
                }
            }
            Intent::Notify(text) => self.notice = Some(text),
            Intent::StopAt(stop) => {
                self.stop_at = stop;
                if self.notice.as_deref() == Some(STOPPED) {
                    self.notice = None;
                }
                if self.step > self.limit() {
                    self.move_to(self.limit());
                }
                if self.step >= self.limit() {
                    self.playing = false;
                }
            }
        }
    }

    fn move_to(&mut self, n: usize) {
        self.step = n.min(self.limit());
        self.selected = None;
        self.notice = None;
    }
}

/// The notice when stepping on is held by a lesson's question.
pub const STOPPED: &str = "Answer the question first: the next step is what it asks you to predict.";

fn unknown_scenario(id: &str) -> String {
    let shown: String = id.chars().take(60).collect();
    format!("There is no built-in scenario called “{shown}”; showing “{DEFAULT_SCENARIO}” instead. Pick another one from the list.")
}
