//! Bulk upsert: any number of deals, in batches as large as the operation allows, sent
//! concurrently, every input accounted for.
//!
//! Hand-written, on nothing but the generated [`Client::batch_upsert`] and the runtime:
//!
//! - each input is checked against the spec's constraints on its own, so one bad input costs
//!   only itself;
//! - inputs with the same `(idProperty, id)` waiting in the same batch are merged, the last one
//!   winning and the earlier ones reported as duplicates; an input whose key is in a batch still
//!   in flight waits for that batch, so that writes of one key happen in input order;
//! - every input gets a unique `objectWriteTraceId` when it has none, so that HubSpot answers
//!   207 with per-input errors instead of refusing the whole batch;
//! - batches are as large as the spec's `maxItems` ([`BatchInput::INPUTS_MAX_ITEMS`]), at most
//!   `concurrency` of them in flight, under the client's rate limiter and retry policy;
//! - a batch refused whole with a 400 is split in halves until the inputs at fault are alone;
//! - results and errors are mapped back to inputs by trace id (else by the id property's
//!   value), never by position: HubSpot returns results in no particular order.
//!
//! Memory is bounded by `concurrency` batches, not by the number of inputs: outcomes go to a
//! callback as they are known.

use std::collections::{BTreeMap, BTreeSet};

use tokio::task::JoinSet;

use crate::{
    BatchUpsertOutcome, Client, Error,
    models::{
        BatchInputSimplePublicObjectBatchInputUpsert as BatchInput,
        SimplePublicObjectBatchInputUpsert as Input, SimplePublicUpsertObject, StandardError,
    },
    runtime::Validate,
};

/// What became of one input: exactly one per input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fate {
    /// A record was created; HubSpot's record id.
    Created(String),
    /// The record was updated; HubSpot's record id.
    Updated(String),
    /// It was not written, and why.
    Failed(String),
    /// A later input with the same `idProperty` and `id` replaced it before it was sent; the
    /// later input's index.
    Duplicate(usize),
    /// Whether it was written could not be learnt (a request sent whose answer never came).
    Unknown(String),
}

/// One input's fate, by its position in the input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    /// The input's position, from 0.
    pub index: usize,
    /// Its `idProperty`.
    pub id_property: Option<String>,
    /// Its `id`.
    pub id: String,
    /// What became of it.
    pub fate: Fate,
}

/// How many inputs ended in each state.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Totals {
    /// Records created.
    pub created: usize,
    /// Records updated.
    pub updated: usize,
    /// Inputs not written.
    pub failed: usize,
    /// Inputs replaced by a later one with the same key.
    pub duplicates: usize,
    /// Inputs whose fate could not be learnt.
    pub unknown: usize,
    /// Requests sent (batches, and halves of refused batches).
    pub requests: usize,
}

impl Totals {
    fn count(&mut self, fate: &Fate) {
        match fate {
            Fate::Created(_) => self.created += 1,
            Fate::Updated(_) => self.updated += 1,
            Fate::Failed(_) => self.failed += 1,
            Fate::Duplicate(_) => self.duplicates += 1,
            Fate::Unknown(_) => self.unknown += 1,
        }
    }

    /// Every input counted.
    pub fn inputs(&self) -> usize {
        self.created + self.updated + self.failed + self.duplicates + self.unknown
    }
}

/// A bulk upsert through a client.
#[derive(Clone, Debug)]
pub struct BulkUpsert {
    client: Client,
    concurrency: usize,
    batch_size: usize,
}

type Key = (Option<String>, String);

/// An input waiting to be sent, with its position.
struct Pending {
    index: usize,
    input: Input,
}

/// The answer for one batch: the outcomes, and how many requests it took.
struct Sent {
    outcomes: Vec<Outcome>,
    requests: usize,
    keys: Vec<Key>,
}

impl BulkUpsert {
    /// A bulk upsert through `client`, 4 batches at a time, batches of the spec's `maxItems`.
    pub fn new(client: Client) -> BulkUpsert {
        let batch_size = usize::try_from(BatchInput::INPUTS_MAX_ITEMS).unwrap_or(usize::MAX);
        BulkUpsert { client, concurrency: 4, batch_size }
    }

    /// How many batches may be in flight at once (at least 1).
    pub fn concurrency(mut self, concurrency: usize) -> BulkUpsert {
        self.concurrency = concurrency.max(1);
        self
    }

    /// Smaller batches than the operation allows (at least 1, at most its `maxItems`).
    pub fn batch_size(mut self, size: usize) -> BulkUpsert {
        let max = usize::try_from(BatchInput::INPUTS_MAX_ITEMS).unwrap_or(usize::MAX);
        self.batch_size = size.clamp(1, max);
        self
    }

    /// Upserts every input, calling `sink` once per input with its fate as soon as it is
    /// known (in no particular order), and returns the totals.
    pub async fn run(
        &self,
        inputs: impl IntoIterator<Item = Input>,
        mut sink: impl FnMut(Outcome),
    ) -> Totals {
        let run_id = format!("{:016x}", fastrand::u64(..));
        let mut totals = Totals::default();
        let mut report = |outcome: Outcome, totals: &mut Totals| {
            totals.count(&outcome.fate);
            sink(outcome);
        };
        let mut pending: Vec<Pending> = Vec::new();
        let mut pending_keys: BTreeMap<Key, usize> = BTreeMap::new();
        let mut in_flight: BTreeSet<Key> = BTreeSet::new();
        let mut tasks: JoinSet<Sent> = JoinSet::new();
        for (index, mut input) in inputs.into_iter().enumerate() {
            if let Err(violations) = input.validate() {
                let fate = Fate::Failed(format!("invalid: {violations}"));
                report(outcome(index, &input, fate), &mut totals);
                continue;
            }
            if input.object_write_trace_id.is_none() {
                input.object_write_trace_id = Some(format!("bulk-{run_id}-{index}"));
            }
            let key = (input.id_property.clone(), input.id.clone());
            // A key in flight: its batch must end first, so that writes keep input order.
            while in_flight.contains(&key) {
                let Some(done) = tasks.join_next().await else { break };
                finish(done, &mut in_flight, &mut totals, &mut report);
            }
            match pending_keys.get(&key) {
                Some(&slot) => {
                    let earlier = std::mem::replace(&mut pending[slot], Pending { index, input });
                    report(
                        outcome(earlier.index, &earlier.input, Fate::Duplicate(index)),
                        &mut totals,
                    );
                }
                None => {
                    pending_keys.insert(key, pending.len());
                    pending.push(Pending { index, input });
                }
            }
            if pending.len() >= self.batch_size {
                while tasks.len() >= self.concurrency {
                    let Some(done) = tasks.join_next().await else { break };
                    finish(done, &mut in_flight, &mut totals, &mut report);
                }
                pending_keys.clear();
                in_flight.extend(pending.iter().map(|it| key_of(&it.input)));
                let batch = std::mem::take(&mut pending);
                tasks.spawn(send(self.client.clone(), batch));
            }
        }
        if !pending.is_empty() {
            in_flight.extend(pending.iter().map(|it| key_of(&it.input)));
            tasks.spawn(send(self.client.clone(), pending));
        }
        while let Some(done) = tasks.join_next().await {
            finish(done, &mut in_flight, &mut totals, &mut report);
        }
        totals
    }
}

fn key_of(input: &Input) -> Key {
    (input.id_property.clone(), input.id.clone())
}

fn outcome(index: usize, input: &Input, fate: Fate) -> Outcome {
    Outcome { index, id_property: input.id_property.clone(), id: input.id.clone(), fate }
}

/// Reports a batch's outcomes and frees its keys. A batch whose task panicked cannot happen
/// (`send` does not panic); were it to, its inputs would be missing from the totals.
fn finish(
    done: Result<Sent, tokio::task::JoinError>,
    in_flight: &mut BTreeSet<Key>,
    totals: &mut Totals,
    report: &mut impl FnMut(Outcome, &mut Totals),
) {
    let Ok(sent) = done else { return };
    for key in &sent.keys {
        in_flight.remove(key);
    }
    totals.requests += sent.requests;
    for it in sent.outcomes {
        report(it, totals);
    }
}

/// Sends one batch, splitting it on a 400 until the inputs at fault are alone.
async fn send(client: Client, batch: Vec<Pending>) -> Sent {
    let keys = batch.iter().map(|it| key_of(&it.input)).collect();
    let mut outcomes = Vec::with_capacity(batch.len());
    let mut requests = 0;
    let mut queue = vec![batch];
    while let Some(batch) = queue.pop() {
        requests += 1;
        let body = BatchInput::new(batch.iter().map(|it| it.input.clone()).collect::<Vec<_>>());
        let fates: Vec<Fate> = match client.batch_upsert(&body).await {
            Ok(response) => match response.into_body() {
                BatchUpsertOutcome::Ok(done) => {
                    map_back(&batch, &done.results, done.errors.as_deref().unwrap_or_default())
                }
                BatchUpsertOutcome::MultiStatus(partial) => map_back(
                    &batch,
                    &partial.results,
                    partial.errors.as_deref().unwrap_or_default(),
                ),
                BatchUpsertOutcome::Undocumented(raw) => {
                    let reason =
                        format!("an undocumented success {} whose body was not read", raw.status());
                    vec![Fate::Unknown(reason); batch.len()]
                }
            },
            Err(err) if err.status().is_some_and(|it| it.as_u16() == 400) && batch.len() > 1 => {
                let mut batch = batch;
                let second = batch.split_off(batch.len() / 2);
                queue.push(second);
                queue.push(batch);
                continue;
            }
            Err(err) => vec![fate_of_error(&err); batch.len()],
        };
        outcomes
            .extend(batch.iter().zip(fates).map(|(it, fate)| outcome(it.index, &it.input, fate)));
    }
    Sent { outcomes, requests, keys }
}

/// The fate of every input of a batch whose call failed.
fn fate_of_error<E>(err: &Error<E>) -> Fate {
    match err {
        // The server answered: nothing of the batch was written.
        Error::Api { .. }
        | Error::UnexpectedResponse { .. }
        | Error::Invalid(_)
        | Error::InvalidRequest(_) => Fate::Failed(err.to_string()),
        // Sent, but no whole answer: it may or may not have been written.
        _ => Fate::Unknown(err.to_string()),
    }
}

/// Each input's fate from a batch answer: by trace id, else by the id property's value.
fn map_back(
    batch: &[Pending],
    results: &[SimplePublicUpsertObject],
    errors: &[StandardError],
) -> Vec<Fate> {
    let by_trace: BTreeMap<&str, usize> = batch
        .iter()
        .enumerate()
        .filter_map(|(pos, it)| Some((it.input.object_write_trace_id.as_deref()?, pos)))
        .collect();
    let mut fates: Vec<Option<Fate>> = vec![None; batch.len()];
    for result in results {
        let pos = result
            .object_write_trace_id
            .as_deref()
            .and_then(|it| by_trace.get(it).copied())
            .or_else(|| {
                batch.iter().position(|it| {
                    let property = it.input.id_property.as_deref().unwrap_or_default();
                    result.properties.get(property).and_then(Option::as_deref)
                        == Some(it.input.id.as_str())
                })
            });
        if let Some(pos) = pos {
            let id = result.id.clone();
            fates[pos] = Some(if result.new { Fate::Created(id) } else { Fate::Updated(id) });
        }
    }
    for error in errors {
        let message = error.message.clone().unwrap_or_else(|| "no message".to_owned());
        let category = error.category.clone().unwrap_or_default();
        let traces = error.context.as_ref().and_then(|it| it.get("objectWriteTraceId"));
        for trace in traces.into_iter().flatten() {
            if let Some(&pos) = by_trace.get(trace.as_str()) {
                fates[pos] = Some(Fate::Failed(format!("{category}: {message}")));
            }
        }
    }
    fates
        .into_iter()
        .map(|it| it.unwrap_or_else(|| Fate::Unknown("the answer does not mention it".to_owned())))
        .collect()
}
