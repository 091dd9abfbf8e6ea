//! Section 3, the compiler: a cold check of the whole policy library, and the incremental
//! re-check and lowering after a one-line edit (the path an editor takes).

use std::fmt::Write as _;
use std::path::Path;
use std::time::{Duration, Instant};

use edict_compiler::Workspace;

use crate::report::fmt_ms;
use crate::setup::{median, root};

/// The compiler's times on the policy library.
pub struct CompilerTimes {
    files: usize,
    packages: usize,
    pub cold: Duration,
    cold_min: Duration,
    pub incremental: Duration,
    incremental_max: Duration,
    incremental_lower: Duration,
}

/// Times `rounds` cold checks of the library and twice as many one-line edits.
pub fn measure(rounds: usize) -> Result<CompilerTimes, String> {
    let library = root().join("policies");
    let mut cold = Vec::new();
    let mut packages = 0;
    for _ in 0..rounds {
        let began = Instant::now();
        let mut ws = Workspace::default();
        let loaded = ws
            .load(std::slice::from_ref(&library))
            .map_err(|e| e.to_string())?;
        let mut diagnostics = 0;
        for package in &loaded {
            diagnostics += ws.diagnostics(package).len();
        }
        cold.push(began.elapsed());
        std::hint::black_box(diagnostics);
        packages = loaded.len();
    }
    let files = count_edict_files(&library);

    // Incremental: one line of verification.edict changes, back and forth; the editor's path
    // is the diagnostics of the package (and, for a build, its program).
    let mut ws = Workspace::default();
    let loaded = ws
        .load(&[root().join("policies/measures-2025")])
        .map_err(|e| e.to_string())?;
    let package = loaded.first().ok_or("no package")?.clone();
    let _ = ws.diagnostics(&package);
    let _ = ws.program(&package);
    let file = package
        .package
        .sources(ws.db())
        .iter()
        .copied()
        .find(|f| f.path(ws.db()).ends_with("verification.edict"))
        .ok_or("verification.edict is not in the Measures")?;
    let path = file.path(ws.db()).clone();
    let original = file.text(ws.db()).clone();
    let needle = "require r.alternative_provided";
    if !original.contains(needle) {
        return Err(format!("verification.edict no longer has `{needle}`"));
    }
    let edited = original.replacen(
        needle,
        "require r.alternative_provided and has(r.subject)",
        1,
    );
    let mut times = Vec::new();
    let mut lower_times = Vec::new();
    for round in 0..rounds * 2 {
        let text = if round % 2 == 0 { &edited } else { &original };
        let began = Instant::now();
        ws.set_file(&path, text.clone());
        let errors = ws
            .diagnostics(&package)
            .iter()
            .filter(|d| d.is_error())
            .count();
        times.push(began.elapsed());
        let began = Instant::now();
        let program = ws.program(&package);
        lower_times.push(began.elapsed());
        if errors > 0 || program.is_none() {
            return Err("the edited Measures do not compile".into());
        }
    }
    Ok(CompilerTimes {
        files,
        packages,
        cold: median(cold.clone()),
        cold_min: cold.iter().copied().min().unwrap_or_default(),
        incremental: median(times.clone()),
        incremental_max: times.iter().copied().max().unwrap_or_default(),
        incremental_lower: median(lower_times),
    })
}

fn count_edict_files(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| {
            let p = e.path();
            if p.is_dir() {
                count_edict_files(&p)
            } else {
                usize::from(p.extension().is_some_and(|x| x == "edict"))
            }
        })
        .sum()
}

/// Writes the compiler table.
pub fn table(compiler: &CompilerTimes, out: &mut String) {
    let _ = writeln!(out, "### 3. Compiler\n");
    let _ = writeln!(out, "| measurement | median | extreme |");
    let _ = writeln!(out, "|---|---:|---:|");
    let _ = writeln!(
        out,
        "| cold `check` of `policies/` ({} files, {} packages; fresh database, files read) | {} | min {} |",
        compiler.files,
        compiler.packages,
        fmt_ms(compiler.cold),
        fmt_ms(compiler.cold_min)
    );
    let _ = writeln!(
        out,
        "| incremental re-check after a one-line edit (salsa; `set_file` + diagnostics) | {} | max {} |",
        fmt_ms(compiler.incremental),
        fmt_ms(compiler.incremental_max)
    );
    let _ = writeln!(
        out,
        "| then lowering the edited program (`Workspace::program`) | {} | |",
        fmt_ms(compiler.incremental_lower)
    );
    let _ = writeln!(out);
}
