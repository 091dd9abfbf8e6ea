//! Vocabularies that extend another (`vocabulary staff extends face from "…" { … }`): finding
//! the base among a package's imports, refusing circles, and what an extension may not change.

use std::sync::Arc;

use edict_grammar::ast::{self, Item};

use super::{Vocab, resolve_vocabulary, vocabularies};
use crate::db::{Package, SourceFile};
use crate::diagnostic::{Code, Diagnostic};
use crate::parse::parse_file;
use crate::paths;
use edict_grammar::tr;

/// The names of the vocabularies a file declares, extensions included.
pub(crate) fn declared_names(db: &dyn salsa::Database, file: SourceFile) -> Vec<String> {
    parse_file(db, file)
        .items
        .iter()
        .filter_map(|item| match item {
            Item::Vocabulary(v) => Some(v.name.name.clone()),
            _ => None,
        })
        .collect()
}

/// The declaration of vocabulary `name` in `file`.
pub(super) fn declaration<'db>(
    db: &'db dyn salsa::Database,
    file: SourceFile,
    name: &str,
) -> Option<&'db ast::Vocabulary> {
    parse_file(db, file)
        .items
        .iter()
        .find_map(|item| match item {
            Item::Vocabulary(v) if v.name.name == name => Some(v),
            _ => None,
        })
}

/// Vocabulary `name` of `file`, resolved with the vocabularies it extends, which must be among
/// the package's imports; `None` when it or a base cannot be resolved (reported).
#[salsa::tracked(returns(ref))]
pub(crate) fn vocab_named(
    db: &dyn salsa::Database,
    package: Package,
    file: SourceFile,
    name: String,
) -> Option<Arc<Vocab>> {
    let decl = declaration(db, file, &name)?;
    let Some(extends) = &decl.extends else {
        return vocabularies(db, file)
            .iter()
            .find(|v| v.name == name)
            .cloned();
    };
    // Follow the chain by syntax first: a cycle must be reported, not recursed into.
    let mut chain = vec![(file, name.clone())];
    let (mut at_file, mut at) = (file, extends.clone());
    loop {
        let base_file = base_file(db, package, at_file, &at)?;
        if chain.contains(&(base_file, at.base.name.clone())) {
            let (vocabulary, base) = (&name, &at.base.name);
            Diagnostic::error(
                Code::BadExtension,
                at_file,
                at.base.span,
                tr!(
                    "vocabulary `{vocabulary}` extends itself through `{base}`",
                    "词汇`{vocabulary}`经由`{base}`扩展了它自己"
                ),
            )
            .label(tr!("this closes a circle", "这里形成了循环"))
            .help(tr!(
                "a vocabulary extends one that does not extend it back",
                "一个词汇只能扩展不反过来扩展它的词汇"
            ))
            .report(db);
            return None;
        }
        chain.push((base_file, at.base.name.clone()));
        match declaration(db, base_file, &at.base.name)?.extends.clone() {
            Some(next) => (at_file, at) = (base_file, next),
            None => break,
        }
    }
    let base_file = base_file(db, package, file, extends)?;
    let base = vocab_named(db, package, base_file, extends.base.name.clone()).clone()?;
    let (vocab, diags) = resolve_vocabulary(file, decl, Some(&base));
    for d in diags {
        d.report(db);
    }
    Some(Arc::new(vocab))
}

/// The file an `extends` clause names, if the package imported it and it declares the base;
/// reports it when not.
fn base_file(
    db: &dyn salsa::Database,
    package: Package,
    file: SourceFile,
    extends: &ast::Extends,
) -> Option<SourceFile> {
    let resolved = paths::resolve(file.path(db), &extends.path.value);
    let Some(found) = package
        .imports(db)
        .iter()
        .chain(package.sources(db))
        .copied()
        .find(|f| *f.path(db) == resolved)
    else {
        let path = &extends.path.value;
        Diagnostic::error(
            Code::FileNotFound,
            file,
            extends.path.span,
            tr!(
                "cannot read the vocabulary file `{path}`",
                "无法读取词汇文件`{path}`"
            ),
        )
        .label(tr!("looked for `{resolved}`", "查找的是`{resolved}`"))
        .help(tr!(
            "paths are relative to the file that names them",
            "路径相对于写出它的文件"
        ))
        .report(db);
        return None;
    };
    if declaration(db, found, &extends.base.name).is_none() {
        let names: Vec<String> = declared_names(db, found)
            .iter()
            .map(|n| format!("`{n}`"))
            .collect();
        let (base, path) = (&extends.base.name, &extends.path.value);
        let help = if names.is_empty() {
            tr!("that file declares no vocabulary", "那个文件没有声明词汇")
        } else {
            let (en, zh) = (names.join(", "), names.join("、"));
            tr!("that file declares {en}", "那个文件声明的是{zh}")
        };
        Diagnostic::error(
            Code::VocabularyMismatch,
            file,
            extends.base.span,
            tr!(
                "`{path}` does not declare vocabulary `{base}`",
                "`{path}`没有声明词汇`{base}`"
            ),
        )
        .label(tr!(
            "no vocabulary of this name there",
            "那里没有这个名称的词汇"
        ))
        .help(help)
        .report(db);
        return None;
    }
    Some(found)
}

/// Reports a declaration of an extension that changes its base.
pub(super) fn changes_base(
    file: SourceFile,
    id: &ast::Ident,
    base: &str,
    what: (&str, &str),
) -> Diagnostic {
    let (name, (what_en, what_zh)) = (&id.name, what);
    Diagnostic::error(
        Code::BadExtension,
        file,
        id.span,
        tr!(
            "{what_en} `{name}` is already declared by the base vocabulary `{base}`",
            "{what_zh}`{name}`已由基础词汇`{base}`声明"
        ),
    )
    .label(tr!(
        "an extension may add to its base, not change it",
        "扩展只能在基础词汇上增加，不能改动它"
    ))
    .help(tr!(
        "give it a new name; to add fields to a base event type, declare only the new fields",
        "换一个新名称；要给基础事件类型增加字段，只声明新增的字段"
    ))
}
