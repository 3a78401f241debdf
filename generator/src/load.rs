//! Stage 1: text to an OpenAPI document.
//!
//! Reads YAML or JSON (JSON when the first character is `{`). Reports syntax errors and
//! documents that do not have the shape of OpenAPI 3.0, with their line and column.

use openapiv3::OpenAPI;
use serde_json::Value;

use crate::{
    diagnostic::{Diagnostic, Kind, Location, Severity},
    pointer::JsonPointer,
};

/// How deeply a document may nest maps and lists. Real specs stay below 30 (HubSpot's: 10 to
/// 14). The typed reading of `openapiv3` recurses with large frames (`serde`'s flatten and
/// untagged enums buffer each level), so a deeper document could exhaust a thread's stack
/// instead of getting a diagnostic: at this bound it needs about 1 MiB in a debug build.
pub(crate) const MAX_DEPTH: usize = 64;

/// A loaded document, typed and as a plain JSON tree (for walks that types make awkward).
#[derive(Debug)]
pub(crate) struct Loaded {
    pub(crate) doc: OpenAPI,
    pub(crate) tree: Value,
}

/// Parses `text` as an OpenAPI 3.0 document.
pub(crate) fn load(text: &str) -> Result<Loaded, Diagnostic> {
    let is_json = text.trim_start().starts_with('{');
    let tree: Value = if is_json {
        serde_json::from_str(text).map_err(|err| json_error(&err))?
    } else {
        // `serde_yaml` reads the whole document before it checks depth, and reads deep flow
        // nesting (`[[[[…`) in quadratic time: 100 000 levels took minutes. An event parser
        // that stops at the bound goes first.
        check_yaml_depth(text)?;
        serde_yaml::from_str(text).map_err(|err| yaml_error(&err))?
    };
    check_version(&tree)?;
    check_depth(&tree)?;
    // Parsed from the text again rather than from `tree`: serde reports shape errors with their
    // line only when it reads the text itself.
    let doc: OpenAPI = if is_json {
        serde_json::from_str(text).map_err(|err| json_error(&err))?
    } else {
        serde_yaml::from_str(text).map_err(|err| yaml_error(&err))?
    };
    Ok(Loaded { doc, tree })
}

fn check_version(tree: &Value) -> Result<(), Diagnostic> {
    let Some(obj) = tree.as_object() else {
        return Err(syntax(None, "the document is not a mapping".to_owned()));
    };
    if obj.contains_key("swagger") {
        return Err(unsupported("#/swagger", "unsupported: Swagger 2.0 documents")
            .with_note("convert the document to OpenAPI 3.0 first; no code was generated"));
    }
    match obj.get("openapi").and_then(Value::as_str) {
        None => {
            Err(syntax(None, "missing field `openapi`: not an OpenAPI 3.0 document".to_owned()))
        }
        Some(version) if version.starts_with("3.0") => Ok(()),
        Some(version) => {
            Err(unsupported("#/openapi", &format!("unsupported: OpenAPI version `{version}`"))
                .with_note("this generator reads OpenAPI 3.0.x; no code was generated"))
        }
    }
}

/// Refuses documents that nest deeper than [`MAX_DEPTH`], pointing at a node too deep.
fn check_depth(tree: &Value) -> Result<(), Diagnostic> {
    fn children(node: &Value) -> Box<dyn Iterator<Item = (String, &Value)> + '_> {
        match node {
            Value::Object(map) => Box::new(map.iter().map(|(key, it)| (key.clone(), it))),
            Value::Array(items) => {
                Box::new(items.iter().enumerate().map(|(idx, it)| (idx.to_string(), it)))
            }
            _ => Box::new(std::iter::empty()),
        }
    }
    // Depths only: pointers are built once a node too deep is known to exist.
    let mut stack = vec![(tree, 0)];
    let mut too_deep = false;
    while let Some((node, depth)) = stack.pop() {
        if depth > MAX_DEPTH {
            too_deep = true;
            break;
        }
        match node {
            Value::Object(map) => stack.extend(map.values().map(|it| (it, depth + 1))),
            Value::Array(items) => stack.extend(items.iter().map(|it| (it, depth + 1))),
            _ => {}
        }
    }
    if !too_deep {
        return Ok(());
    }
    let mut ptr = JsonPointer::root();
    let mut node = tree;
    // Down the deepest branch.
    while ptr.segments().len() <= MAX_DEPTH {
        let deepest = children(node).max_by_key(|(_, it)| depth_of(it));
        let Some((key, child)) = deepest else { break };
        ptr = ptr.join(key);
        node = child;
    }
    Err(Diagnostic {
        pointer: ptr,
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
fn depth_of(node: &Value) -> usize {
    let mut res = 0;
    let mut stack = vec![(node, 0)];
    while let Some((node, depth)) = stack.pop() {
        res = res.max(depth);
        match node {
            Value::Object(map) => stack.extend(map.values().map(|it| (it, depth + 1))),
            Value::Array(items) => stack.extend(items.iter().map(|it| (it, depth + 1))),
            _ => {}
        }
    }
    res
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
    use super::load;
    use crate::diagnostic::Location;

    #[test]
    fn yaml_syntax_errors_have_a_location() {
        let err = load("openapi: 3.0.3\ninfo: [\n").unwrap_err();
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
        let err = load("openapi: 3.0.3\ninfo:\n  title: t\npaths: {}\n").unwrap_err();
        assert!(err.message.contains("missing field `version`"), "{}", err.message);
        // serde_yaml places it at the start of the mapping that lacks the field.
        assert_eq!(err.location, Some(Location { line: 3, column: 3 }));
    }

    #[test]
    fn rejects_other_versions() {
        let err = load("{\"openapi\": \"3.1.0\"}").unwrap_err();
        assert_eq!(err.message, "unsupported: OpenAPI version `3.1.0`");
        let err = load("swagger: '2.0'\n").unwrap_err();
        assert_eq!(err.message, "unsupported: Swagger 2.0 documents");
    }
}
