//! The Edict compiler: policy sources in, diagnostics and a runtime program out.
//!
//! The front is the [`Workspace`]: load or set files, then ask for a package's diagnostics,
//! program or coverage. Behind it each pass is a salsa query in its own module, run in this
//! order: `parse` → `vocab` and `resolve` (the header) → `declare` (constants and states) →
//! `typecheck` (one article at a time, on the expression checker `expr`) → `link` → `lower`;
//! `check` gathers what every pass reported. Only the workspace does IO; only the CLI, the
//! language server and tests render diagnostics ([`render`]).

mod check;
pub mod coverage;
mod db;
mod declare;
pub mod diagnostic;
mod expr;
pub mod ide;
mod link;
mod lower;
mod parse;
mod partition;
pub mod paths;
pub mod render;
mod resolve;
pub mod suggestion;
pub mod testcase;
mod typecheck;
mod types;
mod vocab;
mod workspace;

pub use db::{Database, SourceFile};
pub use diagnostic::{Code, Diagnostic, Lang, Severity, Text};
pub use resolve::Header;
pub use vocab::{EventInfo, FieldInfo, Vocab};
pub use workspace::{LoadError, LoadedPackage, MAX_FILE_BYTES, Workspace, display_path, read_text};
