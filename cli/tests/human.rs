//! What `edict run` prints for people and for spreadsheets, the order of findings, the exit
//! status CI chooses with `--fail-on`, and the progress bar of long runs.

#![allow(
    clippy::expect_used,
    reason = "a test fails loudly when its fixtures are missing or broken"
)]

mod common;

use std::path::Path;
use std::process::Command;

use common::*;

const LOANS: &str = "tests/fixtures/lending-rules/examples/loans.jsonl";
const MALFORMED: &str = "tests/fixtures/lending-rules/examples/malformed.jsonl";

#[test]
fn the_human_table_groups_violations_by_article_and_deadlines_by_due_date() {
    let run = edict(&["run", LENDING, "--events", LOANS, "--format", "human"]);
    assert_eq!(run.code, 0);
    insta::assert_snapshot!(run.transcript());
}

#[test]
fn the_human_table_of_two_regulations_and_rejected_lines() {
    let run = edict(&[
        "run", LENDING, BRANCH, "--events", MALFORMED, "--format", "human",
    ]);
    assert_eq!(run.code, 1);
    insta::assert_snapshot!(run.transcript());
}

#[test]
fn csv_has_a_header_and_one_row_per_finding() {
    let csv = edict(&["run", LENDING, "--events", LOANS, "--format", "csv"]);
    let json = edict(&["run", LENDING, "--events", LOANS, "--format", "json"]);
    assert_eq!((csv.code, json.code), (0, 0));
    assert_eq!(csv.stdout.lines().count(), json.stdout.lines().count() + 1);
    // The role columns of the header are named after the vocabulary's fields (`branch`,
    // `member`), as the JSON keys are.
    insta::assert_snapshot!(csv.transcript());
}

fn lines_of(run: &Run) -> Vec<u64> {
    run.stdout
        .lines()
        .map(|l| {
            let finding: serde_json::Value = serde_json::from_str(l).expect("a JSON finding");
            finding["line"].as_u64().expect("a line number")
        })
        .collect()
}

#[test]
fn findings_come_in_line_order_unless_asked_otherwise() {
    let sorted = edict(&["run", LENDING, "--events", LOANS]);
    let found = edict(&["run", LENDING, "--events", LOANS, "--order", "found"]);
    let lines = lines_of(&sorted);
    assert!(lines.windows(2).all(|w| w[0] <= w[1]), "{lines:?}");
    // As found, the overdue loan of line 4 (due first) comes before that of line 3.
    let as_found = lines_of(&found);
    assert!(as_found.windows(2).any(|w| w[0] > w[1]), "{as_found:?}");
    let mut a: Vec<&str> = sorted.stdout.lines().collect();
    let mut b: Vec<&str> = found.stdout.lines().collect();
    a.sort_unstable();
    b.sort_unstable();
    assert_eq!(a, b, "the same findings either way");
}

#[test]
fn a_deadline_finding_shows_its_due_date_in_its_time() {
    let run = edict(&["run", LENDING, "--events", LOANS]);
    let mut seen = 0;
    for line in run.stdout.lines() {
        let finding: serde_json::Value = serde_json::from_str(line).expect("a JSON finding");
        if let Some(deadline) = finding["deadline"].as_str() {
            let time = finding["time"].as_str().expect("a time");
            assert_eq!(time, format!("{deadline}T23:59:59+08:00"), "{line}");
            seen += 1;
        }
    }
    assert_eq!(seen, 3);
}

#[test]
fn fail_on_chooses_what_fails_the_run() {
    let cases: [(&[&str], &str, i32); 7] = [
        (&[], LOANS, 0),
        (&[], MALFORMED, 1),
        (&["--fail-on", "violation"], LOANS, 1),
        (&["--fail-on", "overdue,open"], LOANS, 1),
        (&["--fail-on", "input_error"], LOANS, 0),
        (&["--fail-on", "none"], MALFORMED, 0),
        (&["--fail-on", "everything"], LOANS, 2),
    ];
    let mut runs = Vec::new();
    for (extra, events, code) in cases {
        let mut args = vec!["run", LENDING, "--events", events, "--format", "csv"];
        args.extend_from_slice(extra);
        let run = edict(&args);
        assert_eq!(run.code, code, "{}", run.transcript());
        runs.push(run);
    }
    // The refused value is explained; the others differ only in their status.
    insta::assert_snapshot!(runs[6].transcript());
}

/// Runs `edict ARGS` in a pseudo-terminal (util-linux `script`), as a person at a terminal
/// would; `None` when `script` is not installed.
fn in_terminal(args: &[&str]) -> Option<String> {
    let mut command = env!("CARGO_BIN_EXE_edict").to_owned();
    for a in args {
        command.push(' ');
        command.push_str(a);
    }
    let out = Command::new("script")
        .args(["-qefc", &command, "/dev/null"])
        .env("COLUMNS", "120")
        .output()
        .ok()?;
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn at_a_terminal_the_table_is_the_default() {
    let Some(screen) = in_terminal(&["run", LENDING, "--events", LOANS]) else {
        eprintln!("skipped: util-linux `script` is not installed, so no terminal can be opened");
        return;
    };
    // The screen, standard output and standard error as the terminal shows them: the table
    // (`Violations by article`, `Deadlines by due date`), then the summary.
    insta::assert_snapshot!(screen.replace("\r\n", "\n"));
}

/// A stream of `lines` loans, one every minute, about 120 bytes a line.
fn long_stream(path: &Path, lines: usize) {
    let mut text = String::with_capacity(lines * 130);
    for i in 0..lines {
        let (day, minute) = (2 + i / 1440, i % 1440);
        text.push_str(&format!(
            "{{\"type\":\"loan\",\"time\":\"2025-06-{day:02}T{:02}:{:02}:00+08:00\",\"branch\":\"central\",\"member\":\"m-{i}\",\"item\":\"b-{i}\",\"kind\":\"book\",\"days\":{}}}\n",
            minute / 60,
            minute % 60,
            if i % 10 == 0 { 40 } else { 14 },
        ));
    }
    std::fs::write(path, text).expect("write the stream");
}

#[test]
fn a_long_run_shows_progress_at_a_terminal_and_nothing_otherwise() {
    let dir = scratch("progress");
    let events = dir.join("long.jsonl");
    // Over the 4 MiB from which a bar is drawn; dates stay within June.
    long_stream(&events, 38_000);
    assert!(std::fs::metadata(&events).expect("stream").len() > 4 * 1024 * 1024);
    let plain = edict(&["run", LENDING, "--events", arg(&events), "--format", "csv"]);
    assert_eq!(plain.code, 0);
    let summary: Vec<&str> = plain.stderr.lines().collect();
    assert_eq!(summary.len(), 2, "only the summary: {}", plain.stderr);
    let Some(screen) = in_terminal(&[
        "run",
        LENDING,
        "--events",
        arg(&events),
        "--format",
        "csv",
        "--output",
        "/dev/null",
    ]) else {
        eprintln!("skipped: util-linux `script` is not installed, so no terminal can be opened");
        return;
    };
    // The bar is redrawn as time passes, with the rate read so far: how often and with which
    // numbers depends on the machine's speed, so only its stable words are looked for.
    assert!(screen.contains("lines/s"), "{screen}");
    assert!(screen.contains("so far"), "{screen}");
    assert!(screen.contains("38000 lines read"), "{screen}");
}
