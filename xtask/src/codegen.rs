//! `cargo xtask codegen`: runs the generator and writes, or checks, its output.
//!
//! Everything is generated in memory first; files are written only when every one of them could
//! be generated, and then all or nothing (see `write.rs`), so a failed run leaves the previous
//! output as it was.

use std::{
    fs,
    path::{Path, PathBuf},
};

use anyhow::{Context, Result, bail, ensure};
use generator::CrateName;

use crate::write::{self, Plan};

/// The project's spec, relative to the project root.
pub(crate) const SPEC: &str = "spec/deals-batch-upsert.yaml";
/// Where the project's generated files go.
const GENERATED_DIR: &str = "generated-client/src/generated";
/// The hand-written runtime crate, which standalone crates get a copy of, as a crate beside
/// them, or depend on by path (`--runtime`).
pub(crate) const RUNTIME_DIR: &str = "generated-client/runtime";

/// Whether to write files or only compare them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mode {
    Write,
    Check,
}

/// The root of the checkout the xtask runs in, found when it runs, never where it was built:
/// with a target directory shared between checkouts, or after a checkout moves, a path fixed
/// at compile time names the wrong one. `cargo xtask` (and `cargo test`) set
/// `CARGO_MANIFEST_DIR` to this checkout's `xtask/`; run by hand, the current directory's
/// ancestors are searched.
pub(crate) fn project_root() -> Result<PathBuf> {
    if let Some(dir) = std::env::var_os("CARGO_MANIFEST_DIR") {
        let dir = PathBuf::from(dir);
        if let Some(root) = dir.parent().filter(|it| it.join(SPEC).is_file()) {
            return Ok(root.to_path_buf());
        }
    }
    let cwd = std::env::current_dir().context("reading the current directory")?;
    cwd.ancestors()
        .find(|it| it.join(SPEC).is_file() && it.join("xtask/Cargo.toml").is_file())
        .map(Path::to_path_buf)
        .with_context(|| {
            format!("no project root (a directory with {SPEC}) at or above {}", cwd.display())
        })
}

/// Regenerates (or checks) `generated-client/src/generated/` from `spec/`.
pub(crate) fn codegen(mode: Mode) -> Result<()> {
    let root = project_root()?;
    let text = fs::read_to_string(root.join(SPEC)).with_context(|| format!("reading {SPEC}"))?;
    // The project's client is typed all through: anything loosened is an error.
    let generated = generate(
        &text,
        SPEC,
        generator::Options { strict: true, features: false },
        Output::Verbose,
    )?;
    let dir = root.join(GENERATED_DIR);
    let files =
        vec![(dir.join("models.rs"), generated.models), (dir.join("client.rs"), generated.client)];
    let plan = Plan::new(files, Vec::new())?;
    finish(&root, &plan, mode, "cargo xtask codegen", Output::Verbose)
}

/// Writes (or checks) a standalone crate for the spec at `spec` into `out`.
pub(crate) fn standalone(
    spec: &Path,
    out: &Path,
    name: Option<&str>,
    mode: Mode,
    options: generator::Options,
    runtime: Option<&Path>,
) -> Result<()> {
    standalone_with(spec, out, name, mode, options, runtime, Output::Verbose).map(drop)
}

/// How much a run prints: everything (warnings, each file written), or nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Output {
    Verbose,
    Quiet,
}

/// What a standalone run generated.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Generated {
    pub(crate) summary: generator::Summary,
    pub(crate) warnings: usize,
}

/// [`standalone`], printing as `output` says, and returning what it generated. With `runtime`,
/// the crate depends on the runtime crate there instead of getting a copy of it.
pub(crate) fn standalone_with(
    spec: &Path,
    out: &Path,
    name: Option<&str>,
    mode: Mode,
    options: generator::Options,
    runtime: Option<&Path>,
    output: Output,
) -> Result<Generated> {
    let root = project_root()?;
    let name = match name {
        Some(it) => CrateName::new(it).map_err(anyhow::Error::msg)?,
        None => crate_name_for(spec),
    };
    let text = fs::read_to_string(spec).with_context(|| format!("reading {}", spec.display()))?;
    let origin = spec.display().to_string();
    let generated = generate(&text, &origin, options, output)?;
    let report =
        Generated { summary: generated.summary, warnings: generated.warnings.iter().count() };
    let (package, dependencies) =
        runtime_manifest(runtime.unwrap_or(&root.join(RUNTIME_DIR)), &root)?;
    let runtime_path = runtime.map(|it| relative_to(out, it)).transpose()?;
    let at = match &runtime_path {
        Some(path) => generator::RuntimeAt::Path { path, package: &package },
        None => generator::RuntimeAt::Copy,
    };
    let runtime_files = generator::Runtime { dependencies: &dependencies, at };
    let mut files: Vec<(PathBuf, String)> =
        generator::standalone_crate(&generated, &name, &origin, runtime_files)
            .into_iter()
            .map(|(path, contents)| (out.join(path), contents))
            .collect();
    if runtime.is_none() {
        files.extend(runtime_sources(&root, &out.join(generator::STANDALONE_RUNTIME_DIR))?);
    }
    let plan = Plan::new(files, write::generated_files(out)?)?;
    let command = format!("cargo xtask codegen --spec {} --out {}", spec.display(), out.display());
    finish(&root, &plan, mode, &command, output)?;
    Ok(report)
}

/// The runtime crate at `dir`: its package name and its dependencies, as `Cargo.toml` lines
/// standalone crates can use as they are. The project's runtime takes each from the workspace
/// (`name.workspace = true`), where each is written once; those lines are read from the root
/// manifest. A runtime crate of a standalone crate writes them out.
fn runtime_manifest(dir: &Path, root: &Path) -> Result<(String, String)> {
    let path = dir.join("Cargo.toml");
    let manifest = fs::read_to_string(&path)
        .with_context(|| format!("reading {}", path.display()))?
        .replace("\r\n", "\n");
    let name = section(&manifest, "package")
        .find_map(|it| it.strip_prefix("name = ")?.strip_prefix('"')?.strip_suffix('"'))
        .with_context(|| format!("{}: no package name", path.display()))?
        .to_owned();
    let workspace = fs::read_to_string(root.join("Cargo.toml")).context("reading Cargo.toml")?;
    let mut res = String::new();
    for line in section(&manifest, "dependencies") {
        let line = match line.split_once(".workspace = true") {
            Some((key, "")) => section(&workspace, "workspace.dependencies")
                .find(|it| it.split_once(" = ").is_some_and(|(name, _)| name == key))
                .with_context(|| format!("the workspace has no dependency `{key}`"))?,
            _ => line,
        };
        let value = line.split_once(" = ").map(|(_, value)| value).unwrap_or_default();
        let keys: Vec<&str> = (value.strip_prefix('{').unwrap_or_default().split(','))
            .filter_map(|it| Some(it.split_once('=')?.0.trim()))
            .collect();
        ensure!(
            !value.is_empty() && !keys.iter().any(|it| matches!(*it, "path" | "workspace" | "git")),
            "{}: write `{line}` as `name = <version or table>` on one line, from a registry",
            path.display()
        );
        res.push_str(line);
        res.push('\n');
    }
    Ok((name, res))
}

/// The lines of the `[name]` table of `manifest`, comments and blank lines left out.
fn section<'a>(manifest: &'a str, name: &str) -> impl Iterator<Item = &'a str> {
    let header = format!("[{name}]");
    manifest
        .lines()
        .skip_while(move |it| it.trim() != header)
        .skip(1)
        .take_while(|it| !it.starts_with('['))
        .map(str::trim)
        .filter(|it| !it.is_empty() && !it.starts_with('#'))
}

/// The runtime's sources, each with a header that says where it came from, as files in `dir`.
fn runtime_sources(root: &Path, dir: &Path) -> Result<Vec<(PathBuf, String)>> {
    let src = root.join(RUNTIME_DIR).join("src");
    let mut paths: Vec<_> = fs::read_dir(&src)
        .with_context(|| format!("reading {}", src.display()))?
        .map(|it| it.map(|entry| entry.path()))
        .collect::<Result<_, _>>()?;
    paths.sort();
    let mut res = Vec::new();
    for path in paths {
        let file_name =
            path.file_name().expect("read_dir yields named entries").to_string_lossy().into_owned();
        let contents =
            fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
        let copied = format!(
            "// @generated by `cargo xtask codegen`: a copy of {RUNTIME_DIR}/src/{file_name}. Do not edit by hand.\n\n{contents}"
        );
        res.push((dir.join(file_name), copied));
    }
    Ok(res)
}

/// `to` as a path relative to the directory `from` when both are absolute or both relative to
/// the current directory, as cargo reads a path dependency from the manifest in `from`.
fn relative_to(from: &Path, to: &Path) -> Result<String> {
    let cwd = std::env::current_dir().context("reading the current directory")?;
    let (from, to) = (cwd.join(from), cwd.join(to));
    ensure!(
        to.join("Cargo.toml").is_file(),
        "no runtime crate (no Cargo.toml) at {}",
        to.display()
    );
    let (from, to) = (normal(&from), normal(&to));
    let shared = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    if shared == 0 {
        let to: PathBuf = to.iter().collect();
        ensure!(to.to_str().is_some(), "the runtime's path {} is not UTF-8", to.display());
        return Ok(to.to_string_lossy().into_owned());
    }
    let mut res = PathBuf::new();
    for _ in shared..from.len() {
        res.push("..");
    }
    res.extend(&to[shared..]);
    ensure!(res.to_str().is_some(), "the runtime's path {} is not UTF-8", res.display());
    Ok(res.to_string_lossy().into_owned())
}

/// The parts of `path` with `.` left out and `..` taken back.
fn normal(path: &Path) -> Vec<std::path::Component<'_>> {
    let mut res = Vec::new();
    for part in path.components() {
        match part {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir
                if matches!(res.last(), Some(std::path::Component::Normal(_))) =>
            {
                res.pop();
            }
            it => res.push(it),
        }
    }
    res
}

/// A crate name from the spec's file name: `deals.v3.json` → `deals-v3`.
fn crate_name_for(spec: &Path) -> CrateName {
    let stem = spec.file_stem().map(|it| it.to_string_lossy().into_owned()).unwrap_or_default();
    let name: String = stem
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' })
        .collect();
    let name = name.split('-').filter(|it| !it.is_empty()).collect::<Vec<_>>().join("-");
    let name: String = name.chars().take(50).collect();
    CrateName::new(&name)
        .or_else(|_| CrateName::new(format!("client-{name}").trim_end_matches('-')))
        .expect("`client-` and ASCII letters, digits and `-` make a crate name")
}

/// Runs the generator, printing its warnings and what it generated; on errors prints every
/// diagnostic and fails.
fn generate(
    text: &str,
    origin: &str,
    options: generator::Options,
    output: Output,
) -> Result<generator::Generated> {
    match generator::generate(text, origin, options) {
        Ok(generated) if output == Output::Quiet => Ok(generated),
        Ok(generated) => {
            if !generated.warnings.is_empty() {
                eprint!("{}", generated.warnings.render(origin));
            }
            eprintln!("{}: {}", generator::visible(origin), generated.summary);
            Ok(generated)
        }
        Err(diagnostics) => {
            eprint!("{}", diagnostics.render(origin));
            bail!("codegen failed: nothing was written")
        }
    }
}

fn display(root: &Path, path: &Path) -> String {
    path.strip_prefix(root).unwrap_or(path).display().to_string()
}

/// Carries out `plan`, or in check mode reports what it would change and fails.
fn finish(root: &Path, plan: &Plan, mode: Mode, command: &str, output: Output) -> Result<()> {
    match mode {
        Mode::Check => {
            if plan.is_empty() {
                return Ok(());
            }
            let stale = plan.writes.iter().map(|(path, _)| {
                format!("{} is stale: run `{command}` and commit", display(root, path))
            });
            let removed = plan.removals.iter().map(|path| {
                format!(
                    "{} is no longer generated: run `{command}` and commit",
                    display(root, path)
                )
            });
            bail!("{}", stale.chain(removed).collect::<Vec<_>>().join("\n"))
        }
        Mode::Write if output == Output::Quiet => write::apply(plan, &mut write::Disk),
        Mode::Write => {
            if plan.is_empty() {
                println!("nothing to write: the generated files are up to date");
                return Ok(());
            }
            write::apply(plan, &mut write::Disk)?;
            for (path, _) in &plan.writes {
                println!("wrote {}", display(root, path));
            }
            for path in &plan.removals {
                println!("removed {}", display(root, path));
            }
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use std::{
        fs,
        path::{Path, PathBuf},
    };

    use codegen_tests::specs_in;

    use super::{Mode, codegen, crate_name_for, project_root, standalone};

    const LENIENT: generator::Options = generator::Options { strict: false, features: true };

    /// The dev-dependencies of the fixtures' behaviour tests, pinned by the workspace's lock file.
    const BEHAVIOUR_DEPENDENCIES: &str = "\n[dev-dependencies]\ntokio = { version = \"1\", features = [\"macros\", \"rt-multi-thread\"] }\nwiremock = \"0.6\"\n";

    const GOOD_SPEC: &str = "openapi: 3.0.3\ninfo: {title: T, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n    A: {type: object, properties: {b: {type: string}}, example: {b: x}}\n";
    const NO_EXAMPLES: &str = "openapi: 3.0.3\ninfo: {title: T, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n    A: {type: object, properties: {b: {type: string}}}\n";
    const BAD_SPEC: &str = "openapi: 3.0.3\ninfo: {title: T, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n    A: {$ref: '#/components/schemas/Nowhere'}\n";

    fn root() -> PathBuf {
        project_root().unwrap()
    }

    /// A directory under `target/` for the crates of a test, kept from run to run: files are
    /// rewritten only when they change, so that cargo checks again only what changed (what
    /// keeps `cargo test` quick after a change to the generator that changes no crate).
    fn kept(name: &str) -> PathBuf {
        let dir = root().join("target/xtask-tests").join(name);
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    /// Writes `contents` to `path` unless it holds them already.
    fn write_if_changed(path: &Path, contents: &str) {
        if fs::read_to_string(path).ok().as_deref() != Some(contents) {
            fs::write(path, contents).unwrap();
        }
    }

    /// A fresh scratch directory under `target/`.
    fn scratch(name: &str) -> PathBuf {
        let dir = root().join("target/xtask-tests").join(name);
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn read_tree(dir: &Path) -> Vec<(String, String)> {
        let mut res = Vec::new();
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                res.extend(read_tree(&path));
            } else {
                res.push((path.display().to_string(), fs::read_to_string(&path).unwrap()));
            }
        }
        res.sort();
        res
    }

    #[test]
    fn a_failed_run_leaves_the_previous_output_untouched() {
        let dir = scratch("failed-run");
        let (good, bad, out) = (dir.join("good.yaml"), dir.join("bad.yaml"), dir.join("out"));
        fs::write(&good, GOOD_SPEC).unwrap();
        fs::write(&bad, BAD_SPEC).unwrap();
        standalone(&good, &out, Some("scratch"), Mode::Write, LENIENT, None).unwrap();
        let before = read_tree(&out);
        let err = standalone(&bad, &out, Some("scratch"), Mode::Write, LENIENT, None).unwrap_err();
        assert!(err.to_string().contains("nothing was written"), "{err:#}");
        assert_eq!(read_tree(&out), before);
    }

    #[test]
    fn check_names_each_stale_file_and_the_command() {
        let dir = scratch("check");
        let (spec, out) = (dir.join("spec.yaml"), dir.join("out"));
        fs::write(&spec, GOOD_SPEC).unwrap();
        standalone(&spec, &out, Some("scratch"), Mode::Write, LENIENT, None).unwrap();
        standalone(&spec, &out, Some("scratch"), Mode::Check, LENIENT, None).unwrap();
        let models = out.join("src/models.rs");
        let edited = fs::read_to_string(&models).unwrap() + "// an edit by hand\n";
        fs::write(&models, &edited).unwrap();
        fs::remove_file(out.join("src/client.rs")).unwrap();
        let err = standalone(&spec, &out, Some("scratch"), Mode::Check, LENIENT, None)
            .unwrap_err()
            .to_string();
        assert!(err.contains("src/models.rs is stale: run `cargo xtask codegen --spec"), "{err}");
        assert!(err.contains("src/client.rs is stale"), "a missing file is stale: {err}");
        assert!(!err.contains("lib.rs"), "{err}");
        assert_eq!(fs::read_to_string(&models).unwrap(), edited, "check mode writes nothing");
    }

    #[test]
    fn files_no_longer_generated_are_removed() {
        let dir = scratch("removed");
        let (spec, out) = (dir.join("spec.yaml"), dir.join("out"));
        fs::write(&spec, GOOD_SPEC).unwrap();
        standalone(&spec, &out, Some("scratch"), Mode::Write, LENIENT, None).unwrap();
        assert!(out.join("tests/examples.rs").is_file());
        fs::write(out.join("tests/mine.rs"), "// a test written by hand\n").unwrap();
        fs::write(&spec, NO_EXAMPLES).unwrap();
        let err = standalone(&spec, &out, Some("scratch"), Mode::Check, LENIENT, None)
            .unwrap_err()
            .to_string();
        assert!(err.contains("tests/examples.rs is no longer generated"), "{err}");
        standalone(&spec, &out, Some("scratch"), Mode::Write, LENIENT, None).unwrap();
        assert!(!out.join("tests/examples.rs").exists());
        assert!(out.join("tests/mine.rs").is_file(), "files not generated are left alone");
        standalone(&spec, &out, Some("scratch"), Mode::Check, LENIENT, None).unwrap();
    }

    /// A crate generated when the runtime was a module (`src/runtime/`), or a crate whose only
    /// module was `runtime` (`runtime/src/runtime/`), gets the runtime crate as it is now: the
    /// old copies go, and `lib.rs` re-exports the crate. A copy of a file the runtime no longer
    /// has goes too. With `--runtime`, the copy goes and the manifest names the path.
    #[test]
    fn the_runtime_of_an_older_crate_moves_to_its_own_crate() {
        let dir = scratch("runtime-moved");
        let (spec, out) = (dir.join("spec.yaml"), dir.join("out"));
        fs::write(&spec, GOOD_SPEC).unwrap();
        standalone(&spec, &out, Some("scratch"), Mode::Write, LENIENT, None).unwrap();
        let copied = "// @generated by `cargo xtask codegen`: a copy of generated-client/src/runtime/client.rs. Do not edit by hand.\n";
        let old = [out.join("src/runtime/client.rs"), out.join("runtime/src/runtime/client.rs")];
        for it in &old {
            fs::create_dir_all(it.parent().unwrap()).unwrap();
            fs::write(it, copied).unwrap();
        }
        let gone = out.join("runtime/src/gone.rs");
        fs::write(&gone, copied).unwrap();
        let err = standalone(&spec, &out, Some("scratch"), Mode::Check, LENIENT, None)
            .unwrap_err()
            .to_string();
        assert!(err.contains("out/src/runtime/client.rs is no longer generated"), "{err}");
        assert!(err.contains("runtime/src/runtime/client.rs is no longer generated"), "{err}");
        assert!(err.contains("runtime/src/gone.rs is no longer generated"), "{err}");
        standalone(&spec, &out, Some("scratch"), Mode::Write, LENIENT, None).unwrap();
        assert!(old.iter().all(|it| !it.exists()) && !gone.exists());
        assert!(out.join("runtime/src/client.rs").is_file());
        let manifest = fs::read_to_string(out.join("runtime/Cargo.toml")).unwrap();
        assert!(manifest.contains("name = \"scratch-runtime\""), "{manifest}");
        assert!(manifest.contains("\nreqwest = "), "the runtime's dependencies: {manifest}");
        let lib = fs::read_to_string(out.join("src/lib.rs")).unwrap();
        assert!(lib.contains("pub use scratch_runtime as runtime;"), "{lib}");
        assert!(!lib.contains("pub mod runtime;"), "{lib}");

        let runtime = root().join(super::RUNTIME_DIR);
        standalone(&spec, &out, Some("scratch"), Mode::Write, LENIENT, Some(&runtime)).unwrap();
        assert!(!out.join("runtime").exists(), "the copy goes");
        let manifest = fs::read_to_string(out.join("Cargo.toml")).unwrap();
        let path = "path = \"../../../../generated-client/runtime\"";
        assert!(
            manifest.contains(&format!("{{ package = \"client-runtime\", {path} }}")),
            "{manifest}"
        );
    }

    #[test]
    fn refuses_to_overwrite_what_it_did_not_write() {
        let dir = scratch("refuse");
        let (spec, out) = (dir.join("spec.yaml"), dir.join("out"));
        fs::write(&spec, GOOD_SPEC).unwrap();
        fs::create_dir_all(out.join("src")).unwrap();
        fs::write(out.join("Cargo.toml"), "[package]\nname = \"mine\"\n").unwrap();
        fs::write(out.join("src/lib.rs"), "// my own crate\n").unwrap();
        let before = read_tree(&out);
        let err = standalone(&spec, &out, Some("scratch"), Mode::Write, LENIENT, None)
            .unwrap_err()
            .to_string();
        assert!(err.contains("refusing to overwrite"), "{err}");
        assert!(err.contains("Cargo.toml") && err.contains("lib.rs"), "{err}");
        assert_eq!(read_tree(&out), before);
    }

    #[test]
    fn crate_names_are_checked() {
        let dir = scratch("names");
        let (spec, out) = (dir.join("spec.yaml"), dir.join("out"));
        fs::write(&spec, GOOD_SPEC).unwrap();
        for bad in ["", "fn", "self", "my crate", "x\"\n[dependencies]", "1st", "std", "naïve"] {
            let err = standalone(&spec, &out, Some(bad), Mode::Write, LENIENT, None)
                .unwrap_err()
                .to_string();
            assert!(err.contains("is not a crate name"), "{bad:?}: {err}");
        }
        assert!(!out.exists(), "nothing was written");
        assert_eq!(crate_name_for("specs/deals.v3.json".as_ref()).as_str(), "deals-v3");
        assert_eq!(crate_name_for("2024_API.yaml".as_ref()).as_str(), "client-2024-api");
        assert_eq!(crate_name_for("fn.yaml".as_ref()).as_str(), "client-fn");
        assert_eq!(crate_name_for("größe.yaml".as_ref()).as_str(), "gr-e");
        assert_eq!(crate_name_for("---.yaml".as_ref()).as_str(), "client");
    }

    /// Runs `cargo <args>` in `dir` as [`crate::cargo_in`] does (warnings denied, `target` as
    /// the target directory), and fails with its output if it fails; returns what it printed.
    fn cargo(dir: &Path, target: &Path, args: &[&str], what: &str) -> String {
        match crate::cargo_in(dir, target, args).unwrap() {
            Ok(printed) => printed,
            Err(printed) => panic!("`cargo {}` fails for {what}:\n{printed}", args.join(" ")),
        }
    }

    /// A generated crate in a workspace of generated crates.
    struct Member {
        name: String,
        /// The crate's features, those users name (not `default`, nor the `_shared-N`).
        features: Vec<String>,
        /// Whether its tests run (else they are only compiled).
        run_tests: bool,
    }

    /// Generates `spec` into `workspace/<name>` as a member of the workspace there, with the
    /// project's runtime crate as a path dependency: the crate's `[workspace]` table goes, as
    /// when a user adds a generated crate to a workspace of theirs. With a `<spec>.rs` beside
    /// it, that file becomes the crate's `tests/behaviour.rs`.
    fn member(
        workspace: &Path,
        spec: &Path,
        options: generator::Options,
        run_tests: bool,
    ) -> Member {
        let name = crate_name_for(spec);
        let out = workspace.join(name.as_str());
        let path = out.join("Cargo.toml");
        // The member's manifest as an earlier run left it: generating writes the standalone
        // manifest over it, and the lines below turn that back into this one. Put back with
        // its old time, so that cargo, which documents a crate again when its manifest is
        // newer, sees nothing new.
        let before = fs::read_to_string(&path)
            .ok()
            .zip(fs::metadata(&path).and_then(|it| it.modified()).ok());
        let runtime = root().join(super::RUNTIME_DIR);
        standalone(spec, &out, None, Mode::Write, options, Some(&runtime))
            .unwrap_or_else(|err| panic!("{}: {err:#}", spec.display()));
        let manifest = fs::read_to_string(&path).unwrap();
        let mut manifest = manifest.replacen("\n[workspace]\n", "\n", 1);
        assert!(!manifest.contains("[workspace]"), "{manifest}");
        let behaviour = spec.with_extension("rs");
        if behaviour.is_file() {
            fs::create_dir_all(out.join("tests")).unwrap();
            let text = fs::read_to_string(&behaviour).unwrap();
            write_if_changed(&out.join("tests/behaviour.rs"), &text);
            // What the behaviour tests use besides the crate: a server on 127.0.0.1.
            manifest.push_str(BEHAVIOUR_DEPENDENCIES);
        } else {
            // One an earlier run copied, for a fixture that has none now.
            let _ = fs::remove_file(out.join("tests/behaviour.rs"));
        }
        fs::write(&path, &manifest).unwrap();
        if let Some((text, time)) = before.filter(|(text, _)| *text == manifest) {
            drop(text);
            fs::File::options().write(true).open(&path).unwrap().set_modified(time).unwrap();
        }
        let features = match manifest.split_once("\n[features]\n") {
            Some((_, table)) => (table.lines())
                .take_while(|it| !it.starts_with('['))
                .filter_map(|it| it.split_once(" = [").map(|(name, _)| name.to_owned()))
                .filter(|it| it != "default" && !it.starts_with('_'))
                .collect(),
            None => Vec::new(),
        };
        Member { name: name.as_str().to_owned(), features, run_tests }
    }

    /// Writes the manifest of the workspace of `members` in `dir`, with the project's lock file
    /// (the same dependency versions, all fetched already), and removes the crates of earlier
    /// runs that are no longer members.
    fn workspace(dir: &Path, members: &[Member]) {
        let names: Vec<String> = members.iter().map(|it| format!("\"{}\"", it.name)).collect();
        let manifest = format!("[workspace]\nresolver = \"3\"\nmembers = [{}]\n", names.join(", "));
        write_if_changed(&dir.join("Cargo.toml"), &manifest);
        copy_lock(dir);
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if path.is_dir() && !members.iter().any(|it| it.name == name) {
                fs::remove_dir_all(&path).unwrap();
            }
        }
    }

    /// Gives the workspace (or crate) in `dir` the project's lock file, unless it has the one
    /// cargo made from the same one already: cargo trims it to what the workspace uses, and
    /// documents every crate again when it is newer, so it is copied only when the project's
    /// changed (a copy of which, `Cargo.lock.project`, says what was given last).
    fn copy_lock(dir: &Path) {
        let ours = fs::read_to_string(root().join("Cargo.lock")).unwrap();
        let given = dir.join("Cargo.lock.project");
        if fs::read_to_string(&given).ok().as_deref() != Some(ours.as_str())
            || !dir.join("Cargo.lock").is_file()
        {
            fs::write(dir.join("Cargo.lock"), &ours).unwrap();
            fs::write(&given, &ours).unwrap();
        }
    }

    /// `-p <name>` for each of `members`.
    fn packages<'a>(members: impl IntoIterator<Item = &'a Member>) -> Vec<String> {
        members.into_iter().flat_map(|it| ["-p".to_owned(), it.name.clone()]).collect()
    }

    /// Fails when `printed`, what `cargo test --doc` printed, shows a doctest run: spec text
    /// never becomes one.
    fn assert_no_doctest(printed: &str, what: &str) {
        let ran = printed
            .lines()
            .filter_map(|it| it.strip_prefix("running ")?.split(' ').next()?.parse::<u32>().ok());
        assert!(
            ran.clone().count() > 0 && ran.sum::<u32>() == 0,
            "{what} ran doctests:\n{printed}"
        );
    }

    /// Fails when a crate's directory holds a `PWNED*` file: spec text ran as code.
    fn assert_not_pwned(dir: &Path, what: &str) {
        let pwned: Vec<_> = fs::read_dir(dir)
            .unwrap()
            .map(|it| it.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|it| it.starts_with("PWNED"))
            .collect();
        assert!(pwned.is_empty(), "spec text ran as code in {what}: {pwned:?}");
    }

    /// Every HubSpot spec in `tests/fixtures/specs/`, and every feature fixture in
    /// `tests/fixtures/ok/`, gives a crate that passes clippy, tests included, and rustdoc, with
    /// warnings denied; with one feature per tag, each builds warning-free with none of them and
    /// with each alone (whatever a compiled item names is compiled too). The fixtures' tests
    /// also run: the generated example tests (each example decodes and encodes back unchanged)
    /// and, where a fixture has a `<name>.rs` beside it, that file as a test of the generated
    /// code's behaviour; and no doctest runs, since spec text never becomes one
    /// (`untrusted-text.yaml` is full of code blocks that would write `PWNED-*` files).
    /// HubSpot's are only compiled, since some of HubSpot's published examples contradict its
    /// own schemas (an example of `SimplePublicObjectWithAssociations` without the required
    /// `createdAt`).
    ///
    /// The crates are members of one workspace and share the project's runtime crate, so that
    /// one cargo command covers them all and the runtime compiles once; one fixture is also
    /// generated and tested as users get it, standalone with a copy of the runtime.
    #[test]
    fn specs_give_crates_that_build_and_pass_their_tests() {
        let root = root();
        let hubspot = specs_in(&root.join("tests/fixtures/specs/hubspot"));
        assert_eq!(hubspot.len(), 6, "{hubspot:?}");
        let fixtures = specs_in(&root.join("tests/fixtures/ok"));
        assert!(!fixtures.is_empty());
        let dir = kept("fixture-crates");
        // The fixtures show what is supported: nothing in them may be loosened.
        let members: Vec<Member> = (hubspot.iter().map(|it| (it, false)))
            .chain(fixtures.iter().map(|it| (it, true)))
            .map(|(spec, run_tests)| {
                let options = generator::Options { strict: run_tests, features: true };
                member(&dir, spec, options, run_tests)
            })
            .collect();
        workspace(&dir, &members);
        let target = root.join("target/standalone");
        let what = "the fixtures' crates";
        let all_targets = ["clippy", "--offline", "--quiet", "--workspace", "--all-targets"];
        cargo(&dir, &target, &all_targets, what);
        cargo(&dir, &target, &["doc", "--offline", "--quiet", "--workspace", "--no-deps"], what);
        // Features: none, then, round by round, each crate with its first, second, ... alone.
        let featured: Vec<&Member> = members.iter().filter(|it| !it.features.is_empty()).collect();
        assert!(featured.len() >= 6, "the HubSpot specs and tags.yaml have tags");
        let no_default = [&all_targets[..3], &["--all-targets", "--no-default-features"]].concat();
        cargo(
            &dir,
            &target,
            &[
                &no_default[..],
                &packages(featured.iter().copied()).iter().map(String::as_str).collect::<Vec<_>>(),
            ]
            .concat(),
            what,
        );
        let rounds = featured.iter().map(|it| it.features.len()).max().unwrap_or(0);
        for round in 0..rounds {
            let chosen: Vec<&Member> =
                featured.iter().copied().filter(|it| it.features.len() > round).collect();
            let features: Vec<String> =
                chosen.iter().map(|it| format!("{}/{}", it.name, it.features[round])).collect();
            let mut args: Vec<String> = no_default.iter().map(|it| (*it).to_owned()).collect();
            args.extend(packages(chosen.iter().copied()));
            args.extend(["--features".to_owned(), features.join(",")]);
            cargo(&dir, &target, &args.iter().map(String::as_str).collect::<Vec<_>>(), what);
        }
        let tested = packages(members.iter().filter(|it| it.run_tests));
        let tested: Vec<&str> = tested.iter().map(String::as_str).collect();
        cargo(
            &dir,
            &target,
            &[&["test", "--offline", "--quiet", "--tests"][..], &tested].concat(),
            what,
        );
        let printed =
            cargo(&dir, &target, &[&["test", "--offline", "--doc"][..], &tested].concat(), what);
        assert_no_doctest(&printed, what);
        for it in &members {
            assert_not_pwned(&dir.join(&it.name), &it.name);
        }

        // One as users get it: a crate of its own, with a copy of the runtime beside it.
        let spec = root.join("tests/fixtures/ok/operations.yaml");
        let out = kept("standalone-crate");
        let options = generator::Options { strict: true, features: true };
        standalone(&spec, &out, None, Mode::Write, options, None).unwrap();
        copy_lock(&out);
        let what = "the standalone crate of operations.yaml";
        assert!(out.join("runtime/src/lib.rs").is_file(), "{what} has its runtime beside it");
        cargo(&out, &target, &["clippy", "--offline", "--quiet", "--all-targets"], what);
        cargo(&out, &target, &["doc", "--offline", "--quiet", "--no-deps"], what);
        cargo(&out, &target, &["test", "--offline", "--quiet", "--tests"], what);
    }

    /// A sample of the random specs of the property tests (`tests/tests/fuzz.rs`), full of
    /// hostile names and text, gives crates that pass clippy and rustdoc with warnings denied
    /// and run no doctest. The sample is the same on every run: the first specs of a fixed seed,
    /// of which most must generate (86% of 1,000 do; the floor leaves a margin), and a crate of
    /// 300 random descriptions (code fences, HTML, links, bidirectional controls...), which the
    /// real rustdoc must take without a warning or a doctest.
    #[test]
    fn random_specs_give_crates_that_build() {
        use proptest::strategy::{Strategy, ValueTree};
        const TRIED: usize = 8;
        const FLOOR: usize = 5;
        let dir = kept("random-specs");
        let mut runner = proptest::test_runner::TestRunner::deterministic();
        let strategy = codegen_tests::arbitrary::spec();
        let mut members = Vec::new();
        for idx in 0..TRIED {
            let spec = strategy.new_tree(&mut runner).unwrap().current();
            let path = dir.join(format!("random-{idx}.json"));
            let text = serde_json::to_string_pretty(&spec).unwrap();
            write_if_changed(&path, &text);
            if generator::generate(&text, "random", LENIENT).is_ok() {
                members.push(member(&dir, &path, LENIENT, false));
            }
        }
        assert!(members.len() >= FLOOR, "only {} of {TRIED} random specs generated", members.len());
        // And Markdown against the real rustdoc (the property tests of `markdown.rs` check it
        // with the parser the generator uses): 300 random texts, each a schema's description.
        let texts = codegen_tests::arbitrary::text();
        let schemas: serde_json::Map<String, serde_json::Value> = (0..300)
            .map(|idx| {
                let text = texts.new_tree(&mut runner).unwrap().current();
                let schema = serde_json::json!({"type": "string", "description": text});
                (format!("T{idx}"), schema)
            })
            .collect();
        let spec = serde_json::json!({
            "openapi": "3.0.3",
            "info": {"title": "Markdown", "version": "1"},
            "paths": {},
            "components": {"schemas": schemas},
        });
        let path = dir.join("markdown.json");
        write_if_changed(&path, &serde_json::to_string_pretty(&spec).unwrap());
        members.push(member(&dir, &path, LENIENT, false));
        workspace(&dir, &members);
        let target = root().join("target/standalone");
        let what = "the random specs' crates";
        cargo(
            &dir,
            &target,
            &["clippy", "--offline", "--quiet", "--workspace", "--all-targets"],
            what,
        );
        cargo(&dir, &target, &["doc", "--offline", "--quiet", "--workspace", "--no-deps"], what);
        let printed = cargo(&dir, &target, &["test", "--offline", "--workspace", "--doc"], what);
        assert_no_doctest(&printed, what);
        // What rustdoc made of the Markdown: the descriptions' `<script>`s shown as text, never
        // passed on as HTML.
        let pages = target.join("doc/markdown/models");
        let (mut shown, mut raw) = (0, Vec::new());
        for entry in fs::read_dir(&pages).unwrap() {
            let page = fs::read_to_string(entry.unwrap().path()).unwrap_or_default();
            // The content, after rustdoc's own head and its scripts.
            let page = page.split_once("<main").map_or("", |(_, main)| main);
            shown += page.matches("&lt;script&gt;").count();
            if page.contains("<script>") {
                raw.push(page.len());
            }
        }
        assert!(shown > 0, "the sample has a `<script>` to show, in {}", pages.display());
        assert!(raw.is_empty(), "rustdoc passed on raw `<script>` in {}", pages.display());
    }

    /// Fails when the committed client differs from what the generator emits for `spec/`.
    #[test]
    fn generated_client_is_fresh() {
        if let Err(err) = codegen(Mode::Check) {
            panic!("{err:#}\nthe committed client is stale: run `cargo xtask codegen` and commit");
        }
    }
}
