//! `edict fmt` as authors and CI use it: check, rewrite, translate keywords, refuse broken files.

#![allow(
    clippy::expect_used,
    reason = "a test fails loudly when its fixtures are missing or broken"
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn edict(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_edict"))
        .args(args)
        .output()
        .expect("the edict binary runs")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("edict-fmt-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch folder");
    dir
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("target folder");
    for entry in std::fs::read_dir(from).expect("source folder").flatten() {
        let path = entry.path();
        let target = to.join(entry.file_name());
        if path.is_dir() {
            copy_dir(&path, &target);
        } else {
            std::fs::copy(&path, &target).expect("copy");
        }
    }
}

fn path(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

#[test]
fn the_library_passes_fmt_check() {
    let out = edict(&["fmt", "--check", "../policies"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    assert_eq!(stdout(&out), "");
    assert!(
        stderr(&out).contains("already formatted"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn check_lists_the_files_that_would_change_and_fmt_rewrites_them() {
    let dir = scratch("rewrite");
    copy_dir(Path::new("../policies"), &dir);
    let minors = dir.join("measures-2025/minors.edict");
    let text = std::fs::read_to_string(&minors).expect("minors");
    let messy = text.replace("    对于 enrollment e\n", "对于   enrollment\n e ");
    std::fs::write(&minors, &messy).expect("write");

    let out = edict(&["fmt", "--check", path(&dir)]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stdout(&out).trim_end(),
        format!("{}/measures-2025/minors.edict", path(&dir))
    );
    assert_eq!(
        std::fs::read_to_string(&minors).expect("minors"),
        messy,
        "--check writes nothing"
    );

    let out = edict(&["fmt", path(&dir)]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(&minors).expect("minors"), text);
    assert_eq!(
        edict(&["fmt", "--check", path(&dir)]).status.code(),
        Some(0)
    );
}

#[test]
fn keywords_zh_rewrites_into_chinese_and_the_package_still_checks() {
    let dir = scratch("zh");
    copy_dir(Path::new("../policies"), &dir);
    let out = edict(&["fmt", "--keywords", "zh", path(&dir)]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let storage = std::fs::read_to_string(dir.join("measures-2025/storage.edict")).expect("file");
    assert!(
        storage.contains("第八条 \"Storage and retention\" {"),
        "{storage}"
    );
    assert!(
        storage.contains("自 e 之后 e.retention_days 日 以内"),
        "{storage}"
    );
    let check = edict(&["check", path(&dir.join("measures-2025"))]);
    assert_eq!(check.status.code(), Some(0), "{}", stderr(&check));

    let out = edict(&["fmt", "--keywords", "en", path(&dir)]);
    assert_eq!(out.status.code(), Some(0));
    let back = std::fs::read_to_string(dir.join("measures-2025/storage.edict")).expect("file");
    let original =
        std::fs::read_to_string("../policies/measures-2025/storage.edict").expect("file");
    assert_eq!(back, original);
}

#[test]
fn a_file_with_syntax_errors_is_left_alone_and_the_error_shown() {
    let dir = scratch("broken");
    let file = dir.join("broken.edict");
    let text = "article 1 {\n  rule needs-colon\n    on enrollment e\n    require e.a == 1\n}\n";
    std::fs::write(&file, text).expect("write");
    let out = edict(&["fmt", path(&file)]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("error[E0001]: expected `:`, found `on`"),
        "{err}"
    );
    assert!(err.contains("broken.edict:3:5"), "{err}");
    assert!(
        err.contains("has syntax errors; it was not formatted"),
        "{err}"
    );
    assert_eq!(std::fs::read_to_string(&file).expect("file"), text);
}

#[test]
fn unreadable_input_is_a_usage_error() {
    let dir = scratch("bytes");
    let file = dir.join("latin1.edict");
    std::fs::write(&file, b"const A = \"caf\xe9\"\n").expect("write");
    let out = edict(&["fmt", path(&file)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("it is not UTF-8 text (invalid byte at offset 14)"),
        "{}",
        stderr(&out)
    );
    let out = edict(&["fmt", "no/such/folder"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("cannot read `no/such/folder`: no such file or folder"));
}
