//! The project's one base64 codec (RFC 4648): the standard padded alphabet of AUTH (RFC 4954 §4)
//! and MIME bodies (RFC 2045 §6.8), and the URL-safe unpadded alphabet of share links (RFC 4648
//! §5, padding omitted as §3.2 allows). Written here rather than pulled in as a crate: it is
//! short and keeps the wasm bundle small. Decoding is strict (RFC 4648 §3.3, §3.5): characters
//! outside the alphabet, misplaced padding, a cut final quantum and non-zero pad bits are
//! errors, located by byte offset.

use std::fmt;

/// An alphabet and whether its encoding is padded with `=`.
#[derive(Clone, Copy, Debug)]
pub struct Alphabet {
    chars: &'static [u8; 64],
    padded: bool,
}

/// `A–Z a–z 0–9 + /`, padded (RFC 4648 §4).
pub const STANDARD: Alphabet = Alphabet { chars: b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", padded: true };

/// `A–Z a–z 0–9 - _`, unpadded (RFC 4648 §5, §3.2).
pub const URL_SAFE: Alphabet = Alphabet { chars: b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", padded: false };

impl Alphabet {
    fn value(&self, c: u8) -> Option<u32> {
        match c {
            b'A'..=b'Z' => Some(u32::from(c - b'A')),
            b'a'..=b'z' => Some(u32::from(c - b'a') + 26),
            b'0'..=b'9' => Some(u32::from(c - b'0') + 52),
            _ if c == self.chars[62] => Some(62),
            _ if c == self.chars[63] => Some(63),
            _ => None,
        }
    }
}

/// Why a text is not base64 in the expected form.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Base64ErrorKind {
    /// A character outside the alphabet.
    Character,
    /// `=` where padding cannot stand.
    MisplacedPadding,
    /// Characters after the padding.
    DataAfterPadding,
    /// The text ends in the middle of a quantum (a cut text, typically).
    Truncated,
    /// The last character carries bits an encoder would have left zero (RFC 4648 §3.5).
    TrailingBits,
}

/// A located decoding error: `offset` is the byte offset of the offending character (the input
/// length for a cut end).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Base64Error {
    pub offset: usize,
    pub kind: Base64ErrorKind,
}

impl Base64Error {
    /// The reason in words.
    pub fn reason(&self) -> &'static str {
        match self.kind {
            Base64ErrorKind::Character => "character outside the base64 alphabet",
            Base64ErrorKind::MisplacedPadding => "misplaced padding",
            Base64ErrorKind::DataAfterPadding => "data after padding",
            Base64ErrorKind::Truncated => "truncated final quantum",
            Base64ErrorKind::TrailingBits => "non-zero bits in the padding",
        }
    }
}

impl fmt::Display for Base64Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid base64 at byte {}: {}", self.offset, self.reason())
    }
}

impl std::error::Error for Base64Error {}

/// Encode with this alphabet, on one line.
pub fn encode_with(input: &[u8], a: Alphabet) -> String {
    let mut out = String::with_capacity(input.len().div_ceil(3) * 4);
    for chunk in input.chunks(3) {
        let byte = |i: usize| u32::from(chunk.get(i).copied().unwrap_or(0));
        let n = (byte(0) << 16) | (byte(1) << 8) | byte(2);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(a.chars[((n >> (18 - 6 * i)) & 63) as usize]));
            } else if a.padded {
                out.push('='); // RFC 4648 §3.2: a final quantum of 8 or 16 bits is padded
            }
        }
    }
    out
}

/// Decode with this alphabet. With `skip_whitespace`, SP, HT, CR and LF are ignored (MIME
/// bodies come in lines, RFC 2045 §6.8); otherwise they are errors like any other character.
pub fn decode_with(input: &[u8], a: Alphabet, skip_whitespace: bool) -> Result<Vec<u8>, Base64Error> {
    let err = |offset, kind| Err(Base64Error { offset, kind });
    let mut out = Vec::with_capacity(input.len() / 4 * 3 + 2);
    let (mut acc, mut n, mut pad, mut last) = (0u32, 0usize, 0usize, 0usize);
    for (i, &c) in input.iter().enumerate() {
        if skip_whitespace && matches!(c, b' ' | b'\t' | b'\r' | b'\n') {
            continue;
        }
        last = i;
        if c == b'=' && a.padded {
            if n < 2 || n + pad >= 4 {
                return err(i, Base64ErrorKind::MisplacedPadding);
            }
            pad += 1;
            continue;
        }
        if pad > 0 {
            return err(i, Base64ErrorKind::DataAfterPadding);
        }
        let Some(v) = a.value(c) else { return err(i, Base64ErrorKind::Character) };
        acc = (acc << 6) | v;
        n += 1;
        if n == 4 {
            out.extend_from_slice(&[(acc >> 16) as u8, (acc >> 8) as u8, acc as u8]);
            (acc, n) = (0, 0);
        }
    }
    // The final quantum: two characters carry one byte, three carry two; padded alphabets
    // must say so with "==" / "=".
    let complete = |chars: usize| if a.padded { pad == 4 - chars } else { pad == 0 };
    match n {
        0 if pad == 0 => Ok(out),
        2 if complete(2) && acc & 0xf == 0 => {
            out.push((acc >> 4) as u8);
            Ok(out)
        }
        3 if complete(3) && acc & 0x3 == 0 => {
            out.extend_from_slice(&[(acc >> 10) as u8, (acc >> 2) as u8]);
            Ok(out)
        }
        2 | 3 if complete(n) => err(last, Base64ErrorKind::TrailingBits),
        _ => err(input.len(), Base64ErrorKind::Truncated),
    }
}

/// Encode bytes as padded standard base64 (AUTH, MIME).
pub fn encode(input: &[u8]) -> String {
    encode_with(input, STANDARD)
}

/// Decode padded standard base64 with nothing else around it (an AUTH line); `None` for
/// anything that is not exactly that.
pub fn decode(input: &[u8]) -> Option<Vec<u8>> {
    decode_with(input, STANDARD, false).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc4648_vectors() {
        for (plain, enc) in
            [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE="), ("foobar", "Zm9vYmFy")]
        {
            assert_eq!(encode(plain.as_bytes()), enc);
            assert_eq!(decode(enc.as_bytes()).as_deref(), Some(plain.as_bytes()));
        }
        assert_eq!(decode(b"\0user\0pass"), None);
        assert_eq!(decode(b"Zg="), None);
        assert_eq!(decode(b"Zg"), None, "padding is required in the standard form");
        assert_eq!(decode(b"Zh=="), None);
        assert_eq!(decode(b"Zg==Zg=="), None);
        assert_eq!(decode(b"Z==="), None);
        assert_eq!(decode(b"Zm9v YmE="), None, "no white space in an AUTH line");
        assert_eq!(encode(b"\0alice\0secret"), "AGFsaWNlAHNlY3JldA==");
    }

    #[test]
    fn every_length_round_trips_in_both_alphabets() {
        let data: Vec<u8> = (0..=255u8).collect();
        for n in 0..data.len() {
            for a in [STANDARD, URL_SAFE] {
                assert_eq!(decode_with(encode_with(&data[..n], a).as_bytes(), a, false).as_deref(), Ok(&data[..n]));
            }
        }
    }

    #[test]
    fn errors_are_located() {
        let e = decode_with(b"Zm9v\r\nY!E=", STANDARD, true).unwrap_err();
        assert_eq!((e.offset, e.kind), (7, Base64ErrorKind::Character));
        assert_eq!(decode_with(b"Zm9vY", URL_SAFE, false).unwrap_err().kind, Base64ErrorKind::Truncated);
        assert_eq!(decode_with(b"Zg==", URL_SAFE, false).unwrap_err(), Base64Error { offset: 2, kind: Base64ErrorKind::Character });
    }
}
