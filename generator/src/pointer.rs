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
    /// The fragment is a URI fragment, so percent-escapes (`%20`) are decoded first, then the
    /// pointer's own escapes (`~1` for `/`, `~0` for `~`). Returns `None` for anything that is not
    /// a local reference (`other.yaml#/Foo`, `Foo`).
    pub fn parse_ref(reference: &str) -> Option<JsonPointer> {
        let rest = reference.strip_prefix('#')?;
        if rest.is_empty() {
            return Some(JsonPointer::root());
        }
        let rest = rest.strip_prefix('/')?;
        let segments = rest
            .split('/')
            .map(|it| percent_decode(it).replace("~1", "/").replace("~0", "~"))
            .collect();
        Some(JsonPointer { segments })
    }

    /// A new pointer one level deeper.
    pub fn join(&self, segment: impl fmt::Display) -> JsonPointer {
        let mut res = self.clone();
        res.segments.push(segment.to_string());
        res
    }

    /// The pointer down `path`.
    pub(crate) fn from_path(path: &[Segment<'_>]) -> JsonPointer {
        let segments = path
            .iter()
            .map(|it| match it {
                Segment::Key(key) => (*key).to_owned(),
                Segment::Index(idx) => idx.to_string(),
            })
            .collect();
        JsonPointer { segments }
    }

    /// The unescaped segments, outermost first.
    pub fn segments(&self) -> &[String] {
        &self.segments
    }
}

/// One step down the document, borrowed from it: walks keep a path of these and build a
/// [`JsonPointer`] only for what they report, since a pointer per node would copy every key
/// above it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Segment<'a> {
    /// A key of a mapping.
    Key(&'a str),
    /// An index of a list.
    Index(usize),
}

impl fmt::Display for JsonPointer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("#")?;
        for segment in &self.segments {
            // `%` is escaped too, since a `$ref` is a URI fragment: the text parses back.
            write!(f, "/{}", segment.replace('~', "~0").replace('/', "~1").replace('%', "%25"))?;
        }
        Ok(())
    }
}

/// Decodes `%XX` escapes; text whose escapes do not decode to UTF-8 is kept as it is.
fn percent_decode(text: &str) -> String {
    if !text.contains('%') {
        return text.to_owned();
    }
    let bytes = text.as_bytes();
    let mut res = Vec::with_capacity(bytes.len());
    let mut idx = 0;
    while idx < bytes.len() {
        let hex = |at: usize| bytes.get(at).and_then(|b| (*b as char).to_digit(16));
        match (bytes[idx], hex(idx + 1), hex(idx + 2)) {
            (b'%', Some(high), Some(low)) => {
                res.push((high * 16 + low) as u8);
                idx += 3;
            }
            (byte, _, _) => {
                res.push(byte);
                idx += 1;
            }
        }
    }
    String::from_utf8(res).unwrap_or_else(|_| text.to_owned())
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
    fn decodes_percent_escapes_before_pointer_escapes() {
        let ptr = JsonPointer::parse_ref("#/components/schemas/My%20Schema/a%7E1b").unwrap();
        assert_eq!(ptr.segments(), ["components", "schemas", "My Schema", "a/b"]);
        // Escapes that are not hex, or not UTF-8, stay as written.
        let ptr = JsonPointer::parse_ref("#/100%/%zz/%ff").unwrap();
        assert_eq!(ptr.segments(), ["100%", "%zz", "%ff"]);
        let ptr = JsonPointer::root().join("%41");
        assert_eq!(JsonPointer::parse_ref(&ptr.to_string()), Some(ptr));
    }

    #[test]
    fn parses_only_local_refs() {
        assert_eq!(JsonPointer::parse_ref("#"), Some(JsonPointer::root()));
        assert_eq!(JsonPointer::parse_ref("other.yaml#/components/schemas/Foo"), None);
        assert_eq!(JsonPointer::parse_ref("#components"), None);
    }
}
