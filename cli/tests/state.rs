//! `edict run --state`: a run killed with SIGKILL at random points and restarted writes exactly
//! the findings of an uninterrupted run; a clean restart reads on; another revision of the
//! policy keeps what is still meaningful.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    reason = "a test fails loudly when its fixtures are missing or broken"
)]

mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use common::{MEASURES, code, edict, scratch, stderr, transcript};
use edict_generator::{Config, Generator};

fn s(path: &Path) -> &str {
    path.to_str().unwrap()
}

fn generate(path: &Path, events: u64) -> Vec<String> {
    let lines: Vec<String> = Generator::new(Config {
        events,
        seed: 11,
        violation_rate: 0.05,
        processors: 4,
        mean_gap_ms: 20_000,
        ..Config::default()
    })
    .map(|l| l.text)
    .collect();
    std::fs::write(path, lines.join("\n") + "\n").unwrap();
    lines
}

/// The counts of a run's summary, written `[N]`: they are the library's judgement of the
/// generated stream (compared whole with an uninterrupted run's), not what these tests are
/// about; lines read, rejected and blank stay.
fn summary_filters() -> Vec<(&'static str, &'static str)> {
    vec![
        (
            r"\d+ judged, \d+ before the effective date, \d+ exempt",
            "[N] judged, [N] before the effective date, [N] exempt",
        ),
        (
            r"findings: \d+ violations, \d+ overdue, \d+ open",
            "findings: [N] violations, [N] overdue, [N] open",
        ),
        (
            r"\d+ events held for the watermark and \d+ pending obligations",
            "[N] events held for the watermark and [N] pending obligations",
        ),
    ]
}

/// A small xorshift, seeded from the clock; the seed is printed with any failure.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

#[test]
fn killed_at_random_points_the_findings_are_exactly_once() {
    let dir = scratch("sigkill");
    let events = dir.join("events.jsonl");
    generate(&events, 30_000);
    let reference = dir.join("reference.jsonl");
    let out = edict(&[
        "run",
        MEASURES,
        "--events",
        s(&events),
        "--output",
        s(&reference),
        // A durable run writes each finding as it is found, so the reference does too.
        "--order",
        "found",
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));

    let state = dir.join("state");
    let output = dir.join("findings.jsonl");
    let args = [
        "run",
        MEASURES,
        "--events",
        s(&events),
        "--output",
        s(&output),
        "--state",
        s(&state),
        "--close",
        "--checkpoint-every",
        "250",
    ];
    // Kill times are drawn within the time an uninterrupted durable run takes here, so that
    // every kill lands inside a run on a fast machine as on a slow one.
    let timed = Instant::now();
    let whole = Command::new(env!("CARGO_BIN_EXE_edict"))
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert_eq!(whole.code(), Some(0));
    let span_ms = (timed.elapsed().as_millis() as u64).max(20);
    std::fs::remove_dir_all(&state).unwrap();
    std::fs::remove_file(&output).unwrap();

    let seed = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(1, |d| d.as_nanos() as u64)
        | 1;
    let mut rng = Rng(seed);
    let began = Instant::now();
    let mut kills = 0;
    let status = loop {
        assert!(
            began.elapsed() < Duration::from_secs(120),
            "seed {seed}: the run never finished"
        );
        let mut child = Command::new(env!("CARGO_BIN_EXE_edict"))
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Kill it within the first half of a whole run, unless it finishes first; after 12
        // kills, let it finish.
        let deadline = Instant::now() + Duration::from_millis(5 + rng.below(span_ms / 2));
        let finished = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break Some(status);
            }
            if kills < 12 && Instant::now() >= deadline {
                break None;
            }
            std::thread::sleep(Duration::from_millis(2));
        };
        match finished {
            Some(status) => break status,
            None => {
                child.kill().unwrap(); // SIGKILL
                child.wait().unwrap();
                kills += 1;
            }
        }
    };
    assert_eq!(status.code(), Some(0), "seed {seed}");
    assert!(kills > 0, "seed {seed}: the run finished before any kill");
    let expected = std::fs::read_to_string(&reference).unwrap();
    let found = std::fs::read_to_string(&output).unwrap();
    assert!(
        found == expected,
        "seed {seed}, {kills} kills: the findings differ from an uninterrupted run ({} and {} lines)",
        found.lines().count(),
        expected.lines().count()
    );

    // The stream was closed: another run on the same state says so and judges nothing.
    let again = edict(&args);
    assert_eq!(code(&again), 0);
    assert_eq!(std::fs::read_to_string(&output).unwrap(), expected);
    // Shows: … was closed at line 30000 and its findings are all in ….
    insta::assert_snapshot!(again.transcript());
}

#[test]
fn a_clean_restart_reads_on_in_the_grown_file() {
    let dir = scratch("restart");
    let full = dir.join("full.jsonl");
    let lines = generate(&full, 4_000);
    let reference = dir.join("reference.jsonl");
    let out = edict(&[
        "run",
        MEASURES,
        "--events",
        s(&full),
        "--output",
        s(&reference),
        // A durable run writes each finding as it is found, so the reference does too.
        "--order",
        "found",
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));

    // The first half of the log, then the whole of it, as a log file grows.
    let events = dir.join("events.jsonl");
    let output = dir.join("findings.jsonl");
    let state = dir.join("state");
    std::fs::write(&events, lines[..2_000].join("\n") + "\n").unwrap();
    let run = |close: bool| {
        let mut args = vec![
            "run",
            MEASURES,
            "--events",
            s(&events),
            "--output",
            s(&output),
            "--state",
            s(&state),
        ];
        if close {
            args.push("--close");
        }
        edict(&args)
    };
    let first = run(false);
    assert_eq!(code(&first), 0, "{}", stderr(&first));
    std::fs::write(&events, lines.join("\n") + "\n").unwrap();
    let second = run(true);
    assert_eq!(code(&second), 0, "{}", stderr(&second));
    assert_eq!(
        std::fs::read_to_string(&output).unwrap(),
        std::fs::read_to_string(&reference).unwrap()
    );

    // Started again on a closed stream with nothing new (say, after being killed between its
    // last commit and its exit), the run is done; with new lines, it refuses.
    let third = run(true);
    assert_eq!(code(&third), 0, "{}", stderr(&third));
    assert_eq!(
        std::fs::read_to_string(&output).unwrap(),
        std::fs::read_to_string(&reference).unwrap()
    );
    std::fs::write(&events, lines.join("\n") + "\n" + &lines[0] + "\n").unwrap();
    let fourth = run(true);
    assert_eq!(code(&fourth), 2, "{}", stderr(&fourth));
    // Shows: kept in … at line 2000; resumed `measures-2025` after line 2000; closed at line
    // 4000 and its findings are all in …; … has lines after it; start a new state folder.
    let session = transcript(&[&first, &second, &third, &fourth]);
    insta::with_settings!({filters => summary_filters()}, {
        insta::assert_snapshot!(session);
    });
}

#[test]
fn another_revision_of_the_policy_keeps_its_unchanged_state() {
    let dir = scratch("revision");
    let events = dir.join("events.jsonl");
    generate(&events, 1_000);
    let bundle = dir.join("measures.json");
    let out = edict(&["build", MEASURES, "-o", s(&bundle)]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let state = dir.join("state");
    let output = dir.join("findings.jsonl");
    let run = || {
        edict(&[
            "run",
            "--bundle",
            s(&bundle),
            "--events",
            s(&events),
            "--output",
            s(&output),
            "--state",
            s(&state),
        ])
    };
    assert_eq!(code(&run()), 0);

    // The new revision rewords one message and changes the retention deadline's pattern.
    let text = std::fs::read_to_string(&bundle).unwrap();
    let mut revised = edict_runtime::Bundle::from_json(&text).unwrap();
    for rule in &mut revised.program.rules {
        rule.message.push_str(" (reworded)");
        if rule.id.to_string() == "measures-2025/art8/p2/retention"
            && let edict_runtime::ir::Body::Deadline { pattern, .. } = &mut rule.body
        {
            pattern.condition = None;
        }
    }
    std::fs::write(
        &bundle,
        edict_runtime::Bundle::new(revised.program).to_json(),
    )
    .unwrap();
    let out = run();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    // Shows: resumed … with another revision of its policy, kept state `stored_subjects`, the
    // `once` memories kept rule by rule, and dropped … pending obligations of
    // `measures-2025/art8/p2/retention` (its definition changed).
    insta::with_settings!({filters => summary_filters()}, {
        insta::assert_snapshot!(out.transcript());
    });
}
