//! Reading a test file.
//!
//! The format is line-based; the first characters of a line say what it is:
//! blank lines and lines starting with `#` are ignored; a line starting with `{` is an event of
//! the current case's stream; a line starting with `>` is a stream line written verbatim (for
//! lines that are not JSON objects, or blank); every other line starts with a keyword:
//! `case`, `scope`, `as of`, `expect` or `covered elsewhere`.

use edict_runtime::time::{TimeError, parse_rfc3339};

use super::{
    AsOf, Case, CoveredElsewhere, Expected, FindingKind, RuleRef, Scope, TestFile, TestFileError,
};

const KEYWORDS: [&str; 5] = ["case", "scope", "as of", "expect", "covered elsewhere"];

/// Parses a test file; `path` is how messages name it.
///
/// Every error of the file is reported, each at its line. Rule references are kept as
/// written: [`super::resolve`] checks them against a program.
pub fn parse(path: &str, text: &str) -> Result<TestFile, Vec<TestFileError>> {
    let mut parser = Parser {
        path,
        file: TestFile {
            path: path.to_string(),
            scope: None,
            covered_elsewhere: Vec::new(),
            cases: Vec::new(),
        },
        case: None,
        errors: Vec::new(),
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    for (index, raw) in text.lines().enumerate() {
        parser.line(index + 1, raw);
    }
    parser.finish_case();
    if parser.file.cases.is_empty()
        && parser.file.covered_elsewhere.is_empty()
        && parser.errors.is_empty()
    {
        parser.errors.push(TestFileError {
            path: path.to_string(),
            line: 1,
            message: "the file has no cases: start one with `case NAME`".into(),
        });
    }
    if parser.errors.is_empty() {
        Ok(parser.file)
    } else {
        parser.errors.sort_by_key(|e| e.line);
        Err(parser.errors)
    }
}

/// A case being read, with what its expectations said so far.
struct OpenCase {
    case: Case,
    /// The line of `expect no findings`, if the case said it.
    no_findings: Option<usize>,
    /// Whether an `expect` line of the case was wrong (so "expects nothing" would mislead).
    bad_expectation: bool,
}

struct Parser<'a> {
    path: &'a str,
    file: TestFile,
    case: Option<OpenCase>,
    errors: Vec<TestFileError>,
}

impl Parser<'_> {
    fn error(&mut self, line: usize, message: impl Into<String>) {
        self.errors.push(TestFileError {
            path: self.path.to_string(),
            line,
            // The file's own words are echoed: never a raw control character.
            message: crate::render::printable(&message.into()).into_owned(),
        });
    }

    fn line(&mut self, n: usize, raw: &str) {
        let text = raw.trim_start();
        if text.trim_end().is_empty() || text.starts_with('#') {
            return;
        }
        if text.starts_with('{') {
            self.stream_line(n, text.trim_end());
            return;
        }
        if let Some(rest) = text.strip_prefix('>') {
            self.stream_line(n, rest.strip_prefix(' ').unwrap_or(rest));
            return;
        }
        let text = text.trim_end();
        let (word, rest) = split_word(text);
        match word {
            "case" | "case:" => self.start_case(n, rest),
            "scope" => self.scope(n, rest),
            "expect" => self.expect(n, rest),
            "as" => match rest.strip_prefix("of") {
                Some(time) if time.is_empty() || time.starts_with(char::is_whitespace) => {
                    self.as_of(n, time.trim())
                }
                _ => self.error(
                    n,
                    "write `as of TIME`, e.g. `as of 2025-07-01T00:00:00+08:00`",
                ),
            },
            "covered" => match rest.strip_prefix("elsewhere") {
                Some(more) if more.is_empty() || more.starts_with(char::is_whitespace) => {
                    self.covered_elsewhere(n, more.trim())
                }
                _ => self.error(n, "write `covered elsewhere RULE: WHERE IT IS TESTED`"),
            },
            _ => {
                let mut message = format!(
                    "unknown keyword `{word}`: a line is a comment (`#`), an event (`{{…`), a verbatim stream line (`>`), or starts with `case`, `scope`, `as of`, `expect` or `covered elsewhere`"
                );
                let firsts = KEYWORDS.iter().map(|k| k.split(' ').next().unwrap_or(k));
                if let Some(first) = edict_runtime::suggest::closest(word, firsts)
                    && let Some(near) = KEYWORDS.iter().find(|k| k.split(' ').next() == Some(first))
                {
                    message = format!("unknown keyword `{word}`; did you mean `{near}`?");
                }
                self.error(n, message);
            }
        }
    }

    fn stream_line(&mut self, n: usize, text: &str) {
        match &mut self.case {
            None => self.error(
                n,
                "an event outside a case: start the case with `case NAME` on the line before its events",
            ),
            Some(open) if !open.case.expected.is_empty() || open.no_findings.is_some() => self
                .error(
                    n,
                    "an event after the case's expectations: write every event of a case before its `expect` lines",
                ),
            Some(open) => open.case.stream.push(text.to_string()),
        }
    }

    fn start_case(&mut self, n: usize, name: &str) {
        self.finish_case();
        let name = name.trim();
        if name.is_empty() {
            self.error(
                n,
                "a case needs a name: a sentence saying what it shows, e.g. `case A child cannot consent for herself`",
            );
        } else if let Some(other) = self.file.cases.iter().find(|c| c.name == name) {
            let first = other.line;
            self.error(
                n,
                format!("another case of this file, at line {first}, has the same name"),
            );
        }
        self.case = Some(OpenCase {
            case: Case {
                name: name.to_string(),
                line: n,
                stream: Vec::new(),
                as_of: None,
                scope: None,
                expected: Vec::new(),
            },
            no_findings: None,
            bad_expectation: false,
        });
    }

    fn finish_case(&mut self) {
        let Some(open) = self.case.take() else {
            return;
        };
        let case = open.case;
        if case.stream.is_empty() {
            self.error(
                case.line,
                "the case has no events: put its event lines (one JSON object per line) after `case`",
            );
        } else if case.expected.is_empty() && open.no_findings.is_none() && !open.bad_expectation {
            self.error(
                case.line,
                "the case expects nothing: add `expect …` lines, or `expect no findings`",
            );
        }
        let lines = case.stream.len() as u64;
        for e in &case.expected {
            if e.line > lines {
                self.error(
                    e.file_line,
                    format!(
                        "line {} is past the end of the case's stream, which has {}",
                        e.line,
                        plural(case.stream.len(), "line")
                    ),
                );
            }
        }
        self.file.cases.push(case);
    }

    fn scope(&mut self, n: usize, rest: &str) {
        let scope = if rest == "all" {
            Scope::All
        } else {
            let refs: Vec<RuleRef> = words(rest).map(|w| RuleRef::new(w, n)).collect();
            if refs.is_empty() {
                self.error(
                    n,
                    "name the rules the cases check, e.g. `scope REGULATION/art7`, or write `scope all`",
                );
                return;
            }
            Scope::Rules(refs)
        };
        let slot = match &mut self.case {
            Some(open) => &mut open.case.scope,
            None => &mut self.file.scope,
        };
        if slot.is_some() {
            let whose = if self.case.is_some() { "case" } else { "file" };
            self.error(
                n,
                format!(
                    "a second `scope` for this {whose}: write one `scope` line naming every rule"
                ),
            );
            return;
        }
        *slot = Some(scope);
    }

    fn as_of(&mut self, n: usize, time: &str) {
        let parsed = parse_rfc3339(time);
        let Some(open) = &mut self.case else {
            self.error(
                n,
                "`as of` belongs to a case: write it after the case's `case` line",
            );
            return;
        };
        if open.case.as_of.is_some() {
            self.error(n, "a second `as of` for this case");
            return;
        }
        match parsed {
            Ok(t) => {
                open.case.as_of = Some(AsOf {
                    text: time.to_string(),
                    second: t.second,
                })
            }
            Err(e) => {
                let why = match e {
                    TimeError::NoOffset => "it has no UTC offset",
                    TimeError::NotReal => "no such date or time exists",
                    TimeError::Shape => "it is not an RFC 3339 time",
                    TimeError::OutOfRange => "it is outside the supported years 0001 to 9998",
                };
                self.error(
                    n,
                    format!(
                        "`{time}` cannot close the stream: {why}; write e.g. `as of 2025-07-01T00:00:00+08:00`"
                    ),
                );
            }
        }
    }

    fn covered_elsewhere(&mut self, n: usize, rest: &str) {
        if self.case.is_some() || !self.file.cases.is_empty() {
            self.error(
                n,
                "`covered elsewhere` is about the whole file: write it before the first case",
            );
            return;
        }
        let parsed = rest.split_once(':').and_then(|(rule, reason)| {
            let (rule, reason) = (rule.trim(), reason.trim());
            let one_word = !rule.is_empty() && !rule.contains(char::is_whitespace);
            (one_word && !reason.is_empty()).then_some((rule, reason))
        });
        match parsed {
            Some((rule, reason)) => self.file.covered_elsewhere.push(CoveredElsewhere {
                rule: RuleRef::new(rule, n),
                reason: reason.to_string(),
            }),
            None => self.error(
                n,
                "write `covered elsewhere RULE: WHERE IT IS TESTED`, e.g. `covered elsewhere REGULATION/art15/p1/RULE: tests/big-stream.rs`",
            ),
        }
    }

    fn expect(&mut self, n: usize, rest: &str) {
        if self.case.is_none() {
            self.error(
                n,
                "`expect` belongs to a case: write it after the case's events",
            );
            return;
        }
        let parsed = parse_expectation(rest, n);
        let Some(open) = &mut self.case else {
            return;
        };
        match parsed {
            Err(message) => {
                open.bad_expectation = true;
                self.error(n, message);
            }
            Ok(None) => {
                if let Some(line) = open.no_findings {
                    self.error(
                        n,
                        format!("the case already said `expect no findings` (line {line})"),
                    );
                } else if !open.case.expected.is_empty() {
                    self.error(
                        n,
                        "`expect no findings` cannot go with other expectations of the same case",
                    );
                } else {
                    open.no_findings = Some(n);
                }
            }
            Ok(Some(expected)) => {
                if let Some(line) = open.no_findings {
                    self.error(
                        n,
                        format!("the case already said `expect no findings` (line {line})"),
                    );
                } else {
                    open.case.expected.extend(expected);
                }
            }
        }
    }
}

/// Reads what follows `expect`: `no findings` (`None`), or one finding kind, a rule (not for
/// `input_error`), `line N` or `lines N, M …`, and optionally a quoted text the message must
/// contain.
fn parse_expectation(rest: &str, n: usize) -> Result<Option<Vec<Expected>>, String> {
    const SHAPE: &str = "write e.g. `expect violation REGULATION/art7/RULE line 2`, `expect input_error line 3`, or `expect no findings`";
    if rest.split_whitespace().eq(["no", "findings"]) {
        return Ok(None);
    }
    let (body, contains) = match rest.split_once('"') {
        None => (rest, None),
        Some((body, quoted)) => match quoted.trim_end().strip_suffix('"') {
            Some(text) if !text.is_empty() => (body, Some(text.to_string())),
            Some(_) => return Err("the quoted text is empty".into()),
            None => return Err("the quoted text is not closed: end it with `\"`".into()),
        },
    };
    let mut tokens = body.split_whitespace();
    let Some(kind_word) = tokens.next() else {
        return Err(format!("say what is expected: {SHAPE}"));
    };
    let kind = match kind_word {
        "violation" => FindingKind::Violation,
        "overdue" => FindingKind::Overdue,
        "open" => FindingKind::Open,
        "input_error" => FindingKind::InputError,
        other => {
            return Err(format!(
                "`{other}` is not a kind of finding: write `violation`, `overdue`, `open` or `input_error` (or `expect no findings`)"
            ));
        }
    };
    let rule = if kind == FindingKind::InputError {
        None
    } else {
        match tokens.next() {
            Some(w) if w != "line" && w != "lines" => Some(RuleRef::new(w, n)),
            _ => {
                return Err(format!(
                    "name the rule whose {kind_word} is expected: {SHAPE}"
                ));
            }
        }
    };
    match tokens.next() {
        Some("line" | "lines") => {}
        Some(_) if rule.is_none() => {
            return Err(
                "an input error belongs to no rule: write `expect input_error line N`".into(),
            );
        }
        Some(other) => {
            return Err(format!(
                "expected `line` after the rule, found `{other}`: {SHAPE}"
            ));
        }
        None => return Err(format!("say which line of the stream: {SHAPE}")),
    }
    let numbers: Vec<&str> = tokens
        .flat_map(|t| t.split(','))
        .filter(|t| !t.is_empty() && *t != "and")
        .collect();
    if numbers.is_empty() {
        return Err(format!("say which line of the stream: {SHAPE}"));
    }
    let mut expected = Vec::new();
    for number in numbers {
        match number.parse::<u64>() {
            Ok(line) if line >= 1 => expected.push(Expected {
                kind,
                rule: rule.clone(),
                line,
                contains: contains.clone(),
                file_line: n,
            }),
            _ => {
                return Err(format!(
                    "`{number}` is not a line number: lines of the case's stream count from 1"
                ));
            }
        }
    }
    Ok(Some(expected))
}

/// The first word of a line and the rest, trimmed.
fn split_word(text: &str) -> (&str, &str) {
    match text.split_once(char::is_whitespace) {
        Some((word, rest)) => (word, rest.trim()),
        None => (text, ""),
    }
}

/// Words separated by spaces or commas.
fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| c == ',' || c.is_whitespace())
        .filter(|w| !w.is_empty())
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}
