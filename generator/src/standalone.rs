//! The files that make generated code a crate of its own (`cargo xtask codegen --out DIR`):
//! `Cargo.toml` and `lib.rs`. The hand-written runtime is copied beside them by the caller.

use std::fmt;

use crate::{
    Generated, emit,
    format::{self, header},
    markdown, names,
};

/// A name for a standalone crate: one cargo accepts as a package name, and whose crate name
/// (`-` as `_`) is a Rust identifier, so that it can be written into `Cargo.toml` and code
/// as it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CrateName(String);

impl CrateName {
    /// Checks `name`: ASCII letters, digits, `-` and `_`, starting with a letter, at most 64
    /// characters, and neither a Rust keyword nor the name of a built-in crate.
    pub fn new(name: &str) -> Result<CrateName, String> {
        const BUILT_IN: &[&str] = &["alloc", "core", "proc_macro", "std", "test"];
        let ident = name.replace('-', "_");
        if name.is_empty() || name.len() > 64 {
            return Err(format!("`{name}` is not a crate name: it must have 1 to 64 characters"));
        }
        if !name.starts_with(|c: char| c.is_ascii_alphabetic())
            || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(format!(
                "`{}` is not a crate name: use ASCII letters, digits, `-` and `_`, starting with a letter",
                name.escape_debug()
            ));
        }
        if !names::is_identifier(&ident) || BUILT_IN.contains(&ident.as_str()) {
            return Err(format!(
                "`{name}` is not a crate name: it is a Rust keyword or built-in crate"
            ));
        }
        Ok(CrateName(name.to_owned()))
    }

    /// The package name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CrateName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The dependencies of the runtime and of generated code, as `Cargo.toml` lines.
///
/// `generated-client` must depend on the same crates; a test in `tests/` checks that it does.
pub const RUNTIME_DEPENDENCIES: &str = r#"base64 = "0.22"
bytes = "1"
chrono = { version = "0.4.42", default-features = false, features = ["std", "serde"] }
fastrand = "2"
percent-encoding = "2.3"
reqwest = { version = "0.12", default-features = false, features = ["json", "multipart", "rustls-tls", "http2"] }
serde = { version = "1", features = ["derive"] }
serde_json = "1"
tokio = { version = "1", features = ["time"] }
tracing = "0.1"
uuid = { version = "1", features = ["serde"] }
"#;

/// The files of a standalone crate named `crate_name`, as paths relative to its root and their
/// contents: `Cargo.toml`, `src/lib.rs`, `src/models.rs`, `src/client.rs`, and
/// `tests/examples.rs` when the spec's schemas have examples. The runtime's files belong in
/// `src/runtime/`.
pub fn standalone_crate(
    generated: &Generated,
    crate_name: &CrateName,
    origin: &str,
) -> Vec<(String, String)> {
    let api = &generated.api;
    let header = header(origin);
    let manifest = format!(
        "# {header_text}\n\n[package]\nname = \"{crate_name}\"\nversion = \"0.1.0\"\nedition = \"2024\"\npublish = false\n\n\
         # Not part of any enclosing workspace.\n[workspace]\n\n[dependencies]\n{RUNTIME_DEPENDENCIES}{regex}",
        // The models check `pattern`s with the `regex` crate; only crates that have one need it.
        regex = if crate::emit::uses_patterns(api) { "regex = \"1\"\n" } else { "" },
        header_text = header.trim_start_matches("// "),
    );
    let title = markdown::inline(&api.title);
    // The client module exports the server's URL and the operations' own types, if any.
    let client_exports = api.base_url.is_some()
        || api.operations.iter().any(|op| {
            op.outcome_name.is_some()
                || op.params_name.is_some()
                || op.error_name.is_some()
                || op.body.as_ref().is_some_and(|it| it.enum_name.is_some())
        });
    let client_glob = if client_exports { "pub use crate::client::*;\n" } else { "" };
    let lib = format!(
        "{header}\n\n//! A client for {title} (version {version}).\n\
         //!\n//! Types are in [`models`], operations are methods of [`Client`].\n\n\
         pub mod client;\npub mod models;\npub mod runtime;\n\n\
         {client_glob}pub use crate::runtime::{{Attempts, Binary, Client, ClientBuilder, Error, RateLimit, RawResponse, Response, RetryPolicy, StopReason}};\n",
        version = markdown::inline(&api.version),
    );
    let mut res = vec![
        ("Cargo.toml".to_owned(), manifest),
        ("src/lib.rs".to_owned(), lib),
        ("src/models.rs".to_owned(), generated.models.clone()),
        ("src/client.rs".to_owned(), generated.client.clone()),
    ];
    if let Some(tokens) = emit::emit_examples(api, crate_name.as_str()) {
        res.push(("tests/examples.rs".to_owned(), format::format(tokens, origin)));
    }
    res
}
