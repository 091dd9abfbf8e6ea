//! Input errors in plain words: where in the line a field went wrong (the path built up as the
//! decoder unwinds), what was expected and what was found.

use serde_json::Value as Json;

use super::{DATE_DESCRIPTION, InputError, TIME_DESCRIPTION};
use crate::ir::IntRange;
use crate::time::{self, TimeError};

/// A field-level problem, with the path to the field built up as the decoder unwinds.
#[derive(Debug)]
pub(super) struct FieldError {
    /// Path segments from the innermost outwards.
    path: Vec<Segment>,
    kind: ErrorKind,
}

#[derive(Debug)]
pub(super) enum Segment {
    Field(String),
    Index(usize),
}

#[derive(Debug)]
pub(super) enum ErrorKind {
    Missing,
    NullRequired,
    NullElement,
    WrongType { expected: String, found: String },
    UnknownEnumValue { value: String, expected: String },
    Unknown { suggestion: Option<String> },
    BadDate { problem: TimeError, text: String },
    OutOfBounds { value: i64, range: IntRange },
    BadTime { problem: TimeError, text: String },
}

impl FieldError {
    pub(super) fn new(kind: ErrorKind) -> FieldError {
        FieldError {
            path: Vec::new(),
            kind,
        }
    }

    pub(super) fn wrong_type(expected: impl Into<String>, found: &Json) -> FieldError {
        FieldError::new(ErrorKind::WrongType {
            expected: expected.into(),
            found: json_kind(found),
        })
    }

    pub(super) fn at_field(mut self, name: &str) -> FieldError {
        self.path.push(Segment::Field(name.to_owned()));
        self
    }

    pub(super) fn at_index(mut self, index: usize) -> FieldError {
        self.path.push(Segment::Index(index));
        self
    }

    pub(super) fn into_input_error(self) -> InputError {
        let mut path = String::new();
        for segment in self.path.iter().rev() {
            match segment {
                Segment::Field(name) => {
                    if !path.is_empty() {
                        path.push('.');
                    }
                    path.push_str(name);
                }
                Segment::Index(i) => path.push_str(&format!("[{i}]")),
            }
        }
        let field = quote(&path);
        let message = match self.kind {
            ErrorKind::Missing => format!("missing field {field}"),
            ErrorKind::NullRequired => format!("field {field} is required but is null"),
            ErrorKind::NullElement => format!("field {field} is null; lists may not hold null"),
            ErrorKind::WrongType { expected, found } => {
                format!("field {field} should be {expected}, found {found}")
            }
            ErrorKind::UnknownEnumValue { value, expected } => format!(
                "field {field} has unknown value {}; expected one of {expected}",
                quote(&value)
            ),
            ErrorKind::Unknown { suggestion } => match suggestion {
                Some(s) => format!("unknown field {field}; did you mean {}?", quote(&s)),
                None => format!("unknown field {field}"),
            },
            ErrorKind::OutOfBounds { value, range } => match (range.min, range.max) {
                (Some(min), _) if value < min => format!(
                    "field {field} is {value}, below {min}, the least value the vocabulary allows"
                ),
                (_, Some(max)) => format!(
                    "field {field} is {value}, above {max}, the greatest value the vocabulary allows"
                ),
                _ => format!("field {field} is {value}, outside the values the vocabulary allows"),
            },
            ErrorKind::BadDate { problem, text } => {
                if problem == TimeError::OutOfRange {
                    format!(
                        "field {field} is outside the supported dates {}: {}",
                        time::SUPPORTED_RANGE,
                        quote(&text)
                    )
                } else if time::looks_like_date(&text) {
                    format!("field {field} is not a real date: {}", quote(&text))
                } else {
                    format!(
                        "field {field} should be {DATE_DESCRIPTION}, found {}",
                        quote(&text)
                    )
                }
            }
            ErrorKind::BadTime { problem, text } => match problem {
                TimeError::Shape => format!(
                    "field {field} should be {TIME_DESCRIPTION}, found {}",
                    quote(&text)
                ),
                TimeError::NoOffset => format!(
                    "field {field} has no UTC offset: {}; add one such as +08:00 or Z",
                    quote(&text)
                ),
                TimeError::NotReal => format!(
                    "field {field} is not a real date and time: {}",
                    quote(&text)
                ),
                TimeError::OutOfRange => format!(
                    "field {field} is outside the supported times {}: {}",
                    time::SUPPORTED_RANGE,
                    quote(&text)
                ),
            },
        };
        InputError::new(message)
    }
}

pub(super) fn missing_key(key: &str) -> InputError {
    FieldError::new(ErrorKind::Missing)
        .at_field(key)
        .into_input_error()
}

/// How a JSON value is named in messages.
pub(super) fn json_kind(json: &Json) -> String {
    match json {
        Json::Null => "null".to_owned(),
        Json::Bool(_) => "a boolean".to_owned(),
        Json::Number(n) if n.is_i64() => "an integer".to_owned(),
        Json::Number(n) if n.is_u64() => format!("an integer too large for 64 bits ({n})"),
        Json::Number(n) if n.as_f64().is_some_and(|f| f.fract() == 0.0) => {
            format!("a number too large for 64 bits ({n})")
        }
        Json::Number(n) => format!("a number with a fraction ({n})"),
        Json::String(_) => "a string".to_owned(),
        Json::Array(_) => "a list".to_owned(),
        Json::Object(_) => "an object".to_owned(),
    }
}

/// Quotes a user's text for a message, shortening it if it is long.
pub(crate) fn quote(text: &str) -> String {
    const LIMIT: usize = 60;
    match text.char_indices().nth(LIMIT) {
        Some((cut, _)) => format!("{:?}", format!("{}…", &text[..cut])),
        None => format!("{text:?}"),
    }
}
