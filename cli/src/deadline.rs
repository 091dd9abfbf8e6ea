//! `edict deadline`: the due date of a period on the working-day calendar.

use std::path::PathBuf;

use edict_runtime::calendar::{self, Calendar};
use edict_runtime::{ir, time};

use crate::Format;
use crate::compile::{OK, USAGE, plural, single_program};

pub fn deadline(from: &str, working_days: Option<u32>, days: Option<u32>, paths: &[PathBuf]) -> u8 {
    let Some(start) = time::parse_date(from) else {
        eprintln!("error: `--from {from}` is not a date (write YYYY-MM-DD, e.g. 2025-09-26)");
        return USAGE;
    };
    let overrides = if paths.is_empty() {
        ir::CalendarOverrides::default()
    } else {
        match single_program(paths, Format::Human) {
            Ok(program) => program.calendar.clone(),
            Err(code) => return code,
        }
    };
    let calendar = Calendar::mainland(&overrides);
    let (due, approximate, what) = match (working_days, days) {
        (Some(n), _) => {
            let (due, approximate) = calendar.add_working_days(start, n);
            (due, approximate, plural(n as usize, "working day"))
        }
        (None, Some(n)) => match calendar::add_days(start, i64::from(n)) {
            Some(due) => (due, false, plural(n as usize, "day")),
            None => {
                eprintln!("error: the due date is outside the calendar");
                return USAGE;
            }
        },
        (None, None) => {
            eprintln!("error: give `--working-days N` or `--days N`");
            return USAGE;
        }
    };
    let weekday = WEEKDAYS[usize::from(calendar::weekday(calendar::day_number(due)))];
    println!("{due}");
    eprintln!("due by the end of {weekday} {due}: {what} after {start}, counted from the next day");
    if approximate {
        eprintln!(
            "note: the calendar has no holiday data for part of this period, so those days were counted as Monday to Friday; add the year's holidays in a `calendar` block"
        );
    }
    OK
}

const WEEKDAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];
