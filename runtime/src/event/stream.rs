//! The streaming decoder: converts a line while serde_json parses it, with no intermediate tree.
//!
//! It handles the common shape of a line, an object whose first key is `type`, and gives up on
//! anything else: another first key, a repeated key, an undeclared key of an `open` event type
//! (whose repetition it cannot see without keeping it), an event type or record of more than
//! 64 fields (its repeated keys are tracked in a 64-bit mask), and every kind of input error. The caller
//! then decodes the line again through the `serde_json::Value` tree, which decides whether the
//! line is valid and words the message; so the streaming path never has to reproduce a message
//! or the order in which problems are reported. On a line it accepts it gives the same [`Event`]
//! as the tree: `null` for an optional field counts as absent, a whole number written with a
//! fraction or an exponent is an integer, and the envelope keys `time` and `id` fill the fields named like them.

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

use super::{
    Decoder, Event, EventLayout, FieldIndex, ID_KEY, SHARED_FIELD, TIME_KEY, TYPE_KEY, fill_absent,
    whole,
};
use crate::ir::{EventId, FieldDef, Type, Value};
use crate::time::{self, ParsedTime};

/// Decodes `line` into `event` if the streaming path can; `false` means the line must go through
/// the tree (the line is then unusual or invalid, and `event` holds no meaningful value).
pub(super) fn decode(decoder: &Decoder, line: &str, event: &mut Event) -> bool {
    let mut de = serde_json::Deserializer::from_str(line);
    EventSeed { decoder, event }.deserialize(&mut de).is_ok() && de.end().is_ok()
}

/// Gives up on the streaming path; the message is never shown.
fn give_up<E: de::Error>() -> E {
    E::custom("")
}

struct EventSeed<'a> {
    decoder: &'a Decoder,
    event: &'a mut Event,
}

impl<'de> DeserializeSeed<'de> for EventSeed<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for EventSeed<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an event object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let EventSeed { decoder, event } = self;
        match map.next_key_seed(KeySeed { layout: None })? {
            Some(Key::Type) => {}
            _ => return Err(give_up()),
        }
        let ty = map.next_value_seed(TypeSeed { decoder })?;
        let (Some(def), Some(layout)) = (
            decoder.vocabulary.events.get(ty as usize),
            decoder.events.get(ty as usize),
        ) else {
            return Err(give_up());
        };
        if def.fields.len() > 64 {
            return Err(give_up());
        }
        event.ty = ty;
        event.fields.clear();
        event.fields.resize(def.fields.len(), None);
        let mut parsed_time: Option<ParsedTime> = None;
        let mut id: Option<Option<String>> = None;
        // The fields seen so far, by index: a repeated key gives up.
        let mut seen: u64 = 0;
        while let Some(key) = map.next_key_seed(KeySeed {
            layout: Some(layout),
        })? {
            match key {
                // An undeclared key, or one another vocabulary of the run declares, goes to the
                // tree path, which checks that it appears once.
                Key::Type | Key::Other | Key::Shared => return Err(give_up()),
                Key::Time if parsed_time.is_some() => return Err(give_up()),
                Key::Time => parsed_time = Some(map.next_value_seed(TimeSeed)?),
                Key::Id if id.is_some() => return Err(give_up()),
                Key::Id => id = Some(map.next_value::<Option<String>>()?),
                Key::Field(index) => {
                    let bit = 1_u64 << index;
                    if seen & bit != 0 {
                        return Err(give_up());
                    }
                    seen |= bit;
                    let (Some(field), Some(slot)) =
                        (def.fields.get(index), event.fields.get_mut(index))
                    else {
                        return Err(give_up());
                    };
                    *slot = map.next_value_seed(FieldSeed { decoder, field })?;
                }
            }
        }
        let id = id.flatten();
        let Some(parsed_time) = parsed_time else {
            return Err(give_up());
        };
        event.time = parsed_time.second;
        event.time_subsec_nanos = parsed_time.subsec_nanos;
        event.time_offset_seconds = parsed_time.offset_seconds;
        if let Some(slot) = layout
            .time_field
            .and_then(|index| event.fields.get_mut(index as usize))
        {
            *slot = Some(Value::Time(parsed_time.second));
        }
        if let (Some(slot), Some(id)) = (
            layout
                .id_field
                .and_then(|index| event.fields.get_mut(index as usize)),
            &id,
        ) {
            *slot = Some(Value::Str(id.clone()));
        }
        event.id = id;
        fill_absent(&def.fields, &mut event.fields).map_err(|_| give_up())
    }
}

/// A key of the top-level object, looked up without allocating.
enum Key {
    Type,
    Time,
    Id,
    Field(usize),
    /// A field another vocabulary of the run declares: ignored here.
    Shared,
    Other,
}

/// Reads a top-level key; before the event type is known (`layout` is `None`) only the envelope
/// keys are recognised.
struct KeySeed<'a> {
    layout: Option<&'a EventLayout>,
}

impl<'de> DeserializeSeed<'de> for KeySeed<'_> {
    type Value = Key;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Key, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed<'_> {
    type Value = Key;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a key")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<Key, E> {
        Ok(match key {
            TYPE_KEY => Key::Type,
            TIME_KEY => Key::Time,
            ID_KEY => Key::Id,
            _ => match self.layout.and_then(|layout| layout.fields.get(key)) {
                Some(&SHARED_FIELD) => Key::Shared,
                Some(&index) => Key::Field(index as usize),
                None => Key::Other,
            },
        })
    }
}

/// Reads the event type's name.
struct TypeSeed<'a> {
    decoder: &'a Decoder,
}

impl<'de> DeserializeSeed<'de> for TypeSeed<'_> {
    type Value = EventId;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<EventId, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for TypeSeed<'_> {
    type Value = EventId;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an event type")
    }

    fn visit_str<E: de::Error>(self, name: &str) -> Result<EventId, E> {
        self.decoder
            .event_index
            .get(name)
            .copied()
            .ok_or_else(give_up)
    }
}

/// Reads the envelope's time.
struct TimeSeed;

impl<'de> DeserializeSeed<'de> for TimeSeed {
    type Value = ParsedTime;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<ParsedTime, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for TimeSeed {
    type Value = ParsedTime;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a time")
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<ParsedTime, E> {
        time::parse_rfc3339(text).map_err(|_| give_up())
    }
}

/// Reads a declared field: `null` is absent (refused for a required field).
struct FieldSeed<'a> {
    decoder: &'a Decoder,
    field: &'a FieldDef,
}

impl<'de> DeserializeSeed<'de> for FieldSeed<'_> {
    type Value = Option<Value>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_option(self)
    }
}

impl<'de> Visitor<'de> for FieldSeed<'_> {
    type Value = Option<Value>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a field value")
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        if self.field.required {
            Err(give_up())
        } else {
            Ok(None)
        }
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        self.visit_none()
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        let value = ValueSeed {
            decoder: self.decoder,
            ty: &self.field.ty,
        }
        .deserialize(deserializer)?;
        match value {
            Value::Int(n) if !self.field.range.contains(n) => Err(give_up()),
            value => Ok(Some(value)),
        }
    }
}

/// Reads a value of a declared type straight into [`Value`]; `null` is refused.
struct ValueSeed<'a> {
    decoder: &'a Decoder,
    ty: &'a Type,
}

impl<'de> DeserializeSeed<'de> for ValueSeed<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        match self.ty {
            Type::Bool => deserializer.deserialize_bool(self),
            Type::Int | Type::Duration => deserializer.deserialize_i64(self),
            Type::String => deserializer.deserialize_string(self),
            Type::Date | Type::Time | Type::Enum(_) => deserializer.deserialize_str(self),
            Type::Record(_) => deserializer.deserialize_map(self),
            Type::List(_) | Type::Set(_) => deserializer.deserialize_seq(self),
        }
    }
}

impl<'de> Visitor<'de> for ValueSeed<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a value of the field's type")
    }

    fn visit_bool<E: de::Error>(self, b: bool) -> Result<Value, E> {
        match self.ty {
            Type::Bool => Ok(Value::Bool(b)),
            _ => Err(give_up()),
        }
    }

    fn visit_i64<E: de::Error>(self, i: i64) -> Result<Value, E> {
        match self.ty {
            Type::Int | Type::Duration => Ok(Value::Int(i)),
            _ => Err(give_up()),
        }
    }

    fn visit_f64<E: de::Error>(self, f: f64) -> Result<Value, E> {
        match (self.ty, whole(f)) {
            (Type::Int | Type::Duration, Some(i)) => Ok(Value::Int(i)),
            _ => Err(give_up()),
        }
    }

    fn visit_u64<E: de::Error>(self, u: u64) -> Result<Value, E> {
        match i64::try_from(u) {
            Ok(i) => self.visit_i64(i),
            Err(_) => Err(give_up()),
        }
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Value, E> {
        match self.ty {
            Type::String => Ok(Value::Str(text.to_owned())),
            Type::Date => time::parse_date(text).map(Value::Date).ok_or_else(give_up),
            Type::Time => time::parse_rfc3339(text)
                .map(|t| Value::Time(t.second))
                .map_err(|_| give_up()),
            Type::Enum(id) => self.decoder.enum_value(*id, text).ok_or_else(give_up),
            _ => Err(give_up()),
        }
    }

    fn visit_string<E: de::Error>(self, text: String) -> Result<Value, E> {
        match self.ty {
            Type::String => Ok(Value::Str(text)),
            _ => self.visit_str(&text),
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let &Type::Record(id) = self.ty else {
            return Err(give_up());
        };
        let decoder = self.decoder;
        let (Some(def), Some(index)) = (
            decoder.vocabulary.records.get(id as usize),
            decoder.records.get(id as usize),
        ) else {
            return Err(give_up());
        };
        if def.fields.len() > 64 {
            return Err(give_up());
        }
        let mut fields = vec![None; def.fields.len()];
        let mut seen: u64 = 0;
        while let Some(i) = map.next_key_seed(RecordKeySeed { index })? {
            let bit = 1_u64 << i;
            if seen & bit != 0 {
                return Err(give_up());
            }
            seen |= bit;
            let (Some(field), Some(slot)) = (def.fields.get(i), fields.get_mut(i)) else {
                return Err(give_up());
            };
            *slot = map.next_value_seed(FieldSeed { decoder, field })?;
        }
        fill_absent(&def.fields, &mut fields).map_err(|_| give_up())?;
        Ok(Value::Record(fields))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let (Type::List(element) | Type::Set(element)) = self.ty else {
            return Err(give_up());
        };
        let mut values = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
        while let Some(value) = seq.next_element_seed(ValueSeed {
            decoder: self.decoder,
            ty: element,
        })? {
            values.push(value);
        }
        Ok(Value::List(values))
    }
}

/// Reads a key of a record; a key the record does not declare gives up.
struct RecordKeySeed<'a> {
    index: &'a FieldIndex,
}

impl<'de> DeserializeSeed<'de> for RecordKeySeed<'_> {
    type Value = usize;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<usize, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for RecordKeySeed<'_> {
    type Value = usize;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a record key")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<usize, E> {
        match self.index.get(key) {
            Some(&i) => Ok(i as usize),
            None => Err(give_up()),
        }
    }
}
