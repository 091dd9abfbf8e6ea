//! The one diagnostic type every pass produces.
//!
//! Passes report [`Diagnostic`] values through the [`Reported`] accumulator, never in the values
//! later passes read, so a diagnostic that moves (an edit above it) re-runs no pass that depends
//! on the reporting one. Only the workspace gathers them ([`crate::check`]), and only the CLI,
//! the language server and tests render them (see [`crate::render`]).
//! Messages are lowercase without a trailing period and quote the user's own words in backticks;
//! detail goes into labels and help.

use edict_grammar::ast::Span;
use salsa::Accumulator;

use crate::db::SourceFile;

/// A diagnostic reported by a pass.
#[salsa::accumulator]
#[derive(Debug)]
pub struct Reported(pub Diagnostic);

/// A diagnostic's text with its control characters made visible.
fn shown(text: String) -> String {
    match crate::render::printable(&text) {
        std::borrow::Cow::Borrowed(_) => text,
        std::borrow::Cow::Owned(visible) => visible,
    }
}

impl Diagnostic {
    /// Reports the diagnostic from the running query.
    pub fn report(self, db: &dyn salsa::Database) {
        Reported(self).accumulate(db);
    }
}

/// "did you mean `x`?" for the candidate closest to `name`, if one is a likely typo.
pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    edict_runtime::suggest::closest(name, candidates).map(|c| format!("did you mean `{c}`?"))
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
    pub message: String,
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
    pub fn new(origin: Origin, span: Span, message: impl Into<String>) -> Label {
        Label {
            file: origin.file,
            span,
            item: origin.item,
            message: message.into(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Diagnostic {
    pub code: Code,
    pub severity: Severity,
    pub message: String,
    pub primary: Label,
    pub secondary: Vec<Label>,
    pub help: Option<String>,
}

impl Diagnostic {
    /// An error of `code` at `span`, with the primary label's text.
    ///
    /// The texts of a diagnostic may quote the user's strings: control characters in them are
    /// made visible ([`crate::render::printable`]) here, once for every pass.
    pub fn error(
        code: Code,
        at: impl Into<Origin>,
        span: Span,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            code,
            severity: Severity::Error,
            message: shown(message.into()),
            primary: Label::new(at.into(), span, ""),
            secondary: Vec::new(),
            help: None,
        }
    }

    pub fn warning(
        code: Code,
        at: impl Into<Origin>,
        span: Span,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, at, span, message)
        }
    }

    /// Sets the text under the primary span.
    pub fn label(mut self, text: impl Into<String>) -> Self {
        self.primary.message = shown(text.into());
        self
    }

    /// Sets the text under the primary span of a diagnostic already pushed.
    pub fn set_label(&mut self, text: impl Into<String>) -> &mut Self {
        self.primary.message = shown(text.into());
        self
    }

    pub fn secondary(mut self, at: impl Into<Origin>, span: Span, text: impl Into<String>) -> Self {
        self.secondary
            .push(Label::new(at.into(), span, shown(text.into())));
        self
    }

    pub fn help(mut self, text: impl Into<String>) -> Self {
        self.help = Some(shown(text.into()));
        self
    }

    pub fn help_opt(mut self, text: Option<String>) -> Self {
        self.help = text.map(shown);
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
    ($($variant:ident = $code:literal, $summary:literal;)*) => {
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

            /// One line on what the code means.
            pub fn summary(self) -> &'static str {
                match self {
                    $(Code::$variant => $summary,)*
                }
            }
        }
    };
}

codes! {
    Syntax = "E0001", "the source does not follow the grammar";
    OutlineSyntax = "E0002", "the regulation outline cannot be segmented into clauses";
    MissingHeader = "E0100", "the package has no `regulation` header";
    DuplicateHeader = "E0101", "the package has more than one `regulation` header";
    MissingHeaderField = "E0102", "the header lacks a field the compiler needs";
    DuplicateHeaderField = "E0103", "a header field is given twice";
    UnknownTimezone = "E0104", "the header names a time zone that does not exist";
    UnknownCalendar = "E0105", "the header names a working-day calendar that does not exist";
    FileNotFound = "E0110", "an imported file (outline or vocabulary) cannot be read";
    VocabularyMismatch = "E0111", "the imported file does not declare the named vocabulary";
    UnknownType = "E0200", "a field's type is not a built-in type, enum or record";
    DuplicateDeclaration = "E0201", "a name is declared twice in the same scope";
    BadDefault = "E0202", "a field's default value does not fit the field";
    BadRole = "E0203", "a vocabulary's `roles` names an unknown role or a field no event type has";
    BadRange = "E0204", "a field's bounds (`>= N`, `<= N`) do not fit its type or allow no value";
    UnknownEventType = "E0300", "a rule names an event type the vocabulary does not declare";
    UnknownField = "E0301", "an event or record has no field of that name";
    TypeMismatch = "E0302", "an operand has the wrong type for its operator";
    WrongEnum = "E0303", "a value belongs to a different enum than the field it is compared with";
    UnguardedOptional = "E0304", "an optional field is used without checking that it is present";
    UnknownName = "E0305", "a name is neither a variable, a constant nor an enum value";
    NotACondition = "E0306", "a condition is not a true/false expression";
    ConstantCondition = "E0307", "a condition does not depend on the event, so it is always the same";
    HasOnRequired = "W0308", "`has` is applied to a field that is always present";
    NotAField = "E0309", "`has` is applied to something that is not a field";
    CitationNotInOutline = "E0400", "a clause is absent from the regulation's outline";
    DuplicateClause = "E0401", "an article, paragraph or item is written twice";
    DuplicateRule = "E0402", "two rules of one regulation have the same name";
    OutsideClause = "E0403", "a rule or exemption stands outside any article";
    MisplacedClause = "E0404", "a paragraph or item is nested where the regulation has none";
    DeadlineWithoutTrigger = "E0500", "a deadline has no event to count from";
    MissingTrigger = "E0501", "a rule does not say which events it judges";
    StateError = "E0502", "a state declaration or `size(…)` use does not fit the vocabulary";
    UnknownVariable = "E0503", "`after` names a variable the rule does not bind";
    BadPeriod = "E0504", "a period is negative or longer than the supported dates allow";
    MissingMessage = "W0001", "a rule has no `message`, so its findings get a generic one";
}
