//! Incremental re-checking: salsa's log of executed queries shows that an edit re-checks only
//! what depends on it. The package is `tests/packages/incremental`: three articles in two files,
//! two constants, over the toy vocabulary of the diagnostic fixtures.

#![allow(
    clippy::expect_used,
    reason = "a test fails loudly when its fixtures are missing or broken"
)]

use std::path::PathBuf;

use edict_compiler::{Database, LoadedPackage, SourceFile, Workspace};
use salsa::plumbing::AsId;

const PACKAGE: &str = "packages/incremental";
const VOCABULARY: &str = "diagnostics/_common/toy.edict";

/// A workspace with the package loaded and checked once, and the log emptied.
fn checked() -> (Workspace, LoadedPackage) {
    let mut ws = Workspace::new(Database::with_execution_log());
    let packages = ws
        .load(&[PathBuf::from(PACKAGE)])
        .expect("the package loads");
    let package = packages.first().expect("one package").clone();
    assert_eq!(ws.diagnostics(&package), &[], "the package is clean");
    assert!(ws.program(&package).is_some());
    ws.db().take_executed();
    (ws, package)
}

/// Replaces `from` with `to` in a loaded file.
fn edit(ws: &mut Workspace, path: &str, from: &str, to: &str) {
    let file = ws.file(path).expect("the file is loaded");
    let text = file.text(ws.db()).clone();
    assert!(text.contains(from), "{path} contains {from:?}");
    ws.set_file(path, text.replacen(from, to, 1));
}

/// Re-checks and builds the package, and gives the names of the queries that ran.
fn recheck(ws: &Workspace, package: &LoadedPackage) -> Vec<String> {
    assert_eq!(
        ws.diagnostics(package),
        &[],
        "the edit keeps the package clean"
    );
    assert!(ws.program(package).is_some());
    ws.db().take_executed()
}

fn count(log: &[String], query: &str) -> usize {
    log.iter()
        .filter(|entry| entry.split('(').next() == Some(query))
        .count()
}

/// The queries that ran on `file` (those whose only key is the file).
fn ran_on(log: &[String], file: SourceFile) -> Vec<&str> {
    let id = format!("({:?})", file.as_id());
    log.iter()
        .filter(|entry| entry.ends_with(&id))
        .map(|entry| entry.split('(').next().unwrap_or_default())
        .collect()
}

#[test]
fn editing_a_message_rechecks_one_article() {
    let (mut ws, package) = checked();
    // Article 2 comes before article 3 in the file: the longer message moves article 3.
    edit(
        &mut ws,
        &format!("{PACKAGE}/rules.edict"),
        "records are kept no longer than the maximum",
        "records are kept no longer than the maximum period the policy allows",
    );
    let log = recheck(&ws, &package);
    assert_eq!(count(&log, "typecheck_article"), 1, "{log:#?}");
    assert_eq!(count(&log, "parse_file"), 1, "{log:#?}");
    assert_eq!(
        count(&log, "lower_package"),
        1,
        "the message is in the program: {log:#?}"
    );
    for untouched in [&format!("{PACKAGE}/general.edict"), VOCABULARY] {
        let file = ws.file(untouched).expect("loaded");
        assert_eq!(
            ran_on(&log, file),
            Vec::<&str>::new(),
            "{untouched}: {log:#?}"
        );
    }
    assert_eq!(count(&log, "parse_outline"), 0, "{log:#?}");
}

#[test]
fn editing_a_condition_rechecks_one_article() {
    let (mut ws, package) = checked();
    edit(
        &mut ws,
        &format!("{PACKAGE}/general.edict"),
        "require e.age >= MIN_AGE",
        "require e.age >= MIN_AGE and e.retention_days > 0",
    );
    let log = recheck(&ws, &package);
    assert_eq!(count(&log, "typecheck_article"), 1, "{log:#?}");
    let rules = ws.file(&format!("{PACKAGE}/rules.edict")).expect("loaded");
    assert_eq!(ran_on(&log, rules), Vec::<&str>::new(), "{log:#?}");
}

#[test]
fn editing_a_constant_rechecks_the_articles_that_use_it() {
    let (mut ws, package) = checked();
    edit(
        &mut ws,
        &format!("{PACKAGE}/general.edict"),
        "const MAX_DAYS = 30",
        "const MAX_DAYS = 45",
    );
    let log = recheck(&ws, &package);
    // Only article 2 reads MAX_DAYS; article 1 is in the edited file but reads MIN_AGE.
    assert_eq!(count(&log, "typecheck_article"), 1, "{log:#?}");
    assert_eq!(count(&log, "package_consts"), 1, "{log:#?}");
}

#[test]
fn editing_a_vocabulary_field_rechecks_every_article() {
    let (mut ws, package) = checked();
    edit(
        &mut ws,
        VOCABULARY,
        "  event deletion {\n    subject: string\n",
        "  event deletion {\n    subject: string\n    note?: string\n",
    );
    let log = recheck(&ws, &package);
    let vocabulary = ws.file(VOCABULARY).expect("loaded");
    assert!(
        ran_on(&log, vocabulary).contains(&"vocabularies"),
        "{log:#?}"
    );
    assert_eq!(count(&log, "typecheck_article"), 3, "{log:#?}");
}

#[test]
fn editing_a_comment_of_the_vocabulary_rechecks_no_article() {
    let (mut ws, package) = checked();
    edit(
        &mut ws,
        VOCABULARY,
        "// A small vocabulary for diagnostic fixtures",
        "// A small vocabulary (edited) for the diagnostic fixtures",
    );
    let log = recheck(&ws, &package);
    let vocabulary = ws.file(VOCABULARY).expect("loaded");
    assert!(
        ran_on(&log, vocabulary).contains(&"vocabularies"),
        "{log:#?}"
    );
    assert_eq!(count(&log, "typecheck_article"), 0, "{log:#?}");
    assert_eq!(count(&log, "lower_package"), 0, "{log:#?}");
}
