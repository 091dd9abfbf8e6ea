//! `edict run --workers N`: on several cores, a run writes exactly what a run on one thread
//! writes — the same findings in the same order, the same summary — in every format and order,
//! for one regulation or several, with bad lines, late lines and lines out of order.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    reason = "a test fails loudly when its fixtures are missing or broken"
)]

mod common;

use std::path::Path;

use common::{LENDING, MEASURES, code, edict, scratch, stderr, stdout};
use edict_generator::{Config, Generator};

fn s(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// A generated stream of the Measures, with some lines spoilt: not JSON, unknown types, lines
/// older than the allowed lateness, lines a little out of order, blank lines and a byte order
/// mark.
fn stream(path: &Path, events: u64) {
    let mut lines: Vec<String> = Generator::new(Config {
        events,
        seed: 5,
        violation_rate: 0.05,
        processors: 7,
        mean_gap_ms: 20_000,
        ..Config::default()
    })
    .map(|l| l.text)
    .collect();
    for i in (500..lines.len()).step_by(997) {
        lines[i] = "{not json".to_owned();
    }
    for i in (700..lines.len()).step_by(1499) {
        lines[i] =
            r#"{"type":"teleport","time":"2025-07-01T00:00:00+08:00","processor":"p"}"#.to_owned();
    }
    // A line from long ago: too late.
    for i in (900..lines.len()).step_by(2003) {
        lines[i] = lines[10].clone();
    }
    // Neighbours swapped: out of order within the allowed lateness.
    for i in (300..lines.len() - 1).step_by(101) {
        lines.swap(i, i + 1);
    }
    for i in (1000..lines.len()).step_by(3001) {
        lines[i] = String::new();
    }
    lines[0] = format!("\u{feff}{}", lines[0]);
    std::fs::write(path, lines.join("\r\n") + "\n").unwrap();
}

fn run(args: &[&str]) -> (String, String) {
    let out = edict(args);
    // Rejected lines make the run exit 1, on one thread and on several alike.
    assert!(code(&out) <= 1, "{}", stderr(&out));
    (stdout(&out), stderr(&out))
}

fn assert_same(policies: &[&str], events: &Path, extra: &[&str]) {
    let mut base: Vec<&str> = vec!["run"];
    base.extend_from_slice(policies);
    base.extend_from_slice(&["--events", s(events)]);
    base.extend_from_slice(extra);
    let one = [base.as_slice(), &["--workers", "1"]].concat();
    let (out1, err1) = run(&one);
    assert!(out1.lines().count() > 100, "a stream with findings");
    for workers in ["2", "3"] {
        let many = [base.as_slice(), &["--workers", workers]].concat();
        let (out, err) = run(&many);
        assert!(
            out == out1,
            "--workers {workers} {extra:?}: findings differ from one worker's"
        );
        assert_eq!(err, err1, "--workers {workers} {extra:?}: summaries differ");
    }
}

#[test]
fn several_workers_write_what_one_writes() {
    let dir = scratch("workers");
    let events = dir.join("events.jsonl");
    stream(&events, 40_000);
    assert_same(&[MEASURES], &events, &["--format", "json"]);
    assert_same(
        &[MEASURES],
        &events,
        &["--format", "json", "--order", "found"],
    );
    assert_same(&[MEASURES], &events, &["--format", "csv"]);
    assert_same(&[MEASURES], &events, &["--format", "human"]);
    assert_same(
        &[MEASURES],
        &events,
        &["--format", "json", "--as-of", "2026-01-01T00:00:00+08:00"],
    );
    // Two regulations, each partitioned on its own.
    assert_same(
        &[MEASURES, "../policies/draft-2023"],
        &events,
        &["--format", "json"],
    );
    assert_same(
        &[MEASURES, "../policies/draft-2023"],
        &events,
        &["--format", "json", "--order", "found"],
    );
}

#[test]
fn standard_input_is_read_on_several_workers_too() {
    let dir = scratch("workers-stdin");
    let events = dir.join("events.jsonl");
    stream(&events, 3_000);
    let (one, _) = run(&["run", MEASURES, "--events", s(&events), "--workers", "1"]);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_edict"))
        .args(["run", MEASURES, "--workers", "2"])
        .stdin(std::fs::File::open(&events).unwrap())
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), one);
}

/// A policy whose vocabulary declares no partition is judged on one thread, and `--workers`
/// says so.
#[test]
fn a_policy_without_a_partition_is_judged_on_one_thread() {
    let events = format!("{LENDING}/examples/loans.jsonl");
    let one = edict(&["run", LENDING, "--events", &events, "--workers", "1"]);
    let two = edict(&["run", LENDING, "--events", &events, "--workers", "2"]);
    assert_eq!(stdout(&one), stdout(&two));
    // Shows: … is judged on one thread (decoding stays parallel): its vocabulary declares no
    // `partition by` field.
    insta::assert_snapshot!(two.transcript());
}

/// `edict build --partitioned` refuses a policy whose stream cannot be partitioned, saying why
/// at the place that prevents it, and builds the Measures.
#[test]
fn build_for_a_partitioned_run() {
    let dir = scratch("build-partitioned");
    let bundle = dir.join("b.json");
    let fixture = "../tests/diagnostics/E0600-not-partitionable.edict";
    let plain = edict(&["build", fixture, "-o", s(&bundle)]);
    assert_eq!(code(&plain), 0, "{}", stderr(&plain));
    let refused = edict(&["build", "--partitioned", fixture, "-o", s(&bundle)]);
    assert_eq!(code(&refused), 1);
    // Shows: error[E0600]: state `visits` is kept per `visitor` …, and that nothing was built.
    insta::assert_snapshot!(refused.transcript());
    let built = edict(&["build", "--partitioned", MEASURES, "-o", s(&bundle)]);
    assert_eq!(code(&built), 0, "{}", stderr(&built));
}

/// An organisation's vocabulary that extends the standard one keeps its partition field; run
/// beside the Measures, the lines of its own event type are the Measures' "of another
/// regulation's event types" on several workers as on one.
#[test]
fn an_extension_beside_its_base_is_partitioned_alike() {
    let dir = scratch("workers-extension");
    let package = dir.join("badges");
    std::fs::create_dir_all(&package).unwrap();
    let face = std::fs::canonicalize("../policies/vocabulary/face.edict").unwrap();
    std::fs::write(
        package.join("policy.edict"),
        "regulation badges {\n  timezone \"Asia/Shanghai\"\n  outline \"badges.outline.txt\"\n  use vocabulary badges from \"vocabulary.edict\"\n}\n\narticle 1 {\n  rule badge_needs_a_holder:\n    on badge_issued b\n    require b.holder != \"\"\n    message \"A badge is issued to someone.\"\n}\n",
    )
    .unwrap();
    std::fs::write(
        package.join("vocabulary.edict"),
        format!(
            "vocabulary badges extends face from {:?} {{\n  event badge_issued {{\n    holder: string\n  }}\n}}\n",
            face.display().to_string()
        ),
    )
    .unwrap();
    std::fs::write(package.join("badges.outline.txt"), "规定\n第一条　徽章。\n").unwrap();
    let events = dir.join("events.jsonl");
    stream(&events, 20_000);
    let mut lines: Vec<String> = std::fs::read_to_string(&events)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect();
    for i in (400..lines.len()).step_by(211) {
        let time = serde_json::from_str::<serde_json::Value>(&lines[i - 1])
            .ok()
            .and_then(|v| v["time"].as_str().map(str::to_owned));
        if let Some(time) = time {
            let holder = if i % 2 == 0 { "" } else { "h" };
            lines.insert(
                i,
                format!(
                    r#"{{"type":"badge_issued","time":"{time}","processor":"p{}","holder":"{holder}"}}"#,
                    i % 7
                ),
            );
        }
    }
    std::fs::write(&events, lines.join("\n") + "\n").unwrap();
    let one = edict(&[
        "run",
        MEASURES,
        s(&package),
        "--events",
        s(&events),
        "--workers",
        "1",
        "--format",
        "json",
    ]);
    // The extension judges its own lines (the findings of its rule, `badge_needs_a_holder`, are
    // shown; the Measures' thousands and the input errors are left out), and the Measures count the badge lines apart, as "of
    // another regulation's event types". The counts of the library's judgement are `[N]`.
    let stdout_one = stdout(&one);
    let badges: Vec<&str> = stdout_one
        .lines()
        .filter(|l| l.contains(r#""rule":"badges/"#))
        .collect();
    let shown = common::redact(&format!(
        "$ edict run {MEASURES} {} --events {} --workers 1 --format json\nexit status: {}\n--- stdout, the findings of the rules of `badges`\n{}\n--- stderr\n{}",
        s(&package),
        s(&events),
        code(&one),
        badges.join("\n"),
        stderr(&one)
    ));
    insta::with_settings!({filters => vec![
        (
            r"\d+ judged, \d+ before the effective date, \d+ exempt",
            "[N] judged, [N] before the effective date, [N] exempt",
        ),
        (
            r"findings: \d+ violations, \d+ overdue, \d+ open",
            "findings: [N] violations, [N] overdue, [N] open",
        ),
    ]}, {
        insta::assert_snapshot!(shown);
    });
    for workers in ["2", "3"] {
        let many = edict(&[
            "run",
            MEASURES,
            s(&package),
            "--events",
            s(&events),
            "--workers",
            workers,
            "--format",
            "json",
        ]);
        assert!(
            stdout(&many) == stdout(&one),
            "--workers {workers}: findings differ"
        );
        assert_eq!(
            stderr(&many),
            stderr(&one),
            "--workers {workers}: summaries differ"
        );
    }
}
