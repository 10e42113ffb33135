//! Fuzz target: bytes split at LF into reply lines through `parse::reply_line` and
//! `parse::reply`; a parsed reply must encode to lines that parse back to the same reply.
#![no_main]

use libfuzzer_sys::fuzz_target;
use smtp_sim::smtp::reply::ReplyLine;
use smtp_sim::smtp::{encode, parse};

fn parse_all(text: &[u8]) -> Option<Vec<ReplyLine>> {
    text.split(|&b| b == b'\n').map(|l| parse::reply_line(l).ok()).collect()
}

fuzz_target!(|data: &[u8]| {
    let Some(lines) = parse_all(data) else { return };
    let Ok(reply) = parse::reply(&lines) else { return };
    let text = encode::reply(&reply);
    let body = text.strip_suffix("\r\n").expect("a reply ends in CRLF");
    let again: Vec<ReplyLine> = body
        .split("\r\n")
        .map(|l| parse::reply_line(l.as_bytes()).unwrap_or_else(|e| panic!("{l:?}: {e}")))
        .collect();
    assert_eq!(parse::reply(&again).as_ref(), Ok(&reply), "{text:?}");
    for l in &lines {
        let one = encode::reply_line(l);
        assert_eq!(parse::reply_line(one.as_bytes()).as_ref(), Ok(l), "{one:?}");
    }
});
