//! Stage 3: the resolved spec to the IR.
//!
//! Every Rust name is decided here, through `names`, and every inline schema that needs a type
//! of its own is hoisted into a model named after its position. Unsupported constructs become
//! diagnostics; lowering carries on past them so that one run reports them all. Models and
//! operations are sorted by Rust name, so reordering the spec's maps changes nothing.

use std::collections::BTreeMap;

use openapiv3::{
    AdditionalProperties, IntegerFormat, NumberFormat, OpenAPI, Parameter,
    ParameterSchemaOrContent, ReferenceOr, Schema, SchemaKind, StatusCode, StringFormat, Type,
    VariantOrUnknownOrEmpty,
};

use crate::{
    diagnostic::{Diagnostics, Kind},
    ir,
    names::{self, Scope},
    pointer::JsonPointer,
    resolve::Resolver,
};

/// The extension that overrides a generated Rust name.
const RUST_NAME: &str = "x-rust-name";

/// Method names the hand-written `Client` already has.
const CLIENT_METHODS: &[&str] = &["builder", "new", "request", "base_url", "clone", "fmt"];

/// Type names the client module already uses.
const CLIENT_TYPES: &[&str] = &["Client", "ClientBuilder", "Response", "Error", "DEFAULT_BASE_URL"];

pub(crate) fn lower(doc: &OpenAPI, acc: &mut Diagnostics) -> ir::Api {
    let mut ctx = Lower {
        resolver: Resolver::new(doc),
        acc,
        component_names: BTreeMap::new(),
        model_scope: Scope::default(),
        models: Vec::new(),
    };
    ctx.name_components(doc);
    if let Some(components) = &doc.components {
        for (name, schema) in &components.schemas {
            let ptr = JsonPointer::root().join("components").join("schemas").join(name);
            ctx.lower_component(name, schema, &ptr);
        }
    }
    let operations = ctx.lower_operations(doc);
    let mut models = ctx.models;
    models.sort_by(|a, b| a.rust_name.cmp(&b.rust_name));
    box_cycles(&mut models);
    ir::Api {
        title: doc.info.title.clone(),
        description: doc.info.description.clone(),
        version: doc.info.version.clone(),
        base_url: doc.servers.first().map(|it| it.url.clone()),
        models,
        operations,
    }
}

struct Lower<'a, 'd> {
    resolver: Resolver<'a>,
    acc: &'d mut Diagnostics,
    /// Rust names of component schemas, by component name.
    component_names: BTreeMap<String, String>,
    model_scope: Scope,
    models: Vec<ir::Model>,
}

fn rust_name_override(
    extensions: &indexmap::IndexMap<String, serde_json::Value>,
) -> Option<String> {
    extensions.get(RUST_NAME).and_then(|it| it.as_str()).map(str::to_owned)
}

fn docs(summary: Option<&String>, description: Option<&String>) -> ir::Docs {
    let clean = |it: Option<&String>| it.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
    ir::Docs { summary: clean(summary), description: clean(description) }
}

impl Lower<'_, '_> {
    /// Names every component schema first, in sorted order, so that references can be lowered
    /// in any order and disambiguation does not depend on the order of the spec's map.
    fn name_components(&mut self, doc: &OpenAPI) {
        let Some(components) = &doc.components else { return };
        let mut sorted: Vec<_> = components.schemas.iter().collect();
        sorted.sort_by(|a, b| a.0.cmp(b.0));
        for (name, schema) in sorted {
            let ptr = JsonPointer::root().join("components").join("schemas").join(name);
            let wanted = match schema {
                ReferenceOr::Item(it) => rust_name_override(&it.schema_data.extensions),
                ReferenceOr::Reference { .. } => None,
            };
            let rust =
                self.claim_model_name(wanted.unwrap_or_else(|| names::type_name(name)), name, &ptr);
            self.component_names.insert(name.clone(), rust);
        }
    }

    fn claim_model_name(&mut self, wanted: String, wire: &str, ptr: &JsonPointer) -> String {
        let (res, first) = self.model_scope.claim(&wanted, wire);
        if let Some(first) = first {
            self.acc
                .warning(
                    Kind::NameCollision,
                    ptr.clone(),
                    format!("`{wire}` and `{first}` both become the type `{wanted}`"),
                )
                .set_note(format!(
                    "`{wire}` is generated as `{res}`; set `{RUST_NAME}` on either schema to choose"
                ));
        }
        res
    }

    fn lower_component(&mut self, name: &str, schema: &ReferenceOr<Schema>, ptr: &JsonPointer) {
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
    fn lower_type(
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

    fn lower_operations(&mut self, doc: &OpenAPI) -> Vec<ir::Operation> {
        let mut method_scope = Scope::default();
        for it in CLIENT_METHODS {
            method_scope.reserve(it);
        }
        let mut type_scope = Scope::default();
        for it in CLIENT_TYPES {
            type_scope.reserve(it);
        }
        // Name in a fixed order: by path, then by method.
        let mut items: Vec<_> = doc.paths.paths.iter().collect();
        items.sort_by(|a, b| a.0.cmp(b.0));
        let mut res = Vec::new();
        for (path, item) in items {
            let path_ptr = JsonPointer::root().join("paths").join(path);
            let item = match item {
                ReferenceOr::Item(it) => it,
                ReferenceOr::Reference { .. } => {
                    self.acc
                        .error(
                            Kind::Unsupported,
                            path_ptr.join("$ref"),
                            "unsupported: `$ref` on a path item",
                        )
                        .set_note(format!("no method was generated for `{path}`"));
                    continue;
                }
            };
            for (method, op) in item.iter() {
                let ptr = path_ptr.join(method);
                if let Some(it) = self.lower_operation(
                    path,
                    method,
                    op,
                    &item.parameters,
                    &ptr,
                    &mut method_scope,
                    &mut type_scope,
                ) {
                    res.push(it);
                }
            }
        }
        res.sort_by(|a, b| a.rust_name.cmp(&b.rust_name));
        res
    }

    #[allow(clippy::too_many_arguments, reason = "the naming scopes are shared across operations")]
    fn lower_operation(
        &mut self,
        path: &str,
        method: &str,
        op: &openapiv3::Operation,
        path_params: &[ReferenceOr<Parameter>],
        ptr: &JsonPointer,
        method_scope: &mut Scope,
        type_scope: &mut Scope,
    ) -> Option<ir::Operation> {
        let n_errors_before =
            self.acc.iter().filter(|it| it.severity == crate::Severity::Error).count();
        let wire = op
            .operation_id
            .clone()
            .unwrap_or_else(|| format!("{method} {}", path.replace(['{', '}'], "")));
        let wanted = rust_name_override(&op.extensions).unwrap_or_else(|| names::value_name(&wire));
        let (rust_name, first) = method_scope.claim(&wanted, &wire);
        if let Some(first) = first {
            let what = if first.is_empty() {
                "a method of `Client`".to_owned()
            } else {
                format!("`{first}`")
            };
            self.acc
                .warning(Kind::NameCollision, ptr.join("operationId"), format!("operation `{wire}` and {what} both become the method `{wanted}`"))
                .set_note(format!("`{wire}` is generated as `{rust_name}`; set `{RUST_NAME}` on the operation to choose"));
        }
        let type_base = names::type_name(rust_name.trim_start_matches("r#"));

        let params = self.lower_params(op, path_params, ptr, &type_base);
        let body = self.lower_body(op, ptr, &type_base);
        let (successes, error) = self.lower_responses(op, ptr, &type_base);

        let outcome_name = (successes.len() > 1).then(|| {
            let wanted = names::nested_type_name(&type_base, "Outcome");
            self.claim_client_type(type_scope, &wanted, ptr)
        });
        let params_name =
            params.iter().any(|it| it.location != ir::ParamLocation::Path).then(|| {
                let wanted = names::nested_type_name(&type_base, "Params");
                self.claim_client_type(type_scope, &wanted, ptr)
            });
        let n_errors = self.acc.iter().filter(|it| it.severity == crate::Severity::Error).count();
        if n_errors > n_errors_before {
            return None;
        }
        Some(ir::Operation {
            operation_id: op.operation_id.clone(),
            rust_name,
            pointer: ptr.to_string(),
            method: method.to_uppercase(),
            path: path.to_owned(),
            docs: docs(op.summary.as_ref(), op.description.as_ref()),
            deprecated: op.deprecated,
            params,
            body,
            successes,
            error,
            outcome_name,
            params_name,
        })
    }

    /// Reports template names without a path parameter, and path parameters not in the template.
    fn check_path_template(
        &mut self,
        path: &str,
        params: &[(JsonPointer, &Parameter)],
        ptr: &JsonPointer,
    ) {
        let declared: Vec<&str> = params
            .iter()
            .filter(|(_, it)| matches!(it, Parameter::Path { .. }))
            .map(|(_, it)| it.parameter_data_ref().name.as_str())
            .collect();
        let mut rest = path;
        while let Some(start) = rest.find('{') {
            let Some(len) = rest[start..].find('}') else { break };
            let name = &rest[start + 1..start + len];
            if !declared.contains(&name) {
                self.acc
                    .error(
                        Kind::Invalid,
                        ptr.clone(),
                        format!("path template `{{{name}}}` has no path parameter"),
                    )
                    .set_note(
                        "declare it under `parameters` with `in: path`; no method was generated",
                    );
            }
            rest = &rest[start + len + 1..];
        }
        for (param_ptr, param) in params {
            let name = &param.parameter_data_ref().name;
            if matches!(param, Parameter::Path { .. }) && !path.contains(&format!("{{{name}}}")) {
                self.acc
                    .error(
                        Kind::Invalid,
                        param_ptr.clone(),
                        format!("path parameter `{name}` is not in the path `{path}`"),
                    )
                    .set_note("no method was generated");
            }
        }
    }

    /// Whether a parameter of type `ty` can be written in `location`: scalars and string enums,
    /// and in the query also arrays of those.
    fn is_param_type(&self, ty: &ir::TypeRef, location: ir::ParamLocation) -> bool {
        use ir::TypeRef as T;
        let scalar = |ty: &T| match ty {
            T::String
            | T::Bool
            | T::I32
            | T::I64
            | T::F32
            | T::F64
            | T::DateTime
            | T::Date
            | T::Uuid => true,
            T::Named(name) => self
                .models
                .iter()
                .any(|it| &it.rust_name == name && matches!(it.kind, ir::ModelKind::StringEnum(_))),
            _ => false,
        };
        match ty {
            T::Vec(item) => location == ir::ParamLocation::Query && scalar(item),
            other => scalar(other),
        }
    }

    fn claim_client_type(&mut self, scope: &mut Scope, wanted: &str, ptr: &JsonPointer) -> String {
        let (res, first) = scope.claim(wanted, wanted);
        if first.is_some() {
            self.acc
                .warning(
                    Kind::NameCollision,
                    ptr.clone(),
                    format!("the type `{wanted}` is already taken in the client module"),
                )
                .set_note(format!("generated as `{res}`"));
        }
        res
    }

    fn lower_params(
        &mut self,
        op: &openapiv3::Operation,
        path_params: &[ReferenceOr<Parameter>],
        ptr: &JsonPointer,
        type_base: &str,
    ) -> Vec<ir::Param> {
        // Operation parameters override path-item parameters of the same name and location.
        let mut merged: Vec<(JsonPointer, &Parameter)> = Vec::new();
        let path_ptr = JsonPointer::root().join("paths").join(ptr.segments()[1].as_str());
        let sources = [
            (path_params, path_ptr.join("parameters")),
            (op.parameters.as_slice(), ptr.join("parameters")),
        ];
        for (list, list_ptr) in sources {
            for (idx, it) in list.iter().enumerate() {
                let Some(param) = self.resolver.parameter(it) else { continue };
                let data = param.parameter_data_ref();
                let key = (data.name.as_str(), std::mem::discriminant(param));
                merged.retain(|(_, p)| {
                    (p.parameter_data_ref().name.as_str(), std::mem::discriminant(*p)) != key
                });
                merged.push((list_ptr.join(idx), param));
            }
        }
        // Path parameters come in the order of the template, as a reader of the path expects.
        let path = ptr.segments()[1].as_str();
        merged.sort_by_key(|(_, it)| match it {
            Parameter::Path { parameter_data, .. } => {
                path.find(&format!("{{{}}}", parameter_data.name))
            }
            _ => None,
        });
        self.check_path_template(path, &merged, ptr);
        let mut scope = Scope::default();
        scope.reserve("body");
        scope.reserve("params");
        let mut res = Vec::new();
        for (param_ptr, param) in merged {
            let data = param.parameter_data_ref();
            let (location, explode) = match param {
                Parameter::Path { .. } => (ir::ParamLocation::Path, false),
                Parameter::Header { .. } => {
                    let is_token =
                        |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c);
                    if data.name.is_empty() || !data.name.chars().all(is_token) {
                        self.acc
                            .error(
                                Kind::Invalid,
                                param_ptr.join("name"),
                                format!("`{}` is not a valid header name", data.name),
                            )
                            .set_note("no method was generated");
                        continue;
                    }
                    (ir::ParamLocation::Header, false)
                }
                Parameter::Query { style, .. } => {
                    if !matches!(style, openapiv3::QueryStyle::Form) {
                        self.acc
                            .error(Kind::Unsupported, param_ptr.join("style"), format!("unsupported: query parameter style `{style:?}`"))
                            .set_note("only `form` query parameters are supported; no method was generated");
                        continue;
                    }
                    (ir::ParamLocation::Query, data.explode.unwrap_or(true))
                }
                Parameter::Cookie { .. } => {
                    self.acc
                        .error(
                            Kind::Unsupported,
                            param_ptr.join("in"),
                            format!("unsupported: cookie parameter `{}`", data.name),
                        )
                        .set_note("no method was generated");
                    continue;
                }
            };
            let schema = match &data.format {
                ParameterSchemaOrContent::Schema(it) => it,
                ParameterSchemaOrContent::Content(_) => {
                    self.acc
                        .error(
                            Kind::Unsupported,
                            param_ptr.join("content"),
                            format!("unsupported: `content` on parameter `{}`", data.name),
                        )
                        .set_note("describe the parameter with `schema`; no method was generated");
                    continue;
                }
            };
            let hint = names::nested_type_name(type_base, &data.name);
            let ty = self.lower_type(schema, &param_ptr.join("schema"), &hint);
            let ty = match ty {
                // A parameter that may be absent is an `Option` already.
                ir::TypeRef::Nullable(inner) => *inner,
                other => other,
            };
            if !self.is_param_type(&ty, location) {
                self.acc
                    .error(Kind::Unsupported, param_ptr.join("schema"), format!("unsupported: parameter `{}` of this type in the {location:?} position", data.name).to_lowercase())
                    .set_note("parameters must be scalars, string enums, or (in the query) arrays of those; no method was generated");
                continue;
            }
            let wanted = rust_name_override(&data.extensions)
                .unwrap_or_else(|| names::value_name(&data.name));
            let (rust_name, first) = scope.claim(&wanted, &data.name);
            if let Some(first) = first {
                self.acc
                    .warning(
                        Kind::NameCollision,
                        param_ptr.clone(),
                        format!("parameters `{first}` and `{}` both become `{wanted}`", data.name),
                    )
                    .set_note(format!("`{}` is generated as `{rust_name}`", data.name));
            }
            res.push(ir::Param {
                wire_name: data.name.clone(),
                rust_name,
                location,
                docs: docs(None, data.description.as_ref()),
                ty,
                required: data.required || location == ir::ParamLocation::Path,
                explode,
            });
        }
        res
    }

    fn lower_body(
        &mut self,
        op: &openapiv3::Operation,
        ptr: &JsonPointer,
        type_base: &str,
    ) -> Option<ir::Body> {
        let body = self.resolver.request_body(op.request_body.as_ref()?)?;
        let body_ptr = ptr.join("requestBody");
        let Some((media, content)) = body.content.iter().find(|(media, _)| is_json(media)) else {
            let media: Vec<_> = body.content.keys().map(|it| format!("`{it}`")).collect();
            self.acc
                .error(
                    Kind::Unsupported,
                    body_ptr.join("content"),
                    format!("unsupported: request body of type {}", media.join(", ")),
                )
                .set_note("only JSON request bodies are supported; no method was generated");
            return None;
        };
        let ty = match &content.schema {
            Some(schema) => self.lower_type(
                schema,
                &body_ptr.join("content").join(media).join("schema"),
                &names::nested_type_name(type_base, "Request"),
            ),
            None => ir::TypeRef::Json,
        };
        Some(ir::Body { ty, required: body.required })
    }

    fn lower_responses(
        &mut self,
        op: &openapiv3::Operation,
        ptr: &JsonPointer,
        type_base: &str,
    ) -> (Vec<ir::Success>, ir::TypeRef) {
        let responses_ptr = ptr.join("responses");
        let mut successes = Vec::new();
        let mut error_types: Vec<(String, ir::TypeRef)> = Vec::new();
        let entries = op.responses.responses.iter().map(|(code, it)| (Some(code), it));
        for (code, response) in entries.chain(op.responses.default.iter().map(|it| (None, it))) {
            let key = code.map_or_else(|| "default".to_owned(), |it| it.to_string());
            let response_ptr = responses_ptr.join(&key);
            let Some(response) = self.resolver.response(response) else { continue };
            let status = match code {
                Some(StatusCode::Code(it)) => Some(*it),
                Some(StatusCode::Range(it)) => {
                    if *it == 2 {
                        self.acc
                            .error(
                                Kind::Unsupported,
                                response_ptr.clone(),
                                "unsupported: the success range `2XX`",
                            )
                            .set_note("list the success codes one by one; no method was generated");
                    }
                    None
                }
                None => None,
            };
            let body = response.content.iter().find(|(media, _)| is_json(media));
            if body.is_none() && !response.content.is_empty() && status.is_some_and(is_success) {
                let media: Vec<_> = response.content.keys().map(|it| format!("`{it}`")).collect();
                self.acc
                    .error(
                        Kind::Unsupported,
                        response_ptr.join("content"),
                        format!("unsupported: response body of type {}", media.join(", ")),
                    )
                    .set_note("only JSON response bodies are supported; no method was generated");
                continue;
            }
            let hint = names::nested_type_name(type_base, &format!("Response {key}"));
            let ty = body.map(|(media, content)| match &content.schema {
                Some(schema) => self.lower_type(
                    schema,
                    &response_ptr.join("content").join(media).join("schema"),
                    &hint,
                ),
                None => ir::TypeRef::Json,
            });
            match status {
                Some(status) if is_success(status) => successes.push(ir::Success {
                    status,
                    variant: success_variant(status),
                    description: Some(response.description.trim().to_owned())
                        .filter(|it| !it.is_empty()),
                    ty,
                }),
                _ => {
                    if let Some(ty) = ty {
                        error_types.push((key, ty));
                    }
                }
            }
        }
        if successes.is_empty() {
            // Nothing documented: accept any 2xx, keeping its body as JSON.
            successes.push(ir::Success {
                status: 200,
                variant: "Ok".to_owned(),
                description: None,
                ty: Some(ir::TypeRef::Json),
            });
        }
        successes.sort_by_key(|it| it.status);
        let error = match error_types.as_slice() {
            [] => ir::TypeRef::Json,
            [(_, ty), rest @ ..] => {
                if let Some((key, _)) = rest.iter().find(|(_, other)| other != ty) {
                    self.acc
                        .error(Kind::Unsupported, responses_ptr.join(key), "unsupported: error responses with different body schemas")
                        .set_note("every error response of an operation must share one schema for now; no method was generated");
                }
                ty.clone()
            }
        };
        (successes, error)
    }
}

/// The model a type holds inline (not behind a `Vec` or a map), if any.
fn held_inline(ty: &ir::TypeRef) -> Option<&str> {
    match ty {
        ir::TypeRef::Named(name) => Some(name),
        ir::TypeRef::Nullable(inner) => held_inline(inner),
        _ => None,
    }
}

/// Boxes every struct field that holds, inline, a model from which the struct is reachable
/// inline again: without it a recursive schema would be a type of infinite size.
fn box_cycles(models: &mut [ir::Model]) {
    // Edges of "holds inline", by model name.
    let edges: BTreeMap<String, Vec<String>> = models
        .iter()
        .map(|model| {
            let targets = match &model.kind {
                ir::ModelKind::Struct(it) => it
                    .fields
                    .iter()
                    .filter_map(|field| held_inline(&field.ty))
                    .map(str::to_owned)
                    .collect(),
                ir::ModelKind::Alias(ty) => {
                    held_inline(ty).map(str::to_owned).into_iter().collect()
                }
                ir::ModelKind::StringEnum(_) => Vec::new(),
            };
            (model.rust_name.clone(), targets)
        })
        .collect();
    let reaches = |from: &str, to: &str| {
        let mut seen = std::collections::BTreeSet::new();
        let mut stack = vec![from.to_owned()];
        while let Some(it) = stack.pop() {
            if it == to {
                return true;
            }
            if seen.insert(it.clone()) {
                stack.extend(edges.get(&it).into_iter().flatten().cloned());
            }
        }
        false
    };
    for model in models.iter_mut() {
        let ir::ModelKind::Struct(strukt) = &mut model.kind else { continue };
        for field in &mut strukt.fields {
            if let Some(target) = held_inline(&field.ty) {
                field.boxed = reaches(target, &model.rust_name);
            }
        }
    }
}

/// Whether a schema admits `null`: `nullable: true`, or `null` among its enum values.
fn is_nullable(schema: &Schema) -> bool {
    schema.schema_data.nullable
        || matches!(&schema.schema_kind, SchemaKind::Type(Type::String(it)) if it.enumeration.contains(&None))
}

fn is_success(status: u16) -> bool {
    (200..300).contains(&status)
}

/// `application/json`, `*/*` (HubSpot's error responses) and `…+json` all carry JSON.
fn is_json(media: &str) -> bool {
    let essence = media.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    essence == "application/json"
        || essence == "*/*"
        || essence == "application/*"
        || essence.ends_with("+json")
}

fn success_variant(status: u16) -> String {
    let name = match status {
        200 => "Ok",
        201 => "Created",
        202 => "Accepted",
        203 => "NonAuthoritativeInformation",
        204 => "NoContent",
        205 => "ResetContent",
        206 => "PartialContent",
        207 => "MultiStatus",
        208 => "AlreadyReported",
        226 => "ImUsed",
        other => return format!("Status{other}"),
    };
    name.to_owned()
}
