//! Section 4, memory: the runtime's state per stored subject after a stream of enrollments
//! through the full Measures, by the engine's own account and by the process's resident memory.

use std::fmt::Write as _;

use edict_generator::{Config, Generator, Mix};
use edict_runtime::engine::Engine;
use edict_runtime::ir::Program;

use crate::report::fmt_count;
use crate::setup::{PROCESSORS, SEED};

/// The runtime's state after a stream of enrollments.
pub struct Memory {
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

/// Runs `subjects` enrollments through the full Measures and measures the state they leave.
pub fn measure(program: &Program, subjects: u64) -> Result<Memory, String> {
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

impl Memory {
    /// State bytes per stored subject.
    pub fn per_subject(&self) -> f64 {
        self.state_bytes as f64 / self.stored.max(1) as f64
    }
}

/// Writes the memory table.
pub fn table(memory: &Memory, out: &mut String) {
    let per_subject = memory.per_subject();
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
}
