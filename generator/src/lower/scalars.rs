//! `allOf` over scalars and arrays: members that are a string, a number, an integer, a boolean
//! or an array (inline or by `$ref`), beside members that only annotate (a description,
//! `nullable`) or only constrain (`maxLength: 5`, `enum: [a, b]`), make one schema of that
//! type. A value must match every member, so their constraints narrow each other: the higher
//! `minimum`, the shorter `maxLength`, the values both enums list. One member by `$ref` with
//! annotations alone stays that reference (`allOf: [$ref: Id]` with a description is an `Id`).
//! Members of different types, or bounds that leave no value, contradict each other: the
//! schema is loosened to any JSON value, with a warning. A member that is an object or a union
//! leaves the `allOf` to the struct merge (`merge.rs`).

use openapiv3::{
    AnySchema, ArrayType, IntegerFormat, IntegerType, NumberType, ReferenceOr, Schema, SchemaData,
    SchemaKind, StringType, Type, VariantOrUnknownOrEmpty,
};

use super::{
    Lower,
    merge::{merge, merge_data, merge_string_format, typed_like},
    schema::view,
};
use crate::pointer::JsonPointer;

/// What one member says.
enum Part<'a> {
    /// Docs and flags only.
    Annotation(&'a SchemaData),
    /// A type, with the constraints it states; `reference` when the member is a `$ref`.
    Typed { ty: Type, data: &'a SchemaData, reference: Option<&'a str> },
    /// An `enum` without a `type`.
    Values(&'a [serde_json::Value], &'a SchemaData),
    /// Keywords without a `type` (`maxLength: 5`): they constrain only values of the type they
    /// belong to, and say nothing of others.
    Keywords(Type, &'a SchemaData),
}

impl<'a> Lower<'a, '_> {
    /// `schema` itself, or, when it is an `allOf` over scalars or arrays, the one schema its
    /// members make (reporting contradictions at `ptr`, once).
    pub(super) fn fold_all_of(&mut self, schema: &'a Schema, ptr: &JsonPointer) -> &'a Schema {
        let key = std::ptr::from_ref(schema).addr();
        if let Some(it) = self.folded.get(&key) {
            return it.unwrap_or(schema);
        }
        // Marked first: a member that leads back here is not folded again.
        self.folded.insert(key, None);
        let folded = self.fold(schema, ptr);
        self.folded.insert(key, folded);
        folded.unwrap_or(schema)
    }

    fn fold(&mut self, schema: &'a Schema, ptr: &JsonPointer) -> Option<&'a Schema> {
        let view = view(schema);
        let plain = view.properties.is_none_or(|it| it.is_empty())
            && view.additional.is_none()
            && view.one_of.is_empty()
            && view.any_of.is_empty()
            && !view.not;
        if view.all_of.is_empty() || !plain {
            return None;
        }
        let mut parts = Vec::new();
        if let SchemaKind::Any(any) = &schema.schema_kind {
            // `type: string` beside `allOf` is read as an untyped schema: its own constraints
            // are one more member.
            let own = AnySchema { all_of: Vec::new(), ..any.clone() };
            if own != AnySchema::default() {
                let own = self.arena.alloc(ReferenceOr::Item(Box::new(Schema {
                    schema_data: SchemaData::default(),
                    schema_kind: SchemaKind::Any(own),
                })));
                parts.push(self.part(own_schema(own)?, ptr)?);
            }
        }
        for (idx, member) in view.all_of.iter().enumerate() {
            let member_ptr = ptr.join("allOf").join(idx);
            let part = match member {
                ReferenceOr::Item(it) => self.part(it, &member_ptr)?,
                ReferenceOr::Reference { reference } => {
                    let target = self.resolver.schema(reference).ok()?;
                    let target_ptr =
                        JsonPointer::root().join("components").join("schemas").join(target.name);
                    // Chains of references count as nesting: their depth is bounded too.
                    if !self.enter(&member_ptr) {
                        return None;
                    }
                    let part = self.part(target.schema, &target_ptr);
                    self.leave();
                    match part? {
                        Part::Typed { ty, .. } => {
                            Part::Typed { ty, data: &EMPTY_DATA, reference: Some(reference) }
                        }
                        // A reference to annotations adds nothing a value must match.
                        Part::Annotation(_) => Part::Annotation(&EMPTY_DATA),
                        Part::Values(values, _) => Part::Values(values, &EMPTY_DATA),
                        Part::Keywords(ty, _) => Part::Keywords(ty, &EMPTY_DATA),
                    }
                }
            };
            parts.push(part);
        }
        let data = parts.iter().fold(SchemaData::default(), |acc, it| match it {
            Part::Annotation(data)
            | Part::Typed { data, .. }
            | Part::Values(_, data)
            | Part::Keywords(_, data) => merge_data(&acc, data),
        });
        // The schema's own docs and flags last: they win.
        let data = merge_data(&data, &schema.schema_data);
        let mut typed: Vec<(&Type, Option<&str>)> = parts
            .iter()
            .filter_map(|it| match it {
                Part::Typed { ty, reference, .. } => Some((ty, *reference)),
                _ => None,
            })
            .collect();
        // Keywords alone: the type they belong to.
        let keywords: Vec<&Type> = parts
            .iter()
            .filter_map(|it| match it {
                Part::Keywords(ty, _) => Some(ty),
                _ => None,
            })
            .collect();
        if typed.is_empty() {
            typed.extend(keywords.first().map(|it| (*it, None)));
        }
        let has_values = parts.iter().any(|it| matches!(it, Part::Values(..)));
        let result = match typed.as_slice() {
            [] => return None,
            // One member by reference, the rest annotations: that reference.
            [(_, Some(reference))] if !has_values && keywords.is_empty() => Schema {
                schema_data: data,
                schema_kind: SchemaKind::AllOf {
                    all_of: vec![ReferenceOr::Reference { reference: (*reference).to_owned() }],
                },
            },
            [(first, _), rest @ ..] => {
                let mut ty = Ok((*first).clone());
                for (other, _) in rest {
                    ty = ty.and_then(|it| self.narrow(&it, other));
                }
                // Keywords of the type (or a number's of an integer) narrow it; others say
                // nothing of its values.
                for other in &keywords {
                    if let Ok(it) = &ty {
                        let applies = type_name(it) == type_name(other)
                            || matches!((it, other), (Type::Integer(_), Type::Number(_)));
                        if applies {
                            ty = self.narrow(it, other);
                        }
                    }
                }
                for part in &parts {
                    if let (Ok(it), Part::Values(values, _)) = (&ty, part) {
                        ty = typed_like(values, it)
                            .ok_or_else(|| "an `enum` whose values are not of the type".to_owned())
                            .and_then(|values| self.narrow(it, &values));
                    }
                }
                match ty {
                    Ok(ty) => Schema { schema_data: data, schema_kind: SchemaKind::Type(ty) },
                    Err(why) => {
                        self.loosen(
                            ptr.join("allOf"),
                            format!("`allOf` members that no value can match: {why}"),
                        )
                        .set_note("typed as `serde_json::Value`");
                        Schema {
                            schema_data: data,
                            schema_kind: SchemaKind::Any(AnySchema::default()),
                        }
                    }
                }
            }
        };
        let allocated = self.arena.alloc(ReferenceOr::Item(Box::new(result)));
        own_schema(allocated)
    }

    /// What the member `schema` at `ptr` says; `None` when it is an object, a union, or
    /// anything else that is not a scalar or an array.
    fn part(&mut self, schema: &'a Schema, ptr: &JsonPointer) -> Option<Part<'a>> {
        let data = &schema.schema_data;
        match &schema.schema_kind {
            SchemaKind::Type(Type::Object(_)) => None,
            SchemaKind::Type(ty) => Some(Part::Typed { ty: ty.clone(), data, reference: None }),
            SchemaKind::AllOf { .. } => {
                if !self.enter(ptr) {
                    return None;
                }
                let folded = self.fold_all_of(schema, ptr);
                self.leave();
                if std::ptr::eq(folded, schema) {
                    return None;
                }
                match &folded.schema_kind {
                    SchemaKind::Type(Type::Object(_)) => None,
                    SchemaKind::Type(ty) => Some(Part::Typed {
                        ty: ty.clone(),
                        data: &folded.schema_data,
                        reference: None,
                    }),
                    _ => None,
                }
            }
            SchemaKind::Any(any) if *any == AnySchema::default() => Some(Part::Annotation(data)),
            SchemaKind::Any(any) if !any.all_of.is_empty() => {
                if !self.enter(ptr) {
                    return None;
                }
                let folded = self.fold_all_of(schema, ptr);
                self.leave();
                match &folded.schema_kind {
                    SchemaKind::Type(ty) if !std::ptr::eq(folded, schema) => Some(Part::Typed {
                        ty: ty.clone(),
                        data: &folded.schema_data,
                        reference: None,
                    }),
                    _ => None,
                }
            }
            SchemaKind::Any(any) => {
                let rest = AnySchema { enumeration: Vec::new(), ..any.clone() };
                if !any.enumeration.is_empty() && rest == AnySchema::default() {
                    return Some(Part::Values(&any.enumeration, data));
                }
                let inferred = any.typ.is_none();
                typed_any(any).map(|ty| {
                    if inferred {
                        Part::Keywords(ty, data)
                    } else {
                        Part::Typed { ty, data, reference: None }
                    }
                })
            }
            _ => None,
        }
    }

    /// The type that is both `a` and `b`: the narrower of each bound, the values both enums
    /// list; why not, when no value can be both.
    fn narrow(&mut self, a: &Type, b: &Type) -> Result<Type, String> {
        Ok(match (a, b) {
            (Type::String(a), Type::String(b)) => Type::String(StringType {
                format: merge_string_format(&a.format, &b.format)
                    .ok_or("two string formats of different types")?,
                pattern: match (&a.pattern, &b.pattern) {
                    (Some(x), Some(y)) if x != y => {
                        return Err("two different `pattern`s, which one check cannot hold".into());
                    }
                    (x, y) => x.clone().or_else(|| y.clone()),
                },
                enumeration: both(&a.enumeration, &b.enumeration)?,
                min_length: max(a.min_length, b.min_length),
                max_length: min(a.max_length, b.max_length),
            })
            .checked()?,
            (Type::Integer(a), Type::Integer(b)) => Type::Integer(narrow_integer(a, b)?),
            (Type::Number(a), Type::Number(b)) => Type::Number(narrow_number(a, b)?),
            // An integer that is also a number: the integer, with the number's bounds.
            (Type::Integer(i), Type::Number(n)) | (Type::Number(n), Type::Integer(i)) => {
                Type::Integer(narrow_integer(i, &integer_of(n)?)?)
            }
            (Type::Boolean(a), Type::Boolean(b)) => Type::Boolean(openapiv3::BooleanType {
                enumeration: both(&a.enumeration, &b.enumeration)?,
            }),
            (Type::Array(a), Type::Array(b)) => Type::Array(ArrayType {
                items: match (&a.items, &b.items) {
                    (Some(x), Some(y)) if x == y => Some(x.clone()),
                    (Some(x), Some(y)) => Some(
                        merge(x, y, &self.resolver)
                            .ok_or("two different `items` that do not refine each other")?,
                    ),
                    (x, y) => x.clone().or_else(|| y.clone()),
                },
                min_items: max(a.min_items, b.min_items),
                max_items: min(a.max_items, b.max_items),
                unique_items: a.unique_items || b.unique_items,
            })
            .checked()?,
            (a, b) => return Err(format!("`{}` and `{}`", type_name(a), type_name(b))),
        })
    }
}

static EMPTY_DATA: std::sync::LazyLock<SchemaData> = std::sync::LazyLock::new(SchemaData::default);

/// The schema inside an item the arena holds.
fn own_schema(it: &ReferenceOr<Box<Schema>>) -> Option<&Schema> {
    match it {
        ReferenceOr::Item(it) => Some(it),
        ReferenceOr::Reference { .. } => None,
    }
}

/// An untyped schema's constraints as a type: the one its `type` names, or the one its keywords
/// belong to (`maxLength` to strings); `None` when it says nothing of one (or is an object).
fn typed_any(any: &AnySchema) -> Option<Type> {
    let array = any.items.is_some() || any.min_items.is_some() || any.max_items.is_some();
    let string = any.pattern.is_some() || any.min_length.is_some() || any.max_length.is_some();
    let number = any.minimum.is_some() || any.maximum.is_some() || any.multiple_of.is_some();
    let object = !any.properties.is_empty()
        || any.additional_properties.is_some()
        || !any.required.is_empty()
        || any.min_properties.is_some()
        || any.max_properties.is_some();
    let union = !any.one_of.is_empty() || !any.any_of.is_empty() || any.not.is_some();
    if object || union {
        return None;
    }
    let typ = match (any.typ.as_deref(), array, string, number) {
        (Some(it @ ("string" | "integer" | "number" | "boolean" | "array")), ..) => it,
        (Some(_), ..) => return None,
        (None, true, false, false) => "array",
        (None, false, true, false) => "string",
        (None, false, false, true) => "number",
        _ => return None,
    };
    // Read again as a typed schema: `openapiv3` knows how each keyword maps.
    let mut value =
        serde_json::to_value(AnySchema { typ: Some(typ.to_owned()), ..any.clone() }).ok()?;
    if let Some(map) = value.as_object_mut() {
        map.insert("type".to_owned(), serde_json::Value::from(typ));
    }
    match serde_json::from_value::<Schema>(value).ok()?.schema_kind {
        SchemaKind::Type(ty) => Some(ty),
        _ => None,
    }
}

fn type_name(ty: &Type) -> &'static str {
    match ty {
        Type::String(_) => "string",
        Type::Number(_) => "number",
        Type::Integer(_) => "integer",
        Type::Object(_) => "object",
        Type::Array(_) => "array",
        Type::Boolean(_) => "boolean",
    }
}

/// A type whose bounds leave some value, or why not.
trait Checked: Sized {
    fn checked(self) -> Result<Self, String>;
}

impl Checked for Type {
    fn checked(self) -> Result<Type, String> {
        let (low, high, what) = match &self {
            Type::String(it) => (it.min_length, it.max_length, "`minLength` above `maxLength`"),
            Type::Array(it) => (it.min_items, it.max_items, "`minItems` above `maxItems`"),
            _ => return Ok(self),
        };
        match (low, high) {
            (Some(low), Some(high)) if low > high => Err(what.to_owned()),
            _ => Ok(self),
        }
    }
}

/// The values both enums list (all of one when the other lists none).
fn both<T: PartialEq + Clone>(a: &[T], b: &[T]) -> Result<Vec<T>, String> {
    if a.is_empty() || b.is_empty() {
        return Ok(if a.is_empty() { b.to_vec() } else { a.to_vec() });
    }
    let res: Vec<T> = a.iter().filter(|it| b.contains(it)).cloned().collect();
    if res.is_empty() { Err("two `enum`s with no value in common".to_owned()) } else { Ok(res) }
}

fn max<T: Ord>(a: Option<T>, b: Option<T>) -> Option<T> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    }
}

fn min<T: Ord>(a: Option<T>, b: Option<T>) -> Option<T> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// Of two bounds with their exclusivity, the narrower: the one further in (`inward` is
/// `Greater` for minimums), exclusive when either as far in is.
fn narrower<N: PartialOrd + Copy>(
    a: Bound<N>,
    b: Bound<N>,
    inward: std::cmp::Ordering,
) -> Bound<N> {
    match (a.0, b.0) {
        (Some(x), Some(y)) => match x.partial_cmp(&y) {
            Some(std::cmp::Ordering::Equal) => (Some(x), a.1 || b.1),
            Some(it) if it == inward => a,
            Some(_) => b,
            None => a,
        },
        (Some(_), None) => a,
        (None, Some(_)) => b,
        (None, None) => (None, false),
    }
}

/// A bound and whether it is exclusive.
type Bound<N> = (Option<N>, bool);

/// Of two ranges (`[minimum, maximum]`, each with its exclusivity), the narrower bounds; why
/// not when no value is left between them.
fn range<N: PartialOrd + Copy>(
    a: [Bound<N>; 2],
    b: [Bound<N>; 2],
) -> Result<(Bound<N>, Bound<N>), String> {
    use std::cmp::Ordering::{Greater, Less};
    let low = narrower(a[0], b[0], Greater);
    let high = narrower(a[1], b[1], Less);
    if let (Some(low_v), Some(high_v)) = (low.0, high.0) {
        if low_v > high_v || (low_v == high_v && (low.1 || high.1)) {
            return Err("a `minimum` above the `maximum`".to_owned());
        }
    }
    Ok((low, high))
}

fn narrow_integer(a: &IntegerType, b: &IntegerType) -> Result<IntegerType, String> {
    let (low, high) = range(
        [(a.minimum, a.exclusive_minimum), (a.maximum, a.exclusive_maximum)],
        [(b.minimum, b.exclusive_minimum), (b.maximum, b.exclusive_maximum)],
    )?;
    let format = match (&a.format, &b.format) {
        // The narrower: `int32` over 64 bits.
        (it @ VariantOrUnknownOrEmpty::Item(IntegerFormat::Int32), _)
        | (_, it @ VariantOrUnknownOrEmpty::Item(IntegerFormat::Int32)) => it.clone(),
        (VariantOrUnknownOrEmpty::Empty, it) | (it, _) => it.clone(),
    };
    Ok(IntegerType {
        format,
        multiple_of: same_or_either(a.multiple_of, b.multiple_of, "`multipleOf`")?,
        exclusive_minimum: low.1,
        exclusive_maximum: high.1,
        minimum: low.0,
        maximum: high.0,
        enumeration: both(&a.enumeration, &b.enumeration)?,
    })
}

fn narrow_number(a: &NumberType, b: &NumberType) -> Result<NumberType, String> {
    let (low, high) = range(
        [(a.minimum, a.exclusive_minimum), (a.maximum, a.exclusive_maximum)],
        [(b.minimum, b.exclusive_minimum), (b.maximum, b.exclusive_maximum)],
    )?;
    Ok(NumberType {
        format: match (&a.format, &b.format) {
            (VariantOrUnknownOrEmpty::Empty, it) | (it, _) => it.clone(),
        },
        multiple_of: same_or_either(a.multiple_of, b.multiple_of, "`multipleOf`")?,
        exclusive_minimum: low.1,
        exclusive_maximum: high.1,
        minimum: low.0,
        maximum: high.0,
        enumeration: both(&a.enumeration, &b.enumeration)?,
    })
}

/// The one value both state, or the one either states; two different ones are more than one
/// check holds.
fn same_or_either<T: PartialEq>(
    a: Option<T>,
    b: Option<T>,
    what: &str,
) -> Result<Option<T>, String> {
    match (a, b) {
        (Some(x), Some(y)) if x != y => {
            Err(format!("two different {what}s, which one check cannot hold"))
        }
        (x, y) => Ok(x.or(y)),
    }
}

/// A number's constraints as an integer's: bounds rounded inward; `None` when they are not
/// whole numbers an `i64` holds.
fn integer_of(n: &NumberType) -> Result<IntegerType, String> {
    let whole = |it: f64, round: fn(f64) -> f64| -> Result<i64, String> {
        let rounded = round(it);
        if rounded.is_finite() && rounded.abs() < 9.0e18 {
            #[allow(clippy::cast_possible_truncation, reason = "checked to be whole and in range")]
            Ok(rounded as i64)
        } else {
            Err("a number bound no 64-bit integer holds".to_owned())
        }
    };
    let enumeration = n
        .enumeration
        .iter()
        .filter(|it| it.is_none_or(|v| v.fract() == 0.0))
        .map(|it| it.map(|v| whole(v, f64::trunc)).transpose())
        .collect::<Result<Vec<_>, _>>()?;
    if !n.enumeration.is_empty() && enumeration.is_empty() {
        return Err("an `enum` of numbers none of which is an integer".to_owned());
    }
    Ok(IntegerType {
        format: VariantOrUnknownOrEmpty::Empty,
        multiple_of: n
            .multiple_of
            .map(|it| {
                if it.fract() == 0.0 {
                    whole(it, f64::trunc)
                } else {
                    Err("a `multipleOf` that is not whole".to_owned())
                }
            })
            .transpose()?,
        exclusive_minimum: n.exclusive_minimum && n.minimum.is_some_and(|it| it.fract() == 0.0),
        exclusive_maximum: n.exclusive_maximum && n.maximum.is_some_and(|it| it.fract() == 0.0),
        minimum: n.minimum.map(|it| whole(it, f64::ceil)).transpose()?,
        maximum: n.maximum.map(|it| whole(it, f64::floor)).transpose()?,
        enumeration,
    })
}

#[cfg(test)]
mod tests {
    use openapiv3::{IntegerType, NumberType};
    use proptest::prelude::*;

    use super::{integer_of, narrow_integer, narrow_number};

    fn bound() -> impl Strategy<Value = (Option<i64>, bool)> {
        (proptest::option::of(-5_i64..5), any::<bool>())
    }

    fn integer(low: (Option<i64>, bool), high: (Option<i64>, bool)) -> IntegerType {
        IntegerType {
            minimum: low.0,
            exclusive_minimum: low.1,
            maximum: high.0,
            exclusive_maximum: high.1,
            ..IntegerType::default()
        }
    }

    fn admits(it: &IntegerType, v: i64) -> bool {
        let above = it.minimum.is_none_or(|m| if it.exclusive_minimum { v > m } else { v >= m });
        let below = it.maximum.is_none_or(|m| if it.exclusive_maximum { v < m } else { v <= m });
        above && below
    }

    proptest! {
        /// A value matches the narrowed integer exactly when it matches both, and no range is
        /// called empty that holds a value.
        #[test]
        fn narrowed_integers_admit_what_both_admit(
            a in (bound(), bound()), b in (bound(), bound())
        ) {
            let (a, b) = (integer(a.0, a.1), integer(b.0, b.1));
            let both: Vec<i64> = (-7..7).filter(|v| admits(&a, *v) && admits(&b, *v)).collect();
            match narrow_integer(&a, &b) {
                Ok(it) => {
                    let got: Vec<i64> = (-7..7).filter(|v| admits(&it, *v)).collect();
                    prop_assert_eq!(got, both);
                }
                // Empty: only when no whole number fits (bounds of integers, so none at all).
                Err(_) => prop_assert!(both.is_empty()),
            }
        }

        /// A number's bounds as an integer's keep exactly the integers the number admits.
        #[test]
        fn number_bounds_round_inward(
            low in proptest::option::of(-50_i32..50), high in proptest::option::of(-50_i32..50),
            exclusive in any::<(bool, bool)>()
        ) {
            let n = NumberType {
                minimum: low.map(|it| f64::from(it) / 4.0),
                maximum: high.map(|it| f64::from(it) / 4.0),
                exclusive_minimum: exclusive.0,
                exclusive_maximum: exclusive.1,
                ..NumberType::default()
            };
            let admits_number = |v: f64| {
                let above = n.minimum.is_none_or(|m| if n.exclusive_minimum { v > m } else { v >= m });
                let below = n.maximum.is_none_or(|m| if n.exclusive_maximum { v < m } else { v <= m });
                above && below
            };
            let it = integer_of(&n).unwrap();
            for v in -15..15_i32 {
                prop_assert_eq!(admits(&it, i64::from(v)), admits_number(f64::from(v)), "{}", v);
            }
            // And a number narrowed by itself is itself (an exclusivity without its bound
            // means nothing, and is dropped).
            let flags = NumberType {
                exclusive_minimum: n.exclusive_minimum && n.minimum.is_some(),
                exclusive_maximum: n.exclusive_maximum && n.maximum.is_some(),
                ..n.clone()
            };
            match narrow_number(&n, &n) {
                Ok(it) => prop_assert_eq!(it, flags),
                Err(_) => prop_assert!((-60..60).all(|v| !admits_number(f64::from(v) / 4.0))),
            }
        }
    }
}
