//! `cargo xtask bench-peers`: the generator side by side with openapi-generator and progenitor.
//!
//! The peers are installed into `target/peers/` the first time: openapi-generator from PyPI
//! (`openapi-generator-cli`, which bundles its jar and runs it with the machine's Java) into a
//! virtual environment, progenitor with `cargo install cargo-progenitor`. Each tool generates a
//! crate from the same specs; generation is timed and its peak memory read (each run in a
//! process of its own, interleaved between tools, median of several); then each crate is
//! checked in one shared target directory (its dependencies built first, untimed; then `cargo
//! check` after a touch, interleaved between the tools, median), and a small program built into
//! it decodes the HubSpot bodies of `tests/fixtures/hubspot/` with its models and encodes them
//! again.
//!
//! `--smoke` runs our side only, once, on the small specs: what `.ci/run` calls, so that the
//! command keeps working without the minutes the peers take.

use std::{
    fmt::Write as _,
    fs,
    path::{Path, PathBuf},
    process::{Command, Stdio},
    time::{Duration, Instant},
};

use anyhow::{Context, Result, bail, ensure};

use crate::{cargo, cargo_in, codegen, run_cargo, touch};

/// `openapi-generator-cli` on PyPI; its version is the jar's.
const OPENAPI_GENERATOR_VERSION: &str = "7.26.0";
/// `cargo-progenitor` on crates.io.
const PROGENITOR_VERSION: &str = "0.15.1";

/// A generator under comparison.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tool {
    Ours,
    OpenapiGenerator,
    Progenitor,
}

impl Tool {
    fn name(self) -> String {
        match self {
            Tool::Ours => "ours".to_owned(),
            Tool::OpenapiGenerator => format!("openapi-generator {OPENAPI_GENERATOR_VERSION}"),
            Tool::Progenitor => format!("progenitor {PROGENITOR_VERSION}"),
        }
    }

    fn slug(self) -> &'static str {
        match self {
            Tool::Ours => "ours",
            Tool::OpenapiGenerator => "oag",
            Tool::Progenitor => "progenitor",
        }
    }

    /// The module of the generated crate that holds the schemas' types.
    fn models_module(self) -> &'static str {
        match self {
            Tool::Ours | Tool::OpenapiGenerator => "models",
            Tool::Progenitor => "types",
        }
    }
}

/// The name of `spec/`'s fragment in the table.
const FRAGMENT: &str = "fragment";

/// A spec the tools are compared on.
struct Spec {
    name: String,
    path: PathBuf,
    /// Whether its schemas are HubSpot's batch upsert ones, so the fixtures can be decoded.
    hubspot: bool,
}

/// The bodies of `tests/fixtures/hubspot/` and the schema each is an instance of.
const FIXTURES: &[(&str, &str)] = &[
    ("resp200_null_prop.json", "BatchResponseSimplePublicUpsertObject"),
    ("resp207_docs_shape.json", "BatchResponseSimplePublicUpsertObjectWithErrors"),
    ("reference_page_example.json", "BatchResponseSimplePublicUpsertObject"),
    ("reference_page_example.json", "BatchResponseSimplePublicUpsertObjectWithErrors"),
    ("resp400_duplicate_ids.json", "Error"),
    ("resp429_ten_secondly.json", "Error"),
];

/// One generation run, as measured.
#[derive(Clone, Copy, Debug)]
struct Run {
    ok: bool,
    wall: Duration,
    max_rss_kib: u64,
}

/// What became of one tool on one spec.
struct Row {
    spec: String,
    tool: Tool,
    runs: Vec<Run>,
    /// The first line of what the tool said when it failed.
    failure: Option<String>,
    lines: Option<usize>,
    /// `None`: not tried (it did not generate).
    compiles: Option<Result<(), String>>,
    /// The median `cargo check` after a touch, for a crate that compiles.
    check: Option<Duration>,
    /// (decoded, re-encoded unchanged, of how many).
    decoded: Option<Result<(usize, usize, usize), String>>,
}

/// Runs the comparison: every tool `runs` times on every spec, or only ours with `smoke`.
pub(crate) fn bench_peers(smoke: bool, runs: usize) -> Result<()> {
    let root = codegen::project_root()?;
    let dir = root.join("target/peers");
    let runs = if smoke { 1 } else { runs.max(1) };
    let tools: &[Tool] =
        if smoke { &[Tool::Ours] } else { &[Tool::Ours, Tool::OpenapiGenerator, Tool::Progenitor] };
    let ours = if smoke { std::env::current_exe()? } else { release_xtask(&root)? };
    if !smoke {
        install_openapi_generator(&dir)?;
        install_progenitor(&dir)?;
    }
    let specs = specs(&root, &dir.join("specs"), smoke)?;
    let mut rows: Vec<Row> = specs
        .iter()
        .flat_map(|spec| {
            tools.iter().map(|&tool| Row {
                spec: spec.name.clone(),
                tool,
                runs: Vec::new(),
                failure: None,
                lines: None,
                compiles: None,
                check: None,
                decoded: None,
            })
        })
        .collect();
    for round in 0..runs {
        for (spec, rows) in specs.iter().zip(rows.chunks_mut(tools.len())) {
            for row in rows {
                eprintln!(
                    "bench-peers: {} on {} (run {} of {runs})",
                    row.tool.name(),
                    spec.name,
                    round + 1
                );
                let out = dir.join("crates").join(format!("{}-{}", row.tool.slug(), spec.name));
                let (run, failure) = generate(row.tool, &ours, &dir, spec, &out)?;
                row.runs.push(run);
                row.failure = failure;
            }
        }
    }
    // Ours with the flags of every run on our crates, sharing their builds; the peers' crates,
    // which have warnings, with the caller's flags, in a target directory of their own.
    let target = |tool: Tool| match tool {
        Tool::Ours => root.join("target/standalone"),
        _ => root.join("target/peers/target"),
    };
    let crate_dir =
        |spec: &Spec, tool: Tool| dir.join("crates").join(format!("{}-{}", tool.slug(), spec.name));
    for (spec, rows) in specs.iter().zip(rows.chunks_mut(tools.len())) {
        for row in rows.iter_mut().filter(|it| it.failure.is_none()) {
            let out = crate_dir(spec, row.tool);
            // Ours keeps its runtime in a crate beside it, which counts as generated code too.
            let runtime = out.join("runtime/src");
            let runtime_lines = if runtime.is_dir() { count_lines(&runtime)? } else { 0 };
            row.lines = Some(count_lines(&out.join("src"))? + runtime_lines);
            eprintln!("bench-peers: building the crate of {} on {}", row.tool.name(), spec.name);
            row.compiles = Some(build(&root, &out, &target(row.tool), row.tool)?);
        }
        // The checks after a touch, interleaved between the tools as generation is, so that a
        // machine that slows down for a while slows every tool alike.
        let mut times = vec![Vec::new(); rows.len()];
        for round in 0..runs {
            for (row, times) in rows.iter_mut().zip(&mut times) {
                if !matches!(row.compiles, Some(Ok(_))) {
                    continue;
                }
                eprintln!(
                    "bench-peers: checking the crate of {} on {} (run {} of {runs})",
                    row.tool.name(),
                    spec.name,
                    round + 1
                );
                match check_after_touch(&crate_dir(spec, row.tool), &target(row.tool), row.tool)? {
                    Ok(time) => times.push(time),
                    Err(err) => row.compiles = Some(Err(err)),
                }
            }
        }
        for (row, times) in rows.iter_mut().zip(&mut times) {
            if matches!(row.compiles, Some(Ok(()))) {
                row.check = Some(median(times));
                if spec.hubspot {
                    row.decoded = Some(decode(
                        &root,
                        &crate_dir(spec, row.tool),
                        &target(row.tool),
                        row.tool,
                    )?);
                }
            }
        }
    }
    println!("{}", table(&rows));
    if smoke {
        // Every spec generates a crate that compiles, and the fragment's models (which follow
        // what HubSpot sends, not what its spec says) decode every body and encode it back.
        let failed: Vec<&str> = rows
            .iter()
            .filter(|it| {
                let lossless = matches!(it.decoded, Some(Ok((d, r, n))) if d == n && r == n);
                it.failure.is_some()
                    || !matches!(it.compiles, Some(Ok(_)))
                    || (it.spec == FRAGMENT && !lossless)
            })
            .map(|it| it.spec.as_str())
            .collect();
        ensure!(failed.is_empty(), "our side failed on: {}", failed.join(", "));
    }
    Ok(())
}

/// One tool's crate of one spec, as measured by [`github`].
struct Heavy {
    spec: String,
    tool: Tool,
    out: PathBuf,
    lines: usize,
    bytes: usize,
    types: usize,
    first: Vec<Duration>,
    touched: Vec<Duration>,
}

/// `bench-peers --github`: ours and openapi-generator's crates of GitHub's spec and of HubSpot's
/// deals spec, checked in one target directory (dependencies first, untimed), alternated `runs`
/// times: the first check of each crate (its incremental state removed), then a check after a
/// touch. Each crate's lines and bytes of Rust (ours with its runtime crate) and its types are
/// counted too.
pub(crate) fn github(runs: usize) -> Result<()> {
    let root = codegen::project_root()?;
    let dir = root.join("target/peers");
    let ours = release_xtask(&root)?;
    install_openapi_generator(&dir)?;
    let specs = [
        Spec {
            name: "github".to_owned(),
            path: crate::corpus::github_spec(&root)?,
            hubspot: false,
        },
        Spec {
            name: "deals-v3".to_owned(),
            path: root.join("tests/fixtures/specs/hubspot/deals.v3.json"),
            hubspot: false,
        },
    ];
    let target = dir.join("target");
    let mut crates = Vec::new();
    for spec in &specs {
        for tool in [Tool::Ours, Tool::OpenapiGenerator] {
            let out = dir.join("crates").join(format!("{}-{}", tool.slug(), spec.name));
            eprintln!("bench-peers: {} on {}", tool.name(), spec.name);
            let (_, failure) = generate(tool, &ours, &dir, spec, &out)?;
            ensure!(
                failure.is_none(),
                "{} did not generate {}: {failure:?}",
                tool.name(),
                spec.name
            );
            // Ours keeps its runtime in a crate beside it, which counts as generated code too.
            let runtime = out.join("runtime/src");
            let runtime = if runtime.is_dir() { source_size(&runtime)? } else { (0, 0) };
            let src = source_size(&out.join("src"))?;
            let (lines, bytes) = (src.0 + runtime.0, src.1 + runtime.1);
            let models = out.join("src").join(tool.models_module());
            let types = count_types(&models)? + count_types(&models.with_extension("rs"))?;
            // The same flags for both (none), so that they share every dependency's build; ours
            // is linted warning-free by `cargo xtask corpus`.
            eprintln!("bench-peers: building the crate of {} on {}", tool.name(), spec.name);
            stand_alone(&root, &out, tool)?;
            if let Err(err) = run_cargo(&out, &target, &["check", "--quiet", "--lib"], None)? {
                bail!("the crate of {} on {} does not build:\n{err}", tool.name(), spec.name);
            }
            let spec = spec.name.clone();
            let (first, touched) = (vec![], vec![]);
            crates.push(Heavy { spec, tool, out, lines, bytes, types, first, touched });
        }
    }
    let incremental = target.join("debug/incremental");
    for round in 0..runs.max(1) {
        for heavy in &mut crates {
            let what = format!("{} on {}", heavy.tool.name(), heavy.spec);
            eprintln!("bench-peers: checking {what} (run {} of {runs})", round + 1);
            let prefix = format!("{}-", library_name(&heavy.out)?);
            if incremental.is_dir() {
                for entry in fs::read_dir(&incremental)? {
                    let entry = entry?;
                    if entry.file_name().to_string_lossy().starts_with(&prefix) {
                        fs::remove_dir_all(entry.path())?;
                    }
                }
            }
            for times in [&mut heavy.first, &mut heavy.touched] {
                touch(&heavy.out.join("src/lib.rs"))?;
                let start = Instant::now();
                let checked = run_cargo(&heavy.out, &target, &["check", "--quiet", "--lib"], None)?;
                if let Err(err) = checked {
                    bail!("checking the crate of {what} failed:\n{err}");
                }
                times.push(start.elapsed());
            }
        }
    }
    let mut table = String::from(
        "| spec | tool | lines | bytes | types | first `cargo check` | `cargo check` after a touch |\n|---|---|---|---|---|---|---|\n",
    );
    for heavy in &mut crates {
        let _ = writeln!(
            table,
            "| {} | {} | {} | {:.2} MB | {} | {:.1} s | {:.1} s |",
            heavy.spec,
            heavy.tool.name(),
            heavy.lines,
            heavy.bytes as f64 / 1e6,
            heavy.types,
            median(&mut heavy.first).as_secs_f64(),
            median(&mut heavy.touched).as_secs_f64(),
        );
    }
    println!("{table}");
    Ok(())
}

/// The `pub struct` and `pub enum` items of the Rust files at `path` (a file or a directory,
/// recursively; none when absent).
fn count_types(path: &Path) -> Result<usize> {
    if path.is_file() {
        let text = fs::read_to_string(path)?;
        return Ok(text
            .lines()
            .filter(|it| it.starts_with("pub struct ") || it.starts_with("pub enum "))
            .count());
    }
    if !path.is_dir() {
        return Ok(0);
    }
    let mut total = 0;
    for entry in fs::read_dir(path)? {
        let path = entry?.path();
        if path.is_dir() || path.extension().is_some_and(|it| it == "rs") {
            total += count_types(&path)?;
        }
    }
    Ok(total)
}

/// What openapi-generator made of one spec of a sample: whether it generated a crate, and
/// whether that crate builds (`cargo check --lib`; `None` when it did not generate).
pub(crate) struct PeerOutcome {
    pub(crate) generated: bool,
    pub(crate) compiles: Option<Result<(), String>>,
    /// For a crate that does not build only because its version (the spec's `info.version`,
    /// `2016-11-15` say) is not semver: whether it builds once that is `0.1.0`.
    pub(crate) compiles_with_version: Option<bool>,
}

/// Runs openapi-generator on each of `specs` (a name and a path), installed into
/// `target/peers/` when absent, and builds each crate it generates, in one target directory.
pub(crate) fn openapi_generator_on(specs: &[(String, PathBuf)]) -> Result<Vec<PeerOutcome>> {
    let root = codegen::project_root()?;
    let dir = root.join("target/peers");
    install_openapi_generator(&dir)?;
    let target = root.join("target/peers/target");
    let mut res = Vec::new();
    for (i, (name, path)) in specs.iter().enumerate() {
        let spec = Spec { name: name.clone(), path: path.clone(), hubspot: false };
        let out = dir.join("crates").join(format!("{}-{name}", Tool::OpenapiGenerator.slug()));
        eprintln!("corpus: openapi-generator on {name} ({}/{})", i + 1, specs.len());
        let (run, failure) = generate(Tool::OpenapiGenerator, Path::new(""), &dir, &spec, &out)?;
        let generated = run.ok && failure.is_none();
        let mut compiles_with_version = None;
        let compiles = if generated {
            let built = build(&root, &out, &target, Tool::OpenapiGenerator)?;
            if let Err(err) = &built {
                eprintln!("corpus: openapi-generator's crate of {name} does not build: {err}");
                if err.contains("version number") {
                    compiles_with_version = Some(with_version(&root, &out, &target)?);
                }
            }
            Some(built)
        } else {
            eprintln!("corpus: openapi-generator did not generate {name}: {failure:?}");
            None
        };
        res.push(PeerOutcome { generated, compiles, compiles_with_version });
    }
    Ok(res)
}

/// Whether the crate at `out` builds once its `version` is `0.1.0`.
fn with_version(root: &Path, out: &Path, target: &Path) -> Result<bool> {
    let manifest = out.join("Cargo.toml");
    let text =
        fs::read_to_string(&manifest).with_context(|| format!("reading {}", manifest.display()))?;
    let mut done = false;
    let fixed: Vec<String> = text
        .lines()
        .map(|line| {
            if !done && line.starts_with("version = ") {
                done = true;
                "version = \"0.1.0\"".to_owned()
            } else {
                line.to_owned()
            }
        })
        .collect();
    fs::write(&manifest, fixed.join("\n") + "\n")?;
    Ok(build(root, out, target, Tool::OpenapiGenerator)?.is_ok())
}

/// The specs: the fragment, HubSpot's deals and objects specs, and two synthetic ones.
fn specs(root: &Path, dir: &Path, smoke: bool) -> Result<Vec<Spec>> {
    fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let hubspot = root.join("tests/fixtures/specs/hubspot");
    let mut res = vec![
        Spec { name: FRAGMENT.into(), path: root.join(codegen::SPEC), hubspot: true },
        Spec { name: "deals-v3".into(), path: hubspot.join("deals.v3.json"), hubspot: true },
        Spec { name: "objects-v3".into(), path: hubspot.join("objects.v3.json"), hubspot: true },
    ];
    let sizes: &[usize] = if smoke { &[100] } else { &[100, 1000] };
    for &n in sizes {
        let path = dir.join(format!("synthetic-{n}.json"));
        fs::write(&path, crate::synthetic::spec(crate::synthetic::Shape::cyclic(n)))
            .with_context(|| format!("writing {}", path.display()))?;
        res.push(Spec { name: format!("synthetic-{n}"), path, hubspot: false });
    }
    Ok(res)
}

/// Runs `tool` on `spec` into `out` (emptied first), measured by `measure` in a process of its
/// own. Returns the run and, when it failed, the first line that says why.
fn generate(
    tool: Tool,
    ours: &Path,
    dir: &Path,
    spec: &Spec,
    out: &Path,
) -> Result<(Run, Option<String>)> {
    if out.exists() {
        fs::remove_dir_all(out).with_context(|| format!("removing {}", out.display()))?;
    }
    let crate_name = format!("{}-{}", tool.slug(), spec.name);
    let mut command: Vec<std::ffi::OsString> = match tool {
        Tool::Ours => vec![
            ours.into(),
            "codegen".into(),
            "--spec".into(),
            spec.path.clone().into(),
            "--out".into(),
            out.into(),
            "--name".into(),
            crate_name.into(),
        ],
        Tool::OpenapiGenerator => vec![
            dir.join("venv/bin/openapi-generator-cli").into(),
            "generate".into(),
            "-g".into(),
            "rust".into(),
            "--skip-validate-spec".into(),
            "-i".into(),
            spec.path.clone().into(),
            "-o".into(),
            out.into(),
            "-p".into(),
            format!("packageName={crate_name}").into(),
        ],
        Tool::Progenitor => vec![
            dir.join("progenitor/bin/cargo-progenitor").into(),
            "progenitor".into(),
            "-i".into(),
            spec.path.clone().into(),
            "-o".into(),
            out.into(),
            "-n".into(),
            crate_name.into(),
            "-v".into(),
            "0.1.0".into(),
        ],
    };
    let log = dir.join("logs").join(format!("{}-{}.log", tool.slug(), spec.name));
    fs::create_dir_all(log.parent().unwrap_or(dir))?;
    let mut args: Vec<std::ffi::OsString> =
        vec!["measure".into(), "--log".into(), log.clone().into(), "--".into()];
    args.append(&mut command);
    let output = Command::new(std::env::current_exe()?)
        .args(&args)
        .stderr(Stdio::inherit())
        .output()
        .context("running `xtask measure`")?;
    let line = String::from_utf8_lossy(&output.stdout);
    let run = parse_measure(line.trim())
        .with_context(|| format!("reading what `xtask measure` printed: {line:?}"))?;
    let failure = if run.ok {
        None
    } else {
        let said = fs::read_to_string(&log).unwrap_or_default();
        let first = said
            .lines()
            .find(|it| it.contains("panicked") || it.contains("rror"))
            .or_else(|| said.lines().last())
            .unwrap_or("(no output)");
        Some(first.trim().chars().take(160).collect())
    };
    Ok((run, failure))
}

/// `xtask measure --log FILE -- PROGRAM ARGS…`: runs the program with its output in `log` and
/// prints one line, `ok wall_ns max_rss_kib`, read from the kernel's accounting of this
/// process's children (a process of its own, so that the peak is this program's alone; it
/// includes the program's own children, such as the JVM under openapi-generator's launcher).
pub(crate) fn measure(log: &Path, program: &[std::ffi::OsString]) -> Result<()> {
    let Some((first, rest)) = program.split_first() else { bail!("no program to measure") };
    let file = fs::File::create(log).with_context(|| format!("creating {}", log.display()))?;
    let start = Instant::now();
    let status = Command::new(first)
        .args(rest)
        .stdin(Stdio::null())
        .stdout(file.try_clone()?)
        .stderr(file)
        .status()
        .with_context(|| format!("running {}", Path::new(first).display()))?;
    let wall = start.elapsed();
    let usage = nix::sys::resource::getrusage(nix::sys::resource::UsageWho::RUSAGE_CHILDREN)
        .context("reading the children's resource usage")?;
    println!("{} {} {}", status.success(), wall.as_nanos(), usage.max_rss());
    Ok(())
}

fn parse_measure(line: &str) -> Option<Run> {
    let mut parts = line.split(' ');
    let ok = parts.next()?.parse().ok()?;
    let wall = Duration::from_nanos(parts.next()?.parse().ok()?);
    let max_rss_kib = parts.next()?.parse().ok()?;
    Some(Run { ok, wall, max_rss_kib })
}

/// Builds the xtask in release mode and returns its path: the generator is measured as users
/// run it, not as `cargo xtask` builds it (debug).
fn release_xtask(root: &Path) -> Result<PathBuf> {
    let output = cargo()
        .args(["build", "--release", "--quiet", "-p", "xtask", "--message-format=json"])
        .current_dir(root)
        .stderr(Stdio::inherit())
        .output()
        .context("building the xtask in release mode")?;
    ensure!(output.status.success(), "building the xtask in release mode failed");
    let text = String::from_utf8_lossy(&output.stdout);
    text.lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|it| it["reason"] == "compiler-artifact" && it["target"]["name"] == "xtask")
        .find_map(|it| it["executable"].as_str().map(PathBuf::from))
        .context("cargo did not say where the release xtask is")
}

fn install_openapi_generator(dir: &Path) -> Result<()> {
    if dir.join("venv/bin/openapi-generator-cli").is_file() {
        return Ok(());
    }
    let package = format!("openapi-generator-cli=={OPENAPI_GENERATOR_VERSION}");
    eprintln!("bench-peers: installing {package} from PyPI into {}", dir.display());
    let venv = dir.join("venv");
    run(
        Command::new("python3").arg("-m").arg("venv").arg(&venv),
        "creating a virtual environment",
    )?;
    run(
        Command::new(venv.join("bin/pip")).args(["install", "--quiet", &package]),
        "installing openapi-generator-cli",
    )
}

fn install_progenitor(dir: &Path) -> Result<()> {
    let root = dir.join("progenitor");
    if root.join("bin/cargo-progenitor").is_file() {
        return Ok(());
    }
    eprintln!("bench-peers: installing cargo-progenitor {PROGENITOR_VERSION} (a few minutes)");
    run(
        cargo()
            .args(["install", "--locked", "--quiet", "--version", PROGENITOR_VERSION, "--root"])
            .arg(&root)
            .arg("cargo-progenitor"),
        "installing cargo-progenitor",
    )
}

fn run(command: &mut Command, what: &str) -> Result<()> {
    let status = command.status().with_context(|| what.to_owned())?;
    ensure!(status.success(), "{what} failed ({status})");
    Ok(())
}

/// Lines of Rust in `dir`, recursively.
fn count_lines(dir: &Path) -> Result<usize> {
    Ok(source_size(dir)?.0)
}

/// Lines and bytes of Rust in `dir`, recursively.
fn source_size(dir: &Path) -> Result<(usize, usize)> {
    let (mut lines, mut bytes) = (0, 0);
    for entry in fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let path = entry?.path();
        if path.is_dir() {
            let (more_lines, more_bytes) = source_size(&path)?;
            lines += more_lines;
            bytes += more_bytes;
        } else if path.extension().is_some_and(|it| it == "rs") {
            let text = fs::read_to_string(&path)?;
            lines += text.lines().count();
            bytes += text.len();
        }
    }
    Ok((lines, bytes))
}

/// Makes the crate at `out` its own workspace (it sits inside ours) and builds it once (its
/// dependencies; untimed); an error is the count of errors and the first.
fn build(root: &Path, out: &Path, target: &Path, tool: Tool) -> Result<Result<(), String>> {
    stand_alone(root, out, tool)?;
    let first = cargo_for(tool, out, target, &["check", "--quiet", "--lib"])?;
    Ok(first.map(drop).map_err(|err| {
        let errors = err.lines().filter(|it| it.starts_with("error")).count();
        let first = err.lines().find(|it| it.starts_with("error")).unwrap_or("").trim();
        format!("{errors} errors; first: {}", first.chars().take(120).collect::<String>())
    }))
}

/// Makes the crate at `out` a workspace of its own (the peers' crates are generated inside this
/// one's `target/`), with the versions this workspace was tested with for ours.
fn stand_alone(root: &Path, out: &Path, tool: Tool) -> Result<()> {
    let manifest = out.join("Cargo.toml");
    let text =
        fs::read_to_string(&manifest).with_context(|| format!("reading {}", manifest.display()))?;
    if !text.contains("[workspace]") {
        fs::write(&manifest, format!("{text}\n[workspace]\n"))?;
    }
    if tool == Tool::Ours {
        fs::copy(root.join("Cargo.lock"), out.join("Cargo.lock")).context("copying Cargo.lock")?;
    }
    Ok(())
}

/// Runs cargo on a crate of `tool`: warnings denied for ours ([`cargo_in`]), not for the peers'.
fn cargo_for(
    tool: Tool,
    out: &Path,
    target: &Path,
    args: &[&str],
) -> Result<Result<String, String>> {
    match tool {
        Tool::Ours => cargo_in(out, target, args),
        _ => run_cargo(out, target, args, None),
    }
}

/// Times `cargo check --lib` of the (built) crate at `out` after touching its `src/lib.rs`.
fn check_after_touch(out: &Path, target: &Path, tool: Tool) -> Result<Result<Duration, String>> {
    touch(&out.join("src/lib.rs"))?;
    let start = Instant::now();
    Ok(cargo_for(tool, out, target, &["check", "--quiet", "--lib"])?.map(|_| start.elapsed()))
}

/// Builds into the crate at `out` an example that decodes each fixture as its schema's type
/// and encodes it again, and runs it: (decoded, re-encoded to the same JSON, of how many).
fn decode(
    root: &Path,
    out: &Path,
    target: &Path,
    tool: Tool,
) -> Result<Result<(usize, usize, usize), String>> {
    let lib = library_name(out)?;
    let fixtures = root.join("tests/fixtures/hubspot");
    let mut program = String::from(
        "//! Written by `cargo xtask bench-peers`: decodes HubSpot's bodies with this crate's models.\n\nfn main() {\n    let mut decoded = 0;\n    let mut same = 0;\n",
    );
    for (file, schema) in FIXTURES {
        let path = fixtures.join(file);
        let ty = format!("{lib}::{}::{schema}", tool.models_module());
        writeln!(
            program,
            "    {{\n        let text = include_str!({path:?});\n        let original: serde_json::Value = serde_json::from_str(text).unwrap();\n        if let Ok(value) = serde_json::from_str::<{ty}>(text) {{\n            decoded += 1;\n            if serde_json::to_value(&value).ok() == Some(original) {{\n                same += 1;\n            }}\n        }}\n    }}",
        )?;
    }
    program.push_str("    println!(\"{decoded} {same}\");\n}\n");
    let examples = out.join("examples");
    fs::create_dir_all(&examples)?;
    fs::write(examples.join("bench_decode.rs"), program)?;
    Ok(match cargo_for(tool, out, target, &["run", "--quiet", "--example", "bench_decode"])? {
        Ok(stdout) => {
            let mut parts = stdout.split_whitespace().filter_map(|it| it.parse::<usize>().ok());
            match (parts.next(), parts.next()) {
                (Some(decoded), Some(same)) => Ok((decoded, same, FIXTURES.len())),
                _ => Err(format!("unexpected output {stdout:?}")),
            }
        }
        Err(err) => {
            let first = err.lines().find(|it| it.starts_with("error")).unwrap_or("").trim();
            Err(format!(
                "the decoding program does not build: {}",
                first.chars().take(120).collect::<String>()
            ))
        }
    })
}

/// The library name of the crate at `out`: its package name with `-` as `_`.
fn library_name(out: &Path) -> Result<String> {
    let manifest = fs::read_to_string(out.join("Cargo.toml"))?;
    let name = manifest
        .lines()
        .find_map(|line| line.trim().strip_prefix("name").map(|it| it.trim_start()))
        .and_then(|it| it.strip_prefix('='))
        .map(|it| it.trim().trim_matches('"').replace('-', "_"))
        .context("no package name in the generated Cargo.toml")?;
    Ok(name)
}

fn median(values: &mut [Duration]) -> Duration {
    values.sort_unstable();
    values.get(values.len() / 2).copied().unwrap_or_default()
}

fn table(rows: &[Row]) -> String {
    let mut res = String::from(
        "| spec | tool | generates | time (median) | peak memory | lines | crate compiles | check after touch | fixtures decoded / re-encoded unchanged |\n|---|---|---|---|---|---|---|---|---|\n",
    );
    for row in rows {
        let mut walls: Vec<Duration> = row.runs.iter().map(|it| it.wall).collect();
        let mut rss: Vec<u64> = row.runs.iter().map(|it| it.max_rss_kib).collect();
        rss.sort_unstable();
        let peak = rss.get(rss.len() / 2).copied().unwrap_or_default();
        let generates = match &row.failure {
            None => "yes".to_owned(),
            Some(why) => format!("no: `{}`", why.replace('`', "'").replace('|', "\\|")),
        };
        let compiles = match &row.compiles {
            None => ("".to_owned(), "".to_owned()),
            Some(Ok(())) => (
                "yes".to_owned(),
                row.check.map(|it| format!("{:.2} s", it.as_secs_f64())).unwrap_or_default(),
            ),
            Some(Err(why)) => {
                (format!("no: {}", why.replace('|', "\\|").replace('`', "'")), "".to_owned())
            }
        };
        let decoded = match &row.decoded {
            None => "".to_owned(),
            Some(Ok((d, s, n))) => format!("{d}/{n} / {s}/{n}"),
            Some(Err(why)) => why.replace('|', "\\|"),
        };
        let _ = writeln!(
            res,
            "| {} | {} | {} | {:.3} s | {} MB | {} | {} | {} | {} |",
            row.spec,
            row.tool.name(),
            generates,
            median(&mut walls).as_secs_f64(),
            peak / 1024,
            row.lines.map(|it| it.to_string()).unwrap_or_default(),
            compiles.0,
            compiles.1,
            decoded,
        );
    }
    res
}
