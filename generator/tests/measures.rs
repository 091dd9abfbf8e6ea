//! Generated streams are valid against the standard vocabulary, and the Measures find exactly
//! the per-event violations the generator built.

use std::collections::BTreeMap;

use edict_compiler::Workspace;
use edict_generator::{Config, Generator, Rule};
use edict_runtime::engine::Engine;
use edict_runtime::finding::FindingKind;

#[test]
fn the_measures_find_exactly_the_planted_violations() {
    let mut ws = Workspace::default();
    let packages = ws
        .load(&["../policies/measures-2025".into()])
        .expect("the Measures load");
    let program = ws.program(&packages[0]).expect("the Measures compile");
    let ids: Vec<String> = program.rules.iter().map(|r| r.id.to_string()).collect();
    for rule in Rule::ALL {
        assert!(
            ids.contains(&rule.to_string()),
            "the Measures have no rule {rule}"
        );
    }
    let mut engine = Engine::new((*program).clone()).expect("the Measures load in the engine");

    let per_event: Vec<String> = Rule::ALL.iter().map(Rule::to_string).collect();
    let mut planted: BTreeMap<u64, Rule> = BTreeMap::new();
    let mut found: BTreeMap<u64, Vec<String>> = BTreeMap::new();
    let mut input_errors = Vec::new();
    let generator = Generator::new(Config {
        events: 30_000,
        seed: 9,
        violation_rate: 0.05,
        processors: 4,
        ..Config::default()
    });
    let mut collect = |f: edict_runtime::Finding| match f.finding {
        FindingKind::InputError => input_errors.push((f.line, f.message.to_string())),
        FindingKind::Violation => {
            let rule = f.rule.as_deref().unwrap_or_default().to_string();
            if per_event.contains(&rule) {
                found.entry(f.line).or_default().push(rule);
            }
        }
        _ => {}
    };
    for (index, line) in generator.enumerate() {
        let line_no = index as u64 + 1;
        if let Some(rule) = line.violation {
            planted.insert(line_no, rule);
        }
        engine.process_line(line_no, &line.text, &mut collect);
    }
    // Closing judges the events still held for the allowed lateness.
    let summary = engine.finish(None, &mut collect);
    assert!(input_errors.is_empty(), "{input_errors:?}");
    assert_eq!(summary.rejected, 0);
    assert!(summary.exempt > 0, "some events are exempt");
    let expected: BTreeMap<u64, Vec<String>> = planted
        .iter()
        .map(|(&line, &rule)| (line, vec![rule.to_string()]))
        .collect();
    assert!(expected.len() > 1_000);
    assert_eq!(found, expected);
}
