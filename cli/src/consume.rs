//! `edict consume`: a member of a Kafka consumer group (the `edict-kafka` crate) with its
//! arguments and configuration file.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use edict_kafka::Config;
use edict_runtime::bundle::Bundle;
use edict_runtime::engine::EngineOptions;

use crate::Format;
use crate::compile::{FAILED, OK, USAGE, single_program};
use crate::keys::{public_keys, read_bundle};

#[derive(clap::Args)]
pub struct ConsumeArgs {
    /// The policy package to judge with (compiled for a partitioned run).
    pub paths: Vec<PathBuf>,
    /// A bundle to judge with instead of policy sources (`edict build --partitioned`).
    #[arg(long, value_name = "FILE")]
    pub bundle: Option<PathBuf>,
    /// Run the bundle only if it is signed by this public key; repeat to trust several.
    #[arg(long = "key", value_name = "PUB")]
    pub keys: Vec<PathBuf>,
    /// A configuration file of `key=value` lines (`#` starts a comment): `edict.`-prefixed
    /// keys set this command's options by their flag names (`edict.brokers`,
    /// `edict.events-topic` …), every other key is a librdkafka setting passed through
    /// (`security.protocol`, `sasl.mechanisms`, `ssl.ca.location` …). Flags override it.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// The brokers to bootstrap from (`bootstrap.servers`).
    #[arg(long)]
    pub brokers: Option<String>,
    /// The consumer group (`group.id`) [default: edict].
    #[arg(long)]
    pub group: Option<String>,
    /// The topic of events, keyed by the vocabulary's partition field [default: edict-events].
    #[arg(long)]
    pub events_topic: Option<String>,
    /// The topic findings are written to [default: edict-findings].
    #[arg(long)]
    pub findings_topic: Option<String>,
    /// The topic bad records are written to, with the reason [default: edict-dead-letters].
    #[arg(long)]
    pub dead_letter_topic: Option<String>,
    /// The compacted topic each partition's state is mirrored to [default: GROUP-changelog].
    #[arg(long)]
    pub changelog_topic: Option<String>,
    /// This member's `transactional.id` [default: edict-GROUP- and a random suffix].
    #[arg(long)]
    pub transactional_id: Option<String>,
    /// The local store of partition snapshots.
    #[arg(long, value_name = "DIR")]
    pub state: Option<PathBuf>,
    /// Serve `/metrics` and `/health` on this address.
    #[arg(long)]
    pub listen: Option<SocketAddr>,
    /// Milliseconds between commits while records arrive [default: 1000].
    #[arg(long, value_name = "MS")]
    pub commit_interval: Option<u64>,
    /// Seconds of wall-clock quiet after which a partition gets a heartbeat record that moves
    /// its event time on by as much; 0 for none [default: 60].
    #[arg(long, value_name = "SECS")]
    pub heartbeat: Option<u64>,
    /// How many seconds an event may be older than the latest one of its partition
    /// [default: 300].
    #[arg(long)]
    pub allowed_lateness: Option<u32>,
    /// A librdkafka setting, `KEY=VALUE`; repeat for several.
    #[arg(short = 'X', value_name = "KEY=VALUE")]
    pub librdkafka: Vec<String>,
}

/// The settings of a configuration file: this command's, and librdkafka's.
#[derive(Default)]
struct FileSettings {
    edict: Vec<(String, String)>,
    client: Vec<(String, String)>,
}

fn read_config(path: &Path) -> Result<FileSettings, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read the configuration `{}`: {e}", path.display()))?;
    let mut settings = FileSettings::default();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            return Err(format!(
                "{}:{}: expected `key=value`, found `{line}`",
                path.display(),
                n + 1
            ));
        };
        let (key, value) = (key.trim().to_owned(), value.trim().to_owned());
        match key.strip_prefix("edict.") {
            Some(own) => settings.edict.push((own.to_owned(), value)),
            None => settings.client.push((key, value)),
        }
    }
    Ok(settings)
}

pub fn consume(args: ConsumeArgs) -> u8 {
    match configure(&args) {
        Ok(config) => {
            let stop = Arc::new(AtomicBool::new(false));
            if let Err(e) = edict_server::probe::stop_on_signal(Arc::clone(&stop)) {
                eprintln!("error: {e}");
                return FAILED;
            }
            match edict_kafka::run(config, stop) {
                Ok(()) => OK,
                Err(e) => {
                    eprintln!("error: {e}");
                    FAILED
                }
            }
        }
        Err(code) => code,
    }
}

fn configure(args: &ConsumeArgs) -> Result<Config, u8> {
    let file = match &args.config {
        Some(path) => read_config(path).map_err(|e| {
            eprintln!("error: {e}");
            USAGE
        })?,
        None => FileSettings::default(),
    };
    let setting = |flag: &Option<String>, name: &str| -> Option<String> {
        flag.clone().or_else(|| {
            file.edict
                .iter()
                .rev()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        })
    };
    let number = |flag: Option<u64>, name: &str, default: u64| -> Result<u64, u8> {
        match flag {
            Some(n) => Ok(n),
            None => match setting(&None, name) {
                None => Ok(default),
                Some(v) => v.parse().map_err(|_| {
                    eprintln!("error: `edict.{name}={v}` is not a whole number");
                    USAGE
                }),
            },
        }
    };
    for (key, _) in &file.edict {
        let known = [
            "brokers",
            "group",
            "events-topic",
            "findings-topic",
            "dead-letter-topic",
            "changelog-topic",
            "transactional-id",
            "state",
            "listen",
            "commit-interval",
            "heartbeat",
            "allowed-lateness",
        ];
        if !known.contains(&key.as_str()) {
            eprintln!(
                "error: `edict.{key}` is not a setting of `edict consume` (they are {})",
                known.join(", ")
            );
            return Err(USAGE);
        }
    }
    let Some(brokers) = setting(&args.brokers, "brokers") else {
        eprintln!(
            "error: give the brokers with `--brokers HOST:PORT,…` or `edict.brokers` in `--config`"
        );
        return Err(USAGE);
    };
    let Some(state) = args
        .state
        .clone()
        .or_else(|| setting(&None, "state").map(PathBuf::from))
    else {
        eprintln!("error: give the local state folder with `--state DIR` or `edict.state`");
        return Err(USAGE);
    };
    let listen = match setting(&args.listen.map(|l| l.to_string()), "listen") {
        None => None,
        Some(text) => Some(text.parse::<SocketAddr>().map_err(|_| {
            eprintln!("error: `{text}` is not an address to listen on (write e.g. 127.0.0.1:9100)");
            USAGE
        })?),
    };
    let group = setting(&args.group, "group").unwrap_or_else(|| "edict".to_owned());
    let mut client = file.client;
    for pair in &args.librdkafka {
        let Some((k, v)) = pair.split_once('=') else {
            eprintln!("error: `-X {pair}` is not `KEY=VALUE`");
            return Err(USAGE);
        };
        client.push((k.trim().to_owned(), v.trim().to_owned()));
    }
    let bundle = bundle(args)?;
    let transactional_id = setting(&args.transactional_id, "transactional-id")
        .unwrap_or_else(|| format!("edict-{group}-{}", random_suffix()));
    let heartbeat = number(args.heartbeat, "heartbeat", 60)?;
    let lateness = number(
        args.allowed_lateness.map(u64::from),
        "allowed-lateness",
        300,
    )?;
    Ok(Config {
        brokers,
        events_topic: setting(&args.events_topic, "events-topic")
            .unwrap_or_else(|| "edict-events".to_owned()),
        findings_topic: setting(&args.findings_topic, "findings-topic")
            .unwrap_or_else(|| "edict-findings".to_owned()),
        dead_letter_topic: setting(&args.dead_letter_topic, "dead-letter-topic")
            .unwrap_or_else(|| "edict-dead-letters".to_owned()),
        changelog_topic: setting(&args.changelog_topic, "changelog-topic")
            .unwrap_or_else(|| format!("{group}-changelog")),
        group,
        transactional_id,
        bundle,
        options: EngineOptions {
            allowed_lateness_seconds: i64::try_from(lateness).unwrap_or(i64::MAX),
        },
        state,
        listen,
        commit_interval: Duration::from_millis(
            number(args.commit_interval, "commit-interval", 1000)?.max(1),
        ),
        commit_records: 10_000,
        heartbeat: (heartbeat > 0).then(|| Duration::from_secs(heartbeat)),
        client,
    })
}

/// The bundle judged: a bundle file, or the policy package compiled for a partitioned run.
fn bundle(args: &ConsumeArgs) -> Result<Bundle, u8> {
    let keys = public_keys(&args.keys)?;
    match (&args.bundle, args.paths.is_empty()) {
        (Some(path), true) => Ok(read_bundle(path, &keys)?),
        (None, false) if keys.is_empty() => {
            let program = single_program(&args.paths, Format::Human, true)?;
            Ok(Bundle::new((*program).clone()))
        }
        (None, false) => {
            eprintln!("error: `--key` accepts only a signed bundle, but policy sources were given");
            Err(USAGE)
        }
        _ => {
            eprintln!("error: give one policy package or one `--bundle FILE`");
            Err(USAGE)
        }
    }
}

/// Eight random hex digits, to tell members apart.
fn random_suffix() -> String {
    let mut bytes = [0u8; 4];
    let _ = getrandom::fill(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
