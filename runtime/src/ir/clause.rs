//! Clause addresses and rule ids: how the compiler, the runtime, findings and test files name a
//! place in a regulation.
//!
//! A [`ClauseRef`] is an article (by number, or by key when its number is not known), with an
//! optional paragraph and an optional item. It orders as the regulation does: numbered articles
//! first by number, then articles of unknown number by key; within an article the article itself
//! comes first, then its paragraphs, each before its items.
//!
//! A [`RuleId`] is a rule's stable name: `REGULATION/CLAUSE/NAME`, where the clause segment is
//! written `art7`, `art8/p2`, `art13/p1/i2` or, for an article of unknown number, `art-KEY`.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// An article: its number, or the key of an article whose number is not known.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ArticleRef {
    /// `article 7`, `第七条`.
    Number(u32),
    /// `article ? minors`, `第？条【minors】`.
    Key(String),
}

impl ArticleRef {
    /// The article's number, if it is known.
    pub fn number(&self) -> Option<u32> {
        match self {
            ArticleRef::Number(n) => Some(*n),
            ArticleRef::Key(_) => None,
        }
    }

    /// The key of an article of unknown number.
    pub fn key(&self) -> Option<&str> {
        match self {
            ArticleRef::Number(_) => None,
            ArticleRef::Key(key) => Some(key),
        }
    }
}

/// The address of an article, paragraph or item.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ClauseRef {
    pub article: ArticleRef,
    pub paragraph: Option<u32>,
    pub item: Option<u32>,
}

impl ClauseRef {
    /// A whole article.
    pub fn article(article: ArticleRef) -> ClauseRef {
        ClauseRef {
            article,
            paragraph: None,
            item: None,
        }
    }

    /// This clause's paragraph `number`.
    pub fn paragraph(&self, number: u32) -> ClauseRef {
        ClauseRef {
            paragraph: Some(number),
            ..self.clone()
        }
    }

    /// This clause's item `number`.
    pub fn item(&self, number: u32) -> ClauseRef {
        ClauseRef {
            item: Some(number),
            ..self.clone()
        }
    }

    /// The clause one level up (the paragraph of an item, the article of a paragraph); `None`
    /// for a whole article.
    pub fn parent(&self) -> Option<ClauseRef> {
        if self.item.is_some() {
            Some(ClauseRef {
                item: None,
                ..self.clone()
            })
        } else if self.paragraph.is_some() {
            Some(ClauseRef::article(self.article.clone()))
        } else {
            None
        }
    }

    /// Whether `other` is this clause or lies inside it (`art 8` contains `art 8(2)`).
    pub fn contains(&self, other: &ClauseRef) -> bool {
        self.article == other.article
            && (self.paragraph.is_none() || self.paragraph == other.paragraph)
            && (self.item.is_none() || self.item == other.item)
    }

    /// The compact citation without a prefix: `8(2)`, `13(1)(2)`, `13 item 2`, `?[minors]`.
    pub fn short(&self) -> Short<'_> {
        Short(self)
    }

    /// The clause in words, as diagnostics name it: `article 8 paragraph 2 item 1`,
    /// ``article `minors` ``.
    pub fn words(&self) -> Words<'_> {
        Words(self)
    }

    /// The clause as Chinese legal text cites it: `第八条第二款第一项`, `第？条【minors】`.
    pub fn zh(&self) -> Chinese<'_> {
        Chinese(self)
    }

    /// The clause part of a rule id: `art8/p2`, `art-minors`.
    pub fn id_segment(&self) -> IdSegment<'_> {
        IdSegment(self)
    }

    /// Reads the clause part of a rule id, as [`ClauseRef::id_segment`] writes it, from the
    /// front of `segments`; gives the clause and how many segments it took.
    fn read_id_segments(segments: &[&str]) -> Option<(ClauseRef, usize)> {
        let first = segments.first()?;
        let article = match first.strip_prefix("art-") {
            Some(key) if !key.is_empty() => ArticleRef::Key(key.to_owned()),
            Some(_) => return None,
            None => ArticleRef::Number(parse_number(first.strip_prefix("art")?)?),
        };
        let mut clause = ClauseRef::article(article);
        let mut used = 1;
        if let Some(p) = segments.get(used).and_then(|s| s.strip_prefix('p'))
            && let Some(p) = parse_number(p)
        {
            clause.paragraph = Some(p);
            used += 1;
        }
        if let Some(i) = segments.get(used).and_then(|s| s.strip_prefix('i'))
            && let Some(i) = parse_number(i)
        {
            clause.item = Some(i);
            used += 1;
        }
        Some((clause, used))
    }
}

/// A decimal number without sign or leading zero.
fn parse_number(text: &str) -> Option<u32> {
    if text.is_empty() || text.starts_with('0') || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// `Art. 8(2)`: the citation findings and messages use.
impl fmt::Display for ClauseRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Art. {}", self.short())
    }
}

/// See [`ClauseRef::short`].
pub struct Short<'a>(&'a ClauseRef);

impl fmt::Display for Short<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let clause = self.0;
        match &clause.article {
            ArticleRef::Number(n) => write!(f, "{n}")?,
            ArticleRef::Key(key) => write!(f, "?[{key}]")?,
        }
        match (clause.paragraph, clause.item) {
            (None, None) => Ok(()),
            (Some(p), None) => write!(f, "({p})"),
            (Some(p), Some(i)) => write!(f, "({p})({i})"),
            (None, Some(i)) => write!(f, " item {i}"),
        }
    }
}

/// See [`ClauseRef::words`].
pub struct Words<'a>(&'a ClauseRef);

impl fmt::Display for Words<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let clause = self.0;
        match &clause.article {
            ArticleRef::Number(n) => write!(f, "article {n}")?,
            ArticleRef::Key(key) => write!(f, "article `{key}`")?,
        }
        if let Some(p) = clause.paragraph {
            write!(f, " paragraph {p}")?;
        }
        if let Some(i) = clause.item {
            write!(f, " item {i}")?;
        }
        Ok(())
    }
}

/// See [`ClauseRef::zh`].
pub struct Chinese<'a>(&'a ClauseRef);

impl fmt::Display for Chinese<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let clause = self.0;
        match &clause.article {
            ArticleRef::Number(n) => write!(f, "第{}条", format_chinese_numeral(*n))?,
            ArticleRef::Key(key) => write!(f, "第？条【{key}】")?,
        }
        if let Some(p) = clause.paragraph {
            write!(f, "第{}款", format_chinese_numeral(p))?;
        }
        if let Some(i) = clause.item {
            write!(f, "第{}项", format_chinese_numeral(i))?;
        }
        Ok(())
    }
}

/// See [`ClauseRef::id_segment`].
pub struct IdSegment<'a>(&'a ClauseRef);

impl fmt::Display for IdSegment<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let clause = self.0;
        match &clause.article {
            ArticleRef::Number(n) => write!(f, "art{n}")?,
            ArticleRef::Key(key) => write!(f, "art-{key}")?,
        }
        if let Some(p) = clause.paragraph {
            write!(f, "/p{p}")?;
        }
        if let Some(i) = clause.item {
            write!(f, "/i{i}")?;
        }
        Ok(())
    }
}

/// Writes a number below ten thousand as a Chinese numeral: 15 → `十五`, 101 → `一百零一`.
///
/// Numbers from ten thousand up are written with Arabic digits.
pub fn format_chinese_numeral(n: u32) -> String {
    const DIGITS: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    if n == 0 {
        return DIGITS[0].to_owned();
    }
    if n >= 10_000 {
        return n.to_string();
    }
    let places = [(1000, "千"), (100, "百"), (10, "十"), (1, "")];
    let mut out = String::new();
    let mut gap = false;
    for (unit, name) in places {
        let digit = (n / unit % 10) as usize;
        if digit == 0 {
            gap = !out.is_empty();
            continue;
        }
        if gap {
            out.push_str(DIGITS[0]);
            gap = false;
        }
        // `十五`, not `一十五`, when ten is the leading unit.
        if !(unit == 10 && digit == 1 && out.is_empty()) {
            out.push_str(DIGITS[digit]);
        }
        out.push_str(name);
    }
    out
}

/// A rule's stable id: its regulation, its clause and its name.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RuleId {
    pub regulation: String,
    pub clause: ClauseRef,
    pub name: String,
}

impl fmt::Display for RuleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}/{}/{}",
            self.regulation,
            self.clause.id_segment(),
            self.name
        )
    }
}

/// Why a text is not a rule id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleIdError {
    pub text: String,
}

impl fmt::Display for RuleIdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "`{}` is not a rule id: write REGULATION/artN[/pN][/iN]/NAME, e.g. `my-rules/art7/p1/some-rule`",
            self.text
        )
    }
}

impl std::error::Error for RuleIdError {}

impl FromStr for RuleId {
    type Err = RuleIdError;

    fn from_str(text: &str) -> Result<RuleId, RuleIdError> {
        let error = || RuleIdError {
            text: text.to_owned(),
        };
        // The name is the last segment and the clause all between, so a rule may be named like
        // a paragraph segment (`p1`) without making its id ambiguous.
        let segments: Vec<&str> = text.split('/').collect();
        let [regulation, clause @ .., name] = segments.as_slice() else {
            return Err(error());
        };
        match ClauseRef::read_id_segments(clause) {
            Some((clause, used))
                if used == segments.len() - 2 && !regulation.is_empty() && !name.is_empty() =>
            {
                Ok(RuleId {
                    regulation: (*regulation).to_owned(),
                    clause,
                    name: (*name).to_owned(),
                })
            }
            _ => Err(error()),
        }
    }
}

impl Serialize for RuleId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for RuleId {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// A rule id or a prefix of one, as test files and filters write them: `REGULATION`,
/// `REGULATION/art8`, `REGULATION/art8/p2` or a whole id.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RulePattern {
    pub regulation: String,
    pub clause: Option<ClauseRef>,
    pub name: Option<String>,
}

impl RulePattern {
    /// Reads a pattern; `None` when the text is not one.
    pub fn parse(text: &str) -> Option<RulePattern> {
        let segments: Vec<&str> = text.split('/').collect();
        let (regulation, rest) = segments.split_first()?;
        if regulation.is_empty() {
            return None;
        }
        if rest.is_empty() {
            return Some(RulePattern {
                regulation: (*regulation).to_owned(),
                clause: None,
                name: None,
            });
        }
        let (clause, used) = ClauseRef::read_id_segments(rest)?;
        let name = match &rest[used..] {
            [] => None,
            [name] if !name.is_empty() => Some((*name).to_owned()),
            _ => return None,
        };
        Some(RulePattern {
            regulation: (*regulation).to_owned(),
            clause: Some(clause),
            name,
        })
    }

    /// Whether the pattern names one whole rule.
    pub fn is_whole(&self) -> bool {
        self.name.is_some()
    }

    /// Whether `rule` is the rule this names or lies under it (`reg/art8` covers
    /// `reg/art8/p2/some-rule`, not `reg/art80/…`).
    pub fn covers(&self, rule: &RuleId) -> bool {
        self.regulation == rule.regulation
            && match (&self.clause, &self.name) {
                (None, _) => true,
                (Some(clause), None) => clause.contains(&rule.clause),
                (Some(clause), Some(name)) => *clause == rule.clause && *name == rule.name,
            }
    }
}

impl fmt::Display for RulePattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.regulation)?;
        if let Some(clause) = &self.clause {
            write!(f, "/{}", clause.id_segment())?;
        }
        if let Some(name) = &self.name {
            write!(f, "/{name}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn art(n: u32) -> ClauseRef {
        ClauseRef::article(ArticleRef::Number(n))
    }

    #[test]
    fn clauses_order_as_the_regulation_does() {
        let mut clauses = [
            ClauseRef::article(ArticleRef::Key("b".into())),
            art(13).paragraph(1).item(2),
            art(2),
            art(13).paragraph(1),
            ClauseRef::article(ArticleRef::Key("a".into())),
            art(13),
            art(10).paragraph(2),
        ];
        clauses.sort();
        let shown: Vec<String> = clauses.iter().map(|c| c.short().to_string()).collect();
        assert_eq!(
            shown,
            ["2", "10(2)", "13", "13(1)", "13(1)(2)", "?[a]", "?[b]"]
        );
    }

    #[test]
    fn every_form_of_a_clause() {
        let c = art(13).paragraph(1).item(2);
        assert_eq!(c.to_string(), "Art. 13(1)(2)");
        assert_eq!(c.words().to_string(), "article 13 paragraph 1 item 2");
        assert_eq!(c.zh().to_string(), "第十三条第一款第二项");
        assert_eq!(c.id_segment().to_string(), "art13/p1/i2");
        assert_eq!(art(13).item(2).short().to_string(), "13 item 2");
        let keyed = ClauseRef::article(ArticleRef::Key("minors".into()));
        assert_eq!(keyed.to_string(), "Art. ?[minors]");
        assert_eq!(keyed.zh().to_string(), "第？条【minors】");
        assert_eq!(keyed.id_segment().to_string(), "art-minors");
    }

    #[test]
    fn rule_ids_read_back_what_they_write() {
        for text in [
            "reg/art7/a-rule",
            "reg/art8/p2/retention",
            "reg/art13/p1/i2/x",
            "reg/art13/i2/x",
            "reg/art-keyed/a-rule",
            "reg/art8/p1",
        ] {
            let id: RuleId = text.parse().unwrap();
            assert_eq!(id.to_string(), text);
        }
        for bad in [
            "reg",
            "reg/art7",
            "reg/7/x",
            "reg/art8/p1/x/y",
            "reg/art07/x",
            "/art7/x",
            "reg/art7/p1/i1/x/y",
        ] {
            assert!(bad.parse::<RuleId>().is_err(), "{bad}");
        }
    }

    #[test]
    fn patterns_cover_the_rules_under_them() {
        let rule: RuleId = "reg/art8/p2/retention".parse().unwrap();
        let covers = |p: &str| RulePattern::parse(p).unwrap().covers(&rule);
        assert!(covers("reg"));
        assert!(covers("reg/art8"));
        assert!(covers("reg/art8/p2"));
        assert!(covers("reg/art8/p2/retention"));
        assert!(!covers("reg/art80"));
        assert!(!covers("reg/art8/p1"));
        assert!(!covers("other/art8"));
        assert!(RulePattern::parse("reg/8").is_none());
    }
}
