//! The fixed world the targets run in: the library's vocabulary, the 2025 Measures and a toy
//! vocabulary with their outlines, embedded so a target reads nothing from disk, and the
//! Measures compiled once.

use std::sync::{Arc, LazyLock};

use edict_compiler::{LoadedPackage, Workspace};
use edict_runtime::ir::Program;

/// The folder every in-memory policy stands in.
pub const PACKAGE: &str = "policies/measures-2025";

/// The files a policy may import, by path: the face vocabulary and the Measures' outline (as the
/// Measures name them), and the toy vocabulary and outline of the diagnostic fixtures (as
/// `_common/toy.edict` and `_common/toy.outline.txt`).
pub const IMPORTS: &[(&str, &str)] = &[
    (
        "policies/vocabulary/face.edict",
        include_str!("../../policies/vocabulary/face.edict"),
    ),
    (
        "policies/measures-2025/measures-2025.outline.txt",
        include_str!("../../policies/measures-2025/measures-2025.outline.txt"),
    ),
    (
        "policies/measures-2025/_common/toy.edict",
        include_str!("../../tests/diagnostics/_common/toy.edict"),
    ),
    (
        "policies/measures-2025/_common/toy.outline.txt",
        include_str!("../../tests/diagnostics/_common/toy.outline.txt"),
    ),
];

/// The sources of the 2025 Measures, by file name.
pub const MEASURES: &[(&str, &str)] = &[
    (
        "general.edict",
        include_str!("../../policies/measures-2025/general.edict"),
    ),
    (
        "measures.edict",
        include_str!("../../policies/measures-2025/measures.edict"),
    ),
    (
        "minors.edict",
        include_str!("../../policies/measures-2025/minors.edict"),
    ),
    (
        "notice-and-consent.edict",
        include_str!("../../policies/measures-2025/notice-and-consent.edict"),
    ),
    (
        "places.edict",
        include_str!("../../policies/measures-2025/places.edict"),
    ),
    (
        "security-and-filing.edict",
        include_str!("../../policies/measures-2025/security-and-filing.edict"),
    ),
    (
        "storage.edict",
        include_str!("../../policies/measures-2025/storage.edict"),
    ),
    (
        "verification.edict",
        include_str!("../../policies/measures-2025/verification.edict"),
    ),
];

/// Example lines of the Measures' vocabulary, run through every program that compiles.
pub const STREAM: &str = include_str!("../../policies/measures-2025/examples/violations.jsonl");

/// Loads policy sources (file name, text) as one package in [`PACKAGE`], with [`IMPORTS`].
pub fn load(ws: &mut Workspace, sources: &[(&str, &str)]) -> LoadedPackage {
    let sources: Vec<(String, String)> = sources
        .iter()
        .map(|(name, text)| (format!("{PACKAGE}/{name}"), (*text).to_owned()))
        .collect();
    let imports: Vec<(String, String)> = IMPORTS
        .iter()
        .map(|(path, text)| ((*path).to_owned(), (*text).to_owned()))
        .collect();
    ws.load_in_memory(PACKAGE, &sources, &imports)
}

/// The 2025 Measures, compiled once.
pub fn measures() -> Arc<Program> {
    static PROGRAM: LazyLock<Arc<Program>> = LazyLock::new(|| {
        let mut ws = Workspace::default();
        let package = load(&mut ws, MEASURES);
        match ws.program(&package) {
            Some(program) => program,
            None => panic!(
                "the embedded Measures do not compile: {:?}",
                ws.diagnostics(&package)
            ),
        }
    });
    Arc::clone(&PROGRAM)
}
