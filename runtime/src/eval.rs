//! Evaluation of IR expressions over the events and values bound to a rule's slots.
//!
//! Evaluation neither allocates nor looks names up: fields are read by index and values are
//! borrowed from the events and the program.
//!
//! Missing values: a field path that leads nowhere (an absent optional field, an unbound slot,
//! or a path through something that is not a record) is *missing*.
//! The compiler only lets rules read optional fields after `has(…)` guards them, so this should
//! not arise, but it is defined all the same: every comparison and every `in` with a missing
//! operand is false (`!=` included), a missing field read as a condition is false, and `not`
//! negates that result as it would any other.
//! Operands of different types (say a string and an integer, or values of two different enums)
//! are likewise never equal, unequal or ordered: those comparisons are false too.

use std::cmp::Ordering;

use crate::event::Event;
use crate::ir::{CmpOp, Expr, Slot, Value};

/// What a slot is bound to.
#[derive(Clone, Copy, Debug, Default)]
pub enum Binding<'a> {
    /// Nothing: reading from it gives a missing value.
    #[default]
    Unbound,
    /// An event, whose fields `Field` paths index.
    Event(&'a Event),
    /// A plain value, such as the key of a `reaches` trigger.
    Value(&'a Value),
}

/// The bindings of a rule's slots while one of its expressions is evaluated: the trigger, the
/// event of a `once` or deadline pattern, and the event of a `reset by` pattern.
#[derive(Clone, Copy, Debug, Default)]
pub struct Env<'a> {
    slots: [Binding<'a>; 3],
}

impl<'a> Env<'a> {
    /// An environment with the trigger slot bound to `event` and the other slots unbound.
    pub fn trigger(event: &'a Event) -> Env<'a> {
        Env::default().with(crate::ir::TRIGGER_SLOT, Binding::Event(event))
    }

    /// This environment with `slot` bound to `binding`; a slot the IR does not have is ignored.
    pub fn with(mut self, slot: Slot, binding: Binding<'a>) -> Env<'a> {
        if let Some(place) = self.slots.get_mut(usize::from(slot)) {
            *place = binding;
        }
        self
    }

    /// What `slot` is bound to.
    pub fn get(&self, slot: Slot) -> Binding<'a> {
        self.slots
            .get(usize::from(slot))
            .copied()
            .unwrap_or_default()
    }
}

/// The value of an expression used as an operand.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Operand<'a> {
    /// The expression read a field that is absent, or a slot that is unbound.
    Missing,
    /// The result of a condition (a comparison, `has`, `not`, `and`, `or`, `in`).
    Bool(bool),
    /// A value borrowed from an event or from the program.
    Value(&'a Value),
}

/// Evaluates an expression as a condition.
pub fn eval_bool<'a>(expr: &'a Expr, env: &Env<'a>) -> bool {
    match expr {
        Expr::Const(value) => matches!(value, Value::Bool(true)),
        Expr::Slot(_) | Expr::Field { .. } => {
            matches!(eval_operand(expr, env), Operand::Value(Value::Bool(true)))
        }
        Expr::Has { slot, path } => read_field(env.get(*slot), path).is_some(),
        Expr::Not(inner) => !eval_bool(inner, env),
        Expr::And(items) => items.iter().all(|item| eval_bool(item, env)),
        Expr::Or(items) => items.iter().any(|item| eval_bool(item, env)),
        Expr::Cmp { op, lhs, rhs } => compare(*op, eval_operand(lhs, env), eval_operand(rhs, env)),
        Expr::In { element, set } => {
            let element = eval_operand(element, env);
            match eval_operand(set, env) {
                Operand::Value(Value::List(items)) => items
                    .iter()
                    .any(|item| compare(CmpOp::Eq, element, Operand::Value(item))),
                _ => false,
            }
        }
    }
}

/// Evaluates an expression as an operand of a comparison or of `in`.
pub fn eval_operand<'a>(expr: &'a Expr, env: &Env<'a>) -> Operand<'a> {
    match expr {
        Expr::Const(value) => Operand::Value(value),
        Expr::Slot(slot) => match env.get(*slot) {
            Binding::Value(value) => Operand::Value(value),
            Binding::Event(_) | Binding::Unbound => Operand::Missing,
        },
        Expr::Field { slot, path } => match read_field(env.get(*slot), path) {
            Some(value) => Operand::Value(value),
            None => Operand::Missing,
        },
        Expr::Has { .. }
        | Expr::Not(_)
        | Expr::And(_)
        | Expr::Or(_)
        | Expr::Cmp { .. }
        | Expr::In { .. } => Operand::Bool(eval_bool(expr, env)),
    }
}

/// Reads a field through a path of record fields; `None` when the path leads nowhere.
///
/// For an event, `path[0]` indexes the event type's fields; for a value, it indexes the fields
/// of that value if it is a record. An empty path reads a bound value itself.
pub fn read_field<'a>(binding: Binding<'a>, path: &[u32]) -> Option<&'a Value> {
    let (mut value, rest) = match binding {
        Binding::Unbound => return None,
        Binding::Event(event) => {
            let (first, rest) = path.split_first()?;
            (event.fields.get(*first as usize)?.as_ref()?, rest)
        }
        Binding::Value(value) => (value, path),
    };
    for &index in rest {
        match value {
            Value::Record(fields) => value = fields.get(index as usize)?.as_ref()?,
            _ => return None,
        }
    }
    Some(value)
}

/// Applies a comparison; false when an operand is missing or the operands are not comparable.
pub fn compare(op: CmpOp, lhs: Operand<'_>, rhs: Operand<'_>) -> bool {
    match ordering(lhs, rhs) {
        Some(Ordering::Less) => matches!(op, CmpOp::Lt | CmpOp::Le | CmpOp::Ne),
        Some(Ordering::Equal) => matches!(op, CmpOp::Eq | CmpOp::Le | CmpOp::Ge),
        Some(Ordering::Greater) => matches!(op, CmpOp::Gt | CmpOp::Ge | CmpOp::Ne),
        None => match (op, equality(lhs, rhs)) {
            (CmpOp::Eq, Some(equal)) => equal,
            (CmpOp::Ne, Some(equal)) => !equal,
            _ => false,
        },
    }
}

fn as_bool(operand: Operand<'_>) -> Option<bool> {
    match operand {
        Operand::Bool(b) => Some(b),
        Operand::Value(Value::Bool(b)) => Some(*b),
        _ => None,
    }
}

/// The order of two scalar operands of the same type; enums order by declaration.
fn ordering(lhs: Operand<'_>, rhs: Operand<'_>) -> Option<Ordering> {
    if let (Some(a), Some(b)) = (as_bool(lhs), as_bool(rhs)) {
        return Some(a.cmp(&b));
    }
    let (Operand::Value(a), Operand::Value(b)) = (lhs, rhs) else {
        return None;
    };
    match (a, b) {
        (Value::Int(a), Value::Int(b)) | (Value::Time(a), Value::Time(b)) => Some(a.cmp(b)),
        (Value::Str(a), Value::Str(b)) => Some(a.as_str().cmp(b.as_str())),
        (Value::Enum(e1, a), Value::Enum(e2, b)) if e1 == e2 => Some(a.cmp(b)),
        (Value::Date(a), Value::Date(b)) => Some(a.cmp(b)),
        _ => None,
    }
}

/// Equality of two composite operands (records, lists) of the same kind.
fn equality(lhs: Operand<'_>, rhs: Operand<'_>) -> Option<bool> {
    let (Operand::Value(a), Operand::Value(b)) = (lhs, rhs) else {
        return None;
    };
    match (a, b) {
        (Value::Record(_), Value::Record(_)) | (Value::List(_), Value::List(_)) => Some(a == b),
        _ => None,
    }
}
