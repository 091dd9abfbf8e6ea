//! The 2025 Measures package end to end: it checks clean, its IR is what we reviewed, the
//! Chinese-keyword article equals its English twin, and breaking it is reported at the right
//! line.

#![allow(
    clippy::expect_used,
    reason = "a test fails loudly when its fixtures are missing or broken"
)]

use std::path::{Path, PathBuf};

use edict_compiler::{Code, Workspace, render};

const PACKAGE: &str = "../policies/measures-2025";

/// The package's sources as (path, text), with `replace` applied to the file ending in `name`.
fn sources_with(name: &str, replace: impl Fn(&str) -> String) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut entries: Vec<PathBuf> = std::fs::read_dir(PACKAGE)
        .expect("the package folder exists")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "edict"))
        .collect();
    entries.sort();
    for path in entries {
        let text = std::fs::read_to_string(&path).expect("source is readable");
        let shown = path.to_string_lossy().replace('\\', "/");
        let text = if shown.ends_with(name) {
            replace(&text)
        } else {
            text
        };
        out.push((shown, text));
    }
    out
}

fn compile(sources: &[(String, String)]) -> (Workspace, edict_compiler::LoadedPackage) {
    let mut ws = Workspace::default();
    let package = ws.load_sources(PACKAGE, sources);
    (ws, package)
}

#[test]
fn the_measures_check_without_diagnostics() {
    let (ws, package) = compile(&sources_with("", |t| t.to_string()));
    let diagnostics = ws.diagnostics(&package);
    assert!(
        diagnostics.is_empty(),
        "{}",
        render::human(ws.db(), diagnostics)
    );
    assert!(ws.program(&package).is_some());
}

#[test]
fn chinese_keywords_compile_to_the_same_program_as_english() {
    let english =
        std::fs::read_to_string("fixtures/art07-english.edict").expect("the English twin");
    let chinese_sources = sources_with("", |t| t.to_string());
    assert!(
        chinese_sources
            .iter()
            .any(|(p, t)| p.ends_with("minors.edict") && t.contains("第七条")),
        "the package writes article 7 with Chinese keywords"
    );
    let (ws_zh, zh) = compile(&chinese_sources);
    let (ws_en, en) = compile(&sources_with("minors.edict", |_| english.clone()));
    let zh = ws_zh.program(&zh).expect("the Chinese form compiles");
    let en = ws_en.program(&en).expect("the English form compiles");
    assert_eq!(zh, en);
}

/// Checks the package with one edit; returns (code, file, line) of each error.
fn errors_after(name: &str, from: &str, to: &str) -> Vec<(Code, String, usize)> {
    let sources = sources_with(name, |t| {
        assert!(t.contains(from), "{name} contains {from:?}");
        t.replacen(from, to, 1)
    });
    let (ws, package) = compile(&sources);
    ws.diagnostics(&package)
        .iter()
        .filter(|d| d.is_error())
        .map(|d| {
            let file = d.primary.file;
            let (line, _) = render::line_column(file.text(ws.db()), d.primary.span.start as usize);
            let path = file.path(ws.db()).clone();
            let short = Path::new(&path)
                .file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or(path);
            (d.code, short, line)
        })
        .collect()
}

fn line_of(name: &str, needle: &str) -> usize {
    let (_, text) = sources_with("", |t| t.to_string())
        .into_iter()
        .find(|(p, _)| p.ends_with(name))
        .expect("file exists");
    let offset = text.find(needle).expect("needle is in the file");
    text[..offset].matches('\n').count() + 1
}

#[test]
fn a_misspelt_field_is_reported_at_its_line() {
    let line = line_of("verification.edict", "require m.alternative_offered");
    let errors = errors_after(
        "verification.edict",
        "require m.alternative_offered",
        "require m.alternative_offerd",
    );
    assert_eq!(
        errors,
        [(Code::UnknownField, "verification.edict".to_string(), line)]
    );
}

#[test]
fn an_article_absent_from_the_outline_is_reported_at_its_line() {
    let line = line_of("places.edict", "article 13");
    let errors = errors_after("places.edict", "article 13", "article 31");
    assert_eq!(
        errors,
        [(Code::CitationNotInOutline, "places.edict".to_string(), line)]
    );
}

/// Every regulation of the library keeps its states, `once` memories and deadlines per
/// processor, so each can be judged processor by processor (`edict run --workers`,
/// `edict consume`).
#[test]
fn the_library_can_be_partitioned_by_processor() {
    let mut ws = Workspace::default();
    let paths: Vec<PathBuf> = [
        PACKAGE,
        "../policies/draft-2023",
        "../policies/examples/residential-estate",
    ]
    .iter()
    .map(PathBuf::from)
    .collect();
    let packages = ws.load(&paths).expect("the library loads");
    let mut checked = 0;
    for package in &packages {
        let Some(program) = ws.program(package) else {
            continue;
        };
        checked += 1;
        let diagnostics = ws.partition_diagnostics(package);
        assert!(
            diagnostics.is_empty(),
            "{}",
            render::human(ws.db(), diagnostics)
        );
        let partitioning = edict_runtime::partition::Partitioning::of(&program)
            .expect("the program can be partitioned");
        assert_eq!(partitioning.field(), "processor");
    }
    assert_eq!(
        checked, 3,
        "the three regulations of the library were checked"
    );
}

/// A rule that may find an earlier event of another processor is named, at its pattern.
#[test]
fn a_once_across_processors_prevents_partitioning() {
    let sources = sources_with("storage.edict", |t| {
        t.replace(
            "require once assessment a where a.processor == e.processor and e.purpose in a.purposes before",
            "require once assessment a where e.purpose in a.purposes before",
        )
    });
    let (ws, package) = compile(&sources);
    assert!(ws.diagnostics(&package).is_empty());
    let diagnostics = ws.partition_diagnostics(&package);
    let rendered = render::human(ws.db(), diagnostics);
    assert_eq!(diagnostics.len(), 1, "{rendered}");
    assert_eq!(diagnostics[0].code, Code::NotPartitionable);
    assert!(
        rendered.contains(
            "rule `assessment-before-enrollment` may match an earlier event of another partition"
        ),
        "{rendered}"
    );
}
