//! `edict consume` on a real broker protocol: librdkafka's mock cluster (three brokers in this
//! test process, on loopback ports) and members that are processes of the real `edict` binary.
//!
//! - 10^5 events over 4 partitions, judged by a group of two members; one is killed with
//!   SIGKILL mid-stream and a third joins. The findings topic then holds exactly the findings
//!   of one `edict run` over the same events: per partition, the same findings in the same
//!   order (so the same multiset).
//! - Bad records go to the dead-letter topic with their reason, are counted in `/metrics`,
//!   and the group goes on.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    reason = "a test fails loudly when its fixtures are missing or broken"
)]

mod common;

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{MEASURES, code, edict, scratch, stderr, stdout};
use edict_generator::{Config as GenConfig, Generator};
use rdkafka::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::error::KafkaError;
use rdkafka::message::{Header, Headers, Message, OwnedHeaders};
use rdkafka::mocking::MockCluster;
use rdkafka::producer::{BaseProducer, BaseRecord, Producer};
use rdkafka::{Offset, TopicPartitionList};

/// Partitions of the events, findings and changelog topics. The mock cluster keeps at most
/// 5 MB per partition (older records are dropped), so the stream is spread over enough of them.
const PARTITIONS: i32 = 8;
/// The time every partition is advanced to at the end of the stream.
const END: &str = "2030-01-01T00:00:00+08:00";
const END_SECONDS: i64 = 1_893_427_200;

fn s(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// A record read back: key, value and headers.
type Record = (Vec<u8>, Vec<u8>, Vec<(String, String)>);

struct Cluster {
    cluster: MockCluster<'static, rdkafka::producer::DefaultProducerContext>,
}

impl Cluster {
    fn new(topics: &[(&str, i32)]) -> Cluster {
        let cluster = MockCluster::new(3).expect("a mock cluster");
        for (topic, partitions) in topics {
            cluster
                .create_topic(topic, *partitions, 1)
                .expect("a topic");
        }
        Cluster { cluster }
    }

    fn brokers(&self) -> String {
        self.cluster.bootstrap_servers()
    }

    fn producer(&self) -> BaseProducer {
        ClientConfig::new()
            .set("bootstrap.servers", self.brokers())
            .set("enable.idempotence", "true")
            .set("linger.ms", "20")
            .create()
            .expect("a producer")
    }

    /// Every record of a topic's partition: (key, value, headers).
    fn read(&self, topic: &str, partition: i32) -> Vec<Record> {
        let reader: BaseConsumer = ClientConfig::new()
            .set("bootstrap.servers", self.brokers())
            .set("group.id", "edict-test-reader")
            .set("enable.partition.eof", "true")
            .set("enable.auto.commit", "false")
            .set("isolation.level", "read_committed")
            .create()
            .expect("a reader");
        let mut list = TopicPartitionList::new();
        list.add_partition_offset(topic, partition, Offset::Beginning)
            .unwrap();
        reader.assign(&list).unwrap();
        let mut out = Vec::new();
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            match reader.poll(Duration::from_millis(500)) {
                Some(Ok(m)) => {
                    let headers = m
                        .headers()
                        .map(|h| {
                            h.iter()
                                .map(|h| {
                                    (
                                        h.key.to_owned(),
                                        String::from_utf8_lossy(h.value.unwrap_or_default())
                                            .into_owned(),
                                    )
                                })
                                .collect()
                        })
                        .unwrap_or_default();
                    out.push((
                        m.key().unwrap_or_default().to_vec(),
                        m.payload().unwrap_or_default().to_vec(),
                        headers,
                    ));
                }
                Some(Err(KafkaError::PartitionEOF(_))) => break,
                Some(Err(e)) => panic!("reading {topic}/{partition}: {e}"),
                None => {}
            }
            assert!(
                Instant::now() < deadline,
                "reading {topic}/{partition} timed out"
            );
        }
        out
    }

    /// Records in a topic of the test's partition count.
    fn count(&self, topic: &str) -> usize {
        (0..PARTITIONS).map(|p| self.read(topic, p).len()).sum()
    }
}

/// Sends a record, waiting while the producer's queue is full.
fn send<K, P>(producer: &BaseProducer, mut record: BaseRecord<'_, K, P>)
where
    K: rdkafka::message::ToBytes + ?Sized,
    P: rdkafka::message::ToBytes + ?Sized,
{
    loop {
        match producer.send(record) {
            Ok(()) => return,
            Err((
                KafkaError::MessageProduction(rdkafka::types::RDKafkaErrorCode::QueueFull),
                back,
            )) => {
                record = back;
                producer.poll(Duration::from_millis(5));
            }
            Err((e, _)) => panic!("cannot produce: {e}"),
        }
    }
}

/// A member of the group: the real binary, its standard error gathered as it runs.
struct Member {
    child: Child,
    log: Arc<Mutex<String>>,
}

fn member(brokers: &str, group: &str, state: &Path, extra: &[&str]) -> Member {
    let mut child = Command::new(env!("CARGO_BIN_EXE_edict"))
        .args([
            "consume",
            MEASURES,
            "--brokers",
            brokers,
            "--group",
            group,
            "--events-topic",
            "events",
            "--findings-topic",
            "findings",
            "--dead-letter-topic",
            "dead",
            "--changelog-topic",
            "changelog",
            "--state",
            s(state),
            "--commit-interval",
            "300",
            "-X",
            "session.timeout.ms=6000",
            "-X",
            "heartbeat.interval.ms=500",
        ])
        .args(extra)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("edict consume starts");
    let log = Arc::new(Mutex::new(String::new()));
    let stderr = child.stderr.take().expect("piped");
    let into = Arc::clone(&log);
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Ok(mut log) = into.lock() {
                log.push_str(&line);
                log.push('\n');
            }
        }
    });
    Member { child, log }
}

impl Member {
    fn log(&self) -> String {
        self.log.lock().map(|l| l.clone()).unwrap_or_default()
    }

    /// Waits until the member's log says `what`.
    fn wait_for(&self, what: &str, within: Duration) {
        let deadline = Instant::now() + within;
        while !self.log().contains(what) {
            assert!(
                Instant::now() < deadline,
                "the member never said `{what}`:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn kill(mut self) {
        self.child.kill().unwrap();
        let _ = self.child.wait();
    }

    /// Stops the member with SIGTERM; gives its log.
    fn stop(mut self) -> String {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(60);
        while self.child.try_wait().ok().flatten().is_none() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        std::thread::sleep(Duration::from_millis(200));
        self.log()
    }
}

/// The partition of a processor: its order of first appearance, modulo the partitions.
fn partition_of(order: &mut HashMap<String, i32>, processor: &str) -> i32 {
    let next = order.len() as i32;
    *order.entry(processor.to_owned()).or_insert(next) % PARTITIONS
}

fn processor(line: &str) -> String {
    let v: serde_json::Value = serde_json::from_str(line).expect("a generated line");
    v["processor"].as_str().unwrap_or_default().to_owned()
}

#[test]
fn a_killed_member_and_a_new_one_leave_exactly_the_findings_of_one_run() {
    let dir = scratch("kafka-rebalance");
    let cluster = Cluster::new(&[
        ("events", PARTITIONS),
        ("findings", PARTITIONS),
        ("changelog", PARTITIONS),
        ("dead", 1),
    ]);
    let brokers = cluster.brokers();
    let lines: Vec<String> = Generator::new(GenConfig {
        events: 100_000,
        seed: 21,
        violation_rate: 0.02,
        processors: 8,
        mean_gap_ms: 2_000,
        ..GenConfig::default()
    })
    .map(|l| l.text)
    .collect();
    let events = dir.join("events.jsonl");
    std::fs::write(&events, lines.join("\n") + "\n").unwrap();

    // What one run over the whole stream finds, closed at END: the findings a group must
    // write once every partition is advanced to END (less the `open` ones, which only closing
    // a stream reports).
    let reference = edict(&[
        "run",
        MEASURES,
        "--events",
        s(&events),
        "--as-of",
        END,
        "--order",
        "found",
        "--format",
        "json",
        "--workers",
        "1",
    ]);
    assert_eq!(code(&reference), 0, "{}", stderr(&reference));

    // The events, keyed by processor, each processor on one partition; then a heartbeat at
    // the end of every partition. The first 60% are there when the group starts; the rest
    // comes once the third member has joined.
    let producer = cluster.producer();
    let mut order = HashMap::new();
    let mut place: Vec<(i32, i64)> = Vec::with_capacity(lines.len());
    let mut next = [0i64; PARTITIONS as usize];
    let records: Vec<(i32, String)> = lines
        .iter()
        .map(|line| {
            let key = processor(line);
            let p = partition_of(&mut order, &key);
            place.push((p, next[p as usize]));
            next[p as usize] += 1;
            (p, key)
        })
        .collect();
    let produce = |from: usize, to: usize| {
        for ((p, key), line) in records[from..to].iter().zip(&lines[from..to]) {
            send(
                &producer,
                BaseRecord::to("events")
                    .partition(*p)
                    .key(key.as_bytes())
                    .payload(line.as_bytes()),
            );
        }
        producer.flush(Duration::from_secs(30)).unwrap();
    };
    let split = lines.len() * 3 / 5;
    produce(0, split);
    assert!(
        next.iter().all(|&n| n > 1000),
        "every partition has events: {next:?}"
    );

    let mut expected: Vec<Vec<String>> = vec![Vec::new(); PARTITIONS as usize];
    // Violations of the first part of the stream, found before the rest is sent.
    let mut early = 0;
    for text in stdout(&reference).lines() {
        let mut finding: serde_json::Value = serde_json::from_str(text).unwrap();
        if finding["finding"] == "open" {
            continue;
        }
        let line = finding["line"].as_u64().unwrap() as usize;
        if line <= split && finding["finding"] == "violation" {
            early += 1;
        }
        let (p, offset) = place[line - 1];
        finding["line"] = serde_json::Value::from(offset + 1);
        expected[p as usize].push(finding.to_string());
    }
    let total: usize = expected.iter().map(Vec::len).sum();
    assert!(total > 2_000, "a stream with findings: {total}");

    // Two members; the first is killed once the group is well into the stream, a third joins.
    let group = "edict-test";
    let first = member(&brokers, group, &dir.join("m1"), &["--heartbeat", "0"]);
    let second = member(&brokers, group, &dir.join("m2"), &["--heartbeat", "0"]);
    let deadline = Instant::now() + Duration::from_secs(150);
    while cluster.count("findings") < early / 2 {
        assert!(
            Instant::now() < deadline,
            "the group did not get far enough in time"
        );
        std::thread::sleep(Duration::from_millis(300));
    }
    first.kill();
    let third = member(&brokers, group, &dir.join("m3"), &["--heartbeat", "0"]);
    third.wait_for("restored partition", Duration::from_secs(120));
    produce(split, lines.len());
    for p in 0..PARTITIONS {
        let headers = OwnedHeaders::new().insert(Header {
            key: "edict-advance",
            value: Some(END_SECONDS.to_string().as_str()),
        });
        let record: BaseRecord<'_, [u8], [u8]> =
            BaseRecord::to("events").partition(p).headers(headers);
        send(&producer, record);
    }
    producer.flush(Duration::from_secs(30)).unwrap();
    for p in 0..PARTITIONS {
        let stored = cluster.read("events", p);
        assert_eq!(
            stored.len() as i64,
            next[p as usize] + 1,
            "partition {p} holds every record sent (the mock cluster keeps 5 MB per partition)"
        );
    }
    let deadline = Instant::now() + Duration::from_secs(200);
    while cluster.count("findings") < total {
        assert!(
            Instant::now() < deadline,
            "the group did not finish in time"
        );
        std::thread::sleep(Duration::from_millis(500));
    }
    // Let a duplicate, if any were to come, arrive before looking.
    std::thread::sleep(Duration::from_secs(2));
    let log2 = second.stop();
    let log3 = third.stop();

    for p in 0..PARTITIONS {
        let found: Vec<String> = cluster
            .read("findings", p)
            .into_iter()
            .map(|(_, v, _)| {
                let v: serde_json::Value = serde_json::from_slice(&v).unwrap();
                v.to_string()
            })
            .collect();
        if found.len() != expected[p as usize].len() {
            let first = found
                .iter()
                .zip(&expected[p as usize])
                .position(|(f, e)| f != e)
                .unwrap_or(found.len().min(expected[p as usize].len()));
            eprintln!(
                "partition {p} first difference at {first}:\nfound    {:?}\nexpected {:?}",
                found.get(first),
                expected[p as usize].get(first)
            );
        }
        assert_eq!(
            found.len(),
            expected[p as usize].len(),
            "partition {p}: {} findings written, {} expected\nmember 2:\n{log2}\nmember 3:\n{log3}",
            found.len(),
            expected[p as usize].len()
        );
        for (i, (f, e)) in found.iter().zip(&expected[p as usize]).enumerate() {
            assert_eq!(f, e, "partition {p}, finding {i}");
        }
    }
    assert_eq!(cluster.read("dead", 0).len(), 0);
    assert!(log3.contains("restored partition"), "{log3}");
}

#[test]
fn bad_records_go_to_the_dead_letter_topic_with_their_reason() {
    let dir = scratch("kafka-dead-letters");
    let cluster = Cluster::new(&[
        ("events", PARTITIONS),
        ("findings", PARTITIONS),
        ("changelog", PARTITIONS),
        ("dead", 1),
    ]);
    let brokers = cluster.brokers();
    let good: Vec<String> = Generator::new(GenConfig {
        events: 2_000,
        seed: 3,
        violation_rate: 0.05,
        processors: 1,
        mean_gap_ms: 20_000,
        ..GenConfig::default()
    })
    .map(|l| l.text)
    .collect();
    let bad: Vec<(&[u8], &str)> = vec![
        (b"{not json", "a key in double quotes should be"),
        (
            br#"{"type":"teleport","time":"2025-07-01T00:00:00+08:00","processor":"p"}"#,
            "unknown event type \"teleport\"",
        ),
        (
            br#"{"type":"deletion","time":"2025-07-01T00:00:00+08:00","processor":"p"}"#,
            "missing field",
        ),
        (b"\xff\xfe", "not valid UTF-8"),
    ];
    let producer = cluster.producer();
    for (i, line) in good.iter().enumerate() {
        send(
            &producer,
            BaseRecord::to("events")
                .partition(0)
                .key("p")
                .payload(line.as_bytes()),
        );
        if i % 500 == 250 {
            let (value, _) = bad[(i / 500) % bad.len()];
            send(
                &producer,
                BaseRecord::to("events")
                    .partition(0)
                    .key("p")
                    .payload(value),
            );
        }
        if i % 100 == 0 {
            producer.poll(Duration::from_millis(0));
        }
    }
    producer.flush(Duration::from_secs(30)).unwrap();

    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let listen = format!("127.0.0.1:{port}");
    let child = member(
        &brokers,
        "edict-dlq",
        &dir.join("m"),
        &["--listen", &listen, "--heartbeat", "1"],
    );
    let deadline = Instant::now() + Duration::from_secs(90);
    let dead = loop {
        let dead = cluster.read("dead", 0);
        if dead.len() >= 4 {
            break dead;
        }
        assert!(
            Instant::now() < deadline,
            "the dead letters did not arrive:\n{}",
            child.log()
        );
        std::thread::sleep(Duration::from_millis(300));
    };
    // The partition goes quiet: the member appends a heartbeat that moves its time on by the
    // heartbeat (one second) from its latest event.
    let deadline = Instant::now() + Duration::from_secs(30);
    let advance = loop {
        let advances: Vec<String> = cluster
            .read("events", 0)
            .into_iter()
            .filter_map(|(_, _, h)| {
                h.into_iter()
                    .find(|(k, _)| k == "edict-advance")
                    .map(|(_, v)| v)
            })
            .collect();
        if let Some(first) = advances.first() {
            break first.clone();
        }
        assert!(Instant::now() < deadline, "no heartbeat was appended");
        std::thread::sleep(Duration::from_millis(300));
    };
    let latest = good
        .iter()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            edict_runtime::time::parse_rfc3339(v["time"].as_str().unwrap())
                .unwrap()
                .second
        })
        .max()
        .unwrap();
    assert_eq!(advance, (latest + 1).to_string());
    let metrics = http_get(&listen, "/metrics");
    let health = http_get(&listen, "/health");
    let log = child.stop();
    assert_eq!(dead.len(), 4, "{log}");
    for ((value, reason), (_, got, headers)) in bad.iter().zip(&dead) {
        assert_eq!(got.as_slice(), *value);
        let said = headers
            .iter()
            .find(|(k, _)| k == "edict-reason")
            .map(|(_, v)| v.as_str())
            .unwrap_or("");
        assert!(
            said.contains(reason),
            "reason `{said}` should say `{reason}`"
        );
        assert!(
            headers
                .iter()
                .any(|(k, v)| k == "edict-source-topic" && v == "events")
        );
    }
    assert!(
        !metrics.contains("edict_consume_heartbeats_total 0"),
        "{metrics}"
    );
    assert!(
        metrics.contains("edict_consume_dead_letters_total 4"),
        "{metrics}"
    );
    assert!(health.contains(r#""status":"ok""#), "{health}");
    // The good records were judged.
    assert!(cluster.count("findings") > 0, "{log}");
}

fn http_get(address: &str, path: &str) -> String {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(address).expect("the probe listener");
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut text = String::new();
    stream.read_to_string(&mut text).unwrap();
    text
}

/// Without brokers, or with a policy whose stream cannot be partitioned, a member does not
/// start, and says why.
#[test]
fn consume_refuses_what_it_cannot_run() {
    let dir = scratch("kafka-refusals");
    let state = dir.join("state");
    let no_brokers = edict(&["consume", MEASURES, "--state", s(&state)]);
    assert_eq!(code(&no_brokers), 2);
    assert!(
        stderr(&no_brokers).contains("give the brokers with `--brokers"),
        "{}",
        stderr(&no_brokers)
    );
    let config = dir.join("edict.properties");
    std::fs::write(&config, "edict.brokers=127.0.0.1:1\nedict.partitions=3\n").unwrap();
    let unknown = edict(&[
        "consume",
        MEASURES,
        "--state",
        s(&state),
        "--config",
        s(&config),
    ]);
    assert_eq!(code(&unknown), 2);
    assert!(
        stderr(&unknown).contains("`edict.partitions` is not a setting of `edict consume`"),
        "{}",
        stderr(&unknown)
    );
    let fixture = "../tests/diagnostics/E0600-not-partitionable.edict";
    let refused = edict(&[
        "consume",
        fixture,
        "--brokers",
        "127.0.0.1:1",
        "--state",
        s(&state),
    ]);
    assert_eq!(code(&refused), 1);
    assert!(
        stderr(&refused).contains("error[E0600]"),
        "{}",
        stderr(&refused)
    );
}
