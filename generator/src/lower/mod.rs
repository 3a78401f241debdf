//! Stage 3: the resolved spec to the IR.
//!
//! Every Rust name is decided here, through `names`, and every inline schema that needs a type
//! of its own is hoisted into a model named after its position. Unsupported constructs become
//! diagnostics; lowering carries on past them so that one run reports them all. Components are
//! lowered in the order of their names and operations in the order of their paths, and models
//! and operations are sorted by Rust name, so reordering the spec's maps changes nothing.

mod checks;
mod cycles;
mod dedupe;
mod enums;
mod examples;
mod features;

mod merge;
mod operation;
mod scalars;
mod schema;
mod security;
mod summary;
mod union;
mod xml;

use std::{
    collections::{BTreeMap, BTreeSet},
    rc::Rc,
};

use openapiv3::{OpenAPI, ReferenceOr, Schema};
use serde_json::Value;
use typed_arena::Arena;

pub use self::summary::{Counts, Options, Summary};
use crate::{
    diagnostic::{Diagnostic, Diagnostics, Kind, Severity},
    ir,
    load::Typed,
    names::RustName,
    names::{self, Scope},
    pointer::JsonPointer,
    resolve::{CheckedRefs, RefProblem, Resolver, describe_target},
};

/// The extension that overrides a generated Rust name.
const RUST_NAME: &str = "x-rust-name";

/// How deeply inline schemas may nest (properties of items of properties…) before the
/// generator stops and reports it. Real specs stay far below; the bound keeps the work and the
/// stack of any input small.
pub(crate) const MAX_NESTING: usize = 48;

/// Method names the hand-written `Client` already has.
const CLIENT_METHODS: &[&str] = &["builder", "new", "request", "base_url", "clone", "fmt"];

/// Type names the client module already uses.
const CLIENT_TYPES: &[&str] = &[
    "Client",
    "ClientBuilder",
    "Response",
    "Error",
    "DEFAULT_BASE_URL",
    "Credentials",
    "SECURITY_SCHEMES",
];

pub(crate) fn lower(
    typed: &Typed,
    refs: &CheckedRefs,
    options: Options,
    acc: &mut Diagnostics,
) -> (ir::Api, Summary) {
    let doc = &typed.doc;
    let arena = Arena::new();
    let mut ctx = Lower {
        resolver: Resolver::new(doc, refs),
        arena: &arena,
        memo_scope: None,
        acc,
        strict: options.strict,
        left_out: Vec::new(),
        leaving_out: false,
        component_names: BTreeMap::new(),
        model_scope: Scope::default(),
        example_scope: Scope::default(),
        models: Vec::new(),
        model_index: BTreeMap::new(),
        all_of_parts: BTreeMap::new(),
        inline_types: BTreeMap::new(),
        folded: BTreeMap::new(),
        scheme_names: BTreeSet::new(),
        global_security: None,
        reported_requirements: BTreeSet::new(),
        depth: 0,
    };
    ctx.name_components(doc);
    if let Some(components) = &doc.components {
        // In the order of their names, so that inline schemas whose hoisted names collide are
        // numbered the same way whatever the order of the spec's map.
        let mut sorted: Vec<_> = components.schemas.iter().collect();
        sorted.sort_by(|a, b| a.0.cmp(b.0));
        for (name, schema) in sorted {
            let ptr = JsonPointer::root().join("components").join("schemas").join(name);
            ctx.lower_component(name, schema, &ptr);
        }
    }
    let security_schemes = ctx.lower_security_schemes(doc);
    ctx.scheme_names = security_schemes.iter().map(|it| it.wire_name.clone()).collect();
    ctx.global_security = doc.security.as_ref();
    let mut operations = ctx.lower_operations(&typed.paths);
    let mut models = ctx.models;
    models.sort_by(|a, b| a.rust_name.cmp(&b.rust_name));
    cycles::break_cycles(&mut models, ctx.acc);
    resolve_unique_by(&mut models, ctx.acc);
    union::finish_unions(&mut models, ctx.acc);
    examples::check_examples(&mut models, ctx.acc);
    let xml_held = dedupe::held_by_xml(&models, &operations);
    let held_before = dedupe::dedupe(&mut models, &xml_held);
    let tags: Vec<Vec<String>> =
        operations.iter_mut().map(|it| std::mem::take(&mut it.features)).collect();
    let features = if options.features {
        features::assign(&mut models, &mut operations, &tags, &held_before)
    } else {
        Vec::new()
    };
    xml::check_xml_bodies(&models, &operations, ctx.strict, ctx.acc);
    let summary = summarise(doc, &operations, ctx.left_out.len(), ctx.acc);
    let cycle_nesting = cycles::cycle_nesting(&models);
    let uses_patterns = uses_patterns(&models);
    let api = ir::Api {
        title: doc.info.title.clone(),
        description: doc.info.description.clone(),
        version: doc.info.version.clone(),
        base_url: doc.servers.first().map(|it| it.url.clone()),
        rate_limit: doc.servers.first().and_then(|it| rate_limit(&it.extensions, acc)),
        models,
        operations,
        features,
        cycle_nesting,
        uses_patterns,
        security_schemes,
    };
    (api, summary)
}

/// Whether any model checks a `pattern`: its crate then needs the `regex` crate.
fn uses_patterns(models: &[ir::Model]) -> bool {
    models.iter().any(|model| match &model.kind {
        ir::ModelKind::Struct(it) => it
            .fields
            .iter()
            .any(|field| field.checks.iter().any(|check| matches!(check, ir::Check::Pattern(_)))),
        _ => false,
    })
}

/// The extension on the first server that states its lowest rate limit:
/// `x-rate-limit: {max: 100, intervalMs: 10000}`.
const RATE_LIMIT: &str = "x-rate-limit";

/// The first server's `x-rate-limit`; a value of another shape is reported and ignored.
fn rate_limit(
    extensions: &indexmap::IndexMap<String, serde_json::Value>,
    acc: &mut Diagnostics,
) -> Option<ir::RateLimit> {
    let value = extensions.get(RATE_LIMIT)?;
    let number =
        |key: &str| value.get(key).and_then(serde_json::Value::as_u64).filter(|it| *it > 0);
    let max = number("max").and_then(|it| u32::try_from(it).ok());
    // At most a day: a longer interval is a mistake, not a limit.
    let interval_ms = number("intervalMs").filter(|it| *it <= 86_400_000);
    match (max, interval_ms) {
        (Some(max), Some(interval_ms)) => Some(ir::RateLimit { max, interval_ms }),
        _ => {
            let ptr = JsonPointer::root().join("servers").join("0").join(RATE_LIMIT);
            acc.warning(
                Kind::Unsupported,
                ptr,
                format!(
                    "`{RATE_LIMIT}` is not `{{max, intervalMs}}` with a whole number of requests (at least 1) per a whole number of milliseconds (1 to a day)"
                ),
            )
            .set_note("it is ignored: the client starts without a rate limiter");
            None
        }
    }
}

/// Counts the operations and component schemas that were loosened: those with a
/// [`Kind::Loosened`] diagnostic at or below their place in the spec.
fn summarise(
    doc: &OpenAPI,
    operations: &[ir::Operation],
    n_left_out: usize,
    acc: &Diagnostics,
) -> Summary {
    let loosened: Vec<&JsonPointer> =
        acc.iter().filter(|it| it.kind == Kind::Loosened).map(|it| &it.pointer).collect();
    let is_loosened =
        |ptr: &JsonPointer| loosened.iter().any(|it| it.segments().starts_with(ptr.segments()));
    let mut res = Summary::default();
    for op in operations {
        let ptr = JsonPointer::parse_ref(&op.pointer).unwrap_or_default();
        count(&mut res.operations, is_loosened(&ptr));
    }
    res.operations.left_out = n_left_out;
    for name in doc.components.iter().flat_map(|it| it.schemas.keys()) {
        let ptr = JsonPointer::root().join("components").join("schemas").join(name);
        count(&mut res.schemas, is_loosened(&ptr));
    }
    res
}

fn count(counts: &mut Counts, loosened: bool) {
    if loosened {
        counts.loosened += 1;
    } else {
        counts.typed += 1;
    }
}

struct Lower<'a, 'd> {
    resolver: Resolver<'a>,
    /// Schemas the generator makes (properties merged from several `allOf` members), which
    /// live as long as the spec's own.
    arena: &'a Arena<ReferenceOr<Box<Schema>>>,
    /// While a merged schema is lowered, what tells its inline schemas from the spec's own at
    /// the same pointers in `inline_types`.
    memo_scope: Option<Rc<str>>,
    acc: &'d mut Diagnostics,
    /// Whether what cannot be typed precisely is an error ([`Options::strict`]).
    strict: bool,
    /// The operations left out of the client.
    left_out: Vec<JsonPointer>,
    /// Whether the operation being lowered is to be left out.
    leaving_out: bool,
    /// Rust names of component schemas, by component name.
    component_names: BTreeMap<String, RustName>,
    model_scope: Scope,
    /// The names of the example tests of standalone crates, one per model with an example.
    example_scope: Scope,
    models: Vec<ir::Model>,
    /// Where each model is in `models`, by Rust name.
    model_index: BTreeMap<RustName, usize>,
    /// The properties of each component schema with its `allOf` merged in, by component name,
    /// so that a schema included many times (a diamond of `allOf`s) is merged once; `None` while
    /// it is being merged, which finds `allOf`s that include themselves.
    all_of_parts: BTreeMap<&'a str, Option<Rc<merge::Parts<'a>>>>,
    /// The type of each inline schema lowered so far, by pointer.
    inline_types: BTreeMap<String, ir::TypeRef>,
    /// What each `allOf` over scalars folds to (`scalars.rs`), by the address of its schema
    /// (the spec's or the arena's, both fixed): `None` for a schema that does not fold.
    folded: BTreeMap<usize, Option<&'a Schema>>,
    /// The security schemes the client takes credentials for, by name.
    scheme_names: BTreeSet<String>,
    /// The document's `security`, which operations without their own follow.
    global_security: Option<&'a Vec<openapiv3::SecurityRequirement>>,
    /// Security requirements reported already, by pointer.
    reported_requirements: BTreeSet<String>,
    /// How many inline schemas enclose the one being lowered.
    depth: usize,
}

fn docs(summary: Option<&String>, description: Option<&String>) -> ir::Docs {
    let clean = |it: Option<&String>| it.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
    ir::Docs { summary: clean(summary), description: clean(description), notes: Vec::new() }
}

impl<'a> Lower<'a, '_> {
    /// Names every component schema first, in sorted order, so that references can be lowered
    /// in any order and disambiguation does not depend on the order of the spec's map.
    fn name_components(&mut self, doc: &'a OpenAPI) {
        let Some(components) = &doc.components else { return };
        let mut sorted: Vec<_> = components.schemas.iter().collect();
        sorted.sort_by(|a, b| a.0.cmp(b.0));
        for (name, schema) in sorted {
            let ptr = JsonPointer::root().join("components").join("schemas").join(name);
            let wanted = match schema {
                ReferenceOr::Item(it) => self.rust_name_override(
                    &it.schema_data.extensions,
                    &ptr,
                    names::checked_type_name,
                ),
                ReferenceOr::Reference { .. } => None,
            };
            let rust =
                self.claim_model_name(wanted.unwrap_or_else(|| names::type_name(name)), name, &ptr);
            self.component_names.insert(name.clone(), rust);
        }
    }

    /// The name `x-rust-name` asks for, if the extension is there. `check` is the naming rule of
    /// what it names; a name the rule would change is used as changed, with a warning.
    fn rust_name_override(
        &mut self,
        extensions: &indexmap::IndexMap<String, Value>,
        ptr: &JsonPointer,
        check: fn(&str) -> Result<String, String>,
    ) -> Option<String> {
        let value = extensions.get(RUST_NAME)?;
        let ptr = ptr.join(RUST_NAME);
        let Some(wanted) = value.as_str() else {
            self.acc
                .warning(Kind::Invalid, ptr, format!("`{RUST_NAME}` is not a string"))
                .set_note("it is ignored, and the name is made from the spec's name");
            return None;
        };
        match check(wanted) {
            Ok(it) => Some(it),
            Err(it) => {
                self.acc
                    .warning(
                        Kind::Invalid,
                        ptr,
                        format!("`{RUST_NAME}` `{wanted}` is not a valid name for this item"),
                    )
                    .set_note(format!("`{it}` is used instead"));
                Some(it)
            }
        }
    }

    pub(super) fn claim_model_name(
        &mut self,
        wanted: String,
        wire: &str,
        ptr: &JsonPointer,
    ) -> RustName {
        let fix = format!("set `{RUST_NAME}` on either schema to choose");
        claim_name(self.acc, &mut self.model_scope, &wanted, wire, "type", ptr, &fix)
    }

    /// Reports that what stands at `ptr` is generated less precisely than the spec says, or
    /// left out: a warning, or an error under `--strict`. The note says what was given up.
    fn loosen(&mut self, ptr: JsonPointer, message: impl Into<String>) -> &mut Diagnostic {
        let severity = if self.strict { Severity::Error } else { Severity::Warning };
        self.acc.push(severity, Kind::Loosened, ptr, message)
    }

    /// Reports a reference at `ptr` that could not be followed where `what` was expected; `lost`
    /// says what was not generated.
    fn report_ref(&mut self, problem: RefProblem, ptr: &JsonPointer, what: &str, lost: &str) {
        match problem {
            // Reported once, by `resolve::check_refs`, wherever it stands.
            RefProblem::Reported => {}
            RefProblem::WrongTarget { reference } => {
                let (kind, message) = match describe_target(&reference) {
                    Some(target) => (
                        Kind::Invalid,
                        format!("`$ref` `{reference}` points to {target}, where {what} belongs"),
                    ),
                    None => (
                        Kind::Unsupported,
                        format!(
                            "unsupported: `$ref` `{reference}` points into the document, not to a component"
                        ),
                    ),
                };
                self.acc.error(kind, ptr.join("$ref"), message).set_note(format!(
                    "refer to {what}, under `#/components` or wherever one stands; {lost}"
                ));
            }
            RefProblem::Loop { reference } => {
                self.acc
                    .error(
                        Kind::Invalid,
                        ptr.join("$ref"),
                        format!("`$ref` `{reference}` is part of a loop of references"),
                    )
                    .set_note(lost.to_owned());
            }
        }
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
) -> RustName {
    let (res, first) = scope.claim(wanted, wire);
    if let Some(first) = first {
        acc.warning(
            Kind::NameCollision,
            ptr.clone(),
            format!("{} and {first} both become the {what} `{wanted}`", names::quoted(wire)),
        )
        .set_note(format!("{} is generated as `{res}`; {fix}", names::quoted(wire)));
    }
    res
}

/// Gives each `x-unique-items-by` check the Rust names of the item fields it names; a check
/// whose array does not hold structs with those properties is dropped, with a warning.
fn resolve_unique_by(models: &mut [ir::Model], acc: &mut Diagnostics) {
    // The item fields of every struct, by the struct's name: wire name → Rust name.
    let structs: BTreeMap<RustName, Vec<(String, String)>> = models
        .iter()
        .filter_map(|model| match &model.kind {
            ir::ModelKind::Struct(it) => Some((
                model.rust_name.clone(),
                it.fields.iter().map(|f| (f.wire_name.clone(), f.rust_name.to_string())).collect(),
            )),
            _ => None,
        })
        .collect();
    let aliases: BTreeMap<RustName, ir::TypeRef> = models
        .iter()
        .filter_map(|model| match &model.kind {
            ir::ModelKind::Alias(ty) => Some((model.rust_name.clone(), ty.clone())),
            _ => None,
        })
        .collect();
    // A type with `Nullable` and aliases taken off (alias chains are shorter than the list of
    // aliases, unless they loop).
    let bare = |ty: &'_ ir::TypeRef| -> ir::TypeRef {
        let mut ty = ty.clone();
        let mut alias_steps = 0;
        loop {
            ty = match ty {
                ir::TypeRef::Nullable(inner) => *inner,
                ir::TypeRef::Named(name)
                    if aliases.contains_key(&name) && alias_steps <= aliases.len() =>
                {
                    alias_steps += 1;
                    aliases[&name].clone()
                }
                other => return other,
            };
        }
    };
    let item_struct = |ty: &ir::TypeRef| -> Option<&Vec<(String, String)>> {
        let ir::TypeRef::Vec(item) = bare(ty) else { return None };
        match bare(&item) {
            ir::TypeRef::Named(name) => structs.get(&name),
            _ => None,
        }
    };
    for model in models.iter_mut() {
        let ir::ModelKind::Struct(strukt) = &mut model.kind else { continue };
        for field in &mut strukt.fields {
            let fields_of_items = item_struct(&field.ty).cloned();
            field.checks.retain_mut(|check| {
                let ir::Check::UniqueBy { fields, pointer } = check else { return true };
                let missing: Vec<&str> = fields
                    .iter_mut()
                    .filter_map(|(wire, rust)| {
                        let found = fields_of_items
                            .as_ref()
                            .and_then(|it| it.iter().find(|(w, _)| w == wire));
                        match found {
                            Some((_, name)) => {
                                rust.clone_from(name);
                                None
                            }
                            None => Some(wire.as_str()),
                        }
                    })
                    .collect();
                if missing.is_empty() {
                    return true;
                }
                let what = if fields_of_items.is_none() {
                    "the array's items are not objects with properties".to_owned()
                } else {
                    let missing: Vec<String> = missing.iter().map(|it| format!("`{it}`")).collect();
                    format!("the items have no property {}", missing.join(", "))
                };
                acc.warning(
                    Kind::Unsupported,
                    JsonPointer::parse_ref(pointer).unwrap_or_else(JsonPointer::root),
                    format!("`x-unique-items-by`: {what}"),
                )
                .set_note("it is ignored: items are not checked for repeats");
                false
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::{Options, generate, ir};

    fn spec(rate_limit: &str) -> String {
        format!(
            "openapi: 3.0.3\ninfo: {{title: T, version: '1'}}\nservers:\n  - url: https://x.example\n    x-rate-limit: {rate_limit}\npaths: {{}}\n"
        )
    }

    #[test]
    fn the_first_servers_rate_limit_is_read_and_a_bad_one_reported() {
        let options = Options { strict: false, features: false };
        let good = generate(&spec("{max: 100, intervalMs: 10000}"), "t.yaml", options).unwrap();
        assert_eq!(good.api.rate_limit, Some(ir::RateLimit { max: 100, interval_ms: 10_000 }));
        assert!(good.client.contains(".starting_rate_limit(100"), "{}", good.client);
        assert!(good.warnings.is_empty());
        for bad in [
            "{max: 0, intervalMs: 10000}",
            "{max: 100}",
            "{max: -1, intervalMs: 5}",
            "{max: 5000000000, intervalMs: 5}",
            "{max: 1, intervalMs: 86400001}",
            "'100/10s'",
            "{max: '100', intervalMs: 10000}",
        ] {
            let generated = generate(&spec(bad), "t.yaml", options).unwrap();
            assert_eq!(generated.api.rate_limit, None, "{bad}");
            assert!(!generated.client.contains("starting_rate_limit"), "{bad}");
            let warning = generated.warnings.iter().next().expect(bad);
            assert_eq!(warning.pointer.to_string(), "#/servers/0/x-rate-limit", "{bad}");
        }
    }

    /// An example that leaves out a required property, even deep inside, is reported and its
    /// test ignored; one that has them all is tested.
    #[test]
    fn an_example_without_a_required_property_is_reported_and_its_test_ignored() {
        let spec = r#"
openapi: 3.0.3
info: {title: T, version: '1'}
paths: {}
components:
  schemas:
    Order:
      type: object
      required: [lines]
      properties:
        lines: {type: array, items: {$ref: '#/components/schemas/Line'}}
      example: {lines: [{sku: a}, {qty: 2}]}
    Line:
      type: object
      required: [sku]
      properties:
        sku: {type: string, nullable: true}
        qty: {type: integer}
      example: {sku: b, qty: 1}
"#;
        let options = Options { strict: true, features: false };
        let generated = generate(spec, "t.yaml", options).unwrap();
        let warning = generated.warnings.iter().next().unwrap();
        assert_eq!(
            warning.message,
            "the example leaves out `lines/1/sku`, which the schema requires"
        );
        assert_eq!(warning.pointer.to_string(), "#/components/schemas/Order/example");
        assert_eq!(generated.warnings.iter().count(), 1);
        let examples = generated.examples.unwrap();
        assert_eq!(examples.matches("#[ignore").count(), 1, "{examples}");
        assert!(examples.contains("#[ignore = \"the example leaves out `lines/1/sku`, which the schema requires\"]\nfn example_of_order"), "{examples}");
    }

    /// Members are chosen by the one value their tag allows, without `mapping`; members that
    /// a mapping names keep its tags, with no warning when their values agree with it; members
    /// that share their value go by their schema names, with a warning.
    #[test]
    fn one_value_tags_choose_members_and_shared_ones_are_reported() {
        let spec = |mapping: &str, b_tag: &str| {
            format!(
                "openapi: 3.0.3\ninfo: {{title: T, version: '1'}}\npaths: {{}}\ncomponents:\n  schemas:\n    U:\n      oneOf: [{{$ref: '#/components/schemas/A'}}, {{$ref: '#/components/schemas/B'}}]\n      discriminator: {{propertyName: t{mapping}}}\n    A: {{type: object, properties: {{t: {{type: string, enum: [a]}}}}}}\n    B: {{type: object, properties: {{t: {{type: string, enum: [{b_tag}]}}}}}}\n"
            )
        };
        let options = Options { strict: true, features: false };
        let tags = |text: &str| {
            let generated = generate(text, "t.yaml", options).unwrap();
            let union = generated.api.models.iter().find_map(|it| match &it.kind {
                ir::ModelKind::Union(union) => Some(union.clone()),
                _ => None,
            });
            let tags: Vec<Vec<String>> =
                union.unwrap().variants.iter().map(|it| it.tags.clone()).collect();
            (tags, generated.warnings.iter().count())
        };
        assert_eq!(tags(&spec("", "b")), (vec![vec!["a".to_owned()], vec!["b".to_owned()]], 0));
        let mapped = ", mapping: {a: '#/components/schemas/A', b: '#/components/schemas/B'}";
        assert_eq!(tags(&spec(mapped, "b")), (vec![vec!["a".to_owned()], vec!["b".to_owned()]], 0));
        assert_eq!(tags(&spec("", "a")), (vec![vec!["A".to_owned()], vec!["B".to_owned()]], 1));
    }

    /// The method that reads an operation's events never takes the name of an operation of
    /// the spec: it is named after them all, and a collision is reported.
    #[test]
    fn an_events_method_gives_way_to_the_specs_operations() {
        let spec = r#"
openapi: 3.0.3
info: {title: T, version: '1'}
paths:
  /a:
    get:
      operationId: tail
      responses:
        '200': {description: x, content: {text/event-stream: {schema: {type: string}}}}
  /b:
    get:
      operationId: tailEvents
      responses:
        '200': {description: x}
"#;
        let options = Options { strict: false, features: false };
        let generated = generate(spec, "t.yaml", options).unwrap();
        let names: Vec<_> = (generated.api.operations.iter())
            .map(|it| {
                (it.rust_name.to_string(), it.events.as_ref().map(|it| it.rust_name.to_string()))
            })
            .collect();
        assert_eq!(names[1].0, "tail_events", "{names:?}");
        let events = names[0].1.clone().unwrap();
        assert!(events != "tail_events" && events.starts_with("tail_events"), "{names:?}");
        let warning = generated.warnings.iter().next().unwrap();
        assert_eq!(warning.pointer.to_string(), "#/paths/~1a/get/operationId");
        assert!(generated.client.contains(&format!("pub async fn {events}(")));
    }
}
