//! The tokens of an Edict source file, for the tools that work below the syntax tree: the
//! formatter (which keeps comments, which the tree drops) and the editor's highlighting.
//!
//! The [`logos`] lexer agrees with the pest grammar on where comments, strings, numbers and
//! words start and end, so a `//` inside a string is never a comment. It does not decide what a
//! word means: whether `rule` is a keyword or a name depends on where it stands, which only the
//! parser knows (see [`crate::ast::walk`] for the names of a tree). Lexing never fails: a
//! character the language does not use becomes an [`TokenKind::Unknown`] token.

use logos::Logos;

use crate::ast::Span;

/// What a token is.
#[derive(Logos, Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TokenKind {
    /// `// …` to the end of the line.
    #[regex(r"//[^\n]*", allow_greedy = true)]
    Comment,
    /// A double-quoted string, with its quotes; one that a line break cuts off ends there.
    #[regex(r#""([^"\\\n\r]|\\[^\n\r])*"?"#)]
    String,
    /// An integer (`100_000`) or a date (`2025-06-01`).
    #[regex(r"[0-9][0-9_]*")]
    #[regex(r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}")]
    Number,
    /// A Chinese clause number: `第七条`, `第2款`, `第一项`, `第？条`.
    #[regex(r"第[0-9０-９零〇一二两三四五六七八九十百千]+[条款项]", priority = 10)]
    #[regex(r"第[？?]条", priority = 10)]
    Clause,
    /// A word: a keyword or a name (letters, digits, `_`, `-` and Chinese characters).
    #[regex(r"[A-Za-z_\p{Han}][A-Za-z0-9_\-\p{Han}]*")]
    Word,
    /// Spaces, tabs, line breaks, the full-width space and a byte order mark.
    #[regex(r"[ \t\r\n\u{3000}\u{FEFF}]+")]
    Blank,
    /// Punctuation and operators: braces, brackets, parentheses (also full-width), `:`, `,`,
    /// `.`, `?`, `=`, comparisons, arithmetic.
    #[regex(r"==|!=|<=|>=|[{}\[\]().:,?=<>（）：，？+\-*/%]")]
    Punct,
    /// Anything else: a character the language does not use.
    Unknown,
}

/// A token and where it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Token {
    pub kind: TokenKind,
    pub span: Span,
}

/// Splits a source file into tokens, covering every byte.
pub fn tokens(source: &str) -> Vec<Token> {
    TokenKind::lexer(source)
        .spanned()
        .map(|(kind, range)| Token {
            kind: kind.unwrap_or(TokenKind::Unknown),
            span: Span::new(range.start, range.end),
        })
        .collect()
}

/// The comments of a source file, in order.
pub fn comments(source: &str) -> Vec<Span> {
    tokens(source)
        .into_iter()
        .filter(|t| t.kind == TokenKind::Comment)
        .map(|t| t.span)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(source: &str) -> Vec<(TokenKind, &str)> {
        tokens(source)
            .into_iter()
            .filter(|t| t.kind != TokenKind::Blank)
            .map(|t| (t.kind, &source[t.span.range()]))
            .collect()
    }

    #[test]
    fn a_comment_inside_a_string_is_part_of_the_string() {
        assert_eq!(
            kinds(r#"message "see http://x" // real"#),
            vec![
                (TokenKind::Word, "message"),
                (TokenKind::String, r#""see http://x""#),
                (TokenKind::Comment, "// real"),
            ]
        );
    }

    #[test]
    fn chinese_clause_numbers_words_and_numbers() {
        assert_eq!(
            kinds("第十五条 \"x\" { 规则 r: 对于 e x 当 x.a >= 100_000 并且 x.d == 2025-6-01 }"),
            vec![
                (TokenKind::Clause, "第十五条"),
                (TokenKind::String, "\"x\""),
                (TokenKind::Punct, "{"),
                (TokenKind::Word, "规则"),
                (TokenKind::Word, "r"),
                (TokenKind::Punct, ":"),
                (TokenKind::Word, "对于"),
                (TokenKind::Word, "e"),
                (TokenKind::Word, "x"),
                (TokenKind::Word, "当"),
                (TokenKind::Word, "x"),
                (TokenKind::Punct, "."),
                (TokenKind::Word, "a"),
                (TokenKind::Punct, ">="),
                (TokenKind::Number, "100_000"),
                (TokenKind::Word, "并且"),
                (TokenKind::Word, "x"),
                (TokenKind::Punct, "."),
                (TokenKind::Word, "d"),
                (TokenKind::Punct, "=="),
                (TokenKind::Number, "2025-6-01"),
                (TokenKind::Punct, "}"),
            ]
        );
    }

    #[test]
    fn every_byte_is_covered_even_in_garbage() {
        let source = "rule @ \"open\n§ 第？条 ??";
        let toks = tokens(source);
        let mut at = 0;
        for t in &toks {
            assert_eq!(t.span.start as usize, at);
            at = t.span.end as usize;
        }
        assert_eq!(at, source.len());
        assert!(toks.iter().any(|t| t.kind == TokenKind::Unknown));
        assert_eq!(
            kinds(source)[2],
            (TokenKind::String, "\"open"),
            "an unterminated string ends at the line break"
        );
    }
}
