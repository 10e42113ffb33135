//! A student's progress in one lesson, as a pure model: the part and step reached, the answer
//! given to each question (the first answer counts), the score, the result summary to hand in,
//! and the stored form the page keeps in `localStorage` (postcard, read back with every value checked:
//! a stored value that does not fit the lesson is discarded with a sentence, never trusted).

use serde::{Deserialize, Serialize};

use super::question::{Checked, Question};
use super::{Lesson, Plan};

/// The `localStorage` key prefix of lesson progress (one key per lesson).
pub const KEY_PREFIX: &str = "smtp-sim.lesson.";

/// The stored form's version; a different one is discarded.
const VERSION: u32 = 1;

/// The stored form starts with this (the version, readable by a person looking at storage).
const STORED_PREFIX: &str = "p1.";

/// The storage key of lesson `id`.
pub fn key(id: &str) -> String {
    format!("{KEY_PREFIX}{id}")
}

/// The answer given to one question.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answer {
    /// The answer in words, as its button said (or the typed code).
    pub given: String,
    pub correct: bool,
}

/// Where a student is in a lesson and what they answered.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    version: u32,
    pub lesson: String,
    /// The part shown (0-based).
    pub part: usize,
    /// The step reached in that part (0-based).
    pub step: usize,
    /// One entry per question of the lesson, over all parts in order.
    pub answers: Vec<Option<Answer>>,
    /// The student reached the end (the summary was shown).
    pub finished: bool,
}

/// The score: right answers, answered questions, questions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Score {
    pub right: usize,
    pub answered: usize,
    pub total: usize,
}

impl Progress {
    /// A fresh start in `lesson`.
    pub fn new(lesson: &Lesson) -> Progress {
        Progress {
            version: VERSION,
            lesson: lesson.id.clone(),
            part: 0,
            step: 0,
            answers: vec![None; lesson.question_count()],
            finished: false,
        }
    }

    pub fn score(&self) -> Score {
        let answered = self.answers.iter().flatten();
        Score { right: answered.clone().filter(|a| a.correct).count(), answered: answered.count(), total: self.answers.len() }
    }

    /// The answer to question `q` of the current part, if given.
    pub fn answer_of(&self, lesson: &Lesson, q: usize) -> Option<&Answer> {
        self.answers.get(lesson.question_index(self.part, q))?.as_ref()
    }

    /// Records the answer to question `q` of the current part; only the first answer counts.
    pub fn record(&mut self, lesson: &Lesson, q: usize, checked: &Checked) {
        let i = lesson.question_index(self.part, q);
        if let Some(slot @ None) = self.answers.get_mut(i) {
            *slot = Some(Answer { given: checked.given.clone(), correct: checked.correct });
        }
    }

    /// The first question of the current part not answered yet (index in the part).
    pub fn open_question(&self, lesson: &Lesson, plan: &Plan) -> Option<usize> {
        (0..plan.questions.len()).find(|&q| self.answer_of(lesson, q).is_none())
    }

    /// The step the player may not go past in the current part: the gate of the first question
    /// not answered yet (`None`: free to step to the end).
    pub fn stop_at(&self, lesson: &Lesson, plan: &Plan) -> Option<usize> {
        self.open_question(lesson, plan).map(|q| plan.questions[q].gate)
    }

    /// The question to show at `step`: the open one, once the player stands at its gate.
    pub fn asking<'p>(&self, lesson: &Lesson, plan: &'p Plan, step: usize) -> Option<(usize, &'p Question)> {
        let q = self.open_question(lesson, plan)?;
        let question = &plan.questions[q];
        (step >= question.gate).then_some((q, question))
    }

    /// Moves on to part `part` (clamped), at its first step.
    pub fn go_to_part(&mut self, lesson: &Lesson, part: usize) {
        self.part = part.min(lesson.parts.len().saturating_sub(1));
        self.step = 0;
    }

    /// A sentence for the course path: not started, in progress, or done with the score.
    pub fn status(&self) -> String {
        let s = self.score();
        if self.finished {
            format!("Done: {} of {} right", s.right, s.total)
        } else if s.answered == 0 && self.part == 0 && self.step == 0 {
            "Not started".to_string()
        } else {
            format!("In progress: {} of {} answered", s.answered, s.total)
        }
    }

    /// The result summary a student copies and hands in. `date` is today's date as the page
    /// reads it (`2026-12-04`); the model has no clock.
    pub fn summary(&self, lesson: &Lesson, date: &str) -> String {
        let s = self.score();
        let mut out = format!(
            "smtp-sim lesson: {} ({})\nScore: {} of {} right ({} answered)\nDate: {date}\n",
            lesson.title, lesson.id, s.right, s.total, s.answered
        );
        for (i, a) in self.answers.iter().enumerate() {
            let line = match a {
                Some(a) => format!("{}. {} — answered {}\n", i + 1, if a.correct { "right" } else { "wrong" }, a.given),
                None => format!("{}. not answered\n", i + 1),
            };
            out.push_str(&line);
        }
        out
    }

    /// The stored form: `p1.` and the progress as base64url postcard (the codecs the page has
    /// for share links already, so storage adds no parser to the page).
    pub fn to_stored(&self) -> String {
        let bytes = postcard::to_allocvec(self).unwrap_or_default();
        format!("{STORED_PREFIX}{}", crate::share::base64url::encode(&bytes))
    }

    /// Reads a stored form back for `lesson`. `Err` says why it cannot be used (then the page
    /// removes it and starts afresh): unreadable, another version or lesson, or answers that do
    /// not fit the lesson's questions (the lesson changed since).
    pub fn restore(lesson: &Lesson, stored: &str) -> Result<Progress, String> {
        const LOST: &str = "Your earlier progress in this lesson could not be read, so the lesson starts from the beginning.";
        let packed = stored.strip_prefix(STORED_PREFIX).ok_or_else(|| LOST.to_string())?;
        let bytes = crate::share::base64url::decode(packed.as_bytes()).map_err(|_| LOST.to_string())?;
        let p: Progress = postcard::from_bytes(&bytes).map_err(|_| LOST.to_string())?;
        if p.version != VERSION || p.lesson != lesson.id {
            return Err(LOST.into());
        }
        if p.answers.len() != lesson.question_count() || p.part >= lesson.parts.len() {
            return Err("This lesson has changed since you last opened it, so it starts from the beginning.".into());
        }
        if p.answers.iter().flatten().any(|a| a.given.chars().count() > 1000) {
            return Err(LOST.into());
        }
        Ok(p)
    }
}
