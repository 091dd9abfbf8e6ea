//! Hover: what the thing under the cursor is, in Markdown.
//!
//! A clause header shows the clause's text from the regulation's outline; a field its type and
//! the comment that documents it in the vocabulary; a rule its id and the clause it cites; a
//! constant or a state its definition; an event type its declaration.

use edict_grammar::ast::Span;
use edict_grammar::ast::walk::NameRole;
use edict_runtime::ir::{ClauseRef, RuleId};

use super::scope::{
    Bound, Meaning, Owner, VocabItem, clause_header_at, declaration, enclosing, field_path_at,
    meaning, resolve_path, scope_at, vocab_location,
};
use super::{Ctx, doc_comment};
use crate::db::SourceFile;
use crate::resolve::header;
use crate::workspace::{LoadedPackage, Workspace};

/// What to show over a span.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hover {
    pub span: Span,
    pub markdown: String,
}

/// The hover at a byte offset of a file of the package.
pub fn hover(
    ws: &Workspace,
    package: &LoadedPackage,
    file: SourceFile,
    offset: u32,
) -> Option<Hover> {
    let ctx = Ctx::new(ws, package, file);
    if let Some((clause, span)) = clause_header_at(&ctx.tree, offset) {
        return Some(Hover {
            span,
            markdown: clause_text(&ctx, &clause),
        });
    }
    let (ident, role) = super::scope::name_at(&ctx.tree, offset)?;
    let markdown = match role {
        NameRole::RuleName => rule_hover(&ctx, offset, &ident.name)?,
        NameRole::Field => field_hover(&ctx, offset)?,
        NameRole::Name => {
            let (bindings, _) = scope_at(&ctx.tree, offset);
            match meaning(&ctx, &bindings, &ident.name)? {
                Meaning::Variable(b) => variable_hover(&ident.name, &b.bound),
                Meaning::Constant(name) => definition_hover(&ctx, &name, false)?,
                Meaning::EnumValue(e) => enum_hover(&ctx, &e, &ident.name)?,
            }
        }
        NameRole::ConstDecl => definition_hover(&ctx, &ident.name, false)?,
        NameRole::StateDecl | NameRole::StateRef => definition_hover(&ctx, &ident.name, true)?,
        NameRole::EventRef | NameRole::EventDecl => event_hover(&ctx, &ident.name)?,
        NameRole::Binding | NameRole::AfterVar => {
            let (bindings, _) = scope_at(&ctx.tree, offset);
            let b = bindings.iter().rev().find(|b| b.ident.name == ident.name)?;
            variable_hover(&ident.name, &b.bound)
        }
        NameRole::EnumValue => {
            let vocab = ctx.vocab()?;
            let (e, _) = *vocab.enums_with_value(&ident.name).first()?;
            enum_hover(&ctx, &vocab.enums.get(e as usize)?.name, &ident.name)?
        }
        _ => return None,
    };
    Some(Hover {
        span: ident.span,
        markdown,
    })
}

/// A clause's name and its text in the outline.
fn clause_text(ctx: &Ctx<'_>, clause: &ClauseRef) -> String {
    let mut out = format!("**{}** ({})", clause.words(), clause.zh());
    if let Some(h) = header(ctx.db, ctx.package) {
        out.push_str(&format!(" of `{}`", h.id));
    }
    match ctx.outline() {
        Some((file, outline)) => match outline.clause_span(clause) {
            Some(span) => {
                let lines: Vec<String> = file.text(ctx.db)[span.range()]
                    .lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .map(|l| format!("> {l}"))
                    .collect();
                out.push_str("\n\n");
                out.push_str(&lines.join("\n>\n"));
            }
            None => out.push_str(&format!("\n\nnot in the outline `{}`", file.path(ctx.db))),
        },
        None => out.push_str("\n\nthe package names no outline"),
    }
    out
}

fn rule_hover(ctx: &Ctx<'_>, offset: u32, name: &str) -> Option<String> {
    let (clause, _) = enclosing(&ctx.tree, offset);
    let Some(clause) = clause else {
        return Some(format!("rule `{name}`, outside any article"));
    };
    let regulation = header(ctx.db, ctx.package)
        .as_ref()
        .map_or_else(|| "?".to_owned(), |h| h.id.clone());
    let id = RuleId {
        regulation,
        clause: clause.clone(),
        name: name.to_owned(),
    };
    Some(format!(
        "rule `{id}`\n\nimplements {}\n\n---\n\n{}",
        clause.words(),
        clause_text(ctx, &clause)
    ))
}

fn field_hover(ctx: &Ctx<'_>, offset: u32) -> Option<String> {
    let (bindings, exprs) = scope_at(&ctx.tree, offset);
    let (var, path) = field_path_at(&exprs, offset)?;
    let binding = bindings.iter().rev().find(|b| b.ident.name == var.name)?;
    let vocab = ctx.vocab()?;
    let names: Vec<&str> = path.iter().map(|p| p.name.as_str()).collect();
    let (field, owner) = resolve_path(&vocab, &binding.bound, &names)?;
    let mut declared = format!(
        "{}{}: {}",
        field.name,
        if field.optional { "?" } else { "" },
        vocab.show(&field.ty).en
    );
    if let Some(default) = &field.default {
        declared.push_str(&format!(" = {}", show_value(&vocab, default)));
    }
    let owner_words = match &owner {
        Owner::Event(e) => format!("event type `{e}`"),
        Owner::Record(r) => format!("record `{r}`"),
        Owner::Common => "every event type (`common`)".to_owned(),
    };
    let mut out = format!(
        "```edict\n{declared}\n```\nfield of {owner_words} in vocabulary `{}`",
        vocab.name
    );
    if field.may_be_absent() {
        out.push_str(&format!(
            "; optional: read it only after `has({}.{})`",
            var.name,
            names.join(".")
        ));
    }
    if let Some(loc) = vocab_location(ctx, &vocab, VocabItem::Field(&owner, &field.name))
        && let Some(doc) = doc_comment(loc.file.text(ctx.db), loc.span)
    {
        out.push_str(&format!("\n\n{doc}"));
    }
    Some(out)
}

fn show_value(vocab: &crate::vocab::Vocab, value: &edict_runtime::ir::Value) -> String {
    use edict_runtime::ir::Value;
    match value {
        Value::Enum(e, v) => vocab
            .enums
            .get(*e as usize)
            .and_then(|e| e.values.get(*v as usize))
            .cloned()
            .unwrap_or_default(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Str(s) => format!("{s:?}"),
        other => format!("{other:?}"),
    }
}

fn variable_hover(name: &str, bound: &Bound) -> String {
    match bound {
        Bound::Event(e) => format!("`{name}`: an event of type `{e}`"),
        Bound::AnyEvent => format!("`{name}`: any event (only the `common` fields are known)"),
        Bound::Key(state) => format!("`{name}`: the key of state `{state}`"),
    }
}

/// A constant's or a state's declaration as written, with its comment.
fn definition_hover(ctx: &Ctx<'_>, name: &str, state: bool) -> Option<String> {
    let (loc, whole) = declaration(ctx, name, state)?;
    let text = loc.file.text(ctx.db);
    let source = text.get(whole.range())?;
    let mut out = format!("```edict\n{source}\n```");
    if !state
        && let Some(info) = crate::declare::package_consts(ctx.db, ctx.package).get(name)
        && let Some(vocab) = ctx.vocab()
    {
        out.push_str(&format!("\nconstant of type {}", vocab.show(&info.ty).en));
    }
    out.push_str(&format!("\n\ndeclared in `{}`", loc.file.path(ctx.db)));
    if let Some(doc) = doc_comment(text, whole) {
        out.push_str(&format!("\n\n{doc}"));
    }
    Some(out)
}

fn event_hover(ctx: &Ctx<'_>, name: &str) -> Option<String> {
    let vocab = ctx.vocab()?;
    let (_, event) = vocab.event(name)?;
    let mut out = format!(
        "```edict\nevent {name}{} {{\n",
        if event.open { " open" } else { "" }
    );
    for f in &event.fields {
        out.push_str(&format!(
            "  {}{}: {}\n",
            f.name,
            if f.optional { "?" } else { "" },
            vocab.show(&f.ty).en
        ));
    }
    out.push_str("}\n```\n");
    out.push_str(&format!("event type of vocabulary `{}`", vocab.name));
    if let Some(loc) = vocab_location(ctx, &vocab, VocabItem::Event(name))
        && let Some(doc) = doc_comment(loc.file.text(ctx.db), loc.span)
    {
        out.push_str(&format!("\n\n{doc}"));
    }
    Some(out)
}

fn enum_hover(ctx: &Ctx<'_>, enum_name: &str, value: &str) -> Option<String> {
    let vocab = ctx.vocab()?;
    let info = vocab.enums.iter().find(|e| e.name == enum_name)?;
    let mut out = format!(
        "`{value}`: a value of enum `{enum_name}` ({})",
        info.values.join(", ")
    );
    if let Some(loc) = vocab_location(ctx, &vocab, VocabItem::EnumValue(enum_name, value))
        && let Some(doc) = doc_comment(loc.file.text(ctx.db), loc.span)
    {
        out.push_str(&format!("\n\n{doc}"));
    }
    Some(out)
}
