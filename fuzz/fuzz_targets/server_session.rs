//! Fuzz target: arbitrary client bytes through a `ServerSession`, cut into chunks at points
//! derived from the input, with a policy that accepts some things and refuses others and with
//! AUTH, STARTTLS, CHUNKING (BDAT), SMTPUTF8 and DSN offered.
//!
//! Input layout: byte 0 picks the configuration (pipelining, TLS/AUTH required, VRFY, small
//! size limit, strictness), byte 1 seeds the chunking, the rest is what the client sends.
//! Checks: no panic; output bounded by the input (a reply per line at most, each of bounded
//! size); after the input and `connection_closed` the session is closed, reports `Closed`
//! exactly once at the end, and has nothing more to say. A hang shows up as a libFuzzer timeout.
#![no_main]

use libfuzzer_sys::fuzz_target;
use smtp_sim::smtp::address::{ForwardPath, Host, LocalPart, ReversePath};
use smtp_sim::smtp::catalogue as cat;
use smtp_sim::smtp::command::{MailParams, RcptParams};
use smtp_sim::smtp::event::{Envelope, ServerEvent};
use smtp_sim::smtp::server::{Extensions, Policy, ServerConfig, ServerSession, SessionInfo, Strictness, Verdict, VrfyMode};

/// Accepts `example.org` mailboxes except `nobody*`, refuses relaying elsewhere unless
/// authenticated, greylists `grey*`, refuses messages containing "SPAM", knows one password.
struct FuzzPolicy;

impl Policy for FuzzPolicy {
    fn helo(&mut self, name: &Host, _: &SessionInfo) -> Verdict {
        if name.to_string().starts_with("bad") { Verdict::Reject(&cat::POLICY_REJECTED) } else { Verdict::Accept }
    }
    fn mail_from(&mut self, from: &ReversePath, _: &MailParams, _: &SessionInfo) -> Verdict {
        match from {
            ReversePath::Path(p) if p.mailbox.host.to_string() == "spam.example" => Verdict::Reject(&cat::SENDER_REJECTED),
            _ => Verdict::Accept,
        }
    }
    fn rcpt_to(&mut self, to: &ForwardPath, _: &RcptParams, info: &SessionInfo) -> Verdict {
        let ForwardPath::Path(p) = to else { return Verdict::Accept };
        let local = match &p.mailbox.local {
            LocalPart::Dot(s) | LocalPart::Quoted(s) => s.to_ascii_lowercase(),
        };
        if p.mailbox.host.to_string().to_ascii_lowercase() != "example.org" {
            return if info.auth_user.is_some() { Verdict::Accept } else { Verdict::Reject(&cat::RELAY_DENIED) };
        }
        if local.starts_with("nobody") {
            Verdict::Reject(&cat::UNKNOWN_USER)
        } else if local.starts_with("grey") {
            Verdict::Reject(&cat::GREYLISTED)
        } else if local.starts_with("full") {
            Verdict::Reject(&cat::MAILBOX_FULL_TEMP)
        } else {
            Verdict::Accept
        }
    }
    fn authenticate(&mut self, _: &str, _: &str, user: &str, password: &str) -> bool {
        user == "alice" && password == "secret"
    }
    fn data(&mut self, _: &Envelope, message: &[u8], _: &SessionInfo) -> Verdict {
        if message.windows(4).any(|w| w == b"SPAM") { Verdict::Reject(&cat::POLICY_REJECTED) } else { Verdict::Accept }
    }
}

fn config(flags: u8) -> ServerConfig {
    ServerConfig {
        hostname: "mx.example.org".into(),
        extensions: Extensions {
            pipelining: flags & 1 != 0,
            smtputf8: true,
            dsn: true,
            chunking: true,
            auth_plain: true,
            auth_login: true,
            starttls: true,
            ..Extensions::default()
        },
        require_auth: flags & 2 != 0,
        require_tls: flags & 4 != 0,
        vrfy: if flags & 8 != 0 { VrfyMode::Disabled } else { VrfyMode::CannotVerify },
        max_message_size: if flags & 16 != 0 { 200 } else { 10 * 1024 * 1024 },
        bare_line_ends: if flags & 32 != 0 { Strictness::Accept } else { Strictness::Reject },
        long_lines: if flags & 64 != 0 { Strictness::Reject } else { Strictness::Accept },
        max_recipients: if flags & 128 != 0 { 3 } else { 100 },
        ..ServerConfig::default()
    }
}

/// Drains output and events; returns (output bytes, events, saw Closed).
fn drain(s: &mut ServerSession, out: &mut usize, events: &mut usize, closed: &mut usize) {
    while let Some(b) = s.poll_output() {
        assert!(!b.is_empty(), "empty output write");
        *out += b.len();
    }
    while let Some(e) = s.poll_event() {
        *events += 1;
        if matches!(e, ServerEvent::Closed) {
            *closed += 1;
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let [flags, seed, input @ ..] = data else { return };
    let mut s = ServerSession::new(config(*flags)).with_peer("client.example [192.0.2.1]");
    let mut policy = FuzzPolicy;
    let (mut out, mut events, mut closed) = (0usize, 0usize, 0usize);
    drain(&mut s, &mut out, &mut events, &mut closed);
    // Chunk sizes from a small LCG seeded by the input: 1..=64 bytes, sometimes everything.
    let mut state = u32::from(*seed) | 1;
    let mut rest = input;
    let mut calls = 0usize;
    while !rest.is_empty() {
        state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        let n = if state >> 28 == 0 { rest.len() } else { 1 + (state >> 16) as usize % 64 };
        let (chunk, tail) = rest.split_at(n.min(rest.len()));
        s.receive(chunk, &mut policy);
        drain(&mut s, &mut out, &mut events, &mut closed);
        rest = tail;
        calls += 1;
    }
    // Bounded output: at most one reply per line (or per chunk boundary that completes a BDAT
    // chunk), and no reply is longer than an EHLO list or an error quoting a 512-octet line.
    let lines = input.iter().filter(|&&b| b == b'\n').count();
    let bound = 1024 * (lines + calls + 2);
    assert!(out <= bound, "{out} output octets for {} input octets ({lines} lines)", input.len());
    assert!(events <= 8 * (lines + calls + 2) + 4, "{events} events for {lines} lines");
    s.connection_closed();
    drain(&mut s, &mut out, &mut events, &mut closed);
    assert!(s.is_closed(), "the session must end when the connection does");
    assert_eq!(closed, 1, "Closed is reported exactly once");
    s.receive(b"NOOP\r\n", &mut policy);
    assert!(s.poll_output().is_none(), "no output after Closed");
});
