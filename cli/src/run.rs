//! `edict run`: judging an event stream against one or several regulations.

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use edict_runtime::bundle::Bundle;
use edict_runtime::engine::{Engine, EngineOptions, Summary, for_each_line, share_vocabularies};
use edict_runtime::{ir, time};

use crate::Format;
use crate::compile::{FAILED, OK, USAGE, compile, plural, print_diagnostics, tally};
use crate::keys::{public_keys, read_bundle};
use sort::sorted_lines;

mod csv;
mod durable;
mod human;
mod parallel;
mod progress;
mod sink;
mod sort;

use progress::Progress;
use sink::Sink;
pub use sink::{FailOn, Order, RunFormat};

#[derive(clap::Args)]
pub struct RunArgs {
    /// A bundle built by `edict build`; repeat to judge the stream against several.
    #[arg(long = "bundle")]
    pub bundles: Vec<PathBuf>,
    /// Run only bundles signed by this public key (`NAME.pub` from `edict keygen`); repeat to
    /// trust several.
    #[arg(long = "key", value_name = "PUB")]
    pub keys: Vec<PathBuf>,
    /// Policy files or package folders to compile; every regulation package found is run.
    pub paths: Vec<PathBuf>,
    /// The event stream; `-` or absent reads standard input.
    #[arg(long)]
    pub events: Option<PathBuf>,
    /// Close the stream at this time (RFC 3339, e.g. 2025-07-01T00:00:00+08:00) instead of at
    /// its last event: obligations due before it are overdue, the others open.
    #[arg(long)]
    pub as_of: Option<String>,
    /// Write the findings to this file instead of standard output.
    #[arg(long)]
    pub output: Option<PathBuf>,
    /// How many seconds an event may be older than the latest one already read; older
    /// events are rejected as input errors.
    #[arg(long, default_value_t = 300)]
    pub allowed_lateness: u32,
    /// The stream is not sorted by time (logs of several devices concatenated, say): sort it
    /// by event time first, in bounded memory, then judge it. Findings keep the file's lines.
    #[arg(long)]
    pub unordered: bool,
    /// With `--unordered`: the bytes of lines held in memory at once; a larger stream is
    /// sorted in runs written to temporary files.
    #[arg(long, default_value_t = 256 << 20, value_name = "BYTES")]
    pub sort_memory: usize,
    /// Keep the run's state in this folder (an embedded database), checkpointed as it goes:
    /// a run that is stopped or killed resumes from its last checkpoint, and every finding is
    /// written exactly once. Needs `--events FILE` and `--output FILE`.
    #[arg(long, value_name = "DIR")]
    pub state: Option<PathBuf>,
    /// With `--state`: close the stream at the end of the input (judge the events still held,
    /// report pending obligations); without it the stream stays open for a later run.
    #[arg(long, requires = "state")]
    pub close: bool,
    /// With `--state`: write a checkpoint every this many lines (and every few seconds).
    #[arg(long, default_value_t = 100_000, value_name = "LINES")]
    pub checkpoint_every: u64,
    /// How findings are printed. Without it: `human` when standard output is a terminal,
    /// else `json`.
    #[arg(long, value_enum)]
    pub format: Option<RunFormat>,
    /// Exit with status 1 when the run finds any of these kinds (comma-separated), so that CI
    /// fails on what matters to it.
    #[arg(
        long,
        value_enum,
        value_delimiter = ',',
        default_value = "input_error",
        value_name = "KINDS"
    )]
    pub fail_on: Vec<FailOn>,
    /// The order findings are printed in.
    #[arg(long, value_enum, default_value_t)]
    pub order: Order,
    /// Also write the findings as an HTML page for people to this file (see `edict report`).
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    /// Tabulate the `--report` page's findings by this field of their events too (for
    /// example `device`); repeat for several. Needs `--events FILE`.
    #[arg(long = "by", value_name = "FIELD", requires = "report")]
    pub by: Vec<String>,
    /// Threads to run on (default: the number of cores). The lines are decoded in parallel
    /// and, when every regulation's vocabulary declares `partition by` and nothing it
    /// remembers links two partitions, judged partition by partition in parallel; the
    /// findings and summary are those of a run on one thread. `--state` and `--unordered`
    /// runs use one.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub workers: Option<u16>,
}

/// What the printers need to know about the regulations of a run.
pub struct RunInfo {
    pub regulations: Vec<ir::Regulation>,
    /// The fields that fill the roles, when every regulation names the same.
    party: Option<String>,
    individual: Option<String>,
}

impl RunInfo {
    fn new(programs: &[ir::Program]) -> RunInfo {
        let role = |role: ir::Role| {
            let mut fields = programs.iter().map(|p| {
                p.vocabulary
                    .roles
                    .iter()
                    .find(|r| r.role == role)
                    .map(|r| r.field.clone())
            });
            let first = fields.next().flatten();
            fields.all(|f| f == first).then_some(first).flatten()
        };
        RunInfo {
            regulations: programs.iter().map(|p| p.regulation.clone()).collect(),
            party: role(ir::Role::Party),
            individual: role(ir::Role::Individual),
        }
    }

    /// The name of the party's column: the vocabulary's field, or `party`.
    pub fn party_key(&self) -> &str {
        self.party.as_deref().unwrap_or("party")
    }

    /// The name of the individual's column: the vocabulary's field, or `individual`.
    pub fn individual_key(&self) -> &str {
        self.individual.as_deref().unwrap_or("individual")
    }
}

pub fn run(args: RunArgs) -> u8 {
    let keys = match public_keys(&args.keys) {
        Ok(k) => k,
        Err(code) => return code,
    };
    if !keys.is_empty() && !args.paths.is_empty() {
        eprintln!(
            "error: `--key` accepts only signed bundles, but policy sources were given; build and sign them with `edict build --sign`"
        );
        return USAGE;
    }
    let mut programs: Vec<ir::Program> = Vec::new();
    for path in &args.bundles {
        match read_bundle(path, &keys) {
            Ok(b) => programs.push(b.program),
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
    if let Some(state) = &args.state {
        // A durable run writes each finding as JSON as soon as it is found, so that a restart
        // can cut the file back to its last checkpoint.
        if matches!(args.format, Some(RunFormat::Human | RunFormat::Csv)) || args.report.is_some() {
            eprintln!(
                "error: `--state` writes findings as JSON Lines as they are found; leave out `--format human|csv` and `--report` (make a report afterwards with `edict report`)"
            );
            return USAGE;
        }
        let bundles = programs.into_iter().map(Bundle::new).collect();
        return durable::run(&args, state, bundles, options, as_of);
    }
    let info = RunInfo::new(&programs);
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
    // A run's vocabulary is the union of its regulations': each reads the fields it knows.
    if let Err(e) = share_vocabularies(engines.iter_mut().map(|(_, engine)| engine)) {
        eprintln!("error: these policies cannot judge one stream together: {e}");
        return FAILED;
    }
    let reader: Box<dyn BufRead + Send> = match args.events.as_deref() {
        None => Box::new(BufReader::new(std::io::stdin())),
        Some(p) if p == Path::new("-") => Box::new(BufReader::new(std::io::stdin())),
        Some(p) => match File::open(p) {
            Ok(f) => Box::new(BufReader::new(f)),
            Err(e) => {
                eprintln!("error: cannot read the events `{}`: {e}", p.display());
                return USAGE;
            }
        },
    };
    let (writer, to_terminal): (Box<dyn Write>, bool) = match &args.output {
        None => {
            let stdout = std::io::stdout();
            let terminal = stdout.is_terminal();
            (Box::new(BufWriter::new(stdout.lock())), terminal)
        }
        Some(p) => match File::create(p) {
            Ok(f) => (Box::new(BufWriter::new(f)), false),
            Err(e) => {
                eprintln!("error: cannot write the findings to `{}`: {e}", p.display());
                return USAGE;
            }
        },
    };
    let format = args.format.unwrap_or(if to_terminal {
        RunFormat::Human
    } else {
        RunFormat::Json
    });
    if !args.by.is_empty() && args.events.as_deref().is_none_or(|p| p == Path::new("-")) {
        eprintln!(
            "error: `--by` reads the events again after the run: give them with `--events FILE`"
        );
        return USAGE;
    }
    let report = match &args.report {
        None => None,
        // The clause texts of the report come from the policy sources, compiled again.
        Some(path) => match crate::report::regulations(&args.paths, &args.bundles) {
            Ok(regulations) => Some((path, regulations)),
            Err(code) => return code,
        },
    };
    let keep = report.is_some();
    let mut sink = Sink::new(format, args.order, keep, &info, writer, &args.fail_on);
    let progress = Progress::for_file(args.events.as_deref());
    let summaries = match run_all(engines, reader, as_of, &args, &mut sink, progress) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: reading the events failed: {e}");
            return USAGE;
        }
    };
    let failed = sink.failed;
    let kept = match sink.finish() {
        Ok(kept) => kept,
        Err(e) => {
            eprintln!("error: writing the findings failed: {e}");
            return USAGE;
        }
    };
    let several = summaries.len() > 1;
    for (regulation, summary) in &summaries {
        if several {
            eprintln!("{regulation}:");
        }
        eprintln!("{}", describe_summary(summary));
    }
    if let Some((path, regulations)) = report {
        let page = crate::report::PageArgs {
            lang: crate::compile::language().unwrap_or_default(),
            by: args.by.clone(),
            events: args.events.clone().filter(|p| p != Path::new("-")),
        };
        let items = kept.iter().map(crate::report::Item::from_finding).collect();
        let source = args
            .events
            .as_deref()
            .map_or("standard input".into(), edict_compiler::display_path);
        let status = crate::report::write_page(path, &page, source, regulations, items);
        if status != OK {
            return status;
        }
    }
    if failed { FAILED } else { OK }
}

/// Feeds each line of the stream to every engine in turn, then closes them all.
fn run_all(
    mut engines: Vec<(Arc<str>, Engine)>,
    reader: impl BufRead + Send,
    as_of: Option<i64>,
    args: &RunArgs,
    sink: &mut Sink<'_>,
    mut progress: Option<Progress>,
) -> std::io::Result<Vec<(Arc<str>, Summary)>> {
    let workers = args.workers.map_or_else(default_workers, usize::from);
    if workers > 1 && !args.unordered {
        let plan = parallel::Plan {
            decoders: workers,
            // Findings written as found come in the order one judge finds them.
            partitions: if sink.streaming() { 1 } else { workers },
        };
        if args.workers.is_some() {
            explain_partitioning(&engines);
        }
        return parallel::run(engines, reader, as_of, &plan, sink, progress);
    }
    let mut judge = |line_no: u64, line: &[u8]| {
        for (bundle, (regulation, engine)) in engines.iter_mut().enumerate() {
            engine.process_line_bytes(line_no, line, &mut |f| {
                sink.emit_from(bundle, regulation, f);
            });
        }
        if let Some(progress) = &mut progress {
            progress.line(line.len(), sink.count);
        }
    };
    if args.unordered {
        sorted_lines(reader, args.sort_memory.max(1), &mut judge)?;
    } else {
        for_each_line(reader, &mut judge)?;
    }
    if let Some(progress) = progress {
        progress.finish(sink.count);
    }
    Ok(engines
        .into_iter()
        .enumerate()
        .map(|(bundle, (regulation, engine))| {
            let summary = engine.finish(as_of, &mut |f| sink.emit_from(bundle, &regulation, f));
            (regulation, summary)
        })
        .collect())
}

/// The number of cores, the default of `--workers`.
fn default_workers() -> usize {
    std::thread::available_parallelism().map_or(1, std::num::NonZero::get)
}

/// Says, when `--workers` was asked for, which regulations are judged on one thread because
/// their stream cannot be partitioned, and why.
fn explain_partitioning(engines: &[(Arc<str>, Engine)]) {
    for (regulation, engine) in engines {
        if let Err(obstacles) = edict_runtime::partition::Partitioning::of(engine.program()) {
            eprintln!(
                "note: `{regulation}` is judged on one thread (decoding stays parallel): {}",
                obstacles
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("; ")
            );
        }
    }
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

/// The human summary of a run, accounting for every line.
pub fn describe_summary(s: &Summary) -> String {
    let f = &s.findings_by_kind;
    // Shown only in runs of several regulations whose vocabularies differ.
    let elsewhere = if s.other_vocabulary > 0 {
        format!(
            ", {} of another regulation's event types",
            s.other_vocabulary
        )
    } else {
        String::new()
    };
    format!(
        "{} read: {} judged, {} before the effective date, {} exempt{elsewhere}, {} rejected, {} blank\n\
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
