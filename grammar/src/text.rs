//! Texts in both languages of Edict, and which language a source file is written in.
//!
//! Every message a person reads about their policy — a syntax error here, a diagnostic in the
//! compiler — is made as a [`Text`]: its English and its Chinese wording side by side, written
//! at the place that creates the message, with the [`tr!`](crate::tr) macro:
//!
//! ```
//! use edict_grammar::{Lang, tr};
//! let name = "requrie";
//! let message = tr!("unknown keyword `{name}`", "未知的关键字`{name}`");
//! assert_eq!(message.get(Lang::Zh), "未知的关键字`requrie`");
//! ```
//!
//! There is deliberately no conversion from a single string, so a message cannot be created in
//! one language only. Which wording a reader gets is decided when the message is shown: the
//! language of the file it points into ([`crate::keyword_language`]: the file's keywords), or the
//! one the reader asked for.

/// A language of keywords and messages.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Lang {
    /// English keywords (`rule`, `require`) and messages.
    #[default]
    En,
    /// Chinese keywords (`规则`, `应当`) and messages.
    Zh,
}

/// A message in English and in Chinese.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Text {
    pub en: String,
    pub zh: String,
}

impl Text {
    /// The text with the control characters of both wordings made visible ([`printable`]):
    /// for messages that echo a user's words.
    pub fn printable(self) -> Text {
        let visible = |s: &str| match printable(s) {
            std::borrow::Cow::Borrowed(_) => None,
            std::borrow::Cow::Owned(visible) => Some(visible),
        };
        match (visible(&self.en), visible(&self.zh)) {
            (None, None) => self,
            (en, zh) => Text {
                en: en.unwrap_or(self.en),
                zh: zh.unwrap_or(self.zh),
            },
        }
    }

    /// A text from its two wordings.
    pub fn new(en: impl Into<String>, zh: impl Into<String>) -> Text {
        Text {
            en: en.into(),
            zh: zh.into(),
        }
    }

    /// A text that reads the same in both languages: the user's own words or code, quoted
    /// (a name, a path, a rule id), never a sentence.
    pub fn verbatim(words: impl Into<String>) -> Text {
        let words = words.into();
        Text {
            zh: words.clone(),
            en: words,
        }
    }

    /// The wording in `lang`.
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.en,
            Lang::Zh => &self.zh,
        }
    }

    /// Both wordings changed by `f`, which is told the language.
    pub fn map(&self, f: impl Fn(&str, Lang) -> String) -> Text {
        Text {
            en: f(&self.en, Lang::En),
            zh: f(&self.zh, Lang::Zh),
        }
    }

    /// Whether both wordings are empty.
    pub fn is_empty(&self) -> bool {
        self.en.is_empty() && self.zh.is_empty()
    }
}

/// A [`Text`] from an English and a Chinese format string, each with the arguments it names
/// inline (`{name}`), as `format!` takes them.
#[macro_export]
macro_rules! tr {
    ($en:literal, $zh:literal $(,)?) => {
        $crate::Text::new(format!($en), format!($zh))
    };
}

/// Joins words as "a", "a or b", "a, b or c" in English, and "a", "a或b", "a、b或c" in Chinese.
pub fn join_or(words: &[Text]) -> Text {
    let join = |lang: Lang, comma: &str, or: &str| match words {
        [] => String::new(),
        [one] => one.get(lang).to_owned(),
        [init @ .., last] => {
            let init: Vec<&str> = init.iter().map(|w| w.get(lang)).collect();
            format!("{}{or}{}", init.join(comma), last.get(lang))
        }
    };
    Text {
        en: join(Lang::En, ", ", " or "),
        zh: join(Lang::Zh, "、", "或"),
    }
}

/// Text made safe to print on a terminal: the control characters other than tab and line
/// breaks (a NUL byte, an escape) become their visible pictures (`␀`, `␛`), so a user's text
/// echoed in a message never prints raw control bytes.
pub fn printable(text: &str) -> std::borrow::Cow<'_, str> {
    let is_hidden = |c: char| c.is_control() && !matches!(c, '\t' | '\n' | '\r');
    if !text.chars().any(is_hidden) {
        return std::borrow::Cow::Borrowed(text);
    }
    text.chars()
        .map(|c| match c {
            '\u{0}'..='\u{1f}' if is_hidden(c) => {
                char::from_u32(0x2400 + u32::from(c)).unwrap_or('\u{fffd}')
            }
            '\u{7f}' => '\u{2421}',
            c if is_hidden(c) => '\u{fffd}',
            c => c,
        })
        .collect::<String>()
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_are_joined_in_each_language() {
        let words = [
            tr!("`when`", "`当`"),
            tr!("`require`", "`应当`"),
            tr!("`prohibit`", "`不得`"),
        ];
        let joined = join_or(&words);
        assert_eq!(joined.en, "`when`, `require` or `prohibit`");
        assert_eq!(joined.zh, "`当`、`应当`或`不得`");
    }
}
