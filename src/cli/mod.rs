//! The native `smtp-sim` command (not compiled for wasm32): runs scenarios and prints their
//! narrated transcript or JSON trace, checks scenario files, and (see `serve`/`send`) puts the
//! same SMTP core on real sockets.

pub mod export;

use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

pub mod maildir;
pub mod narrate;
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
    /// Check a scenario file and report every problem with its line, column and field.
    Check {
        /// The scenario file to check.
        file: String,
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
        Command::Serve(args) => serve::run(args),
        Command::Send(args) => send::run(args),
        Command::Export(args) => export::run(args),
        Command::Check { file } => {
            let source = match std::fs::read_to_string(&file) {
                Ok(s) => s,
                Err(e) => {
                    eprintln!("smtp-sim: cannot read {file}: {e}");
                    return ExitCode::from(2);
                }
            };
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
