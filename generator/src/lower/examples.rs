//! The spec's examples against its own schemas. An example that leaves out a property its
//! schema requires contradicts the spec (OpenAI's and Anthropic's have a few): decoding it
//! fails, or, for a nullable property, reads `None` that encodes back as a `null` the example
//! never had. Each is reported, and its generated test is ignored with the reason.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::{
    diagnostic::{Diagnostics, Kind},
    ir,
    pointer::JsonPointer,
};

/// How deep an example is followed: examples are data, and bounded like the document.
const MAX_DEPTH: usize = 64;

/// Finds the examples that leave out a required property, and marks and reports each.
pub(super) fn check_examples(models: &mut [ir::Model], acc: &mut Diagnostics) {
    let index: BTreeMap<String, usize> = models
        .iter()
        .enumerate()
        .map(|(idx, it)| (it.rust_name.as_str().to_owned(), idx))
        .collect();
    let mut found = Vec::new();
    for (idx, model) in models.iter().enumerate() {
        let Some(example) = &model.example else { continue };
        let Ok(value) = serde_json::from_str::<Value>(&example.json) else { continue };
        let ty = ir::TypeRef::Named(model.rust_name.clone());
        if let Some(path) = missing(models, &index, &ty, &value, 0) {
            found.push((idx, path));
        }
    }
    for (idx, path) in found {
        let model = &mut models[idx];
        let ptr = JsonPointer::parse_ref(&model.pointer).unwrap_or_else(JsonPointer::root);
        acc.warning(
            Kind::Invalid,
            ptr.join("example"),
            format!("the example leaves out `{path}`, which the schema requires"),
        )
        .set_note("its generated test is ignored: the example contradicts the schema");
        if let Some(example) = &mut model.example {
            example.contradiction = Some(path);
        }
    }
}

/// The first property `value` leaves out that `ty` requires, as a path (`output/0/logprobs`).
fn missing(
    models: &[ir::Model],
    index: &BTreeMap<String, usize>,
    ty: &ir::TypeRef,
    value: &Value,
    depth: usize,
) -> Option<String> {
    if depth > MAX_DEPTH {
        return None;
    }
    let below = |ty: &ir::TypeRef, value: &Value| missing(models, index, ty, value, depth + 1);
    let within = |key: &str, path: String| Some(format!("{key}/{path}"));
    match (ty, value) {
        (ir::TypeRef::Nullable(inner), value) => below(inner, value),
        (ir::TypeRef::Vec(item), Value::Array(items)) => items
            .iter()
            .enumerate()
            .find_map(|(idx, it)| below(item, it).and_then(|path| within(&idx.to_string(), path))),
        (ir::TypeRef::Map(item), Value::Object(map)) => {
            map.iter().find_map(|(key, it)| below(item, it).and_then(|path| within(key, path)))
        }
        (ir::TypeRef::Named(name), value) => {
            let model = &models[*index.get(name.as_str())?];
            match &model.kind {
                ir::ModelKind::Struct(it) => {
                    let Value::Object(map) = value else { return None };
                    it.fields.iter().find_map(|field| match map.get(&field.wire_name) {
                        None if field.required => Some(field.wire_name.clone()),
                        None => None,
                        Some(it) => {
                            below(&field.ty, it).and_then(|path| within(&field.wire_name, path))
                        }
                    })
                }
                ir::ModelKind::Union(union) => {
                    let tag = union.discriminator.as_ref().and_then(|it| value.get(it)?.as_str());
                    match tag {
                        Some(tag) => {
                            let chosen = union
                                .variants
                                .iter()
                                .find(|it| it.tags.iter().any(|t| t == tag))?;
                            below(&chosen.ty, value)
                        }
                        // Without a tag, a value that no member takes whole is kept as it is
                        // (`Unknown`): nothing is required of it.
                        None => None,
                    }
                }
                ir::ModelKind::Alias(ty) => below(ty, value),
                ir::ModelKind::Newtype(it) => below(&it.ty, value),
                ir::ModelKind::StringEnum(_) | ir::ModelKind::IntEnum(_) => None,
            }
        }
        _ => None,
    }
}
