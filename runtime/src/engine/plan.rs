//! Planning: everything the engine derives from a program before the first event.

use jiff::tz::TimeZone;

use super::EngineOptions;
use super::report::Reporter;
use crate::calendar::Calendar;
use crate::eval::MAX_ONCE_CONDITIONS;
use crate::event::Decoder;
use crate::ir::{
    Body, Duration, EventId, Expr, PATTERN_SLOT, Pattern, Program, RESET_SLOT, Slot, StateId,
    TRIGGER_SLOT, Trigger, Vocabulary,
};
use crate::join::JoinPlan;
use crate::load_error::LoadError;
use crate::time;

/// What an event of one type sets in motion, found at load time.
#[derive(Clone, Debug, Default)]
pub(super) struct Dispatch {
    /// Exemptions that can match this type, those for any event included, in program order.
    pub(super) exemptions: Vec<usize>,
    /// Rules judged on each event of this type (`require`, `prohibit`, `once`), in program
    /// order.
    pub(super) judged: Vec<usize>,
    /// Deadline rules that each event of this type sets running, in program order.
    pub(super) arms: Vec<usize>,
    /// Deadline rules (by number in [`Prepared::deadlines`]) whose obligations an event of this
    /// type may discharge.
    pub(super) discharges: Vec<usize>,
    /// `once` rules (by number in [`Prepared::onces`]) that remember events of this type.
    pub(super) remembers: Vec<usize>,
    /// `once` rules and their `reset by` patterns that events of this type match.
    pub(super) resets: Vec<(usize, usize)>,
    /// State updates that events of this type perform: the state and the update's number.
    pub(super) updates: Vec<(StateId, usize)>,
    /// The top-level fields that the `once` rules remembering events of this type read from
    /// them, ascending: those their patterns' conditions, their `reset by` conditions and
    /// their periods read. A remembered event keeps only these (see
    /// [`super::trigger::slim`]).
    pub(super) remembered_fields: Vec<usize>,
}

/// How a rule's body is evaluated.
#[derive(Clone, Copy, Debug)]
pub(super) enum Action {
    /// `require` or `prohibit`: a condition over the trigger.
    Check,
    /// A `once` rule, by its number in [`Prepared::onces`].
    Once(usize),
    /// A deadline rule, by its number in [`Prepared::deadlines`].
    Deadline(usize),
}

/// The plans of a `once` (a rule's body, or one of its `once` conditions) for finding its
/// remembered events.
#[derive(Clone, Debug)]
pub(super) struct OncePlan {
    pub(super) rule: usize,
    /// `None` for the rule's body, `Some(i)` for the rule's `once` condition `i`.
    pub(super) condition: Option<u32>,
    /// Joins remembered events (slot 1) to the trigger (slot 0).
    pub(super) matcher: JoinPlan,
    /// Per `reset by` pattern: joins remembered events (slot 1) to the reset (slot 2).
    pub(super) resets: Vec<JoinPlan>,
    /// One event per key is enough: the `once` has no `reset by` and no `within`, and the part
    /// of its condition outside the key reads only the earlier event, so the first event of a
    /// key that can match at all answers every later trigger with that key. Only that event
    /// of each key is remembered.
    pub(super) first_only: bool,
}

/// A deadline rule's plan for finding the obligations an event discharges.
#[derive(Clone, Debug)]
pub(super) struct DeadlinePlan {
    pub(super) rule: usize,
    /// Joins obligations (their trigger, slot 0) to a discharging event (slot 1).
    pub(super) matcher: JoinPlan,
    /// The top-level trigger fields an obligation keeps, ascending: those its pattern's
    /// condition reads, its evidence, and the fields that fill the roles of its findings.
    pub(super) keep: Vec<usize>,
}

/// The rules watching one threshold of one state.
#[derive(Clone, Debug)]
pub(super) struct Threshold {
    pub(super) threshold: i64,
    /// Rules fired by a crossing at or after the effective instant.
    pub(super) normal: Vec<usize>,
    /// Rules fired at the effective instant for keys already at the threshold.
    pub(super) transitional: Vec<usize>,
}

/// Everything the engine derives from the program at load time.
#[derive(Clone, Debug)]
pub(super) struct Prepared {
    pub(super) program: Program,
    pub(super) decoder: Decoder,
    pub(super) time_zone: TimeZone,
    pub(super) effective: Option<i64>,
    pub(super) options: EngineOptions,
    pub(super) calendar: Calendar,
    pub(super) dispatch: Vec<Dispatch>,
    pub(super) reporter: Reporter,
    pub(super) actions: Vec<Action>,
    pub(super) onces: Vec<OncePlan>,
    /// Per rule, the plans (numbers in `onces`) of its `once` conditions, in their order.
    pub(super) condition_onces: Vec<Vec<usize>>,
    /// Per rule, which of its `once` conditions its `when`, its body and its `unless` read (bit
    /// `i` for condition `i`), so that each is decided only when its part is evaluated.
    pub(super) once_masks: Vec<[u64; 3]>,
    pub(super) deadlines: Vec<DeadlinePlan>,
    /// Per state, its thresholds in the order [`States`] numbers them.
    pub(super) thresholds: Vec<Vec<Threshold>>,
}

impl Prepared {
    /// Checks a program and derives its tables: validation, dispatch by event type, join plans,
    /// thresholds, the calendar and the texts of findings.
    pub(super) fn new(program: Program, options: EngineOptions) -> Result<Prepared, LoadError> {
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

        let reporter = Reporter::new(&program)?;
        let mut dispatch: Vec<Dispatch> =
            vec![Dispatch::default(); program.vocabulary.events.len()];
        for (index, exemption) in program.exemptions.iter().enumerate() {
            match exemption.event {
                Some(event) => dispatch[event as usize].exemptions.push(index),
                None => dispatch.iter_mut().for_each(|d| d.exemptions.push(index)),
            }
        }

        let mut actions = Vec::with_capacity(program.rules.len());
        let mut onces: Vec<OncePlan> = Vec::new();
        let mut condition_onces = Vec::with_capacity(program.rules.len());
        let mut deadlines = Vec::new();
        let mut thresholds: Vec<Vec<Threshold>> = vec![Vec::new(); program.states.len()];
        let mut plan_once = |rule: usize,
                             condition: Option<u32>,
                             pattern: &Pattern,
                             within: Option<&Duration>,
                             resets: &[Pattern],
                             dispatch: &mut Vec<Dispatch>| {
            let remembering = &mut dispatch[pattern.event as usize];
            remembering.remembers.push(onces.len());
            let fields = &mut remembering.remembered_fields;
            let mut read = |slot: Slot, path: &[u32]| {
                if let (PATTERN_SLOT, Some(&first)) = (slot, path.first()) {
                    fields.push(first as usize);
                }
            };
            let conditions = std::iter::once(pattern)
                .chain(resets)
                .filter_map(|p| p.condition.as_ref());
            for condition in conditions.chain(within.map(|w| &w.amount)) {
                visit_paths(condition, &mut read);
            }
            fields.sort_unstable();
            fields.dedup();
            let within = within.is_some();
            for (r, reset) in resets.iter().enumerate() {
                dispatch[reset.event as usize].resets.push((onces.len(), r));
            }
            let matcher = JoinPlan::new(pattern.condition.as_ref(), PATTERN_SLOT, TRIGGER_SLOT);
            let first_only =
                resets.is_empty() && !within && matcher.residual_reads_only(PATTERN_SLOT);
            onces.push(OncePlan {
                rule,
                condition,
                matcher,
                resets: resets
                    .iter()
                    .map(|r| JoinPlan::new(r.condition.as_ref(), PATTERN_SLOT, RESET_SLOT))
                    .collect(),
                first_only,
            });
            onces.len() - 1
        };
        for (index, rule) in program.rules.iter().enumerate() {
            condition_onces.push(
                rule.onces
                    .iter()
                    .zip(0u32..)
                    .map(|(once, i)| {
                        plan_once(
                            index,
                            Some(i),
                            &once.pattern,
                            once.within.as_ref(),
                            &once.resets,
                            &mut dispatch,
                        )
                    })
                    .collect::<Vec<usize>>(),
            );
            let action = match &rule.body {
                Body::Require(_) | Body::Prohibit(_) => Action::Check,
                Body::Once {
                    pattern,
                    resets,
                    within,
                    ..
                } => Action::Once(plan_once(
                    index,
                    None,
                    pattern,
                    within.as_ref(),
                    resets,
                    &mut dispatch,
                )),
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
                    if let Trigger::Event(event) = rule.trigger {
                        keep.extend(reporter.roles_of(event).iter().flatten());
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
        for (id, state) in program.states.iter().enumerate() {
            let id = StateId::try_from(id)
                .map_err(|_| LoadError::invalid("the program has too many states"))?;
            for (u, update) in state.updates.iter().enumerate() {
                dispatch[update.event as usize].updates.push((id, u));
            }
        }

        let calendar = Calendar::new(&program.calendar)?;
        let once_masks: Vec<[u64; 3]> = program
            .rules
            .iter()
            .map(|rule| {
                let body = match &rule.body {
                    Body::Require(c) | Body::Prohibit(c) => once_mask(c),
                    Body::Once { .. } | Body::Deadline { .. } => 0,
                };
                [
                    rule.when.as_ref().map_or(0, once_mask),
                    body,
                    rule.unless.as_ref().map_or(0, once_mask),
                ]
            })
            .collect();

        Ok(Prepared {
            program,
            decoder,
            time_zone,
            effective,
            options,
            calendar,
            dispatch,
            reporter,
            actions,
            onces,
            condition_onces,
            once_masks,
            deadlines,
            thresholds,
        })
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
        let conditions_ok = rule
            .onces
            .iter()
            .all(|o| event_ok(o.pattern.event) && o.resets.iter().all(|p| event_ok(p.event)));
        if !patterns_ok || !conditions_ok {
            return Err(bad("waits for a missing event type"));
        }
        if rule.onces.len() > MAX_ONCE_CONDITIONS {
            return Err(bad("has more `once` conditions than the runtime supports"));
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
        Expr::EventTime(_) | Expr::Once(_) => {}
        Expr::TimePart { time, .. } => visit_paths(time, visit),
        Expr::Arith { lhs, rhs, .. } => {
            visit_paths(lhs, visit);
            visit_paths(rhs, visit);
        }
    }
}

/// The `once` conditions an expression reads, bit `i` for condition `i`.
fn once_mask(expr: &Expr) -> u64 {
    match expr {
        Expr::Once(i) => 1u64.checked_shl(*i).unwrap_or(0),
        Expr::Const(_)
        | Expr::Slot(_)
        | Expr::Field { .. }
        | Expr::Has { .. }
        | Expr::EventTime(_) => 0,
        Expr::Not(inner) | Expr::TimePart { time: inner, .. } => once_mask(inner),
        Expr::And(items) | Expr::Or(items) => items.iter().fold(0, |m, e| m | once_mask(e)),
        Expr::Cmp { lhs, rhs, .. } | Expr::Arith { lhs, rhs, .. } => {
            once_mask(lhs) | once_mask(rhs)
        }
        Expr::In { element, set } => once_mask(element) | once_mask(set),
    }
}

impl Prepared {
    /// The pattern, period and resets of a `once` plan: its rule's body, or one of its `once`
    /// conditions.
    pub(super) fn once_spec(
        &self,
        plan: &OncePlan,
    ) -> Option<(&Pattern, Option<&Duration>, &[Pattern])> {
        let rule = self.program.rules.get(plan.rule)?;
        match plan.condition {
            None => match &rule.body {
                Body::Once {
                    pattern,
                    within,
                    resets,
                    ..
                } => Some((pattern, within.as_ref(), resets)),
                _ => None,
            },
            Some(i) => {
                let once = rule.onces.get(i as usize)?;
                Some((&once.pattern, once.within.as_ref(), &once.resets))
            }
        }
    }

    /// An environment reading the parts of times in the regulation's time zone.
    pub(super) fn env(&self) -> crate::eval::Env<'_> {
        crate::eval::Env::default().in_zone(&self.time_zone)
    }
}
