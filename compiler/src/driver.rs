//! Loading packages from disk: the only part of the compiler that does IO.
//!
//! A path may be a `.edict` file (a package of one file) or a folder: every folder below it
//! that holds `.edict` files is a package. After reading a package's files the driver asks the
//! compiler which files they import (outline, vocabulary) and loads those too.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use edict_runtime::ir;
use salsa::Setter;

use crate::check::package_diagnostics;
use crate::db::{Database, Package, SourceFile};
use crate::diagnostic::Diagnostic;
use crate::lower::lower_package;
use crate::parse::imports;
use crate::paths;

/// A problem reading the user's paths, before any compiling.
#[derive(Debug)]
pub struct LoadError {
    pub path: String,
    pub reason: String,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot read `{}`: {}", self.path, self.reason)
    }
}

impl std::error::Error for LoadError {}

/// A package loaded into the database.
#[derive(Clone, Debug)]
pub struct LoadedPackage {
    /// The folder (or single file) the package was read from.
    pub root: String,
    pub package: Package,
}

/// The compiler session: a database and the files loaded into it, by path.
#[derive(Default)]
pub struct Workspace {
    pub db: Database,
    files: HashMap<String, SourceFile>,
}

impl Workspace {
    pub fn new(db: Database) -> Self {
        Workspace {
            db,
            files: HashMap::new(),
        }
    }

    /// Loads every package under the given paths.
    pub fn load(&mut self, paths: &[PathBuf]) -> Result<Vec<LoadedPackage>, LoadError> {
        let mut groups: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for path in paths {
            let shown = display_path(path);
            let meta = std::fs::metadata(path).map_err(|e| LoadError {
                path: shown.clone(),
                reason: io_reason(&e),
            })?;
            if meta.is_dir() {
                collect_dir(path, &mut groups)?;
            } else {
                groups.entry(shown.clone()).or_default().push(shown);
            }
        }
        if groups.is_empty() {
            let shown: Vec<String> = paths.iter().map(|p| display_path(p)).collect();
            return Err(LoadError {
                path: shown.join(", "),
                reason: "no `.edict` files there".into(),
            });
        }
        let mut packages = Vec::new();
        for (root, members) in groups {
            let mut sources = Vec::new();
            for m in members {
                sources.push(self.read(&m)?);
            }
            packages.push(self.package(root, sources));
        }
        Ok(packages)
    }

    /// Makes a package of in-memory sources (path, text), loading their imports from disk.
    pub fn load_sources(&mut self, root: &str, sources: &[(String, String)]) -> LoadedPackage {
        let files = sources
            .iter()
            .map(|(path, text)| self.set_file(&paths::normalise(path), text.clone()))
            .collect();
        self.package(root.to_string(), files)
    }

    fn package(&mut self, root: String, sources: Vec<SourceFile>) -> LoadedPackage {
        let mut imported: Vec<SourceFile> = Vec::new();
        let mut pending: Vec<SourceFile> = sources.clone();
        while let Some(file) = pending.pop() {
            for import in imports(&self.db, file).clone() {
                let path = import.path().to_string();
                if imported.iter().any(|f| *f.path(&self.db) == path) {
                    continue;
                }
                // A missing import is reported by the compiler, at the header that names it.
                if let Ok(f) = self.read(&path) {
                    imported.push(f);
                    pending.push(f);
                }
            }
        }
        let package = Package::new(&self.db, sources, imported);
        LoadedPackage { root, package }
    }

    fn read(&mut self, path: &str) -> Result<SourceFile, LoadError> {
        let text = std::fs::read(path).map_err(|e| LoadError {
            path: path.to_string(),
            reason: io_reason(&e),
        })?;
        let text = String::from_utf8(text).map_err(|e| LoadError {
            path: path.to_string(),
            reason: format!(
                "it is not UTF-8 text (invalid byte at offset {})",
                e.utf8_error().valid_up_to()
            ),
        })?;
        Ok(self.set_file(path, text))
    }

    /// Sets a file's text, creating the input the first time; an edit keeps the same input so
    /// that salsa re-checks only what depends on it.
    pub fn set_file(&mut self, path: &str, text: String) -> SourceFile {
        match self.files.get(path) {
            Some(&file) => {
                if *file.text(&self.db) != text {
                    file.set_text(&mut self.db).to(text);
                }
                file
            }
            None => {
                let file = SourceFile::new(&self.db, path.to_string(), text);
                self.files.insert(path.to_string(), file);
                file
            }
        }
    }

    pub fn diagnostics(&self, package: &LoadedPackage) -> &[Diagnostic] {
        package_diagnostics(&self.db, package.package)
    }

    pub fn program(&self, package: &LoadedPackage) -> Option<Arc<ir::Program>> {
        lower_package(&self.db, package.package).clone()
    }
}

fn collect_dir(dir: &Path, groups: &mut BTreeMap<String, Vec<String>>) -> Result<(), LoadError> {
    let entries = std::fs::read_dir(dir).map_err(|e| LoadError {
        path: display_path(dir),
        reason: io_reason(&e),
    })?;
    let mut files = Vec::new();
    let mut dirs = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            dirs.push(path);
        } else if path.extension().is_some_and(|e| e == "edict") {
            files.push(display_path(&path));
        }
    }
    files.sort();
    dirs.sort();
    if !files.is_empty() {
        groups.insert(display_path(dir), files);
    }
    for d in dirs {
        collect_dir(&d, groups)?;
    }
    Ok(())
}

/// A path with forward slashes and without `./`, as shown in diagnostics.
pub fn display_path(path: &Path) -> String {
    paths::normalise(&path.to_string_lossy().replace('\\', "/"))
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or folder".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}
