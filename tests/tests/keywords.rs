//! `edict fmt --keywords`: every regulation package of the library, rewritten into Chinese
//! keywords and into English keywords (its vocabulary too), compiles to the same program as the
//! original.

#![allow(
    clippy::expect_used,
    reason = "a test fails loudly when its fixtures are missing or broken"
)]

use std::path::{Path, PathBuf};

use edict_compiler::{Workspace, render};
use edict_format::{Lang, Options, format};

const PACKAGES: &[&str] = &[
    "../policies/measures-2025",
    "../policies/draft-2023",
    "../policies/examples/residential-estate",
];

/// The package's sources as (path, text), each rewritten with `keywords` if given.
fn sources(dir: &str, keywords: Option<Lang>) -> Vec<(String, String)> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("the package folder exists")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "edict"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).expect("source is readable");
            let text = match keywords {
                Some(k) => format(
                    &text,
                    &Options {
                        keywords: Some(k),
                        ..Options::default()
                    },
                )
                .expect("the library formats"),
                None => text,
            };
            (path.to_string_lossy().replace('\\', "/"), text)
        })
        .collect()
}

const VOCABULARY: &str = "../policies/vocabulary/face.edict";

fn program(dir: &str, keywords: Option<Lang>) -> edict_runtime::ir::Program {
    let mut ws = Workspace::default();
    let package = ws.load_sources(dir, &sources(dir, keywords));
    // The vocabulary is imported from disk; rewrite it too.
    if let Some(k) = keywords {
        let text = std::fs::read_to_string(VOCABULARY).expect("the vocabulary");
        let options = Options {
            keywords: Some(k),
            ..Options::default()
        };
        let rewritten = format(&text, &options).expect("the vocabulary formats");
        if k == Lang::Zh {
            assert!(rewritten.contains("词汇 face {"), "{rewritten}");
        }
        assert!(ws.file(VOCABULARY).is_some(), "{dir} imports {VOCABULARY}");
        ws.set_file(VOCABULARY, rewritten);
    }
    let diagnostics = ws.diagnostics(&package);
    assert!(
        diagnostics.is_empty(),
        "{dir} in {keywords:?}:\n{}",
        render::human(ws.db(), diagnostics)
    );
    (*ws.program(&package).expect("a program")).clone()
}

#[test]
fn every_package_compiles_to_the_same_program_in_either_keyword_language() {
    for dir in PACKAGES {
        assert!(Path::new(dir).is_dir(), "{dir}");
        let original = program(dir, None);
        assert!(!original.rules.is_empty());
        for lang in [Lang::Zh, Lang::En] {
            assert!(
                program(dir, Some(lang)) == original,
                "{dir} rewritten into {lang:?} keywords compiles to another program"
            );
        }
    }
}
