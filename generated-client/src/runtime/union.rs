//! Helpers for the `Serialize` and `Deserialize` impls of generated unions (`oneOf`, `anyOf`).
//!
//! A union is decoded from a `serde_json::Value`: by its discriminator property when the spec
//! names one, else as the first member that accepts it. The whole value, discriminator included,
//! goes to the member, so members that declare the discriminator as a required property decode.

use serde::{Serialize, Serializer, de::DeserializeOwned, ser::Error as _};
use serde_json::Value;

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

/// Decodes `value` as `T` if it is of the member's kind and decodes. The kind is checked
/// first because serde's derived structs also accept arrays, which would let an array member
/// be taken for a struct.
pub fn try_decode<T: DeserializeOwned, U>(
    value: &Value,
    kind: JsonKind,
    wrap: impl FnOnce(T) -> U,
) -> Option<U> {
    if !kind.accepts(value) {
        return None;
    }
    T::deserialize(value).ok().map(wrap)
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
