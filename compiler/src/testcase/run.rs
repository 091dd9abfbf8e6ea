//! Running a case through the runtime, and comparing its findings with the expectations.

use edict_runtime::LoadError;
use edict_runtime::engine::{Engine, Summary};
use edict_runtime::finding::{Finding, FindingKind};
use edict_runtime::ir::Program;

use super::{Case, TestFile};

/// A finding a case's run produced, reduced to what a case compares.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Actual {
    pub kind: FindingKind,
    /// The rule's id; `None` for an input error.
    pub rule: Option<String>,
    /// The 1-based line of the case's stream.
    pub line: u64,
    pub message: String,
}

impl From<&Finding> for Actual {
    fn from(f: &Finding) -> Actual {
        Actual {
            kind: f.finding,
            rule: f.rule.as_deref().map(str::to_string),
            line: f.line,
            message: f.message.to_string(),
        }
    }
}

/// What running a case gave.
#[derive(Clone, Debug)]
pub struct CaseRun {
    /// Every finding, in the order the runtime reported them.
    pub findings: Vec<Actual>,
    /// The lines judged against the rules (accepted, on or after the effective date, not
    /// exempt), with their event type.
    pub judged: Vec<(u64, String)>,
    pub summary: Summary,
}

/// Runs a case's stream through `program`, closing it at the case's `as of` time (or at its
/// last event), as `edict run --as-of` does.
pub fn run_case(program: &Program, case: &Case) -> Result<CaseRun, LoadError> {
    let mut engine = Engine::new(program.clone())?;
    let mut findings = Vec::new();
    let mut judged = Vec::new();
    let mut collect = |f: Finding| findings.push(Actual::from(&f));
    for (index, text) in case.stream.iter().enumerate() {
        let line = index as u64 + 1;
        let before = engine.summary().judged();
        engine.process_line(line, text, &mut collect);
        if engine.summary().judged() > before
            && let Some(event_type) = event_type(text)
        {
            judged.push((line, event_type));
        }
    }
    let summary = engine.finish(case.as_of.as_ref().map(|a| a.second), &mut collect);
    Ok(CaseRun {
        findings,
        judged,
        summary,
    })
}

/// The `type` of a line the runtime accepted as an event.
fn event_type(text: &str) -> Option<String> {
    let value: serde_json::Value =
        serde_json::from_str(text.trim_start_matches('\u{feff}')).ok()?;
    value.get("type")?.as_str().map(str::to_string)
}

/// How an expected or actual finding fared.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum RowStatus {
    /// Expected and produced.
    Matched,
    /// Expected, not produced.
    Missing,
    /// Produced, checked by the case, not expected.
    Unexpected,
}

/// One line of a case's comparison.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    pub status: RowStatus,
    pub kind: FindingKind,
    pub rule: Option<String>,
    /// The line of the case's stream.
    pub line: u64,
    /// For an expectation: the text its message must contain.
    pub contains: Option<String>,
    /// For a produced finding: its message.
    pub message: Option<String>,
}

/// The findings a case checks, set against its expectations.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Comparison {
    /// Ordered by line of the stream, then kind and rule; a missing row comes before the
    /// unexpected row it may have been meant as.
    pub rows: Vec<Row>,
    /// Findings of rules the case does not check.
    pub unchecked: usize,
}

impl Comparison {
    /// Whether every expectation was met and nothing checked was unexpected.
    pub fn passed(&self) -> bool {
        self.rows.iter().all(|r| r.status == RowStatus::Matched)
    }
}

/// Compares a case's findings with its expectations.
///
/// The case checks input errors, the findings of the rules in its scope and those of the rules
/// its expectations name; each expectation is met by one finding of the same kind, rule and
/// line whose message contains the expectation's text, if it gives one.
pub fn compare(file: &TestFile, case: &Case, actual: &[Actual]) -> Comparison {
    let checked: Vec<&Actual> = actual
        .iter()
        .filter(|a| match &a.rule {
            None => true,
            Some(rule) => a.kind == FindingKind::InputError || case.checks(file, rule),
        })
        .collect();
    let unchecked = actual.len() - checked.len();
    let mut used = vec![false; checked.len()];
    let mut rows = Vec::new();
    for e in &case.expected {
        let rule = e.rule.as_ref().map(|r| r.id.as_str());
        let found = checked.iter().enumerate().position(|(i, a)| {
            !used[i]
                && a.kind == e.kind
                && a.rule.as_deref() == rule
                && a.line == e.line
                && e.contains
                    .as_ref()
                    .is_none_or(|text| a.message.contains(text.as_str()))
        });
        let message = found.map(|i| {
            used[i] = true;
            checked[i].message.clone()
        });
        rows.push(Row {
            status: if found.is_some() {
                RowStatus::Matched
            } else {
                RowStatus::Missing
            },
            kind: e.kind,
            rule: rule.map(str::to_string),
            line: e.line,
            contains: e.contains.clone(),
            message,
        });
    }
    for (a, used) in checked.iter().zip(&used) {
        if !used {
            rows.push(Row {
                status: RowStatus::Unexpected,
                kind: a.kind,
                rule: a.rule.clone(),
                line: a.line,
                contains: None,
                message: Some(a.message.clone()),
            });
        }
    }
    rows.sort_by(|a, b| {
        (a.line, kind_order(a.kind), &a.rule, a.status).cmp(&(
            b.line,
            kind_order(b.kind),
            &b.rule,
            b.status,
        ))
    });
    Comparison { rows, unchecked }
}

fn kind_order(kind: FindingKind) -> u8 {
    match kind {
        FindingKind::InputError => 0,
        FindingKind::Violation => 1,
        FindingKind::Overdue => 2,
        FindingKind::Open => 3,
    }
}
