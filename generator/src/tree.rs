//! The read tree: the document as `serde_yaml` reads it (YAML, or JSON), before `openapiv3`
//! types it, and what tells its parts apart. `load` builds and normalises it, `resolve` checks
//! its references; both walk it with what is here, so neither needs the other.

use crate::pointer::Segment;

/// The document as read: a YAML tree, which keeps the order of maps (properties are fields in
/// the spec's order). Every key is text.
pub(crate) type Tree = serde_yaml::Value;

/// The children of a node of the tree, each with the step down to it. A tagged value (`!tag`)
/// stands for the value it tags.
pub(crate) fn children(node: &Tree) -> Box<dyn Iterator<Item = (Segment<'_>, &Tree)> + '_> {
    match node {
        Tree::Mapping(map) => Box::new(
            map.iter().map(|(key, it)| (Segment::Key(key.as_str().unwrap_or_default()), it)),
        ),
        Tree::Sequence(items) => {
            Box::new(items.iter().enumerate().map(|(idx, it)| (Segment::Index(idx), it)))
        }
        Tree::Tagged(tagged) => children(&tagged.value),
        _ => Box::new(std::iter::empty()),
    }
}

/// Keys whose values are maps from names to objects.
pub(crate) const NAME_MAPS: &[&str] = &[
    "properties",
    "schemas",
    "responses",
    "parameters",
    "examples",
    "requestBodies",
    "headers",
    "securitySchemes",
    "links",
    "callbacks",
    "paths",
    "content",
    "encoding",
    "variables",
    "definitions",
];

/// Keys whose values are data (examples, defaults, enum values, extensions), not OpenAPI.
pub(crate) fn is_data(key: &str) -> bool {
    matches!(key, "example" | "default" | "enum" | "value" | "mapping") || key.starts_with("x-")
}
