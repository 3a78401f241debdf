//! The HTTP client that generated methods build their requests with.

use std::{fmt, marker::PhantomData, time::Duration};

use bytes::{Bytes, BytesMut};
use reqwest::{
    Method, StatusCode, Url,
    header::{
        ACCEPT, AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue,
    },
};
use serde::Serialize;

use tracing::Instrument as _;

use crate::{
    Attempts, Error, OAuthRefresh, RateLimit, RawResponse, RetryPolicy, StopReason, ToParam,
    auth::{self, Auth, Refresher},
    param,
    ratelimit::{Limited, Limiter},
    retry::{self, Verdict},
};

/// How long a request may take, connection and whole body included, unless told otherwise.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// How large a response body may be, unless told otherwise: 64 MiB.
pub const DEFAULT_MAX_RESPONSE_SIZE: usize = 64 << 20;

/// An API client: the base URL, the credentials, and a pool of connections.
///
/// Cloning is cheap and clones share the pool. A generated crate wraps it in a `Client` of its
/// own, which adds one method per operation and dereferences to this one: its methods, such as
/// [`Client::request`] for a call the spec does not describe, are there too.
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    base_url: Url,
    auth: Option<Auth>,
    max_response_size: usize,
    retry: RetryPolicy,
    limiter: Option<Limiter>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.base_url.as_str())
            .field("auth", &self.auth)
            .field("retry", &self.retry)
            .field("rate_limited", &self.limiter.is_some())
            .finish_non_exhaustive()
    }
}

impl Client {
    /// The URL every request path is appended to.
    pub fn base_url(&self) -> &Url {
        &self.base_url
    }

    /// Starts a request to the path made of `segments`, each percent-encoded as one segment.
    ///
    /// A segment that is `.` or `..` cannot be sent as it is (a URL reads it as "this" or "the
    /// parent" directory, even percent-encoded), so the request fails with
    /// [`Error::InvalidRequest`] rather than go elsewhere.
    pub fn request(&self, method: Method, segments: &[&str]) -> RequestBuilder {
        let encoded: Vec<String> = segments.iter().map(|it| param::encode_segment(it)).collect();
        self.request_encoded(method, &encoded)
    }

    /// Starts a request to the path made of `segments`, percent-encoded already (by
    /// [`param::path`] or [`param::encode_segment`]), as generated methods with styled path
    /// parameters build them.
    pub fn request_encoded(&self, method: Method, segments: &[String]) -> RequestBuilder {
        let mut path = self.base_url.path().trim_end_matches('/').to_owned();
        let mut invalid = None;
        for segment in segments {
            // Unreserved, `.` is never encoded, so a dot segment looks the same encoded.
            if matches!(segment.as_str(), "." | "..") {
                invalid = Some(format!(
                    "the path segment `{segment}` would be read as a relative path; nothing was sent"
                ));
            }
            path.push('/');
            path.push_str(segment);
        }
        let mut url = self.base_url.clone();
        url.set_path(&path);
        let path = url.path().to_owned();
        let inner = self.http.request(method.clone(), url).header(ACCEPT, "application/json");
        RequestBuilder {
            inner,
            auth: self.auth.clone(),
            method,
            path,
            query: Vec::new(),
            cookies: Vec::new(),
            invalid,
            max_response_size: self.max_response_size,
            operation: "",
            retryable: None,
            retry: self.retry.clone(),
            limiter: self.limiter.clone(),
        }
    }
}

/// Configures a client, and builds it as a `C`: a generated crate's own `Client`, which wraps
/// this runtime's [`Client`] and adds one method per operation. Its `Client::builder()` starts
/// one with the spec's server.
#[derive(Clone)]
pub struct ClientBuilder<C = Client> {
    base_url: String,
    token: Option<String>,
    timeout: Option<Duration>,
    connect_timeout: Option<Duration>,
    user_agent: String,
    http: Option<reqwest::Client>,
    max_response_size: usize,
    retry: RetryPolicy,
    oauth: Option<OAuthRefresh>,
    /// The limit, and whether it is the user's ceiling rather than a provisional start.
    rate_limit: Option<(u32, Duration, bool)>,
    client: PhantomData<fn() -> C>,
}

impl<C> fmt::Debug for ClientBuilder<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("base_url", &self.base_url)
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .field("oauth", &self.oauth)
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("user_agent", &self.user_agent)
            .field("max_response_size", &self.max_response_size)
            .field("retry", &self.retry)
            .field("rate_limit", &self.rate_limit)
            .finish_non_exhaustive()
    }
}

impl<C: From<Client>> ClientBuilder<C> {
    /// A builder for a client of the server at `base_url` (`https://api.hubapi.com`, say).
    pub fn new(base_url: impl Into<String>) -> ClientBuilder<C> {
        ClientBuilder {
            base_url: base_url.into(),
            token: None,
            timeout: Some(DEFAULT_TIMEOUT),
            connect_timeout: None,
            user_agent: concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION")).to_owned(),
            http: None,
            max_response_size: DEFAULT_MAX_RESPONSE_SIZE,
            retry: RetryPolicy::default(),
            oauth: None,
            rate_limit: None,
            client: PhantomData,
        }
    }

    /// How calls are retried ([`RetryPolicy::default`] unless told otherwise;
    /// [`RetryPolicy::disabled`] makes every call one attempt). Only operations that are safe
    /// to repeat are ever retried.
    pub fn retry_policy(mut self, policy: RetryPolicy) -> ClientBuilder<C> {
        self.retry = policy;
        self
    }

    /// Sends at most `max` requests per `interval` (given as `(max, interval)`), in all clones
    /// of the client together, waiting for a slot rather than being refused: HubSpot's private
    /// apps get 100 or 190 per 10 s, by plan, shared by every app of the account. This is a
    /// ceiling: the limit the server states in its `X-HubSpot-RateLimit-*` headers is kept
    /// too (as the pair it is, its maximum per its interval), the requests the server says
    /// remain are never exceeded, and its 429s pause the limiter. `None` sends without a
    /// limiter.
    pub fn rate_limit(mut self, limit: impl Into<Option<(u32, Duration)>>) -> ClientBuilder<C> {
        self.rate_limit = limit.into().map(|(max, interval)| (max, interval, true));
        self
    }

    /// Starts the limiter at `max` requests per `interval`, and then follows the limit the
    /// server states, above or below it: for an API whose limit depends on the account (a
    /// generated crate starts so when its spec states the lowest limit with
    /// `x-rate-limit`). [`ClientBuilder::rate_limit`] replaces it.
    pub fn starting_rate_limit(mut self, max: u32, interval: Duration) -> ClientBuilder<C> {
        self.rate_limit = Some((max, interval, false));
        self
    }

    /// The largest response body the client reads, in bytes ([`DEFAULT_MAX_RESPONSE_SIZE`]
    /// by default). A larger one fails the call with [`Error::TooLarge`], which keeps the status,
    /// the headers and the first `limit` bytes: a server cannot make the client hold more.
    pub fn max_response_size(mut self, limit: usize) -> ClientBuilder<C> {
        self.max_response_size = limit;
        self
    }

    /// Sends `Authorization: Bearer <token>` with every request: an OAuth access token or a
    /// private-app access token. Replaces [`ClientBuilder::oauth_refresh`].
    pub fn bearer_token(mut self, token: impl Into<String>) -> ClientBuilder<C> {
        self.token = Some(token.into());
        self.oauth = None;
        self
    }

    /// Sends OAuth access tokens got with a refresh token: the first when the first request
    /// goes, a new one shortly before the lifetime the token endpoint stated runs out, and a
    /// new one (then the request once more) when the API answers 401 with
    /// `EXPIRED_AUTHENTICATION`. Clones of the client share the token and refresh it one at
    /// a time. Replaces [`ClientBuilder::bearer_token`].
    pub fn oauth_refresh(mut self, grant: OAuthRefresh) -> ClientBuilder<C> {
        self.oauth = Some(grant);
        self.token = None;
        self
    }

    /// Replaces the server, for a proxy or a test server.
    pub fn base_url(mut self, base_url: impl Into<String>) -> ClientBuilder<C> {
        self.base_url = base_url.into();
        self
    }

    /// How long each attempt may take, reading the response included (60 s by default).
    pub fn timeout(mut self, timeout: Duration) -> ClientBuilder<C> {
        self.timeout = Some(timeout);
        self
    }

    /// Lets an attempt take as long as the server does: no timeout but the retry policy's.
    pub fn without_timeout(mut self) -> ClientBuilder<C> {
        self.timeout = None;
        self
    }

    /// How long connecting may take (no limit of its own by default).
    pub fn connect_timeout(mut self, timeout: Duration) -> ClientBuilder<C> {
        self.connect_timeout = Some(timeout);
        self
    }

    /// The `User-Agent` header.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> ClientBuilder<C> {
        self.user_agent = user_agent.into();
        self
    }

    /// Uses a `reqwest::Client` configured by the caller; `timeout`, `connect_timeout` and
    /// `user_agent` are then the caller's to set on it.
    pub fn http_client(mut self, http: reqwest::Client) -> ClientBuilder<C> {
        self.http = Some(http);
        self
    }

    /// Checks the configuration and builds the client.
    pub fn build(self) -> Result<C, BuildError> {
        let base_url = Url::parse(&self.base_url).map_err(|err| {
            BuildError(format!("base URL `{}` is not a URL: {err}", self.base_url))
        })?;
        if !matches!(base_url.scheme(), "http" | "https") || base_url.cannot_be_a_base() {
            return Err(BuildError(format!("base URL `{}` is not an http(s) URL", self.base_url)));
        }
        // A spec names the default server, and a spec may come from anyone: a token is never
        // sent where anyone on the way can read it.
        if (self.token.is_some() || self.oauth.is_some()) && !is_safe_for_secrets(&base_url) {
            return Err(BuildError(format!(
                "a bearer token would be sent unencrypted to `{}`: use https (plain http is for loopback servers only)",
                self.base_url
            )));
        }
        let auth = match (&self.token, self.oauth) {
            (Some(token), _) => {
                let mut value =
                    HeaderValue::from_str(&format!("Bearer {token}")).map_err(|_| {
                        BuildError(
                            "the bearer token contains characters a header cannot carry".to_owned(),
                        )
                    })?;
                value.set_sensitive(true);
                Some(Auth::Static(value))
            }
            (None, Some(grant)) => {
                Some(Auth::OAuth(std::sync::Arc::new(Refresher::new(grant).map_err(BuildError)?)))
            }
            (None, None) => None,
        };
        let http = match self.http {
            Some(it) => it,
            None => {
                let mut builder = reqwest::Client::builder().user_agent(self.user_agent);
                if let Some(timeout) = self.timeout {
                    builder = builder.timeout(timeout);
                }
                if let Some(timeout) = self.connect_timeout {
                    builder = builder.connect_timeout(timeout);
                }
                builder.build().map_err(|err| {
                    BuildError(format!("the HTTP client could not be set up: {err}"))
                })?
            }
        };
        Ok(C::from(Client {
            http,
            base_url,
            auth,
            max_response_size: self.max_response_size,
            retry: self.retry,
            limiter: self
                .rate_limit
                .map(|(max, interval, ceiling)| Limiter::new(max, interval, ceiling)),
        }))
    }
}

/// Whether a secret may travel to `url`: over https, or over http to a loopback server.
pub(crate) fn is_safe_for_secrets(url: &Url) -> bool {
    let host = url.host_str().unwrap_or_default();
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let loopback = host.eq_ignore_ascii_case("localhost")
        || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback());
    url.scheme() == "https" || (url.scheme() == "http" && loopback)
}

/// Why a [`ClientBuilder`] could not build a client.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BuildError(String);

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for BuildError {}

/// A request under construction. Problems (a header value that cannot be sent, a body that
/// cannot be serialized) are kept and reported by [`RequestBuilder::send`].
#[derive(Debug)]
pub struct RequestBuilder {
    inner: reqwest::RequestBuilder,
    auth: Option<Auth>,
    /// For spans: the method, and the path without the query.
    method: Method,
    path: String,
    query: Vec<(String, String)>,
    /// `name=value` pairs of the `Cookie` header.
    cookies: Vec<String>,
    invalid: Option<String>,
    max_response_size: usize,
    /// The operation's name, for spans.
    operation: &'static str,
    /// Whether the request may be sent again; by its method when `None`.
    retryable: Option<bool>,
    retry: RetryPolicy,
    limiter: Option<Limiter>,
}

impl RequestBuilder {
    /// Names the operation in the call's span.
    pub fn operation(mut self, name: &'static str) -> RequestBuilder {
        self.operation = name;
        self
    }

    /// Says whether the request is safe to send again after a failure; by default, when its
    /// method is idempotent (`GET`, `HEAD`, `PUT`, `DELETE`, `OPTIONS`, `TRACE`). Generated
    /// methods say `true` for operations the spec marks `x-retryable: true`.
    pub fn retryable(mut self, retryable: bool) -> RequestBuilder {
        self.retryable = Some(retryable);
        self
    }

    /// Keeps the first problem: the request is not sent.
    fn invalid(mut self, problem: String) -> RequestBuilder {
        self.invalid.get_or_insert(problem);
        self
    }

    /// Adds a query parameter written in `style` ([`param::query`]): arrays and objects.
    pub fn query_styled<V: Serialize + ?Sized>(
        mut self,
        name: &str,
        value: &V,
        style: param::Style,
        explode: bool,
    ) -> RequestBuilder {
        match param::query(name, value, style, explode) {
            Ok(pairs) => {
                self.query.extend(pairs);
                self
            }
            Err(err) => self.invalid(format!("query parameter `{name}` {err}")),
        }
    }

    /// Adds a query parameter written in `style` when there is a value.
    pub fn query_styled_opt<V: Serialize + ?Sized>(
        self,
        name: &str,
        value: Option<&V>,
        style: param::Style,
        explode: bool,
    ) -> RequestBuilder {
        match value {
            Some(value) => self.query_styled(name, value, style, explode),
            None => self,
        }
    }

    /// Adds a query parameter written as JSON text (`content: application/json`).
    pub fn query_json<V: Serialize + ?Sized>(mut self, name: &str, value: &V) -> RequestBuilder {
        match param::json(value) {
            Ok(text) => {
                self.query.push((name.to_owned(), text));
                self
            }
            Err(err) => self.invalid(format!("query parameter `{name}` {err}")),
        }
    }

    /// Adds a query parameter written as JSON text when there is a value.
    pub fn query_json_opt<V: Serialize + ?Sized>(
        self,
        name: &str,
        value: Option<&V>,
    ) -> RequestBuilder {
        match value {
            Some(value) => self.query_json(name, value),
            None => self,
        }
    }

    /// Sets a header from an array or an object (`simple` style, [`param::header`]).
    pub fn header_styled<V: Serialize + ?Sized>(
        self,
        name: &'static str,
        value: &V,
        explode: bool,
    ) -> RequestBuilder {
        match param::header(value, explode) {
            Ok(text) => self.header(name, &text),
            Err(err) => self.invalid(format!("header `{name}` {err}")),
        }
    }

    /// Sets a header from an array or an object when there is a value.
    pub fn header_styled_opt<V: Serialize + ?Sized>(
        self,
        name: &'static str,
        value: Option<&V>,
        explode: bool,
    ) -> RequestBuilder {
        match value {
            Some(value) => self.header_styled(name, value, explode),
            None => self,
        }
    }

    /// Sets a header to a value written as JSON text (`content: application/json`).
    pub fn header_json<V: Serialize + ?Sized>(
        self,
        name: &'static str,
        value: &V,
    ) -> RequestBuilder {
        match param::json(value) {
            Ok(text) => self.header(name, &text),
            Err(err) => self.invalid(format!("header `{name}` {err}")),
        }
    }

    /// Sets a header to a value written as JSON text when there is a value.
    pub fn header_json_opt<V: Serialize + ?Sized>(
        self,
        name: &'static str,
        value: Option<&V>,
    ) -> RequestBuilder {
        match value {
            Some(value) => self.header_json(name, value),
            None => self,
        }
    }

    /// Adds a cookie (`form` style): `name=value` in the `Cookie` header.
    pub fn cookie<V: Serialize + ?Sized>(
        mut self,
        name: &str,
        value: &V,
        explode: bool,
    ) -> RequestBuilder {
        match param::query(name, value, param::Style::Form, explode) {
            Ok(pairs) => {
                self.cookies.extend(pairs.into_iter().map(|(k, v)| format!("{k}={v}")));
                self
            }
            Err(err) => self.invalid(format!("cookie `{name}` {err}")),
        }
    }

    /// Adds a cookie whose value is written as JSON text (`content: application/json`).
    pub fn cookie_json<V: Serialize + ?Sized>(self, name: &str, value: &V) -> RequestBuilder {
        match param::json(value) {
            Ok(text) => self.cookie(name, &text, false),
            Err(err) => self.invalid(format!("cookie `{name}` {err}")),
        }
    }

    /// Adds a cookie written as JSON text when there is a value.
    pub fn cookie_json_opt<V: Serialize + ?Sized>(
        self,
        name: &str,
        value: Option<&V>,
    ) -> RequestBuilder {
        match value {
            Some(value) => self.cookie_json(name, value),
            None => self,
        }
    }

    /// Adds a cookie when there is a value.
    pub fn cookie_opt<V: Serialize + ?Sized>(
        self,
        name: &str,
        value: Option<&V>,
        explode: bool,
    ) -> RequestBuilder {
        match value {
            Some(value) => self.cookie(name, value, explode),
            None => self,
        }
    }

    /// Adds `name=value` to the query.
    pub fn query<V: ToParam + ?Sized>(mut self, name: &str, value: &V) -> RequestBuilder {
        self.query.push((name.to_owned(), value.to_param()));
        self
    }

    /// Adds `name=value` to the query when there is a value.
    pub fn query_opt<V: ToParam + ?Sized>(self, name: &str, value: Option<&V>) -> RequestBuilder {
        match value {
            Some(value) => self.query(name, value),
            None => self,
        }
    }

    /// Adds an array to the query: `name=a&name=b` when `explode`, `name=a,b` otherwise.
    /// An empty array adds nothing.
    pub fn query_array<V: ToParam>(
        mut self,
        name: &str,
        values: &[V],
        explode: bool,
    ) -> RequestBuilder {
        if values.is_empty() {
            return self;
        }
        if explode {
            self.query.extend(values.iter().map(|it| (name.to_owned(), it.to_param())));
        } else {
            let joined = values.iter().map(ToParam::to_param).collect::<Vec<_>>().join(",");
            self.query.push((name.to_owned(), joined));
        }
        self
    }

    /// Adds an array to the query when there is one; see [`RequestBuilder::query_array`].
    pub fn query_array_opt<V: ToParam>(
        self,
        name: &str,
        values: Option<&[V]>,
        explode: bool,
    ) -> RequestBuilder {
        match values {
            Some(values) => self.query_array(name, values, explode),
            None => self,
        }
    }

    /// Sets a header.
    pub fn header<V: ToParam + ?Sized>(mut self, name: &'static str, value: &V) -> RequestBuilder {
        match HeaderValue::from_str(&value.to_param()) {
            Ok(value) => self.inner = self.inner.header(HeaderName::from_static(name), value),
            Err(_) => {
                self.invalid.get_or_insert(format!(
                    "the value of header `{name}` contains characters a header cannot carry"
                ));
            }
        }
        self
    }

    /// Sets a header when there is a value.
    pub fn header_opt<V: ToParam + ?Sized>(
        self,
        name: &'static str,
        value: Option<&V>,
    ) -> RequestBuilder {
        match value {
            Some(value) => self.header(name, value),
            None => self,
        }
    }

    /// Sends `body` as JSON.
    pub fn json<T: Serialize + ?Sized>(self, body: &T) -> RequestBuilder {
        self.json_as("application/json", body)
    }

    /// Sends `body` as JSON with another JSON media type (`application/merge-patch+json`, say).
    pub fn json_as<T: Serialize + ?Sized>(
        mut self,
        content_type: &'static str,
        body: &T,
    ) -> RequestBuilder {
        match serde_json::to_vec(body) {
            Ok(bytes) => {
                self.inner = self.inner.header(CONTENT_TYPE, content_type).body(bytes);
                self
            }
            Err(err) => self.invalid(format!("the request body could not be serialized: {err}")),
        }
    }

    /// Sends `body` as `application/x-www-form-urlencoded`: each property as `name=value`
    /// (arrays as one pair per item, nested objects as JSON text).
    pub fn form<T: Serialize + ?Sized>(mut self, body: &T) -> RequestBuilder {
        let value = match serde_json::to_value(body) {
            Ok(serde_json::Value::Object(map)) => map,
            Ok(_) => return self.invalid("a form body must be an object".to_owned()),
            Err(err) => {
                return self.invalid(format!("the request body could not be serialized: {err}"));
            }
        };
        let mut pairs = Vec::new();
        for (name, value) in value.iter().filter(|(_, it)| !it.is_null()) {
            match param::query(name, value, param::Style::Form, true) {
                Ok(it) => pairs.extend(it),
                Err(err) => return self.invalid(format!("form field `{name}` {err}")),
            }
        }
        self.inner = self.inner.form(&pairs);
        self
    }

    /// Sends `body` as text of the media type `content_type` (`text/plain`, `application/xml`…).
    pub fn text(mut self, content_type: &'static str, body: &str) -> RequestBuilder {
        self.inner = self.inner.header(CONTENT_TYPE, content_type).body(body.to_owned());
        self
    }

    /// Sends `body` as bytes, with its own media type or else `content_type`.
    pub fn binary(mut self, content_type: &'static str, body: &crate::Binary) -> RequestBuilder {
        let content_type = body.content_type.as_deref().unwrap_or(content_type);
        match HeaderValue::from_str(content_type) {
            Ok(value) => {
                self.inner = self.inner.header(CONTENT_TYPE, value).body(body.bytes.clone());
                self
            }
            Err(_) => self.invalid(format!("the media type `{content_type}` cannot be sent")),
        }
    }

    /// Sends a `multipart/form-data` body.
    pub fn multipart(mut self, form: crate::Multipart) -> RequestBuilder {
        match form.finish() {
            Ok(form) => {
                self.inner = self.inner.multipart(form);
                self
            }
            Err(problem) => self.invalid(problem),
        }
    }

    /// Sends `body` as JSON when there is one.
    pub fn json_opt<T: Serialize + ?Sized>(self, body: Option<&T>) -> RequestBuilder {
        match body {
            Some(body) => self.json(body),
            None => self,
        }
    }

    /// Sends the request and reads the whole response, up to the client's size limit; waits
    /// for the client's rate limiter first, and retries by the client's [`RetryPolicy`] when
    /// the request is safe to repeat.
    pub async fn send<E>(self) -> Result<RawResponse, Error<E>> {
        if let Some(problem) = self.invalid {
            return Err(Error::InvalidRequest(problem));
        }
        let mut inner = self.inner;
        if !self.query.is_empty() {
            inner = inner.query(&self.query);
        }
        if !self.cookies.is_empty() {
            match HeaderValue::from_str(&self.cookies.join("; ")) {
                Ok(value) => inner = inner.header(reqwest::header::COOKIE, value),
                Err(_) => {
                    return Err(Error::InvalidRequest(
                        "a cookie contains characters a header cannot carry".to_owned(),
                    ));
                }
            }
        }
        let (http, request) = inner.build_split();
        let request = request.map_err(|source| Error::Transport {
            source,
            attempts: Attempts { count: 0, ..Attempts::default() },
        })?;
        let idempotent = matches!(
            self.method,
            Method::GET
                | Method::HEAD
                | Method::PUT
                | Method::DELETE
                | Method::OPTIONS
                | Method::TRACE
        );
        let retryable = self.retryable.unwrap_or(idempotent);
        let span = tracing::info_span!(
            "call",
            operation = self.operation,
            method = %self.method,
            path = %self.path,
            status = tracing::field::Empty,
            attempts = tracing::field::Empty,
        );
        let call = Call {
            http,
            auth: self.auth,
            retry: self.retry,
            limiter: self.limiter,
            retryable,
            max_response_size: self.max_response_size,
        };
        let res = call.run(request).instrument(span.clone()).await;
        let (status, attempts) = match &res {
            Ok(response) => (Some(response.status()), response.attempts()),
            Err(err) => (err.status(), err.attempts().unwrap_or(&NO_ATTEMPT)),
        };
        if let Some(status) = status {
            span.record("status", status.as_u16());
        }
        span.record("attempts", attempts.count);
        res
    }
}

/// How many times one call sends its request again after a 401 that says the token expired:
/// the first refreshes the token; more are needed only when other calls replaced the token
/// meanwhile (a call that waited for a rate limit, say).
const MAX_EXPIRED_RETRIES: u32 = 3;

/// The attempts of a request that was never sent.
static NO_ATTEMPT: Attempts = Attempts {
    count: 0,
    waited: Duration::ZERO,
    rate_limited: 0,
    failed: 0,
    maybe_applied: 0,
    stopped: StopReason::Final,
};

/// One call: its attempts, the waits between them, and what the server said.
struct Call {
    http: reqwest::Client,
    auth: Option<Auth>,
    retry: RetryPolicy,
    limiter: Option<Limiter>,
    retryable: bool,
    max_response_size: usize,
}

/// How one attempt ended without a whole response.
enum Failed {
    Transport(reqwest::Error),
    Incomplete(RawResponse, reqwest::Error),
    TooLarge(RawResponse),
}

impl Call {
    async fn run<E>(&self, request: reqwest::Request) -> Result<RawResponse, Error<E>> {
        let started = tokio::time::Instant::now();
        let mut waited = Duration::ZERO;
        let mut next = Some(request);
        let mut count = 0;
        let mut rate_limited = 0;
        let mut failed = 0;
        let mut maybe_applied = 0;
        // The token a 401 called expired, which the next attempt replaces: a token is never
        // sent twice after such a 401, and a call gives up after a few (a token endpoint
        // whose tokens the API always refuses must not loop).
        let mut stale = None;
        let mut expired_retries = 0;
        loop {
            let mut request = next.take().expect("each attempt has its request");
            // The copy for the next attempt, made before this one consumes the request. A
            // refused token is always worth one more attempt: the request was not applied.
            let oauth = matches!(self.auth, Some(Auth::OAuth(_)));
            let spare = if self.retryable || oauth { request.try_clone() } else { None };
            // The limiter first: a token is taken just before the request goes, not before a
            // wait that could outlast it.
            if let Some(limiter) = &self.limiter {
                let wait = limiter.acquire().await;
                if !wait.is_zero() {
                    tracing::debug!(
                        wait_ms = wait.as_millis() as u64,
                        "waited for the rate limiter"
                    );
                }
            }
            let token = match &self.auth {
                Some(Auth::Static(header)) => {
                    request.headers_mut().insert(AUTHORIZATION, header.clone());
                    None
                }
                Some(Auth::OAuth(refresher)) => match refresher.token(&self.http, stale).await {
                    Ok(token) => {
                        request.headers_mut().insert(AUTHORIZATION, token.header.clone());
                        Some(token.generation)
                    }
                    Err(problem) => {
                        let stopped = StopReason::Final;
                        let attempts = Attempts {
                            count,
                            waited,
                            rate_limited,
                            failed,
                            maybe_applied,
                            stopped,
                        };
                        return Err(Error::Credentials { problem, attempts });
                    }
                },
                None => None,
            };
            count += 1;
            let attempt = tracing::debug_span!(
                "attempt",
                attempt = count,
                status = tracing::field::Empty,
                correlation_id = tracing::field::Empty,
                wait_ms = tracing::field::Empty,
            );
            let result = self.attempt(request).instrument(attempt.clone()).await;
            let verdict = match &result {
                Ok(response) => {
                    let status = response.status();
                    attempt.record("status", status.as_u16());
                    if let Some(id) = response
                        .headers()
                        .get("x-hubspot-correlation-id")
                        .and_then(|it| it.to_str().ok())
                    {
                        attempt.record("correlation_id", id);
                    }
                    failed += u32::from(!status.is_success());
                    maybe_applied += u32::from(retry::may_have_applied(status));
                    let limited = status == StatusCode::TOO_MANY_REQUESTS;
                    rate_limited += u32::from(limited);
                    if let Some(limiter) = &self.limiter {
                        let reached = limited
                            .then(|| {
                                Limited::from_policy(retry::policy_name(response.body()).as_deref())
                            })
                            .flatten();
                        limiter
                            .observe(RateLimit::from_headers(response.headers()).as_ref(), reached);
                    }
                    if status == StatusCode::UNAUTHORIZED
                        && oauth
                        && token.is_some()
                        && stale != token
                        && expired_retries < MAX_EXPIRED_RETRIES
                        && auth::says_expired(response.body())
                    {
                        expired_retries += 1;
                        stale = token;
                        Verdict::RetryAfter(Duration::ZERO, "the access token expired (401)")
                    } else {
                        retry::judge_response(&self.retry, count, response)
                    }
                }
                Err(Failed::Transport(err)) => {
                    failed += 1;
                    // A connection never made carried nothing; anything else may have.
                    maybe_applied += u32::from(!err.is_connect());
                    retry::judge_transport(&self.retry, count, err)
                }
                Err(Failed::Incomplete(..)) => {
                    failed += 1;
                    maybe_applied += 1;
                    retry::judge_incomplete(&self.retry, count)
                }
                Err(Failed::TooLarge(response)) => {
                    failed += 1;
                    maybe_applied += u32::from(
                        response.status().is_success()
                            || retry::may_have_applied(response.status()),
                    );
                    Verdict::Done
                }
            };
            let expired = stale.is_some() && stale == token;
            let decision = match (&verdict, self.retryable || expired, &spare) {
                (Verdict::RetryAfter(..), false, _) => Err(StopReason::NotRetryable),
                (Verdict::RetryAfter(..), true, None) => Err(StopReason::BodyNotReplayable),
                // A refused token is refreshed and sent again at once, whatever the policy.
                (Verdict::RetryAfter(..), true, Some(_)) if expired => Ok(Duration::ZERO),
                _ => retry::next_wait(&self.retry, &verdict, count, started.elapsed()),
            };
            match decision {
                Ok(wait) => {
                    let reason = match &verdict {
                        Verdict::RetryAfter(_, reason) => *reason,
                        _ => "",
                    };
                    attempt.record("wait_ms", wait.as_millis() as u64);
                    tracing::info!(
                        parent: &attempt,
                        wait_ms = wait.as_millis() as u64,
                        reason,
                        "retrying"
                    );
                    tokio::time::sleep(wait).await;
                    waited += wait;
                    next = spare;
                }
                Err(stopped) => {
                    let attempts =
                        Attempts { count, waited, rate_limited, failed, maybe_applied, stopped };
                    return match result {
                        Ok(response) => Ok(response.with_attempts(attempts)),
                        Err(Failed::Transport(source)) => {
                            Err(Error::Transport { source, attempts })
                        }
                        Err(Failed::Incomplete(response, source)) => Err(Error::Incomplete {
                            response: Box::new(response.with_attempts(attempts)),
                            source,
                        }),
                        Err(Failed::TooLarge(response)) => Err(Error::TooLarge {
                            response: Box::new(response.with_attempts(attempts)),
                            limit: self.max_response_size,
                        }),
                    };
                }
            }
        }
    }

    /// Sends `request` once and reads the whole response, up to the size limit.
    async fn attempt(&self, request: reqwest::Request) -> Result<RawResponse, Failed> {
        let mut response = self.http.execute(request).await.map_err(Failed::Transport)?;
        let status: StatusCode = response.status();
        let headers: HeaderMap = response.headers().clone();
        tracing::debug!(status = status.as_u16(), "response");
        let limit = self.max_response_size;
        let too_large =
            |body: Bytes| Failed::TooLarge(RawResponse::new(status, headers.clone(), body));
        let declared =
            headers.get(CONTENT_LENGTH).and_then(|it| it.to_str().ok()?.parse::<u64>().ok());
        if declared.is_some_and(|it| it > limit as u64) {
            return Err(too_large(Bytes::new()));
        }
        // Read chunk by chunk: a body that fails midway keeps the status, the headers and
        // what arrived; one that grows past the limit stops there.
        let mut body = BytesMut::new();
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    if body.len() + chunk.len() > limit {
                        body.extend_from_slice(&chunk[..limit - body.len()]);
                        return Err(too_large(body.freeze()));
                    }
                    body.extend_from_slice(&chunk);
                }
                Ok(None) => break,
                Err(source) => {
                    let response = RawResponse::new(status, headers, body.freeze());
                    return Err(Failed::Incomplete(response, source));
                }
            }
        }
        Ok(RawResponse::new(status, headers, body.freeze()))
    }
}
