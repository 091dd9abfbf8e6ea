//! Event time, not arrival order: within the allowed lateness, the findings of the 2025 Measures
//! do not depend on the order the lines arrive in.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    reason = "a test fails loudly when its fixtures are missing or broken"
)]

use std::sync::{Arc, OnceLock};

use edict_compiler::Workspace;
use edict_generator::{Config, Generator};
use edict_runtime::engine::{Engine, EngineOptions};
use edict_runtime::finding::{Finding, FindingKind};
use edict_runtime::ir::Program;
use edict_runtime::time::parse_rfc3339;
use proptest::prelude::*;

const LATENESS: i64 = 300;

fn measures() -> Arc<Program> {
    static PROGRAM: OnceLock<Arc<Program>> = OnceLock::new();
    Arc::clone(PROGRAM.get_or_init(|| {
        let mut ws = Workspace::default();
        let packages = ws
            .load(&["../policies/measures-2025".into()])
            .expect("the Measures load");
        ws.program(&packages[0]).expect("the Measures compile")
    }))
}

/// Runs `lines` (each with the line number findings should report) and closes the stream.
fn run(lines: &[(u64, &str)]) -> Vec<Finding> {
    let options = EngineOptions {
        allowed_lateness_seconds: LATENESS,
    };
    let mut engine = Engine::with_options((*measures()).clone(), options).unwrap();
    let mut findings = Vec::new();
    for (line_no, line) in lines {
        engine.process_line(*line_no, line, &mut |f| findings.push(f));
    }
    let summary = engine.finish(None, &mut |f| findings.push(f));
    assert!(summary.is_balanced(), "{summary:?}");
    findings
}

/// Findings as sorted JSON lines, to compare runs whose findings come out in another order.
fn sorted(findings: &[Finding]) -> Vec<String> {
    let mut lines: Vec<String> = findings.iter().map(Finding::to_json_line).collect();
    lines.sort();
    lines
}

fn time_of(line: &str) -> i64 {
    let json: serde_json::Value = serde_json::from_str(line).unwrap();
    parse_rfc3339(json["time"].as_str().unwrap())
        .unwrap()
        .second
}

/// A small splitmix64, so that a permutation is a pure function of its seed.
fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A permutation in which every line arrives at most `LATENESS` seconds after a later-timed
/// one: each line moves to `time + jitter`, with one jitter per distinct time (so lines of the
/// same second keep their order) drawn from 0 to `LATENESS`.
fn shuffle(times: &[i64], seed: u64) -> Vec<usize> {
    let mut state = seed;
    let mut jitter = std::collections::HashMap::new();
    let mut order: Vec<usize> = (0..times.len()).collect();
    let keys: Vec<i64> = times
        .iter()
        .map(|&t| {
            t + *jitter
                .entry(t)
                .or_insert_with(|| (splitmix(&mut state) % (LATENESS as u64 + 1)) as i64)
        })
        .collect();
    order.sort_by_key(|&i| (keys[i], i));
    order
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Every permutation that keeps each event within the allowed lateness of its place gives
    /// the findings of the sorted stream, each naming the line of the file it was given.
    #[test]
    fn permutations_within_the_lateness_give_the_sorted_findings(
        stream_seed in 0u64..1_000,
        shuffle_seed in any::<u64>(),
    ) {
        let generated: Vec<String> = Generator::new(Config {
            events: 400,
            seed: stream_seed,
            violation_rate: 0.05,
            processors: 3,
            mean_gap_ms: 40_000,
            ..Config::default()
        })
        .map(|l| l.text)
        .collect();
        let times: Vec<i64> = generated.iter().map(|l| time_of(l)).collect();
        let sorted_lines: Vec<(u64, &str)> = generated
            .iter()
            .enumerate()
            .map(|(i, l)| (i as u64 + 1, l.as_str()))
            .collect();
        let expected = run(&sorted_lines);

        // The permuted file: line k holds the generated line `order[k]`.
        let order = shuffle(&times, shuffle_seed);
        prop_assume!(order.iter().enumerate().any(|(k, &i)| k != i));
        let permuted: Vec<(u64, &str)> = order
            .iter()
            .enumerate()
            .map(|(k, &i)| (k as u64 + 1, generated[i].as_str()))
            .collect();
        let mut found = run(&permuted);
        prop_assert!(found.iter().all(|f| f.finding != FindingKind::InputError));
        // Findings name the lines of the permuted file; map them back to compare.
        for finding in &mut found {
            finding.line = order[finding.line as usize - 1] as u64 + 1;
        }
        prop_assert!(expected.len() > 10);
        prop_assert_eq!(sorted(&found), sorted(&expected));
    }
}

/// The case a new user meets first: an assessment written at 09:58 that arrives just after a
/// 10:00 enrollment is judged before it, so art 9(1) holds.
#[test]
fn an_assessment_that_arrives_late_still_comes_first() {
    let assessment = r#"{"type":"assessment","time":"2025-06-04T09:58:00+08:00","processor":"acme-estate","assessment":"pia-1","purposes":["access_control"]}"#;
    let enrollment = r#"{"type":"enrollment","time":"2025-06-04T10:00:00+08:00","processor":"acme-estate","subject":"s-32","device":"gate-1","purpose":"access_control","legal_basis":"consent","subject_age":35,"consent":{"separate":true,"written":true,"informed":true,"given_by":"subject"},"notice_given":true,"storage":"device","retention_days":365}"#;
    let in_order = run(&[(1, assessment), (2, enrollment)]);
    let swapped = run(&[(1, enrollment), (2, assessment)]);
    let violations = |f: &[Finding]| {
        f.iter()
            .filter(|f| f.finding == FindingKind::Violation)
            .count()
    };
    assert_eq!(violations(&in_order), 0, "{in_order:#?}");
    assert_eq!(violations(&swapped), 0, "{swapped:#?}");
    assert!(swapped.iter().all(|f| f.finding != FindingKind::InputError));
}
