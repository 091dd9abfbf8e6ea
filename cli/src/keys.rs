//! `edict keygen` and `edict verify`, and reading keys and bundles for the other commands.

use std::path::{Path, PathBuf};

use edict_runtime::bundle::Bundle;
use edict_runtime::signature::{PublicKey, SecretKey};

use crate::compile::{FAILED, OK, USAGE};

#[derive(clap::Args)]
pub struct KeygenArgs {
    /// Where to write the key pair: `NAME.key` (secret, readable only by you) and `NAME.pub`.
    #[arg(short, long, value_name = "NAME")]
    pub output: PathBuf,
}

#[derive(clap::Args)]
pub struct VerifyArgs {
    /// The bundle to check.
    pub bundle: PathBuf,
    /// A trusted public key (`NAME.pub` from `edict keygen`); repeat to trust several.
    #[arg(long = "key", required = true, value_name = "PUB")]
    pub keys: Vec<PathBuf>,
}

/// `edict keygen`: a new Ed25519 key pair from the system's random source.
pub fn keygen(args: &KeygenArgs) -> u8 {
    let mut seed = [0u8; 32];
    if let Err(e) = getrandom::fill(&mut seed) {
        eprintln!("error: the system gave no random bytes for the key: {e}");
        return USAGE;
    }
    let secret = SecretKey::from_seed(seed);
    let secret_path = with_extension(&args.output, "key");
    let public_path = with_extension(&args.output, "pub");
    for path in [&secret_path, &public_path] {
        if path.exists() {
            eprintln!(
                "error: `{}` already exists; keygen never overwrites a key",
                path.display()
            );
            return USAGE;
        }
    }
    if let Err(e) = write_secret(&secret_path, &secret.to_text()) {
        eprintln!("error: cannot write `{}`: {e}", secret_path.display());
        return USAGE;
    }
    if let Err(e) = std::fs::write(&public_path, secret.public().to_text()) {
        eprintln!("error: cannot write `{}`: {e}", public_path.display());
        return USAGE;
    }
    eprintln!(
        "wrote the secret key {} and the public key {} (key id {})",
        secret_path.display(),
        public_path.display(),
        secret.public().id()
    );
    OK
}

fn with_extension(path: &Path, extension: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".");
    name.push(extension);
    PathBuf::from(name)
}

#[cfg(unix)]
fn write_secret(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(text.as_bytes())
}

#[cfg(not(unix))]
fn write_secret(path: &Path, text: &str) -> std::io::Result<()> {
    std::fs::write(path, text)
}

/// `edict verify`: whether a bundle is intact and signed by a trusted key.
pub fn verify(args: &VerifyArgs) -> u8 {
    let keys = match public_keys(&args.keys) {
        Ok(k) => k,
        Err(code) => return code,
    };
    let text = match std::fs::read_to_string(&args.bundle) {
        Ok(t) => t,
        Err(e) => {
            eprintln!(
                "error: cannot read the bundle `{}`: {e}",
                args.bundle.display()
            );
            return USAGE;
        }
    };
    let bundle = match Bundle::from_json(&text) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("error: `{}`: {e}", args.bundle.display());
            return FAILED;
        }
    };
    match bundle.verify(&keys) {
        Ok(key) => {
            println!(
                "{}: {} {} is intact and signed by key {}",
                args.bundle.display(),
                bundle.program.regulation.id,
                bundle.hash,
                key.id()
            );
            OK
        }
        Err(e) => {
            eprintln!("error: `{}`: {e}", args.bundle.display());
            FAILED
        }
    }
}

/// Reads public key files.
pub fn public_keys(paths: &[PathBuf]) -> Result<Vec<PublicKey>, u8> {
    paths
        .iter()
        .map(|path| {
            let text = std::fs::read_to_string(path).map_err(|e| {
                eprintln!("error: cannot read the key `{}`: {e}", path.display());
                USAGE
            })?;
            PublicKey::parse(&text).map_err(|e| {
                eprintln!("error: `{}`: {e}", path.display());
                USAGE
            })
        })
        .collect()
}

/// Reads a secret key file.
pub fn secret_key(path: &Path) -> Result<SecretKey, u8> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        eprintln!("error: cannot read the key `{}`: {e}", path.display());
        USAGE
    })?;
    SecretKey::parse(&text).map_err(|e| {
        eprintln!("error: `{}`: {e}", path.display());
        USAGE
    })
}

/// Reads a bundle and, when keys are given, checks that one of them signed it.
pub fn read_bundle(path: &Path, keys: &[PublicKey]) -> Result<Bundle, u8> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        eprintln!("error: cannot read the bundle `{}`: {e}", path.display());
        USAGE
    })?;
    let bundle = Bundle::from_json(&text).map_err(|e| {
        eprintln!("error: `{}`: {e}", path.display());
        USAGE
    })?;
    if !keys.is_empty()
        && let Err(e) = bundle.verify(keys)
    {
        eprintln!("error: `{}`: {e}; it was not run", path.display());
        return Err(FAILED);
    }
    Ok(bundle)
}
