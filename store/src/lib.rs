//! The durable state of `edict run --state` and `edict serve`: one embedded
//! [redb](https://docs.rs/redb) database, `edict-state.redb`, in the state folder.
//!
//! # Why redb
//!
//! A run's state is written whole at each checkpoint and read whole at each start, beside small
//! records written often (a batch's events and findings). redb is a pure-Rust, single-file,
//! copy-on-write B-tree with ACID transactions: a commit is atomic and durable (fsync) or not
//! there at all, which is what exactly-once findings rest on; it takes a file lock, so two
//! processes never share a state folder; it needs no server, no C toolchain and no tuning.
//!
//! # Tables
//!
//! - `meta`: the store's format (`edict-store-1`) and what a checkpoint records beside the
//!   engines — the input position, and for `edict run` the input's byte offset and the output's
//!   length;
//! - `snapshots`: per bundle name, its revision's hash and its engine snapshot
//!   ([`edict_runtime::snapshot`]), each restorable on its own;
//! - `log`: for the server, the batches accepted since the last checkpoint (a write-ahead log
//!   replayed after a crash);
//! - `findings`: the server's decision log, by sequence number;
//! - `batches`: the server's answers by idempotency key, so that a retried batch is answered
//!   again instead of being judged twice;
//! - `bundles`: bundles uploaded to the server, by name.
//!
//! A checkpoint writes the snapshots, the metadata and the truncation of the log in one
//! transaction; an accepted batch writes its log entry, findings and answer in one transaction.

use std::fmt;
use std::path::{Path, PathBuf};

use edict_runtime::session::{Checkpoint, EngineCheckpoint};
use redb::{Database, ReadableDatabase, ReadableTable, ReadableTableMetadata, TableDefinition};

const META: TableDefinition<&str, &[u8]> = TableDefinition::new("meta");
const SNAPSHOTS: TableDefinition<&str, &[u8]> = TableDefinition::new("snapshots");
const LOG: TableDefinition<u64, &[u8]> = TableDefinition::new("log");
const FINDINGS: TableDefinition<u64, &[u8]> = TableDefinition::new("findings");
const BATCHES: TableDefinition<&str, &[u8]> = TableDefinition::new("batches");
const BUNDLES: TableDefinition<&str, &[u8]> = TableDefinition::new("bundles");

/// The store format this version writes and reads.
pub const STORE_FORMAT: &str = "edict-store-1";
/// The database file in a state folder.
pub const FILE_NAME: &str = "edict-state.redb";

const FORMAT_KEY: &str = "format";
const POSITION_KEY: &str = "position";

/// Why the store failed, naming its file.
#[derive(Debug)]
pub struct StoreError {
    message: String,
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for StoreError {}

/// The state folder's database.
#[derive(Debug)]
pub struct Store {
    db: Database,
    path: PathBuf,
}

/// What one write adds: log entries, findings, batch answers and metadata.
#[derive(Debug, Default)]
pub struct Append {
    pub log: Vec<(u64, Vec<u8>)>,
    pub findings: Vec<(u64, Vec<u8>)>,
    pub batches: Vec<(String, Vec<u8>)>,
    pub meta: Vec<(String, Vec<u8>)>,
}

impl Store {
    /// Opens the store in a state folder, creating both if needed.
    pub fn open(dir: &Path) -> Result<Store, StoreError> {
        std::fs::create_dir_all(dir).map_err(|e| StoreError {
            message: format!("cannot create the state folder `{}`: {e}", dir.display()),
        })?;
        let path = dir.join(FILE_NAME);
        let db = Database::create(&path).map_err(|e| StoreError {
            message: match e {
                redb::DatabaseError::DatabaseAlreadyOpen => format!(
                    "the state `{}` is in use by another edict process",
                    path.display()
                ),
                other => format!("cannot open the state `{}`: {other}", path.display()),
            },
        })?;
        let store = Store { db, path };
        match store.meta(FORMAT_KEY)? {
            None => store.write(|txn| {
                txn.open_table(META)?
                    .insert(FORMAT_KEY, STORE_FORMAT.as_bytes())?;
                for table in [SNAPSHOTS, BATCHES, BUNDLES] {
                    txn.open_table(table)?;
                }
                txn.open_table(LOG)?;
                txn.open_table(FINDINGS)?;
                Ok(())
            })?,
            Some(format) if format == STORE_FORMAT.as_bytes() => {}
            Some(format) => {
                return Err(StoreError {
                    message: format!(
                        "the state `{}` has format `{}` but this edict reads `{STORE_FORMAT}`",
                        store.path.display(),
                        String::from_utf8_lossy(&format)
                    ),
                });
            }
        }
        Ok(store)
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn fail(&self, error: impl fmt::Display) -> StoreError {
        StoreError {
            message: format!("the state `{}`: {error}", self.path.display()),
        }
    }

    fn write(
        &self,
        f: impl FnOnce(&redb::WriteTransaction) -> Result<(), redb::Error>,
    ) -> Result<(), StoreError> {
        let txn = self.db.begin_write().map_err(|e| self.fail(e))?;
        f(&txn).map_err(|e| self.fail(e))?;
        txn.commit().map_err(|e| self.fail(e))
    }

    fn read<T>(
        &self,
        f: impl FnOnce(&redb::ReadTransaction) -> Result<T, redb::Error>,
    ) -> Result<T, StoreError> {
        let txn = self.db.begin_read().map_err(|e| self.fail(e))?;
        f(&txn).map_err(|e| self.fail(e))
    }

    /// A metadata value.
    pub fn meta(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        self.read(|txn| match txn.open_table(META) {
            Ok(table) => Ok(table.get(key)?.map(|v| v.value().to_vec())),
            Err(redb::TableError::TableDoesNotExist(_)) => Ok(None),
            Err(e) => Err(e.into()),
        })
    }

    /// A metadata value that is a number.
    pub fn meta_u64(&self, key: &str) -> Result<Option<u64>, StoreError> {
        Ok(self.meta(key)?.and_then(|v| {
            let bytes: [u8; 8] = v.as_slice().try_into().ok()?;
            Some(u64::from_le_bytes(bytes))
        }))
    }

    /// Writes a checkpoint in one transaction: every engine's snapshot (replacing those of
    /// earlier checkpoints), its input position, further metadata, and the removal of the log
    /// entries up to `log_upto`. Gives the bytes of the snapshots written.
    pub fn save_checkpoint(
        &self,
        checkpoint: &Checkpoint,
        meta: &[(&str, Vec<u8>)],
        log_upto: Option<u64>,
    ) -> Result<usize, StoreError> {
        let mut bytes = 0;
        self.write(|txn| {
            let mut snapshots = txn.open_table(SNAPSHOTS)?;
            snapshots.retain(|_, _| false)?;
            for engine in &checkpoint.engines {
                let mut value = Vec::with_capacity(8 + engine.hash.len() + engine.snapshot.len());
                value.extend_from_slice(&(engine.hash.len() as u64).to_le_bytes());
                value.extend_from_slice(engine.hash.as_bytes());
                value.extend_from_slice(&engine.snapshot);
                bytes += value.len();
                snapshots.insert(engine.name.as_str(), value.as_slice())?;
            }
            let mut table = txn.open_table(META)?;
            table.insert(POSITION_KEY, checkpoint.position.to_le_bytes().as_slice())?;
            for (key, value) in meta {
                table.insert(*key, value.as_slice())?;
            }
            if let Some(upto) = log_upto {
                let mut log = txn.open_table(LOG)?;
                log.retain_in(..=upto, |_, _| false)?;
            }
            Ok(())
        })?;
        Ok(bytes)
    }

    /// The last checkpoint written, if any.
    pub fn load_checkpoint(&self) -> Result<Option<Checkpoint>, StoreError> {
        let Some(position) = self.meta_u64(POSITION_KEY)? else {
            return Ok(None);
        };
        let engines = self.read(|txn| {
            let table = txn.open_table(SNAPSHOTS)?;
            let mut engines = Vec::new();
            for entry in table.iter()? {
                let (name, value) = entry?;
                let value = value.value();
                let split = value
                    .get(..8)
                    .and_then(|b| <[u8; 8]>::try_from(b).ok())
                    .map(|b| u64::from_le_bytes(b) as usize)
                    .map(|n| 8 + n)
                    .filter(|&end| end <= value.len());
                let Some(end) = split else {
                    continue;
                };
                engines.push(EngineCheckpoint {
                    name: name.value().to_owned(),
                    hash: String::from_utf8_lossy(&value[8..end]).into_owned(),
                    snapshot: value[end..].to_vec(),
                });
            }
            Ok(engines)
        })?;
        Ok(Some(Checkpoint { position, engines }))
    }

    /// Writes log entries, findings, batch answers and metadata in one transaction.
    pub fn append(&self, append: &Append) -> Result<(), StoreError> {
        self.write(|txn| {
            if !append.log.is_empty() {
                let mut log = txn.open_table(LOG)?;
                for (seq, bytes) in &append.log {
                    log.insert(*seq, bytes.as_slice())?;
                }
            }
            if !append.findings.is_empty() {
                let mut findings = txn.open_table(FINDINGS)?;
                for (seq, bytes) in &append.findings {
                    findings.insert(*seq, bytes.as_slice())?;
                }
            }
            if !append.batches.is_empty() {
                let mut batches = txn.open_table(BATCHES)?;
                for (key, bytes) in &append.batches {
                    batches.insert(key.as_str(), bytes.as_slice())?;
                }
            }
            if !append.meta.is_empty() {
                let mut meta = txn.open_table(META)?;
                for (key, bytes) in &append.meta {
                    meta.insert(key.as_str(), bytes.as_slice())?;
                }
            }
            Ok(())
        })
    }

    /// The log entries not yet covered by a checkpoint, in order.
    pub fn log(&self) -> Result<Vec<(u64, Vec<u8>)>, StoreError> {
        self.read(|txn| {
            let table = txn.open_table(LOG)?;
            table
                .iter()?
                .map(|e| {
                    let (k, v) = e?;
                    Ok((k.value(), v.value().to_vec()))
                })
                .collect()
        })
    }

    /// Findings after a sequence number, in order, that `keep` accepts, at most `limit`.
    pub fn findings(
        &self,
        after: u64,
        limit: usize,
        mut keep: impl FnMut(&[u8]) -> bool,
    ) -> Result<Vec<(u64, Vec<u8>)>, StoreError> {
        self.read(|txn| {
            let table = txn.open_table(FINDINGS)?;
            let mut found = Vec::new();
            for entry in table.range(after.saturating_add(1)..)? {
                if found.len() >= limit {
                    break;
                }
                let (k, v) = entry?;
                if keep(v.value()) {
                    found.push((k.value(), v.value().to_vec()));
                }
            }
            Ok(found)
        })
    }

    /// The sequence number of the last finding, 0 when there is none.
    pub fn last_finding(&self) -> Result<u64, StoreError> {
        self.read(|txn| {
            let table = txn.open_table(FINDINGS)?;
            Ok(table.last()?.map_or(0, |(k, _)| k.value()))
        })
    }

    /// The number of findings stored.
    pub fn finding_count(&self) -> Result<u64, StoreError> {
        self.read(|txn| Ok(txn.open_table(FINDINGS)?.len()?))
    }

    /// The answer given to a batch, by its idempotency key.
    pub fn batch(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        self.read(|txn| {
            let table = txn.open_table(BATCHES)?;
            Ok(table.get(key)?.map(|v| v.value().to_vec()))
        })
    }

    /// Stores an uploaded bundle's text under its name.
    pub fn put_bundle(&self, name: &str, text: &[u8]) -> Result<(), StoreError> {
        self.write(|txn| {
            txn.open_table(BUNDLES)?.insert(name, text)?;
            Ok(())
        })
    }

    /// The uploaded bundles, by name.
    pub fn bundles(&self) -> Result<Vec<(String, Vec<u8>)>, StoreError> {
        self.read(|txn| {
            let table = txn.open_table(BUNDLES)?;
            table
                .iter()?
                .map(|e| {
                    let (k, v) = e?;
                    Ok((k.value().to_owned(), v.value().to_vec()))
                })
                .collect()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("edict-store-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn checkpoints_replace_each_other_and_trim_the_log() {
        let dir = scratch("checkpoint");
        let store = Store::open(&dir).unwrap();
        assert_eq!(store.load_checkpoint().unwrap(), None);
        let engine = |name: &str, snapshot: &[u8]| EngineCheckpoint {
            name: name.to_owned(),
            hash: format!("sha256:{name}"),
            snapshot: snapshot.to_vec(),
        };
        let first = Checkpoint {
            position: 10,
            engines: vec![engine("a", b"one"), engine("b", b"two")],
        };
        store
            .save_checkpoint(&first, &[("offset", 5u64.to_le_bytes().to_vec())], None)
            .unwrap();
        store
            .append(&Append {
                log: vec![(11, b"x".to_vec()), (12, b"y".to_vec())],
                findings: vec![(1, b"f1".to_vec()), (2, b"f2".to_vec())],
                batches: vec![("k".to_owned(), b"answer".to_vec())],
                meta: Vec::new(),
            })
            .unwrap();
        let second = Checkpoint {
            position: 11,
            engines: vec![engine("b", b"three")],
        };
        store.save_checkpoint(&second, &[], Some(11)).unwrap();
        drop(store);

        // A second process cannot open the state while it is open.
        let store = Store::open(&dir).unwrap();
        assert!(
            Store::open(&dir)
                .unwrap_err()
                .to_string()
                .contains("in use by another edict")
        );
        assert_eq!(store.load_checkpoint().unwrap(), Some(second));
        assert_eq!(store.meta_u64("offset").unwrap(), Some(5));
        assert_eq!(store.log().unwrap(), vec![(12, b"y".to_vec())]);
        assert_eq!(
            store.findings(1, 10, |_| true).unwrap(),
            vec![(2, b"f2".to_vec())]
        );
        assert_eq!(store.last_finding().unwrap(), 2);
        assert_eq!(store.batch("k").unwrap(), Some(b"answer".to_vec()));
        assert_eq!(store.batch("other").unwrap(), None);
    }
}
