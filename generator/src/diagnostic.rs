//! Diagnostics: every problem the generator finds, with the place in the spec it comes from.
//!
//! The generator never stops at the first problem: each stage records what it finds in a
//! [`Diagnostics`] accumulator and carries on, so one run reports everything. Rendering follows
//! rustc's layout, one screen per problem at most.

use std::fmt;

pub use crate::source::Location;
use crate::{pointer::JsonPointer, source::SourceMap};

/// How serious a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Code was generated, but the user should look: a name was changed, say.
    Warning,
    /// No code is generated while any error remains.
    Error,
}

/// What kind of problem a diagnostic reports. The set is closed; each kind is documented here.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// The text is not YAML or JSON, or does not have the shape of an OpenAPI 3.0 document.
    Syntax,
    /// A valid OpenAPI construct that this generator does not support (yet).
    Unsupported,
    /// A `$ref` that points nowhere, or outside the document.
    UnresolvedRef,
    /// Two spec names that become the same Rust name.
    NameCollision,
    /// A construct that OpenAPI 3.0 forbids or that contradicts itself.
    Invalid,
    /// A construct whose meaning depends on a rule the generator chose: a union member that no
    /// value can ever become, say.
    Ambiguous,
    /// A construct generated less precisely than the spec says (a parameter typed as
    /// `serde_json::Value`, a body as bytes), or an operation left out: a warning, or an error
    /// under `Options::strict`.
    Loosened,
}

/// One problem found in the spec.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Diagnostic {
    /// Whether generation can go on.
    pub severity: Severity,
    /// What kind of problem this is.
    pub kind: Kind,
    /// Where in the document, as a JSON pointer; the root pointer when unknown.
    pub pointer: JsonPointer,
    /// Where in the text, when known.
    pub location: Option<Location>,
    /// What is wrong: lowercase, no trailing period, constructs in backticks.
    pub message: String,
    /// What was or was not generated because of it, or how to fix it.
    pub note: Option<String>,
}

impl Diagnostic {
    /// Adds a note that says what was or was not generated, or how to fix the problem.
    pub fn with_note(mut self, note: impl Into<String>) -> Diagnostic {
        self.note = Some(note.into());
        self
    }

    /// Sets the note of a diagnostic already recorded.
    pub fn set_note(&mut self, note: impl Into<String>) {
        self.note = Some(note.into());
    }

    /// Renders the diagnostic as text, naming `origin` (the spec's path) as its file.
    pub fn render(&self, origin: &str) -> String {
        let label = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        // Messages quote the spec, which must not write escape sequences to a terminal.
        let visible = crate::markdown::visible;
        let mut res = format!("{label}: {}\n  --> {}", visible(&self.message), visible(origin));
        if let Some(loc) = self.location {
            res.push_str(&format!(":{}:{}", loc.line, loc.column));
        }
        if !self.pointer.segments().is_empty() {
            res.push_str(&format!(" at {}", visible(&self.pointer.to_string())));
        }
        res.push('\n');
        if let Some(note) = &self.note {
            res.push_str(&format!("   = note: {}\n", visible(note)));
        }
        res
    }
}

/// The diagnostics of one run, in the order they were found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    /// Records an error and returns it for a note to be added.
    pub fn error(
        &mut self,
        kind: Kind,
        pointer: JsonPointer,
        message: impl Into<String>,
    ) -> &mut Diagnostic {
        self.push(Severity::Error, kind, pointer, message)
    }

    /// Records a warning and returns it for a note to be added.
    pub fn warning(
        &mut self,
        kind: Kind,
        pointer: JsonPointer,
        message: impl Into<String>,
    ) -> &mut Diagnostic {
        self.push(Severity::Warning, kind, pointer, message)
    }

    /// Records a diagnostic of the given severity and returns it for a note to be added.
    pub(crate) fn push(
        &mut self,
        severity: Severity,
        kind: Kind,
        pointer: JsonPointer,
        message: impl Into<String>,
    ) -> &mut Diagnostic {
        self.items.push(Diagnostic {
            severity,
            kind,
            pointer,
            location: None,
            message: message.into(),
            note: None,
        });
        self.items.last_mut().expect("generator bug: a diagnostic was pushed just above")
    }

    /// Adds a finished diagnostic.
    pub fn push_diagnostic(&mut self, diagnostic: Diagnostic) {
        self.items.push(diagnostic);
    }

    /// Whether any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.error_count() > 0
    }

    /// How many diagnostics are errors.
    pub fn error_count(&self) -> usize {
        self.items.iter().filter(|it| it.severity == Severity::Error).count()
    }

    /// Whether there are no diagnostics at all.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// All diagnostics, in the order they were found.
    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter()
    }

    /// Fills in the line and column of every diagnostic that has none, from its pointer, by
    /// reading `text` again.
    pub(crate) fn locate(&mut self, text: &str) {
        let unplaced = self.items.iter().filter(|it| it.location.is_none()).map(|it| &it.pointer);
        let map = SourceMap::new(text, unplaced);
        for it in &mut self.items {
            if it.location.is_none() {
                it.location = map.locate(&it.pointer);
            }
        }
    }

    /// Replaces the pointer of each diagnostic for which `map` gives another.
    pub(crate) fn map_pointers(&mut self, map: impl Fn(&JsonPointer) -> Option<JsonPointer>) {
        for it in &mut self.items {
            if let Some(ptr) = map(&it.pointer) {
                it.pointer = ptr;
            }
        }
    }

    /// Removes each diagnostic equal to one before it.
    pub(crate) fn dedup(&mut self) {
        let mut seen = std::collections::BTreeSet::new();
        self.items.retain(|it| seen.insert(it.clone()));
    }

    /// Renders every diagnostic, then a summary line.
    pub fn render(&self, origin: &str) -> String {
        let mut res = String::new();
        for it in &self.items {
            res.push_str(&it.render(origin));
            res.push('\n');
        }
        let n_errors = self.error_count();
        let n_warnings = self.items.len() - n_errors;
        let plural = |n: usize| if n == 1 { "" } else { "s" };
        res.push_str(&format!(
            "{n_errors} error{}, {n_warnings} warning{} in {}\n",
            plural(n_errors),
            plural(n_warnings),
            crate::markdown::visible(origin)
        ));
        res
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render("<spec>"))
    }
}

impl std::error::Error for Diagnostics {}

impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;

    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}
