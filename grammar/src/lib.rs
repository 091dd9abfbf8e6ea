//! Syntax of the Edict policy language.
//!
//! [`parse`] turns a source file into an [`ast::File`] with spans, recovering at top-level items
//! (and at entries inside a broken article) so one run reports every syntax error;
//! [`outline::segment`] reads a regulation's text or outline into its article → paragraph →
//! item tree; [`chinese_numeral`] reads the numerals of clause numbers such as `第十五条`;
//! [`lexer`] splits a file into tokens (comments included) for the formatter and the editor.
//! Every error message is a [`Text`] in English and Chinese ([`text`]), shown in the language
//! of the file's keywords ([`keyword_language`]) unless the reader asks for the other.

pub mod ast;
pub mod keywords;
pub mod lexer;
pub mod numeral;
pub mod outline;
mod parse;
pub mod text;

pub use edict_runtime::ir::format_chinese_numeral;
pub use keywords::keyword_language;
pub use numeral::chinese_numeral;
pub use parse::{ParseError, parse};
pub use text::{Lang, Text};
