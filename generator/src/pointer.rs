//! JSON pointers (RFC 6901) into the spec: the location every diagnostic carries.
//!
//! A pointer uses the same syntax as a local `$ref` (`#/components/schemas/Foo`), so a user can
//! paste it back into their spec or their editor's "go to reference".

use std::fmt;

/// A location inside the spec document, kept as its unescaped segments.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct JsonPointer {
    segments: Vec<String>,
}

impl JsonPointer {
    /// The pointer to the whole document, `#`.
    pub fn root() -> JsonPointer {
        JsonPointer::default()
    }

    /// Parses the fragment of a local reference such as `#/components/schemas/Foo`.
    ///
    /// Returns `None` for anything that is not a local reference (`other.yaml#/Foo`, `Foo`).
    pub fn parse_ref(reference: &str) -> Option<JsonPointer> {
        let rest = reference.strip_prefix('#')?;
        if rest.is_empty() {
            return Some(JsonPointer::root());
        }
        let rest = rest.strip_prefix('/')?;
        let segments = rest.split('/').map(|it| it.replace("~1", "/").replace("~0", "~")).collect();
        Some(JsonPointer { segments })
    }

    /// A new pointer one level deeper.
    pub fn join(&self, segment: impl fmt::Display) -> JsonPointer {
        let mut res = self.clone();
        res.segments.push(segment.to_string());
        res
    }

    /// The unescaped segments, outermost first.
    pub fn segments(&self) -> &[String] {
        &self.segments
    }
}

impl fmt::Display for JsonPointer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("#")?;
        for segment in &self.segments {
            write!(f, "/{}", segment.replace('~', "~0").replace('/', "~1"))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::JsonPointer;

    #[test]
    fn escapes_per_rfc_6901() {
        let ptr = JsonPointer::root().join("paths").join("/crm/v3/objects/0-3").join("a~b");
        assert_eq!(ptr.to_string(), "#/paths/~1crm~1v3~1objects~10-3/a~0b");
        assert_eq!(JsonPointer::parse_ref(&ptr.to_string()), Some(ptr));
    }

    #[test]
    fn parses_only_local_refs() {
        assert_eq!(JsonPointer::parse_ref("#"), Some(JsonPointer::root()));
        assert_eq!(JsonPointer::parse_ref("other.yaml#/components/schemas/Foo"), None);
        assert_eq!(JsonPointer::parse_ref("#components"), None);
    }
}
