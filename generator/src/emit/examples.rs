//! The examples test of a standalone crate: every schema `example` decodes as its type and
//! encodes back to the same JSON.

use proc_macro2::TokenStream;
use quote::quote;

use super::ident;
use crate::ir;

/// `tests/examples.rs` for the crate `krate`, or `None` when the spec has no examples.
pub(crate) fn emit_examples(api: &ir::Api, krate: &str) -> Option<TokenStream> {
    let krate = ident(&krate.replace('-', "_"));
    let tests: Vec<_> = api
        .models
        .iter()
        .filter_map(|model| {
            let ir::Example { json: example, test_name } = model.example.as_ref()?;
            let test = ident(test_name);
            let ty = ident(&model.rust_name);
            let doc = format!(" The example at `{}`.", model.pointer);
            Some(quote! {
                #[doc = #doc]
                #[test]
                fn #test() {
                    round_trip::<#krate::models::#ty>(#example);
                }
            })
        })
        .collect();
    if tests.is_empty() {
        return None;
    }
    Some(quote! {
        //! The spec's examples: each decodes as its type and encodes back to the same JSON.

        /// Decodes `text` as `T` and encodes it again: every value the schema declares must come
        /// back unchanged (properties the schema does not declare may be dropped).
        fn round_trip<T>(text: &str)
        where
            T: ::serde::de::DeserializeOwned + ::serde::Serialize + ::std::fmt::Debug,
        {
            let expected: ::serde_json::Value = ::serde_json::from_str(text).unwrap();
            let decoded: T = ::serde_json::from_str(text).unwrap_or_else(|err| panic!("{err}: {text}"));
            let encoded = ::serde_json::to_value(&decoded).unwrap();
            assert!(kept(&encoded, &expected), "decoded as {decoded:?}\nencoded: {encoded}\nexample: {expected}");
        }

        /// Whether every value of `encoded` stands, equal, at the same place in `example`.
        fn kept(encoded: &::serde_json::Value, example: &::serde_json::Value) -> bool {
            use ::serde_json::Value;
            match (encoded, example) {
                (Value::Object(encoded), Value::Object(example)) => encoded
                    .iter()
                    .all(|(key, value)| example.get(key).is_some_and(|it| kept(value, it))),
                (Value::Array(encoded), Value::Array(example)) => {
                    encoded.len() == example.len() && encoded.iter().zip(example).all(|(a, b)| kept(a, b))
                }
                (Value::Number(encoded), Value::Number(example)) => encoded.as_f64() == example.as_f64(),
                (encoded, example) => encoded == example,
            }
        }

        #(#tests)*
    })
}
