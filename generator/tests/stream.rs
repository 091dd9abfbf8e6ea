//! A stream is a pure function of its configuration: these pin the bytes of a few streams, so
//! that a change to the generator that changes what it writes is seen and reviewed.

use std::fmt::Write as _;

use edict_generator::{Config, Generator, Mix, generate};

/// FNV-1a, 64 bits: enough to notice any change of a stream's bytes.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

#[test]
fn a_small_stream_with_what_each_line_breaks() {
    let generator = Generator::new(Config {
        events: 40,
        seed: 7,
        violation_rate: 0.5,
        processors: 3,
        ..Config::default()
    });
    let mut shown = String::new();
    for line in generator {
        let _ = writeln!(shown, "{}", line.text);
        match (&line.violation, line.exempt) {
            (Some(rule), _) => {
                let _ = writeln!(shown, "    breaks {rule}");
            }
            (None, true) => {
                let _ = writeln!(shown, "    exempt");
            }
            (None, false) => {}
        }
    }
    insta::assert_snapshot!(shown);
}

#[test]
fn the_bytes_of_larger_streams_are_pinned() {
    let default = generate(Config::default());
    let enrollments = generate(Config {
        events: 20_000,
        seed: 3,
        violation_rate: 0.0,
        processors: 2,
        mix: Mix::enrollments_only(),
        ..Config::default()
    });
    let dense = generate(Config {
        events: 50_000,
        seed: 11,
        violation_rate: 0.3,
        processors: 5,
        mean_gap_ms: 5_000,
        ..Config::default()
    });
    // One processor past the filing threshold: its initial filing is scheduled.
    let filing = generate(Config {
        events: 102_500,
        seed: 5,
        violation_rate: 0.0,
        processors: 1,
        mean_gap_ms: 10_000,
        mix: Mix::enrollments_only(),
        ..Config::default()
    });
    assert!(filing.contains(r#""type":"filing""#));
    let hashes: Vec<String> = [&default, &enrollments, &dense, &filing]
        .iter()
        .map(|s| format!("{} bytes, fnv1a {:016x}", s.len(), fnv1a(s.as_bytes())))
        .collect();
    insta::assert_snapshot!(hashes.join("\n"));
}
