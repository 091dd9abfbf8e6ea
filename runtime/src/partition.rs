//! Partitioning a stream by the field its vocabulary declares with `partition by FIELD`.
//!
//! A program can be judged partition by partition — each partition by an engine of its own, on
//! another core or another machine — when nothing it remembers links events of two partitions:
//!
//! - every state is keyed by the partition field (`state S: … per FIELD`), so a key's set or
//!   count, and the `reaches` rules on it, see only events of one partition;
//! - every `once` pattern requires the remembered event's partition field to equal the
//!   trigger's (`where x.FIELD == e.FIELD and …`), and every `reset by` pattern the reset's to
//!   equal the remembered event's;
//! - every deadline's pattern requires the discharging event's partition field to equal the
//!   trigger's (or, for a `reaches` trigger, the state's key).
//!
//! The equalities must be top-level conjuncts of the pattern's condition (an `or` could let
//! another partition's event match). Per-event `require` and `prohibit` rules and exemptions
//! read one event and never stand in the way.
//!
//! Then the findings of a partitioned run are those of one engine over the whole stream, given
//! the same events: the same events accepted (the lateness of an event is measured against the
//! whole stream's latest time, [`Admission`]) and the same close time. [`Partitioning::of`]
//! checks a program and names every [`Obstacle`]; the compiler reports them with their place
//! in the source.

use std::fmt;

use crate::event::Event;
use crate::ir::{
    Body, CmpOp, Expr, PATTERN_SLOT, Program, RESET_SLOT, RuleId, Slot, TRIGGER_SLOT, Trigger,
    Type, Value,
};
use crate::time;

/// How a program's stream is partitioned: the field, and where it is in every event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Partitioning {
    field: String,
    index: usize,
}

/// What prevents a program from being judged partition by partition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Obstacle {
    /// The vocabulary declares no `partition by`.
    Undeclared,
    /// The declared field is not a required scalar field at the same place in every event
    /// type (the compiler requires a required field of `common`).
    BadField { field: String },
    /// A state is keyed by something else than the partition field.
    State { state: String },
    /// A `once` rule may remember an event of another partition than its trigger's.
    Once { rule: RuleId },
    /// A `reset by` pattern (by its number) may cancel events of another partition.
    Reset { rule: RuleId, reset: usize },
    /// A deadline may be met by an event of another partition than its trigger's.
    Deadline { rule: RuleId },
}

impl fmt::Display for Obstacle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Obstacle::Undeclared => f.write_str("its vocabulary declares no `partition by` field"),
            Obstacle::BadField { field } => write!(
                f,
                "the partition field `{field}` is not a required field of every event type"
            ),
            Obstacle::State { state } => write!(
                f,
                "state `{state}` is not keyed by the partition field, so one key may gather events of several partitions"
            ),
            Obstacle::Once { rule } => write!(
                f,
                "rule `{rule}` may find an earlier event of another partition: its `once` pattern does not require the partition field to equal the trigger's"
            ),
            Obstacle::Reset { rule, reset } => write!(
                f,
                "rule `{rule}`: `reset by` pattern {} may cancel an event of another partition: it does not require the partition field to equal the remembered event's",
                reset + 1
            ),
            Obstacle::Deadline { rule } => write!(
                f,
                "rule `{rule}` may be met by an event of another partition: its deadline pattern does not require the partition field to equal the trigger's"
            ),
        }
    }
}

impl Partitioning {
    /// Checks that `program` can be judged partition by partition, naming every obstacle.
    pub fn of(program: &Program) -> Result<Partitioning, Vec<Obstacle>> {
        let vocabulary = &program.vocabulary;
        let Some(field) = vocabulary.partition.clone() else {
            return Err(vec![Obstacle::Undeclared]);
        };
        let index = vocabulary
            .events
            .first()
            .and_then(|e| e.fields.iter().position(|f| f.name == field));
        let scalar = |ty: &Type| matches!(ty, Type::String | Type::Int | Type::Enum(_));
        let same_everywhere = index.is_some_and(|index| {
            vocabulary.events.iter().all(|e| {
                e.fields
                    .get(index)
                    .is_some_and(|f| f.name == field && f.required && scalar(&f.ty))
            })
        });
        let Some(index) = index.filter(|_| same_everywhere) else {
            return Err(vec![Obstacle::BadField { field }]);
        };
        let p = Partitioning { field, index };
        let mut obstacles = Vec::new();
        for state in &program.states {
            if !state
                .updates
                .iter()
                .all(|u| p.is_field(&u.key, TRIGGER_SLOT))
            {
                obstacles.push(Obstacle::State {
                    state: state.name.clone(),
                });
            }
        }
        for rule in &program.rules {
            // What stands for the trigger's partition: its field, or a `reaches` key.
            let by_key = matches!(rule.trigger, Trigger::Reaches { .. });
            let trigger_side = |e: &Expr| {
                if by_key {
                    matches!(e, Expr::Slot(TRIGGER_SLOT))
                } else {
                    p.is_field(e, TRIGGER_SLOT)
                }
            };
            match &rule.body {
                Body::Require(_) | Body::Prohibit(_) => {}
                Body::Once {
                    pattern, resets, ..
                } => {
                    if !p.equates(pattern.condition.as_ref(), PATTERN_SLOT, &trigger_side) {
                        obstacles.push(Obstacle::Once {
                            rule: rule.id.clone(),
                        });
                    }
                    for (reset, r) in resets.iter().enumerate() {
                        let remembered = |e: &Expr| p.is_field(e, PATTERN_SLOT);
                        if !p.equates(r.condition.as_ref(), RESET_SLOT, &remembered) {
                            obstacles.push(Obstacle::Reset {
                                rule: rule.id.clone(),
                                reset,
                            });
                        }
                    }
                }
                Body::Deadline { pattern, .. } => {
                    if !p.equates(pattern.condition.as_ref(), PATTERN_SLOT, &trigger_side) {
                        obstacles.push(Obstacle::Deadline {
                            rule: rule.id.clone(),
                        });
                    }
                }
            }
        }
        if obstacles.is_empty() {
            Ok(p)
        } else {
            Err(obstacles)
        }
    }

    /// The partition field's name.
    pub fn field(&self) -> &str {
        &self.field
    }

    /// The partition field's value in an event of the program's vocabulary.
    pub fn key<'a>(&self, event: &'a Event) -> Option<&'a Value> {
        event.fields.get(self.index).and_then(Option::as_ref)
    }

    /// Which of `shards` partitions an event belongs to (0 when it has no key, which a
    /// decoded event of the vocabulary always has).
    pub fn shard(&self, event: &Event, shards: usize) -> usize {
        self.key(event).map_or(0, |key| shard_of(key, shards))
    }

    /// Whether `e` reads the partition field of the event in `slot`.
    fn is_field(&self, e: &Expr, slot: Slot) -> bool {
        matches!(e, Expr::Field { slot: s, path } if *s == slot && path.as_slice() == [self.index as u32])
    }

    /// Whether `condition` has a top-level conjunct `x.FIELD == other`, with `x` the event in
    /// `slot` and `other` what `other_side` accepts.
    fn equates(
        &self,
        condition: Option<&Expr>,
        slot: Slot,
        other_side: &dyn Fn(&Expr) -> bool,
    ) -> bool {
        let mut conjuncts = Vec::new();
        if let Some(c) = condition {
            flatten_and(c, &mut conjuncts);
        }
        conjuncts.iter().any(|c| match c {
            Expr::Cmp {
                op: CmpOp::Eq,
                lhs,
                rhs,
            } => {
                (self.is_field(lhs, slot) && other_side(rhs))
                    || (self.is_field(rhs, slot) && other_side(lhs))
            }
            _ => false,
        })
    }
}

fn flatten_and<'a>(e: &'a Expr, out: &mut Vec<&'a Expr>) {
    match e {
        Expr::And(items) => items.iter().for_each(|i| flatten_and(i, out)),
        other => out.push(other),
    }
}

/// The partition (of `shards`) a key value belongs to: a stable hash (FNV-1a, 64 bits) of the
/// value, the same in every process and on every machine.
pub fn shard_of(key: &Value, shards: usize) -> usize {
    if shards <= 1 {
        return 0;
    }
    // FNV-1a, 64 bits: its offset basis and prime.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut feed = |bytes: &[u8]| {
        for &b in bytes {
            hash ^= u64::from(b);
            hash = hash.wrapping_mul(1_099_511_628_211);
        }
    };
    match key {
        Value::Str(s) => feed(s.as_bytes()),
        Value::Int(i) => feed(&i.to_le_bytes()),
        Value::Enum(e, v) => {
            feed(&e.to_le_bytes());
            feed(&v.to_le_bytes());
        }
        Value::Bool(b) => feed(&[u8::from(*b)]),
        other => feed(format!("{other:?}").as_bytes()),
    }
    (hash % shards as u64) as usize
}

/// The lateness rule of one stream judged in parts: an event is accepted when its time is not
/// before the latest time accepted so far, over the whole stream, less the allowed lateness —
/// exactly as one engine judging the whole stream decides, with the same message.
#[derive(Clone, Debug, Default)]
pub struct Admission {
    latest: Option<i64>,
    lateness: i64,
}

impl Admission {
    /// A stream with this allowed lateness (seconds; a negative one counts as zero).
    pub fn new(allowed_lateness_seconds: i64) -> Admission {
        Admission {
            latest: None,
            lateness: allowed_lateness_seconds.max(0),
        }
    }

    /// Accepts the event (its time moves the stream on) or says why it is too late.
    pub fn admit(&mut self, event: &Event) -> Result<(), String> {
        if let Some(watermark) = self.watermark()
            && event.time < watermark
        {
            return Err(late_message(
                event,
                watermark,
                "the latest time seen less the allowed lateness",
                self.lateness,
            ));
        }
        self.latest = Some(self.latest.map_or(event.time, |l| l.max(event.time)));
        Ok(())
    }

    /// The latest time accepted so far.
    pub fn latest(&self) -> Option<i64> {
        self.latest
    }

    /// The time before which no event is accepted any more.
    pub fn watermark(&self) -> Option<i64> {
        self.latest.map(|l| l.saturating_sub(self.lateness))
    }
}

/// The input error of an event that arrived too late.
pub(crate) fn late_message(event: &Event, watermark: i64, why: &str, lateness: i64) -> String {
    format!(
        "event time {} is earlier than the stream's watermark {} ({why}); events may arrive at most {lateness} seconds out of order",
        event.time_rfc3339(),
        time::format_rfc3339(watermark, 0, event.time_offset_seconds),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_are_stable_and_spread() {
        let key = Value::Str("acme-estate".into());
        assert_eq!(shard_of(&key, 1), 0);
        assert_eq!(shard_of(&key, 4), shard_of(&key, 4));
        let mut seen = [0usize; 4];
        for i in 0..400 {
            seen[shard_of(&Value::Str(format!("p-{i}")), 4)] += 1;
        }
        assert!(seen.iter().all(|&n| n > 50), "{seen:?}");
    }
}
