//! The `client` file: one method of `Client` per operation, with its parameter struct and its
//! enum of outcomes. Methods stay thin: transport, authentication and decoding live in the
//! hand-written runtime, which every method calls the same way.

use proc_macro2::TokenStream;
use quote::quote;

use super::{ModelPath, doc_attrs, ident, type_tokens};
use crate::ir;

pub(super) fn emit_client(api: &ir::Api) -> TokenStream {
    let module_doc = format!(" The operations of {}, as methods of [`Client`].", api.title);
    let constructor = match &api.base_url {
        Some(url) => quote! {
            /// The server of the spec, which [`Client::builder`] starts from.
            pub const DEFAULT_BASE_URL: &str = #url;

            impl Client {
                /// A builder for a client of [`DEFAULT_BASE_URL`].
                pub fn builder() -> ClientBuilder {
                    ClientBuilder::new(DEFAULT_BASE_URL)
                }
            }
        },
        None => quote! {
            impl Client {
                /// A builder for a client of the server at `base_url` (the spec names none).
                pub fn builder(base_url: &str) -> ClientBuilder {
                    ClientBuilder::new(base_url)
                }
            }
        },
    };
    let methods = api.operations.iter().map(emit_method);
    let types = api.operations.iter().map(emit_operation_types);
    quote! {
        #![doc = #module_doc]
        use crate::runtime::{Client, ClientBuilder, Error, Response};

        #constructor

        impl Client {
            #(#methods)*
        }

        #(#types)*
    }
}

/// The type the method returns on success.
fn success_type(op: &ir::Operation) -> TokenStream {
    match (&op.outcome_name, op.successes.as_slice()) {
        (Some(name), _) => {
            let name = ident(name);
            quote!(#name)
        }
        (None, [ir::Success { ty: Some(ty), .. }]) => type_tokens(ty, ModelPath::Super),
        (None, _) => quote!(()),
    }
}

/// How a path parameter is passed: strings as `&str`, models by reference, the rest by value.
fn path_param_type(ty: &ir::TypeRef) -> TokenStream {
    match ty {
        ir::TypeRef::String => quote!(&str),
        ir::TypeRef::Named(_) => {
            let ty = type_tokens(ty, ModelPath::Super);
            quote!(&#ty)
        }
        other => type_tokens(other, ModelPath::Super),
    }
}

fn emit_method(op: &ir::Operation) -> TokenStream {
    let name = ident(&op.rust_name);
    let mut extra = vec![format!("`{} {}`", op.method, op.path)];
    if let Some(id) = &op.operation_id {
        if id != op.rust_name.trim_start_matches("r#") {
            extra.push(format!("Operation `{}` in the spec.", id.replace('`', "'")));
        }
    }
    let docs = doc_attrs(&op.docs, &extra);
    let deprecated = op.deprecated.then(|| quote!(#[deprecated]));

    let path_params: Vec<_> =
        op.params.iter().filter(|it| it.location == ir::ParamLocation::Path).collect();
    let path_args = path_params.iter().map(|it| {
        let name = ident(&it.rust_name);
        let ty = path_param_type(&it.ty);
        quote!(#name: #ty)
    });
    let body_arg = op.body.as_ref().map(|body| {
        let ty = type_tokens(&body.ty, ModelPath::Super);
        if body.required { quote!(body: &#ty,) } else { quote!(body: Option<&#ty>,) }
    });
    let params_arg = op.params_name.as_ref().map(|it| {
        let ty = ident(it);
        quote!(params: &#ty,)
    });

    let segments = path_segments(&op.path, &path_params);
    let method = ident(&op.method);
    let query_and_headers =
        op.params.iter().filter(|it| it.location != ir::ParamLocation::Path).map(|it| {
            let field = ident(&it.rust_name);
            // Header names are case-insensitive, and `http` wants them lowercase.
            let wire = if it.location == ir::ParamLocation::Header {
                it.wire_name.to_ascii_lowercase()
            } else {
                it.wire_name.clone()
            };
            let array = matches!(it.ty, ir::TypeRef::Vec(_));
            let explode = it.explode;
            match (it.location, array, it.required) {
                (ir::ParamLocation::Query, false, true) => quote!(.query(#wire, &params.#field)),
                (ir::ParamLocation::Query, false, false) => {
                    quote!(.query_opt(#wire, params.#field.as_ref()))
                }
                (ir::ParamLocation::Query, true, true) => {
                    quote!(.query_array(#wire, &params.#field, #explode))
                }
                (ir::ParamLocation::Query, true, false) => {
                    quote!(.query_array_opt(#wire, params.#field.as_deref(), #explode))
                }
                (_, _, true) => quote!(.header(#wire, &params.#field)),
                (_, _, false) => quote!(.header_opt(#wire, params.#field.as_ref())),
            }
        });
    let body = op
        .body
        .as_ref()
        .map(|it| if it.required { quote!(.json(body)) } else { quote!(.json_opt(body)) });

    let success = success_type(op);
    let error = type_tokens(&op.error, ModelPath::Super);
    let decode = match (&op.outcome_name, op.successes.as_slice()) {
        (Some(outcome), successes) => {
            let outcome = ident(outcome);
            let arms = successes.iter().map(|it| {
                let status = proc_macro2::Literal::u16_unsuffixed(it.status);
                let variant = ident(&it.variant);
                match it.ty {
                    Some(_) => quote!(#status => response.decode(#outcome::#variant),),
                    None => quote!(#status => response.empty(#outcome::#variant),),
                }
            });
            quote! {
                match response.status().as_u16() {
                    #(#arms)*
                    _ => response.undocumented(#outcome::Undocumented),
                }
            }
        }
        (None, [ir::Success { ty: Some(_), .. }]) => quote! {
            if !response.status().is_success() {
                return Err(response.into_error());
            }
            response.decode(|body| body)
        },
        (None, _) => quote! {
            if !response.status().is_success() {
                return Err(response.into_error());
            }
            response.empty(())
        },
    };
    quote! {
        #docs
        #deprecated
        pub async fn #name(&self, #(#path_args,)* #body_arg #params_arg) -> Result<Response<#success>, Error<#error>> {
            let response = self
                .request(::reqwest::Method::#method, &[#(#segments),*])
                #(#query_and_headers)*
                #body
                .send()
                .await?;
            #decode
        }
    }
}

/// The path's segments: literals as strings, parameters through `ToParam` (the runtime
/// percent-encodes each segment).
fn path_segments(path: &str, params: &[&ir::Param]) -> Vec<TokenStream> {
    path.split('/')
        .filter(|it| !it.is_empty())
        .map(|segment| {
            if !segment.contains('{') {
                return quote!(#segment);
            }
            // A segment with text around its parameters: concatenate the parts.
            let mut parts = Vec::new();
            let mut rest = segment;
            while let Some(start) = rest.find('{') {
                let Some(len) = rest[start..].find('}') else { break };
                if start > 0 {
                    let text = &rest[..start];
                    parts.push(quote!(#text));
                }
                let wire = &rest[start + 1..start + len];
                let param = params.iter().find(|it| it.wire_name == wire);
                let name = ident(
                    &param.expect("generator bug: lower checks every template name").rust_name,
                );
                parts.push(quote!(crate::runtime::ToParam::to_param(&#name).as_str()));
                rest = &rest[start + len + 1..];
            }
            if !rest.is_empty() {
                parts.push(quote!(#rest));
            }
            match parts.as_slice() {
                [only] => quote!(#only),
                _ => quote!(&[#(#parts),*].concat()),
            }
        })
        .collect()
}

fn emit_operation_types(op: &ir::Operation) -> TokenStream {
    let method = &op.rust_name.trim_start_matches("r#");
    let params = op.params_name.as_ref().map(|name| {
        let doc = format!(" The query and header parameters of [`Client::{method}`].");
        let name = ident(name);
        let fields: Vec<_> =
            op.params.iter().filter(|it| it.location != ir::ParamLocation::Path).collect();
        let default = fields.iter().all(|it| !it.required).then(|| quote!(Default,));
        let fields = fields.iter().map(|it| {
            let docs = doc_attrs(&it.docs, &[]);
            let field = ident(&it.rust_name);
            let ty = type_tokens(&it.ty, ModelPath::Super);
            let ty = if it.required { ty } else { quote!(Option<#ty>) };
            quote! {
                #docs
                pub #field: #ty,
            }
        });
        quote! {
            #[doc = #doc]
            #[derive(Clone, Debug, #default PartialEq)]
            pub struct #name {
                #(#fields)*
            }
        }
    });
    let outcome = op.outcome_name.as_ref().map(|name| {
        let doc =
            format!(" The successful outcomes of [`Client::{method}`], one per documented status.");
        let name = ident(name);
        let variants = op.successes.iter().map(|it| {
            let doc = match &it.description {
                Some(description) => {
                    format!(" {}: {}", it.status, super::docs::sanitize(description))
                }
                None => format!(" {}.", it.status),
            };
            let variant = ident(&it.variant);
            match &it.ty {
                Some(ty) => {
                    let ty = type_tokens(ty, ModelPath::Super);
                    quote!(#[doc = #doc] #variant(#ty),)
                }
                None => quote!(#[doc = #doc] #variant,),
            }
        });
        quote! {
            #[doc = #doc]
            #[derive(Clone, Debug, PartialEq)]
            pub enum #name {
                #(#variants)*
                /// A success status the spec does not document, with its body as received.
                Undocumented(crate::runtime::RawResponse),
            }
        }
    });
    quote!(#params #outcome)
}
