//! Several vocabularies on one stream: a decoder accepts what the others declare
//! ([`Decoder::share`]), so a run's vocabulary is the union of its regulations' vocabularies.

use super::{Decoder, ID_KEY, SHARED_FIELD, TIME_KEY, TYPE_KEY};
use crate::ir::{Type, Vocabulary};
use crate::load_error::{Clash, LoadError};

impl Decoder {
    /// Accepts what another vocabulary judging the same stream declares: its event types that
    /// this vocabulary lacks decode as [`Decoded::Elsewhere`], and the fields it declares on an
    /// event type this vocabulary also has are ignored here. A run's vocabulary is thus the union
    /// of its regulations' vocabularies, each regulation reading the fields it knows.
    ///
    /// Refused when the two declare one field of one event type with different types (or enums
    /// with different values, records with different fields): a line could not then be valid for
    /// both.
    pub fn share(&mut self, other: &Vocabulary) -> Result<(), LoadError> {
        for def in &other.events {
            let Some(&ty) = self.event_index.get(def.name.as_str()) else {
                self.elsewhere.insert(def.name.clone(), ());
                continue;
            };
            let own = &self.vocabulary.events[ty as usize];
            let layout = &mut self.events[ty as usize];
            for field in &def.fields {
                if matches!(field.name.as_str(), TYPE_KEY | TIME_KEY | ID_KEY) {
                    continue;
                }
                match layout.fields.get(field.name.as_str()) {
                    Some(&SHARED_FIELD) => {}
                    Some(&index) => {
                        let mine = &own.fields[index as usize];
                        let (a, b) = (shape(&self.vocabulary, &mine.ty), shape(other, &field.ty));
                        if a != b {
                            return Err(LoadError::VocabularyClash(Box::new(Clash {
                                event: def.name.clone(),
                                field: field.name.clone(),
                                first: (self.vocabulary.name.clone(), a),
                                second: (other.name.clone(), b),
                            })));
                        }
                    }
                    None => {
                        layout.fields.insert(field.name.clone(), SHARED_FIELD);
                    }
                }
            }
        }
        Ok(())
    }

    /// Forgets every vocabulary shared with [`Decoder::share`].
    pub fn unshare(&mut self) {
        self.elsewhere.clear();
        for layout in &mut self.events {
            layout.fields.retain(|_, index| *index != SHARED_FIELD);
        }
    }
}

/// A type as two vocabularies can compare it: enums by name and values, records by name and
/// fields.
fn shape(vocabulary: &Vocabulary, ty: &Type) -> String {
    match ty {
        Type::Bool => "bool".to_owned(),
        Type::Int => "int".to_owned(),
        Type::String => "string".to_owned(),
        Type::Date => "date".to_owned(),
        Type::Time => "time".to_owned(),
        Type::Duration => "duration".to_owned(),
        Type::Enum(id) => match vocabulary.enums.get(*id as usize) {
            Some(e) => format!("enum {} {{{}}}", e.name, e.values.join(", ")),
            None => "enum".to_owned(),
        },
        Type::Record(id) => match vocabulary.records.get(*id as usize) {
            Some(r) => {
                let fields: Vec<String> = r
                    .fields
                    .iter()
                    .map(|f| {
                        let optional = if f.required { "" } else { "?" };
                        format!("{}{optional}: {}", f.name, shape(vocabulary, &f.ty))
                    })
                    .collect();
                format!("record {} {{{}}}", r.name, fields.join(", "))
            }
            None => "record".to_owned(),
        },
        Type::List(element) => format!("list of {}", shape(vocabulary, element)),
        Type::Set(element) => format!("set of {}", shape(vocabulary, element)),
    }
}
