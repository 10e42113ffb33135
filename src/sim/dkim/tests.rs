//! Known answers from RFC 6376 and RFC 8463, sign-then-verify round trips, the failures a
//! student should see explained, and hostile input.

use super::*;
use crate::sim::dns::TxtRecord;

fn crlf(s: &str) -> Vec<u8> {
    s.replace('\n', "\r\n").into_bytes()
}

/// RFC 8463 Appendix A.2: the two key records of football.example.com.
fn rfc8463_zone() -> Zone {
    Zone {
        txt: vec![
            TxtRecord { name: "brisbane._domainkey.football.example.com".into(), text: "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=".into() },
            TxtRecord {
                name: "test._domainkey.football.example.com".into(),
                text: "v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDkHlOQoBTzWRiGs5V6NpP3idY6Wk08a5qhdR6wy5bdOKb2jLQiY/J16JYi0Qvx/byYzCNb3W91y3FutACDfzwQ/BC/e/8uBsCR+yz1Lxj+PL6lHvqMKrM3rG4hstT5QjvHO9PzoxZyVYLzBfO2EeC3Ip3G+2kryOTIKT+l/K4w3QIDAQAB".into(),
            },
        ],
        ..Zone::default()
    }
}

/// RFC 8463 Appendix A.3: the RFC 6376 example message signed with both keys.
const RFC8463_SIGNED: &str = "DKIM-Signature: v=1; a=ed25519-sha256; c=relaxed/relaxed;
 d=football.example.com; i=@football.example.com;
 q=dns/txt; s=brisbane; t=1528637909; h=from : to :
 subject : date : message-id : from : subject : date;
 bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=;
 b=/gCrinpcQOoIfuHNQIbq4pgh9kyIK3AQUdt9OdqQehSwhEIug4D11Bus
 Fa3bT3FY5OsU7ZbnKELq+eXdp1Q1Dw==
DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed;
 d=football.example.com; i=@football.example.com;
 q=dns/txt; s=test; t=1528637909; h=from : to : subject :
 date : message-id : from : subject : date;
 bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=;
 b=F45dVWDfMbQDGHJFlXUNB2HKfbCeLRyhDXgFpEL8GwpsRe0IeIixNTe3
 DhCVlUrSjV4BwcVcOF6+FF3Zo9Rpo1tFOeS9mPYQTnGdaSGsgeefOsk2Jz
 dA+L10TeYt9BgDfQNZtKdN1WO//KgIqXP7OdEFE4LjFYNcUxZQ4FADY+8=
From: Joe SixPack <joe@football.example.com>
To: Suzie Q <suzie@shopping.example.net>
Subject: Is dinner ready?
Date: Fri, 11 Jul 2003 21:00:37 -0700 (PDT)
Message-ID: <20030712040037.46341.5F8J@football.example.com>

Hi.

We lost the game.  Are you hungry yet?

Joe.
";

/// 2018-06-10, after the RFC's t= and with no x=.
const NOW: u64 = 1_528_700_000;

#[test]
fn rfc8463_a3_both_signatures_verify() {
    let mut lookups = Vec::new();
    let results = verify(&crlf(RFC8463_SIGNED), &rfc8463_zone(), NOW, &mut lookups);
    let summary: Vec<(DkimResult, &str)> = results.iter().map(|v| (v.result, v.selector.as_str())).collect();
    assert_eq!(summary, [(DkimResult::Pass, "brisbane"), (DkimResult::Pass, "test")], "{results:#?}");
    assert_eq!(lookups.len(), 2, "one key lookup per signature");
    assert_eq!(lookups[0].name, "brisbane._domainkey.football.example.com");
    assert!(results[0].reason.contains("football.example.com vouches"), "{}", results[0].reason);
}

#[test]
fn rfc8463_a3_a_changed_subject_fails_both() {
    let msg = RFC8463_SIGNED.replace("Subject: Is dinner ready?", "Subject: [list] Is dinner ready?");
    let results = verify(&crlf(&msg), &rfc8463_zone(), NOW, &mut Vec::new());
    for v in &results {
        assert_eq!(v.result, DkimResult::Fail);
        assert!(v.reason.starts_with("signature did not verify"), "{}", v.reason);
    }
}

#[test]
fn rfc8463_a3_a_changed_body_line_fails_the_body_hash() {
    let msg = RFC8463_SIGNED.replace("We lost the game.", "We won the game.");
    let results = verify(&crlf(&msg), &rfc8463_zone(), NOW, &mut Vec::new());
    assert!(results.iter().all(|v| v.result == DkimResult::Fail && v.reason.starts_with("body hash did not verify")), "{results:#?}");
}

#[test]
fn rfc8463_a3_relaxed_survives_whitespace_changes() {
    // Relaxed canonicalization (RFC 6376 §3.4.2, §3.4.4) forgives re-folded headers, case in
    // header names and trailing white space in the body.
    let msg = RFC8463_SIGNED.replace("Subject: Is dinner ready?", "SUBJECT:   Is   dinner\n\tready?  ").replace("Joe.\n", "Joe.   \n\n\n");
    let results = verify(&crlf(&msg), &rfc8463_zone(), NOW, &mut Vec::new());
    assert!(results.iter().all(|v| v.result == DkimResult::Pass), "{results:#?}");
}

#[test]
fn rfc6376_s3_4_6_canonicalization_example() {
    let message = b"A: X\r\nB : Y\t\r\n\tZ  \r\n\r\n C \r\nD \t E\r\n\r\n\r\n";
    let parsed = Message::parse(message);
    let relaxed: Vec<u8> = parsed.fields.iter().flat_map(|f| canon_header(f.raw, Canon::Relaxed)).collect();
    assert_eq!(relaxed, b"a:X\r\nb:Y Z\r\n");
    let simple: Vec<u8> = parsed.fields.iter().flat_map(|f| canon_header(f.raw, Canon::Simple)).collect();
    assert_eq!(simple, b"A: X\r\nB : Y\t\r\n\tZ  \r\n");
    assert_eq!(canon_body(parsed.body, Canon::Relaxed), b" C\r\nD E\r\n");
    assert_eq!(canon_body(parsed.body, Canon::Simple), b" C \r\nD \t E\r\n");
}

#[test]
fn empty_bodies_hash_as_the_rfc_says() {
    // RFC 6376 §3.4.3: an empty body is one CRLF (simple); §3.4.4: empty (relaxed).
    assert_eq!(base64::encode(&Sha256::digest(canon_body(b"", Canon::Simple))), "frcCV1k9oG9oKj3dpUqdJg1PxRT2RSN/XKdLCPjaYaY=");
    assert_eq!(base64::encode(&Sha256::digest(canon_body(b"", Canon::Relaxed))), "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
    assert_eq!(canon_body(b"\r\n\r\n", Canon::Simple), b"\r\n");
}

const MESSAGE: &str = "From: Alice <alice@example.com>
To: Bob <bob@example.org>
Subject: Lunch
Date: Thu, 3 Dec 2026 10:00:00 +0000
Message-ID: <1@example.com>

See you at noon.
";

fn signer_zone(key: &Key) -> Zone {
    Zone { txt: vec![TxtRecord { name: "s1._domainkey.example.com".into(), text: key.public_record() }], ..Zone::default() }
}

fn request(canon: Canon) -> SignRequest<'static> {
    SignRequest {
        domain: "example.com",
        selector: "s1",
        headers: RECOMMENDED_HEADERS,
        header_canon: canon,
        body_canon: canon,
        timestamp: Some(NOW),
        expires: Some(NOW + 3600),
        length: None,
    }
}

fn signed(key: &Key, req: &SignRequest<'_>, message: &str) -> Vec<u8> {
    let body = crlf(message);
    let mut out = sign(&body, key, req).into_bytes();
    out.extend_from_slice(&body);
    out
}

#[test]
fn ed25519_sign_then_verify_in_both_canonicalizations() {
    let key = Key::generate(Algorithm::Ed25519Sha256, 7);
    for canon in [Canon::Simple, Canon::Relaxed] {
        let msg = signed(&key, &request(canon), MESSAGE);
        let results = verify(&msg, &signer_zone(&key), NOW, &mut Vec::new());
        assert_eq!(results.len(), 1);
        assert_eq!(results[0].result, DkimResult::Pass, "{canon:?}: {}\n{}", results[0].reason, String::from_utf8_lossy(&msg));
        assert!(String::from_utf8_lossy(&results[0].hashed_headers).contains("Lunch"));
    }
}

#[test]
fn keys_come_from_the_seed() {
    let a = Key::generate(Algorithm::Ed25519Sha256, 1).public_record();
    assert_eq!(a, Key::generate(Algorithm::Ed25519Sha256, 1).public_record());
    assert_ne!(a, Key::generate(Algorithm::Ed25519Sha256, 2).public_record());
    assert!(a.starts_with("v=DKIM1; k=ed25519; p=") && a.len() == "v=DKIM1; k=ed25519; p=".len() + 44, "{a}");
}

#[test]
fn rsa_sign_then_verify() {
    let key = Key::generate(Algorithm::RsaSha256, 3);
    let record = key.public_record();
    assert!(
        record.starts_with("v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA"),
        "a 2048-bit SubjectPublicKeyInfo: {record}"
    );
    let msg = signed(&key, &request(Canon::Relaxed), MESSAGE);
    let results = verify(&msg, &signer_zone(&key), NOW, &mut Vec::new());
    assert_eq!(results[0].result, DkimResult::Pass, "{}", results[0].reason);
    let tampered = String::from_utf8(msg).unwrap().replace("Subject: Lunch", "Subject: Dinner");
    assert_eq!(verify(tampered.as_bytes(), &signer_zone(&key), NOW, &mut Vec::new())[0].result, DkimResult::Fail);
}

#[test]
fn what_goes_wrong_is_said() {
    let key = Key::generate(Algorithm::Ed25519Sha256, 7);
    let msg = signed(&key, &request(Canon::Relaxed), MESSAGE);
    let check = |zone: &Zone, now: u64| verify(&msg, zone, now, &mut Vec::new()).remove(0);

    let missing = check(&Zone::default(), NOW);
    assert_eq!(missing.result, DkimResult::PermError);
    assert!(missing.reason.contains("there is no key at s1._domainkey.example.com"), "{}", missing.reason);

    let revoked = Zone {
        txt: vec![TxtRecord { name: "s1._domainkey.example.com".into(), text: "v=DKIM1; k=ed25519; p=".into() }],
        ..Zone::default()
    };
    assert!(check(&revoked, NOW).reason.contains("revoked"));

    let expired = check(&signer_zone(&key), NOW + 7200);
    assert_eq!(expired.result, DkimResult::PermError);
    assert!(expired.reason.contains("expired"), "{}", expired.reason);

    let servfail = Zone { servfail: vec!["s1._domainkey.example.com".into()], ..signer_zone(&key) };
    assert_eq!(check(&servfail, NOW).result, DkimResult::TempError);

    let other = Key::generate(Algorithm::Ed25519Sha256, 8);
    assert_eq!(check(&signer_zone(&other), NOW).result, DkimResult::Fail, "a key that is not the signer's");
}

#[test]
fn l_tag_lets_anyone_append_text() {
    let key = Key::generate(Algorithm::Ed25519Sha256, 7);
    let body_len = canon_body(b"See you at noon.\r\n", Canon::Relaxed).len() as u64;
    let req = SignRequest { length: Some(body_len), ..request(Canon::Relaxed) };
    let msg = String::from_utf8(signed(&key, &req, MESSAGE)).unwrap() + "Click here: http://phish.example/\r\n";
    let v = verify(msg.as_bytes(), &signer_zone(&key), NOW, &mut Vec::new()).remove(0);
    assert_eq!(v.result, DkimResult::Pass, "{}", v.reason);
    assert!(v.warnings.iter().any(|w| w.contains("append")), "{:?}", v.warnings);
}

#[test]
fn tag_lists_are_read_as_rfc6376_s3_2_says() {
    let tags = parse_tag_list(" v=1; a = rsa-sha256 ;\r\n\tb=ab\r\n cd;").unwrap();
    assert_eq!(tags.iter().map(|t| (t.name, t.value)).collect::<Vec<_>>(), [("v", "1"), ("a", "rsa-sha256"), ("b", "ab\r\n cd")]);
    assert!(parse_tag_list("").unwrap().is_empty());
    assert_eq!(
        parse_tag_list("v=1; v=1").unwrap_err().reason,
        "a tag occurs twice, which makes the whole tag list invalid (RFC 6376 §3.2)"
    );
    assert_eq!(parse_tag_list("v=1; =x").unwrap_err().at, 5);
    assert!(parse_tag_list("v").is_err());
    assert!(parse_tag_list("v=\u{e9}").is_err());
}

#[test]
fn signature_fields_that_cannot_be_used_are_permerrors_with_a_reason() {
    let cases = [
        ("v=1; a=rsa-sha1; d=x; s=y; h=from; bh=; b=", "rsa-sha1"),
        ("v=1; a=rsa-sha256; d=x; s=y; h=to; bh=; b=", "From:"),
        ("v=1; a=rsa-sha256; d=x; s=y; h=from; bh=; b=; i=@evil.example", "subdomain"),
        ("v=1; a=rsa-sha256; d=x; s=y; h=from; bh=; b=; t=20; x=10", "expires before"),
        ("v=1; a=rsa-sha256; d=x; s=y; h=from; bh=!!; b=", "base64"),
        ("v=2; a=rsa-sha256; d=x; s=y; h=from; bh=; b=", "v= must be 1"),
        ("a=rsa-sha256; d=x; s=y; h=from; bh=; b=", "v= is missing"),
        ("v=1; a=rsa-sha256; d=x; s=y; h=from; bh=; b=; q=http", "query method"),
        ("v=1; a=rsa-sha256; d=x; s=y; h=from; bh=; b=; l=1234567890123", "12 digits"),
    ];
    for (value, want) in cases {
        let err = Signature::parse(value).unwrap_err().0;
        assert!(err.contains(want), "{value}: {err}");
    }
}

proptest::proptest! {
    #[test]
    fn hostile_fields_and_records_never_panic(s in "[ -~\r\n\t]{0,200}", bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..300)) {
        let _ = Signature::parse(&s);
        let _ = KeyRecord::parse(&s);
        let zone = Zone { txt: vec![TxtRecord { name: "s._domainkey.x".into(), text: s.clone() }], ..Zone::default() };
        let field = "DKIM-Signature: v=1; a=ed25519-sha256; d=x; s=s; h=from; bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=; b=AAAA\r\nFrom: a@x\r\n\r\n";
        for v in verify(field.as_bytes(), &zone, 0, &mut Vec::new()) {
            proptest::prop_assert!(v.result != DkimResult::Pass);
            proptest::prop_assert!(!v.reason.is_empty());
        }
        let mut msg = b"DKIM-Signature:".to_vec();
        msg.extend_from_slice(&bytes);
        for v in verify(&msg, &zone, 0, &mut Vec::new()) {
            proptest::prop_assert!(v.result != DkimResult::Pass);
        }
    }
}
