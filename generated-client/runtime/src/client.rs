//! The client that generated methods start their requests from, and its builder.
//!
//! [`Client::request`] starts a [`RequestBuilder`] (`request.rs`), whose `send` runs the call's
//! attempts (`call.rs`).

use std::{fmt, marker::PhantomData, sync::Arc, time::Duration};

use reqwest::{
    Method, Url,
    header::{ACCEPT, HeaderValue},
};

use crate::{
    OAuthRefresh, RequestBuilder, RetryPolicy,
    auth::{self, Auth, Grant, Refresher},
    param,
    ratelimit::Limiter,
    security::{Credential, Credentials, Scheme},
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
    credentials: Arc<Credentials>,
    max_response_size: usize,
    retry: RetryPolicy,
    limiter: Option<Limiter>,
    /// Whether the client's total timeout is its own, beside a read timeout of the same length,
    /// so that a request for events may lift the first and keep the second.
    streams_outlast_timeout: bool,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.base_url.as_str())
            .field("credentials", &self.credentials)
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
    /// [`Error::InvalidRequest`](crate::Error::InvalidRequest) rather than go elsewhere.
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
            credentials: self.credentials.clone(),
            security: None,
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
            events: false,
            streams_outlast_timeout: self.streams_outlast_timeout,
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
    /// The security schemes of the spec, and a credential for each the caller gave one.
    schemes: &'static [Scheme],
    credentials: Vec<(&'static str, Credential)>,
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
            .field("credentials", &self.credentials)
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
            schemes: &[],
            credentials: Vec::new(),
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
    /// by default). A larger one fails the call with [`Error::TooLarge`](crate::Error::TooLarge), which keeps the status,
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

    /// Declares the security schemes of the spec, which [`ClientBuilder::credential`] gives
    /// credentials for (generated code does, in `Client::builder`).
    pub fn security_schemes(mut self, schemes: &'static [Scheme]) -> ClientBuilder<C> {
        self.schemes = schemes;
        self
    }

    /// Gives the credential for the security scheme `scheme` (by its name in the spec), which
    /// each call whose security requirement names it sends; a generated crate's `Credentials`
    /// trait has one typed setter per scheme. [`ClientBuilder::build`] checks that the scheme
    /// exists and takes this kind of credential.
    pub fn credential(mut self, scheme: &'static str, credential: Credential) -> ClientBuilder<C> {
        self.credentials.retain(|(name, _)| *name != scheme);
        self.credentials.push((scheme, credential));
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
    /// `user_agent` are then the caller's to set on it, and so is its redirect policy: the
    /// client this builder makes follows no redirect to another origin while it holds
    /// credentials (an API key's header would go along), and one given here should do the
    /// same.
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
            (None, Some(grant)) => Some(Auth::OAuth(Arc::new(
                Refresher::new(Grant::Refresh(grant)).map_err(BuildError)?,
            ))),
            (None, None) => None,
        };
        let credentials =
            Credentials::new(auth, self.schemes, self.credentials).map_err(BuildError)?;
        // A spec names the default server, and a spec may come from anyone: a credential is
        // never sent where anyone on the way can read it.
        if !credentials.is_empty() && !auth::is_safe_for_secrets(&base_url) {
            return Err(BuildError(format!(
                "credentials would be sent unencrypted to `{}`: use https (plain http is for loopback servers only)",
                self.base_url
            )));
        }
        let streams_outlast_timeout = self.http.is_none() && self.timeout.is_some();
        let http = match self.http {
            Some(it) => it,
            None => {
                let mut builder = reqwest::Client::builder().user_agent(self.user_agent);
                if !credentials.is_empty() {
                    // A redirect elsewhere would take the credentials along (reqwest drops
                    // `Authorization` and cookies, not an API key's own header): it is not
                    // followed, and the call sees the redirect itself.
                    builder = builder.redirect(same_origin_redirects());
                }
                if let Some(timeout) = self.timeout {
                    // The read timeout bounds each silence of an event stream, whose requests
                    // lift the total one.
                    builder = builder.timeout(timeout).read_timeout(timeout);
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
            credentials: Arc::new(credentials),
            max_response_size: self.max_response_size,
            retry: self.retry,
            limiter: self
                .rate_limit
                .map(|(max, interval, ceiling)| Limiter::new(max, interval, ceiling)),
            streams_outlast_timeout,
        }))
    }
}

/// Follows redirects that stay on the origin (scheme, host and port) the request went to, as
/// reqwest does by default (ten at most); stops at any other.
fn same_origin_redirects() -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(|attempt| {
        let first = attempt.previous().first().map(Url::origin);
        if first.is_some_and(|it| it != attempt.url().origin()) {
            attempt.stop()
        } else if attempt.previous().len() >= 10 {
            attempt.error("too many redirects")
        } else {
            attempt.follow()
        }
    })
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
