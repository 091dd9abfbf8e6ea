//! Finding remembered events without scanning them: join plans and hash indexes.
//!
//! A `once` rule remembers earlier events, a deadline remembers its open obligations, and a
//! `reset by` pattern must find the remembered events it cancels.
//! In each case a new event (the *probe*) must be matched against remembered items by a
//! condition over two slots.
//! At load time, [`JoinPlan::new`] takes the equality conjuncts at the top level of that
//! condition whose one side reads only the remembered slot and whose other side reads only the
//! probe slot (or only constants).
//! Remembered items are kept in an [`Index`] under the values of their sides; a probe
//! evaluates its sides and looks up the one bucket that can match, and only the items there are
//! checked against the whole condition.
//! A condition without such a conjunct gives an empty key: every item is in one bucket, which
//! is then a plain list.

use std::hash::{BuildHasher, Hash, Hasher};

use hashbrown::HashTable;

use crate::eval::{Env, Operand, eval_bool, eval_operand};
use crate::ir::{CmpOp, Expr, Slot, Value};

/// The most equality conjuncts a plan uses; further ones are checked with the whole condition.
pub(crate) const MAX_KEY: usize = 4;

static TRUE: Value = Value::Bool(true);
static FALSE: Value = Value::Bool(false);

/// The hasher of the runtime's tables.
pub(crate) type Hashing = foldhash::fast::RandomState;

/// The equality conjuncts of a condition that join a remembered slot to a probe slot.
#[derive(Clone, Debug, Default)]
pub(crate) struct JoinPlan {
    /// The sides read from the remembered item, in conjunct order.
    remembered: Vec<Expr>,
    /// The sides read from the probe, in the same order.
    probe: Vec<Expr>,
    /// The conjuncts of the condition not taken into the key.
    residual: Vec<Expr>,
    /// The conjuncts (in the key or not) that read the remembered slot and nothing else but
    /// constants: an item that fails one can never match a probe.
    filter: Vec<Expr>,
}

impl JoinPlan {
    /// Finds the conjuncts of `condition` that compare an expression over `remembered` alone with
    /// one over `probe` alone (or over constants alone).
    pub(crate) fn new(condition: Option<&Expr>, remembered: Slot, probe: Slot) -> JoinPlan {
        let mut plan = JoinPlan::default();
        let conjuncts: &[Expr] = match condition {
            Some(Expr::And(items)) => items,
            Some(other) => std::slice::from_ref(other),
            None => &[],
        };
        for conjunct in conjuncts {
            let mask = slots(conjunct);
            if mask & (1 << remembered) != 0 && mask & !(1 << remembered) == 0 {
                plan.filter.push(conjunct.clone());
            }
            let Expr::Cmp {
                op: CmpOp::Eq,
                lhs,
                rhs,
            } = conjunct
            else {
                plan.residual.push(conjunct.clone());
                continue;
            };
            // A computed side (arithmetic, a time) has no value to borrow for a key.
            if plan.remembered.len() == MAX_KEY || !borrowable(lhs) || !borrowable(rhs) {
                plan.residual.push(conjunct.clone());
                continue;
            }
            let (l, r) = (slots(lhs), slots(rhs));
            let only = |mask: u8, slot: Slot| mask & !(1 << slot) == 0;
            let reads = |mask: u8, slot: Slot| mask & (1 << slot) != 0;
            // One side reads the remembered slot and the other only the probe (or nothing), or
            // one side reads the probe and the other only the remembered slot (or nothing).
            let joins = |a: u8, b: u8| {
                (reads(a, remembered) && only(a, remembered) && only(b, probe))
                    || (reads(b, probe) && only(b, probe) && only(a, remembered))
            };
            if joins(l, r) {
                plan.remembered.push((**lhs).clone());
                plan.probe.push((**rhs).clone());
            } else if joins(r, l) {
                plan.remembered.push((**rhs).clone());
                plan.probe.push((**lhs).clone());
            } else {
                plan.residual.push(conjunct.clone());
            }
        }
        plan
    }

    /// Whether the part of the condition outside the key reads nothing but the remembered slot
    /// (and constants): whether an item matches then depends only on the item and its key.
    pub(crate) fn residual_reads_only(&self, remembered: Slot) -> bool {
        self.residual
            .iter()
            .all(|e| slots(e) & !(1u8 << remembered) == 0)
    }

    /// Whether a remembered item can match some probe: it passes the conjuncts that read it
    /// alone. One that fails need not be remembered.
    pub(crate) fn may_match(&self, env: &Env<'_>) -> bool {
        self.filter.iter().all(|c| eval_bool(c, env))
    }

    /// The key of a remembered item; `None` when a side is missing, so that no probe can match.
    pub(crate) fn remembered_key<'a>(&'a self, env: &Env<'a>) -> Option<Key<'a>> {
        Key::of(&self.remembered, env)
    }

    /// The key a probe looks up; `None` when a side is missing, so that nothing can match.
    pub(crate) fn probe_key<'a>(&'a self, env: &Env<'a>) -> Option<Key<'a>> {
        Key::of(&self.probe, env)
    }
}

/// The slots an expression reads, as a bit mask.
fn slots(expr: &Expr) -> u8 {
    match expr {
        Expr::Const(_) => 0,
        Expr::Slot(slot) | Expr::Field { slot, .. } | Expr::Has { slot, .. } => {
            1u8.checked_shl(u32::from(*slot)).unwrap_or(0x80)
        }
        Expr::Not(inner) => slots(inner),
        Expr::And(items) | Expr::Or(items) => items.iter().fold(0, |m, e| m | slots(e)),
        Expr::Cmp { lhs, rhs, .. } => slots(lhs) | slots(rhs),
        Expr::In { element, set } => slots(element) | slots(set),
        Expr::EventTime(slot) => 1u8.checked_shl(u32::from(*slot)).unwrap_or(0x80),
        Expr::TimePart { time, .. } => slots(time),
        Expr::Arith { lhs, rhs, .. } => slots(lhs) | slots(rhs),
        // A `once` condition depends on the engine's memory: never a side of a join.
        Expr::Once(_) => 0x80,
    }
}

/// Whether an expression's value is borrowed from an event or the program (or is a condition),
/// rather than computed.
fn borrowable(expr: &Expr) -> bool {
    !matches!(
        expr,
        Expr::EventTime(_) | Expr::TimePart { .. } | Expr::Arith { .. } | Expr::Once(_)
    )
}

/// The values of a key, borrowed from events and the program: no allocation.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Key<'a> {
    values: [&'a Value; MAX_KEY],
    len: usize,
}

impl<'a> Key<'a> {
    fn of(exprs: &'a [Expr], env: &Env<'a>) -> Option<Key<'a>> {
        let mut key = Key {
            values: [&FALSE; MAX_KEY],
            len: 0,
        };
        for expr in exprs.iter().take(MAX_KEY) {
            let value = match eval_operand(expr, env) {
                Operand::Missing => return None,
                Operand::Bool(true) => &TRUE,
                Operand::Bool(false) => &FALSE,
                Operand::Value(value) => value,
                // Plans take no computed side (see `borrowable`).
                Operand::Int(_) | Operand::Time(_) | Operand::Date(_) => return None,
            };
            key.values[key.len] = value;
            key.len += 1;
        }
        Some(key)
    }

    fn values(&self) -> &[&'a Value] {
        &self.values[..self.len]
    }
}

/// The items of one bucket, in the order they were added: most keys hold one item, kept in
/// the bucket itself.
#[derive(Clone, Debug)]
enum Items {
    One(u32),
    /// Boxed so that a bucket of one item stays small.
    #[expect(
        clippy::box_collection,
        reason = "a bucket is 24 bytes with a boxed list, 32 with the list itself"
    )]
    Many(Box<Vec<u32>>),
}

impl Items {
    fn as_slice(&self) -> &[u32] {
        match self {
            Items::One(item) => std::slice::from_ref(item),
            Items::Many(items) => items,
        }
    }

    fn first(&self) -> u32 {
        match self {
            Items::One(item) => *item,
            Items::Many(items) => items.first().copied().unwrap_or(u32::MAX),
        }
    }
}

/// One bucket: the items remembered under one key. The key itself is not stored: it is read
/// from the bucket's first item when a probe's key is compared with it.
#[derive(Clone, Debug)]
struct Bucket {
    hash: u64,
    items: Items,
}

/// Items (numbers into a [`Slab`]) by key.
///
/// The index keeps no copy of its keys: each method takes `same`, which tells whether the item
/// of that number is remembered under the key given (by reading its key from the item).
#[derive(Clone, Debug, Default)]
pub(crate) struct Index {
    table: HashTable<Bucket>,
    hashing: Hashing,
}

impl Index {
    fn hash(&self, key: &Key<'_>) -> u64 {
        let mut hasher = self.hashing.build_hasher();
        for value in key.values() {
            value.hash(&mut hasher);
        }
        hasher.finish()
    }

    /// Adds an item under a key.
    pub(crate) fn insert(&mut self, key: &Key<'_>, item: u32, same: impl Fn(u32) -> bool) {
        let hash = self.hash(key);
        let entry = self.table.entry(
            hash,
            |b| b.hash == hash && same(b.items.first()),
            |b| b.hash,
        );
        match entry {
            hashbrown::hash_table::Entry::Occupied(mut bucket) => {
                let items = &mut bucket.get_mut().items;
                match items {
                    Items::One(first) => *items = Items::Many(Box::new(vec![*first, item])),
                    Items::Many(list) => list.push(item),
                }
            }
            hashbrown::hash_table::Entry::Vacant(place) => {
                place.insert(Bucket {
                    hash,
                    items: Items::One(item),
                });
            }
        }
    }

    /// The items under a key.
    pub(crate) fn get(&self, key: &Key<'_>, same: impl Fn(u32) -> bool) -> &[u32] {
        let hash = self.hash(key);
        self.table
            .find(hash, |b| b.hash == hash && same(b.items.first()))
            .map_or(&[], |b| b.items.as_slice())
    }

    /// Keeps the items under a key for which `keep` holds, dropping the bucket if none is left.
    pub(crate) fn retain(
        &mut self,
        key: &Key<'_>,
        same: impl Fn(u32) -> bool,
        mut keep: impl FnMut(u32) -> bool,
    ) {
        let hash = self.hash(key);
        let Ok(mut bucket) = self
            .table
            .find_entry(hash, |b| b.hash == hash && same(b.items.first()))
        else {
            return;
        };
        let items = &mut bucket.get_mut().items;
        let empty = match items {
            Items::One(item) => !keep(*item),
            Items::Many(list) => {
                list.retain(|&item| keep(item));
                if let [only] = list.as_slice() {
                    *items = Items::One(*only);
                    false
                } else {
                    list.is_empty()
                }
            }
        };
        if empty {
            bucket.remove();
        }
    }

    /// Makes room for `n` more keys.
    pub(crate) fn reserve(&mut self, n: usize) {
        self.table.reserve(n, |b| b.hash);
    }

    /// Removes one item from under a key.
    pub(crate) fn remove(&mut self, key: &Key<'_>, item: u32, same: impl Fn(u32) -> bool) {
        self.retain(key, same, |other| other != item);
    }
}

impl Key<'_> {
    /// Whether two keys hold equal values.
    pub(crate) fn same_as(&self, other: &Key<'_>) -> bool {
        self.len == other.len
            && self
                .values()
                .iter()
                .zip(other.values())
                .all(|(a, b)| a == b)
    }
}

/// Items numbered by their place in a vector, whose freed places are reused.
#[derive(Clone, Debug)]
pub(crate) struct Slab<T> {
    items: Vec<Option<T>>,
    free: Vec<u32>,
}

impl<T> Default for Slab<T> {
    fn default() -> Self {
        Slab {
            items: Vec::new(),
            free: Vec::new(),
        }
    }
}

impl<T> Slab<T> {
    /// Stores an item and gives its number; `None` when four billion items are held.
    pub(crate) fn insert(&mut self, item: T) -> Option<u32> {
        match self.free.pop() {
            Some(id) => {
                if let Some(place) = self.items.get_mut(id as usize) {
                    *place = Some(item);
                }
                Some(id)
            }
            None => {
                let id = u32::try_from(self.items.len()).ok()?;
                self.items.push(Some(item));
                Some(id)
            }
        }
    }

    pub(crate) fn get(&self, id: u32) -> Option<&T> {
        self.items.get(id as usize)?.as_ref()
    }

    pub(crate) fn remove(&mut self, id: u32) -> Option<T> {
        let item = self.items.get_mut(id as usize)?.take()?;
        self.free.push(id);
        Some(item)
    }

    /// The number of items held.
    pub(crate) fn len(&self) -> usize {
        self.items.len() - self.free.len()
    }

    /// Makes room for `n` more items.
    pub(crate) fn reserve(&mut self, n: usize) {
        self.items.reserve(n);
    }

    /// The items held, in the order of their numbers.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &T> {
        self.items.iter().flatten()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{PATTERN_SLOT, TRIGGER_SLOT};

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

    #[test]
    fn plans_take_equalities_between_the_two_slots() {
        let condition = Expr::And(vec![
            eq(field(PATTERN_SLOT, 0), field(TRIGGER_SLOT, 0)),
            eq(Expr::Slot(TRIGGER_SLOT), field(PATTERN_SLOT, 1)),
            eq(field(PATTERN_SLOT, 2), Expr::Const(Value::Int(3))),
            eq(field(PATTERN_SLOT, 2), field(PATTERN_SLOT, 3)),
            Expr::In {
                element: Box::new(field(TRIGGER_SLOT, 1)),
                set: Box::new(field(PATTERN_SLOT, 4)),
            },
        ]);
        let plan = JoinPlan::new(Some(&condition), PATTERN_SLOT, TRIGGER_SLOT);
        assert_eq!(
            plan.remembered,
            [
                field(PATTERN_SLOT, 0),
                field(PATTERN_SLOT, 1),
                field(PATTERN_SLOT, 2)
            ]
        );
        assert_eq!(
            plan.probe,
            [
                field(TRIGGER_SLOT, 0),
                Expr::Slot(TRIGGER_SLOT),
                Expr::Const(Value::Int(3))
            ]
        );
        // Seen from the other side, the constant conjunct is a probe-side test.
        let reverse = JoinPlan::new(Some(&condition), TRIGGER_SLOT, PATTERN_SLOT);
        assert_eq!(reverse.probe.len(), 3);
        assert!(
            JoinPlan::new(None, PATTERN_SLOT, TRIGGER_SLOT)
                .remembered
                .is_empty()
        );
    }

    #[test]
    fn index_buckets_by_value() {
        let mut index = Index::default();
        let a: &'static Value = Box::leak(Box::new(Value::Str("a".to_owned())));
        let b: &'static Value = Box::leak(Box::new(Value::Str("b".to_owned())));
        let key = |v: &'static Value| Key {
            values: [v, &FALSE, &FALSE, &FALSE],
            len: 1,
        };
        // Items 1 and 2 are remembered under `a`, item 3 under `b`.
        let value_of = |item: u32| if item == 3 { b } else { a };
        let under = |v: &'static Value| move |item: u32| value_of(item) == v;
        index.insert(&key(a), 1, under(a));
        index.insert(&key(a), 2, under(a));
        index.insert(&key(b), 3, under(b));
        assert_eq!(index.get(&key(a), under(a)), [1, 2]);
        assert_eq!(index.get(&key(b), under(b)), [3]);
        index.remove(&key(a), 1, under(a));
        assert_eq!(index.get(&key(a), under(a)), [2]);
        index.remove(&key(a), 2, under(a));
        assert!(index.get(&key(a), under(a)).is_empty());
        assert_eq!(index.table.len(), 1);
        assert!(key(a).same_as(&key(a)) && !key(a).same_as(&key(b)));
    }

    #[test]
    fn a_bucket_of_one_item_is_small() {
        assert_eq!(size_of::<Bucket>(), 24);
    }
}
