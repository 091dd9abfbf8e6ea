//! Policies of hostile shape through the whole pipeline: compiling, bundling, loading and
//! running. Each case was found by a fuzzing campaign (`docs/fuzzing.md`) and is kept here.

#![allow(
    clippy::expect_used,
    reason = "a test fails loudly when its fixtures are missing or broken"
)]

use edict_compiler::Workspace;
use edict_runtime::bundle::Bundle;
use edict_runtime::engine::{Engine, run_stream};
use edict_runtime::finding::Finding;
use edict_runtime::ir::Program;

const HEADER: &str = r#"regulation toy {
  title "t"
  effective 2025-06-01
  timezone "Asia/Shanghai"
  outline "_common/toy.outline.txt"
  use vocabulary toy from "_common/toy.edict"
}
"#;

/// Compiles one file (the toy header and `body`); returns the diagnostics, one
/// `CODE message` a line, and the program when there are no errors.
fn compile(body: &str) -> (String, Option<Program>) {
    let mut ws = Workspace::default();
    let source = format!("{HEADER}{body}");
    let package = ws.load_sources("diagnostics", &[("diagnostics/p.edict".into(), source)]);
    let diagnostics: String = ws
        .diagnostics(&package)
        .iter()
        .map(|d| format!("{} {}\n", d.code.as_str(), d.message))
        .collect();
    let program = ws.program(&package).map(|p| (*p).clone());
    (diagnostics, program)
}

/// Runs a stream through a program that went through a bundle file's text.
fn run_bundled(program: Program, stream: &str) -> Vec<Finding> {
    let text = Bundle::new(program).to_json();
    let bundle = Bundle::from_json(&text).expect("the bundle loads");
    let engine = Engine::from_bundle(bundle).expect("the program loads");
    let mut findings = Vec::new();
    run_stream(engine, stream.as_bytes(), None, &mut |f| findings.push(f))
        .expect("reading from memory cannot fail");
    findings
}

const ENROLLMENT: &str = r#"{"type":"enrollment","time":"2025-07-01T00:00:00+08:00","processor":"p","subject":"s","storage":"device","basis":"law","purpose":"x","retention_days":RETENTION}"#;

#[test]
fn a_when_with_thousands_of_terms_compiles_bundles_and_runs() {
    // A stack overflow (exit 134) in every compiling command when each `and` was a node.
    let terms: Vec<String> = (0..20_000)
        .map(|i| format!("(e.retention_days != {i} or e.purpose == \"p{i}\")"))
        .collect();
    let body = format!(
        "article 1 {{\n  rule r:\n    on enrollment e\n    when {}\n    require e.basis == consent\n    message \"m\"\n}}\n",
        terms.join(" and ")
    );
    let (diagnostics, program) = compile(&body);
    assert_eq!(diagnostics, "");
    let program = program.expect("compiles");
    // 20,000 is not among the excluded values: the rule applies and `law` breaks it.
    let stream = format!(
        "{}\n{}\n",
        ENROLLMENT.replace("RETENTION", "20000"),
        ENROLLMENT.replace("RETENTION", "7")
    );
    let findings = run_bundled(program, &stream);
    let lines: Vec<u64> = findings.iter().map(|f| f.line).collect();
    assert_eq!(lines, [1]);
}

#[test]
fn the_deepest_expression_allowed_survives_a_bundle() {
    // Alternating `and`/`or` in parentheses, as deep as the parser allows: the bundle's JSON
    // must stay within what its reader accepts.
    let mut condition = "e.retention_days == 1".to_owned();
    for i in 0..28 {
        let op = if i % 2 == 0 { "and" } else { "or" };
        condition = format!("(not (e.retention_days == {i}) {op} {condition})");
    }
    let body = format!(
        "article 1 {{\n  rule r:\n    on enrollment e\n    prohibit {condition}\n    message \"m\"\n}}\n"
    );
    let (diagnostics, program) = compile(&body);
    assert_eq!(diagnostics, "");
    let findings = run_bundled(
        program.expect("compiles"),
        &format!("{}\n", ENROLLMENT.replace("RETENTION", "1")),
    );
    assert_eq!(findings.len(), 1);
    // One level more is refused.
    let body = body.replace("prohibit (", "prohibit (not (e.purpose == \"x\") and (");
    let body = body.replace("\n    message", ")\n    message");
    let (diagnostics, _) = compile(&body);
    assert_eq!(
        diagnostics,
        "E0001 this expression nests operators more than 32 deep\n"
    );
}

#[test]
fn an_expression_past_the_depth_limit_is_one_syntax_error() {
    let body = format!(
        "article 1 {{\n  rule r:\n    on enrollment e\n    require e{} == 1\n    message \"m\"\n}}\n",
        ".subject".repeat(5_000)
    );
    let (diagnostics, program) = compile(&body);
    assert_eq!(
        diagnostics,
        "E0001 this expression nests operators more than 32 deep\n"
    );
    assert!(program.is_none());
}

#[test]
fn a_clause_number_out_of_range_is_reported_as_such_and_alone() {
    // Each first reported "the regulation has no article 0".
    let rule =
        "  rule r:\n    on enrollment e\n    require e.basis == consent\n    message \"m\"\n";
    for (head, close, want) in [
        (
            "第九九九九九九九九条 {",
            "}",
            "E0001 `九九九九九九九九` is not a chinese numeral: two digits stand side by side without a unit between them",
        ),
        (
            "第十十条 {",
            "}",
            "E0001 `十十` is not a chinese numeral: its units do not go down from the largest (`千`, `百`, `十`)",
        ),
        (
            "第零零七条 {",
            "}",
            "E0001 `零零七` is not a chinese numeral: `零` stands only between a unit and a digit, as in `一百零一`",
        ),
        (
            "article 99999999999999999999 {",
            "}",
            "E0001 `99999999999999999999` is too large for an article number",
        ),
        (
            "article 1 { paragraph 4294967297 {",
            "} }",
            "E0001 `4294967297` is too large for a paragraph number",
        ),
        (
            "article 2 { paragraph 1 { item 0 {",
            "} } }",
            "E0001 there is no item 0: clauses are numbered from 1",
        ),
    ] {
        let (diagnostics, _) = compile(&format!("{head}\n{rule}{close}\n"));
        assert_eq!(diagnostics, format!("{want}\n"), "{head}");
    }
}
