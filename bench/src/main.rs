//! The Edict benchmarks, in one run: runtime throughput against the cost of parsing JSON,
//! per-decision speed against regorus and Cedar on the same checks, the compiler cold and
//! incremental, and the memory of runtime state per stored subject.
//!
//! `cargo run --release -p edict-bench -- [--quick] [--sizes 100000,1000000] [--peer-events N]
//! [--write BENCHMARKS.md]`
//!
//! With `--write FILE`, the results replace the part of FILE between the markers
//! `<!-- bench:begin -->` and `<!-- bench:end -->` (the whole file if it has no markers), so
//! the notes around the table survive a new run.

mod peers;
mod wire;

use std::fmt::Write as _;
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use edict_compiler::Workspace;
use edict_generator::{Config, Generator, Mix, write_stream};
use edict_runtime::engine::{Engine, run_stream};
use edict_runtime::event::Event;
use edict_runtime::finding::FindingKind;
use edict_runtime::ir::Program;

const BEGIN: &str = "<!-- bench:begin -->";
const END: &str = "<!-- bench:end -->";
const SEED: u64 = 1;
const PROCESSORS: u32 = 8;

struct Options {
    quick: bool,
    sizes: Vec<u64>,
    peer_events: usize,
    memory_subjects: u64,
    write: Option<PathBuf>,
    data_dir: PathBuf,
}

fn parse_options() -> Result<Options, String> {
    let mut args = std::env::args().skip(1).peekable();
    let mut quick = false;
    let mut sizes = None;
    let mut peer_events = None;
    let mut memory_subjects = None;
    let mut write = None;
    let mut data_dir = std::env::temp_dir().join("edict-bench");
    let number = |s: Option<String>, flag: &str| -> Result<u64, String> {
        s.ok_or(format!("{flag} needs a value"))?
            .replace('_', "")
            .parse::<f64>()
            .map(|n| n as u64)
            .map_err(|_| format!("{flag} needs a number"))
    };
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--quick" => quick = true,
            "--sizes" => {
                let list = args.next().ok_or("--sizes needs a list")?;
                sizes = Some(
                    list.split(',')
                        .map(|s| number(Some(s.to_string()), "--sizes"))
                        .collect::<Result<Vec<_>, _>>()?,
                );
            }
            "--peer-events" => peer_events = Some(number(args.next(), &arg)? as usize),
            "--memory-subjects" => memory_subjects = Some(number(args.next(), &arg)?),
            "--write" => write = Some(PathBuf::from(args.next().ok_or("--write needs a file")?)),
            "--data-dir" => {
                data_dir = PathBuf::from(args.next().ok_or("--data-dir needs a folder")?)
            }
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    Ok(Options {
        quick,
        sizes: sizes.unwrap_or(if quick {
            vec![10_000, 100_000]
        } else {
            vec![100_000, 1_000_000, 10_000_000]
        }),
        peer_events: peer_events.unwrap_or(if quick { 10_000 } else { 100_000 }),
        memory_subjects: memory_subjects.unwrap_or(if quick { 100_000 } else { 1_000_000 }),
        write,
        data_dir,
    })
}

/// The repository's root: the bench crate's parent folder.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

fn measures() -> Result<Program, String> {
    let mut ws = Workspace::default();
    let packages = ws
        .load(&[root().join("policies/measures-2025")])
        .map_err(|e| e.to_string())?;
    let package = packages
        .first()
        .ok_or("no package in policies/measures-2025")?;
    let errors: Vec<String> = ws
        .diagnostics(package)
        .iter()
        .filter(|d| d.is_error())
        .map(|d| format!("{d:?}"))
        .collect();
    if !errors.is_empty() {
        return Err(format!("the Measures do not compile: {errors:?}"));
    }
    ws.program(package)
        .map(|p| (*p).clone())
        .ok_or_else(|| "the Measures give no program".to_string())
}

fn rate(n: f64, d: Duration) -> f64 {
    n / d.as_secs_f64()
}

fn fmt_rate(r: f64) -> String {
    if r >= 1e6 {
        format!("{:.2} M/s", r / 1e6)
    } else if r >= 1e3 {
        format!("{:.1} k/s", r / 1e3)
    } else {
        format!("{r:.0} /s")
    }
}

fn fmt_ns(ns: f64) -> String {
    if ns >= 1e6 {
        format!("{:.2} ms", ns / 1e6)
    } else if ns >= 1e3 {
        format!("{:.2} µs", ns / 1e3)
    } else {
        format!("{ns:.0} ns")
    }
}

fn fmt_ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

fn fmt_count(n: u64) -> String {
    match n {
        n if n >= 1_000_000 && n % 1_000_000 == 0 => format!("{}M", n / 1_000_000),
        n if n >= 1_000 && n % 1_000 == 0 => format!("{}k", n / 1_000),
        n => n.to_string(),
    }
}

fn median(mut xs: Vec<Duration>) -> Duration {
    xs.sort();
    xs[xs.len() / 2]
}

/// Reads a JSON Lines file the way `run_stream` does, handing each line to `f`.
fn for_each_line(path: &Path, mut f: impl FnMut(&[u8])) -> Result<(), String> {
    let file = File::open(path).map_err(|e| e.to_string())?;
    let mut reader = BufReader::with_capacity(1 << 16, file);
    let mut buffer = Vec::with_capacity(1024);
    loop {
        buffer.clear();
        if reader
            .read_until(b'\n', &mut buffer)
            .map_err(|e| e.to_string())?
            == 0
        {
            return Ok(());
        }
        let line = buffer.strip_suffix(b"\n").unwrap_or(&buffer);
        f(line);
    }
}

// ---------------------------------------------------------------------------------------------
// 1. Runtime throughput

struct Throughput {
    events: u64,
    bytes: u64,
    violations: u64,
    generate: Duration,
    parse_typed: Duration,
    parse_tree: Duration,
    end_to_end: Duration,
    in_process: Duration,
    findings: u64,
    input_errors: u64,
}

fn stream_config(events: u64) -> Config {
    Config {
        events,
        seed: SEED,
        violation_rate: 0.01,
        processors: PROCESSORS,
        ..Config::default()
    }
}

fn throughput(program: &Program, events: u64, dir: &Path) -> Result<Throughput, String> {
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
        violations: stats.violations,
        generate,
        parse_typed,
        parse_tree,
        end_to_end,
        in_process,
        findings,
        input_errors,
    })
}

// ---------------------------------------------------------------------------------------------
// 3. Compiler

struct CompilerTimes {
    files: usize,
    packages: usize,
    cold: Duration,
    cold_min: Duration,
    incremental: Duration,
    incremental_max: Duration,
    incremental_lower: Duration,
}

fn compiler_times(rounds: usize) -> Result<CompilerTimes, String> {
    let library = root().join("policies");
    let mut cold = Vec::new();
    let mut packages = 0;
    for _ in 0..rounds {
        let began = Instant::now();
        let mut ws = Workspace::default();
        let loaded = ws
            .load(std::slice::from_ref(&library))
            .map_err(|e| e.to_string())?;
        let mut diagnostics = 0;
        for package in &loaded {
            diagnostics += ws.diagnostics(package).len();
        }
        cold.push(began.elapsed());
        std::hint::black_box(diagnostics);
        packages = loaded.len();
    }
    let files = count_edict_files(&library);

    // Incremental: one line of verification.edict changes, back and forth; the editor's path
    // is the diagnostics of the package (and, for a build, its program).
    let mut ws = Workspace::default();
    let loaded = ws
        .load(&[root().join("policies/measures-2025")])
        .map_err(|e| e.to_string())?;
    let package = loaded.first().ok_or("no package")?.clone();
    let _ = ws.diagnostics(&package);
    let _ = ws.program(&package);
    let file = package
        .package
        .sources(ws.db())
        .iter()
        .copied()
        .find(|f| f.path(ws.db()).ends_with("verification.edict"))
        .ok_or("verification.edict is not in the Measures")?;
    let path = file.path(ws.db()).clone();
    let original = file.text(ws.db()).clone();
    let needle = "require r.alternative_provided";
    if !original.contains(needle) {
        return Err(format!("verification.edict no longer has `{needle}`"));
    }
    let edited = original.replacen(
        needle,
        "require r.alternative_provided and has(r.subject)",
        1,
    );
    let mut times = Vec::new();
    let mut lower_times = Vec::new();
    for round in 0..rounds * 2 {
        let text = if round % 2 == 0 { &edited } else { &original };
        let began = Instant::now();
        ws.set_file(&path, text.clone());
        let errors = ws
            .diagnostics(&package)
            .iter()
            .filter(|d| d.is_error())
            .count();
        times.push(began.elapsed());
        let began = Instant::now();
        let program = ws.program(&package);
        lower_times.push(began.elapsed());
        if errors > 0 || program.is_none() {
            return Err("the edited Measures do not compile".into());
        }
    }
    Ok(CompilerTimes {
        files,
        packages,
        cold: median(cold.clone()),
        cold_min: cold.iter().copied().min().unwrap_or_default(),
        incremental: median(times.clone()),
        incremental_max: times.iter().copied().max().unwrap_or_default(),
        incremental_lower: median(lower_times),
    })
}

fn count_edict_files(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| {
            let p = e.path();
            if p.is_dir() {
                count_edict_files(&p)
            } else {
                usize::from(p.extension().is_some_and(|x| x == "edict"))
            }
        })
        .sum()
}

// ---------------------------------------------------------------------------------------------
// 4. Memory

struct Memory {
    subjects: u64,
    stored: usize,
    state_bytes: usize,
    obligations: usize,
    rss_before_kb: Option<u64>,
    rss_after_kb: Option<u64>,
}

fn rss_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn memory(program: &Program, subjects: u64) -> Result<Memory, String> {
    let mut engine = Engine::new(program.clone()).map_err(|e| e.to_string())?;
    let generator = Generator::new(Config {
        events: subjects + u64::from(PROCESSORS),
        seed: SEED,
        violation_rate: 0.0,
        processors: PROCESSORS,
        mix: Mix::enrollments_only(),
        ..Config::default()
    });
    let rss_before_kb = rss_kb();
    let mut line = String::new();
    let mut generator = generator;
    let mut n = 0;
    while {
        line.clear();
        generator.next_into(&mut line).is_some()
    } {
        n += 1;
        engine.process_line(n, &line, &mut |_| {});
    }
    let footprint = engine.footprint();
    let rss_after_kb = rss_kb();
    Ok(Memory {
        subjects,
        stored: footprint.stored_elements,
        state_bytes: footprint.state_bytes,
        obligations: footprint.open_obligations,
        rss_before_kb,
        rss_after_kb,
    })
}

// ---------------------------------------------------------------------------------------------
// The report

fn machine() -> String {
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_string())
        })
        .unwrap_or_else(|| "unknown".into());
    let rustc = std::process::Command::new("rustc")
        .arg("--version")
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_else(|| "unknown".into());
    let mem = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .next()
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<u64>().ok())
        })
        .map(|kb| format!(", {} GB RAM", kb / 1_048_576 + 1))
        .unwrap_or_default();
    format!("{cpus} CPUs ({model}){mem}; {rustc}; one thread")
}

fn mark(ok: bool) -> &'static str {
    if ok { "met" } else { "**missed**" }
}

fn run(options: &Options) -> Result<String, String> {
    let program = measures()?;
    let mut out = String::new();
    let command = if options.quick {
        "cargo run --release -p edict-bench -- --quick --write BENCHMARKS.md"
    } else {
        "cargo run --release -p edict-bench -- --write BENCHMARKS.md"
    };
    let _ = writeln!(out, "Machine: {}.  ", machine());
    let _ = writeln!(out, "Command: `{command}`.  ");
    let _ = writeln!(
        out,
        "Streams: `edict-gen --seed {SEED} --processors {PROCESSORS} --violation-rate 0.01` (the peer stream: rate 0.05), the full Measures bundle ({} rules).\n",
        program.rules.len()
    );

    // 1. Throughput
    eprintln!("1. runtime throughput");
    let mut rows = Vec::new();
    for &n in &options.sizes {
        eprintln!(" {n} events");
        rows.push(throughput(&program, n, &options.data_dir)?);
    }
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
    for r in &rows {
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
        let _ = r.violations;
    }
    let _ = writeln!(out);

    // 2. Peers
    eprintln!("2. peers on {} events", options.peer_events);
    let generator = Generator::new(Config {
        events: options.peer_events as u64,
        violation_rate: 0.05,
        ..stream_config(0)
    });
    let (lines, planted): (Vec<String>, Vec<Option<&str>>) =
        generator.map(|l| (l.text, l.violation)).unzip();
    let per_event = peers::per_event_program(&program)?;
    let edict = peers::run_edict(&per_event, &lines)?;
    eprintln!("  Edict done");
    std::fs::create_dir_all(&options.data_dir).map_err(|e| e.to_string())?;
    let peer_file = options.data_dir.join("peers.jsonl");
    std::fs::write(&peer_file, lines.join("\n") + "\n").map_err(|e| e.to_string())?;
    let mut others = peers::run_peers(&root(), &peer_file)?.into_iter();
    let (Some(rego), Some(cedar)) = (others.next(), others.next()) else {
        return Err("the peers gave no results".into());
    };
    let mut disagreements = Vec::new();
    let mut violating = 0;
    for (i, planted) in planted.iter().enumerate() {
        let expected: peers::Verdict = planted
            .map(|id| {
                edict_generator::PER_EVENT_RULES
                    .iter()
                    .position(|r| *r == id)
                    .map_or(0, |b| 1 << b)
            })
            .unwrap_or(0);
        let (e, r, c) = (edict.verdicts[i], rego.verdicts[i], cedar.verdicts[i]);
        violating += usize::from(e != 0);
        if e != r || e != c || e != expected {
            disagreements.push(format!(
                "line {}: Edict {}, regorus {}, Cedar {}, generator {}\n    {}",
                i + 1,
                peers::describe(e),
                peers::describe(r),
                peers::describe(c),
                peers::describe(expected),
                lines[i]
            ));
        }
    }
    if !disagreements.is_empty() {
        return Err(format!(
            "the engines disagree on {} of {} events:\n{}",
            disagreements.len(),
            lines.len(),
            disagreements
                .iter()
                .take(20)
                .cloned()
                .collect::<Vec<_>>()
                .join("\n")
        ));
    }
    let _ = writeln!(
        out,
        "### 2. Per-event rules beside regorus and Cedar ({} events, {violating} breaking a rule; verdicts identical on every event)\n",
        lines.len()
    );
    let _ = writeln!(
        out,
        "| engine | decisions/s (parsed input) | median | p99 | Edict is faster by (decisions/s) | decisions/s from the JSON line |"
    );
    let _ = writeln!(out, "|---|---:|---:|---:|---:|---:|");
    for run in [&edict, &rego, &cedar] {
        let speedup = if run.name == "Edict" {
            "—".to_string()
        } else {
            format!("{:.0}×", edict.batch_per_second / run.batch_per_second)
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            run.name,
            fmt_rate(run.batch_per_second),
            fmt_ns(run.median_ns),
            fmt_ns(run.p99_ns),
            speedup,
            fmt_rate(run.from_json_per_second),
        );
    }
    let _ = writeln!(out);

    // 3. Compiler
    eprintln!("3. compiler");
    let compiler = compiler_times(if options.quick { 5 } else { 21 })?;
    let _ = writeln!(out, "### 3. Compiler\n");
    let _ = writeln!(out, "| measurement | median | extreme |");
    let _ = writeln!(out, "|---|---:|---:|");
    let _ = writeln!(
        out,
        "| cold `check` of `policies/` ({} files, {} packages; fresh database, files read) | {} | min {} |",
        compiler.files,
        compiler.packages,
        fmt_ms(compiler.cold),
        fmt_ms(compiler.cold_min)
    );
    let _ = writeln!(
        out,
        "| incremental re-check after a one-line edit (salsa; `set_file` + diagnostics) | {} | max {} |",
        fmt_ms(compiler.incremental),
        fmt_ms(compiler.incremental_max)
    );
    let _ = writeln!(
        out,
        "| then lowering the edited program (`Workspace::program`) | {} | |",
        fmt_ms(compiler.incremental_lower)
    );
    let _ = writeln!(out);

    // 4. Memory
    eprintln!("4. memory at {} subjects", options.memory_subjects);
    let memory = memory(&program, options.memory_subjects)?;
    let per_subject = memory.state_bytes as f64 / memory.stored.max(1) as f64;
    let rss = match (memory.rss_before_kb, memory.rss_after_kb) {
        (Some(a), Some(b)) => format!(
            "{:.0} bytes",
            (b.saturating_sub(a) as f64 * 1024.0) / memory.subjects as f64
        ),
        _ => "n/a".into(),
    };
    let _ = writeln!(
        out,
        "### 4. Memory ({} enrollments, full Measures)\n",
        fmt_count(memory.subjects)
    );
    let _ = writeln!(out, "| measurement | value |");
    let _ = writeln!(out, "|---|---:|");
    let _ = writeln!(
        out,
        "| stored subjects (set elements) | {} |",
        memory.stored
    );
    let _ = writeln!(
        out,
        "| runtime state (`Footprint::state_bytes`) | {:.1} MB |",
        memory.state_bytes as f64 / 1e6
    );
    let _ = writeln!(
        out,
        "| **state bytes per stored subject** | **{per_subject:.1}** |"
    );
    let _ = writeln!(
        out,
        "| open obligations (art 8(2) retention, one per enrollment) | {} |",
        memory.obligations
    );
    let _ = writeln!(
        out,
        "| resident memory grown per enrollment (state + obligations + allocator) | {rss} |"
    );
    let _ = writeln!(out);

    // Targets
    let parse_ratio = worst_ratio;
    let cedar_x = edict.batch_per_second / cedar.batch_per_second;
    let rego_x = edict.batch_per_second / rego.batch_per_second;
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

fn profile(path: &Path) -> Result<(), String> {
    let engine = Engine::new(measures()?).map_err(|e| e.to_string())?;
    let file = File::open(path).map_err(|e| e.to_string())?;
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

fn write_report(path: &Path, body: &str) -> Result<(), String> {
    let block = format!("{BEGIN}\n{body}{END}\n");
    let text = match std::fs::read_to_string(path) {
        Ok(old) => match (old.find(BEGIN), old.find(END)) {
            (Some(a), Some(b)) if a < b => {
                let rest = &old[b + END.len()..];
                format!(
                    "{}{block}{}",
                    &old[..a],
                    rest.strip_prefix('\n').unwrap_or(rest)
                )
            }
            _ => format!("# Benchmarks\n\n{block}"),
        },
        Err(_) => format!("# Benchmarks\n\n{block}"),
    };
    std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

fn main() -> ExitCode {
    // `--profile FILE`: only the end-to-end run of the full Measures over FILE, for profilers.
    let args: Vec<String> = std::env::args().collect();
    if args.len() == 3 && args[1] == "--profile" {
        return match profile(Path::new(&args[2])) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::FAILURE
            }
        };
    }
    let options = match parse_options() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    match run(&options) {
        Ok(report) => {
            println!("{report}");
            if let Some(path) = &options.write
                && let Err(e) = write_report(path, &report)
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
