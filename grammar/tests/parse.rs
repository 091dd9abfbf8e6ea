//! Snapshot tests of the parser: every construct of docs/language.md, both keyword languages,
//! and the syntax errors a user sees.

mod common;

use common::{check, tree_without_spans};
use insta::assert_snapshot;

// ---------------------------------------------------------------------------------------------
// Constructs

#[test]
fn header() {
    assert_snapshot!(check(
        r#"regulation measures-2025 {
  title    "人脸识别技术应用安全管理办法"
  title_en "Measures for the Security Management of Facial Recognition Technology Applications"
  effective 2025-06-01
  timezone "Asia/Shanghai"
  outline  "measures-2025.outline.txt"
  use vocabulary face from "../vocabulary/face.edict"
}"#
    ));
}

#[test]
fn vocabulary() {
    assert_snapshot!(check(
        r#"vocabulary face {
  common {
    processor: string
  }
  enum legal_basis { consent, law }
  enum storage {
    device
    server
  }
  record consent_info {
    separate: bool
    given_by: consent_giver
  }
  event enrollment {
    subject: string
    subject_age?: int                  // optional: use only after has(e.subject_age)
    consent?: consent_info
    raw_image_retained?: bool = false  // optional with a default: always has a value
    attributes?: list of string, purposes: set of string
  }
  event vendor_note open { }           // open: undeclared fields are accepted and ignored
}"#
    ));
}

#[test]
fn clause_structure() {
    assert_snapshot!(check(
        r#"article 7 "Minors" {
  paragraph 1 {
    item 2 "second item" {
      not_checkable "no event shows this"
    }
  }
  paragraph 2 { }
  not_checkable "the whole article is a principle"
}
article 11 { }"#
    ));
}

#[test]
fn rule_with_every_clause() {
    assert_snapshot!(check(
        r#"article 7 {
  rule guardian-consent:
    on enrollment e
    when e.legal_basis == consent and has(e.subject_age) and e.subject_age < 14
    require has(e.consent) and e.consent.given_by == guardian
    unless e.purpose in EXEMPT_PURPOSES
    message    "consent for a child under 14 must come from a parent or guardian"
    message_zh "处理不满十四周岁未成年人人脸信息的，应当取得其父母或者其他监护人的同意"
}"#
    ));
}

#[test]
fn rule_minimal_and_prohibit() {
    assert_snapshot!(check(
        r#"article 13 {
  rule no-private-spaces: prohibit e.location in {"hotel_room", "toilet"}
  rule always: require true
}"#
    ));
}

#[test]
fn expression_precedence() {
    assert_snapshot!(check(
        r#"const A = a or b and not c == d
const B = (a or b) and not (c)
const C = not x.y.z in {1, 2, 100_000,}
const D = e.when >= 2025-07-14 and e.n != 0"#
    ));
}

#[test]
fn expression_literals() {
    assert_snapshot!(check(
        r#"const T = true
const F = false
const N = 100_000
const S = "quote \" backslash \\ newline \n tab \t unicode \u{4e2d}"
const DATE = 2024-02-29
const EMPTY = {}
const OUT_OF_SCOPE = {"research", "algorithm_training"}
const CMP = a < b or a <= b or a > b or a >= b"#
    ));
}

#[test]
fn names_that_contain_keywords() {
    assert_snapshot!(check(
        r#"article 1 {
  rule rule-x: on ruled e when e.and-more == notable require e.in_ == order
  rule 规则甲: on enrollment 当前 require 当前.存在性 == 真
}"#
    ));
}

#[test]
fn plain_require_of_a_name_before_blocks() {
    assert_snapshot!(check(
        r#"article 1 {
  rule a: require ok
  paragraph 2 { rule b: prohibit bad }
  第三款 { }
}
rule stray: require ok
article 2 { }"#
    ));
}

#[test]
fn exemptions() {
    assert_snapshot!(check(
        r#"article 2 {
  paragraph 2 {
    exempt any event e when e.purpose in {"research", "algorithm_training"}
    exempt match m when m.mode == verification
  }
}"#
    ));
}

#[test]
fn once_requirements() {
    assert_snapshot!(check(
        r#"article 9 {
  rule assessment-first:
    on enrollment e
    require once assessment a where a.processor == e.processor and e.purpose in a.purposes before
      reset by purpose_changed c where c.processor == a.processor
      reset by security_incident s where s.processor == a.processor and s.severity == major
  rule recent: on enrollment e require once notice n within 3 years before
  rule never: on enrollment e prohibit once refusal r where r.subject == e.subject before
}"#
    ));
}

#[test]
fn deadlines() {
    assert_snapshot!(check(
        r#"article 15 {
  rule retention:
    on enrollment e
    require deletion d where d.subject == e.subject within e.retention_days days after e
  rule filing: on x e require filing f within 30 working days
  rule transitional-filing:
    on size(enrolled[p]) reaches 100_000
    require filing f where f.processor == p by 2025-07-14
  rule records: on x e require archive a within 3 years after e
}"#
    ));
}

#[test]
fn transitional_threshold_before_effective() {
    let english = r#"article 15 {
  rule transitional-filing:
    on size(enrolled[p]) reaches 100_000 before effective
    require filing f where f.processor == p by 2025-07-14
}"#;
    assert_snapshot!(check(english));
    for chinese in [
        "第十五条 {\n  规则 transitional-filing:\n    对于 规模(enrolled[p]) 达到 100_000 施行之前\n    应当 filing f 满足 f.processor == p 截止 2025-07-14\n}",
        "第十五条 {\n  规则 transitional-filing:\n    对于 规模(enrolled[p]) 达到 100_000 施行前\n    应当 filing f 满足 f.processor == p 截止 2025-07-14\n}",
    ] {
        assert_eq!(tree_without_spans(chinese), tree_without_spans(english));
    }
}

#[test]
fn articles_of_unknown_number_and_cites() {
    let english = r#"article ? minors "Minors" {
  rule guardian:
    on enrollment e
    require e.ok
    message "m"
    cites "PIPL art. 31"
    cites "internal policy 4.2"
}"#;
    assert_snapshot!(check(english));
    let chinese = "第？条 minors \"Minors\" {\n  规则 guardian:\n    对于 enrollment e\n    应当 e.ok\n    说明 \"m\"\n    依据 \"PIPL art. 31\"\n    依据 \"internal policy 4.2\"\n}";
    assert_eq!(tree_without_spans(chinese), tree_without_spans(english));
}

#[test]
fn state_declarations() {
    assert_snapshot!(check(
        r#"state enrolled: set of subject per processor {
  on enrollment e: add e.subject
  on deletion d: remove d.subject
}
state incidents: counter per processor {
  on security_incident s: increment
  on incident_closed c: decrement
}"#
    ));
}

#[test]
fn calendar() {
    assert_snapshot!(check(
        r#"calendar {
  holiday 2027-10-01
  workday 2027-09-26
}"#
    ));
}

#[test]
fn chinese_clause_numbers() {
    assert_snapshot!(check(
        r#"第七条 { }
第15条 { }
第二十条 {
  第二款 {
    第一项 { 不可检查 "一" }
    第10项 { }
  }
}
第一百零一条"标题"{ }
第两百条 { }"#
    ));
}

#[test]
fn comments_and_full_width_blanks() {
    assert_snapshot!(check(
        "// a comment at the top\n　article 1 {　// full-width space before\n\t}\n// the end"
    ));
}

#[test]
fn full_width_punctuation() {
    assert_snapshot!(check(
        "第五条 {\n  规则 告知：对于 enrollment e 应当 存在（e.notice）\n}"
    ));
}

// ---------------------------------------------------------------------------------------------
// English and Chinese keywords give the same tree

const CHINESE_ARTICLE: &str = r#"第七条 "未成年人" {
  规则 监护人同意:
    对于 enrollment e
    当 e.legal_basis == consent 并且 存在(e.subject_age) 并且 e.subject_age < 14
    应当 存在(e.consent) 并且 e.consent.given_by == guardian
    说明 "consent for a child under 14 must come from a parent or guardian"
    中文说明 "不满十四周岁未成年人的人脸信息，应当取得其监护人的同意"
}"#;

const ENGLISH_ARTICLE: &str = r#"article 7 "未成年人" {
  rule 监护人同意:
    on enrollment e
    when e.legal_basis == consent and has(e.subject_age) and e.subject_age < 14
    require has(e.consent) and e.consent.given_by == guardian
    message "consent for a child under 14 must come from a parent or guardian"
    message_zh "不满十四周岁未成年人的人脸信息，应当取得其监护人的同意"
}"#;

#[test]
fn chinese_example_article() {
    assert_snapshot!(check(CHINESE_ARTICLE));
}

#[test]
fn chinese_example_article_equals_english_twin() {
    assert_eq!(
        tree_without_spans(CHINESE_ARTICLE),
        tree_without_spans(ENGLISH_ARTICLE)
    );
}

const ENGLISH_FILE: &str = r#"regulation measures-2025 {
  title "人脸识别技术应用安全管理办法"
  title_en "Measures"
  effective 2025-06-01
  timezone "Asia/Shanghai"
  outline "measures-2025.outline.txt"
  use vocabulary face from "../vocabulary/face.edict"
}
vocabulary face {
  common { processor: string }
  enum legal_basis { consent, law }
  record consent_info { separate: bool }
  event enrollment {
    subject_age?: int
    tags?: list of string
    purposes: set of string
  }
  event vendor_note open { }
}
const CHILD_AGE = 14
const FLAGS = {true, false}
state enrolled: set of subject per processor {
  on enrollment e: add e.subject
  on deletion d: remove d.subject
}
state incidents: counter per processor {
  on security_incident s: increment
  on closed c: decrement
}
calendar {
  holiday 2027-10-01
  workday 2027-09-26
}
article 2 {
  paragraph 2 {
    exempt any event e when e.purpose in {"research"}
    exempt match m when not (m.mode == verification) or m.x != 1
  }
}
article 9 {
  paragraph 1 {
    item 1 {
      rule assessment-first:
        on enrollment e
        require once assessment a where a.processor == e.processor within 3 years before
          reset by purpose_changed c where c.processor == a.processor
      not_checkable "partly"
    }
  }
  rule never: on enrollment e prohibit once refusal r before
  rule forbidden: on enrollment e when false prohibit e.x in e.y unless true
}
article 15 {
  rule retention:
    on enrollment e
    require deletion d where d.subject == e.subject within e.retention_days days after e
  rule filing: on enrollment e require filing f within 30 working days
  rule transitional:
    on size(enrolled[p]) reaches 100_000
    require filing f where f.processor == p by 2025-07-14
}"#;

const CHINESE_FILE: &str = r#"法规 measures-2025 {
  标题 "人脸识别技术应用安全管理办法"
  英文标题 "Measures"
  施行 2025-06-01
  时区 "Asia/Shanghai"
  纲要 "measures-2025.outline.txt"
  使用词汇 face 来自 "../vocabulary/face.edict"
}
词汇 face {
  公共 { processor: string }
  枚举 legal_basis { consent, law }
  记录 consent_info { separate: bool }
  事件 enrollment {
    subject_age?: int
    tags?: 列表 string
    purposes: 集合 string
  }
  事件 vendor_note 开放 { }
}
常量 CHILD_AGE = 14
常量 FLAGS = {真, 假}
状态 enrolled: 集合 subject 按 processor {
  对于 enrollment e: 加入 e.subject
  对于 deletion d: 移除 d.subject
}
状态 incidents: 计数 按 processor {
  对于 security_incident s: 递增
  对于 closed c: 递减
}
日历 {
  假日 2027-10-01
  调休工作日 2027-09-26
}
第二条 {
  第二款 {
    豁免 任何事件 e 当 e.purpose 属于 {"research"}
    豁免 match m 当 非 (m.mode == verification) 或者 m.x != 1
  }
}
第九条 {
  第一款 {
    第一项 {
      规则 assessment-first:
        对于 enrollment e
        应当 曾经 assessment a 满足 a.processor == e.processor 3 年 以内 之前
          重置于 purpose_changed c 满足 c.processor == a.processor
      不可检查 "partly"
    }
  }
  规则 never: 对于 enrollment e 不得 曾经 refusal r 之前
  规则 forbidden: 对于 enrollment e 当 假 不得 e.x 属于 e.y 除非 真
}
第十五条 {
  规则 retention:
    对于 enrollment e
    应当 deletion d 满足 d.subject == e.subject 自 e 之后 e.retention_days 日 以内
  规则 filing: 对于 enrollment e 应当 filing f 30 个工作日 以内
  规则 transitional:
    对于 规模(enrolled[p]) 达到 100_000
    应当 filing f 满足 f.processor == p 截止 2025-07-14
}"#;

#[test]
fn chinese_file_equals_english_twin() {
    assert_eq!(
        tree_without_spans(CHINESE_FILE),
        tree_without_spans(ENGLISH_FILE)
    );
}

#[test]
fn mixed_keywords_equal_english() {
    let mixed = r#"article 7 "未成年人" {
  规则 监护人同意:
    on enrollment e
    当 e.legal_basis == consent and 存在(e.subject_age) 并且 e.subject_age < 14
    require has(e.consent) 并且 e.consent.given_by == guardian
    说明 "consent for a child under 14 must come from a parent or guardian"
    message_zh "不满十四周岁未成年人的人脸信息，应当取得其监护人的同意"
}"#;
    assert_eq!(
        tree_without_spans(mixed),
        tree_without_spans(ENGLISH_ARTICLE)
    );
}

#[test]
fn english_file_tree() {
    assert_snapshot!(check(ENGLISH_FILE));
}

// ---------------------------------------------------------------------------------------------
// Errors

#[test]
fn error_missing_colon_after_rule_name() {
    assert_snapshot!(check(
        r#"article 7 {
  rule guardian-consent
    on enrollment e
    require has(e.consent)
}"#
    ));
}

#[test]
fn error_unclosed_brace_at_end_of_file() {
    assert_snapshot!(check(
        r#"article 7 {
  rule a: require true
"#
    ));
}

#[test]
fn error_unclosed_brace_before_next_article() {
    assert_snapshot!(check(
        r#"article 7 {
  paragraph 1 {
    rule a: require ok
}

article 8 {
  rule b: require false
}"#
    ));
}

#[test]
fn error_rule_parts_out_of_order() {
    assert_snapshot!(check(
        "article 1 {\n  rule a: require ok message_zh \"甲\" message \"a\"\n}"
    ));
}

#[test]
fn error_bad_dates() {
    assert_snapshot!(check(
        r#"calendar {
  holiday 2025-13-01
  holiday 2025-02-29
  holiday 2024-02-29
  workday 2025-7-1
  holiday 2025-04-31
  holiday 2025-00-10
}"#
    ));
}

#[test]
fn error_unknown_top_level_word() {
    assert_snapshot!(check(
        r#"policy faces {
  rule a: require true
}
article 7 { rule b: require true }"#
    ));
}

#[test]
fn error_two_broken_articles_both_reported() {
    assert_snapshot!(check(
        r#"article 1 {
  rule a: on enrollment e require e.x ==
}
article 2 {
  rule good: require true
}
article 3 {
  rule b on enrollment e require true
}
const AFTER = 1"#
    ));
}

#[test]
fn error_recovery_inside_an_article_keeps_other_rules() {
    assert_snapshot!(check(
        r#"article 9 {
  rule first: require true
  rule broken: on enrollment e when e.x = 1 require true
  rule third: require false
  paragraph 2 {
    rule inner-broken: require once a x where before
    rule inner-good: require true
  }
  rule last: require true
}
article 10 { rule ok: require true }"#
    ));
}

#[test]
fn stray_rule_at_top_level() {
    assert_snapshot!(check(
        r#"rule outside: on enrollment e require true
exempt any event e when false
not_checkable "why"
article 1 { }"#
    ));
}

#[test]
fn error_article_number_not_a_number() {
    assert_snapshot!(check(
        r#"article seven {
  rule a: require true
}
paragraph x { }
article 8 { }"#
    ));
}

#[test]
fn error_bad_chinese_numeral() {
    assert_snapshot!(check("第十十条 { }\n第二款 { }\n第一零项 { }"));
}

#[test]
fn error_strings() {
    assert_snapshot!(check(
        "const A = \"bad \\q escape\"\nconst B = \"never closed\nconst C = \"\\u{d800}\"\nconst D = 1"
    ));
}

#[test]
fn error_chained_comparison() {
    assert_snapshot!(check("const A = a < b < c\nconst B = (a < b) == c"));
}

#[test]
fn error_glued_chinese_keyword() {
    assert_snapshot!(check("第七条 {\n  规则监护人同意: 应当 真\n}"));
}

#[test]
fn error_missing_require() {
    assert_snapshot!(check(
        "article 1 {\n  rule a: on enrollment e when true message \"m\"\n}"
    ));
}

#[test]
fn error_missing_expression() {
    assert_snapshot!(check(
        "article 1 {\n  rule a: on enrollment e when e.x == require true\n}"
    ));
}

#[test]
fn error_number_too_large() {
    assert_snapshot!(check(
        "const A = 99999999999999999999\narticle 99999999999 { }"
    ));
}

#[test]
fn error_bad_deadline() {
    assert_snapshot!(check(
        "article 1 {\n  rule a: on x e require filing f where f.p == e.p within 30 weeks\n}"
    ));
}

#[test]
fn error_stray_closing_brace_and_garbage() {
    assert_snapshot!(check("}\narticle 1 { }\n123 456\nconst X = 1"));
}

#[test]
fn error_empty_and_blank_files() {
    assert_snapshot!(check(""));
    assert_snapshot!("blank", check("  \n\n// only a comment\n"));
}

#[test]
fn error_deep_nesting() {
    let source = format!("const X = {}1{}", "(".repeat(100), ")".repeat(100));
    let (_, errors) = edict_grammar::parse(&source);
    assert_eq!(errors.len(), 1);
    assert!(errors[0].message.en.contains("nested"));
}

#[test]
fn error_long_not_chain() {
    let source = format!("const X = {}true", "not ".repeat(10_000));
    let (_, errors) = edict_grammar::parse(&source);
    assert_eq!(errors.len(), 1);
}
