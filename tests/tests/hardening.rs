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
        .map(|d| format!("{} {}\n", d.code.as_str(), d.message.en))
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

/// A retention rule over the toy vocabulary.
const RETENTION: &str = "article 1 {\n  rule keep:\n    on enrollment e\n    require deletion d where d.subject == e.subject within e.retention_days days\n    message \"m\"\n}\n";

/// Runs lines through the retention rule, closing at `as_of`; the findings as JSON lines.
fn retention(lines: &[String], as_of: Option<&str>) -> Vec<String> {
    let (diagnostics, program) = compile(RETENTION);
    assert_eq!(diagnostics, "");
    let mut engine = Engine::new(program.expect("compiles")).expect("loads");
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        engine.process_line(i as u64 + 1, line, &mut |f| out.push(f.to_json_line()));
    }
    let as_of = as_of.map(|t| {
        edict_runtime::time::parse_rfc3339(t)
            .expect("a time")
            .second
    });
    let summary = engine.finish(as_of, &mut |f| out.push(f.to_json_line()));
    assert!(summary.is_balanced());
    // In the order of the lines, as `edict run` writes them: a line whose period cannot be
    // counted is set aside when it is judged, which a later line's rejection may precede.
    let line = |l: &String| {
        let json: serde_json::Value = serde_json::from_str(l).expect("a finding");
        json["line"].as_u64()
    };
    out.sort_by_key(line);
    out
}

fn enrollment(time: &str, retention: &str) -> String {
    ENROLLMENT
        .replace("2025-07-01T00:00:00+08:00", time)
        .replace("RETENTION", retention)
}

#[test]
fn a_long_retention_period_is_counted_in_full_not_capped() {
    // Capped at 1,000,000 days, this was reported overdue in the year 4763.
    let out = retention(
        &[enrollment("2025-07-01T00:00:00+08:00", "1500000")],
        Some("5000-01-01T00:00:00+08:00"),
    );
    assert_eq!(out.len(), 1, "{out:?}");
    assert!(out[0].contains(r#""finding":"open""#), "{}", out[0]);
    assert!(out[0].contains(r#""deadline":"6132-"#), "{}", out[0]);
}

#[test]
fn a_period_past_the_supported_dates_rejects_its_line() {
    let out = retention(&[enrollment("2025-07-01T00:00:00+08:00", "3000000")], None);
    assert_eq!(
        out,
        [
            r#"{"finding":"input_error","rule":null,"regulation":null,"article":null,"paragraph":null,"item":null,"line":1,"time":null,"message":"the period of 3000000 days from 2025-07-01 that rule toy/art1/keep starts cannot be counted: it would end after 9998-12-31, the last supported date"}"#
        ]
    );
}

#[test]
fn a_negative_period_rejects_its_line() {
    let out = retention(&[enrollment("2025-07-01T00:00:00+08:00", "-5")], None);
    assert_eq!(out.len(), 1, "{out:?}");
    assert!(
        out[0].contains("from 2025-07-01 that rule toy/art1/keep starts cannot be counted: a period cannot be negative"),
        "{}",
        out[0]
    );
}

#[test]
fn the_last_supported_day_is_a_deadline_written_as_a_date() {
    let out = retention(
        &[enrollment("9998-12-30T12:00:00+08:00", "1")],
        Some("9998-12-31T23:59:59-12:00"),
    );
    assert_eq!(out.len(), 1, "{out:?}");
    assert!(out[0].contains(r#""deadline":"9998-12-31""#), "{}", out[0]);
    assert!(
        out[0].contains(r#""time":"9998-12-31T23:59:59+08:00""#),
        "{}",
        out[0]
    );
}

#[test]
fn times_outside_the_supported_years_are_input_errors_that_say_so() {
    let out = retention(
        &[
            enrollment("9998-12-31T23:59:59-12:00", "0"),
            enrollment("9999-12-31T12:00:00+08:00", "0"),
            enrollment("0000-06-01T00:00:00Z", "0"),
        ],
        None,
    );
    let messages: Vec<&str> = out
        .iter()
        .filter(|l| l.contains("input_error"))
        .map(|l| l.split(r#""message":"#).nth(1).unwrap_or(""))
        .collect();
    assert_eq!(
        messages,
        [
            // Within the supported times as written, but already 9999-01-01 in the regulation's
            // time zone, where its retention period would start.
            r#""the period of 0 days from 9999-01-01 that rule toy/art1/keep starts cannot be counted: it would end after 9998-12-31, the last supported date"}"#,
            r#""field \"time\" is outside the supported times 0001-01-01 to 9998-12-31: \"9999-12-31T12:00:00+08:00\""}"#,
            r#""field \"time\" is outside the supported times 0001-01-01 to 9998-12-31: \"0000-06-01T00:00:00Z\""}"#,
        ]
    );
}

/// Judges lines against the 2025 Measures; the findings as JSON lines.
fn measures(lines: &[&str]) -> Vec<String> {
    let mut ws = Workspace::default();
    let packages = ws
        .load(&["../policies/measures-2025".into()])
        .expect("the Measures load");
    let program = ws.program(&packages[0]).expect("the Measures compile");
    let mut engine = Engine::new((*program).clone()).expect("loads");
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        engine.process_line(i as u64 + 1, line, &mut |f| out.push(f.to_json_line()));
    }
    engine.finish(None, &mut |f| out.push(f.to_json_line()));
    out
}

/// A child's enrollment with consent from the subject: a violation of article 7.
const CHILD: &str = r#"{"type":"enrollment","time":"2025-06-02T09:30:00+08:00","processor":"acme","subject":"s-1","device":"d","purpose":"access_control","legal_basis":"consent","subject_age":AGE,"consent":{"separate":true,"written":true,"informed":true,"given_by":"subject"},"notice_given":true,"storage":"device","retention_days":30}"#;

fn messages(out: &[String]) -> Vec<String> {
    out.iter()
        .filter(|l| l.contains("input_error"))
        .filter_map(|l| l.split(r#""message":""#).nth(1))
        .map(|m| m.trim_end_matches("\"}").to_owned())
        .collect()
}

#[test]
fn a_negative_age_is_rejected_not_judged_as_a_child() {
    let out = measures(&[&CHILD.replace("AGE", "-3")]);
    assert!(!out.iter().any(|l| l.contains("art7")), "{out:?}");
    assert_eq!(
        messages(&out),
        [r#"field \"subject_age\" is -3, below 0, the least value the vocabulary allows"#]
    );
}

#[test]
fn a_negative_retention_is_rejected_not_clamped() {
    // Art 8(2) counts the retention period from the enrollment: a negative one would make the
    // deadline fall before the face was even stored.
    let line = CHILD
        .replace("AGE", "30")
        .replace(r#""retention_days":30"#, r#""retention_days":-1"#);
    let out = measures(&[&line]);
    assert_eq!(out.len(), 1, "only the input error: {out:?}");
    assert_eq!(
        messages(&out),
        [r#"field \"retention_days\" is -1, below 0, the least value the vocabulary allows"#]
    );
}

#[test]
fn whole_numbers_with_a_fraction_or_an_exponent_are_integers() {
    for age in ["12.0", "1.2e1", "12"] {
        let out = measures(&[&CHILD.replace("AGE", age)]);
        assert!(messages(&out).is_empty(), "{age}: {out:?}");
        assert!(
            out.iter().any(|l| l.contains("art7")),
            "{age}: a child of 12: {out:?}"
        );
    }
    let out = measures(&[&CHILD.replace("AGE", "12.5")]);
    assert_eq!(
        messages(&out),
        [r#"field \"subject_age\" should be an integer, found a number with a fraction (12.5)"#]
    );
}

#[test]
fn a_repeated_key_rejects_the_line_naming_the_key() {
    // The last `storage` used to win and flip the verdict.
    let line = CHILD.replace("AGE", "30").replace(
        r#""storage":"device""#,
        r#""storage":"device","storage":"cloud""#,
    );
    assert_eq!(
        messages(&measures(&[&line])),
        [r#"the key \"storage\" appears twice; each key of an object may appear once"#]
    );
    let line = CHILD
        .replace("AGE", "30")
        .replace(r#""processor""#, r#""type":"deletion","processor""#);
    assert_eq!(
        messages(&measures(&[&line])),
        [r#"the key \"type\" appears twice; each key of an object may appear once"#]
    );
}

#[test]
fn a_line_that_is_not_json_says_so_in_plain_words() {
    assert_eq!(
        messages(&measures(&["{type: enrollment}", "hello"])),
        [
            "the line is not a JSON object: column 2 has `t` where a key in double quotes should be",
            "the line is not a JSON object: it starts with `h`, not `{`",
        ]
    );
}

#[test]
fn thirteen_thousand_constants_compile_in_linear_time() {
    // 64 s when each declaration cloned the constants before it.
    let consts: String = (0..13_000).map(|i| format!("const C{i} = {i}\n")).collect();
    let body = format!(
        "{consts}article 1 {{\n  rule r:\n    on enrollment e\n    require e.retention_days != C12999\n    message \"m\"\n}}\n"
    );
    let (diagnostics, program) = compile(&body);
    assert_eq!(diagnostics, "");
    let findings = run_bundled(
        program.expect("compiles"),
        &format!("{}\n", ENROLLMENT.replace("RETENTION", "12999")),
    );
    assert_eq!(findings.len(), 1);
}

#[test]
fn a_set_literal_of_forty_thousand_elements_compiles_in_linear_time() {
    // 11.7 s when each element was looked for in the elements before it.
    let items: Vec<String> = (0..40_000).map(|i| format!("\"p{i}\"")).collect();
    let body = format!(
        "article 1 {{\n  rule r:\n    on enrollment e\n    prohibit e.purpose in {{{}, \"p0\"}}\n    message \"m\"\n}}\n",
        items.join(", ")
    );
    let (diagnostics, program) = compile(&body);
    assert_eq!(diagnostics, "");
    let program = program.expect("compiles");
    let edict_runtime::ir::Body::Prohibit(edict_runtime::ir::Expr::In { set, .. }) =
        &program.rules[0].body
    else {
        panic!("a prohibition of membership");
    };
    let edict_runtime::ir::Expr::Const(edict_runtime::ir::Value::List(values)) = &**set else {
        panic!("a constant set");
    };
    // The repeated "p0" is kept once.
    assert_eq!(values.len(), 40_000);
    let stream = ENROLLMENT
        .replace("RETENTION", "1")
        .replace(r#""purpose":"x""#, r#""purpose":"p39999""#);
    assert_eq!(run_bundled(program, &format!("{stream}\n")).len(), 1);
}

#[test]
fn a_bundle_nested_beyond_the_reader_is_refused_with_a_reason() {
    // A `when` of 200 nested `not`: deeper than any program edict writes.
    let (_, program) = compile(RETENTION);
    let text = Bundle::new(program.expect("compiles")).to_json();
    assert!(text.contains(r#""when": null"#));
    let deep = text.replacen(
        r#""when": null"#,
        &format!(
            r#""when": {}{{"Const": {{"Bool": true}}}}{}"#,
            r#"{"Not": "#.repeat(200),
            "}".repeat(200)
        ),
        1,
    );
    let error = Bundle::from_json(&deep).expect_err("too deep").to_string();
    assert!(
        error.starts_with("the bundle is damaged: it nests more than 128 levels deep at line "),
        "{error}"
    );
}
