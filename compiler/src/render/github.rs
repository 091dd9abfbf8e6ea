//! Diagnostics as GitHub Actions workflow commands (`::error file=…,line=…::message`), which
//! the workflow run shows as annotations on the pull request's files.

use super::{Language, line_column};
use crate::db::Database;
use crate::diagnostic::{Diagnostic, Severity};

/// One workflow command per diagnostic.
pub fn github(db: &Database, diagnostics: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diagnostics {
        let text = d.primary.file.text(db);
        let (line, column) = line_column(text, d.primary.span.start as usize);
        let (end_line, end_column) = line_column(text, d.primary.span.end as usize);
        let command = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let lang = Language::OfTheFile.of(db, d);
        let mut message = d.message.get(lang).to_owned();
        if !d.primary.message.is_empty() {
            message.push_str(&format!(": {}", d.primary.message.get(lang)));
        }
        for l in &d.secondary {
            let (l_line, l_column) = line_column(l.file.text(db), l.span.start as usize);
            message.push_str(&format!(
                "\n{} ({}:{l_line}:{l_column})",
                l.message.get(lang),
                l.file.path(db)
            ));
        }
        if let Some(help) = &d.help {
            message.push_str(&format!("\nhelp: {}", help.get(lang)));
        }
        out.push_str(&format!(
            "::{command} file={},line={line},col={column},endLine={end_line},endColumn={end_column},title={}::{}\n",
            property(d.primary.file.path(db)),
            property(&format!("{} {}", d.code.as_str(), d.code.summary())),
            data(&message)
        ));
    }
    out
}

/// Escapes a command's message.
fn data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a command's property value.
fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}
