//! The HTTP handlers: reading requests, refusing bad ones with a JSON error, and passing the
//! work to the core through its bounded queue.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::mpsc::{SyncSender, TrySendError};

use axum::body::{Body, Bytes};
use axum::extract::{Path, RawQuery, State};
use axum::http::header::{AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE, RETRY_AFTER};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use edict_store::Store;
use tokio::sync::{oneshot, watch};

use crate::ApiError;
use crate::core::{Command, Shared};
use crate::metrics::Metrics;

/// What every handler shares.
pub(crate) struct App {
    pub commands: SyncSender<Command>,
    pub store: Arc<Store>,
    pub metrics: Arc<Metrics>,
    pub shared: Arc<Shared>,
    pub token: Option<String>,
    pub body_limit: usize,
    pub last_seq: watch::Receiver<u64>,
    pub stopping: watch::Receiver<bool>,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut body =
            serde_json::json!({"error": {"status": self.status, "message": self.message}});
        if let Some(line) = self.line {
            body["error"]["line"] = line.into();
        }
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::BAD_REQUEST);
        let mut response = (status, json_headers(), body.to_string()).into_response();
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from(seconds));
        }
        if self.status == 401 {
            response.headers_mut().insert(
                axum::http::header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer"),
            );
        }
        response
    }
}

fn json_headers() -> [(axum::http::HeaderName, HeaderValue); 1] {
    [(CONTENT_TYPE, HeaderValue::from_static("application/json"))]
}

pub(crate) fn json(body: String) -> Response {
    (StatusCode::OK, json_headers(), body).into_response()
}

impl App {
    /// Checks the bearer token, in constant time, when one is configured.
    pub(crate) fn authorize(&self, headers: &HeaderMap) -> Result<(), ApiError> {
        let Some(token) = &self.token else {
            return Ok(());
        };
        let given = headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim);
        let Some(given) = given else {
            return Err(ApiError::new(
                401,
                "a bearer token is required: send `Authorization: Bearer TOKEN`",
            ));
        };
        let same = given.len() == token.len()
            && given
                .bytes()
                .zip(token.bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0;
        if same {
            Ok(())
        } else {
            Err(ApiError::new(401, "the bearer token is not the server's"))
        }
    }

    /// Queues a command; a full queue is a 429, a stopped core a 503.
    fn send(&self, command: Command) -> Result<(), ApiError> {
        if *self.stopping.borrow() {
            return Err(ApiError::unavailable("the server is stopping").retry(5));
        }
        self.metrics.enqueued();
        match self.commands.try_send(command) {
            Ok(()) => Ok(()),
            Err(TrySendError::Full(_)) => {
                self.metrics.dequeued(1);
                self.metrics.busy();
                Err(ApiError::new(
                    429,
                    "the server is busy: its queue of batches is full; retry shortly",
                )
                .retry(1))
            }
            Err(TrySendError::Disconnected(_)) => {
                self.metrics.dequeued(1);
                Err(ApiError::unavailable("the server is stopping").retry(5))
            }
        }
    }
}

async fn answer<T>(reply: oneshot::Receiver<T>) -> Result<T, ApiError> {
    reply
        .await
        .map_err(|_| ApiError::unavailable("the server is stopping").retry(5))
}

/// The query's parameters, each named in `allowed`.
pub(crate) fn query(
    raw: Option<String>,
    allowed: &[&str],
) -> Result<HashMap<String, String>, ApiError> {
    let mut params = HashMap::new();
    let Some(raw) = raw else {
        return Ok(params);
    };
    for pair in raw.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let key = decode(key)?;
        if !allowed.contains(&key.as_str()) {
            return Err(ApiError::bad_request(format!(
                "unknown query parameter `{key}`; this endpoint takes {}",
                if allowed.is_empty() {
                    "none".to_owned()
                } else {
                    allowed
                        .iter()
                        .map(|a| format!("`{a}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                }
            )));
        }
        params.insert(key, decode(value)?);
    }
    Ok(params)
}

/// Percent-decodes a query component (`+` is a space).
fn decode(text: &str) -> Result<String, ApiError> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = bytes
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                    .ok_or_else(|| {
                        ApiError::bad_request(format!("the query has a bad escape in `{text}`"))
                    })?;
                out.push(hex);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out)
        .map_err(|_| ApiError::bad_request(format!("the query `{text}` is not UTF-8")))
}

pub(crate) fn flag(params: &HashMap<String, String>, name: &str) -> Result<bool, ApiError> {
    match params.get(name).map(String::as_str) {
        None | Some("false") => Ok(false),
        Some("true" | "") => Ok(true),
        Some(other) => Err(ApiError::bad_request(format!(
            "`{name}` must be true or false, found `{other}`"
        ))),
    }
}

pub(crate) fn number(
    params: &HashMap<String, String>,
    name: &str,
) -> Result<Option<u64>, ApiError> {
    params
        .get(name)
        .map(|v| {
            v.parse::<u64>().map_err(|_| {
                ApiError::bad_request(format!("`{name}` must be a whole number, found `{v}`"))
            })
        })
        .transpose()
}

pub(crate) fn time(params: &HashMap<String, String>, name: &str) -> Result<Option<i64>, ApiError> {
    params
        .get(name)
        .map(|v| {
            edict_runtime::time::parse_rfc3339(v)
                .map(|t| t.second)
                .map_err(|_| {
                    ApiError::bad_request(format!(
                        "`{name}` must be an RFC 3339 time with an offset such as 2025-07-01T00:00:00+08:00, found `{v}`"
                    ))
                })
        })
        .transpose()
}

/// Reads a body up to the limit.
async fn body(app: &App, headers: &HeaderMap, body: Body) -> Result<Bytes, ApiError> {
    let too_large = || {
        ApiError::new(
            413,
            format!(
                "the body is larger than the server's limit of {} bytes; send smaller batches",
                app.body_limit
            ),
        )
    };
    let declared = headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > app.body_limit) {
        return Err(too_large());
    }
    axum::body::to_bytes(body, app.body_limit)
        .await
        .map_err(|_| too_large())
}

/// The lines of a batch: JSON Lines, or the elements of a JSON array.
fn lines(headers: &HeaderMap, body: &[u8]) -> Result<Vec<Vec<u8>>, ApiError> {
    let json = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(';')
                .next()
                .is_some_and(|m| m.trim() == "application/json")
        });
    if !json {
        let mut lines: Vec<Vec<u8>> = body
            .split(|&b| b == b'\n')
            .map(|l| l.strip_suffix(b"\r").unwrap_or(l).to_vec())
            .collect();
        if lines.last().is_some_and(Vec::is_empty) {
            lines.pop();
        }
        return Ok(lines);
    }
    let value: serde_json::Value = serde_json::from_slice(body).map_err(|e| {
        ApiError::bad_request(format!(
            "the body is not JSON: {} at column {}",
            e.to_string()
                .split(" at line")
                .next()
                .unwrap_or("it cannot be read"),
            e.column()
        ))
        .at_line(e.line() as u64)
    })?;
    match value {
        serde_json::Value::Array(items) => Ok(items
            .into_iter()
            .map(|item| item.to_string().into_bytes())
            .collect()),
        object @ serde_json::Value::Object(_) => Ok(vec![object.to_string().into_bytes()]),
        _ => Err(ApiError::bad_request(
            "a JSON body must be an array of events (or one event object)",
        )
        .at_line(1)),
    }
}

pub(crate) async fn post_events(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
    request: Body,
) -> Result<Response, ApiError> {
    app.authorize(&headers)?;
    let params = query(raw, &["batch"])?;
    let batch = match (
        params.get("batch"),
        headers.get("idempotency-key").map(|v| v.to_str()),
    ) {
        (Some(key), _) => Some(key.clone()),
        (None, Some(Ok(key))) => Some(key.to_owned()),
        (None, Some(Err(_))) => {
            return Err(ApiError::bad_request(
                "the `Idempotency-Key` header must be visible ASCII",
            ));
        }
        (None, None) => None,
    };
    if let Some(key) = &batch
        && (key.is_empty() || key.len() > 200 || !key.bytes().all(|b| b.is_ascii_graphic()))
    {
        return Err(ApiError::bad_request(
            "an idempotency key must be 1 to 200 visible ASCII characters",
        ));
    }
    let bytes = body(&app, &headers, request).await?;
    let lines = lines(&headers, &bytes)?;
    let (reply, wait) = oneshot::channel();
    app.send(Command::Events {
        lines,
        batch,
        reply,
    })?;
    answer(wait).await?.map(json)
}

pub(crate) async fn post_advance(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    app.authorize(&headers)?;
    let params = query(raw, &["to"])?;
    let Some(to) = time(&params, "to")? else {
        return Err(ApiError::bad_request(
            "give the time to advance to: `?to=TIME`",
        ));
    };
    let (reply, wait) = oneshot::channel();
    app.send(Command::Advance { time: to, reply })?;
    Ok(json(answer(wait).await?))
}

pub(crate) async fn get_obligations(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    app.authorize(&headers)?;
    let params = query(raw, &["bundle"])?;
    let (reply, wait) = oneshot::channel();
    app.send(Command::Obligations {
        bundle: params.get("bundle").cloned(),
        reply,
    })?;
    Ok(json(answer(wait).await?))
}

pub(crate) async fn get_bundles(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    app.authorize(&headers)?;
    let bundles = app
        .shared
        .bundles
        .read()
        .map(|b| b.clone())
        .unwrap_or_default();
    let refused = app
        .shared
        .refused
        .read()
        .map(|r| r.clone())
        .unwrap_or_default();
    Ok(json(
        serde_json::json!({"bundles": bundles, "refused": refused}).to_string(),
    ))
}

pub(crate) async fn put_bundle(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Path(name): Path<String>,
    request: Body,
) -> Result<Response, ApiError> {
    app.authorize(&headers)?;
    let text = body(&app, &headers, request).await?;
    let (reply, wait) = oneshot::channel();
    app.send(Command::Upload {
        name,
        text: text.to_vec(),
        reply,
    })?;
    answer(wait).await?.map(json)
}

pub(crate) async fn health(State(app): State<Arc<App>>) -> Response {
    let bundles = app.shared.bundles.read().map(|b| b.len()).unwrap_or(0);
    json(
        serde_json::json!({
            "status": if *app.stopping.borrow() { "stopping" } else { "ok" },
            "bundles": bundles,
            "queue_depth": app.metrics.queue_depth(),
        })
        .to_string(),
    )
}

pub(crate) async fn metrics(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    app.authorize(&headers)?;
    Ok((
        StatusCode::OK,
        [(
            CONTENT_TYPE,
            HeaderValue::from_static("text/plain; version=0.0.4"),
        )],
        app.metrics.render(),
    )
        .into_response())
}

pub(crate) async fn not_found() -> ApiError {
    ApiError::new(
        404,
        "no such endpoint; the endpoints are listed in /v1/openapi.json",
    )
}

pub(crate) async fn method_not_allowed() -> ApiError {
    ApiError::new(
        405,
        "this endpoint does not take that method; see /v1/openapi.json",
    )
}
