//! The Edict compiler: policy sources in, diagnostics and a runtime program out.
//!
//! Each pass is a salsa query in its own module, run in this order:
//! [`parse`] → [`vocab`] and [`resolve`] → [`typecheck`] → [`link`] → [`lower`];
//! [`check`] gathers the diagnostics of all passes. Only [`driver`] does IO; only the CLI and
//! tests render diagnostics ([`render`]).

pub mod check;
pub mod coverage;
pub mod db;
pub mod diagnostic;
pub mod driver;
pub mod link;
pub mod lower;
pub mod parse;
pub mod paths;
pub mod render;
pub mod resolve;
pub mod testcase;
pub mod typecheck;
pub mod types;
pub mod vocab;

pub use db::Database;
pub use diagnostic::{Code, Diagnostic, Severity};
pub use driver::{LoadedPackage, Workspace};
