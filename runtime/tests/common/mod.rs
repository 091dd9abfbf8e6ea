//! A small hand-written program over a library-lending vocabulary, shared by the tests.
//!
//! Field indices of `loan`: 0 processor, 1 subject, 2 age?, 3 kind, 4 guarantor?, 5 due,
//! 6 renewed? (default false), 7 tags?, 8 picked_up?.
//! Fields of the `guarantor` record: 0 name, 1 role, 2 since?.

#![allow(
    dead_code,
    reason = "each test file uses a different part of the helpers"
)]

use edict_runtime::ir::*;

pub const LOAN: EventId = 0;
pub const RETURN: EventId = 1;
pub const NOTE: EventId = 2;

pub const LOAN_KIND: EnumId = 0;
pub const ROLE: EnumId = 1;

pub const KIND_BOOK: u32 = 0;
pub const KIND_DVD: u32 = 1;
pub const KIND_MAP: u32 = 2;
pub const ROLE_PARENT: u32 = 0;

pub fn field(path: &[u32]) -> Expr {
    Expr::Field {
        slot: TRIGGER_SLOT,
        path: path.to_vec(),
    }
}

pub fn has(path: &[u32]) -> Expr {
    Expr::Has {
        slot: TRIGGER_SLOT,
        path: path.to_vec(),
    }
}

pub fn cmp(op: CmpOp, lhs: Expr, rhs: Expr) -> Expr {
    Expr::Cmp {
        op,
        lhs: Box::new(lhs),
        rhs: Box::new(rhs),
    }
}

pub fn int(i: i64) -> Expr {
    Expr::Const(Value::Int(i))
}

pub fn string(s: &str) -> Expr {
    Expr::Const(Value::Str(s.to_owned()))
}

pub fn enum_value(id: EnumId, index: u32) -> Expr {
    Expr::Const(Value::Enum(id, index))
}

fn required(name: &str, ty: Type) -> FieldDef {
    FieldDef {
        name: name.to_owned(),
        ty,
        required: true,
        default: None,
    }
}

fn optional(name: &str, ty: Type) -> FieldDef {
    FieldDef {
        name: name.to_owned(),
        ty,
        required: false,
        default: None,
    }
}

fn evidence(label: &str, path: &[u32]) -> Evidence {
    Evidence {
        label: label.to_owned(),
        path: path.to_vec(),
    }
}

fn clause(article: u32, paragraph: Option<u32>, item: Option<u32>, title: &str) -> Clause {
    Clause {
        article,
        paragraph,
        item,
        title: Some(title.to_owned()),
        not_checkable: None,
    }
}

pub fn vocabulary() -> Vocabulary {
    let common = || required("processor", Type::String);
    Vocabulary {
        name: "library".to_owned(),
        enums: vec![
            EnumDef {
                name: "loan_kind".to_owned(),
                values: vec!["book".to_owned(), "dvd".to_owned(), "map".to_owned()],
            },
            EnumDef {
                name: "guarantor_role".to_owned(),
                values: vec![
                    "parent".to_owned(),
                    "teacher".to_owned(),
                    "neighbour".to_owned(),
                ],
            },
        ],
        records: vec![RecordDef {
            name: "guarantor".to_owned(),
            fields: vec![
                required("name", Type::String),
                required("role", Type::Enum(ROLE)),
                optional("since", Type::Date),
            ],
        }],
        events: vec![
            EventDef {
                name: "loan".to_owned(),
                open: false,
                fields: vec![
                    common(),
                    required("subject", Type::String),
                    optional("age", Type::Int),
                    required("kind", Type::Enum(LOAN_KIND)),
                    optional("guarantor", Type::Record(0)),
                    required("due", Type::Date),
                    FieldDef {
                        name: "renewed".to_owned(),
                        ty: Type::Bool,
                        required: false,
                        default: Some(Value::Bool(false)),
                    },
                    optional("tags", Type::List(Box::new(Type::String))),
                    optional("picked_up", Type::Time),
                ],
            },
            EventDef {
                name: "return".to_owned(),
                open: false,
                fields: vec![
                    common(),
                    required("subject", Type::String),
                    required("late", Type::Bool),
                ],
            },
            EventDef {
                name: "note".to_owned(),
                open: true,
                fields: vec![common(), optional("text", Type::String)],
            },
        ],
    }
}

/// The library's lending rules, effective from 2025-03-01 in Tokyo.
pub fn program() -> Program {
    let age = || field(&[2]);
    let kind = || field(&[3]);
    let processor = || field(&[0]);
    Program {
        regulation: Regulation {
            id: "library-rules".to_owned(),
            title: Some("Ausleihordnung".to_owned()),
            title_en: Some("Lending rules".to_owned()),
            effective: Some(Date {
                year: 2025,
                month: 3,
                day: 1,
            }),
            timezone: "Asia/Tokyo".to_owned(),
        },
        clauses: vec![
            clause(1, None, None, "Scope"),
            clause(3, Some(1), None, "Age"),
            clause(3, Some(2), None, "Guarantors"),
            clause(5, Some(1), Some(2), "Media"),
            clause(6, None, None, "Returns"),
            Clause {
                not_checkable: Some("noise is not recorded in events".to_owned()),
                ..clause(9, None, None, "Quiet")
            },
        ],
        vocabulary: vocabulary(),
        exemptions: vec![
            Exemption {
                clause: 0,
                event: Some(LOAN),
                condition: cmp(CmpOp::Eq, kind(), enum_value(LOAN_KIND, KIND_MAP)),
            },
            Exemption {
                clause: 0,
                event: None,
                condition: cmp(CmpOp::Eq, processor(), string("test-branch")),
            },
        ],
        states: vec![StateDef {
            name: "on_loan".to_owned(),
            kind: StateKind::Counter,
            updates: vec![
                StateUpdate {
                    event: LOAN,
                    key: processor(),
                    op: StateOp::Increment,
                },
                StateUpdate {
                    event: RETURN,
                    key: processor(),
                    op: StateOp::Decrement,
                },
            ],
        }],
        rules: vec![
            Rule {
                id: "library-rules/art3/p1/age-known".to_owned(),
                name: "age-known".to_owned(),
                clause: 1,
                trigger: Trigger::Event(LOAN),
                when: None,
                body: Body::Require(Expr::And(vec![has(&[2]), cmp(CmpOp::Ge, age(), int(12))])),
                unless: None,
                message: "a loan needs the member's age, and members must be 12 or older"
                    .to_owned(),
                message_zh: None,
                evidence: vec![evidence("age", &[2])],
            },
            Rule {
                id: "library-rules/art3/p2/child-guarantor".to_owned(),
                name: "child-guarantor".to_owned(),
                clause: 2,
                trigger: Trigger::Event(LOAN),
                when: Some(Expr::And(vec![has(&[2]), cmp(CmpOp::Lt, age(), int(16))])),
                body: Body::Require(Expr::And(vec![
                    has(&[4]),
                    cmp(CmpOp::Eq, field(&[4, 1]), enum_value(ROLE, ROLE_PARENT)),
                ])),
                unless: Some(Expr::In {
                    element: Box::new(string("school-visit")),
                    set: Box::new(field(&[7])),
                }),
                message: "a member under 16 needs a parent as guarantor".to_owned(),
                message_zh: Some("未满十六岁的读者须由父母担保".to_owned()),
                evidence: vec![evidence("age", &[2]), evidence("guarantor", &[4])],
            },
            Rule {
                id: "library-rules/art5/p1/i2/no-dvd-renewal".to_owned(),
                name: "no-dvd-renewal".to_owned(),
                clause: 3,
                trigger: Trigger::Event(LOAN),
                when: None,
                body: Body::Prohibit(Expr::And(vec![
                    cmp(CmpOp::Eq, kind(), enum_value(LOAN_KIND, KIND_DVD)),
                    field(&[6]),
                ])),
                unless: None,
                message: "DVDs may not be renewed".to_owned(),
                message_zh: None,
                evidence: vec![evidence("kind", &[3]), evidence("renewed", &[6])],
            },
            Rule {
                id: "library-rules/art6/return-within-30-days".to_owned(),
                name: "return-within-30-days".to_owned(),
                clause: 4,
                trigger: Trigger::Event(LOAN),
                when: None,
                body: Body::Deadline {
                    pattern: Pattern {
                        event: RETURN,
                        condition: Some(cmp(
                            CmpOp::Eq,
                            Expr::Field {
                                slot: PATTERN_SLOT,
                                path: vec![1],
                            },
                            field(&[1]),
                        )),
                    },
                    deadline: Deadline::Within {
                        duration: Duration {
                            amount: int(30),
                            unit: DurationUnit::Days,
                        },
                        after: TRIGGER_SLOT,
                    },
                },
                unless: None,
                message: "a loan must be returned within 30 days".to_owned(),
                message_zh: None,
                evidence: vec![],
            },
            Rule {
                id: "library-rules/art6/busy-branch-noted".to_owned(),
                name: "busy-branch-noted".to_owned(),
                clause: 4,
                trigger: Trigger::Reaches {
                    state: 0,
                    threshold: 1_000,
                    before_effective: false,
                },
                when: None,
                body: Body::Once {
                    forbid: false,
                    pattern: Pattern {
                        event: NOTE,
                        condition: Some(cmp(
                            CmpOp::Eq,
                            Expr::Field {
                                slot: PATTERN_SLOT,
                                path: vec![0],
                            },
                            Expr::Slot(TRIGGER_SLOT),
                        )),
                    },
                    within: Some(Duration {
                        amount: int(1),
                        unit: DurationUnit::Years,
                    }),
                    resets: vec![],
                },
                unless: None,
                message: "a branch with 1000 loans out must have filed a note".to_owned(),
                message_zh: None,
                evidence: vec![],
            },
            Rule {
                id: "library-rules/art6/late-returns-at-staffed-branches".to_owned(),
                name: "late-returns-at-staffed-branches".to_owned(),
                clause: 4,
                trigger: Trigger::Event(RETURN),
                when: None,
                body: Body::Prohibit(Expr::And(vec![
                    field(&[2]),
                    Expr::Not(Box::new(Expr::Or(vec![
                        cmp(CmpOp::Eq, processor(), string("main")),
                        cmp(CmpOp::Eq, processor(), string("east")),
                    ]))),
                ])),
                unless: None,
                message: "late returns are taken only at the main and east branches".to_owned(),
                message_zh: None,
                evidence: vec![evidence("late", &[2])],
            },
        ],
        calendar: CalendarOverrides {
            holidays: vec![Date {
                year: 2025,
                month: 5,
                day: 5,
            }],
            workdays: vec![],
        },
    }
}
