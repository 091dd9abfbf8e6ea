//! The core: one thread that owns the [`Session`] and the [`Store`], and serves commands from a
//! bounded queue.
//!
//! Batches waiting in the queue are judged together and written in one transaction (a group
//! commit): their lines go to the log, their findings to the decision log, their answers under
//! their idempotency keys; only then are the requests answered. Every `checkpoint_interval`, on
//! every bundle change and at shutdown, the engines' snapshots are written and the log is cut.
//! At start the bundles of the last checkpoint are loaded from the store, the checkpoint
//! restored and the log replayed (its findings are already in the decision log), so a crash
//! loses nothing that was answered, and judges nothing twice.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use edict_runtime::bundle::Bundle;
use edict_runtime::session::{Record, Restored, Session};
use edict_store::{Append, Store};
use tokio::sync::{oneshot, watch};

use crate::metrics::Metrics;
use crate::{ApiError, Config};

/// What the HTTP side asks of the core.
pub(crate) enum Command {
    Events {
        lines: Vec<Vec<u8>>,
        batch: Option<String>,
        reply: oneshot::Sender<Result<String, ApiError>>,
    },
    Advance {
        time: i64,
        reply: oneshot::Sender<String>,
    },
    Obligations {
        bundle: Option<String>,
        reply: oneshot::Sender<String>,
    },
    Upload {
        name: String,
        text: Vec<u8>,
        reply: oneshot::Sender<Result<String, ApiError>>,
    },
    Shutdown {
        reply: oneshot::Sender<Result<(), String>>,
    },
}

/// A loaded bundle as `GET /v1/bundles` shows it.
#[derive(Clone, Debug, serde::Serialize)]
pub(crate) struct BundleInfo {
    pub name: String,
    pub regulation: String,
    pub revision: String,
    pub signer: Option<String>,
    /// `upload`, `store`, or the file it is watched in.
    pub source: String,
}

/// A bundle refused by the watcher or an upload.
#[derive(Clone, Debug, serde::Serialize)]
pub(crate) struct Refusal {
    pub name: String,
    pub source: String,
    pub reason: String,
}

/// What the core shares with the HTTP side without a command.
#[derive(Default)]
pub(crate) struct Shared {
    pub bundles: RwLock<Vec<BundleInfo>>,
    pub refused: RwLock<Vec<Refusal>>,
}

/// A request's reply channel and its answer, sent once the group is written.
type Answer = (
    oneshot::Sender<Result<String, ApiError>>,
    Result<String, ApiError>,
);

const LOG_NEXT: &str = "server.log_next";
const CHECKPOINT_AT: &str = "server.checkpoint_at";
const LINES: u8 = 0;
const ADVANCE: u8 = 1;

/// Batches judged together in one transaction, at most.
const GROUP: usize = 64;

pub(crate) struct Core {
    config: Arc<Config>,
    session: Session,
    store: Arc<Store>,
    metrics: Arc<Metrics>,
    shared: Arc<Shared>,
    last_seq: watch::Sender<u64>,
    next_finding: u64,
    next_log: u64,
    /// The text hash of each watched file last seen, so that an unchanged or refused file is
    /// read once.
    seen: HashMap<PathBuf, u64>,
    last_checkpoint: Instant,
    last_watch: Instant,
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn text_hash(text: &[u8]) -> u64 {
    use std::hash::{DefaultHasher, Hash, Hasher};
    let mut h = DefaultHasher::new();
    text.hash(&mut h);
    h.finish()
}

/// A JSON string literal.
fn quote(text: &str) -> String {
    serde_json::Value::from(text).to_string()
}

impl Core {
    /// Opens the state: loads the bundles of the last checkpoint, restores it, replays the log,
    /// then loads the configured bundles (a changed one is a new revision of its name).
    pub(crate) fn start(
        config: Arc<Config>,
        store: Arc<Store>,
        metrics: Arc<Metrics>,
        shared: Arc<Shared>,
        last_seq: watch::Sender<u64>,
    ) -> Result<Core, String> {
        let fail = |e: edict_store::StoreError| e.to_string();
        let session = Session::new(config.options, config.keys.clone());
        let next_finding = store.last_finding().map_err(fail)? + 1;
        let next_log = store.meta_u64(LOG_NEXT).map_err(fail)?.unwrap_or(1);
        let _ = last_seq.send(next_finding - 1);
        let mut core = Core {
            config,
            session,
            store,
            metrics,
            shared,
            last_seq,
            next_finding,
            next_log,
            seen: HashMap::new(),
            last_checkpoint: Instant::now(),
            last_watch: Instant::now(),
        };
        for (name, text) in core.store.bundles().map_err(fail)? {
            let loaded = Bundle::from_json(&String::from_utf8_lossy(&text))
                .map_err(|e| e.to_string())
                .and_then(|b| core.session.load(&name, b).map_err(|e| e.to_string()));
            match loaded {
                Ok(_) => core.publish(&name, "store"),
                Err(e) => eprintln!("warning: the stored bundle `{name}` is refused: {e}"),
            }
        }
        if let Some(checkpoint) = core.store.load_checkpoint().map_err(fail)? {
            for (name, restored) in core.session.restore(&checkpoint) {
                match restored {
                    Restored::Read(_) => {}
                    Restored::Failed(e) => eprintln!("warning: `{name}` starts afresh: {e}"),
                    Restored::NoSuchBundle => {
                        eprintln!("warning: the state of `{name}` is set aside: no such bundle")
                    }
                }
            }
        }
        let log = core.store.log().map_err(fail)?;
        let replayed = log.len();
        for (_, entry) in log {
            core.replay(&entry);
        }
        // Their findings are in the decision log already.
        let _ = core.session.take_findings();
        if replayed > 0 {
            eprintln!("replayed {replayed} logged batches after the last checkpoint");
            core.checkpoint()?;
        }
        // A bundle that changed while the server was down is installed (and checkpointed).
        core.watch(true);
        if let Some(at) = core.store.meta_u64(CHECKPOINT_AT).map_err(fail)? {
            core.metrics
                .checkpointed(at, Duration::ZERO, core.metrics.checkpoint_bytes());
        }
        core.gauges();
        Ok(core)
    }

    fn replay(&mut self, entry: &[u8]) {
        match entry.split_first() {
            Some((&LINES, mut rest)) => {
                while rest.len() >= 4 {
                    let mut len = [0u8; 4];
                    len.copy_from_slice(&rest[..4]);
                    let len = u32::from_le_bytes(len) as usize;
                    let Some(line) = rest.get(4..4 + len) else {
                        break;
                    };
                    self.session.feed_line(line);
                    rest = &rest[4 + len..];
                }
            }
            Some((&ADVANCE, rest)) => {
                if let Ok(bytes) = <[u8; 8]>::try_from(rest) {
                    self.session.advance_to(i64::from_le_bytes(bytes));
                }
            }
            _ => {}
        }
    }

    /// Serves commands until a shutdown, then checkpoints.
    pub(crate) fn serve(mut self, commands: Receiver<Command>) {
        let tick = Duration::from_millis(200);
        loop {
            let first = match commands.recv_timeout(tick) {
                Ok(command) => Some(command),
                Err(RecvTimeoutError::Timeout) => None,
                Err(RecvTimeoutError::Disconnected) => break,
            };
            let mut group = Vec::new();
            if let Some(command) = first {
                group.push(command);
                while group.len() < GROUP {
                    match commands.try_recv() {
                        Ok(command) => group.push(command),
                        Err(_) => break,
                    }
                }
            }
            self.metrics.dequeued(group.len());
            let busy = !group.is_empty();
            if self.run(group) {
                return;
            }
            if busy {
                self.gauges();
            }
            if self.last_watch.elapsed() >= self.config.watch_interval {
                self.watch(false);
            }
            if self.last_checkpoint.elapsed() >= self.config.checkpoint_interval
                && let Err(e) = self.checkpoint()
            {
                eprintln!("error: {e}");
            }
        }
        if let Err(e) = self.checkpoint() {
            eprintln!("error: {e}");
        }
    }

    /// Runs a group of commands; whether one was a shutdown (answered after the checkpoint).
    fn run(&mut self, group: Vec<Command>) -> bool {
        let mut append = Append::default();
        let mut answers: Vec<Answer> = Vec::new();
        let mut advanced: Vec<(oneshot::Sender<String>, String)> = Vec::new();
        let mut in_group: HashMap<String, String> = HashMap::new();
        let mut shutdown = None;
        for command in group {
            match command {
                Command::Events {
                    lines,
                    batch,
                    reply,
                } => {
                    let answer = self.batch(lines, batch, &mut append, &mut in_group);
                    answers.push((reply, answer));
                }
                Command::Advance { time, reply } => {
                    let mut entry = vec![ADVANCE];
                    entry.extend_from_slice(&time.to_le_bytes());
                    append.log.push((self.take_log(), entry));
                    self.session.advance_to(time);
                    let findings = self.log_findings(&mut append, None);
                    advanced.push((reply, format!("{{\"findings\":[{}]}}", findings.join(","))));
                }
                Command::Obligations { bundle, reply } => {
                    let _ = reply.send(self.obligations(bundle.as_deref()));
                }
                Command::Upload { name, text, reply } => {
                    // Commit what came before, so that the log stays with the old revision.
                    self.commit(&mut append, &mut answers, &mut advanced);
                    let _ = reply.send(self.upload(&name, &text));
                }
                Command::Shutdown { reply } => shutdown = Some(reply),
            }
        }
        self.commit(&mut append, &mut answers, &mut advanced);
        match shutdown {
            Some(reply) => {
                let began = Instant::now();
                let done = self.checkpoint();
                if done.is_ok() {
                    eprintln!(
                        "checkpoint at line {}: {} bytes of engine state in {:.3} s",
                        self.session.position(),
                        self.metrics.checkpoint_bytes(),
                        began.elapsed().as_secs_f64()
                    );
                }
                let _ = reply.send(done);
                true
            }
            None => false,
        }
    }

    fn take_log(&mut self) -> u64 {
        let seq = self.next_log;
        self.next_log += 1;
        seq
    }

    /// Writes the group and answers it; a failed write answers every request with an error.
    fn commit(
        &mut self,
        append: &mut Append,
        answers: &mut Vec<Answer>,
        advanced: &mut Vec<(oneshot::Sender<String>, String)>,
    ) {
        if append.log.is_empty() && append.batches.is_empty() && append.findings.is_empty() {
            for (reply, answer) in answers.drain(..) {
                let _ = reply.send(answer);
            }
            return;
        }
        append
            .meta
            .push((LOG_NEXT.to_owned(), self.next_log.to_le_bytes().to_vec()));
        let written = self.store.append(append);
        *append = Append::default();
        match written {
            Ok(()) => {
                let _ = self.last_seq.send(self.next_finding - 1);
                for (reply, answer) in answers.drain(..) {
                    let _ = reply.send(answer);
                }
                for (reply, answer) in advanced.drain(..) {
                    let _ = reply.send(answer);
                }
            }
            Err(e) => {
                // The state in memory is ahead of the store: stop, and let a restart replay.
                eprintln!("error: {e}; stopping so that a restart resumes from the store");
                std::process::exit(1);
            }
        }
    }

    /// Judges one batch; gives its answer.
    fn batch(
        &mut self,
        lines: Vec<Vec<u8>>,
        batch: Option<String>,
        append: &mut Append,
        in_group: &mut HashMap<String, String>,
    ) -> Result<String, ApiError> {
        if let Some(key) = &batch {
            let earlier = match in_group.get(key) {
                Some(answer) => Some(answer.clone().into_bytes()),
                None => self.store.batch(key).map_err(ApiError::internal)?,
            };
            if let Some(answer) = earlier {
                self.metrics.replayed();
                let answer = String::from_utf8_lossy(&answer);
                return Ok(answer.replacen("\"replayed\":false", "\"replayed\":true", 1));
            }
        }
        if self.session.revisions().next().is_none() {
            return Err(ApiError::unavailable(
                "no bundle is loaded: upload one with PUT /v1/bundles/{name}",
            ));
        }
        let first = self.session.position() + 1;
        let mut entry = Vec::with_capacity(1 + lines.iter().map(|l| l.len() + 4).sum::<usize>());
        entry.push(LINES);
        let mut rejected_lines: Vec<u64> = Vec::new();
        let mut findings: Vec<String> = Vec::new();
        for line in &lines {
            entry.extend_from_slice(&(line.len() as u32).to_le_bytes());
            entry.extend_from_slice(line);
            let position = self.session.feed_line(line);
            let made = self.session.take_findings();
            if made
                .iter()
                .any(|r| r.finding.finding == edict_runtime::FindingKind::InputError)
            {
                rejected_lines.push(position - first + 1);
            }
            findings.extend(self.log_records(made, append, Some((first, batch.as_deref()))));
        }
        append.log.push((self.take_log(), entry));
        self.metrics
            .lines(lines.len() as u64, rejected_lines.len() as u64);
        let held: usize = self
            .session
            .revisions()
            .filter_map(|r| self.session.engine(&r.name))
            .map(|e| e.held())
            .max()
            .unwrap_or(0);
        let answer = format!(
            "{{\"batch\":{},\"replayed\":false,\"first_line\":{first},\"lines\":{},\"accepted\":{},\"rejected\":{},\"rejected_lines\":{:?},\"held\":{held},\"findings\":[{}]}}",
            batch.as_deref().map_or("null".to_owned(), quote),
            lines.len(),
            lines.len() - rejected_lines.len(),
            rejected_lines.len(),
            rejected_lines,
            findings.join(","),
        );
        if let Some(key) = batch {
            append
                .batches
                .push((key.clone(), answer.clone().into_bytes()));
            in_group.insert(key, answer.clone());
        }
        Ok(answer)
    }

    /// Takes the session's findings into the decision log; gives their records.
    fn log_findings(
        &mut self,
        append: &mut Append,
        batch: Option<(u64, Option<&str>)>,
    ) -> Vec<String> {
        let made = self.session.take_findings();
        self.log_records(made, append, batch)
    }

    fn log_records(
        &mut self,
        made: Vec<Record>,
        append: &mut Append,
        batch: Option<(u64, Option<&str>)>,
    ) -> Vec<String> {
        made.into_iter()
            .map(|record| {
                let seq = self.next_finding;
                self.next_finding += 1;
                self.metrics.finding(record.finding.finding);
                // A finding of an event of this batch names its line in the batch too.
                let batch_line = match batch {
                    Some((first, _)) if record.finding.line >= first => {
                        format!(",\"batch_line\":{}", record.finding.line - first + 1)
                    }
                    _ => String::new(),
                };
                let text = format!(
                    "{{\"seq\":{seq},\"bundle\":{},\"revision\":{}{batch_line},\"finding\":{}}}",
                    quote(&record.bundle),
                    quote(&record.revision),
                    record.finding.to_json_line()
                );
                append.findings.push((seq, text.clone().into_bytes()));
                text
            })
            .collect()
    }

    fn obligations(&self, bundle: Option<&str>) -> String {
        let records: Vec<String> = self
            .session
            .open_obligations()
            .into_iter()
            .filter(|r| bundle.is_none_or(|b| *r.bundle == *b))
            .map(|r| {
                format!(
                    "{{\"bundle\":{},\"revision\":{},\"rule\":{},\"line\":{},\"deadline\":{},\"due\":{},\"finding\":{}}}",
                    quote(&r.bundle),
                    quote(&r.revision),
                    r.finding.rule.as_deref().map_or("null".to_owned(), quote),
                    r.finding.line,
                    r.finding.deadline.as_deref().map_or("null".to_owned(), quote),
                    r.finding.time.as_deref().map_or("null".to_owned(), quote),
                    r.finding.to_json_line()
                )
            })
            .collect();
        format!("{{\"obligations\":[{}]}}", records.join(","))
    }

    /// Loads an uploaded bundle.
    fn upload(&mut self, name: &str, text: &[u8]) -> Result<String, ApiError> {
        let outcome = self.install(name, text, "upload");
        match outcome {
            Ok(answer) => Ok(answer),
            Err(error) => {
                self.refuse(name, "upload", &error.message);
                Err(error)
            }
        }
    }

    /// Checks, loads and stores a bundle, then checkpoints; gives the answer for an upload.
    fn install(&mut self, name: &str, text: &[u8], source: &str) -> Result<String, ApiError> {
        if !edict_runtime::session::valid_name(name) {
            return Err(ApiError::bad_request(format!(
                "`{name}` cannot name a bundle: use 1 to 64 letters, digits, `-`, `_` or `.`"
            )));
        }
        let text_str = std::str::from_utf8(text).map_err(|e| {
            ApiError::bad_request(format!(
                "the bundle is not UTF-8 text (the first bad byte is at offset {})",
                e.valid_up_to()
            ))
        })?;
        let bundle =
            Bundle::from_json(text_str).map_err(|e| ApiError::bad_request(e.to_string()))?;
        self.session
            .check(&bundle)
            .map_err(|e| ApiError::unprocessable(e.to_string()))?;
        let report = self
            .session
            .load(name, bundle)
            .map_err(|e| ApiError::unprocessable(e.to_string()))?;
        self.store
            .put_bundle(name, text)
            .map_err(ApiError::internal)?;
        self.publish(name, source);
        self.shared
            .refused
            .write()
            .map(|mut r| r.retain(|x| x.name != name))
            .ok();
        self.metrics.reloaded();
        let info = self.info(name, source);
        let (kept, dropped) = report.map_or((Vec::new(), Vec::new()), |r| (r.kept, r.dropped));
        if !dropped.is_empty() {
            eprintln!(
                "bundle `{name}`: new revision; dropped {}",
                dropped.join("; ")
            );
        }
        eprintln!(
            "bundle `{name}`: loaded {} {} from {source}",
            info.regulation, info.revision
        );
        self.checkpoint().map_err(ApiError::internal)?;
        Ok(format!(
            "{{\"name\":{},\"regulation\":{},\"revision\":{},\"signer\":{},\"kept\":{},\"dropped\":{}}}",
            quote(&info.name),
            quote(&info.regulation),
            quote(&info.revision),
            info.signer.as_deref().map_or("null".to_owned(), quote),
            serde_json::Value::from(kept),
            serde_json::Value::from(dropped),
        ))
    }

    fn info(&self, name: &str, source: &str) -> BundleInfo {
        let revision = self.session.revisions().find(|r| &*r.name == name);
        BundleInfo {
            name: name.to_owned(),
            regulation: revision.map_or(String::new(), |r| r.regulation.to_string()),
            revision: revision.map_or(String::new(), |r| r.hash.to_string()),
            signer: revision.and_then(|r| r.signer.clone()),
            source: source.to_owned(),
        }
    }

    fn publish(&self, name: &str, source: &str) {
        let info = self.info(name, source);
        if let Ok(mut bundles) = self.shared.bundles.write() {
            match bundles.iter_mut().find(|b| b.name == name) {
                Some(place) => *place = info,
                None => bundles.push(info),
            }
        }
    }

    fn refuse(&self, name: &str, source: &str, reason: &str) {
        eprintln!(
            "bundle `{name}` from {source} refused: {reason}; the last good one keeps serving"
        );
        self.metrics.refused_bundle();
        if let Ok(mut refused) = self.shared.refused.write() {
            refused.retain(|r| r.name != name);
            refused.push(Refusal {
                name: name.to_owned(),
                source: source.to_owned(),
                reason: reason.to_owned(),
            });
        }
    }

    /// Loads the configured bundle files and the bundles of the watched folder that changed.
    fn watch(&mut self, first: bool) {
        self.last_watch = Instant::now();
        let mut files: Vec<PathBuf> = self.config.bundle_files.clone();
        if let Some(dir) = &self.config.bundle_dir {
            match std::fs::read_dir(dir) {
                Ok(entries) => files.extend(
                    entries
                        .flatten()
                        .map(|e| e.path())
                        .filter(|p| p.extension().is_some_and(|x| x == "json")),
                ),
                Err(e) if first => {
                    eprintln!(
                        "warning: cannot read the bundle folder `{}`: {e}",
                        dir.display()
                    )
                }
                Err(_) => {}
            }
        }
        files.sort();
        if first {
            for (name, bundle) in self.config.initial.clone() {
                if self.loaded_hash(&name).as_deref() == Some(bundle.hash.as_str()) {
                    self.publish(&name, "the policy sources");
                    continue;
                }
                if let Err(e) =
                    self.install(&name, bundle.to_json().as_bytes(), "the policy sources")
                {
                    self.refuse(&name, "the policy sources", &e.message);
                }
            }
        }
        for path in files {
            let Some(name) = path.file_stem().and_then(|s| s.to_str()).map(str::to_owned) else {
                continue;
            };
            let Ok(text) = std::fs::read(&path) else {
                continue;
            };
            let hash = text_hash(&text);
            if self.seen.insert(path.clone(), hash) == Some(hash) {
                continue;
            }
            let source = path.display().to_string();
            // Unchanged contents of a bundle already loaded (after a restart) load nothing.
            let same = Bundle::from_json(&String::from_utf8_lossy(&text))
                .ok()
                .is_some_and(|b| self.loaded_hash(&name) == Some(b.hash));
            if same {
                self.publish(&name, &source);
                continue;
            }
            if let Err(e) = self.install(&name, &text, &source) {
                self.refuse(&name, &source, &e.message);
            }
        }
    }

    fn loaded_hash(&self, name: &str) -> Option<String> {
        self.session
            .revisions()
            .find(|r| &*r.name == name)
            .map(|r| r.hash.to_string())
    }

    /// Writes every engine's snapshot and cuts the log.
    fn checkpoint(&mut self) -> Result<(), String> {
        let began = Instant::now();
        let checkpoint = self.session.checkpoint();
        let bytes = self
            .store
            .save_checkpoint(
                &checkpoint,
                &[
                    (LOG_NEXT, self.next_log.to_le_bytes().to_vec()),
                    (CHECKPOINT_AT, unix_now().to_le_bytes().to_vec()),
                ],
                Some(self.next_log.saturating_sub(1)),
            )
            .map_err(|e| e.to_string())?;
        self.last_checkpoint = Instant::now();
        self.metrics
            .checkpointed(unix_now(), began.elapsed(), bytes as u64);
        self.gauges();
        Ok(())
    }

    /// Publishes each bundle's stream time and held events.
    fn gauges(&self) {
        self.metrics.set_streams(
            self.session
                .revisions()
                .filter_map(|r| {
                    let engine = self.session.engine(&r.name)?;
                    Some((
                        r.name.to_string(),
                        engine.held(),
                        engine.latest(),
                        engine.watermark(),
                    ))
                })
                .collect(),
        );
    }
}
