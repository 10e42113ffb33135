//! The open lesson as a reducer, yew-free: which lesson, the student's [`Progress`], the last
//! answer (shown until the player moves past its event) and a notice. The page wraps it in a
//! `use_reducer`; it only reads and writes storage and the URL around it.

use std::rc::Rc;

use super::progress::Progress;
use super::question::Checked;
use super::Lesson;

/// What the student did.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// Open a lesson, with what the browser's storage holds for it (if anything).
    Open(Rc<Lesson>, Option<String>),
    /// Answered question `q` of the current part (already checked).
    Answer { q: usize, checked: Checked, target: usize },
    /// The player is at this step of the current part's scenario.
    Seen(usize),
    /// On to the next part (or the summary after the last one).
    NextPart,
    /// Start the lesson again from the beginning.
    Restart,
    /// Leave the lesson.
    Close,
}

/// The last answer, shown with its reveal while the player stands before its event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LastAnswer {
    pub q: usize,
    pub checked: Checked,
    /// The step of the event the question was about.
    pub target: usize,
}

/// The open lesson.
#[derive(Clone, Debug, PartialEq)]
pub struct Session {
    pub lesson: Rc<Lesson>,
    pub progress: Progress,
    pub last: Option<LastAnswer>,
    /// A sentence for the student (progress that could not be restored).
    pub notice: Option<String>,
}

/// The teaching state of the page: no lesson, or one.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Teaching {
    pub session: Option<Session>,
}

impl Teaching {
    pub fn apply(&mut self, action: Action) {
        match action {
            Action::Open(lesson, stored) => {
                let (progress, notice) = match stored.as_deref().map(|s| Progress::restore(&lesson, s)) {
                    None => (Progress::new(&lesson), None),
                    Some(Ok(p)) => (p, None),
                    Some(Err(why)) => (Progress::new(&lesson), Some(why)),
                };
                self.session = Some(Session { lesson, progress, last: None, notice });
            }
            Action::Close => self.session = None,
            Action::Answer { q, checked, target } => {
                if let Some(s) = &mut self.session {
                    s.progress.record(&s.lesson, q, &checked);
                    s.last = Some(LastAnswer { q, checked, target });
                    s.notice = None;
                }
            }
            Action::Seen(step) => {
                if let Some(s) = &mut self.session {
                    s.progress.step = step;
                    if s.last.as_ref().is_some_and(|l| step > l.target) {
                        s.last = None;
                    }
                }
            }
            Action::NextPart => {
                if let Some(s) = &mut self.session {
                    s.last = None;
                    if s.progress.part + 1 < s.lesson.parts.len() {
                        let next = s.progress.part + 1;
                        s.progress.go_to_part(&s.lesson, next);
                    } else {
                        s.progress.finished = true;
                    }
                }
            }
            Action::Restart => {
                if let Some(s) = &mut self.session {
                    s.progress = Progress::new(&s.lesson);
                    s.last = None;
                    s.notice = None;
                }
            }
        }
    }
}
