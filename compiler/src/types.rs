//! The compiler's types, and how they are shown to users and lowered to the IR.

use edict_grammar::tr;
use edict_runtime::ir;

use crate::diagnostic::Text;

/// The names of the enums and records a type may refer to, for messages.
pub(crate) trait TypeNames {
    fn enum_name(&self, id: u32) -> Option<&str>;
    fn record_name(&self, id: u32) -> Option<&str>;
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Ty {
    Bool,
    Int,
    Str,
    Date,
    Time,
    Duration,
    Enum(u32),
    Record(u32),
    List(Box<Ty>),
    Set(Box<Ty>),
    /// The type of an expression that already produced a diagnostic; it fits everywhere, so one
    /// mistake is reported once.
    Error,
}

impl Ty {
    /// The built-in type with this name.
    pub fn builtin(name: &str) -> Option<Ty> {
        Some(match name {
            "bool" => Ty::Bool,
            "int" => Ty::Int,
            "string" => Ty::Str,
            "date" => Ty::Date,
            "time" => Ty::Time,
            "duration" => Ty::Duration,
            _ => return None,
        })
    }

    pub const BUILTIN_NAMES: &'static [&'static str] =
        &["bool", "int", "string", "date", "time", "duration"];

    /// Whether a value of type `other` may stand where `self` is expected.
    pub fn accepts(&self, other: &Ty) -> bool {
        match (self, other) {
            (Ty::Error, _) | (_, Ty::Error) => true,
            (Ty::List(a), Ty::List(b)) | (Ty::Set(a), Ty::Set(b)) => a.accepts(b),
            (a, b) => a == b,
        }
    }

    /// Whether `<`, `<=`, `>`, `>=` apply.
    pub fn is_ordered(&self) -> bool {
        matches!(
            self,
            Ty::Int | Ty::Date | Ty::Time | Ty::Duration | Ty::Error
        )
    }

    /// The element type of a list or set.
    pub fn element(&self) -> Option<&Ty> {
        match self {
            Ty::List(t) | Ty::Set(t) => Some(t),
            _ => None,
        }
    }

    /// The name a user would write for this type, in English and Chinese.
    pub(crate) fn display(&self, vocab: Option<&dyn TypeNames>) -> Text {
        match self {
            Ty::Bool => tr!("bool", "真假值"),
            Ty::Int => tr!("int", "整数"),
            Ty::Str => tr!("string", "字符串"),
            Ty::Date => tr!("date", "日期"),
            Ty::Time => tr!("time", "时间"),
            Ty::Duration => tr!("duration", "时长"),
            Ty::Enum(id) => match vocab.and_then(|v| v.enum_name(*id)) {
                Some(name) => tr!("enum `{name}`", "枚举`{name}`"),
                None => tr!("an enum", "枚举"),
            },
            Ty::Record(id) => match vocab.and_then(|v| v.record_name(*id)) {
                Some(name) => tr!("record `{name}`", "记录`{name}`"),
                None => tr!("a record", "记录"),
            },
            Ty::List(t) => {
                let t = t.display(vocab);
                let (en, zh) = (&t.en, &t.zh);
                tr!("list of {en}", "{zh}列表")
            }
            Ty::Set(t) => {
                let t = t.display(vocab);
                let (en, zh) = (&t.en, &t.zh);
                tr!("set of {en}", "{zh}集合")
            }
            Ty::Error => tr!("unknown", "未知类型"),
        }
    }

    pub fn to_ir(&self) -> ir::Type {
        match self {
            Ty::Bool | Ty::Error => ir::Type::Bool,
            Ty::Int => ir::Type::Int,
            Ty::Str => ir::Type::String,
            Ty::Date => ir::Type::Date,
            Ty::Time => ir::Type::Time,
            Ty::Duration => ir::Type::Duration,
            Ty::Enum(id) => ir::Type::Enum(*id),
            Ty::Record(id) => ir::Type::Record(*id),
            Ty::List(t) => ir::Type::List(Box::new(t.to_ir())),
            Ty::Set(t) => ir::Type::Set(Box::new(t.to_ir())),
        }
    }
}

/// The type name with an indefinite article in English: "an int", "a string", "an enum `x`"
/// (Chinese has none).
pub fn a(name: &Text) -> Text {
    let en = &name.en;
    let vowel = en
        .chars()
        .next()
        .is_some_and(|c| matches!(c, 'a' | 'e' | 'i' | 'o' | 'u'));
    Text::new(
        if vowel {
            format!("an {en}")
        } else {
            format!("a {en}")
        },
        name.zh.clone(),
    )
}
