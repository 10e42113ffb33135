//! Fuzz target: any bytes through `parse::command`; whatever parses must encode to text that
//! parses back to the same command ("to bytes and back"), and encode canonically.
#![no_main]

use libfuzzer_sys::fuzz_target;
use smtp_sim::smtp::{encode, parse};

fuzz_target!(|data: &[u8]| {
    if let Ok(cmd) = parse::command(data) {
        let text = encode::command(&cmd);
        let again = parse::command(text.as_bytes())
            .unwrap_or_else(|e| panic!("{text:?} does not re-parse: {e}"));
        assert_eq!(again, cmd, "{text:?}");
        assert_eq!(encode::command(&again), text);
    } else if let Err(e) = parse::command(data) {
        // Errors point inside the line and can be shown.
        assert!(e.offset <= data.len());
        let _ = e.to_string();
    }
});
