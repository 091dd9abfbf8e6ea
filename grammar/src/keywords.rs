//! The keywords in each language, and which language a file is written in: what the
//! formatter writes with, and what the editor completes and highlights.
//!
//! The grammar (`edict.pest`) accepts both spellings of every keyword anywhere; this table is
//! the canonical spelling of each, for tools that write source text.

use crate::ast::{self, Item, Span};
use crate::lexer::{self, TokenKind};
use crate::text::Lang;

/// A keyword, spelled in either language by [`Kw::spelling`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kw {
    Regulation,
    Title,
    TitleEn,
    Effective,
    Timezone,
    Outline,
    UseVocabulary,
    From,
    Extends,
    Vocabulary,
    Common,
    Roles,
    PartitionBy,
    Enum,
    Record,
    Event,
    Open,
    ListOf,
    SetOf,
    NotCheckable,
    Rule,
    On,
    When,
    Require,
    Prohibit,
    Unless,
    Message,
    MessageZh,
    Cites,
    Exempt,
    AnyEvent,
    And,
    Or,
    Not,
    In,
    Has,
    True,
    False,
    Const,
    Once,
    Before,
    Where,
    ResetBy,
    By,
    Days,
    WorkingDays,
    Years,
    Hours,
    Minutes,
    State,
    Per,
    Counter,
    Add,
    Remove,
    Increment,
    Decrement,
    Size,
    Reaches,
    BeforeEffective,
    Calendar,
    Holiday,
    Workday,
}

impl Kw {
    /// Every keyword.
    pub const ALL: &'static [Kw] = &[
        Kw::Regulation,
        Kw::Title,
        Kw::TitleEn,
        Kw::Effective,
        Kw::Timezone,
        Kw::Outline,
        Kw::UseVocabulary,
        Kw::From,
        Kw::Extends,
        Kw::Vocabulary,
        Kw::Common,
        Kw::Roles,
        Kw::PartitionBy,
        Kw::Enum,
        Kw::Record,
        Kw::Event,
        Kw::Open,
        Kw::ListOf,
        Kw::SetOf,
        Kw::NotCheckable,
        Kw::Rule,
        Kw::On,
        Kw::When,
        Kw::Require,
        Kw::Prohibit,
        Kw::Unless,
        Kw::Message,
        Kw::MessageZh,
        Kw::Cites,
        Kw::Exempt,
        Kw::AnyEvent,
        Kw::And,
        Kw::Or,
        Kw::Not,
        Kw::In,
        Kw::Has,
        Kw::True,
        Kw::False,
        Kw::Const,
        Kw::Once,
        Kw::Before,
        Kw::Where,
        Kw::ResetBy,
        Kw::By,
        Kw::Days,
        Kw::WorkingDays,
        Kw::Years,
        Kw::Hours,
        Kw::Minutes,
        Kw::State,
        Kw::Per,
        Kw::Counter,
        Kw::Add,
        Kw::Remove,
        Kw::Increment,
        Kw::Decrement,
        Kw::Size,
        Kw::Reaches,
        Kw::BeforeEffective,
        Kw::Calendar,
        Kw::Holiday,
        Kw::Workday,
    ];

    /// The canonical spelling in each language.
    pub fn spelling(self, lang: Lang) -> &'static str {
        let (en, zh) = match self {
            Kw::Regulation => ("regulation", "法规"),
            Kw::Title => ("title", "标题"),
            Kw::TitleEn => ("title_en", "英文标题"),
            Kw::Effective => ("effective", "施行"),
            Kw::Timezone => ("timezone", "时区"),
            Kw::Outline => ("outline", "纲要"),
            Kw::UseVocabulary => ("use vocabulary", "使用词汇"),
            Kw::From => ("from", "来自"),
            Kw::Extends => ("extends", "扩展"),
            Kw::Vocabulary => ("vocabulary", "词汇"),
            Kw::Common => ("common", "公共"),
            Kw::Roles => ("roles", "角色"),
            Kw::PartitionBy => ("partition by", "分区于"),
            Kw::Enum => ("enum", "枚举"),
            Kw::Record => ("record", "记录"),
            Kw::Event => ("event", "事件"),
            Kw::Open => ("open", "开放"),
            Kw::ListOf => ("list of", "列表"),
            Kw::SetOf => ("set of", "集合"),
            Kw::NotCheckable => ("not_checkable", "不可检查"),
            Kw::Rule => ("rule", "规则"),
            Kw::On => ("on", "对于"),
            Kw::When => ("when", "当"),
            Kw::Require => ("require", "应当"),
            Kw::Prohibit => ("prohibit", "不得"),
            Kw::Unless => ("unless", "除非"),
            Kw::Message => ("message", "说明"),
            Kw::MessageZh => ("message_zh", "中文说明"),
            Kw::Cites => ("cites", "依据"),
            Kw::Exempt => ("exempt", "豁免"),
            Kw::AnyEvent => ("any event", "任何事件"),
            Kw::And => ("and", "并且"),
            Kw::Or => ("or", "或者"),
            Kw::Not => ("not", "非"),
            Kw::In => ("in", "属于"),
            Kw::Has => ("has", "存在"),
            Kw::True => ("true", "真"),
            Kw::False => ("false", "假"),
            Kw::Const => ("const", "常量"),
            Kw::Once => ("once", "曾经"),
            Kw::Before => ("before", "之前"),
            Kw::Where => ("where", "满足"),
            Kw::ResetBy => ("reset by", "重置于"),
            Kw::By => ("by", "截止"),
            Kw::Days => ("days", "日"),
            Kw::WorkingDays => ("working days", "个工作日"),
            Kw::Years => ("years", "年"),
            Kw::Hours => ("hours", "小时"),
            Kw::Minutes => ("minutes", "分钟"),
            Kw::State => ("state", "状态"),
            Kw::Per => ("per", "按"),
            Kw::Counter => ("counter", "计数"),
            Kw::Add => ("add", "加入"),
            Kw::Remove => ("remove", "移除"),
            Kw::Increment => ("increment", "递增"),
            Kw::Decrement => ("decrement", "递减"),
            Kw::Size => ("size", "规模"),
            Kw::Reaches => ("reaches", "达到"),
            Kw::BeforeEffective => ("before effective", "施行之前"),
            Kw::Calendar => ("calendar", "日历"),
            Kw::Holiday => ("holiday", "假日"),
            Kw::Workday => ("workday", "调休工作日"),
        };
        match lang {
            Lang::En => en,
            Lang::Zh => zh,
        }
    }
}

/// Every word that spells (part of) an English keyword.
pub const ENGLISH_WORDS: &[&str] = &[
    "regulation",
    "title",
    "title_en",
    "effective",
    "timezone",
    "outline",
    "use",
    "vocabulary",
    "from",
    "extends",
    "common",
    "roles",
    "partition",
    "enum",
    "record",
    "event",
    "open",
    "list",
    "of",
    "set",
    "article",
    "paragraph",
    "item",
    "not_checkable",
    "rule",
    "on",
    "when",
    "require",
    "prohibit",
    "unless",
    "message",
    "message_zh",
    "cites",
    "exempt",
    "any",
    "and",
    "or",
    "not",
    "in",
    "has",
    "true",
    "false",
    "const",
    "once",
    "before",
    "where",
    "reset",
    "by",
    "within",
    "after",
    "days",
    "day",
    "working",
    "years",
    "year",
    "hours",
    "hour",
    "minutes",
    "minute",
    "state",
    "per",
    "counter",
    "add",
    "remove",
    "increment",
    "decrement",
    "size",
    "reaches",
    "calendar",
    "holiday",
    "workday",
];

/// Every word that spells a Chinese keyword (clause numbers such as `第七条` are tokens of their
/// own).
pub const CHINESE_WORDS: &[&str] = &[
    "法规",
    "标题",
    "英文标题",
    "施行",
    "时区",
    "纲要",
    "使用词汇",
    "来自",
    "扩展",
    "词汇",
    "公共",
    "角色",
    "分区于",
    "枚举",
    "记录",
    "事件",
    "开放",
    "列表",
    "集合",
    "不可检查",
    "规则",
    "对于",
    "当",
    "应当",
    "不得",
    "除非",
    "说明",
    "中文说明",
    "依据",
    "豁免",
    "任何事件",
    "并且",
    "或者",
    "非",
    "属于",
    "存在",
    "真",
    "假",
    "常量",
    "曾经",
    "之前",
    "满足",
    "重置于",
    "以内",
    "自",
    "之后",
    "截止",
    "日",
    "个工作日",
    "工作日",
    "年",
    "小时",
    "分钟",
    "状态",
    "按",
    "计数",
    "加入",
    "移除",
    "递增",
    "递减",
    "规模",
    "达到",
    "施行之前",
    "施行前",
    "日历",
    "假日",
    "调休工作日",
];

/// The language of a source file's keywords: Chinese when more of its keywords are Chinese
/// (`第七条`, `规则`, `应当` …) than English, else English. Names, strings and comments do not
/// count, so a Chinese title or `message_zh` does not make a file Chinese. It parses the file;
/// with its tree at hand, call [`language_of`].
pub fn keyword_language(source: &str) -> Lang {
    let (file, _) = crate::parse(source);
    language_of(source, &file)
}

/// The language most of a file's keywords are written in; English when there are as many
/// Chinese as English keywords (or none).
///
/// A word counts as a keyword where the tree has no name: `rule rule:` has one keyword.
pub fn language_of(source: &str, file: &ast::File) -> Lang {
    let mut names: Vec<Span> = Vec::new();
    ast::walk::names(file, &mut |id, _| names.push(id.span));
    // The key of `article ? KEY` is a name too, kept only inside the article's number span.
    let keys: Vec<Span> = file
        .items
        .iter()
        .filter_map(|item| match item {
            Item::Article(a) if a.article.key().is_some() => Some(a.number_span),
            _ => None,
        })
        .collect();
    let (mut en, mut zh) = (0usize, 0usize);
    let mut next_name = 0;
    for token in lexer::tokens(source) {
        let span = token.span;
        while next_name < names.len() && names[next_name].end <= span.start {
            next_name += 1;
        }
        match token.kind {
            TokenKind::Clause => zh += 1,
            TokenKind::Word => {
                let is_name = names.get(next_name).is_some_and(|n| *n == span);
                let in_key = keys
                    .iter()
                    .any(|k| k.start < span.start && span.end <= k.end);
                if is_name || in_key {
                    continue;
                }
                let word = &source[span.range()];
                if ENGLISH_WORDS.contains(&word) {
                    en += 1;
                } else if CHINESE_WORDS.contains(&word) {
                    zh += 1;
                }
            }
            _ => {}
        }
    }
    if zh > en { Lang::Zh } else { Lang::En }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_chinese_when_most_of_its_keywords_are() {
        let zh = "第七条 \"Minors\" {\n  规则 x:\n    对于 enrollment e\n    应当 e.age >= 14\n    message_zh \"rule on message\"\n}\n";
        assert_eq!(keyword_language(zh), Lang::Zh);
        let en = "regulation toy {\n  title \"示例 规则 应当\"\n}\narticle 1 {\n  // 规则 应当\n  rule x:\n    on enrollment e\n    require e.ok\n}\n";
        assert_eq!(keyword_language(en), Lang::En);
    }
}
