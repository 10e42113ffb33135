//! The deterministic mail-network simulation: a world of mail programs, relays and MX
//! servers, all running the one SMTP core, on a virtual clock, recording a [`trace::Trace`].
//!
//! - [`scenario`] — the TOML scenario format and the built-in library; [`spec`] — its data types.
//! - [`world`] — runs a scenario: links, connections, relay queue, retries, bounces.
//! - [`dns`] — the simulated zone and mail routing (RFC 5321 §5.1, RFC 7505).
//! - [`console`] — the "be the client" console: the student types SMTP to one server node.
//! - [`policy`] — a server node's configuration and decisions, shared by the world and the console.
//! - [`spf`] — the SPF check a receiving server makes (RFC 7208).
//! - [`mime`], [`dsn`], [`date`] — messages, bounces (RFC 3464) and dates, built deterministically.
//! - [`trace`] — the record every view reads.
//! - [`clock`], [`rng`] — virtual time and the seeded random generator.
//! - [`bench`] — the generated benchmark world (`benches/sim.rs`, the page's `?debug=bench10k`).

pub mod bench;
pub mod clock;
pub mod console;
pub mod date;
pub mod dkim;
pub mod dmarc;
pub mod dns;
pub mod dsn;
pub mod mime;
pub mod policy;
pub mod rng;
pub mod scenario;
pub mod spec;
pub mod spf;
pub mod trace;
pub mod world;
