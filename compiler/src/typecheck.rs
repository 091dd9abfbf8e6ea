//! The rule checker: the rules and exemptions of one article, checked against the vocabulary
//! and elaborated into the IR.
//!
//! Each article is checked on its own ([`typecheck_article`]), from a copy of its syntax whose
//! spans are relative to the article, so editing one rule re-checks one article.

use std::sync::Arc;

use edict_grammar::ast::{self, ClauseEntry};
use edict_runtime::ir::{self, ClauseRef, Slot};
use edict_runtime::{calendar, time};

use crate::db::{Package, SourceFile};
use crate::declare::{PackageConstants, StateInfo, package_states};
use crate::diagnostic::{Code, Diagnostic, Origin, did_you_mean};
use crate::expr::{Checker, Var, VarKind, facts_of};
use crate::parse::article;
use crate::resolve::package_vocab;
use crate::types::Ty;

/// A checked rule, its expressions already in IR form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TypedRule {
    pub name: String,
    pub clause: ClauseRef,
    pub trigger: Option<ir::Trigger>,
    pub when: Option<ir::Expr>,
    pub body: Option<ir::Body>,
    pub unless: Option<ir::Expr>,
    pub message: Option<String>,
    pub message_zh: Option<String>,
    pub cites: Vec<String>,
    pub evidence: Vec<ir::Evidence>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TypedExemption {
    pub clause: ClauseRef,
    pub exemption: ir::Exemption,
}

/// The rules and exemptions of one article, checked.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct TypedArticle {
    pub rules: Vec<TypedRule>,
    pub exemptions: Vec<TypedExemption>,
}

/// Checks the article that is top-level item `index` of `file`.
#[salsa::tracked(returns(ref))]
pub(crate) fn typecheck_article(
    db: &dyn salsa::Database,
    package: Package,
    file: SourceFile,
    index: u32,
) -> Arc<TypedArticle> {
    let mut out = TypedArticle::default();
    let (Some(vocab), Some(syntax)) = (package_vocab(db, package), article(db, file, index)) else {
        return Arc::new(out);
    };
    let consts = PackageConstants { db, package };
    let states = package_states(db, package);
    let mut checker = ArticleChecker {
        origin: Origin::item(file, index),
        vocab,
        consts: &consts,
        states,
        out: &mut out,
        diags: Vec::new(),
    };
    let clause = ClauseRef::article(syntax.article.clone());
    checker.entries(&syntax.body, &clause);
    for d in checker.diags {
        d.report(db);
    }
    Arc::new(out)
}

/// Walks the clauses of one article, checking each rule and exemption.
struct ArticleChecker<'a> {
    origin: Origin,
    vocab: &'a crate::vocab::Vocab,
    consts: &'a PackageConstants<'a>,
    states: &'a [StateInfo],
    out: &'a mut TypedArticle,
    diags: Vec<Diagnostic>,
}

impl ArticleChecker<'_> {
    fn entries(&mut self, entries: &[ClauseEntry], clause: &ClauseRef) {
        for entry in entries {
            match entry {
                ClauseEntry::Paragraph(sub) => {
                    self.entries(&sub.body, &clause.paragraph(sub.number.value));
                }
                ClauseEntry::Item(sub) => self.entries(&sub.body, &clause.item(sub.number.value)),
                ClauseEntry::Rule(rule) => {
                    let mut checker = Checker::new(self.origin, self.vocab, self.consts);
                    let typed = checker.rule(rule, clause.clone(), self.states);
                    self.diags.append(&mut checker.diags);
                    self.out.rules.push(typed);
                }
                ClauseEntry::Exempt(exempt) => {
                    let mut checker = Checker::new(self.origin, self.vocab, self.consts);
                    if let Some(exemption) = checker.exemption(exempt) {
                        self.out.exemptions.push(TypedExemption {
                            clause: clause.clone(),
                            exemption,
                        });
                    }
                    self.diags.append(&mut checker.diags);
                }
                ClauseEntry::NotCheckable(_) => {}
            }
        }
    }
}

impl Checker<'_> {
    fn pattern(&mut self, p: &ast::EventPattern, slot: Slot) -> Option<ir::Pattern> {
        let event = self.bind_event(&p.event, &p.binding, slot);
        let condition = p.condition.as_ref().map(|c| self.condition(c));
        event.map(|event| ir::Pattern { event, condition })
    }

    fn duration(&mut self, d: &ast::Duration) -> ir::Duration {
        let amount = self.int(&d.amount, "a duration");
        if let ir::Expr::Const(ir::Value::Int(n)) = amount {
            // The most units any period can count within the supported dates.
            let span = calendar::day_number(time::LAST_DATE)
                - calendar::day_number(ir::Date {
                    year: time::FIRST_YEAR,
                    month: 1,
                    day: 1,
                });
            let (most, unit) = match d.unit {
                ast::DurationUnit::Days => (span, "days"),
                ast::DurationUnit::WorkingDays => (span, "working days"),
                ast::DurationUnit::Years => {
                    (i64::from(time::LAST_YEAR - time::FIRST_YEAR), "years")
                }
            };
            if !(0..=most).contains(&n) {
                let message = if n < 0 {
                    format!("a period of {n} {unit} cannot be counted: a period is not negative")
                } else {
                    format!(
                        "a period of {n} {unit} cannot be counted: it ends after {}, the last supported date",
                        time::LAST_DATE
                    )
                };
                self.error(Code::BadPeriod, d.amount.span, message)
                    .set_label(format!("at most {most} {unit}"))
                    .help = Some(format!(
                    "supported dates run from {}; write a period within them",
                    time::SUPPORTED_RANGE
                ));
            }
        }
        ir::Duration {
            amount,
            unit: match d.unit {
                ast::DurationUnit::Days => ir::DurationUnit::Days,
                ast::DurationUnit::WorkingDays => ir::DurationUnit::WorkingDays,
                ast::DurationUnit::Years => ir::DurationUnit::Years,
            },
        }
    }

    fn rule(&mut self, rule: &ast::Rule, clause: ClauseRef, states: &[StateInfo]) -> TypedRule {
        let trigger = match &rule.trigger {
            None => None,
            Some(ast::Trigger::Event { event, binding }) => self
                .bind_event(event, binding, ir::TRIGGER_SLOT)
                .map(ir::Trigger::Event),
            Some(ast::Trigger::Reaches {
                state,
                key,
                threshold,
                before_effective,
                span,
            }) => {
                let found = states.iter().position(|s| s.name == state.name);
                let key_ty = found.map_or(Ty::Error, |i| states[i].key_ty.clone());
                if found.is_none() {
                    let help = did_you_mean(&state.name, states.iter().map(|s| s.name.as_str()))
                        .unwrap_or_else(|| {
                            "declare it with `state NAME: set of FIELD per KEY { … }`".into()
                        });
                    self.error(
                        Code::StateError,
                        state.span,
                        format!("unknown state `{}`", state.name),
                    )
                    .set_label("no state of this name")
                    .help = Some(help);
                }
                self.vars.push(Var {
                    name: key.name.clone(),
                    slot: ir::TRIGGER_SLOT,
                    kind: VarKind::Key(key_ty),
                });
                let threshold = self.int(threshold, "a threshold");
                match (found, threshold) {
                    (Some(state), ir::Expr::Const(ir::Value::Int(n))) => {
                        Some(ir::Trigger::Reaches {
                            state: state as u32,
                            threshold: n,
                            before_effective: *before_effective,
                        })
                    }
                    (Some(_), _) => {
                        self.error(
                            Code::TypeMismatch,
                            *span,
                            "a `reaches` threshold must be a fixed number",
                        )
                        .set_label("this depends on an event");
                        None
                    }
                    _ => None,
                }
            }
        };

        if rule.trigger.is_none() && !matches!(rule.body, ast::RuleBody::Deadline(_)) {
            self.error(
                Code::MissingTrigger,
                rule.name.span,
                format!(
                    "rule `{}` does not say which events it judges",
                    rule.name.name
                ),
            )
            .set_label("no `on` clause")
            .help = Some("add `on EVENT e` after the rule name, e.g. `on enrollment e`".into());
            // Without a bound event every field in the rule would be reported again.
            return TypedRule {
                name: rule.name.name.clone(),
                clause,
                trigger: None,
                when: None,
                body: None,
                unless: None,
                message: rule.message.as_ref().map(|m| m.value.clone()),
                message_zh: rule.message_zh.as_ref().map(|m| m.value.clone()),
                cites: rule.cites.iter().map(|c| c.value.clone()).collect(),
                evidence: Vec::new(),
            };
        }

        let when = rule.when.as_ref().map(|w| self.event_condition(w, "when"));
        let when_facts = when.as_ref().map(facts_of).unwrap_or_default();
        self.facts.extend(when_facts);

        let body = match &rule.body {
            ast::RuleBody::Require(c) => {
                Some(ir::Body::Require(self.event_condition(c, "require")))
            }
            ast::RuleBody::Prohibit(c) => {
                Some(ir::Body::Prohibit(self.event_condition(c, "prohibit")))
            }
            ast::RuleBody::Once(once) => {
                let outer = self.vars.len();
                let pattern = self.pattern(&once.pattern, ir::PATTERN_SLOT);
                let within = once.within.as_ref().map(|d| self.duration(d));
                self.vars.truncate(outer);
                let mut resets = Vec::new();
                for reset in &once.resets {
                    // A reset sees the earlier event and itself, not the trigger.
                    let saved = std::mem::take(&mut self.vars);
                    let saved_facts = std::mem::take(&mut self.facts);
                    if let Some(id) = pattern.as_ref().map(|p| p.event) {
                        self.vars.push(Var {
                            name: once.pattern.binding.name.clone(),
                            slot: ir::PATTERN_SLOT,
                            kind: VarKind::Event(id),
                        });
                    }
                    let r = self.pattern(reset, ir::RESET_SLOT);
                    self.vars = saved;
                    self.facts = saved_facts;
                    resets.extend(r);
                }
                pattern.map(|pattern| ir::Body::Once {
                    forbid: once.forbid,
                    pattern,
                    within,
                    resets,
                })
            }
            ast::RuleBody::Deadline(dl) => {
                let deadline = match &dl.deadline {
                    ast::Deadline::By(d) => Some(ir::Deadline::By(ir::Date {
                        year: d.year,
                        month: d.month,
                        day: d.day,
                    })),
                    ast::Deadline::Within { duration, after } => {
                        let duration = self.duration(duration);
                        match (after, &rule.trigger) {
                            (None, None) => {
                                self.error(
                                    Code::DeadlineWithoutTrigger,
                                    dl.span,
                                    "this deadline has nothing to count from",
                                )
                                .set_label("`within` without `after`, in a rule without `on`")
                                .help = Some(
                                    "add `on EVENT e` to the rule, or `after e` to the deadline"
                                        .into(),
                                );
                                None
                            }
                            (None, Some(_)) => Some(ir::Deadline::Within {
                                duration,
                                after: ir::TRIGGER_SLOT,
                            }),
                            (Some(name), _) => match self.lookup_var(&name.name).cloned() {
                                Some(Var {
                                    kind: VarKind::Event(_) | VarKind::Unknown,
                                    slot,
                                    ..
                                }) => Some(ir::Deadline::Within {
                                    duration,
                                    after: slot,
                                }),
                                Some(_) => {
                                    self.error(
                                        Code::UnknownVariable,
                                        name.span,
                                        format!("`{}` is a state key, not an event", name.name),
                                    )
                                    .set_label("a period counts from an event")
                                    .help = Some(
                                        "leave out `after`: the period then counts from the event that reached the threshold".into(),
                                    );
                                    None
                                }
                                None => {
                                    let candidates: Vec<String> =
                                        self.vars.iter().map(|v| v.name.clone()).collect();
                                    let help = did_you_mean(
                                        &name.name,
                                        candidates.iter().map(String::as_str),
                                    )
                                    .unwrap_or_else(|| {
                                        "name the event bound by the rule's `on`".into()
                                    });
                                    self.error(
                                        Code::UnknownVariable,
                                        name.span,
                                        format!(
                                            "`after {}`: no such event in this rule",
                                            name.name
                                        ),
                                    )
                                    .set_label("not bound by `on`")
                                    .help = Some(help);
                                    None
                                }
                            },
                        }
                    }
                };
                let outer = self.vars.len();
                let pattern = self.pattern(&dl.pattern, ir::PATTERN_SLOT);
                self.vars.truncate(outer);
                match (pattern, deadline) {
                    (Some(pattern), Some(deadline)) => {
                        Some(ir::Body::Deadline { pattern, deadline })
                    }
                    _ => None,
                }
            }
        };

        let unless = rule
            .unless
            .as_ref()
            .map(|u| self.event_condition(u, "unless"));

        if rule.message.is_none() {
            let d = Diagnostic::warning(
                Code::MissingMessage,
                self.origin,
                rule.name.span,
                format!("rule `{}` has no message", rule.name.name),
            )
            .label("its findings will only name the rule")
            .help("add `message \"…\"` saying, for a compliance officer, what the rule requires");
            self.push(d);
        }

        TypedRule {
            name: rule.name.name.clone(),
            clause,
            trigger,
            when,
            body,
            unless,
            message: rule.message.as_ref().map(|m| m.value.clone()),
            message_zh: rule.message_zh.as_ref().map(|m| m.value.clone()),
            cites: rule.cites.iter().map(|c| c.value.clone()).collect(),
            evidence: std::mem::take(&mut self.evidence),
        }
    }

    fn exemption(&mut self, exempt: &ast::Exempt) -> Option<ir::Exemption> {
        let event = match &exempt.event {
            Some(event) => {
                let id = self.bind_event(event, &exempt.binding, ir::TRIGGER_SLOT);
                Some(id?)
            }
            None => {
                self.vars.push(Var {
                    name: exempt.binding.name.clone(),
                    slot: ir::TRIGGER_SLOT,
                    kind: VarKind::AnyEvent,
                });
                None
            }
        };
        let condition = self.event_condition(&exempt.condition, "exempt");
        Some(ir::Exemption {
            clause: 0,
            event,
            condition,
        })
    }
}
