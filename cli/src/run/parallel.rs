//! `edict run --workers N`: the stream judged on several cores, with the findings and summary of
//! a run on one.
//!
//! Four stages, each on its own threads, joined by bounded channels:
//!
//! 1. *reading*: the input is cut into blocks of about a megabyte, each ending at a line break;
//! 2. *decoding*, on `N` threads: each block's lines are decoded against every regulation's
//!    vocabulary, blocks in parallel;
//! 3. *routing*, in line order: each line is counted; a line that does not decode is rejected
//!    (its input error goes to the judge of partition 0); an event is admitted or rejected as
//!    too late by the lateness rule of the whole stream ([`Admission`]), then passed to the
//!    judge owning its partition (the hash of its `partition by` field);
//! 4. *judging*, on one thread per partition: an engine per regulation judges the partition's
//!    events in the order they were read.
//!
//! One engine over the whole stream and one engine per partition find the same findings when
//! the program can be partitioned ([`Partitioning`]): nothing they remember links two
//! partitions, the same events are accepted, and every partition closes at the time the whole
//! stream closes. Findings are then written in line order, each line's findings by regulation,
//! as a run on one thread writes them. When findings are written as they are found
//! (`--order found`), or a program cannot be partitioned, decoding is still parallel but one
//! thread judges every event, so the order is the one of a single-threaded run by
//! construction.

use std::collections::BTreeMap;
use std::io::{self, BufRead};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, channel, sync_channel};
use std::sync::{Arc, Mutex};

use edict_runtime::engine::{Engine, LineKind, Summary, decode_line};
use edict_runtime::event::{Decoder, Event};
use edict_runtime::finding::Finding;
use edict_runtime::partition::{Admission, Partitioning};

use super::progress::Progress;
use super::sink::Sink;

/// Bytes read into one block before it is cut at its last line break.
const BLOCK: usize = 1 << 20;

/// A block of whole lines, numbered in reading order.
struct Block {
    seq: u64,
    bytes: Vec<u8>,
}

/// One line as each regulation's vocabulary decoded it.
enum Decoded {
    Blank,
    /// An event of a type only another regulation's vocabulary declares.
    Elsewhere,
    Event(Event),
    Rejected(String),
}

/// A decoded block: per regulation, one entry per line.
struct DecodedBlock {
    seq: u64,
    lines: usize,
    per_bundle: Vec<Vec<Decoded>>,
}

/// What a judge is given, in line order.
enum Work {
    Event {
        bundle: usize,
        line: u64,
        event: Event,
    },
    Rejected {
        bundle: usize,
        line: u64,
        message: String,
    },
    /// The whole stream's watermark of each regulation: held events and deadlines up to it
    /// can be settled (it never rejects an event routed later).
    Watermarks(Vec<Option<i64>>),
}

/// How the run is split.
pub(super) struct Plan {
    /// Threads decoding blocks.
    pub(super) decoders: usize,
    /// Partitions judged in parallel (1: one judge).
    pub(super) partitions: usize,
}

/// Judges the stream in parallel; per regulation, the summary a run on one thread would give.
pub(super) fn run(
    engines: Vec<(Arc<str>, Engine)>,
    reader: impl BufRead + Send,
    as_of: Option<i64>,
    plan: &Plan,
    sink: &mut Sink<'_>,
    mut progress: Option<Progress>,
) -> io::Result<Vec<(Arc<str>, Summary)>> {
    let decoders: Vec<Decoder> = engines.iter().map(|(_, e)| e.decoder().clone()).collect();
    let partitionings: Vec<Option<Partitioning>> = engines
        .iter()
        .map(|(_, e)| Partitioning::of(e.program()).ok())
        .collect();
    let partitions = if partitionings.iter().all(Option::is_some) {
        plan.partitions.max(1)
    } else {
        1
    };
    let lateness = engines
        .first()
        .map_or(0, |(_, e)| e.options().allowed_lateness_seconds);
    let names: Vec<Arc<str>> = engines.iter().map(|(n, _)| Arc::clone(n)).collect();
    // Each partition judges with engines of its own, all prepared from the same programs.
    let mut judges: Vec<Vec<Engine>> = (1..partitions)
        .map(|_| engines.iter().map(|(_, e)| e.clone()).collect())
        .collect();
    judges.insert(0, engines.into_iter().map(|(_, e)| e).collect());

    let bytes_read = AtomicU64::new(0);
    let lines_routed = AtomicU64::new(0);
    let (block_tx, block_rx) = sync_channel::<Block>(plan.decoders * 2);
    let block_rx = Mutex::new(block_rx);
    let (decoded_tx, decoded_rx) = sync_channel::<DecodedBlock>(plan.decoders * 2);
    let (found_tx, found_rx) = channel::<Vec<(usize, Finding)>>();
    let mut work_txs = Vec::new();
    let mut work_rxs = Vec::new();
    for _ in 0..partitions {
        let (tx, rx) = sync_channel::<Vec<Work>>(4);
        work_txs.push(tx);
        work_rxs.push(rx);
    }

    std::thread::scope(|scope| {
        let bytes = &bytes_read;
        // The reader owns the blocks' sender: when it is done, the decoders see the end.
        let reading = scope.spawn(move || read_blocks(reader, &block_tx, bytes));
        for _ in 0..plan.decoders.max(1) {
            let (block_rx, decoded_tx, decoders) = (&block_rx, decoded_tx.clone(), &decoders);
            scope.spawn(move || decode_blocks(block_rx, &decoded_tx, decoders));
        }
        drop(decoded_tx);
        let routing = scope.spawn(|| {
            route(
                decoded_rx,
                work_txs,
                &partitionings,
                &decoders,
                lateness,
                &lines_routed,
            )
        });
        let mut judging = Vec::new();
        for (engines, rx) in judges.into_iter().zip(work_rxs) {
            let found_tx = found_tx.clone();
            judging.push(scope.spawn(move || judge(engines, rx, &found_tx)));
        }
        drop(found_tx);

        for chunk in found_rx {
            for (bundle, finding) in chunk {
                sink.emit_from(bundle, &names[bundle], finding);
            }
            if let Some(progress) = &mut progress {
                let (bytes, lines) = (&bytes_read, &lines_routed);
                let (bytes, lines) = (bytes.load(Ordering::Relaxed), lines.load(Ordering::Relaxed));
                progress.read_so_far(bytes, lines, sink.count);
            }
        }
        let read = reading.join().unwrap_or_else(|_| Err(panicked("reading")));
        let (mut summaries, closes) = routing.join().unwrap_or_else(|_| (Vec::new(), Vec::new()));
        read?;
        if summaries.len() != names.len() {
            return Err(panicked("routing"));
        }
        // Close every partition at the time the whole stream closes.
        let close: Vec<Option<i64>> = closes.iter().map(|latest| as_of.or(*latest)).collect();
        for judge in judging {
            let engines = judge.join().map_err(|_| panicked("judging"))?;
            for (bundle, engine) in engines.into_iter().enumerate() {
                let mut found = Vec::new();
                let part = engine.finish(close[bundle], &mut |f| found.push(f));
                for finding in found {
                    sink.emit_from(bundle, &names[bundle], finding);
                }
                summaries[bundle].add_partition(&part);
            }
        }
        if let Some(progress) = progress {
            progress.finish(sink.count);
        }
        Ok(names.iter().cloned().zip(summaries).collect())
    })
}

fn panicked(stage: &str) -> io::Error {
    io::Error::other(format!(
        "the {stage} thread of the run stopped unexpectedly"
    ))
}

/// Reads whole lines in blocks of about [`BLOCK`] bytes.
fn read_blocks(
    mut reader: impl BufRead,
    out: &SyncSender<Block>,
    read: &AtomicU64,
) -> io::Result<()> {
    let mut seq = 0;
    let mut carry: Vec<u8> = Vec::new();
    loop {
        let mut bytes = std::mem::take(&mut carry);
        bytes.reserve(BLOCK + 4096);
        let mut eof = false;
        while bytes.len() < BLOCK {
            let available = reader.fill_buf()?;
            if available.is_empty() {
                eof = true;
                break;
            }
            let n = available.len().min(BLOCK + 4096 - bytes.len()).max(1);
            bytes.extend_from_slice(&available[..n]);
            reader.consume(n);
        }
        if !eof {
            // Cut after the last line break; the rest starts the next block.
            match bytes.iter().rposition(|&b| b == b'\n') {
                Some(last) => carry = bytes.split_off(last + 1),
                None => {
                    // A line longer than a block: read on to its end.
                    let mut rest = Vec::new();
                    reader.read_until(b'\n', &mut rest)?;
                    eof = rest.is_empty();
                    bytes.extend_from_slice(&rest);
                }
            }
        }
        read.fetch_add(bytes.len() as u64, Ordering::Relaxed);
        if !bytes.is_empty() && out.send(Block { seq, bytes }).is_err() {
            return Ok(());
        }
        seq += 1;
        if eof && carry.is_empty() {
            return Ok(());
        }
    }
}

/// The lines of a block, without their line breaks (`\n` or `\r\n`); a last line without a
/// line break counts, an empty rest after the last one does not.
fn lines(bytes: &[u8]) -> impl Iterator<Item = &[u8]> {
    let body = bytes.strip_suffix(b"\n").unwrap_or(bytes);
    let empty = bytes.is_empty();
    body.split(|&b| b == b'\n')
        .filter(move |_| !empty)
        .map(|line| line.strip_suffix(b"\r").unwrap_or(line))
}

fn decode_blocks(
    blocks: &Mutex<Receiver<Block>>,
    out: &SyncSender<DecodedBlock>,
    decoders: &[Decoder],
) {
    loop {
        let block = match blocks.lock() {
            Ok(rx) => rx.recv(),
            Err(_) => return,
        };
        let Ok(block) = block else {
            return;
        };
        let mut per_bundle: Vec<Vec<Decoded>> = decoders.iter().map(|_| Vec::new()).collect();
        let mut count = 0;
        for line in lines(&block.bytes) {
            count += 1;
            for (decoder, decoded) in decoders.iter().zip(&mut per_bundle) {
                let mut event = Event::default();
                decoded.push(match decode_line(decoder, line, &mut event) {
                    Ok(LineKind::Event) => Decoded::Event(event),
                    Ok(LineKind::Elsewhere) => Decoded::Elsewhere,
                    Ok(LineKind::Blank | LineKind::Rejected) => Decoded::Blank,
                    Err(message) => Decoded::Rejected(message),
                });
            }
        }
        let decoded = DecodedBlock {
            seq: block.seq,
            lines: count,
            per_bundle,
        };
        if out.send(decoded).is_err() {
            return;
        }
    }
}

/// Counts and routes the decoded lines in line order; gives per regulation the summary of the
/// lines and the latest time accepted.
fn route(
    decoded: Receiver<DecodedBlock>,
    judges: Vec<SyncSender<Vec<Work>>>,
    partitionings: &[Option<Partitioning>],
    decoders: &[Decoder],
    lateness: i64,
    lines_routed: &AtomicU64,
) -> (Vec<Summary>, Vec<Option<i64>>) {
    let bundles = decoders.len();
    let mut summaries = vec![Summary::default(); bundles];
    let mut admissions = vec![Admission::new(lateness); bundles];
    let mut waiting: BTreeMap<u64, DecodedBlock> = BTreeMap::new();
    let mut next = 0;
    let mut line: u64 = 0;
    let partitions = judges.len();
    for block in decoded {
        waiting.insert(block.seq, block);
        while let Some(block) = waiting.remove(&next) {
            next += 1;
            let mut work: Vec<Vec<Work>> = (0..partitions).map(|_| Vec::new()).collect();
            let mut per_bundle: Vec<_> = block.per_bundle.into_iter().map(Vec::into_iter).collect();
            for _ in 0..block.lines {
                line += 1;
                let no = line;
                for (bundle, lines) in per_bundle.iter_mut().enumerate() {
                    let Some(decoded) = lines.next() else {
                        continue;
                    };
                    let kind = match decoded {
                        Decoded::Blank => LineKind::Blank,
                        Decoded::Elsewhere => LineKind::Elsewhere,
                        Decoded::Rejected(message) => {
                            work[0].push(Work::Rejected {
                                bundle,
                                line: no,
                                message,
                            });
                            LineKind::Rejected
                        }
                        Decoded::Event(event) => match admissions[bundle].admit(&event) {
                            Err(message) => {
                                work[0].push(Work::Rejected {
                                    bundle,
                                    line: no,
                                    message,
                                });
                                LineKind::Rejected
                            }
                            Ok(()) => {
                                let to = partitionings[bundle]
                                    .as_ref()
                                    .map_or(0, |p| p.shard(&event, partitions));
                                work[to].push(Work::Event {
                                    bundle,
                                    line: no,
                                    event,
                                });
                                LineKind::Event
                            }
                        },
                    };
                    summaries[bundle].count_line(&kind);
                }
            }
            lines_routed.store(line, Ordering::Relaxed);
            let watermarks: Vec<Option<i64>> =
                admissions.iter().map(Admission::watermark).collect();
            for (items, judge) in work.into_iter().zip(&judges) {
                let mut items = items;
                if partitions > 1 {
                    items.push(Work::Watermarks(watermarks.clone()));
                }
                // Lines are routed in order: the events of one line, for each regulation,
                // reach their judges in line order, which is all the engines need.
                if judge.send(items).is_err() {
                    return (summaries, Vec::new());
                }
            }
        }
    }
    let closes = admissions.iter().map(Admission::latest).collect();
    (summaries, closes)
}

/// Judges one partition's events with its engines; gives the engines back to be closed.
fn judge(
    mut engines: Vec<Engine>,
    work: Receiver<Vec<Work>>,
    found: &std::sync::mpsc::Sender<Vec<(usize, Finding)>>,
) -> Vec<Engine> {
    for items in work {
        let mut out: Vec<(usize, Finding)> = Vec::new();
        for item in items {
            match item {
                Work::Event {
                    bundle,
                    line,
                    event,
                } => {
                    if let Some(engine) = engines.get_mut(bundle) {
                        engine.judge_admitted(line, event, &mut |f| out.push((bundle, f)));
                    }
                }
                Work::Rejected {
                    bundle,
                    line,
                    message,
                } => out.push((bundle, Finding::input_error(line, message))),
                Work::Watermarks(marks) => {
                    for (bundle, (engine, mark)) in engines.iter_mut().zip(marks).enumerate() {
                        if let Some(mark) = mark {
                            engine.advance_to(mark, &mut |f| out.push((bundle, f)));
                        }
                    }
                }
            }
        }
        if !out.is_empty() && found.send(out).is_err() {
            break;
        }
    }
    engines
}
