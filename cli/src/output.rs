//! Writing results to standard output without losing a write error.

use std::io::Write;

use crate::compile::USAGE;

/// Standard output for a command's results. A closed pipe (`edict test … | head -1`) ends the
/// output quietly: the reader wants no more, and the exit status still says how the run went.
/// Any other write error, such as a full disk, is reported when the run finishes, and the run
/// exits with the status of an IO error.
pub struct Output<W: Write> {
    out: W,
    closed: bool,
    error: Option<std::io::Error>,
}

impl<W: Write> Output<W> {
    pub fn new(out: W) -> Self {
        Output {
            out,
            closed: false,
            error: None,
        }
    }

    /// What `write!` and `writeln!` call.
    pub fn write_fmt(&mut self, args: std::fmt::Arguments<'_>) {
        if !self.closed && self.error.is_none() {
            let written = self.out.write_fmt(args);
            self.note(written);
        }
    }

    pub fn flush(&mut self) {
        if !self.closed && self.error.is_none() {
            let flushed = self.out.flush();
            self.note(flushed);
        }
    }

    fn note(&mut self, result: std::io::Result<()>) {
        match result {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => self.closed = true,
            Err(e) => self.error = Some(e),
        }
    }

    /// Flushes the output and gives the exit status: `status`, or that of an IO error when the
    /// results could not be written.
    pub fn finish(mut self, status: u8) -> u8 {
        self.flush();
        match self.error {
            None => status,
            Some(e) => {
                eprintln!("error: cannot write the results to standard output: {e}");
                USAGE
            }
        }
    }
}
