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

/// What a place in an OpenAPI document holds, by its grammar: as far as references and the
/// translation of 3.1 need to know.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Node {
    Root,
    Paths,
    PathItem,
    Operation,
    Parameters,
    Parameter,
    RequestBody,
    /// The components' map of request bodies.
    RequestBodies,
    Responses,
    Response,
    Headers,
    Header,
    Content,
    MediaType,
    Schema,
    /// A map from names to schemas (`properties`).
    Schemas,
    /// A list of schemas (`allOf`).
    SchemaList,
    Components,
    Callbacks,
    Callback,
    Other,
}

/// What stands one step below a node of kind `node`, at `key`.
pub(crate) fn step(node: Node, key: &str) -> Node {
    const METHODS: [&str; 8] =
        ["get", "put", "post", "delete", "options", "head", "patch", "trace"];
    match (node, key) {
        (Node::Root, "paths") => Node::Paths,
        (Node::Root, "components") => Node::Components,
        (Node::Paths, _) | (Node::Callback, _) => Node::PathItem,
        (Node::PathItem, "parameters") | (Node::Operation, "parameters") => Node::Parameters,
        (Node::PathItem, method) if METHODS.contains(&method) => Node::Operation,
        (Node::Operation, "requestBody") => Node::RequestBody,
        (Node::Operation, "responses") => Node::Responses,
        (Node::Operation, "callbacks") => Node::Callbacks,
        (Node::Callbacks, _) => Node::Callback,
        (Node::Parameters, _) => Node::Parameter,
        (Node::Responses, _) => Node::Response,
        (Node::Parameter, "schema") | (Node::Header, "schema") | (Node::MediaType, "schema") => {
            Node::Schema
        }
        (Node::Parameter | Node::Header | Node::RequestBody | Node::Response, "content") => {
            Node::Content
        }
        (Node::Content, _) => Node::MediaType,
        (Node::Response, "headers") => Node::Headers,
        (Node::Headers, _) => Node::Header,
        (Node::Schema, "properties" | "$defs" | "definitions") => Node::Schemas,
        (Node::Schema, "items" | "additionalProperties" | "not") => Node::Schema,
        (Node::Schema, "allOf" | "oneOf" | "anyOf") => Node::SchemaList,
        (Node::Schemas | Node::SchemaList, _) => Node::Schema,
        (Node::Components, "schemas") => Node::Schemas,
        (Node::Components, "responses") => Node::Responses,
        (Node::Components, "parameters") => Node::Parameters,
        (Node::Components, "requestBodies") => Node::RequestBodies,
        (Node::RequestBodies, _) => Node::RequestBody,
        (Node::Components, "headers") => Node::Headers,
        (Node::Components, "callbacks") => Node::Callbacks,
        _ => Node::Other,
    }
}

/// The kind of the node at `segments`.
pub(crate) fn kind_at<S: AsRef<str>>(segments: &[S]) -> Node {
    segments.iter().fold(Node::Root, |node, key| step(node, key.as_ref()))
}
