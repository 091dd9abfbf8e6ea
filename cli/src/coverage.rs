//! `edict coverage`: every clause of the regulation's outline and how the policy accounts for it.

use std::path::PathBuf;

use edict_compiler::coverage::{CoverageRow, Status};

use crate::Format;
use crate::compile::{FAILED, OK, USAGE, compile, plural, print_diagnostics, tally};

pub fn coverage(paths: &[PathBuf], format: Format) -> u8 {
    let (ws, packages, diagnostics) = match compile(paths, format) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let (errors, _) = tally(&diagnostics);
    if errors > 0 {
        print_diagnostics(&ws, &diagnostics, format, false);
        eprintln!(
            "error: the policy has {}; fix them to see its coverage",
            plural(errors, "error")
        );
        return FAILED;
    }
    let mut any = false;
    for package in &packages {
        let Some(rows) = ws.coverage(package) else {
            continue;
        };
        any = true;
        let regulation = ws
            .program(package)
            .map(|p| p.regulation.id.clone())
            .unwrap_or_default();
        match format {
            Format::Human => print!("{}", coverage_table(&regulation, &rows)),
            Format::Json => {
                for row in &rows {
                    println!("{}", coverage_json(&regulation, row));
                }
            }
        }
    }
    if !any {
        eprintln!("error: no regulation package found (no file has a `regulation` header)");
        return USAGE;
    }
    OK
}

fn coverage_table(regulation: &str, rows: &[CoverageRow]) -> String {
    let names: Vec<String> = rows.iter().map(clause_name).collect();
    let width = names.iter().map(|n| n.chars().count()).max().unwrap_or(0);
    let title_width = rows
        .iter()
        .map(|r| r.title.as_deref().map_or(0, |t| t.chars().count()))
        .max()
        .unwrap_or(0)
        .min(40);
    let mut out = format!("coverage of {regulation}\n");
    let (mut implemented, mut unchecked, mut missing) = (0, 0, 0);
    for (row, name) in rows.iter().zip(&names) {
        let status = match &row.status {
            Status::Implemented { rules, inherited } => {
                implemented += 1;
                let names: Vec<&str> = rules
                    .iter()
                    .map(|r| r.rsplit('/').next().unwrap_or(r))
                    .collect();
                let exemptions = rules.iter().filter(|r| r.starts_with("exempt ")).count();
                let mut counts = Vec::new();
                if rules.len() > exemptions {
                    counts.push(plural(rules.len() - exemptions, "rule"));
                }
                if exemptions > 0 {
                    counts.push(plural(exemptions, "exemption"));
                }
                let via = if *inherited {
                    " (on the whole article)"
                } else {
                    ""
                };
                format!("{}{via}: {}", counts.join(" and "), names.join(", "))
            }
            Status::NotCheckable(reason) => {
                unchecked += 1;
                format!("not checkable: {reason}")
            }
            Status::Missing => {
                missing += 1;
                "MISSING: no rule and no `not_checkable`".to_string()
            }
        };
        let title: String = row
            .title
            .as_deref()
            .unwrap_or("")
            .chars()
            .take(40)
            .collect();
        out.push_str(&format!(
            "  {name:<width$}  {title:<title_width$}  {status}\n"
        ));
    }
    out.push_str(&format!(
        "{}: {implemented} implemented, {unchecked} not checkable, {missing} missing\n",
        plural(rows.len(), "clause")
    ));
    out
}

fn coverage_json(regulation: &str, row: &CoverageRow) -> String {
    let (status, rules, reason, inherited) = match &row.status {
        Status::Implemented { rules, inherited } => {
            ("implemented", rules.clone(), None, *inherited)
        }
        Status::NotCheckable(reason) => ("not_checkable", Vec::new(), Some(reason.clone()), false),
        Status::Missing => ("missing", Vec::new(), None, false),
    };
    serde_json::json!({
        "regulation": regulation,
        "clause": clause_name(row),
        "article": row.clause.article.number(),
        "clause_key": row.clause.article.key(),
        "paragraph": row.clause.paragraph,
        "title": row.title,
        "status": status,
        "rules": rules,
        "inherited": inherited,
        "reason": reason,
    })
    .to_string()
}

/// A row's clause as the coverage table names it: `art 5(2)`, `art ?[minors]`.
fn clause_name(row: &CoverageRow) -> String {
    format!("art {}", row.clause.short())
}
