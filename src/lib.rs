//! smtp-sim: a browser-based SMTP teaching simulator.
//!
//! The crate is one deterministic model with thin views on top:
//!
//! - [`smtp`] — the sans-IO RFC 5321 / ESMTP protocol core (bytes in, bytes and events out).
//! - [`pop3`] — the sans-IO POP3 core (RFC 1939, CAPA, AUTH PLAIN, STLS) and a scripted client.
//! - [`store`] — the one mailbox store SMTP delivery, POP3 and IMAP share (sans-IO).
//! - `sim` — the mail network on a virtual clock (client, relay, MX, DNS) producing a `Trace`.
//! - `diagram` — the sequence diagram laid out as plain data, and its SVG writer.
//! - [`player`] — the step-by-step player: the yew-free model the visualizer wraps.
//! - [`lesson`] — the teaching layer: lessons with predict-then-reveal questions, troubleshooting
//!   cards, progress and scores (yew-free).
//! - [`share`] — share links: the UI state in a compact, versioned URL fragment (yew-free).
//! - `ui` — the Yew front end (wasm32 only).
//! - `cli` — the native `smtp-sim` command (not compiled for wasm32).
//!
//! See ARCHITECTURE.md for the map and the invariants.

pub mod diagram;
pub mod imap;
pub mod lesson;
pub mod player;
pub mod pop3;
pub mod share;
pub mod sim;
pub mod smtp;
pub mod store;

#[cfg(not(target_arch = "wasm32"))]
pub mod cli;

#[cfg(target_arch = "wasm32")]
pub mod ui;
