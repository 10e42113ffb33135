//! RFC 3461 DSN options acted on in the simulation: NOTIFY (SUCCESS/DELAY/FAILURE/NEVER) and
//! ORCPT on RCPT, RET and ENVID on MAIL, carried by the relay to the next hop and into the
//! RFC 3464 report. Each test states its rule and section.

use smtp_sim::sim::dsn::{self, Action};
use smtp_sim::sim::mime;
use smtp_sim::sim::scenario::{DsnNotify, DsnRequest, DsnRet, Scenario};
use smtp_sim::sim::trace::{Kind, StoredMessage, Trace};
use smtp_sim::sim::world;

/// Alice (mail program) → relay (submission, DSN) → mx (DSN unless `mx_dsn` is false).
/// bob@example.org exists; nobody@example.org does not; carol@example.org is on a host that
/// is down (so her copy is delayed and then expires).
fn scenario(request: Option<DsnRequest>, to: &[&str]) -> Scenario {
    let to: Vec<String> = to.iter().map(|t| format!("{t:?}")).collect();
    let src = format!(
        r#"
id = "dsn-test"
title = "DSN"
goal = "DSN options."

[clock]
retry = ["5m"]
expire_after = "30m"
delay_warning_after = "4m"

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
ports = [25, 587]
domains = ["example.com"]
mailboxes = ["alice@example.com"]
accounts = [{{ user = "alice", password = "pw" }}]
dsn = true

[[node]]
id = "mx"
kind = "server"
host = "mx.example.org"
address = "198.51.100.25"
ports = [25]
domains = ["example.org"]
mailboxes = ["bob@example.org"]
dsn = true

[[node]]
id = "down"
kind = "server"
host = "mx.example.net"
address = "198.51.100.26"
ports = [25]
domains = ["example.net"]
mailboxes = ["carol@example.net"]
down = true

[dns]
mx = [
  {{ domain = "example.com", preference = 10, host = "smtp.example.com" }},
  {{ domain = "example.org", preference = 10, host = "mx.example.org" }},
  {{ domain = "example.net", preference = 10, host = "mx.example.net" }},
]
a = [
  {{ name = "smtp.example.com", address = "192.0.2.25" }},
  {{ name = "mx.example.org", address = "198.51.100.25" }},
  {{ name = "mx.example.net", address = "198.51.100.26" }},
]

[[message]]
client = "alice"
from = "Alice <alice@example.com>"
to = [{}]
subject = "Report"
body = "Hello"
"#,
        to.join(", ")
    );
    let mut s = Scenario::from_toml(&src).unwrap_or_else(|e| panic!("{e:?}"));
    s.messages[0].dsn = request;
    s
}

fn request(notify: &[DsnNotify]) -> DsnRequest {
    DsnRequest { notify: notify.to_vec(), ..DsnRequest::default() }
}

/// The DSNs that reached Alice's mailbox.
fn reports(t: &Trace) -> Vec<&StoredMessage> {
    t.mailboxes.iter().filter(|m| m.is_bounce && m.mailbox == "alice@example.com").collect()
}

/// The message/delivery-status part of a stored DSN, parsed.
fn status(m: &StoredMessage) -> dsn::DeliveryStatus {
    let msg = mime::parse(m.raw.as_bytes());
    let part = msg.root.find("message/delivery-status").expect("a delivery-status part");
    dsn::parse_delivery_status(&part.body).unwrap()
}

fn field<'a>(fields: &'a [mime::Header], name: &str) -> Option<&'a str> {
    fields.iter().find(|h| h.name.eq_ignore_ascii_case(name)).map(|h| h.value.as_str())
}

fn wire(t: &Trace, what: &str) -> Vec<String> {
    t.events.iter().filter(|e| e.kind == Kind::Command && e.label.starts_with(what)).map(|e| e.label.clone()).collect()
}

#[test]
fn rfc3461_s4_parameters_travel_from_the_mail_program_through_the_relay() {
    let req = DsnRequest {
        notify: vec![DsnNotify::Failure, DsnNotify::Delay],
        ret: Some(DsnRet::Hdrs),
        envid: Some("QQ314159".into()),
        orcpt: true,
    };
    let t = world::run(&scenario(Some(req), &["bob@example.org"]));
    // §4.1–§4.4 on both hops: alice → relay, relay → mx (§5.2.1: the relay passes them on).
    let mails = wire(&t, "MAIL FROM:<alice@example.com>");
    assert_eq!(mails.len(), 2, "{mails:?}");
    assert!(mails.iter().all(|m| m.contains("RET=HDRS ENVID=QQ314159")), "{mails:?}");
    let rcpts = wire(&t, "RCPT TO:<bob@example.org>");
    assert_eq!(rcpts.len(), 2);
    assert!(rcpts.iter().all(|r| r.contains("NOTIFY=FAILURE,DELAY ORCPT=rfc822;bob@example.org")), "{rcpts:?}");
    assert_eq!(t.summary.delivered, 1);
    assert!(reports(&t).is_empty(), "no NOTIFY=SUCCESS: no report for a delivery");
}

#[test]
fn rfc3461_s4_no_parameters_to_a_server_without_dsn() {
    // §4: a client MUST NOT send the DSN parameters to a server that does not offer DSN.
    let mut s = scenario(Some(request(&[DsnNotify::Success])), &["bob@example.org"]);
    s.nodes[1].dsn = false;
    let t = world::run(&s);
    assert!(wire(&t, "RCPT TO:").iter().all(|r| !r.contains("NOTIFY")), "{:?}", wire(&t, "RCPT TO:"));
}

#[test]
fn rfc3461_s6_2_notify_success_gets_a_delivered_report() {
    let req = DsnRequest { notify: vec![DsnNotify::Success], envid: Some("E-1".into()), orcpt: true, ret: None };
    let t = world::run(&scenario(Some(req), &["bob@example.org"]));
    let r = reports(&t);
    assert_eq!(r.len(), 1, "{}", t.transcript());
    let st = status(r[0]);
    // The final MTA (mx) reports the delivery (Action: delivered, Status 2.0.0).
    assert_eq!(field(&st.per_message, "Reporting-MTA"), Some("dns; mx.example.org"));
    assert_eq!(field(&st.per_message, "Original-Envelope-Id"), Some("E-1"), "RFC 3464 §2.2.1");
    let rcpt = &st.recipients[0];
    assert_eq!(field(rcpt, "Action").and_then(Action::parse), Some(Action::Delivered));
    assert_eq!(field(rcpt, "Status"), Some("2.0.0"));
    assert_eq!(field(rcpt, "Original-Recipient"), Some("rfc822;bob@example.org"), "RFC 3464 §2.3.1 from ORCPT");
    assert_eq!(field(rcpt, "Final-Recipient"), Some("rfc822; bob@example.org"));
}

#[test]
fn rfc3461_s5_2_2_success_through_a_hop_without_dsn_is_reported_relayed() {
    // The mx does not offer DSN: the relay cannot pass NOTIFY=SUCCESS on, so it reports
    // Action: relayed itself (RFC 3464 §2.3.3), and the mx sends nothing.
    let mut s = scenario(Some(DsnRequest { notify: vec![DsnNotify::Success], orcpt: true, ..DsnRequest::default() }), &["bob@example.org"]);
    s.nodes[2].dsn = false;
    let t = world::run(&s);
    let rcpts = wire(&t, "RCPT TO:<bob@example.org>");
    assert!(rcpts[0].contains("NOTIFY=SUCCESS") && !rcpts[1].contains("NOTIFY"), "{rcpts:?}");
    let r = reports(&t);
    assert_eq!(r.len(), 1, "{}", t.transcript());
    let st = status(r[0]);
    assert_eq!(field(&st.per_message, "Reporting-MTA"), Some("dns; smtp.example.com"));
    assert_eq!(field(&st.recipients[0], "Action").and_then(Action::parse), Some(Action::Relayed));
    assert_eq!(field(&st.recipients[0], "Remote-MTA"), Some("dns; mx.example.org"));
    assert_eq!(field(&st.recipients[0], "Original-Recipient"), Some("rfc822;bob@example.org"));
}

#[test]
fn rfc3461_s4_1_notify_never_means_no_bounce_at_all() {
    let t = world::run(&scenario(Some(request(&[DsnNotify::Never])), &["nobody@example.org"]));
    assert!(reports(&t).is_empty(), "{}", t.transcript());
    assert_eq!(t.summary.bounced, 0);
    assert_eq!(t.summary.unnotified, 1);
    assert!(t.transcript().contains("no bounce for nobody@example.org: NOTIFY did not ask for one"));
    // Without NOTIFY the failure is reported as usual.
    let t = world::run(&scenario(None, &["nobody@example.org"]));
    assert_eq!(reports(&t).len(), 1);
    // NOTIFY=SUCCESS alone: no failure report either.
    let t = world::run(&scenario(Some(request(&[DsnNotify::Success])), &["nobody@example.org"]));
    assert!(reports(&t).is_empty());
}

#[test]
fn rfc3461_s4_1_delay_warnings_only_when_notify_asks_for_delay() {
    let delayed =
        |t: &Trace| reports(t).iter().filter(|m| status(m).recipients.iter().any(|r| field(r, "Action") == Some("delayed"))).count();
    // Without NOTIFY: the MTA's default, a delay warning and the final failure.
    let t = world::run(&scenario(None, &["carol@example.net"]));
    assert_eq!(delayed(&t), 1, "{}", t.transcript());
    // NOTIFY=FAILURE: the failure only.
    let t = world::run(&scenario(Some(request(&[DsnNotify::Failure])), &["carol@example.net"]));
    assert_eq!(delayed(&t), 0);
    assert_eq!(reports(&t).len(), 1);
    // NOTIFY=DELAY: the warning only (no FAILURE asked).
    let t = world::run(&scenario(Some(request(&[DsnNotify::Delay])), &["carol@example.net"]));
    assert_eq!(delayed(&t), 1);
    assert_eq!(reports(&t).len(), 1);
    assert_eq!(t.summary.unnotified, 1);
}

#[test]
fn rfc3461_s4_3_ret_chooses_what_the_report_returns() {
    let returned = |ret: Option<DsnRet>| {
        let t = world::run(&scenario(Some(DsnRequest { ret, ..DsnRequest::default() }), &["nobody@example.org"]));
        let r = reports(&t);
        assert_eq!(r.len(), 1);
        let msg = mime::parse(r[0].raw.as_bytes());
        msg.root.walk().map(|(_, p)| p.content_type.clone()).collect::<Vec<_>>()
    };
    // RET=HDRS: text/rfc822-headers (RFC 6522 §4); RET=FULL: the whole message/rfc822.
    assert!(returned(Some(DsnRet::Hdrs)).contains(&"text/rfc822-headers".to_string()));
    assert!(returned(Some(DsnRet::Full)).contains(&"message/rfc822".to_string()));
    assert!(returned(None).contains(&"message/rfc822".to_string()), "a small message without RET comes back whole");
}

#[test]
fn scenario_format_rejects_never_with_other_values() {
    let mut s = scenario(Some(request(&[DsnNotify::Never, DsnNotify::Success])), &["bob@example.org"]);
    let e = s.validate().unwrap_err();
    assert!(e.iter().any(|e| e.path == "message[0].dsn.notify" && e.message.contains("RFC 3461 §4.1")), "{e:?}");
    s.messages[0].dsn = Some(DsnRequest { envid: Some("x".repeat(101)), ..DsnRequest::default() });
    assert!(s.validate().is_err());
}
