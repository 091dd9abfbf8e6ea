//! Target `policy_source`: any text as a policy file, parsed and compiled as a whole package
//! beside the library's vocabularies and outlines; a program that compiles goes through its
//! bundle and judges a stream.

use edict_compiler::{Diagnostic, Workspace, render};
use edict_runtime::bundle::Bundle;
use edict_runtime::engine::Engine;
use edict_runtime::ir::Program;
use edict_runtime::pretty::pretty;

use crate::{check, library};

/// Parses the bytes as one policy file, then compiles it as a package.
pub fn policy_source(data: &[u8]) {
    let Some(text) = check::text(data) else {
        return;
    };
    let (file, errors) = edict_grammar::parse(text);
    check::tree_spans(text, &file, "syntax tree");
    for error in &errors {
        check::span(text, error.span, "syntax error");
        check::text_message(&error.message, "syntax error");
        if let Some(help) = &error.help {
            check::text_message(help, "syntax error help");
        }
    }
    compile(&[("input.edict", text)]);
}

/// Compiles policy sources as one package in [`library::PACKAGE`]: every diagnostic points
/// into its file and reads well; a package with a header has a program exactly when no
/// diagnostic is an error, and the program survives its bundle and judges the example stream.
pub fn compile(sources: &[(&str, &str)]) {
    let mut ws = Workspace::default();
    let package = library::load(&mut ws, sources);
    let diagnostics: Vec<Diagnostic> = ws.diagnostics(&package).to_vec();
    for diagnostic in &diagnostics {
        let what = diagnostic.code.as_str();
        check::text_message(&diagnostic.message, what);
        if let Some(help) = &diagnostic.help {
            check::text_message(help, what);
        }
        for label in std::iter::once(&diagnostic.primary).chain(&diagnostic.secondary) {
            assert_eq!(label.item, None, "{what}: a span left relative to an item");
            check::span(label.file.text(ws.db()), label.span, what);
        }
    }
    let _ = render::human(ws.db(), &diagnostics);
    let _ = render::json(ws.db(), &diagnostics);
    let has_errors = diagnostics.iter().any(Diagnostic::is_error);
    let program = ws.program(&package);
    if has_errors {
        assert!(program.is_none(), "a program despite errors");
    } else if ws.header(&package).is_some() {
        // A vocabulary alone has no header and no program, and is no error.
        assert!(program.is_some(), "no program and no error");
    }
    if let Some(program) = program {
        run(&program);
    }
}

/// A compiled program survives its bundle unchanged, loads into an engine and judges the
/// example stream, accounting for every line.
pub fn run(program: &Program) {
    let text = Bundle::new(program.clone()).to_json();
    let back = match Bundle::from_json(&text) {
        Ok(bundle) => bundle,
        Err(error) => panic!("a compiled program's bundle does not load: {error}"),
    };
    assert_eq!(back.program, *program, "the bundle changed the program");
    let _ = pretty(program);
    let mut engine = match Engine::new(program.clone()) {
        Ok(engine) => engine,
        Err(error) => panic!("a compiled program does not load: {error}"),
    };
    let mut findings = 0_u64;
    for (index, line) in library::STREAM.lines().enumerate() {
        engine.process_line(index as u64 + 1, line, &mut |_| findings += 1);
    }
    let summary = engine.finish(None, &mut |_| findings += 1);
    assert!(summary.is_balanced(), "lines unaccounted for: {summary:?}");
}
