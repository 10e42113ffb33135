//! base64url without padding (RFC 4648 §5, "Base 64 Encoding with URL and Filename Safe
//! Alphabet", padding omitted as §3.2 allows when the length is known): the text of a share
//! link's payload: the URL-safe alphabet of the shared codec in `smtp::base64` (the standard one,
//! `+ / =`, would need percent-encoding in a URL), with the error cases a share link reports.

use crate::smtp::base64::{self as b64, Base64ErrorKind, URL_SAFE};

/// Encode bytes as unpadded base64url.
pub fn encode(input: &[u8]) -> String {
    b64::encode_with(input, URL_SAFE)
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
    b64::decode_with(input, URL_SAFE, false).map_err(|e| match e.kind {
        Base64ErrorKind::TrailingBits => Base64Error::TrailingBits,
        Base64ErrorKind::Truncated => Base64Error::Length,
        // An unpadded alphabet has no padding: every other refusal is a foreign character.
        _ => Base64Error::Character(e.offset),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc4648_vectors_without_padding() {
        // RFC 4648 §10, with the padding removed.
        for (plain, enc) in
            [("", ""), ("f", "Zg"), ("fo", "Zm8"), ("foo", "Zm9v"), ("foob", "Zm9vYg"), ("fooba", "Zm9vYmE"), ("foobar", "Zm9vYmFy")]
        {
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
