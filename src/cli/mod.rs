//! The native `smtp-sim` command (not compiled for wasm32): runs scenarios and prints their
//! narrated transcript or JSON trace, checks scenario files, and (see `serve`/`send`) puts the
//! same SMTP core on real sockets.

pub mod export;

use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

pub mod imap_serve;
pub mod maildir;
pub mod mailstore;
pub mod narrate;
pub mod pop3_serve;
pub mod send;
pub mod serve;

use crate::sim::scenario::{self, Scenario};
use crate::sim::world;

/// smtp-sim: watch e-mail move, step by step. Every command, reply, DNS lookup, retry and
/// bounce of a small simulated mail network, explained with its RFC section.
#[derive(Parser, Debug)]
#[command(name = "smtp-sim", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// List the built-in scenarios (id and title).
    Scenarios,
    /// Run a scenario (a built-in id or a TOML file) and print what happened.
    Run {
        /// A built-in scenario id (see `smtp-sim scenarios`) or the path of a scenario file.
        scenario: String,
        /// `text`: the narrated transcript; `json`: the versioned JSON trace.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Check a scenario or lesson file and report every problem with its line, column and field
    /// (a lesson's questions are resolved against its scenarios' traces).
    Check {
        /// The scenario or lesson file to check.
        file: String,
    },
    /// List the built-in lessons, or print one lesson (its parts, notes and questions) with
    /// `--answers` for the teacher's answer key, derived from the scenarios' traces.
    Lessons {
        /// A built-in lesson id, or the path of a lesson file.
        lesson: Option<String>,
        /// Print each question's choices, expected answer and explanation.
        #[arg(long)]
        answers: bool,
    },
    /// Run the SMTP server on a real loopback socket (telnet, swaks, smtplib can talk to it),
    /// store mail in Maildirs, and narrate every command and reply. No STARTTLS (no real TLS).
    ///
    /// STARTTLS is not advertised: TLS is only simulated (in the browser and in `smtp-sim run`)
    /// and a real socket cannot fake it. Everything, AUTH passwords included, travels in clear
    /// text, which is why only loopback addresses (127.0.0.1, ::1) are allowed.
    Serve(serve::ServeArgs),
    /// Send one message to an SMTP server on a loopback socket and narrate the exchange.
    /// Exit 0: all recipients accepted; 1: some refused; 2: usage or connection error.
    ///
    /// STARTTLS is never used: TLS is only simulated (in the browser and in `smtp-sim run`).
    /// Only loopback servers (127.0.0.1, ::1, localhost) are contacted.
    Send(send::SendArgs),
    /// Export a run: the sequence diagram (SVG), the transcript, the JSON trace, or a stored
    /// message (.eml).
    Export(export::ExportArgs),
    /// Print a share link for a scenario at a step: the page address with `--url`, else the
    /// fragment alone (`v2.…`). A scenario file travels in full (edits included), a built-in by
    /// id; put the result after `#` in the page address, or in an embed's iframe `src`.
    Share {
        /// A built-in scenario id or the path of a scenario file.
        scenario: String,
        /// The step to open, counted from 1 as the page shows it.
        #[arg(long, default_value_t = 1)]
        step: usize,
        /// The tool to open: inspector, mailboxes, queue, dns, console or editor.
        #[arg(long)]
        panel: Option<String>,
        /// The page address to put in front (e.g. `https://example.org/smtp-sim/`).
        #[arg(long)]
        url: Option<String>,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

/// Loads a built-in scenario by id, or a scenario file by path.
pub fn load(what: &str) -> Result<Scenario, String> {
    if let Some(s) = scenario::builtin(what) {
        return Ok(s);
    }
    let looks_like_id = !what.contains('/') && !what.contains('.') && !what.is_empty();
    let source = match std::fs::read_to_string(what) {
        Ok(s) => s,
        Err(e) if looks_like_id && e.kind() == std::io::ErrorKind::NotFound => {
            return Err(format!("no built-in scenario {what:?} and no file of that name; `smtp-sim scenarios` lists the built-in ids"));
        }
        Err(e) => return Err(format!("cannot read {what}: {e}")),
    };
    Scenario::from_toml(&source).map_err(|errors| errors.iter().map(|e| format!("{what}: {e}")).collect::<Vec<_>>().join("\n"))
}

/// The CLI entry point.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Scenarios => {
            for (id, _) in scenario::BUILTIN {
                match scenario::builtin(id) {
                    Some(s) => println!("{id:<26} {}", s.title),
                    None => println!("{id:<26} (does not load: a bug, please report)"),
                }
            }
            ExitCode::SUCCESS
        }
        Command::Run { scenario, format } => match load(&scenario) {
            Ok(s) => {
                let trace = world::run(&s);
                match format {
                    Format::Text => print!("{}", trace.transcript()),
                    Format::Json => match serde_json::to_string_pretty(&trace) {
                        Ok(j) => println!("{j}"),
                        Err(e) => {
                            eprintln!("smtp-sim: cannot write the trace as JSON: {e}");
                            return ExitCode::FAILURE;
                        }
                    },
                }
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("{e}");
                ExitCode::from(2)
            }
        },
        Command::Lessons { lesson, answers } => lessons(lesson.as_deref(), answers),
        Command::Serve(args) => serve::run(args),
        Command::Send(args) => send::run(args),
        Command::Export(args) => export::run(args),
        Command::Share { scenario, step, panel, url } => share_link(&scenario, step, panel.as_deref(), url.as_deref()),
        Command::Check { file } => {
            let source = match std::fs::read_to_string(&file) {
                Ok(s) => s,
                Err(e) => {
                    eprintln!("smtp-sim: cannot read {file}: {e}");
                    return ExitCode::from(2);
                }
            };
            if crate::lesson::looks_like_lesson(&source) {
                return check_lesson(&file, &source);
            }
            match Scenario::from_toml(&source) {
                Ok(s) => {
                    println!("{file}: ok — scenario {:?}, {} nodes, {} messages", s.id, s.nodes.len(), s.messages.len());
                    ExitCode::SUCCESS
                }
                Err(errors) => {
                    for e in &errors {
                        eprintln!("{file}: {e}");
                    }
                    eprintln!("{} problem(s) found", errors.len());
                    ExitCode::from(1)
                }
            }
        }
    }
}

/// `smtp-sim check` of a lesson file: every problem, located; exit 1 if there is any.
fn check_lesson(file: &str, source: &str) -> ExitCode {
    match crate::lesson::Lesson::from_toml(source) {
        Ok(l) => {
            println!("{file}: ok — lesson {:?}, {} parts, {} questions", l.id, l.parts.len(), l.question_count());
            ExitCode::SUCCESS
        }
        Err(errors) => {
            for e in &errors {
                eprintln!("{file}: {e}");
            }
            eprintln!("{} problem(s) found", errors.len());
            ExitCode::from(1)
        }
    }
}

/// `smtp-sim lessons [ID|FILE] [--answers]`.
fn lessons(which: Option<&str>, answers: bool) -> ExitCode {
    let Some(which) = which else {
        for l in crate::lesson::course() {
            println!("{:<22} {:>3} min  {}", l.id, l.minutes, l.title);
        }
        return ExitCode::SUCCESS;
    };
    let lesson = match crate::lesson::builtin(which) {
        Some(l) => l,
        None => match std::fs::read_to_string(which) {
            Ok(source) => match crate::lesson::Lesson::from_toml(&source) {
                Ok(l) => std::rc::Rc::new(l),
                Err(errors) => {
                    for e in &errors {
                        eprintln!("{which}: {e}");
                    }
                    return ExitCode::from(1);
                }
            },
            Err(_) => {
                eprintln!("no built-in lesson {which:?} and no file of that name; `smtp-sim lessons` lists the built-in ids");
                return ExitCode::from(2);
            }
        },
    };
    print!("{}", crate::lesson::outline(&lesson, answers));
    ExitCode::SUCCESS
}

/// `smtp-sim share`.
fn share_link(what: &str, step: usize, panel: Option<&str>, url: Option<&str>) -> ExitCode {
    let s = match load(what) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let mut p = crate::player::Player::from_scenario(s);
    let len = p.len();
    if step == 0 || step > len.max(1) {
        eprintln!("smtp-sim: there is no step {step}: this scenario has {len} steps (counted from 1)");
        return ExitCode::from(2);
    }
    p.apply(crate::player::Intent::Goto(step - 1));
    if let Some(name) = panel {
        match crate::player::Tool::from_name(name) {
            Some(t) => p.tool = t,
            None => {
                let names: Vec<&str> = crate::player::Tool::ALL.iter().map(|t| t.name()).collect();
                eprintln!("smtp-sim: there is no panel {name:?}; the panels are {}", names.join(", "));
                return ExitCode::from(2);
            }
        }
    }
    let link = p.share_link();
    match url {
        Some(u) => println!("{}#{link}", u.split('#').next().unwrap_or(u)),
        None => println!("{link}"),
    }
    ExitCode::SUCCESS
}
