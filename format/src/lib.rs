//! The canonical layout of Edict source files (`edict fmt`).
//!
//! [`format`] parses a file, writes its tree back in one layout — two spaces per block,
//! one blank line between rules and between top-level items, each part of a rule on its own
//! line, `message` aligned with `message_zh`, lines past [`Options::width`] broken before `and`
//! or `or` — and puts every comment back beside the line it was written next to (see
//! [`printer`]). Lang are written in the file's own language, or in the one asked for:
//! `article 7` ↔ `第七条`, `rule` ↔ `规则` …; names, strings and numbers stay as written.
//!
//! Formatting never changes the program: before returning, the result is parsed again and
//! compared with the original tree, and its comments with the original comments; a file that
//! does not parse is refused with its syntax errors.

mod expr;
mod layout;
mod printer;
mod rules;

use edict_grammar::ast::{self, Span, Spanned};
use edict_grammar::lexer::{self, Token, TokenKind};
use edict_grammar::{ParseError, parse};

pub use edict_grammar::Lang;
pub use edict_grammar::keywords::{CHINESE_WORDS, ENGLISH_WORDS, language_of};

/// How to format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Options {
    /// The keyword language to write; `None` keeps the file's own (the language most of its
    /// keywords are written in).
    pub keywords: Option<Lang>,
    /// The display width past which conditions are broken over several lines (a Chinese
    /// character counts two columns).
    pub width: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            keywords: None,
            width: 100,
        }
    }
}

/// Why a file was not formatted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FormatError {
    /// The file has syntax errors; it is left alone.
    Syntax(Vec<ParseError>),
    /// The formatter would have changed the program or lost a comment: a bug in the formatter,
    /// caught before anything is written.
    Internal(String),
}

/// Formats one source file.
pub fn format(source: &str, options: &Options) -> Result<String, FormatError> {
    let (file, errors) = parse(source);
    if !errors.is_empty() {
        return Err(FormatError::Syntax(errors));
    }
    let lang = options
        .keywords
        .unwrap_or_else(|| language_of(source, &file));
    let src = Source::new(source);
    let comments: Vec<Span> = src
        .tokens
        .iter()
        .filter(|t| t.kind == TokenKind::Comment)
        .map(|t| t.span)
        .collect();

    let mut first = layout::Layout::new(
        &src,
        printer::Printer::recording(source),
        lang,
        options.width,
    );
    first.file(&file);
    let anchors = first.into_printer().into_anchors();
    let mut second = layout::Layout::new(
        &src,
        printer::Printer::writing(source, &comments, anchors),
        lang,
        options.width,
    );
    second.file(&file);
    let out = second.into_printer().finish();
    verify(source, &file, &out)?;
    Ok(out)
}

/// Checks that the output has the same tree and the same comments as the input.
fn verify(source: &str, file: &ast::File, out: &str) -> Result<(), FormatError> {
    let (again, errors) = parse(out);
    if let Some(e) = errors.first() {
        let line = out[..(e.span.start as usize).min(out.len())]
            .matches('\n')
            .count()
            + 1;
        return Err(FormatError::Internal(format!(
            "the formatted text does not parse (line {line}: {})",
            e.message.en
        )));
    }
    if without_spans(file) != without_spans(&again) {
        return Err(FormatError::Internal(
            "the formatted text would compile to a different program".into(),
        ));
    }
    let texts = |s: &str| -> Vec<String> {
        lexer::comments(s)
            .into_iter()
            .map(|c| s[c.range()].trim_end().to_owned())
            .collect()
    };
    if texts(source) != texts(out) {
        return Err(FormatError::Internal(
            "the formatted text would lose or reorder a comment".into(),
        ));
    }
    Ok(())
}

/// A copy of the tree with every span zeroed, to compare trees of two texts.
fn without_spans(file: &ast::File) -> ast::File {
    let mut copy = file.clone();
    copy.visit_spans(&mut |s| *s = Span::default());
    copy
}

/// The source text and its tokens.
pub(crate) struct Source<'s> {
    pub(crate) text: &'s str,
    pub(crate) tokens: Vec<Token>,
}

impl<'s> Source<'s> {
    fn new(text: &'s str) -> Source<'s> {
        Source {
            text,
            tokens: lexer::tokens(text),
        }
    }

    pub(crate) fn slice(&self, span: Span) -> &'s str {
        self.text.get(span.range()).unwrap_or_default()
    }

    /// The index of the token that starts at or covers `offset`.
    fn token_at(&self, offset: u32) -> usize {
        self.tokens
            .partition_point(|t| t.span.end <= offset)
            .min(self.tokens.len().saturating_sub(1))
    }

    /// The code tokens (not blanks or comments) before `offset`, nearest first.
    fn code_before(&self, offset: u32) -> impl Iterator<Item = &Token> {
        let at = self.token_at(offset);
        self.tokens[..at]
            .iter()
            .rev()
            .filter(|t| !matches!(t.kind, TokenKind::Blank | TokenKind::Comment))
    }

    /// Where the keyword before `offset` starts: the word right before it, or both words of
    /// a two-word keyword (`use vocabulary`, `reset by`, `any event`).
    pub(crate) fn keyword_start(&self, offset: u32) -> u32 {
        let mut before = self.code_before(offset);
        let Some(word) = before.next() else {
            return offset;
        };
        let second = matches!(self.slice(word.span), "vocabulary" | "by" | "event" | "of");
        if second
            && let Some(first) = before.next()
            && matches!(
                self.slice(first.span),
                "use" | "reset" | "any" | "list" | "set"
            )
        {
            return first.span.start;
        }
        word.span.start
    }

    /// Where the `n`th code token before `offset` starts (1 is the nearest).
    pub(crate) fn nth_before(&self, offset: u32, n: usize) -> u32 {
        self.code_before(offset)
            .nth(n.saturating_sub(1))
            .map_or(offset, |t| t.span.start)
    }

    /// Where the `}` closing the first `{` at or after `from` is.
    pub(crate) fn block_end(&self, from: u32) -> u32 {
        let mut depth = 0usize;
        for t in &self.tokens[self.token_at(from)..] {
            if t.kind != TokenKind::Punct {
                continue;
            }
            match self.slice(t.span) {
                "{" => depth += 1,
                "}" => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        return t.span.start;
                    }
                }
                _ => {}
            }
        }
        u32::try_from(self.text.len()).unwrap_or(u32::MAX)
    }

    /// Whether a comment lies inside the span.
    pub(crate) fn has_comment(&self, start: u32, end: u32) -> bool {
        self.tokens
            .iter()
            .any(|t| t.kind == TokenKind::Comment && t.span.start >= start && t.span.end <= end)
    }

    /// Whether the span is one parenthesised group: `(` at its start matches `)` at its end.
    pub(crate) fn wrapped(&self, span: Span) -> bool {
        let first = self.token_at(span.start);
        let Some(open) = self.tokens.get(first) else {
            return false;
        };
        if open.span.start != span.start || !matches!(self.slice(open.span), "(" | "（") {
            return false;
        }
        let mut depth = 0usize;
        for t in &self.tokens[first..] {
            if t.span.start >= span.end {
                break;
            }
            if t.kind != TokenKind::Punct {
                continue;
            }
            match self.slice(t.span) {
                "(" | "（" => depth += 1,
                ")" | "）" => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        return t.span.end == span.end;
                    }
                }
                _ => {}
            }
        }
        false
    }

    /// The text of the first token of `kind` inside the span (a literal inside parentheses).
    pub(crate) fn first_of(&self, span: Span, kind: TokenKind) -> &'s str {
        self.tokens[self.token_at(span.start)..]
            .iter()
            .take_while(|t| t.span.start < span.end)
            .find(|t| t.kind == kind)
            .map_or("", |t| self.slice(t.span))
    }
}
