//! Schemas to models and types: structs (with `allOf` merged), enums, unions (`oneOf`,
//! `anyOf`), aliases, and the type of every use of a schema.

use std::{borrow::Borrow, rc::Rc};

use indexmap::{IndexMap, IndexSet};
use openapiv3::{
    AdditionalProperties, IntegerFormat, ReferenceOr, Schema, SchemaKind, StringFormat, Type,
    VariantOrUnknownOrEmpty,
};
use serde_json::Value;

use super::{Lower, MAX_NESTING, RUST_NAME, claim_name, docs};
use crate::{
    diagnostic::Kind,
    ir, markdown,
    names::{self, Scope},
    pointer::JsonPointer,
};

/// The extension that names integer enum variants, as other generators read it.
const ENUM_VARNAMES: &str = "x-enum-varnames";

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
#[derive(Clone, Default)]
pub(super) struct Parts<'a> {
    properties: IndexMap<&'a str, Declared<'a, ReferenceOr<Box<Schema>>>>,
    required: IndexSet<&'a str>,
    additional: Option<Declared<'a, AdditionalProperties>>,
}

/// A part of an object as one schema declares it.
struct Declared<'a, T> {
    /// Where (for a merged property, the later declaration).
    ptr: JsonPointer,
    item: &'a T,
    /// The Rust name of the type whose schema declares it: inline schemas inside it are named
    /// after it, wherever they are merged into.
    owner: Rc<str>,
    /// For a property merged from several declarations: what tells its inline schemas from
    /// the declarations' own.
    merged: Option<Rc<str>>,
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
                    schema_docs(it),
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
                ReferenceOr::Item(it) => self.checks(it, prop_ptr),
                ReferenceOr::Reference { .. } => Vec::new(),
            };
            let required = parts.required.contains(wire);
            let setter = if required {
                String::new()
            } else {
                let bare = field_name.trim_start_matches("r#").trim_start_matches('_');
                methods.claim(&format!("with_{bare}"), wire).0
            };
            let max_items_const = checks
                .iter()
                .any(|it| matches!(it, ir::Check::Items { max: Some(_), .. }))
                .then(|| {
                    // Field names are unique snake_case: their upper case is too (`_1` stays
                    // `_1`, which keeps a leading digit from starting the name).
                    let bare = field_name.trim_start_matches("r#");
                    format!("{}_MAX_ITEMS", bare.to_ascii_uppercase())
                });
            fields.push(ir::Field {
                wire_name: (*wire).to_owned(),
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

    /// The constraints of a property's own schema that are checked before sending.
    fn checks(&mut self, schema: &Schema, ptr: &JsonPointer) -> Vec<ir::Check> {
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

    /// Enters one more level of nested schemas; past [`MAX_NESTING`], reports it at `ptr` and
    /// returns `false`, and the caller goes no deeper.
    fn enter(&mut self, ptr: &JsonPointer) -> bool {
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

    fn leave(&mut self) {
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
                if is_nullable(target.schema) {
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

/// The extension that names the properties whose values may not repeat across an array's items.
const UNIQUE_BY: &str = "x-unique-items-by";

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
