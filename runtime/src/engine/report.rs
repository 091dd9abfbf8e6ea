//! Reporting: the texts of findings, prepared per rule at load time, and the findings
//! themselves.

use std::sync::Arc;

use serde_json::Value as Json;

use super::judge::TriggerRef;
use super::obligations::Obligation;
use super::plan::Prepared;
use crate::eval::read_field;
use crate::finding::{EvidenceMap, Finding, FindingKind, RoleValue};
use crate::ir::{ClauseRef, EventId, Program, Role, Rule, Trigger, Type, Value, Vocabulary};
use crate::load_error::LoadError;
use crate::time;

/// The parts of a rule's findings that do not depend on the event.
#[derive(Clone, Debug)]
pub(super) struct RuleTemplate {
    pub(super) rule: Arc<str>,
    pub(super) regulation: Arc<str>,
    pub(super) clause: Arc<ClauseRef>,
    pub(super) title: Option<Arc<str>>,
    /// The clause, e.g. `Art. 8(2) (Storage and retention)`.
    pub(super) citation: Arc<str>,
    /// The citation and the rule's message: what a violation says.
    pub(super) message: Arc<str>,
    pub(super) message_zh: Option<Arc<str>>,
    pub(super) cites: Option<Arc<[Arc<str>]>>,
    pub(super) evidence: Vec<EvidenceTemplate>,
}

#[derive(Clone, Debug)]
pub(super) struct EvidenceTemplate {
    pub(super) label: Arc<str>,
    pub(super) path: Vec<u32>,
    /// The field's type, known when the rule is triggered by an event type.
    pub(super) ty: Option<Type>,
}

/// The parts of a rule's findings that do not depend on the event.
pub(super) fn rule_template(
    program: &Program,
    rule: &Rule,
    regulation: &Arc<str>,
) -> Result<RuleTemplate, LoadError> {
    let clause = program
        .clauses
        .get(rule.clause as usize)
        .ok_or_else(|| LoadError::invalid(format!("rule `{}` cites a missing clause", rule.id)))?;
    let title = clause.title.as_deref().filter(|t| !t.is_empty());
    let citation = match title {
        Some(title) => format!("{} ({title})", clause.at),
        None => clause.at.to_string(),
    };
    let message = if rule.message.trim().is_empty() {
        format!("{citation}: rule `{}` was broken", rule.id.name)
    } else {
        format!("{citation}: {}", rule.message.trim())
    };
    let evidence = rule
        .evidence
        .iter()
        .map(|e| {
            let ty = match rule.trigger {
                Trigger::Event(event) => Some(
                    field_type(&program.vocabulary, event, &e.path)
                        .cloned()
                        .ok_or_else(|| {
                            LoadError::invalid(format!(
                                "rule `{}` reports evidence `{}`, which its event type lacks",
                                rule.id, e.label
                            ))
                        })?,
                ),
                Trigger::Reaches { .. } => None,
            };
            Ok(EvidenceTemplate {
                label: Arc::from(e.label.as_str()),
                path: e.path.clone(),
                ty,
            })
        })
        .collect::<Result<Vec<_>, LoadError>>()?;
    Ok(RuleTemplate {
        rule: Arc::from(rule.id.to_string()),
        regulation: Arc::clone(regulation),
        clause: Arc::new(clause.at.clone()),
        title: title.map(Arc::from),
        citation: Arc::from(citation),
        message: Arc::from(message),
        message_zh: rule.message_zh.as_deref().map(Arc::from),
        cites: (!rule.cites.is_empty())
            .then(|| rule.cites.iter().map(|c| Arc::from(c.as_str())).collect()),
        evidence,
    })
}

/// The type of the field a path reaches from an event type, through records.
fn field_type<'a>(vocabulary: &'a Vocabulary, event: EventId, path: &[u32]) -> Option<&'a Type> {
    let (first, rest) = path.split_first()?;
    let mut ty = &vocabulary
        .events
        .get(event as usize)?
        .fields
        .get(*first as usize)?
        .ty;
    for &index in rest {
        let Type::Record(record) = ty else {
            return None;
        };
        ty = &vocabulary
            .records
            .get(*record as usize)?
            .fields
            .get(index as usize)?
            .ty;
    }
    Some(ty)
}

/// A value as JSON for evidence: enums by name, records as objects when their type is known.
fn render(value: &Value, ty: Option<&Type>, vocabulary: &Vocabulary, offset_seconds: i32) -> Json {
    match value {
        Value::Bool(b) => Json::Bool(*b),
        Value::Int(i) => Json::from(*i),
        Value::Str(s) => Json::String(s.clone()),
        Value::Enum(id, index) => vocabulary
            .enums
            .get(*id as usize)
            .and_then(|e| e.values.get(*index as usize))
            .map_or_else(|| Json::from(*index), |name| Json::String(name.clone())),
        Value::Date(date) => Json::String(date.to_string()),
        Value::Time(second) => Json::String(time::format_rfc3339(*second, 0, offset_seconds)),
        Value::Record(fields) => {
            let record = match ty {
                Some(Type::Record(id)) => vocabulary.records.get(*id as usize),
                _ => None,
            };
            match record {
                Some(def) => Json::Object(
                    def.fields
                        .iter()
                        .zip(fields)
                        .map(|(field, value)| {
                            let value = value.as_ref().map_or(Json::Null, |v| {
                                render(v, Some(&field.ty), vocabulary, offset_seconds)
                            });
                            (field.name.clone(), value)
                        })
                        .collect(),
                ),
                None => Json::Array(
                    fields
                        .iter()
                        .map(|v| {
                            v.as_ref()
                                .map_or(Json::Null, |v| render(v, None, vocabulary, offset_seconds))
                        })
                        .collect(),
                ),
            }
        }
        Value::List(items) => {
            let element = match ty {
                Some(Type::List(element) | Type::Set(element)) => Some(element.as_ref()),
                _ => None,
            };
            Json::Array(
                items
                    .iter()
                    .map(|v| render(v, element, vocabulary, offset_seconds))
                    .collect(),
            )
        }
    }
}

impl Prepared {
    /// The finding for a pending obligation.
    pub(super) fn obligation_finding(&self, kind: FindingKind, obligation: &Obligation) -> Finding {
        let rule = self.deadlines[obligation.plan].rule;
        let due = obligation.due;
        let template = &self.templates[rule];
        let approximate = match due.unknown_from {
            None => String::new(),
            Some(from) if !self.calendar.has_data_for_year(from.year) => format!(
                ", counted as Monday to Friday: the calendar has no holiday data for {}",
                from.year
            ),
            Some(from) => format!(
                ", counted as Monday to Friday: the calendar has no holiday data from {from}"
            ),
        };
        // An open obligation is not yet broken: say so before quoting what breaking it means.
        let message = match kind {
            FindingKind::Open => {
                let requirement = template
                    .message
                    .strip_prefix(&*template.citation)
                    .map_or(&*template.message, |m| m.trim_start_matches(": "));
                format!(
                    "{}: pending, due by {}{approximate}; if it is not met by then: {requirement}",
                    template.citation, due.date
                )
            }
            _ => format!("{} (due by {}{approximate})", template.message, due.date),
        };
        let time = match due.instant {
            i64::MAX => due.date.to_string(),
            instant => time::format_rfc3339(instant, 0, self.offset_at(instant)),
        };
        self.finding(
            rule,
            kind,
            obligation.line,
            obligation.trigger.as_ref(),
            time,
            Some(due.date.to_string()),
            Arc::from(message),
        )
    }

    /// A finding of a rule about a trigger.
    #[expect(
        clippy::too_many_arguments,
        reason = "each part of a finding comes from elsewhere"
    )]
    pub(super) fn finding(
        &self,
        rule: usize,
        kind: FindingKind,
        line: u64,
        trigger: TriggerRef<'_>,
        time: String,
        deadline: Option<String>,
        message: Arc<str>,
    ) -> Finding {
        let template = &self.templates[rule];
        let vocabulary = &self.program.vocabulary;
        let string = |value: Option<&Option<Value>>| match value {
            Some(Some(Value::Str(s))) => Some(s.clone()),
            _ => None,
        };
        let (values, event_id): ([Option<String>; 2], _) = match trigger {
            TriggerRef::Event(event) => {
                let roles = self
                    .dispatch
                    .get(event.ty as usize)
                    .map(|d| d.roles)
                    .unwrap_or_default();
                (
                    roles.map(|field| string(field.and_then(|i| event.fields.get(i)))),
                    event.id.clone(),
                )
            }
            TriggerRef::Key(key) => {
                let fills = self
                    .key_roles
                    .get(key.state as usize)
                    .copied()
                    .unwrap_or_default();
                let text = match &key.key {
                    Value::Str(s) => Some(s.clone()),
                    _ => None,
                };
                (
                    fills.map(|fills| text.clone().filter(|_| fills)),
                    key.event_id.clone(),
                )
            }
        };
        let [party, individual] = values;
        let role = |index: usize, value: Option<String>| {
            Some(RoleValue {
                key: Arc::clone(self.role_keys[index].as_ref()?),
                value: value?,
            })
        };
        let offset = match trigger {
            TriggerRef::Event(event) => event.time_offset_seconds,
            TriggerRef::Key(key) => key.offset_seconds,
        };
        let evidence = (!template.evidence.is_empty()).then(|| {
            EvidenceMap(
                template
                    .evidence
                    .iter()
                    .map(|e| {
                        let value = match read_field(trigger.binding(), &e.path) {
                            Some(value) => render(value, e.ty.as_ref(), vocabulary, offset),
                            None => Json::Null,
                        };
                        (Arc::clone(&e.label), value)
                    })
                    .collect(),
            )
        });
        Finding {
            finding: kind,
            rule: Some(Arc::clone(&template.rule)),
            regulation: Some(Arc::clone(&template.regulation)),
            clause: Some(Arc::clone(&template.clause)),
            line,
            time: Some(time),
            message,
            event_id,
            party: role(Role::Party as usize, party),
            individual: role(Role::Individual as usize, individual),
            deadline,
            evidence,
            title: template.title.clone(),
            message_zh: template.message_zh.clone(),
            cites: template.cites.clone(),
        }
    }
}

/// The time of a trigger as a finding shows it: as the event wrote it.
pub(super) fn trigger_time_text(trigger: TriggerRef<'_>) -> String {
    match trigger {
        TriggerRef::Event(event) => event.time_rfc3339(),
        TriggerRef::Key(key) => time::format_rfc3339(key.time, key.nanos, key.offset_seconds),
    }
}
