//! Expressions: operators with the parentheses precedence needs (and those the author wrote),
//! and the places a long condition may be broken.

use edict_grammar::ast::{
    BinaryOp, Duration, DurationUnit, EventPattern, Expr, ExprKind, LogicOp, OnceRequirement,
    TimeUnit, UnaryOp,
};
use edict_grammar::lexer::TokenKind;

use edict_grammar::Lang;
use edict_grammar::keywords::Kw;

use crate::layout::Layout;

/// How tightly an expression binds, loosest first.
fn precedence(e: &Expr) -> u8 {
    match &e.kind {
        ExprKind::Logic(op, _) => logic_precedence(*op),
        ExprKind::Binary(op, ..) => op_precedence(*op),
        ExprKind::Unary(UnaryOp::Not, _) => 3,
        ExprKind::Field(..) => 7,
        // A `once` with `reset by` ends in a condition that would take in what follows it, so
        // inside a larger expression it is written in parentheses.
        ExprKind::Once(once) if !once.resets.is_empty() => 0,
        _ => 8,
    }
}

fn logic_precedence(op: LogicOp) -> u8 {
    match op {
        LogicOp::Or => 1,
        LogicOp::And => 2,
    }
}

fn op_precedence(op: BinaryOp) -> u8 {
    match op {
        BinaryOp::Add | BinaryOp::Sub => 5,
        BinaryOp::Mul | BinaryOp::Div | BinaryOp::Rem => 6,
        _ => 4,
    }
}

impl Layout<'_, '_> {
    /// An expression on one line.
    pub(crate) fn expr(&self, e: &Expr) -> String {
        self.expr_at(e, 0)
    }

    /// An expression where the context binds with `min` precedence: wrapped in parentheses
    /// when it binds more loosely, or when the author wrote them.
    fn expr_at(&self, e: &Expr, min: u8) -> String {
        let inner = self.bare(e);
        if precedence(e) < min || self.src.wrapped(e.span) {
            format!("({inner})")
        } else {
            inner
        }
    }

    fn bare(&self, e: &Expr) -> String {
        match &e.kind {
            ExprKind::Bool(true) => self.kw(Kw::True).to_owned(),
            ExprKind::Bool(false) => self.kw(Kw::False).to_owned(),
            ExprKind::Int(_) => self.src.first_of(e.span, TokenKind::Number).to_owned(),
            ExprKind::Str(_) => self.src.first_of(e.span, TokenKind::String).to_owned(),
            ExprKind::Date(d) => d.to_string(),
            ExprKind::Name(n) => n.name.clone(),
            ExprKind::Field(base, name) => format!("{}.{}", self.expr_at(base, 7), name.name),
            ExprKind::Has(inner) => format!("{}({})", self.kw(Kw::Has), self.expr_at(inner, 0)),
            ExprKind::Set(items) => {
                let items: Vec<String> = items.iter().map(|i| self.expr_at(i, 0)).collect();
                format!("{{{}}}", items.join(", "))
            }
            ExprKind::List(items) => {
                let items: Vec<String> = items.iter().map(|i| self.expr_at(i, 0)).collect();
                format!("[{}]", items.join(", "))
            }
            ExprKind::Duration(amount, unit) => {
                let one = *amount == 1 && self.lang == Lang::En;
                let word = match (unit, one) {
                    (TimeUnit::Days, true) => "day",
                    (TimeUnit::Hours, true) => "hour",
                    (TimeUnit::Minutes, true) => "minute",
                    (TimeUnit::Days, false) => self.kw(Kw::Days),
                    (TimeUnit::Hours, false) => self.kw(Kw::Hours),
                    (TimeUnit::Minutes, false) => self.kw(Kw::Minutes),
                };
                let number = self.src.first_of(e.span, TokenKind::Number);
                format!("{number} {word}")
            }
            ExprKind::Once(once) => self.once_expr(once),
            ExprKind::Unary(UnaryOp::Not, inner) => {
                format!("{} {}", self.kw(Kw::Not), self.expr_at(inner, 3))
            }
            ExprKind::Binary(op, lhs, rhs) => {
                let p = op_precedence(*op);
                // Comparisons do not chain, so neither side may be another comparison.
                let left_min = if p == 4 { 5 } else { p };
                // Neither side of an operator may be a `once` with `reset by` (see `precedence`).
                format!(
                    "{} {} {}",
                    self.expr_at(lhs, left_min),
                    self.op(*op),
                    self.expr_at(rhs, p + 1)
                )
            }
            ExprKind::Logic(op, operands) => self.operands(*op, operands).join(" "),
            // The parser reported it; the formatter refuses files with errors, so this only
            // keeps the author's words.
            ExprKind::Error => self.src.slice(e.span).to_owned(),
        }
    }

    fn op(&self, op: BinaryOp) -> &'static str {
        match op {
            BinaryOp::In => self.kw(Kw::In),
            other => other.symbol(),
        }
    }

    fn connective(&self, op: LogicOp) -> &'static str {
        match op {
            LogicOp::Or => self.kw(Kw::Or),
            LogicOp::And => self.kw(Kw::And),
        }
    }

    /// A condition as pieces between which a line may break: the operands of its outermost
    /// chain of `and` (or `or`), each after the first led by its operator.
    pub(crate) fn chunks(&self, e: &Expr) -> Vec<String> {
        let ExprKind::Logic(op, operands) = &e.kind else {
            return vec![self.expr(e)];
        };
        if self.src.wrapped(e.span) {
            return vec![self.expr(e)];
        }
        self.operands(*op, operands)
    }

    /// The operands of a chain, each after the first led by its connective. An operand of
    /// the same connective is a chain the author parenthesised; any other operand binding no
    /// tighter than the chain needs parentheses too.
    fn operands(&self, op: LogicOp, operands: &[Expr]) -> Vec<String> {
        let p = logic_precedence(op);
        operands
            .iter()
            .enumerate()
            .map(|(i, operand)| {
                let text = self.expr_at(operand, p + 1);
                if i == 0 {
                    text
                } else {
                    format!("{} {text}", self.connective(op))
                }
            })
            .collect()
    }

    /// `once EVENT x [where COND] [within D] before [reset by EVENT y [where COND]]…` on one
    /// line (`曾经 … [D 以内] 之前 [重置于 …]…`).
    fn once_expr(&self, once: &OnceRequirement) -> String {
        let mut text = format!("{} {}", self.kw(Kw::Once), self.pattern_text(&once.pattern));
        if let Some(d) = &once.within {
            match self.lang {
                Lang::En => text.push_str(&format!(" within {}", self.duration(d))),
                Lang::Zh => text.push_str(&format!(" {} 以内", self.duration(d))),
            }
        }
        text.push(' ');
        text.push_str(self.kw(Kw::Before));
        for reset in &once.resets {
            text.push_str(&format!(
                " {} {}",
                self.kw(Kw::ResetBy),
                self.pattern_text(reset)
            ));
        }
        text
    }

    /// `EVENT x [where COND]` on one line.
    fn pattern_text(&self, p: &EventPattern) -> String {
        let mut text = format!("{} {}", p.event.name, p.binding.name);
        if let Some(condition) = &p.condition {
            text.push_str(&format!(" {} {}", self.kw(Kw::Where), self.expr(condition)));
        }
        text
    }

    /// `30 days`, `1 working day`, `3 年`.
    pub(crate) fn duration(&self, d: &Duration) -> String {
        let one = matches!(d.amount.kind, ExprKind::Int(1)) && self.lang == Lang::En;
        let unit = match (d.unit, one) {
            (DurationUnit::Days, true) => "day",
            (DurationUnit::WorkingDays, true) => "working day",
            (DurationUnit::Years, true) => "year",
            (DurationUnit::Days, false) => self.kw(Kw::Days),
            (DurationUnit::WorkingDays, false) => self.kw(Kw::WorkingDays),
            (DurationUnit::Years, false) => self.kw(Kw::Years),
        };
        format!("{} {unit}", self.expr_at(&d.amount, 0))
    }
}
