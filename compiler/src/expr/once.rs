//! `once … before` in a rule: as the rule's body (`require once …`, `prohibit once …`) and as a
//! condition inside `when`, `require`, `prohibit` or `unless`.
//!
//! Either way the earlier event is bound in the pattern slot, beside the trigger; each `reset by`
//! event is bound in the reset slot and sees the earlier event, not the trigger. A `once` as a
//! condition is kept in the rule's list ([`ir::Rule::onces`]) and referred to by its index; the
//! engine decides it against its memory of past events before it evaluates the rule.

use edict_grammar::ast::{self, Span};
use edict_runtime::eval::MAX_ONCE_CONDITIONS;
use edict_runtime::ir;

use super::{Checker, Var, VarKind, poisoned};
use crate::diagnostic::Code;
use crate::types::Ty;
use edict_grammar::tr;

impl Checker<'_> {
    /// An event pattern, its event bound in `slot`.
    pub(crate) fn pattern(&mut self, p: &ast::EventPattern, slot: ir::Slot) -> Option<ir::Pattern> {
        let event = self.bind_event(&p.event, &p.binding, slot);
        let condition = p.condition.as_ref().map(|c| self.condition(c));
        event.map(|event| ir::Pattern { event, condition })
    }

    pub(crate) fn duration(&mut self, d: &ast::Duration) -> ir::Duration {
        ir::Duration {
            amount: self.int(&d.amount, ("a duration", "时长")),
            unit: match d.unit {
                ast::DurationUnit::Days => ir::DurationUnit::Days,
                ast::DurationUnit::WorkingDays => ir::DurationUnit::WorkingDays,
                ast::DurationUnit::Years => ir::DurationUnit::Years,
            },
        }
    }

    /// The pattern, period and resets of a `once`; `None` when its event type is unknown. No
    /// `once` may stand inside them.
    pub(crate) fn once_parts(
        &mut self,
        once: &ast::OnceRequirement,
    ) -> Option<(ir::Pattern, Option<ir::Duration>, Vec<ir::Pattern>)> {
        let outer_onces = self.onces.take();
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
        self.onces = outer_onces;
        pattern.map(|pattern| (pattern, within, resets))
    }

    /// `once …` written as a condition.
    pub(super) fn once_condition(
        &mut self,
        once: &ast::OnceRequirement,
        span: Span,
    ) -> (ir::Expr, Ty) {
        if self.onces.is_none() {
            self.error(
                Code::MisplacedOnce,
                span,
                tr!("`once` cannot be used here", "这里不能使用`曾经`"),
            )
            .set_label(tr!(
                "no earlier events are looked up here",
                "这里不查找先前的事件"
            ))
            .help = Some(tr!(
                "write `once … before` in a rule's `when`, `require`, `prohibit` or `unless`; not in an exemption, a pattern's `where`, a state update or a constant",
                "把`曾经 … 之前`写在规则的`当`、`应当`、`不得`或`除非`中；不要写在豁免、模式的`满足`、状态更新或常量中"
            ));
            return (poisoned(), Ty::Bool);
        }
        let Some((pattern, within, resets)) = self.once_parts(once) else {
            return (poisoned(), Ty::Bool);
        };
        let Some(list) = self.onces.as_mut() else {
            return (poisoned(), Ty::Bool);
        };
        if list.len() >= MAX_ONCE_CONDITIONS {
            let max = MAX_ONCE_CONDITIONS;
            self.error(
                Code::MisplacedOnce,
                span,
                tr!(
                    "a rule may hold at most {max} `once` conditions",
                    "一条规则最多只能有{max}个`曾经`条件"
                ),
            )
            .set_label(tr!("one too many", "多出的一个"))
            .help = Some(tr!("split the rule in two", "把这条规则拆成两条"));
            return (poisoned(), Ty::Bool);
        }
        let index = list.len() as u32;
        list.push(ir::OnceCondition {
            pattern,
            within,
            resets,
        });
        (ir::Expr::Once(index), Ty::Bool)
    }
}
