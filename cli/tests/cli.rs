//! The `edict` command as CI scripts and services use it: what a user sees (exit status, output
//! streams, files written), snapshotted as transcripts.
//!
//! The behaviours are shown on the fixtures (`tests/fixtures/`, a made-up lending library), so
//! that they do not change when the policy library does. The last tests run the real library
//! end to end and check exit statuses and summaries only.

#![allow(
    clippy::expect_used,
    reason = "a test fails loudly when its fixtures are missing or broken"
)]

mod common;

use std::path::Path;

use common::*;

const LOANS: &str = "tests/fixtures/lending-rules/examples/loans.jsonl";
const MALFORMED: &str = "tests/fixtures/lending-rules/examples/malformed.jsonl";

#[test]
fn check_of_the_fixtures_is_clean() {
    let run = edict(&["check", FIXTURES]);
    assert_eq!(run.code, 0);
    insta::assert_snapshot!(run.transcript());
}

#[test]
fn a_broken_field_name_fails_check_at_its_line_as_json() {
    let package = fixture_copy("field");
    edit(
        &package.join("loans.edict"),
        "require has(l.guarantor)",
        "require has(l.guarantr)",
    );
    let run = edict(&["check", arg(&package), "--format", "json"]);
    assert_eq!(run.code, 1);
    for line in run.stdout.lines() {
        let diagnostic: serde_json::Value =
            serde_json::from_str(line).expect("one JSON object per line");
        assert!(diagnostic.is_object());
    }
    insta::assert_snapshot!(run.transcript());
}

#[test]
fn a_broken_article_number_fails_check_at_its_line() {
    let package = fixture_copy("article");
    edit(
        &package.join("loans.edict"),
        "article 3 \"Returns\"",
        "article 31 \"Returns\"",
    );
    let run = edict(&["check", arg(&package)]);
    assert_eq!(run.code, 1);
    insta::assert_snapshot!(run.transcript());
}

#[test]
fn help_gives_examples_from_the_policys_own_vocabulary() {
    let package = fixture_copy("own-words");
    let rules = package.join("loans.edict");
    edit(&rules, "require has(l.guarantor)", "require l");
    edit(
        &rules,
        "rule loan-period:\n      on loan l\n",
        "rule loan-period:\n",
    );
    let run = edict(&["check", arg(&package)]);
    assert_eq!(run.code, 1);
    insta::assert_snapshot!(run.transcript());
}

#[test]
fn build_then_run_the_bundle() {
    let dir = scratch("bundle");
    let bundle = dir.join("lending.bundle.json");
    let build = edict(&["build", LENDING, "-o", arg(&bundle)]);
    assert_eq!(build.code, 0);
    let run = edict(&["run", "--bundle", arg(&bundle), "--events", LOANS]);
    assert_eq!(run.code, 0);
    // The same stream from source gives the same findings.
    let from_source = edict(&["run", LENDING, "--events", LOANS]);
    assert_eq!(from_source.stdout, run.stdout);
    insta::assert_snapshot!(transcript(&[&build, &run]));
}

#[test]
fn rejected_lines_make_run_exit_1_and_findings_go_to_the_output_file() {
    let dir = scratch("output");
    let findings = dir.join("findings.jsonl");
    let run = edict(&[
        "run",
        LENDING,
        "--events",
        MALFORMED,
        "--output",
        arg(&findings),
    ]);
    assert_eq!(run.code, 1);
    let written = std::fs::read_to_string(&findings).expect("the findings file");
    insta::assert_snapshot!(format!("{}--- findings.jsonl\n{written}", run.transcript()));
}

#[test]
fn a_bundle_of_another_format_is_refused_with_advice() {
    let dir = scratch("format");
    let bundle = dir.join("b.json");
    assert_eq!(edict(&["build", LENDING, "-o", arg(&bundle)]).code, 0);
    let text = std::fs::read_to_string(&bundle).expect("bundle");
    let current = format!("\"edict_bundle\": {}", edict_runtime::BUNDLE_FORMAT);
    let changed = text.replacen(&current, "\"edict_bundle\": 99", 1);
    assert_ne!(changed, text, "the bundle names its format");
    std::fs::write(&bundle, changed).expect("write");
    let run = edict(&["run", "--bundle", arg(&bundle), "--events", LOANS]);
    assert_eq!(run.code, 2);
    insta::assert_snapshot!(redact_format_version(&run.transcript()));
}

/// The bundle format this edict reads, as `[FORMAT]`: the advice names it, and it changes on
/// purpose from time to time.
fn redact_format_version(text: &str) -> String {
    let current = edict_runtime::BUNDLE_FORMAT.to_string();
    text.replace(&format!("format {current}"), "format [FORMAT]")
}

#[test]
fn usage_and_missing_files_exit_2_with_a_plain_message() {
    let runs = [
        edict(&["check", "no/such/folder"]),
        edict(&["run", LENDING, "--events", "missing.jsonl"]),
        edict(&["run", LENDING, "--as-of", "yesterday"]),
        edict(&["run", "--bundle", "no-such.bundle.json", "--events", LOANS]),
        edict(&["run"]),
    ];
    for run in &runs {
        assert_eq!(run.code, 2, "{}", run.transcript());
    }
    insta::assert_snapshot!(transcript(&runs.iter().collect::<Vec<_>>()));
}

#[test]
fn coverage_accounts_for_every_clause() {
    let human = edict(&["coverage", LENDING]);
    let json = edict(&["coverage", LENDING, "--format", "json"]);
    assert_eq!((human.code, json.code), (0, 0));
    for line in json.stdout.lines() {
        let row: serde_json::Value = serde_json::from_str(line).expect("one JSON object per line");
        assert!(
            row["clause"].is_string() && row["status"].is_string(),
            "{row}"
        );
    }
    insta::assert_snapshot!(transcript(&[&human, &json]));
}

#[test]
fn coverage_reports_a_clause_without_rules_as_missing() {
    let package = fixture_copy("coverage");
    edit(
        &package.join("loans.edict"),
        "not_checkable \"staff training",
        "// not_checkable \"staff training",
    );
    let run = edict(&["coverage", arg(&package)]);
    assert_eq!(run.code, 0);
    insta::assert_snapshot!(run.transcript());
}

#[test]
fn one_stream_against_two_regulations_names_the_regulation_of_each_finding() {
    let run = edict(&["run", LENDING, BRANCH, "--events", LOANS]);
    assert_eq!(run.code, 0);
    insta::assert_snapshot!(run.transcript());
}

#[test]
fn a_bad_line_is_reported_once_per_regulation_with_its_name() {
    let dir = scratch("two-bad");
    let events = dir.join("events.jsonl");
    std::fs::write(&events, "{not json\n").expect("write");
    let run = edict(&["run", LENDING, BRANCH, "--events", arg(&events)]);
    assert_eq!(run.code, 1);
    insta::assert_snapshot!(run.transcript());
}

/// A package whose vocabulary extends the library's: in one run each package reads the fields
/// it knows, and the lines of the club's own event type are the club's to judge.
#[test]
fn an_extended_vocabulary_is_judged_beside_its_base_in_one_run() {
    let club = "tests/fixtures/reading-club";
    let visits = "tests/fixtures/reading-club/visits.jsonl";
    let together = edict(&["run", LENDING, club, "--events", visits, "--format", "json"]);
    assert_eq!(together.code, 0);
    let alone = edict(&["run", LENDING, "--events", visits, "--format", "json"]);
    assert_eq!(
        alone.code, 1,
        "alone, the library rejects what it does not know"
    );
    insta::assert_snapshot!(format!("{}\n{}", together.transcript(), alone.transcript()));
}

/// Two vocabularies that give one field different types cannot judge one stream.
#[test]
fn vocabularies_that_disagree_cannot_share_a_stream() {
    let dir = scratch("clash");
    let package = dir.join("clash");
    std::fs::create_dir_all(&package).expect("folder");
    let vocabulary = std::fs::canonicalize("tests/fixtures/vocabulary/lending.edict")
        .expect("the lending vocabulary");
    std::fs::write(
        package.join("policy.edict"),
        "regulation clash {\n  timezone \"Asia/Shanghai\"\n  outline \"clash.outline.txt\"\n  use vocabulary clash from \"vocabulary.edict\"\n}\n\narticle 1 {\n  not_checkable \"nothing\"\n}\n",
    )
    .expect("write");
    std::fs::write(
        package.join("vocabulary.edict"),
        format!(
            "vocabulary clash extends lending from {:?} {{\n  event club_visit {{\n    member: int\n  }}\n}}\n",
            vocabulary.display().to_string()
        ),
    )
    .expect("write");
    std::fs::write(package.join("clash.outline.txt"), "规定\n第一条　无。\n").expect("write");
    let run = edict(&[
        "run",
        "tests/fixtures/reading-club",
        arg(&package),
        "--events",
        "tests/fixtures/reading-club/visits.jsonl",
    ]);
    assert_eq!(run.code, 1);
    // Shows: cannot judge one stream together: vocabularies `clash` and `club` disagree on
    // field `member` of event type `club_visit`.
    insta::assert_snapshot!(run.transcript());
}

#[test]
fn deadline_counts_working_days_across_national_day() {
    let runs = [
        // The built-in mainland calendar when no policy is named.
        edict(&["deadline", "--from", "2025-09-26", "--working-days", "10"]),
        edict(&["deadline", "--from", "2025-09-26", "--days", "30"]),
        // The calendar of a policy's header, with the holiday its `calendar` block adds.
        edict(&["deadline", "--from", "2025-12-30", "--working-days", "10"]),
        edict(&[
            "deadline",
            "--from",
            "2025-12-30",
            "--working-days",
            "10",
            LENDING,
        ]),
        edict(&[
            "deadline",
            "--from",
            "2025-09-26",
            "--working-days",
            "10",
            "--calendar",
            "none",
        ]),
        // Past the calendar's known years the count is Monday to Friday, and it says so.
        edict(&["deadline", "--from", "2026-12-01", "--working-days", "30"]),
        edict(&["deadline", "--from", "2025-02-30", "--days", "1"]),
        edict(&[
            "deadline",
            "--from",
            "2025-09-26",
            "--working-days",
            "1",
            "--calendar",
            "mars",
        ]),
    ];
    let codes: Vec<i32> = runs.iter().map(|r| r.code).collect();
    assert_eq!(codes, [0, 0, 0, 0, 0, 0, 2, 2]);
    insta::assert_snapshot!(transcript(&runs.iter().collect::<Vec<_>>()));
}

// --- The real policy library, end to end: exit statuses and summaries only. ---

#[test]
fn the_policy_library_checks_clean() {
    let run = edict(&["check", "../policies"]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    let summary = run.stderr.lines().last().unwrap_or_default();
    assert!(
        summary.starts_with("checked ") && summary.ends_with(": 0 errors, 0 warnings"),
        "{}",
        run.transcript()
    );
}

#[test]
fn coverage_of_every_package_of_the_library_has_no_missing_clause() {
    for package in [
        "../policies/measures-2025",
        "../policies/draft-2023",
        "../policies/examples/residential-estate",
    ] {
        let run = edict(&["coverage", package]);
        assert_eq!(run.code, 0, "{package}: {}", run.transcript());
        assert!(
            run.last_line().ends_with(", 0 missing"),
            "{package}: {}",
            run.transcript()
        );
        assert!(
            !run.stdout.contains("MISSING"),
            "{package}: {}",
            run.transcript()
        );
    }
}

#[test]
fn the_readmes_first_command_works_and_shows_the_table_the_readme_shows() {
    let readme = std::fs::read_to_string("../README.md").expect("the README");
    let command = readme
        .lines()
        .find_map(|l| l.trim().strip_prefix("cargo run -q --bin edict -- "))
        .expect("the README shows an edict command run through cargo");
    let args: Vec<&str> = command.split_whitespace().collect();
    // Into a pipe, as a script reads it: JSON Lines.
    let run = edict_in(Path::new(".."), &args);
    assert_eq!(run.code, 0, "{}", run.transcript());
    let findings = run.stdout.lines().count();
    assert!(findings > 0, "{}", run.transcript());
    for line in run.stdout.lines() {
        let finding: serde_json::Value = serde_json::from_str(line).expect("a JSON finding");
        assert!(finding["finding"].is_string(), "{line}");
    }
    assert!(run.stderr.contains(" 0 rejected"), "{}", run.transcript());
    // At a terminal, the table the README shows (which leaves out lines at each `…`).
    let mut at_terminal = args.clone();
    at_terminal.extend(["--format", "human"]);
    let table = edict_in(Path::new(".."), &at_terminal);
    assert_eq!(table.code, 0, "{}", table.transcript());
    let shown = readme
        .split("```text\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("the README shows the table in a text block after the command");
    let mut rest = table.stdout.lines();
    for line in shown.lines().filter(|l| *l != "…") {
        assert!(
            rest.any(|l| l == line),
            "the README shows `{line}`, which the run does not print in that order:\n{}",
            table.stdout
        );
    }
}
