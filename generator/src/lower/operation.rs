//! Operations to client methods: parameters, request bodies, and responses by status.

use std::collections::BTreeMap;

use openapiv3::{Parameter, ParameterSchemaOrContent, ReferenceOr, StatusCode};

use super::{CLIENT_METHODS, CLIENT_TYPES, Lower, RUST_NAME, claim_name, docs};

/// The extension that says whether an operation is safe to send again after a failure
/// (`x-retryable: true` on an idempotent `POST`, such as an upsert).
const RETRYABLE: &str = "x-retryable";
use crate::{
    diagnostic::Kind,
    ir,
    load::PathOperations,
    names::{self, RustName, Scope},
    pointer::JsonPointer,
};

/// Header parameters that OpenAPI 3.0 says to ignore: the client sets these itself.
const IGNORED_HEADERS: &[&str] = &["accept", "content-type", "authorization"];

impl<'a> Lower<'a, '_> {
    pub(super) fn lower_operations(
        &mut self,
        paths: &'a [(String, ReferenceOr<PathOperations>)],
    ) -> Vec<ir::Operation> {
        let mut method_scope = Scope::default();
        for it in CLIENT_METHODS {
            method_scope.reserve(it, "a method of the hand-written `Client`");
        }
        let mut type_scope = Scope::default();
        for it in CLIENT_TYPES {
            type_scope.reserve(it, "a name of the runtime");
        }
        // Name in a fixed order: by path, then by method.
        let mut items: Vec<_> = paths.iter().collect();
        items.sort_by(|a, b| a.0.cmp(&b.0));
        let mut res = Vec::new();
        // Where each `operationId` was first seen.
        let mut ids: BTreeMap<&str, JsonPointer> = BTreeMap::new();
        for (path, item) in items {
            let path_ptr = JsonPointer::root().join("paths").join(path);
            let item = match item {
                ReferenceOr::Item(it) => it,
                ReferenceOr::Reference { .. } => {
                    self.loosen(path_ptr.join("$ref"), "unsupported: `$ref` on a path item")
                        .set_note(format!("the operations of `{path}` are left out of the client"));
                    self.left_out.push(path_ptr);
                    continue;
                }
            };
            for (method, op) in &item.operations {
                let ptr = path_ptr.join(method);
                if let Some(id) = &op.operation_id {
                    if let Some(first) = ids.get(id.as_str()) {
                        self.acc
                            .error(
                                Kind::Invalid,
                                ptr.join("operationId"),
                                format!("`operationId` `{id}` is also the id of the operation at {first}"),
                            )
                            .set_note("operation ids must be unique; rename one (no code was generated)");
                        continue;
                    }
                    ids.insert(id, ptr.clone());
                }
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
        res.sort_by(|a, b| a.0.rust_name.cmp(&b.0.rust_name));
        // The methods that read event streams are named last: they never take a name an
        // operation of the spec would have had.
        let mut ops = Vec::with_capacity(res.len());
        for (mut op, events) in res {
            if let Some(ty) = events {
                let base = op.rust_name.trim_start_matches("r#");
                let wire = format!("{base} (events)");
                let ptr = JsonPointer::parse_ref(&op.pointer).unwrap_or_else(JsonPointer::root);
                let rust_name = claim_name(
                    self.acc,
                    &mut method_scope,
                    &format!("{base}_events"),
                    &wire,
                    "method",
                    &ptr.join("operationId"),
                    &format!("set `{RUST_NAME}` on the operation to choose"),
                );
                op.events = Some(ir::Events { rust_name, ty });
            }
            ops.push(op);
        }
        ops
    }

    #[allow(clippy::too_many_arguments, reason = "the naming scopes are shared across operations")]
    fn lower_operation(
        &mut self,
        path: &str,
        method: &str,
        op: &'a openapiv3::Operation,
        path_params: &'a [ReferenceOr<Parameter>],
        ptr: &JsonPointer,
        method_scope: &mut Scope,
        type_scope: &mut Scope,
    ) -> Option<(ir::Operation, Option<ir::TypeRef>)> {
        let n_errors_before = self.acc.error_count();
        self.leaving_out = false;
        if !op.callbacks.is_empty() {
            self.acc
                .warning(Kind::Unsupported, ptr.join("callbacks"), "unsupported: `callbacks`")
                .set_note("they describe requests the server makes, which a client does not send; they are not generated");
        }
        let wire = op
            .operation_id
            .clone()
            .unwrap_or_else(|| format!("{method} {}", path.replace(['{', '}'], "")));
        let wanted = self
            .rust_name_override(&op.extensions, ptr, names::checked_value_name)
            .unwrap_or_else(|| names::value_name(&wire));
        let fix = format!("set `{RUST_NAME}` on the operation to choose");
        let rust_name = claim_name(
            self.acc,
            method_scope,
            &wanted,
            &wire,
            "method",
            &ptr.join("operationId"),
            &fix,
        );
        let type_base = names::type_name(rust_name.trim_start_matches("r#"));

        let template = parse_template(path);
        let params = self.lower_params(op, path_params, &template, ptr, &type_base);
        // A template name without a parameter was reported by `check_path_template`.
        let segments = template
            .iter()
            .map(|segment| {
                segment
                    .iter()
                    .filter_map(|part| match part {
                        TemplatePart::Text(text) => Some(ir::PathPart::Literal((*text).to_owned())),
                        TemplatePart::Param(wire) => params
                            .iter()
                            .find(|it| {
                                it.location == ir::ParamLocation::Path && it.wire_name == *wire
                            })
                            .map(|it| ir::PathPart::Param(it.rust_name.clone())),
                    })
                    .collect()
            })
            .collect();
        let body = self.lower_body(op, ptr, &type_base, type_scope);
        let (successes, errors, events) = self.lower_responses(op, ptr, &type_base);
        let retryable = match op.extensions.get(RETRYABLE) {
            None => None,
            Some(serde_json::Value::Bool(it)) => Some(*it),
            Some(_) => {
                self.acc
                    .warning(
                        Kind::Unsupported,
                        ptr.join(RETRYABLE),
                        format!("`{RETRYABLE}` is not a boolean"),
                    )
                    .set_note(
                        "it is ignored: the operation is retried when its method is idempotent",
                    );
                None
            }
        };

        let outcome_name = (successes.len() > 1).then(|| {
            let wanted = names::nested_type_name(&type_base, "Outcome");
            self.claim_client_type(type_scope, &wanted, ptr)
        });
        let params_name =
            params.iter().any(|it| it.location != ir::ParamLocation::Path).then(|| {
                let wanted = names::nested_type_name(&type_base, "Params");
                self.claim_client_type(type_scope, &wanted, ptr)
            });
        // Error responses with different body types need an enum to hold any of them.
        let mut error_types: Vec<&ir::TypeRef> = Vec::new();
        for it in &errors {
            if !error_types.contains(&&it.ty) {
                error_types.push(&it.ty);
            }
        }
        let error_name = (error_types.len() > 1).then(|| {
            let wanted = names::nested_type_name(&type_base, "Error");
            self.claim_client_type(type_scope, &wanted, ptr)
        });
        if self.acc.error_count() > n_errors_before {
            return None;
        }
        if self.leaving_out {
            self.left_out.push(ptr.clone());
            return None;
        }
        let security = self.requirements(op.security.as_ref(), ptr);
        Some((
            ir::Operation {
                operation_id: op.operation_id.clone(),
                rust_name,
                pointer: ptr.to_string(),
                method: method.to_uppercase(),
                path: path.to_owned(),
                segments,
                docs: docs(op.summary.as_ref(), op.description.as_ref()),
                deprecated: op.deprecated,
                params,
                body,
                successes,
                errors,
                error_name,
                outcome_name,
                params_name,
                retryable,
                security,
                features: op.tags.clone(),
                // Named once every operation has its name (`lower_operations`).
                events: None,
            },
            events,
        ))
    }

    /// Reports path parameters not in the template: they are left out of the method.
    fn check_path_template(
        &mut self,
        names: &[&str],
        params: &mut Vec<(JsonPointer, &Parameter)>,
        ptr: &JsonPointer,
    ) {
        let path = ptr.segments()[1].clone();
        params.retain(|(param_ptr, param)| {
            let name = param.parameter_data_ref().name.as_str();
            let unused = matches!(param, Parameter::Path { .. }) && !names.contains(&name);
            if unused {
                self.loosen(
                    param_ptr.clone(),
                    format!("path parameter `{name}` is not in the path `{path}`"),
                )
                .set_note("it is left out of the method");
            }
            !unused
        });
    }

    /// What a parameter of type `ty` is, for writing it: a scalar, an array of scalars, an
    /// object of scalars (a struct or a map); `None` for anything else.
    fn param_shape(&self, ty: &ir::TypeRef) -> Option<ir::ParamShape> {
        self.param_shape_in(ty, false)
    }

    /// `param_shape`, where `in_union` says `ty` is a member of a union: a member that is itself
    /// a union is not followed (unions may contain themselves), so such a parameter is loosened.
    fn param_shape_in(&self, ty: &ir::TypeRef, in_union: bool) -> Option<ir::ParamShape> {
        match self.resolve_alias(ty) {
            ir::TypeRef::Vec(item) => self.is_scalar(item).then_some(ir::ParamShape::Array),
            ir::TypeRef::Map(value) => self.is_scalar(value).then_some(ir::ParamShape::Object),
            ir::TypeRef::Named(name) => {
                let model = self.model(name)?;
                match &model.kind {
                    ir::ModelKind::StringEnum(_) | ir::ModelKind::IntEnum(_) => {
                        Some(ir::ParamShape::Scalar)
                    }
                    // A union of parameter values: each is written by what it is.
                    ir::ModelKind::Union(_) if in_union => None,
                    ir::ModelKind::Union(it) => it
                        .variants
                        .iter()
                        .all(|variant| self.param_shape_in(&variant.ty, true).is_some())
                        .then_some(ir::ParamShape::Mixed),
                    ir::ModelKind::Struct(it) => {
                        let flat = it.fields.iter().all(|field| {
                            let ty = match &field.ty {
                                ir::TypeRef::Nullable(inner) => inner,
                                ty => ty,
                            };
                            self.is_scalar(ty)
                        });
                        (flat && it.additional.is_none()).then_some(ir::ParamShape::Object)
                    }
                    _ => None,
                }
            }
            other => self.is_scalar(other).then_some(ir::ParamShape::Scalar),
        }
    }

    fn is_scalar(&self, ty: &ir::TypeRef) -> bool {
        use ir::TypeRef as T;
        match self.resolve_alias(ty) {
            T::String
            | T::Bool
            | T::I32
            | T::I64
            | T::F64
            | T::DateTime
            | T::Date
            | T::Uuid
            | T::Bytes => true,
            T::Named(name) => self.model(name).is_some_and(|it| {
                matches!(it.kind, ir::ModelKind::StringEnum(_) | ir::ModelKind::IntEnum(_))
            }),
            _ => false,
        }
    }

    /// The model named `name`, among those lowered so far.
    fn model(&self, name: &str) -> Option<&ir::Model> {
        self.model_index.get(name).map(|&i| &self.models[i])
    }

    /// What a type is once the aliases it names are expanded (at the top level only).
    fn resolve_alias<'t>(&'t self, ty: &'t ir::TypeRef) -> &'t ir::TypeRef {
        let mut ty = ty;
        // Alias chains are shorter than the list of models, unless they loop (reported later).
        for _ in 0..=self.models.len() {
            let ir::TypeRef::Named(name) = ty else { break };
            let target = self.model(name).and_then(|it| match &it.kind {
                ir::ModelKind::Alias(target) => Some(target),
                _ => None,
            });
            match target {
                Some(target) => ty = target,
                None => break,
            }
        }
        ty
    }

    fn claim_client_type(
        &mut self,
        scope: &mut Scope,
        wanted: &str,
        ptr: &JsonPointer,
    ) -> RustName {
        let fix = format!("set `{RUST_NAME}` on the operation to choose");
        claim_name(self.acc, scope, wanted, wanted, "type of the client module", ptr, &fix)
    }

    fn lower_params(
        &mut self,
        op: &'a openapiv3::Operation,
        path_params: &'a [ReferenceOr<Parameter>],
        template: &[Vec<TemplatePart<'_>>],
        ptr: &JsonPointer,
        type_base: &str,
    ) -> Vec<ir::Param> {
        // Operation parameters override path-item parameters of the same name and location.
        let mut merged: Vec<(JsonPointer, &'a Parameter)> = Vec::new();
        let path_ptr = JsonPointer::root().join("paths").join(ptr.segments()[1].as_str());
        let sources = [
            (path_params, path_ptr.join("parameters")),
            (op.parameters.as_slice(), ptr.join("parameters")),
        ];
        for (list, list_ptr) in sources {
            for (idx, it) in list.iter().enumerate() {
                let param = match self.resolver.parameter(it) {
                    Ok(it) => it,
                    Err(problem) => {
                        let lost = "no method was generated";
                        self.report_ref(problem, &list_ptr.join(idx), "a parameter", lost);
                        continue;
                    }
                };
                let data = param.parameter_data_ref();
                let key = (data.name.as_str(), std::mem::discriminant(param));
                merged.retain(|(_, p)| {
                    (p.parameter_data_ref().name.as_str(), std::mem::discriminant(*p)) != key
                });
                merged.push((list_ptr.join(idx), param));
            }
        }
        // Path parameters come in the order of the template, as a reader of the path expects.
        let names: Vec<&str> = template
            .iter()
            .flatten()
            .filter_map(|part| match part {
                TemplatePart::Param(name) => Some(*name),
                TemplatePart::Text(_) => None,
            })
            .collect();
        merged.sort_by_key(|(_, it)| match it {
            Parameter::Path { parameter_data, .. } => {
                names.iter().position(|name| *name == parameter_data.name)
            }
            _ => None,
        });
        self.check_path_template(&names, &mut merged, ptr);
        let mut scope = Scope::default();
        scope.reserve("body", "the request body argument");
        scope.reserve("params", "the parameters argument");
        let mut res = Vec::new();
        // Template names no parameter declares: each gets a string parameter of its own.
        for name in &names {
            let declared = merged.iter().any(|(_, it)| {
                matches!(it, Parameter::Path { .. }) && it.parameter_data_ref().name == *name
            });
            if !declared {
                self.loosen(
                    ptr.clone(),
                    format!("path template `{{{name}}}` has no path parameter"),
                )
                .set_note("the method takes it as a `&str`");
                let (rust_name, _) = scope.claim(&names::value_name(name), name);
                res.push(ir::Param {
                    wire_name: (*name).to_owned(),
                    rust_name,
                    location: ir::ParamLocation::Path,
                    docs: ir::Docs::default(),
                    ty: ir::TypeRef::String,
                    shape: ir::ParamShape::Scalar,
                    required: true,
                    style: ir::ParamStyle::Simple,
                    explode: false,
                });
            }
        }
        for (param_ptr, param) in merged {
            let data = param.parameter_data_ref();
            let (location, style) = match param {
                Parameter::Path { style, .. } => (
                    ir::ParamLocation::Path,
                    match style {
                        openapiv3::PathStyle::Simple => ir::ParamStyle::Simple,
                        openapiv3::PathStyle::Label => ir::ParamStyle::Label,
                        openapiv3::PathStyle::Matrix => ir::ParamStyle::Matrix,
                    },
                ),
                Parameter::Header { .. } => {
                    let is_token =
                        |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c);
                    if IGNORED_HEADERS.contains(&data.name.to_ascii_lowercase().as_str()) {
                        self.acc
                            .warning(
                                Kind::Invalid,
                                param_ptr.join("name"),
                                format!("header parameter `{}` is ignored", data.name),
                            )
                            .set_note("OpenAPI 3.0 says so: the client sets `Accept`, `Content-Type` and `Authorization` itself");
                        continue;
                    }
                    if data.name.is_empty() || !data.name.chars().all(is_token) {
                        let message = format!("`{}` is not a valid header name", data.name);
                        if data.required {
                            self.loosen(param_ptr.join("name"), message)
                                .set_note("a request with it cannot be sent: the operation is left out of the client");
                            self.leaving_out = true;
                        } else {
                            self.loosen(param_ptr.join("name"), message)
                                .set_note("it is left out of the method");
                        }
                        continue;
                    }
                    (ir::ParamLocation::Header, ir::ParamStyle::Simple)
                }
                Parameter::Query { style, .. } => (
                    ir::ParamLocation::Query,
                    match style {
                        openapiv3::QueryStyle::Form => ir::ParamStyle::Form,
                        openapiv3::QueryStyle::SpaceDelimited => ir::ParamStyle::SpaceDelimited,
                        openapiv3::QueryStyle::PipeDelimited => ir::ParamStyle::PipeDelimited,
                        openapiv3::QueryStyle::DeepObject => ir::ParamStyle::DeepObject,
                    },
                ),
                Parameter::Cookie { .. } => (ir::ParamLocation::Cookie, ir::ParamStyle::Form),
            };
            // `form` explodes by default, the other styles do not.
            let explode = data.explode.unwrap_or(style == ir::ParamStyle::Form);
            let hint = names::nested_type_name(type_base, &data.name);
            let (schema, json) = match &data.format {
                ParameterSchemaOrContent::Schema(it) => (Some(it), false),
                ParameterSchemaOrContent::Content(content) => match content.iter().next() {
                    Some((media, it)) if is_json(media) => (it.schema.as_ref(), true),
                    other => {
                        let media = other.map_or("nothing", |(media, _)| media.as_str());
                        self.loosen(
                            param_ptr.join("content"),
                            format!("unsupported: parameter `{}` of type `{media}`", data.name),
                        )
                        .set_note("typed as `String`: the caller writes the value as the server expects it");
                        (None, false)
                    }
                },
            };
            let ty = match schema {
                Some(schema) => {
                    let schema_ptr = if json {
                        let media = match &data.format {
                            ParameterSchemaOrContent::Content(it) => it.keys().next().cloned(),
                            ParameterSchemaOrContent::Schema(_) => None,
                        };
                        param_ptr.join("content").join(media.unwrap_or_default()).join("schema")
                    } else {
                        param_ptr.join("schema")
                    };
                    let n_errors = self.acc.error_count();
                    let ty = self.lower_type(schema, &schema_ptr, &hint);
                    if self.acc.error_count() > n_errors {
                        // Its schema was reported: whatever it stands for is no parameter type.
                        continue;
                    }
                    ty
                }
                None if json => ir::TypeRef::Json,
                None => ir::TypeRef::String,
            };
            let ty = match ty {
                // A parameter that may be absent is an `Option` already.
                ir::TypeRef::Nullable(inner) => *inner,
                other => other,
            };
            // Whatever a query or header carries is text: a free-form object is one of text
            // values by name, and items of any type are text (when not sent as JSON).
            let is_object = schema.is_some_and(|it| self.is_object_schema(it));
            let ty = match ty {
                ir::TypeRef::Json if !json && is_object => {
                    ir::TypeRef::Map(Box::new(ir::TypeRef::String))
                }
                ir::TypeRef::Vec(item) if !json && *item == ir::TypeRef::Json => {
                    ir::TypeRef::Vec(Box::new(ir::TypeRef::String))
                }
                other => other,
            };
            let (ty, shape) = if json {
                (ty, ir::ParamShape::Json)
            } else {
                match self.param_shape(&ty) {
                    Some(shape) => (ty, shape),
                    None => {
                        self.loosen(
                            param_ptr.join("schema"),
                            format!("unsupported: parameter `{}` of this type", data.name),
                        )
                        .set_note("parameters are scalars, or arrays and objects of scalars; typed as `String`: the caller writes the value as the server expects it");
                        (ir::TypeRef::String, ir::ParamShape::Scalar)
                    }
                }
            };
            let wanted = self
                .rust_name_override(&data.extensions, &param_ptr, names::checked_value_name)
                .unwrap_or_else(|| names::value_name(&data.name));
            let fix = format!("set `{RUST_NAME}` on either parameter to choose");
            let rust_name = claim_name(
                self.acc,
                &mut scope,
                &wanted,
                &data.name,
                "parameter",
                &param_ptr,
                &fix,
            );
            res.push(ir::Param {
                wire_name: data.name.clone(),
                rust_name,
                location,
                docs: ir::Docs {
                    // What the parameter's schema says besides its type: its default, say.
                    notes: match schema {
                        Some(ReferenceOr::Item(it)) => super::schema::schema_docs(it).notes,
                        _ => Vec::new(),
                    },
                    ..docs(None, data.description.as_ref())
                },
                ty,
                shape,
                required: data.required || location == ir::ParamLocation::Path,
                style,
                explode,
            });
        }
        res
    }

    fn lower_body(
        &mut self,
        op: &'a openapiv3::Operation,
        ptr: &JsonPointer,
        type_base: &str,
        type_scope: &mut Scope,
    ) -> Option<ir::Body> {
        let body_ptr = ptr.join("requestBody");
        let body = match self.resolver.request_body(op.request_body.as_ref()?) {
            Ok(it) => it,
            Err(problem) => {
                self.report_ref(problem, &body_ptr, "a request body", "no method was generated");
                return None;
            }
        };
        if body.content.is_empty() {
            self.loosen(body_ptr.join("content"), "a request body without `content`")
                .set_note("the method sends no body");
            return None;
        }
        let several = body.content.len() > 1;
        let mut variants = Scope::default();
        let mut media = Vec::new();
        for (media_type, content) in &body.content {
            let encoding = encoding_of(media_type);
            let wanted = match encoding {
                ir::Encoding::Json => "Json",
                ir::Encoding::Form => "Form",
                ir::Encoding::Multipart => "Multipart",
                ir::Encoding::Text => "Text",
                ir::Encoding::Xml => "Xml",
                ir::Encoding::Binary => "Binary",
            };
            // Two media types of one encoding are told apart by name.
            let wanted = if body.content.keys().filter(|it| encoding_of(it) == encoding).count() > 1
            {
                names::type_name(media_type)
            } else {
                wanted.to_owned()
            };
            let (variant, _) = variants.claim(&wanted, media_type);
            let hint = if several {
                names::nested_type_name(type_base, &format!("Request {variant}"))
            } else {
                names::nested_type_name(type_base, "Request")
            };
            let schema_ptr = body_ptr.join("content").join(media_type).join("schema");
            // A number or a boolean in text is written as JSON writes it; XML whose schema is
            // a string (or none) is text the caller writes; YAML is written as JSON, which is
            // YAML too.
            let encoding = match encoding {
                _ if is_yaml(media_type) && !self.is_raw_xml(content.schema.as_ref()) => {
                    ir::Encoding::Json
                }
                ir::Encoding::Text if self.is_scalar_text(content.schema.as_ref(), &schema_ptr) => {
                    ir::Encoding::Json
                }
                ir::Encoding::Xml if self.is_raw_xml(content.schema.as_ref()) => ir::Encoding::Text,
                it => it,
            };
            let xml_root = match (encoding, &content.schema) {
                (ir::Encoding::Xml, Some(schema)) => Some(self.xml_root(schema, &hint)),
                _ => None,
            };
            let ty = match (encoding, &content.schema) {
                (ir::Encoding::Text | ir::Encoding::Binary, schema) => {
                    self.raw_body_type(encoding, schema.as_ref(), &schema_ptr, media_type)
                }
                (_, Some(schema)) => self.lower_type(schema, &schema_ptr, &hint),
                (_, None) => ir::TypeRef::Json,
            };
            media.push(ir::BodyMedia {
                media_type: media_type.clone(),
                encoding,
                ty,
                variant,
                xml_root,
            });
        }
        let enum_name = several.then(|| {
            let wanted = names::nested_type_name(type_base, "Body");
            self.claim_client_type(type_scope, &wanted, ptr)
        });
        Some(ir::Body { media, enum_name, required: body.required })
    }

    /// Whether a text body's schema is a number, an integer or a boolean (`text/plain` with
    /// `type: integer`, as counts are sent): its text is that value as JSON writes it, so it is
    /// typed and read as JSON.
    fn is_scalar_text(
        &mut self,
        schema: Option<&'a ReferenceOr<openapiv3::Schema>>,
        ptr: &JsonPointer,
    ) -> bool {
        use openapiv3::{SchemaKind, Type};
        let schema = match schema {
            Some(ReferenceOr::Item(it)) => self.fold_all_of(it, ptr),
            Some(ReferenceOr::Reference { reference }) => match self.resolver.schema(reference) {
                Ok(target) => target.schema,
                Err(_) => return false,
            },
            None => return false,
        };
        matches!(
            &schema.schema_kind,
            SchemaKind::Type(Type::Integer(_) | Type::Number(_) | Type::Boolean(_))
        )
    }

    /// Whether `schema` is `type: object` (references followed).
    fn is_object_schema(&self, schema: &'a ReferenceOr<openapiv3::Schema>) -> bool {
        use openapiv3::{SchemaKind, Type};
        let schema = match schema {
            ReferenceOr::Item(it) => it,
            ReferenceOr::Reference { reference } => match self.resolver.schema(reference) {
                Ok(target) => target.schema,
                Err(_) => return false,
            },
        };
        match &schema.schema_kind {
            SchemaKind::Type(Type::Object(_)) => true,
            SchemaKind::Any(any) => any.typ.as_deref() == Some("object"),
            _ => false,
        }
    }

    /// Whether an XML body's schema says no more than "a string" (or nothing): the body is
    /// text the caller writes or reads.
    fn is_raw_xml(&self, schema: Option<&'a ReferenceOr<openapiv3::Schema>>) -> bool {
        use openapiv3::{SchemaKind, Type};
        let schema = match schema {
            None => return true,
            Some(ReferenceOr::Item(it)) => it,
            Some(ReferenceOr::Reference { reference }) => match self.resolver.schema(reference) {
                Ok(target) => target.schema,
                Err(_) => return false,
            },
        };
        matches!(
            &schema.schema_kind,
            SchemaKind::Type(Type::String(it)) if it.enumeration.is_empty()
        ) || matches!(&schema.schema_kind, SchemaKind::Any(any) if *any == Default::default())
    }

    /// The type of a text (`String`) or binary (bytes) body. Its schema, when it says more than
    /// "a string", is not checked: that is loosening, and said.
    fn raw_body_type(
        &mut self,
        encoding: ir::Encoding,
        schema: Option<&ReferenceOr<openapiv3::Schema>>,
        schema_ptr: &JsonPointer,
        media: &str,
    ) -> ir::TypeRef {
        let (ty, what) = match encoding {
            ir::Encoding::Text => (ir::TypeRef::String, "`String`: text"),
            _ => (ir::TypeRef::Binary, "bytes"),
        };
        let schema = match schema {
            None => return ty,
            Some(ReferenceOr::Item(it)) => Some(it),
            Some(ReferenceOr::Reference { reference }) => {
                self.resolver.schema(reference).ok().map(|it| it.schema)
            }
        };
        let plain = schema.is_none_or(|it| {
            matches!(
                &it.schema_kind,
                openapiv3::SchemaKind::Type(openapiv3::Type::String(string))
                    if string.enumeration.is_empty()
            ) || matches!(&it.schema_kind, openapiv3::SchemaKind::Any(any) if *any == Default::default())
        });
        if !plain {
            self.loosen(
                schema_ptr.clone(),
                format!("a body of type `{media}` with a structured schema"),
            )
            .set_note(format!(
                "typed as {what} the caller writes or reads itself; the schema is not checked"
            ));
        }
        ty
    }

    fn lower_responses(
        &mut self,
        op: &'a openapiv3::Operation,
        ptr: &JsonPointer,
        type_base: &str,
    ) -> (Vec<ir::Success>, Vec<ir::ErrorResponse>, Option<ir::TypeRef>) {
        let responses_ptr = ptr.join("responses");
        let mut successes = Vec::new();
        let mut errors = Vec::new();
        // The type of the events of the first success that may be an event stream.
        let mut events = None;
        // The variants of the outcome and error enums (one per status, so never two alike).
        let (mut success_scope, mut error_scope) = (Scope::default(), Scope::default());
        let entries = op.responses.responses.iter().map(|(code, it)| (Some(code), it));
        for (code, response) in entries.chain(op.responses.default.iter().map(|it| (None, it))) {
            let key = code.map_or_else(|| "default".to_owned(), |it| it.to_string());
            let response_ptr = responses_ptr.join(&key);
            let response = match self.resolver.response(response) {
                Ok(it) => it,
                Err(problem) => {
                    let lost = "no method was generated";
                    self.report_ref(problem, &response_ptr, "a response", lost);
                    continue;
                }
            };
            let status = match code {
                Some(StatusCode::Code(it)) => ir::Status::Code(*it),
                Some(StatusCode::Range(it)) => ir::Status::Range(*it),
                None => ir::Status::Default,
            };
            let success = status.is_success();
            let stream = response.content.iter().find(|(media, _)| is_event_stream(media));
            if let (true, None, Some((media, content))) = (success, &events, stream) {
                let schema_ptr = response_ptr.join("content").join(media).join("schema");
                let hint = names::nested_type_name(type_base, "Event");
                events = Some(match &content.schema {
                    Some(schema) if !self.is_raw_xml(Some(schema)) => {
                        self.lower_type(schema, &schema_ptr, &hint)
                    }
                    // A string, or no schema: each event's data as text.
                    _ => ir::TypeRef::String,
                });
            }
            // JSON when the response has it, else text, else bytes; an error body is read as
            // JSON whatever it is (and kept whole when it is not).
            let body = response
                .content
                .iter()
                .min_by_key(|(media, _)| match encoding_of(media) {
                    ir::Encoding::Json => 0,
                    ir::Encoding::Xml => 1,
                    ir::Encoding::Text => 2,
                    _ => 3,
                })
                .map(|(media, content)| (media, content, encoding_of(media)))
                .filter(|(_, _, encoding)| success || *encoding == ir::Encoding::Json);
            let encoding = body.as_ref().map_or(ir::Encoding::Json, |(media, content, it)| {
                let schema_ptr = response_ptr.join("content").join(media).join("schema");
                match it {
                    // A number or a boolean in text reads as JSON reads it.
                    ir::Encoding::Text
                        if self.is_scalar_text(content.schema.as_ref(), &schema_ptr) =>
                    {
                        ir::Encoding::Json
                    }
                    ir::Encoding::Xml if self.is_raw_xml(content.schema.as_ref()) => {
                        ir::Encoding::Text
                    }
                    ir::Encoding::Json | ir::Encoding::Text | ir::Encoding::Xml => *it,
                    _ => ir::Encoding::Binary,
                }
            });
            let hint = names::nested_type_name(type_base, &format!("Response {key}"));
            let ty = body.map(|(media, content, _)| {
                let schema_ptr = response_ptr.join("content").join(media).join("schema");
                match (encoding, &content.schema) {
                    // Read whole as text here; typed event by event by the `…_events` method.
                    (ir::Encoding::Text, _) if is_event_stream(media) => ir::TypeRef::String,
                    (ir::Encoding::Text | ir::Encoding::Binary, schema) => {
                        self.raw_body_type(encoding, schema.as_ref(), &schema_ptr, media)
                    }
                    (_, Some(schema)) => self.lower_type(schema, &schema_ptr, &hint),
                    (_, None) => ir::TypeRef::Json,
                }
            });
            if success {
                successes.push(ir::Success {
                    status,
                    variant: success_scope.claim(&success_variant(status), &key).0,
                    description: Some(response.description.trim().to_owned())
                        .filter(|it| !it.is_empty()),
                    ty,
                    encoding,
                    media_type: body.as_ref().map(|(media, _, _)| (*media).clone()),
                });
            } else {
                errors.push(ir::ErrorResponse {
                    status,
                    variant: error_scope
                        .claim(
                            &match status {
                                ir::Status::Code(it) => format!("Status{it}"),
                                ir::Status::Range(it) => format!("Status{it}xx"),
                                ir::Status::Default => "Default".to_owned(),
                            },
                            &key,
                        )
                        .0,
                    // A response without a body still gets whatever JSON the server sends.
                    ty: ty.unwrap_or(ir::TypeRef::Json),
                });
            }
        }
        errors.sort_by_key(|it| it.status);
        if successes.is_empty() {
            // Nothing documented: accept any 2xx, keeping its body as JSON.
            successes.push(ir::Success {
                status: ir::Status::Range(2),
                variant: success_scope.claim("Ok", "2XX").0,
                description: None,
                ty: Some(ir::TypeRef::Json),
                encoding: ir::Encoding::Json,
                media_type: None,
            });
        }
        successes.sort_by_key(|it| it.status);
        (successes, errors, events)
    }
}

/// `application/json`, `*/*` (HubSpot's error responses) and `…+json` all carry JSON.
fn is_json(media: &str) -> bool {
    encoding_of(media) == ir::Encoding::Json
}

/// Whether `media` is `text/event-stream`: server-sent events.
fn is_event_stream(media: &str) -> bool {
    media.split(';').next().unwrap_or_default().trim().eq_ignore_ascii_case("text/event-stream")
}

/// Whether `media` is YAML (`application/yaml`, `application/x-yaml`, `text/yaml`,
/// `…+yaml`): a request body in it can be sent as JSON, which every YAML reader reads.
fn is_yaml(media: &str) -> bool {
    let essence = media.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    matches!(
        essence.as_str(),
        "application/yaml" | "application/x-yaml" | "text/yaml" | "text/x-yaml"
    ) || essence.ends_with("+yaml")
}

/// How a body of the media type `media` is written or read.
fn encoding_of(media: &str) -> ir::Encoding {
    let essence = media.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    match essence.as_str() {
        "application/json" | "text/json" | "application/x-json" | "*/*" | "application/*" => {
            ir::Encoding::Json
        }
        it if it.ends_with("+json") => ir::Encoding::Json,
        "application/x-www-form-urlencoded" => ir::Encoding::Form,
        it if it.starts_with("multipart/") => ir::Encoding::Multipart,
        "application/xml" | "text/xml" => ir::Encoding::Xml,
        it if it.ends_with("+xml") => ir::Encoding::Xml,
        it if it.starts_with("text/") => ir::Encoding::Text,
        _ => ir::Encoding::Binary,
    }
}

fn success_variant(status: ir::Status) -> String {
    let status = match status {
        ir::Status::Code(it) => it,
        ir::Status::Range(it) => return format!("Status{it}xx"),
        ir::Status::Default => return "Default".to_owned(),
    };
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

/// A piece of a path template segment.
enum TemplatePart<'p> {
    Text(&'p str),
    Param(&'p str),
}

/// `/deals/{id}/notes/{n}.json` → `[[deals], [{id}], [notes], [{n}, .json]]`. An unclosed `{`
/// is text.
fn parse_template(path: &str) -> Vec<Vec<TemplatePart<'_>>> {
    path.split('/')
        .filter(|it| !it.is_empty())
        .map(|segment| {
            let mut res = Vec::new();
            let mut rest = segment;
            while let Some((start, len)) =
                rest.find('{').and_then(|start| Some((start, rest[start..].find('}')?)))
            {
                if start > 0 {
                    res.push(TemplatePart::Text(&rest[..start]));
                }
                res.push(TemplatePart::Param(&rest[start + 1..start + len]));
                rest = &rest[start + len + 1..];
            }
            if !rest.is_empty() {
                res.push(TemplatePart::Text(rest));
            }
            res
        })
        .collect()
}
