//! The salsa database and its inputs.
//!
//! Inputs are the only values that change from outside: the text of each file and the list of
//! files in each package. Everything else is derived by tracked queries in the pass modules.

use std::sync::{Arc, Mutex};

/// One file the compiler reads: an Edict source, or a regulation outline.
#[salsa::input(debug)]
pub struct SourceFile {
    /// The path as the user gave it (forward slashes), used in diagnostics.
    #[returns(ref)]
    pub path: String,
    #[returns(ref)]
    pub text: String,
}

/// A policy package: the `.edict` files of one folder, plus the files they import
/// (vocabulary and outline), which the driver loads after reading the headers.
#[salsa::input(debug)]
pub struct Package {
    #[returns(ref)]
    pub sources: Vec<SourceFile>,
    #[returns(ref)]
    pub imports: Vec<SourceFile>,
    /// Imported paths the driver could not read, with the reason in words (not UTF-8, not a
    /// regular file, too large, missing), so the diagnostic at the header says why.
    #[returns(ref)]
    pub unreadable: Vec<(String, edict_grammar::Text)>,
}

/// The compiler's database. Cloning it is cheap and shares the storage.
#[salsa::db]
#[derive(Clone)]
pub struct Database {
    storage: salsa::Storage<Self>,
    executed: Option<Arc<Mutex<Vec<String>>>>,
}

#[salsa::db]
impl salsa::Database for Database {}

impl Default for Database {
    fn default() -> Self {
        Database {
            storage: salsa::Storage::new(None),
            executed: None,
        }
    }
}

impl Database {
    /// A database that records the name of every query it executes, for incremental tests.
    pub fn with_execution_log() -> Database {
        let log: Arc<Mutex<Vec<String>>> = Arc::default();
        let sink = Arc::clone(&log);
        let storage = salsa::Storage::new(Some(Box::new(move |event: salsa::Event| {
            if let salsa::EventKind::WillExecute { database_key } = event.kind
                && let Ok(mut log) = sink.lock()
            {
                log.push(format!("{database_key:?}"));
            }
        })));
        Database {
            storage,
            executed: Some(log),
        }
    }

    /// The queries executed since the last call, as `query_name(Id(..))`.
    pub fn take_executed(&self) -> Vec<String> {
        self.executed
            .as_ref()
            .and_then(|log| log.lock().ok().map(|mut log| std::mem::take(&mut *log)))
            .unwrap_or_default()
    }

    /// Finds the loaded file with this (normalised) path.
    pub fn find_file(&self, files: &[SourceFile], path: &str) -> Option<SourceFile> {
        files.iter().copied().find(|f| f.path(self) == path)
    }
}
