//! Stage 2: `$ref` resolution.
//!
//! Every `$ref` in the document is checked once, up front, so that later stages can treat a
//! reference that does not resolve as already reported. The [`Resolver`] then follows references
//! to the components they name.

use openapiv3::{OpenAPI, Parameter, ReferenceOr, RequestBody, Response, Schema};
use serde_json::Value;

use crate::{
    diagnostic::{Diagnostics, Kind},
    pointer::JsonPointer,
};

/// How many references in a row may point to references before we call it a cycle.
const MAX_REF_CHAIN: usize = 32;

/// Reports every `$ref` that is external or points nowhere.
pub(crate) fn check_refs(tree: &Value, acc: &mut Diagnostics) {
    walk(tree, tree, &JsonPointer::root(), acc);
}

fn walk(root: &Value, node: &Value, ptr: &JsonPointer, acc: &mut Diagnostics) {
    match node {
        Value::Object(map) => {
            if let Some(Value::String(reference)) = map.get("$ref") {
                check_ref(root, reference, &ptr.join("$ref"), acc);
            }
            for (key, value) in map {
                // Examples and extensions are data: a `$ref` key inside them is not a reference.
                if key == "example" || key.starts_with("x-") {
                    continue;
                }
                walk(root, value, &ptr.join(key), acc);
            }
        }
        Value::Array(items) => {
            for (idx, item) in items.iter().enumerate() {
                walk(root, item, &ptr.join(idx), acc);
            }
        }
        _ => {}
    }
}

fn check_ref(root: &Value, reference: &str, ptr: &JsonPointer, acc: &mut Diagnostics) {
    let Some(target) = JsonPointer::parse_ref(reference) else {
        acc.error(
            Kind::UnresolvedRef,
            ptr.clone(),
            format!("unsupported: external `$ref` `{reference}`"),
        )
        .set_note(
            "only references within the document (`#/…`) are supported; inline or copy the target",
        );
        return;
    };
    let found = target.segments().iter().try_fold(root, |node, segment| match node {
        Value::Object(map) => map.get(segment),
        Value::Array(items) => segment.parse::<usize>().ok().and_then(|idx| items.get(idx)),
        _ => None,
    });
    if found.is_none() {
        acc.error(
            Kind::UnresolvedRef,
            ptr.clone(),
            format!("`$ref` `{reference}` points to nothing"),
        );
    }
}

/// Follows references to the components of a document.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Resolver<'a> {
    doc: &'a OpenAPI,
}

/// A schema reached through a reference: its component name and the schema.
pub(crate) struct NamedSchema<'a> {
    pub(crate) name: &'a str,
    pub(crate) schema: &'a Schema,
}

impl<'a> Resolver<'a> {
    pub(crate) fn new(doc: &'a OpenAPI) -> Resolver<'a> {
        Resolver { doc }
    }

    /// The component schema a `$ref` names, following references between components.
    /// `None` for references that do not name `#/components/schemas/<name>`.
    pub(crate) fn schema(&self, reference: &str) -> Option<NamedSchema<'a>> {
        let mut reference = reference;
        for _ in 0..MAX_REF_CHAIN {
            let name = component_name(reference, "schemas")?;
            let (name, item) = self.doc.components.as_ref()?.schemas.get_key_value(name)?;
            match item {
                ReferenceOr::Item(schema) => return Some(NamedSchema { name, schema }),
                ReferenceOr::Reference { reference: next } => reference = next,
            }
        }
        None
    }

    pub(crate) fn response(&self, it: &'a ReferenceOr<Response>) -> Option<&'a Response> {
        self.follow(it, |components| &components.responses, "responses")
    }

    pub(crate) fn request_body(&self, it: &'a ReferenceOr<RequestBody>) -> Option<&'a RequestBody> {
        self.follow(it, |components| &components.request_bodies, "requestBodies")
    }

    pub(crate) fn parameter(&self, it: &'a ReferenceOr<Parameter>) -> Option<&'a Parameter> {
        self.follow(it, |components| &components.parameters, "parameters")
    }

    fn follow<T>(
        &self,
        it: &'a ReferenceOr<T>,
        section: impl Fn(&'a openapiv3::Components) -> &'a indexmap::IndexMap<String, ReferenceOr<T>>,
        section_name: &str,
    ) -> Option<&'a T> {
        let mut it = it;
        for _ in 0..MAX_REF_CHAIN {
            match it {
                ReferenceOr::Item(item) => return Some(item),
                ReferenceOr::Reference { reference } => {
                    let name = component_name(reference, section_name)?;
                    it = section(self.doc.components.as_ref()?).get(name)?;
                }
            }
        }
        None
    }
}

/// `Foo` for `#/components/<section>/Foo`.
fn component_name<'r>(reference: &'r str, section: &str) -> Option<&'r str> {
    let rest = reference.strip_prefix("#/components/")?.strip_prefix(section)?.strip_prefix('/')?;
    (!rest.contains('/')).then_some(rest)
}

#[cfg(test)]
mod tests {
    use super::check_refs;
    use crate::diagnostic::Diagnostics;

    #[test]
    fn reports_dangling_and_external_refs_but_not_examples() {
        let tree = serde_json::json!({
            "components": {"schemas": {
                "A": {"$ref": "#/components/schemas/B"},
                "B": {"$ref": "other.yaml#/B", "example": {"$ref": "not a ref"}},
                "C": {"properties": {"x": {"$ref": "#/components/schemas/A"}}},
            }}
        });
        let mut acc = Diagnostics::default();
        check_refs(&tree, &mut acc);
        let messages: Vec<_> =
            acc.iter().map(|it| (it.pointer.to_string(), it.message.clone())).collect();
        assert_eq!(
            messages,
            [(
                "#/components/schemas/B/$ref".to_owned(),
                "unsupported: external `$ref` `other.yaml#/B`".to_owned()
            )]
        );
    }
}
