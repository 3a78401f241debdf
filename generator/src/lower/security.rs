//! Security schemes and requirements: the credentials a client takes (one setter per scheme
//! of `components.securitySchemes`) and what each operation sends (its `security`, or the
//! document's).

use openapiv3::{APIKeyLocation, OpenAPI, ReferenceOr, SecurityRequirement, SecurityScheme};

use super::{Lower, claim_name};
use crate::{diagnostic::Kind, ir, markdown::code_span, names, names::Scope, pointer::JsonPointer};

/// The methods of the runtime's `ClientBuilder`: a setter of the same name would be hidden by
/// them (inherent methods come first), so none is given it.
const BUILDER_METHODS: &[&str] = &[
    "new",
    "retry_policy",
    "rate_limit",
    "starting_rate_limit",
    "max_response_size",
    "bearer_token",
    "oauth_refresh",
    "security_schemes",
    "credential",
    "base_url",
    "timeout",
    "without_timeout",
    "connect_timeout",
    "user_agent",
    "http_client",
    "build",
    "clone",
    "fmt",
];

impl<'a> Lower<'a, '_> {
    /// The security schemes the client takes credentials for, each with its setter; reports
    /// the ones it cannot send (HTTP schemes other than `basic` and `bearer`, references).
    pub(super) fn lower_security_schemes(&mut self, doc: &'a OpenAPI) -> Vec<ir::SecurityScheme> {
        let Some(components) = &doc.components else { return Vec::new() };
        let mut scope = Scope::default();
        for it in BUILDER_METHODS {
            scope.reserve(it, "a method of `ClientBuilder`");
        }
        let mut res = Vec::new();
        // In the order of their names: the output does not depend on the order of the map.
        let mut sorted: Vec<_> = components.security_schemes.iter().collect();
        sorted.sort_by(|a, b| a.0.cmp(b.0));
        for (name, scheme) in sorted {
            let ptr = JsonPointer::root().join("components").join("securitySchemes").join(name);
            let scheme = match scheme {
                ReferenceOr::Item(it) => it,
                ReferenceOr::Reference { reference } => {
                    self.acc
                        .warning(
                            Kind::Unsupported,
                            ptr.join("$ref"),
                            format!(
                                "unsupported: security scheme `{name}` by `$ref` `{reference}`"
                            ),
                        )
                        .set_note("the client takes no credential for it: write the scheme out");
                    continue;
                }
            };
            let (kind, what, description) = match scheme {
                SecurityScheme::APIKey { location, name: param, description, .. } => {
                    let (location, place) = match location {
                        APIKeyLocation::Header => (ir::KeyLocation::Header, "header"),
                        APIKeyLocation::Query => (ir::KeyLocation::Query, "query parameter"),
                        APIKeyLocation::Cookie => (ir::KeyLocation::Cookie, "cookie"),
                    };
                    let what = format!("An API key, sent in the {place} {}.", code_span(param));
                    (ir::SchemeKind::ApiKey { location, name: param.clone() }, what, description)
                }
                SecurityScheme::HTTP { scheme, description, bearer_format, .. } => {
                    match scheme.to_ascii_lowercase().as_str() {
                        "basic" => (
                            ir::SchemeKind::Basic,
                            "A username and a password, sent with HTTP basic authentication."
                                .to_owned(),
                            description,
                        ),
                        "bearer" => {
                            let format = bearer_format
                                .as_ref()
                                .map(|it| format!(" ({})", code_span(it)))
                                .unwrap_or_default();
                            let what = format!(
                                "Bearer tokens{format}, sent as `Authorization: Bearer <token>`."
                            );
                            (ir::SchemeKind::Bearer, what, description)
                        }
                        _ => {
                            self.acc
                                .warning(
                                    Kind::Unsupported,
                                    ptr.join("scheme"),
                                    format!("unsupported: security scheme `{name}`: HTTP `{scheme}` authentication"),
                                )
                                .set_note("the client takes no credential for it; add the header yourself (as a default header of a `reqwest::Client` given to `ClientBuilder::http_client`)");
                            continue;
                        }
                    }
                }
                SecurityScheme::OAuth2 { flows, description, .. } => {
                    let token_url = flows
                        .client_credentials
                        .as_ref()
                        .map(|it| {
                            format!(
                                " Its client-credentials token URL is {}.",
                                code_span(&it.token_url)
                            )
                        })
                        .unwrap_or_default();
                    let what = format!(
                        "OAuth 2 access tokens, sent as `Authorization: Bearer <token>`: a token, or a `ClientCredentials` or `OAuthRefresh` grant that the client refreshes.{token_url}"
                    );
                    (ir::SchemeKind::Bearer, what, description)
                }
                SecurityScheme::OpenIDConnect { open_id_connect_url, description, .. } => {
                    let what = format!(
                        "OpenID Connect access tokens (from {}), sent as `Authorization: Bearer <token>`.",
                        code_span(open_id_connect_url)
                    );
                    (ir::SchemeKind::Bearer, what, description)
                }
            };
            let fix = "rename the scheme to choose";
            let setter = claim_name(
                self.acc,
                &mut scope,
                &names::value_name(name),
                name,
                "credential setter",
                &ptr,
                fix,
            );
            let docs = ir::Docs {
                summary: Some(what),
                description: description.clone().filter(|it| !it.trim().is_empty()),
                notes: Vec::new(),
            };
            res.push(ir::SecurityScheme { wire_name: name.clone(), setter, kind, docs });
        }
        res
    }

    /// What an operation at `ptr` sends: its own requirements, else the document's; `None`
    /// when neither says (the client then sends its bearer token, if it has one). Requirements
    /// that name a scheme the client takes no credential for are reported and dropped.
    pub(super) fn requirements(
        &mut self,
        own: Option<&'a Vec<SecurityRequirement>>,
        ptr: &JsonPointer,
    ) -> Option<Vec<Vec<String>>> {
        let (requirements, at) = match (own, self.global_security) {
            (Some(it), _) => (it, ptr.join("security")),
            (None, Some(it)) => (it, JsonPointer::root().join("security")),
            (None, None) => return None,
        };
        let mut res = Vec::new();
        for (idx, requirement) in requirements.iter().enumerate() {
            let unknown: Vec<&String> =
                requirement.keys().filter(|it| !self.scheme_names.contains(*it)).collect();
            if let Some(first) = unknown.first() {
                // Said once per place in the spec: the document's requirements are shared.
                if self.reported_requirements.insert(at.join(idx).to_string()) {
                    self.acc
                        .warning(
                            Kind::Unsupported,
                            at.join(idx),
                            format!("security requirement naming `{first}`, a scheme the client takes no credential for"),
                        )
                        .set_note("the requirement is left out: calls send the credentials of another one, or go without (the caller may add its own, as a default header of a `reqwest::Client` given to `ClientBuilder::http_client`)");
                }
                continue;
            }
            let mut names: Vec<String> = requirement.keys().cloned().collect();
            names.sort();
            res.push(names);
        }
        // Requirements all left out: say nothing, and send what the client has as without any.
        if res.is_empty() && !requirements.is_empty() {
            return None;
        }
        // One left out: the caller may send its credentials by other means (a default header
        // of the HTTP client), so the call may also go without those the client holds.
        if res.len() < requirements.len() && !res.iter().any(Vec::is_empty) {
            res.push(Vec::new());
        }
        Some(res)
    }
}
