//! Turning pest's errors into messages a person reads.
//!
//! pest reports the rules it tried at the furthest position it reached.
//! [`describe`] is the one rename table from rule names to words ("a name", "`}`"); the rest of
//! this module names what was found instead, shortens long lists, and adds help where a fix is
//! likely.

use pest::Parser;
use pest::error::{Error, ErrorVariant, InputLocation};

use super::ParseError;
use super::grammar::{EdictParser, Rule};
use super::scan;
use crate::ast::Span;

/// What may stand at the top level of a file, as listed in messages.
const TOP_LEVEL: &str = "`regulation`, `vocabulary`, `article`, `const`, `state` or `calendar`";

/// The words a person reads for a rule, or `None` for rules that are never worth naming.
fn describe(rule: Rule) -> Option<&'static str> {
    use Rule::*;
    Some(match rule {
        EOI => "end of file",
        WHITESPACE | COMMENT | gap | file | item_step | item_pair_step | entry_pair_step
        | top_item | stray | header_field | vocab_decl | field_list | type_expr | clause_entry
        | entry_step | open_step | trigger | rule_body | deadline | duration_unit | state_kind
        | state_op | calendar_entry | prefix_op | postfix_op | infix_op | primary | name
        | reserved | deadline_head | next_start | ident_start | ident_char | string_text => {
            return None;
        }
        regulation => "`regulation`",
        title_field => "`title`",
        title_en_field => "`title_en`",
        effective_field => "`effective`",
        timezone_field => "`timezone`",
        outline_field => "`outline`",
        use_vocabulary_field => "`use vocabulary`",
        calendar_field => "`calendar`",
        vocabulary => "`vocabulary`",
        common_decl => "`common`",
        roles_decl => "`roles`",
        role_entry => "a role",
        enum_decl => "`enum`",
        record_decl => "`record`",
        event_decl => "`event`",
        field_decl => "a field",
        field_bound => "`>=` or `<=`",
        bound_value => "a number",
        list_type => "`list of`",
        set_type => "`set of`",
        article | article_open | article_number | zh_article | kw_article | unknown_article
        | zh_unknown_article => "`article`",
        question_mark => "`?`",
        paragraph | paragraph_open | paragraph_number | zh_paragraph | kw_paragraph => {
            "`paragraph`"
        }
        item | item_open | item_number | zh_item | kw_item => "`item`",
        zh_number => "a clause number",
        not_checkable => "`not_checkable`",
        exempt => "`exempt`",
        rule_decl => "`rule`",
        event_trigger | size_trigger => "`on`",
        when_clause => "`when`",
        unless_clause => "`unless`",
        message_clause => "`message`",
        message_zh_clause => "`message_zh`",
        cites_clause | kw_cites => "`cites`",
        require_once | require_deadline | require_expr => "`require`",
        prohibit_once | prohibit_expr => "`prohibit`",
        once => "`once`",
        once_within => "`within`",
        reset => "`reset by`",
        event_pattern => "an event type",
        within_after => "`within`",
        since_within_zh => "a duration",
        by_date => "`by`",
        duration => "a duration",
        const_decl => "`const`",
        state_decl => "`state`",
        set_state => "`set of`",
        counter_state => "`counter`",
        state_update => "`on`",
        add_op => "`add`",
        remove_op => "`remove`",
        increment_op => "`increment`",
        decrement_op => "`decrement`",
        calendar => "`calendar`",
        holiday => "`holiday`",
        workday => "`workday`",
        expr => "an expression",
        field_access => "`.`",
        has_call => "`has`",
        set_literal => "`{`",
        paren_expr => "`(`",
        ident => "a name",
        int => "a number",
        date => "a date",
        string => "a string",
        escape => "an escape",
        lbrace => "`{`",
        rbrace => "`}`",
        lparen => "`(`",
        rparen => "`)`",
        lbracket => "`[`",
        rbracket => "`]`",
        colon => "`:`",
        comma => "`,`",
        dot => "`.`",
        question => "`?`",
        assign => "`=`",
        eq => "`==`",
        ne => "`!=`",
        le => "`<=`",
        lt => "`<`",
        ge => "`>=`",
        gt => "`>`",
        kw_regulation => "`regulation`",
        kw_title => "`title`",
        kw_title_en => "`title_en`",
        kw_effective => "`effective`",
        kw_timezone => "`timezone`",
        kw_outline => "`outline`",
        kw_use_vocabulary => "`use vocabulary`",
        kw_from => "`from`",
        kw_vocabulary => "`vocabulary`",
        kw_common => "`common`",
        kw_roles => "`roles`",
        kw_enum => "`enum`",
        kw_record => "`record`",
        kw_event => "`event`",
        kw_open => "`open`",
        kw_list_of => "`list of`",
        kw_set_of => "`set of`",
        kw_not_checkable => "`not_checkable`",
        kw_rule => "`rule`",
        kw_on => "`on`",
        kw_when => "`when`",
        kw_require => "`require`",
        kw_prohibit => "`prohibit`",
        kw_unless => "`unless`",
        kw_message => "`message`",
        kw_message_zh => "`message_zh`",
        kw_exempt => "`exempt`",
        kw_any_event => "`any event`",
        kw_and => "`and`",
        kw_or => "`or`",
        kw_not => "`not`",
        kw_in => "`in`",
        kw_has => "`has`",
        kw_true => "`true`",
        kw_false => "`false`",
        kw_const => "`const`",
        kw_once => "`once`",
        kw_before => "`before`",
        kw_where => "`where`",
        kw_reset_by => "`reset by`",
        kw_within => "`within`",
        kw_within_zh => "`以内`",
        kw_after => "`after`",
        kw_since_zh => "`自`",
        kw_after_zh => "`之后`",
        kw_by => "`by`",
        kw_days => "`days`",
        kw_working_days => "`working days`",
        kw_years => "`years`",
        kw_state => "`state`",
        kw_per => "`per`",
        kw_counter => "`counter`",
        kw_add => "`add`",
        kw_remove => "`remove`",
        kw_increment => "`increment`",
        kw_decrement => "`decrement`",
        kw_size => "`size`",
        kw_reaches => "`reaches`",
        before_effective => "`before effective`",
        kw_before_effective_zh => "`施行之前`",
        kw_calendar => "`calendar`",
        kw_holiday => "`holiday`",
        kw_workday => "`workday`",
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

/// The most characters of a found token a message repeats.
const LONGEST_SHOWN: usize = 40;

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
        } else if ["==", "!=", "<=", ">="]
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
    fn describe(&self) -> String {
        match &self.text {
            None => "end of file".to_owned(),
            Some(text) if text.starts_with('"') => "a string".to_owned(),
            Some(text) if text.chars().any(char::is_control) => {
                let c = text.chars().next().unwrap_or('\0');
                format!("the character U+{:04X}", u32::from(c))
            }
            Some(text) if text.chars().count() > LONGEST_SHOWN => {
                let head: String = text.chars().take(LONGEST_SHOWN).collect();
                format!("`{head}…`")
            }
            Some(text) => format!("`{text}`"),
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

/// Joins names as "a", "a or b", "a, b or c".
fn join_or(names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// Where a pest error lies in the text that was parsed.
pub(super) fn offset(error: &Error<Rule>) -> usize {
    match error.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((start, _)) => start,
    }
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

    // A block left open: the file ends, or the next item starts, where a `}` was due.
    if positives.contains(&Rule::rbrace)
        && (found.text.is_none() || scan::starts_top_level(source, found.span.start as usize))
    {
        let help = scan::unclosed_brace(source, item_start, found.span.start as usize)
            .map(|at| format!("the `{{` on line {} is never closed", line_of(source, at)));
        return ParseError {
            span: found.span,
            message: format!("expected `}}`, found {}", found.describe()),
            help,
        };
    }

    let expected = expected_list(&positives);
    let message = if expected.is_empty() {
        format!("unexpected {}", found.describe())
    } else {
        format!("expected {expected}, found {}", found.describe())
    };
    let help = help_for(source, pos, &positives, &found);
    ParseError {
        span: found.span,
        message,
        help,
    }
}

/// What was expected, in words.
fn expected_list(positives: &[Rule]) -> String {
    if positives.contains(&Rule::kw_regulation) {
        return TOP_LEVEL.to_owned();
    }
    let only_continuations = positives.iter().all(|&r| is_continuation(r));
    let operands = positives.iter().filter(|&&r| is_operand_start(r)).count();
    let as_expression = positives.contains(&Rule::expr) || operands >= 3;
    let mut names: Vec<&str> = Vec::new();
    for &rule in positives {
        let name = if is_continuation(rule) && !only_continuations {
            continue;
        } else if is_continuation(rule) {
            "an operator"
        } else if as_expression && is_operand_start(rule) {
            "an expression"
        } else if let Some(name) = describe(rule) {
            name
        } else {
            continue;
        };
        if !names.contains(&name) {
            names.push(name);
        }
    }
    names.sort_by_key(|name| rank(name));
    join_or(&names)
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
        return ParseError {
            span: Span::new(pos, pos + len),
            message: format!("unknown escape `{}` in a string", &rest[..len]),
            help: Some(
                "the escapes are `\\\"`, `\\\\`, `\\n`, `\\t`, `\\r` and `\\u{…}`".to_owned(),
            ),
        };
    }
    ParseError {
        span: Span::new(opening_quote(source, pos), pos),
        message: "this string is not closed".to_owned(),
        help: Some("end it with `\"` on the same line".to_owned()),
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

/// Help for the common mistakes, when the error looks like one.
fn help_for(source: &str, pos: usize, positives: &[Rule], found: &Found) -> Option<String> {
    let before = previous_words(source, pos);
    let previous = before.first().copied().unwrap_or("");
    let is = |rule: Rule, word: &str| EdictParser::parse(rule, word).is_ok();

    if positives.contains(&Rule::colon) && before.len() >= 2 && is(Rule::kw_rule, before[1]) {
        return Some(format!(
            "write `:` after the rule name, as in `rule {previous}:`"
        ));
    }
    if positives.contains(&Rule::int) {
        for (rule, word, chinese) in [
            (Rule::kw_article, "article", "第七条"),
            (Rule::kw_paragraph, "paragraph", "第二款"),
            (Rule::kw_item, "item", "第一项"),
        ] {
            if is(rule, previous) {
                return Some(format!(
                    "a clause number is written in digits, as in `{word} 7`, or as `{chinese}`"
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
        return Some("write a date as `YYYY-MM-DD`, as in `2025-06-01`".to_owned());
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
    if positives.contains(&Rule::kw_rule)
        && let Some(word) = found.text.as_deref()
        && rule_part.iter().any(|&rule| is(rule, word))
    {
        return Some(
            "the parts of a rule come in this order: `on`, `when`, `require` or `prohibit`, \
             `unless`, `message`, `message_zh`, `cites`"
                .to_owned(),
        );
    }
    if found.text.as_deref() == Some("=") {
        return Some(
            "compare with `==`; a single `=` only gives a constant or a default its value"
                .to_owned(),
        );
    }
    if found.is_word
        && let Some(help) = glued_keyword(positives, found)
    {
        return Some(help);
    }
    if positives.contains(&Rule::kw_regulation) && found.is_word {
        return Some("a file holds items such as `article 7 { … }` or `const NAME = …`".to_owned());
    }
    None
}

/// The most characters a keyword has (`not_checkable`); only that many prefixes of a word are
/// tried as a glued keyword, so a long word costs no more than a short one.
const LONGEST_KEYWORD: usize = 16;

/// Help when a Chinese keyword is written against the name after it, as in `规则监护人同意`.
fn glued_keyword(positives: &[Rule], found: &Found) -> Option<String> {
    let word = found.text.as_deref()?;
    for (i, _) in word.char_indices().skip(1).take(LONGEST_KEYWORD) {
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
            return Some(format!(
                "separate the keyword `{keyword}` from `{rest}` with a space"
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
