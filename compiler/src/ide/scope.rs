//! What stands at an offset of a syntax tree: a name and its role, the clause header it is in,
//! the variables in scope there, the field path it ends, and what a name refers to.

use edict_grammar::ast::walk::{NameRole, names};
use edict_grammar::ast::{
    self, ClauseEntry, Deadline, Expr, ExprKind, Ident, Item, RuleBody, Span, StateOp, Trigger,
    VocabDecl,
};
use edict_runtime::ir::ClauseRef;

use super::{Ctx, Location, touches};
use crate::declare::{package_consts, package_states};
use crate::types::Ty;
use crate::vocab::{FieldInfo, Vocab};

/// What a variable is bound to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Bound {
    /// An event of this type.
    Event(String),
    /// `any event`: only the common fields are known.
    AnyEvent,
    /// A state's key, from `size(STATE[k])`.
    Key(String),
}

/// A variable and where it is bound.
#[derive(Clone, Debug)]
pub(crate) struct Binding {
    pub(crate) ident: Ident,
    pub(crate) bound: Bound,
}

/// The name at an offset, with its role.
pub(crate) fn name_at(tree: &ast::File, offset: u32) -> Option<(Ident, NameRole)> {
    let mut found: Option<(Ident, NameRole)> = None;
    names(tree, &mut |id, role| {
        if touches(id.span, offset) && found.is_none() {
            found = Some((id.clone(), role));
        }
    });
    found
}

/// The clause whose header (number and title) covers the offset, with the header's span.
pub(crate) fn clause_header_at(tree: &ast::File, offset: u32) -> Option<(ClauseRef, Span)> {
    for item in &tree.items {
        let Item::Article(a) = item else { continue };
        let clause = ClauseRef::article(a.article.clone());
        let end = a.title.as_ref().map_or(a.number_span.end, |t| t.span.end);
        let head = Span {
            start: a.number_span.start,
            end,
        };
        if touches(head, offset) {
            return Some((clause, head));
        }
        if touches(a.span, offset) {
            return sub_header_at(&a.body, &clause, offset);
        }
    }
    None
}

fn sub_header_at(
    body: &[ClauseEntry],
    clause: &ClauseRef,
    offset: u32,
) -> Option<(ClauseRef, Span)> {
    for entry in body {
        let (ClauseEntry::Paragraph(sub) | ClauseEntry::Item(sub)) = entry else {
            continue;
        };
        let inner = if matches!(entry, ClauseEntry::Item(_)) {
            clause.item(sub.number.value)
        } else {
            clause.paragraph(sub.number.value)
        };
        let end = sub
            .title
            .as_ref()
            .map_or(sub.number.span.end, |t| t.span.end);
        let head = Span {
            start: sub.number.span.start,
            end,
        };
        if touches(head, offset) {
            return Some((inner, head));
        }
        if touches(sub.span, offset) {
            return sub_header_at(&sub.body, &inner, offset);
        }
    }
    None
}

/// The clause of the block the offset is in, and the rule there if the offset is in one.
pub(crate) fn enclosing(tree: &ast::File, offset: u32) -> (Option<ClauseRef>, Option<&ast::Rule>) {
    fn walk(
        body: &[ClauseEntry],
        clause: ClauseRef,
        offset: u32,
    ) -> (Option<ClauseRef>, Option<&ast::Rule>) {
        for entry in body {
            match entry {
                ClauseEntry::Paragraph(sub) | ClauseEntry::Item(sub)
                    if touches(sub.span, offset) =>
                {
                    let inner = if matches!(entry, ClauseEntry::Item(_)) {
                        clause.item(sub.number.value)
                    } else {
                        clause.paragraph(sub.number.value)
                    };
                    return walk(&sub.body, inner, offset);
                }
                ClauseEntry::Rule(rule) if touches(rule.span, offset) => {
                    return (Some(clause), Some(rule));
                }
                _ => {}
            }
        }
        (Some(clause), None)
    }
    for item in &tree.items {
        match item {
            Item::Article(a) if touches(a.span, offset) => {
                return walk(&a.body, ClauseRef::article(a.article.clone()), offset);
            }
            Item::Stray(ClauseEntry::Rule(rule)) if touches(rule.span, offset) => {
                return (None, Some(rule));
            }
            _ => {}
        }
    }
    (None, None)
}

/// The variables bound in a rule.
pub(crate) fn rule_bindings(rule: &ast::Rule) -> Vec<Binding> {
    let mut out = Vec::new();
    let event = |ident: &Ident, event: &Ident| Binding {
        ident: ident.clone(),
        bound: Bound::Event(event.name.clone()),
    };
    match &rule.trigger {
        Some(Trigger::Event { event: e, binding }) => out.push(event(binding, e)),
        Some(Trigger::Reaches { state, key, .. }) => out.push(Binding {
            ident: key.clone(),
            bound: Bound::Key(state.name.clone()),
        }),
        None => {}
    }
    match &rule.body {
        RuleBody::Once(once) => {
            out.push(event(&once.pattern.binding, &once.pattern.event));
            for r in &once.resets {
                out.push(event(&r.binding, &r.event));
            }
        }
        RuleBody::Deadline(dl) => out.push(event(&dl.pattern.binding, &dl.pattern.event)),
        RuleBody::Require(_) | RuleBody::Prohibit(_) => {}
    }
    out
}

/// The variables in scope at an offset, and the expressions of the construct that binds them.
pub(crate) fn scope_at(tree: &ast::File, offset: u32) -> (Vec<Binding>, Vec<&Expr>) {
    if let (_, Some(rule)) = enclosing(tree, offset) {
        return (rule_bindings(rule), rule_exprs(rule));
    }
    for item in &tree.items {
        match item {
            Item::Article(a) if touches(a.span, offset) => {
                if let Some(x) = find_exempt(&a.body, offset) {
                    let bound = match &x.event {
                        Some(e) => Bound::Event(e.name.clone()),
                        None => Bound::AnyEvent,
                    };
                    let binding = Binding {
                        ident: x.binding.clone(),
                        bound,
                    };
                    return (vec![binding], vec![&x.condition]);
                }
            }
            Item::State(s) if touches(s.span, offset) => {
                for u in &s.updates {
                    if touches(u.span, offset) {
                        let binding = Binding {
                            ident: u.binding.clone(),
                            bound: Bound::Event(u.event.name.clone()),
                        };
                        let exprs = match &u.op {
                            StateOp::Add(e) | StateOp::Remove(e) => vec![e],
                            _ => Vec::new(),
                        };
                        return (vec![binding], exprs);
                    }
                }
            }
            Item::Const(c) if touches(c.span, offset) => return (Vec::new(), vec![&c.value]),
            _ => {}
        }
    }
    (Vec::new(), Vec::new())
}

fn find_exempt(body: &[ClauseEntry], offset: u32) -> Option<&ast::Exempt> {
    for entry in body {
        match entry {
            ClauseEntry::Exempt(x) if touches(x.span, offset) => return Some(x),
            ClauseEntry::Paragraph(sub) | ClauseEntry::Item(sub) if touches(sub.span, offset) => {
                return find_exempt(&sub.body, offset);
            }
            _ => {}
        }
    }
    None
}

/// Every expression of a rule.
pub(crate) fn rule_exprs(rule: &ast::Rule) -> Vec<&Expr> {
    let mut out: Vec<&Expr> = Vec::new();
    if let Some(Trigger::Reaches { threshold, .. }) = &rule.trigger {
        out.push(threshold);
    }
    out.extend(rule.when.iter());
    match &rule.body {
        RuleBody::Require(e) | RuleBody::Prohibit(e) => out.push(e),
        RuleBody::Once(once) => {
            out.extend(once.pattern.condition.iter());
            out.extend(once.within.iter().map(|d| &d.amount));
            for r in &once.resets {
                out.extend(r.condition.iter());
            }
        }
        RuleBody::Deadline(dl) => {
            out.extend(dl.pattern.condition.iter());
            if let Deadline::Within { duration, .. } = &dl.deadline {
                out.push(&duration.amount);
            }
        }
    }
    out.extend(rule.unless.iter());
    out
}

/// The variable and the fields of `var.a.b` up to the field whose name covers the offset.
pub(crate) fn field_path_at(exprs: &[&Expr], offset: u32) -> Option<(Ident, Vec<Ident>)> {
    let mut stack: Vec<&Expr> = exprs.to_vec();
    while let Some(e) = stack.pop() {
        match &e.kind {
            ExprKind::Field(base, name) => {
                if touches(name.span, offset) {
                    let mut path = vec![name.clone()];
                    let mut b = &**base;
                    while let ExprKind::Field(inner, n) = &b.kind {
                        path.push(n.clone());
                        b = inner;
                    }
                    path.reverse();
                    let ExprKind::Name(var) = &b.kind else {
                        return None;
                    };
                    return Some((var.clone(), path));
                }
                stack.push(base);
            }
            ExprKind::Has(inner) | ExprKind::Unary(_, inner) => stack.push(inner),
            ExprKind::Set(items) | ExprKind::List(items) | ExprKind::Logic(_, items) => {
                stack.extend(items.iter())
            }
            ExprKind::Binary(_, l, r) => {
                stack.push(l);
                stack.push(r);
            }
            ExprKind::Once(once) => stack.extend(
                std::iter::once(&once.pattern)
                    .chain(&once.resets)
                    .filter_map(|p| p.condition.as_ref()),
            ),
            ExprKind::Duration(..)
            | ExprKind::Name(_)
            | ExprKind::Bool(_)
            | ExprKind::Int(_)
            | ExprKind::Str(_)
            | ExprKind::Date(_)
            | ExprKind::Error => {}
        }
    }
    None
}

/// Where a field's declaration is looked up: an event type, a record, or `common`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Owner {
    Event(String),
    Record(String),
    Common,
}

/// The fields a variable of this kind has, and their owner.
pub(crate) fn fields_of<'v>(vocab: &'v Vocab, bound: &Bound) -> Option<(&'v [FieldInfo], Owner)> {
    match bound {
        Bound::Event(name) => vocab
            .event(name)
            .map(|(_, e)| (e.fields.as_slice(), Owner::Event(name.clone()))),
        Bound::AnyEvent => Some((vocab.common.as_slice(), Owner::Common)),
        Bound::Key(_) => None,
    }
}

/// Follows a field path from a variable: the last field, and whose field it is.
pub(crate) fn resolve_path<'v>(
    vocab: &'v Vocab,
    bound: &Bound,
    path: &[&str],
) -> Option<(&'v FieldInfo, Owner)> {
    let (mut fields, mut owner) = fields_of(vocab, bound)?;
    for (i, name) in path.iter().enumerate() {
        let field = fields.iter().find(|f| f.name == *name)?;
        if i + 1 == path.len() {
            // A common field is declared in `common`, not in the event type.
            if let Owner::Event(_) = owner
                && vocab.common.iter().any(|c| c.name == *name)
            {
                owner = Owner::Common;
            }
            return Some((field, owner));
        }
        let Ty::Record(id) = field.ty else {
            return None;
        };
        let record = vocab.records.get(id as usize)?;
        fields = &record.fields;
        owner = Owner::Record(record.name.clone());
    }
    None
}

/// Where a vocabulary declares a field, an event type, or an enum value.
pub(crate) enum VocabItem<'a> {
    Field(&'a Owner, &'a str),
    Event(&'a str),
    Record(&'a str),
    Enum(&'a str),
    EnumValue(&'a str, &'a str),
}

/// The name's location in the vocabulary file.
pub(crate) fn vocab_location(
    ctx: &Ctx<'_>,
    vocab: &Vocab,
    item: VocabItem<'_>,
) -> Option<Location> {
    // An extension's parts may be declared in the vocabularies it extends.
    vocab
        .sources
        .iter()
        .find_map(|(file, name)| declared_in(ctx, *file, name, &item))
}

/// The name's location in vocabulary `name` of `file`, if that declaration has it.
fn declared_in(
    ctx: &Ctx<'_>,
    file: crate::db::SourceFile,
    name: &str,
    item: &VocabItem<'_>,
) -> Option<Location> {
    let tree = ctx.tree_of(file);
    let decl = tree.items.iter().find_map(|i| match i {
        Item::Vocabulary(v) if v.name.name == name => Some(v),
        _ => None,
    })?;
    let at = |ident: &Ident| {
        Some(Location {
            file,
            span: ident.span,
        })
    };
    for d in &decl.decls {
        match (d, item) {
            (
                VocabDecl::Event { name, fields, .. },
                VocabItem::Field(Owner::Event(owner), field),
            ) if name.name == **owner => {
                return fields
                    .iter()
                    .find(|f| f.name.name == *field)
                    .and_then(|f| at(&f.name));
            }
            (VocabDecl::Record { name, fields }, VocabItem::Field(Owner::Record(owner), field))
                if name.name == **owner =>
            {
                return fields
                    .iter()
                    .find(|f| f.name.name == *field)
                    .and_then(|f| at(&f.name));
            }
            (VocabDecl::Common { fields, .. }, VocabItem::Field(Owner::Common, field)) => {
                if let Some(f) = fields.iter().find(|f| f.name.name == *field) {
                    return at(&f.name);
                }
            }
            (VocabDecl::Event { name, .. }, VocabItem::Event(event)) if name.name == *event => {
                return at(name);
            }
            (VocabDecl::Record { name, .. }, VocabItem::Record(record)) if name.name == *record => {
                return at(name);
            }
            (VocabDecl::Enum { name, .. }, VocabItem::Enum(e)) if name.name == *e => {
                return at(name);
            }
            (VocabDecl::Enum { name, values }, VocabItem::EnumValue(e, value))
                if name.name == *e =>
            {
                return values.iter().find(|v| v.name == *value).and_then(at);
            }
            _ => {}
        }
    }
    None
}

/// What a bare name in an expression is.
#[derive(Clone, Debug)]
pub(crate) enum Meaning {
    Variable(Binding),
    Constant(String),
    /// A value of this enum.
    EnumValue(String),
}

/// Resolves a bare name as the type checker does: a variable, then a constant, then an enum
/// value (the first enum that has it).
pub(crate) fn meaning(ctx: &Ctx<'_>, bindings: &[Binding], name: &str) -> Option<Meaning> {
    if let Some(b) = bindings.iter().rev().find(|b| b.ident.name == name) {
        return Some(Meaning::Variable(b.clone()));
    }
    if package_consts(ctx.db, ctx.package).contains_key(name) {
        return Some(Meaning::Constant(name.to_owned()));
    }
    let vocab = ctx.vocab()?;
    let (e, _) = *vocab.enums_with_value(name).first()?;
    Some(Meaning::EnumValue(
        vocab.enums.get(e as usize)?.name.clone(),
    ))
}

/// Whether the package declares a state of this name.
pub(crate) fn is_state(ctx: &Ctx<'_>, name: &str) -> bool {
    package_states(ctx.db, ctx.package)
        .iter()
        .any(|s| s.name == name)
}

/// Where a constant or a state is declared among the package's files.
pub(crate) fn declaration(ctx: &Ctx<'_>, name: &str, state: bool) -> Option<(Location, Span)> {
    for &file in ctx.package.sources(ctx.db) {
        for item in &ctx.tree_of(file).items {
            match item {
                Item::Const(c) if !state && c.name.name == name => {
                    return Some((
                        Location {
                            file,
                            span: c.name.span,
                        },
                        c.span,
                    ));
                }
                Item::State(s) if state && s.name.name == name => {
                    return Some((
                        Location {
                            file,
                            span: s.name.span,
                        },
                        s.span,
                    ));
                }
                _ => {}
            }
        }
    }
    None
}
