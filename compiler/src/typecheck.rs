//! The rule checker: the rules and exemptions of one article, checked against the vocabulary
//! and elaborated into the IR.
//!
//! Each article is checked on its own ([`typecheck_article`]), from a copy of its syntax whose
//! spans are relative to the article, so editing one rule re-checks one article.

use std::sync::Arc;

use edict_grammar::ast::{self, ClauseEntry};
use edict_runtime::ir::{self, ClauseRef};

use crate::db::{Package, SourceFile};
use crate::declare::{PackageConstants, StateInfo, package_states};
use crate::diagnostic::{Code, Diagnostic, Origin, did_you_mean};
use crate::expr::{Checker, Var, VarKind, facts_of};
use crate::parse::article;
use crate::resolve::package_vocab;
use crate::types::Ty;
use edict_grammar::tr;

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
    /// The `once` conditions inside its `when`, `require`/`prohibit` and `unless`.
    pub onces: Vec<ir::OnceCondition>,
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
                            tr!(
                                "declare it with `state NAME: set of FIELD per KEY {{ … }}`",
                                "用`状态 名称: 集合 字段 按 键 {{ … }}`声明它"
                            )
                        });
                    let name = &state.name;
                    self.error(
                        Code::StateError,
                        state.span,
                        tr!("unknown state `{name}`", "未知的状态`{name}`"),
                    )
                    .set_label(tr!("no state of this name", "没有这个名称的状态"))
                    .help = Some(help);
                }
                self.vars.push(Var {
                    name: key.name.clone(),
                    slot: ir::TRIGGER_SLOT,
                    kind: VarKind::Key(key_ty),
                });
                let threshold = self.int(threshold, ("a threshold", "阈值"));
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
                            tr!(
                                "a `reaches` threshold must be a fixed number",
                                "`达到`的阈值必须是固定的数字"
                            ),
                        )
                        .set_label(tr!("this depends on an event", "这取决于事件"));
                        None
                    }
                    _ => None,
                }
            }
        };

        if rule.trigger.is_none() && !matches!(rule.body, ast::RuleBody::Deadline(_)) {
            let name = &rule.name.name;
            // An event type the vocabulary really has.
            let (example, example_zh) = self
                .vocab
                .events
                .first()
                .map(|e| {
                    let event = &e.name;
                    (
                        format!(", e.g. `on {event} e`"),
                        format!("，如`对于 {event} e`"),
                    )
                })
                .unwrap_or_default();
            self.error(
                Code::MissingTrigger,
                rule.name.span,
                tr!(
                    "rule `{name}` does not say which events it judges",
                    "规则`{name}`没有说明它判断哪些事件"
                ),
            )
            .set_label(tr!("no `on` clause", "没有`对于`子句"))
            .help = Some(tr!(
                "add `on EVENT e` after the rule name{example}",
                "在规则名称后加上`对于 事件类型 e`{example_zh}"
            ));
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
                onces: Vec::new(),
            };
        }

        // `once` conditions may stand in the rule's own conditions.
        self.onces = Some(Vec::new());
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
                self.once_parts(once)
                    .map(|(pattern, within, resets)| ir::Body::Once {
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
                                    tr!(
                                        "this deadline has nothing to count from",
                                        "这个期限没有起算点"
                                    ),
                                )
                                .set_label(tr!(
                                    "`within` without `after`, in a rule without `on`",
                                    "规则没有`对于`，期限也没有`自 … 之后`"
                                ))
                                .help = Some(tr!(
                                    "add `on EVENT e` to the rule, or `after e` to the deadline",
                                    "给规则加上`对于 事件类型 e`，或给期限加上`自 e 之后`"
                                ));
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
                                    let key = &name.name;
                                    self.error(
                                        Code::UnknownVariable,
                                        name.span,
                                        tr!(
                                            "`{key}` is a state key, not an event",
                                            "`{key}`是状态的键，不是事件"
                                        ),
                                    )
                                    .set_label(tr!(
                                        "a period counts from an event",
                                        "期限从事件起算"
                                    ))
                                    .help = Some(tr!(
                                        "leave out `after`: the period then counts from the event that reached the threshold",
                                        "去掉`之后`：期限便从达到阈值的事件起算"
                                    ));
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
                                        tr!(
                                            "name the event bound by the rule's `on`",
                                            "写规则中由`对于`绑定的事件"
                                        )
                                    });
                                    let var = &name.name;
                                    self.error(
                                        Code::UnknownVariable,
                                        name.span,
                                        tr!(
                                            "`after {var}`: no such event in this rule",
                                            "`自 {var} 之后`：这条规则中没有这个事件"
                                        ),
                                    )
                                    .set_label(tr!("not bound by `on`", "没有由`对于`绑定"))
                                    .help = Some(help);
                                    None
                                }
                            },
                        }
                    }
                };
                let outer = self.vars.len();
                let outer_onces = self.onces.take();
                let pattern = self.pattern(&dl.pattern, ir::PATTERN_SLOT);
                self.onces = outer_onces;
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
            let name = &rule.name.name;
            let d = Diagnostic::warning(
                Code::MissingMessage,
                self.origin,
                rule.name.span,
                tr!("rule `{name}` has no message", "规则`{name}`没有说明"),
            )
            .label(tr!(
                "its findings will only name the rule",
                "它的发现只会写出规则名称"
            ))
            .help(tr!(
                "add `message \"…\"` saying, for a compliance officer, what the rule requires",
                "加上`说明 \"…\"`，向合规人员说明这条规则要求什么"
            ));
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
            onces: self.onces.take().unwrap_or_default(),
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
