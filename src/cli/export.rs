//! `smtp-sim export`: writes a run as an SVG sequence diagram, the narrated transcript, the
//! JSON trace, or one stored message as an `.eml` file (see `docs/export.md`).
//!
//! [`render`] is the pure part (trace in, bytes or a plain error out) so tests can call it;
//! [`run`] loads the scenario, renders, and writes to standard output or `-o FILE`.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};

use crate::diagram::{self, LayoutOptions, SvgOptions, Theme};
use crate::sim::mime;
use crate::sim::trace::{Trace, TRACE_VERSION};
use crate::sim::world;

/// Arguments of `smtp-sim export`.
#[derive(Args, Debug)]
pub struct ExportArgs {
    /// A built-in scenario id, a scenario file (TOML), or a trace saved with
    /// `smtp-sim run ID --format json` (a file ending in `.json`).
    pub scenario: String,
    /// `svg`: the sequence diagram; `text`: the narrated transcript; `json`: the trace;
    /// `eml`: one stored message (pick it with `--message N`).
    #[arg(long, value_enum)]
    pub format: ExportFormat,
    /// With `--format eml`: which stored message, 1-based as listed when this is left out.
    #[arg(long, value_name = "N")]
    pub message: Option<usize>,
    /// With `--format svg`: the palette (`auto` follows the viewer's light/dark preference).
    #[arg(long, value_enum)]
    pub theme: Option<ThemeArg>,
    /// Write to FILE instead of standard output.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    Svg,
    Text,
    Json,
    Eml,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ThemeArg {
    Light,
    Dark,
    Auto,
}

impl From<ThemeArg> for Theme {
    fn from(t: ThemeArg) -> Theme {
        match t {
            ThemeArg::Light => Theme::Light,
            ThemeArg::Dark => Theme::Dark,
            ThemeArg::Auto => Theme::Auto,
        }
    }
}

/// Why an export did not happen: a plain message and the exit code (2 for a usage problem).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub message: String,
    pub code: u8,
}

impl Failure {
    fn usage(message: impl Into<String>) -> Failure {
        Failure { message: message.into(), code: 2 }
    }
}

/// Renders a trace in one format. `message` is the 1-based stored message for `eml`.
pub fn render(trace: &Trace, format: ExportFormat, message: Option<usize>, theme: Theme) -> Result<Vec<u8>, Failure> {
    match format {
        ExportFormat::Svg => {
            let d = diagram::layout(trace, &LayoutOptions::default());
            Ok(diagram::to_svg(trace, &d, &SvgOptions { theme, ..SvgOptions::default() }).into_bytes())
        }
        ExportFormat::Text => Ok(trace.transcript().into_bytes()),
        ExportFormat::Json => match serde_json::to_string_pretty(trace) {
            Ok(mut j) => {
                j.push('\n');
                Ok(j.into_bytes())
            }
            Err(e) => Err(Failure { message: format!("cannot write the trace as JSON: {e}"), code: 1 }),
        },
        ExportFormat::Eml => {
            if trace.mailboxes.is_empty() {
                return Err(Failure::usage(format!(
                    "{}: no message was stored in a mailbox in this run, so there is nothing to export as .eml",
                    trace.scenario
                )));
            }
            let count = trace.mailboxes.len();
            match message {
                None => Err(Failure::usage(format!(
                    "{}\nchoose one with --message N, e.g. `smtp-sim export {} --format eml --message 1 -o message.eml`",
                    message_list(trace),
                    trace.scenario
                ))),
                Some(n) if n == 0 || n > count => Err(Failure::usage(format!(
                    "there is no message {n}: this run stored {count} message{} (numbered 1 to {count})\n{}",
                    if count == 1 { "" } else { "s" },
                    message_list(trace)
                ))),
                Some(n) => Ok(trace.mailboxes[n - 1].raw.clone().into_bytes()),
            }
        }
    }
}

/// The stored messages of a run as a numbered table: number, mailbox, sender, bounce, subject.
pub fn message_list(trace: &Trace) -> String {
    let mut out = format!(
        "{} stored {} message{} in mailboxes:\n{:>3}  {:<28} {:<28} {:<6} subject\n",
        trace.scenario,
        trace.mailboxes.len(),
        if trace.mailboxes.len() == 1 { "" } else { "s" },
        "#",
        "mailbox (node)",
        "sender",
        "bounce"
    );
    for (i, m) in trace.mailboxes.iter().enumerate() {
        let parsed = mime::parse(m.raw.as_bytes());
        let subject = parsed.header("Subject").map(mime::decode_encoded_words).unwrap_or_else(|| "(no subject)".into());
        out.push_str(&format!(
            "{:>3}  {:<28} {:<28} {:<6} {}\n",
            i + 1,
            format!("{} ({})", m.mailbox, m.node),
            format!("<{}>", m.mail_from),
            if m.is_bounce { "yes" } else { "no" },
            subject.chars().filter(|c| !c.is_control()).collect::<String>()
        ));
    }
    out
}

/// Loads what to export: a built-in id or scenario file (run here), or a saved JSON trace.
pub fn load_trace(what: &str) -> Result<Trace, String> {
    let is_json = what.to_ascii_lowercase().ends_with(".json") && crate::sim::scenario::builtin(what).is_none();
    if !is_json {
        return super::load(what).map(|s| world::run(&s));
    }
    let text = std::fs::read_to_string(what).map_err(|e| format!("cannot read {what}: {e}"))?;
    #[derive(serde::Deserialize)]
    struct Version {
        version: u32,
    }
    let v: Version = serde_json::from_str(&text).map_err(|e| format!("{what}: not a smtp-sim trace: {e}"))?;
    if v.version != TRACE_VERSION {
        return Err(format!("{what}: trace version {} is not supported (this smtp-sim reads version {TRACE_VERSION})", v.version));
    }
    serde_json::from_str(&text).map_err(|e| format!("{what}: not a valid trace: {e}"))
}

/// `smtp-sim export`.
pub fn run(args: ExportArgs) -> ExitCode {
    if args.message.is_some() && args.format != ExportFormat::Eml {
        eprintln!("smtp-sim: --message only applies to --format eml");
        return ExitCode::from(2);
    }
    if args.theme.is_some() && args.format != ExportFormat::Svg {
        eprintln!("smtp-sim: --theme only applies to --format svg");
        return ExitCode::from(2);
    }
    let trace = match load_trace(&args.scenario) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let bytes = match render(&trace, args.format, args.message, args.theme.map_or(Theme::Auto, Theme::from)) {
        Ok(b) => b,
        Err(f) => {
            eprintln!("{}", f.message.trim_end());
            return ExitCode::from(f.code);
        }
    };
    match &args.output {
        Some(path) => match std::fs::write(path, &bytes) {
            Ok(()) => {
                eprintln!("smtp-sim: wrote {} ({} bytes)", path.display(), bytes.len());
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("smtp-sim: cannot write {}: {e}", path.display());
                ExitCode::FAILURE
            }
        },
        None => {
            let mut out = std::io::stdout().lock();
            match out.write_all(&bytes).and_then(|()| out.flush()) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::FAILURE,
                Err(e) => {
                    eprintln!("smtp-sim: cannot write to standard output: {e}");
                    ExitCode::FAILURE
                }
            }
        }
    }
}
