//! CI formats: `edict check --format sarif` (validated against the SARIF 2.1.0 schema),
//! `--format github` (workflow annotations) and `edict test --format junit`.
//!
//! The schema check runs `node cli/tests/sarif/validate.js`, which needs `npm ci` in
//! `cli/tests/sarif` (`.ci/run` does it); without node or those packages the check is skipped
//! with a message, except on CI (`CI` set), where it fails.

#![allow(
    clippy::expect_used,
    reason = "a test fails loudly when its fixtures are missing or broken"
)]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn edict(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_edict"))
        .args(args)
        .output()
        .expect("the edict binary runs")
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("edict-formats-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch folder");
    dir
}

fn fixtures() -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir("../tests/diagnostics")
        .expect("the diagnostic fixtures")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "edict"))
        .collect();
    found.sort();
    found
}

fn sarif_of(path: &str) -> serde_json::Value {
    let out = edict(&["check", "--format", "sarif", path]);
    serde_json::from_slice(&out.stdout).expect("one SARIF log on stdout")
}

/// Validates logs with the SARIF schema through node, or says why it cannot.
fn validate_with_schema(logs: &[PathBuf]) {
    let tool = Path::new("tests/sarif");
    if !tool.join("node_modules/@microsoft/jest-sarif").is_dir() {
        let why = "skipped the SARIF schema check: run `npm ci` in cli/tests/sarif (.ci/run does)";
        assert!(std::env::var_os("CI").is_none(), "{why}");
        eprintln!("{why}");
        return;
    }
    let mut cmd = Command::new("node");
    cmd.arg(tool.join("validate.js")).args(logs);
    let out = match cmd.output() {
        Ok(out) => out,
        Err(e) => {
            let why = format!("skipped the SARIF schema check: cannot run node: {e}");
            assert!(std::env::var_os("CI").is_none(), "{why}");
            eprintln!("{why}");
            return;
        }
    };
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn every_diagnostic_code_is_valid_sarif() {
    let dir = scratch("sarif");
    let mut logs = Vec::new();
    for fixture in fixtures() {
        let path = fixture.to_str().expect("utf-8 path");
        let json = edict(&["check", "--format", "json", path]);
        let sarif = sarif_of(path);
        assert_eq!(sarif["version"], "2.1.0");
        let results = sarif["runs"][0]["results"].as_array().expect("results");
        let diagnostics: Vec<serde_json::Value> = String::from_utf8_lossy(&json.stdout)
            .lines()
            .map(|l| serde_json::from_str(l).expect("json"))
            .collect();
        assert_eq!(results.len(), diagnostics.len(), "{path}");
        for (r, d) in results.iter().zip(&diagnostics) {
            assert_eq!(r["ruleId"], d["code"]);
            assert_eq!(r["level"], d["severity"]);
            let region = &r["locations"][0]["physicalLocation"]["region"];
            assert_eq!(region["startLine"], d["line"], "{path}");
            let rules = &sarif["runs"][0]["tool"]["driver"]["rules"];
            let index = r["ruleIndex"].as_u64().expect("rule index") as usize;
            assert_eq!(rules[index]["id"], r["ruleId"]);
        }
        let log = dir.join(format!(
            "{}.sarif",
            fixture.file_stem().and_then(|s| s.to_str()).unwrap_or("x")
        ));
        std::fs::write(&log, serde_json::to_string(&sarif).expect("json")).expect("write");
        logs.push(log);
    }
    // A clean library is a log with no results.
    let clean = sarif_of("../policies");
    assert_eq!(clean["runs"][0]["results"], serde_json::json!([]));
    let log = dir.join("policies.sarif");
    std::fs::write(&log, serde_json::to_string(&clean).expect("json")).expect("write");
    logs.push(log);
    validate_with_schema(&logs);
}

#[test]
fn sarif_counts_columns_in_utf16_and_carries_the_fix_a_suggestion_names() {
    let dir = scratch("utf16");
    let vocab = dir.join("v.edict");
    std::fs::write(
        &vocab,
        "vocabulary v {\n  event 报名 {\n    监护人名: string\n  }\n}\n",
    )
    .expect("write");
    std::fs::write(dir.join("o.txt"), "第一条 一。\n").expect("write");
    let policy = dir.join("p.edict");
    std::fs::write(
        &policy,
        "regulation r {\n  timezone \"Asia/Shanghai\"\n  outline \"o.txt\"\n  use vocabulary v from \"v.edict\"\n}\n\n第一条 {\n  规则 名:\n    对于 报名 e\n    应当 e.监护人明 == \"𝄞\"\n    说明 \"m\"\n}\n",
    )
    .expect("write");
    let sarif = sarif_of(policy.to_str().expect("utf-8 path"));
    let result = &sarif["runs"][0]["results"][0];
    assert_eq!(result["ruleId"], "E0301");
    let region = &result["locations"][0]["physicalLocation"]["region"];
    // `    应当 e.` is 9 UTF-16 code units: the field starts at column 10 and ends before 14.
    assert_eq!(
        (
            &region["startLine"],
            &region["startColumn"],
            &region["endColumn"]
        ),
        (
            &serde_json::json!(10),
            &serde_json::json!(10),
            &serde_json::json!(14)
        )
    );
    let fix = &result["fixes"][0]["artifactChanges"][0]["replacements"][0];
    assert_eq!(fix["insertedContent"]["text"], "监护人名");
    assert_eq!(fix["deletedRegion"]["startColumn"], 10);
    validate_with_schema(&[{
        let log = dir.join("utf16.sarif");
        std::fs::write(&log, serde_json::to_string(&sarif).expect("json")).expect("write");
        log
    }]);
}

#[test]
fn github_annotations_name_file_line_and_code() {
    let out = edict(&[
        "check",
        "--format",
        "github",
        "../tests/diagnostics/E0401-duplicate-clause.edict",
    ]);
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!(String::from_utf8_lossy(&out.stdout));
}

#[test]
fn junit_reports_each_case_and_the_coverage() {
    let dir = scratch("junit");
    // The package imports `../../vocabulary/face.edict`: keep that layout.
    let package = dir.join("examples/estate");
    copy_dir(
        Path::new("../policies/examples/residential-estate"),
        &package,
    );
    copy_dir(Path::new("../policies/vocabulary"), &dir.join("vocabulary"));
    // Break one expectation: the case now fails, and says how.
    let test = package.join("tests/art03-withdrawal.test");
    let text = std::fs::read_to_string(&test).expect("test file");
    let broken = text.replacen(
        "expect no findings",
        "expect violation acme-estate-policy/art3/deletion-after-withdrawal line 1",
        1,
    );
    assert_ne!(broken, text);
    std::fs::write(&test, broken).expect("write");
    let args = [
        "test",
        "--format",
        "junit",
        package.to_str().expect("utf-8 path"),
    ];
    let out = edict(&args);
    assert_eq!(out.status.code(), Some(1));
    let xml = String::from_utf8_lossy(&out.stdout).replace(&*dir.to_string_lossy(), "SCRATCH");
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites "));
    assert_eq!(xml.matches("<failure ").count(), 1, "{xml}");
    // 36 cases and the coverage.
    assert_eq!(xml.matches("<testcase ").count(), 37, "{xml}");
    // The whole report: each case, the failure and how it failed, and the coverage case.
    let run = common::Run {
        args: args.iter().map(|a| (*a).to_owned()).collect(),
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    insta::assert_snapshot!(run.transcript().replace(&*dir.to_string_lossy(), "SCRATCH"));
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("target folder");
    for entry in std::fs::read_dir(from).expect("source folder").flatten() {
        let path = entry.path();
        let target = to.join(entry.file_name());
        if path.is_dir() {
            copy_dir(&path, &target);
        } else {
            std::fs::copy(&path, &target).expect("copy");
        }
    }
}

/// The sample workflow in `docs/` runs: every `edict` command in it succeeds on the library.
#[test]
fn the_sample_ci_workflow_runs_on_the_library() {
    let workflow = std::fs::read_to_string("../docs/ci-workflow.yml").expect("the workflow");
    let commands: Vec<&str> = workflow
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("edict "))
        .collect();
    assert_eq!(commands.len(), 4, "{commands:?}");
    let dir = scratch("workflow");
    copy_dir(Path::new("../policies"), &dir.join("policies"));
    let bin = Path::new(env!("CARGO_BIN_EXE_edict"))
        .parent()
        .expect("the binary's folder");
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    for command in commands {
        let out = Command::new("sh")
            .args(["-c", command])
            .current_dir(&dir)
            .env("PATH", &path)
            .output()
            .expect("sh runs");
        assert!(
            out.status.success(),
            "`{command}` failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let sarif: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("edict.sarif")).expect("log"))
            .expect("json");
    assert_eq!(sarif["version"], "2.1.0");
    let junit = std::fs::read_to_string(dir.join("edict-junit.xml")).expect("report");
    // The report of the whole library's cases, which grows with each case added: only that
    // none failed is looked for.
    assert!(junit.contains("failures=\"0\""), "{junit}");
}
