//! The server's state and loop: the workspace of every package under the client's folders,
//! the documents the client has open, and the diagnostics last published.
//!
//! One thread reads messages; this one handles them in order. Diagnostics are published when
//! no message is waiting, so a burst of edits is checked once. A handler that fails answers
//! with an error and the server goes on; so does one that panics.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::io::{BufRead, Write};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::mpsc;

use edict_compiler::{Diagnostic, LoadedPackage, Severity, SourceFile, Workspace};
use lsp_types::{
    DiagnosticRelatedInformation, DiagnosticSeverity, NumberOrString, PublishDiagnosticsParams,
};
use serde_json::{Value, json};

use crate::lines::{LineIndex, path_to_uri, uri_to_path};
use crate::transport::{self, Incoming};

mod requests;

/// JSON-RPC error codes.
pub const PARSE_ERROR: i64 = -32700;
pub const INVALID_REQUEST: i64 = -32600;
pub const METHOD_NOT_FOUND: i64 = -32601;
pub const INVALID_PARAMS: i64 = -32602;
pub const INTERNAL_ERROR: i64 = -32603;
pub const SERVER_NOT_INITIALIZED: i64 = -32002;
pub const REQUEST_FAILED: i64 = -32803;

/// An error answer.
#[derive(Debug)]
pub struct Failure {
    pub code: i64,
    pub message: String,
}

impl Failure {
    pub fn new(code: i64, message: impl Into<String>) -> Failure {
        Failure {
            code,
            message: message.into(),
        }
    }
}

/// Everything the server knows.
pub struct Server<W: Write> {
    output: W,
    pub(crate) ws: Workspace,
    pub(crate) packages: Vec<LoadedPackage>,
    /// The packages each file belongs to (as a source or an import), by path.
    owners: HashMap<String, Vec<usize>>,
    /// The documents open in the client, by path, with their versions and texts.
    open: HashMap<String, (i32, String)>,
    /// The packages to check before the next publication.
    dirty: HashSet<usize>,
    /// The files whose diagnostics must be published even if unchanged.
    touched: HashSet<String>,
    published: HashMap<String, Vec<lsp_types::Diagnostic>>,
    initialized: bool,
    shutdown: bool,
}

/// Runs the server until the client says `exit` or the input ends; returns the exit status.
pub fn run(input: impl BufRead + Send + 'static, output: impl Write) -> i32 {
    let (tx, rx) = mpsc::channel::<Incoming>();
    let reader = std::thread::Builder::new()
        .name("edict-lsp-reader".into())
        .spawn(move || {
            let mut input = input;
            loop {
                let message = transport::read(&mut input);
                let end = matches!(message, Incoming::Eof);
                if tx.send(message).is_err() || end {
                    break;
                }
            }
        });
    if let Err(e) = reader {
        log(&format!("cannot start the reader: {e}"));
        return 1;
    }
    let mut server = Server::new(output);
    let mut waiting: VecDeque<Incoming> = VecDeque::new();
    loop {
        let next = match waiting.pop_front() {
            Some(m) => m,
            None => match rx.recv() {
                Ok(m) => m,
                Err(_) => return 1,
            },
        };
        match next {
            Incoming::Eof => return if server.shutdown { 0 } else { 1 },
            Incoming::Garbage(why) => {
                log(&format!("ignored a message that is not JSON-RPC: {why}"));
                server.send(&json!({
                    "jsonrpc": "2.0",
                    "id": null,
                    "error": { "code": PARSE_ERROR, "message": format!("parse error: {why}") },
                }));
            }
            Incoming::Message(message) => {
                if let Some(status) = server.handle(message) {
                    return status;
                }
            }
        }
        waiting.extend(rx.try_iter());
        if waiting.is_empty() {
            server.publish();
        }
    }
}

/// Writes a line to standard error, which clients show as the server's log.
pub fn log(message: &str) {
    eprintln!("[edict lsp] {message}");
}

impl<W: Write> Server<W> {
    fn new(output: W) -> Server<W> {
        Server {
            output,
            ws: Workspace::default(),
            packages: Vec::new(),
            owners: HashMap::new(),
            open: HashMap::new(),
            dirty: HashSet::new(),
            touched: HashSet::new(),
            published: HashMap::new(),
            initialized: false,
            shutdown: false,
        }
    }

    pub(crate) fn send(&mut self, message: &Value) {
        if let Err(e) = transport::write(&mut self.output, message) {
            log(&format!("cannot write to the client: {e}"));
        }
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    /// Handles one message; returns the exit status when the server must stop.
    fn handle(&mut self, message: Value) -> Option<i32> {
        let Some(object) = message.as_object() else {
            self.send(&json!({
                "jsonrpc": "2.0", "id": null,
                "error": { "code": INVALID_REQUEST, "message": "a message must be a JSON object" },
            }));
            return None;
        };
        let id = object.get("id").cloned();
        let method = object
            .get("method")
            .and_then(Value::as_str)
            .map(str::to_owned);
        let params = object.get("params").cloned().unwrap_or(Value::Null);
        let Some(method) = method else {
            if id.is_none() || !(object.contains_key("result") || object.contains_key("error")) {
                self.send(&json!({
                    "jsonrpc": "2.0", "id": id.unwrap_or(Value::Null),
                    "error": { "code": INVALID_REQUEST, "message": "a request needs a `method`" },
                }));
            }
            // Otherwise a response to a request of ours: there are none to wait for.
            return None;
        };
        match id {
            Some(id) => {
                let result = catch_unwind(AssertUnwindSafe(|| self.request(&method, params)))
                    .unwrap_or_else(|_| {
                        log(&format!(
                            "`{method}` failed unexpectedly; the server goes on"
                        ));
                        Err(Failure::new(
                            INTERNAL_ERROR,
                            format!("`{method}` failed inside the server"),
                        ))
                    });
                let answer = match result {
                    Ok(value) => json!({ "jsonrpc": "2.0", "id": id, "result": value }),
                    Err(f) => {
                        log(&format!("`{method}`: {}", f.message));
                        json!({ "jsonrpc": "2.0", "id": id, "error": { "code": f.code, "message": f.message } })
                    }
                };
                self.send(&answer);
                None
            }
            None => {
                if method == "exit" {
                    return Some(if self.shutdown { 0 } else { 1 });
                }
                let outcome = catch_unwind(AssertUnwindSafe(|| self.notification(&method, params)));
                match outcome {
                    Ok(Ok(())) => {}
                    Ok(Err(f)) => log(&format!("`{method}`: {}", f.message)),
                    Err(_) => log(&format!(
                        "`{method}` failed unexpectedly; the server goes on"
                    )),
                }
                None
            }
        }
    }

    fn request(&mut self, method: &str, params: Value) -> Result<Value, Failure> {
        if method == "initialize" {
            return self.initialize(params);
        }
        if !self.initialized {
            return Err(Failure::new(
                SERVER_NOT_INITIALIZED,
                "the server is not initialized yet",
            ));
        }
        if method == "shutdown" {
            self.shutdown = true;
            return Ok(Value::Null);
        }
        requests::dispatch(self, method, params)
    }

    fn notification(&mut self, method: &str, params: Value) -> Result<(), Failure> {
        match method {
            "textDocument/didOpen" => {
                let p: lsp_types::DidOpenTextDocumentParams = parse(params)?;
                let path = path_of(&p.text_document.uri)?;
                self.open.insert(
                    path.clone(),
                    (p.text_document.version, p.text_document.text.clone()),
                );
                self.set_text(&path, p.text_document.text);
            }
            "textDocument/didChange" => {
                let p: lsp_types::DidChangeTextDocumentParams = parse(params)?;
                let path = path_of(&p.text_document.uri)?;
                // Full synchronisation: the last change holds the whole text.
                if let Some(change) = p.content_changes.into_iter().last() {
                    self.open
                        .insert(path.clone(), (p.text_document.version, change.text.clone()));
                    self.set_text(&path, change.text);
                }
            }
            "textDocument/didClose" => {
                let p: lsp_types::DidCloseTextDocumentParams = parse(params)?;
                let path = path_of(&p.text_document.uri)?;
                self.open.remove(&path);
                if self.ws.file(&path).is_some() {
                    if let Err(e) = self.ws.reload_file(&path) {
                        log(&format!("{e}"));
                    }
                    self.mark(&path);
                }
            }
            "workspace/didChangeWatchedFiles" => {
                let p: lsp_types::DidChangeWatchedFilesParams = parse(params)?;
                for change in p.changes {
                    let path = path_of(&change.uri)?;
                    // An open document's text is the editor's, not the disk's.
                    if self.open.contains_key(&path)
                        || change.typ == lsp_types::FileChangeType::DELETED
                    {
                        continue;
                    }
                    if self.ws.file(&path).is_some() {
                        if let Err(e) = self.ws.reload_file(&path) {
                            log(&format!("{e}"));
                        }
                        self.mark(&path);
                    } else if path.ends_with(".edict")
                        && let Some(dir) = Path::new(&path).parent()
                    {
                        self.load(&[dir.to_path_buf()]);
                    }
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn initialize(&mut self, params: Value) -> Result<Value, Failure> {
        let p: lsp_types::InitializeParams = parse(params)?;
        let mut roots: Vec<PathBuf> = Vec::new();
        for folder in p.workspace_folders.unwrap_or_default() {
            roots.extend(uri_to_path(&folder.uri).map(PathBuf::from));
        }
        #[allow(deprecated, reason = "older clients send only `rootUri`")]
        if roots.is_empty()
            && let Some(uri) = &p.root_uri
        {
            roots.extend(uri_to_path(uri).map(PathBuf::from));
        }
        let mut folders = Vec::new();
        for root in &roots {
            package_folders(root, &mut folders, 0);
        }
        self.load(&folders);
        self.initialized = true;
        Ok(requests::capabilities())
    }

    /// Loads package folders, skipping what cannot be read.
    fn load(&mut self, folders: &[PathBuf]) {
        if folders.is_empty() {
            return;
        }
        let (packages, errors) = self.ws.load_tolerant(folders);
        for e in errors {
            log(&format!("{e}"));
        }
        // Loading read the files from disk: the open documents keep the editor's text.
        for (path, (_, text)) in &self.open {
            if self.ws.file(path).is_some() {
                self.ws.set_file(path, text.clone());
            }
        }
        for p in packages {
            // A folder loaded again (a file was added to it) replaces its package.
            match self.packages.iter().position(|q| q.root == p.root) {
                Some(i) => {
                    self.packages[i] = p;
                    self.dirty.insert(i);
                }
                None => {
                    self.packages.push(p);
                    self.dirty.insert(self.packages.len() - 1);
                }
            }
        }
        self.index();
    }

    fn index(&mut self) {
        self.owners.clear();
        for (i, p) in self.packages.iter().enumerate() {
            for file in self.ws.sources(p).into_iter().chain(self.ws.imports(p)) {
                let path = self.ws.path_of(file).to_owned();
                self.owners.entry(path).or_default().push(i);
            }
        }
    }

    fn set_text(&mut self, path: &str, text: String) {
        if !self.owners.contains_key(path) {
            // A file outside the packages found so far: its folder is a package.
            if let Some(dir) = Path::new(path).parent() {
                self.load(&[dir.to_path_buf()]);
            }
        }
        if !self.owners.contains_key(path) && path.ends_with(".edict") {
            // Still in no package (its folder cannot be read): check it alone.
            let package = self
                .ws
                .load_sources(path, &[(path.to_owned(), text.clone())]);
            self.packages.push(package);
            self.dirty.insert(self.packages.len() - 1);
            self.index();
        }
        self.ws.set_file(path, text);
        self.mark(path);
    }

    fn mark(&mut self, path: &str) {
        if let Some(owners) = self.owners.get(path) {
            self.dirty.extend(owners.iter().copied());
        }
        self.touched.insert(path.to_owned());
    }

    /// The package to answer questions about a file in (its index): the first that has it as
    /// a source, else the first that imports it.
    pub(crate) fn package_of(&self, path: &str) -> Option<(usize, SourceFile)> {
        let file = self.ws.file(path)?;
        let owners = self.owners.get(path)?;
        let source = owners
            .iter()
            .find(|&&i| self.ws.sources(&self.packages[i]).contains(&file))
            .or_else(|| owners.first())?;
        Some((*source, file))
    }

    /// Publishes the diagnostics of the packages changed since the last publication.
    fn publish(&mut self) {
        if self.dirty.is_empty() && self.touched.is_empty() {
            return;
        }
        let dirty: Vec<usize> = self.dirty.drain().collect();
        // Every file of a changed package, with the diagnostics of every package it is in.
        let mut files: BTreeMap<String, Vec<lsp_types::Diagnostic>> = BTreeMap::new();
        for &i in &dirty {
            let p = &self.packages[i];
            for file in self.ws.sources(p).into_iter().chain(self.ws.imports(p)) {
                files.entry(self.ws.path_of(file).to_owned()).or_default();
            }
        }
        for path in &self.touched {
            files.entry(path.clone()).or_default();
        }
        let mut checked: HashSet<usize> = HashSet::new();
        for path in files.keys().cloned().collect::<Vec<_>>() {
            for &i in self
                .owners
                .get(&path)
                .map(Vec::as_slice)
                .unwrap_or_default()
            {
                if !checked.insert(i) {
                    continue;
                }
                for d in self.ws.diagnostics(&self.packages[i]) {
                    let at = self.ws.path_of(d.primary.file).to_owned();
                    if let Some(list) = files.get_mut(&at) {
                        let converted = convert(&self.ws, d);
                        if !list.contains(&converted) {
                            list.push(converted);
                        }
                    }
                }
            }
        }
        let touched = std::mem::take(&mut self.touched);
        for (path, diagnostics) in files {
            let unchanged = match self.published.get(&path) {
                Some(before) => *before == diagnostics,
                None => diagnostics.is_empty(),
            };
            if unchanged && !touched.contains(&path) {
                continue;
            }
            let Some(uri) = path_to_uri(&path) else {
                continue;
            };
            let params = PublishDiagnosticsParams {
                uri,
                diagnostics: diagnostics.clone(),
                version: self.open.get(&path).map(|(v, _)| *v),
            };
            self.published.insert(path, diagnostics);
            self.notify(
                "textDocument/publishDiagnostics",
                serde_json::to_value(params).unwrap_or(Value::Null),
            );
        }
    }
}

/// A diagnostic as the client shows it: the same code and words as `edict check`.
pub(crate) fn convert(ws: &Workspace, d: &Diagnostic) -> lsp_types::Diagnostic {
    let text = ws.text_of(d.primary.file);
    let index = LineIndex::new(text);
    // In the language of the file's keywords, as `edict check` shows it.
    let lang = edict_compiler::render::Language::OfTheFile.of(ws.db(), d);
    let mut message = d.message.get(lang).to_owned();
    if !d.primary.message.is_empty() {
        message.push_str(&format!("\n{}", d.primary.message.get(lang)));
    }
    if let Some(help) = &d.help {
        message.push_str(&format!("\nhelp: {}", help.get(lang)));
    }
    let related: Vec<DiagnosticRelatedInformation> = d
        .secondary
        .iter()
        .filter_map(|l| {
            let location = crate::lines::location(
                ws,
                edict_compiler::ide::Location {
                    file: l.file,
                    span: l.span,
                },
            )?;
            Some(DiagnosticRelatedInformation {
                location,
                message: l.message.get(lang).to_owned(),
            })
        })
        .collect();
    lsp_types::Diagnostic {
        range: index.range(d.primary.span.start, d.primary.span.end),
        severity: Some(match d.severity {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
        }),
        code: Some(NumberOrString::String(d.code.as_str().to_owned())),
        code_description: None,
        source: Some("edict".to_owned()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        tags: None,
        data: None,
    }
}

/// Reads a message's parameters.
pub(crate) fn parse<T: serde::de::DeserializeOwned>(params: Value) -> Result<T, Failure> {
    serde_json::from_value(params)
        .map_err(|e| Failure::new(INVALID_PARAMS, format!("invalid parameters: {e}")))
}

pub(crate) fn path_of(uri: &lsp_types::Uri) -> Result<String, Failure> {
    uri_to_path(uri).ok_or_else(|| {
        Failure::new(
            INVALID_PARAMS,
            format!("not a file URI: `{}`", uri.as_str()),
        )
    })
}

/// The folders below `dir` that hold `.edict` files, skipping hidden folders, build output
/// and installed packages.
fn package_folders(dir: &Path, out: &mut Vec<PathBuf>, depth: usize) {
    if depth > 12 {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        log(&format!("cannot read the folder `{}`", dir.display()));
        return;
    };
    let mut has_source = false;
    let mut subdirs = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if path.is_dir() {
            if !name.starts_with('.') && name != "target" && name != "node_modules" {
                subdirs.push(path);
            }
        } else if path.extension().is_some_and(|e| e == "edict") {
            has_source = true;
        }
    }
    if has_source {
        out.push(dir.to_path_buf());
    }
    subdirs.sort();
    for d in subdirs {
        package_folders(&d, out, depth + 1);
    }
}
