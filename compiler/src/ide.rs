//! What an editor asks about a place in a file: hover, go to definition, references,
//! completion, document symbols and semantic tokens. The language server (`edict lsp`) turns
//! these answers into protocol messages; here everything is byte offsets into files.
//!
//! Every answer is read from the same salsa queries as `edict check` — syntax trees, the
//! resolved vocabulary, constants, states, header and outline — so the editor and the command
//! line never disagree. The syntax tree of a file with errors holds every item that could be
//! read, so a broken file still gets answers for its good parts; completion reads the tokens
//! before the cursor, which need not parse at all.

mod complete;
mod hover;
mod navigate;
mod scope;
mod symbols;

use std::sync::Arc;

use edict_grammar::ast::{self, Span};

use crate::db::{Database, Package, SourceFile};
use crate::parse::parse_file;
use crate::resolve::{package_outline, package_vocab};
use crate::vocab::Vocab;
use crate::workspace::{LoadedPackage, Workspace};

pub use complete::{Completion, CompletionKind, completions};
pub use hover::{Hover, hover};
pub use navigate::{definition, references};
pub use symbols::{SemanticToken, Symbol, SymbolKind, TokenClass, semantic_tokens, symbols};

/// A place in a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Location {
    pub file: SourceFile,
    pub span: Span,
}

/// What the analyses of one file of one package read.
pub(crate) struct Ctx<'a> {
    pub(crate) db: &'a Database,
    pub(crate) package: Package,
    pub(crate) file: SourceFile,
    pub(crate) tree: Arc<ast::File>,
}

impl<'a> Ctx<'a> {
    pub(crate) fn new(ws: &'a Workspace, package: &LoadedPackage, file: SourceFile) -> Ctx<'a> {
        let db = ws.db();
        Ctx {
            db,
            package: package.package,
            file,
            tree: Arc::clone(parse_file(db, file)),
        }
    }

    pub(crate) fn text(&self) -> &'a str {
        self.file.text(self.db)
    }

    pub(crate) fn vocab(&self) -> Option<Arc<Vocab>> {
        package_vocab(self.db, self.package).clone()
    }

    /// The outline file and its clause tree.
    pub(crate) fn outline(&self) -> Option<(SourceFile, Arc<edict_grammar::outline::Outline>)> {
        package_outline(self.db, self.package).clone()
    }

    /// The syntax tree of another file.
    pub(crate) fn tree_of(&self, file: SourceFile) -> Arc<ast::File> {
        Arc::clone(parse_file(self.db, file))
    }
}

/// The comment that documents a declaration: the comment lines right above it (no blank line
/// between) and a comment after it on its own line.
pub fn doc_comment(text: &str, span: Span) -> Option<String> {
    use edict_grammar::lexer::{TokenKind, tokens};
    let toks = tokens(text);
    let line_of = |offset: u32| {
        text[..(offset as usize).min(text.len())]
            .matches('\n')
            .count()
    };
    let decl_line = line_of(span.start);
    let decl_end_line = line_of(span.end);
    let mut above: Vec<&str> = Vec::new();
    let mut expected_line = decl_line;
    let before = toks.partition_point(|t| t.span.end <= span.start);
    for t in toks[..before].iter().rev() {
        match t.kind {
            TokenKind::Blank => continue,
            TokenKind::Comment => {
                let line = line_of(t.span.start);
                let own_line = text[..t.span.start as usize]
                    .rsplit('\n')
                    .next()
                    .is_some_and(|l| l.trim().is_empty());
                if line + 1 != expected_line || !own_line {
                    break;
                }
                above.push(comment_text(&text[t.span.range()]));
                expected_line = line;
            }
            _ => break,
        }
    }
    above.reverse();
    let after = toks[before..]
        .iter()
        .filter(|t| t.span.start >= span.end)
        .take_while(|t| line_of(t.span.start) == decl_end_line)
        .find(|t| t.kind == TokenKind::Comment)
        .map(|t| comment_text(&text[t.span.range()]));
    let mut lines: Vec<&str> = above;
    lines.extend(after);
    let doc = lines.join("\n").trim().to_owned();
    (!doc.is_empty()).then_some(doc)
}

fn comment_text(comment: &str) -> &str {
    comment.trim_start_matches('/').trim()
}

/// Whether an offset lies in a span (its end included, as an editor's cursor after a word
/// still points at it).
pub(crate) fn touches(span: Span, offset: u32) -> bool {
    span.start <= offset && offset <= span.end
}
