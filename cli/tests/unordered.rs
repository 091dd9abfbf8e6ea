//! `edict run --unordered`: concatenated logs are sorted by event time, in bounded memory, and
//! judged as if they had arrived in order, with the findings naming the lines of the file given.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    reason = "a test fails loudly when its fixtures are missing or broken"
)]

mod common;

use common::{MEASURES, code, edict, scratch, stderr, stdout};
use edict_runtime::time::parse_rfc3339;

const STREAMS: [&str; 4] = [
    "../policies/examples/streams/hotel.jsonl",
    "../policies/examples/streams/payment-terminal.jsonl",
    "../policies/examples/streams/residential-estate.jsonl",
    "../policies/examples/streams/school.jsonl",
];

fn time_of(line: &str) -> i64 {
    let json: serde_json::Value = serde_json::from_str(line).unwrap();
    parse_rfc3339(json["time"].as_str().unwrap())
        .unwrap()
        .second
}

/// Findings as JSON values, sorted by their text.
fn findings(out: &str) -> Vec<serde_json::Value> {
    let mut lines: Vec<&str> = out.lines().collect();
    lines.sort_unstable();
    lines
        .iter()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn concatenated_logs_are_sorted_then_judged() {
    let dir = scratch("unordered");
    let mut lines: Vec<String> = Vec::new();
    for stream in STREAMS {
        let text = std::fs::read_to_string(stream).unwrap();
        lines.extend(text.lines().map(str::to_owned));
    }
    let concatenated = dir.join("concatenated.jsonl");
    std::fs::write(&concatenated, lines.join("\n") + "\n").unwrap();

    // Read in file order, most of the later logs are older than the watermark.
    let plain = edict(&["run", MEASURES, "--events", concatenated.to_str().unwrap()]);
    assert_eq!(code(&plain), 1, "{}", stderr(&plain));
    assert!(stdout(&plain).contains("earlier than the stream's watermark"));

    // The same lines sorted by time (ties in file order), run as an ordinary stream.
    let mut order: Vec<usize> = (0..lines.len()).collect();
    order.sort_by_key(|&i| (time_of(&lines[i]), i));
    let sorted_file = dir.join("sorted.jsonl");
    let sorted_text: Vec<&str> = order.iter().map(|&i| lines[i].as_str()).collect();
    std::fs::write(&sorted_file, sorted_text.join("\n") + "\n").unwrap();
    let reference = edict(&["run", MEASURES, "--events", sorted_file.to_str().unwrap()]);
    assert_eq!(code(&reference), 0, "{}", stderr(&reference));
    // Its findings name lines of the sorted file: name the concatenated file's lines instead.
    let mut expected = findings(&stdout(&reference));
    for finding in &mut expected {
        let line = finding["line"].as_u64().unwrap() as usize;
        finding["line"] = serde_json::json!(order[line - 1] + 1);
    }
    expected.sort_by_key(|f| f.to_string());

    // A budget of 2 KiB makes the sort spill many runs to disk.
    let unordered = edict(&[
        "run",
        MEASURES,
        "--events",
        concatenated.to_str().unwrap(),
        "--unordered",
        "--sort-memory",
        "2048",
    ]);
    assert_eq!(code(&unordered), 0, "{}", stderr(&unordered));
    let mut found = findings(&stdout(&unordered));
    found.sort_by_key(|f| f.to_string());
    assert!(expected.len() > 10, "{expected:?}");
    assert_eq!(found, expected);
    assert!(
        stderr(&unordered).contains("0 rejected"),
        "{}",
        stderr(&unordered)
    );
}
