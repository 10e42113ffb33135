//! Cutting the client's byte stream into command lines, incrementally and with bounded memory:
//! the outcome never depends on where the stream was split.
//!
//! - A command line ends with CRLF (RFC 1939 §3). A bare LF also ends it, so a student typing
//!   into `nc` without `-C` is not stuck; the line is marked `bare_lf` and the server notes it.
//! - Command lines may be 255 octets including CRLF (RFC 2449 §4); a SASL response line after
//!   `+ ` may be longer (RFC 5034 §4 sets no limit; we allow [`MAX_SASL_LINE`]). A longer line
//!   is discarded up to its line end and reported once, so the next line keeps its place.

/// Longest command line, CRLF included (RFC 2449 §4).
pub const MAX_COMMAND_LINE: usize = 255;
/// Longest SASL response line we accept, CRLF included.
pub const MAX_SASL_LINE: usize = 12288;

/// One framed line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Frame {
    /// A line without its line end; `bare_lf`: it ended with LF alone.
    Line { text: Vec<u8>, bare_lf: bool },
    /// A line over the limit: how many octets were discarded (line end included).
    TooLong { octets: usize, limit: usize },
}

/// The incremental framer.
#[derive(Clone, Debug, Default)]
pub struct Framer {
    buf: Vec<u8>,
    /// Octets of an over-long line discarded so far.
    discarding: Option<usize>,
}

impl Framer {
    pub fn new() -> Framer {
        Framer::default()
    }

    /// Append bytes from the client.
    pub fn push(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    /// Octets received but not yet framed.
    pub fn buffered(&self) -> usize {
        self.buf.len()
    }

    /// Drop everything buffered (after STLS: pipelined bytes must not be executed, RFC 2595 §4).
    pub fn clear(&mut self) -> usize {
        let n = self.buf.len();
        self.buf.clear();
        n
    }

    /// The next line, if a whole one is there; `limit` is the longest allowed, CRLF included.
    pub fn next_line(&mut self, limit: usize) -> Option<Frame> {
        match self.buf.iter().position(|&b| b == b'\n') {
            Some(lf) => {
                let line: Vec<u8> = self.buf.drain(..=lf).collect();
                if let Some(n) = self.discarding.take() {
                    return Some(Frame::TooLong { octets: n + line.len(), limit });
                }
                let crlf = line.len() >= 2 && line[line.len() - 2] == b'\r';
                let text = line[..line.len() - if crlf { 2 } else { 1 }].to_vec();
                if text.len() + 2 > limit {
                    return Some(Frame::TooLong { octets: line.len(), limit });
                }
                Some(Frame::Line { text, bare_lf: !crlf })
            }
            None => {
                // Keep at most one line's worth; a trailing CR may be half of a CRLF.
                if self.discarding.is_some() || self.buf.len() > limit {
                    let keep = usize::from(self.buf.last() == Some(&b'\r'));
                    let drop = self.buf.len() - keep;
                    *self.discarding.get_or_insert(0) += drop;
                    self.buf.drain(..drop);
                }
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_bare_lf_and_too_long() {
        let mut f = Framer::new();
        f.push(b"STAT\r\nNOOP\nRE");
        assert_eq!(f.next_line(255), Some(Frame::Line { text: b"STAT".to_vec(), bare_lf: false }));
        assert_eq!(f.next_line(255), Some(Frame::Line { text: b"NOOP".to_vec(), bare_lf: true }));
        assert_eq!(f.next_line(255), None);
        f.push(&[b'x'; 600]);
        assert_eq!(f.next_line(255), None);
        assert!(f.buffered() <= 255);
        f.push(b"\r\nQUIT\r\n");
        assert_eq!(f.next_line(255), Some(Frame::TooLong { octets: 604, limit: 255 }));
        assert_eq!(f.next_line(255), Some(Frame::Line { text: b"QUIT".to_vec(), bare_lf: false }));
        // 253 octets + CRLF = 255: allowed; one more is not.
        f.push(&[b'a'; 253]);
        f.push(b"\r\n");
        assert!(matches!(f.next_line(255), Some(Frame::Line { .. })));
        f.push(&[b'a'; 254]);
        f.push(b"\r\n");
        assert_eq!(f.next_line(255), Some(Frame::TooLong { octets: 256, limit: 255 }));
    }
}
