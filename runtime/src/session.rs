//! The embedding API: what a Rust service needs to judge its events for years.
//!
//! A [`Session`] holds named bundles (one engine each, for instance the 2025 Measures beside an
//! organisation's own policy), feeds every line to all of them, lets time pass, hands out the
//! findings as a decision log — each [`Record`] names the bundle and the revision (content
//! hash) that produced it — and checkpoints and restores the state of every engine.
//!
//! ```
//! use edict_runtime::{Bundle, EngineOptions, session::Session};
//! # fn demo(bundle: Bundle, lines: &[&str]) -> Result<(), edict_runtime::session::SessionError> {
//! let mut session = Session::new(EngineOptions::default(), Vec::new());
//! session.load("measures", bundle)?;
//! for line in lines {
//!     session.feed_line(line.as_bytes());
//! }
//! for record in session.take_findings() {
//!     println!("{} {}", record.revision, record.finding.to_json_line());
//! }
//! let checkpoint = session.checkpoint(); // keep it somewhere durable
//! # let _ = checkpoint; Ok(()) }
//! ```
//!
//! `edict serve` and `edict run --state` are built on this API; `runtime/examples/embed.rs` is
//! a complete program. Input positions number the lines fed to the session from 1, across
//! restarts: findings report them as their `line`.

use std::collections::VecDeque;
use std::fmt;
use std::sync::Arc;

use crate::bundle::Bundle;
use crate::engine::{Engine, EngineOptions, Summary, check_vocabularies, share_vocabularies};
use crate::finding::Finding;
use crate::ir::Vocabulary;
use crate::load_error::LoadError;
use crate::signature::{PublicKey, SignatureError};
use crate::snapshot::{RestoreReport, SnapshotError};

/// Which revision of which bundle is loaded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Revision {
    /// The name the bundle is loaded under.
    pub name: Arc<str>,
    /// The regulation's id.
    pub regulation: Arc<str>,
    /// The bundle's content hash, `sha256:…`.
    pub hash: Arc<str>,
    /// The id of the key that signed it, when keys are required.
    pub signer: Option<String>,
}

/// One finding in the decision log.
#[derive(Clone, Debug, PartialEq)]
pub struct Record {
    /// The bundle name and revision that produced it.
    pub bundle: Arc<str>,
    pub revision: Arc<str>,
    pub finding: Finding,
}

/// Why a bundle cannot be loaded.
#[derive(Clone, Debug, PartialEq)]
pub enum SessionError {
    /// Keys are required and the bundle's signature does not satisfy them.
    Signature(SignatureError),
    /// The bundle's program cannot be run.
    Load(LoadError),
    /// A name that cannot be a bundle's name.
    BadName { name: String },
}

impl fmt::Display for SessionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SessionError::Signature(e) => e.fmt(f),
            SessionError::Load(e) => write!(f, "the bundle cannot be run: {e}"),
            SessionError::BadName { name } => write!(
                f,
                "`{name}` cannot name a bundle: use 1 to 64 letters, digits, `-`, `_` or `.`"
            ),
        }
    }
}

impl std::error::Error for SessionError {}

/// The state of every engine of a session at one input position.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Checkpoint {
    /// Lines fed so far.
    pub position: u64,
    pub engines: Vec<EngineCheckpoint>,
}

/// One engine's state ([`Engine::snapshot`]), under its bundle's name and revision.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EngineCheckpoint {
    pub name: String,
    pub hash: String,
    pub snapshot: Vec<u8>,
}

/// What restoring one engine's state did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Restored {
    /// The state was read; the report says what was kept and dropped.
    Read(RestoreReport),
    /// The state could not be read; the engine starts empty.
    Failed(SnapshotError),
    /// No bundle of that name is loaded; the state was set aside.
    NoSuchBundle,
}

struct Slot {
    revision: Revision,
    engine: Engine,
}

/// Named bundles judging one stream, with the findings not yet taken.
pub struct Session {
    options: EngineOptions,
    keys: Vec<PublicKey>,
    slots: Vec<Slot>,
    position: u64,
    findings: VecDeque<Record>,
}

/// Whether a name can name a bundle (it becomes part of URLs and file names).
pub fn valid_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        && !name.starts_with('.')
}

impl Session {
    /// An empty session; with keys, only bundles signed by one of them load.
    pub fn new(options: EngineOptions, keys: Vec<PublicKey>) -> Session {
        Session {
            options,
            keys,
            slots: Vec::new(),
            position: 0,
            findings: VecDeque::new(),
        }
    }

    /// Checks a bundle as [`Session::load`] would, without loading it.
    pub fn check(&self, bundle: &Bundle) -> Result<Option<String>, SessionError> {
        if self.keys.is_empty() {
            return Ok(None);
        }
        bundle
            .verify(&self.keys)
            .map(|key| Some(key.id().to_owned()))
            .map_err(SessionError::Signature)
    }

    /// Loads a bundle under a name. A bundle already loaded under that name is replaced, and
    /// its engine's state carried over to the new revision: the report says what was kept.
    /// A refused bundle changes nothing.
    pub fn load(
        &mut self,
        name: &str,
        bundle: Bundle,
    ) -> Result<Option<RestoreReport>, SessionError> {
        if !valid_name(name) {
            return Err(SessionError::BadName {
                name: name.to_owned(),
            });
        }
        let signer = self.check(&bundle)?;
        let revision = Revision {
            name: Arc::from(name),
            regulation: Arc::from(bundle.program.regulation.id.as_str()),
            hash: Arc::from(bundle.hash.as_str()),
            signer,
        };
        let mut engine =
            Engine::with_options(bundle.program, self.options).map_err(SessionError::Load)?;
        // The other bundles' vocabularies must agree with this one's before anything changes.
        let vocabularies: Vec<&Vocabulary> = self
            .slots
            .iter()
            .filter(|s| &*s.revision.name != name)
            .map(|s| &s.engine.program().vocabulary)
            .chain(std::iter::once(&engine.program().vocabulary))
            .collect();
        check_vocabularies(&vocabularies).map_err(SessionError::Load)?;
        let report = match self.slots.iter_mut().find(|s| &*s.revision.name == name) {
            Some(slot) => {
                let report = engine.restore(&slot.engine.snapshot()).ok();
                *slot = Slot { revision, engine };
                report
            }
            None => {
                self.slots.push(Slot { revision, engine });
                None
            }
        };
        self.share();
        Ok(report)
    }

    /// Unloads a bundle and its state; whether it was loaded.
    pub fn unload(&mut self, name: &str) -> bool {
        let before = self.slots.len();
        self.slots.retain(|s| &*s.revision.name != name);
        self.share();
        self.slots.len() < before
    }

    /// Makes the loaded bundles accept each other's vocabularies ([`share_vocabularies`]);
    /// `load` has already checked that they agree.
    fn share(&mut self) {
        // Checked by `load` before the bundle joined, so this cannot fail; if it did, the
        // engines would share nothing and report other vocabularies' lines as input errors.
        let _ = share_vocabularies(self.slots.iter_mut().map(|s| &mut s.engine));
    }

    /// The bundles loaded, in the order they were loaded.
    pub fn revisions(&self) -> impl Iterator<Item = &Revision> {
        self.slots.iter().map(|s| &s.revision)
    }

    /// The engine of a loaded bundle.
    pub fn engine(&self, name: &str) -> Option<&Engine> {
        self.slots
            .iter()
            .find(|s| &*s.revision.name == name)
            .map(|s| &s.engine)
    }

    /// Lines fed so far: the position of the last one.
    pub fn position(&self) -> u64 {
        self.position
    }

    /// Feeds one line (a JSON object, without its line break) to every bundle; gives its input
    /// position, which its findings report as their `line`.
    pub fn feed_line(&mut self, line: &[u8]) -> u64 {
        self.position += 1;
        let position = self.position;
        let Session {
            slots, findings, ..
        } = self;
        let several = slots.len() > 1;
        for slot in slots.iter_mut() {
            let revision = &slot.revision;
            slot.engine
                .process_line_bytes(position, line, &mut |finding| {
                    findings.push_back(record(revision, several, finding));
                });
        }
        position
    }

    /// Moves stream time to `time` (Unix seconds) for every bundle ([`Engine::advance_to`]).
    pub fn advance_to(&mut self, time: i64) {
        self.each(|engine, mut out| engine.advance_to(time, &mut out));
    }

    /// Judges every held event now ([`Engine::flush`]).
    pub fn flush(&mut self) {
        self.each(|engine, mut out| engine.flush(&mut out));
    }

    fn each(&mut self, mut f: impl FnMut(&mut Engine, &mut dyn FnMut(Finding))) {
        let Session {
            slots, findings, ..
        } = self;
        let several = slots.len() > 1;
        for slot in slots.iter_mut() {
            let revision = &slot.revision;
            f(&mut slot.engine, &mut |finding| {
                findings.push_back(record(revision, several, finding));
            });
        }
    }

    /// The findings made since they were last taken, in the order they were made.
    pub fn take_findings(&mut self) -> Vec<Record> {
        self.findings.drain(..).collect()
    }

    /// Findings made and not yet taken.
    pub fn pending_findings(&self) -> usize {
        self.findings.len()
    }

    /// Each bundle's summary of the lines it was fed.
    pub fn summaries(&self) -> impl Iterator<Item = (&Revision, &Summary)> {
        self.slots.iter().map(|s| (&s.revision, s.engine.summary()))
    }

    /// The obligations still pending in every bundle, as `open` findings.
    pub fn open_obligations(&self) -> Vec<Record> {
        self.slots
            .iter()
            .flat_map(|s| {
                s.engine
                    .open_obligations()
                    .into_iter()
                    .map(|f| record(&s.revision, false, f))
            })
            .collect()
    }

    /// Closes the stream of every bundle ([`Engine::finish`]) and gives their summaries; the
    /// session is empty afterwards.
    pub fn close(&mut self, as_of: Option<i64>) -> Vec<(Revision, Summary)> {
        let slots = std::mem::take(&mut self.slots);
        let several = slots.len() > 1;
        let mut summaries = Vec::with_capacity(slots.len());
        for Slot { revision, engine } in slots {
            let findings = &mut self.findings;
            let summary = engine.finish(as_of, &mut |f| {
                findings.push_back(record(&revision, several, f))
            });
            summaries.push((revision, summary));
        }
        summaries
    }

    /// The state of every engine, and the input position.
    pub fn checkpoint(&self) -> Checkpoint {
        Checkpoint {
            position: self.position,
            engines: self
                .slots
                .iter()
                .map(|s| EngineCheckpoint {
                    name: s.revision.name.to_string(),
                    hash: s.revision.hash.to_string(),
                    snapshot: s.engine.snapshot(),
                })
                .collect(),
        }
    }

    /// Restores a checkpoint into the loaded bundles (load them first): each engine's state
    /// goes to the bundle of its name, whatever its revision; findings not yet taken are
    /// dropped.
    pub fn restore(&mut self, checkpoint: &Checkpoint) -> Vec<(String, Restored)> {
        self.position = checkpoint.position;
        self.findings.clear();
        checkpoint
            .engines
            .iter()
            .map(|state| {
                let restored = match self
                    .slots
                    .iter_mut()
                    .find(|s| *s.revision.name == *state.name)
                {
                    None => Restored::NoSuchBundle,
                    Some(slot) => match slot.engine.restore(&state.snapshot) {
                        Ok(report) => Restored::Read(report),
                        Err(e) => Restored::Failed(e),
                    },
                };
                (state.name.clone(), restored)
            })
            .collect()
    }
}

fn record(revision: &Revision, several: bool, mut finding: Finding) -> Record {
    // With several bundles, a rejected line names the regulation whose vocabulary refused it.
    if several && finding.regulation.is_none() {
        finding.regulation = Some(Arc::clone(&revision.regulation));
    }
    Record {
        bundle: Arc::clone(&revision.name),
        revision: Arc::clone(&revision.hash),
        finding,
    }
}
