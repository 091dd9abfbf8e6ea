//! Signed bundles: `edict keygen`, `edict build --sign`, `edict verify` and `edict run --key`
//! refusing tampered, unsigned and wrongly signed bundles.
//!
//! The bundles are built from the fixtures, so that the snapshot does not change when the
//! policy library does; key ids (random) and program hashes are written as placeholders.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    reason = "a test fails loudly when its fixtures are missing or broken"
)]

mod common;

use std::path::Path;

use common::{LENDING, Run, edict, scratch, transcript};
use edict_runtime::bundle::{Bundle, program_hash};

const STREAM: &str = "tests/fixtures/lending-rules/examples/loans.jsonl";

fn s(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// The key id that `edict keygen` reported: `… (key id ID)`.
fn key_id(keygen: &Run) -> String {
    let (_, rest) = keygen
        .stderr
        .rsplit_once("(key id ")
        .unwrap_or_else(|| panic!("a key id in {}", keygen.stderr));
    rest.trim_end().trim_end_matches(')').to_owned()
}

#[test]
fn bundles_are_signed_verified_and_refused_when_changed() {
    let dir = scratch("signing");
    let alice = dir.join("alice");
    let mallory = dir.join("mallory");
    let keygen_alice = edict(&["keygen", "-o", s(&alice)]);
    let keygen_mallory = edict(&["keygen", "-o", s(&mallory)]);
    for out in [&keygen_alice, &keygen_mallory] {
        assert_eq!(out.code, 0, "{}", out.stderr);
    }
    // Keys are never overwritten.
    let again = edict(&["keygen", "-o", s(&alice)]);
    assert_eq!(again.code, 2);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.join("alice.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "the secret key is readable by others");
    }

    let signed = dir.join("signed.json");
    let alice_key = dir.join("alice.key");
    let alice_pub = dir.join("alice.pub");
    let mallory_pub = dir.join("mallory.pub");
    let build = edict(&["build", LENDING, "-o", s(&signed), "--sign", s(&alice_key)]);
    assert_eq!(build.code, 0, "{}", build.stderr);

    let verified = edict(&["verify", s(&signed), "--key", s(&alice_pub)]);
    assert_eq!(verified.code, 0, "{}", verified.stderr);

    // Signed by a key that is not trusted.
    let untrusted = edict(&["verify", s(&signed), "--key", s(&mallory_pub)]);
    assert_eq!(untrusted.code, 1);

    // A secret key where a public one belongs.
    let secret = edict(&["verify", s(&signed), "--key", s(&alice_key)]);
    assert_eq!(secret.code, 2);

    // A program changed after signing, hash left alone: the hash no longer matches.
    let text = std::fs::read_to_string(&signed).unwrap();
    let mut bundle = Bundle::from_json(&text).unwrap();
    bundle.program.rules[0].message = "nothing to see here".to_owned();
    let edited = dir.join("edited.json");
    std::fs::write(&edited, bundle.to_json()).unwrap();
    let edited_run = edict(&["verify", s(&edited), "--key", s(&alice_pub)]);
    assert_eq!(edited_run.code, 1);

    // The same change with the hash recomputed: the signature no longer matches.
    bundle.hash = program_hash(&bundle.program);
    let rehashed = dir.join("rehashed.json");
    std::fs::write(&rehashed, bundle.to_json()).unwrap();
    let rehashed_verify = edict(&["verify", s(&rehashed), "--key", s(&alice_pub)]);
    assert_eq!(rehashed_verify.code, 1);
    let rehashed_run = edict(&[
        "run",
        "--bundle",
        s(&rehashed),
        "--key",
        s(&alice_pub),
        "--events",
        STREAM,
    ]);
    assert_eq!(rehashed_run.code, 1);
    assert!(rehashed_run.stdout.is_empty(), "nothing was judged");

    // An unsigned bundle is refused when a key is configured, and runs when none is.
    let unsigned = dir.join("unsigned.json");
    let build_unsigned = edict(&["build", LENDING, "-o", s(&unsigned)]);
    assert_eq!(build_unsigned.code, 0, "{}", build_unsigned.stderr);
    let unsigned_run = edict(&[
        "run",
        "--bundle",
        s(&unsigned),
        "--key",
        s(&alice_pub),
        "--events",
        STREAM,
    ]);
    assert_eq!(unsigned_run.code, 1);
    let plain = edict(&["run", "--bundle", s(&unsigned), "--events", STREAM]);
    assert_eq!(plain.code, 0);

    // The signed bundle runs under its key, with the findings of the unsigned one.
    let out = edict(&[
        "run",
        "--bundle",
        s(&signed),
        "--key",
        s(&alice_pub),
        "--events",
        STREAM,
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout, plain.stdout);
    assert!(!plain.stdout.is_empty(), "the stream has findings");

    // Keys apply to bundles only.
    let source = edict(&["run", LENDING, "--key", s(&alice_pub), "--events", STREAM]);
    assert_eq!(source.code, 2);

    let session = transcript(&[
        &keygen_alice,
        &keygen_mallory,
        &again,
        &build,
        &verified,
        &untrusted,
        &secret,
        &edited_run,
        &rehashed_verify,
        &rehashed_run,
        &build_unsigned,
        &unsigned_run,
        &source,
    ]);
    // The key ids are random: each is written as the name of its key.
    insta::with_settings!({filters => vec![
        (key_id(&keygen_alice).as_str(), "[ALICE]"),
        (key_id(&keygen_mallory).as_str(), "[MALLORY]"),
        (r"sha256:[0-9a-f]{64}", "sha256:[HASH]"),
    ]}, {
        insta::assert_snapshot!(session);
    });
}
