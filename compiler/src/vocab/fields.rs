//! Fields, roles and types of a vocabulary's declarations.

use edict_grammar::ast::{self, ExprKind, FieldDecl, Span, TypeExpr};
use edict_runtime::ir;

use super::extend::changes_base;
use super::range::field_range;
use super::{FieldInfo, Vocab};
use crate::db::SourceFile;
use crate::diagnostic::{Code, Diagnostic, did_you_mean};
use crate::types::Ty;
use edict_grammar::tr;

/// Checks `roles { party: FIELD … }`: each role is known and given once, and its field is a
/// string field of at least one event type.
pub(super) fn resolve_roles(
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

/// Resolves field declarations, each with where its name is written. `inherited` are the fields
/// the owner already has: its first `from_base` are the base vocabulary's, which an extension
/// may not declare again.
pub(super) fn resolve_fields(
    file: SourceFile,
    vocab: &Vocab,
    fields: &[FieldDecl],
    (inherited, from_base): (&[(FieldInfo, Span)], usize),
    diags: &mut Vec<Diagnostic>,
) -> Vec<(FieldInfo, Span)> {
    let mut out: Vec<(FieldInfo, Span)> = Vec::new();
    for f in fields {
        if inherited[..from_base.min(inherited.len())]
            .iter()
            .any(|(p, _)| p.name == f.name.name)
        {
            let base = vocab.sources.get(1).map_or("", |(_, n)| n.as_str());
            diags.push(changes_base(file, &f.name, base, ("field", "字段")));
            continue;
        }
        if let Some((_, prev)) = inherited[from_base.min(inherited.len())..]
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
        let shown = crate::types::a(&vocab.show(&ty));
        let range = field_range(file, f, &ty, &shown, default.as_ref(), diags);
        out.push((
            FieldInfo {
                name: f.name.name.clone(),
                ty,
                optional: f.optional,
                default,
                range,
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
