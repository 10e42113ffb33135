//! The course path: every built-in lesson in order, with its time, goal and the student's
//! progress read from the browser's storage ("Not started", "In progress: 2 of 4 answered",
//! "Done: 3 of 4 right"). Choosing one opens it where the student left it.

use yew::prelude::*;

use super::teach::stored;
use crate::lesson::progress::Progress;
use crate::lesson::{self};

#[derive(Properties, PartialEq)]
pub struct CourseProps {
    /// The open lesson, marked `aria-current`.
    pub current: Option<String>,
    pub on_open: Callback<String>,
}

#[component]
pub fn Course(props: &CourseProps) -> Html {
    let course = lesson::course();
    html! {
        <section id="course" class="panel course" aria-labelledby="course-title">
            <h2 class="panel-title" id="course-title">{ "Course: lessons in order" }</h2>
            <div class="panel-body">
                <p class="course-intro">{ "Each lesson takes a few minutes: the player stops before the interesting steps and asks you to predict what happens. Your answers stay in this browser; at the end you can copy your result." }</p>
                <ol class="course-list">
                    { for course.iter().map(|l| {
                        let status = stored(&l.id).and_then(|s| Progress::restore(l, &s).ok()).map_or_else(|| "Not started".to_string(), |p| p.status());
                        let chosen = props.current.as_deref() == Some(l.id.as_str());
                        let onclick = {
                            let cb = props.on_open.clone();
                            let id = l.id.clone();
                            Callback::from(move |_: MouseEvent| cb.emit(id.clone()))
                        };
                        html! {
                            <li key={l.id.clone()}>
                                <button type="button" class="course-lesson" data-lesson={l.id.clone()} aria-current={chosen.then_some("true")} {onclick}>
                                    <span class="course-title">{ l.title.clone() }</span>
                                    <span class="course-meta">{ format!("{} min · {status}", l.minutes) }</span>
                                    <span class="course-goal">{ l.goal.clone() }</span>
                                </button>
                            </li>
                        }
                    }) }
                </ol>
                <p class="course-missing">{ "Lesson 12, push vs pull (POP3 and IMAP), comes when the simulator speaks those protocols." }</p>
            </div>
        </section>
    }
}
