//! `edict serve`: an HTTP service that judges events against Edict bundles, for services in any
//! language. It is built on the runtime's embedding API ([`edict_runtime::session`]) and the
//! store ([`edict_store`]); `docs/server.md` documents the endpoints, the signing scheme, the
//! state store and what happens on failures.
//!
//! - `core`: the thread that owns the session and the store, fed by a bounded queue;
//! - `http`: the handlers, errors and the bearer token;
//! - `findings`: `GET /v1/findings`, paged, filtered and streamed;
//! - `routes`: the table of endpoints, from which the router and the OpenAPI document are made;
//! - `metrics`: counters and the Prometheus text.
//!
//! The server speaks plain HTTP/1.1; TLS is left to a proxy in front of it.

use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use edict_runtime::bundle::Bundle;
use edict_runtime::engine::EngineOptions;
use edict_runtime::signature::PublicKey;
use edict_store::Store;
use tokio::sync::{oneshot, watch};

mod core;
mod findings;
mod http;
mod metrics;
pub mod probe;
mod routes;

/// How the server runs.
#[derive(Clone, Debug)]
pub struct Config {
    pub listen: SocketAddr,
    /// The state folder (its store holds checkpoints, the log, findings and uploads).
    pub state: PathBuf,
    /// A folder whose `NAME.json` bundles are loaded as `NAME` and reloaded when they change.
    pub bundle_dir: Option<PathBuf>,
    /// Bundle files, loaded under their file stem and reloaded when they change.
    pub bundle_files: Vec<PathBuf>,
    /// Bundles compiled from policy sources at start, by name.
    pub initial: Vec<(String, Bundle)>,
    /// With keys, only bundles signed by one of them load.
    pub keys: Vec<PublicKey>,
    /// The bearer token every request but `/health` and the OpenAPI document must carry.
    pub token: Option<String>,
    pub options: EngineOptions,
    /// Request bodies larger than this are refused with 413.
    pub body_limit: usize,
    /// Requests waiting for the judging thread, at most; more are refused with 429.
    pub queue: usize,
    pub checkpoint_interval: Duration,
    pub watch_interval: Duration,
}

impl Config {
    /// A configuration with the defaults of `edict serve`.
    pub fn new(listen: SocketAddr, state: PathBuf) -> Config {
        Config {
            listen,
            state,
            bundle_dir: None,
            bundle_files: Vec::new(),
            initial: Vec::new(),
            keys: Vec::new(),
            token: None,
            options: EngineOptions::default(),
            body_limit: 16 << 20,
            queue: 64,
            checkpoint_interval: Duration::from_secs(30),
            watch_interval: Duration::from_secs(2),
        }
    }
}

/// A request refused, as a status and a JSON error naming the line and the reason.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiError {
    pub status: u16,
    pub message: String,
    pub line: Option<u64>,
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub(crate) fn new(status: u16, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            message: message.into(),
            line: None,
            retry_after: None,
        }
    }

    pub(crate) fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(400, message)
    }

    pub(crate) fn unprocessable(message: impl Into<String>) -> ApiError {
        ApiError::new(422, message)
    }

    pub(crate) fn unavailable(message: impl Into<String>) -> ApiError {
        ApiError::new(503, message).retry(5)
    }

    /// A failure of the server's own store: a 503, since the request itself was fine.
    pub(crate) fn internal(error: impl std::fmt::Display) -> ApiError {
        ApiError::new(503, format!("the server's store failed: {error}")).retry(5)
    }

    pub(crate) fn at_line(mut self, line: u64) -> ApiError {
        self.line = Some(line);
        self
    }

    pub(crate) fn retry(mut self, seconds: u64) -> ApiError {
        self.retry_after = Some(seconds);
        self
    }
}

/// Runs the server until SIGINT or SIGTERM, then checkpoints and returns.
pub fn run(config: Config) -> Result<(), String> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the server's runtime: {e}"))?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(config.listen)
            .await
            .map_err(|e| format!("cannot listen on {}: {e}", config.listen))?;
        serve(config, listener, shutdown_signal()).await
    })
}

async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut terminate =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(_) => {
                    let _ = interrupt.await;
                    return;
                }
            };
        tokio::select! {
            _ = interrupt => {}
            _ = terminate.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = interrupt.await;
    }
}

/// Serves on a bound listener until `shutdown` completes: loads the state, serves, then drains
/// the queue and checkpoints.
pub async fn serve(
    config: Config,
    listener: tokio::net::TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), String> {
    let config = Arc::new(config);
    let store = Arc::new(Store::open(&config.state).map_err(|e| e.to_string())?);
    let metrics = Arc::new(metrics::Metrics::default());
    metrics
        .capacity
        .store(config.queue as u64, Ordering::Relaxed);
    let shared = Arc::new(core::Shared::default());
    let (seq_tx, seq_rx) = watch::channel(0u64);
    let (stop_tx, stop_rx) = watch::channel(false);
    let core = {
        let (config, store, metrics, shared) = (
            Arc::clone(&config),
            Arc::clone(&store),
            Arc::clone(&metrics),
            Arc::clone(&shared),
        );
        tokio::task::spawn_blocking(move || {
            core::Core::start(config, store, metrics, shared, seq_tx)
        })
        .await
        .map_err(|e| format!("the server failed to start: {e}"))??
    };
    let (commands, receiver) = std::sync::mpsc::sync_channel(config.queue.max(1));
    let worker = std::thread::Builder::new()
        .name("edict-core".to_owned())
        .spawn(move || core.serve(receiver))
        .map_err(|e| format!("cannot start the judging thread: {e}"))?;
    let app = Arc::new(http::App {
        commands: commands.clone(),
        store,
        metrics,
        shared,
        token: config.token.clone(),
        body_limit: config.body_limit,
        last_seq: seq_rx,
        stopping: stop_rx,
    });
    let address = listener
        .local_addr()
        .map_err(|e| format!("cannot read the listening address: {e}"))?;
    eprintln!("listening on http://{address} (plain HTTP: put a TLS-terminating proxy in front)");
    let signal = async move {
        shutdown.await;
        eprintln!("stopping: finishing the requests in progress");
        let _ = stop_tx.send(true);
    };
    axum::serve(listener, routes::router(Arc::clone(&app)))
        .with_graceful_shutdown(signal)
        .await
        .map_err(|e| format!("the server failed: {e}"))?;
    drop(app);
    let (reply, wait) = oneshot::channel();
    let sent = tokio::task::spawn_blocking(move || {
        commands.send(core::Command::Shutdown { reply }).is_ok()
    })
    .await
    .unwrap_or(false);
    let result = if sent {
        wait.await
            .unwrap_or_else(|_| Err("the judging thread stopped".to_owned()))
    } else {
        Err("the judging thread stopped".to_owned())
    };
    let _ = tokio::task::spawn_blocking(move || worker.join()).await;
    result?;
    eprintln!("checkpointed; stopped");
    Ok(())
}

/// The OpenAPI document of the server's endpoints.
pub fn openapi() -> serde_json::Value {
    routes::openapi()
}
