//! `edict lsp` driven end to end by a real LSP client: the pytest-lsp tests in
//! `lsp/tests/client/`, run by the Python of the repository's `.venv` (`.ci/run` installs it
//! from `lsp/tests/client/requirements.txt`). Without that virtual environment the tests are
//! skipped with a message, except on CI (`CI` set), where they fail.

use std::path::PathBuf;
use std::process::Command;

#[test]
fn a_real_lsp_client_exercises_every_feature_on_the_library() {
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let python = std::env::var_os("EDICT_LSP_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo.join(".venv/bin/python"));
    if !python.exists() {
        let why = format!(
            "skipped the LSP client tests: no `{}`; create it with `python3 -m venv .venv && .venv/bin/pip install -r lsp/tests/client/requirements.txt` (.ci/run does)",
            python.display()
        );
        assert!(std::env::var_os("CI").is_none(), "{why}");
        eprintln!("{why}");
        return;
    }
    let out = Command::new(&python)
        .args([
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "lsp/tests/client",
        ])
        .current_dir(&repo)
        .env("EDICT_BIN", env!("CARGO_BIN_EXE_edict"))
        .output();
    let out = match out {
        Ok(out) => out,
        Err(e) => panic!("cannot run `{}`: {e}", python.display()),
    };
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "the LSP client tests failed:\n{stdout}\n{stderr}"
    );
    eprintln!("{}", stdout.lines().last().unwrap_or_default());
}
