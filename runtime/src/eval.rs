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
//!
//! Computed values (arithmetic, an event's time, the parts of a time) are small scalars carried
//! by value; an arithmetic overflow, a division by zero or a time outside the calendar gives a
//! missing value. The parts of a time (hour, minute, weekday, date) are read in the time zone
//! the environment carries (the regulation's); without one they are missing.
//! A `once` condition ([`Expr::Once`]) is not evaluated here: the engine decides it against its
//! memory of past events before evaluating the rule, and passes the results in the environment.

use std::cmp::Ordering;

use jiff::Timestamp;
use jiff::tz::TimeZone;

use crate::calendar;
use crate::event::Event;
use crate::ir::{ArithOp, CmpOp, Date, Expr, Slot, TimePart, Value};

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
    /// What a slim copy keeps of an event: its time and its fields (indexed like the event's;
    /// those not kept are absent or past the end).
    Fields {
        time: i64,
        fields: &'a [Option<Value>],
    },
}

/// The bindings of a rule's slots while one of its expressions is evaluated: the trigger, the
/// event of a `once` or deadline pattern, and the event of a `reset by` pattern; the time zone
/// in which the parts of a time are read; and the results of the rule's `once` conditions.
#[derive(Clone, Copy, Debug, Default)]
pub struct Env<'a> {
    slots: [Binding<'a>; 3],
    zone: Option<&'a TimeZone>,
    /// Bit `i` is the result of the rule's `once` condition `i`.
    onces: u64,
}

/// How many `once` conditions one rule may hold: the bits of [`Env`]'s results.
pub const MAX_ONCE_CONDITIONS: usize = 64;

impl<'a> Env<'a> {
    /// An environment with the trigger slot bound to `event` and the other slots unbound.
    pub fn trigger(event: &'a Event) -> Env<'a> {
        Env::default().with(crate::ir::TRIGGER_SLOT, Binding::Event(event))
    }

    /// This environment reading the parts of times in `zone`.
    pub fn in_zone(mut self, zone: &'a TimeZone) -> Env<'a> {
        self.zone = Some(zone);
        self
    }

    /// This environment with the results of the rule's `once` conditions, bit `i` for
    /// condition `i`.
    pub fn with_onces(mut self, results: u64) -> Env<'a> {
        self.onces = results;
        self
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
    /// A computed integer or duration (in seconds).
    Int(i64),
    /// A computed time, as Unix seconds.
    Time(i64),
    /// A computed date.
    Date(Date),
}

/// A scalar operand, whether borrowed or computed.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Scalar {
    Int(i64),
    Time(i64),
    Date(Date),
}

fn scalar(operand: Operand<'_>) -> Option<Scalar> {
    match operand {
        Operand::Int(i) => Some(Scalar::Int(i)),
        Operand::Time(t) => Some(Scalar::Time(t)),
        Operand::Date(d) => Some(Scalar::Date(d)),
        Operand::Value(Value::Int(i)) => Some(Scalar::Int(*i)),
        Operand::Value(Value::Time(t)) => Some(Scalar::Time(*t)),
        Operand::Value(Value::Date(d)) => Some(Scalar::Date(*d)),
        _ => None,
    }
}

impl<'a> Operand<'a> {
    /// The operand as a value: borrowed when it was read, owned when it was computed; `None`
    /// when it is missing or a condition's result.
    pub fn into_value(self) -> Option<std::borrow::Cow<'a, Value>> {
        use std::borrow::Cow;
        match self {
            Operand::Value(value) => Some(Cow::Borrowed(value)),
            Operand::Int(i) => Some(Cow::Owned(Value::Int(i))),
            Operand::Time(t) => Some(Cow::Owned(Value::Time(t))),
            Operand::Date(d) => Some(Cow::Owned(Value::Date(d))),
            Operand::Missing | Operand::Bool(_) => None,
        }
    }
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
        Expr::Once(index) => *index < 64 && env.onces & (1u64 << index) != 0,
        Expr::EventTime(_) | Expr::TimePart { .. } | Expr::Arith { .. } => false,
    }
}

/// Evaluates an expression as an operand of a comparison or of `in`.
pub fn eval_operand<'a>(expr: &'a Expr, env: &Env<'a>) -> Operand<'a> {
    match expr {
        Expr::Const(value) => Operand::Value(value),
        Expr::Slot(slot) => match env.get(*slot) {
            Binding::Value(value) => Operand::Value(value),
            Binding::Event(_) | Binding::Fields { .. } | Binding::Unbound => Operand::Missing,
        },
        Expr::Field { slot, path } => match read_field(env.get(*slot), path) {
            Some(value) => Operand::Value(value),
            None => Operand::Missing,
        },
        Expr::EventTime(slot) => match env.get(*slot) {
            Binding::Event(event) => Operand::Time(event.time),
            Binding::Fields { time, .. } => Operand::Time(time),
            Binding::Value(_) | Binding::Unbound => Operand::Missing,
        },
        Expr::TimePart { part, time } => match scalar(eval_operand(time, env)) {
            Some(Scalar::Time(t)) => time_part(*part, t, env.zone),
            _ => Operand::Missing,
        },
        Expr::Arith { op, lhs, rhs } => arith(*op, eval_operand(lhs, env), eval_operand(rhs, env)),
        Expr::Has { .. }
        | Expr::Not(_)
        | Expr::And(_)
        | Expr::Or(_)
        | Expr::Cmp { .. }
        | Expr::In { .. }
        | Expr::Once(_) => Operand::Bool(eval_bool(expr, env)),
    }
}

/// A part of the time `t` (Unix seconds) in `zone`.
fn time_part<'a>(part: TimePart, t: i64, zone: Option<&TimeZone>) -> Operand<'a> {
    let (Some(zone), Ok(instant)) = (zone, Timestamp::from_second(t)) else {
        return Operand::Missing;
    };
    let local = t + i64::from(zone.to_offset(instant).seconds());
    let day = local.div_euclid(86_400);
    let second_of_day = local.rem_euclid(86_400);
    match part {
        TimePart::Hour => Operand::Int(second_of_day / 3_600),
        TimePart::Minute => Operand::Int(second_of_day % 3_600 / 60),
        // 1970-01-01 was a Thursday, day 4 of the ISO week.
        TimePart::Weekday => Operand::Int((day + 3).rem_euclid(7) + 1),
        TimePart::Date => calendar::date_of(day).map_or(Operand::Missing, Operand::Date),
    }
}

/// Integer arithmetic, and times shifted by durations; `None` cases give a missing value.
fn arith<'a>(op: ArithOp, lhs: Operand<'a>, rhs: Operand<'a>) -> Operand<'a> {
    let (Some(a), Some(b)) = (scalar(lhs), scalar(rhs)) else {
        return Operand::Missing;
    };
    let result = match (a, b) {
        (Scalar::Int(a), Scalar::Int(b)) => match op {
            ArithOp::Add => a.checked_add(b),
            ArithOp::Sub => a.checked_sub(b),
            ArithOp::Mul => a.checked_mul(b),
            ArithOp::Div => a.checked_div(b),
            ArithOp::Rem => a.checked_rem(b),
        }
        .map(Operand::Int),
        (Scalar::Time(t), Scalar::Int(d)) => match op {
            ArithOp::Add => t.checked_add(d).map(Operand::Time),
            ArithOp::Sub => t.checked_sub(d).map(Operand::Time),
            _ => None,
        },
        (Scalar::Int(d), Scalar::Time(t)) if op == ArithOp::Add => {
            t.checked_add(d).map(Operand::Time)
        }
        (Scalar::Time(a), Scalar::Time(b)) if op == ArithOp::Sub => {
            a.checked_sub(b).map(Operand::Int)
        }
        _ => None,
    };
    result.unwrap_or(Operand::Missing)
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
        Binding::Fields { fields, .. } => {
            let (first, rest) = path.split_first()?;
            (fields.get(*first as usize)?.as_ref()?, rest)
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
    // Values read from events and the program: the common case, decided without conversion.
    if let (Operand::Value(a), Operand::Value(b)) = (lhs, rhs) {
        return match (a, b) {
            (Value::Int(a), Value::Int(b)) | (Value::Time(a), Value::Time(b)) => Some(a.cmp(b)),
            (Value::Str(a), Value::Str(b)) => Some(a.as_str().cmp(b.as_str())),
            (Value::Enum(e1, a), Value::Enum(e2, b)) if e1 == e2 => Some(a.cmp(b)),
            (Value::Date(a), Value::Date(b)) => Some(a.cmp(b)),
            _ => None,
        };
    }
    match (scalar(lhs), scalar(rhs)) {
        (Some(Scalar::Int(a)), Some(Scalar::Int(b)))
        | (Some(Scalar::Time(a)), Some(Scalar::Time(b))) => Some(a.cmp(&b)),
        (Some(Scalar::Date(a)), Some(Scalar::Date(b))) => Some(a.cmp(&b)),
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
