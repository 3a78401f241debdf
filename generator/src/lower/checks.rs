//! The constraints of a schema that are checked before a request is sent: bounds, lengths,
//! patterns, multiples, item counts and uniqueness, as `ir::Check`s.

use openapiv3::{Schema, SchemaKind, Type};

use super::Lower;
use crate::{diagnostic::Kind, ir, pointer::JsonPointer};

/// The extension that names the properties whose values may not repeat across an array's items.
const UNIQUE_BY: &str = "x-unique-items-by";

impl Lower<'_, '_> {
    /// The constraints of a property's own schema that are checked before sending.
    pub(super) fn checks(&mut self, schema: &Schema, ptr: &JsonPointer) -> Vec<ir::Check> {
        let mut res = Vec::new();
        let bound = |value: Option<f64>, exclusive: bool| value.map(|it| (it, exclusive));
        match &schema.schema_kind {
            SchemaKind::Type(Type::Array(it)) => {
                if it.min_items.is_some() || it.max_items.is_some() {
                    let (min, max) =
                        (it.min_items.map(|n| n as u64), it.max_items.map(|n| n as u64));
                    res.push(ir::Check::Items { min, max });
                }
                match schema.schema_data.extensions.get(UNIQUE_BY) {
                    None => {}
                    Some(serde_json::Value::Array(names))
                        if !names.is_empty() && names.iter().all(serde_json::Value::is_string) =>
                    {
                        let fields = names
                            .iter()
                            .filter_map(|it| it.as_str().map(|it| (it.to_owned(), String::new())));
                        res.push(ir::Check::UniqueBy {
                            fields: fields.collect(),
                            pointer: ptr.join(UNIQUE_BY).to_string(),
                        });
                    }
                    Some(_) => {
                        self.acc
                            .warning(
                                Kind::Unsupported,
                                ptr.join(UNIQUE_BY),
                                format!("`{UNIQUE_BY}` is not a list of property names"),
                            )
                            .set_note("it is ignored: items are not checked for repeats");
                    }
                }
            }
            SchemaKind::Type(Type::String(it)) => {
                if it.min_length.is_some() || it.max_length.is_some() {
                    let (min, max) =
                        (it.min_length.map(|n| n as u64), it.max_length.map(|n| n as u64));
                    res.push(ir::Check::Length { min, max });
                }
                if let Some(pattern) = &it.pattern {
                    // The `regex` crate's syntax, which the generated check compiles with.
                    let parsed =
                        regex_syntax::ParserBuilder::new().nest_limit(64).build().parse(pattern);
                    match parsed {
                        Ok(_) => res.push(ir::Check::Pattern(pattern.clone())),
                        Err(err) => {
                            let reason = err.to_string();
                            let reason =
                                reason.lines().last().unwrap_or_default().trim().to_owned();
                            self.acc
                                .warning(
                                    Kind::Unsupported,
                                    ptr.join("pattern"),
                                    "a `pattern` the `regex` crate cannot read",
                                )
                                .set_note(format!(
                                    "{reason}; it is documented, not checked before sending"
                                ));
                        }
                    }
                }
            }
            SchemaKind::Type(Type::Integer(it)) if it.minimum.is_some() || it.maximum.is_some() => {
                res.push(ir::Check::Range {
                    min: bound(it.minimum.map(|n| n as f64), it.exclusive_minimum),
                    max: bound(it.maximum.map(|n| n as f64), it.exclusive_maximum),
                });
            }
            SchemaKind::Type(Type::Number(it)) if it.minimum.is_some() || it.maximum.is_some() => {
                res.push(ir::Check::Range {
                    min: bound(it.minimum, it.exclusive_minimum),
                    max: bound(it.maximum, it.exclusive_maximum),
                });
            }
            _ => {}
        }
        res
    }
}
