//! The SMTP protocol core: RFC 5321 and the ESMTP extensions smtp-sim teaches.
//!
//! Sans-IO: nothing here opens a socket, reads a clock or draws a pixel. Bytes go in, bytes and
//! past-tense events come out. The simulator, the native CLI and the browser UI all drive the
//! same types.
//!
//! - [`address`], [`command`], [`reply`] — the syntax tree of what travels on the wire.
//! - `parse` — nom parsers, one function per ABNF rule; `encode` — their exact inverse.

pub mod address;
pub mod command;
pub mod reply;
pub mod data;
pub mod catalogue;
pub mod state;
pub mod base64;
pub mod event;
pub mod server;
pub mod client;
