//! Calendar arithmetic for deadlines: calendar days, years and working days.
//!
//! Dates are counted as day numbers (days since 1970-01-01), so adding days is plain integer
//! arithmetic and works for any year a [`Date`] can hold.
//!
//! A working-day calendar is what a regulation names ([`CalendarSpec`]): a built-in table of
//! holidays and adjusted working days, if any, plus the policy's own `calendar` block on top (a
//! date listed both ways is a holiday). Without a built-in table, Monday to Friday are working
//! days except the policy's holidays.
//!
//! The built-in tables ([`BUILTIN_CALENDARS`]):
//! - `cn-mainland`: mainland China. Monday to Friday are working days except the statutory
//!   holidays, and some Saturdays and Sundays are adjusted working days. The table comes from
//!   the `chinese_holiday` crate and covers 2004-01-01 to 2026-12-25.
//!
//! With a built-in table, a date is *known* when it lies in the table's range or in a year that
//! the policy's calendar mentions. Past what is known, Monday to Friday are counted as working
//! days, and a deadline counted over such a day is *approximate*.

use crate::ir::{CalendarSpec, Date};

/// The names of the built-in working-day tables a regulation may name.
pub const BUILTIN_CALENDARS: &[&str] = &["cn-mainland"];

/// The first and last dates of the mainland table.
const MAINLAND_FIRST: Date = Date {
    year: 2004,
    month: 1,
    day: 1,
};
const MAINLAND_LAST: Date = Date {
    year: 2026,
    month: 12,
    day: 25,
};

/// The number of days from 1970-01-01 to a date (negative before it).
///
/// The month and day are not checked: a day past the end of its month counts on into the next.
pub fn day_number(date: Date) -> i64 {
    let month = i64::from(date.month);
    let year = i64::from(date.year) - i64::from(month <= 2);
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let shifted_month = if month > 2 { month - 3 } else { month + 9 };
    let day_of_year = (153 * shifted_month + 2) / 5 + i64::from(date.day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The date of a day number; `None` when its year does not fit a [`Date`].
pub fn date_of(day: i64) -> Option<Date> {
    let shifted = day.checked_add(719_468)?;
    let era = shifted.div_euclid(146_097);
    let day_of_era = shifted - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day_of_month = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    let month = if shifted_month < 10 {
        shifted_month + 3
    } else {
        shifted_month - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    Some(Date {
        year: i32::try_from(year).ok()?,
        month: u8::try_from(month).ok()?,
        day: u8::try_from(day_of_month).ok()?,
    })
}

/// The day of the week of a day number: 0 is Monday, 6 is Sunday.
pub fn weekday(day: i64) -> u8 {
    // 1970-01-01 was a Thursday.
    (day + 3).rem_euclid(7) as u8
}

/// The date `days` calendar days after `date` (before it when negative); `None` when the
/// result does not fit a [`Date`].
pub fn add_days(date: Date, days: i64) -> Option<Date> {
    date_of(day_number(date).checked_add(days)?)
}

/// The same day `years` years after `date`; 29 February becomes 28 February in a common year.
/// `None` when the result does not fit a [`Date`].
pub fn add_years(date: Date, years: i64) -> Option<Date> {
    let year = i32::try_from(i64::from(date.year).checked_add(years)?).ok()?;
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let day = if date.month == 2 && date.day == 29 && !leap {
        28
    } else {
        date.day
    };
    Some(Date {
        year,
        month: date.month,
        day,
    })
}

/// The end of a sum of working days: the day reached, and the first day counted that the
/// calendar has no holiday data for, if any.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WorkingDaySum {
    /// The day number of the last working day counted.
    pub day: i64,
    /// The first day counted that the calendar does not know, if any.
    pub unknown_from: Option<Date>,
}

/// A built-in table of working days.
#[derive(Clone, Debug)]
struct Table {
    /// The day number of the table's first date.
    first: i64,
    /// The day number of its last date.
    last: i64,
    first_year: i32,
    last_year: i32,
    /// One bit per day of the table, set for a working day.
    bits: Vec<u64>,
}

impl Table {
    /// The built-in table of this name.
    fn builtin(name: &str) -> Option<Table> {
        match name {
            "cn-mainland" => Some(Table::build(
                MAINLAND_FIRST,
                MAINLAND_LAST,
                mainland_workday,
            )),
            _ => None,
        }
    }

    fn build(first: Date, last: Date, is_workday: fn(Date) -> bool) -> Table {
        let (first_day, last_day) = (day_number(first), day_number(last));
        let days = usize::try_from(last_day - first_day + 1).unwrap_or(0);
        let mut bits = vec![0u64; days.div_ceil(64)];
        let mut date = first;
        for index in 0..days {
            if is_workday(date) {
                bits[index / 64] |= 1 << (index % 64);
            }
            date = add_days(date, 1).unwrap_or(last);
        }
        Table {
            first: first_day,
            last: last_day,
            first_year: first.year,
            last_year: last.year,
            bits,
        }
    }

    fn index(&self, day: i64) -> Option<usize> {
        (day <= self.last)
            .then(|| usize::try_from(day - self.first).ok())
            .flatten()
    }
}

/// The regulation names a working-day calendar this runtime does not have.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownCalendar {
    pub name: String,
}

/// A working-day calendar: a built-in table, if any, and the policy's additions.
#[derive(Clone, Debug)]
pub struct Calendar {
    table: Option<Table>,
    /// Day numbers the policy declares holidays, sorted.
    holidays: Vec<i64>,
    /// Day numbers the policy declares working days, sorted.
    workdays: Vec<i64>,
    /// Years the policy's calendar mentions, sorted.
    known_years: Vec<i32>,
    /// The last day the calendar knows: after it, only weekdays are counted.
    horizon: i64,
}

impl Calendar {
    /// The calendar a regulation names, with the policy's holidays and working days added.
    pub fn new(spec: &CalendarSpec) -> Result<Calendar, UnknownCalendar> {
        let table = match &spec.base {
            None => None,
            Some(name) => {
                Some(Table::builtin(name).ok_or_else(|| UnknownCalendar { name: name.clone() })?)
            }
        };
        let sorted = |dates: &[Date]| {
            let mut days: Vec<i64> = dates.iter().map(|d| day_number(*d)).collect();
            days.sort_unstable();
            days.dedup();
            days
        };
        let mut known_years: Vec<i32> = spec
            .holidays
            .iter()
            .chain(&spec.workdays)
            .map(|d| d.year)
            .collect();
        known_years.sort_unstable();
        known_years.dedup();
        let holidays = sorted(&spec.holidays);
        let workdays = sorted(&spec.workdays);
        let last_override = holidays.last().max(workdays.last()).copied();
        let horizon = match &table {
            // Past the table and the policy's years, only weekdays count, approximately.
            Some(table) => known_years
                .last()
                .map(|&year| {
                    day_number(Date {
                        year,
                        month: 12,
                        day: 31,
                    })
                })
                .map_or(table.last, |end| end.max(table.last)),
            // Without a table, weekdays are the rule: nothing is approximate, and past the
            // policy's last override whole weeks can be counted at once.
            None => last_override.unwrap_or(i64::MIN),
        };
        Ok(Calendar {
            table,
            holidays,
            workdays,
            known_years,
            horizon,
        })
    }

    /// Whether the calendar has holiday data for a date.
    pub fn is_known(&self, date: Date) -> bool {
        match &self.table {
            None => true,
            Some(table) => {
                table.index(day_number(date)).is_some() || self.known_years.contains(&date.year)
            }
        }
    }

    /// Whether the calendar has holiday data for at least part of a year.
    pub fn has_data_for_year(&self, year: i32) -> bool {
        match &self.table {
            None => true,
            Some(table) => {
                (table.first_year..=table.last_year).contains(&year)
                    || self.known_years.contains(&year)
            }
        }
    }

    /// Whether a date is a working day (for an unknown date: whether it is Monday to Friday).
    pub fn is_working_day(&self, date: Date) -> bool {
        self.is_working(day_number(date))
    }

    /// The `n`th working day after `date`, and whether it is approximate because a day counted
    /// lies outside what the calendar knows. With `n` zero, `date` itself.
    pub fn add_working_days(&self, date: Date, n: u32) -> (Date, bool) {
        let sum = self.sum_working_days(date, n);
        let end = date_of(sum.day).unwrap_or(date);
        (end, sum.unknown_from.is_some())
    }

    /// Like [`Calendar::add_working_days`], with the day number reached and the first day
    /// counted without holiday data, for messages.
    pub fn sum_working_days(&self, date: Date, n: u32) -> WorkingDaySum {
        let mut day = day_number(date);
        let mut left = i64::from(n);
        let mut unknown_from = None;
        while left > 0 {
            if day >= self.horizon {
                // Every later day is a plain weekday: count whole weeks at once, then the rest.
                if unknown_from.is_none() && self.table.is_some() {
                    unknown_from = date_of(day + 1);
                }
                return WorkingDaySum {
                    day: add_weekdays(day, left),
                    unknown_from,
                };
            }
            day += 1;
            if unknown_from.is_none() && !self.in_table(day) {
                unknown_from = date_of(day).filter(|d| !self.known_years.contains(&d.year));
            }
            if self.is_working(day) {
                left -= 1;
            }
        }
        WorkingDaySum { day, unknown_from }
    }

    /// Whether a day lies in the built-in table; true of every day when there is none.
    fn in_table(&self, day: i64) -> bool {
        self.table.as_ref().is_none_or(|t| t.index(day).is_some())
    }

    fn is_working(&self, day: i64) -> bool {
        if self.holidays.binary_search(&day).is_ok() {
            return false;
        }
        if self.workdays.binary_search(&day).is_ok() {
            return true;
        }
        match self.table.as_ref().and_then(|t| Some((t, t.index(day)?))) {
            Some((table, index)) => table
                .bits
                .get(index / 64)
                .is_some_and(|bits| bits & (1 << (index % 64)) != 0),
            None => weekday(day) < 5,
        }
    }
}

/// Whether the mainland holiday table says a date is a working day.
fn mainland_workday(date: Date) -> bool {
    match (
        u16::try_from(date.year),
        date.month,
        date.day,
        date >= MAINLAND_FIRST && date <= MAINLAND_LAST,
    ) {
        (Ok(year), month, day, true) => {
            chinese_holiday::chinese_holiday(chinese_holiday::Ymd::new(year, month, day))
                .is_workday()
        }
        _ => weekday(day_number(date)) < 5,
    }
}

/// The `count`th day from Monday to Friday after `day`.
fn add_weekdays(day: i64, count: i64) -> i64 {
    let mut day = day;
    let mut count = count;
    if count > 5 {
        // Any seven consecutive days hold exactly five weekdays.
        let weeks = (count - 1) / 5;
        day += weeks * 7;
        count -= weeks * 5;
    }
    while count > 0 {
        day += 1;
        if weekday(day) < 5 {
            count -= 1;
        }
    }
    day
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(year: i32, month: u8, day: u8) -> Date {
        Date { year, month, day }
    }

    fn mainland() -> Calendar {
        Calendar::new(&CalendarSpec {
            base: Some("cn-mainland".to_owned()),
            ..CalendarSpec::default()
        })
        .unwrap()
    }

    #[test]
    fn day_numbers_round_trip() {
        assert_eq!(day_number(date(1970, 1, 1)), 0);
        assert_eq!(day_number(date(2000, 3, 1)), 11_017);
        for day in -800_000..800_000 {
            assert_eq!(day_number(date_of(day).unwrap()), day);
        }
        // 2025-09-26 is a Friday.
        assert_eq!(weekday(day_number(date(2025, 9, 26))), 4);
    }

    #[test]
    fn adds_days_and_years() {
        assert_eq!(add_days(date(2025, 12, 31), 1), Some(date(2026, 1, 1)));
        assert_eq!(add_days(date(2024, 2, 28), 1), Some(date(2024, 2, 29)));
        assert_eq!(add_years(date(2024, 2, 29), 1), Some(date(2025, 2, 28)));
        assert_eq!(add_years(date(2024, 2, 29), 4), Some(date(2028, 2, 29)));
    }

    #[test]
    fn national_day_2025() {
        let calendar = mainland();
        // Sunday 2025-09-28 and Saturday 2025-10-11 are adjusted working days; 1–8 October
        // are holidays.
        assert!(calendar.is_working_day(date(2025, 9, 28)));
        assert!(calendar.is_working_day(date(2025, 10, 11)));
        assert!(!calendar.is_working_day(date(2025, 10, 1)));
        assert!(!calendar.is_working_day(date(2025, 10, 8)));
        assert_eq!(
            calendar.add_working_days(date(2025, 9, 26), 30),
            (date(2025, 11, 13), false)
        );
        assert_eq!(
            calendar.add_working_days(date(2025, 9, 26), 1),
            (date(2025, 9, 28), false)
        );
        assert_eq!(
            calendar.add_working_days(date(2025, 9, 26), 0),
            (date(2025, 9, 26), false)
        );
    }

    #[test]
    fn past_the_table_counts_weekdays_and_is_approximate() {
        let calendar = mainland();
        // Monday 2026-12-14 plus 30 weekdays runs into 2027.
        let sum = calendar.sum_working_days(date(2026, 12, 14), 30);
        assert_eq!(sum.unknown_from, Some(date(2026, 12, 26)));
        let (end, approximate) = calendar.add_working_days(date(2027, 3, 1), 10);
        assert!(approximate);
        assert_eq!(end, date(2027, 3, 15));
        // A long count past the table agrees with counting day by day.
        let (end, _) = calendar.add_working_days(date(2027, 1, 4), 503);
        let mut day = day_number(date(2027, 1, 4));
        let mut left = 503;
        while left > 0 {
            day += 1;
            if weekday(day) < 5 {
                left -= 1;
            }
        }
        assert_eq!(day_number(end), day);
    }

    #[test]
    fn policy_days_override_the_table_and_make_their_year_known() {
        let spec = CalendarSpec {
            base: Some("cn-mainland".to_owned()),
            holidays: vec![date(2027, 10, 1)],
            workdays: vec![date(2027, 9, 26)],
        };
        let calendar = Calendar::new(&spec).unwrap();
        assert!(calendar.is_known(date(2027, 5, 5)));
        assert!(!calendar.is_known(date(2028, 5, 5)));
        assert!(!calendar.is_working_day(date(2027, 10, 1)));
        assert!(calendar.is_working_day(date(2027, 9, 26)));
        // Friday 2027-09-24: Sunday 26th is a working day, Friday 1 October a holiday.
        assert_eq!(
            calendar.add_working_days(date(2027, 9, 24), 5),
            (date(2027, 9, 30), false)
        );
        assert_eq!(
            calendar.add_working_days(date(2027, 9, 24), 6),
            (date(2027, 10, 4), false)
        );
        assert_eq!(
            calendar.add_working_days(date(2027, 12, 30), 2),
            (date(2028, 1, 3), true)
        );
    }

    #[test]
    fn without_a_table_weekdays_count_and_nothing_is_approximate() {
        let plain = Calendar::new(&CalendarSpec {
            base: None,
            holidays: vec![date(2025, 10, 1)],
            workdays: vec![],
        })
        .unwrap();
        // 2025-10-01 is a Wednesday and the policy's only holiday.
        assert!(!plain.is_working_day(date(2025, 10, 1)));
        assert!(plain.is_working_day(date(2025, 10, 2)));
        assert_eq!(
            plain.add_working_days(date(2025, 9, 30), 2),
            (date(2025, 10, 3), false)
        );
        assert_eq!(
            plain.add_working_days(date(2030, 1, 1), 10),
            (date(2030, 1, 15), false)
        );
        assert!(plain.has_data_for_year(2090));
    }

    #[test]
    fn an_unknown_table_is_refused() {
        let spec = CalendarSpec {
            base: Some("atlantis".to_owned()),
            ..CalendarSpec::default()
        };
        assert_eq!(
            Calendar::new(&spec).unwrap_err(),
            UnknownCalendar {
                name: "atlantis".to_owned()
            }
        );
        for name in BUILTIN_CALENDARS {
            let spec = CalendarSpec {
                base: Some((*name).to_owned()),
                ..CalendarSpec::default()
            };
            assert!(Calendar::new(&spec).is_ok(), "{name}");
        }
    }
}
