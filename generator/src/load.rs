//! Stage 1: text to an OpenAPI document.
//!
//! Reads YAML or JSON (JSON when the first character is `{`). Reports syntax errors and
//! documents that do not have the shape of OpenAPI 3.0, with their line and column.

use openapiv3::{OpenAPI, Operation, Parameter, PathItem, ReferenceOr};
use serde_yaml::Mapping;

use crate::{
    diagnostic::{Diagnostic, Kind, Location, Severity},
    pointer::{JsonPointer, Segment},
    tree::{NAME_MAPS, Tree, children, is_data},
};

/// How deeply a document may nest maps and lists. Real specs stay below 30 (HubSpot's: 10 to
/// 14). The typed reading of `openapiv3` recurses with large frames (`serde`'s flatten and
/// untagged enums buffer each level), so a deeper document could exhaust a thread's stack
/// instead of getting a diagnostic: at this bound it needs about 1 MiB in a debug build.
pub(crate) const MAX_DEPTH: usize = 64;

/// A document read and made readable, not yet typed.
#[derive(Debug)]
pub(crate) struct Loaded {
    /// The document as read.
    pub(crate) tree: Tree,
    /// What was read differently from how it is written (a number too large, a `type` list):
    /// warnings.
    pub(crate) notes: Vec<Diagnostic>,
}

/// Reads `text` as a tree: YAML, or JSON when the first character is `{`.
///
/// What `openapiv3`'s types cannot hold is made readable (with a note each), and documents
/// that are not OpenAPI 3.0, or nest too deeply, are refused. [`typed`] reads the document's
/// types from the tree; until then the tree is the one form of the document in memory.
///
/// Under `strict`, a document that breaks the version it declares (a 3.0 document with a
/// `type` list, a 3.1 one with `nullable`) is refused; else each break is a warning.
pub(crate) fn load(text: &str, strict: bool) -> Result<Loaded, Diagnostic> {
    let mut notes = Vec::new();
    let mut tree: Tree = if is_json(text) {
        let (text, clamped) = clamp_json_numbers(text);
        notes.extend(clamped.into_iter().map(|(location, number)| clamped_note(location, &number)));
        serde_json::from_str(&text).map_err(|err| json_error(&err))?
    } else {
        // `serde_yaml` reads the whole document before it checks depth, and reads deep flow
        // nesting (`[[[[…`) in quadratic time: 100 000 levels took minutes. An event parser
        // that stops at the bound goes first.
        check_yaml_depth(text)?;
        let clamped = std::cell::Cell::new(0);
        let deserializer = serde_yaml::Deserializer::from_str(text);
        let tree = serde::de::DeserializeSeed::deserialize(Lenient(&clamped), deserializer)
            .map_err(|err| yaml_error(&err))?;
        if clamped.get() > 0 {
            notes.push(
                warning("#", &format!("{} numbers are beyond a 64-bit float", clamped.get()))
                    .with_note(
                        "each is read as the largest float of its sign (or `null` for `.nan`)",
                    ),
            );
        }
        tree
    };
    let v31 = check_version(&tree)?;
    check_depth(&tree)?;
    if v31 {
        crate::v31::downgrade(&mut tree, strict, &mut notes);
    }
    normalise(&mut tree, &mut Vec::new(), false, Reading { v31, strict }, &mut notes);
    Ok(Loaded { tree, notes })
}

/// A typed document.
#[derive(Debug)]
pub(crate) struct Typed {
    /// The document, without its path items (`doc.paths.paths` is empty): they are in `paths`.
    pub(crate) doc: OpenAPI,
    /// The path items, in the spec's order.
    pub(crate) paths: Vec<(String, ReferenceOr<PathOperations>)>,
}

/// What the generator reads of a path item: its operations and the parameters they share.
///
/// `openapiv3::PathItem` holds a slot for each of the eight methods, 12 KB however many are
/// used: 120 MB for a spec of 10,000 paths.
#[derive(Debug, PartialEq)]
pub(crate) struct PathOperations {
    /// The operations by method, in the order of `openapiv3::PathItem::iter`.
    pub(crate) operations: Vec<(&'static str, Operation)>,
    /// The parameters of every operation of the path.
    pub(crate) parameters: Vec<ReferenceOr<Parameter>>,
}

impl From<PathItem> for PathOperations {
    fn from(item: PathItem) -> PathOperations {
        // Its summary, description and servers are not used; no code depends on them.
        let PathItem { get, put, post, delete, options, head, patch, trace, parameters, .. } = item;
        let methods = [
            ("get", get),
            ("put", put),
            ("post", post),
            ("delete", delete),
            ("options", options),
            ("head", head),
            ("patch", patch),
            ("trace", trace),
        ];
        let operations = methods.into_iter().filter_map(|(it, op)| Some((it, op?))).collect();
        PathOperations { operations, parameters }
    }
}

/// A path item as the generator keeps it.
fn compact(item: ReferenceOr<PathItem>) -> ReferenceOr<PathOperations> {
    match item {
        ReferenceOr::Item(it) => ReferenceOr::Item(PathOperations::from(it)),
        ReferenceOr::Reference { reference } => ReferenceOr::Reference { reference },
    }
}

/// Reads the OpenAPI document from `tree`, which was read from `text`.
///
/// The tree is read by value: its strings move into the document instead of being copied, and
/// its parts are freed as they are read.
pub(crate) fn typed(mut tree: Tree, text: &str) -> Result<Typed, Diagnostic> {
    let located = |tree_err: serde_yaml::Error| {
        // Read from the text again for the error's line: serde reports shape errors with a
        // position only when it reads the text itself.
        let located = if is_json(text) {
            serde_json::from_str::<OpenAPI>(text).err().map(|err| json_error(&err))
        } else {
            serde_yaml::from_str::<OpenAPI>(text).err().map(|err| yaml_error(&err))
        };
        located.unwrap_or_else(|| {
            syntax(None, format!("invalid document: {}", strip_location(&tree_err.to_string())))
        })
    };
    // `openapiv3` reads the path items through `#[serde(flatten)]`, which first copies all of
    // them into serde's buffer, then into a map that grows by doubling, of `PathItem`s: with
    // thousands of operations, the largest peak of memory of the whole run. They are read here
    // instead, one at a time, as `openapiv3` would (keys starting with `/` are paths, with `x-`
    // extensions, others are ignored), each kept as its `PathOperations`.
    let items = match &mut tree {
        Tree::Mapping(map) => match map.get_mut("paths") {
            Some(it @ Tree::Mapping(_)) => {
                Some(std::mem::replace(it, Tree::Mapping(Mapping::new())))
            }
            _ => None,
        },
        _ => None,
    };
    let mut doc = <OpenAPI as serde::Deserialize>::deserialize(tree).map_err(located)?;
    // `openapiv3` read no path item: it reads them from a mapping only (a tagged one is an
    // error), and the mapping was taken out above.
    let mut paths = Vec::new();
    if let Some(Tree::Mapping(items)) = items {
        paths.reserve(items.len());
        for (key, value) in items {
            let Tree::String(key) = key else { continue };
            if key.starts_with('/') {
                let item = serde::Deserialize::deserialize(value).map_err(located)?;
                paths.push((key, compact(item)));
            } else if key.starts_with("x-") {
                let value = serde::Deserialize::deserialize(value).map_err(located)?;
                doc.paths.extensions.insert(key, value);
            }
        }
    }
    Ok(Typed { doc, paths })
}

fn is_json(text: &str) -> bool {
    text.trim_start().starts_with('{')
}

/// Whether the document is OpenAPI 3.1 (else 3.0); an error for any other.
fn check_version(tree: &Tree) -> Result<bool, Diagnostic> {
    let Some(obj) = tree.as_mapping() else {
        return Err(syntax(None, "the document is not a mapping".to_owned()));
    };
    if obj.contains_key("swagger") {
        return Err(unsupported("#/swagger", "unsupported: Swagger 2.0 documents")
            .with_note("convert the document to OpenAPI 3.0 first; no code was generated"));
    }
    match obj.get("openapi").and_then(Tree::as_str) {
        None => {
            Err(syntax(None, "missing field `openapi`: not an OpenAPI 3.0 document".to_owned()))
        }
        Some(version) if version.starts_with("3.0") => Ok(false),
        Some(version) if version.starts_with("3.1.") || version == "3.1" => Ok(true),
        Some(version) => {
            Err(unsupported("#/openapi", &format!("unsupported: OpenAPI version `{version}`"))
                .with_note("this generator reads OpenAPI 3.0.x and 3.1.x; no code was generated"))
        }
    }
}

/// JSON text with every number a 64-bit float cannot hold (`1e400`) written as the largest
/// float of its sign, in as many characters, so that every position stays where it was; and
/// where each was, with its text.
fn clamp_json_numbers(text: &str) -> (std::borrow::Cow<'_, str>, Vec<(Location, String)>) {
    let bytes = text.as_bytes();
    let mut clamped = Vec::new();
    let mut res: Option<Vec<u8>> = None;
    let (mut idx, mut line, mut line_start) = (0, 1, 0);
    let mut in_string = false;
    while idx < bytes.len() {
        let byte = bytes[idx];
        if in_string {
            match byte {
                b'\\' => idx += 1,
                b'"' => in_string = false,
                b'\n' => (line, line_start) = (line + 1, idx + 1),
                _ => {}
            }
            idx += 1;
            continue;
        }
        match byte {
            b'"' => in_string = true,
            b'\n' => (line, line_start) = (line + 1, idx + 1),
            b'-' | b'0'..=b'9' => {
                let end = bytes[idx..]
                    .iter()
                    .position(|it| !matches!(it, b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E'))
                    .map_or(bytes.len(), |it| idx + it);
                let token = &text[idx..end];
                if token.parse::<f64>().is_ok_and(f64::is_infinite) {
                    let largest = if token.starts_with('-') { "-1e308" } else { "1e308" };
                    let out = res.get_or_insert_with(|| bytes.to_vec());
                    let replacement = format!("{largest:<width$}", width = token.len());
                    out[idx..end].copy_from_slice(replacement.as_bytes());
                    let location = Location { line, column: idx - line_start + 1 };
                    clamped.push((location, token.to_owned()));
                }
                idx = end;
                continue;
            }
            _ => {}
        }
        idx += 1;
    }
    match res {
        // Only ASCII digits were replaced by ASCII: still UTF-8.
        Some(bytes) => (
            String::from_utf8(bytes).expect("generator bug: ASCII replaced by ASCII").into(),
            clamped,
        ),
        None => (text.into(), clamped),
    }
}

fn clamped_note(location: Location, number: &str) -> Diagnostic {
    let shown: String = number.chars().take(24).collect();
    Diagnostic {
        location: Some(location),
        ..warning("#", &format!("the number `{shown}` is beyond a 64-bit float"))
            .with_note("it is read as the largest float of its sign")
    }
}

/// Reads a YAML value: keys that are not strings as text, integers beyond 64 bits as floats,
/// numbers beyond a 64-bit float (and `.inf`) as the largest float of their sign, `.nan` as
/// `null`; the counter counts those it had to change.
#[derive(Clone, Copy)]
struct Lenient<'c>(&'c std::cell::Cell<usize>);

impl<'de> serde::de::DeserializeSeed<'de> for Lenient<'_> {
    type Value = Tree;

    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<Tree, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl Lenient<'_> {
    fn float(self, float: f64) -> Tree {
        if float.is_finite() {
            return Tree::from(float);
        }
        self.0.set(self.0.get() + 1);
        if float.is_nan() { Tree::Null } else { Tree::from(f64::MAX.copysign(float)) }
    }
}

impl<'de> serde::de::Visitor<'de> for Lenient<'_> {
    type Value = Tree;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("any YAML value")
    }

    fn visit_bool<E>(self, it: bool) -> Result<Tree, E> {
        Ok(Tree::Bool(it))
    }

    fn visit_i64<E>(self, it: i64) -> Result<Tree, E> {
        Ok(Tree::from(it))
    }

    fn visit_u64<E>(self, it: u64) -> Result<Tree, E> {
        Ok(Tree::from(it))
    }

    fn visit_i128<E>(self, it: i128) -> Result<Tree, E> {
        Ok(i64::try_from(it).map_or_else(|_| self.float(it as f64), Tree::from))
    }

    fn visit_u128<E>(self, it: u128) -> Result<Tree, E> {
        Ok(u64::try_from(it).map_or_else(|_| self.float(it as f64), Tree::from))
    }

    fn visit_f64<E>(self, it: f64) -> Result<Tree, E> {
        Ok(self.float(it))
    }

    fn visit_str<E>(self, it: &str) -> Result<Tree, E> {
        Ok(Tree::String(it.to_owned()))
    }

    fn visit_string<E>(self, it: String) -> Result<Tree, E> {
        Ok(Tree::String(it))
    }

    fn visit_unit<E>(self) -> Result<Tree, E> {
        Ok(Tree::Null)
    }

    fn visit_none<E>(self) -> Result<Tree, E> {
        Ok(Tree::Null)
    }

    fn visit_some<D: serde::Deserializer<'de>>(self, it: D) -> Result<Tree, D::Error> {
        serde::de::DeserializeSeed::deserialize(self, it)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Tree, A::Error> {
        let mut res = Vec::new();
        while let Some(it) = seq.next_element_seed(self)? {
            res.push(it);
        }
        Ok(Tree::Sequence(res))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Tree, A::Error> {
        let mut res = serde_yaml::Mapping::new();
        while let Some(key) = map.next_key_seed(self)? {
            let key = match key {
                Tree::String(it) => it,
                Tree::Null => "null".to_owned(),
                Tree::Bool(it) => it.to_string(),
                Tree::Number(it) => it.to_string(),
                other => serde_yaml::to_string(&other).unwrap_or_default().trim().to_owned(),
            };
            let value = map.next_value_seed(self)?;
            res.insert(Tree::String(key), value);
        }
        Ok(Tree::Mapping(res))
    }
}

/// Makes what `openapiv3`'s types cannot hold readable, with a warning each: integer limits
/// beyond 64 bits (clamped), limits YAML read as text (`1e400`), counts that are not counts
/// (clamped), and `type` written as a list with `null` (OpenAPI 3.1's way of saying
/// `nullable`). Data (examples, defaults, enum values, extensions) is left as it is.
/// How a document is read: its version, and whether breaks of it are errors.
#[derive(Clone, Copy)]
struct Reading {
    v31: bool,
    strict: bool,
}

fn normalise<'t>(
    node: &'t mut Tree,
    path: &mut Vec<Segment<'t>>,
    in_names: bool,
    reading: Reading,
    notes: &mut Vec<Diagnostic>,
) {
    // The depth of what reaches here is bounded (`check_depth`).
    match node {
        Tree::Mapping(map) => {
            if !in_names {
                normalise_schema(map, path, reading, notes);
            }
            for (key, value) in map.iter_mut() {
                let key = key.as_str().unwrap_or_default();
                if !in_names && is_data(key) {
                    continue;
                }
                let names_below = !in_names && NAME_MAPS.contains(&key);
                path.push(Segment::Key(key));
                normalise(value, path, names_below, reading, notes);
                path.pop();
            }
        }
        Tree::Sequence(items) => {
            for (idx, item) in items.iter_mut().enumerate() {
                path.push(Segment::Index(idx));
                normalise(item, path, false, reading, notes);
                path.pop();
            }
        }
        _ => {}
    }
}

/// The extension a schema's `xml` object is kept in, since `openapiv3` drops `xml`.
pub(crate) const XML_EXTENSION: &str = "x-openapi-xml";

fn normalise_schema(
    map: &mut serde_yaml::Mapping,
    path: &[Segment<'_>],
    reading: Reading,
    notes: &mut Vec<Diagnostic>,
) {
    // Where this schema's notes start: the `type` list's, when there is one, is the first.
    let start = notes.len();
    let mut note = |key: &str, message: String, read_as: String| {
        let pointer = JsonPointer::from_path(path).join(key);
        notes.push(Diagnostic { pointer, ..warning("#", &message).with_note(read_as) });
    };
    // The severity of the `type` list's note: an error under `--strict`.
    let mut pending_severity = None;
    // `type: [string, "null"]`.
    if let Some(Tree::Sequence(types)) = map.get("type") {
        let named: Vec<&str> = types.iter().filter_map(Tree::as_str).collect();
        let nullable = named.contains(&"null");
        let rest: Vec<String> =
            named.into_iter().filter(|it| *it != "null").map(str::to_owned).collect();
        let read_as = match rest.as_slice() {
            [_] => "read as that type, `nullable` when it lists `null`",
            _ => "read as any type, `nullable` when it lists `null`",
        };
        // A 3.1 document says it as it should; a 3.0 one borrows it from 3.1, which `--strict`
        // refuses.
        if !reading.v31 {
            let (severity, read_as) = if reading.strict {
                (
                    Severity::Error,
                    "OpenAPI 3.0 allows one type: declare `openapi: 3.1.0`, or write `nullable: true`",
                )
            } else {
                (Severity::Warning, read_as)
            };
            note("type", "`type` is a list, as in OpenAPI 3.1".to_owned(), read_as.to_owned());
            pending_severity = Some(severity);
        }
        match rest.as_slice() {
            [only] => map.insert("type".into(), Tree::String(only.clone())),
            _ => map.remove("type"),
        };
        if nullable {
            map.insert("nullable".into(), Tree::Bool(true));
        }
    }
    // The `xml` object, which `openapiv3` does not read, kept as an extension that it does.
    if let Some(xml @ Tree::Mapping(_)) = map.get("xml") {
        let xml = xml.clone();
        map.remove("xml");
        map.insert(XML_EXTENSION.into(), xml);
    }
    let integer = map.get("type").and_then(Tree::as_str) == Some("integer");
    for key in ["minimum", "maximum", "multipleOf"] {
        let float = match map.get(key) {
            // YAML reads `1e400` as text, for want of a float to hold it.
            Some(Tree::String(text)) => match text.trim().parse::<f64>() {
                Ok(float) => {
                    let float = if float.is_finite() { float } else { f64::MAX.copysign(float) };
                    note(
                        key,
                        format!("`{key}` {text} is beyond a 64-bit float"),
                        format!("it is read as {float:e}"),
                    );
                    float
                }
                Err(_) => continue,
            },
            Some(Tree::Number(number)) if integer && number.as_i64().is_none() => {
                number.as_f64().unwrap_or_default()
            }
            Some(Tree::Number(number)) => number.as_f64().unwrap_or_default(),
            _ => continue,
        };
        let fits = float.fract() == 0.0 && float.abs() < 9.2e18;
        let value = if !integer {
            Tree::from(float)
        } else if fits {
            Tree::from(float as i64)
        } else {
            let clamped = if float < 0.0 { i64::MIN } else { i64::MAX };
            note(
                key,
                format!("`{key}` {float:e} is not a 64-bit integer"),
                format!("it is read as {clamped}"),
            );
            Tree::from(clamped)
        };
        // An integer limit that is a float (`1.0`) reads as the integer.
        if !matches!(map.get(key), Some(Tree::Number(it)) if !integer || it.as_i64().is_some()) {
            map.insert(key.into(), value);
        }
    }
    for key in ["minLength", "maxLength", "minItems", "maxItems", "minProperties", "maxProperties"]
    {
        let Some(Tree::Number(number)) = map.get(key) else { continue };
        if number.as_u64().is_none() {
            let float = number.as_f64().unwrap_or_default();
            let clamped = if float <= 0.0 { 0 } else { float.min(u32::MAX.into()) as u64 };
            note(
                key,
                format!("`{key}` {number} is not a count"),
                format!("it is read as {clamped}"),
            );
            map.insert(key.into(), Tree::from(clamped));
        }
    }
    if let (Some(severity), Some(it)) = (pending_severity, notes.get_mut(start)) {
        it.severity = severity;
    }
}

/// Refuses documents that nest deeper than [`MAX_DEPTH`], pointing at a node too deep.
fn check_depth(tree: &Tree) -> Result<(), Diagnostic> {
    // Depths only: the path is found once a node too deep is known to exist.
    if depth_of(tree) <= MAX_DEPTH {
        return Ok(());
    }
    let mut path = Vec::new();
    let mut node = tree;
    // Down the deepest branch.
    while path.len() <= MAX_DEPTH {
        let deepest = children(node).max_by_key(|(_, it)| depth_of(it));
        let Some((key, child)) = deepest else { break };
        path.push(key);
        node = child;
    }
    Err(Diagnostic {
        pointer: JsonPointer::from_path(&path),
        ..unsupported(
            "#",
            &format!("unsupported: a document nested more than {MAX_DEPTH} levels deep"),
        )
        .with_note("move inner schemas to `#/components/schemas`; no code was generated")
    })
}

/// Refuses YAML nested deeper than [`MAX_DEPTH`], reading no further than that.
fn check_yaml_depth(text: &str) -> Result<(), Diagnostic> {
    use saphyr_parser::{Event, Parser};
    let too_deep = |line: usize, column: usize| {
        let message = format!("unsupported: a document nested more than {MAX_DEPTH} levels deep");
        Diagnostic {
            location: Some(Location { line, column }),
            ..unsupported("#", &message)
                .with_note("move inner schemas to `#/components/schemas`; no code was generated")
        }
    };
    let mut depth = 0_usize;
    for event in Parser::new_from_str(text) {
        match event {
            Ok((Event::MappingStart(..) | Event::SequenceStart(..), span)) => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Err(too_deep(span.start.line(), span.start.col() + 1));
                }
            }
            Ok((Event::MappingEnd | Event::SequenceEnd, _)) => depth = depth.saturating_sub(1),
            Ok(_) => {}
            // Its own bound on nesting is far past ours; other errors are `serde_yaml`'s to
            // report, in its words.
            Err(err) if err.info().contains("recursion limit") => {
                return Err(too_deep(err.marker().line(), err.marker().col() + 1));
            }
            Err(_) => break,
        }
    }
    Ok(())
}

/// How deeply `node` nests, counted without recursion.
fn depth_of(node: &Tree) -> usize {
    let mut res = 0;
    let mut stack = vec![(node, 0)];
    while let Some((node, depth)) = stack.pop() {
        res = res.max(depth);
        stack.extend(children(node).map(|(_, it)| (it, depth + 1)));
    }
    res
}

fn warning(pointer: &str, message: &str) -> Diagnostic {
    Diagnostic { severity: Severity::Warning, kind: Kind::Invalid, ..unsupported(pointer, message) }
}

fn unsupported(pointer: &str, message: &str) -> Diagnostic {
    Diagnostic {
        severity: Severity::Error,
        kind: Kind::Unsupported,
        pointer: JsonPointer::parse_ref(pointer).unwrap_or_default(),
        location: None,
        message: message.to_owned(),
        note: None,
    }
}

fn syntax(location: Option<Location>, message: String) -> Diagnostic {
    Diagnostic {
        severity: Severity::Error,
        kind: Kind::Syntax,
        pointer: JsonPointer::root(),
        location,
        message,
        note: None,
    }
}

/// serde's messages carry " at line L column C", once or more; the location is rendered
/// separately.
fn strip_location(message: &str) -> String {
    let mut res = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(start) = rest.find(" at line ") {
        res.push_str(&rest[..start]);
        let after = &rest[start + " at line ".len()..];
        let digits = |s: &str| s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
        let line_len = digits(after);
        match after[line_len..].strip_prefix(" column ") {
            Some(column) if line_len > 0 => rest = &column[digits(column)..],
            _ => {
                res.push_str(" at line ");
                rest = after;
            }
        }
    }
    res.push_str(rest);
    res
}

fn json_error(err: &serde_json::Error) -> Diagnostic {
    let location = (err.line() > 0).then(|| Location { line: err.line(), column: err.column() });
    syntax(location, format!("invalid JSON: {}", strip_location(&err.to_string())))
}

fn yaml_error(err: &serde_yaml::Error) -> Diagnostic {
    let location = err.location().map(|it| Location { line: it.line(), column: it.column() });
    syntax(location, format!("invalid document: {}", strip_location(&err.to_string())))
}

#[cfg(test)]
mod tests {
    use openapiv3::ReferenceOr;

    use super::{compact, load, typed};
    use crate::diagnostic::Location;

    #[test]
    fn yaml_syntax_errors_have_a_location() {
        let err = load("openapi: 3.0.3\ninfo: [\n", false).unwrap_err();
        assert!(err.message.starts_with("invalid document"), "{}", err.message);
        assert_eq!(err.location.map(|it| it.line), Some(3));
    }

    #[test]
    fn strips_every_location_from_messages() {
        assert_eq!(
            super::strip_location("a at line 9 column 1, while b at line 7 column 18"),
            "a, while b"
        );
        assert_eq!(super::strip_location("a at line x"), "a at line x");
    }

    #[test]
    fn shape_errors_have_a_location() {
        let text = "openapi: 3.0.3\ninfo:\n  title: t\npaths: {}\n";
        let err = load(text, false).and_then(|it| typed(it.tree, text)).unwrap_err();
        assert!(err.message.contains("missing field `version`"), "{}", err.message);
        // serde_yaml places it at the start of the mapping that lacks the field.
        assert_eq!(err.location, Some(Location { line: 3, column: 3 }));
    }

    #[test]
    fn path_items_read_as_openapiv3_reads_them() {
        let text = r##"
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /b:
    post:
      responses: {"201": {description: created}}
    parameters: [{name: q, in: query, schema: {type: string}}]
    get:
      responses: {"200": {description: ok}}
    x-item: 1
  /a: {$ref: "#/x-paths/a"}
  x-paths-ext: {a: [1, 2]}
  other: {get: "not read"}
"##;
        let read = load(text, false).and_then(|it| typed(it.tree, text)).unwrap();
        let mut expected = serde_yaml::from_str::<openapiv3::OpenAPI>(text).unwrap();
        let expected_paths: Vec<_> = std::mem::take(&mut expected.paths.paths)
            .into_iter()
            .map(|(key, item)| (key, compact(item)))
            .collect();
        assert_eq!(read.doc, expected);
        assert_eq!(read.paths, expected_paths);
        assert_eq!(read.paths.iter().map(|it| it.0.as_str()).collect::<Vec<_>>(), ["/b", "/a"]);
        let ReferenceOr::Item(b) = &read.paths[0].1 else { panic!("{:?}", read.paths) };
        assert_eq!(b.operations.iter().map(|it| it.0).collect::<Vec<_>>(), ["get", "post"]);
        assert_eq!(read.doc.paths.extensions.keys().collect::<Vec<_>>(), ["x-paths-ext"]);
        // A path item of the wrong shape is reported where it is written.
        let text = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a: [1]\n";
        let err = load(text, false).and_then(|it| typed(it.tree, text)).unwrap_err();
        assert_eq!(err.location.map(|it| it.line), Some(4), "{}", err.message);
        // `paths` as a tagged mapping is not read here; it must not be read as no paths either.
        let text = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: !t\n  /a: {get: {responses: {}}}\n";
        let err = load(text, false).and_then(|it| typed(it.tree, text)).unwrap_err();
        assert_eq!(err.location.map(|it| it.line), Some(3), "{}", err.message);
    }

    #[test]
    fn rejects_other_versions() {
        let err = load("{\"openapi\": \"3.2.0\"}", false).unwrap_err();
        assert_eq!(err.message, "unsupported: OpenAPI version `3.2.0`");
        let err = load("{\"openapi\": \"3.10.0\"}", false).unwrap_err();
        assert_eq!(err.message, "unsupported: OpenAPI version `3.10.0`");
        assert!(load("{\"openapi\": \"3.1.1\", \"info\": {}}", false).is_ok());
        let err = load("swagger: '2.0'\n", false).unwrap_err();
        assert_eq!(err.message, "unsupported: Swagger 2.0 documents");
    }
}
