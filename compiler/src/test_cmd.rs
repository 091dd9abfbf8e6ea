//! `edict test`: runs the policy test cases that live beside the policies.

use std::path::PathBuf;

use crate::Format;
use crate::cli::USAGE;

pub fn run(paths: &[PathBuf], format: Format) -> u8 {
    let _ = (paths, format);
    eprintln!("error: `edict test` is not available yet");
    USAGE
}
