//! Decoding one line of an event stream against the bundle's vocabulary.
//!
//! A line is a JSON object with the envelope keys `type`, `time` and optionally `id`, and the
//! fields its event type declares.
//! The [`Decoder`] builds its lookup tables (event type names, field names and enum values to
//! indices) once, so decoding a line never scans a list of names.
//! A line whose first key is `type` is converted while serde_json parses it, with no intermediate
//! tree (the `stream` submodule). Any other line, and any line the streaming path gives up on
//! (every invalid line among them), is parsed into a `serde_json::Value` and then converted; that
//! path alone words input errors, so their messages and precedence do not depend on the path.
//!
//! Wire forms of field values: `bool` is a JSON boolean, `int` a JSON integer (a number with a
//! fraction is rejected), `string` a JSON string, `date` a string `YYYY-MM-DD`, `time` an RFC 3339
//! string with an offset, `duration` a JSON integer counting seconds, an enum the string of one of
//! its values, a record a JSON object, and `list of`/`set of` a JSON array.
//! A `null` for an optional field counts as absent.

use std::fmt;

use hashbrown::HashMap;

use serde_json::{Map, Value as Json};

use crate::ir::{EnumId, EventId, FieldDef, RecordId, Type, Value, Vocabulary};
use crate::load_error::LoadError;
use crate::suggest;
use crate::time;

mod error;
mod json;
mod share;
mod stream;

pub(crate) use error::quote;
use error::{ErrorKind, FieldError, json_kind, missing_key};

/// The hashing of the decoder's name tables.
type Hashing = foldhash::fast::RandomState;
/// Names to indices (field names of an event or record, values of an enum).
type FieldIndex = HashMap<String, u32, Hashing>;

/// The envelope key naming an event's type.
pub const TYPE_KEY: &str = "type";
/// The envelope key holding an event's time.
pub const TIME_KEY: &str = "time";
/// The envelope key holding an event's optional id.
pub const ID_KEY: &str = "id";

/// One decoded event.
///
/// The time is kept as whole Unix seconds (rounded down) for evaluation, with the nanoseconds
/// past that second and the UTC offset it was written with, so findings can show it as written.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Event {
    pub ty: EventId,
    /// Seconds since the Unix epoch, rounded down.
    pub time: i64,
    /// Nanoseconds past `time`.
    pub time_subsec_nanos: u32,
    /// The UTC offset the time was written with, in seconds east of UTC.
    pub time_offset_seconds: i32,
    pub id: Option<String>,
    /// Field values indexed like [`crate::ir::EventDef::fields`]; `None` for an absent optional
    /// field without a default.
    pub fields: Vec<Option<Value>>,
}

impl Event {
    /// The event's time in RFC 3339 at the offset it was written with (`Z` is written `+00:00`).
    pub fn time_rfc3339(&self) -> String {
        time::format_rfc3339(self.time, self.time_subsec_nanos, self.time_offset_seconds)
    }
}

/// Why a line was rejected, in plain words that name the user's field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputError {
    message: String,
}

impl InputError {
    /// The reason, e.g. `missing field "storage"`.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Consumes the error, giving its reason.
    pub fn into_message(self) -> String {
        self.message
    }

    pub(crate) fn new(message: String) -> InputError {
        InputError { message }
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for InputError {}

/// Decodes stream lines against one vocabulary.
#[derive(Clone, Debug)]
pub struct Decoder {
    vocabulary: Vocabulary,
    event_index: HashMap<String, EventId, Hashing>,
    events: Vec<EventLayout>,
    records: Vec<FieldIndex>,
    enums: Vec<EnumLayout>,
    /// Event types that only other vocabularies of the run declare ([`Decoder::share`]).
    elsewhere: HashMap<String, (), Hashing>,
}

/// The index a field name of another vocabulary has in an [`EventLayout`]: the field is
/// ignored.
pub(crate) const SHARED_FIELD: u32 = u32::MAX;

/// What a line decoded into.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decoded {
    /// An event of this vocabulary.
    Event,
    /// An event of a type only another vocabulary of the run declares ([`Decoder::share`]):
    /// not this regulation's to judge.
    Elsewhere,
}

#[derive(Clone, Debug)]
struct EventLayout {
    fields: FieldIndex,
    /// A declared field named like the `time` envelope key, which then holds the event's time.
    time_field: Option<u32>,
    /// A declared field named like the `id` envelope key, which then holds the event's id.
    id_field: Option<u32>,
}

#[derive(Clone, Debug)]
struct EnumLayout {
    values: FieldIndex,
    /// The values listed for messages: `device, server, cloud`.
    listing: String,
}

impl Decoder {
    /// Prepares the lookup tables for a vocabulary.
    ///
    /// An event type may declare a field named `time` (of type `time`) or `id` (of type
    /// `string`); it then holds the envelope's value. A field named `type`, or `time`/`id` with
    /// another type, is refused, as is a type that refers to an enum or record that does not exist.
    pub fn new(vocabulary: &Vocabulary) -> Result<Decoder, LoadError> {
        let mut event_index =
            HashMap::with_capacity_and_hasher(vocabulary.events.len(), Hashing::default());
        let mut events = Vec::with_capacity(vocabulary.events.len());
        for (id, def) in vocabulary.events.iter().enumerate() {
            let id = EventId::try_from(id)
                .map_err(|_| LoadError::invalid("the vocabulary has too many event types"))?;
            if event_index.insert(def.name.clone(), id).is_some() {
                return Err(LoadError::invalid(format!(
                    "the vocabulary declares event type `{}` twice",
                    def.name
                )));
            }
            let mut layout = EventLayout {
                fields: HashMap::with_capacity_and_hasher(def.fields.len(), Hashing::default()),
                time_field: None,
                id_field: None,
            };
            for (index, field) in def.fields.iter().enumerate() {
                let index = u32::try_from(index)
                    .map_err(|_| LoadError::invalid("an event type has too many fields"))?;
                check_type(vocabulary, &field.ty)?;
                let reserved = match field.name.as_str() {
                    TYPE_KEY => true,
                    TIME_KEY if field.ty == Type::Time => {
                        layout.time_field = Some(index);
                        false
                    }
                    ID_KEY if field.ty == Type::String => {
                        layout.id_field = Some(index);
                        false
                    }
                    TIME_KEY | ID_KEY => true,
                    _ => false,
                };
                if reserved {
                    return Err(LoadError::ReservedField {
                        event: def.name.clone(),
                        field: field.name.clone(),
                    });
                }
                if layout.fields.insert(field.name.clone(), index).is_some() {
                    return Err(LoadError::invalid(format!(
                        "event type `{}` declares field `{}` twice",
                        def.name, field.name
                    )));
                }
            }
            events.push(layout);
        }
        let mut records = Vec::with_capacity(vocabulary.records.len());
        for def in &vocabulary.records {
            let mut fields =
                HashMap::with_capacity_and_hasher(def.fields.len(), Hashing::default());
            for (index, field) in def.fields.iter().enumerate() {
                check_type(vocabulary, &field.ty)?;
                let index = u32::try_from(index)
                    .map_err(|_| LoadError::invalid("a record has too many fields"))?;
                fields.insert(field.name.clone(), index);
            }
            records.push(fields);
        }
        let enums = vocabulary
            .enums
            .iter()
            .map(|def| EnumLayout {
                values: def
                    .values
                    .iter()
                    .enumerate()
                    .map(|(i, v)| (v.clone(), i as u32))
                    .collect(),
                listing: def.values.join(", "),
            })
            .collect();
        Ok(Decoder {
            vocabulary: vocabulary.clone(),
            event_index,
            events,
            records,
            enums,
            elsewhere: HashMap::default(),
        })
    }

    /// The vocabulary this decoder reads.
    pub fn vocabulary(&self) -> &Vocabulary {
        &self.vocabulary
    }

    /// The id of the event type with this name.
    pub fn event_id(&self, name: &str) -> Option<EventId> {
        self.event_index.get(name).copied()
    }

    /// Decodes one line into a new event; a line of another vocabulary's event type is an
    /// error here.
    pub fn decode(&self, line: &str) -> Result<Event, InputError> {
        let mut event = Event::default();
        let decoded = self.decode_into(line, &mut event)?;
        only_here(decoded, event)
    }

    /// Decodes one line into `event`, reusing its field vector.
    ///
    /// On error, and for [`Decoded::Elsewhere`], `event` holds no meaningful value.
    pub fn decode_into(&self, line: &str, event: &mut Event) -> Result<Decoded, InputError> {
        if stream::decode(self, line, event) {
            return Ok(Decoded::Event);
        }
        self.decode_tree_into(line, event)
    }

    /// Decodes one line through the tree path alone: the reference the streaming path must
    /// agree with, for tests and fuzzing (`decode` is the same, only faster).
    pub fn decode_tree(&self, line: &str) -> Result<Event, InputError> {
        let mut event = Event::default();
        let decoded = self.decode_tree_into(line, &mut event)?;
        only_here(decoded, event)
    }

    /// Decodes one line through a `serde_json::Value` tree: the path for lines whose first key is
    /// not `type`, and the one that words every input error.
    fn decode_tree_into(&self, line: &str, event: &mut Event) -> Result<Decoded, InputError> {
        let json: Json = json::parse(line)?;
        let Json::Object(mut object) = json else {
            return Err(InputError::new(format!(
                "each line must be a JSON object, found {}",
                json_kind(&json)
            )));
        };

        let ty = match object.remove(TYPE_KEY) {
            None | Some(Json::Null) => return Err(missing_key(TYPE_KEY)),
            Some(Json::String(name)) => match self.event_index.get(name.as_str()) {
                Some(&ty) => ty,
                None if self.elsewhere.contains_key(name.as_str()) => {
                    return Ok(Decoded::Elsewhere);
                }
                None => return Err(self.unknown_event_type(&name)),
            },
            Some(other) => {
                return Err(FieldError::wrong_type("a string", &other)
                    .at_field(TYPE_KEY)
                    .into_input_error());
            }
        };
        let parsed_time = match object.remove(TIME_KEY) {
            None | Some(Json::Null) => return Err(missing_key(TIME_KEY)),
            Some(Json::String(text)) => time::parse_rfc3339(&text).map_err(|problem| {
                FieldError::new(ErrorKind::BadTime { problem, text })
                    .at_field(TIME_KEY)
                    .into_input_error()
            })?,
            Some(other) => {
                return Err(FieldError::wrong_type(TIME_DESCRIPTION, &other)
                    .at_field(TIME_KEY)
                    .into_input_error());
            }
        };
        let id = match object.remove(ID_KEY) {
            None | Some(Json::Null) => None,
            Some(Json::String(id)) => Some(id),
            Some(other) => {
                return Err(FieldError::wrong_type("a string", &other)
                    .at_field(ID_KEY)
                    .into_input_error());
            }
        };

        let def = &self.vocabulary.events[ty as usize];
        let layout = &self.events[ty as usize];
        event.ty = ty;
        event.time = parsed_time.second;
        event.time_subsec_nanos = parsed_time.subsec_nanos;
        event.time_offset_seconds = parsed_time.offset_seconds;
        event.fields.clear();
        event.fields.resize(def.fields.len(), None);

        for (name, json) in object {
            match layout.fields.get(name.as_str()) {
                Some(&SHARED_FIELD) => {}
                Some(&index) => {
                    let field = &def.fields[index as usize];
                    event.fields[index as usize] = self
                        .decode_field(field, json)
                        .map_err(|e| e.at_field(&name).into_input_error())?;
                }
                None if def.open => {}
                None => {
                    let suggestion =
                        suggest::closest(&name, def.fields.iter().map(|f| f.name.as_str()))
                            .map(str::to_owned);
                    return Err(FieldError::new(ErrorKind::Unknown { suggestion })
                        .at_field(&name)
                        .into_input_error());
                }
            }
        }
        if let Some(index) = layout.time_field {
            event.fields[index as usize] = Some(Value::Time(parsed_time.second));
        }
        if let (Some(index), Some(id)) = (layout.id_field, &id) {
            event.fields[index as usize] = Some(Value::Str(id.clone()));
        }
        event.id = id;
        fill_absent(&def.fields, &mut event.fields).map_err(FieldError::into_input_error)?;
        Ok(Decoded::Event)
    }

    fn decode_field(&self, field: &FieldDef, json: Json) -> Result<Option<Value>, FieldError> {
        match json {
            Json::Null if field.required => Err(FieldError::new(ErrorKind::NullRequired)),
            Json::Null => Ok(None),
            json => {
                let value = self.decode_value(&field.ty, json)?;
                match value {
                    Value::Int(n) if !field.range.contains(n) => {
                        Err(FieldError::new(ErrorKind::OutOfBounds {
                            value: n,
                            range: field.range,
                        }))
                    }
                    value => Ok(Some(value)),
                }
            }
        }
    }

    fn decode_value(&self, ty: &Type, json: Json) -> Result<Value, FieldError> {
        match (ty, json) {
            (Type::Bool, Json::Bool(b)) => Ok(Value::Bool(b)),
            (Type::Int | Type::Duration, Json::Number(n)) => match integral(&n) {
                Some(i) => Ok(Value::Int(i)),
                None => Err(FieldError::wrong_type(self.describe(ty), &Json::Number(n))),
            },
            (Type::String, Json::String(s)) => Ok(Value::Str(s)),
            (Type::Date, Json::String(text)) => match time::read_date(&text) {
                Ok(date) => Ok(Value::Date(date)),
                Err(problem) => Err(FieldError::new(ErrorKind::BadDate { problem, text })),
            },
            (Type::Time, Json::String(text)) => match time::parse_rfc3339(&text) {
                Ok(t) => Ok(Value::Time(t.second)),
                Err(problem) => Err(FieldError::new(ErrorKind::BadTime { problem, text })),
            },
            (Type::Enum(id), Json::String(text)) => self.decode_enum(*id, text),
            (Type::Record(id), Json::Object(object)) => self.decode_record(*id, object),
            (Type::List(element) | Type::Set(element), Json::Array(items)) => {
                let mut values = Vec::with_capacity(items.len());
                for (i, item) in items.into_iter().enumerate() {
                    if item.is_null() {
                        return Err(FieldError::new(ErrorKind::NullElement).at_index(i));
                    }
                    values.push(
                        self.decode_value(element, item)
                            .map_err(|e| e.at_index(i))?,
                    );
                }
                Ok(Value::List(values))
            }
            (ty, json) => Err(FieldError::wrong_type(self.describe(ty), &json)),
        }
    }

    /// The value of an enum named by `text`, if the enum has it.
    fn enum_value(&self, id: EnumId, text: &str) -> Option<Value> {
        let layout = self.enums.get(id as usize)?;
        let index = *layout.values.get(text)?;
        Some(Value::Enum(id, index))
    }

    fn decode_enum(&self, id: EnumId, text: String) -> Result<Value, FieldError> {
        let layout = &self.enums[id as usize];
        match layout.values.get(text.as_str()) {
            Some(&index) => Ok(Value::Enum(id, index)),
            None => Err(FieldError::new(ErrorKind::UnknownEnumValue {
                value: text,
                expected: layout.listing.clone(),
            })),
        }
    }

    fn decode_record(&self, id: RecordId, object: Map<String, Json>) -> Result<Value, FieldError> {
        let def = &self.vocabulary.records[id as usize];
        let index = &self.records[id as usize];
        let mut fields = vec![None; def.fields.len()];
        for (name, json) in object {
            match index.get(name.as_str()) {
                Some(&i) => {
                    fields[i as usize] = self
                        .decode_field(&def.fields[i as usize], json)
                        .map_err(|e| e.at_field(&name))?;
                }
                None => {
                    let suggestion =
                        suggest::closest(&name, def.fields.iter().map(|f| f.name.as_str()))
                            .map(str::to_owned);
                    return Err(FieldError::new(ErrorKind::Unknown { suggestion }).at_field(&name));
                }
            }
        }
        fill_absent(&def.fields, &mut fields)?;
        Ok(Value::Record(fields))
    }

    /// What a value of this type looks like on the wire, for messages.
    fn describe(&self, ty: &Type) -> String {
        match ty {
            Type::Bool => "true or false".to_owned(),
            Type::Int => "an integer".to_owned(),
            Type::String => "a string".to_owned(),
            Type::Date => DATE_DESCRIPTION.to_owned(),
            Type::Time => TIME_DESCRIPTION.to_owned(),
            Type::Duration => "an integer number of seconds".to_owned(),
            Type::Enum(id) => match self.enums.get(*id as usize) {
                Some(layout) => format!("one of {}", layout.listing),
                None => "a string".to_owned(),
            },
            Type::Record(_) => "an object".to_owned(),
            Type::List(_) | Type::Set(_) => "a list".to_owned(),
        }
    }

    fn unknown_event_type(&self, name: &str) -> InputError {
        let mut message = format!("unknown event type {}", quote(name));
        let names = self.vocabulary.events.iter().map(|e| e.name.as_str());
        if let Some(suggestion) = suggest::closest(name, names) {
            message.push_str(&format!("; did you mean {}?", quote(suggestion)));
        }
        InputError::new(message)
    }
}

/// The integer a JSON number stands for: an integer, or a number written with a fraction or an
/// exponent whose value is whole (`14.0`, `1e2`, `-0`); `None` for a fraction or a value
/// beyond 64 bits.
pub(crate) fn integral(n: &serde_json::Number) -> Option<i64> {
    n.as_i64().or_else(|| n.as_f64().and_then(whole))
}

/// The integer a float stands for, when it is whole and fits 64 bits.
pub(crate) fn whole(f: f64) -> Option<i64> {
    // 2^63 is exact as a float; every float below it in magnitude that is whole fits an i64.
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    (f.fract() == 0.0 && (-LIMIT..LIMIT).contains(&f)).then_some(f as i64)
}

const DATE_DESCRIPTION: &str = "a date such as 2025-06-02";
const TIME_DESCRIPTION: &str = "a time with an offset such as 2025-06-02T09:30:00+08:00";

/// Gives absent fields their defaults, or fails on the first absent required field.
fn fill_absent(defs: &[FieldDef], values: &mut [Option<Value>]) -> Result<(), FieldError> {
    for (def, value) in defs.iter().zip(values.iter_mut()) {
        if value.is_none() {
            if def.required {
                return Err(FieldError::new(ErrorKind::Missing).at_field(&def.name));
            }
            if let Some(default) = &def.default {
                *value = Some(default.clone());
            }
        }
    }
    Ok(())
}

/// Checks that a type refers only to enums and records the vocabulary has.
fn check_type(vocabulary: &Vocabulary, ty: &Type) -> Result<(), LoadError> {
    match ty {
        Type::Enum(id) if vocabulary.enums.get(*id as usize).is_none() => Err(LoadError::invalid(
            format!("a field has enum #{id}, which the vocabulary lacks"),
        )),
        Type::Record(id) if vocabulary.records.get(*id as usize).is_none() => {
            Err(LoadError::invalid(format!(
                "a field has record #{id}, which the vocabulary lacks"
            )))
        }
        Type::List(element) | Type::Set(element) => check_type(vocabulary, element),
        _ => Ok(()),
    }
}

/// A decoded event, or an error for an event type another vocabulary of the run declares.
fn only_here(decoded: Decoded, event: Event) -> Result<Event, InputError> {
    match decoded {
        Decoded::Event => Ok(event),
        Decoded::Elsewhere => Err(InputError::new(
            "the event type belongs to another vocabulary of the run".to_owned(),
        )),
    }
}

#[cfg(test)]
mod tests;
