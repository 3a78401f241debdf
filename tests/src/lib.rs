//! Helpers shared by the tests in `tests/tests/`.

use std::path::{Path, PathBuf};

/// The project root.
pub fn project_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ lives below the project root")
        .to_path_buf()
}

/// A file of `tests/fixtures/`, as text.
pub fn fixture(path: &str) -> String {
    let full = project_root().join("tests/fixtures").join(path);
    std::fs::read_to_string(&full).unwrap_or_else(|err| panic!("reading {}: {err}", full.display()))
}

/// Compiles the Rust examples of the README, so that they stay true.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeExamples;
