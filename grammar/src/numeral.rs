//! Chinese numerals as they appear in clause numbers: `第十五条`, `第一百零一条`, `（三）`.
//!
//! Only the forms regulations use are read: the digits `零〇一二两三四五六七八九` and the units
//! `十百千`, in the standard order (`二十`, `一百零一`, `一千零二十`, `十五`).

/// Reads a Chinese numeral such as `七`, `十五`, `二十` or `一百零一`.
///
/// Returns `None` for anything that is not a well-formed numeral below ten thousand: unknown
/// characters, two digits in a row (`二二`), units out of order (`十百`), or a digit after a
/// hundreds or thousands unit without `零` (`一百一`).
pub fn chinese_numeral(s: &str) -> Option<u32> {
    read_chinese(s).ok()
}

/// Why a clause number cannot be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NumeralError {
    /// Arabic digits for a number above `u32::MAX`.
    TooLarge,
    /// Not a well-formed Chinese numeral; the reason in words, in English and in Chinese.
    Malformed(&'static str, &'static str),
}

/// Reads a Chinese numeral, or says what is wrong with it.
fn read_chinese(s: &str) -> Result<u32, (&'static str, &'static str)> {
    if s.is_empty() {
        return Err(("it is empty", "它是空的"));
    }
    if s == "零" || s == "〇" {
        return Ok(0);
    }
    let mut total: u32 = 0;
    // A digit read but not yet multiplied by a unit.
    let mut pending: Option<u32> = None;
    // The last unit read, if any; later units must be smaller.
    let mut last_unit: Option<u32> = None;
    // Whether a `零` stands between the last unit and what follows.
    let mut zero = false;
    for ch in s.chars() {
        if let Some(digit) = digit_value(ch) {
            if digit == 0 {
                // `零` only fills a gap after a unit, once, before a digit.
                if last_unit.is_none() || pending.is_some() || zero {
                    return Err((
                        "`零` stands only between a unit and a digit, as in `一百零一`",
                        "`零`只能写在单位和数字之间，如`一百零一`",
                    ));
                }
                zero = true;
                continue;
            }
            if pending.is_some() {
                return Err((
                    "two digits stand side by side without a unit between them",
                    "两个数字相连，中间没有单位",
                ));
            }
            pending = Some(digit);
        } else if let Some(unit) = unit_value(ch) {
            if let Some(last) = last_unit {
                if unit >= last {
                    return Err((
                        "its units do not go down from the largest (`千`, `百`, `十`)",
                        "单位没有从大到小排列（`千`、`百`、`十`）",
                    ));
                }
                // Without `零`, the next unit must be the one right below the last.
                if !zero && unit * 10 != last {
                    return Err((
                        "a unit is skipped without `零`, as in `一百零五`",
                        "跳过了某个单位却没有写`零`，应如`一百零五`",
                    ));
                }
            }
            // A bare `十` at the start stands for `一十`.
            let multiplier = match pending {
                Some(d) => d,
                None if unit == 10 && last_unit.is_none() => 1,
                None => return Err(("a unit has no digit before it", "单位前面没有数字")),
            };
            total += multiplier * unit;
            pending = None;
            last_unit = Some(unit);
            zero = false;
        } else {
            return Err((
                "it holds a character that is not a numeral",
                "其中有不是数字的字符",
            ));
        }
    }
    match (pending, last_unit) {
        (Some(d), None) => Ok(d),
        (Some(d), Some(last)) if zero || last == 10 => Ok(total + d),
        (Some(_), Some(_)) => Err((
            "a last digit after `百` or `千` needs `零`, as in `一百零一`",
            "`百`或`千`之后的末位数字前需要`零`，如`一百零一`",
        )),
        // A trailing `零` (as in `一百零`) is not a numeral.
        (None, _) if zero => Err(("it ends with `零`", "它以`零`结尾")),
        (None, _) => Ok(total),
    }
}

/// Reads a clause number written with Arabic digits (ASCII or full-width) or Chinese numerals.
pub(crate) fn clause_number(s: &str) -> Result<u32, NumeralError> {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_digit() || ('０'..='９').contains(&c))
    {
        let mut value: u32 = 0;
        for c in s.chars() {
            let digit = if c.is_ascii_digit() {
                u32::from(c) - u32::from('0')
            } else {
                u32::from(c) - u32::from('０')
            };
            value = value
                .checked_mul(10)
                .and_then(|v| v.checked_add(digit))
                .ok_or(NumeralError::TooLarge)?;
        }
        return Ok(value);
    }
    read_chinese(s).map_err(|(en, zh)| NumeralError::Malformed(en, zh))
}

fn digit_value(ch: char) -> Option<u32> {
    Some(match ch {
        '零' | '〇' => 0,
        '一' => 1,
        '二' | '两' => 2,
        '三' => 3,
        '四' => 4,
        '五' => 5,
        '六' => 6,
        '七' => 7,
        '八' => 8,
        '九' => 9,
        _ => return None,
    })
}

fn unit_value(ch: char) -> Option<u32> {
    Some(match ch {
        '十' => 10,
        '百' => 100,
        '千' => 1000,
        _ => return None,
    })
}
