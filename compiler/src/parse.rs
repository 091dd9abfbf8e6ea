//! The first pass: source text to syntax tree, and outline text to clause tree.

use std::sync::Arc;

use edict_grammar::ast::{self, HeaderField, Item};
use edict_grammar::outline::{self, Outline};

use crate::db::SourceFile;
use crate::diagnostic::{Code, Diagnostic};
use crate::paths;

/// A parsed source file. Parsing never fails: the tree holds every item that could be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Parsed {
    pub ast: Arc<ast::File>,
    pub diagnostics: Vec<Diagnostic>,
}

#[salsa::tracked(returns(ref))]
pub fn parse_file(db: &dyn salsa::Database, file: SourceFile) -> Parsed {
    let (ast, errors) = edict_grammar::parse(file.text(db));
    let diagnostics = errors
        .into_iter()
        .map(|e| {
            Diagnostic::error(Code::Syntax, file, e.span, e.message)
                .label("here")
                .help_opt(e.help)
        })
        .collect();
    Parsed {
        ast: Arc::new(ast),
        diagnostics,
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParsedOutline {
    pub outline: Arc<Outline>,
    pub diagnostics: Vec<Diagnostic>,
}

#[salsa::tracked(returns(ref))]
pub fn parse_outline(db: &dyn salsa::Database, file: SourceFile) -> ParsedOutline {
    let (outline, errors) = outline::segment(file.text(db));
    let diagnostics = errors
        .into_iter()
        .map(|e| Diagnostic::error(Code::OutlineSyntax, file, e.span, e.message).label("here"))
        .collect();
    ParsedOutline {
        outline: Arc::new(outline),
        diagnostics,
    }
}

/// What a file imports, as paths resolved against the file's own path.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Import {
    Outline(String),
    Vocabulary(String),
}

impl Import {
    pub fn path(&self) -> &str {
        match self {
            Import::Outline(p) | Import::Vocabulary(p) => p,
        }
    }
}

/// The files named by the `regulation` headers of `file`: the driver loads them.
#[salsa::tracked(returns(ref))]
pub fn imports(db: &dyn salsa::Database, file: SourceFile) -> Vec<Import> {
    let base = file.path(db);
    let mut found = Vec::new();
    for item in &parse_file(db, file).ast.items {
        let Item::Regulation(header) = item else {
            continue;
        };
        for field in &header.fields {
            match field {
                HeaderField::Outline(p) => {
                    found.push(Import::Outline(paths::resolve(base, &p.value)));
                }
                HeaderField::UseVocabulary { path, .. } => {
                    found.push(Import::Vocabulary(paths::resolve(base, &path.value)));
                }
                _ => {}
            }
        }
    }
    found
}
