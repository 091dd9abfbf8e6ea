//! Linking rules to the regulation: every article, paragraph and item a policy writes must
//! exist in the outline, once; every rule must sit inside one; rule names are unique.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use edict_grammar::ast::{ArticleRef, ClauseEntry, Item, Span, SubClause};
use edict_grammar::outline::Outline;
use edict_runtime::ir::{self, ClauseRef};

use crate::db::Package;
use crate::diagnostic::{Code, Diagnostic, Origin, did_you_mean};
use crate::parse::{article, articles_of, parse_file};
use crate::resolve::package_outline;

/// The clauses a policy writes, in regulation order, and where each stands in the program's
/// clause table.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Linked {
    pub clauses: BTreeMap<ClauseRef, ir::Clause>,
    index: HashMap<ClauseRef, u32>,
}

impl Linked {
    /// The index of a clause in the program's clause table.
    pub fn clause_index(&self, clause: &ClauseRef) -> Option<u32> {
        self.index.get(clause).copied()
    }
}

/// The package's clause table; reports citations the outline lacks, clauses written twice,
/// rules outside any clause and rule names used twice.
#[salsa::tracked(returns(ref))]
pub(crate) fn link_package(db: &dyn salsa::Database, package: Package) -> Arc<Linked> {
    let outline = package_outline(db, package);
    let mut linker = Linker {
        outline: outline.as_ref().map(|(_, o)| &**o),
        outline_name: outline
            .as_ref()
            .map(|(f, _)| f.path(db).clone())
            .unwrap_or_default(),
        clauses: BTreeMap::new(),
        spans: HashMap::new(),
        rules: HashMap::new(),
        diags: Vec::new(),
    };
    for &file in package.sources(db) {
        for &index in articles_of(db, file).iter() {
            let Some(syntax) = article(db, file, index) else {
                continue;
            };
            let origin = Origin::item(file, index);
            let clause = ClauseRef::article(syntax.article.clone());
            let title = syntax.title.as_ref().map(|t| t.value.clone());
            linker.clause(
                origin,
                &clause,
                syntax.number_span,
                title,
                &syntax.body,
                true,
            );
        }
        for item in &parse_file(db, file).items {
            if let Item::Stray(entry) = item {
                linker.stray(Origin::file(file), entry);
            }
        }
    }
    for d in linker.diags {
        d.report(db);
    }
    let index = linker
        .clauses
        .keys()
        .enumerate()
        .filter_map(|(i, c)| Some((c.clone(), u32::try_from(i).ok()?)))
        .collect();
    Arc::new(Linked {
        clauses: linker.clauses,
        index,
    })
}

struct Linker<'a> {
    outline: Option<&'a Outline>,
    outline_name: String,
    clauses: BTreeMap<ClauseRef, ir::Clause>,
    spans: HashMap<ClauseRef, (Origin, Span)>,
    rules: HashMap<String, (Origin, Span)>,
    diags: Vec<Diagnostic>,
}

impl Linker<'_> {
    fn stray(&mut self, origin: Origin, entry: &ClauseEntry) {
        let (what, span) = match entry {
            ClauseEntry::Rule(r) => (format!("rule `{}`", r.name.name), r.name.span),
            ClauseEntry::Exempt(e) => ("this exemption".to_string(), e.span),
            ClauseEntry::NotCheckable(s) => ("`not_checkable`".to_string(), s.span),
            ClauseEntry::Paragraph(p) | ClauseEntry::Item(p) => {
                ("this paragraph or item".to_string(), p.number.span)
            }
        };
        self.diags.push(
            Diagnostic::error(
                Code::OutsideClause,
                origin,
                span,
                format!("{what} stands outside any article"),
            )
            .label("not inside `article N { … }`")
            .help("move it into the article (and paragraph) of the regulation it implements"),
        );
    }

    fn clause(
        &mut self,
        origin: Origin,
        clause: &ClauseRef,
        span: Span,
        title: Option<String>,
        body: &[ClauseEntry],
        check_outline: bool,
    ) {
        if let Some((first_origin, first)) = self.spans.get(clause).copied() {
            self.diags.push(
                Diagnostic::error(
                    Code::DuplicateClause,
                    origin,
                    span,
                    format!("{} is written twice", clause.words()),
                )
                .label("written again here")
                .secondary(first_origin, first, "first written here")
                .help("put all rules of one clause in one block"),
            );
            return;
        }
        self.spans.insert(clause.clone(), (origin, span));
        // Below a clause the outline lacks, every sub-clause is missing too: report it once.
        let in_outline = check_outline && self.check_outline(origin, clause, span);
        let mut linked = ir::Clause {
            at: clause.clone(),
            title: title.clone(),
            not_checkable: None,
        };
        for entry in body {
            match entry {
                ClauseEntry::Paragraph(sub) | ClauseEntry::Item(sub) => {
                    let is_item = matches!(entry, ClauseEntry::Item(_));
                    let (what, fits) = if is_item {
                        ("an item", clause.item.is_none())
                    } else {
                        (
                            "a paragraph",
                            clause.paragraph.is_none() && clause.item.is_none(),
                        )
                    };
                    if !fits {
                        self.misplaced(origin, sub, what, clause);
                        continue;
                    }
                    let inner = if is_item {
                        clause.item(sub.number.value)
                    } else {
                        clause.paragraph(sub.number.value)
                    };
                    let sub_title = sub.title.as_ref().map(|t| t.value.clone());
                    let sub_title = sub_title.or(title.clone());
                    self.clause(
                        origin,
                        &inner,
                        sub.number.span,
                        sub_title,
                        &sub.body,
                        in_outline,
                    );
                }
                ClauseEntry::Rule(rule) => {
                    if let Some((first_origin, first)) = self.rules.get(&rule.name.name).copied() {
                        self.diags.push(
                            Diagnostic::error(
                                Code::DuplicateRule,
                                origin,
                                rule.name.span,
                                format!("two rules are named `{}`", rule.name.name),
                            )
                            .label("second rule of this name")
                            .secondary(first_origin, first, "first rule of this name")
                            .help("rule names identify findings: give each rule its own name"),
                        );
                    } else {
                        self.rules
                            .insert(rule.name.name.clone(), (origin, rule.name.span));
                    }
                }
                ClauseEntry::NotCheckable(reason) => {
                    linked.not_checkable = Some(reason.value.clone());
                }
                ClauseEntry::Exempt(_) => {}
            }
        }
        self.clauses.insert(clause.clone(), linked);
    }

    fn misplaced(&mut self, origin: Origin, sub: &SubClause, what: &str, outer: &ClauseRef) {
        self.diags.push(
            Diagnostic::error(
                Code::MisplacedClause,
                origin,
                sub.number.span,
                format!("{what} cannot stand inside {}", outer.words()),
            )
            .label("misplaced")
            .help("articles hold paragraphs, paragraphs hold items"),
        );
    }

    /// Reports a clause the outline lacks; returns whether the clause is there.
    fn check_outline(&mut self, origin: Origin, clause: &ClauseRef, span: Span) -> bool {
        let Some(outline) = self.outline else {
            return false;
        };
        // No clause is numbered 0: a 0 stands for a number the parser could not read, and
        // reported (too large, not a numeral, or a written 0).
        if clause.article == ArticleRef::Number(0)
            || clause.paragraph == Some(0)
            || clause.item == Some(0)
        {
            return false;
        }
        let name = &self.outline_name;
        let error = |message: String, help: String| {
            Diagnostic::error(Code::CitationNotInOutline, origin, span, message)
                .label(format!("not in `{name}`"))
                .help(help)
        };
        let Some(article) = outline.article(&clause.article) else {
            let diagnostic = match &clause.article {
                ArticleRef::Key(key) => {
                    let keys: Vec<String> = outline.keys().map(|k| format!("`{k}`")).collect();
                    let help = match did_you_mean(key, outline.keys()) {
                        Some(suggestion) => suggestion,
                        None if keys.is_empty() => {
                            "the outline has no article of unknown number (`第？条【key】`)"
                                .to_string()
                        }
                        None => format!(
                            "the outline's articles of unknown number are {}",
                            keys.join(", ")
                        ),
                    };
                    error(
                        format!("the regulation has no article of unknown number `{key}`"),
                        help,
                    )
                }
                ArticleRef::Number(number) => error(
                    format!("the regulation has no article {number}"),
                    format!(
                        "its outline has articles 1 to {}; check the number against the official text",
                        outline.last_number().unwrap_or(0)
                    ),
                ),
            };
            self.diags.push(diagnostic);
            return false;
        };
        let whole = ClauseRef::article(clause.article.clone());
        let paragraph = match clause.paragraph {
            Some(p) => match article.paragraph(p) {
                Some(par) => Some(par),
                None => {
                    self.diags.push(error(
                        format!("{} has no paragraph {p}", whole.words()),
                        format!(
                            "{} has {}",
                            whole.words(),
                            count(article.paragraphs.len(), "paragraph")
                        ),
                    ));
                    return false;
                }
            },
            None => None,
        };
        if let Some(i) = clause.item {
            let par = paragraph.or_else(|| article.paragraph(1));
            if par.and_then(|p| p.item(i)).is_none() {
                let n = par.map_or(0, |p| p.items.len());
                let container = ClauseRef {
                    item: None,
                    ..clause.clone()
                };
                self.diags.push(error(
                    format!("{} has no item {i}", container.words()),
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
