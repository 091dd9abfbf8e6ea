//! Findings: what a run reports, one JSON object per line.
//!
//! The keys and their order follow the findings format in `docs/cli.md`: the required keys are always
//! written (as `null` when they have no value), the recommended keys only when they have one.
//! Texts that every finding of a rule shares are reference-counted, so a finding is cheap to make.

use std::io;
use std::sync::Arc;

use serde::Serialize;
use serde::ser::SerializeMap;

use crate::ir::{ArticleRef, ClauseRef};

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
#[derive(Clone, Debug, PartialEq)]
pub struct Finding {
    pub finding: FindingKind,
    /// The rule's stable id; `None` for an input error.
    pub rule: Option<Arc<str>>,
    /// The regulation's id; `None` for an input error.
    pub regulation: Option<Arc<str>>,
    /// The clause the rule implements; `None` for an input error. It is written as `article`,
    /// `paragraph` and `item`, and, for an article of unknown number, `clause_key`.
    pub clause: Option<Arc<ClauseRef>>,
    /// The 1-based line of the event that triggered the finding, or of the rejected line.
    pub line: u64,
    /// The event's time, written at the offset the event was written with (`Z` as `+00:00`);
    /// for `overdue` and `open`, the last second allowed (the end of `deadline`, e.g.
    /// `2025-11-29T23:59:59+08:00`); `None` for an input error.
    pub time: Option<String>,
    /// A sentence naming the clause, or the reason a line was rejected.
    pub message: Arc<str>,
    pub event_id: Option<String>,
    /// The party responsible, as the vocabulary's `party` role names it.
    pub party: Option<RoleValue>,
    /// The individual concerned, as the vocabulary's `individual` role names it.
    pub individual: Option<RoleValue>,
    /// For `overdue` and `open`: the last day allowed, `YYYY-MM-DD` in the regulation's time
    /// zone (the finding's `time` is the end of that day).
    pub deadline: Option<String>,
    pub evidence: Option<EvidenceMap>,
    /// The clause's short title.
    pub title: Option<Arc<str>>,
    pub message_zh: Option<Arc<str>>,
    /// Further sources the rule implements, such as a statute behind an organisation's clause.
    pub cites: Option<Arc<[Arc<str>]>>,
}

/// The value of a role in a finding, and the key it is written under: the name of the field it
/// comes from (`owner`, say, for a vocabulary whose `party` is its `owner` field).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoleValue {
    pub key: Arc<str>,
    pub value: String,
}

/// The keys and their order follow the findings format: the required keys always, the
/// recommended keys only when they have a value.
impl Serialize for Finding {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("finding", &self.finding)?;
        map.serialize_entry("rule", &self.rule)?;
        map.serialize_entry("regulation", &self.regulation)?;
        let clause = self.clause.as_deref();
        map.serialize_entry("article", &clause.and_then(|c| c.article.number()))?;
        map.serialize_entry("paragraph", &clause.and_then(|c| c.paragraph))?;
        map.serialize_entry("item", &clause.and_then(|c| c.item))?;
        if let Some(ClauseRef {
            article: ArticleRef::Key(key),
            ..
        }) = clause
        {
            map.serialize_entry("clause_key", key)?;
        }
        map.serialize_entry("line", &self.line)?;
        map.serialize_entry("time", &self.time)?;
        map.serialize_entry("message", &self.message)?;
        if let Some(id) = &self.event_id {
            map.serialize_entry("event_id", id)?;
        }
        for role in [&self.party, &self.individual].into_iter().flatten() {
            map.serialize_entry(&*role.key, &role.value)?;
        }
        if let Some(deadline) = &self.deadline {
            map.serialize_entry("deadline", deadline)?;
        }
        if let Some(evidence) = &self.evidence {
            map.serialize_entry("evidence", evidence)?;
        }
        if let Some(title) = &self.title {
            map.serialize_entry("title", title)?;
        }
        if let Some(message_zh) = &self.message_zh {
            map.serialize_entry("message_zh", message_zh)?;
        }
        if let Some(cites) = &self.cites {
            map.serialize_entry("cites", cites)?;
        }
        map.end()
    }
}

impl Finding {
    /// The finding for a rejected line.
    pub fn input_error(line: u64, message: impl Into<Arc<str>>) -> Finding {
        Finding {
            finding: FindingKind::InputError,
            rule: None,
            regulation: None,
            clause: None,
            line,
            time: None,
            message: message.into(),
            event_id: None,
            party: None,
            individual: None,
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
