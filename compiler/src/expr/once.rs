//! `once … before` in a rule: as the rule's body (`require once …`, `prohibit once …`) and as a
//! condition inside `when`, `require`, `prohibit` or `unless`.
//!
//! Either way the earlier event is bound in the pattern slot, beside the trigger; each `reset by`
//! event is bound in the reset slot and sees the earlier event, not the trigger. A `once` as a
//! condition is kept in the rule's list ([`ir::Rule::onces`]) and referred to by its index; the
//! engine decides it against its memory of past events before it evaluates the rule.

use edict_grammar::ast::{self, Span};
use edict_runtime::eval::MAX_ONCE_CONDITIONS;
use edict_runtime::{calendar, ir, time};

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

    /// A period of a deadline or a `once`; a fixed amount is checked against the supported dates.
    pub(crate) fn duration(&mut self, d: &ast::Duration) -> ir::Duration {
        let amount = self.int(&d.amount, ("a duration", "时长"));
        if let ir::Expr::Const(ir::Value::Int(n)) = amount {
            self.check_period(n, d);
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

    /// Reports a period no date in the supported range can count (E0504).
    fn check_period(&mut self, n: i64, d: &ast::Duration) {
        // The most units any period can count within the supported dates.
        let span = calendar::day_number(time::LAST_DATE)
            - calendar::day_number(ir::Date {
                year: time::FIRST_YEAR,
                month: 1,
                day: 1,
            });
        let (most, unit, unit_zh) = match d.unit {
            ast::DurationUnit::Days => (span, "days", "天"),
            ast::DurationUnit::WorkingDays => (span, "working days", "个工作日"),
            ast::DurationUnit::Years => {
                (i64::from(time::LAST_YEAR - time::FIRST_YEAR), "years", "年")
            }
        };
        if (0..=most).contains(&n) {
            return;
        }
        let last = time::LAST_DATE;
        let message = if n < 0 {
            tr!(
                "a period of {n} {unit} cannot be counted: a period is not negative",
                "{n}{unit_zh}的期间无法计算：期间不能为负数"
            )
        } else {
            tr!(
                "a period of {n} {unit} cannot be counted: it ends after {last}, the last supported date",
                "{n}{unit_zh}的期间无法计算：它在所支持的最后日期{last}之后才结束"
            )
        };
        let (range, range_zh) = (time::SUPPORTED_RANGE, time::SUPPORTED_RANGE_ZH);
        self.error(Code::BadPeriod, d.amount.span, message)
            .set_label(tr!("at most {most} {unit}", "至多{most}{unit_zh}"))
            .help = Some(tr!(
            "supported dates run from {range}; write a period within them",
            "所支持的日期为{range_zh}；请写出在此范围内的期间"
        ));
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
