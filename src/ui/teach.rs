//! The teaching layer's browser side, above the player: the bar that opens the course path, the
//! troubleshooting cards, the scenario picker and presenter mode; the open lesson's reducer
//! (`lesson::session`) and its panel. Thin: decisions are made by `lesson::*`; this file loads
//! the part's scenario into the player, holds the player at the open question
//! (`Intent::StopAt`), keeps progress in `localStorage` (`smtp-sim.lesson.<id>`), sets
//! `?lesson=`/`?present=` in the address, and puts `present` on `<body>` for the CSS.

use std::rc::Rc;

use wasm_bindgen::JsCast;
use yew::prelude::*;

use super::autosave::storage;
use super::cards::Cards;
use super::course::Course;
use super::lesson::LessonPanel;
use super::model::use_player;
use crate::lesson::session::{Action, Teaching};
use crate::lesson::{self, progress, Plan};
use crate::player::Intent;

/// The reducer state: the teaching state itself.
#[derive(Clone, Debug, PartialEq)]
pub struct TeachModel(pub Teaching);

impl Reducible for TeachModel {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut t = self.0.clone();
        t.apply(action);
        Rc::new(TeachModel(t))
    }
}

pub type TeachHandle = UseReducerHandle<TeachModel>;

/// Which list the bar has open.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Shown {
    Nothing,
    Course,
    Cards,
}

fn query() -> String {
    gloo::utils::window().location().search().unwrap_or_default()
}

/// What the browser's storage holds for lesson `id`.
pub fn stored(id: &str) -> Option<String> {
    storage()?.get_item(&progress::key(id)).ok().flatten()
}

/// Moves keyboard focus to the element with this id (after the next render).
pub fn focus(id: &'static str) {
    gloo::timers::callback::Timeout::new(0, move || {
        if let Some(el) = gloo::utils::document().get_element_by_id(id).and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
            let _ = el.focus();
        }
    })
    .forget();
}

#[component]
pub fn Teach() -> Html {
    let player = use_player();
    let start = use_memo((), |_| lesson::url::parse(&query()));
    let teach: TeachHandle = {
        let start = start.clone();
        use_reducer(move || {
            let mut t = Teaching::default();
            if let Some(l) = start.lesson.as_deref().and_then(lesson::builtin) {
                let saved = stored(&l.id);
                t.apply(Action::Open(l, saved));
            }
            TeachModel(t)
        })
    };
    let shown = use_state(|| if start.card.is_some() { Shown::Cards } else { Shown::Nothing });
    let present = use_state(|| start.present);

    // What the URL asked for that does not exist, in words; a card named by the URL opens.
    {
        let player = player.clone();
        let start = start.clone();
        use_effect_with((), move |_| {
            if !start.problems.is_empty() {
                player.dispatch(Intent::Notify(start.problems.join(" ")));
            }
            if let Some(c) = start.card.as_deref().and_then(lesson::cards::card) {
                if let Some(w) =
                    crate::sim::scenario::builtin(c.scenario).map(|s| crate::sim::world::run(&s)).and_then(|t| lesson::cards::wire(c, &t))
                {
                    player.dispatch(Intent::LoadAt(c.scenario.to_string(), w.step));
                }
            }
        });
    }

    let session = teach.0.session.clone();
    let lesson_id = session.as_ref().map(|s| s.lesson.id.clone());
    let part = session.as_ref().map(|s| s.progress.part);
    let part_scenario = session.as_ref().and_then(|s| s.lesson.parts.get(s.progress.part)).map(|p| p.scenario.clone());

    // The part's scenario, opened where the student left it.
    {
        let player = player.clone();
        let step = session.as_ref().map_or(0, |s| s.progress.step);
        let scenario = part_scenario.clone();
        use_effect_with((lesson_id.clone(), part), move |_| match scenario {
            Some(sc) => player.dispatch(Intent::LoadAt(sc, step)),
            None => player.dispatch(Intent::StopAt(None)),
        });
    }

    // The part resolved against the trace on screen (only when it is the part's own scenario).
    let on_part = part_scenario.as_deref() == Some(player.0.scenario_id.as_str()) && !player.0.is_edited();
    let plan: Rc<Option<Plan>> = {
        let trace = player.0.trace.clone();
        let session = session.clone();
        use_memo((lesson_id.clone(), part, on_part, Rc::as_ptr(&player.0.trace) as usize), move |(_, part, on, _)| {
            let s = session.as_ref().filter(|_| *on)?;
            s.lesson.plan((*part)?, &trace)
        })
    };

    // Hold the player at the open question's step.
    {
        let stop = match (&session, &*plan) {
            (Some(s), Some(plan)) if !s.progress.finished => s.progress.stop_at(&s.lesson, plan),
            _ => None,
        };
        let player = player.clone();
        use_effect_with(stop, move |stop| {
            if player.0.stop_at != *stop {
                player.dispatch(Intent::StopAt(*stop));
            }
        });
    }

    // The step reached, for resuming.
    {
        let teach = teach.clone();
        use_effect_with((player.0.step, on_part), move |(step, on)| {
            if *on {
                teach.dispatch(Action::Seen(*step));
            }
        });
    }

    // Progress kept in the browser (nothing is said when storage is unavailable: the lesson
    // still works, it is just not kept).
    use_effect_with(session.as_ref().map(|s| s.progress.clone()), |p| {
        if let (Some(p), Some(store)) = (p, storage()) {
            let _ = store.set_item(&progress::key(&p.lesson), &p.to_stored());
        }
    });

    // Presenter mode is a class on <body>, so the CSS can rearrange the whole page.
    use_effect_with(*present, |on| {
        if let Some(body) = gloo::utils::document().body() {
            let mut classes: Vec<String> = body.class_name().split_whitespace().filter(|c| *c != "present").map(str::to_string).collect();
            if *on {
                classes.push("present".into());
            }
            body.set_class_name(&classes.join(" "));
        }
    });

    // The address names the open lesson and presenter mode (the player's URL writer keeps them).
    use_effect_with((lesson_id.clone(), *present), |(lesson, present)| {
        let now = query();
        let next = lesson::url::set(&now, lesson.as_deref(), *present);
        if next != now {
            let w = gloo::utils::window();
            let hash = w.location().hash().unwrap_or_default();
            let path = w.location().pathname().unwrap_or_default();
            if let Ok(h) = w.history() {
                let _ = h.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&format!("{path}{next}{hash}")));
            }
        }
    });

    let toggle = |which: Shown| {
        let shown = shown.clone();
        Callback::from(move |_: MouseEvent| shown.set(if *shown == which { Shown::Nothing } else { which }))
    };
    let open_lesson = {
        let teach = teach.clone();
        let shown = shown.clone();
        Callback::from(move |id: String| {
            if let Some(l) = lesson::builtin(&id) {
                let saved = stored(&id);
                teach.dispatch(Action::Open(l, saved));
                shown.set(Shown::Nothing);
                focus("lesson-title");
            }
        })
    };
    let open_card = {
        let teach = teach.clone();
        let player = player.clone();
        Callback::from(move |(scenario, step): (String, usize)| {
            teach.dispatch(Action::Close);
            player.dispatch(Intent::LoadAt(scenario, step));
            focus("story-title");
        })
    };
    let to_picker = Callback::from(|_: MouseEvent| super::scenario_picker::focus_picker());
    let toggle_present = {
        let present = present.clone();
        Callback::from(move |_: MouseEvent| present.set(!*present))
    };
    let close_lesson = {
        let teach = teach.clone();
        Callback::from(move |_: ()| teach.dispatch(Action::Close))
    };
    html! {
        <div class="teach">
            <nav class="teach-bar" aria-label="Lessons and tools">
                <button type="button" class="btn" aria-expanded={(*shown == Shown::Course).to_string()} aria-controls="course" onclick={toggle(Shown::Course)}>{ "Course" }</button>
                <button type="button" class="btn" aria-expanded={(*shown == Shown::Cards).to_string()} aria-controls="cards" onclick={toggle(Shown::Cards)}>{ "Troubleshooting" }</button>
                <button type="button" class="btn" onclick={to_picker}>{ "Scenarios" }</button>
                <button type="button" class="btn" aria-pressed={present.to_string()} onclick={toggle_present}>{ "Presenter mode" }</button>
            </nav>
            if *shown == Shown::Course {
                <Course current={lesson_id.clone()} on_open={open_lesson} />
            }
            if *shown == Shown::Cards {
                <Cards on_open={open_card} />
            }
            if session.is_some() {
                <LessonPanel teach={teach.clone()} plan={plan.clone()} on_close={close_lesson} />
            }
        </div>
    }
}
