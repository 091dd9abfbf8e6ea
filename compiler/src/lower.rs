//! Lowering a checked package to the runtime's program.

use std::sync::Arc;

use edict_runtime::ir;

use crate::check::package_diagnostics;
use crate::db::Package;
use crate::link::link_package;
use crate::resolve::package_env;
use crate::typecheck::typecheck_file;

/// The program of a package without errors; `None` when any diagnostic is an error.
#[salsa::tracked(returns(ref))]
pub fn lower_package(db: &dyn salsa::Database, package: Package) -> Option<Arc<ir::Program>> {
    if package_diagnostics(db, package)
        .iter()
        .any(|d| d.is_error())
    {
        return None;
    }
    let env = package_env(db, package);
    let header = env.header.as_ref()?;
    let vocab = env.vocab.as_ref()?;
    let linked = link_package(db, package);
    let regulation_id = header.id.name.clone();

    let mut rules = Vec::new();
    let mut exemptions = Vec::new();
    for &file in package.sources(db) {
        let typed = typecheck_file(db, package, file);
        for rule in &typed.rules {
            let (Some(trigger), Some(body), Some(clause)) = (
                rule.trigger.clone(),
                rule.body.clone(),
                linked.clause_index(&rule.clause),
            ) else {
                continue;
            };
            rules.push(ir::Rule {
                id: format!(
                    "{regulation_id}/{}/{}",
                    rule.clause.id_segment(),
                    rule.name.name
                ),
                name: rule.name.name.clone(),
                clause,
                trigger,
                when: rule.when.clone(),
                body,
                unless: rule.unless.clone(),
                message: rule
                    .message
                    .clone()
                    .unwrap_or_else(|| format!("rule `{}` was not followed", rule.name.name)),
                message_zh: rule.message_zh.clone(),
                cites: rule.cites.clone(),
                evidence: rule.evidence.clone(),
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
    let mut calendar = env.calendar.clone();
    calendar.holidays.sort();
    calendar.workdays.sort();
    Some(Arc::new(ir::Program {
        regulation: ir::Regulation {
            id: regulation_id,
            title: header.title.clone(),
            title_en: header.title_en.clone(),
            effective: header.effective,
            timezone: header.timezone.clone(),
        },
        clauses: linked.clauses.values().cloned().collect(),
        vocabulary: vocab.to_ir(),
        exemptions,
        states: env.states.iter().map(|s| s.def.clone()).collect(),
        rules,
        calendar,
    }))
}
