//! Programs the engine refuses to load, and what it says about them.

mod common;

use edict_runtime::ir::{CmpOp, Exemption, FieldDef, Type};
use edict_runtime::{Bundle, Engine};

#[expect(clippy::unwrap_used, reason = "a test helper: a panic fails the test")]
fn load_error(program: edict_runtime::ir::Program) -> String {
    Engine::new(program).unwrap_err().to_string()
}

#[test]
fn the_effective_instant_is_the_start_of_the_day_in_the_regulation_zone() {
    let engine = Engine::from_bundle(Bundle::new(common::program())).unwrap();
    // 2025-03-01T00:00:00+09:00
    assert_eq!(engine.effective_from(), Some(1_740_754_800));
}

#[test]
fn refusals_are_explained() {
    let mut unknown_zone = common::program();
    unknown_zone.regulation.timezone = "Mars/Olympus_Mons".to_owned();

    let mut bad_date = common::program();
    bad_date.regulation.effective = Some(edict_runtime::ir::Date {
        year: 2025,
        month: 2,
        day: 30,
    });

    let mut reserved = common::program();
    reserved.vocabulary.events[1].fields.push(FieldDef {
        name: "type".to_owned(),
        ty: Type::String,
        required: true,
        default: None,
        range: Default::default(),
    });

    // `late` is field 2 of `return` only; an exemption for any event cannot read it.
    let mut not_common = common::program();
    not_common.exemptions.push(Exemption {
        clause: 0,
        event: None,
        condition: common::cmp(
            CmpOp::Eq,
            common::field(&[2]),
            edict_runtime::ir::Expr::Const(edict_runtime::ir::Value::Bool(true)),
        ),
    });

    let mut missing_clause = common::program();
    missing_clause.rules[0].clause = 42;

    let mut missing_enum = common::program();
    missing_enum.vocabulary.events[0].fields[3].ty = Type::Enum(9);

    let mut bad_evidence = common::program();
    bad_evidence.rules[0].evidence[0].path = vec![2, 0];

    let text = [
        ("unknown time zone", load_error(unknown_zone)),
        ("effective date that does not exist", load_error(bad_date)),
        ("field named like an envelope key", load_error(reserved)),
        (
            "any-event exemption on a field not common",
            load_error(not_common),
        ),
        ("rule citing a missing clause", load_error(missing_clause)),
        ("field of a missing enum", load_error(missing_enum)),
        ("evidence through a non-record", load_error(bad_evidence)),
    ]
    .iter()
    .map(|(what, message)| format!("----- {what}\n{message}\n"))
    .collect::<String>();
    insta::assert_snapshot!(text);
}

#[test]
fn declared_time_and_id_fields_take_the_envelope_values() {
    let mut program = common::program();
    for (name, ty) in [("time", Type::Time), ("id", Type::String)] {
        program.vocabulary.events[2].fields.push(FieldDef {
            name: name.to_owned(),
            ty,
            required: false,
            default: None,
            range: Default::default(),
        });
    }
    let engine = Engine::new(program).unwrap();
    let event = engine
        .decoder()
        .decode(r#"{"type":"note","time":"1970-01-01T00:01:40Z","id":"n-1","processor":"main"}"#)
        .unwrap();
    assert_eq!(event.time, 100);
    assert_eq!(
        event.fields[2..],
        [
            Some(edict_runtime::ir::Value::Time(100)),
            Some(edict_runtime::ir::Value::Str("n-1".to_owned()))
        ]
    );
}
