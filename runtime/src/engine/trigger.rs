//! What a rule is triggered by: an event, or the key of a state that reached a threshold.

use crate::eval::Binding;
use crate::event::Event;
use crate::ir::{StateId, Value};
use crate::time;

/// The key of a `reaches` trigger and the event that made it cross.
#[derive(Clone, Debug)]
pub(super) struct KeyTrigger {
    pub(super) state: StateId,
    pub(super) key: Value,
    /// The trigger's time: the crossing event's, or the effective instant.
    pub(super) time: i64,
    pub(super) nanos: u32,
    pub(super) offset_seconds: i32,
    pub(super) event_id: Option<String>,
}

/// What a rule was triggered by, borrowed.
#[derive(Clone, Copy, Debug)]
pub(super) enum TriggerRef<'a> {
    Event(&'a Event),
    Key(&'a KeyTrigger),
}

impl<'a> TriggerRef<'a> {
    pub(super) fn binding(self) -> Binding<'a> {
        match self {
            TriggerRef::Event(event) => Binding::Event(event),
            TriggerRef::Key(key) => Binding::Value(&key.key),
        }
    }

    pub(super) fn time(self) -> i64 {
        match self {
            TriggerRef::Event(event) => event.time,
            TriggerRef::Key(key) => key.time,
        }
    }

    /// The UTC offset the trigger's time is shown at.
    pub(super) fn offset_seconds(self) -> i32 {
        match self {
            TriggerRef::Event(event) => event.time_offset_seconds,
            TriggerRef::Key(key) => key.offset_seconds,
        }
    }

    /// The time of a trigger as a finding shows it: as the event wrote it.
    pub(super) fn time_text(self) -> String {
        match self {
            TriggerRef::Event(event) => event.time_rfc3339(),
            TriggerRef::Key(key) => time::format_rfc3339(key.time, key.nanos, key.offset_seconds),
        }
    }
}
