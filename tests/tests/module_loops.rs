//! No import loop between the modules of one crate.
//!
//! Every `crate::…` and `super::…` path in a member's `src/` (outside `#[cfg(test)]` modules
//! and comments) is an arrow from the file's module to the deepest module the path names. An
//! arrow between a module and its own ancestor or descendant is how Rust modules are built
//! (a parent declares its children, a child reads its parent's items) and is not counted. Any
//! other arrow is lifted to the two sibling modules that contain its ends, under their nearest
//! common ancestor: `engine::judge` reading `event::json` is `engine` → `event`. A cycle among
//! siblings is a loop, and the test names each of its arrows with a file that makes it.
//!
//! Paths that reach a module only through a re-export at the crate root (`crate::Engine`) are
//! arrows to the root, and so are not seen: write the module's own path where it matters.

#![allow(
    clippy::expect_used,
    reason = "a test fails loudly when the repository's own files cannot be read"
)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// A module's path inside its crate: `["engine", "judge"]`; the crate root is empty.
type ModPath = Vec<String>;

/// An arrow between two sibling modules, with one file and path that makes it.
type Arrows = BTreeMap<(ModPath, ModPath), (String, String)>;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the tests crate sits in the repository")
        .to_path_buf()
}

/// The folders of the workspace's members that have a `src/`.
fn crates() -> Vec<PathBuf> {
    let manifest = std::fs::read_to_string(root().join("Cargo.toml")).expect("root manifest");
    let start = manifest
        .find("members")
        .and_then(|at| manifest[at..].find('[').map(|b| at + b + 1))
        .expect("the root manifest lists its members");
    let end = start + manifest[start..].find(']').expect("the members list ends");
    manifest[start..end]
        .split(',')
        .map(|m| m.trim().trim_matches('"'))
        .filter(|m| !m.is_empty())
        .map(|m| root().join(m))
        .filter(|dir| dir.join("src").is_dir())
        .collect()
}

/// The `.rs` files below `src/` (the binaries of `src/bin/` are crates of their own and are
/// left out), as (path relative to `src/`, text).
fn sources(src: &Path) -> BTreeMap<String, String> {
    fn walk(base: &Path, dir: &Path, out: &mut BTreeMap<String, String>) {
        for entry in std::fs::read_dir(dir).expect("readable folder").flatten() {
            let path = entry.path();
            let relative = path
                .strip_prefix(base)
                .expect("below its base")
                .to_string_lossy()
                .replace('\\', "/");
            if path.is_dir() {
                if relative != "bin" {
                    walk(base, &path, out);
                }
            } else if relative.ends_with(".rs") {
                let text = std::fs::read_to_string(&path).expect("readable source");
                out.insert(relative, text);
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(src, src, &mut out);
    out
}

/// The module a file under `src/` defines: `engine/judge.rs` is `engine::judge`,
/// `engine/mod.rs` is `engine`, `lib.rs` and `main.rs` are the root.
fn module_of(file: &str) -> ModPath {
    let stem = file.trim_end_matches(".rs");
    let mut path: ModPath = stem.split('/').map(str::to_owned).collect();
    if path.last().is_some_and(|last| last == "mod") || matches!(stem, "lib" | "main") {
        path.pop();
    }
    path
}

/// The text of a file without its comments, string literals and `#[cfg(test)]` modules.
fn code(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("#[cfg(test)]")
            && lines
                .peek()
                .is_some_and(|next| next.trim_start().starts_with("mod "))
        {
            skip_block(&mut lines);
            continue;
        }
        let without_comment = match line.find("//") {
            Some(at) => &line[..at],
            None => line,
        };
        // Strings may hold `crate::` in messages; only the code between them counts.
        for (i, part) in without_comment.split('"').enumerate() {
            if i % 2 == 0 {
                out.push_str(part);
                out.push(' ');
            }
        }
        out.push('\n');
    }
    out
}

/// Skips the lines of the block that starts on the next line (a `mod … {` or `mod …;`).
fn skip_block<'a>(lines: &mut std::iter::Peekable<impl Iterator<Item = &'a str>>) {
    let mut depth = 0i32;
    for line in lines.by_ref() {
        depth += line.matches('{').count() as i32 - line.matches('}').count() as i32;
        if depth <= 0 && (line.contains('}') || line.trim_end().ends_with(';')) {
            return;
        }
    }
}

/// Every path written from `crate::` or `super::` in `code`, expanded through `{…}` groups,
/// as segments: `use crate::{a::B, c::{d, e}}` gives `crate a B`, `crate c d`, `crate c e`.
fn paths(code: &str) -> Vec<Vec<String>> {
    let bytes = code.as_bytes();
    let mut out = Vec::new();
    let mut at = 0;
    while at < code.len() {
        let rest = &code[at..];
        let start = ["crate::", "super::"]
            .iter()
            .filter_map(|p| rest.find(p))
            .min();
        let Some(start) = start else { break };
        let begin = at + start;
        let preceded = begin > 0 && {
            let before = bytes[begin - 1];
            before.is_ascii_alphanumeric() || before == b'_' || before == b'$' || before == b':'
        };
        if preceded {
            at = begin + 1;
            continue;
        }
        let (found, end) = tree(code, begin, Vec::new());
        out.extend(found);
        at = end.max(begin + 1);
    }
    out
}

/// Reads a use-tree at `at`: segments joined by `::`, perhaps ending in a `{…}` group.
fn tree(code: &str, mut at: usize, prefix: Vec<String>) -> (Vec<Vec<String>>, usize) {
    let bytes = code.as_bytes();
    let mut path = prefix;
    loop {
        while at < bytes.len() && bytes[at].is_ascii_whitespace() {
            at += 1;
        }
        if at < bytes.len() && bytes[at] == b'{' {
            let mut found = Vec::new();
            at += 1;
            loop {
                while at < bytes.len() && (bytes[at].is_ascii_whitespace() || bytes[at] == b',') {
                    at += 1;
                }
                if at >= bytes.len() || bytes[at] == b'}' {
                    return (found, at + 1);
                }
                let (inner, end) = tree(code, at, path.clone());
                found.extend(inner);
                if end <= at {
                    return (found, at + 1);
                }
                at = end;
            }
        }
        let start = at;
        while at < bytes.len() && (bytes[at].is_ascii_alphanumeric() || bytes[at] == b'_') {
            at += 1;
        }
        if start == at {
            return (vec![path], at);
        }
        path.push(code[start..at].to_owned());
        if code[at..].starts_with("::") {
            at += 2;
        } else {
            // `as NAME`, `;`, `(`, `<` … end the path.
            return (vec![path], at);
        }
    }
}

/// The module a path names from inside `from`: the longest prefix that is a module of the
/// crate. `None` for paths of other crates.
fn target(from: &ModPath, path: &[String], modules: &BTreeSet<ModPath>) -> Option<ModPath> {
    let mut segments = path.iter().peekable();
    let mut base: ModPath = match segments.peek().map(|s| s.as_str()) {
        Some("crate") => {
            segments.next();
            Vec::new()
        }
        Some("super") => {
            let mut base = from.clone();
            while segments.peek().is_some_and(|s| *s == "super") {
                segments.next();
                base.pop();
            }
            base
        }
        _ => return None,
    };
    for segment in segments {
        let mut next = base.clone();
        next.push(segment.clone());
        if !modules.contains(&next) {
            break;
        }
        base = next;
    }
    Some(base)
}

/// The arrows between sibling modules of one crate, given its files under `src/`.
fn arrows(files: &BTreeMap<String, String>) -> Arrows {
    let modules: BTreeSet<ModPath> = files.keys().map(|f| module_of(f)).collect();
    let mut out = Arrows::new();
    for (file, text) in files {
        if file.ends_with("/tests.rs") || file == "tests.rs" {
            continue;
        }
        let from = module_of(file);
        for path in paths(&code(text)) {
            let Some(to) = target(&from, &path, &modules) else {
                continue;
            };
            let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
            if common == from.len() || common == to.len() {
                continue; // the same module, an ancestor or a descendant
            }
            let key = (from[..=common].to_vec(), to[..=common].to_vec());
            out.entry(key)
                .or_insert_with(|| (file.clone(), path.join("::")));
        }
    }
    out
}

/// The loops among the arrows, each as the modules around it.
fn loops(arrows: &Arrows) -> Vec<Vec<ModPath>> {
    let mut next: BTreeMap<&ModPath, Vec<&ModPath>> = BTreeMap::new();
    for (from, to) in arrows.keys() {
        next.entry(from).or_default().push(to);
    }
    let mut found: Vec<Vec<ModPath>> = Vec::new();
    let mut seen_sets: BTreeSet<BTreeSet<ModPath>> = BTreeSet::new();
    for &start in next.keys() {
        // Shortest way back to `start`, breadth first.
        let mut came_from: BTreeMap<&ModPath, &ModPath> = BTreeMap::new();
        let mut queue = std::collections::VecDeque::from([start]);
        'search: while let Some(at) = queue.pop_front() {
            for &to in next.get(at).into_iter().flatten() {
                if to == start {
                    let mut cycle = vec![at.clone()];
                    let mut back = at;
                    while back != start {
                        back = came_from[back];
                        cycle.push(back.clone());
                    }
                    cycle.reverse();
                    if seen_sets.insert(cycle.iter().cloned().collect()) {
                        found.push(cycle);
                    }
                    break 'search;
                }
                if !came_from.contains_key(to) {
                    came_from.insert(to, at);
                    queue.push_back(to);
                }
            }
        }
    }
    found
}

fn name(module: &ModPath) -> String {
    if module.is_empty() {
        "the crate root".to_owned()
    } else {
        module.join("::")
    }
}

fn explain(krate: &str, cycle: &[ModPath], arrows: &Arrows) -> String {
    let mut text = format!("{krate}: an import loop:");
    for (i, from) in cycle.iter().enumerate() {
        let to = &cycle[(i + 1) % cycle.len()];
        let (file, path) = &arrows[&(from.clone(), to.clone())];
        text.push_str(&format!(
            "\n  {} → {} ({file} uses `{path}`)",
            name(from),
            name(to)
        ));
    }
    text.push_str(
        "\n  move what both sides need into a module of its own, or into the one that is read",
    );
    text
}

#[test]
fn no_crate_has_an_import_loop_between_its_modules() {
    let mut problems = Vec::new();
    let mut checked = 0;
    for dir in crates() {
        let files = sources(&dir.join("src"));
        checked += files.len();
        let arrows = arrows(&files);
        let krate = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        for cycle in loops(&arrows) {
            problems.push(explain(&krate, &cycle, &arrows));
        }
    }
    assert!(checked > 100, "only {checked} source files found");
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}

fn files(list: &[(&str, &str)]) -> BTreeMap<String, String> {
    list.iter()
        .map(|(f, t)| ((*f).to_owned(), (*t).to_owned()))
        .collect()
}

#[test]
fn a_loop_through_nested_modules_is_found_and_explained() {
    let crate_files = files(&[
        ("lib.rs", "mod engine;\nmod event;\npub use engine::Engine;"),
        ("engine.rs", "mod judge;\npub struct Engine;"),
        (
            "engine/judge.rs",
            "use crate::{event::{json::Line, Kind}, engine::Engine};\nuse super::Engine as E;",
        ),
        (
            "event.rs",
            "mod json;\nuse crate::engine::Engine; // reads the engine",
        ),
        ("event/json.rs", "pub struct Line;"),
    ]);
    let arrows = arrows(&crate_files);
    let cycles = loops(&arrows);
    assert_eq!(cycles.len(), 1, "{arrows:?}");
    insta::assert_snapshot!(explain("runtime", &cycles[0], &arrows), @r"
    runtime: an import loop:
      engine → event (engine/judge.rs uses `crate::event::json::Line`)
      event → engine (event.rs uses `crate::engine::Engine`)
      move what both sides need into a module of its own, or into the one that is read
    ");
}

#[test]
fn parents_children_comments_strings_and_tests_make_no_loop() {
    let crate_files = files(&[
        ("lib.rs", "mod a;\nmod b;"),
        (
            "a.rs",
            "mod inner;\nuse self::inner::X;\n// crate::b::Y in a comment\nfn f() { let _ = \"crate::b::Y\"; }\n#[cfg(test)]\nmod tests {\n    use crate::b::Y;\n}\n",
        ),
        ("a/inner.rs", "use super::super::a::Z;\npub struct X;"),
        ("a/tests.rs", "use crate::b::Y;"),
        ("b.rs", "use crate::a::Z;\npub struct Y;"),
    ]);
    let arrows = arrows(&crate_files);
    assert_eq!(
        arrows.keys().collect::<Vec<_>>(),
        [&(vec!["b".to_owned()], vec!["a".to_owned()])]
    );
    assert!(loops(&arrows).is_empty());
}
