//! `edict deadline`: the due date of a period on the working-day calendar.

use std::path::PathBuf;

use edict_runtime::calendar::{self, BUILTIN_CALENDARS, Calendar};
use edict_runtime::{ir, time};

use crate::Format;
use crate::compile::{OK, USAGE, plural, single_program};

/// The calendar `edict deadline` counts on when neither `--calendar` nor a policy names one.
const DEFAULT_CALENDAR: &str = "cn-mainland";

#[derive(clap::Args)]
#[command(group(
    clap::ArgGroup::new("period")
        .required(true)
        .args(["working_days", "days"])
))]
pub struct DeadlineArgs {
    /// The date of the triggering event, YYYY-MM-DD.
    #[arg(long)]
    from: String,
    /// Count this many working days (give this or `--days`).
    #[arg(long)]
    working_days: Option<u32>,
    /// Count this many calendar days (give this or `--working-days`).
    #[arg(long)]
    days: Option<u32>,
    /// The built-in working-day calendar: `cn-mainland` (mainland China: statutory holidays
    /// off, adjusted weekend working days on), or `none` for Monday to Friday. Without it, the
    /// calendar the policy's header names, or `cn-mainland` when no policy is given.
    #[arg(long)]
    calendar: Option<String>,
    /// Policy sources whose header names the calendar and whose `calendar` blocks extend it.
    paths: Vec<PathBuf>,
}

pub fn deadline(args: &DeadlineArgs) -> u8 {
    let DeadlineArgs {
        from,
        working_days,
        days,
        calendar,
        paths,
    } = args;
    let (working_days, days) = (*working_days, *days);
    let start = match time::read_date(from) {
        Ok(start) => start,
        Err(time::TimeError::OutOfRange) => {
            eprintln!(
                "error: `--from {from}` is outside the supported dates {}",
                time::SUPPORTED_RANGE
            );
            return USAGE;
        }
        Err(_) => {
            eprintln!("error: `--from {from}` is not a date (write YYYY-MM-DD, e.g. 2025-09-26)");
            return USAGE;
        }
    };
    let mut spec = if paths.is_empty() {
        ir::CalendarSpec {
            base: Some(DEFAULT_CALENDAR.to_owned()),
            ..ir::CalendarSpec::default()
        }
    } else {
        match single_program(paths, Format::Human, false) {
            Ok(program) => program.calendar.clone(),
            Err(code) => return code,
        }
    };
    match calendar.as_deref() {
        None => {}
        Some("none") => spec.base = None,
        Some(name) => spec.base = Some(name.to_owned()),
    }
    let calendar = match Calendar::new(&spec) {
        Ok(calendar) => calendar,
        Err(unknown) => {
            eprintln!(
                "error: `--calendar {}` is not a calendar this edict has; use {} or none",
                unknown.name,
                BUILTIN_CALENDARS.join(", ")
            );
            return USAGE;
        }
    };
    let (due, approximate, what) = match (working_days, days) {
        (Some(n), _) => {
            let (due, approximate) = calendar.add_working_days(start, n);
            (due, approximate, plural(n as usize, "working day"))
        }
        (None, Some(n)) => match calendar::add_days(start, i64::from(n)) {
            Some(due) => (due, false, plural(n as usize, "day")),
            None => {
                eprintln!(
                    "error: the due date falls after {}, the last supported date",
                    time::LAST_DATE
                );
                return USAGE;
            }
        },
        (None, None) => {
            eprintln!("error: give `--working-days N` or `--days N`");
            return USAGE;
        }
    };
    if !time::in_range(due) {
        eprintln!(
            "error: the due date falls after {}, the last supported date",
            time::LAST_DATE
        );
        return USAGE;
    }
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
