//! The engine: a program prepared for evaluation, and the run over a stream.
//!
//! [`Engine::new`] does all the work that does not depend on events: it checks the program's
//! references, builds the decoder's lookup tables, resolves the regulation's time zone and
//! effective instant, indexes rules and exemptions by event type, and prepares the texts of
//! findings.
//! [`Engine::process_line`] then decodes and judges one line at a time.
//!
//! What is judged today: rules triggered by an event (`on EVENT`) whose body is `require` or
//! `prohibit`.
//! Rules over past events (`once`), deadlines, `reaches` triggers and states need time and
//! state; the engine counts them at load time ([`Engine::deferred_rules`],
//! [`Engine::deferred_states`]) and does not evaluate them.
//!
//! Accounting, in [`Summary`]: every line passed to the engine is blank, rejected or evaluated,
//! so `blank + rejected + evaluated == lines_total`.
//! An evaluated line was decoded; it is then either not yet effective (before the regulation's
//! effective instant), exempt (an exemption matched), or judged against the rules, so
//! `not_yet_effective` and `exempt` are disjoint parts of `evaluated`.

use std::fmt;
use std::io::{self, BufRead};
use std::sync::Arc;

use jiff::tz::TimeZone;
use serde::Serialize;
use serde_json::Value as Json;

use crate::bundle::Bundle;
use crate::eval::{Env, eval_bool, read_field};
use crate::event::{Decoder, Event};
use crate::finding::{EvidenceMap, Finding, FindingKind, PROCESSOR_FIELD, SUBJECT_FIELD};
use crate::ir::{
    Body, Clause, Date, EventId, Expr, Program, Rule, Slot, Trigger, Type, Value, Vocabulary,
};
use crate::pretty::clause_path;
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

/// What an event of one type sets in motion, found at load time.
///
/// Time and state will add lists here: the state updates the type performs, the obligations
/// its events may discharge, the `once` histories they feed, and the rules they arm.
#[derive(Clone, Debug, Default)]
struct Dispatch {
    /// Exemptions that can match this type, those for any event included, in program order.
    exemptions: Vec<usize>,
    /// Rules judged on each event of this type alone (`require`/`prohibit`), in program order.
    checks: Vec<usize>,
    /// The top-level string field named [`PROCESSOR_FIELD`], if the type has one.
    processor: Option<usize>,
    /// The top-level string field named [`SUBJECT_FIELD`], if the type has one.
    subject: Option<usize>,
}

/// The parts of a rule's findings that do not depend on the event.
#[derive(Clone, Debug)]
struct RuleTemplate {
    rule: Arc<str>,
    regulation: Arc<str>,
    article: u32,
    paragraph: Option<u32>,
    item: Option<u32>,
    title: Option<Arc<str>>,
    message: Arc<str>,
    message_zh: Option<Arc<str>>,
    evidence: Vec<EvidenceTemplate>,
}

#[derive(Clone, Debug)]
struct EvidenceTemplate {
    label: Arc<str>,
    path: Vec<u32>,
    /// The field's type, known when the rule is triggered by an event type.
    ty: Option<Type>,
}

/// A program prepared for evaluation, with the counts of the run so far.
#[derive(Clone, Debug)]
pub struct Engine {
    program: Program,
    decoder: Decoder,
    time_zone: TimeZone,
    effective: Option<i64>,
    dispatch: Vec<Dispatch>,
    templates: Vec<RuleTemplate>,
    deferred_rules: Vec<String>,
    deferred_states: Vec<String>,
    summary: Summary,
    /// The event being judged, kept to reuse its storage from line to line.
    scratch: Event,
}

impl Engine {
    /// Prepares a program for evaluation.
    pub fn new(program: Program) -> Result<Engine, LoadError> {
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

        let mut deferred_rules = Vec::new();
        for (index, rule) in program.rules.iter().enumerate() {
            match (&rule.trigger, &rule.body) {
                (Trigger::Event(event), Body::Require(_) | Body::Prohibit(_)) => {
                    dispatch[*event as usize].checks.push(index);
                }
                _ => deferred_rules.push(rule.id.clone()),
            }
        }
        let deferred_states = program.states.iter().map(|s| s.name.clone()).collect();

        let regulation: Arc<str> = Arc::from(program.regulation.id.as_str());
        let templates = program
            .rules
            .iter()
            .map(|rule| rule_template(&program, rule, &regulation))
            .collect::<Result<Vec<_>, _>>()?;

        Ok(Engine {
            program,
            decoder,
            time_zone,
            effective,
            dispatch,
            templates,
            deferred_rules,
            deferred_states,
            summary: Summary::default(),
            scratch: Event::default(),
        })
    }

    /// Prepares the program of a bundle for evaluation.
    pub fn from_bundle(bundle: Bundle) -> Result<Engine, LoadError> {
        Engine::new(bundle.program)
    }

    /// The program being evaluated.
    pub fn program(&self) -> &Program {
        &self.program
    }

    /// The decoder of the program's vocabulary.
    pub fn decoder(&self) -> &Decoder {
        &self.decoder
    }

    /// The regulation's time zone.
    pub fn time_zone(&self) -> &TimeZone {
        &self.time_zone
    }

    /// The start of the regulation's effective date in its time zone, as Unix seconds.
    pub fn effective_from(&self) -> Option<i64> {
        self.effective
    }

    /// The ids of the rules that need time and state (`once`, deadlines, `reaches`), which this
    /// engine does not evaluate.
    pub fn deferred_rules(&self) -> &[String] {
        &self.deferred_rules
    }

    /// The names of the states, which this engine does not keep.
    pub fn deferred_states(&self) -> &[String] {
        &self.deferred_states
    }

    /// The counts of the run so far.
    pub fn summary(&self) -> &Summary {
        &self.summary
    }

    /// Decodes and judges one line of the stream, passing each finding to `out`.
    ///
    /// `line_no` is the 1-based line number reported in findings. A blank line is counted and
    /// ignored; a line that does not decode gives an `input_error` finding and is counted as
    /// rejected; a leading byte order mark is ignored.
    pub fn process_line(&mut self, line_no: u64, line: &str, out: &mut impl FnMut(Finding)) {
        self.summary.lines_total += 1;
        let line = line.strip_prefix('\u{feff}').unwrap_or(line);
        if line.trim().is_empty() {
            self.summary.blank += 1;
            return;
        }
        match self.decoder.decode_into(line, &mut self.scratch) {
            Ok(()) => {
                self.summary.evaluated += 1;
                self.judge(line_no, out);
            }
            Err(error) => {
                self.summary.rejected += 1;
                self.emit(Finding::input_error(line_no, error.into_message()), out);
            }
        }
    }

    /// Like [`Engine::process_line`] for a line read as bytes: one that is not UTF-8 is an
    /// input error.
    pub fn process_line_bytes(&mut self, line_no: u64, line: &[u8], out: &mut impl FnMut(Finding)) {
        match std::str::from_utf8(line) {
            Ok(text) => self.process_line(line_no, text, out),
            Err(error) => {
                self.summary.lines_total += 1;
                self.summary.rejected += 1;
                let message = format!(
                    "the line is not valid UTF-8: the first bad byte is at column {}",
                    error.valid_up_to() + 1
                );
                self.emit(Finding::input_error(line_no, message), out);
            }
        }
    }

    /// Closes the stream and gives the run's summary.
    ///
    /// `as_of` is the time (Unix seconds) at which the stream closes, which will decide which
    /// pending obligations are `overdue` and which `open`; `out` will receive those findings.
    /// Without time and state there are no obligations yet, so nothing is emitted.
    pub fn finish(self, as_of: Option<i64>, out: &mut impl FnMut(Finding)) -> Summary {
        let _ = (as_of, out);
        self.summary
    }

    fn emit(&mut self, finding: Finding, out: &mut impl FnMut(Finding)) {
        self.summary.findings_by_kind.add(finding.finding);
        out(finding);
    }

    /// Judges the decoded event in `scratch`.
    fn judge(&mut self, line_no: u64, out: &mut impl FnMut(Finding)) {
        let Engine {
            program,
            effective,
            dispatch,
            templates,
            summary,
            scratch: event,
            ..
        } = self;
        if effective.is_some_and(|from| event.time < from) {
            summary.not_yet_effective += 1;
            return;
        }
        let Some(dispatch) = dispatch.get(event.ty as usize) else {
            return;
        };
        let env = Env::trigger(event);
        let exempt = dispatch
            .exemptions
            .iter()
            .any(|&x| eval_bool(&program.exemptions[x].condition, &env));
        if exempt {
            summary.exempt += 1;
            return;
        }
        for &index in &dispatch.checks {
            let rule = &program.rules[index];
            if violates(rule, &env) {
                let finding =
                    templates[index].violation(line_no, event, dispatch, &program.vocabulary);
                summary.findings_by_kind.add(finding.finding);
                out(finding);
            }
        }
    }
}

/// Whether an event breaks a `require`/`prohibit` rule.
fn violates(rule: &Rule, env: &Env<'_>) -> bool {
    if rule.when.as_ref().is_some_and(|when| !eval_bool(when, env)) {
        return false;
    }
    let broken = match &rule.body {
        Body::Require(condition) => !eval_bool(condition, env),
        Body::Prohibit(condition) => eval_bool(condition, env),
        Body::Once { .. } | Body::Deadline { .. } => false,
    };
    broken && !rule.unless.as_ref().is_some_and(|u| eval_bool(u, env))
}

/// Reads a whole stream, then closes it, passing every finding to `out`.
///
/// Lines are read into one reused buffer; a line that is not UTF-8 is an input error, not a
/// failure of the run. Only a failure to read gives an error.
pub fn run_stream(
    mut engine: Engine,
    mut reader: impl BufRead,
    as_of: Option<i64>,
    out: &mut impl FnMut(Finding),
) -> io::Result<Summary> {
    let mut buffer = Vec::with_capacity(1024);
    let mut line_no: u64 = 0;
    loop {
        buffer.clear();
        if reader.read_until(b'\n', &mut buffer)? == 0 {
            break;
        }
        line_no += 1;
        let mut line = buffer.as_slice();
        if let Some(rest) = line.strip_suffix(b"\n") {
            line = rest;
        }
        if let Some(rest) = line.strip_suffix(b"\r") {
            line = rest;
        }
        engine.process_line_bytes(line_no, line, out);
    }
    Ok(engine.finish(as_of, out))
}

impl RuleTemplate {
    fn violation(
        &self,
        line: u64,
        event: &Event,
        dispatch: &Dispatch,
        vocabulary: &Vocabulary,
    ) -> Finding {
        let string_field = |index: Option<usize>| match index.and_then(|i| event.fields.get(i)) {
            Some(Some(Value::Str(s))) => Some(s.clone()),
            _ => None,
        };
        let evidence = (!self.evidence.is_empty()).then(|| {
            EvidenceMap(
                self.evidence
                    .iter()
                    .map(|e| {
                        let value = match read_field(crate::eval::Binding::Event(event), &e.path) {
                            Some(value) => {
                                render(value, e.ty.as_ref(), vocabulary, event.time_offset_seconds)
                            }
                            None => Json::Null,
                        };
                        (Arc::clone(&e.label), value)
                    })
                    .collect(),
            )
        });
        Finding {
            finding: FindingKind::Violation,
            rule: Some(Arc::clone(&self.rule)),
            regulation: Some(Arc::clone(&self.regulation)),
            article: Some(self.article),
            paragraph: self.paragraph,
            item: self.item,
            line,
            time: Some(event.time_rfc3339()),
            message: Arc::clone(&self.message),
            event_id: event.id.clone(),
            processor: string_field(dispatch.processor),
            subject: string_field(dispatch.subject),
            deadline: None,
            evidence,
            title: self.title.clone(),
            message_zh: self.message_zh.clone(),
        }
    }
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
        paragraph: clause.paragraph,
        item: clause.item,
        title: title.map(Arc::from),
        message: Arc::from(message),
        message_zh: rule.message_zh.as_deref().map(Arc::from),
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
