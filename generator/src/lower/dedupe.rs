//! One type per distinct shape: models that would become the same Rust type (the same fields
//! with the same names, types, checks and documentation; the same variants; the same members)
//! are emitted once, and every other name of the shape becomes a type alias of it. Names stay,
//! each in the cargo features it was in (what a merged model held is still reached through it),
//! so code that names either type compiles as before and every value decodes and encodes as
//! before; what goes is the second copy of the derives, constructors and `impl`s, which is most
//! of what rustc spends on a crate (GitHub's spec repeats the same enums and users in hundreds
//! of webhook payloads).
//!
//! Shapes are compared bottom-up, in the order of the strongly connected components of the
//! models (each model after those it mentions), so a shape's key names the classes of the types
//! it holds, not their names: two structs whose fields are two equal enums of different names
//! are equal too. Linear in the size of the API. Models on a cycle keep their own type (each is
//! its own class), and so do structs that XML bodies hold, whose element names come from their
//! own schema.

use std::{
    collections::{BTreeMap, BTreeSet},
    fmt::Write as _,
};

use super::cycles::{held_models, member_types, mentioned, strongly_connected};
use crate::ir;

/// Makes every model whose shape an earlier one has into an alias of it (`keep` names the
/// models that must keep their own type). Returns, for each model that became an alias, the
/// models its own type held: they keep the features they had (`features::assign`), so that
/// every name stays where it was.
pub(super) fn dedupe(
    models: &mut [ir::Model],
    keep: &BTreeSet<String>,
) -> BTreeMap<String, Vec<String>> {
    let index: BTreeMap<&str, usize> =
        models.iter().enumerate().map(|(idx, it)| (it.rust_name.as_str(), idx)).collect();
    let edges = held_models(models, &index);
    let component = strongly_connected(&edges);
    let mut sizes: BTreeMap<usize, usize> = BTreeMap::new();
    for it in &component {
        *sizes.entry(*it).or_default() += 1;
    }
    // Tarjan's algorithm closes a component after every component it reaches: in that order,
    // each model comes after the models it mentions.
    let mut order: Vec<usize> = (0..models.len()).collect();
    order.sort_by_key(|idx| component[*idx]);

    // The class of each model, as the id of the key of its type (interned): a model that is not
    // merged is its own class, an alias is the class of what it names.
    let mut interned: BTreeMap<String, usize> = BTreeMap::new();
    let mut class = vec![usize::MAX; models.len()];
    // For each class of mergeable models, its members.
    let mut members: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for idx in order {
        let model = &models[idx];
        let cyclic = sizes[&component[idx]] > 1 || edges[idx].contains(&idx);
        let lookup = |name: &str| index.get(name).map(|it| class[*it]);
        let key = match &model.kind {
            _ if cyclic || keep.contains(model.rust_name.as_str()) => format!("own {idx}"),
            ir::ModelKind::Alias(ty) => {
                // An alias is its target; it is not merged, it is looked through.
                class[idx] = match ty {
                    ir::TypeRef::Named(name) => match lookup(name) {
                        Some(id) => id,
                        None => intern(&mut interned, type_key(ty, &lookup)),
                    },
                    _ => intern(&mut interned, type_key(ty, &lookup)),
                };
                continue;
            }
            kind => shape_key(kind, &lookup),
        };
        // Shapes and uses of types are keyed apart: `=` starts no key of a use.
        let id = intern(&mut interned, format!("={key}"));
        class[idx] = id;
        members.entry(id).or_default().push(idx);
    }

    let mut held_before = BTreeMap::new();
    for group in members.values().filter(|it| it.len() > 1) {
        let Some(&first) = group.iter().min_by_key(|idx| preference(&models[**idx])) else {
            continue;
        };
        let target = models[first].rust_name.clone();
        for &idx in group.iter().filter(|it| **it != first) {
            let model = &mut models[idx];
            let mut held = Vec::new();
            for ty in member_types(&model.kind) {
                mentioned(ty, &mut held);
            }
            let held = held.into_iter().map(str::to_owned).collect();
            held_before.insert(model.rust_name.to_string(), held);
            model.kind = ir::ModelKind::Alias(ir::TypeRef::Named(target.clone()));
            model.docs.notes.push(format!("Another name of `{target}`, whose shape it has."));
        }
    }
    held_before
}

/// Which member of a class gives the type its name: a component schema before an inline one,
/// then the shortest name, then the first in order.
fn preference(model: &ir::Model) -> (bool, usize, &str) {
    let component = model.pointer.starts_with("#/components/schemas/")
        && model.pointer.matches('/').count() == 3;
    (!component, model.rust_name.len(), model.rust_name.as_str())
}

fn intern(interned: &mut BTreeMap<String, usize>, key: String) -> usize {
    let next = interned.len();
    *interned.entry(key).or_insert(next)
}

/// The key of a use of a type, with models by their class.
fn type_key(ty: &ir::TypeRef, class: &impl Fn(&str) -> Option<usize>) -> String {
    let mut out = String::new();
    write_type(&mut out, ty, class);
    out
}

fn write_type(out: &mut String, ty: &ir::TypeRef, class: &impl Fn(&str) -> Option<usize>) {
    match ty {
        ir::TypeRef::Named(name) => match class(name) {
            Some(id) => _ = write!(out, "@{id}"),
            // Not a model of this API: compared by name.
            None => _ = write!(out, "!{name}"),
        },
        ir::TypeRef::Vec(inner) => {
            out.push_str("V(");
            write_type(out, inner, class);
            out.push(')');
        }
        ir::TypeRef::Map(inner) => {
            out.push_str("M(");
            write_type(out, inner, class);
            out.push(')');
        }
        ir::TypeRef::Nullable(inner) => {
            out.push_str("N(");
            write_type(out, inner, class);
            out.push(')');
        }
        scalar => _ = write!(out, "{scalar:?}"),
    }
}

/// The key of a model's shape: everything its Rust type is made of (its fields' and members'
/// documentation included, so that nothing the spec says of one is lost in the other), but not
/// its own name, documentation, place or example, which stay with each name.
fn shape_key(kind: &ir::ModelKind, class: &impl Fn(&str) -> Option<usize>) -> String {
    let mut out = String::new();
    match kind {
        ir::ModelKind::Struct(strukt) => {
            out.push_str("struct");
            for field in &strukt.fields {
                let ir::Field {
                    wire_name,
                    rust_name,
                    docs,
                    ty,
                    required,
                    boxed,
                    checks,
                    setter,
                    max_items_const,
                    xml,
                } = field;
                let _ = write!(
                    out,
                    "|{wire_name:?} {rust_name:?} {docs:?} {required} {boxed} {setter:?} \
                     {max_items_const:?} {xml:?} "
                );
                write_type(&mut out, ty, class);
                for check in checks {
                    match check {
                        // Its place is only for diagnostics, which are given by now.
                        ir::Check::UniqueBy { fields, pointer: _ } => {
                            _ = write!(out, " unique {fields:?}")
                        }
                        other => _ = write!(out, " {other:?}"),
                    }
                }
            }
            if let Some((name, ty)) = &strukt.additional {
                let _ = write!(out, "|+{name:?} ");
                write_type(&mut out, ty, class);
            }
        }
        ir::ModelKind::StringEnum(variants) => _ = write!(out, "strings {variants:?}"),
        ir::ModelKind::IntEnum(variants) => _ = write!(out, "ints {variants:?}"),
        ir::ModelKind::Union(union) => {
            let _ = write!(out, "union {:?}", union.discriminator);
            for variant in &union.variants {
                let ir::UnionVariant { rust_name, pointer: _, ty, tags, boxed, kind, catch_all } =
                    variant;
                let _ = write!(out, "|{rust_name:?} {tags:?} {boxed} {kind:?} {catch_all} ");
                write_type(&mut out, ty, class);
            }
        }
        ir::ModelKind::Newtype(newtype) => {
            let _ = write!(out, "newtype {} ", newtype.boxed);
            write_type(&mut out, &newtype.ty, class);
        }
        ir::ModelKind::Alias(ty) => {
            out.push_str("alias ");
            write_type(&mut out, ty, class);
        }
    }
    out
}

/// The models XML bodies hold, at any depth: their element names come from their own schema,
/// so they keep their own type.
pub(super) fn held_by_xml(models: &[ir::Model], operations: &[ir::Operation]) -> BTreeSet<String> {
    let index: BTreeMap<&str, &ir::Model> =
        models.iter().map(|it| (it.rust_name.as_str(), it)).collect();
    let mut queue: Vec<&str> = Vec::new();
    for op in operations {
        let bodies = op.body.iter().flat_map(|it| &it.media);
        let bodies = bodies.filter(|it| it.encoding == ir::Encoding::Xml).map(|it| &it.ty);
        let successes = op.successes.iter().filter(|it| it.encoding == ir::Encoding::Xml);
        for ty in bodies.chain(successes.filter_map(|it| it.ty.as_ref())) {
            mentioned(ty, &mut queue);
        }
    }
    let mut held = BTreeSet::new();
    while let Some(name) = queue.pop() {
        let Some(model) = index.get(name) else { continue };
        if held.insert(name.to_owned()) {
            for ty in member_types(&model.kind) {
                mentioned(ty, &mut queue);
            }
        }
    }
    held
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use crate::{Options, generate, ir};

    /// Each model that became an alias of another, and of which.
    fn aliases(spec: &str) -> BTreeMap<String, String> {
        let generated = generate(spec, "t.yaml", Options { strict: true, features: false })
            .unwrap_or_else(|err| panic!("{err:?}"));
        generated
            .api
            .models
            .iter()
            .filter_map(|model| match &model.kind {
                ir::ModelKind::Alias(ir::TypeRef::Named(target))
                    if model.docs.notes.iter().any(|it| it.starts_with("Another name of")) =>
                {
                    Some((model.rust_name.to_string(), target.to_string()))
                }
                _ => None,
            })
            .collect()
    }

    #[test]
    fn one_type_per_shape_and_only_what_is_the_same_merges() {
        let merged = aliases(include_str!("../../../tests/fixtures/ok/same-shapes.yaml"));
        let expected: BTreeMap<String, String> = [
            ("IssueAuthor", "Owner"),
            ("IssueAuthorType", "OwnerType"),
            ("Label", "Tag"),
            ("PullRequest", "Issue"),
            ("PullRequestAuthor", "Owner"),
            ("PullRequestAuthorType", "OwnerType"),
            ("PullRequestState", "IssueState"),
            ("UploadAvatarRequest", "UploadLogoRequest"),
        ]
        .into_iter()
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
        .collect();
        // Not merged: `PullInput` (a field's description differs), `Reordered` (the order of
        // its fields), `Link` and `Node` (each on a cycle of its own).
        assert_eq!(merged, expected);
    }

    #[test]
    fn what_xml_bodies_hold_and_cycles_keep_their_types() {
        let spec = r#"
openapi: 3.0.3
info: {title: T, version: '1'}
paths:
  /a:
    post:
      requestBody:
        content:
          application/xml:
            schema: {$ref: '#/components/schemas/Pet'}
      responses:
        '204': {description: done}
components:
  schemas:
    Pet: {type: object, properties: {name: {type: string}}}
    Animal: {type: object, properties: {name: {type: string}}}
    Beast: {type: object, properties: {name: {type: string}}}
    A: {type: object, properties: {b: {$ref: '#/components/schemas/B'}}}
    B: {type: object, properties: {a: {$ref: '#/components/schemas/A'}}}
    C: {type: object, properties: {d: {$ref: '#/components/schemas/D'}}}
    D: {type: object, properties: {c: {$ref: '#/components/schemas/C'}}}
    HoldsA: {type: object, properties: {x: {$ref: '#/components/schemas/A'}}}
    HoldsAToo: {type: object, properties: {x: {$ref: '#/components/schemas/A'}}}
    HoldsC: {type: object, properties: {x: {$ref: '#/components/schemas/C'}}}
"#;
        let merged = aliases(spec);
        // `Pet`, which an XML body holds, keeps its type; so do the cycles `A`/`B` and `C`/`D`
        // and what holds them apart; what holds the same one merges.
        let expected: BTreeMap<String, String> = [
            ("Animal".to_owned(), "Beast".to_owned()),
            ("HoldsAToo".to_owned(), "HoldsA".to_owned()),
        ]
        .into_iter()
        .collect();
        assert_eq!(merged, expected);
    }
}
