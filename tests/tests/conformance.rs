//! The generated client against Stoplight Prism serving `spec/`: an independent reading of the
//! spec, on both sides of the wire. Run by `cargo xtask conformance`, which installs and starts
//! Prism and passes its addresses in `PRISM_STATIC_URL` and `PRISM_DYNAMIC_URLS`; ignored by a
//! plain `cargo test`.
//!
//! Prism validates every request (`--errors`): a request that breaks the spec gets a 4xx or 5xx
//! of Prism's own (`application/problem+json`) instead of a response from the spec. So a
//! decoded 200 or 207 is proof that the request conformed.

use std::sync::atomic::{AtomicU64, Ordering};

use hubspot_deals::{
    BatchUpsertOutcome, Client, Error, RetryPolicy,
    models::{BatchInputSimplePublicObjectBatchInputUpsert, SimplePublicObjectBatchInputUpsert},
};

fn url(name: &str) -> String {
    std::env::var(name)
        .unwrap_or_else(|_| panic!("{name} is not set: run `cargo xtask conformance`"))
}

fn dynamic_urls() -> Vec<String> {
    url("PRISM_DYNAMIC_URLS").split(',').map(str::to_owned).collect()
}

/// A client of `base`; `prefer` asks Prism for a status (`Prefer: code=207`).
fn client(base: &str, prefer: Option<&str>) -> Client {
    let mut headers = reqwest::header::HeaderMap::new();
    if let Some(prefer) = prefer {
        headers.insert("prefer", prefer.parse().unwrap());
    }
    let http = reqwest::Client::builder().default_headers(headers).build().unwrap();
    Client::builder()
        .base_url(base)
        .bearer_token("pat-conformance")
        .http_client(http)
        .retry_policy(RetryPolicy::disabled())
        .build()
        .unwrap()
}

/// A body with `inputs` inputs, every field set, distinct.
fn body(inputs: usize) -> BatchInputSimplePublicObjectBatchInputUpsert {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let inputs: Vec<_> = (0..inputs)
        .map(|_| {
            let n = NEXT.fetch_add(1, Ordering::Relaxed);
            SimplePublicObjectBatchInputUpsert::new(
                format!("ext-{n}"),
                [
                    ("dealname".to_owned(), format!("Deal {n}")),
                    ("amount".to_owned(), String::new()),
                ],
            )
            .with_id_property("external_deal_id")
            .with_object_write_trace_id(format!("trace-{n}"))
        })
        .collect();
    BatchInputSimplePublicObjectBatchInputUpsert::new(inputs)
}

/// The outcome of a call, or a failure that shows what Prism sent.
async fn call(client: &Client, inputs: usize) -> BatchUpsertOutcome {
    match client.batch_upsert(&body(inputs)).await {
        Ok(response) => response.into_body(),
        Err(err) => {
            let sent = err.response().map(|it| String::from_utf8_lossy(it.body()).into_owned());
            panic!("Prism answered with an error: {err}\nbody: {}", sent.unwrap_or_default())
        }
    }
}

#[tokio::test]
#[ignore = "needs Prism: run `cargo xtask conformance`"]
async fn the_static_200_is_the_specs_example() {
    let outcome = call(&client(&url("PRISM_STATIC_URL"), None), 2).await;
    let BatchUpsertOutcome::Ok(done) = outcome else { panic!("{outcome:?}") };
    assert_eq!(done.results[0].id, "987654");
    assert_eq!(done.requested_at, Some(None), "the example's `requestedAt: null`");
    assert_eq!(done.results[0].properties["pipeline"], None);
}

#[tokio::test]
#[ignore = "needs Prism: run `cargo xtask conformance`"]
async fn the_static_207_keeps_its_errors() {
    let outcome = call(&client(&url("PRISM_STATIC_URL"), Some("code=207")), 2).await;
    let BatchUpsertOutcome::MultiStatus(partial) = outcome else { panic!("{outcome:?}") };
    let errors = partial.errors.expect("the example's errors");
    assert_eq!(errors[0].category.as_deref(), Some("VALIDATION_ERROR"));
    assert_eq!(partial.num_errors, Some(1));
}

#[tokio::test]
#[ignore = "needs Prism: run `cargo xtask conformance`"]
async fn requests_of_every_size_pass_prisms_validation() {
    let client = client(&url("PRISM_STATIC_URL"), None);
    for inputs in [1, 2, 50, 100] {
        assert!(
            matches!(call(&client, inputs).await, BatchUpsertOutcome::Ok(_)),
            "{inputs} inputs"
        );
    }
}

/// Prism does validate: a request that breaks the spec (an input without its required `id`,
/// sent past the client's own checks) is refused. Without this, the tests above would prove
/// nothing.
#[tokio::test]
#[ignore = "needs Prism: run `cargo xtask conformance`"]
async fn prism_refuses_a_request_that_breaks_the_spec() {
    let client = client(&url("PRISM_STATIC_URL"), None);
    let raw = client
        .request(reqwest::Method::POST, &["crm", "v3", "objects", "0-3", "batch", "upsert"])
        .json(&serde_json::json!({"inputs": [{"properties": {"dealname": "no id"}}]}))
        .send::<serde_json::Value>()
        .await
        .unwrap();
    assert!(!raw.status().is_success(), "Prism accepted a request without `id`: {raw:?}");
}

/// Responses generated from the schemas (not the examples), with several seeds and both
/// success statuses, decode; a body that does not is shown in full.
#[tokio::test]
#[ignore = "needs Prism: run `cargo xtask conformance`"]
async fn dynamic_responses_decode() {
    let mut decoded = 0;
    for base in dynamic_urls() {
        for prefer in [None, Some("code=200"), Some("code=207")] {
            for _ in 0..5 {
                let client = client(&base, prefer);
                match client.batch_upsert(&body(3)).await {
                    Ok(response) => {
                        let outcome = response.into_body();
                        match (prefer, &outcome) {
                            (Some("code=207"), BatchUpsertOutcome::MultiStatus(_))
                            | (_, BatchUpsertOutcome::Ok(_)) => decoded += 1,
                            _ => panic!("{base} ({prefer:?}): {outcome:?}"),
                        }
                    }
                    Err(Error::Decode { response, source }) => panic!(
                        "{base} ({prefer:?}) sent a body that does not decode ({source}); if it breaks the spec, that is Prism's doing:\n{}",
                        String::from_utf8_lossy(response.body())
                    ),
                    Err(err) => panic!("{base} ({prefer:?}): {err}"),
                }
            }
        }
    }
    assert_eq!(decoded, 3 * 3 * 5);
}
