//! Section 1, runtime throughput: a generated stream through the full Measures, end to end from
//! the JSON Lines file and in process on decoded events, beside the cost of parsing the same
//! file with serde.

use std::fmt::Write as _;
use std::fs::File;
use std::io::{BufReader, BufWriter};
use std::path::Path;
use std::time::{Duration, Instant};

use edict_generator::write_stream;
use edict_runtime::engine::{Engine, run_stream};
use edict_runtime::event::Event;
use edict_runtime::finding::FindingKind;
use edict_runtime::ir::Program;

use crate::report::{fmt_count, fmt_rate, rate};
use crate::setup::{for_each_line, stream_config};
use crate::wire;

/// One stream size's timings.
pub struct Throughput {
    events: u64,
    bytes: u64,
    generate: Duration,
    parse_typed: Duration,
    parse_tree: Duration,
    end_to_end: Duration,
    in_process: Duration,
    findings: u64,
    input_errors: u64,
}

/// Generates a stream of `events` into `dir` and times every pass over it.
pub fn measure(program: &Program, events: u64, dir: &Path) -> Result<Throughput, String> {
    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    let path = dir.join(format!("stream-{events}.jsonl"));
    let began = Instant::now();
    let file = File::create(&path).map_err(|e| e.to_string())?;
    let stats = write_stream(
        stream_config(events),
        BufWriter::with_capacity(1 << 20, file),
    )
    .map_err(|e| e.to_string())?;
    let generate = began.elapsed();
    eprintln!(
        "  generated {events} events ({} MB) in {generate:.2?}",
        stats.bytes / 1_000_000
    );

    // Warm the page cache so that every pass reads the file from memory.
    for_each_line(&path, |l| {
        std::hint::black_box(l);
    })?;

    // Baseline: serde into typed event values.
    let mut bad = 0u64;
    let began = Instant::now();
    for_each_line(&path, |line| {
        match serde_json::from_slice::<wire::WireEvent>(line) {
            Ok(event) => {
                std::hint::black_box(&event);
            }
            Err(_) => bad += 1,
        }
    })?;
    let parse_typed = began.elapsed();
    if bad > 0 {
        return Err(format!("{bad} lines did not parse into the typed baseline"));
    }
    eprintln!("  parse-only (typed serde): {parse_typed:.2?}");

    // Reference: serde into a JSON tree, the step Edict's decoder starts with today.
    let began = Instant::now();
    for_each_line(&path, |line| {
        if let Ok(tree) = serde_json::from_slice::<serde_json::Value>(line) {
            std::hint::black_box(&tree);
        }
    })?;
    let parse_tree = began.elapsed();

    // End to end: the full Measures over the file, findings counted.
    let engine = Engine::new(program.clone()).map_err(|e| e.to_string())?;
    let file = File::open(&path).map_err(|e| e.to_string())?;
    let mut findings = 0u64;
    let mut input_errors = 0u64;
    let began = Instant::now();
    let summary = run_stream(
        engine,
        BufReader::with_capacity(1 << 16, file),
        None,
        &mut |f| {
            findings += 1;
            input_errors += u64::from(f.finding == FindingKind::InputError);
        },
    )
    .map_err(|e| e.to_string())?;
    let end_to_end = began.elapsed();
    if input_errors > 0 || summary.rejected > 0 {
        return Err(format!("{input_errors} generated lines were rejected"));
    }
    eprintln!("  end to end: {end_to_end:.2?}, {findings} findings");

    // In process: the same engine work on events decoded beforehand, in chunks so that 10^7
    // decoded events need not all be held at once; only the judging is timed.
    let mut engine = Engine::new(program.clone()).map_err(|e| e.to_string())?;
    let mut chunk: Vec<Event> = Vec::with_capacity(100_000);
    let mut in_process = Duration::ZERO;
    let mut line_no = 0u64;
    let mut sink = 0u64;
    let mut judge = |engine: &mut Engine, chunk: &mut Vec<Event>, line_no: &mut u64| {
        let began = Instant::now();
        for event in chunk.iter() {
            *line_no += 1;
            engine.process_event(*line_no, event, &mut |_| sink += 1);
        }
        in_process += began.elapsed();
        chunk.clear();
    };
    let mut decode_error = None;
    for_each_line(&path, |line| {
        let text = std::str::from_utf8(line).unwrap_or_default();
        match engine.decoder().decode(text) {
            Ok(event) => chunk.push(event),
            Err(e) => decode_error = Some(e.to_string()),
        }
        if chunk.len() == chunk.capacity() {
            judge(&mut engine, &mut chunk, &mut line_no);
        }
    })?;
    judge(&mut engine, &mut chunk, &mut line_no);
    if let Some(e) = decode_error {
        return Err(e);
    }
    let _ = engine.finish(None, &mut |_| sink += 1);
    std::hint::black_box(sink);
    eprintln!("  in process: {in_process:.2?}");

    let _ = std::fs::remove_file(&path);
    Ok(Throughput {
        events,
        bytes: stats.bytes,
        generate,
        parse_typed,
        parse_tree,
        end_to_end,
        in_process,
        findings,
        input_errors,
    })
}

/// Writes the throughput table; gives the worst ratio of end to end to parse only.
pub fn table(rows: &[Throughput], out: &mut String) -> f64 {
    let _ = writeln!(
        out,
        "### 1. Runtime throughput (full Measures bundle, events per second)\n"
    );
    let _ = writeln!(
        out,
        "| events | MB | parse only (serde, typed) | parse to JSON tree | Edict end to end (JSON Lines) | end to end ÷ parse only | Edict in process (parsed events) | findings | generator |"
    );
    let _ = writeln!(out, "|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    let mut worst_ratio = f64::INFINITY;
    for r in rows {
        let n = r.events as f64;
        let ratio = r.parse_typed.as_secs_f64() / r.end_to_end.as_secs_f64();
        worst_ratio = worst_ratio.min(ratio);
        let _ = writeln!(
            out,
            "| {} | {:.0} | {} | {} | {} | {:.2} | {} | {} | {} |",
            fmt_count(r.events),
            r.bytes as f64 / 1e6,
            fmt_rate(rate(n, r.parse_typed)),
            fmt_rate(rate(n, r.parse_tree)),
            fmt_rate(rate(n, r.end_to_end)),
            ratio,
            fmt_rate(rate(n, r.in_process)),
            r.findings,
            fmt_rate(rate(n, r.generate)),
        );
        debug_assert_eq!(r.input_errors, 0);
    }
    let _ = writeln!(out);
    worst_ratio
}
