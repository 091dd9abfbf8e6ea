//! Resolving a package's declarations: its constants and its states.
//!
//! Constants are also found one by one ([`constant`]), so that a rule depends only on the
//! constants it uses: editing one re-checks only the articles that read it.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use edict_grammar::ast::{self, Ident, Item, Span};
use edict_runtime::ir;

use crate::db::{Package, SourceFile};
use crate::diagnostic::{Code, Diagnostic, Origin, did_you_mean};
use crate::expr::{Checker, ConstInfo, Constants};
use crate::parse::parse_file;
use crate::resolve::package_vocab;
use crate::types::Ty;

/// A state, resolved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StateInfo {
    pub name: String,
    pub key_ty: Ty,
    pub def: ir::StateDef,
}

/// The constants of a package, by name.
#[salsa::tracked(returns(ref))]
pub(crate) fn package_consts(
    db: &dyn salsa::Database,
    package: Package,
) -> Arc<BTreeMap<String, ConstInfo>> {
    let Some(vocab) = package_vocab(db, package).clone() else {
        return Arc::default();
    };
    let mut scope = Declared::default();
    let mut spans: HashMap<String, (SourceFile, Span)> = HashMap::new();
    for &file in package.sources(db) {
        for item in &parse_file(db, file).items {
            let Item::Const(c) = item else { continue };
            if let Some((first_file, first)) = spans.get(&c.name.name) {
                Diagnostic::error(
                    Code::DuplicateDeclaration,
                    file,
                    c.name.span,
                    format!("constant `{}` is declared twice", c.name.name),
                )
                .label("declared again here")
                .secondary(*first_file, *first, "first declared here")
                .help("rename one of them")
                .report(db);
                continue;
            }
            spans.insert(c.name.name.clone(), (file, c.name.span));
            // A constant sees the constants declared before it.
            let mut checker = Checker::new(Origin::file(file), &vocab, &scope);
            let (expr, ty) = checker.infer(&c.value, None);
            for d in checker.diags {
                d.report(db);
            }
            match expr {
                ir::Expr::Const(value) => {
                    let info = ConstInfo {
                        name: c.name.name.clone(),
                        ty,
                        value,
                    };
                    scope.0.insert(info.name.clone(), info);
                }
                _ => Diagnostic::error(
                    Code::TypeMismatch,
                    file,
                    c.value.span,
                    format!("constant `{}` must be a fixed value", c.name.name),
                )
                .label("this is not a literal")
                .help("write a number, string, date, enum value or set literal")
                .report(db),
            }
        }
    }
    Arc::new(scope.0)
}

/// One constant of a package.
#[salsa::tracked(returns(ref))]
pub(crate) fn constant(
    db: &dyn salsa::Database,
    package: Package,
    name: String,
) -> Option<ConstInfo> {
    package_consts(db, package).get(&name).cloned()
}

/// Constants declared so far, while the package's constants are resolved.
#[derive(Default)]
struct Declared(BTreeMap<String, ConstInfo>);

impl Constants for Declared {
    fn constant(&self, name: &str) -> Option<ConstInfo> {
        self.0.get(name).cloned()
    }

    fn names(&self) -> Vec<String> {
        self.0.keys().cloned().collect()
    }
}

/// A package's constants, looked up one query per name.
pub(crate) struct PackageConstants<'db> {
    pub(crate) db: &'db dyn salsa::Database,
    pub(crate) package: Package,
}

impl Constants for PackageConstants<'_> {
    fn constant(&self, name: &str) -> Option<ConstInfo> {
        constant(self.db, self.package, name.to_owned()).clone()
    }

    fn names(&self) -> Vec<String> {
        package_consts(self.db, self.package)
            .keys()
            .cloned()
            .collect()
    }
}

/// The states of a package, in declaration order.
#[salsa::tracked(returns(ref))]
pub(crate) fn package_states(db: &dyn salsa::Database, package: Package) -> Arc<[StateInfo]> {
    let Some(vocab) = package_vocab(db, package).clone() else {
        return Arc::from([]);
    };
    let consts = PackageConstants { db, package };
    let mut states: Vec<StateInfo> = Vec::new();
    let mut spans: HashMap<String, (SourceFile, Span)> = HashMap::new();
    for &file in package.sources(db) {
        for item in &parse_file(db, file).items {
            let Item::State(decl) = item else { continue };
            if let Some((ffile, first)) = spans.get(&decl.name.name) {
                Diagnostic::error(
                    Code::DuplicateDeclaration,
                    file,
                    decl.name.span,
                    format!("state `{}` is declared twice", decl.name.name),
                )
                .label("declared again here")
                .secondary(*ffile, *first, "first declared here")
                .help("rename one of them")
                .report(db);
                continue;
            }
            spans.insert(decl.name.name.clone(), (file, decl.name.span));
            let mut checker = Checker::new(Origin::file(file), &vocab, &consts);
            let mut key_ty: Option<Ty> = None;
            let mut elem_ty: Option<Ty> = None;
            let mut updates = Vec::new();
            let mut errors = Vec::new();
            for update in &decl.updates {
                let Some(event) = checker.bind_update(&update.event, &update.binding) else {
                    continue;
                };
                let Some((key, kty)) = checker.key_field(event, &decl.key) else {
                    continue;
                };
                match &key_ty {
                    Some(t) if !t.accepts(&kty) => errors.push(
                        Diagnostic::error(
                            Code::StateError,
                            file,
                            update.span,
                            format!(
                                "the key `{}` of `{}` is a {} here but a {} elsewhere",
                                decl.key.name,
                                update.event.name,
                                vocab.show(&kty),
                                vocab.show(t)
                            ),
                        )
                        .label("key of another type")
                        .help("every updating event must give the key the same type"),
                    ),
                    Some(_) => {}
                    None => key_ty = Some(kty),
                }
                let op = match (&decl.kind, &update.op) {
                    (
                        ast::StateKind::Set { .. },
                        ast::StateOp::Add(e) | ast::StateOp::Remove(e),
                    ) => {
                        let (expr, ty) = checker.infer(e, elem_ty.as_ref());
                        match &elem_ty {
                            Some(t) if !t.accepts(&ty) => errors.push(
                                Diagnostic::error(
                                    Code::StateError,
                                    file,
                                    e.span,
                                    format!(
                                        "state `{}` holds values of type {}, not {}",
                                        decl.name.name,
                                        vocab.show(t),
                                        vocab.show(&ty)
                                    ),
                                )
                                .label("element of another type")
                                .help("add and remove values of one type"),
                            ),
                            Some(_) => {}
                            None => elem_ty = Some(ty),
                        }
                        if matches!(update.op, ast::StateOp::Add(_)) {
                            ir::StateOp::Add(expr)
                        } else {
                            ir::StateOp::Remove(expr)
                        }
                    }
                    (ast::StateKind::Counter, ast::StateOp::Increment) => ir::StateOp::Increment,
                    (ast::StateKind::Counter, ast::StateOp::Decrement) => ir::StateOp::Decrement,
                    (kind, _) => {
                        let (what, allowed) = match kind {
                            ast::StateKind::Counter => ("a counter", "`increment` or `decrement`"),
                            ast::StateKind::Set { .. } => ("a set", "`add EXPR` or `remove EXPR`"),
                        };
                        errors.push(
                            Diagnostic::error(
                                Code::StateError,
                                file,
                                update.span,
                                format!("state `{}` is {what}", decl.name.name),
                            )
                            .label("this update does not fit it")
                            .help(format!("{what} is updated with {allowed}")),
                        );
                        continue;
                    }
                };
                updates.push(ir::StateUpdate { event, key, op });
            }
            for d in checker.diags.drain(..).chain(errors) {
                d.report(db);
            }
            let kind = match decl.kind {
                ast::StateKind::Counter => ir::StateKind::Counter,
                ast::StateKind::Set { .. } => {
                    ir::StateKind::Set(elem_ty.as_ref().map_or(ir::Type::String, Ty::to_ir))
                }
            };
            states.push(StateInfo {
                name: decl.name.name.clone(),
                key_ty: key_ty.unwrap_or(Ty::Error),
                def: ir::StateDef {
                    name: decl.name.name.clone(),
                    kind,
                    updates,
                },
            });
        }
    }
    Arc::from(states)
}

impl Checker<'_> {
    /// Binds an updating event for a state declaration.
    fn bind_update(&mut self, event: &Ident, binding: &Ident) -> Option<u32> {
        self.vars.clear();
        self.bind_event(event, binding, ir::TRIGGER_SLOT)
    }

    /// Resolves the state key field of an updating event, a required field.
    fn key_field(&mut self, event: u32, key: &Ident) -> Option<(ir::Expr, Ty)> {
        let vocab = self.vocab;
        let info = &vocab.events[event as usize];
        match info.fields.iter().position(|f| f.name == key.name) {
            Some(i) if !info.fields[i].may_be_absent() => Some((
                ir::Expr::Field {
                    slot: ir::TRIGGER_SLOT,
                    path: vec![i as u32],
                },
                info.fields[i].ty.clone(),
            )),
            Some(_) => {
                self.error(
                    Code::StateError,
                    key.span,
                    format!("the key `{}` is optional in `{}`", key.name, info.name),
                )
                .set_label("every updating event must carry the key")
                .help = Some("key the state by a required field".into());
                None
            }
            None => {
                let help = did_you_mean(&key.name, info.fields.iter().map(|f| f.name.as_str()))
                    .unwrap_or_else(|| {
                        format!("`{}` would need a `{}` field", info.name, key.name)
                    });
                self.error(
                    Code::StateError,
                    key.span,
                    format!(
                        "event type `{}` has no field `{}` to key the state by",
                        info.name, key.name
                    ),
                )
                .set_label("the state's key")
                .help = Some(help);
                None
            }
        }
    }
}
