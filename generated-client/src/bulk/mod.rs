//! Bulk upsert: any number of deals, in batches as large as the operation allows, sent
//! concurrently, every input accounted for, and no fate reported that the evidence does not
//! support.
//!
//! Hand-written, on nothing but the generated [`Client::batch_upsert`] and the runtime:
//!
//! - each input is checked against the spec's constraints on its own, so one bad input costs
//!   only itself;
//! - inputs with the same `(idProperty, id)` are merged as HubSpot would apply them one after
//!   the other: an update writes only the properties it names, so the later input's values win
//!   property by property and the earlier one's other properties are kept. Inputs waiting in
//!   the same batch are merged into one (the earlier ones reported [`Fate::Merged`]); an input
//!   whose key is in a batch still in flight waits for that batch, so that writes of one key
//!   happen in input order. The store ends the same wherever batch boundaries fall;
//! - every input gets a unique `objectWriteTraceId` when it has none (one the caller gives must
//!   be unique in the run), so that HubSpot answers 207 with per-input errors instead of
//!   refusing the whole batch;
//! - batches are as large as the spec's `maxItems` ([`BatchInput::INPUTS_MAX_ITEMS`]), at most
//!   `concurrency` of them in flight, under the client's rate limiter and retry policy;
//! - a batch refused whole with a 400 is split in halves until the inputs at fault are alone,
//!   unless both halves are refused with the same category and message as the whole: then the
//!   refusal is about the request (an `idProperty` that is not unique, say), every input of the
//!   batch fails with it, and when no batch of the run has gone through yet the run stops
//!   (every batch would be refused);
//! - results and errors are mapped back to inputs by trace id, else by the id property's value
//!   in the result's properties, else (inputs without an `idProperty`) by record id; never by
//!   position, since HubSpot returns results in no particular order. An input no answer names
//!   is [`Fate::Unknown`].
//!
//! # Fates, and what the evidence must be for each
//!
//! The runtime records, for every call, whether any attempt may have reached HubSpot without a
//! definite answer ([`Attempts::maybe_applied`](crate::Attempts::maybe_applied): sent, then a timeout, a reset, a body cut
//! short, or a status 500, 502, 504, 521, 523 or 524). From that and the last answer:
//!
//! - [`Fate::Created`] and [`Fate::Updated`] come from a decoded 200 or 207 (or another 2xx
//!   whose body decodes as one). Upsert is idempotent, so the last answer states the record's
//!   final state; only its `new` may be `false` for a record that an earlier, unanswered attempt
//!   created. So when an earlier attempt of the call may have been applied (or an earlier run
//!   sent the input and never learnt its fate), a record whose `createdAt` is at or after the
//!   moment that call began (or that run sent it) is reported created. This assumes that no one
//!   else creates the same record meanwhile, and a clock close to HubSpot's (to the
//!   millisecond, as HubSpot's timestamps are).
//! - [`Fate::Failed`] needs a refusal: an error of a 200 or 207 that names the input, a 400
//!   narrowed down to it, a violation of the spec's constraints, or a call none of whose
//!   attempts can have been applied (none reached HubSpot, or each was refused). A failure that
//!   may pass (429s that outlasted the retries, 503, 423, 477, a refused or unobtainable token,
//!   a connection never made, a batch refused whole for a reason that is no input's) is marked
//!   `transient`.
//! - [`Fate::Unknown`] whenever an attempt may have been applied and no later answer says what
//!   happened.
//! - [`Fate::NotSent`] for inputs the run did not send because it stopped: HubSpot's daily
//!   limit, the daily reserve, a refused token, the error budget, a batch refused whole at the
//!   start, or [`StopHandle::stop`].
//! - [`Fate::Merged`] for an input merged into a later one with the same key, whose fate it
//!   shares.
//!
//! A run given a checkpoint resends, when it is run again, every input that is not settled:
//! `Unknown`, `NotSent`, transient failures, and inputs merged into one of those; then the
//! inputs after them with the same key, so that the last write stays the last. Created,
//! updated and permanently failed inputs are not sent again.
//!
//! # Stops that save the day's quota
//!
//! A `DAILY` 429 stops the run at once: nothing more is sent, the rest is `NotSent`, and the
//! run's [`Totals::stopped`] says so. The run also stops before HubSpot's
//! `X-HubSpot-RateLimit-Daily-Remaining` reaches a reserve kept for the account's other
//! integrations ([`BulkUpsert::daily_reserve`], 5% of the daily limit by default), and when more
//! than a share of the latest requests failed ([`BulkUpsert::error_budget`], HubSpot's 5% by
//! default).
//!
//! Memory is bounded by `concurrency` batches, not by the number of inputs, but for the trace
//! ids callers give (kept to refuse repeats) and, when resuming, the checkpoint's records:
//! outcomes go to a callback as they are known (and, with a checkpoint, to a JSON Lines file
//! that lets a killed run resume).

mod checkpoint;
mod mapping;
mod send;

use std::{
    collections::{BTreeMap, BTreeSet, VecDeque},
    fmt,
    fs::{File, OpenOptions},
    io::{BufWriter, Write as _},
    path::PathBuf,
    sync::{
        Arc, Mutex, PoisonError,
        atomic::{AtomicBool, Ordering},
    },
};

use chrono::{DateTime, Utc};
use tokio::task::JoinSet;

use self::{
    checkpoint::{Earlier, ends_mid_line, read_checkpoint},
    send::send,
};
use crate::{
    Client,
    models::{
        BatchInputSimplePublicObjectBatchInputUpsert as BatchInput,
        SimplePublicObjectBatchInputUpsert as Input,
    },
    runtime::{RateLimit, Validate},
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
    /// HubSpot refused it, or the request never reached HubSpot: it was not written.
    Failed {
        /// Why.
        error: String,
        /// Whether the failure may pass (a rate limit, a server that was unavailable, a token):
        /// a resumed run sends the input again. A permanent refusal is not sent again.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        transient: bool,
    },
    /// It was merged into a later input with the same `idProperty` and `id`, which was sent
    /// with the properties of both (the later one's values winning): its fate is that one's.
    #[serde(alias = "duplicate")]
    Merged {
        /// The later input's index.
        #[serde(alias = "supersededBy")]
        into: usize,
    },
    /// It was sent, and whether it was written could not be learnt (an attempt that may have
    /// been applied, and no answer after it). A resumed run sends it again.
    Unknown {
        /// Why.
        reason: String,
    },
    /// The run stopped before sending it. A resumed run sends it.
    NotSent {
        /// Why the run stopped.
        reason: String,
    },
}

impl Fate {
    /// Whether the fate is settled: created, updated, or refused for good. A resumed run sends
    /// the others again (a merged input is settled when the input it was merged into is).
    pub fn is_settled(&self) -> bool {
        match self {
            Fate::Created { .. } | Fate::Updated { .. } | Fate::Merged { .. } => true,
            Fate::Failed { transient, .. } => !transient,
            Fate::Unknown { .. } | Fate::NotSent { .. } => false,
        }
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

/// Why a run stopped before it had sent every input.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum StopCause {
    /// HubSpot answered with its `DAILY` 429: the account's daily limit is reached until
    /// midnight in the account's time zone.
    DailyLimit,
    /// HubSpot's `X-HubSpot-RateLimit-Daily-Remaining` reached the reserve kept for the
    /// account's other integrations.
    DailyReserve,
    /// The access token was refused (401, 403), or none could be had.
    TokenRefused,
    /// More than the error budget's share of the latest requests failed.
    ErrorBudget,
    /// The first batches were refused whole, for a reason that is not any input's: every batch
    /// would be.
    BatchRefused,
    /// [`StopHandle::stop`] was called (Ctrl-C, in the command-line program).
    Interrupted,
}

/// A run's stop: why, in a sentence fit for the report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stop {
    /// Why, as a kind.
    pub cause: StopCause,
    /// Why, in words (what HubSpot said, and what to do).
    pub message: String,
}

impl fmt::Display for Stop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// How many inputs ended in each state, and what it took.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Totals {
    /// Records created.
    pub created: usize,
    /// Records updated.
    pub updated: usize,
    /// Inputs not written: refused, or never sent for a reason that is final.
    pub failed: usize,
    /// Of the failed inputs, how many failed for a reason that may pass (a resume resends them).
    pub transient: usize,
    /// Inputs merged into a later one with the same key.
    pub merged: usize,
    /// Inputs whose fate could not be learnt.
    pub unknown: usize,
    /// Inputs not sent because the run stopped.
    pub not_sent: usize,
    /// Of those counted above, how many came from a checkpoint rather than this run.
    pub resumed: usize,
    /// Requests sent (batches, and halves of refused batches), retries not counted.
    pub requests: usize,
    /// Retries made, by the client's retry policy.
    pub retries: usize,
    /// Answers that were 429 (rate limited).
    pub rate_limited: usize,
    /// Why the run stopped early, if it did.
    pub stopped: Option<Stop>,
}

impl Totals {
    fn count(&mut self, fate: &Fate) {
        match fate {
            Fate::Created { .. } => self.created += 1,
            Fate::Updated { .. } => self.updated += 1,
            Fate::Failed { transient, .. } => {
                self.failed += 1;
                self.transient += usize::from(*transient);
            }
            Fate::Merged { .. } => self.merged += 1,
            Fate::Unknown { .. } => self.unknown += 1,
            Fate::NotSent { .. } => self.not_sent += 1,
        }
    }

    /// Every input counted.
    pub fn inputs(&self) -> usize {
        self.created + self.updated + self.failed + self.merged + self.unknown + self.not_sent
    }

    /// Whether a resumed run has anything left to send.
    pub fn unsettled(&self) -> usize {
        self.transient + self.unknown + self.not_sent
    }
}

/// How many of the day's requests to leave to the account's other integrations.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum DailyReserve {
    /// A share of the daily limit (`X-HubSpot-RateLimit-Daily`), between 0 and 1.
    Share(f64),
    /// A number of requests.
    Requests(u64),
}

impl DailyReserve {
    /// The requests to keep, of a daily limit of `daily`.
    fn of(self, daily: u64) -> u64 {
        match self {
            DailyReserve::Share(share) => (daily as f64 * share.clamp(0.0, 1.0)).ceil() as u64,
            DailyReserve::Requests(it) => it,
        }
    }
}

/// Stops a run when more than `share` of the latest `window` requests failed: a request is one
/// batch's call, its retries included, and it failed when its last answer was not a success
/// (an error status, or none). A retry that went through, a refreshed token, does not count.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ErrorBudget {
    /// The share of failed requests allowed, between 0 and 1.
    pub share: f64,
    /// How many of the latest requests it is measured over.
    pub window: usize,
}

impl Default for ErrorBudget {
    /// HubSpot's guidance: errors under 5% of requests, over the latest 200.
    fn default() -> ErrorBudget {
        ErrorBudget { share: 0.05, window: 200 }
    }
}

/// Stops a running bulk upsert from elsewhere (a Ctrl-C handler, say): nothing more is sent,
/// the batches in flight finish, and the inputs not sent are reported [`Fate::NotSent`].
#[derive(Clone, Debug, Default)]
pub struct StopHandle(Arc<AtomicBool>);

impl StopHandle {
    /// Stops the runs of the bulk upsert this handle came from, this one and later ones.
    pub fn stop(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    fn stopped(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// A bulk upsert through a client.
#[derive(Clone, Debug)]
pub struct BulkUpsert {
    client: Client,
    concurrency: usize,
    batch_size: usize,
    checkpoint: Option<PathBuf>,
    daily_reserve: DailyReserve,
    error_budget: Option<ErrorBudget>,
    interrupt: StopHandle,
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
    /// When an earlier run sent it in a request that may have been applied, with no answer
    /// since: a record it names created at or after then was created by that request.
    applied_since: Option<DateTime<Utc>>,
    /// The earlier inputs with the same key merged into this one.
    merged: Vec<usize>,
}

/// The answer for one batch: the outcomes, and what it took.
#[derive(Default)]
struct Sent {
    outcomes: Vec<Outcome>,
    requests: usize,
    retries: usize,
    rate_limited: usize,
    /// Whether each request failed, in order.
    failures: Vec<bool>,
    keys: Vec<Key>,
    /// The last rate-limit headers seen.
    limit: Option<RateLimit>,
    /// The refusal of the whole batch, when both halves were refused as the whole was.
    refused_whole: Option<String>,
    /// Whether any of its inputs was written.
    written: bool,
}

/// Why the run stops, shared by the loop and the batches in flight.
#[derive(Clone, Default)]
struct Halt {
    stop: Arc<Mutex<Option<Stop>>>,
    interrupt: StopHandle,
}

impl Halt {
    /// Stops the run, unless it stopped already (the first cause is the one reported).
    fn stop(&self, cause: StopCause, message: String) {
        self.stop
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get_or_insert(Stop { cause, message });
    }

    fn get(&self) -> Option<Stop> {
        if self.interrupt.stopped() {
            self.stop(
                StopCause::Interrupted,
                "the run was interrupted before it sent everything".to_owned(),
            );
        }
        self.stop.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }
}

/// Where outcomes go: the caller's sink, the totals, the progress callback and the checkpoint.
struct Books<S, P> {
    sink: S,
    progress: P,
    totals: Totals,
    checkpoint: Option<(PathBuf, BufWriter<File>)>,
    /// Whether each of the latest requests failed, for the error budget.
    latest: VecDeque<bool>,
    latest_failed: usize,
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

    /// Notes, on disk, that a batch is about to be sent (if the run stops before its fate is
    /// known, the next run knows these inputs may have been written), and reports the inputs
    /// merged into it.
    fn sending(&mut self, batch: &[Pending]) -> Result<(), BulkError> {
        for it in batch {
            for &merged in &it.merged {
                let fate = Fate::Merged { into: it.index };
                self.record(outcome(merged, &it.input, fate))?;
            }
        }
        if self.checkpoint.is_none() {
            return Ok(());
        }
        let indices: Vec<usize> = batch.iter().map(|it| it.index).collect();
        self.write_line(&serde_json::json!({ "sending": indices, "at": now() }))?;
        self.flush()
    }

    fn flush(&mut self) -> Result<(), BulkError> {
        if let Some((path, file)) = &mut self.checkpoint {
            file.flush()
                .and_then(|()| file.get_ref().sync_data())
                .map_err(|err| BulkError::Checkpoint(path.clone(), err))?;
        }
        Ok(())
    }

    /// A batch boundary: the checkpoint reaches the disk, and progress is told.
    fn sync(&mut self) -> Result<(), BulkError> {
        self.flush()?;
        (self.progress)(&self.totals);
        Ok(())
    }

    /// Inputs that will not be sent: each with its own fate, and the merged ones with it.
    fn not_sent(&mut self, pending: Vec<Pending>, stop: &Stop) -> Result<(), BulkError> {
        for it in pending {
            for merged in it.merged.iter().copied().chain([it.index]) {
                let fate = Fate::NotSent { reason: stop.message.clone() };
                self.record(outcome(merged, &it.input, fate))?;
            }
        }
        Ok(())
    }

    /// A batch's answer: its outcomes recorded, and the stops it calls for.
    fn finish(
        &mut self,
        done: Sent,
        in_flight: &mut BTreeSet<Key>,
        run: &BulkUpsert,
        halt: &Halt,
    ) -> Result<(), BulkError> {
        for key in &done.keys {
            in_flight.remove(key);
        }
        self.totals.requests += done.requests;
        self.totals.retries += done.retries;
        self.totals.rate_limited += done.rate_limited;
        let nothing_written_before = self.totals.created + self.totals.updated == 0;
        for it in done.outcomes {
            self.record(it)?;
        }
        if let Some(refusal) = &done.refused_whole {
            if nothing_written_before && !done.written {
                halt.stop(
                    StopCause::BatchRefused,
                    format!(
                        "the first batches were refused whole, for a reason that is no input's (every batch would be): {refusal}"
                    ),
                );
            }
        }
        let daily = done.limit.and_then(|it| Some((it.daily?, it.daily_remaining?)));
        if let Some((daily, remaining)) = daily {
            let reserve = run.daily_reserve.of(daily);
            if remaining <= reserve {
                halt.stop(
                    StopCause::DailyReserve,
                    format!(
                        "{remaining} of the day's {daily} requests remain, the reserve kept for the account's other integrations is {reserve}: resume after the daily limit resets (midnight in the HubSpot account's time zone)"
                    ),
                );
            }
        }
        if let Some(budget) = run.error_budget {
            for it in done.failures {
                self.latest.push_back(it);
                self.latest_failed += usize::from(it);
                if self.latest.len() > budget.window.max(1) {
                    let old = self.latest.pop_front().unwrap_or(false);
                    self.latest_failed -= usize::from(old);
                }
            }
            let allowed = budget.share.clamp(0.0, 1.0) * budget.window.max(1) as f64;
            if self.latest_failed as f64 > allowed {
                halt.stop(
                    StopCause::ErrorBudget,
                    format!(
                        "{} of the latest {} requests failed, more than the error budget of {:.0}%: resume when the failures are understood",
                        self.latest_failed,
                        self.latest.len(),
                        budget.share * 100.0
                    ),
                );
            }
        }
        self.sync()
    }
}

impl BulkUpsert {
    /// A bulk upsert through `client`, 4 batches at a time, batches of the spec's `maxItems`,
    /// a daily reserve of 5% and HubSpot's error budget.
    pub fn new(client: Client) -> BulkUpsert {
        let batch_size = usize::try_from(BatchInput::INPUTS_MAX_ITEMS).unwrap_or(usize::MAX);
        BulkUpsert {
            client,
            concurrency: 4,
            batch_size,
            checkpoint: None,
            daily_reserve: DailyReserve::Share(0.05),
            error_budget: Some(ErrorBudget::default()),
            interrupt: StopHandle::default(),
        }
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

    /// Stops the run before HubSpot's `X-HubSpot-RateLimit-Daily-Remaining` falls to
    /// `reserve`: the daily limit is shared by every integration of the account (5% of it by
    /// default; `DailyReserve::Requests(0)` uses all of it). OAuth calls carry no daily headers
    /// (public apps have no daily limit), so this never stops them.
    pub fn daily_reserve(mut self, reserve: DailyReserve) -> BulkUpsert {
        self.daily_reserve = reserve;
        self
    }

    /// Stops the run when more than `budget.share` of the latest `budget.window` requests
    /// failed; `None` never stops for failures. HubSpot asks that errors stay under 5% of an
    /// app's requests, which is the default.
    pub fn error_budget(mut self, budget: Option<ErrorBudget>) -> BulkUpsert {
        self.error_budget = budget;
        self
    }

    /// A handle that stops this bulk upsert's runs (see [`StopHandle`]).
    pub fn stop_handle(&self) -> StopHandle {
        self.interrupt.clone()
    }

    /// Records every outcome in `path` (JSON Lines, appended, synced to disk at each batch
    /// boundary). A run given a checkpoint that exists sends nothing it records as settled,
    /// and reports those outcomes again; it sends again what is not settled (see the module's
    /// documentation). So a run killed or stopped at any point resumes where it stopped, and a
    /// run of the same inputs again ends with the same fates. The checkpoint's records are held
    /// in memory while the run lasts: about 280 bytes each (277 MB to resume from a million,
    /// BENCHMARKS.md), so split a job of tens of millions into runs with checkpoints of their own.
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
        let Earlier { mut resumed, maybe_applied, started } = match &self.checkpoint {
            Some(path) => read_checkpoint(path)?,
            None => Earlier::default(),
        };
        let fresh = started.is_none();
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
        let mut books = Books {
            sink,
            progress,
            totals: Totals::default(),
            checkpoint,
            latest: VecDeque::new(),
            latest_failed: 0,
        };
        if fresh {
            books.write_line(&serde_json::json!({ "started": now() }))?;
        }
        let halt = Halt { stop: Arc::default(), interrupt: self.interrupt.clone() };
        let run_id = format!("{:016x}", fastrand::u64(..));
        let mut pending: Vec<Pending> = Vec::new();
        let mut pending_keys: BTreeMap<Key, usize> = BTreeMap::new();
        let mut in_flight: BTreeSet<Key> = BTreeSet::new();
        // Keys this run sends again although the checkpoint has them: later inputs of the same
        // key are sent again too, so that the last write stays the last.
        let mut resending: BTreeSet<Key> = BTreeSet::new();
        let mut traces: BTreeSet<String> = BTreeSet::new();
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
                if !resending.contains(&key_of(&input)) {
                    books.totals.resumed += 1;
                    books.totals.count(&done.fate);
                    (books.sink)(done);
                    continue;
                }
            }
            if !resumed.is_empty() {
                resending.insert(key_of(&input));
            }
            if let Some(stop) = halt.get() {
                let fate = Fate::NotSent { reason: stop.message };
                books.record(outcome(index, &input, fate))?;
                continue;
            }
            if let Err(violations) = input.validate() {
                let fate =
                    Fate::Failed { error: format!("invalid: {violations}"), transient: false };
                books.record(outcome(index, &input, fate))?;
                continue;
            }
            match &input.object_write_trace_id {
                Some(trace) if !traces.insert(trace.clone()) => {
                    let error = format!(
                        "objectWriteTraceId `{trace}` is given to an earlier input of this run too: trace ids must be unique, or HubSpot's answer cannot say which input it is about"
                    );
                    books.record(outcome(
                        index,
                        &input,
                        Fate::Failed { error, transient: false },
                    ))?;
                    continue;
                }
                Some(_) => {}
                None => input.object_write_trace_id = Some(format!("bulk-{run_id}-{index}")),
            }
            let key = key_of(&input);
            // A key in flight: its batch must end first, so that writes keep input order.
            while in_flight.contains(&key) {
                let Some(done) = tasks.join_next().await else { break };
                books.finish(joined(done), &mut in_flight, self, &halt)?;
            }
            let applied_since = maybe_applied.get(&index).copied();
            let next = Pending { index, input, applied_since, merged: Vec::new() };
            match pending_keys.get(&key) {
                Some(&slot) => {
                    // HubSpot would apply the earlier input, then this one over it.
                    let earlier = std::mem::replace(&mut pending[slot], next);
                    let later = &mut pending[slot];
                    let mut properties = earlier.input.properties;
                    properties.append(&mut later.input.properties);
                    later.input.properties = properties;
                    later.applied_since = match (earlier.applied_since, later.applied_since) {
                        (Some(a), Some(b)) => Some(a.min(b)),
                        (a, b) => a.or(b),
                    };
                    later.merged = earlier.merged;
                    later.merged.push(earlier.index);
                }
                None => {
                    pending_keys.insert(key, pending.len());
                    pending.push(next);
                }
            }
            if pending.len() >= self.batch_size {
                while tasks.len() >= self.concurrency {
                    let Some(done) = tasks.join_next().await else { break };
                    books.finish(joined(done), &mut in_flight, self, &halt)?;
                }
                pending_keys.clear();
                let batch = std::mem::take(&mut pending);
                if let Some(stop) = halt.get() {
                    books.not_sent(batch, &stop)?;
                    continue;
                }
                in_flight.extend(batch.iter().map(|it| key_of(&it.input)));
                books.sending(&batch)?;
                tasks.spawn(send(self.client.clone(), batch, halt.clone()));
            }
        }
        if !pending.is_empty() {
            match halt.get() {
                Some(stop) => books.not_sent(pending, &stop)?,
                None => {
                    in_flight.extend(pending.iter().map(|it| key_of(&it.input)));
                    books.sending(&pending)?;
                    tasks.spawn(send(self.client.clone(), pending, halt.clone()));
                }
            }
        }
        while let Some(done) = tasks.join_next().await {
            books.finish(joined(done), &mut in_flight, self, &halt)?;
        }
        books.totals.stopped = halt.get().filter(|_| books.totals.unsettled() > 0);
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

/// A batch's answer from its task. `send` does not panic, and tasks are not cancelled, so a
/// task always ends with its answer.
fn joined(done: Result<Sent, tokio::task::JoinError>) -> Sent {
    match done {
        Ok(sent) => sent,
        Err(err) => std::panic::resume_unwind(err.into_panic()),
    }
}

/// Now, to the millisecond, as HubSpot's timestamps are: a record created in the same
/// millisecond as a call began was created after it began.
fn now() -> DateTime<Utc> {
    use chrono::SubsecRound as _;
    DateTime::<Utc>::from(std::time::SystemTime::now()).trunc_subsecs(3)
}

fn key_of(input: &Input) -> Key {
    (input.id_property.clone(), input.id.clone())
}

fn outcome(index: usize, input: &Input, fate: Fate) -> Outcome {
    Outcome { index, id_property: input.id_property.clone(), id: input.id.clone(), fate }
}
