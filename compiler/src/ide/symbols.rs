//! Document symbols (the article → paragraph → item → rule tree, and the declarations beside
//! it) and semantic tokens (every token of a file with what it is).

use edict_grammar::Lang;
use edict_grammar::ast::walk::{NameRole, names};
use edict_grammar::ast::{ArticleRef, ClauseEntry, Item, Span, SubClause, VocabDecl};
use edict_grammar::format_chinese_numeral;
use edict_grammar::keywords::{CHINESE_WORDS, ENGLISH_WORDS, language_of};
use edict_grammar::lexer::{TokenKind, tokens};

use super::Ctx;
use super::scope::{Meaning, meaning, scope_at};
use crate::db::SourceFile;
use crate::workspace::{LoadedPackage, Workspace};

/// What a symbol is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SymbolKind {
    Regulation,
    Vocabulary,
    Clause,
    Rule,
    Exemption,
    Constant,
    State,
    Event,
    Record,
    Enum,
    Calendar,
}

/// A symbol of a file: its whole extent, where its name is, and what it holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Symbol {
    pub name: String,
    pub detail: Option<String>,
    pub kind: SymbolKind,
    pub span: Span,
    pub selection: Span,
    pub children: Vec<Symbol>,
}

/// The symbols of a file, in source order; clause numbers are named in the file's keywords.
pub fn symbols(ws: &Workspace, file: SourceFile) -> Vec<Symbol> {
    let tree = ws.syntax(file);
    let lang = language_of(ws.text_of(file), &tree);
    let mut out = Vec::new();
    for item in &tree.items {
        match item {
            Item::Regulation(r) => {
                out.push(leaf(&r.id.name, SymbolKind::Regulation, r.span, r.id.span))
            }
            Item::Vocabulary(v) => {
                let mut symbol = leaf(&v.name.name, SymbolKind::Vocabulary, v.span, v.name.span);
                for d in &v.decls {
                    let (name, kind) = match d {
                        VocabDecl::Event { name, .. } => (name, SymbolKind::Event),
                        VocabDecl::Record { name, .. } => (name, SymbolKind::Record),
                        VocabDecl::Enum { name, .. } => (name, SymbolKind::Enum),
                        VocabDecl::Common { .. }
                        | VocabDecl::Roles { .. }
                        | VocabDecl::Partition { .. } => continue,
                    };
                    symbol
                        .children
                        .push(leaf(&name.name, kind, name.span, name.span));
                }
                out.push(symbol);
            }
            Item::Const(c) => out.push(leaf(
                &c.name.name,
                SymbolKind::Constant,
                c.span,
                c.name.span,
            )),
            Item::State(s) => out.push(leaf(&s.name.name, SymbolKind::State, s.span, s.name.span)),
            Item::Calendar(c) => out.push(leaf("calendar", SymbolKind::Calendar, c.span, c.span)),
            Item::Article(a) => {
                let name = match (&a.article, lang) {
                    (ArticleRef::Number(n), Lang::En) => format!("article {n}"),
                    (ArticleRef::Number(n), Lang::Zh) => {
                        format!("第{}条", format_chinese_numeral(*n))
                    }
                    (ArticleRef::Key(k), Lang::En) => format!("article ? {k}"),
                    (ArticleRef::Key(k), Lang::Zh) => format!("第？条 {k}"),
                };
                out.push(Symbol {
                    name,
                    detail: a.title.as_ref().map(|t| t.value.clone()),
                    kind: SymbolKind::Clause,
                    span: a.span,
                    selection: a.number_span,
                    children: entries(&a.body, lang),
                });
            }
            Item::Stray(entry) => out.extend(entries(std::slice::from_ref(entry), lang)),
        }
    }
    out
}

fn leaf(name: &str, kind: SymbolKind, span: Span, selection: Span) -> Symbol {
    Symbol {
        name: name.to_owned(),
        detail: None,
        kind,
        span,
        selection,
        children: Vec::new(),
    }
}

fn entries(body: &[ClauseEntry], lang: Lang) -> Vec<Symbol> {
    let mut out = Vec::new();
    for entry in body {
        match entry {
            ClauseEntry::Paragraph(sub) => out.push(sub_clause(sub, false, lang)),
            ClauseEntry::Item(sub) => out.push(sub_clause(sub, true, lang)),
            ClauseEntry::Rule(rule) => {
                let mut symbol = leaf(&rule.name.name, SymbolKind::Rule, rule.span, rule.name.span);
                symbol.detail = rule.message.as_ref().map(|m| m.value.clone());
                out.push(symbol);
            }
            ClauseEntry::Exempt(x) => {
                let what = x.event.as_ref().map_or("any event", |e| e.name.as_str());
                out.push(leaf(
                    &format!("exempt {what}"),
                    SymbolKind::Exemption,
                    x.span,
                    x.span,
                ));
            }
            ClauseEntry::NotCheckable(_) => {}
        }
    }
    out
}

fn sub_clause(sub: &SubClause, is_item: bool, lang: Lang) -> Symbol {
    let n = sub.number.value;
    let name = match (lang, is_item) {
        (Lang::En, false) => format!("paragraph {n}"),
        (Lang::En, true) => format!("item {n}"),
        (Lang::Zh, false) => format!("第{}款", format_chinese_numeral(n)),
        (Lang::Zh, true) => format!("第{}项", format_chinese_numeral(n)),
    };
    Symbol {
        name,
        detail: sub.title.as_ref().map(|t| t.value.clone()),
        kind: SymbolKind::Clause,
        span: sub.span,
        selection: sub.number.span,
        children: entries(&sub.body, lang),
    }
}

/// What a token is, for highlighting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenClass {
    Keyword,
    String,
    Number,
    Comment,
    Operator,
    /// An event type, record, enum or built-in type.
    Type,
    EnumMember,
    /// A field of an event or record.
    Property,
    /// A variable bound to an event or a state key.
    Parameter,
    /// A constant or a state.
    Variable,
    /// A rule's name.
    Function,
    /// A regulation's or vocabulary's name.
    Namespace,
}

/// A token with its class; `declaration` where the name is declared, `readonly` for
/// constants.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SemanticToken {
    pub span: Span,
    pub class: TokenClass,
    pub declaration: bool,
    pub readonly: bool,
}

/// Every meaningful token of a file, in order.
pub fn semantic_tokens(
    ws: &Workspace,
    package: &LoadedPackage,
    file: SourceFile,
) -> Vec<SemanticToken> {
    let ctx = Ctx::new(ws, package, file);
    let text = ctx.text();
    let mut named: Vec<(Span, NameRole)> = Vec::new();
    names(&ctx.tree, &mut |id, role| named.push((id.span, role)));
    let mut next = 0;
    let mut out = Vec::new();
    for token in tokens(text) {
        let span = token.span;
        while next < named.len() && named[next].0.end <= span.start {
            next += 1;
        }
        let plain = |class| SemanticToken {
            span,
            class,
            declaration: false,
            readonly: false,
        };
        let classified = match token.kind {
            TokenKind::Comment => plain(TokenClass::Comment),
            TokenKind::String => plain(TokenClass::String),
            TokenKind::Number => plain(TokenClass::Number),
            TokenKind::Clause => plain(TokenClass::Keyword),
            TokenKind::Punct => match &text[span.range()] {
                "==" | "!=" | "<" | "<=" | ">" | ">=" | "=" => plain(TokenClass::Operator),
                _ => continue,
            },
            TokenKind::Word => match named.get(next).filter(|(s, _)| *s == span) {
                Some(&(_, role)) => name_token(&ctx, span, role),
                None => {
                    let word = &text[span.range()];
                    if ENGLISH_WORDS.contains(&word) || CHINESE_WORDS.contains(&word) {
                        plain(TokenClass::Keyword)
                    } else {
                        // The key of `article ? KEY`.
                        plain(TokenClass::Namespace)
                    }
                }
            },
            TokenKind::Blank | TokenKind::Unknown => continue,
        };
        out.push(classified);
    }
    out
}

fn name_token(ctx: &Ctx<'_>, span: Span, role: NameRole) -> SemanticToken {
    let (class, declaration, readonly) = match role {
        NameRole::Regulation | NameRole::Vocabulary => (TokenClass::Namespace, false, false),
        NameRole::EnumDecl | NameRole::RecordDecl | NameRole::EventDecl => {
            (TokenClass::Type, true, false)
        }
        NameRole::TypeRef | NameRole::EventRef => (TokenClass::Type, false, false),
        NameRole::EnumValue => (TokenClass::EnumMember, true, false),
        NameRole::FieldDecl => (TokenClass::Property, true, false),
        NameRole::Field
        | NameRole::RoleField
        | NameRole::PartitionField
        | NameRole::StateElement
        | NameRole::StateKey => (TokenClass::Property, false, false),
        NameRole::Role => (TokenClass::Keyword, false, false),
        NameRole::RuleName => (TokenClass::Function, true, false),
        NameRole::Binding => (TokenClass::Parameter, true, false),
        NameRole::AfterVar => (TokenClass::Parameter, false, false),
        NameRole::StateDecl => (TokenClass::Variable, true, false),
        NameRole::StateRef => (TokenClass::Variable, false, false),
        NameRole::ConstDecl => (TokenClass::Variable, true, true),
        NameRole::Name => {
            let (bindings, _) = scope_at(&ctx.tree, span.start);
            let name = ctx.text().get(span.range()).unwrap_or_default();
            match meaning(ctx, &bindings, name) {
                Some(Meaning::Variable(_)) => (TokenClass::Parameter, false, false),
                Some(Meaning::Constant(_)) => (TokenClass::Variable, false, true),
                Some(Meaning::EnumValue(_)) | None => (TokenClass::EnumMember, false, false),
            }
        }
    };
    SemanticToken {
        span,
        class,
        declaration,
        readonly,
    }
}
