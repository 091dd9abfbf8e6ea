//! Policy bundles: a compiled program with its format version and a hash of its contents.
//!
//! A bundle is JSON: `{"edict_bundle": 3, "hash": "sha256:…", "program": {…}}`, and, when it is
//! signed, a `signatures` array (the [`crate::signature`] module).
//! The hash is the SHA-256 of the program's compact serde_json serialisation, which is canonical
//! because the program holds no maps and no floating-point numbers.
//! Reading a bundle first reads only its format number, so a bundle of another format is refused
//! with a message saying so rather than with a confusing error about its contents.

use std::fmt;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::ir::Program;
use crate::signature::{self, BundleSignature, PublicKey, SecretKey, SignatureError};

/// The bundle format this runtime reads and writes. It goes up whenever the program's
/// serialised shape changes, so an older edict refuses a newer bundle by its format number
/// instead of failing on its contents: 3 since the IR gained arithmetic, time parts, `once` in
/// conditions, field bounds, vocabulary extension and the partition key.
pub const BUNDLE_FORMAT: u32 = 3;

const HASH_PREFIX: &str = "sha256:";

/// A compiled program ready to ship to services.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Bundle {
    #[serde(rename = "edict_bundle")]
    pub format: u32,
    /// `sha256:` followed by the lowercase hex digest of the program.
    pub hash: String,
    pub program: Program,
    /// Signatures over `hash` (the [`crate::signature`] module); none for an unsigned bundle.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub signatures: Vec<BundleSignature>,
}

/// Why a text could not be read as a bundle.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BundleError {
    /// The text is not a bundle at all.
    NotABundle { reason: String },
    /// The bundle was written in a format this runtime does not read.
    UnsupportedFormat { found: u64 },
    /// The bundle has the right format number but its contents do not fit that format.
    Damaged { detail: String },
    /// The program does not match the hash stored beside it.
    HashMismatch,
}

impl fmt::Display for BundleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BundleError::NotABundle { reason } => write!(
                f,
                "this file is not an Edict bundle: {reason}; make one with `edict build`"
            ),
            BundleError::UnsupportedFormat { found } if *found > u64::from(BUNDLE_FORMAT) => write!(
                f,
                "this bundle has format {found} but this edict reads format {BUNDLE_FORMAT}: \
                 it was built by a newer edict; run it with that edict, or rebuild it with \
                 this one (`edict build`)"
            ),
            BundleError::UnsupportedFormat { found } => write!(
                f,
                "this bundle has format {found} but this edict reads format {BUNDLE_FORMAT}; \
                 rebuild it with `edict build`"
            ),
            BundleError::Damaged { detail } => write!(
                f,
                "the bundle is damaged: {detail}; rebuild it with `edict build`"
            ),
            BundleError::HashMismatch => f.write_str(
                "the bundle's contents do not match its hash; it was edited or damaged — rebuild it",
            ),
        }
    }
}

impl std::error::Error for BundleError {}

/// The one field read before anything else: the value of `edict_bundle`, if the object has it.
///
/// It accepts only a JSON object, where a derived struct would also accept an array.
struct FormatProbe(Option<serde_json::Value>);

impl<'de> Deserialize<'de> for FormatProbe {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(FormatProbeVisitor)
    }
}

struct FormatProbeVisitor;

impl<'de> serde::de::Visitor<'de> for FormatProbeVisitor {
    type Value = FormatProbe;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<FormatProbe, A::Error> {
        let mut format = None;
        while let Some(key) = map.next_key::<String>()? {
            if key == "edict_bundle" {
                format = Some(map.next_value()?);
            } else {
                map.next_value::<serde::de::IgnoredAny>()?;
            }
        }
        Ok(FormatProbe(format))
    }
}

impl Bundle {
    /// Signs the bundle: replaces any signature by this key with a new one over its hash.
    pub fn sign(&mut self, key: &SecretKey) {
        let signature = key.sign(self.format, &self.hash);
        self.signatures.retain(|s| s.key_id != signature.key_id);
        self.signatures.push(signature);
    }

    /// Checks that the bundle is signed by one of the trusted keys; gives that key.
    pub fn verify<'a>(&self, trusted: &'a [PublicKey]) -> Result<&'a PublicKey, SignatureError> {
        signature::verify(self.format, &self.hash, &self.signatures, trusted)
    }

    /// Wraps a program in a bundle of the current format, computing its hash.
    pub fn new(program: Program) -> Bundle {
        Bundle {
            format: BUNDLE_FORMAT,
            hash: program_hash(&program),
            program,
            signatures: Vec::new(),
        }
    }

    /// The bundle as pretty-printed JSON.
    #[expect(
        clippy::expect_used,
        reason = "a bundle has no maps with non-string keys and no floats, so it always serialises"
    )]
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a bundle always serialises")
    }

    /// Reads a bundle, checking its format and its hash.
    pub fn from_json(text: &str) -> Result<Bundle, BundleError> {
        let probe: FormatProbe = serde_json::from_str(text).map_err(|error| {
            let reason = match error.classify() {
                serde_json::error::Category::Data => "it is JSON but not an object".to_owned(),
                _ => format!(
                    "it is not JSON (line {}, column {})",
                    error.line(),
                    error.column()
                ),
            };
            BundleError::NotABundle { reason }
        })?;
        let format = match probe.0 {
            None => {
                return Err(BundleError::NotABundle {
                    reason: "it has no `edict_bundle` format number".to_owned(),
                });
            }
            Some(value) => value.as_u64().ok_or_else(|| BundleError::NotABundle {
                reason: "its `edict_bundle` value is not a format number".to_owned(),
            })?,
        };
        if format != u64::from(BUNDLE_FORMAT) {
            return Err(BundleError::UnsupportedFormat { found: format });
        }
        let bundle: Bundle = serde_json::from_str(text).map_err(|error| {
            let detail = error.to_string();
            let detail = match detail.strip_prefix("recursion limit exceeded") {
                // Deeper than any program the compiler writes (expressions nest at most 32).
                Some(place) => format!("it nests more than 128 levels deep{place}"),
                None => detail,
            };
            BundleError::Damaged { detail }
        })?;
        if bundle.hash != program_hash(&bundle.program) {
            return Err(BundleError::HashMismatch);
        }
        Ok(bundle)
    }
}

/// `sha256:` and the hex digest of the program's compact JSON.
pub fn program_hash(program: &Program) -> String {
    json_hash(program)
}

/// `sha256:` and the hex digest of a part of a program as compact JSON: the fingerprint of a
/// definition, by which snapshots recognise it in another revision.
#[expect(
    clippy::expect_used,
    reason = "the program's types have no maps with non-string keys and no floats, and hashing cannot fail"
)]
pub(crate) fn json_hash(value: &impl Serialize) -> String {
    struct HashWriter(Sha256);
    impl std::io::Write for HashWriter {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.update(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut writer = HashWriter(Sha256::new());
    serde_json::to_writer(&mut writer, value).expect("a program always serialises");
    let digest = writer.0.finalize();
    let mut hash = String::with_capacity(HASH_PREFIX.len() + 64);
    hash.push_str(HASH_PREFIX);
    for byte in digest {
        hash.push(char::from_digit(u32::from(byte >> 4), 16).unwrap_or('0'));
        hash.push(char::from_digit(u32::from(byte & 0xf), 16).unwrap_or('0'));
    }
    hash
}
