//! `impl Validate` for the models whose values have constraints to check before sending:
//! structs with checked fields, and every type that holds one. Models without any get none, so
//! a spec without constraints costs nothing.

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::TokenStream;
use quote::quote;

use super::ident;
use crate::ir;

/// Which models get an `impl Validate`.
pub(super) struct Validated<'a> {
    /// Their Rust names.
    names: BTreeSet<&'a str>,
    /// Every alias, by name, to look through.
    aliases: BTreeMap<&'a str, &'a ir::TypeRef>,
}

impl<'a> Validated<'a> {
    /// The models of `api` that need an `impl Validate`: structs with checked fields, and every
    /// model that holds one.
    pub(super) fn new(api: &'a ir::Api) -> Validated<'a> {
        let aliases = api
            .models
            .iter()
            .filter_map(|it| match &it.kind {
                ir::ModelKind::Alias(ty) => Some((it.rust_name.as_str(), ty)),
                _ => None,
            })
            .collect();
        // Who holds whom: for each model, the models with a field (or a variant, or a newtype)
        // of its type, aliases looked through. Then the models with checks of their own, and
        // from them upwards every model that holds one: each model and each use visited once.
        let mut holders: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        let mut queue = Vec::new();
        for model in &api.models {
            let mut held: Vec<&ir::TypeRef> = Vec::new();
            match &model.kind {
                ir::ModelKind::Struct(it) => {
                    if it.fields.iter().any(has_checks) {
                        queue.push(model.rust_name.as_str());
                    }
                    held.extend(it.fields.iter().map(|field| &field.ty));
                    held.extend(it.additional.as_ref().map(|(_, ty)| ty));
                }
                ir::ModelKind::Union(it) => held.extend(it.variants.iter().map(|it| &it.ty)),
                ir::ModelKind::Newtype(it) => held.push(&it.ty),
                ir::ModelKind::StringEnum(_)
                | ir::ModelKind::IntEnum(_)
                | ir::ModelKind::Alias(_) => {}
            }
            for ty in held {
                if let Some(name) = named_in(ty, &aliases) {
                    holders.entry(name).or_default().push(&model.rust_name);
                }
            }
        }
        let mut names = BTreeSet::new();
        while let Some(name) = queue.pop() {
            if names.insert(name) {
                queue.extend(holders.get(name).into_iter().flatten().copied());
            }
        }
        Validated { names, aliases }
    }

    /// Whether `model` gets an `impl Validate`.
    pub(super) fn contains(&self, model: &ir::Model) -> bool {
        self.names.contains(model.rust_name.as_str())
    }

    /// Whether a value of `ty` holds a model that gets an `impl Validate`.
    pub(super) fn holds(&self, ty: &ir::TypeRef) -> bool {
        named_in(ty, &self.aliases).is_some_and(|name| self.names.contains(name))
    }
}

/// The model a value of `ty` holds, if any: through arrays, maps, `null` and aliases (alias
/// chains are shorter than the list of aliases, unless they loop).
fn named_in<'a>(
    ty: &'a ir::TypeRef,
    aliases: &BTreeMap<&'a str, &'a ir::TypeRef>,
) -> Option<&'a str> {
    let mut ty = ty;
    let mut alias_steps = 0;
    loop {
        match ty {
            ir::TypeRef::Vec(inner) | ir::TypeRef::Map(inner) | ir::TypeRef::Nullable(inner) => {
                ty = inner;
            }
            ir::TypeRef::Named(name) => match aliases.get(name.as_str()) {
                Some(_) if alias_steps > aliases.len() => return None,
                Some(target) => {
                    alias_steps += 1;
                    ty = target;
                }
                None => return Some(name),
            },
            _ => return None,
        }
    }
}

/// The `impl Validate` of `model`, which `validated_models` chose.
pub(super) fn emit_validate(validated: &Validated<'_>, model: &ir::Model) -> TokenStream {
    let name = ident(&model.rust_name);
    let body = match &model.kind {
        ir::ModelKind::Struct(it) => {
            let fields = it.fields.iter().map(|field| validate_field(validated, field));
            let additional = it.additional.as_ref().filter(|(_, ty)| validated.holds(ty)).map(
                |(field, _)| {
                    let field = ident(field);
                    quote!(crate::runtime::validate::Validate::validate_into(&self.#field, path, out);)
                },
            );
            quote!(#(#fields)* #additional)
        }
        ir::ModelKind::Union(it) => {
            let arms = it.variants.iter().map(|variant| {
                let name = ident(&variant.rust_name);
                if validated.holds(&variant.ty) {
                    quote!(Self::#name(value) => crate::runtime::validate::Validate::validate_into(value, path, out),)
                } else {
                    quote!(Self::#name(_) => {})
                }
            });
            quote! {
                match self {
                    #(#arms)*
                    Self::Unknown(_) => {}
                }
            }
        }
        ir::ModelKind::Newtype(_) => {
            quote!(crate::runtime::validate::Validate::validate_into(&self.0, path, out);)
        }
        _ => quote!(),
    };
    quote! {
        impl crate::runtime::validate::Validate for #name {
            fn validate_into(&self, path: &str, out: &mut Vec<crate::runtime::validate::Violation>) {
                #body
            }
        }
    }
}

/// Whether `field` has a check that its type takes (not a `maxLength` on a timestamp, say):
/// a struct whose fields have none needs no `impl Validate` of its own, whose body would be
/// empty, and its arguments unused.
fn has_checks(field: &ir::Field) -> bool {
    let inner = match &field.ty {
        ir::TypeRef::Nullable(inner) => inner,
        ty => ty,
    };
    field.checks.iter().any(|it| check(it, inner).is_some())
}

/// The checks of one field, and the validation of what it holds.
fn validate_field(validated: &Validated<'_>, field: &ir::Field) -> TokenStream {
    let (nullable, inner) = match &field.ty {
        ir::TypeRef::Nullable(inner) => (true, &**inner),
        ty => (false, ty),
    };
    let checks: Vec<TokenStream> = field.checks.iter().filter_map(|it| check(it, inner)).collect();
    let recurse = validated
        .holds(inner)
        .then(|| quote!(crate::runtime::validate::Validate::validate_into(value, path, out);));
    if checks.is_empty() && recurse.is_none() {
        return quote!();
    }
    let name = ident(&field.rust_name);
    let wire = &field.wire_name;
    let body = quote! {
        let path = &crate::runtime::validate::field(path, #wire);
        #(#checks)*
        #recurse
    };
    match (field.required, nullable) {
        (true, false) => quote!({ let value = &self.#name; #body }),
        (true, true) | (false, false) => quote!(if let Some(value) = &self.#name { #body }),
        (false, true) => quote!(if let Some(Some(value)) = &self.#name { #body }),
    }
}

fn bound<T: quote::ToTokens>(it: Option<T>) -> TokenStream {
    match it {
        Some(it) => quote!(Some(#it)),
        None => quote!(None),
    }
}

/// A check of `value`, of type `ty`; none when the type is not the one the check is for (a
/// `maxLength` on a `date-time` string, say, which is typed as a timestamp).
fn check(check: &ir::Check, ty: &ir::TypeRef) -> Option<TokenStream> {
    let v = quote!(crate::runtime::validate);
    Some(match (check, ty) {
        (ir::Check::Items { min, max }, ir::TypeRef::Vec(_)) => {
            let (min, max) = (bound(*min), bound(*max));
            quote!(#v::items(path, out, value.len(), #min, #max);)
        }
        (ir::Check::Length { min, max }, ir::TypeRef::String) => {
            let (min, max) = (bound(*min), bound(*max));
            quote!(#v::length(path, out, value, #min, #max);)
        }
        (ir::Check::Range { min, max }, ir::TypeRef::I32 | ir::TypeRef::I64 | ir::TypeRef::F64) => {
            let limit = |it: &Option<(f64, bool)>| match it {
                Some((value, exclusive)) if value.is_finite() => {
                    let value = proc_macro2::Literal::f64_suffixed(*value);
                    quote!(Some((#value, #exclusive)))
                }
                _ => quote!(None),
            };
            let (min, max) = (limit(min), limit(max));
            let value = match ty {
                ir::TypeRef::I32 => quote!(f64::from(*value)),
                ir::TypeRef::I64 => quote!(*value as f64),
                _ => quote!(*value),
            };
            quote!(#v::range(path, out, #value, #min, #max);)
        }
        (ir::Check::Pattern(pattern), ir::TypeRef::String) => {
            // Compiled once; a pattern the `regex` crate refuses at run time (past its size
            // limit, say) is not checked rather than a panic.
            quote! {
                {
                    static PATTERN: ::std::sync::LazyLock<Option<::regex::Regex>> =
                        ::std::sync::LazyLock::new(|| ::regex::Regex::new(#pattern).ok());
                    if let Some(pattern) = PATTERN.as_ref() {
                        #v::pattern(path, out, pattern.is_match(value), #pattern);
                    }
                }
            }
        }
        (ir::Check::UniqueBy { fields, .. }, ir::TypeRef::Vec(_)) => {
            let names: Vec<&str> = fields.iter().map(|(wire, _)| wire.as_str()).collect();
            let names = names.join(" and ");
            let rust: Vec<_> = fields.iter().map(|(_, rust)| ident(rust)).collect();
            quote!(#v::unique_by(path, out, value.iter().map(|item| ::serde_json::json!([#(&item.#rust),*])), #names);)
        }
        _ => return None,
    })
}
