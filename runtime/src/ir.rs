//! The compiled program: what a bundle carries and what the runtime interprets.
//!
//! Everything is resolved to indices: event types, fields, enum values, clauses and states are
//! numbers into the tables of [`Program`], so evaluation never looks a name up.
//! Names are kept beside the numbers only to report findings and to pretty-print.

use serde::{Deserialize, Serialize};

mod clause;

pub use clause::{ArticleRef, ClauseRef, RuleId, RuleIdError, RulePattern, format_chinese_numeral};

/// Index of an event type in [`Vocabulary::events`].
pub type EventId = u32;
/// Index of an enum in [`Vocabulary::enums`].
pub type EnumId = u32;
/// Index of a record in [`Vocabulary::records`].
pub type RecordId = u32;
/// Index of a clause in [`Program::clauses`].
pub type ClauseId = u32;
/// Index of a state in [`Program::states`].
pub type StateId = u32;
/// A rule's variable slot: 0 is the trigger (the `on` event, or the key of a `reaches`
/// trigger), 1 is the event named by a `once` or deadline pattern, 2 is the event named by a
/// `reset by` pattern (whose condition sees slots 1 and 2, not the trigger).
pub type Slot = u8;

pub const TRIGGER_SLOT: Slot = 0;
pub const PATTERN_SLOT: Slot = 1;
pub const RESET_SLOT: Slot = 2;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Program {
    pub regulation: Regulation,
    pub clauses: Vec<Clause>,
    pub vocabulary: Vocabulary,
    pub exemptions: Vec<Exemption>,
    pub states: Vec<StateDef>,
    pub rules: Vec<Rule>,
    /// The working-day calendar deadlines in working days are counted on.
    pub calendar: CalendarSpec,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Regulation {
    /// e.g. `library-rules`
    pub id: String,
    pub title: Option<String>,
    pub title_en: Option<String>,
    /// Events before the start of this day (in `timezone`) are not judged.
    pub effective: Option<Date>,
    /// IANA time zone in which dates and deadlines are read, e.g. `Asia/Shanghai`.
    pub timezone: String,
}

/// A calendar date; the default is 1970-01-01.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Date {
    pub year: i32,
    pub month: u8,
    pub day: u8,
}

impl Default for Date {
    fn default() -> Date {
        Date {
            year: 1970,
            month: 1,
            day: 1,
        }
    }
}

impl std::fmt::Display for Date {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// One article, paragraph or item of the regulation that the policy uses.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Clause {
    /// Where the clause stands in the regulation.
    pub at: ClauseRef,
    /// The title the policy gives the clause (or, failing that, its article).
    pub title: Option<String>,
    /// Set when the policy marks the clause `not_checkable`, with the reason.
    pub not_checkable: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Vocabulary {
    pub name: String,
    pub enums: Vec<EnumDef>,
    pub records: Vec<RecordDef>,
    pub events: Vec<EventDef>,
    /// The fields whose values findings report in each role, in declaration order.
    pub roles: Vec<RoleDef>,
    /// `partition by FIELD`: a required common field (the same index in every event type)
    /// whose value partitions the stream, so that each partition can be judged on its own
    /// (see [`crate::partition`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partition: Option<String>,
}

/// A part a field's value plays in findings.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// The party responsible for what the event records.
    Party,
    /// The individual whose information the event concerns.
    Individual,
}

impl Role {
    /// Every role, in the order findings list them.
    pub const ALL: [Role; 2] = [Role::Party, Role::Individual];

    /// The role's name as policies write it.
    pub fn name(self) -> &'static str {
        match self {
            Role::Party => "party",
            Role::Individual => "individual",
        }
    }
}

/// `roles { party: FIELD }`: in every event type with a top-level string field of this name, the
/// field's value plays the role, and findings report it under the field's name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleDef {
    pub role: Role,
    pub field: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnumDef {
    pub name: String,
    pub values: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordDef {
    pub name: String,
    pub fields: Vec<FieldDef>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventDef {
    pub name: String,
    /// An open event type accepts fields it does not declare (they are ignored).
    pub open: bool,
    /// The common fields first, then the event's own, in declaration order.
    pub fields: Vec<FieldDef>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldDef {
    pub name: String,
    pub ty: Type,
    /// A required field must be present in every event of the type.
    pub required: bool,
    /// The value an absent optional field takes.
    pub default: Option<Value>,
    /// For an integer field, the values it accepts; a value outside is an input error.
    #[serde(default, skip_serializing_if = "IntRange::is_unbounded")]
    pub range: IntRange,
}

/// The values an integer field accepts, as its vocabulary declares them (`int >= 0 <= 150`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct IntRange {
    /// The least value allowed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<i64>,
    /// The greatest value allowed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<i64>,
}

impl IntRange {
    /// Whether every integer is allowed.
    pub fn is_unbounded(&self) -> bool {
        self.min.is_none() && self.max.is_none()
    }

    /// Whether `value` is allowed.
    pub fn contains(&self, value: i64) -> bool {
        self.min.is_none_or(|min| value >= min) && self.max.is_none_or(|max| value <= max)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Type {
    Bool,
    Int,
    String,
    Date,
    Time,
    Duration,
    Enum(EnumId),
    Record(RecordId),
    List(Box<Type>),
    Set(Box<Type>),
}

/// A value in an event, a constant, or a state key.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Value {
    Bool(bool),
    Int(i64),
    Str(String),
    /// Index into the enum's values.
    Enum(EnumId, u32),
    Date(Date),
    /// Seconds since the Unix epoch.
    Time(i64),
    /// Field values of a record, by field index; `None` for an absent optional field.
    Record(Vec<Option<Value>>),
    /// A list, or a set literal (without duplicates).
    List(Vec<Value>),
}

/// `exempt`: events this matches are outside the regulation's scope.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exemption {
    pub clause: ClauseId,
    /// `None` for `any event`.
    pub event: Option<EventId>,
    /// Evaluated with the event in slot 0.
    pub condition: Expr,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StateDef {
    pub name: String,
    pub kind: StateKind,
    pub updates: Vec<StateUpdate>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum StateKind {
    /// A set per key, of values of the given type.
    Set(Type),
    Counter,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StateUpdate {
    pub event: EventId,
    /// The key, read from the updating event (slot 0).
    pub key: Expr,
    pub op: StateOp,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum StateOp {
    Add(Expr),
    Remove(Expr),
    Increment,
    Decrement,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rule {
    /// Stable id: `REGULATION/artN[/pN][/iN]/NAME`.
    pub id: RuleId,
    /// The clause the rule implements, whose address is also in `id`.
    pub clause: ClauseId,
    pub trigger: Trigger,
    pub when: Option<Expr>,
    pub body: Body,
    pub unless: Option<Expr>,
    pub message: String,
    pub message_zh: Option<String>,
    /// Further sources the rule implements (`cites "…"`), e.g. a statute behind an
    /// organisation's own clause.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cites: Vec<String>,
    /// Fields of the trigger event that decide the rule, reported with each finding.
    pub evidence: Vec<Evidence>,
    /// The `once … before` conditions written inside the rule's `when`, `require`/`prohibit`
    /// or `unless` conditions, which [`Expr::Once`] refers to by index.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub onces: Vec<OnceCondition>,
}

/// A `once EVENT x [where COND] [within D] before [reset by …]…` written as a condition: whether
/// an earlier event matched the pattern (slot 1, beside the trigger in slot 0) and was not
/// cancelled by a later `reset by` event (slot 2, beside slot 1).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OnceCondition {
    pub pattern: Pattern,
    pub within: Option<Duration>,
    pub resets: Vec<Pattern>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Trigger {
    /// The rule is evaluated for each event of this type (bound to slot 0).
    Event(EventId),
    /// The rule fires once per key when the state's size for the key reaches the threshold
    /// (the key is bound to slot 0). With `before_effective`, it fires instead for each key
    /// whose size had already reached the threshold when the regulation took effect (a
    /// transitional rule); without it, only crossings at or after the effective instant count.
    Reaches {
        state: StateId,
        threshold: i64,
        #[serde(default)]
        before_effective: bool,
    },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Body {
    /// Violation when the condition is false.
    Require(Expr),
    /// Violation when the condition is true.
    Prohibit(Expr),
    /// Some earlier event must (or, with `forbid`, must not) match the pattern.
    Once {
        forbid: bool,
        pattern: Pattern,
        within: Option<Duration>,
        resets: Vec<Pattern>,
    },
    /// A matching event must follow before the deadline.
    Deadline {
        pattern: Pattern,
        deadline: Deadline,
    },
}

/// An event type and a condition over it (slot 1) and the trigger (slot 0).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pattern {
    pub event: EventId,
    pub condition: Option<Expr>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Deadline {
    /// The period starts at the time of the event in `after` (always slot 0 today).
    Within { duration: Duration, after: Slot },
    /// The end of this day in the regulation's time zone.
    By(Date),
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Duration {
    pub amount: Expr,
    pub unit: DurationUnit,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DurationUnit {
    Days,
    WorkingDays,
    Years,
}

/// A field of the trigger event to report with a finding.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    /// The dotted path as the user wrote it, e.g. `consent.given_by`.
    pub label: String,
    pub path: Vec<u32>,
}

/// A working-day calendar: a built-in calendar the regulation names, and additions written in
/// policy source.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarSpec {
    /// A built-in calendar, by a name of `calendar::BUILTIN_CALENDARS`; without one, Monday to
    /// Friday are working days.
    pub base: Option<String>,
    /// Days off that would otherwise be working days, sorted.
    pub holidays: Vec<Date>,
    /// Working days that would otherwise be days off, sorted.
    pub workdays: Vec<Date>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Expr {
    Const(Value),
    /// The value bound to a slot itself (a `reaches` key).
    Slot(Slot),
    /// A field of the event in a slot, through nested records: `path[0]` indexes the event
    /// type's fields, later entries index record fields.
    Field {
        slot: Slot,
        path: Vec<u32>,
    },
    /// Whether that optional field is present.
    Has {
        slot: Slot,
        path: Vec<u32>,
    },
    Not(Box<Expr>),
    And(Vec<Expr>),
    Or(Vec<Expr>),
    Cmp {
        op: CmpOp,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    /// Membership of `element` in a list or set.
    In {
        element: Box<Expr>,
        set: Box<Expr>,
    },
    /// The time of the event in a slot, as Unix seconds.
    EventTime(Slot),
    /// A part of a time read in the regulation's time zone.
    TimePart {
        part: TimePart,
        time: Box<Expr>,
    },
    /// Arithmetic on integers, durations (seconds) and times (a time plus or minus a duration,
    /// the duration between two times); overflow and division by zero give a missing value.
    Arith {
        op: ArithOp,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    /// Whether the rule's `once` condition of this index (in [`Rule::onces`]) holds.
    Once(u32),
}

/// A part of a time, in the regulation's time zone.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimePart {
    /// 0 to 23.
    Hour,
    /// 0 to 59.
    Minute,
    /// 1 (Monday) to 7 (Sunday), as ISO 8601 numbers them.
    Weekday,
    /// The calendar date.
    Date,
}

impl TimePart {
    /// The name a policy writes after a time: `e.time.hour`.
    pub fn name(self) -> &'static str {
        match self {
            TimePart::Hour => "hour",
            TimePart::Minute => "minute",
            TimePart::Weekday => "weekday",
            TimePart::Date => "date",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ArithOp {
    Add,
    Sub,
    Mul,
    /// Integer division, rounded towards zero.
    Div,
    /// The remainder of that division.
    Rem,
}

impl ArithOp {
    pub fn symbol(self) -> &'static str {
        match self {
            ArithOp::Add => "+",
            ArithOp::Sub => "-",
            ArithOp::Mul => "*",
            ArithOp::Div => "/",
            ArithOp::Rem => "%",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}
