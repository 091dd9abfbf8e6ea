//! The parser and the segmenter on damaged input: what they must give, not only that they do
//! not panic. Every tree has valid spans, every error points into the text and reads well, a
//! cut at an item's end keeps exactly the items before it, and a cut inside an open block is
//! reported. The odd inputs' results are a snapshot to review.

mod common;

use common::{render_errors, spans_are_valid, summarize};
use edict_grammar::ast::{File, Item};
use edict_grammar::outline::segment;
use edict_grammar::{ParseError, parse};

const VALID: &str = include_str!("fixtures/every-construct.edict");

/// Every error points into the text and reads as a message should: lowercase, no trailing
/// period, no raw control character.
fn errors_are_well_formed(source: &str, errors: &[ParseError]) {
    for error in errors {
        let (start, end) = (error.span.start as usize, error.span.end as usize);
        assert!(start <= end && end <= source.len(), "{error:?}");
        assert!(source.is_char_boundary(start) && source.is_char_boundary(end));
        let texts = std::iter::once(&error.message).chain(&error.help);
        for text in texts.flat_map(|t| [&t.en, &t.zh]) {
            assert!(!text.is_empty(), "{error:?}");
            assert!(!text.ends_with('。'), "{error:?}");
            assert!(!text.starts_with(char::is_uppercase), "{error:?}");
            assert!(!text.ends_with('.'), "{error:?}");
            assert!(!text.contains(char::is_control), "{error:?}");
        }
    }
}

/// Parses and checks what any parse must give.
fn parse_checked(source: &str) -> (File, Vec<ParseError>) {
    let (file, errors) = parse(source);
    assert!(spans_are_valid(source, &file), "bad span in {source:?}");
    errors_are_well_formed(source, &errors);
    (file, errors)
}

/// The end of each top-level item of the valid file, and the items.
fn full() -> (Vec<usize>, File) {
    let (file, errors) = parse(VALID);
    assert!(errors.is_empty(), "{errors:#?}");
    let ends = file
        .items
        .iter()
        .map(|item| item_span(item).1 as usize)
        .collect();
    (ends, file)
}

fn item_span(item: &Item) -> (u32, u32) {
    let span = match item {
        Item::Regulation(x) => x.span,
        Item::Vocabulary(x) => x.span,
        Item::Article(x) => x.span,
        Item::Const(x) => x.span,
        Item::State(x) => x.span,
        Item::Calendar(x) => x.span,
        Item::Stray(_) => return (0, 0),
    };
    (span.start, span.end)
}

#[test]
fn the_input_is_valid() {
    let (ends, file) = full();
    assert!(file.items.len() > 5);
    assert_eq!(ends.len(), file.items.len());
}

#[test]
fn a_prefix_ending_at_an_item_keeps_the_items_before_it_without_error() {
    let (ends, full) = full();
    for (n, &end) in ends.iter().enumerate() {
        let (file, errors) = parse_checked(&VALID[..end]);
        assert!(errors.is_empty(), "prefix of {end} bytes: {errors:?}");
        assert_eq!(file.items, full.items[..=n], "prefix of {end} bytes");
    }
}

#[test]
fn every_prefix_is_a_tree_with_valid_spans_and_an_error_inside_an_open_block() {
    for (i, _) in VALID.char_indices() {
        let prefix = &VALID[..i];
        let (_, errors) = parse_checked(prefix);
        // Braces still open (outside strings and comments) must be reported.
        if open_braces(prefix) > 0 {
            assert!(
                !errors.is_empty(),
                "a prefix of {i} bytes leaves a block open without an error"
            );
        }
    }
}

#[test]
fn a_suffix_starting_at_an_item_keeps_the_items_after_it_without_error() {
    let (_, full) = full();
    for (n, item) in full.items.iter().enumerate() {
        let start = item_span(item).0 as usize;
        let (file, errors) = parse_checked(&VALID[start..]);
        assert!(errors.is_empty(), "suffix from {start}: {errors:?}");
        assert_eq!(
            summarize(&file),
            summarize(&File {
                items: full.items[n..].to_vec()
            }),
            "suffix from {start}"
        );
    }
}

#[test]
fn every_suffix_is_a_tree_with_valid_spans() {
    for (i, _) in VALID.char_indices().step_by(3) {
        parse_checked(&VALID[i..]);
    }
}

#[test]
fn deleting_a_line_with_a_brace_is_reported_and_other_items_are_kept() {
    let lines: Vec<&str> = VALID.lines().collect();
    for skip in 0..lines.len() {
        let text: Vec<&str> = lines
            .iter()
            .enumerate()
            .filter(|&(i, _)| i != skip)
            .map(|(_, l)| *l)
            .collect();
        let text = text.join("\n");
        let (file, errors) = parse_checked(&text);
        let line = lines[skip].split("//").next().unwrap_or("");
        if open_braces(line) != 0 {
            assert!(
                !errors.is_empty(),
                "deleting line {} ({line:?}) unbalances the braces without an error",
                skip + 1
            );
        }
        if line.trim().is_empty() {
            assert!(errors.is_empty(), "deleting blank line {}", skip + 1);
        }
        assert!(
            !file.items.is_empty(),
            "deleting line {} kept nothing",
            skip + 1
        );
    }
}

/// Braces opened and not closed in `text` (outside strings and comments); negative when more
/// close than open.
fn open_braces(text: &str) -> i64 {
    let mut depth = 0;
    let mut in_string = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if in_string => {
                chars.next();
            }
            '"' => in_string = !in_string,
            '\n' => in_string = false,
            '/' if !in_string && chars.peek() == Some(&'/') => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        break;
                    }
                }
            }
            '{' if !in_string => depth += 1,
            '}' if !in_string => depth -= 1,
            _ => {}
        }
    }
    depth
}

#[test]
fn odd_inputs() {
    let mut out = String::new();
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
        "const A = \u{0}",
        "vocabulary v { event e { n: int >= }",
    ] {
        let (file, errors) = parse_checked(text);
        out.push_str(&format!("----- {text:?}\n"));
        if errors.is_empty() {
            out.push_str("(no error)\n");
        }
        out.push_str(&render_errors(text, &errors));
        let kept = summarize(&file);
        if !kept.is_empty() {
            out.push_str(&format!("kept: {kept}"));
        }
        let (outline, outline_errors) = segment(text);
        out.push_str(&format!(
            "as an outline: {} articles, {} errors\n",
            outline.articles.len(),
            outline_errors.len()
        ));
    }
    insta::assert_snapshot!(out.replace('\0', "\\0"));
}

#[test]
fn segment_keeps_its_spans_inside_every_prefix() {
    let text = "第一章\n第一条　甲。\n（一）乙；\n(2) 丙\n　　丁。\n第二条\n第二条\n（十）戊\n";
    let prefixes = text.char_indices().map(|(i, _)| &text[..i]);
    let suffixes = VALID.char_indices().step_by(7).map(|(i, _)| &VALID[i..]);
    for part in prefixes.chain(suffixes) {
        let (outline, errors) = segment(part);
        for span in outline
            .articles
            .iter()
            .map(|a| a.span)
            .chain(errors.iter().map(|e| e.span))
        {
            assert!(span.start <= span.end && span.end as usize <= part.len());
            assert!(part.is_char_boundary(span.start as usize));
            assert!(part.is_char_boundary(span.end as usize));
        }
        for error in &errors {
            assert!(!error.message.is_empty() && !error.message.en.ends_with('.'));
        }
    }
}
