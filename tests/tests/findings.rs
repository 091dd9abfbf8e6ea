//! What users see from the 2025 Measures: the pretty-printed program and the findings for each
//! example stream in `policies/measures-2025/examples/`.

#![allow(
    clippy::expect_used,
    reason = "a test fails loudly when its fixtures are missing or broken"
)]

use std::sync::Arc;

use edict_compiler::Workspace;
use edict_runtime::engine::{Engine, run_stream};
use edict_runtime::ir::Program;
use edict_runtime::pretty::pretty;

fn measures() -> Arc<Program> {
    let mut ws = Workspace::default();
    let packages = ws
        .load(&["../policies/measures-2025".into()])
        .expect("the Measures load");
    ws.program(&packages[0]).expect("the Measures compile")
}

/// Runs a stream; returns the findings (one JSON line each) and the summary.
fn run(program: &Program, stream: &str, as_of: Option<i64>) -> String {
    let engine = Engine::new(program.clone()).expect("the program loads");
    let mut findings = String::new();
    let summary = run_stream(engine, stream.as_bytes(), as_of, &mut |f| {
        findings.push_str(&f.to_json_line());
        findings.push('\n');
    })
    .expect("reading from memory cannot fail");
    assert!(
        summary.is_balanced(),
        "every line is accounted for: {summary:?}"
    );
    format!("{findings}----- SUMMARY\n{summary:#?}\n")
}

#[test]
fn the_measures_program() {
    insta::assert_snapshot!(pretty(&measures()));
}

#[test]
fn example_streams() {
    let program = measures();
    insta::glob!("../../policies/measures-2025/examples", "*.jsonl", |path| {
        let stream = std::fs::read_to_string(path).expect("stream is readable");
        insta::assert_snapshot!(format!(
            "----- STREAM\n{stream}----- FINDINGS\n{}",
            run(&program, &stream, None)
        ));
    });
}

#[test]
fn a_bad_line_is_reported_and_the_rest_still_judged() {
    let program = measures();
    let stream = concat!(
        "{\"type\":\"refusal\",\"time\":\"2025-06-03T08:30:00+08:00\",\"processor\":\"p\",\"alternative_provided\":false}\n",
        "{not json\n",
        "{\"type\":\"refusal\",\"time\":\"2025-06-03T08:31:00+08:00\",\"processor\":\"p\",\"alternative_provided\":false}\n",
    );
    let out = run(&program, stream, None);
    // Input errors come out as their lines are read, violations once the watermark passes
    // their events: compare them in line order.
    let mut kinds: Vec<(String, u64)> = out
        .lines()
        .take_while(|l| !l.starts_with("-----"))
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("findings are JSON");
            (
                v["finding"].as_str().unwrap_or_default().to_string(),
                v["line"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    kinds.sort_by_key(|(_, line)| *line);
    assert_eq!(
        kinds,
        [
            ("violation".to_string(), 1),
            ("input_error".to_string(), 2),
            ("violation".to_string(), 3)
        ]
    );
}

#[test]
fn the_runtime_links_neither_the_grammar_nor_the_compiler() {
    let manifest = std::fs::read_to_string("../runtime/Cargo.toml").expect("runtime manifest");
    for forbidden in ["edict-grammar", "edict-compiler"] {
        assert!(
            !manifest.contains(forbidden),
            "runtime/Cargo.toml must not depend on {forbidden}"
        );
    }
}

#[test]
fn an_article_of_unknown_number_is_reported_by_key_with_its_sources() {
    let mut ws = Workspace::default();
    let packages = ws
        .load(&["packages/keyed".into()])
        .expect("the package loads");
    let program = ws.program(&packages[0]).expect("the package compiles");
    let stream = "{\"type\":\"enrollment\",\"time\":\"2025-06-02T09:00:00+08:00\",\"processor\":\"p\",\"subject\":\"s\",\"storage\":\"server\",\"basis\":\"law\",\"purpose\":\"x\",\"retention_days\":3}\n";
    insta::assert_snapshot!(run(&program, stream, None));
}
