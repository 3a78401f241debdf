//! `allOf` refinement: a property that several members declare, as one schema.
//!
//! Real specs restate a property in a later member to refine it: to add a description, a
//! format, an enum, `nullable`, properties to an object that was free-form. Two declarations
//! merge when neither contradicts the other; the result carries what both say, and accepts
//! what either allows: where they disagree on `nullable`, the result accepts `null`, and of two
//! bounds it keeps the wider (the lower `minimum`, the longer `maxLength`, no `pattern` where
//! they differ; a bound one declaration lacks is no bound). A server sends what either
//! declaration allows, so decoding must not fail on it, and a request either allows must not
//! be refused before it is sent. Declarations that contradict each other (a string and an
//! integer, two different objects by reference) do not merge.

use std::{cmp::Ordering, rc::Rc};

use indexmap::{IndexMap, IndexSet};

use openapiv3::{
    AdditionalProperties, ArrayType, IntegerFormat, IntegerType, NumberFormat, NumberType,
    ObjectType, ReferenceOr, Schema, SchemaData, SchemaKind, StringFormat, StringType, Type,
    VariantOrUnknownOrEmpty,
};

use super::{Lower, schema::view};
use crate::{diagnostic::Kind, pointer::JsonPointer, resolve::Resolver};

// `allOf` parts: the properties of an object and the members it includes, gathered and merged.

/// The properties, required names and extra-property rule of an object, `allOf` merged in.
#[derive(Clone, Default)]
pub(super) struct Parts<'a> {
    pub(super) properties: IndexMap<&'a str, Declared<'a, ReferenceOr<Box<Schema>>>>,
    pub(super) required: IndexSet<&'a str>,
    pub(super) additional: Option<Declared<'a, AdditionalProperties>>,
}

/// A part of an object as one schema declares it.
pub(super) struct Declared<'a, T> {
    /// Where (for a merged property, the later declaration).
    pub(super) ptr: JsonPointer,
    pub(super) item: &'a T,
    /// The Rust name of the type whose schema declares it: inline schemas inside it are named
    /// after it, wherever they are merged into.
    pub(super) owner: Rc<str>,
    /// For a property merged from several declarations: what tells its inline schemas from
    /// the declarations' own.
    pub(super) merged: Option<Rc<str>>,
}

impl<T> Clone for Declared<'_, T> {
    fn clone(&self) -> Self {
        Declared {
            ptr: self.ptr.clone(),
            item: self.item,
            owner: self.owner.clone(),
            merged: self.merged.clone(),
        }
    }
}

impl<'a> Lower<'a, '_> {
    /// The merged parts of the component schema `name`, computed once however many schemas
    /// include it; `None` when it includes itself, which is reported at `ptr`.
    pub(super) fn component_parts(
        &mut self,
        name: &'a str,
        schema: &'a Schema,
        ptr: &JsonPointer,
    ) -> Rc<Parts<'a>> {
        match self.all_of_parts.get(name) {
            Some(Some(it)) => return it.clone(),
            Some(None) => {
                self.acc
                    .error(
                        Kind::Invalid,
                        ptr.clone(),
                        format!("`allOf` of `{name}` includes `{name}` itself"),
                    )
                    .set_note("a schema cannot be made of itself; no code was generated");
                return Rc::default();
            }
            None => {}
        }
        self.all_of_parts.insert(name, None);
        let mut parts = Parts::default();
        let own_ptr = JsonPointer::root().join("components").join("schemas").join(name);
        let owner = Rc::from(self.component_names[name].as_str());
        // A component lowered as a struct may have required-only union members.
        self.collect_parts_of(schema, &own_ptr, &owner, &mut parts, true);
        let parts = Rc::new(parts);
        self.all_of_parts.insert(name, Some(parts.clone()));
        parts
    }

    /// Gathers the properties of `schema` and of its `allOf` members into `parts`, reporting
    /// members that are not objects and properties the members define differently.
    pub(super) fn collect_parts(
        &mut self,
        schema: &'a Schema,
        ptr: &JsonPointer,
        owner: &Rc<str>,
        parts: &mut Parts<'a>,
    ) {
        self.collect_parts_of(schema, ptr, owner, parts, false);
    }

    /// [`Lower::collect_parts`], where `own_union` says whether the schema's own `oneOf` or
    /// `anyOf` is accounted for elsewhere (the union its properties are shared by, or a
    /// constraint on which properties are required).
    pub(super) fn collect_parts_of(
        &mut self,
        schema: &'a Schema,
        ptr: &JsonPointer,
        owner: &Rc<str>,
        parts: &mut Parts<'a>,
        own_union: bool,
    ) {
        if !self.enter(ptr) {
            return;
        }
        let view = view(schema);
        let is_object = matches!(
            &schema.schema_kind,
            SchemaKind::Type(Type::Object(_))
                | SchemaKind::AllOf { .. }
                | SchemaKind::Any(_)
                | SchemaKind::OneOf { .. }
                | SchemaKind::AnyOf { .. }
        );
        let union = !view.one_of.is_empty() || !view.any_of.is_empty();
        if !is_object || (union && !own_union) || view.not {
            self.loosen(ptr.clone(), "unsupported: an `allOf` member that is not an object schema")
                .set_note("it is left out of the merge: the struct holds the other members' properties only");
            self.leave();
            return;
        }
        let own = Parts {
            properties: view
                .properties
                .into_iter()
                .flatten()
                .map(|(wire, item)| {
                    let ptr = ptr.join("properties").join(wire);
                    (wire.as_str(), Declared { ptr, item, owner: owner.clone(), merged: None })
                })
                .collect(),
            required: view.required.iter().map(String::as_str).collect(),
            additional: view.additional.map(|item| Declared {
                ptr: ptr.join("additionalProperties"),
                item,
                owner: owner.clone(),
                merged: None,
            }),
        };
        self.merge_parts(parts, &own);
        for (idx, member) in view.all_of.iter().enumerate() {
            let member_ptr = ptr.join("allOf").join(idx);
            match member {
                ReferenceOr::Item(it) => self.collect_parts(it, &member_ptr, owner, parts),
                ReferenceOr::Reference { reference } => match self.resolver.schema(reference) {
                    Ok(target) => {
                        let included =
                            self.component_parts(target.name, target.schema, &member_ptr);
                        self.merge_parts(parts, &included);
                    }
                    Err(problem) => {
                        self.report_ref(problem, &member_ptr, "a schema", "no code was generated");
                    }
                },
            }
        }
        self.leave();
    }

    /// Adds `other` to `parts`, reporting properties and `additionalProperties` defined
    /// differently in both.
    pub(super) fn merge_parts(&mut self, parts: &mut Parts<'a>, other: &Parts<'a>) {
        for (wire, it) in &other.properties {
            let Some(first) = parts.properties.get(wire) else {
                parts.properties.insert(wire, it.clone());
                continue;
            };
            if first.item == it.item {
                continue;
            }
            let scope = Rc::from(format!("{}+{}", first.ptr, it.ptr));
            let item = match super::merge::merge(first.item, it.item, &self.resolver) {
                Some(merged) => merged,
                None => {
                    self.loosen(
                        it.ptr.clone(),
                        format!("the property `{wire}` is defined twice, differently"),
                    )
                    .set_note(format!(
                        "the other definition is at {}, and neither refines the other: the property is typed as `serde_json::Value`",
                        first.ptr
                    ));
                    ReferenceOr::Item(Box::new(Schema {
                        schema_data: Default::default(),
                        schema_kind: SchemaKind::Any(Default::default()),
                    }))
                }
            };
            let item = &*self.arena.alloc(item);
            let merged = Declared { item, merged: Some(scope), ..it.clone() };
            parts.properties.insert(wire, merged);
        }
        parts.required.extend(other.required.iter().copied());
        if let Some(it) = &other.additional {
            match &parts.additional {
                Some(first) if first.item != it.item => {
                    self.loosen(
                        it.ptr.clone(),
                        "`allOf` members disagree on `additionalProperties`",
                    )
                    .set_note(format!(
                        "the other definition is at {}: the other properties are kept as `serde_json::Value`s",
                        first.ptr
                    ));
                    parts.additional =
                        Some(Declared { item: &AdditionalProperties::Any(true), ..it.clone() });
                }
                Some(_) => {}
                None => parts.additional = Some(it.clone()),
            }
        }
    }
}

/// The property schema that is both `a` and `b`; `None` when they contradict each other.
pub(super) fn merge(
    a: &ReferenceOr<Box<Schema>>,
    b: &ReferenceOr<Box<Schema>>,
    resolver: &Resolver<'_>,
) -> Option<ReferenceOr<Box<Schema>>> {
    match (reference(a), reference(b)) {
        (Some((ra, da)), Some((rb, db))) => {
            let same = ra == rb || {
                let (ta, tb) = (resolver.schema(ra).ok()?, resolver.schema(rb).ok()?);
                ta.name == tb.name || ta.schema == tb.schema
            };
            same.then(|| wrap_reference(ra, merge_data(&da, &db)))
        }
        (Some((r, data)), None) => merge_with_reference(r, &data, item(b)?, resolver),
        (None, Some((r, data))) => merge_with_reference(r, &data, item(a)?, resolver),
        (None, None) => merge_schema(item(a)?, item(b)?, resolver).map(boxed),
    }
}

fn boxed(schema: Schema) -> ReferenceOr<Box<Schema>> {
    ReferenceOr::Item(Box::new(schema))
}

fn item(it: &ReferenceOr<Box<Schema>>) -> Option<&Schema> {
    match it {
        ReferenceOr::Item(schema) => Some(schema),
        ReferenceOr::Reference { .. } => None,
    }
}

/// A reference, possibly wrapped to add docs or `nullable` (`allOf: [$ref]` and the like), with
/// what the wrapper adds.
fn reference(it: &ReferenceOr<Box<Schema>>) -> Option<(&str, SchemaData)> {
    match it {
        ReferenceOr::Reference { reference } => Some((reference, SchemaData::default())),
        ReferenceOr::Item(schema) => match &schema.schema_kind {
            SchemaKind::AllOf { all_of: members }
            | SchemaKind::OneOf { one_of: members }
            | SchemaKind::AnyOf { any_of: members } => match members.as_slice() {
                [ReferenceOr::Reference { reference }] => {
                    Some((reference, schema.schema_data.clone()))
                }
                _ => None,
            },
            _ => None,
        },
    }
}

/// A reference with what a wrapper adds: the bare reference when it adds nothing.
fn wrap_reference(reference: &str, data: SchemaData) -> ReferenceOr<Box<Schema>> {
    let reference = reference.to_owned();
    if data == SchemaData::default() {
        return ReferenceOr::Reference { reference };
    }
    let all_of = vec![ReferenceOr::Reference { reference }];
    boxed(Schema { schema_data: data, schema_kind: SchemaKind::AllOf { all_of } })
}

/// A reference refined by an inline schema: the reference, when the schema says only what the
/// target says or less (an object without properties where the target is an object, say);
/// else the target merged with it, inline.
fn merge_with_reference(
    reference: &str,
    data: &SchemaData,
    schema: &Schema,
    resolver: &Resolver<'_>,
) -> Option<ReferenceOr<Box<Schema>>> {
    let target = resolver.schema(reference).ok()?.schema;
    if is_unconstrained(&schema.schema_kind) || is_generic_of(&schema.schema_kind, target) {
        return Some(wrap_reference(reference, merge_data(data, &schema.schema_data)));
    }
    let mut merged = merge_schema(target, schema, resolver)?;
    merged.schema_data = merge_data(&merge_data(&target.schema_data, data), &schema.schema_data);
    Some(boxed(merged))
}

/// A schema that constrains nothing: only docs, `nullable` and the like.
fn is_unconstrained(kind: &SchemaKind) -> bool {
    matches!(kind, SchemaKind::Any(it) if *it == Default::default())
}

/// `kind` is a type with nothing more (an object without properties, an array without items, a
/// string without format or enum) and `target` is of that type.
fn is_generic_of(kind: &SchemaKind, target: &Schema) -> bool {
    match (kind, &target.schema_kind) {
        (SchemaKind::Type(Type::Object(it)), SchemaKind::Type(Type::Object(_))) => {
            it.properties.is_empty() && it.additional_properties.is_none()
        }
        (SchemaKind::Type(Type::Array(it)), SchemaKind::Type(Type::Array(_))) => it.items.is_none(),
        (SchemaKind::Type(Type::String(it)), SchemaKind::Type(Type::String(_))) => {
            it.enumeration.is_empty() && matches!(it.format, VariantOrUnknownOrEmpty::Empty)
        }
        (SchemaKind::Type(Type::Integer(_)), SchemaKind::Type(Type::Integer(_)))
        | (SchemaKind::Type(Type::Number(_)), SchemaKind::Type(Type::Number(_)))
        | (SchemaKind::Type(Type::Boolean(_)), SchemaKind::Type(Type::Boolean(_))) => true,
        _ => false,
    }
}

/// What both `a` and `b` say of a schema's docs and flags; `b`, the later, wins where both say
/// something different, and `null` is allowed if either allows it.
pub(super) fn merge_data(a: &SchemaData, b: &SchemaData) -> SchemaData {
    let mut extensions = a.extensions.clone();
    extensions.extend(b.extensions.clone());
    SchemaData {
        nullable: a.nullable || b.nullable,
        read_only: a.read_only || b.read_only,
        write_only: a.write_only || b.write_only,
        deprecated: a.deprecated || b.deprecated,
        external_docs: b.external_docs.clone().or_else(|| a.external_docs.clone()),
        example: b.example.clone().or_else(|| a.example.clone()),
        title: b.title.clone().or_else(|| a.title.clone()),
        description: b.description.clone().or_else(|| a.description.clone()),
        discriminator: a.discriminator.clone().or_else(|| b.discriminator.clone()),
        default: b.default.clone().or_else(|| a.default.clone()),
        extensions,
    }
}

/// The schema that is both `a` and `b`, inline; `None` when they contradict each other.
fn merge_schema(a: &Schema, b: &Schema, resolver: &Resolver<'_>) -> Option<Schema> {
    let schema_kind = match (&a.schema_kind, &b.schema_kind) {
        (kind, other) if is_unconstrained(other) => kind.clone(),
        (other, kind) if is_unconstrained(other) => kind.clone(),
        (SchemaKind::Type(ta), SchemaKind::Type(tb)) => {
            SchemaKind::Type(merge_type(ta, tb, resolver)?)
        }
        // An enum without a `type` (`status: {enum: [completed]}`) refining a typed property.
        (SchemaKind::Type(ty), SchemaKind::Any(any)) => {
            SchemaKind::Type(merge_type(ty, &typed_like(enum_only(any)?, ty)?, resolver)?)
        }
        (SchemaKind::Any(any), SchemaKind::Type(ty)) => {
            SchemaKind::Type(merge_type(&typed_like(enum_only(any)?, ty)?, ty, resolver)?)
        }
        (ka, kb) if ka == kb => ka.clone(),
        // A union narrowed by a member's type (`oneOf: [integer, date-time]` restated as a
        // string): the union stays, so that every value either declaration allows decodes, with
        // the members the other declaration refines refined.
        (SchemaKind::OneOf { one_of: members }, other)
        | (other, SchemaKind::OneOf { one_of: members }) => {
            SchemaKind::OneOf { one_of: refine_members(members, b_or_a(a, b, other), resolver)? }
        }
        (SchemaKind::AnyOf { any_of: members }, other)
        | (other, SchemaKind::AnyOf { any_of: members }) => {
            SchemaKind::AnyOf { any_of: refine_members(members, b_or_a(a, b, other), resolver)? }
        }
        _ => return None,
    };
    Some(Schema { schema_data: merge_data(&a.schema_data, &b.schema_data), schema_kind })
}

/// Which of `a` and `b` has the schema kind `kind`.
fn b_or_a<'s>(a: &'s Schema, b: &'s Schema, kind: &SchemaKind) -> &'s Schema {
    if std::ptr::eq(&b.schema_kind, kind) { b } else { a }
}

/// The members of a union, each refined by `other` where the two merge; `None` when `other`
/// is itself a union, or refines no member.
fn refine_members(
    members: &[ReferenceOr<Schema>],
    other: &Schema,
    resolver: &Resolver<'_>,
) -> Option<Vec<ReferenceOr<Schema>>> {
    if matches!(
        other.schema_kind,
        SchemaKind::OneOf { .. } | SchemaKind::AnyOf { .. } | SchemaKind::AllOf { .. }
    ) {
        return None;
    }
    let other = boxed(Schema { schema_data: SchemaData::default(), ..other.clone() });
    let mut refined_any = false;
    let res = members
        .iter()
        .map(|member| {
            let member_boxed = match member {
                ReferenceOr::Reference { reference } => {
                    ReferenceOr::Reference { reference: reference.clone() }
                }
                ReferenceOr::Item(it) => boxed(it.clone()),
            };
            match merge(&member_boxed, &other, resolver) {
                Some(ReferenceOr::Item(it)) => {
                    refined_any = true;
                    ReferenceOr::Item(*it)
                }
                Some(ReferenceOr::Reference { reference }) => {
                    refined_any = true;
                    ReferenceOr::Reference { reference }
                }
                None => member.clone(),
            }
        })
        .collect();
    refined_any.then_some(res)
}

/// The values of an `enum` that has no `type` and says nothing else; `None` for any other
/// schema.
fn enum_only(any: &openapiv3::AnySchema) -> Option<&[serde_json::Value]> {
    let values = any.enumeration.as_slice();
    let rest = openapiv3::AnySchema { enumeration: Vec::new(), ..any.clone() };
    (!values.is_empty() && rest == Default::default()).then_some(values)
}

/// A scalar type like `like` whose enum is `values`; `None` when `like` is not a scalar or a
/// value is not of its type.
pub(super) fn typed_like(values: &[serde_json::Value], like: &Type) -> Option<Type> {
    use serde_json::Value as V;
    fn all<T>(values: &[V], each: impl Fn(&V) -> Option<T>) -> Option<Vec<Option<T>>> {
        values.iter().map(|it| if it.is_null() { Some(None) } else { each(it).map(Some) }).collect()
    }
    Some(match like {
        Type::String(_) => Type::String(StringType {
            enumeration: all(values, |it| it.as_str().map(str::to_owned))?,
            ..Default::default()
        }),
        Type::Integer(_) => Type::Integer(IntegerType {
            enumeration: all(values, V::as_i64)?,
            ..Default::default()
        }),
        Type::Number(_) => {
            Type::Number(NumberType { enumeration: all(values, V::as_f64)?, ..Default::default() })
        }
        Type::Boolean(_) => {
            Type::Boolean(openapiv3::BooleanType { enumeration: all(values, V::as_bool)? })
        }
        _ => return None,
    })
}

fn merge_type(a: &Type, b: &Type, resolver: &Resolver<'_>) -> Option<Type> {
    Some(match (a, b) {
        (Type::String(a), Type::String(b)) => Type::String(StringType {
            format: merge_string_format(&a.format, &b.format)?,
            pattern: same(&a.pattern, &b.pattern),
            enumeration: union(&a.enumeration, &b.enumeration),
            min_length: lower(a.min_length, b.min_length),
            max_length: higher(a.max_length, b.max_length),
        }),
        (Type::Integer(a), Type::Integer(b)) => {
            let min = wider_bound(
                (a.minimum, a.exclusive_minimum),
                (b.minimum, b.exclusive_minimum),
                Ordering::Less,
            );
            let max = wider_bound(
                (a.maximum, a.exclusive_maximum),
                (b.maximum, b.exclusive_maximum),
                Ordering::Greater,
            );
            Type::Integer(IntegerType {
                // The wider: no format (64 bits) over `int32`.
                format: match (&a.format, &b.format) {
                    (VariantOrUnknownOrEmpty::Item(IntegerFormat::Int32), other)
                    | (other, VariantOrUnknownOrEmpty::Item(IntegerFormat::Int32)) => other.clone(),
                    (it, _) => it.clone(),
                },
                multiple_of: same(&a.multiple_of, &b.multiple_of),
                exclusive_minimum: min.1,
                exclusive_maximum: max.1,
                minimum: min.0,
                maximum: max.0,
                enumeration: union(&a.enumeration, &b.enumeration),
            })
        }
        (Type::Number(a), Type::Number(b)) => Type::Number(merge_number(a, b)),
        // An integer is a number: the number keeps both.
        (Type::Integer(_), Type::Number(it)) | (Type::Number(it), Type::Integer(_)) => {
            Type::Number(it.clone())
        }
        (Type::Boolean(a), Type::Boolean(b)) => Type::Boolean(openapiv3::BooleanType {
            enumeration: union(&a.enumeration, &b.enumeration),
        }),
        (Type::Array(a), Type::Array(b)) => Type::Array(ArrayType {
            items: match (&a.items, &b.items) {
                (Some(a), Some(b)) => Some(merge(a, b, resolver)?),
                (a, b) => a.clone().or_else(|| b.clone()),
            },
            min_items: lower(a.min_items, b.min_items),
            max_items: higher(a.max_items, b.max_items),
            unique_items: a.unique_items && b.unique_items,
        }),
        (Type::Object(a), Type::Object(b)) => Type::Object(merge_object(a, b, resolver)?),
        _ => return None,
    })
}

fn merge_number(a: &NumberType, b: &NumberType) -> NumberType {
    let min = wider_bound(
        (a.minimum, a.exclusive_minimum),
        (b.minimum, b.exclusive_minimum),
        Ordering::Less,
    );
    let max = wider_bound(
        (a.maximum, a.exclusive_maximum),
        (b.maximum, b.exclusive_maximum),
        Ordering::Greater,
    );
    NumberType {
        format: match (&a.format, &b.format) {
            (it, VariantOrUnknownOrEmpty::Empty) | (VariantOrUnknownOrEmpty::Empty, it) => {
                it.clone()
            }
            (a, b) if a == b => a.clone(),
            _ => VariantOrUnknownOrEmpty::Item(NumberFormat::Double),
        },
        multiple_of: same(&a.multiple_of, &b.multiple_of),
        exclusive_minimum: min.1,
        exclusive_maximum: max.1,
        minimum: min.0,
        maximum: max.0,
        enumeration: union(&a.enumeration, &b.enumeration),
    }
}

/// Of two lower bounds, the lower; none when either declaration has none.
fn lower(a: Option<usize>, b: Option<usize>) -> Option<usize> {
    Some(a?.min(b?))
}

/// Of two upper bounds, the higher; none when either declaration has none.
fn higher(a: Option<usize>, b: Option<usize>) -> Option<usize> {
    Some(a?.max(b?))
}

/// The value both declarations give, or none (a `pattern`, a `multipleOf`: two different ones
/// together allow what neither alone states).
fn same<T: PartialEq + Clone>(a: &Option<T>, b: &Option<T>) -> Option<T> {
    if a == b { a.clone() } else { None }
}

/// Of two bounds with their exclusivity, the wider: the one further out (`Less` for minimums,
/// `Greater` for maximums), exclusive only when it is and the other, as far out, is too; no
/// bound when either has none (an exclusivity flag without a bound means nothing).
fn wider_bound<N: PartialOrd + Copy>(
    a: (Option<N>, bool),
    b: (Option<N>, bool),
    outward: Ordering,
) -> (Option<N>, bool) {
    let (Some(av), Some(bv)) = (a.0, b.0) else { return (None, false) };
    match av.partial_cmp(&bv) {
        Some(Ordering::Equal) => (Some(av), a.1 && b.1),
        Some(it) if it == outward => (Some(av), a.1),
        Some(_) => (Some(bv), b.1),
        // Not comparable (NaN): no bound rather than a guess.
        None => (None, false),
    }
}

fn merge_object(a: &ObjectType, b: &ObjectType, resolver: &Resolver<'_>) -> Option<ObjectType> {
    let mut properties = a.properties.clone();
    for (name, it) in &b.properties {
        let merged = match properties.get(name) {
            Some(first) if first != it => merge(first, it, resolver)?,
            _ => it.clone(),
        };
        properties.insert(name.clone(), merged);
    }
    let mut required = a.required.clone();
    required.extend(b.required.iter().filter(|it| !a.required.contains(it)).cloned());
    let additional_properties = match (&a.additional_properties, &b.additional_properties) {
        (None, it) | (it, None) => it.clone(),
        (a, b) if a == b => a.clone(),
        // A schema for the others is at least as strict as allowing any.
        (Some(AdditionalProperties::Any(true)), it)
        | (it, Some(AdditionalProperties::Any(true))) => it.clone(),
        _ => return None,
    };
    Some(ObjectType {
        properties,
        required,
        additional_properties,
        min_properties: a.min_properties.or(b.min_properties),
        max_properties: a.max_properties.or(b.max_properties),
    })
}

/// The format both string declarations allow: the one that says one, when both map to the same
/// Rust type or only one has one.
pub(super) fn merge_string_format(
    a: &VariantOrUnknownOrEmpty<StringFormat>,
    b: &VariantOrUnknownOrEmpty<StringFormat>,
) -> Option<VariantOrUnknownOrEmpty<StringFormat>> {
    // The formats that give a type of their own; any other is a plain string.
    let typed = |it: &VariantOrUnknownOrEmpty<StringFormat>| match it {
        VariantOrUnknownOrEmpty::Item(
            StringFormat::DateTime | StringFormat::Date | StringFormat::Byte,
        ) => true,
        VariantOrUnknownOrEmpty::Unknown(it) => it == "uuid",
        _ => false,
    };
    match (a, b) {
        (a, b) if a == b => Some(a.clone()),
        (VariantOrUnknownOrEmpty::Empty, it) | (it, VariantOrUnknownOrEmpty::Empty) => {
            Some(it.clone())
        }
        (a, b) if !typed(a) && !typed(b) => Some(b.clone()),
        (a, b) if typed(a) != typed(b) => Some(if typed(a) { a.clone() } else { b.clone() }),
        _ => None,
    }
}

/// The values of both enums, `a`'s first; all of `a` when `b` has none, and the reverse.
fn union<T: PartialEq + Clone>(a: &[T], b: &[T]) -> Vec<T> {
    let mut res = a.to_vec();
    res.extend(b.iter().filter(|it| !a.contains(it)).cloned());
    res
}

#[cfg(test)]
mod tests {
    use openapiv3::{OpenAPI, ReferenceOr, Schema};
    use serde_json::json;

    use super::merge;
    use crate::resolve::{CheckedRefs, Resolver};

    fn schema(value: serde_json::Value) -> ReferenceOr<Box<Schema>> {
        serde_json::from_value(value).unwrap()
    }

    fn merged(a: serde_json::Value, b: serde_json::Value) -> Option<serde_json::Value> {
        let doc: OpenAPI = serde_json::from_value(json!({
            "openapi": "3.0.3", "info": {"title": "T", "version": "1"}, "paths": {},
            "components": {"schemas": {
                "User": {"type": "object", "properties": {"id": {"type": "integer"}}},
                "Org": {"type": "object", "properties": {"login": {"type": "string"}}},
            }},
        }))
        .unwrap();
        let refs = CheckedRefs::default();
        let resolver = Resolver::new(&doc, &refs);
        merge(&schema(a), &schema(b), &resolver).map(|it| serde_json::to_value(it).unwrap())
    }

    #[test]
    fn refinements_merge() {
        // GitHub restates properties this way, hundreds of times.
        assert_eq!(
            merged(json!({"type": "string", "format": "uri-template"}), json!({"type": "string"})),
            Some(json!({"type": "string", "format": "uri-template"}))
        );
        assert_eq!(
            merged(
                json!({"type": "boolean", "description": "d"}),
                json!({"type": "boolean", "enum": [true]})
            ),
            Some(json!({"type": "boolean", "description": "d", "enum": [true]}))
        );
        assert_eq!(
            merged(json!({"type": "string", "nullable": true}), json!({"nullable": true})),
            Some(json!({"type": "string", "nullable": true}))
        );
        assert_eq!(
            merged(
                json!({"type": "array", "items": {"type": "string"}}),
                json!({"type": "array", "items": {"nullable": true}})
            ),
            Some(json!({"type": "array", "items": {"type": "string", "nullable": true}}))
        );
        assert_eq!(
            merged(
                json!({"type": "string", "enum": ["a", "b"]}),
                json!({"type": "string", "nullable": true, "enum": ["a", null]})
            ),
            Some(json!({"type": "string", "nullable": true, "enum": ["a", "b", null]}))
        );
        assert_eq!(
            merged(json!({"type": "integer", "format": "int32"}), json!({"type": "integer"})),
            Some(json!({"type": "integer"}))
        );
    }

    /// `base` with the keywords of `extra` added.
    fn with(mut base: serde_json::Value, extra: serde_json::Value) -> serde_json::Value {
        base.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        base
    }

    /// Of two bounds, the merge keeps the wider, keyword by keyword; a bound only one
    /// declaration states is no bound (the other allows anything); exclusivity goes with the
    /// bound kept.
    #[test]
    fn bounds_merge_to_the_wider() {
        let both = |a: serde_json::Value, b: serde_json::Value| {
            let ab = merged(a.clone(), b.clone()).unwrap();
            assert_eq!(ab, merged(b, a).unwrap(), "the same whichever comes first");
            ab
        };
        let string = |extra| with(json!({"type": "string"}), extra);
        assert_eq!(
            both(
                string(json!({"minLength": 3, "maxLength": 5})),
                string(json!({"minLength": 1, "maxLength": 9}))
            ),
            string(json!({"minLength": 1, "maxLength": 9}))
        );
        assert_eq!(both(string(json!({"maxLength": 5})), string(json!({}))), string(json!({})));
        assert_eq!(
            both(string(json!({"pattern": "^a"})), string(json!({"pattern": "^a"}))),
            string(json!({"pattern": "^a"}))
        );
        assert_eq!(
            both(string(json!({"pattern": "^a"})), string(json!({"pattern": "^b"}))),
            string(json!({}))
        );
        let int = |extra| with(json!({"type": "integer"}), extra);
        // The lower minimum, with its own exclusivity: never 5 exclusive, which neither says.
        assert_eq!(
            both(int(json!({"minimum": 5})), int(json!({"minimum": 3, "exclusiveMinimum": true}))),
            int(json!({"minimum": 3, "exclusiveMinimum": true}))
        );
        assert_eq!(
            both(int(json!({"minimum": 3})), int(json!({"minimum": 3, "exclusiveMinimum": true}))),
            int(json!({"minimum": 3}))
        );
        assert_eq!(
            both(int(json!({"maximum": 10, "exclusiveMaximum": true})), int(json!({"maximum": 7}))),
            int(json!({"maximum": 10, "exclusiveMaximum": true}))
        );
        assert_eq!(both(int(json!({"maximum": 10})), int(json!({}))), int(json!({})));
        assert_eq!(
            both(int(json!({"multipleOf": 2})), int(json!({"multipleOf": 3}))),
            int(json!({}))
        );
        assert_eq!(
            both(int(json!({"multipleOf": 2})), int(json!({"multipleOf": 2}))),
            int(json!({"multipleOf": 2}))
        );
        let number = |extra| with(json!({"type": "number"}), extra);
        assert_eq!(
            both(
                number(json!({"minimum": 0.5, "maximum": 2.5})),
                number(json!({"minimum": 1.0, "maximum": 9.5}))
            ),
            number(json!({"minimum": 0.5, "maximum": 9.5}))
        );
        let array = |extra| with(json!({"type": "array", "items": {"type": "string"}}), extra);
        assert_eq!(
            both(
                array(json!({"minItems": 2, "maxItems": 4, "uniqueItems": true})),
                array(json!({"minItems": 1, "maxItems": 8}))
            ),
            array(json!({"minItems": 1, "maxItems": 8}))
        );
        assert_eq!(
            both(array(json!({"uniqueItems": true})), array(json!({"uniqueItems": true}))),
            array(json!({"uniqueItems": true}))
        );
    }

    #[test]
    fn objects_merge_their_properties() {
        assert_eq!(
            merged(
                json!({"type": "object", "required": ["a"], "properties": {"a": {"type": "string"}, "b": {"type": "string"}}}),
                json!({"type": "object", "nullable": true, "required": ["c"], "properties": {"b": {"type": "string", "format": "email"}, "c": {"type": "integer"}}})
            ),
            Some(
                json!({"type": "object", "nullable": true, "required": ["a", "c"], "properties": {
                    "a": {"type": "string"}, "b": {"type": "string", "format": "email"}, "c": {"type": "integer"}
                }})
            )
        );
    }

    #[test]
    fn references_refined_by_a_wrapper_stay_references() {
        let user = json!({"$ref": "#/components/schemas/User"});
        assert_eq!(merged(user.clone(), user.clone()), Some(user.clone()));
        assert_eq!(
            merged(user.clone(), json!({"type": "object", "nullable": true})),
            Some(json!({"allOf": [user.clone()], "nullable": true}))
        );
        assert_eq!(
            merged(json!({"allOf": [user.clone()], "description": "the owner"}), user.clone()),
            Some(json!({"allOf": [user], "description": "the owner"}))
        );
    }

    #[test]
    fn contradictions_do_not_merge() {
        assert_eq!(merged(json!({"type": "string"}), json!({"type": "integer"})), None);
        assert_eq!(
            merged(
                json!({"type": "string", "format": "date-time"}),
                json!({"type": "string", "format": "uuid"})
            ),
            None
        );
        assert_eq!(
            merged(
                json!({"$ref": "#/components/schemas/User"}),
                json!({"$ref": "#/components/schemas/Org"})
            ),
            None
        );
        assert_eq!(
            merged(
                json!({"oneOf": [{"type": "integer"}, {"type": "boolean"}]}),
                json!({"type": "string"})
            ),
            None
        );
        assert_eq!(merged(json!({"type": "integer"}), json!({"enum": ["completed"]})), None);
    }

    #[test]
    fn an_enum_without_a_type_refines_a_typed_property() {
        // GitHub's check-run update restates `status` this way.
        assert_eq!(
            merged(
                json!({"type": "string", "enum": ["queued", "completed"]}),
                json!({"enum": ["completed"]})
            ),
            Some(json!({"type": "string", "enum": ["queued", "completed"]}))
        );
        assert_eq!(
            merged(json!({"enum": [1, 2]}), json!({"type": "integer", "description": "d"})),
            Some(json!({"type": "integer", "enum": [1, 2], "description": "d"}))
        );
    }

    #[test]
    fn a_union_narrowed_to_a_member_stays_a_union() {
        // GitHub's `webhook-fork` restates `created_at` (an integer or a date-time) as a string:
        // both kinds of value still decode.
        assert_eq!(
            merged(
                json!({"nullable": true, "oneOf": [{"type": "integer"}, {"type": "string", "format": "date-time"}]}),
                json!({"type": "string", "description": "d"})
            ),
            Some(json!({"nullable": true, "description": "d", "oneOf": [
                {"type": "integer"}, {"type": "string", "format": "date-time"}
            ]}))
        );
    }
}
