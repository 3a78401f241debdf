//! An answer's results and errors mapped back to the inputs of its request: by trace id, by the
//! id property's value, by record id; never by position, never by guess.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};

use super::{Fate, Pending};
use crate::models::{SimplePublicUpsertObject, StandardError};

/// Each input's fate from a batch answer: by trace id, else by the id property's value in the
/// result's properties, else by record id for inputs that name no `idProperty`. `since` is,
/// for each input, the moment after which a record found created may have been created by it
/// (see the module's documentation).
pub(super) fn map_back(
    batch: &[Pending],
    results: &[SimplePublicUpsertObject],
    errors: &[StandardError],
    since: &[Option<DateTime<Utc>>],
) -> Vec<Fate> {
    let by_trace: BTreeMap<&str, usize> = batch
        .iter()
        .enumerate()
        .filter_map(|(pos, it)| Some((it.input.object_write_trace_id.as_deref()?, pos)))
        .collect();
    // HubSpot lowercases emails, the one unique property whose case it changes.
    let value_key = |property: &str, value: &str| {
        if property.eq_ignore_ascii_case("email") { value.to_lowercase() } else { value.to_owned() }
    };
    let mut by_value: BTreeMap<(&str, String), usize> = BTreeMap::new();
    let mut by_record: BTreeMap<&str, usize> = BTreeMap::new();
    for (pos, it) in batch.iter().enumerate() {
        match it.input.id_property.as_deref() {
            Some(property) if property != "hs_object_id" => {
                by_value.insert((property, value_key(property, &it.input.id)), pos);
            }
            _ => {
                by_record.insert(it.input.id.as_str(), pos);
            }
        }
    }
    let properties: BTreeSet<&str> = by_value.keys().map(|(it, _)| *it).collect();
    let mut fates: Vec<Option<Fate>> = vec![None; batch.len()];
    for result in results {
        let by_property = || {
            properties.iter().find_map(|property| {
                let value = result.properties.get(*property)?.as_deref()?;
                by_value.get(&(*property, value_key(property, value))).copied()
            })
        };
        let pos = result
            .object_write_trace_id
            .as_deref()
            .and_then(|it| by_trace.get(it).copied())
            .or_else(by_property)
            .or_else(|| by_record.get(result.id.as_str()).copied());
        let Some(pos) = pos else { continue };
        let record_id = result.id.clone();
        let created_earlier = since[pos].is_some_and(|it| result.created_at >= it);
        let fate = if result.new || created_earlier {
            Fate::Created { record_id }
        } else {
            Fate::Updated { record_id }
        };
        fates[pos] = Some(match fates[pos].take() {
            None => fate,
            Some(_) => Fate::Unknown { reason: "two results of the answer name it".to_owned() },
        });
    }
    for error in errors {
        let message = error.message.clone().unwrap_or_else(|| "no message".to_owned());
        let category = error.category.clone().unwrap_or_default();
        let traces = error.context.as_ref().and_then(|it| it.get("objectWriteTraceId"));
        for trace in traces.into_iter().flatten() {
            if let Some(&pos) = by_trace.get(trace.as_str()) {
                let error = format!("{category}: {message}");
                fates[pos] = Some(match fates[pos].take() {
                    // An error about an input that a result says was written: the answer
                    // contradicts itself.
                    Some(Fate::Created { .. } | Fate::Updated { .. }) => Fate::Unknown {
                        reason: format!("the answer lists it written and refused ({error})"),
                    },
                    _ => Fate::Failed { error, transient: false },
                });
            }
        }
    }
    fates
        .into_iter()
        .map(|it| {
            it.unwrap_or_else(|| Fate::Unknown {
                reason: "the answer does not mention it".to_owned(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, Utc};

    use super::map_back;
    use crate::bulk::{Fate, Input, Pending};
    use crate::models::{SimplePublicUpsertObject, StandardError};

    fn pending(index: usize, input: Input) -> Pending {
        Pending { index, input, applied_since: None, merged: Vec::new() }
    }

    fn result(json: serde_json::Value) -> SimplePublicUpsertObject {
        let mut base = serde_json::json!({
            "archived": false,
            "createdAt": "2026-12-01T10:00:00.000Z",
            "updatedAt": "2026-12-01T10:00:00.000Z",
            "new": false,
            "properties": {},
        });
        base.as_object_mut().unwrap().extend(json.as_object().unwrap().clone());
        serde_json::from_value(base).unwrap()
    }

    /// Without trace ids: by the id property's value (an email as HubSpot lowercases it), else
    /// by record id for an input that names no `idProperty`; never by position or by guess.
    #[test]
    fn results_are_mapped_by_value_then_record_id_and_never_guessed() {
        let batch = [
            pending(0, Input::new("Ann@Example.com", []).with_id_property("email")),
            pending(1, Input::new("ext-1", []).with_id_property("external_deal_id")),
            pending(2, Input::new("1234", [])),
            pending(3, Input::new("ext-3", []).with_id_property("external_deal_id")),
        ];
        let results = [
            result(serde_json::json!({"id": "1234", "properties": {}})),
            result(serde_json::json!({"id": "7", "properties": {"external_deal_id": "ext-1"}})),
            result(
                serde_json::json!({"id": "9", "properties": {"email": "ann@example.com"}, "new": true}),
            ),
            result(serde_json::json!({"id": "11", "properties": {"external_deal_id": "other"}})),
        ];
        let fates = map_back(&batch, &results, &[], &[None; 4]);
        assert_eq!(fates[0], Fate::Created { record_id: "9".to_owned() });
        assert_eq!(fates[1], Fate::Updated { record_id: "7".to_owned() });
        assert_eq!(fates[2], Fate::Updated { record_id: "1234".to_owned() });
        assert!(matches!(fates[3], Fate::Unknown { .. }), "{:?}", fates[3]);
    }

    /// `new: false` for a record created at or after the moment an unanswered request of this
    /// input went out is a creation; one created before it is an update.
    #[test]
    fn created_since_an_unanswered_request_is_created() {
        let batch = [pending(
            0,
            Input::new("a", []).with_id_property("p").with_object_write_trace_id("t0"),
        )];
        let at = |it: &str| it.parse::<DateTime<Utc>>().unwrap();
        let answer = [result(serde_json::json!({"id": "1", "objectWriteTraceId": "t0"}))];
        let since = |it: &str| [Some(at(it))];
        let created = map_back(&batch, &answer, &[], &since("2026-12-01T10:00:00.000Z"));
        assert_eq!(created[0], Fate::Created { record_id: "1".to_owned() });
        let updated = map_back(&batch, &answer, &[], &since("2026-12-01T10:00:00.001Z"));
        assert_eq!(updated[0], Fate::Updated { record_id: "1".to_owned() });
    }

    /// An answer that says an input was written and refused contradicts itself: unknown.
    #[test]
    fn an_input_both_written_and_refused_is_unknown() {
        let batch = [pending(
            0,
            Input::new("a", []).with_id_property("p").with_object_write_trace_id("t0"),
        )];
        let results = [result(serde_json::json!({"id": "1", "objectWriteTraceId": "t0"}))];
        let context = [("objectWriteTraceId".to_owned(), vec!["t0".to_owned()])];
        let error: StandardError = serde_json::from_value(serde_json::json!({
            "category": "VALIDATION_ERROR", "message": "bad", "context": context.into_iter().collect::<std::collections::BTreeMap<_, _>>(),
        }))
        .unwrap();
        let fates = map_back(&batch, &results, &[error], &[None]);
        assert!(
            matches!(&fates[0], Fate::Unknown { reason } if reason.contains("bad")),
            "{:?}",
            fates[0]
        );
    }
}
