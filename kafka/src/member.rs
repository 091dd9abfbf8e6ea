//! One member of the group: the engines of its partitions, judging their records, its
//! transactional producer and commits (restoring a partition: [`restore`]).

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use edict_runtime::engine::{Engine, LineKind, decode_line};
use edict_runtime::event::Event;
use edict_runtime::finding::Finding;
use edict_runtime::partition::Partitioning;
use edict_runtime::time;
use edict_store::{Append, Store};
use rdkafka::consumer::{BaseConsumer, Consumer, ConsumerContext, Rebalance};
use rdkafka::error::KafkaError;
use rdkafka::message::{Header as KafkaHeader, Message, OwnedHeaders};
use rdkafka::producer::{BaseProducer, BaseRecord, DeliveryResult, Producer, ProducerContext};
use rdkafka::{ClientContext, Offset, TopicPartitionList};

use crate::changelog::{self, Header};
use crate::records::{self, ADVANCE, REASON, SEQ, SOURCE_OFFSET, SOURCE_PARTITION, SOURCE_TOPIC};
use crate::{Config, Metrics, Offsets, client_config, describe, partition_count};

mod restore;

/// How long a transaction's steps may take.
const TXN_TIMEOUT: Duration = Duration::from_secs(30);

/// The delivered offsets of the records produced, by topic and partition.
#[derive(Default)]
pub(crate) struct Deliveries {
    offsets: Mutex<HashMap<(String, i32), i64>>,
    failed: Mutex<Option<String>>,
}

impl ClientContext for Deliveries {}

impl ProducerContext for Deliveries {
    type DeliveryOpaque = ();

    fn delivery(&self, result: &DeliveryResult<'_>, (): ()) {
        match result {
            Ok(m) => {
                if let Ok(mut offsets) = self.offsets.lock() {
                    let entry = offsets
                        .entry((m.topic().to_owned(), m.partition()))
                        .or_insert(-1);
                    *entry = (*entry).max(m.offset());
                }
            }
            Err((e, _)) => {
                if let Ok(mut failed) = self.failed.lock() {
                    *failed = Some(e.to_string());
                }
            }
        }
    }
}

impl Deliveries {
    fn last(&self, topic: &str, partition: i32) -> Option<i64> {
        self.offsets
            .lock()
            .ok()?
            .get(&(topic.to_owned(), partition))
            .copied()
    }
}

/// The consumer's context: commits before partitions are taken away, and notes the new ones.
pub(crate) struct Rebalancing {
    pub(crate) member: Arc<Mutex<Member>>,
}

impl ClientContext for Rebalancing {}

impl ConsumerContext for Rebalancing {
    fn pre_rebalance(&self, consumer: &BaseConsumer<Self>, rebalance: &Rebalance<'_>) {
        if let Rebalance::Revoke(list) = rebalance
            && let Ok(mut member) = self.member.lock()
        {
            if let Err(e) = member.commit(consumer) {
                eprintln!("warning: committing before the rebalance failed: {e}");
            }
            let revoked: BTreeSet<i32> = list.elements().iter().map(|e| e.partition()).collect();
            member.revoke(&revoked);
        }
    }

    fn post_rebalance(&self, _: &BaseConsumer<Self>, rebalance: &Rebalance<'_>) {
        if let Rebalance::Assign(list) = rebalance
            && let Ok(mut member) = self.member.lock()
        {
            let assigned: BTreeSet<i32> = list.elements().iter().map(|e| e.partition()).collect();
            if !assigned.is_empty() {
                eprintln!("assigned partitions {}", describe(&assigned));
            }
            member.pending.extend(assigned);
        }
    }
}

/// One partition's engine and where it stands.
struct Task {
    engine: Engine,
    /// The offset of the next record to judge; earlier ones are in the engine already.
    next: i64,
    /// Findings written so far (the next one's sequence number).
    emitted: u64,
    /// Findings numbered below this are already in the findings topic.
    skip_until: u64,
    /// See [`Header::floor`].
    floor: i64,
    generation: u64,
    /// When the partition last gave a record.
    last_record: Instant,
}

pub(crate) struct Member {
    config: Config,
    partitioning: Partitioning,
    producer: BaseProducer<Deliveries>,
    /// The settings of the consumers that read a partition back (one per read, so that no
    /// event of an earlier read is mistaken for this one's end).
    reader: rdkafka::ClientConfig,
    store: Store,
    metrics: Arc<Metrics>,
    tasks: HashMap<i32, Task>,
    /// Assigned partitions not restored yet.
    pending: BTreeSet<i32>,
    /// Partitions judged in the open transaction.
    dirty: BTreeSet<i32>,
    open: bool,
    findings_partitions: i32,
    changelog_partitions: i32,
}

impl Member {
    pub(crate) fn new(
        config: &Config,
        partitioning: Partitioning,
        store: Store,
        metrics: Arc<Metrics>,
    ) -> Result<Member, String> {
        let producer: BaseProducer<Deliveries> = client_config(config)
            .set("transactional.id", &config.transactional_id)
            .set("enable.idempotence", "true")
            .set("linger.ms", "5")
            .create_with_context(Deliveries::default())
            .map_err(|e| format!("cannot create the producer: {e}"))?;
        producer
            .init_transactions(TXN_TIMEOUT)
            .map_err(|e| format!("cannot start transactions: {e}"))?;
        let mut reader = client_config(config);
        reader
            .set("group.id", format!("{}-restore", config.group))
            .set("enable.auto.commit", "false")
            .set("enable.partition.eof", "true")
            .set("auto.offset.reset", "earliest")
            // A restore waits for the end of a partition: ask the brokers not to hold the
            // last fetch back waiting for more.
            .set("fetch.wait.max.ms", "10")
            .set("isolation.level", "read_committed");
        let metadata: BaseConsumer = reader
            .create()
            .map_err(|e| format!("cannot create the restoring consumer: {e}"))?;
        let findings_partitions = partition_count(&metadata, &config.findings_topic)?;
        let changelog_partitions = partition_count(&metadata, &config.changelog_topic)?;
        let events_partitions = partition_count(&metadata, &config.events_topic)?;
        if changelog_partitions < events_partitions {
            return Err(format!(
                "the changelog topic `{}` has {changelog_partitions} partitions, fewer than the {events_partitions} of `{}`: give it at least as many",
                config.changelog_topic, config.events_topic
            ));
        }
        Ok(Member {
            config: config.clone(),
            partitioning,
            producer,
            reader,
            store,
            metrics,
            tasks: HashMap::new(),
            pending: BTreeSet::new(),
            dirty: BTreeSet::new(),
            open: false,
            findings_partitions,
            changelog_partitions,
        })
    }

    pub(crate) fn has_open_transaction(&self) -> bool {
        self.open
    }

    fn revoke(&mut self, partitions: &BTreeSet<i32>) {
        for p in partitions {
            self.tasks.remove(p);
            self.pending.remove(p);
        }
        self.metrics.owned(self.tasks.len());
        if !partitions.is_empty() {
            eprintln!("revoked partitions {}", describe(partitions));
        }
    }

    fn begin(&mut self) -> Result<(), String> {
        if !self.open {
            self.producer
                .begin_transaction()
                .map_err(|e| format!("cannot begin a transaction: {e}"))?;
            self.open = true;
        }
        Ok(())
    }

    /// Judges one record of partition `p`.
    pub(crate) fn process<C: ConsumerContext>(
        &mut self,
        _consumer: &BaseConsumer<C>,
        p: i32,
        offset: i64,
        key: Option<&[u8]>,
        payload: Option<&[u8]>,
        headers: &[(String, String)],
    ) -> Result<(), String> {
        match self.tasks.get(&p) {
            Some(task) if offset >= task.next => {}
            // Not ours (any more), or already in the restored snapshot.
            _ => return Ok(()),
        }
        self.begin()?;
        self.metrics.record();
        let mut found: Vec<Finding> = Vec::new();
        let mut dead: Option<String> = None;
        let Some(task) = self.tasks.get_mut(&p) else {
            return Ok(());
        };
        task.last_record = Instant::now();
        if let Some(advance) = records::header(headers, ADVANCE) {
            match advance.parse::<i64>() {
                Ok(t) => task.engine.advance_to(t, &mut |f| found.push(f)),
                Err(_) => {
                    dead = Some(format!(
                        "the `{ADVANCE}` header `{advance}` is not a number of seconds"
                    ))
                }
            }
        } else {
            let mut event = Event::default();
            match payload.map(|v| decode_line(task.engine.decoder(), v, &mut event)) {
                None => dead = Some("the record has no value".to_owned()),
                Some(Err(reason)) => dead = Some(reason),
                // A member judges one regulation, whose vocabulary shares with no other.
                Some(Ok(LineKind::Blank | LineKind::Elsewhere | LineKind::Rejected)) => {}
                Some(Ok(LineKind::Event)) => match task.engine.watermark() {
                    Some(w) if event.time < w => {
                        dead = Some(format!(
                            "event time {} is earlier than the partition's watermark {}; events may arrive at most {} seconds out of order",
                            event.time_rfc3339(),
                            time::format_rfc3339(w, 0, event.time_offset_seconds),
                            self.config.options.allowed_lateness_seconds
                        ));
                    }
                    _ => {
                        if self.partitioning.key(&event).is_none() {
                            dead =
                                Some(format!("the record has no `{}`", self.partitioning.field()));
                        } else {
                            task.engine
                                .judge_admitted(offset as u64 + 1, event, &mut |f| found.push(f));
                        }
                    }
                },
            }
        }
        task.next = offset + 1;
        self.dirty.insert(p);
        for finding in found {
            self.write_finding(p, finding)?;
        }
        if let Some(reason) = dead {
            self.metrics.dead_letter();
            let headers = OwnedHeaders::new()
                .insert(KafkaHeader {
                    key: REASON,
                    value: Some(reason.as_str()),
                })
                .insert(KafkaHeader {
                    key: SOURCE_TOPIC,
                    value: Some(self.config.events_topic.as_str()),
                })
                .insert(KafkaHeader {
                    key: SOURCE_PARTITION,
                    value: Some(p.to_string().as_str()),
                })
                .insert(KafkaHeader {
                    key: SOURCE_OFFSET,
                    value: Some(offset.to_string().as_str()),
                });
            let mut record: BaseRecord<'_, [u8], [u8]> =
                BaseRecord::to(&self.config.dead_letter_topic).headers(headers);
            if let Some(key) = key {
                record = record.key(key);
            }
            if let Some(value) = payload {
                record = record.payload(value);
            }
            send(&self.producer, record)?;
        }
        Ok(())
    }

    fn write_finding(&mut self, p: i32, finding: Finding) -> Result<(), String> {
        let Some(task) = self.tasks.get_mut(&p) else {
            return Ok(());
        };
        let seq = task.emitted;
        task.emitted += 1;
        if seq < task.skip_until {
            return Ok(());
        }
        self.metrics.finding(finding.finding);
        let json = finding.to_json_line();
        let key = finding
            .party
            .as_ref()
            .map(|r| r.value.clone())
            .unwrap_or_default();
        let headers = OwnedHeaders::new()
            .insert(KafkaHeader {
                key: SOURCE_PARTITION,
                value: Some(p.to_string().as_str()),
            })
            .insert(KafkaHeader {
                key: SEQ,
                value: Some(seq.to_string().as_str()),
            });
        let record = BaseRecord::to(&self.config.findings_topic)
            .partition(p % self.findings_partitions)
            .key(key.as_bytes())
            .payload(json.trim_end().as_bytes())
            .headers(headers);
        send(&self.producer, record)
    }

    /// Appends a heartbeat to every owned partition idle for `every`.
    pub(crate) fn heartbeats(&mut self, every: Duration) -> Result<(), String> {
        let due: Vec<(i32, i64)> = self
            .tasks
            .iter()
            .filter(|(_, t)| t.last_record.elapsed() >= every)
            .filter_map(|(p, t)| Some((*p, t.engine.latest()?)))
            .collect();
        for (p, latest) in due {
            self.begin()?;
            let to = latest.saturating_add(i64::try_from(every.as_secs()).unwrap_or(i64::MAX));
            let headers = OwnedHeaders::new().insert(KafkaHeader {
                key: ADVANCE,
                value: Some(to.to_string().as_str()),
            });
            let record: BaseRecord<'_, [u8], [u8]> = BaseRecord::to(&self.config.events_topic)
                .partition(p)
                .headers(headers);
            send(&self.producer, record)?;
            if let Some(task) = self.tasks.get_mut(&p) {
                task.last_record = Instant::now();
            }
            self.metrics.heartbeat();
        }
        Ok(())
    }

    /// Commits the open transaction: the snapshots of the partitions judged, their offsets,
    /// and everything written since it began. On failure it is aborted and every partition is
    /// restored again from what is committed.
    pub(crate) fn commit<C: ConsumerContext>(
        &mut self,
        consumer: &BaseConsumer<C>,
    ) -> Result<(), String> {
        if !self.open {
            return Ok(());
        }
        match self.try_commit(consumer) {
            Ok(()) => {
                self.metrics.committed();
                Ok(())
            }
            Err(e) => {
                eprintln!(
                    "warning: the transaction failed and is aborted ({e}); the partitions are restored from the changelog"
                );
                let _ = self.producer.abort_transaction(TXN_TIMEOUT);
                self.open = false;
                self.metrics.aborted();
                self.dirty.clear();
                let owned: Vec<i32> = self.tasks.keys().copied().collect();
                self.tasks.clear();
                self.pending.extend(owned);
                if matches!(&e, Failure::Fatal(_)) {
                    return Err(e.to_string());
                }
                Ok(())
            }
        }
    }

    fn try_commit<C: ConsumerContext>(
        &mut self,
        consumer: &BaseConsumer<C>,
    ) -> Result<(), Failure> {
        let dirty: Vec<i32> = std::mem::take(&mut self.dirty).into_iter().collect();
        let mut offsets = TopicPartitionList::new();
        let mut headers: Offsets = HashMap::new();
        let mut saved: Vec<(i32, Header, Vec<u8>)> = Vec::new();
        for &p in &dirty {
            let Some(task) = self.tasks.get_mut(&p) else {
                continue;
            };
            let bytes = task.engine.snapshot();
            task.generation += 1;
            let chunks: Vec<&[u8]> = bytes.chunks(changelog::CHUNK).collect();
            let header = Header {
                generation: task.generation,
                chunks: u32::try_from(chunks.len()).unwrap_or(u32::MAX),
                offset: task.next,
                emitted: task.emitted,
                floor: task.floor,
                revision: self.config.bundle.hash.clone(),
            };
            let generation = task.generation.to_string();
            for (i, chunk) in chunks.iter().enumerate() {
                let key = changelog::chunk_key(p, i);
                let record = BaseRecord::to(&self.config.changelog_topic)
                    .partition(p)
                    .key(key.as_bytes())
                    .payload(*chunk)
                    .headers(OwnedHeaders::new().insert(KafkaHeader {
                        key: changelog::GENERATION,
                        value: Some(generation.as_str()),
                    }));
                send(&self.producer, record).map_err(Failure::Retry)?;
            }
            let json = serde_json::to_vec(&header).unwrap_or_default();
            let key = changelog::header_key(p);
            let record = BaseRecord::to(&self.config.changelog_topic)
                .partition(p)
                .key(key.as_bytes())
                .payload(json.as_slice());
            send(&self.producer, record).map_err(Failure::Retry)?;
            offsets
                .add_partition_offset(&self.config.events_topic, p, Offset::Offset(task.next))
                .map_err(|e| Failure::Retry(e.to_string()))?;
            headers.insert(p, task.next);
            saved.push((p, header, bytes));
        }
        let group = consumer
            .group_metadata()
            .ok_or_else(|| Failure::Retry("the consumer has no group metadata yet".to_owned()))?;
        if offsets.count() > 0 {
            self.producer
                .send_offsets_to_transaction(&offsets, &group, TXN_TIMEOUT)
                .map_err(classify)?;
        }
        self.producer
            .commit_transaction(TXN_TIMEOUT)
            .map_err(classify)?;
        self.open = false;
        if let Ok(mut failed) = self.producer.context().failed.lock()
            && let Some(e) = failed.take()
        {
            return Err(Failure::Retry(format!("a record was not delivered: {e}")));
        }
        // Committed: the local store keeps each snapshot, with the changelog offset of its
        // header, and the findings partition's end becomes the next floor.
        let mut meta = Vec::new();
        for (p, header, bytes) in saved {
            let at = self
                .producer
                .context()
                .last(&self.config.changelog_topic, p % self.changelog_partitions)
                .unwrap_or(-1);
            meta.push((
                self.local_key(p),
                changelog::encode_local(at, &header, &bytes),
            ));
            if let Some(task) = self.tasks.get_mut(&p)
                && let Some(end) = self
                    .producer
                    .context()
                    .last(&self.config.findings_topic, p % self.findings_partitions)
            {
                task.floor = task.floor.max(end + 1);
            }
        }
        if let Err(e) = self.store.append(&Append {
            meta,
            ..Append::default()
        }) {
            eprintln!(
                "warning: the local store was not updated ({e}); the changelog has the state"
            );
        }
        Ok(())
    }
}

/// Why a commit failed.
#[derive(Debug)]
enum Failure {
    /// Abort, restore from the changelog and go on.
    Retry(String),
    /// The producer was fenced or is broken: stop.
    Fatal(String),
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Retry(e) | Failure::Fatal(e) => f.write_str(e),
        }
    }
}

fn classify(e: KafkaError) -> Failure {
    match &e {
        KafkaError::Transaction(t) if t.is_fatal() => Failure::Fatal(e.to_string()),
        _ => Failure::Retry(e.to_string()),
    }
}

/// Sends a record, waiting while the producer's queue is full.
fn send<K, P>(
    producer: &BaseProducer<Deliveries>,
    mut record: BaseRecord<'_, K, P>,
) -> Result<(), String>
where
    K: rdkafka::message::ToBytes + ?Sized,
    P: rdkafka::message::ToBytes + ?Sized,
{
    loop {
        match producer.send(record) {
            Ok(()) => return Ok(()),
            Err((
                KafkaError::MessageProduction(rdkafka::types::RDKafkaErrorCode::QueueFull),
                back,
            )) => {
                record = back;
                producer.poll(Duration::from_millis(10));
            }
            Err((e, _)) => return Err(format!("cannot produce a record: {e}")),
        }
    }
}
