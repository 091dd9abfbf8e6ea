//! `partition by FIELD` in a vocabulary: the field whose value splits a stream into partitions
//! that can be judged apart (docs/scale.md).

use edict_grammar::ast::{self, Span, VocabDecl};
use edict_grammar::tr;

use super::Vocab;
use crate::db::SourceFile;
use crate::diagnostic::{Code, Diagnostic, Lang, did_you_mean};
use crate::types::Ty;

/// Reads the vocabulary's `partition by` declarations into `vocab.partition`: at most one per
/// vocabulary, naming a required field of `common` (E0206 otherwise). An extension keeps its
/// base's partition field; declaring another one changes the base (E0205).
pub(super) fn resolve_partition(
    file: SourceFile,
    decl: &ast::Vocabulary,
    vocab: &mut Vocab,
    diags: &mut Vec<Diagnostic>,
) {
    let inherited = vocab.partition.clone();
    let mut partition_decl: Option<Span> = None;
    for d in &decl.decls {
        if let VocabDecl::Partition { field, span } = d {
            if let Some(first) = partition_decl {
                diags.push(
                    Diagnostic::error(Code::DuplicateDeclaration, file, *span, {
                        let vocabulary = &decl.name;
                        tr!(
                            "vocabulary `{vocabulary}` declares `partition by` twice",
                            "词汇`{vocabulary}`两次声明了`分区于`"
                        )
                    })
                    .label(tr!("second declaration", "第二个声明"))
                    .secondary(file, first, tr!("first one here", "第一个在此"))
                    .help(tr!(
                        "a stream is partitioned by one field",
                        "一个事件流只按一个字段分区"
                    )),
                );
                continue;
            }
            partition_decl = Some(*span);
            if let Some(base) = inherited.as_ref().filter(|base| **base != field.name) {
                let base_name = vocab.sources.get(1).map_or("", |(_, name)| name.as_str());
                let name = &field.name;
                diags.push(
                    Diagnostic::error(
                        Code::BadExtension,
                        file,
                        field.span,
                        tr!(
                            "the base vocabulary `{base_name}` is partitioned by `{base}`, not `{name}`",
                            "基础词汇`{base_name}`按`{base}`分区，而不是`{name}`"
                        ),
                    )
                    .label(tr!(
                        "an extension may add to its base, not change it",
                        "扩展只能在基础词汇上增加，不能改动它"
                    ))
                    .help(tr!(
                        "remove this line: the extension is partitioned as its base is",
                        "删除这一行：扩展沿用基础词汇的分区"
                    )),
                );
                continue;
            }
            if let Some(d) = check_partition_field(file, vocab, field) {
                diags.push(d);
            } else {
                vocab.partition = Some(field.name.clone());
            }
        }
    }
}

/// Checks `partition by FIELD`: a required field of `common` whose type is a string, an integer
/// or an enum, so that every event has a value to partition by.
fn check_partition_field(
    file: SourceFile,
    vocab: &Vocab,
    field: &ast::Ident,
) -> Option<Diagnostic> {
    let name = &field.name;
    let common = vocab.common.iter().find(|f| &f.name == name);
    let required = || {
        vocab
            .common
            .iter()
            .filter(|f| !f.optional)
            .map(|f| f.name.as_str())
    };
    let (message, label, help) = match common {
        Some(f) if f.optional => (
            tr!(
                "the partition field `{name}` is optional",
                "分区字段`{name}`是可选的"
            ),
            tr!(
                "an event without it would belong to no partition",
                "没有它的事件不属于任何分区"
            ),
            tr!(
                "make `{name}` a required field of `common`, or partition by another one",
                "把`{name}`改为`公共`中的必填字段，或者按别的字段分区"
            ),
        ),
        Some(f) if !matches!(f.ty, Ty::Str | Ty::Int | Ty::Enum(_)) => {
            let ty = vocab.show(&f.ty);
            let (ty_en, ty_zh) = (ty.get(Lang::En), ty.get(Lang::Zh));
            (
                tr!(
                    "the partition field `{name}` is of type `{ty_en}`",
                    "分区字段`{name}`的类型是`{ty_zh}`"
                ),
                tr!(
                    "not a string, an integer or an enum",
                    "不是字符串、整数或枚举"
                ),
                tr!(
                    "partition by a field whose value names one party, such as a string",
                    "请按其值标识某一方的字段分区，例如字符串字段"
                ),
            )
        }
        Some(_) => return None,
        None => (
            tr!(
                "`{name}` is not a field of `common`",
                "`{name}`不是`公共`中的字段"
            ),
            tr!(
                "every event type must carry the partition field",
                "每个事件类型都必须带有分区字段"
            ),
            did_you_mean(name, required()).unwrap_or_else(|| {
                tr!(
                    "partition by a required field declared in `common`",
                    "请按`公共`中声明的必填字段分区"
                )
            }),
        ),
    };
    Some(
        Diagnostic::error(Code::BadPartition, file, field.span, message)
            .label(label)
            .help(help),
    )
}
