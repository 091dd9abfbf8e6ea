//! Target `test_case`: any text as a policy test file, read and, when it reads, resolved
//! against the 2025 Measures and run.

use edict_compiler::testcase::{self, compare, run_case};

use crate::{check, library};

/// Reads the bytes as a test file: every error names a line of the file and reads well; a file
/// that reads is resolved against the Measures' rules, and its cases run.
pub fn test_case(data: &[u8]) {
    let Some(text) = check::text(data) else {
        return;
    };
    let lines = text.lines().count().max(1);
    let mut file = match testcase::parse("input.test", text) {
        Ok(file) => file,
        Err(errors) => {
            assert!(!errors.is_empty(), "a test file refused without a reason");
            for error in errors {
                assert!(
                    (1..=lines).contains(&error.line),
                    "an error on line {} of a file of {lines} lines",
                    error.line
                );
                check::message(&error.message, "test file error");
            }
            return;
        }
    };
    let program = library::measures();
    let ids: Vec<String> = program.rules.iter().map(|r| r.id.to_string()).collect();
    let rules: Vec<&str> = ids.iter().map(String::as_str).collect();
    let errors = testcase::resolve(&mut file, &program.regulation.id, &rules);
    for error in &errors {
        check::message(&error.message, "test file error");
    }
    if !errors.is_empty() {
        return;
    }
    for case in &file.cases {
        match run_case(&program, case) {
            Ok(run) => {
                let _ = compare(&file, case, &run.findings);
            }
            Err(error) => panic!("the Measures do not load: {error}"),
        }
    }
}
