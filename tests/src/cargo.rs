//! Cargo run from inside a cargo run (a test, or `cargo xtask`), without the variables the
//! outer cargo set for its own child.
//!
//! Cargo gives a test or a `cargo run` program `CARGO_MANIFEST_DIR`, `CARGO_PKG_NAME` and the
//! like, naming the package it runs. A cargo started from there inherits them, and build
//! scripts that watch them (`ring`'s, through `cc`, watches `CARGO_MANIFEST_DIR` and
//! `CARGO_PKG_*`) then see a change from the last build made from a shell: `ring` is built
//! again, and rustls, reqwest and all above it, both ways, each time. Without them, an inner
//! cargo reuses what the outer one built. `xtask` includes this file too.

use std::{ffi::OsStr, process::Command};

/// Whether cargo sets `key` for the program it runs, naming that program's package.
fn set_for_the_child(key: &OsStr) -> bool {
    let Some(key) = key.to_str() else { return false };
    const NAMES: &[&str] = &[
        "CARGO_MANIFEST_DIR",
        "CARGO_MANIFEST_PATH",
        "CARGO_MANIFEST_LINKS",
        "CARGO_CRATE_NAME",
        "CARGO_BIN_NAME",
        "CARGO_PRIMARY_PACKAGE",
        "CARGO_TARGET_TMPDIR",
        "CARGO_RUSTC_CURRENT_DIR",
        "OUT_DIR",
    ];
    NAMES.contains(&key)
        || ["CARGO_PKG_", "CARGO_CFG_", "CARGO_BIN_EXE_"].iter().any(|it| key.starts_with(it))
}

/// The cargo that runs this program (`$CARGO`, else the one on the `PATH`), without the
/// variables cargo set for this program.
pub fn cargo() -> Command {
    let mut command = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    for (key, _) in std::env::vars_os() {
        if set_for_the_child(&key) {
            command.env_remove(key);
        }
    }
    command
}
