//! Synthetic specs of any size, for benchmarks: the generator's scaling (the criterion benches
//! in `tests/benches/`) and trying `codegen --spec` on a large spec by hand (the example
//! `synthetic_spec`).
//!
//! A spec of `n` component schemas has `2 n` operations (a `GET` with path, query and header
//! parameters that answers the schema, a `POST` that takes and answers it), one tag per 50
//! schemas, and schemas of the kinds real specs are made of: objects with scalars of every type
//! and format, an enum, an array, a map, an inline object and a `$ref` to the next schema (so a
//! chain of references runs through all of them, and with `cycle` the last refers back to the
//! first); every tenth an `allOf` that extends its predecessor, and every tenth a `oneOf` of two
//! neighbours. The text is JSON, deterministic for given arguments.

use serde_json::{Map, Value, json};

/// The shape of a synthetic spec.
#[derive(Clone, Copy, Debug)]
pub struct Shape {
    /// Component schemas.
    pub schemas: usize,
    /// Whether the chain of references closes into one cycle through every schema.
    pub cycle: bool,
}

impl Shape {
    /// `schemas` schemas referring to each other in one cycle.
    pub fn cyclic(schemas: usize) -> Shape {
        Shape { schemas, cycle: true }
    }

    /// `schemas` schemas in a chain of references, without a cycle.
    pub fn chain(schemas: usize) -> Shape {
        Shape { schemas, cycle: false }
    }

    /// The number of operations: two per schema.
    pub fn operations(&self) -> usize {
        2 * self.schemas
    }
}

fn schema_name(i: usize) -> String {
    format!("Thing{i:05}")
}

fn reference(i: usize) -> Value {
    json!({ "$ref": format!("#/components/schemas/{}", schema_name(i)) })
}

/// The spec, as JSON text.
pub fn spec(shape: Shape) -> String {
    let n = shape.schemas.max(1);
    let mut schemas = Map::new();
    let mut paths = Map::new();
    let mut tags = Vec::new();
    for i in 0..n {
        let name = schema_name(i);
        let next = if i + 1 < n {
            Some(i + 1)
        } else if shape.cycle {
            Some(0)
        } else {
            None
        };
        let mut properties = Map::new();
        properties.insert("id".into(), json!({ "type": "string", "description": "Unique id." }));
        properties.insert("name".into(), json!({ "type": "string", "maxLength": 200 }));
        properties
            .insert("count".into(), json!({ "type": "integer", "format": "int64", "minimum": 0 }));
        properties.insert("ratio".into(), json!({ "type": "number", "format": "double" }));
        properties.insert("active".into(), json!({ "type": "boolean", "nullable": true }));
        properties.insert("created_at".into(), json!({ "type": "string", "format": "date-time" }));
        properties.insert(
            "status".into(),
            json!({ "type": "string", "enum": ["open", "closed", "archived", "pending"] }),
        );
        properties.insert(
            "labels".into(),
            json!({ "type": "array", "items": { "type": "string" }, "maxItems": 50 }),
        );
        properties.insert(
            "properties".into(),
            json!({ "type": "object", "additionalProperties": { "type": "string" } }),
        );
        properties.insert(
            "owner".into(),
            json!({
                "type": "object",
                "required": ["login"],
                "properties": {
                    "login": { "type": "string" },
                    "site_admin": { "type": "boolean" },
                    "followers": { "type": "integer", "format": "int32" }
                }
            }),
        );
        if let Some(next) = next {
            properties.insert("next".into(), reference(next));
            properties
                .insert("related".into(), json!({ "type": "array", "items": reference(next) }));
        }
        let schema = match i % 10 {
            // Every tenth (from the ninth) refines its predecessor with `allOf`.
            8 => json!({
                "description": format!("Synthetic schema number {i}: its predecessor, extended."),
                "allOf": [
                    reference(i - 1),
                    {
                        "type": "object",
                        "properties": {
                            "extra": { "type": "string" },
                            "then": properties.get("next").cloned().unwrap_or(json!({ "type": "string" }))
                        }
                    }
                ]
            }),
            // Every tenth is one of its neighbours.
            9 => json!({
                "description": format!("Synthetic schema number {i}: one of two."),
                "oneOf": [reference(i - 2), reference(next.unwrap_or(i - 1))]
            }),
            _ => json!({
                "type": "object",
                "description": format!("Synthetic schema number {i}."),
                "required": ["id", "name"],
                "properties": properties,
            }),
        };
        schemas.insert(name, schema);

        let tag = format!("group{}", i / 50);
        if i % 50 == 0 {
            tags.push(json!({ "name": tag, "description": format!("Schemas {i} onwards.") }));
        }
        let response = |description: &str| {
            json!({
                "description": description,
                "content": { "application/json": { "schema": reference(i) } }
            })
        };
        let error = json!({
            "description": "Not found.",
            "content": { "application/json": { "schema": { "type": "object", "properties": {
                "message": { "type": "string" }
            } } } }
        });
        paths.insert(
            format!("/things{i}/{{thing_id}}"),
            json!({
                "get": {
                    "operationId": format!("get_thing{i}"),
                    "tags": [tag],
                    "summary": format!("Reads a thing of kind {i}."),
                    "parameters": [
                        { "name": "thing_id", "in": "path", "required": true, "schema": { "type": "string" } },
                        { "name": "limit", "in": "query", "schema": { "type": "integer", "maximum": 100 } },
                        { "name": "fields", "in": "query", "schema": { "type": "array", "items": { "type": "string" } } },
                        { "name": "X-Trace", "in": "header", "schema": { "type": "string" } }
                    ],
                    "responses": { "200": response("The thing."), "404": error }
                }
            }),
        );
        paths.insert(
            format!("/things{i}"),
            json!({
                "post": {
                    "operationId": format!("create_thing{i}"),
                    "tags": [tag],
                    "requestBody": {
                        "required": true,
                        "content": { "application/json": { "schema": reference(i) } }
                    },
                    "responses": { "201": response("Created.") }
                }
            }),
        );
    }
    let doc = json!({
        "openapi": "3.0.3",
        "info": { "title": "Synthetic", "version": "1.0.0" },
        "servers": [{ "url": "https://api.example.com" }],
        "tags": tags,
        "paths": paths,
        "components": { "schemas": schemas }
    });
    serde_json::to_string(&doc).expect("a JSON value always serializes")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_spec_has_the_shape_asked_for() {
        let text = spec(Shape::cyclic(20));
        let doc: Value = serde_json::from_str(&text).unwrap();
        let ops: usize = doc["paths"]
            .as_object()
            .unwrap()
            .values()
            .map(|it| it.as_object().unwrap().len())
            .sum();
        assert_eq!(ops, Shape::cyclic(20).operations());
        assert_eq!(doc["components"]["schemas"].as_object().unwrap().len(), 20);
        assert!(doc["components"]["schemas"]["Thing00018"]["allOf"].is_array());
        assert!(doc["components"]["schemas"]["Thing00019"]["oneOf"].is_array());
        assert_eq!(
            doc["components"]["schemas"]["Thing00019"]["oneOf"][1]["$ref"],
            "#/components/schemas/Thing00000"
        );
        assert_eq!(text, spec(Shape::cyclic(20)), "deterministic");
    }
}
