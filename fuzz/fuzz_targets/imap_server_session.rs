//! Fuzz target: arbitrary client bytes through an IMAP `ServerSession` over a store with two
//! accounts and a few messages (one multipart with an attachment), cut into chunks at points
//! derived from the input; STARTTLS and LOGINDISABLED switched by byte 0.
//!
//! Input layout: byte 0 picks the configuration, byte 1 seeds the chunking, the rest is what
//! the client sends. Checks: no panic; output bounded; after `connection_closed` the session
//! is closed, reports `Closed` exactly once, and says nothing more.
#![no_main]

use libfuzzer_sys::fuzz_target;
use smtp_sim::imap::event::ServerEvent;
use smtp_sim::imap::server::{ServerConfig, ServerSession};
use smtp_sim::store::Store;

const MSG: &[u8] = b"From: A <a@example.com>\r\nSubject: x\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\nhi\r\n--b\r\nContent-Type: message/rfc822\r\n\r\nSubject: inner\r\n\r\nbody\r\n--b--\r\n";

fn drain(s: &mut ServerSession, out: &mut usize, closed: &mut usize) {
    while let Some(b) = s.poll_output() {
        assert!(!b.is_empty(), "empty output write");
        *out += b.len();
    }
    while let Some(e) = s.poll_event() {
        if matches!(e, ServerEvent::Closed) {
            *closed += 1;
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let [flags, seed, input @ ..] = data else { return };
    let mut store = Store::new(7);
    for u in ["bob", "eve"] {
        store.create_account(u).unwrap();
        store.deliver(u, MSG, 1_800_000_000).unwrap();
        store.deliver(u, b"Subject: two\r\n\r\nline\r\n", 1_800_000_100).unwrap();
    }
    let accounts = vec![("bob".to_string(), "pw".to_string())];
    let config = ServerConfig { starttls: flags & 1 != 0, login_disabled_without_tls: flags & 2 != 0, max_literal: 4096, max_line: 2048, ..ServerConfig::default() };
    let mut s = ServerSession::new(config);
    let (mut out, mut closed) = (0usize, 0usize);
    drain(&mut s, &mut out, &mut closed);
    let mut state = u32::from(*seed) | 1;
    let mut rest = input;
    let mut calls = 0usize;
    while !rest.is_empty() {
        state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        let n = if state >> 28 == 0 { rest.len() } else { 1 + (state >> 16) as usize % 64 };
        let (chunk, tail) = rest.split_at(n.min(rest.len()));
        s.receive(chunk, &mut store, &accounts, 1_800_000_200);
        if state & 0x100 != 0 {
            s.poll_store(&mut store);
        }
        drain(&mut s, &mut out, &mut closed);
        rest = tail;
        calls += 1;
    }
    // A FETCH of every part of every message of a small store stays small; APPEND can add at
    // most the input's size per message.
    let lines = input.iter().filter(|&&b| b == b'\n').count();
    assert!(out <= 8192 * (lines + calls + 2) + 4 * input.len() * (lines + 1), "{out} output octets for {} input octets", input.len());
    s.connection_closed();
    drain(&mut s, &mut out, &mut closed);
    assert!(s.is_closed());
    assert_eq!(closed, 1, "Closed is reported exactly once");
    s.receive(b"a NOOP\r\n", &mut store, &accounts, 0);
    assert!(s.poll_output().is_none(), "no output after Closed");
});
