//! The HubSpot-like server of `codegen_tests::hubspot`, driven by the generated client: it must
//! behave as HubSpot does before bulk upserts are measured against it.

use std::time::Duration;

use codegen_tests::hubspot::{Config, FakeHubSpot, Fault, UPSERT_PATH};
use hubspot_deals::{
    BatchUpsertOutcome, Client, Error, RetryPolicy,
    models::{BatchInputSimplePublicObjectBatchInputUpsert, SimplePublicObjectBatchInputUpsert},
};
use serde_json::{Value, json};

/// A client without a rate limiter: these tests drive the server's own limit.
fn client(server: &FakeHubSpot, policy: RetryPolicy) -> Client {
    Client::builder()
        .base_url(server.url())
        .bearer_token("pat-fake")
        .rate_limit(None)
        .timeout(Duration::from_millis(500))
        .retry_policy(policy)
        .build()
        .unwrap()
}

fn fast_retries() -> RetryPolicy {
    RetryPolicy::default().backoff(Duration::from_millis(5), Duration::from_millis(20))
}

fn input(id: &str, trace: Option<&str>, dealname: &str) -> SimplePublicObjectBatchInputUpsert {
    let input =
        SimplePublicObjectBatchInputUpsert::new(id, [("dealname".to_owned(), dealname.to_owned())])
            .with_id_property("external_deal_id");
    match trace {
        Some(trace) => input.with_object_write_trace_id(trace),
        None => input,
    }
}

fn batch(
    inputs: Vec<SimplePublicObjectBatchInputUpsert>,
) -> BatchInputSimplePublicObjectBatchInputUpsert {
    BatchInputSimplePublicObjectBatchInputUpsert::new(inputs)
}

/// Sends `body` as it is, past the client's own checks; the status and the JSON answer.
async fn raw(client: &Client, body: Value) -> (u16, Value) {
    let segments: Vec<&str> = UPSERT_PATH.trim_start_matches('/').split('/').collect();
    let response =
        client.request(reqwest::Method::POST, &segments).json(&body).send::<Value>().await.unwrap();
    (response.status().as_u16(), response.json().unwrap())
}

#[tokio::test]
async fn an_upsert_creates_then_updates() {
    let server = FakeHubSpot::start(Config::default()).await;
    let client = client(&server, RetryPolicy::disabled());
    let first = client
        .batch_upsert(&batch(vec![input("a", None, "A"), input("b", None, "B")]))
        .await
        .unwrap();
    let BatchUpsertOutcome::Ok(first) = first.into_body() else { panic!() };
    assert!(first.results.iter().all(|it| it.new));
    let again = client.batch_upsert(&batch(vec![input("a", None, "A2")])).await.unwrap();
    let BatchUpsertOutcome::Ok(again) = again.into_body() else { panic!() };
    assert!(!again.results[0].new);
    let records = server.records();
    let a = &records[&("external_deal_id".to_owned(), "a".to_owned())];
    assert_eq!((a.writes, a.properties["dealname"].as_str()), (2, "A2"));
    assert_eq!(again.results[0].id, a.id);
    assert_eq!(records.len(), 2);
}

#[tokio::test]
async fn whole_batches_are_refused_as_hubspot_refuses_them() {
    let server = FakeHubSpot::start(Config::default()).await;
    let client = client(&server, RetryPolicy::disabled());
    let input = |id: &str| json!({"id": id, "idProperty": "external_deal_id", "properties": {}});
    let (status, body) = raw(
        &client,
        json!({"inputs": (0..101).map(|it| input(&it.to_string())).collect::<Vec<_>>()}),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    let (status, body) = raw(&client, json!({"inputs": [input("x"), input("x")]})).await;
    assert_eq!(status, 400);
    assert_eq!(body["context"]["ids"], json!(["x"]));
    // An invalid input without trace ids fails the whole batch.
    let bad = json!({"id": "", "idProperty": "external_deal_id", "properties": {}});
    let (status, _) = raw(&client, json!({"inputs": [input("y"), bad]})).await;
    assert_eq!(status, 400);
    assert!(server.records().is_empty(), "nothing was written");
}

#[tokio::test]
async fn with_trace_ids_invalid_inputs_are_207_errors_and_the_rest_is_written() {
    let server = FakeHubSpot::start(Config::default()).await;
    let client = client(&server, RetryPolicy::disabled());
    let body = batch(vec![input("a", Some("t-a"), "A"), input("b", Some("t-b"), "INVALID")]);
    let outcome = client.batch_upsert(&body).await.unwrap().into_body();
    let BatchUpsertOutcome::MultiStatus(partial) = outcome else { panic!("{outcome:?}") };
    assert_eq!(partial.num_errors, Some(1));
    let errors = partial.errors.unwrap();
    assert_eq!(errors[0].context.as_ref().unwrap()["objectWriteTraceId"], ["t-b"]);
    assert_eq!(partial.results[0].object_write_trace_id.as_deref(), Some("t-a"));
    assert_eq!(server.records().len(), 1);
}

#[tokio::test]
async fn the_rate_limit_answers_hubspots_429() {
    let server = FakeHubSpot::start(Config {
        limit: 2,
        window: Duration::from_secs(60),
        ..Config::default()
    })
    .await;
    let client = client(&server, RetryPolicy::disabled());
    for _ in 0..2 {
        let res = client.batch_upsert(&batch(vec![input("a", None, "A")])).await.unwrap();
        assert!(res.rate_limit().unwrap().remaining.unwrap() < 2);
    }
    let err = client.batch_upsert(&batch(vec![input("a", None, "A")])).await.unwrap_err();
    let Error::Api { body, .. } = &err else { panic!("{err:?}") };
    assert_eq!(body.policy_name.as_deref(), Some("TEN_SECONDLY_ROLLING"));
    assert_eq!(err.rate_limit().unwrap().remaining, Some(0));
    assert_eq!(server.requests(), (3, 1));
}

#[tokio::test]
async fn faults_are_served_in_turn_and_the_client_rides_them_out() {
    let server = FakeHubSpot::start(Config::default()).await;
    server.inject([Fault::Status(503), Fault::Drop, Fault::Delay(Duration::from_secs(2))]);
    let client = client(&server, fast_retries());
    let res = client.batch_upsert(&batch(vec![input("a", None, "A")])).await.unwrap();
    assert_eq!(res.attempts().count, 4, "{:?}", res.attempts());
    assert_eq!(server.records().len(), 1);
}

#[tokio::test]
async fn a_request_applied_whose_answer_is_lost_is_applied_once_more_on_retry() {
    let server = FakeHubSpot::start(Config::default()).await;
    server.inject([Fault::ApplyThenDrop]);
    let client = client(&server, fast_retries());
    let res = client.batch_upsert(&batch(vec![input("a", Some("t"), "A")])).await.unwrap();
    let BatchUpsertOutcome::Ok(done) = res.into_body() else { panic!() };
    // The retry found the record the lost request had created.
    assert!(!done.results[0].new);
    assert_eq!(server.records()[&("external_deal_id".to_owned(), "a".to_owned())].writes, 2);
}
