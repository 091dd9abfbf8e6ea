//! The parser generated from `edict.pest`, the single source of Edict's syntax.

use pest_derive::Parser;

/// The pest parser for Edict; its `Rule` enum names every grammar rule.
#[derive(Parser)]
#[grammar = "edict.pest"]
pub(crate) struct EdictParser;
