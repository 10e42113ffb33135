//! Fuzz the share-link decoder: any text must give a state or a plain error, never a panic,
//! and a state that decodes must survive encode → decode unchanged.
#![no_main]

use libfuzzer_sys::fuzz_target;
use smtp_sim::share::{decode, encode, VERSION};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    // The raw text and the text behind the current and the older (v1) prefix, so the fuzzer
    // need not discover "v2." before it reaches the payload parser (v2 payloads hold postcard).
    for link in [text.to_string(), format!("v1.{text}"), format!("v{VERSION}.{text}")] {
        if let Ok(state) = decode(&link) {
            // encode writes the current version, whichever version the link was in.
            let current = smtp_sim::share::ShareState { version: VERSION, ..state };
            assert_eq!(decode(&encode(&current)).as_ref(), Ok(&current));
        }
    }
});
