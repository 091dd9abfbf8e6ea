//! Turning pest's errors into messages a person reads, in English and in Chinese.
//!
//! pest reports the rules it tried at the furthest position it reached.
//! [`describe`] is the one rename table from rule names to words ("a name", "`}`"), in both
//! languages: the Chinese list names the Chinese keywords (`应当`, not `require`); the rest of
//! this module names what was found instead, shortens long lists, and adds help where a fix is
//! likely (a misspelt keyword, `=` for `==`, `&&` for `and`, a `{` never closed).

use pest::Parser;
use pest::error::{Error, ErrorVariant, InputLocation};

use super::ParseError;
use super::grammar::{EdictParser, Rule};
use super::scan;
use crate::ast::Span;
use crate::text::{Text, join_or};
use crate::tr;
use suggest::misspelt_keyword;

mod suggest;

/// What may stand at the top level of a file, as listed in messages.
fn top_level() -> Text {
    tr!(
        "`regulation`, `vocabulary`, `article`, `const`, `state` or `calendar`",
        "`法规`、`词汇`、`第N条`、`常量`、`状态`或`日历`"
    )
}

/// The words a person reads for a rule, in English and in Chinese (where the Chinese keyword is
/// named), or `None` for rules that are never worth naming.
fn describe(rule: Rule) -> Option<(&'static str, &'static str)> {
    use Rule::*;
    Some(match rule {
        EOI => ("end of file", "文件结尾"),
        WHITESPACE | COMMENT | gap | file | item_step | item_pair_step | entry_pair_step
        | top_item | stray | header_field | vocab_decl | field_list | type_expr | clause_entry
        | entry_step | open_step | trigger | rule_body | deadline | duration_unit | state_kind
        | state_op | calendar_entry | prefix_op | postfix_op | infix_op | primary | name
        | reserved | deadline_head | next_start | ident_start | ident_char | string_text => {
            return None;
        }
        regulation => ("`regulation`", "`法规`"),
        title_field => ("`title`", "`标题`"),
        title_en_field => ("`title_en`", "`英文标题`"),
        effective_field => ("`effective`", "`施行`"),
        timezone_field => ("`timezone`", "`时区`"),
        outline_field => ("`outline`", "`纲要`"),
        use_vocabulary_field => ("`use vocabulary`", "`使用词汇`"),
        calendar_field => ("`calendar`", "`日历`"),
        vocabulary => ("`vocabulary`", "`词汇`"),
        common_decl => ("`common`", "`公共`"),
        roles_decl => ("`roles`", "`角色`"),
        role_entry => ("a role", "角色"),
        partition_decl => ("`partition by`", "`分区于`"),
        enum_decl => ("`enum`", "`枚举`"),
        record_decl => ("`record`", "`记录`"),
        event_decl => ("`event`", "`事件`"),
        field_decl => ("a field", "字段"),
        list_type => ("`list of`", "`列表`"),
        set_type => ("`set of`", "`集合`"),
        article | article_open | article_number | zh_article | kw_article | unknown_article
        | zh_unknown_article => ("`article`", "`第N条`"),
        question_mark => ("`?`", "`？`"),
        paragraph | paragraph_open | paragraph_number | zh_paragraph | kw_paragraph => {
            ("`paragraph`", "`第N款`")
        }
        item | item_open | item_number | zh_item | kw_item => ("`item`", "`第N项`"),
        zh_number => ("a clause number", "条款编号"),
        not_checkable => ("`not_checkable`", "`不可检查`"),
        exempt => ("`exempt`", "`豁免`"),
        rule_decl => ("`rule`", "`规则`"),
        event_trigger | size_trigger => ("`on`", "`对于`"),
        when_clause => ("`when`", "`当`"),
        unless_clause => ("`unless`", "`除非`"),
        message_clause => ("`message`", "`说明`"),
        message_zh_clause => ("`message_zh`", "`中文说明`"),
        cites_clause | kw_cites => ("`cites`", "`依据`"),
        require_once | require_deadline | require_expr => ("`require`", "`应当`"),
        prohibit_once | prohibit_expr => ("`prohibit`", "`不得`"),
        once => ("`once`", "`曾经`"),
        once_within => ("`within`", "`以内`"),
        reset => ("`reset by`", "`重置于`"),
        event_pattern => ("an event type", "事件类型"),
        within_after => ("`within`", "`以内`"),
        since_within_zh => ("a duration", "时长"),
        by_date => ("`by`", "`截止`"),
        duration => ("a duration", "时长"),
        const_decl => ("`const`", "`常量`"),
        state_decl => ("`state`", "`状态`"),
        set_state => ("`set of`", "`集合`"),
        counter_state => ("`counter`", "`计数`"),
        state_update => ("`on`", "`对于`"),
        add_op => ("`add`", "`加入`"),
        remove_op => ("`remove`", "`移除`"),
        increment_op => ("`increment`", "`递增`"),
        decrement_op => ("`decrement`", "`递减`"),
        calendar => ("`calendar`", "`日历`"),
        holiday => ("`holiday`", "`假日`"),
        workday => ("`workday`", "`调休工作日`"),
        expr => ("an expression", "表达式"),
        field_access => ("`.`", "`.`"),
        has_call => ("`has`", "`存在`"),
        set_literal => ("`{`", "`{`"),
        paren_expr => ("`(`", "`(`"),
        ident => ("a name", "名称"),
        int => ("a number", "数字"),
        date => ("a date", "日期"),
        string => ("a string", "字符串"),
        escape => ("an escape", "转义序列"),
        lbrace => ("`{`", "`{`"),
        rbrace => ("`}`", "`}`"),
        lparen => ("`(`", "`(`"),
        rparen => ("`)`", "`)`"),
        lbracket => ("`[`", "`[`"),
        rbracket => ("`]`", "`]`"),
        colon => ("`:`", "`:`"),
        comma => ("`,`", "`,`"),
        dot => ("`.`", "`.`"),
        question => ("`?`", "`？`"),
        assign => ("`=`", "`=`"),
        eq => ("`==`", "`==`"),
        ne => ("`!=`", "`!=`"),
        le => ("`<=`", "`<=`"),
        lt => ("`<`", "`<`"),
        ge => ("`>=`", "`>=`"),
        gt => ("`>`", "`>`"),
        kw_regulation => ("`regulation`", "`法规`"),
        kw_title => ("`title`", "`标题`"),
        kw_title_en => ("`title_en`", "`英文标题`"),
        kw_effective => ("`effective`", "`施行`"),
        kw_timezone => ("`timezone`", "`时区`"),
        kw_outline => ("`outline`", "`纲要`"),
        kw_use_vocabulary => ("`use vocabulary`", "`使用词汇`"),
        kw_from => ("`from`", "`来自`"),
        kw_vocabulary => ("`vocabulary`", "`词汇`"),
        kw_common => ("`common`", "`公共`"),
        kw_roles => ("`roles`", "`角色`"),
        kw_partition_by => ("`partition by`", "`分区于`"),
        kw_enum => ("`enum`", "`枚举`"),
        kw_record => ("`record`", "`记录`"),
        kw_event => ("`event`", "`事件`"),
        kw_open => ("`open`", "`开放`"),
        kw_list_of => ("`list of`", "`列表`"),
        kw_set_of => ("`set of`", "`集合`"),
        kw_not_checkable => ("`not_checkable`", "`不可检查`"),
        kw_rule => ("`rule`", "`规则`"),
        kw_on => ("`on`", "`对于`"),
        kw_when => ("`when`", "`当`"),
        kw_require => ("`require`", "`应当`"),
        kw_prohibit => ("`prohibit`", "`不得`"),
        kw_unless => ("`unless`", "`除非`"),
        kw_message => ("`message`", "`说明`"),
        kw_message_zh => ("`message_zh`", "`中文说明`"),
        kw_exempt => ("`exempt`", "`豁免`"),
        kw_any_event => ("`any event`", "`任何事件`"),
        kw_and => ("`and`", "`并且`"),
        kw_or => ("`or`", "`或者`"),
        kw_not => ("`not`", "`非`"),
        kw_in => ("`in`", "`属于`"),
        kw_has => ("`has`", "`存在`"),
        kw_true => ("`true`", "`真`"),
        kw_false => ("`false`", "`假`"),
        kw_const => ("`const`", "`常量`"),
        kw_once => ("`once`", "`曾经`"),
        kw_before => ("`before`", "`之前`"),
        kw_where => ("`where`", "`满足`"),
        kw_reset_by => ("`reset by`", "`重置于`"),
        kw_within => ("`within`", "`以内`"),
        kw_within_zh => ("`以内`", "`以内`"),
        kw_after => ("`after`", "`之后`"),
        kw_since_zh => ("`自`", "`自`"),
        kw_after_zh => ("`之后`", "`之后`"),
        kw_by => ("`by`", "`截止`"),
        kw_days => ("`days`", "`日`"),
        kw_working_days => ("`working days`", "`个工作日`"),
        kw_years => ("`years`", "`年`"),
        kw_state => ("`state`", "`状态`"),
        kw_per => ("`per`", "`按`"),
        kw_counter => ("`counter`", "`计数`"),
        kw_add => ("`add`", "`加入`"),
        kw_remove => ("`remove`", "`移除`"),
        kw_increment => ("`increment`", "`递增`"),
        kw_decrement => ("`decrement`", "`递减`"),
        kw_size => ("`size`", "`规模`"),
        kw_reaches => ("`reaches`", "`达到`"),
        before_effective => ("`before effective`", "`施行之前`"),
        kw_before_effective_zh => ("`施行之前`", "`施行之前`"),
        kw_calendar => ("`calendar`", "`日历`"),
        kw_holiday => ("`holiday`", "`假日`"),
        kw_workday => ("`workday`", "`调休工作日`"),
    })
}

/// Rules that only continue what came before (an operator after a complete operand); they are
/// left out of a list that names anything else.
fn is_continuation(rule: Rule) -> bool {
    use Rule::*;
    matches!(
        rule,
        field_access | dot | kw_or | kw_and | eq | ne | le | lt | ge | gt | kw_in
    )
}

/// Rules that begin an operand; a list holding most of them is said as "an expression".
fn is_operand_start(rule: Rule) -> bool {
    use Rule::*;
    matches!(
        rule,
        expr | kw_not
            | kw_true
            | kw_false
            | date
            | int
            | string
            | kw_has
            | has_call
            | lbrace
            | set_literal
            | lparen
            | paren_expr
            | ident
    )
}

/// The token an error points at.
struct Found {
    span: Span,
    /// `None` at the end of the file.
    text: Option<String>,
    /// Whether the token is a name or keyword (as opposed to a number or punctuation).
    is_word: bool,
}

impl Found {
    /// Reads the token at `pos`, after any blanks and comments.
    fn at(source: &str, pos: usize) -> Found {
        let pos = scan::skip_trivia(source, pos.min(source.len()));
        let rest = &source[pos..];
        let Some(first) = rest.chars().next() else {
            return Found {
                span: Span::new(pos, pos),
                text: None,
                is_word: false,
            };
        };
        let is_word_char = |c: char| c.is_alphanumeric() || c == '_' || c == '-';
        let len = if first.is_alphanumeric() || first == '_' {
            rest.find(|c: char| !is_word_char(c)).unwrap_or(rest.len())
        } else if first == '"' {
            string_len(rest).unwrap_or_else(|| rest.find('\n').unwrap_or(rest.len()))
        } else if ["==", "!=", "<=", ">=", "&&", "||"]
            .iter()
            .any(|op| rest.starts_with(op))
        {
            2
        } else {
            first.len_utf8()
        };
        Found {
            span: Span::new(pos, pos + len),
            text: Some(rest[..len].to_owned()),
            is_word: first.is_alphabetic() || first == '_',
        }
    }

    /// How a message names the token.
    fn describe(&self) -> Text {
        match &self.text {
            None => tr!("end of file", "文件结尾"),
            Some(text) if text.starts_with('"') => tr!("a string", "字符串"),
            Some(text) => Text::verbatim(format!("`{text}`")),
        }
    }
}

/// The length of the string literal at the start of `text`, quotes included, if it is closed
/// on its line.
fn string_len(text: &str) -> Option<usize> {
    let mut chars = text.char_indices().skip(1);
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Some(i + 1),
            '\\' => {
                chars.next();
            }
            '\n' => return None,
            _ => {}
        }
    }
    None
}

/// Where a pest error lies in the text that was parsed.
pub(super) fn offset(error: &Error<Rule>) -> usize {
    match error.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((start, _)) => start,
    }
}

/// "expected …, found …" in both languages.
fn expected_found(expected: &Text, found: &Found) -> Text {
    let found = found.describe();
    let (expected_en, expected_zh, found_en, found_zh) =
        (&expected.en, &expected.zh, &found.en, &found.zh);
    tr!(
        "expected {expected_en}, found {found_en}",
        "此处应为{expected_zh}，却是{found_zh}"
    )
}

/// Turns a pest error for the text starting at `base` into a [`ParseError`].
///
/// `item_start` is where the enclosing top-level item begins: help looks from there for a `{`
/// that was never closed.
pub(super) fn from_pest(
    source: &str,
    item_start: usize,
    base: usize,
    error: &Error<Rule>,
) -> ParseError {
    let pos = base + offset(error);
    let positives = match &error.variant {
        ErrorVariant::ParsingError { positives, .. } => positives.clone(),
        ErrorVariant::CustomError { .. } => Vec::new(),
    };
    let found = Found::at(source, pos);
    if positives.contains(&Rule::escape) {
        return string_problem(source, pos);
    }

    // A block left open: the file ends, or the next item starts, where a `}` was due. The `}`
    // is missing after the last thing the block holds, so that is where the error points.
    if positives.contains(&Rule::rbrace)
        && (found.text.is_none() || scan::starts_top_level(source, found.span.start as usize))
        && let Some(open) = scan::unclosed_brace(source, item_start, found.span.start as usize)
    {
        let end = source[..found.span.start as usize].trim_end().len();
        let line = line_of(source, open);
        let (next_en, next_zh) = match found.text.as_deref() {
            None => ("the end of the file".to_owned(), "文件结尾".to_owned()),
            Some(word) => (
                format!(
                    "`{word}` on line {}",
                    line_of(source, found.span.start as usize)
                ),
                format!(
                    "第{}行的`{word}`",
                    line_of(source, found.span.start as usize)
                ),
            ),
        };
        return ParseError {
            span: Span::new(end, end),
            message: tr!(
                "the `{{` on line {line} is never closed",
                "第{line}行的`{{`没有对应的`}}`"
            ),
            help: Some(tr!(
                "add `}}` here, before {next_en}",
                "在此处、{next_zh}之前加上`}}`"
            )),
        };
    }

    let expected = expected_list(&positives);
    let message = if expected.is_empty() {
        let found = found.describe();
        let (found_en, found_zh) = (&found.en, &found.zh);
        tr!("unexpected {found_en}", "此处不应出现{found_zh}")
    } else {
        expected_found(&expected, &found)
    };
    let help = help_for(source, pos, &positives, &found);
    ParseError {
        span: found.span,
        message,
        help,
    }
}

/// What was expected, in words.
fn expected_list(positives: &[Rule]) -> Text {
    if positives.contains(&Rule::kw_regulation) {
        return top_level();
    }
    let only_continuations = positives.iter().all(|&r| is_continuation(r));
    let operands = positives.iter().filter(|&&r| is_operand_start(r)).count();
    let as_expression = positives.contains(&Rule::expr) || operands >= 3;
    let mut names: Vec<(&str, &str)> = Vec::new();
    for &rule in positives {
        let name = if is_continuation(rule) && !only_continuations {
            continue;
        } else if is_continuation(rule) {
            ("an operator", "运算符")
        } else if as_expression && is_operand_start(rule) {
            ("an expression", "表达式")
        } else if let Some(name) = describe(rule) {
            name
        } else {
            continue;
        };
        if !names.contains(&name) {
            names.push(name);
        }
    }
    names.sort_by_key(|(name, _)| rank(name));
    // After a complete entry, the next entry or the end of the block may follow: said in
    // fewer words than the five entries and the `}`.
    let entries = [
        "`rule`",
        "`exempt`",
        "`not_checkable`",
        "`paragraph`",
        "`item`",
    ];
    if entries.iter().all(|e| names.iter().any(|(en, _)| en == e))
        && names.iter().any(|(en, _)| *en == "`}`")
    {
        names.retain(|(en, _)| !entries.contains(en) && *en != "`}`");
        names.push(("the next entry", "下一个条目"));
        names.push(("`}`", "`}`"));
    }
    let words: Vec<Text> = names.iter().map(|(en, zh)| Text::new(*en, *zh)).collect();
    join_or(&words)
}

/// The order in which expected things are listed: an expression first, then keywords, the
/// entries of a block in their usual order, and the end of the block or file last.
fn rank(name: &str) -> u8 {
    match name {
        "an expression" => 0,
        "`rule`" => 2,
        "`exempt`" => 3,
        "`not_checkable`" => 4,
        "`paragraph`" => 5,
        "`item`" => 6,
        "`}`" | "end of file" => 7,
        _ => 1,
    }
}

/// The error for a string that stops at `pos`, inside it: an unknown escape, or the end of the
/// line or file before the closing quote.
fn string_problem(source: &str, pos: usize) -> ParseError {
    let rest = &source[pos..];
    if let Some(after) = rest.strip_prefix('\\') {
        let len = 1 + after.chars().next().map_or(0, char::len_utf8);
        let escape = &rest[..len];
        return ParseError {
            span: Span::new(pos, pos + len),
            message: tr!(
                "unknown escape `{escape}` in a string",
                "字符串中有未知的转义序列`{escape}`"
            ),
            help: Some(tr!(
                "the escapes are `\\\"`, `\\\\`, `\\n`, `\\t`, `\\r` and `\\u{{…}}`",
                "可用的转义序列有`\\\"`、`\\\\`、`\\n`、`\\t`、`\\r`和`\\u{{…}}`"
            )),
        };
    }
    ParseError {
        span: Span::new(opening_quote(source, pos), pos),
        message: tr!("this string is not closed", "这个字符串没有结束"),
        help: Some(tr!(
            "end it with `\"` on the same line",
            "在同一行用`\"`结束它"
        )),
    }
}

/// The opening quote of the string that is still open at `pos`, on the same line.
fn opening_quote(source: &str, pos: usize) -> usize {
    let line = source[..pos].rfind('\n').map_or(0, |i| i + 1);
    let mut open = None;
    let mut chars = source[line..pos].char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' if open.is_some() => open = None,
            '"' => open = Some(line + i),
            '\\' if open.is_some() => {
                chars.next();
            }
            _ => {}
        }
    }
    open.unwrap_or(pos)
}

/// Operators of other languages and the words Edict uses instead, in English and in Chinese.
const FOREIGN_OPERATORS: &[(&str, &str, &str)] = &[
    ("&&", "and", "并且"),
    ("&", "and", "并且"),
    ("||", "or", "或者"),
    ("|", "or", "或者"),
    ("!", "not", "非"),
    ("和", "and", "并且"),
    ("且", "and", "并且"),
    ("与", "and", "并且"),
    ("或", "or", "或者"),
];

/// Help for the common mistakes, when the error looks like one.
fn help_for(source: &str, pos: usize, positives: &[Rule], found: &Found) -> Option<Text> {
    let before = previous_words(source, pos);
    let previous = before.first().copied().unwrap_or("");
    let is = |rule: Rule, word: &str| EdictParser::parse(rule, word).is_ok();

    if positives.contains(&Rule::colon) && before.len() >= 2 && is(Rule::kw_rule, before[1]) {
        let keyword = before[1];
        return Some(tr!(
            "write `:` after the rule name, as in `rule {previous}:`",
            "在规则名称后写`:`，如`{keyword} {previous}:`"
        ));
    }
    if positives.contains(&Rule::int) {
        for (rule, word, chinese) in [
            (Rule::kw_article, "article", "第七条"),
            (Rule::kw_paragraph, "paragraph", "第二款"),
            (Rule::kw_item, "item", "第一项"),
        ] {
            if is(rule, previous) {
                return Some(tr!(
                    "a clause number is written in digits, as in `{word} 7`, or as `{chinese}`",
                    "条款编号用数字写，如`{word} 7`，或写作`{chinese}`"
                ));
            }
        }
    }
    if positives.contains(&Rule::date)
        && found
            .text
            .as_deref()
            .is_some_and(|t| t.starts_with(|c: char| c.is_ascii_digit()))
    {
        return Some(tr!(
            "write a date as `YYYY-MM-DD`, as in `2025-06-01`",
            "日期写作`YYYY-MM-DD`，如`2025-06-01`"
        ));
    }
    let rule_part = [
        Rule::kw_on,
        Rule::kw_when,
        Rule::kw_require,
        Rule::kw_prohibit,
        Rule::kw_unless,
        Rule::kw_message,
        Rule::kw_message_zh,
        Rule::kw_cites,
    ];
    let demands = [Rule::kw_require, Rule::kw_prohibit];
    if positives.contains(&Rule::kw_rule)
        && let Some(word) = found.text.as_deref()
        && rule_part.iter().any(|&rule| is(rule, word))
    {
        if demands.iter().any(|&rule| is(rule, word)) {
            return Some(tr!(
                "a rule has one `require` or `prohibit`: join the conditions with `and` (`prohibit x` is `require not x`), or write a second rule",
                "一条规则只有一个`应当`或`不得`：用`并且`连接条件（`不得 x`即`应当 非 x`），或另写一条规则"
            ));
        }
        return Some(tr!(
            "the parts of a rule come in this order: `on`, `when`, `require` or `prohibit`, `unless`, `message`, `message_zh`, `cites`",
            "规则的各部分依次为：`对于`、`当`、`应当`或`不得`、`除非`、`说明`、`中文说明`、`依据`"
        ));
    }
    if found.text.as_deref() == Some("=") {
        return Some(tr!(
            "compare with `==`; a single `=` only gives a constant or a default its value",
            "比较用`==`；单个`=`只用于给常量或默认值赋值"
        ));
    }
    if let Some(text) = found.text.as_deref()
        && let Some((_, en, zh)) = FOREIGN_OPERATORS.iter().find(|(op, ..)| *op == text)
    {
        return Some(tr!(
            "write `{en}` instead of `{text}`",
            "用`{zh}`代替`{text}`"
        ));
    }
    if found.is_word
        && let Some(help) = glued_keyword(positives, found)
    {
        return Some(help);
    }
    if found.is_word
        && let Some(help) = misspelt_keyword(positives, found)
    {
        return Some(help);
    }
    let demand = [Rule::require_expr, Rule::prohibit_expr, Rule::kw_require];
    if found.is_word
        && demand.iter().any(|rule| positives.contains(rule))
        && !found.text.as_deref().is_some_and(|w| is(Rule::reserved, w))
    {
        let word = found.text.as_deref().unwrap_or("…");
        return Some(tr!(
            "a rule's condition starts with `require` or `prohibit`, as in `require {word} …`",
            "规则的条件以`应当`或`不得`开头，如`应当 {word} …`"
        ));
    }
    if positives.contains(&Rule::kw_regulation) && found.is_word {
        return Some(tr!(
            "a file holds items such as `article 7 {{ … }}` or `const NAME = …`",
            "文件由`第七条 {{ … }}`、`常量 名称 = …`等项组成"
        ));
    }
    None
}

/// Help when a Chinese keyword is written against the name after it, as in `规则监护人同意`.
fn glued_keyword(positives: &[Rule], found: &Found) -> Option<Text> {
    let word = found.text.as_deref()?;
    for (i, _) in word.char_indices().skip(1) {
        let (keyword, rest) = word.split_at(i);
        let probe = format!("{keyword} ");
        let matches = positives.iter().any(|&rule| {
            is_keyword(rule)
                && EdictParser::parse(rule, &probe)
                    .ok()
                    .and_then(|mut pairs| pairs.next())
                    .is_some_and(|pair| pair.as_span().end() == keyword.len())
        });
        if matches {
            return Some(tr!(
                "separate the keyword `{keyword}` from `{rest}` with a space",
                "在关键字`{keyword}`和`{rest}`之间加一个空格"
            ));
        }
    }
    None
}

/// Whether a rule is a keyword (`kw_…`).
fn is_keyword(rule: Rule) -> bool {
    format!("{rule:?}").starts_with("kw_")
}

/// Up to two words before `pos`, nearest first.
fn previous_words(source: &str, pos: usize) -> Vec<&str> {
    let is_word_char = |c: char| c.is_alphanumeric() || c == '_' || c == '-';
    let mut words = Vec::new();
    let mut end = pos.min(source.len());
    for _ in 0..2 {
        let text = source[..end].trim_end();
        let start = text
            .char_indices()
            .rev()
            .take_while(|&(_, c)| is_word_char(c))
            .last()
            .map_or(text.len(), |(i, _)| i);
        if start == text.len() {
            break;
        }
        words.push(&text[start..]);
        end = start;
    }
    words
}

/// The 1-based line of a byte offset.
fn line_of(source: &str, pos: usize) -> usize {
    source[..pos.min(source.len())].matches('\n').count() + 1
}
