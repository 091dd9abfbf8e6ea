//! `edict check` and `edict build`.

use std::path::{Path, PathBuf};

use edict_runtime::bundle::Bundle;

use crate::Format;
use crate::compile::{
    FAILED, OK, USAGE, compile, plural, print_diagnostics, single_program, tally,
};

pub fn check(paths: &[PathBuf], format: Format) -> u8 {
    let (ws, packages, diagnostics) = match compile(paths, format) {
        Ok(x) => x,
        Err(code) => return code,
    };
    print_diagnostics(&ws, &diagnostics, format, true);
    let (errors, warnings) = tally(&diagnostics);
    eprintln!(
        "checked {}: {}, {}",
        plural(packages.len(), "package"),
        plural(errors, "error"),
        plural(warnings, "warning")
    );
    if errors > 0 { FAILED } else { OK }
}

pub fn build(paths: &[PathBuf], output: &Path, format: Format) -> u8 {
    let program = match single_program(paths, format) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let bundle = Bundle::new((*program).clone());
    if let Err(e) = std::fs::write(output, bundle.to_json()) {
        eprintln!("error: cannot write `{}`: {e}", output.display());
        return USAGE;
    }
    eprintln!(
        "built {} ({}, {}) into {}",
        program.regulation.id,
        plural(program.rules.len(), "rule"),
        bundle.hash,
        output.display()
    );
    OK
}
