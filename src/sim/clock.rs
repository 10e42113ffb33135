//! Virtual time: the simulation's only clock. Time is a number of milliseconds since the
//! scenario's start; it moves only when the world steps to its next scheduled event.
//!
//! Durations are written in scenario files as short human strings (`"250ms"`, `"30s"`, `"5m"`,
//! `"1h30m"`, `"4d"`) and shown to students the same way.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A point on the virtual clock: milliseconds since the scenario started.
pub type Millis = u64;

/// A span of virtual time, written like `"5m"` or `"1h30m"`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span(pub Millis);

const UNITS: [(&str, u64); 5] = [("d", 86_400_000), ("h", 3_600_000), ("m", 60_000), ("s", 1_000), ("ms", 1)];

impl Span {
    pub const fn secs(s: u64) -> Self {
        Span(s * 1000)
    }
    pub const fn mins(m: u64) -> Self {
        Span(m * 60_000)
    }

    /// Parses `"1h30m"`, `"250ms"`, `"0s"`. A bare number is rejected: the unit must be said.
    pub fn parse(text: &str) -> Result<Span, String> {
        let s = text.trim();
        if s.is_empty() {
            return Err("expected a duration such as \"30s\", \"5m\" or \"1h30m\", found an empty string".into());
        }
        let bytes = s.as_bytes();
        let mut i = 0;
        let mut total: u64 = 0;
        while i < bytes.len() {
            let start = i;
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
            if start == i {
                return Err(format!("expected a number at character {} of duration {text:?} (write e.g. \"5m\")", start + 1));
            }
            let n: u64 = s[start..i].parse().map_err(|_| format!("number too large in duration {text:?}"))?;
            let ustart = i;
            while i < bytes.len() && bytes[i].is_ascii_alphabetic() {
                i += 1;
            }
            let unit = &s[ustart..i];
            let Some(&(_, factor)) = UNITS.iter().find(|(u, _)| *u == unit) else {
                return Err(if unit.is_empty() {
                    format!("duration {text:?} needs a unit after {n}: ms, s, m, h or d")
                } else {
                    format!("unknown unit {unit:?} in duration {text:?}: use ms, s, m, h or d")
                });
            };
            total = n.checked_mul(factor).and_then(|v| total.checked_add(v)).ok_or_else(|| format!("duration {text:?} is too long"))?;
        }
        Ok(Span(total))
    }
}

impl std::fmt::Display for Span {
    /// The shortest exact form: `90000` ms → `"1m30s"`, `0` → `"0s"`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut rest = self.0;
        if rest == 0 {
            return f.write_str("0s");
        }
        for (unit, factor) in UNITS {
            if rest >= factor {
                write!(f, "{}{unit}", rest / factor)?;
                rest %= factor;
            }
        }
        Ok(())
    }
}

impl Serialize for Span {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Span {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Span::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// Formats a virtual time as `+HH:MM:SS.mmm` from the scenario start (days shown when needed).
pub fn format_time(t: Millis) -> String {
    let ms = t % 1000;
    let s = (t / 1000) % 60;
    let m = (t / 60_000) % 60;
    let h = (t / 3_600_000) % 24;
    let d = t / 86_400_000;
    if d > 0 {
        format!("+{d}d {h:02}:{m:02}:{s:02}.{ms:03}")
    } else {
        format!("+{h:02}:{m:02}:{s:02}.{ms:03}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_display_are_inverse() {
        for (text, ms) in
            [("0s", 0), ("250ms", 250), ("30s", 30_000), ("5m", 300_000), ("1h30m", 5_400_000), ("4d", 345_600_000), ("1m30s5ms", 90_005)]
        {
            assert_eq!(Span::parse(text), Ok(Span(ms)), "{text}");
            assert_eq!(Span(ms).to_string(), text);
        }
    }

    #[test]
    fn bad_durations_say_why() {
        assert!(Span::parse("5").unwrap_err().contains("needs a unit"));
        assert!(Span::parse("5x").unwrap_err().contains("unknown unit"));
        assert!(Span::parse("m").unwrap_err().contains("expected a number"));
        assert!(Span::parse("").is_err());
        assert!(Span::parse("99999999999999999999d").is_err());
        assert!(Span::parse("999999999999999d").unwrap_err().contains("too long"));
    }

    #[test]
    fn times_format_from_start() {
        assert_eq!(format_time(0), "+00:00:00.000");
        assert_eq!(format_time(3_723_004), "+01:02:03.004");
        assert_eq!(format_time(90_000_000), "+1d 01:00:00.000");
    }
}
