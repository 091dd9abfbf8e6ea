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
    if s.is_empty() {
        return None;
    }
    if s == "零" || s == "〇" {
        return Some(0);
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
                    return None;
                }
                zero = true;
                continue;
            }
            if pending.is_some() {
                return None;
            }
            pending = Some(digit);
        } else if let Some(unit) = unit_value(ch) {
            if let Some(last) = last_unit {
                if unit >= last {
                    return None;
                }
                // Without `零`, the next unit must be the one right below the last.
                if !zero && unit * 10 != last {
                    return None;
                }
            }
            // A bare `十` at the start stands for `一十`.
            let multiplier = match pending {
                Some(d) => d,
                None if unit == 10 && last_unit.is_none() => 1,
                None => return None,
            };
            total += multiplier * unit;
            pending = None;
            last_unit = Some(unit);
            zero = false;
        } else {
            return None;
        }
    }
    match (pending, last_unit) {
        (Some(d), None) => Some(d),
        (Some(d), Some(last)) if zero || last == 10 => Some(total + d),
        (Some(_), Some(_)) => None,
        // A trailing `零` (as in `一百零`) is not a numeral.
        (None, _) if zero => None,
        (None, _) => Some(total),
    }
}

/// Reads a clause number written with Arabic digits (ASCII or full-width) or Chinese numerals.
pub(crate) fn clause_number(s: &str) -> Option<u32> {
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
            value = value.checked_mul(10)?.checked_add(digit)?;
        }
        return Some(value);
    }
    chinese_numeral(s)
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
