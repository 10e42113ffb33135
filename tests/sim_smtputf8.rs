//! SMTPUTF8 (RFC 6531) in the simulation: a scenario server offers it with `smtputf8 = true`;
//! UTF-8 mailboxes then travel end to end, shown as UTF-8 in the trace and stored as UTF-8;
//! without the extension the mail program's UTF-8 recipient is refused with 553 5.6.7.

use smtp_sim::sim::scenario::Scenario;
use smtp_sim::sim::world;

fn scenario(smtputf8: bool) -> Scenario {
    let flag = if smtputf8 { "smtputf8 = true" } else { "" };
    let src = format!(
        r#"
id = "utf8"
title = "UTF-8 mailboxes"
goal = "SMTPUTF8."

[[node]]
id = "alice"
kind = "client"
host = "laptop.example.com"
address = "192.0.2.10"
server = "smtp.example.com"
port = 587
login = {{ user = "alice", password = "pw" }}

[[node]]
id = "relay"
kind = "server"
host = "smtp.example.com"
address = "192.0.2.25"
ports = [587]
domains = ["example.com"]
mailboxes = ["jöran@example.com"]
accounts = [{{ user = "alice", password = "pw" }}]
{flag}

[dns]
a = [{{ name = "smtp.example.com", address = "192.0.2.25" }}]

[[message]]
client = "alice"
from = "Grüße <grüße@example.com>"
to = ["Jöran <jöran@example.com>"]
subject = "Hej"
body = "Hej Jöran"
"#
    );
    Scenario::from_toml(&src).unwrap_or_else(|e| panic!("{e:?}"))
}

#[test]
fn rfc6531_utf8_mailboxes_travel_when_the_server_offers_smtputf8() {
    let t = world::run(&scenario(true));
    let text = t.transcript();
    // §3.4: the mail program sees SMTPUTF8 advertised and declares it on MAIL.
    assert!(text.contains("MAIL FROM:<grüße@example.com> SIZE="), "{text}");
    assert!(text.contains(" SMTPUTF8\n"), "{text}");
    assert!(text.contains("250 2.1.5 Recipient <jöran@example.com> OK"), "{text}");
    assert_eq!(t.summary.delivered, 1, "{text}");
    let stored = &t.mailboxes[0];
    assert_eq!(stored.mailbox, "jöran@example.com");
    // §4.3: the trace field names the protocol UTF8SMTP (A: authenticated, S: TLS).
    assert!(stored.raw.contains(" with UTF8SMTPSA id "), "{}", stored.raw);
    assert!(stored.raw.starts_with("Return-Path: <grüße@example.com>\r\n"), "{}", stored.raw);
}

#[test]
fn rfc6531_without_the_extension_a_utf8_mailbox_is_refused() {
    let t = world::run(&scenario(false));
    let text = t.transcript();
    // §3.7.4.1: the server without SMTPUTF8 refuses the UTF-8 address (553 5.6.7).
    assert!(text.contains("553 5.6.7"), "{text}");
    assert_eq!(t.summary.delivered, 0);
}
