//! Signed bundles: Ed25519 signatures over a bundle's content hash.
//!
//! The scheme, *Edict bundle signature v1*, follows the idea of OPA's bundle signatures — the
//! signature covers a digest of the contents, not the file's bytes, and travels inside the
//! bundle — in a simpler shape: a bundle's `signatures` array holds objects
//!
//! ```json
//! {"scheme": "edict-bundle-signature-v1", "key_id": "…", "signed": "sha256:…", "signature": "…"}
//! ```
//!
//! where `signed` is the bundle's `hash` (the SHA-256 of its program) and `signature` is the
//! lowercase hex of the Ed25519 signature (RFC 8032) of the ASCII message
//! `edict-bundle-signature-v1 format=F hash=sha256:…` (`F` the bundle's format number).
//! `key_id` is the first 16 hex digits of the SHA-256 of the 32-byte public key.
//!
//! Key files are one line of text: `edict-ed25519-public HEX` (the 32-byte public key) and
//! `edict-ed25519-secret HEX` (the 32-byte seed of the secret key).
//!
//! A bundle is accepted when one of its signatures verifies under one of the trusted keys and
//! signs the bundle's own hash; the hash itself is checked against the program when the bundle
//! is read, so a changed program, a changed hash and a changed signature are all refused.

use std::fmt;

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The name of the scheme, written in every signature.
pub const SCHEME: &str = "edict-bundle-signature-v1";

const PUBLIC_PREFIX: &str = "edict-ed25519-public";
const SECRET_PREFIX: &str = "edict-ed25519-secret";

/// One signature inside a bundle.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BundleSignature {
    pub scheme: String,
    pub key_id: String,
    /// The hash the signature covers: the bundle's `hash`.
    pub signed: String,
    /// The Ed25519 signature, 64 bytes in lowercase hex.
    pub signature: String,
}

/// Why a bundle's signature, or a key, is refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SignatureError {
    /// A key is required but the bundle has no signature.
    Unsigned,
    /// The bundle is signed, but by no trusted key.
    UntrustedKey { key_ids: Vec<String> },
    /// A signature by a trusted key does not verify: the bundle or its signature was changed.
    Invalid { key_id: String },
    /// A key file cannot be read.
    BadKey { reason: String },
}

impl fmt::Display for SignatureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SignatureError::Unsigned => f.write_str(
                "the bundle is not signed, and a signing key is required; sign it with `edict build --sign KEY`",
            ),
            SignatureError::UntrustedKey { key_ids } => write!(
                f,
                "the bundle is signed by {}, which is not a trusted key",
                key_ids
                    .iter()
                    .map(|k| format!("key `{k}`"))
                    .collect::<Vec<_>>()
                    .join(" and ")
            ),
            SignatureError::Invalid { key_id } => write!(
                f,
                "the bundle's signature by key `{key_id}` does not match its contents: the bundle or its signature was changed after signing"
            ),
            SignatureError::BadKey { reason } => write!(f, "{reason}"),
        }
    }
}

impl std::error::Error for SignatureError {}

/// A public key that bundles may be signed with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicKey {
    key: VerifyingKey,
    id: String,
}

/// A secret key to sign bundles with.
#[derive(Clone)]
pub struct SecretKey {
    key: SigningKey,
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SecretKey({})", self.public().id())
    }
}

fn key_id(bytes: &[u8; 32]) -> String {
    hex(&Sha256::digest(bytes)[..8])
}

fn hex(bytes: &[u8]) -> String {
    let mut text = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        text.push(char::from_digit(u32::from(byte >> 4), 16).unwrap_or('0'));
        text.push(char::from_digit(u32::from(byte & 0xf), 16).unwrap_or('0'));
    }
    text
}

fn unhex<const N: usize>(text: &str) -> Option<[u8; N]> {
    let text = text.as_bytes();
    if text.len() != N * 2 {
        return None;
    }
    let mut bytes = [0u8; N];
    for (i, pair) in text.chunks(2).enumerate() {
        let digit = |b: u8| char::from(b).to_digit(16);
        bytes[i] = u8::try_from(digit(pair[0])? * 16 + digit(pair[1])?).ok()?;
    }
    Some(bytes)
}

/// Reads `PREFIX HEX` from a key file's text.
fn key_bytes(text: &str, prefix: &str, other: &str) -> Result<[u8; 32], SignatureError> {
    let mut words = text.split_whitespace();
    match (words.next(), words.next(), words.next()) {
        (Some(p), Some(hex), None) if p == prefix => {
            unhex::<32>(hex).ok_or_else(|| SignatureError::BadKey {
                reason: format!("the key after `{prefix}` is not 64 hex digits"),
            })
        }
        (Some(p), _, _) if p == other => Err(SignatureError::BadKey {
            reason: format!("this is a `{other}` key file, where a `{prefix}` one is needed"),
        }),
        _ => Err(SignatureError::BadKey {
            reason: format!(
                "this is not an Edict key file (it should read `{prefix}` and 64 hex digits; make one with `edict keygen`)"
            ),
        }),
    }
}

impl PublicKey {
    /// Reads a public key file's text.
    pub fn parse(text: &str) -> Result<PublicKey, SignatureError> {
        let bytes = key_bytes(text, PUBLIC_PREFIX, SECRET_PREFIX)?;
        let key = VerifyingKey::from_bytes(&bytes).map_err(|_| SignatureError::BadKey {
            reason: "the public key is not a valid Ed25519 key".to_owned(),
        })?;
        Ok(PublicKey {
            key,
            id: key_id(&bytes),
        })
    }

    /// The key's id, as signatures name it.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The key file's text.
    pub fn to_text(&self) -> String {
        format!("{PUBLIC_PREFIX} {}\n", hex(self.key.as_bytes()))
    }
}

impl SecretKey {
    /// The key made from 32 random bytes.
    pub fn from_seed(seed: [u8; 32]) -> SecretKey {
        SecretKey {
            key: SigningKey::from_bytes(&seed),
        }
    }

    /// Reads a secret key file's text.
    pub fn parse(text: &str) -> Result<SecretKey, SignatureError> {
        Ok(SecretKey::from_seed(key_bytes(
            text,
            SECRET_PREFIX,
            PUBLIC_PREFIX,
        )?))
    }

    /// The key file's text.
    pub fn to_text(&self) -> String {
        format!("{SECRET_PREFIX} {}\n", hex(&self.key.to_bytes()))
    }

    pub fn public(&self) -> PublicKey {
        let key = self.key.verifying_key();
        PublicKey {
            id: key_id(key.as_bytes()),
            key,
        }
    }

    /// The signature of a bundle of this format and content hash (see
    /// [`crate::Bundle::sign`]).
    pub fn sign(&self, format: u32, hash: &str) -> BundleSignature {
        BundleSignature {
            scheme: SCHEME.to_owned(),
            key_id: self.public().id,
            signed: hash.to_owned(),
            signature: hex(&self.key.sign(message(format, hash).as_bytes()).to_bytes()),
        }
    }
}

/// The message a signature covers.
fn message(format: u32, hash: &str) -> String {
    format!("{SCHEME} format={format} hash={hash}")
}

/// Checks that the signatures of a bundle of this format and hash include one by a trusted
/// key; gives that key (see [`crate::Bundle::verify`]).
pub fn verify<'a>(
    format: u32,
    hash: &str,
    signatures: &[BundleSignature],
    trusted: &'a [PublicKey],
) -> Result<&'a PublicKey, SignatureError> {
    if signatures.is_empty() {
        return Err(SignatureError::Unsigned);
    }
    let message = message(format, hash);
    for signature in signatures {
        let Some(key) = trusted.iter().find(|k| k.id == signature.key_id) else {
            continue;
        };
        let valid = signature.scheme == SCHEME
            && signature.signed == hash
            && unhex::<64>(&signature.signature).is_some_and(|bytes| {
                key.key
                    .verify_strict(message.as_bytes(), &Signature::from_bytes(&bytes))
                    .is_ok()
            });
        if valid {
            return Ok(key);
        }
        return Err(SignatureError::Invalid {
            key_id: signature.key_id.clone(),
        });
    }
    Err(SignatureError::UntrustedKey {
        key_ids: signatures.iter().map(|s| s.key_id.clone()).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip_and_name_their_kind() {
        let secret = SecretKey::from_seed([7; 32]);
        let again = SecretKey::parse(&secret.to_text()).unwrap();
        assert_eq!(again.public(), secret.public());
        let public = PublicKey::parse(&secret.public().to_text()).unwrap();
        assert_eq!(public, secret.public());
        assert_eq!(public.id().len(), 16);
        let wrong = PublicKey::parse(&secret.to_text()).unwrap_err();
        assert_eq!(
            wrong.to_string(),
            "this is a `edict-ed25519-secret` key file, where a `edict-ed25519-public` one is needed"
        );
        assert!(PublicKey::parse("edict-ed25519-public 12").is_err());
        assert!(PublicKey::parse("hello").is_err());
    }
}
