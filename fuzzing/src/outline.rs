//! Target `outline`: any text as a regulation's outline.

use edict_grammar::outline::segment;

use crate::check;

/// Segments the bytes as an outline: every span is inside the text, every error reads well,
/// and paragraphs and items lie inside their article.
pub fn outline(data: &[u8]) {
    let Some(text) = check::text(data) else {
        return;
    };
    let (outline, errors) = segment(text);
    for error in &errors {
        check::span(text, error.span, "outline error");
        check::text_message(&error.message, "outline error");
    }
    for article in &outline.articles {
        check::span(text, article.span, "article");
        for paragraph in &article.paragraphs {
            check::span(text, paragraph.span, "paragraph");
            assert!(
                article.span.start <= paragraph.span.start
                    && paragraph.span.end <= article.span.end,
                "a paragraph outside its article"
            );
            for item in &paragraph.items {
                check::span(text, item.span, "item");
            }
        }
    }
}
