//! The benchmark's command line: its options, their defaults (full and `--quick`), and `--help`.

use std::path::PathBuf;

pub const HELP: &str = "\
Edict benchmarks: runtime throughput beside the cost of parsing JSON, per-decision speed beside
regorus and Cedar on the same checks, the compiler cold and incremental, and the runtime's memory
per stored subject.

Usage: cargo run --release -p edict-bench -- [OPTIONS]

Options:
  --quick                  small sizes (10k and 100k events, 10k peer events, 100k subjects)
  --sizes N,N,...          stream sizes for the throughput table [default: 1e5,1e6,1e7]
  --peer-events N          events in the stream the peers judge [default: 1e5]
  --memory-subjects N      enrollments for the memory table [default: 1e6]
  --write FILE             replace the part of FILE between <!-- bench:begin --> and
                           <!-- bench:end --> with the tables (the whole file without markers)
  --data-dir DIR           where the generated streams go [default: edict-bench in the
                           temporary folder]
  --profile FILE           only run the full Measures over the events in FILE (for profilers)
  --memory-only            only the memory table (section 4), at --memory-subjects
  -h, --help               print this help

Numbers may be written with underscores or in exponent form: 1_000_000, 1e6.
The tables go to standard output, progress to standard error.";

/// What to run.
pub struct Options {
    pub quick: bool,
    pub sizes: Vec<u64>,
    pub peer_events: usize,
    pub memory_subjects: u64,
    pub write: Option<PathBuf>,
    pub data_dir: PathBuf,
}

/// What the command line asks for.
pub enum Request {
    Help,
    /// `--profile FILE`: only the end-to-end run of the full Measures over FILE.
    Profile(PathBuf),
    /// `--memory-only`: only the memory table, at this many enrollments.
    Memory(u64),
    Run(Options),
}

/// Reads the command line (without the program's name).
pub fn parse(args: impl IntoIterator<Item = String>) -> Result<Request, String> {
    let mut args = args.into_iter();
    let mut quick = false;
    let mut memory_only = false;
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
            "-h" | "--help" => return Ok(Request::Help),
            "--profile" => {
                let file = args.next().ok_or("--profile needs a file")?;
                return Ok(Request::Profile(PathBuf::from(file)));
            }
            "--quick" => quick = true,
            "--memory-only" => memory_only = true,
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
            other => {
                return Err(format!(
                    "unknown argument `{other}` (see `cargo run --release -p edict-bench -- --help`)"
                ));
            }
        }
    }
    if memory_only {
        return Ok(Request::Memory(memory_subjects.unwrap_or(1_000_000)));
    }
    Ok(Request::Run(Options {
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
    }))
}
