//! The editor's answers (`edict_compiler::ide`) on the 2025 Measures, without a client: what
//! `edict lsp` serves, in byte offsets. The protocol side is tested end to end by
//! `cli/tests/lsp_client.rs`.

#![allow(
    clippy::expect_used,
    reason = "a test fails loudly when its fixtures are missing or broken"
)]

use edict_compiler::ide::{self, CompletionKind, SymbolKind, TokenClass};
use edict_compiler::{LoadedPackage, SourceFile, Workspace};

fn measures() -> (Workspace, LoadedPackage) {
    let mut ws = Workspace::default();
    let packages = ws
        .load(&["../policies/measures-2025".into()])
        .expect("the package loads");
    let package = packages.into_iter().next().expect("one package");
    (ws, package)
}

fn file(ws: &Workspace, name: &str) -> (SourceFile, String) {
    let path = format!("../policies/measures-2025/{name}");
    let file = ws.file(&path).expect("loaded");
    (file, ws.text_of(file).to_owned())
}

fn at(text: &str, needle: &str, delta: usize) -> u32 {
    (text.find(needle).expect("needle") + delta) as u32
}

#[test]
fn hover_answers_for_headers_fields_rules_and_constants() {
    let (ws, p) = measures();
    let (minors, text) = file(&ws, "minors.edict");
    let hover = |needle: &str, delta: usize| {
        ide::hover(&ws, &p, minors, at(&text, needle, delta))
            .expect("a hover")
            .markdown
    };
    assert!(hover("第七条", 1).contains("以同意为依据处理不满十四周岁儿童人脸信息的"));
    let field = hover("e.subject_age", 4);
    assert!(field.contains("subject_age?: int"), "{field}");
    assert!(field.contains("age in completed years"), "{field}");
    assert!(hover("guardian-consent", 0).contains("rule `measures-2025/art7/guardian-consent`"));
    assert!(hover("CHILD_AGE", 0).contains("const CHILD_AGE = 14"));
    assert!(hover("consent 并且", 0).contains("a value of enum `legal_basis`"));
}

#[test]
fn definitions_and_references() {
    let (ws, p) = measures();
    let (filing, text) = file(&ws, "security-and-filing.edict");
    let def = ide::definition(&ws, &p, filing, at(&text, "size(stored_subjects", 6))
        .expect("a definition");
    assert_eq!(def.span.start, at(&text, "stored_subjects", 0));
    let refs = ide::references(&ws, &p, filing, at(&text, "stored_subjects", 0), true);
    assert_eq!(refs.len(), 3);
    let def = ide::definition(&ws, &p, filing, at(&text, "f.kind", 2)).expect("a field");
    assert!(ws.path_of(def.file).ends_with("vocabulary/face.edict"));
    assert_eq!(&ws.text_of(def.file)[def.span.range()], "kind");
}

#[test]
fn completion_reads_the_tokens_before_the_cursor() {
    let (mut ws, p) = measures();
    let (minors, text) = file(&ws, "minors.edict");
    let edited = text.replacen("e.legal_basis == consent", "e.legal_basis == ", 1);
    ws.set_file(ws.path_of(minors).to_owned().as_str(), edited.clone());
    let items = ide::completions(&ws, &p, minors, at(&edited, "e.legal_basis == ", 17));
    let labels: Vec<&str> = items.iter().map(|c| c.label.as_str()).collect();
    assert_eq!(labels, ["consent", "law"]);
    assert!(items.iter().all(|c| c.kind == CompletionKind::EnumValue));
    let edited = text.replacen("e.consent.given_by", "e.consent.", 1);
    ws.set_file(ws.path_of(minors).to_owned().as_str(), edited.clone());
    let items = ide::completions(&ws, &p, minors, at(&edited, "e.consent.", 10));
    let labels: Vec<&str> = items.iter().map(|c| c.label.as_str()).collect();
    assert_eq!(labels, ["separate", "written", "informed", "given_by"]);
}

#[test]
fn symbols_and_semantic_tokens() {
    let (ws, p) = measures();
    let (storage, text) = file(&ws, "storage.edict");
    let symbols = ide::symbols(&ws, storage);
    assert_eq!(symbols[0].name, "article 8");
    assert_eq!(symbols[0].children[0].name, "paragraph 1");
    let rule = &symbols[0].children[0].children[0];
    assert_eq!(
        (rule.name.as_str(), rule.kind),
        ("on-device-storage", SymbolKind::Rule)
    );
    let tokens = ide::semantic_tokens(&ws, &p, storage);
    let class_at = |needle: &str| {
        let start = at(&text, needle, 0);
        tokens
            .iter()
            .find(|t| t.span.start == start)
            .map(|t| t.class)
    };
    assert_eq!(class_at("article 8"), Some(TokenClass::Keyword));
    assert_eq!(class_at("on-device-storage"), Some(TokenClass::Function));
    assert_eq!(
        class_at("device\n      unless"),
        Some(TokenClass::EnumMember)
    );
    assert_eq!(class_at("// Articles 8"), Some(TokenClass::Comment));
}

/// An organisation's package whose vocabulary extends the standard one: its own fields and the
/// standard ones are found where they are declared; an event's time has its parts.
#[test]
fn an_extended_vocabulary_and_the_parts_of_a_time() {
    let mut ws = Workspace::default();
    let packages = ws
        .load(&["../policies/examples/residential-estate".into()])
        .expect("the package loads");
    let p = packages.into_iter().next().expect("one package");
    assert!(ws.diagnostics(&p).is_empty(), "{:?}", ws.diagnostics(&p));
    let rules = ws
        .file("../policies/examples/residential-estate/rules.edict")
        .expect("loaded");
    let text = ws.text_of(rules).to_owned();
    let own = ide::definition(&ws, &p, rules, at(&text, "m.second_factor", 2)).expect("a field");
    assert!(
        ws.path_of(own.file)
            .ends_with("residential-estate/vocabulary.edict")
    );
    assert_eq!(&ws.text_of(own.file)[own.span.range()], "second_factor");
    let standard =
        ide::definition(&ws, &p, rules, at(&text, "m.alternative_offered", 2)).expect("a field");
    assert!(ws.path_of(standard.file).ends_with("vocabulary/face.edict"));
    let hover = ide::hover(&ws, &p, rules, at(&text, "m.second_factor", 2))
        .expect("a hover")
        .markdown;
    assert!(hover.contains("a card, code or PIN"), "{hover}");

    let edited = text.replacen("m.time.hour >= NIGHT_FROM_HOUR", "m.time.", 1);
    ws.set_file(ws.path_of(rules).to_owned().as_str(), edited.clone());
    let items = ide::completions(&ws, &p, rules, at(&edited, "m.time.", 7));
    let labels: Vec<&str> = items.iter().map(|c| c.label.as_str()).collect();
    assert_eq!(labels, ["hour", "minute", "weekday", "date"]);
    let edited = text.replacen("m.time.hour >= NIGHT_FROM_HOUR", "m.", 1);
    ws.set_file(ws.path_of(rules).to_owned().as_str(), edited.clone());
    let items = ide::completions(&ws, &p, rules, at(&edited, "m.", 2));
    let labels: Vec<&str> = items.iter().map(|c| c.label.as_str()).collect();
    assert!(
        labels.contains(&"second_factor") && labels.contains(&"time"),
        "{labels:?}"
    );
}
