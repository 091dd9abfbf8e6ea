//! Linking rules to the regulation: every article, paragraph and item a policy writes must
//! exist in the outline, once; every rule must sit inside one; rule names are unique.

use std::collections::{BTreeMap, HashMap};

use edict_grammar::ast::{ClauseEntry, Item, Span, SubClause};
use edict_grammar::outline::Outline;
use edict_runtime::ir;

use crate::db::{Package, SourceFile};
use crate::diagnostic::{Code, Diagnostic};
use crate::parse::parse_file;
use crate::resolve::package_env;
use crate::typecheck::ClausePath;

#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Linked {
    /// The clauses the policy writes, in regulation order.
    pub clauses: BTreeMap<ClauseKey, ir::Clause>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Orders clauses as the regulation does: article, then paragraph, then item; articles of
/// unknown number come after the numbered ones, by key.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ClauseKey(
    pub u32,
    pub Option<String>,
    pub Option<u32>,
    pub Option<u32>,
);

impl From<&ClausePath> for ClauseKey {
    fn from(p: &ClausePath) -> Self {
        let order = if p.key.is_some() { u32::MAX } else { p.article };
        ClauseKey(order, p.key.clone(), p.paragraph, p.item)
    }
}

impl Linked {
    /// The index of a clause in the program's clause table.
    pub fn clause_index(&self, path: &ClausePath) -> Option<u32> {
        let key = ClauseKey::from(path);
        self.clauses
            .keys()
            .position(|k| *k == key)
            .map(|i| i as u32)
    }
}

#[salsa::tracked(returns(ref))]
pub fn link_package(db: &dyn salsa::Database, package: Package) -> Linked {
    let env = package_env(db, package);
    let mut linker = Linker {
        outline: env.outline.as_ref().map(|(_, o)| &**o),
        outline_name: env
            .outline
            .as_ref()
            .map(|(f, _)| f.path(db).clone())
            .unwrap_or_default(),
        out: Linked::default(),
        spans: HashMap::new(),
        rules: HashMap::new(),
    };
    for &file in package.sources(db) {
        for item in &parse_file(db, file).ast.items {
            match item {
                Item::Article(article) => {
                    let path = ClausePath::of_article(article);
                    let title = article.title.as_ref().map(|t| t.value.clone());
                    linker.clause(file, &path, article.number.span, title, &article.body, true);
                }
                Item::Stray(entry) => {
                    let (what, span) = match entry {
                        ClauseEntry::Rule(r) => (format!("rule `{}`", r.name.name), r.name.span),
                        ClauseEntry::Exempt(e) => ("this exemption".to_string(), e.span),
                        ClauseEntry::NotCheckable(s) => ("`not_checkable`".to_string(), s.span),
                        ClauseEntry::Paragraph(p) | ClauseEntry::Item(p) => {
                            ("this paragraph or item".to_string(), p.number.span)
                        }
                    };
                    linker.out.diagnostics.push(
                        Diagnostic::error(
                            Code::OutsideClause,
                            file,
                            span,
                            format!("{what} stands outside any article"),
                        )
                        .label("not inside `article N { … }`")
                        .help("move it into the article (and paragraph) of the regulation it implements"),
                    );
                }
                _ => {}
            }
        }
    }
    linker.out
}

struct Linker<'a> {
    outline: Option<&'a Outline>,
    outline_name: String,
    out: Linked,
    spans: HashMap<ClauseKey, (SourceFile, Span)>,
    rules: HashMap<String, (SourceFile, Span)>,
}

impl Linker<'_> {
    fn clause(
        &mut self,
        file: SourceFile,
        path: &ClausePath,
        span: Span,
        title: Option<String>,
        body: &[ClauseEntry],
        check_outline: bool,
    ) {
        let key = ClauseKey::from(path);
        if let Some((first_file, first)) = self.spans.get(&key).copied() {
            self.out.diagnostics.push(
                Diagnostic::error(
                    Code::DuplicateClause,
                    file,
                    span,
                    format!("{} is written twice", describe(path)),
                )
                .label("written again here")
                .secondary(first_file, first, "first written here")
                .help("put all rules of one clause in one block"),
            );
            return;
        }
        self.spans.insert(key.clone(), (file, span));
        // Below a clause the outline lacks, every sub-clause is missing too: report it once.
        let in_outline = check_outline && self.check_outline(file, path, span);
        let mut clause = ir::Clause {
            article: path.article,
            key: path.key.clone(),
            paragraph: path.paragraph,
            item: path.item,
            title: title.clone(),
            not_checkable: None,
        };
        for entry in body {
            match entry {
                ClauseEntry::Paragraph(sub) | ClauseEntry::Item(sub) => {
                    let is_item = matches!(entry, ClauseEntry::Item(_));
                    let (what, fits) = if is_item {
                        ("an item", path.item.is_none())
                    } else {
                        (
                            "a paragraph",
                            path.paragraph.is_none() && path.item.is_none(),
                        )
                    };
                    if !fits {
                        self.misplaced(file, sub, what, path);
                        continue;
                    }
                    let number = Some(sub.number.value);
                    let inner = if is_item {
                        ClausePath {
                            item: number,
                            ..path.clone()
                        }
                    } else {
                        ClausePath {
                            paragraph: number,
                            ..path.clone()
                        }
                    };
                    let sub_title = sub.title.as_ref().map(|t| t.value.clone());
                    let sub_title = sub_title.or(title.clone());
                    self.clause(
                        file,
                        &inner,
                        sub.number.span,
                        sub_title,
                        &sub.body,
                        in_outline,
                    );
                }
                ClauseEntry::Rule(rule) => {
                    if let Some((first_file, first)) = self.rules.get(&rule.name.name).copied() {
                        self.out.diagnostics.push(
                            Diagnostic::error(
                                Code::DuplicateRule,
                                file,
                                rule.name.span,
                                format!("two rules are named `{}`", rule.name.name),
                            )
                            .label("second rule of this name")
                            .secondary(first_file, first, "first rule of this name")
                            .help("rule names identify findings: give each rule its own name"),
                        );
                    } else {
                        self.rules
                            .insert(rule.name.name.clone(), (file, rule.name.span));
                    }
                }
                ClauseEntry::NotCheckable(reason) => {
                    clause.not_checkable = Some(reason.value.clone());
                }
                ClauseEntry::Exempt(_) => {}
            }
        }
        self.out.clauses.insert(key, clause);
    }

    fn misplaced(&mut self, file: SourceFile, sub: &SubClause, what: &str, outer: &ClausePath) {
        self.out.diagnostics.push(
            Diagnostic::error(
                Code::MisplacedClause,
                file,
                sub.number.span,
                format!("{what} cannot stand inside {}", describe(outer)),
            )
            .label("misplaced")
            .help("articles hold paragraphs, paragraphs hold items"),
        );
    }

    /// Reports a clause the outline lacks; returns whether the clause is there.
    fn check_outline(&mut self, file: SourceFile, path: &ClausePath, span: Span) -> bool {
        let Some(outline) = self.outline else {
            return false;
        };
        let name = &self.outline_name;
        let error = |message: String, help: String| {
            Diagnostic::error(Code::CitationNotInOutline, file, span, message)
                .label(format!("not in `{name}`"))
                .help(help)
        };
        if let Some(key) = &path.key
            && outline.article_by_key(key).is_none()
        {
            let keys: Vec<String> = outline
                .articles
                .iter()
                .filter_map(|a| a.key.as_ref().map(|k| format!("`{k}`")))
                .collect();
            let help = match crate::types::closest(
                key,
                outline.articles.iter().filter_map(|a| a.key.as_deref()),
            ) {
                Some(close) => format!("did you mean `{close}`?"),
                None if keys.is_empty() => {
                    "the outline has no article of unknown number (`第？条【key】`)".to_string()
                }
                None => format!(
                    "the outline's articles of unknown number are {}",
                    keys.join(", ")
                ),
            };
            self.out.diagnostics.push(error(
                format!("the regulation has no article of unknown number `{key}`"),
                help,
            ));
            return false;
        }
        let found = match &path.key {
            Some(key) => outline.article_by_key(key),
            None => outline.article(path.article),
        };
        let Some(article) = found else {
            let last = outline
                .articles
                .iter()
                .filter(|a| a.key.is_none())
                .map(|a| a.number)
                .max()
                .unwrap_or(0);
            self.out.diagnostics.push(error(
                format!("the regulation has no article {}", path.article),
                format!("its outline has articles 1 to {last}; check the number against the official text"),
            ));
            return false;
        };
        let paragraph = match path.paragraph {
            Some(p) => match article.paragraph(p) {
                Some(par) => Some(par),
                None => {
                    self.out.diagnostics.push(error(
                        format!("article {} has no paragraph {p}", path.article),
                        format!(
                            "article {} has {}",
                            path.article,
                            count(article.paragraphs.len(), "paragraph")
                        ),
                    ));
                    return false;
                }
            },
            None => None,
        };
        if let Some(i) = path.item {
            let par = paragraph.or_else(|| article.paragraph(1));
            if par.and_then(|p| p.item(i)).is_none() {
                let n = par.map_or(0, |p| p.items.len());
                self.out.diagnostics.push(error(
                    format!(
                        "{} has no item {i}",
                        describe(&ClausePath {
                            item: None,
                            ..path.clone()
                        })
                    ),
                    format!("it has {}", count(n, "item")),
                ));
                return false;
            }
        }
        true
    }
}

fn count(n: usize, what: &str) -> String {
    match n {
        0 => format!("no {what}s"),
        1 => format!("one {what}"),
        n => format!("{what}s 1 to {n}"),
    }
}

/// "article 8", "article 8 paragraph 2", "article 13 paragraph 1 item 2".
pub fn describe(p: &ClausePath) -> String {
    let mut s = match &p.key {
        Some(key) => format!("article `{key}`"),
        None => format!("article {}", p.article),
    };
    if let Some(par) = p.paragraph {
        s.push_str(&format!(" paragraph {par}"));
    }
    if let Some(i) = p.item {
        s.push_str(&format!(" item {i}"));
    }
    s
}
