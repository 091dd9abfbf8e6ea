//! Seeded generator of synthetic event streams in the standard vocabulary
//! (`shared/spec/events.md`), for tests and benchmarks.
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
//!   a new assessment five seconds later (so that art 9(3) findings stay few), a change of filed information by a change filing a day
//!   later, and a processor whose stored subjects reach 100,000 by its initial filing two hours
//!   later.
//! - Times never go backwards: they start at [`Config::start`] and advance by a random gap of
//!   0 to `2 × mean_gap_ms` milliseconds, written at +08:00 to the second.
//! - Deletions and withdrawals name subjects the processor enrolled and has not deleted.
//! - About 1% of enrollments, matches and device installs have an out-of-scope purpose
//!   (`research`, `algorithm_training`), which art 2(2) of the Measures exempts.
//!
//! # Violations
//!
//! The event types that a per-event rule of the Measures judges (enrollment, match, refusal,
//! transfer, device_installed) are *eligible*. Each eligible event is built to break exactly one
//! per-event rule with a probability chosen so that, over the stream, a fraction
//! [`Config::violation_rate`] of all events breaks one (capped at every eligible event);
//! otherwise it breaks none. [`Line::violation`] names the rule an event breaks, as the rule id
//! in the compiled Measures; an exempt event is never reported as breaking a rule, although its
//! fields may (that is what exemption is for).

use std::collections::VecDeque;
use std::fmt::Write as _;
use std::io;

/// 2025-06-02T08:00:00+08:00, the first working day after the Measures took effect.
pub const DEFAULT_START: i64 = 1_748_822_400;

/// Stored subjects at which a processor must file (art 15(1) of the Measures).
pub const FILING_THRESHOLD: usize = 100_000;

/// The per-event rules of the Measures, by id, in the order of the regulation.
pub const PER_EVENT_RULES: [&str; 12] = [
    NOTICE,
    CONSENT_RECORDED,
    SEPARATE_CONSENT,
    INFORMED_CONSENT,
    GUARDIAN_CONSENT,
    ON_DEVICE_STORAGE,
    NO_INTERNET_TRANSFER,
    NO_SOLE_FACE_VERIFICATION,
    ALTERNATIVE_ON_REFUSAL,
    PUBLIC_SECURITY_ONLY,
    CONSPICUOUS_SIGNAGE,
    NO_DEVICES_IN_PRIVATE_SPACES,
];

pub const NOTICE: &str = "measures-2025/art5/p1/notice-before-collection";
pub const CONSENT_RECORDED: &str = "measures-2025/art6/consent-recorded";
pub const SEPARATE_CONSENT: &str = "measures-2025/art6/separate-consent";
pub const INFORMED_CONSENT: &str = "measures-2025/art6/informed-consent";
pub const GUARDIAN_CONSENT: &str = "measures-2025/art7/guardian-consent";
pub const ON_DEVICE_STORAGE: &str = "measures-2025/art8/p1/on-device-storage";
pub const NO_INTERNET_TRANSFER: &str = "measures-2025/art8/p1/no-internet-transfer";
pub const NO_SOLE_FACE_VERIFICATION: &str = "measures-2025/art10/p1/no-sole-face-verification";
pub const ALTERNATIVE_ON_REFUSAL: &str = "measures-2025/art10/p2/alternative-on-refusal";
pub const PUBLIC_SECURITY_ONLY: &str = "measures-2025/art13/p1/public-security-only";
pub const CONSPICUOUS_SIGNAGE: &str = "measures-2025/art13/p1/conspicuous-signage";
pub const NO_DEVICES_IN_PRIVATE_SPACES: &str =
    "measures-2025/art13/p2/no-devices-in-private-spaces";

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

    fn weights(&self) -> [u32; 9] {
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

    fn eligible(&self) -> u64 {
        u64::from(self.matches)
            + u64::from(self.enrollments)
            + u64::from(self.refusals)
            + u64::from(self.transfers)
            + u64::from(self.device_installs)
    }

    fn total(&self) -> u64 {
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
    pub violation: Option<&'static str>,
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

/// xoshiro256** (Blackman and Vigna), seeded through splitmix64.
#[derive(Clone, Debug)]
struct Rng([u64; 4]);

impl Rng {
    fn new(seed: u64) -> Rng {
        let mut x = seed;
        let mut next = || {
            x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = x;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        };
        Rng([next(), next(), next(), next()])
    }

    fn next_u64(&mut self) -> u64 {
        let s = &mut self.0;
        let result = s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        result
    }

    /// Uniform in `0..n` (`n > 0`), by multiply-shift.
    fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    fn index(&mut self, n: usize) -> usize {
        self.below(n as u64) as usize
    }

    /// True with probability `p`.
    fn chance(&mut self, p: f64) -> bool {
        ((self.next_u64() >> 11) as f64) * (1.0 / (1u64 << 53) as f64) < p
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.index(items.len())]
    }
}

const ALL_PURPOSES: [&str; 6] = [
    "access_control",
    "attendance",
    "payment",
    "public_security",
    "membership",
    "customer_service",
];
const OUT_OF_SCOPE: [&str; 2] = ["research", "algorithm_training"];
const EXEMPT_SHARE: f64 = 0.01;
const DEVICES_PER_PROCESSOR: u64 = 64;

struct Processor {
    name: String,
    purposes: Vec<&'static str>,
    /// Subjects enrolled in scope and not deleted (numbers of `s-N`).
    alive: Vec<u64>,
    filed: bool,
    assessments: u64,
}

/// An event the generator has promised to emit at a later time.
#[derive(Clone, Copy, Debug)]
struct Scheduled {
    at_ms: i64,
    processor: usize,
    kind: ScheduledKind,
}

#[derive(Clone, Copy, Debug)]
enum ScheduledKind {
    Deletion { subject: u64 },
    Assessment,
    InitialFiling,
    ChangeFiling,
}

/// A stream being generated; an [`Iterator`] of [`Line`]s.
pub struct Generator {
    config: Config,
    rng: Rng,
    processors: Vec<Processor>,
    emitted: u64,
    now_ms: i64,
    next_subject: u64,
    /// Scheduled events, in time order (they are pushed with growing times per kind; the queue
    /// is kept sorted on insertion).
    scheduled: VecDeque<Scheduled>,
    plant: f64,
    cumulative: [u64; 9],
    total_weight: u64,
}

impl Generator {
    pub fn new(config: Config) -> Generator {
        let mut rng = Rng::new(config.seed);
        let count = config.processors.max(1) as usize;
        let processors = (0..count)
            .map(|i| {
                // Two to four purposes per processor, always in the catalogue's order.
                let mut purposes: Vec<&'static str> = Vec::new();
                let wanted = 2 + rng.index(3);
                while purposes.len() < wanted {
                    let p = rng.pick(&ALL_PURPOSES);
                    if !purposes.contains(&p) {
                        purposes.push(p);
                    }
                }
                purposes.sort_by_key(|p| ALL_PURPOSES.iter().position(|q| q == p));
                Processor {
                    name: format!("processor-{i:03}"),
                    purposes,
                    alive: Vec::new(),
                    filed: false,
                    assessments: 0,
                }
            })
            .collect();
        let mix = config.mix;
        let total_weight = mix.total().max(1);
        let eligible_share = mix.eligible() as f64 / total_weight as f64;
        // Exempt events never count as violations, so plant a little more often to make up.
        let plant = if eligible_share > 0.0 {
            (config.violation_rate.clamp(0.0, 1.0) / (eligible_share * (1.0 - EXEMPT_SHARE / 2.0)))
                .min(1.0)
        } else {
            0.0
        };
        let mut cumulative = [0u64; 9];
        let mut sum = 0;
        for (slot, w) in cumulative.iter_mut().zip(mix.weights()) {
            sum += u64::from(w);
            *slot = sum;
        }
        let now_ms = config.start.saturating_mul(1000);
        Generator {
            config,
            rng,
            processors,
            emitted: 0,
            now_ms,
            next_subject: 0,
            scheduled: VecDeque::new(),
            plant,
            cumulative,
            total_weight,
        }
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Appends the next line (without a newline) to `out`; `None` when the stream is complete.
    /// Returns the rule the event was built to break, and whether it is exempt.
    pub fn next_into(&mut self, out: &mut String) -> Option<(Option<&'static str>, bool)> {
        if self.emitted >= self.config.events {
            return None;
        }
        self.emitted += 1;
        let k = self.processors.len();
        if self.emitted <= k as u64 {
            let p = (self.emitted - 1) as usize;
            self.write_assessment(out, p);
            self.now_ms += 1000;
            return Some((None, false));
        }
        self.advance();
        if let Some(s) = self.scheduled.front().copied()
            && s.at_ms <= self.now_ms
        {
            self.scheduled.pop_front();
            self.write_scheduled(out, s);
            return Some((None, false));
        }
        Some(self.write_drawn(out))
    }

    fn advance(&mut self) {
        let gap = self.rng.below(2 * u64::from(self.config.mean_gap_ms) + 1) as i64;
        self.now_ms += gap;
    }

    fn schedule(&mut self, delay_ms: i64, processor: usize, kind: ScheduledKind) {
        let item = Scheduled {
            at_ms: self.now_ms + delay_ms,
            processor,
            kind,
        };
        let at = self.scheduled.partition_point(|s| s.at_ms <= item.at_ms);
        self.scheduled.insert(at, item);
    }

    fn head(&self, out: &mut String, ty: &str, p: usize) {
        out.push_str("{\"type\":\"");
        out.push_str(ty);
        out.push_str("\",\"time\":\"");
        write_time(out, self.now_ms.div_euclid(1000));
        out.push_str("\",\"processor\":\"");
        out.push_str(&self.processors[p].name);
        out.push('"');
    }

    fn write_assessment(&mut self, out: &mut String, p: usize) {
        self.head(out, "assessment", p);
        let proc_ = &mut self.processors[p];
        proc_.assessments += 1;
        let _ = write!(
            out,
            ",\"assessment\":\"pia-{p:03}-{}\",\"purposes\":[",
            proc_.assessments
        );
        for (i, purpose) in proc_.purposes.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push('"');
            out.push_str(purpose);
            out.push('"');
        }
        out.push_str("]}");
    }

    fn write_scheduled(&mut self, out: &mut String, s: Scheduled) {
        let p = s.processor;
        match s.kind {
            ScheduledKind::Deletion { subject } => {
                self.head(out, "deletion", p);
                let _ = write!(
                    out,
                    ",\"subject\":\"s-{subject}\",\"reason\":\"consent_withdrawn\",\"method\":\"erase\"}}"
                );
            }
            ScheduledKind::Assessment => self.write_assessment(out, p),
            ScheduledKind::InitialFiling => {
                self.head(out, "filing", p);
                out.push_str(",\"kind\":\"initial\",\"authority_level\":\"provincial\"}");
            }
            ScheduledKind::ChangeFiling => {
                self.head(out, "filing", p);
                out.push_str(",\"kind\":\"change\"}");
            }
        }
    }

    fn write_drawn(&mut self, out: &mut String) -> (Option<&'static str>, bool) {
        let draw = self.rng.below(self.total_weight);
        let kind = self.cumulative.iter().position(|&c| draw < c).unwrap_or(0);
        let p = self.rng.index(self.processors.len());
        let violate = self.rng.chance(self.plant);
        match kind {
            0 => self.write_match(out, p, violate),
            1 => self.write_enrollment(out, p, violate),
            2 => self.write_deletion(out, p),
            3 => self.write_refusal(out, p, violate),
            4 => self.write_transfer(out, p, violate),
            5 => self.write_withdrawal(out, p),
            6 => self.write_device(out, p, violate),
            7 => self.write_incident(out, p),
            _ => self.write_filing_change(out, p),
        }
    }

    /// A purpose for in-scope processing, or an out-of-scope one for about 1% of events.
    fn purpose(&mut self, p: usize) -> (&'static str, bool) {
        if self.rng.chance(EXEMPT_SHARE) {
            (self.rng.pick(&OUT_OF_SCOPE), true)
        } else {
            let purposes = &self.processors[p].purposes;
            (purposes[self.rng.index(purposes.len())], false)
        }
    }

    fn device(&mut self, out: &mut String, p: usize) {
        let d = self.rng.below(DEVICES_PER_PROCESSOR);
        let _ = write!(out, ",\"device\":\"p{p:03}-dev-{d}\"");
    }

    fn outcome(
        violation: &'static str,
        violate: bool,
        exempt: bool,
    ) -> (Option<&'static str>, bool) {
        (violate.then_some(violation).filter(|_| !exempt), exempt)
    }

    fn write_match(
        &mut self,
        out: &mut String,
        p: usize,
        violate: bool,
    ) -> (Option<&'static str>, bool) {
        self.head(out, "match", p);
        let (purpose, exempt) = self.purpose(p);
        let verification = violate || self.rng.chance(0.6);
        if verification {
            let alive = &self.processors[p].alive;
            if !alive.is_empty() {
                let s = alive[self.rng.index(alive.len())];
                let _ = write!(out, ",\"subject\":\"s-{s}\"");
            }
        }
        self.device(out, p);
        let _ = write!(
            out,
            ",\"mode\":\"{}\",\"purpose\":\"{purpose}\"",
            if verification {
                "verification"
            } else {
                "identification"
            }
        );
        let (available, offered) = if violate {
            (true, false)
        } else if self.rng.chance(0.8) {
            (true, true)
        } else {
            (false, false)
        };
        let _ = write!(
            out,
            ",\"alternative_available\":{available},\"alternative_offered\":{offered}"
        );
        if !verification && self.rng.chance(0.05) {
            out.push_str(",\"attributes_inferred\":[\"age_band\"]");
        }
        out.push('}');
        Self::outcome(NO_SOLE_FACE_VERIFICATION, violate, exempt)
    }

    fn write_enrollment(
        &mut self,
        out: &mut String,
        p: usize,
        violate: bool,
    ) -> (Option<&'static str>, bool) {
        self.head(out, "enrollment", p);
        let subject = self.next_subject;
        self.next_subject += 1;
        let _ = write!(out, ",\"subject\":\"s-{subject}\"");
        self.device(out, p);
        let (purpose, exempt) = self.purpose(p);
        let _ = write!(out, ",\"purpose\":\"{purpose}\"");

        // A compliant baseline, then the one change that breaks the chosen rule.
        let mut by_law = self.rng.chance(0.1);
        let mut age: Option<u64> = if self.rng.chance(0.5) {
            Some(if self.rng.chance(0.03) {
                6 + self.rng.below(8)
            } else {
                14 + self.rng.below(66)
            })
        } else {
            None
        };
        let mut consent = !by_law || self.rng.chance(0.2);
        let (mut separate, mut informed) = (true, true);
        let mut guardian = age.is_some_and(|a| a < 14);
        let mut notice = true;
        let mut storage = if consent && self.rng.chance(0.3) {
            self.rng.pick(&["server", "cloud"])
        } else {
            "device"
        };
        let rule = if violate {
            const RULES: [&str; 6] = [
                NOTICE,
                CONSENT_RECORDED,
                SEPARATE_CONSENT,
                INFORMED_CONSENT,
                GUARDIAN_CONSENT,
                ON_DEVICE_STORAGE,
            ];
            let rule = self.rng.pick(&RULES);
            match rule {
                NOTICE => notice = false,
                CONSENT_RECORDED => {
                    by_law = false;
                    consent = false;
                    storage = "device";
                    if age.is_some_and(|a| a < 14) {
                        age = None;
                    }
                }
                SEPARATE_CONSENT => {
                    by_law = false;
                    consent = true;
                    separate = false;
                    storage = "device";
                }
                INFORMED_CONSENT => {
                    by_law = false;
                    consent = true;
                    informed = false;
                }
                GUARDIAN_CONSENT => {
                    by_law = false;
                    consent = true;
                    age = Some(6 + self.rng.below(8));
                    guardian = false;
                }
                _ => {
                    by_law = true;
                    consent = false;
                    storage = self.rng.pick(&["server", "cloud"]);
                }
            }
            rule
        } else {
            NOTICE
        };
        let basis = if by_law { "law" } else { "consent" };
        let _ = write!(out, ",\"legal_basis\":\"{basis}\"");
        if let Some(age) = age {
            let _ = write!(out, ",\"subject_age\":{age}");
        }
        if consent {
            let _ = write!(
                out,
                ",\"consent\":{{\"separate\":{separate},\"written\":{},\"informed\":{informed},\"given_by\":\"{}\"}}",
                self.rng.chance(0.7),
                if guardian { "guardian" } else { "subject" }
            );
        }
        let retention = 30 * (1 + self.rng.below(120));
        let _ = write!(
            out,
            ",\"notice_given\":{notice},\"storage\":\"{storage}\",\"retention_days\":{retention}"
        );
        if self.rng.chance(0.05) {
            out.push_str(",\"raw_image_retained\":false");
        }
        out.push('}');

        if !exempt {
            let proc_ = &mut self.processors[p];
            proc_.alive.push(subject);
            if proc_.alive.len() >= FILING_THRESHOLD && !proc_.filed {
                proc_.filed = true;
                self.schedule(2 * 3_600_000, p, ScheduledKind::InitialFiling);
            }
        }
        Self::outcome(rule, violate, exempt)
    }

    /// Takes a random stored subject of the processor out of its stored set.
    fn take_subject(&mut self, p: usize) -> Option<u64> {
        let n = self.processors[p].alive.len();
        if n == 0 {
            return None;
        }
        let i = self.rng.index(n);
        Some(self.processors[p].alive.swap_remove(i))
    }

    fn write_deletion(&mut self, out: &mut String, p: usize) -> (Option<&'static str>, bool) {
        let Some(subject) = self.take_subject(p) else {
            return self.write_match(out, p, false);
        };
        self.head(out, "deletion", p);
        let reason = self
            .rng
            .pick(&["purpose_fulfilled", "retention_expired", "request", "other"]);
        let method = if self.rng.chance(0.8) {
            "erase"
        } else {
            "anonymize"
        };
        let _ = write!(
            out,
            ",\"subject\":\"s-{subject}\",\"reason\":\"{reason}\",\"method\":\"{method}\"}}"
        );
        (None, false)
    }

    fn write_withdrawal(&mut self, out: &mut String, p: usize) -> (Option<&'static str>, bool) {
        let Some(subject) = self.take_subject(p) else {
            return self.write_match(out, p, false);
        };
        self.head(out, "consent_withdrawn", p);
        let _ = write!(out, ",\"subject\":\"s-{subject}\"}}");
        self.schedule(60_000, p, ScheduledKind::Deletion { subject });
        (None, false)
    }

    fn write_refusal(
        &mut self,
        out: &mut String,
        p: usize,
        violate: bool,
    ) -> (Option<&'static str>, bool) {
        self.head(out, "refusal", p);
        if self.rng.chance(0.5) {
            let s = self.rng.below(self.next_subject.max(1));
            let _ = write!(out, ",\"subject\":\"s-{s}\"");
        }
        if self.rng.chance(0.8) {
            self.device(out, p);
        }
        let _ = write!(out, ",\"alternative_provided\":{}}}", !violate);
        Self::outcome(ALTERNATIVE_ON_REFUSAL, violate, false)
    }

    fn write_transfer(
        &mut self,
        out: &mut String,
        p: usize,
        violate: bool,
    ) -> (Option<&'static str>, bool) {
        self.head(out, "transfer", p);
        let alive = &self.processors[p].alive;
        if !alive.is_empty() && self.rng.chance(0.9) {
            let s = alive[self.rng.index(alive.len())];
            let _ = write!(out, ",\"subject\":\"s-{s}\"");
        }
        let (channel, separate) = if violate {
            ("internet", false)
        } else if self.rng.chance(0.5) {
            ("internet", true)
        } else {
            ("local", self.rng.chance(0.5))
        };
        let _ = write!(
            out,
            ",\"channel\":\"{channel}\",\"consent_separate\":{separate}}}"
        );
        Self::outcome(NO_INTERNET_TRANSFER, violate, false)
    }

    fn write_device(
        &mut self,
        out: &mut String,
        p: usize,
        violate: bool,
    ) -> (Option<&'static str>, bool) {
        self.head(out, "device_installed", p);
        self.device(out, p);
        let (mut purpose, exempt) = self.purpose(p);
        let (mut place, mut signage) = match self.rng.below(10) {
            0..=1 => ("public", true),
            2..=5 => ("residential", self.rng.chance(0.9)),
            _ => ("internal", self.rng.chance(0.5)),
        };
        if place == "public" && !exempt {
            purpose = "public_security";
        }
        let mut kind = None;
        let rule = if violate {
            let rule = self.rng.pick(&[
                PUBLIC_SECURITY_ONLY,
                CONSPICUOUS_SIGNAGE,
                NO_DEVICES_IN_PRIVATE_SPACES,
            ]);
            match rule {
                PUBLIC_SECURITY_ONLY => {
                    place = "public";
                    signage = true;
                    if !exempt {
                        purpose = self
                            .rng
                            .pick(&["access_control", "payment", "customer_service"]);
                    }
                }
                CONSPICUOUS_SIGNAGE => {
                    place = "public";
                    signage = false;
                    if !exempt {
                        purpose = "public_security";
                    }
                }
                _ => {
                    place = "private_space";
                    kind = Some(self.rng.pick(&[
                        "hotel_room",
                        "bath",
                        "changing_room",
                        "toilet",
                        "other",
                    ]));
                }
            }
            rule
        } else {
            PUBLIC_SECURITY_ONLY
        };
        let _ = write!(out, ",\"place\":\"{place}\"");
        if let Some(kind) = kind {
            let _ = write!(out, ",\"private_space_kind\":\"{kind}\"");
        }
        let _ = write!(out, ",\"signage\":{signage},\"purpose\":\"{purpose}\"}}");
        Self::outcome(rule, violate, exempt)
    }

    fn write_incident(&mut self, out: &mut String, p: usize) -> (Option<&'static str>, bool) {
        self.head(out, "security_incident", p);
        let major = self.rng.chance(0.05);
        let _ = write!(
            out,
            ",\"severity\":\"{}\"}}",
            if major { "major" } else { "minor" }
        );
        if major {
            self.schedule(5_000, p, ScheduledKind::Assessment);
        }
        (None, false)
    }

    fn write_filing_change(&mut self, out: &mut String, p: usize) -> (Option<&'static str>, bool) {
        self.head(out, "filing_info_changed", p);
        out.push('}');
        self.schedule(24 * 3_600_000, p, ScheduledKind::ChangeFiling);
        (None, false)
    }
}

impl Iterator for Generator {
    type Item = Line;

    fn next(&mut self) -> Option<Line> {
        let mut text = String::with_capacity(320);
        let (violation, exempt) = self.next_into(&mut text)?;
        Some(Line {
            text,
            violation,
            exempt,
        })
    }
}

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

/// Writes Unix seconds as RFC 3339 at +08:00, e.g. `2025-06-02T08:00:00+08:00`.
fn write_time(out: &mut String, unix: i64) {
    let local = unix + 8 * 3600;
    let days = local.div_euclid(86_400);
    let secs = local.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    let _ = write!(
        out,
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}+08:00",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    );
}

/// The proleptic Gregorian date of a count of days since 1970-01-01 (Howard Hinnant's method).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_formatted_in_china_standard_time() {
        let mut s = String::new();
        write_time(&mut s, DEFAULT_START);
        assert_eq!(s, "2025-06-02T08:00:00+08:00");
        s.clear();
        write_time(&mut s, 951_782_400); // 2000-02-29T00:00:00Z
        assert_eq!(s, "2000-02-29T08:00:00+08:00");
    }

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
