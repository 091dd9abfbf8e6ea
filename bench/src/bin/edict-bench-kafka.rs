//! Throughput of `edict consume` through librdkafka's mock cluster (three brokers in this
//! process, on loopback ports), with 1, 2 and 3 members: the release `edict` binary, started
//! by this program.
//!
//! Each run gets a fresh cluster and a generated stream (keyed by processor, one processor per
//! partition) already in the events topic, ending with a heartbeat record per partition; the
//! members start together, and the run is timed from their start until the group's committed
//! offsets reach the end of every partition (every record judged, its findings and the
//! partition's snapshot committed). Member start-up (compiling the Measures, joining the group,
//! restoring empty partitions) is included.
//!
//! `cargo build --release --bin edict && cargo run --release -p edict-bench --bin edict-bench-kafka`

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    reason = "a benchmark fails loudly when its set-up fails"
)]

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use edict_generator::{Config, Generator};
use rdkafka::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::error::KafkaError;
use rdkafka::message::{Header, OwnedHeaders};
use rdkafka::mocking::MockCluster;
use rdkafka::producer::{BaseProducer, BaseRecord, Producer};

/// The mock cluster keeps at most 5 MB per partition: spread the stream.
const PARTITIONS: i32 = 16;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let events: u64 = args
        .iter()
        .position(|a| a == "--events")
        .and_then(|i| args.get(i + 1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(200_000);
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let edict = root.join("target/release/edict");
    assert!(
        edict.exists(),
        "build it first: cargo build --release --bin edict"
    );
    let lines: Vec<String> = Generator::new(Config {
        events,
        seed: 1,
        processors: PARTITIONS as u32,
        violation_rate: 0.01,
        mean_gap_ms: 2_000,
        ..Config::default()
    })
    .map(|l| l.text)
    .collect();
    // What the group must write: the findings of one run closed at the heartbeat's time, less
    // the `open` ones (only closing a stream reports those).
    let file = std::env::temp_dir().join(format!("edict-bench-kafka-{}.jsonl", std::process::id()));
    std::fs::write(&file, lines.join("\n") + "\n").expect("the stream is written");
    let reference = Command::new(&edict)
        .current_dir(&root)
        .args([
            "run",
            "policies/measures-2025",
            "--format",
            "json",
            "--workers",
            "1",
        ])
        .args(["--as-of", "2030-01-01T00:00:00+08:00", "--events"])
        .arg(&file)
        .output()
        .expect("edict run");
    let _ = std::fs::remove_file(&file);
    let expected = String::from_utf8_lossy(&reference.stdout)
        .lines()
        .filter(|l| !l.contains(r#""finding":"open""#))
        .count() as i64;
    println!("| members | events | seconds | events/s |");
    println!("|---:|---:|---:|---:|");
    for members in 1..=3 {
        let (seconds, rate) = run(&edict, &root, &lines, members, expected);
        println!(
            "| {members} | {events} | {seconds:.1} | {:.1} k/s |",
            rate / 1000.0
        );
    }
}

fn run(
    edict: &PathBuf,
    root: &PathBuf,
    lines: &[String],
    members: usize,
    expected: i64,
) -> (f64, f64) {
    let cluster = MockCluster::new(3).expect("a mock cluster");
    for (topic, n) in [
        ("events", PARTITIONS),
        ("findings", PARTITIONS),
        ("changelog", PARTITIONS),
        ("dead", 1),
    ] {
        cluster.create_topic(topic, n, 1).expect("a topic");
    }
    let brokers = cluster.bootstrap_servers();
    let producer: BaseProducer = ClientConfig::new()
        .set("bootstrap.servers", &brokers)
        .set("linger.ms", "20")
        .create()
        .expect("a producer");
    let mut order: HashMap<String, i32> = HashMap::new();
    let mut ends = vec![0i64; PARTITIONS as usize];
    for line in lines {
        let v: serde_json::Value = serde_json::from_str(line).expect("a generated line");
        let key = v["processor"].as_str().unwrap_or_default().to_owned();
        let next = order.len() as i32;
        let p = *order.entry(key.clone()).or_insert(next) % PARTITIONS;
        ends[p as usize] += 1;
        send(
            &producer,
            BaseRecord::to("events")
                .partition(p)
                .key(key.as_bytes())
                .payload(line.as_bytes()),
        );
    }
    for p in 0..PARTITIONS {
        let headers = OwnedHeaders::new().insert(Header {
            key: "edict-advance",
            value: Some("1893427200"),
        });
        let record: BaseRecord<'_, [u8], [u8]> =
            BaseRecord::to("events").partition(p).headers(headers);
        send(&producer, record);
        ends[p as usize] += 1;
    }
    producer.flush(Duration::from_secs(60)).expect("flushed");

    let state = std::env::temp_dir().join(format!(
        "edict-bench-kafka-{}-{members}",
        std::process::id()
    ));
    let group = format!("bench-{members}");
    let started = Instant::now();
    let children: Vec<Child> = (0..members)
        .map(|i| {
            Command::new(edict)
                .current_dir(root)
                .args(["consume", "policies/measures-2025", "--brokers", &brokers])
                .args(["--group", &group, "--events-topic", "events"])
                .args([
                    "--findings-topic",
                    "findings",
                    "--dead-letter-topic",
                    "dead",
                ])
                .args(["--changelog-topic", "changelog", "--heartbeat", "0"])
                .arg("--state")
                .arg(state.join(i.to_string()))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("edict consume starts")
        })
        .collect();
    // The mock cluster does not keep offsets committed in transactions, so the run is done when
    // the findings topic holds every finding (members resume from their snapshots' offsets,
    // which are in the changelog, not from committed offsets).
    let watcher: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", &brokers)
        .set("group.id", &group)
        .create()
        .expect("a watcher");
    loop {
        std::thread::sleep(Duration::from_millis(100));
        let written: i64 = (0..PARTITIONS)
            .map(|p| {
                watcher
                    .fetch_watermarks("findings", p, Duration::from_secs(5))
                    .map_or(0, |(low, high)| high - low)
            })
            .sum();
        if written >= expected {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(900),
            "the group did not finish"
        );
    }
    let seconds = started.elapsed().as_secs_f64();
    for mut child in children {
        let _ = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status();
        let _ = child.wait();
    }
    let _ = std::fs::remove_dir_all(&state);
    (seconds, lines.len() as f64 / seconds)
}

fn send<K, P>(producer: &BaseProducer, mut record: BaseRecord<'_, K, P>)
where
    K: rdkafka::message::ToBytes + ?Sized,
    P: rdkafka::message::ToBytes + ?Sized,
{
    loop {
        match producer.send(record) {
            Ok(()) => return,
            Err((KafkaError::MessageProduction(_), back)) => {
                record = back;
                producer.poll(Duration::from_millis(5));
            }
            Err((e, _)) => panic!("cannot produce: {e}"),
        }
    }
}
