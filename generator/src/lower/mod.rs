//! Stage 3: the resolved spec to the IR.
//!
//! Every Rust name is decided here, through `names`, and every inline schema that needs a type
//! of its own is hoisted into a model named after its position. Unsupported constructs become
//! diagnostics; lowering carries on past them so that one run reports them all. Models and
//! operations are sorted by Rust name, so reordering the spec's maps changes nothing.

mod operation;
mod schema;

use std::collections::BTreeMap;

use openapiv3::{OpenAPI, ReferenceOr};

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
    check_alias_cycles(&models, ctx.acc);
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
    ir::Docs { summary: clean(summary), description: clean(description), notes: Vec::new() }
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

    pub(super) fn claim_model_name(
        &mut self,
        wanted: String,
        wire: &str,
        ptr: &JsonPointer,
    ) -> String {
        let fix = format!("set `{RUST_NAME}` on either schema to choose");
        claim_name(self.acc, &mut self.model_scope, &wanted, wire, "type", ptr, &fix)
    }
}

/// Claims `wanted` in `scope` for the spec name `wire`. When it is taken, the name gets a number
/// and a warning at `ptr` names both holders; `fix` says how to choose instead.
fn claim_name(
    acc: &mut Diagnostics,
    scope: &mut Scope,
    wanted: &str,
    wire: &str,
    what: &str,
    ptr: &JsonPointer,
    fix: &str,
) -> String {
    let (res, first) = scope.claim(wanted, wire);
    if let Some(first) = first {
        acc.warning(
            Kind::NameCollision,
            ptr.clone(),
            format!("`{wire}` and {first} both become the {what} `{wanted}`"),
        )
        .set_note(format!("`{wire}` is generated as `{res}`; {fix}"));
    }
    res
}

/// Every model a type mentions, at any depth.
fn mentioned<'t>(ty: &'t ir::TypeRef, acc: &mut Vec<&'t str>) {
    match ty {
        ir::TypeRef::Named(name) => acc.push(name),
        ir::TypeRef::Vec(inner) | ir::TypeRef::Map(inner) | ir::TypeRef::Nullable(inner) => {
            mentioned(inner, acc)
        }
        _ => {}
    }
}

/// Reports type aliases that contain themselves: Rust has no recursive aliases, even through
/// a `Vec`, so such a schema has no Rust type.
fn check_alias_cycles(models: &[ir::Model], acc: &mut Diagnostics) {
    let aliases: BTreeMap<&str, &ir::TypeRef> = models
        .iter()
        .filter_map(|it| match &it.kind {
            ir::ModelKind::Alias(ty) => Some((it.rust_name.as_str(), ty)),
            _ => None,
        })
        .collect();
    for model in models {
        let ir::ModelKind::Alias(ty) = &model.kind else { continue };
        let mut seen = std::collections::BTreeSet::new();
        let mut stack = Vec::new();
        mentioned(ty, &mut stack);
        while let Some(name) = stack.pop() {
            if name == model.rust_name {
                let ptr = JsonPointer::parse_ref(&model.pointer).unwrap_or_default();
                acc.error(Kind::Invalid, ptr, format!("`{}` contains itself through references, arrays or maps alone", model.wire_name))
                    .set_note("a recursive schema needs an object on the way (`properties`); no code was generated");
                break;
            }
            if seen.insert(name) {
                if let Some(ty) = aliases.get(name) {
                    mentioned(ty, &mut stack);
                }
            }
        }
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

/// The types a model holds directly: its fields, its alias target, its union members. The
/// flattened map of other properties is left out, since a map is already an indirection.
fn held_types(kind: &ir::ModelKind) -> Vec<&ir::TypeRef> {
    match kind {
        ir::ModelKind::Struct(it) => it.fields.iter().map(|field| &field.ty).collect(),
        ir::ModelKind::Alias(ty) => vec![ty],
        ir::ModelKind::Union(it) => it.variants.iter().map(|variant| &variant.ty).collect(),
        ir::ModelKind::StringEnum(_) | ir::ModelKind::IntEnum(_) => Vec::new(),
    }
}

/// Boxes every struct field that holds, inline, a model from which the struct is reachable
/// inline again: without it a recursive schema would be a type of infinite size.
fn box_cycles(models: &mut [ir::Model]) {
    // Edges of "holds inline", by model name.
    let edges: BTreeMap<String, Vec<String>> = models
        .iter()
        .map(|model| {
            let targets =
                held_types(&model.kind).into_iter().filter_map(held_inline).map(str::to_owned);
            (model.rust_name.clone(), targets.collect())
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
