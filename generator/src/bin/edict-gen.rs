//! `edict-gen --events N --seed S --violation-rate R --processors K [--output FILE]`
//!
//! Writes a synthetic event stream as JSON Lines (to standard output without `--output`) and a
//! summary of what it holds to standard error.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

use edict_generator::{Config, write_stream};

const USAGE: &str = "usage: edict-gen [--events N] [--seed S] [--violation-rate R] [--processors K] [--mean-gap-ms MS] [--output FILE]";

fn parse<T: std::str::FromStr>(flag: &str, value: Option<String>) -> Result<T, String> {
    let value = value.ok_or_else(|| format!("{flag} needs a value"))?;
    value
        .replace('_', "")
        .parse()
        .map_err(|_| format!("{flag}: `{value}` is not a valid value"))
}

fn run() -> Result<(), String> {
    let mut config = Config::default();
    let mut output: Option<String> = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--events" => config.events = parse(&arg, args.next())?,
            "--seed" => config.seed = parse(&arg, args.next())?,
            "--violation-rate" => {
                config.violation_rate = parse(&arg, args.next())?;
                if !(0.0..=1.0).contains(&config.violation_rate) {
                    return Err("--violation-rate must be between 0 and 1".into());
                }
            }
            "--processors" => {
                config.processors = parse(&arg, args.next())?;
                if config.processors == 0 {
                    return Err("--processors must be at least 1".into());
                }
            }
            "--mean-gap-ms" => config.mean_gap_ms = parse(&arg, args.next())?,
            "--output" | "-o" => output = Some(args.next().ok_or("--output needs a file")?),
            "--help" | "-h" => {
                let mut out = io::stdout().lock();
                return match writeln!(out, "{USAGE}").and_then(|()| out.flush()) {
                    Err(e) if e.kind() != io::ErrorKind::BrokenPipe => {
                        Err(format!("cannot write the help: {e}"))
                    }
                    _ => Ok(()),
                };
            }
            other => return Err(format!("unknown argument `{other}`\n{USAGE}")),
        }
    }
    let written = match &output {
        Some(path) => {
            let file = File::create(path).map_err(|e| format!("cannot create {path}: {e}"))?;
            write_stream(config, BufWriter::with_capacity(1 << 20, file))
        }
        None => write_stream(config, io::stdout().lock()),
    };
    let stats = match written {
        Ok(stats) => stats,
        // The reader (`edict-gen | head`, say) wants no more: a quiet end, without a summary of
        // what was not written.
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe && output.is_none() => return Ok(()),
        Err(e) => return Err(format!("cannot write the stream: {e}")),
    };
    let mix: Vec<String> = stats
        .by_type
        .iter()
        .map(|(t, n)| format!("{t} {n}"))
        .collect();
    eprintln!(
        "{} events, {} bytes; {} built to break a per-event rule, {} exempt; {}",
        stats.events,
        stats.bytes,
        stats.violations,
        stats.exempt,
        mix.join(", ")
    );
    Ok(())
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}
