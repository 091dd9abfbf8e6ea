//! Reporting: the texts of findings, prepared per rule at load time, and the findings
//! themselves.

use std::sync::Arc;

use serde_json::Value as Json;

use super::trigger::TriggerRef;
use crate::eval::read_field;
use crate::finding::{EvidenceMap, Finding, FindingKind, RoleValue};
use crate::ir::{
    ClauseRef, EventId, Expr, Program, Role, Rule, StateDef, TRIGGER_SLOT, Trigger, Type, Value,
    Vocabulary,
};
use crate::load_error::LoadError;
use crate::time;

/// One entry per role, in the order of [`Role::ALL`].
pub(super) type PerRole<T> = [T; Role::ALL.len()];

/// What findings are made of, prepared at load time: each rule's texts, and where the roles
/// findings report are read.
#[derive(Clone, Debug)]
pub(super) struct Reporter {
    pub(super) templates: Vec<RuleTemplate>,
    vocabulary: Vocabulary,
    /// Per event type, per role, the top-level string field that fills the role.
    roles_by_event: Vec<PerRole<Option<usize>>>,
    /// Per state, the roles its key fills in findings of the rules its thresholds fire.
    key_roles: Vec<PerRole<bool>>,
    /// Per role, the key findings report it under (the field's name), if the vocabulary
    /// declares the role.
    role_keys: PerRole<Option<Arc<str>>>,
}

impl Reporter {
    pub(super) fn new(program: &Program) -> Result<Reporter, LoadError> {
        let vocabulary = &program.vocabulary;
        let role_keys = role_keys(vocabulary)?;
        let roles_by_event = vocabulary
            .events
            .iter()
            .map(|def| {
                role_keys.clone().map(|key| {
                    let key = key?;
                    def.fields
                        .iter()
                        .position(|f| *f.name == *key && f.ty == Type::String)
                })
            })
            .collect();
        let key_roles = program
            .states
            .iter()
            .map(|state| key_roles_of(vocabulary, state, &role_keys))
            .collect();
        let regulation: Arc<str> = Arc::from(program.regulation.id.as_str());
        let templates = program
            .rules
            .iter()
            .map(|rule| rule_template(program, rule, &regulation))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Reporter {
            templates,
            vocabulary: vocabulary.clone(),
            roles_by_event,
            key_roles,
            role_keys,
        })
    }

    /// Per role, the field of an event type that fills it.
    pub(super) fn roles_of(&self, event: EventId) -> PerRole<Option<usize>> {
        self.roles_by_event
            .get(event as usize)
            .copied()
            .unwrap_or_default()
    }
}

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
fn rule_template(
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

impl Reporter {
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
        let vocabulary = &self.vocabulary;
        let string = |value: Option<&Option<Value>>| match value {
            Some(Some(Value::Str(s))) => Some(s.clone()),
            _ => None,
        };
        let (values, event_id): ([Option<String>; 2], _) = match trigger {
            TriggerRef::Event(event) => {
                let roles = self.roles_of(event.ty);
                (
                    roles.map(|field| string(field.and_then(|i| event.fields.get(i)))),
                    event.id.clone(),
                )
            }
            TriggerRef::Kept(kept) => {
                let roles = self.roles_of(kept.ty);
                (
                    roles.map(|field| string(field.and_then(|i| kept.fields.get(i)))),
                    kept.id.as_deref().map(String::from),
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
        let offset = trigger.offset_seconds();
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

/// Per role, the field that fills it, from the vocabulary's `roles`.
fn role_keys(vocabulary: &Vocabulary) -> Result<PerRole<Option<Arc<str>>>, LoadError> {
    let mut keys: PerRole<Option<Arc<str>>> = Default::default();
    for def in &vocabulary.roles {
        let place = &mut keys[def.role as usize];
        if place.is_some() {
            return Err(LoadError::invalid(format!(
                "the vocabulary gives role `{}` twice",
                def.role.name()
            )));
        }
        *place = Some(Arc::from(def.field.as_str()));
    }
    Ok(keys)
}

/// The roles a state's key fills: a role's when every update reads the key from the top-level
/// string field that fills the role.
fn key_roles_of(
    vocabulary: &Vocabulary,
    state: &StateDef,
    role_keys: &PerRole<Option<Arc<str>>>,
) -> PerRole<bool> {
    let names: Vec<Option<&str>> = state
        .updates
        .iter()
        .map(|update| match &update.key {
            Expr::Field { slot, path } if *slot == TRIGGER_SLOT && path.len() == 1 => vocabulary
                .events
                .get(update.event as usize)
                .and_then(|def| def.fields.get(path[0] as usize))
                .filter(|field| field.ty == Type::String)
                .map(|field| field.name.as_str()),
            _ => None,
        })
        .collect();
    role_keys.clone().map(|key| {
        key.is_some_and(|key| !names.is_empty() && names.iter().all(|n| *n == Some(&*key)))
    })
}
