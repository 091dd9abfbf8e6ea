//! `ARCHITECTURE.md` stays a true map, and the engine stays generic.
//!
//! - Every `.rs` file under a member crate's `src/` and `examples/` has its line in the map,
//!   under its crate's heading, and every file the map lists exists.
//! - Every member's manifest follows the table "crate | may depend on | its tests may also use".
//! - `runtime/src` and `compiler/src` know no face vocabulary, no regulation and no calendar
//!   choice: no field name, event type or enum value of `policies/vocabulary/face.edict` as a
//!   string literal, no `processor`, `subject` or `enrollment` anywhere (comments included), no
//!   regulation id, and the built-in calendar's name only in `runtime/src/calendar.rs`.
//!
//! Each failure names the file and says what to do.

#![allow(
    clippy::expect_used,
    reason = "a test fails loudly when the repository's own files cannot be read"
)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use edict_grammar::ast::{FieldDecl, Item, VocabDecl};

/// The repository's root: the parent of this crate.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the tests crate sits in the repository")
        .to_path_buf()
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// The workspace's member folders, from the root manifest's `members = [...]`.
fn members() -> Vec<String> {
    let manifest = read(&root().join("Cargo.toml"));
    let start = manifest
        .find("members")
        .and_then(|at| manifest[at..].find('[').map(|b| at + b + 1))
        .expect("the root manifest lists its members");
    let end = start + manifest[start..].find(']').expect("the members list ends");
    manifest[start..end]
        .split(',')
        .map(|m| m.trim().trim_matches('"').to_string())
        .filter(|m| !m.is_empty())
        .collect()
}

/// The files below `dir` with extension `ext`, as paths relative to `dir` with `/`.
fn files_below(dir: &Path, ext: &str) -> Vec<String> {
    fn walk(base: &Path, dir: &Path, ext: &str, out: &mut Vec<String>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(base, &path, ext, out);
            } else if path.extension().is_some_and(|e| e == ext) {
                let relative = path.strip_prefix(base).unwrap_or(&path);
                let parts: Vec<String> = relative
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect();
                out.push(parts.join("/"));
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, ext, &mut out);
    out.sort();
    out
}

/// What `ARCHITECTURE.md` says: the files listed under each crate's heading, and the table of
/// allowed dependencies.
struct Map {
    /// Crate folder → the files its section lists (relative to `src/`, or `examples/…`).
    files: BTreeMap<String, Vec<String>>,
    /// Crate → (may depend on, its tests may also use).
    allowed: BTreeMap<String, (BTreeSet<String>, BTreeSet<String>)>,
}

fn architecture() -> Map {
    let text = read(&root().join("ARCHITECTURE.md"));
    let mut files: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut allowed = BTreeMap::new();
    let mut section: Option<String> = None;
    let mut in_table = false;
    for line in text.lines() {
        if let Some(heading) = line.strip_prefix("### `") {
            // `### `runtime/` — …`
            section = heading
                .split('`')
                .next()
                .and_then(|h| h.strip_suffix('/'))
                .map(str::to_string);
            if let Some(name) = &section {
                files.entry(name.clone()).or_default();
            }
            continue;
        }
        if line.starts_with("## ") || line.starts_with("# ") {
            section = None;
        }
        if let Some(entry) = line.strip_prefix("- `")
            && let Some(name) = &section
            && let Some((path, _)) = entry.split_once('`')
        {
            files
                .entry(name.clone())
                .or_default()
                .push(path.to_string());
        }
        let cells: Vec<&str> = line
            .trim()
            .trim_matches('|')
            .split('|')
            .map(str::trim)
            .collect();
        if cells == ["crate", "may depend on", "its tests may also use"] {
            in_table = true;
            continue;
        }
        if in_table {
            if !line.trim_start().starts_with('|') {
                in_table = false;
            } else if cells.len() == 3 && !cells[0].starts_with("---") {
                let names = |cell: &str| -> BTreeSet<String> {
                    cell.split(',')
                        .map(|c| c.trim().trim_matches('`').to_string())
                        .filter(|c| !c.is_empty() && c != "—")
                        .collect()
                };
                let name = cells[0].trim_matches('`').to_string();
                allowed.insert(name, (names(cells[1]), names(cells[2])));
            }
        }
    }
    Map { files, allowed }
}

#[test]
fn every_source_file_is_on_the_map_and_every_listed_file_exists() {
    let root = root();
    let map = architecture();
    let mut problems = Vec::new();
    for member in members() {
        let Some(listed) = map.files.get(&member) else {
            problems.push(format!(
                "the crate `{member}/` has no section in ARCHITECTURE.md: add `### `{member}/` — what it is`, its invariant, and a line per source file"
            ));
            continue;
        };
        let crate_dir = root.join(&member);
        let mut present: Vec<String> = files_below(&crate_dir.join("src"), "rs");
        present.extend(
            files_below(&crate_dir.join("examples"), "rs")
                .into_iter()
                .map(|f| format!("examples/{f}")),
        );
        for file in &present {
            if !listed.contains(file) {
                let shown = if file.starts_with("examples/") {
                    format!("{member}/{file}")
                } else {
                    format!("{member}/src/{file}")
                };
                problems.push(format!(
                    "{shown} is not in ARCHITECTURE.md: add the line \"- `{file}` — what it does\" under the heading of `{member}/`"
                ));
            }
        }
        for entry in listed {
            let path = if entry.starts_with("examples/") {
                crate_dir.join(entry)
            } else {
                crate_dir.join("src").join(entry)
            };
            if !path.is_file() {
                problems.push(format!(
                    "ARCHITECTURE.md lists `{entry}` under `{member}/`, but {} does not exist: remove the line or fix its path (relative to `src/`, examples as `examples/…`)",
                    path.strip_prefix(&root).unwrap_or(&path).display()
                ));
            }
        }
    }
    assert!(problems.is_empty(), "\n{}\n", problems.join("\n"));
}

/// The `edict-*` packages a manifest depends on, by table: (`[dependencies]` and
/// `[build-dependencies]`, `[dev-dependencies]`).
fn edict_dependencies(manifest: &str) -> (BTreeSet<String>, BTreeSet<String>) {
    let (mut normal, mut dev) = (BTreeSet::new(), BTreeSet::new());
    let mut table: Option<bool> = None; // Some(true): dev-dependencies
    for line in manifest.lines() {
        let line = line.split('#').next().unwrap_or_default().trim();
        if line.starts_with('[') {
            let name = line.trim_matches(|c| c == '[' || c == ']');
            // `[dependencies]`, `[target.'cfg(…)'.dev-dependencies]`, `[dependencies.edict-x]`
            let (kind, rest) = match ["dev-dependencies", "build-dependencies", "dependencies"]
                .into_iter()
                .find_map(|k| name.find(k).map(|at| (k, &name[at + k.len()..])))
            {
                Some(found) => found,
                None => {
                    table = None;
                    continue;
                }
            };
            let dev_table = kind == "dev-dependencies";
            match rest.strip_prefix('.') {
                Some(dep) => {
                    if dep.starts_with("edict-") {
                        if dev_table { &mut dev } else { &mut normal }.insert(dep.to_string());
                    }
                    table = None;
                }
                None => table = Some(dev_table),
            }
            continue;
        }
        let Some(dev_table) = table else { continue };
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        let key = key
            .trim()
            .split('.')
            .next()
            .unwrap_or_default()
            .trim_matches('"');
        // A renamed dependency names its package: `x = { package = "edict-…", … }`.
        let package = value
            .split("package")
            .nth(1)
            .and_then(|v| v.split('"').nth(1))
            .unwrap_or(key);
        if package.starts_with("edict-") {
            if dev_table { &mut dev } else { &mut normal }.insert(package.to_string());
        }
    }
    (normal, dev)
}

/// A member's package name, from its manifest's `[package]` table.
fn package_name(manifest: &str) -> Option<String> {
    let package = manifest.split("[package]").nth(1)?;
    let line = package
        .lines()
        .find(|l| l.trim_start().starts_with("name"))?;
    Some(line.split('"').nth(1)?.to_string())
}

#[test]
fn crate_dependencies_follow_the_stated_direction() {
    let root = root();
    let map = architecture();
    let members = members();
    assert!(
        !map.allowed.is_empty(),
        "ARCHITECTURE.md has no table with the columns `crate | may depend on | its tests may also use`: add it"
    );
    let mut problems = Vec::new();

    // The table itself points one way: no crate may, through others, depend on itself.
    fn reaches(
        allowed: &BTreeMap<String, (BTreeSet<String>, BTreeSet<String>)>,
        from: &str,
        to: &str,
        seen: &mut BTreeSet<String>,
    ) -> bool {
        let Some((deps, _)) = allowed.get(from) else {
            return false;
        };
        deps.iter()
            .any(|d| d == to || (seen.insert(d.clone()) && reaches(allowed, d, to, seen)))
    }
    for name in map.allowed.keys() {
        if reaches(&map.allowed, name, name, &mut BTreeSet::new()) {
            problems.push(format!(
                "ARCHITECTURE.md's dependency table lets `{name}` depend on itself through other crates: the direction must be one way"
            ));
        }
    }

    let packages: BTreeMap<String, String> = members
        .iter()
        .filter_map(|m| {
            Some((
                package_name(&read(&root.join(m).join("Cargo.toml")))?,
                m.clone(),
            ))
        })
        .collect();
    for member in &members {
        let manifest_path = format!("{member}/Cargo.toml");
        let Some((may, tests_may)) = map.allowed.get(member) else {
            problems.push(format!(
                "`{member}` is not in ARCHITECTURE.md's dependency table: add the row \"| `{member}` | … | … |\" naming what it may depend on"
            ));
            continue;
        };
        let (normal, dev) = edict_dependencies(&read(&root.join(&manifest_path)));
        let crate_of = |package: &String| packages.get(package).cloned().unwrap_or(package.clone());
        for dep in normal.iter().map(crate_of) {
            if !may.contains(&dep) {
                problems.push(format!(
                    "{manifest_path} depends on `{dep}`, which ARCHITECTURE.md does not allow for `{member}` (it may depend on: {}): remove the dependency, or change the table and the crate's invariant if the design changed",
                    list(may)
                ));
            }
        }
        for dep in dev.iter().map(crate_of) {
            if !may.contains(&dep) && !tests_may.contains(&dep) {
                problems.push(format!(
                    "{manifest_path} has the dev-dependency `{dep}`, which ARCHITECTURE.md does not allow for the tests of `{member}` (they may use: {}): remove it, or change the table if the design changed",
                    list(&may.union(tests_may).cloned().collect())
                ));
            }
        }
    }
    assert!(problems.is_empty(), "\n{}\n", problems.join("\n"));
}

fn list(names: &BTreeSet<String>) -> String {
    if names.is_empty() {
        "no crate of this workspace".to_string()
    } else {
        names
            .iter()
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

#[test]
fn the_dependency_reader_understands_every_form_of_a_manifest() {
    let (normal, dev) = edict_dependencies(
        r#"
[package]
name = "edict-x"

[dependencies]
edict-runtime.workspace = true
edict-grammar = { path = "../grammar" }
renamed = { package = "edict-compiler", path = "../compiler" }
serde = "1"

[dependencies.edict-generator]
path = "../generator"

[dev-dependencies]
edict-cli = { workspace = true }

[target.'cfg(unix)'.dev-dependencies]
edict-bench.workspace = true  # a comment
"#,
    );
    let names = |s: &[&str]| s.iter().map(|n| n.to_string()).collect::<BTreeSet<_>>();
    assert_eq!(
        normal,
        names(&[
            "edict-compiler",
            "edict-generator",
            "edict-grammar",
            "edict-runtime"
        ])
    );
    assert_eq!(dev, names(&["edict-bench", "edict-cli"]));
}

// --- The engine is generic ---

/// The string literals of a Rust source, with the 1-based line each starts on; comments are
/// skipped. Contents are as written (escapes not resolved).
fn string_literals(source: &str) -> Vec<(usize, String)> {
    let bytes = source.as_bytes();
    let line_at = |i: usize| source[..i].matches('\n').count() + 1;
    let mut out = Vec::new();
    let mut i = 0;
    let ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    while i < bytes.len() {
        let b = bytes[i];
        if source[i..].starts_with("//") {
            i += source[i..].find('\n').unwrap_or(source.len() - i);
        } else if source[i..].starts_with("/*") {
            let mut depth = 0;
            while i < bytes.len() {
                if source[i..].starts_with("/*") {
                    depth += 1;
                    i += 2;
                } else if source[i..].starts_with("*/") {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
        } else if b == b'"' {
            let start = i + 1;
            let mut j = start;
            while j < bytes.len() && bytes[j] != b'"' {
                j += if bytes[j] == b'\\' { 2 } else { 1 };
            }
            let end = j.min(bytes.len());
            out.push((line_at(i), source[start..end].to_string()));
            i = end + 1;
        } else if b == b'\'' {
            // A char literal ('x', '\n', '"') or a lifetime ('a).
            if bytes.get(i + 1) == Some(&b'\\') {
                i += 2;
                while i < bytes.len() && bytes[i] != b'\'' {
                    i += 1;
                }
                i += 1;
            } else {
                let len = source[i + 1..].chars().next().map_or(1, char::len_utf8);
                i += if bytes.get(i + 1 + len) == Some(&b'\'') {
                    len + 2
                } else {
                    1
                };
            }
        } else if ident(b) {
            let start = i;
            while i < bytes.len() && ident(bytes[i]) {
                i += 1;
            }
            let word = &source[start..i];
            // A raw string: r"…", r#"…"#, br"…", cr"…".
            if matches!(word, "r" | "br" | "cr") && matches!(bytes.get(i), Some(b'"') | Some(b'#'))
            {
                let hashes = source[i..].bytes().take_while(|&c| c == b'#').count();
                if bytes.get(i + hashes) == Some(&b'"') {
                    let start = i + hashes + 1;
                    let close = format!("\"{}", "#".repeat(hashes));
                    let end = source[start..]
                        .find(&close)
                        .map_or(source.len(), |e| start + e);
                    out.push((line_at(start), source[start..end].to_string()));
                    i = (end + close.len()).min(source.len());
                }
            }
        } else {
            i += source[i..].chars().next().map_or(1, char::len_utf8);
        }
    }
    out
}

#[test]
fn the_literal_reader_skips_comments_chars_and_lifetimes() {
    let source = r####"
// "not a literal"
/* "nor this" /* "nested" */ */
fn f<'a>(x: &'a str) -> char { let _ = "one \" two"; let _ = r#"raw "x""#; '"' }
let c = '\''; let s = br"bytes";
"####;
    let literals: Vec<String> = string_literals(source)
        .into_iter()
        .map(|(_, s)| s)
        .collect();
    assert_eq!(literals, [r#"one \" two"#, r#"raw "x""#, "bytes"]);
}

/// The names a stream in the face vocabulary carries: field names, event types and enum values.
fn face_names() -> BTreeSet<String> {
    let path = root().join("policies/vocabulary/face.edict");
    let (file, errors) = edict_grammar::parse(&read(&path));
    assert!(
        errors.is_empty(),
        "{} does not parse: {errors:?}",
        path.display()
    );
    let mut names = BTreeSet::new();
    let fields = |fs: &[FieldDecl], names: &mut BTreeSet<String>| {
        names.extend(fs.iter().map(|f| f.name.name.clone()));
    };
    for item in &file.items {
        let Item::Vocabulary(v) = item else { continue };
        for decl in &v.decls {
            match decl {
                VocabDecl::Enum { values, .. } => {
                    names.extend(values.iter().map(|v| v.name.clone()));
                }
                VocabDecl::Record { fields: fs, .. } | VocabDecl::Common { fields: fs, .. } => {
                    fields(fs, &mut names)
                }
                VocabDecl::Event {
                    name, fields: fs, ..
                } => {
                    names.insert(name.name.clone());
                    fields(fs, &mut names);
                }
                VocabDecl::Roles { .. } | VocabDecl::Partition { .. } => {}
            }
        }
    }
    assert!(
        names.contains("enrollment") && names.contains("processor"),
        "the face vocabulary was read"
    );
    names
}

/// String literals that equal a face name by coincidence, with the reason they are not about
/// faces: (file, literal, reason).
const COINCIDENCES: &[(&str, &str, &str)] = &[(
    "compiler/src/render.rs",
    "severity",
    "the key of a diagnostic's JSON object",
)];

/// Whole words that tie code to the face vocabulary, wherever they appear.
const FACE_WORDS: &[&str] = &[
    "processor",
    "processors",
    "subject",
    "subjects",
    "enrollment",
    "enrollments",
];

/// Regulation ids of the policy library.
const REGULATION_IDS: &[&str] = &["measures-2025", "draft-2023"];

/// The name of the built-in calendar, and the one file that may hold it.
const CALENDAR: (&str, &str) = ("cn-mainland", "runtime/src/calendar.rs");

fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
}

#[test]
fn the_runtime_and_the_compiler_know_no_faces_regulations_or_calendars() {
    let root = root();
    let names = face_names();
    let mut problems = Vec::new();
    for dir in ["runtime/src", "compiler/src"] {
        for file in files_below(&root.join(dir), "rs") {
            let shown = format!("{dir}/{file}");
            let source = read(&root.join(dir).join(&file));
            for (line, literal) in string_literals(&source) {
                for name in &names {
                    let quoted = [format!("\"{name}\""), format!("\\\"{name}\\\"")];
                    let hit = literal == *name || quoted.iter().any(|q| literal.contains(q));
                    let excused = COINCIDENCES
                        .iter()
                        .any(|(f, l, _)| *f == shown && l == name && literal == *name);
                    if hit && !excused {
                        problems.push(format!(
                            "{shown}:{line}: the string literal {literal:?} names `{name}` of the face vocabulary: the engine must learn names from the program it runs; in tests use a vocabulary of their own (fields like `owner`, `member`, events like `loan`), or, if the word is the code's own (a JSON key, say), add it to COINCIDENCES in this test with the reason"
                        ));
                    }
                }
            }
            for (number, text) in source.lines().enumerate() {
                let line = number + 1;
                for word in words(text) {
                    let lower = word.to_lowercase();
                    if FACE_WORDS.contains(&lower.as_str()) {
                        problems.push(format!(
                            "{shown}:{line}: `{word}` is a word of the face vocabulary: use a neutral word (the party responsible, the individual, a key, a stored element, an event type), even in comments and examples"
                        ));
                    }
                }
                for id in REGULATION_IDS {
                    if text.contains(id) {
                        problems.push(format!(
                            "{shown}:{line}: `{id}` is a regulation of the policy library: the engine knows no regulation; take it from the program, or write a made-up id in examples and tests"
                        ));
                    }
                }
                if text.contains(CALENDAR.0) && shown != CALENDAR.1 {
                    problems.push(format!(
                        "{shown}:{line}: `{}` is a calendar choice: only {}'s table of built-in calendars names it; take the calendar from the program (the regulation header names it)",
                        CALENDAR.0, CALENDAR.1
                    ));
                }
            }
        }
    }
    assert!(problems.is_empty(), "\n{}\n", problems.join("\n"));
}
