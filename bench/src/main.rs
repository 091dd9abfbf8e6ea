//! The Edict benchmarks, in one run: runtime throughput against the cost of parsing JSON,
//! per-decision speed against regorus and Cedar on the same checks, the compiler cold and
//! incremental, and the memory of runtime state per stored subject.
//!
//! `cargo run --release -p edict-bench -- [--quick] [--sizes 100000,1000000] [--peer-events N]
//! [--write BENCHMARKS.md]`; `--help` lists every option.
//!
//! With `--write FILE`, the results replace the part of FILE between the markers
//! `<!-- bench:begin -->` and `<!-- bench:end -->` (the whole file if it has no markers), so
//! the notes around the table survive a new run.
//!
//! One module per section of the report (`throughput`, `peers`, `compiler`, `memory`); this one
//! runs them in order and writes the targets they are measured against.

mod compiler;
mod memory;
mod options;
mod peers;
mod report;
mod setup;
mod throughput;
mod wire;

use std::fmt::Write as _;
use std::fs::File;
use std::io::{BufReader, Write as _};
use std::path::Path;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use edict_runtime::engine::{Engine, run_stream};

use crate::options::{Options, Request};
use crate::report::{fmt_ms, mark};
use crate::setup::{PROCESSORS, SEED, measures};

/// Runs every section and gives the report.
fn run(options: &Options) -> Result<String, String> {
    let program = measures()?;
    let mut out = String::new();
    let command = if options.quick {
        "cargo run --release -p edict-bench -- --quick --write BENCHMARKS.md"
    } else {
        "cargo run --release -p edict-bench -- --write BENCHMARKS.md"
    };
    let _ = writeln!(out, "Machine: {}.  ", report::machine());
    let _ = writeln!(out, "Command: `{command}`.  ");
    let _ = writeln!(
        out,
        "Streams: `edict-gen --seed {SEED} --processors {PROCESSORS} --violation-rate 0.01` (the peer stream: rate 0.05), the full Measures bundle ({} rules).\n",
        program.rules.len()
    );

    eprintln!("1. runtime throughput");
    let mut rows = Vec::new();
    for &n in &options.sizes {
        eprintln!(" {n} events");
        rows.push(throughput::measure(&program, n, &options.data_dir)?);
    }
    let parse_ratio = throughput::table(&rows, &mut out);

    eprintln!("2. peers on {} events", options.peer_events);
    let peers = peers::measure(&program, options.peer_events, &options.data_dir)?;
    peers::table(&peers, &mut out);

    eprintln!("3. compiler");
    let compiler = compiler::measure(if options.quick { 5 } else { 21 })?;
    compiler::table(&compiler, &mut out);

    eprintln!("4. memory at {} subjects", options.memory_subjects);
    let memory = memory::measure(&program, options.memory_subjects)?;
    memory::table(&memory, &mut out);

    let per_subject = memory.per_subject();
    let cedar_x = peers.edict.batch_per_second / peers.cedar.batch_per_second;
    let rego_x = peers.edict.batch_per_second / peers.rego.batch_per_second;
    let _ = writeln!(out, "### Targets\n");
    let _ = writeln!(out, "| target | measured | |");
    let _ = writeln!(out, "|---|---:|---|");
    let _ = writeln!(
        out,
        "| end to end ≥ 0.5 × parse-only events/s | {parse_ratio:.2} × (worst size) | {} |",
        mark(parse_ratio >= 0.5)
    );
    let _ = writeln!(
        out,
        "| per decision ≥ 20× faster than Cedar | {cedar_x:.0}× | {} |",
        mark(cedar_x >= 20.0)
    );
    let _ = writeln!(
        out,
        "| per decision ≥ 30× faster than regorus | {rego_x:.0}× | {} |",
        mark(rego_x >= 30.0)
    );
    let _ = writeln!(
        out,
        "| cold check of the library < 100 ms | {} | {} |",
        fmt_ms(compiler.cold),
        mark(compiler.cold < Duration::from_millis(100))
    );
    let _ = writeln!(
        out,
        "| incremental re-check < 10 ms | {} | {} |",
        fmt_ms(compiler.incremental),
        mark(compiler.incremental < Duration::from_millis(10))
    );
    let _ = writeln!(
        out,
        "| state ≤ 64 bytes per stored subject | {per_subject:.1} | {} |",
        mark(per_subject <= 64.0)
    );
    Ok(out)
}

/// Only the end-to-end run of the full Measures over the events in `path`, for profilers.
fn profile(path: &Path) -> Result<(), String> {
    let engine = Engine::new(measures()?).map_err(|e| e.to_string())?;
    let file = File::open(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mut findings = 0u64;
    let began = Instant::now();
    let summary = run_stream(engine, BufReader::new(file), None, &mut |_| findings += 1)
        .map_err(|e| e.to_string())?;
    eprintln!(
        "{} lines, {findings} findings ({:?}) in {:.2?}",
        summary.lines_total,
        summary.findings_by_kind,
        began.elapsed()
    );
    Ok(())
}

/// Prints to standard output: a closed pipe ends the output quietly (the reader wants no more),
/// any other write error is an error.
fn print(text: &str) -> Result<(), String> {
    let mut out = std::io::stdout().lock();
    match writeln!(out, "{text}").and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(format!("cannot write to standard output: {e}"))
        }
        _ => Ok(()),
    }
}

fn main() -> ExitCode {
    let options = match options::parse(std::env::args().skip(1)) {
        Ok(Request::Help) => {
            return match print(options::HELP) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("error: {e}");
                    ExitCode::FAILURE
                }
            };
        }
        Ok(Request::Profile(path)) => {
            return match profile(&path) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("error: {e}");
                    ExitCode::FAILURE
                }
            };
        }
        Ok(Request::Memory(subjects)) => {
            let memory = measures().and_then(|program| memory::measure(&program, subjects));
            let mut out = String::new();
            return match memory {
                Ok(memory) => {
                    memory::table(&memory, &mut out);
                    match print(&out) {
                        Ok(()) => ExitCode::SUCCESS,
                        Err(e) => {
                            eprintln!("error: {e}");
                            ExitCode::FAILURE
                        }
                    }
                }
                Err(e) => {
                    eprintln!("error: {e}");
                    ExitCode::FAILURE
                }
            };
        }
        Ok(Request::Run(options)) => options,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    match run(&options) {
        Ok(report) => {
            if let Err(e) = print(&report) {
                eprintln!("error: {e}");
                return ExitCode::FAILURE;
            }
            if let Some(path) = &options.write
                && let Err(e) = report::write(path, &report)
            {
                eprintln!("error: {e}");
                return ExitCode::FAILURE;
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
