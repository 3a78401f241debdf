//! OpenAPI 3.1 read as the 3.0 model the pipeline lowers: a stage of `load`, on the tree,
//! before the typed read, for documents that say `openapi: 3.1.x`.
//!
//! Each change keeps what the document says: `const` is a one-value `enum`; `examples` gives
//! `example`; numeric `exclusiveMinimum`/`exclusiveMaximum` are 3.0's bound and flag; a schema
//! `$ref` with sibling keywords is `allOf: [$ref]` with those keywords (3.1 applies both, 3.0
//! ignored the siblings); `contentEncoding: base64` is `format: byte`. What 3.0's model cannot
//! hold is reported where it stands and left out (`webhooks`, `prefixItems`,
//! `patternProperties`…): a warning each, as for 3.0's own. `type` lists and `null` types,
//! which 3.0 documents also write, are normalised afterwards by `load` for both versions.

use serde_yaml::Mapping;

use crate::{
    diagnostic::{Diagnostic, Kind, Severity},
    pointer::{JsonPointer, Segment},
    tree::{NAME_MAPS, Node, Tree, is_data, step},
};

/// The JSON Schema dialect of OpenAPI 3.1, which `jsonSchemaDialect` may name.
const DEFAULT_DIALECT: &str = "https://spec.openapis.org/oas/3.1/dialect/base";

/// Schema keywords of JSON Schema 2020-12 that no Rust type of the generator holds: each is
/// reported and left out (the values it would refuse are accepted).
const IGNORED: &[(&str, &str)] = &[
    ("prefixItems", "a tuple's items by position"),
    ("patternProperties", "properties by the pattern of their names"),
    ("propertyNames", "a schema of property names"),
    ("unevaluatedProperties", "properties no other keyword evaluated"),
    ("unevaluatedItems", "items no other keyword evaluated"),
    ("dependentRequired", "properties required when another is present"),
    ("dependentSchemas", "schemas that apply when a property is present"),
    ("if", "a conditional schema"),
    ("then", "a conditional schema"),
    ("else", "a conditional schema"),
    ("contains", "an item that must be present"),
    ("minContains", "a count of items that must be present"),
    ("maxContains", "a count of items that must be present"),
    ("$dynamicRef", "a dynamic reference"),
    ("$dynamicAnchor", "a dynamic anchor"),
];

/// Rewrites the 3.1 document `tree` into 3.0's model, reporting in `notes` what it leaves out.
///
/// 3.0's own keywords that 3.1 dropped (`nullable`, boolean `exclusiveMinimum`) are read as
/// 3.0 reads them, with a warning, or refused under `strict`.
pub(crate) fn downgrade(tree: &mut Tree, strict: bool, notes: &mut Vec<Diagnostic>) {
    let Tree::Mapping(root) = tree else { return };
    let warn = |notes: &mut Vec<Diagnostic>, ptr: JsonPointer, message: String, note: &str| {
        notes.push(Diagnostic {
            severity: Severity::Warning,
            kind: Kind::Unsupported,
            pointer: ptr,
            location: None,
            message,
            note: Some(note.to_owned()),
        });
    };
    if root.contains_key("webhooks") {
        warn(
            notes,
            JsonPointer::root().join("webhooks"),
            "unsupported: `webhooks`".to_owned(),
            "they describe requests the server makes, which a client does not send; they are not generated",
        );
        root.remove("webhooks");
    }
    if let Some(dialect) = root.get("jsonSchemaDialect").and_then(Tree::as_str) {
        if dialect != DEFAULT_DIALECT {
            warn(
                notes,
                JsonPointer::root().join("jsonSchemaDialect"),
                format!("unsupported: the JSON Schema dialect `{dialect}`"),
                "schemas are read as OpenAPI 3.1's own dialect",
            );
        }
    }
    // Required in 3.1 as in 3.0, but real documents leave it out (Anthropic's).
    if let Some(Tree::Mapping(info)) = root.get_mut("info") {
        if !info.contains_key("version") {
            notes.push(Diagnostic {
                severity: Severity::Warning,
                kind: Kind::Invalid,
                pointer: JsonPointer::root().join("info"),
                location: None,
                message: "`info.version` is missing".to_owned(),
                note: Some("it is read as empty".to_owned()),
            });
            info.insert(Tree::from("version"), Tree::from(""));
        }
    }
    // A document of webhooks alone has no `paths`, which 3.0 requires.
    if !root.contains_key("paths") {
        root.insert(Tree::from("paths"), Tree::Mapping(Mapping::new()));
    }
    if let Some(Tree::Mapping(components)) = root.get_mut("components") {
        if components.remove("pathItems").is_some() {
            warn(
                notes,
                JsonPointer::root().join("components").join("pathItems"),
                "unsupported: `components.pathItems`".to_owned(),
                "path items are read where the document's paths hold them; these are not generated",
            );
        }
    }
    walk(tree, strict, notes);
}

/// Applies [`schema`] to every schema of the document, found by OpenAPI's grammar.
fn walk(tree: &mut Tree, strict: bool, notes: &mut Vec<Diagnostic>) {
    // An explicit stack: a document nested deeply must not overflow ours. Paths are kept as
    // owned steps: the nodes below are changed while their paths are held.
    let mut stack: Vec<(&mut Tree, Node, Vec<String>, bool)> =
        vec![(tree, Node::Root, Vec::new(), false)];
    while let Some((node, kind, path, in_names)) = stack.pop() {
        let node = match node {
            Tree::Tagged(it) => &mut it.value,
            it => it,
        };
        match node {
            Tree::Mapping(map) => {
                if kind == Node::Schema && !in_names {
                    schema(map, &path, strict, notes);
                }
                for (key, child) in map.iter_mut() {
                    let Some(key) = key.as_str() else { continue };
                    if !in_names && is_data(key) {
                        continue;
                    }
                    let names_below = !in_names && NAME_MAPS.contains(&key);
                    let mut below = path.clone();
                    below.push(key.to_owned());
                    stack.push((child, step(kind, key), below, names_below));
                }
            }
            Tree::Sequence(items) => {
                for (idx, child) in items.iter_mut().enumerate() {
                    let mut below = path.clone();
                    below.push(idx.to_string());
                    stack.push((child, step(kind, &idx.to_string()), below, false));
                }
            }
            _ => {}
        }
    }
}

/// One schema, rewritten into 3.0's keywords.
fn schema(map: &mut Mapping, path: &[String], strict: bool, notes: &mut Vec<Diagnostic>) {
    let here = || {
        let segments: Vec<Segment<'_>> = path.iter().map(|it| Segment::Key(it)).collect();
        JsonPointer::from_path(&segments)
    };
    // 3.0's keywords, which 3.1 dropped: read as 3.0 reads them, unless `--strict`.
    let boolean = |key: &str| matches!(map.get(key), Some(Tree::Bool(_)));
    let breaks = [
        (
            map.contains_key("nullable"),
            "nullable",
            "`nullable` is OpenAPI 3.0's; 3.1 writes `type: [T, \"null\"]`",
        ),
        (
            boolean("exclusiveMinimum"),
            "exclusiveMinimum",
            "a boolean `exclusiveMinimum` is OpenAPI 3.0's; 3.1 gives the bound itself",
        ),
        (
            boolean("exclusiveMaximum"),
            "exclusiveMaximum",
            "a boolean `exclusiveMaximum` is OpenAPI 3.0's; 3.1 gives the bound itself",
        ),
    ];
    for (_, key, message) in breaks.into_iter().filter(|it| it.0) {
        notes.push(Diagnostic {
            severity: if strict { Severity::Error } else { Severity::Warning },
            kind: Kind::Invalid,
            pointer: here().join(key),
            location: None,
            message: message.to_owned(),
            note: Some(if strict {
                "write it as 3.1 does, or declare `openapi: 3.0.3`".to_owned()
            } else {
                "it is read as OpenAPI 3.0 reads it".to_owned()
            }),
        });
    }
    // `$ref` beside other keywords: both apply.
    if map.contains_key("$ref") && map.len() > 1 {
        let reference = map.remove("$ref").unwrap_or(Tree::Null);
        let mut member = Mapping::new();
        member.insert(Tree::from("$ref"), reference);
        let all_of = match map.remove("allOf") {
            Some(Tree::Sequence(mut items)) => {
                items.insert(0, Tree::Mapping(member));
                items
            }
            _ => vec![Tree::Mapping(member)],
        };
        map.insert(Tree::from("allOf"), Tree::Sequence(all_of));
    }
    if let Some(value) = map.remove("const") {
        // The value's own type, when the schema states none (`kind: {const: pet}`, a tag).
        let typ = match &value {
            Tree::String(_) => Some("string"),
            Tree::Bool(_) => Some("boolean"),
            Tree::Number(it) if it.is_i64() || it.is_u64() => Some("integer"),
            Tree::Number(_) => Some("number"),
            _ => None,
        };
        if let (false, Some(typ)) = (map.contains_key("type"), typ) {
            map.insert(Tree::from("type"), Tree::from(typ));
        }
        if !map.contains_key("enum") {
            map.insert(Tree::from("enum"), Tree::Sequence(vec![value]));
        }
    }
    if let Some(Tree::Sequence(mut examples)) = map.remove("examples") {
        if !map.contains_key("example") && !examples.is_empty() {
            map.insert(Tree::from("example"), examples.swap_remove(0));
        }
    }
    for (exclusive, bound, inward) in [
        ("exclusiveMinimum", "minimum", std::cmp::Ordering::Greater),
        ("exclusiveMaximum", "maximum", std::cmp::Ordering::Less),
    ] {
        let Some(Tree::Number(limit)) = map.get(exclusive).cloned() else { continue };
        // Beside an inclusive bound, the narrower of the two.
        let inclusive = map.get(bound).and_then(Tree::as_f64);
        let exclusive_wins = match (limit.as_f64(), inclusive) {
            (Some(it), Some(other)) => it.partial_cmp(&other) != Some(inward.reverse()),
            _ => true,
        };
        if exclusive_wins {
            map.insert(Tree::from(bound), Tree::Number(limit));
            map.insert(Tree::from(exclusive), Tree::Bool(true));
        } else {
            map.remove(exclusive);
        }
    }
    if let Some(encoding) = map.remove("contentEncoding") {
        if encoding.as_str().is_some_and(|it| it.eq_ignore_ascii_case("base64")) {
            map.entry(Tree::from("format")).or_insert_with(|| Tree::from("byte"));
        }
    }
    if map.remove("contentMediaType").is_some() && !map.contains_key("format") {
        // Content of a media type, in a string: its bytes, as 3.0 wrote them.
        map.insert(Tree::from("format"), Tree::from("binary"));
    }
    for key in ["$schema", "$id", "$anchor", "$comment"] {
        map.remove(key);
    }
    for (key, what) in IGNORED {
        if map.remove(*key).is_some() {
            notes.push(Diagnostic {
                severity: Severity::Warning,
                kind: Kind::Unsupported,
                pointer: here().join(key),
                location: None,
                message: format!("unsupported: `{key}` ({what})"),
                note: Some("it is left out: values it would refuse are accepted".to_owned()),
            });
        }
    }
}
