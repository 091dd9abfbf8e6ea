//! Operators and literals: `and`, `or`, comparisons, `in`, and set and list literals.

use std::collections::HashSet;

use edict_grammar::ast::{self, BinaryOp, LogicOp, Span};
use edict_runtime::ir;

use super::{Checker, facts_of};
use crate::diagnostic::Code;
use crate::types::{Ty, a};
use edict_grammar::tr;

impl Checker<'_> {
    /// `{a, b}` (a set: duplicates dropped) or, with `list`, `[a, b]` (kept as written).
    pub(super) fn set_literal(
        &mut self,
        items: &[ast::Expr],
        expected: Option<&Ty>,
        list: bool,
    ) -> (ir::Expr, Ty) {
        let (kind, kind_zh) = if list {
            ("list", "列表")
        } else {
            ("set", "集合")
        };
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
                    let (want, got) = (self.vocab.show(want), a(&self.vocab.show(&ty)));
                    let (want_en, want_zh, got_en, got_zh) = (&want.en, &want.zh, &got.en, &got.zh);
                    self.error(
                        Code::TypeMismatch,
                        item.span,
                        tr!(
                            "a {kind} of {want_en} cannot hold {got_en}",
                            "{want_zh}{kind_zh}不能存放{got_zh}"
                        ),
                    )
                    .set_label(tr!("expected a {want_en}", "这里需要{want_zh}"))
                    .help = Some(tr!(
                        "every element of a {kind} has the same type",
                        "{kind_zh}的所有元素类型相同"
                    ));
                }
                None => elem_ty = Some(ty),
                _ => {}
            }
            match expr {
                ir::Expr::Const(v) => {
                    if list || seen.insert(v.clone()) {
                        values.push(v);
                    }
                }
                _ => {
                    self.error(
                        Code::TypeMismatch,
                        item.span,
                        tr!(
                            "elements of a {kind} literal must be fixed values",
                            "{kind_zh}字面量的元素必须是固定的值"
                        ),
                    )
                    .set_label(tr!("this depends on the event", "这取决于事件"))
                    .help = Some(tr!(
                        "write literals or enum values, or compare fields with `==`",
                        "写字面量或枚举值，或用`==`比较字段"
                    ));
                }
            }
        }
        let elem_ty = Box::new(elem_ty.unwrap_or(Ty::Error));
        (
            ir::Expr::Const(ir::Value::List(values)),
            if list {
                Ty::List(elem_ty)
            } else {
                Ty::Set(elem_ty)
            },
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
            _ if op.is_arithmetic() => self.arith(op, lhs, rhs, span),
            BinaryOp::In => {
                let (element, elem_ty) = self.infer(lhs, None);
                let want_set = Ty::Set(Box::new(elem_ty.clone()));
                let (set, set_ty) = self.infer(rhs, Some(&want_set));
                match set_ty.element() {
                    Some(t) if t.accepts(&elem_ty) => {}
                    _ if set_ty == Ty::Error || elem_ty == Ty::Error => {}
                    _ => {
                        let shown_e = self.vocab.show(&elem_ty);
                        let (a_e, a_s) = (a(&shown_e), a(&self.vocab.show(&set_ty)));
                        let (e_en, e_zh, s_en, s_zh) = (&a_e.en, &a_e.zh, &a_s.en, &a_s.zh);
                        let (elem_en, elem_zh) = (&shown_e.en, &shown_e.zh);
                        self.error(
                            Code::TypeMismatch,
                            span,
                            tr!(
                                "cannot look for {e_en} in {s_en}",
                                "无法在{s_zh}中查找{e_zh}"
                            ),
                        )
                        .set_label(tr!(
                            "`in` needs a set or list of {elem_en} on its right",
                            "`属于`的右边需要{elem_zh}的集合或列表"
                        ))
                        .help = Some(tr!(
                            "write `x in {{a, b}}` or `x in e.list_field`",
                            "写作`x 属于 {{a, b}}`或`x 属于 e.list_field`"
                        ));
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
                    // The literal side, as written, for an example of the fix.
                    let literal = |e: &ast::Expr| match &e.kind {
                        ast::ExprKind::Int(i) => Some(i.to_string()),
                        ast::ExprKind::Str(s) => Some(s.clone()),
                        _ => None,
                    };
                    let written = literal(rhs).or_else(|| literal(lhs));
                    let hint = match (&lt, &rt) {
                        // A string field compared with a number: the number needs quotes.
                        (Ty::Str, Ty::Int) | (Ty::Int, Ty::Str)
                            if matches!(
                                (&lhs.kind, &rhs.kind),
                                (_, ast::ExprKind::Int(_)) | (ast::ExprKind::Int(_), _)
                            ) =>
                        {
                            let n = written.unwrap_or_else(|| "3".into());
                            tr!(
                                "this field holds text: write the value in quotes, `\"{n}\"`",
                                "这个字段存放的是文本：把值写在引号里，`\"{n}\"`"
                            )
                        }
                        (Ty::Int, Ty::Str) | (Ty::Str, Ty::Int) => {
                            let n = written.unwrap_or_else(|| "14".into());
                            tr!(
                                "numbers are written without quotes: `{n}`, not `\"{n}\"`",
                                "数字不加引号：写`{n}`，不写`\"{n}\"`"
                            )
                        }
                        (Ty::Enum(e), Ty::Str) | (Ty::Str, Ty::Enum(e)) => {
                            let values = &self.vocab.enums[*e as usize].values;
                            let (en, zh) = (values.join(", "), values.join("、"));
                            tr!(
                                "enum values are written without quotes: use one of {en}",
                                "枚举值不加引号：使用{zh}之一"
                            )
                        }
                        _ => tr!(
                            "both sides of a comparison must have the same type",
                            "比较的两边必须是同一类型"
                        ),
                    };
                    let symbol = cmp.symbol();
                    let (left_en, left_zh, right_en, right_zh) =
                        (&left.en, &left.zh, &right.en, &right.zh);
                    self.error(
                        Code::TypeMismatch,
                        span,
                        tr!(
                            "cannot compare {left_en} with {right_en}",
                            "无法比较{left_zh}与{right_zh}"
                        ),
                    )
                    .set_label(tr!(
                        "`{symbol}` has {left_en} on its left and {right_en} on its right",
                        "`{symbol}`左边是{left_zh}，右边是{right_zh}"
                    ))
                    .help = Some(hint);
                } else if !matches!(op, ir::CmpOp::Eq | ir::CmpOp::Ne) && !lt.is_ordered() {
                    let (symbol, shown) = (cmp.symbol(), a(&self.vocab.show(&lt)));
                    let (shown_en, shown_zh) = (&shown.en, &shown.zh);
                    self.error(
                        Code::TypeMismatch,
                        span,
                        tr!(
                            "`{symbol}` does not apply to {shown_en}",
                            "`{symbol}`不适用于{shown_zh}"
                        ),
                    )
                    .set_label(tr!(
                        "only numbers, dates, times and durations are ordered",
                        "只有数字、日期、时间和时长可以比较大小"
                    ))
                    .help = Some(tr!("use `==` or `!=`", "使用`==`或`!=`"));
                } else if matches!(lt, Ty::Record(_) | Ty::List(_) | Ty::Set(_)) {
                    let shown = a(&self.vocab.show(&lt));
                    let (shown_en, shown_zh) = (&shown.en, &shown.zh);
                    self.error(
                        Code::TypeMismatch,
                        span,
                        tr!(
                            "{shown_en} cannot be compared as a whole",
                            "{shown_zh}不能整体比较"
                        ),
                    )
                    .set_label(tr!(
                        "compare one of its fields instead",
                        "请比较它的某个字段"
                    ))
                    .help = Some(tr!(
                        "e.g. `e.record.field == value`",
                        "如`e.record.field == value`"
                    ));
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
