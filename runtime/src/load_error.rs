//! Why a program cannot be loaded into an engine.

use std::fmt;

use crate::ir::Date;

/// Why a program cannot be loaded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LoadError {
    /// The regulation's time zone is not in the time zone database.
    UnknownTimeZone { zone: String },
    /// The regulation's effective date does not exist in its time zone's calendar.
    InvalidEffectiveDate { date: Date },
    /// The regulation names a working-day calendar this runtime does not have.
    UnknownCalendar { name: String },
    /// An event type declares a field with a name the stream envelope reserves.
    ReservedField { event: String, field: String },
    /// Two programs judging one stream give one field of one event type different types.
    VocabularyClash(Box<Clash>),
    /// The program refers to something it does not have: the bundle was not made by a
    /// matching compiler.
    Invalid { detail: String },
}

/// A field two vocabularies of one run declare with different types.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Clash {
    pub event: String,
    pub field: String,
    /// The two vocabularies, and the field's type in each.
    pub first: (String, String),
    pub second: (String, String),
}

impl LoadError {
    pub(crate) fn invalid(detail: impl Into<String>) -> LoadError {
        LoadError::Invalid {
            detail: detail.into(),
        }
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadError::UnknownTimeZone { zone } => write!(
                f,
                "the regulation's time zone `{zone}` is unknown; use an IANA name such as Asia/Shanghai"
            ),
            LoadError::InvalidEffectiveDate { date } => write!(
                f,
                "the regulation's effective date {date} is not a real date"
            ),
            LoadError::UnknownCalendar { name } => write!(
                f,
                "the regulation's working-day calendar `{name}` is unknown; this edict has: {}",
                crate::calendar::BUILTIN_CALENDARS.join(", ")
            ),
            LoadError::ReservedField { event, field } => write!(
                f,
                "event type `{event}` declares a field `{field}`, a name the stream envelope reserves"
            ),
            LoadError::VocabularyClash(clash) => write!(
                f,
                "vocabularies `{}` and `{}` disagree on field `{}` of event type `{}`: {} in one, {} in the other",
                clash.first.0,
                clash.second.0,
                clash.field,
                clash.event,
                clash.first.1,
                clash.second.1
            ),
            LoadError::Invalid { detail } => write!(
                f,
                "the bundle's program is inconsistent: {detail}; rebuild it with `edict build`"
            ),
        }
    }
}

impl std::error::Error for LoadError {}

impl From<crate::calendar::UnknownCalendar> for LoadError {
    fn from(unknown: crate::calendar::UnknownCalendar) -> LoadError {
        LoadError::UnknownCalendar { name: unknown.name }
    }
}
