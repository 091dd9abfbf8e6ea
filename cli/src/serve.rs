//! `edict serve`: the HTTP decision server (the `edict-server` crate) with its arguments.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use edict_runtime::bundle::Bundle;
use edict_runtime::engine::EngineOptions;
use edict_server::Config;

use crate::Format;
use crate::compile::{FAILED, OK, USAGE, compile, plural, print_diagnostics, tally};
use crate::keys::public_keys;

#[derive(clap::Args)]
pub struct ServeArgs {
    /// Policy package folders to compile and serve, each under its regulation's id.
    pub paths: Vec<PathBuf>,
    /// The state folder: an embedded database of checkpoints, the decision log and uploads.
    #[arg(long, value_name = "DIR")]
    pub state: PathBuf,
    /// A folder of bundles, each `NAME.json` served as NAME and reloaded when it changes.
    #[arg(long, value_name = "DIR")]
    pub bundles: Option<PathBuf>,
    /// A bundle file, served under its file name without `.json` and reloaded when it changes;
    /// repeat for several.
    #[arg(long = "bundle", value_name = "FILE")]
    pub bundle_files: Vec<PathBuf>,
    /// Serve only bundles signed by this public key; repeat to trust several.
    #[arg(long = "key", value_name = "PUB")]
    pub keys: Vec<PathBuf>,
    /// The address to listen on (plain HTTP: put a TLS-terminating proxy in front).
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// A file holding the bearer token every request must carry (`/health` and
    /// `/v1/openapi.json` excepted).
    #[arg(long, value_name = "FILE")]
    pub token_file: Option<PathBuf>,
    /// How many seconds an event may be older than the latest one already received.
    #[arg(long, default_value_t = 300)]
    pub allowed_lateness: u32,
    /// Request bodies larger than this many bytes are refused (413).
    #[arg(long, default_value_t = 16 << 20, value_name = "BYTES")]
    pub max_body: usize,
    /// Requests waiting to be judged, at most; more are refused with 429 and `Retry-After`.
    #[arg(long, default_value_t = 64)]
    pub queue: usize,
    /// Seconds between checkpoints of the engines' state.
    #[arg(long, default_value_t = 30, value_name = "SECS")]
    pub checkpoint_interval: u64,
    /// Seconds between looks at the bundle files for changes.
    #[arg(long, default_value_t = 2, value_name = "SECS")]
    pub watch_interval: u64,
}

pub fn serve(args: ServeArgs) -> u8 {
    let keys = match public_keys(&args.keys) {
        Ok(k) => k,
        Err(code) => return code,
    };
    if !keys.is_empty() && !args.paths.is_empty() {
        eprintln!(
            "error: `--key` serves only signed bundles, but policy sources were given; build and sign them with `edict build --sign`"
        );
        return USAGE;
    }
    let token = match &args.token_file {
        None => None,
        Some(path) => match std::fs::read_to_string(path) {
            Ok(text) if !text.trim().is_empty() => Some(text.trim().to_owned()),
            Ok(_) => {
                eprintln!("error: the token file `{}` is empty", path.display());
                return USAGE;
            }
            Err(e) => {
                eprintln!(
                    "error: cannot read the token file `{}`: {e}",
                    path.display()
                );
                return USAGE;
            }
        },
    };
    let mut initial = Vec::new();
    if !args.paths.is_empty() {
        let (ws, packages, diagnostics) = match compile(&args.paths, Format::Human) {
            Ok(x) => x,
            Err(code) => return code,
        };
        print_diagnostics(&ws, &diagnostics, Format::Human, false);
        let (errors, _) = tally(&diagnostics);
        if errors > 0 {
            eprintln!(
                "error: the policy has {}; nothing was served",
                plural(errors, "error")
            );
            return FAILED;
        }
        for program in packages.iter().filter_map(|p| ws.program(p)) {
            initial.push((
                program.regulation.id.clone(),
                Bundle::new((*program).clone()),
            ));
        }
    }
    if initial.is_empty() && args.bundles.is_none() && args.bundle_files.is_empty() {
        eprintln!(
            "note: no bundle given: upload one with PUT /v1/bundles/NAME (or give policy paths, `--bundle FILE` or `--bundles DIR`)"
        );
    }
    let mut config = Config::new(args.listen, args.state);
    config.bundle_dir = args.bundles;
    config.bundle_files = args.bundle_files;
    config.initial = initial;
    config.keys = keys;
    config.token = token;
    config.options = EngineOptions {
        allowed_lateness_seconds: i64::from(args.allowed_lateness),
    };
    config.body_limit = args.max_body;
    config.queue = args.queue.max(1);
    config.checkpoint_interval = Duration::from_secs(args.checkpoint_interval.max(1));
    config.watch_interval = Duration::from_secs(args.watch_interval.max(1));
    match edict_server::run(config) {
        Ok(()) => OK,
        Err(e) => {
            eprintln!("error: {e}");
            USAGE
        }
    }
}
