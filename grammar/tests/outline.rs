//! Segmenting regulation text into articles, paragraphs and items.

mod common;

use common::line_col;
use edict_grammar::outline::{Outline, OutlineError, segment};
use edict_runtime::ir::{ArticleRef, ClauseRef};
use insta::assert_snapshot;

/// Renders the clause tree with the first words of each clause, then the errors.
fn check(text: &str) -> String {
    let (outline, errors) = segment(text);
    let mut out = format!("----- SOURCE\n{text}\n----- OUTLINE\n");
    out.push_str(&render(text, &outline));
    if !errors.is_empty() {
        out.push_str("----- ERRORS\n");
        out.push_str(&render_errors(text, &errors));
    }
    out
}

fn excerpt(text: &str, span: edict_grammar::ast::Span) -> String {
    let s = text[span.range()].replace('\n', "⏎");
    let short: String = s.chars().take(12).collect();
    if short.len() < s.len() {
        format!("{short}…")
    } else {
        short
    }
}

fn render(text: &str, outline: &Outline) -> String {
    let mut out = String::new();
    for article in &outline.articles {
        let (line, _) = line_col(text, article.span.start);
        out.push_str(&format!(
            "article {} (line {line}): {}\n",
            ClauseRef::article(article.article.clone()).short(),
            excerpt(text, article.span)
        ));
        for paragraph in &article.paragraphs {
            out.push_str(&format!(
                "  paragraph {}: {}\n",
                paragraph.number,
                excerpt(text, paragraph.span)
            ));
            for item in &paragraph.items {
                out.push_str(&format!(
                    "    item {}: {}\n",
                    item.number,
                    excerpt(text, item.span)
                ));
            }
        }
    }
    out
}

fn render_errors(text: &str, errors: &[OutlineError]) -> String {
    errors
        .iter()
        .map(|e| {
            let (line, col) = line_col(text, e.span.start);
            format!(
                "{line}:{col}: {}  [at `{}`]\n",
                e.message.en,
                &text[e.span.range()]
            )
        })
        .collect()
}

const SAMPLE: &str = "人脸识别技术应用安全管理办法

第一章　总　则

第一条　为了规范应用人脸识别技术处理个人信息的活动，制定本办法。
第二条　在中华人民共和国境内应用人脸识别技术处理人脸信息的活动，适用本办法。
　　从事人脸识别技术研发、算法训练活动的，不适用本办法。

第二章　基本要求

第五条　个人信息处理者在处理人脸信息前，应当告知下列事项：
　　（一）个人信息处理者的名称或者姓名和联系方式；
　　（二）处理人脸信息的目的、处理方式；
　　(三) 人脸信息的保存期限；
　　前款规定事项发生变更的，应当将变更部分告知个人。
第7条 处理不满十四周岁未成年人人脸信息的，应当取得其父母或者其他监护人的同意。
第十五条
（1）第一项；
（2）第二项，参见第五条。
第一百零一条　附则。
";

#[test]
fn sample_with_chapters_paragraphs_and_items() {
    assert_snapshot!(check(SAMPLE));
}

fn number(n: u32) -> ArticleRef {
    ArticleRef::Number(n)
}

#[test]
fn lookups() {
    let (outline, errors) = segment(SAMPLE);
    assert!(errors.is_empty());
    let article = outline.article(&number(5)).expect("article 5");
    assert_eq!(article.paragraphs.len(), 2);
    let first = article.paragraph(1).expect("paragraph 1");
    assert_eq!(first.items.len(), 3);
    assert!(first.item(3).is_some());
    assert!(first.item(4).is_none());
    assert!(article.paragraph(3).is_none());
    assert_eq!(
        outline.article(&number(2)).map(|a| a.paragraphs.len()),
        Some(2)
    );
    assert!(outline.article(&number(3)).is_none());
    assert!(outline.article(&number(101)).is_some());
    assert_eq!(outline.last_number(), Some(101));
}

#[test]
fn repeated_and_backward_articles_are_errors() {
    assert_snapshot!(check(
        "第一条　甲。\n第三条　乙。\n第三条　丙。\n　　丙的第二款。\n第二条　丁。\n第四条　戊。\n（一）一；\n（一）重复；\n第十十条　坏。\n"
    ));
}

#[test]
fn windows_line_endings_and_empty_text() {
    let (outline, errors) = segment("第一条　甲。\r\n　　乙。\r\n");
    assert!(errors.is_empty());
    assert_eq!(outline.articles[0].paragraphs.len(), 2);
    let (outline, errors) = segment("");
    assert!(outline.articles.is_empty() && errors.is_empty());
}

#[test]
fn articles_of_unknown_number_are_found_by_key() {
    let text = "第四条　甲。\n第？条【minors】未成年人。\n　　第二款。\n第六条　乙。\n第?条 【filing】备案。\n第？条【minors】重复。\n第？条　没有键。\n";
    let (outline, errors) = segment(text);
    let minors = outline
        .article(&ArticleRef::Key("minors".into()))
        .expect("the minors article");
    assert_eq!(minors.paragraphs.len(), 2);
    assert!(outline.article(&ArticleRef::Key("filing".into())).is_some());
    assert!(outline.article(&number(6)).is_some());
    assert_eq!(outline.keys().collect::<Vec<_>>(), ["minors", "filing"]);
    assert!(
        outline.article(&number(0)).is_none(),
        "an unknown number is not article 0"
    );
    let messages: Vec<&str> = errors.iter().map(|e| e.message.en.as_str()).collect();
    assert_eq!(
        messages,
        [
            "article 【minors】 appears twice",
            "`第？条` needs a key naming the article: write `第？条【key】`"
        ]
    );
}
