//! Fuzz target: any bytes through the POP3 command and status-line parsers; whatever parses
//! must encode to bytes that parse back to the same value ("to bytes and back"), and errors
//! must point inside the line.
#![no_main]

use libfuzzer_sys::fuzz_target;
use smtp_sim::pop3::command::{encode_command, parse_command};
use smtp_sim::pop3::response::{encode_status, parse_status};

fuzz_target!(|data: &[u8]| {
    match parse_command(data) {
        Ok(cmd) => {
            let bytes = encode_command(&cmd);
            let again = parse_command(&bytes[..bytes.len() - 2]).unwrap_or_else(|e| panic!("{bytes:?} does not re-parse: {e}"));
            assert_eq!(again, cmd);
            assert_eq!(encode_command(&again), bytes);
        }
        Err(e) => {
            assert!(e.column >= 1 && e.column <= data.len() + 1, "column {} for {} octets", e.column, data.len());
            assert!(!e.to_string().is_empty());
        }
    }
    if let Ok(status) = parse_status(data) {
        let bytes = encode_status(&status);
        assert_eq!(parse_status(&bytes[..bytes.len() - 2]).as_ref(), Ok(&status));
    }
});
