//! Visiting every span of a syntax tree, to move a subtree's spans (for example, to make them
//! relative to the start of the item that holds them, so that an edit elsewhere in the file
//! leaves the subtree unchanged).

use super::*;

/// A syntax node whose spans can be visited.
pub trait Spanned {
    /// Calls `f` with every span in the node, in no particular order.
    fn visit_spans(&mut self, f: &mut dyn FnMut(&mut Span));

    /// Makes every span relative to `origin`, a byte offset at or before all of them.
    fn rebase(&mut self, origin: u32) {
        self.visit_spans(&mut |span| {
            span.start = span.start.saturating_sub(origin);
            span.end = span.end.saturating_sub(origin);
        });
    }
}

impl Spanned for Span {
    fn visit_spans(&mut self, f: &mut dyn FnMut(&mut Span)) {
        f(self);
    }
}

impl<T: Spanned> Spanned for Option<T> {
    fn visit_spans(&mut self, f: &mut dyn FnMut(&mut Span)) {
        if let Some(inner) = self {
            inner.visit_spans(f);
        }
    }
}

impl<T: Spanned> Spanned for Vec<T> {
    fn visit_spans(&mut self, f: &mut dyn FnMut(&mut Span)) {
        for inner in self {
            inner.visit_spans(f);
        }
    }
}

impl<T: Spanned> Spanned for Box<T> {
    fn visit_spans(&mut self, f: &mut dyn FnMut(&mut Span)) {
        (**self).visit_spans(f);
    }
}

/// Implements [`Spanned`] for a struct by visiting the listed fields.
macro_rules! spanned_struct {
    ($($ty:ty { $($field:ident),* })*) => {$(
        impl Spanned for $ty {
            fn visit_spans(&mut self, f: &mut dyn FnMut(&mut Span)) {
                $(self.$field.visit_spans(f);)*
            }
        }
    )*};
}

spanned_struct! {
    Ident { span }
    StrLit { span }
    DateLit { span }
    Number { span }
    File { items }
    Regulation { id, fields, span }
    Vocabulary { name, extends, decls, span }
    Extends { base, path }
    RoleEntry { role, field }
    FieldDecl { name, ty, bounds, default }
    FieldBound { span }
    Article { number_span, title, body, span }
    SubClause { number, title, body, span }
    Exempt { event, binding, condition, span }
    Rule { name, trigger, when, body, unless, message, message_zh, cites, span }
    EventPattern { event, binding, condition, span }
    OnceRequirement { pattern, within, resets, span }
    DeadlineRequirement { pattern, deadline, span }
    Duration { amount, span }
    ConstDecl { name, value, span }
    StateDecl { name, kind, key, updates, span }
    StateUpdate { event, binding, op, span }
    Calendar { entries, span }
}

impl Spanned for Item {
    fn visit_spans(&mut self, f: &mut dyn FnMut(&mut Span)) {
        match self {
            Item::Regulation(x) => x.visit_spans(f),
            Item::Vocabulary(x) => x.visit_spans(f),
            Item::Article(x) => x.visit_spans(f),
            Item::Const(x) => x.visit_spans(f),
            Item::State(x) => x.visit_spans(f),
            Item::Calendar(x) => x.visit_spans(f),
            Item::Stray(x) => x.visit_spans(f),
        }
    }
}

impl Spanned for HeaderField {
    fn visit_spans(&mut self, f: &mut dyn FnMut(&mut Span)) {
        match self {
            HeaderField::Title(s)
            | HeaderField::TitleEn(s)
            | HeaderField::Timezone(s)
            | HeaderField::Outline(s)
            | HeaderField::Calendar(s) => s.visit_spans(f),
            HeaderField::Effective(d) => d.visit_spans(f),
            HeaderField::UseVocabulary { name, path } => {
                name.visit_spans(f);
                path.visit_spans(f);
            }
        }
    }
}

impl Spanned for VocabDecl {
    fn visit_spans(&mut self, f: &mut dyn FnMut(&mut Span)) {
        match self {
            VocabDecl::Enum { name, values } => {
                name.visit_spans(f);
                values.visit_spans(f);
            }
            VocabDecl::Record { name, fields } | VocabDecl::Event { name, fields, .. } => {
                name.visit_spans(f);
                fields.visit_spans(f);
            }
            VocabDecl::Common { fields, span } => {
                fields.visit_spans(f);
                span.visit_spans(f);
            }
            VocabDecl::Roles { roles, span } => {
                roles.visit_spans(f);
                span.visit_spans(f);
            }
            VocabDecl::Partition { field, span } => {
                field.visit_spans(f);
                span.visit_spans(f);
            }
        }
    }
}

impl Spanned for TypeExpr {
    fn visit_spans(&mut self, f: &mut dyn FnMut(&mut Span)) {
        match self {
            TypeExpr::Named(id) => id.visit_spans(f),
            TypeExpr::List(inner, span) | TypeExpr::Set(inner, span) => {
                inner.visit_spans(f);
                span.visit_spans(f);
            }
        }
    }
}

impl Spanned for ClauseEntry {
    fn visit_spans(&mut self, f: &mut dyn FnMut(&mut Span)) {
        match self {
            ClauseEntry::Paragraph(x) | ClauseEntry::Item(x) => x.visit_spans(f),
            ClauseEntry::Rule(x) => x.visit_spans(f),
            ClauseEntry::Exempt(x) => x.visit_spans(f),
            ClauseEntry::NotCheckable(x) => x.visit_spans(f),
        }
    }
}

impl Spanned for Trigger {
    fn visit_spans(&mut self, f: &mut dyn FnMut(&mut Span)) {
        match self {
            Trigger::Event { event, binding } => {
                event.visit_spans(f);
                binding.visit_spans(f);
            }
            Trigger::Reaches {
                state,
                key,
                threshold,
                span,
                ..
            } => {
                state.visit_spans(f);
                key.visit_spans(f);
                threshold.visit_spans(f);
                span.visit_spans(f);
            }
        }
    }
}

impl Spanned for RuleBody {
    fn visit_spans(&mut self, f: &mut dyn FnMut(&mut Span)) {
        match self {
            RuleBody::Require(e) | RuleBody::Prohibit(e) => e.visit_spans(f),
            RuleBody::Once(x) => x.visit_spans(f),
            RuleBody::Deadline(x) => x.visit_spans(f),
        }
    }
}

impl Spanned for Deadline {
    fn visit_spans(&mut self, f: &mut dyn FnMut(&mut Span)) {
        match self {
            Deadline::Within { duration, after } => {
                duration.visit_spans(f);
                after.visit_spans(f);
            }
            Deadline::By(date) => date.visit_spans(f),
        }
    }
}

impl Spanned for StateKind {
    fn visit_spans(&mut self, f: &mut dyn FnMut(&mut Span)) {
        match self {
            StateKind::Set { element } => element.visit_spans(f),
            StateKind::Counter => {}
        }
    }
}

impl Spanned for StateOp {
    fn visit_spans(&mut self, f: &mut dyn FnMut(&mut Span)) {
        match self {
            StateOp::Add(e) | StateOp::Remove(e) => e.visit_spans(f),
            StateOp::Increment | StateOp::Decrement => {}
        }
    }
}

impl Spanned for CalendarEntry {
    fn visit_spans(&mut self, f: &mut dyn FnMut(&mut Span)) {
        match self {
            CalendarEntry::Holiday(d) | CalendarEntry::Workday(d) => d.visit_spans(f),
        }
    }
}

/// Expressions are visited with an explicit stack, so a long chain of `and`/`or` does not
/// recurse once per operand.
impl Spanned for Expr {
    fn visit_spans(&mut self, f: &mut dyn FnMut(&mut Span)) {
        let mut stack: Vec<&mut Expr> = vec![self];
        while let Some(expr) = stack.pop() {
            f(&mut expr.span);
            match &mut expr.kind {
                ExprKind::Bool(_)
                | ExprKind::Int(_)
                | ExprKind::Str(_)
                | ExprKind::Duration(..)
                | ExprKind::Error => {}
                ExprKind::Once(once) => once.visit_spans(f),
                ExprKind::Date(d) => d.visit_spans(f),
                ExprKind::Name(n) => n.visit_spans(f),
                ExprKind::Field(base, name) => {
                    name.visit_spans(f);
                    stack.push(base);
                }
                ExprKind::Has(inner) | ExprKind::Unary(_, inner) => stack.push(inner),
                ExprKind::Set(items) | ExprKind::List(items) | ExprKind::Logic(_, items) => {
                    stack.extend(items.iter_mut())
                }
                ExprKind::Binary(_, lhs, rhs) => {
                    stack.push(lhs);
                    stack.push(rhs);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rebasing_moves_every_span_of_an_article() {
        let source = "// a comment\narticle 7 \"Minors\" {\n  rule r: on x e when e.a == 1 and not has(e.b) require e.c in {1, 2} message \"m\"\n}\n";
        let (file, errors) = crate::parse(source);
        assert!(errors.is_empty(), "{errors:?}");
        let Some(Item::Article(article)) = file.items.first() else {
            panic!("an article");
        };
        let origin = article.span.start;
        let mut moved = article.clone();
        moved.rebase(origin);
        let mut before = Vec::new();
        article.clone().visit_spans(&mut |s| before.push(*s));
        let mut after = Vec::new();
        moved.visit_spans(&mut |s| after.push(*s));
        assert!(before.len() > 20, "{}", before.len());
        for (b, a) in before.iter().zip(&after) {
            assert_eq!((b.start - origin, b.end - origin), (a.start, a.end));
        }
        assert_eq!(moved.span.start, 0);
    }
}
