//! The formatter over every source file of the repository: the policy library is formatted,
//! every file formats to a fixed point, and files with syntax errors are refused.

#![allow(
    clippy::expect_used,
    reason = "a test fails loudly when its files are missing"
)]

use std::path::{Path, PathBuf};

use edict_format::{FormatError, Lang, Options, format};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the crate sits in the repository")
        .to_path_buf()
}

fn edict_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("folder is readable")
        .flatten()
        .map(|e| e.path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            edict_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "edict") {
            out.push(p);
        }
    }
}

fn files_under(folder: &str) -> Vec<(String, String)> {
    let mut paths = Vec::new();
    edict_files(&repo().join(folder), &mut paths);
    assert!(!paths.is_empty(), "no files under {folder}");
    paths
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).expect("file is UTF-8");
            let shown = p.strip_prefix(repo()).unwrap_or(&p).display().to_string();
            (shown, text)
        })
        .collect()
}

#[test]
fn the_policy_library_is_formatted() {
    for (path, text) in files_under("policies") {
        let formatted = format(&text, &Options::default())
            .unwrap_or_else(|e| panic!("{path} does not format: {e:?}"));
        assert!(
            formatted == text,
            "{path} is not formatted: run `edict fmt policies`"
        );
    }
}

#[test]
fn every_file_formats_to_a_fixed_point_in_both_languages() {
    let mut formatted_count = 0;
    for folder in [
        "policies",
        "tests/diagnostics",
        "tests/fixtures",
        "tests/packages",
    ] {
        for (path, text) in files_under(folder) {
            let once = match format(&text, &Options::default()) {
                Ok(once) => once,
                Err(FormatError::Syntax(errors)) => {
                    assert!(!errors.is_empty());
                    continue;
                }
                Err(e) => panic!("{path}: {e:?}"),
            };
            formatted_count += 1;
            let twice = format(&once, &Options::default()).expect("formatted text formats");
            assert_eq!(once, twice, "{path}: a second pass changes the text");
            for lang in [Lang::En, Lang::Zh] {
                let options = Options {
                    keywords: Some(lang),
                    ..Options::default()
                };
                let a = format(&text, &options).expect("formats");
                let b = format(&a, &options).expect("formats again");
                assert_eq!(a, b, "{path} in {lang:?}: a second pass changes the text");
                // Keeping the language of a file written in one language changes nothing.
                assert_eq!(format(&a, &Options::default()).expect("formats"), a);
            }
        }
    }
    assert!(
        formatted_count > 40,
        "only {formatted_count} files formatted"
    );
}

#[test]
fn english_to_chinese_and_back_gives_the_same_text() {
    for (path, text) in files_under("policies") {
        let lang = edict_format::language_of(&text, &edict_grammar::parse(&text).0);
        let other = match lang {
            Lang::En => Lang::Zh,
            Lang::Zh => Lang::En,
        };
        let there = format(
            &text,
            &Options {
                keywords: Some(other),
                ..Options::default()
            },
        )
        .expect("formats");
        assert_ne!(there, text, "{path}: nothing was translated");
        let back = format(
            &there,
            &Options {
                keywords: Some(lang),
                ..Options::default()
            },
        )
        .expect("formats");
        assert_eq!(back, text, "{path}: the round trip changed the text");
    }
}

#[test]
fn a_file_with_syntax_errors_is_refused_with_where_they_are() {
    let source = "article 1 {\n  rule r\n    on x e\n    require e.a == 1\n}\n";
    let Err(FormatError::Syntax(errors)) = format(source, &Options::default()) else {
        panic!("a broken file must be refused");
    };
    assert_eq!(errors[0].message.en, "expected `:`, found `on`");
    assert_eq!(&source[errors[0].span.range()], "on");
}
