//! Bundles: the round trip, and the messages for files that cannot be used.

mod common;

use edict_runtime::bundle::program_hash;
use edict_runtime::{BUNDLE_FORMAT, Bundle, BundleError};

#[test]
fn round_trip_keeps_the_program_and_its_hash() {
    let bundle = Bundle::new(common::program());
    assert_eq!(bundle.format, BUNDLE_FORMAT);
    assert!(bundle.hash.starts_with("sha256:"), "{}", bundle.hash);
    assert_eq!(bundle.hash.len(), "sha256:".len() + 64);

    let text = bundle.to_json();
    let head = format!("{{\n  \"edict_bundle\": {BUNDLE_FORMAT},\n  \"hash\": \"sha256:");
    assert!(text.starts_with(&head), "{text}");
    let read = Bundle::from_json(&text).unwrap();
    assert_eq!(read, bundle);
}

#[test]
fn the_hash_depends_on_the_program() {
    let program = common::program();
    let mut changed = program.clone();
    changed.rules[0].message.push('!');
    assert_eq!(program_hash(&program), program_hash(&program.clone()));
    assert_ne!(program_hash(&program), program_hash(&changed));
}

/// The message for each kind of unusable file, beside the file.
/// The bundle with its format number replaced.
fn with_format(bundle: &str, format: u32) -> String {
    let current = format!("\"edict_bundle\": {BUNDLE_FORMAT}");
    assert!(bundle.contains(&current));
    bundle.replacen(&current, &format!("\"edict_bundle\": {format}"), 1)
}

#[test]
fn unusable_files_are_explained() {
    let good = Bundle::new(common::program()).to_json();
    let cases: Vec<(&str, String)> = vec![
        ("not JSON", "policy.edict is here".to_owned()),
        ("JSON but not an object", "[1, 2]".to_owned()),
        (
            "an object without a format",
            r#"{"program": {}}"#.to_owned(),
        ),
        (
            "a format that is not a number",
            r#"{"edict_bundle": "1"}"#.to_owned(),
        ),
        ("an older format", with_format(&good, 1)),
        ("a newer format", with_format(&good, 99)),
        (
            "the current format without a program",
            format!(r#"{{"edict_bundle": {BUNDLE_FORMAT}, "hash": "sha256:00"}}"#),
        ),
        (
            "an edited regulation id",
            good.replace("\"library-rules\"", "\"library-rulez\""),
        ),
        (
            "an edited hash",
            good.replacen("\"hash\": \"sha256:", "\"hash\": \"sha256:0", 1),
        ),
    ];
    let mut text = String::new();
    for (what, input) in &cases {
        let error: BundleError = Bundle::from_json(input).unwrap_err();
        let shown = if input.len() > 60 {
            "(the test bundle, edited)"
        } else {
            input.as_str()
        };
        text.push_str(&format!("----- {what}: {shown}\n{error}\n"));
    }
    insta::assert_snapshot!(text);
}

#[test]
fn errors_name_their_kind() {
    let good = Bundle::new(common::program()).to_json();
    let tampered = good.replace("\"library-rules\"", "\"library-rulez\"");
    assert_eq!(Bundle::from_json(&tampered), Err(BundleError::HashMismatch));
    assert_eq!(
        Bundle::from_json(&with_format(&good, 99)),
        Err(BundleError::UnsupportedFormat { found: 99 })
    );
}
