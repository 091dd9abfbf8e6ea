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
use edict_grammar::tr;

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
                Diagnostic::error(Code::DuplicateDeclaration, file, c.name.span, {
                    let name = &c.name.name;
                    tr!(
                        "constant `{name}` is declared twice",
                        "常量`{name}`声明了两次"
                    )
                })
                .label(tr!("declared again here", "再次声明在此"))
                .secondary(
                    *first_file,
                    *first,
                    tr!("first declared here", "第一次声明在此"),
                )
                .help(tr!("rename one of them", "给其中一个改名"))
                .report(db);
                continue;
            }
            spans.insert(c.name.name.clone(), (file, c.name.span));
            // A constant sees the constants declared before it.
            let mut checker = Checker::new(Origin::file(file), &vocab, &scope);
            let (expr, ty) = checker.infer(&c.value, None);
            let failed = checker.error_count() > 0;
            for d in checker.diags {
                d.report(db);
            }
            match expr {
                // Already reported: a mistake inside the value.
                _ if failed => {}
                ir::Expr::Const(value) => {
                    let info = ConstInfo {
                        name: c.name.name.clone(),
                        ty,
                        value,
                    };
                    scope.0.insert(info.name.clone(), info);
                }
                _ => Diagnostic::error(Code::TypeMismatch, file, c.value.span, {
                    let name = &c.name.name;
                    tr!(
                        "constant `{name}` must be a fixed value",
                        "常量`{name}`必须是固定的值"
                    )
                })
                .label(tr!("this is not a literal", "这不是字面量"))
                .help(tr!(
                    "write a number, string, date, duration, enum value, set or list literal, or arithmetic on them",
                    "写一个数字、字符串、日期、时长、枚举值、集合或列表字面量，或它们的算术运算"
                ))
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
                Diagnostic::error(Code::DuplicateDeclaration, file, decl.name.span, {
                    let name = &decl.name.name;
                    tr!("state `{name}` is declared twice", "状态`{name}`声明了两次")
                })
                .label(tr!("declared again here", "再次声明在此"))
                .secondary(*ffile, *first, tr!("first declared here", "第一次声明在此"))
                .help(tr!("rename one of them", "给其中一个改名"))
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
                            {
                                let (key, event) = (&decl.key.name, &update.event.name);
                                let (here, there) = (vocab.show(&kty), vocab.show(t));
                                let (here_en, here_zh, there_en, there_zh) =
                                    (&here.en, &here.zh, &there.en, &there.zh);
                                tr!(
                                    "the key `{key}` of `{event}` is a {here_en} here but a {there_en} elsewhere",
                                    "`{event}`的键`{key}`在这里是{here_zh}，在别处却是{there_zh}"
                                )
                            },
                        )
                        .label(tr!("key of another type", "另一种类型的键"))
                        .help(tr!(
                            "every updating event must give the key the same type",
                            "每个更新状态的事件都必须给出同一类型的键"
                        )),
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
                                    {
                                        let name = &decl.name.name;
                                        let (want, got) = (vocab.show(t), vocab.show(&ty));
                                        let (want_en, want_zh, got_en, got_zh) =
                                            (&want.en, &want.zh, &got.en, &got.zh);
                                        tr!(
                                            "state `{name}` holds values of type {want_en}, not {got_en}",
                                            "状态`{name}`存放{want_zh}类型的值，不是{got_zh}"
                                        )
                                    },
                                )
                                .label(tr!("element of another type", "另一种类型的元素"))
                                .help(tr!(
                                    "add and remove values of one type",
                                    "加入和移除同一类型的值"
                                )),
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
                        let (what, what_zh, allowed, allowed_zh) = match kind {
                            ast::StateKind::Counter => (
                                "a counter",
                                "计数",
                                "`increment` or `decrement`",
                                "`递增`或`递减`",
                            ),
                            ast::StateKind::Set { .. } => (
                                "a set",
                                "集合",
                                "`add EXPR` or `remove EXPR`",
                                "`加入 表达式`或`移除 表达式`",
                            ),
                        };
                        let name = &decl.name.name;
                        errors.push(
                            Diagnostic::error(
                                Code::StateError,
                                file,
                                update.span,
                                tr!("state `{name}` is {what}", "状态`{name}`是{what_zh}"),
                            )
                            .label(tr!("this update does not fit it", "这个更新与它不符"))
                            .help(tr!(
                                "{what} is updated with {allowed}",
                                "{what_zh}用{allowed_zh}更新"
                            )),
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
                let (span, key, event) = (key.span, &key.name, &info.name);
                self.error(
                    Code::StateError,
                    span,
                    tr!(
                        "the key `{key}` is optional in `{event}`",
                        "键`{key}`在`{event}`中是可选的"
                    ),
                )
                .set_label(tr!(
                    "every updating event must carry the key",
                    "每个更新状态的事件都必须带有这个键"
                ))
                .help = Some(tr!(
                    "key the state by a required field",
                    "用必填字段作为状态的键"
                ));
                None
            }
            None => {
                let (name, event) = (&key.name, &info.name);
                let help = did_you_mean(name, info.fields.iter().map(|f| f.name.as_str()))
                    .unwrap_or_else(|| {
                        tr!(
                            "`{event}` would need a `{name}` field",
                            "`{event}`需要有`{name}`字段"
                        )
                    });
                self.error(
                    Code::StateError,
                    key.span,
                    tr!(
                        "event type `{event}` has no field `{name}` to key the state by",
                        "事件类型`{event}`没有可作为状态键的字段`{name}`"
                    ),
                )
                .set_label(tr!("the state's key", "状态的键"))
                .help = Some(help);
                None
            }
        }
    }
}
