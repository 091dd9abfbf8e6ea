//! `edict test` as policy authors and CI use it, snapshotted as transcripts: cases that pass, a
//! wrong expectation shown as a diff, a broken test file, a rule without cases and a broken
//! policy, each with its exit status; output that a closed pipe or a full disk refuses.
//!
//! The behaviours are shown on the fixtures (`tests/fixtures/`, a made-up lending library); the
//! first test runs the real policy library end to end and checks its summary only.

#![expect(
    clippy::expect_used,
    reason = "a helper that cannot run the command or prepare its files fails the test"
)]

mod common;

use std::process::{Command, Stdio};

use common::*;

#[test]
fn the_whole_library_passes_and_every_rule_has_cases() {
    let run = edict(&["test", "../policies"]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert!(
        run.last_line().starts_with("test result: ok. ") && run.last_line().ends_with(" 0 failed"),
        "{}",
        run.transcript()
    );
    assert!(
        !run.stdout.contains("rules without a"),
        "every rule has a passing and a failing case: {}",
        run.transcript()
    );
}

#[test]
fn the_cases_pass_and_cover_every_rule() {
    let run = edict(&["test", LENDING]);
    assert_eq!(run.code, 0);
    insta::assert_snapshot!(run.transcript());
}

#[test]
fn every_package_under_a_folder_is_tested() {
    let run = edict(&["test", FIXTURES]);
    assert_eq!(run.code, 0);
    insta::assert_snapshot!(run.transcript());
}

#[test]
fn a_wrong_line_number_fails_with_a_diff() {
    let package = fixture_copy("wrong-line");
    edit(
        &package.join("tests/art03-returns.test"),
        "expect overdue lending-rules/art3/returned-in-time line 1\n\ncase Not yet",
        "expect overdue lending-rules/art3/returned-in-time line 2\n\ncase Not yet",
    );
    let run = edict(&["test", arg(&package)]);
    assert_eq!(run.code, 1);
    insta::assert_snapshot!(run.transcript());
}

#[test]
fn json_gives_one_object_per_case_and_a_summary() {
    let package = fixture_copy("json");
    edit(
        &package.join("tests/art02-loans.test"),
        "expect violation lending-rules/art2/p1/loan-period line 1",
        "expect no findings",
    );
    let run = edict(&["test", arg(&package), "--format", "json"]);
    assert_eq!(run.code, 1);
    let objects: Vec<serde_json::Value> = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect();
    let (summary, cases) = objects.split_last().expect("at least the summary");
    assert_eq!(summary["type"], "summary");
    assert!(cases.iter().all(|c| c["type"] == "case"));
    insta::assert_snapshot!(run.transcript());
}

#[test]
fn a_malformed_test_file_is_a_usage_error_at_its_line() {
    let package = fixture_copy("malformed");
    edit(
        &package.join("tests/art03-returns.test"),
        "expect overdue lending-rules/art3/returned-in-time line 1",
        "expect overdeu lending-rules/art3/returned-in-time line 1",
    );
    let run = edict(&["test", arg(&package)]);
    assert_eq!(run.code, 2);
    insta::assert_snapshot!(run.transcript());
}

#[test]
fn an_unknown_rule_in_a_test_file_is_a_usage_error() {
    let package = fixture_copy("unknown-rule");
    edit(
        &package.join("tests/art03-returns.test"),
        "scope lending-rules/art3",
        "scope lending-rules/art3/returned-in-tme",
    );
    let run = edict(&["test", arg(&package)]);
    assert_eq!(run.code, 2);
    insta::assert_snapshot!(run.transcript());
}

#[test]
fn a_rule_without_cases_is_reported() {
    let package = fixture_copy("uncovered");
    std::fs::remove_file(package.join("tests/art04-complaints.test")).expect("remove");
    let run = edict(&["test", arg(&package)]);
    assert_eq!(run.code, 1);
    insta::assert_snapshot!(run.transcript());
}

#[test]
fn one_test_file_runs_without_the_coverage_check() {
    let run = edict(&["test", &format!("{LENDING}/tests/art03-returns.test")]);
    assert_eq!(run.code, 0);
    insta::assert_snapshot!(run.transcript());
}

#[test]
fn a_policy_that_does_not_compile_runs_no_case() {
    let package = fixture_copy("broken-policy");
    edit(
        &package.join("loans.edict"),
        "require l.days <= MAX_LOAN_DAYS",
        "require l.dayz <= MAX_LOAN_DAYS",
    );
    let run = edict(&["test", arg(&package)]);
    assert_eq!(run.code, 1);
    insta::assert_snapshot!(run.transcript());
}

#[test]
fn paths_that_are_not_tests_are_usage_errors() {
    let missing = edict(&["test", "tests/fixtures/no-such-package"]);
    let policy_file = edict(&["test", &format!("{LENDING}/rules.edict")]);
    assert_eq!((missing.code, policy_file.code), (2, 2));
    insta::assert_snapshot!(transcript(&[&missing, &policy_file]));
}

/// Runs `edict ARGS` with its standard output going to `stdout`.
fn edict_into(args: &[&str], stdout: impl Into<Stdio>) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_edict"))
        .args(args)
        .stdout(stdout)
        .output()
        .expect("the edict binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_closed_pipe_ends_the_output_quietly_and_keeps_the_exit_status() {
    // As `edict test … | head -1` once `head` has gone: every write meets a closed pipe.
    let closed = || {
        let (reader, writer) = std::io::pipe().expect("a pipe");
        drop(reader);
        writer
    };
    let (code, stderr) = edict_into(&["test", LENDING], closed());
    assert_eq!((code, stderr.as_str()), (0, ""));
    let (code, stderr) = edict_into(&["test", LENDING, "--format", "json"], closed());
    assert_eq!((code, stderr.as_str()), (0, ""));

    // The exit status still tells a failing case from a passing one.
    let package = fixture_copy("closed-pipe");
    edit(
        &package.join("tests/art02-loans.test"),
        "expect violation lending-rules/art2/p1/loan-period line 1",
        "expect no findings",
    );
    let (code, stderr) = edict_into(&["test", arg(&package)], closed());
    assert_eq!((code, stderr.as_str()), (1, ""));
}

#[test]
fn a_full_disk_is_an_error() {
    let Ok(full) = std::fs::OpenOptions::new().write(true).open("/dev/full") else {
        eprintln!("skipped: this system has no /dev/full to stand for a full disk");
        return;
    };
    let (code, stderr) = edict_into(&["test", LENDING], full);
    assert_eq!(code, 2, "{stderr}");
    insta::assert_snapshot!(stderr);
}
