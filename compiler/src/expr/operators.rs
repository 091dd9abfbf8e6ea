//! Operators and literals: `and`, `or`, comparisons, `in`, and set literals.

use std::collections::HashSet;

use edict_grammar::ast::{self, BinaryOp, LogicOp, Span};
use edict_runtime::ir;

use super::{Checker, facts_of};
use crate::diagnostic::Code;
use crate::types::{Ty, a};

impl Checker<'_> {
    pub(super) fn set_literal(
        &mut self,
        items: &[ast::Expr],
        expected: Option<&Ty>,
    ) -> (ir::Expr, Ty) {
        let mut elem_ty = expected.and_then(Ty::element).cloned();
        // Type a non-enum-name element first, so bare enum names learn their enum.
        if elem_ty.is_none()
            && let Some(first) = items.iter().find(|i| !self.is_enum_candidate(i))
        {
            elem_ty = Some(self.infer(first, None).1);
        }
        let mut values: Vec<ir::Value> = Vec::new();
        let mut seen: HashSet<ir::Value> = HashSet::new();
        for item in items {
            let (expr, ty) = self.infer(item, elem_ty.as_ref());
            match &elem_ty {
                Some(want) if !want.accepts(&ty) => {
                    let (want, got) = (self.vocab.show(want), self.vocab.show(&ty));
                    self.error(
                        Code::TypeMismatch,
                        item.span,
                        format!("a set of {want} cannot hold {}", a(&got)),
                    )
                    .set_label(format!("expected a {want}"))
                    .help = Some("every element of a set has the same type".into());
                }
                None => elem_ty = Some(ty),
                _ => {}
            }
            match expr {
                ir::Expr::Const(v) => {
                    if seen.insert(v.clone()) {
                        values.push(v);
                    }
                }
                _ => {
                    self.error(
                        Code::TypeMismatch,
                        item.span,
                        "elements of a set literal must be fixed values",
                    )
                    .set_label("this depends on the event")
                    .help =
                        Some("write literals or enum values, or compare fields with `==`".into());
                }
            }
        }
        (
            ir::Expr::Const(ir::Value::List(values)),
            Ty::Set(Box::new(elem_ty.unwrap_or(Ty::Error))),
        )
    }

    /// A chain of `and` or `or`, checked operand by operand: the fields an operand of an
    /// `and` proves present (`has(…)`) are known in the operands after it. Nested chains of the
    /// same connective are flattened.
    pub(super) fn logic(&mut self, op: LogicOp, operands: &[ast::Expr]) -> ir::Expr {
        let facts_before = self.facts.len();
        let mut parts = Vec::with_capacity(operands.len());
        for operand in operands {
            let part = self.condition(operand);
            if op == LogicOp::And {
                self.facts.extend(facts_of(&part));
            }
            match (op, part) {
                (LogicOp::And, ir::Expr::And(inner)) | (LogicOp::Or, ir::Expr::Or(inner)) => {
                    parts.extend(inner);
                }
                (_, other) => parts.push(other),
            }
        }
        self.facts.truncate(facts_before);
        match op {
            LogicOp::And => ir::Expr::And(parts),
            LogicOp::Or => ir::Expr::Or(parts),
        }
    }

    pub(super) fn binary(
        &mut self,
        op: BinaryOp,
        lhs: &ast::Expr,
        rhs: &ast::Expr,
        span: Span,
    ) -> (ir::Expr, Ty) {
        match op {
            BinaryOp::In => {
                let (element, elem_ty) = self.infer(lhs, None);
                let want_set = Ty::Set(Box::new(elem_ty.clone()));
                let (set, set_ty) = self.infer(rhs, Some(&want_set));
                match set_ty.element() {
                    Some(t) if t.accepts(&elem_ty) => {}
                    _ if set_ty == Ty::Error || elem_ty == Ty::Error => {}
                    _ => {
                        let shown_e = self.vocab.show(&elem_ty);
                        let shown_s = self.vocab.show(&set_ty);
                        self.error(
                            Code::TypeMismatch,
                            span,
                            format!("cannot look for {} in {}", a(&shown_e), a(&shown_s)),
                        )
                        .set_label(format!(
                            "`in` needs a set or list of {shown_e} on its right"
                        ))
                        .help = Some("write `x in {a, b}` or `x in e.list_field`".into());
                    }
                }
                (
                    ir::Expr::In {
                        element: Box::new(element),
                        set: Box::new(set),
                    },
                    Ty::Bool,
                )
            }
            cmp => {
                let (l, lt, r, rt) = if self.is_enum_candidate(lhs) && !self.is_enum_candidate(rhs)
                {
                    let (r, rt) = self.infer(rhs, None);
                    let (l, lt) = self.infer(lhs, Some(&rt));
                    (l, lt, r, rt)
                } else {
                    let (l, lt) = self.infer(lhs, None);
                    let (r, rt) = self.infer(rhs, Some(&lt));
                    (l, lt, r, rt)
                };
                let op = match cmp {
                    BinaryOp::Eq => ir::CmpOp::Eq,
                    BinaryOp::Ne => ir::CmpOp::Ne,
                    BinaryOp::Lt => ir::CmpOp::Lt,
                    BinaryOp::Le => ir::CmpOp::Le,
                    BinaryOp::Gt => ir::CmpOp::Gt,
                    _ => ir::CmpOp::Ge,
                };
                if !lt.accepts(&rt) {
                    let (left, right) = (a(&self.vocab.show(&lt)), a(&self.vocab.show(&rt)));
                    let hint = match (&lt, &rt) {
                        (Ty::Int, Ty::Str) | (Ty::Str, Ty::Int) => {
                            "numbers are written without quotes: `14`, not `\"14\"`".to_string()
                        }
                        (Ty::Enum(e), Ty::Str) | (Ty::Str, Ty::Enum(e)) => format!(
                            "enum values are written without quotes: use one of {}",
                            self.vocab.enums[*e as usize].values.join(", ")
                        ),
                        _ => "both sides of a comparison must have the same type".to_string(),
                    };
                    self.error(
                        Code::TypeMismatch,
                        span,
                        format!("cannot compare {left} with {right}"),
                    )
                    .set_label(format!(
                        "`{}` has {left} on its left and {right} on its right",
                        cmp.symbol(),
                    ))
                    .help = Some(hint);
                } else if !matches!(op, ir::CmpOp::Eq | ir::CmpOp::Ne) && !lt.is_ordered() {
                    self.error(
                        Code::TypeMismatch,
                        span,
                        format!(
                            "`{}` does not apply to {}",
                            cmp.symbol(),
                            a(&self.vocab.show(&lt))
                        ),
                    )
                    .set_label("only numbers, dates, times and durations are ordered")
                    .help = Some("use `==` or `!=`".into());
                } else if matches!(lt, Ty::Record(_) | Ty::List(_) | Ty::Set(_)) {
                    self.error(
                        Code::TypeMismatch,
                        span,
                        format!("{} cannot be compared as a whole", a(&self.vocab.show(&lt))),
                    )
                    .set_label("compare one of its fields instead")
                    .help = Some("e.g. `e.record.field == value`".into());
                }
                (
                    ir::Expr::Cmp {
                        op,
                        lhs: Box::new(l),
                        rhs: Box::new(r),
                    },
                    Ty::Bool,
                )
            }
        }
    }
}
