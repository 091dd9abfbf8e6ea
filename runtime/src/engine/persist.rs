//! Snapshots of a run: [`Engine::snapshot`] and [`Engine::restore`] (the format is in the
//! `snapshot` module).

use std::cmp::Reverse;
use std::collections::BTreeMap;
use std::sync::Arc;

use super::judge::Candidate;
use super::obligations::{Bound, Due, Obligation};
use super::plan::Prepared;
use super::trigger::{Kept, KeyTrigger, slim};
use super::{Engine, Run};
use crate::bundle::{json_hash, program_hash};
use crate::eval::Binding;
use crate::ir::{PATTERN_SLOT, Program, Rule, StateId};
use crate::snapshot::{
    FIRST_READ_FORMAT, MAGIC, Reader, RestoreReport, SNAPSHOT_FORMAT, SnapshotError, Writer,
};
use crate::state::Placement;

/// The fingerprint of a rule: everything that decides what it remembers and when, but not its
/// texts.
fn rule_fingerprint(rule: &Rule) -> String {
    // A rule without `once` conditions keeps the fingerprint it had before they existed.
    if rule.onces.is_empty() {
        return json_hash(&(
            &rule.trigger,
            &rule.when,
            &rule.body,
            &rule.unless,
            &rule.evidence,
        ));
    }
    json_hash(&(
        &rule.trigger,
        &rule.when,
        &rule.body,
        &rule.unless,
        &rule.evidence,
        &rule.onces,
    ))
}

/// The name a `once` memory is stored under: its rule's id, and for a `once` condition its
/// number (`RULE#once1`).
fn once_label(rule: &Rule, condition: Option<u32>) -> String {
    match condition {
        None => rule.id.to_string(),
        Some(i) => format!("{}#once{i}", rule.id),
    }
}

fn state_fingerprint(program: &Program, state: usize) -> (String, String) {
    match program.states.get(state) {
        Some(s) => (s.name.clone(), json_hash(&(&s.kind, &s.updates))),
        None => (String::new(), String::new()),
    }
}

impl Engine {
    /// The state of the run as bytes: states, `once` memories, pending obligations, held events,
    /// the watermark and the summary (the format is described in [`crate::snapshot`]).
    pub fn snapshot(&self) -> Vec<u8> {
        let p = &self.prepared;
        let run = &self.run;
        let mut w = Writer::default();
        w.raw(MAGIC);
        w.u64(u64::from(SNAPSHOT_FORMAT));
        w.str(&program_hash(&p.program));
        w.str(&json_hash(&p.program.vocabulary));
        let s = &run.summary;
        for n in [
            s.lines_total,
            s.blank,
            s.evaluated,
            s.rejected,
            s.not_yet_effective,
            s.exempt,
            s.other_vocabulary,
            s.findings_by_kind.violation,
            s.findings_by_kind.overdue,
            s.findings_by_kind.open,
            s.findings_by_kind.input_error,
        ] {
            w.u64(n);
        }
        w.opt_i64(run.latest);
        w.opt_i64(run.watermark);
        w.bool(run.transition_done);
        w.u64(run.next_seq);
        w.u64(run.reorder.arrivals);

        run.states
            .write(&mut w, |state| state_fingerprint(&p.program, state));

        w.usize(p.onces.len());
        for (plan, store) in p.onces.iter().zip(&run.onces) {
            let rule = &p.program.rules[plan.rule];
            w.str(&once_label(rule, plan.condition));
            w.str(&rule_fingerprint(rule));
            w.usize(store.candidates.len());
            for candidate in store.candidates.iter() {
                w.event(&candidate.event);
                w.i64(candidate.day);
            }
        }

        // Obligations by deadline rule, each rule's id and fingerprint written once.
        let mut by_plan: Vec<Vec<&Obligation>> = vec![Vec::new(); p.deadlines.len()];
        for obligation in run.obligations.iter() {
            if let Some(list) = by_plan.get_mut(obligation.plan) {
                list.push(obligation);
            }
        }
        w.usize(by_plan.iter().filter(|l| !l.is_empty()).count());
        for (plan, list) in by_plan.iter().enumerate().filter(|(_, l)| !l.is_empty()) {
            let rule = &p.program.rules[p.deadlines[plan].rule];
            w.str(&rule.id.to_string());
            w.str(&rule_fingerprint(rule));
            w.usize(list.len());
            for obligation in list {
                write_obligation(&mut w, p, obligation);
            }
        }

        let mut held: Vec<_> = run.reorder.iter().collect();
        held.sort_unstable_by_key(|h| h.arrival);
        w.usize(held.len());
        for h in held {
            w.event(&h.event);
            w.u64(h.line);
            w.u64(h.arrival);
        }
        w.bytes
    }

    /// Replaces the run's state with a snapshot's; what is not meaningful for this program
    /// (another revision's changed definitions) is dropped, and the report says what was kept
    /// and what was dropped. On an error the engine is left as if it had seen nothing.
    pub fn restore(&mut self, bytes: &[u8]) -> Result<RestoreReport, SnapshotError> {
        self.run = Run::new(&self.prepared);
        let mut run = Run::new(&self.prepared);
        let report = read(&self.prepared, &mut run, bytes)?;
        self.run = run;
        Ok(report)
    }
}

fn write_obligation(w: &mut Writer, p: &Prepared, obligation: &Obligation) {
    match &obligation.trigger {
        Bound::Event(kept) => {
            w.bool(false);
            w.event_parts(
                kept.ty,
                (kept.time, kept.nanos, kept.offset_seconds),
                kept.id.as_deref(),
                &kept.fields,
            );
        }
        Bound::Key(key) => {
            w.bool(true);
            w.str(&state_fingerprint(&p.program, key.state as usize).0);
            w.value(&key.key);
            w.i64(key.time);
            w.u64(u64::from(key.nanos));
            w.i64(i64::from(key.offset_seconds));
            w.opt_str(key.event_id.as_deref());
        }
    }
    w.u64(obligation.line);
    w.date(obligation.due.date);
    w.i64(obligation.due.instant);
    match obligation.due.unknown_from {
        None => w.bool(false),
        Some(date) => {
            w.bool(true);
            w.date(date);
        }
    }
    w.u64(obligation.seq);
}

fn read(p: &Prepared, run: &mut Run, bytes: &[u8]) -> Result<RestoreReport, SnapshotError> {
    let mut r = Reader::new(bytes);
    if r.raw(MAGIC.len()).ok() != Some(MAGIC.as_slice()) {
        return Err(SnapshotError::NotASnapshot);
    }
    let format = r.u32()?;
    if !(FIRST_READ_FORMAT..=SNAPSHOT_FORMAT).contains(&format) {
        return Err(SnapshotError::Format { found: format });
    }
    let mut report = RestoreReport {
        same_program: r.str()? == program_hash(&p.program),
        ..RestoreReport::default()
    };
    let same_vocabulary = r.str()? == json_hash(&p.program.vocabulary);
    if !same_vocabulary {
        report.drop_(
            "every state, memory, obligation and held event: the vocabulary changed".to_owned(),
        );
    }

    let s = &mut run.summary;
    for n in [
        &mut s.lines_total,
        &mut s.blank,
        &mut s.evaluated,
        &mut s.rejected,
        &mut s.not_yet_effective,
        &mut s.exempt,
    ] {
        *n = r.u64()?;
    }
    // Format 1 had no count of other vocabularies' lines.
    s.other_vocabulary = if format >= 2 { r.u64()? } else { 0 };
    for n in [
        &mut s.findings_by_kind.violation,
        &mut s.findings_by_kind.overdue,
        &mut s.findings_by_kind.open,
        &mut s.findings_by_kind.input_error,
    ] {
        *n = r.u64()?;
    }
    run.latest = r.opt_i64()?;
    run.watermark = r.opt_i64()?;
    run.transition_done = r.bool()?;
    run.next_seq = r.u64()?;
    run.reorder.arrivals = r.u64()?;

    let states: Vec<(String, String)> = (0..p.program.states.len())
        .map(|s| state_fingerprint(&p.program, s))
        .collect();
    let mut notes: Vec<(bool, String)> = Vec::new();
    run.states.read(
        &mut r,
        |name, fingerprint| {
            let found = states
                .iter()
                .position(|(n, f)| n == name && f == fingerprint);
            match (
                same_vocabulary,
                found.and_then(|s| StateId::try_from(s).ok()),
            ) {
                (true, Some(id)) => Placement::Into(id),
                _ => Placement::Drop,
            }
        },
        |name, id, keys| {
            let why = if id.is_some() {
                ""
            } else if !same_vocabulary {
                " (the vocabulary changed)"
            } else if states.iter().any(|(n, _)| n == name) {
                " (its definition changed)"
            } else {
                " (the program has no such state)"
            };
            notes.push((id.is_some(), format!("state `{name}`: {keys} keys{why}")));
        },
    )?;
    for (kept, note) in notes {
        if kept {
            report.keep(note);
        } else {
            report.drop_(note);
        }
    }

    // Rules by id, with their fingerprints, to find a memory's or an obligation's rule.
    let rules: BTreeMap<String, (usize, String)> = p
        .program
        .rules
        .iter()
        .enumerate()
        .map(|(i, rule)| (rule.id.to_string(), (i, rule_fingerprint(rule))))
        .collect();
    let find = |id: &str, fingerprint: &str| -> Result<usize, &'static str> {
        match rules.get(id) {
            _ if !same_vocabulary => Err(" (the vocabulary changed)"),
            Some((rule, f)) if f == fingerprint => Ok(*rule),
            Some(_) => Err(" (its definition changed)"),
            None => Err(" (the program has no such rule)"),
        }
    };

    let onces = r.count()?;
    for _ in 0..onces {
        let id = r.string()?;
        let fingerprint = r.string()?;
        let (rule_id, condition) = match id.rsplit_once("#once") {
            Some((rule_id, n)) => (rule_id, n.parse::<u32>().ok()),
            None => (id.as_str(), None),
        };
        let once = find(rule_id, &fingerprint).and_then(|rule| {
            p.onces
                .iter()
                .position(|o| o.rule == rule && o.condition == condition)
                .ok_or("")
        });
        let n = r.count()?;
        for _ in 0..n {
            let event = r.event()?;
            let day = r.i64()?;
            if let Ok(once) = once {
                check_event(p, &event, &r)?;
                let fields = p
                    .dispatch
                    .get(event.ty as usize)
                    .map_or(&[][..], |d| &d.remembered_fields);
                remember(p, run, once, Arc::new(slim(fields, &event)), day);
            }
        }
        match once {
            Ok(_) => report.keep(format!("`once` memory of `{id}`: {n} events")),
            Err(why) => report.drop_(format!("`once` memory of `{id}`: {n} events{why}")),
        }
    }

    let groups = r.count()?;
    for _ in 0..groups {
        let id = r.string()?;
        let fingerprint = r.string()?;
        let plan = find(&id, &fingerprint)
            .and_then(|rule| p.deadlines.iter().position(|d| d.rule == rule).ok_or(""));
        let n = r.count()?;
        if let Ok(plan) = plan {
            run.obligations.reserve(n);
            run.pending[plan].reserve(n);
            run.queue.reserve(n);
        }
        let mut missing_state = 0u64;
        for _ in 0..n {
            let trigger = if r.bool()? {
                let state = r.str()?;
                let key = r.value()?;
                let time = r.i64()?;
                let nanos = r.u32()?;
                let offset_seconds =
                    i32::try_from(r.i64()?).map_err(|_| r.damaged("an offset is out of range"))?;
                let event_id = r.opt_string()?;
                let state = states
                    .iter()
                    .position(|(n, _)| n == state)
                    .and_then(|s| StateId::try_from(s).ok());
                let Some(state) = state else {
                    missing_state += 1;
                    read_due(&mut r)?;
                    continue;
                };
                Bound::Key(Arc::new(KeyTrigger {
                    state,
                    key,
                    time,
                    nanos,
                    offset_seconds,
                    event_id,
                }))
            } else {
                let event = r.event()?;
                match plan {
                    Ok(plan) => {
                        check_event(p, &event, &r)?;
                        Bound::Event(Kept::of(&p.deadlines[plan].keep, &event))
                    }
                    Err(_) => Bound::Event(Kept::of(&[], &event)),
                }
            };
            let (line, due, seq) = read_due(&mut r)?;
            if let Ok(plan) = plan {
                pend(p, run, plan, trigger, line, due, seq);
            }
        }
        match plan {
            Ok(_) => {
                report.keep(format!(
                    "{} pending obligations of `{id}`",
                    n as u64 - missing_state
                ));
                if missing_state > 0 {
                    report.drop_(format!(
                        "{missing_state} pending obligations of `{id}` (the program has no such state)"
                    ));
                }
            }
            Err(why) => report.drop_(format!("{n} pending obligations of `{id}`{why}")),
        }
    }

    let held = r.count()?;
    for _ in 0..held {
        let event = r.event()?;
        let line = r.u64()?;
        let arrival = r.u64()?;
        if same_vocabulary {
            check_event(p, &event, &r)?;
            run.reorder.restore(super::reorder::Held {
                event,
                line,
                arrival,
            });
        }
    }
    if held > 0 {
        let note = format!("{held} events held for the watermark");
        if same_vocabulary {
            report.keep(note);
        } else {
            report.drop_(note);
        }
    }
    if !r.is_empty() {
        return Err(r.damaged("bytes follow its end"));
    }
    Ok(report)
}

/// Reads an obligation's line, due date and sequence number.
fn read_due(r: &mut Reader<'_>) -> Result<(u64, Due, u64), SnapshotError> {
    let line = r.u64()?;
    let date = r.date()?;
    let instant = r.i64()?;
    let unknown_from = if r.bool()? { Some(r.date()?) } else { None };
    let seq = r.u64()?;
    Ok((
        line,
        Due {
            date,
            instant,
            unknown_from,
        },
        seq,
    ))
}

/// Refuses an event whose type the vocabulary lacks.
fn check_event(
    p: &Prepared,
    event: &crate::event::Event,
    r: &Reader<'_>,
) -> Result<(), SnapshotError> {
    match p.program.vocabulary.events.get(event.ty as usize) {
        Some(def) if event.fields.len() <= def.fields.len() => Ok(()),
        _ => Err(r.damaged("an event has an unknown type")),
    }
}

/// Remembers a restored event for a `once` rule, as judging it did.
fn remember(p: &Prepared, run: &mut Run, once: usize, event: Arc<crate::event::Event>, day: i64) {
    let plan = &p.onces[once];
    let env = p.env().with(PATTERN_SLOT, Binding::Event(&event));
    if plan.matcher.remembered_key(&env).is_none() {
        return;
    }
    let store = &mut run.onces[once];
    let Some(id) = store.candidates.insert(Candidate { event, day }) else {
        return;
    };
    store.index(p, plan, id);
}

/// Puts a restored obligation back in the store, the queue and its rule's index.
fn pend(p: &Prepared, run: &mut Run, plan: usize, trigger: Bound, line: u64, due: Due, seq: u64) {
    let Some(id) = run.obligations.insert(Obligation {
        plan,
        trigger,
        line,
        due,
        seq,
    }) else {
        return;
    };
    run.queue.push(Reverse((due.instant, seq, id)));
    run.index(p, plan, id);
}
