//! Fuzz target: hostile DKIM and DMARC input (issue 15). The first line of the input is read as a
//! tag list (RFC 6376 §3.2), a `DKIM-Signature:` value, a key record and a DMARC record; the rest
//! is a message checked against a zone whose key record is the first line. Nothing may panic, a
//! tag's span must point into the text, and every verdict has a reason and a `pass` follows a key lookup.
#![no_main]

use libfuzzer_sys::fuzz_target;
use smtp_sim::sim::dkim::{self, DkimResult};
use smtp_sim::sim::dmarc;
use smtp_sim::sim::dns::{TxtRecord, Zone};

fuzz_target!(|data: &[u8]| {
    let (first, rest) = match data.iter().position(|&b| b == b'\n') {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[][..]),
    };
    let Ok(line) = core::str::from_utf8(first) else { return };
    if let Ok(tags) = dkim::parse_tag_list(line) {
        for t in &tags {
            assert!(t.span.0 <= t.span.1 && t.span.1 <= line.len(), "{t:?} outside {line:?}");
        }
    }
    let _ = dkim::Signature::parse(line);
    let _ = dkim::KeyRecord::parse(line);
    let _ = dmarc::Record::parse(line);
    let _ = dkim::explain_tags(line);
    let zone = Zone { txt: vec![TxtRecord { name: "s._domainkey.example.com".into(), text: line.into() }], ..Zone::default() };
    let mut lookups = Vec::new();
    for v in dkim::verify(rest, &zone, 1_800_000_000, &mut lookups) {
        assert!(!v.reason.is_empty(), "a verdict without a reason: {v:?}");
        assert!(v.result != DkimResult::Pass || lookups.iter().any(|l| l.name.contains("_domainkey")), "a pass without a key lookup: {v:?}");
    }
    let _ = dmarc::from_domain(rest);
});
