//! DKIM signatures made by `sim::dkim` verify with an independent implementation, dkimpy
//! (PyPI, pinned, in a venv under `target/dkim-venv`), and dkimpy's signatures verify here.
//! Needs `python3` with `venv` and, once, PyPI; without them the test fails and names the
//! command to run.

mod common;

use serde_json::{json, Value};
use smtp_sim::sim::dkim::{self, Algorithm, Canon, DkimResult, Key, SignRequest, RECOMMENDED_HEADERS};
use smtp_sim::sim::dns::{TxtRecord, Zone};
use smtp_sim::smtp::base64;

const PACKAGES: &[&str] = &["dkimpy==1.1.8", "PyNaCl==1.6.2"];

const MESSAGE: &str = "From: Alice <alice@example.com>\r\nTo: Bob <bob@example.org>\r\nSubject: Lunch  on\r\n Friday\r\nDate: Thu, 3 Dec 2026 10:00:00 +0000\r\nMessage-ID: <1@example.com>\r\n\r\nSee you at noon.  \r\n\r\n";

fn dkimpy(job: Value) -> Value {
    let py = common::venv("dkim-venv", PACKAGES, "import dkim, nacl");
    let out = common::run(common::command(&py).arg(common::script("dkimcheck.py")).write_stdin(job.to_string()));
    assert!(out.status.success(), "dkimcheck.py failed: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("dkimcheck.py prints JSON")
}

fn signed(key: &Key, canon: Canon) -> Vec<u8> {
    let req = SignRequest {
        domain: "example.com",
        selector: "s1",
        headers: RECOMMENDED_HEADERS,
        header_canon: canon,
        body_canon: canon,
        timestamp: Some(1_796_292_000),
        expires: None,
        length: None,
    };
    let mut msg = dkim::sign(MESSAGE.as_bytes(), key, &req).into_bytes();
    msg.extend_from_slice(MESSAGE.as_bytes());
    msg
}

#[test]
fn our_signatures_verify_with_dkimpy_and_dkimpys_verify_here() {
    let ed = Key::generate(Algorithm::Ed25519Sha256, 11);
    let rsa = Key::generate(Algorithm::RsaSha256, 11);
    let Key::Ed25519(secret) = &ed else { unreachable!("an ed25519 key") };
    let records = |key: &Key| json!({ "s1._domainkey.example.com": key.public_record() });
    let job = json!({
        "verify": [
            { "message": base64::encode(&signed(&ed, Canon::Relaxed)), "records": records(&ed) },
            { "message": base64::encode(&signed(&ed, Canon::Simple)), "records": records(&ed) },
            { "message": base64::encode(&signed(&rsa, Canon::Relaxed)), "records": records(&rsa) },
            { "message": base64::encode(&signed(&rsa, Canon::Simple)), "records": records(&rsa) },
            // A control: tampered after signing, dkimpy must say no too.
            { "message": base64::encode(String::from_utf8(signed(&ed, Canon::Relaxed)).unwrap().replace("noon", "one").as_bytes()), "records": records(&ed) },
        ],
        "sign": [{
            "message": base64::encode(MESSAGE.as_bytes()),
            "domain": "example.com", "selector": "s1",
            "ed25519_secret": base64::encode(&secret.to_bytes()),
            "headers": ["from", "to", "subject", "date", "message-id"],
        }],
    });
    let out = dkimpy(job);
    assert_eq!(out["verify"], json!([[true], [true], [true], [true], [false]]), "dkimpy's verdicts on our signatures");

    let field = base64::decode(out["sign"][0].as_str().unwrap().as_bytes()).unwrap();
    let mut theirs = field.clone();
    theirs.extend_from_slice(MESSAGE.as_bytes());
    let zone = Zone { txt: vec![TxtRecord { name: "s1._domainkey.example.com".into(), text: ed.public_record() }], ..Zone::default() };
    let results = dkim::verify(&theirs, &zone, 1_796_292_000, &mut Vec::new());
    assert_eq!(results.len(), 1, "{}", String::from_utf8_lossy(&field));
    assert_eq!(results[0].result, DkimResult::Pass, "{}: {}", results[0].reason, String::from_utf8_lossy(&field));
}
