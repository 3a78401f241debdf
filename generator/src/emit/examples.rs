//! The examples test of a standalone crate: every schema `example` decodes as its type and
//! encodes back to the same JSON.
//!
//! The test names the crate as [`names::CRATE_ALIAS`], which the crate's `tests/examples.rs` defines
//! (`standalone.rs` adds the line): the generator does not know the crate's name.

use proc_macro2::TokenStream;
use quote::quote;

use super::{doc, ident};
use crate::{ir, markdown, names};

/// The examples test, or `None` when the spec has no examples.
pub(crate) fn emit_examples(api: &ir::Api) -> Option<TokenStream> {
    let krate = ident(names::CRATE_ALIAS);
    let tests: Vec<_> = api
        .models
        .iter()
        .filter_map(|model| {
            let ir::Example { json: example, test_name, contradiction } = model.example.as_ref()?;
            let ignore = contradiction.as_ref().map(|path| {
                let reason = proc_macro2::Literal::string(&format!(
                    "the example leaves out `{path}`, which the schema requires"
                ));
                quote!(#[ignore = #reason])
            });
            let test = ident(test_name);
            let ty = ident(&model.rust_name);
            let docs = doc(&format!("The example at {}.", markdown::code_span(&model.pointer)));
            let cfg = super::cfg(&model.features);
            Some(quote! {
                #docs
                #cfg
                #[test]
                #ignore
                fn #test() {
                    round_trip::<#krate::models::#ty>(#example);
                }
            })
        })
        .collect();
    if tests.is_empty() {
        return None;
    }
    let gated = api.models.iter().any(|it| it.example.is_some() && !it.features.is_empty());
    let allow = gated.then(|| {
        quote!(#[allow(dead_code, reason = "the tests that use it may all be left out by features")])
    });
    Some(quote! {
        //! The spec's examples: each decodes as its type and encodes back to the same JSON.

        /// Decodes `text` as `T` and encodes it again: everything in the example must come back,
        /// unchanged, and nothing be added. Numbers are compared exactly (as integers where
        /// both are, never through `f64` alone).
        #allow
        fn round_trip<T>(text: &str)
        where
            T: ::serde::de::DeserializeOwned + ::serde::Serialize + ::std::fmt::Debug,
        {
            let expected: ::serde_json::Value = ::serde_json::from_str(text).unwrap();
            let decoded: T = ::serde_json::from_str(text).unwrap_or_else(|err| panic!("{err}: {text}"));
            let encoded = ::serde_json::to_value(&decoded).unwrap();
            let lost = #krate::runtime::union::loss(&expected, &encoded);
            assert_eq!(lost, 0, "{lost} values changed\ndecoded as {decoded:?}\nencoded: {encoded}\nexample: {expected}");
        }

        #(#tests)*
    })
}
