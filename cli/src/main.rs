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
mod consume;
mod coverage;
mod deadline;
mod fmt;
mod keys;
mod output;
mod report;
mod run;
mod serve;
mod test;

/// mimalloc instead of the system allocator: events are decoded on one thread and freed on
/// another in a run on several workers, which the system allocator handles slowly
/// (BENCHMARKS.md, partitioned runs).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The exit statuses of every command, shown under `edict --help`; each command's `--help`
/// shows its own. `docs/cli.md` has the same table.
const EXIT_STATUSES: &str = "\
Exit status:
  check, build  0 no errors (warnings allowed), 1 the policy has errors, 2 usage or IO error
  run           0 ran, 1 findings of a kind named by --fail-on (by default input_error) or
                a policy with errors, 2 usage or IO error
  test          0 every case passes, 1 a case fails, a rule lacks cases or the policy has
                errors, 2 usage or IO error, a malformed test file, or results that cannot be
                written
  coverage      0 shown, 1 the policy has errors, 2 usage or IO error, or no regulation
  deadline      0 printed, 2 usage error
  report        0 written, 1 the policy has errors, 2 usage or IO error
  fmt           0 formatted (with --check: nothing would change), 1 a file would change or
                has syntax errors, 2 usage or IO error
  keygen        0 written, 2 IO error or the key files exist
  verify        0 valid, 1 tampered, unsigned or signed by another key, 2 usage or IO error
  serve         0 stopped cleanly, 1 the policy has errors, 2 usage or IO error
  consume       0 stopped cleanly, 1 the policy has errors or cannot be partitioned, or the
                member failed (fenced, brokers unreachable), 2 usage error
  lsp           0 after the client's shutdown and exit, 1 when the input ends without them";
const CHECK_STATUSES: &str = "\
Exit status: 0 no errors (warnings allowed), 1 the policy has errors, 2 usage or IO error";
const RUN_STATUSES: &str = "\
Exit status: 0 ran, 1 findings of a kind named by --fail-on (by default input_error) or a policy
with errors, 2 usage or IO error";
const TEST_STATUSES: &str = "\
Exit status: 0 every case passes, 1 a case fails, a rule lacks cases or the policy has errors,
2 usage or IO error, a malformed test file, or results that cannot be written";
const COVERAGE_STATUSES: &str = "\
Exit status: 0 shown, 1 the policy has errors, 2 usage or IO error, or no regulation";
const DEADLINE_STATUSES: &str = "Exit status: 0 printed, 2 usage error";
const CONSUME_STATUSES: &str = "\
Exit status: 0 stopped cleanly (SIGINT or SIGTERM, after committing), 1 the policy has errors or
cannot be partitioned, or the member failed (fenced, brokers unreachable), 2 usage error";
const REPORT_STATUSES: &str = "\
Exit status: 0 written, 1 the policy has errors, 2 usage error, or a file that cannot be read or
written (a line that is not a finding is named)";

#[derive(Parser)]
#[command(
    name = "edict",
    version,
    about = "Compliance policies for facial recognition: check, build and run them",
    after_help = EXIT_STATUSES
)]
struct Args {
    #[command(subcommand)]
    command: Command,
    /// The language of diagnostics and of report pages. Without it, each diagnostic is in the
    /// language of the keywords of the file it points into (English or Chinese), and report
    /// pages are in English.
    #[arg(long, value_enum, global = true)]
    lang: Option<compile::LangArg>,
}

#[derive(Clone, Copy, Debug, Default, ValueEnum)]
pub enum Format {
    /// For people.
    #[default]
    Human,
    /// One JSON object per line, for tools.
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

impl CheckFormat {
    /// How errors that are not diagnostics (a file that cannot be read) are printed: as JSON
    /// objects with `json`, in words otherwise.
    pub fn plain(self) -> Format {
        match self {
            CheckFormat::Json => Format::Json,
            CheckFormat::Human | CheckFormat::Sarif | CheckFormat::Github => Format::Human,
        }
    }
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

impl TestFormat {
    /// How errors that are not results (a broken test file, a policy that cannot be read) are
    /// printed: as JSON objects with `json`, in words otherwise.
    pub fn plain(self) -> Format {
        match self {
            TestFormat::Json => Format::Json,
            TestFormat::Human | TestFormat::Junit => Format::Human,
        }
    }
}

#[derive(Subcommand)]
enum Command {
    /// Parse, resolve, type-check and clause-link policy sources; print their diagnostics.
    #[command(after_help = CHECK_STATUSES)]
    Check {
        /// Policy files or package folders (every folder below that holds `.edict` files).
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// `human`: each diagnostic with the lines of source it points at; `json`: one JSON
        /// object per diagnostic (`docs/cli.md`); `sarif`: a SARIF 2.1.0 log for code-scanning
        /// services; `github`: workflow annotations. The count goes to standard error.
        #[arg(long, value_enum, default_value_t)]
        format: CheckFormat,
    },
    /// Compile one regulation package into a bundle file that `edict run --bundle` and
    /// services load.
    #[command(after_help = CHECK_STATUSES)]
    Build {
        /// The package: its folder, or its files (with the file that holds the `regulation`
        /// header).
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Where to write the bundle (JSON).
        #[arg(short, long)]
        output: PathBuf,
        /// Sign the bundle with this secret key (`NAME.key` from `edict keygen`).
        #[arg(long, value_name = "KEY")]
        sign: Option<PathBuf>,
        /// Build for a partitioned run (`edict run --workers`, `edict consume`): fail, with
        /// the reason (E0600), unless the stream can be judged partition by partition — the
        /// vocabulary declares `partition by`, and every state, `once` and deadline stays
        /// within one value of that field.
        #[arg(long)]
        partitioned: bool,
        /// How diagnostics are printed, if the package has any: `human`, with the lines of
        /// source they point at; `json`, one JSON object per diagnostic.
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Run the policy test cases that live beside the policies.
    #[command(after_help = TEST_STATUSES)]
    Test {
        /// Policy package folders (their `tests/` folders hold the cases) or test files.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// `human`: one line per case and the rules without cases; `json`: one JSON object per
        /// case, then a summary object; `junit`: JUnit XML for CI test reports.
        #[arg(long, value_enum, default_value_t)]
        format: TestFormat,
    },
    /// Show, for every clause of the regulation's outline, the rules that implement it.
    #[command(after_help = COVERAGE_STATUSES)]
    Coverage {
        /// Regulation package folders or files.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// `human`: a table of clauses with their rules, reasons or `MISSING`, and the counts;
        /// `json`: one JSON object per clause.
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Print the due date of a period: N working days or N calendar days after a date.
    ///
    /// The period starts the day after `--from`; the deadline is the end of its last day.
    #[command(after_help = DEADLINE_STATUSES)]
    Deadline(deadline::DeadlineArgs),
    /// Evaluate an event stream (JSON Lines) against one or more regulations and print the
    /// findings: a table at a terminal, JSON Lines otherwise; a summary on standard error.
    #[command(after_help = RUN_STATUSES)]
    Run(run::RunArgs),
    /// Make an Ed25519 key pair to sign bundles with.
    Keygen(keys::KeygenArgs),
    /// Check that a bundle is intact and signed by a trusted key.
    Verify(keys::VerifyArgs),
    /// Serve bundles over HTTP: judge posted events, keep the state and the decision log.
    Serve(serve::ServeArgs),
    /// Judge an Apache Kafka topic as a member of a consumer group: findings to a findings
    /// topic, exactly once; state mirrored to a changelog topic (docs/kafka.md).
    #[command(after_help = CONSUME_STATUSES)]
    Consume(consume::ConsumeArgs),
    /// Write policy files in the canonical layout, optionally in the other keyword language.
    Fmt(fmt::FmtArgs),
    /// Run the language server on standard input and output, for editors.
    ///
    /// It finds the packages under the folders the editor opens; see `docs/editors.md`.
    Lsp,
    /// Write the findings of a run as one HTML page for people: charts per article and over
    /// time, the overdue and open obligations, tables per party, every finding with its
    /// clause's text. The page works offline and prints.
    #[command(after_help = REPORT_STATUSES)]
    Report(report::ReportArgs),
}

fn main() -> ExitCode {
    let args = Args::parse();
    compile::set_language(args.lang);
    let status = match args.command {
        Command::Check { paths, format } => check::check(&paths, format),
        Command::Build {
            paths,
            output,
            sign,
            partitioned,
            format,
        } => check::build(&paths, &output, sign.as_deref(), format, partitioned),
        Command::Test { paths, format } => test::run(&paths, format),
        Command::Coverage { paths, format } => coverage::coverage(&paths, format),
        Command::Deadline(args) => deadline::deadline(&args),
        Command::Run(args) => run::run(args),
        Command::Keygen(args) => keys::keygen(&args),
        Command::Verify(args) => keys::verify(&args),
        Command::Serve(args) => serve::serve(args),
        Command::Consume(args) => consume::consume(args),
        Command::Fmt(args) => fmt::fmt(&args),
        Command::Lsp => u8::try_from(edict_lsp::run_stdio()).unwrap_or(1),
        Command::Report(args) => report::report(&args),
    };
    let _ = std::io::stdout().flush();
    ExitCode::from(status)
}
