//! The language server's latency on the whole policy library, as an editor sees it:
//! "one-line edit → published diagnostics" and "hover → answer", over the protocol (framing
//! and JSON included) with the server on its own thread, as `edict lsp` runs it.
//!
//! Run: `cargo run --release -p edict-lsp --example latency` (numbers go in BENCHMARKS.md).

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    reason = "a benchmark stops loudly when the server does not answer"
)]

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

struct Client {
    to_server: std::io::PipeWriter,
    from_server: BufReader<std::io::PipeReader>,
}

impl Client {
    fn send(&mut self, value: &Value) {
        let body = value.to_string();
        write!(
            self.to_server,
            "Content-Length: {}\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
        self.to_server.flush().unwrap();
    }

    fn receive(&mut self) -> Value {
        let mut length = 0;
        loop {
            let mut line = String::new();
            self.from_server.read_line(&mut line).unwrap();
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some(n) = line.strip_prefix("Content-Length: ") {
                length = n.parse().unwrap();
            }
        }
        let mut body = vec![0; length];
        self.from_server.read_exact(&mut body).unwrap();
        serde_json::from_slice(&body).unwrap()
    }

    /// Waits for the answer to request `id`.
    fn answer(&mut self, id: u64) -> Value {
        loop {
            let m = self.receive();
            if m["id"] == id {
                return m;
            }
        }
    }

    /// Waits for the diagnostics of `uri` at `version`.
    fn diagnostics(&mut self, uri: &str, version: i64) -> Value {
        loop {
            let m = self.receive();
            if m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == uri
                && m["params"]["version"] == version
            {
                return m;
            }
        }
    }
}

fn library_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            library_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "edict") {
            out.push(p);
        }
    }
}

fn percentiles(name: &str, mut samples: Vec<Duration>) {
    samples.sort();
    let at = |q: f64| samples[((samples.len() as f64 - 1.0) * q).round() as usize];
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{name}: n={} p50={:.2} ms p90={:.2} ms p99={:.2} ms max={:.2} ms",
        samples.len(),
        ms(at(0.5)),
        ms(at(0.9)),
        ms(at(0.99)),
        ms(*samples.last().unwrap())
    );
}

fn uri(path: &Path) -> String {
    edict_lsp::lines::path_to_uri(&path.to_string_lossy())
        .unwrap()
        .as_str()
        .to_owned()
}

fn main() {
    let policies =
        std::fs::canonicalize(Path::new(env!("CARGO_MANIFEST_DIR")).join("../policies")).unwrap();
    let (server_in, to_server) = std::io::pipe().unwrap();
    let (from_server, server_out) = std::io::pipe().unwrap();
    std::thread::spawn(move || edict_lsp::server::run(BufReader::new(server_in), server_out));
    let mut client = Client {
        to_server,
        from_server: BufReader::new(from_server),
    };

    let started = Instant::now();
    client.send(
        &json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "processId": null, "capabilities": {},
            "workspaceFolders": [{"uri": uri(&policies), "name": "policies"}],
        }}),
    );
    client.answer(1);
    client.send(&json!({"jsonrpc": "2.0", "method": "initialized", "params": {}}));
    let mut files = Vec::new();
    library_files(&policies, &mut files);
    let mut texts = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        client.send(
            &json!({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {
                "textDocument": {"uri": uri(f), "languageId": "edict", "version": 1, "text": text},
            }}),
        );
        client.diagnostics(&uri(f), 1);
        texts.push(text);
    }
    println!(
        "opened {} files of {} in {:.0} ms (initialize, load, check every package)",
        files.len(),
        policies.display(),
        started.elapsed().as_secs_f64() * 1000.0
    );

    // One-line edits in the rule files: a field name broken, then mended, in turn.
    let rules: Vec<usize> = (0..files.len())
        .filter(|&i| texts[i].contains("\n    require ") || texts[i].contains("\n      require "))
        .collect();
    let mut version = 1;
    let mut samples = Vec::new();
    for round in 0..600 {
        let i = rules[round % rules.len()];
        version += 1;
        let text = if round % 2 == 0 {
            texts[i].replacen("require ", "require x", 1)
        } else {
            texts[i].clone()
        };
        let t = Instant::now();
        client.send(
            &json!({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {
                "textDocument": {"uri": uri(&files[i]), "version": version},
                "contentChanges": [{"text": text}],
            }}),
        );
        let published = client.diagnostics(&uri(&files[i]), version);
        samples.push(t.elapsed());
        // The broken text has an error, the mended one none: the server did the work.
        let count = published["params"]["diagnostics"]
            .as_array()
            .map_or(0, Vec::len);
        assert_eq!(count > 0, round % 2 == 0, "{published}");
    }
    // Every odd round restored its file, so every file is as on disk again.
    percentiles("edit → diagnostics (rule files)", samples);

    // The vocabulary: every package re-checks.
    let face = files
        .iter()
        .position(|f| f.ends_with("vocabulary/face.edict"))
        .unwrap();
    let mut samples = Vec::new();
    for round in 0..100 {
        version += 1;
        let text = if round % 2 == 0 {
            texts[face].replacen("    device: string", "    device: strin", 1)
        } else {
            texts[face].clone()
        };
        let t = Instant::now();
        client.send(
            &json!({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {
                "textDocument": {"uri": uri(&files[face]), "version": version},
                "contentChanges": [{"text": text}],
            }}),
        );
        let published = client.diagnostics(&uri(&files[face]), version);
        samples.push(t.elapsed());
        let count = published["params"]["diagnostics"]
            .as_array()
            .map_or(0, Vec::len);
        assert_eq!(count > 0, round % 2 == 0, "{published}");
    }
    percentiles("edit → diagnostics (vocabulary, every package)", samples);

    // Hover on every field, name and header of a file in turn.
    let minors = files
        .iter()
        .position(|f| f.ends_with("minors.edict"))
        .unwrap();
    let storage = files
        .iter()
        .position(|f| f.ends_with("storage.edict"))
        .unwrap();
    let mut positions = Vec::new();
    for &i in &[minors, storage] {
        for (line_no, line) in texts[i].lines().enumerate() {
            if line.trim_start().starts_with("//") {
                continue;
            }
            for (col, _) in line.char_indices().step_by(7) {
                let character = line[..col].encode_utf16().count();
                positions.push((i, line_no, character));
            }
        }
    }
    let mut samples = Vec::new();
    let mut id = 10;
    for round in 0..2000 {
        let (i, line, character) = positions[round % positions.len()];
        id += 1;
        let t = Instant::now();
        client.send(
            &json!({"jsonrpc": "2.0", "id": id, "method": "textDocument/hover", "params": {
                "textDocument": {"uri": uri(&files[i])},
                "position": {"line": line, "character": character},
            }}),
        );
        client.answer(id);
        samples.push(t.elapsed());
    }
    percentiles("hover", samples);
    client.send(&json!({"jsonrpc": "2.0", "id": 2, "method": "shutdown"}));
    client.answer(2);
    client.send(&json!({"jsonrpc": "2.0", "method": "exit"}));
}
