//! What `edict test --format json` prints: one object per case, then a summary.

use edict_compiler::testcase::{Case, RowStatus, TestFile, kind_name};
use serde::Serialize;

use super::Outcome;

/// A case as `--format json` prints it.
#[derive(Serialize)]
struct CaseJson<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    file: &'a str,
    line: usize,
    name: &'a str,
    result: &'static str,
    /// How many expectations were met.
    matched: usize,
    missing: Vec<RowJson<'a>>,
    unexpected: Vec<RowJson<'a>>,
    /// How many findings of rules the case does not check were left aside.
    unchecked: usize,
}

/// An expected or actual finding as `--format json` prints it.
#[derive(Serialize)]
struct RowJson<'a> {
    finding: &'static str,
    rule: Option<&'a str>,
    line: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    contains: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<&'a str>,
}

/// The last object `--format json` prints.
#[derive(Serialize)]
pub(super) struct SummaryJson {
    #[serde(rename = "type")]
    pub(super) kind: &'static str,
    pub(super) result: &'static str,
    pub(super) passed: usize,
    pub(super) failed: usize,
    pub(super) rules_uncovered: usize,
    pub(super) coverage: Vec<CoverageJson>,
}

/// The coverage of one package, in the summary.
#[derive(Serialize)]
pub(super) struct CoverageJson {
    pub(super) package: String,
    pub(super) regulation: String,
    pub(super) rules: usize,
    pub(super) without_failing_case: Vec<String>,
    pub(super) without_passing_case: Vec<String>,
    pub(super) covered_elsewhere: Vec<ElsewhereJson>,
}

#[derive(Serialize)]
pub(super) struct ElsewhereJson {
    pub(super) rule: String,
    pub(super) reason: String,
    pub(super) file: String,
    pub(super) line: usize,
}

pub(super) fn case_json(file: &TestFile, case: &Case, outcome: &Outcome) -> String {
    let rows = |status: RowStatus| -> Vec<RowJson<'_>> {
        outcome
            .comparison
            .rows
            .iter()
            .filter(|r| r.status == status)
            .map(|r| RowJson {
                finding: kind_name(r.kind),
                rule: r.rule.as_deref(),
                line: r.line,
                contains: r.contains.as_deref(),
                message: r.message.as_deref(),
            })
            .collect()
    };
    let json = CaseJson {
        kind: "case",
        file: &file.path,
        line: case.line,
        name: &case.name,
        result: if outcome.comparison.passed() {
            "ok"
        } else {
            "failed"
        },
        matched: rows(RowStatus::Matched).len(),
        missing: rows(RowStatus::Missing),
        unexpected: rows(RowStatus::Unexpected),
        unchecked: outcome.comparison.unchecked,
    };
    to_json(&json)
}

/// One line of JSON; serialising these plain structs cannot fail.
pub(super) fn to_json(value: &impl Serialize) -> String {
    serde_json::to_string(value).unwrap_or_default()
}
