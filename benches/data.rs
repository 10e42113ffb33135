//! DATA scanning benchmark: `smtp::data::DataReader` (end-of-data detection, dot-unstuffing,
//! line-length, bare CR/LF and 8-bit accounting) on a 64 MiB message, against smtp-proto's
//! `DataReceiver` (end of data and unstuffing only, memchr-based).
//!
//! Run: `cargo bench --bench data` (`DATA_MIB=n` changes the size, `DATA_ROUNDS=n` the rounds).
//!
//! The message is realistic text: header lines, then paragraphs of 20–120 octet lines with
//! some UTF-8, about 1 line in 20 starting with a dot (stuffed on the wire), ending in
//! `CRLF . CRLF`. Each reader gets it in 64 KiB reads (what a socket hands over) and in one
//! slice; both must produce the same unstuffed message. GB/s = wire octets / best time.

use std::hint::black_box;
use std::time::Instant;

use smtp_sim::smtp::data::{dot_stuff, DataReader};

struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

/// The message as the client writes it (CRLF lines), before dot-stuffing.
fn message(bytes: usize) -> Vec<u8> {
    const WORDS: [&str; 20] = [
        "the",
        "message",
        "server",
        "relay",
        "queue",
        "report",
        "Grüße",
        "naïve",
        "budget",
        "and",
        "of",
        "to",
        "mailbox",
        "delivery",
        "status",
        "notification",
        "for",
        "über",
        "with",
        "café",
    ];
    let mut rng = Lcg(5321);
    let mut m = Vec::with_capacity(bytes + 256);
    m.extend_from_slice(b"From: Alice <alice@example.com>\r\nTo: Bob <bob@example.org>\r\nSubject: A long report\r\n");
    m.extend_from_slice(b"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n");
    while m.len() < bytes {
        if rng.next(20) == 0 {
            m.push(b'.');
        }
        let target = 20 + rng.next(100) as usize;
        let start = m.len();
        while m.len() - start < target {
            m.extend_from_slice(WORDS[rng.next(WORDS.len() as u64) as usize].as_bytes());
            m.push(b' ');
        }
        m.extend_from_slice(b"\r\n");
        if rng.next(8) == 0 {
            m.extend_from_slice(b"\r\n");
        }
    }
    m
}

fn ours(wire: &[u8], read: usize, out: &mut Vec<u8>) -> usize {
    out.clear();
    let mut r = DataReader::new(usize::MAX);
    let mut consumed = 0;
    for chunk in wire.chunks(read) {
        let fed = r.feed(chunk, out);
        consumed += fed.consumed;
        if fed.done {
            break;
        }
    }
    assert!(r.is_done());
    consumed
}

fn theirs(wire: &[u8], read: usize, out: &mut Vec<u8>) -> usize {
    out.clear();
    let mut r = smtp_proto::request::receiver::DataReceiver::new();
    let mut consumed = 0;
    for chunk in wire.chunks(read) {
        let mut it = chunk.iter();
        let done = r.ingest(&mut it, out);
        consumed += chunk.len() - it.as_slice().len();
        if done {
            break;
        }
    }
    consumed
}

fn main() {
    let mib: usize = std::env::var("DATA_MIB").ok().and_then(|v| v.parse().ok()).unwrap_or(64);
    let rounds: usize = std::env::var("DATA_ROUNDS").ok().and_then(|v| v.parse().ok()).unwrap_or(10);
    let plain = message(mib << 20);
    let wire = dot_stuff(&plain); // with the `.CRLF` end marker
    let stuffed = wire.windows(3).filter(|w| w == b"\n..").count();
    println!(
        "message: {} octets on the wire ({} MiB), {} lines, {} dot-stuffed",
        wire.len(),
        wire.len() >> 20,
        plain.iter().filter(|&&b| b == b'\n').count(),
        stuffed
    );

    let mut a = Vec::with_capacity(wire.len());
    let mut b = Vec::with_capacity(wire.len());
    assert_eq!(ours(&wire, 1 << 16, &mut a), wire.len());
    assert_eq!(theirs(&wire, 1 << 16, &mut b), wire.len());
    assert_eq!(a, plain, "our reader must return the message unstuffed");
    assert_eq!(b, plain, "smtp-proto must return the message unstuffed");

    println!();
    println!("| reader                                 | read size |  GB/s |");
    println!("|----------------------------------------|----------:|------:|");
    for read in [1 << 16, wire.len()] {
        let mut best = [f64::INFINITY; 2];
        for _ in 0..rounds {
            // Turns alternate so that load elsewhere on the machine hurts both alike.
            let t = Instant::now();
            black_box(ours(black_box(&wire), read, &mut a));
            best[0] = best[0].min(t.elapsed().as_secs_f64());
            let t = Instant::now();
            black_box(theirs(black_box(&wire), read, &mut b));
            best[1] = best[1].min(t.elapsed().as_secs_f64());
        }
        let size = if read == wire.len() { "all".to_string() } else { format!("{} KiB", read >> 10) };
        let gbs = |s: f64| wire.len() as f64 / s / 1e9;
        println!("| smtp-sim DataReader::feed              | {size:>9} | {:>5.2} |", gbs(best[0]));
        println!("| smtp-proto DataReceiver::ingest        | {size:>9} | {:>5.2} |", gbs(best[1]));
    }
    println!();
    println!("GB/s = 10^9 wire octets per second, best of {rounds} rounds; output buffers are reused.");
}
