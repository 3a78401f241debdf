//! Turns an OpenAPI 3.0 or 3.1 description into the source of a typed Rust client.
//!
//! The pipeline, one module per stage:
//!
//! 1. `load.rs`: YAML or JSON text to an `openapiv3` document (`v31.rs`: OpenAPI 3.1 read as
//!    3.0's model);
//! 2. `resolve.rs`: every `$ref` checked, references followed;
//! 3. `lower/`: the document to the [`ir`], where every Rust name is decided (in `names.rs`);
//! 4. `emit/`: the IR to token streams with `quote`;
//! 5. `format.rs`: token streams to source with `prettyplease`.
//!
//! The library does no I/O and does not panic on bad input: every problem becomes a
//! [`Diagnostic`] that points into the spec. Writing files is the caller's job (`cargo xtask
//! codegen`).

#![deny(missing_docs)]

mod diagnostic;
mod emit;
mod format;
mod generated;
pub mod ir;
mod load;
mod lower;
mod markdown;
mod names;
mod pointer;
mod resolve;
mod source;
mod standalone;
mod tree;
mod v31;

use crate::format::Threads;

pub use crate::{
    diagnostic::{Diagnostic, Diagnostics, Kind, Location, Severity},
    format::header,
    generated::Generated,
    lower::{Counts, Options, Summary},
    markdown::visible,
    pointer::JsonPointer,
    standalone::{CrateName, Runtime, RuntimeAt, STANDALONE_RUNTIME_DIR, standalone_crate},
};

/// The stack the stages run on. Reading a document `load::MAX_DEPTH` levels deep through
/// `openapiv3`'s serde takes more than the 2 MiB of a test thread in a debug build (random
/// specs found it), and the bound must not depend on the caller's thread. Only the pages used
/// are committed.
const STACK_SIZE: usize = 64 << 20;

/// Generates the models and the client for the spec `text`.
///
/// `origin` is the spec's path as users know it: it is named in the header of each file and in
/// diagnostics. On any error, returns every diagnostic found, warnings included.
///
/// It starts threads: the work runs on a thread of its own with a stack large enough for the
/// deepest document accepted, whatever the caller's thread has (or on the caller's, if no
/// thread can be started), and large files are formatted in parts on a thread per core.
/// [`generate_on_this_thread`] starts none.
pub fn generate(text: &str, origin: &str, options: Options) -> Result<Generated, Diagnostics> {
    std::thread::scope(|scope| {
        let spawned = std::thread::Builder::new()
            .name("generator".to_owned())
            .stack_size(STACK_SIZE)
            .spawn_scoped(scope, || generate_here(text, origin, options, Threads::PerCore));
        match spawned {
            Ok(handle) => handle.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            Err(_) => generate_here(text, origin, options, Threads::PerCore),
        }
    })
}

/// [`generate`], all on the caller's thread: it starts none, for callers that must not (a
/// sandbox that forbids them, a pool that counts its threads). It is slower on large specs,
/// which [`generate`] formats on every core, and the caller's thread needs a stack as large as
/// the deepest document accepted needs: 64 MiB holds any (a 2 MiB one, a test thread's, does
/// not hold the deepest). Both give the same output.
pub fn generate_on_this_thread(
    text: &str,
    origin: &str,
    options: Options,
) -> Result<Generated, Diagnostics> {
    generate_here(text, origin, options, Threads::None)
}

/// [`generate`], on the caller's stack, formatting with `threads`.
fn generate_here(
    text: &str,
    origin: &str,
    options: Options,
    threads: Threads,
) -> Result<Generated, Diagnostics> {
    let mut acc = Diagnostics::default();
    let fail = |err: Diagnostic| {
        let mut acc = Diagnostics::default();
        acc.push_diagnostic(err);
        acc.locate(text);
        acc
    };
    let mut loaded = load::load(text, options.strict).map_err(fail)?;
    let mut refs_acc = Diagnostics::default();
    let refs = resolve::check_refs(&loaded.tree, &mut refs_acc);
    let hoisted = resolve::hoist(&mut loaded.tree);
    // A document that does not have the shape of OpenAPI is reported alone.
    let typed = load::typed(loaded.tree, text).map_err(fail)?;
    for it in loaded.notes.into_iter().chain(refs_acc) {
        acc.push_diagnostic(it);
    }
    let (api, summary) = lower::lower(&typed, &refs, options, &mut acc);
    // The IR holds all that is emitted: the document goes before the files take their memory.
    drop(typed);
    hoisted.relocate(&mut acc);
    if !acc.is_empty() {
        acc.locate(text);
    }
    if acc.has_errors() {
        return Err(acc);
    }
    let emitter = emit::Emitter::new(&api);
    let models =
        format::format_parts(origin, &emitter.model_parts(), threads, |it| emitter.emit(it));
    let client =
        format::format_parts(origin, &emitter.client_parts(), threads, |it| emitter.emit(it));
    drop(emitter);
    let examples = emit::emit_examples(&api).map(|it| format::format(it, origin));
    Ok(Generated { models, client, examples, api, warnings: acc, summary })
}
