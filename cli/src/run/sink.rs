//! Where the findings of a run go: written as they are found, or held and written in line order
//! at the end, as JSON Lines, CSV or the human table; and what the exit status says about them.

use std::io::Write;
use std::sync::Arc;

use clap::ValueEnum;
use edict_runtime::finding::{Finding, FindingKind};

use super::{RunInfo, csv, human};

/// How `edict run` prints findings.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum RunFormat {
    /// A table for people: the findings of each regulation grouped by article, then the
    /// overdue and open deadlines by due date, then the rejected lines.
    Human,
    /// One JSON object per finding (JSON Lines), in the format of `docs/cli.md`.
    Json,
    /// One row per finding with a header row (RFC 4180), for spreadsheets.
    Csv,
}

/// The order findings are written in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum Order {
    /// By the line that caused each finding (for `overdue` and `open`, the line that started
    /// the obligation); findings are held until the stream ends.
    #[default]
    Line,
    /// Each finding as soon as it is found, for streams that do not end (json and csv only; the
    /// human table is always in line order).
    Found,
}

/// The kinds of finding that make `edict run` exit with status 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    /// An event broke a rule.
    Violation,
    /// An obligation's deadline passed unmet.
    Overdue,
    /// An obligation was still pending when the stream closed.
    Open,
    /// A line was rejected (not JSON, or not an event of the vocabulary).
    #[value(name = "input_error")]
    InputError,
    /// No kind of finding fails the run.
    None,
}

impl FailOn {
    fn matches(self, kind: FindingKind) -> bool {
        matches!(
            (self, kind),
            (FailOn::Violation, FindingKind::Violation)
                | (FailOn::Overdue, FindingKind::Overdue)
                | (FailOn::Open, FindingKind::Open)
                | (FailOn::InputError, FindingKind::InputError)
        )
    }
}

/// Receives every finding of a run.
pub(super) struct Sink<'a> {
    format: RunFormat,
    streaming: bool,
    /// Whether the findings are kept (for line order, the human table or a report).
    keep: bool,
    several: bool,
    info: &'a RunInfo,
    writer: Box<dyn Write + 'a>,
    write_error: Option<std::io::Error>,
    kept: Vec<Finding>,
    /// The regulation (by its place in the run) of each kept finding.
    kept_from: Vec<u32>,
    fail_on: &'a [FailOn],
    /// Whether a finding of a kind in `fail_on` was found.
    pub(super) failed: bool,
    /// How many findings were found so far, for the progress bar.
    pub(super) count: u64,
}

impl<'a> Sink<'a> {
    pub(super) fn new(
        format: RunFormat,
        order: Order,
        keep_for_report: bool,
        info: &'a RunInfo,
        writer: Box<dyn Write + 'a>,
        fail_on: &'a [FailOn],
    ) -> Sink<'a> {
        let streaming = order == Order::Found && format != RunFormat::Human;
        let mut sink = Sink {
            format,
            streaming,
            keep: !streaming || keep_for_report,
            several: info.regulations.len() > 1,
            info,
            writer,
            write_error: None,
            kept: Vec::new(),
            kept_from: Vec::new(),
            fail_on,
            failed: false,
            count: 0,
        };
        if streaming && format == RunFormat::Csv {
            let header = csv::header(info);
            sink.write(|w| w.write_all(header.as_bytes()));
        }
        sink
    }

    /// Whether findings are written as they are found.
    pub(super) fn streaming(&self) -> bool {
        self.streaming
    }

    /// Takes one finding of the engine of `regulation`, the `bundle`th of the run.
    pub(super) fn emit_from(&mut self, bundle: usize, regulation: &Arc<str>, finding: Finding) {
        if self.keep {
            self.kept_from
                .push(u32::try_from(bundle).unwrap_or(u32::MAX));
        }
        self.emit(regulation, finding);
    }

    /// Takes one finding of the engine of `regulation` (the first of the run, unless
    /// [`Sink::emit_from`] said otherwise).
    fn emit(&mut self, regulation: &Arc<str>, mut finding: Finding) {
        // With several regulations, a rejected line names the one whose vocabulary refused it.
        if self.several && finding.regulation.is_none() {
            finding.regulation = Some(Arc::clone(regulation));
        }
        self.count += 1;
        self.failed |= self.fail_on.iter().any(|f| f.matches(finding.finding));
        if self.streaming {
            let format = self.format;
            self.write(|w| write_one(w, format, &finding));
        }
        if self.keep {
            self.kept.push(finding);
            self.kept_from.resize(self.kept.len(), 0);
        }
    }

    fn write(&mut self, f: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) {
        if self.write_error.is_none()
            && let Err(e) = f(&mut self.writer)
        {
            self.write_error = Some(e);
        }
    }

    /// Writes what was held, flushes, and gives the findings kept for a report.
    pub(super) fn finish(mut self) -> Result<Vec<Finding>, std::io::Error> {
        let kept = std::mem::take(&mut self.kept);
        let from = std::mem::take(&mut self.kept_from);
        // Line order, then the order of the regulations; findings of one line by one
        // regulation keep the order they were found in. (So a run on several cores, whose
        // regulations and partitions find at their own pace, writes what a run on one writes.)
        let mut order: Vec<(u64, u32, Finding)> = kept
            .into_iter()
            .zip(from)
            .map(|(f, b)| (f.line, b, f))
            .collect();
        order.sort_by_key(|(line, bundle, _)| (*line, *bundle));
        let kept: Vec<Finding> = order.into_iter().map(|(_, _, f)| f).collect();
        if !self.streaming {
            let format = self.format;
            let info = self.info;
            match format {
                RunFormat::Human => {
                    let table = human::table(info, &kept);
                    self.write(|w| w.write_all(table.as_bytes()));
                }
                RunFormat::Csv => {
                    let header = csv::header(info);
                    self.write(|w| w.write_all(header.as_bytes()));
                    for finding in &kept {
                        self.write(|w| write_one(w, format, finding));
                    }
                }
                RunFormat::Json => {
                    for finding in &kept {
                        self.write(|w| write_one(w, format, finding));
                    }
                }
            }
        }
        let flushed = self.writer.flush();
        match self.write_error.take().or(flushed.err()) {
            Some(e) => Err(e),
            None => Ok(kept),
        }
    }
}

fn write_one(w: &mut dyn Write, format: RunFormat, finding: &Finding) -> std::io::Result<()> {
    match format {
        RunFormat::Csv => w.write_all(csv::row(finding).as_bytes()),
        _ => finding.write_json_line(w),
    }
}
