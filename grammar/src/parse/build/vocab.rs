//! Building vocabularies: common fields, roles, the partition field, enums, records, event types,
//! and the types and bounds of their fields.

use pest::iterators::Pair;

use super::{Builder, Children, MAX_TYPE_DEPTH};
use crate::ast::*;
use crate::parse::grammar::Rule;
use crate::tr;

impl Builder {
    // -----------------------------------------------------------------------------------------
    // Vocabulary

    pub(super) fn build_vocabulary(&self, pair: Pair<'_, Rule>) -> Vocabulary {
        let span = self.span(&pair);
        let mut children = Children::of(pair);
        let name = self.build_ident(children.next());
        let extends = children.next_if(Rule::extends_clause).map(|pair| {
            let mut parts = Children::of(pair);
            let base = self.build_ident(parts.next());
            let path = self.build_string(parts.next());
            Extends { base, path }
        });
        let mut decls = Vec::new();
        while let Some(decl) = children.next_opt() {
            decls.push(self.build_vocab_decl(decl));
        }
        Vocabulary {
            name,
            extends,
            decls,
            span,
        }
    }

    fn build_vocab_decl(&self, pair: Pair<'_, Rule>) -> VocabDecl {
        match pair.as_rule() {
            Rule::common_decl => self.build_common_decl(pair),
            Rule::roles_decl => self.build_roles_decl(pair),
            Rule::partition_decl => {
                let span = self.span(&pair);
                let field = self.build_ident(Children::of(pair).next());
                VocabDecl::Partition { field, span }
            }
            Rule::enum_decl => self.build_enum_decl(pair),
            Rule::record_decl => self.build_record_decl(pair),
            _ => self.build_event_decl(pair),
        }
    }

    fn build_common_decl(&self, pair: Pair<'_, Rule>) -> VocabDecl {
        let span = self.span(&pair);
        let fields = self.build_field_list(Children::of(pair));
        VocabDecl::Common { fields, span }
    }

    fn build_roles_decl(&self, pair: Pair<'_, Rule>) -> VocabDecl {
        let span = self.span(&pair);
        let mut roles = Vec::new();
        let mut children = Children::of(pair);
        while let Some(entry) = children.next_opt() {
            let mut parts = Children::of(entry);
            let role = self.build_ident(parts.next());
            let field = self.build_ident(parts.next());
            roles.push(RoleEntry { role, field });
        }
        VocabDecl::Roles { roles, span }
    }

    fn build_enum_decl(&self, pair: Pair<'_, Rule>) -> VocabDecl {
        let mut children = Children::of(pair);
        let name = self.build_ident(children.next());
        let mut values = Vec::new();
        while let Some(value) = children.next_opt() {
            values.push(self.build_ident(value));
        }
        VocabDecl::Enum { name, values }
    }

    fn build_record_decl(&self, pair: Pair<'_, Rule>) -> VocabDecl {
        let mut children = Children::of(pair);
        let name = self.build_ident(children.next());
        let fields = self.build_field_list(children);
        VocabDecl::Record { name, fields }
    }

    fn build_event_decl(&self, pair: Pair<'_, Rule>) -> VocabDecl {
        let mut children = Children::of(pair);
        let name = self.build_ident(children.next());
        let open = children.next_if(Rule::kw_open).is_some();
        let fields = self.build_field_list(children);
        VocabDecl::Event { name, open, fields }
    }

    /// Builds the remaining children, all `field_decl`s.
    fn build_field_list(&self, mut children: Children<'_>) -> Vec<FieldDecl> {
        let mut fields = Vec::new();
        while let Some(field) = children.next_opt() {
            fields.push(self.build_field_decl(field));
        }
        fields
    }

    fn build_field_decl(&self, pair: Pair<'_, Rule>) -> FieldDecl {
        let mut children = Children::of(pair);
        let name = self.build_ident(children.next());
        let optional = children.next_if(Rule::question).is_some();
        let ty = self.build_type_expr(children.next());
        let mut bounds = Vec::new();
        while let Some(bound) = children.next_if(Rule::field_bound) {
            bounds.push(self.build_field_bound(bound));
        }
        let default = children.next_opt().map(|p| self.build_expr(p));
        FieldDecl {
            name,
            optional,
            ty,
            bounds,
            default,
        }
    }

    /// Builds `>= N` or `<= N`.
    fn build_field_bound(&self, pair: Pair<'_, Rule>) -> FieldBound {
        let span = self.span(&pair);
        let mut parts = pair.into_inner();
        let at_least = parts.next().is_some_and(|op| op.as_rule() == Rule::ge);
        let digits = parts.next().map(|p| p.as_str()).unwrap_or_default();
        let text: String = digits.chars().filter(|&c| c != '_').collect();
        let value = text.parse::<i64>().unwrap_or_else(|_| {
            const MAX: i64 = i64::MAX;
            self.error(
                span,
                tr!(
                    "`{digits}` is too large for a bound",
                    "`{digits}` 作为界限过大"
                ),
                Some(tr!("numbers go up to {MAX}", "数值最大为 {MAX}")),
            );
            0
        });
        FieldBound {
            at_least,
            value,
            span,
        }
    }

    /// Builds a type; one nested more than [`MAX_TYPE_DEPTH`] deep (`list of list of …`) is
    /// reported and built as its innermost named type, so no deeper tree is ever built.
    fn build_type_expr(&self, pair: Pair<'_, Rule>) -> TypeExpr {
        let mut depth = 0;
        let mut inner = pair.clone();
        while matches!(inner.as_rule(), Rule::list_type | Rule::set_type) {
            depth += 1;
            inner = Children::of(inner).next();
        }
        if depth > MAX_TYPE_DEPTH {
            self.error(
                self.span(&pair),
                tr!(
                    "this type nests `list of` and `set of` more than {MAX_TYPE_DEPTH} deep",
                    "此类型嵌套 `list of` 与 `set of` 超过 {MAX_TYPE_DEPTH} 层"
                ),
                Some(tr!(
                    "a field holds at most a few levels of lists; use a record",
                    "字段最多容纳几层列表；请改用记录"
                )),
            );
            return TypeExpr::Named(self.build_ident(inner));
        }
        match pair.as_rule() {
            Rule::list_type => self.build_list_type(pair),
            Rule::set_type => self.build_set_type(pair),
            _ => TypeExpr::Named(self.build_ident(pair)),
        }
    }

    fn build_list_type(&self, pair: Pair<'_, Rule>) -> TypeExpr {
        let span = self.span(&pair);
        let element = self.build_type_expr(Children::of(pair).next());
        TypeExpr::List(Box::new(element), span)
    }

    fn build_set_type(&self, pair: Pair<'_, Rule>) -> TypeExpr {
        let span = self.span(&pair);
        let element = self.build_type_expr(Children::of(pair).next());
        TypeExpr::Set(Box::new(element), span)
    }
}
