//! Rendering diagnostics for people (codespan-reporting) and for machines: JSON Lines, SARIF
//! 2.1.0 for code-scanning services, and GitHub Actions workflow annotations; in English or
//! Chinese: each diagnostic in the language of the file it points into, unless the caller names
//! one ([`Language`]).

mod github;
mod sarif;

pub use github::github;
pub use sarif::sarif;

use std::collections::HashMap;

use codespan_reporting::diagnostic as cs;
use codespan_reporting::files::SimpleFiles;
use codespan_reporting::term;

use crate::db::{Database, SourceFile};
use crate::diagnostic::{Diagnostic, Lang, Severity};
use crate::parse::file_language;
pub use edict_grammar::text::printable;

/// The language diagnostics are shown in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Language {
    /// The language of the keywords of the file each diagnostic points into.
    #[default]
    OfTheFile,
    /// This language for every diagnostic.
    Fixed(Lang),
}

impl Language {
    /// The language of one diagnostic.
    pub fn of(self, db: &Database, diagnostic: &Diagnostic) -> Lang {
        match self {
            Language::Fixed(lang) => lang,
            Language::OfTheFile => *file_language(db, diagnostic.primary.file),
        }
    }
}

/// Renders diagnostics with source snippets, the way rustc does, each in the language of the
/// file it points into.
pub fn human(db: &Database, diagnostics: &[Diagnostic]) -> String {
    human_in(db, diagnostics, Language::OfTheFile)
}

/// Renders diagnostics with source snippets in the language chosen.
pub fn human_in(db: &Database, diagnostics: &[Diagnostic], language: Language) -> String {
    let mut files = SimpleFiles::new();
    let mut ids: HashMap<SourceFile, usize> = HashMap::new();
    let mut id_of = |file: SourceFile, files: &mut SimpleFiles<String, String>| {
        *ids.entry(file)
            .or_insert_with(|| files.add(file.path(db).clone(), file.text(db).clone()))
    };
    let config = term::Config::default();
    let mut out = String::new();
    for d in diagnostics {
        let lang = language.of(db, d);
        let primary = id_of(d.primary.file, &mut files);
        let mut labels = vec![
            cs::Label::primary(primary, clamp(d.primary.span.range(), d.primary.file, db))
                .with_message(d.primary.message.get(lang)),
        ];
        for l in &d.secondary {
            let id = id_of(l.file, &mut files);
            labels.push(
                cs::Label::secondary(id, clamp(l.span.range(), l.file, db))
                    .with_message(l.message.get(lang)),
            );
        }
        let severity = match d.severity {
            Severity::Error => cs::Diagnostic::error(),
            Severity::Warning => cs::Diagnostic::warning(),
        };
        let mut diag = severity
            .with_code(d.code.as_str())
            .with_message(d.message.get(lang))
            .with_labels(labels);
        if let Some(help) = &d.help {
            let word = match lang {
                Lang::En => "help: ",
                Lang::Zh => "帮助：",
            };
            diag = diag.with_notes(vec![format!("{word}{}", help.get(lang))]);
        }
        if term::emit_to_string(&mut out, &config, &files, &diag).is_err() {
            out.push_str(&format!(
                "{}[{}]: {}\n",
                severity_word(d.severity),
                d.code.as_str(),
                d.message.get(lang)
            ));
        }
    }
    printable(&out).into_owned()
}

fn clamp(range: std::ops::Range<usize>, file: SourceFile, db: &Database) -> std::ops::Range<usize> {
    let len = file.text(db).len();
    range.start.min(len)..range.end.min(len).max(range.start.min(len))
}

fn severity_word(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

/// 1-based line and column (in UTF-16 code units, as editors and SARIF count) of a byte offset.
pub fn utf16_line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].encode_utf16().count() + 1;
    (line, column)
}

/// One JSON object per diagnostic, one per line, each in the language of its file.
pub fn json(db: &Database, diagnostics: &[Diagnostic]) -> String {
    json_in(db, diagnostics, Language::OfTheFile)
}

/// One JSON object per diagnostic, one per line, in the language chosen.
pub fn json_in(db: &Database, diagnostics: &[Diagnostic], language: Language) -> String {
    let mut out = String::new();
    for d in diagnostics {
        let lang = language.of(db, d);
        let text = d.primary.file.text(db);
        let (line, column) = line_column(text, d.primary.span.start as usize);
        let (end_line, end_column) = line_column(text, d.primary.span.end as usize);
        let labels: Vec<serde_json::Value> = d
            .secondary
            .iter()
            .map(|l| {
                let (line, column) = line_column(l.file.text(db), l.span.start as usize);
                serde_json::json!({
                    "file": l.file.path(db),
                    "line": line,
                    "column": column,
                    "message": l.message.get(lang),
                })
            })
            .collect();
        let value = serde_json::json!({
            "severity": severity_word(d.severity),
            "code": d.code.as_str(),
            "message": d.message.get(lang),
            "file": d.primary.file.path(db),
            "line": line,
            "column": column,
            "end_line": end_line,
            "end_column": end_column,
            "label": d.primary.message.get(lang),
            "help": d.help.as_ref().map(|h| h.get(lang)),
            "related": labels,
        });
        out.push_str(&value.to_string());
        out.push('\n');
    }
    out
}
