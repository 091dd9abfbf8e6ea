//! Section 2, Edict beside regorus (Rego) and Cedar on the per-event rules of the Measures: the
//! same events, the same checks, the same verdicts.
//!
//! The peers run in a child process, `bench/peers` (a workspace of its own), built on demand
//! with the cargo that runs this benchmark; they report their timings and verdicts as JSON.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use edict_generator::{Config, Generator, Rule};
use edict_runtime::engine::{Engine, EngineOptions};
use edict_runtime::event::Event;
use edict_runtime::finding::{Finding, FindingKind};
use edict_runtime::ir::Program;

use crate::report::{fmt_ns, fmt_rate};
use crate::setup::{root, stream_config};

/// A verdict: the per-event rules an event breaks, as a bit set over [`Rule::ALL`].
pub type Verdict = u16;

/// The ids of the per-event rules, in the order of [`Rule::ALL`]: a rule's bit is its position.
struct RuleIds(Vec<String>);

impl RuleIds {
    fn new() -> RuleIds {
        RuleIds(Rule::ALL.iter().map(Rule::to_string).collect())
    }

    fn bit(&self, id: &str) -> Result<Verdict, String> {
        self.0
            .iter()
            .position(|r| r == id)
            .map(|i| 1 << i)
            .ok_or_else(|| format!("unknown rule id `{id}`"))
    }

    fn describe(&self, v: Verdict) -> String {
        let names: Vec<&str> = self
            .0
            .iter()
            .enumerate()
            .filter(|(i, _)| v & (1 << i) != 0)
            .map(|(_, r)| r.as_str())
            .collect();
        format!("{{{}}}", names.join(", "))
    }
}

/// The verdict the generator built an event to have.
fn planted_verdict(rule: Option<Rule>) -> Verdict {
    rule.map_or(0, |r| 1 << (r as usize))
}

/// The three engines' runs over one stream, on which they agree.
pub struct PeerRuns {
    pub events: usize,
    /// Events that break a rule.
    pub violating: usize,
    pub edict: EngineRun,
    pub rego: EngineRun,
    pub cedar: EngineRun,
}

/// Runs Edict and the peers over a generated stream of `events` (5% breaking a rule), and
/// checks that they and the generator agree on every event.
pub fn measure(program: &Program, events: usize, data_dir: &Path) -> Result<PeerRuns, String> {
    let ids = RuleIds::new();
    let generator = Generator::new(Config {
        events: events as u64,
        violation_rate: 0.05,
        ..stream_config(0)
    });
    let (lines, planted): (Vec<String>, Vec<Option<Rule>>) =
        generator.map(|l| (l.text, l.violation)).unzip();
    let per_event = per_event_program(program, &ids)?;
    let edict = run_edict(&per_event, &ids, &lines)?;
    eprintln!("  Edict done");
    std::fs::create_dir_all(data_dir).map_err(|e| e.to_string())?;
    let peer_file = data_dir.join("peers.jsonl");
    std::fs::write(&peer_file, lines.join("\n") + "\n").map_err(|e| e.to_string())?;
    let mut others = run_peers(&root(), &peer_file, &ids)?.into_iter();
    let (Some(rego), Some(cedar)) = (others.next(), others.next()) else {
        return Err("the peers gave no results".into());
    };
    let mut disagreements = Vec::new();
    let mut violating = 0;
    for (i, planted) in planted.iter().enumerate() {
        let expected = planted_verdict(*planted);
        let (e, r, c) = (edict.verdicts[i], rego.verdicts[i], cedar.verdicts[i]);
        violating += usize::from(e != 0);
        if e != r || e != c || e != expected {
            disagreements.push(format!(
                "line {}: Edict {}, regorus {}, Cedar {}, generator {}\n    {}",
                i + 1,
                ids.describe(e),
                ids.describe(r),
                ids.describe(c),
                ids.describe(expected),
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
    Ok(PeerRuns {
        events: lines.len(),
        violating,
        edict,
        rego,
        cedar,
    })
}

/// Writes the table of the three engines.
pub fn table(runs: &PeerRuns, out: &mut String) {
    let _ = writeln!(
        out,
        "### 2. Per-event rules beside regorus and Cedar ({} events, {} breaking a rule; verdicts identical on every event)\n",
        runs.events, runs.violating
    );
    let _ = writeln!(
        out,
        "| engine | decisions/s (parsed input) | median | p99 | Edict is faster by (decisions/s) | decisions/s from the JSON line |"
    );
    let _ = writeln!(out, "|---|---:|---:|---:|---:|---:|");
    for run in [&runs.edict, &runs.rego, &runs.cedar] {
        let speedup = if run.name == "Edict" {
            "—".to_string()
        } else {
            format!("{:.0}×", runs.edict.batch_per_second / run.batch_per_second)
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
}

/// Timings of one engine over the peer stream.
#[derive(Clone, Debug)]
pub struct EngineRun {
    pub name: &'static str,
    /// Decisions per second, timed over the whole sequence in one go.
    pub batch_per_second: f64,
    /// Per-decision latencies in nanoseconds, each decision timed on its own.
    pub median_ns: f64,
    pub p99_ns: f64,
    /// Decisions per second from the JSON line (parse + decide), timed in one go.
    pub from_json_per_second: f64,
    pub verdicts: Vec<Verdict>,
}

fn percentile(sorted: &[u64], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let at = ((sorted.len() - 1) as f64 * q).round() as usize;
    sorted[at] as f64
}

fn latencies(mut ns: Vec<u64>) -> (f64, f64) {
    ns.sort_unstable();
    (percentile(&ns, 0.5), percentile(&ns, 0.99))
}

/// The Measures restricted to their per-event rules (states dropped: no per-event rule reads
/// them), so that Edict does the same checks as the peers and nothing more.
fn per_event_program(full: &Program, rules: &RuleIds) -> Result<Program, String> {
    let mut program = full.clone();
    program
        .rules
        .retain(|r| rules.0.contains(&r.id.to_string()));
    if program.rules.len() != rules.0.len() {
        let ids: Vec<String> = program.rules.iter().map(|r| r.id.to_string()).collect();
        return Err(format!(
            "expected the {} per-event rules in the compiled Measures, found {ids:?}",
            rules.0.len()
        ));
    }
    program.states.clear();
    Ok(program)
}

fn edict_verdict(ids: &RuleIds, verdict: &mut Verdict, finding: &Finding) {
    if finding.finding == FindingKind::Violation
        && let Some(rule) = finding.rule.as_deref()
        && let Ok(bit) = ids.bit(rule)
    {
        *verdict |= bit;
    }
}

fn run_edict(program: &Program, ids: &RuleIds, lines: &[String]) -> Result<EngineRun, String> {
    // Without lateness each event is judged as it arrives, so its verdict can be timed alone.
    let options = EngineOptions {
        allowed_lateness_seconds: 0,
    };
    let fresh = || Engine::with_options(program.clone(), options).map_err(|e| e.to_string());
    let mut engine = fresh()?;
    let events: Vec<Event> = lines
        .iter()
        .map(|l| engine.decoder().decode(l).map_err(|e| e.to_string()))
        .collect::<Result<_, _>>()?;

    // Each decision timed on its own (the clock's own cost, about 20 ns, is included).
    let mut verdicts = Vec::with_capacity(events.len());
    let mut ns = Vec::with_capacity(events.len());
    for (i, event) in events.iter().enumerate() {
        let mut verdict = 0;
        let began = Instant::now();
        engine.process_event(i as u64 + 1, event, &mut |f| {
            edict_verdict(ids, &mut verdict, &f)
        });
        ns.push(began.elapsed().as_nanos() as u64);
        verdicts.push(verdict);
    }
    let (median_ns, p99_ns) = latencies(ns);

    // The whole sequence in one go.
    let mut engine = fresh()?;
    let mut sink = 0u64;
    let began = Instant::now();
    for (i, event) in events.iter().enumerate() {
        engine.process_event(i as u64 + 1, event, &mut |f| {
            sink += u64::from(f.finding == FindingKind::Violation);
        });
    }
    let batch = began.elapsed().as_secs_f64();

    let mut engine = fresh()?;
    let began = Instant::now();
    for (i, line) in lines.iter().enumerate() {
        engine.process_line(i as u64 + 1, line, &mut |f| {
            sink += u64::from(f.finding == FindingKind::Violation);
        });
    }
    let from_json = began.elapsed().as_secs_f64();
    std::hint::black_box(sink);

    let n = events.len() as f64;
    Ok(EngineRun {
        name: "Edict",
        batch_per_second: n / batch,
        median_ns,
        p99_ns,
        from_json_per_second: n / from_json,
        verdicts,
    })
}

/// Builds the peer crate and runs it over the stream in `events`.
fn run_peers(root: &Path, events: &Path, rules: &RuleIds) -> Result<Vec<EngineRun>, String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"))
        .join("peers");
    let manifest = root.join("bench/peers/Cargo.toml");
    eprintln!(
        "  building the peers (regorus, Cedar): {}",
        manifest.display()
    );
    let status = Command::new(&cargo)
        .args(["build", "--release", "--quiet", "--manifest-path"])
        .arg(&manifest)
        .arg("--target-dir")
        .arg(&target)
        .env_remove("CARGO_TARGET_DIR")
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !status.success() {
        return Err("the peer engines did not build".into());
    }
    let output = Command::new(target.join("release/edict-bench-peers"))
        .arg(events)
        .stderr(std::process::Stdio::inherit())
        .output()
        .map_err(|e| format!("cannot run the peers: {e}"))?;
    if !output.status.success() {
        return Err("the peer engines failed".into());
    }
    let report: serde_json::Value =
        serde_json::from_slice(&output.stdout).map_err(|e| format!("bad peer report: {e}"))?;
    let events = report["events"].as_u64().unwrap_or(0) as usize;
    let mut runs = Vec::new();
    for engine in report["engines"].as_array().into_iter().flatten() {
        let number = |key: &str| engine[key].as_f64().unwrap_or(f64::NAN);
        let mut verdicts = vec![0; events];
        for (line, ids) in engine["violations"].as_object().into_iter().flatten() {
            let line: usize = line.parse().map_err(|_| "bad line in the peer report")?;
            let slot = verdicts
                .get_mut(line.wrapping_sub(1))
                .ok_or("line out of range in the peer report")?;
            for id in ids.as_array().into_iter().flatten() {
                *slot |= rules.bit(id.as_str().unwrap_or_default())?;
            }
        }
        let name = match engine["name"].as_str() {
            Some("Cedar") => "Cedar",
            _ => "regorus (Rego)",
        };
        runs.push(EngineRun {
            name,
            batch_per_second: number("batch_per_second"),
            median_ns: number("median_ns"),
            p99_ns: number("p99_ns"),
            from_json_per_second: number("from_json_per_second"),
            verdicts,
        });
    }
    if runs.len() != 2 {
        return Err("the peer report does not have two engines".into());
    }
    Ok(runs)
}
