//! base64url without padding (RFC 4648 §5, "Base 64 Encoding with URL and Filename Safe
//! Alphabet", padding omitted as §3.2 allows when the length is known): the text of a share
//! link's payload. `smtp::base64` is the padded standard alphabet of AUTH (`+`, `/`, `=`), which
//! would need percent-encoding in a URL, hence this second small codec.

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Encode bytes as unpadded base64url.
pub fn encode(input: &[u8]) -> String {
    let mut out = String::with_capacity(input.len().div_ceil(3) * 4);
    for chunk in input.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..=chunk.len() {
            out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

fn value(c: u8) -> Option<u32> {
    match c {
        b'A'..=b'Z' => Some(u32::from(c - b'A')),
        b'a'..=b'z' => Some(u32::from(c - b'a') + 26),
        b'0'..=b'9' => Some(u32::from(c - b'0') + 52),
        b'-' => Some(62),
        b'_' => Some(63),
        _ => None,
    }
}

/// Why a text is not unpadded base64url.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Base64Error {
    /// A character outside the alphabet, at this index.
    Character(usize),
    /// A length of 4n+1 characters cannot be produced by the encoder (a cut link, typically).
    Length,
    /// The last character carries bits the encoder would have left zero (RFC 4648 §3.5).
    TrailingBits,
}

/// Decode unpadded base64url strictly: exactly what [`encode`] produces.
pub fn decode(input: &[u8]) -> Result<Vec<u8>, Base64Error> {
    if input.len() % 4 == 1 {
        return Err(Base64Error::Length);
    }
    let mut out = Vec::with_capacity(input.len() / 4 * 3 + 2);
    for (q, chunk) in input.chunks(4).enumerate() {
        let mut n = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            n = (n << 6) | value(c).ok_or(Base64Error::Character(q * 4 + i))?;
        }
        n <<= 6 * (4 - chunk.len()) as u32;
        let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        let keep = chunk.len() - 1; // 4 chars → 3 bytes, 3 → 2, 2 → 1
        if bytes[keep..].iter().any(|&b| b != 0) {
            return Err(Base64Error::TrailingBits);
        }
        out.extend_from_slice(&bytes[..keep]);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc4648_vectors_without_padding() {
        // RFC 4648 §10, with the padding removed.
        for (plain, enc) in [("", ""), ("f", "Zg"), ("fo", "Zm8"), ("foo", "Zm9v"), ("foob", "Zm9vYg"), ("fooba", "Zm9vYmE"), ("foobar", "Zm9vYmFy")] {
            assert_eq!(encode(plain.as_bytes()), enc);
            assert_eq!(decode(enc.as_bytes()).as_deref(), Ok(plain.as_bytes()));
        }
        assert_eq!(encode(&[0xfb, 0xff]), "-_8");
        assert_eq!(decode(b"-_8"), Ok(vec![0xfb, 0xff]));
        assert_eq!(decode(b"Zm9vY"), Err(Base64Error::Length));
        assert_eq!(decode(b"Zh"), Err(Base64Error::TrailingBits));
        assert_eq!(decode(b"Zg=="), Err(Base64Error::Character(2)));
        assert_eq!(decode(b"Zm+v"), Err(Base64Error::Character(2)));
    }

    #[test]
    fn every_length_round_trips() {
        let data: Vec<u8> = (0..=255u8).collect();
        for n in 0..data.len() {
            assert_eq!(decode(encode(&data[..n]).as_bytes()).as_deref(), Ok(&data[..n]));
        }
    }
}
