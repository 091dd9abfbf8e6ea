//! What `edict test --format junit` prints: JUnit XML, which CI services show as a test report.
//!
//! One `testsuite` per package, one `testcase` per case (its class is the test file), and a
//! `coverage` case per fully tested package that fails when a rule lacks a failing or a
//! passing case, as the exit status does.

use edict_compiler::testcase::{Case, TestFile};

/// The cases of every package, in the order they ran.
#[derive(Default)]
pub(super) struct Report {
    suites: Vec<Suite>,
}

struct Suite {
    name: String,
    cases: Vec<JunitCase>,
}

struct JunitCase {
    class: String,
    name: String,
    file: String,
    line: usize,
    failure: Option<String>,
}

impl Report {
    fn suite(&mut self, name: &str) -> &mut Suite {
        if self.suites.last().is_none_or(|s| s.name != name) {
            self.suites.push(Suite {
                name: name.to_owned(),
                cases: Vec::new(),
            });
        }
        let last = self.suites.len() - 1;
        &mut self.suites[last]
    }

    /// A case of a package; `failure` is what the human format says about it when it failed.
    pub(super) fn case(
        &mut self,
        package: &str,
        file: &TestFile,
        case: &Case,
        failure: Option<String>,
    ) {
        self.suite(package).cases.push(JunitCase {
            class: file.path.clone(),
            name: case.name.clone(),
            file: file.path.clone(),
            line: case.line,
            failure,
        });
    }

    /// The rule coverage of a package; `failure` lists the rules without cases.
    pub(super) fn coverage(&mut self, package: &str, failure: Option<String>) {
        self.suite(package).cases.push(JunitCase {
            class: package.to_owned(),
            name: "coverage".to_owned(),
            file: package.to_owned(),
            line: 0,
            failure,
        });
    }

    pub(super) fn xml(&self) -> String {
        let total: usize = self.suites.iter().map(|s| s.cases.len()).sum();
        let failures: usize = self.suites.iter().map(Suite::failures).sum();
        let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        out.push_str(&format!(
            "<testsuites name=\"edict test\" tests=\"{total}\" failures=\"{failures}\" errors=\"0\">\n"
        ));
        for suite in &self.suites {
            out.push_str(&format!(
                "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"0\">\n",
                escape(&suite.name),
                suite.cases.len(),
                suite.failures()
            ));
            for case in &suite.cases {
                let mut attributes = format!(
                    "classname=\"{}\" name=\"{}\" file=\"{}\"",
                    escape(&case.class),
                    escape(&case.name),
                    escape(&case.file)
                );
                if case.line > 0 {
                    attributes.push_str(&format!(" line=\"{}\"", case.line));
                }
                match &case.failure {
                    None => out.push_str(&format!("    <testcase {attributes}/>\n")),
                    Some(detail) => {
                        let first = detail.lines().next().unwrap_or_default();
                        out.push_str(&format!(
                            "    <testcase {attributes}>\n      <failure message=\"{}\">{}</failure>\n    </testcase>\n",
                            escape(first),
                            escape(detail)
                        ));
                    }
                }
            }
            out.push_str("  </testsuite>\n");
        }
        out.push_str("</testsuites>\n");
        out
    }
}

impl Suite {
    fn failures(&self) -> usize {
        self.cases.iter().filter(|c| c.failure.is_some()).count()
    }
}

/// Text as XML character data or an attribute value; characters XML 1.0 forbids are dropped.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' | '\t' | '\r' => out.push(c),
            c if (c as u32) < 0x20 => {}
            c => out.push(c),
        }
    }
    out
}
