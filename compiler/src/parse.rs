//! The first pass: source text to syntax tree, and outline text to clause tree.
//!
//! Parsing never fails: the tree holds every item that could be read, and syntax errors are
//! reported. Each article is also given to later passes on its own, with spans relative to its
//! start ([`article`]), so that an edit elsewhere in the file leaves it, and what is derived from
//! it, unchanged.

use std::sync::Arc;

use edict_grammar::ast::{self, HeaderField, Item, Spanned};
use edict_grammar::outline::{self, Outline};

use crate::db::{Package, SourceFile};
use crate::diagnostic::{Code, Diagnostic, Lang};
use crate::paths;
use edict_grammar::tr;

/// The syntax tree of a file, with spans from the start of the file.
#[salsa::tracked(returns(ref))]
pub(crate) fn parse_file(db: &dyn salsa::Database, file: SourceFile) -> Arc<ast::File> {
    let (ast, errors) = edict_grammar::parse(file.text(db));
    for e in errors {
        Diagnostic::error(Code::Syntax, file, e.span, e.message)
            .label(tr!("here", "此处"))
            .help_opt(e.help)
            .report(db);
    }
    Arc::new(ast)
}

/// The language of a file's keywords, in which its diagnostics are shown.
#[salsa::tracked]
pub(crate) fn file_language(db: &dyn salsa::Database, file: SourceFile) -> Lang {
    edict_grammar::keyword_language(file.text(db))
}

/// The clause tree of a regulation's outline.
#[salsa::tracked(returns(ref))]
pub(crate) fn parse_outline(db: &dyn salsa::Database, file: SourceFile) -> Arc<Outline> {
    let (outline, errors) = outline::segment(file.text(db));
    for e in errors {
        Diagnostic::error(Code::OutlineSyntax, file, e.span, e.message)
            .label(tr!("here", "此处"))
            .report(db);
    }
    Arc::new(outline)
}

/// The indexes (among the file's top-level items) of the file's articles.
#[salsa::tracked(returns(ref))]
pub(crate) fn articles_of(db: &dyn salsa::Database, file: SourceFile) -> Arc<[u32]> {
    parse_file(db, file)
        .items
        .iter()
        .enumerate()
        .filter(|(_, item)| matches!(item, Item::Article(_)))
        .filter_map(|(index, _)| u32::try_from(index).ok())
        .collect()
}

/// The articles of a package: each file's top-level item indexes, in source order.
#[salsa::tracked(returns(ref))]
pub(crate) fn package_articles(
    db: &dyn salsa::Database,
    package: Package,
) -> Arc<[(SourceFile, u32)]> {
    package
        .sources(db)
        .iter()
        .flat_map(|&file| {
            articles_of(db, file)
                .iter()
                .map(move |&index| (file, index))
        })
        .collect()
}

/// The article that is top-level item `index` of a file, with spans relative to its start;
/// `None` when that item is not an article.
#[salsa::tracked(returns(ref))]
pub(crate) fn article(
    db: &dyn salsa::Database,
    file: SourceFile,
    index: u32,
) -> Option<Arc<ast::Article>> {
    let Some(Item::Article(article)) = parse_file(db, file).items.get(index as usize) else {
        return None;
    };
    let mut article = article.clone();
    article.rebase(article.span.start);
    Some(Arc::new(article))
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

/// The files named by the `regulation` headers of `file`: the workspace loads them.
#[salsa::tracked(returns(ref))]
pub(crate) fn imports(db: &dyn salsa::Database, file: SourceFile) -> Vec<Import> {
    let base = file.path(db);
    let mut found = Vec::new();
    for item in &parse_file(db, file).items {
        if let Item::Vocabulary(v) = item
            && let Some(extends) = &v.extends
        {
            found.push(Import::Vocabulary(paths::resolve(
                base,
                &extends.path.value,
            )));
        }
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
