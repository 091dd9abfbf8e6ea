//! Signed bundles: `edict keygen`, `edict build --sign`, `edict verify` and `edict run --key`
//! refusing tampered, unsigned and wrongly signed bundles.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    reason = "a test fails loudly when its fixtures are missing or broken"
)]

mod common;

use std::path::Path;

use common::{MEASURES, code, edict, scratch, stderr, stdout};
use edict_runtime::bundle::{Bundle, program_hash};

const STREAM: &str = "../policies/measures-2025/examples/violations.jsonl";

fn s(path: &Path) -> &str {
    path.to_str().unwrap()
}

#[test]
fn bundles_are_signed_verified_and_refused_when_changed() {
    let dir = scratch("signing");
    let alice = dir.join("alice");
    let mallory = dir.join("mallory");
    for key in [&alice, &mallory] {
        let out = edict(&["keygen", "-o", s(key)]);
        assert_eq!(code(&out), 0, "{}", stderr(&out));
    }
    // Keys are never overwritten.
    let again = edict(&["keygen", "-o", s(&alice)]);
    assert_eq!(code(&again), 2);
    assert!(stderr(&again).contains("already exists"));
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
    let out = edict(&["build", MEASURES, "-o", s(&signed), "--sign", s(&alice_key)]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stderr(&out).contains("signed by key"), "{}", stderr(&out));

    let out = edict(&["verify", s(&signed), "--key", s(&alice_pub)]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stdout(&out).contains("is intact and signed by key"));

    // Signed by a key that is not trusted.
    let out = edict(&["verify", s(&signed), "--key", s(&mallory_pub)]);
    assert_eq!(code(&out), 1);
    assert!(
        stderr(&out).contains("which is not a trusted key"),
        "{}",
        stderr(&out)
    );

    // A secret key where a public one belongs.
    let out = edict(&["verify", s(&signed), "--key", s(&alice_key)]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("where a `edict-ed25519-public` one is needed"));

    // A program changed after signing, hash left alone: the hash no longer matches.
    let text = std::fs::read_to_string(&signed).unwrap();
    let mut bundle = Bundle::from_json(&text).unwrap();
    bundle.program.rules[0].message = "nothing to see here".to_owned();
    let edited = dir.join("edited.json");
    std::fs::write(&edited, bundle.to_json()).unwrap();
    let out = edict(&["verify", s(&edited), "--key", s(&alice_pub)]);
    assert_eq!(code(&out), 1);
    assert!(
        stderr(&out).contains("do not match its hash"),
        "{}",
        stderr(&out)
    );

    // The same change with the hash recomputed: the signature no longer matches.
    bundle.hash = program_hash(&bundle.program);
    let rehashed = dir.join("rehashed.json");
    std::fs::write(&rehashed, bundle.to_json()).unwrap();
    let out = edict(&["verify", s(&rehashed), "--key", s(&alice_pub)]);
    assert_eq!(code(&out), 1);
    assert!(
        stderr(&out).contains("was changed after signing"),
        "{}",
        stderr(&out)
    );
    let out = edict(&[
        "run",
        "--bundle",
        s(&rehashed),
        "--key",
        s(&alice_pub),
        "--events",
        STREAM,
    ]);
    assert_eq!(code(&out), 1);
    assert!(stdout(&out).is_empty(), "nothing was judged");
    assert!(stderr(&out).contains("it was not run"), "{}", stderr(&out));

    // An unsigned bundle is refused when a key is configured, and runs when none is.
    let unsigned = dir.join("unsigned.json");
    let out = edict(&["build", MEASURES, "-o", s(&unsigned)]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let out = edict(&[
        "run",
        "--bundle",
        s(&unsigned),
        "--key",
        s(&alice_pub),
        "--events",
        STREAM,
    ]);
    assert_eq!(code(&out), 1);
    assert!(
        stderr(&out).contains("the bundle is not signed"),
        "{}",
        stderr(&out)
    );
    let plain = edict(&["run", "--bundle", s(&unsigned), "--events", STREAM]);
    assert_eq!(code(&plain), 0);

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
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(stdout(&out), stdout(&plain));

    // Keys apply to bundles only.
    let out = edict(&["run", MEASURES, "--key", s(&alice_pub), "--events", STREAM]);
    assert_eq!(code(&out), 2);
}
