//! Gathering every diagnostic of a package, from every pass, in source order.
//!
//! Passes report diagnostics through the [`Reported`] accumulator; [`package_diagnostics`] runs
//! every pass, collects what they reported, and makes every span absolute (a pass that reads one
//! article reports relative to the article's start).

use edict_grammar::ast::Span;

use crate::db::Package;
use crate::declare::{package_consts, package_states};
use crate::diagnostic::{Diagnostic, Reported};
use crate::link::link_package;
use crate::parse::{package_articles, parse_file};
use crate::resolve::{header, package_calendar, package_outline, package_vocab};
use crate::typecheck::typecheck_article;
use crate::vocab::{declared_names, vocab_named, vocabularies};

/// Runs every pass of a package, for what they report.
#[salsa::tracked]
pub(crate) fn check_package(db: &dyn salsa::Database, package: Package) {
    for &file in package.sources(db) {
        parse_file(db, file);
        vocabularies(db, file);
        // Extensions are resolved within the package, whose imports hold their bases.
        for name in declared_names(db, file) {
            vocab_named(db, package, file, name);
        }
    }
    if let Some((file, _)) = header(db, package)
        .as_ref()
        .and_then(|h| h.vocabulary.as_ref())
    {
        parse_file(db, *file);
        vocabularies(db, *file);
    }
    package_vocab(db, package);
    package_outline(db, package);
    package_calendar(db, package);
    package_consts(db, package);
    package_states(db, package);
    for &(file, index) in package_articles(db, package).iter() {
        typecheck_article(db, package, file, index);
    }
    link_package(db, package);
}

/// Every diagnostic of a package, with absolute spans, sorted by file and position.
#[salsa::tracked(returns(ref))]
pub(crate) fn package_diagnostics(db: &dyn salsa::Database, package: Package) -> Vec<Diagnostic> {
    let mut all: Vec<Diagnostic> = check_package::accumulated::<Reported>(db, package)
        .into_iter()
        .map(|reported| {
            let mut d = reported.0.clone();
            for label in d.labels_mut() {
                if let Some(item) = label.item.take() {
                    let origin = parse_file(db, label.file)
                        .items
                        .get(item as usize)
                        .map_or(0, |item| item.span().start);
                    label.span = Span {
                        start: label.span.start.saturating_add(origin),
                        end: label.span.end.saturating_add(origin),
                    };
                }
            }
            d
        })
        .collect();
    all.sort_by(|a, b| {
        (a.primary.file.path(db), a.primary.span.start, a.code).cmp(&(
            b.primary.file.path(db),
            b.primary.span.start,
            b.code,
        ))
    });
    all.dedup();
    all
}

/// Whether a package has an error.
#[salsa::tracked]
pub(crate) fn has_errors(db: &dyn salsa::Database, package: Package) -> bool {
    package_diagnostics(db, package)
        .iter()
        .any(Diagnostic::is_error)
}
