//! Stage 2: `$ref` resolution.
//!
//! Every `$ref` in the document is checked once, up front: one that is external or points
//! nowhere is reported here, wherever it stands. The [`Resolver`] then follows references to the
//! components they name, and says why when it cannot ([`RefProblem`]), so that every place that
//! uses a reference either follows it or reports it: none is dropped in silence.

mod hoist;

use std::collections::BTreeSet;

use openapiv3::{OpenAPI, Parameter, ReferenceOr, RequestBody, Response, Schema};

use crate::{
    diagnostic::{Diagnostics, Kind},
    pointer::{JsonPointer, Segment},
    tree::{NAME_MAPS, Tree, children, is_data},
};

pub(crate) use self::hoist::hoist;

/// Reports every `$ref` that is external or points nowhere, and returns which.
pub(crate) fn check_refs(tree: &Tree, acc: &mut Diagnostics) -> CheckedRefs {
    let mut res = CheckedRefs::default();
    walk_refs(tree, &mut |path, reference| {
        if !check_ref(tree, reference, path, acc) {
            res.reported.insert(reference.to_owned());
        }
    });
    res
}

/// Calls `visit` with the path to and the text of every `$ref` of the document that is
/// OpenAPI, in the document's order: not data (an example's `$ref` key is no reference), but
/// in a map of names (properties, components, media types…) every key is a name, even
/// `example` or `x-foo`.
pub(crate) fn walk_refs<'t>(tree: &'t Tree, visit: &mut impl FnMut(&[Segment<'t>], &'t str)) {
    // An explicit stack: a document nested deeply must not overflow ours. Each entry holds how
    // many steps down its node is and the last of them; `path` holds the steps to the node
    // being read.
    let mut stack = vec![(tree, 0_usize, None, false)];
    let mut path = Vec::new();
    while let Some((node, depth, step, in_names)) = stack.pop() {
        path.truncate(depth.saturating_sub(1));
        path.extend(step);
        if let Tree::Mapping(map) = node {
            if let (false, Some(Tree::String(reference))) = (in_names, map.get("$ref")) {
                visit(&path, reference);
            }
        }
        let first_child = stack.len();
        for (step, child) in children(node) {
            let names_below = match step {
                Segment::Key(key) if !in_names && is_data(key) => continue,
                Segment::Key(key) => !in_names && NAME_MAPS.contains(&key),
                Segment::Index(_) => false,
            };
            stack.push((child, depth + 1, Some(step), names_below));
        }
        // Read in the document's order.
        stack[first_child..].reverse();
    }
}

/// The references [`check_refs`] reported: external, or pointing nowhere.
#[derive(Debug, Default)]
pub(crate) struct CheckedRefs {
    reported: BTreeSet<String>,
}

/// Whether `reference`, at `path`, points into the document; reports it when it does not.
fn check_ref(root: &Tree, reference: &str, path: &[Segment<'_>], acc: &mut Diagnostics) -> bool {
    let here = || JsonPointer::from_path(path).join("$ref");
    let Some(target) = JsonPointer::parse_ref(reference) else {
        if let Some(name) = reference.strip_prefix('#') {
            acc.error(
                Kind::UnresolvedRef,
                here(),
                format!("`$ref` `{reference}` names an anchor no schema declares"),
            )
            .set_note(format!(
                "OpenAPI 3.1 documents name a schema with `$anchor: {name}` (in 3.0, a `#name` reference is not defined); no code was generated"
            ));
            return false;
        }
        acc.error(
            Kind::UnresolvedRef,
            here(),
            format!("unsupported: external `$ref` `{reference}`"),
        )
        .set_note(
            "only references within the document (`#/…`) are supported; inline or copy the target",
        );
        return false;
    };
    if pointee(root, &target).is_none() {
        acc.error(Kind::UnresolvedRef, here(), format!("`$ref` `{reference}` points to nothing"))
            .set_note("no code was generated");
        return false;
    }
    true
}

/// The node at `ptr` in `root`, if there is one.
fn pointee<'t>(root: &'t Tree, ptr: &JsonPointer) -> Option<&'t Tree> {
    ptr.segments().iter().try_fold(root, |mut node, segment| {
        while let Tree::Tagged(it) = node {
            node = &it.value;
        }
        match node {
            Tree::Mapping(map) => map.get(segment.as_str()),
            Tree::Sequence(items) => segment.parse::<usize>().ok().and_then(|idx| items.get(idx)),
            _ => None,
        }
    })
}

/// Why a `$ref` could not be followed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum RefProblem {
    /// External, or pointing nowhere: [`check_refs`] has reported it.
    Reported,
    /// It points into the document, but not to a component of the kind this place needs.
    WrongTarget {
        /// The reference that points there.
        reference: String,
    },
    /// References that lead back to themselves.
    Loop {
        /// The first reference of the loop.
        reference: String,
    },
}

/// Follows references to the components of a document.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Resolver<'a> {
    doc: &'a OpenAPI,
    refs: &'a CheckedRefs,
}

/// A schema reached through a reference: its component name and the schema.
pub(crate) struct NamedSchema<'a> {
    pub(crate) name: &'a str,
    pub(crate) schema: &'a Schema,
}

impl<'a> Resolver<'a> {
    pub(crate) fn new(doc: &'a OpenAPI, refs: &'a CheckedRefs) -> Resolver<'a> {
        Resolver { doc, refs }
    }

    /// The component schema a `$ref` names, following references between components.
    pub(crate) fn schema(&self, reference: &str) -> Result<NamedSchema<'a>, RefProblem> {
        let schemas = self.doc.components.as_ref().map(|it| &it.schemas);
        let mut seen = BTreeSet::new();
        let mut current = reference;
        loop {
            let item = component_name(current, "schemas")
                .and_then(|name| schemas?.get_key_value(name.as_str()));
            let Some((name, item)) = item else { return Err(self.problem(current)) };
            if !seen.insert(name.as_str()) {
                return Err(RefProblem::Loop { reference: reference.to_owned() });
            }
            match item {
                ReferenceOr::Item(schema) => return Ok(NamedSchema { name, schema }),
                ReferenceOr::Reference { reference: next } => current = next,
            }
        }
    }

    /// The name of the component schema `reference` points to directly, without following it.
    pub(crate) fn schema_name(&self, reference: &str) -> Option<&'a str> {
        let name = component_name(reference, "schemas")?;
        let schemas = &self.doc.components.as_ref()?.schemas;
        schemas.get_key_value(name.as_str()).map(|(name, _)| name.as_str())
    }

    pub(crate) fn response(
        &self,
        it: &'a ReferenceOr<Response>,
    ) -> Result<&'a Response, RefProblem> {
        self.follow(it, |components| &components.responses, "responses")
    }

    pub(crate) fn request_body(
        &self,
        it: &'a ReferenceOr<RequestBody>,
    ) -> Result<&'a RequestBody, RefProblem> {
        self.follow(it, |components| &components.request_bodies, "requestBodies")
    }

    pub(crate) fn parameter(
        &self,
        it: &'a ReferenceOr<Parameter>,
    ) -> Result<&'a Parameter, RefProblem> {
        self.follow(it, |components| &components.parameters, "parameters")
    }

    fn follow<T>(
        &self,
        it: &'a ReferenceOr<T>,
        section: impl Fn(&'a openapiv3::Components) -> &'a indexmap::IndexMap<String, ReferenceOr<T>>,
        section_name: &str,
    ) -> Result<&'a T, RefProblem> {
        let first = match it {
            ReferenceOr::Item(item) => return Ok(item),
            ReferenceOr::Reference { reference } => reference.as_str(),
        };
        let mut seen = BTreeSet::new();
        let mut it = it;
        loop {
            match it {
                ReferenceOr::Item(item) => return Ok(item),
                ReferenceOr::Reference { reference } => {
                    let found = component_name(reference, section_name).and_then(|name| {
                        section(self.doc.components.as_ref()?).get_key_value(name.as_str())
                    });
                    let Some((name, next)) = found else { return Err(self.problem(reference)) };
                    if !seen.insert(name.as_str()) {
                        return Err(RefProblem::Loop { reference: first.to_owned() });
                    }
                    it = next;
                }
            }
        }
    }

    /// Why `reference` is not a component of the wanted kind.
    fn problem(&self, reference: &str) -> RefProblem {
        if self.refs.reported.contains(reference) {
            RefProblem::Reported
        } else {
            // It points into the document (or was not where `check_refs` looks, and is reported
            // where it is used).
            RefProblem::WrongTarget { reference: reference.to_owned() }
        }
    }
}

/// `Foo` for `#/components/<section>/Foo`, with the pointer's escapes (`~0`, `~1`, `%20`)
/// undone.
fn component_name(reference: &str, section: &str) -> Option<String> {
    match JsonPointer::parse_ref(reference)?.segments() {
        [components, it, name] if components == "components" && it == section => Some(name.clone()),
        _ => None,
    }
}

/// What kind of component, or of place, a reference points to, for messages (`a schema`);
/// `None` when it is not a kind references name.
pub(crate) fn describe_target(reference: &str) -> Option<&'static str> {
    let kinds = [
        ("schemas", "a schema"),
        ("responses", "a response"),
        ("parameters", "a parameter"),
        ("requestBodies", "a request body"),
        ("headers", "a header"),
        ("examples", "an example"),
        ("securitySchemes", "a security scheme"),
        ("links", "a link"),
        ("callbacks", "a callback"),
    ];
    let segments = JsonPointer::parse_ref(reference).map(|it| it.segments().to_vec());
    match segments.as_deref() {
        Some([components, section, _]) if components == "components" => {
            kinds.iter().find(|(name, _)| name == section).map(|(_, what)| *what)
        }
        Some(segments) => hoist::describe(segments),
        None => None,
    }
}

#[cfg(test)]
mod tests {
    use super::check_refs;
    use crate::diagnostic::Diagnostics;

    fn reported(tree: &serde_json::Value) -> Vec<String> {
        let mut acc = Diagnostics::default();
        let tree: crate::tree::Tree = serde_json::from_value(tree.clone()).unwrap();
        check_refs(&tree, &mut acc);
        acc.iter().map(|it| it.pointer.to_string()).collect()
    }

    #[test]
    fn reports_dangling_and_external_refs_but_not_data() {
        let tree = serde_json::json!({
            "components": {"schemas": {
                "A": {"$ref": "#/components/schemas/B"},
                "B": {"$ref": "other.yaml#/B", "example": {"$ref": "not a ref"}},
                "C": {"properties": {"x": {"$ref": "#/components/schemas/A"}}},
                "D": {"default": {"$ref": "data"}, "enum": [{"$ref": "data"}], "x-a": {"$ref": "x"}},
            }}
        });
        assert_eq!(reported(&tree), ["#/components/schemas/B/$ref"]);
    }

    #[test]
    fn properties_named_like_keywords_are_schemas() {
        let tree = serde_json::json!({
            "components": {"schemas": {"A": {"properties": {
                "example": {"$ref": "#/nowhere/1"},
                "default": {"$ref": "#/nowhere/2"},
                "x-b": {"$ref": "#/nowhere/3"},
                "properties": {"$ref": "#/nowhere/4"},
            }}}}
        });
        assert_eq!(
            reported(&tree),
            [
                "#/components/schemas/A/properties/default/$ref",
                "#/components/schemas/A/properties/example/$ref",
                "#/components/schemas/A/properties/properties/$ref",
                "#/components/schemas/A/properties/x-b/$ref",
            ]
        );
    }

    #[test]
    fn escaped_names_resolve() {
        let tree = serde_json::json!({
            "components": {"schemas": {"a/b": {}, "c~d": {}, "e f": {}}},
            "x": [{"$ref": "#/components/schemas/a~1b"}, {"$ref": "#/components/schemas/c~0d"},
                  {"$ref": "#/components/schemas/e%20f"}],
        });
        assert!(reported(&tree).is_empty());
    }
}
