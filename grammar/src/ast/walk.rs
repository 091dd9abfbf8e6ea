//! Every name of a syntax tree with the part it plays, in source order: what tells a keyword
//! from a name that is spelled like one, for the formatter and the editor's highlighting.

use super::*;

/// The part a name plays where it is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NameRole {
    /// `regulation ID`.
    Regulation,
    /// `vocabulary NAME`, the name in `use vocabulary NAME from …`, or the base in
    /// `extends NAME from …`.
    Vocabulary,
    /// `enum NAME`.
    EnumDecl,
    /// A value listed in an enum.
    EnumValue,
    /// `record NAME`.
    RecordDecl,
    /// `event NAME`.
    EventDecl,
    /// A field declared in a record, an event type or `common`.
    FieldDecl,
    /// A type named in a field declaration.
    TypeRef,
    /// A role in `roles { party: FIELD }`.
    Role,
    /// The field that fills a role.
    RoleField,
    /// The field in `partition by FIELD`.
    PartitionField,
    /// `rule NAME:`.
    RuleName,
    /// An event type a rule, pattern, exemption or state update names.
    EventRef,
    /// A variable bound to an event (`on enrollment e`) or a state key (`size(S[k])`).
    Binding,
    /// `state NAME`.
    StateDecl,
    /// A state named in `size(STATE[k])`.
    StateRef,
    /// The field a set state holds (`set of FIELD`).
    StateElement,
    /// The field a state is keyed by (`per FIELD`).
    StateKey,
    /// `const NAME`.
    ConstDecl,
    /// A bare name in an expression: a variable, a constant or an enum value.
    Name,
    /// A field read in an expression (`e.FIELD`).
    Field,
    /// The variable `after` counts from.
    AfterVar,
}

/// Calls `f` with every name of the file and its role, in source order.
pub fn names(file: &File, f: &mut dyn FnMut(&Ident, NameRole)) {
    let mut found: Vec<(&Ident, NameRole)> = Vec::new();
    for item in &file.items {
        item_names(item, &mut found);
    }
    found.sort_by_key(|(id, _)| id.span.start);
    for (id, role) in found {
        f(id, role);
    }
}

type Found<'a> = Vec<(&'a Ident, NameRole)>;

fn item_names<'a>(item: &'a Item, out: &mut Found<'a>) {
    match item {
        Item::Regulation(r) => {
            out.push((&r.id, NameRole::Regulation));
            for field in &r.fields {
                if let HeaderField::UseVocabulary { name, .. } = field {
                    out.push((name, NameRole::Vocabulary));
                }
            }
        }
        Item::Vocabulary(v) => {
            out.push((&v.name, NameRole::Vocabulary));
            if let Some(extends) = &v.extends {
                out.push((&extends.base, NameRole::Vocabulary));
            }
            for decl in &v.decls {
                match decl {
                    VocabDecl::Enum { name, values } => {
                        out.push((name, NameRole::EnumDecl));
                        out.extend(values.iter().map(|v| (v, NameRole::EnumValue)));
                    }
                    VocabDecl::Record { name, fields } => {
                        out.push((name, NameRole::RecordDecl));
                        field_names(fields, out);
                    }
                    VocabDecl::Event { name, fields, .. } => {
                        out.push((name, NameRole::EventDecl));
                        field_names(fields, out);
                    }
                    VocabDecl::Common { fields, .. } => field_names(fields, out),
                    VocabDecl::Roles { roles, .. } => {
                        for r in roles {
                            out.push((&r.role, NameRole::Role));
                            out.push((&r.field, NameRole::RoleField));
                        }
                    }
                    VocabDecl::Partition { field, .. } => {
                        out.push((field, NameRole::PartitionField));
                    }
                }
            }
        }
        // The key of an article of unknown number is not an `Ident`: it is part of the
        // article's number span.
        Item::Article(a) => entries_names(&a.body, out),
        Item::Const(c) => {
            out.push((&c.name, NameRole::ConstDecl));
            expr_names(&c.value, out);
        }
        Item::State(s) => {
            out.push((&s.name, NameRole::StateDecl));
            if let StateKind::Set { element } = &s.kind {
                out.push((element, NameRole::StateElement));
            }
            out.push((&s.key, NameRole::StateKey));
            for u in &s.updates {
                out.push((&u.event, NameRole::EventRef));
                out.push((&u.binding, NameRole::Binding));
                if let StateOp::Add(e) | StateOp::Remove(e) = &u.op {
                    expr_names(e, out);
                }
            }
        }
        Item::Calendar(_) => {}
        Item::Stray(entry) => entries_names(std::slice::from_ref(entry), out),
    }
}

fn field_names<'a>(fields: &'a [FieldDecl], out: &mut Found<'a>) {
    for f in fields {
        out.push((&f.name, NameRole::FieldDecl));
        type_names(&f.ty, out);
        if let Some(d) = &f.default {
            expr_names(d, out);
        }
    }
}

fn type_names<'a>(ty: &'a TypeExpr, out: &mut Found<'a>) {
    match ty {
        TypeExpr::Named(id) => out.push((id, NameRole::TypeRef)),
        TypeExpr::List(inner, _) | TypeExpr::Set(inner, _) => type_names(inner, out),
    }
}

fn entries_names<'a>(entries: &'a [ClauseEntry], out: &mut Found<'a>) {
    for entry in entries {
        match entry {
            ClauseEntry::Paragraph(sub) | ClauseEntry::Item(sub) => entries_names(&sub.body, out),
            ClauseEntry::Rule(rule) => rule_names(rule, out),
            ClauseEntry::Exempt(x) => {
                if let Some(event) = &x.event {
                    out.push((event, NameRole::EventRef));
                }
                out.push((&x.binding, NameRole::Binding));
                expr_names(&x.condition, out);
            }
            ClauseEntry::NotCheckable(_) => {}
        }
    }
}

fn rule_names<'a>(rule: &'a Rule, out: &mut Found<'a>) {
    out.push((&rule.name, NameRole::RuleName));
    match &rule.trigger {
        Some(Trigger::Event { event, binding }) => {
            out.push((event, NameRole::EventRef));
            out.push((binding, NameRole::Binding));
        }
        Some(Trigger::Reaches {
            state,
            key,
            threshold,
            ..
        }) => {
            out.push((state, NameRole::StateRef));
            out.push((key, NameRole::Binding));
            expr_names(threshold, out);
        }
        None => {}
    }
    for e in rule.when.iter().chain(&rule.unless) {
        expr_names(e, out);
    }
    match &rule.body {
        RuleBody::Require(e) | RuleBody::Prohibit(e) => expr_names(e, out),
        RuleBody::Once(once) => once_names(once, out),
        RuleBody::Deadline(dl) => {
            pattern_names(&dl.pattern, out);
            if let Deadline::Within { duration, after } = &dl.deadline {
                expr_names(&duration.amount, out);
                if let Some(after) = after {
                    out.push((after, NameRole::AfterVar));
                }
            }
        }
    }
}

fn once_names<'a>(once: &'a OnceRequirement, out: &mut Found<'a>) {
    pattern_names(&once.pattern, out);
    if let Some(d) = &once.within {
        expr_names(&d.amount, out);
    }
    for reset in &once.resets {
        pattern_names(reset, out);
    }
}

fn pattern_names<'a>(p: &'a EventPattern, out: &mut Found<'a>) {
    out.push((&p.event, NameRole::EventRef));
    out.push((&p.binding, NameRole::Binding));
    if let Some(c) = &p.condition {
        expr_names(c, out);
    }
}

/// The names of an expression, with an explicit stack so that long chains do not recurse.
fn expr_names<'a>(expr: &'a Expr, out: &mut Found<'a>) {
    let mut stack = vec![expr];
    while let Some(e) = stack.pop() {
        match &e.kind {
            ExprKind::Name(n) => out.push((n, NameRole::Name)),
            ExprKind::Field(base, name) => {
                out.push((name, NameRole::Field));
                stack.push(base);
            }
            ExprKind::Has(inner) | ExprKind::Unary(_, inner) => stack.push(inner),
            ExprKind::Set(items) | ExprKind::List(items) | ExprKind::Logic(_, items) => {
                stack.extend(items.iter())
            }
            ExprKind::Binary(_, lhs, rhs) => {
                stack.push(lhs);
                stack.push(rhs);
            }
            // A `once` inside a condition is rare and shallow: its own names recurse once.
            ExprKind::Once(once) => once_names(once, out),
            ExprKind::Bool(_)
            | ExprKind::Int(_)
            | ExprKind::Str(_)
            | ExprKind::Date(_)
            | ExprKind::Duration(..)
            | ExprKind::Error => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_come_in_source_order_with_their_roles() {
        let source = "const on = 1\narticle 7 {\n  rule rule: on event e when e.when == on require has(e.x)\n}\n";
        let (file, errors) = crate::parse(source);
        assert!(errors.is_empty(), "{errors:?}");
        let mut seen = Vec::new();
        names(&file, &mut |id, role| seen.push((id.name.clone(), role)));
        let want = [
            ("on", NameRole::ConstDecl),
            ("rule", NameRole::RuleName),
            ("event", NameRole::EventRef),
            ("e", NameRole::Binding),
            ("e", NameRole::Name),
            ("when", NameRole::Field),
            ("on", NameRole::Name),
            ("e", NameRole::Name),
            ("x", NameRole::Field),
        ];
        let want: Vec<(String, NameRole)> = want.iter().map(|(n, r)| (n.to_string(), *r)).collect();
        assert_eq!(seen, want);
    }
}
