//! The layout of rules and exemptions: one line per part, long conditions broken before `and`
//! or `or`, each `reset by` on a line of its own, `message` aligned with `message_zh`.

use edict_grammar::ast::{
    Deadline, DeadlineRequirement, EventPattern, Exempt, OnceRequirement, Rule, RuleBody, Trigger,
};
use unicode_width::UnicodeWidthStr;

use edict_grammar::Lang;
use edict_grammar::keywords::Kw;

use crate::layout::Layout;
use crate::printer::Spacing;

impl Layout<'_, '_> {
    pub(crate) fn rule(&mut self, rule: &Rule, spacing: Spacing) {
        self.p.begin(rule.span.start, spacing);
        let head = format!("{} {}:", self.kw(Kw::Rule), rule.name.name);
        self.p.push(&head);
        self.p.indent();
        match &rule.trigger {
            Some(Trigger::Event { event, binding }) => {
                self.p
                    .begin(self.src.keyword_start(event.span.start), Spacing::Tight);
                let line = format!("{} {} {}", self.kw(Kw::On), event.name, binding.name);
                self.p.push(&line);
            }
            Some(Trigger::Reaches {
                state,
                key,
                threshold,
                before_effective,
                span,
            }) => {
                self.p.begin(span.start, Spacing::Tight);
                let mut line = format!(
                    "{} {}({}[{}]) {} {}",
                    self.kw(Kw::On),
                    self.kw(Kw::Size),
                    state.name,
                    key.name,
                    self.kw(Kw::Reaches),
                    self.expr(threshold)
                );
                if *before_effective {
                    line.push(' ');
                    line.push_str(self.kw(Kw::BeforeEffective));
                }
                self.p.push(&line);
            }
            None => {}
        }
        if let Some(when) = &rule.when {
            self.condition_line(Kw::When, when);
        }
        match &rule.body {
            RuleBody::Require(c) => self.condition_line(Kw::Require, c),
            RuleBody::Prohibit(c) => self.condition_line(Kw::Prohibit, c),
            RuleBody::Once(once) => self.once(once),
            RuleBody::Deadline(dl) => self.deadline(dl),
        }
        if let Some(unless) = &rule.unless {
            self.condition_line(Kw::Unless, unless);
        }
        // `message` is padded to the width of `message_zh` when both are there.
        let both = rule.message.is_some() && rule.message_zh.is_some();
        let column = self.kw(Kw::MessageZh).width();
        for (kw, text) in [
            (Kw::Message, &rule.message),
            (Kw::MessageZh, &rule.message_zh),
        ] {
            let Some(text) = text else { continue };
            self.p
                .begin(self.src.keyword_start(text.span.start), Spacing::Tight);
            let word = self.kw(kw);
            let pad = if both { column - word.width() + 1 } else { 1 };
            let line = format!("{word}{}{}", " ".repeat(pad), self.src.slice(text.span));
            self.p.push(&line);
        }
        for cite in &rule.cites {
            self.p
                .begin(self.src.keyword_start(cite.span.start), Spacing::Tight);
            let line = format!("{} {}", self.kw(Kw::Cites), self.src.slice(cite.span));
            self.p.push(&line);
        }
        self.p.dedent();
    }

    /// `KEYWORD CONDITION`, broken before `and`/`or` past the width.
    fn condition_line(&mut self, kw: Kw, condition: &edict_grammar::ast::Expr) {
        self.p
            .begin(self.src.keyword_start(condition.span.start), Spacing::Tight);
        let mut pieces = self.chunks(condition);
        if let Some(first) = pieces.first_mut() {
            *first = format!("{} {first}", self.kw(kw));
        }
        self.fill(&pieces, 1);
    }

    /// `EVENT x [where COND]` as pieces, the first led by `lead`.
    fn pattern(&self, lead: &str, p: &EventPattern) -> Vec<String> {
        let head = format!("{lead}{} {}", p.event.name, p.binding.name);
        let Some(condition) = &p.condition else {
            return vec![head];
        };
        let mut pieces = self.chunks(condition);
        if let Some(first) = pieces.first_mut() {
            *first = format!("{head} {} {first}", self.kw(Kw::Where));
        }
        pieces
    }

    fn once(&mut self, once: &OnceRequirement) {
        // `require once` (`应当 曾经`): two words before the pattern's event type.
        let start = self.src.nth_before(once.pattern.event.span.start, 2);
        self.p.begin(start, Spacing::Tight);
        let verb = if once.forbid {
            Kw::Prohibit
        } else {
            Kw::Require
        };
        let lead = format!("{} {} ", self.kw(verb), self.kw(Kw::Once));
        let mut pieces = self.pattern(&lead, &once.pattern);
        let before = self.kw(Kw::Before);
        match &once.within {
            Some(d) => {
                let within = match self.lang {
                    Lang::En => format!("within {} {before}", self.duration(d)),
                    Lang::Zh => format!("{} 以内 {before}", self.duration(d)),
                };
                pieces.push(within);
            }
            None => {
                if let Some(last) = pieces.last_mut() {
                    last.push(' ');
                    last.push_str(before);
                }
            }
        }
        self.fill(&pieces, 1);
        let reset_by = self.kw(Kw::ResetBy);
        for reset in &once.resets {
            self.p.indent();
            self.p.begin(
                self.src.keyword_start(reset.event.span.start),
                Spacing::Tight,
            );
            let pieces = self.pattern(&format!("{reset_by} "), reset);
            self.fill(&pieces, 1);
            self.p.dedent();
        }
    }

    fn deadline(&mut self, dl: &DeadlineRequirement) {
        self.p.begin(
            self.src.keyword_start(dl.pattern.event.span.start),
            Spacing::Tight,
        );
        let lead = format!("{} ", self.kw(Kw::Require));
        let mut pieces = self.pattern(&lead, &dl.pattern);
        let due = match (&dl.deadline, self.lang) {
            (Deadline::By(d), _) => format!("{} {}", self.kw(Kw::By), d),
            (Deadline::Within { duration, after }, Lang::En) => {
                let mut text = format!("within {}", self.duration(duration));
                if let Some(after) = after {
                    text.push_str(&format!(" after {}", after.name));
                }
                text
            }
            (Deadline::Within { duration, after }, Lang::Zh) => match after {
                Some(after) => format!("自 {} 之后 {} 以内", after.name, self.duration(duration)),
                None => format!("{} 以内", self.duration(duration)),
            },
        };
        pieces.push(due);
        self.fill(&pieces, 1);
    }

    pub(crate) fn exempt(&mut self, x: &Exempt, spacing: Spacing) {
        self.p.begin(x.span.start, spacing);
        let what = match &x.event {
            Some(event) => event.name.clone(),
            None => self.kw(Kw::AnyEvent).to_owned(),
        };
        let head = format!("{} {what} {}", self.kw(Kw::Exempt), x.binding.name);
        let mut pieces = self.chunks(&x.condition);
        if let Some(first) = pieces.first_mut() {
            *first = format!("{head} {} {first}", self.kw(Kw::When));
        }
        self.fill(&pieces, 1);
    }
}
