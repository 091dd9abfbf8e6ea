//! Resolving vocabulary declarations: enums, records and event types with typed fields, and the
//! roles findings report.
//!
//! A resolved [`Vocab`] holds no spans: editing a comment in a vocabulary file changes no value
//! that type checking reads. Where a name is declared is read from the syntax tree when needed.

use std::collections::HashMap;
use std::sync::Arc;

use edict_grammar::ast::{self, ExprKind, FieldDecl, Item, Span, TypeExpr, VocabDecl};
use edict_runtime::ir;

use crate::db::SourceFile;
use crate::diagnostic::{Code, Diagnostic, Lang, Text, did_you_mean};
use crate::parse::parse_file;
use crate::types::{Ty, TypeNames};
use edict_grammar::tr;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Vocab {
    /// The file that declares it.
    pub file: SourceFile,
    pub name: String,
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

/// The vocabularies a file declares.
#[salsa::tracked(returns(ref))]
pub(crate) fn vocabularies(db: &dyn salsa::Database, file: SourceFile) -> Vec<Arc<Vocab>> {
    let mut out = Vec::new();
    for item in &parse_file(db, file).items {
        if let Item::Vocabulary(v) = item {
            let (vocab, diags) = resolve_vocabulary(file, v);
            out.push(Arc::new(vocab));
            for d in diags {
                d.report(db);
            }
        }
    }
    out
}

fn resolve_vocabulary(file: SourceFile, decl: &ast::Vocabulary) -> (Vocab, Vec<Diagnostic>) {
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

    // Names first, so that fields may refer to enums and records declared later.
    let mut vocab = Vocab {
        file,
        name: decl.name.name.clone(),
        enums: Vec::new(),
        records: Vec::new(),
        events: Vec::new(),
        common: Vec::new(),
        roles: Vec::new(),
        partition: None,
    };
    for d in &decl.decls {
        match d {
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
            common = resolve_fields(file, &vocab, fields, &[], &mut diags);
        }
    }
    for d in &decl.decls {
        match d {
            VocabDecl::Record { name, fields } => {
                let resolved = resolve_fields(file, &vocab, fields, &[], &mut diags);
                if let Some(r) = vocab.records.iter_mut().find(|r| r.name == name.name) {
                    r.fields = resolved.into_iter().map(|(f, _)| f).collect();
                }
            }
            VocabDecl::Event { name, fields, .. } => {
                let own = resolve_fields(file, &vocab, fields, &common, &mut diags);
                if let Some(e) = vocab.events.iter_mut().find(|e| e.name == name.name) {
                    e.fields = common.iter().chain(&own).map(|(f, _)| f.clone()).collect();
                }
            }
            _ => {}
        }
    }
    vocab.common = common.into_iter().map(|(f, _)| f).collect();
    let mut roles_decl: Option<Span> = None;
    for d in &decl.decls {
        if let VocabDecl::Roles { roles, span } = d {
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
    let mut partition_decl: Option<Span> = None;
    for d in &decl.decls {
        if let VocabDecl::Partition { field, span } = d {
            if let Some(first) = partition_decl {
                diags.push(
                    Diagnostic::error(Code::DuplicateDeclaration, file, *span, {
                        let vocabulary = &decl.name;
                        tr!(
                            "vocabulary `{vocabulary}` declares `partition by` twice",
                            "词汇`{vocabulary}`两次声明了`分区于`"
                        )
                    })
                    .label(tr!("second declaration", "第二个声明"))
                    .secondary(file, first, tr!("first one here", "第一个在此"))
                    .help(tr!(
                        "a stream is partitioned by one field",
                        "一个事件流只按一个字段分区"
                    )),
                );
                continue;
            }
            partition_decl = Some(*span);
            if let Some(d) = check_partition_field(file, &vocab, field) {
                diags.push(d);
            } else {
                vocab.partition = Some(field.name.clone());
            }
        }
    }
    (vocab, diags)
}

/// Checks `partition by FIELD`: a required field of `common` whose type is a string, an integer
/// or an enum, so that every event has a value to partition by.
fn check_partition_field(
    file: SourceFile,
    vocab: &Vocab,
    field: &ast::Ident,
) -> Option<Diagnostic> {
    let name = &field.name;
    let common = vocab.common.iter().find(|f| &f.name == name);
    let required = || {
        vocab
            .common
            .iter()
            .filter(|f| !f.optional)
            .map(|f| f.name.as_str())
    };
    let (message, label, help) = match common {
        Some(f) if f.optional => (
            tr!(
                "the partition field `{name}` is optional",
                "分区字段`{name}`是可选的"
            ),
            tr!(
                "an event without it would belong to no partition",
                "没有它的事件不属于任何分区"
            ),
            tr!(
                "make `{name}` a required field of `common`, or partition by another one",
                "把`{name}`改为`公共`中的必填字段，或者按别的字段分区"
            ),
        ),
        Some(f) if !matches!(f.ty, Ty::Str | Ty::Int | Ty::Enum(_)) => {
            let ty = vocab.show(&f.ty);
            let (ty_en, ty_zh) = (ty.get(Lang::En), ty.get(Lang::Zh));
            (
                tr!(
                    "the partition field `{name}` is of type `{ty_en}`",
                    "分区字段`{name}`的类型是`{ty_zh}`"
                ),
                tr!(
                    "not a string, an integer or an enum",
                    "不是字符串、整数或枚举"
                ),
                tr!(
                    "partition by a field whose value names one party, such as a string",
                    "请按其值标识某一方的字段分区，例如字符串字段"
                ),
            )
        }
        Some(_) => return None,
        None => (
            tr!(
                "`{name}` is not a field of `common`",
                "`{name}`不是`公共`中的字段"
            ),
            tr!(
                "every event type must carry the partition field",
                "每个事件类型都必须带有分区字段"
            ),
            did_you_mean(name, required()).unwrap_or_else(|| {
                tr!(
                    "partition by a required field declared in `common`",
                    "请按`公共`中声明的必填字段分区"
                )
            }),
        ),
    };
    Some(
        Diagnostic::error(Code::BadPartition, file, field.span, message)
            .label(label)
            .help(help),
    )
}

/// Checks `roles { party: FIELD … }`: each role is known and given once, and its field is a
/// string field of at least one event type.
fn resolve_roles(
    file: SourceFile,
    vocab: &Vocab,
    entries: &[ast::RoleEntry],
    diags: &mut Vec<Diagnostic>,
) -> Vec<ir::RoleDef> {
    let mut out: Vec<(ir::RoleDef, Span)> = Vec::new();
    for entry in entries {
        let Some(role) = ir::Role::ALL
            .into_iter()
            .find(|r| r.name() == entry.role.name)
        else {
            let names = ir::Role::ALL.map(|r| format!("`{}`", r.name()));
            let (names_en, names_zh) = (names.join(" and "), names.join("和"));
            let role = &entry.role.name;
            diags.push(
                Diagnostic::error(
                    Code::BadRole,
                    file,
                    entry.role.span,
                    tr!(
                        "`{role}` is not a role findings report",
                        "`{role}`不是发现所报告的角色"
                    ),
                )
                .label(tr!("unknown role", "未知的角色"))
                .help(
                    did_you_mean(&entry.role.name, ir::Role::ALL.map(|r| r.name()))
                        .unwrap_or_else(|| tr!("the roles are {names_en}", "角色有{names_zh}")),
                ),
            );
            continue;
        };
        if let Some((_, first)) = out.iter().find(|(d, _)| d.role == role) {
            diags.push(
                Diagnostic::error(Code::DuplicateDeclaration, file, entry.role.span, {
                    let role = role.name();
                    tr!("role `{role}` is given twice", "角色`{role}`给出了两次")
                })
                .label(tr!("given again here", "再次给出在此"))
                .secondary(file, *first, tr!("first given here", "第一次给出在此"))
                .help(tr!(
                    "a role is filled by one field",
                    "一个角色只由一个字段填充"
                )),
            );
            continue;
        }
        let is_string_field = |fields: &[FieldInfo]| {
            fields
                .iter()
                .any(|f| f.name == entry.field.name && f.ty == Ty::Str)
        };
        if !vocab.events.iter().any(|e| is_string_field(&e.fields)) {
            let names = vocab
                .events
                .iter()
                .flat_map(|e| &e.fields)
                .filter(|f| f.ty == Ty::Str)
                .map(|f| f.name.as_str());
            diags.push(
                Diagnostic::error(Code::BadRole, file, entry.field.span, {
                    let field = &entry.field.name;
                    tr!(
                        "no event type has a string field `{field}`",
                        "没有哪个事件类型有字符串字段`{field}`"
                    )
                })
                .label({
                    let role = role.name();
                    tr!("cannot fill the role `{role}`", "无法填充角色`{role}`")
                })
                .help(did_you_mean(&entry.field.name, names).unwrap_or_else(|| {
                    tr!(
                        "a role is filled by a top-level string field of the event types",
                        "角色由事件类型顶层的字符串字段填充"
                    )
                })),
            );
            continue;
        }
        out.push((
            ir::RoleDef {
                role,
                field: entry.field.name.clone(),
            },
            entry.role.span,
        ));
    }
    out.into_iter().map(|(d, _)| d).collect()
}

/// Resolves field declarations, each with where its name is written.
fn resolve_fields(
    file: SourceFile,
    vocab: &Vocab,
    fields: &[FieldDecl],
    inherited: &[(FieldInfo, Span)],
    diags: &mut Vec<Diagnostic>,
) -> Vec<(FieldInfo, Span)> {
    let mut out: Vec<(FieldInfo, Span)> = Vec::new();
    for f in fields {
        if let Some((_, prev)) = inherited
            .iter()
            .chain(out.iter())
            .find(|(p, _)| p.name == f.name.name)
        {
            diags.push(
                Diagnostic::error(Code::DuplicateDeclaration, file, f.name.span, {
                    let field = &f.name.name;
                    tr!(
                        "field `{field}` is declared twice",
                        "字段`{field}`声明了两次"
                    )
                })
                .label(tr!("declared again here", "再次声明在此"))
                .secondary(file, *prev, tr!("first declared here", "第一次声明在此"))
                .help(tr!(
                    "common fields belong to every event type: do not repeat them",
                    "公共字段属于每个事件类型：不要重复声明"
                )),
            );
            continue;
        }
        let ty = resolve_type(file, vocab, &f.ty, diags);
        let default = f.default.as_ref().and_then(|d| {
            if !f.optional {
                diags.push(
                    Diagnostic::error(Code::BadDefault, file, d.span, {
                        let field = &f.name.name;
                        tr!(
                            "required field `{field}` has a default",
                            "必填字段`{field}`有默认值"
                        )
                    })
                    .label(tr!(
                        "a required field is always present, so its default is never used",
                        "必填字段总是存在，因此它的默认值永远不会用到"
                    ))
                    .help({
                        let field = &f.name.name;
                        tr!(
                            "make it optional: `{field}?: …`",
                            "把它改为可选：`{field}?: …`"
                        )
                    }),
                );
                return None;
            }
            let value = literal_value(vocab, d, &ty);
            if value.is_none() {
                diags.push(
                    Diagnostic::error(Code::BadDefault, file, d.span, {
                        let field = &f.name.name;
                        let ty = crate::types::a(&vocab.show(&ty));
                        let (ty_en, ty_zh) = (&ty.en, &ty.zh);
                        tr!(
                            "the default of `{field}` is not {ty_en}",
                            "`{field}`的默认值不是{ty_zh}"
                        )
                    })
                    .label(tr!(
                        "this value does not fit the field's type",
                        "这个值与字段的类型不符"
                    ))
                    .help(tr!(
                        "a default is a literal of the field's type, or a value of its enum",
                        "默认值是字段类型的字面量，或其枚举中的一个值"
                    )),
                );
            }
            value
        });
        out.push((
            FieldInfo {
                name: f.name.name.clone(),
                ty,
                optional: f.optional,
                default,
            },
            f.name.span,
        ));
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
                    {
                        let name = &id.name;
                        tr!("unknown type `{name}`", "未知的类型`{name}`")
                    },
                )
                .label(tr!(
                    "not a built-in type, enum or record",
                    "不是内置类型、枚举或记录"
                ))
                .help(did_you_mean(&id.name, candidates).unwrap_or_else(|| {
                    tr!(
                        "declare it with `enum` or `record`, or use bool, int, string, date, time or duration",
                        "用`枚举`或`记录`声明它，或使用 bool、int、string、date、time、duration"
                    )
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
