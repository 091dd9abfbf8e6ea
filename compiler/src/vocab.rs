//! Resolving vocabulary declarations: enums, records and event types with typed fields, and the
//! roles findings report.
//!
//! A resolved [`Vocab`] holds no spans: editing a comment in a vocabulary file changes no value
//! that type checking reads. Where a name is declared is read from the syntax tree when needed.
//!
//! # Extensions
//!
//! `vocabulary staff extends face from "PATH" { … }` starts from a copy of `face` and adds to
//! it: new enums, records and event types; new fields on the base's event types (declared as
//! `event visit { badge?: string }`); new `common` fields, which every event type gets after
//! the base's common fields; and `roles` if the base has none. It may not change what the base
//! declares: a base enum, record, field or roles block declared again is an error (E0205), so an
//! event that the base accepts means the same to both, and packages using the base and the
//! extension can judge one stream together (each reads the fields it knows). An extension is
//! resolved per package ([`vocab_named`]), since its base file is one of the package's imports.

use std::collections::HashMap;
use std::sync::Arc;

use edict_grammar::ast::{self, Item, Span, VocabDecl};
use edict_runtime::ir;

use crate::db::SourceFile;
use crate::diagnostic::{Code, Diagnostic, Text};
use crate::parse::parse_file;
use crate::types::{Ty, TypeNames};
use edict_grammar::tr;

mod extend;
mod fields;
mod partition;
mod range;

use extend::changes_base;
pub(crate) use extend::{declared_names, vocab_named};
use fields::{resolve_fields, resolve_roles};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Vocab {
    /// The file that declares it.
    pub file: SourceFile,
    pub name: String,
    /// Where its parts are declared: this vocabulary first, then the one it extends, and so on.
    pub sources: Vec<(SourceFile, String)>,
    pub enums: Vec<EnumInfo>,
    pub records: Vec<RecordInfo>,
    /// Each event type's fields start with the common fields.
    pub events: Vec<EventInfo>,
    pub common: Vec<FieldInfo>,
    /// The fields findings report in each role.
    pub roles: Vec<ir::RoleDef>,
    /// `partition by FIELD`: a required field of `common`.
    pub partition: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnumInfo {
    pub name: String,
    pub values: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordInfo {
    pub name: String,
    pub fields: Vec<FieldInfo>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventInfo {
    pub name: String,
    pub open: bool,
    pub fields: Vec<FieldInfo>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldInfo {
    pub name: String,
    pub ty: Ty,
    pub optional: bool,
    pub default: Option<ir::Value>,
    /// The values an integer field accepts.
    pub range: ir::IntRange,
}

impl TypeNames for Vocab {
    fn enum_name(&self, id: u32) -> Option<&str> {
        self.enums.get(id as usize).map(|e| e.name.as_str())
    }

    fn record_name(&self, id: u32) -> Option<&str> {
        self.records.get(id as usize).map(|r| r.name.as_str())
    }
}

impl FieldInfo {
    /// Whether the field may be absent when read: optional and without a default.
    pub fn may_be_absent(&self) -> bool {
        self.optional && self.default.is_none()
    }
}

impl Vocab {
    pub fn event(&self, name: &str) -> Option<(u32, &EventInfo)> {
        self.events
            .iter()
            .enumerate()
            .find(|(_, e)| e.name == name)
            .map(|(i, e)| (i as u32, e))
    }

    pub fn event_names(&self) -> impl Iterator<Item = &str> {
        self.events.iter().map(|e| e.name.as_str())
    }

    /// The enums that have a value of this name.
    pub fn enums_with_value(&self, value: &str) -> Vec<(u32, u32)> {
        let mut found = Vec::new();
        for (e, info) in self.enums.iter().enumerate() {
            if let Some(v) = info.values.iter().position(|v| v == value) {
                found.push((e as u32, v as u32));
            }
        }
        found
    }

    /// The type as a user would write it.
    pub fn show(&self, ty: &Ty) -> Text {
        ty.display(Some(self))
    }

    pub fn to_ir(&self) -> ir::Vocabulary {
        let fields = |fs: &[FieldInfo]| {
            fs.iter()
                .map(|f| ir::FieldDef {
                    name: f.name.clone(),
                    ty: f.ty.to_ir(),
                    required: !f.optional,
                    default: f.default.clone(),
                    range: f.range,
                })
                .collect()
        };
        ir::Vocabulary {
            name: self.name.clone(),
            enums: self
                .enums
                .iter()
                .map(|e| ir::EnumDef {
                    name: e.name.clone(),
                    values: e.values.clone(),
                })
                .collect(),
            records: self
                .records
                .iter()
                .map(|r| ir::RecordDef {
                    name: r.name.clone(),
                    fields: fields(&r.fields),
                })
                .collect(),
            events: self
                .events
                .iter()
                .map(|e| ir::EventDef {
                    name: e.name.clone(),
                    open: e.open,
                    fields: fields(&e.fields),
                })
                .collect(),
            roles: self.roles.clone(),
            partition: self.partition.clone(),
        }
    }
}

/// The vocabularies a file declares that extend no other (an extension is resolved within a
/// package, by [`vocab_named`]).
#[salsa::tracked(returns(ref))]
pub(crate) fn vocabularies(db: &dyn salsa::Database, file: SourceFile) -> Vec<Arc<Vocab>> {
    let mut out = Vec::new();
    for item in &parse_file(db, file).items {
        if let Item::Vocabulary(v) = item
            && v.extends.is_none()
        {
            let (vocab, diags) = resolve_vocabulary(file, v, None);
            out.push(Arc::new(vocab));
            for d in diags {
                d.report(db);
            }
        }
    }
    out
}

fn resolve_vocabulary(
    file: SourceFile,
    decl: &ast::Vocabulary,
    base: Option<&Vocab>,
) -> (Vocab, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let mut names: HashMap<String, Span> = HashMap::new();
    let mut declare = |diags: &mut Vec<Diagnostic>, id: &ast::Ident, what: (&str, &str)| -> bool {
        if let Some(first) = names.get(id.name.as_str()) {
            let (name, vocabulary, (what_en, what_zh)) = (&id.name, &decl.name, what);
            diags.push(
                Diagnostic::error(
                    Code::DuplicateDeclaration,
                    file,
                    id.span,
                    tr!(
                        "`{name}` is declared twice in vocabulary `{vocabulary}`",
                        "`{name}`在词汇`{vocabulary}`中声明了两次"
                    ),
                )
                .label(tr!(
                    "second {what_en} named `{name}`",
                    "第二个名为`{name}`的{what_zh}"
                ))
                .secondary(file, *first, tr!("first declared here", "第一次声明在此"))
                .help(tr!("rename one of them", "给其中一个改名")),
            );
            false
        } else {
            names.insert(id.name.clone(), id.span);
            true
        }
    };

    // Names first, so that fields may refer to enums and records declared later. An extension
    // starts from a copy of its base.
    let mut vocab = match base {
        Some(base) => {
            let mut sources = vec![(file, decl.name.name.clone())];
            sources.extend(base.sources.iter().cloned());
            Vocab {
                file,
                name: decl.name.name.clone(),
                sources,
                ..base.clone()
            }
        }
        None => Vocab {
            file,
            name: decl.name.name.clone(),
            sources: vec![(file, decl.name.name.clone())],
            enums: Vec::new(),
            records: Vec::new(),
            events: Vec::new(),
            common: Vec::new(),
            roles: Vec::new(),
            partition: None,
        },
    };
    let base_name = base.map_or(String::new(), |b| b.name.clone());
    let in_base = |kind: &str, name: &str| {
        base.is_some_and(|b| match kind {
            "enum" => b.enums.iter().any(|e| e.name == name),
            "record" => b.records.iter().any(|r| r.name == name),
            _ => b.events.iter().any(|e| e.name == name),
        })
    };
    // The base's event types that the extension adds fields to.
    let mut extended_events: Vec<String> = Vec::new();
    for d in &decl.decls {
        match d {
            VocabDecl::Enum { name, .. } if in_base("enum", &name.name) => {
                diags.push(changes_base(file, name, &base_name, ("enum", "枚举")));
            }
            VocabDecl::Record { name, .. } if in_base("record", &name.name) => {
                diags.push(changes_base(file, name, &base_name, ("record", "记录")));
            }
            VocabDecl::Event { name, open, .. } if in_base("event", &name.name) => {
                let base_open = vocab.events.iter().any(|e| e.name == name.name && e.open);
                if *open && !base_open {
                    diags.push(changes_base(
                        file,
                        name,
                        &base_name,
                        ("closed event type", "封闭的事件类型"),
                    ));
                }
                if declare(&mut diags, name, ("event type", "事件类型")) {
                    extended_events.push(name.name.clone());
                }
            }
            VocabDecl::Enum { name, values } => {
                if declare(&mut diags, name, ("enum", "枚举")) {
                    let mut seen: Vec<&str> = Vec::new();
                    for v in values {
                        if seen.contains(&v.name.as_str()) {
                            let (name, value) = (&name.name, &v.name);
                            diags.push(
                                Diagnostic::error(
                                    Code::DuplicateDeclaration,
                                    file,
                                    v.span,
                                    tr!(
                                        "enum `{name}` lists `{value}` twice",
                                        "枚举`{name}`两次列出了`{value}`"
                                    ),
                                )
                                .label(tr!("repeated value", "重复的值"))
                                .help(tr!("remove one of them", "删去其中一个")),
                            );
                        } else {
                            seen.push(&v.name);
                        }
                    }
                    vocab.enums.push(EnumInfo {
                        name: name.name.clone(),
                        values: seen.iter().map(|s| s.to_string()).collect(),
                    });
                }
            }
            VocabDecl::Record { name, .. } => {
                if declare(&mut diags, name, ("record", "记录")) {
                    vocab.records.push(RecordInfo {
                        name: name.name.clone(),
                        fields: Vec::new(),
                    });
                }
            }
            VocabDecl::Event { name, open, .. } => {
                if declare(&mut diags, name, ("event type", "事件类型")) {
                    vocab.events.push(EventInfo {
                        name: name.name.clone(),
                        open: *open,
                        fields: Vec::new(),
                    });
                }
            }
            VocabDecl::Common { .. } | VocabDecl::Roles { .. } | VocabDecl::Partition { .. } => {}
        }
    }

    // The base's fields, each with the span of the extension's name (for duplicate reports).
    let base_common: Vec<(FieldInfo, Span)> = vocab
        .common
        .iter()
        .map(|f| (f.clone(), decl.name.span))
        .collect();
    let mut common: Vec<(FieldInfo, Span)> = Vec::new();
    let mut common_decl: Option<Span> = None;
    for d in &decl.decls {
        if let VocabDecl::Common { fields, span } = d {
            if let Some(first) = common_decl {
                let vocabulary = &decl.name;
                diags.push(
                    Diagnostic::error(
                        Code::DuplicateDeclaration,
                        file,
                        *span,
                        tr!(
                            "vocabulary `{vocabulary}` has two `common` blocks",
                            "词汇`{vocabulary}`有两个`公共`块"
                        ),
                    )
                    .label(tr!("second `common` block", "第二个`公共`块"))
                    .secondary(file, first, tr!("first one here", "第一个在此"))
                    .help(tr!("merge them into one", "把它们合并为一个")),
                );
                continue;
            }
            common_decl = Some(*span);
            common = resolve_fields(
                file,
                &vocab,
                fields,
                (&base_common, base_common.len()),
                &mut diags,
            );
        }
    }
    // An extension's common fields come right after the base's in every event type, so that a
    // common field has one place in all of them.
    let base_common_len = base_common.len();
    if let Some(base) = base
        && !common.is_empty()
    {
        for e in vocab.events.iter_mut().take(base.events.len()) {
            let added = common.iter().map(|(f, _)| f.clone());
            let at = base_common_len.min(e.fields.len());
            e.fields.splice(at..at, added);
        }
    }
    let all_common: Vec<(FieldInfo, Span)> = base_common.into_iter().chain(common).collect();
    for d in &decl.decls {
        match d {
            VocabDecl::Record { name, fields } if !in_base("record", &name.name) => {
                let resolved = resolve_fields(file, &vocab, fields, (&[], 0), &mut diags);
                if let Some(r) = vocab.records.iter_mut().find(|r| r.name == name.name) {
                    r.fields = resolved.into_iter().map(|(f, _)| f).collect();
                }
            }
            VocabDecl::Event { name, fields, .. } if extended_events.contains(&name.name) => {
                // New fields on a base event type: after the fields it has.
                let Some(index) = vocab.events.iter().position(|e| e.name == name.name) else {
                    continue;
                };
                // The base's fields first, then the extension's common fields.
                let mut inherited: Vec<(FieldInfo, Span)> = vocab.events[index]
                    .fields
                    .iter()
                    .filter(|f| {
                        !all_common[base_common_len..]
                            .iter()
                            .any(|(c, _)| c.name == f.name)
                    })
                    .map(|f| (f.clone(), decl.name.span))
                    .collect();
                let from_base = inherited.len();
                inherited.extend(all_common[base_common_len..].iter().cloned());
                let own = resolve_fields(file, &vocab, fields, (&inherited, from_base), &mut diags);
                vocab.events[index]
                    .fields
                    .extend(own.into_iter().map(|(f, _)| f));
            }
            VocabDecl::Event { name, fields, .. } if !in_base("event", &name.name) => {
                let own = resolve_fields(
                    file,
                    &vocab,
                    fields,
                    (&all_common, base_common_len),
                    &mut diags,
                );
                if let Some(e) = vocab.events.iter_mut().find(|e| e.name == name.name) {
                    e.fields = all_common
                        .iter()
                        .chain(&own)
                        .map(|(f, _)| f.clone())
                        .collect();
                }
            }
            _ => {}
        }
    }
    vocab.common = all_common.into_iter().map(|(f, _)| f).collect();
    let mut roles_decl: Option<Span> = None;
    for d in &decl.decls {
        if let VocabDecl::Roles { roles, span } = d {
            if base.is_some_and(|b| !b.roles.is_empty()) {
                diags.push(
                    Diagnostic::error(Code::BadExtension, file, *span, {
                        let base = &base_name;
                        tr!(
                            "the base vocabulary `{base}` already gives the roles",
                            "基础词汇`{base}`已经给出了角色"
                        )
                    })
                    .label(tr!(
                        "an extension may add to its base, not change it",
                        "扩展只能在基础词汇上增加，不能改动它"
                    ))
                    .help(tr!(
                        "remove this `roles` block: findings report the base's roles",
                        "删去这个`角色`块：发现报告基础词汇的角色"
                    )),
                );
                continue;
            }
            if let Some(first) = roles_decl {
                diags.push(
                    Diagnostic::error(Code::DuplicateDeclaration, file, *span, {
                        let vocabulary = &decl.name;
                        tr!(
                            "vocabulary `{vocabulary}` has two `roles` blocks",
                            "词汇`{vocabulary}`有两个`角色`块"
                        )
                    })
                    .label(tr!("second `roles` block", "第二个`角色`块"))
                    .secondary(file, first, tr!("first one here", "第一个在此"))
                    .help(tr!("merge them into one", "把它们合并为一个")),
                );
                continue;
            }
            roles_decl = Some(*span);
            vocab.roles = resolve_roles(file, &vocab, roles, &mut diags);
        }
    }
    partition::resolve_partition(file, decl, &mut vocab, &mut diags);
    (vocab, diags)
}
