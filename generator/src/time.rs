//! Writing the stream's times by hand: RFC 3339 at China Standard Time (+08:00), to the second,
//! without a date library, so that the bytes never depend on one.

use std::fmt::Write as _;

/// Writes Unix seconds as RFC 3339 at +08:00, e.g. `2025-06-02T08:00:00+08:00`.
pub(crate) fn write_time(out: &mut String, unix: i64) {
    let local = unix + 8 * 3600;
    let days = local.div_euclid(86_400);
    let secs = local.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    let _ = write!(
        out,
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}+08:00",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    );
}

/// The proleptic Gregorian date of a count of days since 1970-01-01 (Howard Hinnant's method).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DEFAULT_START;

    #[test]
    fn times_are_formatted_in_china_standard_time() {
        let mut s = String::new();
        write_time(&mut s, DEFAULT_START);
        assert_eq!(s, "2025-06-02T08:00:00+08:00");
        s.clear();
        write_time(&mut s, 951_782_400); // 2000-02-29T00:00:00Z
        assert_eq!(s, "2000-02-29T08:00:00+08:00");
        s.clear();
        write_time(&mut s, -1); // 1969-12-31T23:59:59Z
        assert_eq!(s, "1970-01-01T07:59:59+08:00");
    }

    #[test]
    fn days_become_dates_across_leap_years_and_centuries() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
        assert_eq!(civil_from_days(10_956), (1999, 12, 31));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        assert_eq!(civil_from_days(47_541), (2100, 3, 1));
    }
}
