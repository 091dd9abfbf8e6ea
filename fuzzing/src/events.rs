//! Targets `event_lines` and `bundle`: the runtime's two inputs from outside.

use edict_runtime::bundle::{Bundle, BundleError};
use edict_runtime::engine::Engine;
use edict_runtime::pretty::pretty;

use crate::{check, library};

/// Every line of the bytes against the 2025 Measures: the streaming decoder and the tree
/// decoder give the same event or the same error, an input error reads well, and the engine
/// accounts for every line.
pub fn event_lines(data: &[u8]) {
    let program = library::measures();
    let mut engine = match Engine::new((*program).clone()) {
        Ok(engine) => engine,
        Err(error) => panic!("the Measures do not load: {error}"),
    };
    let decoder = engine.decoder().clone();
    let mut rejected = 0_u64;
    for (index, line) in data.split(|&b| b == b'\n').enumerate() {
        if let Ok(text) = std::str::from_utf8(line) {
            let fast = decoder.decode(text);
            let tree = decoder.decode_tree(text);
            assert_eq!(fast, tree, "the decoders disagree on {text:?}");
            if let Err(error) = &tree {
                check::message(error.message(), "input error");
            }
        }
        engine.process_line_bytes(index as u64 + 1, line, &mut |finding| {
            if finding.rule.is_none() {
                rejected += 1;
                check::message(&finding.message, "input error finding");
            }
        });
    }
    let summary = engine.finish(None, &mut |_| {});
    assert!(summary.is_balanced(), "lines unaccounted for: {summary:?}");
    assert_eq!(
        rejected, summary.rejected,
        "one input error per rejected line"
    );
}

/// The bytes as a bundle: refused with a reason, or a program (its hash checked or not) that
/// the loader refuses with a reason, or that prints and judges the example stream accounting
/// for every line.
pub fn bundle(data: &[u8]) {
    let Some(text) = check::text(data) else {
        return;
    };
    let bundle = match Bundle::from_json(text) {
        Ok(bundle) => bundle,
        // A mutated program rarely keeps its hash: read it anyway, as a hostile bundle with a
        // correct hash would be, so the loader's own checks are what the fuzzer explores.
        Err(BundleError::HashMismatch) => match serde_json::from_str::<Bundle>(text) {
            Ok(bundle) => bundle,
            Err(error) => panic!("a bundle whose hash was checked does not read: {error}"),
        },
        Err(error) => {
            check::message(&error.to_string(), "bundle error");
            return;
        }
    };
    let program = bundle.program.clone();
    let mut engine = match Engine::from_bundle(bundle) {
        Ok(engine) => engine,
        Err(error) => {
            check::message(&error.to_string(), "load error");
            return;
        }
    };
    // A program the loader accepts can be printed.
    let _ = pretty(&program);
    for (index, line) in library::STREAM.lines().enumerate() {
        engine.process_line(index as u64 + 1, line, &mut |_| {});
    }
    let summary = engine.finish(None, &mut |_| {});
    assert!(summary.is_balanced(), "lines unaccounted for: {summary:?}");
}
