//! A small hand-written program over a library-lending vocabulary, shared by the tests.
//!
//! Field indices of `loan`: 0 processor, 1 subject, 2 age?, 3 kind, 4 guarantor?, 5 due,
//! 6 renewed? (default false), 7 tags?, 8 picked_up?.
//! Fields of the `guarantor` record: 0 name, 1 role, 2 since?.

#![allow(
    dead_code,
    clippy::expect_used,
    reason = "each test file uses a different part of the helpers; a helper given a bad fixture fails the test"
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
        range: Default::default(),
    }
}

fn optional(name: &str, ty: Type) -> FieldDef {
    FieldDef {
        name: name.to_owned(),
        ty,
        required: false,
        default: None,
        range: Default::default(),
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
        at: ClauseRef {
            article: ArticleRef::Number(article),
            paragraph,
            item,
        },
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
                        range: Default::default(),
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
        roles: vec![
            RoleDef {
                role: Role::Party,
                field: "processor".to_owned(),
            },
            RoleDef {
                role: Role::Individual,
                field: "subject".to_owned(),
            },
        ],
        partition: None,
    }
}

/// A rule id as the tests write it.
pub fn rule_id(text: &str) -> RuleId {
    text.parse().expect("a rule id")
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
                id: rule_id("library-rules/art3/p1/age-known"),
                clause: 1,
                trigger: Trigger::Event(LOAN),
                when: None,
                body: Body::Require(Expr::And(vec![has(&[2]), cmp(CmpOp::Ge, age(), int(12))])),
                unless: None,
                message: "a loan needs the member's age, and members must be 12 or older"
                    .to_owned(),
                message_zh: None,
                cites: Vec::new(),
                evidence: vec![evidence("age", &[2])],
                onces: vec![],
            },
            Rule {
                id: rule_id("library-rules/art3/p2/child-guarantor"),
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
                cites: Vec::new(),
                evidence: vec![evidence("age", &[2]), evidence("guarantor", &[4])],
                onces: vec![],
            },
            Rule {
                id: rule_id("library-rules/art5/p1/i2/no-dvd-renewal"),
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
                cites: Vec::new(),
                evidence: vec![evidence("kind", &[3]), evidence("renewed", &[6])],
                onces: vec![],
            },
            Rule {
                id: rule_id("library-rules/art6/return-within-30-days"),
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
                cites: Vec::new(),
                evidence: vec![],
                onces: vec![],
            },
            Rule {
                id: rule_id("library-rules/art6/busy-branch-noted"),
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
                cites: Vec::new(),
                evidence: vec![],
                onces: vec![],
            },
            Rule {
                id: rule_id("library-rules/art6/late-returns-at-staffed-branches"),
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
                cites: Vec::new(),
                evidence: vec![evidence("late", &[2])],
                onces: vec![],
            },
        ],
        calendar: CalendarSpec {
            base: Some("cn-mainland".to_owned()),
            holidays: vec![Date {
                year: 2025,
                month: 5,
                day: 5,
            }],
            workdays: vec![],
        },
    }
}

pub const MEMBER_JOINED: EventId = 3;
pub const MEMBER_LEFT: EventId = 4;
pub const FILING: EventId = 5;
pub const INSPECTION: EventId = 6;
pub const INSPECTION_VOIDED: EventId = 7;
pub const EVENT_HOSTED: EventId = 8;
pub const RECORD_KEPT: EventId = 9;
pub const RECORD_ERASED: EventId = 10;
pub const COMPLAINT: EventId = 11;
pub const REPLY: EventId = 12;

pub const FILING_KIND: EnumId = 2;
pub const FILING_INITIAL: u32 = 0;

/// The state of members per branch, in [`timed_program`].
pub const MEMBERS: StateId = 1;
/// How many members make a branch file with the authority.
pub const MEMBERS_THRESHOLD: i64 = 3;

/// A field of the event in the pattern slot.
pub fn pattern_field(path: &[u32]) -> Expr {
    Expr::Field {
        slot: PATTERN_SLOT,
        path: path.to_vec(),
    }
}

fn simple_event(name: &str, own: Vec<FieldDef>) -> EventDef {
    let mut fields = vec![required("processor", Type::String)];
    fields.extend(own);
    EventDef {
        name: name.to_owned(),
        open: false,
        fields,
    }
}

fn timed_rule(id: &str, clause: ClauseId, trigger: Trigger, body: Body, message: &str) -> Rule {
    Rule {
        id: rule_id(&format!("library-rules/{id}")),
        clause,
        trigger,
        when: None,
        body,
        unless: None,
        message: message.to_owned(),
        message_zh: None,
        cites: Vec::new(),
        evidence: vec![],
        onces: vec![],
    }
}

/// The library program with time and state, read in Shanghai and effective from 2025-06-01.
///
/// Every new event type has `processor` as field 0. Fields after it:
/// `member_joined`/`member_left`: 1 subject; `filing`: 1 kind; `inspection`: 1 ref;
/// `inspection_voided`: none; `event_hosted`: 1 audience; `record_kept`: 1 subject,
/// 2 keep_days; `record_erased`, `complaint`, `reply`: 1 subject.
pub fn timed_program() -> Program {
    let mut program = program();
    program.regulation.timezone = "Asia/Shanghai".to_owned();
    program.regulation.effective = Some(Date {
        year: 2025,
        month: 6,
        day: 1,
    });
    let vocabulary = &mut program.vocabulary;
    vocabulary.enums.push(EnumDef {
        name: "filing_kind".to_owned(),
        values: vec!["initial".to_owned(), "change".to_owned()],
    });
    let subject = || required("subject", Type::String);
    vocabulary.events.extend([
        simple_event("member_joined", vec![subject()]),
        simple_event("member_left", vec![subject()]),
        simple_event("filing", vec![required("kind", Type::Enum(FILING_KIND))]),
        simple_event("inspection", vec![required("ref", Type::String)]),
        simple_event("inspection_voided", vec![]),
        simple_event("event_hosted", vec![required("audience", Type::Int)]),
        simple_event(
            "record_kept",
            vec![subject(), required("keep_days", Type::Int)],
        ),
        simple_event("record_erased", vec![subject()]),
        simple_event("complaint", vec![subject()]),
        simple_event("reply", vec![subject()]),
    ]);
    program.clauses.extend([
        clause(7, Some(1), None, "Filing"),
        clause(7, Some(2), None, "Transition"),
        clause(8, None, None, "Inspections"),
        clause(10, None, None, "Records"),
        clause(11, None, None, "Complaints"),
    ]);
    let (filing, transition, inspections, records, complaints) = (6, 7, 8, 9, 10);
    program.states.push(StateDef {
        name: "members".to_owned(),
        kind: StateKind::Set(Type::String),
        updates: vec![
            StateUpdate {
                event: MEMBER_JOINED,
                key: field(&[0]),
                op: StateOp::Add(field(&[1])),
            },
            StateUpdate {
                event: MEMBER_LEFT,
                key: field(&[0]),
                op: StateOp::Remove(field(&[1])),
            },
        ],
    });
    let same_processor_as_key = cmp(CmpOp::Eq, pattern_field(&[0]), Expr::Slot(TRIGGER_SLOT));
    let same_subject = || cmp(CmpOp::Eq, pattern_field(&[1]), field(&[1]));
    let within = |amount: Expr, unit: DurationUnit| Deadline::Within {
        duration: Duration { amount, unit },
        after: TRIGGER_SLOT,
    };
    program.rules.extend([
        timed_rule(
            "art7/p1/file-at-threshold",
            filing,
            Trigger::Reaches {
                state: MEMBERS,
                threshold: MEMBERS_THRESHOLD,
                before_effective: false,
            },
            Body::Deadline {
                pattern: Pattern {
                    event: FILING,
                    condition: Some(Expr::And(vec![
                        same_processor_as_key.clone(),
                        cmp(
                            CmpOp::Eq,
                            pattern_field(&[1]),
                            enum_value(FILING_KIND, FILING_INITIAL),
                        ),
                    ])),
                },
                deadline: within(int(30), DurationUnit::WorkingDays),
            },
            "a branch with 3 members must file within 30 working days",
        ),
        timed_rule(
            "art7/p2/file-by-transition",
            transition,
            Trigger::Reaches {
                state: MEMBERS,
                threshold: MEMBERS_THRESHOLD,
                before_effective: true,
            },
            Body::Deadline {
                pattern: Pattern {
                    event: FILING,
                    condition: Some(same_processor_as_key),
                },
                deadline: Deadline::By(Date {
                    year: 2025,
                    month: 7,
                    day: 14,
                }),
            },
            "a branch that had 3 members before the rules took effect must file by 14 July 2025",
        ),
        timed_rule(
            "art8/inspected-before-events",
            inspections,
            Trigger::Event(EVENT_HOSTED),
            Body::Once {
                forbid: false,
                pattern: Pattern {
                    event: INSPECTION,
                    condition: Some(cmp(CmpOp::Eq, pattern_field(&[0]), field(&[0]))),
                },
                within: Some(Duration {
                    amount: int(30),
                    unit: DurationUnit::Days,
                }),
                resets: vec![Pattern {
                    event: INSPECTION_VOIDED,
                    condition: Some(cmp(
                        CmpOp::Eq,
                        Expr::Field {
                            slot: RESET_SLOT,
                            path: vec![0],
                        },
                        pattern_field(&[0]),
                    )),
                }],
            },
            "a branch must have been inspected in the 30 days before it hosts an event",
        ),
        timed_rule(
            "art10/erase-when-kept-long-enough",
            records,
            Trigger::Event(RECORD_KEPT),
            Body::Deadline {
                pattern: Pattern {
                    event: RECORD_ERASED,
                    condition: Some(same_subject()),
                },
                deadline: within(field(&[2]), DurationUnit::Days),
            },
            "a record must be erased when its keeping period ends",
        ),
        timed_rule(
            "art11/reply-in-15-working-days",
            complaints,
            Trigger::Event(COMPLAINT),
            Body::Deadline {
                pattern: Pattern {
                    event: REPLY,
                    condition: Some(same_subject()),
                },
                deadline: within(int(15), DurationUnit::WorkingDays),
            },
            "a complaint must be answered within 15 working days",
        ),
    ]);
    program
}
