//! Judging one event: exemptions, per-event rules, `once` memories and resets, states and
//! the `reaches` rules they fire.

use std::sync::Arc;

use super::Run;
use super::obligations::Arming;
use super::plan::{Action, OncePlan, Prepared};
use super::trigger::{KeyTrigger, TriggerRef, slim};
use crate::calendar;
use crate::eval::{Binding, eval_bool, eval_operand};
use crate::event::Event;
use crate::finding::{Finding, FindingKind};
use crate::ir::{Body, PATTERN_SLOT, RESET_SLOT, StateId, StateOp, TRIGGER_SLOT};
use crate::join::{Index, JoinPlan, Key, Slab};
use crate::state::Change;

/// An event remembered by a `once` rule.
#[derive(Clone, Debug)]
pub(super) struct Candidate {
    /// Its time and the fields the `once` rules remembering its type read; no id (see
    /// [`super::plan::Dispatch::remembered_fields`]).
    pub(super) event: Arc<Event>,
    /// Its date in the regulation's time zone, as a day number.
    pub(super) day: i64,
}

/// A `once` rule's remembered events and their indexes.
#[derive(Clone, Debug, Default)]
pub(super) struct OnceStore {
    pub(super) candidates: Slab<Candidate>,
    pub(super) by_match: Index,
    pub(super) by_reset: Vec<Index>,
}

impl OnceStore {
    /// An empty store for a rule with this many `reset by` patterns.
    pub(super) fn new(resets: usize) -> OnceStore {
        OnceStore {
            by_reset: vec![Index::default(); resets],
            ..OnceStore::default()
        }
    }
}

impl Run {
    /// Takes a decoded event: checks its time against the watermark, holds it, and judges the
    /// held events the watermark has passed.
    pub(super) fn accept(
        &mut self,
        p: &Prepared,
        event: Event,
        line_no: u64,
        out: &mut impl FnMut(Finding),
    ) {
        let lateness = p.options.allowed_lateness_seconds.max(0);
        if let Some(watermark) = self.watermark
            && event.time < watermark
        {
            let why = match self.latest {
                Some(latest) if latest.saturating_sub(lateness) >= watermark => {
                    "the latest time seen less the allowed lateness"
                }
                _ => "the time the stream was advanced to",
            };
            let message = crate::partition::late_message(&event, watermark, why, lateness);
            self.reorder.give(event);
            self.reject(line_no, message, out);
            return;
        }
        self.summary.evaluated += 1;
        let latest = self.latest.map_or(event.time, |l| l.max(event.time));
        self.latest = Some(latest);
        self.reorder.hold(event, line_no);
        self.advance(p, latest.saturating_sub(lateness), out);
    }

    /// Moves the watermark up to `watermark` (never back): judges the held events it passes and
    /// reports the obligations due by then.
    pub(super) fn advance(&mut self, p: &Prepared, watermark: i64, out: &mut impl FnMut(Finding)) {
        let watermark = self.watermark.map_or(watermark, |w| w.max(watermark));
        self.watermark = Some(watermark);
        self.release(p, Some(watermark), out);
        self.expire(p, watermark, out);
    }

    /// When the obligations an event starts fall due (into `self.dues`, one per rule it arms).
    /// A period that cannot be counted (negative, or ending after the last supported date) is
    /// an input error for the line; nothing has changed when it is found.
    fn dues_of(
        &mut self,
        p: &Prepared,
        arms: &[usize],
        trigger: TriggerRef<'_>,
    ) -> Result<(), String> {
        let mut dues = std::mem::take(&mut self.dues);
        dues.clear();
        let mut result = Ok(());
        for &rule in arms {
            let due = if self.applies(p, rule, trigger) {
                match p.due_of(rule, trigger, &mut self.days) {
                    Ok(due) => due,
                    Err(message) => {
                        result = Err(message);
                        break;
                    }
                }
            } else {
                None
            };
            dues.push(due);
        }
        self.dues = dues;
        result
    }

    /// Judges an accepted event and lets it update the states.
    pub(super) fn judge(
        &mut self,
        p: &Prepared,
        event: &Event,
        line: u64,
        out: &mut impl FnMut(Finding),
    ) {
        let Some(dispatch) = p.dispatch.get(event.ty as usize) else {
            return;
        };
        let effective = p.effective.is_none_or(|from| event.time >= from);
        let env = p.env().with(TRIGGER_SLOT, Binding::Event(event));
        let exempt = dispatch
            .exemptions
            .iter()
            .any(|&x| eval_bool(&p.program.exemptions[x].condition, &env));
        let trigger = TriggerRef::Event(event);
        // The rules it arms read its fields (and earlier events), so their periods are known
        // only now; the line is set aside before it changes anything.
        if effective
            && !exempt
            && let Err(message) = self.dues_of(p, &dispatch.arms, trigger)
        {
            self.summary.evaluated -= 1;
            self.reject(line, message, out);
            return;
        }
        if !effective {
            self.summary.not_yet_effective += 1;
        } else if exempt {
            self.summary.exempt += 1;
        }
        if exempt {
            return;
        }
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
            for (i, &rule) in dispatch.arms.iter().enumerate() {
                if let Some(due) = self.dues.get(i).copied().flatten() {
                    self.arm(p, rule, Arming::Event(event), due, line);
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
            let Some(key) = eval_operand(&update.key, &env).into_value() else {
                continue;
            };
            let element = |expr| eval_operand(expr, &env).into_value();
            let value = match &update.op {
                StateOp::Add(expr) | StateOp::Remove(expr) => match element(expr) {
                    Some(value) => Some(value),
                    None => continue,
                },
                StateOp::Increment | StateOp::Decrement => None,
            };
            let change = match (&update.op, &value) {
                (StateOp::Add(_), Some(value)) => Change::Add(value),
                (StateOp::Remove(_), Some(value)) => Change::Remove(value),
                (StateOp::Decrement, _) => Change::Decrement,
                _ => Change::Increment,
            };
            self.states.apply(state, &key, change, line, &mut crossings);
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
    pub(super) fn transition(&mut self, p: &Prepared, out: &mut impl FnMut(Finding)) {
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

    pub(super) fn fire_on_key(
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
                let key = TriggerRef::Key(trigger);
                if self.applies(p, rule, key) {
                    // A key's period comes from the policy, not from an event line: the
                    // compiler refuses a constant period that no supported date can count
                    // (E0504); one that only a start after the key's crossing cannot count
                    // starts no obligation.
                    if let Ok(Some(due)) = p.due_of(rule, key, &mut self.days) {
                        self.arm(p, rule, Arming::Key(trigger), due, line);
                    }
                }
            }
        }
    }

    /// Judges a `require`, `prohibit` or `once` rule on its trigger.
    pub(super) fn check(
        &mut self,
        p: &Prepared,
        rule_index: usize,
        trigger: TriggerRef<'_>,
        line: u64,
        out: &mut impl FnMut(Finding),
    ) {
        let rule = &p.program.rules[rule_index];
        let [when_onces, body_onces, unless_onces] = p.once_masks[rule_index];
        let env = |results| {
            p.env()
                .with(TRIGGER_SLOT, trigger.binding())
                .with_onces(results)
        };
        // Evaluation has no effects, so the parts may be decided in any order: the `once`
        // conditions of each part only when that part is evaluated, and a `when` that looks
        // past events only after the body found the rule broken (the body is usually cheaper).
        let when_holds = |run: &mut Run, results: &mut u64| {
            *results |= run.condition_onces(p, rule_index, when_onces, trigger);
            rule.when
                .as_ref()
                .is_none_or(|when| eval_bool(when, &env(*results)))
        };
        let mut results = 0u64;
        let when_first = when_onces == 0;
        if when_first && !when_holds(self, &mut results) {
            return;
        }
        results |= self.condition_onces(p, rule_index, body_onces, trigger);
        let broken = match (&rule.body, p.actions[rule_index]) {
            (Body::Require(condition), _) => !eval_bool(condition, &env(results)),
            (Body::Prohibit(condition), _) => eval_bool(condition, &env(results)),
            (Body::Once { forbid, .. }, Action::Once(once)) => {
                self.once_holds(p, once, trigger) == *forbid
            }
            _ => false,
        };
        if !broken || (!when_first && !when_holds(self, &mut results)) {
            return;
        }
        results |= self.condition_onces(p, rule_index, unless_onces, trigger);
        if !rule
            .unless
            .as_ref()
            .is_some_and(|u| eval_bool(u, &env(results)))
        {
            let finding = p.reporter.finding(
                rule_index,
                FindingKind::Violation,
                line,
                trigger,
                trigger.time_text(),
                None,
                Arc::clone(&p.reporter.templates[rule_index].message),
            );
            self.emit(finding, out);
        }
    }

    /// The results of those of a rule's `once` conditions whose bits are set in `wanted`, for
    /// this trigger: bit `i` for condition `i`.
    fn condition_onces(
        &mut self,
        p: &Prepared,
        rule: usize,
        wanted: u64,
        trigger: TriggerRef<'_>,
    ) -> u64 {
        let mut results = 0u64;
        if wanted == 0 {
            return results;
        }
        for (bit, &once) in p.condition_onces[rule].iter().enumerate() {
            if bit < 64 && wanted & (1u64 << bit) != 0 && self.once_holds(p, once, trigger) {
                results |= 1u64 << bit;
            }
        }
        results
    }

    /// Whether a rule's `when` holds for a trigger and its `unless` does not.
    pub(super) fn applies(&mut self, p: &Prepared, rule: usize, trigger: TriggerRef<'_>) -> bool {
        let [when_onces, _, unless_onces] = p.once_masks[rule];
        let results = self.condition_onces(p, rule, when_onces, trigger);
        let env = |results| {
            p.env()
                .with(TRIGGER_SLOT, trigger.binding())
                .with_onces(results)
        };
        let rule_def = &p.program.rules[rule];
        if rule_def
            .when
            .as_ref()
            .is_some_and(|when| !eval_bool(when, &env(results)))
        {
            return false;
        }
        let results = results | self.condition_onces(p, rule, unless_onces, trigger);
        !rule_def
            .unless
            .as_ref()
            .is_some_and(|u| eval_bool(u, &env(results)))
    }

    /// Whether a remembered event matches a `once` pattern for this trigger.
    pub(super) fn once_holds(
        &mut self,
        p: &Prepared,
        once: usize,
        trigger: TriggerRef<'_>,
    ) -> bool {
        let plan = &p.onces[once];
        let Some((pattern, within, _)) = p.once_spec(plan) else {
            return false;
        };
        let env = p.env().with(TRIGGER_SLOT, trigger.binding());
        let Some(key) = plan.matcher.probe_key(&env) else {
            return false;
        };
        let trigger_day = match within {
            Some(_) => calendar::day_number(self.days.date(&p.time_zone, trigger.time())),
            None => 0,
        };
        let store = &self.onces[once];
        let same = |other| under(p, &plan.matcher, &store.candidates, other, &key);
        store.by_match.get(&key, same).iter().any(|&id| {
            let Some(candidate) = store.candidates.get(id) else {
                return false;
            };
            let env = env.with(PATTERN_SLOT, Binding::Event(&candidate.event));
            candidate.event.time <= trigger.time()
                && pattern
                    .condition
                    .as_ref()
                    .is_none_or(|c| eval_bool(c, &env))
                && within.is_none_or(|w| p.within(w, &env, candidate.day, trigger_day))
        })
    }

    /// Remembers an event for a `once` rule.
    pub(super) fn remember(
        &mut self,
        p: &Prepared,
        once: usize,
        event: &Event,
        shared: &mut Option<Arc<Event>>,
    ) {
        let plan = &p.onces[once];
        let env = p.env().with(PATTERN_SLOT, Binding::Event(event));
        // An event missing a joined field can never match.
        let Some(key) = plan.matcher.remembered_key(&env) else {
            return;
        };
        // An event that fails the conjuncts reading it alone can never match a trigger.
        if !plan.matcher.may_match(&env) {
            return;
        }
        if plan.first_only {
            let store = &self.onces[once];
            let same = |other| under(p, &plan.matcher, &store.candidates, other, &key);
            if !store.by_match.get(&key, same).is_empty() {
                return;
            }
        }
        let day = calendar::day_number(self.days.date(&p.time_zone, event.time));
        let candidate = Candidate {
            event: Arc::clone(shared.get_or_insert_with(|| {
                let fields = p
                    .dispatch
                    .get(event.ty as usize)
                    .map_or(&[][..], |d| &d.remembered_fields);
                Arc::new(slim(fields, event))
            })),
            day,
        };
        let store = &mut self.onces[once];
        let Some(id) = store.candidates.insert(candidate) else {
            return;
        };
        store.index(p, plan, id);
    }

    /// Cancels the remembered events that a `reset by` event matches.
    pub(super) fn reset(&mut self, p: &Prepared, once: usize, reset: usize, event: &Event) {
        let plan = &p.onces[once];
        let Some((_, _, resets)) = p.once_spec(plan) else {
            return;
        };
        let (Some(pattern), Some(join)) = (resets.get(reset), plan.resets.get(reset)) else {
            return;
        };
        let env = p.env().with(RESET_SLOT, Binding::Event(event));
        let Some(key) = join.probe_key(&env) else {
            return;
        };
        let store = &mut self.onces[once];
        let mut cancelled = std::mem::take(&mut self.ids);
        cancelled.clear();
        let same = |other| under(p, join, &store.candidates, other, &key);
        for &id in store.by_reset[reset].get(&key, same) {
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
            store.forget(p, plan, id);
        }
        self.ids = cancelled;
    }
}

impl OnceStore {
    /// Puts a stored candidate in the indexes of its `once` plan.
    pub(super) fn index(&mut self, p: &Prepared, plan: &OncePlan, id: u32) {
        self.reindex(p, plan, id, true);
    }

    /// Takes a candidate out of its indexes (while it is still stored: they read its keys),
    /// then out of the store.
    fn forget(&mut self, p: &Prepared, plan: &OncePlan, id: u32) {
        self.reindex(p, plan, id, false);
        self.candidates.remove(id);
    }

    /// Inserts a stored candidate into, or removes it from, every index of its plan under
    /// the key its remembered event gives.
    fn reindex(&mut self, p: &Prepared, plan: &OncePlan, id: u32, insert: bool) {
        let OnceStore {
            candidates,
            by_match,
            by_reset,
        } = self;
        let Some(candidate) = candidates.get(id) else {
            return;
        };
        let env = p.env().with(PATTERN_SLOT, Binding::Event(&candidate.event));
        let indexes =
            std::iter::once((&plan.matcher, by_match)).chain(plan.resets.iter().zip(by_reset));
        for (join, index) in indexes {
            if let Some(key) = join.remembered_key(&env) {
                let same = |other| under(p, join, candidates, other, &key);
                if insert {
                    index.insert(&key, id, same);
                } else {
                    index.remove(&key, id, same);
                }
            }
        }
    }
}

/// Whether candidate `id` is remembered under `key` by a join whose remembered slot is the
/// pattern's.
fn under(
    p: &Prepared,
    join: &JoinPlan,
    candidates: &Slab<Candidate>,
    id: u32,
    key: &Key<'_>,
) -> bool {
    candidates.get(id).is_some_and(|c| {
        let env = p.env().with(PATTERN_SLOT, Binding::Event(&c.event));
        join.remembered_key(&env).is_some_and(|k| k.same_as(key))
    })
}
