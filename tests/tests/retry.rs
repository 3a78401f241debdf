//! Retries, rate limits and traces of the generated client, against servers on 127.0.0.1.
//!
//! Waits are measured on tokio's paused clock: a test that waits "10 s" takes milliseconds, and
//! the wait is exact. A paused clock jumps to the next timer whenever the runtime waits for the
//! (real) server, so those clients have no timer but the retry loop's: no timeout, and no idle
//! timer in the connection pool. The one test of timeouts runs on the real clock.

use std::{
    sync::{
        Arc, Mutex,
        atomic::{AtomicUsize, Ordering},
    },
    time::Duration,
};

use codegen_tests::fixture;
use hubspot_deals::{
    BatchUpsertOutcome, Client, Error, RetryPolicy, StopReason,
    models::{BatchInputSimplePublicObjectBatchInputUpsert, SimplePublicObjectBatchInputUpsert},
};
use tokio::time::Instant;
use wiremock::{
    Mock, MockServer, Request, Respond, ResponseTemplate,
    matchers::{method, path},
};

const UPSERT_PATH: &str = "/crm/v3/objects/0-3/batch/upsert";
const TOKEN: &str = "pat-na1-secret-token";

fn body() -> BatchInputSimplePublicObjectBatchInputUpsert {
    BatchInputSimplePublicObjectBatchInputUpsert {
        inputs: vec![SimplePublicObjectBatchInputUpsert {
            id: "ext-1".to_owned(),
            id_property: Some("external_deal_id".to_owned()),
            object_write_trace_id: Some("trace-1".to_owned()),
            properties: [("dealname".to_owned(), "A".to_owned())].into(),
        }],
    }
}

fn ok() -> ResponseTemplate {
    ResponseTemplate::new(200)
        .set_body_raw(fixture("hubspot/resp200_null_prop.json"), "application/json")
}

fn json(status: u16, body: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_raw(body.to_owned(), "application/json")
}

/// Answers with each template in turn, then with the last one for ever.
struct Sequence {
    answers: Vec<ResponseTemplate>,
    next: AtomicUsize,
}

impl Respond for Sequence {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let idx = self.next.fetch_add(1, Ordering::SeqCst).min(self.answers.len() - 1);
        self.answers[idx].clone()
    }
}

/// An HTTP client without timers, for the paused clock.
fn untimed() -> reqwest::Client {
    reqwest::Client::builder().pool_idle_timeout(None).build().unwrap()
}

/// A server that answers the upsert with `answers`, in turn, and a client of it with no timer,
/// `policy`, and no rate limiter (whose waits after a 429 the limiter tests below measure).
async fn serve(answers: Vec<ResponseTemplate>, policy: RetryPolicy) -> (MockServer, Client) {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(UPSERT_PATH))
        .respond_with(Sequence { answers, next: AtomicUsize::new(0) })
        .mount(&server)
        .await;
    let client = Client::builder()
        .base_url(server.uri())
        .bearer_token(TOKEN)
        .http_client(untimed())
        .retry_policy(policy)
        .rate_limit(None)
        .build()
        .unwrap();
    (server, client)
}

/// Every request the server received was the upsert, authorized, with the body that was given.
async fn received(server: &MockServer) -> usize {
    let requests = server.received_requests().await.unwrap();
    for it in &requests {
        assert_eq!(it.method.as_str(), "POST");
        assert_eq!(it.url.path(), UPSERT_PATH);
        assert_eq!(it.headers["authorization"], format!("Bearer {TOKEN}").as_str());
        let sent: BatchInputSimplePublicObjectBatchInputUpsert =
            serde_json::from_slice(&it.body).expect("the body is valid against the schema");
        assert_eq!(sent, body());
    }
    requests.len()
}

#[tokio::test(start_paused = true)]
async fn a_200_is_one_attempt() {
    let (server, client) = serve(vec![ok()], RetryPolicy::default()).await;
    let res = client.batch_upsert(&body()).await.unwrap();
    assert_eq!(res.attempts().count, 1);
    assert!(matches!(res.body(), BatchUpsertOutcome::Ok(_)));
    assert_eq!(received(&server).await, 1);
}

#[tokio::test(start_paused = true)]
async fn a_207_is_final() {
    let (server, client) =
        serve(vec![json(207, &fixture("hubspot/resp207_docs_shape.json"))], RetryPolicy::default())
            .await;
    let res = client.batch_upsert(&body()).await.unwrap();
    let BatchUpsertOutcome::MultiStatus(it) = res.body() else { panic!("{res:?}") };
    assert!(!it.errors.as_ref().unwrap().is_empty());
    assert_eq!(received(&server).await, 1);
}

#[tokio::test(start_paused = true)]
async fn client_errors_are_never_retried() {
    for (status, text) in [
        (400, fixture("hubspot/resp400_duplicate_ids.json")),
        (401, r#"{"status":"error","message":"Authentication credentials not found.","category":"INVALID_AUTHENTICATION"}"#.to_owned()),
        (403, r#"{"status":"error","message":"missing scopes","category":"MISSING_SCOPES"}"#.to_owned()),
        (404, r#"{"status":"error","message":"not found"}"#.to_owned()),
    ] {
        let (server, client) = serve(vec![json(status, &text), ok()], RetryPolicy::default()).await;
        let err = client.batch_upsert(&body()).await.unwrap_err();
        assert!(matches!(err, Error::Api { .. }), "{status}: {err:?}");
        assert_eq!(err.attempts().unwrap().count, 1, "{status}");
        assert_eq!(received(&server).await, 1, "{status}");
    }
}

#[tokio::test(start_paused = true)]
async fn a_ten_secondly_429_waits_within_the_window_then_succeeds() {
    let limited = json(429, &fixture("hubspot/resp429_ten_secondly.json"));
    let (server, client) = serve(vec![limited, ok()], RetryPolicy::default()).await;
    let start = Instant::now();
    let res = client.batch_upsert(&body()).await.unwrap();
    let attempts = res.attempts();
    assert_eq!((attempts.count, &attempts.stopped), (2, &StopReason::Final));
    assert!(attempts.waited > Duration::ZERO && attempts.waited <= Duration::from_secs(10));
    // The wait is the only time that passed (timers round up to the millisecond).
    let elapsed = start.elapsed();
    assert!(elapsed >= attempts.waited && elapsed <= attempts.waited + Duration::from_millis(2));
    assert_eq!(received(&server).await, 2);
}

#[tokio::test(start_paused = true)]
async fn a_429_honours_retry_after_then_the_rate_limit_headers() {
    let body_429 = fixture("hubspot/resp429_ten_secondly.json");
    let with_retry_after = json(429, &body_429).insert_header("Retry-After", "3");
    let exhausted = json(429, &body_429)
        .insert_header("X-HubSpot-RateLimit-Max", "190")
        .insert_header("X-HubSpot-RateLimit-Remaining", "0")
        .insert_header("X-HubSpot-RateLimit-Interval-Milliseconds", "10000");
    let (server, client) =
        serve(vec![with_retry_after, exhausted, ok()], RetryPolicy::default()).await;
    let res = client.batch_upsert(&body()).await.unwrap();
    assert_eq!(res.attempts().count, 3);
    assert_eq!(res.attempts().waited, Duration::from_secs(3 + 10));
    assert_eq!(received(&server).await, 3);
}

#[tokio::test(start_paused = true)]
async fn a_secondly_429_waits_at_most_a_second() {
    let secondly =
        json(429, r#"{"status":"error","errorType":"RATE_LIMIT","policyName":"SECONDLY"}"#);
    let (_server, client) = serve(vec![secondly, ok()], RetryPolicy::default()).await;
    let res = client.batch_upsert(&body()).await.unwrap();
    assert_eq!(res.attempts().count, 2);
    assert!(res.attempts().waited <= Duration::from_secs(1));
}

#[tokio::test(start_paused = true)]
async fn a_daily_429_is_not_retried_and_says_so() {
    let daily = json(
        429,
        r#"{"status":"error","message":"You have reached your daily limit.","errorType":"RATE_LIMIT","policyName":"DAILY"}"#,
    );
    let (server, client) = serve(vec![daily, ok()], RetryPolicy::default()).await;
    let err = client.batch_upsert(&body()).await.unwrap_err();
    let Error::Api { body, .. } = &err else { panic!("{err:?}") };
    assert_eq!(body.policy_name.as_deref(), Some("DAILY"));
    assert_eq!(err.attempts().unwrap().stopped, StopReason::DailyLimit);
    let message = err.to_string();
    assert!(message.contains("1 attempt") && message.contains("resets at midnight"), "{message}");
    assert_eq!(received(&server).await, 1);
}

#[tokio::test(start_paused = true)]
async fn a_500_then_a_200_succeeds() {
    let (server, client) = serve(
        vec![json(500, r#"{"status":"error","message":"internal"}"#), ok()],
        RetryPolicy::default(),
    )
    .await;
    let res = client.batch_upsert(&body()).await.unwrap();
    assert_eq!(res.attempts().count, 2);
    assert_eq!(received(&server).await, 2);
}

#[tokio::test(start_paused = true)]
async fn a_423_waits_at_least_two_seconds() {
    let policy =
        RetryPolicy::default().backoff(Duration::from_millis(10), Duration::from_millis(100));
    let (_server, client) = serve(vec![json(423, "{}"), ok()], policy).await;
    let res = client.batch_upsert(&body()).await.unwrap();
    assert_eq!(res.attempts().count, 2);
    assert!(res.attempts().waited >= Duration::from_secs(2), "{:?}", res.attempts());
}

#[tokio::test(start_paused = true)]
async fn a_477_honours_retry_after() {
    let migrating = json(477, "{}").insert_header("Retry-After", "5");
    let (_server, client) = serve(vec![migrating, ok()], RetryPolicy::default()).await;
    let res = client.batch_upsert(&body()).await.unwrap();
    assert_eq!(res.attempts().waited, Duration::from_secs(5));
}

#[tokio::test(start_paused = true)]
async fn gateway_errors_back_off_until_attempts_run_out() {
    let policy = RetryPolicy::default()
        .max_attempts(4)
        .backoff(Duration::from_millis(100), Duration::from_secs(1));
    let (server, client) = serve(vec![ResponseTemplate::new(503)], policy).await;
    let err = client.batch_upsert(&body()).await.unwrap_err();
    let attempts = err.attempts().unwrap();
    assert_eq!((attempts.count, &attempts.stopped), (4, &StopReason::MaxAttempts));
    // Three waits of between half and all of 100, 200 and 400 ms.
    assert!(
        attempts.waited >= Duration::from_millis(350)
            && attempts.waited <= Duration::from_millis(700),
        "{attempts:?}"
    );
    assert!(err.to_string().contains("4 attempts"), "{err}");
    assert_eq!(received(&server).await, 4);
}

#[tokio::test(start_paused = true)]
async fn no_wait_passes_the_total_time() {
    let policy = RetryPolicy::default().max_elapsed(Duration::from_secs(60));
    let slow = json(503, "{}").insert_header("Retry-After", "45");
    let (server, client) = serve(vec![slow], policy).await;
    let err = client.batch_upsert(&body()).await.unwrap_err();
    let attempts = err.attempts().unwrap();
    assert_eq!(attempts.count, 2);
    assert_eq!(attempts.stopped, StopReason::TimeBudget { wait: Duration::from_secs(45) });
    assert_eq!(received(&server).await, 2);
}

#[tokio::test(start_paused = true)]
async fn a_disabled_policy_makes_one_attempt() {
    let (server, client) =
        serve(vec![ResponseTemplate::new(503), ok()], RetryPolicy::disabled()).await;
    let err = client.batch_upsert(&body()).await.unwrap_err();
    assert_eq!(err.attempts().unwrap().stopped, StopReason::MaxAttempts);
    assert_eq!(received(&server).await, 1);
}

#[tokio::test(start_paused = true)]
async fn a_request_that_is_not_safe_to_repeat_is_not_retried() {
    let (server, client) =
        serve(vec![ResponseTemplate::new(503), ok()], RetryPolicy::default()).await;
    // A plain POST (not marked `x-retryable`), built with the runtime directly.
    let raw = client
        .request(reqwest::Method::POST, &["crm", "v3", "objects", "0-3", "batch", "upsert"])
        .json(&body())
        .send::<serde_json::Value>()
        .await
        .unwrap();
    assert_eq!(raw.status(), 503);
    assert_eq!(raw.attempts().stopped, StopReason::NotRetryable);
    assert_eq!(received(&server).await, 1);
}

#[tokio::test(start_paused = true)]
async fn invalid_json_is_a_decode_error_without_retry() {
    let (server, client) = serve(vec![json(200, "{not json"), ok()], RetryPolicy::default()).await;
    let err = client.batch_upsert(&body()).await.unwrap_err();
    assert!(matches!(err, Error::Decode { .. }), "{err:?}");
    assert_eq!(received(&server).await, 1);
}

#[tokio::test(start_paused = true)]
async fn a_refused_connection_is_retried_then_reported_with_its_attempts() {
    // A port held but not listened on: connections are refused, and nobody else can take it.
    let (_held, addr) = codegen_tests::refusing_address();
    let client = Client::builder()
        .base_url(format!("http://{addr}"))
        .bearer_token(TOKEN)
        .http_client(untimed())
        .retry_policy(RetryPolicy::default().max_attempts(3))
        .build()
        .unwrap();
    let err = client.batch_upsert(&body()).await.unwrap_err();
    let Error::Transport { attempts, .. } = &err else { panic!("{err:?}") };
    assert_eq!((attempts.count, &attempts.stopped), (3, &StopReason::MaxAttempts));
    assert!(err.to_string().contains("3 attempts"), "{err}");
}

/// A server on 127.0.0.1 that answers its n-th connection with `replies[n]` (the last one for
/// the rest), then closes it; and how many connections it took.
async fn raw_server(replies: Vec<Vec<u8>>) -> (String, Arc<AtomicUsize>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let count = Arc::new(AtomicUsize::new(0));
    let seen = count.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let idx = seen.fetch_add(1, Ordering::SeqCst).min(replies.len() - 1);
            let mut request = vec![0; 64 * 1024];
            let _ = socket.read(&mut request).await;
            let _ = socket.write_all(&replies[idx]).await;
            let _ = socket.shutdown().await;
        }
    });
    (format!("http://{addr}"), count)
}

#[tokio::test(start_paused = true)]
async fn a_connection_reset_mid_body_is_retried() {
    let text = fixture("hubspot/resp200_null_prop.json");
    let whole = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nconnection: close\r\ncontent-length: {}\r\n\r\n{text}",
        text.len()
    );
    let broken = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 5000\r\n\r\n{\"status\":\"COMP";
    let (base, connections) = raw_server(vec![broken.into(), whole.into()]).await;
    let client = Client::builder()
        .base_url(base)
        .bearer_token(TOKEN)
        .http_client(untimed())
        .build()
        .unwrap();
    let res = client.batch_upsert(&body()).await.unwrap();
    assert_eq!(res.attempts().count, 2);
    assert_eq!(connections.load(Ordering::SeqCst), 2);
}

/// On the real clock: a paused one would fire the timeout while the server answers.
#[tokio::test]
async fn a_timeout_then_a_success() {
    let server = MockServer::start().await;
    let slow = ok().set_delay(Duration::from_secs(5));
    Mock::given(method("POST"))
        .respond_with(Sequence { answers: vec![slow, ok()], next: AtomicUsize::new(0) })
        .mount(&server)
        .await;
    let client = Client::builder()
        .base_url(server.uri())
        .bearer_token(TOKEN)
        .timeout(Duration::from_millis(300))
        .retry_policy(
            RetryPolicy::default().backoff(Duration::from_millis(10), Duration::from_millis(20)),
        )
        .build()
        .unwrap();
    let res = client.batch_upsert(&body()).await.unwrap();
    assert_eq!(res.attempts().count, 2);
}

/// `without_timeout()` lifts the builder's timeout, set before it or the default: on the real
/// clock, a slow answer that a timeout refuses is waited for.
#[tokio::test]
async fn without_timeout_waits_for_a_slow_server() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ok().set_delay(Duration::from_millis(600)))
        .mount(&server)
        .await;
    let builder = || {
        Client::builder()
            .base_url(server.uri())
            .bearer_token(TOKEN)
            .timeout(Duration::from_millis(100))
            .retry_policy(RetryPolicy::disabled())
    };
    let err = builder().build().unwrap().batch_upsert(&body()).await.unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    let res = builder().without_timeout().build().unwrap().batch_upsert(&body()).await.unwrap();
    assert_eq!(res.attempts().count, 1);
}

#[tokio::test(start_paused = true)]
async fn rate_limit_headers_are_data() {
    let limited = ok()
        .insert_header("X-HubSpot-RateLimit-Max", "190")
        .insert_header("X-HubSpot-RateLimit-Remaining", "189")
        .insert_header("X-HubSpot-RateLimit-Interval-Milliseconds", "10000")
        .insert_header("X-HubSpot-RateLimit-Daily", "1000000")
        .insert_header("X-HubSpot-RateLimit-Daily-Remaining", "999999");
    let (_server, client) = serve(vec![limited], RetryPolicy::default()).await;
    let res = client.batch_upsert(&body()).await.unwrap();
    let limit = res.rate_limit().unwrap();
    assert_eq!((limit.max, limit.remaining), (Some(190), Some(189)));
    assert_eq!(limit.interval, Some(Duration::from_secs(10)));
    assert_eq!((limit.daily, limit.daily_remaining), (Some(1_000_000), Some(999_999)));
    // Errors offer them too.
    let err_429 = json(429, &fixture("hubspot/resp429_ten_secondly.json"))
        .insert_header("X-HubSpot-RateLimit-Remaining", "0");
    let (_server, client) = serve(vec![err_429], RetryPolicy::disabled()).await;
    let err = client.batch_upsert(&body()).await.unwrap_err();
    assert_eq!(err.rate_limit().unwrap().remaining, Some(0));
}

#[tokio::test(start_paused = true)]
async fn the_limiter_paces_every_clone_of_a_client() {
    let server = MockServer::start().await;
    Mock::given(method("POST")).respond_with(ok()).mount(&server).await;
    let client = Client::builder()
        .base_url(server.uri())
        .bearer_token(TOKEN)
        .http_client(untimed())
        .rate_limit((2, Duration::from_secs(1)))
        .build()
        .unwrap();
    let start = Instant::now();
    let calls = (0..6).map(|_| {
        let client = client.clone();
        async move { client.batch_upsert(&body()).await.unwrap() }
    });
    futures_join_all(calls).await;
    // A burst of 2, then 2 a second: the last of 6 goes out after 2 s.
    assert!(start.elapsed() >= Duration::from_secs(2), "{:?}", start.elapsed());
    assert!(start.elapsed() < Duration::from_secs(3), "{:?}", start.elapsed());
}

#[tokio::test(start_paused = true)]
async fn the_limiter_learns_from_the_server() {
    let server = MockServer::start().await;
    let exhausted = ok()
        .insert_header("X-HubSpot-RateLimit-Max", "10")
        .insert_header("X-HubSpot-RateLimit-Remaining", "0")
        .insert_header("X-HubSpot-RateLimit-Interval-Milliseconds", "10000");
    Mock::given(method("POST")).respond_with(exhausted).mount(&server).await;
    let client = Client::builder()
        .base_url(server.uri())
        .bearer_token(TOKEN)
        .http_client(untimed())
        .rate_limit((100, Duration::from_secs(10)))
        .build()
        .unwrap();
    client.batch_upsert(&body()).await.unwrap();
    let start = Instant::now();
    client.batch_upsert(&body()).await.unwrap();
    // The server said 10 per 10 s and none left: the next request waits for the window.
    assert!(start.elapsed() >= Duration::from_secs(10), "{:?}", start.elapsed());
}

/// `Client::builder()` starts at the spec's 100 per 10 s and follows the limit the server
/// states as the pair it is: 20 per 2 s lets 60 requests through in about 4 s, not 20 s.
#[tokio::test(start_paused = true)]
async fn the_default_limiter_adopts_the_servers_limit_as_a_pair() {
    let server = MockServer::start().await;
    let stated = ok()
        .insert_header("X-HubSpot-RateLimit-Max", "20")
        .insert_header("X-HubSpot-RateLimit-Interval-Milliseconds", "2000");
    Mock::given(method("POST")).respond_with(stated).mount(&server).await;
    let client = Client::builder()
        .base_url(server.uri())
        .bearer_token(TOKEN)
        .http_client(untimed())
        .build()
        .unwrap();
    client.batch_upsert(&body()).await.unwrap();
    let start = Instant::now();
    for _ in 0..59 {
        client.batch_upsert(&body()).await.unwrap();
    }
    let elapsed = start.elapsed();
    assert!(elapsed >= Duration::from_secs(4) && elapsed < Duration::from_secs(5), "{elapsed:?}");
}

/// A `SECONDLY` 429 pauses the limiter a second, not the ten-secondly window its headers
/// describe.
#[tokio::test(start_paused = true)]
async fn a_secondly_429_pauses_the_limiter_a_second() {
    let server = MockServer::start().await;
    // The ten-secondly window has room: only the secondly one is full.
    let secondly = json(429, r#"{"status":"error","policyName":"SECONDLY"}"#)
        .insert_header("X-HubSpot-RateLimit-Max", "100")
        .insert_header("X-HubSpot-RateLimit-Remaining", "50")
        .insert_header("X-HubSpot-RateLimit-Interval-Milliseconds", "10000");
    Mock::given(method("POST"))
        .respond_with(Sequence { answers: vec![secondly, ok()], next: AtomicUsize::new(0) })
        .mount(&server)
        .await;
    let client = Client::builder()
        .base_url(server.uri())
        .bearer_token(TOKEN)
        .http_client(untimed())
        .build()
        .unwrap();
    let start = Instant::now();
    let res = client.batch_upsert(&body()).await.unwrap();
    assert_eq!(res.attempts().count, 2);
    let elapsed = start.elapsed();
    assert!(elapsed >= Duration::from_secs(1) && elapsed < Duration::from_secs(2), "{elapsed:?}");
}

/// Runs the futures concurrently on this task.
async fn futures_join_all<F: std::future::Future>(futures: impl IntoIterator<Item = F>) {
    let mut pending: Vec<std::pin::Pin<Box<F>>> = futures.into_iter().map(Box::pin).collect();
    std::future::poll_fn(|cx| {
        pending.retain_mut(|it| it.as_mut().poll(cx).is_pending());
        if pending.is_empty() { std::task::Poll::Ready(()) } else { std::task::Poll::Pending }
    })
    .await;
}

/// A writer into a shared buffer, for the subscriber that captures traces.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(start_paused = true)]
async fn traces_name_the_call_and_its_attempts_but_never_the_token() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let limited = json(429, &fixture("hubspot/resp429_ten_secondly.json"))
        .insert_header("Retry-After", "1")
        .insert_header("X-HubSpot-Correlation-Id", "aeb5f871-7f07-4993-9211-075dc63e7cbf");
    let (_server, client) = serve(vec![limited, ok()], RetryPolicy::default()).await;
    // Everything a user might log.
    let res = client.batch_upsert(&body()).await.unwrap();
    tracing::info!(client = ?client, response = ?res, "done");
    let (_server, failing) = serve(vec![json(400, "{}")], RetryPolicy::default()).await;
    let err = failing.batch_upsert(&body()).await.unwrap_err();
    tracing::info!(error = %err, debug = ?err, "failed");
    let builder = Client::builder().bearer_token(TOKEN);
    tracing::info!(builder = ?builder, "builder");

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(!logs.contains("secret"), "the token leaked:\n{logs}");
    for expected in [
        "operation=\"batch_upsert\"",
        "method=POST",
        "path=/crm/v3/objects/0-3/batch/upsert",
        "attempt=1",
        "attempt=2",
        "status=429",
        "status=200",
        "correlation_id=\"aeb5f871-7f07-4993-9211-075dc63e7cbf\"",
        "wait_ms=1000",
        "retrying",
        "attempts=2",
    ] {
        assert!(logs.contains(expected), "no `{expected}` in the traces:\n{logs}");
    }
}
