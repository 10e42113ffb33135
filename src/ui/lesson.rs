//! The open lesson around the player: its title, goal and time, the part's intro, the lesson's
//! note at this step, and — when the player stands before a question's event — the question in
//! place of stepping on (buttons, or a field for a typed code), then the reveal: right or why
//! wrong, the answer, its explanation and RFC section, announced in a live region. After the
//! last part: the score, what was learned, and the result summary with "Copy result".

use std::rc::Rc;

use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::model::use_player;
use super::share_panel::copy_to_clipboard;
use super::teach::{focus, TeachHandle};
use crate::lesson::question::Question;
use crate::lesson::session::Action;
use crate::lesson::Plan;
use crate::player::Intent;

#[derive(Properties, PartialEq)]
pub struct LessonProps {
    pub teach: TeachHandle,
    /// The current part resolved against the trace on screen (`None` while it loads).
    pub plan: Rc<Option<Plan>>,
    pub on_close: Callback<()>,
}

/// Today's date as `2026-12-04`, for the result summary (the model has no clock).
fn today() -> String {
    let iso: String = js_sys::Date::new_0().to_iso_string().into();
    iso.chars().take(10).collect()
}

#[component]
pub fn LessonPanel(props: &LessonProps) -> Html {
    let player = use_player();
    let typed = use_node_ref();
    let typed_error = use_state(|| None::<String>);
    let copied = use_state(|| None::<bool>);
    let Some(s) = props.teach.0.session.clone() else {
        return Html::default();
    };
    let lesson = s.lesson.clone();
    let progress = &s.progress;
    let part = &lesson.parts[progress.part.min(lesson.parts.len() - 1)];
    let score = progress.score();
    let plan = (*props.plan).clone();
    let step = player.0.step;
    let asking: Option<(usize, Question)> = plan.as_ref().and_then(|p| progress.asking(&lesson, p, step).map(|(i, q)| (i, q.clone())));
    let asking_index = asking.as_ref().map(|(i, _)| lesson.question_index(progress.part, *i));

    // A question that appears takes the keyboard focus, so it can be answered at once.
    use_effect_with(asking_index, |q| {
        if q.is_some() {
            focus("lesson-question");
        }
    });

    let answer = {
        let teach = props.teach.clone();
        let typed_error = typed_error.clone();
        move |i: usize, q: Question, given: String| match q.check(&given) {
            Ok(checked) => {
                typed_error.set(None);
                teach.dispatch(Action::Answer { q: i, checked, target: q.target });
                focus("lesson-reveal");
            }
            Err(why) => typed_error.set(Some(why)),
        }
    };
    let question = asking.as_ref().map(|(i, q)| {
        let number = lesson.question_index(progress.part, *i) + 1;
        let body = if q.typed {
            let onsubmit = {
                let answer = answer.clone();
                let typed = typed.clone();
                let (i, q) = (*i, q.clone());
                Callback::from(move |e: SubmitEvent| {
                    e.prevent_default();
                    let value = typed.cast::<HtmlInputElement>().map(|el| el.value()).unwrap_or_default();
                    answer(i, q.clone(), value);
                })
            };
            html! {
                <form class="question-typed" {onsubmit}>
                    <label for="lesson-code">{ "Reply code" }</label>
                    <input id="lesson-code" ref={typed.clone()} type="text" inputmode="numeric" maxlength="3" autocomplete="off" size="4"
                        aria-describedby="lesson-typed-error" />
                    <button type="submit" class="btn btn-primary">{ "Check" }</button>
                    <p id="lesson-typed-error" class="question-error" role="alert">{ (*typed_error).clone().unwrap_or_default() }</p>
                </form>
            }
        } else {
            html! {
                <ul class="question-choices">
                    { for q.choices.iter().map(|c| {
                        let onclick = {
                            let answer = answer.clone();
                            let (i, q, v) = (*i, q.clone(), c.value.clone());
                            Callback::from(move |_: MouseEvent| answer(i, q.clone(), v.clone()))
                        };
                        html! { <li><button type="button" class="btn choice" data-value={c.value.clone()} {onclick}>{ c.label.clone() }</button></li> }
                    }) }
                </ul>
            }
        };
        html! {
            <div class="question" role="group" aria-labelledby="lesson-question">
                <h3 id="lesson-question" tabindex="-1">{ format!("Question {number} of {}: ", score.total) }{ q.prompt.clone() }</h3>
                <p class="question-hint">{ "Predict before you look: the player waits here until you answer." }</p>
                { body }
            </div>
        }
    });

    // The reveal of the last answer, while the player is still before (or on) its event.
    let last = s.last.as_ref().and_then(|l| Some((l, plan.as_ref()?.questions.get(l.q)?.clone())));
    let announcement = last.as_ref().map(|(l, q)| {
        let verdict = if l.checked.correct {
            "Right.".to_string()
        } else {
            format!("Not quite. {}", l.checked.why_wrong.clone().unwrap_or_default())
        };
        format!("{verdict} The answer: {}.", q.reveal.answer)
    });
    let reveal = last.as_ref().map(|(l, q)| {
        let go_on = {
            let player = player.clone();
            Callback::from(move |_: MouseEvent| player.dispatch(Intent::Step(1)))
        };
        html! {
            <div id="lesson-reveal" class={classes!("reveal", if l.checked.correct { "reveal-right" } else { "reveal-wrong" })} tabindex="-1">
                <p class="reveal-verdict"><strong>{ if l.checked.correct { "Right." } else { "Not quite." } }</strong>{ " You answered " }<code>{ l.checked.given.clone() }</code>{ "." }</p>
                if let Some(why) = &l.checked.why_wrong {
                    <p class="reveal-why">{ why.clone() }</p>
                }
                <p class="reveal-answer">{ "The answer: " }<code>{ q.reveal.answer.clone() }</code></p>
                <p class="reveal-explanation">{ q.reveal.explanation.clone() }
                    if let Some(rfc) = &q.reveal.rfc { <span class="reveal-rfc">{ format!(" ({rfc})") }</span> }
                </p>
                if step < q.target {
                    <button type="button" class="btn btn-primary" onclick={go_on}>{ "See it happen" }</button>
                }
            </div>
        }
    });

    let note = plan
        .as_ref()
        .and_then(|p| p.note_at(step))
        .map(|n| html! { <p class="lesson-note"><span class="lesson-note-tag">{ "Lesson note" }</span>{ " " }{ n.to_string() }</p> });
    let part_done = plan.as_ref().is_some_and(|p| progress.open_question(&lesson, p).is_none());
    let last_part = progress.part + 1 >= lesson.parts.len();
    let next_part = {
        let teach = props.teach.clone();
        Callback::from(move |_: MouseEvent| {
            teach.dispatch(Action::NextPart);
            focus("lesson-title");
        })
    };
    let restart = {
        let teach = props.teach.clone();
        let player = player.clone();
        Callback::from(move |_: MouseEvent| {
            teach.dispatch(Action::Restart);
            player.dispatch(Intent::First);
        })
    };
    let close = {
        let cb = props.on_close.clone();
        Callback::from(move |_: MouseEvent| cb.emit(()))
    };

    if progress.finished {
        let summary = progress.summary(&lesson, &today());
        let copy = {
            let copied = copied.clone();
            let text = summary.clone();
            Callback::from(move |_: MouseEvent| {
                let copied = copied.clone();
                copy_to_clipboard(&text, move |ok| copied.set(Some(ok)));
            })
        };
        return html! {
            <section class="panel lesson" aria-labelledby="lesson-title">
                <div class="panel-body">
                    <p class="lesson-meta">{ "Lesson finished" }</p>
                    <h2 id="lesson-title" tabindex="-1">{ lesson.title.clone() }</h2>
                    <p class="lesson-score">{ format!("Your score: {} of {} right.", score.right, score.total) }</p>
                    <h3>{ "What you learned" }</h3>
                    <ul class="lesson-summary">{ for lesson.summary.iter().map(|l| html! { <li>{ l.clone() }</li> }) }</ul>
                    <label for="lesson-result" class="lesson-result-label">{ "Your result, to hand in" }</label>
                    <textarea id="lesson-result" class="lesson-result" readonly=true rows="9" value={summary} />
                    <div class="lesson-actions">
                        <button type="button" class="btn btn-primary" onclick={copy}>{ "Copy result" }</button>
                        <button type="button" class="btn" onclick={restart}>{ "Start again" }</button>
                        <button type="button" class="btn" onclick={close}>{ "Leave the lesson" }</button>
                    </div>
                    <p class="lesson-copied" aria-live="polite">{ match *copied {
                        Some(true) => "Copied: paste it where your teacher asked.",
                        Some(false) => "This browser did not allow copying here: select the text above and copy it (Ctrl+C).",
                        None => "",
                    } }</p>
                </div>
            </section>
        };
    }

    html! {
        <section class="panel lesson" aria-labelledby="lesson-title">
            <div class="panel-body">
                <p class="lesson-meta">{ format!("Lesson · {} min · part {} of {} · {} of {} right so far", lesson.minutes, progress.part + 1, lesson.parts.len(), score.right, score.total) }</p>
                <h2 id="lesson-title" tabindex="-1">{ lesson.title.clone() }</h2>
                <p class="lesson-goal"><strong>{ "Goal: " }</strong>{ lesson.goal.clone() }</p>
                if let Some(n) = &s.notice { <p class="lesson-notice">{ n.clone() }</p> }
                <p class="lesson-intro">{ part.intro.clone() }</p>
                { note.unwrap_or_default() }
                { question.unwrap_or_default() }
                { reveal.unwrap_or_default() }
                <p class="sr-only" aria-live="polite">{ announcement.unwrap_or_default() }</p>
                <div class="lesson-actions">
                    if part_done {
                        <button type="button" class="btn btn-primary" onclick={next_part}>{ if last_part { "Finish: see your result" } else { "Next part" } }</button>
                    }
                    <button type="button" class="btn" onclick={restart}>{ "Start again" }</button>
                    <button type="button" class="btn" onclick={close}>{ "Leave the lesson" }</button>
                </div>
            </div>
        </section>
    }
}
