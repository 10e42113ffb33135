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
            "lesson" => t.problems.push(format!("There is no lesson called “{}”; the course path below lists them all.", shown(&value))),
            "card" if cards::card(&value).is_some() => t.card = Some(value),
            "card" => t.problems.push(format!("There is no troubleshooting card called “{}”; the list of cards is below.", shown(&value))),
            "present" => match value.as_str() {
                "1" | "" => t.present = true,
                "0" => t.present = false,
                v => t.problems.push(format!("“{}” is not a presenter-mode setting: use present=1 (on) or present=0 (off).", shown(v))),
            },
            _ => {}
        }
    }
    t
}

/// The teaching parameters of a query (`lesson=…`, `present=…`), as written.
fn teach_params(query: &str) -> Vec<&str> {
    query.trim_start_matches('?').split('&').filter(|p| p.starts_with("lesson=") || p.starts_with("present=")).collect()
}

/// The player's address `target` (`?scenario=…&step=…`, maybe with a `#v2.…` fragment) with
/// the teaching parameters of the current query carried over, so that keeping the address in
/// step with the player does not drop the open lesson or presenter mode.
pub fn carry(current_query: &str, target: &str) -> String {
    let (query, fragment) = target.split_once('#').map_or((target, None), |(q, f)| (q, Some(f)));
    let mut out = query.to_string();
    for p in teach_params(current_query) {
        out.push(if out.contains('?') { '&' } else { '?' });
        out.push_str(p);
    }
    if let Some(f) = fragment {
        out.push('#');
        out.push_str(f);
    }
    out
}

/// The current query with the teaching parameters set to `lesson` and `present` (and the
/// others kept), for the page to write when a lesson opens or closes.
pub fn set(current_query: &str, lesson: Option<&str>, present: bool) -> String {
    let mut params: Vec<String> = current_query
        .trim_start_matches('?')
        .split('&')
        .filter(|p| !p.is_empty() && !p.starts_with("lesson=") && !p.starts_with("present=") && !p.starts_with("card="))
        .map(str::to_string)
        .collect();
    if let Some(l) = lesson {
        params.push(format!("lesson={l}"));
    }
    if present {
        params.push("present=1".into());
    }
    if params.is_empty() {
        String::new()
    } else {
        format!("?{}", params.join("&"))
    }
}
