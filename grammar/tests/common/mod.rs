//! Rendering helpers shared by the grammar tests.

#![allow(
    dead_code,
    reason = "each test file uses a different subset of the helpers"
)]

use edict_grammar::ast::{ClauseEntry, File, Item, Span};
use edict_grammar::{ParseError, parse};
use edict_runtime::ir::ClauseRef;

/// The 1-based line and column (in characters) of a byte offset.
pub fn line_col(source: &str, offset: u32) -> (usize, usize) {
    let offset = (offset as usize).min(source.len());
    let before = &source[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    (line, column)
}

/// Renders errors one per line as `line:col: message`, with help indented below.
pub fn render_errors(source: &str, errors: &[ParseError]) -> String {
    let mut out = String::new();
    for error in errors {
        let (line, col) = line_col(source, error.span.start);
        let text = &source[error.span.range()];
        out.push_str(&format!(
            "{line}:{col}: {}  [at `{text}`]\n",
            error.message.en
        ));
        if let Some(help) = &error.help {
            out.push_str(&format!("  help: {}\n", help.en));
        }
    }
    out
}

/// Collapses the pretty-printed `Span { start, end }` blocks into `start..end`.
pub fn compact_spans(debug: &str) -> String {
    let mut out = String::new();
    let mut lines = debug.lines();
    while let Some(line) = lines.next() {
        if let Some(prefix) = line.strip_suffix("Span {") {
            let start = lines
                .next()
                .unwrap_or("")
                .trim()
                .trim_start_matches("start: ");
            let end = lines
                .next()
                .unwrap_or("")
                .trim()
                .trim_start_matches("end: ");
            let close = lines.next().unwrap_or("").trim();
            out.push_str(&format!(
                "{prefix}{}..{}{}\n",
                start.trim_end_matches(','),
                end.trim_end_matches(','),
                close.trim_start_matches('}')
            ));
        } else {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// The Debug form of a value with every span removed, for comparing trees written differently.
pub fn without_spans(debug: &str) -> String {
    let mut out = String::new();
    let mut rest = debug;
    while let Some(i) = rest.find("Span { start: ") {
        out.push_str(&rest[..i]);
        let after = &rest[i..];
        let close = after.find('}').map_or(after.len(), |j| j + 1);
        out.push_str("Span");
        rest = &after[close..];
    }
    out.push_str(rest);
    out
}

/// A one-line summary of each top-level item, to show what survived recovery.
pub fn summarize(file: &File) -> String {
    let mut out = String::new();
    for item in &file.items {
        let line = match item {
            Item::Regulation(r) => format!("regulation {}", r.id),
            Item::Vocabulary(v) => {
                format!("vocabulary {} ({} declarations)", v.name, v.decls.len())
            }
            Item::Article(a) => format!(
                "article {}: {}",
                ClauseRef::article(a.article.clone()).short(),
                entries(&a.body)
            ),
            Item::Const(c) => format!("const {}", c.name),
            Item::State(s) => format!("state {}", s.name),
            Item::Calendar(c) => format!("calendar ({} entries)", c.entries.len()),
            Item::Stray(e) => format!("stray {}", entries(std::slice::from_ref(e))),
        };
        out.push_str(&line);
        out.push('\n');
    }
    out
}

fn entries(body: &[ClauseEntry]) -> String {
    let parts: Vec<String> = body
        .iter()
        .map(|entry| match entry {
            ClauseEntry::Paragraph(p) => {
                format!("paragraph {} [{}]", p.number.value, entries(&p.body))
            }
            ClauseEntry::Item(i) => format!("item {} [{}]", i.number.value, entries(&i.body)),
            ClauseEntry::Rule(r) => format!("rule {}", r.name),
            ClauseEntry::Exempt(e) => format!("exempt {}", e.binding),
            ClauseEntry::NotCheckable(_) => "not_checkable".to_owned(),
        })
        .collect();
    parts.join(", ")
}

/// Parses `source` and renders it with its tree, or with its errors and what was kept.
pub fn check(source: &str) -> String {
    let (file, errors) = parse(source);
    let mut out = format!("----- SOURCE\n{source}\n");
    if errors.is_empty() {
        out.push_str("----- AST\n");
        out.push_str(&compact_spans(&format!("{file:#?}")));
    } else {
        out.push_str("----- ERRORS\n");
        out.push_str(&render_errors(source, &errors));
        out.push_str("----- KEPT\n");
        out.push_str(&summarize(&file));
    }
    out
}

/// Parses a source that must have no errors and returns its tree's Debug form without spans.
pub fn tree_without_spans(source: &str) -> String {
    let (file, errors) = parse(source);
    assert!(
        errors.is_empty(),
        "unexpected errors:\n{}",
        render_errors(source, &errors)
    );
    without_spans(&format!("{file:?}"))
}

/// Every span in a file must lie inside the source and on character boundaries.
pub fn spans_are_valid(source: &str, file: &File) -> bool {
    let debug = format!("{file:?}");
    let mut rest = debug.as_str();
    while let Some(i) = rest.find("Span { start: ") {
        let after = &rest[i + "Span { start: ".len()..];
        let start: usize = after
            .split(',')
            .next()
            .unwrap_or("0")
            .parse()
            .unwrap_or(usize::MAX);
        let end_text = after.split("end: ").nth(1).unwrap_or("0");
        let end: usize = end_text
            .split(' ')
            .next()
            .unwrap_or("0")
            .parse()
            .unwrap_or(usize::MAX);
        if start > end
            || end > source.len()
            || !source.is_char_boundary(start)
            || !source.is_char_boundary(end)
        {
            return false;
        }
        rest = after;
    }
    let _ = Span::default();
    true
}
