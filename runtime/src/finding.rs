//! Findings: what a run reports, one JSON object per line.
//!
//! The keys and their order follow `spec/cli-and-findings.md`: the required keys are always
//! written (as `null` when they have no value), the recommended keys only when they have one.
//! Texts that every finding of a rule shares are reference-counted, so a finding is cheap to make.

use std::io;
use std::sync::Arc;

use serde::Serialize;
use serde::ser::SerializeMap;

/// The field of an event type that names the processor, copied into findings when the event type
/// has a top-level string field of this name.
///
/// The name comes from the stream format, which every vocabulary shares, not from a regulation.
pub const PROCESSOR_FIELD: &str = "processor";
/// The field of an event type that names the subject, copied into findings like
/// [`PROCESSOR_FIELD`].
pub const SUBJECT_FIELD: &str = "subject";

/// What kind of finding this is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    /// An event broke a rule.
    Violation,
    /// An obligation's deadline passed unmet.
    Overdue,
    /// An obligation was still pending when the stream closed.
    Open,
    /// A line was rejected.
    InputError,
}

/// One finding.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Finding {
    pub finding: FindingKind,
    /// The rule's stable id; `None` for an input error.
    pub rule: Option<Arc<str>>,
    /// The regulation's id; `None` for an input error.
    pub regulation: Option<Arc<str>>,
    /// The article's number; `None` for an input error, or when the number is not known
    /// (then `clause_key` names the article).
    pub article: Option<u32>,
    pub paragraph: Option<u32>,
    pub item: Option<u32>,
    /// The key of an article of unknown number, as the regulation's outline names it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clause_key: Option<Arc<str>>,
    /// The 1-based line of the event that triggered the finding, or of the rejected line.
    pub line: u64,
    /// The event's time, written at the offset the event was written with (`Z` as `+00:00`);
    /// for `overdue` and `open`, the deadline; `None` for an input error.
    pub time: Option<String>,
    /// A sentence naming the clause, or the reason a line was rejected.
    pub message: Arc<str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub processor: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// For `overdue` and `open`: the last day allowed, `YYYY-MM-DD` in the regulation's time
    /// zone (the finding's `time` is the end of that day).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deadline: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<EvidenceMap>,
    /// The clause's short title.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<Arc<str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_zh: Option<Arc<str>>,
    /// Further sources the rule implements, such as a statute behind an organisation's clause.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cites: Option<Arc<[Arc<str>]>>,
}

impl Finding {
    /// The finding for a rejected line.
    pub fn input_error(line: u64, message: impl Into<Arc<str>>) -> Finding {
        Finding {
            finding: FindingKind::InputError,
            rule: None,
            regulation: None,
            article: None,
            paragraph: None,
            item: None,
            clause_key: None,
            line,
            time: None,
            message: message.into(),
            event_id: None,
            processor: None,
            subject: None,
            deadline: None,
            evidence: None,
            title: None,
            message_zh: None,
            cites: None,
        }
    }

    /// The finding as one line of JSON, without the line break.
    pub fn to_json_line(&self) -> String {
        // Serialising a finding cannot fail: every map key is a string and there are no floats.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Writes the finding as one line of JSON, with the line break.
    pub fn write_json_line(&self, mut writer: impl io::Write) -> io::Result<()> {
        serde_json::to_writer(&mut writer, self).map_err(io::Error::other)?;
        writer.write_all(b"\n")
    }
}

/// The field values that decided a finding, by the label the policy wrote (`consent.given_by`),
/// in the order the rule lists them.
///
/// Enum values are written as their names, dates as `YYYY-MM-DD`, times in RFC 3339, records as
/// objects and absent fields as `null`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EvidenceMap(pub Vec<(Arc<str>, serde_json::Value)>);

impl Serialize for EvidenceMap {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (label, value) in &self.0 {
            map.serialize_entry(label.as_ref(), value)?;
        }
        map.end()
    }
}
