//! Pass, asked for only when building for a partitioned run: can the package's program be judged
//! partition by partition?
//!
//! The runtime decides ([`edict_runtime::partition::Partitioning::of`], the one definition of
//! what may be partitioned); this pass puts each obstacle it names at its place in the source:
//! the `once`, `reset by` or deadline pattern that may reach another partition, the key of a
//! state keyed by another field, or the regulation header whose vocabulary declares no
//! `partition by`.

use edict_grammar::ast::{self, ClauseEntry, HeaderField, Item, RuleBody, Span};
use edict_grammar::tr;
use edict_runtime::partition::{Obstacle, Partitioning};

use crate::db::{Package, SourceFile};
use crate::diagnostic::{Code, Diagnostic, Text};
use crate::lower::lower_package;
use crate::parse::parse_file;

/// The diagnostics that prevent a partitioned run of the package; none when its program has
/// errors (those are reported by the other passes) or can be partitioned.
#[salsa::tracked(returns(ref))]
pub(crate) fn partition_diagnostics(db: &dyn salsa::Database, package: Package) -> Vec<Diagnostic> {
    let Some(program) = lower_package(db, package).as_ref() else {
        return Vec::new();
    };
    let Err(obstacles) = Partitioning::of(program) else {
        return Vec::new();
    };
    let field = program.vocabulary.partition.clone().unwrap_or_default();
    let sources = package.sources(db);
    let files: Vec<(SourceFile, std::sync::Arc<ast::File>)> = sources
        .iter()
        .map(|&f| (f, std::sync::Arc::clone(parse_file(db, f))))
        .collect();
    obstacles
        .iter()
        .filter_map(|o| diagnostic(&files, o, &field))
        .collect()
}

fn diagnostic(
    files: &[(SourceFile, std::sync::Arc<ast::File>)],
    obstacle: &Obstacle,
    field: &str,
) -> Option<Diagnostic> {
    let error =
        |file, span, message: Text| Diagnostic::error(Code::NotPartitionable, file, span, message);
    match obstacle {
        Obstacle::Undeclared | Obstacle::BadField { .. } => {
            let (file, span) = header_place(files)?;
            Some(
                error(
                    file,
                    span,
                    tr!(
                        "the stream cannot be partitioned: the vocabulary declares no `partition by`",
                        "事件流无法分区：词汇没有声明`分区于`"
                    ),
                )
                .label(tr!("this vocabulary", "这个词汇"))
                .help(tr!(
                    "declare the field that partitions the stream in the vocabulary, e.g. `partition by FIELD` with a required field of `common`",
                    "在词汇中声明给事件流分区的字段，例如`分区于 FIELD`，FIELD 是`公共`中的必填字段"
                )),
            )
        }
        Obstacle::State { state } => {
            let (file, decl) = files.iter().find_map(|(file, tree)| {
                tree.items.iter().find_map(|item| match item {
                    Item::State(s) if s.name.name == *state => Some((*file, s.clone())),
                    _ => None,
                })
            })?;
            let key = &decl.key.name;
            Some(
                error(
                    file,
                    decl.key.span,
                    tr!(
                        "state `{state}` is kept per `{key}`, not per the partition field `{field}`",
                        "状态`{state}`按`{key}`保存，而不是按分区字段`{field}`"
                    ),
                )
                .label(tr!(
                    "one key may gather events of several partitions",
                    "一个键可能汇集多个分区的事件"
                ))
                .help(tr!(
                    "key the state by `{field}`, or run on one partition",
                    "按`{field}`给状态分键，或者不分区运行"
                )),
            )
        }
        Obstacle::Once { rule } | Obstacle::Deadline { rule } => {
            let (file, r) = find_rule(files, &rule.name)?;
            let (pattern, what_en, what_zh) = match &r.body {
                RuleBody::Once(once) => (&once.pattern, "an earlier event", "中之前的事件"),
                RuleBody::Deadline(deadline) => {
                    (&deadline.pattern, "the required event", "中所要求的事件")
                }
                _ => return None,
            };
            let x = &pattern.binding.name;
            let trigger = match &r.trigger {
                Some(ast::Trigger::Event { binding, .. }) => format!("{}.{field}", binding.name),
                Some(ast::Trigger::Reaches { key, .. }) => key.name.clone(),
                None => "…".to_owned(),
            };
            let name = &r.name.name;
            Some(
                error(
                    file,
                    pattern.span,
                    tr!(
                        "rule `{name}` may match {what_en} of another partition",
                        "规则`{name}`可能匹配到另一个分区{what_zh}"
                    ),
                )
                .label(tr!(
                    "`{x}.{field}` is not required to equal `{trigger}`",
                    "没有要求`{x}.{field}`等于`{trigger}`"
                ))
                .help(tr!(
                    "add `{x}.{field} == {trigger} and …` to the pattern's condition",
                    "在模式的条件中加上`{x}.{field} == {trigger} 并且 …`"
                )),
            )
        }
        Obstacle::Reset { rule, reset } => {
            let (file, r) = find_rule(files, &rule.name)?;
            let RuleBody::Once(once) = &r.body else {
                return None;
            };
            let pattern = once.resets.get(*reset)?;
            let (x, y) = (&once.pattern.binding.name, &pattern.binding.name);
            let name = &r.name.name;
            Some(
                error(
                    file,
                    pattern.span,
                    tr!(
                        "rule `{name}` may reset an event of another partition",
                        "规则`{name}`可能重置另一个分区中的事件"
                    ),
                )
                .label(tr!(
                    "`{y}.{field}` is not required to equal `{x}.{field}`",
                    "没有要求`{y}.{field}`等于`{x}.{field}`"
                ))
                .help(tr!(
                    "add `{y}.{field} == {x}.{field} and …` to the `reset by` condition",
                    "在`重置于`的条件中加上`{y}.{field} == {x}.{field} 并且 …`"
                )),
            )
        }
    }
}

/// Where the package names its vocabulary: the `use vocabulary` field of its header, or the
/// regulation's id.
fn header_place(files: &[(SourceFile, std::sync::Arc<ast::File>)]) -> Option<(SourceFile, Span)> {
    files.iter().find_map(|(file, tree)| {
        tree.items.iter().find_map(|item| match item {
            Item::Regulation(r) => {
                let span = r
                    .fields
                    .iter()
                    .find_map(|f| match f {
                        HeaderField::UseVocabulary { name, .. } => Some(name.span),
                        _ => None,
                    })
                    .unwrap_or(r.id.span);
                Some((*file, span))
            }
            _ => None,
        })
    })
}

/// The rule of this name (names are unique in a package without errors).
fn find_rule(
    files: &[(SourceFile, std::sync::Arc<ast::File>)],
    name: &str,
) -> Option<(SourceFile, ast::Rule)> {
    fn search(entries: &[ClauseEntry], name: &str) -> Option<ast::Rule> {
        entries.iter().find_map(|e| match e {
            ClauseEntry::Rule(r) if r.name.name == name => Some(r.clone()),
            ClauseEntry::Paragraph(s) | ClauseEntry::Item(s) => search(&s.body, name),
            _ => None,
        })
    }
    files.iter().find_map(|(file, tree)| {
        tree.items.iter().find_map(|item| match item {
            Item::Article(a) => search(&a.body, name).map(|r| (*file, r)),
            _ => None,
        })
    })
}
