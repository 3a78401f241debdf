//! Bytes that travel as base64 text (`format: byte`).

use std::{fmt, ops::Deref};

use base64::{
    Engine,
    engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD},
};
use serde::{Deserialize, Deserializer, Serialize, Serializer, de::Error as _};

use crate::ToParam;

/// Bytes written as standard base64 with padding; read from standard or URL-safe base64, with
/// or without padding.
#[derive(Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Base64(pub Vec<u8>);

impl Base64 {
    /// The base64 text.
    pub fn encode(&self) -> String {
        STANDARD.encode(&self.0)
    }

    /// Reads base64 text in any of the four common alphabets and paddings.
    pub fn decode(text: &str) -> Result<Base64, base64::DecodeError> {
        let mut res = STANDARD.decode(text);
        for engine in [&STANDARD_NO_PAD, &URL_SAFE, &URL_SAFE_NO_PAD] {
            if res.is_ok() {
                break;
            }
            res = engine.decode(text);
        }
        res.map(Base64)
    }
}

impl fmt::Debug for Base64 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Base64({})", self.encode())
    }
}

impl Deref for Base64 {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        &self.0
    }
}

impl From<Vec<u8>> for Base64 {
    fn from(bytes: Vec<u8>) -> Base64 {
        Base64(bytes)
    }
}

impl Serialize for Base64 {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.encode())
    }
}

impl<'de> Deserialize<'de> for Base64 {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Base64, D::Error> {
        let text = String::deserialize(deserializer)?;
        Base64::decode(&text).map_err(D::Error::custom)
    }
}

impl ToParam for Base64 {
    fn to_param(&self) -> String {
        self.encode()
    }
}
