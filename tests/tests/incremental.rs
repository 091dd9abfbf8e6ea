//! Incremental re-checking: an edit to one rule re-runs the queries of its file only.

#![allow(
    clippy::expect_used,
    reason = "a test fails loudly when its fixtures are missing or broken"
)]

use std::path::PathBuf;

use edict_compiler::db::SourceFile;
use edict_compiler::{Database, Workspace};
use salsa::plumbing::AsId;

fn measures() -> PathBuf {
    PathBuf::from("../policies/measures-2025")
}

/// The executed queries that concern `file`, e.g. `parse_file`.
fn ran_on(log: &[String], file: SourceFile) -> Vec<String> {
    let id = format!("({:?})", file.as_id());
    log.iter()
        .filter(|entry| entry.ends_with(&id))
        .map(|entry| entry.split('(').next().unwrap_or_default().to_string())
        .collect()
}

#[test]
fn editing_one_rule_rechecks_only_its_file() {
    let mut ws = Workspace::new(Database::with_execution_log());
    let packages = ws.load(&[measures()]).expect("the Measures load");
    let package = packages
        .iter()
        .find(|p| p.root.ends_with("measures-2025"))
        .expect("the Measures package")
        .clone();
    assert!(ws.diagnostics(&package).iter().all(|d| !d.is_error()));
    ws.db.take_executed();

    let sources = package.package.sources(&ws.db).clone();
    let edited = sources
        .iter()
        .copied()
        .find(|f| f.path(&ws.db).ends_with("verification.edict"))
        .expect("verification.edict");
    let untouched = sources
        .iter()
        .copied()
        .find(|f| f.path(&ws.db).ends_with("places.edict"))
        .expect("places.edict");
    let text = edited.text(&ws.db).replace(
        "require r.alternative_provided",
        "require r.alternative_provided and has(r.subject)",
    );
    assert_ne!(&text, edited.text(&ws.db), "the edit changes the file");
    let path = edited.path(&ws.db).clone();
    ws.set_file(&path, text);

    assert!(ws.diagnostics(&package).iter().all(|d| !d.is_error()));
    let log = ws.db.take_executed();
    assert!(
        ran_on(&log, edited).contains(&"parse_file".to_string()),
        "the edited file is parsed again: {log:?}"
    );
    assert!(
        ran_on(&log, untouched).is_empty(),
        "nothing about places.edict runs again: {log:?}"
    );
    let typechecks = log
        .iter()
        .filter(|e| e.starts_with("typecheck_file"))
        .count();
    assert_eq!(
        typechecks, 1,
        "only the edited file is type-checked again: {log:?}"
    );
    assert!(
        !log.iter().any(|e| e.starts_with("parse_outline")),
        "the outline is not segmented again: {log:?}"
    );
}
