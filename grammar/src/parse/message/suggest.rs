//! "did you mean …?" for a misspelt keyword: the keywords that could stand where the error is,
//! in both spellings.

use super::super::grammar::Rule;
use super::Found;
use crate::text::Text;
use crate::tr;

/// The English and Chinese spellings of a keyword rule, for suggestions.
fn spellings(rule: Rule) -> &'static [&'static str] {
    use Rule::*;
    match rule {
        kw_regulation => &["regulation", "法规"],
        kw_vocabulary => &["vocabulary", "词汇"],
        kw_article => &["article"],
        kw_paragraph => &["paragraph"],
        kw_item => &["item"],
        kw_rule => &["rule", "规则"],
        kw_on => &["on", "对于"],
        kw_when => &["when", "当"],
        kw_require => &["require", "应当"],
        kw_prohibit => &["prohibit", "不得"],
        kw_unless => &["unless", "除非"],
        kw_message => &["message", "说明"],
        kw_message_zh => &["message_zh", "中文说明"],
        kw_cites => &["cites", "依据"],
        kw_exempt => &["exempt", "豁免"],
        kw_not_checkable => &["not_checkable", "不可检查"],
        kw_const => &["const", "常量"],
        kw_state => &["state", "状态"],
        kw_calendar => &["calendar", "日历"],
        kw_event => &["event", "事件"],
        kw_enum => &["enum", "枚举"],
        kw_record => &["record", "记录"],
        kw_common => &["common", "公共"],
        kw_roles => &["roles", "角色"],
        kw_partition_by => &["partition", "分区于"],
        kw_title => &["title", "标题"],
        kw_title_en => &["title_en", "英文标题"],
        kw_effective => &["effective", "施行"],
        kw_timezone => &["timezone", "时区"],
        kw_outline => &["outline", "纲要"],
        kw_where => &["where", "满足"],
        kw_within => &["within"],
        kw_once => &["once", "曾经"],
        kw_holiday => &["holiday", "假日"],
        kw_workday => &["workday", "调休工作日"],
        _ => &[],
    }
}

/// The keywords a rule of the grammar starts with (`require_expr` starts with `require`).
fn keywords_of(rule: Rule) -> &'static [Rule] {
    use Rule::*;
    match rule {
        regulation => &[kw_regulation],
        vocabulary => &[kw_vocabulary],
        article | article_open | article_number => &[kw_article],
        paragraph | paragraph_open | paragraph_number => &[kw_paragraph],
        item | item_open | item_number => &[kw_item],
        rule_decl => &[kw_rule],
        event_trigger | size_trigger | state_update => &[kw_on],
        when_clause => &[kw_when],
        require_once | require_deadline | require_expr => &[kw_require],
        prohibit_once | prohibit_expr => &[kw_prohibit],
        unless_clause => &[kw_unless],
        message_clause => &[kw_message],
        message_zh_clause => &[kw_message_zh],
        cites_clause => &[kw_cites],
        exempt => &[kw_exempt],
        not_checkable => &[kw_not_checkable],
        const_decl => &[kw_const],
        state_decl => &[kw_state],
        calendar | calendar_field => &[kw_calendar],
        event_decl => &[kw_event],
        enum_decl => &[kw_enum],
        record_decl => &[kw_record],
        common_decl => &[kw_common],
        roles_decl => &[kw_roles],
        partition_decl => &[kw_partition_by],
        title_field => &[kw_title],
        title_en_field => &[kw_title_en],
        effective_field => &[kw_effective],
        timezone_field => &[kw_timezone],
        outline_field => &[kw_outline],
        holiday => &[kw_holiday],
        workday => &[kw_workday],
        _ => &[],
    }
}

/// "did you mean `require`?" for a word close to a keyword that could stand where it does.
pub(super) fn misspelt_keyword(positives: &[Rule], found: &Found) -> Option<Text> {
    let word = found.text.as_deref()?;
    let mut candidates: Vec<&str> = Vec::new();
    for &rule in positives {
        let rules = match keywords_of(rule) {
            [] => std::slice::from_ref(&rule),
            rules => rules,
        };
        for &keyword in rules {
            candidates.extend(spellings(keyword));
        }
    }
    candidates.retain(|c| *c != word);
    let keyword = edict_runtime::suggest::closest(word, candidates)?;
    Some(tr!("did you mean `{keyword}`?", "是不是想写`{keyword}`？"))
}
