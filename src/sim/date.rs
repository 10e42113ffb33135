//! RFC 5322 dates from the simulator's virtual clock, and the ISO 8601 epoch of scenario files.
//!
//! The simulator never reads a real clock: time is a count of seconds since the Unix epoch on a
//! virtual clock, and this module turns it into the `Date:` form of RFC 5322 §3.3 (always in
//! UTC, `+0000`). The calendar arithmetic is the proleptic Gregorian "days from civil"
//! algorithm, exact for any `i64` input.

/// Days since 1970-01-01 for a proleptic Gregorian date (month 1..=12, day 1..=31).
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400); // [0, 399]
    let m = i64::from(month);
    let mp = if m > 2 { m - 3 } else { m + 9 }; // March = 0 … February = 11
    let doy = (153 * mp + 2) / 5 + i64::from(day) - 1; // [0, 365]
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy; // [0, 146096]
    era * 146_097 + doe - 719_468
}

/// The (year, month, day) of a count of days since 1970-01-01.
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097); // [0, 146096]
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365]
    let mp = (5 * doy + 2) / 153; // [0, 11]
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32; // [1, 31]
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32; // [1, 12]
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

/// RFC 5322 §3.3 day-name and month-name tokens.
const DAY_NAMES: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]; // 1970-01-01 was a Thursday
const MONTH_NAMES: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/// Format seconds since the Unix epoch as an RFC 5322 §3.3 `date-time` in UTC, e.g.
/// `Sat, 28 Nov 2026 09:00:00 +0000`.
///
/// Years outside 0..=9999 are written with as many digits as they need (RFC 5322 asks for at
/// least four); a simulator never gets there.
pub fn rfc5322_date(unix_seconds: i64) -> String {
    rfc5322_date_in(unix_seconds, 0)
}

/// The same instant written in the zone `offset` seconds east of UTC (`-25200`:
/// `Thu, 21 May 1998 05:33:29 -0700`), RFC 5322 §3.3's `zone`.
pub fn rfc5322_date_in(unix_seconds: i64, offset: i64) -> String {
    let local = unix_seconds + offset;
    let days = local.div_euclid(86_400);
    let secs = local.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    let weekday = DAY_NAMES.get(days.rem_euclid(7) as usize).copied().unwrap_or("Thu");
    let month_name = MONTH_NAMES.get(month.saturating_sub(1) as usize).copied().unwrap_or("Jan");
    // RFC 5322 §3.3: day-of-week "," day month year time zone; zone +0000 means UTC.
    let sign = if offset < 0 { '-' } else { '+' };
    let zone = offset.unsigned_abs() / 60;
    format!(
        "{weekday}, {day:02} {month_name} {year:04} {:02}:{:02}:{:02} {sign}{:02}{:02}",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60,
        zone / 60,
        zone % 60
    )
}

/// The zone offset, in seconds east of UTC, that an ISO 8601 timestamp is written in (0 for
/// `Z`, or when it does not parse).
pub fn iso8601_offset(s: &str) -> i64 {
    match (parse_iso8601_utc(s), s.get(..19).and_then(|local| parse_iso8601_utc(&format!("{local}Z")))) {
        (Some(utc), Some(local)) => local - utc,
        _ => 0,
    }
}

/// Parse an ISO 8601 / RFC 3339 UTC timestamp such as `2026-11-28T09:00:00Z` into seconds since
/// the Unix epoch. A numeric offset (`+01:00`, `-05:30`) is also accepted and applied; so is a
/// lower-case `t`/`z`. Fractional seconds and leap seconds (`:60`) are rejected: the virtual
/// clock counts whole seconds.
pub fn parse_iso8601_utc(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    let num = |from: usize, len: usize| -> Option<i64> {
        let digits = b.get(from..from + len)?;
        if !digits.iter().all(u8::is_ascii_digit) {
            return None;
        }
        digits.iter().try_fold(0i64, |acc, d| Some(acc * 10 + i64::from(d - b'0')))
    };
    let sep = |at: usize, allowed: &[u8]| b.get(at).is_some_and(|c| allowed.contains(c));
    if !(sep(4, b"-") && sep(7, b"-") && sep(10, b"Tt ") && sep(13, b":") && sep(16, b":")) {
        return None;
    }
    let year = num(0, 4)?;
    let month = u32::try_from(num(5, 2)?).ok()?;
    let day = u32::try_from(num(8, 2)?).ok()?;
    let (hour, minute, second) = (num(11, 2)?, num(14, 2)?, num(17, 2)?);
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) || hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let offset = match b.get(19..)? {
        b"Z" | b"z" => 0,
        [sign @ (b'+' | b'-'), ..] if b.len() == 25 && sep(22, b":") => {
            let (oh, om) = (num(20, 2)?, num(23, 2)?);
            if oh > 23 || om > 59 {
                return None;
            }
            let minutes = oh * 60 + om;
            if *sign == b'+' {
                minutes * 60
            } else {
                -minutes * 60
            }
        }
        _ => return None,
    };
    let local = days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second;
    Some(local - offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_date_is_written_in_the_zone_of_the_start() {
        let start = "1998-05-21T05:33:29-07:00";
        let t = parse_iso8601_utc(start).unwrap();
        assert_eq!(iso8601_offset(start), -25_200);
        assert_eq!(rfc5322_date_in(t, iso8601_offset(start)), "Thu, 21 May 1998 05:33:29 -0700");
        assert_eq!(rfc5322_date_in(t, 0), rfc5322_date(t));
        assert_eq!(rfc5322_date(t), "Thu, 21 May 1998 12:33:29 +0000");
        assert_eq!(iso8601_offset("2026-11-28T09:00:00+05:30"), 19_800);
        assert_eq!(iso8601_offset("2026-11-28T09:00:00Z"), 0);
    }

    #[test]
    fn known_dates() {
        assert_eq!(rfc5322_date(0), "Thu, 01 Jan 1970 00:00:00 +0000");
        assert_eq!(rfc5322_date(951_782_400), "Tue, 29 Feb 2000 00:00:00 +0000");
        assert_eq!(rfc5322_date(1_795_856_400), "Sat, 28 Nov 2026 09:00:00 +0000");
        assert_eq!(rfc5322_date(-1), "Wed, 31 Dec 1969 23:59:59 +0000");
        assert_eq!(rfc5322_date(1_709_164_800), "Thu, 29 Feb 2024 00:00:00 +0000");
        assert_eq!(rfc5322_date(4_107_542_400), "Mon, 01 Mar 2100 00:00:00 +0000");
    }

    #[test]
    fn extreme_inputs_do_not_panic() {
        for s in [i64::MIN, i64::MIN + 1, i64::MAX, i64::MAX / 2, -62_167_219_200] {
            let _ = rfc5322_date(s);
        }
        assert_eq!(rfc5322_date(-62_167_219_200), "Sat, 01 Jan 0000 00:00:00 +0000");
    }

    #[test]
    fn parse_known() {
        assert_eq!(parse_iso8601_utc("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_iso8601_utc("2026-11-28T09:00:00Z"), Some(1_795_856_400));
        assert_eq!(parse_iso8601_utc("2000-02-29T00:00:00Z"), Some(951_782_400));
        assert_eq!(parse_iso8601_utc("2026-11-28T10:00:00+01:00"), Some(1_795_856_400));
        assert_eq!(parse_iso8601_utc("2026-11-28T04:30:00-04:30"), Some(1_795_856_400));
        assert_eq!(parse_iso8601_utc("1969-12-31T23:59:59Z"), Some(-1));
    }

    #[test]
    fn parse_rejects() {
        for bad in [
            "",
            "2026-11-28",
            "2026-11-28T09:00:00",
            "2026-11-28T09:00:00.5Z",
            "2026-13-01T00:00:00Z",
            "2026-02-29T00:00:00Z",
            "1900-02-29T00:00:00Z",
            "2026-11-28T24:00:00Z",
            "2026-11-28T09:60:00Z",
            "2026-11-28T09:00:60Z",
            "2026-11-28T09:00:00+1:00",
            "2026-11-28T09:00:00Zjunk",
            "+026-11-28T09:00:00Z",
            "2026-11-28T09:00:00ü",
        ] {
            assert_eq!(parse_iso8601_utc(bad), None, "{bad}");
        }
    }

    #[test]
    fn round_trip_every_day_for_a_few_centuries() {
        let start = days_from_civil(1890, 1, 1);
        let end = days_from_civil(2410, 1, 1);
        for d in start..end {
            let (y, m, dd) = civil_from_days(d);
            assert_eq!(days_from_civil(y, m, dd), d);
            assert!(dd >= 1 && dd <= days_in_month(y, m));
        }
    }
}
