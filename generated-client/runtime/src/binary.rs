//! Raw bytes, as bodies and as files: `application/octet-stream`, images, files in
//! `multipart/form-data`, `format: binary`.

use std::fmt;

use bytes::Bytes;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Bytes, with the file name and media type they travel with when they have them.
///
/// In JSON, where `format: binary` has no bytes to hold, it is the string itself: decoded as its
/// UTF-8 bytes, encoded back as the same text (bytes that are not UTF-8 are written with
/// U+FFFD in their place).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Binary {
    /// The bytes.
    pub bytes: Bytes,
    /// The file name, for a file part of a `multipart/form-data` body.
    pub file_name: Option<String>,
    /// The media type: of a response, as its `Content-Type` says; of a request, the one to
    /// send instead of the spec's.
    pub content_type: Option<String>,
}

impl Binary {
    /// Bytes without a name or a media type.
    pub fn new(bytes: impl Into<Bytes>) -> Binary {
        Binary { bytes: bytes.into(), file_name: None, content_type: None }
    }

    /// A file: bytes with a file name.
    pub fn file(bytes: impl Into<Bytes>, file_name: impl Into<String>) -> Binary {
        Binary { file_name: Some(file_name.into()), ..Binary::new(bytes) }
    }

    /// The same bytes, sent as `content_type`.
    pub fn with_content_type(mut self, content_type: impl Into<String>) -> Binary {
        self.content_type = Some(content_type.into());
        self
    }
}

impl fmt::Debug for Binary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Binary")
            .field("len", &self.bytes.len())
            .field("file_name", &self.file_name)
            .field("content_type", &self.content_type)
            .finish()
    }
}

impl From<Vec<u8>> for Binary {
    fn from(bytes: Vec<u8>) -> Binary {
        Binary::new(bytes)
    }
}

impl From<Bytes> for Binary {
    fn from(bytes: Bytes) -> Binary {
        Binary::new(bytes)
    }
}

impl Serialize for Binary {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        String::from_utf8_lossy(&self.bytes).serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Binary {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Binary, D::Error> {
        String::deserialize(deserializer).map(|it| Binary::new(it.into_bytes()))
    }
}

/// A `multipart/form-data` body under construction: one part per property of the body.
#[derive(Debug)]
pub struct Multipart {
    form: Option<reqwest::multipart::Form>,
    invalid: Option<String>,
}

impl Default for Multipart {
    fn default() -> Multipart {
        Multipart::new()
    }
}

impl Multipart {
    /// An empty form.
    pub fn new() -> Multipart {
        Multipart { form: Some(reqwest::multipart::Form::new()), invalid: None }
    }

    fn add(
        mut self,
        part: impl FnOnce(reqwest::multipart::Form) -> reqwest::multipart::Form,
    ) -> Multipart {
        self.form = self.form.map(part);
        self
    }

    /// A property that is not a file: a scalar as a text part, an array as one part per item,
    /// an object as a JSON part; an absent one (`None`) as no part.
    pub fn part<T: Serialize + ?Sized>(self, name: &str, value: &T) -> Multipart {
        use serde_json::Value;
        let value = match serde_json::to_value(value) {
            Ok(it) => it,
            Err(err) => {
                return Multipart {
                    invalid: Some(format!("part `{name}` cannot be written: {err}")),
                    ..self
                };
            }
        };
        let items = match value {
            Value::Null => Vec::new(),
            Value::Array(items) => items,
            other => vec![other],
        };
        let name = name.to_owned();
        self.add(move |mut form| {
            for item in items {
                form = match item {
                    Value::String(text) => form.text(name.clone(), text),
                    Value::Object(_) | Value::Array(_) => {
                        let part = reqwest::multipart::Part::text(item.to_string());
                        match part.mime_str("application/json") {
                            Ok(part) => form.part(name.clone(), part),
                            Err(_) => form.text(name.clone(), item.to_string()),
                        }
                    }
                    Value::Null => form,
                    scalar => form.text(name.clone(), scalar.to_string()),
                };
            }
            form
        })
    }

    /// Every property of `value`, an object, as a part of its own (see [`Multipart::part`]).
    pub fn fields<T: Serialize + ?Sized>(self, value: &T) -> Multipart {
        match serde_json::to_value(value) {
            Ok(serde_json::Value::Object(map)) => {
                map.iter().fold(self, |form, (name, value)| form.part(name, value))
            }
            Ok(_) => {
                Multipart { invalid: Some("a multipart body must be an object".to_owned()), ..self }
            }
            Err(err) => {
                Multipart { invalid: Some(format!("the body cannot be written: {err}")), ..self }
            }
        }
    }

    /// A file part, with its file name and media type when it has them.
    pub fn file(self, name: &str, file: &Binary) -> Multipart {
        let mut part = reqwest::multipart::Part::stream(file.bytes.clone());
        if let Some(file_name) = &file.file_name {
            part = part.file_name(file_name.clone());
        }
        let part = match &file.content_type {
            Some(it) => match part.mime_str(it) {
                Ok(part) => part,
                Err(_) => {
                    return Multipart {
                        invalid: Some(format!("part `{name}` has an invalid media type `{it}`")),
                        ..self
                    };
                }
            },
            None => part,
        };
        let name = name.to_owned();
        self.add(move |form| form.part(name, part))
    }

    /// A file part when there is one.
    pub fn file_opt(self, name: &str, file: Option<&Binary>) -> Multipart {
        match file {
            Some(file) => self.file(name, file),
            None => self,
        }
    }

    /// One file part per file.
    pub fn files(self, name: &str, files: &[Binary]) -> Multipart {
        files.iter().fold(self, |form, it| form.file(name, it))
    }

    /// The form, or why it cannot be sent.
    pub(crate) fn finish(self) -> Result<reqwest::multipart::Form, String> {
        match (self.invalid, self.form) {
            (Some(problem), _) => Err(problem),
            (None, Some(form)) => Ok(form),
            (None, None) => Err("the multipart form was not started".to_owned()),
        }
    }
}
