//! Runs streams through the timed library program and snapshots what a user sees: deadlines
//! met, missed and still open, `once` rules, `reaches` triggers, and events out of order.

mod common;

use std::collections::{HashMap, HashSet};

use edict_runtime::ir::Value;
use edict_runtime::time::parse_rfc3339;
use edict_runtime::{Engine, EngineOptions, Finding, FindingKind};
use proptest::prelude::*;

/// Runs the lines through a fresh engine, closing at `as_of` if given, and renders the stream,
/// the findings and the summary.
fn run(lines: &[&str], as_of: Option<&str>) -> String {
    let mut text = String::from("----- EVENTS\n");
    for (index, line) in lines.iter().enumerate() {
        text.push_str(&format!("{:>2} | {line}\n", index + 1));
    }
    text.push_str(&findings(lines, as_of));
    text
}

/// The findings and summary of one run, under a heading naming its close.
#[expect(clippy::unwrap_used, reason = "a test helper: a panic fails the test")]
fn findings(lines: &[&str], as_of: Option<&str>) -> String {
    let mut engine = Engine::new(common::timed_program()).unwrap();
    let mut findings: Vec<Finding> = Vec::new();
    for (index, line) in lines.iter().enumerate() {
        engine.process_line(index as u64 + 1, line, &mut |f| findings.push(f));
    }
    let close = as_of.map(|t| parse_rfc3339(t).unwrap().second);
    let summary = engine.finish(close, &mut |f| findings.push(f));
    assert!(summary.is_balanced(), "{summary:?}");
    let mut text = match as_of {
        Some(t) => format!("----- FINDINGS, closed as of {t}\n"),
        None => "----- FINDINGS, closed at the last event\n".to_owned(),
    };
    for finding in &findings {
        text.push_str(&finding.to_json_line());
        text.push('\n');
    }
    text.push_str("----- SUMMARY\n");
    text.push_str(&serde_json::to_string(&summary).unwrap());
    text.push('\n');
    text
}

/// The kinds and lines of the findings of one run.
#[expect(clippy::unwrap_used, reason = "a test helper: a panic fails the test")]
fn kinds(lines: &[&str], as_of: Option<&str>) -> Vec<(FindingKind, u64)> {
    let mut engine = Engine::new(common::timed_program()).unwrap();
    let mut found = Vec::new();
    for (index, line) in lines.iter().enumerate() {
        engine.process_line(index as u64 + 1, line, &mut |f| {
            found.push((f.finding, f.line))
        });
    }
    let close = as_of.map(|t| parse_rfc3339(t).unwrap().second);
    engine.finish(close, &mut |f| found.push((f.finding, f.line)));
    found
}

#[test]
fn working_day_filing_across_national_day_2025() {
    // Both branches reach three members on Friday 2025-09-26: the filing is due by Thursday
    // 2025-11-13 (Sunday 28 September and Saturday 11 October are working days, 1–8 October
    // holidays). North files at 23:00 on the last day; south files exactly at midnight, which is
    // late, and its obligation is reported when the watermark passes the deadline (line 9).
    let lines = [
        r#"{"type":"member_joined","time":"2025-09-26T10:00:00+08:00","processor":"north","subject":"a"}"#,
        r#"{"type":"member_joined","time":"2025-09-26T10:01:00+08:00","processor":"north","subject":"b"}"#,
        r#"{"type":"member_joined","time":"2025-09-26T10:02:00+08:00","id":"j-3","processor":"north","subject":"c"}"#,
        r#"{"type":"member_joined","time":"2025-09-26T11:00:00+08:00","processor":"south","subject":"a"}"#,
        r#"{"type":"member_joined","time":"2025-09-26T11:01:00+08:00","processor":"south","subject":"b"}"#,
        r#"{"type":"member_joined","time":"2025-09-26T11:02:00+08:00","processor":"south","subject":"c"}"#,
        r#"{"type":"filing","time":"2025-11-13T23:00:00+08:00","processor":"north","kind":"initial"}"#,
        r#"{"type":"filing","time":"2025-11-14T00:00:00+08:00","processor":"south","kind":"initial"}"#,
        r#"{"type":"note","time":"2025-11-14T00:06:00+08:00","processor":"main"}"#,
    ];
    assert_eq!(
        kinds(&lines, None),
        [(FindingKind::Overdue, 6)],
        "only south's filing is late"
    );
    insta::assert_snapshot!(run(&lines, None));
}

#[test]
fn members_are_counted_once_and_removals_lower_the_count() {
    // East re-adds `a` (no second count) and loses `a` before reaching three on line 6.
    // West never reaches three. Nothing is filed: east's obligation is open at the close.
    let lines = [
        r#"{"type":"member_joined","time":"2025-09-01T09:00:00+08:00","processor":"east","subject":"a"}"#,
        r#"{"type":"member_joined","time":"2025-09-01T09:01:00+08:00","processor":"east","subject":"a"}"#,
        r#"{"type":"member_joined","time":"2025-09-01T09:02:00+08:00","processor":"east","subject":"b"}"#,
        r#"{"type":"member_left","time":"2025-09-01T09:03:00+08:00","processor":"east","subject":"a"}"#,
        r#"{"type":"member_joined","time":"2025-09-01T09:04:00+08:00","processor":"east","subject":"c"}"#,
        r#"{"type":"member_joined","time":"2025-09-01T09:05:00+08:00","processor":"east","subject":"a"}"#,
        r#"{"type":"member_left","time":"2025-09-01T09:06:00+08:00","processor":"east","subject":"c"}"#,
        r#"{"type":"member_joined","time":"2025-09-01T09:07:00+08:00","processor":"east","subject":"d"}"#,
        r#"{"type":"member_joined","time":"2025-09-01T10:00:00+08:00","processor":"west","subject":"x"}"#,
        r#"{"type":"member_joined","time":"2025-09-01T10:01:00+08:00","processor":"west","subject":"y"}"#,
        r#"{"type":"member_left","time":"2025-09-01T10:02:00+08:00","processor":"west","subject":"x"}"#,
        r#"{"type":"member_joined","time":"2025-09-01T10:03:00+08:00","processor":"west","subject":"z"}"#,
        r#"{"type":"member_left","time":"2025-09-01T10:04:00+08:00","processor":"west","subject":"never-joined"}"#,
    ];
    let mut engine = Engine::new(common::timed_program()).unwrap();
    for (index, line) in lines.iter().enumerate() {
        engine.process_line(index as u64 + 1, line, &mut |_| {});
    }
    // Judge the events still held for the allowed lateness.
    engine.flush(&mut |_| {});
    let size = |key: &str| engine.state_size(common::MEMBERS, &Value::Str(key.to_owned()));
    assert_eq!((size("east"), size("west"), size("south")), (3, 2, 0));
    // Line 8 crosses again after line 7 dropped below: the rule fired once, on line 6.
    assert_eq!(kinds(&lines, None), [(FindingKind::Open, 6)]);
    insta::assert_snapshot!(run(&lines, None));
}

#[test]
fn transitional_rules_fire_at_the_effective_instant() {
    // Before 2025-06-01, north and west reach three members and south reaches three but drops
    // back to two. At the first effective event (line 11) the transitional rule fires for north
    // and west, with their crossing lines; west files in time. South crosses again on line 12,
    // after the effective instant, which fires the 30-working-day rule instead.
    let lines = [
        r#"{"type":"member_joined","time":"2025-05-10T09:00:00+08:00","processor":"north","subject":"a"}"#,
        r#"{"type":"member_joined","time":"2025-05-10T09:01:00+08:00","processor":"north","subject":"b"}"#,
        r#"{"type":"member_joined","time":"2025-05-10T09:02:00+08:00","processor":"north","subject":"c"}"#,
        r#"{"type":"member_joined","time":"2025-05-11T09:00:00+08:00","processor":"south","subject":"a"}"#,
        r#"{"type":"member_joined","time":"2025-05-11T09:01:00+08:00","processor":"south","subject":"b"}"#,
        r#"{"type":"member_joined","time":"2025-05-11T09:02:00+08:00","processor":"south","subject":"c"}"#,
        r#"{"type":"member_left","time":"2025-05-12T09:00:00+08:00","processor":"south","subject":"c"}"#,
        r#"{"type":"member_joined","time":"2025-05-20T09:00:00+08:00","processor":"west","subject":"a"}"#,
        r#"{"type":"member_joined","time":"2025-05-20T09:01:00+08:00","processor":"west","subject":"b"}"#,
        r#"{"type":"member_joined","time":"2025-05-31T23:59:00+08:00","processor":"west","subject":"c"}"#,
        r#"{"type":"note","time":"2025-06-02T09:00:00+08:00","processor":"main"}"#,
        r#"{"type":"member_joined","time":"2025-06-05T09:00:00+08:00","processor":"south","subject":"c"}"#,
        r#"{"type":"filing","time":"2025-07-10T09:00:00+08:00","processor":"west","kind":"initial"}"#,
    ];
    let mut text = run(&lines, Some("2025-08-01T00:00:00+08:00"));
    text.push_str(&findings(&lines, None));
    insta::assert_snapshot!(text);
}

#[test]
fn transitional_rules_fire_at_the_close_if_no_event_is_effective() {
    let lines = [
        r#"{"type":"member_joined","time":"2025-05-10T09:00:00+08:00","processor":"north","subject":"a"}"#,
        r#"{"type":"member_joined","time":"2025-05-10T09:01:00+08:00","processor":"north","subject":"b"}"#,
        r#"{"type":"member_joined","time":"2025-05-10T09:02:00+08:00","processor":"north","subject":"c"}"#,
    ];
    assert!(
        kinds(&lines, None).is_empty(),
        "the stream closes before 1 June"
    );
    assert_eq!(
        kinds(&lines, Some("2025-07-15T00:00:00+08:00")),
        [(FindingKind::Overdue, 3)]
    );
    assert_eq!(
        kinds(&lines, Some("2025-07-14T23:59:59+08:00")),
        [(FindingKind::Open, 3)]
    );
}

#[test]
fn once_rules_look_back_for_an_inspection() {
    // north: inspected ten days before → fine. south: never inspected → violation.
    // east: inspection voided before the event → violation; inspected again → fine.
    // west: inspected 50 days before (before the rules took effect) → too old.
    // harbour: inspected 26 days before, before the rules took effect → fine.
    let lines = [
        r#"{"type":"inspection","time":"2025-05-01T09:00:00+08:00","processor":"west","ref":"i-1"}"#,
        r#"{"type":"inspection","time":"2025-05-25T09:00:00+08:00","processor":"harbour","ref":"i-2"}"#,
        r#"{"type":"inspection","time":"2025-06-05T09:00:00+08:00","processor":"east","ref":"i-3"}"#,
        r#"{"type":"inspection","time":"2025-06-10T09:00:00+08:00","processor":"north","ref":"i-4"}"#,
        r#"{"type":"inspection_voided","time":"2025-06-12T09:00:00+08:00","processor":"east"}"#,
        r#"{"type":"event_hosted","time":"2025-06-20T10:00:00+08:00","id":"ev-north","processor":"north","audience":40}"#,
        r#"{"type":"event_hosted","time":"2025-06-20T11:00:00+08:00","id":"ev-south","processor":"south","audience":40}"#,
        r#"{"type":"event_hosted","time":"2025-06-20T12:00:00+08:00","id":"ev-east","processor":"east","audience":40}"#,
        r#"{"type":"event_hosted","time":"2025-06-20T13:00:00+08:00","id":"ev-west","processor":"west","audience":40}"#,
        r#"{"type":"event_hosted","time":"2025-06-20T14:00:00+08:00","id":"ev-harbour","processor":"harbour","audience":40}"#,
        r#"{"type":"inspection","time":"2025-06-21T09:00:00+08:00","processor":"east","ref":"i-5"}"#,
        r#"{"type":"event_hosted","time":"2025-06-22T10:00:00+08:00","id":"ev-east-2","processor":"east","audience":40}"#,
    ];
    assert_eq!(
        kinds(&lines, None),
        [
            (FindingKind::Violation, 7),
            (FindingKind::Violation, 8),
            (FindingKind::Violation, 9)
        ]
    );
    insta::assert_snapshot!(run(&lines, None));
}

#[test]
fn keeping_periods_read_from_the_event() {
    // s-1 is erased in time; s-2 is erased after its deadline, which does not discharge it, and
    // it is reported when the watermark passes the deadline (before line 6); s-3 is never
    // erased: open at the last event, open before its deadline, overdue after it.
    let lines = [
        r#"{"type":"record_kept","time":"2025-06-02T09:00:00+08:00","processor":"main","subject":"s-1","keep_days":10}"#,
        r#"{"type":"record_kept","time":"2025-06-02T09:10:00+08:00","processor":"main","subject":"s-2","keep_days":5}"#,
        r#"{"type":"record_kept","time":"2025-06-03T09:00:00+08:00","processor":"main","subject":"s-3","keep_days":30}"#,
        r#"{"type":"record_erased","time":"2025-06-07T23:59:00+08:00","processor":"main","subject":"s-1"}"#,
        r#"{"type":"record_erased","time":"2025-06-08T00:00:00+08:00","processor":"main","subject":"s-2"}"#,
        r#"{"type":"note","time":"2025-06-09T09:00:00+08:00","processor":"main"}"#,
    ];
    let mut text = run(&lines, None);
    text.push_str(&findings(&lines, Some("2025-07-03T23:59:59+08:00")));
    text.push_str(&findings(&lines, Some("2025-07-04T00:00:00+08:00")));
    insta::assert_snapshot!(text);
}

#[test]
fn working_days_past_the_calendar_are_approximate() {
    // c-1 (1 December 2026) is answered in time. c-2 (Sunday 20 December 2026) runs past the
    // holiday table, which ends on 25 December 2026: its deadline counts Monday to Friday.
    let lines = [
        r#"{"type":"complaint","time":"2026-12-01T09:00:00+08:00","processor":"main","subject":"c-1"}"#,
        r#"{"type":"reply","time":"2026-12-15T09:00:00+08:00","processor":"main","subject":"c-1"}"#,
        r#"{"type":"complaint","time":"2026-12-20T09:00:00+08:00","processor":"main","subject":"c-2"}"#,
        r#"{"type":"complaint","time":"2027-03-01T09:00:00+08:00","processor":"main","subject":"c-3"}"#,
    ];
    insta::assert_snapshot!(run(&lines, Some("2027-04-01T00:00:00+08:00")));
}

#[test]
fn events_may_arrive_a_little_out_of_order() {
    // The default allowance is 300 seconds. Line 3 is 280 s behind and is accepted; the
    // erasure on line 4 is behind the note on line 3 but within the allowance, and meets the
    // deadline (the end of 2 June). Line 6 is 300 s behind (exactly the watermark): accepted.
    // Line 7 is 301 s behind: rejected.
    let lines = [
        r#"{"type":"record_kept","time":"2025-06-02T09:00:00+08:00","processor":"main","subject":"r-1","keep_days":0}"#,
        r#"{"type":"note","time":"2025-06-03T00:03:20+08:00","processor":"main"}"#,
        r#"{"type":"note","time":"2025-06-02T23:58:40+08:00","processor":"main"}"#,
        r#"{"type":"record_erased","time":"2025-06-02T23:59:50+08:00","processor":"main","subject":"r-1"}"#,
        r#"{"type":"note","time":"2025-06-03T01:00:00+08:00","processor":"main"}"#,
        r#"{"type":"note","time":"2025-06-03T00:55:00+08:00","processor":"main"}"#,
        r#"{"type":"note","time":"2025-06-03T00:54:59+08:00","processor":"main"}"#,
    ];
    assert_eq!(kinds(&lines, None), [(FindingKind::InputError, 7)]);
    insta::assert_snapshot!(run(&lines, None));
}

#[test]
fn without_lateness_any_step_back_is_rejected() {
    let options = EngineOptions {
        allowed_lateness_seconds: 0,
    };
    let mut engine = Engine::with_options(common::timed_program(), options).unwrap();
    let mut found = Vec::new();
    for (line, text) in [
        r#"{"type":"note","time":"2025-06-03T01:00:00+08:00","processor":"main"}"#,
        r#"{"type":"note","time":"2025-06-03T01:00:00+08:00","processor":"main"}"#,
        r#"{"type":"note","time":"2025-06-03T00:59:59+08:00","processor":"main"}"#,
    ]
    .iter()
    .enumerate()
    {
        engine.process_line(line as u64 + 1, text, &mut |f| found.push(f));
    }
    assert_eq!(found.len(), 1);
    assert_eq!(
        &*found[0].message,
        "event time 2025-06-03T00:59:59+08:00 is earlier than the stream's watermark 2025-06-03T01:00:00+08:00 (the latest time seen less the allowed lateness); events may arrive at most 0 seconds out of order"
    );
    assert_eq!(engine.summary().rejected, 1);
}

/// One change to the members of a branch: `(branch, member, joined)`.
fn change() -> impl Strategy<Value = (usize, usize, bool)> {
    (0..3usize, 0..6usize, any::<bool>())
}

proptest! {
    #[test]
    fn state_sizes_match_a_recount(changes in proptest::collection::vec(change(), 0..120)) {
        let branches = ["north", "south", "east"];
        let mut engine = Engine::new(common::timed_program()).unwrap();
        let mut model: HashMap<&str, HashSet<usize>> = HashMap::new();
        for (index, &(branch, member, joined)) in changes.iter().enumerate() {
            let line = format!(
                r#"{{"type":"{}","time":"2025-09-01T09:00:00+08:00","processor":"{}","subject":"m{member}"}}"#,
                if joined { "member_joined" } else { "member_left" },
                branches[branch],
            );
            engine.process_line(index as u64 + 1, &line, &mut |_| {});
            let members = model.entry(branches[branch]).or_default();
            if joined {
                members.insert(member);
            } else {
                members.remove(&member);
            }
        }
        engine.flush(&mut |_| {});
        for branch in branches {
            let expected = model.get(branch).map_or(0, HashSet::len);
            let key = Value::Str(branch.to_owned());
            prop_assert_eq!(engine.state_size(common::MEMBERS, &key), expected);
        }
    }
}
