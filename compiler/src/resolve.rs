//! Resolving a package's declarations: the regulation header, the vocabulary and outline it
//! imports, constants, states and calendar additions.

use std::collections::HashMap;
use std::sync::Arc;

use edict_grammar::ast::{self, HeaderField, Ident, Item, Span};
use edict_grammar::outline::Outline;
use edict_runtime::ir;

use crate::db::{Package, SourceFile};
use crate::diagnostic::{Code, Diagnostic};
use crate::parse::{parse_file, parse_outline};
use crate::paths;
use crate::typecheck::Checker;
use crate::types::Ty;
use crate::vocab::{Vocab, vocabularies};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Header {
    pub file: SourceFile,
    pub id: Ident,
    pub title: Option<String>,
    pub title_en: Option<String>,
    pub effective: Option<ir::Date>,
    pub timezone: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConstInfo {
    pub name: String,
    pub ty: Ty,
    pub value: ir::Value,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StateInfo {
    pub name: String,
    pub key_ty: Ty,
    pub def: ir::StateDef,
}

/// Everything the rules of a package are checked against.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Env {
    pub header: Option<Header>,
    pub vocab: Option<Arc<Vocab>>,
    pub outline: Option<(SourceFile, Arc<Outline>)>,
    pub consts: Vec<ConstInfo>,
    pub states: Vec<StateInfo>,
    pub calendar: ir::CalendarOverrides,
    pub diagnostics: Vec<Diagnostic>,
}

#[salsa::tracked(returns(ref))]
pub fn package_env(db: &dyn salsa::Database, package: Package) -> Env {
    let mut env = Env::default();
    let sources = package.sources(db);
    let imports = package.imports(db);

    let mut headers: Vec<(SourceFile, &ast::Regulation)> = Vec::new();
    let mut first_article: Option<(SourceFile, Span)> = None;
    for &file in sources {
        for item in &parse_file(db, file).ast.items {
            match item {
                Item::Regulation(r) => headers.push((file, r)),
                Item::Article(a) if first_article.is_none() => {
                    first_article = Some((file, a.number.span));
                }
                _ => {}
            }
        }
    }
    if let Some((file, span)) = first_article
        && headers.is_empty()
    {
        env.diagnostics.push(
            Diagnostic::error(
                Code::MissingHeader,
                file,
                span,
                "these articles belong to no regulation",
            )
            .label("no `regulation` header in this package")
            .help(
                "add `regulation ID { … }` to one file of the package, or check the whole folder",
            ),
        );
    }
    for (file, extra) in headers.iter().skip(1) {
        let (first_file, first) = headers[0];
        env.diagnostics.push(
            Diagnostic::error(
                Code::DuplicateHeader,
                *file,
                extra.id.span,
                format!(
                    "a package states one regulation, but `{}` is a second one",
                    extra.id.name
                ),
            )
            .label("second `regulation` header")
            .secondary(first_file, first.id.span, "first header here")
            .help("put each regulation in a folder of its own"),
        );
    }
    let Some(&(file, header)) = headers.first() else {
        return env;
    };
    resolve_header(db, &mut env, file, header, imports);

    let Some(vocab) = env.vocab.clone() else {
        return env;
    };
    resolve_consts(db, &mut env, sources, &vocab);
    resolve_states(db, &mut env, sources, &vocab);
    for &file in sources {
        for item in &parse_file(db, file).ast.items {
            if let Item::Calendar(cal) = item {
                for entry in &cal.entries {
                    match entry {
                        ast::CalendarEntry::Holiday(d) => env.calendar.holidays.push(date(d)),
                        ast::CalendarEntry::Workday(d) => env.calendar.workdays.push(date(d)),
                    }
                }
            }
        }
    }
    env
}

pub fn date(d: &ast::DateLit) -> ir::Date {
    ir::Date {
        year: d.year,
        month: d.month,
        day: d.day,
    }
}

fn resolve_header(
    db: &dyn salsa::Database,
    env: &mut Env,
    file: SourceFile,
    header: &ast::Regulation,
    imports: &[SourceFile],
) {
    let mut seen: HashMap<&'static str, Span> = HashMap::new();
    let mut out = Header {
        file,
        id: header.id.clone(),
        title: None,
        title_en: None,
        effective: None,
        timezone: String::new(),
    };
    let mut outline_path: Option<&ast::StrLit> = None;
    let mut vocab_ref: Option<(&Ident, &ast::StrLit)> = None;
    let mut timezone: Option<&ast::StrLit> = None;
    for field in &header.fields {
        let (name, span) = match field {
            HeaderField::Title(s) => ("title", s.span),
            HeaderField::TitleEn(s) => ("title_en", s.span),
            HeaderField::Effective(d) => ("effective", d.span),
            HeaderField::Timezone(s) => ("timezone", s.span),
            HeaderField::Outline(s) => ("outline", s.span),
            HeaderField::UseVocabulary { name, .. } => ("use vocabulary", name.span),
        };
        if let Some(first) = seen.insert(name, span) {
            env.diagnostics.push(
                Diagnostic::error(
                    Code::DuplicateHeaderField,
                    file,
                    span,
                    format!(
                        "`{name}` is given twice in the header of `{}`",
                        header.id.name
                    ),
                )
                .label("given again here")
                .secondary(file, first, "first given here")
                .help("keep one of them"),
            );
            continue;
        }
        match field {
            HeaderField::Title(s) => out.title = Some(s.value.clone()),
            HeaderField::TitleEn(s) => out.title_en = Some(s.value.clone()),
            HeaderField::Effective(d) => out.effective = Some(date(d)),
            HeaderField::Timezone(s) => timezone = Some(s),
            HeaderField::Outline(s) => outline_path = Some(s),
            HeaderField::UseVocabulary { name, path } => vocab_ref = Some((name, path)),
        }
    }
    let missing = |diagnostics: &mut Vec<Diagnostic>, what: &str, example: &str| {
        diagnostics.push(
            Diagnostic::error(
                Code::MissingHeaderField,
                file,
                header.id.span,
                format!("the header of `{}` has no `{what}`", header.id.name),
            )
            .label(format!("`{what}` is needed to check the rules"))
            .help(format!("add `{example}` inside the header's braces")),
        );
    };
    match timezone {
        None => missing(
            &mut env.diagnostics,
            "timezone",
            "timezone \"Asia/Shanghai\"",
        ),
        Some(tz) => {
            if jiff::tz::db().get(&tz.value).is_err() {
                env.diagnostics.push(
                    Diagnostic::error(
                        Code::UnknownTimezone,
                        file,
                        tz.span,
                        format!("unknown time zone `{}`", tz.value),
                    )
                    .label("not in the IANA time zone database")
                    .help("write an IANA name such as \"Asia/Shanghai\" or \"Europe/Berlin\""),
                );
            }
            out.timezone = tz.value.clone();
        }
    }
    if outline_path.is_none() {
        missing(
            &mut env.diagnostics,
            "outline",
            "outline \"regulation.outline.txt\"",
        );
    }
    if vocab_ref.is_none() {
        missing(
            &mut env.diagnostics,
            "use vocabulary",
            "use vocabulary NAME from \"vocabulary.edict\"",
        );
    }
    let base = file.path(db);
    let mut find = |lit: &ast::StrLit, what: &str| -> Option<SourceFile> {
        let resolved = paths::resolve(base, &lit.value);
        let found = imports.iter().copied().find(|f| *f.path(db) == resolved);
        if found.is_none() {
            env.diagnostics.push(
                Diagnostic::error(
                    Code::FileNotFound,
                    file,
                    lit.span,
                    format!("cannot read the {what} `{}`", lit.value),
                )
                .label(format!("looked for `{resolved}`"))
                .help("paths are relative to the file that names them"),
            );
        }
        found
    };
    let outline_file = outline_path.and_then(|p| find(p, "outline"));
    let vocab_file = vocab_ref.and_then(|(_, p)| find(p, "vocabulary file"));

    if let Some(ofile) = outline_file {
        env.outline = Some((ofile, Arc::clone(&parse_outline(db, ofile).outline)));
    }
    if let (Some(vfile), Some((name, path))) = (vocab_file, vocab_ref) {
        let declared = &vocabularies(db, vfile).vocabularies;
        match declared.iter().find(|v| v.name == name.name) {
            Some(v) => env.vocab = Some(Arc::clone(v)),
            None => {
                let names: Vec<String> = declared.iter().map(|v| format!("`{}`", v.name)).collect();
                let help = if names.is_empty() {
                    "that file declares no vocabulary".to_string()
                } else {
                    format!("that file declares {}", names.join(", "))
                };
                env.diagnostics.push(
                    Diagnostic::error(
                        Code::VocabularyMismatch,
                        file,
                        name.span,
                        format!(
                            "`{}` does not declare vocabulary `{}`",
                            path.value, name.name
                        ),
                    )
                    .label("no vocabulary of this name there")
                    .help(help),
                );
            }
        }
    }
    env.header = Some(out);
}

fn resolve_consts(db: &dyn salsa::Database, env: &mut Env, sources: &[SourceFile], vocab: &Vocab) {
    let mut spans: HashMap<String, (SourceFile, Span)> = HashMap::new();
    for &file in sources {
        for item in &parse_file(db, file).ast.items {
            let Item::Const(c) = item else { continue };
            if let Some((ffile, first)) = spans.get(&c.name.name) {
                env.diagnostics.push(
                    Diagnostic::error(
                        Code::DuplicateDeclaration,
                        file,
                        c.name.span,
                        format!("constant `{}` is declared twice", c.name.name),
                    )
                    .label("declared again here")
                    .secondary(*ffile, *first, "first declared here")
                    .help("rename one of them"),
                );
                continue;
            }
            spans.insert(c.name.name.clone(), (file, c.name.span));
            let consts = env.consts.clone();
            let mut checker = Checker::new(file, vocab, &consts);
            let (expr, ty) = checker.infer(&c.value, None);
            env.diagnostics.append(&mut checker.diags);
            match expr {
                ir::Expr::Const(value) => env.consts.push(ConstInfo {
                    name: c.name.name.clone(),
                    ty,
                    value,
                }),
                _ => env.diagnostics.push(
                    Diagnostic::error(
                        Code::TypeMismatch,
                        file,
                        c.value.span,
                        format!("constant `{}` must be a fixed value", c.name.name),
                    )
                    .label("this is not a literal")
                    .help("write a number, string, date, enum value or set literal"),
                ),
            }
        }
    }
}

fn resolve_states(db: &dyn salsa::Database, env: &mut Env, sources: &[SourceFile], vocab: &Vocab) {
    let mut spans: HashMap<String, (SourceFile, Span)> = HashMap::new();
    for &file in sources {
        for item in &parse_file(db, file).ast.items {
            let Item::State(decl) = item else { continue };
            if let Some((ffile, first)) = spans.get(&decl.name.name) {
                env.diagnostics.push(
                    Diagnostic::error(
                        Code::DuplicateDeclaration,
                        file,
                        decl.name.span,
                        format!("state `{}` is declared twice", decl.name.name),
                    )
                    .label("declared again here")
                    .secondary(*ffile, *first, "first declared here")
                    .help("rename one of them"),
                );
                continue;
            }
            spans.insert(decl.name.name.clone(), (file, decl.name.span));
            let consts = env.consts.clone();
            let mut checker = Checker::new(file, vocab, &consts);
            let mut key_ty: Option<Ty> = None;
            let mut elem_ty: Option<Ty> = None;
            let mut updates = Vec::new();
            let mut errors = Vec::new();
            for update in &decl.updates {
                let Some(event) = checker.bind_update(&update.event, &update.binding) else {
                    continue;
                };
                let Some((key, kty)) = checker.key_field(event, &decl.key) else {
                    continue;
                };
                match &key_ty {
                    Some(t) if !t.accepts(&kty) => errors.push(
                        Diagnostic::error(
                            Code::StateError,
                            file,
                            update.span,
                            format!(
                                "the key `{}` of `{}` is a {} here but a {} elsewhere",
                                decl.key.name,
                                update.event.name,
                                kty.display(Some(vocab)),
                                t.display(Some(vocab))
                            ),
                        )
                        .label("key of another type")
                        .help("every updating event must give the key the same type"),
                    ),
                    Some(_) => {}
                    None => key_ty = Some(kty),
                }
                let op = match (&decl.kind, &update.op) {
                    (
                        ast::StateKind::Set { .. },
                        ast::StateOp::Add(e) | ast::StateOp::Remove(e),
                    ) => {
                        let (expr, ty) = checker.infer(e, elem_ty.as_ref());
                        match &elem_ty {
                            Some(t) if !t.accepts(&ty) => errors.push(
                                Diagnostic::error(
                                    Code::StateError,
                                    file,
                                    e.span,
                                    format!(
                                        "state `{}` holds values of type {}, not {}",
                                        decl.name.name,
                                        t.display(Some(vocab)),
                                        ty.display(Some(vocab))
                                    ),
                                )
                                .label("element of another type")
                                .help("add and remove values of one type"),
                            ),
                            Some(_) => {}
                            None => elem_ty = Some(ty),
                        }
                        if matches!(update.op, ast::StateOp::Add(_)) {
                            ir::StateOp::Add(expr)
                        } else {
                            ir::StateOp::Remove(expr)
                        }
                    }
                    (ast::StateKind::Counter, ast::StateOp::Increment) => ir::StateOp::Increment,
                    (ast::StateKind::Counter, ast::StateOp::Decrement) => ir::StateOp::Decrement,
                    (kind, _) => {
                        let (what, allowed) = match kind {
                            ast::StateKind::Counter => ("a counter", "`increment` or `decrement`"),
                            ast::StateKind::Set { .. } => ("a set", "`add EXPR` or `remove EXPR`"),
                        };
                        errors.push(
                            Diagnostic::error(
                                Code::StateError,
                                file,
                                update.span,
                                format!("state `{}` is {what}", decl.name.name),
                            )
                            .label("this update does not fit it")
                            .help(format!("{what} is updated with {allowed}")),
                        );
                        continue;
                    }
                };
                updates.push(ir::StateUpdate { event, key, op });
            }
            env.diagnostics.append(&mut checker.diags);
            env.diagnostics.append(&mut errors);
            let kind = match decl.kind {
                ast::StateKind::Counter => ir::StateKind::Counter,
                ast::StateKind::Set { .. } => {
                    ir::StateKind::Set(elem_ty.as_ref().map_or(ir::Type::String, Ty::to_ir))
                }
            };
            env.states.push(StateInfo {
                name: decl.name.name.clone(),
                key_ty: key_ty.unwrap_or(Ty::Error),
                def: ir::StateDef {
                    name: decl.name.name.clone(),
                    kind,
                    updates,
                },
            });
        }
    }
}
