//! The VS Code extension's TextMate grammar over every file of the policy library, headless
//! (`node --test` in `editors/vscode/`, with vscode-textmate and vscode-oniguruma). It needs
//! `npm ci` in `editors/vscode/` (`.ci/run` does it); without those packages the test is
//! skipped with a message, except on CI (`CI` set), where it fails.

use std::path::Path;
use std::process::Command;

#[test]
fn the_textmate_grammar_scopes_the_library() {
    let extension = Path::new(env!("CARGO_MANIFEST_DIR")).join("../editors/vscode");
    if !extension.join("node_modules/vscode-textmate").is_dir() {
        let why =
            "skipped the TextMate grammar test: run `npm ci` in editors/vscode (.ci/run does)";
        assert!(std::env::var_os("CI").is_none(), "{why}");
        eprintln!("{why}");
        return;
    }
    let out = match Command::new("node")
        .args(["--test", "test/"])
        .current_dir(&extension)
        .output()
    {
        Ok(out) => out,
        Err(e) => panic!("cannot run node: {e}"),
    };
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "the grammar test failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("# fail 0"), "{stdout}");
}
