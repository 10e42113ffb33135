//! Fuzz target: any bytes through the IMAP parsers (`parse::command`, `parse::response`);
//! whatever parses must encode to bytes that parse back to the same value ("to bytes and
//! back"), and encode canonically. Errors must point inside the input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use smtp_sim::imap::{encode, parse};

fuzz_target!(|data: &[u8]| {
    match parse::command(data) {
        Ok(cmd) => {
            let bytes = encode::command(&cmd);
            let unit = bytes.strip_suffix(b"\r\n").expect("a command ends with CRLF");
            let again = parse::command(unit).unwrap_or_else(|e| panic!("{:?} does not re-parse: {e}", String::from_utf8_lossy(unit)));
            assert_eq!(again, cmd);
            assert_eq!(encode::command(&again), bytes);
        }
        Err(e) => assert!(e.column <= data.len()),
    }
    match parse::response(data) {
        Ok(r) => {
            let bytes = encode::response(&r);
            let again = parse::response(bytes.strip_suffix(b"\r\n").expect("CRLF")).unwrap_or_else(|e| panic!("{:?} does not re-parse: {e}", String::from_utf8_lossy(&bytes)));
            assert_eq!(encode::response(&again), bytes);
        }
        Err(e) => assert!(e.column <= data.len()),
    }
});
