//! Measures the engine on a generated enrollment stream: throughput, and the memory that keyed
//! state takes per stored element.
//!
//! Run with `cargo run --release -p edict-runtime --example state_memory [EVENTS] [--state-only]`;
//! `--state-only` leaves out the retention deadline, to measure the states alone.
//! The toy program keeps a set of subjects per processor, fires a 30-working-day filing
//! deadline when a processor reaches 80,000 subjects, and starts a retention deadline (its
//! length read from each event) for every enrollment, which deletions discharge.
//! Memory is counted from the engine's own tables ([`Engine::footprint`]); the process's peak
//! resident size is printed beside it.

use std::time::Instant;

use edict_runtime::Engine;
use edict_runtime::ir::*;

const PROCESSORS: [&str; 3] = ["acme-estate", "city-metro", "north-bank"];

fn field(slot: Slot, index: u32) -> Expr {
    Expr::Field {
        slot,
        path: vec![index],
    }
}

fn eq(lhs: Expr, rhs: Expr) -> Expr {
    Expr::Cmp {
        op: CmpOp::Eq,
        lhs: Box::new(lhs),
        rhs: Box::new(rhs),
    }
}

fn string_field(name: &str) -> FieldDef {
    FieldDef {
        name: name.to_owned(),
        ty: Type::String,
        required: true,
        default: None,
        range: Default::default(),
    }
}

fn rule(id: &str, trigger: Trigger, body: Body) -> Rule {
    Rule {
        id: RuleId {
            regulation: "toy".to_owned(),
            clause: ClauseRef::article(ArticleRef::Number(1)),
            name: id.to_owned(),
        },
        clause: 0,
        trigger,
        when: None,
        body,
        unless: None,
        message: id.to_owned(),
        message_zh: None,
        cites: Vec::new(),
        evidence: vec![],
        onces: vec![],
    }
}

fn program() -> Program {
    let (enrollment, deletion, filing) = (0, 1, 2);
    Program {
        regulation: Regulation {
            id: "toy".to_owned(),
            title: None,
            title_en: None,
            effective: Some(Date {
                year: 2025,
                month: 6,
                day: 1,
            }),
            timezone: "Asia/Shanghai".to_owned(),
        },
        clauses: vec![Clause {
            at: ClauseRef::article(ArticleRef::Number(1)),
            title: None,
            not_checkable: None,
        }],
        vocabulary: Vocabulary {
            name: "toy".to_owned(),
            enums: vec![],
            records: vec![],
            events: vec![
                EventDef {
                    name: "enrollment".to_owned(),
                    open: false,
                    fields: vec![
                        string_field("processor"),
                        string_field("subject"),
                        FieldDef {
                            name: "retention_days".to_owned(),
                            ty: Type::Int,
                            required: true,
                            default: None,
                            range: Default::default(),
                        },
                    ],
                },
                EventDef {
                    name: "deletion".to_owned(),
                    open: false,
                    fields: vec![string_field("processor"), string_field("subject")],
                },
                EventDef {
                    name: "filing".to_owned(),
                    open: false,
                    fields: vec![string_field("processor")],
                },
            ],
            roles: vec![],
            partition: None,
        },
        exemptions: vec![],
        states: vec![StateDef {
            name: "enrolled".to_owned(),
            kind: StateKind::Set(Type::String),
            updates: vec![
                StateUpdate {
                    event: enrollment,
                    key: field(TRIGGER_SLOT, 0),
                    op: StateOp::Add(field(TRIGGER_SLOT, 1)),
                },
                StateUpdate {
                    event: deletion,
                    key: field(TRIGGER_SLOT, 0),
                    op: StateOp::Remove(field(TRIGGER_SLOT, 1)),
                },
            ],
        }],
        rules: vec![
            rule(
                "filing",
                Trigger::Reaches {
                    state: 0,
                    threshold: 80_000,
                    before_effective: false,
                },
                Body::Deadline {
                    pattern: Pattern {
                        event: filing,
                        condition: Some(eq(field(PATTERN_SLOT, 0), Expr::Slot(TRIGGER_SLOT))),
                    },
                    deadline: Deadline::Within {
                        duration: Duration {
                            amount: Expr::Const(Value::Int(30)),
                            unit: DurationUnit::WorkingDays,
                        },
                        after: TRIGGER_SLOT,
                    },
                },
            ),
            rule(
                "retention",
                Trigger::Event(enrollment),
                Body::Deadline {
                    pattern: Pattern {
                        event: deletion,
                        condition: Some(eq(field(PATTERN_SLOT, 1), field(TRIGGER_SLOT, 1))),
                    },
                    deadline: Deadline::Within {
                        duration: Duration {
                            amount: field(TRIGGER_SLOT, 2),
                            unit: DurationUnit::Days,
                        },
                        after: TRIGGER_SLOT,
                    },
                },
            ),
        ],
        calendar: CalendarSpec {
            base: Some("cn-mainland".to_owned()),
            ..CalendarSpec::default()
        },
    }
}

/// The process's peak resident set size in kilobytes, where the system reports it.
fn peak_rss_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let events: usize = args.iter().find_map(|a| a.parse().ok()).unwrap_or(300_000);
    let mut program = program();
    if args.iter().any(|a| a == "--state-only") {
        program.rules.retain(|r| r.id.name != "retention");
    }
    // One event a second from 2025-06-02T00:00:00+08:00; one enrollment in ten is later
    // deleted, 50 events after it.
    let start = 1_748_793_600_i64;
    let mut lines = Vec::with_capacity(events + events / 10);
    for i in 0..events {
        let processor = PROCESSORS[i % PROCESSORS.len()];
        let time = jiff::Timestamp::from_second(start + i as i64)
            .map(|t| t.to_string())
            .unwrap_or_default();
        lines.push(format!(
            r#"{{"type":"enrollment","time":"{time}","processor":"{processor}","subject":"s-{i:07}","retention_days":365}}"#
        ));
        if i % 10 == 0 && i >= 50 {
            let j = i - 50;
            lines.push(format!(
                r#"{{"type":"deletion","time":"{time}","processor":"{}","subject":"s-{j:07}"}}"#,
                PROCESSORS[j % PROCESSORS.len()]
            ));
        }
    }
    let bytes: usize = lines.iter().map(|l| l.len() + 1).sum();

    let Ok(mut engine) = Engine::new(program) else {
        eprintln!("the toy program does not load");
        return;
    };
    let mut findings = 0u64;
    let began = Instant::now();
    for (index, line) in lines.iter().enumerate() {
        engine.process_line(index as u64 + 1, line, &mut |_| findings += 1);
    }
    let elapsed = began.elapsed();
    let footprint = engine.footprint();
    let summary = engine.finish(None, &mut |_| findings += 1);

    let seconds = elapsed.as_secs_f64();
    println!(
        "{} lines ({:.1} MB) in {:.3} s: {:.0} lines/s, {:.1} MB/s",
        lines.len(),
        bytes as f64 / 1e6,
        seconds,
        lines.len() as f64 / seconds,
        bytes as f64 / 1e6 / seconds
    );
    println!(
        "state: {} stored elements in {} bytes: {:.1} bytes per element",
        footprint.stored_elements,
        footprint.state_bytes,
        footprint.state_bytes as f64 / footprint.stored_elements.max(1) as f64
    );
    println!(
        "open obligations: {}; findings: {findings}; evaluated: {}; rejected: {}",
        footprint.open_obligations, summary.evaluated, summary.rejected
    );
    if let Some(kb) = peak_rss_kb() {
        println!("peak resident size: {:.1} MB", kb as f64 / 1024.0);
    }
}
