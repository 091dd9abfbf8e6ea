//! From source text to [`ast::File`], recovering from syntax errors.
//!
//! The pest grammar in `edict.pest` decides what parses; [`build`] turns its pairs into the tree.
//! A file is read one top-level item at a time.
//! When an item fails to parse, its error is reported and reading resumes at the next line that
//! starts a top-level item, so one run reports an error in every broken item and keeps the rest.
//! Inside a broken article (or paragraph or item) the same is done entry by entry, so the valid
//! rules of that article are kept as well.

mod build;
mod grammar;
mod message;
mod scan;

use pest::Parser;

use crate::ast::{self, ArticleRef, ClauseEntry, Item, Span};
use crate::text::Text;
use build::Builder;
use grammar::{EdictParser, Rule};
use scan::Restart;

/// A syntax error: where it is, what is wrong, and possibly how to fix it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ParseError {
    /// The offending token, or an empty span at the end of the file.
    pub span: Span,
    /// A lowercase sentence without a trailing period, such as "expected `:`, found `on`", in
    /// English and Chinese.
    pub message: Text,
    /// A likely fix, when one is known.
    pub help: Option<Text>,
}

/// Parses one source file.
///
/// Never fails and never panics: the returned file holds every item that could be read, and the
/// errors say what could not.
pub fn parse(source: &str) -> (ast::File, Vec<ParseError>) {
    let mut reader = Reader {
        source,
        items: Vec::new(),
        errors: Vec::new(),
    };
    if let Some(error) = scan::too_deep(source) {
        return (ast::File::default(), vec![error]);
    }
    reader.read_items();
    let file = ast::File {
        items: reader.items,
    };
    (file, reader.errors)
}

/// The state of reading one file.
struct Reader<'s> {
    source: &'s str,
    items: Vec<Item>,
    errors: Vec<ParseError>,
}

/// What kind of block a recovered head opens, with its number.
#[derive(Clone, PartialEq, Eq)]
enum BlockKind {
    Article(ArticleRef),
    Paragraph(u32),
    Item(u32),
}

/// The head of a block (`article 7 "title" {`) read during recovery.
struct BlockHead {
    kind: BlockKind,
    /// Where the number is written.
    number_span: Span,
    title: Option<ast::StrLit>,
    /// Where the head starts.
    start: usize,
    /// The offset just after its `{`.
    open_end: usize,
}

impl BlockHead {
    /// The block as a paragraph or item with the given entries, ending at `end`; articles are
    /// never nested, so an article head does not reach here.
    fn into_clause(self, body: Vec<ClauseEntry>, end: usize) -> ClauseEntry {
        let span = Span::new(self.start, end);
        let (value, is_item) = match self.kind {
            BlockKind::Item(value) => (value, true),
            BlockKind::Paragraph(value) => (value, false),
            BlockKind::Article(_) => (0, false),
        };
        let clause = ast::SubClause {
            number: ast::Number {
                value,
                span: self.number_span,
            },
            title: self.title,
            body,
            span,
        };
        if is_item {
            ClauseEntry::Item(clause)
        } else {
            ClauseEntry::Paragraph(clause)
        }
    }
}

/// The entries of a block read during recovery, and where reading stopped.
struct RecoveredBlock {
    entries: Vec<ClauseEntry>,
    /// The end of the last thing read: the closing `}`, or the last good entry.
    end: usize,
    /// Where reading should continue.
    resume: usize,
    /// Whether an error was reported inside the block.
    had_error: bool,
    /// Whether reading stopped because a top-level item starts at `resume` (the block was not
    /// closed), so enclosing blocks must stop too.
    at_top_level: bool,
}

impl Reader<'_> {
    /// Reads top-level items until the end of the file.
    fn read_items(&mut self) {
        let mut pos = 0;
        // Where the item that ends at `pos` starts, if one does.
        let mut previous: Option<usize> = None;
        while pos < self.source.len() {
            let rest = &self.source[pos..];
            match EdictParser::parse(Rule::item_step, rest) {
                Ok(mut pairs) => {
                    let Some(pair) = pairs.next() else { break };
                    if pair.as_rule() == Rule::EOI {
                        break;
                    }
                    let end = pos + pair.as_span().end();
                    let builder = Builder::new(pos);
                    let item = builder.build_top_item(pair);
                    self.items.push(item);
                    self.errors.extend(builder.finish());
                    if end <= pos {
                        break;
                    }
                    previous = Some(pos);
                    pos = end;
                }
                Err(error) => {
                    let (base, error) =
                        self.furthest_error(Rule::item_pair_step, previous, pos, error);
                    pos = self.recover_item(pos, base, &error);
                    previous = None;
                }
            }
        }
    }

    /// Reports a broken top-level item and returns where to resume.
    ///
    /// A block whose head parses is read entry by entry, keeping its valid entries.
    ///
    /// `error` is the error of parsing the text from `base`.
    fn recover_item(&mut self, pos: usize, base: usize, error: &pest::error::Error<Rule>) -> usize {
        let pos = scan::skip_trivia(self.source, pos);
        if let Some(head) = self.block_head(pos) {
            let block = self.recover_block(pos, head.open_end);
            if block.had_error {
                let resume = block.resume.max(pos + 1);
                let item = if let BlockKind::Article(article) = &head.kind {
                    Item::Article(ast::Article {
                        article: article.clone(),
                        number_span: head.number_span,
                        title: head.title,
                        body: block.entries,
                        span: Span::new(head.start, block.end),
                    })
                } else {
                    Item::Stray(head.into_clause(block.entries, block.end))
                };
                self.items.push(item);
                return resume;
            }
        }
        self.errors
            .push(message::from_pest(self.source, pos, base, error));
        scan::next_top_level(self.source, pos)
    }

    /// The most telling error for text that fails at `pos` right after an item or entry that
    /// starts at `previous`: pest forgets how far a successful parse looked ahead, so the two are
    /// parsed together with `pair_rule`, and the error reaching furthest is kept.
    ///
    /// Returns the error with the offset its positions are relative to.
    fn furthest_error(
        &self,
        pair_rule: Rule,
        previous: Option<usize>,
        pos: usize,
        error: pest::error::Error<Rule>,
    ) -> (usize, pest::error::Error<Rule>) {
        let Some(start) = previous else {
            return (pos, error);
        };
        match EdictParser::parse(pair_rule, &self.source[start..]) {
            Err(pair_error)
                if start + message::offset(&pair_error) >= pos + message::offset(&error) =>
            {
                (start, pair_error)
            }
            _ => (pos, error),
        }
    }

    /// Reads the head of an article, paragraph or item at `pos`, if one stands there.
    fn block_head(&mut self, pos: usize) -> Option<BlockHead> {
        let mut pairs = EdictParser::parse(Rule::open_step, &self.source[pos..]).ok()?;
        let pair = pairs.next()?;
        let start = pos + pair.as_span().start();
        let open_end = pos + pair.as_span().end();
        let builder = Builder::new(pos);
        let (kind, number_span, title) = match pair.as_rule() {
            Rule::article_open => {
                let (article, span, title) = builder.build_article_open(pair);
                (BlockKind::Article(article), span, title)
            }
            Rule::paragraph_open => {
                let (number, title) = builder.build_paragraph_open(pair);
                (BlockKind::Paragraph(number.value), number.span, title)
            }
            _ => {
                let (number, title) = builder.build_item_open(pair);
                (BlockKind::Item(number.value), number.span, title)
            }
        };
        self.errors.extend(builder.finish());
        Some(BlockHead {
            kind,
            number_span,
            title,
            start,
            open_end,
        })
    }

    /// Reads the entries of a block whose `{` ends at `pos`, reporting broken entries.
    ///
    /// `item_start` is where the enclosing top-level item starts; error help looks there for
    /// braces left open.
    fn recover_block(&mut self, item_start: usize, mut pos: usize) -> RecoveredBlock {
        // Where the entry that ends at `pos` starts, if one does.
        let mut previous: Option<usize> = None;
        let mut block = RecoveredBlock {
            entries: Vec::new(),
            end: pos,
            resume: pos,
            had_error: false,
            at_top_level: false,
        };
        loop {
            block.resume = pos;
            let error = match EdictParser::parse(Rule::entry_step, &self.source[pos..]) {
                Ok(mut pairs) => {
                    let Some(pair) = pairs.next() else {
                        return block;
                    };
                    let pair_end = pos + pair.as_span().end();
                    let closes = pair.as_rule() == Rule::rbrace;
                    if !closes {
                        let builder = Builder::new(pos);
                        block.entries.push(builder.build_clause_entry(pair));
                        self.errors.extend(builder.finish());
                    }
                    block.end = pair_end;
                    block.resume = pair_end;
                    if pair_end <= pos || closes {
                        return block;
                    }
                    previous = Some(pos);
                    pos = pair_end;
                    continue;
                }
                Err(error) => error,
            };
            // A nested paragraph or item with a good head: recover inside it.
            if let Some(head) = self
                .block_head(pos)
                .filter(|h| !matches!(h.kind, BlockKind::Article(_)))
            {
                let inner = self.recover_block(item_start, head.open_end);
                block.had_error |= inner.had_error;
                block.end = inner.end;
                block
                    .entries
                    .push(head.into_clause(inner.entries, inner.end));
                if inner.at_top_level || inner.resume <= pos {
                    block.resume = inner.resume;
                    block.at_top_level = inner.at_top_level;
                    return block;
                }
                pos = inner.resume;
                previous = None;
                continue;
            }
            block.had_error = true;
            // Nothing at `pos` starts an entry: the text continues the entry before it, which
            // the error cut short (`require x = y`, `message "…` unclosed). That entry is left
            // out, so that what the error hides is not also reported (a missing message, a
            // condition read only up to the `=`).
            let at_start = scan::skip_trivia(self.source, pos) - pos;
            if previous.is_some()
                && message::offset(&error) <= at_start
                && matches!(
                    block.entries.last(),
                    Some(ClauseEntry::Rule(_) | ClauseEntry::Exempt(_))
                )
            {
                block.entries.pop();
            }
            let (base, error) = self.furthest_error(Rule::entry_pair_step, previous, pos, error);
            previous = None;
            self.errors
                .push(message::from_pest(self.source, item_start, base, &error));
            match scan::next_entry(self.source, scan::skip_trivia(self.source, pos)) {
                Restart::Entry(next) | Restart::Close(next) => pos = next,
                Restart::TopLevel(next) => {
                    block.resume = next;
                    block.at_top_level = true;
                    return block;
                }
            }
        }
    }
}
