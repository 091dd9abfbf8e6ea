//! Replays every stored input of the fuzz targets with the stable toolchain: the corpora in
//! `fuzz/corpus/TARGET/` and the inputs that once crashed or were slow in
//! `fuzz/regressions/TARGET/`. No new fuzzing: a regression fails here in seconds.

use std::path::{Path, PathBuf};

use edict_fuzzing::TARGETS;

/// The stored inputs of a target, sorted.
fn inputs(target: &str) -> Vec<PathBuf> {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz");
    let mut found = Vec::new();
    for folder in ["corpus", "regressions"] {
        if let Ok(entries) = std::fs::read_dir(fuzz.join(folder).join(target)) {
            found.extend(entries.flatten().map(|e| e.path()).filter(|p| p.is_file()));
        }
    }
    found.sort();
    found
}

fn replay(target: &str) {
    let Some((_, run)) = TARGETS.iter().find(|(name, _)| *name == target) else {
        panic!("no target {target}");
    };
    let inputs = inputs(target);
    assert!(
        !inputs.is_empty(),
        "fuzz/corpus/{target}/ has no inputs: run `fuzz/run seed`"
    );
    for path in inputs {
        let Ok(data) = std::fs::read(&path) else {
            panic!("cannot read {}", path.display());
        };
        eprintln!("{}", path.display());
        run(&data);
    }
}

#[test]
fn policy_source() {
    replay("policy_source");
}

#[test]
fn policy_program() {
    replay("policy_program");
}

#[test]
fn event_lines() {
    replay("event_lines");
}

#[test]
fn bundle() {
    replay("bundle");
}

#[test]
fn test_case() {
    replay("test_case");
}

#[test]
fn outline() {
    replay("outline");
}

#[test]
fn every_target_is_replayed_and_has_a_harness() {
    let names: Vec<&str> = TARGETS.iter().map(|(name, _)| *name).collect();
    assert_eq!(
        names,
        [
            "policy_source",
            "policy_program",
            "event_lines",
            "bundle",
            "test_case",
            "outline"
        ]
    );
    let harness = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/fuzz_targets");
    for name in names {
        assert!(
            harness.join(format!("{name}.rs")).is_file(),
            "fuzz/fuzz_targets/{name}.rs is missing"
        );
    }
}
