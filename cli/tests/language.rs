//! Diagnostics in the author's language: a file written with Chinese keywords gets Chinese
//! diagnostics, an English one English, and `--lang` chooses one for every diagnostic.

#![allow(
    clippy::expect_used,
    reason = "a test fails loudly when its fixtures are missing or broken"
)]

mod common;

use common::*;

/// The lending rules with article 2 moved to a file of its own written with Chinese keywords,
/// `应当` left out; and a misspelt field in the English file of article 1.
fn mixed_package(name: &str) -> Scratch {
    let package = fixture_copy(name);
    let loans = package.join("loans.edict");
    let text = std::fs::read_to_string(&loans).expect("loans.edict");
    let start = text.find("article 2").expect("article 2");
    let end = text.find("article 3").expect("article 3");
    std::fs::write(&loans, format!("{}{}", &text[..start], &text[end..])).expect("write");
    std::fs::write(
        package.join("loans-zh.edict"),
        "第二条 \"借阅\" {\n  第一款 {\n    规则 loan-period:\n      对于 loan l\n      l.days <= MAX_LOAN_DAYS\n      说明 \"An item was lent for longer than 28 days.\"\n  }\n}\n",
    )
    .expect("write the Chinese file");
    edit(
        &package.join("rules.edict"),
        "e.branch == \"staff-training\"",
        "e.brnch == \"staff-training\"",
    );
    package
}

#[test]
fn each_file_gets_diagnostics_in_the_language_of_its_keywords() {
    let package = mixed_package("mixed");
    let auto = edict(&["check", arg(&package)]);
    assert_eq!(auto.code, 1);
    // The Chinese file is told in Chinese what it expected, naming the Chinese keywords.
    assert!(
        auto.stdout.contains("此处应为`当`、`应当`或`不得`"),
        "{}",
        auto.transcript()
    );
    // The English file is told in English.
    assert!(
        auto.stdout.contains("has no field `brnch`"),
        "{}",
        auto.transcript()
    );
    let zh = edict(&["check", arg(&package), "--lang", "zh"]);
    let en = edict(&["check", arg(&package), "--lang", "en", "--format", "json"]);
    assert!(zh.stdout.contains("没有字段`brnch`"), "{}", zh.transcript());
    assert!(
        en.stdout
            .contains("expected `when`, `require` or `prohibit`"),
        "{}",
        en.transcript()
    );
    insta::assert_snapshot!(transcript(&[&auto, &zh, &en]));
}
