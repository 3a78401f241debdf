//! `$ref`s to places that are not components: a schema inside another (`#/components/schemas/A/
//! properties/b`), an operation's response (`#/paths/~1a/get/responses/200`), a parameter of a
//! path (`#/paths/~1a/get/parameters/0`).
//!
//! Each such place, when it holds what the referring place needs (a schema where a schema
//! belongs), is moved into the components as one of its kind, named from its pointer, and both
//! it and every reference to it refer to the new component: the rest of the pipeline follows
//! component references only, and the place and its references share one type. Moved places
//! are remembered, so that a diagnostic inside one points at the place in the text
//! ([`Hoisted::relocate`]). A reference whose place holds something else (a response where a
//! schema belongs) is left as it is, for lowering to report.

use std::collections::{BTreeMap, BTreeSet};

use serde_yaml::Mapping;

use super::walk_refs;
use crate::{
    diagnostic::Diagnostics,
    pointer::{JsonPointer, Segment},
    tree::{Node, Tree, kind_at, step},
};

/// The components' section a node of this kind is moved into, for the kinds the generator
/// follows references to.
fn section(node: Node) -> Option<&'static str> {
    Some(match node {
        Node::Schema => "schemas",
        Node::Response => "responses",
        Node::Parameter => "parameters",
        Node::RequestBody => "requestBodies",
        _ => return None,
    })
}

/// What the place `target` points to holds, for messages (`a parameter`), when it is one of
/// the kinds references name.
pub(super) fn describe(target: &[String]) -> Option<&'static str> {
    Some(match kind_at(target) {
        Node::Schema => "a schema",
        Node::Response => "a response",
        Node::Parameter => "a parameter",
        Node::RequestBody => "a request body",
        Node::Header => "a header",
        Node::PathItem => "a path item",
        Node::Operation => "an operation",
        Node::MediaType => "a media type",
        _ => return None,
    })
}

/// The places moved into the components: each new component's pointer, and where it was.
#[derive(Debug, Default)]
pub(crate) struct Hoisted {
    /// By the new component's section and name (the pointer's last two segments; the first is
    /// `components`), where it was.
    moved: BTreeMap<(String, String), JsonPointer>,
}

impl Hoisted {
    /// Points every diagnostic inside a moved place at where it is in the text.
    pub(crate) fn relocate(&self, acc: &mut Diagnostics) {
        if self.moved.is_empty() {
            return;
        }
        acc.map_pointers(|ptr| {
            let [components, section, name, rest @ ..] = ptr.segments() else { return None };
            if components != "components" {
                return None;
            }
            let old = self.moved.get(&(section.clone(), name.clone()))?;
            Some(rest.iter().fold(old.clone(), |it, segment| it.join(segment)))
        });
        // A scalar moved is also kept where it was: what is said of both copies is said once.
        acc.dedup();
    }
}

/// Moves each place that a `$ref` of the right kind points to, and is not a component, into
/// the components (see the module's documentation).
pub(crate) fn hoist(tree: &mut Tree) -> Hoisted {
    let mut targets: BTreeMap<Vec<String>, Node> = BTreeMap::new();
    walk_refs(tree, &mut |site, reference| {
        let Some(target) = JsonPointer::parse_ref(reference) else { return };
        let target = target.segments();
        let kind = kind_at(target);
        let is_component = matches!(target, [components, _, _] if components == "components");
        if section(kind).is_some() && !is_component && kind_at(&owned(site)) == kind {
            targets.insert(target.to_vec(), kind);
        }
    });
    if targets.is_empty() {
        return Hoisted::default();
    }
    // The deepest first: a place inside another is moved before it, so that the outer place
    // takes a reference to it along.
    let mut order: Vec<(Vec<String>, Node)> = targets.into_iter().collect();
    order.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then_with(|| a.0.cmp(&b.0)));
    let mut taken = Taken::default();
    let mut renamed: BTreeMap<Vec<String>, String> = BTreeMap::new();
    let mut moved = BTreeMap::new();
    for (target, kind) in &order {
        let Some(section) = section(*kind) else { continue };
        // A reference to nothing was reported by `check_refs`; its pointer is not read again.
        if node_at(tree, target).is_none() {
            continue;
        }
        let name = unique_name(tree, section, &name_of(tree, target), &mut taken);
        let new = JsonPointer::root().join("components").join(section).join(&name);
        let Some(node) = node_mut(tree, target) else { continue };
        let value = if *kind == Node::Schema && is_plain_scalar(node) {
            // A scalar is the same Rust type wherever it stands, and a reference to a named
            // one loses its constraints' checks: the place keeps its own schema.
            node.clone()
        } else {
            let mut reference = Mapping::new();
            reference.insert(Tree::from("$ref"), Tree::from(new.to_string()));
            std::mem::replace(node, Tree::Mapping(reference))
        };
        insert_component(tree, section, name.clone(), value);
        let old = target.iter().fold(JsonPointer::root(), |it, segment| it.join(segment));
        renamed.insert(target.clone(), new.to_string());
        moved.insert((section.to_owned(), name), old);
    }
    rewrite_refs(tree, &renamed);
    rewrite_mappings(tree, &renamed);
    Hoisted { moved }
}

/// Whether `node` is a schema of a scalar type with no `enum` (and nothing that makes a type
/// of it): a copy of it is the same Rust type as the original.
fn is_plain_scalar(node: &Tree) -> bool {
    let Tree::Mapping(map) = node else { return false };
    let scalar = matches!(
        map.get("type").and_then(Tree::as_str),
        Some("string" | "integer" | "number" | "boolean")
    );
    let makes_type = ["enum", "$ref", "allOf", "oneOf", "anyOf", "not", "properties", "items"]
        .iter()
        .any(|key| map.contains_key(*key));
    scalar && !makes_type
}

/// Points every `$ref` to a moved place, where a node of its kind belongs, at its component.
fn rewrite_refs(tree: &mut Tree, renamed: &BTreeMap<Vec<String>, String>) {
    let mut sites = Vec::new();
    walk_refs(tree, &mut |site, reference| {
        let Some(target) = JsonPointer::parse_ref(reference) else { return };
        if let Some(new) = renamed.get(target.segments()) {
            let site = owned(site);
            if kind_at(&site) == kind_at(target.segments()) {
                sites.push((site, new.clone()));
            }
        }
    });
    for (site, new) in sites {
        if let Some(Tree::Mapping(map)) = node_mut(tree, &site) {
            map.insert(Tree::from("$ref"), Tree::from(new));
        }
    }
}

/// Points every discriminator `mapping` value that names a moved schema at its component (a
/// mapping is data to `walk_refs`, which does not read it).
fn rewrite_mappings(tree: &mut Tree, renamed: &BTreeMap<Vec<String>, String>) {
    let mut stack = vec![tree];
    while let Some(node) = stack.pop() {
        match node {
            Tree::Mapping(map) => {
                let mapping = map
                    .get_mut("discriminator")
                    .and_then(|it| it.get_mut("mapping"))
                    .and_then(Tree::as_mapping_mut);
                for (_, value) in mapping.into_iter().flatten() {
                    let target = value.as_str().and_then(JsonPointer::parse_ref);
                    if let Some(new) = target.and_then(|it| renamed.get(it.segments())) {
                        *value = Tree::from(new.clone());
                    }
                }
                stack.extend(map.iter_mut().map(|(_, it)| it));
            }
            Tree::Sequence(items) => stack.extend(items.iter_mut()),
            Tree::Tagged(it) => stack.push(&mut it.value),
            _ => {}
        }
    }
}

/// The steps of `path` as text.
fn owned(path: &[Segment<'_>]) -> Vec<String> {
    path.iter()
        .map(|it| match it {
            Segment::Key(key) => (*key).to_owned(),
            Segment::Index(idx) => idx.to_string(),
        })
        .collect()
}

/// The node at `segments`, to change it.
fn node_mut<'t>(tree: &'t mut Tree, segments: &[String]) -> Option<&'t mut Tree> {
    let mut node = tree;
    for segment in segments {
        while let Tree::Tagged(it) = node {
            node = &mut it.value;
        }
        node = match node {
            Tree::Mapping(map) => map.get_mut(segment.as_str())?,
            Tree::Sequence(items) => items.get_mut(segment.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(node)
}

fn insert_component(tree: &mut Tree, section: &str, name: String, value: Tree) {
    let Tree::Mapping(root) = tree else { return };
    let components =
        root.entry(Tree::from("components")).or_insert_with(|| Tree::Mapping(Mapping::new()));
    let Tree::Mapping(components) = components else { return };
    let section =
        components.entry(Tree::from(section)).or_insert_with(|| Tree::Mapping(Mapping::new()));
    if let Tree::Mapping(section) = section {
        section.insert(Tree::from(name), value);
    }
}

/// A component name for the place at `target`: its steps that say something, an operation
/// named by its `operationId` when it has one (`getCharger 200` for its 200 response's schema,
/// `profile birthDate` for a property).
fn name_of(tree: &Tree, target: &[String]) -> String {
    let mut words: Vec<&str> = Vec::new();
    let mut node = Node::Root;
    let mut named_by_id = false;
    for (idx, segment) in target.iter().enumerate() {
        let next = step(node, segment);
        let said = match (node, next) {
            (Node::Paths | Node::Callback, _) => {
                let operation = &target[..(idx + 2).min(target.len())];
                let id = (kind_at(operation) == Node::Operation)
                    .then(|| node_at(tree, operation)?.get("operationId")?.as_str())
                    .flatten();
                named_by_id = id.is_some();
                Some(id.unwrap_or(segment))
            }
            (Node::PathItem, Node::Operation) => (!named_by_id).then_some(segment.as_str()),
            (Node::Operation, Node::RequestBody) => Some(segment.as_str()),
            (Node::Schema, Node::Schema) => match segment.as_str() {
                "items" => Some("item"),
                "additionalProperties" => Some("value"),
                _ => None,
            },
            (Node::Root | Node::Components | Node::Operation | Node::Schema | Node::Content, _) => {
                None
            }
            (_, Node::Content | Node::Schemas | Node::SchemaList) => None,
            (Node::MediaType | Node::Parameter | Node::Header, Node::Schema) => None,
            _ => Some(segment.as_str()),
        };
        words.extend(said);
        node = next;
    }
    let name = words.join(" ");
    if name.trim().is_empty() { "inline".to_owned() } else { name }
}

/// The node at `segments`, read only.
fn node_at<'t>(tree: &'t Tree, segments: &[String]) -> Option<&'t Tree> {
    segments.iter().try_fold(tree, |mut node, segment| {
        while let Tree::Tagged(it) = node {
            node = &it.value;
        }
        match node {
            Tree::Mapping(map) => map.get(segment.as_str()),
            Tree::Sequence(items) => items.get(segment.parse::<usize>().ok()?),
            _ => None,
        }
    })
}

/// Component names already given, and the next number to try after each wanted name.
#[derive(Default)]
struct Taken {
    names: BTreeSet<(&'static str, String)>,
    next: BTreeMap<(&'static str, String), usize>,
}

/// `wanted`, or `wanted 2`, `wanted 3`…: the first that no component of `section` has.
fn unique_name(tree: &Tree, section: &'static str, wanted: &str, taken: &mut Taken) -> String {
    let existing = node_at(tree, &["components".to_owned(), section.to_owned()]);
    let Taken { names, next } = taken;
    let is_free = |name: &str| {
        !names.contains(&(section, name.to_owned()))
            && existing.and_then(|it| it.get(name)).is_none()
    };
    let mut name = wanted.to_owned();
    // Many places may want one name: each search starts where the last one for it ended.
    let n = next.entry((section, wanted.to_owned())).or_insert(2);
    while !is_free(&name) {
        name = format!("{wanted} {n}");
        *n += 1;
    }
    names.insert((section, name.clone()));
    name
}

#[cfg(test)]
mod tests {
    use crate::tree::{Node, kind_at};

    #[test]
    fn kinds_follow_the_grammar_of_openapi() {
        let kind = |ptr: &str| kind_at(crate::JsonPointer::parse_ref(ptr).unwrap().segments());
        assert_eq!(kind("#/paths/~1a/get/responses/200"), Node::Response);
        assert_eq!(
            kind("#/paths/~1a/get/responses/200/content/application~1json/schema"),
            Node::Schema
        );
        assert_eq!(kind("#/paths/~1a/parameters/0"), Node::Parameter);
        assert_eq!(kind("#/paths/~1a/post/parameters/1/schema"), Node::Schema);
        assert_eq!(kind("#/paths/~1a/post/requestBody"), Node::RequestBody);
        assert_eq!(kind("#/components/schemas/A/properties/b/items/allOf/0"), Node::Schema);
        assert_eq!(kind("#/components/schemas/A/properties/properties"), Node::Schema);
        assert_eq!(kind("#/components/requestBodies/A"), Node::RequestBody);
        assert_eq!(kind("#/components/requestBodies/A/content/a~1b/schema"), Node::Schema);
        assert_eq!(kind("#/components/responses/A/headers/X/schema"), Node::Schema);
        assert_eq!(kind("#/paths/~1a/get/summary"), Node::Other);
        assert_eq!(kind("#/info"), Node::Other);
    }
}
