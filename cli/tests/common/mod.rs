//! Helpers shared by the tests that run the `edict` binary: running it, and the transcript a
//! user sees (the command line, the exit status, standard output and standard error), with the
//! machine's scratch folder replaced by `[SCRATCH]` so that snapshots hold on every machine.
//!
//! The tests run in the `cli/` folder (cargo's working folder for a crate's tests), so fixture
//! paths are written as a user in that folder would type them: `tests/fixtures/lending-rules`.

#![allow(
    dead_code,
    clippy::expect_used,
    reason = "each test file uses some of these; a helper that cannot prepare its files fails the test"
)]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The fixtures: a made-up lending library, its vocabulary and a second regulation.
pub const FIXTURES: &str = "tests/fixtures";
/// The lending library's rules: a package with test cases and example streams.
pub const LENDING: &str = "tests/fixtures/lending-rules";
/// A second regulation over the same vocabulary.
pub const BRANCH: &str = "tests/fixtures/branch-policy";

/// One run of `edict`.
pub struct Run {
    pub args: Vec<String>,
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `edict` with `args` in the `cli/` folder.
pub fn edict(args: &[&str]) -> Run {
    edict_in(Path::new("."), args)
}

/// Runs `edict` with `args` in `dir`.
pub fn edict_in(dir: &Path, args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_edict"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the edict binary runs");
    Run {
        args: args.iter().map(|a| a.to_string()).collect(),
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

impl Run {
    /// What the user sees, with scratch paths replaced.
    pub fn transcript(&self) -> String {
        let command: Vec<String> = self
            .args
            .iter()
            .map(|a| {
                if a.is_empty() || a.contains([' ', '\'', '"']) {
                    format!("'{a}'")
                } else {
                    a.clone()
                }
            })
            .collect();
        let mut text = format!(
            "$ edict {}\nexit status: {}\n",
            command.join(" "),
            self.code
        );
        for (name, stream) in [("stdout", &self.stdout), ("stderr", &self.stderr)] {
            if stream.is_empty() {
                let _ = writeln!(text, "--- {name}: empty");
            } else {
                let _ = write!(text, "--- {name}\n{stream}");
                if !stream.ends_with('\n') {
                    text.push_str("\n(no newline at the end)\n");
                }
            }
        }
        redact(&text)
    }

    /// The last line of standard output.
    pub fn last_line(&self) -> &str {
        self.stdout.lines().last().unwrap_or_default()
    }
}

/// The transcripts of several runs, one after the other, as a terminal would show them.
pub fn transcript(runs: &[&Run]) -> String {
    runs.iter()
        .map(|r| r.transcript())
        .collect::<Vec<_>>()
        .join("\n")
}

/// How the names of this test process's scratch folders start: `edict-cli-PID-` in the
/// temporary folder.
fn scratch_prefix() -> String {
    let folder = std::env::temp_dir().join(format!("edict-cli-{}-", std::process::id()));
    folder.display().to_string()
}

/// The text with this process's scratch folders written as `[SCRATCH]/NAME`.
pub fn redact(text: &str) -> String {
    text.replace(&scratch_prefix(), "[SCRATCH]/")
}

/// A scratch folder for one test, removed when the test ends; it stands for `path`, the folder
/// or file the test works on inside it.
pub struct Scratch {
    root: PathBuf,
    path: PathBuf,
}

impl std::ops::Deref for Scratch {
    type Target = Path;

    fn deref(&self) -> &Path {
        &self.path
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

/// A fresh, empty scratch folder for one test: `[SCRATCH]/NAME` in transcripts.
pub fn scratch(name: &str) -> Scratch {
    let root = fresh(name);
    Scratch {
        path: root.clone(),
        root,
    }
}

/// A copy of the fixtures in a fresh scratch folder, as `[SCRATCH]/NAME/fixtures`; stands for
/// the copy of the lending rules.
pub fn fixture_copy(name: &str) -> Scratch {
    let root = fresh(name);
    copy_dir(Path::new(FIXTURES), &root.join("fixtures"));
    Scratch {
        path: root.join("fixtures/lending-rules"),
        root,
    }
}

fn fresh(name: &str) -> PathBuf {
    let root = PathBuf::from(format!("{}{name}", scratch_prefix()));
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(&root).expect("scratch folder");
    root
}

pub fn copy_dir(from: &Path, to: &Path) {
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

/// Replaces the first `from` in a file with `to`; the file must contain `from`.
pub fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).expect("the file to edit");
    assert!(text.contains(from), "{} contains {from:?}", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).expect("write the edit");
}

/// A path as an argument.
pub fn arg(path: &Path) -> &str {
    path.to_str().expect("a UTF-8 path")
}

/// The real 2025 Measures, for the tests whose point is a behaviour of the binary (a signed
/// bundle, a resumed run, a server) on the real library rather than the text it prints.
pub const MEASURES: &str = "../policies/measures-2025";

/// The exit status of a run.
pub fn code(run: &Run) -> i32 {
    run.code
}

/// The standard output of a run.
pub fn stdout(run: &Run) -> String {
    run.stdout.clone()
}

/// The standard error of a run.
pub fn stderr(run: &Run) -> String {
    run.stderr.clone()
}
