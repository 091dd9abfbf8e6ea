//! Time and arithmetic: an event's `time`, the parts of a time (`.hour`, `.minute`, `.weekday`,
//! `.date`, read in the regulation's time zone), duration literals (`2 hours`), and `+ - * / %`.
//!
//! Arithmetic works on ints; durations add to durations and scale by ints; a time plus or minus
//! a duration is a time, and one time less another is the duration between them. Operations on
//! fixed values are done here, so `FILING_THRESHOLD + 1` is a constant.

use edict_grammar::ast::{self, BinaryOp, ExprKind, Span, TimeUnit};
use edict_runtime::ir::{self, TimePart};

use super::{Checker, VarKind, poisoned};
use crate::diagnostic::Code;
use crate::types::{Ty, a};
use edict_grammar::tr;

/// The part of a time a field name after a time stands for.
fn time_part(name: &str) -> Option<TimePart> {
    Some(match name {
        "hour" => TimePart::Hour,
        "minute" => TimePart::Minute,
        "weekday" => TimePart::Weekday,
        "date" => TimePart::Date,
        _ => return None,
    })
}

/// The envelope key every event has: its time.
const TIME: &str = "time";

impl Checker<'_> {
    /// `base.name`: a field of an event or record, an event's `time`, or a part of a time.
    pub(super) fn field_expr(&mut self, e: &ast::Expr) -> (ir::Expr, Ty) {
        let ExprKind::Field(base, name) = &e.kind else {
            return (poisoned(), Ty::Error);
        };
        if self.peek_path(e).is_none() {
            if let Some(part) = time_part(&name.name) {
                let base_is_time = match self.peek_path(base) {
                    Some(ty) => ty == Ty::Time,
                    // Not a declared field: a computed time, or an event's own `time`.
                    None => !self.is_var_path(base) || self.event_time_slot(base).is_some(),
                };
                if base_is_time {
                    let (time, ty) = self.infer(base, None);
                    let part_ty = if part == TimePart::Date {
                        Ty::Date
                    } else {
                        Ty::Int
                    };
                    if !Ty::Time.accepts(&ty) {
                        let (shown, part) = (a(&self.vocab.show(&ty)), part.name());
                        let (shown_en, shown_zh) = (&shown.en, &shown.zh);
                        self.error(
                            Code::TypeMismatch,
                            name.span,
                            tr!(
                                "`.{part}` is a part of a time, but this is {shown_en}",
                                "`.{part}`是时间的组成部分，但这是{shown_zh}"
                            ),
                        )
                        .set_label(tr!("not a time", "不是时间"))
                        .help = Some(tr!(
                            "write it after a time, as in `e.time.hour`",
                            "写在时间之后，如`e.time.hour`"
                        ));
                        return (poisoned(), Ty::Error);
                    }
                    return (
                        ir::Expr::TimePart {
                            part,
                            time: Box::new(time),
                        },
                        part_ty,
                    );
                }
            }
            if let Some(slot) = self.event_time_slot(e) {
                return (ir::Expr::EventTime(slot), Ty::Time);
            }
        }
        match self.field(e, true) {
            Some(access) => {
                if access.slot == ir::TRIGGER_SLOT {
                    self.note_evidence(&access);
                }
                (
                    ir::Expr::Field {
                        slot: access.slot,
                        path: access.path,
                    },
                    access.ty,
                )
            }
            None => (poisoned(), Ty::Error),
        }
    }

    /// The slot of `x` when `e` is `x.time` for an event variable `x` whose type declares no
    /// field named `time` (one that does holds the same time, read as a field).
    fn event_time_slot(&self, e: &ast::Expr) -> Option<ir::Slot> {
        let ExprKind::Field(base, name) = &e.kind else {
            return None;
        };
        let ExprKind::Name(var) = &base.kind else {
            return None;
        };
        if name.name != TIME {
            return None;
        }
        let var = self.lookup_var(&var.name)?;
        match var.kind {
            VarKind::Event(_) | VarKind::AnyEvent => Some(var.slot),
            VarKind::Key(_) | VarKind::Unknown => None,
        }
    }

    /// Whether `e` is a variable followed by field names.
    fn is_var_path(&self, e: &ast::Expr) -> bool {
        let mut base = e;
        while let ExprKind::Field(inner, _) = &base.kind {
            base = inner;
        }
        matches!(&base.kind, ExprKind::Name(n) if self.lookup_var(&n.name).is_some())
    }

    /// The type of a declared field path `x.a.b`, without reporting anything; `None` when `e`
    /// is not one.
    fn peek_path(&self, e: &ast::Expr) -> Option<Ty> {
        let mut chain = Vec::new();
        let mut base = e;
        while let ExprKind::Field(inner, name) = &base.kind {
            chain.push(name.name.as_str());
            base = inner;
        }
        chain.reverse();
        let ExprKind::Name(var) = &base.kind else {
            return None;
        };
        let var = self.lookup_var(&var.name)?;
        let mut fields = match var.kind {
            VarKind::Event(id) => &self.vocab.events.get(id as usize)?.fields,
            VarKind::AnyEvent => &self.vocab.common,
            VarKind::Key(_) | VarKind::Unknown => return None,
        };
        let mut ty = None;
        for name in chain {
            if let Some(Ty::Record(r)) = &ty {
                fields = &self.vocab.records.get(*r as usize)?.fields;
            } else if ty.is_some() {
                return None;
            }
            ty = Some(fields.iter().find(|f| f.name == name)?.ty.clone());
        }
        ty
    }

    /// `30 days`, `2 hours`, `15 minutes`: a fixed duration, in seconds.
    pub(super) fn duration_literal(
        &mut self,
        amount: i64,
        unit: TimeUnit,
        span: Span,
    ) -> (ir::Expr, Ty) {
        match amount.checked_mul(unit.seconds()) {
            Some(seconds) => (ir::Expr::Const(ir::Value::Int(seconds)), Ty::Duration),
            None => {
                self.error(
                    Code::BadArithmetic,
                    span,
                    tr!("this duration is too long", "这个时长太长了"),
                )
                .set_label(tr!(
                    "more seconds than a number holds",
                    "秒数超出了数字的范围"
                ));
                (poisoned(), Ty::Error)
            }
        }
    }

    /// `a + b`, `a - b`, `a * b`, `a / b`, `a % b`.
    pub(super) fn arith(
        &mut self,
        op: BinaryOp,
        lhs: &ast::Expr,
        rhs: &ast::Expr,
        span: Span,
    ) -> (ir::Expr, Ty) {
        let (l, lt) = self.infer(lhs, None);
        let (r, rt) = self.infer(rhs, None);
        let ir_op = match op {
            BinaryOp::Add => ir::ArithOp::Add,
            BinaryOp::Sub => ir::ArithOp::Sub,
            BinaryOp::Mul => ir::ArithOp::Mul,
            BinaryOp::Div => ir::ArithOp::Div,
            _ => ir::ArithOp::Rem,
        };
        use ir::ArithOp::{Add, Div, Mul, Sub};
        let ty = match (ir_op, &lt, &rt) {
            (_, Ty::Error, _) | (_, _, Ty::Error) => Ty::Error,
            (_, Ty::Int, Ty::Int) => Ty::Int,
            (Add | Sub, Ty::Duration, Ty::Duration)
            | (Mul, Ty::Duration, Ty::Int)
            | (Mul, Ty::Int, Ty::Duration)
            | (Div, Ty::Duration, Ty::Int) => Ty::Duration,
            (Add, Ty::Time, Ty::Duration)
            | (Add, Ty::Duration, Ty::Time)
            | (Sub, Ty::Time, Ty::Duration) => Ty::Time,
            (Sub, Ty::Time, Ty::Time) => Ty::Duration,
            _ => {
                let (left, right) = (a(&self.vocab.show(&lt)), a(&self.vocab.show(&rt)));
                let (symbol, left_en, left_zh, right_en, right_zh) =
                    (op.symbol(), &left.en, &left.zh, &right.en, &right.zh);
                self.error(
                    Code::TypeMismatch,
                    span,
                    tr!(
                        "cannot apply `{symbol}` to {left_en} and {right_en}",
                        "无法对{left_zh}和{right_zh}使用`{symbol}`"
                    ),
                )
                .set_label(tr!(
                    "`{symbol}` has {left_en} on its left and {right_en} on its right",
                    "`{symbol}`左边是{left_zh}，右边是{right_zh}"
                ))
                .help = Some(tr!(
                    "arithmetic works on ints; a time plus or minus a duration (`e.time + 2 hours`) is a time, one time less another (`e.time - a.time`) is a duration, and a number of days is a duration as `n * 1 days`",
                    "算术运算用于整数；时间加减时长（`e.time + 2 hours`）得到时间，两个时间相减（`e.time - a.time`）得到时长，天数写作`n * 1 days`即为时长"
                ));
                return (poisoned(), Ty::Error);
            }
        };
        if let (ir::Expr::Const(ir::Value::Int(x)), ir::Expr::Const(ir::Value::Int(y))) = (&l, &r) {
            let folded = match ir_op {
                Add => x.checked_add(*y),
                Sub => x.checked_sub(*y),
                Mul => x.checked_mul(*y),
                Div => x.checked_div(*y),
                ir::ArithOp::Rem => x.checked_rem(*y),
            };
            return match folded {
                Some(value) => (ir::Expr::Const(ir::Value::Int(value)), ty),
                None => {
                    let (label, label_zh) = if *y == 0 && matches!(ir_op, Div | ir::ArithOp::Rem) {
                        ("division by zero", "除以零")
                    } else {
                        (
                            "the result is too large for a number",
                            "结果超出了数字的范围",
                        )
                    };
                    let symbol = op.symbol();
                    self.error(
                        Code::BadArithmetic,
                        span,
                        tr!(
                            "`{symbol}` on these fixed values has no result",
                            "对这些固定值使用`{symbol}`没有结果"
                        ),
                    )
                    .set_label(tr!("{label}", "{label_zh}"));
                    (poisoned(), Ty::Error)
                }
            };
        }
        (
            ir::Expr::Arith {
                op: ir_op,
                lhs: Box::new(l),
                rhs: Box::new(r),
            },
            ty,
        )
    }
}
