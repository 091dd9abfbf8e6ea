//! Resolving vocabulary declarations: enums, records and event types with typed fields.

use std::collections::HashMap;
use std::sync::Arc;

use edict_grammar::ast::{self, ExprKind, FieldDecl, Item, Span, TypeExpr, VocabDecl};
use edict_runtime::ir;

use crate::db::SourceFile;
use crate::diagnostic::{Code, Diagnostic};
use crate::parse::parse_file;
use crate::types::{Ty, did_you_mean};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Vocab {
    pub file: SourceFile,
    pub name: String,
    pub span: Span,
    pub enums: Vec<EnumInfo>,
    pub records: Vec<RecordInfo>,
    /// Each event type's fields start with the common fields.
    pub events: Vec<EventInfo>,
    pub common: Vec<FieldInfo>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnumInfo {
    pub name: String,
    pub values: Vec<String>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordInfo {
    pub name: String,
    pub fields: Vec<FieldInfo>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventInfo {
    pub name: String,
    pub open: bool,
    pub fields: Vec<FieldInfo>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldInfo {
    pub name: String,
    pub ty: Ty,
    pub optional: bool,
    pub default: Option<ir::Value>,
    pub span: Span,
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

    pub fn to_ir(&self) -> ir::Vocabulary {
        let fields = |fs: &[FieldInfo]| {
            fs.iter()
                .map(|f| ir::FieldDef {
                    name: f.name.clone(),
                    ty: f.ty.to_ir(),
                    required: !f.optional,
                    default: f.default.clone(),
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
        }
    }
}

/// The vocabularies a file declares.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VocabFile {
    pub vocabularies: Vec<Arc<Vocab>>,
    pub diagnostics: Vec<Diagnostic>,
}

#[salsa::tracked(returns(ref))]
pub fn vocabularies(db: &dyn salsa::Database, file: SourceFile) -> VocabFile {
    let mut out = VocabFile {
        vocabularies: Vec::new(),
        diagnostics: Vec::new(),
    };
    for item in &parse_file(db, file).ast.items {
        if let Item::Vocabulary(v) = item {
            let (vocab, diags) = resolve_vocabulary(file, v);
            out.vocabularies.push(Arc::new(vocab));
            out.diagnostics.extend(diags);
        }
    }
    out
}

fn resolve_vocabulary(file: SourceFile, decl: &ast::Vocabulary) -> (Vocab, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let mut names: HashMap<String, Span> = HashMap::new();
    let mut declare = |diags: &mut Vec<Diagnostic>, id: &ast::Ident, what: &str| -> bool {
        if let Some(first) = names.get(id.name.as_str()) {
            diags.push(
                Diagnostic::error(
                    Code::DuplicateDeclaration,
                    file,
                    id.span,
                    format!(
                        "`{}` is declared twice in vocabulary `{}`",
                        id.name, decl.name
                    ),
                )
                .label(format!("second {what} named `{}`", id.name))
                .secondary(file, *first, "first declared here")
                .help("rename one of them"),
            );
            false
        } else {
            names.insert(id.name.clone(), id.span);
            true
        }
    };

    // Names first, so that fields may refer to enums and records declared later.
    let mut vocab = Vocab {
        file,
        name: decl.name.name.clone(),
        span: decl.name.span,
        enums: Vec::new(),
        records: Vec::new(),
        events: Vec::new(),
        common: Vec::new(),
    };
    for d in &decl.decls {
        match d {
            VocabDecl::Enum { name, values } => {
                if declare(&mut diags, name, "enum") {
                    let mut seen: Vec<&str> = Vec::new();
                    for v in values {
                        if seen.contains(&v.name.as_str()) {
                            diags.push(
                                Diagnostic::error(
                                    Code::DuplicateDeclaration,
                                    file,
                                    v.span,
                                    format!("enum `{}` lists `{}` twice", name.name, v.name),
                                )
                                .label("repeated value")
                                .help("remove one of them"),
                            );
                        } else {
                            seen.push(&v.name);
                        }
                    }
                    vocab.enums.push(EnumInfo {
                        name: name.name.clone(),
                        values: seen.iter().map(|s| s.to_string()).collect(),
                        span: name.span,
                    });
                }
            }
            VocabDecl::Record { name, .. } => {
                if declare(&mut diags, name, "record") {
                    vocab.records.push(RecordInfo {
                        name: name.name.clone(),
                        fields: Vec::new(),
                        span: name.span,
                    });
                }
            }
            VocabDecl::Event { name, open, .. } => {
                if declare(&mut diags, name, "event type") {
                    vocab.events.push(EventInfo {
                        name: name.name.clone(),
                        open: *open,
                        fields: Vec::new(),
                        span: name.span,
                    });
                }
            }
            VocabDecl::Common { .. } => {}
        }
    }

    let mut common = Vec::new();
    let mut common_decl: Option<Span> = None;
    for d in &decl.decls {
        if let VocabDecl::Common { fields, span } = d {
            if let Some(first) = common_decl {
                diags.push(
                    Diagnostic::error(
                        Code::DuplicateDeclaration,
                        file,
                        *span,
                        format!("vocabulary `{}` has two `common` blocks", decl.name),
                    )
                    .label("second `common` block")
                    .secondary(file, first, "first one here")
                    .help("merge them into one"),
                );
                continue;
            }
            common_decl = Some(*span);
            common = resolve_fields(file, &vocab, fields, &[], &mut diags);
        }
    }
    for d in &decl.decls {
        match d {
            VocabDecl::Record { name, fields } => {
                let resolved = resolve_fields(file, &vocab, fields, &[], &mut diags);
                if let Some(r) = vocab.records.iter_mut().find(|r| r.name == name.name) {
                    r.fields = resolved;
                }
            }
            VocabDecl::Event { name, fields, .. } => {
                let own = resolve_fields(file, &vocab, fields, &common, &mut diags);
                if let Some(e) = vocab.events.iter_mut().find(|e| e.name == name.name) {
                    e.fields = common.iter().cloned().chain(own).collect();
                }
            }
            _ => {}
        }
    }
    vocab.common = common;
    (vocab, diags)
}

fn resolve_fields(
    file: SourceFile,
    vocab: &Vocab,
    fields: &[FieldDecl],
    inherited: &[FieldInfo],
    diags: &mut Vec<Diagnostic>,
) -> Vec<FieldInfo> {
    let mut out: Vec<FieldInfo> = Vec::new();
    for f in fields {
        if let Some(prev) = inherited
            .iter()
            .chain(out.iter())
            .find(|p| p.name == f.name.name)
        {
            diags.push(
                Diagnostic::error(
                    Code::DuplicateDeclaration,
                    file,
                    f.name.span,
                    format!("field `{}` is declared twice", f.name.name),
                )
                .label("declared again here")
                .secondary(file, prev.span, "first declared here")
                .help("common fields belong to every event type: do not repeat them"),
            );
            continue;
        }
        let ty = resolve_type(file, vocab, &f.ty, diags);
        let default = f.default.as_ref().and_then(|d| {
            if !f.optional {
                diags.push(
                    Diagnostic::error(
                        Code::BadDefault,
                        file,
                        d.span,
                        format!("required field `{}` has a default", f.name.name),
                    )
                    .label("a required field is always present, so its default is never used")
                    .help(format!("make it optional: `{}?: …`", f.name.name)),
                );
                return None;
            }
            let value = literal_value(vocab, d, &ty);
            if value.is_none() {
                diags.push(
                    Diagnostic::error(
                        Code::BadDefault,
                        file,
                        d.span,
                        format!(
                            "the default of `{}` is not {}",
                            f.name.name,
                            crate::types::a(&ty.display(Some(vocab)))
                        ),
                    )
                    .label("this value does not fit the field's type")
                    .help("a default is a literal of the field's type, or a value of its enum"),
                );
            }
            value
        });
        out.push(FieldInfo {
            name: f.name.name.clone(),
            ty,
            optional: f.optional,
            default,
            span: f.name.span,
        });
    }
    out
}

fn resolve_type(file: SourceFile, vocab: &Vocab, ty: &TypeExpr, diags: &mut Vec<Diagnostic>) -> Ty {
    match ty {
        TypeExpr::List(inner, _) => Ty::List(Box::new(resolve_type(file, vocab, inner, diags))),
        TypeExpr::Set(inner, _) => Ty::Set(Box::new(resolve_type(file, vocab, inner, diags))),
        TypeExpr::Named(id) => {
            if let Some(t) = Ty::builtin(&id.name) {
                return t;
            }
            if let Some(i) = vocab.enums.iter().position(|e| e.name == id.name) {
                return Ty::Enum(i as u32);
            }
            if let Some(i) = vocab.records.iter().position(|r| r.name == id.name) {
                return Ty::Record(i as u32);
            }
            let candidates = Ty::BUILTIN_NAMES
                .iter()
                .copied()
                .chain(vocab.enums.iter().map(|e| e.name.as_str()))
                .chain(vocab.records.iter().map(|r| r.name.as_str()));
            diags.push(
                Diagnostic::error(
                    Code::UnknownType,
                    file,
                    id.span,
                    format!("unknown type `{}`", id.name),
                )
                .label("not a built-in type, enum or record")
                .help(did_you_mean(&id.name, candidates).unwrap_or_else(|| {
                    "declare it with `enum` or `record`, or use bool, int, string, date, time or duration".into()
                })),
            );
            Ty::Error
        }
    }
}

/// The value of a literal of type `ty`, if it is one.
pub fn literal_value(vocab: &Vocab, expr: &ast::Expr, ty: &Ty) -> Option<ir::Value> {
    match (&expr.kind, ty) {
        (ExprKind::Bool(b), Ty::Bool) => Some(ir::Value::Bool(*b)),
        (ExprKind::Int(i), Ty::Int) => Some(ir::Value::Int(*i)),
        (ExprKind::Str(s), Ty::Str) => Some(ir::Value::Str(s.clone())),
        (ExprKind::Date(d), Ty::Date) => Some(ir::Value::Date(ir::Date {
            year: d.year,
            month: d.month,
            day: d.day,
        })),
        (ExprKind::Name(n), Ty::Enum(e)) => vocab
            .enums
            .get(*e as usize)?
            .values
            .iter()
            .position(|v| *v == n.name)
            .map(|i| ir::Value::Enum(*e, i as u32)),
        _ => None,
    }
}
