//! The report page: one HTML file with its styles and charts inside, readable offline and
//! printable (each section keeps together on paper where it fits).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use edict_runtime::calendar;
use edict_runtime::finding::FindingKind;
use edict_runtime::ir::{ArticleRef, ClauseRef};
use edict_runtime::time;

use super::svg::{self, Bar, Point};
use super::words::{self, Words};
use super::{Item, Lang, Regulation, Report, count, escape};

const STYLE: &str = r#"
:root { --violation: #c0392b; --overdue: #e67e22; --open: #7f8c8d; --ink: #1d2733; --rule: #d5dbe1; }
* { box-sizing: border-box; }
body { font-family: "Noto Sans", "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", "DejaVu Sans", sans-serif; color: var(--ink); margin: 0 auto; max-width: 1100px; padding: 24px; line-height: 1.45; font-size: 14px; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 18px; border-bottom: 2px solid var(--ink); padding-bottom: 4px; margin-top: 32px; }
h3 { font-size: 15px; margin: 20px 0 6px; }
.subtitle, .note { color: #52606d; margin: 0 0 8px; }
.totals { display: flex; gap: 12px; margin: 16px 0; flex-wrap: wrap; }
.total { border: 1px solid var(--rule); border-left: 6px solid; border-radius: 4px; padding: 8px 14px; min-width: 130px; }
.total .n { display: block; font-size: 28px; font-weight: 700; }
.total.violation { border-left-color: var(--violation); }
.total.overdue { border-left-color: var(--overdue); }
.total.open { border-left-color: var(--open); }
.total.input_error { border-left-color: #34495e; }
.legend span { display: inline-block; margin-right: 14px; }
.legend i { display: inline-block; width: 12px; height: 12px; margin-right: 4px; vertical-align: -1px; }
.chart text { font-size: 11px; fill: var(--ink); }
.chart .total { font-weight: 700; }
.charts { display: flex; gap: 24px; flex-wrap: wrap; align-items: flex-start; }
.charts > section { flex: 1 1 420px; overflow-x: auto; }
table { border-collapse: collapse; width: 100%; margin: 6px 0 12px; }
th, td { border-bottom: 1px solid var(--rule); padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f3f5f7; font-weight: 600; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
td.nowrap { white-space: nowrap; }
tr.overdue td.status { color: var(--overdue); font-weight: 700; }
blockquote { margin: 6px 0 10px; padding: 6px 12px; border-left: 4px solid var(--rule); background: #fafbfc; white-space: pre-wrap; }
blockquote:target { border-left-color: var(--violation); background: #fff6f4; }
a { color: #1f5f99; }
.top { font-size: 12px; }
@page { size: A4; margin: 14mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 11px; }
  .top { display: none; }
  a { color: inherit; text-decoration: none; }
  section.keep, tr, blockquote { break-inside: avoid; }
  h2, h3 { break-after: avoid; }
}
"#;

/// The whole page.
pub fn page(report: &Report) -> String {
    let w = words::of(report.lang);
    let mut out = String::new();
    let titles: Vec<String> = report
        .regulations
        .iter()
        .map(|r| regulation_title(r, report.lang))
        .collect();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"{}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{}: {}</title><style>{STYLE}</style></head><body>\n",
        w.lang_tag,
        w.page_title,
        escape(&titles.join("; "))
    );
    header(&mut out, report, w, &titles);
    let _ = write!(out, "<div class=\"charts\">");
    per_article(&mut out, report, w);
    over_time(&mut out, report, w);
    out.push_str("</div>\n");
    obligations(&mut out, report, w);
    tables(&mut out, report, w);
    findings(&mut out, report, w);
    rejected(&mut out, report, w);
    out.push_str("</body></html>\n");
    out
}

fn regulation_title(r: &Regulation, lang: Lang) -> String {
    let title = match lang {
        Lang::En => r.title_en.as_ref().or(r.title.as_ref()),
        Lang::Zh => r.title.as_ref().or(r.title_en.as_ref()),
    };
    title.cloned().unwrap_or_else(|| r.id.clone())
}

fn header(out: &mut String, report: &Report, w: &Words, titles: &[String]) {
    let _ = write!(
        out,
        "<header id=\"top\"><h1>{}</h1><p class=\"subtitle\">{}: {}</p>",
        escape(&titles.join("; ")),
        w.made_from,
        escape(&report.source)
    );
    let dates: Vec<&str> = report.items.iter().filter_map(|i| i.date()).collect();
    if let (Some(first), Some(last)) = (dates.iter().min(), dates.iter().max()) {
        let _ = write!(out, "<p class=\"subtitle\">{first} – {last}</p>");
    }
    out.push_str("<div class=\"totals\">");
    for (kind, class, label) in [
        (FindingKind::Violation, "violation", w.violations),
        (FindingKind::Overdue, "overdue", w.overdue),
        (FindingKind::Open, "open", w.open),
        (FindingKind::InputError, "input_error", w.input_errors),
    ] {
        let n = count(&report.items, kind);
        let _ = write!(
            out,
            "<div class=\"total {class}\" data-kind=\"{class}\" data-count=\"{n}\"><span class=\"n\">{n}</span>{label}</div>"
        );
    }
    out.push_str("</div></header>\n");
}

fn legend(w: &Words) -> String {
    format!(
        "<p class=\"legend\"><span><i style=\"background:{}\"></i>{}</span><span><i style=\"background:{}\"></i>{}</span><span><i style=\"background:{}\"></i>{}</span></p>",
        svg::VIOLATION,
        w.violations,
        svg::OVERDUE,
        w.overdue,
        svg::OPEN,
        w.open
    )
}

/// The article of a clause.
fn article_of(clause: &ClauseRef) -> ClauseRef {
    ClauseRef::article(clause.article.clone())
}

/// How a clause is named in the page's language.
fn clause_name(clause: &ClauseRef, lang: Lang) -> String {
    match lang {
        Lang::En => clause.to_string(),
        Lang::Zh => clause.zh().to_string(),
    }
}

/// A fragment id for a clause of a regulation: `measures-2025-art8-p2`.
fn anchor(regulation: &str, clause: &ClauseRef) -> String {
    let article = match &clause.article {
        ArticleRef::Number(n) => n.to_string(),
        ArticleRef::Key(key) => format!("-{key}"),
    };
    let mut id = format!("{regulation}-art{article}");
    if let Some(p) = clause.paragraph {
        let _ = write!(id, "-p{p}");
    }
    if let Some(i) = clause.item {
        let _ = write!(id, "-i{i}");
    }
    id.chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// The findings with a clause, by regulation and article, in the regulation's order.
fn by_article(report: &Report) -> BTreeMap<(String, ClauseRef), Vec<&Item>> {
    let mut groups: BTreeMap<(String, ClauseRef), Vec<&Item>> = BTreeMap::new();
    for item in &report.items {
        if let (Some(regulation), Some(clause)) = (&item.regulation, &item.clause) {
            groups
                .entry((regulation.clone(), article_of(clause)))
                .or_default()
                .push(item);
        }
    }
    groups
}

fn per_article(out: &mut String, report: &Report, w: &Words) {
    let several = report.regulations.len() > 1;
    let bars: Vec<Bar> = by_article(report)
        .into_iter()
        .map(|((regulation, article), items)| {
            let name = clause_name(&article, report.lang);
            let by_kind = |kind| items.iter().filter(|i| i.kind == kind).count();
            Bar {
                label: if several {
                    format!("{regulation} {name}")
                } else {
                    name
                },
                anchor: anchor(&regulation, &article),
                counts: [
                    by_kind(FindingKind::Violation),
                    by_kind(FindingKind::Overdue),
                    by_kind(FindingKind::Open),
                ],
            }
        })
        .collect();
    let _ = write!(
        out,
        "<section id=\"per-article\" class=\"keep\"><h2>{}</h2><p class=\"note\">{}</p>{}",
        w.per_article,
        w.per_article_note,
        legend(w)
    );
    if bars.is_empty() {
        let _ = write!(out, "<p>{}</p>", w.none);
    } else {
        out.push_str(&svg::bars(&bars, w.per_article));
    }
    out.push_str("</section>\n");
}

fn over_time(out: &mut String, report: &Report, w: &Words) {
    let mut days: BTreeMap<i64, [usize; 2]> = BTreeMap::new();
    for item in &report.items {
        let (date, k) = match item.kind {
            FindingKind::Violation => (item.date(), 0),
            FindingKind::Overdue => (item.deadline.as_deref(), 1),
            _ => continue,
        };
        if let Some(date) = date.and_then(time::parse_date) {
            days.entry(calendar::day_number(date)).or_default()[k] += 1;
        }
    }
    let _ = write!(
        out,
        "<section id=\"over-time\" class=\"keep\"><h2>{}</h2><p class=\"note\">{}</p>",
        w.over_time, w.over_time_note
    );
    let (Some(&first), Some(&last)) = (days.keys().next(), days.keys().next_back()) else {
        let _ = writeln!(out, "<p>{}</p></section>", w.none);
        return;
    };
    // Days for up to three months, months beyond.
    let monthly = last - first > 92;
    let mut points: Vec<Point> = Vec::new();
    let mut day = first;
    while day <= last {
        let Some(date) = calendar::date_of(day) else {
            break;
        };
        let label = if monthly {
            format!("{}-{:02}", date.year, date.month)
        } else {
            date.to_string()
        };
        let counts = days.get(&day).copied().unwrap_or_default();
        match points.last_mut() {
            Some(p) if p.label == label => {
                p.counts[0] += counts[0];
                p.counts[1] += counts[1];
            }
            _ => points.push(Point { label, counts }),
        }
        day += 1;
    }
    let _ = write!(
        out,
        "<p class=\"legend\"><span><i style=\"background:{}\"></i>{}</span><span><i style=\"background:{}\"></i>{}</span><span>{}</span></p>",
        svg::VIOLATION,
        w.violations,
        svg::OVERDUE,
        w.overdue,
        if monthly { w.by_month } else { w.by_day }
    );
    out.push_str(&svg::lines(&points, w.over_time));
    out.push_str("</section>\n");
}

/// The message in the page's language, without the citation the table shows in its own column.
fn message(item: &Item, lang: Lang) -> String {
    if lang == Lang::Zh
        && let Some(zh) = &item.message_zh
    {
        return zh.clone();
    }
    let Some(clause) = &item.clause else {
        return item.message.clone();
    };
    let citation = match &item.title {
        Some(title) => format!("{clause} ({title}): "),
        None => format!("{clause}: "),
    };
    item.message
        .strip_prefix(&citation)
        .unwrap_or(&item.message)
        .to_owned()
}

fn role_headers<'a>(report: &'a Report, w: &'a Words) -> (&'a str, &'a str) {
    let first = report.regulations.first();
    (
        first
            .and_then(|r| r.party_key.as_deref())
            .unwrap_or(w.party),
        first
            .and_then(|r| r.individual_key.as_deref())
            .unwrap_or(w.individual),
    )
}

fn clause_link(item: &Item, lang: Lang) -> String {
    match (&item.regulation, &item.clause) {
        (Some(regulation), Some(clause)) => format!(
            "<a href=\"#{}\">{}</a>",
            anchor(regulation, clause),
            escape(&clause_name(clause, lang))
        ),
        _ => "–".into(),
    }
}

fn cell(value: &Option<String>) -> String {
    value.as_deref().map_or("–".into(), escape)
}

fn obligations(out: &mut String, report: &Report, w: &Words) {
    let mut due: Vec<&Item> = report
        .items
        .iter()
        .filter(|i| matches!(i.kind, FindingKind::Overdue | FindingKind::Open))
        .collect();
    due.sort_by(|a, b| a.deadline.cmp(&b.deadline).then(a.line.cmp(&b.line)));
    let _ = write!(
        out,
        "<section id=\"obligations\"><h2>{}</h2><p class=\"note\">{}</p>",
        w.obligations, w.obligations_note
    );
    if due.is_empty() {
        let _ = writeln!(out, "<p>{}</p></section>", w.none);
        return;
    }
    let (party, individual) = role_headers(report, w);
    let _ = write!(
        out,
        "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th class=\"n\">{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
        w.due_by,
        w.status,
        w.clause,
        w.line,
        escape(party),
        escape(individual),
        w.what
    );
    for item in due {
        let (class, status) = match item.kind {
            FindingKind::Overdue => ("overdue", w.overdue),
            _ => ("open", w.open),
        };
        let _ = write!(
            out,
            "<tr class=\"{class}\"><td class=\"nowrap\">{}</td><td class=\"status\">{status}</td><td class=\"nowrap\">{}</td><td class=\"n\">{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            cell(&item.deadline),
            clause_link(item, report.lang),
            item.line,
            cell(&item.party),
            cell(&item.individual),
            escape(&obligation_text(item, report.lang)),
        );
    }
    out.push_str("</tbody></table></section>\n");
}

/// What an obligation requires, without the due date the table shows.
fn obligation_text(item: &Item, lang: Lang) -> String {
    let text = message(item, lang);
    let Some(deadline) = &item.deadline else {
        return text;
    };
    if let Some(rest) = text.strip_prefix(&format!("pending, due by {deadline}"))
        && let Some((_, requirement)) = rest.split_once("; if it is not met by then: ")
    {
        return requirement.to_owned();
    }
    text.strip_suffix(&format!(" (due by {deadline})"))
        .unwrap_or(&text)
        .to_owned()
}

/// A table of counts per value of a role or an event field.
fn count_table(
    out: &mut String,
    id: &str,
    name: &str,
    values: &[Option<&str>],
    kinds: &[FindingKind],
    w: &Words,
) {
    let mut rows: BTreeMap<&str, [usize; 3]> = BTreeMap::new();
    for (value, kind) in values.iter().zip(kinds) {
        let k = match kind {
            FindingKind::Violation => 0,
            FindingKind::Overdue => 1,
            FindingKind::Open => 2,
            FindingKind::InputError => continue,
        };
        rows.entry(value.unwrap_or("–")).or_default()[k] += 1;
    }
    let mut rows: Vec<(&str, [usize; 3])> = rows.into_iter().collect();
    rows.sort_by(|a, b| {
        let total = |c: &[usize; 3]| c.iter().sum::<usize>();
        total(&b.1).cmp(&total(&a.1)).then(a.0.cmp(b.0))
    });
    let _ = write!(
        out,
        "<section id=\"{id}\" class=\"keep\"><h2>{} {}</h2>",
        w.per,
        escape(name)
    );
    if rows.is_empty() {
        let _ = writeln!(out, "<p>{}</p></section>", w.none);
        return;
    }
    let _ = write!(
        out,
        "<table><thead><tr><th>{}</th><th class=\"n\">{}</th><th class=\"n\">{}</th><th class=\"n\">{}</th><th class=\"n\">{}</th></tr></thead><tbody>",
        escape(name),
        w.violations,
        w.overdue,
        w.open,
        w.total
    );
    for (value, counts) in rows {
        let total: usize = counts.iter().sum();
        let _ = write!(
            out,
            "<tr data-value=\"{}\" data-count=\"{total}\"><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{total}</td></tr>",
            escape(value),
            escape(value),
            counts[0],
            counts[1],
            counts[2]
        );
    }
    out.push_str("</tbody></table></section>\n");
}

fn tables(out: &mut String, report: &Report, w: &Words) {
    let (party, _) = role_headers(report, w);
    let kinds: Vec<FindingKind> = report.items.iter().map(|i| i.kind).collect();
    let parties: Vec<Option<&str>> = report.items.iter().map(|i| i.party.as_deref()).collect();
    count_table(out, "per-party", party, &parties, &kinds, w);
    for (f, field) in report.by.iter().enumerate() {
        let values: Vec<Option<&str>> = report
            .items
            .iter()
            .map(|i| i.by.get(f).and_then(|v| v.as_deref()))
            .collect();
        count_table(
            out,
            &format!("per-{}", anchor_text(field)),
            field,
            &values,
            &kinds,
            w,
        );
    }
}

fn anchor_text(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Every finding, by article, under the texts of the clauses it cites.
fn findings(out: &mut String, report: &Report, w: &Words) {
    let _ = write!(
        out,
        "<section id=\"findings\"><h2>{}</h2><p class=\"note\">{}</p>",
        w.findings, w.findings_note
    );
    let groups = by_article(report);
    if groups.is_empty() {
        let _ = write!(out, "<p>{}</p>", w.none);
    }
    let (party, individual) = role_headers(report, w);
    for ((regulation_id, article), items) in groups {
        let regulation = report.regulations.iter().find(|r| r.id == regulation_id);
        let title = regulation
            .and_then(|r| r.clause(&article))
            .and_then(|c| c.title.clone())
            .or_else(|| items.iter().find_map(|i| i.title.clone()));
        let _ = write!(
            out,
            "<section class=\"article\" id=\"{}\"><h3>{}{} {}</h3>",
            anchor(&regulation_id, &article),
            if report.regulations.len() > 1 {
                format!("{} ", escape(&regulation_id))
            } else {
                String::new()
            },
            escape(&clause_name(&article, report.lang)),
            escape(title.as_deref().unwrap_or_default()),
        );
        // The texts of the clauses cited, the article's own first.
        let mut cited: Vec<&ClauseRef> = items.iter().filter_map(|i| i.clause.as_ref()).collect();
        cited.sort();
        cited.dedup();
        for clause in cited {
            let text = regulation
                .and_then(|r| r.clause(clause))
                .and_then(|c| c.text.clone());
            let id = anchor(&regulation_id, clause);
            // The article's own block already carries the article's id on its section.
            let id = if clause.paragraph.is_none() && clause.item.is_none() {
                format!("{id}-text")
            } else {
                id
            };
            let _ = write!(
                out,
                "<blockquote id=\"{id}\" class=\"clause-text\" data-clause=\"{}\"><strong>{}</strong> {}</blockquote>",
                escape(&clause_name(clause, report.lang)),
                escape(&clause_name(clause, report.lang)),
                text.map_or_else(
                    || w.no_clause_text.to_owned(),
                    |t| escape(without_number(&t))
                ),
            );
        }
        let _ = write!(
            out,
            "<table><thead><tr><th>{}</th><th class=\"n\">{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
            w.clause,
            w.line,
            w.time,
            w.status,
            escape(party),
            escape(individual),
            w.what
        );
        for item in items {
            let status = match item.kind {
                FindingKind::Violation => w.violation,
                FindingKind::Overdue => w.overdue,
                _ => w.open,
            };
            let clause = item.clause.as_ref().map(|c| {
                let id = anchor(&regulation_id, c);
                if c.paragraph.is_none() && c.item.is_none() {
                    format!("{id}-text")
                } else {
                    id
                }
            });
            let _ = write!(
                out,
                "<tr class=\"finding {}\"><td class=\"nowrap\"><a href=\"#{}\">{}</a></td><td class=\"n\">{}</td><td class=\"nowrap\">{}</td><td>{status}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                kind_class(item.kind),
                clause.unwrap_or_default(),
                item.clause
                    .as_ref()
                    .map_or(String::new(), |c| escape(&clause_name(c, report.lang))),
                item.line,
                escape(&item.time.as_deref().unwrap_or("–").replacen('T', " ", 1)),
                cell(&item.party),
                cell(&item.individual),
                escape(&obligation_text(item, report.lang)),
            );
        }
        let _ = write!(
            out,
            "</tbody></table><p class=\"top\"><a href=\"#top\">{}</a></p></section>",
            w.back_to_top
        );
    }
    out.push_str("</section>\n");
}

/// An article's text without the `第六条` it starts with (the block names the clause).
fn without_number(text: &str) -> &str {
    if let Some(rest) = text.strip_prefix('第')
        && let Some(end) = rest.find('条').filter(|&end| end <= 24)
    {
        return rest[end + '条'.len_utf8()..].trim_start_matches([' ', '\u{3000}', '\t']);
    }
    text
}

fn kind_class(kind: FindingKind) -> &'static str {
    match kind {
        FindingKind::Violation => "violation",
        FindingKind::Overdue => "overdue",
        FindingKind::Open => "open",
        FindingKind::InputError => "input_error",
    }
}

fn rejected(out: &mut String, report: &Report, w: &Words) {
    let errors: Vec<&Item> = report
        .items
        .iter()
        .filter(|i| i.kind == FindingKind::InputError)
        .collect();
    if errors.is_empty() {
        return;
    }
    let _ = write!(
        out,
        "<section id=\"rejected\"><h2>{}</h2><table><thead><tr><th class=\"n\">{}</th><th>{}</th></tr></thead><tbody>",
        w.rejected, w.line, w.why
    );
    for item in errors {
        let _ = write!(
            out,
            "<tr><td class=\"n\">{}</td><td>{}</td></tr>",
            item.line,
            escape(&item.message)
        );
    }
    out.push_str("</tbody></table></section>\n");
}
