//! `edict test`: runs the policy test cases that live beside the policies.
//!
//! A path names a package (every `tests/*.test` file in it is run, then the coverage of its
//! rules is checked), a folder holding packages (searched recursively; a package without a
//! `tests/` folder is noted and skipped), a package's `tests/` folder, or one test file (run
//! without the coverage check).
//! The format of test files is documented in `docs/testing.md`; reading, running and comparing
//! cases is the library's [`edict_compiler::testcase`] module, and this one does the IO and the
//! printing.
//!
//! Exit status: 0 every case passed and every rule is covered, 1 a case failed, a rule lacks a
//! case or a policy does not compile, 2 a usage or IO error or an error in a test file.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use edict_compiler::testcase::{
    self, Case, CaseRun, Comparison, Coverage, Row, RowStatus, Scope, TestFile, TestFileError,
    kind_name,
};
use edict_compiler::{display_path, read_text};
use edict_runtime::ir::Program;

use crate::compile::{
    FAILED, OK, USAGE, compile, plural, print_diagnostics, report_error, report_error_at, tally,
};
use crate::output::Output;
use crate::{Format, TestFormat};

mod json;
mod junit;

use json::{CoverageJson, ElsewhereJson, SummaryJson, case_json, to_json};

/// A package to test and the test files to run from it.
struct Target {
    dir: PathBuf,
    /// The package folder, as shown.
    shown: String,
    files: Vec<PathBuf>,
    /// Whether the whole package is tested (so its coverage is checked).
    whole: bool,
}

/// A package's parsed test files and, once compiled, its program.
struct Package {
    target: Target,
    files: Vec<TestFile>,
    program: Option<Arc<Program>>,
}

/// One case's outcome.
struct Outcome {
    package: usize,
    file: usize,
    case: usize,
    run: CaseRun,
    comparison: Comparison,
}

/// Runs the cases the paths name and gives the exit status.
pub fn run(paths: &[PathBuf], format: TestFormat) -> u8 {
    let targets = match discover(paths) {
        Ok(t) => t,
        Err(message) => {
            report_error(format.plain(), None, &message);
            return USAGE;
        }
    };

    // Read every test file before compiling anything: a broken test file is the user's to fix
    // first, and it is reported at its line.
    let mut errors: Vec<TestFileError> = Vec::new();
    let mut packages: Vec<Package> = Vec::new();
    for target in targets {
        let mut files = Vec::new();
        for path in &target.files {
            let shown = display_path(path);
            let text = match read_text(path) {
                Ok(text) => text,
                Err(reason) => {
                    report_error(
                        format.plain(),
                        Some(&shown),
                        &format!("cannot read `{shown}`: {reason}"),
                    );
                    return USAGE;
                }
            };
            match testcase::parse(&shown, &text) {
                Ok(file) => files.push(file),
                Err(e) => errors.extend(e),
            }
        }
        packages.push(Package {
            target,
            files,
            program: None,
        });
    }
    if !errors.is_empty() {
        return report_file_errors(&errors, format.plain());
    }

    let mut failed_to_compile = false;
    for package in &mut packages {
        match compile_package(&package.target, format) {
            Ok(program) => package.program = Some(program),
            Err(code) if code == USAGE => return USAGE,
            Err(_) => failed_to_compile = true,
        }
    }
    if failed_to_compile {
        return FAILED;
    }

    for package in &mut packages {
        let Some(program) = &package.program else {
            continue;
        };
        let ids: Vec<String> = program.rules.iter().map(|r| r.id.to_string()).collect();
        let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
        for file in &mut package.files {
            errors.extend(testcase::resolve(file, &program.regulation.id, &ids));
        }
    }
    if !errors.is_empty() {
        return report_file_errors(&errors, format.plain());
    }

    run_all(&packages, format)
}

/// Reports errors in test files (as JSON on standard output with `--format json`); no case
/// runs, and the status is the usage status.
fn report_file_errors(errors: &[TestFileError], format: Format) -> u8 {
    for e in errors {
        report_error_at(format, Some(&e.path), Some(e.line), &e.message);
    }
    eprintln!(
        "error: {} in test files; no case was run",
        plural(errors.len(), "error")
    );
    USAGE
}

/// Runs every case of every package, prints the results and the coverage, and gives the exit
/// status.
fn run_all(packages: &[Package], format: TestFormat) -> u8 {
    let mut out = Output::new(std::io::stdout().lock());
    let mut outcomes: Vec<Outcome> = Vec::new();
    let mut report = junit::Report::default();
    for (p, package) in packages.iter().enumerate() {
        let Some(program) = &package.program else {
            continue;
        };
        if let TestFormat::Human = format {
            let cases: usize = package.files.iter().map(|f| f.cases.len()).sum();
            writeln!(
                out,
                "{}running {} in {}",
                if p == 0 { "" } else { "\n" },
                plural(cases, "case"),
                package.target.shown
            );
        }
        for (f, file) in package.files.iter().enumerate() {
            for (c, case) in file.cases.iter().enumerate() {
                let run = match testcase::run_case(program, case) {
                    Ok(run) => run,
                    Err(e) => {
                        out.flush();
                        eprintln!(
                            "error: the policy `{}` cannot be run: {e}",
                            package.target.shown
                        );
                        return out.finish(FAILED);
                    }
                };
                let comparison = testcase::compare(file, case, &run.findings);
                let outcome = Outcome {
                    package: p,
                    file: f,
                    case: c,
                    run,
                    comparison,
                };
                match format {
                    TestFormat::Human => {
                        let verdict = if outcome.comparison.passed() {
                            "ok"
                        } else {
                            "FAILED"
                        };
                        writeln!(
                            out,
                            "case {}: {} ... {verdict}",
                            short_name(&file.path),
                            case.name
                        );
                    }
                    TestFormat::Json => {
                        writeln!(out, "{}", case_json(file, case, &outcome));
                    }
                    TestFormat::Junit => {
                        let failure = (!outcome.comparison.passed())
                            .then(|| describe_failure(file, case, &outcome.comparison));
                        report.case(&package.target.shown, file, case, failure);
                    }
                }
                outcomes.push(outcome);
            }
        }
    }

    let failed: Vec<&Outcome> = outcomes.iter().filter(|o| !o.comparison.passed()).collect();
    let passed = outcomes.len() - failed.len();
    if let TestFormat::Human = format
        && !failed.is_empty()
    {
        writeln!(out, "\nfailures:");
        for o in &failed {
            let file = &packages[o.package].files[o.file];
            let case = &file.cases[o.case];
            write!(out, "\n{}", describe_failure(file, case, &o.comparison));
        }
    }

    let mut uncovered = 0;
    let mut coverage_json = Vec::new();
    for (p, package) in packages.iter().enumerate() {
        let Some(program) = &package.program else {
            continue;
        };
        if !package.target.whole {
            if let TestFormat::Human = format {
                writeln!(
                    out,
                    "\ncoverage of {} not checked: only some of its test files were run",
                    package.target.shown
                );
            }
            continue;
        }
        let files: Vec<&TestFile> = package.files.iter().collect();
        let runs: Vec<(&TestFile, &Case, &CaseRun)> = outcomes
            .iter()
            .filter(|o| o.package == p)
            .map(|o| {
                let file = &package.files[o.file];
                (file, &file.cases[o.case], &o.run)
            })
            .collect();
        let coverage = testcase::coverage(&testcase::rule_infos(program), &files, &runs);
        uncovered += coverage.uncovered();
        match format {
            TestFormat::Human => {
                write!(out, "\n{}", describe_coverage(&package.target, &coverage));
            }
            TestFormat::Junit => {
                let failure = (coverage.uncovered() > 0)
                    .then(|| describe_coverage(&package.target, &coverage));
                report.coverage(&package.target.shown, failure);
            }
            TestFormat::Json => coverage_json.push(CoverageJson {
                package: package.target.shown.clone(),
                regulation: program.regulation.id.clone(),
                rules: coverage.rules,
                without_failing_case: coverage.without_failing,
                without_passing_case: coverage.without_passing,
                covered_elsewhere: coverage
                    .elsewhere
                    .into_iter()
                    .map(|e| ElsewhereJson {
                        rule: e.rule,
                        reason: e.reason,
                        file: e.path,
                        line: e.line,
                    })
                    .collect(),
            }),
        }
    }

    let ok = failed.is_empty() && uncovered == 0;
    match format {
        TestFormat::Human => {
            let mut line = format!(
                "\ntest result: {}. {passed} passed; {} failed",
                if ok { "ok" } else { "FAILED" },
                failed.len()
            );
            if uncovered > 0 {
                line.push_str(&format!(
                    "; {} without a failing or a passing case",
                    plural(uncovered, "rule")
                ));
            }
            writeln!(out, "{line}");
        }
        TestFormat::Json => {
            let summary = SummaryJson {
                kind: "summary",
                result: if ok { "ok" } else { "failed" },
                passed,
                failed: failed.len(),
                rules_uncovered: uncovered,
                coverage: coverage_json,
            };
            writeln!(out, "{}", to_json(&summary));
        }
        TestFormat::Junit => {
            write!(out, "{}", report.xml());
        }
    }
    out.finish(if ok { OK } else { FAILED })
}

/// A test file's name without its folder, as case lines show it.
fn short_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// The detail of a failed case: which findings it checks, and the diff of expected and actual.
fn describe_failure(file: &TestFile, case: &Case, comparison: &Comparison) -> String {
    let mut text = format!("---- {}:{}: {} ----\n", file.path, case.line, case.name);
    let scope = match case.effective_scope(file) {
        Scope::All => "every finding".to_string(),
        Scope::Rules(refs) => {
            let ids: Vec<&str> = refs.iter().map(|r| r.id.as_str()).collect();
            format!(
                "findings of {}, of the rules its expectations name, and input errors",
                ids.join(", ")
            )
        }
    };
    text.push_str(&format!("checks: {scope}\n"));
    if let Some(as_of) = &case.as_of {
        text.push_str(&format!("stream closed as of {}\n", as_of.text));
    }
    for row in &comparison.rows {
        text.push_str(&describe_row(row));
        text.push('\n');
    }
    if comparison.unchecked > 0 {
        text.push_str(&format!(
            "({} of other rules, which this case does not check, not shown)\n",
            plural(comparison.unchecked, "finding")
        ));
    }
    text
}

fn describe_row(row: &Row) -> String {
    let mut what = kind_name(row.kind).to_string();
    if let Some(rule) = &row.rule {
        what.push(' ');
        what.push_str(rule);
    }
    what.push_str(&format!(" line {}", row.line));
    match row.status {
        RowStatus::Matched => format!("  matched  {what}"),
        RowStatus::Missing => match &row.contains {
            Some(text) => format!("- expected {what} \"{text}\""),
            None => format!("- expected {what}"),
        },
        RowStatus::Unexpected => format!(
            "+ actual   {what}: {}",
            row.message.as_deref().unwrap_or_default()
        ),
    }
}

fn describe_coverage(target: &Target, coverage: &Coverage) -> String {
    let covered = coverage
        .rules
        .saturating_sub(coverage.uncovered() + coverage.elsewhere.len());
    let mut text = format!(
        "coverage of {}: {} of {} with a failing and a passing case",
        target.shown,
        covered,
        plural(coverage.rules, "rule"),
    );
    if !coverage.elsewhere.is_empty() {
        text.push_str(&format!(", {} covered elsewhere", coverage.elsewhere.len()));
    }
    text.push('\n');
    if !coverage.elsewhere.is_empty() {
        text.push_str("rules covered elsewhere, as their test files declare:\n");
        for e in &coverage.elsewhere {
            text.push_str(&format!(
                "    {} ({}:{})\n        {}\n",
                e.rule, e.path, e.line, e.reason
            ));
        }
    }
    for (what, rules) in [
        ("failing", &coverage.without_failing),
        ("passing", &coverage.without_passing),
    ] {
        if !rules.is_empty() {
            text.push_str(&format!("rules without a {what} case:\n"));
            for rule in rules {
                text.push_str(&format!("    {rule}\n"));
            }
        }
    }
    text
}

/// Compiles a package; prints its diagnostics if it has errors.
fn compile_package(target: &Target, format: TestFormat) -> Result<Arc<Program>, u8> {
    let format = format.plain();
    let (ws, loaded, _) = compile(std::slice::from_ref(&target.dir), format)?;
    let Some(package) = loaded.iter().find(|p| p.root == target.shown) else {
        eprintln!("error: `{}` holds no `.edict` files", target.shown);
        return Err(USAGE);
    };
    let diagnostics = ws.diagnostics(package);
    let (errors, _) = tally(diagnostics);
    if errors > 0 {
        print_diagnostics(&ws, diagnostics, format, false);
        eprintln!(
            "error: the policy `{}` has {}; its cases were not run",
            target.shown,
            plural(errors, "error")
        );
        return Err(FAILED);
    }
    ws.program(package).ok_or_else(|| {
        eprintln!(
            "error: `{}` is not a regulation package: none of its files has a `regulation` header",
            target.shown
        );
        USAGE
    })
}

/// Finds the packages and test files the paths name.
fn discover(paths: &[PathBuf]) -> Result<Vec<Target>, String> {
    let mut targets: BTreeMap<String, Target> = BTreeMap::new();
    let mut add = |dir: &Path, files: Vec<PathBuf>, whole: bool| {
        let shown = display_path(dir);
        let target = targets.entry(shown.clone()).or_insert_with(|| Target {
            dir: dir.to_path_buf(),
            shown,
            files: Vec::new(),
            whole: false,
        });
        target.whole |= whole;
        for f in files {
            let shown = display_path(&f);
            if !target.files.iter().any(|g| display_path(g) == shown) {
                target.files.push(f);
            }
        }
    };
    for path in paths {
        let shown = display_path(path);
        let meta = std::fs::metadata(path)
            .map_err(|e| format!("cannot read `{shown}`: {}", io_reason(&e)))?;
        if meta.is_file() {
            if path.extension().is_none_or(|e| e != "test") {
                return Err(format!(
                    "`{shown}` is neither a test file (`.test`) nor a folder"
                ));
            }
            let package = package_of_test_file(path);
            match package {
                Some(dir) => add(&dir, vec![path.clone()], false),
                None => {
                    return Err(format!(
                        "`{shown}` is not in the `tests/` folder of a policy package"
                    ));
                }
            }
        } else if has_policy_files(path) {
            add(path, test_files(path)?, true);
        } else if let Some(dir) = package_of_tests_folder(path) {
            add(&dir, test_files(&dir)?, true);
        } else {
            let mut found = Vec::new();
            find_packages(path, &mut found)?;
            if found.is_empty() {
                return Err(format!("no policy packages under `{shown}`"));
            }
            for dir in found {
                if dir.join("tests").is_dir() {
                    add(&dir, test_files(&dir)?, true);
                } else {
                    eprintln!(
                        "note: `{}` has no `tests/` folder; it was not tested",
                        display_path(&dir)
                    );
                }
            }
        }
    }
    let mut targets: Vec<Target> = targets.into_values().collect();
    for t in &mut targets {
        t.files.sort_by_key(|f| display_path(f));
    }
    Ok(targets)
}

/// The package of a test file: the folder above the `tests/` folder that holds it.
fn package_of_test_file(path: &Path) -> Option<PathBuf> {
    package_of_tests_folder(&non_empty(path.parent().unwrap_or(Path::new(""))))
}

/// The package whose `tests/` folder `folder` is, if it is one.
fn package_of_tests_folder(folder: &Path) -> Option<PathBuf> {
    let canonical = std::fs::canonicalize(folder).ok()?;
    if canonical.file_name() != Some("tests".as_ref()) {
        return None;
    }
    let package = if folder.file_name() == Some("tests".as_ref()) {
        non_empty(folder.parent().unwrap_or(Path::new("")))
    } else {
        // `.` or a path ending in `..`: name the package relative to it.
        folder.join("..")
    };
    has_policy_files(&package).then_some(package)
}

/// `.` for an empty relative path, so that `tests/x.test` has the package `.`.
fn non_empty(path: &Path) -> PathBuf {
    if path.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        path.to_path_buf()
    }
}

/// Whether the folder holds `.edict` files (so it is a package).
fn has_policy_files(dir: &Path) -> bool {
    std::fs::read_dir(dir).is_ok_and(|entries| {
        entries
            .flatten()
            .any(|e| e.path().is_file() && e.path().extension().is_some_and(|x| x == "edict"))
    })
}

/// The package folders below `dir`, sorted; the search does not enter a package.
fn find_packages(dir: &Path, found: &mut Vec<PathBuf>) -> Result<(), String> {
    let entries =
        std::fs::read_dir(dir).map_err(|e| format!("cannot read `{}`: {e}", display_path(dir)))?;
    let mut dirs: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.is_dir()
                && !p
                    .file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        })
        .collect();
    dirs.sort();
    for d in dirs {
        if has_policy_files(&d) {
            found.push(d);
        } else {
            find_packages(&d, found)?;
        }
    }
    Ok(())
}

/// The `.test` files of a package's `tests/` folder, sorted; none when it has no such folder.
fn test_files(package: &Path) -> Result<Vec<PathBuf>, String> {
    let dir = package.join("tests");
    if !dir.is_dir() {
        eprintln!(
            "note: `{}` has no `tests/` folder, so none of its rules has a case",
            display_path(package)
        );
        return Ok(Vec::new());
    }
    let entries = std::fs::read_dir(&dir)
        .map_err(|e| format!("cannot read `{}`: {e}", display_path(&dir)))?;
    let mut files: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "test"))
        .collect();
    files.sort();
    // A `.test` that is a folder (or a pipe, a device) is a mistake to say, not to skip.
    if let Some(odd) = files.iter().find(|p| !p.is_file()) {
        return Err(format!(
            "`{}` is not a file: a test file is a regular file named `*.test`",
            display_path(odd)
        ));
    }
    Ok(files)
}

/// An IO error in plain words.
fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or folder".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        std::io::ErrorKind::InvalidData => "it is not UTF-8 text".into(),
        _ => e.to_string(),
    }
}
