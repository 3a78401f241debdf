//! `oneOf` and `anyOf` to unions: members, discriminator tags, and the members of untagged
//! unions that no value can ever become.

use std::collections::BTreeMap;

use indexmap::IndexMap;
use openapiv3::{ReferenceOr, Schema};

use std::rc::Rc;

use super::{
    Lower, MAX_NESTING, RustName,
    merge::Parts,
    schema::{fallback_scope, is_null_schema, is_object_schema, strip_nullable},
};
use crate::{
    diagnostic::{Diagnostics, Kind},
    ir, names,
    pointer::JsonPointer,
};

impl<'a> Lower<'a, '_> {
    /// A `oneOf` or `anyOf` as an enum of its members. With `shared`, the schema's own
    /// properties (and `allOf`) are every member's too: each member that is an object becomes a
    /// struct of its properties and the shared ones.
    pub(super) fn union(
        &mut self,
        schema: &'a Schema,
        keyword: &str,
        members: &'a [ReferenceOr<Schema>],
        shared: bool,
        rust_name: &str,
        ptr: &JsonPointer,
    ) -> ir::Union {
        let mut discriminator = schema.schema_data.discriminator.as_ref();
        if discriminator.is_some() && members.iter().any(|it| matches!(it, ReferenceOr::Item(_))) {
            self.loosen(ptr.join("discriminator"), format!("a `discriminator` with inline `{keyword}` members"))
                .set_note("the discriminator names members by their schema name: it is ignored, and a value is the member that keeps it whole");
            discriminator = None;
        }
        let common = shared.then(|| {
            let mut parts = Parts::default();
            self.collect_parts_of(schema, ptr, &Rc::from(rust_name), &mut parts, true);
            parts
        });
        let mut scope = fallback_scope();
        let mut variants = Vec::new();
        // With a discriminator: each member's schema name, for the tags.
        let mut member_names = Vec::new();
        for (idx, member) in members.iter().enumerate() {
            // `type: 'null'` makes the union nullable; it is no member.
            if is_null_schema(member) {
                continue;
            }
            let member_ptr = ptr.join(keyword).join(idx);
            let hint = names::nested_type_name(rust_name, &format!("Variant {}", idx + 1));
            let (ty, name) = match &common {
                Some(common) => self.shared_member(common, member, &member_ptr, rust_name, &hint),
                None => (self.lower_type(member, &member_ptr, &hint), None),
            };
            // A `null` member (or a nullable one) decodes as `Unknown(Value::Null)`.
            let ty = strip_nullable(ty);
            let name = name.map_or_else(|| union_variant_name(&ty, idx), |it| it.to_string());
            let (variant, _) = scope.claim(&name, "");
            if let Some(discriminator) = discriminator {
                let name = match member {
                    ReferenceOr::Reference { reference } => self.resolver.schema_name(reference),
                    ReferenceOr::Item(_) => None,
                };
                let only = self.only_tag(member, &discriminator.property_name);
                member_names.push((name, only));
            }
            variants.push(ir::UnionVariant {
                rust_name: variant,
                pointer: member_ptr.to_string(),
                ty,
                tags: Vec::new(),
                boxed: false,
                // Both refined once every model is known.
                kind: declared_kind(member),
                catch_all: false,
            });
        }
        if let Some(it) = discriminator {
            self.assign_tags(it, &member_names, &mut variants, &ptr.join("discriminator"));
        }
        ir::Union { discriminator: discriminator.map(|it| it.property_name.clone()), variants }
    }

    /// A member of a union beside properties: when it is an object, a struct of its properties
    /// and the `common` ones, named after the union and the member; otherwise its own type. With
    /// the member's own name for its variant, when it has one.
    fn shared_member(
        &mut self,
        common: &Parts<'a>,
        member: &'a ReferenceOr<Schema>,
        member_ptr: &JsonPointer,
        rust_name: &str,
        hint: &str,
    ) -> (ir::TypeRef, Option<RustName>) {
        let (schema, name, schema_ptr) = match member {
            ReferenceOr::Reference { reference } => match self.resolver.schema(reference) {
                Ok(target) if is_object_schema(target.schema) => {
                    let name = self.component_names[target.name].clone();
                    let target_ptr =
                        JsonPointer::root().join("components").join("schemas").join(target.name);
                    (target, Some(name), target_ptr)
                }
                _ => return (self.lower_type(member, member_ptr, hint), None),
            },
            ReferenceOr::Item(schema) if is_object_schema(schema) => {
                (crate::resolve::NamedSchema { name: "", schema }, None, member_ptr.clone())
            }
            ReferenceOr::Item(_) => return (self.lower_type(member, member_ptr, hint), None),
        };
        let wanted = match &name {
            Some(name) => names::nested_type_name(rust_name, name),
            None => hint.to_owned(),
        };
        let type_name = self.claim_model_name(wanted, hint, member_ptr);
        let mut parts = common.clone();
        let own = if schema.name.is_empty() {
            let mut own = Parts::default();
            self.collect_parts(schema.schema, &schema_ptr, &Rc::from(type_name.as_str()), &mut own);
            Rc::new(own)
        } else {
            self.component_parts(schema.name, schema.schema, member_ptr)
        };
        self.merge_parts(&mut parts, &own);
        let kind = ir::ModelKind::Struct(self.object_struct(&parts));
        let docs = super::schema::schema_docs(schema.schema);
        self.push_model(hint, type_name.clone(), member_ptr, docs, kind, None);
        (ir::TypeRef::Named(type_name), name)
    }

    /// The one value a member allows for the discriminator's `property`, when it allows one
    /// only (`const`, or an `enum` of one string): the tag it can be sent and received with.
    fn only_tag(&self, member: &'a ReferenceOr<Schema>, property: &str) -> Option<String> {
        use openapiv3::{SchemaKind, Type};
        let schema = match member {
            ReferenceOr::Item(it) => it,
            ReferenceOr::Reference { reference } => self.resolver.schema(reference).ok()?.schema,
        };
        let SchemaKind::Type(Type::Object(object)) = &schema.schema_kind else { return None };
        let field = match object.properties.get(property)? {
            ReferenceOr::Item(it) => it.as_ref(),
            ReferenceOr::Reference { reference } => self.resolver.schema(reference).ok()?.schema,
        };
        match &field.schema_kind {
            SchemaKind::Type(Type::String(string)) => match string.enumeration.as_slice() {
                [Some(only)] => Some(only.clone()),
                _ => None,
            },
            _ => None,
        }
    }

    /// Gives each member of a discriminated union its tags: the keys of `mapping` that name it,
    /// else the one value its tag property allows (`const`), else its schema name. A mapping
    /// that names no schema, or a tag two members would share, is an error: either would change
    /// which type a value decodes as.
    fn assign_tags(
        &mut self,
        discriminator: &openapiv3::Discriminator,
        member_names: &[(Option<&'a str>, Option<String>)],
        variants: &mut [ir::UnionVariant],
        ptr: &JsonPointer,
    ) {
        for (tag, target) in &discriminator.mapping {
            let tag_ptr = ptr.join("mapping").join(tag);
            // A mapping value is a reference or, as OpenAPI allows, a bare schema name.
            let name = if target.starts_with('#') {
                self.resolver.schema_name(target)
            } else {
                self.resolver.schema_name(&format!(
                    "#/components/schemas/{}",
                    target.replace('~', "~0").replace('/', "~1").replace('%', "%25")
                ))
            };
            let Some(name) = name else {
                self.acc
                    .error(
                        Kind::Invalid,
                        tag_ptr,
                        format!("discriminator mapping `{tag}` names no schema: `{target}`"),
                    )
                    .set_note("map it to `#/components/schemas/<name>`; no code was generated");
                continue;
            };
            match member_names.iter().position(|it| it.0 == Some(name)) {
                Some(idx) => variants[idx].tags.push(tag.clone()),
                None => {
                    self.acc
                        .warning(
                            Kind::Invalid,
                            tag_ptr,
                            format!("discriminator mapping `{tag}` names `{name}`, which is not a member"),
                        )
                        .set_note("values with this tag decode as `Unknown`, kept verbatim");
                }
            }
        }
        // Without a mapping entry, a member's tag is the one value its property allows: the
        // schema name, which the property refuses, could never be sent (OpenAI's spec leaves
        // every mapping out and gives each member a `const`). Else its schema name.
        // A value two members allow, or one a mapping gives, chooses neither by it: those go by
        // their schema names, as OpenAPI says.
        let mapped: Vec<String> = variants.iter().flat_map(|it| it.tags.clone()).collect();
        // The members no mapping entry names, and the one value each allows.
        let implicit: Vec<Option<&String>> = (variants.iter().zip(member_names))
            .map(|(variant, it)| it.1.as_ref().filter(|_| variant.tags.is_empty()))
            .collect();
        let shared = |tag: &String| {
            mapped.contains(tag) || implicit.iter().filter(|it| **it == Some(tag)).count() > 1
        };
        let chosen: Vec<Option<String>> = (variants.iter().zip(member_names))
            .map(|(variant, (name, only))| match only {
                _ if !variant.tags.is_empty() => None,
                Some(tag) if !shared(tag) => Some(tag.clone()),
                _ => name.map(str::to_owned),
            })
            .collect();
        for (variant, tag) in variants.iter_mut().zip(chosen) {
            variant.tags.extend(tag);
        }
        let mut warned = Vec::new();
        for tag in implicit.iter().flatten() {
            if shared(tag) && !warned.contains(tag) {
                warned.push(tag);
                self.acc
                    .warning(
                        Kind::Ambiguous,
                        ptr.clone(),
                        format!("members allow only the tag `{tag}`, which another member also allows or a `mapping` gives"),
                    )
                    .set_note("they are chosen and sent by their schema names, as OpenAPI says");
            }
        }
        let mut seen: IndexMap<&str, &str> = IndexMap::new();
        for variant in variants.iter() {
            for tag in &variant.tags {
                if let Some(first) = seen.insert(tag, &variant.rust_name) {
                    self.acc
                        .error(
                            Kind::Invalid,
                            ptr.clone(),
                            format!(
                                "discriminator value `{tag}` selects both `{first}` and `{}`",
                                variant.rust_name
                            ),
                        )
                        .set_note(
                            "map each value to one member under `mapping`; no code was generated",
                        );
                }
            }
        }
    }
}

/// The variant name of a union member: its type's name, or what kind of value it is.
fn union_variant_name(ty: &ir::TypeRef, idx: usize) -> String {
    let name = match ty {
        ir::TypeRef::Named(name) => return name.to_string(),
        ir::TypeRef::String => "String",
        ir::TypeRef::Bool => "Boolean",
        ir::TypeRef::I32 | ir::TypeRef::I64 => "Integer",
        ir::TypeRef::F64 => "Number",
        ir::TypeRef::DateTime => "DateTime",
        ir::TypeRef::Date => "Date",
        ir::TypeRef::Uuid => "Uuid",
        ir::TypeRef::Bytes => "Bytes",
        ir::TypeRef::Binary => "Binary",
        ir::TypeRef::Vec(_) => "Array",
        ir::TypeRef::Map(_) => "Map",
        ir::TypeRef::Json | ir::TypeRef::Nullable(_) => return format!("Variant{}", idx + 1),
    };
    name.to_owned()
}

/// The JSON kind of a member's values, and whether it keeps every value of that kind whole (a
/// plain string, a boolean, a free-form value or object, a map or list of anything); `f64`
/// does not, since it changes integers beyond 2^53, which an integer member keeps.
fn member_kind(
    ty: &ir::TypeRef,
    declared: ir::JsonKind,
    models: &BTreeMap<&str, &ir::Model>,
    depth: usize,
) -> (ir::JsonKind, bool) {
    use ir::{JsonKind as K, TypeRef as T};
    match ty {
        T::Json => (declared, true),
        T::String => (K::String, true),
        T::Bool => (K::Bool, true),
        T::Map(value) => (K::Object, **value == T::Json),
        T::Vec(item) => (K::Array, **item == T::Json),
        T::DateTime | T::Date | T::Uuid | T::Bytes | T::Binary => (K::String, false),
        T::I32 | T::I64 | T::F64 => (K::Number, false),
        T::Nullable(inner) => member_kind(inner, declared, models, depth),
        T::Named(name) => match models.get(name.as_str()).map(|it| &it.kind) {
            Some(ir::ModelKind::Alias(ty) | ir::ModelKind::Newtype(ir::Newtype { ty, .. }))
                if depth < MAX_NESTING =>
            {
                member_kind(ty, declared, models, depth + 1)
            }
            Some(ir::ModelKind::Struct(_)) => (K::Object, false),
            Some(ir::ModelKind::StringEnum(_)) => (K::String, false),
            Some(ir::ModelKind::IntEnum(_)) => (K::Number, false),
            _ => (K::Any, false),
        },
    }
}

/// The kind a member's schema declares with `type`, if it is inline: a free-form
/// `{type: object}` is typed as any JSON value, but only objects are its values.
pub(super) fn declared_kind(member: &ReferenceOr<Schema>) -> ir::JsonKind {
    use openapiv3::{SchemaKind, Type};
    let ReferenceOr::Item(schema) = member else { return ir::JsonKind::Any };
    match &schema.schema_kind {
        SchemaKind::Type(Type::Object(_)) => ir::JsonKind::Object,
        SchemaKind::Type(Type::Array(_)) => ir::JsonKind::Array,
        SchemaKind::Type(Type::String(_)) => ir::JsonKind::String,
        SchemaKind::Type(Type::Number(_) | Type::Integer(_)) => ir::JsonKind::Number,
        SchemaKind::Type(Type::Boolean(_)) => ir::JsonKind::Bool,
        SchemaKind::Any(it) => match it.typ.as_deref() {
            Some("object") => ir::JsonKind::Object,
            Some("array") => ir::JsonKind::Array,
            Some("string") => ir::JsonKind::String,
            Some("number" | "integer") => ir::JsonKind::Number,
            Some("boolean") => ir::JsonKind::Bool,
            _ => ir::JsonKind::Any,
        },
        _ => ir::JsonKind::Any,
    }
}

/// Decides the JSON kind of every member of every union, now that every model is known, and
/// warns about members of untagged unions that no value can become: the same type as an earlier
/// member, or a catch-all after a catch-all that keeps every value it could.
pub(super) fn finish_unions(models: &mut [ir::Model], acc: &mut Diagnostics) {
    let mut kinds = Vec::new();
    {
        let by_name: BTreeMap<&str, &ir::Model> =
            models.iter().map(|it| (it.rust_name.as_str(), it)).collect();
        for (model_idx, model) in models.iter().enumerate() {
            let ir::ModelKind::Union(union) = &model.kind else { continue };
            let members: Vec<_> =
                union.variants.iter().map(|it| member_kind(&it.ty, it.kind, &by_name, 0)).collect();
            kinds.push((model_idx, members));
        }
    }
    for (model_idx, members) in kinds {
        let model = &mut models[model_idx];
        let ir::ModelKind::Union(union) = &mut model.kind else { continue };
        for (variant, (kind, catch_all)) in union.variants.iter_mut().zip(members) {
            variant.kind = kind;
            variant.catch_all = catch_all;
        }
        if union.discriminator.is_some() {
            continue;
        }
        for (idx, variant) in union.variants.iter().enumerate() {
            let shadow = (0..idx).find(|&before| {
                let before = &union.variants[before];
                before.ty == variant.ty
                    || (before.catch_all
                        && variant.catch_all
                        && (before.kind == ir::JsonKind::Any || before.kind == variant.kind))
            });
            if let Some(before) = shadow {
                let ptr = JsonPointer::parse_ref(&variant.pointer).unwrap_or_default();
                acc.warning(
                    Kind::Ambiguous,
                    ptr,
                    format!(
                        "member {} of `{}` can never be chosen: member {} keeps every value it could",
                        idx + 1,
                        model.wire_name,
                        before + 1
                    ),
                )
                .set_note("a value becomes the first member that keeps it whole, catch-alls (free-form values, plain strings) last; remove or reorder the members");
            }
        }
    }
}
