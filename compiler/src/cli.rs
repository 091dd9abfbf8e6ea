//! The commands behind `edict`: each turns arguments into output and an exit status.

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use edict_compiler::driver::LoadedPackage;
use edict_compiler::{Diagnostic, Workspace, render};
use edict_runtime::bundle::Bundle;
use edict_runtime::engine::{Engine, Summary, run_stream};
use edict_runtime::{ir, time};

use crate::Format;

pub const OK: u8 = 0;
pub const FAILED: u8 = 1;
pub const USAGE: u8 = 2;

/// Loads and checks packages; returns the workspace, the packages and all diagnostics
/// (deduplicated: a vocabulary shared by two packages is reported once).
fn compile(paths: &[PathBuf]) -> Result<(Workspace, Vec<LoadedPackage>, Vec<Diagnostic>), u8> {
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

fn print_diagnostics(ws: &Workspace, diagnostics: &[Diagnostic], format: Format, to_stdout: bool) {
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

fn tally(diagnostics: &[Diagnostic]) -> (usize, usize) {
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    (errors, diagnostics.len() - errors)
}

fn plural(n: usize, word: &str) -> String {
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
fn single_program(paths: &[PathBuf], format: Format) -> Result<Arc<ir::Program>, u8> {
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

pub struct RunArgs {
    pub bundle: Option<PathBuf>,
    pub paths: Vec<PathBuf>,
    pub events: Option<PathBuf>,
    pub as_of: Option<String>,
    pub output: Option<PathBuf>,
}

pub fn run(args: RunArgs) -> u8 {
    let program = match (&args.bundle, args.paths.is_empty()) {
        (Some(path), _) => match read_bundle(path) {
            Ok(p) => p,
            Err(code) => return code,
        },
        (None, false) => match single_program(&args.paths, Format::Human) {
            Ok(p) => (*p).clone(),
            Err(code) => return code,
        },
        (None, true) => {
            eprintln!("error: nothing to run: give `--bundle FILE` or policy paths");
            return USAGE;
        }
    };
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
    let engine = match Engine::new(program) {
        Ok(engine) => engine,
        Err(e) => {
            eprintln!("error: the policy cannot be run: {e}");
            return FAILED;
        }
    };
    let deferred = engine.deferred_rules().len();
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
    let mut write_error: Option<std::io::Error> = None;
    let result = run_stream(engine, reader, as_of, &mut |finding| {
        if write_error.is_none()
            && let Err(e) = finding.write_json_line(&mut writer)
        {
            write_error = Some(e);
        }
    });
    let flushed = writer.flush();
    let summary = match result {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: reading the events failed: {e}");
            return USAGE;
        }
    };
    if let Some(e) = write_error.or(flushed.err()) {
        eprintln!("error: writing the findings failed: {e}");
        return USAGE;
    }
    eprintln!("{}", describe_summary(&summary));
    if deferred > 0 {
        eprintln!(
            "note: {} with deadlines, past-time conditions or state {} not evaluated by this version of the runtime",
            plural(deferred, "rule"),
            if deferred == 1 { "was" } else { "were" }
        );
    }
    if summary.rejected > 0 { FAILED } else { OK }
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
