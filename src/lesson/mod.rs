//! The teaching layer, yew-free: lessons (a path through built-in scenarios with their own
//! narration and predict-then-reveal questions), troubleshooting cards, and the student's
//! progress and scores.
//!
//! - [`spec`] — the lesson file's types (TOML, `docs/lesson-format.md`); compiled by `build.rs`
//!   too, which precompiles `src/lesson/lessons/*.toml` to postcard like the built-in scenarios.
//! - [`facts`] — every fact a lesson reads from a trace, in one module.
//! - [`question`] — a question resolved against its trace: where to stop, the choices, the
//!   expected answer *derived from the trace*, why a wrong answer is wrong, the reveal.
//! - [`progress`] — answers, score, resume, the result summary, and the stored form.
//! - [`session`] — the open lesson as a reducer (open, answer, next part, restart, close).
//! - [`cards`] — troubleshooting cards: symptom, on the wire, cause, fix, the scenario.
//! - [`url`] — `?lesson=ID`, `?present=1`, `?card=ID` in, and carried through the player's URL.
//!
//! A lesson is checked in two passes, like a scenario: serde reads the file, then
//! [`Lesson::problems`] resolves every anchor and question against the trace of its scenario,
//! so `smtp-sim check` reports a question that cannot be asked with the line of its table.

pub mod cards;
pub mod facts;
pub mod progress;
pub mod question;
pub mod session;
pub mod spec;
pub mod url;

use std::rc::Rc;

pub use spec::*;

#[cfg(not(target_arch = "wasm32"))]
use crate::sim::scenario;
use crate::sim::scenario::{ScenarioError, Seg};
use crate::sim::trace::Trace;
#[cfg(not(target_arch = "wasm32"))]
use crate::sim::world;
use question::Question;

/// A located problem in a lesson file (the same shape as a scenario file's: line, column, field).
pub type LessonError = ScenarioError;

/// A lesson (its file's data).
pub type Lesson = LessonSpec;

/// One part of a lesson, resolved against its scenario's trace.
#[derive(Clone, Debug, PartialEq)]
pub struct Plan {
    /// The lesson's narration by step (0-based), in step order.
    pub notes: Vec<(usize, String)>,
    /// The questions in step order.
    pub questions: Vec<Question>,
}

impl Plan {
    /// The note for step `n`, if the lesson has one there.
    pub fn note_at(&self, n: usize) -> Option<&str> {
        self.notes.iter().find(|(s, _)| *s == n).map(|(_, t)| t.as_str())
    }
}

fn key(k: &str) -> Seg {
    Seg::Key(k.to_string())
}

/// Resolves part `index` of a lesson against `trace` (its scenario's run). Problems come with
/// the path of the table they are about.
fn plan_part(index: usize, part: &PartSpec, trace: &Trace) -> Result<Plan, Vec<(Vec<Seg>, String)>> {
    let mut problems = Vec::new();
    let base = || vec![key("part"), Seg::Index(index)];
    let mut notes = Vec::new();
    for (i, n) in part.notes.iter().enumerate() {
        match facts::find(trace, &n.at) {
            Some(step) => notes.push((step, n.text.clone())),
            None => {
                let mut p = base();
                p.extend([key("note"), Seg::Index(i), key("at")]);
                problems.push((p, format!("no event number {} matches {:?} in scenario {:?}", n.at.nth, n.at.on, part.scenario)));
            }
        }
    }
    notes.sort_by_key(|(s, _)| *s);
    let mut questions: Vec<Question> = Vec::new();
    for (i, q) in part.questions.iter().enumerate() {
        let mut p = base();
        p.extend([key("question"), Seg::Index(i)]);
        match question::resolve(q, trace) {
            Ok(resolved) => {
                if let Some(prev) = questions.last() {
                    if resolved.target < prev.target {
                        problems.push((p, format!("this question is about step {}, before the previous question's step {}: list questions in the order they come", resolved.target + 1, prev.target + 1)));
                        continue;
                    }
                }
                questions.push(resolved);
            }
            Err(message) => problems.push((p, message)),
        }
    }
    if problems.is_empty() {
        Ok(Plan { notes, questions })
    } else {
        Err(problems)
    }
}

impl LessonSpec {
    /// Reads and checks a lesson file: every problem, located (line, column, field path).
    #[cfg(not(target_arch = "wasm32"))]
    pub fn from_toml(source: &str) -> Result<Lesson, Vec<LessonError>> {
        const MAX: usize = 256 * 1024;
        if source.len() > MAX {
            return Err(vec![LessonError {
                line: 0,
                column: 0,
                path: String::new(),
                message: format!("the file is {} bytes; lesson files are limited to {MAX} bytes", source.len()),
            }]);
        }
        let de = toml::de::Deserializer::parse(source).map_err(|e| vec![scenario::toml_error(source, &e, String::new())])?;
        let lesson: Lesson = serde_path_to_error::deserialize(de).map_err(|e| {
            let path = e.path().to_string();
            let path = if path == "." { String::new() } else { path };
            vec![scenario::toml_error(source, e.inner(), path)]
        })?;
        let problems = lesson.problems();
        if problems.is_empty() {
            return Ok(lesson);
        }
        Err(problems
            .into_iter()
            .map(|(path, message)| {
                let (line, column) = scenario::locate(source, &path).map_or((0, 0), |span| scenario::line_col(source, span.start));
                LessonError { line, column, path: scenario::path_string(&path), message }
            })
            .collect())
    }

    /// Everything wrong with the lesson, each with the path of its field: ids, limits, unknown
    /// scenarios and nodes, and every anchor and question resolved against its scenario's trace.
    /// Native only, like the TOML reader: the page's lessons are built in and checked by the tests.
    #[cfg(not(target_arch = "wasm32"))]
    pub(crate) fn problems(&self) -> Vec<(Vec<Seg>, String)> {
        let mut out = Vec::new();
        if !scenario::valid_id(&self.id) {
            out.push((vec![key("id")], format!("{:?} is not a valid id: use lower-case letters, digits and '-'", self.id)));
        }
        if !(1..=180).contains(&self.minutes) {
            out.push((vec![key("minutes")], format!("{} minutes; give the time a class needs, from 1 to 180", self.minutes)));
        }
        if self.summary.is_empty() {
            out.push((vec![key("summary")], "say what was learned: at least one sentence".into()));
        }
        if self.parts.is_empty() {
            out.push((vec![], "a lesson needs at least one [[part]]".into()));
        }
        if self.parts.len() > 16 {
            out.push((vec![key("part")], format!("{} parts; at most 16", self.parts.len())));
        }
        for (i, part) in self.parts.iter().enumerate() {
            if part.questions.len() > 32 || part.notes.len() > 64 {
                out.push((vec![key("part"), Seg::Index(i)], "at most 32 questions and 64 notes per part".into()));
                continue;
            }
            let Some(s) = scenario::builtin(&part.scenario) else {
                let known = scenario::BUILTIN_IDS.join(", ");
                out.push((
                    vec![key("part"), Seg::Index(i), key("scenario")],
                    format!("no built-in scenario {:?} (known: {known})", part.scenario),
                ));
                continue;
            };
            for (j, q) in part.questions.iter().enumerate() {
                for (field, id) in [("about", &q.about), ("node", &q.at.node)] {
                    if let Some(id) = id {
                        if s.node(id).is_none() {
                            let mut p = vec![key("part"), Seg::Index(i), key("question"), Seg::Index(j)];
                            if field == "node" {
                                p.push(key("at"));
                            }
                            p.push(key(field));
                            out.push((p, format!("scenario {:?} has no node {id:?}", part.scenario)));
                        }
                    }
                }
            }
            if let Err(problems) = plan_part(i, part, &world::run(&s)) {
                out.extend(problems);
            }
        }
        out
    }

    /// The part `i` resolved against `trace` (its scenario's run); `None` when it does not
    /// resolve (a built-in lesson always does: a test resolves them all).
    pub fn plan(&self, i: usize, trace: &Trace) -> Option<Plan> {
        plan_part(i, self.parts.get(i)?, trace).ok()
    }

    /// Number of questions in all parts.
    pub fn question_count(&self) -> usize {
        self.parts.iter().map(|p| p.questions.len()).sum()
    }

    /// The index, over the whole lesson, of question `q` of part `part`.
    pub fn question_index(&self, part: usize, q: usize) -> usize {
        self.parts[..part.min(self.parts.len())].iter().map(|p| p.questions.len()).sum::<usize>() + q
    }
}

/// The lesson as text: parts, notes, questions (with `answers`: choices, the expected answer
/// and the explanation — the teacher's key), for `smtp-sim lessons ID`.
#[cfg(not(target_arch = "wasm32"))]
pub fn outline(lesson: &Lesson, answers: bool) -> String {
    use std::fmt::Write as _;
    let mut out = format!("# {} ({}, {} min)\n{}\n", lesson.title, lesson.id, lesson.minutes, lesson.goal);
    let mut number = 0;
    for (i, part) in lesson.parts.iter().enumerate() {
        let _ = writeln!(out, "\n## Part {}: scenario {}\n{}", i + 1, part.scenario, part.intro);
        let Some(s) = scenario::builtin(&part.scenario) else {
            continue;
        };
        let trace = world::run(&s);
        let Some(plan) = lesson.plan(i, &trace) else {
            continue;
        };
        for (step, text) in &plan.notes {
            let _ = writeln!(out, "- note at step {}: {text}", step + 1);
        }
        for q in &plan.questions {
            number += 1;
            let _ = writeln!(out, "{number}. [{}, before step {}] {}", q.ask.name(), q.target + 1, q.prompt);
            if answers {
                let choices: Vec<&str> = q.choices.iter().map(|c| c.label.as_str()).collect();
                if !choices.is_empty() {
                    let _ = writeln!(out, "   choices: {}", choices.join(" | "));
                }
                let _ = writeln!(
                    out,
                    "   answer: {}\n   why: {}{}",
                    q.reveal.answer,
                    q.reveal.explanation,
                    q.reveal.rfc.as_ref().map(|r| format!(" ({r})")).unwrap_or_default()
                );
            }
        }
    }
    out.push_str("\nWhat was learned:\n");
    for s in &lesson.summary {
        let _ = writeln!(out, "- {s}");
    }
    out
}

/// Whether a TOML file is a lesson rather than a scenario (it has `[[part]]` tables or a
/// `minutes` key at the top), for `smtp-sim check`.
#[cfg(not(target_arch = "wasm32"))]
pub fn looks_like_lesson(source: &str) -> bool {
    toml::de::DeTable::parse(source).is_ok_and(|doc| doc.get_ref().iter().any(|(k, _)| matches!(k.get_ref().as_ref(), "part" | "minutes")))
}

// Generated by build.rs from src/lesson/lessons/*.toml: `LESSON_IDS`, `LESSON_PACKED` and,
// natively, `LESSON_SOURCES` (`(id, TOML source)`).
include!(concat!(env!("OUT_DIR"), "/lessons.rs"));

/// A built-in lesson by id, from the postcard build.rs wrote (no TOML parser in the page).
pub fn builtin(id: &str) -> Option<Rc<Lesson>> {
    LESSON_PACKED.iter().find(|(i, _)| *i == id).and_then(|(_, packed)| postcard::from_bytes(packed).ok()).map(Rc::new)
}

/// Every built-in lesson, in the course's order.
pub fn course() -> Vec<Rc<Lesson>> {
    LESSON_IDS.iter().filter_map(|id| builtin(id)).collect()
}
