//! Schemas to models and types: structs (with `allOf` merged), enums, unions (`oneOf`,
//! `anyOf`), aliases, and the type of every use of a schema.

use std::borrow::Borrow;

use indexmap::IndexMap;
use openapiv3::{
    AdditionalProperties, IntegerFormat, NumberFormat, ReferenceOr, Schema, SchemaKind,
    StringFormat, Type, VariantOrUnknownOrEmpty,
};
use serde_json::Value;

use super::{Lower, RUST_NAME, claim_name, docs, rust_name_override};
use crate::{
    diagnostic::Kind,
    ir,
    names::{self, Scope},
    pointer::JsonPointer,
};

/// The extension that names integer enum variants, as other generators read it.
const ENUM_VARNAMES: &str = "x-enum-varnames";

/// How deep `allOf` may nest through references before we call it a cycle.
const MAX_ALL_OF_DEPTH: usize = 32;

/// What a schema becomes.
enum Shape<'s> {
    StringEnum,
    IntEnum,
    /// An object with properties, or an `allOf` to merge into one.
    Struct,
    /// A `oneOf` or `anyOf` with more than one member.
    Union(&'static str, &'s [ReferenceOr<Schema>]),
    /// A composition of one member (`allOf: [$ref]`, the usual way to make a reference
    /// nullable or documented): that member's type.
    Single(&'static str, &'s ReferenceOr<Schema>),
    /// Anything that needs no type of its own: a scalar, an array, a map, any JSON value.
    Plain,
}

/// The parts of a schema that decide its shape, wherever `openapiv3` put them: a typed object,
/// a composition, or an `AnySchema` that mixes `properties` with `allOf`, say.
struct View<'s> {
    properties: Option<&'s IndexMap<String, ReferenceOr<Box<Schema>>>>,
    required: &'s [String],
    additional: Option<&'s AdditionalProperties>,
    all_of: &'s [ReferenceOr<Schema>],
    one_of: &'s [ReferenceOr<Schema>],
    any_of: &'s [ReferenceOr<Schema>],
    not: bool,
}

fn view(schema: &Schema) -> View<'_> {
    let mut res = View {
        properties: None,
        required: &[],
        additional: None,
        all_of: &[],
        one_of: &[],
        any_of: &[],
        not: false,
    };
    match &schema.schema_kind {
        SchemaKind::Type(Type::Object(it)) => {
            res.properties = Some(&it.properties);
            res.required = &it.required;
            res.additional = it.additional_properties.as_ref();
        }
        SchemaKind::AllOf { all_of } => res.all_of = all_of,
        SchemaKind::OneOf { one_of } => res.one_of = one_of,
        SchemaKind::AnyOf { any_of } => res.any_of = any_of,
        SchemaKind::Not { .. } => res.not = true,
        SchemaKind::Any(it) => {
            res.properties = Some(&it.properties);
            res.required = &it.required;
            res.additional = it.additional_properties.as_ref();
            res.all_of = &it.all_of;
            res.one_of = &it.one_of;
            res.any_of = &it.any_of;
            res.not = it.not.is_some();
        }
        SchemaKind::Type(_) => {}
    }
    res
}

/// The integer values of an integer enum, `null` aside.
fn int_enum_values(schema: &Schema) -> Vec<i64> {
    match &schema.schema_kind {
        SchemaKind::Type(Type::Integer(it)) => it.enumeration.iter().flatten().copied().collect(),
        _ => Vec::new(),
    }
}

/// The properties, required names and extra-property rule of an object, `allOf` merged in.
#[derive(Default)]
struct Parts {
    properties: IndexMap<String, (JsonPointer, ReferenceOr<Box<Schema>>)>,
    required: Vec<String>,
    additional: Option<(JsonPointer, AdditionalProperties)>,
}

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
                    None,
                );
            }
            ReferenceOr::Item(schema) => {
                let docs = schema_docs(schema);
                let kind = match self.shape(schema, ptr) {
                    Shape::Single(keyword, member) => {
                        let hint = names::nested_type_name(&rust_name, "Inner");
                        let ty = self.lower_type(member, &ptr.join(keyword).join(0), &hint);
                        // The alias itself is never `Option`: nullability belongs to each use.
                        ir::ModelKind::Alias(strip_nullable(ty))
                    }
                    Shape::Plain => ir::ModelKind::Alias(self.lower_plain(schema, ptr, &rust_name)),
                    shape => self.lower_model_kind(shape, schema, &rust_name, ptr),
                };
                self.push_model(name, rust_name, ptr, docs, kind, example(schema));
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
        example: Option<String>,
    ) {
        let example = example.map(|json| ir::Example {
            json,
            test_name: names::value_name(&format!("example of {rust_name}")),
        });
        self.models.push(ir::Model {
            wire_name: wire.to_owned(),
            rust_name,
            pointer: ptr.to_string(),
            docs,
            kind,
            example,
        });
    }

    /// What `schema` becomes; reports the compositions that cannot be generated.
    fn shape<'s>(&mut self, schema: &'s Schema, ptr: &JsonPointer) -> Shape<'s> {
        if matches!(&schema.schema_kind, SchemaKind::Type(Type::String(it)) if it.enumeration.iter().any(Option::is_some))
        {
            return Shape::StringEnum;
        }
        if !int_enum_values(schema).is_empty() {
            return Shape::IntEnum;
        }
        let view = view(schema);
        if view.not {
            self.acc.error(Kind::Unsupported, ptr.join("not"), "unsupported: `not`").set_note(
                "a `not` schema cannot be expressed as a Rust type; no code was generated",
            );
            return Shape::Plain;
        }
        let has_properties = view.properties.is_some_and(|it| !it.is_empty());
        let unions = [("oneOf", view.one_of), ("anyOf", view.any_of)];
        let mut unions = unions.into_iter().filter(|(_, members)| !members.is_empty());
        if let Some((keyword, members)) = unions.next() {
            if unions.next().is_some() || has_properties || !view.all_of.is_empty() {
                self.acc
                    .error(
                        Kind::Unsupported,
                        ptr.join(keyword),
                        format!(
                            "unsupported: `{keyword}` beside `properties`, `allOf` or another union"
                        ),
                    )
                    .set_note("move the shared properties into each member; no code was generated");
                return Shape::Plain;
            }
            return match members {
                [only] => Shape::Single(keyword, only),
                _ => Shape::Union(keyword, members),
            };
        }
        match (has_properties, view.all_of) {
            (false, [only]) => Shape::Single("allOf", only),
            (false, []) => Shape::Plain,
            _ => Shape::Struct,
        }
    }

    /// The model of a shape that needs one.
    fn lower_model_kind(
        &mut self,
        shape: Shape<'_>,
        schema: &Schema,
        rust_name: &str,
        ptr: &JsonPointer,
    ) -> ir::ModelKind {
        match shape {
            Shape::StringEnum => ir::ModelKind::StringEnum(self.string_enum(schema, ptr)),
            Shape::IntEnum => ir::ModelKind::IntEnum(self.int_enum(schema, ptr)),
            Shape::Struct => ir::ModelKind::Struct(self.object_struct(schema, rust_name, ptr)),
            Shape::Union(keyword, members) => {
                ir::ModelKind::Union(self.union(schema, keyword, members, rust_name, ptr))
            }
            Shape::Single(..) | Shape::Plain => {
                unreachable!("generator bug: single members and plain schemas need no model")
            }
        }
    }

    /// The variants of a string enum, named by `x-enum-varnames` when the spec gives them.
    fn string_enum(&mut self, schema: &Schema, ptr: &JsonPointer) -> Vec<ir::Variant> {
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
    fn int_enum(&mut self, schema: &Schema, ptr: &JsonPointer) -> Vec<ir::IntVariant> {
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
    ) -> String {
        let fix = format!("set `{ENUM_VARNAMES}` on the enum to choose");
        claim_name(self.acc, scope, wanted, value, "variant", ptr, &fix)
    }

    /// A struct for an object schema, with the properties of its `allOf` members merged in.
    fn object_struct(&mut self, schema: &Schema, rust_name: &str, ptr: &JsonPointer) -> ir::Struct {
        let mut parts = Parts::default();
        self.collect_parts(schema, ptr, &mut parts, 0);
        let mut scope = Scope::default();
        let mut fields = Vec::new();
        for (wire, (prop_ptr, prop)) in &parts.properties {
            let (wanted, prop_docs) = match prop {
                ReferenceOr::Item(it) => {
                    (rust_name_override(&it.schema_data.extensions), schema_docs(it))
                }
                ReferenceOr::Reference { .. } => (None, ir::Docs::default()),
            };
            let wanted = wanted.unwrap_or_else(|| names::value_name(wire));
            let fix = format!("set `{RUST_NAME}` on either property to choose");
            let field_name =
                claim_name(self.acc, &mut scope, &wanted, wire, "field", prop_ptr, &fix);
            let hint = names::nested_type_name(rust_name, wire);
            let ty = self.lower_type(prop, prop_ptr, &hint);
            fields.push(ir::Field {
                wire_name: wire.clone(),
                rust_name: field_name,
                docs: prop_docs,
                ty,
                required: parts.required.contains(wire),
                boxed: false,
            });
        }
        let additional = match &parts.additional {
            Some((add_ptr, AdditionalProperties::Schema(it))) => {
                let hint = names::nested_type_name(rust_name, "Value");
                Some(self.lower_type(it, add_ptr, &hint))
            }
            // Other properties are allowed explicitly: keep them, whatever they are.
            Some((_, AdditionalProperties::Any(true))) => Some(ir::TypeRef::Json),
            _ => None,
        };
        let additional = additional.map(|ty| {
            let (name, _) = scope.claim("additional_properties", "");
            (name, ty)
        });
        ir::Struct { fields, additional }
    }

    /// Gathers the properties of `schema` and of its `allOf` members into `parts`, reporting
    /// members that are not objects and properties the members define differently.
    fn collect_parts(
        &mut self,
        schema: &Schema,
        ptr: &JsonPointer,
        parts: &mut Parts,
        depth: usize,
    ) {
        if depth > MAX_ALL_OF_DEPTH {
            self.acc
                .error(Kind::Invalid, ptr.clone(), "`allOf` includes itself")
                .set_note("no code was generated for it");
            return;
        }
        let view = view(schema);
        let is_object = matches!(
            &schema.schema_kind,
            SchemaKind::Type(Type::Object(_)) | SchemaKind::AllOf { .. } | SchemaKind::Any(_)
        );
        if !is_object || !view.one_of.is_empty() || !view.any_of.is_empty() || view.not {
            self.acc
                .error(
                    Kind::Unsupported,
                    ptr.clone(),
                    "unsupported: an `allOf` member that is not an object schema",
                )
                .set_note(
                    "every `allOf` member must be an object with properties; no code was generated",
                );
            return;
        }
        for (wire, prop) in view.properties.into_iter().flatten() {
            let prop_ptr = ptr.join("properties").join(wire);
            match parts.properties.get(wire) {
                Some((first_ptr, first)) if first != prop => {
                    self.acc
                        .error(
                            Kind::Invalid,
                            prop_ptr,
                            format!("`allOf` members define the property `{wire}` differently"),
                        )
                        .set_note(format!(
                            "the other definition is at {first_ptr}; no code was generated"
                        ));
                }
                Some(_) => {}
                None => {
                    parts.properties.insert(wire.clone(), (prop_ptr, prop.clone()));
                }
            }
        }
        for it in view.required {
            if !parts.required.contains(it) {
                parts.required.push(it.clone());
            }
        }
        if let Some(additional) = view.additional {
            match &parts.additional {
                Some((first_ptr, first)) if first != additional => {
                    self.acc
                        .error(
                            Kind::Invalid,
                            ptr.join("additionalProperties"),
                            "`allOf` members disagree on `additionalProperties`",
                        )
                        .set_note(format!(
                            "the other definition is at {first_ptr}; no code was generated"
                        ));
                }
                Some(_) => {}
                None => {
                    parts.additional = Some((ptr.join("additionalProperties"), additional.clone()))
                }
            }
        }
        for (idx, member) in view.all_of.iter().enumerate() {
            match member {
                ReferenceOr::Item(it) => {
                    self.collect_parts(it, &ptr.join("allOf").join(idx), parts, depth + 1);
                }
                ReferenceOr::Reference { reference } => match self.resolver.schema(reference) {
                    Some(target) => {
                        let target_ptr = JsonPointer::root()
                            .join("components")
                            .join("schemas")
                            .join(target.name);
                        self.collect_parts(target.schema, &target_ptr, parts, depth + 1);
                    }
                    // Reported by `resolve::check_refs`, or by `lower_ref` for odd targets.
                    None => {
                        self.lower_ref(reference, &ptr.join("allOf").join(idx));
                    }
                },
            }
        }
    }

    /// A `oneOf` or `anyOf` as an enum of its members.
    fn union(
        &mut self,
        schema: &Schema,
        keyword: &str,
        members: &[ReferenceOr<Schema>],
        rust_name: &str,
        ptr: &JsonPointer,
    ) -> ir::Union {
        let discriminator = schema.schema_data.discriminator.as_ref();
        let mut scope = fallback_scope();
        let mut variants = Vec::new();
        for (idx, member) in members.iter().enumerate() {
            let member_ptr = ptr.join(keyword).join(idx);
            let hint = names::nested_type_name(rust_name, &format!("Variant {}", idx + 1));
            // A `null` member (or a nullable one) decodes as `Unknown(Value::Null)`.
            let ty = strip_nullable(self.lower_type(member, &member_ptr, &hint));
            let (variant, _) = scope.claim(&union_variant_name(&ty, idx), "");
            let tags = match (discriminator, member) {
                (None, _) => Vec::new(),
                (Some(it), ReferenceOr::Reference { reference }) => {
                    let name = self.resolver.schema(reference).map(|it| it.name.to_owned());
                    let name = name.unwrap_or_default();
                    let mapped: Vec<String> = it
                        .mapping
                        .iter()
                        .filter(|(_, target)| {
                            *target == &name || target.rsplit('/').next() == Some(name.as_str())
                        })
                        .map(|(tag, _)| tag.clone())
                        .collect();
                    // Without a mapping, the schema's name is the tag.
                    if mapped.is_empty() { vec![name] } else { mapped }
                }
                (Some(_), ReferenceOr::Item(_)) => {
                    self.acc
                        .error(Kind::Invalid, member_ptr.clone(), format!("with a `discriminator`, every `{keyword}` member must be a `$ref`"))
                        .set_note("the discriminator names members by their schema name; no code was generated");
                    Vec::new()
                }
            };
            variants.push(ir::UnionVariant { rust_name: variant, ty, tags });
        }
        ir::Union { discriminator: discriminator.map(|it| it.property_name.clone()), variants }
    }

    /// The type of a schema used somewhere: a reference, or an inline schema (hoisted into a
    /// model called `hint` when it needs a type of its own). `S` is `Schema` or, for
    /// properties and items, `Box<Schema>`.
    pub(super) fn lower_type<S: Borrow<Schema>>(
        &mut self,
        schema: &ReferenceOr<S>,
        ptr: &JsonPointer,
        hint: &str,
    ) -> ir::TypeRef {
        match schema {
            ReferenceOr::Reference { reference } => self.lower_ref(reference, ptr),
            ReferenceOr::Item(it) => self.lower_inline(it.borrow(), ptr, hint),
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
            None if reference.starts_with("#/components/schemas/") => {
                let name = &reference["#/components/schemas/".len()..];
                // A name that exists but does not resolve is a chain of references in a loop;
                // `resolve::check_refs` has reported the ones that point nowhere.
                if self.component_names.contains_key(name) {
                    self.acc
                        .error(
                            Kind::Invalid,
                            ptr.join("$ref"),
                            format!("`$ref` `{reference}` is part of a loop of references"),
                        )
                        .set_note("no code was generated for it");
                }
                ir::TypeRef::Json
            }
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
        let ty = match self.shape(schema, ptr) {
            Shape::Plain => self.lower_plain(schema, ptr, hint),
            Shape::Single(keyword, member) => {
                self.lower_type(member, &ptr.join(keyword).join(0), hint)
            }
            shape => {
                let wanted = rust_name_override(&schema.schema_data.extensions)
                    .unwrap_or_else(|| hint.to_owned());
                let rust_name = self.claim_model_name(wanted, hint, ptr);
                let kind = self.lower_model_kind(shape, schema, &rust_name, ptr);
                self.push_model(
                    hint,
                    rust_name.clone(),
                    ptr,
                    schema_docs(schema),
                    kind,
                    example(schema),
                );
                ir::TypeRef::Named(rust_name)
            }
        };
        match ty {
            ty @ ir::TypeRef::Nullable(_) => ty,
            ty if is_nullable(schema) => ir::TypeRef::Nullable(Box::new(ty)),
            ty => ty,
        }
    }

    /// The type of a schema that needs no model of its own.
    fn lower_plain(&mut self, schema: &Schema, ptr: &JsonPointer, hint: &str) -> ir::TypeRef {
        match &schema.schema_kind {
            SchemaKind::Type(Type::String(it)) => match &it.format {
                VariantOrUnknownOrEmpty::Item(StringFormat::DateTime) => ir::TypeRef::DateTime,
                VariantOrUnknownOrEmpty::Item(StringFormat::Date) => ir::TypeRef::Date,
                VariantOrUnknownOrEmpty::Item(StringFormat::Byte) => ir::TypeRef::Bytes,
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
            SchemaKind::Type(Type::Array(it)) => self.lower_items(it.items.as_ref(), ptr, hint),
            SchemaKind::Type(Type::Object(it)) => {
                self.lower_map(it.additional_properties.as_ref(), ptr, hint)
            }
            SchemaKind::Any(it) => match it.typ.as_deref() {
                Some("array") => self.lower_items(it.items.as_ref(), ptr, hint),
                Some("object") | None => {
                    self.lower_map(it.additional_properties.as_ref(), ptr, hint)
                }
                Some("string") => match it.format.as_deref() {
                    Some("date-time") => ir::TypeRef::DateTime,
                    Some("date") => ir::TypeRef::Date,
                    Some("byte") => ir::TypeRef::Bytes,
                    Some("uuid") => ir::TypeRef::Uuid,
                    _ => ir::TypeRef::String,
                },
                Some("boolean") => ir::TypeRef::Bool,
                Some("integer") => match it.format.as_deref() {
                    Some("int32") => ir::TypeRef::I32,
                    _ => ir::TypeRef::I64,
                },
                Some("number") => match it.format.as_deref() {
                    Some("float") => ir::TypeRef::F32,
                    _ => ir::TypeRef::F64,
                },
                Some(other) => {
                    self.acc.error(
                        Kind::Invalid,
                        ptr.join("type"),
                        format!("unknown schema type `{other}`"),
                    );
                    ir::TypeRef::Json
                }
            },
            // Compositions have a shape of their own and never reach here; `not` was reported.
            SchemaKind::AllOf { .. }
            | SchemaKind::OneOf { .. }
            | SchemaKind::AnyOf { .. }
            | SchemaKind::Not { .. } => ir::TypeRef::Json,
        }
    }

    fn lower_items(
        &mut self,
        items: Option<&ReferenceOr<Box<Schema>>>,
        ptr: &JsonPointer,
        hint: &str,
    ) -> ir::TypeRef {
        let item = match items {
            Some(items) => {
                self.lower_type(items, &ptr.join("items"), &names::nested_type_name(hint, "Item"))
            }
            None => ir::TypeRef::Json,
        };
        ir::TypeRef::Vec(Box::new(item))
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
}

/// A schema's `example` as compact JSON; `example: null` (as HubSpot writes everywhere) is none.
fn example(schema: &Schema) -> Option<String> {
    schema.schema_data.example.as_ref().filter(|it| !it.is_null()).map(Value::to_string)
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

/// A scope for variant names in which `Unknown`, the fallback variant, is taken.
fn fallback_scope() -> Scope {
    let mut res = Scope::default();
    res.reserve("Unknown", "the fallback variant `Unknown`");
    res
}

/// The variant name of a union member: its type's name, or what kind of value it is.
fn union_variant_name(ty: &ir::TypeRef, idx: usize) -> String {
    let name = match ty {
        ir::TypeRef::Named(name) => return name.clone(),
        ir::TypeRef::String => "String",
        ir::TypeRef::Bool => "Boolean",
        ir::TypeRef::I32 | ir::TypeRef::I64 => "Integer",
        ir::TypeRef::F32 | ir::TypeRef::F64 => "Number",
        ir::TypeRef::DateTime => "DateTime",
        ir::TypeRef::Date => "Date",
        ir::TypeRef::Uuid => "Uuid",
        ir::TypeRef::Bytes => "Bytes",
        ir::TypeRef::Vec(_) => "Array",
        ir::TypeRef::Map(_) => "Map",
        ir::TypeRef::Json | ir::TypeRef::Nullable(_) => return format!("Variant{}", idx + 1),
    };
    name.to_owned()
}

fn strip_nullable(ty: ir::TypeRef) -> ir::TypeRef {
    match ty {
        ir::TypeRef::Nullable(inner) => *inner,
        other => other,
    }
}

/// The docs of a schema: its title and description, and notes for what the spec says besides.
pub(super) fn schema_docs(schema: &Schema) -> ir::Docs {
    let data = &schema.schema_data;
    let mut res = docs(data.title.as_ref(), data.description.as_ref());
    if data.read_only {
        res.notes.push("Read-only: the server sets it and ignores it in requests.".to_owned());
    }
    if data.write_only {
        res.notes.push("Write-only: the server accepts it but never returns it.".to_owned());
    }
    if data.deprecated {
        res.notes.push("Deprecated.".to_owned());
    }
    if let Some(default) = &data.default {
        res.notes.push(format!("Defaults to `{default}` when absent."));
    }
    match &schema.schema_kind {
        SchemaKind::Type(Type::Array(it)) => match (it.min_items, it.max_items) {
            (Some(min), Some(max)) => res.notes.push(format!("From {min} to {max} items.")),
            (None, Some(max)) => res.notes.push(format!("At most {max} items.")),
            (Some(min), None) if min > 0 => res.notes.push(format!("At least {min} items.")),
            _ => {}
        },
        SchemaKind::Type(Type::String(it)) => {
            if let Some(pattern) = &it.pattern {
                res.notes.push(format!("Matches `{}`.", pattern.replace('`', "'")));
            }
        }
        _ => {}
    }
    res
}

/// Whether a schema admits `null`: `nullable: true`, or `null` among its enum values.
pub(super) fn is_nullable(schema: &Schema) -> bool {
    schema.schema_data.nullable
        || match &schema.schema_kind {
            SchemaKind::Type(Type::String(it)) => it.enumeration.contains(&None),
            SchemaKind::Type(Type::Integer(it)) => it.enumeration.contains(&None),
            _ => false,
        }
}
