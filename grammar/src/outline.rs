//! Segmenting a regulation's text (or an outline of it) into articles, paragraphs and items.
//!
//! The text is read in the official Chinese layout:
//!
//! - a line starting with `第七条` or `第7条` begins an article, and the text after the number
//!   on that line is its first paragraph (when the number stands alone, the next line is);
//! - every further non-empty line of the article begins a new paragraph (款), unless it starts
//!   with an item marker such as `（一）`, `(一)` or `（1）`, which makes it an item (项) of the
//!   current paragraph;
//! - `第一章` (chapter) and `第一节` (section) lines only structure the text: they end the
//!   current article but do not count in any numbering;
//! - blank lines, and lines before the first article (the title, a preamble), are ignored.
//!
//! Article numbers need not be contiguous but must increase; item numbers likewise.
//! A [`logos`] lexer splits the text into tokens; the lines are then read one by one.

use logos::Logos;

use edict_runtime::ir::{ArticleRef, ClauseRef};

use crate::ast::Span;
use crate::numeral::clause_number;
use crate::text::Text;
use crate::tr;
use edict_runtime::ir::format_chinese_numeral;

/// A regulation's clause tree.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Outline {
    pub articles: Vec<OutlineArticle>,
}

/// An article (条): from its number to its last line.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct OutlineArticle {
    /// The article's number, or the key of an article whose number is not known, written
    /// `第？条【KEY】`.
    pub article: ArticleRef,
    pub span: Span,
    pub paragraphs: Vec<OutlineParagraph>,
}

/// A paragraph (款) of an article, numbered from 1 in the order written.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct OutlineParagraph {
    pub number: u32,
    pub span: Span,
    pub items: Vec<OutlineItem>,
}

/// An item (项) of a paragraph, numbered as its marker says.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct OutlineItem {
    pub number: u32,
    pub span: Span,
}

/// A problem in the layout of a regulation's text.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct OutlineError {
    pub span: Span,
    /// What is wrong, in English and Chinese.
    pub message: Text,
}

impl Outline {
    /// The article with this number or key.
    pub fn article(&self, article: &ArticleRef) -> Option<&OutlineArticle> {
        self.articles.iter().find(|a| a.article == *article)
    }

    /// The span of the text of a clause: an article, a paragraph or an item (an item without a
    /// paragraph is read in the article's first paragraph).
    pub fn clause_span(&self, clause: &ClauseRef) -> Option<Span> {
        let article = self.article(&clause.article)?;
        let paragraph = match (clause.paragraph, clause.item) {
            (Some(p), _) => Some(article.paragraph(p)?),
            (None, Some(_)) => Some(article.paragraph(1)?),
            (None, None) => None,
        };
        match (paragraph, clause.item) {
            (Some(paragraph), Some(i)) => Some(paragraph.item(i)?.span),
            (Some(paragraph), None) if clause.paragraph.is_some() => Some(paragraph.span),
            _ => Some(article.span),
        }
    }

    /// The highest article number the outline has.
    pub fn last_number(&self) -> Option<u32> {
        self.articles
            .iter()
            .filter_map(|a| a.article.number())
            .max()
    }

    /// The keys of the articles of unknown number.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.articles.iter().filter_map(|a| a.article.key())
    }
}

impl OutlineArticle {
    /// The paragraph with this number.
    pub fn paragraph(&self, number: u32) -> Option<&OutlineParagraph> {
        self.paragraphs.iter().find(|p| p.number == number)
    }
}

impl OutlineParagraph {
    /// The item with this number.
    pub fn item(&self, number: u32) -> Option<&OutlineItem> {
        self.items.iter().find(|i| i.number == number)
    }
}

/// The tokens of a regulation's text.
#[derive(Logos, Clone, Copy, Debug, PartialEq, Eq)]
enum Token {
    /// `第七条`, `第7条`.
    #[regex(r"第[0-9０-９零〇一二两三四五六七八九十百千]+条")]
    Article,
    /// `第？条【key】`: an article whose number is not known, named by a key.
    #[regex(r"第[？?]条([ \t\u{3000}]*【[^】\r\n]*】)?")]
    UnknownArticle,
    /// `第一章`: a chapter heading.
    #[regex(r"第[0-9０-９零〇一二两三四五六七八九十百千]+章")]
    Chapter,
    /// `第一节`: a section heading.
    #[regex(r"第[0-9０-９零〇一二两三四五六七八九十百千]+节")]
    Section,
    /// `（一）`, `(一)`, `（1）`: an item marker.
    #[regex(r"[（(][0-9０-９零〇一二两三四五六七八九十百千]+[）)]")]
    ItemMarker,
    #[regex(r"\r?\n")]
    Newline,
    /// Spaces, tabs and full-width spaces.
    #[regex(r"[ \t\u{3000}]+")]
    Blank,
    /// Any other run of text.
    #[regex(r"[^\n\r \t\u{3000}第（(]+")]
    Text,
    /// A character that begins a marker but does not form one here.
    #[regex(r"[第（(\r]")]
    Lone,
}

/// One line of the text: the kind of its first token and where its content lies.
struct Line {
    first: Token,
    /// The text of the first token.
    first_text: String,
    first_span: Span,
    /// Where the content after the first token starts, if there is any.
    rest_start: Option<u32>,
    /// The end of the line's content, without trailing blanks.
    end: u32,
}

/// Splits regulation text into its clause tree, reporting article and item numbers that do not
/// increase.
pub fn segment(text: &str) -> (Outline, Vec<OutlineError>) {
    let mut reader = OutlineReader::default();
    for line in lines(text) {
        reader.line(line);
    }
    reader.finish()
}

/// Groups the tokens of `text` into its non-blank lines.
fn lines(text: &str) -> Vec<Line> {
    let mut lines = Vec::new();
    let mut current: Option<Line> = None;
    for (token, range) in Token::lexer(text).spanned() {
        // Every character is covered by a token, so errors cannot occur; treat one as text.
        let token = token.unwrap_or(Token::Text);
        let span = Span::new(range.start, range.end);
        match token {
            Token::Newline => lines.extend(current.take()),
            Token::Blank => {}
            _ => match &mut current {
                None => {
                    current = Some(Line {
                        first: token,
                        first_text: text[range].to_owned(),
                        first_span: span,
                        rest_start: None,
                        end: span.end,
                    });
                }
                Some(line) => {
                    if token == Token::Lone && &text[range] == "\r" {
                        continue;
                    }
                    line.rest_start.get_or_insert(span.start);
                    line.end = span.end;
                }
            },
        }
    }
    lines.extend(current);
    lines
}

/// The state of reading an outline line by line.
#[derive(Default)]
struct OutlineReader {
    outline: Outline,
    errors: Vec<OutlineError>,
    /// Whether lines currently belong to the last article (not to a chapter heading, the
    /// preamble, or a rejected article).
    in_article: bool,
}

impl OutlineReader {
    fn line(&mut self, line: Line) {
        match line.first {
            Token::Article => self.article(&line),
            Token::UnknownArticle => self.unknown_article(&line),
            Token::Chapter | Token::Section => self.in_article = false,
            Token::ItemMarker if self.in_article => self.item(&line),
            _ if self.in_article => {
                self.paragraph(line.first_span.start, line.end);
            }
            _ => {}
        }
    }

    fn article(&mut self, line: &Line) {
        self.in_article = false;
        let digits = line
            .first_text
            .trim_start_matches('第')
            .trim_end_matches('条');
        let Ok(number) = clause_number(digits) else {
            let text = &line.first_text;
            self.error(
                line.first_span,
                tr!("`{text}` is not an article number", "`{text}`不是条的编号"),
            );
            return;
        };
        let previous = self
            .outline
            .articles
            .iter()
            .rev()
            .find_map(|a| a.article.number());
        if let Some(previous) = previous
            && number <= previous
        {
            let (zh_number, zh_previous) = (
                format_chinese_numeral(number),
                format_chinese_numeral(previous),
            );
            let message = if number == previous {
                tr!(
                    "article {number} appears twice",
                    "第{zh_number}条出现了两次"
                )
            } else {
                tr!(
                    "article {number} comes after article {previous}: article numbers must increase",
                    "第{zh_number}条排在第{zh_previous}条之后：条的编号必须递增"
                )
            };
            self.error(line.first_span, message);
            return;
        }
        self.push_article(line, ArticleRef::Number(number));
    }

    /// `第？条【key】`: an article of unknown number, placed in the order written.
    fn unknown_article(&mut self, line: &Line) {
        self.in_article = false;
        let key = line
            .first_text
            .split_once('【')
            .map(|(_, rest)| rest.trim_end_matches('】').trim().to_owned())
            .filter(|k| !k.is_empty());
        let Some(key) = key else {
            let text = &line.first_text;
            self.error(
                line.first_span,
                tr!(
                    "`{text}` needs a key naming the article: write `第？条【key】`",
                    "`{text}`需要一个指明该条的键：写作`第？条【键】`"
                ),
            );
            return;
        };
        let article = ArticleRef::Key(key);
        if self.outline.article(&article).is_some() {
            let (name, key) = (article_name(&article), article.key().unwrap_or_default());
            self.error(
                line.first_span,
                tr!("article {name} appears twice", "第？条【{key}】出现了两次"),
            );
            return;
        }
        self.push_article(line, article);
    }

    fn push_article(&mut self, line: &Line, article: ArticleRef) {
        self.outline.articles.push(OutlineArticle {
            article,
            span: Span::new(line.first_span.start as usize, line.end as usize),
            paragraphs: Vec::new(),
        });
        self.in_article = true;
        if let Some(start) = line.rest_start {
            self.paragraph(start, line.end);
        }
    }

    /// Begins a new paragraph of the current article.
    fn paragraph(&mut self, start: u32, end: u32) {
        let Some(article) = self.outline.articles.last_mut() else {
            return;
        };
        let number = u32::try_from(article.paragraphs.len()).unwrap_or(u32::MAX - 1) + 1;
        let span = Span { start, end };
        article.paragraphs.push(OutlineParagraph {
            number,
            span,
            items: Vec::new(),
        });
        article.span = article.span.to(span);
    }

    fn item(&mut self, line: &Line) {
        let marker = line
            .first_text
            .trim_start_matches(['（', '('])
            .trim_end_matches(['）', ')']);
        let Ok(number) = clause_number(marker) else {
            let text = &line.first_text;
            self.error(
                line.first_span,
                tr!("`{text}` is not an item number", "`{text}`不是项的编号"),
            );
            return;
        };
        let Some(article) = self.outline.articles.last_mut() else {
            return;
        };
        let span = Span {
            start: line.first_span.start,
            end: line.end,
        };
        if article.paragraphs.is_empty() {
            // An article whose number stands alone on its line, followed directly by items.
            article.paragraphs.push(OutlineParagraph {
                number: 1,
                span,
                items: Vec::new(),
            });
        }
        let article_name = article_name(&article.article);
        let Some(paragraph) = article.paragraphs.last_mut() else {
            return;
        };
        if let Some(previous) = paragraph.items.last().map(|i| i.number)
            && number <= previous
        {
            let paragraph_number = paragraph.number;
            let message = if number == previous {
                tr!(
                    "item {number} appears twice in article {article_name} paragraph {paragraph_number}",
                    "第{article_name}条第{paragraph_number}款中第{number}项出现了两次"
                )
            } else {
                tr!(
                    "item {number} comes after item {previous} in article {article_name} paragraph {paragraph_number}: item numbers must increase",
                    "第{article_name}条第{paragraph_number}款中第{number}项排在第{previous}项之后：项的编号必须递增"
                )
            };
            self.error(line.first_span, message);
            return;
        }
        paragraph.items.push(OutlineItem { number, span });
        paragraph.span = paragraph.span.to(span);
        article.span = article.span.to(span);
    }

    fn error(&mut self, span: Span, message: Text) {
        // The outline's own words are echoed: never a raw control character.
        let message = message.printable();
        self.errors.push(OutlineError { span, message });
    }

    fn finish(self) -> (Outline, Vec<OutlineError>) {
        (self.outline, self.errors)
    }
}

/// An article as the segmenter's messages name it: `7`, or `【key】`.
fn article_name(article: &ArticleRef) -> String {
    match article {
        ArticleRef::Number(n) => n.to_string(),
        ArticleRef::Key(key) => format!("【{key}】"),
    }
}
