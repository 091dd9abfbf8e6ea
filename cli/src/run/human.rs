//! The findings of a run as a table for people: per regulation, the counts, the violations
//! grouped by article (in line order within each), the overdue and open deadlines by due date,
//! and the rejected lines.

use std::fmt::Write as _;

use edict_runtime::finding::{Finding, FindingKind};
use edict_runtime::ir::ClauseRef;
use unicode_width::UnicodeWidthStr;

use super::RunInfo;
use crate::compile::plural;

/// The whole table, for every regulation of the run.
pub(super) fn table(info: &RunInfo, findings: &[Finding]) -> String {
    let mut out = String::new();
    let single = info.regulations.len() == 1;
    for (index, regulation) in info.regulations.iter().enumerate() {
        if index > 0 {
            out.push('\n');
        }
        let mine: Vec<&Finding> = findings
            .iter()
            .filter(|f| match f.regulation.as_deref() {
                Some(id) => id == regulation.id,
                None => single,
            })
            .collect();
        let _ = write!(out, "{}", regulation.id);
        if let Some(title) = regulation
            .title_en
            .as_deref()
            .or(regulation.title.as_deref())
        {
            let _ = write!(out, ": {title}");
        }
        out.push('\n');
        out.push_str(&counts(&mine));
        violations(&mut out, info, &mine);
        deadlines(&mut out, info, &mine);
        rejected(&mut out, &mine);
    }
    out
}

fn count(findings: &[&Finding], kind: FindingKind) -> usize {
    findings.iter().filter(|f| f.finding == kind).count()
}

fn counts(findings: &[&Finding]) -> String {
    format!(
        "{}, {} overdue, {} open, {}\n",
        plural(count(findings, FindingKind::Violation), "violation"),
        count(findings, FindingKind::Overdue),
        count(findings, FindingKind::Open),
        plural(count(findings, FindingKind::InputError), "input error"),
    )
}

/// The violations, grouped by article in the regulation's order, each group in line order.
fn violations(out: &mut String, info: &RunInfo, findings: &[&Finding]) {
    let mut found: Vec<&Finding> = findings
        .iter()
        .copied()
        .filter(|f| f.finding == FindingKind::Violation)
        .collect();
    if found.is_empty() {
        return;
    }
    // A stable sort: within an article, the findings stay in line order.
    found.sort_by_key(|f| article_of(f));
    let _ = writeln!(out, "\nViolations by article");
    let mut lines = vec![Line::Cells(header(
        &["clause", "line", "time"],
        info,
        "what happened",
    ))];
    let mut start = 0;
    while start < found.len() {
        let article = article_of(found[start]);
        let end = start
            + found[start..]
                .iter()
                .take_while(|f| article_of(f) == article)
                .count();
        let group = &found[start..end];
        let mut heading = article
            .as_ref()
            .map_or("(no clause)".into(), |a| a.to_string());
        if let Some(title) = group.iter().find_map(|f| f.title.as_deref()) {
            let _ = write!(heading, " {title}");
        }
        lines.push(Line::Heading(format!(
            "{heading}: {}",
            plural(group.len(), "violation")
        )));
        for f in group {
            lines.push(Line::Cells(row(
                vec![clause_of(f), f.line.to_string(), time_of(f)],
                f,
                requirement(f),
            )));
        }
        start = end;
    }
    out.push_str(&layout(&lines, 1));
}

/// The overdue and open obligations, by due date.
fn deadlines(out: &mut String, info: &RunInfo, findings: &[&Finding]) {
    let mut due: Vec<&Finding> = findings
        .iter()
        .copied()
        .filter(|f| matches!(f.finding, FindingKind::Overdue | FindingKind::Open))
        .collect();
    if due.is_empty() {
        return;
    }
    due.sort_by(|a, b| a.deadline.cmp(&b.deadline));
    let _ = writeln!(
        out,
        "\nDeadlines by due date: {} overdue, {} open",
        count(&due, FindingKind::Overdue),
        count(&due, FindingKind::Open)
    );
    let mut rows = vec![Line::Cells(header(
        &["due by", "status", "clause", "line"],
        info,
        "what is required",
    ))];
    for f in due {
        let status = match f.finding {
            FindingKind::Overdue => "OVERDUE",
            _ => "open",
        };
        rows.push(Line::Cells(row(
            vec![
                f.deadline.clone().unwrap_or_default(),
                status.to_owned(),
                clause_of(f),
                f.line.to_string(),
            ],
            f,
            requirement(f),
        )));
    }
    out.push_str(&layout(&rows, 3));
}

/// The rejected lines, in line order.
fn rejected(out: &mut String, findings: &[&Finding]) {
    let errors: Vec<&Finding> = findings
        .iter()
        .copied()
        .filter(|f| f.finding == FindingKind::InputError)
        .collect();
    if errors.is_empty() {
        return;
    }
    let _ = writeln!(out, "\nRejected lines: {}", errors.len());
    let mut rows = vec![Line::Cells(vec!["line".to_owned(), "why".to_owned()])];
    for f in errors {
        rows.push(Line::Cells(vec![f.line.to_string(), f.message.to_string()]));
    }
    out.push_str(&layout(&rows, 0));
}

/// A header row: the leading columns, the two role columns, and the text column.
fn header(leading: &[&str], info: &RunInfo, text: &str) -> Vec<String> {
    let mut cells: Vec<String> = leading.iter().map(|s| (*s).to_owned()).collect();
    cells.push(info.party_key().to_owned());
    cells.push(info.individual_key().to_owned());
    cells.push(text.to_owned());
    cells
}

fn row(mut cells: Vec<String>, f: &Finding, text: String) -> Vec<String> {
    cells.push(f.party.as_ref().map_or("-".into(), |r| r.value.clone()));
    cells.push(
        f.individual
            .as_ref()
            .map_or("-".into(), |r| r.value.clone()),
    );
    cells.push(text);
    cells
}

/// A line of a section: a heading, or a row of cells.
enum Line {
    Heading(String),
    Cells(Vec<String>),
}

/// The lines of a section: headings flush left, rows as aligned columns indented by two spaces;
/// the last column is not padded, and the column `right` (the line number) is aligned to the
/// right.
fn layout(lines: &[Line], right: usize) -> String {
    let rows: Vec<&Vec<String>> = lines
        .iter()
        .filter_map(|l| match l {
            Line::Cells(cells) => Some(cells),
            Line::Heading(_) => None,
        })
        .collect();
    let columns = rows.iter().map(|r| r.len()).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|cell| cell.width())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for line in lines {
        let cells = match line {
            Line::Heading(text) => {
                let _ = writeln!(out, "{text}");
                continue;
            }
            Line::Cells(cells) => cells,
        };
        out.push_str("  ");
        for (c, cell) in cells.iter().enumerate() {
            let pad = widths[c].saturating_sub(cell.width());
            if c + 1 == cells.len() {
                out.push_str(cell);
            } else if c == right {
                let _ = write!(out, "{}{cell}  ", " ".repeat(pad));
            } else {
                let _ = write!(out, "{cell}{}  ", " ".repeat(pad));
            }
        }
        out.push('\n');
    }
    out
}

/// The article a finding's clause belongs to.
fn article_of(f: &Finding) -> Option<ClauseRef> {
    f.clause
        .as_deref()
        .map(|c| ClauseRef::article(c.article.clone()))
}

fn clause_of(f: &Finding) -> String {
    f.clause.as_deref().map_or("-".into(), |c| c.to_string())
}

/// The event's time as written, with a space for the `T`.
fn time_of(f: &Finding) -> String {
    f.time
        .as_deref()
        .map_or("-".into(), |t| t.replacen('T', " ", 1))
}

/// What the rule requires, without the citation the message starts with (the table shows the
/// clause in its own column) and, for a deadline, without the due date (likewise).
pub(super) fn requirement(f: &Finding) -> String {
    let message: &str = &f.message;
    let Some(clause) = f.clause.as_deref() else {
        return message.to_owned();
    };
    let citation = match f.title.as_deref() {
        Some(title) => format!("{clause} ({title}): "),
        None => format!("{clause}: "),
    };
    let text = message.strip_prefix(&citation).unwrap_or(message);
    let Some(deadline) = f.deadline.as_deref() else {
        return text.to_owned();
    };
    match f.finding {
        FindingKind::Open => {
            let pending = format!("pending, due by {deadline}");
            match text.strip_prefix(&pending) {
                Some(rest) => match rest.split_once("; if it is not met by then: ") {
                    // A note on the calendar stands between the date and the requirement.
                    Some(("", requirement)) => requirement.to_owned(),
                    Some((note, requirement)) => {
                        format!("{requirement} ({})", note.trim_start_matches(", "))
                    }
                    None => text.to_owned(),
                },
                None => text.to_owned(),
            }
        }
        _ => {
            let suffix = format!(" (due by {deadline})");
            text.strip_suffix(&suffix).unwrap_or(text).to_owned()
        }
    }
}
