//! Framing: cutting the byte stream into command lines, reading the message after DATA
//! (end-of-data detection and dot-unstuffing), counting BDAT chunks, and dot-stuffing on the
//! client side.
//!
//! Everything here is incremental: bytes may arrive split at any point, or many commands at
//! once, and the outcome never depends on where the stream was cut. Nothing here allocates
//! without bound on hostile input: an endless command line is discarded past 512 octets, and
//! message storage stops at a caller-chosen cap while the scanning goes on.
//!
//! # Decisions (documented for teachers)
//!
//! - **Command lines end with CRLF** (RFC 5321 §2.3.8). A bare LF also ends the line — so a
//!   student typing into `nc` without `-C` is not stuck forever — but the line is reported as
//!   [`Frame::BareLf`] and the server refuses it without executing it (500 5.5.2). A bare CR
//!   stays inside the line (the parser then rejects the line).
//! - **Command line limit**: 512 octets including CRLF (RFC 5321 §4.5.3.1.4). Longer lines are
//!   discarded up to the next line end and reported as [`Frame::TooLong`] at that point, so the
//!   reply keeps its place in a pipelined sequence.
//! - **End of data** is only `CRLF . CRLF` where the first CRLF really ended a line (RFC 5321
//!   §4.1.1.4). A bare LF or bare CR never starts a new line for this purpose, so `\n.\n`,
//!   `\r.\r`, `\r\n.\n` and `\n.\r\n` never end data (the "SMTP smuggling" gap).
//! - **Text lines over 1000 octets** (RFC 5321 §4.5.3.1.6) are counted, not cut; the server
//!   decides at the end of data (a reply can only come after the end of data anyway).

/// Maximum command line length including CRLF (RFC 5321 §4.5.3.1.4).
pub const MAX_COMMAND_LINE: usize = 512;
/// Maximum AUTH command and AUTH response line length including CRLF (RFC 4954 §4).
pub const MAX_AUTH_LINE: usize = 12288;
/// Maximum text line length including CRLF, not counting a stuffing dot (RFC 5321 §4.5.3.1.6).
pub const MAX_TEXT_LINE: usize = 1000;

/// One framed command line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Frame {
    /// A line that ended with CRLF; the CRLF is not included.
    Line(Vec<u8>),
    /// A line that ended with a bare LF (no CR before it); the LF is not included.
    /// RFC 5321 §2.3.8: lines end with CRLF only.
    BareLf(Vec<u8>),
    /// A line longer than [`MAX_COMMAND_LINE`] octets; `octets` counts everything discarded
    /// including its line end, `head` keeps the first few octets so a teacher can see what it was.
    TooLong { octets: usize, head: Vec<u8> },
}

/// Incremental command-line framer. Feed bytes with [`LineFramer::push`], take lines with
/// [`LineFramer::next_line`]; when the protocol switches to message data, take the unread bytes
/// with [`LineFramer::take_rest`].
#[derive(Clone, Debug, Default)]
pub struct LineFramer {
    buf: Vec<u8>,
    /// How many bytes at the front of `buf` have been consumed.
    start: usize,
    /// `Some(n)`: we are discarding an over-long line, `n` octets so far.
    discarding: Option<(usize, Vec<u8>)>,
    /// Bytes already scanned (from `start`) without finding an LF.
    scanned: usize,
    /// Set while the next line is an AUTH response (RFC 4954 §4: up to 12288 octets).
    auth_response: bool,
}

impl LineFramer {
    pub fn new() -> Self {
        Self::default()
    }

    /// Append received bytes.
    pub fn push(&mut self, bytes: &[u8]) {
        if self.start > 0 && self.start == self.buf.len() {
            self.buf.clear();
            self.start = 0;
        }
        self.buf.extend_from_slice(bytes);
    }

    /// The next line is an AUTH response line, allowed up to [`MAX_AUTH_LINE`] octets.
    pub fn expect_auth_response(&mut self, yes: bool) {
        self.auth_response = yes;
    }

    /// The longest line allowed for a line starting with `head`.
    fn limit_for(&self, head: &[u8]) -> usize {
        // RFC 4954 §4: AUTH lines may be up to 12288 octets; others 512 (RFC 5321 §4.5.3.1.4).
        if self.auth_response || (head.len() >= 5 && head[..5].eq_ignore_ascii_case(b"AUTH ")) {
            MAX_AUTH_LINE
        } else {
            MAX_COMMAND_LINE
        }
    }

    /// Unread bytes currently buffered.
    pub fn buffered(&self) -> usize {
        self.buf.len() - self.start
    }

    /// Take all unread bytes (for the DATA/BDAT phase or the AUTH exchange reader).
    pub fn take_rest(&mut self) -> Vec<u8> {
        let rest = self.buf[self.start..].to_vec();
        self.buf.clear();
        self.start = 0;
        self.scanned = 0;
        rest
    }

    /// Put bytes back in front of the unread ones (used after a DATA/BDAT phase ends in the
    /// middle of a received chunk).
    pub fn unread(&mut self, bytes: &[u8]) {
        if bytes.is_empty() {
            return;
        }
        let mut v = Vec::with_capacity(bytes.len() + self.buffered());
        v.extend_from_slice(bytes);
        v.extend_from_slice(&self.buf[self.start..]);
        self.buf = v;
        self.start = 0;
        self.scanned = 0;
    }

    /// The next complete line, if any. Never grows the buffer past one command line plus the
    /// bytes of complete lines still waiting to be read.
    pub fn next_line(&mut self) -> Option<Frame> {
        {
            let pending = &self.buf[self.start..];
            let limit = self.limit_for(pending);
            let from = self.scanned.min(pending.len());
            match pending[from..].iter().position(|&b| b == b'\n') {
                Some(i) => {
                    let lf = from + i;
                    let line_end_len = lf + 1;
                    let crlf = lf > 0 && pending[lf - 1] == b'\r';
                    let content = if crlf { &pending[..lf - 1] } else { &pending[..lf] };
                    let frame = if let Some((n, head)) = self.discarding.take() {
                        Frame::TooLong { octets: n + line_end_len, head }
                    } else if content.len() + 2 > limit {
                        // RFC 5321 §4.5.3.1.4: 512 octets including CRLF.
                        Frame::TooLong { octets: line_end_len, head: content[..content.len().min(64)].to_vec() }
                    } else if crlf {
                        Frame::Line(content.to_vec())
                    } else {
                        // RFC 5321 §2.3.8: a bare LF is not a line end; reported, not executed.
                        Frame::BareLf(content.to_vec())
                    };
                    self.start += line_end_len;
                    self.scanned = 0;
                    if self.start == self.buf.len() {
                        self.buf.clear();
                        self.start = 0;
                    }
                    Some(frame)
                }
                None => {
                    self.scanned = pending.len();
                    // Keep a trailing CR: it may be the first half of a CRLF.
                    let keep = usize::from(pending.last() == Some(&b'\r'));
                    let over = match &self.discarding {
                        Some(_) => pending.len() > keep,
                        None => pending.len() > limit,
                    };
                    if !over {
                        return None;
                    }
                    let drop = pending.len() - keep;
                    let (n, head) = self.discarding.take().unwrap_or_else(|| (0, pending[..64].to_vec()));
                    self.discarding = Some((n + drop, head));
                    self.buf.drain(..self.start + drop);
                    self.start = 0;
                    self.scanned = 0;
                    None
                }
            }
        }
    }
}

/// What the [`DataReader`] learned about the message, reported at the end of data.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct DataSummary {
    /// Octets of message content after dot-unstuffing (counted even past the storage cap).
    pub octets: u64,
    /// True when content past the storage cap was dropped.
    pub truncated: bool,
    /// Longest text line in octets including its CRLF, not counting a stuffing dot.
    pub longest_line: u64,
    /// Number of text lines longer than [`MAX_TEXT_LINE`] (RFC 5321 §4.5.3.1.6).
    pub long_lines: u32,
    /// A LF not preceded by CR was seen (RFC 5321 §2.3.8).
    pub bare_lf: bool,
    /// A CR not followed by LF was seen (RFC 5321 §2.3.8).
    pub bare_cr: bool,
    /// Octets that contain the high bit (8-bit content, RFC 6152).
    pub eight_bit: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum DataState {
    /// Just after a real CRLF (or at the very start of the data).
    LineStart,
    /// `CRLF .` seen.
    Dot,
    /// `CRLF . CR` seen.
    DotCr,
    /// Inside a line.
    Middle,
    /// Inside a line, a CR seen.
    Cr,
    /// `CRLF . CRLF` seen.
    Done,
}

/// Incremental reader of the message that follows `354` (RFC 5321 §4.1.1.4): finds the end of
/// data, removes stuffing dots (§4.5.2), and stores the content up to a cap.
#[derive(Clone, Debug)]
pub struct DataReader {
    state: DataState,
    line_len: u64,
    cap: usize,
    summary: DataSummary,
}

/// The result of one [`DataReader::feed`] call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fed {
    /// Bytes of the input that belonged to the message (including the end-of-data marker).
    pub consumed: usize,
    /// The end of data was found; the rest of the input is commands again.
    pub done: bool,
}

impl DataReader {
    /// A reader that stores at most `cap` octets of content (it keeps counting past it).
    pub fn new(cap: usize) -> Self {
        DataReader { state: DataState::LineStart, line_len: 0, cap, summary: DataSummary::default() }
    }

    pub fn summary(&self) -> &DataSummary {
        &self.summary
    }

    pub fn is_done(&self) -> bool {
        self.state == DataState::Done
    }

    fn store(&mut self, out: &mut Vec<u8>, bytes: &[u8]) {
        self.summary.octets += bytes.len() as u64;
        if out.len() < self.cap {
            let room = self.cap - out.len();
            let n = room.min(bytes.len());
            out.extend_from_slice(&bytes[..n]);
            if n < bytes.len() {
                self.summary.truncated = true;
            }
        } else if !bytes.is_empty() {
            self.summary.truncated = true;
        }
    }

    fn end_line(&mut self) {
        // RFC 5321 §4.5.3.1.6: 1000 octets including CRLF.
        let len = self.line_len + 2;
        if len > self.summary.longest_line {
            self.summary.longest_line = len;
        }
        if len > MAX_TEXT_LINE as u64 {
            self.summary.long_lines = self.summary.long_lines.saturating_add(1);
        }
        self.line_len = 0;
    }

    /// The fast path of [`DataReader::feed`] from `i` (state `Middle`): finds the longest run
    /// of text whose line ends are all `CRLF` followed by a byte other than `.`, and returns
    /// `(j, seg)`: the run is `input[i..j]`, its last (unfinished) line starts at `seg`, and
    /// `input[j]` (if any) is the CR or LF the state machine must look at. The lines ended in
    /// the run are accounted for here. `None` when the run contains a bare CR: then nothing
    /// was accounted and the caller takes the exact line-by-line path.
    ///
    /// One `memchr` pass over the LFs, one vectorised count of the CRs: as many CRs as CRLF
    /// line ends means there is no bare CR.
    fn scan_lines(&mut self, input: &[u8], i: usize) -> Option<(usize, usize)> {
        let n = input.len();
        let (mut seg, mut ended, mut stop) = (i, 0usize, None);
        let (mut carried, mut longest, mut long) = (self.line_len, 0u64, 0u32);
        for p in memchr::memchr_iter(b'\n', &input[i..]).map(|q| q + i) {
            let crlf = p > seg && input[p - 1] == b'\r';
            if !crlf || p + 1 >= n || input[p + 1] == b'.' {
                stop = Some(if crlf { p - 1 } else { p });
                break;
            }
            // RFC 5321 §4.5.3.1.6: the length counts the CRLF.
            let len = carried + (p - 1 - seg) as u64 + 2;
            carried = 0;
            longest = longest.max(len);
            long += u32::from(len > MAX_TEXT_LINE as u64);
            ended += 1;
            seg = p + 1;
        }
        let j = stop.unwrap_or_else(|| memchr::memchr(b'\r', &input[seg..]).map_or(n, |q| seg + q));
        if memchr::memchr_iter(b'\r', &input[i..j]).count() != ended {
            return None;
        }
        if ended > 0 {
            self.summary.longest_line = self.summary.longest_line.max(longest);
            self.summary.long_lines = self.summary.long_lines.saturating_add(long);
            self.line_len = 0;
        }
        Some((j, seg))
    }

    /// Read message bytes, appending unstuffed content to `out`. Stops right after the
    /// end-of-data marker; bytes after it are not consumed.
    pub fn feed(&mut self, input: &[u8], out: &mut Vec<u8>) -> Fed {
        let mut i = 0;
        while i < input.len() {
            match self.state {
                DataState::Done => return Fed { consumed: i, done: true },
                DataState::Middle => {
                    // Fast path: one pass over ordinary octets and CRLFs whose next line does
                    // not start with a dot, stored with a single copy. See `scan_lines`.
                    let n = input.len();
                    let (j, seg) = match self.scan_lines(input, i) {
                        Some(found) => found,
                        None => {
                            // A bare CR in the run: the exact loop, line end by line end.
                            let (mut j, mut seg) = (i, i);
                            loop {
                                let Some(k) = memchr::memchr2(b'\r', b'\n', &input[j..]) else {
                                    j = n;
                                    break;
                                };
                                j += k;
                                if j + 2 < n && input[j] == b'\r' && input[j + 1] == b'\n' && input[j + 2] != b'.' {
                                    self.line_len += (j - seg) as u64;
                                    self.end_line();
                                    j += 2;
                                    seg = j;
                                    continue;
                                }
                                break;
                            }
                            (j, seg)
                        }
                    };
                    if j > i {
                        self.line_len += (j - seg) as u64;
                        // RFC 6152: 8-bit content is noticed once; the check is vectorised.
                        if !self.summary.eight_bit && !input[i..j].is_ascii() {
                            self.summary.eight_bit = true;
                        }
                        self.store(out, &input[i..j]);
                        i = j;
                        continue;
                    }
                    if input[i] == b'\r' {
                        self.state = DataState::Cr;
                    } else {
                        // RFC 5321 §2.3.8: bare LF; it does not start a new line (no smuggling).
                        self.summary.bare_lf = true;
                        self.store(out, b"\n");
                        self.line_len += 1;
                    }
                    i += 1;
                }
                DataState::Cr => {
                    if input[i] == b'\n' {
                        self.store(out, b"\r\n");
                        self.end_line();
                        self.state = DataState::LineStart;
                        i += 1;
                    } else {
                        // A bare CR: kept as content, the line goes on.
                        self.summary.bare_cr = true;
                        self.store(out, b"\r");
                        self.line_len += 1;
                        self.state = DataState::Middle;
                    }
                }
                DataState::LineStart => {
                    if input[i] == b'.' {
                        self.state = DataState::Dot;
                        i += 1;
                    } else {
                        self.state = DataState::Middle;
                    }
                }
                DataState::Dot => {
                    if input[i] == b'\r' {
                        self.state = DataState::DotCr;
                        i += 1;
                    } else {
                        // RFC 5321 §4.5.2: a leading dot with more on the line is removed.
                        self.state = DataState::Middle;
                    }
                }
                DataState::DotCr => {
                    if input[i] == b'\n' {
                        // RFC 5321 §4.1.1.4: CRLF . CRLF ends the mail data.
                        self.state = DataState::Done;
                        return Fed { consumed: i + 1, done: true };
                    }
                    // `.CR` then something else: the dot was stuffing; the CR is bare.
                    self.summary.bare_cr = true;
                    self.store(out, b"\r");
                    self.line_len += 1;
                    self.state = DataState::Middle;
                }
            }
        }
        Fed { consumed: input.len(), done: self.state == DataState::Done }
    }
}

/// Counts the octets of one BDAT chunk (RFC 3030 §2): exactly `size` octets, no dot handling,
/// no line structure.
#[derive(Clone, Debug)]
pub struct BdatReader {
    remaining: u64,
}

impl BdatReader {
    pub fn new(size: u64) -> Self {
        BdatReader { remaining: size }
    }

    pub fn remaining(&self) -> u64 {
        self.remaining
    }

    pub fn is_done(&self) -> bool {
        self.remaining == 0
    }

    /// Consume up to the rest of the chunk from `input`, appending at most `room` octets to
    /// `out` (the rest is dropped, as a server does past its size limit). Returns the number of
    /// bytes consumed.
    pub fn feed(&mut self, input: &[u8], out: &mut Vec<u8>, room: usize) -> usize {
        let n = (input.len() as u64).min(self.remaining) as usize;
        let keep = n.min(room);
        out.extend_from_slice(&input[..keep]);
        self.remaining -= n as u64;
        n
    }
}

/// Prepare a message for DATA on the client side: line ends normalised to CRLF (a bare CR or
/// LF must not be sent, RFC 5321 §2.3.8), a dot added before every line that starts with a dot
/// (§4.5.2), a final CRLF added if missing, and the `.CRLF` end marker appended (§4.1.1.4).
pub fn dot_stuff(message: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(message.len() + message.len() / 64 + 5);
    let mut at_line_start = true;
    let mut i = 0;
    while i < message.len() {
        let b = message[i];
        if at_line_start && b == b'.' {
            out.push(b'.'); // RFC 5321 §4.5.2: transparency.
        }
        match b {
            b'\r' => {
                out.extend_from_slice(b"\r\n");
                if message.get(i + 1) == Some(&b'\n') {
                    i += 1;
                }
                at_line_start = true;
            }
            b'\n' => {
                out.extend_from_slice(b"\r\n");
                at_line_start = true;
            }
            _ => {
                out.push(b);
                at_line_start = false;
            }
        }
        i += 1;
    }
    if !at_line_start {
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b".\r\n");
    out
}

/// Line ends normalised to CRLF and a final CRLF added: what the server stores for a message
/// sent through [`dot_stuff`].
pub fn normalize_line_ends(message: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(message.len() + 2);
    DataReader::new(usize::MAX).feed(&dot_stuff(message), &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames(chunks: &[&[u8]]) -> Vec<Frame> {
        let mut f = LineFramer::new();
        let mut out = Vec::new();
        for c in chunks {
            f.push(c);
            while let Some(fr) = f.next_line() {
                out.push(fr);
            }
        }
        out
    }

    /// Feeds `input` split at every possible single point and byte by byte; all must agree.
    fn check_frames(input: &[u8], expected: &[Frame]) {
        assert_eq!(frames(&[input]), expected, "whole");
        for cut in 0..=input.len() {
            assert_eq!(frames(&[&input[..cut], &input[cut..]]), expected, "cut at {cut}");
        }
        let bytes: Vec<&[u8]> = input.chunks(1).collect();
        assert_eq!(frames(&bytes), expected, "byte by byte");
    }

    fn line(s: &str) -> Frame {
        Frame::Line(s.as_bytes().to_vec())
    }

    #[test]
    fn framer_table() {
        check_frames(b"EHLO a\r\n", &[line("EHLO a")]);
        check_frames(b"EHLO a\r\nMAIL FROM:<>\r\nQU", &[line("EHLO a"), line("MAIL FROM:<>")]);
        check_frames(b"NOOP\n", &[Frame::BareLf(b"NOOP".to_vec())]);
        check_frames(b"NO\rOP\r\n", &[line("NO\rOP")]);
        check_frames(b"\r\n", &[line("")]);
    }

    #[test]
    fn framer_line_limit() {
        // 510 + CRLF = 512: accepted.
        let ok = [vec![b'a'; 510], b"\r\n".to_vec()].concat();
        check_frames(&ok, &[Frame::Line(vec![b'a'; 510])]);
        // 511 + CRLF = 513: too long, followed by a good line.
        let long = [vec![b'a'; 511], b"\r\nNOOP\r\n".to_vec()].concat();
        let got = frames(&[&long]);
        assert!(matches!(got[0], Frame::TooLong { octets: 513, .. }));
        assert_eq!(got[1], line("NOOP"));
        for cut in 0..long.len() {
            let g = frames(&[&long[..cut], &long[cut..]]);
            assert!(matches!(g[0], Frame::TooLong { octets: 513, .. }), "cut {cut}: {g:?}");
            assert_eq!(g[1], line("NOOP"));
        }
    }

    #[test]
    fn framer_endless_line_is_bounded() {
        let mut f = LineFramer::new();
        for _ in 0..10_000 {
            f.push(&[b'x'; 1000]);
            assert!(f.next_line().is_none());
            assert!(f.buffered() <= MAX_COMMAND_LINE + 1000);
        }
        f.push(b"\r\nNOOP\r\n");
        assert!(matches!(f.next_line(), Some(Frame::TooLong { octets: 10_000_002, .. })));
        assert_eq!(f.next_line(), Some(line("NOOP")));
    }

    fn read_data(chunks: &[&[u8]]) -> (Vec<u8>, Option<usize>, DataSummary) {
        let mut r = DataReader::new(usize::MAX);
        let mut out = Vec::new();
        let mut total = 0;
        for c in chunks {
            let fed = r.feed(c, &mut out);
            total += fed.consumed;
            if fed.done {
                return (out, Some(total), r.summary().clone());
            }
            assert_eq!(fed.consumed, c.len());
        }
        (out, None, r.summary().clone())
    }

    /// `expected`: the content and where the end marker ends (None: data not ended).
    fn check_data(input: &[u8], content: &[u8], end: Option<usize>) {
        let whole = read_data(&[input]);
        assert_eq!((whole.0.as_slice(), whole.1), (content, end), "whole: {:?}", String::from_utf8_lossy(input));
        for cut in 0..=input.len() {
            let got = read_data(&[&input[..cut], &input[cut..]]);
            assert_eq!((got.0.as_slice(), got.1), (content, end), "cut {cut}");
            assert_eq!(got.2, whole.2, "summary at cut {cut}");
        }
    }

    #[test]
    fn data_table() {
        check_data(b".\r\n", b"", Some(3));
        check_data(b"Hi\r\n.\r\nQUIT\r\n", b"Hi\r\n", Some(7));
        check_data(b"..dot\r\n.\r\n", b".dot\r\n", Some(10));
        check_data(b"a\r\n..\r\n.\r\n", b"a\r\n.\r\n", Some(10));
        check_data(b"a\r\n.x\r\n.\r\n", b"a\r\nx\r\n", Some(10));
        // Smuggling attempts: none of these ends the data.
        check_data(b"a\n.\nb", b"a\n.\nb", None);
        check_data(b"a\r.\rb", b"a\r.\rb", None);
        check_data(b"a\r\n.\nb", b"a\r\n\nb", None);
        check_data(b"a\n.\r\nb", b"a\n.\r\nb", None);
        check_data(b"a\r\n.\r.\r\n", b"a\r\n\r.\r\n", None);
        // A bare LF line is still not a line start, even followed by a proper end later.
        check_data(b"a\n.\r\n.\r\n", b"a\n.\r\n", Some(8));
    }

    #[test]
    fn data_summary_flags() {
        let (_, _, s) = read_data(&[b"a\nb\r\n.\r\n"]);
        assert!(s.bare_lf && !s.bare_cr);
        let (_, _, s) = read_data(&[b"a\rb\r\n.\r\n"]);
        assert!(s.bare_cr && !s.bare_lf);
        let long = [vec![b'x'; 998], b"\r\n".to_vec(), vec![b'y'; 999], b"\r\n.\r\n".to_vec()].concat();
        let (_, _, s) = read_data(&[&long]);
        assert_eq!((s.long_lines, s.longest_line), (1, 1001));
        // A stuffing dot does not count toward the line length.
        let stuffed = [b".".to_vec(), vec![b'.'; 998], b"\r\n.\r\n".to_vec()].concat();
        let (_, _, s) = read_data(&[&stuffed]);
        assert_eq!((s.long_lines, s.longest_line), (0, 1000));
        let (_, _, s) = read_data(&[b"caf\xc3\xa9\r\n.\r\n"]);
        assert!(s.eight_bit);
    }

    #[test]
    fn data_cap_keeps_counting() {
        let mut r = DataReader::new(4);
        let mut out = Vec::new();
        let fed = r.feed(b"0123456789\r\n.\r\n", &mut out);
        assert!(fed.done);
        assert_eq!(out, b"0123");
        assert_eq!(r.summary().octets, 12);
        assert!(r.summary().truncated);
    }

    #[test]
    fn bdat_counts_exactly() {
        let mut b = BdatReader::new(5);
        let mut out = Vec::new();
        assert_eq!(b.feed(b"ab", &mut out, usize::MAX), 2);
        assert_eq!(b.feed(b"c\r\n.\r\nQUIT", &mut out, usize::MAX), 3);
        assert!(b.is_done());
        assert_eq!(out, b"abc\r\n");
    }

    #[test]
    fn dot_stuff_table() {
        let check = |m: &[u8], e: &[u8]| assert_eq!(dot_stuff(m), e, "{:?}", String::from_utf8_lossy(m));
        check(b"", b".\r\n");
        check(b"hi", b"hi\r\n.\r\n");
        check(b"hi\r\n", b"hi\r\n.\r\n");
        check(b".hi\r\n.\r\n", b"..hi\r\n..\r\n.\r\n");
        check(b"a\n.b\rc", b"a\r\n..b\r\nc\r\n.\r\n");
    }

    #[test]
    fn dot_stuff_round_trips() {
        for m in [&b"a\r\n.\r\n..\r\nb"[..], b"\r\n.", b".", b"x\ny\r.z"] {
            let (content, end, _) = read_data(&[&dot_stuff(m)]);
            assert!(end.is_some());
            assert_eq!(content, normalize_line_ends(m));
        }
    }
}
