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
//! ([`EngineOptions::allowed_lateness_seconds`], 300 seconds by default), or a later time the
//! stream was advanced to ([`Engine::advance_to`]); it never moves back.
//! An event whose time is before the watermark is rejected as an `input_error` and changes
//! nothing. An event at or after it is accepted and *held* (the `reorder` module) until the
//! watermark reaches its time; held events are then judged in event-time order, ties (events of
//! the same second) broken by arrival. So within the allowed lateness the findings do not depend
//! on the order lines arrive in: the engine judges the stream as if it had arrived sorted.
//! Findings of a held event come out when it is judged, later than its line was read; closing
//! the stream ([`Engine::finish`]) judges every event still held.
//! An obligation becomes `overdue` once the watermark (or the time of the event being judged)
//! reaches its deadline; no event that could still discharge it can arrive after that.

//! # What one event does when it is judged, in order
//!
//! 1. Time passes: if it is the first event at or after the effective instant, the transitional
//!    rules (`reaches … before_effective`) fire for every key already at their threshold, with
//!    the effective instant as their time and the line of the key's crossing; then every
//!    obligation whose deadline is at or before the event's time is reported `overdue`.
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
//! - *`once`*: an earlier event matches if it was judged before the trigger (it is earlier, or
//!   of the same second and arrived first), its pattern condition holds, it is within the `within` period (its date plus
//!   the period, counted like a deadline, is not before the trigger's date), and no `reset by`
//!   event judged after it (with a time not before its time) cancelled it.
//!   Remembered events are kept for the whole run unless a reset cancels them, each with its
//!   time and only the fields that the `once` rules remembering its type read. An event that
//!   fails a conjunct of the pattern condition reading it alone (`p.purpose == "x"`) is not
//!   remembered: it could match no trigger. A `once` without `reset by` or `within`, whose
//!   condition outside the equalities joining it to the trigger reads only the earlier event,
//!   keeps only the first event of each join key: every later trigger of the key that any
//!   remembered event answers, the first answers.
//!   `once` conditions inside `when`, `require`/`prohibit` and `unless` are decided the same way,
//!   each when its part of the rule is evaluated; evaluation has no effects, so a `when` that
//!   reads a `once` is evaluated after the body found the rule broken.
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
//! # Several regulations on one stream
//!
//! Engines judging one stream share their vocabularies ([`share_vocabularies`]): a line of an
//! event type that only another engine's vocabulary declares is that engine's to judge, and is
//! counted here as `other_vocabulary`; a field that another vocabulary declares on an event type
//! both have is ignored here. Each regulation thus reads the fields it knows, and an
//! organisation's extended vocabulary does not make the statutory packages reject its lines.
//!
//! # Accounting
//!
//! In [`Summary`], every line passed to the engine is blank, rejected or evaluated, so
//! `blank + rejected + evaluated == lines_total`.
//! An evaluated line was decoded and accepted; it is then either of another vocabulary's event
//! type, not yet effective (before the regulation's effective instant), exempt (an exemption
//! matched), or judged against the rules, so `other_vocabulary`, `not_yet_effective` and
//! `exempt` are disjoint parts of `evaluated`.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde::Serialize;

use crate::bundle::Bundle;
use crate::calendar::{self, Calendar};
use crate::event::{Decoded, Decoder, Event};
use crate::finding::{Finding, FindingKind};
use crate::ir::{Date, Program, StateId, Value};
use crate::join::{Index, Slab};
use crate::load_error::LoadError;
use crate::state::{Crossing, States};
use crate::time;

use judge::OnceStore;
use obligations::Obligation;
use plan::Prepared;
use reorder::Reorder;

mod judge;
mod obligations;
mod persist;
mod plan;
mod reorder;
mod report;
mod stream;
mod trigger;

pub use stream::{for_each_line, run_stream};

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
/// `blank + rejected + evaluated == lines_total`; `other_vocabulary`, `not_yet_effective` and
/// `exempt` are disjoint parts of `evaluated`, and the rest of `evaluated` was judged. Each
/// rejected line gave exactly one `input_error` finding.
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
    /// Evaluated lines of an event type that only another vocabulary of the run declares
    /// ([`share_vocabularies`]): another regulation's to judge.
    #[serde(skip_serializing_if = "is_zero")]
    pub other_vocabulary: u64,
    pub findings_by_kind: FindingCounts,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl Summary {
    /// Adds what the engine of one partition of a stream evaluated and found to the summary
    /// kept where the stream was split (which counts the lines, blank and rejected ones).
    pub fn add_partition(&mut self, part: &Summary) {
        self.evaluated += part.evaluated;
        self.not_yet_effective += part.not_yet_effective;
        self.exempt += part.exempt;
        let (f, p) = (&mut self.findings_by_kind, &part.findings_by_kind);
        f.violation += p.violation;
        f.overdue += p.overdue;
        f.open += p.open;
        f.input_error += p.input_error;
        self.rejected += part.rejected;
        self.other_vocabulary += part.other_vocabulary;
    }

    /// Counts a line of the stream where it is split: blank, rejected with one input error, of
    /// another vocabulary's event types, or passed on to a partition.
    pub fn count_line(&mut self, line: &LineKind) {
        self.lines_total += 1;
        match line {
            LineKind::Blank => self.blank += 1,
            LineKind::Rejected => {
                self.rejected += 1;
                self.findings_by_kind.input_error += 1;
            }
            LineKind::Elsewhere => {
                self.evaluated += 1;
                self.other_vocabulary += 1;
            }
            LineKind::Event => {}
        }
    }

    /// Evaluated events that were judged against the rules.
    pub fn judged(&self) -> u64 {
        self.evaluated
            .saturating_sub(self.not_yet_effective)
            .saturating_sub(self.exempt)
            .saturating_sub(self.other_vocabulary)
    }

    /// Whether every line is accounted for.
    pub fn is_balanced(&self) -> bool {
        self.blank + self.rejected + self.evaluated == self.lines_total
            && self.not_yet_effective + self.exempt + self.other_vocabulary <= self.evaluated
            && self.findings_by_kind.input_error == self.rejected
    }
}

/// Checks that vocabularies can judge one stream together: that no two give a field of one
/// event type different types (see [`Decoder::share`]).
pub fn check_vocabularies(vocabularies: &[&crate::ir::Vocabulary]) -> Result<(), LoadError> {
    for (i, vocabulary) in vocabularies.iter().enumerate() {
        let mut decoder = Decoder::new(vocabulary)?;
        for (j, other) in vocabularies.iter().enumerate() {
            if i != j {
                decoder.share(other)?;
            }
        }
    }
    Ok(())
}

/// Makes engines that judge one stream accept each other's vocabularies (see the module's
/// documentation): each engine forgets what it was shared before, then takes every other
/// engine's vocabulary. Fails, naming the field, when two vocabularies give a field of one event
/// type different types; the engines are then left sharing nothing.
pub fn share_vocabularies<'a>(
    engines: impl IntoIterator<Item = &'a mut Engine>,
) -> Result<(), LoadError> {
    let mut engines: Vec<&mut Engine> = engines.into_iter().collect();
    let vocabularies: Vec<crate::ir::Vocabulary> = engines
        .iter()
        .map(|e| e.prepared.program.vocabulary.clone())
        .collect();
    for engine in &mut engines {
        engine.prepared.decoder.unshare();
    }
    let mut result = Ok(());
    'outer: for (i, engine) in engines.iter_mut().enumerate() {
        for (j, other) in vocabularies.iter().enumerate() {
            if i != j
                && let Err(e) = engine.prepared.decoder.share(other)
            {
                result = Err(e);
                break 'outer;
            }
        }
    }
    if result.is_err() {
        for engine in &mut engines {
            engine.prepared.decoder.unshare();
        }
    }
    result
}

/// What a line of the stream turned out to be, for [`Summary::count_line`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineKind {
    Blank,
    Rejected,
    /// An event of a type only another vocabulary of the run declares ([`Decoded::Elsewhere`]).
    Elsewhere,
    Event,
}

/// Decodes one line of a stream into `event` as [`Engine::process_line_bytes`] does: what the
/// line is (blank, an event of this vocabulary or of another one; never
/// [`LineKind::Rejected`]), or the reason the line is rejected. A leading byte order mark is
/// ignored; a line that is not UTF-8 is rejected.
pub fn decode_line(decoder: &Decoder, line: &[u8], event: &mut Event) -> Result<LineKind, String> {
    let text = std::str::from_utf8(line).map_err(|e| not_utf8(&e))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return Ok(LineKind::Blank);
    }
    decoder
        .decode_into(text, event)
        .map(|decoded| match decoded {
            Decoded::Event => LineKind::Event,
            Decoded::Elsewhere => LineKind::Elsewhere,
        })
        .map_err(crate::event::InputError::into_message)
}

fn not_utf8(error: &std::str::Utf8Error) -> String {
    format!(
        "the line is not valid UTF-8: the first bad byte is at column {}",
        error.valid_up_to() + 1
    )
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

/// The most recent calendar day an instant fell on, to convert times to dates cheaply.
#[derive(Clone, Copy, Debug, Default)]
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
    /// No event before this time is accepted any more: the latest time less the allowed
    /// lateness, or a later time the stream was advanced to.
    watermark: Option<i64>,
    /// Accepted events not yet judged.
    reorder: Reorder,
    /// Whether the rules on keys already past a threshold at the effective instant have run.
    transition_done: bool,
    days: DayCache,
    /// Reused buffers.
    crossings: Vec<Crossing>,
    ids: Vec<u32>,
    /// When the obligations an accepted event starts fall due, by its deadline rules in
    /// dispatch order (`None` for a rule that does not apply); computed before the event is
    /// judged, so that a period beyond the supported dates rejects the line instead.
    dues: Vec<Option<obligations::Due>>,
}

/// A program prepared for evaluation, with the state of the run so far.
#[derive(Clone, Debug)]
pub struct Engine {
    prepared: Prepared,
    run: Run,
}

impl Engine {
    /// Prepares a program for evaluation with the default [`EngineOptions`].
    pub fn new(program: Program) -> Result<Engine, LoadError> {
        Engine::with_options(program, EngineOptions::default())
    }

    /// Prepares a program for evaluation.
    /// Prepares a program for evaluation.
    pub fn with_options(program: Program, options: EngineOptions) -> Result<Engine, LoadError> {
        let prepared = Prepared::new(program, options)?;
        let run = Run::new(&prepared);
        Ok(Engine { prepared, run })
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
        let Engine { prepared, run } = self;
        let mut event = run.reorder.take();
        match prepared.decoder.decode_into(line, &mut event) {
            Ok(Decoded::Event) => run.accept(prepared, event, line_no, out),
            Ok(Decoded::Elsewhere) => {
                run.reorder.give(event);
                run.summary.evaluated += 1;
                run.summary.other_vocabulary += 1;
            }
            Err(error) => {
                run.reorder.give(event);
                run.reject(line_no, error.into_message(), out);
            }
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
        let mut held = self.run.reorder.take();
        held.clone_from(event);
        self.run.accept(&self.prepared, held, line_no, out);
    }

    /// Like [`Engine::process_line`] for a line read as bytes: one that is not UTF-8 is an
    /// input error.
    pub fn process_line_bytes(&mut self, line_no: u64, line: &[u8], out: &mut impl FnMut(Finding)) {
        match std::str::from_utf8(line) {
            Ok(text) => self.process_line(line_no, text, out),
            Err(error) => {
                self.run.summary.lines_total += 1;
                self.run.reject(line_no, not_utf8(&error), out);
            }
        }
    }

    /// Judges an event of a partition of the stream that was already decoded (by
    /// [`decode_line`]) and admitted by the whole stream's [`crate::partition::Admission`]:
    /// it is counted as evaluated (not as a line: the lines are counted where the stream is
    /// split) and held for the watermark like any accepted event.
    pub fn judge_admitted(&mut self, line_no: u64, event: Event, out: &mut impl FnMut(Finding)) {
        self.run.accept(&self.prepared, event, line_no, out);
    }

    /// Declares that stream time has reached `time` (Unix seconds) even if no event says so:
    /// the watermark moves up to it (never back), held events at or before it are judged and
    /// obligations due by then are reported `overdue`. Events before it are rejected afterwards.
    ///
    /// For services whose streams go quiet: a clock tick lets deadlines fall due.
    pub fn advance_to(&mut self, time: i64, out: &mut impl FnMut(Finding)) {
        let Engine { prepared, run } = self;
        run.latest = Some(run.latest.map_or(time, |l| l.max(time)));
        run.advance(prepared, time, out);
    }

    /// Judges every held event now, as if the watermark had reached the latest time accepted
    /// ([`Engine::advance_to`] that time): events before it are rejected afterwards.
    pub fn flush(&mut self, out: &mut impl FnMut(Finding)) {
        if let Some(latest) = self.run.latest {
            self.advance_to(latest, out);
        }
    }

    /// Accepted events still waiting for the watermark before they are judged.
    pub fn held(&self) -> usize {
        self.run.reorder.len()
    }

    /// The time before which no event is accepted any more, once an event has been accepted.
    pub fn watermark(&self) -> Option<i64> {
        self.run.watermark
    }

    /// The latest event time accepted so far.
    pub fn latest(&self) -> Option<i64> {
        self.run.latest
    }

    /// The obligations still pending, earliest deadline first, each as the `open` finding
    /// closing the stream now would report for it (held events not yet judged start none).
    pub fn open_obligations(&self) -> Vec<Finding> {
        let mut pending: Vec<&obligations::Obligation> = self.run.obligations.iter().collect();
        pending.sort_unstable_by_key(|o| (o.due.instant, o.seq));
        pending
            .into_iter()
            .map(|o| self.prepared.obligation_finding(FindingKind::Open, o))
            .collect()
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
        run.release(&prepared, None, out);
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
    /// A run that has seen nothing yet.
    fn new(p: &Prepared) -> Run {
        let states = States::new(
            p.program
                .states
                .iter()
                .zip(&p.thresholds)
                .map(|(s, t)| (&s.kind, t.iter().map(|t| t.threshold).collect())),
        );
        Run {
            summary: Summary::default(),
            states,
            onces: p
                .onces
                .iter()
                .map(|plan| OnceStore::new(plan.resets.len()))
                .collect(),
            pending: vec![Index::default(); p.deadlines.len()],
            obligations: Slab::default(),
            queue: BinaryHeap::new(),
            next_seq: 0,
            latest: None,
            watermark: None,
            reorder: Reorder::default(),
            transition_done: false,
            days: DayCache::default(),
            crossings: Vec::new(),
            ids: Vec::new(),
            dues: Vec::new(),
        }
    }

    /// Counts a finding and passes it on.
    fn emit(&mut self, finding: Finding, out: &mut impl FnMut(Finding)) {
        self.summary.findings_by_kind.add(finding.finding);
        out(finding);
    }

    /// Sets a line aside as an input error.
    fn reject(&mut self, line_no: u64, message: String, out: &mut impl FnMut(Finding)) {
        self.summary.rejected += 1;
        self.emit(Finding::input_error(line_no, message), out);
    }
}
