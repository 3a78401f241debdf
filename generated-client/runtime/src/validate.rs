//! Checks of a value against its schema's constraints, before it is sent.
//!
//! Generated models whose schemas say `maxItems`, `minLength`, `maximum`, `pattern` and the like
//! (or `x-unique-items-by`, which names the properties that must not repeat across an array's
//! items) implement [`Validate`]; generated methods check their body with it and send nothing
//! when it fails, so a request the server would refuse as a whole never leaves the machine.

use std::{collections::BTreeMap, fmt};

/// A value that can be checked against its schema's constraints.
pub trait Validate {
    /// Adds what is wrong with the value, at `path` (`inputs[3].id`), to `out`.
    fn validate_into(&self, path: &str, out: &mut Vec<Violation>);

    /// Checks the value: every rule it breaks, or nothing.
    fn validate(&self) -> Result<(), Violations> {
        let mut out = Vec::new();
        self.validate_into("", &mut out);
        if out.is_empty() { Ok(()) } else { Err(Violations(out)) }
    }
}

/// One broken rule: where, and which.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    /// Where in the value: property names and item indices, `inputs[3].id`; empty for the
    /// value itself.
    pub path: String,
    /// The rule, as the spec states it (`at most 100 items (maxItems)`).
    pub rule: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.rule)
        } else {
            write!(f, "{}: {}", self.path, self.rule)
        }
    }
}

/// Every rule a value breaks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violations(pub Vec<Violation>);

impl fmt::Display for Violations {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (idx, it) in self.0.iter().enumerate() {
            if idx > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{it}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Violations {}

/// The path of a property of the value at `path`.
pub fn field(path: &str, name: &str) -> String {
    if path.is_empty() { name.to_owned() } else { format!("{path}.{name}") }
}

fn push(out: &mut Vec<Violation>, path: &str, rule: String) {
    out.push(Violation { path: path.to_owned(), rule });
}

/// `minItems` and `maxItems`.
pub fn items(path: &str, out: &mut Vec<Violation>, len: usize, min: Option<u64>, max: Option<u64>) {
    let len = len as u64;
    let items = |n: u64| if n == 1 { "item" } else { "items" };
    if let Some(max) = max.filter(|max| len > *max) {
        push(out, path, format!("at most {max} {} (maxItems), not {len}", items(max)));
    }
    if let Some(min) = min.filter(|min| len < *min) {
        push(out, path, format!("at least {min} {} (minItems), not {len}", items(min)));
    }
}

/// `minLength` and `maxLength`, in characters.
pub fn length(
    path: &str,
    out: &mut Vec<Violation>,
    text: &str,
    min: Option<u64>,
    max: Option<u64>,
) {
    let len = text.chars().count() as u64;
    if let Some(max) = max.filter(|max| len > *max) {
        push(out, path, format!("at most {max} characters (maxLength), not {len}"));
    }
    if let Some(min) = min.filter(|min| len < *min) {
        let rule = if min == 1 {
            "must not be empty (minLength 1)".to_owned()
        } else {
            format!("at least {min} characters (minLength), not {len}")
        };
        push(out, path, rule);
    }
}

/// `minimum` and `maximum`, exclusive or not.
pub fn range(
    path: &str,
    out: &mut Vec<Violation>,
    value: f64,
    min: Option<(f64, bool)>,
    max: Option<(f64, bool)>,
) {
    let over = |(max, exclusive): &(f64, bool)| value > *max || (*exclusive && value == *max);
    if let Some((max, exclusive)) = max.filter(over) {
        let below = if exclusive { "below" } else { "at most" };
        push(out, path, format!("{below} {max} (maximum), not {value}"));
    }
    let under = |(min, exclusive): &(f64, bool)| value < *min || (*exclusive && value == *min);
    if let Some((min, exclusive)) = min.filter(under) {
        let above = if exclusive { "above" } else { "at least" };
        push(out, path, format!("{above} {min} (minimum), not {value}"));
    }
}

/// `pattern`: `matched` says whether the value matches it.
pub fn pattern(path: &str, out: &mut Vec<Violation>, matched: bool, pattern: &str) {
    if !matched {
        push(out, path, format!("must match `{pattern}` (pattern)"));
    }
}

/// `x-unique-items-by`: no two items share the values `keys` gives for them (`names` names the
/// properties, for the message).
pub fn unique_by(
    path: &str,
    out: &mut Vec<Violation>,
    keys: impl Iterator<Item = serde_json::Value>,
    names: &str,
) {
    let mut first: BTreeMap<String, usize> = BTreeMap::new();
    for (idx, key) in keys.enumerate() {
        let text = key.to_string();
        match first.get(&text) {
            Some(earlier) => push(
                out,
                &format!("{path}[{idx}]"),
                format!("repeats {path}[{earlier}]: the same {names} ({text}) (x-unique-items-by)"),
            ),
            None => {
                first.insert(text, idx);
            }
        }
    }
}

impl<T: Validate> Validate for Vec<T> {
    fn validate_into(&self, path: &str, out: &mut Vec<Violation>) {
        for (idx, it) in self.iter().enumerate() {
            it.validate_into(&format!("{path}[{idx}]"), out);
        }
    }
}

impl<T: Validate> Validate for Option<T> {
    fn validate_into(&self, path: &str, out: &mut Vec<Violation>) {
        if let Some(it) = self {
            it.validate_into(path, out);
        }
    }
}

impl<T: Validate + ?Sized> Validate for Box<T> {
    fn validate_into(&self, path: &str, out: &mut Vec<Violation>) {
        (**self).validate_into(path, out);
    }
}

impl<T: Validate> Validate for BTreeMap<String, T> {
    fn validate_into(&self, path: &str, out: &mut Vec<Violation>) {
        for (key, it) in self {
            it.validate_into(&field(path, key), out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Violation, items, length, range, unique_by};

    #[test]
    fn rules_name_themselves() {
        let mut out = Vec::new();
        items("inputs", &mut out, 101, None, Some(100));
        length("inputs[0].id", &mut out, "", Some(1), None);
        range("n", &mut out, 5.0, Some((5.0, true)), None);
        unique_by(
            "inputs",
            &mut out,
            [
                serde_json::json!(["p", "a"]),
                serde_json::json!(["p", "b"]),
                serde_json::json!(["p", "a"]),
            ]
            .into_iter(),
            "idProperty and id",
        );
        let text: Vec<String> = out.iter().map(Violation::to_string).collect();
        assert_eq!(
            text,
            [
                "inputs: at most 100 items (maxItems), not 101",
                "inputs[0].id: must not be empty (minLength 1)",
                "n: above 5 (minimum), not 5",
                r#"inputs[2]: repeats inputs[0]: the same idProperty and id (["p","a"]) (x-unique-items-by)"#,
            ]
        );
    }
}
