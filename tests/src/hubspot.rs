//! A HubSpot-like server on 127.0.0.1 for tests and benchmarks: deals batch upsert as HubSpot
//! answers it, with its limits, its rate limit and the faults real traffic has.
//!
//! - Upsert by unique property: an input whose `(idProperty, id)` is new creates a record
//!   (`new: true`, a fresh record id), one that exists updates it (`new: false`, `updatedAt`
//!   moves, `createdAt` stays). An update writes only the properties it names; `""` clears a
//!   value and `null` is accepted and changes nothing, as HubSpot does. Results come back in no
//!   particular order, with the record's properties (the id property among them), and echo
//!   each input's `objectWriteTraceId` unless told not to.
//! - An `idProperty` that is not a unique property (`Config::non_unique`): 400 for the whole
//!   request, whatever its inputs. An input with a property value `"REFUSE_BATCH"`: 400 for
//!   the whole request too, trace ids or not, naming that input's id.
//! - More than 100 inputs, or two inputs with the same `(idProperty, id)`: 400, nothing written.
//! - Invalid inputs (an empty `id`, `idProperty` missing or `hs_object_id`, a property value
//!   `"INVALID"`): when every input carries an `objectWriteTraceId`, 207 with one error per
//!   invalid input (its trace id in `context.objectWriteTraceId`) and the valid ones written;
//!   otherwise 400 and nothing written. HubSpot behaves so.
//! - A rolling rate limit of `limit` requests per `window`: HubSpot's 429 body and
//!   `X-HubSpot-RateLimit-*` headers on every answer.
//! - A daily limit (`Config::daily`): `X-HubSpot-RateLimit-Daily` and `-Daily-Remaining` on
//!   every answer, and HubSpot's `DAILY` 429 once it is spent, until [`FakeHubSpot::new_day`].
//! - OAuth (`Config::oauth`): a token endpoint at `/oauth/v1/token` that trades the refresh
//!   token for access tokens, each of which expires after a number of requests (401
//!   `EXPIRED_AUTHENTICATION`); any other bearer is refused (401 `INVALID_AUTHENTICATION`).
//! - Faults, queued and taken one per request: a status (5xx, 423, 477…), a delay, a dropped
//!   connection (no answer), a request applied whose answer is lost, applied then answered
//!   too late, or applied then answered with a gateway's error.

use std::{
    collections::{BTreeMap, VecDeque},
    net::SocketAddr,
    sync::{Arc, Mutex, PoisonError},
    time::Duration,
};

use http_body_util::{BodyExt, Full};
use hyper::{Request, Response, body::Bytes, service::service_fn};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use tokio::{net::TcpListener, time::Instant};

/// The operation's path.
pub const UPSERT_PATH: &str = "/crm/v3/objects/0-3/batch/upsert";
/// HubSpot's batch limit.
pub const MAX_INPUTS: usize = 100;

/// What goes wrong with one request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fault {
    /// Nothing goes wrong (a place in the queue).
    Pass,
    /// Answer this status with a small JSON error body, writing nothing.
    Status(u16),
    /// Wait this long before handling the request (past the client's timeout, say).
    Delay(Duration),
    /// Close the connection without an answer, writing nothing.
    Drop,
    /// Write the inputs, then close the connection without an answer.
    ApplyThenDrop,
    /// Write the inputs, then wait this long before answering (past the client's timeout).
    ApplyThenDelay(Duration),
    /// Write the inputs, then answer this status (a gateway's 502 or 504) instead.
    ApplyThenStatus(u16),
    /// Answer HubSpot's `SECONDLY` 429, writing nothing.
    Secondly,
}

/// The OAuth app the server knows.
#[derive(Clone, Debug)]
pub struct OAuth {
    /// The app's client id and secret.
    pub client_id: String,
    /// The app's client secret.
    pub client_secret: String,
    /// The refresh token the app was given.
    pub refresh_token: String,
    /// The `expires_in` the token endpoint states, in seconds.
    pub expires_in: u64,
    /// How many API requests an access token is good for, at most; it expires after
    /// `expires_in` too.
    pub requests_per_token: usize,
}

/// How the server behaves.
#[derive(Clone, Debug)]
pub struct Config {
    /// Requests allowed per `window` (HubSpot: 100 or 190 per 10 s).
    pub limit: usize,
    /// The rolling window.
    pub window: Duration,
    /// Requests allowed per day, when there is a daily limit.
    pub daily: Option<usize>,
    /// OAuth instead of any bearer token.
    pub oauth: Option<OAuth>,
    /// Whether results echo `objectWriteTraceId`.
    pub echo_trace_ids: bool,
    /// Properties refused as `idProperty` (not unique).
    pub non_unique: Vec<String>,
    /// The status of a whole success, 200 unless HubSpot changes it (as it has before).
    pub success_status: u16,
    /// Whether a 400 says why in a `message` (HubSpot's error guide: any field may be missing).
    pub messages: bool,
    /// How long each upsert takes to answer, so that requests overlap.
    pub latency: Duration,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            limit: 190,
            window: Duration::from_secs(10),
            daily: None,
            oauth: None,
            echo_trace_ids: true,
            non_unique: Vec::new(),
            success_status: 200,
            messages: true,
            latency: Duration::ZERO,
        }
    }
}

/// A record, as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    /// HubSpot's record id.
    pub id: String,
    /// The properties, as last written.
    pub properties: BTreeMap<String, String>,
    /// When it was created and last updated (RFC 3339).
    pub created_at: String,
    /// When it was last updated.
    pub updated_at: String,
    /// How many times it was written.
    pub writes: u32,
}

#[derive(Debug, Default)]
struct State {
    records: BTreeMap<(String, String), Record>,
    next_id: u64,
    faults: VecDeque<Fault>,
    /// When the requests inside the window were accepted.
    recent: VecDeque<Instant>,
    requests: usize,
    rate_limited: usize,
    /// Requests counted against today's limit.
    today: usize,
    /// The access tokens issued (the last is the valid one), and the requests the last made.
    tokens: Vec<String>,
    token_uses: usize,
    token_issued: Option<Instant>,
    refused_tokens: usize,
    /// Every `Authorization` header received, to check that none leaks.
    authorizations: std::collections::BTreeSet<String>,
    /// Upserts being handled now, and the most at once.
    in_flight: usize,
    max_in_flight: usize,
}

/// The server; it stops when dropped.
#[derive(Debug)]
pub struct FakeHubSpot {
    addr: SocketAddr,
    state: Arc<Mutex<State>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for FakeHubSpot {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl FakeHubSpot {
    /// Starts a server on a free port of 127.0.0.1.
    pub async fn start(config: Config) -> FakeHubSpot {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("binding 127.0.0.1");
        let addr = listener.local_addr().expect("a bound listener has an address");
        let state = Arc::new(Mutex::new(State::default()));
        let shared = state.clone();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let state = shared.clone();
                let config = config.clone();
                tokio::spawn(async move {
                    let service = service_fn(move |req| handle(req, state.clone(), config.clone()));
                    // An error here is a dropped connection: the fault that asked for it.
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        FakeHubSpot { addr, state, task }
    }

    /// The base URL to give a client.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Queues faults, one per coming request.
    pub fn inject(&self, faults: impl IntoIterator<Item = Fault>) {
        self.state().faults.extend(faults);
    }

    /// The records, by `(idProperty, id)`.
    pub fn records(&self) -> BTreeMap<(String, String), Record> {
        self.state().records.clone()
    }

    /// How many requests arrived, and how many of them were refused with a 429.
    pub fn requests(&self) -> (usize, usize) {
        let state = self.state();
        (state.requests, state.rate_limited)
    }

    /// A new day: the daily limit is whole again.
    pub fn new_day(&self) {
        self.state().today = 0;
    }

    /// Other integrations of the account spend `requests` of today's limit.
    pub fn spend_today(&self, requests: usize) {
        self.state().today += requests;
    }

    /// The access tokens issued, and how many requests were refused for their token.
    pub fn tokens(&self) -> (Vec<String>, usize) {
        let state = self.state();
        (state.tokens.clone(), state.refused_tokens)
    }

    /// Every `Authorization` header the server received.
    pub fn authorizations(&self) -> Vec<String> {
        self.state().authorizations.iter().cloned().collect()
    }

    /// The most upserts the server was handling at once.
    pub fn max_in_flight(&self) -> usize {
        self.state().max_in_flight
    }
}

type Answer = Response<Full<Bytes>>;

/// The error that makes hyper close the connection without an answer.
#[derive(Debug)]
struct Dropped;

impl std::fmt::Display for Dropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the connection was dropped on purpose")
    }
}

impl std::error::Error for Dropped {}

async fn handle(
    req: Request<hyper::body::Incoming>,
    state: Arc<Mutex<State>>,
    config: Config,
) -> Result<Answer, Dropped> {
    let lock = || state.lock().unwrap_or_else(PoisonError::into_inner);
    if req.uri().path() == TOKEN_PATH {
        return token_endpoint(req, &state, &config).await;
    }
    let authorization = req
        .headers()
        .get("authorization")
        .and_then(|it| it.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let (fault, limited, remaining, daily, refused) = {
        let mut state = lock();
        state.requests += 1;
        state.authorizations.insert(authorization.clone());
        let refused = config.oauth.as_ref().and_then(|oauth| {
            let valid = state.tokens.last().map(|it| format!("Bearer {it}"));
            if valid.as_deref() == Some(authorization.as_str())
                && state.token_uses < oauth.requests_per_token
                && state
                    .token_issued
                    .is_some_and(|it| it.elapsed() < Duration::from_secs(oauth.expires_in))
            {
                state.token_uses += 1;
                return None;
            }
            state.refused_tokens += 1;
            let known = state.tokens.iter().any(|it| format!("Bearer {it}") == authorization);
            Some(if known { "EXPIRED_AUTHENTICATION" } else { "INVALID_AUTHENTICATION" })
        });
        let daily = config.daily.map(|daily| {
            let spent = state.today >= daily;
            if !spent && refused.is_none() {
                state.today += 1;
            }
            (daily, daily.saturating_sub(state.today), spent)
        });
        let now = Instant::now();
        while state.recent.front().is_some_and(|it| now.duration_since(*it) >= config.window) {
            state.recent.pop_front();
        }
        let limited = state.recent.len() >= config.limit;
        if limited {
            state.rate_limited += 1;
        } else {
            state.recent.push_back(now);
        }
        let remaining = config.limit.saturating_sub(state.recent.len());
        let spent = daily.is_some_and(|(_, _, spent)| spent);
        let fault =
            if limited || spent || refused.is_some() { None } else { state.faults.pop_front() };
        (fault, limited, remaining, daily, refused)
    };
    let headers = |mut builder: hyper::http::response::Builder| {
        // HubSpot sends no daily headers on OAuth calls.
        if let (Some((daily, left, _)), None) = (daily, &config.oauth) {
            builder = builder
                .header("x-hubspot-ratelimit-daily", daily.to_string())
                .header("x-hubspot-ratelimit-daily-remaining", left.to_string());
        }
        builder
            .header("content-type", "application/json;charset=utf-8")
            .header("x-hubspot-ratelimit-max", config.limit.to_string())
            .header("x-hubspot-ratelimit-remaining", remaining.to_string())
            .header(
                "x-hubspot-ratelimit-interval-milliseconds",
                config.window.as_millis().to_string(),
            )
            .header("x-hubspot-correlation-id", correlation_id())
    };
    let answer = |status: u16, body: Value| -> Result<Answer, Dropped> {
        Ok(headers(Response::builder().status(status))
            .body(Full::new(Bytes::from(body.to_string())))
            .expect("a response of valid parts"))
    };
    if let Some(category) = refused {
        let message = if category == "EXPIRED_AUTHENTICATION" {
            "The OAuth token used to make this call expired 1 minute(s) ago."
        } else {
            "Authentication credentials not found."
        };
        return answer(
            401,
            json!({"status": "error", "message": message, "correlationId": correlation_id(), "category": category}),
        );
    }
    if daily.is_some_and(|(_, _, spent)| spent) {
        return answer(
            429,
            json!({
                "status": "error",
                "message": "You have reached your daily limit.",
                "errorType": "RATE_LIMIT",
                "correlationId": correlation_id(),
                "policyName": "DAILY",
                "groupName": "publicapi:private-app:fake",
            }),
        );
    }
    if fault == Some(Fault::Secondly) {
        return answer(
            429,
            json!({
                "status": "error",
                "message": "You have reached your secondly limit.",
                "errorType": "RATE_LIMIT",
                "correlationId": correlation_id(),
                "policyName": "SECONDLY",
                "groupName": "publicapi:private-app:fake",
            }),
        );
    }
    if limited {
        return answer(
            429,
            json!({
                "status": "error",
                "message": "You have reached your ten_secondly_rolling limit.",
                "errorType": "RATE_LIMIT",
                "correlationId": correlation_id(),
                "policyName": "TEN_SECONDLY_ROLLING",
                "groupName": "publicapi:private-app:fake",
            }),
        );
    }
    match fault {
        Some(Fault::Status(status)) => {
            return answer(
                status,
                json!({"status": "error", "message": "injected", "category": "FAULT"}),
            );
        }
        Some(Fault::Delay(delay)) => tokio::time::sleep(delay).await,
        Some(Fault::Drop) => return Err(Dropped),
        _ => {}
    }
    if req.method() != hyper::Method::POST || req.uri().path() != UPSERT_PATH {
        return answer(
            404,
            json!({"status": "error", "message": "not found", "category": "OBJECT_NOT_FOUND"}),
        );
    }
    let body = match req.into_body().collect().await {
        Ok(it) => it.to_bytes(),
        Err(_) => return Err(Dropped),
    };
    let _handling = InFlight::enter(&state);
    if !config.latency.is_zero() {
        tokio::time::sleep(config.latency).await;
    }
    let (status, body) = upsert(&mut lock(), &config, &body);
    match fault {
        Some(Fault::ApplyThenDrop) => return Err(Dropped),
        Some(Fault::ApplyThenDelay(delay)) => tokio::time::sleep(delay).await,
        Some(Fault::ApplyThenStatus(status)) => {
            return answer(
                status,
                json!({"status": "error", "message": "gateway", "category": "FAULT"}),
            );
        }
        _ => {}
    }
    answer(status, body)
}

/// An upsert being handled, counted while it lives.
struct InFlight<'a>(&'a Arc<Mutex<State>>);

impl<'a> InFlight<'a> {
    fn enter(state: &'a Arc<Mutex<State>>) -> InFlight<'a> {
        let mut it = state.lock().unwrap_or_else(PoisonError::into_inner);
        it.in_flight += 1;
        it.max_in_flight = it.max_in_flight.max(it.in_flight);
        InFlight(state)
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).in_flight -= 1;
    }
}

/// The path of the OAuth token endpoint.
pub const TOKEN_PATH: &str = "/oauth/v1/token";

/// The token endpoint: a form with `grant_type=refresh_token`, the app's id and secret and the
/// refresh token, answered with a new access token (the earlier ones no longer work).
async fn token_endpoint(
    req: Request<hyper::body::Incoming>,
    state: &Arc<Mutex<State>>,
    config: &Config,
) -> Result<Answer, Dropped> {
    let body = match req.into_body().collect().await {
        Ok(it) => it.to_bytes(),
        Err(_) => return Err(Dropped),
    };
    let form: BTreeMap<String, String> = String::from_utf8_lossy(&body)
        .split('&')
        .filter_map(|pair| {
            let (name, value) = pair.split_once('=')?;
            let decode = |it: &str| percent_decode(&it.replace('+', " "));
            Some((decode(name), decode(value)))
        })
        .collect();
    let answer = |status: u16, body: Value| {
        Ok(Response::builder()
            .status(status)
            .header("content-type", "application/json;charset=utf-8")
            .body(Full::new(Bytes::from(body.to_string())))
            .expect("a response of valid parts"))
    };
    let Some(oauth) = &config.oauth else {
        return answer(404, json!({"status": "error", "message": "not found"}));
    };
    let field = |name: &str| form.get(name).map(String::as_str);
    let valid = field("grant_type") == Some("refresh_token")
        && field("client_id") == Some(oauth.client_id.as_str())
        && field("client_secret") == Some(oauth.client_secret.as_str())
        && field("refresh_token") == Some(oauth.refresh_token.as_str());
    if !valid {
        // As some endpoints do, the refusal echoes what it was given: the client must redact it.
        let given = field("refresh_token").unwrap_or_default();
        let message = format!("missing or unknown refresh token: {given}");
        return answer(400, json!({"status": "BAD_REFRESH_TOKEN", "message": message}));
    }
    let mut state = state.lock().unwrap_or_else(PoisonError::into_inner);
    let token = format!("fake-access-{}-{}", state.tokens.len() + 1, correlation_id());
    state.tokens.push(token.clone());
    state.token_uses = 0;
    state.token_issued = Some(Instant::now());
    answer(
        200,
        json!({
            "token_type": "bearer",
            "access_token": token,
            "refresh_token": oauth.refresh_token,
            "expires_in": oauth.expires_in,
        }),
    )
}

/// `%XX` escapes decoded (a form's values).
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut idx = 0;
    while idx < bytes.len() {
        let hex = bytes.get(idx + 1..idx + 3).and_then(|it| std::str::from_utf8(it).ok());
        match (bytes[idx], hex.and_then(|it| u8::from_str_radix(it, 16).ok())) {
            (b'%', Some(byte)) => {
                out.push(byte);
                idx += 3;
            }
            (byte, _) => {
                out.push(byte);
                idx += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// One upsert request against the records: the status and body HubSpot would answer.
fn upsert(state: &mut State, config: &Config, body: &[u8]) -> (u16, Value) {
    let error = |message: String, category: &str, context: Value| {
        let mut body = json!({"status": "error", "message": message, "correlationId": correlation_id(), "category": category, "context": context});
        if !config.messages {
            body.as_object_mut().expect("an object").remove("message");
        }
        body
    };
    let Ok(Value::Object(body)) = serde_json::from_slice::<Value>(body) else {
        return (400, error("Invalid input JSON".to_owned(), "VALIDATION_ERROR", json!({})));
    };
    let Some(Value::Array(inputs)) = body.get("inputs") else {
        return (400, error("Missing inputs".to_owned(), "VALIDATION_ERROR", json!({})));
    };
    if inputs.len() > MAX_INPUTS {
        let message = format!("Batch input cannot contain more than {MAX_INPUTS} inputs");
        return (400, error(message, "VALIDATION_ERROR", json!({})));
    }
    let text = |input: &Value, key: &str| input.get(key).and_then(Value::as_str).map(str::to_owned);
    let mut seen = BTreeMap::new();
    let mut duplicates = Vec::new();
    for input in inputs {
        let key =
            (text(input, "idProperty").unwrap_or_default(), text(input, "id").unwrap_or_default());
        if seen.insert(key.clone(), ()).is_some() {
            duplicates.push(key.1);
        }
    }
    if !duplicates.is_empty() {
        let message = format!("Duplicate IDs found in batch input: {duplicates:?}");
        return (400, error(message, "VALIDATION_ERROR", json!({"ids": duplicates})));
    }
    let refusing = inputs.iter().find(|input| {
        input
            .get("properties")
            .and_then(Value::as_object)
            .is_some_and(|it| it.values().any(|value| value == "REFUSE_BATCH"))
    });
    if let Some(input) = refusing {
        let id = text(input, "id").unwrap_or_default();
        let message = format!("Property values were not valid for {id}: REFUSE_BATCH");
        return (400, error(message, "VALIDATION_ERROR", json!({})));
    }
    let non_unique = inputs
        .iter()
        .filter_map(|it| text(it, "idProperty"))
        .find(|it| config.non_unique.contains(it));
    if let Some(property) = non_unique {
        let message = format!(
            "Property {property} is not a unique property and cannot be used as idProperty"
        );
        return (400, error(message, "VALIDATION_ERROR", json!({"idProperty": [property]})));
    }
    let invalid = |input: &Value| -> Option<String> {
        let id_property = text(input, "idProperty");
        if text(input, "id").is_none_or(|it| it.is_empty()) {
            return Some("id must not be empty".to_owned());
        }
        match id_property.as_deref() {
            None | Some("") => return Some("idProperty is required for upsert".to_owned()),
            Some("hs_object_id") => return Some("hs_object_id cannot be an idProperty".to_owned()),
            _ => {}
        }
        let properties = input.get("properties").and_then(Value::as_object)?;
        properties
            .iter()
            .find(|(_, value)| value.as_str() == Some("INVALID"))
            .map(|(name, _)| format!("Property values were not valid: {name}"))
    };
    let problems: Vec<Option<String>> = inputs.iter().map(invalid).collect();
    let all_traced = inputs.iter().all(|it| text(it, "objectWriteTraceId").is_some());
    if problems.iter().any(Option::is_some) && !all_traced {
        let first = problems.iter().flatten().next().cloned().unwrap_or_default();
        return (400, error(first, "VALIDATION_ERROR", json!({})));
    }
    let now = timestamp();
    let mut results = Vec::new();
    let mut errors = Vec::new();
    for (input, problem) in inputs.iter().zip(&problems) {
        let trace = text(input, "objectWriteTraceId");
        if let Some(problem) = problem {
            errors.push(json!({
                "status": "error",
                "category": "VALIDATION_ERROR",
                "message": problem,
                "context": {"objectWriteTraceId": [trace.unwrap_or_default()]},
            }));
            continue;
        }
        let key =
            (text(input, "idProperty").unwrap_or_default(), text(input, "id").unwrap_or_default());
        // `null` changes nothing; `""` clears.
        let properties: Vec<(String, String)> = input
            .get("properties")
            .and_then(Value::as_object)
            .map(|it| {
                it.iter().filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned()))).collect()
            })
            .unwrap_or_default();
        let created = !state.records.contains_key(&key);
        if created {
            state.next_id += 1;
            let id = (1_000_000 + state.next_id).to_string();
            let record = Record {
                id,
                properties: BTreeMap::new(),
                created_at: now.clone(),
                updated_at: now.clone(),
                writes: 0,
            };
            state.records.insert(key.clone(), record);
        }
        let record = state.records.get_mut(&key).expect("inserted above");
        for (name, value) in properties {
            if value.is_empty() {
                record.properties.remove(&name);
            } else {
                record.properties.insert(name, value);
            }
        }
        record.properties.insert(key.0.clone(), key.1.clone());
        record.updated_at.clone_from(&now);
        record.writes += 1;
        let mut result = json!({
            "id": record.id,
            "properties": record.properties,
            "createdAt": record.created_at,
            "updatedAt": record.updated_at,
            "archived": false,
            "new": created,
        });
        if let Some(trace) = trace.filter(|_| config.echo_trace_ids) {
            result["objectWriteTraceId"] = json!(trace);
        }
        results.push(result);
    }
    // HubSpot returns results in no particular order: neither does this server.
    results.reverse();
    let mut body = json!({
        "status": "COMPLETE",
        "results": results,
        "startedAt": now,
        "completedAt": now,
    });
    if errors.is_empty() {
        (config.success_status, body)
    } else {
        body["numErrors"] = json!(errors.len());
        body["errors"] = Value::Array(errors);
        (207, body)
    }
}

/// Now, as HubSpot writes timestamps: RFC 3339, milliseconds, `Z`.
fn timestamp() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// A correlation id in HubSpot's shape (a UUID), different for every answer.
fn correlation_id() -> String {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    format!("00000000-0000-4000-8000-{n:012x}")
}
