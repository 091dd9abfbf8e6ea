//! Writing keyed states into a snapshot and reading them back.
//!
//! The interned elements are written once, in symbol order, so that interning them again in
//! that order into a fresh interner gives the same symbols, and sets are written as symbols.

use hashbrown::HashSet;

use super::{Interner, KeyEntry, OTHER_BIT, States};
use crate::ir::{StateId, Value};
use crate::snapshot::{Reader, SnapshotError, Writer};

/// What the engine decided for one state of a snapshot.
pub(crate) enum Placement {
    /// Read it into this state of the new program.
    Into(StateId),
    /// Read past it.
    Drop,
}

impl States {
    /// Writes every state, each under the name and fingerprint `describe` gives it.
    pub(crate) fn write(&self, w: &mut Writer, describe: impl Fn(usize) -> (String, String)) {
        self.interner.write(w);
        w.usize(self.states.len());
        for (index, data) in self.states.iter().enumerate() {
            let (name, fingerprint) = describe(index);
            w.str(&name);
            w.str(&fingerprint);
            w.bool(data.is_set);
            w.usize(data.thresholds.len());
            for &t in &data.thresholds {
                w.i64(t);
            }
            w.usize(data.entries.len());
            for entry in &data.entries {
                w.value(&entry.value);
                w.u64(entry.count);
                // In symbol order, so that equal states give equal snapshots.
                let mut members: Vec<u32> = entry.members.iter().copied().collect();
                members.sort_unstable();
                w.usize(members.len());
                for symbol in members {
                    w.u64(u64::from(symbol));
                }
                for &crossed in &entry.crossed {
                    w.opt_u64(crossed);
                }
                for &settled in &entry.settled {
                    w.bool(settled);
                }
            }
        }
    }

    /// Reads states written by [`States::write`] into these (fresh) states: `place` decides, by
    /// name and fingerprint, where each goes; `kept` is told each state read with its key count.
    pub(crate) fn read(
        &mut self,
        r: &mut Reader<'_>,
        place: impl Fn(&str, &str) -> Placement,
        mut kept: impl FnMut(&str, Option<StateId>, usize),
    ) -> Result<(), SnapshotError> {
        self.interner.read(r)?;
        let count = r.count()?;
        for _ in 0..count {
            let name = r.string()?;
            let fingerprint = r.string()?;
            let is_set = r.bool()?;
            let n = r.count()?;
            let mut thresholds = Vec::with_capacity(n);
            for _ in 0..n {
                thresholds.push(r.i64()?);
            }
            let mut target = match place(&name, &fingerprint) {
                Placement::Into(state) => self
                    .states
                    .get_mut(state as usize)
                    .filter(|d| d.is_set == is_set && d.entries.is_empty())
                    .map(|d| (state, d)),
                Placement::Drop => None,
            };
            let keys = r.count()?;
            if let Some((_, data)) = &mut target {
                data.keys.reserve(keys);
                data.entries.reserve(keys);
            }
            let (id, mut data) = match target {
                Some((id, data)) => (Some(id), Some(data)),
                None => (None, None),
            };
            // Where each threshold of the snapshot goes among the new state's thresholds.
            let map: Vec<Option<usize>> = thresholds
                .iter()
                .map(|t| {
                    data.as_ref()
                        .and_then(|d| d.thresholds.iter().position(|n| n == t))
                })
                .collect();
            for _ in 0..keys {
                let value = r.value()?;
                let count = r.u64()?;
                let size = r.count()?;
                let mut members = HashSet::with_capacity_and_hasher(
                    if data.is_some() { size } else { 0 },
                    Default::default(),
                );
                for _ in 0..size {
                    let symbol = r.u32()?;
                    if !self.interner.has(symbol) {
                        return Err(r.damaged("a set holds an unknown element"));
                    }
                    if data.is_some() {
                        members.insert(symbol);
                    }
                }
                let mut crossed_old = Vec::with_capacity(thresholds.len());
                for _ in 0..thresholds.len() {
                    crossed_old.push(r.opt_u64()?);
                }
                let mut settled_old = Vec::with_capacity(thresholds.len());
                for _ in 0..thresholds.len() {
                    settled_old.push(r.bool()?);
                }
                let Some(data) = data.as_deref_mut() else {
                    continue;
                };
                let mut crossed = vec![None; data.thresholds.len()];
                let mut settled = vec![false; data.thresholds.len()];
                for (old, new) in map.iter().enumerate() {
                    if let Some(new) = *new {
                        crossed[new] = crossed_old[old];
                        settled[new] = settled_old[old];
                    }
                }
                let Ok(index) = u32::try_from(data.entries.len()) else {
                    return Err(r.damaged("a state has too many keys"));
                };
                if data.keys.insert(value.clone(), index).is_some() {
                    return Err(r.damaged("a state holds a key twice"));
                }
                data.entries.push(KeyEntry {
                    value,
                    members,
                    count,
                    crossed,
                    settled,
                });
            }
            kept(&name, id, keys);
        }
        Ok(())
    }
}

impl Interner {
    fn write(&self, w: &mut Writer) {
        w.usize(self.spans.len());
        for symbol in 0..self.spans.len() {
            w.str(self.text_of(u32::try_from(symbol).unwrap_or(u32::MAX)));
        }
        let mut others: Vec<(&Value, u32)> = self.others.iter().map(|(v, &s)| (v, s)).collect();
        others.sort_unstable_by_key(|&(_, s)| s);
        w.usize(others.len());
        for (value, _) in others {
            w.value(value);
        }
    }

    /// Interns the elements of a snapshot, in order, into this fresh interner.
    fn read(&mut self, r: &mut Reader<'_>) -> Result<(), SnapshotError> {
        let strings = r.count()?;
        self.spans.reserve(strings);
        // The table is empty: reserving moves nothing, so the hasher is never called.
        self.strings.reserve(strings, |_| 0);
        for expected in 0..strings {
            let text = r.str()?;
            let symbol = self.intern_text(text);
            if symbol.map(|s| s as usize) != Some(expected) {
                return Err(r.damaged("an element is interned twice"));
            }
        }
        let others = r.count()?;
        for expected in 0..others {
            let value = r.value()?;
            if matches!(value, Value::Str(_)) {
                return Err(r.damaged("a text is listed among the other elements"));
            }
            let symbol = self.intern(&value);
            if symbol.map(|s| (s & !OTHER_BIT) as usize) != Some(expected) {
                return Err(r.damaged("an element is interned twice"));
            }
        }
        Ok(())
    }

    /// Whether a symbol names an element.
    fn has(&self, symbol: u32) -> bool {
        if symbol & OTHER_BIT == 0 {
            (symbol as usize) < self.spans.len()
        } else {
            ((symbol & !OTHER_BIT) as usize) < self.others.len()
        }
    }
}
