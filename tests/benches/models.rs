//! The generated models against hand-written serde structs of the same shape: decoding and
//! encoding a batch upsert response of 100 results and a request of 100 inputs, as JSON. The
//! hand-written types are what one would write for these bodies without a generator (derives,
//! `rename_all`, plain enums and options); the generated ones keep more (unknown enum values,
//! `null` apart from absent), and the target is at most 1.1 times the baseline's time.
//!
//! `cargo bench -p codegen-tests --bench models`; figures in BENCHMARKS.md.

use std::{collections::BTreeMap, hint::black_box};

use chrono::{DateTime, Utc};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use hubspot_deals::models::{
    BatchInputSimplePublicObjectBatchInputUpsert, BatchResponseSimplePublicUpsertObject,
};
use serde::{Deserialize, Serialize, de::DeserializeOwned};

mod hand_written {
    use super::*;

    #[derive(Debug, Serialize, Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub(crate) struct Response {
        pub(crate) completed_at: DateTime<Utc>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub(crate) links: Option<BTreeMap<String, String>>,
        #[serde(default)]
        pub(crate) requested_at: Option<DateTime<Utc>>,
        pub(crate) results: Vec<Object>,
        pub(crate) started_at: DateTime<Utc>,
        pub(crate) status: Status,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub(crate) errors: Option<Vec<serde_json::Value>>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub(crate) num_errors: Option<i32>,
    }

    #[derive(Debug, Serialize, Deserialize)]
    #[serde(rename_all = "SCREAMING_SNAKE_CASE")]
    pub(crate) enum Status {
        Pending,
        Processing,
        Canceled,
        Complete,
    }

    #[derive(Debug, Serialize, Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub(crate) struct Object {
        pub(crate) archived: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub(crate) archived_at: Option<DateTime<Utc>>,
        pub(crate) created_at: DateTime<Utc>,
        pub(crate) id: String,
        pub(crate) new: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub(crate) object_write_trace_id: Option<String>,
        pub(crate) properties: BTreeMap<String, Option<String>>,
        pub(crate) updated_at: DateTime<Utc>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub(crate) url: Option<String>,
    }

    #[derive(Debug, Serialize, Deserialize)]
    pub(crate) struct Request {
        pub(crate) inputs: Vec<Input>,
    }

    #[derive(Debug, Serialize, Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub(crate) struct Input {
        pub(crate) id: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub(crate) id_property: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub(crate) object_write_trace_id: Option<String>,
        pub(crate) properties: BTreeMap<String, String>,
    }
}

/// A 200 of batch upsert with `n` results, as HubSpot writes it.
fn response(n: usize) -> String {
    let results: Vec<_> = (0..n)
        .map(|i| {
            serde_json::json!({
                "id": format!("{}", 40_000_000_000u64 + i as u64),
                "properties": {
                    "amount": format!("{}.50", 1000 + i),
                    "closedate": null,
                    "createdate": "2026-11-30T10:15:00.123Z",
                    "dealname": format!("Deal number {i}"),
                    "dealstage": "appointmentscheduled",
                    "external_deal_id": format!("ext-{i}"),
                    "hs_lastmodifieddate": "2026-11-30T10:15:00.456Z",
                    "hs_object_id": format!("{}", 40_000_000_000u64 + i as u64),
                    "pipeline": "default"
                },
                "createdAt": "2026-11-30T10:15:00.123Z",
                "updatedAt": "2026-11-30T10:15:00.456Z",
                "archived": false,
                "new": i % 3 == 0,
                "objectWriteTraceId": format!("trace-{i}"),
                "url": format!("https://app.hubspot.com/contacts/1/record/0-3/{i}")
            })
        })
        .collect();
    serde_json::json!({
        "status": "COMPLETE",
        "results": results,
        "requestedAt": null,
        "startedAt": "2026-11-30T10:15:00.010Z",
        "completedAt": "2026-11-30T10:15:00.910Z"
    })
    .to_string()
}

/// A batch upsert request of `n` inputs.
fn request(n: usize) -> String {
    let inputs: Vec<_> = (0..n)
        .map(|i| {
            serde_json::json!({
                "idProperty": "external_deal_id",
                "id": format!("ext-{i}"),
                "objectWriteTraceId": format!("trace-{i}"),
                "properties": {
                    "amount": format!("{}.50", 1000 + i),
                    "dealname": format!("Deal number {i}"),
                    "dealstage": "appointmentscheduled",
                    "pipeline": "default",
                    "closedate": "2026-12-31T00:00:00Z"
                }
            })
        })
        .collect();
    serde_json::json!({ "inputs": inputs }).to_string()
}

fn decode<T: DeserializeOwned>(text: &str) -> T {
    serde_json::from_str(text).unwrap_or_else(|err| panic!("the body does not decode: {err}"))
}

/// Decoding and encoding `text` as `G` (generated) and `H` (hand-written).
fn compare<G, H>(c: &mut Criterion, what: &str, text: &str)
where
    G: DeserializeOwned + Serialize,
    H: DeserializeOwned + Serialize,
{
    let mut group = c.benchmark_group(format!("decode {what}"));
    group.throughput(Throughput::Bytes(text.len() as u64));
    group.bench_with_input(BenchmarkId::from_parameter("generated"), text, |b, text| {
        b.iter(|| black_box(decode::<G>(text)));
    });
    group.bench_with_input(BenchmarkId::from_parameter("hand-written"), text, |b, text| {
        b.iter(|| black_box(decode::<H>(text)));
    });
    group.finish();

    let (generated, hand_written) = (decode::<G>(text), decode::<H>(text));
    let mut group = c.benchmark_group(format!("encode {what}"));
    group.throughput(Throughput::Bytes(text.len() as u64));
    group.bench_function(BenchmarkId::from_parameter("generated"), |b| {
        b.iter(|| black_box(serde_json::to_vec(&generated).expect("encodes")));
    });
    group.bench_function(BenchmarkId::from_parameter("hand-written"), |b| {
        b.iter(|| black_box(serde_json::to_vec(&hand_written).expect("encodes")));
    });
    group.finish();
}

fn bodies(c: &mut Criterion) {
    let response = response(100);
    // Both decode the same body and encode back to the same size, so they do the same work.
    let generated =
        serde_json::to_string(&decode::<BatchResponseSimplePublicUpsertObject>(&response));
    let hand_written = serde_json::to_string(&decode::<hand_written::Response>(&response));
    assert_eq!(generated.unwrap().len(), hand_written.unwrap().len());
    compare::<BatchResponseSimplePublicUpsertObject, hand_written::Response>(
        c,
        "batch response, 100 results",
        &response,
    );
    let request = request(100);
    compare::<BatchInputSimplePublicObjectBatchInputUpsert, hand_written::Request>(
        c,
        "batch request, 100 inputs",
        &request,
    );
}

criterion_group!(benches, bodies);
criterion_main!(benches);
