//! The page URL's query: `?scenario=ID&step=N`.
//!
//! `scenario` is a built-in scenario id; `step` counts from 1, as the page shows it ("Step 12 of
//! 54" is `&step=12`). Of `debug`, only `debug=bench10k` is read here (the generated
//! 10,000-event benchmark trace, see [`super::BENCH_FLAG`]); the others (`debug=panic`) belong
//! to the UI. Values are percent-decoded; a step that is not a number is reported, not guessed.

/// What a query asks for, and what was wrong with it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Start {
    pub scenario: Option<String>,
    /// 1-based, as written in the URL.
    pub step: Option<usize>,
    /// `debug=bench10k`: open the generated benchmark trace instead of a built-in scenario.
    pub bench: bool,
    /// Sentences for the user about parameters that could not be used.
    pub problems: Vec<String>,
}

/// Parses a query string, with or without its leading `?`.
pub fn parse(query: &str) -> Start {
    let mut start = Start::default();
    for pair in query.trim_start_matches('?').split('&') {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let value = decode(value);
        match key {
            "scenario" if !value.is_empty() => start.scenario = Some(value),
            "step" => match value.trim().parse::<usize>() {
                Ok(n) => start.step = Some(n),
                Err(_) => {
                    let shown: String = value.chars().take(20).collect();
                    start.problems.push(format!("“{shown}” is not a step number; starting at step 1."));
                }
            },
            "debug" if value == super::BENCH_FLAG => start.bench = true,
            _ => {}
        }
    }
    start
}

/// The query that reopens `scenario` at the 0-based `step` (written 1-based).
pub fn query(scenario: &str, step: usize) -> String {
    if scenario == crate::sim::bench::ID {
        return format!("?debug={}&step={}", super::BENCH_FLAG, step + 1);
    }
    format!("?scenario={}&step={}", encode(scenario), step + 1)
}

/// Percent-decoding (`+` is a space); invalid escapes are kept as written.
pub(crate) fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push(h * 16 + l);
                    i += 3;
                    continue;
                }
                _ => out.push(b'%'),
            },
            b'+' => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

/// Percent-encodes everything but unreserved characters.
fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
