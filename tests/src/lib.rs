//! Helpers shared by the tests in `tests/tests/` (and xtask's): fixtures, random specs for
//! property tests, a HubSpot-like server, and synthetic specs of any size for benchmarks.

pub mod arbitrary;
pub mod cargo;
pub mod hubspot;
pub mod synthetic;

use std::path::{Path, PathBuf};

/// The project root: the parent of this crate's directory as cargo gives it when the tests run
/// (not when they were built: a target directory may be shared between checkouts).
pub fn project_root() -> PathBuf {
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR")
        .expect("the tests run under cargo, which sets CARGO_MANIFEST_DIR");
    PathBuf::from(manifest_dir).parent().expect("tests/ lives below the project root").to_path_buf()
}

/// An address on 127.0.0.1 where nothing listens, and cannot while the returned socket lives:
/// the socket holds the port, bound but not listening, so a connection there is refused and no
/// other process can take the port (a port bound and freed again could be taken by anyone).
pub fn refusing_address() -> (tokio::net::TcpSocket, std::net::SocketAddr) {
    let socket = tokio::net::TcpSocket::new_v4().expect("a TCP socket");
    socket.bind("127.0.0.1:0".parse().expect("an address")).expect("binding 127.0.0.1");
    let addr = socket.local_addr().expect("a bound socket has an address");
    (socket, addr)
}

/// The specs (`.yaml` and `.json` files) in `dir`, sorted.
pub fn specs_in(dir: &Path) -> Vec<PathBuf> {
    let mut res: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|err| panic!("reading {}: {err}", dir.display()))
        .map(|it| it.unwrap().path())
        .filter(|it| it.extension().is_some_and(|ext| ext == "json" || ext == "yaml"))
        .collect();
    res.sort();
    res
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
