//! The `edict` command on hostile input: files that are not files, not UTF-8 or endless, test
//! files with control characters, and the exit statuses and output streams of `docs/cli.md`.
//! Each case was found by a fuzzing campaign (`docs/fuzzing.md`) and is kept here.

#![allow(
    clippy::expect_used,
    reason = "a test fails loudly when its fixtures are missing or broken"
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

fn edict(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_edict"))
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("edict runs")
}

fn code(out: &Output) -> i32 {
    out.status.code().unwrap_or(-1)
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

const RULE: &str = "article 1 {\n  rule r:\n    on enrollment e\n    require e.basis == consent\n    message \"m\"\n}\n";

/// A package of one policy file over the toy vocabulary, in a fresh scratch folder; the header
/// names `outline` and `vocabulary`.
fn package(name: &str, outline: &str, vocabulary: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("edict-hardening-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("tests")).expect("scratch folder");
    for file in ["toy.edict", "toy.outline.txt"] {
        std::fs::copy(
            Path::new("../tests/diagnostics/_common").join(file),
            dir.join(file),
        )
        .expect("copy the toy vocabulary");
    }
    let header = format!(
        "regulation toy {{\n  title \"t\"\n  effective 2025-06-01\n  timezone \"Asia/Shanghai\"\n  outline \"{outline}\"\n  use vocabulary toy from \"{vocabulary}\"\n}}\n"
    );
    std::fs::write(dir.join("p.edict"), format!("{header}{RULE}")).expect("policy");
    dir
}

fn path(p: &Path) -> &str {
    p.to_str().expect("a UTF-8 path")
}

/// Runs edict with a deadline: reading a FIFO used to block forever.
fn edict_within(args: &[&str], limit: Duration) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_edict"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("edict runs");
    let start = std::time::Instant::now();
    while child.try_wait().expect("wait").is_none() {
        if start.elapsed() > limit {
            let _ = child.kill();
            panic!("edict {args:?} did not finish within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().expect("output")
}

#[test]
fn a_vocabulary_naming_dev_zero_is_refused_at_once() {
    // Memory grew without bound while /dev/zero was read to its end.
    let dir = package("dev-zero", "toy.outline.txt", "/dev/zero");
    let out = edict_within(&["check", path(&dir)], Duration::from_secs(60));
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(
        stdout(&out).contains(
            "error[E0110]: cannot read the vocabulary file `/dev/zero`: it is not a regular file (a device, pipe or socket)"
        ),
        "{}",
        stdout(&out)
    );
}

#[test]
fn an_outline_that_is_a_fifo_is_refused_without_blocking() {
    let dir = package("fifo", "pipe.txt", "toy.edict");
    let made = Command::new("mkfifo")
        .arg(dir.join("pipe.txt"))
        .status()
        .is_ok_and(|s| s.success());
    if !made {
        eprintln!("skipped: `mkfifo` is not available here");
        return;
    }
    let out = edict_within(&["check", path(&dir)], Duration::from_secs(60));
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(
        stdout(&out).contains("cannot read the outline `pipe.txt`: it is not a regular file"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn an_outline_that_is_not_utf8_says_so_and_where() {
    // Reported as "cannot read … paths are relative to …".
    let dir = package("latin1", "latin1.txt", "toy.edict");
    std::fs::write(dir.join("latin1.txt"), b"\xb5\xda\xd2\xbb\xcc\xf5\n").expect("outline");
    let out = edict(&["check", path(&dir)]);
    assert_eq!(code(&out), 1);
    let text = stdout(&out);
    assert!(
        text.contains(
            "cannot read the outline `latin1.txt`: it is not UTF-8 text (an invalid byte on line 1, column 1)"
        ),
        "{text}"
    );
    assert!(
        text.contains("help: name a regular file of UTF-8 text"),
        "{text}"
    );
    assert!(!text.contains("paths are relative"), "{text}");
}

#[test]
fn with_format_json_a_policy_that_is_not_utf8_is_a_json_error_on_stdout() {
    let dir = package("json-utf8", "toy.outline.txt", "toy.edict");
    std::fs::write(dir.join("bad.edict"), b"article 1 {\xff}\n").expect("policy");
    let out = edict(&["check", path(&dir.join("bad.edict")), "--format", "json"]);
    assert_eq!(code(&out), 2);
    let line: serde_json::Value =
        serde_json::from_str(stdout(&out).trim()).expect("one JSON object on stdout");
    assert_eq!(line["severity"], "error");
    assert_eq!(line["code"], serde_json::Value::Null);
    assert!(
        line["message"].as_str().is_some_and(
            |m| m.ends_with("it is not UTF-8 text (an invalid byte on line 1, column 12)")
        ),
        "{line}"
    );
}

#[test]
fn with_format_json_test_file_errors_are_json_on_stdout_and_exit_2() {
    let dir = package("json-test", "toy.outline.txt", "toy.edict");
    std::fs::write(
        dir.join("tests/bad.test"),
        "case one\n{\"type\":\"enrollment\"}\nexpect no\u{0} findings\n",
    )
    .expect("test file");
    let out = edict(&["test", path(&dir), "--format", "json"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    let line: serde_json::Value =
        serde_json::from_str(stdout(&out).trim()).expect("one JSON object on stdout");
    assert_eq!(line["line"], 3);
    assert!(
        line["file"]
            .as_str()
            .is_some_and(|f| f.ends_with("tests/bad.test"))
    );
    // In words, the NUL byte is shown, never printed raw.
    let out = edict(&["test", path(&dir)]);
    assert_eq!(code(&out), 2);
    let text = stderr(&out);
    assert!(!text.contains('\u{0}'), "{text:?}");
    assert!(text.contains("`no␀` is not a kind of finding"), "{text}");
}

#[test]
fn a_nul_byte_in_a_policy_is_never_printed_raw() {
    let dir = package("nul", "toy.outline.txt", "toy.edict");
    std::fs::write(dir.join("p.edict"), "article 1 {\u{0}}\n").expect("policy");
    for format in ["human", "json"] {
        let out = edict(&["check", path(&dir), "--format", format]);
        assert_eq!(code(&out), 1);
        assert!(!out.stdout.contains(&0), "{format}: {:?}", stdout(&out));
        assert!(!out.stderr.contains(&0), "{format}: {:?}", stderr(&out));
    }
}

#[test]
fn a_folder_named_like_a_test_file_is_an_error_not_skipped() {
    let dir = package("dir-test", "toy.outline.txt", "toy.edict");
    std::fs::create_dir_all(dir.join("tests/cases.test")).expect("folder");
    let out = edict(&["test", path(&dir)]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out)
            .contains("cases.test` is not a file: a test file is a regular file named `*.test`"),
        "{}",
        stderr(&out)
    );
}

/// The exit statuses of `edict test` and `edict coverage`, row by row as `docs/cli.md` gives
/// them.
#[test]
fn test_and_coverage_exit_as_documented() {
    let dir = package("statuses", "toy.outline.txt", "toy.edict");
    let passing = "case law\n{\"type\":\"enrollment\",\"time\":\"2025-07-01T00:00:00+08:00\",\"processor\":\"p\",\"subject\":\"s\",\"storage\":\"device\",\"basis\":\"consent\",\"purpose\":\"x\",\"retention_days\":1}\nexpect no findings\n";
    let failing = passing
        .replace("\"consent\"", "\"law\"")
        .replace("case law", "case consent");
    let failing = failing.replace("expect no findings", "expect violation toy/art1/r line 1");
    // 1: a rule lacks a failing case.
    std::fs::write(dir.join("tests/a.test"), passing).expect("test file");
    assert_eq!(code(&edict(&["test", path(&dir)])), 1);
    // 0: every case passes and the rule has a failing and a passing case.
    std::fs::write(dir.join("tests/b.test"), &failing).expect("test file");
    let out = edict(&["test", path(&dir)]);
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
    // 1: a case fails.
    std::fs::write(
        dir.join("tests/b.test"),
        failing.replace("expect violation toy/art1/r line 1", "expect no findings"),
    )
    .expect("test file");
    assert_eq!(code(&edict(&["test", path(&dir)])), 1);
    // 2: an error in a test file.
    std::fs::write(dir.join("tests/b.test"), "expect\n").expect("test file");
    assert_eq!(code(&edict(&["test", path(&dir)])), 2);
    // 0: coverage shown, a clause MISSING among them.
    let out = edict(&["coverage", path(&dir)]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stdout(&out).contains("MISSING"), "{}", stdout(&out));
    // 2: a path that does not exist; no regulation package.
    assert_eq!(code(&edict(&["coverage", "no/such/folder"])), 2);
    assert_eq!(code(&edict(&["test", "no/such/folder"])), 2);
    assert_eq!(code(&edict(&["coverage", path(&dir.join("toy.edict"))])), 2);
    // 1: the policy has errors (and its diagnostics are JSON on stdout with --format json).
    let policy = std::fs::read_to_string(dir.join("p.edict")).expect("policy");
    std::fs::write(dir.join("p.edict"), policy.replace("e.basis", "e.bases")).expect("policy");
    let out = edict(&["coverage", path(&dir), "--format", "json"]);
    assert_eq!(code(&out), 1);
    assert!(stdout(&out).contains(r#""code":"E0"#), "{}", stdout(&out));
    std::fs::write(dir.join("tests/b.test"), &failing).expect("test file");
    assert_eq!(code(&edict(&["test", path(&dir)])), 1);
}
