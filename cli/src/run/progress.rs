//! A progress bar on standard error for long runs: how far into the file, lines per second and
//! the findings so far. Shown only when standard error is a terminal and the events come from a
//! file of more than [`MIN_BYTES`]; otherwise nothing is drawn and nothing is measured.

use std::io::IsTerminal;
use std::path::Path;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Files smaller than this are read too fast for a bar to help.
pub(super) const MIN_BYTES: u64 = 4 * 1024 * 1024;

/// How many lines pass between two updates of the bar: the hot path only counts.
const LINES_PER_UPDATE: u64 = 8192;

pub(super) struct Progress {
    bar: ProgressBar,
    started: Instant,
    bytes: u64,
    lines: u64,
}

impl Progress {
    /// A bar for reading `events`, when one should be shown.
    pub(super) fn for_file(events: Option<&Path>) -> Option<Progress> {
        let path = events.filter(|p| *p != Path::new("-"))?;
        let size = std::fs::metadata(path).ok()?.len();
        if size <= MIN_BYTES || !std::io::stderr().is_terminal() {
            return None;
        }
        let bar = ProgressBar::with_draw_target(Some(size), ProgressDrawTarget::stderr_with_hz(4));
        let style = ProgressStyle::with_template(
            "{bar:30.cyan/blue} {percent:>3}% {binary_bytes}/{binary_total_bytes}  {msg}  [{elapsed_precise}]",
        )
        .ok()?
        .progress_chars("=> ");
        bar.set_style(style);
        bar.enable_steady_tick(Duration::from_millis(250));
        Some(Progress {
            bar,
            started: Instant::now(),
            bytes: 0,
            lines: 0,
        })
    }

    /// Counts one line of `len` bytes (without its line break).
    pub(super) fn line(&mut self, len: usize, findings: u64) {
        self.bytes += len as u64 + 1;
        self.lines += 1;
        if self.lines.is_multiple_of(LINES_PER_UPDATE) {
            self.update(findings);
        }
    }

    /// Sets the bytes and lines read so far (counted elsewhere, as on several cores).
    pub(super) fn read_so_far(&mut self, bytes: u64, lines: u64, findings: u64) {
        self.bytes = bytes;
        self.lines = lines;
        self.update(findings);
    }

    fn update(&self, findings: u64) {
        let seconds = self.started.elapsed().as_secs_f64().max(1e-3);
        let rate = (self.lines as f64 / seconds).round() as u64;
        self.bar.set_position(self.bytes);
        self.bar.set_message(format!(
            "{} lines, {} lines/s, {} so far",
            self.lines,
            rate,
            crate::compile::plural(findings as usize, "finding")
        ));
    }

    /// Removes the bar; the summary follows on standard error.
    pub(super) fn finish(self, findings: u64) {
        self.update(findings);
        self.bar.finish_and_clear();
    }
}
