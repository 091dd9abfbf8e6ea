//! A readable, stable text rendering of a program, for reviewing compiler output and for
//! snapshot tests.
//!
//! The header shows what the program decides by itself: its time zone, its working-day calendar
//! (the built-in table it names, or `none` for Monday to Friday, and the policy's added holidays
//! and workdays) and, in the vocabulary, the fields that play the roles findings report.
//!
//! Names are resolved through the program's tables: fields print as `e.consent.given_by`, enum
//! values as `loan_kind::reference`, clauses as `art 7(1)`.
//! The trigger slot prints as `e` (or `k` when it holds the key of a `reaches` trigger) and the
//! pattern slot as `p`; the IR keeps no variable names.
//! An index that the tables lack prints as `#N` rather than failing.

use std::fmt::{self, Write};

use crate::ir::{
    ArithOp, Body, CmpOp, Deadline, Duration, DurationUnit, EventId, Expr, Pattern, Program, Slot,
    StateKind, StateOp, Trigger, Type, Value, Vocabulary,
};

/// The program rendered as text.
pub fn pretty(program: &Program) -> String {
    program.to_string()
}

impl fmt::Display for Program {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        Printer { program: self }.program(f)
    }
}

/// What each slot is bound to while an expression is printed.
#[derive(Clone, Copy)]
struct Scope {
    slots: [SlotScope; 3],
}

#[derive(Clone, Copy)]
enum SlotScope {
    Unbound,
    /// An event of a known type, or of any type (`None`).
    Event(&'static str, Option<EventId>),
    /// A plain value, such as a `reaches` key.
    Value(&'static str),
}

const TRIGGER_VAR: &str = "e";
const KEY_VAR: &str = "k";
const PATTERN_VAR: &str = "p";
const RESET_VAR: &str = "r";

impl Scope {
    fn event(event: Option<EventId>) -> Scope {
        Scope {
            slots: [
                SlotScope::Event(TRIGGER_VAR, event),
                SlotScope::Unbound,
                SlotScope::Unbound,
            ],
        }
    }

    fn for_trigger(trigger: &Trigger) -> Scope {
        match trigger {
            Trigger::Event(event) => Scope::event(Some(*event)),
            Trigger::Reaches { .. } => Scope {
                slots: [
                    SlotScope::Value(KEY_VAR),
                    SlotScope::Unbound,
                    SlotScope::Unbound,
                ],
            },
        }
    }

    fn with_pattern(mut self, event: EventId) -> Scope {
        self.slots[1] = SlotScope::Event(PATTERN_VAR, Some(event));
        self
    }

    /// The scope of a `reset by` condition: the earlier event and the reset, not the trigger.
    fn for_reset(pattern: EventId, reset: EventId) -> Scope {
        Scope {
            slots: [
                SlotScope::Unbound,
                SlotScope::Event(PATTERN_VAR, Some(pattern)),
                SlotScope::Event(RESET_VAR, Some(reset)),
            ],
        }
    }

    fn get(&self, slot: Slot) -> SlotScope {
        self.slots
            .get(usize::from(slot))
            .copied()
            .unwrap_or(SlotScope::Unbound)
    }
}

struct Printer<'a> {
    program: &'a Program,
}

/// Binding strength of an expression, loosest first.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Precedence {
    Or,
    And,
    Not,
    Compare,
    Sum,
    Product,
    Atom,
}

impl Printer<'_> {
    fn vocabulary(&self) -> &Vocabulary {
        &self.program.vocabulary
    }

    fn program(&self, f: &mut dyn Write) -> fmt::Result {
        let p = self.program;
        let r = &p.regulation;
        writeln!(f, "regulation {}", r.id)?;
        if let Some(title) = &r.title {
            writeln!(f, "  title {}", quote(title))?;
        }
        if let Some(title) = &r.title_en {
            writeln!(f, "  title_en {}", quote(title))?;
        }
        if let Some(date) = r.effective {
            writeln!(f, "  effective {date}")?;
        }
        writeln!(f, "  timezone {}", r.timezone)?;
        self.calendar(f)?;

        writeln!(f, "\nclauses")?;
        for (index, clause) in p.clauses.iter().enumerate() {
            write!(f, "  c{index} art {}", clause.at.short())?;
            if let Some(title) = &clause.title {
                write!(f, " {}", quote(title))?;
            }
            if let Some(reason) = &clause.not_checkable {
                write!(f, " not_checkable {}", quote(reason))?;
            }
            writeln!(f)?;
        }

        self.vocabulary_block(f)?;

        if !p.exemptions.is_empty() {
            writeln!(f)?;
        }
        for exemption in &p.exemptions {
            write!(f, "exempt [{}] ", self.clause(exemption.clause))?;
            match exemption.event {
                Some(event) => write!(f, "{} {TRIGGER_VAR}", self.event_name(event))?,
                None => write!(f, "any event {TRIGGER_VAR}")?,
            }
            write!(f, " when ")?;
            self.expr(f, &exemption.condition, Scope::event(exemption.event))?;
            writeln!(f)?;
        }

        for state in &p.states {
            write!(f, "\nstate {}: ", state.name)?;
            match &state.kind {
                StateKind::Set(ty) => writeln!(f, "set of {}", self.ty(ty))?,
                StateKind::Counter => writeln!(f, "counter")?,
            }
            for update in &state.updates {
                let scope = Scope::event(Some(update.event));
                write!(
                    f,
                    "  on {} {TRIGGER_VAR}: {}[",
                    self.event_name(update.event),
                    state.name
                )?;
                self.expr(f, &update.key, scope)?;
                write!(f, "] ")?;
                match &update.op {
                    StateOp::Add(value) => {
                        write!(f, "add ")?;
                        self.expr(f, value, scope)?;
                    }
                    StateOp::Remove(value) => {
                        write!(f, "remove ")?;
                        self.expr(f, value, scope)?;
                    }
                    StateOp::Increment => write!(f, "increment")?,
                    StateOp::Decrement => write!(f, "decrement")?,
                }
                writeln!(f)?;
            }
        }

        for rule in &p.rules {
            writeln!(
                f,
                "\nrule {} [{}] id {}",
                rule.id.name,
                self.clause(rule.clause),
                rule.id
            )?;
            let scope = Scope::for_trigger(&rule.trigger);
            match &rule.trigger {
                Trigger::Event(event) => {
                    writeln!(f, "  on {} {TRIGGER_VAR}", self.event_name(*event))?;
                }
                Trigger::Reaches {
                    state,
                    threshold,
                    before_effective,
                } => {
                    let name = p
                        .states
                        .get(*state as usize)
                        .map_or_else(|| format!("#{state}"), |s| s.name.clone());
                    let when = if *before_effective {
                        " before effective"
                    } else {
                        ""
                    };
                    writeln!(f, "  on size({name}[{KEY_VAR}]) reaches {threshold}{when}")?;
                }
            }
            if let Some(when) = &rule.when {
                write!(f, "  when ")?;
                self.expr(f, when, scope)?;
                writeln!(f)?;
            }
            self.body(f, &rule.body, scope)?;
            if let Some(unless) = &rule.unless {
                write!(f, "  unless ")?;
                self.expr(f, unless, scope)?;
                writeln!(f)?;
            }
            for (index, once) in rule.onces.iter().enumerate() {
                write!(f, "  once#{index} = once ")?;
                self.pattern(f, &once.pattern, scope)?;
                if let Some(within) = &once.within {
                    write!(f, " within ")?;
                    self.duration(f, within, scope)?;
                }
                writeln!(f, " before")?;
                for reset in &once.resets {
                    write!(f, "    reset by ")?;
                    self.reset(f, once.pattern.event, reset)?;
                    writeln!(f)?;
                }
            }
            writeln!(f, "  message {}", quote(&rule.message))?;
            if let Some(message) = &rule.message_zh {
                writeln!(f, "  message_zh {}", quote(message))?;
            }
            for source in &rule.cites {
                writeln!(f, "  cites {}", quote(source))?;
            }
            for evidence in &rule.evidence {
                write!(f, "  evidence {} = ", quote(&evidence.label))?;
                self.path(f, TRIGGER_VAR, scope.get(0), &evidence.path)?;
                writeln!(f)?;
            }
        }

        let calendar = &p.calendar;
        if !calendar.holidays.is_empty() || !calendar.workdays.is_empty() {
            writeln!(f, "\ncalendar")?;
            for day in &calendar.holidays {
                writeln!(f, "  holiday {day}")?;
            }
            for day in &calendar.workdays {
                writeln!(f, "  workday {day}")?;
            }
        }
        Ok(())
    }

    /// The working-day calendar: the built-in one (`none`: Monday to Friday) and the policy's
    /// additions.
    fn calendar(&self, f: &mut dyn Write) -> fmt::Result {
        let calendar = &self.program.calendar;
        writeln!(
            f,
            "  calendar {}",
            calendar.base.as_deref().unwrap_or("none")
        )?;
        for (what, days) in [
            ("holidays", &calendar.holidays),
            ("workdays", &calendar.workdays),
        ] {
            if !days.is_empty() {
                let days: Vec<String> = days.iter().map(ToString::to_string).collect();
                writeln!(f, "    {what} {}", days.join(", "))?;
            }
        }
        Ok(())
    }

    fn vocabulary_block(&self, f: &mut dyn Write) -> fmt::Result {
        let v = self.vocabulary();
        writeln!(f, "\nvocabulary {}", v.name)?;
        if !v.roles.is_empty() {
            let roles: Vec<String> = v
                .roles
                .iter()
                .map(|r| format!("{}: {}", r.role.name(), r.field))
                .collect();
            writeln!(f, "  roles {{ {} }}", roles.join(", "))?;
        }
        if let Some(field) = &v.partition {
            writeln!(f, "  partition by {field}")?;
        }
        for e in &v.enums {
            writeln!(f, "  enum {} {{ {} }}", e.name, e.values.join(", "))?;
        }
        for r in &v.records {
            writeln!(f, "  record {} {{", r.name)?;
            self.fields(f, &r.fields)?;
            writeln!(f, "  }}")?;
        }
        for e in &v.events {
            let open = if e.open { " open" } else { "" };
            if e.fields.is_empty() {
                writeln!(f, "  event {}{open} {{ }}", e.name)?;
                continue;
            }
            writeln!(f, "  event {}{open} {{", e.name)?;
            self.fields(f, &e.fields)?;
            writeln!(f, "  }}")?;
        }
        Ok(())
    }

    fn fields(&self, f: &mut dyn Write, fields: &[crate::ir::FieldDef]) -> fmt::Result {
        for field in fields {
            let optional = if field.required { "" } else { "?" };
            write!(f, "    {}{optional}: {}", field.name, self.ty(&field.ty))?;
            if let Some(min) = field.range.min {
                write!(f, " >= {min}")?;
            }
            if let Some(max) = field.range.max {
                write!(f, " <= {max}")?;
            }
            if let Some(default) = &field.default {
                write!(f, " = ")?;
                self.value(f, default)?;
            }
            writeln!(f)?;
        }
        Ok(())
    }

    fn body(&self, f: &mut dyn Write, body: &Body, scope: Scope) -> fmt::Result {
        match body {
            Body::Require(condition) => {
                write!(f, "  require ")?;
                self.expr(f, condition, scope)?;
                writeln!(f)
            }
            Body::Prohibit(condition) => {
                write!(f, "  prohibit ")?;
                self.expr(f, condition, scope)?;
                writeln!(f)
            }
            Body::Once {
                forbid,
                pattern,
                within,
                resets,
            } => {
                let verb = if *forbid { "prohibit" } else { "require" };
                write!(f, "  {verb} once ")?;
                self.pattern(f, pattern, scope)?;
                if let Some(within) = within {
                    write!(f, " within ")?;
                    self.duration(f, within, scope)?;
                }
                writeln!(f, " before")?;
                for reset in resets {
                    write!(f, "    reset by ")?;
                    self.reset(f, pattern.event, reset)?;
                    writeln!(f)?;
                }
                Ok(())
            }
            Body::Deadline { pattern, deadline } => {
                write!(f, "  require ")?;
                self.pattern(f, pattern, scope)?;
                match deadline {
                    Deadline::Within { duration, after } => {
                        write!(f, " within ")?;
                        self.duration(f, duration, scope)?;
                        writeln!(f, " after {}", slot_var(scope.get(*after), *after))
                    }
                    Deadline::By(date) => writeln!(f, " by {date}"),
                }
            }
        }
    }

    /// A `reset by` pattern, its event named `r` beside the earlier event `p`.
    fn reset(&self, f: &mut dyn Write, earlier: EventId, reset: &Pattern) -> fmt::Result {
        write!(f, "{} {RESET_VAR}", self.event_name(reset.event))?;
        if let Some(condition) = &reset.condition {
            write!(f, " where ")?;
            self.expr(f, condition, Scope::for_reset(earlier, reset.event))?;
        }
        Ok(())
    }

    fn pattern(&self, f: &mut dyn Write, pattern: &Pattern, scope: Scope) -> fmt::Result {
        write!(f, "{} {PATTERN_VAR}", self.event_name(pattern.event))?;
        if let Some(condition) = &pattern.condition {
            write!(f, " where ")?;
            self.expr(f, condition, scope.with_pattern(pattern.event))?;
        }
        Ok(())
    }

    fn duration(&self, f: &mut dyn Write, duration: &Duration, scope: Scope) -> fmt::Result {
        self.expr_at(f, &duration.amount, scope, Precedence::Atom)?;
        let unit = match duration.unit {
            DurationUnit::Days => "days",
            DurationUnit::WorkingDays => "working days",
            DurationUnit::Years => "years",
        };
        write!(f, " {unit}")
    }

    fn expr(&self, f: &mut dyn Write, expr: &Expr, scope: Scope) -> fmt::Result {
        self.expr_at(f, expr, scope, Precedence::Or)
    }

    /// Prints `expr`, in parentheses if it binds more loosely than `context` requires.
    fn expr_at(
        &self,
        f: &mut dyn Write,
        expr: &Expr,
        scope: Scope,
        context: Precedence,
    ) -> fmt::Result {
        let own = match expr {
            Expr::Or(items) if !items.is_empty() => Precedence::Or,
            Expr::And(items) if !items.is_empty() => Precedence::And,
            Expr::Not(_) => Precedence::Not,
            Expr::Cmp { .. } | Expr::In { .. } => Precedence::Compare,
            Expr::Arith {
                op: ArithOp::Add | ArithOp::Sub,
                ..
            } => Precedence::Sum,
            Expr::Arith { .. } => Precedence::Product,
            _ => Precedence::Atom,
        };
        let parens = own < context;
        if parens {
            write!(f, "(")?;
        }
        match expr {
            Expr::Const(value) => self.value(f, value)?,
            Expr::Slot(slot) => write!(f, "{}", slot_var(scope.get(*slot), *slot))?,
            Expr::Field { slot, path } => {
                self.path(f, slot_var(scope.get(*slot), *slot), scope.get(*slot), path)?;
            }
            Expr::Has { slot, path } => {
                write!(f, "has(")?;
                self.path(f, slot_var(scope.get(*slot), *slot), scope.get(*slot), path)?;
                write!(f, ")")?;
            }
            Expr::Not(inner) => {
                write!(f, "not ")?;
                self.expr_at(f, inner, scope, Precedence::Not)?;
            }
            Expr::And(items) | Expr::Or(items) if items.is_empty() => {
                let empty = if matches!(expr, Expr::And(_)) {
                    "true"
                } else {
                    "false"
                };
                write!(f, "{empty}")?;
            }
            Expr::And(items) => self.join(f, items, " and ", scope, Precedence::Not)?,
            Expr::Or(items) => self.join(f, items, " or ", scope, Precedence::And)?,
            Expr::Cmp { op, lhs, rhs } => {
                self.expr_at(f, lhs, scope, Precedence::Sum)?;
                let op = match op {
                    CmpOp::Eq => "==",
                    CmpOp::Ne => "!=",
                    CmpOp::Lt => "<",
                    CmpOp::Le => "<=",
                    CmpOp::Gt => ">",
                    CmpOp::Ge => ">=",
                };
                write!(f, " {op} ")?;
                self.expr_at(f, rhs, scope, Precedence::Sum)?;
            }
            Expr::In { element, set } => {
                self.expr_at(f, element, scope, Precedence::Sum)?;
                write!(f, " in ")?;
                self.expr_at(f, set, scope, Precedence::Sum)?;
            }
            Expr::EventTime(slot) => write!(f, "{}.time", slot_var(scope.get(*slot), *slot))?,
            Expr::TimePart { part, time } => {
                self.expr_at(f, time, scope, Precedence::Atom)?;
                write!(f, ".{}", part.name())?;
            }
            Expr::Arith { op, lhs, rhs } => {
                let (left, right) = match op {
                    ArithOp::Add | ArithOp::Sub => (Precedence::Sum, Precedence::Product),
                    _ => (Precedence::Product, Precedence::Atom),
                };
                self.expr_at(f, lhs, scope, left)?;
                write!(f, " {} ", op.symbol())?;
                self.expr_at(f, rhs, scope, right)?;
            }
            Expr::Once(index) => write!(f, "once#{index}")?,
        }
        if parens {
            write!(f, ")")?;
        }
        Ok(())
    }

    fn join(
        &self,
        f: &mut dyn Write,
        items: &[Expr],
        separator: &str,
        scope: Scope,
        context: Precedence,
    ) -> fmt::Result {
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                f.write_str(separator)?;
            }
            self.expr_at(f, item, scope, context)?;
        }
        Ok(())
    }

    /// Prints a field path from a slot, naming each field through the types it passes.
    fn path(&self, f: &mut dyn Write, var: &str, bound: SlotScope, path: &[u32]) -> fmt::Result {
        write!(f, "{var}")?;
        let v = self.vocabulary();
        let mut fields: Option<&[crate::ir::FieldDef]> = match bound {
            // Any event: the common fields come first, so the first type's fields name them.
            SlotScope::Event(_, None) => v.events.first().map(|e| e.fields.as_slice()),
            SlotScope::Event(_, Some(event)) => {
                v.events.get(event as usize).map(|e| e.fields.as_slice())
            }
            SlotScope::Value(_) | SlotScope::Unbound => None,
        };
        for &index in path {
            match fields.and_then(|fs| fs.get(index as usize)) {
                Some(field) => {
                    write!(f, ".{}", field.name)?;
                    fields = match &field.ty {
                        Type::Record(id) => {
                            v.records.get(*id as usize).map(|r| r.fields.as_slice())
                        }
                        _ => None,
                    };
                }
                None => {
                    write!(f, ".#{index}")?;
                    fields = None;
                }
            }
        }
        Ok(())
    }

    fn value(&self, f: &mut dyn Write, value: &Value) -> fmt::Result {
        match value {
            Value::Bool(b) => write!(f, "{b}"),
            Value::Int(i) => write!(f, "{i}"),
            Value::Str(s) => write!(f, "{}", quote(s)),
            Value::Enum(id, index) => {
                let def = self.vocabulary().enums.get(*id as usize);
                let name = def.map_or_else(|| format!("#{id}"), |e| e.name.clone());
                let value = def
                    .and_then(|e| e.values.get(*index as usize))
                    .map_or_else(|| format!("#{index}"), Clone::clone);
                write!(f, "{name}::{value}")
            }
            Value::Date(date) => write!(f, "{date}"),
            Value::Time(second) => match jiff::Timestamp::from_second(*second) {
                Ok(instant) => write!(f, "{instant}"),
                Err(_) => write!(f, "time({second})"),
            },
            Value::Record(fields) => {
                write!(f, "record(")?;
                for (i, field) in fields.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    match field {
                        Some(value) => self.value(f, value)?,
                        None => write!(f, "absent")?,
                    }
                }
                write!(f, ")")
            }
            Value::List(items) => {
                write!(f, "{{")?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    self.value(f, item)?;
                }
                write!(f, "}}")
            }
        }
    }

    fn ty(&self, ty: &Type) -> String {
        let v = self.vocabulary();
        match ty {
            Type::Bool => "bool".to_owned(),
            Type::Int => "int".to_owned(),
            Type::String => "string".to_owned(),
            Type::Date => "date".to_owned(),
            Type::Time => "time".to_owned(),
            Type::Duration => "duration".to_owned(),
            Type::Enum(id) => v
                .enums
                .get(*id as usize)
                .map_or_else(|| format!("enum#{id}"), |e| e.name.clone()),
            Type::Record(id) => v
                .records
                .get(*id as usize)
                .map_or_else(|| format!("record#{id}"), |r| r.name.clone()),
            Type::List(element) => format!("list of {}", self.ty(element)),
            Type::Set(element) => format!("set of {}", self.ty(element)),
        }
    }

    fn event_name(&self, event: EventId) -> String {
        self.vocabulary()
            .events
            .get(event as usize)
            .map_or_else(|| format!("event#{event}"), |e| e.name.clone())
    }

    fn clause(&self, clause: u32) -> String {
        self.program.clauses.get(clause as usize).map_or_else(
            || format!("clause#{clause}"),
            |c| format!("art {}", c.at.short()),
        )
    }
}

fn slot_var(bound: SlotScope, slot: Slot) -> &'static str {
    match bound {
        SlotScope::Event(var, _) | SlotScope::Value(var) => var,
        SlotScope::Unbound if slot == 0 => TRIGGER_VAR,
        SlotScope::Unbound if slot == 2 => RESET_VAR,
        SlotScope::Unbound => PATTERN_VAR,
    }
}

/// A string literal as the policy language writes it.
fn quote(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| format!("{text:?}"))
}
