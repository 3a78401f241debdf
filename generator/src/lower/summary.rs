//! What lowering is asked ([`Options`]) and what it tells of a run ([`Summary`]): the public
//! types of `generate` that `lower` needs, defined here so that `lower` imports nothing from the
//! crate root.

/// How to generate.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Options {
    /// Whether a construct that cannot be typed as precisely as the spec says is an error. By
    /// default it is a warning ([`crate::Kind::Loosened`]) and the code is of a lesser kind: a
    /// `serde_json::Value`, raw bytes, or an operation left out of the client.
    pub strict: bool,
    /// Whether to gate each operation, and the models only tagged operations use, behind one
    /// cargo feature per tag (for standalone crates, whose manifest declares them; see
    /// [`crate::ir::Api::features`]). Specs with fewer than two tags get none.
    pub features: bool,
}

/// How many operations and schemas were generated fully, with loosened parts, or not at all.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// The operations of the spec.
    pub operations: Counts,
    /// The component schemas of the spec.
    pub schemas: Counts,
}

/// Counts of one kind of item.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Generated as precisely as the spec says.
    pub typed: usize,
    /// Generated, with some part typed less precisely.
    pub loosened: usize,
    /// Not generated.
    pub left_out: usize,
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let Summary { operations: o, schemas: s } = self;
        write!(
            f,
            "operations: {} typed, {} loosened, {} left out; schemas: {} typed, {} loosened",
            o.typed, o.loosened, o.left_out, s.typed, s.loosened
        )
    }
}
