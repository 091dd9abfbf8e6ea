//! Chinese numerals in clause numbers.

use edict_grammar::{chinese_numeral, format_chinese_numeral};

#[test]
fn known_values() {
    let cases = [
        ("零", 0),
        ("一", 1),
        ("七", 7),
        ("十", 10),
        ("十五", 15),
        ("二十", 20),
        ("二十一", 21),
        ("九十九", 99),
        ("一百", 100),
        ("一百零一", 101),
        ("一百一十", 110),
        ("一百二十", 120),
        ("两百", 200),
        ("一千零二十", 1020),
        ("一千零一", 1001),
    ];
    for (text, value) in cases {
        assert_eq!(chinese_numeral(text), Some(value), "{text}");
    }
}

#[test]
fn malformed_numerals_are_rejected() {
    for text in [
        "",
        "十十",
        "二二",
        "百",
        "零一",
        "一零",
        "一百一",
        "十百",
        "一百零",
        "一千二十",
        "七a",
        "7",
    ] {
        assert_eq!(chinese_numeral(text), None, "{text}");
    }
}

#[test]
fn round_trip_1_to_120() {
    for n in 1..=120 {
        let text = format_chinese_numeral(n);
        assert_eq!(chinese_numeral(&text), Some(n), "{n} was written {text}");
    }
    assert_eq!(format_chinese_numeral(15), "十五");
    assert_eq!(format_chinese_numeral(101), "一百零一");
    assert_eq!(format_chinese_numeral(110), "一百一十");
}

#[test]
fn clause_headers_read_the_same_number() {
    for n in 1..=120u32 {
        let chinese = format!("第{}条 {{ }}", format_chinese_numeral(n));
        let arabic = format!("article {n} {{ }}");
        let (zh, zh_errors) = edict_grammar::parse(&chinese);
        let (en, en_errors) = edict_grammar::parse(&arabic);
        assert!(zh_errors.is_empty() && en_errors.is_empty(), "{chinese}");
        let number = |file: &edict_grammar::ast::File| match file.items.first() {
            Some(edict_grammar::ast::Item::Article(a)) => a.article.number(),
            _ => None,
        };
        assert_eq!(number(&zh), Some(n));
        assert_eq!(number(&en), Some(n));
    }
}
