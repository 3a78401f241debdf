//! A HubSpot-like server on 127.0.0.1 for tests and benchmarks: deals batch upsert as HubSpot
//! answers it, with its limits, its rate limit and the faults real traffic has.
//!
//! - Upsert by unique property: an input whose `(idProperty, id)` is new creates a record
//!   (`new: true`, a fresh record id), one that exists updates it (`new: false`, `updatedAt`
//!   moves, `createdAt` stays). Results come back in no particular order.
//! - More than 100 inputs, or two inputs with the same `(idProperty, id)`: 400, nothing written.
//! - Invalid inputs (an empty `id`, `idProperty` missing or `hs_object_id`, a property value
//!   `"INVALID"`): when every input carries an `objectWriteTraceId`, 207 with one error per
//!   invalid input (its trace id in `context.objectWriteTraceId`) and the valid ones written;
//!   otherwise 400 and nothing written. HubSpot behaves so.
//! - A rolling rate limit of `limit` requests per `window`: HubSpot's 429 body and
//!   `X-HubSpot-RateLimit-*` headers on every answer.
//! - Faults, queued and taken one per request: a status (5xx, 423, 477…), a delay, a dropped
//!   connection (no answer), or a request applied whose answer is lost.

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
    /// Answer this status with a small JSON error body, writing nothing.
    Status(u16),
    /// Wait this long before handling the request (past the client's timeout, say).
    Delay(Duration),
    /// Close the connection without an answer, writing nothing.
    Drop,
    /// Write the inputs, then close the connection without an answer.
    ApplyThenDrop,
}

/// How the server behaves.
#[derive(Clone, Debug)]
pub struct Config {
    /// Requests allowed per `window` (HubSpot: 100 or 190 per 10 s).
    pub limit: usize,
    /// The rolling window.
    pub window: Duration,
}

impl Default for Config {
    fn default() -> Config {
        Config { limit: 190, window: Duration::from_secs(10) }
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
    let (fault, limited, remaining) = {
        let mut state = lock();
        state.requests += 1;
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
        let fault = if limited { None } else { state.faults.pop_front() };
        (fault, limited, remaining)
    };
    let headers = |builder: hyper::http::response::Builder| {
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
    let (status, body) = upsert(&mut lock(), &body);
    if fault == Some(Fault::ApplyThenDrop) {
        return Err(Dropped);
    }
    answer(status, body)
}

/// One upsert request against the records: the status and body HubSpot would answer.
fn upsert(state: &mut State, body: &[u8]) -> (u16, Value) {
    let error = |message: String, category: &str, context: Value| json!({"status": "error", "message": message, "correlationId": correlation_id(), "category": category, "context": context});
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
        let properties: BTreeMap<String, String> = input
            .get("properties")
            .and_then(Value::as_object)
            .map(|it| {
                it.iter()
                    .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned()))
                    .collect()
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
        record.properties.extend(properties);
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
        if let Some(trace) = trace {
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
        (200, body)
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
