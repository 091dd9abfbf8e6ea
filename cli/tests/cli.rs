//! The `edict` command as CI scripts and services use it: exit status, output streams, files.

#![allow(
    clippy::expect_used,
    reason = "a test fails loudly when its fixtures are missing or broken"
)]

mod common;

use std::path::{Path, PathBuf};

use common::*;

/// A copy of the policy library in a scratch folder, with one edit applied to one file.
fn broken_copy(name: &str, file: &str, from: &str, to: &str) -> PathBuf {
    let dir = scratch(name);
    copy_dir(Path::new("../policies"), &dir.join("policies"));
    let path = dir.join("policies/measures-2025").join(file);
    let text = std::fs::read_to_string(&path).expect("policy file");
    assert!(text.contains(from), "{file} contains {from:?}");
    std::fs::write(&path, text.replacen(from, to, 1)).expect("write the edit");
    dir.join("policies/measures-2025")
}

fn line_of(path: &Path, needle: &str) -> u64 {
    let text = std::fs::read_to_string(path).expect("file");
    let offset = text.find(needle).expect("needle");
    text[..offset].matches('\n').count() as u64 + 1
}

#[test]
fn check_passes_on_the_measures() {
    let out = edict(&["check", MEASURES]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stderr(&out).contains("0 errors"));
}

#[test]
fn a_broken_field_name_fails_check_at_its_line() {
    let package = broken_copy(
        "field",
        "verification.edict",
        "require m.alternative_offered",
        "require m.alternative_offerd",
    );
    let line = line_of(&package.join("verification.edict"), "m.alternative_offerd");
    let out = edict(&[
        "check",
        package.to_str().expect("utf-8 path"),
        "--format",
        "json",
    ]);
    assert_eq!(code(&out), 1);
    let diags: Vec<serde_json::Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect();
    assert_eq!(diags.len(), 1, "{}", stdout(&out));
    assert_eq!(diags[0]["code"], "E0301");
    assert_eq!(diags[0]["severity"], "error");
    assert_eq!(diags[0]["line"], line);
    assert!(
        diags[0]["file"]
            .as_str()
            .unwrap_or_default()
            .ends_with("verification.edict")
    );
    assert_eq!(diags[0]["help"], "did you mean `alternative_offered`?");
}

#[test]
fn a_broken_article_number_fails_check_at_its_line() {
    let package = broken_copy("article", "places.edict", "article 13", "article 31");
    let line = line_of(&package.join("places.edict"), "article 31");
    let out = edict(&["check", package.to_str().expect("utf-8 path")]);
    assert_eq!(code(&out), 1);
    let text = stdout(&out);
    assert!(
        text.contains("error[E0400]: the regulation has no article 31"),
        "{text}"
    );
    assert!(text.contains(&format!("places.edict:{line}:1")), "{text}");
}

#[test]
fn build_then_run_the_bundle() {
    let dir = scratch("bundle");
    let bundle = dir.join("measures.bundle.json");
    let bundle = bundle.to_str().expect("utf-8 path");
    let out = edict(&["build", MEASURES, "-o", bundle]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));

    let out = edict(&[
        "run",
        "--bundle",
        bundle,
        "--events",
        "../policies/measures-2025/examples/violations.jsonl",
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let violations = stdout(&out)
        .lines()
        .filter(|l| l.contains("\"finding\":\"violation\""))
        .count();
    assert_eq!(violations, 12);
    assert!(stderr(&out).contains("17 lines read"), "{}", stderr(&out));

    // The same stream from source gives the same findings.
    let from_source = edict(&[
        "run",
        MEASURES,
        "--events",
        "../policies/measures-2025/examples/violations.jsonl",
    ]);
    assert_eq!(stdout(&from_source), stdout(&out));
}

#[test]
fn rejected_lines_make_run_exit_1_and_findings_go_to_the_output_file() {
    let dir = scratch("output");
    let findings = dir.join("findings.jsonl");
    let out = edict(&[
        "run",
        MEASURES,
        "--events",
        "../policies/measures-2025/examples/malformed.jsonl",
        "--output",
        findings.to_str().expect("utf-8 path"),
    ]);
    assert_eq!(code(&out), 1);
    assert!(stdout(&out).is_empty());
    let written = std::fs::read_to_string(&findings).expect("findings file");
    assert_eq!(
        written
            .lines()
            .filter(|l| l.contains("input_error"))
            .count(),
        7
    );
    assert_eq!(
        written
            .lines()
            .filter(|l| l.contains("\"violation\""))
            .count(),
        1
    );
}

#[test]
fn a_bundle_of_another_format_is_refused_with_advice() {
    let dir = scratch("format");
    let bundle = dir.join("b.json");
    let bundle_str = bundle.to_str().expect("utf-8 path");
    assert_eq!(code(&edict(&["build", MEASURES, "-o", bundle_str])), 0);
    let text = std::fs::read_to_string(&bundle).expect("bundle");
    let current = format!("\"edict_bundle\": {}", edict_runtime::BUNDLE_FORMAT);
    let changed = text.replacen(&current, "\"edict_bundle\": 99", 1);
    assert_ne!(changed, text, "the bundle names its format");
    std::fs::write(&bundle, changed).expect("write");
    let out = edict(&[
        "run",
        "--bundle",
        bundle_str,
        "--events",
        "../policies/measures-2025/examples/compliant.jsonl",
    ]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("rebuild it with this one (`edict build`)"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn usage_and_missing_files_exit_2_with_a_plain_message() {
    let out = edict(&["check", "no/such/folder"]);
    assert_eq!(code(&out), 2);
    assert_eq!(
        stderr(&out).trim(),
        "error: cannot read `no/such/folder`: no such file or folder"
    );

    let out = edict(&["run", MEASURES, "--events", "missing.jsonl"]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("cannot read the events `missing.jsonl`"));

    let out = edict(&["run", MEASURES, "--as-of", "yesterday"]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("`--as-of yesterday` is not an RFC 3339 time"));

    let out = edict(&["run"]);
    assert_eq!(code(&out), 2);
}

#[test]
fn coverage_accounts_for_every_clause_of_the_measures() {
    let out = edict(&["coverage", MEASURES]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("30 clauses: 16 implemented, 14 not checkable, 0 missing"),
        "{text}"
    );
    assert!(text.contains("art 7 "), "{text}");

    let out = edict(&["coverage", MEASURES, "--format", "json"]);
    let rows: Vec<serde_json::Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect();
    assert_eq!(rows.len(), 30);
    let art7 = rows
        .iter()
        .find(|r| r["clause"] == "art 7")
        .expect("art 7 row");
    assert_eq!(art7["status"], "implemented");
    assert_eq!(art7["rules"][0], "measures-2025/art7/guardian-consent");
}

#[test]
fn coverage_reports_a_clause_without_rules_as_missing() {
    let package = broken_copy(
        "coverage",
        "security-and-filing.edict",
        "not_checkable \"encryption",
        "// not_checkable \"encryption",
    );
    let out = edict(&["coverage", package.to_str().expect("utf-8 path")]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("MISSING"), "{text}");
    assert!(text.contains("1 missing"), "{text}");
}

#[test]
fn one_stream_against_two_regulations_names_the_regulation_of_each_finding() {
    let out = edict(&[
        "run",
        MEASURES,
        "../policies/draft-2023",
        "--events",
        "../policies/draft-2023/examples/versions.jsonl",
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let regulations: std::collections::BTreeSet<String> = stdout(&out)
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("JSON finding");
            v["regulation"].as_str().unwrap_or_default().to_string()
        })
        .collect();
    assert_eq!(
        regulations.into_iter().collect::<Vec<_>>(),
        ["draft-2023", "measures-2025"]
    );
    assert!(stderr(&out).contains("draft-2023:") && stderr(&out).contains("measures-2025:"));
}

#[test]
fn a_bad_line_is_reported_once_per_regulation_with_its_name() {
    let dir = scratch("two-bad");
    let events = dir.join("events.jsonl");
    std::fs::write(&events, "{not json\n").expect("write");
    let out = edict(&[
        "run",
        MEASURES,
        "../policies/draft-2023",
        "--events",
        events.to_str().expect("utf-8 path"),
    ]);
    assert_eq!(code(&out), 1);
    let lines: Vec<serde_json::Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON finding"))
        .collect();
    assert_eq!(lines.len(), 2);
    assert!(
        lines
            .iter()
            .all(|f| f["finding"] == "input_error" && f["line"] == 1)
    );
}

#[test]
fn deadline_counts_working_days_across_national_day() {
    let out = edict(&["deadline", "--from", "2025-09-26", "--working-days", "30"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(stdout(&out), "2025-11-13\n");
    assert!(
        stderr(&out).contains("Thursday 2025-11-13"),
        "{}",
        stderr(&out)
    );

    let out = edict(&["deadline", "--from", "2025-09-26", "--days", "30"]);
    assert_eq!(stdout(&out), "2025-10-26\n");

    // Past the calendar's known years the count is Monday to Friday, and it says so.
    let out = edict(&["deadline", "--from", "2026-12-01", "--working-days", "30"]);
    assert_eq!(code(&out), 0);
    assert!(
        stderr(&out).contains("counted as Monday to Friday"),
        "{}",
        stderr(&out)
    );

    let out = edict(&["deadline", "--from", "2025-02-30", "--days", "1"]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("is not a date"));
}
