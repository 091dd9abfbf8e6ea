//! Benchmarks of `edict serve` against the release `edict` binary, on loopback only: events per
//! second through `POST /v1/events` (batches of 1,000 from 4 concurrent clients) beside
//! `edict run` on the same stream; the p99 latency of a 100-event batch at half that load;
//! checkpoint time and size, and restart-to-serving time, at 10^6 stored subjects.
//!
//! ```sh
//! cargo build --release --bin edict
//! cargo run --release -p edict-bench --bin edict-bench-serve -- --write BENCHMARKS.md
//! cargo run --release -p edict-bench --bin edict-bench-serve -- --quick   # small sizes, prints only
//! ```
//!
//! Every request goes to 127.0.0.1; each phase sends a bounded number of batches and stops.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    reason = "a benchmark that cannot set itself up stops with the reason"
)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use edict_generator::{Config, Generator, Mix};

const MEASURES: &str = "policies/measures-2025";
const BEGIN: &str = "<!-- serve:begin -->";
const END: &str = "<!-- serve:end -->";

fn edict_binary() -> PathBuf {
    let path = PathBuf::from("target/release/edict");
    if !path.exists() {
        eprintln!("error: build the release binary first: cargo build --release --bin edict");
        std::process::exit(2);
    }
    path
}

struct Server {
    child: Child,
    addr: SocketAddr,
    log: Arc<Mutex<Vec<String>>>,
    started: Instant,
}

impl Server {
    fn start(state: &Path) -> Server {
        let started = Instant::now();
        let mut child = Command::new(edict_binary())
            .args(["serve", MEASURES, "--state"])
            .arg(state)
            .args(["--listen", "127.0.0.1:0", "--checkpoint-interval", "3600"])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("edict serve starts");
        let stderr = child.stderr.take().unwrap();
        let log = Arc::new(Mutex::new(Vec::new()));
        let (tx, rx) = std::sync::mpsc::channel();
        let lines = Arc::clone(&log);
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(rest) = line.strip_prefix("listening on http://") {
                    let _ = tx.send(
                        rest.split_whitespace()
                            .next()
                            .unwrap_or_default()
                            .to_owned(),
                    );
                }
                lines.lock().unwrap().push(line);
            }
        });
        let addr = rx
            .recv_timeout(Duration::from_secs(300))
            .expect("the server listens")
            .parse()
            .unwrap();
        Server {
            child,
            addr,
            log,
            started,
        }
    }

    /// SIGTERM, then wait; gives the log.
    fn stop(mut self) -> Vec<String> {
        Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        self.child.wait().unwrap();
        std::thread::sleep(Duration::from_millis(50));
        self.log.lock().unwrap().clone()
    }
}

/// A keep-alive HTTP/1.1 connection.
struct Client {
    stream: BufReader<TcpStream>,
}

impl Client {
    fn new(addr: SocketAddr) -> Client {
        let stream = TcpStream::connect(addr).unwrap();
        stream.set_nodelay(true).unwrap();
        Client {
            stream: BufReader::new(stream),
        }
    }

    /// Sends a request; gives the status and body.
    fn send(&mut self, method: &str, path: &str, body: &[u8]) -> (u16, String) {
        let head = format!(
            "{method} {path} HTTP/1.1\r\nHost: bench\r\nContent-Length: {}\r\n\r\n",
            body.len()
        );
        let stream = self.stream.get_mut();
        stream.write_all(head.as_bytes()).unwrap();
        stream.write_all(body).unwrap();
        let mut status = String::new();
        self.stream.read_line(&mut status).unwrap();
        let code: u16 = status
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let mut length = 0;
        loop {
            let mut line = String::new();
            self.stream.read_line(&mut line).unwrap();
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some((name, value)) = line.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse().unwrap();
            }
        }
        let mut body = vec![0; length];
        self.stream.read_exact(&mut body).unwrap();
        (code, String::from_utf8_lossy(&body).into_owned())
    }
}

fn generate(config: Config) -> Vec<String> {
    Generator::new(config).map(|l| l.text).collect()
}

/// Posts batches from `clients` connections, each taking the next batch in turn; gives the
/// elapsed time and the lines rejected.
fn load(addr: SocketAddr, batches: &[Vec<u8>], clients: usize) -> (Duration, u64) {
    let next = AtomicUsize::new(0);
    let rejected = AtomicUsize::new(0);
    let began = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..clients {
            scope.spawn(|| {
                let mut client = Client::new(addr);
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(batch) = batches.get(i) else {
                        break;
                    };
                    let (status, body) = client.send("POST", "/v1/events", batch);
                    assert_eq!(status, 200, "{body}");
                    let answer: serde_json::Value = serde_json::from_str(&body).unwrap();
                    rejected.fetch_add(
                        answer["rejected"].as_u64().unwrap_or(0) as usize,
                        Ordering::Relaxed,
                    );
                }
            });
        }
    });
    (began.elapsed(), rejected.load(Ordering::Relaxed) as u64)
}

fn batches(lines: &[String], size: usize) -> Vec<Vec<u8>> {
    lines
        .chunks(size)
        .map(|c| (c.join("\n") + "\n").into_bytes())
        .collect()
}

fn rate(n: f64) -> String {
    if n >= 1e6 {
        format!("{:.2} M/s", n / 1e6)
    } else {
        format!("{:.1} k/s", n / 1e3)
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let quick = args.iter().any(|a| a == "--quick");
    let write = args
        .iter()
        .position(|a| a == "--write")
        .and_then(|i| args.get(i + 1))
        .cloned();
    let events: u64 = if quick { 100_000 } else { 1_000_000 };
    let subjects: u64 = if quick { 100_000 } else { 1_000_000 };
    let scratch = std::env::temp_dir().join(format!("edict-bench-serve-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&scratch);
    std::fs::create_dir_all(&scratch).unwrap();

    // 1. Throughput: edict run, then the server, on the same stream.
    eprintln!("generating {events} events");
    let lines = generate(Config {
        events,
        seed: 1,
        processors: 8,
        violation_rate: 0.01,
        ..Config::default()
    });
    let file = scratch.join("stream.jsonl");
    std::fs::write(&file, lines.join("\n") + "\n").unwrap();
    let began = Instant::now();
    let status = Command::new(edict_binary())
        .args(["run", MEASURES, "--events"])
        .arg(&file)
        .args(["--output", "/dev/null"])
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "edict run failed");
    let run_rate = events as f64 / began.elapsed().as_secs_f64();
    eprintln!("edict run: {}", rate(run_rate));

    let server = Server::start(&scratch.join("throughput"));
    let thousands = batches(&lines, 1000);
    let (took, rejected) = load(server.addr, &thousands, 4);
    let serve_rate = events as f64 / took.as_secs_f64();
    eprintln!("serve: {} ({rejected} rejected)", rate(serve_rate));
    server.stop();

    // 2. Latency of 100-event batches at half the measured rate, open loop from 4 clients.
    let server = Server::start(&scratch.join("latency"));
    let hundreds = batches(&lines[..(lines.len() / 4).min(200_000)], 100);
    let per_second = serve_rate / 2.0 / 100.0;
    let interval = Duration::from_secs_f64(4.0 / per_second);
    let latencies = Mutex::new(Vec::with_capacity(hundreds.len()));
    let next = AtomicUsize::new(0);
    let began = Instant::now();
    std::thread::scope(|scope| {
        for client in 0..4 {
            let (latencies, next, hundreds) = (&latencies, &next, &hundreds);
            scope.spawn(move || {
                let mut connection = Client::new(server.addr);
                let start = began + interval.mul_f64(client as f64 / 4.0);
                for k in 0.. {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(batch) = hundreds.get(i) else {
                        break;
                    };
                    let due = start + interval * k;
                    if let Some(wait) = due.checked_duration_since(Instant::now()) {
                        std::thread::sleep(wait);
                    }
                    let sent = Instant::now();
                    let (status, body) = connection.send("POST", "/v1/events", batch);
                    assert_eq!(status, 200, "{body}");
                    latencies.lock().unwrap().push(sent.elapsed());
                }
            });
        }
    });
    let mut latencies = latencies.into_inner().unwrap();
    latencies.sort();
    let pct = |p: f64| latencies[((latencies.len() as f64 * p) as usize).min(latencies.len() - 1)];
    let (p50, p99, max) = (pct(0.5), pct(0.99), *latencies.last().unwrap());
    eprintln!(
        "latency at {}: p50 {p50:.2?}, p99 {p99:.2?}",
        rate(per_second * 100.0)
    );
    server.stop();

    // 3. Checkpoint and restart at 10^6 stored subjects (enrollments of one processor).
    eprintln!("generating {subjects} enrollments");
    let enrollments = generate(Config {
        events: subjects,
        seed: 2,
        processors: 1,
        violation_rate: 0.0,
        mix: Mix {
            matches: 0,
            enrollments: 1,
            deletions: 0,
            refusals: 0,
            transfers: 0,
            consent_withdrawals: 0,
            device_installs: 0,
            security_incidents: 0,
            filing_changes: 0,
        },
        ..Config::default()
    });
    let state = scratch.join("subjects");
    let server = Server::start(&state);
    load(server.addr, &batches(&enrollments, 1000), 4);
    let mut client = Client::new(server.addr);
    let (_, metrics) = client.send("GET", "/metrics", b"");
    drop(client);
    let log = server.stop();
    let checkpoint = log
        .iter()
        .find(|l| l.starts_with("checkpoint at line"))
        .cloned()
        .unwrap_or_default();
    let bytes: u64 = checkpoint
        .split(": ")
        .nth(1)
        .and_then(|s| s.split_whitespace().next())
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let seconds: f64 = checkpoint
        .split(" in ")
        .nth(1)
        .and_then(|s| s.split_whitespace().next())
        .and_then(|s| s.parse().ok())
        .unwrap_or(0.0);
    let file_bytes = std::fs::metadata(state.join("edict-state.redb")).map_or(0, |m| m.len());
    let stored = metrics
        .lines()
        .find(|l| l.starts_with("edict_events_total "))
        .unwrap_or_default()
        .to_owned();
    eprintln!("checkpoint: {bytes} bytes in {seconds:.3} s ({stored})");

    let server = Server::start(&state);
    let began = server.started;
    let mut restart = Duration::ZERO;
    for _ in 0..10_000 {
        if let Ok(stream) = TcpStream::connect(server.addr) {
            drop(stream);
            let mut client = Client::new(server.addr);
            if client.send("GET", "/health", b"").0 == 200 {
                restart = began.elapsed();
                break;
            }
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    server.stop();
    eprintln!("restart to serving: {restart:.2?}");
    let _ = std::fs::remove_dir_all(&scratch);

    let machine = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_owned())
        })
        .unwrap_or_default();
    let ratio = serve_rate / run_rate;
    let met = |ok: bool| if ok { "met" } else { "**missed**" };
    let table = format!(
        "{BEGIN}\nMachine: {} CPUs ({machine}); loopback only; the release `edict` binary.  \n\
Command: `cargo build --release --bin edict && cargo run --release -p edict-bench --bin edict-bench-serve -- --write BENCHMARKS.md`.  \n\
Stream: `edict-gen --seed 1 --processors 8 --violation-rate 0.01`, {events} events, the full Measures bundle.\n\n\
| measurement | value | target | |\n|---|---:|---:|---|\n\
| `edict run` on the stream (file to findings) | {} | | |\n\
| `POST /v1/events`, batches of 1,000, 4 clients | {} ({rejected} lines rejected) | | |\n\
| **server ÷ `edict run`** | **{ratio:.2}×** | ≥ 0.5× | {} |\n\
| 100-event batch at half that load ({}): p50 | {:.2} ms | | |\n\
| 100-event batch at half that load: **p99** | **{:.2} ms** | | |\n\
| 100-event batch at half that load: max | {:.2} ms | | |\n\
| stored subjects (enrollments of one processor, each with a pending retention deadline) | {subjects} | | |\n\
| checkpoint of that state: time | {seconds:.3} s | | |\n\
| checkpoint of that state: engine snapshot | {:.1} MB | | |\n\
| state file (`edict-state.redb`, with the decision log) | {:.1} MB | | |\n\
| **restart to serving** (process start to the first `/health` answer) | **{:.2} s** | < 2 s | {} |\n{END}",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        rate(run_rate),
        rate(serve_rate),
        met(ratio >= 0.5),
        rate(per_second * 100.0),
        p50.as_secs_f64() * 1e3,
        p99.as_secs_f64() * 1e3,
        max.as_secs_f64() * 1e3,
        bytes as f64 / 1e6,
        file_bytes as f64 / 1e6,
        restart.as_secs_f64(),
        met(restart < Duration::from_secs(2)),
    );
    println!("{table}");
    if let Some(path) = write {
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        let updated = match (text.find(BEGIN), text.find(END)) {
            (Some(b), Some(e)) if b < e => {
                format!("{}{table}{}", &text[..b], &text[e + END.len()..])
            }
            _ => format!("{text}\n## The decision server\n\n{table}\n"),
        };
        std::fs::write(&path, updated).unwrap();
        eprintln!("wrote {path}");
    }
}
