//! The parser and the segmenter never panic, whatever they are given.

mod common;

use common::spans_are_valid;
use edict_grammar::outline::segment;
use edict_grammar::parse;

const VALID: &str = include_str!("fixtures/every-construct.edict");

#[test]
fn the_input_is_valid() {
    let (file, errors) = parse(VALID);
    assert!(errors.is_empty(), "{errors:#?}");
    assert!(file.items.len() > 5);
}

#[test]
fn every_prefix_parses_without_panicking() {
    for (i, _) in VALID.char_indices() {
        let prefix = &VALID[..i];
        let (file, _) = parse(prefix);
        assert!(
            spans_are_valid(prefix, &file),
            "bad span for prefix of {i} bytes"
        );
    }
}

#[test]
fn every_suffix_parses_without_panicking() {
    for (i, _) in VALID.char_indices().step_by(3) {
        let suffix = &VALID[i..];
        let (file, _) = parse(suffix);
        assert!(
            spans_are_valid(suffix, &file),
            "bad span for suffix from {i}"
        );
    }
}

#[test]
fn deleting_any_line_parses_without_panicking() {
    let lines: Vec<&str> = VALID.lines().collect();
    for skip in 0..lines.len() {
        let text: Vec<&str> = lines
            .iter()
            .enumerate()
            .filter(|&(i, _)| i != skip)
            .map(|(_, l)| *l)
            .collect();
        let text = text.join("\n");
        let (file, _) = parse(&text);
        assert!(spans_are_valid(&text, &file));
    }
}

#[test]
fn odd_inputs() {
    for text in [
        "\"",
        "\\",
        "第",
        "第条",
        "{{{{",
        "}}}}",
        "((((",
        "article",
        "article 1 {",
        "rule",
        "rule a:",
        "const",
        "const A =",
        "const A = {",
        "const A = \"\\u{",
        "const A = \"\\u{110000}\"",
        "\u{feff}article 1 { }",
        "　",
        "//",
        "/",
        "第一条 {",
        "(",
        "）",
        "规则：",
        "2025-99-99",
        "calendar { holiday 9999-99-99 }",
        "state s: set of x per y { on a b: add }",
    ] {
        let _ = parse(text);
        let _ = segment(text);
    }
}

#[test]
fn segment_never_panics_on_prefixes() {
    let text = "第一章\n第一条　甲。\n（一）乙；\n(2) 丙\n　　丁。\n第二条\n第二条\n（十）戊\n";
    for (i, _) in text.char_indices() {
        let _ = segment(&text[..i]);
    }
    for (i, _) in VALID.char_indices().step_by(7) {
        let _ = segment(&VALID[i..]);
    }
}
