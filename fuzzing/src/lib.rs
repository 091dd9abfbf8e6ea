//! The fuzz targets of Edict as ordinary library functions.
//!
//! Each target takes the bytes a fuzzer made and runs one part of the pipeline on them, checking
//! what the output must be, not only that nothing panics: spans inside the text, messages in
//! the house style, two decoders that agree, a compiled program that survives its bundle and
//! loads. A broken expectation panics, which the fuzzer reports as a crash.
//!
//! The cargo-fuzz harness in `fuzz/` (a workspace of its own, built with a nightly toolchain)
//! calls these functions; `tests/replay.rs` calls them on every stored input of
//! `fuzz/corpus/` and `fuzz/regressions/` with the stable toolchain, so CI replays the corpora
//! without fuzzing.

pub mod check;
pub mod events;
pub mod library;
pub mod outline;
pub mod policy;
pub mod program;
pub mod testcase;

/// A target: bytes in, a panic when an expectation fails.
pub type Target = fn(&[u8]);

/// The targets by name, as `fuzz/` and the corpus folders name them.
pub const TARGETS: &[(&str, Target)] = &[
    ("policy_source", policy::policy_source),
    ("policy_program", program::policy_program),
    ("event_lines", events::event_lines),
    ("bundle", events::bundle),
    ("test_case", testcase::test_case),
    ("outline", outline::outline),
];
