//! Enums of values: the variants of a string or integer `enum`, named from the values or by
//! `x-enum-varnames`, each name claimed in the enum's scope.

use openapiv3::{Schema, SchemaKind, Type};
use serde_json::Value;

use super::{Lower, claim_name, schema::fallback_scope};
use crate::{
    ir,
    names::{self, RustName, Scope},
    pointer::JsonPointer,
};

/// The extension that names integer enum variants, as other generators read it.
const ENUM_VARNAMES: &str = "x-enum-varnames";

/// The integer values of an integer enum, `null` aside.
pub(super) fn int_enum_values(schema: &Schema) -> Vec<i64> {
    match &schema.schema_kind {
        SchemaKind::Type(Type::Integer(it)) => it.enumeration.iter().flatten().copied().collect(),
        _ => Vec::new(),
    }
}

impl Lower<'_, '_> {
    /// The variants of a string enum, named by `x-enum-varnames` when the spec gives them.
    pub(super) fn string_enum(&mut self, schema: &Schema, ptr: &JsonPointer) -> Vec<ir::Variant> {
        let SchemaKind::Type(Type::String(it)) = &schema.schema_kind else { return Vec::new() };
        let given = given_variant_names(schema, it.enumeration.iter().flatten().count());
        let mut scope = fallback_scope();
        let mut res: Vec<ir::Variant> = Vec::new();
        // `idx` counts every value for the pointer; `n` only the strings, for `x-enum-varnames`.
        let values =
            it.enumeration.iter().enumerate().filter_map(|(idx, it)| Some((idx, it.as_ref()?)));
        for (n, (idx, value)) in values.enumerate() {
            if res.iter().any(|it| &it.wire_name == value) {
                continue;
            }
            let wanted = match given.get(n) {
                Some(name) => names::variant_name(name),
                None => names::variant_name(value),
            };
            let rust_name =
                self.claim_variant(&mut scope, &wanted, value, &ptr.join("enum").join(idx));
            res.push(ir::Variant { wire_name: value.clone(), rust_name });
        }
        res
    }

    /// The variants of an integer enum, named by `x-enum-varnames` when the spec gives them.
    pub(super) fn int_enum(&mut self, schema: &Schema, ptr: &JsonPointer) -> Vec<ir::IntVariant> {
        let values = int_enum_values(schema);
        let given = given_variant_names(schema, values.len());
        let mut scope = fallback_scope();
        let mut res: Vec<ir::IntVariant> = Vec::new();
        for (idx, value) in values.into_iter().enumerate() {
            if res.iter().any(|it| it.value == value) {
                continue;
            }
            let wanted = match given.get(idx) {
                Some(name) => names::variant_name(name),
                _ if value < 0 => format!("ValueMinus{}", value.unsigned_abs()),
                _ => format!("Value{value}"),
            };
            let rust_name = self.claim_variant(
                &mut scope,
                &wanted,
                &value.to_string(),
                &ptr.join("enum").join(idx),
            );
            res.push(ir::IntVariant { value, rust_name });
        }
        res
    }

    fn claim_variant(
        &mut self,
        scope: &mut Scope,
        wanted: &str,
        value: &str,
        ptr: &JsonPointer,
    ) -> RustName {
        let fix = format!("set `{ENUM_VARNAMES}` on the enum to choose");
        claim_name(self.acc, scope, wanted, value, "variant", ptr, &fix)
    }
}

/// The variant names of `x-enum-varnames`, when there is one for each of the `n_values` values
/// (`null` aside); none otherwise.
fn given_variant_names(schema: &Schema, n_values: usize) -> Vec<&str> {
    let given: Vec<&str> = schema
        .schema_data
        .extensions
        .get(ENUM_VARNAMES)
        .and_then(Value::as_array)
        .map(|it| it.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    if given.len() == n_values { given } else { Vec::new() }
}
