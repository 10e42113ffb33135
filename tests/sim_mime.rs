//! Integration tests for the simulator's message formats: MIME build/parse round trips, hostile
//! input for the parser, RFC 2045 codec answers, and RFC 3464 bounces read back field by field.

use proptest::prelude::*;
use smtp_sim::sim::date::{parse_iso8601_utc, rfc5322_date};
use smtp_sim::sim::dsn::{self, Action, Dsn, DsnRecipient, Return};
use smtp_sim::sim::mime::{
    self, base64_decode, base64_encode, decode_encoded_words, qp_decode, qp_encode, to_crlf, Attachment, Compose, Message,
};

fn compose() -> Compose {
    Compose {
        from: "Alice <alice@example.com>".into(),
        to: vec!["Bob <bob@example.org>".into()],
        cc: vec![],
        subject: "Hello".into(),
        date: rfc5322_date(parse_iso8601_utc("2026-11-28T09:00:00Z").unwrap()),
        message_id: "1@client.example.com".into(),
        body: "Hi Bob,\nsee you soon.\n".into(),
        attachments: vec![],
        extra_headers: vec![],
    }
}

/// Every line ends in CRLF and no line is longer than 998 octets (RFC 5322 §2.1.1).
fn assert_wire_clean(raw: &[u8]) {
    let mut line = 0usize;
    for (i, &b) in raw.iter().enumerate() {
        match b {
            b'\n' => {
                assert!(i > 0 && raw[i - 1] == b'\r', "bare LF at byte {i}");
                line = 0;
            }
            b'\r' => assert_eq!(raw.get(i + 1), Some(&b'\n'), "bare CR at byte {i}"),
            _ => {
                line += 1;
                assert!(line <= 998, "line longer than 998 octets ending near byte {i}");
            }
        }
    }
}

fn header_lines_fit(raw: &[u8]) {
    let text = String::from_utf8_lossy(mime::header_block(raw)).into_owned();
    for l in text.split("\r\n") {
        assert!(l.len() <= 78, "header line over 78: {l:?}");
    }
}

fn subject_of(m: &Message) -> String {
    decode_encoded_words(m.header("Subject").unwrap_or(""))
}

/// The text body of a parsed built message: the root, or its first child for multipart/mixed.
fn text_body(m: &Message) -> String {
    let part = if m.root.children.is_empty() { &m.root } else { &m.root.children[0] };
    assert_eq!(part.content_type, "text/plain");
    part.text()
}

#[test]
fn simple_message_is_7bit_and_round_trips() {
    let c = compose();
    let raw = mime::build(&c);
    assert_wire_clean(&raw);
    let text = String::from_utf8(raw.clone()).unwrap();
    assert!(text.starts_with("From: Alice <alice@example.com>\r\nTo: Bob <bob@example.org>\r\n"));
    assert!(text.contains("Date: Sat, 28 Nov 2026 09:00:00 +0000\r\n"));
    assert!(text.contains("Message-ID: <1@client.example.com>\r\n"));
    assert!(text.contains("MIME-Version: 1.0\r\n"));
    assert!(text.contains("Content-Transfer-Encoding: 7bit\r\n\r\nHi Bob,\r\nsee you soon.\r\n"));
    let m = mime::parse(&raw);
    assert!(m.problems.is_empty(), "{:?}", m.problems);
    assert_eq!(subject_of(&m), "Hello");
    assert_eq!(text_body(&m), to_crlf(&c.body));
    assert_eq!(m.root.param("charset"), Some("utf-8"));
    assert_eq!(m.header("from"), Some("Alice <alice@example.com>"));
}

#[test]
fn utf8_subject_and_names_use_encoded_words() {
    let mut c = compose();
    c.subject = "Grüße aus Köln — 会议 🚀".into();
    c.from = "Zoë Ünal <zoe@example.com>".into();
    c.to = vec!["\"Jürgen\" <j@example.de>".into(), "plain@example.net".into()];
    let raw = mime::build(&c);
    assert_wire_clean(&raw);
    assert!(raw.is_ascii(), "headers and body must be 7-bit clean");
    header_lines_fit(&raw);
    let m = mime::parse(&raw);
    assert_eq!(subject_of(&m), c.subject);
    assert_eq!(decode_encoded_words(m.header("From").unwrap()), c.from);
    assert_eq!(decode_encoded_words(m.header("To").unwrap()), "Jürgen <j@example.de>, plain@example.net");
}

#[test]
fn long_line_and_dot_lines_use_quoted_printable() {
    let mut c = compose();
    let long = "x".repeat(2000);
    c.body = format!(".\n..leading dots\n{long}\nend with space \n.");
    let raw = mime::build(&c);
    assert_wire_clean(&raw);
    let text = String::from_utf8(raw.clone()).unwrap();
    assert!(text.contains("Content-Transfer-Encoding: quoted-printable"));
    assert!(text.split("\r\n").all(|l| l.len() <= 998));
    let m = mime::parse(&raw);
    assert_eq!(text_body(&m), to_crlf(&c.body));
}

#[test]
fn attachments_with_all_byte_values_round_trip() {
    let mut c = compose();
    let bytes: Vec<u8> = (0..=255u8).collect();
    c.attachments = vec![
        Attachment { filename: "all-bytes.bin".into(), content_type: "application/octet-stream".into(), data: bytes.repeat(3) },
        Attachment { filename: "résumé \"final\".pdf".into(), content_type: "Application/PDF".into(), data: b"%PDF-1.4".to_vec() },
        Attachment {
            filename: "a very long file name that goes on and on and on, well past one header line.txt".into(),
            content_type: "text/plain; charset=utf-8".into(),
            data: Vec::new(),
        },
    ];
    let raw = mime::build(&c);
    assert_wire_clean(&raw);
    assert!(raw.is_ascii());
    let m = mime::parse(&raw);
    assert!(m.problems.is_empty(), "{:?}", m.problems);
    assert_eq!(m.root.content_type, "multipart/mixed");
    assert!(m.root.param("boundary").unwrap().len() <= 70);
    assert_eq!(m.root.children.len(), 4);
    assert_eq!(text_body(&m), to_crlf(&c.body));
    for (a, p) in c.attachments.iter().zip(&m.root.children[1..]) {
        assert_eq!(p.filename.as_deref(), Some(a.filename.as_str()));
        assert_eq!(p.body, a.data);
        assert_eq!(p.transfer_encoding, "base64");
    }
    assert_eq!(m.root.children[2].content_type, "application/pdf");
    assert_eq!(m.root.children[3].param("charset"), Some("utf-8"));
    let text = String::from_utf8(raw).unwrap();
    for line in text.lines().filter(|l| l.len() > 60 && !l.contains(':')) {
        if line.bytes().all(|b| b.is_ascii_alphanumeric() || b"+/=".contains(&b)) {
            assert!(line.len() <= 76, "base64 line over 76: {line}");
        }
    }
}

#[test]
fn boundary_is_rederived_when_a_part_contains_it() {
    let mut c = compose();
    c.attachments = vec![Attachment { filename: "x.txt".into(), content_type: "text/plain".into(), data: b"x".to_vec() }];
    let first = mime::parse(&mime::build(&c));
    let boundary = first.root.param("boundary").unwrap().to_string();
    c.body = format!("before\n--{boundary}\nContent-Type: text/html\n\n<b>not a part</b>\n--{boundary}--\nafter");
    let raw = mime::build(&c);
    let m = mime::parse(&raw);
    assert!(m.problems.is_empty(), "{:?}", m.problems);
    let used = m.root.param("boundary").unwrap();
    assert_ne!(used, boundary);
    assert!(!c.body.contains(used));
    assert_eq!(m.root.children.len(), 2);
    assert_eq!(text_body(&m), to_crlf(&c.body));
    assert_eq!(m.root.children[1].body, b"x");
}

#[test]
fn build_is_deterministic_and_content_sensitive() {
    let mut c = compose();
    c.attachments = vec![Attachment { filename: "a.bin".into(), content_type: "application/octet-stream".into(), data: vec![1, 2, 3] }];
    assert_eq!(mime::build(&c), mime::build(&c.clone()));
    let b1 = mime::parse(&mime::build(&c)).root.param("boundary").unwrap().to_string();
    c.attachments[0].data.push(4);
    let b2 = mime::parse(&mime::build(&c)).root.param("boundary").unwrap().to_string();
    assert_ne!(b1, b2);
}

#[test]
fn header_injection_is_neutralised() {
    let mut c = compose();
    c.subject = "hi\r\nBcc: victim@example.com".into();
    c.to = vec!["bob@example.org\r\nX-Evil: 1".into()];
    c.extra_headers = vec![
        ("X-Mailer".into(), "smtp-sim\nX-Evil: 2".into()),
        ("Content-Type".into(), "text/html".into()),
        ("Bad Name:".into(), "v".into()),
    ];
    let raw = mime::build(&c);
    assert_wire_clean(&raw);
    let m = mime::parse(&raw);
    assert!(m.header("Bcc").is_none());
    assert!(m.header("X-Evil").is_none());
    assert_eq!(m.headers_named("Content-Type").count(), 1);
    assert_eq!(m.header("BadName"), Some("v"));
    assert_eq!(subject_of(&m), c.subject);
}

#[test]
fn rfc2045_quoted_printable_and_base64_answers() {
    // RFC 2045 §6.7 rule 5 example of soft line breaks.
    let encoded = b"Now's the time =\r\nfor all folk to come=\r\n to the aid of their country.";
    assert_eq!(qp_decode(encoded), b"Now's the time for all folk to come to the aid of their country.");
    // RFC 2045 §6.7 rule 1 / rule 3.
    assert_eq!(qp_encode(b"=\xff\t\n"), "=3D=FF=09\r\n");
    assert_eq!(qp_encode(b"x\ty z"), "x\ty z");
    // RFC 4648 §10 (the alphabet of RFC 2045 §6.8, Table 1).
    assert_eq!(base64_encode(b"foobar"), "Zm9vYmFy");
    assert_eq!(base64_decode("Zm9v\r\nYmE=").unwrap(), b"fooba");
    assert!(base64_decode("Zm9v YmE").is_err());
    let all: Vec<u8> = (0..=255).collect();
    assert_eq!(base64_decode(&base64_encode(&all)).unwrap(), all);
    assert_eq!(qp_decode(qp_encode(&all).as_bytes()).len(), 256 + 1); // LF becomes CRLF
}

#[test]
fn received_chain_order_and_trace_tools() {
    let raw = mime::build(&compose());
    let raw = mime::prepend_header(&raw, "Received", "from client.example.com by relay.example.com; Sat, 28 Nov 2026 09:00:01 +0000");
    let raw = mime::prepend_header(&raw, "Received", "from relay.example.com by mx.example.org; Sat, 28 Nov 2026 09:00:02 +0000");
    let raw = mime::prepend_header(&raw, "Return-Path", "<alice@example.com>");
    assert_wire_clean(&raw);
    assert_eq!(mime::count_headers(&raw, "received"), 2);
    let m = mime::parse(&raw);
    assert_eq!(m.headers[0].name, "Return-Path");
    let chain: Vec<&str> = m.headers_named("Received").map(|h| h.value.as_str()).collect();
    assert!(chain[0].starts_with("from relay.example.com"));
    assert!(chain[1].starts_with("from client.example.com"));
    assert_eq!(m.headers_named("received").next().unwrap().line, 2);
    let block = mime::header_block(&raw);
    assert!(block.ends_with(b"\r\n\r\n"));
    assert_eq!(mime::count_headers(block, "Received"), 2);
}

#[test]
fn nested_message_and_digest() {
    let inner = mime::build(&compose());
    let mut raw = b"From: a@b\r\nContent-Type: multipart/digest; boundary=d\r\n\r\n--d\r\n\r\n".to_vec();
    raw.extend_from_slice(&inner);
    raw.extend_from_slice(b"\r\n--d--\r\n");
    let m = mime::parse(&raw);
    assert!(m.problems.is_empty(), "{:?}", m.problems);
    let digest_child = &m.root.children[0];
    assert_eq!(digest_child.content_type, "message/rfc822"); // RFC 2046 §5.1.5 default
    let encapsulated = &digest_child.children[0];
    assert_eq!(encapsulated.header("Subject"), Some("Hello"));
    let depths: Vec<(usize, &str)> = m.root.walk().map(|(d, p)| (d, p.content_type.as_str())).collect();
    assert_eq!(depths, vec![(0, "multipart/digest"), (1, "message/rfc822"), (2, "text/plain")]);
}

#[test]
fn unterminated_boundary_is_reported_with_a_line() {
    let raw = b"From: a@b\r\nContent-Type: multipart/mixed; boundary=\"x\"\r\n\r\npreamble\r\n--x\r\n\r\none\r\n--x\r\nContent-Type: text/plain\r\n\r\ntwo, never closed\r\n";
    let m = mime::parse(raw);
    assert_eq!(m.root.children.len(), 2);
    assert_eq!(m.root.children[0].body, b"one");
    assert_eq!(m.root.children[1].body, b"two, never closed\r\n");
    assert_eq!(m.problems, vec!["line 8: multipart boundary \"x\" never closed (no \"--x--\", RFC 2046 §5.1.1)".to_string()]);
}

#[test]
fn hostile_inputs_never_panic() {
    // 1000-deep nesting
    let mut raw = Vec::new();
    for i in 0..1000 {
        raw.extend_from_slice(format!("Content-Type: multipart/mixed; boundary=b{i}\r\n\r\n--b{i}\r\n").as_bytes());
    }
    raw.extend_from_slice(b"\r\ninnermost");
    let m = mime::parse(&raw);
    assert!(m.root.walk().map(|(d, _)| d).max().unwrap() < mime::MAX_DEPTH);
    assert!(m.problems.iter().any(|p| p.contains("deeper than")));

    // deep message/rfc822 nesting
    let deep = "Content-Type: message/rfc822\r\n\r\n".repeat(1000);
    let m = mime::parse(deep.as_bytes());
    assert!(m.root.walk().count() <= mime::MAX_DEPTH);

    // missing headers, garbage, empty
    for junk in [
        &b""[..],
        b"\r\n\r\n",
        b"just a body line",
        b"\xff\xfe\x00\x01: \x80\r\n\r\n\x00",
        b"Content-Type: multipart/mixed\r\n\r\n--\r\n",
        b"Content-Type: multipart/mixed; boundary=\"\r\n\r\n--\r\n--\r\n",
        b"Content-Type: /\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!!",
        b"Content-Type: text/plain; charset*0*=x'y'%; name*=''%ZZ; =; ;;\r\n\r\n",
        b"Subject: =?utf-8?B?####?= =?utf-8?Q?=ZZ?= =?\r\n",
    ] {
        let _ = mime::parse(junk);
        let _ = mime::header_block(junk);
        let _ = mime::count_headers(junk, "Received");
        let _ = dsn::parse_delivery_status(junk);
    }

    // a 10 MB line
    let mut big = b"Subject: big\r\n\r\n".to_vec();
    big.extend(std::iter::repeat_n(b'a', 10 * 1024 * 1024));
    let m = mime::parse(&big);
    assert_eq!(m.root.body.len(), 10 * 1024 * 1024);
    let mut big_header = b"X-Big: ".to_vec();
    big_header.extend(std::iter::repeat_n(b'b', 10 * 1024 * 1024));
    assert_eq!(mime::parse(&big_header).headers[0].value.len(), 10 * 1024 * 1024);

    // many parts are capped
    let mut many = b"Content-Type: multipart/mixed; boundary=m\r\n\r\n".to_vec();
    many.extend(b"--m\r\n".repeat(20_000));
    let m = mime::parse(&many);
    assert!(m.root.walk().count() <= mime::MAX_PARTS + 1);
}

#[test]
fn bad_base64_is_shown_raw_with_a_problem() {
    let raw = b"Content-Type: application/pdf\r\nContent-Transfer-Encoding: BASE64\r\n\r\nnot*base64\r\n";
    let m = mime::parse(raw);
    assert_eq!(m.root.transfer_encoding, "base64");
    assert_eq!(m.root.body, b"not*base64\r\n");
    assert!(m.problems[0].starts_with("line 4: base64 body"), "{:?}", m.problems);
}

// ---------------------------------------------------------------------------------------------
// DSN
// ---------------------------------------------------------------------------------------------

fn failed_dsn() -> Dsn {
    Dsn {
        reporting_mta: "dns; relay.example.com".into(),
        received_from_mta: Some("dns; client.example.com".into()),
        original_envelope_id: Some("QQ314159".into()),
        arrival_date: "Sat, 28 Nov 2026 09:00:00 +0000".into(),
        recipients: vec![DsnRecipient {
            original_recipient: Some("rfc822;bob@example.org".into()),
            final_recipient: "bob@example.org".into(),
            action: Action::Failed,
            status: (5, 1, 1),
            remote_mta: Some("mx.example.org".into()),
            diagnostic: Some("550 5.1.1 <bob@example.org>: user unknown".into()),
            last_attempt_date: Some("Sat, 28 Nov 2026 09:00:05 +0000".into()),
            will_retry_until: Some("ignored for failed".into()),
        }],
        from: "Mail Delivery System <MAILER-DAEMON@relay.example.com>".into(),
        to: "alice@example.com".into(),
        date: "Sat, 28 Nov 2026 09:00:06 +0000".into(),
        message_id: "bounce.1@relay.example.com".into(),
        original: mime::build(&compose()),
        ret: Return::Full,
    }
}

fn report_of(raw: &[u8]) -> (Message, dsn::DeliveryStatus) {
    let m = mime::parse(raw);
    assert!(m.problems.is_empty(), "{:?}", m.problems);
    let part = m.root.find("message/delivery-status").expect("a delivery-status part");
    let ds = dsn::parse_delivery_status(&part.body).expect("a readable delivery-status");
    (m, ds)
}

#[test]
fn failed_bounce_parses_as_multipart_report() {
    let d = failed_dsn();
    let raw = dsn::build(&d);
    assert_wire_clean(&raw);
    header_lines_fit(&raw);
    let (m, ds) = report_of(&raw);
    assert_eq!(m.root.content_type, "multipart/report");
    assert_eq!(m.root.param("report-type"), Some("delivery-status"));
    assert_eq!(m.header("Subject"), Some("Undelivered Mail Returned to Sender"));
    assert_eq!(m.header("Auto-Submitted"), Some("auto-replied"));
    assert_eq!(m.header("To"), Some("<alice@example.com>"));
    assert_eq!(m.header("Message-ID"), Some("<bounce.1@relay.example.com>"));
    let types: Vec<&str> = m.root.children.iter().map(|p| p.content_type.as_str()).collect();
    assert_eq!(types, ["text/plain", "message/delivery-status", "message/rfc822"]);

    assert_eq!(ds.field("Original-Envelope-Id"), Some("QQ314159"));
    assert_eq!(ds.field("Reporting-MTA"), Some("dns; relay.example.com"));
    assert_eq!(ds.field("Received-From-MTA"), Some("dns; client.example.com"));
    assert_eq!(ds.field("Arrival-Date"), Some("Sat, 28 Nov 2026 09:00:00 +0000"));
    assert_eq!(ds.recipients.len(), 1);
    assert_eq!(ds.recipient_field(0, "Original-Recipient"), Some("rfc822;bob@example.org"));
    assert_eq!(ds.recipient_field(0, "Final-Recipient"), Some("rfc822; bob@example.org"));
    assert_eq!(ds.recipient_field(0, "Action").and_then(Action::parse), Some(Action::Failed));
    assert_eq!(ds.recipient_field(0, "Status").and_then(dsn::parse_status), Some((5, 1, 1)));
    assert_eq!(ds.recipient_field(0, "Remote-MTA"), Some("dns; mx.example.org"));
    assert_eq!(ds.recipient_field(0, "Diagnostic-Code"), Some("smtp; 550 5.1.1 <bob@example.org>: user unknown"));
    assert_eq!(ds.recipient_field(0, "Last-Attempt-Date"), Some("Sat, 28 Nov 2026 09:00:05 +0000"));
    assert_eq!(ds.recipient_field(0, "Will-Retry-Until"), None); // §2.3.9: delayed only
                                                                 // RFC 3464 §2.3 order
    let order: Vec<&str> = ds.recipients[0].iter().map(|h| h.name.as_str()).collect();
    assert_eq!(order, ["Original-Recipient", "Final-Recipient", "Action", "Status", "Remote-MTA", "Diagnostic-Code", "Last-Attempt-Date"]);
    let per_message: Vec<&str> = ds.per_message.iter().map(|h| h.name.as_str()).collect();
    assert_eq!(per_message, ["Original-Envelope-Id", "Reporting-MTA", "Received-From-MTA", "Arrival-Date"]);

    // the returned message is the original, byte for byte, and is parsed as a child message
    let returned = &m.root.children[2];
    assert_eq!(returned.body, d.original);
    assert_eq!(returned.children[0].header("Subject"), Some("Hello"));

    // the human part teaches (compared with line wrapping undone)
    let human = m.root.children[0].text().split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(human.contains("The mail server for example.org said the mailbox \"bob\" does not exist (550 5.1.1)"), "{human}");
    assert!(human.contains("Check the spelling of the address"), "{human}");
    assert!(human.contains("The mail server mx.example.org said:"), "{human}");
    assert!(human.contains("550 5.1.1 <bob@example.org>: user unknown"), "{human}");
    assert_eq!(
        d.check(),
        vec!["bob@example.org: Will-Retry-Until only belongs in a delayed report (RFC 3464 §2.3.9); not written".to_string()]
    );
}

#[test]
fn delayed_bounce_has_will_retry_until_and_no_remote_mta_when_none_answered() {
    let mut d = failed_dsn();
    d.ret = Return::Headers;
    d.recipients = vec![DsnRecipient {
        original_recipient: None,
        final_recipient: "carol@example.net".into(),
        action: Action::Delayed,
        status: (4, 4, 1),
        remote_mta: None,
        diagnostic: None,
        last_attempt_date: Some("Sat, 28 Nov 2026 13:00:00 +0000".into()),
        will_retry_until: Some("Wed, 02 Dec 2026 09:00:00 +0000".into()),
    }];
    let raw = dsn::build(&d);
    assert_wire_clean(&raw);
    let (m, ds) = report_of(&raw);
    assert_eq!(m.header("Subject"), Some("Delayed Mail (still being retried)"));
    assert_eq!(ds.recipient_field(0, "Remote-MTA"), None);
    assert_eq!(ds.recipient_field(0, "Diagnostic-Code"), None);
    assert_eq!(ds.recipient_field(0, "Original-Recipient"), None);
    assert_eq!(ds.recipient_field(0, "Will-Retry-Until"), Some("Wed, 02 Dec 2026 09:00:00 +0000"));
    assert_eq!(ds.recipient_field(0, "Status"), Some("4.4.1"));
    let returned = &m.root.children[2];
    assert_eq!(returned.content_type, "text/rfc822-headers");
    assert_eq!(returned.body, mime::header_block(&d.original));
    let human = m.root.children[0].text();
    assert!(human.contains("until Wed, 02 Dec 2026 09:00:00 +0000"), "{human}");
    assert!(human.contains("do not need to send it again"), "{human}");
    assert!(d.check().is_empty(), "{:?}", d.check());
}

#[test]
fn multi_recipient_success_and_give_up_reports() {
    let mut d = failed_dsn();
    let base = d.recipients[0].clone();
    d.recipients = vec![
        DsnRecipient {
            action: Action::Delivered,
            status: (2, 0, 0),
            diagnostic: Some("250 2.0.0 Ok: queued as 42".into()),
            will_retry_until: None,
            ..base.clone()
        },
        DsnRecipient {
            final_recipient: "dave@example.com".into(),
            action: Action::Failed,
            status: (4, 4, 7),
            remote_mta: None,
            diagnostic: None,
            will_retry_until: None,
            ..base.clone()
        },
        DsnRecipient {
            final_recipient: "list@example.com".into(),
            action: Action::Expanded,
            status: (2, 0, 0),
            will_retry_until: None,
            ..base
        },
    ];
    let raw = dsn::build(&d);
    let (m, ds) = report_of(&raw);
    assert_eq!(m.header("Subject"), Some("Undelivered Mail Returned to Sender"));
    assert_eq!(ds.recipients.len(), 3);
    let actions: Vec<&str> = (0..3).map(|i| ds.recipient_field(i, "Action").unwrap()).collect();
    assert_eq!(actions, ["delivered", "failed", "expanded"]);
    assert_eq!(ds.recipient_field(1, "Status"), Some("4.4.7")); // give-up keeps the transient code
    assert!(m.root.children[0].text().contains("given up"));
    assert!(d.check().is_empty(), "{:?}", d.check());

    d.recipients.truncate(1);
    let (m, _) = report_of(&dsn::build(&d));
    assert_eq!(m.header("Subject"), Some("Successful Mail Delivery Report"));
}

#[test]
fn dsn_is_deterministic_and_checks_teach() {
    let d = failed_dsn();
    assert_eq!(dsn::build(&d), dsn::build(&d.clone()));
    let mut bad = d.clone();
    bad.to = "<>".into();
    bad.recipients[0].action = Action::Delayed;
    let problems = bad.check();
    assert!(problems.iter().any(|p| p.contains("null")), "{problems:?}");
    assert!(problems.iter().any(|p| p.contains("inconsistent")), "{problems:?}");
}

#[test]
fn original_with_boundary_lookalike_and_8bit_is_returned_intact() {
    let mut d = failed_dsn();
    let mut c = compose();
    c.attachments = vec![Attachment { filename: "f".into(), content_type: "text/plain".into(), data: b"f".to_vec() }];
    let mut original = mime::build(&c);
    original.extend_from_slice("8bit trailer: ü\r\n".as_bytes());
    d.original = original.clone();
    let raw = dsn::build(&d);
    let (m, _) = report_of(&raw);
    let returned = &m.root.children[2];
    assert_eq!(returned.transfer_encoding, "8bit");
    assert_eq!(returned.body, original);
    assert_eq!(returned.children[0].content_type, "multipart/mixed");
    assert_eq!(returned.children[0].children.len(), 2);

    // an original that is not valid MIME to encapsulate whole falls back to its headers
    d.original = b"Subject: bare\nLF only\n\nbody\x00".to_vec();
    let (m, _) = report_of(&dsn::build(&d));
    assert_eq!(m.root.children[2].content_type, "text/rfc822-headers");
}

// ---------------------------------------------------------------------------------------------
// Property tests
// ---------------------------------------------------------------------------------------------

fn name_strategy() -> impl Strategy<Value = String> {
    prop::collection::vec("[a-zA-Z0-9éüßøÆ中文]{1,10}", 1..4).prop_map(|w| w.join(" "))
}

fn mailbox_strategy() -> impl Strategy<Value = String> {
    (name_strategy(), "[a-z0-9.]{1,12}", "[a-z0-9]{1,10}\\.(org|com|de)").prop_map(|(n, l, d)| format!("{n} <{l}@{d}>"))
}

fn attachment_strategy() -> impl Strategy<Value = Attachment> {
    (
        any::<String>(),
        prop::sample::select(vec!["application/pdf", "image/png", "text/plain", "application/octet-stream"]),
        prop::collection::vec(any::<u8>(), 0..600),
    )
        .prop_map(|(filename, ct, data)| Attachment { filename, content_type: ct.into(), data })
}

fn compose_strategy() -> impl Strategy<Value = Compose> {
    (
        mailbox_strategy(),
        prop::collection::vec(mailbox_strategy(), 0..4),
        any::<String>(),
        prop_oneof![any::<String>(), "[ -~\n]{0,300}", "(\\.?[a-z ]{0,90}\n){0,8}"],
        prop::collection::vec(attachment_strategy(), 0..3),
    )
        .prop_map(|(from, to, subject, body, attachments)| Compose {
            from,
            to,
            cc: vec![],
            subject,
            date: rfc5322_date(1_795_856_400),
            message_id: "p@example.com".into(),
            body,
            attachments,
            extra_headers: vec![],
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn parse_build_recovers_the_compose_form(c in compose_strategy()) {
        let raw = mime::build(&c);
        assert_wire_clean(&raw);
        let m = mime::parse(&raw);
        prop_assert!(m.problems.is_empty(), "{:?}", m.problems);
        prop_assert_eq!(subject_of(&m), c.subject.clone());
        prop_assert_eq!(decode_encoded_words(m.header("From").unwrap()), c.from.clone());
        if !c.to.is_empty() {
            prop_assert_eq!(decode_encoded_words(m.header("To").unwrap()), c.to.join(", "));
        }
        prop_assert_eq!(text_body(&m), to_crlf(&c.body));
        if c.attachments.is_empty() {
            prop_assert!(m.root.children.is_empty());
        } else {
            prop_assert_eq!(m.root.children.len(), c.attachments.len() + 1);
            for (a, p) in c.attachments.iter().zip(&m.root.children[1..]) {
                prop_assert_eq!(p.filename.as_deref(), Some(a.filename.as_str()));
                prop_assert_eq!(&p.content_type, &a.content_type);
                prop_assert_eq!(&p.body, &a.data);
            }
        }
    }

    #[test]
    fn parse_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..2000)) {
        let m = mime::parse(&bytes);
        prop_assert!(m.root.walk().count() <= mime::MAX_PARTS + 1);
        let _ = mime::count_headers(&bytes, "Received");
        let _ = dsn::parse_delivery_status(&bytes);
    }

    #[test]
    fn parse_never_panics_on_mime_shaped_noise(
        pieces in prop::collection::vec(prop_oneof![
            Just("--b\r\n".to_string()), Just("--b--\r\n".to_string()), Just("\r\n".to_string()),
            Just("Content-Type: multipart/mixed; boundary=b\r\n".to_string()),
            Just("Content-Type: message/rfc822\r\n".to_string()),
            Just("Content-Transfer-Encoding: base64\r\n".to_string()),
            Just("Content-Transfer-Encoding: quoted-printable\r\n".to_string()),
            Just(" folded\r\n".to_string()), Just("=?utf-8?q?x?=".to_string()),
            "[ -~]{0,20}",
        ], 0..60)
    ) {
        let raw = pieces.concat();
        let _ = mime::parse(raw.as_bytes());
    }

    #[test]
    fn codecs_round_trip(data in prop::collection::vec(any::<u8>(), 0..500), text in any::<String>()) {
        prop_assert_eq!(base64_decode(&mime::base64_lines(&data)).unwrap(), data.clone());
        let qp = qp_encode(text.as_bytes());
        prop_assert!(qp.split("\r\n").all(|l| l.len() <= 76));
        prop_assert_eq!(String::from_utf8(qp_decode(qp.as_bytes())).unwrap(), to_crlf(&text));
    }

    #[test]
    fn dates_round_trip(secs in -62_135_596_800i64..253_402_300_799) {
        let formatted = rfc5322_date(secs);
        // "Sat, 28 Nov 2026 09:00:00 +0000" -> "2026-11-28T09:00:00Z"
        let f: Vec<&str> = formatted.split(' ').collect();
        let months = ["Jan","Feb","Mar","Apr","May","Jun","Jul","Aug","Sep","Oct","Nov","Dec"];
        let month = months.iter().position(|m| *m == f[2]).unwrap() + 1;
        let iso = format!("{}-{month:02}-{}T{}Z", f[3], f[1], f[4]);
        prop_assert_eq!(parse_iso8601_utc(&iso), Some(secs));
    }
}

#[test]
fn a_subject_of_spaces_survives() {
    // Found by the property test in CI: "=?UTF-8?Q?_?=" decoded to "" (the body decoder trims).
    for subject in [" ", "  ", "a ", " a", "x_y", "=3D"] {
        let c = Compose {
            from: "ü <0@0.org>".into(),
            to: vec![],
            cc: vec![],
            subject: subject.into(),
            date: "Sat, 28 Nov 2026 09:00:00 +0000".into(),
            message_id: "p@example.com".into(),
            body: String::new(),
            attachments: vec![],
            extra_headers: vec![],
        };
        let m = mime::parse(&mime::build(&c));
        assert_eq!(subject_of(&m), subject);
    }
}
