//! From pest pairs to the syntax tree: one `build_<rule>` function per grammar rule.
//!
//! The grammar has already accepted the input, so the shape of the pairs is known; what can
//! still be wrong is checked here and reported as an error: dates that do not exist, numbers
//! too large, Chinese numerals that are not numerals, escapes that name no character, and
//! chained comparisons.

use std::cell::{Cell, RefCell};
use std::sync::LazyLock;

use pest::iterators::{Pair, Pairs};
use pest::pratt_parser::{Assoc, Op, PrattParser};

use super::ParseError;
use super::grammar::Rule;
use crate::ast::*;
use crate::numeral;
use crate::text::Text;
use crate::tr;

mod expr;
mod rules;
mod vocab;

/// Longest run of `not` in a row that is read; longer runs are reported instead of recursing
/// (pest's Pratt parser recurses once per prefix operator).
const MAX_PREFIX_RUN: usize = MAX_EXPR_DEPTH;

/// How deeply `list of` and `set of` may nest in a field's type.
const MAX_TYPE_DEPTH: usize = 8;

/// The operator table, loosest first: `or`, `and`, prefix `not`, comparisons and `in`, `+` and
/// `-`, `*` `/` and `%`, `.field`.
static PRATT: LazyLock<PrattParser<Rule>> = LazyLock::new(|| {
    PrattParser::new()
        .op(Op::infix(Rule::kw_or, Assoc::Left))
        .op(Op::infix(Rule::kw_and, Assoc::Left))
        .op(Op::prefix(Rule::kw_not))
        .op(Op::infix(Rule::eq, Assoc::Left)
            | Op::infix(Rule::ne, Assoc::Left)
            | Op::infix(Rule::lt, Assoc::Left)
            | Op::infix(Rule::le, Assoc::Left)
            | Op::infix(Rule::gt, Assoc::Left)
            | Op::infix(Rule::ge, Assoc::Left)
            | Op::infix(Rule::kw_in, Assoc::Left))
        .op(Op::infix(Rule::plus, Assoc::Left) | Op::infix(Rule::minus, Assoc::Left))
        .op(Op::infix(Rule::star, Assoc::Left)
            | Op::infix(Rule::slash, Assoc::Left)
            | Op::infix(Rule::percent, Assoc::Left))
        .op(Op::postfix(Rule::field_access))
});

/// Builds the tree for pairs parsed from `source[base..]`, collecting the errors it finds.
pub(super) struct Builder {
    /// The offset of the parsed text in the whole file: added to every span.
    base: usize,
    errors: RefCell<Vec<ParseError>>,
    /// Whether an expression nested too deeply was reported: one report per item is enough.
    too_deep: Cell<bool>,
    /// Whether chained comparisons were reported.
    chained: Cell<bool>,
}

/// An expression while operators are resolved: whether it was written in parentheses decides
/// whether a comparison may stand on either side of another, and whether a chain of `and` or
/// `or` continues it.
struct Operand {
    expr: Expr,
    grouped: bool,
    /// How deeply its operators nest (a name or literal is 1).
    depth: usize,
}

impl Operand {
    /// A name or literal.
    fn leaf(kind: ExprKind, span: Span) -> Operand {
        Operand {
            expr: Expr { kind, span },
            grouped: false,
            depth: 1,
        }
    }
}

/// The meaningful children of a pair: keywords that only mark a place and punctuation are
/// skipped, so builders can take children in order.
struct Children<'i> {
    inner: Pairs<'i, Rule>,
    peeked: Option<Pair<'i, Rule>>,
}

impl<'i> Children<'i> {
    fn of(pair: Pair<'i, Rule>) -> Children<'i> {
        Children {
            inner: pair.into_inner(),
            peeked: None,
        }
    }

    fn peek_rule(&mut self) -> Option<Rule> {
        if self.peeked.is_none() {
            self.peeked = self.inner.find(|p| !is_marker(p.as_rule()));
        }
        self.peeked.as_ref().map(Pair::as_rule)
    }

    fn next_opt(&mut self) -> Option<Pair<'i, Rule>> {
        self.peek_rule();
        self.peeked.take()
    }

    /// The next child, which the grammar guarantees.
    #[expect(
        clippy::expect_used,
        reason = "the grammar guarantees the child; a missing one is a bug in this file"
    )]
    fn next(&mut self) -> Pair<'i, Rule> {
        self.next_opt().expect("the grammar guarantees this child")
    }

    /// The next child if it is of the given rule.
    fn next_if(&mut self, rule: Rule) -> Option<Pair<'i, Rule>> {
        if self.peek_rule() == Some(rule) {
            self.peeked.take()
        } else {
            None
        }
    }
}

/// Whether a rule only marks a place (a keyword or punctuation) and carries nothing to build.
fn is_marker(rule: Rule) -> bool {
    use Rule::*;
    matches!(
        rule,
        lbrace
            | rbrace
            | lparen
            | rparen
            | lbracket
            | rbracket
            | colon
            | comma
            | dot
            | assign
            | kw_regulation
            | kw_title
            | kw_title_en
            | kw_effective
            | kw_timezone
            | kw_outline
            | kw_use_vocabulary
            | kw_from
            | kw_extends
            | kw_vocabulary
            | kw_common
            | kw_roles
            | kw_partition_by
            | kw_enum
            | kw_record
            | kw_event
            | kw_list_of
            | kw_set_of
            | kw_article
            | kw_paragraph
            | kw_item
            | kw_not_checkable
            | kw_rule
            | kw_on
            | kw_when
            | kw_require
            | kw_prohibit
            | kw_unless
            | kw_message
            | kw_message_zh
            | kw_cites
            | kw_exempt
            | kw_has
            | kw_const
            | kw_once
            | kw_before
            | kw_where
            | kw_reset_by
            | kw_within
            | kw_within_zh
            | kw_after
            | kw_since_zh
            | kw_after_zh
            | kw_by
            | kw_state
            | kw_per
            | kw_add
            | kw_remove
            | kw_size
            | kw_reaches
            | kw_calendar
            | kw_holiday
            | kw_workday
    )
}

/// Where a pair's text really ends: pest counts blanks and comments after a rule's last token
/// into the rule, so the end is taken from its last token instead.
fn content_end(pair: &Pair<'_, Rule>) -> usize {
    let atomic = matches!(
        pair.as_rule(),
        Rule::string | Rule::zh_article | Rule::zh_paragraph | Rule::zh_item
    );
    if atomic {
        return pair.as_span().end();
    }
    match pair.clone().into_inner().last() {
        Some(last) => content_end(&last),
        None => pair.as_span().end(),
    }
}

impl Builder {
    pub(super) fn new(base: usize) -> Builder {
        Builder {
            base,
            errors: RefCell::new(Vec::new()),
            too_deep: Cell::new(false),
            chained: Cell::new(false),
        }
    }

    /// The errors found while building.
    pub(super) fn finish(self) -> Vec<ParseError> {
        self.errors.into_inner()
    }

    fn error(&self, span: Span, message: Text, help: Option<Text>) {
        self.errors.borrow_mut().push(ParseError {
            span,
            message,
            help,
        });
    }

    /// The span of a pair's text in the whole file, without trailing blanks and comments.
    fn span(&self, pair: &Pair<'_, Rule>) -> Span {
        Span::new(
            self.base + pair.as_span().start(),
            self.base + content_end(pair),
        )
    }

    // -----------------------------------------------------------------------------------------
    // Items

    /// Builds a top-level item.
    pub(super) fn build_top_item(&self, pair: Pair<'_, Rule>) -> Item {
        match pair.as_rule() {
            Rule::regulation => Item::Regulation(self.build_regulation(pair)),
            Rule::vocabulary => Item::Vocabulary(self.build_vocabulary(pair)),
            Rule::article => Item::Article(self.build_article(pair)),
            Rule::const_decl => Item::Const(self.build_const_decl(pair)),
            Rule::state_decl => Item::State(self.build_state_decl(pair)),
            Rule::calendar => Item::Calendar(self.build_calendar(pair)),
            _ => Item::Stray(self.build_stray(pair)),
        }
    }

    fn build_stray(&self, pair: Pair<'_, Rule>) -> ClauseEntry {
        self.build_clause_entry(Children::of(pair).next())
    }

    fn build_regulation(&self, pair: Pair<'_, Rule>) -> Regulation {
        let span = self.span(&pair);
        let mut children = Children::of(pair);
        let id = self.build_ident(children.next());
        let mut fields = Vec::new();
        while let Some(field) = children.next_opt() {
            fields.push(self.build_header_field(field));
        }
        Regulation { id, fields, span }
    }

    fn build_header_field(&self, pair: Pair<'_, Rule>) -> HeaderField {
        let rule = pair.as_rule();
        let mut children = Children::of(pair);
        match rule {
            Rule::title_field => HeaderField::Title(self.build_string(children.next())),
            Rule::title_en_field => HeaderField::TitleEn(self.build_string(children.next())),
            Rule::effective_field => HeaderField::Effective(self.build_date(children.next())),
            Rule::timezone_field => HeaderField::Timezone(self.build_string(children.next())),
            Rule::outline_field => HeaderField::Outline(self.build_string(children.next())),
            Rule::calendar_field => HeaderField::Calendar(self.build_string(children.next())),
            _ => {
                let name = self.build_ident(children.next());
                let path = self.build_string(children.next());
                HeaderField::UseVocabulary { name, path }
            }
        }
    }

    // -----------------------------------------------------------------------------------------
    // Clause structure

    fn build_article(&self, pair: Pair<'_, Rule>) -> Article {
        let span = self.span(&pair);
        let mut children = Children::of(pair);
        let (article, number_span, title) = self.build_article_open(children.next());
        let body = self.build_clause_body(children);
        Article {
            article,
            number_span,
            title,
            body,
            span,
        }
    }

    /// Builds `article N "title" {` into the article (by number, or by key when its number is
    /// not known), where its number is written, and the title.
    pub(super) fn build_article_open(
        &self,
        pair: Pair<'_, Rule>,
    ) -> (ArticleRef, Span, Option<StrLit>) {
        let mut children = Children::of(pair.clone());
        let head = children.next();
        let unknown = Children::of(head.clone()).next_if(Rule::unknown_article);
        match unknown {
            Some(unknown) => {
                let span = self.span(&head);
                // The grammar requires the key, so it is missing only in a tree built after an error.
                let key = unknown
                    .into_inner()
                    .find(|p| p.as_rule() == Rule::ident)
                    .map(|k| k.as_str().to_owned())
                    .unwrap_or_default();
                let title = children.next_if(Rule::string).map(|p| self.build_string(p));
                (ArticleRef::Key(key), span, title)
            }
            None => {
                let (number, title) = self.build_clause_open(pair, "an article", "条");
                (ArticleRef::Number(number.value), number.span, title)
            }
        }
    }

    /// Builds `paragraph N "title" {` into the number and the title.
    pub(super) fn build_paragraph_open(&self, pair: Pair<'_, Rule>) -> (Number, Option<StrLit>) {
        self.build_clause_open(pair, "a paragraph", "款")
    }

    /// Builds `item N "title" {` into the number and the title.
    pub(super) fn build_item_open(&self, pair: Pair<'_, Rule>) -> (Number, Option<StrLit>) {
        self.build_clause_open(pair, "an item", "项")
    }

    /// Builds the head of an article, paragraph or item; `keyword` ("an article") and `suffix`
    /// (`条`) name the clause in errors.
    fn build_clause_open(
        &self,
        pair: Pair<'_, Rule>,
        keyword: &str,
        suffix: &str,
    ) -> (Number, Option<StrLit>) {
        let mut children = Children::of(pair);
        let number = self.build_clause_number(children.next(), keyword, suffix);
        let title = children.next_if(Rule::string).map(|p| self.build_string(p));
        (number, title)
    }

    /// Builds `article 7`, `第七条` and their paragraph and item forms into a [`Number`] whose
    /// span covers the whole number as written.
    fn build_clause_number(&self, pair: Pair<'_, Rule>, keyword: &str, suffix: &str) -> Number {
        let span = self.span(&pair);
        let digits = Children::of(pair).next();
        let value = match digits.as_rule() {
            Rule::int => self.build_clause_int(digits, keyword),
            _ => self.build_zh_number(Children::of(digits).next(), keyword, suffix),
        };
        Number { value, span }
    }

    /// Builds the Arabic number of `article 7`.
    fn build_clause_int(&self, pair: Pair<'_, Rule>, keyword: &str) -> u32 {
        let span = self.span(&pair);
        let text: String = pair.as_str().chars().filter(|&c| c != '_').collect();
        match text.parse::<u32>() {
            Ok(value) => self.clause_not_zero(value, span, keyword),
            Err(_) => {
                let text = pair.as_str();
                let max = u32::MAX;
                self.error(
                    span,
                    tr!(
                        "`{text}` is too large for {keyword} number",
                        "`{text}`作为编号太大了"
                    ),
                    Some(tr!("clause numbers go up to {max}", "条款编号最大为{max}")),
                );
                0
            }
        }
    }

    /// Builds the number inside `第…条`, written in Arabic digits or Chinese numerals.
    fn build_zh_number(&self, pair: Pair<'_, Rule>, keyword: &str, suffix: &str) -> u32 {
        let text = pair.as_str();
        let span = self.span(&pair);
        match numeral::clause_number(text) {
            Ok(value) => self.clause_not_zero(value, span, keyword),
            Err(numeral::NumeralError::TooLarge) => {
                let max = u32::MAX;
                self.error(
                    span,
                    tr!(
                        "`{text}` is too large for {keyword} number",
                        "`{text}`作为编号太大了"
                    ),
                    Some(tr!("clause numbers go up to {max}", "条款编号最大为{max}")),
                );
                0
            }
            Err(numeral::NumeralError::Malformed(reason, reason_zh)) => {
                self.error(
                    span,
                    tr!(
                        "`{text}` is not a chinese numeral: {reason}",
                        "`{text}`不是中文数字：{reason_zh}"
                    ),
                    Some(tr!(
                        "write the number as in `第十五{suffix}`, `第一百零一{suffix}` or `第15{suffix}`",
                        "编号写作`第十五{suffix}`、`第一百零一{suffix}`或`第15{suffix}`"
                    )),
                );
                0
            }
        }
    }

    /// Reports a clause numbered 0: clauses are numbered from 1 (and 0 stands for a number
    /// that could not be read).
    fn clause_not_zero(&self, value: u32, span: Span, keyword: &str) -> u32 {
        if value == 0 {
            let what = keyword.split(' ').nth(1).unwrap_or(keyword);
            self.error(
                span,
                tr!(
                    "there is no {what} 0: clauses are numbered from 1",
                    "没有编号为 0 的条款：条款从 1 开始编号"
                ),
                None,
            );
        }
        value
    }

    /// Builds the remaining children, all clause entries.
    fn build_clause_body(&self, mut children: Children<'_>) -> Vec<ClauseEntry> {
        let mut body = Vec::new();
        while let Some(entry) = children.next_opt() {
            body.push(self.build_clause_entry(entry));
        }
        body
    }

    /// Builds what stands inside an article, paragraph or item.
    pub(super) fn build_clause_entry(&self, pair: Pair<'_, Rule>) -> ClauseEntry {
        match pair.as_rule() {
            Rule::paragraph => ClauseEntry::Paragraph(self.build_paragraph(pair)),
            Rule::item => ClauseEntry::Item(self.build_item(pair)),
            Rule::rule_decl => ClauseEntry::Rule(self.build_rule_decl(pair)),
            Rule::exempt => ClauseEntry::Exempt(self.build_exempt(pair)),
            _ => ClauseEntry::NotCheckable(self.build_not_checkable(pair)),
        }
    }

    fn build_paragraph(&self, pair: Pair<'_, Rule>) -> SubClause {
        let span = self.span(&pair);
        let mut children = Children::of(pair);
        let (number, title) = self.build_paragraph_open(children.next());
        let body = self.build_clause_body(children);
        SubClause {
            number,
            title,
            body,
            span,
        }
    }

    fn build_item(&self, pair: Pair<'_, Rule>) -> SubClause {
        let span = self.span(&pair);
        let mut children = Children::of(pair);
        let (number, title) = self.build_item_open(children.next());
        let body = self.build_clause_body(children);
        SubClause {
            number,
            title,
            body,
            span,
        }
    }

    fn build_not_checkable(&self, pair: Pair<'_, Rule>) -> StrLit {
        self.build_string(Children::of(pair).next())
    }

    fn build_exempt(&self, pair: Pair<'_, Rule>) -> Exempt {
        let span = self.span(&pair);
        let mut children = Children::of(pair);
        let event = children.next();
        let event = match event.as_rule() {
            Rule::kw_any_event => None,
            _ => Some(self.build_ident(event)),
        };
        let binding = self.build_ident(children.next());
        let condition = self.build_expr(children.next());
        Exempt {
            event,
            binding,
            condition,
            span,
        }
    }
}

/// The value a grammar invariant guarantees.
#[expect(
    clippy::expect_used,
    reason = "the grammar guarantees the value; a missing one is a bug in this file"
)]
fn required<T>(value: Option<T>) -> T {
    value.expect("the grammar guarantees this value")
}

/// Whether an operand is a comparison (or `in`) written without parentheses.
fn is_comparison_expr(operand: &Operand) -> bool {
    !operand.grouped
        && matches!(&operand.expr.kind, ExprKind::Binary(op, ..) if !op.is_arithmetic())
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => {
            29
        }
        2 => 28,
        _ => 31,
    }
}
