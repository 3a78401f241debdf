//! The schema's `xml` object (kept by `load` as the extension [`XML_EXTENSION`]): element and
//! attribute names, wrapped arrays, and the root element of an XML body.

use std::borrow::Borrow;

use openapiv3::{ReferenceOr, Schema, SchemaKind, Type};

use super::Lower;
use crate::{
    diagnostic::{Diagnostics, Kind, Severity},
    ir,
    load::XML_EXTENSION,
    pointer::JsonPointer,
};

/// What a schema's `xml` object says.
#[derive(Default)]
struct Xml {
    name: Option<String>,
    attribute: bool,
    wrapped: bool,
}

fn xml_of(schema: &Schema) -> Xml {
    let Some(object) = schema.schema_data.extensions.get(XML_EXTENSION) else {
        return Xml::default();
    };
    Xml {
        name: object
            .get("name")
            .and_then(serde_json::Value::as_str)
            .filter(|it| is_xml_name(it))
            .map(str::to_owned),
        attribute: object.get("attribute").and_then(serde_json::Value::as_bool) == Some(true),
        wrapped: object.get("wrapped").and_then(serde_json::Value::as_bool) == Some(true),
    }
}

/// Whether `name` can be an element or attribute name as it is written: letters, digits, `_`,
/// `-`, `.` and one `:` (a prefix), not starting with a digit, `-` or `.`. Others (a name
/// with spaces or `<`) are not used: the property's name is.
fn is_xml_name(name: &str) -> bool {
    let mut chars = name.chars();
    let first_ok = chars.next().is_some_and(|it| it.is_alphabetic() || it == '_');
    first_ok
        && name.chars().all(|it| it.is_alphanumeric() || matches!(it, '_' | '-' | '.' | ':'))
        && name.matches(':').count() <= 1
}

impl<'a> Lower<'a, '_> {
    /// The `xml` object of the property `prop`, and of its items when it is an array.
    pub(super) fn field_xml<S: Borrow<Schema>>(&self, prop: &ReferenceOr<S>) -> ir::FieldXml {
        let Some(schema) = self.schema_of(prop) else { return ir::FieldXml::default() };
        let own = match prop {
            ReferenceOr::Item(it) => xml_of(it.borrow()),
            // A property by reference takes the element name of the schema it refers to.
            ReferenceOr::Reference { .. } => {
                Xml { attribute: false, wrapped: false, ..xml_of(schema) }
            }
        };
        let item_name = match &schema.schema_kind {
            SchemaKind::Type(Type::Array(array)) => array
                .items
                .as_ref()
                .and_then(|it| self.schema_of(it))
                .and_then(|it| xml_of(it).name),
            _ => None,
        };
        ir::FieldXml {
            name: own.name,
            attribute: own.attribute,
            wrapped: own.wrapped,
            items_element: item_name,
        }
    }

    /// The root element of an XML body of `schema`: its `xml.name`, else the name of the
    /// component it refers to, else `fallback`.
    pub(super) fn xml_root(&self, schema: &ReferenceOr<Schema>, fallback: &str) -> String {
        let (own, component) = match schema {
            ReferenceOr::Item(it) => (xml_of(it).name, None),
            ReferenceOr::Reference { reference } => match self.resolver.schema(reference) {
                Ok(target) => (xml_of(target.schema).name, Some(target.name)),
                Err(_) => (None, None),
            },
        };
        own.or_else(|| component.filter(|it| is_xml_name(it)).map(str::to_owned))
            .unwrap_or_else(|| fallback.to_owned())
    }

    /// The schema `it` is, references followed.
    fn schema_of<'s, S: Borrow<Schema>>(&self, it: &'s ReferenceOr<S>) -> Option<&'s Schema>
    where
        'a: 's,
    {
        match it {
            ReferenceOr::Item(it) => Some(it.borrow()),
            ReferenceOr::Reference { reference } => {
                self.resolver.schema(reference).ok().map(|it| it.schema)
            }
        }
    }
}

/// Reports each XML body that holds what XML cannot describe: a union (read as a value of no
/// fixed shape, strings for every text, which may not decode as the member it is), or a
/// property whose name cannot be an element's. `models` are sorted by Rust name.
pub(super) fn check_xml_bodies(
    models: &[ir::Model],
    operations: &[ir::Operation],
    strict: bool,
    acc: &mut Diagnostics,
) {
    let severity = if strict { Severity::Error } else { Severity::Warning };
    for op in operations {
        let Some(ptr) = JsonPointer::parse_ref(&op.pointer) else { continue };
        let bodies = op.body.iter().flat_map(|it| &it.media);
        let requests = bodies
            .filter(|it| it.encoding == ir::Encoding::Xml)
            .map(|it| (ptr.join("requestBody").join("content").join(&it.media_type), &it.ty));
        let responses = op
            .successes
            .iter()
            .filter(|it| it.encoding == ir::Encoding::Xml)
            .filter_map(|it| Some((ptr.join("responses"), it.ty.as_ref()?)));
        for (at, ty) in requests.chain(responses) {
            if let Some(what) = undescribed(models, ty) {
                let what = what.as_str();
                acc.push(
                    severity,
                    Kind::Loosened,
                    at,
                    format!("an XML body holding {what}, which XML cannot describe"),
                )
                .set_note("a union is read as a value of no fixed shape, every text a string, which may not decode as the member it is");
            }
        }
    }
}

/// What in a value of `ty` XML cannot describe, if anything: a union, or a property whose name
/// cannot be an element's. (Maps and values of no fixed shape are read and written as
/// elements by name, as JSON's objects are.)
fn undescribed(models: &[ir::Model], ty: &ir::TypeRef) -> Option<String> {
    let mut seen = std::collections::BTreeSet::new();
    let mut queue = vec![ty];
    while let Some(ty) = queue.pop() {
        match ty {
            ir::TypeRef::Vec(inner) | ir::TypeRef::Nullable(inner) | ir::TypeRef::Map(inner) => {
                queue.push(inner);
            }
            ir::TypeRef::Named(name) => {
                if !seen.insert(name.as_str()) {
                    continue;
                }
                let Ok(idx) = models.binary_search_by(|it| it.rust_name.as_str().cmp(name)) else {
                    continue;
                };
                match &models[idx].kind {
                    ir::ModelKind::Union(_) => return Some("a `oneOf` or `anyOf`".to_owned()),
                    ir::ModelKind::Struct(it) => {
                        let names = it
                            .fields
                            .iter()
                            .map(|it| it.xml.name.as_ref().unwrap_or(&it.wire_name));
                        if let Some(bad) = names.into_iter().find(|it| !is_xml_name(it)) {
                            return Some(format!(
                                "the property {}, whose name cannot be an XML name (a value with it is refused before sending)",
                                crate::names::quoted(bad)
                            ));
                        }
                        queue.extend(it.fields.iter().map(|it| &it.ty));
                        queue.extend(it.additional.as_ref().map(|(_, ty)| ty));
                    }
                    ir::ModelKind::Alias(ty) => queue.push(ty),
                    ir::ModelKind::Newtype(it) => queue.push(&it.ty),
                    ir::ModelKind::StringEnum(_) | ir::ModelKind::IntEnum(_) => {}
                }
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::is_xml_name;

    #[test]
    fn only_names_xml_can_carry_are_used() {
        for good in ["pet", "Pet-Name", "a.b", "ns:tag", "_x", "été"] {
            assert!(is_xml_name(good), "{good}");
        }
        for bad in ["", "1a", "-a", "a b", "a<b", "a:b:c", "a\"b", "a>"] {
            assert!(!is_xml_name(bad), "{bad}");
        }
    }
}
