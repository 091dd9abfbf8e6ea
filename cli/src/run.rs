//! `edict run`: judging an event stream against one or several regulations.

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use edict_runtime::bundle::Bundle;
use edict_runtime::engine::{Engine, EngineOptions, Summary, for_each_line};
use edict_runtime::finding::Finding;
use edict_runtime::{ir, time};

use crate::Format;
use crate::compile::{FAILED, OK, USAGE, compile, plural, print_diagnostics, tally};

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
    let (ws, packages, diagnostics) = compile(paths, Format::Human)?;
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
