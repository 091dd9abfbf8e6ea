//! The `edict-gen` command: a stream to standard output and a summary to standard error; a
//! closed pipe ends it quietly, a full disk is an error.

#![expect(
    clippy::expect_used,
    reason = "a test fails loudly when it cannot run the command"
)]

use std::process::{Command, Stdio};

use edict_generator::{Config, generate};

fn edict_gen(args: &[&str], stdout: impl Into<Stdio>) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_edict-gen"))
        .args(args)
        .stdout(stdout)
        .output()
        .expect("edict-gen runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn the_stream_is_the_library_s_and_the_summary_counts_it() {
    let out = Command::new(env!("CARGO_BIN_EXE_edict-gen"))
        .args(["--events", "2_000", "--seed", "4", "--processors", "3"])
        .output()
        .expect("edict-gen runs");
    assert_eq!(out.status.code(), Some(0));
    let expected = generate(Config {
        events: 2_000,
        seed: 4,
        processors: 3,
        ..Config::default()
    });
    assert_eq!(String::from_utf8_lossy(&out.stdout), expected);
    let summary = String::from_utf8_lossy(&out.stderr);
    assert!(
        summary.starts_with(&format!("2000 events, {} bytes; ", expected.len())),
        "{summary}"
    );
}

#[test]
fn a_closed_pipe_ends_the_stream_quietly() {
    let (reader, writer) = std::io::pipe().expect("a pipe");
    drop(reader);
    let (code, stderr) = edict_gen(&["--events", "100_000"], writer);
    assert_eq!((code, stderr.as_str()), (0, ""));
}

#[test]
fn a_full_disk_is_an_error() {
    let Ok(full) = std::fs::OpenOptions::new().write(true).open("/dev/full") else {
        eprintln!("skipped: this system has no /dev/full to stand for a full disk");
        return;
    };
    let (code, stderr) = edict_gen(&["--events", "1_000"], full);
    assert_eq!(code, 2);
    assert!(
        stderr.starts_with("error: cannot write the stream: "),
        "{stderr}"
    );
}

#[test]
fn bad_arguments_are_usage_errors() {
    let (code, stderr) = edict_gen(&["--violation-rate", "2"], Stdio::null());
    assert_eq!(code, 2);
    assert_eq!(stderr, "error: --violation-rate must be between 0 and 1\n");
}
