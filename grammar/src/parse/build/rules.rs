//! Building rules, their triggers, bodies and deadlines, and the declarations beside articles:
//! constants, states and calendars.

use pest::iterators::Pair;

use super::{Builder, Children, required};
use crate::ast::*;
use crate::parse::grammar::Rule;

impl Builder {
    // -----------------------------------------------------------------------------------------
    // Rules

    pub(super) fn build_rule_decl(&self, pair: Pair<'_, Rule>) -> crate::ast::Rule {
        let span = self.span(&pair);
        let mut children = Children::of(pair);
        let name = self.build_ident(children.next());
        let mut trigger = None;
        let mut when = None;
        let mut unless = None;
        let mut message = None;
        let mut message_zh = None;
        let mut cites = Vec::new();
        let mut body = None;
        while let Some(part) = children.next_opt() {
            match part.as_rule() {
                Rule::event_trigger => trigger = Some(self.build_event_trigger(part)),
                Rule::size_trigger => trigger = Some(self.build_size_trigger(part)),
                Rule::when_clause => when = Some(self.build_when_clause(part)),
                Rule::unless_clause => unless = Some(self.build_unless_clause(part)),
                Rule::message_clause => message = Some(self.build_message_clause(part)),
                Rule::message_zh_clause => message_zh = Some(self.build_message_zh_clause(part)),
                Rule::cites_clause => cites.push(self.build_message_clause(part)),
                _ => body = Some(self.build_rule_body(part)),
            }
        }
        crate::ast::Rule {
            name,
            trigger,
            when,
            body: required(body),
            unless,
            message,
            message_zh,
            cites,
            span,
        }
    }

    pub(super) fn build_event_trigger(&self, pair: Pair<'_, Rule>) -> Trigger {
        let mut children = Children::of(pair);
        let event = self.build_ident(children.next());
        let binding = self.build_ident(children.next());
        Trigger::Event { event, binding }
    }

    pub(super) fn build_size_trigger(&self, pair: Pair<'_, Rule>) -> Trigger {
        let span = self.span(&pair);
        let mut children = Children::of(pair);
        let state = self.build_ident(children.next());
        let key = self.build_ident(children.next());
        let threshold = self.build_expr(children.next());
        let before_effective = children.next_if(Rule::before_effective).is_some();
        Trigger::Reaches {
            state,
            key,
            threshold,
            before_effective,
            span,
        }
    }

    pub(super) fn build_when_clause(&self, pair: Pair<'_, Rule>) -> Expr {
        self.build_expr(Children::of(pair).next())
    }

    pub(super) fn build_unless_clause(&self, pair: Pair<'_, Rule>) -> Expr {
        self.build_expr(Children::of(pair).next())
    }

    pub(super) fn build_message_clause(&self, pair: Pair<'_, Rule>) -> StrLit {
        self.build_string(Children::of(pair).next())
    }

    pub(super) fn build_message_zh_clause(&self, pair: Pair<'_, Rule>) -> StrLit {
        self.build_string(Children::of(pair).next())
    }

    pub(super) fn build_rule_body(&self, pair: Pair<'_, Rule>) -> RuleBody {
        match pair.as_rule() {
            Rule::require_once => RuleBody::Once(self.build_once(Children::of(pair).next(), false)),
            Rule::prohibit_once => RuleBody::Once(self.build_once(Children::of(pair).next(), true)),
            Rule::require_deadline => RuleBody::Deadline(self.build_require_deadline(pair)),
            Rule::require_expr => RuleBody::Require(self.build_expr(Children::of(pair).next())),
            _ => RuleBody::Prohibit(self.build_expr(Children::of(pair).next())),
        }
    }

    pub(super) fn build_once(&self, pair: Pair<'_, Rule>, forbid: bool) -> OnceRequirement {
        let span = self.span(&pair);
        let mut children = Children::of(pair);
        let pattern = self.build_event_pattern(children.next());
        let within = children
            .next_if(Rule::once_within)
            .map(|p| self.build_once_within(p));
        let mut resets = Vec::new();
        while let Some(reset) = children.next_opt() {
            resets.push(self.build_reset(reset));
        }
        OnceRequirement {
            forbid,
            pattern,
            within,
            resets,
            span,
        }
    }

    pub(super) fn build_once_within(&self, pair: Pair<'_, Rule>) -> Duration {
        self.build_duration(Children::of(pair).next())
    }

    pub(super) fn build_reset(&self, pair: Pair<'_, Rule>) -> EventPattern {
        self.build_event_pattern(Children::of(pair).next())
    }

    /// Builds `EVENT x [where COND] within …` into a deadline whose span starts at the event.
    pub(super) fn build_require_deadline(&self, pair: Pair<'_, Rule>) -> DeadlineRequirement {
        let end = self.span(&pair).end;
        let mut children = Children::of(pair);
        let pattern = self.build_event_pattern(children.next());
        let deadline = self.build_deadline(children.next());
        let span = Span {
            start: pattern.span.start,
            end,
        };
        DeadlineRequirement {
            pattern,
            deadline,
            span,
        }
    }

    pub(super) fn build_event_pattern(&self, pair: Pair<'_, Rule>) -> EventPattern {
        let span = self.span(&pair);
        let mut children = Children::of(pair);
        let event = self.build_ident(children.next());
        let binding = self.build_ident(children.next());
        let condition = children.next_opt().map(|p| self.build_expr(p));
        EventPattern {
            event,
            binding,
            condition,
            span,
        }
    }

    pub(super) fn build_deadline(&self, pair: Pair<'_, Rule>) -> Deadline {
        match pair.as_rule() {
            Rule::within_after => self.build_within_after(pair),
            Rule::since_within_zh => self.build_since_within_zh(pair),
            _ => self.build_by_date(pair),
        }
    }

    pub(super) fn build_within_after(&self, pair: Pair<'_, Rule>) -> Deadline {
        let mut children = Children::of(pair);
        let duration = self.build_duration(children.next());
        let after = children.next_opt().map(|p| self.build_ident(p));
        Deadline::Within { duration, after }
    }

    pub(super) fn build_since_within_zh(&self, pair: Pair<'_, Rule>) -> Deadline {
        let mut children = Children::of(pair);
        let after = children.next_if(Rule::ident).map(|p| self.build_ident(p));
        let duration = self.build_duration(children.next());
        Deadline::Within { duration, after }
    }

    pub(super) fn build_by_date(&self, pair: Pair<'_, Rule>) -> Deadline {
        Deadline::By(self.build_date(Children::of(pair).next()))
    }

    pub(super) fn build_duration(&self, pair: Pair<'_, Rule>) -> Duration {
        let span = self.span(&pair);
        let mut children = Children::of(pair);
        let amount = self.build_expr(children.next());
        let unit = match children.next().as_rule() {
            Rule::kw_working_days => DurationUnit::WorkingDays,
            Rule::kw_years => DurationUnit::Years,
            _ => DurationUnit::Days,
        };
        Duration { amount, unit, span }
    }

    // -----------------------------------------------------------------------------------------
    // Constants, state and calendar

    pub(super) fn build_const_decl(&self, pair: Pair<'_, Rule>) -> ConstDecl {
        let span = self.span(&pair);
        let mut children = Children::of(pair);
        let name = self.build_ident(children.next());
        let value = self.build_expr(children.next());
        ConstDecl { name, value, span }
    }

    pub(super) fn build_state_decl(&self, pair: Pair<'_, Rule>) -> StateDecl {
        let span = self.span(&pair);
        let mut children = Children::of(pair);
        let name = self.build_ident(children.next());
        let kind = self.build_state_kind(children.next());
        let key = self.build_ident(children.next());
        let mut updates = Vec::new();
        while let Some(update) = children.next_opt() {
            updates.push(self.build_state_update(update));
        }
        StateDecl {
            name,
            kind,
            key,
            updates,
            span,
        }
    }

    pub(super) fn build_state_kind(&self, pair: Pair<'_, Rule>) -> StateKind {
        match pair.as_rule() {
            Rule::set_state => StateKind::Set {
                element: self.build_ident(Children::of(pair).next()),
            },
            _ => StateKind::Counter,
        }
    }

    pub(super) fn build_state_update(&self, pair: Pair<'_, Rule>) -> StateUpdate {
        let span = self.span(&pair);
        let mut children = Children::of(pair);
        let event = self.build_ident(children.next());
        let binding = self.build_ident(children.next());
        let op = self.build_state_op(children.next());
        StateUpdate {
            event,
            binding,
            op,
            span,
        }
    }

    pub(super) fn build_state_op(&self, pair: Pair<'_, Rule>) -> StateOp {
        match pair.as_rule() {
            Rule::add_op => StateOp::Add(self.build_expr(Children::of(pair).next())),
            Rule::remove_op => StateOp::Remove(self.build_expr(Children::of(pair).next())),
            Rule::increment_op => StateOp::Increment,
            _ => StateOp::Decrement,
        }
    }

    pub(super) fn build_calendar(&self, pair: Pair<'_, Rule>) -> Calendar {
        let span = self.span(&pair);
        let mut children = Children::of(pair);
        let mut entries = Vec::new();
        while let Some(entry) = children.next_opt() {
            entries.push(self.build_calendar_entry(entry));
        }
        Calendar { entries, span }
    }

    pub(super) fn build_calendar_entry(&self, pair: Pair<'_, Rule>) -> CalendarEntry {
        let holiday = pair.as_rule() == Rule::holiday;
        let date = self.build_date(Children::of(pair).next());
        if holiday {
            CalendarEntry::Holiday(date)
        } else {
            CalendarEntry::Workday(date)
        }
    }
}
