//! Expression semantics, including what happens when a field is missing.

mod common;

use common::*;
use edict_runtime::eval::{Binding, Env, eval_bool};
use edict_runtime::ir::{CmpOp, Expr, Value};
use edict_runtime::{Decoder, Event};

#[expect(clippy::unwrap_used, reason = "a test helper: a panic fails the test")]
fn loan(extra: &str) -> Event {
    let line = format!(
        r#"{{"type":"loan","time":"2025-03-02T10:00:00+09:00","processor":"main","subject":"m-1","kind":"book","due":"2025-03-30"{extra}}}"#
    );
    Decoder::new(&vocabulary()).unwrap().decode(&line).unwrap()
}

fn holds(expr: &Expr, event: &Event) -> bool {
    eval_bool(expr, &Env::trigger(event))
}

#[test]
fn missing_fields_make_comparisons_false() {
    let event = loan("");
    let age = field(&[2]);
    assert!(!holds(&has(&[2]), &event));
    for op in [
        CmpOp::Eq,
        CmpOp::Ne,
        CmpOp::Lt,
        CmpOp::Le,
        CmpOp::Gt,
        CmpOp::Ge,
    ] {
        assert!(!holds(&cmp(op, age.clone(), int(12)), &event), "{op:?}");
    }
    // `not` negates the false comparison like any other.
    assert!(holds(
        &Expr::Not(Box::new(cmp(CmpOp::Lt, age.clone(), int(12)))),
        &event
    ));
    // A path through an absent record is missing too.
    assert!(!holds(&has(&[4, 0]), &event));
    assert!(!holds(
        &cmp(CmpOp::Ne, field(&[4, 1]), enum_value(ROLE, ROLE_PARENT)),
        &event
    ));
    // `in` a missing list is false.
    let tagged = Expr::In {
        element: Box::new(string("x")),
        set: Box::new(field(&[7])),
    };
    assert!(!holds(&tagged, &event));
    // A missing boolean field read as a condition is false; a slot the rule does not bind too.
    assert!(!holds(&field(&[99]), &event));
    assert!(!holds(
        &Expr::Field {
            slot: 1,
            path: vec![0]
        },
        &event
    ));
}

#[test]
fn comparisons_by_type() {
    let event = loan(
        r#","age":12,"tags":["a","b"],"guarantor":{"name":"Ann","role":"parent","since":"2024-09-01"},"picked_up":"2025-03-02T10:30:00+09:00""#,
    );
    let cases: Vec<(Expr, bool)> = vec![
        (cmp(CmpOp::Ge, field(&[2]), int(12)), true),
        (cmp(CmpOp::Gt, field(&[2]), int(12)), false),
        (cmp(CmpOp::Lt, field(&[1]), string("m-2")), true),
        (
            cmp(CmpOp::Eq, field(&[3]), enum_value(LOAN_KIND, KIND_BOOK)),
            true,
        ),
        (
            cmp(CmpOp::Lt, field(&[3]), enum_value(LOAN_KIND, KIND_MAP)),
            true,
        ),
        // Values of two different enums are never equal nor unequal.
        (cmp(CmpOp::Eq, field(&[3]), enum_value(ROLE, 0)), false),
        (cmp(CmpOp::Ne, field(&[3]), enum_value(ROLE, 0)), false),
        // A string and an integer are not comparable either.
        (cmp(CmpOp::Ne, field(&[1]), int(1)), false),
        (
            cmp(CmpOp::Eq, field(&[4, 1]), enum_value(ROLE, ROLE_PARENT)),
            true,
        ),
        (
            cmp(
                CmpOp::Lt,
                field(&[4, 2]),
                Expr::Const(Value::Date(edict_runtime::ir::Date {
                    year: 2024,
                    month: 12,
                    day: 31,
                })),
            ),
            true,
        ),
        (
            cmp(
                CmpOp::Eq,
                field(&[8]),
                Expr::Const(Value::Time(1_740_879_000)),
            ),
            true,
        ),
        // The default of an absent optional field is present and compares.
        (has(&[6]), true),
        (
            cmp(CmpOp::Eq, field(&[6]), Expr::Const(Value::Bool(false))),
            true,
        ),
        // A condition compares with a boolean value.
        (
            cmp(
                CmpOp::Eq,
                cmp(CmpOp::Ge, field(&[2]), int(12)),
                Expr::Const(Value::Bool(true)),
            ),
            true,
        ),
        (
            Expr::In {
                element: Box::new(string("b")),
                set: Box::new(field(&[7])),
            },
            true,
        ),
        (
            Expr::In {
                element: Box::new(string("c")),
                set: Box::new(field(&[7])),
            },
            false,
        ),
        (Expr::And(vec![]), true),
        (Expr::Or(vec![]), false),
        (
            Expr::Or(vec![field(&[99]), cmp(CmpOp::Eq, field(&[2]), int(12))]),
            true,
        ),
    ];
    for (expr, expected) in cases {
        assert_eq!(holds(&expr, &event), expected, "{expr:?}");
    }
}

#[test]
fn a_slot_can_hold_a_plain_value() {
    let key = Value::Str("main".to_owned());
    let env = Env::default().with(0, Binding::Value(&key));
    let same = cmp(CmpOp::Eq, Expr::Slot(0), string("main"));
    assert!(eval_bool(&same, &env));
    assert!(!eval_bool(&same, &Env::default()));
}

/// Arithmetic and times: computed operands compare like read ones; overflow, division by zero
/// and a time part without a time zone are missing, so comparisons with them are false.
#[test]
fn arithmetic_and_the_parts_of_a_time() {
    use edict_runtime::ir::{ArithOp, TimePart};
    let event = loan("");
    let arith = |op, lhs: Expr, rhs: Expr| Expr::Arith {
        op,
        lhs: Box::new(lhs),
        rhs: Box::new(rhs),
    };
    let part = |part| Expr::TimePart {
        part,
        time: Box::new(Expr::EventTime(0)),
    };
    assert!(holds(
        &cmp(
            CmpOp::Eq,
            arith(ArithOp::Add, int(2), arith(ArithOp::Mul, int(3), int(4))),
            int(14)
        ),
        &event
    ));
    assert!(holds(
        &cmp(CmpOp::Eq, arith(ArithOp::Rem, int(-7), int(3)), int(-1)),
        &event
    ));
    for missing in [
        arith(ArithOp::Div, int(1), int(0)),
        arith(ArithOp::Rem, int(1), int(0)),
        arith(ArithOp::Mul, int(i64::MAX), int(2)),
        arith(ArithOp::Sub, int(i64::MIN), int(1)),
        arith(ArithOp::Mul, Expr::EventTime(0), int(2)),
    ] {
        for op in [CmpOp::Eq, CmpOp::Ne, CmpOp::Lt, CmpOp::Ge] {
            assert!(
                !holds(&cmp(op, missing.clone(), int(0)), &event),
                "{missing:?}"
            );
        }
    }
    // 2025-03-02T10:00:00+09:00 is 01:00 UTC on a Sunday.
    let utc = jiff::tz::TimeZone::UTC;
    let in_utc = |expr: &Expr| eval_bool(expr, &Env::trigger(&event).in_zone(&utc));
    assert!(in_utc(&cmp(CmpOp::Eq, part(TimePart::Hour), int(1))));
    assert!(in_utc(&cmp(CmpOp::Eq, part(TimePart::Minute), int(0))));
    assert!(in_utc(&cmp(CmpOp::Eq, part(TimePart::Weekday), int(7))));
    assert!(in_utc(&cmp(
        CmpOp::Eq,
        part(TimePart::Date),
        Expr::Const(Value::Date(edict_runtime::ir::Date {
            year: 2025,
            month: 3,
            day: 2
        }))
    )));
    // Without a time zone the parts are missing.
    assert!(!holds(
        &cmp(CmpOp::Ge, part(TimePart::Hour), int(0)),
        &event
    ));
    // A time less an hour is earlier than the time; two times differ by a duration in seconds.
    let hour_before = arith(ArithOp::Sub, Expr::EventTime(0), int(3_600));
    assert!(holds(
        &cmp(CmpOp::Lt, hour_before.clone(), Expr::EventTime(0)),
        &event
    ));
    assert!(holds(
        &cmp(
            CmpOp::Eq,
            arith(ArithOp::Sub, Expr::EventTime(0), hour_before),
            int(3_600)
        ),
        &event
    ));
}
