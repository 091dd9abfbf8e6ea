//! Writing the report: numbers for people, the machine it ran on, and the tables' place in
//! `BENCHMARKS.md` between its markers.

use std::path::Path;
use std::time::Duration;

const BEGIN: &str = "<!-- bench:begin -->";
const END: &str = "<!-- bench:end -->";

/// Events (or decisions) per second.
pub fn rate(n: f64, d: Duration) -> f64 {
    n / d.as_secs_f64()
}

pub fn fmt_rate(r: f64) -> String {
    if r >= 1e6 {
        format!("{:.2} M/s", r / 1e6)
    } else if r >= 1e3 {
        format!("{:.1} k/s", r / 1e3)
    } else {
        format!("{r:.0} /s")
    }
}

pub fn fmt_ns(ns: f64) -> String {
    if ns >= 1e6 {
        format!("{:.2} ms", ns / 1e6)
    } else if ns >= 1e3 {
        format!("{:.2} µs", ns / 1e3)
    } else {
        format!("{ns:.0} ns")
    }
}

pub fn fmt_ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

/// `100k`, `1M`, or the number itself.
pub fn fmt_count(n: u64) -> String {
    match n {
        n if n >= 1_000_000 && n % 1_000_000 == 0 => format!("{}M", n / 1_000_000),
        n if n >= 1_000 && n % 1_000 == 0 => format!("{}k", n / 1_000),
        n => n.to_string(),
    }
}

/// Whether a target was met, as the targets table shows it.
pub fn mark(ok: bool) -> &'static str {
    if ok { "met" } else { "**missed**" }
}

/// The machine the run is on: CPUs, memory, compiler.
pub fn machine() -> String {
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

/// Puts `body` between the markers of the file at `path` (the notes around them are kept), or
/// makes the file of it when it has no markers.
pub fn write(path: &Path, body: &str) -> Result<(), String> {
    let old = std::fs::read_to_string(path).ok();
    std::fs::write(path, replace_between_markers(old.as_deref(), body))
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

fn replace_between_markers(old: Option<&str>, body: &str) -> String {
    let block = format!("{BEGIN}\n{body}{END}\n");
    match old.map(|old| (old, old.find(BEGIN), old.find(END))) {
        Some((old, Some(a), Some(b))) if a < b => {
            let rest = &old[b + END.len()..];
            format!(
                "{}{block}{}",
                &old[..a],
                rest.strip_prefix('\n').unwrap_or(rest)
            )
        }
        _ => format!("# Benchmarks\n\n{block}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_notes_around_the_markers_are_kept() {
        let old = format!("intro\n{BEGIN}\nold table\n{END}\nnotes\n");
        assert_eq!(
            replace_between_markers(Some(&old), "new table\n"),
            format!("intro\n{BEGIN}\nnew table\n{END}\nnotes\n")
        );
        assert_eq!(
            replace_between_markers(None, "t\n"),
            format!("# Benchmarks\n\n{BEGIN}\nt\n{END}\n")
        );
    }

    #[test]
    fn numbers_read_as_people_write_them() {
        assert_eq!(fmt_count(100_000), "100k");
        assert_eq!(fmt_count(10_000_000), "10M");
        assert_eq!(fmt_count(1_234), "1234");
        assert_eq!(fmt_rate(2_500_000.0), "2.50 M/s");
        assert_eq!(fmt_ns(130.0), "130 ns");
        assert_eq!(fmt_ms(Duration::from_micros(1_500)), "1.50 ms");
    }
}
