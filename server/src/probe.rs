//! What other Edict services share with the server: the Prometheus text exposition, and a small
//! HTTP listener answering only `GET /metrics` and `GET /health` (for `edict consume`, whose
//! work is not HTTP).

use std::fmt::Write as _;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

/// The Prometheus text exposition format, version 0.0.4, written metric by metric.
#[derive(Default)]
pub struct Exposition {
    text: String,
}

impl Exposition {
    /// One metric with its help and type lines and its samples (`labels` like
    /// `{kind="violation"}`, or empty).
    pub fn metric(&mut self, name: &str, kind: &str, help: &str, samples: &[(&str, String)]) {
        let _ = writeln!(self.text, "# HELP {name} {help}\n# TYPE {name} {kind}");
        for (labels, value) in samples {
            let _ = writeln!(self.text, "{name}{labels} {value}");
        }
    }

    /// The text.
    pub fn finish(self) -> String {
        self.text
    }
}

/// What a service answers on its probe listener.
pub trait Probes: Send + Sync + 'static {
    /// `GET /metrics`: Prometheus text.
    fn metrics(&self) -> String;
    /// `GET /health`: whether the service is healthy (200, else 503), and a JSON body.
    fn health(&self) -> (bool, serde_json::Value);
}

/// A probe listener running on a thread of its own; it stops when dropped.
pub struct ProbeServer {
    address: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl ProbeServer {
    /// Listens on `listen` (port 0 picks a free port) and answers from `probes`.
    pub fn start(listen: SocketAddr, probes: Arc<dyn Probes>) -> Result<ProbeServer, String> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("cannot start the probe listener's runtime: {e}"))?;
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind(listen))
            .map_err(|e| format!("cannot listen on {listen}: {e}"))?;
        let address = listener
            .local_addr()
            .map_err(|e| format!("cannot read the listening address: {e}"))?;
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let metrics = Arc::clone(&probes);
        let router = Router::new()
            .route(
                "/metrics",
                get(move || {
                    let text = metrics.metrics();
                    async move {
                        (
                            StatusCode::OK,
                            [(CONTENT_TYPE, "text/plain; version=0.0.4")],
                            text,
                        )
                            .into_response()
                    }
                }),
            )
            .route(
                "/health",
                get(move || {
                    let (healthy, body) = probes.health();
                    async move { health_response(healthy, &body) }
                }),
            );
        let thread = std::thread::Builder::new()
            .name("edict-probes".to_owned())
            .spawn(move || {
                runtime.block_on(async move {
                    let _ = axum::serve(listener, router)
                        .with_graceful_shutdown(async move {
                            let _ = stopped.await;
                        })
                        .await;
                });
            })
            .map_err(|e| format!("cannot start the probe listener: {e}"))?;
        Ok(ProbeServer {
            address,
            stop: Some(stop),
            thread: Some(thread),
        })
    }

    /// Where it listens.
    pub fn address(&self) -> SocketAddr {
        self.address
    }
}

impl Drop for ProbeServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn health_response(healthy: bool, body: &serde_json::Value) -> Response {
    let status = if healthy {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (
        status,
        [(CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

/// Sets `stop` when the process gets SIGINT or SIGTERM (for services that are not HTTP servers
/// but stop the way the server does), from a thread of its own.
pub fn stop_on_signal(stop: Arc<std::sync::atomic::AtomicBool>) -> Result<(), String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the signal thread's runtime: {e}"))?;
    std::thread::Builder::new()
        .name("edict-signals".to_owned())
        .spawn(move || {
            runtime.block_on(crate::shutdown_signal());
            stop.store(true, std::sync::atomic::Ordering::Relaxed);
        })
        .map(|_| ())
        .map_err(|e| format!("cannot start the signal thread: {e}"))
}
