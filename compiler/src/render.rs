//! Rendering diagnostics for people (codespan-reporting) and for machines (JSON Lines).

use std::collections::HashMap;

use codespan_reporting::diagnostic as cs;
use codespan_reporting::files::SimpleFiles;
use codespan_reporting::term;

use crate::db::{Database, SourceFile};
use crate::diagnostic::{Diagnostic, Severity};

/// Renders diagnostics with source snippets, the way rustc does.
pub fn human(db: &Database, diagnostics: &[Diagnostic]) -> String {
    let mut files = SimpleFiles::new();
    let mut ids: HashMap<SourceFile, usize> = HashMap::new();
    let mut id_of = |file: SourceFile, files: &mut SimpleFiles<String, String>| {
        *ids.entry(file)
            .or_insert_with(|| files.add(file.path(db).clone(), file.text(db).clone()))
    };
    let config = term::Config::default();
    let mut out = String::new();
    for d in diagnostics {
        let primary = id_of(d.primary.file, &mut files);
        let mut labels = vec![
            cs::Label::primary(primary, clamp(d.primary.span.range(), d.primary.file, db))
                .with_message(d.primary.message.clone()),
        ];
        for l in &d.secondary {
            let id = id_of(l.file, &mut files);
            labels.push(
                cs::Label::secondary(id, clamp(l.span.range(), l.file, db))
                    .with_message(l.message.clone()),
            );
        }
        let severity = match d.severity {
            Severity::Error => cs::Diagnostic::error(),
            Severity::Warning => cs::Diagnostic::warning(),
        };
        let mut diag = severity
            .with_code(d.code.as_str())
            .with_message(d.message.clone())
            .with_labels(labels);
        if let Some(help) = &d.help {
            diag = diag.with_notes(vec![format!("help: {help}")]);
        }
        if term::emit_to_string(&mut out, &config, &files, &diag).is_err() {
            out.push_str(&format!(
                "{}[{}]: {}\n",
                severity_word(d.severity),
                d.code.as_str(),
                d.message
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

/// One JSON object per diagnostic, one per line.
pub fn json(db: &Database, diagnostics: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diagnostics {
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
                    "message": l.message,
                })
            })
            .collect();
        let value = serde_json::json!({
            "severity": severity_word(d.severity),
            "code": d.code.as_str(),
            "message": d.message,
            "file": d.primary.file.path(db),
            "line": line,
            "column": column,
            "end_line": end_line,
            "end_column": end_column,
            "label": d.primary.message,
            "help": d.help,
            "related": labels,
        });
        out.push_str(&value.to_string());
        out.push('\n');
    }
    out
}

/// Text made safe to print on a terminal: the control characters other than tab and line
/// breaks (a NUL byte, an escape) become their visible pictures (`␀`, `␛`), so a user's text
/// echoed in a message never prints raw control bytes.
pub fn printable(text: &str) -> std::borrow::Cow<'_, str> {
    let is_hidden = |c: char| c.is_control() && !matches!(c, '\t' | '\n' | '\r');
    if !text.chars().any(is_hidden) {
        return std::borrow::Cow::Borrowed(text);
    }
    text.chars()
        .map(|c| match c {
            '\u{0}'..='\u{1f}' if is_hidden(c) => {
                char::from_u32(0x2400 + u32::from(c)).unwrap_or('\u{fffd}')
            }
            '\u{7f}' => '\u{2421}',
            c if is_hidden(c) => '\u{fffd}',
            c => c,
        })
        .collect::<String>()
        .into()
}
