//! Rule coverage: does every rule of a package have a failing and a passing case?
//!
//! - A rule's *failing case* is a case that expects a `violation` or an `overdue` finding of it.
//! - A rule's *passing case* is a case that checks the rule's findings (the rule is in its scope
//!   or named by one of its expectations) and whose stream has a line that was judged (accepted,
//!   on or after the effective date, not exempt), is of an event type that triggers the rule (for
//!   a rule on a state's size: an event type that updates the state), and at which the case
//!   expects no finding of the rule at all.
//! - A rule that a test file declares `covered elsewhere` needs neither; it is listed with the
//!   reason instead.

use std::collections::BTreeMap;

use edict_runtime::ir::{Program, Trigger};

use super::{Case, CaseRun, FindingKind, TestFile};

/// A rule, with the event types that make the runtime judge it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleInfo {
    pub id: String,
    pub triggers: Vec<String>,
}

/// The rules of a program, in the program's order.
pub fn rule_infos(program: &Program) -> Vec<RuleInfo> {
    let event_name = |id: u32| {
        program
            .vocabulary
            .events
            .get(id as usize)
            .map(|e| e.name.clone())
    };
    program
        .rules
        .iter()
        .map(|rule| {
            let mut triggers: Vec<String> = match &rule.trigger {
                Trigger::Event(event) => event_name(*event).into_iter().collect(),
                Trigger::Reaches { state, .. } => program
                    .states
                    .get(*state as usize)
                    .map(|s| {
                        s.updates
                            .iter()
                            .filter_map(|u| event_name(u.event))
                            .collect()
                    })
                    .unwrap_or_default(),
            };
            triggers.sort();
            triggers.dedup();
            RuleInfo {
                id: rule.id.to_string(),
                triggers,
            }
        })
        .collect()
}

/// A rule a test file declares tested by other means.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Elsewhere {
    pub rule: String,
    pub reason: String,
    /// The test file and line that say so.
    pub path: String,
    pub line: usize,
}

/// The coverage of a package's rules by its cases.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Coverage {
    /// How many rules the package has.
    pub rules: usize,
    /// Rules with no failing case, in the program's order.
    pub without_failing: Vec<String>,
    /// Rules with no passing case, in the program's order.
    pub without_passing: Vec<String>,
    /// Rules declared covered elsewhere, in the program's order.
    pub elsewhere: Vec<Elsewhere>,
}

impl Coverage {
    /// How many rules lack a failing or a passing case.
    pub fn uncovered(&self) -> usize {
        let mut ids: Vec<&String> = self
            .without_failing
            .iter()
            .chain(&self.without_passing)
            .collect();
        ids.sort();
        ids.dedup();
        ids.len()
    }
}

/// Computes the coverage of `rules` by the cases of `files`; `runs` holds each case that ran,
/// with its file and result.
pub fn coverage(
    rules: &[RuleInfo],
    files: &[&TestFile],
    runs: &[(&TestFile, &Case, &CaseRun)],
) -> Coverage {
    let mut elsewhere: BTreeMap<&str, Elsewhere> = BTreeMap::new();
    for file in files {
        for c in &file.covered_elsewhere {
            elsewhere.entry(c.rule.id.as_str()).or_insert(Elsewhere {
                rule: c.rule.id.clone(),
                reason: c.reason.clone(),
                path: file.path.clone(),
                line: c.rule.line,
            });
        }
    }
    let mut result = Coverage {
        rules: rules.len(),
        ..Coverage::default()
    };
    for rule in rules {
        if let Some(e) = elsewhere.get(rule.id.as_str()) {
            result.elsewhere.push(e.clone());
            continue;
        }
        let failing = runs.iter().any(|(_, case, _)| {
            case.expected.iter().any(|e| {
                matches!(e.kind, FindingKind::Violation | FindingKind::Overdue)
                    && e.rule.as_ref().is_some_and(|r| r.id == rule.id)
            })
        });
        let passing = runs.iter().any(|(file, case, run)| {
            case.checks(file, &rule.id)
                && run.judged.iter().any(|(line, event_type)| {
                    rule.triggers.contains(event_type)
                        && !case.expected.iter().any(|e| {
                            e.line == *line && e.rule.as_ref().is_some_and(|r| r.id == rule.id)
                        })
                })
        });
        if !failing {
            result.without_failing.push(rule.id.clone());
        }
        if !passing {
            result.without_passing.push(rule.id.clone());
        }
    }
    result
}
