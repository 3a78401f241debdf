//! A request under construction: its parameters (every style of OpenAPI's parameter
//! serialization, through `param`) and its body; `send` hands it to the call loop (`call.rs`).

use std::time::Duration;

use reqwest::{
    Method,
    header::{CONTENT_TYPE, HeaderName, HeaderValue},
};
use serde::Serialize;
use tracing::Instrument as _;

use crate::{
    Attempts, Error, RawResponse, Response, RetryPolicy, StopReason, ToParam,
    call::{Call, Received},
    events::{Decode, EventStream},
    param,
    ratelimit::Limiter,
    security::{Applied, Credentials},
};

/// A request under construction. Problems (a header value that cannot be sent, a body that
/// cannot be serialized) are kept and reported by [`RequestBuilder::send`].
#[derive(Debug)]
pub struct RequestBuilder {
    pub(crate) inner: reqwest::RequestBuilder,
    pub(crate) credentials: std::sync::Arc<Credentials>,
    /// The operation's security requirements, when the spec states them.
    pub(crate) security: Option<&'static [&'static [&'static str]]>,
    /// For spans: the method, and the path without the query.
    pub(crate) method: Method,
    pub(crate) path: String,
    pub(crate) query: Vec<(String, String)>,
    /// `name=value` pairs of the `Cookie` header.
    pub(crate) cookies: Vec<String>,
    pub(crate) invalid: Option<String>,
    pub(crate) max_response_size: usize,
    /// The operation's name, for spans.
    pub(crate) operation: &'static str,
    /// Whether the request may be sent again; by its method when `None`.
    pub(crate) retryable: Option<bool>,
    pub(crate) retry: RetryPolicy,
    pub(crate) limiter: Option<Limiter>,
    /// Whether the request asks for an event stream ([`RequestBuilder::events`]).
    pub(crate) events: bool,
    /// Whether the client's total timeout may be lifted for a stream, its read timeout
    /// bounding each silence instead (a client the runtime built with a timeout).
    pub(crate) streams_outlast_timeout: bool,
}

impl RequestBuilder {
    /// `add` with `value` when there is one, else the builder as it is: what each `*_opt`
    /// method is, for a parameter or body the caller may leave out.
    fn with<V: ?Sized>(self, value: Option<&V>, add: impl FnOnce(Self, &V) -> Self) -> Self {
        match value {
            Some(value) => add(self, value),
            None => self,
        }
    }

    /// The operation's security requirements: alternatives, each the names of the schemes
    /// that go together (an empty one: none needed). The call sends the credentials of the
    /// first the client meets, and fails before sending when it meets none (`security.rs`).
    pub fn security(mut self, requirements: &'static [&'static [&'static str]]) -> RequestBuilder {
        self.security = Some(requirements);
        self
    }

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
        self.with(value, |it, value| it.query_styled(name, value, style, explode))
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
        self.with(value, |it, value| it.query_json(name, value))
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
        self.with(value, |it, value| it.header_styled(name, value, explode))
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
        self.with(value, |it, value| it.header_json(name, value))
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
        self.with(value, |it, value| it.cookie_json(name, value))
    }

    /// Adds a cookie when there is a value.
    pub fn cookie_opt<V: Serialize + ?Sized>(
        self,
        name: &str,
        value: Option<&V>,
        explode: bool,
    ) -> RequestBuilder {
        self.with(value, |it, value| it.cookie(name, value, explode))
    }

    /// Adds `name=value` to the query.
    pub fn query<V: ToParam + ?Sized>(mut self, name: &str, value: &V) -> RequestBuilder {
        self.query.push((name.to_owned(), value.to_param()));
        self
    }

    /// Adds `name=value` to the query when there is a value.
    pub fn query_opt<V: ToParam + ?Sized>(self, name: &str, value: Option<&V>) -> RequestBuilder {
        self.with(value, |it, value| it.query(name, value))
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
        self.with(values, |it, values| it.query_array(name, values, explode))
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
        self.with(value, |it, value| it.header(name, value))
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

    /// Sends `body` as an XML document of the media type `content_type`, whose root element
    /// is `root`, written by `shape` (see [`crate::xml`]).
    pub fn xml<T: Serialize + ?Sized>(
        mut self,
        content_type: &'static str,
        root: &str,
        shape: crate::xml::Shape,
        body: &T,
    ) -> RequestBuilder {
        let written = serde_json::to_value(body)
            .map_err(|err| err.to_string())
            .and_then(|value| crate::xml::write(root, shape, &value));
        match written {
            Ok(text) => {
                self.inner = self.inner.header(CONTENT_TYPE, content_type).body(text);
                self
            }
            Err(err) => self.invalid(format!("the body could not be written as XML: {err}")),
        }
    }

    /// Asks for a response of the media type `media_type` (`Accept`; JSON unless told).
    pub fn accept(mut self, media_type: &'static str) -> RequestBuilder {
        let Ok(value) = HeaderValue::from_str(media_type) else {
            return self.invalid(format!("the media type `{media_type}` cannot be sent"));
        };
        // `headers` replaces what `header` would add beside the default.
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(reqwest::header::ACCEPT, value);
        self.inner = self.inner.headers(headers);
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

    /// Asks for the response as a stream of server-sent events (`Accept: text/event-stream`),
    /// which [`RequestBuilder::send_events`] leaves unread for the caller.
    ///
    /// The client's timeout then bounds each silence of the stream (reqwest's read timeout),
    /// not the whole of it: a stream may last as long as the server sends. With an HTTP client
    /// of the caller's (`ClientBuilder::http_client`), its own timeouts apply as they are.
    pub fn events(self) -> RequestBuilder {
        let mut this = self.accept("text/event-stream");
        if this.streams_outlast_timeout {
            this.inner = this.inner.timeout(LONGEST_STREAM);
        }
        this.events = true;
        this
    }

    /// Sends `body` as JSON when there is one.
    pub fn json_opt<T: Serialize + ?Sized>(self, body: Option<&T>) -> RequestBuilder {
        self.with(body, |it, body| it.json(body))
    }

    /// Sends the request and reads the whole response, up to the client's size limit; waits
    /// for the client's rate limiter first, and retries by the client's [`RetryPolicy`] when
    /// the request is safe to repeat.
    pub async fn send<E>(self) -> Result<RawResponse, Error<E>> {
        self.dispatch().await.map(|it| it.raw)
    }

    /// Sends the request as [`RequestBuilder::send`] does, but leaves a success in
    /// `text/event-stream` unread: [`Streamed::events`] reads it event by event.
    pub async fn send_events<E>(self) -> Result<Streamed, Error<E>> {
        let limit = self.max_response_size;
        self.dispatch().await.map(|it| Streamed { raw: it.raw, live: it.live, limit })
    }

    async fn dispatch<E>(self) -> Result<Received, Error<E>> {
        if let Some(problem) = self.invalid {
            return Err(Error::InvalidRequest(problem));
        }
        let chosen = self.credentials.choose(self.security).map_err(Error::InvalidRequest)?;
        let mut inner = self.inner;
        let mut query = self.query;
        let mut cookies = self.cookies;
        // Whether a secret is in the URL, which errors must then not show.
        let mut secret_url = false;
        let mut secret_cookie = false;
        for it in chosen.other {
            match it {
                Applied::Header(name, value) => inner = inner.header(name, value),
                Applied::Query(name, value) => {
                    secret_url = true;
                    query.push((name, value));
                }
                Applied::Cookie(it) => {
                    secret_cookie = true;
                    cookies.push(it);
                }
                Applied::Token(_) => {}
            }
        }
        if !query.is_empty() {
            inner = inner.query(&query);
        }
        if !cookies.is_empty() {
            match HeaderValue::from_str(&cookies.join("; ")) {
                Ok(mut value) => {
                    value.set_sensitive(secret_cookie);
                    inner = inner.header(reqwest::header::COOKIE, value);
                }
                Err(_) => {
                    return Err(Error::InvalidRequest(
                        "a cookie contains characters a header cannot carry".to_owned(),
                    ));
                }
            }
        }
        let (http, request) = inner.build_split();
        let request = request.map_err(|source| Error::Transport {
            source: if secret_url { source.without_url() } else { source },
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
            auth: chosen.auth,
            retry: self.retry,
            limiter: self.limiter,
            retryable,
            max_response_size: self.max_response_size,
            events: self.events,
        };
        let res = call.run(request).instrument(span.clone()).await;
        // A transport error names the URL, which holds an API key sent in the query.
        let res = match res {
            Err(Error::Transport { source, attempts }) if secret_url => {
                Err(Error::Transport { source: source.without_url(), attempts })
            }
            res => res,
        };
        let (status, attempts) = match &res {
            Ok(Received { raw, .. }) => (Some(raw.status()), raw.attempts()),
            Err(err) => (err.status(), err.attempts().unwrap_or(&NO_ATTEMPT)),
        };
        if let Some(status) = status {
            span.record("status", status.as_u16());
        }
        span.record("attempts", attempts.count);
        res
    }
}

/// How long an event stream may last: the timeout of a request for one, in place of the
/// client's (which bounds each silence instead).
const LONGEST_STREAM: Duration = Duration::from_secs(7 * 24 * 60 * 60);

/// What a request for events got: an event stream, or a response read whole (an error, or a
/// success in another media type).
pub struct Streamed {
    raw: RawResponse,
    live: Option<reqwest::Response>,
    limit: usize,
}

impl std::fmt::Debug for Streamed {
    // Not the live response's: its URL may hold an API key.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Streamed")
            .field("raw", &self.raw)
            .field("streaming", &self.live.is_some())
            .finish_non_exhaustive()
    }
}

impl Streamed {
    /// The events, decoded by `decode` ([`crate::events::json`] or [`crate::events::text`]),
    /// when the server answered with an event stream; else the response, read whole.
    pub fn events<T>(
        self,
        decode: Decode<T>,
    ) -> Result<Response<EventStream<T>>, Box<RawResponse>> {
        match self.live {
            Some(live) => {
                let stream = EventStream::new(live, decode, self.limit);
                Ok(self.raw.with_body(stream))
            }
            None => Err(Box::new(self.raw)),
        }
    }
}

/// The attempts of a request that was never sent.
static NO_ATTEMPT: Attempts = Attempts {
    count: 0,
    waited: Duration::ZERO,
    rate_limited: 0,
    failed: 0,
    maybe_applied: 0,
    stopped: StopReason::Final,
};
