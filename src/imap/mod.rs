//! The IMAP protocol core: IMAP4rev2 (RFC 9051) with IMAP4rev1 (RFC 3501) compatibility, the
//! pull half of e-mail. Sans-IO like [`crate::smtp`]: bytes in, bytes and past-tense events out;
//! no clock (the time is an argument), no sockets.
//!
//! - [`command`], [`response`] — the syntax tree; [`parse`] — one nom function per ABNF rule
//!   of RFC 9051 §9; [`encode`] — its exact inverse; [`framing`] — lines and literals.
//! - [`state`] — the four states and the transition table the server obeys and the UI draws;
//!   [`catalogue`] — the teaching text of every command and every response.
//! - [`server`] — the server session over the caller's [`crate::store::Store`];
//!   [`fetch`] — ENVELOPE, BODYSTRUCTURE and sections from [`crate::sim::mime`];
//!   [`client`] — a scripted client ("the phone pulls mail"); [`event`] — what both report.
//!
//! # Why a hand-written parser and not `imap-codec`
//!
//! `imap-codec`/`imap-types` (duesee) are the well-kept IMAP syntax crates, and they compile
//! with this project's rustc 1.95 (1.0.0 and 2.0.0-alpha.10 both). Measured 2026-12-04 as a
//! wasm32 cdylib with the page's release profile (opt-level "z", LTO, one codegen unit,
//! panic abort, stripped), `gzip -9`:
//!
//! | cdylib                                                      |     raw |  gzip -9 |
//! |-------------------------------------------------------------|--------:|---------:|
//! | baseline: a nom tag parser and a hand-written reply          |  11,345 |    4,889 |
//! | imap-codec 2.0.0-alpha.10: decode commands, encode a status  | 167,167 |   61,676 |
//! | imap-codec 2.0.0-alpha.10: commands and responses both ways  | 298,667 |  105,710 |
//! | imap-codec 1.0.0: commands and responses both ways           | 288,108 |   97,184 |
//!
//! The simulation needs both directions (the server session *and* the scripted client that is
//! "the phone"), so the crate would add ≈ 92–100 KB gzip to a page that is already ≈ 260 KB
//! over its 200 KB budget (docs/perf.md) — more than the whole SMTP parser and session. Its
//! types also cover far more of IMAP than we teach (ESEARCH, QRESYNC, METADATA, ...). The
//! hand-written layer follows the project's SMTP style instead: one function per ABNF rule,
//! the rule above it, an encoder tested as its inverse, errors that name the rule and column.
//!
//! What the hand-written IMAP costs, measured the same way (a cdylib over this crate that runs
//! the SMTP server session, with and without the IMAP server *and* client sessions): 1,019,571 →
//! 1,229,259 B raw, 247,140 → 325,740 B gzip -9, i.e. **+78.6 KB gzip** for syntax, framing,
//! server, client, `fetch`, the store and `sim::mime` (which the page already carries for its
//! node panels, so the page pays less). imap-codec would add its ≈ 97 KB for the syntax alone,
//! before any session logic.

pub mod catalogue;
pub mod client;
pub mod command;
pub mod encode;
pub mod event;
pub mod fetch;
pub mod framing;
pub mod parse;
pub mod response;
pub mod server;
pub mod state;
