//! What [`generate`](crate::generate) gives: the files of one spec, the IR they came from, the
//! warnings and the summary. A module of its own, below both the crate root and `standalone`,
//! which reads it: neither imports the other.

use crate::{diagnostic::Diagnostics, ir, lower::Summary};

/// The generated source of one spec.
#[derive(Debug)]
pub struct Generated {
    /// The `models` file: one type per schema.
    pub models: String,
    /// The `client` file: one method per operation.
    pub client: String,
    /// A test that each of the spec's `example`s decodes as its type and encodes back
    /// unchanged, or `None` when there are none; it calls the crate under test `client_crate`.
    pub examples: Option<String>,
    /// The intermediate representation the files were emitted from.
    pub api: ir::Api,
    /// Warnings: code was generated, but something deserves a look.
    pub warnings: Diagnostics,
    /// How much of the spec was generated as precisely as it is written.
    pub summary: Summary,
}
