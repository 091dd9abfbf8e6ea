//! `edict run --state DIR`: a run that survives being killed, with every finding written
//! exactly once.
//!
//! The engines' state, the input's byte offset and line, and the output's length are
//! checkpointed together in the state folder's store every `--checkpoint-every` lines and every
//! few seconds. Before a checkpoint records the output's length, the output is flushed to disk.
//! A restart restores the checkpoint, cuts the output back to the recorded length (dropping
//! findings written after it, which the engines will make again), and reads on from the
//! recorded offset: the findings file ends up as an uninterrupted run would have written it.
//!
//! At the end of the input the stream stays open — events held for the watermark and pending
//! obligations are kept for the next run over the grown file — unless `--close` closes it, as a
//! run without `--state` does at its end.

use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, BufWriter, Seek, SeekFrom, Write};
use std::path::Path;
use std::time::{Duration, Instant};

use edict_runtime::bundle::Bundle;
use edict_runtime::engine::{EngineOptions, Summary};
use edict_runtime::session::{Restored, Session};
use edict_store::Store;

use super::{RunArgs, describe_summary};
use crate::compile::{FAILED, OK, USAGE, plural};

const OFFSET: &str = "run.input_offset";
const OUTPUT_LEN: &str = "run.output_length";
const CLOSED: &str = "run.closed";
const EVENTS: &str = "run.events";

/// A checkpoint is also written when this much time has passed since the last one.
const CHECKPOINT_SECONDS: u64 = 5;

pub fn run(
    args: &RunArgs,
    state: &Path,
    bundles: Vec<Bundle>,
    options: EngineOptions,
    as_of: Option<i64>,
) -> u8 {
    let (Some(events), Some(output)) = (args.events.as_deref(), args.output.as_deref()) else {
        eprintln!(
            "error: `--state` needs `--events FILE` and `--output FILE`: a resumed run reads on from where it stopped in the file and cuts the findings file back to its last checkpoint"
        );
        return USAGE;
    };
    if events == Path::new("-") {
        eprintln!("error: `--state` cannot resume standard input; give `--events FILE`");
        return USAGE;
    }
    if args.unordered {
        eprintln!(
            "error: `--state` and `--unordered` cannot be combined; sort the file first (`edict run --unordered` writes findings in the file's lines, the sort itself is not kept)"
        );
        return USAGE;
    }
    match resume(args, state, events, output, bundles, options, as_of) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("error: {message}");
            USAGE
        }
    }
}

fn resume(
    args: &RunArgs,
    state: &Path,
    events: &Path,
    output: &Path,
    bundles: Vec<Bundle>,
    options: EngineOptions,
    as_of: Option<i64>,
) -> Result<u8, String> {
    let store = Store::open(state).map_err(|e| e.to_string())?;
    let mut session = Session::new(options, Vec::new());
    let mut names: Vec<String> = Vec::new();
    for bundle in bundles {
        let mut name = bundle.program.regulation.id.clone();
        while names.contains(&name) {
            name.push('+');
        }
        session
            .load(&name, bundle)
            .map_err(|e| format!("the policy `{name}` cannot be run: {e}"))?;
        names.push(name);
    }

    let fail = |e: edict_store::StoreError| e.to_string();
    let (mut offset, output_len) = match store.load_checkpoint().map_err(fail)? {
        None => (0, 0),
        Some(checkpoint) => {
            if let Some(at) = store.meta_u64(CLOSED).map_err(fail)? {
                // A run that closed the stream may be started again (say, after it was killed
                // between its last commit and its exit): with nothing new to read, it is done.
                let read = store.meta_u64(OFFSET).map_err(fail)?.unwrap_or(0);
                let length = std::fs::metadata(events).map_or(u64::MAX, |m| m.len());
                if length == read {
                    eprintln!(
                        "the stream in `{}` was closed at line {at} and its findings are all in `{}`; nothing more to judge",
                        state.display(),
                        output.display()
                    );
                    return Ok(OK);
                }
                eprintln!(
                    "error: the stream in `{}` was closed at line {at} (`--close`), but `{}` has lines after it; start a new state folder to judge more lines",
                    state.display(),
                    events.display()
                );
                return Ok(USAGE);
            }
            if let Some(previous) = store.meta(EVENTS).map_err(fail)?
                && previous != events.as_os_str().as_encoded_bytes()
            {
                eprintln!(
                    "warning: the state was written reading `{}`; reading on in `{}`",
                    String::from_utf8_lossy(&previous),
                    events.display()
                );
            }
            for (name, restored) in session.restore(&checkpoint) {
                report(&name, checkpoint.position, &restored);
            }
            (
                store.meta_u64(OFFSET).map_err(fail)?.unwrap_or(0),
                store.meta_u64(OUTPUT_LEN).map_err(fail)?.unwrap_or(0),
            )
        }
    };

    let mut input = File::open(events)
        .map_err(|e| format!("cannot read the events `{}`: {e}", events.display()))?;
    let length = input
        .metadata()
        .map_err(|e| format!("cannot read the events `{}`: {e}", events.display()))?
        .len();
    if length < offset {
        return Err(format!(
            "the events `{}` have {length} bytes, but the state read {offset} bytes of them: is it the same file?",
            events.display()
        ));
    }
    input
        .seek(SeekFrom::Start(offset))
        .map_err(|e| format!("cannot read the events `{}`: {e}", events.display()))?;
    let mut reader = BufReader::with_capacity(256 * 1024, input);

    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(output)
        .map_err(|e| format!("cannot write the findings to `{}`: {e}", output.display()))?;
    let written = |e: std::io::Error| format!("writing the findings failed: {e}");
    file.set_len(output_len).map_err(written)?;
    let mut writer = BufWriter::new(file);
    writer.seek(SeekFrom::End(0)).map_err(written)?;

    let every = args.checkpoint_every.max(1);
    let mut since = 0u64;
    let mut last = Instant::now();
    let mut buffer = Vec::with_capacity(1024);
    let checkpoint = |session: &Session,
                      writer: &mut BufWriter<File>,
                      offset: u64,
                      closed: bool|
     -> Result<(), String> {
        writer.flush().map_err(written)?;
        writer.get_ref().sync_data().map_err(written)?;
        let length = writer.get_ref().metadata().map_err(written)?.len();
        let mut meta = vec![
            (OFFSET, offset.to_le_bytes().to_vec()),
            (OUTPUT_LEN, length.to_le_bytes().to_vec()),
            (EVENTS, events.as_os_str().as_encoded_bytes().to_vec()),
        ];
        if closed {
            meta.push((CLOSED, session.position().to_le_bytes().to_vec()));
        }
        store
            .save_checkpoint(&session.checkpoint(), &meta, None)
            .map_err(fail)?;
        Ok(())
    };
    loop {
        buffer.clear();
        let read = reader
            .read_until(b'\n', &mut buffer)
            .map_err(|e| format!("reading the events failed: {e}"))?;
        if read == 0 {
            break;
        }
        // A last line still being written (no line break yet) is left for the next run.
        if !buffer.ends_with(b"\n") && !args.close {
            break;
        }
        offset += read as u64;
        let mut line = buffer.as_slice();
        line = line.strip_suffix(b"\n").unwrap_or(line);
        line = line.strip_suffix(b"\r").unwrap_or(line);
        session.feed_line(line);
        for record in session.take_findings() {
            record
                .finding
                .write_json_line(&mut writer)
                .map_err(written)?;
        }
        since += 1;
        if since >= every
            || (since.is_multiple_of(1024)
                && last.elapsed() >= Duration::from_secs(CHECKPOINT_SECONDS))
        {
            checkpoint(&session, &mut writer, offset, false)?;
            since = 0;
            last = Instant::now();
        }
    }

    let summaries: Vec<(String, Summary)> = if args.close {
        let summaries = session.close(as_of);
        for record in session.take_findings() {
            record
                .finding
                .write_json_line(&mut writer)
                .map_err(written)?;
        }
        checkpoint(&session, &mut writer, offset, true)?;
        summaries
            .into_iter()
            .map(|(r, s)| (r.name.to_string(), s))
            .collect()
    } else {
        checkpoint(&session, &mut writer, offset, false)?;
        let held: usize = names
            .iter()
            .filter_map(|n| session.engine(n))
            .map(|e| e.held())
            .sum();
        let open = session.open_obligations().len();
        eprintln!(
            "kept in `{}` at line {}: {} held for the watermark and {}; pass `--close` to close the stream",
            state.display(),
            session.position(),
            plural(held, "event"),
            plural(open, "pending obligation"),
        );
        session
            .summaries()
            .map(|(r, s)| (r.name.to_string(), *s))
            .collect()
    };
    let mut rejected = false;
    for (name, summary) in &summaries {
        if summaries.len() > 1 {
            eprintln!("{name}:");
        }
        eprintln!("{}", describe_summary(summary));
        rejected |= summary.rejected > 0;
    }
    Ok(if rejected { FAILED } else { OK })
}

fn report(name: &str, position: u64, restored: &Restored) {
    match restored {
        Restored::Read(report) => {
            let mut text = format!("resumed `{name}` after line {position}");
            if !report.same_program {
                text.push_str(" with another revision of its policy");
                for kept in &report.kept {
                    text.push_str(&format!("\n  kept {kept}"));
                }
            }
            for dropped in &report.dropped {
                text.push_str(&format!("\n  dropped {dropped}"));
            }
            eprintln!("{text}");
        }
        Restored::Failed(e) => eprintln!("warning: `{name}` starts afresh: {e}"),
        Restored::NoSuchBundle => {
            eprintln!("warning: the state of `{name}` is set aside: no policy of that name is run")
        }
    }
}
