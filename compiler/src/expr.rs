//! The expression checker: conditions, field accesses, names and literals elaborated into the
//! IR's expressions against a vocabulary.
//!
//! Checking elaborates each expression into the IR's expression form: names become slots,
//! field names become indices, enum values become numbers. An expression that fails to check
//! gets the type [`Ty::Error`], which fits everywhere, so one mistake is reported once.
//! The rule checker ([`crate::typecheck`]) and the declarations ([`crate::declare`]) build on it.

use std::collections::HashSet;

use edict_grammar::ast::{self, BinaryOp, ExprKind, Ident, Span, UnaryOp};
use edict_runtime::ir::{self, Slot};

use crate::diagnostic::{Code, Diagnostic, Origin, did_you_mean};
use crate::types::{Ty, a};
use crate::vocab::{FieldInfo, Vocab};

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

/// A resolved field access.
struct FieldAccess {
    slot: Slot,
    path: Vec<u32>,
    ty: Ty,
    /// The dotted path without the variable, e.g. `consent.given_by`.
    label: String,
    /// Whether the last field may be absent.
    last_may_be_absent: bool,
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
            diags: Vec::new(),
        }
    }

    pub(crate) fn error(
        &mut self,
        code: Code,
        span: Span,
        message: impl Into<String>,
    ) -> &mut Diagnostic {
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
            format!(
                "the vocabulary `{}` declares: {}",
                self.vocab.name,
                self.vocab.event_names().collect::<Vec<_>>().join(", ")
            )
        });
        let d = Diagnostic::error(
            Code::UnknownEventType,
            self.origin,
            event.span,
            format!("unknown event type `{}`", event.name),
        )
        .label("not declared in the vocabulary")
        .help(help);
        self.push(d);
        None
    }

    /// Checks an expression that must be a condition.
    pub(crate) fn condition(&mut self, e: &ast::Expr) -> ir::Expr {
        let (expr, ty) = self.infer(e, Some(&Ty::Bool));
        if !Ty::Bool.accepts(&ty) {
            let d = Diagnostic::error(
                Code::NotACondition,
                self.origin,
                e.span,
                format!("this is {}, not a condition", a(&self.vocab.show(&ty))),
            )
            .label("expected something true or false")
            .help("compare it with a value, e.g. `… == …`");
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
            let always = match value {
                Some(true) => "always true",
                Some(false) => "always false",
                None => "always the same",
            };
            let consequence = match (role, value) {
                ("when", Some(false)) | ("require", Some(true)) | ("prohibit", Some(false)) => {
                    "so the rule can never find a violation"
                }
                ("when", Some(true)) => "so it filters nothing",
                ("unless", Some(true)) => "so the rule never applies",
                ("unless", Some(false)) => "so it excuses nothing",
                _ => "so the rule judges every event the same way",
            };
            let d = Diagnostic::error(
                Code::ConstantCondition,
                self.origin,
                e.span,
                format!("this `{role}` condition is {always}"),
            )
            .label(format!("does not depend on the event, {consequence}"))
            .help("refer to a field of the event, e.g. `e.field == value`");
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
            ExprKind::Set(items) => items.iter().any(|i| self.is_enum_candidate(i)),
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
            ExprKind::Field(..) => match self.field(e, true) {
                Some(access) => {
                    if access.slot == ir::TRIGGER_SLOT {
                        self.note_evidence(&access);
                    }
                    (
                        ir::Expr::Field {
                            slot: access.slot,
                            path: access.path,
                        },
                        access.ty,
                    )
                }
                None => (poisoned(), Ty::Error),
            },
            ExprKind::Has(inner) => (self.has(inner, e.span), Ty::Bool),
            ExprKind::Set(items) => self.set_literal(items, expected),
            ExprKind::Unary(UnaryOp::Not, inner) => {
                let inner = self.condition(inner);
                (ir::Expr::Not(Box::new(inner)), Ty::Bool)
            }
            ExprKind::Binary(op, lhs, rhs) => self.binary(*op, lhs, rhs, e.span),
        }
    }

    fn name(&mut self, n: &Ident, expected: Option<&Ty>) -> (ir::Expr, Ty) {
        if let Some(var) = self.lookup_var(&n.name).cloned() {
            return match var.kind {
                VarKind::Key(ty) => (ir::Expr::Slot(var.slot), ty),
                VarKind::Unknown => (ir::Expr::Slot(var.slot), Ty::Error),
                VarKind::Event(_) | VarKind::AnyEvent => {
                    self.error(
                        Code::TypeMismatch,
                        n.span,
                        format!("`{}` is a whole event, not a value", n.name),
                    )
                    .set_label("an event cannot be compared or tested directly")
                    .help = Some(format!(
                        "use one of its fields, e.g. `{}.processor`",
                        n.name
                    ));
                    (ir::Expr::Slot(var.slot), Ty::Error)
                }
            };
        }
        if let Some(c) = self.lookup_const(&n.name) {
            return (ir::Expr::Const(c.value.clone()), c.ty.clone());
        }
        // An enum value: from the expected enum if there is one.
        if let Some(Ty::Enum(want)) = expected {
            let info = &self.vocab.enums[*want as usize];
            if let Some(i) = info.values.iter().position(|v| *v == n.name) {
                return (
                    ir::Expr::Const(ir::Value::Enum(*want, i as u32)),
                    Ty::Enum(*want),
                );
            }
            let others = self.vocab.enums_with_value(&n.name);
            let values = info.values.join(", ");
            if let Some((other, _)) = others.first() {
                let other_name = self.vocab.enums[*other as usize].name.clone();
                let help = match did_you_mean(&n.name, info.values.iter().map(String::as_str)) {
                    Some(dym) => format!("{dym} the values of `{}` are: {values}", info.name),
                    None => format!("the values of `{}` are: {values}", info.name),
                };
                let name = info.name.clone();
                self.error(
                    Code::WrongEnum,
                    n.span,
                    format!("`{}` is a value of `{other_name}`, not of `{name}`", n.name),
                )
                .set_label(format!("expected a value of `{name}`"))
                .help = Some(help);
            } else {
                let help = match did_you_mean(&n.name, info.values.iter().map(String::as_str)) {
                    Some(dym) => dym,
                    None => format!("the values of `{}` are: {values}", info.name),
                };
                let name = info.name.clone();
                self.error(
                    Code::WrongEnum,
                    n.span,
                    format!("`{}` is not a value of `{name}`", n.name),
                )
                .set_label(format!("expected a value of `{name}`"))
                .help = Some(help);
            }
            return (poisoned(), Ty::Error);
        }
        let owners = self.vocab.enums_with_value(&n.name);
        if let [(e, v)] = owners.as_slice() {
            return (ir::Expr::Const(ir::Value::Enum(*e, *v)), Ty::Enum(*e));
        }
        if owners.len() > 1 {
            let names: Vec<String> = owners
                .iter()
                .map(|(e, _)| format!("`{}`", self.vocab.enums[*e as usize].name))
                .collect();
            self.error(
                Code::UnknownName,
                n.span,
                format!("`{}` could be a value of several enums", n.name),
            )
            .set_label(format!("a value of {}", names.join(" and ")))
            .help = Some("compare it with a field, which tells which enum is meant".into());
            return (poisoned(), Ty::Error);
        }
        let candidates: Vec<String> = self
            .vars
            .iter()
            .map(|v| v.name.clone())
            .chain(self.consts.names())
            .collect();
        let help =
            did_you_mean(&n.name, candidates.iter().map(String::as_str)).unwrap_or_else(|| {
                "names are event variables bound by `on`, constants, or enum values".into()
            });
        self.error(
            Code::UnknownName,
            n.span,
            format!("unknown name `{}`", n.name),
        )
        .set_label("not a variable, constant or enum value")
        .help = Some(help);
        (poisoned(), Ty::Error)
    }

    /// Resolves `var.a.b`; with `check_guard`, reports optional fields read without `has`.
    fn field(&mut self, e: &ast::Expr, check_guard: bool) -> Option<FieldAccess> {
        let mut chain: Vec<&Ident> = Vec::new();
        let mut base = e;
        while let ExprKind::Field(inner, name) = &base.kind {
            chain.push(name);
            base = inner;
        }
        chain.reverse();
        let ExprKind::Name(var_name) = &base.kind else {
            self.error(
                Code::TypeMismatch,
                base.span,
                "only event variables have fields",
            )
            .set_label("this is not an event variable")
            .help = Some("write `e.field` where `e` is bound by `on EVENT e`".into());
            return None;
        };
        let Some(var) = self.lookup_var(&var_name.name).cloned() else {
            let candidates: Vec<String> = self.vars.iter().map(|v| v.name.clone()).collect();
            let help = did_you_mean(&var_name.name, candidates.iter().map(String::as_str))
                .unwrap_or_else(|| "bind the event with `on EVENT NAME` first".into());
            self.error(
                Code::UnknownName,
                var_name.span,
                format!("unknown variable `{}`", var_name.name),
            )
            .set_label("not bound in this rule")
            .help = Some(help);
            return None;
        };
        let vocab = self.vocab;
        let (mut fields, owner): (&[FieldInfo], String) = match &var.kind {
            VarKind::Event(id) => {
                let ev = &vocab.events[*id as usize];
                (&ev.fields, format!("event type `{}`", ev.name))
            }
            VarKind::AnyEvent => (&vocab.common, "every event type (`any event`)".into()),
            VarKind::Key(ty) => {
                let ty = vocab.show(ty);
                self.error(
                    Code::TypeMismatch,
                    chain[0].span,
                    format!("`{}` is a state key ({ty}), which has no fields", var.name),
                )
                .set_label("no fields here");
                return None;
            }
            VarKind::Unknown => return None,
        };
        let mut path = Vec::new();
        let mut label = String::new();
        let mut ty = Ty::Error;
        let mut last_may_be_absent = false;
        for (depth, name) in chain.iter().enumerate() {
            let Some(index) = fields.iter().position(|f| f.name == name.name) else {
                let mut help = did_you_mean(&name.name, fields.iter().map(|f| f.name.as_str()))
                    .unwrap_or_else(|| {
                        format!(
                            "its fields are: {}",
                            fields
                                .iter()
                                .map(|f| f.name.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        )
                    });
                if matches!(var.kind, VarKind::AnyEvent) && depth == 0 {
                    help.push_str(
                        "; with `any event` only the vocabulary's `common` fields are known: name the event type instead",
                    );
                }
                self.error(
                    Code::UnknownField,
                    name.span,
                    format!("{owner} has no field `{}`", name.name),
                )
                .set_label("unknown field")
                .help = Some(help);
                return None;
            };
            let field = &fields[index];
            path.push(index as u32);
            if !label.is_empty() {
                label.push('.');
            }
            label.push_str(&field.name);
            ty = field.ty.clone();
            last_may_be_absent = field.may_be_absent();
            let is_last = depth + 1 == chain.len();
            if field.may_be_absent()
                && (check_guard || !is_last)
                && !self.facts.iter().any(|(s, p)| *s == var.slot && *p == path)
            {
                let written = format!("{}.{}", var.name, label);
                self.error(
                    Code::UnguardedOptional,
                    name.span,
                    format!("`{written}` is optional and may be absent"),
                )
                .set_label("used without checking that it is present")
                .help = Some(format!(
                    "check it first: `has({written}) and …` (in `when`, or earlier in the same `and`)"
                ));
                return None;
            }
            if !is_last {
                match &field.ty {
                    Ty::Record(r) => {
                        fields = &vocab.records[*r as usize].fields;
                    }
                    other => {
                        let shown = vocab.show(other);
                        self.error(
                            Code::UnknownField,
                            chain[depth + 1].span,
                            format!(
                                "`{}.{label}` is {}, which has no fields",
                                var.name,
                                a(&shown)
                            ),
                        )
                        .set_label("no fields here");
                        return None;
                    }
                }
            }
        }
        Some(FieldAccess {
            slot: var.slot,
            path,
            ty,
            label,
            last_may_be_absent,
        })
    }

    fn note_evidence(&mut self, access: &FieldAccess) {
        if !self.evidence.iter().any(|e| e.path == access.path) {
            self.evidence.push(ir::Evidence {
                label: access.label.clone(),
                path: access.path.clone(),
            });
        }
    }

    fn has(&mut self, inner: &ast::Expr, span: Span) -> ir::Expr {
        if !matches!(inner.kind, ExprKind::Field(..)) {
            self.error(
                Code::NotAField,
                inner.span,
                "`has` takes a field of an event",
            )
            .set_label("not a field")
            .help = Some("write `has(e.field)`".into());
            return poisoned();
        }
        let Some(access) = self.field(inner, false) else {
            return poisoned();
        };
        if !access.last_may_be_absent {
            let d = Diagnostic::warning(
                Code::HasOnRequired,
                self.origin,
                span,
                format!("`{}` is always present", access.label),
            )
            .label("this check is always true")
            .help("the field is required or has a default: remove the `has` check");
            self.push(d);
        }
        ir::Expr::Has {
            slot: access.slot,
            path: access.path,
        }
    }

    fn set_literal(&mut self, items: &[ast::Expr], expected: Option<&Ty>) -> (ir::Expr, Ty) {
        let mut elem_ty = expected.and_then(Ty::element).cloned();
        // Type a non-enum-name element first, so bare enum names learn their enum.
        if elem_ty.is_none()
            && let Some(first) = items.iter().find(|i| !self.is_enum_candidate(i))
        {
            elem_ty = Some(self.infer(first, None).1);
        }
        let mut values: Vec<ir::Value> = Vec::new();
        let mut seen: HashSet<ir::Value> = HashSet::new();
        for item in items {
            let (expr, ty) = self.infer(item, elem_ty.as_ref());
            match &elem_ty {
                Some(want) if !want.accepts(&ty) => {
                    let (want, got) = (self.vocab.show(want), self.vocab.show(&ty));
                    self.error(
                        Code::TypeMismatch,
                        item.span,
                        format!("a set of {want} cannot hold {}", a(&got)),
                    )
                    .set_label(format!("expected a {want}"))
                    .help = Some("every element of a set has the same type".into());
                }
                None => elem_ty = Some(ty),
                _ => {}
            }
            match expr {
                ir::Expr::Const(v) => {
                    if seen.insert(v.clone()) {
                        values.push(v);
                    }
                }
                _ => {
                    self.error(
                        Code::TypeMismatch,
                        item.span,
                        "elements of a set literal must be fixed values",
                    )
                    .set_label("this depends on the event")
                    .help =
                        Some("write literals or enum values, or compare fields with `==`".into());
                }
            }
        }
        (
            ir::Expr::Const(ir::Value::List(values)),
            Ty::Set(Box::new(elem_ty.unwrap_or(Ty::Error))),
        )
    }

    fn binary(
        &mut self,
        op: BinaryOp,
        lhs: &ast::Expr,
        rhs: &ast::Expr,
        span: Span,
    ) -> (ir::Expr, Ty) {
        match op {
            BinaryOp::And => {
                let l = self.condition(lhs);
                let added = facts_of(&l);
                let n = added.len();
                self.facts.extend(added);
                let r = self.condition(rhs);
                self.facts.truncate(self.facts.len() - n);
                let mut parts = Vec::new();
                for side in [l, r] {
                    match side {
                        ir::Expr::And(inner) => parts.extend(inner),
                        other => parts.push(other),
                    }
                }
                (ir::Expr::And(parts), Ty::Bool)
            }
            BinaryOp::Or => {
                let l = self.condition(lhs);
                let r = self.condition(rhs);
                let mut parts = Vec::new();
                for side in [l, r] {
                    match side {
                        ir::Expr::Or(inner) => parts.extend(inner),
                        other => parts.push(other),
                    }
                }
                (ir::Expr::Or(parts), Ty::Bool)
            }
            BinaryOp::In => {
                let (element, elem_ty) = self.infer(lhs, None);
                let want_set = Ty::Set(Box::new(elem_ty.clone()));
                let (set, set_ty) = self.infer(rhs, Some(&want_set));
                match set_ty.element() {
                    Some(t) if t.accepts(&elem_ty) => {}
                    _ if set_ty == Ty::Error || elem_ty == Ty::Error => {}
                    _ => {
                        let shown_e = self.vocab.show(&elem_ty);
                        let shown_s = self.vocab.show(&set_ty);
                        self.error(
                            Code::TypeMismatch,
                            span,
                            format!("cannot look for {} in {}", a(&shown_e), a(&shown_s)),
                        )
                        .set_label(format!(
                            "`in` needs a set or list of {shown_e} on its right"
                        ))
                        .help = Some("write `x in {a, b}` or `x in e.list_field`".into());
                    }
                }
                (
                    ir::Expr::In {
                        element: Box::new(element),
                        set: Box::new(set),
                    },
                    Ty::Bool,
                )
            }
            cmp => {
                let (l, lt, r, rt) = if self.is_enum_candidate(lhs) && !self.is_enum_candidate(rhs)
                {
                    let (r, rt) = self.infer(rhs, None);
                    let (l, lt) = self.infer(lhs, Some(&rt));
                    (l, lt, r, rt)
                } else {
                    let (l, lt) = self.infer(lhs, None);
                    let (r, rt) = self.infer(rhs, Some(&lt));
                    (l, lt, r, rt)
                };
                let op = match cmp {
                    BinaryOp::Eq => ir::CmpOp::Eq,
                    BinaryOp::Ne => ir::CmpOp::Ne,
                    BinaryOp::Lt => ir::CmpOp::Lt,
                    BinaryOp::Le => ir::CmpOp::Le,
                    BinaryOp::Gt => ir::CmpOp::Gt,
                    _ => ir::CmpOp::Ge,
                };
                if !lt.accepts(&rt) {
                    let (left, right) = (a(&self.vocab.show(&lt)), a(&self.vocab.show(&rt)));
                    let hint = match (&lt, &rt) {
                        (Ty::Int, Ty::Str) | (Ty::Str, Ty::Int) => {
                            "numbers are written without quotes: `14`, not `\"14\"`".to_string()
                        }
                        (Ty::Enum(e), Ty::Str) | (Ty::Str, Ty::Enum(e)) => format!(
                            "enum values are written without quotes: use one of {}",
                            self.vocab.enums[*e as usize].values.join(", ")
                        ),
                        _ => "both sides of a comparison must have the same type".to_string(),
                    };
                    self.error(
                        Code::TypeMismatch,
                        span,
                        format!("cannot compare {left} with {right}"),
                    )
                    .set_label(format!(
                        "`{}` has {left} on its left and {right} on its right",
                        cmp.symbol(),
                    ))
                    .help = Some(hint);
                } else if !matches!(op, ir::CmpOp::Eq | ir::CmpOp::Ne) && !lt.is_ordered() {
                    self.error(
                        Code::TypeMismatch,
                        span,
                        format!(
                            "`{}` does not apply to {}",
                            cmp.symbol(),
                            a(&self.vocab.show(&lt))
                        ),
                    )
                    .set_label("only numbers, dates, times and durations are ordered")
                    .help = Some("use `==` or `!=`".into());
                } else if matches!(lt, Ty::Record(_) | Ty::List(_) | Ty::Set(_)) {
                    self.error(
                        Code::TypeMismatch,
                        span,
                        format!("{} cannot be compared as a whole", a(&self.vocab.show(&lt))),
                    )
                    .set_label("compare one of its fields instead")
                    .help = Some("e.g. `e.record.field == value`".into());
                }
                (
                    ir::Expr::Cmp {
                        op,
                        lhs: Box::new(l),
                        rhs: Box::new(r),
                    },
                    Ty::Bool,
                )
            }
        }
    }

    /// An integer expression (a duration amount or a threshold).
    pub(crate) fn int(&mut self, e: &ast::Expr, what: &str) -> ir::Expr {
        let (expr, ty) = self.infer(e, Some(&Ty::Int));
        if !Ty::Int.accepts(&ty) {
            let shown = self.vocab.show(&ty);
            self.error(
                Code::TypeMismatch,
                e.span,
                format!("{what} must be a whole number, not {}", a(&shown)),
            )
            .set_label("expected an int");
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
