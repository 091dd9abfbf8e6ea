//! Go to definition and find references.
//!
//! Definitions: a state, a constant, a variable, an event type, a field or an enum value leads
//! to its declaration (in the vocabulary for the last three); a clause header leads to the
//! clause's text in the outline. References: every use of a state or a constant in the package.

use edict_grammar::ast::walk::{NameRole, names};

use super::scope::{
    Meaning, Owner, VocabItem, clause_header_at, declaration, field_path_at, is_state, meaning,
    name_at, resolve_path, scope_at, vocab_location,
};
use super::{Ctx, Location};
use crate::db::SourceFile;
use crate::workspace::{LoadedPackage, Workspace};

/// Where the thing at a byte offset is declared.
pub fn definition(
    ws: &Workspace,
    package: &LoadedPackage,
    file: SourceFile,
    offset: u32,
) -> Option<Location> {
    let ctx = Ctx::new(ws, package, file);
    if let Some((clause, _)) = clause_header_at(&ctx.tree, offset) {
        let (outline_file, outline) = ctx.outline()?;
        let span = outline.clause_span(&clause)?;
        // The clause's first line: where its number stands.
        let text = outline_file.text(ctx.db);
        let end = text[span.range()]
            .find('\n')
            .map_or(span.end, |i| span.start + i as u32);
        return Some(Location {
            file: outline_file,
            span: edict_grammar::ast::Span {
                start: span.start,
                end,
            },
        });
    }
    let (ident, role) = name_at(&ctx.tree, offset)?;
    let vocab = ctx.vocab();
    match role {
        NameRole::StateRef | NameRole::StateDecl => {
            declaration(&ctx, &ident.name, true).map(|(loc, _)| loc)
        }
        NameRole::ConstDecl => declaration(&ctx, &ident.name, false).map(|(loc, _)| loc),
        NameRole::Name | NameRole::AfterVar => {
            let (bindings, _) = scope_at(&ctx.tree, offset);
            match meaning(&ctx, &bindings, &ident.name)? {
                Meaning::Variable(b) => Some(Location {
                    file,
                    span: b.ident.span,
                }),
                Meaning::Constant(name) => declaration(&ctx, &name, false).map(|(loc, _)| loc),
                Meaning::EnumValue(e) => {
                    vocab_location(&ctx, &*vocab?, VocabItem::EnumValue(&e, &ident.name))
                }
            }
        }
        NameRole::EventRef => vocab_location(&ctx, &*vocab?, VocabItem::Event(&ident.name)),
        NameRole::Field => {
            let (bindings, exprs) = scope_at(&ctx.tree, offset);
            let (var, path) = field_path_at(&exprs, offset)?;
            let binding = bindings.iter().rev().find(|b| b.ident.name == var.name)?;
            let vocab = vocab?;
            let names: Vec<&str> = path.iter().map(|p| p.name.as_str()).collect();
            let (field, owner): (_, Owner) = resolve_path(&vocab, &binding.bound, &names)?;
            vocab_location(&ctx, &vocab, VocabItem::Field(&owner, &field.name))
        }
        NameRole::TypeRef => {
            let vocab = vocab?;
            vocab_location(&ctx, &vocab, VocabItem::Enum(&ident.name))
                .or_else(|| vocab_location(&ctx, &vocab, VocabItem::Record(&ident.name)))
        }
        _ => None,
    }
}

/// Every place the state or constant at a byte offset is named in the package, its
/// declaration first when asked for.
pub fn references(
    ws: &Workspace,
    package: &LoadedPackage,
    file: SourceFile,
    offset: u32,
    include_declaration: bool,
) -> Vec<Location> {
    let ctx = Ctx::new(ws, package, file);
    let Some((ident, role)) = name_at(&ctx.tree, offset) else {
        return Vec::new();
    };
    let state = match role {
        NameRole::StateDecl | NameRole::StateRef => true,
        NameRole::ConstDecl => false,
        NameRole::Name => {
            let (bindings, _) = scope_at(&ctx.tree, offset);
            match meaning(&ctx, &bindings, &ident.name) {
                Some(Meaning::Constant(_)) => false,
                _ => return Vec::new(),
            }
        }
        _ => return Vec::new(),
    };
    if state && !is_state(&ctx, &ident.name) {
        return Vec::new();
    }
    let mut out = Vec::new();
    if include_declaration && let Some((loc, _)) = declaration(&ctx, &ident.name, state) {
        out.push(loc);
    }
    for &source in ctx.package.sources(ctx.db) {
        let tree = ctx.tree_of(source);
        let other = Ctx {
            db: ctx.db,
            package: ctx.package,
            file: source,
            tree: tree.clone(),
        };
        let mut uses = Vec::new();
        names(&tree, &mut |id, role| {
            if id.name != ident.name {
                return;
            }
            let is_use = match role {
                NameRole::StateRef => state,
                NameRole::Name => !state,
                _ => false,
            };
            if is_use {
                uses.push(id.span);
            }
        });
        for span in uses {
            if !state {
                // A variable of the same name hides the constant.
                let (bindings, _) = scope_at(&other.tree, span.start);
                if !matches!(
                    meaning(&other, &bindings, &ident.name),
                    Some(Meaning::Constant(_))
                ) {
                    continue;
                }
            }
            out.push(Location { file: source, span });
        }
    }
    out
}
