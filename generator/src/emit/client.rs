//! The `client` file: one method of `Client` per operation, with its parameter struct and its
//! enum of outcomes. Methods stay thin: transport, authentication and decoding live in the
//! hand-written runtime, which every method calls the same way.

use proc_macro2::TokenStream;
use quote::quote;

use super::{INLINE_VARIANTS, ModelPath, doc, doc_attrs, doc_lines, ident, type_tokens};
use crate::{ir, markdown};

/// The documentation, imports and constructor of the client file, and the `Client` that the
/// operations are methods of.
///
/// `Client` is the crate's own type over the runtime's, so that the runtime can be a crate of its
/// own (as in standalone crates: methods can only be added to a type in the crate that defines
/// it). It dereferences to the runtime's client, whose builder builds it.
pub(super) fn emit_header(api: &ir::Api) -> TokenStream {
    let module_doc =
        format!(" The operations of {}, as methods of [`Client`].", markdown::inline(&api.title));
    let client_doc =
        format!(" A client of {}, with one method per operation.", markdown::inline(&api.title));
    // The runtime would name itself in `User-Agent`; the crate that wraps it is the one to name.
    let user_agent =
        quote!(.user_agent(concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION"))));
    // The spec's `x-rate-limit`: where the limiter starts, before the server's headers say more.
    let (rate_limit, rate_limit_doc) = match api.rate_limit {
        Some(ir::RateLimit { max, interval_ms }) => (
            quote!(.starting_rate_limit(#max, ::std::time::Duration::from_millis(#interval_ms))),
            doc_lines(&format!(
                "\nIts rate limiter starts at {max} requests per {interval_ms} ms (the spec's \
                 `x-rate-limit`), then follows the limit the server states in HubSpot's \
                 `X-HubSpot-RateLimit-*` headers; `.rate_limit(None)` sends without one."
            )),
        ),
        None => (TokenStream::new(), TokenStream::new()),
    };
    let (credentials, schemes) = emit_credentials(api);
    let constructor = match &api.base_url {
        Some(url) => quote! {
            /// The server of the spec, which [`Client::builder`] starts from.
            pub const DEFAULT_BASE_URL: &str = #url;

            impl Client {
                /// A builder for a client of [`DEFAULT_BASE_URL`].
                #rate_limit_doc
                pub fn builder() -> ClientBuilder {
                    ClientBuilder::new(DEFAULT_BASE_URL)#user_agent #rate_limit #schemes
                }
            }
        },
        None => quote! {
            impl Client {
                /// A builder for a client of the server at `base_url` (the spec names none).
                #rate_limit_doc
                pub fn builder(base_url: &str) -> ClientBuilder {
                    ClientBuilder::new(base_url)#user_agent #rate_limit #schemes
                }
            }
        },
    };
    let imports = import_for(
        api.operations.iter(),
        quote!(
            use crate::runtime::{Error, Response};
        ),
        "used by the operations, which features may leave out",
    );
    // Path parameters other than strings are written with `to_param()`.
    let to_param = import_for(
        api.operations.iter().filter(|it| writes_to_param(it)),
        quote!(
            use crate::runtime::ToParam as _;
        ),
        "used by the operations with path parameters, which features may leave out",
    );
    let client = quote! {
        #[doc = #client_doc]
        ///
        /// It wraps the runtime's [`crate::runtime::Client`] and dereferences to it, for calls the
        /// spec does not describe. Cloning is cheap and clones share the connection pool.
        #[derive(Clone, Debug)]
        pub struct Client(crate::runtime::Client);

        impl From<crate::runtime::Client> for Client {
            fn from(client: crate::runtime::Client) -> Client {
                Client(client)
            }
        }

        impl ::std::ops::Deref for Client {
            type Target = crate::runtime::Client;

            fn deref(&self) -> &crate::runtime::Client {
                &self.0
            }
        }

        /// Configures a [`Client`]: credentials, retries, rate limits, timeouts.
        pub type ClientBuilder = crate::runtime::ClientBuilder<Client>;
    };
    quote! {
        #![doc = #module_doc]
        #INLINE_VARIANTS
        #imports
        #to_param

        #client

        #constructor

        #credentials
    }
}

/// `import` for `operations`: nothing without any, allowed to go unused when features may leave
/// all of them out.
fn import_for<'a>(
    operations: impl Iterator<Item = &'a ir::Operation>,
    import: TokenStream,
    reason: &str,
) -> TokenStream {
    let ungated: Vec<bool> = operations.map(|it| it.features.is_empty()).collect();
    if ungated.is_empty() {
        TokenStream::new()
    } else if ungated.contains(&true) {
        import
    } else {
        quote!(#[allow(unused_imports, reason = #reason)] #import)
    }
}

/// Whether the operation's path has a parameter other than a string written as a plain
/// segment, which its method writes with `ToParam::to_param`.
fn writes_to_param(op: &ir::Operation) -> bool {
    plain_path(op)
        && op
            .params
            .iter()
            .any(|it| it.location == ir::ParamLocation::Path && it.ty != ir::TypeRef::String)
}

/// Whether every path parameter of the operation is a scalar in the simple style, so that the
/// runtime can percent-encode each segment whole.
fn plain_path(op: &ir::Operation) -> bool {
    op.params
        .iter()
        .filter(|it| it.location == ir::ParamLocation::Path)
        .all(|it| it.shape == ir::ParamShape::Scalar && it.style == ir::ParamStyle::Simple)
}

/// The spec's security schemes, for the runtime, and the `Credentials` trait with a setter
/// per scheme for the builder; and the call that declares the schemes to the builder. Nothing
/// when the spec declares none.
fn emit_credentials(api: &ir::Api) -> (TokenStream, TokenStream) {
    if api.security_schemes.is_empty() {
        return (TokenStream::new(), TokenStream::new());
    }
    let s = quote!(crate::runtime::security);
    let entries = api.security_schemes.iter().map(|it| {
        let name = &it.wire_name;
        let kind = match &it.kind {
            ir::SchemeKind::ApiKey { location, name } => {
                let location = match location {
                    ir::KeyLocation::Header => quote!(Header),
                    ir::KeyLocation::Query => quote!(Query),
                    ir::KeyLocation::Cookie => quote!(Cookie),
                };
                quote!(#s::SchemeKind::ApiKey { location: #s::KeyIn::#location, name: #name })
            }
            ir::SchemeKind::Basic => quote!(#s::SchemeKind::Basic),
            ir::SchemeKind::Bearer => quote!(#s::SchemeKind::Bearer),
        };
        quote!(#s::Scheme { name: #name, kind: #kind })
    });
    let (signatures, bodies): (Vec<_>, Vec<_>) = api
        .security_schemes
        .iter()
        .map(|it| {
            let setter = ident(&it.setter);
            let name = &it.wire_name;
            let docs = doc_attrs(
                &it.docs,
                &[format!("The scheme {} of the spec.", crate::markdown::code_span(name))],
            );
            let (params, credential) = match &it.kind {
                ir::SchemeKind::ApiKey { .. } => (
                    quote!(key: impl Into<String>),
                    quote!(crate::runtime::Credential::ApiKey(key.into())),
                ),
                ir::SchemeKind::Basic => (
                    quote!(username: impl Into<String>, password: impl Into<String>),
                    quote!(crate::runtime::Credential::Basic {
                        username: username.into(),
                        password: password.into()
                    }),
                ),
                ir::SchemeKind::Bearer => (
                    quote!(tokens: impl Into<crate::runtime::TokenSource>),
                    quote!(crate::runtime::Credential::Token(tokens.into())),
                ),
            };
            let signature = quote! {
                #docs
                fn #setter(self, #params) -> Self;
            };
            let body = quote! {
                fn #setter(self, #params) -> Self {
                    self.credential(#name, #credential)
                }
            };
            (signature, body)
        })
        .unzip();
    let items = quote! {
        /// The security schemes of the spec, which [`Client::builder`] declares to the runtime.
        const SECURITY_SCHEMES: &[#s::Scheme] = &[#(#entries),*];

        /// Credentials for the security schemes of the spec: one setter per scheme, on
        /// [`ClientBuilder`] (bring the trait into scope: `use <this crate>::Credentials as _;`).
        /// Each call sends the credentials of the first of its operation's security
        /// requirements the client meets, and fails before sending when it meets none.
        pub trait Credentials: Sized {
            #(#signatures)*
        }

        impl Credentials for ClientBuilder {
            #(#bodies)*
        }
    };
    (items, quote!(.security_schemes(SECURITY_SCHEMES)))
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

/// The type of the operation's error bodies: the enum of them, or the one type they share.
fn error_type(op: &ir::Operation) -> TokenStream {
    match (&op.error_name, op.errors.first()) {
        (Some(name), _) => {
            let name = ident(name);
            quote!(#name)
        }
        (None, Some(it)) => type_tokens(&it.ty, ModelPath::Super),
        (None, None) => quote!(::serde_json::Value),
    }
}

/// The statuses a response covers, as a `match` pattern.
fn status_pattern(status: ir::Status) -> TokenStream {
    match status {
        ir::Status::Code(it) => {
            let it = proc_macro2::Literal::u16_unsuffixed(it);
            quote!(#it)
        }
        // A guard, not a range pattern: codes inside the range come first, and clippy rejects
        // range patterns that overlap them.
        ir::Status::Range(it) => {
            let (low, high) = (
                proc_macro2::Literal::u16_unsuffixed(it * 100),
                proc_macro2::Literal::u16_unsuffixed(it * 100 + 99),
            );
            quote!(status if (#low..=#high).contains(&status))
        }
        ir::Status::Default => quote!(_),
    }
}

/// A status as the spec writes it: `200`, `2XX`, `default`.
fn status_label(status: ir::Status) -> String {
    match status {
        ir::Status::Code(it) => it.to_string(),
        ir::Status::Range(it) => format!("{it}XX"),
        ir::Status::Default => "default".to_owned(),
    }
}

/// The call of the runtime's method that reads the body of `success` and wraps it with `wrap`.
fn read_body(api: &ir::Api, success: &ir::Success, wrap: TokenStream) -> TokenStream {
    match success.encoding {
        ir::Encoding::Text => quote!(response.text(#wrap)),
        ir::Encoding::Binary => quote!(response.binary(#wrap)),
        ir::Encoding::Xml => {
            let shape = match &success.ty {
                Some(ty) => super::xml::shape(api, ty, ModelPath::Super, 0),
                None => quote!(crate::runtime::xml::Shape::Any),
            };
            quote!(response.decode_xml(const { #shape }, #wrap))
        }
        ir::Encoding::Json | ir::Encoding::Form | ir::Encoding::Multipart => {
            quote!(response.decode(#wrap))
        }
    }
}

/// The arms of the `match` on the status that decode the documented errors, and the error of
/// any other status that is not a success.
fn error_dispatch(op: &ir::Operation) -> (Vec<TokenStream>, TokenStream) {
    // With an error enum, each documented error status decodes as its own type.
    match &op.error_name {
        Some(_) => {
            let name = quote!(Failure);
            let arms: Vec<_> = op
                .errors
                .iter()
                .filter(|it| it.status != ir::Status::Default)
                .map(|it| {
                    let pattern = status_pattern(it.status);
                    let variant = ident(&it.variant);
                    quote!(#pattern => Err(response.into_error_as(#name::#variant)),)
                })
                .collect();
            let fallback = if op.errors.iter().any(|it| it.status == ir::Status::Default) {
                quote!(response.into_error_as(#name::Default))
            } else {
                quote!(response.into_error_as(#name::Undocumented))
            };
            (arms, fallback)
        }
        None => (Vec::new(), quote!(response.into_error())),
    }
}

/// The code that turns a response into the result of the method that reads events: what is
/// left once the events were taken, an error or a success in another media type.
fn decode_events_response(op: &ir::Operation) -> TokenStream {
    let (error_arms, fallback_error) = error_dispatch(op);
    if error_arms.is_empty() {
        return quote! {
            if response.status().is_success() {
                Err(response.not_events())
            } else {
                Err(#fallback_error)
            }
        };
    }
    quote! {
        match response.status().as_u16() {
            #(#error_arms)*
            _ if response.status().is_success() => Err(response.not_events()),
            _ => Err(#fallback_error),
        }
    }
}

/// The code that turns the response into the method's result: one `match` on the status.
fn decode_response(api: &ir::Api, op: &ir::Operation) -> TokenStream {
    let (error_arms, fallback_error) = error_dispatch(op);
    match (&op.outcome_name, op.successes.as_slice()) {
        (Some(_), successes) => {
            let outcome = quote!(Outcome);
            let arm = |it: &ir::Success| {
                let status = status_pattern(it.status);
                let variant = ident(&it.variant);
                match it.ty {
                    Some(_) => {
                        let read = read_body(api, it, quote!(#outcome::#variant));
                        quote!(#status => #read,)
                    }
                    None => quote!(#status => response.empty(#outcome::#variant),),
                }
            };
            let (ranges, codes): (Vec<_>, Vec<_>) =
                successes.iter().partition(|it| matches!(it.status, ir::Status::Range(_)));
            let code_arms = codes.into_iter().map(arm);
            // A documented `2XX` covers every other success; else they are undocumented.
            let other_successes = match ranges.as_slice() {
                [range, ..] => arm(range),
                [] => quote! {
                    _ if response.status().is_success() => response.undocumented(#outcome::Undocumented),
                },
            };
            quote! {
                match response.status().as_u16() {
                    #(#code_arms)*
                    #(#error_arms)*
                    #other_successes
                    _ => Err(#fallback_error),
                }
            }
        }
        // One documented success: any 2xx is that success.
        (None, successes) => {
            let success = match successes {
                [success @ ir::Success { ty: Some(_), .. }] => {
                    read_body(api, success, quote!(|body| body))
                }
                _ => quote!(response.empty(())),
            };
            if error_arms.is_empty() {
                quote! {
                    if response.status().is_success() {
                        #success
                    } else {
                        Err(#fallback_error)
                    }
                }
            } else {
                quote! {
                    match response.status().as_u16() {
                        #(#error_arms)*
                        _ if response.status().is_success() => #success,
                        _ => Err(#fallback_error),
                    }
                }
            }
        }
    }
}

/// How a path parameter is passed: strings as `&str`, arrays as slices, models, maps and JSON
/// values by reference, the rest by value.
fn path_param_type(ty: &ir::TypeRef) -> TokenStream {
    match ty {
        ir::TypeRef::String => quote!(&str),
        ir::TypeRef::Vec(item) => {
            let item = type_tokens(item, ModelPath::Super);
            quote!(&[#item])
        }
        ir::TypeRef::Named(_) | ir::TypeRef::Map(_) | ir::TypeRef::Json => {
            let ty = type_tokens(ty, ModelPath::Super);
            quote!(&#ty)
        }
        other => type_tokens(other, ModelPath::Super),
    }
}

/// The runtime's name for a parameter style.
fn style_tokens(style: ir::ParamStyle) -> TokenStream {
    let name = match style {
        ir::ParamStyle::Simple => quote!(Simple),
        ir::ParamStyle::Label => quote!(Label),
        ir::ParamStyle::Matrix => quote!(Matrix),
        ir::ParamStyle::Form => quote!(Form),
        ir::ParamStyle::SpaceDelimited => quote!(SpaceDelimited),
        ir::ParamStyle::PipeDelimited => quote!(PipeDelimited),
        ir::ParamStyle::DeepObject => quote!(DeepObject),
    };
    quote!(crate::runtime::param::Style::#name)
}

/// The call that adds a query, header or cookie parameter to the request.
fn param_call(it: &ir::Param) -> TokenStream {
    let field = ident(&it.rust_name);
    // Header names are case-insensitive, and `http` wants them lowercase.
    let wire = if it.location == ir::ParamLocation::Header {
        it.wire_name.to_ascii_lowercase()
    } else {
        it.wire_name.clone()
    };
    let explode = it.explode;
    let style = style_tokens(it.style);
    let value = if it.required { quote!(&params.#field) } else { quote!(params.#field.as_ref()) };
    // The method's name, and `_opt` for an optional parameter.
    let call = |name: &str, args: TokenStream| {
        let name = quote::format_ident!("{name}{}", if it.required { "" } else { "_opt" });
        quote!(.#name(#wire, #args))
    };
    use ir::{ParamLocation as L, ParamShape as S, ParamStyle as St};
    match (it.location, it.shape) {
        (L::Query, S::Scalar) => call("query", value),
        (L::Query, S::Array) if it.style == St::Form => {
            let value =
                if it.required { quote!(&params.#field) } else { quote!(params.#field.as_deref()) };
            call("query_array", quote!(#value, #explode))
        }
        (L::Query, S::Array | S::Object | S::Mixed) => {
            call("query_styled", quote!(#value, #style, #explode))
        }
        (L::Header, S::Scalar) => call("header", value),
        (L::Header, S::Array | S::Object | S::Mixed) => {
            call("header_styled", quote!(#value, #explode))
        }
        (L::Cookie, S::Scalar | S::Array | S::Object | S::Mixed) => {
            call("cookie", quote!(#value, #explode))
        }
        (L::Query, S::Json) => call("query_json", value),
        (L::Header, S::Json) => call("header_json", value),
        (L::Cookie, S::Json) => call("cookie_json", value),
        (L::Path, _) => unreachable!("generator bug: path parameters are not query parameters"),
    }
}

/// `self.request(…)` with the path's segments: as text when every path parameter is a plain
/// scalar (the runtime encodes each), else encoded here, a part at a time, for the styles'
/// delimiters to stay as they are.
fn request_call(op: &ir::Operation) -> TokenStream {
    let method = ident(&op.method);
    let param = |name: &str| {
        op.params
            .iter()
            .find(|it| it.location == ir::ParamLocation::Path && it.rust_name == name)
            .expect("generator bug: a path part names a path parameter")
    };
    if plain_path(op) {
        let segments = path_segments(op);
        return quote!(self.request(::reqwest::Method::#method, &[#(#segments),*]));
    }
    let segments = op.segments.iter().map(|segment| {
        let parts = segment.iter().map(|part| match part {
            ir::PathPart::Literal(text) => quote!(crate::runtime::param::encode_segment(#text)),
            ir::PathPart::Param(name) => {
                let it = param(name);
                let value = ident(name);
                let wire = &it.wire_name;
                let style = style_tokens(it.style);
                let explode = it.explode;
                match it.shape {
                    ir::ParamShape::Scalar if it.style == ir::ParamStyle::Simple => quote!(
                        crate::runtime::param::encode_segment(&crate::runtime::ToParam::to_param(&#value))
                    ),
                    ir::ParamShape::Json => quote!(crate::runtime::param::encode_segment(
                        &crate::runtime::param::json(&#value).map_err(Error::InvalidRequest)?
                    )),
                    _ => quote!(
                        crate::runtime::param::path(#wire, &#value, #style, #explode)
                            .map_err(Error::InvalidRequest)?
                    ),
                }
            }
        });
        let parts: Vec<_> = parts.collect();
        match parts.as_slice() {
            [only] => quote!(#only),
            _ => quote!([#(#parts),*].concat()),
        }
    });
    quote!(self.request_encoded(::reqwest::Method::#method, &[#(#segments),*]))
}

/// The operation's method, and the one that reads its events when it has one.
pub(super) fn emit_methods(
    api: &ir::Api,
    validated: &super::validate::Validated<'_>,
    op: &ir::Operation,
) -> TokenStream {
    let cfg = super::cfg(&op.features);
    let method = emit_method(api, validated, op, None);
    let events = op.events.as_ref().map(|it| {
        let method = emit_method(api, validated, op, Some(it));
        quote!(#cfg #method)
    });
    quote!(#cfg #method #events)
}

/// The operation's method, or with `events` the one that reads a success as server-sent
/// events.
fn emit_method(
    api: &ir::Api,
    validated: &super::validate::Validated<'_>,
    op: &ir::Operation,
    events: Option<&ir::Events>,
) -> TokenStream {
    let name = ident(events.map_or(&op.rust_name, |it| &it.rust_name));
    let mut extra = vec![markdown::code_span(&format!("{} {}", op.method, op.path))];
    if let Some(id) = &op.operation_id {
        if id != op.rust_name.trim_start_matches("r#") {
            extra.push(format!("Operation {} in the spec.", markdown::code_span(id)));
        }
    }
    match (events, &op.events) {
        (Some(_), _) => extra.push(format!(
            "Reads a success as server-sent events (`text/event-stream`), each as it arrives; ask for a stream where the operation says how (a field of the body, for instance). {} reads the other answers.",
            markdown::code_span(op.rust_name.trim_start_matches("r#"))
        )),
        (None, Some(it)) => extra.push(format!(
            "{} reads a success sent as server-sent events.",
            markdown::code_span(it.rust_name.trim_start_matches("r#"))
        )),
        (None, None) => {}
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
        let ty = match (&body.enum_name, body.media.as_slice()) {
            (Some(name), _) => {
                let name = ident(name);
                quote!(&#name)
            }
            (None, [media]) => body_arg_type(media),
            (None, _) => unreachable!("generator bug: a body has one media type or an enum"),
        };
        if body.required { quote!(body: #ty,) } else { quote!(body: Option<#ty>,) }
    });
    let params_arg = op.params_name.as_ref().map(|it| {
        let ty = ident(it);
        quote!(params: &#ty,)
    });

    let request = request_call(op);
    let operation = proc_macro2::Literal::string(events.map_or(&op.rust_name, |it| &it.rust_name));
    let retryable = op.retryable.map(|it| quote!(.retryable(#it)));
    // XML answers are asked for in their media type (JSON is asked for unless told).
    let accept = match events {
        Some(_) => Some(quote!(.events())),
        None => op
            .successes
            .iter()
            .find(|it| it.encoding == ir::Encoding::Xml)
            .and_then(|it| it.media_type.as_deref())
            .map(|media| quote!(.accept(#media))),
    };
    let security = op.security.as_ref().map(|requirements| {
        let requirements = requirements.iter().map(|it| quote!(&[#(#it),*]));
        quote!(.security(&[#(#requirements),*]))
    });
    let query_and_headers =
        op.params.iter().filter(|it| it.location != ir::ParamLocation::Path).map(param_call);
    // A JSON body in the chain; any other, in a statement of its own.
    let (chained, body) = match &op.body {
        Some(ir::Body { media, enum_name: None, required }) if is_plain_json(&media[0]) => {
            let call = if *required { quote!(.json(body)) } else { quote!(.json_opt(body)) };
            (Some(call), None)
        }
        Some(body) => (None, Some(body_statement(api, body))),
        None => (None, None),
    };

    // A body with constraints is checked first: what breaks one is never sent.
    let validate = op.body.as_ref().and_then(|body| match body.media.as_slice() {
        [media] if body.enum_name.is_none() && validated.holds(&media.ty) => {
            let validate = quote!(crate::runtime::validate::Validate::validate);
            // `Error` converts from `Violations`.
            Some(if body.required {
                quote!(#validate(body)?;)
            } else {
                quote!(body.map(#validate).transpose()?;)
            })
        }
        _ => None,
    });
    let error = error_type(op);
    let (success, send, decode) = match events {
        Some(events) => {
            let ty = type_tokens(&events.ty, ModelPath::Super);
            let read = match events.ty {
                ir::TypeRef::String => quote!(crate::runtime::events::text()),
                _ => quote!(crate::runtime::events::json()),
            };
            let send = quote! {
                let response = match request.send_events().await?.events(#read) {
                    Ok(events) => return Ok(events),
                    Err(response) => *response,
                };
            };
            (quote!(crate::runtime::EventStream<#ty>), send, decode_events_response(op))
        }
        None => (
            success_type(op),
            quote!(let response = request.send().await?;),
            decode_response(api, op),
        ),
    };
    // `&self`, a path parameter each, the body and the parameters struct: clippy's limit is 7.
    let arguments = 1
        + path_params.len()
        + usize::from(op.body.is_some())
        + usize::from(op.params_name.is_some());
    let many_arguments = (arguments > 7).then(|| {
        quote!(#[allow(clippy::too_many_arguments, reason = "one argument per path parameter, in the order of the path")])
    });
    // The method's enums, by short names for its `match` on the status.
    let outcome_alias = op.outcome_name.as_ref().filter(|_| events.is_none()).map(|it| {
        let it = ident(it);
        quote!(use #it as Outcome;)
    });
    let error_alias = op.error_name.as_ref().map(|it| {
        let it = ident(it);
        quote!(use #it as Failure;)
    });
    quote! {
        #docs
        #deprecated
        #many_arguments
        pub async fn #name(&self, #(#path_args,)* #body_arg #params_arg) -> Result<Response<#success>, Error<#error>> {
            #outcome_alias
            #error_alias
            #validate
            let request = #request
                .operation(#operation)
                #retryable
                #security
                #accept
                #(#query_and_headers)*
                #chained;
            #body
            #send
            #decode
        }
    }
}

/// Whether a body is `application/json` itself, which the runtime's `json` sends.
fn is_plain_json(media: &ir::BodyMedia) -> bool {
    media.encoding == ir::Encoding::Json
        && media
            .media_type
            .split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .eq_ignore_ascii_case("application/json")
}

/// How a body in one media type is passed: text as `&str`, the rest by reference.
fn body_arg_type(media: &ir::BodyMedia) -> TokenStream {
    match media.encoding {
        ir::Encoding::Text => quote!(&str),
        _ => {
            let ty = type_tokens(&media.ty, ModelPath::Super);
            quote!(&#ty)
        }
    }
}

/// `let request = …;` adding the body, whichever media type it is.
fn body_statement(api: &ir::Api, body: &ir::Body) -> TokenStream {
    let send = |media: &ir::BodyMedia, value: TokenStream| {
        let media_type = &media.media_type;
        match media.encoding {
            ir::Encoding::Json if is_plain_json(media) => quote!(request.json(#value)),
            ir::Encoding::Json => quote!(request.json_as(#media_type, #value)),
            ir::Encoding::Form => quote!(request.form(#value)),
            ir::Encoding::Text => quote!(request.text(#media_type, #value)),
            ir::Encoding::Binary => quote!(request.binary(#media_type, #value)),
            ir::Encoding::Xml => {
                let root = media.xml_root.as_deref().unwrap_or("body");
                let shape = super::xml::shape(api, &media.ty, ModelPath::Super, 0);
                quote!(request.xml(#media_type, #root, const { #shape }, #value))
            }
            ir::Encoding::Multipart => {
                let form = multipart_form(api, &media.ty, &value);
                quote!(request.multipart(#form))
            }
        }
    };
    let sent = match (&body.enum_name, body.media.as_slice()) {
        (Some(name), media) => {
            let name = ident(name);
            let arms = media.iter().map(|it| {
                let variant = ident(&it.variant);
                let call = send(it, quote!(it));
                quote!(#name::#variant(it) => #call,)
            });
            quote!(match body { #(#arms)* })
        }
        (None, [media]) => send(media, quote!(body)),
        (None, _) => unreachable!("generator bug: a body has one media type or an enum"),
    };
    if body.required {
        quote!(let request = #sent;)
    } else {
        quote! {
            let request = match body {
                Some(body) => #sent,
                None => request,
            };
        }
    }
}

/// The struct a use of `ty` names, through aliases (one type per shape makes a body's struct an
/// alias of another name's).
fn struct_named<'a>(api: &'a ir::Api, mut ty: &'a ir::TypeRef) -> Option<&'a ir::Struct> {
    // Aliases never form a cycle (those become newtypes); the bound only makes that certain.
    for _ in 0..=api.models.len() {
        let ir::TypeRef::Named(name) = ty else { return None };
        // The models are sorted by Rust name.
        let idx = api.models.binary_search_by(|it| it.rust_name.as_str().cmp(name)).ok()?;
        match &api.models[idx].kind {
            ir::ModelKind::Struct(strukt) => return Some(strukt),
            ir::ModelKind::Alias(target) => ty = target,
            _ => return None,
        }
    }
    None
}

/// A `multipart/form-data` form of `value`: a struct's fields a part each (files as file
/// parts), any other value's properties as the runtime finds them.
fn multipart_form(api: &ir::Api, ty: &ir::TypeRef, value: &TokenStream) -> TokenStream {
    let Some(strukt) = struct_named(api, ty) else {
        return quote!(crate::runtime::Multipart::new().fields(#value));
    };
    let parts = strukt.fields.iter().map(|field| {
        let wire = &field.wire_name;
        let name = ident(&field.rust_name);
        let inner = match &field.ty {
            ir::TypeRef::Nullable(inner) => inner,
            ty => ty,
        };
        let optional = !field.required || matches!(field.ty, ir::TypeRef::Nullable(_));
        match (inner, optional) {
            (ir::TypeRef::Binary, false) => quote!(.file(#wire, &#value.#name)),
            (ir::TypeRef::Binary, true)
                if !field.required && matches!(field.ty, ir::TypeRef::Nullable(_)) =>
            {
                quote!(.file_opt(#wire, #value.#name.as_ref().and_then(Option::as_ref)))
            }
            (ir::TypeRef::Binary, true) => quote!(.file_opt(#wire, #value.#name.as_ref())),
            (ir::TypeRef::Vec(item), false) if **item == ir::TypeRef::Binary => {
                quote!(.files(#wire, &#value.#name))
            }
            // Optional and nullable: `Option<Option<Vec<Binary>>>`.
            (ir::TypeRef::Vec(item), true)
                if **item == ir::TypeRef::Binary
                    && !field.required
                    && matches!(field.ty, ir::TypeRef::Nullable(_)) =>
            {
                quote!(.files(#wire, #value.#name.as_ref().and_then(Option::as_deref).unwrap_or_default()))
            }
            (ir::TypeRef::Vec(item), true) if **item == ir::TypeRef::Binary => {
                quote!(.files(#wire, #value.#name.as_deref().unwrap_or_default()))
            }
            _ => quote!(.part(#wire, &#value.#name)),
        }
    });
    quote!(crate::runtime::Multipart::new() #(#parts)*)
}

/// The path's segments: literals as strings, string parameters as they are, others through
/// `ToParam`, and segments that mix them concatenated. The runtime percent-encodes each segment.
fn path_segments(op: &ir::Operation) -> Vec<TokenStream> {
    let is_string = |name: &str| {
        op.params.iter().any(|it| {
            it.location == ir::ParamLocation::Path
                && it.rust_name == name
                && it.ty == ir::TypeRef::String
        })
    };
    op.segments
        .iter()
        .map(|segment| {
            let parts: Vec<_> = segment
                .iter()
                .map(|part| match part {
                    ir::PathPart::Literal(text) => quote!(#text),
                    ir::PathPart::Param(name) if is_string(name) => {
                        let name = ident(name);
                        quote!(#name)
                    }
                    ir::PathPart::Param(name) => {
                        let name = ident(name);
                        quote!(#name.to_param().as_str())
                    }
                })
                .collect();
            match parts.as_slice() {
                [only] => quote!(#only),
                _ => quote!(&[#(#parts),*].concat()),
            }
        })
        .collect()
}

pub(super) fn emit_operation_types(op: &ir::Operation) -> TokenStream {
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
        let outcome_doc =
            format!(" The successful outcomes of [`Client::{method}`], one per documented status.");
        let name = ident(name);
        let variants = op.successes.iter().map(|it| {
            let docs = match &it.description {
                Some(description) => doc(&format!("{}: {description}", status_label(it.status))),
                None => doc(&format!("{}.", status_label(it.status))),
            };
            let variant = ident(&it.variant);
            match &it.ty {
                Some(ty) => {
                    let ty = type_tokens(ty, ModelPath::Super);
                    quote!(#docs #variant(#ty),)
                }
                None => quote!(#docs #variant,),
            }
        });
        let undocumented =
            (!op.successes.iter().any(|it| matches!(it.status, ir::Status::Range(_)))).then(|| {
                quote! {
                    /// A success status the spec does not document, with its body as received.
                    Undocumented(crate::runtime::RawResponse),
                }
            });
        quote! {
            #[doc = #outcome_doc]
            #[derive(Clone, Debug, PartialEq)]
            pub enum #name {
                #(#variants)*
                #undocumented
            }
        }
    });
    let error = op.error_name.as_ref().map(|name| {
        let error_doc =
            format!(" The error bodies of [`Client::{method}`], one per documented error status.");
        let name = ident(name);
        let variants = op.errors.iter().map(|it| {
            let doc = match it.status {
                ir::Status::Code(code) => format!(" {code}."),
                ir::Status::Range(digit) => format!(" Any {digit}xx status not listed above."),
                ir::Status::Default => " Any other error status.".to_owned(),
            };
            let variant = ident(&it.variant);
            let ty = type_tokens(&it.ty, ModelPath::Super);
            quote!(#[doc = #doc] #variant(#ty),)
        });
        let undocumented =
            (!op.errors.iter().any(|it| it.status == ir::Status::Default)).then(|| {
                quote! {
                    /// An error status the spec does not document, with its body as JSON.
                    Undocumented(::serde_json::Value),
                }
            });
        quote! {
            #[doc = #error_doc]
            #[derive(Clone, Debug, PartialEq)]
            pub enum #name {
                #(#variants)*
                #undocumented
            }
        }
    });
    let body = op.body.as_ref().and_then(|body| {
        let name = ident(body.enum_name.as_ref()?);
        let body_doc = format!(
            " The request body of [`Client::{method}`], in each media type it may be sent as."
        );
        let variants = body.media.iter().map(|it| {
            let docs = doc(&markdown::code_span(&it.media_type));
            let variant = ident(&it.variant);
            let ty = type_tokens(&it.ty, ModelPath::Super);
            quote!(#docs #variant(#ty),)
        });
        Some(quote! {
            #[doc = #body_doc]
            #[derive(Clone, Debug, PartialEq)]
            pub enum #name {
                #(#variants)*
            }
        })
    });
    quote!(#params #outcome #error #body)
}
