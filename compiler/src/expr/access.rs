//! Names and field accesses: variables, constants, enum values, `e.a.b` paths and `has(…)`.

use edict_grammar::ast::{self, ExprKind, Ident, Span};
use edict_runtime::ir::{self, Slot};

use super::{Checker, VarKind, poisoned};
use crate::diagnostic::{Code, Diagnostic, did_you_mean};
use crate::types::{Ty, a};
use crate::vocab::FieldInfo;

/// A resolved field access.
pub(super) struct FieldAccess {
    pub(super) slot: Slot,
    pub(super) path: Vec<u32>,
    pub(super) ty: Ty,
    /// The dotted path without the variable, e.g. `consent.given_by`.
    pub(super) label: String,
    /// Whether the last field may be absent.
    pub(super) last_may_be_absent: bool,
}

impl Checker<'_> {
    pub(super) fn name(&mut self, n: &Ident, expected: Option<&Ty>) -> (ir::Expr, Ty) {
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
    pub(super) fn field(&mut self, e: &ast::Expr, check_guard: bool) -> Option<FieldAccess> {
        let mut chain: Vec<&Ident> = Vec::new();
        let mut base = e;
        while let ExprKind::Field(inner, name) = &base.kind {
            chain.push(name);
            base = inner;
        }
        chain.reverse();
        if matches!(base.kind, ExprKind::Error) {
            // The parser reported it.
            return None;
        }
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

    pub(super) fn note_evidence(&mut self, access: &FieldAccess) {
        if !self.evidence.iter().any(|e| e.path == access.path) {
            self.evidence.push(ir::Evidence {
                label: access.label.clone(),
                path: access.path.clone(),
            });
        }
    }

    pub(super) fn has(&mut self, inner: &ast::Expr, span: Span) -> ir::Expr {
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
}
