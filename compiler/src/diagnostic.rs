//! The one diagnostic type every pass produces.
//!
//! Passes report [`Diagnostic`] values through the [`Reported`] accumulator, never in the values
//! later passes read, so a diagnostic that moves (an edit above it) re-runs no pass that depends
//! on the reporting one. Only the workspace gathers them ([`crate::check`]), and only the CLI,
//! the language server and tests render them (see [`crate::render`]).
//! Messages are lowercase without a trailing period and quote the user's own words in backticks;
//! detail goes into labels and help.
//!
//! # Two languages
//!
//! Authors write Edict with English or Chinese keywords, and read diagnostics in the language
//! they write in. So every text of a diagnostic — its message, each label and its help — is a
//! [`Text`] holding both wordings, made where the diagnostic is created with
//! [`tr!`](edict_grammar::tr):
//!
//! ```ignore
//! let name = &event.name;
//! Diagnostic::error(Code::UnknownEventType, origin, event.span,
//!         tr!("unknown event type `{name}`", "未知的事件类型`{name}`"))
//!     .label(tr!("not declared in the vocabulary", "词汇中没有声明"))
//!     .help(tr!("did you mean `{close}`?", "是不是想写`{close}`？"));
//! ```
//!
//! To add a diagnostic: add its code to the catalogue at the end of this file (with a one-line
//! summary in both languages), create it with a `tr!` text for every part, and add a fixture to
//! `tests/diagnostics/`. Values that differ by language (a type's name, a clause's) are made
//! as `Text` too ([`crate::types::Ty`] names, [`did_you_mean`]) and split into their two
//! wordings before `tr!`. [`Text`] has no conversion from a single string: only
//! [`Text::verbatim`], for labels that quote the user's own words. The renderer
//! ([`crate::render`]) shows each diagnostic in the language of the file it points into
//! ([`edict_grammar::keyword_language`]), or in the one the user asks for (`--lang`).

use edict_grammar::ast::Span;
pub use edict_grammar::text::{Lang, Text};
use edict_grammar::tr;
use salsa::Accumulator;

use crate::db::SourceFile;

/// A diagnostic reported by a pass.
#[salsa::accumulator]
#[derive(Debug)]
pub struct Reported(pub Diagnostic);

impl Diagnostic {
    /// Reports the diagnostic from the running query.
    pub fn report(self, db: &dyn salsa::Database) {
        Reported(self).accumulate(db);
    }
}

/// "did you mean `x`?" for the candidate closest to `name`, if one is a likely typo.
pub fn did_you_mean<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<Text> {
    edict_runtime::suggest::closest(name, candidates)
        .map(|c| tr!("did you mean `{c}`?", "是不是想写`{c}`？"))
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

/// A place in a file and what to say about it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Label {
    pub file: SourceFile,
    /// Where in the file: byte offsets from the start of the file or, while `item` is set,
    /// from the start of that top-level item.
    pub span: Span,
    /// The index of the top-level item `span` is relative to. Passes that read one item (an
    /// article) report relative to it, so an edit above the item leaves their results alone;
    /// [`crate::check`] makes every span absolute before anyone sees it.
    pub item: Option<u32>,
    pub message: Text,
}

/// Where a pass's spans are measured from: a whole file, or one top-level item of it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Origin {
    pub file: SourceFile,
    pub item: Option<u32>,
}

impl Origin {
    /// Spans from the start of the file.
    pub fn file(file: SourceFile) -> Origin {
        Origin { file, item: None }
    }

    /// Spans from the start of a top-level item of the file.
    pub fn item(file: SourceFile, item: u32) -> Origin {
        Origin {
            file,
            item: Some(item),
        }
    }
}

impl Label {
    pub fn new(origin: Origin, span: Span, message: Text) -> Label {
        Label {
            file: origin.file,
            span,
            item: origin.item,
            message,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Diagnostic {
    pub code: Code,
    pub severity: Severity,
    pub message: Text,
    pub primary: Label,
    pub secondary: Vec<Label>,
    pub help: Option<Text>,
}

impl Diagnostic {
    /// An error of `code` at `span`, with the primary label's text.
    ///
    /// The texts of a diagnostic may quote the user's strings: control characters in them are
    /// made visible ([`edict_grammar::text::printable`]) here, once for every pass.
    pub fn error(code: Code, at: impl Into<Origin>, span: Span, message: Text) -> Self {
        Diagnostic {
            code,
            severity: Severity::Error,
            message: Text::printable(message),
            primary: Label::new(at.into(), span, Text::default()),
            secondary: Vec::new(),
            help: None,
        }
    }

    pub fn warning(code: Code, at: impl Into<Origin>, span: Span, message: Text) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, at, span, message)
        }
    }

    /// Sets the text under the primary span.
    pub fn label(mut self, text: Text) -> Self {
        self.primary.message = Text::printable(text);
        self
    }

    /// Sets the text under the primary span of a diagnostic already pushed.
    pub fn set_label(&mut self, text: Text) -> &mut Self {
        self.primary.message = Text::printable(text);
        self
    }

    pub fn secondary(mut self, at: impl Into<Origin>, span: Span, text: Text) -> Self {
        self.secondary
            .push(Label::new(at.into(), span, Text::printable(text)));
        self
    }

    pub fn help(mut self, text: Text) -> Self {
        self.help = Some(Text::printable(text));
        self
    }

    pub fn help_opt(mut self, text: Option<Text>) -> Self {
        self.help = text.map(Text::printable);
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// The labels, primary first.
    pub fn labels_mut(&mut self) -> impl Iterator<Item = &mut Label> {
        std::iter::once(&mut self.primary).chain(self.secondary.iter_mut())
    }
}

impl From<SourceFile> for Origin {
    fn from(file: SourceFile) -> Origin {
        Origin::file(file)
    }
}

macro_rules! codes {
    ($($variant:ident = $code:literal, $summary:literal, $zh:literal;)*) => {
        /// The stable code of each kind of diagnostic. `docs/diagnostics.md` explains each with
        /// an example; a test checks that every code is there and is triggered by a fixture.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code {
            $($variant,)*
        }

        impl Code {
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// The code as users see it, e.g. `E0301`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Code::$variant => $code,)*
                }
            }

            /// One line on what the code means, in English.
            pub fn summary(self) -> &'static str {
                match self {
                    $(Code::$variant => $summary,)*
                }
            }

            /// One line on what the code means, in `lang`.
            pub fn summary_in(self, lang: Lang) -> &'static str {
                match (self, lang) {
                    $((Code::$variant, Lang::En) => $summary,)*
                    $((Code::$variant, Lang::Zh) => $zh,)*
                }
            }
        }
    };
}

// The catalogue: each code with what it means in English and in Chinese. A new diagnostic gets
// its code here, its texts in both languages where it is created (`tr!`, see the top of this
// file), and a fixture in `tests/diagnostics/`, which puts it in `docs/diagnostics.md`.
codes! {
    Syntax = "E0001", "the source does not follow the grammar", "源文件不符合语法";
    OutlineSyntax = "E0002", "the regulation outline cannot be segmented into clauses", "法规纲要无法切分为条款";
    MissingHeader = "E0100", "the package has no `regulation` header", "包中没有`法规`头部";
    DuplicateHeader = "E0101", "the package has more than one `regulation` header", "包中有不止一个`法规`头部";
    MissingHeaderField = "E0102", "the header lacks a field the compiler needs", "头部缺少编译器所需的字段";
    DuplicateHeaderField = "E0103", "a header field is given twice", "头部的某个字段写了两次";
    UnknownTimezone = "E0104", "the header names a time zone that does not exist", "头部指定的时区不存在";
    UnknownCalendar = "E0105", "the header names a working-day calendar that does not exist", "头部指定的工作日日历不存在";
    FileNotFound = "E0110", "an imported file (outline or vocabulary) cannot be read", "无法读取引入的文件（纲要或词汇）";
    VocabularyMismatch = "E0111", "the imported file does not declare the named vocabulary", "引入的文件没有声明所指名的词汇";
    UnknownType = "E0200", "a field's type is not a built-in type, enum or record", "字段的类型既不是内置类型，也不是枚举或记录";
    DuplicateDeclaration = "E0201", "a name is declared twice in the same scope", "同一作用域内某个名称声明了两次";
    BadDefault = "E0202", "a field's default value does not fit the field", "字段的默认值与字段不符";
    BadRole = "E0203", "a vocabulary's `roles` names an unknown role or a field no event type has", "词汇的`角色`指定了未知的角色，或任何事件类型都没有的字段";
    BadRange = "E0204", "a field's bounds (`>= N`, `<= N`) do not fit its type or allow no value", "字段的取值范围（`>= N`、`<= N`）与其类型不符，或不容许任何值";
    BadExtension = "E0205", "a vocabulary that extends another changes what the base declares", "扩展另一词汇的词汇改动了基础词汇已声明的内容";
    BadPartition = "E0206", "a vocabulary's `partition by` names no required field of `common`", "词汇的`分区于`指定的不是`公共`中的必填字段";
    UnknownEventType = "E0300", "a rule names an event type the vocabulary does not declare", "规则指定了词汇中没有声明的事件类型";
    UnknownField = "E0301", "an event or record has no field of that name", "事件或记录没有这个名称的字段";
    TypeMismatch = "E0302", "an operand has the wrong type for its operator", "运算数的类型与运算符不符";
    WrongEnum = "E0303", "a value belongs to a different enum than the field it is compared with", "值所属的枚举与被比较的字段不同";
    UnguardedOptional = "E0304", "an optional field is used without checking that it is present", "使用可选字段前没有检查它是否存在";
    UnknownName = "E0305", "a name is neither a variable, a constant nor an enum value", "名称既不是变量、常量，也不是枚举值";
    NotACondition = "E0306", "a condition is not a true/false expression", "条件不是真假表达式";
    ConstantCondition = "E0307", "a condition does not depend on the event, so it is always the same", "条件不依赖于事件，因此结果总是相同";
    HasOnRequired = "W0308", "`has` is applied to a field that is always present", "对总是存在的字段使用了`存在`";
    NotAField = "E0309", "`has` is applied to something that is not a field", "对不是字段的东西使用了`存在`";
    MisplacedOnce = "E0310", "`once` is written where no earlier event can be looked up", "`曾经`写在了无法查找先前事件的位置";
    BadArithmetic = "E0311", "arithmetic on fixed values overflows or divides by zero", "固定值的算术运算溢出或除以零";
    CitationNotInOutline = "E0400", "a clause is absent from the regulation's outline", "法规纲要中没有这个条款";
    DuplicateClause = "E0401", "an article, paragraph or item is written twice", "同一条、款或项写了两次";
    DuplicateRule = "E0402", "two rules of one regulation have the same name", "同一法规中两条规则同名";
    OutsideClause = "E0403", "a rule or exemption stands outside any article", "规则或豁免不在任何条之内";
    MisplacedClause = "E0404", "a paragraph or item is nested where the regulation has none", "款或项嵌套在法规没有款或项的位置";
    DeadlineWithoutTrigger = "E0500", "a deadline has no event to count from", "期限没有起算的事件";
    MissingTrigger = "E0501", "a rule does not say which events it judges", "规则没有说明它判断哪些事件";
    StateError = "E0502", "a state declaration or `size(…)` use does not fit the vocabulary", "状态声明或`规模(…)`的用法与词汇不符";
    UnknownVariable = "E0503", "`after` names a variable the rule does not bind", "`之后`指定的变量没有在规则中绑定";
    BadPeriod = "E0504", "a period is negative or longer than the supported dates allow", "期间为负数，或超出所支持的日期范围";
    NotPartitionable = "E0600", "building for a partitioned run: a state, `once` or deadline links events of different partitions", "为分区运行构建时：某个状态、`曾经`或期限把不同分区的事件联系在一起";
    MissingMessage = "W0001", "a rule has no `message`, so its findings get a generic one", "规则没有`说明`，其发现只能使用通用说明";
}
