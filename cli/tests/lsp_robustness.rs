//! `edict lsp` survives a client that sends garbage: malformed headers, bodies that are not
//! UTF-8 or not JSON, requests with bad parameters or unknown methods, and a workspace with a
//! file that is not UTF-8. Each gets an error answer or a log line, and the server keeps
//! serving.

#![allow(
    clippy::expect_used,
    reason = "a test fails loudly when the server does not answer"
)]

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

use serde_json::{Value, json};

struct Client {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

impl Client {
    fn start() -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_edict"))
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("edict lsp starts");
        let stdin = child.stdin.take().expect("stdin");
        let stdout = BufReader::new(child.stdout.take().expect("stdout"));
        Client {
            child,
            stdin,
            stdout,
        }
    }

    fn raw(&mut self, bytes: &[u8]) {
        self.stdin.write_all(bytes).expect("write");
        self.stdin.flush().expect("flush");
    }

    fn body(&mut self, body: &[u8]) {
        let mut message = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
        message.extend_from_slice(body);
        self.raw(&message);
    }

    fn send(&mut self, value: &Value) {
        self.body(value.to_string().as_bytes());
    }

    fn receive(&mut self) -> Value {
        let mut length = 0usize;
        loop {
            let mut line = String::new();
            self.stdout.read_line(&mut line).expect("a header");
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some(n) = line.strip_prefix("Content-Length: ") {
                length = n.parse().expect("a length");
            }
        }
        let mut body = vec![0; length];
        self.stdout.read_exact(&mut body).expect("a body");
        serde_json::from_slice(&body).expect("JSON from the server")
    }

    /// The next answer to a request (skipping notifications).
    fn answer(&mut self) -> Value {
        loop {
            let message = self.receive();
            if message.get("method").is_none() {
                return message;
            }
        }
    }

    fn stop(mut self) -> (i32, String) {
        self.send(&json!({"jsonrpc": "2.0", "id": 99, "method": "shutdown"}));
        assert_eq!(self.answer()["result"], Value::Null);
        self.send(&json!({"jsonrpc": "2.0", "method": "exit"}));
        drop(self.stdin);
        let out = self.child.wait_with_output().expect("the server exits");
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }
}

fn initialize(client: &mut Client, root: &std::path::Path) {
    let uri = format!("file://{}", root.display());
    client.send(&json!({
        "jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": { "processId": null, "rootUri": uri, "capabilities": {} },
    }));
    let answer = client.answer();
    assert_eq!(answer["result"]["serverInfo"]["name"], "edict", "{answer}");
    client.send(&json!({"jsonrpc": "2.0", "method": "initialized", "params": {}}));
}

#[test]
fn garbage_gets_an_error_answer_and_the_server_goes_on() {
    let root = std::fs::canonicalize("../policies/measures-2025").expect("the package");
    let mut client = Client::start();

    // Before `initialize`, requests are refused.
    client.send(&json!({"jsonrpc": "2.0", "id": 0, "method": "textDocument/hover", "params": {}}));
    assert_eq!(client.answer()["error"]["code"], -32002);

    initialize(&mut client, &root);

    client.raw(b"this is not a header\r\n\r\n");
    let answer = client.answer();
    assert_eq!(answer["error"]["code"], -32700);
    assert_eq!(answer["id"], Value::Null);

    client.body(b"{\"jsonrpc\": \"2.0\", \"method\": \"\xff\xfe\"}");
    let answer = client.answer();
    assert_eq!(answer["error"]["code"], -32700);
    assert!(
        answer["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("not UTF-8")),
        "{answer}"
    );

    client.body(b"{\"jsonrpc\": \"2.0\", \"id\": 5, ");
    assert_eq!(client.answer()["error"]["code"], -32700);

    client.body(b"[1, 2, 3]");
    assert_eq!(client.answer()["error"]["code"], -32600);

    client.send(&json!({"jsonrpc": "2.0", "id": 6, "method": "textDocument/hover", "params": {"nonsense": true}}));
    let answer = client.answer();
    assert_eq!(answer["id"], 6);
    assert_eq!(answer["error"]["code"], -32602);

    client.send(
        &json!({"jsonrpc": "2.0", "id": 7, "method": "workspace/nothingLikeThis", "params": {}}),
    );
    assert_eq!(client.answer()["error"]["code"], -32601);

    // A document full of control characters and an unfinished string.
    let odd = root.join("odd.edict");
    client.send(&json!({
        "jsonrpc": "2.0", "method": "textDocument/didOpen",
        "params": { "textDocument": {
            "uri": format!("file://{}", odd.display()), "languageId": "edict", "version": 1,
            "text": "article \u{0} 7 { rule \"unfinished\n 第？条 \u{FEFF}{{{{ ",
        }},
    }));

    // And after all that, a real question gets a real answer.
    let minors = root.join("minors.edict");
    let text = std::fs::read_to_string(&minors).expect("minors");
    client.send(&json!({
        "jsonrpc": "2.0", "method": "textDocument/didOpen",
        "params": { "textDocument": {
            "uri": format!("file://{}", minors.display()), "languageId": "edict", "version": 1,
            "text": text,
        }},
    }));
    // The `当 e.legal_basis …` line, at `legal_basis`.
    let line = text
        .lines()
        .position(|l| l.trim_start().starts_with("当 e.legal_basis"))
        .expect("the rule's condition");
    client.send(&json!({
        "jsonrpc": "2.0", "id": 8, "method": "textDocument/hover",
        "params": {
            "textDocument": { "uri": format!("file://{}", minors.display()) },
            "position": { "line": line, "character": 12 },
        },
    }));
    let answer = client.answer();
    assert_eq!(answer["id"], 8);
    assert!(
        answer["result"]["contents"]["value"]
            .as_str()
            .is_some_and(|v| v.contains("legal_basis")),
        "{answer}"
    );

    let (status, log) = client.stop();
    assert_eq!(status, 0, "{log}");
    assert!(
        log.contains("[edict lsp] ignored a message that is not JSON-RPC"),
        "{log}"
    );
}

#[test]
fn a_file_that_is_not_utf8_is_logged_and_the_rest_is_served() {
    let dir = std::env::temp_dir().join(format!("edict-lsp-bytes-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch");
    std::fs::write(dir.join("latin1.edict"), b"const A = \"caf\xe9\"\n").expect("write");
    std::fs::write(dir.join("good.edict"), "const B = 1\n").expect("write");
    let mut client = Client::start();
    initialize(&mut client, &dir);
    let good = dir.join("good.edict");
    client.send(&json!({
        "jsonrpc": "2.0", "id": 2, "method": "textDocument/documentSymbol",
        "params": { "textDocument": { "uri": format!("file://{}", good.display()) } },
    }));
    let answer = client.answer();
    assert_eq!(answer["result"][0]["name"], "B", "{answer}");
    let (status, log) = client.stop();
    assert_eq!(status, 0);
    assert!(log.contains("latin1.edict`: it is not UTF-8 text"), "{log}");
}

#[test]
fn a_file_added_on_disk_joins_its_package() {
    let dir = std::env::temp_dir().join(format!("edict-lsp-watch-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch");
    std::fs::write(dir.join("a.edict"), "const A = 1\n").expect("write");
    let mut client = Client::start();
    initialize(&mut client, &dir);
    let added = dir.join("b.edict");
    std::fs::write(&added, "rule stray: on x e require e.y == 1\n").expect("write");
    client.send(&json!({
        "jsonrpc": "2.0", "method": "workspace/didChangeWatchedFiles",
        "params": { "changes": [{ "uri": format!("file://{}", added.display()), "type": 1 }] },
    }));
    // The new file is checked with its package: its rule stands outside any article.
    let published = loop {
        let m = client.receive();
        if m["method"] == "textDocument/publishDiagnostics"
            && m["params"]["uri"] == format!("file://{}", added.display())
        {
            break m;
        }
    };
    assert_eq!(
        published["params"]["diagnostics"][0]["code"], "E0403",
        "{published}"
    );
    let (status, _) = client.stop();
    assert_eq!(status, 0);
}
