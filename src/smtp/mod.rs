//! The SMTP protocol core: RFC 5321 and the ESMTP extensions smtp-sim teaches.
//!
//! Sans-IO: nothing here opens a socket, reads a clock or draws a pixel. Bytes go in, bytes and
//! past-tense events come out. The simulator, the native CLI and the browser UI all drive the
//! same types.
//!
//! - [`address`], [`command`], [`reply`] — the syntax tree of what travels on the wire.
//! - [`parse`] — nom parsers, one function per ABNF rule; [`encode`] — their exact inverse;
//!   [`error`] — syntax errors that teach; [`xtext`], [`base64`] — small codecs.
//! - [`data`] — line framing and the DATA/BDAT readers (streaming, smuggling-safe).
//! - [`state`] — the server's states and its transition table (drawn by the UI).
//! - [`server`], [`client`] — the two sans-IO sessions; [`event`] — what they report.
//! - [`catalogue`] — the teaching text of every command and every reply.

pub mod address;
pub mod base64;
pub mod catalogue;
pub mod client;
pub mod command;
pub mod data;
pub mod encode;
pub mod error;
pub mod event;
pub mod parse;
pub mod reply;
pub mod server;
pub mod state;
pub mod xtext;
