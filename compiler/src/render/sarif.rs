//! Diagnostics as a SARIF 2.1.0 log, the format code-scanning services read: one run of the
//! `edict` tool, a rule per diagnostic code, a result per diagnostic with its related
//! locations, and a fix where the help names the likely word.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use edict_grammar::Lang;

use super::{Language, severity_word, utf16_line_column};
use crate::db::{Database, SourceFile};
use crate::diagnostic::{Code, Diagnostic, Label};
use crate::suggestion::suggestion;

/// The SARIF log of the diagnostics, from `edict` at `version`.
pub fn sarif(db: &Database, diagnostics: &[Diagnostic], version: &str) -> String {
    let codes: Vec<Code> = diagnostics
        .iter()
        .map(|d| d.code)
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let index: BTreeMap<Code, usize> = codes.iter().enumerate().map(|(i, c)| (*c, i)).collect();
    let rules: Vec<Value> = codes
        .iter()
        .map(|code| {
            json!({
                "id": code.as_str(),
                "name": format!("{code:?}"),
                "shortDescription": { "text": code.summary() },
                "defaultConfiguration": {
                    "level": if code.as_str().starts_with('W') { "warning" } else { "error" }
                },
            })
        })
        .collect();
    let results: Vec<Value> = diagnostics
        .iter()
        .map(|d| {
            let lang = Language::OfTheFile.of(db, d);
            let mut text = d.message.get(lang).to_owned();
            if let Some(help) = &d.help {
                text.push_str(&format!("\nhelp: {}", help.get(lang)));
            }
            let mut result = json!({
                "ruleId": d.code.as_str(),
                "ruleIndex": index.get(&d.code).copied().unwrap_or(0),
                "level": severity_word(d.severity),
                "message": { "text": text },
                "locations": [location(db, &d.primary, lang)],
            });
            if !d.secondary.is_empty() {
                let related: Vec<Value> = d
                    .secondary
                    .iter()
                    .enumerate()
                    .map(|(i, l)| {
                        let mut loc = location(db, l, lang);
                        loc["id"] = json!(i + 1);
                        loc
                    })
                    .collect();
                result["relatedLocations"] = json!(related);
            }
            if let Some(fix) = suggestion(db, d) {
                result["fixes"] = json!([{
                    "description": { "text": format!("replace with `{}`", fix.replacement) },
                    "artifactChanges": [{
                        "artifactLocation": { "uri": uri(d.primary.file.path(db)) },
                        "replacements": [{
                            "deletedRegion": region(d.primary.file, db, fix.span.start as usize, fix.span.end as usize),
                            "insertedContent": { "text": fix.replacement },
                        }],
                    }],
                }]);
            }
            result
        })
        .collect();
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "edict",
                    "version": version,
                    "rules": rules,
                },
            },
            "columnKind": "utf16CodeUnits",
            "results": results,
        }],
    });
    let mut out = serde_json::to_string_pretty(&log).unwrap_or_default();
    out.push('\n');
    out
}

fn location(db: &Database, label: &Label, lang: Lang) -> Value {
    let mut loc = json!({
        "physicalLocation": {
            "artifactLocation": { "uri": uri(label.file.path(db)) },
            "region": region(label.file, db, label.span.start as usize, label.span.end as usize),
        },
    });
    if !label.message.is_empty() {
        loc["message"] = json!({ "text": label.message.get(lang) });
    }
    loc
}

/// A region by 1-based lines and UTF-16 columns.
fn region(file: SourceFile, db: &Database, start: usize, end: usize) -> Value {
    let text = file.text(db);
    let (line, column) = utf16_line_column(text, start);
    let (end_line, end_column) = utf16_line_column(text, end.max(start));
    json!({
        "startLine": line,
        "startColumn": column,
        "endLine": end_line,
        "endColumn": end_column,
    })
}

/// A path as a relative URI reference: forward slashes, other characters percent-encoded.
fn uri(path: &str) -> String {
    let mut out = String::new();
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}
