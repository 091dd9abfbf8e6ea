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

/// 2025-05-10T00:00:00+08:00: 200,000 enrollments two seconds apart end on 2025-05-14, before
/// the Measures took effect.
const EARLY_START: i64 = 1_746_806_400;

/// The transitional filing (under art 15(1), from the CAC announcement of 2025-05-28): two
/// processors already hold 100,000 persons when the Measures take effect; one files with the
/// provincial authority by 2025-07-14, the other only with a municipal authority, which does not
/// count.
#[test]
fn processors_over_the_threshold_before_the_measures_file_by_14_july() {
    let processors = ["early-estate", "early-bank"];
    let mut stream = String::with_capacity(200_000 * 330);
    for (time, p) in (EARLY_START - 3_600..).zip(processors) {
        line(
            &mut stream,
            time,
            &format!(
                "\"type\":\"assessment\",\"processor\":\"{p}\",\"assessment\":\"pia-{p}\",\"purposes\":[\"access_control\"]"
            ),
        );
    }
    let mut time = EARLY_START;
    for i in 0..100_000 {
        for p in processors {
            line(
                &mut stream,
                time,
                &format!(
                    "\"type\":\"enrollment\",\"processor\":\"{p}\",\"subject\":\"s-{i}\",\"device\":\"gate-1\",\"purpose\":\"access_control\",\"legal_basis\":\"consent\",\"consent\":{{\"separate\":true,\"written\":true,\"informed\":true,\"given_by\":\"subject\"}},\"notice_given\":true,\"storage\":\"device\",\"retention_days\":3650"
                ),
            );
            time += STEP_SECONDS;
        }
    }
    // 2025-07-14T17:00:00+08:00, the last day, and a later line that closes the stream.
    line(
        &mut stream,
        1_752_483_600,
        "\"type\":\"filing\",\"processor\":\"early-estate\",\"kind\":\"initial\",\"authority_level\":\"provincial\"",
    );
    line(
        &mut stream,
        1_752_483_660,
        "\"type\":\"filing\",\"processor\":\"early-bank\",\"kind\":\"initial\",\"authority_level\":\"municipal\"",
    );
    line(
        &mut stream,
        1_752_570_000,
        "\"type\":\"filing_info_changed\",\"processor\":\"someone-else\"",
    );

    let mut ws = Workspace::default();
    let packages = ws
        .load(&["../policies/measures-2025".into()])
        .expect("the Measures load");
    let program = ws.program(&packages[0]).expect("the Measures compile");
    let engine = Engine::new((*program).clone()).expect("the program loads");
    let mut filing = Vec::new();
    let summary = run_stream(engine, stream.as_bytes(), None, &mut |f| {
        let value: serde_json::Value =
            serde_json::from_str(&f.to_json_line()).expect("JSON finding");
        let rule = value["rule"].as_str().unwrap_or_default();
        if rule.starts_with(FILING_RULE) {
            filing.push(format!(
                "{} {rule} processor={} deadline={} time={} cites={}",
                value["finding"],
                value["processor"],
                value["deadline"],
                value["time"],
                value["cites"]
            ));
        }
    })
    .expect("reading from memory cannot fail");
    assert!(summary.is_balanced());
    assert_eq!(summary.rejected, 0);
    assert_eq!(summary.not_yet_effective, 2 + 200_000);
    assert_eq!(
        filing,
        [
            "\"overdue\" measures-2025/art15/p1/transitional-filing processor=\"early-bank\" deadline=\"2025-07-14\" time=\"2025-07-14T23:59:59+08:00\" cites=[\"CAC announcement of 2025-05-28 on filing for face recognition technology applications, part 二(二)\"]"
        ],
        "only the processor that filed with a municipal authority is overdue"
    );
}
