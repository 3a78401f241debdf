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
//! callback as they are known (and, with a checkpoint, to a JSON Lines file that lets a killed
//! run resume).

use std::{
    collections::{BTreeMap, BTreeSet},
    fmt,
    fs::{File, OpenOptions},
    io::{BufRead as _, BufReader, BufWriter, Write as _},
    path::{Path, PathBuf},
};

use chrono::{DateTime, Utc};
use tokio::task::JoinSet;

use crate::{
    BatchUpsertOutcome, Client, Error,
    models::{
        BatchInputSimplePublicObjectBatchInputUpsert as BatchInput,
        SimplePublicObjectBatchInputUpsert as Input, SimplePublicUpsertObject, StandardError,
    },
    runtime::Validate,
};

/// What became of one input: exactly one per input. In JSON (the report's lines and the
/// checkpoint), `{"state": "created", "recordId": "…"}` and so on.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "state", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum Fate {
    /// A record was created.
    Created {
        /// HubSpot's record id.
        record_id: String,
    },
    /// The record was updated.
    Updated {
        /// HubSpot's record id.
        record_id: String,
    },
    /// It was not written.
    Failed {
        /// Why.
        error: String,
    },
    /// A later input with the same `idProperty` and `id` replaced it before it was sent.
    Duplicate {
        /// The later input's index.
        superseded_by: usize,
    },
    /// Whether it was written could not be learnt (a request sent whose answer never came).
    Unknown {
        /// Why.
        reason: String,
    },
}

impl Fate {
    /// Whether the fate is final: everything but `Unknown`, which a later run retries.
    pub fn is_final(&self) -> bool {
        !matches!(self, Fate::Unknown { .. })
    }
}

/// One input's fate, by its position in the input: a line of the report.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Outcome {
    /// The input's position, from 0.
    pub index: usize,
    /// Its `idProperty`.
    pub id_property: Option<String>,
    /// Its `id`.
    pub id: String,
    /// What became of it.
    #[serde(flatten)]
    pub fate: Fate,
}

impl Outcome {
    /// The outcome as one line of JSON, without the line break.
    pub fn to_json_line(&self) -> String {
        serde_json::to_string(self).expect("an outcome is strings and numbers")
    }
}

/// How many inputs ended in each state, and what it took.
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
    /// Of those counted above, how many came from a checkpoint rather than this run.
    pub resumed: usize,
    /// Requests sent (batches, and halves of refused batches), retries not counted.
    pub requests: usize,
    /// Retries made, by the client's retry policy.
    pub retries: usize,
    /// Answers that were 429 (rate limited).
    pub rate_limited: usize,
}

impl Totals {
    fn count(&mut self, fate: &Fate) {
        match fate {
            Fate::Created { .. } => self.created += 1,
            Fate::Updated { .. } => self.updated += 1,
            Fate::Failed { .. } => self.failed += 1,
            Fate::Duplicate { .. } => self.duplicates += 1,
            Fate::Unknown { .. } => self.unknown += 1,
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
    checkpoint: Option<PathBuf>,
}

/// Why a bulk upsert could not run.
#[derive(Debug)]
pub enum BulkError {
    /// The checkpoint file could not be read or written.
    Checkpoint(PathBuf, std::io::Error),
    /// The checkpoint file records other inputs than these.
    CheckpointMismatch {
        /// The file.
        path: PathBuf,
        /// The first input that differs.
        index: usize,
    },
}

impl fmt::Display for BulkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BulkError::Checkpoint(path, err) => {
                write!(f, "the checkpoint {}: {err}", path.display())
            }
            BulkError::CheckpointMismatch { path, index } => write!(
                f,
                "the checkpoint {} records another input at {index}: it belongs to another run",
                path.display()
            ),
        }
    }
}

impl std::error::Error for BulkError {}

type Key = (Option<String>, String);

/// An input waiting to be sent, with its position.
struct Pending {
    index: usize,
    input: Input,
    /// Sent by an earlier run that stopped before learning its fate: if the record it names
    /// was created since that run started, that run created it.
    resent: bool,
}

/// The answer for one batch: the outcomes, and what it took.
struct Sent {
    outcomes: Vec<Outcome>,
    requests: usize,
    retries: usize,
    rate_limited: usize,
    keys: Vec<Key>,
}

/// Where outcomes go: the caller's sink, the totals, the progress callback and the checkpoint.
struct Books<S, P> {
    sink: S,
    progress: P,
    totals: Totals,
    checkpoint: Option<(PathBuf, BufWriter<File>)>,
}

impl<S: FnMut(Outcome), P: FnMut(&Totals)> Books<S, P> {
    fn record(&mut self, outcome: Outcome) -> Result<(), BulkError> {
        self.totals.count(&outcome.fate);
        if let Some((path, file)) = &mut self.checkpoint {
            writeln!(file, "{}", outcome.to_json_line())
                .map_err(|err| BulkError::Checkpoint(path.clone(), err))?;
        }
        (self.sink)(outcome);
        Ok(())
    }

    fn write_line(&mut self, value: &serde_json::Value) -> Result<(), BulkError> {
        if let Some((path, file)) = &mut self.checkpoint {
            writeln!(file, "{value}").map_err(|err| BulkError::Checkpoint(path.clone(), err))?;
        }
        Ok(())
    }

    /// Notes, on disk, that a batch is about to be sent: if the run stops before its fate is
    /// known, the next run knows these inputs may have been written.
    fn sending(&mut self, batch: &[Pending]) -> Result<(), BulkError> {
        if self.checkpoint.is_none() {
            return Ok(());
        }
        let indices: Vec<usize> = batch.iter().map(|it| it.index).collect();
        self.write_line(&serde_json::json!({ "sending": indices }))?;
        if let Some((path, file)) = &mut self.checkpoint {
            file.flush()
                .and_then(|()| file.get_ref().sync_data())
                .map_err(|err| BulkError::Checkpoint(path.clone(), err))?;
        }
        Ok(())
    }

    /// A batch boundary: the checkpoint reaches the disk, and progress is told.
    fn sync(&mut self) -> Result<(), BulkError> {
        if let Some((path, file)) = &mut self.checkpoint {
            file.flush()
                .and_then(|()| file.get_ref().sync_data())
                .map_err(|err| BulkError::Checkpoint(path.clone(), err))?;
        }
        (self.progress)(&self.totals);
        Ok(())
    }

    fn finish(&mut self, done: Sent, in_flight: &mut BTreeSet<Key>) -> Result<(), BulkError> {
        for key in &done.keys {
            in_flight.remove(key);
        }
        self.totals.requests += done.requests;
        self.totals.retries += done.retries;
        self.totals.rate_limited += done.rate_limited;
        for it in done.outcomes {
            self.record(it)?;
        }
        self.sync()
    }
}

impl BulkUpsert {
    /// A bulk upsert through `client`, 4 batches at a time, batches of the spec's `maxItems`.
    pub fn new(client: Client) -> BulkUpsert {
        let batch_size = usize::try_from(BatchInput::INPUTS_MAX_ITEMS).unwrap_or(usize::MAX);
        BulkUpsert { client, concurrency: 4, batch_size, checkpoint: None }
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

    /// Records every final outcome in `path` (JSON Lines, appended, synced to disk at each
    /// batch boundary). A run given a checkpoint that exists sends nothing it records as final
    /// and reports those outcomes again, so a run killed at any point resumes where it stopped,
    /// and a run of the same inputs again ends with the same fates. The checkpoint's records
    /// are held in memory while the run lasts.
    pub fn checkpoint(mut self, path: impl Into<PathBuf>) -> BulkUpsert {
        self.checkpoint = Some(path.into());
        self
    }

    /// Upserts every input, calling `sink` once per input with its fate as soon as it is
    /// known (in no particular order), and returns the totals.
    pub async fn run(
        &self,
        inputs: impl IntoIterator<Item = Input>,
        sink: impl FnMut(Outcome),
    ) -> Result<Totals, BulkError> {
        self.run_with_progress(inputs, sink, |_| {}).await
    }

    /// [`BulkUpsert::run`], calling `progress` with the totals so far after each batch.
    pub async fn run_with_progress(
        &self,
        inputs: impl IntoIterator<Item = Input>,
        sink: impl FnMut(Outcome),
        progress: impl FnMut(&Totals),
    ) -> Result<Totals, BulkError> {
        self.run_source(Iter(inputs.into_iter()), sink, progress).await
    }

    /// [`BulkUpsert::run_with_progress`] over an async stream of inputs (a channel, a paged
    /// export, a file read asynchronously): the next input is pulled only when a batch has room.
    pub async fn run_stream(
        &self,
        inputs: impl futures_core::Stream<Item = Input> + Unpin,
        sink: impl FnMut(Outcome),
        progress: impl FnMut(&Totals),
    ) -> Result<Totals, BulkError> {
        self.run_source(Stream(inputs), sink, progress).await
    }

    async fn run_source(
        &self,
        mut inputs: impl Source,
        sink: impl FnMut(Outcome),
        progress: impl FnMut(&Totals),
    ) -> Result<Totals, BulkError> {
        let Earlier { mut resumed, sending, started } = match &self.checkpoint {
            Some(path) => read_checkpoint(path)?,
            None => Earlier::default(),
        };
        let fresh = started.is_none();
        let started =
            started.unwrap_or_else(|| DateTime::<Utc>::from(std::time::SystemTime::now()));
        let checkpoint = match &self.checkpoint {
            Some(path) => {
                let fail = |err| BulkError::Checkpoint(path.clone(), err);
                let mut file = OpenOptions::new()
                    .create(true)
                    .append(true)
                    .read(true)
                    .open(path)
                    .map_err(fail)?;
                // A run killed while writing leaves a line cut short: the next one starts anew.
                if ends_mid_line(&mut file).map_err(fail)? {
                    file.write_all(b"\n").map_err(fail)?;
                }
                Some((path.clone(), BufWriter::new(file)))
            }
            None => None,
        };
        let mut books = Books { sink, progress, totals: Totals::default(), checkpoint };
        if fresh {
            books.write_line(&serde_json::json!({ "started": started }))?;
        }
        let run_id = format!("{:016x}", fastrand::u64(..));
        let mut pending: Vec<Pending> = Vec::new();
        let mut pending_keys: BTreeMap<Key, usize> = BTreeMap::new();
        let mut in_flight: BTreeSet<Key> = BTreeSet::new();
        let mut tasks: JoinSet<Sent> = JoinSet::new();
        let mut next_index = 0;
        while let Some(mut input) = inputs.next().await {
            let index = next_index;
            next_index += 1;
            if let Some(done) = resumed.remove(&index) {
                if done.id != input.id || done.id_property != input.id_property {
                    let path = self.checkpoint.clone().unwrap_or_default();
                    return Err(BulkError::CheckpointMismatch { path, index });
                }
                books.totals.resumed += 1;
                books.totals.count(&done.fate);
                (books.sink)(done);
                continue;
            }
            if let Err(violations) = input.validate() {
                let fate = Fate::Failed { error: format!("invalid: {violations}") };
                books.record(outcome(index, &input, fate))?;
                continue;
            }
            if input.object_write_trace_id.is_none() {
                input.object_write_trace_id = Some(format!("bulk-{run_id}-{index}"));
            }
            let key = key_of(&input);
            // A key in flight: its batch must end first, so that writes keep input order.
            while in_flight.contains(&key) {
                let Some(done) = tasks.join_next().await else { break };
                books.finish(joined(done), &mut in_flight)?;
            }
            match pending_keys.get(&key) {
                Some(&slot) => {
                    let resent = sending.contains(&index);
                    let earlier =
                        std::mem::replace(&mut pending[slot], Pending { index, input, resent });
                    let fate = Fate::Duplicate { superseded_by: index };
                    books.record(outcome(earlier.index, &earlier.input, fate))?;
                }
                None => {
                    pending_keys.insert(key, pending.len());
                    pending.push(Pending { index, input, resent: sending.contains(&index) });
                }
            }
            if pending.len() >= self.batch_size {
                while tasks.len() >= self.concurrency {
                    let Some(done) = tasks.join_next().await else { break };
                    books.finish(joined(done), &mut in_flight)?;
                }
                pending_keys.clear();
                in_flight.extend(pending.iter().map(|it| key_of(&it.input)));
                let batch = std::mem::take(&mut pending);
                books.sending(&batch)?;
                tasks.spawn(send(self.client.clone(), batch, started));
            }
        }
        if !pending.is_empty() {
            in_flight.extend(pending.iter().map(|it| key_of(&it.input)));
            books.sending(&pending)?;
            tasks.spawn(send(self.client.clone(), pending, started));
        }
        while let Some(done) = tasks.join_next().await {
            books.finish(joined(done), &mut in_flight)?;
        }
        books.sync()?;
        Ok(books.totals)
    }
}

/// Where inputs come from: an iterator or a stream.
trait Source {
    async fn next(&mut self) -> Option<Input>;
}

struct Iter<I>(I);

impl<I: Iterator<Item = Input>> Source for Iter<I> {
    async fn next(&mut self) -> Option<Input> {
        self.0.next()
    }
}

struct Stream<S>(S);

impl<S: futures_core::Stream<Item = Input> + Unpin> Source for Stream<S> {
    async fn next(&mut self) -> Option<Input> {
        std::future::poll_fn(|cx| std::pin::Pin::new(&mut self.0).poll_next(cx)).await
    }
}

/// What a checkpoint says of earlier runs.
#[derive(Default)]
struct Earlier {
    /// The final outcomes, by index.
    resumed: BTreeMap<usize, Outcome>,
    /// The inputs sent without a final outcome: they may have been written.
    sending: BTreeSet<usize>,
    /// When the first run of this checkpoint started.
    started: Option<DateTime<Utc>>,
}

/// What a checkpoint records; nothing when it does not exist yet. A last line cut short (the
/// run was killed while writing it) is ignored: its batch is sent again.
fn read_checkpoint(path: &Path) -> Result<Earlier, BulkError> {
    #[derive(serde::Deserialize)]
    #[serde(untagged)]
    enum Line {
        Started { started: DateTime<Utc> },
        Sending { sending: Vec<usize> },
        Outcome(Outcome),
    }
    let file = match File::open(path) {
        Ok(it) => it,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(Earlier::default()),
        Err(err) => return Err(BulkError::Checkpoint(path.to_owned(), err)),
    };
    let mut res = Earlier::default();
    for line in BufReader::new(file).lines() {
        let line = line.map_err(|err| BulkError::Checkpoint(path.to_owned(), err))?;
        match serde_json::from_str::<Line>(&line) {
            Ok(Line::Started { started }) => {
                res.started.get_or_insert(started);
            }
            Ok(Line::Sending { sending }) => res.sending.extend(sending),
            Ok(Line::Outcome(outcome)) if outcome.fate.is_final() => {
                res.resumed.insert(outcome.index, outcome);
            }
            _ => {}
        }
    }
    res.sending.retain(|it| !res.resumed.contains_key(it));
    Ok(res)
}

/// Whether `file` is not empty and its last byte is not a line break.
fn ends_mid_line(file: &mut File) -> std::io::Result<bool> {
    use std::io::{Read as _, Seek as _, SeekFrom};
    if file.metadata()?.len() == 0 {
        return Ok(false);
    }
    file.seek(SeekFrom::End(-1))?;
    let mut last = [0];
    file.read_exact(&mut last)?;
    Ok(last[0] != b'\n')
}

/// A batch's answer from its task. `send` does not panic, and tasks are not cancelled, so a
/// task always ends with its answer.
fn joined(done: Result<Sent, tokio::task::JoinError>) -> Sent {
    match done {
        Ok(sent) => sent,
        Err(err) => std::panic::resume_unwind(err.into_panic()),
    }
}

fn key_of(input: &Input) -> Key {
    (input.id_property.clone(), input.id.clone())
}

fn outcome(index: usize, input: &Input, fate: Fate) -> Outcome {
    Outcome { index, id_property: input.id_property.clone(), id: input.id.clone(), fate }
}

/// Sends one batch, splitting it on a 400 until the inputs at fault are alone.
async fn send(client: Client, batch: Vec<Pending>, started: DateTime<Utc>) -> Sent {
    let keys = batch.iter().map(|it| key_of(&it.input)).collect();
    let mut sent = Sent {
        outcomes: Vec::with_capacity(batch.len()),
        requests: 0,
        retries: 0,
        rate_limited: 0,
        keys,
    };
    let mut queue = vec![batch];
    while let Some(batch) = queue.pop() {
        sent.requests += 1;
        let body = BatchInput::new(batch.iter().map(|it| it.input.clone()).collect::<Vec<_>>());
        let answer = client.batch_upsert(&body).await;
        let attempts = match &answer {
            Ok(response) => Some(response.attempts().clone()),
            Err(err) => err.attempts().cloned(),
        };
        if let Some(attempts) = attempts {
            sent.retries += attempts.count.saturating_sub(1) as usize;
            sent.rate_limited += attempts.rate_limited as usize;
        }
        let fates: Vec<Fate> = match answer {
            Ok(response) => match response.into_body() {
                BatchUpsertOutcome::Ok(done) => map_back(
                    &batch,
                    &done.results,
                    done.errors.as_deref().unwrap_or_default(),
                    started,
                ),
                BatchUpsertOutcome::MultiStatus(partial) => map_back(
                    &batch,
                    &partial.results,
                    partial.errors.as_deref().unwrap_or_default(),
                    started,
                ),
                BatchUpsertOutcome::Undocumented(raw) => {
                    let reason =
                        format!("an undocumented success {} whose body was not read", raw.status());
                    vec![Fate::Unknown { reason }; batch.len()]
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
        sent.outcomes
            .extend(batch.iter().zip(fates).map(|(it, fate)| outcome(it.index, &it.input, fate)));
    }
    sent
}

/// The fate of every input of a batch whose call failed.
fn fate_of_error<E>(err: &Error<E>) -> Fate {
    match err {
        // The server answered: nothing of the batch was written.
        Error::Api { .. }
        | Error::UnexpectedResponse { .. }
        | Error::Invalid(_)
        | Error::InvalidRequest(_) => Fate::Failed { error: err.to_string() },
        // No connection: nothing was sent.
        Error::Transport { source, .. } if source.is_connect() => {
            Fate::Failed { error: err.to_string() }
        }
        // Sent, but no whole answer: it may or may not have been written.
        _ => Fate::Unknown { reason: err.to_string() },
    }
}

/// Each input's fate from a batch answer: by trace id, else by the id property's value.
///
/// An input that an earlier run sent without learning its fate, answered "updated" for a record
/// created since the checkpoint's first run started, was created by that run: it is reported
/// created, as an uninterrupted run would have (this assumes no one else creates the same
/// record meanwhile, and a client clock close to HubSpot's).
fn map_back(
    batch: &[Pending],
    results: &[SimplePublicUpsertObject],
    errors: &[StandardError],
    started: DateTime<Utc>,
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
            let record_id = result.id.clone();
            let created_by_earlier_run = batch[pos].resent && result.created_at >= started;
            fates[pos] = Some(if result.new || created_by_earlier_run {
                Fate::Created { record_id }
            } else {
                Fate::Updated { record_id }
            });
        }
    }
    for error in errors {
        let message = error.message.clone().unwrap_or_else(|| "no message".to_owned());
        let category = error.category.clone().unwrap_or_default();
        let traces = error.context.as_ref().and_then(|it| it.get("objectWriteTraceId"));
        for trace in traces.into_iter().flatten() {
            if let Some(&pos) = by_trace.get(trace.as_str()) {
                fates[pos] = Some(Fate::Failed { error: format!("{category}: {message}") });
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
