//! Every diagnostic code, triggered by a fixture in `tests/diagnostics/`, rendered as a user
//! sees it in English and in Chinese; and the catalogue in `docs/diagnostics.md`, generated from
//! the same fixtures.

#![allow(
    clippy::expect_used,
    reason = "a test fails loudly when its fixtures are missing or broken"
)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use edict_compiler::render::Language;
use edict_compiler::{Code, Lang, Workspace, render};

/// A fixture's path relative to this crate, so rendered file names do not depend on the machine.
fn relative(path: &Path) -> PathBuf {
    path.strip_prefix(env!("CARGO_MANIFEST_DIR"))
        .unwrap_or(path)
        .to_path_buf()
}

/// A fixture's diagnostics, rendered.
struct Checked {
    source: String,
    /// In the language of the fixture's keywords, as `edict check` shows them.
    own: String,
    english: String,
    chinese: String,
    codes: Vec<Code>,
}

/// Checks a fixture as a package of one file.
fn check(path: &Path) -> Checked {
    let path = relative(path);
    let source = std::fs::read_to_string(&path).expect("fixture is readable");
    let mut ws = Workspace::default();
    let packages = ws.load(std::slice::from_ref(&path)).expect("fixture loads");
    let mut diagnostics = ws.diagnostics(&packages[0]).to_vec();
    // What stands in the way of a partitioned run is reported only when building for one.
    if named_code(&path) == Code::NotPartitionable.as_str() {
        diagnostics.extend(ws.partition_diagnostics(&packages[0]).iter().cloned());
    }
    Checked {
        source,
        own: render::human(ws.db(), &diagnostics),
        english: render::human_in(ws.db(), &diagnostics, Language::Fixed(Lang::En)),
        chinese: render::human_in(ws.db(), &diagnostics, Language::Fixed(Lang::Zh)),
        codes: diagnostics.iter().map(|d| d.code).collect(),
    }
}

fn fixtures() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("diagnostics");
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("fixture folder exists")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "edict"))
        .collect();
    found.sort();
    found
}

/// The code a fixture is named for: `E0301-unknown-field.edict` → `E0301`.
fn named_code(path: &Path) -> &str {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    name.split('-').next().unwrap_or_default()
}

#[test]
fn rendered_diagnostics() {
    insta::glob!("../diagnostics", "*.edict", |path| {
        let c = check(path);
        assert!(
            c.own == c.english || c.own == c.chinese,
            "edict check shows one of the two languages"
        );
        insta::assert_snapshot!(format!(
            "----- SOURCE\n{}\n----- DIAGNOSTICS\n{}\n----- 诊断（中文）\n{}",
            c.source, c.english, c.chinese
        ));
    });
}

#[test]
fn each_fixture_triggers_the_code_it_is_named_for() {
    for path in fixtures() {
        let c = check(&path);
        let want = named_code(&path);
        assert!(
            c.codes.iter().any(|code| code.as_str() == want),
            "{} should report {want}, got:\n{}",
            path.display(),
            c.english
        );
    }
}

#[test]
fn every_code_has_a_fixture() {
    let named: BTreeSet<String> = fixtures()
        .iter()
        .map(|p| named_code(p).to_string())
        .collect();
    let missing: Vec<&str> = Code::ALL
        .iter()
        .map(|c| c.as_str())
        .filter(|c| !named.contains(*c))
        .collect();
    assert!(missing.is_empty(), "codes without a fixture: {missing:?}");
}

/// `docs/diagnostics.md` is generated from the fixtures; run with `EDICT_BLESS=1` to rewrite it.
#[test]
fn catalogue_is_up_to_date() {
    let mut doc = String::from(
        "# Diagnostics\n\n\
         Every diagnostic the compiler reports has a stable code.\n\
         Codes starting with `E` are errors (`edict check` exits 1); codes starting with `W` are warnings.\n\
         Each entry shows small policies that trigger it and what `edict check` prints, in English and\n\
         in Chinese: `edict check` speaks the language of the keywords of the file a diagnostic points\n\
         into (a file written with `规则`, `应当` … gets Chinese), and `--lang en` or `--lang zh` chooses\n\
         one for every diagnostic.\n\
         The fixtures are in `tests/diagnostics/`; this file is generated from them by\n\
         `EDICT_BLESS=1 cargo test -p edict-tests --test diagnostics`.\n\n\
         每个诊断都有固定的代码，并附有触发它的示例以及`edict check`输出的英文和中文两种形式。\n\
         `edict check`使用诊断所在文件的关键字语言；`--lang en`或`--lang zh`可以统一指定语言。\n",
    );
    for code in Code::ALL {
        let paths: Vec<PathBuf> = fixtures()
            .into_iter()
            .filter(|p| named_code(p) == code.as_str())
            .collect();
        if paths.is_empty() {
            continue;
        }
        doc.push_str(&format!(
            "\n## {} — {}\n\n{}\n",
            code.as_str(),
            code.summary_in(Lang::En),
            code.summary_in(Lang::Zh)
        ));
        for path in paths {
            let c = check(&path);
            doc.push_str(&format!(
                "\n```\n{}```\n\n```text\n{}```\n\n```text\n{}```\n",
                c.source, c.english, c.chinese
            ));
        }
    }
    let target = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/diagnostics.md");
    if std::env::var_os("EDICT_BLESS").is_some() {
        std::fs::write(&target, &doc).expect("docs/diagnostics.md is writable");
    }
    let current = std::fs::read_to_string(&target).unwrap_or_default();
    assert!(
        current == doc,
        "docs/diagnostics.md is out of date: run `EDICT_BLESS=1 cargo test -p edict-tests --test diagnostics`"
    );
}
