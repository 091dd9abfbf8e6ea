//! The compiler's types, and how they are shown to users and lowered to the IR.

use edict_runtime::ir;

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

    /// The name a user would write for this type.
    pub(crate) fn display(&self, vocab: Option<&dyn TypeNames>) -> String {
        match self {
            Ty::Bool => "bool".into(),
            Ty::Int => "int".into(),
            Ty::Str => "string".into(),
            Ty::Date => "date".into(),
            Ty::Time => "time".into(),
            Ty::Duration => "duration".into(),
            Ty::Enum(id) => vocab
                .and_then(|v| v.enum_name(*id))
                .map_or_else(|| "an enum".into(), |name| format!("enum `{name}`")),
            Ty::Record(id) => vocab
                .and_then(|v| v.record_name(*id))
                .map_or_else(|| "a record".into(), |name| format!("record `{name}`")),
            Ty::List(t) => format!("list of {}", t.display(vocab)),
            Ty::Set(t) => format!("set of {}", t.display(vocab)),
            Ty::Error => "unknown".into(),
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

/// The type name with an indefinite article: "an int", "a string", "an enum `x`".
pub fn a(name: &str) -> String {
    let vowel = name
        .chars()
        .next()
        .is_some_and(|c| matches!(c, 'a' | 'e' | 'i' | 'o' | 'u'));
    if vowel {
        format!("an {name}")
    } else {
        format!("a {name}")
    }
}
