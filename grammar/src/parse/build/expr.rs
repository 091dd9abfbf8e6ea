//! Building expressions (a Pratt parser over the operators) and tokens: names, numbers, dates
//! and strings.

use pest::iterators::Pair;

use super::{Builder, Children, MAX_PREFIX_RUN, Operand, PRATT, days_in_month, is_comparison_expr};
use crate::ast::*;
use crate::parse::grammar::Rule;
use crate::tr;
use edict_runtime::time;

impl Builder {
    // -----------------------------------------------------------------------------------------
    // Expressions

    /// Builds an expression, resolving operator precedence with the Pratt parser.
    pub(super) fn build_expr(&self, pair: Pair<'_, Rule>) -> Expr {
        self.build_operand(pair).expr
    }

    /// Builds an expression with its nesting depth; an expression nested more than
    /// [`MAX_EXPR_DEPTH`] deep is reported and replaced by [`ExprKind::Error`].
    fn build_operand(&self, pair: Pair<'_, Rule>) -> Operand {
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
                return Operand::leaf(ExprKind::Error, span);
            }
        }
        PRATT
            .map_primary(|primary| self.build_primary(primary))
            .map_prefix(|op, rhs| {
                self.limit(Operand {
                    expr: Expr {
                        span: self.span(&op).to(rhs.expr.span),
                        kind: ExprKind::Unary(UnaryOp::Not, Box::new(rhs.expr)),
                    },
                    grouped: false,
                    depth: rhs.depth + 1,
                })
            })
            .map_postfix(|lhs, op| {
                let field = self.build_field_access(op);
                self.limit(Operand {
                    expr: Expr {
                        span: lhs.expr.span.to(field.span),
                        kind: ExprKind::Field(Box::new(lhs.expr), field),
                    },
                    grouped: false,
                    depth: lhs.depth + 1,
                })
            })
            .map_infix(|lhs, op, rhs| self.build_infix(lhs, op, rhs))
            .parse(pair.into_inner())
    }

    /// Reports an operand nested more than [`MAX_EXPR_DEPTH`] deep (once per builder) and
    /// replaces it by [`ExprKind::Error`], so no tree deeper than that is ever built.
    fn limit(&self, operand: Operand) -> Operand {
        if operand.depth <= MAX_EXPR_DEPTH {
            return operand;
        }
        let span = operand.expr.span;
        if !self.too_deep.replace(true) {
            self.error(
                span,
                tr!(
                    "this expression nests operators more than {MAX_EXPR_DEPTH} deep",
                    "此表达式的运算符嵌套超过 {MAX_EXPR_DEPTH} 层"
                ),
                Some(tr!(
                    "split it into simpler rules or constants; a chain of `and` or `or` \
                     counts once however long it is",
                    "请拆成较简单的规则或常量；一串 `and` 或 `or` 无论多长只算一层"
                )),
            );
        }
        Operand::leaf(ExprKind::Error, span)
    }

    /// Joins two operands: a comparison, `in` or arithmetic makes a binary node; `and` and `or` extend the
    /// chain on their left when it has the same connective and no parentheses, so a chain of
    /// any length is one node.
    fn build_infix(&self, lhs: Operand, op: Pair<'_, Rule>, rhs: Operand) -> Operand {
        let op_span = self.span(&op);
        let span = lhs.expr.span.to(rhs.expr.span);
        let logic = match op.as_rule() {
            Rule::kw_or => Some(LogicOp::Or),
            Rule::kw_and => Some(LogicOp::And),
            _ => None,
        };
        if let Some(logic) = logic {
            let (expr, depth) = match lhs.expr.kind {
                ExprKind::Logic(chain, mut operands) if chain == logic && !lhs.grouped => {
                    operands.push(rhs.expr);
                    let expr = Expr {
                        kind: ExprKind::Logic(chain, operands),
                        span,
                    };
                    (expr, lhs.depth.max(rhs.depth + 1))
                }
                kind => {
                    let lhs_expr = Expr {
                        kind,
                        span: lhs.expr.span,
                    };
                    let expr = Expr {
                        kind: ExprKind::Logic(logic, vec![lhs_expr, rhs.expr]),
                        span,
                    };
                    (expr, lhs.depth.max(rhs.depth) + 1)
                }
            };
            return self.limit(Operand {
                expr,
                grouped: false,
                depth,
            });
        }
        let op = match op.as_rule() {
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
        // One report per item: a long chain would otherwise give one error per operator.
        if !op.is_arithmetic() && is_comparison_expr(&lhs) && !self.chained.replace(true) {
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
        self.limit(Operand {
            expr: Expr {
                span,
                kind: ExprKind::Binary(op, Box::new(lhs.expr), Box::new(rhs.expr)),
            },
            grouped: false,
            depth: lhs.depth.max(rhs.depth) + 1,
        })
    }

    pub(super) fn build_field_access(&self, pair: Pair<'_, Rule>) -> Ident {
        self.build_ident(Children::of(pair).next())
    }

    fn build_primary(&self, pair: Pair<'_, Rule>) -> Operand {
        let span = self.span(&pair);
        let (kind, depth) = match pair.as_rule() {
            Rule::kw_true => (ExprKind::Bool(true), 1),
            Rule::kw_false => (ExprKind::Bool(false), 1),
            Rule::date => (ExprKind::Date(self.build_date(pair)), 1),
            Rule::int => (ExprKind::Int(self.build_int(pair)), 1),
            Rule::string => (ExprKind::Str(self.build_string(pair).value), 1),
            Rule::has_call => {
                let inner = self.build_operand(Children::of(pair).next());
                (ExprKind::Has(Box::new(inner.expr)), inner.depth + 1)
            }
            Rule::set_literal => {
                let (elements, depth) = self.build_elements(pair);
                (ExprKind::Set(elements), depth + 1)
            }
            Rule::list_literal => {
                let (elements, depth) = self.build_elements(pair);
                (ExprKind::List(elements), depth + 1)
            }
            Rule::duration_lit => (self.build_duration_lit(pair), 1),
            Rule::once => (ExprKind::Once(Box::new(self.build_once(pair, false))), 1),
            Rule::paren_expr => {
                let inner = self.build_operand(Children::of(pair).next());
                return Operand {
                    expr: Expr {
                        kind: inner.expr.kind,
                        span,
                    },
                    grouped: true,
                    depth: inner.depth,
                };
            }
            _ => (ExprKind::Name(self.build_ident(pair)), 1),
        };
        self.limit(Operand {
            expr: Expr { kind, span },
            grouped: false,
            depth,
        })
    }

    /// The elements of a set or list literal, and the deepest of them.
    fn build_elements(&self, pair: Pair<'_, Rule>) -> (Vec<Expr>, usize) {
        let mut children = Children::of(pair);
        let mut elements = Vec::new();
        let mut depth = 0;
        while let Some(element) = children.next_opt() {
            let element = self.build_operand(element);
            depth = depth.max(element.depth);
            elements.push(element.expr);
        }
        (elements, depth)
    }

    /// `30 days`, `2 hours`, `15 minutes`.
    fn build_duration_lit(&self, pair: Pair<'_, Rule>) -> ExprKind {
        let mut children = Children::of(pair);
        let amount = self.build_int(children.next());
        let unit = match children.next().as_rule() {
            Rule::kw_hours => TimeUnit::Hours,
            Rule::kw_minutes => TimeUnit::Minutes,
            _ => TimeUnit::Days,
        };
        ExprKind::Duration(amount, unit)
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
            } else if !(time::FIRST_YEAR..=time::LAST_YEAR).contains(&date.year) {
                let (range, range_zh) = (time::SUPPORTED_RANGE, time::SUPPORTED_RANGE_ZH);
                self.error(
                    span,
                    tr!(
                        "`{text}` is outside the supported dates {range}",
                        "`{text}`超出所支持的日期范围{range_zh}"
                    ),
                    None,
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
