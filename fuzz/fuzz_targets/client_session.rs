//! Fuzz target: arbitrary server replies to a `ClientSession` that has two transactions to send
//! (one with a dot-stuffing message and two recipients, one with a bounce's null sender).
//!
//! Input layout: byte 0 picks the client configuration (STARTTLS, credentials PLAIN/LOGIN,
//! BDAT preferred with small chunks, pipelining), byte 1 seeds the chunking, the rest is what
//! the server says. Checks: no panic; output bounded by the replies received; after
//! `connection_closed` the session is finished and has reported `Finished` exactly once with one
//! outcome per recipient.
#![no_main]

use libfuzzer_sys::fuzz_target;
use smtp_sim::smtp::client::{ClientConfig, ClientSession, Credentials, Transaction};
use smtp_sim::smtp::event::ClientEvent;

fn config(flags: u8) -> ClientConfig {
    ClientConfig {
        hostname: "client.example".into(),
        starttls: flags & 1 != 0,
        credentials: (flags & 2 != 0).then(|| Credentials {
            user: "alice".into(),
            password: "secret".into(),
            mechanism: if flags & 4 != 0 { "LOGIN".into() } else { "PLAIN".into() },
        }),
        prefer_chunking: flags & 8 != 0,
        chunk_size: if flags & 16 != 0 { 7 } else { 64 * 1024 },
        pipelining: flags & 32 != 0,
    }
}

const MESSAGE: &[u8] = b"Subject: test\r\n\r\n.leading dot\r\nline two\n.\r\nend";

fn drain(c: &mut ClientSession, out: &mut usize, finished: &mut usize) {
    while let Some(b) = c.poll_output() {
        *out += b.len();
    }
    while let Some(e) = c.poll_event() {
        if let ClientEvent::Finished { outcomes } = e {
            *finished += 1;
            assert_eq!(outcomes.len(), 2, "one outcome list per transaction");
            assert_eq!(outcomes[0].len(), 2);
            assert_eq!(outcomes[1].len(), 1);
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let [flags, seed, input @ ..] = data else { return };
    let txs = vec![
        Transaction::new("alice@example.com", &["bob@example.org", "carol@example.net"], MESSAGE.to_vec()).unwrap(),
        Transaction::new("", &["postmaster@example.org"], b"bounce\r\n".to_vec()).unwrap(),
    ];
    let mut c = ClientSession::new(config(*flags), txs);
    let (mut out, mut finished) = (0usize, 0usize);
    drain(&mut c, &mut out, &mut finished);
    let mut state = u32::from(*seed) | 1;
    let mut rest = input;
    while !rest.is_empty() {
        state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        let n = if state >> 28 == 0 { rest.len() } else { 1 + (state >> 16) as usize % 64 };
        let (chunk, tail) = rest.split_at(n.min(rest.len()));
        c.receive(chunk);
        drain(&mut c, &mut out, &mut finished);
        rest = tail;
    }
    // Each reply line moves the client at most one step: a few commands, or a message.
    let lines = input.iter().filter(|&&b| b == b'\n').count();
    let bound = (lines + 1) * (2 * MESSAGE.len() + 2048);
    assert!(out <= bound, "{out} output octets for {lines} reply lines");
    assert!(finished <= 1);
    c.connection_closed();
    drain(&mut c, &mut out, &mut finished);
    assert!(c.is_finished(), "the session is over once the connection is");
    assert_eq!(finished, 1, "Finished is reported exactly once");
    c.receive(b"250 OK\r\n");
    assert!(c.poll_output().is_none(), "no output after the end");
});
