//! The two decoders agree: the streaming path and the tree path give the same event, or the
//! same error.

use super::*;
use crate::ir::{EnumDef, EventDef, IntRange, RecordDef};

fn field(name: &str, ty: Type, required: bool, default: Option<Value>) -> FieldDef {
    FieldDef {
        name: name.to_owned(),
        ty,
        required,
        default,
        range: Default::default(),
    }
}

fn decoder() -> Decoder {
    let common = || {
        vec![
            field("branch", Type::String, true, None),
            field("member", Type::String, false, None),
        ]
    };
    let mut loan = common();
    loan.extend([
        field("age", Type::Int, false, None),
        field("format", Type::Enum(0), true, None),
        field("due", Type::Date, true, None),
        field("renewed", Type::Bool, false, Some(Value::Bool(false))),
        field("guarantor", Type::Record(0), false, None),
        field("tags", Type::List(Box::new(Type::String)), false, None),
        field("keep", Type::Duration, false, Some(Value::Int(60))),
        field("id", Type::String, false, None),
        field("time", Type::Time, true, None),
        field("people", Type::Set(Box::new(Type::Record(0))), false, None),
        field("seen", Type::List(Box::new(Type::Time)), false, None),
    ]);
    let mut note = common();
    note.push(field("text", Type::String, true, None));
    let vocabulary = Vocabulary {
        name: "test".to_owned(),
        enums: vec![
            EnumDef {
                name: "format".to_owned(),
                values: vec!["book".to_owned(), "dvd".to_owned(), "map".to_owned()],
            },
            EnumDef {
                name: "role".to_owned(),
                values: vec!["parent".to_owned(), "teacher".to_owned()],
            },
        ],
        records: vec![RecordDef {
            name: "guarantor".to_owned(),
            fields: vec![
                field("name", Type::String, true, None),
                field("role", Type::Enum(1), true, None),
                field("since", Type::Date, false, None),
                FieldDef {
                    range: IntRange {
                        min: Some(1),
                        max: Some(9),
                    },
                    ..field("level", Type::Int, false, Some(Value::Int(1)))
                },
            ],
        }],
        events: vec![
            EventDef {
                name: "loan".to_owned(),
                open: false,
                fields: loan,
            },
            EventDef {
                name: "note".to_owned(),
                open: true,
                fields: note,
            },
        ],
        roles: Vec::new(),
        partition: None,
    };
    Decoder::new(&vocabulary).unwrap()
}

/// Lines as key/value pairs, `type` first.
const LINES: &[&[(&str, &str)]] = &[
    &[
        ("type", r#""loan""#),
        ("time", r#""2025-03-02T10:00:00+09:00""#),
        ("id", r#""L1""#),
        ("branch", r#""main""#),
        ("member", r#""m-1""#),
        ("age", "30"),
        ("format", r#""book""#),
        ("due", r#""2025-03-30""#),
    ],
    &[
        ("type", r#""loan""#),
        ("time", r#""2025-03-03T09:00:00.5Z""#),
        ("branch", r#""ma\u0069n \"x\"""#),
        ("age", "-4"),
        ("format", r#""dvd""#),
        ("renewed", "true"),
        ("due", r#""2025-03-10""#),
        ("keep", "86400"),
        (
            "guarantor",
            r#"{"since":"2024-09-01","name":"Ms Reed","role":"teacher"}"#,
        ),
        ("tags", r#"["a","b\n",""]"#),
        (
            "people",
            r#"[{"name":"A","role":"parent","level":3},{"role":"teacher","name":"B"}]"#,
        ),
        ("seen", r#"["2025-01-01T00:00:00+08:00"]"#),
        ("member", "null"),
        ("id", "null"),
    ],
    &[
        ("type", r#""loan""#),
        ("time", r#""2025-03-03T09:00:00-05:30""#),
        ("branch", r#""east""#),
        ("format", r#""map""#),
        ("due", r#""2024-02-29""#),
        ("tags", "[]"),
        ("guarantor", "null"),
        ("age", "9223372036854775807"),
    ],
    &[
        ("type", r#""note""#),
        ("time", r#""2025-03-04T10:00:00+09:00""#),
        ("branch", r#""main""#),
        ("text", r#""quiet day""#),
        ("mood", r#"{"deep":[1,2.5,{"x":null}]}"#),
        ("id", r#""N1""#),
        ("extra", "12.5"),
    ],
];

fn line(pairs: &[(&str, &str)]) -> String {
    let body: Vec<String> = pairs.iter().map(|(k, v)| format!("{k:?}:{v}")).collect();
    format!("{{{}}}", body.join(","))
}

#[test]
fn streaming_and_tree_decode_the_same_events() {
    let decoder = decoder();
    for pairs in LINES {
        let text = line(pairs);
        let mut streamed = Event::default();
        let mut tree = Event::default();
        decoder.decode_tree_into(&text, &mut tree).unwrap();
        // Undeclared keys of the open type `note` are left to the tree.
        if stream::decode(&decoder, &text, &mut streamed) {
            assert_eq!(streamed, tree, "{text}");
        } else {
            assert!(text.contains(r#""type":"note""#), "{text}");
        }
        // The same line with its keys in other orders (`type` not first: the tree path), if
        // no key repeats.
        let mut keys: Vec<&str> = pairs.iter().map(|(k, _)| *k).collect();
        keys.sort_unstable();
        keys.dedup();
        if keys.len() < pairs.len() {
            continue;
        }
        let mut pairs = pairs.to_vec();
        for _ in 1..pairs.len() {
            pairs.rotate_left(1);
            let text = line(&pairs);
            assert_eq!(decoder.decode(&text).unwrap(), tree, "{text}");
        }
        pairs.reverse();
        let text = line(&pairs);
        assert_eq!(decoder.decode(&text).unwrap(), tree, "{text}");
    }
}

#[test]
fn the_streaming_path_gives_up_on_every_input_error() {
    let decoder = decoder();
    let good = line(LINES[0]);
    let bad = [
        good.replace(r#""age":30"#, r#""age":30.5"#),
        good.replace(r#""age":30"#, r#""age":1e300"#),
        good.replace(r#""age":30"#, r#""age":30,"age":31"#),
        good.replace(r#","due""#, r#","format":"book","due""#),
        good.replace(r#","due""#, r#","time":"2025-03-02T10:00:00+09:00","due""#),
        good.replace(r#","due""#, r#","id":"L2","due""#),
        good.replace(
            r#""due""#,
            r#""guarantor":{"name":"A","role":"parent","name":"B"},"due""#,
        ),
        good.replace(
            r#""due""#,
            r#""guarantor":{"name":"A","role":"parent","level":0},"due""#,
        ),
        good.replace(r#""age":30"#, r#""age":"30""#),
        good.replace(r#""age":30"#, r#""age":18446744073709551615"#),
        good.replace(r#""book""#, r#""vhs""#),
        good.replace(r#""book""#, "null"),
        good.replace(r#""2025-03-30""#, r#""2025-02-30""#),
        good.replace(r#"+09:00""#, r#"""#),
        good.replace(r#""L1""#, "7"),
        good.replace(r#""member""#, r#""membr""#),
        good.replace(r#""branch":"main","#, ""),
        good.replace(r#""time":"2025-03-02T10:00:00+09:00","#, ""),
        good.replace(r#""type":"loan""#, r#""type":"lone""#),
        good.replace(r#""type":"loan""#, r#""type":5"#),
        good.replace(r#","due""#, r#","type":"note","due""#),
        good.replace(
            r#""due""#,
            r#""guarantor":{"name":"A","role":"uncle"},"due""#,
        ),
        good.replace(r#""due""#, r#""guarantor":{"role":"parent"},"due""#),
        good.replace(r#""due""#, r#""tags":["a",null],"due""#),
        format!("{good} x"),
        good[..good.len() - 1].to_owned(),
        "[1,2]".to_owned(),
        "{}".to_owned(),
    ];
    for text in &bad {
        let mut event = Event::default();
        assert!(!stream::decode(&decoder, text, &mut event), "{text}");
        let expected = decoder.decode_tree_into(text, &mut event).unwrap_err();
        assert_eq!(decoder.decode(text).unwrap_err(), expected, "{text}");
    }
}

#[test]
fn whole_numbers_written_with_a_fraction_or_an_exponent_are_integers_on_both_paths() {
    let decoder = decoder();
    let good = line(LINES[0]);
    for (written, value) in [
        ("30.0", 30),
        ("3e1", 30),
        ("-0", 0),
        ("-0.0", 0),
        ("30", 30),
    ] {
        let text = good.replace(r#""age":30"#, &format!(r#""age":{written}"#));
        let mut streamed = Event::default();
        assert!(stream::decode(&decoder, &text, &mut streamed), "{text}");
        let tree = decoder.decode_tree(&text).unwrap();
        assert_eq!(streamed, tree, "{text}");
        assert!(tree.fields.contains(&Some(Value::Int(value))), "{text}");
    }
}

#[test]
fn an_open_event_type_with_undeclared_keys_goes_through_the_tree() {
    let decoder = decoder();
    let text = r#"{"type":"note","time":"2025-03-02T10:00:00Z","branch":"p","text":"t","extra":1}"#;
    let mut event = Event::default();
    assert!(!stream::decode(&decoder, text, &mut event));
    assert!(decoder.decode(text).is_ok());
    let repeated = text.replace(r#""extra":1"#, r#""extra":1,"extra":2"#);
    assert_eq!(
        decoder.decode(&repeated).unwrap_err().message(),
        r#"the key "extra" appears twice; each key of an object may appear once"#
    );
}
