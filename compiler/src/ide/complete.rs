//! Completion, read from the tokens before the cursor, so that it works while the file does
//! not parse: event types after `on`, fields after `e.` (through records), enum values after
//! `==`, clause numbers the outline has that no rule implements yet after `article`,
//! `paragraph`, `item` or `第`, and otherwise keywords in the file's keyword language and the
//! names in scope.

use std::collections::HashSet;

use edict_grammar::Lang;
use edict_grammar::ast::{ClauseEntry, Item, Span};
use edict_grammar::format_chinese_numeral;
use edict_grammar::keywords::{CHINESE_WORDS, ENGLISH_WORDS, Kw, language_of};
use edict_grammar::lexer::{Token, TokenKind, tokens};
use edict_runtime::ir::ClauseRef;

use super::Ctx;
use super::scope::{Bound, enclosing, fields_of, resolve_path};
use crate::db::SourceFile;
use crate::declare::package_consts;
use crate::types::Ty;
use crate::vocab::{FieldInfo, Vocab};
use crate::workspace::{LoadedPackage, Workspace};

/// What a completion inserts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompletionKind {
    Keyword,
    EventType,
    Field,
    EnumValue,
    Clause,
    Variable,
    Constant,
}

/// One completion: `insert` replaces the text at `replace` (the word being typed).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Completion {
    pub label: String,
    pub kind: CompletionKind,
    pub detail: Option<String>,
    pub insert: String,
    pub replace: Span,
}

/// The completions at a byte offset of a file of the package.
pub fn completions(
    ws: &Workspace,
    package: &LoadedPackage,
    file: SourceFile,
    offset: u32,
) -> Vec<Completion> {
    let ctx = Ctx::new(ws, package, file);
    let text = ctx.text();
    let offset = offset.min(u32::try_from(text.len()).unwrap_or(u32::MAX));
    let all: Vec<Token> = tokens(text)
        .into_iter()
        .filter(|t| t.span.start < offset)
        .collect();
    if all.last().is_some_and(|t| {
        matches!(t.kind, TokenKind::Comment | TokenKind::String) && t.span.end >= offset
    }) {
        return Vec::new();
    }
    // The word being typed, if the cursor ends one.
    let (replace, typed) = match all.last() {
        Some(t)
            if t.span.end == offset
                && matches!(
                    t.kind,
                    TokenKind::Word | TokenKind::Number | TokenKind::Clause
                ) =>
        {
            (t.span, &text[t.span.range()])
        }
        _ => (
            Span {
                start: offset,
                end: offset,
            },
            "",
        ),
    };
    let code: Vec<&Token> = all
        .iter()
        .filter(|t| t.span.end <= replace.start)
        .filter(|t| !matches!(t.kind, TokenKind::Blank | TokenKind::Comment))
        .collect();
    let word = |i: usize| -> &str {
        code.len()
            .checked_sub(i)
            .and_then(|j| code.get(j))
            .map_or("", |t| &text[t.span.range()])
    };
    let c = Completer {
        ctx: &ctx,
        vocab: ctx.vocab(),
        replace,
    };
    let lang = language_of(text, &ctx.tree);
    let mut out = match (word(1), word(2)) {
        (".", _) => c.fields(&code, text),
        ("==" | "!=", _) => c.enum_values(&code, text),
        ("on" | "对于", _) => {
            let mut events = c.event_types();
            events.push(c.keyword(
                Kw::Size.spelling(lang),
                "a state's size reaching a threshold",
            ));
            events
        }
        ("once" | "曾经" | "重置于", _) | ("by", "reset") => c.event_types(),
        ("exempt" | "豁免", _) => {
            let mut events = c.event_types();
            events.push(c.keyword(Kw::AnyEvent.spelling(lang), "every event type"));
            events
        }
        ("article", _) => c.clauses(Level::Article, Lang::En),
        ("paragraph", _) => c.clauses(Level::Paragraph, Lang::En),
        ("item", _) => c.clauses(Level::Item, Lang::En),
        _ if typed.starts_with('第') => {
            let (inside, _) = enclosing(&ctx.tree, replace.start);
            let mut out = Vec::new();
            if inside.is_none() {
                out.extend(c.clauses(Level::Article, Lang::Zh));
            } else {
                out.extend(c.clauses(Level::Paragraph, Lang::Zh));
                out.extend(c.clauses(Level::Item, Lang::Zh));
            }
            out
        }
        _ => {
            let mut out = c.keywords(lang);
            out.extend(c.names(&code, text));
            out
        }
    };
    out.retain(|item| {
        typed.is_empty() || item.insert.starts_with(typed) || item.label.starts_with(typed)
    });
    out
}

/// Which level of clause a number names.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Level {
    Article,
    Paragraph,
    Item,
}

struct Completer<'c, 'a> {
    ctx: &'c Ctx<'a>,
    vocab: Option<std::sync::Arc<Vocab>>,
    replace: Span,
}

impl Completer<'_, '_> {
    fn item(&self, label: String, kind: CompletionKind, detail: Option<String>) -> Completion {
        Completion {
            insert: label.clone(),
            label,
            kind,
            detail,
            replace: self.replace,
        }
    }

    fn keyword(&self, word: &str, detail: &str) -> Completion {
        self.item(
            word.to_owned(),
            CompletionKind::Keyword,
            Some(detail.to_owned()),
        )
    }

    fn event_types(&self) -> Vec<Completion> {
        let Some(vocab) = &self.vocab else {
            return Vec::new();
        };
        vocab
            .events
            .iter()
            .map(|e| {
                self.item(
                    e.name.clone(),
                    CompletionKind::EventType,
                    Some(format!("event type of `{}`", vocab.name)),
                )
            })
            .collect()
    }

    fn field_items(&self, vocab: &Vocab, fields: &[FieldInfo]) -> Vec<Completion> {
        fields
            .iter()
            .map(|f| {
                let optional = if f.may_be_absent() { "optional " } else { "" };
                self.item(
                    f.name.clone(),
                    CompletionKind::Field,
                    Some(format!("{optional}{}", vocab.show(&f.ty).en)),
                )
            })
            .collect()
    }

    /// Fields after `var.a.`.
    fn fields(&self, code: &[&Token], text: &str) -> Vec<Completion> {
        let Some(vocab) = &self.vocab else {
            return Vec::new();
        };
        let Some((var, path)) = path_before(code, code.len().saturating_sub(1), text) else {
            return Vec::new();
        };
        let Some(bound) = bindings(code, text)
            .into_iter()
            .rev()
            .find(|(name, _)| *name == var)
            .map(|(_, b)| b)
        else {
            return Vec::new();
        };
        if path.is_empty() {
            let Some((fields, _)) = fields_of(vocab, &bound) else {
                return Vec::new();
            };
            let mut out = self.field_items(vocab, fields);
            // Every event has its time, declared as a field or not.
            if !fields.iter().any(|f| f.name == "time") {
                out.push(self.item(
                    "time".to_owned(),
                    CompletionKind::Field,
                    Some("time: the event's time".to_owned()),
                ));
            }
            return out;
        }
        let path: Vec<&str> = path.iter().map(String::as_str).collect();
        match resolve_path(vocab, &bound, &path) {
            Some((field, _)) => match &field.ty {
                Ty::Record(id) => vocab
                    .records
                    .get(*id as usize)
                    .map(|r| self.field_items(vocab, &r.fields))
                    .unwrap_or_default(),
                Ty::Time => self.time_parts(),
                _ => Vec::new(),
            },
            None if path == ["time"] => self.time_parts(),
            None => Vec::new(),
        }
    }

    /// The parts of a time, read in the regulation's time zone.
    fn time_parts(&self) -> Vec<Completion> {
        [
            ("hour", "int: 0 to 23, in the regulation's time zone"),
            ("minute", "int: 0 to 59"),
            ("weekday", "int: 1 (Monday) to 7 (Sunday)"),
            ("date", "date: the day, in the regulation's time zone"),
        ]
        .into_iter()
        .map(|(name, detail)| {
            self.item(
                name.to_owned(),
                CompletionKind::Field,
                Some(detail.to_owned()),
            )
        })
        .collect()
    }

    /// Enum values after `var.field ==`.
    fn enum_values(&self, code: &[&Token], text: &str) -> Vec<Completion> {
        let Some(vocab) = &self.vocab else {
            return Vec::new();
        };
        let Some((var, path)) = path_before(code, code.len().saturating_sub(1), text) else {
            return Vec::new();
        };
        let Some((_, bound)) = bindings(code, text)
            .into_iter()
            .rev()
            .find(|(n, _)| *n == var)
        else {
            return Vec::new();
        };
        let path: Vec<&str> = path.iter().map(String::as_str).collect();
        let Some((field, _)) = resolve_path(vocab, &bound, &path) else {
            return Vec::new();
        };
        let Ty::Enum(id) = field.ty else {
            return Vec::new();
        };
        let Some(info) = vocab.enums.get(id as usize) else {
            return Vec::new();
        };
        info.values
            .iter()
            .map(|v| {
                self.item(
                    v.clone(),
                    CompletionKind::EnumValue,
                    Some(format!("value of enum `{}`", info.name)),
                )
            })
            .collect()
    }

    /// Clause numbers of the outline that no rule, exemption or `not_checkable` covers yet.
    fn clauses(&self, level: Level, lang: Lang) -> Vec<Completion> {
        let Some((outline_file, outline)) = self.ctx.outline() else {
            return Vec::new();
        };
        let outline_text = outline_file.text(self.ctx.db);
        let implemented = implemented(self.ctx);
        let (inside, _) = enclosing(&self.ctx.tree, self.replace.start);
        let mut out = Vec::new();
        let first_line = |span: Span| {
            outline_text
                .get(span.range())
                .and_then(|t| t.lines().next())
                .map(|l| l.trim().chars().take(60).collect::<String>())
        };
        for article in &outline.articles {
            let whole = ClauseRef::article(article.article.clone());
            let candidates: Vec<(ClauseRef, Span, u32)> = match level {
                Level::Article => match article.article.number() {
                    Some(n) => vec![(whole.clone(), article.span, n)],
                    None => Vec::new(),
                },
                Level::Paragraph => {
                    if inside.as_ref().map(|c| &c.article) != Some(&article.article) {
                        continue;
                    }
                    article
                        .paragraphs
                        .iter()
                        .map(|p| (whole.paragraph(p.number), p.span, p.number))
                        .collect()
                }
                Level::Item => {
                    let Some(inside) = &inside else { continue };
                    if inside.article != article.article {
                        continue;
                    }
                    let paragraph = inside.paragraph.unwrap_or(1);
                    let Some(p) = article.paragraph(paragraph) else {
                        continue;
                    };
                    let base = match inside.paragraph {
                        Some(n) => whole.paragraph(n),
                        None => whole.clone(),
                    };
                    p.items
                        .iter()
                        .map(|i| (base.item(i.number), i.span, i.number))
                        .collect()
                }
            };
            for (clause, span, n) in candidates {
                if implemented.contains(&clause) {
                    continue;
                }
                let label = match (lang, level) {
                    (Lang::En, _) => n.to_string(),
                    (Lang::Zh, Level::Article) => format!("第{}条", format_chinese_numeral(n)),
                    (Lang::Zh, Level::Paragraph) => {
                        format!("第{}款", format_chinese_numeral(n))
                    }
                    (Lang::Zh, Level::Item) => format!("第{}项", format_chinese_numeral(n)),
                };
                let detail = first_line(span).map(|l| format!("{}: {l}", clause.words()));
                out.push(self.item(label, CompletionKind::Clause, detail));
            }
        }
        out
    }

    fn keywords(&self, lang: Lang) -> Vec<Completion> {
        let mut out: Vec<Completion> = Kw::ALL
            .iter()
            .map(|k| self.keyword(k.spelling(lang), "keyword"))
            .collect();
        if lang == Lang::En {
            for word in ["article", "paragraph", "item", "within", "after"] {
                out.push(self.keyword(word, "keyword"));
            }
        } else {
            for word in ["以内", "自", "之后"] {
                out.push(self.keyword(word, "keyword"));
            }
        }
        out
    }

    /// The variables bound before the cursor and the package's constants.
    fn names(&self, code: &[&Token], text: &str) -> Vec<Completion> {
        let mut out: Vec<Completion> = Vec::new();
        let mut seen = HashSet::new();
        for (name, bound) in bindings(code, text).into_iter().rev() {
            if seen.insert(name.clone()) {
                let detail = match bound {
                    Bound::Event(e) => format!("event `{e}`"),
                    Bound::AnyEvent => "any event".to_owned(),
                    Bound::Key(s) => format!("key of state `{s}`"),
                };
                out.push(self.item(name, CompletionKind::Variable, Some(detail)));
            }
        }
        let consts = package_consts(self.ctx.db, self.ctx.package);
        for (name, info) in consts.iter() {
            let detail = self
                .vocab
                .as_ref()
                .map(|v| format!("constant {}", v.show(&info.ty).en));
            out.push(self.item(name.clone(), CompletionKind::Constant, detail));
        }
        out
    }
}

/// The clauses that hold a rule, an exemption or `not_checkable`, and the clauses above them,
/// in every file of the package.
fn implemented(ctx: &Ctx<'_>) -> HashSet<ClauseRef> {
    fn walk(body: &[ClauseEntry], clause: &ClauseRef, out: &mut HashSet<ClauseRef>) -> bool {
        let mut any = false;
        for entry in body {
            any |= match entry {
                ClauseEntry::Paragraph(sub) => {
                    walk(&sub.body, &clause.paragraph(sub.number.value), out)
                }
                ClauseEntry::Item(sub) => walk(&sub.body, &clause.item(sub.number.value), out),
                _ => true,
            };
        }
        if any {
            out.insert(clause.clone());
        }
        any
    }
    let mut out = HashSet::new();
    for &file in ctx.package.sources(ctx.db) {
        for item in &ctx.tree_of(file).items {
            if let Item::Article(a) = item {
                walk(&a.body, &ClauseRef::article(a.article.clone()), &mut out);
            }
        }
    }
    out
}

/// The path `var.a.b` whose last token is at `end - 1` (before a `.` or an operator): the
/// variable and the fields after it.
fn path_before(code: &[&Token], end: usize, text: &str) -> Option<(String, Vec<String>)> {
    let mut parts: Vec<String> = Vec::new();
    let mut i = end;
    // Skip the `.` or operator the cursor follows.
    loop {
        let t = code.get(i.checked_sub(1)?)?;
        if t.kind != TokenKind::Word {
            return None;
        }
        parts.push(text[t.span.range()].to_owned());
        i -= 1;
        match i.checked_sub(1).and_then(|j| code.get(j)) {
            Some(dot) if &text[dot.span.range()] == "." => i -= 1,
            _ => break,
        }
    }
    parts.reverse();
    let var = parts.remove(0);
    Some((var, parts))
}

fn is_keyword(word: &str) -> bool {
    ENGLISH_WORDS.contains(&word) || CHINESE_WORDS.contains(&word)
}

/// The variables bound between the start of the enclosing rule, exemption or state and the
/// cursor, read from the tokens: `on EVENT v`, `once EVENT v`, `reset by EVENT v`,
/// `require EVENT v`, `exempt EVENT v`, `exempt any event v`, `size(STATE[k])`.
fn bindings(code: &[&Token], text: &str) -> Vec<(String, Bound)> {
    let word = |i: usize| code.get(i).map_or("", |t| &text[t.span.range()]);
    let is_word = |i: usize| code.get(i).is_some_and(|t| t.kind == TokenKind::Word);
    let start = (0..code.len())
        .rev()
        .find(|&i| {
            matches!(
                word(i),
                "rule" | "规则" | "exempt" | "豁免" | "state" | "状态" | "const" | "常量"
            ) || code[i].kind == TokenKind::Clause
        })
        .unwrap_or(0);
    let mut out = Vec::new();
    let name_pair = |i: usize| {
        is_word(i + 1) && is_word(i + 2) && !is_keyword(word(i + 1)) && !is_keyword(word(i + 2))
    };
    for i in start..code.len() {
        match word(i) {
            "on" | "对于" | "once" | "曾经" | "重置于" | "require" | "应当" if name_pair(i) =>
            {
                out.push((word(i + 2).to_owned(), Bound::Event(word(i + 1).to_owned())));
            }
            "by" if i > 0 && word(i - 1) == "reset" && name_pair(i) => {
                out.push((word(i + 2).to_owned(), Bound::Event(word(i + 1).to_owned())));
            }
            "exempt" | "豁免" => {
                if word(i + 1) == "any" && word(i + 2) == "event" && is_word(i + 3) {
                    out.push((word(i + 3).to_owned(), Bound::AnyEvent));
                } else if word(i + 1) == "任何事件" && is_word(i + 2) {
                    out.push((word(i + 2).to_owned(), Bound::AnyEvent));
                } else if name_pair(i) {
                    out.push((word(i + 2).to_owned(), Bound::Event(word(i + 1).to_owned())));
                }
            }
            "size" | "规模" if word(i + 1) == "(" && word(i + 3) == "[" && is_word(i + 4) => {
                out.push((word(i + 4).to_owned(), Bound::Key(word(i + 2).to_owned())));
            }
            _ => {}
        }
    }
    out
}
