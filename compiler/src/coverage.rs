//! Clause coverage: for every clause of the regulation's outline, the rules that implement it,
//! the reason no event can show it, or nothing at all.

use edict_grammar::outline::OutlineArticle;
use edict_runtime::ir::{self, ClauseRef};

use crate::db::Package;
use crate::lower::lower_package;
use crate::resolve::package_outline;

/// One clause of the outline and how the policy accounts for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CoverageRow {
    /// The article, or one of its paragraphs when it has several.
    pub clause: ClauseRef,
    /// The title the policy gives the clause, if it writes one.
    pub title: Option<String>,
    pub status: Status,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Status {
    /// Rule ids and exemptions (`exempt EVENT`) implementing the clause, here or in its items;
    /// `inherited` when they sit on the whole article of a clause with several paragraphs.
    Implemented {
        rules: Vec<String>,
        inherited: bool,
    },
    /// The policy marks the clause `not_checkable`, with this reason.
    NotCheckable(String),
    Missing,
}

/// The coverage of a package that compiles; `None` when it has errors or no outline.
pub(crate) fn coverage(db: &dyn salsa::Database, package: Package) -> Option<Vec<CoverageRow>> {
    let program = lower_package(db, package).clone()?;
    let (_, outline) = package_outline(db, package).clone()?;
    let mut rows = Vec::new();
    for article in &outline.articles {
        if article.paragraphs.len() > 1 {
            for paragraph in &article.paragraphs {
                rows.push(row(&program, article, Some(paragraph.number)));
            }
        } else {
            rows.push(row(&program, article, None));
        }
    }
    Some(rows)
}

fn same_article(clause: &ir::Clause, article: &OutlineArticle) -> bool {
    clause.at.article == article.article
}

fn row(program: &ir::Program, article: &OutlineArticle, paragraph: Option<u32>) -> CoverageRow {
    let article_level = |c: &ir::Clause| same_article(c, article) && c.at.paragraph.is_none();
    // The clause itself and its items; for a one-paragraph article, also `paragraph 1`.
    let inside = |c: &ir::Clause| {
        same_article(c, article)
            && match paragraph {
                Some(p) => c.at.paragraph == Some(p),
                None => true,
            }
    };
    let implementing = |pick: &dyn Fn(&ir::Clause) -> bool| -> Vec<String> {
        let mut found: Vec<String> = program
            .rules
            .iter()
            .filter(|r| program.clauses.get(r.clause as usize).is_some_and(pick))
            .map(|r| r.id.to_string())
            .collect();
        for e in &program.exemptions {
            if program.clauses.get(e.clause as usize).is_some_and(pick) {
                let what = e
                    .event
                    .and_then(|id| program.vocabulary.events.get(id as usize));
                found.push(match what {
                    Some(event) => format!("exempt {}", event.name),
                    None => "exempt any event".to_string(),
                });
            }
        }
        found
    };
    let own = implementing(&inside);
    let status = if !own.is_empty() {
        Status::Implemented {
            rules: own,
            inherited: false,
        }
    } else if let Some(reason) = program
        .clauses
        .iter()
        .filter(|c| inside(c) || article_level(c))
        .find_map(|c| c.not_checkable.clone())
    {
        Status::NotCheckable(reason)
    } else {
        let inherited = if paragraph.is_some() {
            implementing(&article_level)
        } else {
            Vec::new()
        };
        if inherited.is_empty() {
            Status::Missing
        } else {
            Status::Implemented {
                rules: inherited,
                inherited: true,
            }
        }
    };
    let title = program
        .clauses
        .iter()
        .filter(|c| inside(c) || article_level(c))
        .find_map(|c| c.title.clone());
    let whole = ClauseRef::article(article.article.clone());
    CoverageRow {
        clause: match paragraph {
            Some(p) => whole.paragraph(p),
            None => whole,
        },
        title,
        status,
    }
}
