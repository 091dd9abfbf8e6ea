//! The syntax tree of an Edict source file.
//!
//! English and Chinese keywords produce the same tree: nothing here records which were used.
//! Every node that a diagnostic may point at carries a [`Span`] of byte offsets into its file.

use std::fmt;

pub use edict_runtime::ir::ArticleRef;

mod spans;
pub mod walk;

pub use spans::Spanned;

/// How deeply operators may nest in one expression (`not`, comparisons, `in`, `.field`,
/// `has(…)`, set literals, and a chain of `and` or `or` inside another); a deeper expression is
/// a syntax error. A chain of `and` or `or` counts once however long it is.
pub const MAX_EXPR_DEPTH: usize = 32;

/// A half-open range of byte offsets into one source file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Span {
        Span {
            start: u32::try_from(start).unwrap_or(u32::MAX),
            end: u32::try_from(end).unwrap_or(u32::MAX),
        }
    }

    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        Span {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
}

/// A name written by the user, with where it was written.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

impl fmt::Display for Ident {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

/// A string literal, already unescaped.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct StrLit {
    pub value: String,
    pub span: Span,
}

/// A whole source file: its top-level items in source order.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct File {
    pub items: Vec<Item>,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[expect(
    clippy::large_enum_variant,
    reason = "a file holds a handful of items; boxing would only add noise to every pattern"
)]
pub enum Item {
    Regulation(Regulation),
    Vocabulary(Vocabulary),
    Article(Article),
    Const(ConstDecl),
    State(StateDecl),
    Calendar(Calendar),
    /// A rule, exemption or `not_checkable` written outside any article: always an error,
    /// kept in the tree so the compiler can say so at the right place.
    Stray(ClauseEntry),
}

impl Item {
    /// Where the item is written.
    pub fn span(&self) -> Span {
        match self {
            Item::Regulation(x) => x.span,
            Item::Vocabulary(x) => x.span,
            Item::Article(x) => x.span,
            Item::Const(x) => x.span,
            Item::State(x) => x.span,
            Item::Calendar(x) => x.span,
            Item::Stray(entry) => entry.span(),
        }
    }
}

impl ClauseEntry {
    /// Where the entry is written.
    pub fn span(&self) -> Span {
        match self {
            ClauseEntry::Paragraph(x) | ClauseEntry::Item(x) => x.span,
            ClauseEntry::Rule(x) => x.span,
            ClauseEntry::Exempt(x) => x.span,
            ClauseEntry::NotCheckable(x) => x.span,
        }
    }
}

/// `regulation ID { title "…" title_en "…" effective DATE timezone "…" calendar "…" outline "…" use vocabulary NAME from "…" }`
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Regulation {
    pub id: Ident,
    pub fields: Vec<HeaderField>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum HeaderField {
    Title(StrLit),
    TitleEn(StrLit),
    Effective(DateLit),
    Timezone(StrLit),
    Outline(StrLit),
    UseVocabulary {
        name: Ident,
        path: StrLit,
    },
    /// `calendar "NAME"`: the built-in working-day calendar.
    Calendar(StrLit),
}

/// A calendar date `YYYY-MM-DD` as written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct DateLit {
    pub year: i32,
    pub month: u8,
    pub day: u8,
    pub span: Span,
}

/// `YYYY-MM-DD`.
impl fmt::Display for DateLit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// `vocabulary NAME [extends BASE from "PATH"] { enum … record … event … common { … } }`
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Vocabulary {
    pub name: Ident,
    /// `extends BASE from "PATH"`: the vocabulary adds to another one.
    pub extends: Option<Extends>,
    pub decls: Vec<VocabDecl>,
    pub span: Span,
}

/// `extends BASE from "PATH"` (扩展 BASE 来自 "PATH"): the base vocabulary and its file,
/// relative to the extending file.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Extends {
    pub base: Ident,
    pub path: StrLit,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum VocabDecl {
    /// `enum NAME { a, b, c }`
    Enum { name: Ident, values: Vec<Ident> },
    /// `record NAME { field: type, … }`
    Record { name: Ident, fields: Vec<FieldDecl> },
    /// `event NAME [open] { field: type, … }`
    Event {
        name: Ident,
        open: bool,
        fields: Vec<FieldDecl>,
    },
    /// `common { field: type, … }`: fields every event type carries.
    Common { fields: Vec<FieldDecl>, span: Span },
    /// `roles { party: FIELD … }`: the fields findings report in each role.
    Roles { roles: Vec<RoleEntry>, span: Span },
    /// `partition by FIELD`: the field that partitions the stream.
    Partition { field: Ident, span: Span },
}

/// `party: processor`: the role and the field that fills it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RoleEntry {
    pub role: Ident,
    pub field: Ident,
}

/// `name: type`, `name?: type` (optional) or `name?: type = literal` (absent means the default).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct FieldDecl {
    pub name: Ident,
    pub optional: bool,
    pub ty: TypeExpr,
    /// `>= N` and `<= N` after the type, in the order written.
    pub bounds: Vec<FieldBound>,
    pub default: Option<Expr>,
}

/// `>= N` or `<= N`: a bound on an integer field's values.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct FieldBound {
    /// `true` for `>=` (the least value), `false` for `<=` (the greatest).
    pub at_least: bool,
    pub value: i64,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum TypeExpr {
    /// `bool`, `int`, `string`, `date`, `time`, `duration`, or an enum/record name.
    Named(Ident),
    /// `list of T`
    List(Box<TypeExpr>, Span),
    /// `set of T`
    Set(Box<TypeExpr>, Span),
}

impl TypeExpr {
    pub fn span(&self) -> Span {
        match self {
            TypeExpr::Named(id) => id.span,
            TypeExpr::List(_, s) | TypeExpr::Set(_, s) => *s,
        }
    }
}

/// A clause number as written: `article 7`, `第七条`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Number {
    pub value: u32,
    pub span: Span,
}

/// `article N ["title"] { … }` (第N条), or `article ? KEY ["title"] { … }` (第？条【KEY】) when
/// the number is not known.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Article {
    /// The article: its number, or the key of an article whose number is not known.
    pub article: ArticleRef,
    /// Where the number (or `? KEY`) is written.
    pub number_span: Span,
    pub title: Option<StrLit>,
    pub body: Vec<ClauseEntry>,
    pub span: Span,
}

/// What may stand inside an article, paragraph or item.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[expect(
    clippy::large_enum_variant,
    reason = "entries are few per clause; boxing would only add noise to every pattern"
)]
pub enum ClauseEntry {
    /// `paragraph N ["title"] { … }` (第N款)
    Paragraph(SubClause),
    /// `item N ["title"] { … }` (第N项)
    Item(SubClause),
    Rule(Rule),
    Exempt(Exempt),
    /// `not_checkable "reason"`: no event can show whether this clause is followed.
    NotCheckable(StrLit),
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SubClause {
    pub number: Number,
    pub title: Option<StrLit>,
    pub body: Vec<ClauseEntry>,
    pub span: Span,
}

/// `exempt any event e when COND` or `exempt EVENT e when COND`: events matching are outside
/// the regulation's scope; they are not judged and do not change state.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Exempt {
    /// `None` for `any event`.
    pub event: Option<Ident>,
    pub binding: Ident,
    pub condition: Expr,
    pub span: Span,
}

/// `rule NAME: on … [when …] (require|prohibit) … [unless …] [message …] [message_zh …] [cites …]…`
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Rule {
    pub name: Ident,
    pub trigger: Option<Trigger>,
    pub when: Option<Expr>,
    pub body: RuleBody,
    pub unless: Option<Expr>,
    pub message: Option<StrLit>,
    pub message_zh: Option<StrLit>,
    /// `cites "…"`: further sources the rule implements.
    pub cites: Vec<StrLit>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Trigger {
    /// `on EVENT e`
    Event { event: Ident, binding: Ident },
    /// `on size(STATE[k]) reaches N`: fires once for key `k` when the state's size crosses N upward.
    /// With `before effective`, fires instead for each key already at N when the regulation took
    /// effect.
    Reaches {
        state: Ident,
        key: Ident,
        threshold: Expr,
        before_effective: bool,
        span: Span,
    },
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum RuleBody {
    /// `require COND` (应当): the condition must hold.
    Require(Expr),
    /// `prohibit COND` (不得): the condition must not hold.
    Prohibit(Expr),
    /// `require once EVENT x where COND before [reset by EVENT y where COND]…`:
    /// some earlier event must match, and no later reset may have cancelled it.
    /// `prohibit once …` is the negation.
    Once(OnceRequirement),
    /// `require EVENT x where COND within DURATION [after VAR]` or `… by DATE`:
    /// a matching event must follow before the deadline.
    Deadline(DeadlineRequirement),
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct EventPattern {
    pub event: Ident,
    pub binding: Ident,
    pub condition: Option<Expr>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct OnceRequirement {
    /// `prohibit once …`: no such earlier event may exist.
    pub forbid: bool,
    pub pattern: EventPattern,
    /// `within DURATION before`: the earlier event must be no older than this.
    pub within: Option<Duration>,
    pub resets: Vec<EventPattern>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct DeadlineRequirement {
    pub pattern: EventPattern,
    pub deadline: Deadline,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Deadline {
    /// `within DURATION [after VAR]`; without `after`, the period runs from the rule's trigger.
    Within {
        duration: Duration,
        after: Option<Ident>,
    },
    /// `by DATE`: a fixed date, the end of that day in the regulation's time zone.
    By(DateLit),
}

/// `N days`, `N working days`, `N years`; `N` may be any integer expression.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Duration {
    pub amount: Expr,
    pub unit: DurationUnit,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DurationUnit {
    Days,
    WorkingDays,
    Years,
}

/// `const NAME = EXPR` (常量).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ConstDecl {
    pub name: Ident,
    pub value: Expr,
    pub span: Span,
}

/// `state NAME: set of FIELD per KEY { on EVENT e: add EXPR … }` or
/// `state NAME: counter per KEY { on EVENT e: increment … }`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct StateDecl {
    pub name: Ident,
    pub kind: StateKind,
    /// The field of each updating event that names the key (e.g. `processor`).
    pub key: Ident,
    pub updates: Vec<StateUpdate>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum StateKind {
    /// `set of FIELD`: the element is this field of the updating events.
    Set {
        element: Ident,
    },
    Counter,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct StateUpdate {
    pub event: Ident,
    pub binding: Ident,
    pub op: StateOp,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum StateOp {
    Add(Expr),
    Remove(Expr),
    Increment,
    Decrement,
}

/// `calendar { holiday DATE … workday DATE … }`: additions to the working-day calendar.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Calendar {
    pub entries: Vec<CalendarEntry>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum CalendarEntry {
    /// A day off that would otherwise be a working day.
    Holiday(DateLit),
    /// A working day that would otherwise be a day off (an adjusted weekend).
    Workday(DateLit),
}

/// An expression. The parser never builds one nested more than [`MAX_EXPR_DEPTH`] deep, so
/// walking it recursively is safe.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ExprKind {
    Bool(bool),
    Int(i64),
    Str(String),
    Date(DateLit),
    /// A bare name: a bound event variable, a constant, or an enum value.
    Name(Ident),
    /// `base.field`
    Field(Box<Expr>, Ident),
    /// `has(path)` (有): the optional field is present.
    Has(Box<Expr>),
    /// `{a, b, c}`
    Set(Vec<Expr>),
    /// `[a, b, c]`
    List(Vec<Expr>),
    /// `30 days`, `2 hours`, `15 minutes`: an elapsed time.
    Duration(i64, TimeUnit),
    /// `once EVENT x [where COND] [within D] before [reset by …]…` as a condition (`forbid` is
    /// always false here: write `not once …`).
    Once(Box<OnceRequirement>),
    Unary(UnaryOp, Box<Expr>),
    /// A comparison or `in`.
    Binary(BinaryOp, Box<Expr>, Box<Expr>),
    /// `a and b and c` or `a or b or c`: two or more conditions joined by one connective, in
    /// the order written. A chain is one node however long it is, so nothing that walks a tree
    /// recurses once per operand. A chain written in parentheses inside another chain of the
    /// same connective stays a separate node.
    Logic(LogicOp, Vec<Expr>),
    /// An expression the parser refused (nested too deeply, too many `not`); the error is
    /// reported, and the compiler accepts it anywhere without a further diagnostic.
    Error,
}

/// The unit of a duration literal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TimeUnit {
    Days,
    Hours,
    Minutes,
}

impl TimeUnit {
    /// Seconds in one unit.
    pub fn seconds(self) -> i64 {
        match self {
            TimeUnit::Days => 86_400,
            TimeUnit::Hours => 3_600,
            TimeUnit::Minutes => 60,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UnaryOp {
    Not,
}

/// The connectives of [`ExprKind::Logic`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LogicOp {
    And,
    Or,
}

impl LogicOp {
    pub fn symbol(self) -> &'static str {
        match self {
            LogicOp::And => "and",
            LogicOp::Or => "or",
        }
    }
}

/// The operators of [`ExprKind::Binary`]: comparisons and `in`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinaryOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    /// `x in S`: membership of a value in a set or list.
    In,
    /// `a + b`
    Add,
    /// `a - b`
    Sub,
    /// `a * b`
    Mul,
    /// `a / b`: integer division, rounded towards zero.
    Div,
    /// `a % b`: the remainder of that division.
    Rem,
}

impl BinaryOp {
    pub fn symbol(self) -> &'static str {
        match self {
            BinaryOp::Eq => "==",
            BinaryOp::Ne => "!=",
            BinaryOp::Lt => "<",
            BinaryOp::Le => "<=",
            BinaryOp::Gt => ">",
            BinaryOp::Ge => ">=",
            BinaryOp::In => "in",
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
            BinaryOp::Rem => "%",
        }
    }

    /// Whether the operator computes a number (`+ - * / %`) rather than a condition.
    pub fn is_arithmetic(self) -> bool {
        matches!(
            self,
            BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Div | BinaryOp::Rem
        )
    }
}
