//! Seeded generator of synthetic event streams in the standard vocabulary
//! (`policies/vocabulary/face.edict`), for tests and benchmarks.
//!
//! A stream is a pure function of its [`Config`]: the same configuration gives the same bytes on
//! every machine (the random numbers come from a hand-written xoshiro256** seeded by splitmix64,
//! and times are formatted by hand).
//!
//! # The stream
//!
//! - It opens with one `assessment` per processor, covering every purpose that processor uses,
//!   so that art 9(1) holds for all in-scope processing.
//! - Then events are drawn from the [`Mix`]: matches dominate, then enrollments, deletions,
//!   refusals, transfers, consent withdrawals, device installs, security incidents and changes
//!   of filed information. Some events are followed by events the generator schedules:
//!   a consent withdrawal by the subject's deletion a minute later, a major security incident by
//!   a new assessment five seconds later (so that art 9(3) findings stay few), a change of filed
//!   information by a change filing a day later, and a processor whose stored subjects reach
//!   [`FILING_THRESHOLD`] by its initial filing two hours later.
//! - Times never go backwards: they start at [`Config::start`] and advance by a random gap of
//!   0 to `2 × mean_gap_ms` milliseconds, written at +08:00 to the second.
//! - Deletions and withdrawals name subjects the processor enrolled and has not deleted.
//! - About 1% of enrollments, matches and device installs have an out-of-scope purpose
//!   (`frt_research_development`, `algorithm_training`), which art 2(2) of the Measures exempts.
//!
//! # Violations
//!
//! The event types that a per-event rule of the Measures judges (enrollment, match, refusal,
//! transfer, device_installed) are *eligible*. Each eligible event is built to break exactly one
//! per-event rule with a probability chosen so that, over the stream, a fraction
//! [`Config::violation_rate`] of all events breaks one (capped at every eligible event);
//! otherwise it breaks none. [`Line::violation`] names the rule an event breaks ([`Rule::id`]
//! is its id in the compiled Measures); an exempt event is never reported as breaking a rule,
//! although its fields may (that is what exemption is for).
//!
//! # Modules
//!
//! [`measures`] is all the generator knows of the Measures (rule ids, purposes, the filing
//! threshold, what breaking each rule looks like); the generator itself writes the events, from
//! its own random source and with its own time formatting, so that no dependency can change a
//! stream's bytes.

mod generator;
pub mod measures;
mod rng;
mod time;

use std::io;

pub use generator::Generator;
pub use measures::{FILING_THRESHOLD, Rule};

/// 2025-06-02T08:00:00+08:00, the first working day after the Measures took effect.
pub const DEFAULT_START: i64 = 1_748_822_400;

/// Relative weights of the event types drawn after the opening assessments.
///
/// Scheduled events (deletions after withdrawals, re-assessments, filings) come on top.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mix {
    pub matches: u32,
    pub enrollments: u32,
    pub deletions: u32,
    pub refusals: u32,
    pub transfers: u32,
    pub consent_withdrawals: u32,
    pub device_installs: u32,
    pub security_incidents: u32,
    pub filing_changes: u32,
}

impl Default for Mix {
    /// Per ten thousand events: 70.8% matches, 15% enrollments, 5% deletions, 3% refusals,
    /// 3% transfers, 1.5% consent withdrawals, 1% device installs, 0.5% security incidents
    /// (one in twenty major), 0.2% changes of filed information.
    fn default() -> Self {
        Mix {
            matches: 7_080,
            enrollments: 1_500,
            deletions: 500,
            refusals: 300,
            transfers: 300,
            consent_withdrawals: 150,
            device_installs: 100,
            security_incidents: 50,
            filing_changes: 20,
        }
    }
}

impl Mix {
    /// Only enrollments: a stream that grows the stored subjects by one per event.
    pub fn enrollments_only() -> Mix {
        Mix {
            matches: 0,
            enrollments: 1,
            deletions: 0,
            refusals: 0,
            transfers: 0,
            consent_withdrawals: 0,
            device_installs: 0,
            security_incidents: 0,
            filing_changes: 0,
        }
    }

    pub(crate) fn weights(&self) -> [u32; 9] {
        [
            self.matches,
            self.enrollments,
            self.deletions,
            self.refusals,
            self.transfers,
            self.consent_withdrawals,
            self.device_installs,
            self.security_incidents,
            self.filing_changes,
        ]
    }

    pub(crate) fn eligible(&self) -> u64 {
        u64::from(self.matches)
            + u64::from(self.enrollments)
            + u64::from(self.refusals)
            + u64::from(self.transfers)
            + u64::from(self.device_installs)
    }

    pub(crate) fn total(&self) -> u64 {
        self.weights().iter().map(|&w| u64::from(w)).sum()
    }
}

/// What to generate.
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    /// Lines in the stream, the opening assessments and scheduled events included.
    pub events: u64,
    pub seed: u64,
    /// The fraction of all events built to break a per-event rule, from 0 to 1.
    pub violation_rate: f64,
    /// Number of processors (at least one).
    pub processors: u32,
    /// Unix seconds of the first event.
    pub start: i64,
    /// Mean gap between consecutive events, in milliseconds.
    pub mean_gap_ms: u32,
    pub mix: Mix,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            events: 100_000,
            seed: 1,
            violation_rate: 0.01,
            processors: 8,
            start: DEFAULT_START,
            mean_gap_ms: 50,
            mix: Mix::default(),
        }
    }
}

/// One generated line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    /// The JSON object, without the newline.
    pub text: String,
    /// The per-event rule this event was built to break, if any (never for an exempt event).
    pub violation: Option<Rule>,
    /// Whether art 2(2) exempts the event (an out-of-scope purpose).
    pub exempt: bool,
}

/// Counts of what a stream holds.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    pub events: u64,
    pub bytes: u64,
    /// Events built to break a per-event rule (exempt events excluded).
    pub violations: u64,
    pub exempt: u64,
    /// Events per type, by name, in the order types first appeared.
    pub by_type: Vec<(&'static str, u64)>,
}

impl Stats {
    fn count(&mut self, ty: &'static str) {
        match self.by_type.iter_mut().find(|(t, _)| *t == ty) {
            Some((_, n)) => *n += 1,
            None => self.by_type.push((ty, 1)),
        }
    }
}

/// The type of a line the generator wrote, read from its first key.
fn event_type(line: &str) -> &'static str {
    const TYPES: [&str; 11] = [
        "assessment",
        "enrollment",
        "match",
        "deletion",
        "consent_withdrawn",
        "refusal",
        "device_installed",
        "security_incident",
        "transfer",
        "filing_info_changed",
        "filing",
    ];
    let rest = line.strip_prefix("{\"type\":\"").unwrap_or(line);
    TYPES
        .iter()
        .copied()
        .find(|t| rest.starts_with(t) && rest.as_bytes().get(t.len()) == Some(&b'"'))
        .unwrap_or("other")
}

/// Writes the whole stream as JSON Lines to `writer` and counts what it holds.
pub fn write_stream(config: Config, mut writer: impl io::Write) -> io::Result<Stats> {
    let mut generator = Generator::new(config);
    let mut stats = Stats::default();
    let mut buffer = String::with_capacity(1 << 16);
    loop {
        let start = buffer.len();
        let Some((violation, exempt)) = generator.next_into(&mut buffer) else {
            break;
        };
        stats.events += 1;
        stats.violations += u64::from(violation.is_some());
        stats.exempt += u64::from(exempt);
        stats.count(event_type(&buffer[start..]));
        buffer.push('\n');
        if buffer.len() >= (1 << 16) - 512 {
            stats.bytes += buffer.len() as u64;
            writer.write_all(buffer.as_bytes())?;
            buffer.clear();
        }
    }
    stats.bytes += buffer.len() as u64;
    writer.write_all(buffer.as_bytes())?;
    writer.flush()?;
    Ok(stats)
}

/// The whole stream as one string of JSON Lines.
pub fn generate(config: Config) -> String {
    let mut out = Vec::new();
    // Writing to a vector cannot fail.
    let _ = write_stream(config, &mut out);
    String::from_utf8(out).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_bytes() {
        let config = Config {
            events: 20_000,
            seed: 42,
            ..Config::default()
        };
        let a = generate(config.clone());
        let b = generate(config.clone());
        assert_eq!(a, b);
        let c = generate(Config { seed: 43, ..config });
        assert_ne!(a, c);
    }

    #[test]
    fn the_stream_has_the_requested_length_and_opens_with_assessments() {
        let config = Config {
            events: 5_000,
            processors: 5,
            ..Config::default()
        };
        let text = generate(config);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 5_000);
        for line in &lines[..5] {
            assert_eq!(event_type(line), "assessment");
        }
        assert!(
            lines.iter().all(|l| event_type(l) != "other"),
            "every line has a known type"
        );
    }

    #[test]
    fn times_never_go_backwards() {
        let text = generate(Config {
            events: 50_000,
            ..Config::default()
        });
        let times: Vec<&str> = text
            .lines()
            .map(|l| {
                let at = l.find("\"time\":\"").map(|i| i + 8).unwrap_or(0);
                &l[at..at + 25]
            })
            .collect();
        assert!(times.windows(2).all(|w| w[0] <= w[1]));
    }

    #[test]
    fn matches_dominate_and_the_violation_rate_is_close_to_the_request() {
        for rate in [0.0, 0.01, 0.2] {
            let stats = write_stream(
                Config {
                    events: 100_000,
                    violation_rate: rate,
                    ..Config::default()
                },
                io::sink(),
            )
            .expect("a sink never fails");
            let share = stats.violations as f64 / stats.events as f64;
            assert!(
                (share - rate).abs() < 0.002 + rate * 0.05,
                "rate {rate}: got {share}"
            );
            let most = stats
                .by_type
                .iter()
                .max_by_key(|(_, n)| *n)
                .map(|(t, _)| *t);
            assert_eq!(most, Some("match"));
        }
    }
}
