//! The compact binary encoding of snapshots: unsigned LEB128 varints, zigzag for signed
//! numbers, length-prefixed UTF-8 strings, and one tag byte per value variant.

use super::SnapshotError;
use crate::event::Event;
use crate::ir::{Date, EventId, Value};

/// Writes a snapshot's bytes.
#[derive(Default)]
pub(crate) struct Writer {
    pub(crate) bytes: Vec<u8>,
}

impl Writer {
    pub(crate) fn raw(&mut self, bytes: &[u8]) {
        self.bytes.extend_from_slice(bytes);
    }

    pub(crate) fn u64(&mut self, mut n: u64) {
        loop {
            let byte = (n & 0x7f) as u8;
            n >>= 7;
            if n == 0 {
                self.bytes.push(byte);
                return;
            }
            self.bytes.push(byte | 0x80);
        }
    }

    pub(crate) fn usize(&mut self, n: usize) {
        self.u64(n as u64);
    }

    pub(crate) fn i64(&mut self, n: i64) {
        self.u64(((n << 1) ^ (n >> 63)) as u64);
    }

    pub(crate) fn bool(&mut self, b: bool) {
        self.bytes.push(u8::from(b));
    }

    pub(crate) fn str(&mut self, s: &str) {
        self.usize(s.len());
        self.raw(s.as_bytes());
    }

    pub(crate) fn opt_i64(&mut self, n: Option<i64>) {
        match n {
            None => self.bool(false),
            Some(n) => {
                self.bool(true);
                self.i64(n);
            }
        }
    }

    pub(crate) fn opt_u64(&mut self, n: Option<u64>) {
        match n {
            None => self.bool(false),
            Some(n) => {
                self.bool(true);
                self.u64(n);
            }
        }
    }

    pub(crate) fn opt_str(&mut self, s: Option<&str>) {
        match s {
            None => self.bool(false),
            Some(s) => {
                self.bool(true);
                self.str(s);
            }
        }
    }

    pub(crate) fn date(&mut self, d: Date) {
        self.i64(i64::from(d.year));
        self.bytes.push(d.month);
        self.bytes.push(d.day);
    }

    pub(crate) fn value(&mut self, value: &Value) {
        match value {
            Value::Bool(b) => {
                self.bytes.push(0);
                self.bool(*b);
            }
            Value::Int(n) => {
                self.bytes.push(1);
                self.i64(*n);
            }
            Value::Str(s) => {
                self.bytes.push(2);
                self.str(s);
            }
            Value::Enum(e, v) => {
                self.bytes.push(3);
                self.u64(u64::from(*e));
                self.u64(u64::from(*v));
            }
            Value::Date(d) => {
                self.bytes.push(4);
                self.date(*d);
            }
            Value::Time(t) => {
                self.bytes.push(5);
                self.i64(*t);
            }
            Value::Record(fields) => {
                self.bytes.push(6);
                self.fields(fields);
            }
            Value::List(items) => {
                self.bytes.push(7);
                self.usize(items.len());
                for item in items {
                    self.value(item);
                }
            }
        }
    }

    fn fields(&mut self, fields: &[Option<Value>]) {
        self.usize(fields.len());
        for field in fields {
            match field {
                None => self.bool(false),
                Some(v) => {
                    self.bool(true);
                    self.value(v);
                }
            }
        }
    }

    pub(crate) fn event(&mut self, event: &Event) {
        self.event_parts(
            event.ty,
            (
                event.time,
                event.time_subsec_nanos,
                event.time_offset_seconds,
            ),
            event.id.as_deref(),
            &event.fields,
        );
    }

    /// An event given by its parts, written as [`Writer::event`] writes it: its type, its time
    /// (seconds, nanoseconds, offset), its id and its fields.
    pub(crate) fn event_parts(
        &mut self,
        ty: EventId,
        (time, nanos, offset_seconds): (i64, u32, i32),
        id: Option<&str>,
        fields: &[Option<Value>],
    ) {
        self.u64(u64::from(ty));
        self.i64(time);
        self.u64(u64::from(nanos));
        self.i64(i64::from(offset_seconds));
        self.opt_str(id);
        self.fields(fields);
    }
}

/// Reads a snapshot's bytes; every read fails cleanly on bytes cut short or out of range.
pub(crate) struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

/// Values nest at most this deep, so a damaged snapshot cannot exhaust the stack.
const MAX_DEPTH: u32 = 64;

impl<'a> Reader<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Reader<'a> {
        Reader { bytes, at: 0 }
    }

    pub(crate) fn damaged(&self, what: &str) -> SnapshotError {
        SnapshotError::Damaged {
            detail: format!("{what} at byte {}", self.at),
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.at >= self.bytes.len()
    }

    pub(crate) fn raw(&mut self, n: usize) -> Result<&'a [u8], SnapshotError> {
        let end = self
            .at
            .checked_add(n)
            .filter(|&e| e <= self.bytes.len())
            .ok_or_else(|| self.damaged("it ends too early"))?;
        let slice = &self.bytes[self.at..end];
        self.at = end;
        Ok(slice)
    }

    fn byte(&mut self) -> Result<u8, SnapshotError> {
        Ok(self.raw(1)?[0])
    }

    pub(crate) fn u64(&mut self) -> Result<u64, SnapshotError> {
        let mut n: u64 = 0;
        for shift in (0..64).step_by(7) {
            let byte = self.byte()?;
            n |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Ok(n);
            }
        }
        Err(self.damaged("a number is too long"))
    }

    pub(crate) fn u32(&mut self) -> Result<u32, SnapshotError> {
        let n = self.u64()?;
        u32::try_from(n).map_err(|_| self.damaged("a number is out of range"))
    }

    pub(crate) fn usize(&mut self) -> Result<usize, SnapshotError> {
        let n = self.u64()?;
        usize::try_from(n).map_err(|_| self.damaged("a length is out of range"))
    }

    /// A count of items that each take at least one byte: never more than the bytes left, so
    /// a damaged count cannot reserve absurd memory.
    pub(crate) fn count(&mut self) -> Result<usize, SnapshotError> {
        let n = self.usize()?;
        if n > self.bytes.len() - self.at.min(self.bytes.len()) {
            return Err(self.damaged("a count is larger than the snapshot"));
        }
        Ok(n)
    }

    pub(crate) fn i64(&mut self) -> Result<i64, SnapshotError> {
        let n = self.u64()?;
        Ok(((n >> 1) as i64) ^ -((n & 1) as i64))
    }

    pub(crate) fn bool(&mut self) -> Result<bool, SnapshotError> {
        match self.byte()? {
            0 => Ok(false),
            1 => Ok(true),
            _ => Err(self.damaged("a flag is neither 0 nor 1")),
        }
    }

    pub(crate) fn str(&mut self) -> Result<&'a str, SnapshotError> {
        let len = self.usize()?;
        let bytes = self.raw(len)?;
        std::str::from_utf8(bytes).map_err(|_| self.damaged("a text is not UTF-8"))
    }

    pub(crate) fn string(&mut self) -> Result<String, SnapshotError> {
        Ok(self.str()?.to_owned())
    }

    pub(crate) fn opt_i64(&mut self) -> Result<Option<i64>, SnapshotError> {
        Ok(if self.bool()? {
            Some(self.i64()?)
        } else {
            None
        })
    }

    pub(crate) fn opt_u64(&mut self) -> Result<Option<u64>, SnapshotError> {
        Ok(if self.bool()? {
            Some(self.u64()?)
        } else {
            None
        })
    }

    pub(crate) fn opt_string(&mut self) -> Result<Option<String>, SnapshotError> {
        Ok(if self.bool()? {
            Some(self.string()?)
        } else {
            None
        })
    }

    pub(crate) fn date(&mut self) -> Result<Date, SnapshotError> {
        let year =
            i32::try_from(self.i64()?).map_err(|_| self.damaged("a year is out of range"))?;
        let month = self.byte()?;
        let day = self.byte()?;
        Ok(Date { year, month, day })
    }

    pub(crate) fn value(&mut self) -> Result<Value, SnapshotError> {
        self.value_at(0)
    }

    fn value_at(&mut self, depth: u32) -> Result<Value, SnapshotError> {
        if depth > MAX_DEPTH {
            return Err(self.damaged("values nest too deep"));
        }
        Ok(match self.byte()? {
            0 => Value::Bool(self.bool()?),
            1 => Value::Int(self.i64()?),
            2 => Value::Str(self.string()?),
            3 => Value::Enum(self.u32()?, self.u32()?),
            4 => Value::Date(self.date()?),
            5 => Value::Time(self.i64()?),
            6 => Value::Record(self.fields(depth + 1)?),
            7 => {
                let n = self.count()?;
                let mut items = Vec::with_capacity(n);
                for _ in 0..n {
                    items.push(self.value_at(depth + 1)?);
                }
                Value::List(items)
            }
            _ => return Err(self.damaged("a value has an unknown kind")),
        })
    }

    fn fields(&mut self, depth: u32) -> Result<Vec<Option<Value>>, SnapshotError> {
        let n = self.count()?;
        let mut fields = Vec::with_capacity(n);
        for _ in 0..n {
            fields.push(if self.bool()? {
                Some(self.value_at(depth)?)
            } else {
                None
            });
        }
        Ok(fields)
    }

    pub(crate) fn event(&mut self) -> Result<Event, SnapshotError> {
        let ty = self.u32()?;
        let time = self.i64()?;
        let time_subsec_nanos = self.u32()?;
        let time_offset_seconds =
            i32::try_from(self.i64()?).map_err(|_| self.damaged("an offset is out of range"))?;
        let id = self.opt_string()?;
        let fields = self.fields(0)?;
        Ok(Event {
            ty,
            time,
            time_subsec_nanos,
            time_offset_seconds,
            id,
            fields,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_and_events_round_trip() {
        let event = Event {
            ty: 3,
            time: -1_700_000_000,
            time_subsec_nanos: 500,
            time_offset_seconds: -3600,
            id: Some("e-1".to_owned()),
            fields: vec![
                None,
                Some(Value::Record(vec![
                    Some(Value::List(vec![
                        Value::Int(i64::MIN),
                        Value::Int(i64::MAX),
                    ])),
                    None,
                    Some(Value::Enum(2, 7)),
                ])),
                Some(Value::Date(Date {
                    year: -44,
                    month: 3,
                    day: 15,
                })),
                Some(Value::Str("面".to_owned())),
                Some(Value::Time(0)),
                Some(Value::Bool(true)),
            ],
        };
        let mut w = Writer::default();
        w.event(&event);
        w.u64(u64::MAX);
        let mut r = Reader::new(&w.bytes);
        assert_eq!(r.event(), Ok(event));
        assert_eq!(r.u64(), Ok(u64::MAX));
        assert!(r.is_empty());
        // Every prefix fails cleanly.
        for cut in 0..w.bytes.len() - 1 {
            let mut r = Reader::new(&w.bytes[..cut]);
            assert!(r.event().and_then(|_| r.u64()).is_err(), "cut at {cut}");
        }
    }
}
