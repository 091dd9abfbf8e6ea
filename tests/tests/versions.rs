//! One stream judged against both versions of the regulation: a processor storing 50,000
//! persons must file under the 2023 draft (more than 10,000) but not under the 2025 Measures
//! (100,000).

#![allow(
    clippy::expect_used,
    reason = "a test fails loudly when its fixtures are missing or broken"
)]

use std::collections::BTreeSet;

use edict_compiler::Workspace;
use edict_runtime::engine::{Engine, run_stream};

/// 50,000 enrollments by one processor from 2025-07-01, one a minute, after an assessment.
fn stream() -> String {
    let start = jiff::Timestamp::from_second(1_751_299_200).expect("2025-07-01T00:00:00+08:00");
    let tz = jiff::tz::TimeZone::fixed(jiff::tz::offset(8));
    let stamp = |minutes: i64| {
        start
            .checked_add(jiff::SignedDuration::from_mins(minutes))
            .expect("in range")
            .to_zoned(tz.clone())
            .strftime("%Y-%m-%dT%H:%M:%S%:z")
            .to_string()
    };
    let mut out = format!(
        "{{\"type\":\"assessment\",\"time\":\"{}\",\"processor\":\"mid-size\",\"assessment\":\"pia-1\",\"purposes\":[\"access_control\"]}}\n",
        stamp(-60)
    );
    for i in 0..50_000 {
        out.push_str(&format!(
            "{{\"type\":\"enrollment\",\"time\":\"{}\",\"processor\":\"mid-size\",\"subject\":\"s-{i}\",\"device\":\"gate-1\",\"purpose\":\"access_control\",\"legal_basis\":\"consent\",\"consent\":{{\"separate\":true,\"written\":true,\"informed\":true,\"given_by\":\"subject\"}},\"notice_given\":true,\"storage\":\"device\",\"retention_days\":3650}}\n",
            stamp(i)
        ));
    }
    out
}

/// The ids of the filing rules with findings, and their kinds.
fn filing_findings(package: &str, stream: &str, as_of: i64) -> BTreeSet<String> {
    let mut ws = Workspace::default();
    let packages = ws.load(&[package.into()]).expect("the package loads");
    let program = ws.program(&packages[0]).expect("the package compiles");
    let engine = Engine::new((*program).clone()).expect("the program loads");
    let mut found = BTreeSet::new();
    run_stream(engine, stream.as_bytes(), Some(as_of), &mut |f| {
        if let Some(rule) = &f.rule
            && rule.contains("filing")
        {
            let json: serde_json::Value =
                serde_json::from_str(&f.to_json_line()).expect("JSON finding");
            found.insert(format!(
                "{} {rule} deadline {}",
                json["finding"], json["deadline"]
            ));
        }
    })
    .expect("reading from memory cannot fail");
    found
}

#[test]
fn fifty_thousand_persons_must_file_under_the_draft_only() {
    let stream = stream();
    // Judged at the end of 2025, long after any 30-working-day period from July.
    let as_of = 1_767_196_800;
    let draft = filing_findings("../policies/draft-2023", &stream, as_of);
    let measures = filing_findings("../policies/measures-2025", &stream, as_of);
    assert!(
        measures.is_empty(),
        "the Measures ask no filing below 100,000: {measures:?}"
    );
    insta::assert_snapshot!(draft.into_iter().collect::<Vec<_>>().join("\n"));
}
