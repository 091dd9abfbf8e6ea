//! The reorder buffer: accepted events wait until the watermark passes them, and are then
//! judged in event-time order, ties broken by arrival (the line order of a file).
//!
//! An event is accepted when its time is not before the watermark, so once the watermark has
//! reached a time, no event before it can still arrive: every held event at or before the
//! watermark can be judged, earliest first, and the judging sees the stream as if it had
//! arrived sorted. Held events are kept in a heap; their storage is recycled through a pool, so
//! a steady stream allocates no new events.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

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
    pub(super) heap: BinaryHeap<Held>,
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
        self.heap.push(Held {
            event,
            line,
            arrival,
        });
    }

    /// The number of events held.
    pub(super) fn len(&self) -> usize {
        self.heap.len()
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
        while let Some(top) = self.reorder.heap.peek() {
            if until.is_some_and(|until| top.event.time > until) {
                break;
            }
            let Some(held) = self.reorder.heap.pop() else {
                break;
            };
            if !self.transition_done && p.effective.is_some_and(|e| held.event.time >= e) {
                self.transition(p, out);
            }
            self.expire(p, held.event.time, out);
            self.judge(p, &held.event, held.line, out);
            self.reorder.give(held.event);
        }
    }
}
