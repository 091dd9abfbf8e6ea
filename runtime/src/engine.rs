//! The engine: a program prepared for evaluation, and the run over a stream.
//!
//! [`Engine::new`] does all the work that does not depend on events: it checks the program's
//! references, builds the decoder's lookup tables, resolves the regulation's time zone and
//! effective instant, indexes rules, exemptions and state updates by event type, plans the
//! joins of `once` rules and deadlines, and prepares the texts of findings.
//! [`Engine::process_line`] then decodes and judges one line at a time, and
//! [`Engine::finish`] closes the stream.
//!
//! # Event time
//!
//! Deadlines and `once` windows are driven by event time, never by the clock of the machine.
//! The stream's *watermark* is the latest event time accepted so far less the allowed lateness
//! ([`EngineOptions::allowed_lateness_seconds`], 300 seconds by default).
//! An event whose time is before the watermark is rejected as an `input_error` and changes
//! nothing; an event within the allowance is accepted and judged like any other.
//! An obligation becomes `overdue` only when the watermark reaches its deadline, so an event
//! that arrives late but within the allowance can still discharge it.
//!
//! # What one accepted event does, in order
//!
//! 1. Time passes: if it is the first event at or after the effective instant, the transitional
//!    rules (`reaches … before_effective`) fire for every key already at their threshold, with
//!    the effective instant as their time and the line of the key's crossing; then every
//!    obligation whose deadline is at or before the watermark is reported `overdue`.
//! 2. Exemptions are evaluated; an exempt event does nothing more.
//! 3. If the event is at or after the effective instant, the rules it triggers are judged:
//!    `require`, `prohibit`, and `once` (against the events remembered so far).
//! 4. It discharges the pending obligations it meets: a deadline's pattern event whose
//!    condition holds, at a time before the deadline.
//! 5. If effective, the deadline rules it triggers start obligations (when `when` holds and
//!    `unless` does not).
//! 6. It cancels the remembered events that its `reset by` patterns match, then is itself
//!    remembered by the `once` rules whose pattern event it is.
//! 7. It updates the states; each key whose size crosses a threshold upward for the first time
//!    at or after the effective instant fires the `reaches` rules on it.
//!
//! Events before the effective instant are not judged and start no obligation, but they are
//! remembered, discharge obligations and update states.
//!
//! # Semantics in detail
//!
//! - *`reaches`*: a rule fires once per key for the whole run, on the key's first upward
//!   crossing at or after the effective instant; a later drop and re-crossing does not fire it
//!   again. Crossings before the effective instant fire nothing. A key whose size is at or above
//!   the threshold at the effective instant fires the transitional rules instead, and never the
//!   normal ones; a key that crossed before but was below the threshold again at the effective
//!   instant fires the normal rules when it crosses again. A threshold of zero or less is never
//!   crossed.
//! - *`once`*: an earlier event matches if it arrived before the trigger, its time is not after
//!   the trigger's, its pattern condition holds, it is within the `within` period (its date plus
//!   the period, counted like a deadline, is not before the trigger's date), and no `reset by`
//!   event that arrived after it (with a time not before its time) cancelled it.
//!   Remembered events are kept for the whole run unless a reset cancels them.
//! - *deadlines*: `within N days` ends at the end of the trigger's date plus N days in the
//!   regulation's time zone; `years` likewise (29 February becomes 28 February); `working days`
//!   at the end of the Nth working day after the trigger's date ([`Calendar`]); `by DATE` at the
//!   end of that date. An event exactly at the end of the day is late. A period whose amount is
//!   missing starts no obligation; a negative amount counts as zero, and amounts are capped at
//!   one million units. Periods always start from the trigger (the IR's `after` names it).
//!   A discharged obligation leaves a stale entry in the deadline queue until its deadline.
//! - *joins*: remembered events, cancelled events and pending obligations are found through
//!   hash indexes on the equality conjuncts of the patterns' conditions (the `join` module); a
//!   condition without one falls back to checking every item of the rule.
//!
//! # Accounting
//!
//! In [`Summary`], every line passed to the engine is blank, rejected or evaluated, so
//! `blank + rejected + evaluated == lines_total`.
//! An evaluated line was decoded and accepted; it is then either not yet effective (before the
//! regulation's effective instant), exempt (an exemption matched), or judged against the rules,
//! so `not_yet_effective` and `exempt` are disjoint parts of `evaluated`.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fmt;
use std::io::{self, BufRead};
use std::sync::Arc;

use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde::Serialize;
use serde_json::Value as Json;

use crate::bundle::Bundle;
use crate::calendar::{self, Calendar};
use crate::eval::{Binding, Env, Operand, eval_bool, eval_operand, read_field};
use crate::event::{Decoder, Event};
use crate::finding::{EvidenceMap, Finding, FindingKind, PROCESSOR_FIELD, SUBJECT_FIELD};
use crate::ir::{
    Body, Clause, Date, Deadline, Duration, DurationUnit, EventId, Expr, PATTERN_SLOT, Program,
    RESET_SLOT, Rule, Slot, StateDef, StateId, StateOp, TRIGGER_SLOT, Trigger, Type, Value,
    Vocabulary,
};
use crate::join::{Index, JoinPlan, Slab};
use crate::pretty::clause_path;
use crate::state::{Change, Crossing, States};
use crate::time;

/// Why a program cannot be loaded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LoadError {
    /// The regulation's time zone is not in the time zone database.
    UnknownTimeZone { zone: String },
    /// The regulation's effective date does not exist in its time zone's calendar.
    InvalidEffectiveDate { date: Date },
    /// An event type declares a field with a name the stream envelope reserves.
    ReservedField { event: String, field: String },
    /// The program refers to something it does not have: the bundle was not made by a
    /// matching compiler.
    Invalid { detail: String },
}

impl LoadError {
    pub(crate) fn invalid(detail: impl Into<String>) -> LoadError {
        LoadError::Invalid {
            detail: detail.into(),
        }
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadError::UnknownTimeZone { zone } => write!(
                f,
                "the regulation's time zone `{zone}` is unknown; use an IANA name such as Asia/Shanghai"
            ),
            LoadError::InvalidEffectiveDate { date } => write!(
                f,
                "the regulation's effective date {date} is not a real date"
            ),
            LoadError::ReservedField { event, field } => write!(
                f,
                "event type `{event}` declares a field `{field}`, a name the stream envelope reserves"
            ),
            LoadError::Invalid { detail } => write!(
                f,
                "the bundle's program is inconsistent: {detail}; rebuild it with `edict build`"
            ),
        }
    }
}

impl std::error::Error for LoadError {}

/// Counts of findings by kind.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct FindingCounts {
    pub violation: u64,
    pub overdue: u64,
    pub open: u64,
    pub input_error: u64,
}

impl FindingCounts {
    fn add(&mut self, kind: FindingKind) {
        match kind {
            FindingKind::Violation => self.violation += 1,
            FindingKind::Overdue => self.overdue += 1,
            FindingKind::Open => self.open += 1,
            FindingKind::InputError => self.input_error += 1,
        }
    }
}

/// What happened to the lines of a run.
///
/// `blank + rejected + evaluated == lines_total`; `not_yet_effective` and `exempt` are disjoint
/// parts of `evaluated`, and the rest of `evaluated` was judged. Each rejected line gave exactly
/// one `input_error` finding.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Lines passed to the engine.
    pub lines_total: u64,
    /// Empty or whitespace-only lines, which are ignored.
    pub blank: u64,
    /// Lines decoded as events.
    pub evaluated: u64,
    /// Lines set aside as input errors.
    pub rejected: u64,
    /// Evaluated events before the regulation's effective instant, which are not judged.
    pub not_yet_effective: u64,
    /// Evaluated events that an exemption put outside the regulation, which are not judged.
    pub exempt: u64,
    pub findings_by_kind: FindingCounts,
}

impl Summary {
    /// Evaluated events that were judged against the rules.
    pub fn judged(&self) -> u64 {
        self.evaluated
            .saturating_sub(self.not_yet_effective)
            .saturating_sub(self.exempt)
    }

    /// Whether every line is accounted for.
    pub fn is_balanced(&self) -> bool {
        self.blank + self.rejected + self.evaluated == self.lines_total
            && self.not_yet_effective + self.exempt <= self.evaluated
            && self.findings_by_kind.input_error == self.rejected
    }
}

/// How the engine treats events that arrive out of time order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EngineOptions {
    /// How far (in seconds) an event's time may lie behind the latest time seen so far.
    ///
    /// The stream's *watermark* is the latest event time seen less this allowance; an event
    /// before the watermark is rejected as an input error, and a deadline becomes `overdue`
    /// only once the watermark has passed it. The default is 300 seconds.
    pub allowed_lateness_seconds: i64,
}

impl Default for EngineOptions {
    fn default() -> Self {
        EngineOptions {
            allowed_lateness_seconds: 300,
        }
    }
}

/// What the engine holds for time and state, for measuring its memory.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Footprint {
    /// Elements held in the sets of all states, an element counted once per set.
    pub stored_elements: usize,
    /// Bytes allocated by the states: interned elements, keys and sets.
    pub state_bytes: usize,
    /// Obligations not yet discharged, overdue or closed.
    pub open_obligations: usize,
    /// Events remembered for `once` rules.
    pub remembered_events: usize,
}

/// What an event of one type sets in motion, found at load time.
#[derive(Clone, Debug, Default)]
struct Dispatch {
    /// Exemptions that can match this type, those for any event included, in program order.
    exemptions: Vec<usize>,
    /// Rules judged on each event of this type (`require`, `prohibit`, `once`), in program
    /// order.
    judged: Vec<usize>,
    /// Deadline rules that each event of this type sets running, in program order.
    arms: Vec<usize>,
    /// Deadline rules (by number in [`Prepared::deadlines`]) whose obligations an event of this
    /// type may discharge.
    discharges: Vec<usize>,
    /// `once` rules (by number in [`Prepared::onces`]) that remember events of this type.
    remembers: Vec<usize>,
    /// `once` rules and their `reset by` patterns that events of this type match.
    resets: Vec<(usize, usize)>,
    /// State updates that events of this type perform: the state and the update's number.
    updates: Vec<(StateId, usize)>,
    /// The top-level string field named [`PROCESSOR_FIELD`], if the type has one.
    processor: Option<usize>,
    /// The top-level string field named [`SUBJECT_FIELD`], if the type has one.
    subject: Option<usize>,
}

/// How a rule's body is evaluated.
#[derive(Clone, Copy, Debug)]
enum Action {
    /// `require` or `prohibit`: a condition over the trigger.
    Check,
    /// A `once` rule, by its number in [`Prepared::onces`].
    Once(usize),
    /// A deadline rule, by its number in [`Prepared::deadlines`].
    Deadline(usize),
}

/// A `once` rule's plans for finding its remembered events.
#[derive(Clone, Debug)]
struct OncePlan {
    rule: usize,
    /// Joins remembered events (slot 1) to the trigger (slot 0).
    matcher: JoinPlan,
    /// Per `reset by` pattern: joins remembered events (slot 1) to the reset (slot 2).
    resets: Vec<JoinPlan>,
}

/// A deadline rule's plan for finding the obligations an event discharges.
#[derive(Clone, Debug)]
struct DeadlinePlan {
    rule: usize,
    /// Joins obligations (their trigger, slot 0) to a discharging event (slot 1).
    matcher: JoinPlan,
    /// The top-level trigger fields an obligation keeps, ascending: those its pattern's
    /// condition reads, its evidence, and the processor and subject of its findings.
    keep: Vec<usize>,
}

impl DeadlinePlan {
    /// The part of a triggering event an obligation needs: its time, id and the fields in
    /// [`DeadlinePlan::keep`]; the other fields are left absent.
    fn slim(&self, event: &Event) -> Event {
        let len = self
            .keep
            .last()
            .map_or(0, |&last| (last + 1).min(event.fields.len()));
        let mut fields = vec![None; len];
        for &index in &self.keep {
            if let (Some(place), Some(value)) = (fields.get_mut(index), event.fields.get(index)) {
                place.clone_from(value);
            }
        }
        Event {
            ty: event.ty,
            time: event.time,
            time_subsec_nanos: event.time_subsec_nanos,
            time_offset_seconds: event.time_offset_seconds,
            id: event.id.clone(),
            fields,
        }
    }
}

/// The rules watching one threshold of one state.
#[derive(Clone, Debug)]
struct Threshold {
    threshold: i64,
    /// Rules fired by a crossing at or after the effective instant.
    normal: Vec<usize>,
    /// Rules fired at the effective instant for keys already at the threshold.
    transitional: Vec<usize>,
}

/// Which finding key a state's key fills.
#[derive(Clone, Copy, Debug, Default)]
struct KeyRole {
    processor: bool,
    subject: bool,
}

/// Everything the engine derives from the program at load time.
#[derive(Clone, Debug)]
struct Prepared {
    program: Program,
    decoder: Decoder,
    time_zone: TimeZone,
    effective: Option<i64>,
    options: EngineOptions,
    calendar: Calendar,
    dispatch: Vec<Dispatch>,
    templates: Vec<RuleTemplate>,
    actions: Vec<Action>,
    onces: Vec<OncePlan>,
    deadlines: Vec<DeadlinePlan>,
    /// Per state, its thresholds in the order [`States`] numbers them.
    thresholds: Vec<Vec<Threshold>>,
    key_roles: Vec<KeyRole>,
}

/// The key of a `reaches` trigger and the event that made it cross.
#[derive(Clone, Debug)]
struct KeyTrigger {
    state: StateId,
    key: Value,
    /// The trigger's time: the crossing event's, or the effective instant.
    time: i64,
    nanos: u32,
    offset_seconds: i32,
    event_id: Option<String>,
}

/// What a rule was triggered by, borrowed.
#[derive(Clone, Copy, Debug)]
enum TriggerRef<'a> {
    Event(&'a Event),
    Key(&'a KeyTrigger),
}

impl<'a> TriggerRef<'a> {
    fn binding(self) -> Binding<'a> {
        match self {
            TriggerRef::Event(event) => Binding::Event(event),
            TriggerRef::Key(key) => Binding::Value(&key.key),
        }
    }

    fn time(self) -> i64 {
        match self {
            TriggerRef::Event(event) => event.time,
            TriggerRef::Key(key) => key.time,
        }
    }
}

/// What an obligation keeps of its trigger.
#[derive(Clone, Debug)]
enum Bound {
    Event(Arc<Event>),
    Key(Arc<KeyTrigger>),
}

impl Bound {
    fn as_ref(&self) -> TriggerRef<'_> {
        match self {
            Bound::Event(event) => TriggerRef::Event(event),
            Bound::Key(key) => TriggerRef::Key(key),
        }
    }
}

/// What starts an obligation: an event, of which it keeps a slim copy, or a key.
#[derive(Clone, Copy, Debug)]
enum Arming<'a> {
    Event(&'a Event),
    Key(&'a Arc<KeyTrigger>),
}

/// When an obligation falls due.
#[derive(Clone, Copy, Debug)]
struct Due {
    /// The last day allowed, in the regulation's time zone.
    date: Date,
    /// The start of the next day (Unix seconds): an event at or after it is late.
    instant: i64,
    /// The first day counted without holiday data, for an approximate deadline.
    unknown_from: Option<Date>,
}

/// A pending deadline.
#[derive(Clone, Debug)]
struct Obligation {
    /// The deadline rule, by its number in [`Prepared::deadlines`].
    plan: usize,
    trigger: Bound,
    line: u64,
    due: Due,
    /// Distinguishes this obligation from a later one stored in the same place.
    seq: u64,
}

/// An event remembered by a `once` rule.
#[derive(Clone, Debug)]
struct Candidate {
    event: Arc<Event>,
    /// Its date in the regulation's time zone, as a day number.
    day: i64,
}

/// A `once` rule's remembered events and their indexes.
#[derive(Clone, Debug, Default)]
struct OnceStore {
    candidates: Slab<Candidate>,
    by_match: Index,
    by_reset: Vec<Index>,
}

/// The most recent calendar day an instant fell on, to convert times to dates cheaply.
#[derive(Clone, Copy, Debug)]
struct DayCache {
    start: i64,
    end: i64,
    date: Date,
}

impl DayCache {
    fn date(&mut self, zone: &TimeZone, second: i64) -> Date {
        if self.start <= second && second < self.end {
            return self.date;
        }
        let Ok(instant) = Timestamp::from_second(second) else {
            return calendar::date_of(second.div_euclid(86_400)).unwrap_or(self.date);
        };
        let civil = zone.to_datetime(instant).date();
        let date = Date {
            year: i32::from(civil.year()),
            month: civil.month().unsigned_abs(),
            day: civil.day().unsigned_abs(),
        };
        let start = time::start_of_day(date, zone);
        let end = calendar::add_days(date, 1).and_then(|next| time::start_of_day(next, zone));
        if let (Some(start), Some(end)) = (start, end) {
            *self = DayCache { start, end, date };
        }
        date
    }
}

/// What a run has seen so far.
#[derive(Clone, Debug)]
struct Run {
    summary: Summary,
    states: States,
    onces: Vec<OnceStore>,
    /// Per deadline rule, its open obligations by their join key.
    pending: Vec<Index>,
    obligations: Slab<Obligation>,
    /// Obligations by deadline, earliest first; entries of settled obligations are skipped.
    queue: BinaryHeap<Reverse<(i64, u64, u32)>>,
    next_seq: u64,
    /// The latest event time accepted so far.
    latest: Option<i64>,
    /// Whether the rules on keys already past a threshold at the effective instant have run.
    transition_done: bool,
    days: DayCache,
    /// Reused buffers.
    crossings: Vec<Crossing>,
    ids: Vec<u32>,
}

/// A program prepared for evaluation, with the state of the run so far.
#[derive(Clone, Debug)]
pub struct Engine {
    prepared: Prepared,
    run: Run,
    /// The event being judged, kept to reuse its storage from line to line.
    scratch: Event,
}

impl Engine {
    /// Prepares a program for evaluation with the default [`EngineOptions`].
    pub fn new(program: Program) -> Result<Engine, LoadError> {
        Engine::with_options(program, EngineOptions::default())
    }

    /// Prepares a program for evaluation.
    pub fn with_options(program: Program, options: EngineOptions) -> Result<Engine, LoadError> {
        let decoder = Decoder::new(&program.vocabulary)?;
        check_references(&program)?;

        let zone = &program.regulation.timezone;
        let time_zone =
            TimeZone::get(zone).map_err(|_| LoadError::UnknownTimeZone { zone: zone.clone() })?;
        let effective = match program.regulation.effective {
            Some(date) => Some(
                time::start_of_day(date, &time_zone)
                    .ok_or(LoadError::InvalidEffectiveDate { date })?,
            ),
            None => None,
        };

        let vocabulary = &program.vocabulary;
        let mut dispatch: Vec<Dispatch> = vocabulary
            .events
            .iter()
            .map(|def| {
                let string_field = |name: &str| {
                    def.fields
                        .iter()
                        .position(|f| f.name == name && f.ty == Type::String)
                };
                Dispatch {
                    processor: string_field(PROCESSOR_FIELD),
                    subject: string_field(SUBJECT_FIELD),
                    ..Dispatch::default()
                }
            })
            .collect();
        for (index, exemption) in program.exemptions.iter().enumerate() {
            match exemption.event {
                Some(event) => dispatch[event as usize].exemptions.push(index),
                None => dispatch.iter_mut().for_each(|d| d.exemptions.push(index)),
            }
        }

        let mut actions = Vec::with_capacity(program.rules.len());
        let mut onces = Vec::new();
        let mut deadlines = Vec::new();
        let mut thresholds: Vec<Vec<Threshold>> = vec![Vec::new(); program.states.len()];
        for (index, rule) in program.rules.iter().enumerate() {
            let action = match &rule.body {
                Body::Require(_) | Body::Prohibit(_) => Action::Check,
                Body::Once {
                    pattern, resets, ..
                } => {
                    dispatch[pattern.event as usize].remembers.push(onces.len());
                    for (r, reset) in resets.iter().enumerate() {
                        dispatch[reset.event as usize].resets.push((onces.len(), r));
                    }
                    onces.push(OncePlan {
                        rule: index,
                        matcher: JoinPlan::new(
                            pattern.condition.as_ref(),
                            PATTERN_SLOT,
                            TRIGGER_SLOT,
                        ),
                        resets: resets
                            .iter()
                            .map(|r| JoinPlan::new(r.condition.as_ref(), PATTERN_SLOT, RESET_SLOT))
                            .collect(),
                    });
                    Action::Once(onces.len() - 1)
                }
                Body::Deadline { pattern, .. } => {
                    dispatch[pattern.event as usize]
                        .discharges
                        .push(deadlines.len());
                    let mut keep: Vec<usize> = Vec::new();
                    if let Some(condition) = &pattern.condition {
                        visit_paths(condition, &mut |slot, path| {
                            if let (TRIGGER_SLOT, Some(&first)) = (slot, path.first()) {
                                keep.push(first as usize);
                            }
                        });
                    }
                    keep.extend(
                        rule.evidence
                            .iter()
                            .filter_map(|e| e.path.first())
                            .map(|&f| f as usize),
                    );
                    if let Trigger::Event(event) = rule.trigger
                        && let Some(d) = dispatch.get(event as usize)
                    {
                        keep.extend(d.processor);
                        keep.extend(d.subject);
                    }
                    keep.sort_unstable();
                    keep.dedup();
                    deadlines.push(DeadlinePlan {
                        keep,
                        rule: index,
                        matcher: JoinPlan::new(
                            pattern.condition.as_ref(),
                            TRIGGER_SLOT,
                            PATTERN_SLOT,
                        ),
                    });
                    Action::Deadline(deadlines.len() - 1)
                }
            };
            actions.push(action);
            match rule.trigger {
                Trigger::Event(event) => {
                    let d = &mut dispatch[event as usize];
                    match action {
                        Action::Deadline(_) => d.arms.push(index),
                        Action::Check | Action::Once(_) => d.judged.push(index),
                    }
                }
                Trigger::Reaches {
                    state,
                    threshold,
                    before_effective,
                } => {
                    let list = &mut thresholds[state as usize];
                    let at = match list.iter().position(|t| t.threshold == threshold) {
                        Some(at) => at,
                        None => {
                            list.push(Threshold {
                                threshold,
                                normal: Vec::new(),
                                transitional: Vec::new(),
                            });
                            list.len() - 1
                        }
                    };
                    if before_effective {
                        list[at].transitional.push(index);
                    } else {
                        list[at].normal.push(index);
                    }
                }
            }
        }
        let mut key_roles = Vec::with_capacity(program.states.len());
        for (id, state) in program.states.iter().enumerate() {
            let id = StateId::try_from(id)
                .map_err(|_| LoadError::invalid("the program has too many states"))?;
            for (u, update) in state.updates.iter().enumerate() {
                dispatch[update.event as usize].updates.push((id, u));
            }
            key_roles.push(key_role(vocabulary, state));
        }

        let regulation: Arc<str> = Arc::from(program.regulation.id.as_str());
        let templates = program
            .rules
            .iter()
            .map(|rule| rule_template(&program, rule, &regulation))
            .collect::<Result<Vec<_>, _>>()?;

        let states = States::new(
            program
                .states
                .iter()
                .zip(&thresholds)
                .map(|(s, t)| (&s.kind, t.iter().map(|t| t.threshold).collect())),
        );
        let run = Run {
            summary: Summary::default(),
            states,
            onces: onces
                .iter()
                .map(|plan| OnceStore {
                    by_reset: vec![Index::default(); plan.resets.len()],
                    ..OnceStore::default()
                })
                .collect(),
            pending: vec![Index::default(); deadlines.len()],
            obligations: Slab::default(),
            queue: BinaryHeap::new(),
            next_seq: 0,
            latest: None,
            transition_done: false,
            days: DayCache {
                start: 0,
                end: 0,
                date: Date {
                    year: 1970,
                    month: 1,
                    day: 1,
                },
            },
            crossings: Vec::new(),
            ids: Vec::new(),
        };
        let calendar = Calendar::mainland(&program.calendar);
        Ok(Engine {
            prepared: Prepared {
                program,
                decoder,
                time_zone,
                effective,
                options,
                calendar,
                dispatch,
                templates,
                actions,
                onces,
                deadlines,
                thresholds,
                key_roles,
            },
            run,
            scratch: Event::default(),
        })
    }

    /// Prepares the program of a bundle for evaluation.
    pub fn from_bundle(bundle: Bundle) -> Result<Engine, LoadError> {
        Engine::new(bundle.program)
    }

    /// The program being evaluated.
    pub fn program(&self) -> &Program {
        &self.prepared.program
    }

    /// The decoder of the program's vocabulary.
    pub fn decoder(&self) -> &Decoder {
        &self.prepared.decoder
    }

    /// The regulation's time zone.
    pub fn time_zone(&self) -> &TimeZone {
        &self.prepared.time_zone
    }

    /// The working-day calendar deadlines are counted in.
    pub fn calendar(&self) -> &Calendar {
        &self.prepared.calendar
    }

    /// The options the engine runs with.
    pub fn options(&self) -> EngineOptions {
        self.prepared.options
    }

    /// The start of the regulation's effective date in its time zone, as Unix seconds.
    pub fn effective_from(&self) -> Option<i64> {
        self.prepared.effective
    }

    /// The ids of rules this engine cannot evaluate: none, as every rule the IR can express is
    /// evaluated. Kept so callers that report such rules need not change.
    pub fn deferred_rules(&self) -> &[String] {
        &[]
    }

    /// The size of a key's set, or its count, in a state; zero for a key never seen.
    pub fn state_size(&self, state: StateId, key: &Value) -> usize {
        self.run.states.size(state, key)
    }

    /// What the engine holds for time and state.
    pub fn footprint(&self) -> Footprint {
        Footprint {
            stored_elements: self.run.states.stored_elements(),
            state_bytes: self.run.states.allocated_bytes(),
            open_obligations: self.run.obligations.len(),
            remembered_events: self.run.onces.iter().map(|o| o.candidates.len()).sum(),
        }
    }

    /// The counts of the run so far.
    pub fn summary(&self) -> &Summary {
        &self.run.summary
    }

    /// Decodes and judges one line of the stream, passing each finding to `out`.
    ///
    /// `line_no` is the 1-based line number reported in findings. A blank line is counted and
    /// ignored; a line that does not decode, or whose time is before the watermark, gives an
    /// `input_error` finding and is counted as rejected; a leading byte order mark is ignored.
    pub fn process_line(&mut self, line_no: u64, line: &str, out: &mut impl FnMut(Finding)) {
        self.run.summary.lines_total += 1;
        let line = line.strip_prefix('\u{feff}').unwrap_or(line);
        if line.trim().is_empty() {
            self.run.summary.blank += 1;
            return;
        }
        let Engine {
            prepared,
            run,
            scratch,
        } = self;
        match prepared.decoder.decode_into(line, scratch) {
            Ok(()) => run.accept(prepared, scratch, line_no, out),
            Err(error) => run.reject(line_no, error.into_message(), out),
        }
    }

    /// Judges one event already decoded (by [`Decoder::decode`] of this engine's decoder), as
    /// [`Engine::process_line`] does after decoding its line: the event is counted as a line,
    /// checked against the watermark and judged.
    ///
    /// For services that decode events themselves, and for measuring the engine without the
    /// cost of parsing. The event must come from this engine's vocabulary.
    pub fn process_event(&mut self, line_no: u64, event: &Event, out: &mut impl FnMut(Finding)) {
        self.run.summary.lines_total += 1;
        self.run.accept(&self.prepared, event, line_no, out);
    }

    /// Like [`Engine::process_line`] for a line read as bytes: one that is not UTF-8 is an
    /// input error.
    pub fn process_line_bytes(&mut self, line_no: u64, line: &[u8], out: &mut impl FnMut(Finding)) {
        match std::str::from_utf8(line) {
            Ok(text) => self.process_line(line_no, text, out),
            Err(error) => {
                self.run.summary.lines_total += 1;
                let message = format!(
                    "the line is not valid UTF-8: the first bad byte is at column {}",
                    error.valid_up_to() + 1
                );
                self.run.reject(line_no, message, out);
            }
        }
    }

    /// Closes the stream and gives the run's summary.
    ///
    /// The stream closes at `as_of` (Unix seconds) or, without it, at the latest time of an
    /// accepted event. Each pending obligation then gives one finding, earliest deadline first:
    /// `overdue` if its deadline is at or before the close, `open` otherwise.
    pub fn finish(self, as_of: Option<i64>, out: &mut impl FnMut(Finding)) -> Summary {
        let Engine {
            prepared, mut run, ..
        } = self;
        let Some(close) = as_of.or(run.latest) else {
            return run.summary;
        };
        if !run.transition_done && prepared.effective.is_some_and(|e| close >= e) {
            run.transition(&prepared, out);
        }
        while let Some(Reverse((_, seq, id))) = run.queue.pop() {
            if let Some(obligation) = run.settle(&prepared, id, seq) {
                let kind = if obligation.due.instant <= close {
                    FindingKind::Overdue
                } else {
                    FindingKind::Open
                };
                let finding = prepared.obligation_finding(kind, &obligation);
                run.emit(finding, out);
            }
        }
        run.summary
    }
}

impl Run {
    fn emit(&mut self, finding: Finding, out: &mut impl FnMut(Finding)) {
        self.summary.findings_by_kind.add(finding.finding);
        out(finding);
    }

    fn reject(&mut self, line_no: u64, message: String, out: &mut impl FnMut(Finding)) {
        self.summary.rejected += 1;
        self.emit(Finding::input_error(line_no, message), out);
    }

    /// Takes a decoded event: checks its time against the watermark, lets time pass, and
    /// judges it.
    fn accept(&mut self, p: &Prepared, event: &Event, line_no: u64, out: &mut impl FnMut(Finding)) {
        let lateness = p.options.allowed_lateness_seconds.max(0);
        if let Some(latest) = self.latest {
            let watermark = latest.saturating_sub(lateness);
            if event.time < watermark {
                let message = format!(
                    "event time {} is earlier than the stream's watermark {} (the latest time seen less the allowed lateness); events may arrive at most {lateness} seconds out of order",
                    event.time_rfc3339(),
                    time::format_rfc3339(watermark, 0, event.time_offset_seconds),
                );
                self.reject(line_no, message, out);
                return;
            }
        }
        self.summary.evaluated += 1;
        let latest = self.latest.map_or(event.time, |l| l.max(event.time));
        self.latest = Some(latest);
        if !self.transition_done && p.effective.is_some_and(|e| event.time >= e) {
            self.transition(p, out);
        }
        self.expire(p, latest.saturating_sub(lateness), out);
        self.judge(p, event, line_no, out);
    }

    /// Judges an accepted event and lets it update the states.
    fn judge(&mut self, p: &Prepared, event: &Event, line: u64, out: &mut impl FnMut(Finding)) {
        let Some(dispatch) = p.dispatch.get(event.ty as usize) else {
            return;
        };
        let effective = p.effective.is_none_or(|from| event.time >= from);
        let env = Env::trigger(event);
        let exempt = dispatch
            .exemptions
            .iter()
            .any(|&x| eval_bool(&p.program.exemptions[x].condition, &env));
        if !effective {
            self.summary.not_yet_effective += 1;
        } else if exempt {
            self.summary.exempt += 1;
        }
        if exempt {
            return;
        }
        let trigger = TriggerRef::Event(event);
        if effective {
            for &rule in &dispatch.judged {
                self.check(p, rule, trigger, line, out);
            }
        }
        for &plan in &dispatch.discharges {
            self.discharge(p, plan, event);
        }
        let mut shared: Option<Arc<Event>> = None;
        if effective {
            for &rule in &dispatch.arms {
                if applies(&p.program.rules[rule], trigger) {
                    self.arm(p, rule, Arming::Event(event), line);
                }
            }
        }
        for &(once, reset) in &dispatch.resets {
            self.reset(p, once, reset, event);
        }
        for &once in &dispatch.remembers {
            self.remember(p, once, event, &mut shared);
        }
        if dispatch.updates.is_empty() {
            return;
        }
        let mut crossings = std::mem::take(&mut self.crossings);
        crossings.clear();
        for &(state, update) in &dispatch.updates {
            let update = &p.program.states[state as usize].updates[update];
            let key = match eval_operand(&update.key, &env) {
                Operand::Value(key) => key,
                Operand::Bool(_) | Operand::Missing => continue,
            };
            let element = |expr| match eval_operand(expr, &env) {
                Operand::Value(value) => Some(value),
                Operand::Bool(_) | Operand::Missing => None,
            };
            let change = match &update.op {
                StateOp::Add(expr) => match element(expr) {
                    Some(value) => Change::Add(value),
                    None => continue,
                },
                StateOp::Remove(expr) => match element(expr) {
                    Some(value) => Change::Remove(value),
                    None => continue,
                },
                StateOp::Increment => Change::Increment,
                StateOp::Decrement => Change::Decrement,
            };
            self.states.apply(state, key, change, line, &mut crossings);
        }
        if effective {
            for crossing in &crossings {
                let Some(rules) = p.thresholds[crossing.state as usize].get(crossing.threshold)
                else {
                    continue;
                };
                if !self
                    .states
                    .settle(crossing.state, crossing.key, crossing.threshold)
                    || rules.normal.is_empty()
                {
                    continue;
                }
                let Some(key) = self.states.key(crossing.state, crossing.key) else {
                    continue;
                };
                let trigger = Arc::new(KeyTrigger {
                    state: crossing.state,
                    key: key.clone(),
                    time: event.time,
                    nanos: event.time_subsec_nanos,
                    offset_seconds: event.time_offset_seconds,
                    event_id: event.id.clone(),
                });
                for &rule in &rules.normal {
                    self.fire_on_key(p, rule, &trigger, line, out);
                }
            }
        }
        self.crossings = crossings;
    }

    /// Fires the rules on keys that had reached their threshold when the regulation took
    /// effect; their trigger time is the effective instant.
    fn transition(&mut self, p: &Prepared, out: &mut impl FnMut(Finding)) {
        self.transition_done = true;
        let Some(effective) = p.effective else {
            return;
        };
        let offset = p.offset_at(effective);
        for (state, thresholds) in p.thresholds.iter().enumerate() {
            let Ok(state) = StateId::try_from(state) else {
                continue;
            };
            for (index, rules) in thresholds.iter().enumerate() {
                let keys: Vec<(u32, u64)> = self.states.keys_at_or_above(state, index).collect();
                for (key, line) in keys {
                    // A key already at the threshold has no crossing left to fire normal rules.
                    self.states.settle(state, key, index);
                    if rules.transitional.is_empty() {
                        continue;
                    }
                    let Some(key) = self.states.key(state, key) else {
                        continue;
                    };
                    let trigger = Arc::new(KeyTrigger {
                        state,
                        key: key.clone(),
                        time: effective,
                        nanos: 0,
                        offset_seconds: offset,
                        event_id: None,
                    });
                    for &rule in &rules.transitional {
                        self.fire_on_key(p, rule, &trigger, line, out);
                    }
                }
            }
        }
    }

    fn fire_on_key(
        &mut self,
        p: &Prepared,
        rule: usize,
        trigger: &Arc<KeyTrigger>,
        line: u64,
        out: &mut impl FnMut(Finding),
    ) {
        match p.actions[rule] {
            Action::Check | Action::Once(_) => {
                self.check(p, rule, TriggerRef::Key(trigger), line, out);
            }
            Action::Deadline(_) => {
                if applies(&p.program.rules[rule], TriggerRef::Key(trigger)) {
                    self.arm(p, rule, Arming::Key(trigger), line);
                }
            }
        }
    }

    /// Judges a `require`, `prohibit` or `once` rule on its trigger.
    fn check(
        &mut self,
        p: &Prepared,
        rule_index: usize,
        trigger: TriggerRef<'_>,
        line: u64,
        out: &mut impl FnMut(Finding),
    ) {
        let rule = &p.program.rules[rule_index];
        let env = Env::default().with(TRIGGER_SLOT, trigger.binding());
        if rule
            .when
            .as_ref()
            .is_some_and(|when| !eval_bool(when, &env))
        {
            return;
        }
        let broken = match (&rule.body, p.actions[rule_index]) {
            (Body::Require(condition), _) => !eval_bool(condition, &env),
            (Body::Prohibit(condition), _) => eval_bool(condition, &env),
            (Body::Once { forbid, .. }, Action::Once(once)) => {
                self.once_holds(p, once, trigger) == *forbid
            }
            _ => false,
        };
        if broken && !rule.unless.as_ref().is_some_and(|u| eval_bool(u, &env)) {
            let finding = p.finding(
                rule_index,
                FindingKind::Violation,
                line,
                trigger,
                trigger_time_text(trigger),
                None,
                Arc::clone(&p.templates[rule_index].message),
            );
            self.emit(finding, out);
        }
    }

    /// Whether a remembered event matches a `once` rule's pattern for this trigger.
    fn once_holds(&mut self, p: &Prepared, once: usize, trigger: TriggerRef<'_>) -> bool {
        let plan = &p.onces[once];
        let Body::Once {
            pattern, within, ..
        } = &p.program.rules[plan.rule].body
        else {
            return false;
        };
        let env = Env::default().with(TRIGGER_SLOT, trigger.binding());
        let Some(key) = plan.matcher.probe_key(&env) else {
            return false;
        };
        let trigger_day = match within {
            Some(_) => calendar::day_number(self.days.date(&p.time_zone, trigger.time())),
            None => 0,
        };
        let store = &self.onces[once];
        store.by_match.get(&key).iter().any(|&id| {
            let Some(candidate) = store.candidates.get(id) else {
                return false;
            };
            let env = env.with(PATTERN_SLOT, Binding::Event(&candidate.event));
            candidate.event.time <= trigger.time()
                && pattern
                    .condition
                    .as_ref()
                    .is_none_or(|c| eval_bool(c, &env))
                && within
                    .as_ref()
                    .is_none_or(|w| p.within(w, &env, candidate.day, trigger_day))
        })
    }

    /// Remembers an event for a `once` rule.
    fn remember(
        &mut self,
        p: &Prepared,
        once: usize,
        event: &Event,
        shared: &mut Option<Arc<Event>>,
    ) {
        let plan = &p.onces[once];
        let env = Env::default().with(PATTERN_SLOT, Binding::Event(event));
        // An event missing a joined field can never match.
        let Some(key) = plan.matcher.remembered_key(&env) else {
            return;
        };
        let day = calendar::day_number(self.days.date(&p.time_zone, event.time));
        let candidate = Candidate {
            event: Arc::clone(shared.get_or_insert_with(|| Arc::new(event.clone()))),
            day,
        };
        let store = &mut self.onces[once];
        let Some(id) = store.candidates.insert(candidate) else {
            return;
        };
        store.by_match.insert(&key, id);
        for (reset, index) in plan.resets.iter().zip(&mut store.by_reset) {
            if let Some(key) = reset.remembered_key(&env) {
                index.insert(&key, id);
            }
        }
    }

    /// Cancels the remembered events that a `reset by` event matches.
    fn reset(&mut self, p: &Prepared, once: usize, reset: usize, event: &Event) {
        let plan = &p.onces[once];
        let Body::Once { resets, .. } = &p.program.rules[plan.rule].body else {
            return;
        };
        let (Some(pattern), Some(join)) = (resets.get(reset), plan.resets.get(reset)) else {
            return;
        };
        let env = Env::default().with(RESET_SLOT, Binding::Event(event));
        let Some(key) = join.probe_key(&env) else {
            return;
        };
        let store = &mut self.onces[once];
        let mut cancelled = std::mem::take(&mut self.ids);
        cancelled.clear();
        for &id in store.by_reset[reset].get(&key) {
            let Some(candidate) = store.candidates.get(id) else {
                continue;
            };
            let env = env.with(PATTERN_SLOT, Binding::Event(&candidate.event));
            if candidate.event.time <= event.time
                && pattern
                    .condition
                    .as_ref()
                    .is_none_or(|c| eval_bool(c, &env))
            {
                cancelled.push(id);
            }
        }
        for &id in &cancelled {
            let Some(candidate) = store.candidates.remove(id) else {
                continue;
            };
            let env = Env::default().with(PATTERN_SLOT, Binding::Event(&candidate.event));
            if let Some(key) = plan.matcher.remembered_key(&env) {
                store.by_match.remove(&key, id);
            }
            for (join, index) in plan.resets.iter().zip(&mut store.by_reset) {
                if let Some(key) = join.remembered_key(&env) {
                    index.remove(&key, id);
                }
            }
        }
        self.ids = cancelled;
    }

    /// Starts an obligation for a deadline rule whose trigger fired.
    /// The obligation keeps a slim copy of a triggering event (see [`DeadlinePlan::slim`]).
    fn arm(&mut self, p: &Prepared, rule: usize, arming: Arming<'_>, line: u64) {
        let trigger = match arming {
            Arming::Event(event) => TriggerRef::Event(event),
            Arming::Key(key) => TriggerRef::Key(key),
        };
        let Action::Deadline(plan) = p.actions[rule] else {
            return;
        };
        let Body::Deadline { deadline, .. } = &p.program.rules[rule].body else {
            return;
        };
        let Some(due) = p.due(deadline, trigger, &mut self.days) else {
            return;
        };
        let trigger = match arming {
            Arming::Event(event) => Bound::Event(Arc::new(p.deadlines[plan].slim(event))),
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
        if let Some(obligation) = self.obligations.get(id) {
            let env = Env::default().with(TRIGGER_SLOT, obligation.trigger.as_ref().binding());
            // An obligation missing a joined value can never be discharged; it stays queued.
            if let Some(key) = p.deadlines[plan].matcher.remembered_key(&env) {
                self.pending[plan].insert(&key, id);
            }
        }
    }

    /// Discharges the obligations of a deadline rule that an event meets in time.
    fn discharge(&mut self, p: &Prepared, plan: usize, event: &Event) {
        let join = &p.deadlines[plan];
        let Body::Deadline { pattern, .. } = &p.program.rules[join.rule].body else {
            return;
        };
        let env = Env::default().with(PATTERN_SLOT, Binding::Event(event));
        let Some(key) = join.matcher.probe_key(&env) else {
            return;
        };
        let Run {
            pending,
            obligations,
            ..
        } = self;
        pending[plan].retain(&key, |id| {
            let met = obligations.get(id).is_some_and(|o| {
                let env = env.with(TRIGGER_SLOT, o.trigger.as_ref().binding());
                event.time < o.due.instant
                    && pattern
                        .condition
                        .as_ref()
                        .is_none_or(|c| eval_bool(c, &env))
            });
            if met {
                obligations.remove(id);
            }
            !met
        });
    }

    /// Reports as `overdue` every obligation whose deadline is at or before the watermark.
    fn expire(&mut self, p: &Prepared, watermark: i64, out: &mut impl FnMut(Finding)) {
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

    /// Takes a still-pending obligation out of the store and its index.
    fn settle(&mut self, p: &Prepared, id: u32, seq: u64) -> Option<Obligation> {
        if self.obligations.get(id)?.seq != seq {
            return None;
        }
        let obligation = self.obligations.remove(id)?;
        let env = Env::default().with(TRIGGER_SLOT, obligation.trigger.as_ref().binding());
        if let Some(key) = p.deadlines[obligation.plan].matcher.remembered_key(&env) {
            self.pending[obligation.plan].remove(&key, id);
        }
        Some(obligation)
    }
}

/// Whether a rule's `when` holds for a trigger and its `unless` does not.
fn applies(rule: &Rule, trigger: TriggerRef<'_>) -> bool {
    let env = Env::default().with(TRIGGER_SLOT, trigger.binding());
    rule.when.as_ref().is_none_or(|when| eval_bool(when, &env))
        && !rule.unless.as_ref().is_some_and(|u| eval_bool(u, &env))
}

/// The time of a trigger as a finding shows it: as the event wrote it.
fn trigger_time_text(trigger: TriggerRef<'_>) -> String {
    match trigger {
        TriggerRef::Event(event) => event.time_rfc3339(),
        TriggerRef::Key(key) => time::format_rfc3339(key.time, key.nanos, key.offset_seconds),
    }
}

/// Periods are capped at this many units, far beyond any real deadline, so that date
/// arithmetic stays in range.
const MAX_PERIOD: i64 = 1_000_000;

impl Prepared {
    /// The UTC offset of the regulation's time zone at an instant, in seconds.
    fn offset_at(&self, second: i64) -> i32 {
        Timestamp::from_second(second)
            .map(|t| self.time_zone.to_offset(t).seconds())
            .unwrap_or(0)
    }

    /// The start of the day after `date` in the regulation's time zone; the largest instant
    /// when that day cannot be represented.
    fn end_of_day(&self, date: Date) -> i64 {
        calendar::add_days(date, 1)
            .and_then(|next| time::start_of_day(next, &self.time_zone))
            .unwrap_or(i64::MAX)
    }

    /// The number of units of a period, read with the trigger (and pattern) bound; `None` when
    /// it is missing or not an integer. Negative amounts count as zero.
    fn amount(duration: &Duration, env: &Env<'_>) -> Option<i64> {
        match eval_operand(&duration.amount, env) {
            Operand::Value(Value::Int(n)) => Some((*n).clamp(0, MAX_PERIOD)),
            _ => None,
        }
    }

    /// The last day of a period of `duration` counted from the day after `day`, with the first
    /// day counted without holiday data.
    fn period_end(
        &self,
        duration: &Duration,
        amount: i64,
        day: i64,
    ) -> Option<(Date, Option<Date>)> {
        let start = calendar::date_of(day)?;
        match duration.unit {
            DurationUnit::Days => Some((calendar::add_days(start, amount)?, None)),
            DurationUnit::Years => Some((calendar::add_years(start, amount)?, None)),
            DurationUnit::WorkingDays => {
                let n = u32::try_from(amount).unwrap_or(u32::MAX);
                let sum = self.calendar.sum_working_days(start, n);
                Some((calendar::date_of(sum.day)?, sum.unknown_from))
            }
        }
    }

    /// Whether a remembered event (on day `candidate_day`) is recent enough for a `once …
    /// within` rule triggered on `trigger_day`.
    fn within(
        &self,
        duration: &Duration,
        env: &Env<'_>,
        candidate_day: i64,
        trigger_day: i64,
    ) -> bool {
        let Some(amount) = Prepared::amount(duration, env) else {
            return false;
        };
        self.period_end(duration, amount, candidate_day)
            .is_some_and(|(end, _)| trigger_day <= calendar::day_number(end))
    }

    /// When an obligation started by a trigger falls due; `None` when the period's amount is
    /// missing.
    fn due(
        &self,
        deadline: &Deadline,
        trigger: TriggerRef<'_>,
        days: &mut DayCache,
    ) -> Option<Due> {
        let (date, unknown_from) = match deadline {
            Deadline::By(date) => (*date, None),
            Deadline::Within { duration, .. } => {
                let env = Env::default().with(TRIGGER_SLOT, trigger.binding());
                let amount = Prepared::amount(duration, &env)?;
                let day = calendar::day_number(days.date(&self.time_zone, trigger.time()));
                self.period_end(duration, amount, day)?
            }
        };
        Some(Due {
            date,
            instant: self.end_of_day(date),
            unknown_from,
        })
    }

    /// The finding for a pending obligation.
    fn obligation_finding(&self, kind: FindingKind, obligation: &Obligation) -> Finding {
        let rule = self.deadlines[obligation.plan].rule;
        let due = obligation.due;
        let template = &self.templates[rule];
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
        let time = match due.instant {
            i64::MAX => due.date.to_string(),
            instant => time::format_rfc3339(instant, 0, self.offset_at(instant)),
        };
        self.finding(
            rule,
            kind,
            obligation.line,
            obligation.trigger.as_ref(),
            time,
            Some(due.date.to_string()),
            Arc::from(message),
        )
    }

    /// A finding of a rule about a trigger.
    #[expect(
        clippy::too_many_arguments,
        reason = "each part of a finding comes from elsewhere"
    )]
    fn finding(
        &self,
        rule: usize,
        kind: FindingKind,
        line: u64,
        trigger: TriggerRef<'_>,
        time: String,
        deadline: Option<String>,
        message: Arc<str>,
    ) -> Finding {
        let template = &self.templates[rule];
        let vocabulary = &self.program.vocabulary;
        let (processor, subject, event_id) = match trigger {
            TriggerRef::Event(event) => {
                let dispatch = self.dispatch.get(event.ty as usize);
                let string_field =
                    |index: Option<usize>| match index.and_then(|i| event.fields.get(i)) {
                        Some(Some(Value::Str(s))) => Some(s.clone()),
                        _ => None,
                    };
                (
                    string_field(dispatch.and_then(|d| d.processor)),
                    string_field(dispatch.and_then(|d| d.subject)),
                    event.id.clone(),
                )
            }
            TriggerRef::Key(key) => {
                let role = self
                    .key_roles
                    .get(key.state as usize)
                    .copied()
                    .unwrap_or_default();
                let text = match &key.key {
                    Value::Str(s) => Some(s.clone()),
                    _ => None,
                };
                (
                    text.clone().filter(|_| role.processor),
                    text.filter(|_| role.subject),
                    key.event_id.clone(),
                )
            }
        };
        let offset = match trigger {
            TriggerRef::Event(event) => event.time_offset_seconds,
            TriggerRef::Key(key) => key.offset_seconds,
        };
        let evidence = (!template.evidence.is_empty()).then(|| {
            EvidenceMap(
                template
                    .evidence
                    .iter()
                    .map(|e| {
                        let value = match read_field(trigger.binding(), &e.path) {
                            Some(value) => render(value, e.ty.as_ref(), vocabulary, offset),
                            None => Json::Null,
                        };
                        (Arc::clone(&e.label), value)
                    })
                    .collect(),
            )
        });
        Finding {
            finding: kind,
            rule: Some(Arc::clone(&template.rule)),
            regulation: Some(Arc::clone(&template.regulation)),
            article: template.key.is_none().then_some(template.article),
            paragraph: template.paragraph,
            item: template.item,
            clause_key: template.key.clone(),
            line,
            time: Some(time),
            message,
            event_id,
            processor,
            subject,
            deadline,
            evidence,
            title: template.title.clone(),
            message_zh: template.message_zh.clone(),
            cites: template.cites.clone(),
        }
    }
}

/// Which finding key a state's key fills: `processor` (or `subject`) when every update reads
/// the key from a top-level string field of that name.
fn key_role(vocabulary: &Vocabulary, state: &StateDef) -> KeyRole {
    let names: Vec<Option<&str>> = state
        .updates
        .iter()
        .map(|update| match &update.key {
            Expr::Field { slot, path } if *slot == TRIGGER_SLOT && path.len() == 1 => vocabulary
                .events
                .get(update.event as usize)
                .and_then(|def| def.fields.get(path[0] as usize))
                .filter(|field| field.ty == Type::String)
                .map(|field| field.name.as_str()),
            _ => None,
        })
        .collect();
    let all = |name: &str| !names.is_empty() && names.iter().all(|n| *n == Some(name));
    KeyRole {
        processor: all(PROCESSOR_FIELD),
        subject: all(SUBJECT_FIELD),
    }
}

/// Reads a whole stream, then closes it, passing every finding to `out`.
///
/// Lines are read into one reused buffer; a line that is not UTF-8 is an input error, not a
/// failure of the run. Only a failure to read gives an error.
pub fn run_stream(
    mut engine: Engine,
    reader: impl BufRead,
    as_of: Option<i64>,
    out: &mut impl FnMut(Finding),
) -> io::Result<Summary> {
    for_each_line(reader, |line_no, line| {
        engine.process_line_bytes(line_no, line, out);
    })?;
    Ok(engine.finish(as_of, out))
}

/// Calls `f` with the 1-based number and the bytes of each line of `reader`, without its line
/// break (`\n` or `\r\n`).
///
/// Lines are read into one reused buffer. Only a failure to read gives an error.
pub fn for_each_line(mut reader: impl BufRead, mut f: impl FnMut(u64, &[u8])) -> io::Result<()> {
    let mut buffer = Vec::with_capacity(1024);
    let mut line_no: u64 = 0;
    loop {
        buffer.clear();
        if reader.read_until(b'\n', &mut buffer)? == 0 {
            return Ok(());
        }
        line_no += 1;
        let mut line = buffer.as_slice();
        if let Some(rest) = line.strip_suffix(b"\n") {
            line = rest;
        }
        if let Some(rest) = line.strip_suffix(b"\r") {
            line = rest;
        }
        f(line_no, line);
    }
}

/// The parts of a rule's findings that do not depend on the event.
#[derive(Clone, Debug)]
struct RuleTemplate {
    rule: Arc<str>,
    regulation: Arc<str>,
    article: u32,
    /// The key of an article of unknown number.
    key: Option<Arc<str>>,
    paragraph: Option<u32>,
    item: Option<u32>,
    title: Option<Arc<str>>,
    /// The clause, e.g. `Art. 8(2) (Storage and retention)`.
    citation: Arc<str>,
    /// The citation and the rule's message: what a violation says.
    message: Arc<str>,
    message_zh: Option<Arc<str>>,
    cites: Option<Arc<[Arc<str>]>>,
    evidence: Vec<EvidenceTemplate>,
}

#[derive(Clone, Debug)]
struct EvidenceTemplate {
    label: Arc<str>,
    path: Vec<u32>,
    /// The field's type, known when the rule is triggered by an event type.
    ty: Option<Type>,
}

fn rule_template(
    program: &Program,
    rule: &Rule,
    regulation: &Arc<str>,
) -> Result<RuleTemplate, LoadError> {
    let clause: &Clause = program
        .clauses
        .get(rule.clause as usize)
        .ok_or_else(|| LoadError::invalid(format!("rule `{}` cites a missing clause", rule.id)))?;
    let title = clause.title.as_deref().filter(|t| !t.is_empty());
    let citation = match title {
        Some(title) => format!("Art. {} ({title})", clause_path(clause)),
        None => format!("Art. {}", clause_path(clause)),
    };
    let message = if rule.message.trim().is_empty() {
        format!("{citation}: rule `{}` was broken", rule.name)
    } else {
        format!("{citation}: {}", rule.message.trim())
    };
    let evidence = rule
        .evidence
        .iter()
        .map(|e| {
            let ty = match rule.trigger {
                Trigger::Event(event) => Some(
                    field_type(&program.vocabulary, event, &e.path)
                        .cloned()
                        .ok_or_else(|| {
                            LoadError::invalid(format!(
                                "rule `{}` reports evidence `{}`, which its event type lacks",
                                rule.id, e.label
                            ))
                        })?,
                ),
                Trigger::Reaches { .. } => None,
            };
            Ok(EvidenceTemplate {
                label: Arc::from(e.label.as_str()),
                path: e.path.clone(),
                ty,
            })
        })
        .collect::<Result<Vec<_>, LoadError>>()?;
    Ok(RuleTemplate {
        rule: Arc::from(rule.id.as_str()),
        regulation: Arc::clone(regulation),
        article: clause.article,
        key: clause.key.as_deref().map(Arc::from),
        paragraph: clause.paragraph,
        item: clause.item,
        title: title.map(Arc::from),
        citation: Arc::from(citation),
        message: Arc::from(message),
        message_zh: rule.message_zh.as_deref().map(Arc::from),
        cites: (!rule.cites.is_empty())
            .then(|| rule.cites.iter().map(|c| Arc::from(c.as_str())).collect()),
        evidence,
    })
}

/// The type of the field a path reaches from an event type, through records.
fn field_type<'a>(vocabulary: &'a Vocabulary, event: EventId, path: &[u32]) -> Option<&'a Type> {
    let (first, rest) = path.split_first()?;
    let mut ty = &vocabulary
        .events
        .get(event as usize)?
        .fields
        .get(*first as usize)?
        .ty;
    for &index in rest {
        let Type::Record(record) = ty else {
            return None;
        };
        ty = &vocabulary
            .records
            .get(*record as usize)?
            .fields
            .get(index as usize)?
            .ty;
    }
    Some(ty)
}

/// A value as JSON for evidence: enums by name, records as objects when their type is known.
fn render(value: &Value, ty: Option<&Type>, vocabulary: &Vocabulary, offset_seconds: i32) -> Json {
    match value {
        Value::Bool(b) => Json::Bool(*b),
        Value::Int(i) => Json::from(*i),
        Value::Str(s) => Json::String(s.clone()),
        Value::Enum(id, index) => vocabulary
            .enums
            .get(*id as usize)
            .and_then(|e| e.values.get(*index as usize))
            .map_or_else(|| Json::from(*index), |name| Json::String(name.clone())),
        Value::Date(date) => Json::String(date.to_string()),
        Value::Time(second) => Json::String(time::format_rfc3339(*second, 0, offset_seconds)),
        Value::Record(fields) => {
            let record = match ty {
                Some(Type::Record(id)) => vocabulary.records.get(*id as usize),
                _ => None,
            };
            match record {
                Some(def) => Json::Object(
                    def.fields
                        .iter()
                        .zip(fields)
                        .map(|(field, value)| {
                            let value = value.as_ref().map_or(Json::Null, |v| {
                                render(v, Some(&field.ty), vocabulary, offset_seconds)
                            });
                            (field.name.clone(), value)
                        })
                        .collect(),
                ),
                None => Json::Array(
                    fields
                        .iter()
                        .map(|v| {
                            v.as_ref()
                                .map_or(Json::Null, |v| render(v, None, vocabulary, offset_seconds))
                        })
                        .collect(),
                ),
            }
        }
        Value::List(items) => {
            let element = match ty {
                Some(Type::List(element) | Type::Set(element)) => Some(element.as_ref()),
                _ => None,
            };
            Json::Array(
                items
                    .iter()
                    .map(|v| render(v, element, vocabulary, offset_seconds))
                    .collect(),
            )
        }
    }
}

/// Checks that every clause, event type and state the program refers to exists, and that
/// exemptions for any event read only fields that every event type has at the same place.
fn check_references(program: &Program) -> Result<(), LoadError> {
    let events = program.vocabulary.events.len();
    let clause_ok = |clause: u32| (clause as usize) < program.clauses.len();
    let event_ok = |event: EventId| (event as usize) < events;
    for rule in &program.rules {
        let bad = |what: &str| LoadError::invalid(format!("rule `{}` {what}", rule.id));
        if !clause_ok(rule.clause) {
            return Err(bad("cites a missing clause"));
        }
        match rule.trigger {
            Trigger::Event(event) if !event_ok(event) => {
                return Err(bad("is triggered by a missing event type"));
            }
            Trigger::Reaches { state, .. } if state as usize >= program.states.len() => {
                return Err(bad("watches a missing state"));
            }
            _ => {}
        }
        let patterns_ok = match &rule.body {
            Body::Require(_) | Body::Prohibit(_) => true,
            Body::Once {
                pattern, resets, ..
            } => event_ok(pattern.event) && resets.iter().all(|p| event_ok(p.event)),
            Body::Deadline { pattern, .. } => event_ok(pattern.event),
        };
        if !patterns_ok {
            return Err(bad("waits for a missing event type"));
        }
    }
    for state in &program.states {
        if state.updates.iter().any(|u| !event_ok(u.event)) {
            return Err(LoadError::invalid(format!(
                "state `{}` is updated by a missing event type",
                state.name
            )));
        }
    }
    for exemption in &program.exemptions {
        if !clause_ok(exemption.clause) {
            return Err(LoadError::invalid("an exemption cites a missing clause"));
        }
        match exemption.event {
            Some(event) if !event_ok(event) => {
                return Err(LoadError::invalid(
                    "an exemption names a missing event type",
                ));
            }
            Some(_) => {}
            None => check_common_fields(&program.vocabulary, &exemption.condition)?,
        }
    }
    Ok(())
}

/// Checks that every field an `any event` exemption reads is the same field in every event
/// type: its index in the event's fields must name a field of the same name and type.
fn check_common_fields(vocabulary: &Vocabulary, condition: &Expr) -> Result<(), LoadError> {
    let mut result = Ok(());
    visit_paths(condition, &mut |slot, path| {
        let Some(&first) = path.first() else {
            return;
        };
        if slot != crate::ir::TRIGGER_SLOT || result.is_err() {
            return;
        }
        let mut fields = vocabulary
            .events
            .iter()
            .map(|e| e.fields.get(first as usize));
        let Some(reference) = fields.next() else {
            return;
        };
        let Some(reference) = reference else {
            result = Err(LoadError::invalid(format!(
                "an exemption for any event reads field #{first}, which the event types lack"
            )));
            return;
        };
        let same = |f: Option<&crate::ir::FieldDef>| {
            f.is_some_and(|f| f.name == reference.name && f.ty == reference.ty)
        };
        if !fields.all(same) {
            result = Err(LoadError::invalid(format!(
                "an exemption for any event reads `{}`, which not every event type has in the same place",
                reference.name
            )));
        }
    });
    result
}

/// Calls `visit` with the slot and path of every field read and `has` test in an expression.
fn visit_paths(expr: &Expr, visit: &mut impl FnMut(Slot, &[u32])) {
    match expr {
        Expr::Const(_) | Expr::Slot(_) => {}
        Expr::Field { slot, path } | Expr::Has { slot, path } => visit(*slot, path),
        Expr::Not(inner) => visit_paths(inner, visit),
        Expr::And(items) | Expr::Or(items) => items.iter().for_each(|e| visit_paths(e, visit)),
        Expr::Cmp { lhs, rhs, .. } => {
            visit_paths(lhs, visit);
            visit_paths(rhs, visit);
        }
        Expr::In { element, set } => {
            visit_paths(element, visit);
            visit_paths(set, visit);
        }
    }
}
