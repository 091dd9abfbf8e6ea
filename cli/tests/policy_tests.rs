//! `edict test` as policy authors and CI use it: the cases beside the 2025 Measures pass, and a
//! wrong expectation, a broken test file, a rule without cases and a broken policy are each
//! reported with the right exit status.

#![expect(
    clippy::expect_used,
    reason = "a helper that cannot run the command or prepare its files fails the test"
)]

mod common;

use std::path::{Path, PathBuf};

use common::*;

fn last_line(text: &str) -> &str {
    text.lines().last().unwrap_or_default()
}

/// A copy of the policy library in a fresh scratch folder; gives the copy of the Measures.
fn scratch_measures(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("edict-policy-tests-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    copy_dir(Path::new("../policies"), &dir.join("policies"));
    dir.join("policies/measures-2025")
}

/// Replaces the first `from` in a file of the copy with `to`.
fn edit(package: &Path, file: &str, from: &str, to: &str) {
    let path = package.join(file);
    let text = std::fs::read_to_string(&path).expect("file of the copy");
    assert!(text.contains(from), "{file} contains {from:?}");
    std::fs::write(&path, text.replacen(from, to, 1)).expect("write the edit");
}

/// The 1-based line of the first occurrence of `needle` in a file.
fn line_of(path: &Path, needle: &str) -> usize {
    let text = std::fs::read_to_string(path).expect("file");
    let offset = text.find(needle).expect("needle");
    text[..offset].matches('\n').count() + 1
}

fn utf8(path: &Path) -> &str {
    path.to_str().expect("utf-8 path")
}

#[test]
fn the_whole_library_passes_and_every_rule_has_cases() {
    let out = edict(&["test", "../policies"]);
    let text = stdout(&out);
    assert_eq!(code(&out), 0, "{text}\n{}", stderr(&out));
    assert!(last_line(&text).ends_with(" 0 failed"), "{text}");
    assert!(
        !text.contains("rules without a"),
        "every rule has a passing and a failing case: {text}"
    );
    for package in ["measures-2025", "draft-2023", "residential-estate"] {
        assert!(text.contains(package), "{package} is tested: {text}");
    }
}

#[test]
fn the_cases_of_the_measures_pass_and_cover_every_rule() {
    let out = edict(&["test", MEASURES]);
    let text = stdout(&out);
    assert_eq!(code(&out), 0, "{text}\n{}", stderr(&out));
    assert!(text.starts_with("running "), "{text}");
    assert!(
        last_line(&text).starts_with("test result: ok. ")
            && last_line(&text).ends_with(" 0 failed"),
        "{text}"
    );
    assert!(!text.contains("FAILED"), "{text}");
    // The two filing rules no small stream can reach are exempt, visibly.
    assert!(text.contains("rules covered elsewhere"), "{text}");
    assert!(
        text.contains("measures-2025/art15/p1/initial-filing"),
        "{text}"
    );
    assert!(text.contains("tests/tests/filing.rs"), "{text}");
    assert!(!text.contains("rules without a"), "{text}");
}

#[test]
fn a_wrong_line_number_fails_with_a_diff() {
    let package = scratch_measures("wrong-line");
    let rule = "measures-2025/art5/p1/notice-before-collection";
    edit(
        &package,
        "tests/art05-notice.test",
        &format!("expect violation {rule} line 2"),
        &format!("expect violation {rule} line 1"),
    );
    let out = edict(&["test", utf8(&package)]);
    let text = stdout(&out);
    assert_eq!(code(&out), 1, "{text}\n{}", stderr(&out));
    assert!(
        text.contains(
            "case art05-notice.test: Only the enrollment without notice is reported, not the one beside it ... FAILED"
        ),
        "{text}"
    );
    assert!(text.contains("\nfailures:\n"), "{text}");
    assert!(
        text.contains(&format!("\n- expected violation {rule} line 1\n")),
        "{text}"
    );
    // The actual finding comes with its message, for context.
    assert!(
        text.contains(&format!(
            "\n+ actual   violation {rule} line 2: Art. 5(1) (Notice): The individual was not told"
        )),
        "{text}"
    );
    assert!(
        last_line(&text).starts_with("test result: FAILED. ")
            && last_line(&text).ends_with(" 1 failed"),
        "{text}"
    );
}

#[test]
fn json_gives_one_object_per_case_and_a_summary() {
    let package = scratch_measures("json");
    edit(
        &package,
        "tests/art13-places.test",
        "expect violation measures-2025/art13/p2/no-devices-in-private-spaces line 1",
        "expect no findings",
    );
    let out = edict(&["test", utf8(&package), "--format", "json"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let objects: Vec<serde_json::Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect();
    let (summary, cases) = objects.split_last().expect("at least the summary");
    assert_eq!(summary["type"], "summary");
    assert_eq!(summary["failed"], 1);
    // The edit also took away the rule's only failing case.
    assert_eq!(summary["rules_uncovered"], 1);
    assert_eq!(
        summary["coverage"][0]["without_failing_case"],
        serde_json::json!(["measures-2025/art13/p2/no-devices-in-private-spaces"])
    );
    assert!(cases.iter().all(|c| c["type"] == "case"));
    let failed: Vec<&serde_json::Value> =
        cases.iter().filter(|c| c["result"] == "failed").collect();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0]["name"], "A device in a hotel room is a violation");
    assert_eq!(
        failed[0]["unexpected"][0]["rule"],
        "measures-2025/art13/p2/no-devices-in-private-spaces"
    );
    assert_eq!(failed[0]["unexpected"][0]["line"], 1);
}

#[test]
fn a_malformed_test_file_is_a_usage_error_at_its_line() {
    let package = scratch_measures("malformed");
    edit(
        &package,
        "tests/art07-minors.test",
        "expect violation measures-2025/art7/guardian-consent line 1",
        "expect violatoin measures-2025/art7/guardian-consent line 1",
    );
    let line = line_of(&package.join("tests/art07-minors.test"), "expect violatoin");
    let out = edict(&["test", utf8(&package)]);
    assert_eq!(code(&out), 2, "{}", stdout(&out));
    let errors = stderr(&out);
    assert!(
        errors.contains(&format!(
            "tests/art07-minors.test:{line}: `violatoin` is not a kind of finding: write `violation`, `overdue`, `open` or `input_error`"
        )),
        "{errors}"
    );
    assert!(stdout(&out).is_empty(), "no case runs");
}

#[test]
fn an_unknown_rule_in_a_test_file_is_a_usage_error() {
    let package = scratch_measures("unknown-rule");
    edit(
        &package,
        "tests/art07-minors.test",
        "scope measures-2025/art7",
        "scope measures-2025/art7/guardian-consnet",
    );
    let out = edict(&["test", utf8(&package)]);
    assert_eq!(code(&out), 2, "{}", stdout(&out));
    assert!(
        stderr(&out).contains("did you mean `measures-2025/art7/guardian-consent`?"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_rule_without_cases_is_reported() {
    let package = scratch_measures("uncovered");
    std::fs::remove_file(package.join("tests/art10-verification.test")).expect("remove");
    // The refusals of the input-error cases would still pass for art 10(2).
    std::fs::remove_file(package.join("tests/stream-input.test")).expect("remove");
    let out = edict(&["test", utf8(&package)]);
    let text = stdout(&out);
    assert_eq!(code(&out), 1, "{text}");
    assert!(
        text.contains(
            "rules without a failing case:\n    measures-2025/art10/p1/no-sole-face-verification\n    measures-2025/art10/p2/alternative-on-refusal\n"
        ),
        "{text}"
    );
    assert!(text.contains("rules without a passing case:\n"), "{text}");
    assert!(
        last_line(&text).starts_with("test result: FAILED. ")
            && last_line(&text).ends_with("0 failed; 2 rules without a failing or a passing case"),
        "{text}"
    );
}

#[test]
fn one_test_file_runs_without_the_coverage_check() {
    let out = edict(&["test", &format!("{MEASURES}/tests/art07-minors.test")]);
    let text = stdout(&out);
    assert_eq!(code(&out), 0, "{text}\n{}", stderr(&out));
    assert!(
        text.contains("coverage of ../policies/measures-2025 not checked"),
        "{text}"
    );
    assert!(
        last_line(&text).starts_with("test result: ok. ")
            && last_line(&text).ends_with(" 0 failed"),
        "{text}"
    );
}

#[test]
fn a_policy_that_does_not_compile_runs_no_case() {
    let package = scratch_measures("broken-policy");
    edit(
        &package,
        "verification.edict",
        "require m.alternative_offered",
        "require m.alternative_offerd",
    );
    let out = edict(&["test", utf8(&package)]);
    assert_eq!(code(&out), 1);
    assert!(stderr(&out).contains("E0301"), "{}", stderr(&out));
    assert!(!stdout(&out).contains("... ok"), "{}", stdout(&out));
}

#[test]
fn paths_that_are_not_tests_are_usage_errors() {
    let out = edict(&["test", "../policies/no-such-package"]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("no such file or folder"),
        "{}",
        stderr(&out)
    );
    let out = edict(&["test", &format!("{MEASURES}/measures.edict")]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("is neither a test file (`.test`) nor a folder"),
        "{}",
        stderr(&out)
    );
}
