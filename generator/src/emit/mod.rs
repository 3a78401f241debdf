//! Stage 4: the IR to token streams, one per generated file.
//!
//! This is the only module that uses `quote!`. It reads the IR alone, never the spec, and it
//! cannot fail: whatever could go wrong was reported while lowering.

mod client;
mod docs;
mod examples;
mod models;
mod validate;

pub(crate) use self::validate::uses_patterns;

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

use crate::ir;

pub(crate) use self::{
    docs::{doc, doc_attrs, doc_lines},
    examples::emit_examples,
};

/// The token streams of the generated files.
#[derive(Debug)]
pub(crate) struct Files {
    pub(crate) models: TokenStream,
    pub(crate) client: TokenStream,
}

pub(crate) fn emit(api: &ir::Api) -> Files {
    Files { models: models::emit_models(api), client: client::emit_client(api) }
}

/// An identifier for a name from the IR, raw (`r#type`) when the name says so.
pub(crate) fn ident(name: &str) -> Ident {
    assert!(
        crate::names::is_identifier(name),
        "generator bug: `{name}` is not an identifier, though every name comes from `names`"
    );
    match name.strip_prefix("r#") {
        Some(raw) => Ident::new_raw(raw, Span::call_site()),
        None => Ident::new(name, Span::call_site()),
    }
}

/// The attribute on every generated enum whose variants hold values (unions, outcomes, error
/// and body enums): its variants keep their values inline, so that matching on them needs no
/// box, and the enum is as large as its largest member, which clippy would flag.
pub(crate) const INLINE_VARIANTS: InlineVariants = InlineVariants;

/// See [`INLINE_VARIANTS`].
#[derive(Clone, Copy, Debug)]
pub(crate) struct InlineVariants;

impl quote::ToTokens for InlineVariants {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        tokens.extend(quote!(#[allow(
            clippy::large_enum_variant,
            reason = "variants hold their values inline, so that matching on them needs no box"
        )]));
    }
}

/// Where the code being emitted finds the models: `` (inside `models`) or `super::models::`.
#[derive(Clone, Copy, Debug)]
pub(crate) enum ModelPath {
    Local,
    Super,
}

/// The Rust type of a use of a type.
pub(crate) fn type_tokens(ty: &ir::TypeRef, path: ModelPath) -> TokenStream {
    match ty {
        ir::TypeRef::String => quote!(String),
        ir::TypeRef::Bool => quote!(bool),
        ir::TypeRef::I32 => quote!(i32),
        ir::TypeRef::I64 => quote!(i64),
        ir::TypeRef::F64 => quote!(f64),
        ir::TypeRef::DateTime => quote!(::chrono::DateTime<::chrono::Utc>),
        ir::TypeRef::Date => quote!(::chrono::NaiveDate),
        ir::TypeRef::Uuid => quote!(::uuid::Uuid),
        ir::TypeRef::Bytes => quote!(crate::runtime::Base64),
        ir::TypeRef::Binary => quote!(crate::runtime::Binary),
        ir::TypeRef::Json => quote!(::serde_json::Value),
        ir::TypeRef::Named(name) => {
            let name = ident(name);
            match path {
                ModelPath::Local => quote!(#name),
                ModelPath::Super => quote!(super::models::#name),
            }
        }
        ir::TypeRef::Vec(item) => {
            let item = type_tokens(item, path);
            quote!(Vec<#item>)
        }
        ir::TypeRef::Map(value) => {
            let value = type_tokens(value, path);
            quote!(::std::collections::BTreeMap<String, #value>)
        }
        ir::TypeRef::Nullable(inner) => {
            let inner = type_tokens(inner, path);
            quote!(Option<#inner>)
        }
    }
}
