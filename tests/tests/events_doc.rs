//! `docs/events.md`, the reference of the event wire format, is generated from the standard
//! vocabulary `policies/vocabulary/face.edict` and the comments on its declarations. This test
//! fails when the two differ; run it with `EDICT_BLESS=1` to rewrite the document.

#![allow(
    clippy::expect_used,
    reason = "a test fails loudly when its fixtures are missing or broken"
)]

use std::fmt::Write as _;
use std::path::Path;

use edict_compiler::ide::doc_comment;
use edict_grammar::ast::{FieldDecl, Ident, Item, Span, TypeExpr, VocabDecl, Vocabulary};

const VOCABULARY: &str = "../policies/vocabulary/face.edict";
const DOCUMENT: &str = "../docs/events.md";

/// The comment documenting a declaration whose keyword starts the line of `name`.
fn decl_doc(source: &str, name: &Ident) -> Option<String> {
    let start = source[..name.span.start as usize]
        .rfind('\n')
        .map_or(0, |i| i + 1);
    let span = Span::new(start, name.span.end as usize);
    doc_comment(source, span)
}

/// A type as the vocabulary writes it.
fn type_text(ty: &TypeExpr) -> String {
    match ty {
        TypeExpr::Named(name) => name.name.clone(),
        TypeExpr::List(inner, _) => format!("list of {}", type_text(inner)),
        TypeExpr::Set(inner, _) => format!("set of {}", type_text(inner)),
    }
}

/// A comment as one table cell: its lines joined, `|` escaped.
fn cell(text: Option<String>) -> String {
    text.unwrap_or_default()
        .lines()
        .map(str::trim)
        .collect::<Vec<_>>()
        .join(" ")
        .replace('|', "\\|")
}

fn field_rows(out: &mut String, source: &str, fields: &[FieldDecl]) {
    out.push_str("| field | type | | meaning |\n|---|---|---|---|\n");
    for f in fields {
        let presence = match (&f.default, f.optional) {
            (Some(default), _) => format!("optional, default `{}`", &source[default.span.range()]),
            (None, true) => "optional".to_owned(),
            (None, false) => "required".to_owned(),
        };
        let _ = writeln!(
            out,
            "| `{}` | `{}` | {presence} | {} |",
            f.name.name,
            type_text(&f.ty),
            cell(doc_comment(source, f.name.span))
        );
    }
}

fn render(source: &str, vocabulary: &Vocabulary) -> String {
    let mut out = String::new();
    let name = &vocabulary.name.name;
    let _ = write!(
        out,
        "# The event vocabulary\n\n\
         <!-- Generated from policies/vocabulary/face.edict by `EDICT_BLESS=1 cargo test -p edict-tests --test events_doc`; edit the vocabulary, not this file. -->\n\n\
         Services that run face recognition describe what they do as events, one JSON object per line\n\
         (JSON Lines, UTF-8), and `edict run` or `edict serve` judges them against the compiled\n\
         policies. This is the standard vocabulary `{name}` (`policies/vocabulary/face.edict`): the\n\
         event types, their fields and the values of their enumerations, as they appear on the wire.\n\
         An organisation adds event types and fields with a vocabulary of its own that extends this\n\
         one (`vocabulary NAME extends {name} from \"…\" {{ … }}`, see `docs/language.md`).\n\n\
         ## A line\n\n\
         - Every line is one JSON object; blank lines are ignored.\n\
         - `type` (string): the event type, one of those below.\n\
         - `time` (string): when it happened, RFC 3339 with an explicit offset\n  \
           (`2025-06-02T09:30:00+08:00` or `…Z`). A regulation reads dates and hours in its own time\n  \
           zone, whatever offset a line is written with.\n\
         - `id` (string, optional): the event's own identifier, repeated in its findings.\n\
         - The fields of the event type. Enumerations are lowercase strings, records JSON objects,\n  \
           lists JSON arrays; `null` for an optional field means absent.\n\n\
         A line that is not valid JSON, lacks a required field, has a field of the wrong type, an\n\
         unknown enumeration value, an unknown event type or an undeclared field (event types are\n\
         not open unless marked so) is an input error: reported with its line number and the reason,\n\
         set aside, and the rest of the stream is still judged. A line is identified in findings by\n\
         its 1-based line number. Lines come in time order; `docs/runtime.md` says what happens to a\n\
         late one. In a run of several policies, a field or event type that another policy's\n\
         vocabulary declares is not an error (`docs/cli.md`).\n\n"
    );
    for decl in &vocabulary.decls {
        match decl {
            VocabDecl::Common { fields, .. } => {
                out.push_str("## Fields of every event\n\n");
                field_rows(&mut out, source, fields);
                out.push('\n');
            }
            VocabDecl::Roles { roles, .. } => {
                out.push_str(
                    "## Roles\n\nFindings report the party responsible and the individual concerned from these fields\n(when the event type has them):\n\n",
                );
                for r in roles {
                    let _ = writeln!(out, "- {}: `{}`", r.role.name, r.field.name);
                }
                out.push('\n');
            }
            _ => {}
        }
    }
    out.push_str("## Event types\n\n");
    for decl in &vocabulary.decls {
        if let VocabDecl::Event { name, open, fields } = decl {
            let _ = writeln!(out, "### `{}`\n", name.name);
            if let Some(doc) = decl_doc(source, name) {
                let _ = writeln!(
                    out,
                    "{}\n",
                    doc.lines().map(str::trim).collect::<Vec<_>>().join("\n")
                );
            }
            if *open {
                out.push_str("Open: fields it does not declare are accepted and ignored.\n\n");
            }
            if fields.is_empty() {
                out.push_str("No fields besides those of every event.\n\n");
            } else {
                field_rows(&mut out, source, fields);
                out.push('\n');
            }
        }
    }
    out.push_str("## Enumerations\n\n| enumeration | values | meaning |\n|---|---|---|\n");
    for decl in &vocabulary.decls {
        if let VocabDecl::Enum { name, values } = decl {
            let values: Vec<String> = values.iter().map(|v| format!("`{}`", v.name)).collect();
            let _ = writeln!(
                out,
                "| `{}` | {} | {} |",
                name.name,
                values.join(", "),
                cell(decl_doc(source, name))
            );
        }
    }
    out.push_str("\n## Records\n\n");
    for decl in &vocabulary.decls {
        if let VocabDecl::Record { name, fields } = decl {
            let _ = writeln!(out, "### `{}`\n", name.name);
            if let Some(doc) = decl_doc(source, name) {
                let _ = writeln!(
                    out,
                    "{}\n",
                    doc.lines().map(str::trim).collect::<Vec<_>>().join("\n")
                );
            }
            field_rows(&mut out, source, fields);
            out.push('\n');
        }
    }
    // The notes at the top of the file, after the lines about the file itself.
    let notes: Vec<&str> = source
        .lines()
        .take_while(|l| l.starts_with("//"))
        .map(|l| l.trim_start_matches("//").trim())
        .skip_while(|l| !l.starts_with("Reserved purposes"))
        .collect();
    if !notes.is_empty() {
        let _ = writeln!(out, "## Purposes\n\n{}", notes.join("\n"));
    }
    out
}

#[test]
fn the_events_document_is_generated_from_the_standard_vocabulary() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let source =
        std::fs::read_to_string(root.join(VOCABULARY)).expect("the standard vocabulary exists");
    let (file, errors) = edict_grammar::parse(&source);
    assert!(errors.is_empty(), "{errors:?}");
    let vocabulary = file
        .items
        .iter()
        .find_map(|item| match item {
            Item::Vocabulary(v) => Some(v),
            _ => None,
        })
        .expect("the file declares a vocabulary");
    let rendered = render(&source, vocabulary);
    let path = root.join(DOCUMENT);
    if std::env::var_os("EDICT_BLESS").is_some() {
        std::fs::write(&path, &rendered).expect("docs/events.md is writable");
    }
    let current = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        current == rendered,
        "docs/events.md is out of date with policies/vocabulary/face.edict: run `EDICT_BLESS=1 cargo test -p edict-tests --test events_doc`"
    );
    // Every event type, field and enumeration value of the vocabulary is in the document.
    for decl in &vocabulary.decls {
        if let VocabDecl::Event { name, fields, .. } = decl {
            assert!(rendered.contains(&format!("### `{}`", name.name)));
            for f in fields {
                assert!(rendered.contains(&format!("| `{}` |", f.name.name)));
            }
        }
    }
}
