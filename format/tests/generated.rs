//! Property tests on generated programs: random items, rules and expressions, keywords drawn
//! from both languages at random, random line breaks, blank lines and comments between tokens.
//!
//! For every program: formatting succeeds (the formatter itself checks that the tree and the
//! comments are unchanged), a second pass changes nothing, and English ↔ Chinese round trips
//! give back the same text.

use edict_format::{Lang, Options, format};
use proptest::prelude::*;

/// A token of the generated program: a keyword (in both spellings), or fixed text.
#[derive(Clone, Debug)]
enum Tok {
    Kw(&'static str, &'static str),
    Text(String),
}

fn kw(en: &'static str, zh: &'static str) -> Tok {
    Tok::Kw(en, zh)
}

fn text(s: impl Into<String>) -> Tok {
    Tok::Text(s.into())
}

/// Names that are no keyword in either language.
fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z][a-z0-9_]{0,6}".prop_filter("not a keyword", |s| {
            !edict_format::ENGLISH_WORDS.contains(&s.as_str())
        }),
        Just("名字".to_owned()),
        Just("监护人同意".to_owned()),
        Just("rule-x".to_owned()),
    ]
}

fn string_lit() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("\"a message\"".to_owned()),
        Just("\"含有 // 的说明\"".to_owned()),
        Just("\"escaped \\\" quote\"".to_owned()),
        Just("\"\"".to_owned()),
    ]
}

fn atom() -> impl Strategy<Value = Vec<Tok>> {
    prop_oneof![
        name().prop_map(|n| vec![text(n)]),
        (name(), name()).prop_map(|(a, b)| vec![text(a), text("."), text(b)]),
        (name(), name(), name()).prop_map(|(a, b, c)| vec![
            text(a),
            text("."),
            text(b),
            text("."),
            text(c)
        ]),
        (0u32..200_000).prop_map(|n| vec![text(n.to_string())]),
        Just(vec![text("100_000")]),
        string_lit().prop_map(|s| vec![text(s)]),
        Just(vec![text("2025-06-01")]),
        Just(vec![kw("true", "真")]),
        Just(vec![kw("false", "假")]),
        (name(), name()).prop_map(|(a, b)| vec![
            kw("has", "存在"),
            text("("),
            text(a),
            text("."),
            text(b),
            text(")")
        ]),
        prop::collection::vec(name(), 0..4).prop_map(|names| {
            let mut toks = vec![text("{")];
            for (i, n) in names.into_iter().enumerate() {
                if i > 0 {
                    toks.push(text(","));
                }
                toks.push(text(n));
            }
            toks.push(text("}"));
            toks
        }),
    ]
}

fn comparison() -> impl Strategy<Value = Vec<Tok>> {
    let op = prop_oneof![
        Just(text("==")),
        Just(text("!=")),
        Just(text("<")),
        Just(text("<=")),
        Just(text(">")),
        Just(text(">=")),
        Just(kw("in", "属于")),
    ];
    prop_oneof![
        atom(),
        (atom(), op, atom()).prop_map(|(mut l, op, r)| {
            l.push(op);
            l.extend(r);
            l
        }),
    ]
}

/// A condition: comparisons joined by `and`/`or`, with `not` and parentheses.
fn condition() -> impl Strategy<Value = Vec<Tok>> {
    comparison().prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(mut l, r)| {
                l.push(kw("and", "并且"));
                l.extend(r);
                l
            }),
            (inner.clone(), inner.clone()).prop_map(|(mut l, r)| {
                l.push(kw("or", "或者"));
                l.extend(r);
                l
            }),
            inner.clone().prop_map(|e| {
                let mut t = vec![kw("not", "非"), text("(")];
                t.extend(e);
                t.push(text(")"));
                t
            }),
            inner.prop_map(|e| {
                let mut t = vec![text("(")];
                t.extend(e);
                t.push(text(")"));
                t
            }),
        ]
    })
}

fn pattern() -> impl Strategy<Value = Vec<Tok>> {
    (name(), name(), prop::option::of(condition())).prop_map(|(event, var, cond)| {
        let mut t = vec![text(event), text(var)];
        if let Some(c) = cond {
            t.push(kw("where", "满足"));
            t.extend(c);
        }
        t
    })
}

fn duration() -> impl Strategy<Value = (Vec<Tok>, Tok)> {
    let unit = prop_oneof![
        Just(kw("days", "日")),
        Just(kw("working days", "个工作日")),
        Just(kw("years", "年")),
    ];
    let amount = prop_oneof![
        (1u32..400).prop_map(|n| vec![text(n.to_string())]),
        (name(), name()).prop_map(|(a, b)| vec![text(a), text("."), text(b)]),
    ];
    (amount, unit)
}

fn body() -> impl Strategy<Value = Vec<Tok>> {
    prop_oneof![
        condition().prop_map(|c| {
            let mut t = vec![kw("require", "应当")];
            t.extend(c);
            t
        }),
        condition().prop_map(|c| {
            let mut t = vec![kw("prohibit", "不得")];
            t.extend(c);
            t
        }),
        (
            any::<bool>(),
            pattern(),
            prop::option::of(duration()),
            prop::collection::vec(pattern(), 0..3)
        )
            .prop_map(|(forbid, p, within, resets)| {
                let mut t = vec![
                    if forbid {
                        kw("prohibit", "不得")
                    } else {
                        kw("require", "应当")
                    },
                    kw("once", "曾经"),
                ];
                t.extend(p);
                if let Some((amount, unit)) = within {
                    t.push(text("\u{1}within"));
                    t.extend(amount);
                    t.push(unit);
                    t.push(text("\u{1}end"));
                }
                t.push(kw("before", "之前"));
                for r in resets {
                    t.push(kw("reset by", "重置于"));
                    t.extend(r);
                }
                t
            }),
        (pattern(), duration(), prop::option::of(name())).prop_map(|(p, (amount, unit), after)| {
            let mut t = vec![kw("require", "应当")];
            t.extend(p);
            t.push(text("\u{1}deadline"));
            if let Some(a) = after {
                t.push(text("\u{1}after"));
                t.push(text(a));
            }
            t.extend(amount);
            t.push(unit);
            t.push(text("\u{1}end"));
            t
        }),
        (pattern(), (2020u32..2030, 1u32..13, 1u32..29)).prop_map(|(p, (y, m, d))| {
            let mut t = vec![kw("require", "应当")];
            t.extend(p);
            t.push(kw("by", "截止"));
            t.push(text(format!("{y}-{m:02}-{d:02}")));
            t
        }),
    ]
}

fn rule() -> impl Strategy<Value = Vec<Tok>> {
    (
        name(),
        prop_oneof![
            (name(), name()).prop_map(|(e, v)| vec![kw("on", "对于"), text(e), text(v)]),
            (name(), name(), any::<bool>()).prop_map(|(s, k, before)| {
                let mut t = vec![
                    kw("on", "对于"),
                    kw("size", "规模"),
                    text("("),
                    text(s),
                    text("["),
                    text(k),
                    text("]"),
                    text(")"),
                    kw("reaches", "达到"),
                    text("100_000"),
                ];
                if before {
                    t.push(kw("before effective", "施行之前"));
                }
                t
            }),
        ],
        prop::option::of(condition()),
        body(),
        prop::option::of(condition()),
        (any::<bool>(), any::<bool>()),
        prop::collection::vec(string_lit(), 0..2),
    )
        .prop_map(
            |(name, trigger, when, body, unless, (msg, msg_zh), cites)| {
                let mut t = vec![kw("rule", "规则"), text(name), text(":")];
                t.extend(trigger);
                if let Some(w) = when {
                    t.push(kw("when", "当"));
                    t.extend(w);
                }
                t.extend(body);
                if let Some(u) = unless {
                    t.push(kw("unless", "除非"));
                    t.extend(u);
                }
                if msg {
                    t.push(kw("message", "说明"));
                    t.push(text("\"an English message\""));
                }
                if msg_zh {
                    t.push(kw("message_zh", "中文说明"));
                    t.push(text("\"中文的说明\""));
                }
                for c in cites {
                    t.push(kw("cites", "依据"));
                    t.push(text(c));
                }
                t
            },
        )
}

fn entry(depth: u32) -> BoxedStrategy<Vec<Tok>> {
    let leaf = prop_oneof![
        4 => rule(),
        1 => (prop::option::of(name()), name(), condition()).prop_map(|(event, var, c)| {
            let mut t = vec![kw("exempt", "豁免")];
            match event {
                Some(e) => t.push(text(e)),
                None => t.push(kw("any event", "任何事件")),
            }
            t.push(text(var));
            t.push(kw("when", "当"));
            t.extend(c);
            t
        }),
        1 => string_lit().prop_map(|s| vec![kw("not_checkable", "不可检查"), text(s)]),
    ];
    if depth == 0 {
        return leaf.boxed();
    }
    prop_oneof![
        3 => leaf,
        1 => (1u32..12, any::<bool>(), prop::collection::vec(entry(depth - 1), 0..3)).prop_map(
            move |(n, is_item, entries)| {
                let mut t = vec![text(format!(
                    "\u{1}{}{n}",
                    if is_item { "item" } else { "paragraph" }
                ))];
                t.push(text("{"));
                t.extend(entries.into_iter().flatten());
                t.push(text("}"));
                t
            }
        ),
    ]
    .boxed()
}

fn item() -> impl Strategy<Value = Vec<Tok>> {
    prop_oneof![
        3 => (1u32..120, prop::option::of(string_lit()), prop::collection::vec(entry(2), 0..4))
            .prop_map(|(n, title, entries)| {
                let mut t = vec![text(format!("\u{1}article{n}"))];
                t.extend(title.map(text));
                t.push(text("{"));
                t.extend(entries.into_iter().flatten());
                t.push(text("}"));
                t
            }),
        1 => (name(), condition()).prop_map(|(n, c)| {
            let mut t = vec![kw("const", "常量"), text(n), text("=")];
            t.extend(c);
            t
        }),
        1 => (name(), name(), name(), prop::collection::vec((name(), name(), 0u8..4), 0..3))
            .prop_map(|(s, elem, key, updates)| {
                let mut t = vec![kw("state", "状态"), text(s), text(":"), kw("set of", "集合"), text(elem), kw("per", "按"), text(key), text("{")];
                for (e, v, op) in updates {
                    t.extend([kw("on", "对于"), text(e), text(v.clone()), text(":")]);
                    match op {
                        0 => t.extend([kw("add", "加入"), text(v), text("."), text("subject")]),
                        1 => t.extend([kw("remove", "移除"), text(v)]),
                        2 => t.push(kw("increment", "递增")),
                        _ => t.push(kw("decrement", "递减")),
                    }
                }
                t.push(text("}"));
                t
            }),
        1 => Just(vec![
            kw("regulation", "法规"), text("reg-x"), text("{"),
            kw("title", "标题"), text("\"标题\""),
            kw("effective", "施行"), text("2025-06-01"),
            kw("timezone", "时区"), text("\"Asia/Shanghai\""),
            kw("use vocabulary", "使用词汇"), text("v"), kw("from", "来自"), text("\"v.edict\""),
            kw("outline", "纲要"), text("\"o.txt\""),
            text("}"),
        ]),
        1 => (name(), prop::collection::vec(name(), 0..5), prop::collection::vec((name(), any::<bool>(), name()), 0..4))
            .prop_map(|(v, values, fields)| {
                let mut t = vec![kw("vocabulary", "词汇"), text(v), text("{"), kw("enum", "枚举"), text("kinds"), text("{")];
                for (i, value) in values.into_iter().enumerate() {
                    if i > 0 { t.push(text(",")); }
                    t.push(text(value));
                }
                t.extend([text("}"), kw("event", "事件"), text("thing"), kw("open", "开放"), text("{")]);
                for (f, optional, ty) in fields {
                    t.push(text(f));
                    if optional { t.push(text("?")); }
                    t.extend([text(":"), kw("list of", "列表"), text(ty)]);
                }
                t.extend([text("}"), text("}")]);
                t
            }),
        1 => Just(vec![kw("calendar", "日历"), text("{"), kw("holiday", "假日"), text("2027-10-01"), kw("workday", "调休工作日"), text("2027-09-26"), text("}")]),
    ]
}

/// What goes between two tokens.
fn separator() -> impl Strategy<Value = &'static str> {
    prop_oneof![
        8 => Just(" "),
        2 => Just("\n"),
        1 => Just("\n\n  "),
        1 => Just("   "),
        1 => Just(" // a trailing comment\n"),
        1 => Just("\n// an own-line comment\n"),
        1 => Just("\n\n// after a blank line\n\n"),
    ]
}

/// Writes the tokens with the keyword language chosen per keyword and the separators between.
fn render(tokens: &[Tok], zh: &[bool], seps: &[&str]) -> String {
    let mut out = String::new();
    let mut i = 0;
    let mut pending_zh_after: Option<String> = None;
    let mut deadline = false;
    let mut within = false;
    let mut amount: Vec<String> = Vec::new();
    let mut collecting = false;
    let mut n = 0;
    let emit = |out: &mut String, s: &str, n: &mut usize| {
        if !out.is_empty() {
            out.push_str(seps[*n % seps.len()]);
        }
        out.push_str(s);
        *n += 1;
    };
    while i < tokens.len() {
        let chinese = zh[i % zh.len()];
        let word = match &tokens[i] {
            Tok::Kw(en, zh_word) => {
                if chinese {
                    zh_word.to_string()
                } else {
                    en.to_string()
                }
            }
            Tok::Text(t) => t.clone(),
        };
        i += 1;
        // Markers for the constructs whose word order differs between the languages.
        if let Some(rest) = word.strip_prefix('\u{1}') {
            match rest {
                "within" | "deadline" => {
                    within = rest == "within";
                    deadline = rest == "deadline";
                    collecting = true;
                    amount.clear();
                }
                "after" => {
                    let var = match &tokens[i] {
                        Tok::Text(t) => t.clone(),
                        Tok::Kw(en, _) => en.to_string(),
                    };
                    i += 1;
                    pending_zh_after = Some(var);
                }
                "end" => {
                    collecting = false;
                    let amount_text = amount.join(" ");
                    if chinese {
                        if let Some(var) = pending_zh_after.take() {
                            emit(&mut out, &format!("自 {var} 之后"), &mut n);
                        }
                        emit(&mut out, &amount_text, &mut n);
                        emit(&mut out, "以内", &mut n);
                    } else {
                        emit(&mut out, "within", &mut n);
                        emit(&mut out, &amount_text, &mut n);
                        if let Some(var) = pending_zh_after.take() {
                            emit(&mut out, &format!("after {var}"), &mut n);
                        }
                    }
                    let _ = (deadline, within);
                }
                other => {
                    let (kind, number) =
                        other.split_at(other.find(|c: char| c.is_ascii_digit()).unwrap_or(0));
                    let number: u32 = number.parse().unwrap_or(1);
                    let written = match (kind, chinese) {
                        ("article", false) => format!("article {number}"),
                        ("paragraph", false) => format!("paragraph {number}"),
                        ("item", false) => format!("item {number}"),
                        ("article", true) => {
                            format!("第{}条", edict_grammar::format_chinese_numeral(number))
                        }
                        ("paragraph", true) => format!("第{number}款"),
                        _ => format!("第{}项", edict_grammar::format_chinese_numeral(number)),
                    };
                    emit(&mut out, &written, &mut n);
                }
            }
            continue;
        }
        if collecting {
            amount.push(word);
            continue;
        }
        emit(&mut out, &word, &mut n);
    }
    out.push('\n');
    out
}

fn program() -> impl Strategy<Value = String> {
    (
        prop::collection::vec(item(), 1..5),
        prop::collection::vec(any::<bool>(), 1..7),
        prop::collection::vec(separator(), 1..23),
    )
        .prop_map(|(items, zh, seps)| {
            let tokens: Vec<Tok> = items.into_iter().flatten().collect();
            render(&tokens, &zh, &seps)
        })
}

fn with(keywords: Lang) -> Options {
    Options {
        keywords: Some(keywords),
        ..Options::default()
    }
}

/// One generated program: formats, to a fixed point, and translates both ways.
fn check(source: &str) -> Result<(), TestCaseError> {
    let (_, errors) = edict_grammar::parse(source);
    prop_assert!(
        errors.is_empty(),
        "the generator wrote a program that does not parse: {errors:?}\n{source}"
    );
    let once = format(source, &Options::default());
    prop_assert!(once.is_ok(), "{:?}\n{source}", once);
    let once = once.unwrap_or_default();
    prop_assert_eq!(format(&once, &Options::default()).ok(), Some(once.clone()));
    let en = format(source, &with(Lang::En)).unwrap_or_default();
    let zh = format(source, &with(Lang::Zh)).unwrap_or_default();
    prop_assert_eq!(format(&zh, &with(Lang::En)).ok(), Some(en.clone()));
    prop_assert_eq!(format(&en, &with(Lang::Zh)).ok(), Some(zh.clone()));
    prop_assert_eq!(format(&en, &Options::default()).ok(), Some(en));
    prop_assert_eq!(format(&zh, &Options::default()).ok(), Some(zh));
    Ok(())
}

#[test]
fn formatting_is_idempotent_and_translates_both_ways() {
    // Generating and shrinking nested strategies recurses deeply: give the runner room.
    let runner = std::thread::Builder::new().stack_size(64 << 20).spawn(|| {
        let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
            cases: 300,
            ..ProptestConfig::default()
        });
        runner.run(&program(), |source| check(&source))
    });
    let outcome = match runner {
        Ok(handle) => handle.join(),
        Err(e) => panic!("cannot start the test thread: {e}"),
    };
    match outcome {
        Ok(Ok(())) => {}
        Ok(Err(e)) => panic!("{e}"),
        Err(_) => panic!("the property test panicked"),
    }
}
