//! The bounds of an integer field (`>= N`, `<= N`).

use edict_grammar::Text;
use edict_grammar::ast::{FieldDecl, Span};
use edict_runtime::ir;

use crate::db::SourceFile;
use crate::diagnostic::{Code, Diagnostic};
use crate::types::Ty;
use edict_grammar::tr;

/// The range a field's `>= N` and `<= N` declare: only an `int` or `duration` field may have
/// one, each bound at most once, not empty, and holding the field's default.
pub(super) fn field_range(
    file: SourceFile,
    f: &FieldDecl,
    ty: &Ty,
    shown: &Text,
    default: Option<&ir::Value>,
    diags: &mut Vec<Diagnostic>,
) -> ir::IntRange {
    let mut range = ir::IntRange::default();
    let error = |span: Span, message: Text, label: Text, help: Text| {
        Diagnostic::error(Code::BadRange, file, span, message)
            .label(label)
            .help(help)
    };
    let name = &f.name.name;
    for bound in &f.bounds {
        if !matches!(ty, Ty::Int | Ty::Duration | Ty::Error) {
            diags.push(error(
                bound.span,
                {
                    let (shown_en, shown_zh) = (&shown.en, &shown.zh);
                    tr!(
                        "`{name}` is {shown_en}, so it cannot have bounds",
                        "`{name}`是{shown_zh}，不能有界限"
                    )
                },
                tr!(
                    "a bound on a field that is not an `int` or a `duration`",
                    "给非 `int`、非 `duration` 字段的界限"
                ),
                tr!(
                    "only `int` and `duration` fields take `>= N` and `<= N`",
                    "只有 `int` 与 `duration` 字段可以写 `>= N` 和 `<= N`"
                ),
            ));
            return ir::IntRange::default();
        }
        let (slot, op) = if bound.at_least {
            (&mut range.min, ">=")
        } else {
            (&mut range.max, "<=")
        };
        if slot.is_some() {
            diags.push(error(
                bound.span,
                tr!(
                    "`{name}` has two `{op}` bounds",
                    "`{name}`有两个 `{op}` 界限"
                ),
                tr!("a second bound of the same kind", "同类的第二个界限"),
                tr!(
                    "write one `>= N` and one `<= N` at most",
                    "`>= N` 与 `<= N` 各至多写一个"
                ),
            ));
            continue;
        }
        *slot = Some(bound.value);
    }
    if let (Some(min), Some(max)) = (range.min, range.max)
        && min > max
    {
        let span = f.bounds.first().map_or(f.name.span, |b| b.span);
        diags.push(error(
            span,
            tr!(
                "`{name}` allows no value: {min} is above {max}",
                "`{name}`没有可取的值：{min} 大于 {max}"
            ),
            tr!("the least value is above the greatest", "下界大于上界"),
            tr!(
                "swap the bounds, or write `>= LEAST <= GREATEST`",
                "请交换两个界限，或写成 `>= 下界 <= 上界`"
            ),
        ));
        return ir::IntRange::default();
    }
    if let (Some(ir::Value::Int(value)), Some(d)) = (default, &f.default)
        && !range.contains(*value)
    {
        diags.push(error(
            d.span,
            tr!(
                "the default of `{name}` is outside its bounds",
                "`{name}`的默认值超出其界限"
            ),
            tr!(
                "this value is not allowed by the field's `>=` or `<=`",
                "字段的 `>=` 或 `<=` 不允许这个值"
            ),
            tr!(
                "choose a default within the bounds",
                "请选择界限之内的默认值"
            ),
        ));
    }
    range
}
