//! The POP3 protocol core: RFC 1939 with CAPA and response codes (RFC 2449, RFC 3206), AUTH
//! PLAIN (RFC 5034, RFC 4616) and STLS (RFC 2595, simulated), in the style of `smtp/`.
//!
//! Sans-IO: bytes in, bytes and past-tense events out; no clock (the APOP timestamp is given by
//! the caller), no sockets, no store (a [`server::Maildrop`] answers the node's questions).
//!
//! - [`command`] — commands: syntax tree, parser, encoder (exact inverses), syntax errors.
//! - [`response`] — status lines and response codes, parser and encoder; multi-line bodies
//!   (byte-stuffing, and the client's incremental reader).
//! - [`frame`] — command-line framing with the RFC 2449 §4 length limit.
//! - [`state`] — the server's states, the transition table it obeys and the UI draws, and the
//!   commands refused per state.
//! - [`server`] — the server session; [`client`] — a scripted client ("the laptop pulls mail");
//!   [`event`] — what they report.
//! - [`catalogue`] — the teaching text of every command and every response.

pub mod catalogue;
pub mod client;
pub mod command;
pub mod event;
pub mod frame;
pub mod response;
pub mod server;
pub mod state;
