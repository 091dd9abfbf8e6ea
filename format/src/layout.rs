//! The layout of files, top-level items, headers, vocabularies, declarations and clause blocks.

use edict_grammar::ast::{
    Article, ArticleRef, Calendar, CalendarEntry, ClauseEntry, ConstDecl, FieldDecl, File,
    HeaderField, Item, Regulation, StateDecl, StateKind, StateOp, SubClause, TypeExpr, VocabDecl,
    Vocabulary,
};
use edict_grammar::format_chinese_numeral;
use edict_grammar::lexer::TokenKind;
use unicode_width::UnicodeWidthStr;

use edict_grammar::Lang;
use edict_grammar::keywords::Kw;

use crate::Source;
use crate::printer::{Printer, Spacing};

/// One run of the layout over a file.
pub(crate) struct Layout<'a, 's> {
    pub(crate) src: &'a Source<'s>,
    pub(crate) p: Printer<'s>,
    pub(crate) lang: Lang,
    pub(crate) width: usize,
}

impl<'a, 's> Layout<'a, 's> {
    pub(crate) fn new(src: &'a Source<'s>, p: Printer<'s>, lang: Lang, width: usize) -> Self {
        Layout {
            src,
            p,
            lang,
            width,
        }
    }

    pub(crate) fn into_printer(self) -> Printer<'s> {
        self.p
    }

    pub(crate) fn kw(&self, k: Kw) -> &'static str {
        k.spelling(self.lang)
    }

    /// Writes pieces on the current line, breaking before a piece that would pass the width;
    /// continuation lines are indented `extra` levels deeper.
    pub(crate) fn fill(&mut self, pieces: &[String], extra: usize) {
        for (i, piece) in pieces.iter().enumerate() {
            if i == 0 {
                self.p.push(piece);
            } else if self.p.column() + 1 + piece.width() <= self.width {
                self.p.push(" ");
                self.p.push(piece);
            } else {
                self.p.continuation(extra);
                self.p.push(piece);
            }
        }
    }

    pub(crate) fn file(&mut self, file: &File) {
        let mut previous: Option<&Item> = None;
        for item in &file.items {
            let spacing = match (previous, item) {
                (Some(Item::Const(_)), Item::Const(_)) => Spacing::Keep,
                _ => Spacing::Blank,
            };
            self.item(item, spacing);
            previous = Some(item);
        }
    }

    fn item(&mut self, item: &Item, spacing: Spacing) {
        match item {
            Item::Regulation(r) => self.regulation(r, spacing),
            Item::Vocabulary(v) => self.vocabulary(v, spacing),
            Item::Article(a) => self.article(a, spacing),
            Item::Const(c) => self.constant(c, spacing),
            Item::State(s) => self.state(s, spacing),
            Item::Calendar(c) => self.calendar(c, spacing),
            Item::Stray(entry) => self.entry(entry, spacing),
        }
    }

    // -----------------------------------------------------------------------------------------
    // Header

    fn regulation(&mut self, r: &Regulation, spacing: Spacing) {
        self.p.begin(r.span.start, spacing);
        let head = format!("{} {} {{", self.kw(Kw::Regulation), r.id.name);
        self.p.push(&head);
        self.p.indent();
        let keyword = |field: &HeaderField| match field {
            HeaderField::Title(_) => Kw::Title,
            HeaderField::TitleEn(_) => Kw::TitleEn,
            HeaderField::Effective(_) => Kw::Effective,
            HeaderField::Timezone(_) => Kw::Timezone,
            HeaderField::Outline(_) => Kw::Outline,
            HeaderField::Calendar(_) => Kw::Calendar,
            HeaderField::UseVocabulary { .. } => Kw::UseVocabulary,
        };
        // Values line up after the longest keyword, `use vocabulary` aside.
        let column = r
            .fields
            .iter()
            .filter(|f| !matches!(f, HeaderField::UseVocabulary { .. }))
            .map(|f| self.kw(keyword(f)).width())
            .max()
            .unwrap_or(0);
        for field in &r.fields {
            let kw = self.kw(keyword(field));
            let (value_start, value) = match field {
                HeaderField::Title(s)
                | HeaderField::TitleEn(s)
                | HeaderField::Timezone(s)
                | HeaderField::Outline(s)
                | HeaderField::Calendar(s) => (s.span.start, self.src.slice(s.span).to_owned()),
                HeaderField::Effective(d) => (d.span.start, d.to_string()),
                HeaderField::UseVocabulary { name, path } => (
                    name.span.start,
                    format!(
                        "{} {} {}",
                        name.name,
                        self.kw(Kw::From),
                        self.src.slice(path.span)
                    ),
                ),
            };
            self.p
                .begin(self.src.keyword_start(value_start), Spacing::Keep);
            let pad = if matches!(field, HeaderField::UseVocabulary { .. }) {
                1
            } else {
                column - kw.width() + 1
            };
            self.p.push(&format!("{kw}{}{value}", " ".repeat(pad)));
        }
        self.p.close(r.span.end.saturating_sub(1));
    }

    // -----------------------------------------------------------------------------------------
    // Vocabulary

    fn vocabulary(&mut self, v: &Vocabulary, spacing: Spacing) {
        self.p.begin(v.span.start, spacing);
        let head = match &v.extends {
            None => format!("{} {} {{", self.kw(Kw::Vocabulary), v.name.name),
            Some(extends) => format!(
                "{} {} {} {} {} {} {{",
                self.kw(Kw::Vocabulary),
                v.name.name,
                self.kw(Kw::Extends),
                extends.base.name,
                self.kw(Kw::From),
                self.src.slice(extends.path.span)
            ),
        };
        self.p.push(&head);
        self.p.indent();
        for decl in &v.decls {
            self.vocab_decl(decl);
        }
        self.p.close(v.span.end.saturating_sub(1));
    }

    fn vocab_decl(&mut self, decl: &VocabDecl) {
        match decl {
            VocabDecl::Common { fields, span } => {
                self.p.begin(span.start, Spacing::Keep);
                let head = format!("{} {{", self.kw(Kw::Common));
                self.fields_block(&head, fields, span.start);
            }
            VocabDecl::Roles { roles, span } => {
                self.p.begin(span.start, Spacing::Keep);
                let head = format!("{} {{", self.kw(Kw::Roles));
                self.p.push(&head);
                let close = self.src.block_end(span.start);
                self.p.indent();
                for r in roles {
                    self.p.begin(r.role.span.start, Spacing::Keep);
                    self.p.push(&format!("{}: {}", r.role.name, r.field.name));
                }
                self.p.close(close);
            }
            VocabDecl::Partition { field, span } => {
                self.p.begin(span.start, Spacing::Keep);
                let line = format!("{} {}", self.kw(Kw::PartitionBy), field.name);
                self.p.push(&line);
            }
            VocabDecl::Enum { name, values } => {
                let start = self.src.keyword_start(name.span.start);
                self.p.begin(start, Spacing::Keep);
                let close = self.src.block_end(name.span.end);
                let names: Vec<&str> = values.iter().map(|v| v.name.as_str()).collect();
                let head = format!("{} {} {{", self.kw(Kw::Enum), name.name);
                let one_line = if names.is_empty() {
                    format!("{head}}}")
                } else {
                    format!("{head} {} }}", names.join(", "))
                };
                let fits = self.p.column() + one_line.width() <= self.width;
                if fits && !self.src.has_comment(name.span.end, close) {
                    self.p.push(&one_line);
                    return;
                }
                self.p.push(&head);
                self.p.indent();
                for v in values {
                    self.p.begin(v.span.start, Spacing::Keep);
                    self.p.push(&v.name);
                }
                self.p.close(close);
            }
            VocabDecl::Record { name, fields } => {
                let start = self.src.keyword_start(name.span.start);
                self.p.begin(start, Spacing::Keep);
                let head = format!("{} {} {{", self.kw(Kw::Record), name.name);
                self.fields_block(&head, fields, name.span.end);
            }
            VocabDecl::Event { name, open, fields } => {
                let start = self.src.keyword_start(name.span.start);
                self.p.begin(start, Spacing::Keep);
                let head = if *open {
                    format!(
                        "{} {} {} {{",
                        self.kw(Kw::Event),
                        name.name,
                        self.kw(Kw::Open)
                    )
                } else {
                    format!("{} {} {{", self.kw(Kw::Event), name.name)
                };
                self.fields_block(&head, fields, name.span.end);
            }
        }
    }

    /// `HEAD {` then one field per line, or `HEAD {}` when there are none and no comments.
    fn fields_block(&mut self, head: &str, fields: &[FieldDecl], from: u32) {
        let close = self.src.block_end(from);
        if fields.is_empty() && !self.src.has_comment(from, close) {
            self.p.push(head);
            self.p.push("}");
            return;
        }
        self.p.push(head);
        self.p.indent();
        for f in fields {
            self.p.begin(f.name.span.start, Spacing::Keep);
            let mut line = f.name.name.clone();
            if f.optional {
                line.push('?');
            }
            line.push_str(": ");
            line.push_str(&self.type_expr(&f.ty));
            for bound in &f.bounds {
                line.push_str(if bound.at_least { " >= " } else { " <= " });
                line.push_str(self.src.first_of(bound.span, TokenKind::Number));
            }
            if let Some(d) = &f.default {
                line.push_str(" = ");
                line.push_str(&self.expr(d));
            }
            self.p.push(&line);
        }
        self.p.close(close);
    }

    fn type_expr(&self, ty: &TypeExpr) -> String {
        match ty {
            TypeExpr::Named(id) => id.name.clone(),
            TypeExpr::List(inner, _) => {
                format!("{} {}", self.kw(Kw::ListOf), self.type_expr(inner))
            }
            TypeExpr::Set(inner, _) => format!("{} {}", self.kw(Kw::SetOf), self.type_expr(inner)),
        }
    }

    // -----------------------------------------------------------------------------------------
    // Constants, states, calendars

    fn constant(&mut self, c: &ConstDecl, spacing: Spacing) {
        self.p.begin(c.span.start, spacing);
        let head = format!("{} {} =", self.kw(Kw::Const), c.name.name);
        let mut pieces = self.chunks(&c.value);
        if let Some(first) = pieces.first_mut() {
            *first = format!("{head} {first}");
        }
        self.fill(&pieces, 1);
    }

    fn state(&mut self, s: &StateDecl, spacing: Spacing) {
        self.p.begin(s.span.start, spacing);
        let kind = match &s.kind {
            StateKind::Set { element } => format!("{} {}", self.kw(Kw::SetOf), element.name),
            StateKind::Counter => self.kw(Kw::Counter).to_owned(),
        };
        let head = format!(
            "{} {}: {kind} {} {} {{",
            self.kw(Kw::State),
            s.name.name,
            self.kw(Kw::Per),
            s.key.name
        );
        self.p.push(&head);
        self.p.indent();
        for u in &s.updates {
            self.p.begin(u.span.start, Spacing::Keep);
            let op = match &u.op {
                StateOp::Add(e) => format!("{} {}", self.kw(Kw::Add), self.expr(e)),
                StateOp::Remove(e) => format!("{} {}", self.kw(Kw::Remove), self.expr(e)),
                StateOp::Increment => self.kw(Kw::Increment).to_owned(),
                StateOp::Decrement => self.kw(Kw::Decrement).to_owned(),
            };
            let line = format!(
                "{} {} {}: {op}",
                self.kw(Kw::On),
                u.event.name,
                u.binding.name
            );
            self.p.push(&line);
        }
        self.p.close(s.span.end.saturating_sub(1));
    }

    fn calendar(&mut self, c: &Calendar, spacing: Spacing) {
        self.p.begin(c.span.start, spacing);
        let head = format!("{} {{", self.kw(Kw::Calendar));
        self.p.push(&head);
        self.p.indent();
        for entry in &c.entries {
            let (kw, d) = match entry {
                CalendarEntry::Holiday(d) => (Kw::Holiday, d),
                CalendarEntry::Workday(d) => (Kw::Workday, d),
            };
            self.p
                .begin(self.src.keyword_start(d.span.start), Spacing::Keep);
            let line = format!("{} {}", self.kw(kw), d);
            self.p.push(&line);
        }
        self.p.close(c.span.end.saturating_sub(1));
    }

    // -----------------------------------------------------------------------------------------
    // Clause blocks

    fn article(&mut self, a: &Article, spacing: Spacing) {
        self.p.begin(a.span.start, spacing);
        let number = match (&a.article, self.lang) {
            (ArticleRef::Number(n), Lang::En) => format!("article {n}"),
            (ArticleRef::Number(n), Lang::Zh) => format!("第{}条", format_chinese_numeral(*n)),
            (ArticleRef::Key(key), Lang::En) => format!("article ? {key}"),
            (ArticleRef::Key(key), Lang::Zh) => format!("第？条 {key}"),
        };
        let title = a.title.as_ref().map(|t| self.src.slice(t.span));
        self.block(&number, title, &a.body, a.span.end.saturating_sub(1));
    }

    fn sub_clause(&mut self, sub: &SubClause, is_item: bool, spacing: Spacing) {
        self.p.begin(sub.span.start, spacing);
        let n = sub.number.value;
        let number = match (self.lang, is_item) {
            (Lang::En, false) => format!("paragraph {n}"),
            (Lang::En, true) => format!("item {n}"),
            (Lang::Zh, false) => format!("第{}款", format_chinese_numeral(n)),
            (Lang::Zh, true) => format!("第{}项", format_chinese_numeral(n)),
        };
        let title = sub.title.as_ref().map(|t| self.src.slice(t.span));
        self.block(&number, title, &sub.body, sub.span.end.saturating_sub(1));
    }

    /// `NUMBER ["title"] {`, the entries, `}`.
    fn block(&mut self, number: &str, title: Option<&str>, body: &[ClauseEntry], close: u32) {
        let head = match title {
            Some(t) => format!("{number} {t} {{"),
            None => format!("{number} {{"),
        };
        self.p.push(&head);
        self.p.indent();
        let mut previous: Option<&ClauseEntry> = None;
        for entry in body {
            let spacing = match (previous, entry) {
                (Some(ClauseEntry::Exempt(_)), ClauseEntry::Exempt(_)) => Spacing::Keep,
                _ => Spacing::Blank,
            };
            self.entry(entry, spacing);
            previous = Some(entry);
        }
        self.p.close(close);
    }

    pub(crate) fn entry(&mut self, entry: &ClauseEntry, spacing: Spacing) {
        match entry {
            ClauseEntry::Paragraph(sub) => self.sub_clause(sub, false, spacing),
            ClauseEntry::Item(sub) => self.sub_clause(sub, true, spacing),
            ClauseEntry::Rule(rule) => self.rule(rule, spacing),
            ClauseEntry::Exempt(x) => self.exempt(x, spacing),
            ClauseEntry::NotCheckable(reason) => {
                self.p
                    .begin(self.src.keyword_start(reason.span.start), spacing);
                let line = format!(
                    "{} {}",
                    self.kw(Kw::NotCheckable),
                    self.src.slice(reason.span)
                );
                self.p.push(&line);
            }
        }
    }
}
