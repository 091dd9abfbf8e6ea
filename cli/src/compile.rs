//! What every command shares: exit statuses, compiling the user's policy paths, and printing
//! diagnostics.

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use clap::ValueEnum;
use edict_compiler::render::Language;
use edict_compiler::{Diagnostic, Lang, LoadedPackage, Workspace, render};
use edict_runtime::ir;

use crate::Format;

/// A language as the command line names it: of diagnostics and report pages (`--lang`), of
/// keywords (`edict fmt --keywords`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum LangArg {
    /// English.
    En,
    /// Chinese (简体中文).
    Zh,
}

impl From<LangArg> for Lang {
    fn from(lang: LangArg) -> Lang {
        match lang {
            LangArg::En => Lang::En,
            LangArg::Zh => Lang::Zh,
        }
    }
}

/// The language the user asked for with `--lang`, for the whole run of the command.
static LANGUAGE: OnceLock<Option<Lang>> = OnceLock::new();

/// Records `--lang`; called once, before any command runs.
pub fn set_language(lang: Option<LangArg>) {
    let _ = LANGUAGE.set(lang.map(Lang::from));
}

/// The language the user asked for, if any.
pub fn language() -> Option<Lang> {
    LANGUAGE.get().copied().flatten()
}

/// The language diagnostics are shown in: the one asked for, or each file's own.
fn diagnostic_language() -> Language {
    match language() {
        None => Language::OfTheFile,
        Some(lang) => Language::Fixed(lang),
    }
}

pub const OK: u8 = 0;
pub const FAILED: u8 = 1;
pub const USAGE: u8 = 2;

/// Loads and checks packages; returns the workspace, the packages and all diagnostics
/// (deduplicated: a vocabulary shared by two packages is reported once).
///
/// A path that cannot be read is reported (as JSON on standard output with `--format json`)
/// and gives the usage status.
pub(crate) fn compile(
    paths: &[PathBuf],
    format: Format,
) -> Result<(Workspace, Vec<LoadedPackage>, Vec<Diagnostic>), u8> {
    let mut ws = Workspace::default();
    let packages = ws.load(paths).map_err(|e| {
        report_error(format, Some(&e.path), &e.to_string());
        USAGE
    })?;
    let mut all: Vec<Diagnostic> = Vec::new();
    for p in &packages {
        for d in ws.diagnostics(p) {
            if !all.contains(d) {
                all.push(d.clone());
            }
        }
    }
    Ok((ws, packages, all))
}

/// Prints an error that is not a diagnostic of a policy (a file that cannot be read, a broken
/// test file): in words on standard error, or with `--format json` as one JSON object on
/// standard output with the keys of a diagnostic (`code` and positions `null` when unknown).
pub(crate) fn report_error(format: Format, file: Option<&str>, message: &str) {
    report_error_at(format, file, None, message);
}

/// [`report_error`] at a 1-based line of the file.
pub(crate) fn report_error_at(
    format: Format,
    file: Option<&str>,
    line: Option<usize>,
    message: &str,
) {
    match format {
        Format::Human => {
            let place = match (file, line) {
                (Some(file), Some(line)) => format!("{file}:{line}: "),
                _ => String::new(),
            };
            eprintln!("error: {place}{}", render::printable(message));
        }
        Format::Json => {
            let value = serde_json::json!({
                "severity": "error",
                "code": null,
                "message": message,
                "file": file,
                "line": line,
                "column": null,
                "end_line": null,
                "end_column": null,
                "label": null,
                "help": null,
                "related": [],
            });
            println!("{value}");
        }
    }
}

/// Prints diagnostics: as JSON always on standard output; in words on standard output when
/// they are the command's result (`check`), else on standard error.
pub(crate) fn print_diagnostics(
    ws: &Workspace,
    diagnostics: &[Diagnostic],
    format: Format,
    to_stdout: bool,
) {
    let text = match format {
        Format::Human => render::human_in(ws.db(), diagnostics, diagnostic_language()),
        Format::Json => render::json_in(ws.db(), diagnostics, diagnostic_language()),
    };
    if to_stdout || matches!(format, Format::Json) {
        print!("{text}");
    } else {
        eprint!("{text}");
    }
}

pub(crate) fn tally(diagnostics: &[Diagnostic]) -> (usize, usize) {
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    (errors, diagnostics.len() - errors)
}

pub(crate) fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// The program of the one regulation package among `paths`.
///
/// `partitioned`: the program is built for a partitioned run (`edict build --partitioned`,
/// `edict consume`), so what prevents partitioning its stream is an error too (E0600).
pub(crate) fn single_program(
    paths: &[PathBuf],
    format: Format,
    partitioned: bool,
) -> Result<Arc<ir::Program>, u8> {
    let (ws, packages, mut diagnostics) = compile(paths, format)?;
    if partitioned && !diagnostics.iter().any(|d| d.is_error()) {
        for package in &packages {
            diagnostics.extend(ws.partition_diagnostics(package).iter().cloned());
        }
    }
    print_diagnostics(&ws, &diagnostics, format, false);
    let (errors, _) = tally(&diagnostics);
    if errors > 0 {
        eprintln!(
            "error: the policy has {}; nothing was built",
            plural(errors, "error")
        );
        return Err(FAILED);
    }
    let programs: Vec<(String, Arc<ir::Program>)> = packages
        .iter()
        .filter_map(|p| ws.program(p).map(|prog| (p.root.clone(), prog)))
        .collect();
    match programs.as_slice() {
        [(_, program)] => Ok(Arc::clone(program)),
        [] => {
            eprintln!("error: no regulation package found (no file has a `regulation` header)");
            Err(USAGE)
        }
        many => {
            let roots: Vec<&str> = many.iter().map(|(r, _)| r.as_str()).collect();
            eprintln!(
                "error: found {} regulation packages ({}); name one",
                many.len(),
                roots.join(", ")
            );
            Err(USAGE)
        }
    }
}
