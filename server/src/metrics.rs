//! Counters and gauges, and their Prometheus text exposition (`GET /metrics`).

use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use edict_runtime::FindingKind;

/// One bundle's stream: its name, events held, latest event time and watermark.
type Stream = (String, usize, Option<i64>, Option<i64>);

#[derive(Default)]
pub(crate) struct Metrics {
    lines: AtomicU64,
    rejected: AtomicU64,
    violations: AtomicU64,
    overdue: AtomicU64,
    open: AtomicU64,
    input_errors: AtomicU64,
    batches_replayed: AtomicU64,
    busy: AtomicU64,
    queued: AtomicI64,
    pub(crate) capacity: AtomicU64,
    checkpoint_at: AtomicU64,
    checkpoint_micros: AtomicU64,
    checkpoint_bytes: AtomicU64,
    reloads: AtomicU64,
    refused_bundles: AtomicU64,
    streams: Mutex<Vec<Stream>>,
}

impl Metrics {
    pub(crate) fn lines(&self, lines: u64, rejected: u64) {
        self.lines.fetch_add(lines, Ordering::Relaxed);
        self.rejected.fetch_add(rejected, Ordering::Relaxed);
    }

    pub(crate) fn finding(&self, kind: FindingKind) {
        let counter = match kind {
            FindingKind::Violation => &self.violations,
            FindingKind::Overdue => &self.overdue,
            FindingKind::Open => &self.open,
            FindingKind::InputError => &self.input_errors,
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn replayed(&self) {
        self.batches_replayed.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn busy(&self) {
        self.busy.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn enqueued(&self) {
        self.queued.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn dequeued(&self, n: usize) {
        self.queued
            .fetch_sub(i64::try_from(n).unwrap_or(0), Ordering::Relaxed);
    }

    pub(crate) fn queue_depth(&self) -> i64 {
        self.queued.load(Ordering::Relaxed).max(0)
    }

    pub(crate) fn reloaded(&self) {
        self.reloads.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn refused_bundle(&self) {
        self.refused_bundles.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn checkpointed(&self, at: u64, took: Duration, bytes: u64) {
        self.checkpoint_at.store(at, Ordering::Relaxed);
        self.checkpoint_micros.store(
            u64::try_from(took.as_micros()).unwrap_or(u64::MAX),
            Ordering::Relaxed,
        );
        self.checkpoint_bytes.store(bytes, Ordering::Relaxed);
    }

    pub(crate) fn checkpoint_bytes(&self) -> u64 {
        self.checkpoint_bytes.load(Ordering::Relaxed)
    }

    pub(crate) fn set_streams(&self, streams: Vec<Stream>) {
        if let Ok(mut place) = self.streams.lock() {
            *place = streams;
        }
    }

    /// The Prometheus text exposition format, version 0.0.4.
    pub(crate) fn render(&self) -> String {
        let mut exposition = crate::probe::Exposition::default();
        let load = |c: &AtomicU64| c.load(Ordering::Relaxed);
        let mut metric = |name: &str, kind: &str, help: &str, samples: &[(&str, String)]| {
            exposition.metric(name, kind, help, samples);
        };
        metric(
            "edict_events_total",
            "counter",
            "Event lines received.",
            &[("", load(&self.lines).to_string())],
        );
        metric(
            "edict_events_rejected_total",
            "counter",
            "Event lines set aside as input errors by at least one bundle.",
            &[("", load(&self.rejected).to_string())],
        );
        metric(
            "edict_findings_total",
            "counter",
            "Findings written to the decision log, by kind.",
            &[
                ("{kind=\"violation\"}", load(&self.violations).to_string()),
                ("{kind=\"overdue\"}", load(&self.overdue).to_string()),
                ("{kind=\"open\"}", load(&self.open).to_string()),
                (
                    "{kind=\"input_error\"}",
                    load(&self.input_errors).to_string(),
                ),
            ],
        );
        metric(
            "edict_batches_replayed_total",
            "counter",
            "Batches answered again from their idempotency key.",
            &[("", load(&self.batches_replayed).to_string())],
        );
        metric(
            "edict_requests_refused_busy_total",
            "counter",
            "Requests answered 429 because the queue was full.",
            &[("", load(&self.busy).to_string())],
        );
        metric(
            "edict_queue_depth",
            "gauge",
            "Requests waiting for the judging thread.",
            &[("", self.queue_depth().to_string())],
        );
        metric(
            "edict_queue_capacity",
            "gauge",
            "Requests the queue holds before answering 429.",
            &[("", load(&self.capacity).to_string())],
        );
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let at = load(&self.checkpoint_at);
        metric(
            "edict_checkpoint_age_seconds",
            "gauge",
            "Seconds since the last checkpoint.",
            &[("", now.saturating_sub(at).to_string())],
        );
        metric(
            "edict_checkpoint_duration_seconds",
            "gauge",
            "How long the last checkpoint took.",
            &[(
                "",
                format!("{:.6}", load(&self.checkpoint_micros) as f64 / 1e6),
            )],
        );
        metric(
            "edict_checkpoint_bytes",
            "gauge",
            "Bytes of engine snapshots written by the last checkpoint.",
            &[("", load(&self.checkpoint_bytes).to_string())],
        );
        metric(
            "edict_bundle_reloads_total",
            "counter",
            "Bundles loaded or replaced while serving.",
            &[("", load(&self.reloads).to_string())],
        );
        metric(
            "edict_bundle_refusals_total",
            "counter",
            "Bundles refused (damaged, unsigned, wrongly signed); the last good one kept serving.",
            &[("", load(&self.refused_bundles).to_string())],
        );
        let streams = self.streams.lock().map(|s| s.clone()).unwrap_or_default();
        let label = |name: &str| format!("{{bundle={}}}", serde_json::Value::from(name));
        let held: Vec<(String, String)> = streams
            .iter()
            .map(|(n, held, _, _)| (label(n), held.to_string()))
            .collect();
        let lag: Vec<(String, String)> = streams
            .iter()
            .filter_map(|(n, _, latest, watermark)| {
                Some((
                    label(n),
                    (latest.as_ref()? - watermark.as_ref()?).to_string(),
                ))
            })
            .collect();
        let behind: Vec<(String, String)> = streams
            .iter()
            .filter_map(|(n, _, latest, _)| {
                let now = i64::try_from(now).ok()?;
                Some((label(n), (now - latest.as_ref()?).to_string()))
            })
            .collect();
        let as_refs = |v: &[(String, String)]| -> Vec<(String, String)> { v.to_vec() };
        for (name, help, samples) in [
            (
                "edict_held_events",
                "Accepted events waiting for the watermark (the reorder buffer).",
                as_refs(&held),
            ),
            (
                "edict_lateness_allowance_seconds",
                "How far the watermark trails the latest event time: events this much older are still accepted.",
                as_refs(&lag),
            ),
            (
                "edict_stream_behind_seconds",
                "Wall-clock time less the latest event time accepted.",
                as_refs(&behind),
            ),
        ] {
            let samples: Vec<(&str, String)> = samples
                .iter()
                .map(|(l, v)| (l.as_str(), v.clone()))
                .collect();
            metric(name, "gauge", help, &samples);
        }
        exposition.finish()
    }
}
