//! The built xtask finds the checkout it runs in, never the one it was built in.
//!
//! With a target directory shared between checkouts (a global `CARGO_TARGET_DIR`, as developer
//! machines and CI caches have) one built xtask serves them all, and a checkout can move after
//! it was built. The xtask once found the project through a path fixed when it was built, and
//! then checked the other checkout's spec, or failed after a move. The test runs the xtask that
//! `cargo test` built (no build of its own) in copies of the checkout, as `cargo xtask` runs it
//! (with `CARGO_MANIFEST_DIR` naming the copy's `xtask/`) and by hand (found from the current
//! directory).

use std::{
    fs,
    path::{Path, PathBuf},
    process::{Command, Output},
};

const SPEC: &str = "spec/deals-batch-upsert.yaml";

/// A fresh scratch directory under `target/`.
fn scratch(name: &str) -> PathBuf {
    let dir = codegen_tests::project_root().join("target/xtask-tests").join(name);
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

/// Copies into `to` what `xtask codegen --check` reads in a checkout: the spec, the generated
/// client, and the xtask's manifest, by which it knows a project root.
fn copy_checkout(to: &Path) {
    let root = codegen_tests::project_root();
    for it in [SPEC, "xtask/Cargo.toml", "generated-client/src/generated"] {
        copy_all(&root.join(it), &to.join(it));
    }
}

fn copy_all(from: &Path, to: &Path) {
    if from.is_dir() {
        fs::create_dir_all(to).unwrap();
        for entry in fs::read_dir(from).unwrap() {
            let entry = entry.unwrap();
            copy_all(&entry.path(), &to.join(entry.file_name()));
        }
    } else {
        fs::create_dir_all(to.parent().unwrap()).unwrap();
        fs::copy(from, to).unwrap_or_else(|err| panic!("copying {}: {err}", from.display()));
    }
}

/// How the xtask is started: by `cargo xtask`, which names the checkout's `xtask/` in
/// `CARGO_MANIFEST_DIR`, or by hand in the checkout (a subdirectory of it, here).
#[derive(Clone, Copy, Debug)]
enum Started {
    ByCargo,
    ByHand,
}

/// Runs the built `xtask codegen --check` in `checkout`.
fn check_in(checkout: &Path, started: Started) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_xtask"));
    command.args(["codegen", "--check"]);
    match started {
        Started::ByCargo => {
            command.current_dir(checkout).env("CARGO_MANIFEST_DIR", checkout.join("xtask"))
        }
        Started::ByHand => {
            command.current_dir(checkout.join("spec")).env_remove("CARGO_MANIFEST_DIR")
        }
    };
    command.output().unwrap()
}

fn assert_fresh(checkout: &Path, started: Started) {
    let output = check_in(checkout, started);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{} ({started:?}): {stderr}", checkout.display());
}

#[test]
fn checkouts_sharing_a_built_xtask_each_check_their_own_spec() {
    let dir = scratch("checkouts");
    let (a, b) = (dir.join("a"), dir.join("b"));
    copy_checkout(&a);
    copy_checkout(&b);
    let spec = b.join(SPEC);
    let changed = fs::read_to_string(&spec).unwrap().replace(
        "description: The unique ID of the object.",
        "description: The ID of the object, changed in this checkout only.",
    );
    assert_ne!(changed, fs::read_to_string(&spec).unwrap(), "the spec has the text to change");
    fs::write(&spec, changed).unwrap();

    for started in [Started::ByCargo, Started::ByHand] {
        assert_fresh(&a, started);
        let output = check_in(&b, started);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            !output.status.success(),
            "b's spec changed, so b is stale ({started:?}): {stderr}"
        );
        assert!(stderr.contains("generated-client/src/generated/models.rs is stale"), "{stderr}");
        assert_fresh(&a, started);
    }

    let moved = dir.join("a-moved");
    fs::rename(&a, &moved).unwrap();
    assert_fresh(&moved, Started::ByCargo);
    assert_fresh(&moved, Started::ByHand);
}
