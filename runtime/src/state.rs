//! Keyed state: a set or a counter per key, for each of the program's states.
//!
//! Set elements are interned: each distinct string is stored once, in one text arena, and a set
//! holds 4-byte symbols, so an element shared by the sets of several keys costs its text once.
//! Symbols are never freed: the arena grows with the number of distinct elements a run sees,
//! not with the number currently in some set.
//!
//! Each state also remembers, per key and per threshold of its `reaches` triggers, the line of
//! the event that last made the key's size cross the threshold upward, and whether the key is
//! *settled* for that threshold (its rules have fired, or it needs no firing), so the engine can
//! fire a rule once per key and report where the crossing happened.

use std::hash::BuildHasher;

use hashbrown::{HashMap, HashSet, HashTable};

use crate::ir::{StateId, StateKind, Value};
use crate::join::Hashing;

mod persist;

pub(crate) use persist::Placement;

/// Symbols of values that are not strings have this bit set.
const OTHER_BIT: u32 = 1 << 31;

/// Distinct set elements, each stored once and named by a 4-byte symbol.
#[derive(Clone, Debug, Default)]
struct Interner {
    /// The text of every distinct string element, one after the other.
    text: String,
    /// Where each string symbol's text lies in `text`: start and length.
    spans: Vec<(u32, u32)>,
    /// String symbols, hashed by their text.
    strings: HashTable<u32>,
    /// Symbols of elements that are not strings (numbers, enum values, records …).
    others: HashMap<Value, u32, Hashing>,
    hashing: Hashing,
}

impl Interner {
    fn text_of(&self, symbol: u32) -> &str {
        match self.spans.get(symbol as usize) {
            Some(&(start, len)) => self
                .text
                .get(start as usize..(start as usize + len as usize))
                .unwrap_or(""),
            None => "",
        }
    }

    /// The symbol of a value already seen.
    fn lookup(&self, value: &Value) -> Option<u32> {
        match value {
            Value::Str(text) => {
                let hash = self.hashing.hash_one(text.as_str());
                self.strings
                    .find(hash, |&s| self.text_of(s) == text)
                    .copied()
            }
            other => self.others.get(other).copied(),
        }
    }

    /// The symbol of a value, made on first sight; `None` when the arena is full (4 GiB of
    /// distinct text or two billion distinct elements).
    fn intern(&mut self, value: &Value) -> Option<u32> {
        if let Value::Str(text) = value {
            return self.intern_text(text);
        }
        if let Some(symbol) = self.lookup(value) {
            return Some(symbol);
        }
        let symbol = u32::try_from(self.others.len())
            .ok()
            .filter(|s| s & OTHER_BIT == 0)?
            | OTHER_BIT;
        self.others.insert(value.clone(), symbol);
        Some(symbol)
    }

    /// The symbol of a string element, made on first sight.
    fn intern_text(&mut self, text: &str) -> Option<u32> {
        let hash = self.hashing.hash_one(text);
        if let Some(&symbol) = self.strings.find(hash, |&s| self.text_of(s) == text) {
            return Some(symbol);
        }
        let symbol = u32::try_from(self.spans.len())
            .ok()
            .filter(|s| s & OTHER_BIT == 0)?;
        let start = u32::try_from(self.text.len()).ok()?;
        let len = u32::try_from(text.len()).ok()?;
        start.checked_add(len)?;
        self.text.push_str(text);
        self.spans.push((start, len));
        let Interner {
            strings,
            hashing,
            spans,
            text: arena,
            ..
        } = self;
        strings.insert_unique(hash, symbol, |&s| {
            let (start, len) = spans.get(s as usize).copied().unwrap_or((0, 0));
            let text = arena
                .get(start as usize..(start as usize + len as usize))
                .unwrap_or("");
            hashing.hash_one(text)
        });
        Some(symbol)
    }

    fn allocated_bytes(&self) -> usize {
        self.text.capacity()
            + self.spans.capacity() * size_of::<(u32, u32)>()
            + self.strings.allocation_size()
            + self.others.allocation_size()
    }
}

/// The state of one key.
#[derive(Clone, Debug)]
struct KeyEntry {
    value: Value,
    /// The elements of a set state.
    members: HashSet<u32, Hashing>,
    /// The count of a counter state.
    count: u64,
    /// Per threshold of the state: the line of the last upward crossing, if there was one.
    crossed: Vec<Option<u64>>,
    /// Per threshold of the state: whether the key is settled for it.
    settled: Vec<bool>,
}

/// One state's keys.
#[derive(Clone, Debug)]
struct StateData {
    is_set: bool,
    keys: HashMap<Value, u32, Hashing>,
    entries: Vec<KeyEntry>,
    /// The distinct thresholds of the `reaches` triggers on this state.
    thresholds: Vec<i64>,
}

/// A change to one key of a state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Change<'a> {
    Add(&'a Value),
    Remove(&'a Value),
    Increment,
    Decrement,
}

/// A key's size crossing a threshold upward.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Crossing {
    pub state: StateId,
    /// The key's number within its state (see [`States::key`]).
    pub key: u32,
    /// The threshold's number within its state's thresholds.
    pub threshold: usize,
}

/// Every state of a program.
#[derive(Clone, Debug, Default)]
pub(crate) struct States {
    interner: Interner,
    states: Vec<StateData>,
}

impl States {
    /// Empty states of the given kinds, each with the thresholds its `reaches` triggers watch.
    pub(crate) fn new<'a>(kinds: impl IntoIterator<Item = (&'a StateKind, Vec<i64>)>) -> States {
        States {
            interner: Interner::default(),
            states: kinds
                .into_iter()
                .map(|(kind, thresholds)| StateData {
                    is_set: matches!(kind, StateKind::Set(_)),
                    keys: HashMap::default(),
                    entries: Vec::new(),
                    thresholds,
                })
                .collect(),
        }
    }

    /// Applies a change to a key, pushing to `crossings` each threshold its size crosses upward.
    pub(crate) fn apply(
        &mut self,
        state: StateId,
        key: &Value,
        change: Change<'_>,
        line: u64,
        crossings: &mut Vec<Crossing>,
    ) {
        let States { interner, states } = self;
        let Some(data) = states.get_mut(state as usize) else {
            return;
        };
        // Removing from or decrementing a key never seen changes nothing.
        let entry = match (data.keys.get(key), change) {
            (Some(&index), _) => index,
            (None, Change::Remove(_) | Change::Decrement) => return,
            (None, Change::Add(_) | Change::Increment) => {
                let Ok(index) = u32::try_from(data.entries.len()) else {
                    return;
                };
                data.keys.insert(key.clone(), index);
                data.entries.push(KeyEntry {
                    value: key.clone(),
                    members: HashSet::default(),
                    count: 0,
                    crossed: vec![None; data.thresholds.len()],
                    settled: vec![false; data.thresholds.len()],
                });
                index
            }
        };
        let Some(entry_data) = data.entries.get_mut(entry as usize) else {
            return;
        };
        let before = entry_data.size(data.is_set);
        match change {
            Change::Add(element) if data.is_set => {
                if let Some(symbol) = interner.intern(element) {
                    entry_data.members.insert(symbol);
                }
            }
            Change::Remove(element) if data.is_set => {
                if let Some(symbol) = interner.lookup(element) {
                    entry_data.members.remove(&symbol);
                }
            }
            Change::Increment => entry_data.count = entry_data.count.saturating_add(1),
            Change::Decrement => entry_data.count = entry_data.count.saturating_sub(1),
            Change::Add(_) | Change::Remove(_) => {}
        }
        let after = entry_data.size(data.is_set);
        if after <= before {
            return;
        }
        for (index, &threshold) in data.thresholds.iter().enumerate() {
            if before < threshold && threshold <= after {
                if let Some(mark) = entry_data.crossed.get_mut(index) {
                    *mark = Some(line);
                }
                crossings.push(Crossing {
                    state,
                    key: entry,
                    threshold: index,
                });
            }
        }
    }

    /// Marks a key settled for a threshold; whether it was not settled before.
    pub(crate) fn settle(&mut self, state: StateId, key: u32, threshold: usize) -> bool {
        let mark = self
            .states
            .get_mut(state as usize)
            .and_then(|d| d.entries.get_mut(key as usize))
            .and_then(|e| e.settled.get_mut(threshold));
        match mark {
            Some(settled) => !std::mem::replace(settled, true),
            None => false,
        }
    }

    /// The value of a key, by its number within its state.
    pub(crate) fn key(&self, state: StateId, key: u32) -> Option<&Value> {
        let data = self.states.get(state as usize)?;
        Some(&data.entries.get(key as usize)?.value)
    }

    /// The size of a key's set or its count; zero for a key never seen.
    pub(crate) fn size(&self, state: StateId, key: &Value) -> usize {
        let Some(data) = self.states.get(state as usize) else {
            return 0;
        };
        data.keys
            .get(key)
            .and_then(|&i| data.entries.get(i as usize))
            .map_or(0, |e| {
                usize::try_from(e.size(data.is_set)).unwrap_or(usize::MAX)
            })
    }

    /// The keys of a state whose size is at least the threshold (by number), with the line of
    /// their last upward crossing of it, in the order the keys were first seen.
    pub(crate) fn keys_at_or_above(
        &self,
        state: StateId,
        threshold: usize,
    ) -> impl Iterator<Item = (u32, u64)> + '_ {
        let data = self.states.get(state as usize);
        let limit = data.and_then(|d| d.thresholds.get(threshold)).copied();
        data.into_iter()
            .flat_map(|d| d.entries.iter().map(move |e| (d.is_set, e)))
            .enumerate()
            .filter_map(move |(index, (is_set, entry))| {
                let limit = limit?;
                let line = (*entry.crossed.get(threshold)?)?;
                (entry.size(is_set) >= limit)
                    .then(|| Some((u32::try_from(index).ok()?, line)))
                    .flatten()
            })
    }

    /// The number of elements held in all sets, counting an element once per set.
    pub(crate) fn stored_elements(&self) -> usize {
        self.states
            .iter()
            .flat_map(|d| &d.entries)
            .map(|e| e.members.len())
            .sum()
    }

    /// The bytes the states have allocated: the interned elements, the keys and the sets.
    pub(crate) fn allocated_bytes(&self) -> usize {
        self.interner.allocated_bytes()
            + self
                .states
                .iter()
                .map(|d| {
                    d.keys.allocation_size()
                        + d.entries.capacity() * size_of::<KeyEntry>()
                        + d.entries
                            .iter()
                            .map(|e| {
                                e.members.allocation_size()
                                    + e.crossed.capacity() * size_of::<Option<u64>>()
                                    + e.settled.capacity()
                            })
                            .sum::<usize>()
                })
                .sum::<usize>()
    }
}

impl KeyEntry {
    fn size(&self, is_set: bool) -> i64 {
        let size = if is_set {
            u64::try_from(self.members.len()).unwrap_or(u64::MAX)
        } else {
            self.count
        };
        i64::try_from(size).unwrap_or(i64::MAX)
    }
}
