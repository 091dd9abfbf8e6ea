//! Linking rules to the regulation: every article, paragraph and item a policy writes must
//! exist in the outline, once; every rule must sit inside one; rule names are unique.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use edict_grammar::ast::{ArticleRef, ClauseEntry, Item, Span, SubClause};
use edict_grammar::outline::Outline;
use edict_runtime::ir::{self, ClauseRef};

use crate::db::Package;
use crate::diagnostic::{Code, Diagnostic, Origin, Text, did_you_mean};
use crate::parse::{article, articles_of, parse_file};
use crate::resolve::package_outline;
use edict_grammar::tr;

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
            ClauseEntry::Rule(r) => {
                let name = &r.name.name;
                (tr!("rule `{name}`", "规则`{name}`"), r.name.span)
            }
            ClauseEntry::Exempt(e) => (tr!("this exemption", "这项豁免"), e.span),
            ClauseEntry::NotCheckable(s) => (tr!("`not_checkable`", "`不可检查`"), s.span),
            ClauseEntry::Paragraph(p) | ClauseEntry::Item(p) => {
                (tr!("this paragraph or item", "这个款或项"), p.number.span)
            }
        };
        let (what_en, what_zh) = (&what.en, &what.zh);
        self.diags.push(
            Diagnostic::error(
                Code::OutsideClause,
                origin,
                span,
                tr!(
                    "{what_en} stands outside any article",
                    "{what_zh}不在任何条之内"
                ),
            )
            .label(tr!(
                "not inside `article N {{ … }}`",
                "不在`第N条 {{ … }}`之内"
            ))
            .help(tr!(
                "move it into the article (and paragraph) of the regulation it implements",
                "把它移到它所实施的法规条（和款）之内"
            )),
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
                Diagnostic::error(Code::DuplicateClause, origin, span, {
                    let (en, zh) = (clause.words(), clause.zh());
                    tr!("{en} is written twice", "{zh}写了两次")
                })
                .label(tr!("written again here", "再次写在此"))
                .secondary(
                    first_origin,
                    first,
                    tr!("first written here", "第一次写在此"),
                )
                .help(tr!(
                    "put all rules of one clause in one block",
                    "把同一条款的所有规则写在一个块中"
                )),
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
                            Diagnostic::error(Code::DuplicateRule, origin, rule.name.span, {
                                let name = &rule.name.name;
                                tr!("two rules are named `{name}`", "两条规则都叫`{name}`")
                            })
                            .label(tr!("second rule of this name", "第二条同名规则"))
                            .secondary(
                                first_origin,
                                first,
                                tr!("first rule of this name", "第一条同名规则"),
                            )
                            .help(tr!(
                                "rule names identify findings: give each rule its own name",
                                "规则名称用来识别发现：给每条规则取不同的名称"
                            )),
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
        let what_zh = match what {
            "a paragraph" => "款",
            "an item" => "项",
            _ => "这里",
        };
        let (outer_en, outer_zh) = (outer.words(), outer.zh());
        self.diags.push(
            Diagnostic::error(
                Code::MisplacedClause,
                origin,
                sub.number.span,
                tr!(
                    "{what} cannot stand inside {outer_en}",
                    "{what_zh}不能写在{outer_zh}之内"
                ),
            )
            .label(tr!("misplaced", "位置不对"))
            .help(tr!(
                "articles hold paragraphs, paragraphs hold items",
                "条包含款，款包含项"
            )),
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
        let error = |message: Text, help: Text| {
            Diagnostic::error(Code::CitationNotInOutline, origin, span, message)
                .label(tr!("not in `{name}`", "不在`{name}`中"))
                .help(help)
        };
        let Some(article) = outline.article(&clause.article) else {
            let diagnostic = match &clause.article {
                ArticleRef::Key(key) => {
                    let keys: Vec<String> = outline.keys().map(|k| format!("`{k}`")).collect();
                    let help = match did_you_mean(key, outline.keys()) {
                        Some(suggestion) => suggestion,
                        None if keys.is_empty() => tr!(
                            "the outline has no article of unknown number (`第？条【key】`)",
                            "纲要中没有编号未知的条（`第？条【键】`）"
                        ),
                        None => {
                            let (en, zh) = (keys.join(", "), keys.join("、"));
                            tr!(
                                "the outline's articles of unknown number are {en}",
                                "纲要中编号未知的条有{zh}"
                            )
                        }
                    };
                    error(
                        tr!(
                            "the regulation has no article of unknown number `{key}`",
                            "法规中没有编号未知的条`{key}`"
                        ),
                        help,
                    )
                }
                ArticleRef::Number(number) => {
                    let last = outline.last_number().unwrap_or(0);
                    let (zh, last_zh) = (
                        edict_grammar::format_chinese_numeral(*number),
                        edict_grammar::format_chinese_numeral(last),
                    );
                    error(
                        tr!(
                            "the regulation has no article {number}",
                            "法规中没有第{zh}条"
                        ),
                        tr!(
                            "its outline has articles 1 to {last}; check the number against the official text",
                            "它的纲要有第一条至第{last_zh}条；请对照官方文本核对编号"
                        ),
                    )
                }
            };
            self.diags.push(diagnostic);
            return false;
        };
        let whole = ClauseRef::article(clause.article.clone());
        let paragraph = match clause.paragraph {
            Some(p) => match article.paragraph(p) {
                Some(par) => Some(par),
                None => {
                    let (en, zh) = (whole.words(), whole.zh());
                    let n = article.paragraphs.len();
                    let (has_en, has_zh) = (count(n, "paragraph"), count_zh(n, "款"));
                    self.diags.push(error(
                        tr!("{en} has no paragraph {p}", "{zh}没有第{p}款"),
                        tr!("{en} has {has_en}", "{zh}{has_zh}"),
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
                let (en, zh) = (container.words(), container.zh());
                let (has_en, has_zh) = (count(n, "item"), count_zh(n, "项"));
                self.diags.push(error(
                    tr!("{en} has no item {i}", "{zh}没有第{i}项"),
                    tr!("it has {has_en}", "它{has_zh}"),
                ));
                return false;
            }
        }
        true
    }
}

/// "只有第1款", "有第1至3项", "没有项".
fn count_zh(n: usize, what: &str) -> String {
    match n {
        0 => format!("没有{what}"),
        1 => format!("只有第1{what}"),
        n => format!("有第1至{n}{what}"),
    }
}

fn count(n: usize, what: &str) -> String {
    match n {
        0 => format!("no {what}s"),
        1 => format!("one {what}"),
        n => format!("{what}s 1 to {n}"),
    }
}
