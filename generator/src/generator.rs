//! The generator itself: processors and their stored subjects, the events drawn from the mix,
//! the events it schedules for later, and the JSON of each line.

use std::collections::VecDeque;
use std::fmt::Write as _;

use crate::measures::{
    self, EXEMPT_SHARE, Enrollment, FILING_THRESHOLD, Installation, OUT_OF_SCOPE, PURPOSES, Rule,
};
use crate::rng::Rng;
use crate::time::write_time;
use crate::{Config, Line};

/// Devices per processor: events name `pNNN-dev-0` to `pNNN-dev-63`.
const DEVICES_PER_PROCESSOR: u64 = 64;

/// What writing one event gives: the rule it was built to break (never for an exempt event),
/// and whether it is exempt.
type Outcome = (Option<Rule>, bool);

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
    /// Scheduled events, in time order (the queue is kept sorted on insertion).
    scheduled: VecDeque<Scheduled>,
    /// The probability that an eligible event is built to break a rule.
    plant: f64,
    /// The mix's weights, summed up to each kind of event.
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
                    let p = rng.pick(&PURPOSES);
                    if !purposes.contains(&p) {
                        purposes.push(p);
                    }
                }
                purposes.sort_by_key(|p| PURPOSES.iter().position(|q| q == p));
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
    pub fn next_into(&mut self, out: &mut String) -> Option<(Option<Rule>, bool)> {
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

    /// The keys every event starts with: type, time and processor.
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

    fn write_drawn(&mut self, out: &mut String) -> Outcome {
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

    /// The rule an event breaks: the one it was built to break, unless it is exempt.
    fn outcome(rule: Option<Rule>, exempt: bool) -> Outcome {
        (rule.filter(|_| !exempt), exempt)
    }

    fn write_match(&mut self, out: &mut String, p: usize, violate: bool) -> Outcome {
        self.head(out, "match", p);
        let (purpose, exempt) = self.purpose(p);
        let verification = measures::match_is_verification(&mut self.rng, violate);
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
        let (available, offered) = measures::match_alternative(&mut self.rng, violate);
        let _ = write!(
            out,
            ",\"alternative_available\":{available},\"alternative_offered\":{offered}"
        );
        if !verification && self.rng.chance(0.05) {
            out.push_str(",\"attributes_inferred\":[\"age_band\"]");
        }
        out.push('}');
        Self::outcome(violate.then_some(measures::MATCH_RULE), exempt)
    }

    fn write_enrollment(&mut self, out: &mut String, p: usize, violate: bool) -> Outcome {
        self.head(out, "enrollment", p);
        let subject = self.next_subject;
        self.next_subject += 1;
        let _ = write!(out, ",\"subject\":\"s-{subject}\"");
        self.device(out, p);
        let (purpose, exempt) = self.purpose(p);
        let _ = write!(out, ",\"purpose\":\"{purpose}\"");

        // A compliant baseline, then the one change that breaks the chosen rule.
        let mut e = Enrollment::compliant(&mut self.rng);
        let rule = violate.then(|| e.break_one(&mut self.rng));
        let basis = if e.by_law { "law" } else { "consent" };
        let _ = write!(out, ",\"legal_basis\":\"{basis}\"");
        if let Some(age) = e.age {
            let _ = write!(out, ",\"subject_age\":{age}");
        }
        if e.consent {
            let _ = write!(
                out,
                ",\"consent\":{{\"separate\":{},\"written\":{},\"informed\":{},\"given_by\":\"{}\"}}",
                e.separate,
                self.rng.chance(0.7),
                e.informed,
                if e.guardian { "guardian" } else { "subject" }
            );
        }
        let retention = 30 * (1 + self.rng.below(120));
        let _ = write!(
            out,
            ",\"notice_given\":{},\"storage\":\"{}\"",
            e.notice, e.storage
        );
        if e.storage_consent {
            out.push_str(",\"storage_consent_separate\":true");
        }
        let _ = write!(out, ",\"retention_days\":{retention}");
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
        Self::outcome(rule, exempt)
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

    fn write_deletion(&mut self, out: &mut String, p: usize) -> Outcome {
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

    fn write_withdrawal(&mut self, out: &mut String, p: usize) -> Outcome {
        let Some(subject) = self.take_subject(p) else {
            return self.write_match(out, p, false);
        };
        self.head(out, "consent_withdrawn", p);
        let _ = write!(out, ",\"subject\":\"s-{subject}\"}}");
        self.schedule(60_000, p, ScheduledKind::Deletion { subject });
        (None, false)
    }

    fn write_refusal(&mut self, out: &mut String, p: usize, violate: bool) -> Outcome {
        self.head(out, "refusal", p);
        if self.rng.chance(0.5) {
            let s = self.rng.below(self.next_subject.max(1));
            let _ = write!(out, ",\"subject\":\"s-{s}\"");
        }
        if self.rng.chance(0.8) {
            self.device(out, p);
        }
        let _ = write!(out, ",\"alternative_provided\":{}}}", !violate);
        Self::outcome(violate.then_some(measures::REFUSAL_RULE), false)
    }

    fn write_transfer(&mut self, out: &mut String, p: usize, violate: bool) -> Outcome {
        self.head(out, "transfer", p);
        let alive = &self.processors[p].alive;
        if !alive.is_empty() && self.rng.chance(0.9) {
            let s = alive[self.rng.index(alive.len())];
            let _ = write!(out, ",\"subject\":\"s-{s}\"");
        }
        let (purpose, exempt) = self.purpose(p);
        let (channel, destination, separate) = measures::transfer_terms(&mut self.rng, violate);
        let _ = write!(
            out,
            ",\"purpose\":\"{purpose}\",\"channel\":\"{channel}\",\"destination\":\"{destination}\",\"consent_separate\":{separate}}}"
        );
        Self::outcome(violate.then_some(measures::TRANSFER_RULE), exempt)
    }

    fn write_device(&mut self, out: &mut String, p: usize, violate: bool) -> Outcome {
        self.head(out, "device_installed", p);
        let (purpose, exempt) = self.purpose(p);
        let mut installation = Installation::compliant(&mut self.rng, purpose, exempt);
        let rule = violate.then(|| installation.break_one(&mut self.rng, exempt));
        // Cameras in public places and private spaces are named apart from the gates and
        // terminals that matches use, so that matches stay at devices where their purpose is
        // lawful (a match at a public-place device for another purpose than public security would
        // break art 13(1) without being planted).
        if matches!(installation.place, "public" | "private_space") {
            let d = self.rng.below(DEVICES_PER_PROCESSOR);
            let _ = write!(out, ",\"device\":\"p{p:03}-cam-{d}\"");
        } else {
            self.device(out, p);
        }
        let _ = write!(out, ",\"place\":\"{}\"", installation.place);
        if let Some(kind) = installation.private_space_kind {
            let _ = write!(out, ",\"private_space_kind\":\"{kind}\"");
        }
        let _ = write!(
            out,
            ",\"signage\":{},\"purpose\":\"{}\"}}",
            installation.signage, installation.purpose
        );
        // Art 13(2) admits no exemption: a device in a private space is judged whatever its purpose.
        let exempt = exempt && installation.place != "private_space";
        Self::outcome(rule, exempt)
    }

    fn write_incident(&mut self, out: &mut String, p: usize) -> Outcome {
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

    fn write_filing_change(&mut self, out: &mut String, p: usize) -> Outcome {
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
