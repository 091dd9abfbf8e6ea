//! Engine snapshots: the state of a run as bytes, to checkpoint and restore it.
//!
//! [`crate::Engine::snapshot`] writes everything a run has accumulated — keyed states, `once`
//! memories, pending obligations, events held for the watermark, the watermark itself and the
//! summary — and [`crate::Engine::restore`] reads it into an engine freshly made from the same
//! program or from another revision of it. One engine (one regulation) makes one snapshot, so
//! engines are checkpointed and restored independently.
//!
//! # Format
//!
//! A snapshot starts with the magic bytes `EDICTSNP` and a format number
//! ([`SNAPSHOT_FORMAT`]); a reader refuses a number it does not know with
//! [`SnapshotError::Format`], so the layout can change in later versions (format 1, without the
//! count of other vocabularies' lines, is still read). Then, in the compact binary encoding of the
//! `codec` module (little-endian varints, length-prefixed strings): the program's hash, a
//! fingerprint of its vocabulary, the stream's position (summary, latest time, watermark,
//! arrival counter), then sections for the states, the `once` memories, the obligations and
//! the held events. Each state, `once` rule and deadline rule is written under its name or
//! rule id and a fingerprint of its definition.
//!
//! # Another revision of the program
//!
//! Restoring into a different program keeps what is still meaningful and drops the rest, and
//! says which in the [`RestoreReport`]: a state is kept when the new program has a state of the
//! same name with the same definition; `once` memories and obligations are kept when the new
//! program has a rule of the same id with the same trigger, conditions and body (messages may
//! change). Anything holding events or values — held events, memories, obligations, state keys —
//! needs the vocabulary unchanged, since events are stored by field position. The stream's
//! position and summary are always kept.

use std::fmt;

mod codec;

pub(crate) use codec::{Reader, Writer};

/// The snapshot format this runtime writes (it reads this one and the earlier ones from
/// [`FIRST_READ_FORMAT`]). Format 2 added the count of lines of other vocabularies to the
/// summary.
pub const SNAPSHOT_FORMAT: u32 = 2;

/// The oldest snapshot format this runtime still reads.
pub const FIRST_READ_FORMAT: u32 = 1;

/// The bytes every snapshot starts with.
pub(crate) const MAGIC: &[u8; 8] = b"EDICTSNP";

/// Why a snapshot cannot be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SnapshotError {
    /// The bytes are not a snapshot.
    NotASnapshot,
    /// The snapshot was written in a format this runtime does not read.
    Format { found: u32 },
    /// The snapshot is cut short or damaged.
    Damaged { detail: String },
}

impl fmt::Display for SnapshotError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SnapshotError::NotASnapshot => f.write_str("this is not an Edict state snapshot"),
            SnapshotError::Format { found } => write!(
                f,
                "the state snapshot has format {found} but this edict reads formats {FIRST_READ_FORMAT} to {SNAPSHOT_FORMAT}"
            ),
            SnapshotError::Damaged { detail } => {
                write!(f, "the state snapshot is damaged: {detail}")
            }
        }
    }
}

impl std::error::Error for SnapshotError {}

/// What a restore kept and dropped, in plain words, one item per line.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RestoreReport {
    /// Whether the snapshot came from the same program (same hash).
    pub same_program: bool,
    pub kept: Vec<String>,
    pub dropped: Vec<String>,
}

impl RestoreReport {
    pub(crate) fn keep(&mut self, what: String) {
        self.kept.push(what);
    }

    pub(crate) fn drop_(&mut self, what: String) {
        self.dropped.push(what);
    }
}
