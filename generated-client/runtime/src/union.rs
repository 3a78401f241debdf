//! Helpers for the `Serialize` and `Deserialize` impls of generated unions (`oneOf`, `anyOf`).
//!
//! A union is decoded from a `serde_json::Value`: by its discriminator property when the spec
//! names one, else by [`Untagged`], which tries every member. The whole value, discriminator
//! included, goes to the member, so members that declare the discriminator as a required
//! property decode.
//!
//! ## Which member an untagged value becomes
//!
//! Members are tried in the order the generated code gives (the spec's, with members that keep
//! every value of their kind last). A member is a candidate when the value is of its JSON kind
//! and decodes as it. Each candidate is encoded again and compared with the value: what it
//! dropped, changed or added, plus the enum values and nested unions it did not recognise (held
//! as `Unknown`), is its loss. The first candidate, in that order, that loses nothing wins at
//! once; otherwise the candidate that loses least, the one tried first on a tie, if it keeps
//! some of the value; with no such candidate, the value is kept verbatim as `Unknown`. So an
//! object with only optional properties cannot win by ignoring the value's properties, and an
//! enum that accepts anything as `Unknown` does not hide later members. A member may drop
//! properties its schema does not declare (a field the server added since) as long as another
//! member does not keep more.

use std::cell::Cell;

use serde::{Serialize, Serializer, de::DeserializeOwned, ser::Error as _};
use serde_json::{Number, Value};

/// The discriminator of `value`: the string at `property`, if any.
pub fn tag<'v>(value: &'v Value, property: &str) -> Option<&'v str> {
    value.get(property)?.as_str()
}

/// Decodes `value` as the member `T` its discriminator names; failing is an error, since the
/// value claims to be a `T`.
pub fn decode<T: DeserializeOwned, U, E: serde::de::Error>(
    value: Value,
    wrap: impl FnOnce(T) -> U,
) -> Result<U, E> {
    serde_json::from_value(value).map(wrap).map_err(E::custom)
}

/// The kind of JSON value a union member accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JsonKind {
    /// An object (a struct or a map).
    Object,
    /// An array.
    Array,
    /// A string (text, dates, UUIDs, base64, string enums).
    String,
    /// A number.
    Number,
    /// `true` or `false`.
    Bool,
    /// Anything (a free-form value, or a union).
    Any,
}

impl JsonKind {
    fn accepts(self, value: &Value) -> bool {
        match self {
            JsonKind::Object => value.is_object(),
            JsonKind::Array => value.is_array(),
            JsonKind::String => value.is_string(),
            JsonKind::Number => value.is_number(),
            JsonKind::Bool => value.is_boolean(),
            JsonKind::Any => true,
        }
    }
}

thread_local! {
    /// How many values decoding has kept as `Unknown` on this thread: read as a difference
    /// around one member's decoding, which does not await, so nothing else runs in between.
    static UNKNOWN: Cell<usize> = const { Cell::new(0) };
}

/// Called by generated enums and unions when they keep a value they do not recognise as
/// `Unknown`: a union member that needs this to decode did not recognise the whole value.
pub fn note_unknown() {
    UNKNOWN.with(|it| it.set(it.get().wrapping_add(1)));
}

pub(crate) fn unknown_count() -> usize {
    UNKNOWN.with(Cell::get)
}

/// Decodes a union without a discriminator: see the [module documentation](self) for the rule.
///
/// ```text
/// Untagged::new(value).member(JsonKind::Object, Self::Cat).member(…).finish(Self::Unknown)
/// ```
#[derive(Debug)]
pub struct Untagged<U> {
    value: Value,
    /// The best candidate so far: its loss, how many `Unknown`s it holds, and it.
    best: Option<(usize, usize, U)>,
}

impl<U> Untagged<U> {
    /// Starts decoding `value`.
    pub fn new(value: Value) -> Untagged<U> {
        Untagged { value, best: None }
    }

    /// Tries the next member, `T`, whose values are of the JSON kind `kind`.
    pub fn member<T: DeserializeOwned + Serialize>(
        mut self,
        kind: JsonKind,
        wrap: impl FnOnce(T) -> U,
    ) -> Untagged<U> {
        let done = matches!(self.best, Some((0, ..)));
        if done || !kind.accepts(&self.value) {
            return self;
        }
        let before = unknown_count();
        let decoded = T::deserialize(&self.value);
        let unknowns = unknown_count().wrapping_sub(before);
        // What this trial noted is counted again for the winner only, in `finish`.
        UNKNOWN.with(|it| it.set(before));
        let Ok(decoded) = decoded else { return self };
        let lost = match serde_json::to_value(&decoded) {
            Ok(encoded) => loss(&self.value, &encoded),
            Err(_) => return self,
        } + unknowns;
        // A member that keeps none of the value does not account for it at all.
        if lost > 0 && lost >= leaves(&self.value) {
            return self;
        }
        if self.best.as_ref().is_none_or(|(best, ..)| lost < *best) {
            self.best = Some((lost, unknowns, wrap(decoded)));
        }
        self
    }

    /// The member chosen, or the value kept whole by `unknown` when no member decodes it.
    pub fn finish(self, unknown: impl FnOnce(Value) -> U) -> U {
        match self.best {
            Some((_, unknowns, it)) => {
                UNKNOWN.with(|count| count.set(count.get().wrapping_add(unknowns)));
                it
            }
            None => {
                note_unknown();
                unknown(self.value)
            }
        }
    }
}

/// How much of `original` is not in `encoded` as it was, plus what `encoded` adds: a count of
/// the values (leaves) dropped, changed or added.
pub fn loss(original: &Value, encoded: &Value) -> usize {
    match (original, encoded) {
        (Value::Object(original), Value::Object(encoded)) => {
            let kept: usize = original
                .iter()
                .map(|(key, value)| match encoded.get(key) {
                    Some(it) => loss(value, it),
                    None => leaves(value),
                })
                .sum();
            let added = encoded.keys().filter(|key| !original.contains_key(*key)).count();
            kept + added
        }
        (Value::Array(original), Value::Array(encoded)) => {
            let pairs: usize = original.iter().zip(encoded).map(|(a, b)| loss(a, b)).sum();
            let extra = original.iter().skip(encoded.len()).map(leaves).sum::<usize>()
                + encoded.len().saturating_sub(original.len());
            pairs + extra
        }
        (Value::Number(a), Value::Number(b)) => usize::from(!same_number(a, b)),
        (a, b) if a == b => 0,
        (a, _) => leaves(a),
    }
}

fn leaves(value: &Value) -> usize {
    match value {
        Value::Object(map) => map.values().map(leaves).sum::<usize>().max(1),
        Value::Array(items) => items.iter().map(leaves).sum::<usize>().max(1),
        _ => 1,
    }
}

/// Whether two JSON numbers are the same number, exactly: integers compared as integers (not
/// as floats, which would call 2^53 + 1 and 2^53 equal), an integer and a float equal only when
/// the float is that very integer.
pub fn same_number(a: &Number, b: &Number) -> bool {
    fn integer(n: &Number) -> Option<i128> {
        n.as_i64().map(i128::from).or_else(|| n.as_u64().map(i128::from))
    }
    match (integer(a), integer(b)) {
        (Some(a), Some(b)) => a == b,
        (Some(int), None) | (None, Some(int)) => {
            let float = if integer(a).is_some() { b.as_f64() } else { a.as_f64() };
            // 2^127 bounds i128; a float that is an integer below it converts exactly.
            float.is_some_and(|it| it.fract() == 0.0 && it.abs() < 1.7e38 && it as i128 == int)
        }
        (None, None) => a.as_f64() == b.as_f64(),
    }
}

/// Encodes `value`, adding `property: tag` when the member does not write it itself.
pub fn serialize_tagged<T: Serialize, S: Serializer>(
    value: &T,
    property: &str,
    tag: &str,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    let mut value = serde_json::to_value(value).map_err(S::Error::custom)?;
    if let Value::Object(map) = &mut value {
        map.entry(property).or_insert_with(|| Value::from(tag));
    }
    value.serialize(serializer)
}

#[cfg(test)]
mod tests {
    use serde_json::{Number, json};

    use super::{loss, same_number};

    #[test]
    fn numbers_are_compared_exactly() {
        let n = |text: &str| serde_json::from_str::<Number>(text).unwrap();
        assert!(same_number(&n("5"), &n("5.0")));
        assert!(same_number(&n("-3"), &n("-3")));
        assert!(same_number(&n("1e2"), &n("100")));
        assert!(!same_number(&n("9007199254740993"), &n("9007199254740992.0")));
        assert!(!same_number(&n("9007199254740993"), &n("9007199254740992")));
        assert!(!same_number(&n("18446744073709551615"), &n("-1")));
        assert!(!same_number(&n("0.5"), &n("0")));
        assert!(same_number(&n("0.1"), &n("0.1")));
    }

    #[test]
    fn loss_counts_what_was_dropped_changed_or_added() {
        assert_eq!(loss(&json!({"bark": true}), &json!({})), 1);
        assert_eq!(loss(&json!({"a": {"b": 1, "c": 2}}), &json!({})), 2);
        assert_eq!(loss(&json!({"a": 1}), &json!({"a": 1, "b": null})), 1);
        assert_eq!(loss(&json!([1, 2, 3]), &json!([1, 2])), 1);
        assert_eq!(loss(&json!({"a": "x"}), &json!({"a": "y"})), 1);
        assert_eq!(loss(&json!({"a": [1, {"b": 2}]}), &json!({"a": [1.0, {"b": 2}]})), 0);
    }
}
