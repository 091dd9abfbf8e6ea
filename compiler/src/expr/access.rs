//! Names and field accesses: variables, constants, enum values, `e.a.b` paths and `has(…)`.

use edict_grammar::ast::{self, ExprKind, Ident, Span};
use edict_runtime::ir::{self, Slot};

use super::{Checker, VarKind, poisoned};
use crate::diagnostic::{Code, Diagnostic, Text, did_you_mean};
use crate::types::{Ty, a};
use crate::vocab::FieldInfo;
use edict_grammar::tr;

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
                    // The example names a field the event really has.
                    let fields = match var.kind {
                        VarKind::Event(id) => self.vocab.events.get(id as usize).map(|e| &e.fields),
                        _ => Some(&self.vocab.common),
                    };
                    let name = &n.name;
                    let (example, example_zh) = fields
                        .and_then(|f| f.first())
                        .map(|f| {
                            let field = &f.name;
                            (
                                format!(", e.g. `{name}.{field}`"),
                                format!("，如`{name}.{field}`"),
                            )
                        })
                        .unwrap_or_default();
                    self.error(
                        Code::TypeMismatch,
                        n.span,
                        tr!(
                            "`{name}` is a whole event, not a value",
                            "`{name}`是整个事件，不是一个值"
                        ),
                    )
                    .set_label(tr!(
                        "an event cannot be compared or tested directly",
                        "事件本身不能直接比较或检验"
                    ))
                    .help = Some(tr!(
                        "use one of its fields{example}",
                        "使用它的某个字段{example_zh}"
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
            let (values, values_zh) = (info.values.join(", "), info.values.join("、"));
            let (value, name) = (&n.name, info.name.clone());
            let listed = tr!(
                "the values of `{name}` are: {values}",
                "`{name}`的值有：{values_zh}"
            );
            if let Some((other, _)) = others.first() {
                let other_name = self.vocab.enums[*other as usize].name.clone();
                let help = match did_you_mean(&n.name, info.values.iter().map(String::as_str)) {
                    Some(dym) => dym.map(|d, lang| format!("{d} {}", listed.get(lang))),
                    None => listed,
                };
                self.error(
                    Code::WrongEnum,
                    n.span,
                    tr!(
                        "`{value}` is a value of `{other_name}`, not of `{name}`",
                        "`{value}`是`{other_name}`的值，不是`{name}`的值"
                    ),
                )
                .set_label(tr!("expected a value of `{name}`", "这里需要`{name}`的值"))
                .help = Some(help);
            } else {
                let help =
                    did_you_mean(&n.name, info.values.iter().map(String::as_str)).unwrap_or(listed);
                self.error(
                    Code::WrongEnum,
                    n.span,
                    tr!(
                        "`{value}` is not a value of `{name}`",
                        "`{value}`不是`{name}`的值"
                    ),
                )
                .set_label(tr!("expected a value of `{name}`", "这里需要`{name}`的值"))
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
            let (value, names_en, names_zh) = (&n.name, names.join(" and "), names.join("和"));
            self.error(
                Code::UnknownName,
                n.span,
                tr!(
                    "`{value}` could be a value of several enums",
                    "`{value}`可能是多个枚举的值"
                ),
            )
            .set_label(tr!("a value of {names_en}", "{names_zh}的值"))
            .help = Some(tr!(
                "compare it with a field, which tells which enum is meant",
                "把它和字段比较，字段会表明是哪个枚举"
            ));
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
                tr!(
                    "names are event variables bound by `on`, constants, or enum values",
                    "名称可以是由`对于`绑定的事件变量、常量或枚举值"
                )
            });
        let name = &n.name;
        self.error(
            Code::UnknownName,
            n.span,
            tr!("unknown name `{name}`", "未知的名称`{name}`"),
        )
        .set_label(tr!(
            "not a variable, constant or enum value",
            "不是变量、常量或枚举值"
        ))
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
                tr!("only event variables have fields", "只有事件变量才有字段"),
            )
            .set_label(tr!("this is not an event variable", "这不是事件变量"))
            .help = Some(tr!(
                "write `e.field` where `e` is bound by `on EVENT e`",
                "写作`e.field`，其中`e`由`对于 事件类型 e`绑定"
            ));
            return None;
        };
        let Some(var) = self.lookup_var(&var_name.name).cloned() else {
            let candidates: Vec<String> = self.vars.iter().map(|v| v.name.clone()).collect();
            let help = did_you_mean(&var_name.name, candidates.iter().map(String::as_str))
                .unwrap_or_else(|| {
                    tr!(
                        "bind the event with `on EVENT NAME` first",
                        "先用`对于 事件类型 名称`绑定事件"
                    )
                });
            let name = &var_name.name;
            self.error(
                Code::UnknownName,
                var_name.span,
                tr!("unknown variable `{name}`", "未知的变量`{name}`"),
            )
            .set_label(tr!("not bound in this rule", "这条规则中没有绑定"))
            .help = Some(help);
            return None;
        };
        let vocab = self.vocab;
        let (mut fields, owner): (&[FieldInfo], Text) = match &var.kind {
            VarKind::Event(id) => {
                let ev = &vocab.events[*id as usize];
                let name = &ev.name;
                (&ev.fields, tr!("event type `{name}`", "事件类型`{name}`"))
            }
            VarKind::AnyEvent => (
                &vocab.common,
                tr!(
                    "every event type (`any event`)",
                    "每个事件类型（`任何事件`）"
                ),
            ),
            VarKind::Key(ty) => {
                let ty = vocab.show(ty);
                let (name, ty_en, ty_zh) = (&var.name, &ty.en, &ty.zh);
                self.error(
                    Code::TypeMismatch,
                    chain[0].span,
                    tr!(
                        "`{name}` is a state key ({ty_en}), which has no fields",
                        "`{name}`是状态的键（{ty_zh}），没有字段"
                    ),
                )
                .set_label(tr!("no fields here", "这里没有字段"));
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
                        let names: Vec<&str> = fields.iter().map(|f| f.name.as_str()).collect();
                        let (en, zh) = (names.join(", "), names.join("、"));
                        tr!("its fields are: {en}", "它的字段有：{zh}")
                    });
                if matches!(var.kind, VarKind::AnyEvent) && depth == 0 {
                    help.en.push_str(
                        "; with `any event` only the vocabulary's `common` fields are known: name the event type instead",
                    );
                    help.zh
                        .push_str("；用`任何事件`时只知道词汇的`公共`字段：请改为指明事件类型");
                }
                let (field, owner_en, owner_zh) = (&name.name, &owner.en, &owner.zh);
                self.error(
                    Code::UnknownField,
                    name.span,
                    tr!(
                        "{owner_en} has no field `{field}`",
                        "{owner_zh}没有字段`{field}`"
                    ),
                )
                .set_label(tr!("unknown field", "未知的字段"))
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
                    tr!(
                        "`{written}` is optional and may be absent",
                        "`{written}`是可选字段，可能不存在"
                    ),
                )
                .set_label(tr!(
                    "used without checking that it is present",
                    "使用前没有检查它是否存在"
                ))
                .help = Some(tr!(
                    "check it first: `has({written}) and …` (in `when`, or earlier in the same `and`)",
                    "先检查它：`存在({written}) 并且 …`（写在`当`中，或同一个`并且`的前面）"
                ));
                return None;
            }
            if !is_last {
                match &field.ty {
                    Ty::Record(r) => {
                        fields = &vocab.records[*r as usize].fields;
                    }
                    other => {
                        let shown = a(&vocab.show(other));
                        let (name, shown_en, shown_zh) = (&var.name, &shown.en, &shown.zh);
                        self.error(
                            Code::UnknownField,
                            chain[depth + 1].span,
                            tr!(
                                "`{name}.{label}` is {shown_en}, which has no fields",
                                "`{name}.{label}`是{shown_zh}，没有字段"
                            ),
                        )
                        .set_label(tr!("no fields here", "这里没有字段"));
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
                tr!(
                    "`has` takes a field of an event",
                    "`存在`的参数是事件的字段"
                ),
            )
            .set_label(tr!("not a field", "不是字段"))
            .help = Some(tr!("write `has(e.field)`", "写作`存在(e.field)`"));
            return poisoned();
        }
        let Some(access) = self.field(inner, false) else {
            return poisoned();
        };
        if !access.last_may_be_absent {
            let label = &access.label;
            let d = Diagnostic::warning(
                Code::HasOnRequired,
                self.origin,
                span,
                tr!("`{label}` is always present", "`{label}`总是存在"),
            )
            .label(tr!("this check is always true", "这个检查总是为真"))
            .help(tr!(
                "the field is required or has a default: remove the `has` check",
                "这个字段是必填的或有默认值：去掉`存在`检查"
            ));
            self.push(d);
        }
        ir::Expr::Has {
            slot: access.slot,
            path: access.path,
        }
    }
}
