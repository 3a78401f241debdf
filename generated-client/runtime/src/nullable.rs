//! Serde helpers for a property that is both optional and nullable, held as `Option<Option<T>>`:
//! `None` when absent, `Some(None)` when `null`, `Some(Some(value))` otherwise.
//!
//! Generated fields use it with `#[serde(default, skip_serializing_if = "Option::is_none",
//! with = "crate::nullable")]`: `default` reads an absent property as `None`, and this
//! module reads `null` as `Some(None)` instead of collapsing it into `None`.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Writes `Some(None)` as `null` (`None` is skipped before this is called).
pub fn serialize<T: Serialize, S: Serializer>(
    value: &Option<Option<T>>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match value {
        Some(inner) => inner.serialize(serializer),
        None => serializer.serialize_none(),
    }
}

/// Reads a present property, `null` included, as `Some`.
pub fn deserialize<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(deserializer).map(Some)
}
