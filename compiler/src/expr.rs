//! The expression checker: conditions, field accesses, names and literals elaborated into the
//! IR's expressions against a vocabulary.
//!
//! Checking elaborates each expression into the IR's expression form: names become slots,
//! field names become indices, enum values become numbers. An expression that fails to check
//! gets the type [`Ty::Error`], which fits everywhere, so one mistake is reported once.
//! The rule checker ([`crate::typecheck`]) and the declarations ([`crate::declare`]) build on it.

use edict_grammar::ast::{self, ExprKind, Ident, Span, UnaryOp};
use edict_runtime::ir::{self, Slot};

use crate::diagnostic::{Code, Diagnostic, Origin, Text, did_you_mean};
use crate::types::{Ty, a};
use crate::vocab::Vocab;
use edict_grammar::tr;

mod access;
mod once;
mod operators;
mod time;

/// A constant, resolved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConstInfo {
    pub name: String,
    pub ty: Ty,
    pub value: ir::Value,
}

/// Where the checker finds constants by name.
pub(crate) trait Constants {
    /// The constant of this name, if there is one.
    fn constant(&self, name: &str) -> Option<ConstInfo>;
    /// Every constant's name, for suggestions.
    fn names(&self) -> Vec<String>;
}

/// What a bound name stands for.
#[derive(Clone, Debug)]
pub(crate) enum VarKind {
    /// An event of a known type.
    Event(u32),
    /// `any event`: only the common fields are known.
    AnyEvent,
    /// A state key (from `size(S[k])`), of this type.
    Key(Ty),
    /// The declaration failed; uses of it are not reported again.
    Unknown,
}

#[derive(Clone, Debug)]
pub(crate) struct Var {
    pub(crate) name: String,
    pub(crate) slot: Slot,
    pub(crate) kind: VarKind,
}

/// Checks expressions in one scope, collecting diagnostics.
pub(crate) struct Checker<'a> {
    /// Where the spans of the checked syntax are measured from.
    pub(crate) origin: Origin,
    pub(crate) vocab: &'a Vocab,
    consts: &'a dyn Constants,
    pub(crate) vars: Vec<Var>,
    /// Optional fields known to be present here, from enclosing `has(…) and …`.
    pub(crate) facts: Vec<(Slot, Vec<u32>)>,
    /// Fields of the trigger the checked expressions read, to report with findings.
    pub(crate) evidence: Vec<ir::Evidence>,
    /// The `once` conditions of the rule being checked; `None` where no `once` may stand.
    pub(crate) onces: Option<Vec<ir::OnceCondition>>,
    pub(crate) diags: Vec<Diagnostic>,
}

impl<'a> Checker<'a> {
    pub(crate) fn new(origin: Origin, vocab: &'a Vocab, consts: &'a dyn Constants) -> Self {
        Checker {
            origin,
            vocab,
            consts,
            vars: Vec::new(),
            facts: Vec::new(),
            evidence: Vec::new(),
            onces: None,
            diags: Vec::new(),
        }
    }

    pub(crate) fn error(&mut self, code: Code, span: Span, message: Text) -> &mut Diagnostic {
        self.diags
            .push(Diagnostic::error(code, self.origin, span, message));
        let last = self.diags.len() - 1;
        &mut self.diags[last]
    }

    pub(crate) fn push(&mut self, diag: Diagnostic) {
        self.diags.push(diag);
    }

    /// Binds `binding` to the event type `event` in `slot`; reports an unknown type.
    pub(crate) fn bind_event(&mut self, event: &Ident, binding: &Ident, slot: Slot) -> Option<u32> {
        let id = self.event_type(event);
        self.vars.push(Var {
            name: binding.name.clone(),
            slot,
            kind: id.map_or(VarKind::Unknown, VarKind::Event),
        });
        id
    }

    pub(crate) fn event_type(&mut self, event: &Ident) -> Option<u32> {
        if let Some((id, _)) = self.vocab.event(&event.name) {
            return Some(id);
        }
        let help = did_you_mean(&event.name, self.vocab.event_names()).unwrap_or_else(|| {
            let vocabulary = &self.vocab.name;
            let names = self.vocab.event_names().collect::<Vec<_>>();
            let (en, zh) = (names.join(", "), names.join("、"));
            tr!(
                "the vocabulary `{vocabulary}` declares: {en}",
                "词汇`{vocabulary}`声明的有：{zh}"
            )
        });
        let name = &event.name;
        let d = Diagnostic::error(
            Code::UnknownEventType,
            self.origin,
            event.span,
            tr!("unknown event type `{name}`", "未知的事件类型`{name}`"),
        )
        .label(tr!("not declared in the vocabulary", "词汇中没有声明"))
        .help(help);
        self.push(d);
        None
    }

    /// Checks an expression that must be a condition.
    pub(crate) fn condition(&mut self, e: &ast::Expr) -> ir::Expr {
        let (expr, ty) = self.infer(e, Some(&Ty::Bool));
        if !Ty::Bool.accepts(&ty) {
            let shown = a(&self.vocab.show(&ty));
            let (en, zh) = (&shown.en, &shown.zh);
            let d = Diagnostic::error(
                Code::NotACondition,
                self.origin,
                e.span,
                tr!("this is {en}, not a condition", "这是{zh}，不是条件"),
            )
            .label(tr!("expected something true or false", "这里需要真假值"))
            .help(tr!(
                "compare it with a value, e.g. `… == …`",
                "把它和一个值比较，如`… == …`"
            ));
            self.push(d);
        }
        expr
    }

    /// A condition that must depend on the event: reports one that is always the same.
    pub(crate) fn event_condition(&mut self, e: &ast::Expr, role: &str) -> ir::Expr {
        let errors_before = self.error_count();
        let expr = self.condition(e);
        if !depends_on_slots(&expr) && self.error_count() == errors_before {
            let value = const_bool(&expr);
            let (always, always_zh) = match value {
                Some(true) => ("always true", "总是为真"),
                Some(false) => ("always false", "总是为假"),
                None => ("always the same", "总是相同"),
            };
            let (consequence, consequence_zh) = match (role, value) {
                ("when", Some(false)) | ("require", Some(true)) | ("prohibit", Some(false)) => (
                    "so the rule can never find a violation",
                    "因此这条规则永远发现不了违规",
                ),
                ("when", Some(true)) => ("so it filters nothing", "因此它什么也筛选不掉"),
                ("unless", Some(true)) => ("so the rule never applies", "因此这条规则永远不适用"),
                ("unless", Some(false)) => ("so it excuses nothing", "因此它什么也免除不了"),
                _ => (
                    "so the rule judges every event the same way",
                    "因此这条规则对每个事件的判断都一样",
                ),
            };
            let role_zh = match role {
                "when" => "当",
                "require" => "应当",
                "prohibit" => "不得",
                "unless" => "除非",
                "exempt" => "豁免",
                other => other,
            };
            let d = Diagnostic::error(
                Code::ConstantCondition,
                self.origin,
                e.span,
                tr!(
                    "this `{role}` condition is {always}",
                    "这个`{role_zh}`条件{always_zh}"
                ),
            )
            .label(tr!(
                "does not depend on the event, {consequence}",
                "不依赖于事件，{consequence_zh}"
            ))
            .help(tr!(
                "refer to a field of the event, e.g. `e.field == value`",
                "引用事件的字段，如`e.field == value`"
            ));
            self.push(d);
        }
        expr
    }

    pub(crate) fn error_count(&self) -> usize {
        self.diags.iter().filter(|d| d.is_error()).count()
    }

    pub(crate) fn lookup_var(&self, name: &str) -> Option<&Var> {
        self.vars.iter().rev().find(|v| v.name == name)
    }

    fn lookup_const(&self, name: &str) -> Option<ConstInfo> {
        self.consts.constant(name)
    }

    /// Whether `e` is a bare name that can only be an enum value (its type comes from context).
    fn is_enum_candidate(&self, e: &ast::Expr) -> bool {
        match &e.kind {
            ExprKind::Name(n) => {
                self.lookup_var(&n.name).is_none() && self.lookup_const(&n.name).is_none()
            }
            ExprKind::Set(items) | ExprKind::List(items) => {
                items.iter().any(|i| self.is_enum_candidate(i))
            }
            _ => false,
        }
    }

    pub(crate) fn infer(&mut self, e: &ast::Expr, expected: Option<&Ty>) -> (ir::Expr, Ty) {
        match &e.kind {
            ExprKind::Bool(b) => (ir::Expr::Const(ir::Value::Bool(*b)), Ty::Bool),
            ExprKind::Int(i) => (ir::Expr::Const(ir::Value::Int(*i)), Ty::Int),
            ExprKind::Str(s) => (ir::Expr::Const(ir::Value::Str(s.clone())), Ty::Str),
            ExprKind::Date(d) => (
                ir::Expr::Const(ir::Value::Date(ir::Date {
                    year: d.year,
                    month: d.month,
                    day: d.day,
                })),
                Ty::Date,
            ),
            ExprKind::Name(n) => self.name(n, expected),
            ExprKind::Field(..) => self.field_expr(e),
            ExprKind::Has(inner) => (self.has(inner, e.span), Ty::Bool),
            ExprKind::Set(items) => self.set_literal(items, expected, false),
            ExprKind::List(items) => self.set_literal(items, expected, true),
            ExprKind::Duration(amount, unit) => self.duration_literal(*amount, *unit, e.span),
            ExprKind::Once(once) => self.once_condition(once, e.span),
            ExprKind::Unary(UnaryOp::Not, inner) => {
                let inner = self.condition(inner);
                (ir::Expr::Not(Box::new(inner)), Ty::Bool)
            }
            ExprKind::Binary(op, lhs, rhs) => self.binary(*op, lhs, rhs, e.span),
            ExprKind::Logic(op, operands) => (self.logic(*op, operands), Ty::Bool),
            // The parser reported it.
            ExprKind::Error => (poisoned(), Ty::Error),
        }
    }

    /// An integer expression (a duration amount or a threshold), `what` in both languages.
    pub(crate) fn int(&mut self, e: &ast::Expr, what: (&str, &str)) -> ir::Expr {
        let (expr, ty) = self.infer(e, Some(&Ty::Int));
        if !Ty::Int.accepts(&ty) {
            let shown = a(&self.vocab.show(&ty));
            let ((what_en, what_zh), shown_en, shown_zh) = (what, &shown.en, &shown.zh);
            self.error(
                Code::TypeMismatch,
                e.span,
                tr!(
                    "{what_en} must be a whole number, not {shown_en}",
                    "{what_zh}必须是整数，不是{shown_zh}"
                ),
            )
            .set_label(tr!("expected an int", "这里需要整数"));
        }
        expr
    }
}

/// The stand-in for an expression that failed to check. It counts as reading the event, so a
/// condition built on a mistake is not also reported as constant; no program is lowered from
/// a package with errors, so it never runs.
pub(crate) fn poisoned() -> ir::Expr {
    ir::Expr::Slot(ir::TRIGGER_SLOT)
}

/// The optional fields a condition proves present when it holds.
pub(crate) fn facts_of(expr: &ir::Expr) -> Vec<(Slot, Vec<u32>)> {
    match expr {
        ir::Expr::Has { slot, path } => {
            // A present field implies its enclosing records are present.
            (1..=path.len())
                .map(|n| (*slot, path[..n].to_vec()))
                .collect()
        }
        ir::Expr::And(parts) => parts.iter().flat_map(facts_of).collect(),
        _ => Vec::new(),
    }
}

/// Whether the expression reads anything bound in a slot.
fn depends_on_slots(expr: &ir::Expr) -> bool {
    match expr {
        ir::Expr::Const(_) => false,
        ir::Expr::Slot(_) | ir::Expr::Field { .. } | ir::Expr::Has { .. } => true,
        ir::Expr::Not(e) => depends_on_slots(e),
        ir::Expr::And(es) | ir::Expr::Or(es) => es.iter().any(depends_on_slots),
        ir::Expr::Cmp { lhs, rhs, .. } => depends_on_slots(lhs) || depends_on_slots(rhs),
        ir::Expr::In { element, set } => depends_on_slots(element) || depends_on_slots(set),
        ir::Expr::EventTime(_) | ir::Expr::Once(_) => true,
        ir::Expr::TimePart { time, .. } => depends_on_slots(time),
        ir::Expr::Arith { lhs, rhs, .. } => depends_on_slots(lhs) || depends_on_slots(rhs),
    }
}

/// The value of a condition made of constants only, where it is easy to tell.
fn const_bool(expr: &ir::Expr) -> Option<bool> {
    use ir::Value::*;
    match expr {
        ir::Expr::Const(Bool(b)) => Some(*b),
        ir::Expr::Not(e) => const_bool(e).map(|b| !b),
        ir::Expr::And(es) => es
            .iter()
            .map(const_bool)
            .try_fold(true, |a, b| Some(a && b?)),
        ir::Expr::Or(es) => es
            .iter()
            .map(const_bool)
            .try_fold(false, |a, b| Some(a || b?)),
        ir::Expr::Cmp { op, lhs, rhs } => {
            let (ir::Expr::Const(l), ir::Expr::Const(r)) = (&**lhs, &**rhs) else {
                return None;
            };
            let ord = match (l, r) {
                (Int(a), Int(b)) => a.cmp(b),
                (Str(a), Str(b)) => a.cmp(b),
                (Bool(a), Bool(b)) => a.cmp(b),
                (Date(a), Date(b)) => a.cmp(b),
                (Enum(ea, a), Enum(eb, b)) if ea == eb => a.cmp(b),
                _ => return None,
            };
            Some(match op {
                ir::CmpOp::Eq => ord.is_eq(),
                ir::CmpOp::Ne => ord.is_ne(),
                ir::CmpOp::Lt => ord.is_lt(),
                ir::CmpOp::Le => ord.is_le(),
                ir::CmpOp::Gt => ord.is_gt(),
                ir::CmpOp::Ge => ord.is_ge(),
            })
        }
        ir::Expr::In { element, set } => match (&**element, &**set) {
            (ir::Expr::Const(e), ir::Expr::Const(List(items))) => Some(items.contains(e)),
            _ => None,
        },
        _ => None,
    }
}
