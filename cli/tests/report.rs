//! `edict report` and `edict run --report`: the HTML page, checked in a real browser (headless
//! Chromium over the DevTools protocol) against the run it reports: the numbers shown, the bars
//! drawn, the links to the clause texts, printing to PDF. Screenshots are kept in cargo's
//! scratch folder (`target/tmp/report-screenshots/`); with `EDICT_BLESS=1` the one of the
//! Measures' example stream is also written to `docs/report.png`.
//!
//! Without a browser the browser tests say so and pass; CI installs Debian's `chromium`.

#![allow(
    clippy::expect_used,
    reason = "a test fails loudly when its fixtures are missing or broken"
)]

mod browser;
mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use browser::Browser;
use common::*;
use serde_json::Value;

const LOANS: &str = "tests/fixtures/lending-rules/examples/loans.jsonl";
const MEASURES: &str = "../policies/measures-2025";
const VIOLATIONS: &str = "../policies/measures-2025/examples/violations.jsonl";

/// The folder where the screenshots and PDFs of the tests are kept.
fn kept() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("report-screenshots");
    std::fs::create_dir_all(&dir).expect("the screenshot folder");
    dir
}

fn findings(text: &str) -> Vec<Value> {
    text.lines()
        .map(|l| serde_json::from_str(l).expect("a JSON finding"))
        .collect()
}

fn count_by(findings: &[Value], key: impl Fn(&Value) -> Option<String>) -> BTreeMap<String, u64> {
    let mut counts = BTreeMap::new();
    for f in findings {
        if let Some(k) = key(f) {
            *counts.entry(k).or_insert(0) += 1;
        }
    }
    counts
}

fn launch(dir: &Path) -> Option<Browser> {
    let browser = Browser::launch(dir);
    if browser.is_none() {
        eprintln!(
            "skipped: no browser (install Debian's `chromium`, or set EDICT_CHROMIUM to one); \
             the report was written but not looked at"
        );
    }
    browser
}

/// What the page shows, read in the browser.
const READ_PAGE: &str = r##"(() => {
  const text = e => e.textContent.trim();
  const totals = {};
  for (const t of document.querySelectorAll('.total[data-kind]'))
    totals[t.dataset.kind] = text(t.querySelector('.n'));
  const bars = [...document.querySelectorAll('#per-article g.bar')].map(g => ({
    label: g.dataset.label,
    shown: text(g.querySelector('text.total')),
    height: [...g.querySelectorAll('rect')].reduce((h, r) => h + r.getBBox().height, 0),
    width: g.getBoundingClientRect().width,
  }));
  const points = {};
  for (const c of document.querySelectorAll('#over-time circle'))
    points[c.getAttribute('class')] = (points[c.getAttribute('class')] || 0) + Number(c.dataset.count);
  const parties = [...document.querySelectorAll('#per-party tbody tr')]
    .map(r => [...r.cells].map(text));
  const byKind = [...document.querySelectorAll('#per-kind tbody tr')]
    .map(r => [...r.cells].map(text));
  const due = [...document.querySelectorAll('#obligations tbody tr')]
    .map(r => [...r.cells].map(text));
  const broken = [...document.querySelectorAll('a[href^="#"]')]
    .map(a => a.getAttribute('href').slice(1))
    .filter(id => !document.getElementById(id));
  const clauses = {};
  for (const q of document.querySelectorAll('blockquote.clause-text'))
    clauses[q.dataset.clause] = text(q);
  const findingRows = document.querySelectorAll('#findings tr.finding').length;
  return { title: document.title, lang: document.documentElement.lang, totals, bars, points,
           parties, byKind, due, broken, clauses, findingRows };
})()"##;

#[test]
fn the_report_shows_the_numbers_of_the_run_in_a_real_browser() {
    let dir = scratch("report");
    let page = dir.join("lending.html");
    let run = edict(&[
        "run",
        LENDING,
        "--events",
        LOANS,
        "--format",
        "json",
        "--report",
        arg(&page),
        "--by",
        "kind",
    ]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert!(
        run.stderr.contains("wrote the report of 5 findings"),
        "{}",
        run.transcript()
    );
    let found = findings(&run.stdout);
    let kinds = count_by(&found, |f| f["finding"].as_str().map(str::to_owned));
    let articles = count_by(&found, |f| {
        f["article"].as_u64().map(|a| format!("Art. {a}"))
    });
    let branches = count_by(&found, |f| f["branch"].as_str().map(str::to_owned));
    let html = std::fs::read_to_string(&page).expect("the report");
    assert!(
        !html.contains("http://") && !html.contains("https://") && !html.contains("<script"),
        "the page loads nothing and runs nothing"
    );

    let Some(mut browser) = launch(&dir) else {
        return;
    };
    let url = format!(
        "file://{}",
        page.canonicalize().expect("the report").display()
    );
    let tab = browser.open(&url, 1200);
    let shown = browser.eval(&tab, READ_PAGE);

    assert_eq!(shown["lang"], "en");
    for kind in ["violation", "overdue", "open", "input_error"] {
        let expected = kinds.get(kind).copied().unwrap_or(0).to_string();
        assert_eq!(shown["totals"][kind], expected.as_str(), "{kind}: {shown}");
    }
    // One bar per article, labelled with its count, its height proportional to it.
    let bars = shown["bars"].as_array().expect("bars");
    assert_eq!(bars.len(), articles.len(), "{shown}");
    let mut per_finding = Vec::new();
    for bar in bars {
        let label = bar["label"].as_str().expect("a label");
        let expected = articles[label];
        assert_eq!(bar["shown"], expected.to_string().as_str(), "{label}");
        assert!(
            bar["width"].as_f64().expect("a width") > 10.0,
            "{label} is drawn"
        );
        per_finding.push(bar["height"].as_f64().expect("a height") / expected as f64);
    }
    let first = per_finding[0];
    assert!(
        per_finding.iter().all(|h| (h - first).abs() < 0.5),
        "bar heights are proportional: {per_finding:?}"
    );
    // The line chart counts violations on their dates and overdue obligations on their due dates.
    assert_eq!(shown["points"]["violation"], kinds["violation"]);
    assert_eq!(shown["points"]["overdue"], kinds["overdue"]);
    // The table per party, and the one per `--by` field of the events.
    let parties: BTreeMap<String, u64> = shown["parties"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| {
            (
                r[0].as_str().unwrap_or_default().to_owned(),
                r[4].as_str().unwrap_or_default().parse().unwrap_or(0),
            )
        })
        .collect();
    assert_eq!(parties, branches, "{shown}");
    let by_kind: Vec<&str> = shown["byKind"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| r[0].as_str().unwrap_or_default())
        .collect();
    // The complaint has no `kind`.
    assert_eq!(by_kind, ["book", "dvd", "–"], "{shown}");
    // The obligations, by due date.
    let due: Vec<&str> = shown["due"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| r[0].as_str().unwrap_or_default())
        .collect();
    assert_eq!(due, ["2025-06-17", "2025-07-07", "2025-10-16"]);
    // Every finding is listed, every link leads somewhere, and the clause texts are the outline's.
    assert_eq!(shown["findingRows"], found.len());
    assert_eq!(shown["broken"], serde_json::json!([]), "{shown}");
    let clause = shown["clauses"]["Art. 2(1)"].as_str().unwrap_or_default();
    assert!(clause.contains("每次借阅的期限不得超过二十八日"), "{shown}");

    std::fs::write(
        kept().join("lending.png"),
        browser.screenshot(&tab, 1200, None),
    )
    .expect("keep the screenshot");
    let pdf = browser.pdf(&tab);
    assert!(pdf.starts_with(b"%PDF-"), "a PDF");
    assert!(
        pdf.len() > 10_000,
        "a PDF with content: {} bytes",
        pdf.len()
    );
    std::fs::write(kept().join("lending.pdf"), pdf).expect("keep the PDF");
}

#[test]
fn a_report_from_a_findings_file_in_chinese() {
    let dir = scratch("report-zh");
    let findings_file = dir.join("findings.jsonl");
    let page = dir.join("zh.html");
    let run = edict(&[
        "run",
        LENDING,
        "--events",
        LOANS,
        "--output",
        arg(&findings_file),
    ]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    let report = edict(&[
        "report",
        arg(&findings_file),
        "--policy",
        LENDING,
        "--lang",
        "zh",
        "-o",
        arg(&page),
    ]);
    assert_eq!(report.code, 0, "{}", report.transcript());
    insta::assert_snapshot!(report.transcript());
    let found = findings(&std::fs::read_to_string(&findings_file).expect("findings"));

    let Some(mut browser) = launch(&dir) else {
        return;
    };
    let url = format!(
        "file://{}",
        page.canonicalize().expect("the report").display()
    );
    let tab = browser.open(&url, 1200);
    let shown = browser.eval(&tab, READ_PAGE);
    assert_eq!(shown["lang"], "zh-CN");
    assert!(
        shown["title"]
            .as_str()
            .unwrap_or_default()
            .starts_with("合规报告"),
        "{shown}"
    );
    let labels: Vec<&str> = shown["bars"]
        .as_array()
        .expect("bars")
        .iter()
        .map(|b| b["label"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(labels, ["第二条", "第三条", "第四条"]);
    assert_eq!(shown["findingRows"], found.len());
    // The message the policy gives in Chinese is shown in Chinese.
    let body = browser.eval(&tab, "document.body.innerText");
    assert!(
        body.as_str()
            .unwrap_or_default()
            .contains("借阅期限超过了二十八日。")
    );
    std::fs::write(
        kept().join("lending-zh.png"),
        browser.screenshot(&tab, 1200, None),
    )
    .expect("keep the screenshot");
}

#[test]
fn the_report_of_the_measures_example_stream() {
    let dir = scratch("report-measures");
    let page = dir.join("measures.html");
    let run = edict(&[
        "run",
        MEASURES,
        "--events",
        VIOLATIONS,
        "--format",
        "json",
        "--report",
        arg(&page),
        "--by",
        "device",
    ]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    let found = findings(&run.stdout);
    let violations = found.iter().filter(|f| f["finding"] == "violation").count();

    let Some(mut browser) = launch(&dir) else {
        return;
    };
    let url = format!(
        "file://{}",
        page.canonicalize().expect("the report").display()
    );
    let tab = browser.open(&url, 1200);
    let shown = browser.eval(&tab, READ_PAGE);
    assert_eq!(
        shown["totals"]["violation"],
        violations.to_string().as_str()
    );
    assert_eq!(shown["broken"], serde_json::json!([]), "{shown}");
    let top = browser.screenshot(&tab, 1200, Some(1500));
    std::fs::write(kept().join("measures.png"), &top).expect("keep the screenshot");
    if std::env::var_os("EDICT_BLESS").is_some() {
        std::fs::write("../docs/report.png", &top).expect("write docs/report.png");
    }
    let pdf = browser.pdf(&tab);
    assert!(pdf.starts_with(b"%PDF-"));
    std::fs::write(kept().join("measures.pdf"), pdf).expect("keep the PDF");
}

#[test]
fn a_file_that_is_not_findings_is_refused_at_its_line() {
    let dir = scratch("report-bad");
    let bad = dir.join("bad.jsonl");
    std::fs::write(&bad, "{\"finding\":\"violation\",\"line\":3}\nnot json\n").expect("write");
    let runs = [
        edict(&[
            "report",
            arg(&bad),
            "--policy",
            LENDING,
            "-o",
            arg(&dir.join("x.html")),
        ]),
        edict(&[
            "report",
            LOANS,
            "--policy",
            LENDING,
            "-o",
            arg(&dir.join("y.html")),
        ]),
        edict(&["report", arg(&bad), "-o", arg(&dir.join("z.html"))]),
        // `--by` reads the events again, so they must come from a file.
        edict(&[
            "run",
            LENDING,
            "--report",
            arg(&dir.join("w.html")),
            "--by",
            "kind",
        ]),
    ];
    let codes: Vec<i32> = runs.iter().map(|r| r.code).collect();
    assert_eq!(codes, [2, 2, 2, 2]);
    insta::assert_snapshot!(transcript(&runs.iter().collect::<Vec<_>>()));
}
