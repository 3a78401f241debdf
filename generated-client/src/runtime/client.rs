//! The HTTP client that generated methods build their requests with.

use std::{fmt, time::Duration};

use bytes::{Bytes, BytesMut};
use reqwest::{
    Method, StatusCode, Url,
    header::{
        ACCEPT, AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue,
    },
};
use serde::Serialize;

use crate::runtime::{Error, RawResponse, ToParam, param};

/// How long a request may take, connection and whole body included, unless told otherwise.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// How large a response body may be, unless told otherwise: 64 MiB.
pub const DEFAULT_MAX_RESPONSE_SIZE: usize = 64 << 20;

/// An API client: the base URL, the credentials, and a pool of connections.
///
/// Cloning is cheap and clones share the pool. The generated code adds one method per operation.
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    base_url: Url,
    authorization: Option<HeaderValue>,
    max_response_size: usize,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.base_url.as_str())
            .field("authorization", &self.authorization.as_ref().map(|_| "<redacted>"))
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
        let mut inner = self.http.request(method.clone(), url).header(ACCEPT, "application/json");
        if let Some(authorization) = &self.authorization {
            inner = inner.header(AUTHORIZATION, authorization.clone());
        }
        RequestBuilder {
            inner,
            method,
            query: Vec::new(),
            cookies: Vec::new(),
            invalid,
            max_response_size: self.max_response_size,
        }
    }
}

/// Configures a [`Client`]. The generated `Client::builder()` starts one with the spec's server.
#[derive(Clone)]
pub struct ClientBuilder {
    base_url: String,
    token: Option<String>,
    timeout: Duration,
    connect_timeout: Option<Duration>,
    user_agent: String,
    http: Option<reqwest::Client>,
    max_response_size: usize,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("base_url", &self.base_url)
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("user_agent", &self.user_agent)
            .field("max_response_size", &self.max_response_size)
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    /// A builder for a client of the server at `base_url` (`https://api.hubapi.com`, say).
    pub fn new(base_url: impl Into<String>) -> ClientBuilder {
        ClientBuilder {
            base_url: base_url.into(),
            token: None,
            timeout: DEFAULT_TIMEOUT,
            connect_timeout: None,
            user_agent: concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION")).to_owned(),
            http: None,
            max_response_size: DEFAULT_MAX_RESPONSE_SIZE,
        }
    }

    /// The largest response body the client reads, in bytes ([`DEFAULT_MAX_RESPONSE_SIZE`]
    /// by default). A larger one fails the call with [`Error::TooLarge`], which keeps the status,
    /// the headers and the first `limit` bytes: a server cannot make the client hold more.
    pub fn max_response_size(mut self, limit: usize) -> ClientBuilder {
        self.max_response_size = limit;
        self
    }

    /// Sends `Authorization: Bearer <token>` with every request: an OAuth access token or a
    /// private-app access token.
    pub fn bearer_token(mut self, token: impl Into<String>) -> ClientBuilder {
        self.token = Some(token.into());
        self
    }

    /// Replaces the server, for a proxy or a test server.
    pub fn base_url(mut self, base_url: impl Into<String>) -> ClientBuilder {
        self.base_url = base_url.into();
        self
    }

    /// How long a whole request may take, reading the response included (60 s by default).
    pub fn timeout(mut self, timeout: Duration) -> ClientBuilder {
        self.timeout = timeout;
        self
    }

    /// How long connecting may take (no limit of its own by default).
    pub fn connect_timeout(mut self, timeout: Duration) -> ClientBuilder {
        self.connect_timeout = Some(timeout);
        self
    }

    /// The `User-Agent` header.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> ClientBuilder {
        self.user_agent = user_agent.into();
        self
    }

    /// Uses a `reqwest::Client` configured by the caller; `timeout`, `connect_timeout` and
    /// `user_agent` are then the caller's to set on it.
    pub fn http_client(mut self, http: reqwest::Client) -> ClientBuilder {
        self.http = Some(http);
        self
    }

    /// Checks the configuration and builds the client.
    pub fn build(self) -> Result<Client, BuildError> {
        let base_url = Url::parse(&self.base_url).map_err(|err| {
            BuildError(format!("base URL `{}` is not a URL: {err}", self.base_url))
        })?;
        if !matches!(base_url.scheme(), "http" | "https") || base_url.cannot_be_a_base() {
            return Err(BuildError(format!("base URL `{}` is not an http(s) URL", self.base_url)));
        }
        // A spec names the default server, and a spec may come from anyone: a token is never
        // sent where anyone on the way can read it.
        let host = base_url.host_str().unwrap_or_default();
        let host = host.trim_start_matches('[').trim_end_matches(']');
        let loopback = host.eq_ignore_ascii_case("localhost")
            || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback());
        if self.token.is_some() && base_url.scheme() == "http" && !loopback {
            return Err(BuildError(format!(
                "a bearer token would be sent unencrypted to `{}`: use https (plain http is for loopback servers only)",
                self.base_url
            )));
        }
        let authorization = match &self.token {
            Some(token) => {
                let mut value =
                    HeaderValue::from_str(&format!("Bearer {token}")).map_err(|_| {
                        BuildError(
                            "the bearer token contains characters a header cannot carry".to_owned(),
                        )
                    })?;
                value.set_sensitive(true);
                Some(value)
            }
            None => None,
        };
        let http = match self.http {
            Some(it) => it,
            None => {
                let mut builder =
                    reqwest::Client::builder().timeout(self.timeout).user_agent(self.user_agent);
                if let Some(timeout) = self.connect_timeout {
                    builder = builder.connect_timeout(timeout);
                }
                builder.build().map_err(|err| {
                    BuildError(format!("the HTTP client could not be set up: {err}"))
                })?
            }
        };
        Ok(Client { http, base_url, authorization, max_response_size: self.max_response_size })
    }
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
    /// For the trace line; the URL is the response's.
    method: Method,
    query: Vec<(String, String)>,
    /// `name=value` pairs of the `Cookie` header.
    cookies: Vec<String>,
    invalid: Option<String>,
    max_response_size: usize,
}

impl RequestBuilder {
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
    pub fn binary(
        mut self,
        content_type: &'static str,
        body: &crate::runtime::Binary,
    ) -> RequestBuilder {
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
    pub fn multipart(mut self, form: crate::runtime::Multipart) -> RequestBuilder {
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

    /// Sends the request and reads the whole response, up to the client's size limit.
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
        let mut response = inner.send().await.map_err(Error::Transport)?;
        let status: StatusCode = response.status();
        let headers: HeaderMap = response.headers().clone();
        tracing::debug!(method = %self.method, url = %response.url(), status = status.as_u16(), "response");
        let limit = self.max_response_size;
        let too_large = |body: Bytes| Error::TooLarge {
            response: Box::new(RawResponse::new(status, headers.clone(), body)),
            limit,
        };
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
                    let response = Box::new(RawResponse::new(status, headers, body.freeze()));
                    return Err(Error::Incomplete { response, source });
                }
            }
        }
        Ok(RawResponse::new(status, headers, body.freeze()))
    }
}
