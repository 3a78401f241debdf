//! Recursive schemas made into Rust types of finite size, with strongly connected components
//! (Tarjan's algorithm), so the work is linear in the size of the API.
//!
//! - Type aliases that contain themselves (a schema that is an array of itself) become
//!   newtypes: Rust has no recursive aliases.
//! - Every place where a type holds another directly (a struct field, a union member, a
//!   newtype's field) and closes a cycle is boxed: without the box the type would be of
//!   infinite size.
//! - A cycle made only of union members and newtypes has no JSON nesting on the way: decoding a
//!   value would decode the same value again, forever. That is an error.

use std::collections::BTreeMap;

use crate::{
    diagnostic::{Diagnostics, Kind},
    ir,
    pointer::JsonPointer,
};

pub(super) fn break_cycles(models: &mut [ir::Model], acc: &mut Diagnostics) {
    let index: BTreeMap<String, usize> =
        models.iter().enumerate().map(|(idx, it)| (it.rust_name.to_string(), idx)).collect();
    recursive_aliases_to_newtypes(models, &index);

    // Where each model holds another directly: (model, site, target, whether the site holds
    // the same JSON value rather than a part of it).
    let mut sites = Vec::new();
    for (idx, model) in models.iter().enumerate() {
        for (site, ty, same_value) in held_types(&model.kind) {
            if let Some(target) = held_target(ty, models, &index) {
                sites.push((idx, site, target, same_value));
            }
        }
    }
    let mut edges = vec![Vec::new(); models.len()];
    for &(from, _, to, _) in &sites {
        edges[from].push(to);
    }
    let component = strongly_connected(&edges);
    for &(from, site, to, _) in &sites {
        if component[from] == component[to] {
            set_boxed(&mut models[from].kind, site);
        }
    }

    let mut same_value_edges = vec![Vec::new(); models.len()];
    for &(from, _, to, same_value) in &sites {
        if same_value {
            same_value_edges[from].push(to);
        }
    }
    let component = strongly_connected(&same_value_edges);
    let mut members: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (idx, it) in component.iter().enumerate() {
        members.entry(*it).or_default().push(idx);
    }
    for group in members.values() {
        let first = group[0];
        let cyclic = group.len() > 1 || same_value_edges[first].contains(&first);
        if !cyclic {
            continue;
        }
        let names: Vec<_> = group.iter().map(|it| format!("`{}`", models[*it].wire_name)).collect();
        let ptr = JsonPointer::parse_ref(&models[first].pointer).unwrap_or_default();
        acc.error(
            Kind::Invalid,
            ptr,
            format!(
                "{} {} without any nesting: through `allOf`, `oneOf`, `anyOf` or references alone",
                names.join(", "),
                if group.len() == 1 { "contains itself" } else { "contain each other" }
            ),
        )
        .set_note("a value of it would be decoded as itself forever; no code was generated");
    }
}

/// Turns every alias that mentions itself, through other aliases, arrays or maps, into a
/// newtype.
fn recursive_aliases_to_newtypes(models: &mut [ir::Model], index: &BTreeMap<String, usize>) {
    let mut edges = vec![Vec::new(); models.len()];
    for (idx, model) in models.iter().enumerate() {
        let ir::ModelKind::Alias(ty) = &model.kind else { continue };
        let mut names = Vec::new();
        mentioned(ty, &mut names);
        for name in names {
            if let Some(&target) = index.get(name) {
                if matches!(models[target].kind, ir::ModelKind::Alias(_)) {
                    edges[idx].push(target);
                }
            }
        }
    }
    let component = strongly_connected(&edges);
    let mut sizes: BTreeMap<usize, usize> = BTreeMap::new();
    for it in &component {
        *sizes.entry(*it).or_default() += 1;
    }
    for (idx, model) in models.iter_mut().enumerate() {
        let cyclic = sizes[&component[idx]] > 1 || edges[idx].contains(&idx);
        if let (true, ir::ModelKind::Alias(ty)) = (cyclic, &model.kind) {
            model.kind = ir::ModelKind::Newtype(ir::Newtype { ty: ty.clone(), boxed: false });
        }
    }
}

/// How deeply the types of the largest cycle of models nest, in all: the sum over the models
/// of one strongly connected component (by every mention, through arrays and maps too) of the
/// model itself and its deepest member with an `Option` and a `Box` around it. A path through
/// the types that stays in one cycle visits each of its models at most once, so this bounds how
/// deeply rustc follows the types of a cycle; outside cycles it follows each type once.
pub(super) fn cycle_nesting(models: &[ir::Model]) -> usize {
    fn depth(ty: &ir::TypeRef) -> usize {
        match ty {
            ir::TypeRef::Vec(it) | ir::TypeRef::Map(it) | ir::TypeRef::Nullable(it) => {
                1 + depth(it)
            }
            _ => 1,
        }
    }
    let index: BTreeMap<&str, usize> =
        models.iter().enumerate().map(|(idx, it)| (it.rust_name.as_str(), idx)).collect();
    let mut edges = vec![Vec::new(); models.len()];
    let mut weight = vec![1; models.len()];
    for (idx, model) in models.iter().enumerate() {
        let members = member_types(&model.kind);
        let mut names = Vec::new();
        for ty in &members {
            mentioned(ty, &mut names);
        }
        edges[idx] = names.iter().filter_map(|it| index.get(it).copied()).collect();
        weight[idx] += members.iter().map(|it| depth(it) + 2).max().unwrap_or(0);
    }
    let component = strongly_connected(&edges);
    let mut sums: BTreeMap<usize, (usize, usize)> = BTreeMap::new();
    for (idx, it) in component.iter().enumerate() {
        let entry = sums.entry(*it).or_default();
        entry.0 += 1;
        entry.1 += weight[idx];
    }
    sums.iter()
        .filter(|(_, (count, _))| *count > 1)
        .map(|(_, (_, sum))| *sum)
        .chain(
            // A model that mentions itself is a cycle of one.
            (0..models.len()).filter(|idx| edges[*idx].contains(idx)).map(|idx| weight[idx]),
        )
        .max()
        .unwrap_or(0)
}

/// The types a model holds, at any depth: its fields, the map of its other properties, its
/// members, what it is an alias or newtype of.
pub(super) fn member_types(kind: &ir::ModelKind) -> Vec<&ir::TypeRef> {
    match kind {
        ir::ModelKind::Struct(it) => {
            it.fields.iter().map(|it| &it.ty).chain(it.additional.iter().map(|it| &it.1)).collect()
        }
        ir::ModelKind::Union(it) => it.variants.iter().map(|it| &it.ty).collect(),
        ir::ModelKind::Alias(ty) => vec![ty],
        ir::ModelKind::Newtype(it) => vec![&it.ty],
        ir::ModelKind::StringEnum(_) | ir::ModelKind::IntEnum(_) => Vec::new(),
    }
}

/// The models each of `models` holds, at any depth, by their place in `models` (`index`: the
/// models by Rust name).
pub(super) fn held_models(models: &[ir::Model], index: &BTreeMap<&str, usize>) -> Vec<Vec<usize>> {
    models
        .iter()
        .map(|model| {
            let mut names = Vec::new();
            for ty in member_types(&model.kind) {
                mentioned(ty, &mut names);
            }
            names.iter().filter_map(|it| index.get(it).copied()).collect()
        })
        .collect()
}

/// Every model a type mentions, at any depth.
pub(super) fn mentioned<'t>(ty: &'t ir::TypeRef, acc: &mut Vec<&'t str>) {
    match ty {
        ir::TypeRef::Named(name) => acc.push(name),
        ir::TypeRef::Vec(inner) | ir::TypeRef::Map(inner) | ir::TypeRef::Nullable(inner) => {
            mentioned(inner, acc)
        }
        _ => {}
    }
}

/// The places of a model that hold a type directly: (site, type, whether the site is the same
/// JSON value as the model). The flattened map of other properties is left out, since a map is
/// already an indirection; aliases are not sites, since they are their target.
fn held_types(kind: &ir::ModelKind) -> Vec<(usize, &ir::TypeRef, bool)> {
    match kind {
        ir::ModelKind::Struct(it) => {
            it.fields.iter().enumerate().map(|(idx, field)| (idx, &field.ty, false)).collect()
        }
        ir::ModelKind::Union(it) => {
            it.variants.iter().enumerate().map(|(idx, variant)| (idx, &variant.ty, true)).collect()
        }
        ir::ModelKind::Newtype(it) => vec![(0, &it.ty, true)],
        ir::ModelKind::Alias(_) | ir::ModelKind::StringEnum(_) | ir::ModelKind::IntEnum(_) => {
            Vec::new()
        }
    }
}

fn set_boxed(kind: &mut ir::ModelKind, site: usize) {
    match kind {
        ir::ModelKind::Struct(it) => it.fields[site].boxed = true,
        ir::ModelKind::Union(it) => it.variants[site].boxed = true,
        ir::ModelKind::Newtype(it) => it.boxed = true,
        ir::ModelKind::Alias(_) | ir::ModelKind::StringEnum(_) | ir::ModelKind::IntEnum(_) => {}
    }
}

/// The model a type holds inline (not behind a `Vec` or a map), looking through aliases.
fn held_target(
    ty: &ir::TypeRef,
    models: &[ir::Model],
    index: &BTreeMap<String, usize>,
) -> Option<usize> {
    let mut ty = ty;
    // Aliases no longer form cycles (those became newtypes), so a chain is at most this long.
    for _ in 0..=models.len() {
        let name = match ty {
            ir::TypeRef::Named(name) => name,
            ir::TypeRef::Nullable(inner) => match &**inner {
                ir::TypeRef::Named(name) => name,
                _ => return None,
            },
            _ => return None,
        };
        let idx = *index.get(name.as_str())?;
        match &models[idx].kind {
            ir::ModelKind::Alias(target) => ty = target,
            _ => return Some(idx),
        }
    }
    None
}

/// The strongly connected component of each node of a graph given by its edges, numbered in
/// the order Tarjan's algorithm closes them. Iterative, so deep graphs cannot overflow the
/// stack.
pub(super) fn strongly_connected(edges: &[Vec<usize>]) -> Vec<usize> {
    const UNSEEN: usize = usize::MAX;
    let n = edges.len();
    let mut order = vec![UNSEEN; n];
    let mut low = vec![0; n];
    let mut on_stack = vec![false; n];
    let mut component = vec![UNSEEN; n];
    let mut stack = Vec::new();
    let mut next_order = 0;
    let mut next_component = 0;
    for root in 0..n {
        if order[root] != UNSEEN {
            continue;
        }
        // Frames of the depth-first search: a node and how many of its edges are done.
        let mut frames = vec![(root, 0)];
        order[root] = next_order;
        low[root] = next_order;
        next_order += 1;
        stack.push(root);
        on_stack[root] = true;
        while let Some(&mut (node, ref mut edge_idx)) = frames.last_mut() {
            if let Some(&next) = edges[node].get(*edge_idx) {
                *edge_idx += 1;
                if order[next] == UNSEEN {
                    order[next] = next_order;
                    low[next] = next_order;
                    next_order += 1;
                    stack.push(next);
                    on_stack[next] = true;
                    frames.push((next, 0));
                } else if on_stack[next] {
                    low[node] = low[node].min(order[next]);
                }
                continue;
            }
            frames.pop();
            if let Some(&(parent, _)) = frames.last() {
                low[parent] = low[parent].min(low[node]);
            }
            if low[node] == order[node] {
                while let Some(member) = stack.pop() {
                    on_stack[member] = false;
                    component[member] = next_component;
                    if member == node {
                        break;
                    }
                }
                next_component += 1;
            }
        }
    }
    component
}

#[cfg(test)]
mod tests {
    use super::strongly_connected;

    #[test]
    fn finds_components() {
        // 0 → 1 → 2 → 0, 2 → 3, 3 → 3, 4 alone.
        let edges = vec![vec![1], vec![2], vec![0, 3], vec![3], vec![]];
        let it = strongly_connected(&edges);
        assert_eq!(it[0], it[1]);
        assert_eq!(it[1], it[2]);
        assert_ne!(it[2], it[3]);
        assert_ne!(it[3], it[4]);
    }

    #[test]
    fn deep_chains_do_not_overflow() {
        let n = 200_000;
        let mut edges: Vec<Vec<usize>> = (0..n).map(|it| vec![it + 1]).collect();
        edges[n - 1] = vec![0];
        let it = strongly_connected(&edges);
        assert!(it.iter().all(|c| *c == it[0]));
    }
}
