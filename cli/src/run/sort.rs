//! `edict run --unordered`: sorting a stream by event time before it is judged, externally and in
//! bounded memory.
//!
//! Each line is keyed by the whole second of its `time` and its line number, so lines of the
//! same second keep the file's order, as the engine's reorder buffer would keep them. A line
//! whose time cannot be read (not JSON, no `time`, not UTF-8, blank) sorts first: the engine
//! rejects or skips it whatever its place. Lines are gathered until their bytes reach the memory
//! budget, sorted, and written as a *run* to a temporary file; the runs are then merged. A stream
//! that fits the budget is never written to disk.

use std::borrow::Cow;
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use edict_runtime::engine::for_each_line;
use edict_runtime::time::parse_rfc3339;

/// The bytes one record costs beside its text: key, line number, place in the arena.
const RECORD_OVERHEAD: usize = 32;

/// What a sort did.
#[derive(Clone, Copy, Debug, Default)]
pub struct SortStats {
    pub lines: u64,
    /// Sorted runs written to temporary files (none when the stream fit in memory).
    pub runs: usize,
}

#[derive(serde::Deserialize)]
struct TimeOnly<'a> {
    #[serde(borrow)]
    time: Option<Cow<'a, str>>,
}

/// The sort key of a line: the second of its `time`, or `i64::MIN` when it has none readable.
fn key_of(line: &[u8]) -> i64 {
    let line = line.strip_prefix("\u{feff}".as_bytes()).unwrap_or(line);
    serde_json::from_slice::<TimeOnly<'_>>(line)
        .ok()
        .and_then(|t| t.time)
        .and_then(|t| parse_rfc3339(&t).ok())
        .map_or(i64::MIN, |t| t.second)
}

/// Lines gathered in memory: their keys and their bytes in one arena.
#[derive(Default)]
struct Chunk {
    records: Vec<(i64, u64, usize, usize)>,
    arena: Vec<u8>,
}

impl Chunk {
    fn bytes(&self) -> usize {
        self.arena.len() + self.records.len() * RECORD_OVERHEAD
    }

    fn push(&mut self, key: i64, line_no: u64, line: &[u8]) {
        self.records
            .push((key, line_no, self.arena.len(), line.len()));
        self.arena.extend_from_slice(line);
    }

    fn sort(&mut self) {
        self.records
            .sort_unstable_by_key(|&(key, line, _, _)| (key, line));
    }

    fn line(&self, start: usize, len: usize) -> &[u8] {
        self.arena.get(start..start + len).unwrap_or_default()
    }

    fn write_run(&mut self, path: &Path) -> io::Result<()> {
        self.sort();
        let mut out = BufWriter::new(File::create(path)?);
        for &(key, line_no, start, len) in &self.records {
            out.write_all(&key.to_le_bytes())?;
            out.write_all(&line_no.to_le_bytes())?;
            out.write_all(&u64::try_from(len).unwrap_or(u64::MAX).to_le_bytes())?;
            out.write_all(self.line(start, len))?;
        }
        out.flush()?;
        self.records.clear();
        self.arena.clear();
        Ok(())
    }
}

/// A folder of run files, removed when dropped.
struct Spill {
    dir: PathBuf,
    runs: Vec<PathBuf>,
}

impl Drop for Spill {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// One run being merged: its reader and its next record.
struct Run {
    reader: BufReader<File>,
    line: Vec<u8>,
}

impl Run {
    /// Reads the next record's key and line number; its bytes go to `self.line`.
    fn next(&mut self) -> io::Result<Option<(i64, u64)>> {
        let mut head = [0u8; 24];
        match self.reader.read_exact(&mut head) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(None),
            Err(e) => return Err(e),
        }
        let word = |i: usize| {
            let mut b = [0u8; 8];
            b.copy_from_slice(&head[i * 8..i * 8 + 8]);
            b
        };
        let key = i64::from_le_bytes(word(0));
        let line_no = u64::from_le_bytes(word(1));
        let len = usize::try_from(u64::from_le_bytes(word(2)))
            .map_err(|_| io::Error::other("a sorted run is damaged"))?;
        self.line.resize(len, 0);
        self.reader.read_exact(&mut self.line)?;
        Ok(Some((key, line_no)))
    }
}

/// Reads the whole stream, then calls `f` with each line's number and bytes in event-time
/// order, using about `budget` bytes of memory for lines.
pub fn sorted_lines(
    reader: impl BufRead,
    budget: usize,
    mut f: impl FnMut(u64, &[u8]),
) -> io::Result<SortStats> {
    let mut chunk = Chunk::default();
    let mut spill: Option<Spill> = None;
    let mut failed: Option<io::Error> = None;
    let mut stats = SortStats::default();
    for_each_line(reader, |line_no, line| {
        if failed.is_some() {
            return;
        }
        stats.lines = line_no;
        chunk.push(key_of(line), line_no, line);
        if chunk.bytes() >= budget
            && let Err(e) = spill_chunk(&mut spill, &mut chunk)
        {
            failed = Some(e);
        }
    })?;
    if let Some(e) = failed {
        return Err(e);
    }
    let Some(mut spill) = spill else {
        chunk.sort();
        for &(_, line_no, start, len) in &chunk.records {
            f(line_no, chunk.line(start, len));
        }
        return Ok(stats);
    };
    if !chunk.records.is_empty() {
        let path = spill.dir.join(format!("run-{}", spill.runs.len()));
        chunk.write_run(&path)?;
        spill.runs.push(path);
    }
    stats.runs = spill.runs.len();
    let mut runs = Vec::with_capacity(spill.runs.len());
    let mut heap = BinaryHeap::new();
    for (index, path) in spill.runs.iter().enumerate() {
        let mut run = Run {
            reader: BufReader::with_capacity(64 * 1024, File::open(path)?),
            line: Vec::new(),
        };
        if let Some((key, line_no)) = run.next()? {
            heap.push(Reverse((key, line_no, index)));
        }
        runs.push(run);
    }
    while let Some(Reverse((_, line_no, index))) = heap.pop() {
        let Some(run) = runs.get_mut(index) else {
            continue;
        };
        f(line_no, &run.line);
        if let Some((key, line_no)) = run.next()? {
            heap.push(Reverse((key, line_no, index)));
        }
    }
    Ok(stats)
}

fn spill_chunk(spill: &mut Option<Spill>, chunk: &mut Chunk) -> io::Result<()> {
    let spill = match spill {
        Some(s) => s,
        None => {
            let dir = std::env::temp_dir().join(format!(
                "edict-sort-{}-{}",
                std::process::id(),
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| d.as_nanos())
            ));
            std::fs::create_dir_all(&dir)?;
            spill.insert(Spill {
                dir,
                runs: Vec::new(),
            })
        }
    };
    let path = spill.dir.join(format!("run-{}", spill.runs.len()));
    chunk.write_run(&path)?;
    spill.runs.push(path);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(time: &str, n: u32) -> String {
        format!(r#"{{"type":"x","time":"{time}","n":{n}}}"#)
    }

    fn sort(input: &str, budget: usize) -> (Vec<u64>, SortStats) {
        let mut order = Vec::new();
        let stats = sorted_lines(input.as_bytes(), budget, |n, _| order.push(n)).unwrap();
        (order, stats)
    }

    #[test]
    fn lines_come_out_by_time_then_line_in_memory_and_spilled() {
        let input = [
            line("2025-06-02T10:00:00+08:00", 1),
            line("2025-06-02T09:00:00+08:00", 2),
            "not json".to_owned(),
            line("2025-06-02T01:00:00Z", 4), // 09:00 at +08:00, the same second as line 2
            line("2025-06-02T08:00:00+08:00", 5),
            String::new(),
        ]
        .join("\n")
            + "\n";
        let expected = vec![3, 6, 5, 2, 4, 1];
        let (order, stats) = sort(&input, 1 << 20);
        assert_eq!((order, stats.runs), (expected.clone(), 0));
        let (order, stats) = sort(&input, 1);
        assert_eq!(order, expected);
        assert_eq!(stats.runs, 6);
    }
}
