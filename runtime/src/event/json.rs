//! Reading a line into a JSON tree for the tree decoder: a key repeated in an object is refused
//! (naming it), and a line that is not JSON is explained in plain words rather than in the
//! parser's terms.

use std::fmt;

use serde::Deserializer;
use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value as Json};

use super::{InputError, quote};

/// The prefix of the parser error a repeated key raises; never shown as such.
const REPEATED: &str = "repeated key ";

/// Parses a line into a JSON value, refusing repeated keys at any depth.
pub(super) fn parse(line: &str) -> Result<Json, InputError> {
    let mut de = serde_json::Deserializer::from_str(line);
    let value = Strict.deserialize(&mut de).map_err(|e| explain(line, &e))?;
    de.end().map_err(|e| explain(line, &e))?;
    Ok(value)
}

/// Builds a [`Json`] value like serde_json's own, but fails on a repeated key.
struct Strict;

impl<'de> DeserializeSeed<'de> for Strict {
    type Value = Json;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Json, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Strict {
    type Value = Json;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E: de::Error>(self, b: bool) -> Result<Json, E> {
        Ok(Json::Bool(b))
    }

    fn visit_i64<E: de::Error>(self, i: i64) -> Result<Json, E> {
        Ok(Json::Number(i.into()))
    }

    fn visit_u64<E: de::Error>(self, u: u64) -> Result<Json, E> {
        Ok(Json::Number(u.into()))
    }

    fn visit_f64<E: de::Error>(self, f: f64) -> Result<Json, E> {
        Ok(Number::from_f64(f).map_or(Json::Null, Json::Number))
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<Json, E> {
        Ok(Json::String(s.to_owned()))
    }

    fn visit_string<E: de::Error>(self, s: String) -> Result<Json, E> {
        Ok(Json::String(s))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Json, D::Error> {
        self.deserialize(deserializer)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(Strict)? {
            items.push(item);
        }
        Ok(Json::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
        let mut object = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if object.contains_key(&key) {
                return Err(de::Error::custom(format!("{REPEATED}{key}")));
            }
            let value = map.next_value_seed(Strict)?;
            object.insert(key, value);
        }
        Ok(Json::Object(object))
    }
}

/// Says in plain words why a line is not a JSON object.
fn explain(line: &str, error: &serde_json::Error) -> InputError {
    let text = error.to_string();
    let reason = text
        .rsplit_once(" at line ")
        .map_or(text.as_str(), |(reason, _)| reason);
    if let Some(key) = reason.strip_prefix(REPEATED) {
        return InputError::new(format!(
            "the key {} appears twice; each key of an object may appear once",
            quote(key)
        ));
    }
    let column = error.column();
    // The character the parser stopped at (columns count bytes from 1).
    let found = line
        .get(column.saturating_sub(1)..)
        .and_then(|rest| rest.chars().next())
        .map_or_else(|| "the end of the line".to_owned(), describe_char);
    let why = match reason {
        _ if error.is_eof() => "it ends before the JSON object is complete".to_owned(),
        "expected ident" => {
            // A word that is not `true`, `false` or `null`: name it from its start.
            let end = column.saturating_sub(1).min(line.len());
            let start = line[..end]
                .rfind(|c: char| !c.is_ascii_alphanumeric())
                .map_or(0, |i| i + 1);
            let rest = &line[start..];
            let word_len = rest
                .find(|c: char| !c.is_ascii_alphanumeric())
                .unwrap_or(rest.len());
            format!(
                "column {} has `{}` where a value should be (a string in double quotes, a number, `true`, `false` or `null`)",
                start + 1,
                &rest[..word_len]
            )
        }
        "expected value" => {
            if column <= 1 {
                format!("it starts with {found}, not `{{`")
            } else {
                format!("column {column} has {found} where a value should be")
            }
        }
        "key must be a string" => {
            format!("column {column} has {found} where a key in double quotes should be")
        }
        "expected `:`" => format!("column {column} has {found} where `:` should follow a key"),
        "expected `,` or `}`" => {
            format!("column {column} has {found} where `,` or `}}` should be")
        }
        "expected `,` or `]`" => {
            format!("column {column} has {found} where `,` or `]` should be")
        }
        "trailing comma" => format!("a comma before the closing bracket at column {column}"),
        "trailing characters" => format!("there is more after the object, at column {column}"),
        "invalid escape" => format!("an unknown escape in a string at column {column}"),
        "invalid number" | "number out of range" => {
            format!("the number at column {column} cannot be read")
        }
        "recursion limit exceeded" => "it nests more than 128 levels deep".to_owned(),
        other if other.starts_with("control character") => format!(
            "a string holds a control character at column {column}; write it escaped, as `\\n` or `\\u0000`"
        ),
        other if other.contains("unicode") || other.contains("surrogate") => {
            format!("a `\\u` escape at column {column} names no character")
        }
        other => format!("{other} at column {column}"),
    };
    InputError::new(format!("the line is not a JSON object: {why}"))
}

/// A character as a message shows it: printable ones in backticks, others by code point.
fn describe_char(c: char) -> String {
    if c.is_control() || c == '\u{feff}' {
        format!("the character U+{:04X}", u32::from(c))
    } else {
        format!("`{c}`")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn why(line: &str) -> String {
        match parse(line) {
            Ok(value) => format!("ok {value}"),
            Err(e) => e.into_message(),
        }
    }

    #[test]
    fn repeated_keys_are_named_at_any_depth() {
        assert_eq!(
            why(r#"{"type":"a","shelf":"top","shelf":"low"}"#),
            r#"the key "shelf" appears twice; each key of an object may appear once"#
        );
        assert_eq!(
            why(r#"{"type":"a","type":"b"}"#),
            r#"the key "type" appears twice; each key of an object may appear once"#
        );
        assert_eq!(
            why(r#"{"c":{"lent_by":"x","lent_by":"y"}}"#),
            r#"the key "lent_by" appears twice; each key of an object may appear once"#
        );
    }

    #[test]
    fn a_line_that_is_not_json_is_explained_in_plain_words() {
        let cases = [
            ("hello", "it starts with `h`, not `{`"),
            (
                "{type:1}",
                "column 2 has `t` where a key in double quotes should be",
            ),
            (
                r#"{"a" 1}"#,
                "column 6 has `1` where `:` should follow a key",
            ),
            (
                r#"{"a":1 "b":2}"#,
                "column 8 has `\"` where `,` or `}` should be",
            ),
            (
                r#"{"a":tru}"#,
                "column 6 has `tru` where a value should be (a string in double quotes, a number, `true`, `false` or `null`)",
            ),
            (r#"{"a":}"#, "column 6 has `}` where a value should be"),
            (r#"{"a":1"#, "it ends before the JSON object is complete"),
            (
                r#"{"a":1} x"#,
                "there is more after the object, at column 9",
            ),
            (
                "{\"a\":\"x\u{0}\"}",
                "a string holds a control character at column 8; write it escaped, as `\\n` or `\\u0000`",
            ),
        ];
        for (line, want) in cases {
            assert_eq!(
                why(line),
                format!("the line is not a JSON object: {want}"),
                "{line:?}"
            );
        }
    }

    #[test]
    fn numbers_keep_their_form() {
        assert_eq!(
            why(r#"{"a":-0,"b":14.0,"c":1e2,"d":7}"#),
            r#"ok {"a":-0.0,"b":14.0,"c":100.0,"d":7}"#
        );
    }
}
