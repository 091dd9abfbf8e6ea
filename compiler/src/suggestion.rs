//! The edit a "did you mean `x`?" help proposes, so that tools can apply it: an editor's quick
//! fix, a SARIF `fix`.
//!
//! The misspelt word is the one under the diagnostic's primary label: the whole label when it
//! is a name, the text of a string literal (`calendar "cn-mainlnd"`), or the last name inside it
//! (`article ? minor`).

use edict_grammar::ast::Span;
use edict_grammar::lexer::{self, TokenKind};

use crate::db::Database;
use crate::diagnostic::Diagnostic;

/// A replacement of the text at `span` (in the primary label's file).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Suggestion {
    pub span: Span,
    pub replacement: String,
}

/// The suggestion a diagnostic's help makes, if it makes one that fits the labelled text.
pub fn suggestion(db: &Database, diagnostic: &Diagnostic) -> Option<Suggestion> {
    // The English help holds the suggestion as "did you mean `x`?".
    let help = diagnostic.help.as_ref()?.en.as_str();
    let rest = help.split("did you mean `").nth(1)?;
    let word = rest.split("`?").next()?;
    if word.is_empty() || word.contains('`') {
        return None;
    }
    let text = diagnostic.primary.file.text(db);
    let span = diagnostic.primary.span;
    let labelled = text.get(span.range())?;
    let tokens: Vec<_> = lexer::tokens(labelled)
        .into_iter()
        .filter(|t| t.kind != TokenKind::Blank)
        .collect();
    let target = match tokens.as_slice() {
        [only] if only.kind == TokenKind::String => {
            let inner = Span {
                start: span.start + only.span.start + 1,
                end: (span.start + only.span.end).saturating_sub(1),
            };
            return (inner.start <= inner.end).then(|| Suggestion {
                span: inner,
                replacement: word.to_owned(),
            });
        }
        _ => tokens.iter().rev().find(|t| t.kind == TokenKind::Word)?,
    };
    let target = Span {
        start: span.start + target.span.start,
        end: span.start + target.span.end,
    };
    if text.get(target.range())? == word {
        return None;
    }
    Some(Suggestion {
        span: target,
        replacement: word.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Code;
    use crate::workspace::Workspace;

    fn suggest(source: &str, at: &str, help: &str) -> Option<String> {
        let mut ws = Workspace::default();
        let file = ws.set_file("x.edict", source.to_owned());
        let start = source.find(at).unwrap_or(0);
        let d = Diagnostic::error(
            Code::UnknownField,
            file,
            Span::new(start, start + at.len()),
            edict_grammar::Text::verbatim("x"),
        )
        .help(edict_grammar::Text::new(help, help));
        let s = suggestion(ws.db(), &d)?;
        let mut fixed = source.to_owned();
        fixed.replace_range(s.span.range(), &s.replacement);
        Some(fixed)
    }

    #[test]
    fn a_name_is_replaced_whole() {
        assert_eq!(
            suggest("require e.membr != 1", "membr", "did you mean `member`?").as_deref(),
            Some("require e.member != 1")
        );
    }

    #[test]
    fn a_string_keeps_its_quotes() {
        assert_eq!(
            suggest(
                "calendar \"old-twn\"",
                "\"old-twn\"",
                "did you mean `old-town`?"
            )
            .as_deref(),
            Some("calendar \"old-town\"")
        );
    }

    #[test]
    fn the_last_name_of_a_longer_label_is_replaced() {
        assert_eq!(
            suggest(
                "article ? minor {",
                "article ? minor",
                "did you mean `minors`?"
            )
            .as_deref(),
            Some("article ? minors {")
        );
    }

    #[test]
    fn a_help_without_a_suggestion_proposes_nothing() {
        assert_eq!(suggest("e.x", "x", "its fields are: a, b"), None);
        assert_eq!(
            suggest("a == b", "b", "did you mean `b`? the values of `e` are: b"),
            None
        );
    }
}
