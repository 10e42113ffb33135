//! The teaching layer's URL parameters: `?lesson=ID` opens a built-in lesson, `?present=1`
//! turns on presenter mode, `?card=ID` opens a troubleshooting card. Values are percent-decoded;
//! an unknown lesson or card, or a `present` that is neither 1 nor 0, becomes a sentence for the
//! user (the page still opens), never a blank page.

use super::cards;

/// What the query asks of the teaching layer.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Teach {
    /// A built-in lesson id that exists.
    pub lesson: Option<String>,
    /// A troubleshooting card id that exists.
    pub card: Option<String>,
    pub present: bool,
    /// Sentences about parameters that could not be used.
    pub problems: Vec<String>,
}

fn shown(v: &str) -> String {
    v.chars().take(40).collect()
}

/// Parses a query string, with or without its leading `?`.
pub fn parse(query: &str) -> Teach {
    let mut t = Teach::default();
    for pair in query.trim_start_matches('?').split('&') {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let value = crate::player::url::decode(value);
        match key {
            "lesson" if super::LESSON_IDS.contains(&value.as_str()) => t.lesson = Some(value),
            "lesson" => t.problems.push(format!(
                "There is no lesson called “{}”; the course path below lists them all.",
                shown(&value)
            )),
            "card" if cards::card(&value).is_some() => t.card = Some(value),
            "card" => t.problems.push(format!(
                "There is no troubleshooting card called “{}”; the list of cards is below.",
                shown(&value)
            )),
            "present" => match value.as_str() {
                "1" | "" => t.present = true,
                "0" => t.present = false,
                v => t.problems.push(format!(
                    "“{}” is not a presenter-mode setting: use present=1 (on) or present=0 (off).",
                    shown(v)
                )),
            },
            _ => {}
        }
    }
    t
}

/// `query` (a player query such as `?scenario=happy-path&step=3`) with the lesson and presenter
/// parameters added, so the address reopens the lesson.
pub fn with_teach(query: &str, lesson: Option<&str>, present: bool) -> String {
    let mut q = query.to_string();
    let mut add = |k: &str, v: &str| {
        q.push(if q.contains('?') { '&' } else { '?' });
        q.push_str(k);
        q.push('=');
        q.push_str(v);
    };
    if let Some(l) = lesson {
        add("lesson", l);
    }
    if present {
        add("present", "1");
    }
    q
}
