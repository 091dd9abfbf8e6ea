//! Embedding Edict in a Rust service: load a bundle, feed events, let time pass, take the
//! findings, checkpoint the state and restore it in a new session, as after a restart.
//!
//! ```sh
//! cargo run -q --bin edict -- build policies/measures-2025 -o /tmp/measures.json
//! cargo run -q -p edict-runtime --example embed -- /tmp/measures.json \
//!     policies/measures-2025/examples/retention.jsonl
//! ```

use std::process::ExitCode;

use edict_runtime::session::{Restored, Session};
use edict_runtime::{Bundle, EngineOptions};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [bundle_path, events_path] = args.as_slice() else {
        eprintln!("usage: embed BUNDLE EVENTS");
        return ExitCode::from(2);
    };
    let load = |path: &str| -> Result<Bundle, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
        Bundle::from_json(&text).map_err(|e| format!("{path}: {e}"))
    };
    let (bundle, events) = match (load(bundle_path), std::fs::read_to_string(events_path)) {
        (Ok(b), Ok(e)) => (b, e),
        (Err(e), _) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
        (_, Err(e)) => {
            eprintln!("error: {events_path}: {e}");
            return ExitCode::from(2);
        }
    };

    // A service judges its events as they come: here, the first half of the file.
    let lines: Vec<&str> = events.lines().collect();
    let half = lines.len() / 2;
    let mut session = Session::new(EngineOptions::default(), Vec::new());
    if let Err(e) = session.load("measures", bundle.clone()) {
        eprintln!("error: {e}");
        return ExitCode::from(1);
    }
    for line in &lines[..half] {
        session.feed_line(line.as_bytes());
    }
    print_findings(&mut session);

    // Before it stops, it keeps a checkpoint (in a real service: in a durable store).
    let checkpoint = session.checkpoint();
    let bytes: usize = checkpoint.engines.iter().map(|e| e.snapshot.len()).sum();
    println!(
        "checkpoint at input position {}: {bytes} bytes",
        checkpoint.position
    );
    drop(session);

    // After the restart, the same bundle is loaded and the checkpoint restored.
    let mut session = Session::new(EngineOptions::default(), Vec::new());
    if let Err(e) = session.load("measures", bundle) {
        eprintln!("error: {e}");
        return ExitCode::from(1);
    }
    for (name, restored) in session.restore(&checkpoint) {
        match restored {
            Restored::Read(report) => println!("restored `{name}`: kept {:?}", report.kept),
            Restored::Failed(e) => eprintln!("could not restore `{name}`: {e}"),
            Restored::NoSuchBundle => eprintln!("no bundle `{name}` to restore"),
        }
    }
    for line in &lines[half..] {
        session.feed_line(line.as_bytes());
    }
    // A quiet stream still lets deadlines fall due: time passes a year later.
    if let Some(latest) = session.engine("measures").and_then(|e| e.latest()) {
        session.advance_to(latest + 366 * 86_400);
    }
    print_findings(&mut session);
    for record in session.open_obligations() {
        println!("still open: {}", record.finding.message);
    }
    ExitCode::SUCCESS
}

fn print_findings(session: &mut Session) {
    for record in session.take_findings() {
        println!(
            "{} ({}): {}",
            record.bundle,
            record.revision,
            record.finding.to_json_line()
        );
    }
}
