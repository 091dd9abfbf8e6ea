//! `edict fmt`: writes policy files in the canonical layout, optionally in the other keyword
//! language.
//!
//! Exit status: 0 every file is (now) formatted; 1 with `--check`, some file would change, or
//! some file has syntax errors (it is left alone and its errors are printed); 2 a usage or IO
//! error.

use std::path::{Path, PathBuf};

use clap::Args;
use edict_compiler::{Code, Workspace, display_path, render};
use edict_format::{FormatError, Lang, Options};

use crate::compile::{FAILED, LangArg, OK, USAGE, plural};

#[derive(Args)]
pub struct FmtArgs {
    /// Policy files or folders (every `.edict` file below a folder).
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// Change no file: list the files that would change, and exit with 1 if there are any.
    #[arg(long)]
    check: bool,
    /// Write the keywords in this language (`article 7` ↔ `第七条`, `rule` ↔ `规则` …); by
    /// default each file keeps the language most of its keywords are in.
    #[arg(long, value_enum)]
    keywords: Option<LangArg>,
}

pub fn fmt(args: &FmtArgs) -> u8 {
    let mut files = Vec::new();
    for path in &args.paths {
        if let Err(e) = collect(path, &mut files) {
            eprintln!("error: {e}");
            return USAGE;
        }
    }
    if files.is_empty() {
        let shown: Vec<String> = args.paths.iter().map(|p| display_path(p)).collect();
        eprintln!("error: no `.edict` files in {}", shown.join(", "));
        return USAGE;
    }
    let options = Options {
        keywords: args.keywords.map(Lang::from),
        ..Options::default()
    };
    let mut changed = 0;
    let mut broken = 0;
    for path in &files {
        let shown = display_path(path);
        let text = match std::fs::read(path) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(text) => text,
                Err(e) => {
                    eprintln!(
                        "error: cannot read `{shown}`: it is not UTF-8 text (invalid byte at offset {})",
                        e.utf8_error().valid_up_to()
                    );
                    return USAGE;
                }
            },
            Err(e) => {
                eprintln!("error: cannot read `{shown}`: {}", io_reason(&e));
                return USAGE;
            }
        };
        let formatted = match edict_format::format(&text, &options) {
            Ok(formatted) => formatted,
            Err(FormatError::Syntax(_)) => {
                broken += 1;
                print_syntax_errors(&shown, &text);
                eprintln!("error: `{shown}` has syntax errors; it was not formatted");
                continue;
            }
            Err(FormatError::Internal(reason)) => {
                broken += 1;
                eprintln!("error: `{shown}` was not formatted: {reason} (a bug in edict fmt)");
                continue;
            }
        };
        if formatted == text {
            continue;
        }
        changed += 1;
        if args.check {
            println!("{shown}");
        } else if let Err(e) = std::fs::write(path, formatted) {
            eprintln!("error: cannot write `{shown}`: {}", io_reason(&e));
            return USAGE;
        }
    }
    let files_word = plural(files.len(), "file");
    if args.check {
        if changed > 0 {
            eprintln!(
                "{} of {files_word} would be reformatted (run `edict fmt` on them)",
                plural(changed, "file")
            );
        } else if broken == 0 {
            eprintln!("{files_word} already formatted");
        }
    } else {
        eprintln!(
            "formatted {} of {files_word}, {changed} changed",
            files.len() - broken
        );
    }
    if broken > 0 || (args.check && changed > 0) {
        FAILED
    } else {
        OK
    }
}

/// The syntax errors of a file, rendered as `edict check` renders them.
fn print_syntax_errors(shown: &str, text: &str) {
    let mut ws = Workspace::default();
    let package = ws.load_sources(shown, &[(shown.to_owned(), text.to_owned())]);
    let syntax: Vec<_> = ws
        .diagnostics(&package)
        .iter()
        .filter(|d| d.code == Code::Syntax && d.primary.file.path(ws.db()) == shown)
        .cloned()
        .collect();
    eprint!("{}", render::human(ws.db(), &syntax));
}

/// The `.edict` files a path names: the file itself, or every one below a folder, sorted.
fn collect(path: &Path, out: &mut Vec<PathBuf>) -> Result<(), String> {
    let shown = display_path(path);
    let meta =
        std::fs::metadata(path).map_err(|e| format!("cannot read `{shown}`: {}", io_reason(&e)))?;
    if !meta.is_dir() {
        out.push(path.to_path_buf());
        return Ok(());
    }
    let entries =
        std::fs::read_dir(path).map_err(|e| format!("cannot read `{shown}`: {}", io_reason(&e)))?;
    let mut paths: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    paths.sort();
    for p in paths {
        if p.is_dir() {
            collect(&p, out)?;
        } else if p.extension().is_some_and(|e| e == "edict") {
            out.push(p);
        }
    }
    Ok(())
}

/// An IO error in plain words.
fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or folder".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}
