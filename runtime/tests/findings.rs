//! Runs a stream through the library program and snapshots what a user sees: the findings and
//! the summary, beside the stream that produced them.

mod common;

use edict_runtime::{Engine, EngineOptions, Finding, FindingKind, run_stream};

/// What a line of the test stream is expected to be.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Expect {
    /// Judged with no finding.
    Clean,
    /// Judged, with this many violations.
    Violations(usize),
    Blank,
    Rejected,
    NotYetEffective,
    Exempt,
}

use Expect::*;

const STREAM: &[(Expect, &[u8])] = &[
    (Clean, br#"{"type":"loan","time":"2025-03-02T10:00:00+09:00","id":"L1","processor":"main","subject":"m-1","age":30,"kind":"book","due":"2025-03-30"}"#),
    (Blank, b""),
    (Violations(2), br#"{"type":"loan","time":"2025-03-02T10:05:00+09:00","id":"L2","processor":"main","subject":"m-2","age":10,"kind":"book","due":"2025-03-30","guarantor":{"name":"Ms Reed","role":"teacher","since":"2024-09-01"}}"#),
    (Violations(1), br#"{"type":"loan","time":"2025-03-02T01:10:00Z","processor":"east","subject":"m-3","kind":"book","due":"2025-03-30"}"#),
    (Violations(1), br#"{"type":"loan","time":"2025-03-03T09:00:00.5+09:00","processor":"main","subject":"m-1","age":30,"kind":"dvd","renewed":true,"due":"2025-03-10"}"#),
    (Clean, br#"{"type":"loan","time":"2025-03-03T09:10:00+09:00","processor":"main","subject":"m-5","age":14,"kind":"book","due":"2025-03-10","guarantor":{"name":"Mr Park","role":"teacher"},"tags":["class-3b","school-visit"]}"#),
    (Exempt, br#"{"type":"loan","time":"2025-03-03T09:20:00+09:00","processor":"main","subject":"m-4","kind":"map","due":"2025-03-10"}"#),
    (Exempt, br#"{"type":"return","time":"2025-03-03T09:30:00+09:00","processor":"test-branch","subject":"m-4","late":true}"#),
    (NotYetEffective, br#"{"type":"loan","time":"2025-02-28T23:59:59+09:00","processor":"main","subject":"m-6","kind":"book","due":"2025-03-10"}"#),
    (Violations(1), br#"{"type":"loan","time":"2025-02-28T15:00:00Z","processor":"main","subject":"m-6","kind":"book","due":"2025-03-10"}"#),
    (Rejected, br#"{"type":"loan", "time": "#),
    (Rejected, br#"[1, 2, 3]"#),
    (Rejected, br#"{"time":"2025-03-02T10:00:00+09:00","processor":"main"}"#),
    (Rejected, br#"{"type":"lone","time":"2025-03-02T10:00:00+09:00","processor":"main"}"#),
    (Rejected, br#"{"type":5,"time":"2025-03-02T10:00:00+09:00","processor":"main"}"#),
    (Rejected, br#"{"type":"loan","processor":"main","subject":"m-1","kind":"book","due":"2025-03-30"}"#),
    (Rejected, br#"{"type":"loan","time":"2025-03-02 10:00","processor":"main","subject":"m-1","kind":"book","due":"2025-03-30"}"#),
    (Rejected, br#"{"type":"loan","time":"2025-03-02T10:00:00","processor":"main","subject":"m-1","kind":"book","due":"2025-03-30"}"#),
    (Rejected, br#"{"type":"loan","time":"2025-03-02T10:00:00+09:00","id":7,"processor":"main","subject":"m-1","kind":"book","due":"2025-03-30"}"#),
    (Rejected, br#"{"type":"loan","time":"2025-03-02T10:00:00+09:00","processor":"main","subject":"m-1","due":"2025-03-30"}"#),
    (Rejected, br#"{"type":"loan","time":"2025-03-02T10:00:00+09:00","processor":"main","subject":"m-1","kind":null,"due":"2025-03-30"}"#),
    (Rejected, br#"{"type":"loan","time":"2025-03-02T10:00:00+09:00","processor":"main","subject":"m-1","age":"12","kind":"book","due":"2025-03-30"}"#),
    (Rejected, br#"{"type":"loan","time":"2025-03-02T10:00:00+09:00","processor":"main","subject":"m-1","age":12.5,"kind":"book","due":"2025-03-30"}"#),
    (Rejected, br#"{"type":"loan","time":"2025-03-02T10:00:00+09:00","processor":"main","subject":"m-1","kind":"vhs","due":"2025-03-30"}"#),
    (Rejected, br#"{"type":"loan","time":"2025-03-02T10:00:00+09:00","processor":"main","subject":"m-1","kind":"book","due":"2025-02-30"}"#),
    (Rejected, br#"{"type":"loan","time":"2025-03-02T10:00:00+09:00","processor":"main","subject":"m-1","kind":"book","due":"2025-03-30","colour":"red"}"#),
    (Rejected, br#"{"type":"loan","time":"2025-03-02T10:00:00+09:00","processor":"main","subjet":"m-1","kind":"book","due":"2025-03-30"}"#),
    (Rejected, br#"{"type":"loan","time":"2025-03-02T10:00:00+09:00","processor":"main","subject":"m-1","kind":"book","due":"2025-03-30","guarantor":{"name":"Ann","role":"uncle"}}"#),
    (Rejected, br#"{"type":"loan","time":"2025-03-02T10:00:00+09:00","processor":"main","subject":"m-1","kind":"book","due":"2025-03-30","guarantor":{"role":"parent"}}"#),
    (Rejected, br#"{"type":"loan","time":"2025-03-02T10:00:00+09:00","processor":"main","subject":"m-1","kind":"book","due":"2025-03-30","tags":["a",3]}"#),
    (Rejected, b"{\"type\":\"note\",\"time\":\"2025-03-02T10:00:00+09:00\",\"processor\":\"main\",\"text\":\"caf\xe9\"}"),
    (Blank, b" \t "),
    (Clean, br#"{"type":"note","time":"2025-03-04T10:00:00+09:00","processor":"main","text":"quiet day","mood":"calm"}"#),
    (Violations(1), br#"{"type":"return","time":"2025-03-04T11:00:00+09:00","id":"R9","processor":"west","subject":"m-2","late":true}"#),
    (Violations(1), br#"{"type":"loan","time":"2025-03-04T12:00:00+09:00","processor":"main","subject":"m-7","age":null,"kind":"book","due":"2025-03-30"}"#),
];

#[test]
fn findings_of_a_mixed_stream() {
    // Lines 9 and 10 are days older than line 8: allow a week of lateness so they are judged.
    let options = EngineOptions {
        allowed_lateness_seconds: 7 * 86_400,
    };
    let engine = Engine::with_options(common::program(), options).unwrap();

    let mut input = Vec::new();
    for (i, (_, line)) in STREAM.iter().enumerate() {
        input.extend_from_slice(line);
        // One line ends with CRLF, as a file written on Windows would.
        input.extend_from_slice(if i == 3 { b"\r\n" } else { b"\n" });
    }
    let mut findings: Vec<Finding> = Vec::new();
    let summary = run_stream(engine, input.as_slice(), None, &mut |f| findings.push(f)).unwrap();

    // Every line is accounted for, in the way the stream says it should be.
    assert!(summary.is_balanced(), "{summary:?}");
    let count = |e: fn(&Expect) -> bool| STREAM.iter().filter(|(x, _)| e(x)).count() as u64;
    assert_eq!(summary.lines_total, STREAM.len() as u64);
    assert_eq!(summary.blank, count(|e| *e == Blank));
    assert_eq!(summary.rejected, count(|e| *e == Rejected));
    assert_eq!(summary.exempt, count(|e| *e == Exempt));
    assert_eq!(summary.not_yet_effective, count(|e| *e == NotYetEffective));
    for (index, (expect, _)) in STREAM.iter().enumerate() {
        let line = index as u64 + 1;
        // Loans also start obligations, reported as `open` at the close with the loan's line.
        let here: Vec<&Finding> = findings
            .iter()
            .filter(|f| f.line == line && f.finding != FindingKind::Open)
            .collect();
        let expected = match expect {
            Violations(n) => *n,
            Rejected => 1,
            _ => 0,
        };
        assert_eq!(here.len(), expected, "line {line}: {here:#?}");
        let kind = if *expect == Rejected {
            FindingKind::InputError
        } else {
            FindingKind::Violation
        };
        assert!(here.iter().all(|f| f.finding == kind), "line {line}");
    }

    let mut text = String::from("----- EVENTS\n");
    for (index, (_, line)) in STREAM.iter().enumerate() {
        text.push_str(&format!(
            "{:>2} | {}\n",
            index + 1,
            String::from_utf8_lossy(line)
        ));
    }
    text.push_str("----- FINDINGS\n");
    for finding in &findings {
        text.push_str(&finding.to_json_line());
        text.push('\n');
    }
    text.push_str("----- SUMMARY\n");
    text.push_str(&serde_json::to_string_pretty(&summary).unwrap());
    insta::assert_snapshot!(text);
}

#[test]
fn required_keys_are_always_written() {
    let mut engine = Engine::new(common::program()).unwrap();
    let mut findings = Vec::new();
    engine.process_line(1, "not json", &mut |f| findings.push(f));
    let json: serde_json::Value = serde_json::from_str(&findings[0].to_json_line()).unwrap();
    let keys: Vec<&str> = json
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    for key in [
        "finding",
        "rule",
        "regulation",
        "article",
        "paragraph",
        "item",
        "line",
        "time",
        "message",
    ] {
        assert!(keys.contains(&key), "{key} missing from {json}");
    }
    assert!(!keys.contains(&"evidence"));
    assert_eq!(json["rule"], serde_json::Value::Null);
}

#[test]
fn findings_list_required_keys_first_in_contract_order() {
    let mut engine = Engine::new(common::program()).unwrap();
    let mut findings = Vec::new();
    let line = r#"{"type":"return","time":"2025-03-04T11:00:00+09:00","id":"R9","processor":"west","subject":"m-2","late":true}"#;
    engine.process_line(1, line, &mut |f| findings.push(f));
    // The event is held for the allowed lateness: closing the stream judges it.
    engine.finish(None, &mut |f| findings.push(f));
    let text = findings[0].to_json_line();
    let positions: Vec<usize> = [
        "\"finding\"",
        "\"rule\"",
        "\"regulation\"",
        "\"article\"",
        "\"paragraph\"",
        "\"item\"",
        "\"line\"",
        "\"time\"",
        "\"message\"",
        "\"event_id\"",
        "\"processor\"",
        "\"subject\"",
        "\"evidence\"",
        "\"title\"",
    ]
    .iter()
    .map(|key| {
        text.find(key)
            .unwrap_or_else(|| panic!("{key} missing in {text}"))
    })
    .collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{text}");
}
