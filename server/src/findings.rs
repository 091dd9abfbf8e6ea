//! `GET /v1/findings`: the decision log, filtered, paged or streamed.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{RawQuery, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::ApiError;
use crate::http::{App, flag, json, number, query, time};

const PARAMS: &[&str] = &[
    "after",
    "limit",
    "rule",
    "article",
    "regulation",
    "bundle",
    "kind",
    "from",
    "to",
    "stream",
    "follow",
];

const KINDS: [&str; 4] = ["violation", "overdue", "open", "input_error"];

/// Which findings a request wants.
#[derive(Clone, Default)]
struct Filter {
    rule: Option<String>,
    article: Option<u64>,
    regulation: Option<String>,
    bundle: Option<String>,
    kind: Option<String>,
    from: Option<i64>,
    to: Option<i64>,
}

impl Filter {
    fn read(params: &HashMap<String, String>) -> Result<Filter, ApiError> {
        let kind = params.get("kind").cloned();
        if let Some(k) = &kind
            && !KINDS.contains(&k.as_str())
        {
            return Err(ApiError::bad_request(format!(
                "`kind` must be one of {}, found `{k}`",
                KINDS.join(", ")
            )));
        }
        Ok(Filter {
            rule: params.get("rule").cloned(),
            article: number(params, "article")?,
            regulation: params.get("regulation").cloned(),
            bundle: params.get("bundle").cloned(),
            kind,
            from: time(params, "from")?,
            to: time(params, "to")?,
        })
    }

    fn is_empty(&self) -> bool {
        self.rule.is_none()
            && self.article.is_none()
            && self.regulation.is_none()
            && self.bundle.is_none()
            && self.kind.is_none()
            && self.from.is_none()
            && self.to.is_none()
    }

    /// Whether a stored record matches.
    fn keep(&self, record: &[u8]) -> bool {
        if self.is_empty() {
            return true;
        }
        let Ok(value) = serde_json::from_slice::<serde_json::Value>(record) else {
            return false;
        };
        let finding = &value["finding"];
        let text = |v: &serde_json::Value| v.as_str().map(str::to_owned);
        if let Some(rule) = &self.rule
            && !text(&finding["rule"]).is_some_and(|r| r.starts_with(rule.as_str()))
        {
            return false;
        }
        if self.article.is_some() && finding["article"].as_u64() != self.article {
            return false;
        }
        if self.regulation.is_some() && text(&finding["regulation"]) != self.regulation {
            return false;
        }
        if self.bundle.is_some() && text(&value["bundle"]) != self.bundle {
            return false;
        }
        if self.kind.is_some() && text(&finding["finding"]) != self.kind {
            return false;
        }
        if self.from.is_some() || self.to.is_some() {
            let Some(at) = finding["time"]
                .as_str()
                .and_then(|t| edict_runtime::time::parse_rfc3339(t).ok())
                .map(|t| t.second)
            else {
                return false;
            };
            if self.from.is_some_and(|from| at < from) || self.to.is_some_and(|to| at >= to) {
                return false;
            }
        }
        true
    }
}

pub(crate) async fn get_findings(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    app.authorize(&headers)?;
    let params = query(raw, PARAMS)?;
    let filter = Filter::read(&params)?;
    let after = number(&params, "after")?.unwrap_or(0);
    let limit = number(&params, "limit")?.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        return Err(ApiError::bad_request(format!(
            "`limit` must be from 1 to 1000, found {limit}"
        )));
    }
    let stream = flag(&params, "stream")?;
    let follow = flag(&params, "follow")?;
    if follow && !stream {
        return Err(ApiError::bad_request("`follow` needs `stream=true`"));
    }
    if stream {
        return Ok(streamed(app, filter, after, follow));
    }
    let found = app
        .store
        .findings(after, limit as usize, |r| filter.keep(r))
        .map_err(ApiError::internal)?;
    let last = app.store.last_finding().map_err(ApiError::internal)?;
    let next = found.last().map_or(after.max(last), |(seq, _)| *seq);
    let records: Vec<String> = found
        .into_iter()
        .map(|(_, r)| String::from_utf8_lossy(&r).into_owned())
        .collect();
    let more = next < last;
    Ok(json(format!(
        "{{\"findings\":[{}],\"next\":{next},\"more\":{more}}}",
        records.join(",")
    )))
}

/// JSON Lines of every matching finding after `after`; with `follow`, then of each new one
/// until the client goes or the server stops.
fn streamed(app: Arc<App>, filter: Filter, after: u64, follow: bool) -> Response {
    struct Cursor {
        app: Arc<App>,
        filter: Filter,
        after: u64,
        follow: bool,
    }
    let cursor = Cursor {
        app,
        filter,
        after,
        follow,
    };
    let stream = futures_util::stream::unfold(Some(cursor), |cursor| async move {
        let mut cursor = cursor?;
        loop {
            let page = cursor
                .app
                .store
                .findings(cursor.after, 500, |r| cursor.filter.keep(r));
            let page = match page {
                Ok(page) => page,
                Err(e) => {
                    let line = format!(
                        "{}\n",
                        serde_json::json!({"error": {"status": 500, "message": e.to_string()}})
                    );
                    return Some((Ok::<Bytes, std::io::Error>(Bytes::from(line)), None));
                }
            };
            if let Some((seq, _)) = page.last() {
                cursor.after = *seq;
                let mut chunk = Vec::new();
                for (_, record) in page {
                    chunk.extend_from_slice(&record);
                    chunk.push(b'\n');
                }
                return Some((Ok(Bytes::from(chunk)), Some(cursor)));
            }
            // Nothing matches past `after` yet: the scan reached the end of the log.
            let last = cursor.app.store.last_finding().unwrap_or(cursor.after);
            cursor.after = cursor.after.max(last);
            if !cursor.follow {
                return None;
            }
            let mut seq = cursor.app.last_seq.clone();
            let mut stopping = cursor.app.stopping.clone();
            if *stopping.borrow() {
                return None;
            }
            tokio::select! {
                changed = seq.wait_for(|&s| s > cursor.after) => {
                    if changed.is_err() {
                        return None;
                    }
                }
                _ = stopping.wait_for(|&s| s) => return None,
            }
        }
    });
    (
        StatusCode::OK,
        [(
            CONTENT_TYPE,
            HeaderValue::from_static("application/x-ndjson"),
        )],
        Body::from_stream(stream),
    )
        .into_response()
}
