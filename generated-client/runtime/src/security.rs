//! Security schemes: the credentials a client holds, each for a scheme the spec declares (by the
//! name the spec gives it), and, for each call, the requirement they satisfy.
//!
//! An operation's requirements are alternatives (any one will do); the schemes of one
//! requirement all go together; an empty requirement means the call may go without
//! credentials. A call is sent with the first requirement whose every scheme has a
//! credential, else with none when one of its requirements is empty, else not at all: it fails
//! before sending, naming what it needs. An operation the spec states no requirement for
//! sends every credential the client has. A bearer scheme (`http` `bearer`, `oauth2`,
//! `openIdConnect`) without a credential of its own takes the client's bearer token
//! ([`ClientBuilder::bearer_token`](crate::ClientBuilder::bearer_token) or
//! [`ClientBuilder::oauth_refresh`](crate::ClientBuilder::oauth_refresh)).

use std::{collections::BTreeMap, fmt, sync::Arc};

use base64::{Engine as _, engine::general_purpose::STANDARD};
use reqwest::header::{AUTHORIZATION, HeaderName, HeaderValue};

use crate::{
    OAuthRefresh,
    auth::{Auth, ClientCredentials, Grant, Refresher},
};

/// Where an API key goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyIn {
    /// A header.
    Header,
    /// A query parameter.
    Query,
    /// A cookie.
    Cookie,
}

/// What a security scheme takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SchemeKind {
    /// An API key, sent in the parameter `name` of `location`.
    ApiKey {
        /// Header, query or cookie.
        location: KeyIn,
        /// The parameter's name.
        name: &'static str,
    },
    /// HTTP basic authentication: a username and a password.
    Basic,
    /// A bearer token in `Authorization`: `http` `bearer`, `oauth2`, `openIdConnect`.
    Bearer,
}

/// A security scheme of a spec, as generated code declares it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Scheme {
    /// Its name in the spec's `components.securitySchemes`.
    pub name: &'static str,
    /// What it takes.
    pub kind: SchemeKind,
}

/// Where a bearer scheme's tokens come from.
#[derive(Clone)]
pub struct TokenSource(Source);

#[derive(Clone)]
enum Source {
    Static(String),
    Grant(Grant),
}

impl TokenSource {
    /// The same token on every request.
    pub fn token(token: impl Into<String>) -> TokenSource {
        TokenSource(Source::Static(token.into()))
    }

    /// OAuth access tokens from a refresh token (see [`OAuthRefresh`]).
    pub fn refresh(grant: OAuthRefresh) -> TokenSource {
        TokenSource(Source::Grant(Grant::Refresh(grant)))
    }

    /// OAuth access tokens from the client-credentials grant (see [`ClientCredentials`]).
    pub fn client_credentials(grant: ClientCredentials) -> TokenSource {
        TokenSource(Source::Grant(Grant::ClientCredentials(grant)))
    }
}

impl From<String> for TokenSource {
    fn from(token: String) -> TokenSource {
        TokenSource::token(token)
    }
}

impl From<&str> for TokenSource {
    fn from(token: &str) -> TokenSource {
        TokenSource::token(token)
    }
}

impl From<OAuthRefresh> for TokenSource {
    fn from(grant: OAuthRefresh) -> TokenSource {
        TokenSource::refresh(grant)
    }
}

impl From<ClientCredentials> for TokenSource {
    fn from(grant: ClientCredentials) -> TokenSource {
        TokenSource::client_credentials(grant)
    }
}

impl fmt::Debug for TokenSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Source::Static(_) => f.write_str("TokenSource::Static(<redacted>)"),
            Source::Grant(grant) => f.debug_tuple("TokenSource").field(grant).finish(),
        }
    }
}

/// A credential for one security scheme.
#[derive(Clone)]
pub enum Credential {
    /// An API key.
    ApiKey(String),
    /// A username and a password, for HTTP basic authentication.
    Basic {
        /// The username.
        username: String,
        /// The password.
        password: String,
    },
    /// Bearer tokens.
    Token(TokenSource),
}

impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credential::ApiKey(_) => f.write_str("ApiKey(<redacted>)"),
            Credential::Basic { username, .. } => f
                .debug_struct("Basic")
                .field("username", username)
                .field("password", &"<redacted>")
                .finish(),
            Credential::Token(source) => f.debug_tuple("Token").field(source).finish(),
        }
    }
}

/// A credential ready to send.
#[derive(Clone)]
pub(crate) enum Applied {
    Header(HeaderName, HeaderValue),
    /// A query parameter: its name and value.
    Query(String, String),
    /// A cookie, `name=value`.
    Cookie(String),
    Token(Auth),
}

impl fmt::Debug for Applied {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Applied::Header(name, _) => write!(f, "Header({name}: <redacted>)"),
            Applied::Query(name, _) => write!(f, "Query({name}=<redacted>)"),
            Applied::Cookie(_) => f.write_str("Cookie(<redacted>)"),
            Applied::Token(auth) => f.debug_tuple("Token").field(auth).finish(),
        }
    }
}

/// The credentials of a client: the bearer token it sends where no scheme says otherwise, and
/// one credential per scheme it was given. Shared by its clones.
#[derive(Clone, Debug, Default)]
pub(crate) struct Credentials {
    pub(crate) default: Option<Auth>,
    schemes: &'static [Scheme],
    by_scheme: BTreeMap<&'static str, Applied>,
}

/// What a call sends: the bearer token (refreshed by the call as needed) and the rest.
#[derive(Debug, Default)]
pub(crate) struct Chosen {
    pub(crate) auth: Option<Auth>,
    pub(crate) other: Vec<Applied>,
}

impl Credentials {
    /// The credentials `given` for the `schemes` of a spec, checked: each for a scheme the spec
    /// declares, of the kind the scheme takes, sendable in a header or a URL.
    pub(crate) fn new(
        default: Option<Auth>,
        schemes: &'static [Scheme],
        given: Vec<(&'static str, Credential)>,
    ) -> Result<Credentials, String> {
        let mut by_scheme = BTreeMap::new();
        for (name, credential) in given {
            let scheme = schemes.iter().find(|it| it.name == name).ok_or_else(|| {
                format!("a credential for `{name}`, which is not a security scheme of the spec")
            })?;
            by_scheme.insert(scheme.name, apply(scheme, credential)?);
        }
        Ok(Credentials { default, schemes, by_scheme })
    }

    /// Whether any credential would be sent: a client that has one must talk to its server
    /// over https.
    pub(crate) fn is_empty(&self) -> bool {
        self.default.is_none() && self.by_scheme.is_empty()
    }

    /// What a call with the security `requirements` sends; `Err` naming what it needs when no
    /// requirement is met. `None` (the spec says nothing of security) sends every credential
    /// the client has.
    pub(crate) fn choose(
        &self,
        requirements: Option<&'static [&'static [&'static str]]>,
    ) -> Result<Chosen, String> {
        let Some(requirements) = requirements else {
            // The spec says nothing of security: what the caller gave is what it wants sent.
            let mut chosen = Chosen { auth: self.default.clone(), other: Vec::new() };
            for it in self.by_scheme.values() {
                match it {
                    Applied::Token(auth) => {
                        chosen.auth.get_or_insert_with(|| auth.clone());
                    }
                    other => chosen.other.push(other.clone()),
                }
            }
            return Ok(chosen);
        };
        for requirement in requirements.iter().filter(|it| !it.is_empty()) {
            let applied: Option<Vec<Applied>> =
                requirement.iter().map(|name| self.credential(name)).collect();
            if let Some(applied) = applied {
                let mut chosen = Chosen::default();
                for it in applied {
                    match it {
                        Applied::Token(auth) => chosen.auth = Some(auth),
                        other => chosen.other.push(other),
                    }
                }
                return Ok(chosen);
            }
        }
        if requirements.is_empty() || requirements.iter().any(|it| it.is_empty()) {
            return Ok(Chosen::default());
        }
        let options: Vec<String> = requirements
            .iter()
            .map(|it| it.iter().map(|name| format!("`{name}`")).collect::<Vec<_>>().join(" with "))
            .collect();
        Err(format!(
            "the call needs credentials for {}, and the client has none that do: give them to its builder; nothing was sent",
            options.join(", or ")
        ))
    }

    /// The credential for the scheme `name`, or the bearer token for a bearer scheme.
    fn credential(&self, name: &str) -> Option<Applied> {
        if let Some(it) = self.by_scheme.get(name) {
            return Some(it.clone());
        }
        let scheme = self.schemes.iter().find(|it| it.name == name)?;
        match (scheme.kind, &self.default) {
            (SchemeKind::Bearer, Some(auth)) => Some(Applied::Token(auth.clone())),
            _ => None,
        }
    }
}

/// The credential for `scheme`, ready to send.
fn apply(scheme: &Scheme, credential: Credential) -> Result<Applied, String> {
    let name = scheme.name;
    let sensitive = |text: &str, what: &str| {
        let mut value = HeaderValue::from_str(text).map_err(|_| {
            format!("the {what} for `{name}` contains characters a header cannot carry")
        })?;
        value.set_sensitive(true);
        Ok::<_, String>(value)
    };
    match (scheme.kind, credential) {
        (SchemeKind::ApiKey { location, name: param }, Credential::ApiKey(key)) => {
            Ok(match location {
                KeyIn::Header => {
                    let header = HeaderName::from_bytes(param.as_bytes()).map_err(|_| {
                        format!(
                            "the spec's header name `{param}` for `{name}` is not a header name"
                        )
                    })?;
                    Applied::Header(header, sensitive(&key, "API key")?)
                }
                KeyIn::Query => Applied::Query(param.to_owned(), key),
                KeyIn::Cookie => {
                    let fits = |it: &str| {
                        !it.is_empty()
                            && it.bytes().all(|b| b.is_ascii_graphic() && !b";,=\"\\".contains(&b))
                    };
                    if !fits(param) {
                        return Err(format!(
                            "the spec's cookie name `{param}` for `{name}` is not a cookie name"
                        ));
                    }
                    if !key.bytes().all(|b| b.is_ascii_graphic() && !b";,\"\\".contains(&b)) {
                        return Err(format!(
                            "the API key for `{name}` contains characters a cookie cannot carry"
                        ));
                    }
                    Applied::Cookie(format!("{param}={key}"))
                }
            })
        }
        (SchemeKind::Basic, Credential::Basic { username, password }) => {
            if username.contains(':') {
                return Err(format!(
                    "the username for `{name}` contains `:`, which basic authentication cannot carry"
                ));
            }
            let encoded = STANDARD.encode(format!("{username}:{password}"));
            Ok(Applied::Header(AUTHORIZATION, sensitive(&format!("Basic {encoded}"), "password")?))
        }
        (SchemeKind::Bearer, Credential::Token(TokenSource(source))) => {
            Ok(Applied::Token(match source {
                Source::Static(token) => {
                    Auth::Static(sensitive(&format!("Bearer {token}"), "token")?)
                }
                Source::Grant(grant) => Auth::OAuth(Arc::new(Refresher::new(grant)?)),
            }))
        }
        (kind, credential) => {
            let wants = match kind {
                SchemeKind::ApiKey { .. } => "an API key",
                SchemeKind::Basic => "a username and a password",
                SchemeKind::Bearer => "bearer tokens",
            };
            let got = match credential {
                Credential::ApiKey(_) => "an API key",
                Credential::Basic { .. } => "a username and a password",
                Credential::Token(_) => "bearer tokens",
            };
            Err(format!("`{name}` takes {wants}, not {got}"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Credential, Credentials, KeyIn, Scheme, SchemeKind, TokenSource};

    const SCHEMES: &[Scheme] = &[
        Scheme { name: "key", kind: SchemeKind::ApiKey { location: KeyIn::Header, name: "X-Key" } },
        Scheme { name: "app", kind: SchemeKind::ApiKey { location: KeyIn::Query, name: "app_id" } },
        Scheme { name: "basic", kind: SchemeKind::Basic },
        Scheme { name: "oauth", kind: SchemeKind::Bearer },
    ];

    fn with(given: Vec<(&'static str, Credential)>) -> Credentials {
        Credentials::new(None, SCHEMES, given).unwrap()
    }

    #[test]
    fn the_first_requirement_met_is_sent() {
        let key = ("key", Credential::ApiKey("k".to_owned()));
        let app = ("app", Credential::ApiKey("a".to_owned()));
        let both: &[&[&str]] = &[&["basic"], &["key", "app"], &["key"]];
        let chosen = with(vec![key.clone(), app]).choose(Some(both)).unwrap();
        assert_eq!(chosen.other.len(), 2);
        let chosen = with(vec![key]).choose(Some(both)).unwrap();
        assert_eq!(chosen.other.len(), 1);
        let err = with(Vec::new()).choose(Some(both)).unwrap_err();
        assert!(err.contains("`basic`, or `key` with `app`, or `key`"), "{err}");
        // An empty requirement: without credentials rather than not at all.
        let optional: &[&[&str]] = &[&["key"], &[]];
        assert!(with(Vec::new()).choose(Some(optional)).unwrap().other.is_empty());
        // No requirement at all: nothing, not even the bearer token.
        let none: &[&[&str]] = &[];
        let default = Credentials::new(
            Some(crate::auth::Auth::Static(reqwest::header::HeaderValue::from_static("Bearer t"))),
            SCHEMES,
            Vec::new(),
        )
        .unwrap();
        let chosen = default.choose(Some(none)).unwrap();
        assert!(chosen.auth.is_none() && chosen.other.is_empty());
        // A bearer scheme takes the client's bearer token.
        let oauth: &[&[&str]] = &[&["oauth"]];
        assert!(default.choose(Some(oauth)).unwrap().auth.is_some());
        assert!(default.choose(None).unwrap().auth.is_some());
        // No requirement anywhere: every credential given goes.
        let key = ("key", Credential::ApiKey("k".to_owned()));
        assert_eq!(with(vec![key]).choose(None).unwrap().other.len(), 1);
    }

    #[test]
    fn credentials_of_the_wrong_kind_or_scheme_are_refused() {
        let err = Credentials::new(None, SCHEMES, vec![("basic", Credential::ApiKey("k".into()))])
            .unwrap_err();
        assert_eq!(err, "`basic` takes a username and a password, not an API key");
        let err = Credentials::new(None, SCHEMES, vec![("nope", Credential::ApiKey("k".into()))])
            .unwrap_err();
        assert!(err.contains("not a security scheme"), "{err}");
        let err = Credentials::new(None, SCHEMES, vec![("key", Credential::ApiKey("a\nb".into()))])
            .unwrap_err();
        assert!(err.contains("cannot carry") && !err.contains("a\nb"), "{err}");
        let basic = Credential::Basic { username: "a:b".into(), password: "p".into() };
        assert!(Credentials::new(None, SCHEMES, vec![("basic", basic)]).is_err());
    }

    #[test]
    fn secrets_stay_out_of_debug() {
        let credentials = with(vec![
            ("key", Credential::ApiKey("s3cret-key".into())),
            ("app", Credential::ApiKey("s3cret-app".into())),
            ("basic", Credential::Basic { username: "ann".into(), password: "s3cret-pw".into() }),
            ("oauth", Credential::Token(TokenSource::token("s3cret-token"))),
        ]);
        let text = format!("{credentials:?} {:?}", Credential::Token("s3cret-token".into()));
        assert!(!text.contains("s3cret"), "{text}");
    }
}
