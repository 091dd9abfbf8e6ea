//! Policy test cases: the `.test` files that live in a package's `tests/` folder.
//!
//! A test file holds cases; each case is a small event stream and the findings expected from it
//! (the format is documented for policy authors in `docs/testing.md`).
//! This module is the pure part of `edict test`: [`parse`] reads a file, [`resolve`] checks its
//! rule references against a compiled program, [`run_case`] runs one case through the runtime
//! and [`compare`] sets its findings against the expectations, and [`coverage`] says which rules
//! lack a failing or a passing case. Reading files and printing are left to the command.

mod coverage;
mod parse;
mod run;

use std::fmt;

pub use coverage::{Coverage, Elsewhere, RuleInfo, coverage, rule_infos};
pub use edict_runtime::finding::FindingKind;
use edict_runtime::ir::{RuleId, RulePattern};
pub use parse::parse;
pub use run::{Actual, CaseRun, Comparison, Row, RowStatus, compare, run_case};

/// A problem in a test file, at a line of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TestFileError {
    /// The test file, as shown to the user.
    pub path: String,
    /// The 1-based line of the test file.
    pub line: usize,
    /// What is wrong, as a plain sentence fragment.
    pub message: String,
}

impl fmt::Display for TestFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.path, self.line, self.message)
    }
}

/// A parsed test file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TestFile {
    /// The file, as shown to the user.
    pub path: String,
    /// The scope written before the first case: the default of every case in the file.
    pub scope: Option<Scope>,
    /// Rules the file declares tested by other means, exempt from the coverage check.
    pub covered_elsewhere: Vec<CoveredElsewhere>,
    pub cases: Vec<Case>,
}

/// `covered elsewhere RULE: WHERE`: a rule whose cases cannot be written in a test file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CoveredElsewhere {
    pub rule: RuleRef,
    /// Where and how the rule is tested, as written.
    pub reason: String,
}

/// One case: a stream, when it closes, and the findings expected from it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Case {
    /// The case's name, a sentence.
    pub name: String,
    /// The line of the test file where the case starts.
    pub line: usize,
    /// The lines of the event stream, in order; the stream's line 1 is the first.
    pub stream: Vec<String>,
    /// `as of TIME`: when the stream closes; without it, at its last event.
    pub as_of: Option<AsOf>,
    /// The case's own scope, replacing the file's.
    pub scope: Option<Scope>,
    /// The expected findings; empty when the case says `expect no findings`.
    pub expected: Vec<Expected>,
}

/// The time a stream closes, as written and in Unix seconds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AsOf {
    pub text: String,
    pub second: i64,
}

/// Which findings a case checks (besides input errors and the rules its expectations name,
/// which are always checked).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Every finding.
    All,
    /// The findings of these rules and of the rules under these prefixes.
    Rules(Vec<RuleRef>),
}

/// A rule id or id prefix as the test file writes it, and the full id it stands for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleRef {
    /// As written, e.g. `art7/some-rule` or `reg/art7`.
    pub written: String,
    /// The full id or prefix, e.g. `reg/art7/some-rule`; the same as
    /// `written` until [`resolve`] adds the regulation's id.
    pub id: String,
    /// The rule or rules it names, once [`resolve`] has read it.
    pub pattern: Option<RulePattern>,
    /// The line of the test file that names it.
    pub line: usize,
}

impl RuleRef {
    fn new(written: &str, line: usize) -> RuleRef {
        RuleRef {
            written: written.to_string(),
            id: written.to_string(),
            pattern: None,
            line,
        }
    }

    /// Whether `rule` is this id or lies under it (`reg/art8` covers
    /// `reg/art8/p2/some-rule`, not `reg/art80/…`).
    pub fn covers(&self, rule: &str) -> bool {
        let pattern = match &self.pattern {
            Some(pattern) => pattern.clone(),
            None => match RulePattern::parse(&self.id) {
                Some(pattern) => pattern,
                None => return false,
            },
        };
        rule.parse::<RuleId>()
            .is_ok_and(|rule| pattern.covers(&rule))
    }
}

/// One expected finding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expected {
    pub kind: FindingKind,
    /// The rule; `None` for an `input_error`.
    pub rule: Option<RuleRef>,
    /// The 1-based line of the case's stream.
    pub line: u64,
    /// Text the finding's message must contain.
    pub contains: Option<String>,
    /// The line of the test file that states it.
    pub file_line: usize,
}

impl Case {
    /// The scope that applies to the case: its own, or else the file's, or else all findings.
    pub fn effective_scope<'a>(&'a self, file: &'a TestFile) -> &'a Scope {
        self.scope
            .as_ref()
            .or(file.scope.as_ref())
            .unwrap_or(&Scope::All)
    }

    /// Whether the case checks the findings of `rule`: the rule is in its scope or one of its
    /// expectations names it.
    pub fn checks(&self, file: &TestFile, rule: &str) -> bool {
        let in_scope = match self.effective_scope(file) {
            Scope::All => true,
            Scope::Rules(refs) => refs.iter().any(|r| r.covers(rule)),
        };
        in_scope
            || self
                .expected
                .iter()
                .any(|e| e.rule.as_ref().is_some_and(|r| r.id == rule))
    }
}

/// Turns the file's rule references into full ids and checks that each names a rule of the
/// program: an expectation or `covered elsewhere` names one rule, a scope entry one or more.
///
/// A reference whose first segment is not the regulation's id is read as relative to it
/// (`art7/some-rule` in a `reg` test is `reg/art7/some-rule`).
pub fn resolve(file: &mut TestFile, regulation: &str, rules: &[&str]) -> Vec<TestFileError> {
    let mut errors = Vec::new();
    let path = file.path.clone();
    let mut check = |r: &mut RuleRef, whole: bool| {
        r.id = if r.written == regulation || r.written.starts_with(&format!("{regulation}/")) {
            r.written.clone()
        } else {
            format!("{regulation}/{}", r.written)
        };
        r.pattern = RulePattern::parse(&r.id);
        let found = if whole {
            r.pattern.as_ref().is_some_and(RulePattern::is_whole) && rules.contains(&r.id.as_str())
        } else {
            rules.iter().any(|rule| r.covers(rule))
        };
        if !found {
            let mut message = if whole {
                format!("`{}` is not a rule of {regulation}", r.written)
            } else {
                format!("no rule of {regulation} is under `{}`", r.written)
            };
            if let Some(near) = nearest(&r.id, rules) {
                message.push_str(&format!("; did you mean `{near}`?"));
            }
            errors.push(TestFileError {
                path: path.clone(),
                line: r.line,
                // The file's own words are echoed: never a raw control character.
                message: edict_grammar::text::printable(&message).into_owned(),
            });
        }
    };
    if let Some(Scope::Rules(refs)) = &mut file.scope {
        refs.iter_mut().for_each(|r| check(r, false));
    }
    for c in &mut file.covered_elsewhere {
        check(&mut c.rule, true);
    }
    for case in &mut file.cases {
        if let Some(Scope::Rules(refs)) = &mut case.scope {
            refs.iter_mut().for_each(|r| check(r, false));
        }
        for e in &mut case.expected {
            if let Some(r) = &mut e.rule {
                check(r, true);
            }
        }
    }
    errors.sort_by_key(|e| e.line);
    errors
}

/// The rule id closest to a misspelt one, if any is close.
fn nearest<'a>(id: &str, rules: &[&'a str]) -> Option<&'a str> {
    edict_runtime::suggest::closest(id, rules.iter().copied())
}

/// How a finding kind is written in test files and findings.
pub fn kind_name(kind: FindingKind) -> &'static str {
    match kind {
        FindingKind::Violation => "violation",
        FindingKind::Overdue => "overdue",
        FindingKind::Open => "open",
        FindingKind::InputError => "input_error",
    }
}

#[cfg(test)]
mod tests;
