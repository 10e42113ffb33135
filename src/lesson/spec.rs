//! The data of a lesson file (documented in `docs/lesson-format.md`): plain serde types and
//! nothing else, because `build.rs` compiles this file too to precompile the built-in lessons
//! to postcard (so the build and the page read the very same types).
//!
//! A lesson never writes an expected answer: a question names *where* it is asked (an anchor in
//! the scenario's trace) and *what kind* of prediction it asks for; the answer is derived from
//! the trace (`lesson::question`). No `skip_serializing_if`: postcard cannot skip a field.

use serde::{Deserialize, Serialize};

/// A whole lesson file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LessonSpec {
    /// Short id, `[a-z0-9-]+`, used in `?lesson=ID`.
    pub id: String,
    pub title: String,
    /// What the student will be able to do afterwards, one or two sentences.
    pub goal: String,
    /// How long the lesson takes, in minutes.
    pub minutes: u32,
    /// What was learned, one sentence per point, shown at the end.
    pub summary: Vec<String>,
    /// The lesson's parts, each over one built-in scenario, in order.
    #[serde(rename = "part")]
    pub parts: Vec<PartSpec>,
}

/// One part of a lesson: a built-in scenario with the lesson's own narration and questions.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartSpec {
    /// A built-in scenario id (`smtp-sim scenarios`).
    pub scenario: String,
    /// What to watch for in this part, shown when it opens.
    pub intro: String,
    /// Lesson narration shown at chosen steps.
    #[serde(default, rename = "note")]
    pub notes: Vec<NoteSpec>,
    /// Predict-then-reveal questions, in the order their steps come.
    #[serde(default, rename = "question")]
    pub questions: Vec<QuestionSpec>,
}

/// Where in the trace something is attached: the `nth` event (from 1) that matches `on` (the
/// names of `[[narration]]` in scenario files: `cmd:RCPT`, `reply:550`, `bounce-created`, a
/// catalogue key…), counting only events sent or received by `node` when it is given.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Anchor {
    pub on: String,
    #[serde(default)]
    pub node: Option<String>,
    #[serde(default = "first")]
    pub nth: u32,
}

fn first() -> u32 {
    1
}

/// A line of lesson narration, shown while the player is on its anchor's step.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoteSpec {
    pub at: Anchor,
    pub text: String,
}

/// A predict-then-reveal question. The player stops *before* the event the question is about
/// (see [`Ask`] for which event that is, from the anchor).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuestionSpec {
    pub at: Anchor,
    pub ask: Ask,
    /// The question in the lesson's words; a sentence is made from the trace when absent.
    #[serde(default)]
    pub prompt: Option<String>,
    /// For `reply-code`: the student types the code instead of picking it.
    #[serde(default)]
    pub typed: bool,
    /// For `added-header`: the server whose line is asked for (a node id); the node that
    /// delivers the message when absent.
    #[serde(default)]
    pub about: Option<String>,
}

/// What a question asks the student to predict.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Ask {
    /// The reply code of the reply to the anchor (a command or the message data; a reply anchor
    /// is asked about itself).
    ReplyCode,
    /// Whether the reply to the anchor is temporary (4xx) or permanent (5xx).
    TemporaryOrPermanent,
    /// The next command the client sends on the anchor's connection after the anchor.
    NextCommand,
    /// The node that creates the first bounce at or after the anchor.
    BounceSender,
    /// Which header line of the message delivered at or after the anchor the server `about` added.
    AddedHeader,
}

impl Ask {
    /// The name used in lesson files.
    pub fn name(self) -> &'static str {
        match self {
            Ask::ReplyCode => "reply-code",
            Ask::TemporaryOrPermanent => "temporary-or-permanent",
            Ask::NextCommand => "next-command",
            Ask::BounceSender => "bounce-sender",
            Ask::AddedHeader => "added-header",
        }
    }
}
