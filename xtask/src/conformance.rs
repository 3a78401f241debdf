//! `cargo xtask conformance`: the generated client against Stoplight Prism, a server driven by
//! `spec/` that nobody here wrote.
//!
//! Prism (npm package `@stoplight/prism-cli`, pinned) is installed into `target/prism/` the
//! first time, with the machine's npm. Four mock servers start on 127.0.0.1: one serving the
//! spec's examples, three generating responses from the schemas (`--dynamic`, one seed each);
//! all validate requests (`--errors`: a request that breaks the spec gets an error, not a
//! response). Then `tests/tests/conformance.rs` runs against them, and the servers stop.

use std::{
    fs,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use anyhow::{Context, Result, bail, ensure};

use crate::codegen;

/// The Prism release: the newest that runs on Node.js 20 (5.16 needs Node.js 24).
const PRISM: &str = "@stoplight/prism-cli@5.14.2";
/// The seeds of the dynamic servers.
const SEEDS: [&str; 3] = ["1", "7", "42"];

/// A Prism server, stopped when dropped.
struct Server {
    child: Child,
    /// Where it listens, once its log says so.
    url: String,
    log: PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub(crate) fn conformance() -> Result<()> {
    let root = codegen::project_root()?;
    let prism = install(&root.join("target/prism"))?;
    let spec = root.join("spec/deals-batch-upsert.yaml");
    let logs = root.join("target/prism/logs");
    fs::create_dir_all(&logs).context("creating target/prism/logs")?;
    let mut servers = vec![start(&prism, &spec, &[], &logs.join("static.log"))?];
    for seed in SEEDS {
        let log = logs.join(format!("dynamic-{seed}.log"));
        servers.push(start(&prism, &spec, &["--dynamic", "--seed", seed], &log)?);
    }
    for server in &mut servers {
        wait_until_listening(server)?;
    }
    let dynamic: Vec<&str> = servers[1..].iter().map(|it| it.url.as_str()).collect();
    eprintln!(
        "conformance: Prism at {} (static) and {} (dynamic)",
        servers[0].url,
        dynamic.join(", ")
    );
    let status = crate::cargo()
        // `--workspace`, so that cargo resolves the features `cargo test --workspace` does and
        // reuses what it built.
        .args(["test", "--workspace", "--test", "conformance", "--", "--ignored"])
        .current_dir(&root)
        .env("PRISM_STATIC_URL", &servers[0].url)
        .env("PRISM_DYNAMIC_URLS", dynamic.join(","))
        .status()
        .context("running the conformance tests")?;
    drop(servers);
    if !status.success() {
        bail!(
            "the client does not conform: see the failures above, and Prism's logs in {}",
            logs.display()
        );
    }
    Ok(())
}

/// Prism's executable, installed into `dir` with npm when absent.
fn install(dir: &Path) -> Result<PathBuf> {
    let bin = dir.join("node_modules/.bin/prism");
    let installed = Command::new(&bin).arg("--version").output().is_ok_and(|it| {
        it.status.success() && PRISM.ends_with(String::from_utf8_lossy(&it.stdout).trim())
    });
    if installed {
        return Ok(bin);
    }
    fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    eprintln!("conformance: installing {PRISM} into {}", dir.display());
    let status = Command::new("npm")
        .args(["install", "--no-audit", "--no-fund", "--silent", "--prefix"])
        .arg(dir)
        .arg(PRISM)
        .status()
        .context("running `npm install` (is npm installed?)")?;
    ensure!(status.success() && bin.is_file(), "`npm install {PRISM}` failed");
    Ok(bin)
}

/// Starts `prism mock` on 127.0.0.1, validating requests, logging to `log`. Prism binds a port
/// the system chooses (`--port 0`) and says which in its log: a port found free here and freed
/// again for Prism to take could be taken by another process in between.
fn start(prism: &Path, spec: &Path, args: &[&str], log: &Path) -> Result<Server> {
    let out = fs::File::create(log).with_context(|| format!("creating {}", log.display()))?;
    let err = out.try_clone().context("opening the log")?;
    let child = Command::new(prism)
        .arg("mock")
        .arg(spec)
        .args(["--host", "127.0.0.1", "--port", "0", "--errors"])
        .args(args)
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .spawn()
        .context("starting Prism")?;
    Ok(Server { child, url: String::new(), log: log.to_path_buf() })
}

/// Waits until Prism's log says where it listens, and sets the server's URL.
fn wait_until_listening(server: &mut Server) -> Result<()> {
    const SAID: &str = "Prism is listening on ";
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(60) {
        let text = fs::read_to_string(&server.log).unwrap_or_default();
        let url = text.lines().find_map(|it| Some(it.split_once(SAID)?.1.trim().to_owned()));
        if let Some(url) = url {
            ensure!(
                url.starts_with("http://127.0.0.1:"),
                "Prism listens on {url}, not on 127.0.0.1"
            );
            server.url = url;
            return Ok(());
        }
        if let Some(status) = server.child.try_wait().context("waiting for Prism")? {
            bail!("Prism stopped ({status}) before it listened: see {}", server.log.display());
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    bail!("Prism did not say it listens within a minute: see {}", server.log.display())
}
