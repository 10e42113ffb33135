//! The page's downloads, yew-free: the same files as `smtp-sim export` (`docs/export.md`) —
//! the SVG sequence diagram (`diagram::to_svg`, the layout the screen draws), the narrated
//! transcript, the JSON trace, and every stored message (delivered mail and bounces) as an `.eml` file, raw as
//! the trace stored it. The page turns a [`Download`] into a Blob and an `<a download>`.
//!
//! The JSON trace is `serde_json`'s pretty form, as the CLI writes it; in the wasm it costs
//! about 3 KB gzip (measured with `cargo xtask size`, see `docs/embed.md`).

use crate::diagram::{self, LayoutOptions, SvgOptions, Theme};
use crate::sim::mime;
use crate::sim::trace::Trace;

/// A file to hand to the user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Download {
    pub filename: String,
    /// The MIME type of the Blob.
    pub mime: &'static str,
    pub body: String,
}

/// A stored message as the export list shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredInfo {
    /// 1-based, as `smtp-sim export --message N` counts.
    pub number: usize,
    pub mailbox: String,
    pub node: String,
    pub subject: String,
    pub is_bounce: bool,
    /// Whether the message is already in its mailbox at the current step.
    pub delivered_by_now: bool,
}

/// The file-name stem for a scenario id: letters, digits and `-` kept (lower-cased), anything
/// else a `-`, never empty; `-edited` added for an edited scenario.
pub fn stem(scenario_id: &str, edited: bool) -> String {
    let mut s: String =
        scenario_id.chars().take(60).map(|c| if c.is_ascii_alphanumeric() || c == '-' { c.to_ascii_lowercase() } else { '-' }).collect();
    let trimmed = s.trim_matches('-');
    if trimmed.is_empty() {
        s = "scenario".into();
    } else {
        s = trimmed.to_string();
    }
    if edited {
        s.push_str("-edited");
    }
    s
}

/// The sequence diagram as SVG, as `smtp-sim export --format svg` writes it.
pub fn svg(trace: &Trace, stem: &str) -> Download {
    let d = diagram::layout(trace, &LayoutOptions::default());
    let body = diagram::to_svg(trace, &d, &SvgOptions { theme: Theme::Auto, ..SvgOptions::default() });
    Download { filename: format!("{stem}.svg"), mime: "image/svg+xml", body }
}

/// The narrated transcript, as `smtp-sim export --format text` writes it.
pub fn transcript(trace: &Trace, stem: &str) -> Download {
    Download { filename: format!("{stem}-transcript.txt"), mime: "text/plain;charset=utf-8", body: trace.transcript() }
}

/// The whole trace as JSON (`docs/trace-format.md`), as `smtp-sim export --format json` writes it.
pub fn json(trace: &Trace, stem: &str) -> Download {
    let mut body = serde_json::to_string_pretty(trace).unwrap_or_else(|e| format!("{{\"error\": {:?}}}", e.to_string()));
    body.push('\n');
    Download { filename: format!("{stem}-trace.json"), mime: "application/json", body }
}

/// The stored messages of the run, numbered as the CLI numbers them. `step` is the current
/// step, to say which are already delivered.
pub fn messages(trace: &Trace, step: usize) -> Vec<StoredInfo> {
    let delivered = trace.events.iter().take(step.saturating_add(1)).filter(|e| e.kind == crate::sim::trace::Kind::Delivered).count();
    trace
        .mailboxes
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let parsed = mime::parse(m.raw.as_bytes());
            let subject = parsed.header("Subject").map(mime::decode_encoded_words).unwrap_or_else(|| "(no subject)".into());
            StoredInfo {
                number: i + 1,
                mailbox: m.mailbox.clone(),
                node: m.node.clone(),
                subject: subject.chars().filter(|c| !c.is_control()).collect(),
                is_bounce: m.is_bounce,
                delivered_by_now: i < delivered,
            }
        })
        .collect()
}

/// Stored message `number` (1-based) as an `.eml` file, byte for byte as stored.
pub fn eml(trace: &Trace, stem: &str, number: usize) -> Option<Download> {
    let m = trace.mailboxes.get(number.checked_sub(1)?)?;
    let what = if m.is_bounce { "bounce" } else { "message" };
    Some(Download { filename: format!("{stem}-{what}-{number}.eml"), mime: "message/rfc822", body: m.raw.clone() })
}
