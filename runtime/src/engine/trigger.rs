//! What a rule is triggered by: an event, or the key of a state that reached a threshold.

use crate::eval::Binding;
use crate::event::Event;
use crate::ir::{EventId, StateId, Value};
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

/// What an obligation keeps of the event that started it: its type, time and id, and only the
/// fields its rule reads (see [`super::plan::DeadlinePlan::keep`]), in one record.
#[derive(Clone, Debug)]
pub(super) struct Kept {
    pub(super) ty: EventId,
    pub(super) nanos: u32,
    pub(super) offset_seconds: i32,
    pub(super) time: i64,
    pub(super) id: Option<Box<str>>,
    /// Indexed like the event's fields; the fields not kept are absent, or past the end.
    pub(super) fields: Box<[Option<Value>]>,
}

impl Kept {
    /// The fields in `keep` (ascending) of an event, with its type, time and id.
    pub(super) fn of(keep: &[usize], event: &Event) -> Kept {
        Kept {
            ty: event.ty,
            nanos: event.time_subsec_nanos,
            offset_seconds: event.time_offset_seconds,
            time: event.time,
            id: event.id.as_deref().map(Box::from),
            fields: kept_fields(keep, event).into_boxed_slice(),
        }
    }
}

/// The part of an event that a `once` rule reads later: its time and the fields in `keep`
/// (ascending); the other fields are left absent, and the id too.
pub(super) fn slim(keep: &[usize], event: &Event) -> Event {
    Event {
        ty: event.ty,
        time: event.time,
        time_subsec_nanos: event.time_subsec_nanos,
        time_offset_seconds: event.time_offset_seconds,
        id: None,
        fields: kept_fields(keep, event),
    }
}

/// An event's fields in `keep` (ascending), indexed like the event's: the others are absent,
/// and the list ends at the last one kept.
fn kept_fields(keep: &[usize], event: &Event) -> Vec<Option<Value>> {
    let len = keep
        .last()
        .map_or(0, |&last| (last + 1).min(event.fields.len()));
    let mut fields = vec![None; len];
    for &index in keep {
        if let (Some(place), Some(value)) = (fields.get_mut(index), event.fields.get(index)) {
            place.clone_from(value);
        }
    }
    fields
}

/// What a rule was triggered by, borrowed.
#[derive(Clone, Copy, Debug)]
pub(super) enum TriggerRef<'a> {
    Event(&'a Event),
    /// An event as an obligation keeps it.
    Kept(&'a Kept),
    Key(&'a KeyTrigger),
}

impl<'a> TriggerRef<'a> {
    pub(super) fn binding(self) -> Binding<'a> {
        match self {
            TriggerRef::Event(event) => Binding::Event(event),
            TriggerRef::Kept(kept) => Binding::Fields {
                time: kept.time,
                fields: &kept.fields,
            },
            TriggerRef::Key(key) => Binding::Value(&key.key),
        }
    }

    pub(super) fn time(self) -> i64 {
        match self {
            TriggerRef::Event(event) => event.time,
            TriggerRef::Kept(kept) => kept.time,
            TriggerRef::Key(key) => key.time,
        }
    }

    /// The UTC offset the trigger's time is shown at.
    pub(super) fn offset_seconds(self) -> i32 {
        match self {
            TriggerRef::Event(event) => event.time_offset_seconds,
            TriggerRef::Kept(kept) => kept.offset_seconds,
            TriggerRef::Key(key) => key.offset_seconds,
        }
    }

    /// The time of a trigger as a finding shows it: as the event wrote it.
    pub(super) fn time_text(self) -> String {
        match self {
            TriggerRef::Event(event) => event.time_rfc3339(),
            TriggerRef::Kept(kept) => {
                time::format_rfc3339(kept.time, kept.nanos, kept.offset_seconds)
            }
            TriggerRef::Key(key) => time::format_rfc3339(key.time, key.nanos, key.offset_seconds),
        }
    }
}
