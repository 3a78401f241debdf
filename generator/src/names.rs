//! Rust names for spec names: every identifier the generated code uses is decided here.
//!
//! Names are transliterated to ASCII (`größe` → `grosse`, `名前` → `ming_qian`), cased with
//! `heck`, then made valid: keywords become raw identifiers (`r#type`), the few words that cannot
//! be raw get a `_` suffix, a leading digit gets a `_` prefix, and any other character becomes
//! `_`. Generated identifiers are ASCII on purpose: Rust accepts any XID identifier, but it
//! NFC-normalises them (so two spec names could become one Rust name behind the generator's
//! back) and warns about uncommon and confusable code points, which `-D warnings` makes errors.
//!
//! Whatever the input, the result is an identifier by Rust's own rules (the Unicode XID classes,
//! as `proc-macro2` checks them); [`is_identifier`] says so and the property tests check it.

use heck::{ToKebabCase, ToSnakeCase, ToUpperCamelCase};

/// The name by which the examples test of a standalone crate calls the crate under test: the
/// generator does not know the crate's name, so `standalone.rs` adds a `use` that defines it.
pub(crate) const CRATE_ALIAS: &str = "client_crate";

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
    let res = sanitize(&ascii(spec_name).to_upper_camel_case(), "Type");
    if RESERVED_TYPE_NAMES.contains(&res.as_str()) { format!("{res}Model") } else { res }
}

/// A field, method or parameter name (snake_case) for a spec name.
pub(crate) fn value_name(spec_name: &str) -> String {
    let res = sanitize(&ascii(spec_name).to_snake_case(), "field");
    if RAW_KEYWORDS.contains(&res.as_str()) {
        format!("r#{res}")
    } else if NON_RAW_KEYWORDS.contains(&res.as_str()) {
        format!("{res}_")
    } else {
        res
    }
}

/// A cargo feature name (kebab-case ASCII letters and digits) for a tag.
pub(crate) fn feature_name(tag: &str) -> String {
    let res: String = ascii(tag)
        .to_kebab_case()
        .chars()
        .filter(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-')
        .collect();
    let res = res.trim_matches('-');
    if res.is_empty() { "tag".to_owned() } else { res.to_owned() }
}

/// An enum variant name (UpperCamelCase) for an enum value.
pub(crate) fn variant_name(value: &str) -> String {
    let res = sanitize(&ascii(value).to_upper_camel_case(), "Empty");
    if res == "Self" { "Self_".to_owned() } else { res }
}

/// Whether `name` is an identifier Rust accepts: XID start (or `_`) then XID continue, and not
/// a keyword unless written raw (`r#type`). Raw forms of `self`, `Self`, `super`, `crate` and `_`
/// do not exist.
pub(crate) fn is_identifier(name: &str) -> bool {
    let (raw, bare) = match name.strip_prefix("r#") {
        Some(bare) => (true, bare),
        None => (false, name),
    };
    let mut chars = bare.chars();
    let valid = chars.next().is_some_and(|c| c == '_' || unicode_ident::is_xid_start(c))
        && chars.all(unicode_ident::is_xid_continue)
        && bare != "_";
    let keyword = RAW_KEYWORDS.contains(&bare) || NON_RAW_KEYWORDS.contains(&bare);
    valid && if raw { RAW_KEYWORDS.contains(&bare) } else { !keyword }
}

/// `text` in ASCII: letters of other scripts transliterated, marks and symbols dropped or spelt,
/// and the sign of a number spelt out (`+1` and `-1`, GitHub's reactions, would otherwise both
/// be `_1`).
fn ascii(text: &str) -> std::borrow::Cow<'_, str> {
    let text: std::borrow::Cow<'_, str> =
        if text.is_ascii() { text.into() } else { deunicode::deunicode(text).into() };
    let bytes = text.as_bytes();
    let is_sign = |idx: usize| {
        matches!(bytes[idx], b'+' | b'-')
            && bytes.get(idx + 1).is_some_and(u8::is_ascii_digit)
            && (idx == 0 || !bytes[idx - 1].is_ascii_alphanumeric())
    };
    if !(0..bytes.len()).any(is_sign) {
        return text;
    }
    let mut res = String::with_capacity(text.len() + 8);
    for (idx, c) in text.char_indices() {
        match c {
            '+' if is_sign(idx) => res.push_str(" plus "),
            '-' if is_sign(idx) => res.push_str(" minus "),
            c => res.push(c),
        }
    }
    res.into()
}

/// The type name `x-rust-name` asks for: `Ok` when it is an UpperCamelCase ASCII identifier the
/// generated code does not use itself; otherwise `Err` with what [`type_name`] makes of it.
pub(crate) fn checked_type_name(wanted: &str) -> Result<String, String> {
    let camel = wanted.starts_with(|c: char| c.is_ascii_uppercase())
        && wanted.chars().all(|c| c.is_ascii_alphanumeric());
    if camel && !RESERVED_TYPE_NAMES.contains(&wanted) {
        Ok(wanted.to_owned())
    } else {
        Err(type_name(wanted))
    }
}

/// The field, method or parameter name `x-rust-name` asks for: `Ok` when it is a snake_case
/// ASCII identifier (a keyword becomes raw: `type` → `r#type`); otherwise `Err` with what
/// [`value_name`] makes of it.
pub(crate) fn checked_value_name(wanted: &str) -> Result<String, String> {
    let snake = wanted.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
        && wanted.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !snake || NON_RAW_KEYWORDS.contains(&wanted) {
        return Err(value_name(wanted));
    }
    Ok(if RAW_KEYWORDS.contains(&wanted) { format!("r#{wanted}") } else { wanted.to_owned() })
}

/// Appends `other` to `base` as UpperCamelCase, for names of inline schemas.
pub(crate) fn nested_type_name(base: &str, other: &str) -> String {
    type_name(&format!("{base} {other}"))
}

/// Makes `cased` a valid identifier: non-identifier characters become `_`, a leading digit gets
/// a `_` prefix, and an empty name becomes `empty`.
fn sanitize(cased: &str, empty: &str) -> String {
    // After `ascii`, only ASCII letters, digits and `_` are kept: all valid in identifiers.
    let mut res: String = cased
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '_' { c } else { '_' })
        .collect();
    if res.is_empty() || res.chars().all(|c| c == '_') {
        return empty.to_owned();
    }
    if res.starts_with(|c: char| c.is_ascii_digit()) {
        res.insert(0, '_');
    }
    res
}

/// A spec name as a message shows it: in backticks, or as a Rust string literal when it is
/// empty or holds backticks itself.
pub(crate) fn quoted(spec_name: &str) -> String {
    if spec_name.is_empty() || spec_name.contains('`') {
        format!("{spec_name:?}")
    } else {
        format!("`{spec_name}`")
    }
}

/// A Rust identifier of the generated code: what the IR holds for every name it emits as one.
///
/// Only the generator's `names` module makes one, when it hands out the names of a scope (a
/// module's types, a struct's fields, an enum's variants): so each is unique in its scope and,
/// whatever the spec says, an identifier by Rust's rules (`tests/tests/tidy.rs` fails when the
/// IR holds a name as a plain `String`).
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RustName(String);

/// As the string it is, so that `{:#?}` of the IR reads as before.
impl std::fmt::Debug for RustName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&self.0, f)
    }
}

impl RustName {
    /// The identifier, as written in code (`r#type` for a keyword).
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::ops::Deref for RustName {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for RustName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Looked up by its text in maps keyed by it (its order and equality are those of the text).
impl std::borrow::Borrow<str> for RustName {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl PartialEq<str> for RustName {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for RustName {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
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
    /// A `wanted` that is no identifier (a generator bug: it asks for names made here) is made
    /// one as a field name would be.
    pub(crate) fn claim(&mut self, wanted: &str, spec_name: &str) -> (RustName, Option<String>) {
        let fixed;
        let wanted = if is_identifier(wanted) {
            wanted
        } else {
            fixed = value_name(wanted);
            &fixed
        };
        let holder = quoted(spec_name);
        if !self.taken.contains_key(wanted) {
            self.taken.insert(wanted.to_owned(), holder);
            return (RustName(wanted.to_owned()), None);
        }
        let first = self.taken[wanted].clone();
        // `r#type` numbered is `type2`, which is no keyword.
        let base = wanted.trim_start_matches("r#");
        let separator = if base.ends_with(|c: char| c.is_ascii_digit()) { "_" } else { "" };
        let res = (2..)
            .map(|n| format!("{base}{separator}{n}"))
            .find(|it| !self.taken.contains_key(it))
            .expect("generator bug: an unbounded range always yields a free name");
        self.taken.insert(res.clone(), holder);
        (RustName(res), Some(first))
    }

    /// Marks a name as taken by the generated code itself; `what` describes it for messages.
    pub(crate) fn reserve(&mut self, name: &str, what: &str) {
        self.taken.insert(name.to_owned(), what.to_owned());
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// What `proc-macro2` accepts as an identifier, the `r#` form included.
    fn proc_macro_accepts(name: &str) -> bool {
        std::panic::catch_unwind(|| crate::emit::ident(name)).is_ok()
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 4096, ..ProptestConfig::default() })]

        #[test]
        fn every_name_is_an_identifier(text in prop_oneof![
            any::<String>(),
            proptest::sample::select(RAW_KEYWORDS).prop_map(str::to_owned),
            proptest::sample::select(NON_RAW_KEYWORDS).prop_map(str::to_owned),
            proptest::sample::select(RESERVED_TYPE_NAMES).prop_map(str::to_owned),
        ]) {
            let names = [
                type_name(&text),
                value_name(&text),
                variant_name(&text),
                checked_type_name(&text).unwrap_or_else(|it| it),
                checked_value_name(&text).unwrap_or_else(|it| it),
            ];
            // Claimed three times in one scope: the numbered names are identifiers too.
            let mut scope = Scope::default();
            let claimed: Vec<_> = names
                .iter()
                .flat_map(|it| [it, it, it])
                .map(|it| scope.claim(it, &text).0)
                .collect();
            for name in names.into_iter().chain(claimed.into_iter().map(|it| it.to_string())) {
                prop_assert!(is_identifier(&name) && name.is_ascii(), "{text:?} → {name:?}");
                prop_assert!(proc_macro_accepts(&name), "{text:?} → {name:?}");
            }
        }
    }

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
        assert_eq!(value_name("a b"), "a_b");
        assert_eq!(value_name("+1"), "plus_1");
        assert_eq!(value_name("-1"), "minus_1");
        assert_eq!(value_name("utc-5"), "utc_5");
    }

    #[test]
    fn names_are_ascii_whatever_the_script() {
        assert_eq!(value_name("größe"), "grosse");
        assert_eq!(value_name("名前"), "ming_qian");
        assert_eq!(value_name("x²"), "x2");
        assert_eq!(type_name("m²price"), "M2price");
        // Alphabetic but not XID (`Ⓐ`), a leading combining mark, a zero-width space.
        assert_eq!(value_name("Ⓐ"), "a");
        assert_eq!(value_name("\u{301}a"), "a");
        assert_eq!(value_name("a\u{200b}b"), "a_b");
        assert_eq!(variant_name("\u{202e}"), "Empty");
    }

    #[test]
    fn names_asked_for_are_kept_only_when_valid() {
        assert_eq!(checked_type_name("HTTPClient"), Ok("HTTPClient".to_owned()));
        assert_eq!(checked_type_name("Deal2"), Ok("Deal2".to_owned()));
        assert_eq!(checked_type_name("deal_stage"), Err("DealStage".to_owned()));
        assert_eq!(checked_type_name("Option"), Err("OptionModel".to_owned()));
        assert_eq!(checked_type_name("Größe"), Err("Grosse".to_owned()));
        assert_eq!(checked_value_name("stage"), Ok("stage".to_owned()));
        assert_eq!(checked_value_name("type"), Ok("r#type".to_owned()));
        assert_eq!(checked_value_name("my-field"), Err("my_field".to_owned()));
        assert_eq!(checked_value_name("self"), Err("self_".to_owned()));
        assert_eq!(checked_value_name("_"), Err("field".to_owned()));
        assert_eq!(checked_value_name("MyField"), Err("my_field".to_owned()));
        assert_eq!(checked_value_name("1st"), Err("_1st".to_owned()));
    }

    #[test]
    fn identifiers_by_rusts_rules() {
        for it in ["a", "_a", "r#type", "größe", "A1", "r#match"] {
            assert!(is_identifier(it), "{it}");
        }
        for it in ["", "_", "1a", "my-field", "type", "r#self", "r#_", "Ⓐ", "\u{301}a", "r#", "a b"]
        {
            assert!(!is_identifier(it), "{it}");
        }
    }

    #[test]
    fn variant_names() {
        assert_eq!(variant_name("CANCELED"), "Canceled");
        assert_eq!(variant_name("in-progress"), "InProgress");
        assert_eq!(variant_name("1"), "_1");
        assert_eq!(variant_name("+1"), "Plus1");
        assert_eq!(variant_name("-1"), "Minus1");
        assert_eq!(variant_name("reactions--1"), "ReactionsMinus1");
        assert_eq!(variant_name("2020-01"), "_202001");
        assert_eq!(variant_name(""), "Empty");
    }

    #[test]
    fn feature_names_are_kebab_case_ascii() {
        assert_eq!(feature_name("Code Scanning"), "code-scanning");
        assert_eq!(feature_name("agent-tasks"), "agent-tasks");
        assert_eq!(feature_name("Überblick!"), "uberblick");
        assert_eq!(feature_name("$$$"), "tag");
    }

    #[test]
    fn scope_disambiguates_deterministically() {
        let mut scope = Scope::default();
        scope.reserve("body", "the request body");
        assert_eq!(
            scope.claim("body", "body"),
            (RustName("body2".to_owned()), Some("the request body".to_owned()))
        );
        assert_eq!(scope.claim("user_id", "userId"), (RustName("user_id".to_owned()), None));
        assert_eq!(
            scope.claim("user_id", "user_id"),
            (RustName("user_id2".to_owned()), Some("`userId`".to_owned()))
        );
        assert_eq!(scope.claim("v1", "v1"), (RustName("v1".to_owned()), None));
        assert_eq!(scope.claim("r#type", "type"), (RustName("r#type".to_owned()), None));
        assert_eq!(
            scope.claim("r#type", "`type"),
            (RustName("type2".to_owned()), Some("`type`".to_owned()))
        );
        assert_eq!(scope.claim("v1", "V1"), (RustName("v1_2".to_owned()), Some("`v1`".to_owned())));
    }
}
