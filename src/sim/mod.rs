//! The deterministic mail-network simulation: nodes on a virtual clock, and the message formats
//! (MIME, delivery status notifications, RFC 5322 dates) they exchange.

pub mod date;
pub mod dsn;
pub mod mime;
