//! `smtp-sim export`: the bounce of `unknown-user-bounce` as an `.eml` that parses as an
//! RFC 3464 report, the message list when `--message` is missing, every format through the
//! real binary, and plain, located errors with the right exit codes.

mod common;

use std::process::Output;

use common::svg::check_svg;

use smtp_sim::cli::export::{load_trace, render, ExportFormat};
use smtp_sim::diagram::Theme;
use smtp_sim::sim::mime;
use smtp_sim::sim::scenario::builtin;
use smtp_sim::sim::trace::Trace;
use smtp_sim::sim::world;

fn run(id: &str) -> Trace {
    world::run(&builtin(id).expect("built-in loads"))
}

fn smtp_sim(args: &[&str]) -> Output {
    common::run_smtp_sim(args)
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn the_bounce_eml_is_a_delivery_status_report() {
    let t = run("unknown-user-bounce");
    let n = t.mailboxes.iter().position(|m| m.is_bounce).expect("a bounce was stored") + 1;
    let eml = render(&t, ExportFormat::Eml, Some(n), Theme::Auto).expect("eml renders");
    let msg = mime::parse(&eml);
    assert!(msg.problems.is_empty(), "problems: {:?}", msg.problems);
    assert_eq!(msg.root.content_type, "multipart/report");
    assert_eq!(msg.root.param("report-type"), Some("delivery-status"));
    let status = msg.root.find("message/delivery-status").expect("a message/delivery-status part");
    let body = status.text();
    assert!(body.contains("Action: failed"), "{body}");
    assert!(body.contains("Status: 5.1.1"), "{body}");
    assert_eq!(msg.header("Return-Path"), Some("<>"), "a bounce has the null reverse-path");
}

#[test]
fn eml_without_message_lists_the_stored_messages() {
    let out = smtp_sim(&["export", "unknown-user-bounce", "--format", "eml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = text(&out.stderr);
    for want in ["alice@example.com", "<>", "yes", "Undelivered Mail Returned to Sender", "--message N"] {
        assert!(err.contains(want), "{want:?} missing from:\n{err}");
    }
    let out = smtp_sim(&["export", "unknown-user-bounce", "--format", "eml", "--message", "9"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("there is no message 9"), "{}", text(&out.stderr));
    let out = smtp_sim(&["export", "unknown-user-bounce", "--format", "eml", "--message", "0"]);
    assert_eq!(out.status.code(), Some(2));
    let out = smtp_sim(&["export", "client-cannot-connect", "--format", "eml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("no message was stored"), "{}", text(&out.stderr));
}

#[test]
fn every_format_through_the_binary() {
    let dir = common::temp_dir("export-formats");
    let dir = dir.path();
    let t = run("greylisting-retry");

    let out = smtp_sim(&["export", "greylisting-retry", "--format", "text"]);
    assert!(out.status.success());
    assert_eq!(text(&out.stdout), t.transcript());

    let out = smtp_sim(&["export", "greylisting-retry", "--format", "json"]);
    assert!(out.status.success());
    let back: Trace = serde_json::from_slice(&out.stdout).expect("the JSON is a trace");
    assert_eq!(back, t);

    let svg_path = dir.join("grey.svg");
    let out = smtp_sim(&["export", "greylisting-retry", "--format", "svg", "--theme", "dark", "-o", svg_path.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let svg = std::fs::read(&svg_path).expect("written");
    let svg = text(&svg);
    check_svg("greylisting-retry.svg", &svg, &smtp_sim::diagram::layout(&t, &smtp_sim::diagram::LayoutOptions::default()), &t.title);
    assert!(svg.contains("5m later") && svg.contains("#0d1117") && !svg.contains("prefers-color-scheme"));

    let eml_path = dir.join("bounce.eml");
    let out = smtp_sim(&["export", "unknown-user-bounce", "--format", "eml", "--message", "1", "--output", eml_path.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(std::fs::read(&eml_path).unwrap(), run("unknown-user-bounce").mailboxes[0].raw.as_bytes());

    // A saved JSON trace exports like the scenario it came from.
    let json_path = dir.join("grey.json");
    let out = smtp_sim(&["export", "greylisting-retry", "--format", "json", "-o", json_path.to_str().unwrap()]);
    assert!(out.status.success());
    let out = smtp_sim(&["export", json_path.to_str().unwrap(), "--format", "text"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), t.transcript());
}

#[test]
fn errors_are_plain_and_located() {
    let out = smtp_sim(&["export", "no-such-scenario", "--format", "svg"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("no built-in scenario \"no-such-scenario\""), "{}", text(&out.stderr));

    let out = smtp_sim(&["export", "happy-path", "--format", "text", "--message", "1"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("--message only applies to --format eml"));

    let out = smtp_sim(&["export", "happy-path", "--format", "json", "--theme", "dark"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("--theme only applies to --format svg"));

    let out = smtp_sim(&["export", "happy-path", "--format", "pdf"]);
    assert_eq!(out.status.code(), Some(2), "clap refuses an unknown format");

    let dir = common::temp_dir("export-errors");
    let dir = dir.path();
    let bad = dir.join("bad.json");
    std::fs::write(&bad, format!("{{\"version\": {}, \"scenario\": 3}}", smtp_sim::sim::trace::TRACE_VERSION)).unwrap();
    let out = smtp_sim(&["export", bad.to_str().unwrap(), "--format", "text"]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.contains("bad.json") && err.contains("line 1"), "{err}");

    let future = dir.join("future.json");
    std::fs::write(&future, "{\"version\": 99}").unwrap();
    let err = load_trace(future.to_str().unwrap()).expect_err("unknown version refused");
    assert!(err.contains("trace version 99 is not supported"), "{err}");

    let out = smtp_sim(&["export", "happy-path", "--format", "text", "-o", dir.join("missing/dir/out.txt").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("cannot write"), "{}", text(&out.stderr));
    assert!(!text(&out.stderr).contains("panicked"));
}

/// `smtp-sim run ID | head`: the reader closes the pipe early; the CLI ends quietly (SIGPIPE's
/// default action, `src/main.rs`), never with a panic message on stderr.
#[test]
fn a_closed_pipe_ends_the_output_quietly() {
    // `true` exits at once without reading; the writes that come after it meet a closed pipe.
    let bin = common::bin().display().to_string();
    let script = format!("(sleep 0.3; {bin} scenarios; {bin} run happy-path; {bin} export mail-loop --format json) | true");
    let out = common::run(common::command("sh").args(["-c", &script]));
    let stderr = text(&out.stderr);
    assert!(!stderr.contains("panicked") && !stderr.contains("Broken pipe"), "{stderr}");
}
