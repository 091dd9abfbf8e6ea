//! `edict check` and `edict build`.

use std::path::{Path, PathBuf};

use edict_runtime::bundle::Bundle;

use crate::{CheckFormat, Format};

use edict_compiler::render;

use crate::compile::{
    FAILED, OK, USAGE, compile, plural, print_diagnostics, single_program, tally,
};

pub fn check(paths: &[PathBuf], format: CheckFormat) -> u8 {
    let (ws, packages, diagnostics) = match compile(paths, format.plain()) {
        Ok(x) => x,
        Err(code) => return code,
    };
    match format {
        CheckFormat::Human => print_diagnostics(&ws, &diagnostics, Format::Human, true),
        CheckFormat::Json => print_diagnostics(&ws, &diagnostics, Format::Json, true),
        CheckFormat::Sarif => print!(
            "{}",
            render::sarif(ws.db(), &diagnostics, env!("CARGO_PKG_VERSION"))
        ),
        CheckFormat::Github => print!("{}", render::github(ws.db(), &diagnostics)),
    }
    let (errors, warnings) = tally(&diagnostics);
    // A folder of vocabularies only (which packages import) is not a package of its own.
    let vocabularies = packages
        .iter()
        .filter(|p| ws.declares_only_vocabularies(p))
        .count();
    let mut checked = plural(packages.len() - vocabularies, "package");
    if vocabularies > 0 {
        checked += &format!(" and {}", plural(vocabularies, "vocabulary folder"));
    }
    eprintln!(
        "checked {checked}: {}, {}",
        plural(errors, "error"),
        plural(warnings, "warning")
    );
    if errors > 0 { FAILED } else { OK }
}

pub fn build(
    paths: &[PathBuf],
    output: &Path,
    sign: Option<&Path>,
    format: Format,
    partitioned: bool,
) -> u8 {
    let key = match sign.map(crate::keys::secret_key).transpose() {
        Ok(k) => k,
        Err(code) => return code,
    };
    let program = match single_program(paths, format, partitioned) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let mut bundle = Bundle::new((*program).clone());
    if let Some(key) = &key {
        bundle.sign(key);
    }
    if let Err(e) = std::fs::write(output, bundle.to_json()) {
        eprintln!("error: cannot write `{}`: {e}", output.display());
        return USAGE;
    }
    let signed = key.map_or(String::new(), |k| {
        format!(", signed by key {}", k.public().id())
    });
    eprintln!(
        "built {} ({}, {}{signed}) into {}",
        program.regulation.id,
        plural(program.rules.len(), "rule"),
        bundle.hash,
        output.display()
    );
    OK
}
