//! The reorder buffer: accepted events wait until the watermark passes them, and are then
//! judged in event-time order, ties broken by arrival (the line order of a file).
//!
//! An event is accepted when its time is not before the watermark, so once the watermark has
//! reached a time, no event before it can still arrive: every held event at or before the
//! watermark can be judged, earliest first, and the judging sees the stream as if it had
//! arrived sorted. Most events arrive in order: those go to the back of a queue, which stays
//! sorted, and only an event earlier than the queue's last goes to a heap; the next event to
//! judge is the earlier of the two fronts. Their storage is recycled through a pool, so a steady
//! stream allocates no new events.

use std::cmp::Ordering;
use std::collections::{BinaryHeap, VecDeque};

use super::Run;
use super::plan::Prepared;
use crate::event::Event;
use crate::finding::Finding;

/// An accepted event waiting for the watermark.
#[derive(Clone, Debug)]
pub(super) struct Held {
    pub(super) event: Event,
    pub(super) line: u64,
    /// The order of arrival, which breaks ties between events of the same second.
    pub(super) arrival: u64,
}

impl Held {
    fn key(&self) -> (i64, u64) {
        (self.event.time, self.arrival)
    }
}

impl PartialEq for Held {
    fn eq(&self, other: &Self) -> bool {
        self.key() == other.key()
    }
}

impl Eq for Held {}

impl PartialOrd for Held {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Reversed, so that the heap's top is the earliest event.
impl Ord for Held {
    fn cmp(&self, other: &Self) -> Ordering {
        other.key().cmp(&self.key())
    }
}

/// The held events and the pool their storage returns to.
#[derive(Clone, Debug, Default)]
pub(super) struct Reorder {
    /// Events that arrived in order, sorted by time and arrival.
    queue: VecDeque<Held>,
    /// Events that arrived before the queue's last in time.
    heap: BinaryHeap<Held>,
    /// Events whose storage can be reused.
    pool: Vec<Event>,
    pub(super) arrivals: u64,
}

/// Pooled events kept at most; more are freed.
const POOL: usize = 1024;

impl Reorder {
    /// An event whose storage can be decoded into.
    pub(super) fn take(&mut self) -> Event {
        self.pool.pop().unwrap_or_default()
    }

    /// Gives an event's storage back to the pool.
    pub(super) fn give(&mut self, event: Event) {
        if self.pool.len() < POOL {
            self.pool.push(event);
        }
    }

    /// Holds an accepted event.
    pub(super) fn hold(&mut self, event: Event, line: u64) {
        let arrival = self.arrivals;
        self.arrivals += 1;
        self.insert(Held {
            event,
            line,
            arrival,
        });
    }

    /// Holds an event restored from a snapshot (given in order of arrival).
    pub(super) fn restore(&mut self, held: Held) {
        self.insert(held);
    }

    fn insert(&mut self, held: Held) {
        match self.queue.back() {
            Some(last) if held.key() < last.key() => self.heap.push(held),
            _ => self.queue.push_back(held),
        }
    }

    /// The held events, in no particular order.
    pub(super) fn iter(&self) -> impl Iterator<Item = &Held> {
        self.queue.iter().chain(self.heap.iter())
    }

    /// Takes the earliest held event if it is at or before `until` (whatever its time with
    /// `None`).
    fn pop_until(&mut self, until: Option<i64>) -> Option<Held> {
        let from_queue = match (self.queue.front(), self.heap.peek()) {
            (Some(queued), Some(late)) => queued.key() < late.key(),
            (queued, _) => queued.is_some(),
        };
        let next = if from_queue {
            self.queue.front()
        } else {
            self.heap.peek()
        }?;
        if until.is_some_and(|until| next.event.time > until) {
            return None;
        }
        if from_queue {
            self.queue.pop_front()
        } else {
            self.heap.pop()
        }
    }

    /// The number of events held.
    pub(super) fn len(&self) -> usize {
        self.queue.len() + self.heap.len()
    }
}

impl Run {
    /// Judges, earliest first, every held event at or before `until` (all of them with
    /// `None`).
    pub(super) fn release(
        &mut self,
        p: &Prepared,
        until: Option<i64>,
        out: &mut impl FnMut(Finding),
    ) {
        while let Some(held) = self.reorder.pop_until(until) {
            if !self.transition_done && p.effective.is_some_and(|e| held.event.time >= e) {
                self.transition(p, out);
            }
            self.expire(p, held.event.time, out);
            self.judge(p, &held.event, held.line, out);
            self.reorder.give(held.event);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(time: i64) -> Event {
        Event {
            time,
            ..Event::default()
        }
    }

    /// Whatever the arrival order, events come out by time, ties by arrival; an event at or
    /// before `until` is released, a later one stays.
    #[test]
    fn held_events_come_out_by_time_then_arrival() {
        let mut reorder = Reorder::default();
        for (line, time) in [10, 5, 20, 5, 15, 20, 1].into_iter().enumerate() {
            reorder.hold(at(time), line as u64 + 1);
        }
        assert_eq!(reorder.len(), 7);
        let mut out = Vec::new();
        while let Some(held) = reorder.pop_until(Some(15)) {
            out.push((held.event.time, held.line));
        }
        assert_eq!(out, [(1, 7), (5, 2), (5, 4), (10, 1), (15, 5)]);
        assert_eq!(reorder.len(), 2);
        reorder.hold(at(18), 8);
        let rest: Vec<_> = std::iter::from_fn(|| reorder.pop_until(None))
            .map(|held| (held.event.time, held.line))
            .collect();
        assert_eq!(rest, [(18, 8), (20, 3), (20, 6)]);
    }
}
