//! xtext, the encoding of the DSN parameters ENVID and ORCPT (RFC 3461 §4).
//!
//! ```text
//! xtext   = *( xchar / hexchar )
//! xchar   = any ASCII CHAR between "!" (33) and "~" (126) inclusive,
//!           except for "+" and "=".
//! hexchar = ASCII "+" immediately followed by two upper case hexadecimal digits
//! ```
//!
//! [`encode`] escapes exactly what must be escaped (bytes outside 33..=126, `+`, `=`), so
//! `decode(encode(s)) == s` for every string and `encode(decode(x)) == x` for every xtext in
//! that minimal form.

/// Why an xtext did not decode: byte offset into the xtext and the reason.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct XtextError {
    pub offset: usize,
    pub why: &'static str,
}

/// Decodes xtext (RFC 3461 §4). The decoded octets must form UTF-8 (our strings are UTF-8).
pub fn decode(x: &str) -> Result<String, XtextError> {
    let bytes = x.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            // hexchar: "+" followed by two *upper case* hex digits (RFC 3461 §4).
            b'+' => {
                let hi = bytes.get(i + 1).copied().and_then(upper_hex);
                let lo = bytes.get(i + 2).copied().and_then(upper_hex);
                match (hi, lo) {
                    (Some(hi), Some(lo)) => out.push(hi << 4 | lo),
                    _ => {
                        return Err(XtextError {
                            offset: i,
                            why: "\"+\" must be followed by two upper-case hex digits, e.g. +2B \
                                  for \"+\" (RFC 3461 §4 hexchar)",
                        })
                    }
                }
                i += 3;
            }
            b'=' => return Err(XtextError { offset: i, why: "\"=\" must be written as +3D in xtext (RFC 3461 §4 xchar)" }),
            b'!'..=b'~' => {
                out.push(b);
                i += 1;
            }
            _ => {
                return Err(XtextError {
                    offset: i,
                    why: "xtext allows only printable ASCII; other octets are written as +XX \
                          (RFC 3461 §4)",
                })
            }
        }
    }
    String::from_utf8(out).map_err(|e| XtextError { offset: e.utf8_error().valid_up_to(), why: "the decoded octets are not UTF-8" })
}

fn upper_hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Encodes a string as minimal xtext (RFC 3461 §4): every octet outside `!`..`~`, and `+`
/// and `=`, becomes `+XX`.
pub fn encode(s: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(s.len());
    for &b in s.as_bytes() {
        if (b'!'..=b'~').contains(&b) && b != b'+' && b != b'=' {
            out.push(char::from(b));
        } else {
            out.push('+');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0xF)]));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3461_examples() {
        // RFC 3461 §4.4 example: ENVID=QQ314159 ; and "+" itself is +2B.
        assert_eq!(decode("QQ314159+2B").unwrap(), "QQ314159+");
        assert_eq!(encode("QQ314159+"), "QQ314159+2B");
        assert_eq!(decode("Bob+40example.com").unwrap(), "Bob@example.com");
        assert_eq!(encode("a b=c"), "a+20b+3Dc");
        assert_eq!(decode("").unwrap(), "");
    }

    #[test]
    fn rejects() {
        assert_eq!(decode("a+2b").unwrap_err().offset, 1); // lower-case hex
        assert_eq!(decode("a+2").unwrap_err().offset, 1);
        assert_eq!(decode("a=b").unwrap_err().offset, 1);
        assert_eq!(decode("a b").unwrap_err().offset, 1);
        assert!(decode("+FF").is_err()); // not UTF-8
    }

    #[test]
    fn utf8_round_trip() {
        let s = "用户@例子.广告";
        assert_eq!(decode(&encode(s)).unwrap(), s);
    }
}
