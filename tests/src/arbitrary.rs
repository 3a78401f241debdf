//! Random specs for property tests: built from the constructs the generator supports, with
//! names and texts a stranger could write, so that generation meets what no fixture holds.

use proptest::{collection::vec, prelude::*, sample::select};
use serde_json::{Map, Value, json};

/// Pieces of text that mean something to Markdown, rustdoc, rustc, terminals or TOML.
const NASTY: &[&str] = &[
    "```",
    "~~~",
    "````rust",
    "    ",
    "\n",
    "\n\n",
    "\r",
    "\r\n",
    "\t",
    "<div>",
    "</pre>",
    "<pre>",
    "<script>",
    "[a](b)",
    "[Vec]",
    "[x]: y",
    "https://example.com/a",
    "http://",
    "`",
    "``",
    "*",
    "**",
    "_",
    "- ",
    "1. ",
    "9) ",
    "> ",
    "# ",
    "#",
    "|",
    "---",
    "===",
    "\u{202e}",
    "\u{2066}",
    "\u{200b}",
    "\u{feff}",
    "\u{2028}",
    "&amp;",
    "&#96;",
    "\\",
    "[^1]",
    "![i](j)",
    "<!--",
    "-->",
    "*/",
    "/*",
    "//",
    "\"",
    "'",
    "{",
    "}",
    "\0",
    "\u{7f}",
    "\u{1b}[31m",
    "é",
    "e\u{301}",
    "Ⓐ",
    "²",
    "名前",
    "self",
    "Self",
    "type",
    "r#",
    "fn main() {}",
    "std::process::exit(1);",
    "=",
    "]]",
    "[[",
    "\u{85}",
    "%",
    "~0",
    "~1",
    "/",
    "#/components",
    " ",
    "x",
    "deal",
];

/// Text a stranger could write: arbitrary Unicode, or a run of the pieces above.
pub fn text() -> BoxedStrategy<String> {
    prop_oneof![
        1 => any::<String>(),
        3 => vec(select(NASTY), 0..12).prop_map(|it| it.concat()),
    ]
    .boxed()
}

/// A short name: arbitrary, or made of the pieces above, or plain.
pub fn name() -> BoxedStrategy<String> {
    prop_oneof![
        1 => "\\PC{1,12}",
        1 => vec(select(NASTY), 1..3).prop_map(|it| it.concat()),
        2 => "[a-zA-Z][a-zA-Z0-9_-]{0,10}",
    ]
    .boxed()
}

fn with_docs(mut schema: Value, description: Option<String>) -> Value {
    if let (Some(text), Some(map)) = (description, schema.as_object_mut()) {
        map.insert("description".to_owned(), Value::String(text));
    }
    schema
}

/// A reference to one of the components `C0` … `C{n-1}`.
fn reference(n_components: usize) -> BoxedStrategy<Value> {
    (0..n_components.max(1))
        .prop_map(|idx| json!({"$ref": format!("#/components/schemas/C{idx}")}))
        .boxed()
}

/// An object schema whose properties are `inner`.
fn object(inner: BoxedStrategy<Value>) -> BoxedStrategy<Value> {
    (vec((name(), inner), 0..5), any::<u8>(), any::<bool>())
        .prop_map(|(properties, required_mask, open)| {
            let required: Vec<_> = properties
                .iter()
                .enumerate()
                .filter(|(idx, _)| required_mask & (1 << (idx % 8)) != 0)
                .map(|(_, (name, _))| Value::String(name.clone()))
                .collect();
            let properties: Map<String, Value> = properties.into_iter().collect();
            let mut res = json!({"type": "object", "properties": properties});
            if !required.is_empty() {
                res["required"] = Value::Array(required);
            }
            if open {
                res["additionalProperties"] = Value::Bool(true);
            }
            res
        })
        .boxed()
}

/// A schema that may refer to the components `#/components/schemas/C0` … `C{n_components-1}`.
fn schema(n_components: usize) -> BoxedStrategy<Value> {
    let scalar = prop_oneof![
        select(vec!["string", "integer", "number", "boolean"]).prop_map(|it| json!({"type": it})),
        select(vec![
            ("string", "date-time"),
            ("string", "date"),
            ("string", "uuid"),
            ("string", "byte"),
            ("integer", "int32"),
            ("integer", "int64"),
            ("number", "float"),
            ("number", "double"),
        ])
        .prop_map(|(ty, format)| json!({"type": ty, "format": format})),
        vec(text(), 1..5).prop_map(|values| json!({"type": "string", "enum": values})),
        vec(any::<i64>(), 1..4).prop_map(|values| json!({"type": "integer", "enum": values})),
        Just(json!({})),
    ];
    let leaf = prop_oneof![3 => scalar, 2 => reference(n_components)];
    leaf.prop_recursive(3, 24, 4, move |inner| {
        let members = (0..n_components.max(1)).collect::<Vec<_>>();
        prop_oneof![
            2 => inner.clone().prop_map(|items| json!({"type": "array", "items": items})),
            1 => inner.clone().prop_map(|value| json!({"type": "object", "additionalProperties": value})),
            4 => object(inner.clone()),
            // Objects merged: inline ones, and at most one component (which may not be one).
            2 => (vec(object(inner.clone()), 1..3), proptest::option::of(reference(n_components)))
                .prop_map(|(mut members, reference)| {
                    members.extend(reference);
                    json!({"allOf": members})
                }),
            2 => (select(vec!["oneOf", "anyOf"]), vec(inner.clone(), 1..4))
                .prop_map(|(keyword, members)| json!({keyword: members})),
            1 => (proptest::sample::subsequence(members.clone(), 1..=members.len().min(3)), name())
                .prop_map(|(members, property)| {
                    let members: Vec<_> = members
                        .into_iter()
                        .map(|idx| json!({"$ref": format!("#/components/schemas/C{idx}")}))
                        .collect();
                    json!({"oneOf": members, "discriminator": {"propertyName": property}})
                }),
            1 => inner.clone().prop_map(with_nullable),
            1 => (inner, text()).prop_map(|(it, text)| with_docs(it, Some(text))),
        ]
    })
    .boxed()
}

fn with_nullable(mut schema: Value) -> Value {
    if let Some(map) = schema.as_object_mut() {
        map.insert("nullable".to_owned(), Value::Bool(true));
    }
    schema
}

/// A parameter of the operation at `path`, in one of the positions the generator supports.
fn parameter(n_components: usize) -> impl Strategy<Value = Value> {
    let scalar = prop_oneof![
        select(vec!["string", "integer", "boolean", "number"]).prop_map(|it| json!({"type": it})),
        vec(text(), 1..3).prop_map(|values| json!({"type": "string", "enum": values})),
        reference(n_components),
    ];
    (name(), select(vec!["query", "header"]), scalar, any::<bool>(), any::<bool>(), text()).prop_map(
        |(name, location, schema, required, array, description)| {
            let schema =
                if array && location == "query" { json!({"type": "array", "items": schema}) } else { schema };
            json!({"name": name, "in": location, "required": required, "schema": schema, "description": description})
        },
    )
}

/// An operation, with its path parameter `id`.
fn operation(n_components: usize) -> impl Strategy<Value = Value> {
    let body = prop_oneof![Just(None), schema(n_components).prop_map(Some)];
    let responses = vec(
        (
            select(vec!["200", "201", "204", "207", "2XX", "400", "404", "4XX", "5XX", "default"]),
            prop_oneof![Just(None), schema(n_components).prop_map(Some)],
            text(),
        ),
        1..4,
    );
    (
        prop_oneof![Just(None), name().prop_map(Some)],
        text(),
        text(),
        vec(parameter(n_components), 0..3),
        body,
        responses,
        any::<bool>(),
    )
        .prop_map(|(id, summary, description, mut parameters, body, responses, deprecated)| {
            parameters.insert(
                0,
                json!({"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}),
            );
            let mut op = json!({
                "summary": summary,
                "description": description,
                "parameters": parameters,
                "deprecated": deprecated,
                "responses": {},
            });
            if let Some(id) = id {
                op["operationId"] = Value::String(id);
            }
            if let Some(body) = body {
                op["requestBody"] =
                    json!({"required": true, "content": {"application/json": {"schema": body}}});
            }
            for (status, schema, description) in responses {
                let mut response = json!({"description": description});
                if let Some(schema) = schema {
                    response["content"] = json!({"application/json": {"schema": schema}});
                }
                op["responses"][status] = response;
            }
            op
        })
}

/// A whole spec: up to six components named `C0`… (each maybe renamed by `x-rust-name`),
/// up to three paths, and hostile text in the title, the descriptions and the enum values.
pub fn spec() -> impl Strategy<Value = Value> {
    (1..6_usize).prop_flat_map(|n| {
        (
            // Components are objects mostly, as in real specs; a component that is only a
            // reference to another often closes a loop.
            vec(
                (
                    prop_oneof![3 => object(schema(n)), 2 => schema(n)],
                    prop_oneof![3 => Just(None), 1 => name().prop_map(Some)],
                    text(),
                ),
                n,
            ),
            vec(
                (name(), select(vec!["get", "post", "put", "delete", "patch"]), operation(n)),
                0..4,
            ),
            text(),
            text(),
        )
            .prop_map(|(schemas, operations, title, description)| {
                let mut components = Map::new();
                for (idx, (mut schema, rust_name, description)) in schemas.into_iter().enumerate() {
                    if let (Some(name), Some(map)) = (rust_name, schema.as_object_mut()) {
                        map.insert("x-rust-name".to_owned(), Value::String(name));
                    }
                    components.insert(format!("C{idx}"), with_docs(schema, Some(description)));
                }
                let mut paths = Map::new();
                for (segment, method, op) in operations {
                    let path = format!("/{}/{{id}}", segment.replace(['{', '}', '/'], "_"));
                    let item = paths.entry(path).or_insert_with(|| json!({}));
                    item[method] = op;
                }
                json!({
                    "openapi": "3.0.3",
                    "info": {"title": title, "description": description, "version": "1"},
                    "servers": [{"url": "https://api.example.com/v1"}],
                    "paths": paths,
                    "components": {"schemas": components},
                })
            })
    })
}

/// A random OpenAPI 3.1 document: a random [`spec`], declared 3.1, with 3.1's keywords put in
/// its schemas where `choices` say (type lists for `nullable`, `const`, `examples`, numeric
/// exclusive bounds, `$ref` beside keywords, `$defs` and references into them, `$anchor`,
/// `$id` and `$dynamicAnchor` with references to them, loops and dangling ones among them, and
/// keywords the generator leaves out: `prefixItems`, `if`), and `webhooks` sometimes.
pub fn spec_31() -> impl Strategy<Value = Value> {
    (spec(), vec(any::<u8>(), 64), text()).prop_map(|(mut spec, choices, word)| {
        spec["openapi"] = json!("3.1.0");
        let mut next = choices.into_iter().cycle();
        if next.next().is_some_and(|it| it % 4 == 0) {
            spec["webhooks"] =
                json!({"hook": {"post": {"responses": {"200": {"description": word}}}}});
        }
        // The `$defs` that references below may point into.
        if let Some(Value::Object(first)) = spec["components"]["schemas"].get_mut("C0") {
            first.insert("$defs".to_owned(), json!({"D": {"type": "string", "maxLength": 3}}));
        }
        // Schemas only: the components', and those inside them.
        let mut stack: Vec<&mut Value> = match &mut spec["components"]["schemas"] {
            Value::Object(map) => map.values_mut().collect(),
            _ => Vec::new(),
        };
        while let Some(node) = stack.pop() {
            let Value::Object(map) = node else { continue };
            to_31(map, next.next().unwrap_or_default(), &word);
            for (key, value) in map.iter_mut() {
                match (key.as_str(), value) {
                    ("properties" | "$defs", Value::Object(schemas)) => {
                        stack.extend(schemas.values_mut());
                    }
                    ("allOf" | "oneOf" | "anyOf" | "prefixItems", Value::Array(schemas)) => {
                        stack.extend(schemas.iter_mut());
                    }
                    ("items" | "additionalProperties" | "not", schema @ Value::Object(_)) => {
                        stack.push(schema);
                    }
                    _ => {}
                }
            }
        }
        // The anchors and `$id`s the references above may name, left as they are.
        if let Value::Object(components) = &mut spec["components"]["schemas"] {
            components.insert(
                "Named".to_owned(),
                json!({
                    "type": "object",
                    "$defs": {
                        "A0": {"$anchor": "a0", "type": "integer"},
                        "A1": {"$anchor": "a1", "$dynamicAnchor": "meta", "type": "boolean"},
                        "S": {
                            "$id": "https://x.example/s0",
                            "type": "object",
                            "properties": {"p0": {"type": "string"}},
                            "$defs": {"E": {"$anchor": "e", "type": "number"}},
                        },
                    },
                }),
            );
        }
        spec
    })
}

/// One node of a schema, given 3.1's forms by `choice`.
fn to_31(map: &mut Map<String, Value>, choice: u8, word: &str) {
    if map.remove("nullable") == Some(Value::Bool(true)) {
        if let Some(Value::String(ty)) = map.get("type").cloned() {
            map.insert("type".to_owned(), json!([ty, "null"]));
        }
    }
    match choice % 16 {
        0 => {
            map.insert("const".to_owned(), json!(word));
        }
        1 => {
            map.insert("examples".to_owned(), json!([word, 1, null]));
        }
        2 => {
            map.insert("exclusiveMinimum".to_owned(), json!(f64::from(choice) - 100.0));
        }
        3 if map.contains_key("$ref") => {
            map.insert("description".to_owned(), json!(word));
            map.insert("type".to_owned(), json!(["object", "null"]));
        }
        4 => {
            map.insert("$defs".to_owned(), json!({"D": {"type": "string", "maxLength": 3}}));
        }
        5 => {
            map.insert("prefixItems".to_owned(), json!([{"type": "string"}, {"const": 1}]));
        }
        6 => {
            map.insert("$dynamicRef".to_owned(), json!("#meta"));
        }
        7 => {
            map.insert("if".to_owned(), json!({"required": ["a"]}));
            map.insert("then".to_owned(), json!({"required": ["b"]}));
        }
        8 => {
            map.insert("contentEncoding".to_owned(), json!("base64"));
        }
        9 => {
            map.insert("$ref".to_owned(), json!("#/components/schemas/C0/$defs/D"));
        }
        // Anchors, `$id`s and references to them: some name nothing, some the schema itself
        // (a loop), some another resource's anchor.
        10 => {
            map.insert("$anchor".to_owned(), json!(format!("a{}", choice % 3)));
        }
        11 => {
            map.insert("$ref".to_owned(), json!(format!("#a{}", choice / 16 % 2)));
        }
        12 => {
            map.insert("$dynamicAnchor".to_owned(), json!("meta"));
        }
        13 => {
            map.insert("$id".to_owned(), json!(format!("https://x.example/r{}", choice / 16 % 2)));
        }
        14 => {
            let reference = [
                "https://x.example/s0",
                "https://x.example/s0#e",
                "https://x.example/s0#/properties/p0",
            ][usize::from(choice % 3)];
            map.insert("$ref".to_owned(), json!(reference));
        }
        _ => {}
    }
}
