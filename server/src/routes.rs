//! The table of endpoints: the router and the OpenAPI document are both made from it, so the
//! document lists exactly what is served.

use std::sync::Arc;

use axum::Router;
use axum::routing::{MethodRouter, get, post, put};
use serde_json::{Value, json};

use crate::findings::get_findings;
use crate::http::{self, App, json};

/// A query or path parameter.
pub(crate) struct Param {
    pub name: &'static str,
    pub place: &'static str,
    pub schema: &'static str,
    pub description: &'static str,
}

/// One endpoint.
pub(crate) struct Route {
    pub id: &'static str,
    pub method: &'static str,
    pub path: &'static str,
    pub summary: &'static str,
    pub auth: bool,
    pub params: &'static [Param],
    /// The media types of the request body it reads.
    pub body: &'static [&'static str],
    pub responses: &'static [(u16, &'static str)],
}

const fn query(name: &'static str, schema: &'static str, description: &'static str) -> Param {
    Param {
        name,
        place: "query",
        schema,
        description,
    }
}

const COMMON: &[(u16, &str)] = &[
    (
        400,
        "A bad request: the error names the line and the reason.",
    ),
    (401, "The bearer token is missing or wrong."),
];

pub(crate) const ROUTES: &[Route] = &[
    Route {
        id: "postEvents",
        method: "post",
        path: "/v1/events",
        summary: "Judge a batch of events (JSON Lines, or a JSON array) against every loaded bundle; answers with the findings made, the accepted and rejected counts, and the events still held for the watermark. An idempotency key (the `Idempotency-Key` header or `batch`) makes a retried batch harmless: it is answered again, not judged again.",
        auth: true,
        params: &[
            query(
                "batch",
                "string",
                "The batch's idempotency key (or the `Idempotency-Key` header).",
            ),
            Param {
                name: "Idempotency-Key",
                place: "header",
                schema: "string",
                description: "The batch's idempotency key.",
            },
        ],
        body: &["application/x-ndjson", "application/json"],
        responses: &[
            (
                200,
                "The batch was judged (or answered again from its key).",
            ),
            (413, "The body is larger than the server's limit."),
            (
                429,
                "The queue is full; retry after the `Retry-After` seconds.",
            ),
            (
                503,
                "No bundle is loaded, or the server is stopping; retry later.",
            ),
        ],
    },
    Route {
        id: "postAdvance",
        method: "post",
        path: "/v1/advance",
        summary: "Declare that stream time has reached `to`: held events up to it are judged and deadlines due by then reported overdue, even if no event says so.",
        auth: true,
        params: &[query("to", "string", "An RFC 3339 time with an offset.")],
        body: &[],
        responses: &[
            (200, "The findings that time passing made."),
            (429, "The queue is full; retry later."),
        ],
    },
    Route {
        id: "getFindings",
        method: "get",
        path: "/v1/findings",
        summary: "The decision log: findings in the order they were made, each with the bundle and revision that made it. Paged with `after` and `limit`; with `stream=true`, JSON Lines of every match, and with `follow=true` new findings as they are made.",
        auth: true,
        params: &[
            query(
                "after",
                "integer",
                "Only findings after this sequence number.",
            ),
            query(
                "limit",
                "integer",
                "At most this many findings (1 to 1000, 100 by default).",
            ),
            query(
                "rule",
                "string",
                "Rule ids starting with this (`measures-2025/art9`).",
            ),
            query("article", "integer", "The article's number."),
            query("regulation", "string", "The regulation's id."),
            query("bundle", "string", "The bundle's name."),
            query("kind", "string", "violation, overdue, open or input_error."),
            query("from", "string", "Findings at or after this RFC 3339 time."),
            query("to", "string", "Findings before this RFC 3339 time."),
            query(
                "stream",
                "boolean",
                "Answer with JSON Lines of every match.",
            ),
            query(
                "follow",
                "boolean",
                "With stream: keep the answer open for new findings.",
            ),
        ],
        body: &[],
        responses: &[(200, "A page of findings, or a stream of them.")],
    },
    Route {
        id: "getObligations",
        method: "get",
        path: "/v1/obligations",
        summary: "Open deadlines with their due dates, earliest first.",
        auth: true,
        params: &[query("bundle", "string", "Only this bundle's.")],
        body: &[],
        responses: &[(200, "The pending obligations.")],
    },
    Route {
        id: "getBundles",
        method: "get",
        path: "/v1/bundles",
        summary: "The active bundles (name, regulation, revision, signer, source) and the last bundles refused.",
        auth: true,
        params: &[],
        body: &[],
        responses: &[(200, "The bundles.")],
    },
    Route {
        id: "putBundle",
        method: "put",
        path: "/v1/bundles/{name}",
        summary: "Load a bundle under a name, replacing the revision loaded under it (whose state carries over where still meaningful). A damaged, unsigned (when keys are configured) or wrongly signed bundle is refused and the last good one keeps serving.",
        auth: true,
        params: &[Param {
            name: "name",
            place: "path",
            schema: "string",
            description: "1 to 64 letters, digits, `-`, `_` or `.`.",
        }],
        body: &["application/json"],
        responses: &[
            (
                200,
                "Loaded: its revision, and what state was kept and dropped.",
            ),
            (413, "The body is larger than the server's limit."),
            (
                422,
                "The bundle is refused: unsigned, wrongly signed, or not runnable.",
            ),
        ],
    },
    Route {
        id: "getHealth",
        method: "get",
        path: "/health",
        summary: "Whether the server is up; no token needed.",
        auth: false,
        params: &[],
        body: &[],
        responses: &[(200, "Up, with the number of bundles loaded.")],
    },
    Route {
        id: "getMetrics",
        method: "get",
        path: "/metrics",
        summary: "Prometheus text: events, findings by kind, lateness, held events, checkpoint age, queue depth.",
        auth: true,
        params: &[],
        body: &[],
        responses: &[(200, "Metrics in the Prometheus text format 0.0.4.")],
    },
    Route {
        id: "getOpenApi",
        method: "get",
        path: "/v1/openapi.json",
        summary: "This document; no token needed.",
        auth: false,
        params: &[],
        body: &[],
        responses: &[(200, "The OpenAPI 3.1 document.")],
    },
];

fn handler(id: &str) -> MethodRouter<Arc<App>> {
    match id {
        "postEvents" => post(http::post_events),
        "postAdvance" => post(http::post_advance),
        "getFindings" => get(get_findings),
        "getObligations" => get(http::get_obligations),
        "getBundles" => get(http::get_bundles),
        "putBundle" => put(http::put_bundle),
        "getHealth" => get(http::health),
        "getMetrics" => get(http::metrics),
        _ => get(serve_openapi),
    }
}

/// The router of every endpoint in [`ROUTES`].
pub(crate) fn router(app: Arc<App>) -> Router {
    let mut router = Router::new();
    for route in ROUTES {
        router = router.route(route.path, handler(route.id));
    }
    router
        .fallback(http::not_found)
        .method_not_allowed_fallback(http::method_not_allowed)
        .with_state(app)
}

/// The OpenAPI document of [`ROUTES`].
/// `GET /v1/openapi.json`.
async fn serve_openapi() -> axum::response::Response {
    json(openapi().to_string())
}

pub(crate) fn openapi() -> Value {
    let error = json!({"$ref": "#/components/schemas/Error"});
    let mut paths = serde_json::Map::new();
    for route in ROUTES {
        let parameters: Vec<Value> = route
            .params
            .iter()
            .map(|p| {
                json!({
                    "name": p.name,
                    "in": p.place,
                    "required": p.place == "path",
                    "description": p.description,
                    "schema": {"type": p.schema},
                })
            })
            .collect();
        let mut responses = serde_json::Map::new();
        for (status, description) in route.responses.iter().chain(COMMON) {
            if *status == 401 && !route.auth {
                continue;
            }
            let content = if *status >= 400 {
                json!({"application/json": {"schema": error}})
            } else if route.id == "getMetrics" {
                json!({"text/plain": {}})
            } else {
                json!({"application/json": {}})
            };
            responses.insert(
                status.to_string(),
                json!({"description": description, "content": content}),
            );
        }
        let mut operation = json!({
            "operationId": route.id,
            "summary": route.summary,
            "parameters": parameters,
            "responses": responses,
        });
        if route.auth {
            operation["security"] = json!([{"bearer": []}]);
        }
        if !route.body.is_empty() {
            let content: serde_json::Map<String, Value> = route
                .body
                .iter()
                .map(|m| ((*m).to_owned(), json!({})))
                .collect();
            operation["requestBody"] = json!({"required": true, "content": content});
        }
        let entry = paths
            .entry(route.path.to_owned())
            .or_insert_with(|| json!({}));
        entry[route.method] = operation;
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Edict decision server",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Judges event streams against Edict policy bundles. Plain HTTP: put a TLS-terminating proxy in front.",
        },
        "paths": paths,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["error"],
                    "properties": {"error": {
                        "type": "object",
                        "required": ["status", "message"],
                        "properties": {
                            "status": {"type": "integer"},
                            "message": {"type": "string"},
                            "line": {"type": "integer", "description": "The line of the body the error is on."},
                        },
                    }},
                },
            },
        },
    })
}
