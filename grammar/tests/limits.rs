//! Inputs of hostile size: long chains, deep nesting and long words. Each was found by a fuzzing
//! campaign (a stack overflow, or time growing with the square of the input) and is kept here.

mod common;

use common::spans_are_valid;
use edict_grammar::ast::{Expr, ExprKind, Item, LogicOp, MAX_EXPR_DEPTH};
use edict_grammar::parse;

/// The value of `const A = …` in a file of one constant.
fn constant(source: &str) -> (Expr, Vec<String>) {
    let (file, errors) = parse(source);
    assert!(spans_are_valid(source, &file));
    let messages = errors.iter().map(|e| e.message.en.clone()).collect();
    match file.items.into_iter().next() {
        Some(Item::Const(c)) => (c.value, messages),
        other => panic!("expected a constant, got {other:?} and {messages:?}"),
    }
}

#[test]
fn a_long_chain_of_and_is_one_node() {
    // 100,000 terms: a stack overflow when each `and` was a node of its own.
    let terms: Vec<String> = (0..100_000).map(|i| format!("e.f == {i}")).collect();
    let source = format!("const A = {}", terms.join(" and "));
    let (value, errors) = constant(&source);
    assert_eq!(errors, Vec::<String>::new());
    let ExprKind::Logic(LogicOp::And, operands) = &value.kind else {
        panic!("expected an `and` chain, got {:?}", value.kind);
    };
    assert_eq!(operands.len(), 100_000);
    assert!(matches!(operands[99_999].kind, ExprKind::Binary(..)));
}

#[test]
fn or_of_ands_nests_by_precedence_only() {
    let (value, errors) = constant("const A = a and b or c and d and e or f");
    assert!(errors.is_empty(), "{errors:?}");
    let ExprKind::Logic(LogicOp::Or, operands) = &value.kind else {
        panic!("{:?}", value.kind);
    };
    let sizes: Vec<usize> = operands
        .iter()
        .map(|o| match &o.kind {
            ExprKind::Logic(LogicOp::And, inner) => inner.len(),
            _ => 1,
        })
        .collect();
    assert_eq!(sizes, [2, 3, 1]);
}

#[test]
fn parentheses_keep_a_chain_of_their_own() {
    let (value, errors) = constant("const A = (a and b) and c");
    assert!(errors.is_empty(), "{errors:?}");
    let ExprKind::Logic(LogicOp::And, operands) = &value.kind else {
        panic!("{:?}", value.kind);
    };
    assert_eq!(operands.len(), 2);
    assert!(matches!(&operands[0].kind, ExprKind::Logic(LogicOp::And, inner) if inner.len() == 2));
}

#[test]
fn a_long_field_path_is_refused_past_the_depth_limit() {
    let source = format!("const A = e{} == 1", ".f".repeat(20_000));
    let (value, errors) = constant(&source);
    assert_eq!(
        errors,
        [format!(
            "this expression nests operators more than {MAX_EXPR_DEPTH} deep"
        )]
    );
    assert!(depth(&value) <= MAX_EXPR_DEPTH);
}

#[test]
fn the_deepest_expression_allowed_parses() {
    // `not` nested MAX_EXPR_DEPTH - 1 times around a name.
    let source = format!("const A = {}x", "not ".repeat(MAX_EXPR_DEPTH - 1));
    let (value, errors) = constant(&source);
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(depth(&value), MAX_EXPR_DEPTH);
    let source = format!("const A = {}x", "not ".repeat(MAX_EXPR_DEPTH));
    let (value, errors) = constant(&source);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(matches!(value.kind, ExprKind::Error));
}

#[test]
fn alternating_chains_in_parentheses_are_refused_past_the_depth_limit() {
    let mut condition = "x".to_owned();
    for i in 0..60 {
        let op = if i % 2 == 0 { "and" } else { "or" };
        condition = format!("(y {op} {condition})");
    }
    let (value, errors) = constant(&format!("const A = {condition}"));
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].contains("more than 32 deep"), "{errors:?}");
    assert!(depth(&value) <= MAX_EXPR_DEPTH);
}

#[test]
fn a_long_chain_of_comparisons_is_reported_once() {
    let source = format!("const A = {}", vec!["x"; 20_000].join(" == "));
    let (_, errors) = constant(&source);
    assert_eq!(
        errors,
        [
            "comparisons cannot be chained: `==` follows another comparison".to_owned(),
            format!("this expression nests operators more than {MAX_EXPR_DEPTH} deep"),
        ]
    );
}

#[test]
fn a_long_word_where_an_item_is_expected_is_reported_at_once() {
    // 13.5 s for 10,000 characters when each prefix of the word was tried as a keyword.
    let source = "a".repeat(1_000_000);
    let (file, errors) = parse(&source);
    assert!(file.items.is_empty());
    assert_eq!(errors.len(), 1);
    let shown = format!("`{}…`", "a".repeat(40));
    assert_eq!(
        errors[0].message.en,
        format!(
            "expected `regulation`, `vocabulary`, `article`, `const`, `state` or `calendar`, \
             found {shown}"
        )
    );
}

#[test]
fn a_long_word_inside_a_rule_is_reported_at_once() {
    let source = format!(
        "article 1 {{\n  rule r:\n    on x e\n    {} e.a\n}}\n",
        "规".repeat(300_000)
    );
    let (file, errors) = parse(&source);
    assert!(spans_are_valid(&source, &file));
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].message.en.starts_with("expected"), "{errors:?}");
}

/// How deeply operators nest in an expression (a name is 1); an `and`/`or` chain counts once.
fn depth(expr: &Expr) -> usize {
    match &expr.kind {
        ExprKind::Field(inner, _) | ExprKind::Has(inner) | ExprKind::Unary(_, inner) => {
            depth(inner) + 1
        }
        ExprKind::Binary(_, lhs, rhs) => depth(lhs).max(depth(rhs)) + 1,
        ExprKind::Set(items) | ExprKind::Logic(_, items) => {
            items.iter().map(depth).max().unwrap_or(0) + 1
        }
        _ => 1,
    }
}

#[test]
fn integer_fields_take_bounds() {
    let source = "vocabulary v { event e { age?: int >= 0 <= 150\n  delta: int >= -5\n  n: int } }";
    let (file, errors) = parse(source);
    assert!(errors.is_empty(), "{errors:?}");
    let Some(Item::Vocabulary(v)) = file.items.first() else {
        panic!("a vocabulary");
    };
    let edict_grammar::ast::VocabDecl::Event { fields, .. } = &v.decls[0] else {
        panic!("an event");
    };
    let bounds: Vec<Vec<(bool, i64)>> = fields
        .iter()
        .map(|f| f.bounds.iter().map(|b| (b.at_least, b.value)).collect())
        .collect();
    assert_eq!(
        bounds,
        [vec![(true, 0), (false, 150)], vec![(true, -5)], vec![]]
    );
}

#[test]
fn a_type_nested_past_the_limit_is_refused() {
    // Thousands of nested lists parsed, and then could not be read back from a bundle.
    let ok = format!(
        "vocabulary v {{ event e {{ f: {}int }} }}",
        "list of ".repeat(8)
    );
    assert!(parse(&ok).1.is_empty());
    let deep = format!(
        "vocabulary v {{ event e {{ f: {}int }} }}",
        "list of ".repeat(100)
    );
    let (file, errors) = parse(&deep);
    assert!(spans_are_valid(&deep, &file));
    let messages: Vec<&str> = errors.iter().map(|e| e.message.en.as_str()).collect();
    assert_eq!(
        messages,
        ["this type nests `list of` and `set of` more than 8 deep"]
    );
}
