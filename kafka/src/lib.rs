//! `edict consume`: Edict as an Apache Kafka consumer group (librdkafka, through `rdkafka`).
//!
//! Each member of the group judges the partitions of the events topic assigned to it, each
//! partition with an engine of its own: records are keyed by the bundle's `partition by` field,
//! so everything an engine remembers stays within its partition ([`Partitioning`]).
//!
//! # Exactly once (read, process, write)
//!
//! A member works in Kafka transactions. One transaction holds the findings of the records it
//! judged, the dead letters among them, the new snapshot of every partition it touched (the
//! changelog, [`changelog`]) and the consumer offsets of those records
//! (`send_offsets_to_transaction`). Committed, all of it is visible to `read_committed`
//! readers; aborted (or left open by a member that died, and aborted by the broker when its
//! producer is fenced or times out), none of it. A partition that moves to another member is
//! restored there from its last committed snapshot, and judging resumes at the offset that
//! snapshot records, so every record is reflected in the findings exactly once.
//!
//! Each finding carries its partition's sequence number (`edict-seq`). When a partition is
//! restored, the findings partition is read from the snapshot's `floor`: a finding numbered at
//! or after the snapshot's count that is already visible (which a broker without transaction
//! aborts, such as librdkafka's mock cluster, shows) is not written again when the engine finds
//! it anew — judging is a pure function of the partition's records, so it finds the same.
//!
//! # Time
//!
//! Watermarks and deadlines are per partition: a deadline falls due when its partition's event
//! time passes it. A partition that goes quiet advances by *heartbeat records*: when an owned
//! partition has received nothing for `heartbeat` of wall-clock time, the member appends to it
//! a record with no value and the header `edict-advance` (Unix seconds: the partition's latest
//! time plus the heartbeat), in a transaction; judging that record advances the engine. The
//! heartbeat is in the partition's log, so a partition restored elsewhere replays it and finds
//! exactly the same — a wall-clock bound applied in memory would make the findings depend on
//! when a member happened to run. Producers may write heartbeats themselves.

use std::collections::{BTreeSet, HashMap};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use edict_runtime::bundle::Bundle;
use edict_runtime::engine::EngineOptions;
use edict_runtime::partition::Partitioning;
use edict_server::probe::ProbeServer;
use edict_store::Store;
use rdkafka::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::Message;

pub mod changelog;
mod member;
mod metrics;
mod records;

pub use metrics::Metrics;

/// How a member runs.
#[derive(Clone, Debug)]
pub struct Config {
    /// `bootstrap.servers`.
    pub brokers: String,
    /// The consumer group (`group.id`).
    pub group: String,
    pub events_topic: String,
    pub findings_topic: String,
    pub dead_letter_topic: String,
    pub changelog_topic: String,
    /// The member's `transactional.id`; unique per member.
    pub transactional_id: String,
    /// The bundle judged, and its name in the local store.
    pub bundle: Bundle,
    pub options: EngineOptions,
    /// The local store of partition snapshots.
    pub state: PathBuf,
    /// Where `/metrics` and `/health` are served, if anywhere.
    pub listen: Option<SocketAddr>,
    /// A transaction is committed at least this often while records arrive.
    pub commit_interval: Duration,
    /// … or after this many records.
    pub commit_records: usize,
    /// Heartbeat records for partitions idle this long (wall clock); `None`: none.
    pub heartbeat: Option<Duration>,
    /// Further librdkafka settings for every client (security, timeouts …), passed through.
    pub client: Vec<(String, String)>,
}

/// The librdkafka settings shared by every client of a member.
fn client_config(config: &Config) -> ClientConfig {
    let mut c = ClientConfig::new();
    c.set("bootstrap.servers", &config.brokers);
    for (key, value) in &config.client {
        c.set(key, value);
    }
    c
}

/// Runs a member until `stop` is set: commits what it judged and leaves the group.
pub fn run(config: Config, stop: Arc<AtomicBool>) -> Result<(), String> {
    let partitioning = Partitioning::of(&config.bundle.program).map_err(|obstacles| {
        let why: Vec<String> = obstacles.iter().map(ToString::to_string).collect();
        format!(
            "the bundle cannot be judged partition by partition, which a consumer group needs: {}",
            why.join("; ")
        )
    })?;
    let store = Store::open(&config.state).map_err(|e| e.to_string())?;
    let metrics = Arc::new(Metrics::default());
    let _probes = match config.listen {
        Some(listen) => {
            let server = ProbeServer::start(listen, Arc::clone(&metrics) as _)?;
            eprintln!("metrics and health on http://{}", server.address());
            Some(server)
        }
        None => None,
    };
    let member = member::Member::new(&config, partitioning, store, Arc::clone(&metrics))?;
    let member = Arc::new(Mutex::new(member));
    let consumer: BaseConsumer<member::Rebalancing> = client_config(&config)
        .set("group.id", &config.group)
        .set("enable.auto.commit", "false")
        .set("enable.auto.offset.store", "false")
        .set("isolation.level", "read_committed")
        .set("auto.offset.reset", "earliest")
        .create_with_context(member::Rebalancing {
            member: Arc::clone(&member),
        })
        .map_err(|e| format!("cannot create the consumer: {e}"))?;
    consumer
        .subscribe(&[&config.events_topic])
        .map_err(|e| format!("cannot subscribe to `{}`: {e}", config.events_topic))?;
    metrics.set_healthy(true);
    eprintln!(
        "consuming `{}` as group `{}`: findings to `{}`, dead letters to `{}`, changelog `{}`",
        config.events_topic,
        config.group,
        config.findings_topic,
        config.dead_letter_topic,
        config.changelog_topic
    );
    let mut last_commit = Instant::now();
    let mut since_commit = 0usize;
    let mut last_heartbeat_check = Instant::now();
    while !stop.load(Ordering::Relaxed) {
        let polled = consumer.poll(Duration::from_millis(100));
        let mut m = member
            .lock()
            .map_err(|_| "the member's state is poisoned".to_owned())?;
        match polled {
            None => {}
            Some(Err(e)) => {
                eprintln!("warning: consumer: {e}");
            }
            Some(Ok(message)) => {
                let restored = m.restore_assigned(&consumer)?;
                if restored.contains(&message.partition()) {
                    // Polled before its partition was restored: read again from the snapshot.
                    continue;
                }
                let headers = records::headers(&message);
                m.process(
                    &consumer,
                    message.partition(),
                    message.offset(),
                    message.key(),
                    message.payload(),
                    &headers,
                )?;
                since_commit += 1;
            }
        }
        if m.has_open_transaction()
            && (since_commit >= config.commit_records
                || last_commit.elapsed() >= config.commit_interval)
        {
            m.commit(&consumer)?;
            since_commit = 0;
            last_commit = Instant::now();
        }
        if let Some(every) = config.heartbeat
            && last_heartbeat_check.elapsed() >= every / 4
        {
            m.heartbeats(every)?;
            last_heartbeat_check = Instant::now();
        }
        drop(m);
    }
    let mut m = member
        .lock()
        .map_err(|_| "the member's state is poisoned".to_owned())?;
    m.commit(&consumer)?;
    drop(m);
    consumer.unsubscribe();
    metrics.set_healthy(false);
    eprintln!("stopped: every judged record is committed");
    Ok(())
}

/// The number of partitions of `topic`, from the cluster's metadata.
fn partition_count(
    consumer: &BaseConsumer<impl rdkafka::consumer::ConsumerContext>,
    topic: &str,
) -> Result<i32, String> {
    let metadata = consumer
        .fetch_metadata(Some(topic), Duration::from_secs(10))
        .map_err(|e| format!("cannot read the metadata of `{topic}`: {e}"))?;
    let count = metadata
        .topics()
        .iter()
        .find(|t| t.name() == topic)
        .map_or(0, |t| t.partitions().len());
    if count == 0 {
        return Err(format!(
            "the topic `{topic}` has no partitions (create it first)"
        ));
    }
    Ok(i32::try_from(count).unwrap_or(i32::MAX))
}

/// The partitions of a list, for logs.
fn describe(partitions: &BTreeSet<i32>) -> String {
    partitions
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Offsets by partition.
type Offsets = HashMap<i32, i64>;
