//! The pretty-printed IR of the library program.

mod common;

#[test]
fn library_program() {
    let program = common::program();
    let text = edict_runtime::pretty::pretty(&program);
    assert_eq!(text, program.to_string());
    insta::assert_snapshot!(text);
}
