//! The commands behind `edict`: each turns arguments into output and an exit status.

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use edict_compiler::coverage::{CoverageRow, Status};
use edict_compiler::driver::LoadedPackage;
use edict_compiler::{Diagnostic, Workspace, render};
use edict_runtime::bundle::Bundle;
use edict_runtime::calendar::{self, Calendar};
use edict_runtime::engine::{Engine, EngineOptions, Summary, for_each_line};
use edict_runtime::finding::Finding;
use edict_runtime::{ir, time};

use crate::Format;

pub const OK: u8 = 0;
pub const FAILED: u8 = 1;
pub const USAGE: u8 = 2;

/// Loads and checks packages; returns the workspace, the packages and all diagnostics
/// (deduplicated: a vocabulary shared by two packages is reported once).
pub(crate) fn compile(
    paths: &[PathBuf],
) -> Result<(Workspace, Vec<LoadedPackage>, Vec<Diagnostic>), u8> {
    let mut ws = Workspace::default();
    let packages = ws.load(paths).map_err(|e| {
        eprintln!("error: {e}");
        USAGE
    })?;
    let mut all: Vec<Diagnostic> = Vec::new();
    for p in &packages {
        for d in ws.diagnostics(p) {
            if !all.contains(d) {
                all.push(d.clone());
            }
        }
    }
    Ok((ws, packages, all))
}

pub(crate) fn print_diagnostics(
    ws: &Workspace,
    diagnostics: &[Diagnostic],
    format: Format,
    to_stdout: bool,
) {
    let text = match format {
        Format::Human => render::human(&ws.db, diagnostics),
        Format::Json => render::json(&ws.db, diagnostics),
    };
    if to_stdout {
        print!("{text}");
    } else {
        eprint!("{text}");
    }
}

pub(crate) fn tally(diagnostics: &[Diagnostic]) -> (usize, usize) {
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    (errors, diagnostics.len() - errors)
}

pub(crate) fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

pub fn check(paths: &[PathBuf], format: Format) -> u8 {
    let (ws, packages, diagnostics) = match compile(paths) {
        Ok(x) => x,
        Err(code) => return code,
    };
    print_diagnostics(&ws, &diagnostics, format, true);
    let (errors, warnings) = tally(&diagnostics);
    eprintln!(
        "checked {}: {}, {}",
        plural(packages.len(), "package"),
        plural(errors, "error"),
        plural(warnings, "warning")
    );
    if errors > 0 { FAILED } else { OK }
}

/// The program of the one regulation package among `paths`.
pub(crate) fn single_program(paths: &[PathBuf], format: Format) -> Result<Arc<ir::Program>, u8> {
    let (ws, packages, diagnostics) = compile(paths)?;
    print_diagnostics(&ws, &diagnostics, format, false);
    let (errors, _) = tally(&diagnostics);
    if errors > 0 {
        eprintln!(
            "error: the policy has {}; nothing was built",
            plural(errors, "error")
        );
        return Err(FAILED);
    }
    let programs: Vec<(String, Arc<ir::Program>)> = packages
        .iter()
        .filter_map(|p| ws.program(p).map(|prog| (p.root.clone(), prog)))
        .collect();
    match programs.as_slice() {
        [(_, program)] => Ok(Arc::clone(program)),
        [] => {
            eprintln!("error: no regulation package found (no file has a `regulation` header)");
            Err(USAGE)
        }
        many => {
            let roots: Vec<&str> = many.iter().map(|(r, _)| r.as_str()).collect();
            eprintln!(
                "error: found {} regulation packages ({}); name one",
                many.len(),
                roots.join(", ")
            );
            Err(USAGE)
        }
    }
}

pub fn build(paths: &[PathBuf], output: &Path, format: Format) -> u8 {
    let program = match single_program(paths, format) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let bundle = Bundle::new((*program).clone());
    if let Err(e) = std::fs::write(output, bundle.to_json()) {
        eprintln!("error: cannot write `{}`: {e}", output.display());
        return USAGE;
    }
    eprintln!(
        "built {} ({}, {}) into {}",
        program.regulation.id,
        plural(program.rules.len(), "rule"),
        bundle.hash,
        output.display()
    );
    OK
}

#[derive(clap::Args)]
pub struct RunArgs {
    /// A bundle built by `edict build`; repeat to judge the stream against several.
    #[arg(long = "bundle")]
    pub bundles: Vec<PathBuf>,
    /// Policy sources to compile (every regulation package found is run).
    pub paths: Vec<PathBuf>,
    /// The event stream; `-` or absent reads standard input.
    #[arg(long)]
    pub events: Option<PathBuf>,
    /// Close the stream at this time (RFC 3339) instead of at its last event.
    #[arg(long)]
    pub as_of: Option<String>,
    /// Write findings here instead of standard output.
    #[arg(long)]
    pub output: Option<PathBuf>,
    /// How many seconds an event may be older than the latest one already read; older
    /// events are rejected as input errors.
    #[arg(long, default_value_t = 300)]
    pub allowed_lateness: u32,
}

pub fn run(args: RunArgs) -> u8 {
    let mut programs: Vec<ir::Program> = Vec::new();
    for path in &args.bundles {
        match read_bundle(path) {
            Ok(p) => programs.push(p),
            Err(code) => return code,
        }
    }
    if !args.paths.is_empty() {
        match all_programs(&args.paths) {
            Ok(found) => programs.extend(found.iter().map(|p| (**p).clone())),
            Err(code) => return code,
        }
    }
    if programs.is_empty() {
        eprintln!("error: nothing to run: give `--bundle FILE` or policy paths");
        return USAGE;
    }
    let as_of = match &args.as_of {
        None => None,
        Some(text) => match time::parse_rfc3339(text) {
            Ok(t) => Some(t.second),
            Err(_) => {
                eprintln!(
                    "error: `--as-of {text}` is not an RFC 3339 time with an offset (write e.g. 2025-07-01T00:00:00+08:00)"
                );
                return USAGE;
            }
        },
    };
    let options = EngineOptions {
        allowed_lateness_seconds: i64::from(args.allowed_lateness),
    };
    let mut engines = Vec::new();
    for program in programs {
        let id = program.regulation.id.clone();
        match Engine::with_options(program, options) {
            Ok(engine) => engines.push((Arc::<str>::from(id), engine)),
            Err(e) => {
                eprintln!("error: the policy `{id}` cannot be run: {e}");
                return FAILED;
            }
        }
    }
    let reader: Box<dyn BufRead> = match args.events.as_deref() {
        None => Box::new(std::io::stdin().lock()),
        Some(p) if p == Path::new("-") => Box::new(std::io::stdin().lock()),
        Some(p) => match File::open(p) {
            Ok(f) => Box::new(BufReader::new(f)),
            Err(e) => {
                eprintln!("error: cannot read the events `{}`: {e}", p.display());
                return USAGE;
            }
        },
    };
    let mut writer: Box<dyn Write> = match &args.output {
        None => Box::new(BufWriter::new(std::io::stdout().lock())),
        Some(p) => match File::create(p) {
            Ok(f) => Box::new(BufWriter::new(f)),
            Err(e) => {
                eprintln!("error: cannot write the findings to `{}`: {e}", p.display());
                return USAGE;
            }
        },
    };
    let several = engines.len() > 1;
    let mut write_error: Option<std::io::Error> = None;
    let mut emit = |regulation: &Arc<str>, mut finding: Finding| {
        // With several regulations, a rejected line names the one whose vocabulary refused it.
        if several && finding.regulation.is_none() {
            finding.regulation = Some(Arc::clone(regulation));
        }
        if write_error.is_none()
            && let Err(e) = finding.write_json_line(&mut writer)
        {
            write_error = Some(e);
        }
    };
    let summaries = match run_all(engines, reader, as_of, &mut emit) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: reading the events failed: {e}");
            return USAGE;
        }
    };
    let flushed = writer.flush();
    if let Some(e) = write_error.or(flushed.err()) {
        eprintln!("error: writing the findings failed: {e}");
        return USAGE;
    }
    let mut rejected = false;
    for (regulation, summary) in &summaries {
        if several {
            eprintln!("{regulation}:");
        }
        eprintln!("{}", describe_summary(summary));
        rejected |= summary.rejected > 0;
    }
    if rejected { FAILED } else { OK }
}

/// Feeds each line of the stream to every engine in turn, then closes them all.
fn run_all(
    mut engines: Vec<(Arc<str>, Engine)>,
    reader: impl BufRead,
    as_of: Option<i64>,
    emit: &mut impl FnMut(&Arc<str>, Finding),
) -> std::io::Result<Vec<(Arc<str>, Summary)>> {
    for_each_line(reader, |line_no, line| {
        for (regulation, engine) in &mut engines {
            engine.process_line_bytes(line_no, line, &mut |f| emit(regulation, f));
        }
    })?;
    Ok(engines
        .into_iter()
        .map(|(regulation, engine)| {
            let summary = engine.finish(as_of, &mut |f| emit(&regulation, f));
            (regulation, summary)
        })
        .collect())
}

/// The programs of every regulation package among `paths`.
fn all_programs(paths: &[PathBuf]) -> Result<Vec<Arc<ir::Program>>, u8> {
    let (ws, packages, diagnostics) = compile(paths)?;
    print_diagnostics(&ws, &diagnostics, Format::Human, false);
    let (errors, _) = tally(&diagnostics);
    if errors > 0 {
        eprintln!(
            "error: the policy has {}; nothing was run",
            plural(errors, "error")
        );
        return Err(FAILED);
    }
    let programs: Vec<Arc<ir::Program>> = packages.iter().filter_map(|p| ws.program(p)).collect();
    if programs.is_empty() {
        eprintln!("error: no regulation package found (no file has a `regulation` header)");
        return Err(USAGE);
    }
    Ok(programs)
}

fn read_bundle(path: &Path) -> Result<ir::Program, u8> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        eprintln!("error: cannot read the bundle `{}`: {e}", path.display());
        USAGE
    })?;
    Bundle::from_json(&text).map(|b| b.program).map_err(|e| {
        eprintln!("error: `{}`: {e}", path.display());
        USAGE
    })
}

/// The human summary of a run, accounting for every line.
pub fn describe_summary(s: &Summary) -> String {
    let f = &s.findings_by_kind;
    format!(
        "{} read: {} judged, {} before the effective date, {} exempt, {} rejected, {} blank\n\
         findings: {}, {} overdue, {} open, {}",
        plural(s.lines_total as usize, "line"),
        s.judged(),
        s.not_yet_effective,
        s.exempt,
        s.rejected,
        s.blank,
        plural(f.violation as usize, "violation"),
        f.overdue,
        f.open,
        plural(f.input_error as usize, "input error"),
    )
}

pub fn deadline(from: &str, working_days: Option<u32>, days: Option<u32>, paths: &[PathBuf]) -> u8 {
    let Some(start) = time::parse_date(from) else {
        eprintln!("error: `--from {from}` is not a date (write YYYY-MM-DD, e.g. 2025-09-26)");
        return USAGE;
    };
    let overrides = if paths.is_empty() {
        ir::CalendarOverrides::default()
    } else {
        match single_program(paths, Format::Human) {
            Ok(program) => program.calendar.clone(),
            Err(code) => return code,
        }
    };
    let calendar = Calendar::mainland(&overrides);
    let (due, approximate, what) = match (working_days, days) {
        (Some(n), _) => {
            let (due, approximate) = calendar.add_working_days(start, n);
            (due, approximate, plural(n as usize, "working day"))
        }
        (None, Some(n)) => match calendar::add_days(start, i64::from(n)) {
            Some(due) => (due, false, plural(n as usize, "day")),
            None => {
                eprintln!("error: the due date is outside the calendar");
                return USAGE;
            }
        },
        (None, None) => {
            eprintln!("error: give `--working-days N` or `--days N`");
            return USAGE;
        }
    };
    let weekday = WEEKDAYS[usize::from(calendar::weekday(calendar::day_number(due)))];
    println!("{due}");
    eprintln!("due by the end of {weekday} {due}: {what} after {start}, counted from the next day");
    if approximate {
        eprintln!(
            "note: the calendar has no holiday data for part of this period, so those days were counted as Monday to Friday; add the year's holidays in a `calendar` block"
        );
    }
    OK
}

const WEEKDAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

pub fn coverage(paths: &[PathBuf], format: Format) -> u8 {
    let (ws, packages, diagnostics) = match compile(paths) {
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
        let Some(rows) = edict_compiler::coverage::coverage(&ws.db, package.package) else {
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
    let width = rows
        .iter()
        .map(|r| r.clause.chars().count())
        .max()
        .unwrap_or(0);
    let title_width = rows
        .iter()
        .map(|r| r.title.as_deref().map_or(0, |t| t.chars().count()))
        .max()
        .unwrap_or(0)
        .min(40);
    let mut out = format!("coverage of {regulation}\n");
    let (mut implemented, mut unchecked, mut missing) = (0, 0, 0);
    for row in rows {
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
            "  {:<width$}  {:<title_width$}  {status}\n",
            row.clause, title
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
        "clause": row.clause,
        "article": row.article,
        "clause_key": row.key,
        "paragraph": row.paragraph,
        "title": row.title,
        "status": status,
        "rules": rules,
        "inherited": inherited,
        "reason": reason,
    })
    .to_string()
}
