//! The expectations every target checks on what it produced.

use edict_grammar::Text;
use edict_grammar::ast::{Span, Spanned};

/// A message in the house style: not empty, starting in lowercase (or with a quoted word, a
/// number or a non-Latin letter), without a trailing period.
pub fn message(message: &str, what: &str) {
    assert!(!message.trim().is_empty(), "{what}: an empty message");
    let first = message.chars().next().unwrap_or(' ');
    assert!(
        !first.is_ascii_uppercase(),
        "{what}: the message starts in uppercase: {message:?}"
    );
    assert!(
        !message.ends_with('.') || message.ends_with("..."),
        "{what}: the message ends with a period: {message:?}"
    );
    assert!(
        !message.contains('\0'),
        "{what}: the message carries a NUL byte: {message:?}"
    );
}

/// A span inside `text` whose ends fall on character boundaries.
pub fn span(text: &str, span: Span, what: &str) {
    let (start, end) = (span.start as usize, span.end as usize);
    assert!(
        start <= end && end <= text.len(),
        "{what}: span {start}..{end} outside a text of {} bytes",
        text.len()
    );
    assert!(
        text.is_char_boundary(start) && text.is_char_boundary(end),
        "{what}: span {start}..{end} cuts a character"
    );
}

/// Every span of a syntax tree is inside `text`.
pub fn tree_spans<T: Spanned + Clone>(text: &str, tree: &T, what: &str) {
    let mut tree = tree.clone();
    tree.visit_spans(&mut |s| span(text, *s, what));
}

/// A message in both languages, each in the house style, the Chinese one also without a
/// trailing full stop.
pub fn text_message(message: &Text, what: &str) {
    self::message(&message.en, what);
    self::message(&message.zh, what);
    assert!(
        !message.zh.ends_with('。'),
        "{what}: the Chinese message ends with a full stop: {:?}",
        message.zh
    );
}

/// Text as the targets read it: bytes that are not UTF-8 are not a policy, an outline or a
/// test file (the readers refuse them before parsing), so a target skips them.
pub fn text(data: &[u8]) -> Option<&str> {
    std::str::from_utf8(data).ok()
}
