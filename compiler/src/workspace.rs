//! The compiler's front: a [`Workspace`] holds the files of one or more packages and answers
//! with their diagnostics, programs and coverage. It is the only part of the compiler that does
//! IO, and the one API that the CLI, the language server and tests use.
//!
//! A path may be a `.edict` file (a package of one file) or a folder: every folder below it
//! that holds `.edict` files is a package. After reading a package's files the workspace asks
//! the compiler which files they import (outline, vocabulary) and loads those too, with high
//! durability: they change seldom, so salsa need not re-check what depends only on them when a
//! policy file changes.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use edict_grammar::ast;
use edict_grammar::outline::Outline;
use edict_grammar::{Text, tr};
use edict_runtime::ir;
use salsa::{Durability, Setter};

use crate::check::package_diagnostics;
use crate::coverage::{CoverageRow, coverage};
use crate::db::{Database, Package, SourceFile};
use crate::diagnostic::Diagnostic;
use crate::lower::lower_package;
use crate::parse::{imports, parse_file};
use crate::partition::partition_diagnostics;
use crate::paths::{self, NOT_FOUND};
use crate::resolve::{Header, header, package_outline, package_vocab};
use crate::vocab::Vocab;

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
    db: Database,
    files: HashMap<String, SourceFile>,
}

impl Workspace {
    /// The database the workspace's queries run in, for rendering diagnostics and for tests
    /// that read salsa's execution log.
    pub fn db(&self) -> &Database {
        &self.db
    }

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
                reason: io_reason(&e).en,
            })?;
            if meta.is_dir() {
                collect_dir(path, &mut groups, &mut Vec::new())?;
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
                sources.push(self.read(&m, Durability::LOW)?);
            }
            packages.push(self.package(root, sources));
        }
        Ok(packages)
    }

    /// Loads every package under the given paths, as [`Workspace::load`] does, but skips the
    /// files and folders it cannot read instead of failing: each is returned with its reason.
    /// The language server uses it, so that one unreadable file does not hide a whole library.
    pub fn load_tolerant(&mut self, paths: &[PathBuf]) -> (Vec<LoadedPackage>, Vec<LoadError>) {
        let mut groups: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut errors = Vec::new();
        for path in paths {
            let shown = display_path(path);
            match std::fs::metadata(path) {
                Ok(meta) if meta.is_dir() => {
                    if let Err(e) = collect_dir(path, &mut groups, &mut Vec::new()) {
                        errors.push(e);
                    }
                }
                Ok(_) => groups.entry(shown.clone()).or_default().push(shown),
                Err(e) => errors.push(LoadError {
                    path: shown,
                    reason: io_reason(&e).en,
                }),
            }
        }
        let mut packages = Vec::new();
        for (root, members) in groups {
            let mut sources = Vec::new();
            for m in members {
                match self.read(&m, Durability::LOW) {
                    Ok(file) => sources.push(file),
                    Err(e) => errors.push(e),
                }
            }
            if !sources.is_empty() {
                packages.push(self.package(root, sources));
            }
        }
        (packages, errors)
    }

    /// Makes a package of in-memory sources (path, text), loading their imports from disk.
    pub fn load_sources(&mut self, root: &str, sources: &[(String, String)]) -> LoadedPackage {
        let files = sources
            .iter()
            .map(|(path, text)| self.set_file(&paths::normalise(path), text.clone()))
            .collect();
        self.package(root.to_string(), files)
    }

    /// Makes a package of in-memory sources and imports (path, text); nothing is read from
    /// disk, so an import not given is reported as missing. For tests and fuzzing.
    pub fn load_in_memory(
        &mut self,
        root: &str,
        sources: &[(String, String)],
        imports: &[(String, String)],
    ) -> LoadedPackage {
        let mut set = |files: &[(String, String)]| -> Vec<SourceFile> {
            files
                .iter()
                .map(|(path, text)| self.set_file(&paths::normalise(path), text.clone()))
                .collect()
        };
        let sources = set(sources);
        let imports = set(imports);
        let package = Package::new(&self.db, sources, imports, Vec::new());
        LoadedPackage {
            root: root.to_string(),
            package,
        }
    }

    fn package(&mut self, root: String, sources: Vec<SourceFile>) -> LoadedPackage {
        let mut imported: Vec<SourceFile> = Vec::new();
        let mut unreadable: Vec<(String, Text)> = Vec::new();
        let mut pending: Vec<SourceFile> = sources.clone();
        while let Some(file) = pending.pop() {
            for import in imports(&self.db, file).clone() {
                let path = import.path().to_string();
                if imported.iter().any(|f| *f.path(&self.db) == path)
                    || unreadable.iter().any(|(p, _)| *p == path)
                {
                    continue;
                }
                // An import that cannot be read is reported by the compiler, at the header that
                // names it, with the reason.
                match read_text_in_words(Path::new(&path)) {
                    Ok(text) => {
                        let f = self.set_file_with(&path, text, Durability::HIGH);
                        imported.push(f);
                        pending.push(f);
                    }
                    Err(reason) => unreadable.push((path, reason)),
                }
            }
        }
        let package = Package::new(&self.db, sources, imported, unreadable);
        LoadedPackage { root, package }
    }

    fn read(&mut self, path: &str, durability: Durability) -> Result<SourceFile, LoadError> {
        let text = read_text(Path::new(path)).map_err(|reason| LoadError {
            path: path.to_string(),
            reason,
        })?;
        Ok(self.set_file_with(path, text, durability))
    }

    /// Sets a file's text, creating the input the first time; an edit keeps the same input so
    /// that salsa re-checks only what depends on it.
    pub fn set_file(&mut self, path: &str, text: String) -> SourceFile {
        self.set_file_with(path, text, Durability::LOW)
    }

    fn set_file_with(&mut self, path: &str, text: String, durability: Durability) -> SourceFile {
        match self.files.get(path) {
            Some(&file) => {
                if *file.text(&self.db) != text {
                    file.set_text(&mut self.db)
                        .with_durability(durability)
                        .to(text);
                }
                file
            }
            None => {
                let file = SourceFile::builder(path.to_string(), text)
                    .durability(durability)
                    .new(&self.db);
                self.files.insert(path.to_string(), file);
                file
            }
        }
    }

    /// Sets a file's text from what is on disk again (an editor closed it unsaved); the
    /// reason when it cannot be read.
    pub fn reload_file(&mut self, path: &str) -> Result<SourceFile, LoadError> {
        self.read(path, Durability::LOW)
    }

    /// The package's own files, in order.
    pub fn sources(&self, package: &LoadedPackage) -> Vec<SourceFile> {
        package.package.sources(&self.db).clone()
    }

    /// The files the package imports (its vocabulary and outline).
    pub fn imports(&self, package: &LoadedPackage) -> Vec<SourceFile> {
        package.package.imports(&self.db).clone()
    }

    /// The path and text of a file.
    pub fn path_of(&self, file: SourceFile) -> &str {
        file.path(&self.db)
    }

    /// The text of a file.
    pub fn text_of(&self, file: SourceFile) -> &str {
        file.text(&self.db)
    }

    /// The loaded file with this path, if any.
    pub fn file(&self, path: &str) -> Option<SourceFile> {
        self.files.get(path).copied()
    }

    /// Every diagnostic of a package, sorted by file and position.
    pub fn diagnostics(&self, package: &LoadedPackage) -> &[Diagnostic] {
        package_diagnostics(&self.db, package.package)
    }

    /// What prevents the package's program from being judged partition by partition (on
    /// several cores, or as a Kafka consumer group), each obstacle at its place: asked for only
    /// when building for a partitioned run. Empty when the program can be partitioned, or has
    /// errors (see [`Workspace::diagnostics`]).
    pub fn partition_diagnostics(&self, package: &LoadedPackage) -> &[Diagnostic] {
        partition_diagnostics(&self.db, package.package)
    }

    /// The program of a package without errors.
    pub fn program(&self, package: &LoadedPackage) -> Option<Arc<ir::Program>> {
        lower_package(&self.db, package.package).clone()
    }

    /// For every clause of the package's outline, the rules implementing it; `None` when the
    /// package has errors or no outline.
    pub fn coverage(&self, package: &LoadedPackage) -> Option<Vec<CoverageRow>> {
        coverage(&self.db, package.package)
    }

    /// The syntax tree of a file.
    pub fn syntax(&self, file: SourceFile) -> Arc<ast::File> {
        Arc::clone(parse_file(&self.db, file))
    }

    /// The package's regulation header, resolved.
    pub fn header(&self, package: &LoadedPackage) -> Option<Header> {
        header(&self.db, package.package).clone()
    }

    /// The vocabulary the package uses.
    pub fn vocabulary(&self, package: &LoadedPackage) -> Option<Arc<Vocab>> {
        package_vocab(&self.db, package.package).clone()
    }

    /// Whether every file of the package declares vocabularies and nothing else: such a folder
    /// is imported by packages rather than being one.
    pub fn declares_only_vocabularies(&self, package: &LoadedPackage) -> bool {
        let sources = package.package.sources(&self.db);
        !sources.is_empty()
            && sources.iter().all(|&file| {
                let items = &parse_file(&self.db, file).items;
                !items.is_empty()
                    && items
                        .iter()
                        .all(|item| matches!(item, ast::Item::Vocabulary(_)))
            })
    }

    /// The package's outline file and clause tree.
    pub fn outline(&self, package: &LoadedPackage) -> Option<(SourceFile, Arc<Outline>)> {
        package_outline(&self.db, package.package).clone()
    }
}

/// Finds the packages under `dir`; `visited` holds the folders already read (by canonical
/// path), so a symbolic link back to a parent is read once, not forever.
fn collect_dir(
    dir: &Path,
    groups: &mut BTreeMap<String, Vec<String>>,
    visited: &mut Vec<PathBuf>,
) -> Result<(), LoadError> {
    if let Ok(canonical) = dir.canonicalize() {
        if visited.contains(&canonical) {
            return Ok(());
        }
        visited.push(canonical);
    }
    let entries = std::fs::read_dir(dir).map_err(|e| LoadError {
        path: display_path(dir),
        reason: io_reason(&e).en,
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
        collect_dir(&d, groups, visited)?;
    }
    Ok(())
}

/// A path with forward slashes and without `./`, as shown in diagnostics.
pub fn display_path(path: &Path) -> String {
    paths::normalise(&path.to_string_lossy().replace('\\', "/"))
}

/// The most bytes a policy, vocabulary or outline file may have.
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// The text of a file the compiler may read: a regular file of UTF-8 text of at most
/// [`MAX_FILE_BYTES`]; otherwise why not, in words (`no such file or folder`, `it is not UTF-8
/// text (an invalid byte on line 3, column 7)` …).
pub fn read_text(path: &Path) -> Result<String, String> {
    read_text_in_words(path).map_err(|reason| reason.en)
}

/// Like [`read_text`], with the reason in English and in Chinese, for diagnostics.
fn read_text_in_words(path: &Path) -> Result<String, Text> {
    use std::io::Read;

    let meta = std::fs::metadata(path).map_err(|e| io_reason(&e))?;
    if meta.is_dir() {
        return Err(tr!("it is a folder, not a file", "它是文件夹，不是文件"));
    }
    if !meta.is_file() {
        return Err(tr!(
            "it is not a regular file (a device, pipe or socket)",
            "它不是普通文件（而是设备、管道或套接字）"
        ));
    }
    let mib = MAX_FILE_BYTES / (1024 * 1024);
    let too_large = || tr!("it is larger than {mib} MiB", "它大于 {mib} MiB");
    if meta.len() > MAX_FILE_BYTES {
        return Err(too_large());
    }
    let file = std::fs::File::open(path).map_err(|e| io_reason(&e))?;
    let mut bytes = Vec::new();
    // The file may grow after the size was read: never read more than the cap.
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| io_reason(&e))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_large());
    }
    String::from_utf8(bytes).map_err(|e| {
        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let line = valid.iter().filter(|&&b| b == b'\n').count() + 1;
        let line_start = valid.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        let column = String::from_utf8_lossy(&valid[line_start..])
            .chars()
            .count()
            + 1;
        tr!(
            "it is not UTF-8 text (an invalid byte on line {line}, column {column})",
            "它不是 UTF-8 文本（第 {line} 行第 {column} 列有无效字节）"
        )
    })
}

/// Why a file could not be opened or read, in words.
fn io_reason(e: &std::io::Error) -> Text {
    match e.kind() {
        std::io::ErrorKind::NotFound => tr!("{NOT_FOUND}", "没有这个文件或文件夹"),
        std::io::ErrorKind::PermissionDenied => tr!("permission denied", "没有权限"),
        _ => Text::verbatim(e.to_string()),
    }
}
