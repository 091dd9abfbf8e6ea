//! What every measurement shares: the repository's root, the compiled Measures, the generator's
//! configuration, and reading a JSON Lines file line by line.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::time::Duration;

use edict_compiler::Workspace;
use edict_generator::Config;
use edict_runtime::ir::Program;

/// The generator's seed for every stream.
pub const SEED: u64 = 1;
/// Processors in every stream.
pub const PROCESSORS: u32 = 8;

/// The repository's root: the bench crate's parent folder.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// The full 2025 Measures, compiled; an error if they have any.
pub fn measures() -> Result<Program, String> {
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

/// The generator's configuration for a stream of `events` with 1% violations.
pub fn stream_config(events: u64) -> Config {
    Config {
        events,
        seed: SEED,
        violation_rate: 0.01,
        processors: PROCESSORS,
        ..Config::default()
    }
}

pub fn median(mut xs: Vec<Duration>) -> Duration {
    xs.sort();
    xs[xs.len() / 2]
}

/// Reads a JSON Lines file the way `run_stream` does, handing each line to `f`.
pub fn for_each_line(path: &Path, mut f: impl FnMut(&[u8])) -> Result<(), String> {
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
