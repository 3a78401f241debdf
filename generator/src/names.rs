//! Rust names for spec names: every identifier the generated code uses is decided here.
//!
//! Names are cased with `heck`, then made valid: keywords become raw identifiers (`r#type`),
//! the few words that cannot be raw get a `_` suffix, a leading digit gets a `_` prefix, and any
//! character that cannot appear in an identifier becomes `_`.

use heck::{ToSnakeCase, ToUpperCamelCase};

/// Words that are keywords in Rust 2024 and can be written as raw identifiers.
const RAW_KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "do", "dyn",
    "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl", "in", "let",
    "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref", "return",
    "static", "struct", "trait", "true", "try", "type", "typeof", "unsafe", "unsized", "use",
    "virtual", "where", "while", "yield",
];

/// Words that cannot be raw identifiers.
const NON_RAW_KEYWORDS: &[&str] = &["self", "Self", "super", "crate", "_"];

/// Type names the generated code uses unqualified; a model may not take them.
const RESERVED_TYPE_NAMES: &[&str] =
    &["Option", "Some", "None", "Result", "Ok", "Err", "String", "Vec", "Box", "Client", "Self"];

/// A type name (UpperCamelCase) for a spec name, such as a schema name.
pub(crate) fn type_name(spec_name: &str) -> String {
    let res = sanitize(&spec_name.to_upper_camel_case(), "Type");
    if RESERVED_TYPE_NAMES.contains(&res.as_str()) { format!("{res}Model") } else { res }
}

/// A field, method or parameter name (snake_case) for a spec name.
pub(crate) fn value_name(spec_name: &str) -> String {
    let res = sanitize(&spec_name.to_snake_case(), "field");
    if RAW_KEYWORDS.contains(&res.as_str()) {
        format!("r#{res}")
    } else if NON_RAW_KEYWORDS.contains(&res.as_str()) {
        format!("{res}_")
    } else {
        res
    }
}

/// An enum variant name (UpperCamelCase) for an enum value.
pub(crate) fn variant_name(value: &str) -> String {
    let res = sanitize(&value.to_upper_camel_case(), "Empty");
    if res == "Self" { "Self_".to_owned() } else { res }
}

/// Appends `other` to `base` as UpperCamelCase, for names of inline schemas.
pub(crate) fn nested_type_name(base: &str, other: &str) -> String {
    type_name(&format!("{base} {other}"))
}

/// Makes `cased` a valid identifier: non-identifier characters become `_`, a leading digit gets
/// a `_` prefix, and an empty name becomes `empty`.
fn sanitize(cased: &str, empty: &str) -> String {
    // Letters, ASCII digits and `_` are valid in identifiers. `is_alphanumeric` would also let
    // through numerals such as `²`, which are not, so other digits become `_` too.
    let mut res: String = cased
        .chars()
        .map(|c| if c.is_alphabetic() || c.is_ascii_digit() || c == '_' { c } else { '_' })
        .collect();
    if res.is_empty() || res.chars().all(|c| c == '_') {
        return empty.to_owned();
    }
    if res.starts_with(|c: char| c.is_ascii_digit()) {
        res.insert(0, '_');
    }
    res
}

/// Hands out names within one scope (a module's types, a struct's fields, an enum's variants),
/// so that two spec names never become the same Rust name.
#[derive(Debug, Default)]
pub(crate) struct Scope {
    /// Each name taken, with a description of what holds it for messages: `` `userId` ``, or
    /// what a reserved name is.
    taken: std::collections::BTreeMap<String, String>,
}

impl Scope {
    /// Claims `wanted` for `spec_name`; when it is already taken, claims `wanted2`, `wanted3`…
    /// Returns the name given, and a description of what held `wanted` first, if anything.
    pub(crate) fn claim(&mut self, wanted: &str, spec_name: &str) -> (String, Option<String>) {
        let holder = format!("`{spec_name}`");
        if !self.taken.contains_key(wanted) {
            self.taken.insert(wanted.to_owned(), holder);
            return (wanted.to_owned(), None);
        }
        let first = self.taken[wanted].clone();
        let separator = if wanted.ends_with(|c: char| c.is_ascii_digit()) { "_" } else { "" };
        let res = (2..)
            .map(|n| format!("{wanted}{separator}{n}"))
            .find(|it| !self.taken.contains_key(it))
            .expect("generator bug: an unbounded range always yields a free name");
        self.taken.insert(res.clone(), holder);
        (res, Some(first))
    }

    /// Marks a name as taken by the generated code itself; `what` describes it for messages.
    pub(crate) fn reserve(&mut self, name: &str, what: &str) {
        self.taken.insert(name.to_owned(), what.to_owned());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_names_keep_upper_camel_case() {
        assert_eq!(
            type_name("BatchResponseSimplePublicUpsertObject"),
            "BatchResponseSimplePublicUpsertObject"
        );
        assert_eq!(type_name("simple-public object"), "SimplePublicObject");
        assert_eq!(type_name("2fa.config"), "_2faConfig");
        assert_eq!(type_name("String"), "StringModel");
        assert_eq!(type_name("self"), "SelfModel");
        assert_eq!(type_name("$$"), "Type");
    }

    #[test]
    fn value_names_escape_keywords() {
        assert_eq!(value_name("new"), "new");
        assert_eq!(value_name("in"), "r#in");
        assert_eq!(value_name("type"), "r#type");
        assert_eq!(value_name("self"), "self_");
        assert_eq!(value_name("objectWriteTraceId"), "object_write_trace_id");
        assert_eq!(value_name("hs_object_id"), "hs_object_id");
    }

    #[test]
    fn value_names_sanitize_characters() {
        assert_eq!(value_name("1st"), "_1st");
        assert_eq!(value_name("x-rate.limit"), "x_rate_limit");
        assert_eq!(value_name("$ref"), "r#ref");
        assert_eq!(value_name("$"), "field");
        assert_eq!(value_name("größe"), "größe");
        assert_eq!(value_name("a b"), "a_b");
        // `²` is alphanumeric but not valid in an identifier, wherever it stands.
        assert_eq!(value_name("x²"), "x_");
        assert_eq!(type_name("m²price"), "M_price");
    }

    #[test]
    fn variant_names() {
        assert_eq!(variant_name("CANCELED"), "Canceled");
        assert_eq!(variant_name("in-progress"), "InProgress");
        assert_eq!(variant_name("1"), "_1");
        assert_eq!(variant_name(""), "Empty");
    }

    #[test]
    fn scope_disambiguates_deterministically() {
        let mut scope = Scope::default();
        scope.reserve("body", "the request body");
        assert_eq!(
            scope.claim("body", "body"),
            ("body2".to_owned(), Some("the request body".to_owned()))
        );
        assert_eq!(scope.claim("user_id", "userId"), ("user_id".to_owned(), None));
        assert_eq!(
            scope.claim("user_id", "user_id"),
            ("user_id2".to_owned(), Some("`userId`".to_owned()))
        );
        assert_eq!(scope.claim("v1", "v1"), ("v1".to_owned(), None));
        assert_eq!(scope.claim("v1", "V1"), ("v1_2".to_owned(), Some("`v1`".to_owned())));
    }
}
