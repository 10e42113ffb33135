//! Cutting the IMAP byte stream into units: a line up to CRLF, *plus* every literal it
//! announces (`{n}` CRLF and then exactly `n` octets, RFC 9051 §4.3), plus the rest of the
//! line after the literal, and so on. Both sides use it: the server for commands, the client
//! for responses.
//!
//! A synchronizing literal `{n}` must be invited: the framer reports
//! [`Frame::LiteralWanted`] and the server answers `+` before the client sends the octets
//! (RFC 9051 §7.5). `{n+}` (RFC 7888 LITERAL+) needs no invitation. Memory stays bounded: a line
//! without CRLF longer than `max_line`, or a literal larger than `max_literal`, is refused and
//! skipped, never buffered.

use std::collections::VecDeque;

/// What the framer found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Frame {
    /// A complete unit without its final CRLF (literals inline, with their `{n}` CRLF).
    Unit(Vec<u8>),
    /// A synchronizing literal of this many octets was announced; the peer waits for `+`.
    LiteralWanted { octets: u64 },
    /// A literal over the limit: the unit up to the announcement is dropped. For `{n}` the peer
    /// sends nothing until invited, so the next line is a new command; for `{n+}` the octets are
    /// skipped.
    LiteralTooLarge { head: Vec<u8>, octets: u64, synchronizing: bool },
    /// A line over the limit (no CRLF within it): skipped up to the next CRLF.
    LineTooLong { head: Vec<u8> },
}

/// The stream splitter.
#[derive(Clone, Debug)]
pub struct Framer {
    buf: Vec<u8>,
    /// How far `buf` is scanned into the current unit.
    pos: usize,
    /// Octets of the current literal still to come.
    literal: Option<usize>,
    /// Octets to throw away (a refused `{n+}` literal).
    skip: u64,
    /// Throwing away the rest of an over-long line.
    discarding: bool,
    max_line: usize,
    max_literal: u64,
    pending: VecDeque<Frame>,
}

impl Framer {
    /// `max_line`: longest line outside literals; `max_literal`: largest literal (APPEND size).
    pub fn new(max_line: usize, max_literal: u64) -> Self {
        Framer { buf: Vec::new(), pos: 0, literal: None, skip: 0, discarding: false, max_line, max_literal, pending: VecDeque::new() }
    }

    pub fn push(&mut self, mut bytes: &[u8]) {
        if self.skip > 0 {
            let n = (bytes.len() as u64).min(self.skip) as usize;
            self.skip -= n as u64;
            bytes = &bytes[n..];
        }
        self.buf.extend_from_slice(bytes);
    }

    /// Octets buffered but not yet returned in a unit.
    pub fn buffered(&self) -> usize {
        self.buf.len()
    }

    /// The buffered bytes, taken out (STARTTLS: what was pipelined after it is dropped).
    pub fn take_rest(&mut self) -> Vec<u8> {
        self.pos = 0;
        self.literal = None;
        std::mem::take(&mut self.buf)
    }

    /// The next plain line (no literal processing), for AUTHENTICATE responses and IDLE's DONE.
    pub fn next_line(&mut self) -> Option<Vec<u8>> {
        let k = self.buf.windows(2).position(|w| w == b"\r\n")?;
        let line = self.buf[..k].to_vec();
        self.buf.drain(..k + 2);
        self.pos = 0;
        self.literal = None;
        Some(line)
    }

    /// The next frame, if the buffer holds one.
    pub fn next_frame(&mut self) -> Option<Frame> {
        if let Some(f) = self.pending.pop_front() {
            return Some(f);
        }
        loop {
            if let Some(n) = self.literal {
                if self.buf.len() - self.pos < n {
                    return None;
                }
                self.pos += n;
                self.literal = None;
            }
            let from = self.pos;
            let Some(k) = self.buf[from..].windows(2).position(|w| w == b"\r\n").map(|k| from + k) else {
                if self.buf.len() - from > self.max_line {
                    let head = self.buf[..self.buf.len().min(200)].to_vec();
                    self.buf.clear();
                    self.pos = 0;
                    self.discarding = true;
                    return Some(Frame::LineTooLong { head });
                }
                return None;
            };
            if self.discarding {
                self.buf.drain(..k + 2);
                self.pos = 0;
                self.discarding = false;
                continue;
            }
            if k - from > self.max_line {
                let head = self.buf[..k.min(200)].to_vec();
                self.buf.drain(..k + 2);
                self.pos = 0;
                return Some(Frame::LineTooLong { head });
            }
            match literal_announced(&self.buf[from..k]) {
                Some((octets, synchronizing)) => {
                    if octets > self.max_literal {
                        let head = self.buf[..k].to_vec();
                        self.buf.drain(..k + 2);
                        self.pos = 0;
                        if !synchronizing {
                            self.skip = octets;
                            let n = (self.buf.len() as u64).min(self.skip) as usize;
                            self.skip -= n as u64;
                            self.buf.drain(..n);
                        }
                        return Some(Frame::LiteralTooLarge { head, octets, synchronizing });
                    }
                    self.pos = k + 2;
                    self.literal = Some(octets as usize);
                    if synchronizing {
                        return Some(Frame::LiteralWanted { octets });
                    }
                }
                None => {
                    let unit = self.buf[..k].to_vec();
                    self.buf.drain(..k + 2);
                    self.pos = 0;
                    return Some(Frame::Unit(unit));
                }
            }
        }
    }
}

/// `{n}` or `{n+}` at the end of a line: the literal's size and whether it is synchronizing.
fn literal_announced(line: &[u8]) -> Option<(u64, bool)> {
    let body = line.strip_suffix(b"}")?;
    let open = body.iter().rposition(|&b| b == b'{')?;
    let inner = &body[open + 1..];
    let (digits, sync) = match inner.strip_suffix(b"+") {
        Some(d) => (d, false),
        None => (inner, true),
    };
    if digits.is_empty() || digits.len() > 19 || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(digits).ok()?.parse::<u64>().ok().map(|n| (n, sync))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_in_the_middle() {
        let mut f = Framer::new(100, 100);
        f.push(b"a1 LOGIN {5}\r\n");
        assert_eq!(f.next_frame(), Some(Frame::LiteralWanted { octets: 5 }));
        assert_eq!(f.next_frame(), None);
        f.push(b"al\r\nc {3+}\r\npw!\r\nb2 NOOP\r\n");
        assert_eq!(f.next_frame(), Some(Frame::Unit(b"a1 LOGIN {5}\r\nal\r\nc {3+}\r\npw!".to_vec())));
        assert_eq!(f.next_frame(), Some(Frame::Unit(b"b2 NOOP".to_vec())));
        assert_eq!(f.next_frame(), None);
    }

    #[test]
    fn limits() {
        let mut f = Framer::new(20, 4);
        f.push(b"a APPEND x {5}\r\nb NOOP\r\n");
        assert!(matches!(f.next_frame(), Some(Frame::LiteralTooLarge { octets: 5, synchronizing: true, .. })));
        assert_eq!(f.next_frame(), Some(Frame::Unit(b"b NOOP".to_vec())));
        f.push(b"a APPEND {5+}\r\nhello");
        assert!(matches!(f.next_frame(), Some(Frame::LiteralTooLarge { synchronizing: false, .. })));
        f.push(b"c NOOP\r\n");
        assert_eq!(f.next_frame(), Some(Frame::Unit(b"c NOOP".to_vec())));
        f.push(&[b'x'; 50]);
        assert!(matches!(f.next_frame(), Some(Frame::LineTooLong { .. })));
        f.push(b"xxx\r\nd NOOP\r\n");
        assert_eq!(f.next_frame(), Some(Frame::Unit(b"d NOOP".to_vec())));
    }
}
