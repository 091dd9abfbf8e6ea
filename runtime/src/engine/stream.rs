//! The stream driver: reading lines and feeding them to an engine.

use std::io::{self, BufRead};

use super::{Engine, Summary};
use crate::finding::Finding;

/// Reads a whole stream, then closes it, passing every finding to `out`.
///
/// Lines are read into one reused buffer; a line that is not UTF-8 is an input error, not a
/// failure of the run. Only a failure to read gives an error.
pub fn run_stream(
    mut engine: Engine,
    reader: impl BufRead,
    as_of: Option<i64>,
    out: &mut impl FnMut(Finding),
) -> io::Result<Summary> {
    for_each_line(reader, |line_no, line| {
        engine.process_line_bytes(line_no, line, out);
    })?;
    Ok(engine.finish(as_of, out))
}

/// Calls `f` with the 1-based number and the bytes of each line of `reader`, without its line
/// break (`\n` or `\r\n`).
///
/// Lines are read into one reused buffer. Only a failure to read gives an error.
pub fn for_each_line(mut reader: impl BufRead, mut f: impl FnMut(u64, &[u8])) -> io::Result<()> {
    let mut buffer = Vec::with_capacity(1024);
    let mut line_no: u64 = 0;
    loop {
        buffer.clear();
        if reader.read_until(b'\n', &mut buffer)? == 0 {
            return Ok(());
        }
        line_no += 1;
        let mut line = buffer.as_slice();
        if let Some(rest) = line.strip_suffix(b"\n") {
            line = rest;
        }
        if let Some(rest) = line.strip_suffix(b"\r") {
            line = rest;
        }
        f(line_no, line);
    }
}
