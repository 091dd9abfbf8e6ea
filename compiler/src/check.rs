//! Gathering every diagnostic of a package, from every pass, in source order.

use crate::db::Package;
use crate::diagnostic::Diagnostic;
use crate::link::link_package;
use crate::parse::{parse_file, parse_outline};
use crate::resolve::package_env;
use crate::typecheck::typecheck_file;
use crate::vocab::vocabularies;

#[salsa::tracked(returns(ref))]
pub fn package_diagnostics(db: &dyn salsa::Database, package: Package) -> Vec<Diagnostic> {
    let mut all: Vec<Diagnostic> = Vec::new();
    for &file in package.sources(db) {
        all.extend(parse_file(db, file).diagnostics.iter().cloned());
        all.extend(vocabularies(db, file).diagnostics.iter().cloned());
    }
    let env = package_env(db, package);
    all.extend(env.diagnostics.iter().cloned());
    if let Some(vocab) = &env.vocab
        && !package.sources(db).contains(&vocab.file)
    {
        all.extend(parse_file(db, vocab.file).diagnostics.iter().cloned());
        all.extend(vocabularies(db, vocab.file).diagnostics.iter().cloned());
    }
    if let Some((outline, _)) = &env.outline {
        all.extend(parse_outline(db, *outline).diagnostics.iter().cloned());
    }
    for &file in package.sources(db) {
        all.extend(
            typecheck_file(db, package, file)
                .diagnostics
                .iter()
                .cloned(),
        );
    }
    all.extend(link_package(db, package).diagnostics.iter().cloned());
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
