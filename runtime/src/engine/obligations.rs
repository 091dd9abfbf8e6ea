//! Obligations: arming a deadline, discharging it, and reporting it overdue; the arithmetic of
//! periods.

use std::cmp::Reverse;
use std::sync::Arc;

use jiff::Timestamp;

use super::plan::{Action, Prepared};
use super::trigger::{Kept, KeyTrigger, TriggerRef};
use super::{DayCache, Run};
use crate::eval::{Binding, Env, Operand, eval_bool, eval_operand};
use crate::event::Event;
use crate::finding::{Finding, FindingKind};
use crate::ir::{Body, Date, Deadline, Duration, DurationUnit, PATTERN_SLOT, TRIGGER_SLOT, Value};
use crate::join::{Key, Slab};
use crate::{calendar, time};

/// What an obligation keeps of its trigger: of an event, a slim copy in the obligation itself.
#[derive(Clone, Debug)]
pub(super) enum Bound {
    Event(Kept),
    Key(Arc<KeyTrigger>),
}

impl Bound {
    pub(super) fn as_ref(&self) -> TriggerRef<'_> {
        match self {
            Bound::Event(kept) => TriggerRef::Kept(kept),
            Bound::Key(key) => TriggerRef::Key(key),
        }
    }
}

/// What starts an obligation: an event, of which it keeps a slim copy, or a key.
#[derive(Clone, Copy, Debug)]
pub(super) enum Arming<'a> {
    Event(&'a Event),
    Key(&'a Arc<KeyTrigger>),
}

/// When an obligation falls due.
#[derive(Clone, Copy, Debug)]
pub(super) struct Due {
    /// The last day allowed, in the regulation's time zone.
    pub(super) date: Date,
    /// The start of the next day (Unix seconds): an event at or after it is late.
    pub(super) instant: i64,
    /// The first day counted without holiday data, for an approximate deadline.
    pub(super) unknown_from: Option<Date>,
}

/// A pending deadline.
#[derive(Clone, Debug)]
pub(super) struct Obligation {
    /// The deadline rule, by its number in [`Prepared::deadlines`].
    pub(super) plan: usize,
    pub(super) trigger: Bound,
    pub(super) line: u64,
    pub(super) due: Due,
    /// Distinguishes this obligation from a later one stored in the same place.
    pub(super) seq: u64,
}

impl Run {
    /// Starts an obligation for a deadline rule whose trigger fired.
    /// The obligation keeps a slim copy of a triggering event (see [`Kept`]).
    /// `due` is when it falls due, from [`Prepared::due_of`].
    pub(super) fn arm(
        &mut self,
        p: &Prepared,
        rule: usize,
        arming: Arming<'_>,
        due: Due,
        line: u64,
    ) {
        let Action::Deadline(plan) = p.actions[rule] else {
            return;
        };
        let trigger = match arming {
            Arming::Event(event) => Bound::Event(Kept::of(&p.deadlines[plan].keep, event)),
            Arming::Key(key) => Bound::Key(Arc::clone(key)),
        };
        let seq = self.next_seq;
        self.next_seq += 1;
        let Some(id) = self.obligations.insert(Obligation {
            plan,
            trigger,
            line,
            due,
            seq,
        }) else {
            return;
        };
        self.queue.push(Reverse((due.instant, seq, id)));
        self.index(p, plan, id);
    }

    /// Puts a stored obligation in its deadline rule's index.
    pub(super) fn index(&mut self, p: &Prepared, plan: usize, id: u32) {
        self.reindex(p, plan, id, true);
    }

    /// Inserts a stored obligation into, or removes it from, its deadline rule's index under
    /// the key its trigger gives. An obligation missing a joined value is in no index: it can
    /// never be discharged and stays queued.
    fn reindex(&mut self, p: &Prepared, plan: usize, id: u32, insert: bool) {
        let Some(obligation) = self.obligations.get(id) else {
            return;
        };
        let env = p
            .env()
            .with(TRIGGER_SLOT, obligation.trigger.as_ref().binding());
        if let Some(key) = p.deadlines[plan].matcher.remembered_key(&env) {
            let obligations = &self.obligations;
            let same = |other| keyed(p, plan, obligations, other, &key);
            if insert {
                self.pending[plan].insert(&key, id, same);
            } else {
                self.pending[plan].remove(&key, id, same);
            }
        }
    }

    /// Discharges the obligations of a deadline rule that an event meets in time.
    pub(super) fn discharge(&mut self, p: &Prepared, plan: usize, event: &Event) {
        let join = &p.deadlines[plan];
        let Body::Deadline { pattern, .. } = &p.program.rules[join.rule].body else {
            return;
        };
        let env = p.env().with(PATTERN_SLOT, Binding::Event(event));
        let Some(key) = join.matcher.probe_key(&env) else {
            return;
        };
        let Run {
            pending,
            obligations,
            ids,
            ..
        } = self;
        let mut met = std::mem::take(ids);
        met.clear();
        pending[plan].retain(
            &key,
            |other| keyed(p, plan, obligations, other, &key),
            |id| {
                let discharged = obligations.get(id).is_some_and(|o| {
                    let env = env.with(TRIGGER_SLOT, o.trigger.as_ref().binding());
                    event.time < o.due.instant
                        && pattern
                            .condition
                            .as_ref()
                            .is_none_or(|c| eval_bool(c, &env))
                });
                if discharged {
                    met.push(id);
                }
                !discharged
            },
        );
        for &id in &met {
            obligations.remove(id);
        }
        *ids = met;
    }

    /// Reports as `overdue` every obligation whose deadline is at or before the watermark.
    pub(super) fn expire(&mut self, p: &Prepared, watermark: i64, out: &mut impl FnMut(Finding)) {
        while let Some(&Reverse((instant, seq, id))) = self.queue.peek() {
            if instant > watermark {
                break;
            }
            self.queue.pop();
            if let Some(obligation) = self.settle(p, id, seq) {
                let finding = p.obligation_finding(FindingKind::Overdue, &obligation);
                self.emit(finding, out);
            }
        }
    }

    /// Takes a still-pending obligation out of its index (first: the index reads keys from
    /// the obligations it holds), then out of the store.
    pub(super) fn settle(&mut self, p: &Prepared, id: u32, seq: u64) -> Option<Obligation> {
        let obligation = self.obligations.get(id)?;
        if obligation.seq != seq {
            return None;
        }
        let plan = obligation.plan;
        self.reindex(p, plan, id, false);
        self.obligations.remove(id)
    }
}

/// Whether obligation `id` of deadline rule `plan` is remembered under `key` in the rule's
/// index.
fn keyed(
    p: &Prepared,
    plan: usize,
    obligations: &Slab<Obligation>,
    id: u32,
    key: &Key<'_>,
) -> bool {
    obligations.get(id).is_some_and(|o| {
        let env = p.env().with(TRIGGER_SLOT, o.trigger.as_ref().binding());
        p.deadlines[plan]
            .matcher
            .remembered_key(&env)
            .is_some_and(|k| k.same_as(key))
    })
}

/// Why a period cannot be counted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum PeriodError {
    /// The amount is negative.
    Negative,
    /// The last day would fall after the last supported date.
    PastRange,
}

impl Prepared {
    /// The UTC offset of the regulation's time zone at an instant, in seconds.
    pub(super) fn offset_at(&self, second: i64) -> i32 {
        Timestamp::from_second(second)
            .map(|t| self.time_zone.to_offset(t).seconds())
            .unwrap_or(0)
    }

    /// The start of the day after `date` in the regulation's time zone; the largest instant
    /// when that day cannot be represented.
    pub(super) fn end_of_day(&self, date: Date) -> i64 {
        calendar::add_days(date, 1)
            .and_then(|next| time::start_of_day(next, &self.time_zone))
            .unwrap_or(i64::MAX)
    }

    /// The number of units of a period, read with the trigger (and pattern) bound; `None` when
    /// it is missing or not an integer.
    pub(super) fn amount(duration: &Duration, env: &Env<'_>) -> Option<i64> {
        match eval_operand(&duration.amount, env) {
            Operand::Value(Value::Int(n)) => Some(*n),
            Operand::Int(n) => Some(n),
            _ => None,
        }
    }

    /// The last day of a period of `amount` units counted from the day after `day`, with the
    /// first day counted without holiday data; an error when the amount is negative or the last
    /// day falls after the last supported date.
    pub(super) fn period_end(
        &self,
        duration: &Duration,
        amount: i64,
        day: i64,
    ) -> Result<(Date, Option<Date>), PeriodError> {
        if amount < 0 {
            return Err(PeriodError::Negative);
        }
        let start = calendar::date_of(day).ok_or(PeriodError::PastRange)?;
        let (end, unknown_from) = match duration.unit {
            DurationUnit::Days => (calendar::add_days(start, amount), None),
            DurationUnit::Years => (calendar::add_years(start, amount), None),
            DurationUnit::WorkingDays => {
                // n working days take at least n calendar days.
                let last = calendar::day_number(time::LAST_DATE);
                if amount > last - day {
                    return Err(PeriodError::PastRange);
                }
                let n = u32::try_from(amount).map_err(|_| PeriodError::PastRange)?;
                let sum = self.calendar.sum_working_days(start, n);
                (calendar::date_of(sum.day), sum.unknown_from)
            }
        };
        match end {
            Some(end) if time::in_range(end) => Ok((end, unknown_from)),
            _ => Err(PeriodError::PastRange),
        }
    }

    /// Whether a remembered event (on day `candidate_day`) is recent enough for a `once …
    /// within` rule triggered on `trigger_day`.
    pub(super) fn within(
        &self,
        duration: &Duration,
        env: &Env<'_>,
        candidate_day: i64,
        trigger_day: i64,
    ) -> bool {
        let Some(amount) = Prepared::amount(duration, env) else {
            return false;
        };
        // A negative window counts as the candidate's day alone; one reaching past the supported
        // dates covers every later day.
        match self.period_end(duration, amount.max(0), candidate_day) {
            Ok((end, _)) => trigger_day <= calendar::day_number(end),
            Err(_) => true,
        }
    }

    /// When the obligation of deadline rule `rule` started by `trigger` falls due: `None` when
    /// the period's amount is missing, an input error's message when the period cannot be
    /// counted.
    pub(super) fn due_of(
        &self,
        rule: usize,
        trigger: TriggerRef<'_>,
        days: &mut DayCache,
    ) -> Result<Option<Due>, String> {
        let Body::Deadline { deadline, .. } = &self.program.rules[rule].body else {
            return Ok(None);
        };
        let (date, unknown_from) = match deadline {
            Deadline::By(date) => (*date, None),
            Deadline::Within { duration, .. } => {
                let env = self.env().with(TRIGGER_SLOT, trigger.binding());
                let Some(amount) = Prepared::amount(duration, &env) else {
                    return Ok(None);
                };
                let day = days.date(&self.time_zone, trigger.time());
                let start = calendar::day_number(day);
                match self.period_end(duration, amount, start) {
                    Ok(end) => end,
                    Err(error) => {
                        let unit = match duration.unit {
                            DurationUnit::Days => "days",
                            DurationUnit::WorkingDays => "working days",
                            DurationUnit::Years => "years",
                        };
                        let id = &self.program.rules[rule].id;
                        let why = match error {
                            PeriodError::Negative => "a period cannot be negative".to_owned(),
                            PeriodError::PastRange => format!(
                                "it would end after {}, the last supported date",
                                time::LAST_DATE
                            ),
                        };
                        return Err(format!(
                            "the period of {amount} {unit} from {day} that rule {id} starts cannot be counted: {why}"
                        ));
                    }
                }
            }
        };
        Ok(Some(Due {
            date,
            instant: self.end_of_day(date),
            unknown_from,
        }))
    }

    /// The finding for a pending obligation.
    pub(super) fn obligation_finding(&self, kind: FindingKind, obligation: &Obligation) -> Finding {
        let rule = self.deadlines[obligation.plan].rule;
        let due = obligation.due;
        let template = &self.reporter.templates[rule];
        let approximate = match due.unknown_from {
            None => String::new(),
            Some(from) if !self.calendar.has_data_for_year(from.year) => format!(
                ", counted as Monday to Friday: the calendar has no holiday data for {}",
                from.year
            ),
            Some(from) => format!(
                ", counted as Monday to Friday: the calendar has no holiday data from {from}"
            ),
        };
        // An open obligation is not yet broken: say so before quoting what breaking it means.
        let message = match kind {
            FindingKind::Open => {
                let requirement = template
                    .message
                    .strip_prefix(&*template.citation)
                    .map_or(&*template.message, |m| m.trim_start_matches(": "));
                format!(
                    "{}: pending, due by {}{approximate}; if it is not met by then: {requirement}",
                    template.citation, due.date
                )
            }
            _ => format!("{} (due by {}{approximate})", template.message, due.date),
        };
        // The last second allowed, on the due date itself: `2025-11-29T23:59:59+08:00` beside a
        // `deadline` of `2025-11-29` (the end of the day, `00:00` of the next, read as a day late).
        let time = match due.instant {
            i64::MAX => due.date.to_string(),
            instant => {
                let last = instant.saturating_sub(1);
                time::format_rfc3339(last, 0, self.offset_at(last))
            }
        };
        self.reporter.finding(
            rule,
            kind,
            obligation.line,
            obligation.trigger.as_ref(),
            time,
            Some(due.date.to_string()),
            Arc::from(message),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::Obligation;

    #[test]
    fn a_pending_obligation_is_one_small_record() {
        // The trigger's kept fields and texts are its only other allocations.
        assert!(
            size_of::<Obligation>() <= 112,
            "{}",
            size_of::<Obligation>()
        );
    }
}
