//! Restoring a member's partitions before they are judged: the latest snapshot from the local
//! store and the changelog topic beyond it, the findings already visible past it (so that none
//! is written twice), and the events topic resumed at the snapshot's offset.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use edict_runtime::engine::Engine;
use rdkafka::consumer::{BaseConsumer, Consumer, ConsumerContext};
use rdkafka::error::KafkaError;
use rdkafka::message::Message;
use rdkafka::{Offset, TopicPartitionList};

use super::{Member, SEQ, SOURCE_PARTITION, Task};
use crate::{changelog, records};

impl Member {
    /// Restores every partition assigned (or aborted) since the last call, and moves the
    /// consumer to where each restored snapshot stops; gives the partitions restored (a record
    /// of them already polled is read again from there).
    pub(crate) fn restore_assigned<C: ConsumerContext>(
        &mut self,
        consumer: &BaseConsumer<C>,
    ) -> Result<BTreeSet<i32>, String> {
        let mut restored = BTreeSet::new();
        while let Some(p) = self.pending.pop_first() {
            let started = Instant::now();
            let (task, from_snapshot) = self.restore(p)?;
            let position = if from_snapshot {
                Offset::Offset(task.next)
            } else {
                Offset::Beginning
            };
            if let Err(e) = consumer.seek(
                &self.config.events_topic,
                p,
                position,
                Duration::from_secs(10),
            ) {
                return Err(format!(
                    "cannot move to offset {} of partition {p}: {e}",
                    task.next
                ));
            }
            restored.insert(p);
            self.metrics.restored(started.elapsed());
            eprintln!(
                "restored partition {p} at offset {} ({} findings written so far) in {:.3} s",
                task.next,
                task.emitted,
                started.elapsed().as_secs_f64()
            );
            self.tasks.insert(p, task);
            self.metrics.owned(self.tasks.len());
        }
        Ok(restored)
    }

    pub(super) fn local_key(&self, p: i32) -> String {
        format!(
            "kafka/{}/{}/{p}",
            self.config.changelog_topic, self.config.group
        )
    }

    /// A partition's engine as its last committed snapshot left it, and whether there was one.
    pub(super) fn restore(&mut self, p: i32) -> Result<(Task, bool), String> {
        let mut reader = changelog::Reader::new(p);
        let mut from = 0;
        if let Ok(Some(local)) = self.store.meta(&self.local_key(p))
            && let Some((offset, header, bytes)) = changelog::decode_local(&local)
        {
            from = offset + 1;
            reader.seed(offset, header, bytes);
        }
        let topic = self.config.changelog_topic.clone();
        read_partition(
            &self.reader,
            &topic,
            p,
            from,
            |offset, key, value, headers| {
                let generation =
                    records::header(headers, changelog::GENERATION).and_then(|g| g.parse().ok());
                reader.record(offset, key.unwrap_or_default(), value, generation);
            },
        )?;
        let mut engine =
            Engine::with_options(self.config.bundle.program.clone(), self.config.options)
                .map_err(|e| format!("the bundle cannot be run: {e}"))?;
        let mut task = Task {
            engine: engine.clone(),
            next: 0,
            emitted: 0,
            skip_until: 0,
            floor: 0,
            generation: 0,
            last_record: Instant::now(),
        };
        let snapshot = reader.finish();
        let from_snapshot = snapshot.is_some();
        if let Some((_, header, bytes)) = snapshot {
            if header.revision != self.config.bundle.hash {
                eprintln!(
                    "partition {p}: the snapshot was made by revision {}, this member runs {}; what is still meaningful is kept",
                    header.revision, self.config.bundle.hash
                );
            }
            engine.restore(&bytes).map_err(|e| {
                format!("partition {p}: the changelog's snapshot cannot be restored: {e}")
            })?;
            task = Task {
                engine,
                next: header.offset,
                emitted: header.emitted,
                skip_until: header.emitted,
                floor: header.floor,
                generation: header.generation,
                last_record: Instant::now(),
            };
        }
        // Findings of this partition already visible past the snapshot are not written again.
        let findings = self.config.findings_topic.clone();
        let fp = p % self.findings_partitions;
        let mut visible = task.emitted;
        read_partition(
            &self.reader,
            &findings,
            fp,
            task.floor.max(0),
            |_, _, _, headers| {
                let source =
                    records::header(headers, SOURCE_PARTITION).and_then(|s| s.parse::<i32>().ok());
                let seq = records::header(headers, SEQ).and_then(|s| s.parse::<u64>().ok());
                if let (Some(source), Some(seq)) = (source, seq)
                    && source == p
                {
                    visible = visible.max(seq + 1);
                }
            },
        )?;
        task.skip_until = visible;
        Ok((task, from_snapshot))
    }
}

/// Reads one partition from `from` to its end (as `read_committed` sees it).
fn read_partition(
    settings: &rdkafka::ClientConfig,
    topic: &str,
    partition: i32,
    from: i64,
    mut each: impl FnMut(i64, Option<&[u8]>, Option<&[u8]>, &[(String, String)]),
) -> Result<(), String> {
    let reader: BaseConsumer = settings
        .create()
        .map_err(|e| format!("cannot create the restoring consumer: {e}"))?;
    let mut list = TopicPartitionList::new();
    list.add_partition_offset(topic, partition, Offset::Offset(from))
        .map_err(|e| e.to_string())?;
    reader
        .assign(&list)
        .map_err(|e| format!("cannot read `{topic}` partition {partition}: {e}"))?;
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        match reader.poll(Duration::from_millis(50)) {
            Some(Ok(m)) => {
                let headers = records::headers(&m);
                each(m.offset(), m.key(), m.payload(), &headers);
            }
            Some(Err(KafkaError::PartitionEOF(p))) if p == partition => break,
            Some(Err(KafkaError::PartitionEOF(_))) => {}
            Some(Err(e)) => {
                return Err(format!("cannot read `{topic}` partition {partition}: {e}"));
            }
            None => {}
        }
        if Instant::now() > deadline {
            return Err(format!(
                "reading `{topic}` partition {partition} did not reach its end within two minutes"
            ));
        }
    }
    Ok(())
}
