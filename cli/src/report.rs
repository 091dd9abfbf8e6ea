//! `edict report` (and `edict run --report`): the findings of a run as one self-contained HTML
//! page for a compliance officer and their management.
//!
//! The page needs what the findings do not carry: the clause texts of the regulation's outline,
//! the clause titles and the names of the role fields. They come from the policy the findings
//! were made with (`--policy PATH`, compiled as `edict run` compiles it) or from its bundle
//! (`--bundle FILE`, which has the titles and roles but no outline text). Findings stay compact
//! that way — a long run repeats no clause text — and the policy in the repository remains the
//! one source of the regulation's words.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use edict_runtime::finding::{Finding, FindingKind};
use edict_runtime::ir::{self, ArticleRef, ClauseRef};

use crate::compile::{FAILED, OK, USAGE, compile, plural, print_diagnostics, tally};
use crate::keys::read_bundle;
use edict_compiler::Lang;

mod html;
mod svg;
mod words;

#[derive(clap::Args)]
pub struct ReportArgs {
    /// The findings of a run, as `edict run --format json` writes them (JSON Lines).
    pub findings: PathBuf,
    /// Where to write the HTML page.
    #[arg(short, long)]
    pub output: PathBuf,
    /// The policy packages the findings were made with: the source of the clause texts.
    #[arg(long = "policy", required_unless_present = "bundles")]
    pub policies: Vec<PathBuf>,
    /// The bundles the findings were made with, when the policy sources are not at hand
    /// (clause titles only: bundles hold no outline text).
    #[arg(long = "bundle")]
    pub bundles: Vec<PathBuf>,
    /// Also tabulate the findings by this field of the events that caused them (for example
    /// `device`); repeat for several. Needs `--events`.
    #[arg(long = "by", value_name = "FIELD")]
    pub by: Vec<String>,
    /// The event stream the findings were made from, to read the `--by` fields.
    #[arg(long)]
    pub events: Option<PathBuf>,
}

/// The options of the page itself, from `edict report` or `edict run --report`.
#[derive(Clone, Default)]
pub struct PageArgs {
    pub lang: Lang,
    pub by: Vec<String>,
    pub events: Option<PathBuf>,
}

/// What a report knows of one regulation.
pub struct Regulation {
    pub id: String,
    pub title: Option<String>,
    pub title_en: Option<String>,
    /// Every clause the policy cites, with its title and its text from the outline.
    pub clauses: Vec<ClauseText>,
    pub party_key: Option<String>,
    pub individual_key: Option<String>,
}

pub struct ClauseText {
    pub at: ClauseRef,
    pub title: Option<String>,
    /// The clause's words in the regulation's outline; `None` from a bundle.
    pub text: Option<String>,
}

/// One finding as the page shows it.
pub struct Item {
    pub kind: FindingKind,
    pub regulation: Option<String>,
    pub clause: Option<ClauseRef>,
    pub line: u64,
    pub time: Option<String>,
    pub message: String,
    pub message_zh: Option<String>,
    pub title: Option<String>,
    pub deadline: Option<String>,
    pub party: Option<String>,
    pub individual: Option<String>,
    /// The values of the `--by` fields in the event of the finding's line.
    pub by: Vec<Option<String>>,
}

impl Item {
    pub fn from_finding(f: &Finding) -> Item {
        Item {
            kind: f.finding,
            regulation: f.regulation.as_deref().map(str::to_owned),
            clause: f.clause.as_deref().cloned(),
            line: f.line,
            time: f.time.clone(),
            message: f.message.to_string(),
            message_zh: f.message_zh.as_deref().map(str::to_owned),
            title: f.title.as_deref().map(str::to_owned),
            deadline: f.deadline.clone(),
            party: f.party.as_ref().map(|r| r.value.clone()),
            individual: f.individual.as_ref().map(|r| r.value.clone()),
            by: Vec::new(),
        }
    }

    /// The date part of the finding's time, `YYYY-MM-DD`.
    pub fn date(&self) -> Option<&str> {
        self.time.as_deref().and_then(|t| t.get(..10))
    }
}

/// Everything the page shows.
pub struct Report {
    pub lang: Lang,
    pub source: String,
    pub regulations: Vec<Regulation>,
    pub items: Vec<Item>,
    pub by: Vec<String>,
}

pub fn report(args: &ReportArgs) -> u8 {
    let regulations = match regulations(&args.policies, &args.bundles) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let items = match read_findings(&args.findings, &regulations) {
        Ok(items) => items,
        Err(message) => {
            eprintln!("error: {message}");
            return USAGE;
        }
    };
    let source = edict_compiler::display_path(&args.findings);
    let page = PageArgs {
        lang: crate::compile::language().unwrap_or_default(),
        by: args.by.clone(),
        events: args.events.clone(),
    };
    write_page(&args.output, &page, source, regulations, items)
}

/// Writes the page for `items` to `output`; reports what it wrote on standard error.
pub fn write_page(
    output: &Path,
    page: &PageArgs,
    source: String,
    regulations: Vec<Regulation>,
    mut items: Vec<Item>,
) -> u8 {
    if !page.by.is_empty() {
        let Some(events) = &page.events else {
            eprintln!("error: `--by` reads the events: give them with `--events FILE`");
            return USAGE;
        };
        if let Err(message) = read_by_fields(events, &page.by, &mut items) {
            eprintln!("error: {message}");
            return USAGE;
        }
    }
    items.sort_by_key(|i| i.line);
    let count = items.len();
    let report = Report {
        lang: page.lang,
        source,
        regulations,
        items,
        by: page.by.clone(),
    };
    let text = html::page(&report);
    if let Err(e) = std::fs::write(output, text) {
        eprintln!("error: cannot write the report `{}`: {e}", output.display());
        return USAGE;
    }
    eprintln!(
        "wrote the report of {} to {}",
        plural(count, "finding"),
        output.display()
    );
    OK
}

/// The regulations of the policies and bundles named.
pub fn regulations(policies: &[PathBuf], bundles: &[PathBuf]) -> Result<Vec<Regulation>, u8> {
    let mut found = Vec::new();
    for path in bundles {
        let program = read_bundle(path, &[])?.program;
        found.push(from_program(&program, None));
    }
    if !policies.is_empty() {
        let (ws, packages, diagnostics) = compile(policies, crate::Format::Human)?;
        let (errors, _) = tally(&diagnostics);
        if errors > 0 {
            print_diagnostics(&ws, &diagnostics, crate::Format::Human, false);
            eprintln!(
                "error: the policy has {}; no report was written",
                plural(errors, "error")
            );
            return Err(FAILED);
        }
        for package in &packages {
            let Some(program) = ws.program(package) else {
                continue;
            };
            let outline = ws
                .outline(package)
                .map(|(file, outline)| (file.text(ws.db()).clone(), outline));
            let texts = outline.as_ref().map(|(text, outline)| {
                move |clause: &ClauseRef| {
                    let span = outline.clause_span(clause)?;
                    text.get(span.range()).map(|t| t.trim().to_owned())
                }
            });
            found.push(from_program(
                &program,
                texts
                    .as_ref()
                    .map(|f| f as &dyn Fn(&ClauseRef) -> Option<String>),
            ));
        }
    }
    if found.is_empty() {
        eprintln!("error: no regulation package found (no file has a `regulation` header)");
        return Err(USAGE);
    }
    Ok(found)
}

/// Finds the text of a clause in the regulation's outline.
type ClauseTexts<'a> = &'a dyn Fn(&ClauseRef) -> Option<String>;

fn from_program(program: &ir::Program, text: Option<ClauseTexts<'_>>) -> Regulation {
    let role = |role: ir::Role| {
        program
            .vocabulary
            .roles
            .iter()
            .find(|r| r.role == role)
            .map(|r| r.field.clone())
    };
    Regulation {
        id: program.regulation.id.clone(),
        title: program.regulation.title.clone(),
        title_en: program.regulation.title_en.clone(),
        clauses: program
            .clauses
            .iter()
            .map(|c| ClauseText {
                at: c.at.clone(),
                title: c.title.clone(),
                text: text.and_then(|f| f(&c.at)),
            })
            .collect(),
        party_key: role(ir::Role::Party),
        individual_key: role(ir::Role::Individual),
    }
}

/// Reads a findings file; an unreadable file or a line that is not a finding is an error
/// naming the line.
fn read_findings(path: &Path, regulations: &[Regulation]) -> Result<Vec<Item>, String> {
    let shown = edict_compiler::display_path(path);
    let file = std::fs::File::open(path).map_err(|e| format!("cannot read `{shown}`: {e}"))?;
    let mut items = Vec::new();
    for (index, line) in BufReader::new(file).lines().enumerate() {
        let line = line.map_err(|e| format!("cannot read `{shown}`: {e}"))?;
        if line.trim().is_empty() {
            continue;
        }
        let item = parse_finding(&line, regulations)
            .map_err(|why| format!("`{shown}` line {}: {why}", index + 1))?;
        items.push(item);
    }
    Ok(items)
}

/// One line of JSON as a finding.
fn parse_finding(line: &str, regulations: &[Regulation]) -> Result<Item, String> {
    let value: serde_json::Value = serde_json::from_str(line).map_err(|e| {
        format!(
            "not JSON (column {}: {}); is this a findings file?",
            e.column(),
            match e.classify() {
                serde_json::error::Category::Eof => "the line ends too soon",
                _ => "unexpected character",
            }
        )
    })?;
    let object = value
        .as_object()
        .ok_or("not a JSON object; is this a findings file?")?;
    let text = |key: &str| object.get(key).and_then(|v| v.as_str()).map(str::to_owned);
    let number = |key: &str| {
        object
            .get(key)
            .and_then(|v| v.as_u64())
            .and_then(|n| u32::try_from(n).ok())
    };
    let kind: FindingKind = match text("finding").as_deref() {
        Some("violation") => FindingKind::Violation,
        Some("overdue") => FindingKind::Overdue,
        Some("open") => FindingKind::Open,
        Some("input_error") => FindingKind::InputError,
        Some(other) => return Err(format!("unknown kind of finding `{other}`")),
        None => return Err("no `finding` key; is this a findings file?".into()),
    };
    let line = object
        .get("line")
        .and_then(|v| v.as_u64())
        .ok_or("no `line` number")?;
    let article = match (number("article"), text("clause_key")) {
        (Some(n), _) => Some(ArticleRef::Number(n)),
        (None, Some(key)) => Some(ArticleRef::Key(key)),
        (None, None) => None,
    };
    let clause = article.map(|article| ClauseRef {
        article,
        paragraph: number("paragraph"),
        item: number("item"),
    });
    let regulation = text("regulation");
    let keys = regulations
        .iter()
        .find(|r| Some(&r.id) == regulation.as_ref())
        .or(regulations.first());
    let role = |key: Option<&String>| key.and_then(|k| text(k));
    Ok(Item {
        kind,
        regulation,
        clause,
        line,
        time: text("time"),
        message: text("message").unwrap_or_default(),
        message_zh: text("message_zh"),
        title: text("title"),
        deadline: text("deadline"),
        party: role(keys.and_then(|r| r.party_key.as_ref())),
        individual: role(keys.and_then(|r| r.individual_key.as_ref())),
        by: Vec::new(),
    })
}

/// Fills each item's `--by` values from the event at its line.
fn read_by_fields(events: &Path, fields: &[String], items: &mut [Item]) -> Result<(), String> {
    let shown = edict_compiler::display_path(events);
    let mut wanted: HashMap<u64, Vec<Option<String>>> =
        items.iter().map(|i| (i.line, Vec::new())).collect();
    let file = std::fs::File::open(events).map_err(|e| format!("cannot read `{shown}`: {e}"))?;
    for (index, line) in BufReader::new(file).lines().enumerate() {
        let line = line.map_err(|e| format!("cannot read `{shown}`: {e}"))?;
        let Some(values) = wanted.get_mut(&(index as u64 + 1)) else {
            continue;
        };
        let event: serde_json::Value = serde_json::from_str(&line).unwrap_or_default();
        *values = fields.iter().map(|f| field_text(&event, f)).collect();
    }
    for item in items {
        item.by = wanted.get(&item.line).cloned().unwrap_or_default();
        item.by.resize(fields.len(), None);
    }
    Ok(())
}

/// The value of a dotted field path in an event, as text.
fn field_text(event: &serde_json::Value, path: &str) -> Option<String> {
    let mut value = event;
    for part in path.split('.') {
        value = value.get(part)?;
    }
    match value {
        serde_json::Value::Null => None,
        serde_json::Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

/// The report's counts by kind, for the summary on standard error and the page.
pub fn count(items: &[Item], kind: FindingKind) -> usize {
    items.iter().filter(|i| i.kind == kind).count()
}

impl Regulation {
    /// The clause's title and text, when the policy cites it.
    pub fn clause(&self, at: &ClauseRef) -> Option<&ClauseText> {
        self.clauses.iter().find(|c| c.at == *at)
    }
}

/// Text made safe for HTML and SVG, in content and in quoted attributes.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}
