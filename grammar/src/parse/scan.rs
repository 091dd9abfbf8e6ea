//! Cheap scans of the source text that guide error recovery.
//!
//! They track only brackets, strings, comments and the first word of each line; which words
//! start an item or an entry is asked of the grammar itself.

use pest::Parser;

use super::ParseError;
use super::grammar::{EdictParser, Rule};
use crate::ast::Span;
use crate::tr;

/// How deeply brackets may nest before a file is refused rather than parsed.
const MAX_NESTING: usize = 64;

/// Where reading may resume inside a block after a broken entry.
pub(super) enum Restart {
    /// A line that starts another entry of the block.
    Entry(usize),
    /// The `}` that closes the block.
    Close(usize),
    /// A line that starts a top-level item (the block was not closed), or the end of the file.
    TopLevel(usize),
}

/// What the first word of a line starts.
#[derive(PartialEq, Eq)]
enum LineStart {
    /// `regulation`, `vocabulary`, `article`, `const`, `state` or `calendar`.
    TopLevel,
    /// `rule`, `exempt`, `not_checkable`, `paragraph` or `item`.
    Entry,
    Other,
}

/// Something the walker met.
enum Event {
    Open(usize),
    Close(usize),
    /// The first character of a line that is neither blank nor only a comment; `flush` says
    /// whether it stands in the first column.
    Line {
        pos: usize,
        flush: bool,
    },
}

/// Walks `source` from `from`, skipping strings and comments, and calls `visit` for brackets
/// and line starts until it returns `Some`.
fn walk<T>(source: &str, from: usize, mut visit: impl FnMut(Event) -> Option<T>) -> Option<T> {
    let bytes = source.as_bytes();
    let mut in_string = false;
    let mut i = from;
    while i < bytes.len() {
        let b = bytes[i];
        if in_string {
            match b {
                b'\\' if bytes.get(i + 1) != Some(&b'\n') => {
                    i += 2;
                    continue;
                }
                b'"' => {
                    in_string = false;
                    i += 1;
                    continue;
                }
                // Strings end at the end of their line; the line break is handled below.
                b'\n' => in_string = false,
                _ => {
                    i += 1;
                    continue;
                }
            }
        }
        match b {
            _ if bytes[i..].starts_with("（".as_bytes()) => {
                if let Some(result) = visit(Event::Open(i)) {
                    return Some(result);
                }
            }
            _ if bytes[i..].starts_with("）".as_bytes()) => {
                if let Some(result) = visit(Event::Close(i)) {
                    return Some(result);
                }
            }
            b'"' => in_string = true,
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'{' | b'(' | b'[' => {
                if let Some(result) = visit(Event::Open(i)) {
                    return Some(result);
                }
            }
            b'}' | b')' | b']' => {
                if let Some(result) = visit(Event::Close(i)) {
                    return Some(result);
                }
            }
            b'\n' => {
                let line = i + 1;
                let first = line + leading_blank_len(&source[line..]);
                let rest = &source[first..];
                if !rest.is_empty() && !rest.starts_with('\n') && !rest.starts_with("//") {
                    let event = Event::Line {
                        pos: first,
                        flush: first == line,
                    };
                    if let Some(result) = visit(event) {
                        return Some(result);
                    }
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// The offset of the first token at or after `pos`, past blanks and comments.
pub(super) fn skip_trivia(source: &str, mut pos: usize) -> usize {
    loop {
        let rest = &source[pos..];
        let trimmed = rest.trim_start_matches([' ', '\t', '\r', '\n', '\u{3000}', '\u{feff}']);
        pos += rest.len() - trimmed.len();
        if trimmed.starts_with("//") {
            pos += trimmed.find('\n').unwrap_or(trimmed.len());
        } else {
            return pos;
        }
    }
}

/// The length of the spaces, tabs and full-width spaces at the start of `text`.
fn leading_blank_len(text: &str) -> usize {
    text.len() - text.trim_start_matches([' ', '\t', '\r', '\u{3000}']).len()
}

/// Whether the grammar reads one of `rules` at the start of `text`.
fn starts_with_any(text: &str, rules: &[Rule]) -> bool {
    rules
        .iter()
        .any(|&rule| EdictParser::parse(rule, text).is_ok())
}

/// What the word at `pos` starts.
fn line_start(source: &str, pos: usize) -> LineStart {
    let text = &source[pos..];
    let top_level = [
        Rule::kw_regulation,
        Rule::kw_vocabulary,
        Rule::kw_article,
        Rule::zh_article,
        Rule::kw_const,
        Rule::kw_state,
        Rule::kw_calendar,
    ];
    let entry = [
        Rule::kw_rule,
        Rule::kw_exempt,
        Rule::kw_not_checkable,
        Rule::kw_paragraph,
        Rule::zh_paragraph,
        Rule::kw_item,
        Rule::zh_item,
    ];
    if starts_with_any(text, &top_level) {
        LineStart::TopLevel
    } else if starts_with_any(text, &entry) {
        LineStart::Entry
    } else {
        LineStart::Other
    }
}

/// Whether `pos` is the first word of its line.
fn begins_line(source: &str, pos: usize) -> bool {
    let line = source[..pos].rfind('\n').map_or(0, |i| i + 1);
    leading_blank_len(&source[line..pos]) == pos - line
}

/// Whether a top-level item starts at `pos`, at the beginning of a line.
pub(super) fn starts_top_level(source: &str, pos: usize) -> bool {
    pos < source.len() && begins_line(source, pos) && line_start(source, pos) == LineStart::TopLevel
}

/// Where to resume after a broken top-level item starting at `pos`: the next line that starts
/// a top-level item outside braces opened since `pos` (or in the first column, in case a brace
/// was left open), or a rule or other entry outside braces; else the end of the file.
pub(super) fn next_top_level(source: &str, pos: usize) -> usize {
    let mut depth: usize = 0;
    let found = walk(source, pos, |event| match event {
        Event::Open(_) => {
            depth += 1;
            None
        }
        Event::Close(_) => {
            depth = depth.saturating_sub(1);
            None
        }
        Event::Line { pos: line, flush } => match line_start(source, line) {
            LineStart::TopLevel if depth == 0 || flush => Some(line),
            LineStart::Entry if depth == 0 => Some(line),
            _ => None,
        },
    });
    found.unwrap_or(source.len())
}

/// Where to resume inside a block after a broken entry at `pos`.
pub(super) fn next_entry(source: &str, pos: usize) -> Restart {
    if pos >= source.len() || starts_top_level(source, pos) {
        return Restart::TopLevel(pos.min(source.len()));
    }
    let mut depth: usize = 0;
    let found = walk(source, pos, |event| match event {
        Event::Open(_) => {
            depth += 1;
            None
        }
        Event::Close(at) if depth == 0 && source[at..].starts_with('}') => Some(Restart::Close(at)),
        Event::Close(_) => {
            depth = depth.saturating_sub(1);
            None
        }
        Event::Line { pos: line, flush } => match line_start(source, line) {
            LineStart::TopLevel if flush => Some(Restart::TopLevel(line)),
            LineStart::Entry if depth == 0 => Some(Restart::Entry(line)),
            _ => None,
        },
    });
    found.unwrap_or(Restart::TopLevel(source.len()))
}

/// The innermost `{` between `from` and `to` that is not closed before `to`.
pub(super) fn unclosed_brace(source: &str, from: usize, to: usize) -> Option<usize> {
    let mut open = Vec::new();
    let to = to.min(source.len());
    walk(&source[..to], from, |event| {
        match event {
            Event::Open(at) if source[at..].starts_with('{') => open.push(at),
            Event::Close(at) if source[at..].starts_with('}') => {
                open.pop();
            }
            _ => {}
        }
        None::<()>
    });
    open.pop()
}

/// An error if brackets nest more deeply than the parser is willing to follow.
pub(super) fn too_deep(source: &str) -> Option<ParseError> {
    let mut depth: usize = 0;
    walk(source, 0, |event| {
        match event {
            Event::Open(at) => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Some(ParseError {
                        span: Span::new(at, at + 1),
                        message: tr!(
                            "brackets are nested more than {MAX_NESTING} deep",
                            "括号嵌套超过了{MAX_NESTING}层"
                        ),
                        help: Some(tr!(
                            "split the expression into constants or simpler rules",
                            "把表达式拆成常量或更简单的规则"
                        )),
                    });
                }
            }
            Event::Close(_) => depth = depth.saturating_sub(1),
            Event::Line { .. } => {}
        }
        None
    })
}
