//! The member's counters, served as Prometheus text with its health (`edict_server::probe`).

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use edict_runtime::FindingKind;
use edict_server::probe::{Exposition, Probes};

#[derive(Default)]
pub struct Metrics {
    healthy: AtomicBool,
    records: AtomicU64,
    dead_letters: AtomicU64,
    violations: AtomicU64,
    overdue: AtomicU64,
    open: AtomicU64,
    transactions: AtomicU64,
    aborted: AtomicU64,
    restores: AtomicU64,
    restore_micros: AtomicU64,
    heartbeats: AtomicU64,
    partitions: AtomicU64,
}

fn add(counter: &AtomicU64, n: u64) {
    counter.fetch_add(n, Ordering::Relaxed);
}

impl Metrics {
    pub(crate) fn set_healthy(&self, healthy: bool) {
        self.healthy.store(healthy, Ordering::Relaxed);
    }

    pub(crate) fn record(&self) {
        add(&self.records, 1);
    }

    pub(crate) fn dead_letter(&self) {
        add(&self.dead_letters, 1);
    }

    pub(crate) fn finding(&self, kind: FindingKind) {
        match kind {
            FindingKind::Violation => add(&self.violations, 1),
            FindingKind::Overdue => add(&self.overdue, 1),
            FindingKind::Open => add(&self.open, 1),
            FindingKind::InputError => add(&self.dead_letters, 1),
        }
    }

    pub(crate) fn committed(&self) {
        add(&self.transactions, 1);
    }

    pub(crate) fn aborted(&self) {
        add(&self.aborted, 1);
    }

    pub(crate) fn heartbeat(&self) {
        add(&self.heartbeats, 1);
    }

    pub(crate) fn restored(&self, took: std::time::Duration) {
        add(&self.restores, 1);
        add(
            &self.restore_micros,
            u64::try_from(took.as_micros()).unwrap_or(u64::MAX),
        );
    }

    pub(crate) fn owned(&self, partitions: usize) {
        self.partitions.store(partitions as u64, Ordering::Relaxed);
    }

    /// Dead letters so far.
    pub fn dead_letters(&self) -> u64 {
        self.dead_letters.load(Ordering::Relaxed)
    }
}

impl Probes for Metrics {
    fn metrics(&self) -> String {
        let load = |c: &AtomicU64| c.load(Ordering::Relaxed).to_string();
        let mut e = Exposition::default();
        e.metric(
            "edict_consume_records_total",
            "counter",
            "Event records judged (heartbeats and dead letters included).",
            &[("", load(&self.records))],
        );
        e.metric("edict_consume_dead_letters_total", "counter", "Records sent to the dead-letter topic (not JSON, unknown type, invalid fields, too late).", &[("", load(&self.dead_letters))]);
        e.metric(
            "edict_findings_total",
            "counter",
            "Findings written to the findings topic, by kind.",
            &[
                ("{kind=\"violation\"}", load(&self.violations)),
                ("{kind=\"overdue\"}", load(&self.overdue)),
                ("{kind=\"open\"}", load(&self.open)),
            ],
        );
        e.metric(
            "edict_consume_transactions_total",
            "counter",
            "Transactions committed (findings, dead letters, snapshots and offsets together).",
            &[("", load(&self.transactions))],
        );
        e.metric(
            "edict_consume_transactions_aborted_total",
            "counter",
            "Transactions aborted; their partitions are restored from the changelog.",
            &[("", load(&self.aborted))],
        );
        e.metric(
            "edict_consume_restores_total",
            "counter",
            "Partitions restored from the local store and the changelog.",
            &[("", load(&self.restores))],
        );
        e.metric(
            "edict_consume_restore_seconds_total",
            "counter",
            "Time spent restoring partitions.",
            &[(
                "",
                format!(
                    "{:.6}",
                    self.restore_micros.load(Ordering::Relaxed) as f64 / 1e6
                ),
            )],
        );
        e.metric(
            "edict_consume_heartbeats_total",
            "counter",
            "Heartbeat records appended to idle partitions.",
            &[("", load(&self.heartbeats))],
        );
        e.metric(
            "edict_consume_partitions",
            "gauge",
            "Partitions of the events topic this member judges.",
            &[("", load(&self.partitions))],
        );
        e.finish()
    }

    fn health(&self) -> (bool, serde_json::Value) {
        let healthy = self.healthy.load(Ordering::Relaxed);
        (
            healthy,
            serde_json::json!({
                "status": if healthy { "ok" } else { "stopped" },
                "partitions": self.partitions.load(Ordering::Relaxed),
            }),
        )
    }
}
