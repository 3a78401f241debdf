//! The generated client against a server on 127.0.0.1: what it sends, and what it makes of
//! every kind of answer, at one attempt (retries are `retry.rs`'s).

use codegen_tests::fixture;
use hubspot_deals::{
    BatchUpsertOutcome, Client, Error, RetryPolicy,
    models::{BatchInputSimplePublicObjectBatchInputUpsert, SimplePublicObjectBatchInputUpsert},
};
use serde_json::json;
use wiremock::{
    Mock, MockServer, ResponseTemplate,
    matchers::{body_json, header, method, path},
};

const UPSERT_PATH: &str = "/crm/v3/objects/0-3/batch/upsert";

fn client(server: &MockServer) -> Client {
    Client::builder()
        .base_url(server.uri())
        .bearer_token("pat-test-token")
        .retry_policy(RetryPolicy::disabled())
        .build()
        .unwrap()
}

fn body() -> BatchInputSimplePublicObjectBatchInputUpsert {
    BatchInputSimplePublicObjectBatchInputUpsert {
        inputs: vec![SimplePublicObjectBatchInputUpsert {
            id: "ext-1".to_owned(),
            id_property: Some("external_deal_id".to_owned()),
            object_write_trace_id: Some("trace-1".to_owned()),
            properties: [
                ("dealname".to_owned(), "A".to_owned()),
                ("amount".to_owned(), String::new()),
            ]
            .into(),
        }],
    }
}

/// A 200 with the body HubSpot sends for a successful upsert.
fn ok_response() -> ResponseTemplate {
    ResponseTemplate::new(200)
        .set_body_raw(fixture("hubspot/resp200_null_prop.json"), "application/json")
}

async fn answer(status: u16, body: &str) -> (MockServer, Client) {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(UPSERT_PATH))
        .respond_with(
            ResponseTemplate::new(status).set_body_raw(body.to_owned(), "application/json"),
        )
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    (server, client)
}

#[tokio::test]
async fn sends_the_body_as_json_with_a_bearer_token() {
    let server = MockServer::start().await;
    let expected = json!({"inputs": [{
        "id": "ext-1",
        "idProperty": "external_deal_id",
        "objectWriteTraceId": "trace-1",
        "properties": {"amount": "", "dealname": "A"},
    }]});
    Mock::given(method("POST"))
        .and(path(UPSERT_PATH))
        .and(header("authorization", "Bearer pat-test-token"))
        .and(header("content-type", "application/json"))
        .and(body_json(expected))
        .respond_with(ok_response())
        .expect(1)
        .mount(&server)
        .await;
    let res = client(&server).batch_upsert(&body()).await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(matches!(res.into_body(), BatchUpsertOutcome::Ok(_)));
}

/// The generated `Client` reaches the runtime's for a call the spec does not describe, with the
/// same credentials and `User-Agent`. (Here the runtime is a module of the crate, so both would
/// name `hubspot-deals`; that a standalone crate names itself rather than its runtime crate is
/// checked by the `operations` fixture's behaviour test, where the two differ.)
#[tokio::test]
async fn names_the_crate_and_sends_undescribed_calls_the_same_way() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/crm/v3/objects/0-3/42"))
        .and(header("authorization", "Bearer pat-test-token"))
        .and(header("user-agent", "hubspot-deals/0.1.0"))
        .respond_with(ResponseTemplate::new(200).set_body_raw("{}", "application/json"))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let request = client.request(reqwest::Method::GET, &["crm", "v3", "objects", "0-3", "42"]);
    let raw = request.send::<()>().await.unwrap();
    assert_eq!(raw.status(), 200);
    assert_eq!(&raw.body()[..], b"{}");
}

#[tokio::test]
async fn a_200_is_the_ok_outcome() {
    let (_server, client) = answer(200, &fixture("hubspot/resp200_null_prop.json")).await;
    let BatchUpsertOutcome::Ok(done) = client.batch_upsert(&body()).await.unwrap().into_body()
    else {
        panic!("a 200 is `Ok`")
    };
    assert_eq!(done.results[0].id, "987654");
}

#[tokio::test]
async fn a_207_keeps_its_errors() {
    let (_server, client) = answer(207, &fixture("hubspot/resp207_docs_shape.json")).await;
    let BatchUpsertOutcome::MultiStatus(partial) =
        client.batch_upsert(&body()).await.unwrap().into_body()
    else {
        panic!("a 207 is `MultiStatus`, never `Ok`, even though its body would fit the 200 type")
    };
    assert_eq!(partial.results.len(), 1);
    let errors = partial.errors.unwrap();
    assert_eq!(errors[0].context.as_ref().unwrap()["objectWriteTraceId"], ["549b1c2a9351"]);
}

#[tokio::test]
async fn an_undocumented_success_is_kept_whole() {
    let text = fixture("hubspot/resp200_null_prop.json");
    let (_server, client) = answer(201, &text).await;
    let BatchUpsertOutcome::Undocumented(raw) =
        client.batch_upsert(&body()).await.unwrap().into_body()
    else {
        panic!("a 201 is not documented for this operation")
    };
    assert_eq!(raw.status(), 201);
    assert_eq!(raw.body().as_ref(), text.as_bytes());
    let decoded: hubspot_deals::models::BatchResponseSimplePublicUpsertObject = raw.json().unwrap();
    assert_eq!(decoded.results.len(), 1);
}

#[tokio::test]
async fn a_429_is_an_api_error_with_its_body() {
    let (_server, client) = answer(429, &fixture("hubspot/resp429_ten_secondly.json")).await;
    let err = client.batch_upsert(&body()).await.unwrap_err();
    assert_eq!(err.status().map(|it| it.as_u16()), Some(429));
    let Error::Api { body, .. } = &err else { panic!("expected an API error, got {err:?}") };
    assert_eq!(body.policy_name.as_deref(), Some("TEN_SECONDLY_ROLLING"));
    assert!(err.to_string().contains("429"), "{err}");
}

#[tokio::test]
async fn an_error_body_that_does_not_decode_is_kept_raw() {
    let (_server, client) = answer(502, "<html>Bad gateway</html>").await;
    let err = client.batch_upsert(&body()).await.unwrap_err();
    let Error::UnexpectedResponse { response, .. } = &err else {
        panic!("expected a raw error, got {err:?}")
    };
    assert_eq!(response.status(), 502);
    assert_eq!(response.body().as_ref(), b"<html>Bad gateway</html>");
}

#[tokio::test]
async fn a_success_body_that_does_not_decode_is_kept_raw() {
    let (_server, client) = answer(200, r#"{"status": "COMPLETE"}"#).await;
    let err = client.batch_upsert(&body()).await.unwrap_err();
    let Error::Decode { response, source } = &err else {
        panic!("expected a decode error, got {err:?}")
    };
    assert_eq!(response.body().as_ref(), br#"{"status": "COMPLETE"}"#);
    assert!(source.to_string().contains("missing field"), "{source}");
}

#[tokio::test]
async fn a_connection_failure_is_a_transport_error() {
    // A port held but not listened on: connections are refused, and nobody else can take it.
    let (_held, addr) = codegen_tests::refusing_address();
    let client = Client::builder()
        .base_url(format!("http://{addr}"))
        .bearer_token("pat-test-token")
        .retry_policy(RetryPolicy::disabled())
        .build()
        .unwrap();
    let err = client.batch_upsert(&body()).await.unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
}

#[tokio::test]
async fn a_base_url_with_a_path_keeps_it() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(format!("/proxy/hubspot{UPSERT_PATH}")))
        .respond_with(ok_response())
        .expect(1)
        .mount(&server)
        .await;
    let client = Client::builder()
        .base_url(format!("{}/proxy/hubspot/", server.uri()))
        .bearer_token("pat-test-token")
        .build()
        .unwrap();
    client.batch_upsert(&body()).await.unwrap();
}

#[test]
fn bad_configuration_is_reported_when_building() {
    let err = Client::builder().base_url("not a url").build().unwrap_err();
    assert!(err.to_string().contains("not a URL"), "{err}");
    let err = Client::builder().base_url("mailto:a@b.c").build().unwrap_err();
    assert!(err.to_string().contains("not an http(s) URL"), "{err}");
    let err = Client::builder().bearer_token("line\nbreak").build().unwrap_err();
    assert!(err.to_string().contains("bearer token"), "{err}");
}

/// The default server comes from the spec, which anyone may have written: a token never
/// travels in clear text, except to this machine.
#[test]
fn a_token_is_never_sent_over_plain_http_but_to_loopback() {
    for url in ["http://api.example.com", "http://10.0.0.1:8080/v1", "http://[::2]"] {
        let err = Client::builder().base_url(url).bearer_token("pat-1").build().unwrap_err();
        assert!(err.to_string().contains("unencrypted"), "{url}: {err}");
        Client::builder().base_url(url).build().expect("without a token, plain http is fine");
    }
    for url in
        ["http://127.0.0.1:8080", "http://localhost", "http://[::1]:1", "https://api.example.com"]
    {
        Client::builder().base_url(url).bearer_token("pat-1").build().unwrap();
    }
}

#[test]
fn the_token_never_shows_in_debug_output() {
    let client = Client::builder().bearer_token("pat-secret").build().unwrap();
    let debug = format!("{client:?}");
    assert!(!debug.contains("pat-secret") && debug.contains("<redacted>"), "{debug}");
}

#[test]
fn the_default_server_is_hubspots() {
    let client = Client::builder().build().unwrap();
    assert_eq!(client.base_url().as_str(), "https://api.hubapi.com/");
    assert_eq!(hubspot_deals::DEFAULT_BASE_URL, "https://api.hubapi.com");
}

/// The runtime's request building, which generated methods with parameters call: each path
/// segment percent-encoded on its own, arrays exploded or joined, headers set.
#[tokio::test]
async fn path_segments_query_arrays_and_headers() {
    use wiremock::matchers::query_param;
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/deals/a%2Fb%20c/n.json"))
        .and(query_param("ids", "1,2"))
        .and(query_param("sort", "asc"))
        .and(header("x-request-id", "req-1"))
        .respond_with(
            ResponseTemplate::new(200).set_body_raw(r#"{"ok": true}"#, "application/json"),
        )
        .expect(1)
        .mount(&server)
        .await;
    let response: hubspot_deals::RawResponse = client(&server)
        .request(reqwest::Method::GET, &["deals", "a/b c", "n.json"])
        .query_array("ids", &[1_i64, 2], false)
        .query_array("properties", &["dealname", "amount"], true)
        .query_array::<String>("empty", &[], true)
        .query_opt::<str>("after", None)
        .query("sort", "asc")
        .header("x-request-id", "req-1")
        .send::<()>()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let requests = server.received_requests().await.unwrap();
    assert_eq!(
        requests[0].url.query(),
        Some("ids=1%2C2&properties=dealname&properties=amount&sort=asc")
    );
}

#[tokio::test]
async fn a_header_value_that_cannot_be_sent_is_an_invalid_request() {
    let server = MockServer::start().await;
    let err = client(&server)
        .request(reqwest::Method::GET, &["x"])
        .header("x-note", "line\nbreak")
        .send::<()>()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidRequest(_)), "{err:?}");
    assert!(server.received_requests().await.unwrap().is_empty(), "nothing was sent");
}

/// Path arguments are a stranger's text too: each stays one segment, byte for byte, whatever
/// it holds; tabs and line breaks (which URL parsers drop) and `%2e` (which they read as a dot)
/// included.
#[tokio::test]
async fn hostile_path_segments_are_encoded_not_rewritten() {
    let server = MockServer::start().await;
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(204)).mount(&server).await;
    let segments = ["deals", "a\tb\nc\rd", "%2e%2E", "x?y#z/w", "ü", "a.b"];
    let response =
        client(&server).request(reqwest::Method::GET, &segments).send::<()>().await.unwrap();
    assert_eq!(response.status(), 204);
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests[0].url.path(), "/deals/a%09b%0Ac%0Dd/%252e%252E/x%3Fy%23z%2Fw/%C3%BC/a.b");
}

#[tokio::test]
async fn dot_segments_are_refused_not_resolved() {
    let server = MockServer::start().await;
    for segments in [&["deals", ".."][..], &["..", "admin"], &["deals", "."]] {
        let err =
            client(&server).request(reqwest::Method::GET, segments).send::<()>().await.unwrap_err();
        assert!(
            matches!(&err, Error::InvalidRequest(it) if it.contains("relative path")),
            "{err:?}"
        );
    }
    assert!(server.received_requests().await.unwrap().is_empty(), "nothing was sent");
}

/// A server on 127.0.0.1 that answers every connection with `reply`, then closes it.
async fn raw_server(reply: Vec<u8>) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let mut request = vec![0; 64 * 1024];
            let _ = socket.read(&mut request).await;
            let _ = socket.write_all(&reply).await;
            let _ = socket.shutdown().await;
        }
    });
    format!("http://{addr}")
}

#[tokio::test]
async fn a_body_that_breaks_off_keeps_the_status_and_headers() {
    let base = raw_server(
        b"HTTP/1.1 207 Multi-Status\r\ncontent-type: application/json\r\nx-hubspot-correlation-id: abc\r\ncontent-length: 100\r\n\r\n{\"status\":\"COMPL".to_vec(),
    )
    .await;
    let client = Client::builder()
        .base_url(base)
        .bearer_token("pat-test-token")
        .retry_policy(RetryPolicy::disabled())
        .build()
        .unwrap();
    let err = client.batch_upsert(&body()).await.unwrap_err();
    let Error::Incomplete { response, .. } = &err else { panic!("{err:?}") };
    assert_eq!(response.status(), 207);
    assert_eq!(response.headers()["x-hubspot-correlation-id"], "abc");
    assert_eq!(&response.body()[..], b"{\"status\":\"COMPL");
    assert_eq!(err.status().map(|it| it.as_u16()), Some(207));
}

#[tokio::test]
async fn a_body_past_the_limit_is_refused_when_declared() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_raw("x".repeat(2000), "application/json"))
        .mount(&server)
        .await;
    let client = Client::builder()
        .base_url(server.uri())
        .bearer_token("pat-test-token")
        .max_response_size(1000)
        .build()
        .unwrap();
    let err = client.batch_upsert(&body()).await.unwrap_err();
    let Error::TooLarge { response, limit } = &err else { panic!("{err:?}") };
    assert_eq!((*limit, response.status().as_u16()), (1000, 200));
    assert!(response.body().is_empty(), "Content-Length said so before anything was read");
}

#[tokio::test]
async fn a_body_past_the_limit_stops_at_the_limit_when_not_declared() {
    // Chunked: the size is known only while reading.
    let mut reply = b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n400\r\n".to_vec();
    reply.extend([b'a'; 0x400]);
    reply.extend(b"\r\n0\r\n\r\n");
    let base = raw_server(reply).await;
    let client = Client::builder()
        .base_url(base)
        .bearer_token("pat-test-token")
        .max_response_size(100)
        .build()
        .unwrap();
    let err = client.batch_upsert(&body()).await.unwrap_err();
    let Error::TooLarge { response, limit } = &err else { panic!("{err:?}") };
    assert_eq!(*limit, 100);
    assert_eq!(&response.body()[..], &[b'a'; 100][..]);
}

fn input(id: &str) -> SimplePublicObjectBatchInputUpsert {
    SimplePublicObjectBatchInputUpsert {
        id: id.to_owned(),
        id_property: Some("external_deal_id".to_owned()),
        object_write_trace_id: None,
        properties: [("dealname".to_owned(), id.to_owned())].into(),
    }
}

/// A body HubSpot would refuse as a whole never leaves the machine, and the error names each
/// offending input and the rule it breaks.
#[tokio::test]
async fn a_body_that_breaks_its_schema_is_refused_before_sending() {
    let server = MockServer::start().await;
    Mock::given(method("POST")).respond_with(ok_response()).mount(&server).await;
    let client = client(&server);

    // The limit comes from the spec's `maxItems`, as an associated constant.
    let limit = BatchInputSimplePublicObjectBatchInputUpsert::INPUTS_MAX_ITEMS;
    assert_eq!(limit, 100);
    let too_many = BatchInputSimplePublicObjectBatchInputUpsert {
        inputs: (0..=limit).map(|it| input(&format!("ext-{it}"))).collect(),
    };
    let err = client.batch_upsert(&too_many).await.unwrap_err();
    let Error::Invalid(violations) = &err else { panic!("{err:?}") };
    assert_eq!(violations.to_string(), "inputs: at most 100 items (maxItems), not 101");

    let duplicates = BatchInputSimplePublicObjectBatchInputUpsert {
        inputs: vec![input("ext-1"), input("ext-2"), input(""), input("ext-1")],
    };
    let err = client.batch_upsert(&duplicates).await.unwrap_err();
    let message = err.to_string();
    assert!(message.starts_with("the body breaks its schema, so nothing was sent"), "{message}");
    let Error::Invalid(violations) = &err else { panic!("{err:?}") };
    let rules: Vec<String> = violations.0.iter().map(ToString::to_string).collect();
    assert_eq!(
        rules,
        [
            r#"inputs[3]: repeats inputs[0]: the same idProperty and id (["external_deal_id","ext-1"]) (x-unique-items-by)"#,
            "inputs[2].id: must not be empty (minLength 1)",
        ]
    );
    assert!(server.received_requests().await.unwrap().is_empty(), "nothing was sent");

    // 100 distinct inputs are fine.
    let full = BatchInputSimplePublicObjectBatchInputUpsert {
        inputs: (0..limit).map(|it| input(&format!("ext-{it}"))).collect(),
    };
    client.batch_upsert(&full).await.unwrap();
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

/// A redirect to another origin is not followed while the client holds credentials: neither
/// the token (which reqwest would drop) nor the batch (which it would send again) reaches a
/// server that redirects elsewhere; the call sees the redirect.
#[tokio::test]
async fn a_redirect_elsewhere_is_not_followed() {
    let elsewhere = MockServer::start().await;
    Mock::given(method("POST")).respond_with(ok_response()).mount(&elsewhere).await;
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(UPSERT_PATH))
        .respond_with(
            ResponseTemplate::new(307)
                .insert_header("location", format!("{}{UPSERT_PATH}", elsewhere.uri())),
        )
        .mount(&server)
        .await;
    let err = client(&server).batch_upsert(&body()).await.unwrap_err();
    assert_eq!(err.status().map(|it| it.as_u16()), Some(307), "{err:?}");
    assert!(elsewhere.received_requests().await.unwrap().is_empty());
    let first = server.received_requests().await.unwrap();
    assert!(first[0].headers.get("authorization").is_some(), "the server asked for it got it");
}

/// A redirect on the same origin is followed, the token with it.
#[tokio::test]
async fn a_redirect_on_the_same_origin_is_followed() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/moved"))
        .and(header("authorization", "Bearer pat-test-token"))
        .respond_with(ok_response())
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(UPSERT_PATH))
        .respond_with(
            ResponseTemplate::new(307).insert_header("location", format!("{}/moved", server.uri())),
        )
        .mount(&server)
        .await;
    let res = client(&server).batch_upsert(&body()).await.unwrap();
    assert_eq!(res.status().as_u16(), 200);
}

#[tokio::test]
async fn a_call_without_credentials_is_never_sent() {
    // The spec requires an OAuth token or a private app's: without one, HubSpot would refuse
    // the call, so it fails before it is sent, naming what it needs.
    let server = MockServer::start().await;
    let client = Client::builder().base_url(server.uri()).build().unwrap();
    let err = client.batch_upsert(&body()).await.unwrap_err();
    let Error::InvalidRequest(message) = &err else { panic!("{err:?}") };
    assert!(message.contains("`oauth2`, or `private_apps`"), "{message}");
    assert!(server.received_requests().await.unwrap().is_empty());
    // Given to either scheme by name, a token is sent as a bearer token.
    use hubspot_deals::Credentials as _;
    Mock::given(method("POST"))
        .and(path(UPSERT_PATH))
        .and(header("authorization", "Bearer pat-by-name"))
        .respond_with(ok_response())
        .expect(1)
        .mount(&server)
        .await;
    let client =
        Client::builder().base_url(server.uri()).private_apps("pat-by-name").build().unwrap();
    client.batch_upsert(&body()).await.unwrap();
}

/// A server that answers one request with an event stream, an event per chunk: each written
/// when `go` says so (the client has read the one before), then a silence until the test ends.
async fn event_server(events: usize) -> (String, tokio::sync::mpsc::Sender<()>) {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (go, mut next) = tokio::sync::mpsc::channel::<()>(1);
    tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        let mut request = Vec::new();
        let mut buf = [0_u8; 1024];
        while !request.windows(4).any(|it| it == b"\r\n\r\n") {
            let n = socket.read(&mut buf).await.unwrap();
            assert!(n > 0, "the request ended before its headers");
            request.extend_from_slice(&buf[..n]);
        }
        let head = "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n";
        socket.write_all(head.as_bytes()).await.unwrap();
        for n in 0..events {
            if n > 0 && next.recv().await.is_none() {
                return;
            }
            let event = format!("data: {n}\n\n");
            let chunk = format!("{:x}\r\n{event}\r\n", event.len());
            socket.write_all(chunk.as_bytes()).await.unwrap();
        }
        // Silent, the connection open, until the client is gone.
        let _ = next.recv().await;
    });
    (url, go)
}

#[tokio::test]
async fn an_event_stream_is_read_as_it_arrives() {
    let (url, go) = event_server(3).await;
    let client = Client::builder().base_url(url).build().unwrap();
    let streamed = client.request(reqwest::Method::GET, &["events"]).events().send_events::<()>();
    let mut stream =
        streamed.await.unwrap().events(hubspot_deals::runtime::events::text()).unwrap().into_body();
    // Each event is read before the server sends the next: nothing waits for the end.
    for n in 0..3 {
        assert_eq!(stream.next().await.unwrap().unwrap().data, n.to_string());
        go.send(()).await.unwrap();
    }
}

#[tokio::test]
async fn a_stream_outlasts_the_timeout_but_not_a_silence_past_it() {
    let (url, go) = event_server(6).await;
    let timeout = std::time::Duration::from_millis(1000);
    let client = Client::builder().base_url(url).timeout(timeout).build().unwrap();
    let streamed = client.request(reqwest::Method::GET, &["events"]).events().send_events::<()>();
    let mut stream =
        streamed.await.unwrap().events(hubspot_deals::runtime::events::text()).unwrap().into_body();
    let started = std::time::Instant::now();
    for n in 0..6 {
        assert_eq!(stream.next().await.unwrap().unwrap().data, n.to_string());
        if n < 5 {
            // Gaps well within the timeout, which the whole stream passes.
            tokio::time::sleep(std::time::Duration::from_millis(250)).await;
            go.send(()).await.unwrap();
        }
    }
    assert!(started.elapsed() > timeout, "the stream lasted past the client's timeout");
    // Then the server goes silent: the silence, not the test, ends the stream.
    match stream.next().await {
        Some(Err(hubspot_deals::runtime::EventError::Transport(err))) => {
            assert!(err.is_timeout() || err.is_body(), "{err}")
        }
        other => panic!("expected the silence to end the stream, got {other:?}"),
    }
    assert!(stream.next().await.is_none());
}
