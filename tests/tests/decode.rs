//! The generated models against real-shaped HubSpot bodies and the spec's own examples.

use codegen_tests::{fixture, project_root};
use hubspot_deals::models::{
    BatchInputSimplePublicObjectBatchInputUpsert, BatchResponseSimplePublicUpsertObject,
    BatchResponseSimplePublicUpsertObjectWithErrors, BatchStatus, Error, ErrorDetailContext,
    SimplePublicUpsertObject,
};
use serde::{Serialize, de::DeserializeOwned};
use serde_json::Value;

/// Decodes `text` as `T`, then checks that encoding it gives back the JSON that was read, value
/// for value (numbers exactly), and that decoding that again gives the same value.
fn decode_round_trip<T: DeserializeOwned + Serialize + PartialEq + std::fmt::Debug>(
    text: &str,
) -> T {
    let value: T =
        serde_json::from_str(text).unwrap_or_else(|err| panic!("decoding: {err}\n{text}"));
    let input: Value = serde_json::from_str(text).unwrap();
    let encoded = serde_json::to_value(&value).unwrap();
    assert_eq!(encoded, input, "decode → encode changed the JSON");
    let again: T = serde_json::from_value(encoded).unwrap();
    assert_eq!(value, again, "decode → encode → decode changed the value");
    value
}

#[test]
fn decodes_200_with_null_property_and_null_requested_at() {
    let res: BatchResponseSimplePublicUpsertObject =
        decode_round_trip(&fixture("hubspot/resp200_null_prop.json"));
    assert_eq!(res.status, BatchStatus::Complete);
    assert_eq!(res.requested_at, Some(None), "`requestedAt: null` is present and null, not absent");
    let deal = &res.results[0];
    assert_eq!(deal.properties["amount"], None);
    assert_eq!(deal.properties["dealname"].as_deref(), Some("B"));
    assert!(!deal.new);
}

#[test]
fn decodes_207_errors_without_errors_or_links() {
    let res: BatchResponseSimplePublicUpsertObjectWithErrors =
        decode_round_trip(&fixture("hubspot/resp207_docs_shape.json"));
    assert_eq!(res.num_errors, Some(1));
    let errors = res.errors.as_deref().expect("the 207's errors are kept");
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].category.as_deref(), Some("VALIDATION_ERROR"));
    assert_eq!(errors[0].errors, None);
    assert_eq!(errors[0].links, None);
    let context = errors[0].context.as_ref().unwrap();
    assert_eq!(context["objectWriteTraceId"], ["549b1c2a9351"]);
    assert_eq!(res.results[0].object_write_trace_id.as_deref(), Some("549b1c2a9350"));
    // `requestedAt` is absent here, which is not the same as null.
    assert_eq!(res.requested_at, None);
}

/// HubSpot's own reference page for the endpoint shows this body as the 200: `errors` and
/// `numErrors` beside the results, and an error detail whose `context` is a string.
#[test]
fn the_reference_page_example_keeps_its_errors_as_either_success_type() {
    let text = fixture("hubspot/reference_page_example.json");
    let ok: BatchResponseSimplePublicUpsertObject = decode_round_trip(&text);
    let multi: BatchResponseSimplePublicUpsertObjectWithErrors = decode_round_trip(&text);
    assert_eq!((ok.num_errors, multi.num_errors), (Some(10), Some(10)));
    for errors in [ok.errors.as_deref(), multi.errors.as_deref()] {
        let errors = errors.expect("a 200's errors are kept");
        let detail = &errors[0].errors.as_ref().unwrap()[0];
        assert_eq!(
            detail.context,
            Some(ErrorDetailContext::String("{missingScopes=[scope1, scope2]}".to_owned()))
        );
    }
    // Nothing dropped: both encode back to exactly what was received.
    let original: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(serde_json::to_value(&ok).unwrap(), original);
    assert_eq!(serde_json::to_value(&multi).unwrap(), original);
}

#[test]
fn an_error_detail_context_may_be_a_map() {
    let detail: hubspot_deals::models::ErrorDetail =
        decode_round_trip(r#"{"message": "m", "context": {"propertyName": ["amount"]}}"#);
    let Some(ErrorDetailContext::Map(map)) = detail.context else { panic!("{detail:?}") };
    assert_eq!(map["propertyName"], ["amount"]);
}

/// HubSpot's error guide: every field of an error may be missing. A nested error without a
/// message must not make a 207 (and the record of what it wrote) undecodable.
#[test]
fn a_207_whose_nested_error_has_no_message_decodes() {
    let mut body: Value =
        serde_json::from_str(&fixture("hubspot/resp207_docs_shape.json")).unwrap();
    body["errors"][0]["errors"] = serde_json::json!([{"in": "amount", "code": "INVALID_DECIMAL"}]);
    let res: BatchResponseSimplePublicUpsertObjectWithErrors = decode_round_trip(&body.to_string());
    let errors = res.errors.unwrap();
    let detail = &errors[0].errors.as_ref().unwrap()[0];
    assert_eq!((detail.message.as_deref(), detail.r#in.as_deref()), (None, Some("amount")));
    assert_eq!(res.results.len(), 1, "the written records are kept");
}

#[test]
fn decodes_the_429_body_as_an_error() {
    let res: Error = decode_round_trip(&fixture("hubspot/resp429_ten_secondly.json"));
    assert_eq!(res.category, None);
    assert_eq!(res.error_type.as_deref(), Some("RATE_LIMIT"));
    assert_eq!(res.policy_name.as_deref(), Some("TEN_SECONDLY_ROLLING"));
    assert_eq!(
        res.correlation_id.map(|it| it.to_string()).as_deref(),
        Some("c93e06a4-7d61-4c3e-b63f-edf486fc6e90")
    );
}

#[test]
fn decodes_the_duplicate_ids_400_as_an_error() {
    let res: Error = decode_round_trip(&fixture("hubspot/resp400_duplicate_ids.json"));
    assert_eq!(res.category.as_deref(), Some("VALIDATION_ERROR"));
    assert_eq!(res.context.unwrap()["ids"], ["12877907025"]);
}

#[test]
fn unknown_enum_values_decode_and_re_encode_verbatim() {
    let mut body: Value = serde_json::from_str(&fixture("hubspot/resp200_null_prop.json")).unwrap();
    body["status"] = "PARTIALLY_DONE".into();
    let res: BatchResponseSimplePublicUpsertObject = serde_json::from_value(body).unwrap();
    assert_eq!(res.status, BatchStatus::Unknown("PARTIALLY_DONE".to_owned()));
    assert_eq!(serde_json::to_value(&res).unwrap()["status"], "PARTIALLY_DONE");
    assert_eq!(BatchStatus::from("CANCELED"), BatchStatus::Canceled);
    assert_eq!(BatchStatus::Canceled.to_string(), "CANCELED");
}

#[test]
fn timestamps_re_encode_in_hubspots_format() {
    let text = fixture("hubspot/resp200_null_prop.json");
    let res: BatchResponseSimplePublicUpsertObject = serde_json::from_str(&text).unwrap();
    let encoded = serde_json::to_value(&res).unwrap();
    assert_eq!(encoded["startedAt"], "2024-08-15T17:09:13.610Z");
    assert_eq!(encoded["results"][0]["createdAt"], "2024-08-15T17:09:13.648Z");
    assert_eq!(encoded["requestedAt"], Value::Null);
}

#[test]
fn re_encoding_keeps_every_field_of_the_fixtures() {
    // Every field HubSpot sent comes back out: nothing is dropped on the way through the model.
    for (name, decode) in [
        (
            "hubspot/resp200_null_prop.json",
            reencode::<BatchResponseSimplePublicUpsertObject> as fn(&str) -> Value,
        ),
        (
            "hubspot/resp207_docs_shape.json",
            reencode::<BatchResponseSimplePublicUpsertObjectWithErrors>,
        ),
        ("hubspot/resp400_duplicate_ids.json", reencode::<Error>),
        ("hubspot/resp429_ten_secondly.json", reencode::<Error>),
    ] {
        let text = fixture(name);
        let original: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(decode(&text), original, "{name}");
    }
}

fn reencode<T: DeserializeOwned + Serialize>(text: &str) -> Value {
    serde_json::to_value(serde_json::from_str::<T>(text).unwrap()).unwrap()
}

#[test]
fn a_missing_required_field_is_an_error_not_a_default() {
    let err = serde_json::from_str::<SimplePublicUpsertObject>(r#"{"id": "1", "properties": {}}"#)
        .unwrap_err();
    assert!(err.to_string().contains("missing field"), "{err}");
}

/// Every example in the spec decodes as the schema it illustrates, and round-trips.
#[test]
fn decodes_every_example_of_the_spec() {
    let text =
        std::fs::read_to_string(project_root().join("spec/deals-batch-upsert.yaml")).unwrap();
    let spec: Value = serde_yaml::from_str(&text).unwrap();
    let mut examples = Vec::new();
    collect_examples(&spec, None, &mut examples);
    assert!(examples.len() >= 4, "the spec has examples for the request, 200, 207 and Error");
    for (schema, example) in examples {
        let text = example.to_string();
        match schema.as_str() {
            "BatchInputSimplePublicObjectBatchInputUpsert" => {
                decode_round_trip::<BatchInputSimplePublicObjectBatchInputUpsert>(&text);
            }
            "BatchResponseSimplePublicUpsertObject" => {
                decode_round_trip::<BatchResponseSimplePublicUpsertObject>(&text);
            }
            "BatchResponseSimplePublicUpsertObjectWithErrors" => {
                decode_round_trip::<BatchResponseSimplePublicUpsertObjectWithErrors>(&text);
            }
            "Error" => {
                decode_round_trip::<Error>(&text);
            }
            other => panic!("the spec has an example for `{other}`: add it to this test"),
        }
    }
}

/// Pairs each `example` with the component schema it belongs to: the one it sits in, or the one
/// its sibling `schema` refers to.
fn collect_examples(node: &Value, schema: Option<&str>, acc: &mut Vec<(String, Value)>) {
    match node {
        Value::Object(map) => {
            let here = map
                .get("schema")
                .and_then(|it| it.get("$ref"))
                .and_then(Value::as_str)
                .and_then(|it| it.strip_prefix("#/components/schemas/"))
                .or(schema);
            if let Some(example) = map.get("example") {
                let name = here.expect("an example outside any schema");
                acc.push((name.to_owned(), example.clone()));
            }
            for (key, value) in map {
                match key.as_str() {
                    "example" => {}
                    "schemas" => {
                        for (name, schema) in value.as_object().into_iter().flatten() {
                            collect_examples(schema, Some(name), acc);
                        }
                    }
                    _ => collect_examples(value, here, acc),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|it| collect_examples(it, schema, acc)),
        _ => {}
    }
}
