//! Reading and writing the times and dates of an event stream.
//!
//! Stream times are RFC 3339 with an explicit UTC offset, such as `2025-06-02T09:30:00+08:00`.
//! The lexical shape is checked here, strictly and without allocating; jiff checks that the
//! date and time exist and converts them to an instant.
//! An instant is kept as whole Unix seconds (rounded down), the nanoseconds past that second,
//! and the offset it was written with, so it can be written back at the same wall-clock time.
//!
//! The supported times and dates are those of the years [`FIRST_YEAR`] to [`LAST_YEAR`]
//! (0001-01-01 to 9998-12-31), written at any offset: every day of them is then a day in every
//! time zone, and every deadline in them can be written `YYYY-MM-DD`. A time or date outside
//! is an input error that says so, never a different time.

use std::fmt;

use jiff::Timestamp;
use jiff::civil::{self, DateTime};
use jiff::tz::Offset;

use crate::ir::Date;

/// The first year of the supported times and dates.
pub const FIRST_YEAR: i32 = 1;
/// The last year of the supported times and dates.
pub const LAST_YEAR: i32 = 9998;

/// The last supported date.
pub const LAST_DATE: Date = Date {
    year: LAST_YEAR,
    month: 12,
    day: 31,
};

/// The supported range in words, for messages.
pub const SUPPORTED_RANGE: &str = "0001-01-01 to 9998-12-31";

/// The supported range in Chinese words.
pub const SUPPORTED_RANGE_ZH: &str = "0001-01-01至9998-12-31";

/// An instant read from an RFC 3339 time.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct ParsedTime {
    /// Seconds since the Unix epoch, rounded down.
    pub second: i64,
    /// Nanoseconds past `second`, below one billion.
    pub subsec_nanos: u32,
    /// The UTC offset the time was written with, in seconds east of UTC.
    pub offset_seconds: i32,
}

impl fmt::Display for ParsedTime {
    /// Writes the instant in RFC 3339 at the offset it was written with.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&format_rfc3339(
            self.second,
            self.subsec_nanos,
            self.offset_seconds,
        ))
    }
}

/// Why a text is not an RFC 3339 time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeError {
    /// The text does not have the shape `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`.
    Shape,
    /// The text is a date and time without a UTC offset.
    NoOffset,
    /// The text has the right shape but names a date or time that does not exist.
    NotReal,
    /// The date exists but lies outside the supported years ([`SUPPORTED_RANGE`]).
    OutOfRange,
}

/// Reads an RFC 3339 time with an explicit offset (`Z` or `±HH:MM`).
///
/// The separator between date and time may be `T`, `t` or a space, as RFC 3339 allows.
/// A leap second (`:60`) is read as the second before it.
pub fn parse_rfc3339(text: &str) -> Result<ParsedTime, TimeError> {
    let b = text.as_bytes();
    let (date, rest) = parse_date_prefix(b)?;
    if !matches!(rest.first(), Some(b'T' | b't' | b' ')) {
        return Err(TimeError::Shape);
    }
    let rest = &rest[1..];
    if rest.len() < 8 || rest[2] != b':' || rest[5] != b':' {
        return Err(TimeError::Shape);
    }
    let hour = two_digits(&rest[0..2]).ok_or(TimeError::Shape)?;
    let minute = two_digits(&rest[3..5]).ok_or(TimeError::Shape)?;
    let second = two_digits(&rest[6..8]).ok_or(TimeError::Shape)?;
    let mut rest = &rest[8..];

    let mut nanos: u32 = 0;
    if let Some((b'.', tail)) = rest.split_first() {
        let digits = tail.iter().take_while(|c| c.is_ascii_digit()).count();
        if digits == 0 {
            return Err(TimeError::Shape);
        }
        for (i, &c) in tail[..digits].iter().enumerate() {
            if i < 9 {
                nanos = nanos * 10 + u32::from(c - b'0');
            }
        }
        for _ in digits..9 {
            nanos *= 10;
        }
        rest = &tail[digits..];
    }

    let offset_seconds: i32 = match rest {
        [] => return Err(TimeError::NoOffset),
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let hours = two_digits(&[*h1, *h2]).ok_or(TimeError::Shape)?;
            let minutes = two_digits(&[*m1, *m2]).ok_or(TimeError::Shape)?;
            if hours > 23 || minutes > 59 {
                return Err(TimeError::NotReal);
            }
            let magnitude = i32::from(hours) * 3600 + i32::from(minutes) * 60;
            if *sign == b'-' { -magnitude } else { magnitude }
        }
        _ => return Err(TimeError::Shape),
    };

    if hour > 23 || minute > 59 || second > 60 {
        return Err(TimeError::NotReal);
    }
    let second = second.min(59);
    let datetime = DateTime::new(
        i16::try_from(date.year).map_err(|_| TimeError::NotReal)?,
        date.month as i8,
        date.day as i8,
        hour as i8,
        minute as i8,
        second as i8,
        0,
    )
    .map_err(|_| TimeError::NotReal)?;
    let offset = Offset::from_seconds(offset_seconds).map_err(|_| TimeError::NotReal)?;
    let instant = offset
        .to_timestamp(datetime)
        .map_err(|_| TimeError::NotReal)?;
    Ok(ParsedTime {
        second: instant.as_second(),
        subsec_nanos: nanos,
        offset_seconds,
    })
}

/// Reads a calendar date written `YYYY-MM-DD`; `None` if it has another shape, does not exist
/// or is outside the supported years.
pub fn parse_date(text: &str) -> Option<Date> {
    read_date(text).ok()
}

/// Reads a calendar date written `YYYY-MM-DD`, or says why it is not one.
pub fn read_date(text: &str) -> Result<Date, TimeError> {
    match parse_date_prefix(text.as_bytes())? {
        (date, []) => Ok(date),
        _ => Err(TimeError::Shape),
    }
}

/// Whether a date lies in the supported years.
pub fn in_range(date: Date) -> bool {
    (FIRST_YEAR..=LAST_YEAR).contains(&date.year)
}

/// Whether a text has the shape of a date (`YYYY-MM-DD`), whether or not that date exists.
pub(crate) fn looks_like_date(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}

/// Writes an instant in RFC 3339 at the given offset, with a fraction only when it is not zero.
///
/// An offset of zero is written `+00:00`.
pub fn format_rfc3339(second: i64, subsec_nanos: u32, offset_seconds: i32) -> String {
    let nanos = i32::try_from(subsec_nanos).unwrap_or(0);
    match (
        Timestamp::new(second, nanos),
        Offset::from_seconds(offset_seconds),
    ) {
        (Ok(instant), Ok(offset)) => instant.display_with_offset(offset).to_string(),
        // Out of jiff's range: only reachable for values that no parsed time can have.
        _ => second.to_string(),
    }
}

/// Reads `YYYY-MM-DD` at the start of `b`, checking that the date exists.
fn parse_date_prefix(b: &[u8]) -> Result<(Date, &[u8]), TimeError> {
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return Err(TimeError::Shape);
    }
    let year = four_digits(&b[0..4]).ok_or(TimeError::Shape)?;
    let month = two_digits(&b[5..7]).ok_or(TimeError::Shape)?;
    let day = two_digits(&b[8..10]).ok_or(TimeError::Shape)?;
    civil::Date::new(year, month as i8, day as i8).map_err(|_| TimeError::NotReal)?;
    let date = Date {
        year: i32::from(year),
        month,
        day,
    };
    if !in_range(date) {
        return Err(TimeError::OutOfRange);
    }
    Ok((date, &b[10..]))
}

fn two_digits(b: &[u8]) -> Option<u8> {
    match b {
        [a, c] if a.is_ascii_digit() && c.is_ascii_digit() => Some((a - b'0') * 10 + (c - b'0')),
        _ => None,
    }
}

fn four_digits(b: &[u8]) -> Option<i16> {
    let mut value: i16 = 0;
    for &c in b {
        if !c.is_ascii_digit() {
            return None;
        }
        value = value * 10 + i16::from(c - b'0');
    }
    Some(value)
}

/// The start of a calendar day in a time zone, as Unix seconds.
pub(crate) fn start_of_day(date: Date, zone: &jiff::tz::TimeZone) -> Option<i64> {
    let year = i16::try_from(date.year).ok()?;
    let month = i8::try_from(date.month).ok()?;
    let day = i8::try_from(date.day).ok()?;
    let day = civil::Date::new(year, month, day).ok()?;
    let zoned = day.to_zoned(zone.clone()).ok()?;
    Some(zoned.start_of_day().ok()?.timestamp().as_second())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_offsets_and_fractions() {
        let t = parse_rfc3339("2025-06-02T09:30:00.25+08:00").unwrap();
        assert_eq!(t.second, 1_748_827_800);
        assert_eq!(t.subsec_nanos, 250_000_000);
        assert_eq!(t.offset_seconds, 8 * 3600);
        assert_eq!(t.to_string(), "2025-06-02T09:30:00.25+08:00");
        let z = parse_rfc3339("2025-06-02T01:30:00Z").unwrap();
        assert_eq!(z.second, t.second);
        assert_eq!(z.to_string(), "2025-06-02T01:30:00+00:00");
    }

    #[test]
    fn rejects_what_is_not_rfc_3339() {
        assert_eq!(
            parse_rfc3339("2025-06-02T09:30:00"),
            Err(TimeError::NoOffset)
        );
        assert_eq!(
            parse_rfc3339("2025-06-02T09:30+08:00"),
            Err(TimeError::Shape)
        );
        assert_eq!(
            parse_rfc3339("2025-02-30T09:30:00Z"),
            Err(TimeError::NotReal)
        );
        assert_eq!(
            parse_rfc3339("2025-02-03T24:30:00Z"),
            Err(TimeError::NotReal)
        );
        assert_eq!(parse_rfc3339("yesterday"), Err(TimeError::Shape));
        assert_eq!(parse_date("2024-02-29").map(|d| d.day), Some(29));
        assert_eq!(parse_date("2025-02-29"), None);
        assert!(looks_like_date("2025-02-29"));
    }
}
