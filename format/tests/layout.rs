//! The canonical layout of every construct, from a file written carelessly, in both keyword
//! languages.

use edict_format::{Lang, Options, format};

const MESSY: &str = r#"// A header comment.

regulation   demo{title "示例" title_en "Demo"   effective 2025-06-01
timezone "Asia/Shanghai" // where dates are read
  outline "demo.outline.txt" use   vocabulary face from "face.edict" calendar "cn-mainland"}
vocabulary face { common { processor : string }
roles { party : processor individual : subject }
enum basis { consent , law }   // why
enum place {
  public // open to all
  private_space }
record consent_info { given_by : string, separate? : bool = false }
event enrollment { subject : string  tags ? : list of string // free text
  ages: set of int }
event note open { } }
const A = 1
const B = {"x", "y"}

const LIMIT = 100_000
state stored : set of subject per processor { on enrollment e : add e.subject
on deletion d: remove d.subject }
state incidents : counter per processor { on incident i : increment }
calendar { holiday 2027-10-01 workday 2027-09-26 }
article 7 "Minors" { paragraph 1 "First" { item 2 {
rule child: on enrollment e when e.basis == consent and has(e.age) and e.age < 14 and e.region in {"a", "b", "c"} and not (e.tags == e.tags or e.x == 1)
require has(e.consent) and e.consent.given_by == guardian
unless e.purpose in B message "a message" message_zh "一条说明" cites "PIPL art. 31" cites "another" } }
// before the exemptions
exempt any event e when e.processor != "x"
exempt enrollment e when e.purpose == "research"
not_checkable "why"
rule filing: on size(stored[p]) reaches LIMIT before effective require filing f where f.processor == p by 2025-07-14 message "m"
rule retention: on enrollment e require deletion d where d.subject == e.subject within e.days days after e message "m"
rule assessed: on enrollment e require once assessment a where a.processor == e.processor within 3 years before reset by incident s where s.processor == a.processor reset by changed c message "m" }
article ? minors { rule keyed: on enrollment e prohibit e.age < 1 message "m" }
"#;

fn formatted(keywords: Option<Lang>) -> String {
    format(
        MESSY,
        &Options {
            keywords,
            ..Options::default()
        },
    )
    .unwrap_or_else(|e| panic!("{e:?}"))
}

#[test]
fn every_construct_in_english() {
    insta::assert_snapshot!(formatted(Some(Lang::En)));
}

#[test]
fn every_construct_in_chinese() {
    insta::assert_snapshot!(formatted(Some(Lang::Zh)));
}

#[test]
fn a_file_keeps_the_language_of_most_of_its_keywords() {
    assert_eq!(formatted(None), formatted(Some(Lang::En)));
    let zh = formatted(Some(Lang::Zh));
    assert_eq!(format(&zh, &Options::default()).ok(), Some(zh));
}
