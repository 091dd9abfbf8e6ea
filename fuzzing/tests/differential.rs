//! The runtime's verdicts against a reference evaluator, on generated policies and streams.
//!
//! The policies are the structure-aware fuzz target's [`Policy`] over the toy vocabulary;
//! the reference evaluates them directly from that structure, event by event, with no index,
//! plan or cache: slow and plainly right. Both must give the same violations, overdue and open
//! findings, by rule, line and kind.

#![allow(
    clippy::expect_used,
    reason = "a test fails loudly when a generated program does not load"
)]

use std::collections::BTreeSet;

use edict_compiler::Workspace;
use edict_fuzzing::library;
use edict_fuzzing::program::{
    Article, Body, Cmp, Cond, Const, IntField, Optional, Policy, Rule, Storage, StrField, Trigger,
    purpose, subject,
};
use edict_runtime::engine::{Engine, run_stream};
use edict_runtime::ir::Program;

/// A small deterministic generator (xorshift), so a failure names its seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    fn byte(&mut self) -> u8 {
        self.below(256) as u8
    }
}

// ---------------------------------------------------------------------------------------------
// Generating policies the compiler accepts most of the time

/// A condition over the trigger; a deletion has only its subject. A bare `true` or `false`
/// stands only inside a connective, as a condition of its own is reported as constant.
fn cond(rng: &mut Rng, depth: u32, deletion: bool, nested: bool) -> Cond {
    let leaf = depth == 0 || rng.chance(40);
    if leaf && deletion {
        return Cond::Str(StrField::Subject, rng.chance(50), rng.byte());
    }
    if leaf {
        return match rng.below(7) {
            0 if nested => Cond::Bool(rng.chance(50)),
            0 => Cond::Int(IntField::Retention, Cmp::Gt, rng.below(5) as i16),
            1 => {
                let cmp =
                    [Cmp::Eq, Cmp::Ne, Cmp::Lt, Cmp::Le, Cmp::Gt, Cmp::Ge][rng.below(6) as usize];
                Cond::Int(IntField::Retention, cmp, rng.below(20) as i16)
            }
            2 => {
                // An age comparison guarded by `has`, as the compiler requires.
                let cmp = [Cmp::Lt, Cmp::Ge, Cmp::Eq][rng.below(3) as usize];
                Cond::And(vec![
                    Cond::Has(Optional::Age),
                    Cond::Int(IntField::Age, cmp, rng.below(30) as i16),
                ])
            }
            3 => {
                let field = if rng.chance(50) {
                    StrField::Subject
                } else {
                    StrField::Purpose
                };
                Cond::Str(field, rng.chance(50), rng.byte())
            }
            4 => Cond::Storage(
                rng.chance(50),
                if rng.chance(50) {
                    Storage::Device
                } else {
                    Storage::Server
                },
            ),
            5 => {
                Cond::Has([Optional::Age, Optional::Consent, Optional::Tags][rng.below(3) as usize])
            }
            _ => {
                let items = (0..rng.below(3) + 1).map(|_| rng.byte()).collect();
                if rng.chance(50) {
                    Cond::InPurposes(items)
                } else {
                    Cond::InConst(0)
                }
            }
        };
    }
    match rng.below(3) {
        0 => Cond::Not(Box::new(cond(rng, depth - 1, deletion, nested))),
        1 => Cond::And(
            (0..rng.below(3) + 2)
                .map(|_| cond(rng, depth - 1, deletion, true))
                .collect(),
        ),
        _ => Cond::Or(
            (0..rng.below(3) + 2)
                .map(|_| cond(rng, depth - 1, deletion, true))
                .collect(),
        ),
    }
}

fn policy(rng: &mut Rng) -> Policy {
    let articles = (0..rng.below(2) + 1)
        .map(|a| Article {
            // Articles 1 and 3 of the toy outline, each at most once.
            number: if a == 0 { 0 } else { 2 },
            paragraph: None,
            rules: (0..rng.below(3) + 1)
                .map(|_| {
                    let deletion = rng.chance(20);
                    let trigger = if deletion {
                        Trigger::Deletion
                    } else {
                        Trigger::Enrollment
                    };
                    Rule {
                        trigger,
                        when: rng.chance(50).then(|| cond(rng, 2, deletion, false)),
                        body: match rng.below(6) {
                            0 | 1 => Body::Require(cond(rng, 3, deletion, false)),
                            2 | 3 => Body::Prohibit(cond(rng, 3, deletion, false)),
                            4 => Body::Once {
                                forbid: rng.chance(50),
                            },
                            _ => Body::Deadline {
                                days: rng.below(6) as u8,
                            },
                        },
                        unless: rng.chance(30).then(|| cond(rng, 1, deletion, false)),
                    }
                })
                .collect(),
        })
        .collect();
    Policy {
        chinese: rng.chance(30),
        consts: vec![Const::Purposes(vec![rng.byte(), rng.byte()])],
        articles,
    }
}

// ---------------------------------------------------------------------------------------------
// Streams

#[derive(Clone, Debug)]
struct Event {
    deletion: bool,
    /// Seconds since 2025-05-30T00:00:00+08:00.
    at: i64,
    subject: String,
    purpose: &'static str,
    age: Option<i64>,
    consent: bool,
    tags: bool,
    storage: Storage,
    retention: i64,
}

/// 2025-05-30T00:00:00+08:00 in Unix seconds.
const ORIGIN: i64 = 1_748_534_400;
/// 2025-06-01T00:00:00+08:00, the toy regulation's effective instant.
const EFFECTIVE: i64 = ORIGIN + 2 * 86_400;

fn stream(rng: &mut Rng) -> Vec<Event> {
    let mut at = 0;
    (0..rng.below(12) + 1)
        .map(|_| {
            at += rng.below(3 * 86_400) as i64;
            Event {
                deletion: rng.chance(30),
                at,
                subject: subject(rng.byte()),
                purpose: purpose(rng.byte()),
                age: rng.chance(60).then(|| rng.below(30) as i64),
                consent: rng.chance(50),
                tags: rng.chance(30),
                storage: if rng.chance(50) {
                    Storage::Device
                } else {
                    Storage::Server
                },
                retention: rng.below(8) as i64,
            }
        })
        .collect()
}

fn json_line(e: &Event) -> String {
    let second = ORIGIN + e.at;
    let time = edict_runtime::time::format_rfc3339(second, 0, 8 * 3600);
    if e.deletion {
        return format!(
            r#"{{"type":"deletion","time":"{time}","processor":"p","subject":"{}"}}"#,
            e.subject
        );
    }
    let mut line = format!(
        r#"{{"type":"enrollment","time":"{time}","processor":"p","subject":"{}","storage":"{}","basis":"law","purpose":"{}","retention_days":{}"#,
        e.subject,
        match e.storage {
            Storage::Device => "device",
            Storage::Server => "server",
        },
        e.purpose,
        e.retention
    );
    if let Some(age) = e.age {
        line.push_str(&format!(r#","age":{age}"#));
    }
    if e.consent {
        line.push_str(r#","consent":{"separate":true,"given_by":"subject"}"#);
    }
    if e.tags {
        line.push_str(r#","tags":["a"]"#);
    }
    line.push('}');
    line
}

// ---------------------------------------------------------------------------------------------
// The reference evaluator

fn holds(c: &Cond, e: &Event, consts: &[Const]) -> bool {
    match c {
        Cond::Bool(b) => *b,
        Cond::Int(field, cmp, n) => {
            let value = match field {
                IntField::Retention => e.retention,
                IntField::Age => e.age.unwrap_or_else(|| panic!("an unguarded age")),
            };
            cmp.holds(value, i64::from(n.unsigned_abs()))
        }
        Cond::Str(field, equal, n) => {
            let (value, want) = match field {
                StrField::Subject => (e.subject.clone(), subject(*n)),
                StrField::Purpose => (e.purpose.to_owned(), purpose(*n).to_owned()),
            };
            (value == want) == *equal
        }
        Cond::Storage(equal, storage) => (e.storage == *storage) == *equal,
        Cond::Has(Optional::Age) => e.age.is_some(),
        Cond::Has(Optional::Consent) => e.consent,
        Cond::Has(Optional::Tags) => e.tags,
        Cond::InPurposes(items) => items.iter().any(|&n| purpose(n) == e.purpose),
        Cond::InConst(n) => match consts.get(usize::from(n % 4)) {
            Some(Const::Purposes(items)) => items.iter().any(|&n| purpose(n) == e.purpose),
            _ => panic!("a constant that is not a set of purposes"),
        },
        Cond::Not(inner) => !holds(inner, e, consts),
        Cond::And(parts) => parts.iter().all(|p| holds(p, e, consts)),
        Cond::Or(parts) => parts.is_empty() || parts.iter().any(|p| holds(p, e, consts)),
    }
}

/// The day number (days since 1970-01-01) of an instant in Asia/Shanghai (no daylight saving).
fn day(second: i64) -> i64 {
    (second + 8 * 3600).div_euclid(86_400)
}

type Found = BTreeSet<(String, u64, &'static str)>;

fn reference(policy: &Policy, events: &[Event]) -> Found {
    let mut found = Found::new();
    let close = events.last().map_or(0, |e| ORIGIN + e.at);
    for (a, article) in policy.articles.iter().enumerate() {
        let clause = format!("toy/art{}", article.number % 4 + 1);
        for (r, rule) in article.rules.iter().enumerate() {
            let id = format!("{clause}/r{a}-{r}");
            for (i, e) in events.iter().enumerate() {
                let line = i as u64 + 1;
                let second = ORIGIN + e.at;
                if e.deletion != (rule.trigger == Trigger::Deletion) || second < EFFECTIVE {
                    continue;
                }
                if rule
                    .when
                    .as_ref()
                    .is_some_and(|w| !holds(w, e, &policy.consts))
                    || rule
                        .unless
                        .as_ref()
                        .is_some_and(|u| holds(u, e, &policy.consts))
                {
                    continue;
                }
                let earlier_deletion = || {
                    events[..i]
                        .iter()
                        .any(|d| d.deletion && d.subject == e.subject)
                };
                match &rule.body {
                    Body::Require(c) if !holds(c, e, &policy.consts) => {
                        found.insert((id.clone(), line, "violation"));
                    }
                    Body::Prohibit(c) if holds(c, e, &policy.consts) => {
                        found.insert((id.clone(), line, "violation"));
                    }
                    Body::Once { forbid } if earlier_deletion() == *forbid => {
                        found.insert((id.clone(), line, "violation"));
                    }
                    Body::Deadline { days } => {
                        let due_day = day(second) + i64::from(days % 40);
                        // The end of the due day in Shanghai.
                        let due = (due_day + 1) * 86_400 - 8 * 3600;
                        let met = events[i + 1..]
                            .iter()
                            .any(|d| d.deletion && d.subject == e.subject && ORIGIN + d.at < due);
                        if !met {
                            let kind = if due <= close { "overdue" } else { "open" };
                            found.insert((id.clone(), line, kind));
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    found
}

fn runtime(program: &Program, events: &[Event]) -> Found {
    let engine = Engine::new(program.clone()).expect("a compiled program loads");
    let text: String = events.iter().map(|e| json_line(e) + "\n").collect();
    let mut found = Found::new();
    let summary = run_stream(engine, text.as_bytes(), None, &mut |f| {
        let kind = match f.finding {
            edict_runtime::finding::FindingKind::Violation => "violation",
            edict_runtime::finding::FindingKind::Overdue => "overdue",
            edict_runtime::finding::FindingKind::Open => "open",
            edict_runtime::finding::FindingKind::InputError => {
                panic!("a generated line was rejected: {}", f.message)
            }
        };
        found.insert((f.rule.as_deref().unwrap_or("").to_owned(), f.line, kind));
    })
    .expect("reading from memory cannot fail");
    assert!(summary.is_balanced());
    found
}

#[test]
fn the_runtime_agrees_with_the_reference_evaluator() {
    let mut compiled = 0;
    let mut findings = 0;
    for seed in 1..=400_u64 {
        let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
        let policy = policy(&mut rng);
        let text = policy.render();
        let mut ws = Workspace::default();
        let package = library::load(&mut ws, &[("input.edict", &text)]);
        let Some(program) = ws.program(&package) else {
            if std::env::var_os("EDICT_DIFF_VERBOSE").is_some() {
                for d in ws.diagnostics(&package) {
                    eprintln!("seed {seed}: {} {}", d.code.as_str(), d.message.en);
                }
            }
            continue;
        };
        compiled += 1;
        for _ in 0..5 {
            let events = stream(&mut rng);
            let want = reference(&policy, &events);
            let got = runtime(&program, &events);
            findings += want.len();
            assert_eq!(
                got,
                want,
                "seed {seed}\n{text}\n{}",
                events.iter().map(json_line).collect::<Vec<_>>().join("\n")
            );
        }
    }
    // The generator must exercise the runtime, not only the compiler's errors.
    assert!(compiled > 200, "only {compiled} of 400 policies compiled");
    assert!(findings > 1000, "only {findings} findings");
}
