//! OpenAPI 3.1 read as the 3.0 model the pipeline lowers: a stage of `load`, on the tree,
//! before the typed read, for documents that say `openapi: 3.1.x`.
//!
//! Each change keeps what the document says: `const` is a one-value `enum`; `examples` gives
//! `example`; numeric `exclusiveMinimum`/`exclusiveMaximum` are 3.0's bound and flag; a schema
//! `$ref` with sibling keywords is `allOf: [$ref]` with those keywords (3.1 applies both, 3.0
//! ignored the siblings); `contentEncoding: base64` is `format: byte`. What 3.0's model cannot
//! hold is reported where it stands and left out (`webhooks`, `prefixItems`,
//! `patternProperties`…): a warning each, as for 3.0's own. A `type` listing several types is a
//! `oneOf` of one member per type; boolean schemas are maps (`false` is `not: {}`); `$ref`s to
//! anchors and `$id`s, and `$dynamicRef`s, become pointers where the document holds their
//! target. `type` lists of one type and `null`, which 3.0 documents also write, are normalised
//! afterwards by `load` for both versions.

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
    let mut anchors = Anchors::default();
    // What moves schemas (a `type` of several types makes members of them) goes first, so that
    // the places anchors are found at are where they stay.
    walk(tree, &mut |map, path, base| {
        const_to_enum(map);
        several_types(map);
        anchors.collect(map, path, base);
    });
    walk(tree, &mut |map, path, base| {
        anchors.follow(map, path, base, notes);
        schema(map, path, strict, notes);
    });
}

/// What [`walk`] calls on each schema: the schema, its path, and its base URI.
type Visit<'v> = dyn FnMut(&mut Mapping, &[String], Option<&str>) + 'v;

/// A node to walk: the node, what it is, its path, whether it is a map of names, the base URI
/// in effect there, and whether it is a schema's `additionalProperties` (where 3.0's own
/// booleans stand).
type Pending<'t> = (&'t mut Tree, Node, Vec<String>, bool, Option<std::rc::Rc<str>>, bool);

/// Applies `visit` to every schema of the document, found by OpenAPI's grammar, with its path
/// and the base URI its `$id` or an enclosing schema's gives (`None`: the document's); makes
/// boolean schemas maps first.
fn walk(tree: &mut Tree, visit: &mut Visit<'_>) {
    // An explicit stack: a document nested deeply must not overflow ours. Paths are kept as
    // owned steps: the nodes below are changed while their paths are held.
    let mut stack: Vec<Pending<'_>> = vec![(tree, Node::Root, Vec::new(), false, None, false)];
    while let Some((node, kind, path, in_names, base, additional)) = stack.pop() {
        let node = match node {
            Tree::Tagged(it) => &mut it.value,
            it => it,
        };
        // A boolean schema: `true` allows anything, `false` nothing (`not: {}`, which `lower`
        // reports and loosens). `additionalProperties` keeps 3.0's own booleans.
        if let Tree::Bool(allows) = node {
            if kind == Node::Schema && !in_names && !additional {
                let mut map = Mapping::new();
                if !*allows {
                    map.insert(Tree::from("not"), Tree::Mapping(Mapping::new()));
                }
                *node = Tree::Mapping(map);
            }
        }
        match node {
            Tree::Mapping(map) => {
                let mut base = base;
                if kind == Node::Schema && !in_names {
                    if let Some(id) = map.get("$id").and_then(Tree::as_str) {
                        base = Some(resolve_uri(base.as_deref(), id).into());
                    }
                    visit(map, &path, base.as_deref());
                }
                for (key, child) in map.iter_mut() {
                    let Some(key) = key.as_str() else { continue };
                    if !in_names && is_data(key) {
                        continue;
                    }
                    let names_below = !in_names && NAME_MAPS.contains(&key);
                    let additional =
                        kind == Node::Schema && !in_names && key == "additionalProperties";
                    let mut below = path.clone();
                    below.push(key.to_owned());
                    let child_kind = step(kind, key);
                    stack.push((child, child_kind, below, names_below, base.clone(), additional));
                }
            }
            Tree::Sequence(items) => {
                for (idx, child) in items.iter_mut().enumerate() {
                    let mut below = path.clone();
                    below.push(idx.to_string());
                    let kind = step(kind, &idx.to_string());
                    stack.push((child, kind, below, false, base.clone(), false));
                }
            }
            _ => {}
        }
    }
}

/// `reference` read against `base`, as far as a document without I/O needs: an absolute URI
/// (one with a scheme) stands alone; `#…` keeps the base; a path replaces the base's last
/// segment (`/…` its whole path). Dot segments are kept as written, so such references may
/// match no `$id` and are then reported by `resolve`.
fn resolve_uri(base: Option<&str>, reference: &str) -> String {
    let has_scheme = |it: &str| {
        it.split_once(':').is_some_and(|(scheme, _)| {
            scheme.starts_with(|c: char| c.is_ascii_alphabetic())
                && scheme.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        })
    };
    let base = base.map(|it| it.split('#').next().unwrap_or_default());
    match base {
        _ if has_scheme(reference) => reference.to_owned(),
        None => reference.to_owned(),
        Some(base) if reference.starts_with('#') || reference.is_empty() => {
            format!("{base}{reference}")
        }
        Some(base) if reference.starts_with('/') => {
            // The base's scheme and authority, then the reference's path.
            let after_scheme = base.find("://").map_or(0, |it| it + 3);
            let authority_end =
                base[after_scheme..].find('/').map_or(base.len(), |it| after_scheme + it);
            format!("{}{reference}", &base[..authority_end])
        }
        Some(base) => match base.rfind('/') {
            Some(slash) => format!("{}{reference}", &base[..=slash]),
            None => reference.to_owned(),
        },
    }
}

/// Where the document's schemas name themselves: `$id`s (their resolved URIs), `$anchor`s and
/// `$dynamicAnchor`s (by the URI of the resource they are in, `""` for the document).
#[derive(Default)]
struct Anchors {
    ids: std::collections::BTreeMap<String, Vec<String>>,
    anchors: std::collections::BTreeMap<(String, String), Vec<String>>,
    /// How many schemas name each dynamic anchor, wherever they are.
    dynamic: std::collections::BTreeMap<String, usize>,
    /// The paths of the schemas inside resources with an `$id`, which pointers from a
    /// resource's root may reach.
    in_resources: std::collections::BTreeSet<Vec<String>>,
}

impl Anchors {
    fn collect(&mut self, map: &mut Mapping, path: &[String], base: Option<&str>) {
        let resource = base.unwrap_or_default().split('#').next().unwrap_or_default().to_owned();
        if base.is_some() {
            self.in_resources.insert(path.to_vec());
        }
        if map.get("$id").and_then(Tree::as_str).is_some() {
            self.ids.entry(resource.clone()).or_insert_with(|| path.to_vec());
        }
        for key in ["$anchor", "$dynamicAnchor"] {
            if let Some(name) = map.get(key).and_then(Tree::as_str) {
                let at = (resource.clone(), name.to_owned());
                self.anchors.entry(at).or_insert_with(|| path.to_vec());
                if key == "$dynamicAnchor" {
                    *self.dynamic.entry(name.to_owned()).or_default() += 1;
                }
            }
        }
    }

    /// The path of the schema `reference` names, read against `base`; `None` when it names no
    /// place of the document this way (a pointer into the document is left to `resolve`).
    fn target(&self, reference: &str, base: Option<&str>) -> Option<Vec<String>> {
        let uri = resolve_uri(base, reference);
        let (resource, fragment) = uri.split_once('#').unwrap_or((&uri, ""));
        let root = match resource {
            "" => Vec::new(),
            it => self.ids.get(it)?.clone(),
        };
        if let Some(pointer) = fragment.strip_prefix('/') {
            // A pointer from the resource's root; from the document's, it is `resolve`'s.
            if resource.is_empty() {
                return None;
            }
            // Authors often mean the document's own pointer inside a resource: a pointer that
            // reaches no schema of the resource is left as the document's.
            let mut path = root;
            path.extend(
                JsonPointer::parse_ref(&format!("#/{pointer}"))?.segments().iter().cloned(),
            );
            return self.in_resources.contains(&path).then_some(path);
        }
        if fragment.is_empty() {
            return (!resource.is_empty()).then_some(root);
        }
        self.anchors.get(&(resource.to_owned(), fragment.to_owned())).cloned()
    }

    /// Rewrites the schema's `$ref` (and `$dynamicRef`) to a pointer where it names an `$id` or
    /// an anchor of the document.
    fn follow(
        &self,
        map: &mut Mapping,
        path: &[String],
        base: Option<&str>,
        notes: &mut Vec<Diagnostic>,
    ) {
        let pointer = |path: &[String]| {
            let segments: Vec<Segment<'_>> = path.iter().map(|it| Segment::Key(it)).collect();
            JsonPointer::from_path(&segments)
        };
        if let Some(reference) = map.get("$ref").and_then(Tree::as_str) {
            if let Some(target) = self.target(reference, base) {
                map.insert(Tree::from("$ref"), Tree::from(pointer(&target).to_string()));
            }
        }
        let Some(dynamic) = map.remove("$dynamicRef") else { return };
        let here = pointer(path).join("$dynamicRef");
        let reference = dynamic.as_str().unwrap_or_default();
        let name = reference.rsplit_once('#').map_or("", |it| it.1);
        let target = self.target(reference, base);
        let mut warn = |message: String, note: &str| {
            notes.push(Diagnostic {
                severity: Severity::Warning,
                kind: Kind::Unsupported,
                pointer: here.clone(),
                location: None,
                message,
                note: Some(note.to_owned()),
            });
        };
        match target {
            Some(_) if map.contains_key("$ref") => warn(
                format!("`$dynamicRef` `{reference}` beside a `$ref`"),
                "the `$ref` is followed; the dynamic reference is left out",
            ),
            Some(target) => {
                if self.dynamic.get(name).copied().unwrap_or_default() > 1 {
                    warn(
                        format!(
                            "`$dynamicRef` `{reference}`: several schemas name the dynamic anchor `{name}`"
                        ),
                        "it is followed to the one it names where it stands, as a `$ref`; which one an outer schema's scope would choose is not worked out",
                    );
                }
                map.insert(Tree::from("$ref"), Tree::from(pointer(&target).to_string()));
            }
            None => warn(
                format!("unsupported: `$dynamicRef` `{reference}` names no anchor of the document"),
                "it is left out: values it would refuse are accepted",
            ),
        }
    }
}

/// `const`, a one-value `enum`, typed by its value when the schema states no type.
fn const_to_enum(map: &mut Mapping) {
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
}

/// The keywords that apply to one type only, by type: each goes to that type's member when a
/// `type` list becomes a union.
const KEYWORDS_OF: &[(&str, &[&str])] = &[
    ("string", &["minLength", "maxLength", "pattern", "contentEncoding", "contentMediaType"]),
    ("number", &["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"]),
    ("integer", &["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"]),
    ("array", &["items", "minItems", "maxItems", "uniqueItems", "prefixItems"]),
    (
        "object",
        &[
            "properties",
            "required",
            "additionalProperties",
            "minProperties",
            "maxProperties",
            "patternProperties",
            "propertyNames",
        ],
    ),
];

/// `type` listing several types besides `null` (`[string, integer]`): a union of one member per
/// type, each with the keywords, the `enum` values and the `format` of its type; `null` stays
/// in the list, for `load` to read as `nullable`.
fn several_types(map: &mut Mapping) {
    let Some(Tree::Sequence(types)) = map.get("type") else { return };
    let named: Vec<String> = types.iter().filter_map(Tree::as_str).map(str::to_owned).collect();
    let kinds: Vec<&String> = named.iter().filter(|it| *it != "null").collect();
    // Beside a union already, that union says which values are which.
    if kinds.len() < 2 || map.contains_key("oneOf") || map.contains_key("anyOf") {
        return;
    }
    let has_integer = kinds.iter().any(|it| *it == "integer");
    // Whole numbers go to the integer member when there is one, so that it can be chosen.
    let of_kind = |kind: &str, value: &Tree| {
        let value = match value {
            Tree::Tagged(it) => &it.value,
            it => it,
        };
        match value {
            Tree::String(_) => kind == "string",
            Tree::Bool(_) => kind == "boolean",
            Tree::Number(it) if it.is_i64() || it.is_u64() => {
                kind == "integer" || (kind == "number" && !has_integer)
            }
            Tree::Number(_) => kind == "number",
            Tree::Sequence(_) => kind == "array",
            Tree::Mapping(_) => kind == "object",
            Tree::Null | Tree::Tagged(_) => false,
        }
    };
    let values = match map.get("enum") {
        Some(Tree::Sequence(values)) => Some(values.clone()),
        _ => None,
    };
    let format = map.get("format").and_then(Tree::as_str).map(str::to_owned);
    let format_kind = |format: &str| match format {
        "int32" | "int64" => "integer",
        "float" | "double" => "number",
        _ => "string",
    };
    let mut members = Vec::new();
    for kind in &kinds {
        let mut member = Mapping::new();
        member.insert(Tree::from("type"), Tree::from(kind.as_str()));
        let keywords = KEYWORDS_OF.iter().filter(|it| it.0 == kind.as_str()).flat_map(|it| it.1);
        for keyword in keywords {
            if let Some(value) = map.get(*keyword) {
                member.insert(Tree::from(*keyword), value.clone());
            }
        }
        if let Some(values) = &values {
            let mine: Vec<Tree> = values.iter().filter(|it| of_kind(kind, it)).cloned().collect();
            if mine.is_empty() {
                // No value of this type is allowed: the member goes.
                continue;
            }
            member.insert(Tree::from("enum"), Tree::Sequence(mine));
        }
        if let Some(format) = format.as_deref().filter(|it| format_kind(it) == kind.as_str()) {
            member.insert(Tree::from("format"), Tree::from(format));
        }
        members.push(Tree::Mapping(member));
    }
    for keyword in KEYWORDS_OF.iter().flat_map(|it| it.1).chain(&["enum", "format"]) {
        map.remove(*keyword);
    }
    let nulls: Vec<Tree> =
        named.iter().filter(|it| *it == "null").map(|_| Tree::from("null")).collect();
    if nulls.is_empty() {
        map.remove("type");
    } else {
        map.insert(Tree::from("type"), Tree::Sequence(nulls));
    }
    if let Some(values) = &values {
        if values.iter().any(|it| matches!(it, Tree::Null)) {
            map.insert(Tree::from("type"), Tree::Sequence(vec![Tree::from("null")]));
        }
    }
    if members.is_empty() {
        // No listed type has a value the `enum` allows: nothing is allowed, which `lower`
        // reports and loosens.
        map.insert(Tree::from("not"), Tree::Mapping(Mapping::new()));
        return;
    }
    map.insert(Tree::from("oneOf"), Tree::Sequence(members));
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
    for key in ["$schema", "$id", "$anchor", "$dynamicAnchor", "$comment"] {
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

#[cfg(test)]
mod tests {
    use super::resolve_uri;

    /// What moves schemas (a type list made a union) happens before anchors are found, so that
    /// an anchor inside still names its schema; a property named `additionalProperties` is a
    /// boolean schema like any other; `const` is applied before the type list is split.
    #[test]
    fn rewrites_that_move_schemas_keep_anchors_and_names_apart() {
        let spec = r#"
openapi: 3.1.0
info: {title: T, version: "1"}
paths: {}
components:
  schemas:
    Box:
      type: object
      additionalProperties: false
      properties:
        additionalProperties: true
        list:
          type: [array, string]
          items: {$anchor: item, type: integer}
        ref: {$ref: '#item'}
        c: {type: [string, integer], const: 5}
"#;
        let options = crate::Options { strict: true, features: false };
        let generated = crate::generate(spec, "t.yaml", options).unwrap();
        let models = &generated.models;
        assert!(models.contains("pub r#ref: Option<BoxList0Item>"), "{models}");
        assert!(models.contains("pub type BoxList0Item = i64;"), "{models}");
        assert!(
            models.contains("pub additional_properties: Option<::serde_json::Value>"),
            "{models}"
        );
        // `const: 5` leaves the integer member alone: an integer enum.
        assert!(models.contains("crate::runtime::enums::int_enum! {"), "{models}");
        assert!(generated.warnings.is_empty(), "{:?}", generated.warnings);
    }

    /// A type list with an `enum` splits the values by type: whole numbers to the integer
    /// member, lists to the array one, maps to the object one; when no listed type has a value,
    /// nothing is allowed, which is reported.
    #[test]
    fn enum_values_go_to_the_member_of_their_type() {
        let spec = r#"
openapi: 3.1.0
info: {title: T, version: "1"}
paths: {}
components:
  schemas:
    A: {type: [integer, number], enum: [1, 2.5]}
    B: {type: [string, integer], enum: [true]}
    C: {type: [array, object], enum: [[1]]}
"#;
        let options = crate::Options { strict: false, features: false };
        let generated = crate::generate(spec, "t.yaml", options).unwrap();
        let models = &generated.models;
        assert!(models.contains("pub enum AVariant1 {"), "an integer enum member: {models}");
        assert!(models.contains("    Number(f64),"), "{models}");
        // `C` keeps its array member alone: an alias of the list.
        assert!(models.contains("pub type C = Vec<"), "{models}");
        let pointers: Vec<String> =
            generated.warnings.iter().map(|it| it.pointer.to_string()).collect();
        assert_eq!(pointers, ["#/components/schemas/B/not"]);
    }

    #[test]
    fn references_are_read_against_the_enclosing_id() {
        let base = Some("https://x.example/schemas/order");
        assert_eq!(resolve_uri(base, "line"), "https://x.example/schemas/line");
        assert_eq!(resolve_uri(base, "#sku"), "https://x.example/schemas/order#sku");
        assert_eq!(resolve_uri(base, "/other"), "https://x.example/other");
        assert_eq!(resolve_uri(base, "urn:uuid:1"), "urn:uuid:1");
        assert_eq!(resolve_uri(Some("https://x.example/a#frag"), "b"), "https://x.example/b");
        assert_eq!(resolve_uri(None, "#sku"), "#sku");
        assert_eq!(resolve_uri(None, "line"), "line");
        // A base without a path: a path reference starts at its root.
        assert_eq!(resolve_uri(Some("https://x.example"), "/line"), "https://x.example/line");
    }
}
