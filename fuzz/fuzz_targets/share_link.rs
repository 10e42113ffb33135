//! Fuzz the share-link decoder: any text must give a state or a plain error, never a panic,
//! and a state that decodes must survive encode → decode unchanged.
#![no_main]

use libfuzzer_sys::fuzz_target;
use smtp_sim::share::{decode, encode};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    // Both the raw text and the text behind the current prefix, so the fuzzer need not
    // discover "v1." before it reaches the payload parser.
    for link in [text.to_string(), format!("v1.{text}")] {
        if let Ok(state) = decode(&link) {
            assert_eq!(decode(&encode(&state)).as_ref(), Ok(&state));
        }
    }
});
