//! Schemas to models and types: structs, enums, aliases, and the types of every use.

use openapiv3::{
    AdditionalProperties, IntegerFormat, NumberFormat, ReferenceOr, Schema, SchemaKind,
    StringFormat, Type, VariantOrUnknownOrEmpty,
};

use super::{Lower, RUST_NAME, docs, rust_name_override};
use crate::{
    diagnostic::Kind,
    ir,
    names::{self, Scope},
    pointer::JsonPointer,
};

impl Lower<'_, '_> {
    pub(super) fn lower_component(
        &mut self,
        name: &str,
        schema: &ReferenceOr<Schema>,
        ptr: &JsonPointer,
    ) {
        let rust_name = self.component_names[name].clone();
        match schema {
            // An alias of another component.
            ReferenceOr::Reference { reference } => {
                let ty = self.lower_ref(reference, ptr);
                self.push_model(
                    name,
                    rust_name,
                    ptr,
                    ir::Docs::default(),
                    ir::ModelKind::Alias(ty),
                );
            }
            ReferenceOr::Item(schema) => {
                let docs = docs(
                    schema.schema_data.title.as_ref(),
                    schema.schema_data.description.as_ref(),
                );
                let kind = self.lower_model_kind(schema, &rust_name, ptr);
                self.push_model(name, rust_name, ptr, docs, kind);
            }
        }
    }

    fn push_model(
        &mut self,
        wire: &str,
        rust_name: String,
        ptr: &JsonPointer,
        docs: ir::Docs,
        kind: ir::ModelKind,
    ) {
        self.models.push(ir::Model {
            wire_name: wire.to_owned(),
            rust_name,
            pointer: ptr.to_string(),
            docs,
            kind,
        });
    }

    /// The shape of a named type: a struct, an enum, or an alias of whatever else the schema is.
    fn lower_model_kind(
        &mut self,
        schema: &Schema,
        rust_name: &str,
        ptr: &JsonPointer,
    ) -> ir::ModelKind {
        if let Some(variants) = self.string_enum(schema, ptr) {
            return ir::ModelKind::StringEnum(variants);
        }
        if let Some(strukt) = self.object_struct(schema, rust_name, ptr) {
            return ir::ModelKind::Struct(strukt);
        }
        // The alias itself is never `Option`: nullability belongs to each use.
        let ty = self.lower_schema_kind(schema, ptr, rust_name);
        ir::ModelKind::Alias(ty)
    }

    /// A string enum's variants, or `None` when `schema` is not a string enum.
    fn string_enum(&mut self, schema: &Schema, ptr: &JsonPointer) -> Option<Vec<ir::Variant>> {
        let SchemaKind::Type(Type::String(it)) = &schema.schema_kind else { return None };
        if it.enumeration.iter().all(Option::is_none) {
            return None;
        }
        let mut scope = Scope::default();
        // `Unknown` carries values this client does not know.
        scope.reserve("Unknown");
        let mut res = Vec::new();
        for (idx, value) in it.enumeration.iter().enumerate() {
            // A `null` among the values only says the schema is nullable; see `is_nullable`.
            let Some(value) = value else { continue };
            if res.iter().any(|it: &ir::Variant| &it.wire_name == value) {
                continue;
            }
            let wanted = names::variant_name(value);
            let (rust_name, first) = scope.claim(&wanted, value);
            if let Some(first) = first {
                let what = if first.is_empty() {
                    "the fallback variant".to_owned()
                } else {
                    format!("`{first}`")
                };
                self.acc
                    .warning(
                        Kind::NameCollision,
                        ptr.join("enum").join(idx),
                        format!(
                            "enum value `{value}` and {what} both become the variant `{wanted}`"
                        ),
                    )
                    .set_note(format!("`{value}` is generated as `{rust_name}`"));
            }
            res.push(ir::Variant { wire_name: value.clone(), rust_name });
        }
        Some(res)
    }

    /// A struct for an object schema with properties, or `None` for any other schema.
    fn object_struct(
        &mut self,
        schema: &Schema,
        rust_name: &str,
        ptr: &JsonPointer,
    ) -> Option<ir::Struct> {
        let (properties, required, additional) = match &schema.schema_kind {
            SchemaKind::Type(Type::Object(it)) => {
                (&it.properties, &it.required, &it.additional_properties)
            }
            SchemaKind::Any(it) if !it.properties.is_empty() => {
                (&it.properties, &it.required, &it.additional_properties)
            }
            _ => return None,
        };
        if properties.is_empty() {
            return None;
        }
        let mut scope = Scope::default();
        let mut fields = Vec::new();
        for (wire, prop) in properties {
            let prop_ptr = ptr.join("properties").join(wire);
            let (wanted, prop_docs) = match prop {
                ReferenceOr::Item(it) => (
                    rust_name_override(&it.schema_data.extensions),
                    docs(it.schema_data.title.as_ref(), it.schema_data.description.as_ref()),
                ),
                ReferenceOr::Reference { .. } => (None, ir::Docs::default()),
            };
            let wanted = wanted.unwrap_or_else(|| names::value_name(wire));
            let (field_name, first) = scope.claim(&wanted, wire);
            if let Some(first) = first {
                self.acc
                    .warning(Kind::NameCollision, prop_ptr.clone(), format!("properties `{first}` and `{wire}` both become the field `{wanted}`"))
                    .set_note(format!("`{wire}` is generated as `{field_name}`; set `{RUST_NAME}` on either property to choose"));
            }
            let hint = names::nested_type_name(rust_name, wire);
            let ty = self.lower_boxed(prop, &prop_ptr, &hint);
            fields.push(ir::Field {
                wire_name: wire.clone(),
                rust_name: field_name,
                docs: prop_docs,
                ty,
                required: required.contains(wire),
                boxed: false,
            });
        }
        let additional = match additional {
            Some(AdditionalProperties::Schema(it)) => {
                let hint = names::nested_type_name(rust_name, "Value");
                let ty = self.lower_type(it, &ptr.join("additionalProperties"), &hint);
                let (name, _) = scope.claim("additional_properties", "");
                Some((name, ty))
            }
            _ => None,
        };
        Some(ir::Struct { fields, additional })
    }

    fn lower_boxed(
        &mut self,
        schema: &ReferenceOr<Box<Schema>>,
        ptr: &JsonPointer,
        hint: &str,
    ) -> ir::TypeRef {
        match schema {
            ReferenceOr::Reference { reference } => self.lower_ref(reference, ptr),
            ReferenceOr::Item(it) => self.lower_inline(it, ptr, hint),
        }
    }

    /// The type of a schema used somewhere: a reference, or an inline schema (hoisted into a
    /// model called `hint` when it needs a type of its own).
    pub(super) fn lower_type(
        &mut self,
        schema: &ReferenceOr<Schema>,
        ptr: &JsonPointer,
        hint: &str,
    ) -> ir::TypeRef {
        match schema {
            ReferenceOr::Reference { reference } => self.lower_ref(reference, ptr),
            ReferenceOr::Item(it) => self.lower_inline(it, ptr, hint),
        }
    }

    fn lower_ref(&mut self, reference: &str, ptr: &JsonPointer) -> ir::TypeRef {
        match self.resolver.schema(reference) {
            Some(target) => {
                let named = ir::TypeRef::Named(self.component_names[target.name].clone());
                if is_nullable(target.schema) {
                    ir::TypeRef::Nullable(Box::new(named))
                } else {
                    named
                }
            }
            // `resolve::check_refs` has reported references that point nowhere.
            None if reference.starts_with("#/components/schemas/") => ir::TypeRef::Json,
            None => {
                if JsonPointer::parse_ref(reference).is_some() {
                    self.acc
                        .error(Kind::Unsupported, ptr.join("$ref"), format!("unsupported: schema `$ref` `{reference}`"))
                        .set_note("a schema reference must name `#/components/schemas/<name>`; no code was generated for it");
                }
                ir::TypeRef::Json
            }
        }
    }

    fn lower_inline(&mut self, schema: &Schema, ptr: &JsonPointer, hint: &str) -> ir::TypeRef {
        let needs_model = matches!(&schema.schema_kind, SchemaKind::Type(Type::String(it)) if it.enumeration.iter().any(Option::is_some))
            || match &schema.schema_kind {
                SchemaKind::Type(Type::Object(it)) => !it.properties.is_empty(),
                SchemaKind::Any(it) => !it.properties.is_empty(),
                _ => false,
            };
        let ty = if needs_model {
            let wanted = rust_name_override(&schema.schema_data.extensions)
                .unwrap_or_else(|| hint.to_owned());
            let rust_name = self.claim_model_name(wanted, hint, ptr);
            let docs =
                docs(schema.schema_data.title.as_ref(), schema.schema_data.description.as_ref());
            let kind = self.lower_model_kind(schema, &rust_name, ptr);
            self.push_model(hint, rust_name.clone(), ptr, docs, kind);
            ir::TypeRef::Named(rust_name)
        } else {
            self.lower_schema_kind(schema, ptr, hint)
        };
        if is_nullable(schema) { ir::TypeRef::Nullable(Box::new(ty)) } else { ty }
    }

    /// The type of a schema that needs no model of its own.
    fn lower_schema_kind(&mut self, schema: &Schema, ptr: &JsonPointer, hint: &str) -> ir::TypeRef {
        match &schema.schema_kind {
            SchemaKind::Type(Type::String(it)) => match &it.format {
                VariantOrUnknownOrEmpty::Item(StringFormat::DateTime) => ir::TypeRef::DateTime,
                VariantOrUnknownOrEmpty::Item(StringFormat::Date) => ir::TypeRef::Date,
                VariantOrUnknownOrEmpty::Unknown(format) if format == "uuid" => ir::TypeRef::Uuid,
                _ => ir::TypeRef::String,
            },
            SchemaKind::Type(Type::Integer(it)) => match &it.format {
                VariantOrUnknownOrEmpty::Item(IntegerFormat::Int32) => ir::TypeRef::I32,
                _ => ir::TypeRef::I64,
            },
            SchemaKind::Type(Type::Number(it)) => match &it.format {
                VariantOrUnknownOrEmpty::Item(NumberFormat::Float) => ir::TypeRef::F32,
                _ => ir::TypeRef::F64,
            },
            SchemaKind::Type(Type::Boolean(_)) => ir::TypeRef::Bool,
            SchemaKind::Type(Type::Array(it)) => {
                let item = match &it.items {
                    Some(items) => self.lower_boxed(
                        items,
                        &ptr.join("items"),
                        &names::nested_type_name(hint, "Item"),
                    ),
                    None => ir::TypeRef::Json,
                };
                ir::TypeRef::Vec(Box::new(item))
            }
            SchemaKind::Type(Type::Object(it)) => {
                self.lower_map(it.additional_properties.as_ref(), ptr, hint)
            }
            SchemaKind::Any(it) => {
                let composed = [
                    ("allOf", it.all_of.is_empty()),
                    ("oneOf", it.one_of.is_empty()),
                    ("anyOf", it.any_of.is_empty()),
                ];
                if let Some((keyword, _)) = composed.iter().find(|(_, empty)| !empty) {
                    self.unsupported_composition(keyword, ptr);
                    return ir::TypeRef::Json;
                }
                if it.not.is_some() {
                    self.unsupported_composition("not", ptr);
                    return ir::TypeRef::Json;
                }
                match it.typ.as_deref() {
                    Some("array") => {
                        let item = match &it.items {
                            Some(items) => self.lower_boxed(
                                items,
                                &ptr.join("items"),
                                &names::nested_type_name(hint, "Item"),
                            ),
                            None => ir::TypeRef::Json,
                        };
                        ir::TypeRef::Vec(Box::new(item))
                    }
                    Some("object") | None => {
                        self.lower_map(it.additional_properties.as_ref(), ptr, hint)
                    }
                    Some("string") => ir::TypeRef::String,
                    Some("boolean") => ir::TypeRef::Bool,
                    Some("integer") => ir::TypeRef::I64,
                    Some("number") => ir::TypeRef::F64,
                    Some(other) => {
                        self.acc.error(
                            Kind::Invalid,
                            ptr.join("type"),
                            format!("unknown schema type `{other}`"),
                        );
                        ir::TypeRef::Json
                    }
                }
            }
            SchemaKind::AllOf { .. } => self.unsupported_composition("allOf", ptr),
            SchemaKind::OneOf { .. } => self.unsupported_composition("oneOf", ptr),
            SchemaKind::AnyOf { .. } => self.unsupported_composition("anyOf", ptr),
            SchemaKind::Not { .. } => self.unsupported_composition("not", ptr),
        }
    }

    /// An object schema without properties: a map when `additionalProperties` has a schema,
    /// any JSON value otherwise.
    fn lower_map(
        &mut self,
        additional: Option<&AdditionalProperties>,
        ptr: &JsonPointer,
        hint: &str,
    ) -> ir::TypeRef {
        match additional {
            Some(AdditionalProperties::Schema(it)) => {
                let value = self.lower_type(
                    it,
                    &ptr.join("additionalProperties"),
                    &names::nested_type_name(hint, "Value"),
                );
                ir::TypeRef::Map(Box::new(value))
            }
            _ => ir::TypeRef::Json,
        }
    }

    fn unsupported_composition(&mut self, keyword: &str, ptr: &JsonPointer) -> ir::TypeRef {
        self.acc
            .error(Kind::Unsupported, ptr.join(keyword), format!("unsupported: `{keyword}`"))
            .set_note("schema composition is not supported yet; no code was generated");
        ir::TypeRef::Json
    }
}

/// Whether a schema admits `null`: `nullable: true`, or `null` among its enum values.
pub(super) fn is_nullable(schema: &Schema) -> bool {
    schema.schema_data.nullable
        || matches!(&schema.schema_kind, SchemaKind::Type(Type::String(it)) if it.enumeration.contains(&None))
}
