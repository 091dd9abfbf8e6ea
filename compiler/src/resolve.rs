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
use crate::vocab::{Vocab, declared_names, vocab_named};
use edict_grammar::{Text, tr};

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
            tr!(
                "these articles belong to no regulation",
                "这些条不属于任何法规"
            ),
        )
        .label(tr!(
            "no `regulation` header in this package",
            "这个包中没有`法规`头部"
        ))
        .help(tr!(
            "add `regulation ID {{ … }}` to one file of the package, or check the whole folder",
            "在包中的某个文件里加上`法规 标识 {{ … }}`，或检查整个文件夹"
        ))
        .report(db);
    }
    let (first_file, first) = *headers.first()?;
    for (file, extra) in headers.iter().skip(1) {
        Diagnostic::error(Code::DuplicateHeader, *file, extra.id.span, {
            let name = &extra.id.name;
            tr!(
                "a package states one regulation, but `{name}` is a second one",
                "一个包只写一部法规，`{name}`却是第二部"
            )
        })
        .label(tr!("second `regulation` header", "第二个`法规`头部"))
        .secondary(
            first_file,
            first.id.span,
            tr!("first header here", "第一个头部在此"),
        )
        .help(tr!(
            "put each regulation in a folder of its own",
            "把每部法规放在单独的文件夹中"
        ))
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
    vocab_named(db, package, *file, name.clone()).clone()
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
    unreadable: &[(String, Text)],
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
            Diagnostic::error(Code::DuplicateHeaderField, file, span, {
                let id = &header.id.name;
                tr!(
                    "`{name}` is given twice in the header of `{id}`",
                    "`{id}`的头部两次给出了`{name}`"
                )
            })
            .label(tr!("given again here", "再次给出在此"))
            .secondary(file, first, tr!("first given here", "第一次给出在此"))
            .help(tr!("keep one of them", "只保留其中一个"))
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
    let missing = |(what, what_zh): (&str, &str), (example, example_zh): (&str, &str)| {
        let id = &header.id.name;
        Diagnostic::error(
            Code::MissingHeaderField,
            file,
            header.id.span,
            tr!(
                "the header of `{id}` has no `{what}`",
                "`{id}`的头部没有`{what_zh}`"
            ),
        )
        .label(tr!(
            "`{what}` is needed to check the rules",
            "检查规则需要`{what_zh}`"
        ))
        .help(tr!(
            "add `{example}` inside the header's braces",
            "在头部的花括号内加上`{example_zh}`"
        ))
        .report(db);
    };
    match timezone {
        None => missing(
            ("timezone", "时区"),
            ("timezone \"Asia/Shanghai\"", "时区 \"Asia/Shanghai\""),
        ),
        Some(tz) => {
            if jiff::tz::db().get(&tz.value).is_err() {
                let zone = &tz.value;
                Diagnostic::error(
                    Code::UnknownTimezone,
                    file,
                    tz.span,
                    tr!("unknown time zone `{zone}`", "未知的时区`{zone}`"),
                )
                .label(tr!(
                    "not in the IANA time zone database",
                    "不在 IANA 时区数据库中"
                ))
                .help(tr!(
                    "write an IANA name such as \"Asia/Shanghai\" or \"Europe/Berlin\"",
                    "写 IANA 名称，如\"Asia/Shanghai\"或\"Europe/Berlin\""
                ))
                .report(db);
            }
            out.timezone = tz.value.clone();
        }
    }
    if outline_path.is_none() {
        missing(
            ("outline", "纲要"),
            (
                "outline \"regulation.outline.txt\"",
                "纲要 \"regulation.outline.txt\"",
            ),
        );
    }
    if vocab_ref.is_none() {
        missing(
            ("use vocabulary", "使用词汇"),
            (
                "use vocabulary NAME from \"vocabulary.edict\"",
                "使用词汇 名称 来自 \"vocabulary.edict\"",
            ),
        );
    }
    let base = file.path(db);
    let find = |lit: &ast::StrLit, (what, what_zh): (&str, &str)| -> Option<SourceFile> {
        let resolved = paths::resolve(base, &lit.value);
        let found = imports.iter().copied().find(|f| *f.path(db) == resolved);
        if found.is_none() {
            let path = &lit.value;
            let reason = unreadable
                .iter()
                .find(|(p, _)| *p == resolved)
                .map(|(_, reason)| reason)
                .filter(|reason| reason.en != NOT_FOUND);
            let (message, help) = match reason {
                None => (
                    tr!(
                        "cannot read the {what} `{path}`",
                        "无法读取{what_zh}`{path}`"
                    ),
                    tr!(
                        "paths are relative to the file that names them",
                        "路径相对于写出它的文件"
                    ),
                ),
                Some(reason) => (
                    {
                        let (why, why_zh) = (&reason.en, &reason.zh);
                        tr!(
                            "cannot read the {what} `{path}`: {why}",
                            "无法读取{what_zh}`{path}`：{why_zh}"
                        )
                    },
                    tr!(
                        "name a regular file of UTF-8 text, such as a `.txt` or `.edict` file",
                        "请指定 UTF-8 文本的普通文件，例如`.txt`或`.edict`文件"
                    ),
                ),
            };
            Diagnostic::error(Code::FileNotFound, file, lit.span, message)
                .label(tr!("looked for `{resolved}`", "查找的是`{resolved}`"))
                .help(help)
                .report(db);
        }
        found
    };
    out.outline = outline_path.and_then(|p| find(p, ("outline", "纲要")));
    if let Some((name, path)) = vocab_ref
        && let Some(vfile) = find(path, ("vocabulary file", "词汇文件"))
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
    let names = BUILTIN_CALENDARS
        .iter()
        .map(|c| format!("\"{c}\""))
        .collect::<Vec<_>>();
    let (listing, listing_zh) = (names.join(", "), names.join("、"));
    let calendar = &name.value;
    Diagnostic::error(
        Code::UnknownCalendar,
        file,
        name.span,
        tr!(
            "unknown working-day calendar `{calendar}`",
            "未知的工作日日历`{calendar}`"
        ),
    )
    .label(tr!("not a calendar this edict has", "edict 没有这个日历"))
    .help(
        did_you_mean(&name.value, BUILTIN_CALENDARS.iter().copied()).unwrap_or_else(|| {
            tr!(
                "the calendars are {listing}; without `calendar`, Monday to Friday are working days",
                "可用的日历有{listing_zh}；不写`日历`时，周一至周五为工作日"
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
    let declared = declared_names(db, vfile);
    if declared.contains(&name.name) {
        return;
    }
    let syntax_errors = parse_file::accumulated::<Reported>(db, vfile).len();
    let names: Vec<String> = declared.iter().map(|v| format!("`{v}`")).collect();
    let (vocabulary, file_path) = (&name.name, &path.value);
    let (message, label, help) = if syntax_errors > 0 {
        let (errors, them, are) = match syntax_errors {
            1 => ("a syntax error".to_string(), "it", "is"),
            n => (format!("{n} syntax errors"), "them", "are"),
        };
        (
            tr!(
                "vocabulary `{vocabulary}` cannot be read: `{file_path}` has {errors}",
                "无法读取词汇`{vocabulary}`：`{file_path}`有{syntax_errors}个语法错误"
            ),
            tr!(
                "the vocabulary is not read until the file parses",
                "文件能够解析之后才会读取词汇"
            ),
            tr!(
                "fix {them} first; {them} {are} reported at that file",
                "先修正这些错误；它们在那个文件中报告"
            ),
        )
    } else {
        let help = if names.is_empty() {
            tr!("that file declares no vocabulary", "那个文件没有声明词汇")
        } else {
            let (en, zh) = (names.join(", "), names.join("、"));
            tr!("that file declares {en}", "那个文件声明的是{zh}")
        };
        (
            tr!(
                "`{file_path}` does not declare vocabulary `{vocabulary}`",
                "`{file_path}`没有声明词汇`{vocabulary}`"
            ),
            tr!("no vocabulary of this name there", "那里没有这个名称的词汇"),
            help,
        )
    };
    Diagnostic::error(Code::VocabularyMismatch, file, name.span, message)
        .label(label)
        .help(help)
        .report(db);
}
