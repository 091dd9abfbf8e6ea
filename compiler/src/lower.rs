//! Lowering a checked package to the runtime's program.

use std::sync::Arc;

use edict_runtime::ir::{self, RuleId};

use crate::check::has_errors;
use crate::db::Package;
use crate::declare::package_states;
use crate::link::link_package;
use crate::parse::package_articles;
use crate::resolve::{header, package_calendar, package_vocab};
use crate::typecheck::typecheck_article;

/// The program of a package without errors; `None` when any diagnostic is an error.
#[salsa::tracked(returns(ref))]
pub(crate) fn lower_package(
    db: &dyn salsa::Database,
    package: Package,
) -> Option<Arc<ir::Program>> {
    if *has_errors(db, package) {
        return None;
    }
    let header = header(db, package).as_ref()?;
    let vocab = package_vocab(db, package).as_ref()?;
    let linked = link_package(db, package);

    let mut rules = Vec::new();
    let mut exemptions = Vec::new();
    for &(file, index) in package_articles(db, package).iter() {
        let typed = typecheck_article(db, package, file, index);
        for rule in &typed.rules {
            let (Some(trigger), Some(body), Some(clause)) = (
                rule.trigger.clone(),
                rule.body.clone(),
                linked.clause_index(&rule.clause),
            ) else {
                continue;
            };
            rules.push(ir::Rule {
                id: RuleId {
                    regulation: header.id.clone(),
                    clause: rule.clause.clone(),
                    name: rule.name.clone(),
                },
                clause,
                trigger,
                when: rule.when.clone(),
                body,
                unless: rule.unless.clone(),
                message: rule
                    .message
                    .clone()
                    .unwrap_or_else(|| format!("rule `{}` was not followed", rule.name)),
                message_zh: rule.message_zh.clone(),
                cites: rule.cites.clone(),
                evidence: rule.evidence.clone(),
                onces: rule.onces.clone(),
            });
        }
        for ex in &typed.exemptions {
            if let Some(clause) = linked.clause_index(&ex.clause) {
                exemptions.push(ir::Exemption {
                    clause,
                    ..ex.exemption.clone()
                });
            }
        }
    }
    // Regulation order: by clause, then in source order within a clause.
    rules.sort_by_key(|r| r.clause);
    exemptions.sort_by_key(|e| e.clause);
    Some(Arc::new(ir::Program {
        regulation: ir::Regulation {
            id: header.id.clone(),
            title: header.title.clone(),
            title_en: header.title_en.clone(),
            effective: header.effective,
            timezone: header.timezone.clone(),
        },
        clauses: linked.clauses.values().cloned().collect(),
        vocabulary: vocab.to_ir(),
        exemptions,
        states: package_states(db, package)
            .iter()
            .map(|s| s.def.clone())
            .collect(),
        rules,
        calendar: package_calendar(db, package).clone(),
    }))
}
