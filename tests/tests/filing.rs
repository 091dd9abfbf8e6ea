//! Art 15(1) filing at 100,000 stored persons, on a generated stream of 300,000 enrollments
//! across three processors: one files on time with the provincial authority, one files on time
//! with a municipal authority (which does not count) and late with the provincial one, one never
//! reaches the threshold.

#![allow(
    clippy::expect_used,
    reason = "a test fails loudly when its fixtures are missing or broken"
)]

use std::collections::BTreeMap;
use std::fmt::Write as _;

use edict_compiler::Workspace;
use edict_runtime::engine::{Engine, run_stream};

const FILING_RULE: &str = "measures-2025/art15/p1/";

/// 2025-09-19T02:00:00+08:00: the round-robin below crosses 100,000 per processor early on
/// Friday 2025-09-26 (Asia/Shanghai).
const START: i64 = 1_758_218_400;
const STEP_SECONDS: i64 = 2;

fn stamp(unix: i64) -> String {
    let t = jiff::Timestamp::from_second(unix).expect("valid time");
    t.to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::offset(8)))
        .strftime("%Y-%m-%dT%H:%M:%S%:z")
        .to_string()
}

fn line(out: &mut String, time: i64, body: &str) {
    let _ = writeln!(out, "{{\"time\":\"{}\",{body}}}", stamp(time));
}

/// The stream: an assessment per processor, then enrollments in turn, then the two filings.
fn stream() -> String {
    let processors = ["prompt-estate", "tardy-bank", "small-shop"];
    let mut out = String::with_capacity(300_000 * 330);
    for (time, p) in (START - 3_600..).zip(processors) {
        line(
            &mut out,
            time,
            &format!(
                "\"type\":\"assessment\",\"processor\":\"{p}\",\"assessment\":\"pia-{p}\",\"purposes\":[\"access_control\"]"
            ),
        );
    }
    let mut time = START;
    for i in 0..100_000 {
        for p in processors {
            // The small shop stops one short of the threshold.
            if p == "small-shop" && i == 99_999 {
                continue;
            }
            line(
                &mut out,
                time,
                &format!(
                    "\"type\":\"enrollment\",\"processor\":\"{p}\",\"subject\":\"s-{i}\",\"device\":\"gate-1\",\"purpose\":\"access_control\",\"legal_basis\":\"consent\",\"consent\":{{\"separate\":true,\"written\":true,\"informed\":true,\"given_by\":\"subject\"}},\"notice_given\":true,\"storage\":\"device\",\"retention_days\":3650"
                ),
            );
            time += STEP_SECONDS;
        }
    }
    // Due by the end of Thursday 2025-11-13 (30 working days after Friday 2025-09-26).
    line(
        &mut out,
        1_763_002_800,
        "\"type\":\"filing\",\"processor\":\"prompt-estate\",\"kind\":\"initial\",\"authority_level\":\"provincial\"",
    );
    line(
        &mut out,
        1_763_002_860,
        "\"type\":\"filing\",\"processor\":\"tardy-bank\",\"kind\":\"initial\",\"authority_level\":\"municipal\"",
    );
    line(
        &mut out,
        1_763_607_600,
        "\"type\":\"filing\",\"processor\":\"tardy-bank\",\"kind\":\"initial\",\"authority_level\":\"provincial\"",
    );
    out
}

#[test]
fn filing_obligations_at_one_hundred_thousand_persons() {
    let mut ws = Workspace::default();
    let packages = ws
        .load(&["../policies/measures-2025".into()])
        .expect("the Measures load");
    let program = ws.program(&packages[0]).expect("the Measures compile");
    let engine = Engine::new((*program).clone()).expect("the program loads");

    let stream = stream();
    let mut by_kind: BTreeMap<String, u64> = BTreeMap::new();
    let mut filing = Vec::new();
    let summary = run_stream(engine, stream.as_bytes(), None, &mut |f| {
        let json = f.to_json_line();
        let value: serde_json::Value = serde_json::from_str(&json).expect("JSON finding");
        let kind = value["finding"].as_str().unwrap_or_default().to_string();
        let rule = value["rule"].as_str().unwrap_or_default().to_string();
        if rule.starts_with(FILING_RULE) {
            filing.push(format!(
                "{kind} {rule} processor={} deadline={} line={}",
                value["processor"], value["deadline"], value["line"]
            ));
        }
        *by_kind
            .entry(format!("{kind} {}", rule.split('/').nth(1).unwrap_or("-")))
            .or_default() += 1;
    })
    .expect("reading from memory cannot fail");

    assert!(summary.is_balanced());
    assert_eq!(summary.rejected, 0);
    assert_eq!(summary.evaluated, 3 + 299_999 + 3);
    insta::assert_snapshot!(format!(
        "{}\n----- BY KIND AND ARTICLE\n{by_kind:#?}",
        filing.join("\n")
    ));
}
