//! `oneOf` and `anyOf` to unions: members, discriminator tags, and the members of untagged
//! unions that no value can ever become.

use indexmap::IndexMap;
use openapiv3::{ReferenceOr, Schema};

use super::{
    Lower, MAX_NESTING,
    schema::{fallback_scope, strip_nullable},
};
use crate::{
    diagnostic::{Diagnostics, Kind},
    ir, names,
    pointer::JsonPointer,
};

impl<'a> Lower<'a, '_> {
    /// A `oneOf` or `anyOf` as an enum of its members.
    pub(super) fn union(
        &mut self,
        schema: &'a Schema,
        keyword: &str,
        members: &'a [ReferenceOr<Schema>],
        rust_name: &str,
        ptr: &JsonPointer,
    ) -> ir::Union {
        let discriminator = schema.schema_data.discriminator.as_ref();
        let mut scope = fallback_scope();
        let mut variants = Vec::new();
        // With a discriminator: each member's schema name, for the tags.
        let mut member_names = Vec::new();
        for (idx, member) in members.iter().enumerate() {
            let member_ptr = ptr.join(keyword).join(idx);
            let hint = names::nested_type_name(rust_name, &format!("Variant {}", idx + 1));
            // A `null` member (or a nullable one) decodes as `Unknown(Value::Null)`.
            let ty = strip_nullable(self.lower_type(member, &member_ptr, &hint));
            let (variant, _) = scope.claim(&union_variant_name(&ty, idx), "");
            if discriminator.is_some() {
                let name = match member {
                    ReferenceOr::Reference { reference } => self.resolver.schema_name(reference),
                    ReferenceOr::Item(_) => {
                        self.acc
                            .error(Kind::Invalid, member_ptr.clone(), format!("with a `discriminator`, every `{keyword}` member must be a `$ref`"))
                            .set_note("the discriminator names members by their schema name; no code was generated");
                        None
                    }
                };
                member_names.push(name);
            }
            variants.push(ir::UnionVariant {
                rust_name: variant,
                pointer: member_ptr.to_string(),
                ty,
                tags: Vec::new(),
                boxed: false,
            });
        }
        if let Some(it) = discriminator {
            self.assign_tags(it, &member_names, &mut variants, &ptr.join("discriminator"));
        }
        ir::Union { discriminator: discriminator.map(|it| it.property_name.clone()), variants }
    }

    /// Gives each member of a discriminated union its tags: the keys of `mapping` that name it,
    /// else its schema name. A mapping that names no schema, or a tag two members would share,
    /// is an error: either would change which type a value decodes as.
    fn assign_tags(
        &mut self,
        discriminator: &openapiv3::Discriminator,
        member_names: &[Option<&'a str>],
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
            match member_names.iter().position(|it| *it == Some(name)) {
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
        // Without a mapping entry, a member's tag is its schema name.
        for (variant, name) in variants.iter_mut().zip(member_names) {
            if let (true, Some(name)) = (variant.tags.is_empty(), name) {
                variant.tags.push((*name).to_owned());
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
        ir::TypeRef::Named(name) => return name.clone(),
        ir::TypeRef::String => "String",
        ir::TypeRef::Bool => "Boolean",
        ir::TypeRef::I32 | ir::TypeRef::I64 => "Integer",
        ir::TypeRef::F64 => "Number",
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

/// What values a member of an untagged union keeps whole, as far as it matters for the members
/// after it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Keeps {
    /// Every value: a free-form member.
    Anything,
    /// Every value of this JSON kind: plain strings, booleans, maps and arrays of any values.
    /// (Not numbers: `f64` changes integers beyond 2^53, which an integer member keeps.)
    AllOf(Json),
    /// Some values of this kind.
    SomeOf(Json),
}

/// The JSON kinds, as far as union members are concerned.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Json {
    String,
    Number,
    Bool,
    Array,
    Object,
    Any,
}

/// What `ty` keeps whole, looking through aliases.
fn keeps(
    ty: &ir::TypeRef,
    models: &std::collections::BTreeMap<&str, &ir::Model>,
    depth: usize,
) -> Keeps {
    use ir::TypeRef as T;
    match ty {
        T::Json => Keeps::Anything,
        T::String => Keeps::AllOf(Json::String),
        T::F64 => Keeps::SomeOf(Json::Number),
        T::Bool => Keeps::AllOf(Json::Bool),
        T::Map(value) if **value == T::Json => Keeps::AllOf(Json::Object),
        T::Vec(item) if **item == T::Json => Keeps::AllOf(Json::Array),
        T::DateTime | T::Date | T::Uuid | T::Bytes => Keeps::SomeOf(Json::String),
        T::I32 | T::I64 => Keeps::SomeOf(Json::Number),
        T::Vec(_) => Keeps::SomeOf(Json::Array),
        T::Map(_) => Keeps::SomeOf(Json::Object),
        T::Nullable(inner) => keeps(inner, models, depth),
        T::Named(name) => match models.get(name.as_str()).map(|it| &it.kind) {
            Some(ir::ModelKind::Alias(ty) | ir::ModelKind::Newtype(ir::Newtype { ty, .. }))
                if depth < MAX_NESTING =>
            {
                keeps(ty, models, depth + 1)
            }
            Some(ir::ModelKind::Struct(_)) => Keeps::SomeOf(Json::Object),
            Some(ir::ModelKind::StringEnum(_)) => Keeps::SomeOf(Json::String),
            Some(ir::ModelKind::IntEnum(_)) => Keeps::SomeOf(Json::Number),
            _ => Keeps::SomeOf(Json::Any),
        },
    }
}

/// Warns about members of untagged unions that no value can become: a member after one that
/// keeps every value of its kind (a free-form member, a plain string, a number, a map of
/// anything) or after the same type.
pub(super) fn report_shadowed_members(models: &[ir::Model], acc: &mut Diagnostics) {
    let by_name: std::collections::BTreeMap<&str, &ir::Model> =
        models.iter().map(|it| (it.rust_name.as_str(), it)).collect();
    for model in models {
        let ir::ModelKind::Union(union) = &model.kind else { continue };
        if union.discriminator.is_some() {
            continue;
        }
        let keep: Vec<_> = union.variants.iter().map(|it| keeps(&it.ty, &by_name, 0)).collect();
        for (idx, variant) in union.variants.iter().enumerate() {
            let kind = match keep[idx] {
                Keeps::Anything => Json::Any,
                Keeps::AllOf(it) | Keeps::SomeOf(it) => it,
            };
            let shadow = (0..idx).find(|&before| {
                union.variants[before].ty == variant.ty
                    || match keep[before] {
                        Keeps::Anything => true,
                        Keeps::AllOf(it) => it == kind,
                        Keeps::SomeOf(_) => false,
                    }
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
                .set_note("a value becomes the first member that keeps it whole; put the more specific members first");
            }
        }
    }
}
