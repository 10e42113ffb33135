//! Fuzz target: arbitrary client bytes through a POP3 `ServerSession`, cut into chunks at
//! points derived from the input, against a maildrop of three messages (one with lines that
//! start with a dot) that knows one password and sometimes refuses the lock or the UPDATE.
//!
//! Input layout: byte 0 picks the configuration (APOP, STLS, USER/PASS, AUTH PLAIN, the lock
//! and UPDATE refusals), byte 1 seeds the chunking, the rest is what the client sends.
//! Checks: no panic; output bounded by the input (one response per line, each at most a
//! message plus its stuffing); the lock is released when the session ends, however it ends;
//! messages are removed only by an UPDATE that was answered; after `connection_closed` the
//! session is closed, reports `Closed` exactly once, and says nothing more.
#![no_main]

use std::sync::Arc;

use libfuzzer_sys::fuzz_target;
use smtp_sim::pop3::catalogue::{self as cat, ResponseSpec};
use smtp_sim::pop3::event::ServerEvent;
use smtp_sim::pop3::server::{DropMessage, Maildrop, ServerConfig, ServerSession};

const MESSAGES: [&[u8]; 3] = [b"Subject: a\r\n\r\nbody\r\n", b"Subject: b\r\n\r\n.\r\n..\r\n.x\r\n", b"no header or body separator"];

struct FuzzDrop {
    flags: u8,
    locked: bool,
    removed: usize,
}

impl Maildrop for FuzzDrop {
    fn check_password(&mut self, user: &str, password: &str) -> bool {
        user == "bob" && password == "secret"
    }
    fn apop_secret(&mut self, user: &str) -> Option<String> {
        (user == "bob").then(|| "secret".into())
    }
    fn open(&mut self, _user: &str) -> Result<Vec<DropMessage>, &'static ResponseSpec> {
        if self.flags & 16 != 0 || self.locked {
            return Err(&cat::IN_USE);
        }
        self.locked = true;
        Ok(MESSAGES.iter().enumerate().map(|(i, m)| DropMessage { uid: i as u32 + 1, unique_id: format!("1.{}", i + 1), bytes: Arc::from(*m) }).collect())
    }
    fn update(&mut self, _user: &str, deleted: &[DropMessage]) -> Result<(), &'static ResponseSpec> {
        if self.flags & 32 != 0 {
            return Err(&cat::UPDATE_FAILED);
        }
        self.removed += deleted.len();
        Ok(())
    }
    fn close(&mut self, _user: &str) {
        assert!(self.locked, "close without open");
        self.locked = false;
    }
}

fn drain(s: &mut ServerSession, out: &mut usize, closed: &mut usize, removed: &mut usize) {
    while let Some(b) = s.poll_output() {
        assert!(!b.is_empty(), "empty output write");
        *out += b.len();
    }
    while let Some(e) = s.poll_event() {
        match e {
            ServerEvent::Closed => *closed += 1,
            ServerEvent::MessagesRemoved { unique_ids } => *removed += unique_ids.len(),
            _ => {}
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let [flags, seed, input @ ..] = data else { return };
    let config = ServerConfig {
        hostname: "pop.example.org".into(),
        apop_timestamp: (flags & 1 != 0).then(|| "<1.2@pop.example.org>".into()),
        stls: flags & 2 != 0,
        user_pass: flags & 4 == 0,
        sasl_plain: flags & 8 == 0,
        max_errors: 10,
    };
    let mut s = ServerSession::new(config);
    let mut drop = FuzzDrop { flags: *flags, locked: false, removed: 0 };
    let (mut out, mut closed, mut removed) = (0usize, 0usize, 0usize);
    drain(&mut s, &mut out, &mut closed, &mut removed);
    let mut state = u32::from(*seed) | 1;
    let mut rest = input;
    let mut calls = 0usize;
    while !rest.is_empty() {
        state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        let n = if state >> 28 == 0 { rest.len() } else { 1 + (state >> 16) as usize % 64 };
        let (chunk, tail) = rest.split_at(n.min(rest.len()));
        s.receive(chunk, &mut drop);
        drain(&mut s, &mut out, &mut closed, &mut removed);
        rest = tail;
        calls += 1;
    }
    let lines = input.iter().filter(|&&b| b == b'\n').count();
    assert!(out <= 1024 * (lines + calls + 2), "{out} output octets for {lines} lines");
    s.connection_closed(&mut drop);
    drain(&mut s, &mut out, &mut closed, &mut removed);
    assert!(s.is_closed(), "the session must end when the connection does");
    assert_eq!(closed, 1, "Closed is reported exactly once");
    assert!(!drop.locked, "the maildrop lock must be released");
    assert_eq!(removed, drop.removed, "only an UPDATE removes messages");
    s.receive(b"NOOP\r\n", &mut drop);
    assert!(s.poll_output().is_none(), "no output after Closed");
});
