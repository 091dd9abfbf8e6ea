//! The line writer: indentation, blank lines, comments and the alignment of trailing comments.
//!
//! The layout code tells the writer where each *line node* starts in the source (a top-level
//! item, an entry, a clause of a rule, a field, a closing brace …) with [`Printer::begin`]; the
//! writer places the source's comments around those lines:
//!
//! - a comment alone on its source line is written on its own line before the first line node
//!   that starts after it (or before the closing brace of its block, or at the end of the file),
//!   keeping one blank line where the source had one or more;
//! - a comment after code on its source line trails the last line of the line node that starts
//!   closest before it; a second such comment of the same node goes on its own line after it.
//!
//! Layout runs twice: once to learn where the line nodes are, once to write. Both runs make
//! the same choices, since nothing in the layout depends on what has been written.

use std::collections::HashMap;

use edict_grammar::ast::Span;
use unicode_width::UnicodeWidthStr;

/// How many blank lines go before a line node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Spacing {
    /// One blank line, unless the node opens its block or the file.
    Blank,
    /// One blank line where the source had one or more.
    Keep,
    /// No blank line.
    Tight,
}

/// A comment of the source.
#[derive(Clone, Debug)]
struct Comment {
    span: Span,
    text: String,
    /// Whether only blanks stand before it on its line.
    own_line: bool,
    /// Whether it waits to trail the last line of its node.
    trails: bool,
    emitted: bool,
}

/// One line of output.
#[derive(Clone, Debug, Default)]
struct Line {
    indent: usize,
    text: String,
    comment: Option<String>,
}

pub(crate) struct Printer<'s> {
    source: &'s str,
    comments: Vec<Comment>,
    /// The first trailing comment of each line node, by the node's start.
    trailing: HashMap<u32, usize>,
    /// The starts of the line nodes, recorded on the first run.
    anchors: Vec<u32>,
    lines: Vec<Line>,
    indent: usize,
    /// The node whose trailing comment is still to be written.
    open_anchor: Option<u32>,
    /// Whether the next line opens a block or the file (no blank line goes there).
    at_start: bool,
}

impl<'s> Printer<'s> {
    /// A writer for the first run: it records line nodes and writes no comments.
    pub(crate) fn recording(source: &'s str) -> Printer<'s> {
        Printer {
            source,
            comments: Vec::new(),
            trailing: HashMap::new(),
            anchors: Vec::new(),
            lines: Vec::new(),
            indent: 0,
            open_anchor: None,
            at_start: true,
        }
    }

    /// A writer for the second run, from the line nodes the first run found.
    pub(crate) fn writing(
        source: &'s str,
        comments: &[Span],
        mut anchors: Vec<u32>,
    ) -> Printer<'s> {
        anchors.sort_unstable();
        anchors.dedup();
        let comments: Vec<Comment> = comments
            .iter()
            .map(|&span| {
                let line_start = source[..span.start as usize]
                    .rfind('\n')
                    .map_or(0, |i| i + 1);
                let before = &source[line_start..span.start as usize];
                Comment {
                    span,
                    text: source[span.range()].trim_end().to_owned(),
                    own_line: before.chars().all(is_blank),
                    trails: false,
                    emitted: false,
                }
            })
            .collect();
        let mut comments = comments;
        let mut trailing = HashMap::new();
        for i in 0..comments.len() {
            let c = &comments[i];
            if c.own_line {
                continue;
            }
            let at = anchors.partition_point(|&a| a <= c.span.start);
            let Some(&anchor) = at.checked_sub(1).and_then(|i| anchors.get(i)) else {
                continue;
            };
            // A comment on its own line inside the node comes first in the source, and it is
            // written after the node's last line: the trailing one then goes after it, on a
            // line of its own too, to keep the order.
            let after_own_line = comments[..i]
                .iter()
                .any(|o| o.own_line && o.span.start > anchor);
            if !after_own_line && !trailing.contains_key(&anchor) {
                trailing.insert(anchor, i);
                comments[i].trails = true;
            }
        }
        Printer {
            source,
            comments,
            trailing,
            anchors: Vec::new(),
            lines: Vec::new(),
            indent: 0,
            open_anchor: None,
            at_start: true,
        }
    }

    /// The line nodes recorded so far.
    pub(crate) fn into_anchors(self) -> Vec<u32> {
        self.anchors
    }

    pub(crate) fn indent(&mut self) {
        self.indent += 1;
        self.at_start = true;
    }

    pub(crate) fn dedent(&mut self) {
        self.indent = self.indent.saturating_sub(1);
        self.at_start = false;
    }

    /// Starts the line of a node that starts at `start` in the source.
    pub(crate) fn begin(&mut self, start: u32, spacing: Spacing) {
        self.anchors.push(start);
        self.close_trailing();
        let mut want_blank = match spacing {
            Spacing::Blank => true,
            Spacing::Keep => false,
            Spacing::Tight => false,
        };
        let mut first = true;
        while let Some(i) = self.next_comment_before(start) {
            let span = self.comments[i].span;
            if !first || spacing == Spacing::Keep {
                want_blank |= self.blank_before(span.start);
            }
            first = false;
            self.blank_line(want_blank);
            want_blank = false;
            let text = self.comments[i].text.clone();
            self.comments[i].emitted = true;
            self.push_line(text);
        }
        let node_blank = match spacing {
            Spacing::Tight => false,
            Spacing::Blank => want_blank || (!first && self.blank_before(start)),
            Spacing::Keep => want_blank || self.blank_before(start),
        };
        self.blank_line(node_blank);
        self.push_line(String::new());
        self.open_anchor = Some(start);
    }

    /// Starts a continuation line of the current node, one level deeper.
    pub(crate) fn continuation(&mut self, extra: usize) {
        let indent = self.indent + extra;
        self.lines.push(Line {
            indent,
            text: String::new(),
            comment: None,
        });
    }

    /// Appends text to the current line.
    pub(crate) fn push(&mut self, text: &str) {
        if let Some(line) = self.lines.last_mut() {
            line.text.push_str(text);
        }
    }

    /// The display width of the current line so far, indentation included.
    pub(crate) fn column(&self) -> usize {
        self.lines
            .last()
            .map_or(0, |l| l.indent * 2 + l.text.width())
    }

    /// Writes the `}` closing a block that the source closes at `close`, one level out.
    pub(crate) fn close(&mut self, close: u32) {
        self.close_trailing();
        while let Some(i) = self.next_comment_before(close) {
            let span = self.comments[i].span;
            let blank = self.blank_before(span.start);
            self.blank_line(blank);
            let text = self.comments[i].text.clone();
            self.comments[i].emitted = true;
            self.push_line(text);
        }
        self.dedent();
        self.anchors.push(close);
        self.push_line("}".to_owned());
        self.open_anchor = Some(close);
    }

    /// Writes the comments left at the end of the file and returns the text.
    pub(crate) fn finish(mut self) -> String {
        self.close_trailing();
        self.indent = 0;
        while let Some(i) = self.next_comment_before(u32::MAX) {
            let span = self.comments[i].span;
            let blank = self.blank_before(span.start);
            self.blank_line(blank);
            let text = self.comments[i].text.clone();
            self.comments[i].emitted = true;
            self.push_line(text);
        }
        render(&self.lines)
    }

    /// The next comment not yet written that starts before `offset` and is not waiting to
    /// trail its node.
    fn next_comment_before(&self, offset: u32) -> Option<usize> {
        self.comments
            .iter()
            .enumerate()
            .find(|(_, c)| !c.emitted && !c.trails)
            .filter(|(_, c)| c.span.start < offset)
            .map(|(i, _)| i)
    }

    /// Writes the trailing comment of the node just finished, if it has one.
    fn close_trailing(&mut self) {
        let Some(anchor) = self.open_anchor.take() else {
            return;
        };
        let Some(i) = self.trailing.remove(&anchor) else {
            return;
        };
        self.comments[i].emitted = true;
        self.comments[i].trails = false;
        let text = self.comments[i].text.clone();
        if let Some(line) = self.lines.last_mut() {
            line.comment = Some(text);
        }
    }

    fn push_line(&mut self, text: String) {
        self.lines.push(Line {
            indent: self.indent,
            text,
            comment: None,
        });
        self.at_start = false;
    }

    fn blank_line(&mut self, want: bool) {
        if want && !self.at_start && self.lines.last().is_some_and(|l| !l.text.is_empty()) {
            self.lines.push(Line::default());
        }
    }

    /// Whether the source has a blank line right before `offset`.
    fn blank_before(&self, offset: u32) -> bool {
        let before = &self.source[..offset as usize];
        let gap = before.len() - before.trim_end_matches(is_blank).len();
        before[before.len() - gap..].matches('\n').count() >= 2
    }
}

fn is_blank(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n' | '\u{3000}' | '\u{FEFF}')
}

/// The output: trailing comments of consecutive lines are aligned two columns after the
/// longest of those lines.
fn render(lines: &[Line]) -> String {
    let mut out = String::new();
    let mut i = 0;
    while i < lines.len() {
        let mut end = i;
        while end < lines.len() && lines[end].comment.is_some() && !lines[end].text.is_empty() {
            end += 1;
        }
        if end == i {
            write_line(&mut out, &lines[i], 0);
            i += 1;
            continue;
        }
        let column = lines[i..end]
            .iter()
            .map(|l| l.indent * 2 + l.text.width())
            .max()
            .unwrap_or(0)
            + 2;
        for line in &lines[i..end] {
            write_line(&mut out, line, column);
        }
        i = end;
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    if !out.ends_with('\n') {
        out.push('\n');
    }
    if out == "\n" {
        out.clear();
    }
    out
}

fn write_line(out: &mut String, line: &Line, column: usize) {
    if line.text.is_empty() && line.comment.is_none() {
        out.push('\n');
        return;
    }
    for _ in 0..line.indent {
        out.push_str("  ");
    }
    out.push_str(&line.text);
    if let Some(comment) = &line.comment {
        let at = line.indent * 2 + line.text.width();
        let pad = column
            .saturating_sub(at)
            .max(if line.text.is_empty() { 0 } else { 2 });
        out.push_str(&" ".repeat(pad));
        out.push_str(comment);
    }
    out.push('\n');
}
