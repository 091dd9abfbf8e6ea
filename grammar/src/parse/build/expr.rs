//! Building expressions (a Pratt parser over the operators) and tokens: names, numbers, dates
//! and strings.

use pest::iterators::Pair;

use super::{
    Builder, Children, MAX_PREFIX_RUN, Operand, PRATT, days_in_month, is_comparison,
    is_comparison_expr,
};
use crate::ast::*;
use crate::parse::grammar::Rule;
use crate::tr;

impl Builder {
    // -----------------------------------------------------------------------------------------
    // Expressions

    /// Builds an expression, resolving operator precedence with the Pratt parser.
    pub(super) fn build_expr(&self, pair: Pair<'_, Rule>) -> Expr {
        let span = self.span(&pair);
        let mut run = 0;
        for part in pair.clone().into_inner() {
            run = if part.as_rule() == Rule::kw_not {
                run + 1
            } else {
                0
            };
            if run > MAX_PREFIX_RUN {
                self.error(
                    span,
                    tr!("too many `not` in a row", "连续的`非`太多了"),
                    None,
                );
                return Expr {
                    kind: ExprKind::Bool(false),
                    span,
                };
            }
        }
        PRATT
            .map_primary(|primary| self.build_primary(primary))
            .map_prefix(|op, rhs| Operand {
                expr: Expr {
                    span: self.span(&op).to(rhs.expr.span),
                    kind: ExprKind::Unary(UnaryOp::Not, Box::new(rhs.expr)),
                },
                grouped: false,
            })
            .map_postfix(|lhs, op| {
                let field = self.build_field_access(op);
                Operand {
                    expr: Expr {
                        span: lhs.expr.span.to(field.span),
                        kind: ExprKind::Field(Box::new(lhs.expr), field),
                    },
                    grouped: false,
                }
            })
            .map_infix(|lhs, op, rhs| self.build_infix(lhs, op, rhs))
            .parse(pair.into_inner())
            .expr
    }

    pub(super) fn build_infix(&self, lhs: Operand, op: Pair<'_, Rule>, rhs: Operand) -> Operand {
        let op_span = self.span(&op);
        let op = match op.as_rule() {
            Rule::kw_or => BinaryOp::Or,
            Rule::kw_and => BinaryOp::And,
            Rule::eq => BinaryOp::Eq,
            Rule::ne => BinaryOp::Ne,
            Rule::lt => BinaryOp::Lt,
            Rule::le => BinaryOp::Le,
            Rule::gt => BinaryOp::Gt,
            Rule::ge => BinaryOp::Ge,
            Rule::plus => BinaryOp::Add,
            Rule::minus => BinaryOp::Sub,
            Rule::star => BinaryOp::Mul,
            Rule::slash => BinaryOp::Div,
            Rule::percent => BinaryOp::Rem,
            _ => BinaryOp::In,
        };
        if is_comparison(op) && is_comparison_expr(&lhs) {
            let symbol = op.symbol();
            self.error(
                op_span,
                tr!(
                    "comparisons cannot be chained: `{symbol}` follows another comparison",
                    "比较不能连写：`{symbol}`紧跟在另一个比较之后"
                ),
                Some(tr!(
                    "join the comparisons with `and`, as in `a < b and b < c`",
                    "用`并且`连接两个比较，如`a < b 并且 b < c`"
                )),
            );
        }
        Operand {
            expr: Expr {
                span: lhs.expr.span.to(rhs.expr.span),
                kind: ExprKind::Binary(op, Box::new(lhs.expr), Box::new(rhs.expr)),
            },
            grouped: false,
        }
    }

    pub(super) fn build_field_access(&self, pair: Pair<'_, Rule>) -> Ident {
        self.build_ident(Children::of(pair).next())
    }

    pub(super) fn build_primary(&self, pair: Pair<'_, Rule>) -> Operand {
        let span = self.span(&pair);
        let kind = match pair.as_rule() {
            Rule::kw_true => ExprKind::Bool(true),
            Rule::kw_false => ExprKind::Bool(false),
            Rule::date => ExprKind::Date(self.build_date(pair)),
            Rule::int => ExprKind::Int(self.build_int(pair)),
            Rule::string => ExprKind::Str(self.build_string(pair).value),
            Rule::has_call => self.build_has_call(pair),
            Rule::set_literal => self.build_set_literal(pair),
            Rule::list_literal => match self.build_set_literal(pair) {
                ExprKind::Set(items) => ExprKind::List(items),
                other => other,
            },
            Rule::duration_lit => self.build_duration_lit(pair),
            Rule::once => ExprKind::Once(Box::new(self.build_once(pair, false))),
            Rule::paren_expr => {
                let inner = self.build_paren_expr(pair);
                return Operand {
                    expr: Expr {
                        kind: inner.kind,
                        span,
                    },
                    grouped: true,
                };
            }
            _ => ExprKind::Name(self.build_ident(pair)),
        };
        Operand {
            expr: Expr { kind, span },
            grouped: false,
        }
    }

    /// `30 days`, `2 hours`, `15 minutes`.
    pub(super) fn build_duration_lit(&self, pair: Pair<'_, Rule>) -> ExprKind {
        let mut children = Children::of(pair);
        let amount = self.build_int(children.next());
        let unit = match children.next().as_rule() {
            Rule::kw_hours => TimeUnit::Hours,
            Rule::kw_minutes => TimeUnit::Minutes,
            _ => TimeUnit::Days,
        };
        ExprKind::Duration(amount, unit)
    }

    pub(super) fn build_has_call(&self, pair: Pair<'_, Rule>) -> ExprKind {
        ExprKind::Has(Box::new(self.build_expr(Children::of(pair).next())))
    }

    pub(super) fn build_set_literal(&self, pair: Pair<'_, Rule>) -> ExprKind {
        let mut children = Children::of(pair);
        let mut elements = Vec::new();
        while let Some(element) = children.next_opt() {
            elements.push(self.build_expr(element));
        }
        ExprKind::Set(elements)
    }

    pub(super) fn build_paren_expr(&self, pair: Pair<'_, Rule>) -> Expr {
        self.build_expr(Children::of(pair).next())
    }

    // -----------------------------------------------------------------------------------------
    // Tokens

    pub(super) fn build_ident(&self, pair: Pair<'_, Rule>) -> Ident {
        Ident {
            name: pair.as_str().to_owned(),
            span: self.span(&pair),
        }
    }

    pub(super) fn build_int(&self, pair: Pair<'_, Rule>) -> i64 {
        let text: String = pair.as_str().chars().filter(|&c| c != '_').collect();
        match text.parse::<i64>() {
            Ok(value) => value,
            Err(_) => {
                let (text, max) = (pair.as_str(), i64::MAX);
                self.error(
                    self.span(&pair),
                    tr!(
                        "`{text}` is too large for a number",
                        "`{text}`作为数字太大了"
                    ),
                    Some(tr!("numbers go up to {max}", "数字最大为{max}")),
                );
                0
            }
        }
    }

    /// Builds a date, checking that it is written `YYYY-MM-DD` and that the day exists.
    pub(super) fn build_date(&self, pair: Pair<'_, Rule>) -> DateLit {
        let span = self.span(&pair);
        let text = pair.as_str();
        let mut parts = text.split('-').map(|part| part.parse::<u32>().unwrap_or(0));
        let year = parts.next().unwrap_or(0);
        let month = parts.next().unwrap_or(0);
        let day = parts.next().unwrap_or(0);
        let date = DateLit {
            year: i32::try_from(year).unwrap_or(0),
            month: u8::try_from(month).unwrap_or(0),
            day: u8::try_from(day).unwrap_or(0),
            span,
        };
        if text.len() != "YYYY-MM-DD".len() {
            self.error(
                span,
                tr!(
                    "`{text}` is not written as `YYYY-MM-DD`",
                    "`{text}`没有按`YYYY-MM-DD`书写"
                ),
                Some(tr!(
                    "write `{year:04}-{month:02}-{day:02}`",
                    "写作`{year:04}-{month:02}-{day:02}`"
                )),
            );
        } else if !(1..=12).contains(&month) {
            self.error(
                span,
                tr!(
                    "`{text}` is not a date: there is no month {month}",
                    "`{text}`不是有效日期：没有{month}月"
                ),
                Some(tr!("months run from 01 to 12", "月份为01至12")),
            );
        } else {
            let last = days_in_month(year, month);
            if !(1..=last).contains(&day) {
                self.error(
                    span,
                    tr!(
                        "`{text}` is not a date: there is no day {day} in that month",
                        "`{text}`不是有效日期：该月没有{day}日"
                    ),
                    Some(tr!(
                        "{year:04}-{month:02} has {last} days",
                        "{year:04}-{month:02}有{last}天"
                    )),
                );
            }
        }
        date
    }

    /// Builds a string literal, decoding its escapes.
    pub(super) fn build_string(&self, pair: Pair<'_, Rule>) -> StrLit {
        let span = self.span(&pair);
        let mut value = String::new();
        for part in pair.into_inner() {
            if part.as_rule() == Rule::escape {
                if let Some(c) = self.build_escape(&part) {
                    value.push(c);
                }
            } else {
                value.push_str(part.as_str());
            }
        }
        StrLit { value, span }
    }

    pub(super) fn build_escape(&self, pair: &Pair<'_, Rule>) -> Option<char> {
        let text = pair.as_str();
        let c = match text {
            "\\\"" => '"',
            "\\\\" => '\\',
            "\\n" => '\n',
            "\\t" => '\t',
            "\\r" => '\r',
            _ => {
                let hex = text.trim_start_matches("\\u{").trim_end_matches('}');
                let c = u32::from_str_radix(hex, 16).ok().and_then(char::from_u32);
                if c.is_none() {
                    self.error(
                        self.span(pair),
                        tr!("`{text}` is not a character", "`{text}`不是一个字符"),
                        Some(tr!(
                            "a `\\u{{…}}` escape names a unicode scalar value, such as `\\u{{4e2d}}`",
                            "`\\u{{…}}`转义表示一个 Unicode 标量值，如`\\u{{4e2d}}`"
                        )),
                    );
                }
                return c;
            }
        };
        Some(c)
    }
}
