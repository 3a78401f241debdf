//! Stage 4: the IR to token streams, one per generated file.
//!
//! This is the only module that uses `quote!`. It reads the IR alone, never the spec, and it
//! cannot fail: whatever could go wrong was reported while lowering.

mod client;
mod docs;
mod examples;
mod models;
mod validate;
mod xml;

use std::ops::Range;

use proc_macro2::{Delimiter, Ident, Span, TokenStream, TokenTree};
use quote::quote;

use crate::{format::Fragment, ir};

pub(crate) use self::{
    docs::{doc, doc_attrs, doc_lines},
    examples::emit_examples,
};

/// How many models, or operations, make one part of a file (see [`Part`]): small enough that
/// the parts of a large spec keep every core busy and little in memory at once, large enough
/// that a small spec is one part.
const PART_SIZE: usize = 32;

/// A part of a generated file, emitted and formatted on its own ([`format::format_parts`]).
/// The parts depend on the IR alone.
///
/// [`format::format_parts`]: crate::format::format_parts
#[derive(Clone, Debug)]
pub(crate) enum Part {
    /// The models file's documentation.
    ModelsHeader,
    /// These models, with their `impl`s.
    Models(Range<usize>),
    /// The client file's documentation, imports and constructor.
    ClientHeader,
    /// `impl Client {` or its closing `}`.
    Line(&'static str),
    /// The methods of these operations, inside `impl Client`.
    Methods(Range<usize>),
    /// The parameter, outcome and error types of these operations.
    OperationTypes(Range<usize>),
    /// `impl Client {}`, for a spec without operations.
    EmptyClient,
}

/// Emits the parts of the generated files.
pub(crate) struct Emitter<'a> {
    api: &'a ir::Api,
    validated: validate::Validated<'a>,
    xml: xml::XmlModels<'a>,
}

impl<'a> Emitter<'a> {
    pub(crate) fn new(api: &'a ir::Api) -> Emitter<'a> {
        Emitter { api, validated: validate::Validated::new(api), xml: xml::XmlModels::new(api) }
    }

    /// The parts of the models file.
    pub(crate) fn model_parts(&self) -> Vec<Part> {
        let mut res = vec![Part::ModelsHeader];
        res.extend(ranges(self.api.models.len()).map(Part::Models));
        res
    }

    /// The parts of the client file.
    pub(crate) fn client_parts(&self) -> Vec<Part> {
        let n = self.api.operations.len();
        let mut res = vec![Part::ClientHeader];
        if n == 0 {
            res.push(Part::EmptyClient);
            return res;
        }
        res.push(Part::Line("impl Client {"));
        res.extend(ranges(n).map(Part::Methods));
        res.push(Part::Line("}"));
        res.extend(ranges(n).map(Part::OperationTypes));
        res
    }

    /// The code of `part`.
    pub(crate) fn emit(&self, part: &Part) -> Fragment {
        let (api, validated) = (self.api, &self.validated);
        match part {
            Part::ModelsHeader => Fragment::Items(models::emit_header(api)),
            Part::Models(range) => {
                let models = &api.models[range.clone()];
                Fragment::Items(models::emit_models(api, validated, &self.xml, models))
            }
            Part::ClientHeader => Fragment::Items(client::emit_header(api)),
            Part::Line(line) => Fragment::Line(line),
            Part::Methods(range) => {
                let methods = api.operations[range.clone()]
                    .iter()
                    .map(|it| client::emit_methods(api, validated, it));
                Fragment::Inside(quote!(impl Client { #(#methods)* }))
            }
            Part::OperationTypes(range) => {
                let types = api.operations[range.clone()]
                    .iter()
                    .map(|it| gated(client::emit_operation_types(it), cfg(&it.features).as_ref()));
                Fragment::Items(quote!(#(#types)*))
            }
            Part::EmptyClient => Fragment::Items(quote!(impl Client {})),
        }
    }
}

/// `#[cfg(any(feature = …))]` for an item compiled with any of `features`; `None` for one always
/// compiled.
pub(crate) fn cfg(features: &[String]) -> Option<TokenStream> {
    match features {
        [] => None,
        [one] => Some(quote!(#[cfg(feature = #one)])),
        many => Some(quote!(#[cfg(any(#(feature = #many),*))])),
    }
}

/// `items` with `cfg` on each item, when there is one.
///
/// The items are the generator's own, so where each ends is plain: at a `;` or at a `{…}` block
/// not followed by one (`const A: T = T {…};` goes on to its `;`).
pub(crate) fn gated(items: TokenStream, cfg: Option<&TokenStream>) -> TokenStream {
    let Some(cfg) = cfg else { return items };
    let mut res = TokenStream::new();
    let mut item = Vec::new();
    let mut tokens = items.into_iter().peekable();
    while let Some(token) = tokens.next() {
        let ends = match &token {
            TokenTree::Punct(it) => it.as_char() == ';',
            TokenTree::Group(it) => {
                it.delimiter() == Delimiter::Brace
                    && !matches!(tokens.peek(), Some(TokenTree::Punct(it)) if it.as_char() == ';')
            }
            _ => false,
        };
        item.push(token);
        if ends {
            res.extend(cfg.clone());
            res.extend(item.drain(..));
        }
    }
    res.extend(item);
    res
}

/// `0..n` in ranges of [`PART_SIZE`].
fn ranges(n: usize) -> impl Iterator<Item = Range<usize>> {
    (0..n).step_by(PART_SIZE).map(move |start| start..(start + PART_SIZE).min(n))
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

/// The inner attribute at the top of each generated file for its enums whose variants hold
/// values (unions, outcomes, error and body enums): their variants keep their values inline, so
/// that matching on them needs no box, and each enum is as large as its largest member, which
/// clippy would flag.
pub(crate) const INLINE_VARIANTS: InlineVariants = InlineVariants;

/// See [`INLINE_VARIANTS`].
#[derive(Clone, Copy, Debug)]
pub(crate) struct InlineVariants;

impl quote::ToTokens for InlineVariants {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        tokens.extend(quote!(#![allow(
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

#[cfg(test)]
mod tests {
    use quote::quote;

    use super::{Emitter, PART_SIZE, client, models};
    use crate::format::format;

    /// A spec of `n` schemas, each with a checked field and a reference to the next, and an
    /// operation per schema.
    fn spec(n: usize) -> String {
        let mut schemas = String::new();
        let mut paths = String::new();
        for i in 0..n {
            let next = (i + 1) % n;
            schemas.push_str(&format!(
                "    S{i}:\n      type: object\n      properties:\n        name: {{type: string, maxLength: 9}}\n        next: {{$ref: '#/components/schemas/S{next}'}}\n"
            ));
            paths.push_str(&format!(
                "  /s{i}:\n    get:\n      operationId: get_s{i}\n      parameters:\n        - {{name: q, in: query, schema: {{type: string}}}}\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {{$ref: '#/components/schemas/S{i}'}}\n        '404':\n          description: no\n          content:\n            application/json:\n              schema: {{type: object, properties: {{m: {{type: string}}}}}}\n"
            ));
        }
        format!(
            "openapi: 3.0.3\ninfo: {{title: T, version: '1'}}\npaths:\n{paths}components:\n  schemas:\n{schemas}"
        )
    }

    /// A model gets an `impl Validate` when it holds, however deep, one with checks: here only
    /// the last of a chain of 40 (through arrays, maps and an alias) has one.
    #[test]
    fn validation_reaches_up_a_long_chain() {
        let mut schemas = String::new();
        for i in 0..40 {
            let next = format!("{{$ref: '#/components/schemas/S{}'}}", i + 1);
            let field = match i % 3 {
                0 => next,
                1 => format!("{{type: array, items: {next}}}"),
                _ => format!("{{type: object, additionalProperties: {next}}}"),
            };
            schemas.push_str(&format!(
                "    S{i}:\n      type: object\n      properties:\n        next: {field}\n"
            ));
        }
        schemas.push_str("    S40: {$ref: '#/components/schemas/Last'}\n");
        schemas.push_str(
            "    Last:\n      type: object\n      properties:\n        name: {type: string, maxLength: 9}\n",
        );
        schemas.push_str(
            "    Apart:\n      type: object\n      properties:\n        name: {type: string}\n",
        );
        let text = format!(
            "openapi: 3.0.3\ninfo: {{title: T, version: '1'}}\npaths: {{}}\ncomponents:\n  schemas:\n{schemas}"
        );
        let generated = crate::generate(&text, "spec.yaml", crate::Options::default()).unwrap();
        let validated = super::validate::Validated::new(&generated.api);
        let names: Vec<_> = generated
            .api
            .models
            .iter()
            .filter(|it| validated.contains(it))
            .map(|it| it.rust_name.as_str())
            .collect();
        let mut expected: Vec<String> = (0..40).map(|i| format!("S{i}")).collect();
        expected.push("Last".to_owned());
        expected.sort();
        assert_eq!(names, expected);
    }

    /// Files formatted in parts are the files formatted whole: the parts change nothing but the
    /// time and the memory it takes.
    #[test]
    fn parts_change_nothing() {
        let n = 2 * PART_SIZE + 5;
        let text = spec(n);
        let generated = crate::generate(&text, "spec.yaml", crate::Options::default()).unwrap();
        let emitter = Emitter::new(&generated.api);
        assert!(emitter.model_parts().len() > 3 && emitter.client_parts().len() > 6);
        let (api, validated) = (&generated.api, &emitter.validated);
        let header = models::emit_header(api);
        let all = models::emit_models(api, validated, &emitter.xml, &api.models);
        assert_eq!(format(quote!(#header #all), "spec.yaml"), generated.models);
        let header = client::emit_header(api);
        let methods = api.operations.iter().map(|it| client::emit_methods(api, validated, it));
        let types = api.operations.iter().map(client::emit_operation_types);
        let whole = quote!(#header impl Client { #(#methods)* } #(#types)*);
        assert_eq!(format(whole, "spec.yaml"), generated.client);
        assert!(generated.models.contains("impl crate::runtime::validate::Validate for S0 {"));
    }

    #[test]
    fn gating_puts_the_cfg_on_every_item() {
        let items = quote! {
            /// A.
            #[derive(Debug)]
            pub struct A;
            pub struct B(pub u8);
            impl A { const C: B = B { 0: 1 }; fn f() {} }
            pub const D: A = A {};
            pub type E = A;
            enum F { G }
        };
        let cfg = super::cfg(&["x".to_owned()]);
        let text = super::gated(items, cfg.as_ref()).to_string();
        assert_eq!(text.matches("# [cfg (feature = \"x\")]").count(), 6, "{text}");
        let file: syn::File = syn::parse_str(&text).unwrap();
        assert_eq!(file.items.len(), 6);
        for item in &file.items {
            let printed = quote!(#item).to_string();
            assert!(printed.starts_with("# [cfg (feature = \"x\")]"), "{printed}");
        }
    }
}
