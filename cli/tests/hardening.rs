//! The `edict` command on hostile input: files that are not files, not UTF-8 or endless, test
//! files with control characters, and the exit statuses and output streams of `docs/cli.md`.
//! Each case was found by a fuzzing campaign (`docs/fuzzing.md`) and is kept here.

#![allow(
    clippy::expect_used,
    reason = "a test fails loudly when its fixtures are missing or broken"
)]

mod common;

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use common::{Run, Scratch, scratch};

fn edict(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_edict"))
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("edict runs")
}

/// What the user sees of a run: the command, its exit status and both streams, with the
/// scratch folder written as `[SCRATCH]`.
fn transcript(args: &[&str], out: &Output) -> String {
    Run {
        args: args.iter().map(|a| (*a).to_owned()).collect(),
        code: code(out),
        stdout: stdout(out),
        stderr: stderr(out),
    }
    .transcript()
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

/// A package of one policy file over the toy vocabulary, in a fresh scratch folder
/// (`[SCRATCH]/NAME` in transcripts); the header names `outline` and `vocabulary`.
fn package(name: &str, outline: &str, vocabulary: &str) -> Scratch {
    let dir = scratch(name);
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
    let args = ["check", path(&dir)];
    let out = edict_within(&args, Duration::from_secs(60));
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    // Shows error[E0110]: cannot read the vocabulary file `/dev/zero`: it is not a regular file.
    insta::assert_snapshot!(transcript(&args, &out));
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
    let args = ["check", path(&dir)];
    let out = edict_within(&args, Duration::from_secs(60));
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    // Shows: cannot read the outline `pipe.txt`: it is not a regular file.
    insta::assert_snapshot!(transcript(&args, &out));
}

#[test]
fn an_outline_that_is_not_utf8_says_so_and_where() {
    // Was reported as "cannot read … paths are relative to …"; now as not UTF-8 text, with the
    // line and column of the invalid byte and the help to name a regular file of UTF-8 text.
    let dir = package("latin1", "latin1.txt", "toy.edict");
    std::fs::write(dir.join("latin1.txt"), b"\xb5\xda\xd2\xbb\xcc\xf5\n").expect("outline");
    let args = ["check", path(&dir)];
    let out = edict(&args);
    assert_eq!(code(&out), 1);
    insta::assert_snapshot!(transcript(&args, &out));
}

#[test]
fn with_format_json_a_policy_that_is_not_utf8_is_a_json_error_on_stdout() {
    let dir = package("json-utf8", "toy.outline.txt", "toy.edict");
    std::fs::write(dir.join("bad.edict"), b"article 1 {\xff}\n").expect("policy");
    let bad = dir.join("bad.edict");
    let args = ["check", path(&bad), "--format", "json"];
    let out = edict(&args);
    assert_eq!(code(&out), 2);
    let line: serde_json::Value =
        serde_json::from_str(stdout(&out).trim()).expect("one JSON object on stdout");
    assert_eq!(line["severity"], "error");
    assert_eq!(line["code"], serde_json::Value::Null);
    // The message ends "it is not UTF-8 text (an invalid byte on line 1, column 12)".
    insta::assert_snapshot!(transcript(&args, &out));
}

#[test]
fn with_format_json_test_file_errors_are_json_on_stdout_and_exit_2() {
    let dir = package("json-test", "toy.outline.txt", "toy.edict");
    std::fs::write(
        dir.join("tests/bad.test"),
        "case one\n{\"type\":\"enrollment\"}\nexpect no\u{0} findings\n",
    )
    .expect("test file");
    let json_args = ["test", path(&dir), "--format", "json"];
    let json = edict(&json_args);
    assert_eq!(code(&json), 2, "{}", stderr(&json));
    let line: serde_json::Value =
        serde_json::from_str(stdout(&json).trim()).expect("one JSON object on stdout");
    assert_eq!(line["line"], 3);
    // In words, the NUL byte is shown (`no␀` is not a kind of finding), never printed raw. A raw
    // NUL would not be seen when a snapshot is reviewed, so it is looked for here.
    let args = ["test", path(&dir)];
    let out = edict(&args);
    assert_eq!(code(&out), 2);
    let text = stderr(&out);
    assert!(!text.contains('\u{0}'), "{text:?}");
    insta::assert_snapshot!(format!(
        "{}\n{}",
        transcript(&json_args, &json),
        transcript(&args, &out)
    ));
}

#[test]
fn a_nul_byte_in_a_policy_is_never_printed_raw() {
    let dir = package("nul", "toy.outline.txt", "toy.edict");
    std::fs::write(dir.join("p.edict"), "article 1 {\u{0}}\n").expect("policy");
    for format in ["human", "json"] {
        let out = edict(&["check", path(&dir), "--format", format]);
        assert_eq!(code(&out), 1);
        // The absence of a byte that a reviewer of a snapshot could not see.
        assert!(!out.stdout.contains(&0), "{format}: {:?}", stdout(&out));
        assert!(!out.stderr.contains(&0), "{format}: {:?}", stderr(&out));
    }
}

#[test]
fn a_folder_named_like_a_test_file_is_an_error_not_skipped() {
    let dir = package("dir-test", "toy.outline.txt", "toy.edict");
    std::fs::create_dir_all(dir.join("tests/cases.test")).expect("folder");
    let args = ["test", path(&dir)];
    let out = edict(&args);
    assert_eq!(code(&out), 2);
    // Shows: `…/cases.test` is not a file: a test file is a regular file named `*.test`.
    insta::assert_snapshot!(transcript(&args, &out));
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
    let coverage_args = ["coverage", path(&dir)];
    let coverage = edict(&coverage_args);
    assert_eq!(code(&coverage), 0, "{}", stderr(&coverage));
    // 2: a path that does not exist; no regulation package.
    assert_eq!(code(&edict(&["coverage", "no/such/folder"])), 2);
    assert_eq!(code(&edict(&["test", "no/such/folder"])), 2);
    assert_eq!(code(&edict(&["coverage", path(&dir.join("toy.edict"))])), 2);
    // 1: the policy has errors (and its diagnostics are JSON on stdout with --format json, each
    // with its `"code":"E0…"`).
    let policy = std::fs::read_to_string(dir.join("p.edict")).expect("policy");
    std::fs::write(dir.join("p.edict"), policy.replace("e.basis", "e.bases")).expect("policy");
    let errors_args = ["coverage", path(&dir), "--format", "json"];
    let errors = edict(&errors_args);
    assert_eq!(code(&errors), 1);
    std::fs::write(dir.join("tests/b.test"), &failing).expect("test file");
    assert_eq!(code(&edict(&["test", path(&dir)])), 1);
    // Named, as insta would drop the `test_` of the test's name.
    insta::assert_snapshot!(
        "test_and_coverage_exit_as_documented",
        format!(
            "{}\n{}",
            transcript(&coverage_args, &coverage),
            transcript(&errors_args, &errors)
        )
    );
}
