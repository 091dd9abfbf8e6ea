//! `edict`: check and build policies, run event streams against them.
//!
//! Exit status: 0 success, 1 errors in the policy or rejected event lines, 2 usage or IO error
//! (see `docs/cli.md`).

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

mod check;
mod compile;
mod coverage;
mod deadline;
mod durable;
mod fmt;
mod keys;
mod output;
mod run;
mod serve;
mod sort;
mod test;

#[derive(Parser)]
#[command(
    name = "edict",
    version,
    about = "Compliance policies for facial recognition: check, build and run them"
)]
struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, Debug, Default, ValueEnum)]
pub enum Format {
    /// Source snippets with labels, for people.
    #[default]
    Human,
    /// One JSON object per diagnostic, for tools.
    Json,
}

/// How `edict check` writes its diagnostics.
#[derive(Clone, Copy, Debug, Default, ValueEnum)]
pub enum CheckFormat {
    /// Source snippets with labels, for people.
    #[default]
    Human,
    /// One JSON object per diagnostic, for tools.
    Json,
    /// A SARIF 2.1.0 log, for code-scanning services.
    Sarif,
    /// GitHub Actions workflow commands: annotations on the pull request.
    Github,
}

/// How `edict test` reports its cases.
#[derive(Clone, Copy, Debug, Default, ValueEnum)]
pub enum TestFormat {
    /// A line per case and the failures' detail, for people.
    #[default]
    Human,
    /// One JSON object per case and a summary, for tools.
    Json,
    /// JUnit XML, for CI test reports.
    Junit,
}

#[derive(Subcommand)]
enum Command {
    /// Parse, resolve, type-check and clause-link policy sources.
    Check {
        /// Policy files or package folders.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        #[arg(long, value_enum, default_value_t)]
        format: CheckFormat,
    },
    /// Compile one regulation package into a bundle file.
    Build {
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Where to write the bundle.
        #[arg(short, long)]
        output: PathBuf,
        /// Sign the bundle with this secret key (`NAME.key` from `edict keygen`).
        #[arg(long, value_name = "KEY")]
        sign: Option<PathBuf>,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Run the policy test cases that live beside the policies.
    Test {
        /// Policy package folders (their `tests/` folders hold the cases) or test files.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        #[arg(long, value_enum, default_value_t)]
        format: TestFormat,
    },
    /// Show, for every clause of the regulation's outline, the rules that implement it.
    Coverage {
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Print the due date of a period: N working days or N calendar days after a date.
    ///
    /// The period starts the day after `--from`; the deadline is the end of its last day.
    Deadline(deadline::DeadlineArgs),
    /// Evaluate an event stream (JSON Lines) against one or more regulations; print findings
    /// as JSON Lines.
    Run(run::RunArgs),
    /// Make an Ed25519 key pair to sign bundles with.
    Keygen(keys::KeygenArgs),
    /// Check that a bundle is intact and signed by a trusted key.
    Verify(keys::VerifyArgs),
    /// Serve bundles over HTTP: judge posted events, keep the state and the decision log.
    Serve(serve::ServeArgs),
    /// Write policy files in the canonical layout, optionally in the other keyword language.
    Fmt(fmt::FmtArgs),
    /// Run the language server on standard input and output, for editors.
    ///
    /// It finds the packages under the folders the editor opens; see `docs/editors.md`.
    Lsp,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let status = match args.command {
        Command::Check { paths, format } => check::check(&paths, format),
        Command::Build {
            paths,
            output,
            sign,
            format,
        } => check::build(&paths, &output, sign.as_deref(), format),
        Command::Test { paths, format } => test::run(&paths, format),
        Command::Coverage { paths, format } => coverage::coverage(&paths, format),
        Command::Deadline(args) => deadline::deadline(&args),
        Command::Run(args) => run::run(args),
        Command::Keygen(args) => keys::keygen(&args),
        Command::Verify(args) => keys::verify(&args),
        Command::Serve(args) => serve::serve(args),
        Command::Fmt(args) => fmt::fmt(&args),
        Command::Lsp => u8::try_from(edict_lsp::run_stdio()).unwrap_or(1),
    };
    let _ = std::io::stdout().flush();
    ExitCode::from(status)
}
