//! The files that make generated code a crate of its own (`cargo xtask codegen --out DIR`):
//! `Cargo.toml`, `lib.rs` and the examples test, and the manifest of the runtime crate beside
//! it, into which the caller copies the hand-written runtime's sources. It takes what it needs
//! from `Generated`: nothing here calls back into the stages.

use std::fmt;

use crate::{format::header, generated::Generated, ir, markdown, names};

/// A name for a standalone crate: one cargo accepts as a package name, and whose crate name
/// (`-` as `_`) is a Rust identifier, so that it can be written into `Cargo.toml` and code
/// as it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CrateName(String);

impl CrateName {
    /// Checks `name`: ASCII letters, digits, `-` and `_`, starting with a letter, at most 64
    /// characters, and neither a Rust keyword nor the name of a built-in crate.
    pub fn new(name: &str) -> Result<CrateName, String> {
        // Built-in crates, and the name the examples test gives the crate under test.
        const BUILT_IN: &[&str] =
            &["alloc", "core", "proc_macro", "std", "test", names::CRATE_ALIAS];
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

/// Where a standalone crate finds its runtime.
#[derive(Clone, Copy, Debug)]
pub enum RuntimeAt<'a> {
    /// In a crate of its own beside it, in `runtime/`: the caller copies the runtime's sources
    /// into [`STANDALONE_RUNTIME_DIR`], and the manifest is one of [`standalone_crate`]'s files.
    Copy,
    /// In the runtime crate at `path` (a path dependency, relative to the crate's directory or
    /// absolute), whose package is named `package`. Crates that share it compile it once.
    Path {
        /// The directory of the runtime crate.
        path: &'a str,
        /// The runtime's package name.
        package: &'a str,
    },
}

/// The runtime a standalone crate gets.
#[derive(Clone, Copy, Debug)]
pub struct Runtime<'a> {
    /// The runtime's dependencies, as the `[dependencies]` lines of its manifest: the crate gets
    /// them too, since generated code uses the same crates (serde, reqwest, chrono, ...).
    pub dependencies: &'a str,
    /// Where it is.
    pub at: RuntimeAt<'a>,
}

/// rustc's default recursion limit, which also bounds how deeply it follows types inside types.
const DEFAULT_RECURSION_LIMIT: usize = 128;

/// A recursion limit for the crate when rustc's default may be too low, else `None`.
///
/// To know what dropping a value does, rustc follows the types inside it, type by type, and
/// stops with "overflow while adding drop-check rules" past the recursion limit: a spec whose
/// schemas refer to each other in a long chain or cycle (a synthetic one of 100 schemas in one
/// cycle did; it needs a limit between 128 and 256, while a chain of 100 passes at 128) gives a
/// crate that does not compile. The bound is `ir::Api::cycle_nesting`: about five times what
/// that spec needs. A higher limit costs nothing unless something recurses that deep.
fn recursion_limit(api: &ir::Api) -> Option<usize> {
    let bound = api.cycle_nesting;
    (bound > DEFAULT_RECURSION_LIMIT).then_some(bound + DEFAULT_RECURSION_LIMIT)
}

/// The manifest's `[features]`: one per tag, all on by default, each turning on the
/// `_shared-N` features that stand for lists it is part of.
fn features_table(features: &[ir::Feature]) -> String {
    if features.is_empty() {
        return String::new();
    }
    let mut res = format!(
        "\n# One feature per tag of the spec: each compiles the tag's operations and the types they\n# use. All are on by default; `default-features = false` and a list compile fewer.\n[features]\ndefault = [{}]\n",
        quoted(features.iter().filter(|it| it.public).map(|it| &it.name))
    );
    let mut shared = features.iter().filter(|it| !it.public).peekable();
    for it in features.iter().filter(|it| it.public) {
        res.push_str(&format!("{} = [{}]\n", it.name, quoted(&it.enables)));
    }
    if shared.peek().is_some() {
        res.push_str(
            "# Each of these stands for the list of features above that turn it on: the types\n# many tags use are compiled with any of them.\n",
        );
    }
    for it in shared {
        res.push_str(&format!("{} = []\n", it.name));
    }
    res
}

/// `"a", "b"`: TOML strings of feature names (which need no escapes).
fn quoted<'a>(names: impl IntoIterator<Item = &'a String>) -> String {
    names.into_iter().map(|it| format!("\"{it}\"")).collect::<Vec<_>>().join(", ")
}

/// Where, in a standalone crate, the runtime's sources go with [`RuntimeAt::Copy`]: the runtime
/// is a crate of its own (`<name>-runtime`, in `runtime/`), which the crate re-exports as its
/// module `runtime`, so that generated code calls it as `crate::runtime::…`, as it does in
/// `hubspot-deals`.
///
/// A crate of its own, not a module, because rustc then checks it once and not again after
/// every change to the generated code: what put the generated crates' check time below
/// openapi-generator's (BENCHMARKS.md, "Run again with the runtime as a crate of its own").
pub const STANDALONE_RUNTIME_DIR: &str = "runtime/src";

/// The files of a standalone crate named `crate_name`, as paths relative to its root and their
/// contents: `Cargo.toml`, `src/lib.rs`, `src/models.rs`, `src/client.rs`, `tests/examples.rs`
/// when the spec's schemas have examples, and, with [`RuntimeAt::Copy`], the runtime crate's
/// `runtime/Cargo.toml` (its sources belong in [`STANDALONE_RUNTIME_DIR`]).
pub fn standalone_crate(
    generated: &Generated,
    crate_name: &CrateName,
    origin: &str,
    runtime: Runtime<'_>,
) -> Vec<(String, String)> {
    let api = &generated.api;
    let header = header(origin);
    let header_text = header.trim_start_matches("// ");
    let runtime_name = format!("{crate_name}-runtime");
    let dependencies = runtime.dependencies.trim_end();
    let (runtime_dependency, workspace_note) = match runtime.at {
        RuntimeAt::Copy => (
            format!("{runtime_name} = {{ path = \"runtime\" }}"),
            "; the runtime crate in `runtime/` is a member of this one",
        ),
        RuntimeAt::Path { path, package } => (
            format!(
                "{runtime_name} = {{ package = {}, path = {} }}",
                toml_string(package),
                toml_string(path)
            ),
            "",
        ),
    };
    let manifest = format!(
        "# {header_text}\n\n[package]\nname = \"{crate_name}\"\nversion = \"0.1.0\"\nedition = \"2024\"\npublish = false\n\n\
         # Not part of any enclosing workspace{workspace_note}.\n[workspace]\n\n\
         [dependencies]\n{runtime_dependency}\n{dependencies}\n{regex}{features}",
        features = features_table(&api.features),
        // The models check `pattern`s with the `regex` crate; only crates that have one need it.
        regex = if api.uses_patterns { "regex = \"1\"\n" } else { "" },
    );
    let title = markdown::inline(&api.title);
    let limit = recursion_limit(api)
        .map(|it| format!("// The schemas refer to each other in long chains: rustc follows them when it checks how\n// values drop, and would stop at its default limit of {DEFAULT_RECURSION_LIMIT}.\n#![recursion_limit = \"{it}\"]\n\n"))
        .unwrap_or_default();
    let lib = format!(
        "{header}\n\n//! A client for {title} (version {version}).\n\
         //!\n//! Types are in [`models`], operations are methods of [`Client`].\n\n\
         {limit}pub mod client;\npub mod models;\n\n\
         /// The hand-written runtime that the generated code calls.\npub use {runtime_ident} as runtime;\n\n\
         pub use crate::client::*;\npub use crate::runtime::{{Attempts, Binary, ClientCredentials, Error, {events}OAuthRefresh, RateLimit, RawResponse, Response, RetryPolicy, StopReason, TokenSource}};\n",
        // What event streams are read with, for a crate that has any.
        events = if api.operations.iter().any(|it| it.events.is_some()) {
            "Event, EventError, EventStream, "
        } else {
            ""
        },
        version = markdown::inline(&api.version),
        runtime_ident = runtime_name.replace('-', "_"),
    );
    let mut res = vec![
        ("Cargo.toml".to_owned(), manifest),
        ("src/lib.rs".to_owned(), lib),
        ("src/models.rs".to_owned(), generated.models.clone()),
        ("src/client.rs".to_owned(), generated.client.clone()),
    ];
    if let RuntimeAt::Copy = runtime.at {
        let runtime_manifest = format!(
            "# {header_text}\n# The runtime of `{crate_name}`: a copy of the project's `client-runtime`. Nothing in it\n# depends on the spec.\n\n\
             [package]\nname = \"{runtime_name}\"\nversion = \"0.1.0\"\nedition = \"2024\"\npublish = false\n\n\
             [dependencies]\n{dependencies}\n"
        );
        res.push(("runtime/Cargo.toml".to_owned(), runtime_manifest));
    }
    if let Some(examples) = &generated.examples {
        let alias = format!(
            "\n// The crate under test, by the name the tests above call it.\nuse {} as {};\n",
            crate_name.as_str().replace('-', "_"),
            names::CRATE_ALIAS
        );
        res.push(("tests/examples.rs".to_owned(), format!("{examples}{alias}")));
    }
    res
}

/// `text` as a TOML basic string: quoted, with `"`, `\\` and control characters escaped.
fn toml_string(text: &str) -> String {
    let mut res = String::with_capacity(text.len() + 2);
    res.push('"');
    for c in text.chars() {
        match c {
            '"' => res.push_str("\\\""),
            '\\' => res.push_str("\\\\"),
            c if c.is_control() => res.push_str(&format!("\\u{:04X}", c as u32)),
            c => res.push(c),
        }
    }
    res.push('"');
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A spec of `n` schemas, each holding the next, directly and in an array; the last holds
    /// the first when `cycle`.
    fn linked(n: usize, cycle: bool) -> String {
        let schemas: Vec<String> = (0..n)
            .map(|i| {
                let next = if i + 1 < n { Some(i + 1) } else { cycle.then_some(0) };
                let properties = next.map_or(String::new(), |next| {
                    let to = format!(r##"{{"$ref": "#/components/schemas/S{next}"}}"##);
                    format!(r#""next": {to}, "many": {{"type": "array", "items": {to}}}, "#)
                });
                format!(r#""S{i}": {{"type": "object", "properties": {{{properties}"id": {{"type": "string"}}}}}}"#)
            })
            .collect();
        format!(
            r#"{{"openapi": "3.0.3", "info": {{"title": "t", "version": "1"}}, "paths": {{}}, "components": {{"schemas": {{{}}}}}}}"#,
            schemas.join(", ")
        )
    }

    fn limit_of(text: &str) -> Option<usize> {
        let generated = crate::generate(text, "t.json", crate::Options::default())
            .unwrap_or_else(|err| panic!("{err:?}"));
        recursion_limit(&generated.api)
    }

    #[test]
    fn a_long_cycle_of_types_raises_the_recursion_limit() {
        // A cycle of 100 such schemas needs a limit above the default (measured: 256 works).
        let limit = limit_of(&linked(100, true));
        assert!(limit.is_some_and(|it| it >= 256), "{limit:?}");
        // Neither a short cycle nor a long chain needs one.
        assert_eq!(limit_of(&linked(5, true)), None);
        assert_eq!(limit_of(&linked(100, false)), None);
    }

    #[test]
    fn a_runtime_path_is_a_toml_string_whatever_it_holds() {
        assert_eq!(toml_string("../runtime"), r#""../runtime""#);
        assert_eq!(toml_string("C:\\a \"b\"\n[x]"), r#""C:\\a \"b\"\u000A[x]""#);
        let generated = crate::generate(&linked(1, false), "t.json", crate::Options::default())
            .unwrap_or_else(|err| panic!("{err:?}"));
        let name = CrateName::new("t").unwrap();
        let runtime = Runtime {
            dependencies: "serde = \"1\"\n",
            at: RuntimeAt::Path { path: "x\"\n[evil]", package: "client-runtime" },
        };
        let files = standalone_crate(&generated, &name, "t.json", runtime);
        let manifest = &files.iter().find(|(path, _)| path == "Cargo.toml").unwrap().1;
        assert!(
            manifest.contains(
                "t-runtime = { package = \"client-runtime\", path = \"x\\\"\\u000A[evil]\" }\nserde = \"1\"\n"
            ),
            "{manifest}"
        );
        assert!(!manifest.lines().any(|it| it == "[evil]"), "{manifest}");
        assert!(files.iter().all(|(path, _)| !path.starts_with("runtime/")), "{files:?}");
    }
}
