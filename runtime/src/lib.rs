//! The Edict runtime: policy bundles and the generic evaluator of event streams.
//!
//! It knows nothing of any regulation: everything it checks comes from the [`ir::Program`] in
//! a bundle. It depends on neither the grammar nor the compiler.
//!
//! The modules, in the order a run uses them:
//! - [`bundle`]: reading and writing bundles, with their format number and hash;
//! - [`calendar`]: calendar days, years and working days (the built-in tables a program names, and its own holidays);
//! - [`engine`]: a program prepared for evaluation, the run over a stream, and its summary;
//! - [`event`]: decoding one line of a stream against the vocabulary;
//! - [`eval`]: evaluating the program's expressions over decoded events;
//! - [`finding`]: what a run reports;
//! - [`partition`]: whether a program's state is confined to one value of its partition field,
//!   and which partition an event belongs to;
//! - `join`: hash indexes that find remembered events and pending obligations;
//! - [`pretty`]: a readable rendering of a program;
//! - [`session`]: the embedding API: named bundles, a decision log, checkpoints;
//! - [`signature`]: Ed25519 signatures over a bundle's hash, and keys;
//! - [`snapshot`]: the state of a run as bytes, to checkpoint and restore it;
//! - `state`: keyed sets and counters;
//! - [`time`]: reading and writing the stream's times and dates.

pub mod bundle;
pub mod calendar;
pub mod engine;
pub mod eval;
pub mod event;
pub mod finding;
pub mod ir;
mod join;
pub mod load_error;
pub mod partition;
pub mod pretty;
pub mod session;
pub mod signature;
pub mod snapshot;
mod state;
pub mod suggest;
pub mod time;

pub use bundle::{BUNDLE_FORMAT, Bundle, BundleError};
pub use engine::{Engine, EngineOptions, Footprint, Summary, run_stream};
pub use event::{Decoder, Event, InputError};
pub use finding::{Finding, FindingKind};
pub use load_error::LoadError;
pub use snapshot::{RestoreReport, SnapshotError};
