//! The files that make generated code a crate of its own (`cargo xtask codegen --out DIR`):
//! `Cargo.toml` and `lib.rs`. The hand-written runtime is copied beside them by the caller.

use crate::{
    Generated, emit,
    format::{self, header},
};

/// The dependencies of the runtime and of generated code, as `Cargo.toml` lines.
///
/// `generated-client` must depend on the same crates; a test in `tests/` checks that it does.
pub const RUNTIME_DEPENDENCIES: &str = r#"base64 = "0.22"
bytes = "1"
chrono = { version = "0.4.42", default-features = false, features = ["std", "serde"] }
reqwest = { version = "0.12", default-features = false, features = ["json", "rustls-tls", "http2"] }
serde = { version = "1", features = ["derive"] }
serde_json = "1"
tracing = "0.1"
uuid = { version = "1", features = ["serde"] }
"#;

/// The files of a standalone crate named `crate_name`, as paths relative to its root and their
/// contents: `Cargo.toml`, `src/lib.rs`, `src/models.rs`, `src/client.rs`, and
/// `tests/examples.rs` when the spec's schemas have examples. The runtime's files belong in
/// `src/runtime/`.
pub fn standalone_crate(
    generated: &Generated,
    crate_name: &str,
    origin: &str,
) -> Vec<(String, String)> {
    let api = &generated.api;
    let header = header(origin);
    let manifest = format!(
        "# {header_text}\n\n[package]\nname = \"{crate_name}\"\nversion = \"0.1.0\"\nedition = \"2024\"\npublish = false\n\n\
         # Not part of any enclosing workspace.\n[workspace]\n\n[dependencies]\n{RUNTIME_DEPENDENCIES}",
        header_text = header.trim_start_matches("// "),
    );
    let title = api.title.replace('\n', " ");
    // The client module exports the server's URL and the operations' own types, if any.
    let client_exports = api.base_url.is_some()
        || api.operations.iter().any(|op| {
            op.outcome_name.is_some() || op.params_name.is_some() || op.error_name.is_some()
        });
    let client_glob = if client_exports { "pub use crate::client::*;\n" } else { "" };
    let lib = format!(
        "{header}\n\n//! A client for {title} (version {version}).\n\
         //!\n//! Types are in [`models`], operations are methods of [`Client`].\n\n\
         pub mod client;\npub mod models;\npub mod runtime;\n\n\
         {client_glob}pub use crate::runtime::{{Client, ClientBuilder, Error, RawResponse, Response}};\n",
        version = api.version.replace('\n', " "),
    );
    let mut res = vec![
        ("Cargo.toml".to_owned(), manifest),
        ("src/lib.rs".to_owned(), lib),
        ("src/models.rs".to_owned(), generated.models.clone()),
        ("src/client.rs".to_owned(), generated.client.clone()),
    ];
    if let Some(tokens) = emit::emit_examples(api, crate_name) {
        res.push(("tests/examples.rs".to_owned(), format::format(tokens, origin)));
    }
    res
}
