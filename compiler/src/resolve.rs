//! Resolving a package's regulation header: its identity, time zone and calendar, and the
//! vocabulary and outline it imports.
//!
//! The values here hold no spans, so an edit that only moves the header leaves every pass that
//! reads them alone; the diagnostics are reported.

use std::collections::HashMap;
use std::sync::Arc;

use edict_grammar::ast::{self, HeaderField, Item, Span};
use edict_grammar::outline::Outline;
use edict_runtime::calendar::BUILTIN_CALENDARS;
use edict_runtime::ir;

use crate::db::{Package, SourceFile};
use crate::diagnostic::{Code, Diagnostic, Reported, did_you_mean};
use crate::parse::{parse_file, parse_outline};
use crate::paths::{self, NOT_FOUND};
use crate::vocab::{Vocab, vocabularies};

/// A package's regulation header, resolved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Header {
    /// The regulation's id, e.g. `my-rules`.
    pub id: String,
    pub title: Option<String>,
    pub title_en: Option<String>,
    pub effective: Option<ir::Date>,
    /// The IANA time zone; empty when the header lacks one (an error is reported).
    pub timezone: String,
    /// The built-in working-day calendar the header names.
    pub calendar: Option<String>,
    /// The outline file, when it was found.
    pub outline: Option<SourceFile>,
    /// The vocabulary file and the vocabulary's name, when the file was found.
    pub vocabulary: Option<(SourceFile, String)>,
}

/// The header of a package: the first `regulation` block of its sources.
#[salsa::tracked(returns(ref))]
pub(crate) fn header(db: &dyn salsa::Database, package: Package) -> Option<Header> {
    let sources = package.sources(db);
    let mut headers: Vec<(SourceFile, &ast::Regulation)> = Vec::new();
    let mut first_article: Option<(SourceFile, Span)> = None;
    for &file in sources {
        for item in &parse_file(db, file).items {
            match item {
                Item::Regulation(r) => headers.push((file, r)),
                Item::Article(a) if first_article.is_none() => {
                    first_article = Some((file, a.number_span));
                }
                _ => {}
            }
        }
    }
    if let Some((file, span)) = first_article
        && headers.is_empty()
    {
        Diagnostic::error(
            Code::MissingHeader,
            file,
            span,
            "these articles belong to no regulation",
        )
        .label("no `regulation` header in this package")
        .help("add `regulation ID { … }` to one file of the package, or check the whole folder")
        .report(db);
    }
    let (first_file, first) = *headers.first()?;
    for (file, extra) in headers.iter().skip(1) {
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
        .help("put each regulation in a folder of its own")
        .report(db);
    }
    Some(resolve_header(
        db,
        first_file,
        first,
        package.imports(db),
        package.unreadable(db),
    ))
}

/// The vocabulary the package's header names, if it resolves.
#[salsa::tracked(returns(ref))]
pub(crate) fn package_vocab(db: &dyn salsa::Database, package: Package) -> Option<Arc<Vocab>> {
    let (file, name) = header(db, package).as_ref()?.vocabulary.as_ref()?;
    vocabularies(db, *file)
        .iter()
        .find(|v| v.name == *name)
        .cloned()
}

/// The outline the package's header names, if it was found.
#[salsa::tracked(returns(ref))]
pub(crate) fn package_outline(
    db: &dyn salsa::Database,
    package: Package,
) -> Option<(SourceFile, Arc<Outline>)> {
    let file = header(db, package).as_ref()?.outline?;
    Some((file, Arc::clone(parse_outline(db, file))))
}

/// The package's working-day calendar: the header's built-in calendar and the `calendar`
/// blocks of its sources, sorted.
#[salsa::tracked(returns(ref))]
pub(crate) fn package_calendar(db: &dyn salsa::Database, package: Package) -> ir::CalendarSpec {
    let mut spec = ir::CalendarSpec {
        base: header(db, package)
            .as_ref()
            .and_then(|h| h.calendar.clone()),
        ..ir::CalendarSpec::default()
    };
    for &file in package.sources(db) {
        for item in &parse_file(db, file).items {
            if let Item::Calendar(cal) = item {
                for entry in &cal.entries {
                    match entry {
                        ast::CalendarEntry::Holiday(d) => spec.holidays.push(date(d)),
                        ast::CalendarEntry::Workday(d) => spec.workdays.push(date(d)),
                    }
                }
            }
        }
    }
    spec.holidays.sort();
    spec.holidays.dedup();
    spec.workdays.sort();
    spec.workdays.dedup();
    spec
}

pub(crate) fn date(d: &ast::DateLit) -> ir::Date {
    ir::Date {
        year: d.year,
        month: d.month,
        day: d.day,
    }
}

fn resolve_header(
    db: &dyn salsa::Database,
    file: SourceFile,
    header: &ast::Regulation,
    imports: &[SourceFile],
    unreadable: &[(String, String)],
) -> Header {
    let mut seen: HashMap<&'static str, Span> = HashMap::new();
    let mut out = Header {
        id: header.id.name.clone(),
        title: None,
        title_en: None,
        effective: None,
        timezone: String::new(),
        calendar: None,
        outline: None,
        vocabulary: None,
    };
    let mut outline_path: Option<&ast::StrLit> = None;
    let mut vocab_ref: Option<(&ast::Ident, &ast::StrLit)> = None;
    let mut timezone: Option<&ast::StrLit> = None;
    for field in &header.fields {
        let (name, span) = match field {
            HeaderField::Title(s) => ("title", s.span),
            HeaderField::TitleEn(s) => ("title_en", s.span),
            HeaderField::Effective(d) => ("effective", d.span),
            HeaderField::Timezone(s) => ("timezone", s.span),
            HeaderField::Calendar(s) => ("calendar", s.span),
            HeaderField::Outline(s) => ("outline", s.span),
            HeaderField::UseVocabulary { name, .. } => ("use vocabulary", name.span),
        };
        if let Some(first) = seen.insert(name, span) {
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
            .help("keep one of them")
            .report(db);
            continue;
        }
        match field {
            HeaderField::Title(s) => out.title = Some(s.value.clone()),
            HeaderField::TitleEn(s) => out.title_en = Some(s.value.clone()),
            HeaderField::Effective(d) => out.effective = Some(date(d)),
            HeaderField::Timezone(s) => timezone = Some(s),
            HeaderField::Calendar(s) => out.calendar = check_calendar(db, file, s),
            HeaderField::Outline(s) => outline_path = Some(s),
            HeaderField::UseVocabulary { name, path } => vocab_ref = Some((name, path)),
        }
    }
    let missing = |what: &str, example: &str| {
        Diagnostic::error(
            Code::MissingHeaderField,
            file,
            header.id.span,
            format!("the header of `{}` has no `{what}`", header.id.name),
        )
        .label(format!("`{what}` is needed to check the rules"))
        .help(format!("add `{example}` inside the header's braces"))
        .report(db);
    };
    match timezone {
        None => missing("timezone", "timezone \"Asia/Shanghai\""),
        Some(tz) => {
            if jiff::tz::db().get(&tz.value).is_err() {
                Diagnostic::error(
                    Code::UnknownTimezone,
                    file,
                    tz.span,
                    format!("unknown time zone `{}`", tz.value),
                )
                .label("not in the IANA time zone database")
                .help("write an IANA name such as \"Asia/Shanghai\" or \"Europe/Berlin\"")
                .report(db);
            }
            out.timezone = tz.value.clone();
        }
    }
    if outline_path.is_none() {
        missing("outline", "outline \"regulation.outline.txt\"");
    }
    if vocab_ref.is_none() {
        missing(
            "use vocabulary",
            "use vocabulary NAME from \"vocabulary.edict\"",
        );
    }
    let base = file.path(db);
    let find = |lit: &ast::StrLit, what: &str| -> Option<SourceFile> {
        let resolved = paths::resolve(base, &lit.value);
        let found = imports.iter().copied().find(|f| *f.path(db) == resolved);
        if found.is_none() {
            let reason = unreadable
                .iter()
                .find(|(path, _)| *path == resolved)
                .map(|(_, reason)| reason.as_str());
            let (message, help) = match reason {
                None | Some(NOT_FOUND) => (
                    format!("cannot read the {what} `{}`", lit.value),
                    "paths are relative to the file that names them",
                ),
                Some(reason) => (
                    format!("cannot read the {what} `{}`: {reason}", lit.value),
                    "name a regular file of UTF-8 text, such as a `.txt` or `.edict` file",
                ),
            };
            Diagnostic::error(Code::FileNotFound, file, lit.span, message)
                .label(format!("looked for `{resolved}`"))
                .help(help)
                .report(db);
        }
        found
    };
    out.outline = outline_path.and_then(|p| find(p, "outline"));
    if let Some((name, path)) = vocab_ref
        && let Some(vfile) = find(path, "vocabulary file")
    {
        check_vocabulary_name(db, file, vfile, name, path);
        out.vocabulary = Some((vfile, name.name.clone()));
    }
    out
}

/// The calendar a header names, if this edict has it; reports one it does not.
fn check_calendar(
    db: &dyn salsa::Database,
    file: SourceFile,
    name: &ast::StrLit,
) -> Option<String> {
    if BUILTIN_CALENDARS.contains(&name.value.as_str()) {
        return Some(name.value.clone());
    }
    let listing = BUILTIN_CALENDARS
        .iter()
        .map(|c| format!("\"{c}\""))
        .collect::<Vec<_>>()
        .join(", ");
    Diagnostic::error(
        Code::UnknownCalendar,
        file,
        name.span,
        format!("unknown working-day calendar `{}`", name.value),
    )
    .label("not a calendar this edict has")
    .help(
        did_you_mean(&name.value, BUILTIN_CALENDARS.iter().copied()).unwrap_or_else(|| {
            format!(
                "the calendars are {listing}; without `calendar`, Monday to Friday are working days"
            )
        }),
    )
    .report(db);
    None
}

/// Reports a vocabulary file that does not declare the vocabulary the header names.
fn check_vocabulary_name(
    db: &dyn salsa::Database,
    file: SourceFile,
    vfile: SourceFile,
    name: &ast::Ident,
    path: &ast::StrLit,
) {
    let declared = vocabularies(db, vfile);
    if declared.iter().any(|v| v.name == name.name) {
        return;
    }
    let syntax_errors = parse_file::accumulated::<Reported>(db, vfile).len();
    let names: Vec<String> = declared.iter().map(|v| format!("`{}`", v.name)).collect();
    let help = if syntax_errors > 0 {
        format!(
            "that file has {} that keep part of it from being read; fix {} first",
            plural(syntax_errors, "syntax error"),
            if syntax_errors == 1 { "it" } else { "them" }
        )
    } else if names.is_empty() {
        "that file declares no vocabulary".to_string()
    } else {
        format!("that file declares {}", names.join(", "))
    };
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
    .help(help)
    .report(db);
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}
