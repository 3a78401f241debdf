//! Schemas to models and types: structs (with `allOf` merged), enums, unions (`oneOf`,
//! `anyOf`), aliases, and the type of every use of a schema.

use std::{borrow::Borrow, rc::Rc};

use indexmap::IndexMap;
use openapiv3::{
    AdditionalProperties, IntegerFormat, ReferenceOr, Schema, SchemaKind, StringFormat, Type,
    VariantOrUnknownOrEmpty,
};
use serde_json::Value;

use super::{
    Lower, MAX_NESTING, RUST_NAME, RustName, claim_name, docs,
    enums::int_enum_values,
    merge::{Declared, Parts},
};
use crate::{
    diagnostic::Kind,
    ir, markdown,
    names::{self, Scope},
    pointer::JsonPointer,
};

/// What a schema becomes.
enum Shape<'s> {
    StringEnum,
    IntEnum,
    /// An object with properties, or an `allOf` to merge into one.
    Struct,
    /// A `oneOf` or `anyOf` with more than one member, or beside properties (`true`) that
    /// every member shares.
    Union(&'static str, &'s [ReferenceOr<Schema>], bool),
    /// A composition of one member (`allOf: [$ref]`, the usual way to make a reference
    /// nullable or documented): that member's type.
    Single(&'static str, &'s ReferenceOr<Schema>),
    /// Anything that needs no type of its own: a scalar, an array, a map, any JSON value.
    Plain,
}

/// The parts of a schema that decide its shape, wherever `openapiv3` put them: a typed object,
/// a composition, or an `AnySchema` that mixes `properties` with `allOf`, say.
pub(super) struct View<'s> {
    pub(super) properties: Option<&'s IndexMap<String, ReferenceOr<Box<Schema>>>>,
    pub(super) required: &'s [String],
    pub(super) additional: Option<&'s AdditionalProperties>,
    pub(super) all_of: &'s [ReferenceOr<Schema>],
    pub(super) one_of: &'s [ReferenceOr<Schema>],
    pub(super) any_of: &'s [ReferenceOr<Schema>],
    pub(super) not: bool,
}

pub(super) fn view(schema: &Schema) -> View<'_> {
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

impl<'a> Lower<'a, '_> {
    pub(super) fn lower_component(
        &mut self,
        name: &'a str,
        schema: &'a ReferenceOr<Schema>,
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
                let schema = self.fold_all_of(schema, ptr);
                let docs = schema_docs(schema);
                let kind = match self.shape(schema, ptr) {
                    Shape::Single(keyword, member) => {
                        let hint = names::nested_type_name(&rust_name, "Inner");
                        let ty = self.lower_type(member, &ptr.join(keyword).join(0), &hint);
                        // The alias itself is never `Option`: nullability belongs to each use.
                        ir::ModelKind::Alias(strip_nullable(ty))
                    }
                    Shape::Plain => ir::ModelKind::Alias(self.lower_plain(schema, ptr, &rust_name)),
                    Shape::Struct => {
                        let parts = self.component_parts(name, schema, ptr);
                        ir::ModelKind::Struct(self.object_struct(&parts))
                    }
                    shape => self.lower_model_kind(shape, schema, &rust_name, ptr),
                };
                self.push_model(name, rust_name, ptr, docs, kind, example(schema));
            }
        }
    }

    pub(super) fn push_model(
        &mut self,
        wire: &str,
        rust_name: RustName,
        ptr: &JsonPointer,
        docs: ir::Docs,
        kind: ir::ModelKind,
        example: Option<String>,
    ) {
        let example = example.map(|json| ir::Example {
            json,
            test_name: self
                .example_scope
                .claim(&names::value_name(&format!("example of {rust_name}")), wire)
                .0,
            contradiction: None,
        });
        self.model_index.insert(rust_name.clone(), self.models.len());
        self.models.push(ir::Model {
            wire_name: wire.to_owned(),
            rust_name,
            pointer: ptr.to_string(),
            docs,
            kind,
            example,
            features: Vec::new(),
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
            self.loosen(ptr.join("not"), "unsupported: `not`").set_note(
                "no Rust type excludes values: the schema is typed without its `not`, which is not checked",
            );
            return Shape::Plain;
        }
        let has_properties = view.properties.is_some_and(|it| !it.is_empty());
        if schema.schema_data.discriminator.is_some()
            && view.one_of.is_empty()
            && view.any_of.is_empty()
        {
            self.acc
                .warning(
                    Kind::Unsupported,
                    ptr.join("discriminator"),
                    "unsupported: `discriminator` without `oneOf` or `anyOf`",
                )
                .set_note("it is ignored: the schema is generated as if it had none");
        }
        let unions = [("oneOf", view.one_of), ("anyOf", view.any_of)];
        let mut unions = unions.into_iter().filter(|(_, members)| !members.is_empty());
        if let Some((keyword, members)) = unions.next() {
            if unions.next().is_some() {
                self.loosen(ptr.join(keyword), "unsupported: `oneOf` beside `anyOf`")
                    .set_note("typed as `serde_json::Value`");
                return Shape::Plain;
            }
            let shared = has_properties || !view.all_of.is_empty();
            // Members that only say which properties are required constrain the object
            // without changing its type (the constraint is in its docs).
            if shared && members.iter().all(requires_only) {
                return Shape::Struct;
            }
            // `type: 'null'` members make the union nullable (see `is_nullable`).
            let mut values = members.iter().filter(|it| !is_null_schema(it));
            return match (values.next(), values.next(), shared) {
                (None, _, false) => Shape::Plain,
                (Some(only), None, false) => Shape::Single(keyword, only),
                _ => Shape::Union(keyword, members, shared),
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
        shape: Shape<'a>,
        schema: &'a Schema,
        rust_name: &str,
        ptr: &JsonPointer,
    ) -> ir::ModelKind {
        match shape {
            Shape::StringEnum => ir::ModelKind::StringEnum(self.string_enum(schema, ptr)),
            Shape::IntEnum => ir::ModelKind::IntEnum(self.int_enum(schema, ptr)),
            Shape::Struct => {
                let mut parts = Parts::default();
                self.collect_parts_of(schema, ptr, &Rc::from(rust_name), &mut parts, true);
                ir::ModelKind::Struct(self.object_struct(&parts))
            }
            Shape::Union(keyword, members, shared) => {
                ir::ModelKind::Union(self.union(schema, keyword, members, shared, rust_name, ptr))
            }
            Shape::Single(..) | Shape::Plain => {
                unreachable!("generator bug: single members and plain schemas need no model")
            }
        }
    }

    /// A struct for the merged properties of an object schema.
    pub(super) fn object_struct(&mut self, parts: &Parts<'a>) -> ir::Struct {
        let mut scope = Scope::default();
        // The methods of the struct: `new`, and a `with_…` setter per optional field.
        let mut methods = Scope::default();
        methods.reserve("new", "the constructor");
        let mut fields = Vec::new();
        for (wire, Declared { ptr: prop_ptr, item: prop, owner, merged }) in &parts.properties {
            let (wanted, prop_docs) = match prop {
                ReferenceOr::Item(it) => (
                    self.rust_name_override(
                        &it.schema_data.extensions,
                        prop_ptr,
                        names::checked_value_name,
                    ),
                    // The docs of an `allOf` over scalars are its members' too.
                    schema_docs(self.fold_all_of(it, prop_ptr)),
                ),
                ReferenceOr::Reference { .. } => (None, ir::Docs::default()),
            };
            let wanted = wanted.unwrap_or_else(|| names::value_name(wire));
            let fix = format!("set `{RUST_NAME}` on either property to choose");
            let field_name =
                claim_name(self.acc, &mut scope, &wanted, wire, "field", prop_ptr, &fix);
            let hint = names::nested_type_name(owner, wire);
            // A merged property's inline schemas are its own, not the declarations'.
            let scope = match (&self.memo_scope, merged) {
                (Some(outer), Some(it)) => Some(Rc::from(format!("{outer}|{it}"))),
                (outer, it) => it.clone().or_else(|| outer.clone()),
            };
            let outer = std::mem::replace(&mut self.memo_scope, scope);
            let ty = self.lower_type(*prop, prop_ptr, &hint);
            self.memo_scope = outer;
            let checks = match prop {
                ReferenceOr::Item(it) => {
                    let it = self.fold_all_of(it, prop_ptr);
                    self.checks(it, prop_ptr)
                }
                ReferenceOr::Reference { .. } => Vec::new(),
            };
            let required = parts.required.contains(wire);
            let setter = (!required).then(|| {
                let bare = field_name.trim_start_matches("r#").trim_start_matches('_');
                methods.claim(&format!("with_{bare}"), wire).0
            });
            let max_items_const = checks
                .iter()
                .any(|it| matches!(it, ir::Check::Items { max: Some(_), .. }))
                .then(|| {
                    // Field names are unique snake_case: their upper case is too (`_1` stays
                    // `_1`, which keeps a leading digit from starting the name).
                    let bare = field_name.trim_start_matches("r#");
                    methods.claim(&format!("{}_MAX_ITEMS", bare.to_ascii_uppercase()), wire).0
                });
            let xml = self.field_xml(*prop);
            fields.push(ir::Field {
                wire_name: (*wire).to_owned(),
                xml,
                rust_name: field_name,
                setter,
                max_items_const,
                docs: prop_docs,
                ty,
                required,
                boxed: false,
                checks,
            });
        }
        let additional = match &parts.additional {
            Some(Declared { ptr, item: AdditionalProperties::Schema(it), owner, .. }) => {
                let hint = names::nested_type_name(owner, "Value");
                Some(self.lower_type(it, ptr, &hint))
            }
            // Other properties are allowed explicitly: keep them, whatever they are.
            Some(Declared { item: AdditionalProperties::Any(true), .. }) => Some(ir::TypeRef::Json),
            _ => None,
        };
        let additional = additional.map(|ty| {
            let (name, _) = scope.claim("additional_properties", "");
            (name, ty)
        });
        ir::Struct { fields, additional }
    }

    /// Enters one more level of nested schemas; past [`MAX_NESTING`], reports it at `ptr` and
    /// returns `false`, and the caller goes no deeper.
    pub(super) fn enter(&mut self, ptr: &JsonPointer) -> bool {
        if self.depth >= MAX_NESTING {
            self.acc
                .error(
                    Kind::Unsupported,
                    ptr.clone(),
                    format!("unsupported: schemas nested more than {MAX_NESTING} levels deep"),
                )
                .set_note("move inner schemas to `#/components/schemas`; no code was generated");
            return false;
        }
        self.depth += 1;
        true
    }

    pub(super) fn leave(&mut self) {
        self.depth -= 1;
    }

    /// The type of a schema used somewhere: a reference, or an inline schema (hoisted into a
    /// model called `hint` when it needs a type of its own). `S` is `Schema` or, for
    /// properties and items, `Box<Schema>`.
    pub(super) fn lower_type<S: Borrow<Schema>>(
        &mut self,
        schema: &'a ReferenceOr<S>,
        ptr: &JsonPointer,
        hint: &str,
    ) -> ir::TypeRef {
        match schema {
            ReferenceOr::Reference { reference } => self.lower_ref(reference, ptr),
            ReferenceOr::Item(it) => {
                if !self.enter(ptr) {
                    return ir::TypeRef::Json;
                }
                let res = self.lower_inline(it.borrow(), ptr, hint);
                self.leave();
                res
            }
        }
    }

    fn lower_ref(&mut self, reference: &str, ptr: &JsonPointer) -> ir::TypeRef {
        match self.resolver.schema(reference) {
            Ok(target) => {
                let named = ir::TypeRef::Named(self.component_names[target.name].clone());
                let target_ptr =
                    JsonPointer::root().join("components").join("schemas").join(target.name);
                if is_nullable(self.fold_all_of(target.schema, &target_ptr)) {
                    ir::TypeRef::Nullable(Box::new(named))
                } else {
                    named
                }
            }
            Err(problem) => {
                self.report_ref(problem, ptr, "a schema", "no code was generated for it");
                ir::TypeRef::Json
            }
        }
    }

    /// The type of the inline schema at `ptr`, lowered once: a schema merged into many structs
    /// (a property of a component that others include with `allOf`) is one type, named after
    /// the schema that declares it, and a schema that includes itself that way is not expanded
    /// again and again.
    fn lower_inline(&mut self, schema: &'a Schema, ptr: &JsonPointer, hint: &str) -> ir::TypeRef {
        let key = match &self.memo_scope {
            Some(scope) => format!("{scope}|{ptr}"),
            None => ptr.to_string(),
        };
        if let Some(it) = self.inline_types.get(&key) {
            return it.clone();
        }
        let schema = self.fold_all_of(schema, ptr);
        let nullable = |ty| match ty {
            ty @ ir::TypeRef::Nullable(_) => ty,
            ty if is_nullable(schema) => ir::TypeRef::Nullable(Box::new(ty)),
            ty => ty,
        };
        let ty = match self.shape(schema, ptr) {
            Shape::Plain => self.lower_plain(schema, ptr, hint),
            Shape::Single(keyword, member) => {
                self.lower_type(member, &ptr.join(keyword).join(0), hint)
            }
            shape => {
                let wanted = self
                    .rust_name_override(
                        &schema.schema_data.extensions,
                        ptr,
                        names::checked_type_name,
                    )
                    .unwrap_or_else(|| hint.to_owned());
                let rust_name = self.claim_model_name(wanted, hint, ptr);
                // Known before its insides are lowered, which may lead back here.
                let named = ir::TypeRef::Named(rust_name.clone());
                self.inline_types.insert(key.clone(), nullable(named.clone()));
                let kind = self.lower_model_kind(shape, schema, &rust_name, ptr);
                self.push_model(hint, rust_name, ptr, schema_docs(schema), kind, example(schema));
                named
            }
        };
        let ty = nullable(ty);
        self.inline_types.insert(key, ty.clone());
        ty
    }

    /// The type of a schema that needs no model of its own.
    fn lower_plain(&mut self, schema: &'a Schema, ptr: &JsonPointer, hint: &str) -> ir::TypeRef {
        match &schema.schema_kind {
            SchemaKind::Type(Type::String(it)) => match &it.format {
                VariantOrUnknownOrEmpty::Item(StringFormat::DateTime) => ir::TypeRef::DateTime,
                VariantOrUnknownOrEmpty::Item(StringFormat::Date) => ir::TypeRef::Date,
                VariantOrUnknownOrEmpty::Item(StringFormat::Byte) => ir::TypeRef::Bytes,
                VariantOrUnknownOrEmpty::Item(StringFormat::Binary) => ir::TypeRef::Binary,
                VariantOrUnknownOrEmpty::Unknown(format) if format == "uuid" => ir::TypeRef::Uuid,
                _ => ir::TypeRef::String,
            },
            SchemaKind::Type(Type::Integer(it)) => match &it.format {
                VariantOrUnknownOrEmpty::Item(IntegerFormat::Int32) => ir::TypeRef::I32,
                _ => ir::TypeRef::I64,
            },
            // `float` too: every value a 32-bit float holds, a 64-bit one holds exactly, and
            // larger values decode instead of becoming infinite.
            SchemaKind::Type(Type::Number(_)) => ir::TypeRef::F64,
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
                    Some("binary") => ir::TypeRef::Binary,
                    Some("uuid") => ir::TypeRef::Uuid,
                    _ => ir::TypeRef::String,
                },
                Some("boolean") => ir::TypeRef::Bool,
                Some("integer") => match it.format.as_deref() {
                    Some("int32") => ir::TypeRef::I32,
                    _ => ir::TypeRef::I64,
                },
                Some("number") => ir::TypeRef::F64,
                // Only `null`, nullable by `is_nullable`.
                Some("null") => ir::TypeRef::Json,
                Some(other) => {
                    self.loosen(ptr.join("type"), format!("unknown schema type `{other}`"))
                        .set_note("typed as `serde_json::Value`");
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
        items: Option<&'a ReferenceOr<Box<Schema>>>,
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
        additional: Option<&'a AdditionalProperties>,
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

/// Whether a schema is an object with properties (its own or through `allOf`), which a struct
/// holds.
pub(super) fn is_object_schema(schema: &Schema) -> bool {
    let view = view(schema);
    let typed_object = matches!(&schema.schema_kind, SchemaKind::Type(Type::Object(_)));
    view.properties.is_some_and(|it| !it.is_empty()) || !view.all_of.is_empty() || typed_object
}

/// Whether a union member only says which properties are required: an object constraint that
/// declares no property of its own.
fn requires_only(member: &ReferenceOr<Schema>) -> bool {
    let ReferenceOr::Item(schema) = member else { return false };
    match &schema.schema_kind {
        SchemaKind::Type(Type::Object(it)) => {
            it.properties.is_empty() && it.additional_properties.is_none()
        }
        SchemaKind::Any(it) => {
            it.properties.is_empty()
                && matches!(it.typ.as_deref(), None | Some("object"))
                && it.additional_properties.is_none()
                && it.items.is_none()
                && it.all_of.is_empty()
                && it.one_of.is_empty()
                && it.any_of.is_empty()
                && it.not.is_none()
                && it.enumeration.is_empty()
                && it.format.is_none()
        }
        _ => false,
    }
}

/// The `required` lists of union members that only constrain which properties are present.
fn required_sets(members: &[ReferenceOr<Schema>]) -> Vec<Vec<String>> {
    members
        .iter()
        .filter_map(|it| match it {
            ReferenceOr::Item(schema) => match &schema.schema_kind {
                SchemaKind::Type(Type::Object(it)) => Some(it.required.clone()),
                SchemaKind::Any(it) => Some(it.required.clone()),
                _ => None,
            },
            ReferenceOr::Reference { .. } => None,
        })
        .collect()
}

/// A schema's `example` as compact JSON; `example: null` (as HubSpot writes everywhere) is none.
fn example(schema: &Schema) -> Option<String> {
    schema.schema_data.example.as_ref().filter(|it| !it.is_null()).map(Value::to_string)
}

/// A scope for variant names in which `Unknown`, the fallback variant, is taken.
pub(super) fn fallback_scope() -> Scope {
    let mut res = Scope::default();
    res.reserve("Unknown", "the fallback variant `Unknown`");
    res
}

pub(super) fn strip_nullable(ty: ir::TypeRef) -> ir::TypeRef {
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
    let view = view(schema);
    for (keyword, members) in [("one", view.one_of), ("at least one", view.any_of)] {
        if !members.is_empty() && members.iter().all(requires_only) {
            let sets: Vec<_> = required_sets(members)
                .iter()
                .map(|it| {
                    it.iter()
                        .map(|name| markdown::code_span(name))
                        .collect::<Vec<_>>()
                        .join(" and ")
                })
                .collect();
            res.notes.push(format!("Requires {keyword} of: {}.", sets.join("; ")));
        }
    }
    if let Some(default) = &data.default {
        res.notes.push(format!(
            "Defaults to {} when absent.",
            markdown::code_span(&default.to_string())
        ));
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
                res.notes.push(format!("Matches {}.", markdown::code_span(pattern)));
            }
        }
        _ => {}
    }
    res
}

/// Whether a schema admits `null`: `nullable: true`, `null` among its enum values, a
/// `type: 'null'` member of its union (as specs converted from JSON Schema write it), or that
/// type itself.
pub(super) fn is_nullable(schema: &Schema) -> bool {
    let view = view(schema);
    schema.schema_data.nullable
        || match &schema.schema_kind {
            SchemaKind::Type(Type::String(it)) => it.enumeration.contains(&None),
            SchemaKind::Type(Type::Integer(it)) => it.enumeration.contains(&None),
            SchemaKind::Any(it) => it.typ.as_deref() == Some("null"),
            _ => false,
        }
        || view.one_of.iter().chain(view.any_of).any(is_null_schema)
}

/// Whether a schema is `type: 'null'` alone.
pub(super) fn is_null_schema(schema: &ReferenceOr<Schema>) -> bool {
    matches!(schema, ReferenceOr::Item(it) if matches!(&it.schema_kind, SchemaKind::Any(any) if any.typ.as_deref() == Some("null")))
}
