//! Target `policy_program`: structure-aware fuzzing. The bytes are read (with `arbitrary`) as a
//! [`Policy`] over the toy vocabulary of the diagnostic fixtures: constants, articles and
//! rules whose conditions are trees of comparisons, `has`, `in`, `not`, `and` and `or`, written
//! with English or Chinese keywords. Almost every input is then a program the parser accepts,
//! so the fuzzer spends its time in the type checker, the linker, lowering and the runtime.
//!
//! The same policies feed the differential test (`tests/differential.rs`), which evaluates
//! them with a reference evaluator written against this module's types.

use std::fmt::Write;

use arbitrary::{Arbitrary, Unstructured};

use crate::policy;

/// A policy package of one file over the toy vocabulary.
#[derive(Arbitrary, Debug, Clone)]
pub struct Policy {
    pub chinese: bool,
    pub consts: Vec<Const>,
    pub articles: Vec<Article>,
}

/// `const C{index} = …`.
#[derive(Arbitrary, Debug, Clone)]
pub enum Const {
    /// A set of purposes.
    Purposes(Vec<u8>),
    Number(i16),
}

/// An article of the toy outline (1 to 3, or 4, which it lacks), with an optional paragraph.
#[derive(Arbitrary, Debug, Clone)]
pub struct Article {
    pub number: u8,
    pub paragraph: Option<u8>,
    pub rules: Vec<Rule>,
}

#[derive(Arbitrary, Debug, Clone)]
pub struct Rule {
    pub trigger: Trigger,
    pub when: Option<Cond>,
    pub body: Body,
    pub unless: Option<Cond>,
}

/// The event type a rule is checked on, bound to `e`.
#[derive(Arbitrary, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    Enrollment,
    Deletion,
}

#[derive(Arbitrary, Debug, Clone)]
pub enum Body {
    Require(Cond),
    Prohibit(Cond),
    /// `require|prohibit once deletion d where d.subject == e.subject before`.
    Once {
        forbid: bool,
    },
    /// `require deletion d where d.subject == e.subject within N days`.
    Deadline {
        days: u8,
    },
}

/// A condition over the trigger `e`.
#[derive(Arbitrary, Debug, Clone)]
pub enum Cond {
    Bool(bool),
    Int(IntField, Cmp, i16),
    Str(StrField, bool, u8),
    Storage(bool, Storage),
    Has(Optional),
    InPurposes(Vec<u8>),
    /// `e.purpose in C{n}` (a constant, which may not exist or not be a set).
    InConst(u8),
    Not(Box<Cond>),
    And(Vec<Cond>),
    Or(Vec<Cond>),
}

#[derive(Arbitrary, Debug, Clone, Copy)]
pub enum IntField {
    Retention,
    /// Optional: guarded by `has(e.age)` or reported.
    Age,
}

#[derive(Arbitrary, Debug, Clone, Copy)]
pub enum StrField {
    Subject,
    Purpose,
}

#[derive(Arbitrary, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Storage {
    Device,
    Server,
}

#[derive(Arbitrary, Debug, Clone, Copy)]
pub enum Optional {
    Age,
    Consent,
    Tags,
}

#[derive(Arbitrary, Debug, Clone, Copy)]
pub enum Cmp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl Cmp {
    pub fn symbol(self) -> &'static str {
        match self {
            Cmp::Eq => "==",
            Cmp::Ne => "!=",
            Cmp::Lt => "<",
            Cmp::Le => "<=",
            Cmp::Gt => ">",
            Cmp::Ge => ">=",
        }
    }

    /// Compares two integers.
    pub fn holds(self, a: i64, b: i64) -> bool {
        match self {
            Cmp::Eq => a == b,
            Cmp::Ne => a != b,
            Cmp::Lt => a < b,
            Cmp::Le => a <= b,
            Cmp::Gt => a > b,
            Cmp::Ge => a >= b,
        }
    }
}

/// The purposes policies and streams draw from.
pub const PURPOSES: [&str; 4] = ["access", "payment", "research", "other"];

/// The purpose a byte names.
pub fn purpose(n: u8) -> &'static str {
    PURPOSES[usize::from(n) % PURPOSES.len()]
}

/// The subjects streams draw from.
pub fn subject(n: u8) -> String {
    format!("s{}", n % 4)
}

/// The keywords of one language.
struct Words {
    rule: &'static str,
    on: &'static str,
    when: &'static str,
    require: &'static str,
    prohibit: &'static str,
    unless: &'static str,
    message: &'static str,
    and: &'static str,
    or: &'static str,
    not: &'static str,
    has: &'static str,
    is_in: &'static str,
}

const ENGLISH: Words = Words {
    rule: "rule",
    on: "on",
    when: "when",
    require: "require",
    prohibit: "prohibit",
    unless: "unless",
    message: "message",
    and: "and",
    or: "or",
    not: "not",
    has: "has",
    is_in: "in",
};

const CHINESE: Words = Words {
    rule: "规则",
    on: "对于",
    when: "当",
    require: "应当",
    prohibit: "不得",
    unless: "除非",
    message: "说明",
    and: "并且",
    or: "或者",
    not: "非",
    has: "存在",
    is_in: "属于",
};

/// The regulation header every generated policy starts with.
pub const HEADER: &str = r#"regulation toy {
  title "t"
  effective 2025-06-01
  timezone "Asia/Shanghai"
  outline "_common/toy.outline.txt"
  use vocabulary toy from "_common/toy.edict"
}
"#;

impl Policy {
    /// The policy as source text.
    pub fn render(&self) -> String {
        let words = if self.chinese { &CHINESE } else { &ENGLISH };
        let mut out = HEADER.to_owned();
        for (i, c) in self.consts.iter().enumerate() {
            let value = match c {
                Const::Purposes(items) => set_literal(items),
                Const::Number(n) => n.unsigned_abs().to_string(),
            };
            let _ = writeln!(out, "const C{i} = {value}");
        }
        for (a, article) in self.articles.iter().enumerate() {
            let _ = writeln!(out, "article {} {{", article.number % 4 + 1);
            if let Some(p) = article.paragraph {
                let _ = writeln!(out, "paragraph {} {{", p % 3 + 1);
            }
            for (r, rule) in article.rules.iter().enumerate() {
                out.push_str(&rule.render(words, &format!("r{a}-{r}")));
            }
            if article.paragraph.is_some() {
                out.push_str("}\n");
            }
            out.push_str("}\n");
        }
        out
    }
}

impl Rule {
    fn render(&self, words: &Words, name: &str) -> String {
        let mut out = format!("  {} {name}:\n", words.rule);
        let event = match self.trigger {
            Trigger::Enrollment => "enrollment",
            Trigger::Deletion => "deletion",
        };
        let _ = writeln!(out, "    {} {event} e", words.on);
        if let Some(when) = &self.when {
            let _ = writeln!(out, "    {} {}", words.when, when.render(words));
        }
        let pattern = "deletion d where d.subject == e.subject";
        match &self.body {
            Body::Require(c) => {
                let _ = writeln!(out, "    {} {}", words.require, c.render(words));
            }
            Body::Prohibit(c) => {
                let _ = writeln!(out, "    {} {}", words.prohibit, c.render(words));
            }
            Body::Once { forbid } => {
                let verb = if *forbid {
                    words.prohibit
                } else {
                    words.require
                };
                let _ = writeln!(out, "    {verb} once {pattern} before");
            }
            Body::Deadline { days } => {
                let _ = writeln!(
                    out,
                    "    {} {pattern} within {} days",
                    words.require,
                    days % 40
                );
            }
        }
        if let Some(unless) = &self.unless {
            let _ = writeln!(out, "    {} {}", words.unless, unless.render(words));
        }
        let _ = writeln!(out, "    {} \"m\"", words.message);
        out
    }
}

impl Cond {
    /// The condition as source text; every operand of a connective is parenthesised.
    fn render(&self, words: &Words) -> String {
        match self {
            Cond::Bool(b) => b.to_string(),
            Cond::Int(field, cmp, n) => {
                let name = match field {
                    IntField::Retention => "retention_days",
                    IntField::Age => "age",
                };
                format!("e.{name} {} {}", cmp.symbol(), n.unsigned_abs())
            }
            Cond::Str(field, equal, n) => {
                let (name, value) = match field {
                    StrField::Subject => ("subject", subject(*n)),
                    StrField::Purpose => ("purpose", purpose(*n).to_owned()),
                };
                let op = if *equal { "==" } else { "!=" };
                format!("e.{name} {op} \"{value}\"")
            }
            Cond::Storage(equal, storage) => {
                let op = if *equal { "==" } else { "!=" };
                let value = match storage {
                    Storage::Device => "device",
                    Storage::Server => "server",
                };
                format!("e.storage {op} {value}")
            }
            Cond::Has(field) => {
                let name = match field {
                    Optional::Age => "age",
                    Optional::Consent => "consent",
                    Optional::Tags => "tags",
                };
                format!("{}(e.{name})", words.has)
            }
            Cond::InPurposes(items) => format!("e.purpose {} {}", words.is_in, set_literal(items)),
            Cond::InConst(n) => format!("e.purpose {} C{}", words.is_in, n % 4),
            Cond::Not(inner) => format!("{} ({})", words.not, inner.render(words)),
            Cond::And(parts) => join(parts, words.and, words),
            Cond::Or(parts) => join(parts, words.or, words),
        }
    }
}

fn join(parts: &[Cond], connective: &str, words: &Words) -> String {
    if parts.is_empty() {
        return "true".to_owned();
    }
    let parts: Vec<String> = parts
        .iter()
        .map(|p| format!("({})", p.render(words)))
        .collect();
    parts.join(&format!(" {connective} "))
}

fn set_literal(items: &[u8]) -> String {
    let items: Vec<String> = items
        .iter()
        .map(|&n| format!("\"{}\"", purpose(n)))
        .collect();
    format!("{{{}}}", items.join(", "))
}

/// Reads the bytes as a [`Policy`] and compiles its text as [`crate::policy::compile`] does.
pub fn policy_program(data: &[u8]) {
    let Ok(policy) = Policy::arbitrary_take_rest(Unstructured::new(data)) else {
        return;
    };
    let text = policy.render();
    let (file, errors) = edict_grammar::parse(&text);
    crate::check::tree_spans(&text, &file, "syntax tree");
    // Only a condition nested too deeply is refused by the parser.
    for error in &errors {
        assert!(
            error.message.en.contains("deep") || error.message.en.contains("`not` in a row"),
            "a generated policy has a syntax error: {}\n{text}",
            error.message.en
        );
    }
    policy::compile(&[("input.edict", &text)]);
}
