//! The words a person reads for each grammar rule, in English and in Chinese: the one rename
//! table of parse messages, and the rules that continue an operand or begin one.

use crate::parse::grammar::Rule;

/// The words a person reads for a rule, in English and in Chinese (where the Chinese keyword is
/// named), or `None` for rules that are never worth naming.
pub(super) fn describe(rule: Rule) -> Option<(&'static str, &'static str)> {
    use Rule::*;
    Some(match rule {
        EOI => ("end of file", "文件结尾"),
        WHITESPACE | COMMENT | gap | file | item_step | item_pair_step | entry_pair_step
        | top_item | stray | header_field | vocab_decl | field_list | type_expr | clause_entry
        | entry_step | open_step | trigger | rule_body | deadline | duration_unit | state_kind
        | state_op | calendar_entry | prefix_op | postfix_op | infix_op | primary | name
        | reserved | deadline_head | next_start | ident_start | ident_char | string_text
        | amount_primary => {
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
        extends_clause | kw_extends => ("`extends`", "`扩展`"),
        common_decl => ("`common`", "`公共`"),
        roles_decl => ("`roles`", "`角色`"),
        role_entry => ("a role", "角色"),
        partition_decl => ("`partition by`", "`分区于`"),
        enum_decl => ("`enum`", "`枚举`"),
        record_decl => ("`record`", "`记录`"),
        event_decl => ("`event`", "`事件`"),
        field_decl => ("a field", "字段"),
        field_bound => ("`>=` or `<=`", "`>=`或`<=`"),
        bound_value => ("a number", "数字"),
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
        amount => ("an expression", "表达式"),
        duration_lit => ("a duration", "时长"),
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
        list_literal => ("`[`", "`[`"),
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
        plus => ("`+`", "`+`"),
        minus => ("`-`", "`-`"),
        star => ("`*`", "`*`"),
        slash => ("`/`", "`/`"),
        percent => ("`%`", "`%`"),
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
        kw_hours => ("`hours`", "`小时`"),
        kw_minutes => ("`minutes`", "`分钟`"),
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
pub(super) fn is_continuation(rule: Rule) -> bool {
    use Rule::*;
    matches!(
        rule,
        field_access
            | dot
            | kw_or
            | kw_and
            | eq
            | ne
            | le
            | lt
            | ge
            | gt
            | kw_in
            | plus
            | minus
            | star
            | slash
            | percent
            | kw_hours
            | kw_minutes
    )
}

/// Rules that begin an operand; a list holding most of them is said as "an expression".
pub(super) fn is_operand_start(rule: Rule) -> bool {
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
            | lbracket
            | list_literal
            | duration_lit
            | once
            | kw_once
            | amount
            | lparen
            | paren_expr
            | ident
    )
}
