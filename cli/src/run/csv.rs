//! Findings as CSV (RFC 4180): a header row, then one row per finding.
//!
//! The columns are those of the JSON format, in its order; the two role columns are named after
//! the vocabulary's role fields (`party` and `individual` when the regulations of a run name
//! different fields), `evidence` holds the evidence object as JSON and `cites` joins its sources
//! with `; `.

use edict_runtime::finding::Finding;

use super::RunInfo;

/// The header row, with its line break.
pub(super) fn header(info: &RunInfo) -> String {
    let columns = [
        "finding",
        "rule",
        "regulation",
        "article",
        "paragraph",
        "item",
        "clause_key",
        "line",
        "time",
        "deadline",
        info.party_key(),
        info.individual_key(),
        "event_id",
        "message",
        "title",
        "message_zh",
        "cites",
        "evidence",
    ];
    record(columns.iter().map(|c| c.to_string()))
}

/// One finding's row, with its line break.
pub(super) fn row(f: &Finding) -> String {
    let clause = f.clause.as_deref();
    let number = |n: Option<u32>| n.map(|n| n.to_string()).unwrap_or_default();
    let text = |t: Option<&str>| t.unwrap_or_default().to_owned();
    let json = serde_json::to_value(f.finding).unwrap_or_default();
    let fields = [
        json.as_str().unwrap_or_default().to_owned(),
        text(f.rule.as_deref()),
        text(f.regulation.as_deref()),
        number(clause.and_then(|c| c.article.number())),
        number(clause.and_then(|c| c.paragraph)),
        number(clause.and_then(|c| c.item)),
        text(clause.and_then(|c| c.article.key())),
        f.line.to_string(),
        text(f.time.as_deref()),
        text(f.deadline.as_deref()),
        text(f.party.as_ref().map(|r| r.value.as_str())),
        text(f.individual.as_ref().map(|r| r.value.as_str())),
        text(f.event_id.as_deref()),
        f.message.to_string(),
        text(f.title.as_deref()),
        text(f.message_zh.as_deref()),
        f.cites
            .as_ref()
            .map(|c| c.iter().map(|s| &**s).collect::<Vec<_>>().join("; "))
            .unwrap_or_default(),
        f.evidence
            .as_ref()
            .and_then(|e| serde_json::to_string(e).ok())
            .unwrap_or_default(),
    ];
    record(fields.into_iter())
}

/// Fields joined with commas, each quoted when it holds a comma, a quote or a line break.
fn record(fields: impl Iterator<Item = String>) -> String {
    let mut out = String::new();
    for (i, field) in fields.enumerate() {
        if i > 0 {
            out.push(',');
        }
        if field.contains([',', '"', '\n', '\r']) {
            out.push('"');
            out.push_str(&field.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(&field);
        }
    }
    out.push_str("\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::record;

    #[test]
    fn fields_with_commas_quotes_or_line_breaks_are_quoted() {
        let fields = ["plain", "a,b", "say \"hi\"", "two\nlines", ""].map(String::from);
        assert_eq!(
            record(fields.into_iter()),
            "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\r\n"
        );
    }
}
