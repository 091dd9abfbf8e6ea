//! The help texts: every argument of every command is described, each `--format` says what
//! its command prints, and each command lists its exit statuses.

#![allow(
    clippy::expect_used,
    reason = "a test fails loudly when its fixtures are missing or broken"
)]

mod common;

use common::*;

const COMMANDS: [&str; 7] = [
    "check", "build", "test", "coverage", "deadline", "run", "report",
];

#[test]
fn every_argument_of_every_command_is_described() {
    for command in COMMANDS {
        let run = edict(&[command, "--help"]);
        assert_eq!(run.code, 0, "{}", run.transcript());
        let lines: Vec<&str> = run.stdout.lines().collect();
        let mut in_list = false;
        for (i, line) in lines.iter().enumerate() {
            if *line == "Arguments:" || *line == "Options:" {
                in_list = true;
                continue;
            }
            if line.is_empty() || !line.starts_with("  ") {
                in_list = in_list && line.is_empty();
                continue;
            }
            // In the long help, an argument stands alone on its line, its text below it.
            let is_argument = in_list
                && !line.starts_with("          ")
                && line.trim_start().starts_with(['-', '[', '<']);
            if is_argument {
                let text = lines.get(i + 1).copied().unwrap_or_default();
                assert!(
                    text.starts_with("          ") && text.trim().len() > 10,
                    "`edict {command}`: `{}` has no description\n{}",
                    line.trim(),
                    run.stdout
                );
            }
        }
        assert!(
            run.stdout.contains("Exit status:"),
            "`edict {command} --help` lists the exit statuses"
        );
    }
}

#[test]
fn help_of_every_command() {
    let mut runs = vec![edict(&["--help"])];
    runs.extend(COMMANDS.iter().map(|c| edict(&[c, "--help"])));
    for run in &runs {
        assert_eq!(run.code, 0, "{}", run.transcript());
    }
    insta::assert_snapshot!(transcript(&runs.iter().collect::<Vec<_>>()));
}

#[test]
fn deadline_without_a_period_names_both_options() {
    let run = edict(&["deadline", "--from", "2025-09-26"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("--working-days") && run.stderr.contains("--days"),
        "{}",
        run.transcript()
    );
    insta::assert_snapshot!(run.transcript());
}

#[test]
fn a_vocabulary_folder_is_not_counted_as_a_package() {
    let run = edict(&["check", FIXTURES]);
    assert_eq!(run.code, 0);
    assert_eq!(
        run.stderr.lines().last(),
        Some("checked 3 packages and 1 vocabulary folder: 0 errors, 0 warnings"),
        "{}",
        run.transcript()
    );
}
