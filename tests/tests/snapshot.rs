//! Snapshots of a run: restoring one and going on gives the findings of an uninterrupted run;
//! another revision of the program keeps what is still meaningful and says what it dropped.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    reason = "a test fails loudly when its fixtures are missing or broken"
)]

use std::sync::{Arc, OnceLock};

use edict_compiler::Workspace;
use edict_generator::{Config, Generator};
use edict_runtime::engine::Engine;
use edict_runtime::ir::{Body, Expr, Program};
use edict_runtime::snapshot::SnapshotError;
use proptest::prelude::*;

fn measures() -> Arc<Program> {
    static PROGRAM: OnceLock<Arc<Program>> = OnceLock::new();
    Arc::clone(PROGRAM.get_or_init(|| {
        let mut ws = Workspace::default();
        let packages = ws
            .load(&["../policies/measures-2025".into()])
            .expect("the Measures load");
        ws.program(&packages[0]).expect("the Measures compile")
    }))
}

fn stream(events: u64, seed: u64) -> Vec<String> {
    Generator::new(Config {
        events,
        seed,
        violation_rate: 0.05,
        processors: 3,
        mean_gap_ms: 30_000,
        ..Config::default()
    })
    .map(|l| l.text)
    .collect()
}

/// Runs lines `from..` of a stream through an engine, closing it when `close` is set.
fn feed(engine: &mut Engine, lines: &[String], from: usize, out: &mut Vec<String>) {
    for (index, line) in lines.iter().enumerate().skip(from) {
        engine.process_line(index as u64 + 1, line, &mut |f| out.push(f.to_json_line()));
    }
}

fn uninterrupted(lines: &[String]) -> (Vec<String>, String) {
    let mut engine = Engine::new((*measures()).clone()).unwrap();
    let mut out = Vec::new();
    feed(&mut engine, lines, 0, &mut out);
    let summary = engine.finish(None, &mut |f| out.push(f.to_json_line()));
    (out, serde_json::to_string(&summary).unwrap())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    /// Stopping anywhere, snapshotting, and going on in a fresh engine restored from the
    /// snapshot gives exactly the findings, in order, and the summary of an uninterrupted run.
    #[test]
    fn a_restored_run_goes_on_as_if_uninterrupted(seed in 0u64..500, cut in 0usize..600) {
        let lines = stream(600, seed);
        let (expected, expected_summary) = uninterrupted(&lines);

        let mut first = Engine::new((*measures()).clone()).unwrap();
        let mut out = Vec::new();
        for (index, line) in lines.iter().enumerate().take(cut) {
            first.process_line(index as u64 + 1, line, &mut |f| out.push(f.to_json_line()));
        }
        let bytes = first.snapshot();
        drop(first);
        let mut second = Engine::new((*measures()).clone()).unwrap();
        let report = second.restore(&bytes).unwrap();
        prop_assert!(report.same_program);
        prop_assert!(report.dropped.is_empty(), "{:?}", report.dropped);
        // A snapshot of the restored engine is the snapshot it was restored from.
        prop_assert!(second.snapshot() == bytes, "the snapshots differ");
        feed(&mut second, &lines, cut, &mut out);
        let summary = second.finish(None, &mut |f| out.push(f.to_json_line()));
        prop_assert_eq!(out, expected);
        prop_assert_eq!(serde_json::to_string(&summary).unwrap(), expected_summary);
    }

    /// Damaged snapshots are refused with an error, never a panic.
    #[test]
    fn damaged_snapshots_are_refused(cut in 0usize..10_000, flip in 0usize..10_000, bit in 0u8..8) {
        let lines = stream(200, 3);
        let mut engine = Engine::new((*measures()).clone()).unwrap();
        feed(&mut engine, &lines, 0, &mut Vec::new());
        let bytes = engine.snapshot();
        let mut fresh = Engine::new((*measures()).clone()).unwrap();
        let cut = cut % bytes.len();
        prop_assert!(fresh.restore(&bytes[..cut]).is_err());
        let mut flipped = bytes.clone();
        let at = flip % bytes.len();
        flipped[at] ^= 1 << bit;
        // A flipped bit may still read as a snapshot; it must not panic.
        let _ = fresh.restore(&flipped);
    }
}

#[test]
fn another_format_or_no_snapshot_is_refused() {
    let mut engine = Engine::new((*measures()).clone()).unwrap();
    assert_eq!(
        engine.restore(b"not a snapshot"),
        Err(SnapshotError::NotASnapshot)
    );
    let mut bytes = engine.snapshot();
    bytes[8] = 9; // the format number follows the magic bytes
    assert_eq!(
        engine.restore(&bytes),
        Err(SnapshotError::Format { found: 9 })
    );
    assert_eq!(
        SnapshotError::Format { found: 9 }.to_string(),
        "the state snapshot has format 9 but this edict reads formats 1 to 2"
    );
}

/// A snapshot of format 1 (written before the summary counted other vocabularies' lines) is
/// still read: everything it holds is restored and the new count starts at zero.
#[test]
fn a_snapshot_of_the_first_format_is_still_read() {
    let lines = stream(300, 5);
    let mut engine = Engine::new((*measures()).clone()).unwrap();
    feed(&mut engine, &lines, 0, &mut Vec::new());
    let mut bytes = engine.snapshot();
    // Magic (8 bytes), the format number (one byte), two hashes as length-prefixed strings,
    // then six counters before the one format 2 added.
    assert_eq!(bytes[8], 2);
    bytes[8] = 1;
    let mut at = 9;
    for _ in 0..2 {
        at += 1 + usize::from(bytes[at]);
    }
    for _ in 0..6 {
        while bytes[at] & 0x80 != 0 {
            at += 1;
        }
        at += 1;
    }
    assert_eq!(bytes[at], 0, "no line of another vocabulary was read");
    bytes.remove(at);
    let mut restored = Engine::new((*measures()).clone()).unwrap();
    restored.restore(&bytes).unwrap();
    assert_eq!(restored.summary(), engine.summary());
    assert_eq!(
        restored.snapshot(),
        engine.snapshot(),
        "restored as written, the new count at zero"
    );
}

/// A new revision: one rule's message changed (its memory is kept), one deadline's condition
/// changed (its obligations are dropped), one state renamed (its keys are dropped).
#[test]
fn another_revision_keeps_what_is_still_meaningful() {
    let lines = stream(2_000, 5);
    let mut engine = Engine::new((*measures()).clone()).unwrap();
    feed(&mut engine, &lines, 0, &mut Vec::new());
    let bytes = engine.snapshot();

    let mut revised = (*measures()).clone();
    let once = revised
        .rules
        .iter_mut()
        .find(|r| matches!(r.body, Body::Once { .. }))
        .unwrap();
    let once_id = once.id.to_string();
    once.message.push_str(" (revised wording)");
    // The retention deadline: every enrollment of the stream starts one.
    let deadline = revised
        .rules
        .iter_mut()
        .find(|r| matches!(r.body, Body::Deadline { .. }) && r.id.name == "retention")
        .unwrap();
    let deadline_id = deadline.id.to_string();
    if let Body::Deadline { pattern, .. } = &mut deadline.body {
        pattern.condition = Some(Expr::Const(edict_runtime::ir::Value::Bool(true)));
    }
    let state = revised.states[0].name.clone();
    revised.states[0].name.push_str("-renamed");

    let mut restored = Engine::new(revised).unwrap();
    let report = restored.restore(&bytes).unwrap();
    assert!(!report.same_program);
    let has = |list: &[String], what: &str| list.iter().any(|l| l.contains(what));
    assert!(
        has(&report.kept, &format!("`once` memory of `{once_id}`")),
        "{report:#?}"
    );
    assert!(
        has(
            &report.dropped,
            &format!("of `{deadline_id}` (its definition changed)")
        ),
        "{report:#?}"
    );
    assert!(
        has(&report.dropped, &format!("state `{state}`"))
            && has(&report.dropped, "(the program has no such state)"),
        "{report:#?}"
    );
    assert_eq!(restored.summary(), engine.summary());
}
