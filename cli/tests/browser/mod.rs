//! A real browser for the tests: headless Chromium driven over the Chrome DevTools protocol
//! (a WebSocket on a loopback port the browser picks), with a fresh profile per test.

#![allow(
    dead_code,
    clippy::expect_used,
    reason = "each test file uses some of these; a browser that misbehaves fails the test"
)]

use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use base64::Engine as _;
use serde_json::{Value, json};
use tungstenite::stream::MaybeTlsStream;
use tungstenite::{Message, WebSocket};

/// The browser to use: `EDICT_CHROMIUM`, else Debian's `/usr/bin/chromium` or one on `PATH`.
pub fn chromium() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("EDICT_CHROMIUM") {
        return Some(PathBuf::from(path));
    }
    let on_path = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .unwrap_or_default();
    for name in ["chromium", "chromium-browser", "google-chrome"] {
        for dir in std::iter::once(PathBuf::from("/usr/bin")).chain(on_path.iter().cloned()) {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return Some(candidate);
            }
        }
    }
    None
}

pub struct Browser {
    child: Child,
    socket: WebSocket<MaybeTlsStream<TcpStream>>,
    profile: PathBuf,
    next_id: u64,
}

/// A page open in the browser, by its DevTools session.
pub struct Page {
    session: String,
}

impl Browser {
    /// Starts a headless browser, or `None` when none is installed.
    pub fn launch(scratch: &Path) -> Option<Browser> {
        let program = chromium()?;
        let profile = scratch.join("chromium-profile");
        std::fs::create_dir_all(&profile).expect("a profile folder");
        let mut child = Command::new(&program)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--remote-debugging-address=127.0.0.1",
                "--remote-debugging-port=0",
                "--window-size=1200,900",
            ])
            .arg(format!("--user-data-dir={}", profile.display()))
            .arg("about:blank")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the browser starts");
        // The browser names its DevTools address on standard error; keep reading it after, so
        // that the browser never blocks on a full pipe.
        let stderr = child.stderr.take().expect("the browser's standard error");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(url) = line.split("DevTools listening on ").nth(1) {
                    let _ = tx.send(url.trim().to_owned());
                }
            }
        });
        let url = rx
            .recv_timeout(Duration::from_secs(60))
            .expect("the browser opens its DevTools port within a minute");
        let (socket, _) = tungstenite::connect(url.as_str()).expect("connect to the browser");
        if let MaybeTlsStream::Plain(stream) = socket.get_ref() {
            stream
                .set_read_timeout(Some(Duration::from_secs(60)))
                .expect("a read timeout");
        }
        Some(Browser {
            child,
            socket,
            profile,
            next_id: 0,
        })
    }

    /// Sends a command and waits for its answer, setting events aside.
    fn call(&mut self, session: Option<&str>, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let mut message = json!({ "id": id, "method": method, "params": params });
        if let Some(session) = session {
            message["sessionId"] = json!(session);
        }
        self.socket
            .send(Message::text(message.to_string()))
            .expect("send to the browser");
        loop {
            let reply = self.read();
            if reply["id"] == json!(id) {
                assert!(reply["error"].is_null(), "{method} failed: {reply}");
                return reply["result"].clone();
            }
        }
    }

    fn read(&mut self) -> Value {
        loop {
            match self.socket.read().expect("a message from the browser") {
                Message::Text(text) => {
                    return serde_json::from_str(text.as_str()).expect("JSON from the browser");
                }
                Message::Close(_) => panic!("the browser closed the connection"),
                _ => {}
            }
        }
    }

    /// Opens `url` in a new page, `width` pixels wide, and waits until it has loaded.
    pub fn open(&mut self, url: &str, width: u32) -> Page {
        let target = self.call(None, "Target.createTarget", json!({ "url": "about:blank" }));
        let attached = self.call(
            None,
            "Target.attachToTarget",
            json!({ "targetId": target["targetId"], "flatten": true }),
        );
        let session = attached["sessionId"]
            .as_str()
            .expect("a session")
            .to_owned();
        let page = Page { session };
        self.on(&page, "Page.enable", json!({}));
        self.on(
            &page,
            "Emulation.setDeviceMetricsOverride",
            json!({ "width": width, "height": 900, "deviceScaleFactor": 1, "mobile": false }),
        );
        self.on(&page, "Page.navigate", json!({ "url": url }));
        loop {
            let event = self.read();
            if event["method"] == "Page.loadEventFired" && event["sessionId"] == *page.session {
                return page;
            }
        }
    }

    /// A command on a page.
    pub fn on(&mut self, page: &Page, method: &str, params: Value) -> Value {
        let session = page.session.clone();
        self.call(Some(&session), method, params)
    }

    /// The value of a JavaScript expression in the page.
    pub fn eval(&mut self, page: &Page, expression: &str) -> Value {
        let result = self.on(
            page,
            "Runtime.evaluate",
            json!({ "expression": expression, "returnByValue": true }),
        );
        assert!(
            result["exceptionDetails"].is_null(),
            "{expression} failed: {result}"
        );
        result["result"]["value"].clone()
    }

    /// A PNG of the page as the browser draws it: the whole page, or its top `at_most` pixels.
    pub fn screenshot(&mut self, page: &Page, width: u32, at_most: Option<u64>) -> Vec<u8> {
        let full = self
            .eval(page, "document.documentElement.scrollHeight")
            .as_u64()
            .expect("the page's height");
        let height = at_most.map_or(full, |h| h.min(full));
        self.on(
            page,
            "Emulation.setDeviceMetricsOverride",
            json!({ "width": width, "height": height, "deviceScaleFactor": 1, "mobile": false }),
        );
        let shot = self.on(page, "Page.captureScreenshot", json!({ "format": "png" }));
        decode(&shot["data"])
    }

    /// The page printed to PDF, as a person printing it would get it.
    pub fn pdf(&mut self, page: &Page) -> Vec<u8> {
        let printed = self.on(
            page,
            "Page.printToPDF",
            json!({ "printBackground": true, "preferCSSPageSize": true }),
        );
        decode(&printed["data"])
    }
}

fn decode(data: &Value) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .decode(data.as_str().expect("base64 data"))
        .expect("valid base64")
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.socket.close(None);
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}
